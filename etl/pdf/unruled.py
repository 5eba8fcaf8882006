"""Tables without ruling lines, found from text positions: runs of lines of several chunks with figures lined up
in value columns. Merged cells there are known only by where their text starts (Word prints cell text at the top
of a cell by default), so an unruled merged label counts on the row where its first line sits."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from etl.normalize import clean
from etl.pdf.tables import Part
from etl.pdf.text import (
    BLANKS,
    ENUM,
    UNITS,
    Chunk,
    Line,
    is_number,
    is_valueish,
    join_lines,
)

if TYPE_CHECKING:
    from etl.pdf.page import Page


class _Block:
    """Chunks of one cell: a label wrapped over several lines, or printed one character per line. Its extent is
    kept as chunks are added (`add`), its text made once."""

    __slots__ = ("_text", "bottom", "chunks", "top", "x0", "x1")

    def __init__(self, chunk: Chunk) -> None:
        self.chunks = [chunk]
        self.x0, self.x1, self.top, self.bottom = chunk.x0, chunk.x1, chunk.top, chunk.bottom
        self._text: str | None = None

    def add(self, c: Chunk) -> None:
        self.chunks.append(c)
        # as min() and max() over the chunks give them
        self.x0, self.x1 = min(self.x0, c.x0), max(self.x1, c.x1)
        self.top, self.bottom = min(self.top, c.top), max(self.bottom, c.bottom)
        self._text = None

    @property
    def first(self) -> Chunk:
        return self.chunks[0]

    @property
    def last(self) -> Chunk:
        return self.chunks[-1]

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = clean(join_lines([c.text for c in self.chunks]))
        return self._text


def _single_cjk(c: Chunk) -> bool:
    return len(c.text) == 1 and not c.text.isdigit() and not c.text.isspace()


def _stitch(lines: list[Line]) -> list[_Block]:
    """Chunks continuing the cell of a chunk just above (wrapped labels, vertical labels) -> blocks. Only blocks
    whose last chunk sits within a line's pitch above can continue, so the work is linear in the chunks."""
    blocks: list[_Block] = []
    live: list[tuple[_Block, bool]] = []  # (block, its first line has numbers)
    for ln in lines:
        numeric_line = any(c.number for c in ln.chunks)
        live = [(b, n) for b, n in live if ln.base - b.last.base <= 1.7 * max(ln.size, b.last.size)]
        grown: list[tuple[_Block, bool]] = []
        for c in ln.chunks:
            best = None
            for b, numeric_first in live:
                last = b.last
                pitch = c.base - last.base
                size = max(c.size, last.size)
                if pitch <= 0.3 * size or pitch > 1.7 * size:
                    continue
                if _single_cjk(last) and _single_cjk(c) and abs(last.cx - c.cx) <= 0.4 * size:
                    best = b  # one character per line: a vertical label
                    break
                if c.valueish or last.valueish or ENUM.match(c.text):
                    continue
                if min(last.x1, c.x1) - max(last.x0, c.x0) <= 0 and abs(last.x0 - c.x0) > 0.5 * size:
                    continue
                if numeric_line and numeric_first and not _inner_open(c, ln, live):
                    continue  # two data rows, not a wrapped label
                best = b
                break
            if best is None:
                block = _Block(c)
                blocks.append(block)
                grown.append((block, numeric_line))
            else:
                best.add(c)
        live += grown
    return blocks


def _inner_open(c: Chunk, ln: Line, live: list[tuple[_Block, bool]]) -> bool:
    """Between `c` and its line's figures, a label still being wrapped whose first line has no figure: the
    figures are that label's, centred beside it, so `c` is not a new row's label but the next line of a label
    merged over rows (`三、本` / `年度办` / `理结果` beside `（二）部分公开（区分处理的，只` / … )."""
    figures = [d.x0 for d in ln.chunks if d.number and d.x0 > c.x1]
    if not figures:
        return False
    return any(not numeric_first and c.x1 < b.x0 < min(figures) and not b.last.valueish and b.last.text not in UNITS
               and 0 < ln.base - b.last.base <= 1.7 * max(ln.size, b.last.size) for b, numeric_first in live)


