"""Accuracy of a parse against ground truth: cell-level precision/recall and template detection.

Pure: a `ParseResult` and a truth dict in, counts out. A truth dict is what the demo portal records for a report:
`{"values": [{"metric", "applicant", "period", "value", "approximate"?, "source"}], "report_year", "format",
"section_formats"}` (`value` None = a cell printed blank; `source` "table" or "text").

Per value key `(metric, applicant, period)` (the contract emits one value per key):

- true positive: emitted with the truth's value (None only matches None, `0` only matches a number equal to 0) and
  the same `approximate` flag (`7700余条` is not the exact 7700);
- false negative: a truth key not emitted, or emitted with another value;
- false positive: an emitted key not in the truth, emitted with another value, or emitted twice.

Counts are kept apart for table values and narrative values: true positives and false negatives count in the class
of the truth's source, false positives in the class of the emitted `source.kind` (so table precision is about what
was read from tables, narrative precision about what was read from prose). A figure printed both in a table and in
a sentence has one truth entry, sourced to the table (`portal.render.merge_values`); a correct value counts
as found whichever of the two the parser took it from. Template detection compares `report_year`, `format` and the
whole `section_formats` object (二/三/四 for the 2019+ formats, `统计表` for the single statistical table, empty for a
narrative report).

A wrong figure (value, missing, extra, duplicate) is **flagged** when the parse reports an issue about it: an issue
whose `details` name its key (`metric`, `applicant`, `period`: the OCR reconciliation's `ocr.*`), or a `flat.*`
issue about the printed row it was read from (`<row label>: …`: a run of digits that reads several ways). `unflagged`
counts the others: wrong figures nothing warned of.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from etl.model import ParseResult, Value

TABLE, TEXT = "table", "text"
KINDS = (TABLE, TEXT)
META_FIELDS = ("report_year", "format", "section_formats")

Key = tuple[str, "str | None", str]


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None when nothing was emitted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); None when the truth has nothing."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def to_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision, "recall": self.recall}


@dataclass(frozen=True)
class Mismatch:
    """One disagreement: `expected` is the truth entry (None: not in the truth), `got` what the parser emitted
    (None: not emitted); `reason` is missing | extra | value | approximate | duplicate."""

    key: Key
    reason: str
    expected: Mapping[str, Any] | None
    got: Value | None
    flagged: bool = False  # the parse reports an issue about this figure (module docstring)

    def describe(self) -> str:
        metric, applicant, period = self.key
        where = metric + (f"[{applicant}]" if applicant else "") + ("" if period == "year" else f"@{period}")
        exp = "-" if self.expected is None else f"{_fmt(self.expected['value'])} ({self.expected.get('source', '?')})"
        got = "-" if self.got is None else f"{_fmt(self.got.value)} ({self.got.source.kind}: {self.got.source.text!r})"
        return f"{self.reason:<11} {where}: expected {exp}, got {got}" + (" [flagged]" if self.flagged else "")


def _fmt(value: object) -> str:
    return "blank" if value is None else str(value)


@dataclass(frozen=True)
class DocScore:
    ok: bool
    error: str | None
    counts: Mapping[str, Counts]  # "table" / "text" -> counts
    meta: Mapping[str, tuple[Any, Any]]  # field -> (expected, got), for every field of META_FIELDS
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def unflagged(self) -> int:
        """Wrong figures no issue of the parse warns of (`approximate` flags aside)."""
        return sum(not m.flagged and m.reason != "approximate" for m in self.mismatches)

    @property
    def table(self) -> Counts:
        return self.counts[TABLE]

    @property
    def text(self) -> Counts:
        return self.counts[TEXT]

    @property
    def meta_errors(self) -> dict[str, tuple[Any, Any]]:
        return {name: pair for name, pair in self.meta.items() if pair[0] != pair[1]}

    @property
    def template_ok(self) -> bool:
        return self.ok and not self.meta_errors

    @property
    def correct(self) -> bool:
        return self.template_ok and not self.mismatches


def same_value(expected: object, got: object) -> bool:
    """Equal printed numbers: None only equals None; numbers compare exactly up to float rounding noise."""
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, bool) or isinstance(got, bool):
        return False
    if isinstance(expected, int) and isinstance(got, int):
        return expected == got
    try:
        return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-12)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _key(v: Mapping[str, Any]) -> Key:
    return (v["metric"], v["applicant"], v["period"])


def score(result: ParseResult, truth: Mapping[str, Any]) -> DocScore:
    """Compare one parse with its truth."""
    expected: dict[Key, Mapping[str, Any]] = {}
    for v in truth.get("values") or ():
        if _key(v) in expected:
            raise ValueError(f"truth lists {_key(v)} twice")
        expected[_key(v)] = v
    emitted: dict[Key, Value] = {}
    tally = {kind: [0, 0, 0] for kind in KINDS}  # tp, fp, fn
    mismatches: list[Mismatch] = []

    def add(kind: str, i: int) -> None:
        tally[kind if kind in tally else TABLE][i] += 1

    for value in result.values if result.ok else ():
        if value.key in emitted:
            add(value.source.kind, 1)
            mismatches.append(Mismatch(value.key, "duplicate", expected.get(value.key), value))
            continue
        emitted[value.key] = value
    for key, exp in expected.items():
        src = exp.get("source", TABLE)
        got = emitted.get(key)
        if got is None:
            add(src, 2)
            mismatches.append(Mismatch(key, "missing", exp, None))
            continue
        if not same_value(exp["value"], got.value):
            reason = "value"
        elif bool(exp.get("approximate", False)) != bool(got.approximate):
            reason = "approximate"
        else:
            add(src, 0)
            continue
        add(src, 2)
        add(got.source.kind, 1)
        mismatches.append(Mismatch(key, reason, exp, got))
    for key, got in emitted.items():
        if key not in expected:
            add(got.source.kind, 1)
            mismatches.append(Mismatch(key, "extra", None, got))

    keys, rows = _flags(result)
    mismatches = [
        m if not (m.key in keys or (m.got is not None and m.got.source.row in rows))
        else Mismatch(m.key, m.reason, m.expected, m.got, True)
        for m in mismatches
    ]
    report = result.report if result.ok else None
    meta = {
        "report_year": (truth.get("report_year"), report.report_year if report else None),
        "format": (truth.get("format"), report.format if report else None),
        "section_formats": (
            truth.get("section_formats"),
            report.section_formats if report else None,
        ),
    }
    counts = {kind: Counts(*tally[kind]) for kind in KINDS}
    mismatches.sort(key=lambda m: (m.key[0], m.key[1] or "", m.key[2], m.reason))
    return DocScore(result.ok, result.error, counts, meta, tuple(mismatches))


def _flags(result: ParseResult) -> tuple[set[Key], set[str]]:
    """The value keys the parse's issues name, and the printed rows its `flat.*` issues are about."""
    keys: set[Key] = set()
    rows: set[str] = set()
    for issue in result.issues:
        details = issue.details or {}
        if "metric" in details:
            for applicant in details.get("applicants") or [details.get("applicant")]:
                keys.add((details["metric"], applicant, details.get("period") or "year"))
        if issue.check.startswith("flat.") and ": " in issue.message:
            rows.add(issue.message.split(": ", 1)[0])
    return keys, rows


