"""The DuckDB warehouse: loads are idempotent (same input, same tables), every table and column is documented,
the views run, and the checks catch what they are for (a planted duplicate key, a planted imbalance)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

import warehouse
from dagster_project.checks import report_year_and_agency, requests_balance, unique_fact_keys
from dagster_project.resources import Warehouse, rebuild_crawl_state
from etl import frames
from etl.frames import PageInfo
from etl.model import ParseResult, ReportMeta
from etl.regions import divisions

Docs = list[tuple[PageInfo, ParseResult]]


def _manifest(docs: Docs) -> list[dict[str, object]]:
    return [
        {"url": p.url, "final_url": p.url, "status": 200, "headers": {"Content-Type": "text/html"},
         "fetched_at": p.fetched_at, "sha256": p.sha256, "size": 100, "site": p.site, "kind": "report",
         "title": p.title, "list_url": "http://portal/list.html", "list_date": p.list_date}
        for p, _ in docs
    ]  # fmt: skip


def _runs(docs: Docs) -> list[dict[str, object]]:
    """One crawl run that saw every page (a URL with two versions: the first by sha256)."""
    pages = sorted((p for p, _ in docs), key=lambda p: (p.url, p.sha256))
    seen = [{"url": p.url, "site": p.site, "kind": "report", "status": 200, "sha256": p.sha256} for p in pages]
    sites = sorted({str(p.site) for p in pages})
    start, end = "2026-01-01T00:00:00+00:00", "2026-01-01T00:01:00+00:00"
    return [{"run_id": "20260101T000000000000Z", "sites": sites, "started_at": start, "finished_at": end, "seen": seen}]


def load(wh: Warehouse, docs: Docs) -> None:
    reports = frames.report_frames(docs)
    dim_region = frames.region_frame(divisions())
    wh.replace_tables(
        {
            "raw_page": frames.raw_page_frame(_manifest(docs)),
            **frames.crawl_frames(_runs(docs))._asdict(),
            **frames.dictionary_frames(),
            **reports._asdict(),
            "dim_region": dim_region,
            "dim_agency": frames.agency_frame(reports.dim_report, dim_region),
        }
    )
    with wh.connect() as con:  # the crawl state v_removed_report reads (load_crawl_history keeps it, not replace_tables)
        rebuild_crawl_state(con)
    wh.create_views()


def snapshot(wh: Warehouse) -> dict[str, list[tuple[object, ...]]]:
    with wh.connect() as con:
        return {t: con.sql(f"select * from {t} order by all").fetchall() for t in warehouse.table_ddl()}  # noqa: S608


@pytest.fixture
def wh(tmp_path: Path, sample_docs: Docs) -> Warehouse:
    wh = Warehouse(path=str(tmp_path / "w.duckdb"))
    load(wh, sample_docs)
    return wh


def test_load_twice_gives_identical_tables(wh: Warehouse, sample_docs: Docs) -> None:
    first = snapshot(wh)
    assert all(first[t] for t in first), "every table has rows"
    load(wh, list(reversed(sample_docs)))
    assert snapshot(wh) == first


def test_every_table_and_column_is_commented(wh: Warehouse) -> None:
    with wh.connect() as con:
        # the warehouse's tables (schema main; schema pipeline keeps the loads' own state)
        tables = dict(con.sql("select table_name, comment from duckdb_tables() where schema_name = 'main'").fetchall())
        columns = con.sql(
            "select table_name, column_name, comment from duckdb_columns() where schema_name = 'main' "
            "and table_name in (select table_name from duckdb_tables())"
        ).fetchall()
    assert set(tables) == set(warehouse.table_ddl())
    assert all(tables.values())
    assert len(columns) > 50
    assert [(t, c) for t, c, comment in columns if not comment] == []


def test_agency_year_view(wh: Warehouse) -> None:
    summary = wh.query("select * from v_agency_year")
    assert summary.height == 1  # one agency-year-scope; the older version and the unreadable page are left out
    row = summary.row(0, named=True)
    assert (row["agency"], row["report_year"], row["scope"], row["reports"], row["format"]) == (
        "衢州市商务局", 2022, "body", 1, "2021")
    assert (row["n_values"], row["n_issues"], row["requests"], row["proactive_total"]) == (5, 1, 10.0, None)


def test_checks_pass_on_clean_data(wh: Warehouse) -> None:
    for check in (requests_balance, unique_fact_keys, report_year_and_agency):
        result = check(warehouse=wh)
        assert result.passed, result.metadata
    # one report x applicant prints all four terms (the older version has requests.new only)
    assert requests_balance(warehouse=wh).metadata["checked"] == dg.IntMetadataValue(1)


def test_unique_keys_check_catches_a_planted_duplicate(wh: Warehouse) -> None:
    with wh.connect() as con:
        con.execute("insert into fact_disclosure select * from fact_disclosure order by all limit 1")
    result = unique_fact_keys(warehouse=wh)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["findings"] == dg.IntMetadataValue(1)  # duplicated keys


def test_balance_check_reports_an_imbalance(wh: Warehouse) -> None:
    with wh.connect() as con:
        con.execute(
            "update fact_disclosure set value = 11 where metric = 'requests.result.total' and applicant = 'total'"
        )
    result = requests_balance(warehouse=wh)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR  # figures that cannot all be true: an error
    assert result.metadata["findings"] == dg.IntMetadataValue(1)
    assert "-2.0" in result.metadata["failures"].value  # 10 + 2 - (11 + 3)


def test_year_and_agency_check_flags_a_report_without_year(tmp_path: Path, sample_docs: Docs) -> None:
    page = PageInfo("http://portal/c/1.html", "d" * 64, "c")
    no_year = ParseResult(input=page.url, ok=True, report=ReportMeta(agency="某局"))
    wh = Warehouse(path=str(tmp_path / "w.duckdb"))
    load(wh, [*sample_docs, (page, no_year)])
    result = report_year_and_agency(warehouse=wh)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR  # a report the warehouse cannot place (meta.year: error)
    assert result.metadata["missing_year"] == dg.IntMetadataValue(1)
    assert result.metadata["unreadable_reports"] == dg.IntMetadataValue(1)


def test_connect_waits_for_another_process_to_release_the_file(wh: Warehouse) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(1.5); c.close()", str(wh.database())],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert wh.query("select count(*) from dim_report").item() == 3
    finally:
        holder.wait(timeout=30)


def test_replace_tables_keeps_a_table_holding_its_frame(wh: Warehouse) -> None:
    """The same frame again writes nothing (the table is not recreated: a comment changed by hand stays); a table
    changed since it was written, or another frame, is written again (from its DDL, which sets the comment)."""
    frame = frames.region_frame(divisions())
    comment = "select comment from duckdb_tables() where table_name = 'dim_region'"
    with wh.connect() as con:
        con.execute("comment on table dim_region is 'probe'")
    assert wh.replace_tables({"dim_region": frame}) == {"dim_region": frame.height}
    assert wh.query(comment).item() == "probe"
    with wh.connect() as con:
        con.execute("delete from dim_region where rowid = 0")
        con.execute("comment on table dim_region is 'probe'")
    wh.replace_tables({"dim_region": frame})
    assert wh.query(comment).item() != "probe"
    assert wh.query("select count(*) from dim_region").item() == frame.height
    with wh.connect() as con:
        con.execute("comment on table dim_region is 'probe'")
    wh.replace_tables({"dim_region": frame.head(10)})
    assert wh.query(comment).item() != "probe" and wh.query("select count(*) from dim_region").item() == 10


def test_views_are_created_again_when_missing(wh: Warehouse) -> None:
    with wh.connect() as con:
        con.execute("drop view v_rates")
    assert "v_rates" in wh.create_views()
    assert wh.query("select count(*) from v_rates").item() >= 0