def _unruled_part(lines: list[Line], page: int, spans: list[tuple[float, float]] | None = None) -> Part | None:
    """A table's rows from its lines; `spans`: the value columns of the part it continues (a part with no figure
    of its own, every cell printed blank, takes them)."""
    blocks = _stitch(lines)
    blocks.sort(key=lambda b: (b.first.base, b.x0))
    rows: list[list[_Block]] = []
    for b in blocks:
        if rows and b.first.base - rows[-1][0].first.base <= 0.4 * b.first.size:
            rows[-1].append(b)
        else:
            rows.append([b])
    for r in rows:
        r.sort(key=lambda b: b.x0)
    numeric = [[b for b in r if len(b.chunks) == 1 and is_number(b.text)] for r in rows]
    width = max((len(n) for n in numeric), default=0)
    if width:
        reference = [n for n in numeric if len(n) == width]
        cols = [(min(n[k].x0 for n in reference), max(n[k].x1 for n in reference)) for k in range(width)]
    elif spans:
        cols, width = list(spans), len(spans)
    else:
        return None
    start = cols[0][0]

    def column(b: _Block) -> int:
        overlaps = [min(b.x1, hi) - max(b.x0, lo) for lo, hi in cols]
        best = max(range(width), key=lambda k: overlaps[k])
        if overlaps[best] > 0:
            return best
        cx = (b.x0 + b.x1) / 2
        return min(range(width), key=lambda k: abs((cols[k][0] + cols[k][1]) / 2 - cx))

    def is_label(b: _Block) -> bool:
        return b.x1 <= start + 0.5 * b.first.size or (b.x0 + b.x1) / 2 < start

    def is_header(r: list[_Block]) -> bool:
        return any(not is_label(b) and not is_valueish(b.text) and b.text not in UNITS for b in r)

    rows, header = _header_bands(rows, is_header, is_label)
    rows, header = _attach_figures(rows, header, is_label)
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    numeric = [[b for b in r if len(b.chunks) == 1 and is_number(b.text)] for r in rows]
    labels = [[b for b in r if is_label(b)] for r, n in zip(rows, numeric, strict=True) if n]
    label_xs = [b.x0 for r in labels for b in r]
    # label columns, from the data rows that print the most labels (a row label, a unit: 条, 件)
    nlabel = max((len(r) for r in labels), default=0)
    lcols = [(min(r[k].x0 for r in labels if len(r) == nlabel), max(r[k].x1 for r in labels if len(r) == nlabel))
             for k in range(nlabel)]
    units = [all(b.text in UNITS or b.text in BLANKS for r in labels for b in r if _covers(b, lo, hi))
             for lo, hi in lcols]
    out: list[list[str]] = []
    for r, head in zip(rows, header, strict=True):
        label = [b for b in r if is_label(b)]
        value = [b for b in r if b not in label]
        if head:
            out.append([b.text for b in r])  # a header row: its words in column order
            continue
        if not value and len(label) == 1 and _title_row(label[0], left, label_xs):
            out.append([b.text for b in label])  # a title row across the table (第二十条第（五）项)
            continue
        slots = [""] * width
        for b in value:
            k = column(b)
            slots[k] = (slots[k] + " " + b.text).strip()
        out.append(_label_cells(label, lcols, units) + slots)
    top = min(ln.top for ln in lines)
    bottom = max(ln.bottom for ln in lines)
    return Part([r for r in out if any(r)], top, bottom, page, False, [], left, right, spans=cols)


def _header_bands(rows: list[list[_Block]], is_header: Callable[[list[_Block]], bool],
                  is_label: Callable[[_Block], bool]) -> tuple[list[list[_Block]], list[bool]]:
    """Header rows read as the rows of their cells. A header band (header rows one after the other, with the
    rows of words only that reach into them) is cut again into rows from the words' extents, not their
    baselines: words turned up or down their cell, stacked one character per line, wrapped or centred in a
    merged cell stand higher or lower than the other words of their row. A word joins the first row it shares
    height with and no column; the words of a row are in column order. Other rows are kept; the flags say which
    rows are header rows."""
    head = [is_header(r) for r in rows]
    if not any(head):
        return rows, head
    out: list[list[_Block]] = []
    flags: list[bool] = []
    i = 0
    while i < len(rows):
        if not head[i]:
            out.append(rows[i])
            flags.append(False)
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and head[j + 1]:
            j += 1
        band = [b for r in rows[i : j + 1] for b in r]
        top, bottom = min(b.top for b in band), max(b.bottom for b in band)
        # rows of words only (no figure) that reach into the band belong to it (信息内容 printed at the top of
        # its cell, beside a header word turned up its taller cell)
        while out and not flags[-1] and _words_only(out[-1]) and max(b.bottom for b in out[-1]) > top + 1:
            band = out.pop() + band
            flags.pop()
            top = min(b.top for b in band)
        while j + 1 < len(rows) and _words_only(rows[j + 1]) and min(b.top for b in rows[j + 1]) < bottom - 1:
            j += 1
            band += rows[j]
            bottom = max(bottom, max(b.bottom for b in rows[j]))
        for r in _rows_by_extent(band, is_label):
            out.append(r)
            flags.append(True)
        i = j + 1
    return out, flags


