"""What keeps the archive's cost per page and per read bounded (crawler/archive.py: Durability, reading the history):
no fsync and no read-back per object, the manifest and a run log opened once per writer and written one whole line
at a time (also by several processes at once), one sync per run before its finish line; run summaries read two
lines per log, `resumable` only the logs of interrupted runs; the crawl's counts without a feed of every item."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

import crawler.archive
from crawler.archive import Archive
from crawler.run import _stats

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _row(url: str, sha: str) -> dict[str, object]:
    return {"url": url, "sha256": sha, "site": "s", "kind": "report", "status": 200}


def _rid(day: int) -> str:
    return f"202601{day:02d}T000000000000Z"


def test_pages_are_stored_without_a_sync_or_a_read_back_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"fsync": 0, "syncfs": 0, "open_manifest": 0, "open_log": 0}
    real_fsync, real_open = os.fsync, os.open

    def fsync(fd: int) -> None:
        calls["fsync"] += 1
        real_fsync(fd)

    def opened(path: str | os.PathLike[str], flags: int, mode: int = 0o777, **kw: object) -> int:
        name = os.fspath(path)
        calls["open_manifest"] += name.endswith("manifest.jsonl")
        calls["open_log"] += name.endswith(f"{_rid(1)}.jsonl")
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(crawler.archive.os, "fsync", fsync)
    monkeypatch.setattr(crawler.archive.os, "open", opened)
    monkeypatch.setattr(crawler.archive, "_SYNCFS", lambda fd: calls.__setitem__("syncfs", calls["syncfs"] + 1) or 0)
    archive = Archive(tmp_path)
    run = archive.open_run(_rid(1), ["s"], T0)
    for i in range(200):
        body = f"<html>{i}</html>".encode()
        sha, new = archive.put_new(body)
        assert new and sha == hashlib.sha256(body).hexdigest()
        run.seen(f"http://x/{i}", "s", "report", 200, sha)
        assert archive.record(_row(f"http://x/{i}", sha))
    assert calls == {"fsync": 0, "syncfs": 0, "open_manifest": 1, "open_log": 1}
    run.finish(T0, "finished")  # one sync of the archive's filesystem, then the finish line, itself fsynced
    assert calls["syncfs"] == 1 and calls["fsync"] == 1
    assert archive.run_summary(_rid(1))["finish_reason"] == "finished"
    assert len(archive.manifest()) == 200 and len(list(archive.iter_run(_rid(1)))) == 200
    for obj in (tmp_path / "objects").rglob("*"):
        if obj.is_file():
            assert hashlib.sha256(obj.read_bytes()).hexdigest() == obj.name
            assert obj.stat().st_mode & 0o777 == 0o644
    assert not list((tmp_path / "tmp").iterdir())
    # a run that archived no body (nothing new) syncs only its own log
    quiet = archive.open_run(_rid(2), ["s"], T0)
    quiet.seen("http://x/0", "s", "report", 200, archive.manifest()[0]["sha256"], "not modified (HTTP 304)")
    quiet.finish(T0, "finished", archived=False)
    assert calls["syncfs"] == 1 and calls["fsync"] == 2
    assert archive.run_summary(_rid(2))["finish_reason"] == "finished" and len(list(archive.iter_run(_rid(2)))) == 1


def test_a_line_cut_by_another_writer_is_ended_before_the_next(tmp_path: Path) -> None:
    """The handle stays open, but a killed writer's cut line (another process, after this handle's first write) is
    still ended before this handle's next line; a removed manifest is created again."""
    archive = Archive(tmp_path)
    archive.record(_row("http://x/a", "a" * 64))
    with (tmp_path / "manifest.jsonl").open("ab") as f:
        f.write(b'{"url": "http://x/cut')
    archive.record(_row("http://x/b", "b" * 64))
    archive.record(_row("http://x/c", "c" * 64))
    assert [r["url"] for r in Archive(tmp_path).manifest()] == ["http://x/a", "http://x/b", "http://x/c"]
    (tmp_path / "manifest.jsonl").unlink()
    archive.record(_row("http://x/d", "d" * 64))
    assert [r["url"] for r in Archive(tmp_path).manifest()] == ["http://x/d"]


def _writer(root: str, run_id: str, n: int, k: int) -> None:
    archive = Archive(root)
    run = archive.run_log(run_id)
    for i in range(n):
        url = f"http://x/{k}/{i}/" + "y" * (i % 50) * 40  # lines of many lengths, some past a page
        run.seen(url, "s", "report", 200, None, "z" * (i % 7) * 300)
        archive.record(_row(url, f"{k:02d}{i:062d}"))


def test_processes_sharing_the_files_write_whole_lines(tmp_path: Path) -> None:
    Archive(tmp_path).open_run(_rid(1), ["s"], T0)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), _rid(1), 300, k)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    for path in (tmp_path / "manifest.jsonl", tmp_path / "runs" / f"{_rid(1)}.jsonl"):
        lines = path.read_bytes().split(b"\n")
        assert lines[-1] == b""
        rows = [json.loads(line) for line in lines[:-1]]  # every line whole
        assert len({r["url"] for r in rows if "url" in r}) == 1200
    assert len(Archive(tmp_path).manifest()) == 1200


