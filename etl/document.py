"""Decoded page -> a flat stream of rows (table rows and text lines) plus the page's metadata text.

Every input type ends up as the same `Doc`: HTML tables give one `Row` per `<tr>` with its cells in visual order
(no span expansion: a rowspan label appears once, on its first row); paragraphs, pipe-rendered lines and plain
text lines give rows too. The template mapper reads this stream without caring where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from etl import oneline
from etl.model import Issue
from etl.normalize import clean, normalize_text


@dataclass(slots=True)
class Row:
    cells: list[str]
    table: int | None = None  # index of the table this row belongs to; None for a text line
    index: int = 0  # row number within its table
    page: int | None = None

    @property
    def text(self) -> str:
        cells = self.cells
        if len(cells) == 1:  # a text line (most rows read as text)
            return cells[0] or ""
        return " ".join([c for c in cells if c])


@dataclass(slots=True)
class Doc:
    title: str | None
    rows: list[Row]
    head: list[str] = field(default_factory=list)  # lines outside the article body (metadata block, bylines)
    steps: list[str] = field(default_factory=list)  # normalisation applied
    head_before: int | None = None  # how many `head` lines come before the article body (None: all, or no body)
    issues: list[Issue] = field(default_factory=list)  # found while reading the rows (one-line tables: etl.oneline)

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
_BODY_MARK = "\ue000body\ue000"  # a private-use character line: never printed by a page (see html_doc)


# --- bounded work ----------------------------------------------------------------------------------
# A report page has a few thousand tags, rows and cells and well under 200,000 characters of text. Hostile or
# mistaken input (a log file, a spreadsheet export with a million cells, 10^5 nested tags) is cut at these limits,
# so that every later stage (mapping, narrative, meta) does bounded work; the cut is recorded in `Doc.steps` as
# "truncated:<what>". libxml2 itself stops at 256 levels of nesting, MAX_DEPTH guards the walker's recursion anyway.
MAX_TAGS = 400_000  # '<' in the markup: the rest is not handed to the HTML parser
MAX_TEXT = 8_000_000  # characters of a plain-text document
MAX_ROWS = 20_000  # a long report has about 2,000
MAX_CELLS = 250_000
MAX_CHARS = 1_000_000  # characters of row text, over all rows (a long report has about 100,000)
MAX_DEPTH = 200  # deeper elements are read as flat text
_MAX_BODY_HINTS = 2_000  # hinted containers examined by _find_body
_MAX_ATTR = 500  # characters of an id/class attribute matched against the body hints


class _Budget:
    """Rows, cells and characters left for one document; `cut` names the first limit reached."""

    __slots__ = ("rows", "cells", "chars", "cut")

    def __init__(self) -> None:
        self.rows, self.cells, self.chars = MAX_ROWS, MAX_CELLS, MAX_CHARS
        self.cut: str | None = None

    @property
    def full(self) -> bool:
        return self.cut is not None

    def take(self, cells: list[str]) -> list[str] | None:
        """The cells of one more row, shortened to what is left; None once a limit is reached."""
        if self.cut is not None:
            return None
        if self.rows <= 0:
            self.cut = f"rows>{MAX_ROWS}"
            return None
        if len(cells) > self.cells:
            cells = cells[: self.cells]
            self.cut = f"cells>{MAX_CELLS}"
        n = sum(map(len, cells))
        if n > self.chars:
            out, left = [], self.chars
            for c in cells:
                out.append(c[:left])
                left -= len(out[-1])
            cells = out
            self.cut = f"chars>{MAX_CHARS}"
        self.rows -= 1
        self.cells -= len(cells)
        self.chars -= min(n, self.chars)
        return cells


def _text_len(el: etree._Element) -> int:
    # libxml2's text serialisation: the same text as "".join(el.itertext()), without a Python string per text node
    return len(etree.tostring(el, method="text", encoding=str, with_tail=False).strip())


def _find_body(root: etree._Element) -> etree._Element | None:
    best, best_len = None, 0
    measured: set[etree._Element] = set()
    hinted = 0
    for el in root.iter("div", "td", "section", "article"):
        id_, class_ = el.get("id"), el.get("class")
        if not (id_ or class_):
            continue
        attrs = (f"{id_} {class_}" if id_ and class_ else id_ or class_)[:_MAX_ATTR]
        if _BODY_HINTS.search(attrs):
            hinted += 1
            if hinted > _MAX_BODY_HINTS:  # a page has a handful; thousands are a list or an attack
                break
            # A hinted container inside a measured one holds a part of its text and can never be larger: skipping
            # it keeps the work linear in the page size on nested containers.
            if measured and any(a in measured for a in el.iterancestors()):
                continue
            measured.add(el)
            n = _text_len(el)
            # prefer the largest hinted container, but not a page-wide wrapper that also holds the menus
            if n > best_len:
                best, best_len = el, n
    return best


# CJK ideographs, CJK punctuation and full-width forms. A space printed between two of them, or between one of them
# and a digit, is layout (a label broken over two <p> lines of a cell), not a word gap: `2013 年度` -> `2013年度`.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}\d])|(?<=\d)\s+(?=[{_CJK}])")


def _cell_text(cell: etree._Element) -> str:
    """A cell's text as printed: inline elements (the <span>s a CMS splits a label into) join with nothing; a
    block element or <br> is a line break, i.e. a space, dropped again next to CJK text (kept between Latin words)."""
    if len(cell) == 0:  # the common case: a bare figure or label
        text = clean(cell.text or "")
    else:
        parts: list[str] = []
        # iterwalk, not recursion: no depth limit on hostile nesting. A comment or processing instruction comes as
        # one event of its own: only its tail is text.
        for event, el in etree.iterwalk(cell, events=("start", "end", "comment", "pi")):
            if event == "start":
                if el.tag in _BLOCK or el.tag == "br":
                    parts.append(" ")
                if el.text:
                    parts.append(el.text)
            elif el is not cell:
                if event == "end" and el.tag in _BLOCK:
                    parts.append(" ")
                if el.tail:
                    parts.append(el.tail)
        text = clean("".join(parts))
    return _CJK_GAP.sub("", text) if " " in text else text


def _table_rows(table: etree._Element, budget: _Budget) -> list[list[str]]:
    rows = []
    for tr in table.iter("tr"):
        # rows of nested tables are never reached here: callers pass leaf tables only
        # (a comment's or processing instruction's tag is a function, never equal to "td" or "th")
        cells = [_cell_text(td) for td in tr if td.tag in ("td", "th")]
        # a row of blank cells is kept: a data row printed blank (section 四's 15 cells) holds null values; only a
        # spacer (no cell, or a single empty one) is dropped
        if any(cells) or len(cells) > 1:
            taken = budget.take(cells)
            if taken is None:
                break
            rows.append(taken)
    return rows


class _Walker:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.buf: list[str] = []
        self.ntables = 0
        self.budget = _Budget()

    def flush(self) -> None:
        buf = self.buf
        if not buf:  # most calls: a block element right after another one
            return
        text = " ".join("".join(buf).split())  # normalize.clean, inline: called for every block element
        buf.clear()
        if text:
            taken = self.budget.take([text])
            if taken is not None:
                self.rows.append(Row(taken))

    def walk(self, el: etree._Element, depth: int = 0) -> None:
        if self.budget.cut is not None:
            return
        tag = el.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            tag = ""
        if depth > MAX_DEPTH:
            self.buf.append("".join(el.itertext()))
        elif tag == "table" and not any(True for _ in el.iter("table") if _ is not el):
            self.flush()
            t = self.ntables
            self.ntables += 1
            for i, cells in enumerate(_table_rows(el, self.budget)):
                self.rows.append(Row(cells, table=t, index=i))
        elif tag == "br":
            self.flush()
        else:
            block = tag in _BLOCK
            if block:
                self.flush()
            buf = self.buf
            if tag:
                text = el.text
                if text:
                    buf.append(text)
            for child in el:
                self.walk(child, depth + 1)
                tail = child.tail
                if tail:
                    buf.append(tail)
            if block:
                self.flush()


def _lines_of(el: etree._Element) -> list[str]:
    w = _Walker()
    w.walk(el)
    w.flush()
    return [r.text for r in w.rows]


def _cut_markup(text: str) -> str | None:
    """The markup up to the MAX_TAGS-th '<', or None when it has fewer."""
    if text.count("<") <= MAX_TAGS:
        return None
    rest = text.split("<", MAX_TAGS)[-1]
    return text[: len(text) - len(rest) - 1]


def _drop_tree(el: etree._Element) -> None:
    """Remove an element and its children but keep its tail text (lxml.html's `drop_tree`)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


def html_doc(text: str) -> Doc:
    text = _XML_DECL.sub("", text, count=1)
    cut = _cut_markup(text)
    if cut is not None:
        text = cut
    text, steps = normalize_text(text)
    if cut is not None:
        steps.append(f"truncated:tags>{MAX_TAGS}")
    # libxml2's HTML parser as lxml.html uses it, but with plain elements: lxml.html's per-element class lookup
    # costs more than the parse itself on a walk over every cell. None when there is no element at all.
    root = etree.HTML(text) if text.strip() else None
    if root is None:
        return Doc(None, [], steps=steps)
    for bad in list(root.iter(*_DROP)):  # document order, as the XPath union gave them
        _drop_tree(bad)
    etree.strip_elements(root, etree.Comment, with_tail=False)
    title_el = root.find(".//title")
    title = clean("".join(title_el.itertext())) if title_el is not None else None
    body = _find_body(root)
    container = body if body is not None else (root.find("body") if root.find("body") is not None else root)
    w = _Walker()
    w.walk(container)
    w.flush()
    if w.budget.cut:
        steps.append(f"truncated:{w.budget.cut}")
    head: list[str] = []
    head_before: int | None = None
    if body is not None:
        # The metadata block (索引号, 发布机构, 成文日期) and the article title sit outside the body container. A
        # marker (inline: the lines read as without the body) takes the body's place, to tell the lines above the
        # article (its title) from those below (related links).
        marker = etree.Element("span")
        marker.text = _BODY_MARK
        marker.tail = body.tail
        parent = body.getparent()
        if parent is not None:
            parent.replace(body, marker)
        b = root.find("body")
        head = _lines_of(b if b is not None else root)
        at = next((i for i, line in enumerate(head) if _BODY_MARK in line), None)
        if at is not None:
            line = clean(head[at].replace(_BODY_MARK, " "))
            head_before = at + 1 if line and not head[at].startswith(_BODY_MARK) else at
            if line:
                head[at] = line
            else:
                del head[at]
    return Doc(title, w.rows, head=head, steps=steps, head_before=head_before)


# --- plain text ------------------------------------------------------------------------------------


# A list bullet opening a text line: `•`/`·` before any text, `-`/`*` before a space and text that is not a number.
# Never a sign (`-3`, 本年增/减) or a lone `-` (a blank cell printed as a dash).
_BULLET = re.compile(r"^(?:[•·]+\s*(?=\S)|[-*]\s+(?=[^\s\d.\-]))")


def text_doc(text: str) -> Doc:
    """Plain text as published: pipe-rendered table lines (`a | b | c |`), one cell per line, flattened rows, or
    whole tables run together on one line (`etl.oneline`: rebuilt as table rows, with their issues)."""
    cut = len(text) > MAX_TEXT
    text, steps = normalize_text(text[:MAX_TEXT] if cut else text)
    if cut:
        steps.append(f"truncated:text>{MAX_TEXT}")
    budget = _Budget()
    rows: list[Row] = []
    issues: list[Issue] = []
    table = -1
    in_table = False
    index = 0  # row number within the current table
    oneline_left = oneline.MAX_DOC_CHARS  # bounded work: lines past it are read as plain lines
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        one = None
        if oneline_left > 0 and "|" not in line and oneline.candidate(line):
            oneline_left -= len(line)
            one = oneline.read_line(line)
        if one is not None:
            in_table = False
            issues.extend(one.issues)
            for piece in one.pieces:
                if piece.rows is None:
                    taken = budget.take([clean(piece.text or "")])
                    if taken is None:
                        break
                    rows.append(Row(taken))
                    continue
                table += 1
                for i, cells in enumerate(piece.rows):
                    taken = budget.take(cells)
                    if taken is None:
                        break
                    rows.append(Row(taken, table=table, index=i))
            if budget.full:
                break
            continue
        if "|" in line:
            cells = [clean(c) for c in line.split("|")]
            if line.endswith("|"):
                cells = cells[:-1]
            if not in_table:
                table += 1
                in_table = True
                index = 0
            taken = budget.take(cells)
            if taken is None:
                break
            rows.append(Row(taken, table=table, index=index))
            index += 1
        else:
            in_table = False
            taken = budget.take([clean(_BULLET.sub("", line, count=1))])
            if taken is None:
                break
            rows.append(Row(taken))
    if budget.cut:
        steps.append(f"truncated:{budget.cut}")
    return Doc(None, rows, steps=steps, issues=issues)


_BLOCK_TAG = re.compile(r"<(p|div|table|span|td)[\s>]")


def looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head or (
        head.count("<") > 5 and _BLOCK_TAG.search(head) is not None
    )
