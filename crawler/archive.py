"""Content-addressed archive of raw response bodies plus a JSON Lines manifest.

Layout under `root`:
- `objects/<sha[:2]>/<sha>`: each distinct body, byte-for-byte as received (never decoded or re-encoded);
- `tmp/`: partial writes; an object only gets its final name by an atomic rename once it is complete;
- `cache/`: derived data kept beside the raw (crawler.listcache: the readings of list answers), never read as raw
  and safe to delete;
- `manifest.jsonl`: one row per distinct (url, sha256), appended in fetch order; `kind` is `list`, `report` or
  `attachment` (a file linked from a report article, `parent_url`); list rows name the CMS `family` that read them;
- `runs/<run_id>.jsonl`: the log of one crawl run (`RunLog`): a header line `{"run_id", "sites", "started_at"}`,
  one line per URL the run requested or refused `{"url", "site", "kind", "outcome", "status", "sha256", "reason",
  "parent_url"}` (also 404s, failed and refused requests, which have no body: sha256 null and a `reason`), and a
  last line `{"finished_at", "finish_reason"}` once it ends.
  The manifest keeps distinct versions; the run logs keep what each crawl saw, so a report that vanished
  from its site shows as a URL the latest run did not see.

Reading the history costs what is read: `run_summaries()` reads only the first and the last line of each run log,
`iter_run(run_id)` streams one run's URL lines, and `resumable()` reads only the logs of the runs that did not
finish since each site's last complete run (`runs()`, every log in memory at once, stays for small archives).

A process killed mid-write leaves at most a file under `tmp/` (removed when the next crawl opens its run) and a
truncated last line of the manifest or a run log; readers skip that line and the next line written starts a fresh
one. Objects are verified: a body is hashed before it gets its name (its name is its sha256), an existing object is
compared with the body that would replace it (a corrupt one is rewritten), and every read checks the hash of what
it reads (`get` moves a corrupt object to `corrupt/`, so the next crawl fetches the page again, and `CorruptObject`
says so; `resumable` does not take a corrupt or missing object as done).

Durability: objects and lines are not synced one by one (an fsync per object cost more than the rest of the
pipeline together and stalled the crawl's event loop). A killed process loses nothing the kernel has (written
data survives the process); a machine crash or power loss may lose or cut what the last seconds wrote: an object
then fails its hash on the next read (moved aside, fetched again by the next crawl), a lost manifest row is
recorded again when its page is next fetched, a cut line is skipped. The run's finish line is what says a run is
complete, so `RunLog.finish` first syncs the archive's filesystem (`Archive.sync`: syncfs, else os.sync; not
when the run archived no body) and then the log itself: a run with a finish line has every object, row and line
it wrote on disk, and a run without one is taken as interrupted (`resumable` verifies what it archived before a
new crawl takes it as done).

Several crawler processes may write one archive at once (a shared crawl, crawler.distributed): objects get their
names by atomic renames, every JSON line is appended under an exclusive `flock` of its file in one write (one
whole line per write; the manifest and run-log handles stay open for the writer's life, and a line cut by another
writer that was killed is ended before the next one), and the processes of one crawl share its run log
(`open_run(..., join=True)`); `tmp/` is only cleaned by a crawl that no other process shares.
No Scrapy import here: the ETL reads archives with this module.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import logging
import os
import re
import stat
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from etl.model import outcome_of

logger = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
RUNS = "runs"
RUN_ID_SETTING = "OGI_RUN_ID"  # Scrapy setting naming the run log of a crawl (crawler.run sets it)
ARCHIVE_SETTING = "OGI_ARCHIVE_DIR"  # Scrapy setting naming the archive directory (the spider argument `archive`)
COUNTS_SETTING = "OGI_COUNTS_FILE"  # Scrapy setting: where the pipeline writes its counts at the end (crawler.run)
FIELDS = (
    "url", "final_url", "status", "headers", "fetched_at", "sha256", "size",
    "site", "kind", "title", "list_url", "list_date", "parent_url", "family",
)  # fmt: skip
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TAIL = 64 * 1024  # bytes read from the end of a run log to find its finish line (a short line, the last one)


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


def is_sha256(name: str) -> bool:
    """Whether `name` is a sha256 hex digest (lower case), the name of an archived object."""
    return _SHA256.fullmatch(name) is not None


def check_sha256(sha: str) -> str:
    """`sha` if it is a sha256 hex digest, else ValueError."""
    if not is_sha256(sha):
        raise ValueError(f"not a sha256 hex digest: {sha!r}")
    return sha


def _jsonl_rows(f: IO[bytes], name: object) -> Iterator[dict[str, Any]]:
    """JSON objects of a JSON Lines file open for reading (`name` for the log), skipping a line left incomplete by
    a killed writer."""
    for n, raw in enumerate(f, 1):
        if not raw.strip():
            continue
        try:
            yield json.loads(raw)
        except ValueError:
            logger.warning("%s:%d: skipping unreadable line", name, n)


def _json_line(row: Mapping[str, Any]) -> bytes:
    return (json.dumps(dict(row), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _libc_syncfs() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # not Linux
        return None


_SYNCFS = _libc_syncfs()


def sync_filesystems(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Flush everything written to the filesystems holding `paths` to disk: syncfs(2) once per filesystem (Linux),
    else os.sync()."""
    if _SYNCFS is None:
        os.sync()
        return
    done: set[int] = set()
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        try:
            dev = os.fstat(fd).st_dev
            if dev not in done:
                done.add(dev)
                if _SYNCFS(fd) != 0:
                    os.sync()
        finally:
            os.close(fd)


