"""Asset checks on the parsed reports and on the cross-report findings (one check per warehouse/checks kind).

Severity policy, the same words in `report_issue.severity`, the Dagster check results and the `ogi` command:

- a finding is an `error` when the report's figures cannot all be true (a total that is not the sum of its parts,
  a balance that does not hold, a carry-over or a stock that does not follow from the previous year's report) or
  the report cannot be placed (no year, no agency); it is a `warning` when it is suspicious but possibly true (two
  years with identical tables, a late publication, a year without a report, prose that disagrees with a table).
  The warehouse keeps the printed figures either way and flags them.
- a data check's Dagster severity is computed per evaluation from its findings: ERROR when any finding is an
  `error`, WARN when all are `warning`s (`finding_severity`).
- pipeline checks (`PIPELINE_CHECKS`, definition metadata `ogi/check_kind = pipeline`) test an invariant of the
  pipeline itself (one fact row per key); they are ERROR and the only checks that make `ogi run`/`ogi demo` exit 1.
  A data finding never does: it is about the reports, and the run that found it did its job.

Every check's metadata has `findings` (the number of findings; 0 when it passed) and the numbers it looked at.
"""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import polars as pl

import warehouse as sql
from dagster_project.assets import WAREHOUSE_SOURCE, cross_report_checks, dim_agency, parsed_reports, preview
from dagster_project.resources import Warehouse, transaction

BALANCE = "requests_balance"
UNIQUE_FACT_KEYS = "unique_fact_keys"
YEAR_AND_AGENCY = "report_year_and_agency"
SEASON = "report_season_complete"
SEASON_TZ = ZoneInfo("Asia/Shanghai")

PIPELINE_CHECKS = frozenset({UNIQUE_FACT_KEYS})  # the rest are data checks
PIPELINE = {"ogi/check_kind": "pipeline"}
DATA = {"ogi/check_kind": "data"}

SAMPLE_ROWS = 20
TOLERANCE = 1e-6

def finding_severity(severities: Iterable[str | None]) -> dg.AssetCheckSeverity:
    """A data check's severity for one evaluation: ERROR when any finding is an `error`, else WARN (all `warning`s,
    or no finding)."""
    return dg.AssetCheckSeverity.ERROR if "error" in set(severities) else dg.AssetCheckSeverity.WARN


_BALANCE_COLUMNS = (
    "agency", "report_year", "applicant", "new", "carried_over", "result_total", "carried_forward", "difference", "url",
)  # fmt: skip

@dg.asset_check(
    asset=parsed_reports,
    name=BALANCE,
    metadata=DATA,
    description=(
        "Per report x applicant: 新收 + 上年结转 = 办理结果总计 + 结转下年度 (requests.new + requests.carried_over = "
        "requests.result.total + requests.carried_forward), where all four are printed. A finding (an `error`, the "
        "parser's requests.balance) is a section 三 table whose figures cannot all be true: the report misprints "
        "one of them. Look at the report's section 三 (`failures` names it); the warehouse keeps the printed figures, "
        "so sums over that report x applicant are off by `difference`."
    ),
)
def requests_balance(warehouse: Warehouse) -> dg.AssetCheckResult:
    rows = warehouse.query(sql.query("requests_balance"))
    failed = rows.filter(rows["difference"].abs() > TOLERANCE)
    return dg.AssetCheckResult(
        passed=failed.height == 0,
        severity=finding_severity(["error"] * failed.height),  # each imbalance is an error
        metadata={
            "findings": failed.height,
            "checked": rows.height,
            "checked_reports": rows["report_id"].n_unique(),
            "reports": failed["report_id"].n_unique(),
            "failures": preview(failed.select(*_BALANCE_COLUMNS), SAMPLE_ROWS),
        },
    )


