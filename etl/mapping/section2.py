"""Section 二 of the 2019 and 2021 formats: the 第二十条 tables (TEMPLATES.md §2.1, §3.1).

Five small tables stacked under `第二十条第（…）项` title rows, each with a header row (`信息内容 | 本年制发件数 | …`)
naming its columns: a row label (规章, 行政许可 …) gives the metric prefix, each column header its suffix. The header
words tell the era (本年制发件数 … 2021; 本年新制作数量 … 2019); when a header is missing or misaligned the era's
default columns apply. Flattened rows (`行政规范性文件8215230`) are split into the columns by etl.flatten, the
plausible read first.
"""

from __future__ import annotations

from etl import flatten
from etl.catalog import metrics
from etl.mapping.anchors import SEC2_ITEM9, has, keyed
from etl.mapping.emit import Emitter
from etl.mapping.items import Item, fit
from etl.model import Issue
from etl.normalize import Number, bare_key, core_key, label_key, parse_cell_number
from etl.templates import SEC2_COLS, SEC2_DEFAULT_COLS, SEC2_ROWS, SEC2_TELLS

_SEC2_ROW_KEYS = {label_key(k): v for k, v in SEC2_ROWS.items()}
_SEC2_COL_KEYS = {label_key(k): v for k, v in SEC2_COLS.items()}
_TELL_KEYS = {fmt: keyed(*tells) for fmt, tells in SEC2_TELLS.items()}  # era -> its column words, keyed


def _sec2_row(label: str) -> str | None:
    key = label_key(label)
    for k in (key, core_key(key), bare_key(key)):
        if k in _SEC2_ROW_KEYS:
            return _SEC2_ROW_KEYS[k]
    return None


def _sec2_col(label: str) -> str | None:
    key = label_key(label)
    for k in (key, core_key(key), bare_key(key)):
        if k in _SEC2_COL_KEYS:
            return _SEC2_COL_KEYS[k]
    return None


class Section2:
    def __init__(self, emitter: Emitter, year: int | None) -> None:
        self.em = emitter
        self.year = year
        self.cols: list[tuple[str, str]] = []  # (suffix, printed header)
        self.tells: set[str] = set()
        self.seen = False  # a value was read
        self.titled = False  # a table title or header row was printed (the era shows even when no row is read)

    def enter(self, key: str, in_table: bool = True) -> None:
        """A `第二十条第（…）项` title row or a bare `信息内容` header: a new small table."""
        self.cols = []
        if in_table or len(key) <= 20:  # a table's row, or a line that is a title: not a sentence citing 第二十条
            self.titled = True
        if has(key, SEC2_ITEM9):
            self.tells.add("2019")

    def on_item(self, item: Item) -> None:
        prefix = _sec2_row(item.label) if item.labels else None
        if prefix is None and item.row.table is None and not item.values:
            # a flattened header line (信息内容本年制发件数本年废止件数现行有效件数): its tells still count
            key = label_key(item.label)
            for fmt, tells in _TELL_KEYS.items():
                if has(key, tells):
                    self.tells.add(fmt)
        if prefix is not None and item.run is not None:
            self.on_flat(item, prefix)
            return
        if prefix is None:
            for label in item.labels:
                col = _sec2_col(label)
                if col:
                    self.cols.append((col, label))
                    key = label_key(label)
                    bare = bare_key(key)
                    for fmt, tells in _TELL_KEYS.items():
                        if bare in tells or key in tells:
                            self.tells.add(fmt)
                elif label_key(label) == "信息内容":
                    self.cols = []
            if not item.labels or not self.cols:
                for v in item.values:
                    self.em.cell(v, item.label or None, None, None)
            return
        values = fit(item.values, len(self.cols), "first")
        if len(values) > len(self.cols):
            values = [v for v in values if v != ""]
        cols = [c for c, _ in self.cols]
        heads = [h for _, h in self.cols]
        fmt = self.format()
        default = SEC2_DEFAULT_COLS.get(fmt, {}).get(prefix)
        if len(cols) != len(values) or any(f"{prefix}.{c}" not in metrics() for c in cols):
            if default and len(default) == len(values):
                cols, heads = list(default), list(default)
            else:
                self.em.issue(Issue("sec2.columns", "warning",
                                    f"{item.label}: {len(values)} values for columns {cols or '(none)'}"))
                for v in values:
                    self.em.cell(v, item.label, None, None)
                return
        unit_hint = None
        self.seen = True
        for c, h, v in zip(cols, heads, values):
            if c == "amount":
                unit_hint = "万元" if "万元" in h else ("元" if "元" in h else None)
                if unit_hint is None and isinstance(parse_cell_number(v), Number) and parse_cell_number(v).unit is None:  # type: ignore[union-attr]
                    unit_hint = "万元"
            self.em.emit(f"{prefix}.{c}", None, "year", v, item.label, h, unit_hint)

    def on_flat(self, item: Item, prefix: str) -> None:
        assert item.run is not None
        cols = [c for c, _ in self.cols if f"{prefix}.{c}" in metrics()]
        if not cols or len(cols) != len(self.cols):
            cols = list(SEC2_DEFAULT_COLS.get(self.format(), {}).get(prefix, ()))
        if not cols:
            self.em.cell(item.run, item.label, None, None)
            return
        run, unit = item.run, None
        for word in ("万元", "元"):
            if run.endswith(word):
                run, unit = run[: -len(word)], word
                break
        specs = [flatten.Column(signed=c == "change", decimal=c == "amount") for c in cols]
        options = flatten.splits(run, specs)
        if not options:
            self.em.issue(Issue("flat.unreadable", "error",
                                f"{item.label}: cannot read {item.run!r} as {len(cols)} cells"))
            self.em.cell(item.run, item.label, None, None)
            return
        # no identity ties these cells together: rank plausible reads first (a stock column holds at least the
        # year's new items), and report the choice when more than one read remains
        def rank(o: tuple[str, ...]) -> tuple:
            nums = [flatten.number(t) or 0 for t in o]
            stock = dict(zip(cols, nums))
            implausible = int(stock.get("in_force", 1e18) < stock.get("issued", 0)) + int(
                stock.get("published_total", 1e18) < stock.get("published", 0)) + int(
                stock.get("prior_items", 0) + stock.get("change", 0) < 0)  # items cannot drop below none
            return (implausible, -len(o[-1]), max(len(t) for t in o))

        options.sort(key=rank)
        if len(options) > 1:
            self.em.ambiguous(item.label, item.run, options)
        self.seen = True
        for c, v in zip(cols, options[0]):
            self.em.emit(f"{prefix}.{c}", None, "year", v, item.label, c, (unit or "万元") if c == "amount" else None)

    def format(self) -> str:
        if "2021" in self.tells and "2019" not in self.tells:
            return "2021"
        if "2019" in self.tells and "2021" not in self.tells:
            return "2019"
        return "2021" if (self.year or 0) >= 2021 else "2019"
