"""etl.frames: ParseResults -> frames whose columns and types are exactly the warehouse DDL's, with deterministic
ids and rows, an issue row for every unreadable document, and nothing printed dropped."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

import warehouse
from dagster_project.resources import CRAWL_STATE
from etl import frames
from etl.catalog import metrics
from etl.frames import PageInfo
from etl.model import ParseResult
from etl.regions import divisions

SCHEMAS = {
    "raw_page": frames.RAW_PAGE_SCHEMA,
    "crawl_run": frames.CRAWL_RUN_SCHEMA,
    "crawl_seen": frames.CRAWL_SEEN_SCHEMA,
    "dim_metric": frames.DIM_METRIC_SCHEMA,
    "dim_metric_label": frames.DIM_METRIC_LABEL_SCHEMA,
    "dim_applicant": frames.DIM_APPLICANT_SCHEMA,
    "dim_period": frames.DIM_PERIOD_SCHEMA,
    "dim_report": frames.DIM_REPORT_SCHEMA,
    "dim_agency": frames.DIM_AGENCY_SCHEMA,
    "dim_region": frames.DIM_REGION_SCHEMA,
    "fact_disclosure": frames.FACT_DISCLOSURE_SCHEMA,
    "fact_raw_cell": frames.FACT_RAW_CELL_SCHEMA,
    "report_issue": frames.REPORT_ISSUE_SCHEMA,
    "report_document": frames.REPORT_DOCUMENT_SCHEMA,
    "non_report_page": frames.NON_REPORT_PAGE_SCHEMA,
}
# DuckDB type of each Polars type as the DDL spells it (JSON columns travel as text).
DUCK_TYPES = {
    pl.String(): {"VARCHAR", "JSON"},
    pl.Int16(): {"SMALLINT"},
    pl.Int32(): {"INTEGER"},
    pl.Int64(): {"BIGINT"},
    pl.Float64(): {"DOUBLE"},
    pl.Boolean(): {"BOOLEAN"},
    pl.Date(): {"DATE"},
    pl.Datetime("us", "UTC"): {"TIMESTAMP WITH TIME ZONE"},
    pl.List(pl.String()): {"VARCHAR[]"},
}


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_schema_matches_ddl(table: str) -> None:
    con = duckdb.connect()
    con.execute(warehouse.ddl(table))
    ddl_columns = con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = ? order by column_index", [table]
    ).fetchall()
    schema = SCHEMAS[table]
    assert [name for name, _ in ddl_columns] == list(schema)
    for name, duck_type in ddl_columns:
        assert duck_type in DUCK_TYPES[schema[name]], (table, name, duck_type, schema[name])


def test_every_table_has_a_schema() -> None:
    # but the crawl state, derived from crawl_seen and crawl_run in SQL by the load (no frame builds it)
    assert set(warehouse.table_ddl()) == set(SCHEMAS) | set(CRAWL_STATE)


REPORT_SCHEMAS = (
    frames.DIM_REPORT_SCHEMA,
    frames.FACT_DISCLOSURE_SCHEMA,
    frames.FACT_RAW_CELL_SCHEMA,
    frames.REPORT_ISSUE_SCHEMA,
    frames.REPORT_DOCUMENT_SCHEMA,
    frames.NON_REPORT_PAGE_SCHEMA,
)


def test_report_frames_columns_and_rows(sample_docs: list[tuple[PageInfo, ParseResult]]) -> None:
    result = frames.report_frames(sample_docs)
    for frame, schema in zip(result, REPORT_SCHEMAS, strict=True):
        assert frame.schema == pl.Schema(schema)

    reports = result.dim_report
    assert reports.height == 3
    good = reports.filter(pl.col("sha256") == "a" * 64).row(0, named=True)
    assert good["agency"] == "衢州市商务局"  # whitespace removed
    assert good["agency_raw"] == "衢州市 商务局"
    assert good["report_year"] == 2022
    assert str(good["published_at"]) == "2023-01-12"  # the parser's date wins over the list page's
    assert json.loads(good["section_formats"]) == {"二": "2021", "三": "2021"}
    assert (good["n_values"], good["n_cells"], good["n_unmapped"], good["n_issues"]) == (5, 6, 1, 1)
    assert good["is_current"]  # latest fetch of its URL
    older = reports.filter(pl.col("sha256") == "b" * 64).row(0, named=True)
    assert not older["is_current"]
    assert older["agency_id"] == good["agency_id"]  # same agency however spaced

    broken = reports.filter(~pl.col("parse_ok")).row(0, named=True)
    assert broken["parse_error"] == "scanned PDF, no text layer"
    assert broken["title"] == "链接"  # falls back to the anchor text
    assert str(broken["published_at"]) == "2023-02-01"  # and to the list date
    assert broken["agency_id"] is None and broken["n_issues"] == 1
    issue = result.report_issue.filter(pl.col("report_id") == broken["report_id"]).row(0, named=True)
    assert (issue["check_name"], issue["severity"], issue["message"]) == (
        frames.PARSE_ERROR_CHECK,
        "error",
        "scanned PDF, no text layer",
    )

    facts = result.fact_disclosure
    assert facts.height == 6  # 5 + 1 of the older version
    blank = facts.filter(pl.col("applicant") == "natural_person").row(0, named=True)
    assert blank["value"] is None  # a blank cell stays null
    assert facts.filter(pl.col("report_id") == good["report_id"])["agency_id"].unique().to_list() == [
        good["agency_id"]
    ]
    cells = result.fact_raw_cell.filter(pl.col("report_id") == good["report_id"])
    assert cells["ordinal"].to_list() == list(range(6))
    assert cells["metric"].null_count() == 1  # the unmapped cell is kept
    # a single-document report: its figures and cells were printed in the page itself, its one document
    assert set(facts["document_url"]) == set(cells["document_url"]) == {"http://portal/a/2022.html"}
    docs = result.report_document
    assert docs.height == 3  # every report version, the unreadable one too
    assert docs.filter(pl.col("report_id") == good["report_id"]).rows() == [
        (good["report_id"], 0, "http://portal/a/2022.html", "a" * 64, "article", None, True, None, 5)
    ]
    [page] = result.non_report_page.rows(named=True)  # the maintenance page: kept out of the reports, said why
    assert (page["url"], page["site"], page["title"]) == ("http://portal/b/y.html", "b", "2021年报告")
    assert page["reason"] == "no report title, no report sections, no figures"
    assert page["report_id"] not in set(result.dim_report["report_id"])


def test_frames_are_deterministic(sample_docs: list[tuple[PageInfo, ParseResult]]) -> None:
    first = frames.report_frames(sample_docs)
    second = frames.report_frames(list(reversed(sample_docs)))
    for a, b in zip(first, second, strict=True):
        assert a.equals(b)
    regions = frames.region_frame(divisions())
    assert frames.agency_frame(first.dim_report, regions).equals(frames.agency_frame(second.dim_report, regions))


def test_ids_are_stable_hashes() -> None:
    assert frames.report_id("http://x/1", "a" * 64) == frames.report_id("http://x/1", "a" * 64)
    assert frames.report_id("http://x/1", "a" * 64) != frames.report_id("http://x/2", "a" * 64)
    assert len(frames.report_id("u", "s")) == 16
    # full-width letters and ideographic spaces normalise away; the region code separates namesakes
    assert frames.agency_id("ＸＹ\u3000商务局", "330800") == frames.agency_id("XY商务局", "330800")
    assert frames.agency_id("商务局", "330800") != frames.agency_id("商务局", "330900")
    # pinned: changing the hash would silently re-key every warehouse
    assert frames.report_id("http://x/1", "a" * 64) == "ac289c9db4d834a0"


def test_agency_frame(sample_docs: list[tuple[PageInfo, ParseResult]]) -> None:
    agencies = frames.agency_frame(frames.report_frames(sample_docs).dim_report, frames.region_frame(divisions()))
    assert agencies.schema == pl.Schema(frames.DIM_AGENCY_SCHEMA)
    assert agencies.height == 1
    row = agencies.row(0, named=True)
    assert row["name"] == "衢州市商务局"
    assert row["aliases"] == ["衢州市 商务局"]
    assert row["sites"] == ["a"]
    assert (row["n_reports"], row["first_year"], row["last_year"]) == (2, 2022, 2022)
    assert (row["province"], row["city"], row["county"], row["region_code"]) == ("浙江省", "衢州市", None, "330800")
    assert (row["agency_type"], row["level"], row["province_code"], row["city_code"]) == (
        "department", "city", "330000", "330800"
    )


def test_raw_page_frame_keeps_first_fetch() -> None:
    manifest = [
        {"url": "u", "sha256": "s", "status": 200, "kind": "report", "headers": {"content-type": "text/html"},
         "fetched_at": "2026-01-02T00:00:00+00:00", "list_date": "2023-01-05", "size": 3},
        {"url": "u", "sha256": "s", "status": 200, "kind": "report",
         "headers": {"Content-Type": "text/html; charset=gbk"}, "fetched_at": "2026-01-01T00:00:00+00:00",
         "list_date": "2023-01-05", "size": 3},
        {"url": "u", "sha256": "t", "status": 404, "kind": "report", "headers": {}, "fetched_at": "bad", "size": 0},
    ]  # fmt: skip
    frame = frames.raw_page_frame(manifest)
    assert frame.schema == pl.Schema(frames.RAW_PAGE_SCHEMA)
    assert frame.height == 2
    first = frame.row(0, named=True)
    assert str(first["fetched_at"]) == "2026-01-01 00:00:00+00:00"
    assert first["content_type"] == "text/html; charset=gbk"
    assert frame.row(1, named=True)["fetched_at"] is None  # unreadable timestamp -> null


def test_metric_frame_covers_the_catalog() -> None:
    frame = frames.metric_frame(metrics().values())
    assert frame.schema == pl.Schema(frames.DIM_METRIC_SCHEMA)
    assert frame["code"].to_list() == sorted(metrics())
    assert frame.filter(pl.col("code") == "requests.new")["by_applicant"].item() is True




def test_column_wise_frames_equal_the_row_wise_constructor(sample_docs: list[tuple[PageInfo, ParseResult]]) -> None:
    """frames_of_rows builds each frame column by column (`_frame`): the same frame as Polars' row-wise constructor,
    for the sample's rows and for rows whose values are not exactly of their column's type (the row-wise fallback)."""
    rows = [frames.report_rows(page, result) for page, result in sample_docs]
    tables = (
        [r.report for r in rows if r.report is not None],
        [f for r in rows for f in r.facts],
        [c for r in rows for c in r.cells],
        [i for r in rows for i in r.issues],
        [d for r in rows for d in r.documents],
        [r.non_report for r in rows if r.non_report is not None],
    )
    for table, schema in zip(tables, REPORT_SCHEMAS, strict=True):
        assert table
        built = frames._frame(table, schema)
        assert built.schema == pl.Schema(schema)
        assert built.equals(pl.DataFrame(table, schema=schema, orient="row"), null_equal=True)
    schema = {"a": pl.Int32(), "b": pl.String(), "c": pl.Float64()}
    odd = [(1.0, 2, 3), (None, None, None), (4, "x", 5.5)]  # a float in Int32, an int in String, an int in Float64
    assert frames._frame(odd, schema).equals(pl.DataFrame(odd, schema=schema, orient="row"), null_equal=True)
    with pytest.raises(pl.exceptions.PolarsError):  # what the row-wise constructor refuses, refused the same way
        frames._frame([("x", "y", 1.0)], schema)
    assert frames._frame([], schema).schema == pl.Schema(schema)


def test_empty_input_gives_empty_typed_frames() -> None:
    result = frames.report_frames([])
    assert all(f.height == 0 for f in result)
    assert [f.schema for f in result] == [pl.Schema(s) for s in REPORT_SCHEMAS]
    agencies = frames.agency_frame(result.dim_report, frames.region_frame(divisions()))
    assert agencies.schema == pl.Schema(frames.DIM_AGENCY_SCHEMA)
