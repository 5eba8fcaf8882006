"""The analyst views (v_crosswalk, v_harmonized, v_agency_year, v_rates, v_refusal_reasons): hand-computed outputs
over a small warehouse built from constructed ParseResults (one report per format: 2014, 2019, 2021, local,
narrative), documentation of every view and column, the crosswalk against the catalog and CROSSWALK.md, and
invariants over a materialised demo warehouse."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from test_warehouse import load

import warehouse
from dagster_project.resources import Warehouse
from etl.catalog import metrics
from etl.frames import PageInfo
from etl.model import ParseResult, Region, ReportMeta, Source, Value

REPO = Path(__file__).resolve().parent.parent
REGION = Region(province="浙江省", city="衢州市", county=None, code="330800")
FORMATS = {"2021", "2019", "2014", "local", "narrative"}
SERIES = {
    "requests", "carried_over", "handled", "disclosed", "partially_disclosed", "withheld", "unavailable",
    "not_processed", "other_handled", "already_public", "review_total", "review_corrected", "litigation_total",
    "litigation_corrected", "proactive_total", "info_fees", "request_fees",
}  # fmt: skip
MY_VIEWS = ("v_crosswalk", "v_harmonized", "v_agency_year", "v_rates", "v_refusal_reasons")

# (metric, applicant, value[, "cumulative" | "text" | "approx"]) -> one fact; applicant None when not by applicant
Fig = tuple[Any, ...]


def _value(metric: str, applicant: str | None, number: float | None, *how: str) -> Value:
    period = "cumulative" if "cumulative" in how else "year"
    kind = "text" if {"text", "approx"} & set(how) else "table"
    source = Source(kind, None, metric, applicant, str(number))
    return Value(metric, applicant, period, number, metrics()[metric].unit, "approx" in how, source)


def _report(
    url: str, agency: str, year: int, fmt: str, figures: list[Fig], *, scope: str = "body",
    fetched: str = "2026-01-02T00:00:00Z",
) -> tuple[PageInfo, ParseResult]:  # fmt: skip
    """A readable report page of `agency` for `year` in format `fmt` with the given figures (no cells, no issues)."""
    values = [_value(*f) for f in figures]
    meta = ReportMeta(title=f"{agency}{year}年政府信息公开工作年度报告", agency=agency, region=REGION,
                      report_year=year, published_at=f"{year + 1}-01-20", format=fmt, scope=scope)  # fmt: skip
    sha = hashlib.sha256(f"{url} {fetched}".encode()).hexdigest()
    page = PageInfo(url, sha, "demo", meta.title, None, fetched)
    return page, ParseResult(input=url, ok=True, report=meta, values=values)


GOV_2014 = [
    ("requests.received", None, 20), ("requests.answered", None, 18), ("requests.answer.already_public", None, 2),
    ("requests.answer.disclosed", None, 10), ("requests.answer.partially_disclosed", None, 3),
    ("requests.answer.withheld", None, 2), ("requests.answer.withheld_state_secret", None, 1),
    ("requests.answer.withheld_privacy", None, 1), ("requests.answer.not_this_agency", None, 2),
    ("requests.answer.not_exist", None, 1), ("review.total", None, 2), ("review.corrected", None, 1),
    ("litigation.total", None, 1), ("litigation.corrected", None, 0), ("active.total", None, 500),
    ("fees.request_fees", None, 0.12),
]  # fmt: skip
COMMERCE_2019 = [
    ("requests.new", "natural_person", 20), ("requests.new", "commercial_enterprise", 10),
    ("requests.new", "total", 30),
    ("requests.carried_over", "total", 2), ("requests.result.disclosed", "total", 15),
    ("requests.result.partially_disclosed", "total", 5),
    ("requests.result.withheld.state_secret", "natural_person", 1),
    ("requests.result.withheld.state_secret", "total", 1),
    ("requests.result.withheld.third_party", "natural_person", 1),
    ("requests.result.withheld.third_party", "commercial_enterprise", 1),
    ("requests.result.withheld.third_party", "total", 2), ("requests.result.unavailable.not_held", "total", 4),
    ("requests.result.not_processed.repeated", "total", 3), ("requests.result.other", "total", 0),
    ("requests.result.total", "total", 30), ("requests.carried_forward", "total", 2),
    ("review.upheld", None, 1), ("review.corrected", None, 1), ("review.total", None, 2),
    ("litigation.direct.total", None, 2), ("litigation.direct.corrected", None, 1),
    ("litigation.after_review.total", None, 1), ("litigation.after_review.corrected", None, 0),
    ("fees.request_fees", None, 0, "text"),
]  # fmt: skip
FINANCE_2021 = [
    ("requests.new", "natural_person", 5), ("requests.new", "total", 5), ("requests.carried_over", "total", 0),
    ("requests.result.disclosed", "total", 0), ("requests.result.partially_disclosed", "total", 0),
    ("requests.result.withheld.state_secret", "total", None), ("requests.result.other_misc", "total", 0),
    ("requests.result.total", "total", 0), ("requests.carried_forward", "total", 5),
    ("review.corrected", None, 0), ("review.total", None, 0),
    ("litigation.direct.total", None, 0), ("litigation.after_review.total", None, 0),
    ("litigation.direct.corrected", None, 0), ("litigation.after_review.corrected", None, 0),
    ("info_fees.collected", None, 0, "text"), ("active.total", None, 1200, "approx"),
]  # fmt: skip
EDUCATION_LOCAL = [
    ("requests.received", None, 7), ("requests.received", None, 100, "cumulative"), ("requests.answered", None, 7),
    ("requests.answer.disclosed", None, 5), ("requests.answer.partially_disclosed", None, 1),
    ("requests.answer.withheld", None, 1), ("requests.answer.other", None, 0), ("review.total", None, 0),
    ("litigation.total", None, 0), ("active.total", None, 300),
]  # fmt: skip
CIVIL_NARRATIVE = [
    ("requests.received", None, 12, "text"), ("requests.answer.disclosed", None, 8, "text"),
    ("review.total", None, 0, "text"), ("active.total", None, 3000, "approx"),
]  # fmt: skip


def docs() -> list[tuple[PageInfo, ParseResult]]:
    """One report per format (the 2014 agency also files an area report), plus two 2021 pages that are not picked."""
    return [
        _report("http://p/gov/2016.html", "衢州市人民政府", 2016, "2014", GOV_2014),
        _report("http://p/gov/2016-area.html", "衢州市人民政府", 2016, "2014", [("requests.received", None, 900)],
                scope="area"),
        _report("http://p/commerce/2020.html", "衢州市商务局", 2020, "2019", COMMERCE_2019),
        _report("http://p/finance/2022.html", "衢州市财政局", 2022, "2021", FINANCE_2021),
        # the same agency-year-scope at a second URL, fewer values: not picked
        _report("http://p/finance/2022-copy.html", "衢州市财政局", 2022, "2021", [("requests.new", "total", 6)]),
        # an older version of the picked URL: not current
        _report("http://p/finance/2022.html", "衢州市财政局", 2022, "2021", [("requests.new", "total", 99)],
                fetched="2026-01-01T00:00:00Z"),
        _report("http://p/education/2012.html", "衢州市教育局", 2012, "local", EDUCATION_LOCAL),
        _report("http://p/civil/2017.html", "衢州市民政局", 2017, "narrative", CIVIL_NARRATIVE),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = Warehouse(path=str(tmp_path_factory.mktemp("views") / "w.duckdb"))
    load(wh, docs())
    return wh


def harmonized(wh: Warehouse, agency: str, scope: str = "body") -> dict[str, tuple[Any, ...]]:
    """series -> (value, alternative, definition_differs) for the series the format prints; None for the others."""
    rows = wh.query(
        "select series, in_format, value, alternative, definition_differs from v_harmonized "
        "where agency = ? and scope = ?", [agency, scope]
    ).iter_rows()  # fmt: skip
    return {s: (value, alt, differs) if in_format else None for s, in_format, value, alt, differs in rows}


NOT_PRINTED = dict.fromkeys(SERIES)  # every series None: the format does not print it


def test_harmonized_2014(wh: Warehouse) -> None:
    assert harmonized(wh, "衢州市人民政府") == NOT_PRINTED | {
        "requests": (20, 1, True), "handled": (18, 1, True), "disclosed": (10, 1, True),
        "partially_disclosed": (3, 1, True), "withheld": (2, 1, True), "unavailable": (3, 1, True),
        "other_handled": (None, 1, True), "already_public": (2, 1, False), "review_total": (2, 1, True),
        "review_corrected": (1, 1, False), "litigation_total": (1, 1, True),
        "litigation_corrected": (0, 1, False), "proactive_total": (500, 1, False), "request_fees": (0.12, 1, False),
    }  # fmt: skip
    area = harmonized(wh, "衢州市人民政府", "area")
    assert area["requests"] == (900, 1, True) and area["handled"] == (None, 1, True)


def test_harmonized_2019(wh: Warehouse) -> None:
    assert harmonized(wh, "衢州市商务局") == {
        "requests": (30, 1, False), "carried_over": (2, 1, False), "handled": (30, 1, False),
        "disclosed": (15, 1, False), "partially_disclosed": (5, 1, False), "withheld": (3, 1, False),
        "unavailable": (4, 1, False), "not_processed": (3, 1, False), "other_handled": (0, 1, False),
        "already_public": None, "review_total": (2, 1, False),
        "review_corrected": (1, 1, False), "litigation_total": (3, 1, False), "litigation_corrected": (1, 1, False),
        "proactive_total": (None, 1, True),  # the 2019 tables print no total and the text states none
        "info_fees": (None, 1, False), "request_fees": (0, 1, False),  # a fee sentence for 2020: fees.request_fees
    }  # fmt: skip
    withheld = wh.query(
        "select metrics, n_terms, n_printed from v_harmonized where agency = '衢州市商务局' and series = 'withheld'"
    ).row(0)
    assert withheld[1:] == (8, 2) and "requests.result.withheld.third_party" in withheld[0]


def test_harmonized_2021_picks_one_current_report(wh: Warehouse) -> None:
    assert harmonized(wh, "衢州市财政局") == {
        "requests": (5, 1, False), "carried_over": (0, 1, False), "handled": (0, 1, False),
        "disclosed": (0, 1, False), "partially_disclosed": (0, 1, False), "withheld": (None, 1, False),
        "unavailable": (None, 1, False), "not_processed": (None, 1, False), "other_handled": (0, 1, False),
        "already_public": None, "review_total": (0, 1, False),
        "review_corrected": (0, 1, False), "litigation_total": (0, 1, False), "litigation_corrected": (0, 1, False),
        "proactive_total": (1200, 1, True), "info_fees": (0, 1, False), "request_fees": None,
    }  # fmt: skip
    row = wh.query("select url, reports, n_values from v_agency_year where agency = '衢州市财政局'").row(0)
    assert row == ("http://p/finance/2022.html", 2, len(FINANCE_2021))  # current version, most values
    approx = wh.query("select series from v_harmonized where approximate order by series")["series"].to_list()
    assert approx == ["proactive_total", "proactive_total"]  # 2021 approx 1200 and narrative approx 3000


def test_harmonized_local_reads_the_year_column(wh: Warehouse) -> None:
    assert harmonized(wh, "衢州市教育局") == NOT_PRINTED | {
        "requests": (7, 1, True), "handled": (7, 1, True), "disclosed": (5, 1, True),
        "partially_disclosed": (1, 1, True), "withheld": (1, 1, True), "other_handled": (0, 1, True),
        "review_total": (0, 1, True),
        "review_corrected": (None, 1, False), "litigation_total": (0, 1, True), "proactive_total": (300, 1, True),
    }  # fmt: skip


def test_harmonized_narrative_falls_back_to_the_older_wording(wh: Warehouse) -> None:
    assert harmonized(wh, "衢州市民政局") == NOT_PRINTED | {
        "requests": (12, 2, True), "carried_over": (None, 1, False), "disclosed": (8, 2, True),
        "partially_disclosed": (None, 1, False), "withheld": (None, 1, True), "unavailable": (None, 1, True),
        "review_total": (0, 1, False), "litigation_total": (None, 1, False), "proactive_total": (3000, 1, False),
        "info_fees": (None, 1, False), "request_fees": (None, 1, False),
    }  # fmt: skip


def test_agency_year_is_harmonized_pivoted(wh: Warehouse) -> None:
    years = wh.query("select agency, report_year, scope, format, reports, requests, disclosed, info_fees, request_fees, n_differing "
                     "from v_agency_year order by agency, scope").rows()  # fmt: skip
    assert sorted(years) == sorted([
        ("衢州市人民政府", 2016, "area", "2014", 1, 900.0, None, None, None, 1),
        ("衢州市人民政府", 2016, "body", "2014", 1, 20.0, 10.0, None, 0.12, 8),
        ("衢州市商务局", 2020, "body", "2019", 1, 30.0, 15.0, None, 0.0, 0),
        ("衢州市教育局", 2012, "body", "local", 1, 7.0, 5.0, None, None, 9),
        ("衢州市民政局", 2017, "body", "narrative", 1, 12.0, 8.0, None, None, 2),
        ("衢州市财政局", 2022, "body", "2021", 2, 5.0, 0.0, 0.0, None, 1),
    ])  # fmt: skip


def test_rates_with_sample_sizes(wh: Warehouse) -> None:
    rates = {
        (agency, scope): rest
        for agency, scope, *rest in wh.query(
            "select agency, scope, disclosure_rate, disclosure_n, disclosure_definition_differs, "
            "review_correction_rate, review_n, litigation_correction_rate, litigation_n from v_rates"
        ).iter_rows()
    }
    assert rates == {
        ("衢州市人民政府", "body"): [pytest.approx(13 / 18), 18, True, 0.5, 2, 0.0, 1],
        ("衢州市人民政府", "area"): [None, None, True, None, None, None, None],
        ("衢州市商务局", "body"): [pytest.approx(20 / 30), 30, False, 0.5, 2, pytest.approx(1 / 3), 3],
        ("衢州市财政局", "body"): [None, 0, False, None, 0, None, 0],  # zero denominators: no rate, n = 0
        ("衢州市教育局", "body"): [pytest.approx(6 / 7), 7, True, None, 0, None, 0],
        # narrative: 部分公开 not stated, 答复数 not printed, 行政复议 0
        ("衢州市民政局", "body"): [None, None, True, None, 0, None, None],
    }


def test_refusal_reasons_by_applicant(wh: Warehouse) -> None:
    rows = wh.query("select agency, category, reason, applicant, value from v_refusal_reasons").rows()
    assert sorted(rows, key=str) == sorted([
        ("衢州市人民政府", "unavailable", "requests.answer.not_exist", "total", 1.0),
        ("衢州市人民政府", "unavailable", "requests.answer.not_this_agency", "total", 2.0),
        ("衢州市人民政府", "withheld", "requests.answer.withheld_privacy", "total", 1.0),
        ("衢州市人民政府", "withheld", "requests.answer.withheld_state_secret", "total", 1.0),
        ("衢州市商务局", "not_processed", "requests.result.not_processed.repeated", "total", 3.0),
        ("衢州市商务局", "other", "requests.result.other", "total", 0.0),
        ("衢州市商务局", "unavailable", "requests.result.unavailable.not_held", "total", 4.0),
        ("衢州市商务局", "withheld", "requests.result.withheld.state_secret", "natural_person", 1.0),
        ("衢州市商务局", "withheld", "requests.result.withheld.state_secret", "total", 1.0),
        ("衢州市商务局", "withheld", "requests.result.withheld.third_party", "commercial_enterprise", 1.0),
        ("衢州市商务局", "withheld", "requests.result.withheld.third_party", "natural_person", 1.0),
        ("衢州市商务局", "withheld", "requests.result.withheld.third_party", "total", 2.0),
        ("衢州市教育局", "other", "requests.answer.other", "total", 0.0),
        ("衢州市财政局", "other", "requests.result.other_misc", "total", 0.0),
        ("衢州市财政局", "withheld", "requests.result.withheld.state_secret", "total", None),  # printed blank
    ], key=str)  # fmt: skip
    label = wh.query("select label_zh from v_refusal_reasons where reason = 'requests.result.withheld.third_party'")
    assert set(label["label_zh"]) == {"4.保护第三方合法权益"}


def test_every_view_and_view_column_is_commented(wh: Warehouse) -> None:
    with wh.connect() as con:
        views = dict(con.sql("select view_name, comment from duckdb_views() where not internal").fetchall())
        columns = con.sql(
            "select table_name, column_name, comment from duckdb_columns() "
            "where table_name in (select view_name from duckdb_views() where not internal)"
        ).fetchall()
    assert set(views) == set(warehouse.views()) and set(MY_VIEWS) <= set(views)
    assert [v for v, comment in views.items() if not comment] == []
    assert [(v, c) for v, c, comment in columns if not comment] == []


def test_every_series_is_in_the_unit_of_its_metrics(wh: Warehouse) -> None:
    """One unit per metric everywhere: a series carries its codes' catalog unit, never a converted one."""
    rows = wh.query("select series, unit, metric, factor from v_crosswalk").iter_rows()
    assert [(s, unit, m) for s, unit, m, factor in rows if unit != metrics()[m].unit or factor != 1] == []
    units = dict(wh.query("select distinct series, unit from v_crosswalk").iter_rows())
    assert (units["info_fees"], units["request_fees"]) == ("元", "万元")


