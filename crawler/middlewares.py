"""Downloader middlewares: the site's scope, enforced on every request the crawl sends, redirect hops and meta
refreshes included (they come back through the downloader as new requests).

A request is refused (`OutOfScope`, recorded by the spider's errback as outcome `out_of_scope` with the reason) when
its scheme is not http/https, when it is outside the site's URL prefixes (host **and port**; a CMS adapter's list API
call may use any path on the site's own origin), or when its host is, or resolves to, a loopback, private, link-local,
reserved or multicast address, unless the site's own start URLs are on such an address (the demo portal on
127.0.0.1). Scrapy's own offsite check looks at host names only.

`RobotsTxtMiddleware` replaces Scrapy's: it checks every request against robots.txt, also those that arrive while
robots.txt is being fetched (its docstring).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as _ScrapyMetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

    from crawler.sites import Site

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutOfScope(IgnoreRequest):
    """A request the site's scope refuses; the message is the reason."""


@lru_cache(maxsize=4096)
def addresses(host: str) -> tuple[Address, ...]:
    """The IP addresses a host name is or resolves to (empty when it does not resolve: the download then fails)."""
    try:
        return (ipaddress.ip_address(host.strip("[]")),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return ()
    return tuple(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


def _internal(address: Address) -> bool:
    return (address.is_loopback or address.is_private or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified)  # fmt: skip


@lru_cache(maxsize=4096)
def _own_addresses(start_urls: tuple[str, ...]) -> frozenset[Address]:
    """The addresses of a site's start URLs (an internal one is allowed to the site that starts there)."""
    return frozenset(a for start in start_urls for a in addresses((urlsplit(start).hostname or "").lower()))


def refusal(site: Site, url: str, *, api: bool = False) -> str | None:
    """Why `site` may not request `url` (None when it may). `api`: a list API call built by a CMS adapter, allowed
    anywhere on the origin of the site's URL prefixes."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'}: only http and https are fetched"
    if not parts.hostname:
        return "no host"
    if not (site.in_scope(url) or (api and site.on_origin(url))):
        return f"outside the site's scope ({', '.join(site.url_prefixes)})"
    for address in addresses(parts.hostname.lower()):
        if _internal(address) and address not in _own_addresses(tuple(site.start_urls)):
            return f"{parts.hostname} is an internal address ({address})"
    return None


class ScopeMiddleware:
    """Refuse every out-of-scope request before it is sent (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        sites: dict[str, Any] = getattr(self.crawler.spider, "site_configs", {})
        site = sites.get(request.meta.get("site", ""))
        if site is None:  # robots.txt and other requests of the framework: their host is a site's host
            return
        reason = refusal(site, request.url, api=bool(request.meta.get("api")))
        if reason is not None:
            hops = request.meta.get("redirect_urls") or []
            via = f" (redirected from {hops[-1]})" if hops else ""
            raise OutOfScope(f"{request.url}: {reason}{via}")


class RobotsTxtMiddleware(_ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware with every waiting request checked against the parsed robots.txt.

    Scrapy 2.14-2.19 make the requests that arrive while a host's robots.txt is being fetched await one shared
    Deferred through `maybe_deferred_to_future`, and Twisted's `Deferred.asFuture` leaves that Deferred's result as
    None for the callbacks after it: the first waiting request is checked, every later one is let through as if the
    host had no robots.txt (the refactoring of scrapy/scrapy#6802). Here a request that waited reads the host's
    parser again once the fetch is over: the parser, or None when robots.txt could not be fetched (Scrapy's rule:
    everything allowed then)."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        current = self._parsers.get(urlparse_cached(request).netloc, parser)
        return parser if isinstance(current, Deferred) else current


_REFRESH_HEAD = 4 * 4096  # bytes that can hold the first 4,096 characters Scrapy looks at (4 bytes a character at most)
_REFRE = re.compile(rb"refre", re.IGNORECASE)  # no letter of it has a non-ASCII case variant (unlike the s of refresh)


def may_refresh(body: bytes) -> bool:
    """False only when the page cannot declare a meta refresh: the bytes that can make the first 4,096 characters
    hold no `refre` in any case and no NUL (text in UTF-16/32, where ASCII letters are not single bytes, always
    counts as possible). Exact for every encoding that writes ASCII letters as themselves (UTF-8, GBK/GB18030,
    Big5, the Latin ones); an EBCDIC page would not be checked for a refresh."""
    head = body[:_REFRESH_HEAD]
    return b"\x00" in head or _REFRE.search(head) is not None


class MetaRefreshMiddleware(_ScrapyMetaRefreshMiddleware):
    """Scrapy's meta refresh redirects, without decoding a page that cannot declare one.

    Scrapy decodes every HTML answer (`response.text`, its encoding inferred from the whole body when no header or
    meta declares one) to look for `<meta http-equiv="refresh">` in its first 4,096 characters; the spider decodes
    the body its own way anyway (etl.decode). A page whose first bytes hold no `refre` at all is passed on as it is;
    any other goes through Scrapy's check unchanged. About 3 % of a first crawl's CPU (py-spy, 10,000 reports)."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if not may_refresh(response.body):
            return response
        return super().process_response(request, response)