@dg.asset_check(
    asset=parsed_reports,
    name=UNIQUE_FACT_KEYS,
    metadata=PIPELINE,
    description=(
        "Pipeline check: fact_disclosure has one row per (report_id, metric, applicant, period). A finding (ERROR; "
        "`ogi run`/`ogi demo` exit 1) is a bug in the parser's frames or the load, never in a report: the "
        "duplicated keys are in `duplicates`; file a bug with them and do not use the run's sums."
    ),
)
def unique_fact_keys(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:  # a fact table found without duplicates is not searched again unchanged
        facts = warehouse.fingerprint(con, {"fact_disclosure": ""}, sql.query("duplicate_fact_keys"))
        clean = warehouse.load_mark(con, UNIQUE_FACT_KEYS)
    if clean is not None and clean.startswith(f"{facts}:"):
        return dg.AssetCheckResult(passed=True, severity=dg.AssetCheckSeverity.ERROR, metadata={
            "findings": 0, "rows": int(clean.rsplit(":", 1)[1]), "duplicate_rows": 0,
            "duplicates": preview(pl.DataFrame(), SAMPLE_ROWS), "kept": True})  # fmt: skip
    duplicates = warehouse.query(sql.query("duplicate_fact_keys"))
    total = warehouse.query("select count(*) as n from fact_disclosure").item()
    if duplicates.height == 0:
        with warehouse.connect() as con, transaction(con):
            warehouse.set_load_mark(con, UNIQUE_FACT_KEYS, f"{facts}:{total}")
    return dg.AssetCheckResult(
        passed=duplicates.height == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "findings": duplicates.height,  # duplicated keys
            "rows": int(total),
            "duplicate_rows": int(duplicates["n"].sum()) if duplicates.height else 0,
            "duplicates": preview(duplicates, SAMPLE_ROWS),
            "kept": False,
        },
    )


@dg.asset_check(
    asset=parsed_reports,
    name=YEAR_AND_AGENCY,
    metadata=DATA,
    description=(
        "Every readable report has a report_year and an agency. A finding (an `error`, the parser's meta.year or "
        "meta.agency) is a report the warehouse cannot place: its figures are in fact_disclosure but in no "
        "agency's or year's row of the views. Open the report (`missing` lists its URL) and add the agency to its "
        "site entry (`agency`), or report a parser bug if the report prints them."
    ),
)
def report_year_and_agency(warehouse: Warehouse) -> dg.AssetCheckResult:
    missing = warehouse.query(sql.query("missing_year_or_agency"))
    counts = warehouse.query(
        "select count(*) filter (where parse_ok) as readable, count(*) filter (where not parse_ok) as unreadable "
        "from dim_report"
    ).row(0, named=True)
    return dg.AssetCheckResult(
        passed=missing.height == 0,
        severity=finding_severity(["error"] * missing.height),  # an unplaceable report is an error
        metadata={
            "findings": missing.height,
            "readable_reports": int(counts["readable"]),
            "unreadable_reports": int(counts["unreadable"]),
            "missing_year": int(missing["report_year"].null_count()),
            "missing_agency": int(missing["agency"].null_count()),
            "missing": preview(missing, SAMPLE_ROWS),
        },
    )


_PAIRS_SQL = "select count(*) from v_report_pair"
_CURRENT_REPORTS_SQL = "select count(*) from dim_report where is_current and parse_ok"


def _cross_report_check(check_name: str, checked_sql: str, description: str) -> dg.AssetChecksDefinition:
    """An asset check on `cross_report_checks`, named after the check_name ('.' -> '_'), that fails when the
    check_name has findings, ERROR when one of them is an `error` (report_issue.severity), else WARN;
    `checked_sql` counts what was compared."""

    @dg.asset_check(asset=cross_report_checks, name=check_name.replace(".", "_"), description=description,
                    metadata=DATA)  # fmt: skip
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        findings = warehouse.query(sql.query("cross_findings"), [WAREHOUSE_SOURCE, check_name])
        return dg.AssetCheckResult(
            passed=findings.height == 0,
            severity=finding_severity(findings["severity"]),
            metadata={
                "check_name": check_name,
                "checked": int(warehouse.query(checked_sql).item()),
                "findings": findings.height,
                "reports": findings["report_id"].n_unique(),
                "agencies": findings["agency"].n_unique(),
                "findings_preview": preview(findings.drop("report_id"), SAMPLE_ROWS),
            },
        )

    return _check


