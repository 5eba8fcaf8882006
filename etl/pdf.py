"""PDF bytes -> `Doc` (the row stream of `etl.document`), with PyMuPDF reading the text and the vector graphics.

What a page gives:

- ruled tables, found from their drawn borders (a lattice: horizontal and vertical segments, merged cells where a
  border is missing between grid slots). Each merged cell gives its text once, on its first row, like an HTML
  cell with rowspan/colspan;
- tables without ruling lines, found from text positions: lines of several separate chunks of text with figures
  lined up in value columns. Merged cells there are known only by where their text starts (Word prints cell text
  at the top of a cell by default), so an unruled merged label counts on the row where its first line sits;
- paragraphs: the remaining lines, one row per paragraph (a new paragraph starts at an indent, a heading number
  like `一、` or `（二）`, after a line that stops short of the right margin, or at a change of font size).

Text that wraps inside a cell or a paragraph is joined without a space between Chinese characters (`本年新` +
`制作数量` -> `本年新制作数量`; a label printed one character per line joins the same way). Page numbers (`第 1 页`,
`- 2 -`, `共3页`) and lines repeated in the page margins are dropped. A table whose next part starts the next page
continues the same table when its columns match: a header row printed again is dropped, and what a page break cut
(a row, or the text of a tall merged cell, running on over the break) joins its first part. Pages whose text runs
up, down or upside down are read turned upright.

Refused with `PdfError` (never read as empty, never numbers from text that cannot be read): damaged files whose
content is lost, encrypted files that need a password, scanned pages (images without a text layer), text in fonts
without a Unicode mapping, more than MAX_PAGES pages.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pymupdf

from etl.document import Doc, Row
from etl.normalize import clean, normalize_text, parse_cell_number

MAX_PAGES = 300
MAX_CHARS_PER_PAGE = 200_000
MAX_SEGMENTS_PER_PAGE = 8_000  # more drawn segments than that: the page is a drawing, not a table
MAX_GRID_SLOTS = 40_000  # grid slots of one ruled table (a report's largest has a few hundred)

_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十]+\s*[)）]|第[一二三四五六七八九十]+[章节部分条]|附件)"
)
_ENUM = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.．、](?!\d)|其中)"
)
_PAGE_NUMBER = re.compile(
    r"^(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页(?:\s*[,，]?\s*第\s*\d+\s*页)?|[-—–－~～]+\s*\d+\s*[-—–－~～]+"
    r"|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?|\d{1,4})$",
    re.I,
)
# MuPDF warnings that mean lost content (a repaired cross-reference table alone loses nothing)
_LOSS = re.compile(r"cannot load content stream|object is not a stream|zlib error|premature end|unexpected eof"
                   r"|read error|ignoring broken object|truncated", re.I)
_BAD_CHAR = re.compile("[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]")
_UNITS = {"条", "件", "次", "人次", "人", "个", "项", "篇", "份", "万元", "元"}
_BLANKS = {"—", "——", "-", "－", "/", "／", "－－", "--", "?", "??", "???"}


class PdfError(Exception):
    """A PDF that cannot be read (broken, encrypted, scanned, unreadable fonts, too large). `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- text primitives --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Char:
    c: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float
    size: float


@dataclass(slots=True)
class _Chunk:
    """Characters of one line with no wide gap between them."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float
    size: float
    number: bool = False  # a figure (parse_cell_number gives a Number)
    valueish: bool = False  # a figure or a blank mark (—, /)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class _Line:
    chunks: list[_Chunk]
    base: float
    size: float
    page: int

    @property
    def x0(self) -> float:
        return self.chunks[0].x0

    @property
    def x1(self) -> float:
        return self.chunks[-1].x1

    @property
    def top(self) -> float:
        return min(c.top for c in self.chunks)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chunks)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.chunks)


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "%)")


def join_lines(parts: list[str]) -> str:
    """Wrapped lines of one cell or paragraph as one text: Chinese joins without a space, words with one."""
    if len(parts) >= 2 and all(len(p.strip()) == 1 for p in parts):
        return "".join(p.strip() for p in parts)  # printed one character per line
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def _chunks(chars: list[_Char]) -> list[_Chunk]:
    """One line's characters (sorted by x) -> chunks, split at gaps wider than 0.8 of the font size."""
    out: list[_Chunk] = []
    cur: list[_Char] = []
    text = ""
    spaced = False
    for ch in chars:
        if ch.c.isspace():
            spaced = True
            continue
        if cur and ch.c == cur[-1].c and abs(ch.x0 - cur[-1].x0) < 0.3 * ch.size and abs(ch.base - cur[-1].base) < 1:
            continue  # the same glyph printed again a hair to the side (fake bold)
        if cur:
            gap = ch.x0 - cur[-1].x1
            size = max(ch.size, cur[-1].size)
            if gap > 0.8 * size:
                out.append(_chunk(text, cur))
                cur, text = [], ""
            elif spaced or (gap > 0.4 * size and (_is_ascii_word(cur[-1].c) or _is_ascii_word(ch.c))):
                text += " "
        spaced = False
        cur.append(ch)
        text += ch.c
    if cur:
        out.append(_chunk(text, cur))
    return out


def _chunk(text: str, chars: list[_Char]) -> _Chunk:
    mid = chars[len(chars) // 2]
    number = _is_number(text)
    return _Chunk(text, chars[0].x0, max(c.x1 for c in chars), min(c.top for c in chars),
                  max(c.bottom for c in chars), mid.base, mid.size, number, number or text.strip() in _BLANKS)


def _lines(chars: list[_Char], page: int) -> list[_Line]:
    """Characters -> lines (same baseline), top to bottom, each split into chunks."""
    lines: list[_Line] = []
    group: list[_Char] = []
    for ch in sorted(chars, key=lambda c: (c.base, c.x0)):
        if group and ch.base - group[0].base > 0.35 * max(ch.size, group[0].size):
            lines.extend(_line(group, page))
            group = []
        group.append(ch)
    if group:
        lines.extend(_line(group, page))
    return lines


def _line(group: list[_Char], page: int) -> list[_Line]:
    group.sort(key=lambda c: c.x0)
    chunks = _chunks(group)
    if not chunks:
        return []
    size = Counter(c.size for c in chunks).most_common(1)[0][0]
    return [_Line(chunks, Counter(c.base for c in chunks).most_common(1)[0][0], size, page)]


def _text_of(chars: list[_Char]) -> str:
    """Text in a box (a table cell): its lines joined (a vertical label is one character per line)."""
    return join_lines([ln.text for ln in _lines(chars, 0)])


# --- ruled tables (lattice) -------------------------------------------------------------------------


@dataclass(slots=True)
class _Seg:
    pos: float  # y of a horizontal segment, x of a vertical one
    lo: float
    hi: float


@dataclass
class _Part:
    """Rows of one table on one page (a table broken across pages has one part per page)."""

    rows: list[list[str]]
    top: float
    bottom: float
    page: int
    ruled: bool
    columns: list[float]  # column boundaries (ruled)
    left: float
    right: float
    table: int | None = None
    spans: list[tuple[float, float]] = field(default_factory=list)  # value column extents (unruled)
    boxes: list[list[tuple[float, float, int]]] = field(default_factory=list)  # each row's cells: x extent, rows
    # merged cells reaching the bottom (ruled): x extent, the index of their row in `rows`, their text
    open_cells: list[tuple[float, float, int, str]] = field(default_factory=list)
    emitted: dict[int, Row] = field(default_factory=dict)  # index in `rows` -> the Row it became


def _segments(page: pymupdf.Page, turn) -> tuple[list[_Seg], list[_Seg]]:  # noqa: ANN001
    hs: list[_Seg] = []
    vs: list[_Seg] = []

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        (x0, y0), (x1, y1) = turn(x0, y0), turn(x1, y1)
        if abs(y1 - y0) <= 1.0 and abs(x1 - x0) > 2.0:
            hs.append(_Seg((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) <= 1.0 and abs(y1 - y0) > 2.0:
            vs.append(_Seg((x0 + x1) / 2, min(y0, y1), max(y0, y1)))

    for path in page.get_cdrawings():
        stroked = "s" in (path.get("type") or "")
        for item in path.get("items", ()):
            kind = item[0]
            if kind == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                add(x0, y0, x1, y1)
            elif kind in ("re", "qu"):
                if kind == "re":
                    x0, y0, x1, y1 = item[1]
                else:
                    pts = item[1]
                    xs_, ys_ = [p[0] for p in pts], [p[1] for p in pts]
                    x0, y0, x1, y1 = min(xs_), min(ys_), max(xs_), max(ys_)
                (x0, y0), (x1, y1) = turn(x0, y0), turn(x1, y1)
                x0, x1 = min(x0, x1), max(x0, x1)
                y0, y1 = min(y0, y1), max(y0, y1)
                if y1 - y0 <= 2.0 and x1 - x0 > 2.0:  # a border drawn as a thin filled rectangle
                    hs.append(_Seg((y0 + y1) / 2, x0, x1))
                elif x1 - x0 <= 2.0 and y1 - y0 > 2.0:
                    vs.append(_Seg((x0 + x1) / 2, y0, y1))
                elif stroked or (x1 - x0 < 400 and y1 - y0 < 200):  # a cell box (stroked, or a shaded cell)
                    hs += [_Seg(y0, x0, x1), _Seg(y1, x0, x1)]
                    vs += [_Seg(x0, y0, y1), _Seg(x1, y0, y1)]
        if len(hs) + len(vs) > MAX_SEGMENTS_PER_PAGE:
            return [], []
    return _merge(hs), _merge(vs)


def _merge(segs: list[_Seg], snap: float = 1.0, join: float = 2.0) -> list[_Seg]:
    """Collinear segments (positions within `snap`) that touch or overlap (within `join`) -> one segment."""
    out: list[_Seg] = []
    segs = sorted(segs, key=lambda s: s.pos)
    groups: list[list[_Seg]] = []
    for s in segs:
        if groups and s.pos - groups[-1][-1].pos <= snap:
            groups[-1].append(s)
        else:
            groups.append([s])
    for g in groups:
        pos = sum(s.pos for s in g) / len(g)
        g.sort(key=lambda s: s.lo)
        cur = _Seg(pos, g[0].lo, g[0].hi)
        for s in g[1:]:
            if s.lo <= cur.hi + join:
                cur.hi = max(cur.hi, s.hi)
            else:
                out.append(cur)
                cur = _Seg(pos, s.lo, s.hi)
        out.append(cur)
    return out


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


@dataclass
class _Lattice:
    xs: list[float]
    ys: list[float]
    cells: list[tuple[int, int, int, int]]  # (row0, col0, row1, col1) in grid slots, exclusive ends
    slot: dict[tuple[int, int], int]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def _lattices(hs: list[_Seg], vs: list[_Seg], tol: float = 2.0) -> list[_Lattice]:
    """Connected groups of horizontal and vertical segments -> grids with their (merged) cells."""
    n = len(hs) + len(vs)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(vs)), key=lambda j: vs[j].pos)
    positions = [vs[j].pos for j in order]
    for i, h in enumerate(hs):
        for j in order[bisect.bisect_left(positions, h.lo - tol) : bisect.bisect_right(positions, h.hi + tol)]:
            v = vs[j]
            if v.lo - tol <= h.pos <= v.hi + tol:
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[_Seg], list[_Seg]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    out = []
    for gh, gv in groups.values():
        if len(gh) < 2 or len(gv) < 1:
            continue
        lat = _lattice(gh, gv, tol)
        if lat is not None:
            out.append(lat)
    return out


def _lattice(hs: list[_Seg], vs: list[_Seg], tol: float) -> _Lattice | None:
    left, right = min(h.lo for h in hs), max(h.hi for h in hs)
    top, bottom = min(h.pos for h in hs), max(h.pos for h in hs)
    xs = _cluster([v.pos for v in vs] + [left, right], 1.5)
    ys = _cluster([h.pos for h in hs] + [min(v.lo for v in vs), max(v.hi for v in vs)], 1.5)
    xs = [x for x in xs if left - tol <= x <= right + tol]
    ys = [y for y in ys if top - tol <= y <= bottom + tol]
    if len(xs) < 2 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) > MAX_GRID_SLOTS:
        return None  # no grid, or a drawing (graph paper), not a report's table

    at_x = [[v for v in vs if abs(v.pos - x) <= 1.5] for x in xs]
    at_y = [[h for h in hs if abs(h.pos - y) <= 1.5] for y in ys]

    def covered(segs: list[_Seg], mid: float) -> bool:
        return any(s.lo - tol <= mid <= s.hi + tol for s in segs)

    nr, nc = len(ys) - 1, len(xs) - 1
    parent = {(i, j): (i, j) for i in range(nr) for j in range(nc)}

    def find(k: tuple[int, int]) -> tuple[int, int]:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i in range(nr):
        ymid = (ys[i] + ys[i + 1]) / 2
        for j in range(nc):
            xmid = (xs[j] + xs[j + 1]) / 2
            if j + 1 < nc and not covered(at_x[j + 1], ymid):
                a, b = find((i, j)), find((i, j + 1))
                if a != b:
                    parent[b] = a
            if i + 1 < nr and not covered(at_y[i + 1], xmid):
                a, b = find((i, j)), find((i + 1, j))
                if a != b:
                    parent[b] = a
    members: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for k in parent:
        members.setdefault(find(k), []).append(k)
    cells = []
    slot: dict[tuple[int, int], int] = {}
    for ks in sorted(members.values(), key=lambda ks: min(ks)):
        r0, c0 = min(k[0] for k in ks), min(k[1] for k in ks)
        r1, c1 = max(k[0] for k in ks) + 1, max(k[1] for k in ks) + 1
        for k in ks:
            slot[k] = len(cells)
        cells.append((r0, c0, r1, c1))
    if len(cells) < 2:
        return None  # a box around a paragraph, not a table
    return _Lattice(xs, ys, cells, slot)


def _ruled_part(lat: _Lattice, chars: list[_Char], page: int) -> _Part:
    texts: list[list[_Char]] = [[] for _ in lat.cells]
    for ch in chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        j = min(max(bisect.bisect_right(lat.xs, cx) - 1, 0), len(lat.xs) - 2)
        i = min(max(bisect.bisect_right(lat.ys, cy) - 1, 0), len(lat.ys) - 2)
        texts[lat.slot[(i, j)]].append(ch)
    by_row: dict[int, list[tuple[int, str, tuple[float, float, int]]]] = {}
    nrows = len(lat.ys) - 1
    reaching: list[tuple[int, float, float, str]] = []
    for n, (r0, c0, r1, c1) in enumerate(lat.cells):
        text = clean(_text_of(texts[n]))
        by_row.setdefault(r0, []).append((c0, text, (lat.xs[c0], lat.xs[c1], r1 - r0)))
        if r1 == nrows and r1 - r0 >= 2:
            reaching.append((r0, lat.xs[c0], lat.xs[c1], text))
    rows, boxes = [], []
    index: dict[int, int] = {}
    for r in sorted(by_row):
        cells = sorted(by_row[r])
        if any(t for _, t, _ in cells):
            index[r] = len(rows)
            rows.append([t for _, t, _ in cells])
            boxes.append([b for _, _, b in cells])
    open_cells = [(x0, x1, index.get(r0, -1), text) for r0, x0, x1, text in reaching]
    x0, y0, x1, y1 = lat.bbox
    return _Part(rows, y0, y1, page, True, lat.xs, x0, x1, boxes=boxes, open_cells=open_cells)


def _inside(ch: _Char, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
    return bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1


# --- unruled tables (text positions) ----------------------------------------------------------------


def _is_number(text: str) -> bool:
    return parse_cell_number(text) not in (None, "text")


def _is_valueish(text: str) -> bool:
    t = text.strip()
    return _is_number(t) or t in _BLANKS


@dataclass(eq=False)
class _Block:
    """Chunks of one cell: a label wrapped over several lines, or printed one character per line."""

    chunks: list[_Chunk]

    @property
    def first(self) -> _Chunk:
        return self.chunks[0]

    @property
    def last(self) -> _Chunk:
        return self.chunks[-1]

    @property
    def x0(self) -> float:
        return min(c.x0 for c in self.chunks)

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.chunks)

    @property
    def text(self) -> str:
        return clean(join_lines([c.text for c in self.chunks]))


def _single_cjk(c: _Chunk) -> bool:
    return len(c.text) == 1 and not c.text.isdigit() and not c.text.isspace()


def _stitch(lines: list[_Line]) -> list[_Block]:
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
                if c.valueish or last.valueish or _ENUM.match(c.text):
                    continue
                if min(last.x1, c.x1) - max(last.x0, c.x0) <= 0 and abs(last.x0 - c.x0) > 0.5 * size:
                    continue
                if numeric_line and numeric_first:
                    continue  # two data rows, not a wrapped label
                best = b
                break
            if best is None:
                block = _Block([c])
                blocks.append(block)
                grown.append((block, numeric_line))
            else:
                best.chunks.append(c)
        live += grown
    return blocks


def _unruled_part(lines: list[_Line], page: int) -> _Part | None:
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
    numeric = [[b for b in r if len(b.chunks) == 1 and _is_number(b.text)] for r in rows]
    width = max((len(n) for n in numeric), default=0)
    if width == 0:
        return None
    reference = [n for n in numeric if len(n) == width]
    cols = [(min(n[k].x0 for n in reference), max(n[k].x1 for n in reference)) for k in range(width)]
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

    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    labels = [[b for b in r if is_label(b)] for r, n in zip(rows, numeric, strict=True) if n]
    label_xs = [b.x0 for r in labels for b in r]
    # label columns, from the data rows that print the most labels (a row label, a unit: 条, 件)
    nlabel = max((len(r) for r in labels), default=0)
    lcols = [(min(r[k].x0 for r in labels if len(r) == nlabel), max(r[k].x1 for r in labels if len(r) == nlabel))
             for k in range(nlabel)]
    units = [all(b.text in _UNITS or b.text in _BLANKS for r in labels for b in r if _covers(b, lo, hi))
             for lo, hi in lcols]
    out: list[list[str]] = []
    for r in rows:
        label = [b for b in r if is_label(b)]
        value = [b for b in r if b not in label]
        if any(not _is_valueish(b.text) and b.text not in _UNITS for b in value):
            out.append([b.text for b in r])  # a header row: its words as printed
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
    return _Part([r for r in out if any(r)], top, bottom, page, False, [], left, right, spans=cols)


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


def _table_regions(lines: list[_Line], continues: bool = False) -> list[tuple[int, int]]:
    """Runs of lines that form a table without rules: lines of several chunks (with the single-chunk lines
    between them: wrapped labels, blank rows), at least one number, no gap wider than a table row. Two such lines
    at least, or one at the top of a page that continues a table."""
    regions = []
    multi = [len(ln.chunks) >= 2 for ln in lines]
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
            pitch = ln.base - prev.base
            if pitch > 2.3 * size and not (multi[k] and pitch <= 4 * size and any(c.number for c in ln.chunks)):
                break  # a gap wider than a row (a tall row of numbers may follow a tall label)
            if multi[k]:
                last_multi = k
            elif ln.x1 - ln.x0 > 0.7 * (hi - lo) and not _ENUM.match(ln.text):
                break  # a paragraph line
            lo, hi = min(lo, ln.x0), max(hi, ln.x1)
            k += 1
        j = last_multi
        # blank rows after the last row of several chunks: labels at a label column's x
        label_x = {round(ln.x0) for ln in lines[i : j + 1]}
        while j + 1 < k and any(abs(lines[j + 1].x0 - x) <= 0.5 * lines[j + 1].size for x in label_x):
            j += 1
        # a table continued from the previous page may start the page with blank rows (labels only)
        first = i
        if continues and not regions and all(not multi[n] for n in range(i)):
            while first > 0 and any(abs(lines[first - 1].x0 - x) <= 0.5 * lines[first - 1].size for x in label_x) \
                    and lines[first].base - lines[first - 1].base <= 2.3 * lines[first].size:
                first -= 1
            if first > 0:
                first = i
        nmulti = sum(multi[i : j + 1])
        has_number = any(c.number for ln in lines[i : j + 1] for c in ln.chunks)
        if has_number and (nmulti >= 2 or (continues and first == 0 and nmulti == 1)):
            regions.append((first, j + 1))
        i = j + 1  # no line inside a rejected run starts a better one
    return regions


# --- page reading ---------------------------------------------------------------------------------


@dataclass
class _Page:
    number: int  # 1-based
    width: float
    height: float
    chars: int
    images: bool
    lines: list[_Line] = field(default_factory=list)
    parts: list[_Part] = field(default_factory=list)


def _upright(direction: tuple[int, int], width: float, height: float):  # noqa: ANN202 - a small closure
    """Coordinates in the frame where the page's text runs left to right (a landscape table printed sideways on a
    portrait page, or a page printed upside down), and that frame's width and height."""
    if direction == (0, -1):  # text running up the page
        return (lambda x, y: (height - y, x)), height, width
    if direction == (0, 1):  # text running down the page
        return (lambda x, y: (y, width - x)), height, width
    if direction == (-1, 0):
        return (lambda x, y: (width - x, height - y)), width, height
    return (lambda x, y: (x, y)), width, height


def _direction(raw: dict) -> tuple[int, int]:
    """The direction most of the page's characters run in."""
    count: Counter[tuple[int, int]] = Counter()
    for block in raw.get("blocks", ()):
        for line in block.get("lines", ()):
            dx, dy = line.get("dir", (1, 0))
            n = sum(len(span.get("chars", ())) for span in line.get("spans", ()))
            count[(round(dx), round(dy))] += n
    best = count.most_common(1)[0][0] if count else (1, 0)
    return best if best in ((1, 0), (0, 1), (0, -1), (-1, 0)) else (1, 0)


def _page_chars(raw: dict, turn, number: int) -> tuple[list[_Char], int]:  # noqa: ANN001
    chars: list[_Char] = []
    bad = 0
    seen: set[tuple[str, int, int]] = set()
    for block in raw.get("blocks", ()):
        for line in block.get("lines", ()):
            for span in line.get("spans", ()):
                size = float(span.get("size") or 0) or 1.0
                for ch in span.get("chars", ()):
                    c = ch["c"]
                    if _BAD_CHAR.search(c):
                        bad += 1
                        continue
                    ax, ay = turn(ch["bbox"][0], ch["bbox"][1])
                    bx, by = turn(ch["bbox"][2], ch["bbox"][3])
                    x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
                    ox, oy = turn(*ch["origin"])
                    # upright text: its baseline; a glyph turned against the page's text (a label written
                    # sideways): its box's bottom, so it stacks one character per line
                    base = oy if y0 - 1 <= oy <= y1 + 1 and abs(ox - x0) <= 1 else y1
                    key = (c, round(x0), round(base))
                    if key in seen:
                        continue  # text printed twice (fake bold)
                    seen.add(key)
                    chars.append(_Char(unicodedata.normalize("NFC", c), x0, x1, y0, y1, base, size))
                    if len(chars) > MAX_CHARS_PER_PAGE:
                        raise PdfError(f"page {number}: more than {MAX_CHARS_PER_PAGE} characters")
    return chars, bad


def _read_page(page: pymupdf.Page) -> tuple[_Page, int]:
    raw = page.get_text("rawdict", flags=_FLAGS)
    box = page.cropbox  # text and drawings come in the unrotated page's coordinates
    turn, width, height = _upright(_direction(raw), box.width, box.height)
    chars, bad = _page_chars(raw, turn, page.number + 1)
    visible = [c for c in chars if not c.c.isspace()]
    images = False
    if not visible:
        area = abs(page.rect)
        covered = sum(abs(pymupdf.Rect(i["bbox"]) & page.rect) for i in page.get_image_info())
        images = area > 0 and covered / area > 0.3
    p = _Page(page.number + 1, width, height, len(visible), images)
    if not visible:
        return p, bad
    hs, vs = _segments(page, turn)
    free = chars  # spaces too: a printed space between words is kept
    for lat in _lattices(hs, vs):
        box = lat.bbox
        inside = [c for c in free if _inside(c, box)]
        if not inside:
            continue
        part = _ruled_part(lat, inside, p.number)
        if not part.rows:
            continue
        p.parts.append(part)
        free = [c for c in free if not _inside(c, box)]
    p.lines = _lines(free, p.number)
    return p, bad


def _drop_margins(pages: list[_Page]) -> None:
    """Page numbers and running headers/footers: lines in the top or bottom margin zone that are page numbers,
    or that repeat (digits aside) in the same zone on half the pages or more (not rows of figures)."""
    def zone(p: _Page, ln: _Line) -> str | None:
        if ln.bottom < p.height * 0.09:
            return "top"
        if ln.top > p.height * 0.91:
            return "bottom"
        return None

    def key(p: _Page, ln: _Line) -> tuple[str, str | None]:
        return re.sub(r"\d+", "#", ln.text.replace(" ", "")), zone(p, ln)

    repeated: Counter[tuple[str, str | None]] = Counter()
    for p in pages:
        for k in {key(p, ln) for ln in p.lines if zone(p, ln) and sum(c.number for c in ln.chunks) < 2}:
            repeated[k] += 1
    many = max(2, (len(pages) + 1) // 2)
    for p in pages:
        kept = []
        for ln in p.lines:
            if zone(p, ln):
                text = ln.text.replace(" ", "")
                if _PAGE_NUMBER.match(text) or (len(pages) >= 2 and repeated[key(p, ln)] >= many):
                    continue
            kept.append(ln)
        p.lines = kept


def _unruled(p: _Page, continues: bool) -> None:
    regions = _table_regions(p.lines, continues)
    if not regions:
        return
    used: set[int] = set()
    for a, b in regions:
        part = _unruled_part(p.lines[a:b], p.number)
        if part is None:
            continue
        p.parts.append(part)
        used.update(range(a, b))
    p.lines = [ln for n, ln in enumerate(p.lines) if n not in used]


# --- assembly -------------------------------------------------------------------------------------


def _same_columns(a: _Part, b: _Part) -> bool:
    if a.ruled != b.ruled:
        return False
    if a.ruled:
        if abs(a.left - b.left) > 2 or abs(a.right - b.right) > 2:
            return False
        small, big = (a.columns, b.columns) if len(a.columns) <= len(b.columns) else (b.columns, a.columns)
        return all(any(abs(x - y) <= 2 for y in big) for x in small)
    if abs(a.left - b.left) > 12:
        return False
    small, big = (a.spans, b.spans) if len(a.spans) <= len(b.spans) else (b.spans, a.spans)
    if not small:
        return False
    # each value column of one part falls in its own column of the other (nearest centre)
    centres = [(lo + hi) / 2 for lo, hi in big]
    hit = [min(range(len(centres)), key=lambda k: abs(centres[k] - (lo + hi) / 2)) for lo, hi in small]
    return len(set(hit)) == len(hit) and big[0][0] - 12 <= small[0][0] and small[-1][1] <= big[-1][1] + 12


def _continued(part: _Part, last_part: _Part, rows: list[Row]) -> list[tuple[int, list[str]]]:
    """The rows of a table's part on a new page (with their index in `part.rows`), less what only continues the
    previous page: header rows printed again, the rest of cells the break cut (their text joins the cell's text
    on the previous page; the empty rest of a merged cell is no cell), the rest of a row the break cut."""
    data = list(enumerate(part.rows))
    head = [r.cells for r in rows if r.table == part.table][:4]
    n = 0
    while n < len(data) and n < len(head) and data[n][1] == head[n]:
        n += 1  # header rows repeated on the new page
    data = data[n:]
    if not data:
        return data
    last = rows[-1] if rows and rows[-1].table == part.table else None
    first_index, first_cells = data[0]
    if part.ruled and last_part.ruled and len(part.boxes) > first_index and last_part.boxes:
        boxes = part.boxes[first_index]
        above = last_part.boxes[-1] if last is not None and len(last.cells) == len(last_part.boxes[-1]) else []

        def under(box: tuple, pool: list) -> int | None:
            return next((k for k, p in enumerate(pool) if abs(box[0] - p[0]) <= 2 and abs(box[1] - p[1]) <= 2), None)

        def goes_on(before: str, after: str) -> bool:
            return bool(before) and not _is_valueish(before) and not _is_valueish(after) and not _ENUM.match(after)

        rest = [(k, t, box, under(box, above)) for k, (t, box) in enumerate(zip(first_cells, boxes, strict=True))]
        going_on = [(t, j) for _, t, _, j in rest if j is not None]
        if last is not None and going_on and any(last.cells[j] and not t for t, j in going_on) \
                and all(not t or goes_on(last.cells[j], t) for t, j in going_on):
            # the last row of the previous page goes on here (a row may break across pages)
            more = {j: t for t, j in going_on}
            last.cells = [join_lines([c, more[k]]) if more.get(k) else c for k, c in enumerate(last.cells)]
            rest = [c for c in rest if c[3] is None]
        elif last is not None:
            # a merged cell of the previous page's last row goes on down this page (a tall cell here)
            kept = []
            for k, t, box, j in rest:
                if j is not None and box[2] >= 2 and t and goes_on(last.cells[j], t):
                    last.cells[j] = join_lines([last.cells[j], t])
                    continue
                kept.append((k, t, box, j))
            rest = kept
        spans = [(x0, x1) for x0, x1, _, _ in last_part.open_cells]
        lead = next((k for k, t, _, _ in rest if t), len(first_cells))
        first = []
        for k, t, box, _ in rest:
            j = under(box, spans)
            if j is not None and t:
                _, _, at, before = last_part.open_cells[j]
                row = last_part.emitted.get(at)
                if row is not None and before in row.cells and goes_on(before, t):
                    row.cells[row.cells.index(before)] = join_lines([before, t])  # a merged cell's text going on
                    continue
            if t or not (k < lead or j is not None):
                first.append(t)  # (the empty rest of a merged cell: one reaching down, or before the row's text)
        data = ([(first_index, first)] if any(first) else []) + data[1:]
    elif last is not None and _split_row(last.cells, first_cells):
        last.cells = [join_lines([a, b]) if b else a for a, b in zip(last.cells, first_cells, strict=True)]
        data = data[1:]
    return data


def _split_row(prev: list[str], first: list[str]) -> bool:
    """The first row of a table's next part is the rest of the previous part's last row (word processors let a
    row break across pages): the same cells, text only under cells that have text (labels going on), no figure,
    no new row number, and some cell of the row already complete (a whole new row fills every labelled cell)."""
    if len(prev) != len(first) or not any(first):
        return False
    for a, b in zip(prev, first, strict=True):
        if b and (not a or _is_valueish(b) or _is_valueish(a) or _ENUM.match(b)):
            return False
    return any(a and not b for a, b in zip(prev, first, strict=True))


def _paragraphs(items: list[tuple[str, object]], left: float, right: float, body: float) -> list[Row]:
    rows: list[Row] = []
    buf: list[_Line] = []

    def flush() -> None:
        if buf:
            text = clean(join_lines([ln.text for ln in buf]))
            if text:
                rows.append(Row([text], page=buf[0].page))
            buf.clear()

    ntables = 0
    table_rows: dict[int, int] = {}
    last_part: _Part | None = None
    for kind, obj in items:
        if kind == "table":
            part = obj  # type: ignore[assignment]
            assert isinstance(part, _Part)
            flush()
            continuing = (
                last_part is not None and part.page == last_part.page + 1 and _same_columns(last_part, part)
                and last_part.table is not None
            )
            data = list(enumerate(part.rows))
            if continuing:
                assert last_part is not None and last_part.table is not None
                part.table = last_part.table
                data = _continued(part, last_part, rows)
            else:
                part.table = ntables
                ntables += 1
            for k, cells in data:
                i = table_rows.get(part.table, 0)
                row = Row(cells, table=part.table, index=i, page=part.page)
                rows.append(row)
                part.emitted[k] = row
                table_rows[part.table] = i + 1
            last_part = part
            continue
        ln = obj
        assert isinstance(ln, _Line)
        text = ln.text
        if buf:
            prev = buf[-1]
            big = prev.size > body * 1.15 and abs(prev.size - ln.size) < 0.5
            new = abs(prev.size - ln.size) > 0.6 or _HEADING.match(text) is not None
            if big:
                new = new or (ln.page == prev.page and ln.base - prev.base > 1.9 * ln.size)
            else:
                new = (
                    new
                    or ln.x0 > left + 0.9 * ln.size
                    or prev.x1 < right - 1.5 * prev.size
                    or (ln.page == prev.page and ln.base - prev.base > 2.0 * max(ln.size, prev.size))
                )
            if new:
                flush()
        buf.append(ln)
        last_part = None
    flush()
    return rows


def _open(data: bytes) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
        if not doc.is_pdf:
            raise PdfError("not a PDF (the bytes are another kind of document)")
        if doc.needs_pass:
            raise PdfError("encrypted PDF: a password is needed to open it")
        count = doc.page_count
    except PdfError:
        raise
    except Exception as exc:  # noqa: BLE001 - MuPDF raises several types for damaged files
        raise PdfError(f"broken PDF: {exc}") from None
    if count == 0:
        raise PdfError("broken PDF: no pages")
    if count > MAX_PAGES:
        raise PdfError(f"PDF has {count} pages, more than {MAX_PAGES}")
    return doc


def _title(doc: pymupdf.Document) -> str | None:
    title = clean((doc.metadata or {}).get("title") or "")
    title = re.sub(r"^Microsoft (?:Word|Excel) - ", "", title)
    title = re.sub(r"\.(?:docx?|wps|xlsx?|pdf)$", "", title, flags=re.I)
    return title or None


def pdf_doc(data: bytes) -> Doc:
    """The report's rows (tables and paragraphs) in reading order. Raises `PdfError` for a PDF that cannot be read."""
    shown = pymupdf.TOOLS.mupdf_display_errors()
    pymupdf.TOOLS.mupdf_display_errors(False)  # MuPDF's own messages on damaged files: collected, not printed
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    try:
        return _pdf_doc(data)
    finally:
        pymupdf.TOOLS.mupdf_warnings(reset=True)
        pymupdf.TOOLS.mupdf_display_errors(shown)


def _pdf_doc(data: bytes) -> Doc:
    doc = _open(data)
    try:
        pages: list[_Page] = []
        bad = total = 0
        for number in range(doc.page_count):
            try:
                p, b = _read_page(doc.load_page(number))
            except PdfError:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged page or page tree
                raise PdfError(f"broken PDF: page {number + 1}: {exc}") from None
            pages.append(p)
            bad += b
            total += p.chars + b
        title = _title(doc)
    except PdfError:
        raise
    except Exception as exc:  # noqa: BLE001 - MuPDF on a damaged file
        raise PdfError(f"broken PDF: {exc}") from None
    finally:
        doc.close()
    if _LOSS.search(pymupdf.TOOLS.mupdf_warnings()):
        raise PdfError("damaged PDF: part of its content cannot be read (a truncated or corrupt file)")
    scanned = [p.number for p in pages if p.chars == 0 and p.images]
    if total == 0 or all(p.chars == 0 for p in pages):
        raise PdfError("scanned PDF, no text layer" if scanned else "no text in the PDF")
    if scanned:
        listed = ", ".join(str(n) for n in scanned)
        raise PdfError(f"scanned PDF, no text layer on page(s) {listed} of {len(pages)}")
    if bad >= 10 and bad > 0.02 * total:
        raise PdfError(f"unreadable text layer: {bad} of {total} characters have no Unicode mapping")

    _drop_margins(pages)
    continues = False
    for p in pages:
        _unruled(p, continues)
        last_line = max((ln.bottom for ln in p.lines), default=-1.0)
        continues = any(not part.ruled and part.bottom > last_line for part in p.parts)
    lines = [ln for p in pages for ln in p.lines]
    sizes: Counter[int] = Counter()
    for ln in lines:
        sizes[round(ln.size)] += sum(len(c.text) for c in ln.chunks)  # the body size: most of the text
    body = sizes.most_common(1)[0][0] if sizes else 10
    body_lines = [ln for ln in lines if abs(ln.size - body) < 1] or lines
    left = Counter(round(ln.x0) for ln in body_lines).most_common(1)[0][0] if body_lines else 0.0
    right = max((ln.x1 for ln in body_lines), default=0.0)
    items: list[tuple[str, object]] = []
    for p in pages:
        page_items: list[tuple[float, int, str, object]] = [(ln.top, 1, "line", ln) for ln in p.lines]
        page_items += [(part.top, 0, "table", part) for part in p.parts]
        page_items.sort(key=lambda t: (t[0], t[1]))
        items += [(kind, obj) for _, _, kind, obj in page_items]
    rows = _paragraphs(items, left, right, body)
    return _normalized(Doc(title, rows))


def _normalized(doc: Doc) -> Doc:
    """Traditional script, pinyin artifacts, invisible characters: the whole-document normalisation of HTML."""
    cells = [c for r in doc.rows for c in r.cells]
    text, steps = normalize_text("\x1f".join([doc.title or "", *cells]))
    parts = text.split("\x1f")
    if len(parts) != len(cells) + 1:  # pragma: no cover - normalisation never touches the separator
        return doc
    title = clean(parts[0]) or None
    n = 1
    for r in doc.rows:
        r.cells = [clean(c) for c in parts[n : n + len(r.cells)]]
        n += len(r.cells)
    return Doc(title, doc.rows, steps=["pdf", *steps])
