"""The row stream grouped into items: a label followed by the value cells printed after it.

A table row gives one item (its leading labels, then its cells); a text line gives one item, and the short numeric
lines, flattened runs and unit words printed after it on lines of their own become its values (one-cell-per-line
text). A text line that reads as flattened table rows (`行政规范性文件8215230`) carries its (label, run) pairs in
`Item.flat` (etl.flatten).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from etl import flatten
from etl.document import Row
from etl.normalize import parse_cell_number
from etl.templates import UNIT_WORDS


@dataclass(slots=True)
class Item:
    labels: list[str]
    values: list[str]  # printed value cells, in visual order
    row: Row
    cells: list[str] = field(default_factory=list)  # the whole printed row (tables), for positional headers
    flat: list[tuple[str, str]] | None = None  # a text line read as flattened rows: (label, run of cells) pairs
    run: str | None = None  # one flattened row's cells, printed with no delimiter (etl.flatten splits them)

    @property
    def label(self) -> str:
        return self.labels[-1] if self.labels else ""


_VALUE_LINE_MAX = 24


def _is_value_text(text: str) -> bool:
    return len(text) <= _VALUE_LINE_MAX and not isinstance(parse_cell_number(text), str) and text.strip() != ""


def _is_label(cell: str) -> bool:
    return bool(cell) and isinstance(parse_cell_number(cell), str) and cell not in UNIT_WORDS


def _table_item(row: Row) -> Item:
    """A table row's leading labels and its value cells. A blank cell before a label is no value: the corner of a
    header, or the filler of a spanned label in pipe text (`行政复议 | |||| 行政诉讼 | ||||`). A blank cell after
    the labels is kept (a cell printed blank, or a spanned cell's filler the template trims, see `fit`); so is
    every cell of a row without a label (section 四's data row, blank or not)."""
    is_label = [_is_label(c) for c in row.cells]
    label_follows = [False] * len(row.cells)  # the next non-empty cell is a label
    for i in range(len(row.cells) - 1, 0, -1):
        label_follows[i - 1] = is_label[i] if row.cells[i] else label_follows[i]
    labels: list[str] = []
    values: list[str] = []
    for cell, label, before_label in zip(row.cells, is_label, label_follows):
        if not values and label:
            labels.append(cell)
        elif values or cell or not before_label:
            values.append(cell)
    return Item(labels, values, row, list(row.cells))


def _is_unit_line(item: Item, text: str) -> bool:
    """One-cell-per-line text: a statistical table's unit cell (`条`, `件`) printed right after its row label."""
    return text in UNIT_WORDS and not item.values and item.flat is None


def build_items(rows: list[Row]) -> list[Item]:
    items: list[Item] = []
    for row in rows:
        if row.table is not None:
            items.append(_table_item(row))
            continue
        text = row.cells[0]
        last = items[-1] if items and items[-1].row.table is None else None
        if last is not None and (_is_value_text(text) or flatten.is_run(text) or _is_unit_line(last, text)):
            last.values.append(text)
            continue
        items.append(Item([text], [], row, flat=flatten.split_line(text)))
    return items


def fit(values: list[str], n: int, keep: Literal["first", "last"]) -> list[str]:
    """A row's cells cut to the n its template columns expect, when the surplus is blank: pipe text prints a cell
    spanning k columns as its text and k-1 empty cells. After a spanned label the fillers lead the values (keep
    "last" n), after a spanned value they trail (keep "first" n). Any other row is returned as printed."""
    extra = len(values) - n
    if extra <= 0 or n <= 0:
        return values
    surplus = values[:extra] if keep == "last" else values[n:]
    if any(surplus):
        return values
    return values[extra:] if keep == "last" else values[:n]
