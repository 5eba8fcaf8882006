"""The walk over the items: which template reads the next row.

A small state machine. Anchors open a template (`第二十条第（…）项` / `信息内容`: section 二; `申请人情况` or the matrix's
first row: section 三; `行政复议` with `行政诉讼`: section 四; a `统计指标`/`指标名称` header or a known row: a
statistical table); headings give provenance (the section a value was printed under) and close a section 四 left
open; a row that belongs to no open template closes a statistical table. The readers (section2, section3,
section4, statistical) turn the rows of their template into values through one `Emitter`.
"""

from __future__ import annotations

import re

from etl import flatten
from etl.document import Row
from etl.mapping import era, section3
from etl.mapping.anchors import (
    LITIGATION,
    REVIEW,
    REVIEW_OR_LITIGATION,
    SEC2_TITLE,
    SEC3_HEADER,
    STAT_HEADER,
    has,
    is_heading,
)
from etl.mapping.emit import Emitter, Mapped
from etl.mapping.items import Item, build_items
from etl.mapping.section2 import Section2
from etl.mapping.section3 import Section3
from etl.mapping.section4 import Section4
from etl.mapping.statistical import Statistical, is_header
from etl.normalize import label_key


_BEFORE_ORDINAL = re.compile(r"(?=(?<![\d.])\d{1,2}[.、．]\D)")  # where the next row's arabic ordinal starts


class Walker:
    def __init__(self, items: list[Item], report_year: int | None) -> None:
        self.items = items
        self.year = report_year
        self.em = Emitter()
        self.ctx: str | None = None  # the open template: "sec2", "sec3", "sec4", "stat" or None
        self.sec2 = Section2(self.em, report_year)
        self.sec3 = Section3(self.em, report_year)
        self.sec4 = Section4(self.em, report_year)
        self.stat = Statistical(self.em, report_year)
        self.headings = era.Headings()

    def run(self) -> Mapped:
        for item in self.items:
            self.em.page = item.row.page
            self.step(item)
        self.resolve_sec3()
        self.finish_sec4()
        return self.em.out

    def step(self, item: Item) -> None:
        stat = self.stat
        if item.flat and (self.ctx in ("sec2", "sec3", "stat") or self._flat_anchor(item.flat[0][0])):
            for label, run in item.flat:
                self.step(Item(flatten.label_parts(label), [], item.row, run=run))
            return
        if (self.ctx == "stat" and stat.width == -1 and item.row.table is None and item.run is None
                and not item.values and not item.flat and not any(ch.isdigit() for ch in item.label.split("（")[0][-2:])):
            # a flattened statistical table's rows printed with blank cells: labels only (`…复议数量件`)
            parts = [p for p in _BEFORE_ORDINAL.split(item.label) if p.strip()]
            if parts and all(stat.match(Item([p], ["0"], item.row)) is not None
                             or stat.match(Item([p[:-1]], ["0"], item.row)) is not None for p in parts):
                for p in parts:
                    self.step(Item(flatten.label_parts(p), [], item.row, run=""))
                return
        key = label_key(item.label) if item.labels else ""
        # headings (prose lines) give provenance and close templates that are still open
        if item.row.table is None and not item.values and is_heading(item.label):
            self.headings.read(item.label)
            if self.ctx == "sec4" and not has(key, REVIEW_OR_LITIGATION):
                self.finish_sec4()
            if self.ctx not in ("sec3",) or has(key, REVIEW):
                self.em.section = item.label
        if self.ctx == "stat" and item.row.table != stat.table and item.row.table is not None:
            if not stat.match(item):
                self.ctx = None
        elif self.ctx == "stat" and item.row.table is None and item.run is None and not stat.continues(item):
            self.ctx = None
        if item.row.table is None and item.run is None and not item.values and self.ctx not in ("sec2", "sec3", "sec4") \
                and len(key) <= 40 and has(key, STAT_HEADER):
            self.enter("stat")
            stat.flat_header(item.label)
            return
        # anchors
        if self.ctx != "stat":
            if has(key, SEC2_TITLE) or key == "信息内容":
                if self.ctx != "sec2":
                    self.enter("sec2")
                self.sec2.enter(key, item.row.table is not None)
                return
            if self.ctx != "sec3" and (has(key, SEC3_HEADER) or section3.is_first_row(item)):
                self.enter("sec3")
            elif self.ctx != "sec4" and (
                any(label_key(c) == "行政复议" for c in item.labels)
                or (has(key, REVIEW) and has(key, LITIGATION) and not item.values)
            ):
                self.enter("sec4")
                if item.row.table is not None or key == "行政复议":
                    self.sec4.headed = True  # the table's header (not a sentence on review and litigation)
                return
            elif self.ctx not in ("sec2", "sec3", "sec4") and stat.is_anchor(item, key):
                self.enter("stat")
                stat.enter(item)
                if is_header(item):
                    return
        if self.ctx == "sec2":
            self.sec2.on_item(item)
        elif self.ctx == "sec3":
            if self.sec3.on_item(item):
                self.ctx = None
        elif self.ctx == "sec4":
            if self.sec4.on_item(item):
                self.finish_sec4()
        elif self.ctx == "stat":
            stat.on_item(item)

    def _flat_anchor(self, label: str) -> bool:
        """A flattened line that opens a table: section 三's first row, or a statistical table's row."""
        probe = Item([label], ["0"], Row([label]))
        return section3.is_first_row(probe) or self.stat.match(probe) is not None

    def enter(self, ctx: str) -> None:
        if self.ctx == "sec4" and ctx != "sec4":
            self.finish_sec4()
        self.ctx = ctx
        if ctx == "sec3":
            self.sec3.reset()
        if ctx == "sec4":
            self.sec4.reset()

    def finish_sec4(self) -> None:
        if self.ctx != "sec4":
            return
        self.ctx = None
        self.sec4.finish()

    def resolve_sec3(self) -> None:
        if self.sec3.resolve() and self.ctx == "sec3":
            self.ctx = None


def map_rows(rows: list[Row], report_year: int | None) -> Mapped:
    w = Walker(build_items(rows), report_year)
    out = w.run()
    era.decide(out, w.sec2, w.sec3, w.sec4, w.stat, w.headings, report_year)
    return out
