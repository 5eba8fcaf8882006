"""Decoded page -> a flat stream of rows (table rows and text lines) plus the page's metadata text.

Every input type ends up as the same `Doc`: HTML tables give one `Row` per `<tr>` with its cells in visual order
(no span expansion: a rowspan label appears once, on its first row); paragraphs, pipe-rendered lines and plain
text lines give rows too. The template mapper reads this stream without caring where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from etl.normalize import clean, normalize_text


@dataclass(slots=True)
class Row:
    cells: list[str]
    table: int | None = None  # index of the table this row belongs to; None for a text line
    index: int = 0  # row number within its table
    page: int | None = None

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)


@dataclass(slots=True)
class Doc:
    title: str | None
    rows: list[Row]
    head: list[str] = field(default_factory=list)  # lines outside the article body (metadata block, bylines)
    steps: list[str] = field(default_factory=list)  # normalisation applied

    def lines(self) -> list[str]:
        return [r.text for r in self.rows if r.table is None]


# --- HTML ------------------------------------------------------------------------------------------

_BODY_HINTS = re.compile(
    r"(^|[\s_-])(zoom|trs_editor|article[_-]?content|article[_-]?con|xl[_-]?con|content[_-]?text|con[_-]?text|"
    r"detail[_-]?content|news[_-]?content|text[_-]?content|view[_-]?content|art[_-]?con|contentbox|"
    r"custom_unionstyle|main[_-]?text|pages_content|wzcon|nr|zw)($|[\s_-])",
    re.I,
)
_DROP = ("script", "style", "noscript", "select", "option", "button", "iframe", "svg", "template")
_BLOCK = {
    "p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "tr", "td", "th", "table", "tbody", "thead", "tfoot", "blockquote", "pre", "center", "form", "header",
    "footer", "nav", "aside", "main", "caption", "hr", "address", "figure", "figcaption",
}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)


def _text_len(el: etree._Element) -> int:
    return len("".join(el.itertext()).strip())


def _find_body(root: etree._Element) -> etree._Element | None:
    best, best_len = None, 0
    for el in root.iter("div", "td", "section", "article"):
        attrs = " ".join(filter(None, (el.get("id"), el.get("class"))))
        if attrs and _BODY_HINTS.search(attrs):
            n = _text_len(el)
            # prefer the largest hinted container, but not a page-wide wrapper that also holds the menus
            if n > best_len:
                best, best_len = el, n
    return best


def _cell_text(cell: etree._Element) -> str:
    return clean(" ".join(t for t in cell.itertext()))


def _table_rows(table: etree._Element) -> list[list[str]]:
    rows = []
    for tr in table.iter("tr"):
        # rows of nested tables are never reached here: callers pass leaf tables only
        cells = [_cell_text(td) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        if any(cells):
            rows.append(cells)
    return rows


class _Walker:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.buf: list[str] = []
        self.ntables = 0

    def flush(self) -> None:
        text = clean("".join(self.buf))
        self.buf.clear()
        if text:
            self.rows.append(Row([text]))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table" and not any(True for _ in el.iter("table") if _ is not el):
            self.flush()
            t = self.ntables
            self.ntables += 1
            for i, cells in enumerate(_table_rows(el)):
                self.rows.append(Row(cells, table=t, index=i))
        elif tag == "br":
            self.flush()
        else:
            block = tag in _BLOCK
            if block:
                self.flush()
            if el.text and tag:
                self.buf.append(el.text)
            for child in el:
                self.walk(child)
                if child.tail:
                    self.buf.append(child.tail)
            if block:
                self.flush()


def _lines_of(el: etree._Element) -> list[str]:
    w = _Walker()
    w.walk(el)
    w.flush()
    return [r.text for r in w.rows]


def html_doc(text: str) -> Doc:
    text, steps = normalize_text(_XML_DECL.sub("", text, count=1))
    root = lxml.html.document_fromstring(text) if text.strip() else None
    if root is None:
        return Doc(None, [], steps=steps)
    for bad in root.xpath("|".join(f"//{t}" for t in _DROP)):
        bad.drop_tree()
    etree.strip_elements(root, etree.Comment, with_tail=False)
    title_el = root.find(".//title")
    title = clean(title_el.text_content()) if title_el is not None else None
    body = _find_body(root)
    container = body if body is not None else (root.find("body") if root.find("body") is not None else root)
    w = _Walker()
    w.walk(container)
    w.flush()
    head: list[str] = []
    if body is not None:
        # The metadata block (索引号, 发布机构, 成文日期) and the article title sit outside the body container.
        body.drop_tree()
        b = root.find("body")
        head = _lines_of(b if b is not None else root)
    return Doc(title, w.rows, head=head, steps=steps)


# --- plain text ------------------------------------------------------------------------------------


def text_doc(text: str) -> Doc:
    """Plain text as published: pipe-rendered table lines (`a | b | c |`) or one cell per line."""
    text, steps = normalize_text(text)
    rows: list[Row] = []
    table = -1
    in_table = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if "|" in line:
            cells = [clean(c) for c in line.split("|")]
            if line.endswith("|"):
                cells = cells[:-1]
            if not in_table:
                table += 1
                in_table = True
            rows.append(Row(cells, table=table, index=len([r for r in rows if r.table == table])))
        else:
            in_table = False
            rows.append(Row([clean(line.lstrip("-•·*").strip())]))
    return Doc(None, rows, steps=steps)


def looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head or (
        head.count("<") > 5 and re.search(r"<(p|div|table|span|td)[\s>]", head) is not None
    )