def test_crosswalk_codes_are_catalog_codes(wh: Warehouse) -> None:
    crosswalk = wh.query("select * from v_crosswalk")
    assert set(crosswalk["series"]) == SERIES and set(crosswalk["format"]) <= FORMATS
    assert set(crosswalk["metric"]) - set(metrics()) == set()
    assert crosswalk.filter(crosswalk["definition_differs"] & crosswalk["note"].is_null()).height == 0
    # every metric code named in these views' SQL is a catalog code
    code = re.compile(r"'((?:requests|review|litigation|active|fees|info_fees)\.[a-z_.]+)'")
    codes = {c for view in MY_VIEWS for c in code.findall(warehouse.views()[view])}
    assert len(codes) > 50 and codes - set(metrics()) == set()


def test_crosswalk_md_documents_every_row(wh: Warehouse) -> None:
    """Each series has a `### series` section in warehouse/CROSSWALK.md naming every code that feeds it."""
    text = (REPO / "warehouse" / "CROSSWALK.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |\Z)", text, flags=re.MULTILINE | re.DOTALL))
    assert set(sections) == SERIES
    rows = wh.query("select distinct series, metric from v_crosswalk").iter_rows()
    assert [(s, m) for s, m in rows if f"`{m}`" not in sections[s]] == []


