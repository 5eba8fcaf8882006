"""raw_page loads incrementally from the archive manifest (only the rows appended since the last load, in bulk
batches) and ends with the same rows as a load of the whole manifest; another archive loads afresh."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crawler.archive import Archive
from dagster_project.resources import Warehouse
from etl.frames import raw_page_frame


def _put(archive: Archive, n: int, start: int = 0, site: str = "s") -> None:
    for i in range(start, start + n):
        body = f"<html>report {i}</html>".encode()
        sha = archive.put(body)
        archive.record({"url": f"http://example.test/{site}/{i}.html", "final_url": None, "status": 200,
                        "headers": {"Content-Type": "text/html; charset=utf-8"}, "fetched_at": "2026-01-02T03:04:05+00:00",
                        "sha256": sha, "size": len(body), "site": site, "kind": "report", "title": f"t{i}",
                        "list_url": None, "list_date": "2026-01-01", "parent_url": None, "family": None})  # fmt: skip


def _table(wh: Warehouse) -> pl.DataFrame:
    return wh.query("select * from raw_page order by url, sha256").with_columns(
        pl.col("fetched_at").dt.convert_time_zone("UTC")  # DuckDB names UTC Etc/UTC
    )


def test_raw_page_loads_what_was_appended_and_equals_a_full_load(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    wh = Warehouse(path=str(tmp_path / "ogi.duckdb"))
    _put(archive, 25)
    assert wh.load_raw_pages(archive, batch=10) == (25, 25)  # three bulk batches
    assert wh.load_raw_pages(archive) == (0, 25)  # nothing appended: nothing read
    _put(archive, 7, start=25)
    with archive.manifest_path.open("ab") as f:
        f.write(b'{"url": "http://example.test/s/half')  # a writer still at work: not loaded yet
    assert wh.load_raw_pages(archive, batch=4) == (7, 32)
    full = raw_page_frame(archive.iter_manifest()).sort("url", "sha256")
    assert _table(wh).equals(full)
    # another archive (another manifest): loaded afresh, nothing of the first kept
    other = Archive(tmp_path / "other")
    _put(other, 3, site="o")
    assert wh.load_raw_pages(other) == (3, 3)
    assert _table(wh)["site"].unique().to_list() == ["o"]


def test_crawl_history_reads_only_new_or_newly_ended_runs(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from etl.frames import crawl_frames

    archive = Archive(tmp_path / "archive")
    wh = Warehouse(path=str(tmp_path / "ogi.duckdb"))
    started = datetime(2026, 1, 2, tzinfo=UTC)
    first = archive.open_run("20260102T000000000000Z", ["s"], started)
    for i in range(5):
        first.seen(f"http://example.test/s/{i}.html", "s", "report", 200, "a" * 64)
    first.seen("http://example.test/s/0.html", "s", "report", 500, None, "HTTP 500")  # logged twice: first kept
    first.finish(started, "finished")
    second = archive.open_run("20260103T000000000000Z", ["s"], started)
    second.seen("http://example.test/s/0.html", "s", "report", 404, None, "HTTP 404")
    assert wh.load_crawl_history(archive, batch_size=2) == (2, {"crawl_run": 2, "crawl_seen": 6})  # in pieces
    assert wh.load_crawl_history(archive)[0] == 0  # nothing new: no log read
    second.seen("http://example.test/s/1.html", "s", "report", 200, "b" * 64)
    second.finish(started, "shutdown")  # the unfinished run ended since: read again, its rows replaced
    assert wh.load_crawl_history(archive) == (1, {"crawl_run": 2, "crawl_seen": 7})
    expected = crawl_frames(archive.runs())
    assert wh.query("select * from crawl_seen order by run_id, site, url").equals(expected.crawl_seen)
    assert wh.query("select * from crawl_run order by run_id, site")["finish_reason"].to_list() == ["finished", "shutdown"]
