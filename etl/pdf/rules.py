"""Ruling lines: the page's drawn segments (lines, thin rectangles, cell boxes) -> lattices, the grids of ruled
tables with their merged cells (a border missing between two grid slots)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from operator import itemgetter

import pymupdf

from etl.pdf.errors import MAX_GRID_SLOTS, MAX_SEGMENTS_PER_PAGE


@dataclass(slots=True)
class Seg:
    pos: float  # y of a horizontal segment, x of a vertical one
    lo: float
    hi: float



def segments(page: pymupdf.Page, turn) -> tuple[list[Seg], list[Seg]]:
    """The page's horizontal and vertical segments, merged. `turn`: the page's coordinates -> the upright frame's,
    None when they are the same."""
    hs: list[tuple[float, float, float]] = []  # (pos, lo, hi) as `Seg`, before merging
    vs: list[tuple[float, float, float]] = []
    same = turn is None
    if same:
        turn = _same

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        (x0, y0), (x1, y1) = turn(x0, y0), turn(x1, y1)
        if abs(y1 - y0) <= 1.0 and abs(x1 - x0) > 2.0:
            hs.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) <= 1.0 and abs(y1 - y0) > 2.0:
            vs.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))

    for path in page.get_cdrawings():
        stroked = "s" in (path.get("type") or "")
        for item in path.get("items", ()):
            kind = item[0]
            if kind == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                add(x0, y0, x1, y1)
            elif kind in ("re", "qu"):
                if kind == "re":
                    ax, ay, bx, by = item[1]
                else:
                    pts = item[1]
                    xs_, ys_ = [p[0] for p in pts], [p[1] for p in pts]
                    ax, ay, bx, by = min(xs_), min(ys_), max(xs_), max(ys_)
                if not same:
                    (ax, ay), (bx, by) = turn(ax, ay), turn(bx, by)
                x0, x1 = min(ax, bx), max(ax, bx)
                y0, y1 = min(ay, by), max(ay, by)
                if y1 - y0 <= 2.0 and x1 - x0 > 2.0:  # a border drawn as a thin filled rectangle
                    hs.append(((y0 + y1) / 2, x0, x1))
                elif x1 - x0 <= 2.0 and y1 - y0 > 2.0:
                    vs.append(((x0 + x1) / 2, y0, y1))
                elif stroked or (x1 - x0 < 400 and y1 - y0 < 200):  # a cell box (stroked, or a shaded cell)
                    hs += [(y0, x0, x1), (y1, x0, x1)]
                    vs += [(x0, y0, y1), (x1, y0, y1)]
        if len(hs) + len(vs) > MAX_SEGMENTS_PER_PAGE:
            return [], []
    return _merge(hs), _merge(vs)


def _same(x: float, y: float) -> tuple[float, float]:
    return x, y


_POS = itemgetter(0)
_LO = itemgetter(1)


def _merge(segs: list[tuple[float, float, float]], snap: float = 1.0, join: float = 2.0) -> list[Seg]:
    """Collinear segments (positions within `snap`) that touch or overlap (within `join`) -> one segment."""
    out: list[Seg] = []
    segs = sorted(segs, key=_POS)
    groups: list[list[tuple[float, float, float]]] = []
    last = 0.0
    for s in segs:
        if groups and s[0] - last <= snap:
            groups[-1].append(s)
        else:
            groups.append([s])
        last = s[0]
    for g in groups:
        pos = sum([s[0] for s in g]) / len(g)
        g.sort(key=_LO)
        lo, hi = g[0][1], g[0][2]
        for _, s_lo, s_hi in g[1:]:
            if s_lo <= hi + join:
                hi = max(hi, s_hi)
            else:
                out.append(Seg(pos, lo, hi))
                lo, hi = s_lo, s_hi
        out.append(Seg(pos, lo, hi))
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
class Lattice:
    xs: list[float]
    ys: list[float]
    cells: list[tuple[int, int, int, int]]  # (row0, col0, row1, col1) in grid slots, exclusive ends
    slot: list[int]  # grid slot (i, j) -> its cell, at i * (len(xs) - 1) + j

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def lattices(hs: list[Seg], vs: list[Seg], tol: float = 2.0) -> list[Lattice]:
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
    groups: dict[int, tuple[list[Seg], list[Seg]]] = {}
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


def _lattice(hs: list[Seg], vs: list[Seg], tol: float) -> Lattice | None:
    left, right = min(h.lo for h in hs), max(h.hi for h in hs)
    top, bottom = min(h.pos for h in hs), max(h.pos for h in hs)
    xs = _cluster([v.pos for v in vs] + [left, right], 1.5)
    ys = _cluster([h.pos for h in hs] + [min(v.lo for v in vs), max(v.hi for v in vs)], 1.5)
    xs = [x for x in xs if left - tol <= x <= right + tol]
    ys = [y for y in ys if top - tol <= y <= bottom + tol]
    if len(xs) < 2 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) > MAX_GRID_SLOTS:
        return None  # no grid, or a drawing (graph paper), not a report's table

    # each inner border's segments, as the ranges they cover (with the tolerance)
    at_x = [[(v.lo - tol, v.hi + tol) for v in vs if abs(v.pos - x) <= 1.5] for x in xs]
    at_y = [[(h.lo - tol, h.hi + tol) for h in hs if abs(h.pos - y) <= 1.5] for y in ys]

    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))  # grid slot (i, j) is i * nc + j

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    xmids = [(xs[j] + xs[j + 1]) / 2 for j in range(nc)]
    for i in range(nr):
        ymid = (ys[i] + ys[i + 1]) / 2
        below = at_y[i + 1] if i + 1 < nr else None
        for j in range(nc):
            k = i * nc + j
            if j + 1 < nc:
                for lo, hi in at_x[j + 1]:
                    if lo <= ymid <= hi:
                        break
                else:  # no border between (i, j) and (i, j + 1)
                    a, b = find(k), find(k + 1)
                    if a != b:
                        parent[b] = a
            if below is not None:
                xmid = xmids[j]
                for lo, hi in below:
                    if lo <= xmid <= hi:
                        break
                else:  # no border between (i, j) and (i + 1, j)
                    a, b = find(k), find(k + nc)
                    if a != b:
                        parent[b] = a
    members: dict[int, list[int]] = {}
    for k in range(nr * nc):
        members.setdefault(find(k), []).append(k)
    if len(members) < 2:
        return None  # a box around a paragraph, not a table
    cells = []
    slot = [0] * (nr * nc)
    for ks in sorted(members.values(), key=lambda ks: ks[0]):  # in the order of their first slot
        cols = [k % nc for k in ks]
        for k in ks:
            slot[k] = len(cells)
        cells.append((ks[0] // nc, min(cols), ks[-1] // nc + 1, max(cols) + 1))
    return Lattice(xs, ys, cells, slot)
