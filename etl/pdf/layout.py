"""Page furniture: page numbers (`第 1 页`, `- 2 -`, `共3页`) and running headers and footers (lines repeated in
the page margins), dropped before tables and paragraphs are read."""

from __future__ import annotations

import re
from collections import Counter

from etl.pdf.page import Page
from etl.pdf.text import Line

_PAGE_NUMBER = re.compile(
    r"^(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页(?:\s*[,，]?\s*第\s*\d+\s*页)?|[-—–－~～]+\s*\d+\s*[-—–－~～]+"
    r"|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?|\d{1,4})$",
    re.IGNORECASE,
)


def _edges(p: Page) -> dict[int, str]:
    """Lines at the top or bottom edge of a page (index in `p.lines` -> "top" / "bottom"): in the margin zones (the
    top and bottom 9 % of the page), or among the first or last two lines with no table above or below them (an
    official document's page number sits just under its text block, inside those zones)."""
    out: dict[int, str] = {}
    n = len(p.lines)
    above = min((part.top for part in p.parts), default=float("inf"))
    below = max((part.bottom for part in p.parts), default=float("-inf"))
    for i in range(min(2, n)):
        if p.lines[i].bottom <= above:
            out[i] = "top"
    for i in range(max(0, n - 2), n):
        if p.lines[i].top >= below:
            out[i] = "bottom"
    for i, ln in enumerate(p.lines):
        if ln.bottom < p.height * 0.09:
            out[i] = "top"
        elif ln.top > p.height * 0.91:
            out[i] = "bottom"
    return out


def _page_number(p: Page, i: int, side: str) -> bool:
    """A page number: `第 3 页`, `- 3 -`, `3/12` …; a bare number only when it stands apart from the lines next to
    it (not the figure of a table row printed under its label)."""
    ln = p.lines[i]
    text = ln.text.replace(" ", "")
    if not _PAGE_NUMBER.match(text):
        return False
    if not text.isdigit():
        return True
    return all(abs(ln.base - p.lines[j].base) >= 1.6 * max(ln.size, p.lines[j].size)
               for j in (i - 1, i + 1) if 0 <= j < len(p.lines))


def drop_margins(pages: list[Page]) -> None:
    """Page numbers and running headers/footers: lines at a page's top or bottom edge (`_edges`) that are page
    numbers, or that repeat (digits aside) at the same edge on half the pages or more (not rows of figures)."""
    edges = [_edges(p) for p in pages]
    edge_of = {id(p.lines[i]): side for p, edge in zip(pages, edges, strict=True) for i, side in edge.items()}

    def key(ln: Line, side: str) -> tuple[str, str]:
        return re.sub(r"\d+", "#", ln.text.replace(" ", "")), side

    def running(p: Page, i: int) -> bool:
        """A line that may be a running header or footer: not figures (`_page_number` decides on those); away
        from the margin zones, not a row of several cells either (a table's header printed again at the top of
        each page it continues on)."""
        ln = p.lines[i]
        if all(c.valueish for c in ln.chunks) or sum(c.number for c in ln.chunks) >= 2:
            return False
        if ln.bottom < p.height * 0.09 or ln.top > p.height * 0.91:
            return True
        j = i + 1 if edge_of[id(ln)] == "top" else i - 1  # the body's line next to it: a gap between them
        apart = not 0 <= j < len(p.lines) or (p.lines[j].top - ln.bottom if j > i else ln.top - p.lines[j].bottom) \
            >= 1.2 * max(ln.size, p.lines[j].size)
        return len(ln.chunks) <= 2 and apart

    repeated: Counter[tuple[str, str]] = Counter()
    for p, edge in zip(pages, edges, strict=True):
        found = {key(p.lines[i], side) for i, side in edge.items() if running(p, i)}
        for k in found:
            repeated[k] += 1
    many = max(2, (len(pages) + 1) // 2)
    for p, edge in zip(pages, edges, strict=True):
        kept = []
        for i, ln in enumerate(p.lines):
            side = edge.get(i)
            if side and (_page_number(p, i, side)
                         or (len(pages) >= 2 and running(p, i) and repeated[key(ln, side)] >= many)):
                continue
            kept.append(ln)
        p.lines = kept
