"""parsed_reports is incremental, chunked and parallel: a second materialisation with nothing new parses nothing
and keeps identical tables; without its recorded state it reads every report from the cache; a changed or gone URL
is all it does again; 1 and 2 parsing processes give identical tables; a new parser version (a changed parser
file) parses again; a parse that dies before its swap leaves the warehouse as it was."""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

import etl
import warehouse
import warehouse as sql
from dagster_project.assets import ASSETS
from dagster_project.parsing import (
    GC_YOUNG,
    ParseJob,
    _fewer_collections,
    _entry_path,
    _hints,
    cache_dir,
    cache_key,
    chunks,
    parse_chunk,
    read_cached,
    run_chunks,
    write_cached,
)
from dagster_project.resources import PARSE_STATE_TABLE, STAGING, STATE_SCHEMA, CrawlConfig, Warehouse
from dagster_project.runs import QUIET, materialize_sites
from etl.frames import REPORT_ORDER
from portal import Portal

REPORT_TABLES = list(REPORT_ORDER)


@pytest.fixture(scope="module")
def crawled(portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlConfig, Warehouse, dict[str, Any]]:
    """The demo portal crawled and parsed once, in this process (workers=1); the parse's metadata."""
    tmp = tmp_path_factory.mktemp("parse-cache")
    sites = tmp / "sites.json"
    sites.write_text(json.dumps(portal.sites_config(), ensure_ascii=False), encoding="utf-8")
    crawl = CrawlConfig(sites=str(sites), portal_url=portal.base_url, data_dir=str(tmp / "data"))
    wh = Warehouse(path=str(tmp / "ogi.duckdb"))
    result = materialize_sites({"crawl": crawl, "warehouse": wh}, run_config=_config(workers=1))
    assert result.success
    return crawl, wh, _metadata(result)


def _config(**parse: object) -> dict[str, Any]:
    return {**QUIET, "ops": {"parsed_reports": {"config": parse}}}


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    events = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "parsed_reports"]
    [event] = events
    return {k: v.value for k, v in event.materialization.metadata.items()}


def parse_again(crawl: CrawlConfig, wh: Warehouse, **parse: object) -> dict[str, Any]:
    """Materialise parsed_reports alone (no crawl) over every site; its metadata."""
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        ASSETS, selection=["parsed_reports"], resources={"crawl": crawl, "warehouse": wh}, instance=instance,
        run_config=_config(**parse),
    )  # fmt: skip
    assert result.success
    return _metadata(result)


def forget_state(wh: Warehouse) -> None:
    """Drop the recorded parse state (as in a warehouse built before it): the next parse reads everything again."""
    with wh.connect() as con:
        con.execute(f"drop table {STATE_SCHEMA}.{PARSE_STATE_TABLE}")


def snapshot(wh: Warehouse) -> dict[str, list[tuple[object, ...]]]:
    """The report tables, rows sorted (report_issue: the parser's rows; cross_report_checks adds the others)."""
    with wh.connect() as con:
        return {
            t: con.sql(f"select * from {t} {'where source = $1' if t == 'report_issue' else ''} order by all",  # noqa: S608
                       params=["parser"] if t == "report_issue" else None).fetchall()
            for t in REPORT_TABLES
        }  # fmt: skip


def test_second_materialisation_parses_nothing_and_gives_identical_tables(crawled) -> None:
    crawl, wh, first = crawled
    bodies = wh.query("select (select count(*) from dim_report) + (select count(*) from non_report_page)").item()
    assert first["parsed"] == bodies > 60 and first["cached"] == 0
    assert first["workers"] == 1 and first["batches"] == 1  # in process: chunks of up to 500 reports
    entries = list(cache_dir(crawl.data_path(), etl.PARSER_VERSION).rglob("*.pickle.z"))
    assert len(entries) == bodies  # every parse kept (the demo's conversions all succeed with LibreOffice present)
    before = snapshot(wh)
    again = parse_again(crawl, wh, workers=1)  # nothing changed since the tables were built: nothing read
    assert (again["parsed"], again["cached"], again["unchanged"], again["batches"]) == (0, 0, bodies, 0)
    assert snapshot(wh) == before
    assert again["reports"] == first["rows_dim_report"]
    forget_state(wh)  # without the state: every report from the cache
    again = parse_again(crawl, wh, workers=1)
    assert (again["parsed"], again["cached"], again["unchanged"]) == (0, bodies, 0)
    assert snapshot(wh) == before
    assert again["rows_dim_report"] == first["rows_dim_report"]
    # the whole pipeline again (crawl included: nothing new on the portal)
    result = materialize_sites({"crawl": crawl, "warehouse": wh}, run_config=_config(workers=1))
    assert result.success and (_metadata(result)["parsed"], _metadata(result)["unchanged"]) == (0, bodies)
    assert snapshot(wh) == before
    # --reparse: everything parsed again, same tables
    forced = parse_again(crawl, wh, workers=1, reparse=True)
    assert (forced["parsed"], forced["cached"]) == (bodies, 0)
    assert snapshot(wh) == before


