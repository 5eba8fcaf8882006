"""Readings of list answers cached by what they were read from (crawler/listcache.py): the cache itself, and real
crawls (`run_crawl`) of demo sites on 127.0.0.1 where a second crawl with nothing new reads every list answer from
the cache, logs exactly what a crawl without the cache logs, and a cached reading is what the crawl follows."""

from __future__ import annotations

import json
import pickle
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crawler.archive import Archive
from crawler.cms import Listing, ListRequest
from crawler.cms.links import ReportLink
from crawler.listcache import FILE, FOLDER, ListCache, code_version, site_fingerprint
from crawler.run import run_crawl
from crawler.sites import Site
from portal import Portal

SITES = ("zqhjj", "yongan")  # an html site and a trsapi site (list API answered as JSON, POST paging)


def _entries(archive: Path) -> dict[str, bytes]:
    """The cache's entries: key -> pickled reading."""
    path = archive / FOLDER / FILE
    if not path.exists():
        return {}
    with sqlite3.connect(path) as db:
        return dict(db.execute("select key, value from lists").fetchall())


def _lines(archive: Path, run_id: str) -> list[tuple[Any, ...]]:
    """A run log's URL lines without what differs between runs (order within a run may differ too)."""
    keep = ("url", "site", "kind", "outcome", "status", "sha256", "reason", "parent_url")
    return sorted(tuple(json.dumps(line.get(k)) for k in keep) for line in Archive(archive).iter_run(run_id))


def test_cache_round_trip_and_key(tmp_path: Path) -> None:
    cache = ListCache(tmp_path)
    listing = Listing("html", [ReportLink("http://x/a.html", "2023年报告", "2024-01-20")],
                      [ListRequest("http://x/index_1.html", "html")])  # fmt: skip
    key = cache.key("ab" * 32, "http://x/index.html", {}, "text/html", None, "s1")
    assert cache.get(key) is None and cache.misses == 1
    cache.put(key, "html", listing)
    assert cache.get(key) == ("html", listing) and cache.hits == 1  # before it is written
    cache.close()
    assert list(_entries(tmp_path)) == [key]
    again = ListCache(tmp_path)  # another process, a later crawl
    assert again.get(key) == ("html", listing)
    again.close()
    # every input of the reading is in the key
    others = [
        cache.key("cd" * 32, "http://x/index.html", {}, "text/html", None, "s1"),
        cache.key("ab" * 32, "http://x/index_1.html", {}, "text/html", None, "s1"),
        cache.key("ab" * 32, "http://x/index.html", {"page": 2}, "text/html", None, "s1"),
        cache.key("ab" * 32, "http://x/index.html", {}, "text/html; charset=gbk", None, "s1"),
        cache.key("ab" * 32, "http://x/index.html", {}, "text/html", "trs", "s1"),
        cache.key("ab" * 32, "http://x/index.html", {}, "text/html", None, "s2"),
    ]
    assert len({key, *others}) == 7
    assert len(code_version()) == 16 and code_version() == code_version()


def test_readings_are_written_in_batches(tmp_path: Path) -> None:
    cache = ListCache(tmp_path)
    keys = [cache.key(f"{i:064x}", "http://x/", {}, None, None, "s") for i in range(250)]
    for key in keys:
        cache.put(key, "html", Listing("html"))
    assert len(_entries(tmp_path)) == 200  # one batch written, 50 still in memory
    cache.close()
    assert set(_entries(tmp_path)) == set(keys)


def test_site_fingerprint_follows_the_configuration() -> None:
    site = Site("a", ("http://x/",), ("x",), ("http://x/",))
    assert site_fingerprint(site) == site_fingerprint(Site("a", ("http://x/",), ("x",), ("http://x/",)))
    assert site_fingerprint(site) != site_fingerprint(Site("a", ("http://x/",), ("x",), ("http://x/gk/",)))
    assert site_fingerprint(site) != site_fingerprint(
        Site("a", ("http://x/",), ("x",), ("http://x/",), selectors={"list": "ul.list a"})
    )


