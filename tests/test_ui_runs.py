"""The CLI's runs are recorded in the Dagster instance the UI reads ($DAGSTER_HOME): a real instance in a
temporary directory, the demo run through `cmd_demo`, read back with DagsterInstance."""

from __future__ import annotations

import contextlib
import fcntl
import io
import socket
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from conftest import free_port
from dagster_project.checks import CHECKS
from dagster_project.cli import RUN_LOCK, cmd_demo
from dagster_project.resources import DEMO_BASE
from portal import main as portal_main

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


def _reports(warehouse: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql("select report_id, url from dim_report order by report_id").fetchall()
    finally:
        con.close()


def test_demo_on_another_port_finds_the_same_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The warehouse's URLs do not depend on the portal's port: a rerun on another port adds no report and removes
    none (the first crawl visits both portal epochs, the rerun the latest), and a fresh demo on a third port gives
    the same reports, ids included."""
    first_port, second_port = free_port(), free_port()
    assert demo(tmp_path, monkeypatch, port=first_port)[0] == 0
    first = _reports(tmp_path / "ogi.duckdb")
    status, out = demo(tmp_path, monkeypatch, port=second_port)
    assert status == 0, out
    assert _reports(tmp_path / "ogi.duckdb") == first
    assert all(url.startswith(DEMO_BASE + "/") for _, url in first)
    con = duckdb.connect(str(tmp_path / "ogi.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw_page where not starts_with(url, ?)", [DEMO_BASE + "/"]).fetchall() == [(0,)]
        assert con.sql(
            "select (select count(distinct url) from v_restatement), (select count(*) from v_removed_report)"
        ).fetchall() == [(1, 1)]
    finally:
        con.close()
    status, _ = demo(tmp_path, monkeypatch, data="data2", warehouse="other.duckdb")  # any free port
    assert status == 0
    assert _reports(tmp_path / "other.duckdb") == first
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        assert len(instance.get_runs()) == 3


def test_demo_port_in_use_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, out = demo(tmp_path, monkeypatch, port=port)
        assert status == 1
        assert f"port {port} on 127.0.0.1 is already in use" in capsys.readouterr().err
        assert portal_main(["--port", str(port), "--corpus", "none"]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"ogi portal: port {port} on 127.0.0.1 is already in use") and "OSError" not in err


def test_a_second_cli_run_is_refused_with_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    home = tmp_path / "home"
    home.mkdir()
    with (home / RUN_LOCK).open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("ogi run, pid 1234")
        held.flush()
        status, out = demo(tmp_path, monkeypatch)
    assert status == 1 and "run " not in out
    assert "another run is in progress in the Dagster instance" in capsys.readouterr().err
    assert not (tmp_path / "ogi.duckdb").exists()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_runs() == []
