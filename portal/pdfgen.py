"""A generated report (the `portal.blocks` list) written as a real PDF, for the PDF reader's round trips.

The text is set in the CJK font that ships inside PyMuPDF (Droid Sans Fallback, embedded as a subset), so text
extraction gives back the characters written. Paragraphs are justified with a two-character first-line indent,
headings are not indented, the title is centred and larger. Layout quirks of real report PDFs are options:

- `ruled=False`: tables drawn without any line, cells known only by where their text sits;
- `wrap=True`: narrow label columns, so labels wrap over two or more lines (printed breaks of the HTML, such as
  `本年新<br/>制作数量`, are always kept);
- tables continue across pages under a page footer (`footer="第 {n} 页"`, also `{total}`), optionally with the
  table's header rows repeated on each page it continues on (`repeat_header=True`) and a running header line;
- `vertical=True`: tall merged cells (three rows or more) print their label one character per line;
- `scanned=True`: every page rendered to an image, and the PDF built from the images only (no text layer).

Merged cells print their text once, centred in the merged area (`valign="top"` prints it at the top, as Word
does by default; that is the default of unruled tables, whose merged areas cannot be seen). A merged cell that a
page break splits prints its text in its first part, and the break moves up rather than cut through a label that
would not fit. Output is deterministic: fixed metadata, no random document id.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pymupdf

from portal.blocks import Block, Para, Placed, Table, placements

A4 = (595.0, 842.0)
_FIXED_DATE = "D:20240101000000+08'00'"
_NUMBER = re.compile(r"^\s*[-+]?[\d,]*\.?\d+\s*(?:余|多)?\s*$")
_BLANK = {"", "—", "——", "-", "－", "/", "／"}
_FIGURE = re.compile(r"^\s*[-+]?[\d,]*\.?\d+\s*(?:余|多)?\s*(?:万元|元|条|件|个|次|人次|项|篇)?\s*$")  # with its unit
# kinsoku: never at the start of a line / never at the end of a line
_NO_START = set("，。、；：？！）》」』”’〕】％,.;:?!)%·")
_NO_END = set("（《「『“‘〔【(")
_TOKEN = re.compile(r"[A-Za-z0-9.,%+\-_/:@]+|\s+|.", re.DOTALL)


@cache
def _font() -> pymupdf.Font:
    return pymupdf.Font("cjk")  # Droid Sans Fallback, built into PyMuPDF: no system font needed


def _width(text: str, size: float) -> float:
    return _font().text_length(text, size)


def _is_value(text: str) -> bool:
    t = text.strip()
    return t in _BLANK or _NUMBER.match(t) is not None


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: ASCII runs, single CJK characters; closing punctuation glued to what precedes it,
    opening punctuation to what follows."""
    raw = _TOKEN.findall(text)
    out: list[str] = []
    carry = ""
    for tok in raw:
        if tok.isspace():
            if carry:
                out.append(carry)
                carry = ""
            out.append(" ")
            continue
        if carry:
            tok = carry + tok
            carry = ""
        if tok[-1] in _NO_END and len(tok) == 1:
            carry = tok
            continue
        if out and tok[0] in _NO_START and out[-1] != " ":
            out[-1] += tok
        else:
            out.append(tok)
    if carry:
        out.append(carry)
    return out


def wrap(text: str, width: float, size: float, indent: float = 0.0) -> list[str]:
    """Lines of `text` that fit `width` points (the first line `indent` narrower). Never empty."""
    lines: list[str] = []
    line = ""
    avail = width - indent
    for tok in _tokens(text):
        if tok == " " and not line:
            continue
        if line and _width(line + tok, size) > avail:
            lines.append(line.rstrip())
            avail = width
            line = "" if tok == " " else tok
            while _width(line, size) > avail and len(line) > 1:  # a token wider than the line: cut it
                cut = max(1, int(len(line) * avail / _width(line, size)))
                lines.append(line[:cut])
                line = line[cut:]
        else:
            line += tok
    lines.append(line.rstrip())
    return lines