@pytest.fixture(scope="module")
def demo(demo_warehouse: Warehouse) -> Warehouse:
    """The session's demo warehouse (tests/conftest.py)."""
    return demo_warehouse


def test_demo_views_invariants(demo: Warehouse) -> None:
    groups = demo.query(
        "select count(distinct (agency_id, report_year, scope)) from dim_report "
        "where is_current and parse_ok and agency_id is not null and report_year is not null"
    ).item()
    years = demo.query("select * from v_agency_year")
    assert years.height == groups > 20  # one row per agency-year-scope
    assert set(years["format"]) >= {"2014", "2019", "2021", "local", "narrative"}
    assert demo.query("select count(*) from v_harmonized").item() == groups * len(SERIES)
    # the wide view is the long one pivoted: the same totals, series by series
    totals = demo.query("select series, sum(value) from v_harmonized group by series").rows()
    assert {s: years[s].sum() for s, _ in totals} == {s: pytest.approx(v or 0) for s, v in totals}
    assert years["requests"].drop_nulls().len() > groups / 2
    # rates are shares, with their sample size beside them
    rates = demo.query("select * from v_rates")
    assert rates.height == groups
    for rate, n in (("disclosure_rate", "disclosure_n"), ("review_correction_rate", "review_n"),
                    ("litigation_correction_rate", "litigation_n")):  # fmt: skip
        values = rates[rate].drop_nulls()
        assert values.len() > 0 and values.min() >= 0 and values.max() <= 1, rate
        assert rates.filter(rates[rate].is_not_null() & ~(rates[n] > 0)).height == 0, rate
    reasons = demo.query("select category, applicant, sum(value) as n from v_refusal_reasons group by all")
    assert set(reasons["category"]) >= {"withheld", "unavailable", "not_processed"}
    assert "natural_person" in set(reasons["applicant"])


