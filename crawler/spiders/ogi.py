"""The one config-driven spider: list pages -> report links -> raw report bytes into the archive.

    scrapy crawl ogi -a sites=crawler/sites/demo.json -a portal=http://127.0.0.1:8000 -a archive=data/archive \
        [-a site=NAME]

Only list pages (the start URLs and their pagination) and report links are fetched; other articles never are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.archive import decode_header
from crawler.items import CrawlIssue, PageKind, RawPage
from crawler.pipelines import ARCHIVE_SETTING
from crawler.sites import Site, load_sites
from crawler.spiders.listing import parse_list_page
from etl.decode import decode_html

if TYPE_CHECKING:
    from typing_extensions import Self
    from twisted.python.failure import Failure

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import Settings

# Report links that answer these are recorded (manifest row + body) instead of being dropped as errors.
GONE_STATUSES = [404, 410]


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


class OgiSpider(scrapy.Spider):
    """Crawl the list pages of configured sites and fetch every report they link to."""

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
                yield self._request(site, url, "list")

    def _request(self, site: Site, url: str, kind: PageKind, **meta: Any) -> scrapy.Request:
        callback = self.parse_list if kind == "list" else self.parse_report
        meta = {"site": site.name, "kind": kind, "download_slot": site.name, **meta}
        if kind == "report":
            meta["handle_httpstatus_list"] = GONE_STATUSES
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    def parse_list(self, response: Response) -> Iterator[RawPage | scrapy.Request]:
        """Archive the list page, then follow its in-scope report links and pagination."""
        site = self.site_configs[response.meta["site"]]
        yield self._raw_page(response, "list")
        text, _, _ = decode_html(response.body, _content_type(response))  # never response.text (lying metas)
        page = parse_list_page(text, response.url, site.selectors)
        for link in page.reports:
            if site.in_scope(link.url):
                yield self._request(
                    site, link.url, "report", title=link.title, list_url=response.url, list_date=link.list_date
                )
        for url in page.pages:
            if site.in_scope(url):
                yield self._request(site, url, "list", list_url=response.url)

    def parse_report(self, response: Response) -> Iterator[RawPage]:
        """Archive the report response as received (also a 404/410 answer)."""
        yield self._raw_page(response, "report")

    def _raw_page(self, response: Response, kind: PageKind) -> RawPage:
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
        )

    def on_error(self, failure: Failure) -> Iterator[CrawlIssue]:
        """Turn a failed request into a `CrawlIssue` item (HTTP error, network error, or robots.txt block)."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
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
        yield CrawlIssue(
            kind=kind,
            url=request.url,
            site=meta.get("site", ""),
            error=error,
            status=status,
            page_kind=meta.get("kind"),
            title=meta.get("title"),
            list_url=meta.get("list_url"),
        )


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return decode_header(value) if value else None