@dataclass(frozen=True)
class TableLayout:
    """How one table is printed: the choices real report PDFs make table by table (`pdf_real_bytes`)."""

    value_valign: str | None = None  # the figures in their cells: top, middle, bottom (None: as the labels)
    header_valign: str | None = None  # the header words (rows without figures): top, middle (None: as the labels)
    numbers_below: bool = False  # a row whose label fits one line prints its figures on a second line, under it
    vertical_header: str | None = None  # header words over value columns: "stacked" (one character per line),
    #                                     "up" / "down" (the text turned, reading bottom to top / top to bottom)
    repeat_header: bool | None = None  # the header rows again on each page the table continues on (None: the
    #                                    writer's `repeat_header`)
    header_apart: bool = False  # the table starts at the foot of a page: its header rows there, the data over
    break_at: float | None = None  # a page break before the data row at this fraction of the data rows


_PLAIN = TableLayout()


class _Writer:
    def __init__(self, *, size: tuple[float, float], margins: tuple[float, float, float, float], ruled: bool,
                 wrap_labels: bool, vertical: bool, repeat_header: bool, valign: str | None, font_size: float,
                 table_font_size: float,
                 layout_for: Callable[[int, Table], TableLayout] | None = None) -> None:
        self.doc = pymupdf.open()
        self.w, self.h = size
        self.top, self.right, self.bottom, self.left = margins
        self.ruled = ruled
        self.wrap_labels = wrap_labels
        self.vertical = vertical
        self.repeat_header = repeat_header
        self.valign = valign or ("middle" if ruled else "top")
        self.fs = font_size
        self.tfs = table_font_size
        self.layout_for = layout_for
        self.ntables = 0
        self.current: tuple[pymupdf.Page, pymupdf.TextWriter, pymupdf.Shape] | None = None
        self.turned: list[tuple[float, float, str, float, int]] = []  # text turned by 90 degrees, on this page
        self.y = 0.0
        self.new_page()

    # -- primitives
    @property
    def content_width(self) -> float:
        return self.w - self.left - self.right

    @property
    def limit(self) -> float:
        return self.h - self.bottom

    def new_page(self) -> None:
        self.flush()
        page = self.doc.new_page(width=self.w, height=self.h)
        self.current = (page, pymupdf.TextWriter(page.rect), page.new_shape())
        self.y = self.top

    def flush(self) -> None:
        if self.current is not None:
            page, tw, shape = self.current
            tw.write_text(page)
            for x, y, s, size, angle in self.turned:
                turned = pymupdf.TextWriter(page.rect)
                turned.append((x, y), s, font=_font(), fontsize=size)
                turned.write_text(page, morph=(pymupdf.Point(x, y), pymupdf.Matrix(angle)))
            self.turned = []
            shape.finish(width=0.6, color=(0, 0, 0))
            shape.commit()
            self.current = None

    def text(self, x: float, baseline: float, s: str, size: float) -> None:
        assert self.current is not None
        if s:
            self.current[1].append((x, baseline), s, font=_font(), fontsize=size)

    def justified(self, x: float, baseline: float, s: str, size: float, width: float) -> None:
        """One line stretched to `width`: the extra space spread between its pieces (as word processors do)."""
        pieces = _TOKEN.findall(s)
        natural = _width(s, size)
        gaps = len(pieces) - 1
        if gaps <= 0 or natural >= width or width - natural > size * 4:
            self.text(x, baseline, s, size)
            return
        extra = (width - natural) / gaps
        for piece in pieces:
            if not piece.isspace():
                self.text(x, baseline, piece, size)
            x += _width(piece, size) + extra

    def rect(self, r: pymupdf.Rect) -> None:
        assert self.current is not None
        self.current[2].draw_rect(r)

    # -- paragraphs
    def paragraph(self, para: Para, *, title: bool) -> None:
        size = self.fs * 1.7 if title else self.fs
        pitch = size * (1.45 if title else 1.6)
        width = self.content_width
        indent = 0.0 if (para.heading or title) else 2 * size
        if para.heading and not title:
            self.y += self.fs * 0.4
        lines = []
        for n, part in enumerate(para.text.split("\n")):
            for i, line in enumerate(wrap(part, width, size, indent if n == 0 else 0.0)):
                lines.append((line, indent if (n == 0 and i == 0) else 0.0, False))
            lines[-1] = (lines[-1][0], lines[-1][1], True)  # a paragraph's (or a printed break's) last line
        for line, ind, last in lines:
            if self.y + pitch > self.limit:
                self.new_page()
            baseline = self.y + size * 1.05
            if title:
                self.text(self.left + (width - _width(line, size)) / 2, baseline, line, size)
            elif last:
                self.text(self.left + ind, baseline, line, size)
            else:
                self.justified(self.left + ind, baseline, line, size, width - ind)
            self.y += pitch
        self.y += size * (0.6 if title else 0.25)

    # -- tables
    def table(self, table: Table) -> None:
        cells = placements(table)
        if not cells:
            return
        lay = self.layout_for(self.ntables, table) if self.layout_for else _PLAIN
        self.ntables += 1
        nrows, ncols = len(table.rows), table.ncols
        fs = self.tfs
        lh = fs * 1.3
        padx = 3.0 if self.ruled else 6.0
        pady = 2.5 if self.ruled else 3.5
        numeric = [c for c in cells if _is_value(c.text) and c.text.strip() not in _BLANK]
        first_value = min((c.col for c in numeric), default=1)
        numeric_rows = {c.row for c in numeric}

        def is_vertical(c: Placed) -> bool:
            return self.vertical and c.rowspan >= 3 and c.colspan == 1 and len(_flat(c.text)) >= 2

        def turned(c: Placed) -> str | None:
            """How a header word over a value column is turned (None: printed across)."""
            mode = lay.vertical_header
            flat = _flat(c.text)
            if mode is None or c.colspan != 1 or c.col < first_value or c.row in numeric_rows or _is_value(c.text) \
                    or not 2 <= len(flat) <= 12:
                return None
            if mode == "stacked" and any(ch.isascii() for ch in flat):
                return None  # digits and letters are not stacked (2011年度 is turned, never stacked)
            return mode

        turn = {i: turned(c) for i, c in enumerate(cells)}

        # column widths (HTML auto layout: minimum and natural widths, spread to the full text width)
        natural = [2 * padx + fs] * ncols
        minimum = [2 * padx + fs] * ncols
        for i, c in enumerate(cells):
            if c.colspan != 1:
                continue
            if is_vertical(c) or turn[i]:
                nat = mn = fs * 1.1 + 2 * padx
            else:
                parts = c.text.split("\n")
                nat = max(_width(p, fs) for p in parts) + 2 * padx
                longest = max((_width(t, fs) for p in parts for t in _tokens(p)), default=fs)
                mn = max(longest, min(nat - 2 * padx, 2 * fs)) + 2 * padx
                if self.wrap_labels and c.col < first_value and not _is_value(c.text):
                    nat = min(nat, 5.5 * fs + 2 * padx)
            natural[c.col] = max(natural[c.col], nat)
            minimum[c.col] = max(minimum[c.col], mn)
        for c in cells:
            if c.colspan > 1:
                need = max((_width(t, fs) for p in c.text.split("\n") for t in _tokens(p)), default=fs) + 2 * padx
                span = range(c.col, c.col + c.colspan)
                have = sum(minimum[i] for i in span)
                for i in span:
                    if need > have:
                        minimum[i] += (need - have) / c.colspan
                    natural[i] = max(natural[i], minimum[i])
        total = self.content_width
        if sum(natural) <= total:
            grow = [i for i in range(ncols) if not (self.wrap_labels and i < first_value)] or list(range(ncols))
            base = sum(natural[i] for i in grow)
            extra = total - sum(natural)
            widths = [natural[i] + (extra * natural[i] / base if i in grow else 0) for i in range(ncols)]
        elif sum(minimum) < total:
            slack = [n - m for n, m in zip(natural, minimum, strict=True)]
            widths = [m + (total - sum(minimum)) * s / (sum(slack) or 1) for m, s in zip(minimum, slack, strict=True)]
        else:
            widths = minimum
        xs = [self.left]
        for w in widths:
            xs.append(xs[-1] + w)

        # cell lines and row heights
        lines: dict[int, list[str]] = {}
        need: dict[int, float] = {}  # the height each cell's text needs
        for i, c in enumerate(cells):
            if is_vertical(c) or turn[i] == "stacked":
                lines[i] = list(_flat(c.text))
            elif turn[i]:
                lines[i] = [_flat(c.text)]
                need[i] = _width(lines[i][0], fs) + fs * 0.6 + 2 * pady
                continue
            else:
                width = xs[c.col + c.colspan] - xs[c.col] - 2 * padx
                lines[i] = [ln for part in c.text.split("\n") for ln in wrap(part, width, fs)]
            need[i] = len(lines[i]) * lh + 2 * pady
        heights = [lh + 2 * pady] * nrows
        for i, c in enumerate(cells):
            if c.rowspan == 1:
                heights[c.row] = max(heights[c.row], need[i])
        if lay.numbers_below:
            for i, c in enumerate(cells):
                if c.row in numeric_rows and c.rowspan == 1 and c.col < first_value and len(lines[i]) == 1 \
                        and not _is_value(c.text):
                    heights[c.row] = max(heights[c.row], 2 * lh + 2 * pady)  # the label's line, then the figures'
        for i, c in sorted(enumerate(cells), key=lambda ic: ic[1].rowspan):
            if c.rowspan > 1:
                have = sum(heights[c.row:c.row + c.rowspan])
                if need[i] > have:
                    for r in range(c.row, c.row + c.rowspan):
                        heights[r] += (need[i] - have) / c.rowspan

        header = 0
        for r in range(nrows):
            if r in numeric_rows:
                break
            header = r + 1
        header = header if all(c.row + c.rowspan <= header for c in cells if c.row < header) else 0
        # the header rows a page break repeats or leaves at a page's foot: before the first row with a figure or a
        # blank mark (一、主动公开情况 | — | — is a row of the table, not of its header)
        marked = {c.row for c in cells if _is_value(c.text) and c.text.strip() and c.col >= first_value}
        head = next((r for r in range(header) if r in marked), header)
        head = head if all(c.row + c.rowspan <= head for c in cells if c.row < head) else 0

        # forced page breaks (row indexes): after the header rows, inside the data rows
        forced: set[int] = set()
        if lay.header_apart and 0 < head < nrows:
            forced.add(head)
            height = sum(heights[:head])
            if self.y + height + heights[head] <= self.limit and self.y + height <= self.limit - 2:
                self.y = self.limit - height - 2  # the table starts at the foot of the page
        if lay.break_at is not None and nrows - header >= 4:
            forced.add(header + max(1, min(nrows - header - 1, round((nrows - header) * lay.break_at))))
        repeat_header = self.repeat_header if lay.repeat_header is None else lay.repeat_header
        style = _CellStyle(lay, first_value, numeric_rows, turn, need)

        # pages: segments of rows, each drawn on its page
        self.y += fs * 0.5
        r = 0
        first = True
        while r < nrows:
            repeat = bool(repeat_header and not first and head and r >= head)
            avail = self.limit - self.y - (sum(heights[:head]) if repeat else 0)
            end, used = r, 0.0
            while end < nrows and used + heights[end] <= avail:
                used += heights[end]
                end += 1
            if end < nrows:
                end = self._keep_labels(cells, need, heights, r, end)
                if r < header and (end < head or (end <= header and head not in forced)):
                    end = r  # header rows stay together, and with the first row under them (unless forced apart)
            cut = min((f for f in forced if r < f < end), default=None)
            if cut is not None and all(need[i] <= sum(heights[c.row:cut]) for i, c in enumerate(cells)
                                       if r <= c.row < cut < c.row + c.rowspan):
                end = cut  # (never through a merged cell whose text would not fit above the break)
            if end == r:
                if self.y > self.top:
                    self.new_page()  # not even one row fits: the table (or its next part) starts on a new page
                    continue
                end = r + 1  # a row taller than a page
            if repeat:
                self._segment(cells, lines, xs, heights, 0, head, lh, pady, padx, style)
            self._segment(cells, lines, xs, heights, r, end, lh, pady, padx, style)
            first = False
            r = end
            if r < nrows:
                self.new_page()
        self.y += fs * 0.9

    def _keep_labels(self, cells: list[Placed], need: dict[int, float], heights: list[float], start: int,
                     end: int) -> int:
        """Move a break up to before a merged cell whose text would not fit in its part on this page."""
        for i, c in enumerate(cells):
            if start < c.row < end < c.row + c.rowspan and need[i] > sum(heights[c.row:end]):
                end = min(end, c.row)
        return end

    def _segment(self, cells: list[Placed], lines: dict[int, list[str]], xs: list[float], heights: list[float],
                 start: int, end: int, lh: float, pady: float, padx: float, style: _CellStyle) -> None:
        fs = self.tfs
        first_value = style.first_value
        ys = {start: self.y}
        for r in range(start, end):
            ys[r + 1] = ys[r] + heights[r]
        for i, c in enumerate(cells):
            lo, hi = max(c.row, start), min(c.row + c.rowspan, end)
            if lo >= hi:
                continue
            box = pymupdf.Rect(xs[c.col], ys[lo], xs[c.col + c.colspan], ys[hi])
            if self.ruled:
                self.rect(box)
            if c.row < start:
                continue  # the text of a merged cell is printed in its first part only
            mode = style.turn[i]
            if mode in ("up", "down"):
                length = _width(lines[i][0], fs)
                if mode == "up":  # reading bottom to top: the glyphs stand left of their baseline
                    self.turned.append((box.x0 + box.width / 2 + fs * 0.35, box.y0 + (box.height + length) / 2,
                                        lines[i][0], fs, 90))
                else:
                    self.turned.append((box.x0 + box.width / 2 - fs * 0.35, box.y0 + (box.height - length) / 2,
                                        lines[i][0], fs, -90))
                continue
            text_h = style.need[i] - 2 * pady
            valign = style.valign(c, self.valign)
            if valign == "top":
                top = box.y0 + pady
            elif valign == "bottom":
                top = box.y1 - pady - text_h
            else:
                top = box.y0 + (box.height - text_h) / 2
            for n, line in enumerate(lines[i]):
                baseline = top + n * lh + fs * 1.0
                w = _width(line, fs)
                title = c.colspan == len(xs) - 1 and len(lines[i]) == 1  # a title across the table: centred
                if c.col < first_value and not _is_value(line) and not title:
                    x = box.x0 + padx
                else:
                    x = box.x0 + (box.width - w) / 2
                self.text(x, baseline, line, fs)
        self.y = ys[end]

    # -- output
    def finish(self, footer: str | None, header: str | None, title: str, *, furniture: str = "margin",
               header_rule: bool = False) -> pymupdf.Document:
        """Page numbers and running headers. `furniture`: "margin" (in the page margins), "inset" (the official
        document style, 公文: the page number just under the text block, on the outer side, odd pages right and
        even pages left; the running header just above the text block)."""
        self.flush()
        total = self.doc.page_count
        for n in range(total):
            page = self.doc[n]
            tw = pymupdf.TextWriter(page.rect)
            if footer:
                s = footer.format(n=n + 1, total=total)
                width = _width(s, 9)
                if furniture == "inset":
                    x = self.w - self.right - width - 9 if n % 2 == 0 else self.left + 9
                    tw.append((x, self.h - self.bottom + 22), s, font=_font(), fontsize=9)
                else:
                    tw.append(((self.w - width) / 2, self.h - 34), s, font=_font(), fontsize=9)
            if header:
                y = self.top - 14 if furniture == "inset" else 40
                tw.append(((self.w - _width(header, 9)) / 2, y), header, font=_font(), fontsize=9)
                if header_rule:
                    shape = page.new_shape()
                    shape.draw_line((self.left, y + 5), (self.w - self.right, y + 5))
                    shape.finish(width=0.5, color=(0, 0, 0))
                    shape.commit()
            tw.write_text(page)
        _fixed_metadata(self.doc, title)
        self.doc.subset_fonts()
        return self.doc


