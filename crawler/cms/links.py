"""Links on list pages, pure (decoded HTML str in, links out; no Scrapy, no I/O): which anchors name annual
reports (`is_report_title`), the date printed next to each, and the generic pager anchors. Every CMS family
(crawler.cms) starts from these and adds its own paging."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import islice
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from etl.identify import about_a_report, is_report_title

__all__ = ["ListPage", "ReportLink", "is_report_title", "parse_date", "parse_list_page"]

_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
# Pager anchor texts (not 首页: on most sites that is the home page, not the list's first page).
_PAGER_WORDS = {"下一页", "下页", "后页", "尾页", "末页", "最后一页", "上一页", "上页", "前页", ">", ">>", "»"}
_PAGER_WORDS |= {w.replace("页", "頁").replace("后", "後") for w in _PAGER_WORDS}
_PAGE_NUMBER = re.compile(r"^\[?\d{1,4}\]?$")
_PAGE_FILE = re.compile(r"/(?:index|list|default)_\d+\.s?html?$", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_ROW_DEPTH = 4
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:")


def _norm(text: str) -> str:
    """Full-width digits/letters to ASCII and whitespace collapsed (for matching and for stored titles)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def parse_date(text: str) -> str | None:
    """The first valid `YYYY-MM-DD` / `YYYY/MM/DD` / `YYYY.MM.DD` / `YYYY年M月D日` date in `text`, as ISO."""
    for m in _DATE.finditer(_norm(text)):
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class ReportLink:
    """A link to a report found on a list page."""

    url: str
    title: str
    list_date: str | None = None


@dataclass(frozen=True)
class ListPage:
    """What a list page links to: reports (in page order, deduplicated) and further list pages."""

    reports: list[ReportLink] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


@cache
def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def _href(a: etree._Element, base: str) -> str | None:
    href = (a.get("href") or "").strip()
    if not href or href.startswith("#") or href.lower().startswith(_SKIP_SCHEMES):
        return None
    return urldefrag(urljoin(base, href))[0]


def _anchors(elements: Iterable[etree._Element]) -> Iterator[etree._Element]:
    """Anchors among (or inside) selected elements."""
    for el in elements:
        if el.tag == "a":
            yield el
        else:
            yield from el.iter("a")


def _title(a: etree._Element, text: str | None = None) -> str | None:
    """The report title of an anchor: the title attribute (often the untruncated title) or the text (`text`: the
    anchor's text, normalized, when already read).

    Either one naming a notice rejects the link: a truncated text can hide the `…的通知` that the attribute shows.
    """
    attribute = a.get("title") or ""
    candidates = [_norm(attribute)] if attribute.strip() else []
    if text is None:
        raw = a.text_content()
        text = _norm(raw) if raw.strip() else ""
    if text:
        candidates.append(text)
    if any(about_a_report(t) for t in candidates):
        return None
    return next((t for t in candidates if is_report_title(t)), None)


def _link_date(a: etree._Element, reports: Mapping[etree._Element, str], selectors: Mapping[str, str]) -> str | None:
    """The date printed next to a report link.

    Looked for in the link's row: the nearest ancestor (up to `_ROW_DEPTH` levels: li, tr, `<dl><dd>link</dd>
    <dd>date</dd></dl>` ...) whose non-link text holds a date, stopping before an ancestor that links another
    report (that date could be the other report's); then in the text right after the link. `reports` maps the
    page's report anchors to their URLs.
    """
    for anc in islice(a.iterancestors(), _ROW_DEPTH):
        if len({reports[x] for x in anc.iter("a") if x in reports}) > 1:
            break
        if "date" in selectors:
            found = next((d for el in _css(selectors["date"])(anc) if (d := parse_date(el.text_content()))), None)
        else:
            found = parse_date(" ".join(anc.xpath(".//text()[not(ancestor::a)]")))
        if found:
            return found
    texts = [a.tail or ""]
    for sib in a.itersiblings():
        if sib.tag == "a" or (isinstance(sib.tag, str) and next(sib.iter("a"), None) is not None):
            break
        texts += [sib.text_content() if isinstance(sib.tag, str) else "", sib.tail or ""]
    return parse_date(" ".join(texts))


def _parse(html: str) -> etree._Element | None:
    try:
        return lxml.html.document_fromstring(_XML_DECL.sub("", html, count=1))
    except (etree.ParserError, ValueError):
        return None


def parse_list_page(html: str, url: str, selectors: Mapping[str, str] | None = None) -> ListPage:
    """Report links and pagination links of a decoded list page at `url`.

    `selectors` (optional): `list_links` narrows the anchors considered as reports (titles are still checked,
    so notices about reports stay out), `next_page` replaces the generic pagination rules, `date` picks the
    date inside a link's row.
    """
    selectors = selectors or {}
    doc = _parse(html)
    if doc is None:
        return ListPage()
    base = urljoin(url, (doc.xpath("//base/@href") or [""])[0].strip())

    # each anchor's link and text are read once: both the report rule and the pager rule look at them
    hrefs: dict[etree._Element, str | None] = {}
    texts: dict[etree._Element, str] = {}

    def href_of(a: etree._Element) -> str | None:
        if a not in hrefs:
            hrefs[a] = _href(a, base)
        return hrefs[a]

    def text_of(a: etree._Element) -> str:
        if a not in texts:
            texts[a] = _norm(a.text_content())
        return texts[a]

    scope = _anchors(_css(selectors["list_links"])(doc)) if "list_links" in selectors else doc.iter("a")
    found = [(a, href, title) for a in scope if (href := href_of(a)) and (title := _title(a, text_of(a)))]
    anchors = {a: href for a, href, _ in found}
    reports: dict[str, ReportLink] = {}
    for a, href, title in found:
        if href not in reports:
            reports[href] = ReportLink(href, title, _link_date(a, anchors, selectors))

    pages: dict[str, None] = {}
    if "next_page" in selectors:
        pages.update((h, None) for a in _anchors(_css(selectors["next_page"])(doc)) if (h := _href(a, base)))
    else:
        for a in doc.iter("a"):
            href = href_of(a)
            if not href:
                continue
            text = text_of(a)
            if text in _PAGER_WORDS or _PAGE_NUMBER.match(text) or _PAGE_FILE.search(href.split("?")[0]):
                pages[href] = None
    return ListPage(list(reports.values()), [p for p in pages if p not in reports and p != urldefrag(url)[0]])
