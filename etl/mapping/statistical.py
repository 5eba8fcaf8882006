"""The statistical tables of 2008–2018: the 2014 national 统计表 (统计指标 | 单位 | 统计数) with its provincial
extensions, and the pre-2014 local tables (指标名称 | 计量单位 | 2013年度 | 历年累计) (TEMPLATES.md §1).

A header row names the value columns and their period (the year, 历年累计 = cumulative, the previous year) and the
unit column; each row label is looked up in `templates.STAT_ROWS`, in the group of the row before first (被依法纠错数
is a review row under 四 and a litigation row under 五). Tables printed as text come one cell per line (the header
cells and units on lines of their own) or flattened (`主动公开信息数条4251516`: the unit word leaves the label, the
run is split into the columns, a cumulative figure never below the year's). The tells of the rows read decide
between the 2014 and the local format.
"""

from __future__ import annotations

import re
from functools import cache

from etl import flatten
from etl.labels import LabelIndex
from etl.mapping.anchors import STAT_HEADER, has, keyed
from etl.mapping.emit import Emitter
from etl.mapping.items import Item
from etl.normalize import label_key
from etl.templates import STAT_ROWS, STAT_TELLS_2014, STAT_TELLS_LOCAL, UNIT_WORDS


_YEAR_HEAD = re.compile(r"(?:19|20)\d\d年度?|本年度?|本期")  # a year column's header in a flattened header
_TELLS_2014 = keyed(*STAT_TELLS_2014)
_TELLS_LOCAL = keyed(*STAT_TELLS_LOCAL)


@cache
def _stat_index() -> LabelIndex[int]:
    return LabelIndex((i, labels) for i, (_, _, labels) in enumerate(STAT_ROWS))


def is_header(item: Item) -> bool:
    """A header row of a statistical table (统计指标 | 单位 | 统计数, 指标名称 | 计量单位 | …)."""
    return any(has(label_key(c), STAT_HEADER) for c in item.labels)


