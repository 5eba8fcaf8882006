"""Incremental crawls: conditional requests (crawler/httpcache.py) and the `revisit` policy (crawler/sites), with
real crawls (`run_crawl`, a `scrapy crawl` subprocess) of the demo portal on 127.0.0.1 into one archive.

The portal (`Portal(faults=True)`: it counts the requests per path; the fault site itself is not crawled) answers its
static pages with ETag and Last-Modified and 304 to a conditional request; its list APIs answer without validators.
One archive goes through seven crawls of every generated site, in order (module fixture `crawls`):

1. first crawl ("listed");
2. nothing changed ("listed"): list pages only (304 where the portal gives validators), no report or attachment
   request, a run-log line for every report and attachment of the first crawl with its sha256, manifest unchanged;
3. nothing changed, `revisit` "all": every report and attachment requested again, conditionally (304), no manifest
   row; one report page fails (HTTP 500);
4. epoch 2 and one list entry's date changed ("listed"): the re-listed report and the report that failed in crawl 3
   are requested, nothing else; the report restated in place (same URL, title and date) is not ("listed" cannot
   see it), the report taken down is not logged;
5. `revisit` "all": the restated report is fetched (a new manifest row);
6. one list page fails ("listed"): its reports are not logged, the others are; nothing looks removed
   (v_removed_report: a run with a failed list page is no evidence);
7. the page answers again ("listed"): every listed report logged; v_removed_report lists the taken-down report only.
The failing list page of a site crawled with "all" is covered by tests/test_faults.py (the fault site).
"""

from __future__ import annotations

import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import duckdb
import pytest
from conftest import http

import warehouse
from crawler.archive import Archive
from crawler.httpcache import KnownPages
from crawler.run import CrawlStats, run_crawl
from dagster_project.resources import rebuild_crawl_state
from etl.frames import crawl_frames
from portal import Portal

NOT_MODIFIED = "not modified (HTTP 304): the archived answer"
FAILURE = (500, b"<html><body>500</body></html>", "text/html; charset=utf-8")


@dataclass
class Crawl:
    stats: CrawlStats
    requests: Counter[str]  # requests per path the portal received during this crawl
    seen: dict[str, dict[str, Any]]  # the run log's lines by URL
    manifest: bytes  # the manifest file after the crawl


@dataclass
class Crawls:
    portal: Portal
    archive: Archive
    runs: list[Crawl]
    first_rows: list[dict[str, Any]]  # manifest rows of the first crawl
    relisted: str  # report URL whose list date changed before crawl 4
    relisted_page: str
    failed_report: str  # report URL answering 500 in crawl 3
    failing_page: str  # list page answering 500 in crawl 6
    restated: str
    removed: str
    static: set[str]  # paths of the static pages in epoch 1 (answered with validators)


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)


def _counts(portal: Portal) -> Counter[str]:
    server = portal._server  # the per-path counts behind Portal.requests_to
    assert server is not None and server.counts is not None
    with server.counts_lock:
        return Counter(server.counts)


