"""Incremental crawls: conditional requests answered from the archive, and what a `revisit` "listed" run skips.

`KnownPages` is what the archive holds of the crawled sites, computed once per crawl process: per URL its latest
manifest row (append order), kept compact (status, sha256 as 32 bytes, a hash of the report's list entry, fetch
time, kind, an attachment's report, and the validators of a 2xx answer: ETag, Last-Modified, Content-Type), the
attachments of every report (manifest rows whose `parent_url` is the report), and the reports whose latest request
failed or one of whose attachments failed (outcome `error`, from the run logs since each site's last complete
run). The spider asks it which report links are unchanged (`unchanged_report`, sites with `revisit` "listed").

Conditional requests use Scrapy's own `HttpCacheMiddleware` (crawler/settings.py), with
- `ArchiveCacheStorage`: `retrieve_response` builds the "cached" answer of a GET URL from its latest manifest row
  (its archived status, validators and type; the body from `Archive.get`) when that row is a 2xx answer of the URL
  itself (not redirected) with an ETag or a Last-Modified; `store_response` does nothing: the pipeline archives;
- `RevalidatePolicy`: RFC2616Policy that caches only GET requests of the crawl's own pages (list, report,
  attachment; not robots.txt, not POST list APIs), never takes a cached answer as fresh (every one is revalidated:
  If-None-Match / If-Modified-Since from the archived ETag / Last-Modified), and takes it only on `304 Not
  Modified` (RFC2616Policy also serves it for a 5xx, which would hide a failing page from the run log);
- `ConditionalCacheMiddleware`: HttpCacheMiddleware without its error recovery (it answers a timed-out or refused
  request from the cache before RetryMiddleware sees the error: the run log would say ok for a page that failed),
  and a 304 refreshes only the validators of the archived answer (not e.g. a Content-Encoding of the 304 itself).

So an answer with the flag "cached" reaching the spider always means: the site answered 304, this is the archived
answer (`request.meta["archived_sha256"]` names its body). The spider logs it as such (crawler.items.ResumedPage
with a reason) and archives nothing: the manifest gets no row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urldefrag

from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from crawler.archive import Archive
from etl.model import outcome_of

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

CACHED_KINDS = ("list", "report", "attachment")  # request.meta["kind"] of the pages conditional requests are for
_KINDS = {k: k for k in CACHED_KINDS}  # one str object per kind in every entry
_VALIDATED = (b"ETag", b"Last-Modified", b"Date", b"Cache-Control", b"Expires")  # what a 304 may refresh


def _ok(status: int) -> bool:
    return 200 <= status < 300


def listing(title: str | None, list_date: str | None) -> int:
    """A report's list entry as one int (equal entries, equal ints; within one process: `hash` is salted)."""
    return hash((title, list_date))


class Known(NamedTuple):
    """The latest manifest row of a URL, compact."""

    status: int
    sha: bytes  # sha256 digest (32 bytes)
    listing: int | None  # reports: listing(title, list_date) of the row
    fetched_at: str
    kind: str | None
    parent: str | None  # attachments: the report article
    validators: tuple[str | None, str | None, str | None] | None  # (ETag, Last-Modified, Content-Type), or None

    @property
    def sha256(self) -> str:
        return self.sha.hex()


_LOGGED = Known(0, b"", None, "", None, None, None)  # an entry this run has logged already (mark_logged)


