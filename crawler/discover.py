"""Find a government site's 年报 column from its home page and check site entries (`ogi sites add`, `ogi sites check`).

The page analysis is pure (`report_columns`, `disclosure_pages`, `site_entry`); `fetch` is the one network call, a
plain GET of one page with the crawler's User-Agent, a timeout and a size cap (a handful of pages per command, so no
crawl machinery; the crawl itself is Scrapy).
"""

from __future__ import annotations

import re
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.cms import Listing, Page, detect, read_list
from crawler.settings import USER_AGENT
from crawler.sites import Site
from etl.decode import decode_html
from etl.normalize import to_simplified

MAX_PAGE_BYTES = 10 * 1024 * 1024
TIMEOUT = 30.0
# Link texts of the annual-report column (not of one report: those carry a year).
_COLUMN = re.compile(r"(?:政府)?信息公开(?:工作)?(?:年度报告|年报)|^年度报告$|^年报$|^(?:工作)?年报$|公开年报|年度报告专栏")
# Link texts of the 信息公开 pages that hold the column.
_DISCLOSURE = re.compile(r"^(?:政府)?信息公开$|^政务公开$|信息公开(?:目录|专栏|平台|网)$|^法定主动公开内容$|^政府信息公开$")
_SITE_NAME_META = ("SiteName", "sitename", "Author")
_YEAR = re.compile(r"(?:19|20)\d{2}")


class FetchError(OSError):
    """A page could not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked for (fragment kept)
    final_url: str
    text: str
    content_type: str | None


Fetcher = Callable[[str], Fetched]


def fetch(url: str, timeout: float = TIMEOUT) -> Fetched:
    """GET one page (at most MAX_PAGE_BYTES), decoded like the crawler decodes (etl.decode)."""
    request = urllib.request.Request(urldefrag(url)[0], headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) checked by callers
            body = response.read(MAX_PAGE_BYTES + 1)
            ctype = response.headers.get("Content-Type")
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"{url}: {getattr(exc, 'reason', exc)}") from None
    if len(body) > MAX_PAGE_BYTES:
        raise FetchError(f"{url}: larger than {MAX_PAGE_BYTES} bytes")
    text, _, _ = decode_html(body, ctype)
    return Fetched(url, final, text, ctype)


def _norm(text: str) -> str:
    """NFKC, no whitespace, simplified script (mirror sites print 政府信息公開年度報告)."""
    return to_simplified("".join(unicodedata.normalize("NFKC", text).split()))


def _anchors(html: str, url: str) -> list[tuple[str, str]]:
    """(absolute URL, link text or title) of every http(s) anchor, in page order."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    out = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        target = urljoin(url, href)
        if urlsplit(target).scheme in ("http", "https"):
            out.append((target, _norm(a.text_content()) or _norm(a.get("title") or "")))
    return out


def report_columns(html: str, url: str) -> list[str]:
    """Links to a 年报 column (`政府信息公开年报`, `政府信息公开年度报告`, `年度报告`): a column's name carries no year, so
    never a report's link nor one of a document about a report (`《…2022年…年度报告》解读`)."""
    found = [u for u, text in _anchors(html, url) if _COLUMN.search(text) and not _YEAR.search(text)]
    return list(dict.fromkeys(found))


def disclosure_pages(html: str, url: str) -> list[str]:
    """Links to 信息公开 / 政务公开 pages, where a home page keeps the 年报 column one level down."""
    found = [u for u, text in _anchors(html, url) if _DISCLOSURE.search(text)]
    return list(dict.fromkeys(u for u in found if urldefrag(u)[0] != urldefrag(url)[0]))


def site_title(html: str) -> str | None:
    """The site's name: `<meta name="SiteName">`, else the page title's last part (`首页_XX市人民政府`)."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for name in _SITE_NAME_META:
        for content in doc.xpath(f"//meta[@name='{name}']/@content"):
            if content.strip():
                return content.strip()
    title = " ".join(doc.xpath("string(//title)").split())
    parts = [p for p in re.split(r"[_|\-—–]+", title) if p.strip()]
    return parts[-1].strip() if parts else None


@dataclass
class SiteCheck:
    """What a site's first list page (and, for script-app families, the first API page) shows."""

    name: str
    url: str
    family: str | None = None
    reports: list[str] = field(default_factory=list)
    pages: int = 0  # further list requests (pages, record windows, API pages)
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"{self.name}: FAILED: {self.error}"
        return f"{self.name}: {self.family}: {len(self.reports)} report link(s), {self.pages} more list request(s) ({self.url})"


def _read(fetched: Fetched, site: Site, family: str | None = None) -> Listing:
    page = Page(fetched.text, _keep_fragment(fetched), fetched.content_type)
    return read_list(page, site, family)


def _keep_fragment(fetched: Fetched) -> str:
    fragment = urlsplit(fetched.url).fragment
    return f"{urldefrag(fetched.final_url)[0]}#{fragment}" if fragment else fetched.final_url