def _words_only(r: list[_Block]) -> bool:
    return not any(is_valueish(b.text) for b in r)


def _rows_by_extent(band: list[_Block], is_label: Callable[[_Block], bool]) -> list[list[_Block]]:
    """The header words over the value columns first: a word joins the first row whose shortest word it shares
    height with and none of whose words it stands over or under. Then the words of the label columns (信息内容,
    统计指标, the corner cell's text, printed at the top of their cells): each joins the first row it shares
    height with."""
    rows: list[tuple[list[_Block], list[float], list[float]]] = []  # (words, shortest word's extent, extent)
    labels = [b for b in band if is_label(b)]
    # words come top first, so a row that ends above a word takes no later word either: only the rows still open
    # are tried (linear in a band of thousands of rows)
    open_rows: list[tuple[list[_Block], list[float], list[float]]] = []
    for b in sorted((b for b in band if not is_label(b)), key=lambda b: (b.top, b.x0)):
        open_rows = [r for r in open_rows if b.top < r[1][1] - 1]
        for words, short, ext in open_rows:
            if b.top < short[1] - 1 and b.bottom > short[0] + 1 \
                    and all(min(b.x1, w.x1) - max(b.x0, w.x0) <= 1 for w in words):
                words.append(b)
                if b.bottom - b.top < short[1] - short[0]:
                    short[:] = [b.top, b.bottom]
                ext[:] = [min(ext[0], b.top), max(ext[1], b.bottom)]
                break
        else:
            rows.append(([b], [b.top, b.bottom], [b.top, b.bottom]))
            open_rows.append(rows[-1])
    open_rows = list(rows)  # made in the order of their tops
    for b in sorted(labels, key=lambda b: (b.top, b.x0)):
        open_rows = [r for r in open_rows if b.top < r[2][1] - 1]
        for words, _, ext in open_rows:
            if b.bottom > ext[0] + 1:
                words.append(b)
                break
        else:
            rows.append(([b], [b.top, b.bottom], [b.top, b.bottom]))
            open_rows.append(rows[-1])
    rows.sort(key=lambda r: r[2][0])
    return [sorted(words, key=lambda b: b.x0) for words, _, _ in rows]


def _attach_figures(rows: list[list[_Block]], header: list[bool],
                    is_label: Callable[[_Block], bool]) -> tuple[list[list[_Block]], list[bool]]:
    """A row of figures alone joins the row of labels alone just above it: figures centred beside a label wrapped
    over lines (`2.其他法律行政法规禁` / `止公开`), or printed on the line under their row's label."""
    out: list[list[_Block]] = []
    flags: list[bool] = []
    for r, head in zip(rows, header, strict=True):
        if out and not head and not flags[-1] and all(is_valueish(b.text) and not is_label(b) for b in r):
            above = out[-1]
            labels = [b for b in above if is_label(b)]
            if labels and len(labels) == len(above) and not any(is_valueish(b.text) for b in above):
                base = r[0].first.base
                size = r[0].first.size
                if min(b.first.base for b in labels) < base <= max(b.last.base for b in labels) + 1.6 * size:
                    out[-1] = sorted(above + r, key=lambda b: b.x0)
                    continue
        out.append(r)
        flags.append(head)
    return out, flags


def _covers(b: _Block, lo: float, hi: float) -> bool:
    return b.x0 <= (lo + hi) / 2 <= b.x1 or lo <= (b.x0 + b.x1) / 2 <= hi