class _Appender:
    """An append handle of one JSON Lines file, opened on the first line and kept open: each line is one write
    under an exclusive flock of the file, so processes appending to one file never interleave or mistake each
    other's lines for cut ones. Before a line, a last line cut by a killed writer is ended (checked when the file
    is first written, and again whenever another writer has written since). The file is reopened if it was
    replaced or removed, and in a forked child (a flock is shared by the descriptors of one open file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = -1
        self._pid = 0
        self._ino: tuple[int, int] | None = None
        self._end = -1  # the file's size after this handle's last write (which ended with a newline)
        self._lock = threading.Lock()
        self._closer: weakref.finalize | None = None

    def _open(self) -> None:
        self.close()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
        st = os.fstat(fd)
        self._fd, self._pid, self._ino, self._end = fd, os.getpid(), (st.st_dev, st.st_ino), -1
        self._closer = weakref.finalize(self, os.close, fd)

    def _current(self) -> bool:
        if self._fd < 0 or self._pid != os.getpid():
            return False
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        return (st.st_dev, st.st_ino) == self._ino

    def write(self, line: bytes) -> None:
        with self._lock:
            if not self._current():
                self._open()
            fd = self._fd
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                size = os.fstat(fd).st_size
                if size and size != self._end and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # the last line was cut by a killed writer: end it
                _write_all(fd, line)
                self._end = size + len(line)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def fsync(self) -> None:
        with self._lock:
            if self._fd >= 0 and self._pid == os.getpid():
                os.fsync(self._fd)

    def close(self) -> None:
        if self._closer is not None:
            self._closer()  # in a forked child: its copy of the descriptor
        self._fd, self._closer = -1, None


def _read_header(f: IO[bytes]) -> dict[str, Any] | None:
    """The header of a run log open for reading at its start (None when it has none)."""
    try:
        header = json.loads(f.readline())
    except ValueError:
        return None
    return header if isinstance(header, dict) and "run_id" in header else None


def _read_finish(f: IO[bytes]) -> dict[str, Any]:
    """The finish line of a run log open for reading: its last line, read from the file's end ({} when the run
    never finished)."""
    size = f.seek(0, os.SEEK_END)
    f.seek(max(0, size - _TAIL))
    tail = f.read()
    lines = tail[: tail.rfind(b"\n")].rsplit(b"\n", 1)  # a cut last line (no newline yet) is no finish line
    try:
        last = json.loads(lines[-1])
    except ValueError:
        return {}
    return last if isinstance(last, dict) and "finished_at" in last else {}


def _seen_line(url: str, site: str, kind: str | None, status: int | None, sha256: str | None,
               reason: str | None = None, parent_url: str | None = None, outcome: str | None = None) -> bytes:  # fmt: skip
    """A run log's line for a URL the run requested or refused (`RunLog.seen`)."""
    return _json_line({"url": url, "site": site, "kind": kind, "outcome": outcome or outcome_of(status, sha256),
                       "status": status, "sha256": sha256, "reason": reason, "parent_url": parent_url})


