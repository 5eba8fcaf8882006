"""Site configuration: which list pages to crawl, how politely, and which URLs belong to a site.

A sites file holds a list of site entries. Required: `name`, `start_urls` (the 年报 column's list page),
`agency` and `region` (hints for the parser: the site's own body, `{"province", "city", "county", "code"}` or a
text such as "浙江省衢州市"). Optional: `cms` (the CMS family, crawler.cms; detected from the first list page when
absent), `list_api` (the `json` family's API description), `url_prefixes` (the URL scope; default the start URLs'
hosts, any path), `allowed_domains` (default the start URLs' hosts), `concurrency` (default 2),
`download_delay` (seconds, default 0.5), `download_timeout` (seconds, default 30), `max_bytes` (body cap, default
50 MiB: what the parser reads; a larger body is refused while it streams, outcome `too_large`), `selectors`
(`{"list_links": css, "next_page": css, "date": css}`; the date selector is evaluated inside a link's row),
`revisit` (which report links a crawl requests again, default "listed"):
- "listed": a report link whose URL the archive holds with a 2xx answer, listed with the same title and list date as
  in its latest manifest row, is not requested; the run logs it (and its archived attachments) with the archived
  answer, reason "listed unchanged: …". A new or re-listed link, a report whose latest archived answer is 404/410,
  whose latest request failed, or one of whose attachments failed or is missing is requested. List pages are
  always requested (conditionally: crawler.httpcache).
- "all": every listed report and attachment is requested again, conditionally (If-None-Match / If-Modified-Since
  from the archived answer: a 304 costs no body and adds no manifest row). A CMS can change a page in place without
  touching its list entry (a restatement with corrected figures at the same URL, title and date): only "all" sees
  that. `ogi run --revisit` crawls every site with "all" for one run (CrawlConfig.revisit); schedule it, e.g.
  weekly, beside the daily "listed" runs. The demo portal's entries use "all" (it restates a report in place).
URLs may contain `{portal}`, replaced by the demo portal's base URL.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from crawler.cms import FAMILIES
from crawler.cms.jsonapi import ListApiError, check_list_api

SITES_DIR = Path(__file__).parent
DEMO_SITES = SITES_DIR / "demo.json"

DEFAULT_CONCURRENCY = 2
DEFAULT_DOWNLOAD_DELAY = 0.5
DEFAULT_DOWNLOAD_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # = etl.parse.MAX_BYTES: nothing larger can be read
_DEFAULT_PORTS = {"http": 80, "https": 443}
REVISIT = ("listed", "all")  # the `revisit` policies (module docstring); the first is the default
_SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _origin_path(url: str) -> tuple[str, str]:
    """(host:port, path) of a URL, percent-encoded. http and https on their default ports are one origin (real
    sites link both ways); any other port is its own origin."""
    parts = urlsplit(safe_url_string(url))
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    if parts.scheme in _DEFAULT_PORTS and port == _DEFAULT_PORTS[parts.scheme]:
        port = 0
    return f"{(parts.hostname or '').lower()}:{port}", parts.path or "/"


def default_prefix(start_url: str) -> str:
    """The site's default URL scope from a start URL: its host, any path (reports, attachments and list APIs of
    real CMSs live outside the column's directory: `/art/…`, `/module/…`, `/gkmlpt/api/…`)."""
    parts = urlsplit(start_url)
    return f"{parts.scheme}://{parts.netloc}/"


def _host(domain_or_url: str) -> str:
    """A bare host name from `host`, `host:port` or a URL (Scrapy's allowed_domains takes no ports)."""
    value = domain_or_url if "//" in domain_or_url else "//" + domain_or_url
    return (urlsplit(value).hostname or "").lower()


