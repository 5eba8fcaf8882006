"""What a list answer was read as, cached by what it was read from: a run with nothing new reads no list again.

A crawl re-fetches every list page (conditional requests: most answer 304 Not Modified, crawler.httpcache) and must
read each to follow its pages and to log the reports it lists. Reading a list (decoding, finding the CMS family,
the adapter's link and pager rules: crawler.cms) is the larger part of the CPU of such a run; the answer is the same
bytes as last time, so its reading is too.

Key: the sha256 of the body and everything else the reading depends on: the page URL and its `state`, the
Content-Type (decoding), the family asked for, the site's configuration (prefixes, selectors, `cms`, `list_api`),
and `code_version()`, a hash of the source of the modules that read lists (crawler.cms, crawler.sites,
etl.decode) and of the versions of lxml, w3lib and charset-normalizer, so a changed rule or library reads every
list afresh by itself. Value: `(family, Listing)`, pickled.

Layout: one SQLite file, `<archive>/cache/lists.sqlite` (a file per reading cost more than the reading to
create, on the first crawl). Derived data, never raw: deleting it costs one run the readings, nothing else
(crawler.archive keeps the bodies). New readings are written `BATCH` at a time, each batch one short transaction,
and when the crawl closes the cache; a process killed before that loses its last readings, never the archive's.
Several crawler processes may share one archive: SQLite's own locking (WAL mode, a busy timeout) serialises their
writes, and a write that still fails is logged and dropped. An entry that cannot be read is read again from the page. Only successful readings are cached:
an unreadable list answer is reported by every run that meets it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
import sqlite3
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from crawler.cms import Listing
from etl import source_digest

logger = logging.getLogger(__name__)

FOLDER, FILE = "cache", "lists.sqlite"  # under the archive's root
BATCH = 200  # readings per write (one short transaction)
_SOURCES = ("crawler/cms", "crawler/sites", "etl/decode.py")
_LIBRARIES = ("lxml", "w3lib", "charset-normalizer")  # what crawler.cms and etl.decode read pages with


@cache
def code_version() -> str:
    """A version of the code a list reading depends on: the source of its modules and the versions of the libraries
    they read pages with (etl.source_digest)."""
    root = Path(__file__).resolve().parent.parent
    files = [f for name in _SOURCES for f in ((root / name).rglob("*.py") if (root / name).is_dir() else [root / name])]
    return source_digest(root, files, _LIBRARIES)


def site_fingerprint(site: Any) -> str:
    """A hash of a site's configuration (a crawler.sites.Site)."""
    config = json.dumps(dataclasses.asdict(site), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(config.encode()).hexdigest()[:16]


class ListCache:
    """The readings of list answers under an archive root (module docstring). Opened on first use; `close` commits."""

    def __init__(self, archive_root: str | os.PathLike[str]) -> None:
        self.path = Path(archive_root) / FOLDER / FILE
        self.hits = self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._new: dict[str, bytes] = {}  # readings not written yet
        self._broken = False

    @staticmethod
    def key(sha256: str, page_url: str, state: Mapping[str, Any], content_type: str | None, family: str | None,
            site: str) -> str:  # fmt: skip
        """The entry of a body read at `page_url` with `state`, `content_type` and `family` (None: detected) for
        a site of fingerprint `site`."""
        parts = [code_version(), sha256, page_url, state, content_type, family, site]
        text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def _open(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
                db.execute("pragma journal_mode = wal")
                db.execute("pragma synchronous = off")  # a cache: a lost write costs a reading
                db.execute("create table if not exists lists (key text primary key, value blob not null)")
                self._db = db
            except sqlite3.Error as exc:
                logger.warning("list cache %s unusable, lists are read from their pages: %s", self.path, exc)
                self._broken = True
        return self._db

    def get(self, key: str) -> tuple[str, Listing] | None:
        """The cached reading, or None (absent or unreadable)."""
        value = self._new.get(key)
        if value is None and (db := self._open()) is not None:
            try:
                row = db.execute("select value from lists where key = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                logger.info("list cache: cannot read %s: %s", key, exc)
                row = None
            value = None if row is None else row[0]
        try:
            family, listing = pickle.loads(value) if value is not None else (None, None)  # our own entries
        except Exception:  # noqa: BLE001 - a stale entry is read again from the page, never trusted
            logger.info("list cache entry %s unreadable: read again", key)
            family = listing = None
        if not isinstance(family, str) or not isinstance(listing, Listing):
            self.misses += 1
            return None
        self.hits += 1
        return family, listing

    def put(self, key: str, family: str, listing: Listing) -> None:
        """Keep a reading (best effort: a failed write costs the next run a reading, never this run its crawl)."""
        self._new[key] = pickle.dumps((family, listing), protocol=pickle.HIGHEST_PROTOCOL)
        if len(self._new) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the new readings in one transaction."""
        if not self._new or (db := self._open()) is None:
            self._new.clear()
            return
        try:
            with db:  # a transaction: committed, or rolled back when it raises
                db.execute("begin")
                db.executemany("insert or replace into lists values (?, ?)", self._new.items())
        except sqlite3.Error as exc:
            logger.warning("list cache: cannot write %d reading(s): %s", len(self._new), exc)
        self._new.clear()

    def close(self) -> None:
        """Write what is new and close the file (a later use opens it again)."""
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None