carry_over = _cross_report_check(
    "carry_over", _PAIRS_SQL,
    "Consecutive reports of an agency (checked = pairs): 上年结转 of year t = 结转下年度 of year t-1, per "
    "applicant, where both are printed. A finding (an `error`: ERROR) is last year's 结转下年度 differing from "
    "this year's 上年结转 for an applicant: one of the two reports misprints a figure. Compare the two reports' "
    "section 三 tables (v_report_issue lists the later one, `details.prev_report_id` the earlier).",
)  # fmt: skip
stock_flow = _cross_report_check(
    "stock_flow", _PAIRS_SQL,
    "Consecutive reports of an agency (checked = pairs): 现行有效 t = 现行有效 t-1 + 制发 t - 废止 t (2021 format); "
    "上一年项目数量 t = 上一年项目数量 t-1 + 本年增/减 t-1 (2019 format). A finding (an `error`: ERROR) is a stock "
    "that does not follow from last year's stock and this year's flows: one of the two reports misprints a figure "
    "of section 二. Compare the two reports' section 二 tables (`details` has every term).",
)  # fmt: skip
copy_paste = _cross_report_check(
    "copy_paste", _PAIRS_SQL,
    "Consecutive reports of an agency (checked = pairs): the year's table figures are not all equal to the previous "
    "year's (>= 10 printed, >= 3 non-zero). A finding (a `warning`: WARN) is a year whose tables repeat last "
    "year's: possible, but usually last year's table republished. Compare the two reports before using the year.",
)  # fmt: skip
publication_late = _cross_report_check(
    "publication.late", _CURRENT_REPORTS_SQL,
    "Current readable reports (checked) published by 31 March of the year after the report year "
    "(dim_report.on_time). A finding (a `warning`: WARN) is a late publication: the figures are fine; "
    "v_publication_ledger shows each agency's record.",
)  # fmt: skip
publication_missing_year = _cross_report_check(
    "publication.missing_year", _CURRENT_REPORTS_SQL,
    "No year is missing between two years an agency published a report for (checked = current readable "
    "reports). A finding (a `warning`: WARN) is a year without a report: unpublished, removed, or not linked from "
    "the crawled list; look for it on the agency's site and add its column to the site entry if it is elsewhere.",
)  # fmt: skip


def season_year(as_of: date) -> int:
    """The latest report year whose deadline (31 March of the next year) has passed on `as_of`."""
    return as_of.year - 1 if as_of >= date(as_of.year, 4, 1) else as_of.year - 2


def season_due(warehouse: Warehouse, as_of: date) -> dg.AssetCheckResult:
    """The report-season check as of a date (see warehouse/season_due.sql)."""
    due_year = season_year(as_of)
    due = warehouse.query(sql.query("season_due"), params={"due_year": due_year})
    return dg.AssetCheckResult(
        passed=due.height == 0,
        severity=finding_severity(["warning"] * due.height),  # an absence: a warning
        metadata={
            "findings": due.height,  # agencies without their report for due_year
            "as_of": as_of.isoformat(),
            "due_year": due_year,
            "missing": preview(due.select("agency", "due_year", "previous_year"), SAMPLE_ROWS),
        },
    )


@dg.asset_check(
    asset=dim_agency,
    name=SEASON,
    metadata=DATA,
    description=(
        "Report season: reports on year Y are due by 31 March of Y+1. From 1 April, every agency that published "
        "for Y-1 should have its report for Y in the warehouse. A finding (a `warning`: WARN) is an agency still "
        "missing (`missing`): crawl its site again (`ogi run --site NAME`); if the site has no report yet, the "
        "agency is late."
    ),
)
def report_season_complete(warehouse: Warehouse) -> dg.AssetCheckResult:
    return season_due(warehouse, datetime.now(SEASON_TZ).date())


CHECKS = [
    requests_balance, unique_fact_keys, report_year_and_agency,
    carry_over, stock_flow, copy_paste, publication_late, publication_missing_year, report_season_complete,
]  # fmt: skip
