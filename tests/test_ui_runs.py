"""The CLI's runs are recorded in the Dagster instance the UI reads ($DAGSTER_HOME): a real instance in a
temporary directory, the demo run through `cmd_demo`, read back with DagsterInstance."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.checks import CHECKS
from dagster_project.cli import cmd_demo

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def demo(tmp: Path, monkeypatch: pytest.MonkeyPatch, *, port: int | None = None, home: Path | None = None,
         data: str = "data", warehouse: str = "ogi.duckdb") -> tuple[int, str]:  # fmt: skip
    monkeypatch.setenv("DAGSTER_HOME", str(home or tmp / "home"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cmd_demo(data=tmp / data, warehouse=tmp / warehouse, port=port, keep_portal=False)
    return status, out.getvalue()


def test_demo_run_is_recorded_in_dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    status, out = demo(tmp_path, monkeypatch)
    assert status == 0, out
    assert (tmp_path / "home" / "dagster.yaml").is_file()
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        [run] = instance.get_runs()
        assert run.job_name == "all_assets" and run.status == dg.DagsterRunStatus.SUCCESS
        assert f"run {run.run_id}: succeeded" in out
        for key in ("raw_pages", "parsed_reports", "dim_agency", "agency_year_summary", "cross_report_checks"):
            event = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert event is not None and event.run_id == run.run_id, key
            assert event.asset_materialization is not None and event.asset_materialization.metadata, key
        check_keys = [key for check in CHECKS for key in check.check_keys]
        records = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
        assert set(records) == set(check_keys)
        assert {r.run_id for r in records.values()} == {run.run_id}
        evaluations = [r.event.dagster_event.event_specific_data for r in records.values()]
        assert all(e.metadata for e in evaluations)
