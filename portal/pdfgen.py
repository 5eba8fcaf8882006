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
from functools import cache

import pymupdf

from portal.blocks import Block, Para, Placed, Table, placements

A4 = (595.0, 842.0)
_FIXED_DATE = "D:20240101000000+08'00'"
_NUMBER = re.compile(r"^\s*[-+]?[\d,]*\.?\d+\s*(?:余|多)?\s*$")
_BLANK = {"", "—", "——", "-", "－", "/", "／"}
# kinsoku: never at the start of a line / never at the end of a line
_NO_START = set("，。、；：？！）》」』”’〕】％,.;:?!)%·")
_NO_END = set("（《「『“‘〔【(")
_TOKEN = re.compile(r"[A-Za-z0-9.,%+\-_/:@]+|\s+|.", re.S)


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


class _Writer:
    def __init__(self, *, size: tuple[float, float], margins: tuple[float, float, float, float], ruled: bool,
                 wrap_labels: bool, vertical: bool, repeat_header: bool, valign: str | None, font_size: float,
                 table_font_size: float) -> None:
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
        self.current: tuple[pymupdf.Page, pymupdf.TextWriter, pymupdf.Shape] | None = None
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

        # column widths (HTML auto layout: minimum and natural widths, spread to the full text width)
        natural = [2 * padx + fs] * ncols
        minimum = [2 * padx + fs] * ncols
        for c in cells:
            if c.colspan != 1:
                continue
            if is_vertical(c):
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
        for i, c in enumerate(cells):
            if is_vertical(c):
                lines[i] = list(_flat(c.text))
            else:
                width = xs[c.col + c.colspan] - xs[c.col] - 2 * padx
                lines[i] = [ln for part in c.text.split("\n") for ln in wrap(part, width, fs)]
        heights = [lh + 2 * pady] * nrows
        for i, c in enumerate(cells):
            if c.rowspan == 1:
                heights[c.row] = max(heights[c.row], len(lines[i]) * lh + 2 * pady)
        for i, c in sorted(enumerate(cells), key=lambda ic: ic[1].rowspan):
            if c.rowspan > 1:
                need = len(lines[i]) * lh + 2 * pady
                have = sum(heights[c.row:c.row + c.rowspan])
                if need > have:
                    for r in range(c.row, c.row + c.rowspan):
                        heights[r] += (need - have) / c.rowspan

        header = 0
        for r in range(nrows):
            if r in numeric_rows:
                break
            header = r + 1
        header = header if all(c.row + c.rowspan <= header for c in cells if c.row < header) else 0

        # pages: segments of rows, each drawn on its page
        self.y += fs * 0.5
        r = 0
        first = True
        while r < nrows:
            repeat = bool(self.repeat_header and not first and header and r >= header)
            avail = self.limit - self.y - (sum(heights[:header]) if repeat else 0)
            end, used = r, 0.0
            while end < nrows and used + heights[end] <= avail:
                used += heights[end]
                end += 1
            if end < nrows:
                end = self._keep_labels(cells, lines, heights, r, end, lh, pady)
                if r < header and end <= header:
                    end = r  # header rows stay together, and with the first row under them
            if end == r:
                if self.y > self.top:
                    self.new_page()  # not even one row fits: the table (or its next part) starts on a new page
                    continue
                end = r + 1  # a row taller than a page
            if repeat:
                self._segment(cells, lines, xs, heights, 0, header, lh, pady, padx, first_value)
            self._segment(cells, lines, xs, heights, r, end, lh, pady, padx, first_value)
            first = False
            r = end
            if r < nrows:
                self.new_page()
        self.y += fs * 0.9

    def _keep_labels(self, cells: list[Placed], lines: dict[int, list[str]], heights: list[float], start: int,
                     end: int, lh: float, pady: float) -> int:
        """Move a break up to before a merged cell whose text would not fit in its part on this page."""
        for i, c in enumerate(cells):
            if start < c.row < end < c.row + c.rowspan and len(lines[i]) * lh + 2 * pady > sum(heights[c.row:end]):
                end = min(end, c.row)
        return end

    def _segment(self, cells: list[Placed], lines: dict[int, list[str]], xs: list[float], heights: list[float],
                 start: int, end: int, lh: float, pady: float, padx: float, first_value: int) -> None:
        fs = self.tfs
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
            text_h = len(lines[i]) * lh
            top = box.y0 + pady if self.valign == "top" else box.y0 + (box.height - text_h) / 2
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
    def finish(self, footer: str | None, header: str | None, title: str) -> pymupdf.Document:
        self.flush()
        total = self.doc.page_count
        for n in range(total):
            page = self.doc[n]
            tw = pymupdf.TextWriter(page.rect)
            if footer:
                s = footer.format(n=n + 1, total=total)
                tw.append(((self.w - _width(s, 9)) / 2, self.h - 34), s, font=_font(), fontsize=9)
            if header:
                tw.append(((self.w - _width(header, 9)) / 2, 40), header, font=_font(), fontsize=9)
            tw.write_text(page)
        _fixed_metadata(self.doc, title)
        self.doc.subset_fonts()
        return self.doc


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
) -> bytes:
    """The report as PDF bytes. `blocks` as `portal.blocks.blocks(body, title)` gives them: a first heading
    paragraph is the printed title. `title` is the PDF metadata title (empty by default, as often)."""
    w = _Writer(size=page_size, margins=margins, ruled=ruled, wrap_labels=wrap, vertical=vertical,
                repeat_header=repeat_header, valign=valign, font_size=font_size, table_font_size=table_font_size)
    for i, block in enumerate(blocks):
        if isinstance(block, Para):
            w.paragraph(block, title=(i == 0 and block.heading))
        else:
            w.table(block)
    doc = w.finish(footer, header, title)
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
