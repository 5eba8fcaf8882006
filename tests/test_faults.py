"""The fault site of the demo portal (`Portal(faults=True)`, portal/faults.py) crawled, parsed and loaded by
`ogi run` three times, as a user would: epoch 1; epoch 2 with a failing list page; epoch 2 with every list page
answering. Per fault: the crawl_seen row with its outcome and reason; nothing good lost; no soft error current; no
false removal; no request out of scope ever sent. Then kill -9 at several points of a run, and a re-run that ends
with the warehouse of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from portal import Portal
from portal.sites import EPOCHS

REPO = Path(__file__).resolve().parent.parent


def ogi_run(cwd: Path, sites: Path, *, wait: bool = True) -> subprocess.Popen[str] | subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAGSTER_HOME": str(cwd / "dagster_home"),
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}  # fmt: skip
    cmd = [sys.executable, "-m", "dagster_project.cli", "run", "--sites", str(sites), "--data", "data",
           "--warehouse", "ogi.duckdb"]  # fmt: skip
    if not wait:
        return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@dataclass
class Runs:
    portal: Portal
    db: Path
    truth: list[dict]  # truth of each run (epoch 1, epoch 2 with the failing list, epoch 2 complete)
    faults: dict[str, dict]  # by name, from the epoch-2 truth


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    root = tmp_path_factory.mktemp("faults")
    with Portal(port=0, corpus_dir=None, faults=True) as portal:
        sites = root / "sites.json"
        sites.write_text(json.dumps([s for s in portal.sites_config() if s["name"] == "faulty"], ensure_ascii=False),
                         encoding="utf-8")  # fmt: skip
        truths = []
        for epoch, list_fails in ((1, True), (EPOCHS[-1], True), (EPOCHS[-1], False)):
            portal.set_epoch(epoch)
            portal.faults.list_page_fails = list_fails
            proc = ogi_run(root, sites)
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]  # pages failed, the run did not
            truths.append(portal.truth())
        faults = {f["name"]: f for f in truths[1]["faults"]}
        yield Runs(portal, root / "ogi.duckdb", truths, faults)


def seen(runs: Runs, url: str, run: int) -> tuple[str, str | None]:
    """(outcome, reason) of `url` in crawl run number `run` (0, 1, 2)."""
    ids = [r[0] for r in query(runs.db, "select distinct run_id from crawl_run order by run_id")]
    rows = query(runs.db, "select outcome, reason from crawl_seen where run_id = ? and url = ?", [ids[run], url])
    assert rows, (url, run)
    return rows[0]


def test_every_fault_is_recorded_with_its_outcome_and_reason(runs: Runs) -> None:
    checked = 0
    for fault in runs.faults.values():
        if fault["name"] in ("cut_copy", "unlisted", "removed"):
            continue  # judged by versions and removals below
        run = 0 if fault["epoch"] == 1 else 1
        outcome, reason = seen(runs, fault["url"], run)
        assert outcome == fault["outcome"], fault["name"]
        if fault["reason"]:
            assert fault["reason"].lower() in (reason or "").lower(), (fault["name"], reason)
        else:
            assert reason is None or fault["name"] == "transient_503", (fault["name"], reason)
        checked += 1
    assert checked >= 22
    # every row that is not ok says why
    assert query(runs.db, "select count(*) from crawl_seen where outcome <> 'ok' and coalesce(reason, '') = ''") == [(0,)]


def test_nothing_out_of_scope_was_ever_requested(runs: Runs) -> None:
    assert runs.portal.decoy_hits == 0
    for url in runs.truth[-1]["decoy_urls"]:
        if url.startswith(runs.portal.base_url):
            assert runs.portal.requests_to(url) == 0, url
    assert runs.portal.requests_to(runs.faults["transient_503"]["url"]) >= 3  # retried, then read


def test_good_reports_are_all_there_with_their_numbers(runs: Runs) -> None:
    truth = runs.truth[-1]
    for report in (r for r in truth["reports"] if r["site"] == "faulty"):
        rows = query(runs.db, "select f.metric, f.applicant, f.period, f.value from fact_disclosure f "
                              "join dim_report r using (report_id) where r.is_current and r.url = ?", [report["url"]])  # fmt: skip
        want = {(v["metric"], v["applicant"], v["period"]): v["value"] for v in report["values"]}
        assert {(m, a, p): v for m, a, p, v in rows} == want, report["url"]


def test_soft_errors_never_become_current_and_a_restatement_does(runs: Runs) -> None:
    maintenance, cut, restated = (runs.faults[n]["url"] for n in ("maintenance", "cut_copy", "restatement"))
    assert query(runs.db, "select reason from non_report_page where url = ?", [maintenance]) == [
        ("no report title, no report sections, no figures",)]
    versions = query(runs.db, "select version, is_current, version_flag from dim_report where url = ? order by version",
                     [cut])  # fmt: skip
    assert [(v, c) for v, c, _ in versions] == [(1, True), (2, False)]
    assert versions[1][2].startswith("reads far less than version 1")
    assert query(runs.db, "select version, is_current, version_flag from dim_report where url = ? order by version",
                 [restated]) == [(1, False, None), (2, True, None)]  # fmt: skip
    restatements = {u for (u,) in query(runs.db, "select distinct url from v_restatement where site = 'faulty'")}
    assert restatements == {restated}  # the cut copy is no restatement
    years = {y for (y,) in query(runs.db, "select report_year from v_agency_year where agency like '%安吉县农业农村局'")}
    assert {2022, 2023, 2024} <= years  # no agency-year vanished


def test_removals_only_on_evidence(runs: Runs) -> None:
    removed = {runs.faults["removed"]["url"], runs.faults["unlisted"]["url"]}
    # after the run whose list page failed: nothing removed (its reports are merely unseen)
    ids = [r[0] for r in query(runs.db, "select distinct run_id from crawl_run order by run_id")]
    assert query(runs.db, "select complete from crawl_run order by run_id") == [(True,), (True,), (True,)]
    assert query(runs.db, "select count(*) from crawl_seen where run_id = ? and kind = 'list' and outcome = 'error'",
                 [ids[1]]) == [(1,)]  # fmt: skip
    rows = query(runs.db, "select url, how, removed_run from v_removed_report where site = 'faulty'")
    assert {u for u, _, _ in rows} == removed  # judged from the complete third run only
    assert {r for _, _, r in rows} == {ids[2]}
    on_failing_page = set(runs.faults["list_page_error"]["report_urls"])
    assert on_failing_page and not on_failing_page & {u for u, _, _ in rows}


@pytest.mark.parametrize("kill_after", ["start", "crawl", "load"])
def test_kill_9_then_rerun_equals_an_uninterrupted_run(tmp_path: Path, kill_after: str) -> None:
    """`ogi run` killed with SIGKILL as its crawl starts, mid-crawl or mid-load (its crawl child dies with it), then
    run again: the warehouse equals the one an uninterrupted run builds (timestamps and run ids aside)."""
    with Portal(port=0, corpus_dir=None, latency=0.15) as portal:
        entries = [s for s in portal.sites_config() if s["name"] in ("quzhou", "zqhjj")]
        sites = tmp_path / "sites.json"
        sites.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        reference, killed = tmp_path / "reference", tmp_path / "killed"
        reference.mkdir()
        killed.mkdir()
        assert ogi_run(reference, sites).returncode == 0
        proc = ogi_run(killed, sites, wait=False)
        assert isinstance(proc, subprocess.Popen)
        runs_dir = killed / "data" / "archive" / "runs"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # kill point: the run log opened, 15 URLs in, or the crawl finished
            logs = list(runs_dir.glob("*.jsonl")) if runs_dir.is_dir() else []
            lines = [line for p in logs for line in p.read_text(encoding="utf-8").splitlines()]
            if (kill_after == "start" and lines or kill_after == "crawl" and len(lines) > 15
                    or kill_after == "load" and any('"finished_at"' in x for x in lines)):  # fmt: skip
                break
            time.sleep(0.05)
        else:
            pytest.fail("the run never reached its kill point")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        time.sleep(1.0)
        if kill_after in ("start", "crawl"):  # the crawl died with its parent: its log never says "finished"
            [log] = runs_dir.glob("*.jsonl")
            assert '"finished_at"' not in log.read_text(encoding="utf-8")
        assert ogi_run(killed, sites).returncode == 0
        if kill_after == "crawl":  # resumed: what the killed run archived was not fetched again
            reasons = [r for (r,) in query(killed / "ogi.duckdb", "select reason from crawl_seen")]
            assert any(r and r.startswith("archived by the interrupted run") for r in reasons)
    tables = {
        "dim_report": "select * exclude (fetched_at) from dim_report",
        "fact_disclosure": "select * from fact_disclosure",
        "fact_raw_cell": "select * from fact_raw_cell",
        "report_issue": "select * from report_issue",
        "report_document": "select * from report_document",
        "raw_page": "select * exclude (fetched_at) from raw_page",
        "v_agency_year": "select * from v_agency_year",
        "v_removed_report": "select * exclude (last_seen_run, removed_run) from v_removed_report",
    }
    for name, sql in tables.items():
        want = sorted(query(reference / "ogi.duckdb", sql), key=repr)
        got = sorted(query(killed / "ogi.duckdb", sql), key=repr)
        assert got == want, name