@dataclass(frozen=True)
class _CellStyle:
    """What a table's layout says about each of its cells."""

    layout: TableLayout
    first_value: int
    numeric_rows: set[int]
    turn: dict[int, str | None]
    need: dict[int, float]

    def valign(self, c: Placed, default: str) -> str:
        lay = self.layout
        if c.col >= self.first_value and (_is_value(c.text) or _FIGURE.match(c.text)):
            return "bottom" if lay.numbers_below else (lay.value_valign or default)
        if c.row not in self.numeric_rows and c.col >= self.first_value:
            return lay.header_valign or default
        return default


def _flat(text: str) -> str:
    return "".join(text.split())


def _fixed_metadata(doc: pymupdf.Document, title: str) -> None:
    doc.set_metadata({"title": title, "author": "", "subject": "", "keywords": "", "creator": "ogi-portal",
                      "producer": "ogi-portal pdfgen", "creationDate": _FIXED_DATE, "modDate": _FIXED_DATE})


def pdf_bytes(
    blocks: list[Block],
    *,
    ruled: bool = True,
    wrap: bool = False,
    vertical: bool = False,
    repeat_header: bool = False,
    footer: str | None = "第 {n} 页",
    header: str | None = None,
    page_size: tuple[float, float] = A4,
    margins: tuple[float, float, float, float] = (64.0, 50.0, 64.0, 50.0),
    font_size: float = 10.5,
    table_font_size: float = 9.0,
    valign: str | None = None,
    scanned: bool = False,
    dpi: int = 110,
    title: str = "",
    layout_for: Callable[[int, Table], TableLayout] | None = None,
    furniture: str = "margin",
    header_rule: bool = False,
) -> bytes:
    """The report as PDF bytes. `blocks` as `portal.blocks.blocks(body, title)` gives them: a first heading
    paragraph is the printed title. `title` is the PDF metadata title (empty by default, as often)."""
    w = _Writer(size=page_size, margins=margins, ruled=ruled, wrap_labels=wrap, vertical=vertical,
                repeat_header=repeat_header, valign=valign, font_size=font_size, table_font_size=table_font_size,
                layout_for=layout_for)
    for i, block in enumerate(blocks):
        if isinstance(block, Para):
            w.paragraph(block, title=(i == 0 and block.heading))
        else:
            w.table(block)
    doc = w.finish(footer, header, title, furniture=furniture, header_rule=header_rule)
    if scanned:
        doc = _scan(doc, dpi)
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def _scan(doc: pymupdf.Document, dpi: int) -> pymupdf.Document:
    """Each page as a greyscale image on an otherwise empty page: what a scanner produces."""
    out = pymupdf.open()
    for page in doc:
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=pix.tobytes("png"))
    _fixed_metadata(out, "")
    return out


