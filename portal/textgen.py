"""A report (`portal.blocks` list) written as plain text, the way real sites and text exports print it.

Three styles (../shared/TEMPLATES.md §5, seeds 001, 003, 004):

- `pipe`: one line per table row, every cell printed as `text |`; a cell spanning n columns is followed by n-1
  bare `|` (`第二十条第（一）项 | |||`), an empty cell is a bare `|`, a slot covered by a rowspan from an earlier
  row prints nothing (like the row's `<tr>`). A line break inside a cell becomes a space. Paragraphs are plain
  lines.
- `lines`: one cell per line (with the trailing space of the real exports) and a blank line after each line, as
  seed 001; an empty cell leaves nothing, a line break inside a cell starts a new line (`商业 ` / `企业 `).
- `flat`: a table row's cells concatenated with no delimiter at all (a site's text export, `get_text()` on the
  table): `行政规范性文件8215230`. `rows` says where rows break:
  `"lines"`: every row on its own line;
  `"ordinals"` (default): a row whose label starts with an arabic ordinal above 1 (`2.政府公报公开`, `3、…`) runs
  on from the previous row, so the ordinal sticks to the last value (`2376` + `2.政府公报公开` ->
  `23762.政府公报公开`), as on pages whose sub-item rows carry no whitespace between them;
  `"table"`: the whole table is one line (`get_text()` on markup with no whitespace between rows at all).

Paragraph text is printed as is; a line break inside a paragraph starts a new line.
"""

from __future__ import annotations

import re
from typing import Literal

from portal.blocks import Block, Para, Table

Style = Literal["pipe", "lines", "flat"]
STYLES: tuple[Style, ...] = ("pipe", "lines", "flat")
FlatRows = Literal["lines", "ordinals", "table"]
FLAT_ROWS: tuple[FlatRows, ...] = ("lines", "ordinals", "table")
_ORDINAL = re.compile(r"^\s*(\d{1,2})\s*[.、．﹒]")


def _para_lines(p: Para) -> list[str]:
    return [line for line in p.text.split("\n") if line.strip()]


def _pipe_row(cells: list[tuple[str, int]]) -> str:
    """`a | b | |||`: a non-empty cell is `text |`, an empty one a bare `|` glued to a preceding bare `|`."""
    out = ""
    prev_bare = False
    for text, colspan in cells:
        slots = [text] + [""] * (colspan - 1)
        for slot in slots:
            if slot:
                out += (" " if out else "") + f"{slot} |"
                prev_bare = False
            else:
                out += ("" if prev_bare or not out else " ") + "|"
                prev_bare = True
    return out


def pipe_lines(table: Table) -> list[str]:
    lines = []
    for row in table.rows:
        cells = [(" ".join(part.strip() for part in c.text.split("\n") if part.strip()), c.colspan) for c in row]
        lines.append(_pipe_row(cells))
    return lines


def _cell_flat(text: str) -> str:
    return "".join(part.strip() for part in text.split("\n"))


def flat_rows(table: Table) -> list[str]:
    """Each table row's cells concatenated with no delimiter."""
    return ["".join(_cell_flat(c.text) for c in row) for row in table.rows]


def flat_lines(table: Table, rows: FlatRows = "ordinals") -> list[str]:
    """The lines of a flattened table (see the module docstring for `rows`)."""
    printed = [r for r in flat_rows(table) if r]
    if rows == "table":
        return ["".join(printed)] if printed else []
    out: list[str] = []
    for r in printed:
        m = _ORDINAL.match(r)
        if rows == "ordinals" and out and m and int(m.group(1)) > 1:
            out[-1] += r
        else:
            out.append(r)
    return out


def report_text(blocks: list[Block], style: Style, *, rows: FlatRows = "ordinals") -> str:
    """The whole report as text in `style` (`rows` applies to `flat` only)."""
    if style not in STYLES:
        raise ValueError(f"unknown text style {style!r} (expected one of {', '.join(STYLES)})")
    if rows not in FLAT_ROWS:
        raise ValueError(f"unknown row mode {rows!r} (expected one of {', '.join(FLAT_ROWS)})")
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Para):
            lines = _para_lines(block)
        elif style == "pipe":
            lines = pipe_lines(block)
        elif style == "lines":
            lines = [
                part.strip() + " "
                for row in block.rows
                for cell in row
                for part in cell.text.split("\n")
                if part.strip()
            ]
        else:
            lines = flat_lines(block, rows)
        out.extend(lines)
    if style == "lines":
        return "".join(line + "\n\n" for line in out)
    return "".join(line + "\n" for line in out)
