"""Content-addressed archive of raw response bodies plus a JSON Lines manifest.

Layout under `root`:
- `objects/<sha[:2]>/<sha>`: each distinct body, byte-for-byte as received (never decoded or re-encoded);
- `tmp/`: partial writes; an object only gets its final name by an atomic rename once it is complete;
- `manifest.jsonl`: one row per distinct (url, sha256), appended in fetch order.

A process killed mid-write leaves at most a file under `tmp/` and a truncated last manifest line; readers skip
that line and the next `record()` starts a fresh line. One writer process at a time (the crawl).
No Scrapy import here: the ETL reads archives with this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
FIELDS = (
    "url", "final_url", "status", "headers", "fetched_at", "sha256", "size",
    "site", "kind", "title", "list_url", "list_date",
)  # fmt: skip


def decode_header(value: bytes | str) -> str:
    """Header bytes -> str: UTF-8 when valid, else latin-1 (which never fails and keeps every byte)."""
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


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
        """Store `body` unless present; returns (sha256, whether it was newly written)."""
        sha = hashlib.sha256(body).hexdigest()
        final = self.path(sha)
        if final.is_file():
            return sha, False
        final.parent.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix=sha[:16] + ".")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
            os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; objects are shared read-only data
            os.replace(tmp_name, final)  # atomic on one filesystem: readers see all or nothing
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return sha, True

    def get(self, sha: str) -> bytes:
        """The stored bytes of `sha` (FileNotFoundError if absent)."""
        return self.path(sha).read_bytes()

    def record(self, row: Mapping[str, Any]) -> bool:
        """Append `row` to the manifest unless its (url, sha256) is already there; returns whether it was new."""
        key = (str(row["url"]), row.get("sha256"))
        seen = self._seen_keys()
        if key in seen:
            return False
        line = json.dumps(dict(row), ensure_ascii=False, separators=(",", ":")) + "\n"
        self.root.mkdir(parents=True, exist_ok=True)
        with self.manifest_path.open("ab") as f:
            if f.tell() > 0 and not self._ends_with_newline():
                f.write(b"\n")  # isolate a line truncated by a killed writer
            f.write(line.encode("utf-8"))
        seen.add(key)
        return True

    def manifest(self) -> list[dict[str, Any]]:
        """All manifest rows in append order."""
        return list(self.iter_manifest())

    def iter_manifest(self) -> Iterator[dict[str, Any]]:
        """Manifest rows in append order, skipping a line left incomplete by a killed writer."""
        if not self.manifest_path.exists():
            return
        with self.manifest_path.open("rb") as f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    yield json.loads(raw)
                except ValueError:
                    logger.warning("%s:%d: skipping unreadable manifest line", self.manifest_path, n)

    def _seen_keys(self) -> set[tuple[str, str | None]]:
        if self._seen is None:
            self._seen = {(str(r["url"]), r.get("sha256")) for r in self.iter_manifest() if "url" in r}
        return self._seen

    def _ends_with_newline(self) -> bool:
        with self.manifest_path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"