class RunLog:
    """The log of one crawl run, `runs/<run_id>.jsonl` (layout in the module docstring). One writer per process:
    the crawl (the processes of a shared crawl each have one); its file stays open until `finish` or `close`."""

    def __init__(self, path: Path, run_id: str) -> None:
        self.path = path
        self.run_id = run_id
        self._out = _Appender(path)

    def seen(
        self, url: str, site: str, kind: str | None, status: int | None, sha256: str | None,
        reason: str | None = None, parent_url: str | None = None, outcome: str | None = None,
    ) -> None:
        """Record a URL this run requested or refused: its outcome (`ok`, `gone`, `error`, `blocked`,
        `out_of_scope`, `too_large`), response status and stored body, and the reason when it is not ok; an
        attachment names its report article."""
        self._out.write(_seen_line(url, site, kind, status, sha256, reason, parent_url, outcome))

    def seen_many(self, lines: Iterable[Mapping[str, Any]]) -> None:
        """`seen` for several URLs in one append: each mapping holds `seen`'s arguments by name."""
        data = b"".join(_seen_line(**line) for line in lines)
        if data:
            self._out.write(data)

    def finish(self, finished_at: datetime, reason: str | None, *, archived: bool = True) -> None:
        """Record the end of the run (a run killed before this line has no finish time). What the run wrote
        (objects, manifest rows, log lines: of every process on this machine) is synced to disk first, then the
        finish line itself: a finished run is on disk (module docstring, Durability). `archived=False`: the run
        wrote no object and no manifest row (a crawl that found nothing new), so the log's own fsync is all."""
        if archived:
            root = self.path.parent.parent
            sync_filesystems([root / "objects", root, self.path.parent])
        self._out.write(_json_line({"finished_at": finished_at.astimezone(UTC).isoformat(), "finish_reason": reason}))
        self._out.fsync()
        self.close()

    def close(self) -> None:
        """Close the log's file (a later `seen` opens it again)."""
        self._out.close()


def check_run_id(run_id: str) -> str:
    """`run_id` if it may name a run log (no path, no hidden file), else ValueError."""
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise ValueError(f"not a run id: {run_id!r}")
    return run_id


class ArchiveReading:
    """What reading an archive is, wherever it lies: a local directory (`Archive`) or a store at a URL
    (crawler.store.StoreArchive); the parse step reads either. A subclass gives `manifest_path`, `get`, `has`,
    `run_ids`, `_run_path` and `_open_read` (a binary file for reading; FileNotFoundError when there is none)."""

    manifest_path: Any

    def get(self, sha: str) -> bytes:
        raise NotImplementedError

    def has(self, sha: str) -> bool:
        raise NotImplementedError

    def run_ids(self) -> list[str]:
        raise NotImplementedError

    def _run_path(self, run_id: str) -> Any:
        raise NotImplementedError

    def _open_read(self, path: Any) -> IO[bytes]:
        raise NotImplementedError

    def intact(self, sha: str) -> bool:
        """Whether the object `sha` is stored and hashes to its name (read as `get` reads it)."""
        try:
            self.get(sha)
        except (FileNotFoundError, CorruptObject):
            return False
        return True

    def manifest(self) -> list[dict[str, Any]]:
        """All manifest rows in append order."""
        return list(self.iter_manifest())

    def iter_manifest(self) -> Iterator[dict[str, Any]]:
        """Manifest rows in append order, skipping a line left incomplete by a killed writer (none when there is
        no manifest)."""
        try:
            f = self._open_read(self.manifest_path)
        except FileNotFoundError:
            return
        with f:
            yield from _jsonl_rows(f, self.manifest_path)

    def run_summary(self, run_id: str) -> dict[str, Any]:
        """One run without its URL lines: `{run_id, sites, started_at, finished_at, finish_reason}` from the log's
        first and last lines (`finished_at`/`finish_reason` None for a run that never finished). FileNotFoundError
        if there is no such log, ValueError if it has no header."""
        path = self._run_path(run_id)
        with self._open_read(path) as f:
            header = _read_header(f)
            if header is None:
                raise ValueError(f"{path}: no run header")
            end = _read_finish(f)
        return header | {"finished_at": end.get("finished_at"), "finish_reason": end.get("finish_reason")}

    def run_summaries(self) -> list[dict[str, Any]]:
        """Every crawl run without its URL lines, oldest first: `{run_id, sites, started_at, finished_at,
        finish_reason}` (as `run_summary`). Reads two lines per log, whatever the runs' size."""
        out = []
        for run_id in self.run_ids():
            try:
                out.append(self.run_summary(run_id))
            except ValueError:
                logger.warning("%s: no run header, skipped", self._run_path(run_id))
        return out

    def iter_run(self, run_id: str) -> Iterator[dict[str, Any]]:
        """The URL lines of one run in log order (`{url, site, kind, outcome, status, sha256, reason, parent_url}`),
        streamed from its log (FileNotFoundError if there is none)."""
        path = self._run_path(run_id)
        with self._open_read(path) as f:
            for line in _jsonl_rows(f, path):
                if "url" in line:
                    yield line


