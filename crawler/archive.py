"""Content-addressed archive of raw response bodies plus a JSON Lines manifest.

Layout under `root`:
- `objects/<sha[:2]>/<sha>`: each distinct body, byte-for-byte as received (never decoded or re-encoded);
- `tmp/`: partial writes; an object only gets its final name by an atomic rename once it is complete;
- `manifest.jsonl`: one row per distinct (url, sha256), appended in fetch order; `kind` is `list`, `report` or
  `attachment` (a file linked from a report article, `parent_url`); list rows name the CMS `family` that read them;
- `runs/<run_id>.jsonl`: the log of one crawl run (`RunLog`): a header line `{"run_id", "sites", "started_at"}`,
  one line per URL the run requested or refused `{"url", "site", "kind", "outcome", "status", "sha256", "reason",
  "parent_url"}` (also 404s, failed and refused requests, which have no body: sha256 null and a `reason`), and a
  last line `{"finished_at", "finish_reason"}` once it ends.
  The manifest keeps distinct versions; the run logs keep what each crawl saw, so a report that vanished
  from its site shows as a URL the latest run did not see.

A process killed mid-write leaves at most a file under `tmp/` (removed when the next crawl opens its run) and a
truncated last manifest line; readers skip that line and the next `record()` starts a fresh line. Objects are
verified: a body is re-read and hashed before it gets its name, an existing object is compared with the body that
would replace it (a corrupt one is rewritten), and `get` checks the hash of what it reads (a corrupt object is moved
to `corrupt/`, so the next crawl fetches the page again, and `CorruptObject` says so).
Several crawler processes may write one archive at once (a shared crawl, crawler.distributed): objects get their
names by atomic renames, every JSON line is appended under an exclusive `flock` of its file (one whole line per
write), and the processes of one crawl share its run log (`open_run(..., join=True)`); `tmp/` is only cleaned by
a crawl that no other process shares.
No Scrapy import here: the ETL reads archives with this module.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.model import outcome_of

logger = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
RUNS = "runs"
RUN_ID_SETTING = "OGI_RUN_ID"  # Scrapy setting naming the run log of a crawl (crawler.run sets it)
ARCHIVE_SETTING = "OGI_ARCHIVE_DIR"  # Scrapy setting naming the archive directory (the spider argument `archive`)
FIELDS = (
    "url", "final_url", "status", "headers", "fetched_at", "sha256", "size",
    "site", "kind", "title", "list_url", "list_date", "parent_url", "family",
)  # fmt: skip


def decode_header(value: bytes | str) -> str:
    """Header bytes -> str: UTF-8 when valid, else latin-1 (which never fails and keeps every byte)."""
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def new_run_id(started_at: datetime) -> str:
    """A crawl run's id: its UTC start time to the microsecond, e.g. `20261122T054512123456Z` (sorts by time)."""
    return started_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _jsonl_rows(path: Path) -> Iterator[dict[str, Any]]:
    """JSON objects of a JSON Lines file, skipping a line left incomplete by a killed writer."""
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                yield json.loads(raw)
            except ValueError:
                logger.warning("%s:%d: skipping unreadable line", path, n)


def _append_line(path: Path, row: Mapping[str, Any]) -> None:
    """Append one JSON line, first ending a line truncated by a killed writer; under an exclusive lock of the file,
    so that processes appending to one file never interleave or mistake each other's lines for truncated ones."""
    line = json.dumps(dict(row), ensure_ascii=False, separators=(",", ":")) + "\n"
    with path.open("ab") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # released when the file is closed
        if f.seek(0, os.SEEK_END) > 0:
            with path.open("rb") as r:
                r.seek(-1, os.SEEK_END)
                if r.read(1) != b"\n":
                    f.write(b"\n")
        f.write(line.encode("utf-8"))
        f.flush()