# --- aggregation ----------------------------------------------------------------------------------------------


@dataclass
class Group:
    """Scores of the documents of one (input type, format), or a total."""

    input_type: str
    format: str
    docs: int = 0
    parsed: int = 0
    template_ok: int = 0
    failed: int = 0  # documents with any mismatch, a template error, or ok=False
    unflagged: int = 0  # wrong figures no issue warns of (DocScore.unflagged)
    table: Counts = field(default_factory=Counts)
    text: Counts = field(default_factory=Counts)

    def add(self, s: DocScore) -> None:
        self.docs += 1
        self.parsed += s.ok
        self.template_ok += s.template_ok
        self.failed += not s.correct
        self.unflagged += s.unflagged
        self.table += s.table
        self.text += s.text

    @property
    def template_accuracy(self) -> float | None:
        return self.template_ok / self.docs if self.docs else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input_type": self.input_type,
            "format": self.format,
            "docs": self.docs,
            "parsed": self.parsed,
            "failed": self.failed,
            "unflagged": self.unflagged,
            "template_ok": self.template_ok,
            "template_accuracy": self.template_accuracy,
            "table": self.table.to_dict(),
            "text": self.text.to_dict(),
        }


ALL = "all"


@dataclass
class Summary:
    groups: list[Group]  # per (input type, format), then per input type (format "all"), then the grand total

    def get(self, input_type: str, fmt: str = ALL) -> Group | None:
        return next((g for g in self.groups if g.input_type == input_type and g.format == fmt), None)

    @property
    def total(self) -> Group:
        g = self.get(ALL)
        assert g is not None
        return g

    def to_dict(self) -> dict[str, Any]:
        return {"groups": [g.to_dict() for g in self.groups]}


