"""Within-report checks: the templates' own arithmetic. Checks never change a printed number; they flag it."""

from __future__ import annotations

from etl.model import APPLICANTS, Issue, Value
from etl.templates import SEC3_RESULT_PARTS

Key = tuple[str, str | None, str]

# (check name, total metric, part metrics) for metrics printed once per report (and per period)
_SUMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("review.total_sum", "review.total", ("review.upheld", "review.corrected", "review.other", "review.pending")),
    ("litigation.direct.total_sum", "litigation.direct.total",
     tuple(f"litigation.direct.{s}" for s in ("upheld", "corrected", "other", "pending"))),
    ("litigation.after_review.total_sum", "litigation.after_review.total",
     tuple(f"litigation.after_review.{s}" for s in ("upheld", "corrected", "other", "pending"))),
    ("litigation.total_sum", "litigation.total", ("litigation.upheld", "litigation.corrected", "litigation.other")),
    ("requests.received_sum", "requests.received",
     tuple(f"requests.channel.{s}" for s in ("in_person", "fax", "online", "letter", "email", "other", "letter_fax"))),
    ("requests.completed_sum", "requests.completed", ("requests.completed_on_time", "requests.completed_extended")),
    ("requests.answered_sum", "requests.answered",
     tuple(f"requests.answer.{s}" for s in ("already_public", "disclosed", "partially_disclosed", "withheld",
                                             "not_this_agency", "not_exist", "correction_needed", "other_channel", "other"))),
    ("requests.withheld_sum", "requests.answer.withheld",
     tuple(f"requests.answer.withheld_{s}" for s in ("state_secret", "commercial_secret", "privacy",
                                                      "safety_stability", "not_gov_info", "other_law"))),
    ("org.staff_sum", "org.staff", ("org.staff_full_time", "org.staff_part_time")),
)


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def check_values(values: list[Value]) -> list[Issue]:
    table = {v.key: v.value for v in values if v.source.kind == "table"}
    issues: list[Issue] = []

    def get(metric: str, applicant: str | None = None, period: str = "year") -> float | None:
        return table.get((metric, applicant, period))

    # section 三, per applicant column
    for a in APPLICANTS:
        new, carried, total, forward = (get(m, a) for m in (
            "requests.new", "requests.carried_over", "requests.result.total", "requests.carried_forward"))
        if None not in (new, carried, total, forward) and not _close(new + carried, total + forward):  # type: ignore[operator]
            issues.append(Issue("requests.balance", "error",
                                f"{a}: 新收 {new} + 上年结转 {carried} != 总计 {total} + 结转下年度 {forward}", a,
                                {"new": new, "carried_over": carried, "total": total, "carried_forward": forward}))
        parts = [get(m, a) for m in SEC3_RESULT_PARTS]
        present = [p for p in parts if p is not None]
        if total is not None and present and not _close(sum(present), total):
            issues.append(Issue("requests.result_sum", "error",
                                f"{a}: results add up to {sum(present)}, （七）总计 printed {total}", a,
                                {"sum": sum(present), "total": total}))
    # section 三, applicant columns vs 总计 column, per row
    sec3_metrics = sorted({k[0] for k in table if k[1] == "total"})
    for m in sec3_metrics:
        cols = [get(m, a) for a in APPLICANTS[:-1]]
        total = get(m, "total")
        present = [c for c in cols if c is not None]
        if total is not None and present and not _close(sum(present), total):
            issues.append(Issue("requests.applicant_sum", "error",
                                f"{m}: applicant columns add up to {sum(present)}, 总计 column printed {total}", "total",
                                {"metric": m, "sum": sum(present), "total": total}))
    # totals of single-figure tables, per period
    periods = {k[2] for k in table}
    for name, total_metric, part_metrics in _SUMS:
        for period in periods:
            total = get(total_metric, None, period)
            parts = [get(p, None, period) for p in part_metrics]
            present = [p for p in parts if p is not None]
            if total is not None and present and not _close(sum(present), total):
                issues.append(Issue(name, "error",
                                    f"{total_metric} printed {total}, its parts add up to {sum(present)} ({period})",
                                    None, {"total": total, "sum": sum(present), "period": period}))
    return issues


def compare_narrative(table_values: dict[Key, Value], text_values: list[Value]) -> tuple[list[Value], list[Issue]]:
    """Table wins, also when its cell is printed blank (the contract: a blank cell is null). Text fills only a metric
    the tables do not print at all. Disagreements, and prose figures for blank cells, are issues."""
    keep: list[Value] = []
    issues: list[Issue] = []
    for t in text_values:
        same = table_values.get(t.key)
        if same is not None:
            if same.value is None:
                issues.append(Issue("narrative.blank_cell", "warning",
                                    f"{t.metric}: table cell printed blank ({same.source.row}), prose says {t.value} "
                                    f"({t.source.text!r}); blank kept", None, {"text": t.value, "table": None}))
            _mismatch(t, same, issues)
            continue
        keep.append(t)  # the tables do not print it: the prose figure stands
        if t.approximate:
            issues.append(Issue("narrative.approximate", "warning",
                                f"{t.metric}: prose gives an approximate figure ({t.source.text!r}); lower bound kept"))
        if t.metric == "requests.received":  # 2019/2021 tables print the same quantity as 本年新收 总计
            new = table_values.get(("requests.new", "total", "year"))
            carried = table_values.get(("requests.carried_over", "total", "year"))
            # prose often counts carried-over requests in: either reading agrees
            if new is not None and new.value is not None and not (
                carried is not None and carried.value is not None and t.value == new.value + carried.value
            ):
                _mismatch(t, new, issues)
    return keep, issues


def _mismatch(t: Value, table: Value, issues: list[Issue]) -> None:
    if t.value is None or table.value is None:
        return
    if t.approximate and t.value <= table.value:
        return
    if abs(float(table.value) - float(t.value)) > 1e-6:
        issues.append(Issue("narrative.mismatch", "warning",
                            f"{t.metric}: prose says {t.value} ({t.source.text!r}), table prints {table.value} "
                            f"({table.metric} / {table.source.row}); table kept",
                            None, {"text": t.value, "table": table.value, "table_metric": table.metric}))