class Statistical:
    def __init__(self, emitter: Emitter, year: int | None) -> None:
        self.em = emitter
        self.year = year
        self.group: str | None = None
        self.cols: list[tuple[int, str, str]] = []  # (position, period, printed header)
        self.unit_col: int | None = None
        self.width = 0  # cells of the header row; -1 for a table printed as text
        self.table: int | None = None
        self.tells: set[str] = set()
        self.seen = False  # a row of the table was read
        self.headed = False  # a header row was printed (统计指标 | 单位 | 统计数), read or not
        self.header: str | None = None  # a header read from text, while no row of its table has been read

    def match(self, item: Item) -> int | None:
        """The STAT_ROWS entry of a row label: in the current group first, else a top-level row of one group."""
        if not item.labels:
            return None
        found = _stat_index().match(item.label)
        if not found:
            return None
        same = [e for e in found if STAT_ROWS[e.payload][0] == self.group]
        if same:
            return same[0].payload
        other = [e for e in found if not e.sub_row]
        if not other:
            return None
        groups = {STAT_ROWS[e.payload][0] for e in other}
        return other[0].payload if len(groups) == 1 else None

    def is_anchor(self, item: Item, key: str) -> bool:
        """A table row (or flattened row) that opens a statistical table: its header, or a known row with values."""
        if item.row.table is None and item.run is None:
            return False
        if is_header(item):
            return True
        return (bool(item.values) or item.run is not None) and self.match(item) is not None

    def enter(self, item: Item) -> None:
        """A table opens at `item` (its header row: the value columns are read from it)."""
        self.table = item.row.table
        self.group = None
        if is_header(item):
            self.headed = True
            self.cols = []
            self.unit_col = None
            self.width = len(item.cells)
            for i, c in enumerate(item.cells):
                k = label_key(c)
                if i == 0 or not k:
                    continue
                if k in ("单位", "计量单位") or k.endswith("单位"):
                    self.unit_col = i
                elif "代码" in k:
                    continue
                else:
                    period = "year"
                    if ("累计" in k and "年度累计" not in k and "本年累计" not in k) or k == "历年":
                        period = "cumulative"
                    elif "上年" in k or (self.year and k.startswith(f"{self.year - 1}年")):
                        period = "prior_year"
                    self.cols.append((i, period, c))
                    if "累计" in k and period == "cumulative":
                        self.tells.add("local")

    def continues(self, item: Item) -> bool:
        """A text line that continues a statistical table printed one cell per line: a header cell before the first
        row (`单位`, `2013年度`, `历年累计`), or a row (a known label, or a unit cell printed after the label)."""
        if self.width != -1:
            return False
        if self.header is not None and not item.values:
            return True
        return bool(item.values and item.values[0] in UNIT_WORDS) or self.match(item) is not None

    def on_item(self, item: Item) -> None:
        if self.header is not None and item.row.table is None and item.run is None and not item.values \
                and self.match(item) is None:
            self.flat_header(self.header + item.label)  # the next header cell, printed on a line of its own
            return
        self.header = None
        if item.run is not None:
            item = self.flat_row(item)
        self.table = item.row.table
        for label in item.labels:
            k = label_key(label)
            if has(k, _TELLS_2014):
                self.tells.add("2014")
            if has(k, _TELLS_LOCAL):
                self.tells.add("local")
        idx = self.match(item)
        unit = None
        if self.cols and len(item.cells) == self.width:
            picked = [(item.cells[i], period, head) for i, period, head in self.cols]
            if self.unit_col is not None:
                unit = item.cells[self.unit_col]
        else:
            vals = list(item.values)
            if vals and vals[0] in UNIT_WORDS:
                unit = vals.pop(0)
            cols = self.cols or [(0, "year", "统计数")]
            if unit is not None and not vals and item.row.table is None:
                vals = [""] * len(cols)  # one cell per line: a unit and no figure after it, the row's cells are blank
            picked = [(v, period, head) for v, (_, period, head) in zip(vals, cols)]
            for v in vals[len(cols):]:
                self.em.cell(v, item.label, None, None)
        if idx is None:
            for text, _, head in picked:
                self.em.cell(text, item.label or None, head, None)
            return
        group, metric, _ = STAT_ROWS[idx]
        self.group = group
        self.seen = True
        for text, period, head in picked:
            if metric is None:
                self.em.cell(text, item.label, head, None)
            else:
                self.em.emit(metric, None, period, text, item.label, head, unit if unit in ("元", "万元") else None)

    def flat_header(self, text: str) -> None:
        """A statistical table's header printed flat (`指标名称计量单位2013年度历年累计`): its value columns."""
        self.table = None
        self.group = None
        self.unit_col = None
        self.width = -1
        self.headed = True
        self.header = text
        key = label_key(text)
        self.cols = [(1, "year", "统计数")]
        year = _YEAR_HEAD.search(text)
        if year:
            self.cols = [(1, "year", year.group(0))]
        if "历年累计" in key or ("累计" in key and "本年累计" not in key):
            self.cols.append((2, "cumulative", "历年累计"))
            self.tells.add("local")

    def flat_row(self, item: Item) -> Item:
        """A flattened statistical row (`主动公开信息数条4251516`): the unit word leaves the label, the run is split
        into the table's value columns (a cumulative column is never below the year's)."""
        assert item.run is not None
        label, unit = item.label, None
        for word in sorted(UNIT_WORDS, key=len, reverse=True):
            if len(word) < len(label) and label.endswith(word) and word[0] not in "—-?/":
                probe = Item([label[: -len(word)]], ["0"], item.row)
                if self.match(Item([label], ["0"], item.row)) is None and self.match(probe) is not None:
                    label, unit = label[: -len(word)], word
                break
        periods = [p for _, p, _ in self.cols] or ["year"]
        options = flatten.splits(item.run, [flatten.Column(decimal=True)] * len(periods))
        if len(options) > 1 and "cumulative" in periods and "year" in periods:
            y, c = periods.index("year"), periods.index("cumulative")
            plausible = [o for o in options if (flatten.number(o[c]) or 0) >= (flatten.number(o[y]) or 0)]
            options = plausible or options
        if len(options) > 1:
            options.sort(key=lambda o: max(len(t) for t in o))
            self.em.ambiguous(label, item.run, options)
        values = list(options[0]) if options else [item.run]
        return Item([label], ([unit] if unit else []) + values, item.row)

    def format(self) -> str | None:
        if "2014" in self.tells and (self.year or 2014) >= 2014:
            return "2014"
        if "local" in self.tells or (self.year and self.year < 2014):
            return "local"
        return "2014"
