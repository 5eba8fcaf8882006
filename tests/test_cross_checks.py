"""Cross-report checks (warehouse/checks, asset `cross_report_checks`), v_publication_ledger and v_quality_scorecard
on a hand-built warehouse whose findings are computed by hand (each agency below plants one case, or a clean one),
then on a materialised demo warehouse, whose findings must be exactly what the demo generator planted."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

import warehouse
from portal import corpus as corpus_site
from portal.sites import planted
from dagster_project.assets import cross_report_checks
from dagster_project.checks import (
    CHECKS,
    season_due,
    season_year,
    carry_over,
    copy_paste,
    publication_late,
    publication_missing_year,
    stock_flow,
)
from dagster_project.resources import Warehouse, rebuild_crawl_state
from etl import frames
from etl.frames import PageInfo
from etl.model import Issue, ParseResult, Region, ReportMeta, Source, Value
from etl.regions import divisions

Figures = dict[tuple[str, str | None], float | None]

REGION = Region(province="浙江省", city="衢州市", county=None, code="330800")
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")  # fmt: skip
CROSS_CHECKS = [carry_over, stock_flow, copy_paste, publication_late, publication_missing_year]

CARRY = "衢州市商务局"  # carry-over: one break (total, 2022), clean natural_person; area report and old version ignored
STOCK21 = "衢州市司法局"  # 2021-format stock-flow: normative_doc clean, regulation broken in 2022
STOCK19 = "衢州市财政局"  # 2019-format stock-flow: licensing clean, punishment broken in 2020
COPY = "衢州市统计局"  # 2022 tables = 2021 tables (copy); 2023 differs in one figure (near copy)
QUIET = "衢州市档案局"  # two identical all-zero years: no copy finding
LATE = "衢州市教育局"  # 2021 published 31 March (on time), 2022 published 1 April (late)
GAP = "衢州市民政局"  # reports for 2020 and 2022: 2021 missing
FORMAT = "衢州市水利局"  # 2014 format then 2021 format: nothing comparable, no finding
REMOVED = "衢州市林业局"  # the 2023 report answers 404 in the second crawl run


def report(
    agency: str,
    year: int,
    figures: Figures,
    *,
    published_at: str | None = None,
    fmt: str = "2021",
    scope: str = "body",
    version: int = 1,
    issues: tuple[Issue, ...] = (),
) -> tuple[PageInfo, ParseResult]:
    """One readable report: every figure a table value of the report's year (published by default in January)."""
    url = f"http://portal/{hashlib.sha1(agency.encode()).hexdigest()[:8]}/{scope}/{year}.html"
    sha = hashlib.sha256(f"{url}#{version}".encode()).hexdigest()
    values = [
        Value(metric, applicant, "year", number, "件", False, Source("table", "表", metric, applicant, str(number)))
        for (metric, applicant), number in figures.items()
    ]
    meta = ReportMeta(
        title=f"{agency}{year}年政府信息公开工作年度报告",
        agency=agency,
        region=REGION,
        report_year=year,
        published_at=published_at or f"{year + 1}-01-15",
        format=fmt,
        scope=scope,
    )
    result = ParseResult(input=url, ok=True, report=meta, values=values, issues=list(issues))
    return PageInfo(url, sha, "demo", meta.title, None, f"2026-01-0{version}T00:00:00Z"), result


def carry(forward: dict[str, float | None] | None = None, over: dict[str, float | None] | None = None) -> Figures:
    return {
        **{("requests.carried_forward", a): v for a, v in (forward or {}).items()},
        **{("requests.carried_over", a): v for a, v in (over or {}).items()},
    }


def table(base: float) -> Figures:
    """14 table figures: requests.new and requests.result.total for every applicant."""
    return {
        (metric, applicant): base + i
        for metric in ("requests.new", "requests.result.total")
        for i, applicant in enumerate(APPLICANTS)
    }


