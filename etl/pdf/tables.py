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



def ruled_part(lat: Lattice, chars: list[Char], page: int) -> Part:
    texts: list[list[Char]] = [[] for _ in lat.cells]
    for ch in chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        j = min(max(bisect.bisect_right(lat.xs, cx) - 1, 0), len(lat.xs) - 2)
        i = min(max(bisect.bisect_right(lat.ys, cy) - 1, 0), len(lat.ys) - 2)
        texts[lat.slot[(i, j)]].append(ch)
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


def in_box(ch: Char, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
    return bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1
