"""A rendered report (HTML fragment) as a list of blocks, for writers of other input types (PDF, DOCX, XLSX, text).

`Para` is one paragraph or heading; `Table` is a grid of `Cell`s with their spans as printed. Line breaks inside a
cell (`本年新<br/>制作数量`) are kept as "\\n" so a writer can reproduce wrapped labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html

from portal.render import Cell

_SPACE = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True)
class Para:
    text: str
    heading: bool = False


@dataclass(frozen=True)
class Table:
    rows: list[list[Cell]]  # Cell.text is plain text here (not HTML); "\n" marks a printed line break

    @property
    def ncols(self) -> int:
        return max((sum(c.colspan for c in row) for row in self.rows), default=0)


Block = Para | Table


def _text(el: lxml.html.HtmlElement) -> str:
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    parts = _SPACE.sub(" ", el.text_content().replace("\n", "\x00")).replace("\x00", "\n")
    return "\n".join(line.strip() for line in parts.split("\n")).strip()


def blocks(fragment_html: str, title: str | None = None) -> list[Block]:
    """Blocks of a report body in reading order; `title` (if given) becomes the first, heading, paragraph."""
    out: list[Block] = [Para(title, heading=True)] if title else []
    root = lxml.html.fragment_fromstring(fragment_html, create_parent="div")
    for el in root:
        if el.tag == "table":
            rows = [
                [Cell(_text(td), int(td.get("rowspan", 1)), int(td.get("colspan", 1))) for td in tr if td.tag in ("td", "th")]
                for tr in el.iter("tr")
            ]
            out.append(Table([r for r in rows if r]))
        else:
            text = _text(el)
            if text:
                heading = el.tag in ("h1", "h2", "h3", "h4") or (len(el) == 1 and el[0].tag == "strong" and not (el.text or "").strip())
                out.append(Para(text, heading=heading))
    return out


@dataclass(frozen=True)
class Placed:
    """A printed cell at its grid position, its spans clipped to the table."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def placements(table: Table) -> list[Placed]:
    """Each cell with its grid position, by the HTML table model: a cell takes the next slot of its row that no
    earlier row- or colspan covers. The one walker of the writers (grid, DOCX, XLSX, PDF)."""
    height, width = len(table.rows), table.ncols
    taken = [[False] * width for _ in range(height)]
    out = []
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while c < width and taken[r][c]:
                c += 1
            if c >= width:
                break
            rs = max(1, min(cell.rowspan, height - r))
            cs = max(1, min(cell.colspan, width - c))
            for dr in range(rs):
                for dc in range(cs):
                    taken[r + dr][c + dc] = True
            out.append(Placed(r, c, rs, cs, cell.text))
            c += cs
    return out


def grid(table: Table) -> list[list[str | None]]:
    """The table's cells on a full grid: a spanned area holds its text in the top-left slot and None elsewhere."""
    slots: list[list[str | None]] = [[None] * table.ncols for _ in table.rows]
    for p in placements(table):
        slots[p.row][p.col] = p.text
    return slots
