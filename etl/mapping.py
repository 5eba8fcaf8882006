"""Row stream -> catalog values, by the printed templates.

The stream (see `etl.document`) is first grouped into items: a label followed by the value cells printed after it
(in the same table row, or, for one-cell-per-line text, on the following lines). A small state machine then walks
the items: anchors (第二十条第（一）项, 申请人情况, 行政复议 …, 统计指标) select which template reads the next rows,
and each template turns a matched row label plus its values into `Value`s. Every numeric cell of a recognised
table becomes a `Cell`, mapped or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from etl import flatten
from etl.catalog import metrics
from etl.document import Row
from etl.labels import LabelIndex
from etl.model import APPLICANTS, Cell, Issue, Source, Value
from etl.normalize import Number, bare_key, core_key, label_key, parse_cell_number, to_unit
from etl.templates import (
    APPLICANT_LABELS,
    SEC2_COLS,
    SEC2_DEFAULT_COLS,
    SEC2_ROWS,
    SEC2_TELLS,
    SEC3_RESULT_PARTS,
    SEC3_ROWS,
    SEC4_COLS,
    STAT_HEADER_WORDS,
    STAT_ROWS,
    STAT_TELLS_2014,
    STAT_TELLS_LOCAL,
    UNIT_WORDS,
)


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


@dataclass(slots=True)
class Mapped:
    values: list[Value] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    section_formats: dict[str, str] = field(default_factory=dict)
    stat_format: str | None = None


_HEADING = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_HEADING_WORDS = ("情况", "概述", "问题", "事项", "统计表", "附件", "总体")
_VALUE_LINE_MAX = 24


def _is_value_text(text: str) -> bool:
    return len(text) <= _VALUE_LINE_MAX and parse_cell_number(text) != "text" and text.strip() != ""


def _is_label(cell: str) -> bool:
    return bool(cell) and parse_cell_number(cell) == "text" and cell not in UNIT_WORDS


def _table_item(row: Row) -> Item:
    """A table row's leading labels and its value cells. A blank cell before a label is no value: the corner of a
    header, or the filler of a spanned label in pipe text (`行政复议 | |||| 行政诉讼 | ||||`). A blank cell after
    the labels is kept (a cell printed blank, or a spanned cell's filler the template trims, see `_fit`); so is
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


def _fit(values: list[str], n: int, keep: Literal["first", "last"]) -> list[str]:
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


# --- label indexes --------------------------------------------------------------------------------------


@cache
def _sec3_index() -> LabelIndex[int]:
    return LabelIndex((i, labels) for i, (_, labels) in enumerate(SEC3_ROWS))


@cache
def _stat_index() -> LabelIndex[int]:
    return LabelIndex((i, labels) for i, (_, _, labels) in enumerate(STAT_ROWS))


_SEC2_ROW_KEYS = {label_key(k): v for k, v in SEC2_ROWS.items()}
_SEC2_COL_KEYS = {label_key(k): v for k, v in SEC2_COLS.items()}


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


def _has(key: str, *words: str) -> bool:
    return any(label_key(w) in key for w in words)


# --- the walker -----------------------------------------------------------------------------------------


class _Mapper:
    def __init__(self, items: list[Item], report_year: int | None) -> None:
        self.items = items
        self.year = report_year
        self.out = Mapped()
        self.section: str | None = None
        self.ctx: str | None = None
        self.keys: dict[tuple[str, str | None, str], int] = {}
        # section 二
        self.sec2_cols: list[tuple[str, str]] = []  # (suffix, printed header)
        self.sec2_tells: set[str] = set()
        # section 三
        self.sec3_started = False
        self.sec3_last: str | None = None
        self.sec3_rows: dict[str, list[tuple[str, ...]]] = {}  # metric -> possible reads of its 7 cells
        self.sec3_labels: dict[str, tuple[str, str | None, int | None]] = {}  # metric -> (label, section, page)
        # section 四
        self.sec4_buf: list[str] = []
        # statistical tables
        self.stat_group: str | None = None
        self.stat_cols: list[tuple[int, str, str]] = []  # (position, period, printed header)
        self.stat_unit_col: int | None = None
        self.stat_width = 0
        self.stat_table: int | None = None
        self.stat_tells: set[str] = set()
        self.stat_seen = False
        self.stat_header: str | None = None  # a header read from text, while no row of its table has been read
        self.sec2_seen = False
        self.items_page: int | None = None

    # -- emission
    def emit(self, metric: str, applicant: str | None, period: str, text: str, row: str, column: str | None,
             unit_hint: str | None = None) -> None:
        m = metrics().get(metric)
        if m is None:
            self.cell(text, row, column, None)
            return
        parsed = parse_cell_number(text)
        if parsed == "text":
            self.out.issues.append(Issue("cell.unreadable", "warning", f"cell {text!r} under {row!r} / {column!r} is not a number", applicant))
            self.cell(text, row, column, None)
            return
        value = None
        approximate = False
        if isinstance(parsed, Number):
            if parsed.unit is None and unit_hint in ("元", "万元"):
                parsed = Number(parsed.value, unit_hint, parsed.approximate)
            value = to_unit(parsed, m.unit)
            approximate = parsed.approximate
        key = (metric, applicant, period)
        cell = Cell(self.section, row, column, text, value, metric, applicant, period, self.items_page)  # type: ignore[arg-type]
        self.out.cells.append(cell)
        v = Value(metric, applicant, period, value, m.unit, approximate,  # type: ignore[arg-type]
                  Source("table", self.section, row, column, text, self.items_page))
        if key in self.keys:
            i = self.keys[key]
            old = self.out.values[i]
            if old.value is None and value is not None:
                self.out.values[i] = v
            elif value is not None and old.value != value:
                self.out.issues.append(Issue("duplicate", "warning",
                                             f"{metric} printed twice: {old.value} ({old.source.row}) and {value} ({row}); first kept",
                                             applicant, {"values": [old.value, value]}))
            return
        self.keys[key] = len(self.out.values)
        self.out.values.append(v)

    def cell(self, text: str, row: str | None, column: str | None, metric: str | None) -> None:
        parsed = parse_cell_number(text)
        if isinstance(parsed, Number):
            self.out.cells.append(Cell(self.section, row, column, text, parsed.value, metric, page=self.items_page))

    # -- main loop
    def run(self) -> Mapped:
        for item in self.items:
            self.items_page = item.row.page
            self.step(item)
        self.sec3_resolve()
        self.finish_sec4()
        return self.out

    def step(self, item: Item) -> None:
        if item.flat and (self.ctx in ("sec2", "sec3", "stat") or self._flat_anchor(item.flat[0][0])):
            for label, run in item.flat:
                self.step(Item(flatten.label_parts(label), [], item.row, run=run))
            return
        if (self.ctx == "stat" and self.stat_width == -1 and item.row.table is None and item.run is None
                and not item.values and not item.flat and not any(ch.isdigit() for ch in item.label.split("（")[0][-2:])):
            # a flattened statistical table's rows printed with blank cells: labels only (`…复议数量件`)
            parts = [p for p in re.split(r"(?=(?<![\d.])\d{1,2}[.、．]\D)", item.label) if p.strip()]
            if parts and all(self._stat_match(Item([p], ["0"], item.row)) is not None
                             or self._stat_match(Item([p[:-1]], ["0"], item.row)) is not None for p in parts):
                for p in parts:
                    self.step(Item(flatten.label_parts(p), [], item.row, run=""))
                return
        key = label_key(item.label) if item.labels else ""
        # headings (prose lines) give provenance and close templates that are still open
        if item.row.table is None and not item.values and self._is_heading(item.label):
            if self.ctx == "sec4" and not _has(key, "行政复议", "行政诉讼"):
                self.finish_sec4()
            if self.ctx not in ("sec3",) or _has(key, "行政复议"):
                self.section = item.label
        if self.ctx == "stat" and item.row.table != self.stat_table and item.row.table is not None:
            if not self._stat_match(item):
                self.ctx = None
        elif self.ctx == "stat" and item.row.table is None and item.run is None and not self._stat_line(item):
            self.ctx = None
        if item.row.table is None and item.run is None and not item.values and self.ctx not in ("sec2", "sec3", "sec4") \
                and len(key) <= 40 and _has(key, *STAT_HEADER_WORDS):
            self.flat_stat_header(item.label)
            return
        # anchors
        if self.ctx != "stat":
            if _has(key, "第二十条第") or key == "信息内容":
                self.enter_sec2(key)
                return
            if self.ctx != "sec3" and (_has(key, "申请人情况", "本列数据的勾稽关系") or self._sec3_new(item)):
                self.enter("sec3")
            elif self.ctx != "sec4" and (
                any(label_key(c) == "行政复议" for c in item.labels)
                or (_has(key, "行政复议") and _has(key, "行政诉讼") and not item.values)
            ):
                self.enter("sec4")
                return
            elif self.ctx not in ("sec2", "sec3", "sec4") and self._stat_anchor(item, key):
                self.enter_stat(item)
                if any(_has(label_key(c), *STAT_HEADER_WORDS) for c in item.labels):
                    return
        handler = {"sec2": self.on_sec2, "sec3": self.on_sec3, "sec4": self.on_sec4, "stat": self.on_stat}.get(self.ctx or "")
        if handler:
            handler(item)

    def _flat_anchor(self, label: str) -> bool:
        """A flattened line that opens a table: section 三's first row, or a statistical table's row."""
        probe = Item([label], ["0"], Row([label]))
        return self._sec3_new(probe) or self._stat_match(probe) is not None

    def _is_heading(self, text: str) -> bool:
        return len(text) <= 60 and (
            (_HEADING.match(text) is not None and any(w in text for w in _HEADING_WORDS)) or ("统计表" in text and len(text) <= 60)
        )

    def enter(self, ctx: str) -> None:
        if self.ctx == "sec4" and ctx != "sec4":
            self.finish_sec4()
        self.ctx = ctx
        if ctx == "sec3":
            self.sec3_started = False
            self.sec3_last = None
        if ctx == "sec4":
            self.sec4_buf = []

    # -- section 二
    def enter_sec2(self, key: str) -> None:
        if self.ctx != "sec2":
            self.enter("sec2")
        self.sec2_cols = []
        if _has(key, "第二十条第(九)项"):
            self.sec2_tells.add("2019")

    def on_sec2(self, item: Item) -> None:
        prefix = _sec2_row(item.label) if item.labels else None
        if prefix is None and item.row.table is None and not item.values:
            # a flattened header line (信息内容本年制发件数本年废止件数现行有效件数): its tells still count
            key = label_key(item.label)
            for fmt, tells in SEC2_TELLS.items():
                if any(label_key(t) in key for t in tells):
                    self.sec2_tells.add(fmt)
        if prefix is not None and item.run is not None:
            self.on_sec2_flat(item, prefix)
            return
        if prefix is None:
            for label in item.labels:
                col = _sec2_col(label)
                if col:
                    self.sec2_cols.append((col, label))
                    for fmt, tells in SEC2_TELLS.items():
                        if any(label_key(t) == bare_key(label_key(label)) or label_key(t) == label_key(label) for t in tells):
                            self.sec2_tells.add(fmt)
                elif label_key(label) == "信息内容":
                    self.sec2_cols = []
            if not item.labels or not self.sec2_cols:
                for v in item.values:
                    self.cell(v, item.label or None, None, None)
            return
        values = _fit(item.values, len(self.sec2_cols), "first")
        if len(values) > len(self.sec2_cols):
            values = [v for v in values if v != ""]
        cols = [c for c, _ in self.sec2_cols]
        heads = [h for _, h in self.sec2_cols]
        fmt = self.sec2_format()
        default = SEC2_DEFAULT_COLS.get(fmt, {}).get(prefix)
        if len(cols) != len(values) or any(f"{prefix}.{c}" not in metrics() for c in cols):
            if default and len(default) == len(values):
                cols, heads = list(default), list(default)
            else:
                self.out.issues.append(Issue("sec2.columns", "warning",
                                             f"{item.label}: {len(values)} values for columns {cols or '(none)'}"))
                for v in values:
                    self.cell(v, item.label, None, None)
                return
        unit_hint = None
        self.sec2_seen = True
        for c, h, v in zip(cols, heads, values):
            if c == "amount":
                unit_hint = "万元" if "万元" in h else ("元" if "元" in h else None)
                if unit_hint is None and isinstance(parse_cell_number(v), Number) and parse_cell_number(v).unit is None:  # type: ignore[union-attr]
                    unit_hint = "万元"
            self.emit(f"{prefix}.{c}", None, "year", v, item.label, h, unit_hint)

    def on_sec2_flat(self, item: Item, prefix: str) -> None:
        assert item.run is not None
        cols = [c for c, _ in self.sec2_cols if f"{prefix}.{c}" in metrics()]
        if not cols or len(cols) != len(self.sec2_cols):
            cols = list(SEC2_DEFAULT_COLS.get(self.sec2_format(), {}).get(prefix, ()))
        if not cols:
            self.cell(item.run, item.label, None, None)
            return
        run, unit = item.run, None
        for word in ("万元", "元"):
            if run.endswith(word):
                run, unit = run[: -len(word)], word
                break
        specs = [flatten.Column(signed=c == "change", decimal=c == "amount") for c in cols]
        options = flatten.splits(run, specs)
        if not options:
            self.out.issues.append(Issue("flat.unreadable", "error",
                                         f"{item.label}: cannot read {item.run!r} as {len(cols)} cells"))
            self.cell(item.run, item.label, None, None)
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
            self.ambiguous(item.label, item.run, options)
        self.sec2_seen = True
        for c, v in zip(cols, options[0]):
            self.emit(f"{prefix}.{c}", None, "year", v, item.label, c, (unit or "万元") if c == "amount" else None)

    def ambiguous(self, label: str, run: str, options: list[tuple[str, ...]]) -> None:
        shown = [" | ".join(o) for o in options[:4]]
        self.out.issues.append(Issue("flat.ambiguous", "warning",
                                     f"{label}: {run!r} reads {len(options)} ways ({'; '.join(shown)}"
                                     f"{'; …' if len(options) > 4 else ''}); the first is kept",
                                     None, {"run": run, "options": [list(o) for o in options[:8]]}))

    def sec2_format(self) -> str:
        if "2021" in self.sec2_tells and "2019" not in self.sec2_tells:
            return "2021"
        if "2019" in self.sec2_tells and "2021" not in self.sec2_tells:
            return "2019"
        return "2021" if (self.year or 0) >= 2021 else "2019"

    # -- section 三
    def _sec3_new(self, item: Item) -> bool:
        if not item.labels:
            return False
        found = _sec3_index().match(item.label)
        return bool(found) and SEC3_ROWS[found[0].payload][0] == "requests.new"

    def on_sec3(self, item: Item) -> None:
        entry = None
        for label in reversed(item.labels):
            found = _sec3_index().match(label)
            if found:
                entry = found[0]
                break
        if entry is None:
            if any(item.values) and self.sec3_started:
                self.out.issues.append(Issue("sec3.row", "warning", f"unknown row {item.label!r} in section 三"))
                for v, a in zip(item.values, APPLICANT_LABELS):
                    self.cell(v, item.label or None, a, None)
            return
        metric, _ = SEC3_ROWS[entry.payload]
        core = core_key(entry.key)
        if metric == "requests.new":
            self.sec3_started = True
        elif not self.sec3_started:
            return  # header words (其他, 总计) before the first data row
        if core == "其他" and self.sec3_last != "requests.result.other_unpaid_fee":
            return
        if metric == "requests.result.other" and not item.values and item.run is None:
            self.sec3_last = metric
            return  # the 2021 group heading over three sub-rows
        if metric is None:
            return
        self.sec3_last = metric
        if item.run is not None or self.sec3_rows:
            self.sec3_defer(metric, item)
            return
        self.sec3_emit(metric, item.label, _fit(item.values, len(APPLICANTS), "last"))

    def sec3_emit(self, metric: str, label: str, values: list[str] | tuple[str, ...]) -> None:
        if metric in ("requests.result.other_no_correction", "requests.result.other_unpaid_fee", "requests.result.other_misc"):
            self.out.section_formats["三"] = "2021"
        elif metric == "requests.result.other":
            self.out.section_formats.setdefault("三", "2019")
        if len(values) != len(APPLICANTS):
            self.out.issues.append(Issue("sec3.columns", "error",
                                         f"{label}: {len(values)} values printed, 7 expected"))
            for v in values:
                self.cell(v, label, None, None)
            return
        for applicant, head, v in zip(APPLICANTS, APPLICANT_LABELS, values):
            self.emit(metric, applicant, "year", v, label, head)
        if metric == "requests.carried_forward":
            self.out.section_formats.setdefault("三", "2019" if self.year and self.year < 2021 else "2021")
            self.ctx = None

    # flattened section 三: rows are read once the whole table is known, so its identities can pick the splits
    def sec3_defer(self, metric: str, item: Item) -> None:
        if item.run is not None:
            options = flatten.splits(item.run, [flatten.Column()] * len(APPLICANTS), flatten.sums_to_last(len(APPLICANTS)))
            if not options:  # no read where the applicant columns add up to 总计: the agency's sum may be off
                options = flatten.splits(item.run, [flatten.Column()] * len(APPLICANTS))[:1]
        else:
            options = [tuple(_fit(item.values, len(APPLICANTS), "last"))]
        if not options:
            self.out.issues.append(Issue("flat.unreadable", "error", f"{item.label}: cannot read {item.run!r} as 7 cells"))
            self.cell(item.run or "", item.label, None, None)
        else:
            self.sec3_rows[metric] = options
            self.sec3_labels[metric] = (item.label, self.section, item.row.page)
        if metric == "requests.carried_forward":
            self.sec3_resolve()

    def sec3_resolve(self) -> None:
        rows, self.sec3_rows = self.sec3_rows, {}
        labels, self.sec3_labels = self.sec3_labels, {}
        if not rows:
            return
        identities = []
        n = len(APPLICANTS)
        parts = [m for m in SEC3_RESULT_PARTS if m in rows]
        for c in range(n):
            if all(m in rows for m in ("requests.new", "requests.carried_over", "requests.result.total",
                                       "requests.carried_forward")):
                identities.append(flatten.Identity(
                    (("requests.new", c), ("requests.carried_over", c)),
                    (("requests.result.total", c), ("requests.carried_forward", c))))
            if parts and "requests.result.total" in rows:
                identities.append(flatten.Identity(tuple((m, c) for m in parts), (("requests.result.total", c),)))
        choice, unsure = flatten.solve(rows, identities)
        for metric in unsure:
            self.ambiguous(labels[metric][0], "".join(rows[metric][0]), rows[metric])
        ctx, section, page = self.ctx, self.section, self.items_page
        for metric in rows:
            label, self.section, self.items_page = labels[metric]
            self.sec3_emit(metric, label, choice[metric])
        self.ctx = None if ctx == "sec3" else ctx
        self.section, self.items_page = section, page

    # -- section 四
    def on_sec4(self, item: Item) -> None:
        if item.row.table is None:
            self.sec4_buf.extend(v for v in item.values if v != "")
        elif any(item.values) or (not item.labels and len(item.values) == len(SEC4_COLS)):
            # a table row's blank cells are values; a row of blanks only is the data row printed blank, never a
            # header's span fillers (`行政复议 | |||| 行政诉讼 | ||||`) or a spacer
            self.sec4_buf.extend(item.values)
        if len([v for v in self.sec4_buf]) >= len(SEC4_COLS):
            self.finish_sec4()

    def finish_sec4(self) -> None:
        if self.ctx != "sec4":
            return
        self.ctx = None
        buf, self.sec4_buf = self.sec4_buf, []
        if not buf:
            return
        if len(buf) != len(SEC4_COLS) and all(flatten.is_run(v) for v in buf):
            run = "".join(v.replace(" ", "") for v in buf)
            options = flatten.splits(run, [flatten.Column()] * len(SEC4_COLS), flatten.sums_to_last(5))
            if options:
                if len(options) > 1:
                    self.ambiguous("行政复议、行政诉讼", run, options)
                buf = list(options[0])
        if len(buf) != len(SEC4_COLS):
            self.out.issues.append(Issue("sec4.columns", "error", f"section 四: {len(buf)} values printed, 15 expected"))
            for v in buf:
                self.cell(v, None, None, None)
            return
        for (metric, column), v in zip(SEC4_COLS, buf):
            self.emit(metric, None, "year", v, "行政复议、行政诉讼", column)
        self.out.section_formats.setdefault("四", "2021" if (self.year or 0) >= 2021 else "2019")

    # -- statistical tables (2014 national, local)
    def _stat_match(self, item: Item) -> int | None:
        if not item.labels:
            return None
        found = _stat_index().match(item.label)
        if not found:
            return None
        same = [e for e in found if STAT_ROWS[e.payload][0] == self.stat_group]
        if same:
            return same[0].payload
        other = [e for e in found if not e.sub_row]
        if not other:
            return None
        groups = {STAT_ROWS[e.payload][0] for e in other}
        return other[0].payload if len(groups) == 1 else None

    def _stat_anchor(self, item: Item, key: str) -> bool:
        if item.row.table is None and item.run is None:
            return False
        if any(_has(label_key(c), *STAT_HEADER_WORDS) for c in item.labels):
            return True
        return (bool(item.values) or item.run is not None) and self._stat_match(item) is not None

    def enter_stat(self, item: Item) -> None:
        self.enter("stat")
        self.stat_table = item.row.table
        self.stat_group = None
        if any(_has(label_key(c), *STAT_HEADER_WORDS) for c in item.labels):
            self.stat_cols = []
            self.stat_unit_col = None
            self.stat_width = len(item.cells)
            for i, c in enumerate(item.cells):
                k = label_key(c)
                if i == 0 or not k:
                    continue
                if k in ("单位", "计量单位") or k.endswith("单位"):
                    self.stat_unit_col = i
                elif "代码" in k:
                    continue
                else:
                    period = "year"
                    if ("累计" in k and "年度累计" not in k and "本年累计" not in k) or k == "历年":
                        period = "cumulative"
                    elif "上年" in k or (self.year and k.startswith(f"{self.year - 1}年")):
                        period = "prior_year"
                    self.stat_cols.append((i, period, c))
                    if "累计" in k and period == "cumulative":
                        self.stat_tells.add("local")

    def _stat_line(self, item: Item) -> bool:
        """A text line that continues a statistical table printed one cell per line: a header cell before the first
        row (`单位`, `2013年度`, `历年累计`), or a row (a known label, or a unit cell printed after the label)."""
        if self.stat_width != -1:
            return False
        if self.stat_header is not None and not item.values:
            return True
        return bool(item.values and item.values[0] in UNIT_WORDS) or self._stat_match(item) is not None

    def on_stat(self, item: Item) -> None:
        if self.stat_header is not None and item.row.table is None and item.run is None and not item.values \
                and self._stat_match(item) is None:
            self.flat_stat_header(self.stat_header + item.label)  # the next header cell, printed on a line of its own
            return
        self.stat_header = None
        if item.run is not None:
            item = self.stat_flat(item)
        self.stat_table = item.row.table
        for label in item.labels:
            k = label_key(label)
            for t in STAT_TELLS_2014:
                if label_key(t) in k:
                    self.stat_tells.add("2014")
            for t in STAT_TELLS_LOCAL:
                if label_key(t) in k:
                    self.stat_tells.add("local")
        idx = self._stat_match(item)
        unit = None
        if self.stat_cols and len(item.cells) == self.stat_width:
            picked = [(item.cells[i], period, head) for i, period, head in self.stat_cols]
            if self.stat_unit_col is not None:
                unit = item.cells[self.stat_unit_col]
        else:
            vals = list(item.values)
            if vals and vals[0] in UNIT_WORDS:
                unit = vals.pop(0)
            cols = self.stat_cols or [(0, "year", "统计数")]
            if unit is not None and not vals and item.row.table is None:
                vals = [""] * len(cols)  # one cell per line: a unit and no figure after it, the row's cells are blank
            picked = [(v, period, head) for v, (_, period, head) in zip(vals, cols)]
            for v in vals[len(cols):]:
                self.cell(v, item.label, None, None)
        if idx is None:
            for text, _, head in picked:
                self.cell(text, item.label or None, head, None)
            return
        group, metric, _ = STAT_ROWS[idx]
        self.stat_group = group
        self.stat_seen = True
        for text, period, head in picked:
            if metric is None:
                self.cell(text, item.label, head, None)
            else:
                self.emit(metric, None, period, text, item.label, head, unit if unit in ("元", "万元") else None)

    def flat_stat_header(self, text: str) -> None:
        """A statistical table's header printed flat (`指标名称计量单位2013年度历年累计`): its value columns."""
        self.enter("stat")
        self.stat_table = None
        self.stat_group = None
        self.stat_unit_col = None
        self.stat_width = -1
        self.stat_header = text
        key = label_key(text)
        self.stat_cols = [(1, "year", "统计数")]
        year = re.search(r"(?:19|20)\d\d年度?|本年度?|本期", text)
        if year:
            self.stat_cols = [(1, "year", year.group(0))]
        if "历年累计" in key or ("累计" in key and "本年累计" not in key):
            self.stat_cols.append((2, "cumulative", "历年累计"))
            self.stat_tells.add("local")

    def stat_flat(self, item: Item) -> Item:
        """A flattened statistical row (`主动公开信息数条4251516`): the unit word leaves the label, the run is split
        into the table's value columns (a cumulative column is never below the year's)."""
        assert item.run is not None
        label, unit = item.label, None
        for word in sorted(UNIT_WORDS, key=len, reverse=True):
            if len(word) < len(label) and label.endswith(word) and word[0] not in "—-?/":
                probe = Item([label[: -len(word)]], ["0"], item.row)
                if self._stat_match(Item([label], ["0"], item.row)) is None and self._stat_match(probe) is not None:
                    label, unit = label[: -len(word)], word
                break
        periods = [p for _, p, _ in self.stat_cols] or ["year"]
        options = flatten.splits(item.run, [flatten.Column(decimal=True)] * len(periods))
        if len(options) > 1 and "cumulative" in periods and "year" in periods:
            y, c = periods.index("year"), periods.index("cumulative")
            plausible = [o for o in options if (flatten.number(o[c]) or 0) >= (flatten.number(o[y]) or 0)]
            options = plausible or options
        if len(options) > 1:
            options.sort(key=lambda o: max(len(t) for t in o))
            self.ambiguous(label, item.run, options)
        values = list(options[0]) if options else [item.run]
        return Item([label], ([unit] if unit else []) + values, item.row)

    def stat_format(self) -> str | None:
        if "2014" in self.stat_tells and (self.year or 2014) >= 2014:
            return "2014"
        if "local" in self.stat_tells or (self.year and self.year < 2014):
            return "local"
        return "2014"


def map_rows(rows: list[Row], report_year: int | None) -> Mapped:
    m = _Mapper(build_items(rows), report_year)
    out = m.run()
    if m.sec2_seen:
        out.section_formats["二"] = m.sec2_format()
    if m.stat_seen:
        out.stat_format = m.stat_format()
    return out