class CorruptObject(OSError):
    """An archived object whose bytes no longer hash to its name (moved aside to `corrupt/`)."""


class Archive(ArchiveReading):
    """Content-addressed store of response bodies with a deduplicating manifest.

    A writer keeps the manifest open for appending (`close` closes it; so does garbage collection)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.manifest_path = self.root / MANIFEST
        self._tmp = self.root / "tmp"
        self._seen: set[bytes] | None = None  # _key of every manifest row, read on the first `record`
        self._manifest = _Appender(self.manifest_path)

    def path(self, sha: str) -> Path:
        """Where the object `sha` lives (whether or not it exists)."""
        return self.objects / sha[:2] / check_sha256(sha)

    def has(self, sha: str) -> bool:
        """Whether the object is stored."""
        return self.path(sha).is_file()

    def put(self, body: bytes) -> str:
        """Store `body` unless present; returns its sha256 hex digest."""
        sha, _ = self.put_new(body)
        return sha

    def put_new(self, body: bytes) -> tuple[str, bool]:
        """Store `body` unless present and intact; returns (sha256, whether it was written now). An existing object
        whose bytes differ from `body` (corrupted on disk) is rewritten. Not synced (module docstring)."""
        sha = hashlib.sha256(body).hexdigest()
        final = os.path.join(self.objects, sha[:2], sha)
        try:
            st = os.stat(final)
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISREG(st.st_mode):
                if st.st_size == len(body):
                    with open(final, "rb") as f:
                        if f.read() == body:
                            return sha, False
                logger.warning("archive object %s was corrupt: rewritten", sha)
        tmp_name = self._write_tmp(sha, body)
        try:
            try:
                os.replace(tmp_name, final)  # atomic on one filesystem: readers see all or nothing
            except FileNotFoundError:  # the first object of its folder
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.replace(tmp_name, final)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return sha, True

    def _write_tmp(self, sha: str, body: bytes) -> str:
        """`body` in a new file under `tmp/` (mode 0644: objects are shared read-only data); returns its name."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        while True:
            name = os.path.join(self._tmp, f"{sha[:16]}.{os.urandom(6).hex()}")
            try:
                fd = os.open(name, flags, 0o644)
                break
            except FileNotFoundError:
                self._tmp.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                continue
        try:
            try:
                os.fchmod(fd, 0o644)  # whatever the umask
                _write_all(fd, body)
            finally:
                os.close(fd)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return name

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

    def sync(self) -> None:
        """Flush what was written to the archive's filesystem(s) to disk (module docstring, Durability)."""
        sync_filesystems([self.objects, self.root])

    def close(self) -> None:
        """Close the manifest's append handle (a later `record` opens it again)."""
        self._manifest.close()

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
        attachment URLs -> their run-log line (with `run_id`), when the body is archived intact and in the manifest.
        A new crawl takes these as done instead of fetching them again (a killed crawl resumes).

        Reads the first and last line of every run log, the whole logs of those interrupted runs only, and the
        manifest only when they archived something."""
        wanted = set(sites)
        summaries = self.run_summaries()
        last_complete: dict[str, str] = {}
        for run in summaries:
            if run["finish_reason"] == "finished":
                for site in run["sites"]:
                    last_complete[site] = run["run_id"]
        candidates: list[dict[str, Any]] = []  # in log order: a URL's last line that qualifies wins
        for run in summaries:
            rid = run["run_id"]
            if run["finish_reason"] == "finished" or not any(
                s in wanted and rid > last_complete.get(s, "") for s in run["sites"]
            ):
                continue
            for line in self.iter_run(rid):
                site, sha = line.get("site"), line.get("sha256")
                if site not in wanted or rid <= last_complete.get(site, "") or not sha:
                    continue
                if line.get("kind") in ("report", "attachment"):
                    candidates.append({**line, "run_id": rid})
        if not candidates:
            return {}
        wanted_keys = {_key(str(c["url"]), c["sha256"]) for c in candidates}
        known = self._seen if self._seen is not None else {
            k for k in (_key(str(r["url"]), r.get("sha256")) for r in self.iter_manifest() if "url" in r)
            if k in wanted_keys
        }  # fmt: skip
        checked: dict[str, bool] = {}
        done: dict[str, dict[str, Any]] = {}
        for line in candidates:
            url, sha = line["url"], line["sha256"]
            if _key(str(url), sha) not in known:
                continue
            if sha not in checked:
                checked[sha] = self.intact(sha)  # an interrupted run's object may be cut (a crash before its sync)
            if checked[sha]:
                done[url] = line
        return done

    def record(self, row: Mapping[str, Any]) -> bool:
        """Append `row` to the manifest unless its (url, sha256) is already there; returns whether it was new."""
        key = _key(str(row["url"]), row.get("sha256"))
        seen = self._seen_keys()
        if key in seen:
            return False
        try:
            self._manifest.write(_json_line(row))
        except FileNotFoundError:  # a new archive
            self.root.mkdir(parents=True, exist_ok=True)
            self._manifest.write(_json_line(row))
        seen.add(key)
        return True

    def _open_read(self, path: Path) -> IO[bytes]:
        return path.open("rb")

    def manifest_from(self, offset: int = 0) -> Iterator[tuple[dict[str, Any], int]]:
        """Manifest rows from byte `offset` on (0, or an offset this yielded), each with the offset just past its
        line, so that a reader can go on from there later (the manifest only grows). A last line without its newline
        (a writer at work, or killed) is not yielded; an unreadable complete line is skipped."""
        if not self.manifest_path.exists():
            return
        with self.manifest_path.open("rb") as f:
            f.seek(offset)
            position = offset
            for raw in f:
                if not raw.endswith(b"\n"):
                    return
                position += len(raw)
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw)
                except ValueError:
                    logger.warning("%s: skipping unreadable line ending at byte %d", self.manifest_path, position)
                    continue
                yield row, position

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
                f.write(_json_line(header))
            os.chmod(tmp_name, 0o644)
            try:
                os.link(tmp_name, path)
            except FileExistsError:
                if not join:
                    raise
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        return RunLog(path, run_id)

    def _run_path(self, run_id: str) -> Path:
        return self.root / RUNS / f"{check_run_id(run_id)}.jsonl"

    def run_log(self, run_id: str) -> RunLog:
        """The log of an existing run (FileNotFoundError if there is none)."""
        path = self._run_path(run_id)
        if not path.is_file():
            raise FileNotFoundError(f"no run log {path}")
        return RunLog(path, run_id)

    def run_ids(self) -> list[str]:
        """Ids of the crawl runs logged so far, oldest first."""
        folder = self.root / RUNS
        return sorted(p.stem for p in folder.glob("*.jsonl")) if folder.is_dir() else []

    def iter_runs(self) -> Iterator[dict[str, Any]]:
        """Every crawl run as `runs()` gives it, oldest first, but one at a time and with `seen` an iterator that
        streams the run's URL lines from its log (iterate it before the next run; at most once)."""
        for summary in self.run_summaries():
            yield summary | {"seen": self.iter_run(summary["run_id"])}

    def runs(self) -> list[dict[str, Any]]:
        """Every crawl run, oldest first: `{run_id, sites, started_at, finished_at, finish_reason, seen: [...]}`.

        `seen` holds the URL lines in log order; `finished_at` is None for a run that never finished. Holds every
        log in memory: prefer `run_summaries`, `iter_run` and `iter_runs` on a large archive.
        """
        return [run | {"seen": list(run["seen"])} for run in self.iter_runs()]

    def _seen_keys(self) -> set[bytes]:
        if self._seen is None:
            self._seen = {_key(str(r["url"]), r.get("sha256")) for r in self.iter_manifest() if "url" in r}
        return self._seen


def _key(url: str, sha: str | None) -> bytes:
    """A manifest row's (url, sha256) as 16 bytes (a set of them is a fraction of the size of a set of pairs)."""
    data = f"{url}\n{sha or ''}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()