@dataclass(frozen=True)
class Site:
    """One government site (or one path-prefixed site of the demo portal)."""

    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    url_prefixes: tuple[str, ...]
    agency: str | None = None
    region: Any = None
    concurrency: int = DEFAULT_CONCURRENCY
    download_delay: float = DEFAULT_DOWNLOAD_DELAY
    download_timeout: float = DEFAULT_DOWNLOAD_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    selectors: Mapping[str, str] = field(default_factory=dict)
    cms: str | None = None  # crawler.cms family; None = detect from the first list page
    list_api: Mapping[str, Any] | None = None  # the `json` family's API (crawler.cms.jsonapi)
    revisit: str = REVISIT[0]  # "listed" or "all": which report links are requested again (module docstring)

    def in_scope(self, url: str) -> bool:
        """Whether `url` is on an allowed domain and under one of the site's URL prefixes."""
        origin, path = _origin_path(url)
        host = origin.rsplit(":", 1)[0]
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return False
        return any(origin == p_origin and path.startswith(p_path) for p_origin, p_path in self._prefixes)

    @functools.cached_property
    def _prefixes(self) -> tuple[tuple[str, str], ...]:
        """(origin, path) of each URL prefix, split once (every request the crawl sends is checked against them)."""
        return tuple(_origin_path(prefix) for prefix in self.url_prefixes)

    def on_origin(self, url: str) -> bool:
        """Whether `url` is on the origin (host and port) of one of the site's URL prefixes: where a CMS adapter
        may call the site's own list API (`/module/web/jpage/dataproxy.jsp`, `/fjdzapp/search`) even when the
        prefixes narrow the site to one directory."""
        origin, _ = _origin_path(url)
        return any(origin == p_origin for p_origin, _ in self._prefixes)

    @classmethod
    def from_dict(cls, entry: Mapping[str, Any], portal: str | None = None) -> Site:
        """Build a site from a config entry, substituting `{portal}`; unknown keys are ignored."""

        def sub(value: str) -> str:
            if "{portal}" in value:
                if not portal:
                    raise ValueError(f"site {entry.get('name')!r} uses {{portal}} but no portal URL was given")
                return value.replace("{portal}", portal.rstrip("/"))
            return value

        name = str(entry.get("name") or "")
        if not _SITE_NAME.match(name):
            raise ValueError(f"site name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
        start_urls = tuple(sub(u) for u in _as_list(entry.get("start_urls")))
        if not start_urls:
            raise ValueError(f"site {name!r} has no start_urls")
        for url in start_urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"site {name!r}: start URL {url!r} is not an http(s) URL")
        cms = entry.get("cms") or None
        if cms is not None and cms not in FAMILIES:
            raise ValueError(f"site {name!r}: unknown cms {cms!r} (known: {', '.join(FAMILIES)})")
        list_api = entry.get("list_api") or None
        if cms == "json":
            if not isinstance(list_api, Mapping):
                raise ValueError(f"site {name!r}: cms 'json' needs a list_api entry")
            try:
                check_list_api(list_api)
            except ListApiError as exc:
                raise ValueError(f"site {name!r}: {exc}") from None
        revisit = entry.get("revisit") or REVISIT[0]
        if revisit not in REVISIT:
            raise ValueError(f"site {name!r}: revisit {revisit!r} is not one of {', '.join(REVISIT)}")
        domains = [_host(sub(d)) for d in _as_list(entry.get("allowed_domains"))] or [_host(u) for u in start_urls]
        prefixes = [sub(p) for p in _as_list(entry.get("url_prefixes"))] or [default_prefix(u) for u in start_urls]
        concurrency = int(entry.get("concurrency") or DEFAULT_CONCURRENCY)
        delay = entry.get("download_delay")
        timeout = entry.get("download_timeout")
        max_bytes = entry.get("max_bytes")
        return cls(
            name=name,
            start_urls=start_urls,
            allowed_domains=tuple(dict.fromkeys(domains)),
            url_prefixes=tuple(dict.fromkeys(prefixes)),
            agency=entry.get("agency"),
            region=entry.get("region"),
            concurrency=max(1, concurrency),
            download_delay=DEFAULT_DOWNLOAD_DELAY if delay is None else max(0.0, float(delay)),
            download_timeout=DEFAULT_DOWNLOAD_TIMEOUT if timeout is None else max(1.0, float(timeout)),
            max_bytes=DEFAULT_MAX_BYTES if max_bytes is None else max(1024, int(max_bytes)),
            selectors=dict(entry.get("selectors") or {}),
            cms=cms,
            list_api=dict(list_api) if isinstance(list_api, Mapping) else None,
            revisit=revisit,
        )


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def load_sites(
    source: str | Path | Iterable[Mapping[str, Any]], *, portal: str | None = None, only: str | None = None
) -> list[Site]:
    """Sites from a JSON file (or already-parsed entries); `only` keeps the one site of that name."""
    entries = json.loads(Path(source).read_text("utf-8")) if isinstance(source, (str, Path)) else list(source)
    if isinstance(entries, Mapping):  # tolerate {"sites": [...]}
        entries = entries.get("sites", [])
    sites = [Site.from_dict(e, portal) for e in entries]
    names = [s.name for s in sites]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate site names in {source}")
    if only is not None:
        sites = [s for s in sites if s.name == only]
        if not sites:
            raise ValueError(f"no site named {only!r} (known: {', '.join(names)})")
    return sites