class KnownPages:
    """What the archive holds of some sites (module docstring). Build with `KnownPages.load`."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.pages: dict[str, Known] = {}
        self.children: dict[str, list[str]] = {}  # report URL -> its archived attachments' URLs
        self.failed: set[str] = set()  # report URLs to request again: their latest request, or an attachment's, failed

    @classmethod
    def load(cls, archive: Archive, sites: Iterable[str], *, current_run: str | None = None) -> KnownPages:
        """The latest manifest row per URL of `sites`, and the failures of their latest runs (not `current_run`)."""
        started = time.monotonic()
        known = cls(archive)
        wanted = set(sites)
        strings: dict[str, str] = {}  # one object per distinct Last-Modified / Content-Type value
        for row in archive.iter_manifest():
            if row.get("site") not in wanted:
                continue
            url, sha, status = row.get("url"), row.get("sha256"), row.get("status")
            if not url or not sha or not isinstance(status, int):
                continue
            kind = _KINDS.get(row.get("kind") or "")
            validators = None
            if _ok(status) and row.get("final_url") in (None, url):
                tag = modified = ctype = None
                for name, value in (row.get("headers") or {}).items():
                    low = name.lower()
                    if low == "etag":
                        tag = value
                    elif low == "last-modified":
                        modified = strings.setdefault(value, value)
                    elif low == "content-type":
                        ctype = strings.setdefault(value, value)
                if tag or modified:
                    validators = (tag, modified, ctype)
            entry = listing(row.get("title"), row.get("list_date")) if kind == "report" else None
            parent = row.get("parent_url") if kind == "attachment" else None
            known.pages[url] = Known(status, bytes.fromhex(sha), entry, row.get("fetched_at") or "", kind, parent,
                                     validators)  # fmt: skip
        for url, entry in known.pages.items():
            if entry.parent:
                known.children.setdefault(entry.parent, []).append(url)
        known.failed = _failed(archive, wanted, current_run)
        logger.info("known pages of %d site(s): %d URLs, %d report(s) to retry, read in %.2f s", len(wanted),
                    len(known.pages), len(known.failed), time.monotonic() - started)  # fmt: skip
        return known

    def entry(self, url: str) -> Known | None:
        """The latest archived answer of `url` (None if none, or already logged by this run)."""
        entry = self.pages.get(url)
        return None if entry is None or entry is _LOGGED else entry

    def logged(self, url: str) -> bool:
        """Whether this run has logged the archived answer of `url` already (`mark_logged`)."""
        return self.pages.get(url) is _LOGGED

    def mark_logged(self, url: str) -> None:
        """This run logged the archived answer of `url`: it is not logged or requested again (and the entry's memory
        is freed)."""
        self.pages[url] = _LOGGED

    def unchanged_report(
        self, url: str, title: str | None, list_date: str | None
    ) -> tuple[Known, list[tuple[str, Known]]] | None:
        """The archived answer of a report link and of its attachments, when the link need not be requested: its
        latest archived answer is 2xx, listed with the same title and list date, its request did not fail since,
        and every archived attachment of it is a 2xx answer; every body still in the archive. Else None."""
        entry = self.entry(url)
        if (entry is None or entry.kind != "report" or not _ok(entry.status) or url in self.failed
                or entry.listing != listing(title, list_date) or not self.archive.has(entry.sha256)):  # fmt: skip
            return None
        attachments = []
        for child in self.children.get(url, ()):
            found = self.entry(child)
            if found is None:  # logged already by another report of this run
                continue
            if not _ok(found.status) or not self.archive.has(found.sha256):
                return None  # a 404 attachment, or a body missing from the archive: the report is requested
            attachments.append((child, found))
        return entry, attachments

    def same_body(self, url: str, status: int, sha: bytes) -> Known | None:
        """The archived answer of `url` when it has this status and body (and the body is still archived)."""
        entry = self.entry(url)
        if entry is not None and entry.status == status and entry.sha == sha and self.archive.has(entry.sha256):
            return entry
        return None


def _failed(archive: Archive, sites: set[str], current_run: str | None) -> set[str]:
    """Report URLs of `sites` whose latest request failed (outcome `error`: an HTTP error, a timeout, a reset, …), or
    one of whose attachments' latest request failed: from the run logs since each site's last complete run (a
    finished run logs every URL it listed). Refusals (robots.txt, scope, size cap) are no failures to retry."""
    pending, logs = set(sites), []
    for run_id in reversed(archive.run_ids()):
        if not pending:
            break
        if run_id == current_run:
            continue
        try:
            summary = archive.run_summary(run_id)
        except (OSError, ValueError):
            continue
        covered = set(summary.get("sites") or ()) & pending
        if covered:
            logs.append(run_id)
            if summary.get("finish_reason") == "finished":
                pending -= covered
    failed: set[str] = set()
    for run_id in reversed(logs):  # oldest first: a later line overrides
        for line in archive.iter_run(run_id):
            if line.get("site") not in sites:
                continue
            error = (line.get("outcome") or outcome_of(line.get("status"), line.get("sha256"))) == "error"
            if line.get("kind") == "report":
                (failed.add if error else failed.discard)(line["url"])
            elif line.get("kind") == "attachment" and error and line.get("parent_url"):
                failed.add(line["parent_url"])
    return failed


class ArchiveCacheStorage:
    """Scrapy HTTP cache storage backed by the archive (read only; module docstring)."""

    def __init__(self, settings: BaseSettings) -> None:
        pass

    def open_spider(self, spider: Spider) -> None:
        pass

    def close_spider(self, spider: Spider) -> None:
        pass

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        """The archived answer of the request's URL to revalidate, or None (the request goes out unconditionally)."""
        known: KnownPages | None = getattr(spider, "known", None)  # the ogi spider's (other spiders: no cache)
        if known is None or request.method != "GET":
            return None
        url = urldefrag(request.url)[0]
        entry = known.entry(url)
        if entry is None or entry.validators is None or not _ok(entry.status):
            return None
        try:
            body = known.archive.get(entry.sha256)
        except (OSError, ValueError) as exc:  # missing or corrupt (moved aside): fetched in full, archived again
            logger.info("archived answer of %s not readable (%s): requested unconditionally", url, exc)
            return None
        tag, modified, ctype = entry.validators
        headers = Headers({k: v for k, v in (("ETag", tag), ("Last-Modified", modified), ("Content-Type", ctype)) if v})
        request.meta["archived_sha256"] = entry.sha256
        respcls = responsetypes.from_args(headers=headers, url=url, body=body)
        return respcls(url=url, status=entry.status, headers=headers, body=body, request=request)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        """Nothing: the archive pipeline stores what the crawl fetched."""


class RevalidatePolicy(RFC2616Policy):
    """RFC 2616 caching, always revalidating, only for GET requests of the crawl's pages (module docstring)."""

    def should_cache_request(self, request: Request) -> bool:
        return (request.method == "GET" and request.meta.get("kind") in CACHED_KINDS
                and super().should_cache_request(request))  # fmt: skip

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(self, cachedresponse: Response, response: Response, request: Request) -> bool:
        return response.status == 304


class ConditionalCacheMiddleware(HttpCacheMiddleware):
    """Scrapy's HttpCacheMiddleware for conditional requests only (module docstring)."""

    def process_exception(self, request: Request, exception: Exception) -> None:  # type: ignore[override]
        request.meta.pop("cached_response", None)  # the failure stands: retried, then logged as what it is

    def _freshen_cached_response(self, cachedresponse: Response, response: Response) -> None:
        for name in _VALIDATED:
            value = response.headers.get(name)
            if value is not None:
                cachedresponse.headers[name] = value