class RunLog:
    """The log of one crawl run, `runs/<run_id>.jsonl` (layout in the module docstring). One writer: the crawl."""

    def __init__(self, path: Path, run_id: str) -> None:
        self.path = path
        self.run_id = run_id

    def seen(
        self, url: str, site: str, kind: str | None, status: int | None, sha256: str | None,
        reason: str | None = None, parent_url: str | None = None, outcome: str | None = None,
    ) -> None:
        """Record a URL this run requested or refused: its outcome (`ok`, `gone`, `error`, `blocked`,
        `out_of_scope`, `too_large`), response status and stored body, and the reason when it is not ok; an
        attachment names its report article."""
        outcome = outcome or outcome_of(status, sha256)
        _append_line(self.path, {"url": url, "site": site, "kind": kind, "outcome": outcome, "status": status,
                                 "sha256": sha256, "reason": reason, "parent_url": parent_url})  # fmt: skip

    def finish(self, finished_at: datetime, reason: str | None) -> None:
        """Record the end of the run (a run killed before this line has no finish time)."""
        _append_line(self.path, {"finished_at": finished_at.astimezone(UTC).isoformat(), "finish_reason": reason})


class CorruptObject(OSError):
    """An archived object whose bytes no longer hash to its name (moved aside to `corrupt/`)."""


