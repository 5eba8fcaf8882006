"""The Dagster code location: definitions load with the expected assets, checks, job and schedule; a full
in-process materialisation against the demo portal succeeds with every check executed; materialising twice
gives identical tables; the `dagster` CLI materialises the location."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

import warehouse
from portal import Portal
from dagster_project.checks import PIPELINE_CHECKS
from dagster_project.resources import CRAWL_STATE, CrawlConfig, Warehouse
from dagster_project.runs import QUIET, materialize_sites

REPO = Path(__file__).resolve().parent.parent
ASSET_KEYS = {"raw_pages", "parsed_reports", "dim_metric", "dim_region", "dim_agency", "agency_year_summary", "cross_report_checks",
              "html_report"}  # fmt: skip
CHECK_NAMES = {"requests_balance", "unique_fact_keys", "report_year_and_agency",
               "carry_over", "stock_flow", "copy_paste", "publication_late", "publication_missing_year",
               "report_season_complete"}  # fmt: skip



@pytest.fixture(scope="module")
def sites_file(portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sites") / "sites.json"
    path.write_text(json.dumps(portal.sites_config(), ensure_ascii=False), encoding="utf-8")
    return path


def materialize(crawl: CrawlConfig, wh: Warehouse, **kwargs: object) -> dg.ExecuteInProcessResult:
    return materialize_sites({"crawl": crawl, "warehouse": wh}, **kwargs)  # type: ignore[arg-type]


# crawl history: grows by one run per site with every crawl; and the state folded from it (CRAWL_STATE)
HISTORY = {"crawl_run", "crawl_seen", *CRAWL_STATE}


def snapshot(wh: Warehouse) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the crawl history, and every view, rows sorted."""
    names = [t for t in warehouse.table_ddl() if t not in HISTORY] + list(warehouse.views())
    with wh.connect() as con:
        return {name: con.sql(f"select * from {name} order by all").fetchall() for name in names}  # noqa: S608


def history(wh: Warehouse) -> tuple[int, int]:
    """(crawl runs, crawl_run rows: runs x sites)."""
    return wh.query("select count(distinct run_id) as runs, count(*) as rows from crawl_run").row(0)


def test_definitions_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == ASSET_KEYS
    assert {key.name for key in graph.asset_check_keys} == CHECK_NAMES
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and "row" in node.description, key  # every description states the grain
        assert node.group_name in {"harvest", "parse", "warehouse", "report"}
    job = defs.resolve_job_def("all_assets")
    assert job.executor_def.name == dg.in_process_executor.name
    for key in graph.get_all_asset_keys():  # sites are chosen by the crawl resource's `only`, not by partitions
        assert graph.get(key).partitions_def is None, key
    freshness = graph.get(dg.AssetKey("parsed_reports")).freshness_policy
    assert freshness.deadline_cron == "0 0 1 4 *" and freshness.timezone == "Asia/Shanghai"
    schedule = defs.resolve_schedule_def("report_season")
    assert schedule.cron_schedule == "0 6 * 1-4 *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    with dg.instance_for_test() as instance:
        monkeypatch.setenv("OGI_SITES", str(tmp_path / "sites.json"))
        # no sites file: the schedule skips (it never falls back to the demo portal)
        skip = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).skip_message
        assert skip and "no sites configured" in skip
        (tmp_path / "sites.json").write_text(json.dumps([{"name": "zz", "start_urls": ["http://127.0.0.1:9/"]}]))
        [request] = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
        assert request.run_config == {}  # every site of the sites file
        # once a week every listed report is requested again (a page changed in place is found within the week)
        weekly = defs.resolve_schedule_def("weekly_revisit")
        assert (weekly.cron_schedule, weekly.default_status) == ("0 5 * * 0", dg.DefaultScheduleStatus.STOPPED)
        [revisit] = weekly.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
        assert revisit.run_config == {"resources": {"crawl": {"config": {"revisit": True}}}}
        dg.validate_run_config(defs.resolve_job_def("all_assets"), revisit.run_config)  # a config the job accepts


