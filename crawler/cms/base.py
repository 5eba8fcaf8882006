"""What every CMS family adapter shares: the page it reads, the requests it asks for, the listing it returns.

An adapter is pure: it gets a decoded answer (`Page`: HTML, XML or JSON text, its URL, the request's state) and
the site entry, and returns the report links it found and the further list requests to make (`ListRequest`:
GET or POST, form or JSON body). The spider does the fetching; `ogi sites check` calls the same code directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.cms.links import ReportLink, is_report_title, parse_date, parse_list_page

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# `var name = 12;`, `name: 12`, `var name = "12"` (page scripts declaring pager or API settings)
_JS_NUMBER = r"""\b{name}\s*[=:]\s*["']?(\d+)["']?"""


class SiteLike(Protocol):
    """What an adapter reads of a site entry (crawler.sites.Site): no import of it, so sites may import the adapters."""

    selectors: Mapping[str, str]
    cms: str | None
    list_api: Mapping[str, Any] | None


@dataclass(frozen=True)
class ListRequest:
    """A list request an adapter asks for: a page of the list, or a call of the site's list API."""

    url: str
    family: str  # the adapter that reads the answer
    method: str = "GET"
    form: Mapping[str, str] | None = None  # POST body, application/x-www-form-urlencoded
    json: Any = None  # POST body, application/json
    headers: Mapping[str, str] = field(default_factory=dict)
    state: Mapping[str, Any] = field(default_factory=dict)  # what the adapter needs to read the answer


@dataclass
class Listing:
    """What one list answer holds: report links (page order, deduplicated) and further list requests."""

    family: str
    reports: list[ReportLink] = field(default_factory=list)
    requests: list[ListRequest] = field(default_factory=list)

    def add_reports(self, links: list[ReportLink]) -> None:
        known = {r.url for r in self.reports}
        for link in links:
            if link.url not in known:
                known.add(link.url)
                self.reports.append(link)


@dataclass(frozen=True)
class Page:
    """A decoded list answer. `url` is the URL requested as configured (a start URL keeps its `#fragment`, which
    gkmlpt sites use for the column id); `state` is the `ListRequest.state` that asked for it."""

    text: str
    url: str
    content_type: str | None = None
    state: Mapping[str, Any] = field(default_factory=dict)

    def html(self) -> etree._Element | None:
        """The page as an lxml document (None when it does not parse)."""
        try:
            return lxml.html.document_fromstring(_XML_DECL.sub("", self.text, count=1))
        except (etree.ParserError, ValueError):
            return None

    def scripts(self) -> Iterator[str]:
        """The inline script texts of the page, in order."""
        doc = self.html()
        if doc is None:
            return
        for script in doc.iter("script"):
            if script.text:
                yield script.text

    def json(self) -> Any:
        """The answer as JSON (ValueError when it is not)."""
        return json.loads(self.text)


class Adapter:
    """One CMS family. `detect` says whether a first list page belongs to it; `read` reads any answer the
    family's requests get (the first page included). Subclasses set `name` and override both."""

    name: ClassVar[str]
    # Detection order: specific families first; `html` (plain lists) last, it accepts every page.
    priority: ClassVar[int] = 50

    def detect(self, page: Page) -> bool:
        raise NotImplementedError

    def read(self, page: Page, site: SiteLike) -> Listing:
        raise NotImplementedError

    # -- helpers shared by the HTML families

    def html_listing(self, page: Page, site: SiteLike) -> Listing:
        """The generic reading of an HTML list page: report anchors and pager anchors (crawler.cms.links)."""
        found = parse_list_page(page.text, page.url, site.selectors)
        listing = Listing(self.name, list(found.reports))
        listing.requests += [ListRequest(url, self.name) for url in found.pages]
        return listing


def page_requests(page: Page, files: list[str], family: str) -> list[ListRequest]:
    """GET requests for a pager's list files (`files[0]` = its first page), named relative to `page`, without the
    page itself: a column read at its directory URL (`…/zfxxgknb/`) is the first page."""
    here = urlsplit(page.url)._replace(fragment="").geturl()
    if here.endswith("/") and files:
        files = files[1:]
    urls = dict.fromkeys(urljoin(page.url, f) for f in files)
    return [ListRequest(u, family) for u in urls if u != here]


def js_number(text: str, *names: str) -> int | None:
    """The last integer assigned to one of `names` in script text (`var countPage = 21`, `totalRecord:224`)."""
    found: int | None = None
    for name in names:
        for m in re.finditer(_JS_NUMBER.replace("{name}", re.escape(name)), text):
            found = int(m[1])
    return found


def js_object(text: str) -> dict[str, str]:
    """A flat JS object literal's fields as strings: `{col:1,path:'http://x/',unitid:'7'}` -> {"col": "1", ...}."""
    out: dict[str, str] = {}
    for m in re.finditer(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""", text):
        out[m[1]] = next(v for v in (m[2], m[3], m[4]) if v is not None)
    return out


def links_from_fragment(html: str, base: str, site: SiteLike) -> list[ReportLink]:
    """Report links of an HTML fragment (a Hanweb record, an API answer's HTML)."""
    return parse_list_page(f"<html><body>{html}</body></html>", base, site.selectors).reports


def report_link(url: str | None, title: str | None, date: Any, base: str) -> ReportLink | None:
    """A report link from an API item: kept when its title names an annual report; `date` as text, ISO date or
    unix seconds (Asia/Shanghai calendar day)."""
    if not url or not title:
        return None
    title = " ".join(str(title).split())
    if not is_report_title(title):
        return None
    return ReportLink(urljoin(base, str(url).strip()), title, date_text(date))


def date_text(value: Any) -> str | None:
    """An ISO date from API date fields: unix seconds or milliseconds (China time), or a date string."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit() and len(value.strip()) >= 9):
        from datetime import UTC, datetime, timedelta

        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        return (datetime.fromtimestamp(seconds, UTC) + timedelta(hours=8)).date().isoformat()
    return parse_date(str(value))


def same_origin(url: str, other: str) -> bool:
    """Same host and port (http and https on their default ports count as one origin)."""
    return _origin(url) == _origin(other)


def _origin(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return (parts.hostname or "").lower(), 80 if port == 443 else port


def dig(obj: Any, path: str | None) -> Any:
    """The value at a dotted path in parsed JSON (`custom.data`, `data.list.0.title`); None when absent."""
    if not path:
        return None
    for key in path.split("."):
        if isinstance(obj, Mapping):
            obj = obj.get(key)
        elif isinstance(obj, list) and key.isdigit() and int(key) < len(obj):
            obj = obj[int(key)]
        else:
            return None
    return obj
