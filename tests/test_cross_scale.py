"""No quadratic SQL: one agency holding hundreds of reports (many sites sharing the agency's name over ten years)
gets at most one v_report_pair row per report, and the cross-report checks find exactly the cases planted among
them (a real DuckDB file built through the project's load path, the checks run by the Dagster asset).

Pair rule (warehouse/views/v_report_pair.sql): a report of year t is compared with the same site's report of year
t-1 (its picked one if the site has several), else with the agency's picked report of year t-1 and the same scope;
picked = most mapped values, then latest published, then smallest report_id. Timing belongs in
bench/cross_checks.py; the checks' time is only printed here."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
from test_cross_checks import REGION, findings, load, run_checks

from dagster_project.resources import Warehouse
from etl.frames import PageInfo
from etl.model import ParseResult, ReportMeta, Source, Value

AGENCY = "衢州市人民政府办公室"
YEARS = range(2014, 2024)
SITES = 30  # s00 .. s29, every one publishing under AGENCY
CARRY_SITE, COPY_SITE, STOCK_SITE, DUP_SITE, PICKED_SITE, LATE_SITE = 0, 1, 2, 3, 7, 29
LATE_START = 2019  # LATE_SITE publishes from 2019: its first report falls back to the agency's 2018 report
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")  # fmt: skip

Figures = dict[tuple[str, str | None], float | None]


def forward(site: int, year: int, i: int) -> float:
    """requests.carried_forward of a site's report (applicant number i): differs from site to site."""
    return float((site * 7 + year * 3 + i) % 11)


def in_force(year: int, k: int) -> float:
    return 10.0 + k + sum(y % 3 + k - y % 2 for y in range(YEARS[0], year + 1))


def figures(site: int, year: int) -> Figures:
    """A site's figures, consistent with its own previous year: carry-over per applicant, 2021-format stock-flow
    for two items, and table figures that change every year."""
    out: Figures = {}
    for i, applicant in enumerate(APPLICANTS):
        out["requests.carried_over", applicant] = forward(site, year - 1, i)
        out["requests.carried_forward", applicant] = forward(site, year, i)
        out["requests.new", applicant] = float(site + year + i)
        out["requests.result.total", applicant] = float(site * 2 + year + i)
    for k, item in enumerate(("normative_doc", "regulation")):
        out[f"active.{item}.issued", None] = float(year % 3 + k)
        out[f"active.{item}.repealed", None] = float(year % 2)
        out[f"active.{item}.in_force", None] = in_force(year, k)
    return out


def copy_figures(year: int) -> Figures:
    """COPY_SITE prints table figures only; its 2020 tables repeat 2019's."""
    year = 2019 if year == 2020 else year
    return {(m, a): float(year - 2000 + i + j) for j, m in enumerate(("requests.new", "requests.result.total"))
            for i, a in enumerate(APPLICANTS)}  # fmt: skip


def page(site: int, year: int, values: Figures, *, name: str = "", published_at: str | None = None,
         scope: str = "body") -> tuple[PageInfo, ParseResult]:  # fmt: skip
    url = f"http://s{site:02d}.example/{scope}/{year}{name}.html"
    vals = [
        Value(metric, applicant, "year", number, "件", False, Source("table", "表", metric, applicant, str(number)))
        for (metric, applicant), number in values.items()
    ]
    meta = ReportMeta(
        title=f"{AGENCY}{year}年政府信息公开工作年度报告", agency=AGENCY, region=REGION, report_year=year,
        published_at=published_at or f"{year + 1}-01-15", format="2021", scope=scope,
    )  # fmt: skip
    info = PageInfo(url, hashlib.sha256(url.encode()).hexdigest(), f"s{site:02d}", meta.title, None,
                    "2026-01-01T00:00:00Z")  # fmt: skip
    return info, ParseResult(input=url, ok=True, report=meta, values=vals, issues=[])


