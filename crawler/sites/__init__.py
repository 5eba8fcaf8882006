"""Site configuration: which list pages to crawl, how politely, and which URLs belong to a site.

The `*.json` files here hold a list of site entries:
`{name, start_urls, allowed_domains, agency, region, concurrency, download_delay, selectors}` plus the optional
`url_prefixes`. URLs may contain `{portal}`, replaced by the demo portal's base URL. `selectors` is optional:
`{"list_links": css, "next_page": css, "date": css}` (the date selector is evaluated inside a link's row).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

SITES_DIR = Path(__file__).parent
DEMO_SITES = SITES_DIR / "demo.json"

DEFAULT_CONCURRENCY = 2
DEFAULT_DOWNLOAD_DELAY = 0.5
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_path(url: str) -> tuple[str, str]:
    """(host:port, path) of a URL, percent-encoded and with the default port made explicit."""
    parts = urlsplit(safe_url_string(url))
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    return f"{(parts.hostname or '').lower()}:{port}", parts.path or "/"


def default_prefix(start_url: str) -> str:
    """The site's URL prefix guessed from a start URL: its first directory (`/<site>/`), else the host root."""
    parts = urlsplit(start_url)
    segments = (parts.path or "/").lstrip("/").split("/")
    path = f"/{segments[0]}/" if len(segments) > 1 and segments[0] else "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


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
    selectors: Mapping[str, str] = field(default_factory=dict)

    def in_scope(self, url: str) -> bool:
        """Whether `url` is on an allowed domain and under one of the site's URL prefixes."""
        origin, path = _origin_path(url)
        host = origin.rsplit(":", 1)[0]
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return False
        for prefix in self.url_prefixes:
            p_origin, p_path = _origin_path(prefix)
            if origin == p_origin and path.startswith(p_path):
                return True
        return False

    @classmethod
    def from_dict(cls, entry: Mapping[str, Any], portal: str | None = None) -> Site:
        """Build a site from a config entry, substituting `{portal}`; unknown keys are ignored."""

        def sub(value: str) -> str:
            if "{portal}" in value:
                if not portal:
                    raise ValueError(f"site {entry.get('name')!r} uses {{portal}} but no portal URL was given")
                return value.replace("{portal}", portal.rstrip("/"))
            return value

        name = str(entry["name"])
        start_urls = tuple(sub(u) for u in _as_list(entry.get("start_urls")))
        if not start_urls:
            raise ValueError(f"site {name!r} has no start_urls")
        domains = [_host(sub(d)) for d in _as_list(entry.get("allowed_domains"))] or [_host(u) for u in start_urls]
        prefixes = [sub(p) for p in _as_list(entry.get("url_prefixes"))] or [default_prefix(u) for u in start_urls]
        concurrency = int(entry.get("concurrency") or DEFAULT_CONCURRENCY)
        delay = entry.get("download_delay")
        return cls(
            name=name,
            start_urls=start_urls,
            allowed_domains=tuple(dict.fromkeys(domains)),
            url_prefixes=tuple(dict.fromkeys(prefixes)),
            agency=entry.get("agency"),
            region=entry.get("region"),
            concurrency=max(1, concurrency),
            download_delay=DEFAULT_DOWNLOAD_DELAY if delay is None else max(0.0, float(delay)),
            selectors=dict(entry.get("selectors") or {}),
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
