"""Downloader middleware: the site's scope, enforced on every request the crawl sends, redirect hops and meta
refreshes included (they come back through the downloader as new requests).

A request is refused (`OutOfScope`, recorded by the spider's errback as outcome `out_of_scope` with the reason) when
its scheme is not http/https, when it is outside the site's URL prefixes (host **and port**; a CMS adapter's list API
call may use any path on the site's own origin), or when its host is, or resolves to, a loopback, private, link-local,
reserved or multicast address, unless the site's own start URLs are on such an address (the demo portal on
127.0.0.1). Scrapy's own offsite check looks at host names only.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

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
    own = {a for start in site.start_urls for a in addresses((urlsplit(start).hostname or "").lower())}
    for address in addresses(parts.hostname.lower()):
        if _internal(address) and address not in own:
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