def _label_cells(label: list[_Block], lcols: list[tuple[float, float]], units: list[bool]) -> list[str]:
    """A data row's labels. A unit column (条, 件, 万元) left blank after the row's label is an empty cell; other
    label columns without text belong to labels merged down from rows above or across (not cells of this row)."""
    covered = [any(_covers(b, lo, hi) for b in label) for lo, hi in lcols]
    if not label or not any(covered):
        return [b.text for b in label]
    first = covered.index(True)
    cells = [(b.x0, b.text) for b in label]
    cells += [(lo, "") for k, (lo, hi) in enumerate(lcols) if k > first and units[k] and not covered[k]]
    return [t for _, t in sorted(cells, key=lambda c: c[0])]


def _title_row(b: _Block, left: float, label_xs: list[float]) -> bool:
    """A lone text that starts where no row label starts, away from the left edge: a title across the table."""
    size = b.first.size
    return b.x0 > left + 2 * size and not any(abs(b.x0 - x) <= 0.5 * size for x in label_xs)


def _pitch(prev: Line, ln: Line) -> float:
    """From one line to the next: baseline to baseline, or, after or before a text taller than a line (a header
    word turned up its cell), from the bottom of the one to the top of the other (plus a line)."""
    size = max(ln.size, prev.size)
    pitch = ln.base - prev.base
    if max(prev.bottom - prev.top, ln.bottom - ln.top) > 1.8 * size:
        pitch = min(pitch, ln.top - prev.bottom + size)
    return pitch


def table_regions(lines: list[Line], continues: bool = False, blank: bool = False) -> list[tuple[int, int]]:
    """Runs of lines that form a table without rules: lines of several chunks (with the single-chunk lines
    between them: wrapped labels, blank rows), at least one number, no gap wider than a table row. Two such lines
    at least, or one at the top of a page that continues a table; `blank`: the run at the top of such a page may
    hold no number (its rows printed blank)."""
    regions = []
    multi = [len(ln.chunks) >= 2 or ln.carried for ln in lines]
    for n in range(1, len(lines)):  # a row's figures on a line of their own, beside or under its label
        ln, above = lines[n], lines[n - 1]
        if ln.chunks[0].x0 > above.x1 and all(c.valueish for c in ln.chunks) \
                and not any(c.valueish for c in above.chunks) and ln.base - above.base <= 1.7 * ln.size:
            multi[n - 1] = multi[n] = True
    i = 0
    while i < len(lines):
        if not multi[i]:
            i += 1
            continue
        j = i
        last_multi = i
        k = i + 1
        lo, hi = lines[i].x0, lines[i].x1
        while k < len(lines):
            ln, prev = lines[k], lines[k - 1]
            size = max(ln.size, prev.size)
            pitch = _pitch(prev, ln)
            if pitch > 2.3 * size and not (multi[k] and pitch <= 4 * size and any(c.number for c in ln.chunks)):
                break  # a gap wider than a row (a tall row of numbers may follow a tall label)
            if multi[k]:
                last_multi = k
            elif ln.x1 - ln.x0 > 0.7 * (hi - lo) and not ENUM.match(ln.text):
                break  # a paragraph line
            lo, hi = min(lo, ln.x0), max(hi, ln.x1)
            k += 1
        j = last_multi
        # blank rows after the last row of several chunks: labels at a label column's x; and a row's figure
        # printed on the line under its label
        label_x = {round(ln.x0) for ln in lines[i : j + 1]}
        while j + 1 < k and (any(abs(lines[j + 1].x0 - x) <= 0.5 * lines[j + 1].size for x in label_x)
                             or all(c.valueish for c in lines[j + 1].chunks)):
            j += 1
        # a table continued from the previous page may start the page with blank rows (labels only)
        first = i
        if continues and not regions and all(not multi[n] for n in range(i)):
            while first > 0 and lines[first].base - lines[first - 1].base <= 2.3 * lines[first].size and (
                    any(abs(lines[first - 1].x0 - x) <= 0.5 * lines[first - 1].size for x in label_x)
                    or (all(c.valueish for c in lines[first].chunks)  # a label over its row's figures
                        and lines[first].base - lines[first - 1].base <= 1.7 * lines[first].size)):
                first -= 1
            if first > 0:
                first = i
        nmulti = sum(multi[i : j + 1])
        has_number = any(c.number for ln in lines[i : j + 1] for c in ln.chunks)
        at_top = continues and not regions and not any(multi[:first])
        if (has_number or (blank and at_top)) and (nmulti >= 2 or (at_top and nmulti == 1)):
            regions.append((first, j + 1))
        i = j + 1  # no line inside a rejected run starts a better one
    return regions




