"""PDF bytes -> `Doc` (the row stream of `etl.document`), with PyMuPDF reading the text and the vector graphics.

What a page gives:

- ruled tables, found from their drawn borders (a lattice: horizontal and vertical segments, merged cells where a
  border is missing between grid slots). Each merged cell prints its text once, on its first row, like an HTML
  cell with rowspan/colspan;
- tables without ruling lines, found from text positions: lines with several separate chunks of text, numbers
  lined up in columns. Merged cells there are known only by where their text starts (Word prints cell text at the
  top of a cell by default), so an unruled merged label counts on the row where its first line sits;
- paragraphs: the remaining lines, joined into one row per paragraph (a new paragraph starts at an indent, a
  heading number like `一、` or `（二）`, after a line that stops short of the right margin, or at a size change).

Text inside a cell or paragraph that wraps over several lines is joined without a space between Chinese
characters (`本年新` + `制作数量` -> `本年新制作数量`; a label printed one character per line joins the same way).
Page numbers (`第 1 页`, `- 2 -`, `共3页`) and lines repeated in the margins of every page are dropped; a table
whose next part starts the next page continues the same table when its columns match (a repeated header row is
dropped). Pages that are images without any text layer are refused rather than read as empty.
"""

from __future__ import annotations

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
_BAD_CHAR = re.compile("[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
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
    sizes = Counter(round(c.size, 1) for c in chars)
    return _Chunk(
        text, chars[0].x0, max(c.x1 for c in chars), min(c.top for c in chars), max(c.bottom for c in chars),
        Counter(round(c.base, 1) for c in chars).most_common(1)[0][0], sizes.most_common(1)[0][0],
    )


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


def _segments(page: pymupdf.Page) -> tuple[list[_Seg], list[_Seg]]:
    hs: list[_Seg] = []
    vs: list[_Seg] = []

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
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

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.lo - tol <= v.pos <= h.hi + tol and v.lo - tol <= h.pos <= v.hi + tol:
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
    if len(xs) < 2 or len(ys) < 2:
        return None

    def covered(segs: list[_Seg], pos: float, mid: float) -> bool:
        return any(abs(s.pos - pos) <= 1.5 and s.lo - tol <= mid <= s.hi + tol for s in segs)

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
            if j + 1 < nc and not covered(vs, xs[j + 1], ymid):
                a, b = find((i, j)), find((i, j + 1))
                if a != b:
                    parent[b] = a
            if i + 1 < nr and not covered(hs, ys[i + 1], xmid):
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
    import bisect

    texts: list[list[_Char]] = [[] for _ in lat.cells]
    for ch in chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        j = min(max(bisect.bisect_right(lat.xs, cx) - 1, 0), len(lat.xs) - 2)
        i = min(max(bisect.bisect_right(lat.ys, cy) - 1, 0), len(lat.ys) - 2)
        texts[lat.slot[(i, j)]].append(ch)
    by_row: dict[int, list[tuple[int, str]]] = {}
    for n, (r0, c0, _, _) in enumerate(lat.cells):
        by_row.setdefault(r0, []).append((c0, clean(_text_of(texts[n]))))
    rows = []
    for r in sorted(by_row):
        cells = [t for _, t in sorted(by_row[r])]
        if any(cells):
            rows.append(cells)
    x0, y0, x1, y1 = lat.bbox
    return _Part(rows, y0, y1, page, True, lat.xs, x0, x1)


def _inside(ch: _Char, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
    return bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1


# --- unruled tables (text positions) ----------------------------------------------------------------


def _is_number(text: str) -> bool:
    return parse_cell_number(text) not in (None, "text")


def _is_valueish(text: str) -> bool:
    t = text.strip()
    return _is_number(t) or t in _BLANKS


@dataclass
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
    """Chunks continuing the cell of a chunk just above (wrapped labels, vertical labels) -> blocks."""
    blocks: list[_Block] = []
    numeric_line = [any(_is_number(c.text) for c in ln.chunks) for ln in lines]
    line_of: dict[int, int] = {}
    for li, ln in enumerate(lines):
        for c in ln.chunks:
            best = None
            for b in blocks:
                last = b.last
                pitch = c.base - last.base
                size = max(c.size, last.size)
                if pitch <= 0.3 * size or pitch > 1.7 * size:
                    continue
                if _single_cjk(last) and _single_cjk(c) and abs(last.cx - c.cx) <= 0.4 * size:
                    best = b  # one character per line: a vertical label
                    break
                if _is_valueish(c.text) or _is_valueish(last.text) or _ENUM.match(c.text):
                    continue
                if min(last.x1, c.x1) - max(last.x0, c.x0) <= 0 and abs(last.x0 - c.x0) > 0.5 * size:
                    continue
                if numeric_line[li] and numeric_line[line_of[id(b)]]:
                    continue  # two data rows, not a wrapped label
                best = b
                break
            if best is None:
                best = _Block([c])
                blocks.append(best)
                line_of[id(best)] = li
            else:
                best.chunks.append(c)
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

    out: list[list[str]] = []
    for r in rows:
        label = [b for b in r if b.x1 <= start + 0.5 * b.first.size or (b.x0 + b.x1) / 2 < start]
        value = [b for b in r if b not in label]
        if any(not _is_valueish(b.text) and b.text not in _UNITS for b in value):
            out.append([b.text for b in r])  # a header row: its words as printed
            continue
        slots = [""] * width
        for b in value:
            k = column(b)
            slots[k] = (slots[k] + " " + b.text).strip()
        out.append([b.text for b in label] + slots)
    top = min(ln.top for ln in lines)
    bottom = max(ln.bottom for ln in lines)
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    return _Part([r for r in out if any(r)], top, bottom, page, False, [], left, right, spans=cols)


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
        while k < len(lines):
            ln, prev = lines[k], lines[k - 1]
            size = max(ln.size, prev.size)
            if lines[k].page != prev.page or ln.base - prev.base > 2.3 * size:
                break
            if multi[k]:
                last_multi = k
            elif ln.x1 - ln.x0 > 0.7 * (max(x.x1 for x in lines[i:k]) - min(x.x0 for x in lines[i:k])) and not _ENUM.match(ln.text):
                break  # a paragraph line
            k += 1
        j = last_multi
        # blank rows after the last row of several chunks: labels at a label column's x
        label_x = {round(ln.x0) for ln in lines[i : j + 1]}
        while j + 1 < k and any(abs(lines[j + 1].x0 - x) <= 0.5 * lines[j + 1].size for x in label_x):
            j += 1
        nmulti = sum(multi[i : j + 1])
        has_number = any(_is_number(c.text) for ln in lines[i : j + 1] for c in ln.chunks)
        if has_number and (nmulti >= 2 or (continues and i == 0 and nmulti == 1)):
            regions.append((i, j + 1))
            i = j + 1
        else:
            i += 1
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


def _page_chars(page: pymupdf.Page) -> tuple[list[_Char], int]:
    chars: list[_Char] = []
    bad = 0
    seen: set[tuple[str, int, int]] = set()
    raw = page.get_text("rawdict", flags=_FLAGS)
    for block in raw.get("blocks", ()):
        for line in block.get("lines", ()):
            horizontal = abs(line.get("dir", (1, 0))[1]) < 0.1
            for span in line.get("spans", ()):
                size = float(span.get("size") or 0) or 1.0
                for ch in span.get("chars", ()):
                    c = ch["c"]
                    if _BAD_CHAR.search(c):
                        bad += 1
                        continue
                    x0, y0, x1, y1 = ch["bbox"]
                    base = ch["origin"][1] if horizontal else y1
                    key = (c, round(x0), round(base))
                    if key in seen:
                        continue  # text printed twice (fake bold)
                    seen.add(key)
                    chars.append(_Char(unicodedata.normalize("NFC", c), x0, x1, y0, y1, base, size))
                    if len(chars) > MAX_CHARS_PER_PAGE:
                        raise PdfError(f"page {page.number + 1}: more than {MAX_CHARS_PER_PAGE} characters")
    return chars, bad


def _read_page(page: pymupdf.Page) -> tuple[_Page, int]:
    chars, bad = _page_chars(page)
    visible = [c for c in chars if not c.c.isspace()]
    images = False
    if not visible:
        area = abs(page.rect)
        covered = sum(abs(pymupdf.Rect(i["bbox"]) & page.rect) for i in page.get_image_info())
        images = area > 0 and covered / area > 0.3
    p = _Page(page.number + 1, page.rect.width, page.rect.height, len(visible), images)
    if not visible:
        return p, bad
    hs, vs = _segments(page)
    free = visible
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
    or that repeat (digits aside) at the same height on several pages."""
    def zone(p: _Page, ln: _Line) -> bool:
        return ln.bottom < p.height * 0.09 or ln.top > p.height * 0.91

    repeated: Counter[tuple[str, int]] = Counter()
    for p in pages:
        for key in {(re.sub(r"\d+", "#", ln.text.replace(" ", "")), round(ln.base / 4)) for ln in p.lines if zone(p, ln)}:
            repeated[key] += 1
    many = max(2, (len(pages) + 1) // 2)
    for p in pages:
        kept = []
        for ln in p.lines:
            if zone(p, ln):
                text = ln.text.replace(" ", "")
                key = (re.sub(r"\d+", "#", text), round(ln.base / 4))
                if _PAGE_NUMBER.match(text) or (len(pages) >= 2 and repeated[key] >= many):
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
            data = part.rows
            if continuing:
                assert last_part is not None and last_part.table is not None
                part.table = last_part.table
                head = [r.cells for r in rows if r.table == part.table][:4]
                n = 0
                while n < len(data) and n < len(head) and data[n] == head[n]:
                    n += 1  # header rows repeated on the new page
                data = data[n:]
                if data:
                    first = data[0]
                    k = 0
                    while k < len(first) - 1 and first[k] == "":
                        k += 1  # the empty part of a merged cell cut by the page break
                    data = [first[k:]] + data[1:]
            else:
                part.table = ntables
                ntables += 1
            for cells in data:
                i = table_rows.get(part.table, 0)
                rows.append(Row(cells, table=part.table, index=i, page=part.page))
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
    except Exception as exc:  # noqa: BLE001 - MuPDF raises several types for damaged files
        raise PdfError(f"broken PDF: {exc}") from None
    if doc.needs_pass:
        raise PdfError("encrypted PDF: a password is needed to open it")
    if doc.page_count == 0:
        raise PdfError("broken PDF: no pages")
    if doc.page_count > MAX_PAGES:
        raise PdfError(f"PDF has {doc.page_count} pages, more than {MAX_PAGES}")
    return doc


def _title(doc: pymupdf.Document) -> str | None:
    title = clean((doc.metadata or {}).get("title") or "")
    title = re.sub(r"^Microsoft (?:Word|Excel) - ", "", title)
    title = re.sub(r"\.(?:docx?|wps|xlsx?|pdf)$", "", title, flags=re.I)
    return title or None


def pdf_doc(data: bytes) -> Doc:
    """The report's rows (tables and paragraphs) in reading order. Raises `PdfError` for a PDF that cannot be read."""
    doc = _open(data)
    try:
        pages: list[_Page] = []
        bad = total = 0
        for page in doc:
            try:
                p, b = _read_page(page)
            except PdfError:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged page
                raise PdfError(f"broken PDF: page {page.number + 1}: {exc}") from None
            pages.append(p)
            bad += b
            total += p.chars + b
        title = _title(doc)
    finally:
        doc.close()
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
    body = Counter(round(ln.size) for ln in lines).most_common(1)[0][0] if lines else 10.0
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
