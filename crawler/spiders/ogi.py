"""The one config-driven spider: list pages -> report links -> report bytes and their attachments into the archive.

    scrapy crawl ogi -a sites=crawler/sites/demo.json -a portal=http://127.0.0.1:8000 -a archive=data/archive \
        [-a site=NAME]

List answers (HTML pages, Hanweb record windows, JSON list APIs) are read by the site's CMS family adapter
(crawler.cms; named by the site entry or detected from the first list page); report links are fetched, and
from a report article its attachment files (PDF, DOC(X), XLS(X), WPS, ET, ODT: crawler.cms.attachments).
Other articles are never fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import FormRequest, JsonRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.archive import decode_header
from crawler.cms import ListRequest, Page, detect, read_list
from crawler.cms.attachments import find_attachments
from crawler.items import CrawlIssue, PageKind, RawPage
from crawler.pipelines import ARCHIVE_SETTING
from crawler.sites import Site, load_sites
from etl.decode import decode_html

if TYPE_CHECKING:
    from typing_extensions import Self
    from twisted.python.failure import Failure

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import Settings

# Report and attachment links that answer these are recorded (manifest row + body) instead of dropped as errors.
GONE_STATUSES = [404, 410]
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain")


def politeness_settings(sites: Iterable[Site]) -> dict[str, Any]:
    """Concurrency and delay settings for a crawl of `sites`.

    Scrapy 2.14-2.19 do not enforce CONCURRENT_REQUESTS_PER_DOMAIN (nor a DOWNLOAD_SLOTS concurrency): a slot's
    transfer count is updated in a task scheduled after the queue check, so the real cap is CONCURRENT_REQUESTS
    (docs: ../shared/STACK.md §2c). The global CONCURRENT_REQUESTS is therefore set to the smallest per-site
    budget, so no site ever sees more; the per-domain and per-slot values are set too, for when Scrapy enforces
    them again. Each site gets its own download slot (request.meta["download_slot"] = site name) so its
    DOWNLOAD_DELAY applies per site even when sites share one host (the demo portal).
    """
    sites = list(sites)
    budget = min(s.concurrency for s in sites)
    return {
        "CONCURRENT_REQUESTS": budget,
        "CONCURRENT_REQUESTS_PER_DOMAIN": budget,
        "DOWNLOAD_DELAY": max(s.download_delay for s in sites),  # slots not listed below (robots.txt)
        "DOWNLOAD_SLOTS": {s.name: {"concurrency": s.concurrency, "delay": s.download_delay} for s in sites},
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return decode_header(value) if value else None


def _page_url(response: Response) -> str:
    """The answer's URL with the configured URL's `#fragment` (never sent; gkmlpt keeps its column id there)."""
    fragment = urlsplit(response.meta.get("config_url") or "").fragment
    return f"{urldefrag(response.url)[0]}#{fragment}" if fragment else response.url


def _is_html(response: Response) -> bool:
    """Whether a report answer is a web page (that may link attachments) rather than a file."""
    ctype = (_content_type(response) or "").lower()
    if ctype:
        return ctype.startswith(_HTML_TYPES)
    return response.body[:512].lstrip()[:1] == b"<"


class OgiSpider(scrapy.Spider):
    """Crawl the list pages of configured sites, every report they link to and the reports' attachments."""

    name = "ogi"

    def __init__(
        self, sites: str, archive: str, portal: str | None = None, site: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.site_configs: dict[str, Site] = {s.name: s for s in load_sites(sites, portal=portal, only=site)}
        if not self.site_configs:
            raise ValueError(f"no sites in {sites}")
        self.archive_dir = archive
        self.allowed_domains = sorted({d for s in self.site_configs.values() for d in s.allowed_domains})

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

    # -------------------------------------------------------------------------------------------- requests

    def _meta(self, site: Site, kind: PageKind, **meta: Any) -> dict[str, Any]:
        return {"site": site.name, "kind": kind, "download_slot": site.name,
                "download_timeout": site.download_timeout, **meta}  # fmt: skip

    def _list_request(self, site: Site, req: ListRequest, *, start: bool = False, **meta: Any) -> scrapy.Request:
        """A Scrapy request for a list page or list API call (`family` "" = detect from the answer)."""
        meta = self._meta(site, "list", family=req.family or None, state=dict(req.state), config_url=req.url,
                          start=start, **meta)  # fmt: skip
        common = {"callback": self.parse_list, "errback": self.on_error, "meta": meta, "headers": dict(req.headers)}
        if req.method == "POST" and req.json is not None:
            return JsonRequest(req.url, data=req.json, method="POST", **common)
        if req.method == "POST":
            return FormRequest(req.url, formdata=dict(req.form or {}), method="POST", **common)
        return scrapy.Request(req.url, **common)

    def _file_request(self, site: Site, url: str, kind: PageKind, **meta: Any) -> scrapy.Request:
        """A report or attachment request; 404/410 answers are archived as such (a report gone)."""
        callback = self.parse_report if kind == "report" else self.parse_attachment
        meta = self._meta(site, kind, handle_httpstatus_list=GONE_STATUSES, **meta)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    # --------------------------------------------------------------------------------------------- answers

    def parse_list(self, response: Response) -> Iterator[RawPage | CrawlIssue | scrapy.Request]:
        """Archive the list answer, then follow its in-scope report links and further list requests."""
        site = self.site_configs[response.meta["site"]]
        text, _, _ = decode_html(response.body, _content_type(response))  # never response.text (lying metas)
        page = Page(text, _page_url(response), _content_type(response), response.meta.get("state") or {})
        family = response.meta.get("family") or detect(page)
        yield self._raw_page(response, "list", family=family)
        try:
            listing = read_list(page, site, family)
        except Exception as exc:  # noqa: BLE001 - an unreadable list answer is recorded; the crawl goes on
            self.logger.warning("list answer unreadable as %s: %s: %s", family, response.url, exc)
            yield self._issue(response.request, "error", f"list answer unreadable as {family}: {type(exc).__name__}: {exc}")
            return
        for link in listing.reports:
            if site.in_scope(link.url):
                yield self._file_request(
                    site, link.url, "report", title=link.title, list_url=response.url, list_date=link.list_date
                )
        for req in listing.requests:
            if site.in_scope(req.url) or (req.method == "POST" or req.state) and site.on_origin(req.url):
                yield self._list_request(site, req, list_url=response.url)

    def parse_report(self, response: Response) -> Iterator[RawPage | scrapy.Request]:
        """Archive the report answer as received (also a 404/410), then follow the article's attachments."""
        yield self._raw_page(response, "report")
        if response.status != 200 or not _is_html(response):
            return
        site = self.site_configs[response.meta["site"]]
        text, _, _ = decode_html(response.body, _content_type(response))
        parent = (response.meta.get("redirect_urls") or [response.url])[0]
        for attachment in find_attachments(text, response.url):
            if site.in_scope(attachment.url):
                yield self._file_request(site, attachment.url, "attachment", title=attachment.title, parent_url=parent)

    def parse_attachment(self, response: Response) -> Iterator[RawPage]:
        yield self._raw_page(response, "attachment")

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
        """Turn a failed request into a `CrawlIssue` item (HTTP error, network error, or robots.txt block)."""
        request = failure.request  # type: ignore[attr-defined]
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            kind, error = "error", f"HTTP {status}"
        elif failure.check(IgnoreRequest):
            kind, error = "blocked", str(failure.value) or "ignored"
        else:
            kind, error = "error", f"{failure.type.__name__}: {failure.value}"
        log = self.logger.info if kind == "blocked" else self.logger.warning
        log("%s %s: %s", kind, request.url, error)
        yield self._issue(request, kind, error, status)

    def _issue(self, request: scrapy.Request, kind: str, error: str, status: int | None = None) -> CrawlIssue:
        meta = request.meta
        return CrawlIssue(
            kind=kind,  # type: ignore[arg-type]
            url=request.url,
            site=meta.get("site", ""),
            error=error,
            status=status,
            page_kind=meta.get("kind"),
            title=meta.get("title"),
            list_url=meta.get("list_url"),
            parent_url=meta.get("parent_url"),
        )