def test_unreadable_entry_is_read_again(tmp_path: Path) -> None:
    cache = ListCache(tmp_path)
    key = cache.key("ab" * 32, "http://x/", {}, None, None, "s")
    cache.put(key, "html", Listing("html"))
    cache.close()
    with sqlite3.connect(tmp_path / FOLDER / FILE) as db:
        db.execute("update lists set value = substr(value, 1, 10)")  # cut
    assert cache.get(key) is None
    with sqlite3.connect(tmp_path / FOLDER / FILE) as db:
        db.execute("update lists set value = ?", (pickle.dumps(("html", ["not a listing"])),))  # stale shape
    assert cache.get(key) is None
    assert cache.hits == 0 and cache.misses == 2
    cache.close()


def test_an_unusable_cache_file_costs_readings_only(tmp_path: Path) -> None:
    (tmp_path / FOLDER).mkdir()
    (tmp_path / FOLDER / FILE).write_bytes(b"not a database" * 100)
    cache = ListCache(tmp_path)
    key = cache.key("ab" * 32, "http://x/", {}, None, None, "s")
    cache.put(key, "html", Listing("html"))
    cache.close()  # nothing raised: logged
    assert ListCache(tmp_path).get(key) is None


@pytest.fixture(scope="module")
def crawls(portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two demo sites crawled three times into one archive: first, again with the cache, again without it."""
    archive = tmp_path_factory.mktemp("listcache") / "archive"
    sites = [s for s in portal.sites_config() if s["name"] in SITES]
    assert len(sites) == len(SITES)
    first = run_crawl(sites, archive, timeout=180)
    entries = _entries(archive)
    cached = run_crawl(sites, archive, timeout=180)
    after_cached = _entries(archive)
    shutil.rmtree(archive / FOLDER)
    fresh = run_crawl(sites, archive, timeout=180)
    return {"archive": archive, "sites": sites, "runs": (first, cached, fresh), "entries": entries,
            "after_cached": after_cached, "after_fresh": _entries(archive)}  # fmt: skip


def test_first_crawl_caches_every_list_answer(crawls: dict[str, Any]) -> None:
    first = crawls["runs"][0]
    assert first.finish_reason == "finished" and first.reports >= 6
    # one entry per list answer read (distinct bodies and pages), nothing for reports or attachments
    lists = sum(1 for line in Archive(crawls["archive"]).iter_run(first.run_id) if line.get("kind") == "list")
    assert lists == first.lists
    assert 0 < len(crawls["entries"]) <= first.lists


def test_crawl_from_the_cache_logs_what_a_crawl_without_it_logs(crawls: dict[str, Any]) -> None:
    first, cached, fresh = crawls["runs"]
    assert cached.finish_reason == fresh.finish_reason == "finished"
    assert cached.new_objects == fresh.new_objects == 0 and cached.new_rows == fresh.new_rows == 0
    # nothing new: the cached crawl wrote no entry, and the crawl without a cache wrote the same entries again
    assert crawls["after_cached"] == crawls["entries"]
    assert crawls["after_fresh"] == crawls["entries"]
    assert _lines(crawls["archive"], cached.run_id) == _lines(crawls["archive"], fresh.run_id)
    assert (cached.items, cached.reports, cached.lists, cached.attachments) == (
        fresh.items, fresh.reports, fresh.lists, fresh.attachments)  # fmt: skip


def test_the_crawl_follows_the_cached_reading(crawls: dict[str, Any], tmp_path: Path) -> None:
    """Proof the entries are read: every cached reading replaced by one that lists nothing, the next crawl requests
    first pages only and logs no report."""
    archive = Path(shutil.copytree(crawls["archive"], tmp_path / "archive"))
    with sqlite3.connect(archive / FOLDER / FILE) as db:
        for key, value in db.execute("select key, value from lists").fetchall():
            family, _ = pickle.loads(value)
            db.execute("update lists set value = ? where key = ?", (pickle.dumps((family, Listing(family))), key))
    stats = run_crawl(crawls["sites"], archive, timeout=180)
    kinds = [line.get("kind") for line in Archive(archive).iter_run(stats.run_id)]
    assert stats.finish_reason == "finished"
    assert kinds.count("report") == 0 and kinds.count("attachment") == 0
    assert kinds.count("list") == sum(len(s["start_urls"]) for s in crawls["sites"])
