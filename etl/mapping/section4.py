"""Section 四 of the 2019 and 2021 formats: review and litigation, one data row of 15 cells (TEMPLATES.md §2.3).

The header rows (行政复议 | 行政诉讼 …) open it; the cells are collected until 15 are read, from a table row or
from lines of text (one cell per line), then emitted in the fixed column order of `templates.SEC4_COLS`. A run
printed with no delimiter is split by etl.flatten with each 总计 the sum of the four cells before it.
"""

from __future__ import annotations

from etl import flatten
from etl.mapping.emit import Emitter
from etl.mapping.items import Item
from etl.model import Issue
from etl.templates import SEC4_COLS


class Section4:
    def __init__(self, emitter: Emitter, year: int | None) -> None:
        self.em = emitter
        self.year = year
        self.buf: list[str] = []
        self.headed = False  # the table's header was printed (the era shows even when no cell is read)

    def reset(self) -> None:
        self.buf = []

    def on_item(self, item: Item) -> bool:
        """Collect a row's cells; True once the 15 cells are in (the table is complete)."""
        if item.row.table is None:
            self.buf.extend(v for v in item.values if v != "")
        elif any(item.values) or (not item.labels and len(item.values) == len(SEC4_COLS)):
            # a table row's blank cells are values; a row of blanks only is the data row printed blank, never a
            # header's span fillers (`行政复议 | |||| 行政诉讼 | ||||`) or a spacer
            self.buf.extend(item.values)
        return len(self.buf) >= len(SEC4_COLS)

    def finish(self) -> None:
        """Emit the collected cells (the table closed: complete, or cut short by the next heading or table)."""
        buf, self.buf = self.buf, []
        if not buf:
            return
        if len(buf) != len(SEC4_COLS) and all(flatten.is_run(v) for v in buf):
            run = "".join(v.replace(" ", "") for v in buf)
            options = flatten.splits(run, [flatten.Column()] * len(SEC4_COLS), flatten.sums_to_last(5))
            if options:
                if len(options) > 1:
                    self.em.ambiguous("行政复议、行政诉讼", run, options)
                buf = list(options[0])
        if len(buf) != len(SEC4_COLS):
            self.em.issue(Issue("sec4.columns", "error", f"section 四: {len(buf)} values printed, 15 expected"))
            for v in buf:
                self.em.cell(v, None, None, None)
            return
        for (metric, column), v in zip(SEC4_COLS, buf):
            self.em.emit(metric, None, "year", v, "行政复议、行政诉讼", column)
        self.em.out.section_formats.setdefault("四", "2021" if (self.year or 0) >= 2021 else "2019")
