"""The content-addressed archive: bytes kept exactly, one object per body, one manifest row per (url, sha256),
no partial object under its final name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from crawler.archive import Archive, decode_header


def _row(url: str, sha: str, **extra: object) -> dict[str, object]:
    return {"url": url, "final_url": url, "status": 200, "headers": {}, "fetched_at": "2026-01-01T00:00:00+00:00",
            "sha256": sha, "size": 0, "site": "s", "kind": "report", "title": None, "list_url": None,
            "list_date": None, **extra}  # fmt: skip


def _objects(root: Path) -> list[Path]:
    return sorted(p for p in (root / "objects").rglob("*") if p.is_file())


def test_put_get_round_trip(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    body = b"<html>\x00\xff binary \r\n</html>"
    sha = archive.put(body)
    assert sha == hashlib.sha256(body).hexdigest()
    assert archive.path(sha) == tmp_path / "objects" / sha[:2] / sha
    assert archive.get(sha) == body
    assert archive.has(sha)
    assert archive.put(body) == sha  # idempotent
    assert archive.put_new(body) == (sha, False)
    assert _objects(tmp_path) == [archive.path(sha)]


def test_empty_body_is_an_object(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    sha = archive.put(b"")
    assert archive.get(sha) == b""


def test_gbk_bytes_preserved(tmp_path: Path) -> None:
    body = '<meta charset="utf-8"><p>镕喆堃犇 2022年政府信息公开工作年度报告</p>'.encode("gbk")
    archive = Archive(tmp_path)
    sha = archive.put(body)
    assert archive.get(sha) == body
    assert archive.path(sha).read_bytes() == body


def test_same_url_and_content_recorded_once(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    sha = archive.put(b"report")
    assert archive.record(_row("http://x/a.html", sha)) is True
    assert archive.record(_row("http://x/a.html", sha, fetched_at="2026-02-02T00:00:00+00:00")) is False
    # a fresh Archive on the same root knows the rows already written
    assert Archive(tmp_path).record(_row("http://x/a.html", sha)) is False
    assert [r["fetched_at"] for r in archive.manifest()] == ["2026-01-01T00:00:00+00:00"]


def test_changed_body_same_url_is_a_new_row(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    old, new = archive.put(b"v1"), archive.put(b"v2")
    assert archive.record(_row("http://x/a.html", old))
    assert archive.record(_row("http://x/a.html", new))
    # same content at another URL: a new row, but no new object
    assert archive.record(_row("http://x/b.html", new))
    assert [(r["url"], r["sha256"]) for r in archive.manifest()] == [
        ("http://x/a.html", old), ("http://x/a.html", new), ("http://x/b.html", new),
    ]  # fmt: skip
    assert len(_objects(tmp_path)) == 2


def test_manifest_keeps_unicode_and_fields(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    sha = archive.put(b"x")
    archive.record(_row("http://x/年报.html", sha, title="测试局2022年政府信息公开工作年度报告"))
    line = (tmp_path / "manifest.jsonl").read_text("utf-8")
    assert "测试局2022年" in line and line.endswith("\n")
    assert json.loads(line)["title"] == "测试局2022年政府信息公开工作年度报告"


def test_atomic_write_leaves_no_tmp(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    for i in range(20):
        archive.put(f"body {i}".encode())
    assert len(_objects(tmp_path)) == 20
    assert list((tmp_path / "tmp").iterdir()) == []
    for obj in _objects(tmp_path):  # every object is complete and named by its content
        assert hashlib.sha256(obj.read_bytes()).hexdigest() == obj.name


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that dies before the rename (as a killed process would) leaves no object under its final name."""
    archive = Archive(tmp_path)

    def boom(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("crawler.archive.os.replace", boom)
    with pytest.raises(KeyboardInterrupt):
        archive.put(b"interrupted")
    monkeypatch.undo()
    assert _objects(tmp_path) == []
    assert list((tmp_path / "tmp").iterdir()) == []
    sha = archive.put(b"interrupted")  # a later put completes normally
    assert archive.get(sha) == b"interrupted"


def test_truncated_manifest_line_is_skipped(tmp_path: Path) -> None:
    """A writer killed mid-line leaves a partial last line: readers skip it and the next row starts a new line."""
    archive = Archive(tmp_path)
    sha = archive.put(b"a")
    archive.record(_row("http://x/a.html", sha))
    with (tmp_path / "manifest.jsonl").open("ab") as f:
        f.write(b'{"url": "http://x/b.ht')
    fresh = Archive(tmp_path)
    assert [r["url"] for r in fresh.manifest()] == ["http://x/a.html"]
    assert fresh.record(_row("http://x/c.html", sha))
    assert [r["url"] for r in Archive(tmp_path).manifest()] == ["http://x/a.html", "http://x/c.html"]


def test_bad_sha_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sha256"):
        Archive(tmp_path).get("../../etc/passwd")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(b"text/html", "text/html"), ("年报".encode(), "年报"), (b"caf\xe9", "café"), ("str", "str")],
)
def test_decode_header(raw: bytes | str, expected: str) -> None:
    assert decode_header(raw) == expected
