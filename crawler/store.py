"""The raw archive on object storage: any fsspec URL (`s3://bucket/archive`, `gs://...`, `file:///srv/archive`,
`memory://...`) holding the layout of `crawler.archive` (`objects/<sha[:2]>/<sha>`, `manifest.jsonl`,
`runs/<run_id>.jsonl`), so that one directory tree works on both.

- `push(archive_dir, url)` mirrors a local archive to the store: the objects it lacks, then the manifest and the run
  logs (module docstring of `push`);
- `StoreArchive(url)` reads a store as the parse step reads a local `Archive` (`get`, `has`, `iter_manifest`,
  `run_summaries`, `iter_run`), read-only: a corrupt object raises `CorruptObject` and stays where it is;
- `open_reader(location)` is the reader of a location: `Archive` for a local path, `StoreArchive` for a URL
  (`is_url`). The parse step (dagster_project.parsing) opens its `ParseJob.archive` with it.

The crawl itself still writes a local archive (atomic renames and `flock`ed appends, which object stores lack);
`push` is how its archive gets to a store. `s3://` needs fsspec's S3 backend (`pip install s3fs`); a `memory://`
store lives in one process only (not seen by a parse step's worker processes).
No Scrapy import here: the ETL reads archives with this module.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from fsspec.core import url_to_fs
from fsspec.implementations.local import LocalFileSystem

from crawler.archive import (
    MANIFEST, RUNS, Archive, ArchiveReading, CorruptObject, check_run_id, check_sha256, is_sha256,
)  # fmt: skip

logger = logging.getLogger(__name__)

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_BLOCK = 1024 * 1024  # bytes per read when copying a manifest or run log
_BATCH_OBJECTS = 64  # objects per `fs.pipe` call to a remote store (async backends such as s3fs send them at once)
_BATCH_BYTES = 32 * 1024 * 1024  # ... or fewer, when they are large


def is_url(location: str) -> bool:
    """Whether `location` is a URL naming an fsspec filesystem (`s3://...`, `file:///...`, `memory://...`), not a
    plain local path."""
    return _URL.match(location) is not None


def open_reader(location: str) -> ArchiveReading:
    """The archive at `location`, to read: `StoreArchive` for a URL (`is_url`), else `Archive` of the local path."""
    return StoreArchive(location) if is_url(location) else Archive(Path(location))


class StoreArchive(ArchiveReading):
    """A read-only archive at an fsspec URL, in the layout of `crawler.archive` (module docstring). Every read
    checks the hash of what it reads; nothing is ever written, moved or removed. The manifest and the run logs
    are read as `Archive` reads them (`ArchiveReading`)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        self.url = url
        self.fs, root = url_to_fs(url, **storage_options)
        self.root = root.rstrip("/")
        self.manifest_path = self._join(MANIFEST)

    def _join(self, *parts: str) -> str:
        return "/".join((self.root, *parts))

    def path(self, sha: str) -> str:
        """Where the object `sha` lives in the store (whether or not it exists)."""
        return self._join("objects", sha[:2], check_sha256(sha))

    def has(self, sha: str) -> bool:
        """Whether the object is stored."""
        return bool(self.fs.isfile(self.path(sha)))

    def get(self, sha: str) -> bytes:
        """The stored bytes of `sha`, verified: FileNotFoundError (an OSError) if absent, CorruptObject if they no
        longer hash to `sha` (the object is left as it is)."""
        data = bytes(self.fs.cat_file(self.path(sha)))
        if hashlib.sha256(data).hexdigest() != sha:
            logger.error("archive object %s in %s is corrupt", sha, self.url)
            raise CorruptObject(
                f"archived body {sha} in {self.url} is corrupt (left as it is: this reader writes nothing); "
                "delete it from the store and push the archive again"
            )
        return data

    def _open_read(self, path: str) -> IO[bytes]:
        return self.fs.open(path, "rb")

    def _run_path(self, run_id: str) -> str:
        return self._join(RUNS, f"{check_run_id(run_id)}.jsonl")

    def run_ids(self) -> list[str]:
        """Ids of the crawl runs logged in the store, oldest first."""
        try:
            names = self.fs.ls(self._join(RUNS), detail=False)
        except FileNotFoundError:
            return []
        stems = (str(n).rstrip("/").rsplit("/", 1)[-1] for n in names)
        return sorted(s[: -len(".jsonl")] for s in stems if s.endswith(".jsonl") and not s.startswith("."))


@dataclass
class PushStats:
    """What `push` did."""

    objects_uploaded: int = 0
    objects_skipped: int = 0  # already in the store (same name, same size)
    objects_corrupt: int = 0  # local objects that no longer hash to their name: not uploaded (the next crawl mends)
    files_copied: int = 0  # manifest and run logs uploaded (whole)
    files_unchanged: int = 0  # manifest and run logs whose size in the store was already theirs
    bytes: int = 0  # bytes uploaded, objects and files


def _complete_size(path: Path) -> int:
    """The size of a JSON Lines file up to the end of its last complete line (a writer may be appending)."""
    with path.open("rb") as f:
        position = f.seek(0, os.SEEK_END)
        while position > 0:
            start = max(0, position - _BLOCK)
            f.seek(start)
            newline = f.read(position - start).rfind(b"\n")
            if newline >= 0:
                return start + newline + 1
            position = start
    return 0


def _copy(source: Path, out: IO[bytes], size: int) -> None:
    """The first `size` bytes of `source` into `out`."""
    with source.open("rb") as f:
        left = size
        while left > 0:
            block = f.read(min(_BLOCK, left))
            if not block:
                raise OSError(f"{source} shrank while it was copied")
            out.write(block)
            left -= len(block)