def documents() -> list[tuple[PageInfo, ParseResult]]:
    near_copy = {**table(1), ("requests.new", "other_org"): 99.0}
    zeros = {key: 0.0 for key in table(0)}
    return [
        report(CARRY, 2021, carry(forward={"natural_person": 3, "total": 5, "other_org": 2})),
        report(CARRY, 2022, carry(over={"natural_person": 3, "total": 6}, forward={"natural_person": 4, "total": 4,
                                                                                  "other_org": 2})),  # fmt: skip
        report(CARRY, 2022, carry(over={"total": 100}), scope="area"),  # not compared with the body's 2021 report
        report(CARRY, 2023, carry(over={"natural_person": 4, "total": 4, "other_org": None}), version=2),  # blank
        report(CARRY, 2023, carry(over={"total": 99}), version=1),  # superseded version: not compared
        report(STOCK21, 2021, {("active.normative_doc.in_force", None): 10, ("active.regulation.in_force", None): 5}),
        report(STOCK21, 2022, {
            ("active.normative_doc.issued", None): 3, ("active.normative_doc.repealed", None): 1,
            ("active.normative_doc.in_force", None): 12,
            ("active.regulation.issued", None): 2, ("active.regulation.repealed", None): 0,
            ("active.regulation.in_force", None): 8,
        }),  # fmt: skip
        report(STOCK21, 2023, {
            ("active.normative_doc.issued", None): 1, ("active.normative_doc.repealed", None): None,
            ("active.normative_doc.in_force", None): 20,
        }),  # blank 废止: skipped  # fmt: skip
        report(STOCK19, 2019, {
            ("active.licensing.prior_items", None): 20, ("active.licensing.change", None): 2,
            ("active.punishment.prior_items", None): 5, ("active.punishment.change", None): -1,
        }, fmt="2019"),  # fmt: skip
        report(STOCK19, 2020, {
            ("active.licensing.prior_items", None): 22, ("active.punishment.prior_items", None): 5,
        }, fmt="2019"),  # fmt: skip
        report(COPY, 2021, table(1)),
        report(COPY, 2022, table(1)),
        report(COPY, 2023, near_copy),
        report(QUIET, 2021, zeros),
        report(QUIET, 2022, zeros),
        report(LATE, 2021, {}, published_at="2022-03-31"),
        report(LATE, 2022, {}, published_at="2023-04-01",
               issues=(Issue("requests.balance", "error", "12 != 13", "total", {"lhs": 12, "rhs": 13}),)),
        report(GAP, 2020, {}),
        report(GAP, 2022, {}),
        report(REMOVED, 2022, {}),
        report(REMOVED, 2023, {}),
        report(FORMAT, 2020, {("requests.received", "total"): 7, ("active.normative_doc.issued", None): 4}, fmt="2014"),
        report(FORMAT, 2021, {
            **carry(over={"total": 1}), ("active.normative_doc.issued", None): 4,
            ("active.normative_doc.repealed", None): 0, ("active.normative_doc.in_force", None): 30,
        }),  # fmt: skip
    ]


def crawl_runs(docs: list[tuple[PageInfo, ParseResult]]) -> list[dict[str, Any]]:
    """Two crawl runs of the site: each reads the list page and every report, except that REMOVED's 2023 report
    answers 404 in the second."""
    gone = report(REMOVED, 2023, {})[0].url
    return [
        {
            "run_id": run_id,
            "sites": ["demo"],
            "finished_at": "2026-01-01T00:00:00+00:00",
            "finish_reason": "finished",
            "seen": [{"site": "demo", "url": "http://portal/list.html", "kind": "list", "status": 200, "sha256": "1" * 64}]
            + [
                {"site": "demo", "url": page.url, "kind": "report", "sha256": page.sha256,
                 "status": 404 if (run_id, page.url) == ("run2", gone) else 200}  # fmt: skip
                for page, _ in docs
            ],
        }
        for run_id in ("run1", "run2")
    ]


def load(wh: Warehouse, docs: list[tuple[PageInfo, ParseResult]]) -> None:
    """Every table created (empty unless built here), the report and crawl frames loaded, the views created."""
    with wh.connect() as con:
        for ddl in warehouse.table_ddl().values():
            con.execute(ddl)
    reports = frames.report_frames(docs)
    dim_region = frames.region_frame(divisions())
    wh.replace_tables(
        {
            **frames.crawl_frames(crawl_runs(docs))._asdict(),
            **frames.dictionary_frames(),
            **reports._asdict(),
            "dim_region": dim_region,
            "dim_agency": frames.agency_frame(reports.dim_report, dim_region),
        }
    )
    with wh.connect() as con:  # the crawl state v_removed_report reads (load_crawl_history keeps it, not replace_tables)
        rebuild_crawl_state(con)
    wh.create_views()


def run_checks(wh: Warehouse) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        [cross_report_checks, *CROSS_CHECKS],
        resources={"warehouse": wh},
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    assert result.success
    return result