def check_site(site: Site, fetcher: Fetcher = fetch) -> SiteCheck:
    """Fetch a site's first list page, read it with its family and count what it links; for families whose
    list is only an API (gkmlpt, json) also the API's first page. Never raises: a failure is `error`."""
    url = site.start_urls[0]
    check = SiteCheck(site.name, url)
    try:
        first = fetcher(url)
        page = Page(first.text, _keep_fragment(first), first.content_type)
        check.family = site.cms or detect(page)
        listing = read_list(page, site, check.family)
        check.reports = [r.url for r in listing.reports if site.in_scope(r.url)]
        requests = listing.requests
        api = [r for r in requests if r.state.get("part") == "api" and r.method == "GET"]
        if api and not check.reports:  # an app shell: its list is the API's first page
            answer = fetcher(api[0].url)
            more = read_list(Page(answer.text, api[0].url, answer.content_type, api[0].state), site, check.family)
            check.reports = [r.url for r in more.reports if site.in_scope(r.url)]
            requests = more.requests
        check.pages = len(requests)
    except Exception as exc:  # noqa: BLE001 - a check reports every failure as a line, never a traceback
        check.error = str(exc) if isinstance(exc, FetchError) else f"{type(exc).__name__}: {exc}"
    return check


@dataclass
class Discovery:
    """Where `ogi sites add` found the 年报 column, and what it saw there."""

    column: str
    home: Fetched
    check: SiteCheck
    visited: list[str]


def find_column(url: str, fetcher: Fetcher = fetch, *, max_pages: int = 4) -> Discovery:
    """From a home page, a 信息公开 page or the column itself, find the 年报 column and check it.

    Order: the given page when it already lists reports; a 年报 column link on it; a 年报 column link on one of
    its 信息公开 pages (at most `max_pages` fetched). Raises LookupError with what was tried when none is found.
    """
    home = fetcher(url)
    probe = Site.from_dict({"name": "probe", "start_urls": [url]})
    visited = [url]
    if _read(home, probe).reports:
        return Discovery(url, home, check_site(probe, _once(fetcher, home)), visited)
    candidates = report_columns(home.text, home.final_url)
    if not candidates:
        for page_url in disclosure_pages(home.text, home.final_url)[:max_pages]:
            visited.append(page_url)
            try:
                page = fetcher(page_url)
            except FetchError:
                continue
            if _read(page, Site.from_dict({"name": "probe", "start_urls": [page_url]})).reports:
                candidates = [page_url]  # the 信息公开 link leads to the column itself
            else:
                candidates = report_columns(page.text, page.final_url)
            if candidates:
                break
    for column in candidates[:max_pages]:
        site = Site.from_dict({"name": "probe", "start_urls": [column]})
        check = check_site(site, fetcher)
        visited.append(column)
        if check.error is None:
            return Discovery(column, home, check, visited)
    raise LookupError(f"no 年报 column found from {url} (looked at: {', '.join(visited)})")


def _once(fetcher: Fetcher, fetched: Fetched) -> Fetcher:
    """A fetcher that answers `fetched.url` from memory (the page was just fetched)."""
    return lambda u: fetched if u == fetched.url else fetcher(u)


def site_name(url: str) -> str:
    """A site name from a URL: the host without www/gov.cn (`hdzfxxgk.hd`); for an IP host, the first path part."""
    parts = urlsplit(url)
    host = (parts.hostname or "site").lower()
    if re.fullmatch(r"[\d.]+|\[[0-9a-f:]+\]|localhost", host):
        first = next((p for p in parts.path.split("/") if p), "")
        return re.sub(r"[^A-Za-z0-9_.-]", "-", first)[:64] or "site"
    labels = [p for p in host.split(".") if p not in ("www", "gov", "cn", "com", "net", "org")]
    return ".".join(labels)[:64] or host[:64]


def scope_prefix(given: str, column: str) -> str | None:
    """The URL scope for a site added from `given`: the given URL's directory when the column lies under it and
    it is not the host root (a department site under a path, `/zqhjj/`), else None (the default: the host)."""
    g, c = urlsplit(given), urlsplit(column)
    directory = g.path if g.path.endswith("/") else g.path.rsplit("/", 1)[0] + "/"
    if directory == "/" or (g.hostname, g.port) != (c.hostname, c.port) or not c.path.startswith(directory):
        return None
    return f"{g.scheme}://{g.netloc}{directory}"


def site_entry(
    discovery: Discovery, given_url: str, *, name: str | None, agency: str | None, region: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The site entry `ogi sites add` writes (only what is needed; `cms` as detected)."""
    entry: dict[str, Any] = {
        "name": name or site_name(given_url),
        "start_urls": [discovery.column],
        "agency": agency or site_title(discovery.home.text),
        "region": dict(region) if region else None,
        "cms": discovery.check.family,
    }
    prefix = scope_prefix(given_url, discovery.column)
    if prefix:
        entry["url_prefixes"] = [prefix]
    return entry


def merge_entries(existing: Iterable[Mapping[str, Any]], entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`existing` with `entry` added, replacing an entry of the same name (order kept)."""
    out = [dict(e) for e in existing if e.get("name") != entry["name"]]
    return [*out, dict(entry)]
