"""Integrity of the raw layer without a fault site: the scope rule, the archive's verification and temp cleanup,
resuming what an interrupted crawl archived, the crawl dying with its parent, version flags and evidence-only
removals. (The fault-injecting portal's end-to-end tests are tests/test_faults.py.)"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from crawler.archive import Archive, CorruptObject
from crawler.middlewares import refusal
from crawler.sites import Site
from etl import frames
from etl.frames import PageInfo
from etl.model import ParseResult, ReportMeta, Source, Value

REPO = Path(__file__).resolve().parent.parent


def test_scope_refuses_other_ports_prefixes_schemes_and_internal_addresses() -> None:
    site = Site.from_dict({"name": "s", "start_urls": ["http://www.x.gov.cn/zwgk/nb/index.html"],
                           "url_prefixes": ["http://www.x.gov.cn/zwgk/"]})  # fmt: skip
    assert refusal(site, "http://www.x.gov.cn/zwgk/nb/t1.html") is None
    assert refusal(site, "https://www.x.gov.cn/zwgk/nb/t1.html") is None  # https on 443: the same origin
    assert "scope" in refusal(site, "http://www.x.gov.cn:8080/zwgk/nb/t1.html")  # another port
    assert "scope" in refusal(site, "http://www.x.gov.cn/other/t1.html")  # outside the prefix
    assert refusal(site, "http://www.x.gov.cn/fjdzapp/search", api=True) is None  # an adapter's API call: the origin
    assert "scheme" in refusal(site, "ftp://www.x.gov.cn/zwgk/a.pdf")
    metadata = Site.from_dict({"name": "m", "start_urls": ["http://www.x.gov.cn/"], "allowed_domains": ["169.254.169.254", "www.x.gov.cn"],
                               "url_prefixes": ["http://www.x.gov.cn/", "http://169.254.169.254/"]})  # fmt: skip
    assert "internal address" in refusal(metadata, "http://169.254.169.254/latest/meta-data/")
    # a site on loopback (the demo portal) may fetch loopback; a public one may not
    local = Site.from_dict({"name": "l", "start_urls": ["http://127.0.0.1:8765/a/"]})
    assert refusal(local, "http://127.0.0.1:8765/a/x.html") is None
    public = Site.from_dict({"name": "p", "start_urls": ["http://www.x.gov.cn/"],
                             "allowed_domains": ["127.0.0.1", "www.x.gov.cn"], "url_prefixes": ["http://127.0.0.1/"]})  # fmt: skip
    assert "internal address" in refusal(public, "http://127.0.0.1/x.html")


def test_archive_verifies_objects_and_cleans_partial_writes(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    body = b"<html>2022\xe5\xb9\xb4</html>"
    sha, new = archive.put_new(body)
    assert new and archive.get(sha) == body
    path = archive.path(sha)
    path.chmod(0o644)
    path.write_bytes(body[:-1] + b"!")  # a bit flipped on disk
    assert archive.put_new(body) == (sha, True)  # the next crawl of the same bytes rewrites it
    assert archive.get(sha) == body
    path.write_bytes(b"garbage")
    with pytest.raises(CorruptObject, match="corrupt"):
        archive.get(sha)
    assert not archive.has(sha)  # moved aside: the next crawl fetches it again
    assert [p.name.split(".")[0] for p in (tmp_path / "corrupt").iterdir()] == [sha]
    (tmp_path / "tmp").mkdir(exist_ok=True)
    (tmp_path / "tmp" / "abc.partial").write_bytes(b"half")
    archive.open_run("20260101T000000000000Z", ["s"], datetime(2026, 1, 1, tzinfo=UTC))
    assert list((tmp_path / "tmp").iterdir()) == []  # a killed writer's leftover is removed when a crawl starts


def test_an_interrupted_run_is_resumed_from_what_it_archived(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    done = archive.open_run("20260101T000000000000Z", ["s"], datetime(2026, 1, 1, tzinfo=UTC))
    done.finish(datetime(2026, 1, 1, 0, 1, tzinfo=UTC), "finished")
    killed = archive.open_run("20260102T000000000000Z", ["s", "t"], datetime(2026, 1, 2, tzinfo=UTC))
    archived = []
    for n, kind in enumerate(["report", "attachment", "list"]):
        sha = archive.put(f"body {n}".encode())
        url = f"http://x/{kind}{n}"
        killed.seen(url, "s", kind, 200, sha)
        archive.record({"url": url, "sha256": sha, "site": "s", "kind": kind, "status": 200})
        archived.append(url)
    orphan = archive.put(b"logged but never recorded in the manifest")  # killed between the two writes
    killed.seen("http://x/orphan", "s", "report", 200, orphan)
    killed.seen("http://x/failed", "s", "report", None, None, "timeout")
    resumable = archive.resumable(["s"])
    assert sorted(resumable) == ["http://x/attachment1", "http://x/report0"]  # lists are always read again
    assert resumable["http://x/report0"]["run_id"] == "20260102T000000000000Z"
    assert archive.resumable(["t"]) == {}
    again = archive.open_run("20260103T000000000000Z", ["s"], datetime(2026, 1, 3, tzinfo=UTC))
    again.finish(datetime(2026, 1, 3, 0, 1, tzinfo=UTC), "finished")
    assert archive.resumable(["s"]) == {}  # a complete run after it: nothing left to resume


def test_the_crawl_dies_with_its_parent(tmp_path: Path) -> None:
    """`crawler.run` starts the crawl so that a killed parent (ogi, a Dagster run) kills it too."""
    code = textwrap.dedent(f"""
        import subprocess, sys, time
        sys.path.insert(0, {str(REPO)!r})
        from crawler.run import _die_with_parent
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                 preexec_fn=_die_with_parent, start_new_session=True)
        print(child.pid, flush=True)
        time.sleep(120)
    """)
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())  # type: ignore[union-attr]
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the crawl outlived its killed parent")


def _report(url: str, sha: str, fetched: str, n: int, *, ok: bool = True, truncated: bool = False):
    values = [Value(f"m{i}", None, "year", i, "件", False, Source("table", "二", f"r{i}", "c", str(i))) for i in range(n)]
    issues = []
    if truncated:
        from etl.model import Issue

        issues.append(Issue("document.truncated", "error", "cut"))
    result = ParseResult(input=url, ok=ok, error=None if ok else "scanned PDF, no text layer",
                         report=ReportMeta(title="t", agency="某局", report_year=2022, format="2021") if ok else None,
                         values=values if ok else [], issues=issues)  # fmt: skip
    return PageInfo(url, sha * 64, "s", "2022年报告", None, fetched), result


def test_degraded_versions_never_become_current() -> None:
    docs = [
        _report("http://x/a", "1", "2026-01-01T00:00:00Z", 200),  # the report
        _report("http://x/a", "2", "2026-02-01T00:00:00Z", 40),  # a cut-off copy: far fewer figures
        _report("http://x/a", "3", "2026-03-01T00:00:00Z", 0, ok=False),  # an unreadable body
        _report("http://x/b", "4", "2026-01-01T00:00:00Z", 200),
        _report("http://x/b", "5", "2026-02-01T00:00:00Z", 198),  # a restatement: as many figures, becomes current
        _report("http://x/c", "6", "2026-01-01T00:00:00Z", 200),
        _report("http://x/c", "7", "2026-02-01T00:00:00Z", 200, truncated=True),  # cut at a work limit
    ]
    dim = frames.report_frames(docs).dim_report.sort("url", "version")
    rows = dim.select("url", "version", "is_current", "version_flag").rows()
    assert [(u[-1], v, c) for u, v, c, _ in rows] == [
        ("a", 1, True), ("a", 2, False), ("a", 3, False), ("b", 1, False), ("b", 2, True), ("c", 1, True), ("c", 2, False)]
    flags = dict(((u[-1], v), f) for u, v, _, f in rows)
    assert flags["a", 2] == "reads far less than version 1 (40 figures against 200); version 1 stays current"
    assert flags["a", 3] == "unreadable; version 1 stays current"
    assert flags["c", 2].startswith("document cut at a work limit") and flags["b", 2] is None
    assert dim.filter(pl.col("is_current")).height == 3  # one current version per URL
