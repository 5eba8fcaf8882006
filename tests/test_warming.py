"""Parsing during the crawl (dagster_project/warming.py): what the warmer puts in the parse cache is what the parse
step asks for (same cache keys), a report waits for its attachments, and the tables are those of a parse from
scratch."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from test_parse_cache import _config, _metadata, forget_state, parse_again, snapshot

import etl
from crawler.archive import Archive
from dagster_project import warming
from dagster_project.parsing import ParseJob, cache_dir, missing_attachments, site_hints
from dagster_project.resources import CrawlConfig, Warehouse
from dagster_project.runs import materialize_sites
from portal import Portal


def _sites(crawl: CrawlConfig) -> dict[str, dict[str, Any]]:
    return site_hints(crawl.load_sites())


def _warm_everything(crawl: CrawlConfig, cache: Path, **kw: Any) -> warming.CacheWarmer:
    """A warmer over the whole manifest of a finished crawl, run until it has nothing left to do."""
    archive = Archive(crawl.archive_path())
    job = ParseJob(archive=str(archive.root), cache=str(cache))
    with warming.CacheWarmer(archive, job, _sites(crawl), min_reports=0, interval=0.05, offset=0, **kw) as warmer:
        deadline = time.monotonic() + 300
        while not warmer.idle():
            assert time.monotonic() < deadline, "the warmer never became idle"
            time.sleep(0.05)
    return warmer


@pytest.fixture(scope="module")
def crawled(portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlConfig, Warehouse, dict[str, Any]]:
    """The demo portal crawled without parsing during the crawl, then parsed from scratch."""
    tmp = tmp_path_factory.mktemp("warming")
    sites = tmp / "sites.json"
    sites.write_text(json.dumps(portal.sites_config(), ensure_ascii=False), encoding="utf-8")
    crawl = CrawlConfig(sites=str(sites), portal_url=portal.base_url, data_dir=str(tmp / "data"),
                        parse_during_crawl=False)  # fmt: skip
    wh = Warehouse(path=str(tmp / "ogi.duckdb"))
    result = materialize_sites({"crawl": crawl, "warehouse": wh}, run_config=_config(workers=1))
    assert result.success
    return crawl, wh, _metadata(result)


def test_the_warmed_cache_is_what_the_parse_step_reads(crawled, tmp_path: Path) -> None:
    crawl, wh, first = crawled
    before = snapshot(wh)
    cache = cache_dir(crawl.data_path(), etl.PARSER_VERSION)
    for entry in cache.rglob("*.pickle.z"):
        entry.unlink()  # the cold parse's entries gone: only the warmer's are left
    warmer = _warm_everything(crawl, cache)
    stats = warmer.stats
    # the reports that wait are those whose attachment the crawl could not archive under them (failed or refused)
    failed = wh.query(
        "select count(distinct parent_url) from crawl_seen where kind = 'attachment' and parent_url is not null "
        "and (sha256 is null or status not between 200 and 299)"
    ).item()
    assert stats.cached == 0 and stats.forgotten == 0
    assert stats.parsed > 60 and stats.waiting <= failed
    forget_state(wh)
    again = parse_again(crawl, wh, workers=1)  # every warmed report read from the cache, the rest parsed
    assert again["cached"] == stats.parsed
    assert again["parsed"] == first["parsed"] - stats.parsed
    assert snapshot(wh) == before


def test_a_report_waits_until_its_attachments_are_archived(crawled) -> None:
    crawl, wh, _ = crawled
    archive = Archive(crawl.archive_path())
    pages = wh.query(
        "select p.url, p.sha256, p.content_type, r.final_url, r.status from raw_page as r join "
        "(select * from raw_page where kind = 'report') as p using (url, sha256) "
        "where exists (select 1 from raw_page as a where a.parent_url = p.url) order by p.url"
    ).to_dicts()
    assert pages, "the demo has reports with attachments"
    row = pages[0]
    attachments = wh.query(
        "select url from raw_page where kind = 'attachment' and parent_url = $1", params=[row["url"]]
    ).to_dicts()
    missing = missing_attachments(archive, row, [])
    assert sorted(missing) == sorted(a["url"] for a in attachments)
    assert missing_attachments(archive, row, attachments) == []


def test_the_run_parses_during_the_crawl_and_gives_the_same_tables(
    crawled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawl, _, first = crawled
    monkeypatch.setattr(warming, "MIN_REPORTS", 0)
    monkeypatch.setattr(warming, "INTERVAL", 0.05)
    sites = tmp_path / "sites.json"  # a slower crawl (0.1 s between two requests to a site): time to parse during it
    slow = [{**site, "download_delay": 0.1} for site in json.loads(Path(crawl.sites).read_text("utf-8"))]
    sites.write_text(json.dumps(slow, ensure_ascii=False), encoding="utf-8")
    fresh = CrawlConfig(sites=str(sites), portal_url=crawl.portal_url, data_dir=str(tmp_path / "data"))
    warm_wh = Warehouse(path=str(tmp_path / "ogi.duckdb"))
    result = materialize_sites({"crawl": fresh, "warehouse": warm_wh}, run_config=_config(workers=1))
    assert result.success
    [crawl_event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "raw_pages"]
    during = crawl_event.materialization.metadata["parsed_during_crawl"].value
    parsed = _metadata(result)
    assert during > 0
    assert parsed["cached"] == during  # every report parsed during the crawl was read from the cache
    assert parsed["cached"] + parsed["parsed"] == first["parsed"]
    tables = snapshot(warm_wh)
    forced = parse_again(fresh, warm_wh, workers=1, reparse=True)
    assert forced["parsed"] == first["parsed"]
    assert snapshot(warm_wh) == tables  # the tables of a parse from scratch


def test_a_crawl_that_outruns_the_worker_leaves_the_rest_to_the_parse_step(
    crawled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawl, _, first = crawled
    monkeypatch.setattr(warming, "MAX_BACKLOG", 5)
    warmer = _warm_everything(crawl, tmp_path / "cache")  # the whole manifest at once: 5 reports taken
    stats = warmer.stats
    assert stats.parsed + stats.waiting == 5
    assert stats.skipped == first["parsed"] - 5
    assert len(list((tmp_path / "cache").rglob("*.pickle.z"))) == stats.parsed