def test_one_and_two_workers_give_identical_tables(crawled) -> None:
    crawl, wh, _ = crawled
    one = parse_again(crawl, wh, workers=1, reparse=True, chunk_size=7)
    tables = snapshot(wh)
    two = parse_again(crawl, wh, workers=2, reparse=True, chunk_size=7)
    assert two["workers"] == 2 and two["batches"] > 2  # chunks of at most 7 reports over a pool of two processes
    assert two["parsed"] == one["parsed"] > 60
    assert snapshot(wh) == tables
    forget_state(wh)
    cached = parse_again(crawl, wh, workers=2)  # the pool reading the cache
    assert cached["parsed"] == 0 and cached["cached"] == two["parsed"]
    assert snapshot(wh) == tables
    # not only the same rows: the same physical order (rows are sorted in the swap)
    with wh.connect() as con:
        stored = con.sql("select report_id from dim_report").fetchall()
    assert stored == sorted(stored)


def test_a_new_parser_version_parses_again(crawled, tmp_path: Path) -> None:
    crawl, wh, _ = crawled
    pages = wh.query(sql.query("report_pages")).sort("url", "fetched_at", "sha256").head(12)
    by_parent: dict[str, list[dict[str, Any]]] = {}
    for a in wh.query(sql.query("report_attachments")).iter_rows(named=True):
        by_parent.setdefault(a.pop("parent_url"), []).append(a)
    sites = {str(s["name"]): s for s in crawl.load_sites()}

    def run(version: str) -> tuple[int, int]:
        job = ParseJob(archive=str(crawl.archive_path()), cache=str(cache_dir(tmp_path, version)))
        results = list(run_chunks(job, chunks(pages.iter_rows(named=True), by_parent, sites, 5), 1))
        return sum(r.parsed for r in results), sum(r.cached for r in results)

    assert run("v1") == (12, 0)
    assert run("v1") == (0, 12)
    assert run("v2") == (12, 0)  # another parser version: its own cache, everything parsed
    # the version itself: a changed parser or frames file gives a new one, the accuracy harness does not
    copy = tmp_path / "etl"
    shutil.copytree(Path(etl.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))

    def version_of_copy() -> str:
        spec = importlib.util.spec_from_file_location("etl_copy", copy / "__init__.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules.pop("etl_copy", None)
        return str(module.parser_version())

    base = version_of_copy()  # (not compared with etl.PARSER_VERSION: computed once per process, files may change)
    assert len(base) == 16 and version_of_copy() == base
    with (copy / "evaluate.py").open("a", encoding="utf-8") as f:
        f.write("\n# not part of a parse\n")
    assert version_of_copy() == base
    with (copy / "parse.py").open("a", encoding="utf-8") as f:
        f.write("\n# a parser change\n")
    assert version_of_copy() != base


def test_a_chunk_crosses_the_pipe_unchanged_and_the_cache_is_written_once(crawled, tmp_path: Path) -> None:
    """A ChunkResult pickled (a worker's result on its way to the parent: frames as Arrow IPC) gives equal frames,
    schema included; the cached chunk gives the same frames; a re-parse leaves an identical entry alone (same
    file), rewrites a damaged one, and makes a cache directory again if it went away during the run."""
    crawl, wh, _ = crawled
    pages = wh.query(sql.query("report_pages")).sort("url", "fetched_at", "sha256", nulls_last=True).head(40)
    by_parent: dict[str, list[dict[str, Any]]] = {}
    for a in wh.query(sql.query("report_attachments")).iter_rows(named=True):
        by_parent.setdefault(a.pop("parent_url"), []).append(a)
    sites = {str(s["name"]): {k: s.get(k) for k in ("agency", "region")} for s in crawl.load_sites()}
    [chunk] = chunks(pages.iter_rows(named=True), by_parent, sites, 100)
    cache = tmp_path / "cache"
    job = ParseJob(archive=str(crawl.archive_path()), cache=str(cache))
    first = parse_chunk(job, chunk)
    assert (first.parsed, first.cached) == (40, 0)
    again = pickle.loads(pickle.dumps(first, protocol=pickle.HIGHEST_PROTOCOL))
    cached = parse_chunk(job, chunk)
    assert (cached.parsed, cached.cached) == (0, 40)
    assert first.frames.dim_report.height > 0 and first.frames.fact_raw_cell.height > 0
    for frame, piped, from_cache in zip(first.frames, again.frames, cached.frames, strict=True):
        assert piped.schema == frame.schema == from_cache.schema
        assert piped.equals(frame, null_equal=True) and from_cache.equals(frame, null_equal=True)
    assert (again.reports, again.parsed, again.cached, again.messages) == (40, 40, 0, first.messages)

    row = chunk.pages[0]
    key = cache_key(row, chunk.attachments.get(row["url"], []), _hints(row, chunk.sites.get(row["site"] or "", {})))
    entry = Path(_entry_path(str(cache), key))
    stat = entry.stat()
    reparse = ParseJob(archive=job.archive, cache=job.cache, reparse=True)
    parse_chunk(reparse, chunk)
    assert (entry.stat().st_ino, entry.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)  # left alone
    entry.write_bytes(b"damaged")
    assert read_cached(str(cache), key) is None  # a miss
    parse_chunk(reparse, chunk)
    assert read_cached(str(cache), key) is not None  # rewritten
    rows = read_cached(str(cache), key)
    shutil.rmtree(cache)  # the cache cleared during a run: the process made its directories already
    write_cached(str(cache), key, rows)
    assert read_cached(str(cache), key) == rows
    assert not [p for p in cache.rglob("*") if p.name.startswith(".tmp-")]  # no temporary file left
    assert oct(entry.stat().st_mode & 0o777) == oct(0o600 & ~_umask())


def test_entries_are_zstd_and_zlib_entries_still_read(tmp_path: Path) -> None:
    """An entry is a zstd-compressed pickle (a first byte no zlib stream has); an entry of zlib, as written before,
    reads the same; a damaged one of either kind is a miss."""
    import zlib

    from etl.frames import ReportRows

    rows = ReportRows(("rid", "https://x/a.html", None), [("rid", "requests.new", 1.0)], [], [], [], None, False)
    cache, key = str(tmp_path), "ab" + "0" * 62
    write_cached(cache, key, rows)
    entry = Path(_entry_path(cache, key))
    data = entry.read_bytes()
    assert data[:1] == b"\x01" and read_cached(cache, key) == rows
    entry.write_bytes(data[:-4])
    assert read_cached(cache, key) is None
    entry.write_bytes(zlib.compress(pickle.dumps(rows), 1))
    assert read_cached(cache, key) == rows
    entry.write_bytes(zlib.compress(pickle.dumps(rows), 1)[:-4])
    assert read_cached(cache, key) is None
    write_cached(cache, key, rows)  # a zlib entry is rewritten as zstd
    assert entry.read_bytes() == data


def test_collections_are_restored_after_a_chunk() -> None:
    """A chunk runs with the objects alive at its start frozen and a larger youngest generation; both undone after,
    also when the chunk raises."""
    before = (gc.get_threshold(), gc.get_freeze_count())
    with _fewer_collections():
        assert gc.get_threshold()[0] == GC_YOUNG and gc.get_freeze_count() > before[1]
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    with pytest.raises(RuntimeError), _fewer_collections():
        raise RuntimeError
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_parse_that_dies_before_its_swap_leaves_the_warehouse_as_it_was(crawled) -> None:
    crawl, wh, _ = crawled
    before = snapshot(wh)
    wh.stage(REPORT_ORDER)  # what a run does first; then it dies (no swap)
    wh.append_staged({"dim_report": wh.query("select * from dim_report limit 3")})
    assert snapshot(wh) == before
    assert len(list((wh.staging_path() / "dim_report").iterdir())) == 1
    parse_again(crawl, wh, workers=1)  # the next run drops the leftovers (nothing changed: nothing to swap)
    assert snapshot(wh) == before
    assert not wh.staging_path().exists()
    wh.stage(REPORT_ORDER)
    wh.append_staged({"dim_report": wh.query("select * from dim_report limit 3")})
    forget_state(wh)
    parse_again(crawl, wh, workers=1)  # the next run that parses replaces the leftovers and swaps
    assert snapshot(wh) == before
    tables = wh.query(f"select schema_name, table_name from duckdb_tables() where schema_name not in ('main', '{STATE_SCHEMA}')")
    assert tables.is_empty()
    assert STAGING not in wh.query("select schema_name from duckdb_schemas()")["schema_name"].to_list()
    assert not wh.staging_path().exists()  # the staged Parquet files went with the swap
    assert set(REPORT_TABLES) <= set(warehouse.table_ddl())


def test_only_changed_and_gone_urls_are_done_again(crawled) -> None:
    crawl, wh, _ = crawled
    parse_again(crawl, wh, workers=1)  # the state as the tables are
    before = snapshot(wh)
    state = wh.parse_state()
    assert state is not None
    url = state.group_by("url").len().sort("len", "url", descending=[True, False])["url"][0]  # most versions
    versions = state.filter(state["url"] == url).height
    gone = "http://127.0.0.1:1/gone/report.html"
    with wh.connect() as con:
        con.execute(f"delete from {STATE_SCHEMA}.{PARSE_STATE_TABLE} where url = $1", [url])  # as if it changed
        con.execute(f"insert into {STATE_SCHEMA}.{PARSE_STATE_TABLE} values ($1, 'x', 'y', 'z', 'v')", [gone])
        con.execute("insert into dim_report select * replace ('gone-report' as report_id, $1 as url) "
                    "from dim_report limit 1", [gone])  # fmt: skip
    again = parse_again(crawl, wh, workers=1)
    assert (again["parsed"], again["cached"], again["urls_gone"]) == (0, versions, 1)
    assert again["unchanged"] == state.height - versions
    assert snapshot(wh) == before  # the gone URL's rows are gone, the changed URL's rows are the same
    assert wh.parse_state().sort("url", "sha256").equals(state.sort("url", "sha256"))


def test_cross_report_findings_are_derived_again_only_when_their_inputs_change(crawled) -> None:
    crawl, wh, _ = crawled

    def checks() -> dict[str, Any]:
        result = dg.materialize(ASSETS, selection=["cross_report_checks"], resources={"crawl": crawl, "warehouse": wh},
                                instance=dg.DagsterInstance.ephemeral(), run_config=QUIET)  # fmt: skip
        assert result.success
        [event] = result.get_asset_materialization_events()
        return {k: v.value for k, v in event.materialization.metadata.items()}

    def findings() -> list[tuple[object, ...]]:
        return wh.query("select * from report_issue where source = 'warehouse' order by all").rows()

    checks()
    before = findings()
    again = checks()
    assert again["kept"] is True and findings() == before and again["rows"] == len(before) > 0
    key = "report_id = (select min(report_id) from fact_disclosure) and metric = (select min(metric) from " \
          "fact_disclosure where report_id = (select min(report_id) from fact_disclosure))"
    with wh.connect() as con:  # one figure changes: the findings are derived again
        con.execute(f"update fact_disclosure set value = value + 1 where {key}")  # noqa: S608
    assert checks()["kept"] is False
    with wh.connect() as con:
        con.execute(f"update fact_disclosure set value = value - 1 where {key}")  # noqa: S608
    assert checks()["kept"] is False and findings() == before
    parse_again(crawl, wh, workers=1, reparse=True)  # a full parse recreates report_issue, findings gone
    assert not wh.query("select count(*) from report_issue where source = 'warehouse'").item()
    assert checks()["kept"] is False and findings() == before