def read_unruled(p: Page, before: Part | None, carried: bool = False) -> None:
    """The page's tables without rules. `before`: the table part the page before ends with (nothing after it
    there), which this page may go on with, even with rows printed blank only; `carried`: the page starts with a
    table's first rows moved from the page before (`carry_heads`)."""
    regions = table_regions(p.lines, before is not None or carried, blank=before is not None)
    if not regions:
        return
    used: set[int] = set()
    for k, (a, b) in enumerate(regions):
        spans = before.spans if before is not None and k == 0 else None
        part = _unruled_part(p.lines[a:b], p.number, spans)
        if part is None:
            continue
        p.parts.append(part)
        used.update(range(a, b))
    p.lines = [ln for n, ln in enumerate(p.lines) if n not in used]


def carry_heads(pages: list[Page]) -> set[int]:
    """A table that starts at the foot of a page with rows that hold no figure (its header, rows printed blank)
    and goes on at the top of the next page: those rows move to the top of the next page, so the table is read
    whole there (a header printed again on the next page is dropped instead). Only rows over two columns or more,
    lined up with the table on the next page, move. Returns the numbers of the pages that received rows."""
    carried: set[int] = set()
    for p, q in pairwise(pages):
        if q.number != p.number + 1 or not p.lines or not q.lines:
            continue
        head = q.lines[:4]
        if not any(c.number for ln in head[:3] for c in ln.chunks):
            continue  # the next page does not start with a table's rows
        n = _head_at_foot(p.lines, [ln.x0 for ln in head])
        if not n:
            continue
        tail = p.lines[-n:]
        if any(part.bottom > tail[0].top for part in p.parts) or any(part.top < head[0].top for part in q.parts):
            continue  # a ruled table below these rows, or above the next page's first line
        below = [c for ln in head for c in ln.chunks]
        words = [c for ln in tail for c in ln.chunks]
        lined_up = sum(any(min(c.x1, d.x1) - max(c.x0, d.x0) > 0 for d in below) for c in words)
        if 2 * lined_up < len(words):
            continue
        p.lines = p.lines[:-n]
        carried.add(q.number)
        if [ln.text for ln in tail] == [ln.text for ln in q.lines[:n]]:
            continue  # the header printed again on the next page
        size = max(ln.size for ln in tail)
        dy = q.lines[0].top - 0.6 * size - max(ln.bottom for ln in tail)
        for ln in tail:
            ln.base += dy
            ln.page = q.number
            ln.carried = True
            for c in ln.chunks:
                c.top += dy
                c.bottom += dy
                c.base += dy
        q.lines = tail + q.lines
    return carried


def _head_at_foot(lines: list[Line], label_xs: list[float]) -> int:
    """How many of a page's last lines are a table's first rows with no figure: lines without a number, close
    together, none a paragraph line across the page, from a line of several chunks or one at the label column of
    the table on the next page (`label_xs`: where its first lines start), side by side over two columns at least."""
    left = min(ln.x0 for ln in lines)
    width = max(ln.x1 for ln in lines) - left
    n = 0
    for k in range(len(lines) - 1, -1, -1):
        ln = lines[k]
        if any(c.number for c in ln.chunks) or (len(ln.chunks) == 1 and ln.x1 - ln.x0 > 0.7 * width):
            break
        if k + 1 < len(lines) and _pitch(ln, lines[k + 1]) > 2.3 * max(ln.size, lines[k + 1].size):
            break
        n += 1
    while n and len(lines[-n].chunks) < 2 and not any(abs(lines[-n].x0 - x) <= 0.5 * lines[-n].size for x in label_xs):
        n -= 1  # the rows start with a row of several chunks, or at the table's label column
    words = [c for ln in lines[len(lines) - n :] for c in ln.chunks]
    if not any(min(a.x1, b.x1) <= max(a.x0, b.x0) for a in words for b in words):
        return 0  # one column only
    if n:
        first = lines[-n]
        for above in lines[max(0, len(lines) - n - 2) : len(lines) - n]:
            if first.base - above.base <= 1.7 * first.size and any(
                    abs(c.x0 - d.x0) <= 0.5 * c.size and not d.valueish for c in first.chunks for d in above.chunks):
                return 0  # the lines go on with the labels of the row above (wrapped), not a new table's rows
    return n
