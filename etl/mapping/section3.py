"""Section 三 of the 2019 and 2021 formats: the application matrix (TEMPLATES.md §2.2, §3.2).

Rows from `一、本年新收政府信息公开申请数量` to `四、结转下年度继续办理`, seven applicant columns each (自然人 … 总计).
The two formats differ only in `（六）其他处理`: one row (2019) or a group heading over three rows (2021), which is
how the section's era is told. Flattened rows are kept until the whole table is known, so that the table's
identities (一 + 二 = 总计 + 四; 总计 = the sum of the results; 总计 column = the sum of the applicants) pick
their splits.
"""

from __future__ import annotations

from functools import cache

from etl import flatten
from etl.labels import LabelIndex
from etl.mapping.emit import Emitter
from etl.mapping.items import Item, fit
from etl.model import APPLICANTS, Issue
from etl.normalize import core_key
from etl.templates import APPLICANT_LABELS, SEC3_RESULT_PARTS, SEC3_ROWS


# the 2021 format's sub-rows of （六）其他处理 that no other row's label resembles (3.其他 is also a column header)
_SUB_ROWS_2021 = ("requests.result.other_no_correction", "requests.result.other_unpaid_fee")


@cache
def _sec3_index() -> LabelIndex[int]:
    return LabelIndex((i, labels) for i, (_, labels) in enumerate(SEC3_ROWS))


def is_first_row(item: Item) -> bool:
    """The matrix's first data row (一、本年新收政府信息公开申请数量): a section 三 table starts here."""
    if not item.labels:
        return False
    found = _sec3_index().match(item.label)
    return bool(found) and SEC3_ROWS[found[0].payload][0] == "requests.new"


class Section3:
    def __init__(self, emitter: Emitter, year: int | None) -> None:
        self.em = emitter
        self.year = year
        self.started = False
        self.last: str | None = None
        self.rows: dict[str, list[tuple[str, ...]]] = {}  # metric -> possible reads of its 7 cells
        self.labels: dict[str, tuple[str, str | None, int | None]] = {}  # metric -> (label, section, page)
        self.opened = False  # a matrix header or first row was printed (the era shows even when no row is read)
        self.tells: set[str] = set()  # "2021": a sub-row of the 2021 format's （六）其他处理 was printed

    def reset(self) -> None:
        """A new matrix starts (its header, or its first row)."""
        self.started = False
        self.last = None
        self.opened = True

    def on_item(self, item: Item) -> bool:
        """Read one row; True when the matrix is complete (its last row was read)."""
        entry = None
        for label in reversed(item.labels):
            found = _sec3_index().match(label)
            if found:
                entry = found[0]
                break
        if entry is None:
            if any(item.values) and self.started:
                self.em.issue(Issue("sec3.row", "warning", f"unknown row {item.label!r} in section 三"))
                for v, a in zip(item.values, APPLICANT_LABELS):
                    self.em.cell(v, item.label or None, a, None)
            return False
        metric, _ = SEC3_ROWS[entry.payload]
        if metric in _SUB_ROWS_2021:
            self.tells.add("2021")
        core = core_key(entry.key)
        if metric == "requests.new":
            self.started = True
        elif not self.started:
            return False  # header words (其他, 总计) before the first data row
        if core == "其他" and self.last != "requests.result.other_unpaid_fee":
            return False
        if metric == "requests.result.other" and not item.values and item.run is None:
            self.last = metric
            return False  # the 2021 group heading over three sub-rows
        if metric is None:
            return False
        self.last = metric
        if item.run is not None or self.rows:
            return self.defer(metric, item)
        return self.emit_row(metric, item.label, fit(item.values, len(APPLICANTS), "last"))

    def emit_row(self, metric: str, label: str, values: list[str] | tuple[str, ...]) -> bool:
        """One row's seven cells; True after the matrix's last row."""
        if metric in ("requests.result.other_no_correction", "requests.result.other_unpaid_fee", "requests.result.other_misc"):
            self.em.out.section_formats["三"] = "2021"
        elif metric == "requests.result.other":
            self.em.out.section_formats.setdefault("三", "2019")
        if len(values) != len(APPLICANTS):
            self.em.issue(Issue("sec3.columns", "error", f"{label}: {len(values)} values printed, 7 expected"))
            for v in values:
                self.em.cell(v, label, None, None)
            return False
        for applicant, head, v in zip(APPLICANTS, APPLICANT_LABELS, values):
            self.em.emit(metric, applicant, "year", v, label, head)
        if metric == "requests.carried_forward":
            self.em.out.section_formats.setdefault("三", "2019" if self.year and self.year < 2021 else "2021")
            return True
        return False

    # flattened section 三: rows are read once the whole table is known, so its identities can pick the splits
    def defer(self, metric: str, item: Item) -> bool:
        if item.run is not None:
            options = flatten.splits(item.run, [flatten.Column()] * len(APPLICANTS), flatten.sums_to_last(len(APPLICANTS)))
            if not options:  # no read where the applicant columns add up to 总计: the agency's sum may be off
                options = flatten.splits(item.run, [flatten.Column()] * len(APPLICANTS))[:1]
        else:
            options = [tuple(fit(item.values, len(APPLICANTS), "last"))]
        if not options:
            self.em.issue(Issue("flat.unreadable", "error", f"{item.label}: cannot read {item.run!r} as 7 cells"))
            self.em.cell(item.run or "", item.label, None, None)
        else:
            self.rows[metric] = options
            self.labels[metric] = (item.label, self.em.section, item.row.page)
        if metric == "requests.carried_forward":
            return self.resolve()
        return False

    def resolve(self) -> bool:
        """Emit the deferred rows, splits chosen by the identities; True when there were any."""
        rows, self.rows = self.rows, {}
        labels, self.labels = self.labels, {}
        if not rows:
            return False
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
            self.em.ambiguous(labels[metric][0], "".join(rows[metric][0]), rows[metric])
        section, page = self.em.section, self.em.page
        for metric in rows:
            label, self.em.section, self.em.page = labels[metric]
            self.emit_row(metric, label, choice[metric])
        self.em.section, self.em.page = section, page
        return True
