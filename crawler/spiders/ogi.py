"""The one config-driven spider: list pages -> report links -> report bytes and their attachments into the archive.

    scrapy crawl ogi -a sites=crawler/sites/demo.json -a portal=http://127.0.0.1:8000 -a archive=data/archive \
        [-a site=NAME]

List answers (HTML pages, Hanweb record windows, JSON list APIs) are read by the site's CMS family adapter
(crawler.cms; named by the site entry or detected from the first list page); report links are fetched, and
from a report article its attachment files (PDF, DOC(X), XLS(X), WPS, ET, ODT: crawler.cms.attachments).
Other articles are never fetched.

Incremental (crawler.httpcache): a GET of a page the archive holds with an ETag or Last-Modified is conditional;
a 304 gives the spider the archived answer, logged as not modified with its archived status and sha256 (the
manifest gets no row), as is a 200 whose body is the archived one. A site with `revisit` "listed" (the default)
does not request a report link whose list entry is unchanged (crawler/sites): the run log gets the archived answer
of the report and of its attachments, reason "listed unchanged", so a report still listed is never taken for
removed (warehouse/views/v_removed_report.sql). "all" requests every report and attachment, conditionally.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import FormRequest, JsonRequest
from scrapy.spidermiddlewares.httperror import HttpError
from w3lib.url import safe_url_string

from crawler.archive import ARCHIVE_SETTING, RUN_ID_SETTING, Archive, decode_header
from crawler.cms import Listing, ListRequest, Page, detect, read_list
from crawler.cms.attachments import find_attachments, is_html
from crawler.httpcache import Known, KnownPages
from crawler.items import CrawlIssue, Outcome, PageKind, RawPage, ResumedPage, ResumedPages
from crawler.listcache import ListCache, site_fingerprint
from crawler.middlewares import OutOfScope
from crawler.sites import Site, load_sites
from crawler.slots import MAX_CONCURRENT_REQUESTS
from etl.decode import decode_html

if TYPE_CHECKING:
    from typing_extensions import Self
    from twisted.python.failure import Failure

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import Settings

# charset_normalizer (etl.decode, list pages without a trustworthy charset) makes dozens of DEBUG records a page; the
# crawl log never shows them, but Scrapy's root logger is at DEBUG, so each was built and dropped by the handler.
logging.getLogger("charset_normalizer").setLevel(logging.WARNING)

# Report and attachment links that answer these are recorded (manifest row + body) instead of dropped as errors.
GONE_STATUSES = [404, 410]


def politeness_settings(sites: Iterable[Site], *, cap: int = MAX_CONCURRENT_REQUESTS) -> dict[str, Any]:
    """Concurrency and delay settings for a crawl of `sites`: politeness per site, throughput across sites.

    Each site gets its own download slot (request.meta["download_slot"] = site name, `DOWNLOAD_SLOTS`) with its
    concurrency and delay, also when sites share one host (the demo portal). The crawl as a whole may have the sum
    of the site budgets in flight, at most `cap`. Scrapy 2.14-2.19 do not enforce a slot's concurrency themselves
    (../shared/STACK.md §2c): `crawler.slots` does (the DOWNLOADER and SCHEDULER_PRIORITY_QUEUE of
    crawler/settings.py). Slots not listed (robots.txt, per host) take the smallest budget and the longest delay.
    """
    sites = list(sites)
    return {
        "CONCURRENT_REQUESTS": max(1, min(sum(s.concurrency for s in sites), cap)),
        "CONCURRENT_REQUESTS_PER_DOMAIN": min(s.concurrency for s in sites),
        "DOWNLOAD_DELAY": max(s.download_delay for s in sites),
        "DOWNLOAD_SLOTS": {s.name: {"concurrency": s.concurrency, "delay": s.download_delay} for s in sites},
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return decode_header(value) if value else None


def classify(failure: Failure) -> tuple[Outcome, str, int | None]:
    """(outcome, reason, HTTP status) of a failed or refused request."""
    error = failure.value
    text = str(error).split(" in request <")[0] or type(error).__name__
    if failure.check(HttpError):
        status = error.response.status
        location = error.response.headers.get(b"Location")
        if 300 <= status < 400 and location:  # a redirect Scrapy does not follow: another scheme
            target = decode_header(location)
            return "out_of_scope", f"redirected to {target}: scheme not fetched (only http and https)", status
        return "error", f"HTTP {status}", status
    if failure.check(OutOfScope):
        return "out_of_scope", text, None
    if failure.check(IgnoreRequest):
        if "robots.txt" in text:
            return "blocked", text, None
        if "max redirections" in text:
            hops = failure.request.meta.get("redirect_urls") or []  # type: ignore[attr-defined]
            return "error", f"redirect loop: more than {len(hops)} redirections ({' -> '.join(hops[:4])} …)", None
        if "offsite" in text.lower():
            return "out_of_scope", text, None
        return "blocked", text, None
    if failure.check(DownloadCancelledError) and ("max size" in text or text == type(error).__name__):
        limit = failure.request.meta.get("download_maxsize")  # type: ignore[attr-defined]
        detail = text if "max size" in text else "the body grew past it while streaming"
        return "too_large", f"body larger than the site's max_bytes ({limit}): {detail}", None
    if failure.check(DownloadTimeoutError):
        return "error", f"timeout: {text}", None
    if failure.check(ResponseDataLossError):
        return "error", f"truncated body (fewer bytes than Content-Length): {text}", None
    if failure.check(DownloadConnectionRefusedError):
        return "error", f"connection refused: {text}", None
    if failure.check(CannotResolveHostError):
        return "error", f"host not found: {text}", None
    if failure.check(DownloadFailedError):
        return "error", f"connection lost: {text}", None
    return "error", f"{type(error).__name__}: {text}", None


def _page_url(response: Response) -> str:
    """The answer's URL with the configured URL's `#fragment` (never sent; gkmlpt keeps its column id there)."""
    fragment = urlsplit(response.meta.get("config_url") or "").fragment
    return f"{urldefrag(response.url)[0]}#{fragment}" if fragment else response.url


def _is_html(response: Response) -> bool:
    """Whether a report answer is a web page (that may link attachments) rather than a file."""
    return is_html(_content_type(response), response.body)


class OgiSpider(scrapy.Spider):
    """Crawl the list pages of configured sites, every report they link to and the reports' attachments."""

    name = "ogi"

    def __init__(
        self, sites: str, archive: str, portal: str | None = None, site: str | None = None,
        resume: str | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.site_configs: dict[str, Site] = {s.name: s for s in load_sites(sites, portal=portal, only=site)}
        if not self.site_configs:
            raise ValueError(f"no sites in {sites}")
        self.archive_dir = archive
        self.archive = Archive(archive)
        # what an interrupted earlier run archived (crawler.archive.Archive.resumable): done, not fetched again
        self.resumable: dict[str, dict[str, Any]] = json.loads(Path(resume).read_text("utf-8")) if resume else {}
        self._resumed: set[str] = set()
        self.allowed_domains = sorted({d for s in self.site_configs.values() for d in s.allowed_domains})
        self.list_cache = ListCache(archive)  # list answers read so before (crawler.listcache)
        self._site_prints = {name: site_fingerprint(site) for name, site in self.site_configs.items()}

    @cached_property
    def known(self) -> KnownPages:
        """What the archive holds of the crawled sites (crawler.httpcache), read on first use: by the first
        conditional request or the first report link."""
        settings = getattr(self, "settings", None)
        current = settings.get(RUN_ID_SETTING) if settings is not None else None
        return KnownPages.load(self.archive, list(self.site_configs), current_run=current)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.apply_settings(crawler.settings)
        return spider

    def apply_settings(self, settings: Settings) -> None:
        """Politeness from the site configs and the archive location, at spider priority (`-s` still wins)."""
        for key, value in politeness_settings(self.site_configs.values()).items():
            settings.set(key, value, priority="spider")
        settings.set(ARCHIVE_SETTING, self.archive_dir, priority="spider")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.site_configs.values():
            for url in site.start_urls:
                yield self._list_request(site, ListRequest(url, site.cms or ""), start=True)

    def closed(self, reason: str) -> None:
        """The crawl ended: the new list readings are written (crawler.listcache)."""
        self.list_cache.close()
        self.logger.info("list readings: %d from the cache, %d read", self.list_cache.hits, self.list_cache.misses)

    # -------------------------------------------------------------------------------------------- requests

    def _meta(self, site: Site, kind: PageKind, **meta: Any) -> dict[str, Any]:
        return {"site": site.name, "kind": kind, "download_slot": site.name, "download_timeout": site.download_timeout,
                "download_maxsize": site.max_bytes, **meta}  # fmt: skip

    def _list_request(self, site: Site, req: ListRequest, *, start: bool = False, **meta: Any) -> scrapy.Request:
        """A Scrapy request for a list page or list API call (`family` "" = detect from the answer)."""
        api = req.method == "POST" or bool(req.state)  # an adapter's API call: any path of the site's origin
        meta = self._meta(site, "list", family=req.family or None, state=dict(req.state), config_url=req.url,
                          start=start, api=api, **meta)  # fmt: skip
        common = {"callback": self.parse_list, "errback": self.on_error, "meta": meta, "headers": dict(req.headers)}
        if req.method == "POST" and req.json is not None:
            return JsonRequest(req.url, data=req.json, method="POST", **common)
        if req.method == "POST":
            return FormRequest(req.url, formdata=dict(req.form or {}), method="POST", **common)
        return scrapy.Request(req.url, **common)

    def _file_requests(self, site: Site, url: str, kind: PageKind, **meta: Any) -> Iterator[Any]:
        """A report or attachment request (404/410 answers are archived as such: a report gone); for a URL an
        interrupted run archived, the archived answer instead (and a report article's attachments from it); for a
        report link listed unchanged (`revisit` "listed"), the archived answers of the report and its attachments."""
        key = safe_url_string(url)
        done = self.resumable.get(key)
        if done is not None and done.get("site") == site.name:
            if url not in self._resumed:
                self._resumed.add(url)
                yield ResumedPage(url, site.name, kind, done["status"], done["sha256"], done["run_id"],
                                  meta.get("parent_url"))  # fmt: skip
                if kind == "report" and done["status"] == 200:
                    body = Archive(self.archive_dir).get(done["sha256"])
                    if body[:512].lstrip()[:1] == b"<":
                        text, _, _ = decode_html(body, None)
                        for attachment in find_attachments(text, url):
                            yield from self._file_requests(site, attachment.url, "attachment",
                                                           title=attachment.title, parent_url=url)  # fmt: skip
            return
        if self.known.logged(key):  # logged this run with its archived answer (a report listed unchanged)
            return
        if kind == "report" and site.revisit == "listed":
            unchanged = self.known.unchanged_report(key, meta.get("title"), meta.get("list_date"))
            if unchanged is not None:
                yield from self._listed_unchanged(site, key, *unchanged)
                return
        callback = self.parse_report if kind == "report" else self.parse_attachment
        meta = self._meta(site, kind, handle_httpstatus_list=GONE_STATUSES, **meta)
        yield scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    def _listed_unchanged(
        self, site: Site, url: str, report: Known, attachments: list[tuple[str, Known]]
    ) -> Iterator[ResumedPage]:
        """The run-log lines of a report listed as its archived answer was, and of its archived attachments: their
        archived status and body, not fetched again."""
        self.known.mark_logged(url)
        yield ResumedPage(url, site.name, "report", report.status, report.sha256, None,
                          reason=f"listed unchanged: archived at {report.fetched_at}, not fetched again")  # fmt: skip
        for child, entry in attachments:
            self.known.mark_logged(child)
            reason = f"its report is listed unchanged: archived at {entry.fetched_at}, not fetched again"
            yield ResumedPage(child, site.name, "attachment", entry.status, entry.sha256, None, url, reason=reason)

    # --------------------------------------------------------------------------------------------- answers

    def parse_list(self, response: Response) -> Iterator[Any]:
        """Archive the list answer, then follow its in-scope report links and further list requests."""
        site = self.site_configs[response.meta["site"]]
        family, listing = self._read_list(response, site)
        answer = self._answer(response, "list", family=family)
        if isinstance(listing, Exception):  # an unreadable list answer is recorded; the crawl goes on
            yield answer
            self.logger.warning("list answer unreadable as %s: %s: %s", family, response.url, listing)
            reason = f"list answer unreadable as {family}: {type(listing).__name__}: {listing}"
            yield self._issue(response.request, "error", reason, response.status)
            return
        # every link is requested: the scope middleware refuses what is out of scope, and that refusal is recorded;
        # the run-log lines of reports not requested (listed unchanged, or resumed) go as one item
        resumed: list[ResumedPage] = []
        if isinstance(answer, ResumedPage):  # the list answer's own line goes with them
            resumed.append(answer)
        else:
            yield answer
        for link in listing.reports:
            for out in self._file_requests(
                site, link.url, "report", title=link.title, list_url=response.url, list_date=link.list_date
            ):
                if isinstance(out, ResumedPage):
                    resumed.append(out)
                else:
                    yield out
        if resumed:
            yield ResumedPages(resumed)
        for req in listing.requests:
            yield self._list_request(site, req, list_url=response.url)

    def _read_list(self, response: Response, site: Site) -> tuple[str, Listing | Exception]:
        """The family and reading of a list answer (crawler.cms.read_list), or the exception that made it unreadable;
        a body read so before is not read again (crawler.listcache)."""
        content_type, state = _content_type(response), response.meta.get("state") or {}
        asked = response.meta.get("family")
        sha = response.meta.get("archived_sha256") if "cached" in response.flags else None
        key = self.list_cache.key(sha or hashlib.sha256(response.body).hexdigest(), _page_url(response), state,
                                  content_type, asked, self._site_prints[site.name])  # fmt: skip
        cached = self.list_cache.get(key)
        if cached is not None:
            return cached
        text, _, _ = decode_html(response.body, content_type)  # never response.text (lying metas)
        page = Page(text, _page_url(response), content_type, state)
        family = asked or detect(page)
        try:
            listing = read_list(page, site, family)
        except Exception as exc:  # noqa: BLE001 - the caller records it
            return family, exc
        self.list_cache.put(key, family, listing)
        return family, listing

    def parse_report(self, response: Response) -> Iterator[Any]:
        """Archive the report answer as received (also a 404/410), then follow the article's attachments."""
        yield self._answer(response, "report")
        if response.status != 200 or not _is_html(response):
            return
        site = self.site_configs[response.meta["site"]]
        text, _, _ = decode_html(response.body, _content_type(response))
        parent = (response.meta.get("redirect_urls") or [response.url])[0]
        for attachment in find_attachments(text, response.url):
            yield from self._file_requests(site, attachment.url, "attachment", title=attachment.title, parent_url=parent)

    def parse_attachment(self, response: Response) -> Iterator[RawPage | ResumedPage]:
        yield self._answer(response, "attachment")

    def _answer(self, response: Response, kind: PageKind, family: str | None = None) -> RawPage | ResumedPage:
        """The answer to archive (`RawPage`), or, when it is the archived one, its run-log line (`ResumedPage` with
        the reason): answered 304 Not Modified (crawler.httpcache: the response is the archived answer), or a GET
        answered with the archived status and body."""
        meta = response.meta
        url = (meta.get("redirect_urls") or [response.url])[0]
        if "cached" in response.flags:
            sha = meta.get("archived_sha256") or hashlib.sha256(response.body).hexdigest()
            reason = "not modified (HTTP 304): the archived answer"
        elif response.request is not None and response.request.method == "GET":
            digest = hashlib.sha256(response.body).digest()
            if self.known.same_body(url, response.status, digest) is None:
                return self._raw_page(response, kind, family)
            sha, reason = digest.hex(), f"unchanged: HTTP {response.status} with the archived body"
        else:
            return self._raw_page(response, kind, family)
        return ResumedPage(url, meta["site"], kind, response.status, sha, None, meta.get("parent_url"), reason=reason)

    def _raw_page(self, response: Response, kind: PageKind, family: str | None = None) -> RawPage:
        meta = response.meta
        return RawPage(
            kind=kind,
            url=(meta.get("redirect_urls") or [response.url])[0],
            final_url=response.url,
            status=response.status,
            headers={decode_header(k): ", ".join(decode_header(v) for v in vs) for k, vs in response.headers.items()},
            body=response.body,
            fetched_at=_now(),
            site=meta["site"],
            title=meta.get("title"),
            list_url=meta.get("list_url"),
            list_date=meta.get("list_date"),
            parent_url=meta.get("parent_url"),
            family=family,
        )

    def on_error(self, failure: Failure) -> Iterator[CrawlIssue]:
        """Turn a failed or refused request into a `CrawlIssue` with its outcome and reason (`classify`)."""
        request = failure.request  # type: ignore[attr-defined]
        outcome, reason, status = classify(failure)
        log = self.logger.info if outcome in ("blocked", "out_of_scope") else self.logger.warning
        log("%s %s: %s", outcome, request.url, reason)
        yield self._issue(request, outcome, reason, status)

    def _issue(self, request: scrapy.Request, outcome: Outcome, error: str, status: int | None = None) -> CrawlIssue:
        """The issue of a failed request, under the URL the crawl asked for (a redirect hop's failure is its)."""
        meta = request.meta
        return CrawlIssue(
            outcome=outcome,
            url=(meta.get("redirect_urls") or [request.url])[0],
            site=meta.get("site", ""),
            error=error,
            status=status,
            page_kind=meta.get("kind"),
            title=meta.get("title"),
            list_url=meta.get("list_url"),
            parent_url=meta.get("parent_url"),
        )