def test_materialize_demo(demo_build: tuple[Warehouse, dg.ExecuteInProcessResult]) -> None:
    """sites="demo": the crawl resource runs the portal itself (the session's demo build, tests/conftest.py)."""
    wh, result = demo_build
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == CHECK_NAMES  # every check ran (data findings allowed)
    assert PIPELINE_CHECKS and all(e.passed for e in evaluations if e.check_name in PIPELINE_CHECKS)
    for e in evaluations:  # a data check's severity follows its findings' (report_issue.severity)
        assert e.passed or isinstance(e.metadata["findings"], dg.IntMetadataValue), e
    counts = wh.query(
        "select (select count(*) from raw_page where kind = 'report') as pages, "
        "(select count(*) from dim_report) as reports, (select count(*) from dim_metric) as metrics"
    ).row(0, named=True)
    assert counts["pages"] >= 60
    bodies = wh.query("select count(distinct sha256) from raw_page where kind = 'report' and status between 200 and 299")
    not_reports = wh.query("select count(*) from non_report_page").item()
    assert not_reports == 2  # the portal's maintenance and login pages behind report-like links
    assert counts["reports"] + not_reports == bodies.item()
    assert counts["metrics"] > 100
    assert (wh.database().parent / "data" / "archive" / "manifest.jsonl").is_file()


def materialization(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, object]:
    """The metadata values of `asset`'s materialisation in the run."""
    [event] = [m for m in result.get_asset_materialization_events() if m.asset_key.to_user_string() == asset]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_demo_html_report_is_an_asset_linked_from_the_summary(
    demo_build: tuple[Warehouse, dg.ExecuteInProcessResult],
) -> None:
    """The demo run materialises html_report: its `report` link (and the summary's) is the index beside the
    warehouse, which opens and links a page per agency; every page was rendered, none is pending."""
    from reports import STATE, agency_file, index_path

    wh, result = demo_build
    report = materialization(result, "html_report")
    summary = materialization(result, "agency_year_summary")
    index = index_path(wh.database())
    assert report["report"] == summary["report"] == str(index)
    html = index.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    agencies = {a for (a,) in wh.query("select distinct agency_id from v_agency_year union "
                                       "select agency_id from v_publication_ledger").rows()}  # fmt: skip
    linked = set(re.findall(r'<a href="agency-([0-9a-f]+)\.html">', html))
    assert linked == agencies and all((index.parent / agency_file(a)).is_file() for a in agencies)
    assert (report["agencies"], report["rendered"], report["pending"], report["removed"]) == (len(agencies),) * 2 + (0, 0)
    assert report["index_written"] is True and report["seconds_per_page"] > 0
    assert (index.parent / STATE).is_file()


