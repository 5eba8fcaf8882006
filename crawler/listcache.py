"""What a list answer was read as, cached by what it was read from: a run with nothing new reads no list again.

A crawl re-fetches every list page (conditional requests: most answer 304 Not Modified, crawler.httpcache) and must
read each to follow its pages and to log the reports it lists. Reading a list (decoding, finding the CMS family,
the adapter's link and pager rules: crawler.cms) is the larger part of the CPU of such a run; the answer is the same
bytes as last time, so its reading is too.

Key: the sha256 of the body and everything else the reading depends on: the page URL and its `state`, the
Content-Type (decoding), the family asked for, the site's configuration (prefixes, selectors, `cms`, `list_api`),
and `CODE_VERSION`, a hash of the source of the modules that read lists (crawler.cms, crawler.sites,
etl.decode), so a changed rule reads every list afresh by itself. Value: `(family, Listing)`, pickled.

Layout: `<archive>/cache/lists/<key[:2]>/<key>`. Derived data, never raw: deleting the folder costs one run the
readings, nothing else (crawler.archive keeps the bodies). An entry is written to a temporary name and renamed
(several crawler processes may share one archive); an entry that cannot be read is read again from the page.
Only successful readings are cached: an unreadable list answer is reported by every run that meets it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from crawler.cms import Listing

logger = logging.getLogger(__name__)

FOLDER = ("cache", "lists")
_SOURCES = ("crawler/cms", "crawler/sites", "etl/decode.py")


@cache
def code_version() -> str:
    """A hash of the source of every module a list reading depends on."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in _SOURCES:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def site_fingerprint(site: Any) -> str:
    """A hash of a site's configuration (a crawler.sites.Site)."""
    config = json.dumps(dataclasses.asdict(site), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(config.encode()).hexdigest()[:16]


class ListCache:
    """The readings of list answers under an archive root (module docstring)."""

    def __init__(self, archive_root: str | os.PathLike[str]) -> None:
        self.root = Path(archive_root).joinpath(*FOLDER)
        self.hits = self.misses = 0

    @staticmethod
    def key(sha256: str, page_url: str, state: Mapping[str, Any], content_type: str | None, family: str | None,
            site: str) -> str:  # fmt: skip
        """The entry of a body read at `page_url` with `state`, `content_type` and `family` (None: detected) for
        a site of fingerprint `site`."""
        parts = [code_version(), sha256, page_url, state, content_type, family, site]
        text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> tuple[str, Listing] | None:
        """The cached reading, or None (absent or unreadable)."""
        try:
            data = self._path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            family, listing = pickle.loads(data)  # our own entries, in the crawl's own archive
        except Exception:  # noqa: BLE001 - a cut or stale entry is read again from the page, never trusted
            logger.info("list cache entry %s unreadable: read again", key)
            self.misses += 1
            return None
        if not isinstance(family, str) or not isinstance(listing, Listing):
            self.misses += 1
            return None
        self.hits += 1
        return family, listing

    def put(self, key: str, family: str, listing: Listing) -> None:
        """Keep a reading (best effort: a full disk costs the next run a reading, never this run its crawl)."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(pickle.dumps((family, listing), protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            logger.warning("list cache: cannot write %s: %s", path, exc)