def _crawl(portal: Portal, archive: Archive, sites: list[dict[str, Any]]) -> Crawl:
    before = _counts(portal)
    stats = run_crawl(sites, archive.root, timeout=300)
    assert stats.finish_reason == "finished" and stats.spider_exceptions == 0, stats
    [run] = [r for r in archive.runs() if r["run_id"] == stats.run_id]
    seen = {line["url"]: line for line in run["seen"]}
    return Crawl(stats, _counts(portal) - before, seen, archive.manifest_path.read_bytes())


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    archive = Archive(tmp_path_factory.mktemp("incremental") / "archive")
    with Portal(faults=True, corpus_dir=None) as portal:
        listed = [e | {"revisit": "listed"} for e in portal.sites_config() if e["name"] != "faulty"]
        revisit = [e | {"revisit": "all"} for e in listed]
        runs = [_crawl(portal, archive, listed)]
        rows, static = archive.manifest(), set(portal.pages)
        reports = [r for r in rows if r["kind"] == "report" and r["status"] == 200 and r["list_date"]]
        # a TRS site of three static list pages (each names the page count): the second fails in crawl 6, the
        # first changes the list date of one entry before crawl 4
        pages = Counter(r["list_url"] for r in reports if r["site"] == "qzswj")
        start, failing_page = sorted(pages)[:2]
        assert start.endswith("/index.html") and failing_page.endswith("/index_1.html") and pages[failing_page] >= 3
        relisted = next(r for r in reports if r["list_url"] == start
                        and portal.pages[_path(start)][0].count(r["list_date"].encode()) == 1)  # fmt: skip
        failed_report = next(r for r in reports if r["site"] == "tzspj" and _path(r["url"]) in static)["url"]

        runs.append(_crawl(portal, archive, listed))  # 2: nothing changed

        portal.endpoints[_path(failed_report)] = lambda request: FAILURE
        runs.append(_crawl(portal, archive, revisit))  # 3: revisit all; one report fails
        del portal.endpoints[_path(failed_report)]

        portal.set_epoch(2)
        truth = portal.truth()
        crawled = {e["name"] for e in listed}
        [restated] = [p["details"]["url"] for p in truth["planted"]
                      if p["kind"] == "restatement" and p["site"] in crawled]  # fmt: skip
        [removed] = [u for u in truth["removed_urls"] if urlsplit(u).path.split("/")[1] in crawled]
        page = _path(relisted["list_url"])
        data, ctype = portal.pages[page]
        portal.pages[page] = (data.replace(relisted["list_date"].encode(), b"1999-01-01"), ctype)
        runs.append(_crawl(portal, archive, listed))  # 4: epoch 2, one list entry changed
        runs.append(_crawl(portal, archive, revisit))  # 5: revisit all

        portal.endpoints[_path(failing_page)] = lambda request: FAILURE
        runs.append(_crawl(portal, archive, listed))  # 6: a list page fails
        del portal.endpoints[_path(failing_page)]
        runs.append(_crawl(portal, archive, listed))  # 7: it answers again
        yield Crawls(portal, archive, runs, rows, relisted["url"], relisted["list_url"], failed_report, failing_page,
                     restated, removed, static)  # fmt: skip