def findings(wh: Warehouse, exclude_site: str = "") -> list[dict[str, Any]]:
    """The warehouse's findings (those on reports of `exclude_site` left out), with their report's agency and year."""
    rows = wh.query(
        "select r.agency, r.report_year, r.scope, i.check_name, i.severity, i.applicant, i.message, i.details "
        "from report_issue as i join dim_report as r using (report_id) "
        "where i.source = 'warehouse' and r.site is distinct from $1 "
        "order by r.agency, r.report_year, i.check_name, i.applicant",
        [exclude_site],
    )
    return [{**row, "details": json.loads(row["details"])} for row in rows.iter_rows(named=True)]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, dg.ExecuteInProcessResult]:
    wh = Warehouse(path=str(tmp_path_factory.mktemp("cross") / "w.duckdb"))
    load(wh, documents())
    return wh, run_checks(wh)


def report_id(wh: Warehouse, agency: str, year: int, scope: str = "body") -> str:
    return wh.query(
        "select report_id from dim_report where agency = $1 and report_year = $2 and scope = $3 and is_current",
        [agency, year, scope],
    ).item()


def test_findings_are_exactly_the_planted_ones(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    wh, _ = checked
    got = {(f["agency"], f["report_year"], f["check_name"], f["severity"], f["applicant"]) for f in findings(wh)}
    assert got == {
        (CARRY, 2022, "carry_over", "error", "total"),
        (STOCK21, 2022, "stock_flow", "error", None),
        (STOCK19, 2020, "stock_flow", "error", None),
        (COPY, 2022, "copy_paste", "warning", None),
        (LATE, 2022, "publication.late", "warning", None),
        (GAP, 2022, "publication.missing_year", "warning", None),
    }
    assert len(findings(wh)) == len(got)


def test_finding_details_carry_the_numbers(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    wh, _ = checked
    by_check = {(f["agency"], f["check_name"]): f for f in findings(wh)}
    carried = by_check[CARRY, "carry_over"]
    assert carried["details"] == {
        "report_year": 2022, "carried_over": 6.0, "prev_report_id": report_id(wh, CARRY, 2021),
        "prev_report_year": 2021, "prev_carried_forward": 5.0, "difference": 1.0,
    }  # fmt: skip
    assert carried["message"] == "上年结转 2022 (total) = 6 but 结转下年度 2021 = 5 (difference 1)"
    regulation = by_check[STOCK21, "stock_flow"]["details"]
    assert (regulation["rule"], regulation["item"], regulation["printed"], regulation["expected"]) == (
        "2021", "regulation", 8.0, 7.0,
    )  # fmt: skip
    assert (regulation["prev_in_force"], regulation["issued"], regulation["repealed"]) == (5.0, 2.0, 0.0)
    assert by_check[STOCK21, "stock_flow"]["message"].startswith("规章: 现行有效 2022 = 8 but 现行有效 2021 + 制发 - 废止")
    punishment = by_check[STOCK19, "stock_flow"]["details"]
    assert (punishment["rule"], punishment["item"], punishment["printed"], punishment["expected"]) == (
        "2019", "punishment", 5.0, 4.0,
    )  # fmt: skip
    assert (punishment["prev_prior_items"], punishment["prev_change"], punishment["difference"]) == (5.0, -1.0, 1.0)
    assert by_check[COPY, "copy_paste"]["details"] == {
        "report_year": 2022, "prev_report_id": report_id(wh, COPY, 2021), "prev_report_year": 2021,
        "printed": 14, "nonzero": 14,
    }  # fmt: skip
    late = by_check[LATE, "publication.late"]
    assert late["details"] == {"report_year": 2022, "published_at": "2023-04-01", "deadline": "2023-03-31",
                               "days_late": 1}  # fmt: skip
    assert by_check[GAP, "publication.missing_year"]["details"] == {
        "missing_year": 2021, "prev_report_year": 2020, "report_year": 2022,
    }  # fmt: skip


def test_warehouse_findings_follow_the_parser_ones(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    wh, _ = checked
    rows = wh.query(
        "select ordinal, check_name, source from report_issue where report_id = $1 order by ordinal",
        [report_id(wh, LATE, 2022)],
    )
    assert rows.rows() == [(0, "requests.balance", "parser"), (1, "publication.late", "warehouse")]


def test_asset_checks_warn_with_counts(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    _, result = checked
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {
        "carry_over", "stock_flow", "copy_paste", "publication_late", "publication_missing_year",
    }  # fmt: skip
    assert all(not e.passed for e in evaluations.values())
    # the severity follows the findings': contradictory figures (error) make ERROR, suspicious ones (warning) WARN
    assert {name: e.severity for name, e in evaluations.items()} == {
        "carry_over": dg.AssetCheckSeverity.ERROR, "stock_flow": dg.AssetCheckSeverity.ERROR,
        "copy_paste": dg.AssetCheckSeverity.WARN, "publication_late": dg.AssetCheckSeverity.WARN,
        "publication_missing_year": dg.AssetCheckSeverity.WARN,
    }  # fmt: skip
    found = {name: e.metadata["findings"] for name, e in evaluations.items()}
    assert found == {name: dg.IntMetadataValue(n) for name, n in [
        ("carry_over", 1), ("stock_flow", 2), ("copy_paste", 1), ("publication_late", 1),
        ("publication_missing_year", 1),
    ]}  # fmt: skip
    # consecutive same-scope pairs: CARRY 21-22, 22-23; STOCK21 21-22, 22-23; STOCK19; COPY 21-22, 22-23; QUIET;
    # LATE; REMOVED; FORMAT
    assert evaluations["carry_over"].metadata["checked"] == dg.IntMetadataValue(11)
    assert "上年结转 2022 (total) = 6" in evaluations["carry_over"].metadata["findings_preview"].value


def test_rerun_gives_identical_report_issue(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    wh, _ = checked
    before = wh.query("select * from report_issue order by all").rows()
    run_checks(wh)
    assert wh.query("select * from report_issue order by all").rows() == before
    assert wh.query("select count(*) from report_issue where source = 'parser'").item() == 1


def test_publication_ledger(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    wh, _ = checked
    ledger = wh.query("select agency, report_year, status, reports, on_time from v_publication_ledger")
    by_key = {(r["agency"], r["report_year"]): r for r in ledger.iter_rows(named=True)}
    # every agency from its first report year to 2023, the latest report year in the warehouse
    assert [(y, by_key[GAP, y]["status"]) for y in range(2020, 2024)] == [
        (2020, "published"), (2021, "missing"), (2022, "published"), (2023, "missing"),
    ]  # fmt: skip
    assert [(by_key[LATE, y]["status"], by_key[LATE, y]["on_time"]) for y in (2021, 2022, 2023)] == [
        ("published", True), ("late", False), ("missing", None),
    ]  # fmt: skip
    assert by_key[CARRY, 2022]["reports"] == 2  # the body's own report and the area report
    assert (STOCK19, 2018) not in by_key and by_key[STOCK19, 2021]["status"] == "missing"
    assert [by_key[REMOVED, y]["status"] for y in (2022, 2023)] == ["published", "removed"]
    assert ledger.height == 5 * 3 + 5 + 2 * 4 + 2  # from 2021 x 3 years, from 2019 x 5, from 2020 x 4, from 2022 x 2


def test_quality_scorecard(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    wh, _ = checked
    card = wh.query("select * from v_quality_scorecard")
    by_key = {(r["agency"], r["report_year"], r["scope"]): r for r in card.iter_rows(named=True)}
    assert len(by_key) == card.height  # one row per agency x year x scope
    late = by_key[LATE, 2022, "body"]
    assert (late["late"], late["missing"], late["parser_errors"], late["warehouse_warnings"]) == (True, False, 1, 1)
    assert json.loads(late["issues_by_check"]) == {"publication.late": 1, "requests.balance": 1}
    carry_row = by_key[CARRY, 2022, "body"]
    assert (carry_row["carry_over"], carry_row["warehouse_errors"], carry_row["late"], carry_row["reports"]) == (
        1, 1, False, 1)  # fmt: skip
    # the area report of the same agency and year is its own row: its findings never mix with the body's
    area = by_key[CARRY, 2022, "area"]
    assert (area["reports"], area["missing"], area["carry_over"], area["status"]) == (1, False, 0, "published")
    assert by_key[CARRY, 2021, "area"]["missing"] is True  # the agency's area report exists for 2022 only
    assert by_key[STOCK19, 2020, "body"]["stock_flow"] == 1 and by_key[COPY, 2022, "body"]["copy_paste"] == 1
    assert (by_key[GAP, 2021, "body"]["missing"], by_key[GAP, 2021, "body"]["reports"]) == (True, 0)
    assert by_key[GAP, 2022, "body"]["missing_years_before"] == 1
    assert json.loads(by_key[QUIET, 2022, "body"]["issues_by_check"]) == {}
    ledger_with_scopes = wh.query(
        "select count(*) from v_publication_ledger as l join (select distinct agency_id, scope from dim_report "
        "where is_current and parse_ok and report_year is not null) as s using (agency_id)"
    ).item()
    assert card.height == ledger_with_scopes


def test_report_issue_view_has_agency_year_and_scope(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    wh, _ = checked
    assert wh.query("select count(*) from v_report_issue").item() == wh.query("select count(*) from report_issue").item()
    late = wh.query(
        "select source, check_name, severity, scope, is_current from v_report_issue "
        "where agency = ? and report_year = 2022 order by ordinal", [LATE]
    ).rows()
    assert late == [("parser", "requests.balance", "error", "body", True),
                    ("warehouse", "publication.late", "warning", "body", True)]  # fmt: skip
    carry = wh.query("select scope, check_name from v_report_issue where agency = ? and source = 'warehouse'", [CARRY])
    assert carry.rows() == [("body", "carry_over")]


def test_views_are_created_after_the_views_they_read() -> None:
    order = list(warehouse.views())
    assert order.index("v_removed_report") < order.index("v_publication_ledger") < order.index("v_quality_scorecard")
    assert list(warehouse.checks()) == ["carry_over", "copy_paste", "publication_late", "publication_missing_year",
                                        "stock_flow"]  # fmt: skip


def test_views_and_their_columns_are_commented(checked: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    wh, _ = checked
    mine = ["v_publication_ledger", "v_quality_scorecard", "v_report_pair", "v_report_issue"]
    with wh.connect() as con:
        views = dict(con.execute("select view_name, comment from duckdb_views() where list_contains(?, view_name)",
                                 [mine]).fetchall())  # fmt: skip
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() where list_contains(?, table_name)", [mine]
        ).fetchall()
    assert set(views) == set(mine) and all(views.values())
    assert len(columns) > 30
    assert [(t, c) for t, c, comment in columns if not comment] == []


# --- the demo portal: the findings on its generated sites are exactly what its generator planted ---------------

PLANTED_CHECK = {"carry_over": "carry_over", "stock_flow": "stock_flow", "copy_paste": "copy_paste",
                 "late": "publication.late", "missing_year": "publication.missing_year"}  # fmt: skip


def planted_key(entry: dict[str, Any]) -> tuple[str, str, int, str | None]:
    """(check_name, agency, year, applicant or stock item) of a `planted` entry; year is the missing one for gaps."""
    details = entry["details"]
    extra = details.get("applicant") if entry["kind"] == "carry_over" else None
    if entry["kind"] == "stock_flow":
        extra = details["metric"].split(".")[1]
    return PLANTED_CHECK[entry["kind"]], entry["agency"], entry["report_year"], extra


def finding_key(finding: dict[str, Any]) -> tuple[str, str, int, str | None]:
    details = finding["details"]
    year = details.get("missing_year", finding["report_year"])
    return finding["check_name"], finding["agency"], year, finding["applicant"] or details.get("item")


@pytest.fixture(scope="module")
def demo(demo_warehouse: Warehouse) -> Warehouse:
    """The session's demo warehouse (tests/conftest.py)."""
    return demo_warehouse


def test_demo_findings_equal_the_planted_ones(demo: Warehouse) -> None:
    generated = findings(demo, exclude_site=corpus_site.SITE["name"])  # real pages: nothing is known of them
    expected = [e for e in planted() if e["kind"] in PLANTED_CHECK]
    assert sorted(map(finding_key, generated)) == sorted(map(planted_key, expected))
    assert {e["kind"] for e in expected} == set(PLANTED_CHECK)  # every kind is planted at least once


def test_demo_ledger_marks_the_planted_publication_faults(demo: Warehouse) -> None:
    ledger = demo.query("select agency, report_year, status from v_publication_ledger")
    status = {(r["agency"], r["report_year"]): r["status"] for r in ledger.iter_rows(named=True)}
    expected = {"late": "late", "missing_year": "missing", "removed": "removed"}
    faults = [e for e in planted() if e["kind"] in expected]
    assert {e["kind"] for e in faults} == set(expected)
    for entry in faults:
        assert status[entry["agency"], entry["report_year"]] == expected[entry["kind"]], entry


def test_report_season_lists_agencies_still_missing_their_report(demo: Warehouse) -> None:
    """Reports on year Y are due by 31 March of Y+1; from 1 April the season check names who is missing. The demo's
    泰州 site (tzspj) publishes up to 2022 only; the other agencies publish up to 2024."""
    assert [season_year(d) for d in (date(2024, 3, 31), date(2024, 4, 1), date(2025, 4, 1))] == [2022, 2023, 2024]
    before = season_due(demo, date(2024, 3, 31))
    after = season_due(demo, date(2024, 4, 1))
    assert before.passed and before.metadata["due_year"].value == 2022
    assert not after.passed and after.metadata["findings"].value == 1
    assert after.severity == dg.AssetCheckSeverity.WARN  # an absence: a warning
    assert "泰州市行政审批局" in after.metadata["missing"].value
    assert season_due(demo, date(2025, 4, 1)).passed  # everyone who published for 2023 also did for 2024
