"""What the readers produce: a printed cell becomes a `Value` (one per metric, applicant and period) and a `Cell`.

`Emitter` holds the mapping's result (`Mapped`) and the provenance of the row being read (the section heading it sits
under, its page). Every reader hands it the printed text of a cell with the metric it means: the text is parsed as
a number in the catalog's unit (元 and 万元 converted; a blank is None), a second printing of the same key keeps the
first figure (a `duplicate` warning when they differ), and a cell that is no number is an issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.catalog import metrics
from etl.model import Cell, Issue, Source, Value
from etl.normalize import Number, parse_cell_number, to_unit


@dataclass(slots=True)
class Mapped:
    values: list[Value] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    section_formats: dict[str, str] = field(default_factory=dict)
    stat_format: str | None = None
    # section (二/三/四, 统计表) -> what decided its era: "values" (rows read), "header" (a table's title or header
    # printed, no row read), "heading" (the report's section headings only); etl.mapping.era
    format_evidence: dict[str, str] = field(default_factory=dict)


class Emitter:
    """The mapping's output and the provenance (section, page) of the row being read."""

    def __init__(self) -> None:
        self.out = Mapped()
        self.section: str | None = None
        self.page: int | None = None
        self.keys: dict[tuple[str, str | None, str], int] = {}

    def emit(self, metric: str, applicant: str | None, period: str, text: str, row: str, column: str | None,
             unit_hint: str | None = None) -> None:
        m = metrics().get(metric)
        if m is None:
            self.cell(text, row, column, None)
            return
        parsed = parse_cell_number(text)
        if isinstance(parsed, str):  # "text": not a number
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
        self.out.cells.append(Cell(self.section, row, column, text, value, metric, applicant, period,  # type: ignore[arg-type]
                                   self.page))
        v = Value(metric, applicant, period, value, m.unit, approximate,  # type: ignore[arg-type]
                  Source("table", self.section, row, column, text, self.page))
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
        """A printed cell no metric takes (kept in `Mapped.cells` when it is a number)."""
        parsed = parse_cell_number(text)
        if isinstance(parsed, Number):
            self.out.cells.append(Cell(self.section, row, column, text, parsed.value, metric, page=self.page))

    def issue(self, issue: Issue) -> None:
        self.out.issues.append(issue)

    def ambiguous(self, label: str, run: str, options: list[tuple[str, ...]]) -> None:
        """A flattened run that reads several ways: the first read is kept, the others are reported."""
        shown = [" | ".join(o) for o in options[:4]]
        self.out.issues.append(Issue("flat.ambiguous", "warning",
                                     f"{label}: {run!r} reads {len(options)} ways ({'; '.join(shown)}"
                                     f"{'; …' if len(options) > 4 else ''}); the first is kept",
                                     None, {"run": run, "options": [list(o) for o in options[:8]]}))