def documents() -> list[tuple[PageInfo, ParseResult]]:
    docs = []
    for site in range(SITES):
        for year in YEARS:
            if site == LATE_SITE and year < LATE_START:
                continue
            values = copy_figures(year) if site == COPY_SITE else figures(site, year)
            published = None
            if site == CARRY_SITE and year == 2018:
                values["requests.carried_over", "total"] = values["requests.carried_over", "total"] + 1
            if site == STOCK_SITE and year == 2021:
                values["active.normative_doc.issued", None] = values["active.normative_doc.issued", None] + 1
            if site == DUP_SITE and year == 2020:
                values["requests.carried_forward", "total"] = values["requests.carried_forward", "total"] + 5
            if site == PICKED_SITE and year == LATE_START - 1:
                published = f"{year + 1}-03-01"  # published latest: the agency's picked report of 2018
            if site == LATE_SITE and year == LATE_START:  # carried over from PICKED_SITE's 2018, total off by 2
                for i, applicant in enumerate(APPLICANTS):
                    values["requests.carried_over", applicant] = forward(PICKED_SITE, year - 1, i)
                values["requests.carried_over", "total"] = values["requests.carried_over", "total"] + 2
            docs.append(page(site, year, values, published_at=published))
    # DUP_SITE has a second 2020 report with one more figure (the site's pick, whose carry-forward the 2021 report
    # matches); the first one's total does not match (it would give a finding if it were compared with 2021)
    dup = figures(DUP_SITE, 2020)
    docs.append(page(DUP_SITE, 2020, {**dup, ("requests.result.disclosed", "total"): 1.0}, name="-full"))
    # an area report pair of CARRY_SITE: compared with each other, never with the body's reports
    docs.append(page(CARRY_SITE, 2020, figures(CARRY_SITE, 2020), scope="area"))
    docs.append(page(CARRY_SITE, 2021, figures(CARRY_SITE, 2021), scope="area"))
    return docs


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = Warehouse(path=str(tmp_path_factory.mktemp("scale") / "w.duckdb"))
    load(wh, documents())
    start = time.perf_counter()
    run_checks(wh)
    print(f"\ncross_report_checks on {wh.query('select count(*) from dim_report').item()} reports of one agency: "
          f"{time.perf_counter() - start:.2f} s")  # fmt: skip
    return wh


def url_of(wh: Warehouse, report_id: str) -> str:
    return wh.query("select url from dim_report where report_id = $1", [report_id]).item()


def test_one_agency_holds_hundreds_of_reports(many: Warehouse) -> None:
    counts = many.query(
        "select count(*) as reports, count(distinct agency_id) as agencies, count(distinct site) as sites "
        "from dim_report where is_current and parse_ok"
    ).row(0, named=True)
    assert counts == {"reports": 29 * 10 + 5 + 1 + 2, "agencies": 1, "sites": SITES}


def test_at_most_one_pair_per_report(many: Warehouse) -> None:
    pairs = many.query("select * from v_report_pair")
    reports = many.query("select count(*) from dim_report where is_current and parse_ok").item()
    assert pairs.height <= reports
    assert pairs["report_id"].n_unique() == pairs.height
    # every report whose agency has a report of its scope the year before has one pair: the body reports after
    # 2014 (29 sites x 9 years, LATE_SITE's 5, DUP_SITE's second 2020) and the area report of 2021
    assert pairs.height == 29 * 9 + 5 + 1 + 1
    assert set(pairs["prev_report_year"] - pairs["report_year"]) == {-1}


def test_pairs_follow_the_site_then_the_agency_pick(many: Warehouse) -> None:
    rows = many.query(
        "select p.prev_match, p.scope, c.url as url, c.site as site, r.url as prev_url, r.site as prev_site "
        "from v_report_pair as p join dim_report as c using (report_id) "
        "join dim_report as r on r.report_id = p.prev_report_id"
    )
    by_url: dict[str, dict[str, Any]] = {r["url"]: r for r in rows.iter_rows(named=True)}
    agency = [r for r in by_url.values() if r["prev_match"] == "agency"]
    assert [(r["url"], r["prev_url"]) for r in agency] == [
        (page(LATE_SITE, LATE_START, {})[0].url, page(PICKED_SITE, LATE_START - 1, {})[0].url)
    ]
    assert all(r["site"] == r["prev_site"] for r in by_url.values() if r["prev_match"] == "site")
    full = page(DUP_SITE, 2020, {}, name="-full")[0].url
    assert by_url[page(DUP_SITE, 2021, {})[0].url]["prev_url"] == full  # the site's pick: more figures
    assert by_url[full]["prev_url"] == by_url[page(DUP_SITE, 2020, {})[0].url]["prev_url"]  # both 2020s have 2019
    area = [r for r in by_url.values() if r["scope"] == "area"]
    assert [(r["url"], r["prev_url"]) for r in area] == [
        (page(CARRY_SITE, 2021, {}, scope="area")[0].url, page(CARRY_SITE, 2020, {}, scope="area")[0].url)
    ]


def test_checks_find_exactly_the_planted_cases(many: Warehouse) -> None:
    got = sorted((url_of(many, f["details"].get("prev_report_id")) if f["details"].get("prev_report_id") else None,
                  f["report_year"], f["check_name"], f["applicant"] or f["details"].get("item"))
                 for f in findings(many))  # fmt: skip
    assert got == sorted([
        (page(CARRY_SITE, 2017, {})[0].url, 2018, "carry_over", "total"),
        (page(COPY_SITE, 2019, {})[0].url, 2020, "copy_paste", None),
        (page(STOCK_SITE, 2020, {})[0].url, 2021, "stock_flow", "normative_doc"),
        (page(PICKED_SITE, LATE_START - 1, {})[0].url, LATE_START, "carry_over", "total"),
    ])  # fmt: skip
    late = next(f for f in findings(many) if f["report_year"] == LATE_START)
    assert (late["details"]["carried_over"], late["details"]["prev_carried_forward"]) == (
        forward(PICKED_SITE, LATE_START - 1, 6) + 2, forward(PICKED_SITE, LATE_START - 1, 6),
    )  # fmt: skip