def _files(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Report and attachment rows by URL."""
    return {r["url"]: r for r in rows if r["kind"] in ("report", "attachment")}


def test_nothing_changed_fetches_only_list_pages(crawls: Crawls) -> None:
    first, second = crawls.runs[0], crawls.runs[1]
    files = _files(crawls.first_rows)
    assert files and any(r["kind"] == "attachment" for r in files.values())
    gone = {u for u, r in files.items() if r["status"] in (404, 410)}  # always requested again
    assert gone
    for url, row in files.items():
        assert second.requests[_path(url)] == (1 if url in gone else 0), url  # (no gone URL shares its path)
        line = second.seen[url]  # a line for every report and attachment of the first crawl, same body
        assert (line["sha256"], line["status"], line["kind"]) == (row["sha256"], row["status"], row["kind"]), url
        if url not in gone:
            assert line["outcome"] == "ok", line
            assert line["reason"].startswith(("listed unchanged", "its report is listed unchanged")), line
    assert {u for u, s in first.seen.items() if s["kind"] == "report"} == {u for u, s in second.seen.items()
                                                                           if s["kind"] == "report"}  # fmt: skip
    # every list page requested again; the static ones (validators) answered 304: their archived answer
    lists = {u for u, s in first.seen.items() if s["kind"] == "list"}
    assert lists == {u for u, s in second.seen.items() if s["kind"] == "list"}
    static = {u for u in lists if _path(u) in crawls.static}
    assert len(static) >= 10
    for url in static:
        line = second.seen[url]
        assert (line["outcome"], line["status"], line["reason"]) == ("ok", 200, NOT_MODIFIED), line
        assert line["sha256"] == first.seen[url]["sha256"]
    requested = sum(second.requests.values())
    assert requested <= sum(first.requests[_path(u)] for u in lists) + len(gone) + 1  # + robots.txt
    assert requested < sum(first.requests.values()) / 3
    # nothing archived: the manifest is byte for byte the first crawl's
    assert second.manifest == first.manifest and (second.stats.new_rows, second.stats.new_objects) == (0, 0)
    assert second.stats.reports == first.stats.reports and second.stats.errors == first.stats.errors == 0


def test_revisit_all_requests_every_report_conditionally(crawls: Crawls) -> None:
    third = crawls.runs[2]
    files = _files(crawls.first_rows)
    paths = Counter(_path(u) for u in files)  # Hanweb's attachments share one path (downfile.jsp?…)
    for url, row in files.items():
        extra = 2 if url == crawls.failed_report else 0  # 500: retried twice
        assert third.requests[_path(url)] == paths[_path(url)] + extra, url
        line = third.seen[url]
        if url == crawls.failed_report:
            assert (line["outcome"], line["status"], line["sha256"]) == ("error", 500, None)
            continue
        assert line["sha256"] == row["sha256"], url
        if row["status"] == 200 and _path(url) in crawls.static:  # a static page: 304
            assert line["reason"] == NOT_MODIFIED, line
        else:  # Hanweb's downfile.jsp (no validators) or a 404: the same body again
            assert line["reason"].startswith("unchanged: HTTP"), line
    assert third.manifest == crawls.runs[1].manifest and third.stats.new_rows == 0


def test_changed_list_entries_and_failures_are_fetched(crawls: Crawls) -> None:
    fourth, fifth = crawls.runs[3], crawls.runs[4]
    assert fourth.requests[_path(crawls.relisted)] == 1  # its list date changed
    assert fourth.seen[crawls.relisted]["reason"] == NOT_MODIFIED  # conditionally: its page did not change
    assert fourth.requests[_path(crawls.failed_report)] == 1  # its last request failed
    assert fourth.seen[crawls.failed_report]["outcome"] == "ok"
    files = _files(crawls.first_rows)
    requested = {u for u in files if fourth.requests[_path(u)]}
    assert all(fourth.requests[_path(u)] == 1 for u in requested)
    gone = {u for u, r in files.items() if r["status"] in (404, 410)}
    assert requested - gone == {crawls.relisted, crawls.failed_report}
    # "listed" cannot see a page changed in place under the same list entry: the restatement is not fetched ...
    assert fourth.requests[_path(crawls.restated)] == 0
    assert fourth.seen[crawls.restated]["reason"].startswith("listed unchanged")
    assert crawls.removed not in fourth.seen  # no longer listed: not logged (then removed, test below)
    # ... a revisit does: its new version is archived
    assert fifth.requests[_path(crawls.restated)] == 1 and fifth.stats.new_rows >= 1
    versions = [r for r in crawls.archive.manifest() if r["url"] == crawls.restated]
    assert len(versions) == 2 and versions[0]["sha256"] != versions[1]["sha256"]
    assert fifth.seen[crawls.restated]["sha256"] == versions[1]["sha256"]


def _removed(archive: Archive, upto: str) -> set[tuple[str, str]]:
    """(url, how) of v_removed_report over the runs up to run `upto`."""
    frames = crawl_frames(r for r in archive.runs() if r["run_id"] <= upto)
    con = duckdb.connect()
    for table in ("crawl_run", "crawl_seen", "dim_report"):
        con.execute(warehouse.ddl(table))
    con.register("_run", frames.crawl_run)
    con.register("_seen", frames.crawl_seen)
    con.execute("insert into crawl_run by name select * from _run")
    con.execute("insert into crawl_seen by name select * from _seen")
    rebuild_crawl_state(con)  # the state the view reads, from the history as inserted here
    con.execute(warehouse.views()["v_removed_report"])
    return set(con.execute("select url, how from v_removed_report").fetchall())


def test_a_failing_list_page_makes_nothing_look_removed(crawls: Crawls) -> None:
    fifth, sixth, seventh = crawls.runs[4], crawls.runs[5], crawls.runs[6]
    page = sixth.seen[crawls.failing_page]
    assert (page["outcome"], page["status"]) == ("error", 500)
    on_page = {r["url"] for r in crawls.first_rows if r["kind"] == "report" and r["list_url"] == crawls.failing_page}
    assert on_page and not on_page & set(sixth.seen)  # its reports were not listed in this run
    listed = {u for u, s in fifth.seen.items() if s["kind"] == "report"}
    assert listed - on_page <= set(sixth.seen)  # every other listed report has its line
    assert crawls.removed not in listed
    # the taken-down report is removed (crawl 4 and 5 were complete without it); the failed page's are not
    assert _removed(crawls.archive, fifth.stats.run_id) == {(crawls.removed, "unlisted")}
    assert _removed(crawls.archive, sixth.stats.run_id) == {(crawls.removed, "unlisted")}
    assert listed <= set(seventh.seen)  # the page answers again: every listed report logged
    assert seventh.seen[crawls.failing_page]["reason"] == NOT_MODIFIED
    assert _removed(crawls.archive, seventh.stats.run_id) == {(crawls.removed, "unlisted")}
    assert not any(seventh.requests[_path(u)] for u in on_page)  # listed as before: not fetched


def test_known_pages_of_the_archive(crawls: Crawls) -> None:
    """The known-URL state: the latest manifest row per URL of the sites asked for, compact."""
    known = KnownPages.load(crawls.archive, ["snsthj"])
    rows = [r for r in crawls.archive.manifest() if r["site"] == "snsthj"]
    latest = {r["url"]: r for r in rows}
    assert set(known.pages) == set(latest)
    entry = known.entry(crawls.restated)
    assert entry is not None and entry.sha256 == latest[crawls.restated]["sha256"] and entry.validators
    assert known.entry(crawls.relisted) is None  # another site's
    assert all(isinstance(e.sha, bytes) and len(e.sha) == 32 for e in known.pages.values())


# ---------------------------------------------------------------------------------------------------------
# The portal's validators


def _get(url: str, method: str = "GET", data: bytes | None = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return http(urllib.request.Request(url, data=data, headers=headers, method=method))


def test_portal_answers_conditional_requests() -> None:
    with Portal(corpus_dir=None) as portal:
        url = portal.url("/qzswj/zwgk/xxgk/index.html")
        status, headers, body = _get(url)
        tag, modified = headers["ETag"], headers["Last-Modified"]
        assert status == 200 and tag.startswith('"') and tag.endswith('"') and modified.endswith(" GMT")
        assert _get(url, "HEAD")[1]["ETag"] == tag
        later = "Wed, 02 Sep 2026 08:00:00 GMT"
        for conditional in ({"If-None-Match": tag}, {"If-None-Match": f'"x", W/{tag}'}, {"If-None-Match": "*"},
                            {"If-Modified-Since": modified}, {"If-Modified-Since": later}):  # fmt: skip
            status, headers, data = _get(url, **conditional)
            assert (status, data, headers["ETag"]) == (304, b"", tag), conditional
            assert "Content-Length" not in headers
            assert _get(url, "HEAD", **conditional)[0] == 304
        # If-None-Match decides when present; an earlier date or another tag gets the page
        status, _, data = _get(url, **{"If-None-Match": '"other"', "If-Modified-Since": modified})
        assert (status, data) == (200, body)
        assert _get(url, **{"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})[0] == 200
        # a POST to a page and the dynamic endpoints (list APIs) answer without validators, whatever is asked
        status, headers, _ = _get(url, "POST", b"a=1", **{"If-None-Match": tag})
        assert status == 200 and "ETag" not in headers and "Last-Modified" not in headers
        status, headers, _ = _get(portal.url("/zqhjj/gkmlpt/api/all/2811?page=1&sid=758019"), **{"If-None-Match": "*"})
        assert status == 200 and "ETag" not in headers  # gkmlpt's JSON list API
        # another epoch: another date; the changed page another tag
        portal.set_epoch(2)
        changed = portal.url("/anju/gongkai/czj/index.html")
        assert _get(changed)[1]["Last-Modified"] != modified
        assert _get(changed, **{"If-Modified-Since": modified})[0] == 200