class _Store:
    """Writing into a store for `push`. On the local filesystem (`file://`) every file is written under `tmp/` of
    the store and renamed into place (atomic: a reader sees all of a file or none, and a killed push leaves at most
    a file under `tmp/`). Elsewhere each file is written directly to its name: an object store makes an object
    visible only once its upload is complete (a PUT, or a multipart upload's completion), and its "move" is a copy
    and a delete, which would double the traffic for nothing; objects go in batches (`fs.pipe`), which async
    backends (s3fs, gcsfs) upload concurrently. A filesystem that is neither (sftp, smb) may keep a cut file after
    a killed push: a cut object has the wrong size, so the next push uploads it again."""

    def __init__(self, url: str) -> None:
        self.fs, root = url_to_fs(url)
        self.root = root.rstrip("/")
        self.local = isinstance(self.fs, LocalFileSystem)
        self._dirs: set[str] = set()
        self._batch: dict[str, bytes] = {}
        self._batch_bytes = 0

    def join(self, *parts: str) -> str:
        return "/".join((self.root, *parts))

    def object_sizes(self) -> dict[str, int]:
        """sha -> size of every object in the store (one listing, not one request per object)."""
        found = self.fs.find(self.join("objects"), detail=True)
        sizes: dict[str, int] = {}
        for name, info in found.items():
            parent, _, sha = str(name).rstrip("/").rpartition("/")
            if is_sha256(sha) and parent.endswith("/" + sha[:2]) and info.get("type", "file") == "file":
                sizes[sha] = int(info["size"])
        return sizes

    def size(self, path: str) -> int | None:
        try:
            return int(self.fs.size(path))
        except FileNotFoundError:
            return None

    def put_object(self, path: str, data: bytes) -> None:
        if self.local:
            self._replace(path, lambda out: out.write(data))
            return
        self._batch[path] = data
        self._batch_bytes += len(data)
        if len(self._batch) >= _BATCH_OBJECTS or self._batch_bytes >= _BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._batch:
            self.fs.pipe(self._batch)
            self._batch, self._batch_bytes = {}, 0

    def put_file(self, path: str, source: Path, size: int) -> None:
        if self.local:
            self._replace(path, lambda out: _copy(source, out, size))
            return
        with self.fs.open(path, "wb") as out:
            _copy(source, out, size)

    def _makedirs(self, directory: str) -> None:
        if directory not in self._dirs:
            os.makedirs(directory, exist_ok=True)
            self._dirs.add(directory)

    def _replace(self, path: str, write: Any) -> None:
        tmp_dir = self.join("tmp")
        self._makedirs(tmp_dir)
        self._makedirs(os.path.dirname(path))
        tmp = os.path.join(tmp_dir, f"{os.path.basename(path)[:16]}.{os.urandom(6).hex()}")
        try:
            with open(tmp, "xb") as out:
                os.fchmod(out.fileno(), 0o644)  # shared read-only data, as the local archive's objects
                write(out)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def push(archive_dir: str | os.PathLike[str], url: str) -> PushStats:
    """Mirror the local archive at `archive_dir` to the store at `url`; what it did.

    1. The sizes of `manifest.jsonl` and of every `runs/*.jsonl` are taken first, up to their last complete line:
       a crawl may be appending meanwhile, and its objects are written before their lines.
    2. Every local object the store lacks is uploaded, after checking that it still hashes to its name (a corrupt
       one is counted and left out). An object is named by its hash, so one of the same name and size in the store
       is skipped: pushing again uploads nothing new, and a push that was killed goes on where it stopped.
    3. Then the manifest and the run logs, each whole (object stores do not append) and only when its size in the
       store differs from the size taken in 1.

    Objects go before the lines naming them, so a reader of the store never sees a manifest row whose object is
    absent. How each file is written (atomic rename on `file://`, direct upload to an object store): `_Store`.
    Only those raw files go: nothing else the crawl keeps in the archive directory (`tmp/`, `corrupt/`, derived
    data such as `cache/`).
    A store mirrors one archive, pushed by one process at a time. FileNotFoundError if `archive_dir` is no
    directory; ImportError or ValueError from fsspec for a protocol it cannot serve (`s3://` needs s3fs)."""
    root = Path(archive_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"no archive at {root}")
    files: list[tuple[Path, str, int]] = []  # (local file, its path under the store, size to copy)
    if (root / MANIFEST).is_file():
        files.append((root / MANIFEST, MANIFEST, _complete_size(root / MANIFEST)))
    runs = root / RUNS
    if runs.is_dir():
        for log in sorted(runs.glob("*.jsonl")):
            if not log.name.startswith("."):
                files.append((log, f"{RUNS}/{log.name}", _complete_size(log)))

    store = _Store(url)
    stats = PushStats()
    present = store.object_sizes()
    objects = root / "objects"
    folders = sorted(p for p in objects.iterdir() if p.is_dir() and len(p.name) == 2) if objects.is_dir() else []
    for folder in folders:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            sha = entry.name
            if not is_sha256(sha) or sha[:2] != folder.name or not entry.is_file():
                continue
            if present.get(sha) == entry.stat().st_size:
                stats.objects_skipped += 1
                continue
            with open(entry.path, "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() != sha:
                logger.warning("archive object %s is corrupt: not pushed", sha)
                stats.objects_corrupt += 1
                continue
            store.put_object(store.join("objects", sha[:2], sha), data)
            stats.objects_uploaded += 1
            stats.bytes += len(data)
    store.flush()

    for source, name, size in files:
        target = store.join(*name.split("/"))
        if store.size(target) == size:
            stats.files_unchanged += 1
            continue
        store.put_file(target, source, size)
        stats.files_copied += 1
        stats.bytes += size
    return stats