def test_materialize_twice_is_idempotent(tmp_path: Path, portal: Portal, sites_file: Path) -> None:
    crawl = CrawlConfig(sites=str(sites_file), portal_url=portal.base_url, data_dir=str(tmp_path / "data"))
    wh = Warehouse(path=str(tmp_path / "ogi.duckdb"))
    instance = dg.DagsterInstance.ephemeral()  # one instance: the second run sees the first's materialisations
    assert (once := materialize(crawl, wh, instance=instance)).success
    first, (runs, rows) = snapshot(wh), history(wh)
    assert first["dim_report"] and first["raw_page"]
    dims = ("dim_metric", "dim_metric_label", "dim_applicant", "dim_period", "dim_region", "dim_agency")
    with wh.connect() as con:  # a table written again gets its DDL's comment back
        for table in dims:
            con.execute(f"comment on table {table} is 'probe'")
    comments = "select table_name, comment from duckdb_tables() where schema_name = 'main'"
    report = materialization(again := materialize(crawl, wh, instance=instance), "html_report")
    assert again.success
    assert snapshot(wh) == first
    # nothing changed: the dimensions are not written again, the summary's figures and a clean fact table's check
    # are kept (their inputs' fingerprints said so), with the figures of the first run
    assert {t: c for t, c in wh.query(comments).iter_rows() if t in dims} == dict.fromkeys(dims, "probe")
    summaries = [materialization(run, "agency_year_summary") for run in (once, again)]
    assert [s["kept"] for s in summaries] == [False, True] and summaries[0]["rows"] == summaries[1]["rows"] > 3
    checks = [{e.check_name: e.metadata for e in run.get_asset_check_evaluations()} for run in (once, again)]
    assert [c["unique_fact_keys"]["kept"].value for c in checks] == [False, True]
    assert checks[0]["unique_fact_keys"]["rows"].value == checks[1]["unique_fact_keys"]["rows"].value > 100
    # nothing changed: the report renders no page and keeps its index (its fingerprints said so)
    assert (report["rendered"], report["pending"], report["index_written"]) == (0, 0, False)
    assert report["unchanged"] == report["agencies"] > 3
    sites = len(json.loads(sites_file.read_text(encoding="utf-8")))
    assert history(wh) == (runs + 1, rows + sites)
    # one site (`only`): only that site is crawled and re-parsed; the warehouse stays the same
    one = materialize(crawl, wh, only=["qzswj"])
    assert one.success
    assert snapshot(wh) == first
    assert history(wh) == (runs + 2, rows + sites + 1)
    assert wh.query("select site from crawl_run order by started_at desc limit 1").item() == "qzswj"
    # one report year (run config): only that year's reports are re-parsed; the warehouse stays the same
    year = {**QUIET, "ops": {"parsed_reports": {"config": {"report_years": [2019]}}}}
    again = materialize(crawl, wh, run_config=year)
    assert again.success
    assert snapshot(wh) == first
    [parsed] = [m for m in again.get_asset_materialization_events() if m.asset_key.to_user_string() == "parsed_reports"][:1]
    reparsed = parsed.materialization.metadata["rows_dim_report"].value
    assert reparsed == wh.query("select count(*) from dim_report where report_year = 2019").item() > 0


def test_dagster_cli_materializes(tmp_path: Path, portal: Portal, sites_file: Path) -> None:
    """`dagster asset materialize --select '*' -m dagster_project.definitions`, configured by environment."""
    env = {
        **os.environ,
        "OGI_DATA_DIR": str(tmp_path / "data"),
        "OGI_WAREHOUSE": str(tmp_path / "ogi.duckdb"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
    }
    home = tmp_path / "dagster_home"
    home.mkdir()
    env["DAGSTER_HOME"] = str(home)
    config = {"resources": {"crawl": {"config": {"sites": str(sites_file), "portal_url": portal.base_url}}}}
    (tmp_path / "run.yaml").write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run(
        [str(dagster), "asset", "materialize", "--select", "*", "-m", "dagster_project.definitions",
         "-c", str(tmp_path / "run.yaml")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    wh = Warehouse(path=str(tmp_path / "ogi.duckdb"))
    assert wh.query("select count(*) from dim_report").item() > 0


def test_a_site_outside_the_crawl_configuration_is_reported(tmp_path: Path, portal: Portal) -> None:
    """A site asked for (`only`) that the run's sites file lacks is not crawled, and the run says so (metadata and
    log)."""
    only = [s for s in portal.sites_config() if s["name"] == "qzswj"]
    sites = tmp_path / "sites.json"
    sites.write_text(json.dumps(only, ensure_ascii=False), encoding="utf-8")
    crawl = CrawlConfig(sites=str(sites), portal_url=portal.base_url, data_dir=str(tmp_path / "data"))
    wh = Warehouse(path=str(tmp_path / "ogi.duckdb"))
    result = materialize_sites({"crawl": crawl, "warehouse": wh}, only=["quzhou"])
    assert result.success
    [event] = [m for m in result.get_asset_materialization_events() if m.asset_key.to_user_string() == "raw_pages"]
    assert event.materialization.metadata["sites_not_configured"].value == ["quzhou"]
    assert wh.query("select count(*) from crawl_run").item() == 0  # nothing was crawled
