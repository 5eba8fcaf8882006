"""A report (`portal.blocks` list) as the visible text web archives and crawlers store for a page: each paragraph on
a line of its own, each table run together on ONE line (input type `text-oneline`, issue 11).

What such an export looks like, and so what this writer prints:

- A paragraph is a line; a line break inside it (`<br>`) starts a new line, as a browser's `innerText` gives it.
- A table is one line: its rows in document order, each row's cells in reading order, with no delimiter at all
  (no tab, no newline): the header rows first, a cell spanning several rows or columns once, where it sits (the
  row that opens it), so `三、本年度办理结果` comes right before `（一）予以公开`, and the 3-row header of section 三
  prints `（本列数据…）申请人情况自然人法人或其他组织总计商业企业…其他` before the first data row.
- A cell printed blank prints its blank mark (`—`, `-`, `/`) or nothing at all.
- A label wrapped inside its cell (`社会<br>公益<br>组织`) prints its parts joined by nothing or by one space
  (decided per cell, as exports differ on `<br>`); spaces the label itself holds (`本年新 制作数量`) stay.
- Stray spaces: a cell's own text never gets a space inside it (a figure's digits are never broken), but a cell
  *boundary* may get one, where the page's `<td>` held a leading or trailing space or an `&nbsp;` pad. About one cell
  in six is padded, on its left or its right (decided per cell); two pads meeting print a single space. This is
  the one hint a parser may take from a space inside a run of digits: it stands at a cell boundary.

Every decision is a hash of the table's position, the cell's position and its text (zlib.crc32), so the corpus is the
same, byte for byte, on every run.
"""

from __future__ import annotations

import zlib

from portal.blocks import Block, Para, Table

PAD_EVERY = 6  # about one cell in PAD_EVERY carries a space on one side


def _draw(*parts: object) -> int:
    return zlib.crc32("\x1f".join(map(str, parts)).encode("utf-8"))


def _cell_text(text: str, where: tuple[int, int, int]) -> str:
    parts = [p.strip() for p in text.split("\n") if p.strip()]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    joiner = " " if _draw("br", *where, text) % 2 else ""
    return joiner.join(parts)


def table_line(table: Table, number: int = 0) -> str:
    """The table as one line of text (see the module docstring)."""
    out: list[str] = []
    spaced = True  # the line so far ends with a space (or is empty): a pad prints no second one
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            text = _cell_text(cell.text, (number, r, c))
            h = _draw("pad", number, r, c, text)
            left = right = False
            if h % PAD_EVERY == 0:
                left, right = (h >> 8) % 2 == 0, (h >> 8) % 2 == 1
            if left and not spaced:
                out.append(" ")
                spaced = True
            if text:
                out.append(text)
                spaced = False
            if right and not spaced:
                out.append(" ")
                spaced = True
    return "".join(out).strip()


def oneline_text(blocks: list[Block]) -> str:
    lines: list[str] = []
    number = 0
    for block in blocks:
        if isinstance(block, Para):
            lines.extend(line.strip() for line in block.text.split("\n") if line.strip())
        else:
            line = table_line(block, number)
            number += 1
            if line:
                lines.append(line)
    return "".join(line + "\n" for line in lines)


def oneline_bytes(blocks: list[Block]) -> bytes:
    """The report as UTF-8 text: paragraphs one per line, each table on one line."""
    return oneline_text(blocks).encode("utf-8")