# --- the layouts of real report PDFs ------------------------------------------------------------------------

REAL_LAYOUTS = (
    "ruled", "unruled", "wrapped-labels", "numbers-middle", "numbers-below", "vertical-labels", "header-stacked",
    "header-turned", "split-repeated-header", "split-no-header", "header-apart", "furniture-margin",
    "furniture-inset", "running-header",
)  # fmt: skip


def _table_kind(table: Table) -> str:
    texts = {_flat(c.text) for row in table.rows for c in row}
    if "行政复议" in texts:
        return "sec4"
    if any("申请人情况" in t or "勾稽关系" in t for t in texts):
        return "sec3"
    if any(t.startswith("第二十条") or t == "信息内容" for t in texts):
        return "sec2"
    return "stat"


_REAL_SALT = 6  # chosen so that every layout falls on at least two reports of every format (tests check it)


def real_layouts(blocks: list[Block]) -> dict:
    """The layouts `pdf_real_bytes` gives a report: a deterministic choice from checksums of its title (the first
    paragraph), one independent choice per switch. Keys: the `pdf_bytes` options, and `layouts`, the names
    (REAL_LAYOUTS) of what the report prints."""
    first = next((b.text for b in blocks if isinstance(b, Para)), "")

    def pick(switch: str, n: int) -> int:
        return zlib.crc32(f"pdf-real:{_REAL_SALT}:{switch}:{first}".encode()) % n

    ruled = bool(pick("ruled", 2))
    tables = [b for b in blocks if isinstance(b, Table)]
    kinds = [_table_kind(t) for t in tables]
    # the longest table is the one split across pages; the section 四 table (else the statistical table) is the
    # one whose header may stand apart at a page's foot
    longest = max(range(len(tables)), key=lambda k: len(tables[k].rows), default=-1)
    apart = kinds.index("sec4") if "sec4" in kinds else (kinds.index("stat") if "stat" in kinds else -1)
    split = pick("split", 3)  # 0: no forced break; 1: a break, the header repeated; 2: a break, no header again
    header_apart = bool(pick("apart", 2)) and apart >= 0
    value_modes = ("top", "middle", "below")
    value_start = pick("values", 3)
    turned = (None, "stacked", "up", "down")[pick("turned", 4)]
    furniture = pick("furniture", 4)
    wrapped = pick("wrap", 4) != 0
    where = pick("break", 8)

    def layout_for(k: int, table: Table) -> TableLayout:
        mode = value_modes[(value_start + k) % 3]
        return TableLayout(
            value_valign="middle" if mode == "middle" else None,
            numbers_below=mode == "below",
            header_valign="middle" if pick("header-middle", 2) else None,
            vertical_header=turned,
            repeat_header=split == 1,
            header_apart=header_apart and k == apart,
            break_at=(0.3 + 0.4 * where / 7) if split and k == longest else None,
        )

    options: dict = {"ruled": ruled, "wrap": wrapped, "vertical": bool(pick("vertical", 2)),
                     "layout_for": layout_for, "table_font_size": 10.5 if pick("table-size", 2) else 9.0}
    if furniture == 0:
        options.update(footer="第 {n} 页")
    elif furniture == 1:
        options.update(footer="— {n} —", furniture="inset", margins=(100.0, 74.0, 96.0, 79.0))
    elif furniture == 2:
        options.update(footer="{n}", header=first[:24] or None, header_rule=True, furniture="inset",
                       margins=(100.0, 74.0, 96.0, 79.0))
    else:
        options.update(footer="第{n}页 共{total}页", header=first[:24] or None)
    layouts: set[str] = set()
    if tables:
        modes = {value_modes[(value_start + k) % 3] for k in range(len(tables))}
        layouts.update(name for name, on in (
            ("ruled", ruled), ("unruled", not ruled), ("wrapped-labels", wrapped),
            ("vertical-labels", options["vertical"]), ("header-stacked", turned == "stacked"),
            ("header-turned", turned in ("up", "down")), ("split-repeated-header", split == 1),
            ("split-no-header", split == 2), ("header-apart", header_apart),
            ("numbers-middle", "middle" in modes), ("numbers-below", "below" in modes),
        ) if on)
    layouts.add("furniture-inset" if options.get("furniture") == "inset" else "furniture-margin")
    if options.get("header"):
        layouts.add("running-header")
    options["layouts"] = sorted(layouts)
    return options


def pdf_real_bytes(blocks: list[Block]) -> bytes:
    """The report as real report PDFs print it: a deterministic mix of layouts per report (`real_layouts`)."""
    options = real_layouts(blocks)
    options.pop("layouts")
    return pdf_bytes(blocks, **options)