FORMAT_ORDER = ("2021", "2019", "2014", "local", "narrative")


def aggregate(scores: Iterable[tuple[str, str, DocScore]], input_order: Iterable[str] = ()) -> Summary:
    """`scores`: (input type, truth format, score) per document -> groups per (input type, format), subtotals
    per input type and a grand total (input type "all")."""
    cells: dict[tuple[str, str], Group] = {}
    per_type: dict[str, Group] = {}
    total = Group(ALL, ALL)
    for input_type, fmt, s in scores:
        cells.setdefault((input_type, fmt), Group(input_type, fmt)).add(s)
        per_type.setdefault(input_type, Group(input_type, ALL)).add(s)
        total.add(s)
    order = {t: i for i, t in enumerate(input_order)}

    def type_rank(t: str) -> tuple[int, str]:
        return (order.get(t, len(order)), t)

    def fmt_rank(f: str) -> tuple[int, str]:
        return (FORMAT_ORDER.index(f) if f in FORMAT_ORDER else len(FORMAT_ORDER), f)

    groups: list[Group] = []
    for t in sorted(per_type, key=type_rank):
        groups += [cells[k] for k in sorted((k for k in cells if k[0] == t), key=lambda k: fmt_rank(k[1]))]
        groups.append(per_type[t])
    groups.append(total)
    return Summary(groups)


def _pct(x: float | None) -> str:
    if x is None:
        return "—"
    return "100%" if x == 1 else f"{100 * x:.2f}%"


def format_table(summary: Summary) -> str:
    """A fixed-width text table: one line per (input type, format), a subtotal per input type, the total.

    Columns: documents; table values in the truth, table precision and recall; the same for narrative values;
    template-detection accuracy (report year, format and section formats all right); documents with any error;
    wrong figures no issue warns of."""
    head = ("input", "format", "docs", "tbl vals", "tbl P", "tbl R", "txt vals", "txt P", "txt R", "template", "failed",
            "unflagged")
    rows: list[tuple[tuple[str, ...], bool]] = []  # (cells, rule after)
    for g in summary.groups:
        subtotal = g.format == ALL and g.input_type != ALL
        fmt = "TOTAL" if g.input_type == ALL else "(all)" if subtotal else g.format
        cells = (
            g.input_type, fmt, str(g.docs),
            str(g.table.tp + g.table.fn), _pct(g.table.precision), _pct(g.table.recall),
            str(g.text.tp + g.text.fn), _pct(g.text.precision), _pct(g.text.recall),
            _pct(g.template_accuracy), str(g.failed), str(g.unflagged),
        )  # fmt: skip
        rows.append((cells, subtotal))
    widths = [max(len(r[i]) for r in [head, *(c for c, _ in rows)]) for i in range(len(head))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "-" * len(line(head))
    out = [line(head), rule]
    for cells, subtotal in rows:
        out.append(line(cells))
        if subtotal:
            out.append(rule)
    return "\n".join(out)