def test_demo_fees_read_the_same_in_facts_and_views(demo: Warehouse) -> None:
    """One unit per metric: v_agency_year's fee columns are the picked report's fact values, unconverted."""
    rows = demo.query(
        "select y.info_fees, y.request_fees, "
        "  (select value from fact_disclosure as f where f.report_id = y.report_id and f.metric = 'info_fees.collected' "
        "   and f.period = 'year') as info_fact, "
        "  (select value from fact_disclosure as f where f.report_id = y.report_id and f.metric = 'fees.request_fees' "
        "   and f.period = 'year') as request_fact "
        "from v_agency_year as y"
    ).rows()
    assert sum(r[0] is not None for r in rows) > 10 and sum(r[1] is not None for r in rows) > 10
    # wherever the view shows a fee it is the fact's value, never a converted one
    assert [r for r in rows if (r[0] is not None and r[0] != r[2]) or (r[1] is not None and r[1] != r[3])] == []
    units = dict(demo.query("select code, unit from dim_metric where code in ('info_fees.collected', 'fees.request_fees')").rows())
    comments = dict(demo.query(
        "select column_name, comment from duckdb_columns() where table_name = 'v_agency_year' and column_name like '%fees'"
    ).rows())  # fmt: skip
    assert units["info_fees.collected"] in comments["info_fees"] and units["fees.request_fees"] in comments["request_fees"]
