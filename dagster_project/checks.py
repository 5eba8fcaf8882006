"""Asset checks on the parsed reports and on the cross-report findings (one check per warehouse/checks kind).

Severity policy: findings about the printed reports' own numbers or metadata are WARN (the report says what it
says; the warehouse keeps it and flags it); a broken pipeline invariant (duplicate fact keys) is ERROR.
Every check reports the numbers it looked at in its metadata.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg

import warehouse as sql
from dagster_project.assets import WAREHOUSE_SOURCE, cross_report_checks, dim_agency, parsed_reports, preview
from dagster_project.resources import Warehouse

BALANCE = "requests_balance"
UNIQUE_FACT_KEYS = "unique_fact_keys"
YEAR_AND_AGENCY = "report_year_and_agency"
SEASON = "report_season_complete"
SEASON_TZ = ZoneInfo("Asia/Shanghai")

SAMPLE_ROWS = 20
TOLERANCE = 1e-6

_BALANCE_COLUMNS = (
    "agency", "report_year", "applicant", "new", "carried_over", "result_total", "carried_forward", "difference", "url",
)  # fmt: skip

@dg.asset_check(
    asset=parsed_reports,
    name=BALANCE,
    description=(
        "Per report x applicant: requests.new + requests.carried_over = requests.result.total + "
        "requests.carried_forward, where all four are printed. WARN: the reports' own arithmetic."
    ),
)
def requests_balance(warehouse: Warehouse) -> dg.AssetCheckResult:
    rows = warehouse.query(sql.query("requests_balance"))
    failed = rows.filter(rows["difference"].abs() > TOLERANCE)
    return dg.AssetCheckResult(
        passed=failed.height == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "checked": rows.height,
            "checked_reports": rows["report_id"].n_unique(),
            "failed": failed.height,
            "failed_reports": failed["report_id"].n_unique(),
            "failures": preview(failed.select(*_BALANCE_COLUMNS), SAMPLE_ROWS),
        },
    )


@dg.asset_check(
    asset=parsed_reports,
    name=UNIQUE_FACT_KEYS,
    description="fact_disclosure has one row per (report_id, metric, applicant, period). ERROR: pipeline integrity.",
)
def unique_fact_keys(warehouse: Warehouse) -> dg.AssetCheckResult:
    duplicates = warehouse.query(sql.query("duplicate_fact_keys"))
    total = warehouse.query("select count(*) as n from fact_disclosure").item()
    return dg.AssetCheckResult(
        passed=duplicates.height == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows": int(total),
            "duplicate_keys": duplicates.height,
            "duplicate_rows": int(duplicates["n"].sum()) if duplicates.height else 0,
            "duplicates": preview(duplicates, SAMPLE_ROWS),
        },
    )


@dg.asset_check(
    asset=parsed_reports,
    name=YEAR_AND_AGENCY,
    description="Every readable report has a report_year and an agency. WARN: what the report prints.",
)
def report_year_and_agency(warehouse: Warehouse) -> dg.AssetCheckResult:
    missing = warehouse.query(sql.query("missing_year_or_agency"))
    counts = warehouse.query(
        "select count(*) filter (where parse_ok) as readable, count(*) filter (where not parse_ok) as unreadable "
        "from dim_report"
    ).row(0, named=True)
    return dg.AssetCheckResult(
        passed=missing.height == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
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
    """An asset check on `cross_report_checks`, named after the check_name ('.' -> '_'), that fails (WARN) when
    the check_name has findings; `checked_sql` counts what was compared."""

    @dg.asset_check(asset=cross_report_checks, name=check_name.replace(".", "_"), description=description)
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        findings = warehouse.query(sql.query("cross_findings"), [WAREHOUSE_SOURCE, check_name])
        return dg.AssetCheckResult(
            passed=findings.height == 0,
            severity=dg.AssetCheckSeverity.WARN,
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
    "applicant, where both are printed. WARN: the reports' own numbers (report_issue severity error).",
)  # fmt: skip
stock_flow = _cross_report_check(
    "stock_flow", _PAIRS_SQL,
    "Consecutive reports of an agency (checked = pairs): 现行有效 t = 现行有效 t-1 + 制发 t - 废止 t (2021 format); "
    "上一年项目数量 t = 上一年项目数量 t-1 + 本年增/减 t-1 (2019 format). WARN (report_issue severity error).",
)  # fmt: skip
copy_paste = _cross_report_check(
    "copy_paste", _PAIRS_SQL,
    "Consecutive reports of an agency (checked = pairs): the year's table figures are not all equal to the previous "
    "year's (>= 10 printed, >= 3 non-zero). WARN (report_issue severity warning).",
)  # fmt: skip
publication_late = _cross_report_check(
    "publication.late", _CURRENT_REPORTS_SQL,
    "Current readable reports (checked) published by 31 March of the year after the report year "
    "(dim_report.on_time). WARN (report_issue severity warning).",
)  # fmt: skip
publication_missing_year = _cross_report_check(
    "publication.missing_year", _CURRENT_REPORTS_SQL,
    "No year is missing between two years an agency published a report for (checked = current readable "
    "reports). WARN (report_issue severity warning).",
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
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "as_of": as_of.isoformat(),
            "due_year": due_year,
            "agencies_without_report": due.height,
            "missing": preview(due.select("agency", "due_year", "previous_year"), SAMPLE_ROWS),
        },
    )


@dg.asset_check(
    asset=dim_agency,
    name=SEASON,
    description=(
        "Report season: reports on year Y are due by 31 March of Y+1. From 1 April, every agency that published "
        "for Y-1 should have its report for Y in the warehouse. WARN, with the agencies still missing."
    ),
)
def report_season_complete(warehouse: Warehouse) -> dg.AssetCheckResult:
    return season_due(warehouse, datetime.now(SEASON_TZ).date())


CHECKS = [
    requests_balance, unique_fact_keys, report_year_and_agency,
    carry_over, stock_flow, copy_paste, publication_late, publication_missing_year, report_season_complete,
]  # fmt: skip