class Archive:
    """Content-addressed store of response bodies with a deduplicating manifest."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.manifest_path = self.root / MANIFEST
        self._tmp = self.root / "tmp"
        self._seen: set[tuple[str, str | None]] | None = None

    def path(self, sha: str) -> Path:
        """Where the object `sha` lives (whether or not it exists)."""
        if len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
            raise ValueError(f"not a sha256 hex digest: {sha!r}")
        return self.objects / sha[:2] / sha

    def has(self, sha: str) -> bool:
        """Whether the object is stored."""
        return self.path(sha).is_file()

    def put(self, body: bytes) -> str:
        """Store `body` unless present; returns its sha256 hex digest."""
        sha, _ = self.put_new(body)
        return sha

    def put_new(self, body: bytes) -> tuple[str, bool]:
        """Store `body` unless present and intact; returns (sha256, whether it was written now). An existing object
        whose bytes differ from `body` (corrupted on disk) is rewritten."""
        sha = hashlib.sha256(body).hexdigest()
        final = self.path(sha)
        if final.is_file():
            if final.stat().st_size == len(body) and final.read_bytes() == body:
                return sha, False
            logger.warning("archive object %s was corrupt: rewritten", sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix=sha[:16] + ".")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            if hashlib.sha256(Path(tmp_name).read_bytes()).hexdigest() != sha:  # what reached the disk
                raise OSError(f"archive write of {sha} did not read back intact")
            os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; objects are shared read-only data
            os.replace(tmp_name, final)  # atomic on one filesystem: readers see all or nothing
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return sha, True

    def get(self, sha: str) -> bytes:
        """The stored bytes of `sha`, verified (FileNotFoundError if absent; CorruptObject, after moving the object
        to `corrupt/`, if its bytes no longer hash to `sha`: the next crawl stores the page again)."""
        path = self.path(sha)
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            aside = self.root / "corrupt" / f"{sha}.{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, aside)
            logger.error("archive object %s is corrupt: moved to %s", sha, aside)
            raise CorruptObject(f"archived body {sha} is corrupt (moved to {aside}); the next crawl fetches it again")
        return data

    def clean_tmp(self) -> int:
        """Remove partial writes left by a killed writer (call when no writer runs: at the start of a crawl)."""
        removed = 0
        if self._tmp.is_dir():
            for leftover in self._tmp.iterdir():
                if leftover.is_file():
                    leftover.unlink(missing_ok=True)
                    removed += 1
        return removed

    def resumable(self, sites: Sequence[str]) -> dict[str, dict[str, Any]]:
        """What runs that did not finish archived for `sites` since each site's last complete run: report and
        attachment URLs -> their run-log line (with `run_id`), when the body is archived and in the manifest. A new
        crawl takes these as done instead of fetching them again (a killed crawl resumes)."""
        wanted = set(sites)
        last_complete: dict[str, str] = {}
        runs = self.runs()
        for run in runs:
            if run["finish_reason"] == "finished":
                for site in run["sites"]:
                    last_complete[site] = run["run_id"]
        known = self._seen_keys()
        done: dict[str, dict[str, Any]] = {}
        for run in runs:
            if run["finish_reason"] == "finished":
                continue
            for line in run["seen"]:
                site, sha = line.get("site"), line.get("sha256")
                if site not in wanted or run["run_id"] <= last_complete.get(site, "") or not sha:
                    continue
                if line.get("kind") in ("report", "attachment") and (line["url"], sha) in known and self.has(sha):
                    done[line["url"]] = {**line, "run_id": run["run_id"]}
        return done

    def record(self, row: Mapping[str, Any]) -> bool:
        """Append `row` to the manifest unless its (url, sha256) is already there; returns whether it was new."""
        key = (str(row["url"]), row.get("sha256"))
        seen = self._seen_keys()
        if key in seen:
            return False
        self.root.mkdir(parents=True, exist_ok=True)
        _append_line(self.manifest_path, row)
        seen.add(key)
        return True

    def manifest(self) -> list[dict[str, Any]]:
        """All manifest rows in append order."""
        return list(self.iter_manifest())

    def iter_manifest(self) -> Iterator[dict[str, Any]]:
        """Manifest rows in append order, skipping a line left incomplete by a killed writer."""
        if self.manifest_path.exists():
            yield from _jsonl_rows(self.manifest_path)

    def open_run(self, run_id: str, sites: Sequence[str], started_at: datetime, *, join: bool = False) -> RunLog:
        """Start the log of a new crawl run of `sites` (FileExistsError if `run_id` was used before); partial writes
        a killed crawl left under `tmp/` are removed first. `join`: a process joining a shared crawl's run
        (crawler.distributed): the log is created if no other process has yet, and `tmp/` is left alone."""
        if not join:
            self.clean_tmp()
        folder = self.root / RUNS
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{run_id}.jsonl"
        header = {"run_id": run_id, "sites": sorted(sites), "started_at": started_at.astimezone(UTC).isoformat()}
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{run_id}.")
        try:  # the header and the name appear together: os.link fails if the name exists
            with os.fdopen(fd, "wb") as f:
                f.write((json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
            os.chmod(tmp_name, 0o644)
            try:
                os.link(tmp_name, path)
            except FileExistsError:
                if not join:
                    raise
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        return RunLog(path, run_id)

    def run_log(self, run_id: str) -> RunLog:
        """The log of an existing run (FileNotFoundError if there is none)."""
        path = self.root / RUNS / f"{run_id}.jsonl"
        if not path.is_file():
            raise FileNotFoundError(f"no run log {path}")
        return RunLog(path, run_id)

    def run_ids(self) -> list[str]:
        """Ids of the crawl runs logged so far, oldest first."""
        folder = self.root / RUNS
        return sorted(p.stem for p in folder.glob("*.jsonl")) if folder.is_dir() else []

    def runs(self) -> list[dict[str, Any]]:
        """Every crawl run, oldest first: `{run_id, sites, started_at, finished_at, finish_reason, seen: [...]}`.

        `seen` holds the URL lines in log order; `finished_at` is None for a run that never finished.
        """
        folder = self.root / RUNS
        if not folder.is_dir():
            return []
        out = []
        for path in sorted(folder.glob("*.jsonl")):
            lines = list(_jsonl_rows(path))
            if not lines or "run_id" not in lines[0]:
                logger.warning("%s: no run header, skipped", path)
                continue
            end = next((x for x in lines if "finished_at" in x), {})
            out.append(
                lines[0]
                | {"finished_at": end.get("finished_at"), "finish_reason": end.get("finish_reason")}
                | {"seen": [x for x in lines[1:] if "url" in x]}
            )
        return out

    def _seen_keys(self) -> set[tuple[str, str | None]]:
        if self._seen is None:
            self._seen = {(str(r["url"]), r.get("sha256")) for r in self.iter_manifest() if "url" in r}
        return self._seen
