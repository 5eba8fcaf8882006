"""A table's part on one page (`Part`), and the part a ruled table's lattice gives: each merged cell's text once,
on its first row, like an HTML cell with rowspan/colspan."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from etl.document import Row
from etl.normalize import clean
from etl.pdf.rules import Lattice
from etl.pdf.text import Char, text_of


@dataclass
class Part:
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



def ruled_part(lat: Lattice, placed: list[tuple[float, float, Char]], page: int) -> Part:
    """`placed`: the characters inside the lattice, each with the centre of its box (`centred`)."""
    texts: list[list[Char]] = [[] for _ in lat.cells]
    xs, ys, slot = lat.xs, lat.ys, lat.slot
    last_x, last_y = len(xs) - 2, len(ys) - 2
    nc = len(xs) - 1
    for cx, cy, ch in placed:
        j = bisect.bisect_right(xs, cx) - 1
        j = 0 if j < 0 else last_x if j > last_x else j  # noqa: FURB136 - no call per character
        i = bisect.bisect_right(ys, cy) - 1
        i = 0 if i < 0 else last_y if i > last_y else i  # noqa: FURB136
        texts[slot[i * nc + j]].append(ch)
    by_row: dict[int, list[tuple[int, str, tuple[float, float, int]]]] = {}
    nrows = len(lat.ys) - 1
    reaching: list[tuple[int, float, float, str]] = []
    for n, (r0, c0, r1, c1) in enumerate(lat.cells):
        text = clean(text_of(texts[n]))
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
    return Part(rows, y0, y1, page, True, lat.xs, x0, x1, boxes=boxes, open_cells=open_cells)


def centred(chars: list[Char]) -> list[tuple[float, float, Char]]:
    """Each character with the centre of its box."""
    return [((ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2, ch) for ch in chars]