def _runs(archive: Archive, n_lines: int) -> None:
    """Day 1: finished; day 2: killed (no finish line, a cut last line); day 3: finished, another site; day 4: big
    and finished."""
    for day, sites, finished in ((1, ["s"], True), (2, ["s"], False), (3, ["t"], True), (4, ["s", "t"], True)):
        run = archive.open_run(_rid(day), sites, T0.replace(day=day))
        for i in range(n_lines if day == 4 else 3):
            body = f"{day} {i}".encode()
            sha = archive.put(body)
            run.seen(f"http://x/{i}", sites[0], "report", 200, sha)
            archive.record(_row(f"http://x/{i}", sha) | {"site": sites[0]})
        if finished:
            run.finish(T0.replace(day=day, hour=1), "finished")
        else:
            run.close()
            with run.path.open("ab") as f:
                f.write(b'{"url": "http://x/cu')


def test_run_summaries_read_two_lines_per_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Archive(tmp_path)
    _runs(archive, 20_000)
    assert (tmp_path / "runs" / f"{_rid(4)}.jsonl").stat().st_size > 2_000_000
    expected = [
        {"run_id": _rid(1), "sites": ["s"], "started_at": "2026-01-01T00:00:00+00:00",
         "finished_at": "2026-01-01T01:00:00+00:00", "finish_reason": "finished"},
        {"run_id": _rid(2), "sites": ["s"], "started_at": "2026-01-02T00:00:00+00:00",
         "finished_at": None, "finish_reason": None},
        {"run_id": _rid(3), "sites": ["t"], "started_at": "2026-01-03T00:00:00+00:00",
         "finished_at": "2026-01-03T01:00:00+00:00", "finish_reason": "finished"},
        {"run_id": _rid(4), "sites": ["s", "t"], "started_at": "2026-01-04T00:00:00+00:00",
         "finished_at": "2026-01-04T01:00:00+00:00", "finish_reason": "finished"},
    ]  # fmt: skip
    assert [{k: v for k, v in r.items() if k != "seen"} for r in archive.runs()] == expected  # the old way agrees

    read: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, mode: str = "r", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        f = real_open(self, mode, *args, **kwargs)
        if self.parent.name == "runs":
            real_read, real_readline = f.read, f.readline
            f.read = lambda *a: _count(real_read(*a))  # type: ignore[method-assign]
            f.readline = lambda *a: _count(real_readline(*a))  # type: ignore[method-assign]
        return f

    def _count(data: bytes) -> bytes:
        read.append(len(data))
        return data

    monkeypatch.setattr(Path, "open", counting_open)
    assert archive.run_summaries() == expected
    assert sum(read) < 4 * 70_000  # a header and at most the 64 KiB tail per log, not the 2 MB log
    assert [line["url"] for line in archive.iter_run(_rid(2))] == ["http://x/0", "http://x/1", "http://x/2"]
    streamed = archive.iter_runs()
    first = next(streamed)
    assert first["run_id"] == _rid(1) and [s["url"] for s in first["seen"]] == ["http://x/0", "http://x/1", "http://x/2"]


def test_resumable_reads_only_interrupted_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Archive(tmp_path)
    _runs(archive, 5)
    read: list[str] = []
    real = Archive.iter_run

    def iter_run(self: Archive, run_id: str):  # type: ignore[no-untyped-def]
        read.append(run_id)
        return real(self, run_id)

    monkeypatch.setattr(Archive, "iter_run", iter_run)
    assert archive.resumable(["s"]) == {}  # day 2 was interrupted, but day 4 completed s after it
    assert read == []
    (tmp_path / "runs" / f"{_rid(4)}.jsonl").unlink()
    done = archive.resumable(["s"])
    assert read == [_rid(2)]  # neither finished run's log
    assert sorted(done) == ["http://x/0", "http://x/1", "http://x/2"] and done["http://x/0"]["run_id"] == _rid(2)
    # an object the interrupted run wrote but a crash cut (it was never synced) is fetched again, not resumed
    cut = archive.path(done["http://x/1"]["sha256"])
    cut.write_bytes(cut.read_bytes()[:-1])
    assert sorted(Archive(tmp_path).resumable(["s"])) == ["http://x/0", "http://x/2"]
    assert not cut.exists() and (tmp_path / "corrupt").is_dir()


def test_crawl_stats_from_counts_and_issues() -> None:
    counts = {"items": 9, "report": 4, "gone": 1, "list": 2, "attachment": 1, "new_objects": 5, "new_rows": 6}
    issues = ({"outcome": "error", "url": "u1"}, {"outcome": "blocked", "url": "u2"}, {"outcome": "error", "url": "u3"})
    log = "'finish_reason': 'finished',\n'log_count/ERROR': 2,\n'spider_exceptions/KeyError': 1,"
    stats = _stats("r", counts, issues, log, 1.23456)
    assert (stats.items, stats.reports, stats.gone, stats.lists, stats.attachments) == (9, 4, 1, 2, 1)
    assert (stats.errors, stats.blocked, stats.out_of_scope, stats.too_large) == (2, 1, 0, 0)
    assert (stats.new_objects, stats.new_rows, stats.log_errors, stats.spider_exceptions) == (5, 6, 2, 1)
    assert stats.finish_reason == "finished" and stats.seconds == 1.235 and stats.issues == issues
    assert _stats("r", {}, (), "", 0).items == 0  # no counts file (a crawl that never got going)
