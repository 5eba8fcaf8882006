"""`ogi ui` shows what `ogi demo` ran, as a user does it: the real `ogi ui` (a subprocess, its own process group) on a
free port of 127.0.0.1, then `ogi demo` into the same $DAGSTER_HOME from the same directory, read back through the
webserver's GraphQL API (the run, every asset's latest materialisation, every check's latest execution in the words
of `ogi demo`), and headless Chromium screenshots of the asset catalog and of cross_report_checks' checks.

The screenshots stay in the test's tmp_path (pytest's basetemp, e.g. /tmp/pytest-of-$USER/pytest-current/):
`ui-assets.png` is how docs/ui-assets.png, README's picture, was made."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import free_port, http, screenshot

from dagster_project.assets import ASSETS
from dagster_project.checks import CHECKS, PIPELINE_CHECKS

UP_TIMEOUT = 180  # s: `dagster dev` is ready in ~7 s here; CI is a busy 2-core machine
SHOT_SIZE = (1400, 900)
# a check's description says what its findings are (dagster_project/checks.py): "A finding (a `warning`: WARN) is …"
# for the checks whose findings are all warnings, an `error` or ERROR for the others
WARNING_FINDING = "A finding (a `warning`: WARN)"

RUNS = """{ runsOrError { __typename ... on Runs { results { runId jobName status } }
                          ... on PythonError { message } } }"""
WORKSPACE = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
# assetNodes: the assets of the code location; per asset its latest materialisation and, per check, the execution
# that evaluated that materialisation (what the asset page and its Checks tab show)
ASSETS_AND_CHECKS = """{ assetNodes {
  assetKey { path } groupName
  assetMaterializations(limit: 1) { runId metadataEntries { label } }
  assetChecksOrError { __typename ... on AssetChecks { checks {
    name description
    executionForLatestMaterialization { runId status evaluation {
      success severity metadataEntries { label ... on IntMetadataEntry { intValue } } } } } } } } }"""


def ogi_command() -> list[str]:
    """The `ogi` console script of this environment (as `make setup` installs it), else its module."""
    script = Path(sys.executable).with_name("ogi")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "dagster_project.cli"]


def user_env(home: Path) -> dict[str, str]:
    """A user's environment: DAGSTER_HOME set, no OGI_* override (data, warehouse and sites are the defaults of the
    directory both commands run in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    return {**env, "DAGSTER_HOME": str(home)}


def graphql(port: int, query: str) -> dict:
    status, _, body = http(urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"}), timeout=60)  # fmt: skip
    answer = json.loads(body)
    assert status == 200 and "errors" not in answer, answer
    return answer["data"]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def ogi_ui(cwd: Path, home: Path, log: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`ogi ui --port N` started in `cwd` in its own process group, yielded (port, process) once the code location
    is LOADED; SIGTERM to the group afterwards, SIGKILL only if it is still there after 60 s."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([*ogi_command(), "ui", "--port", str(port)], cwd=cwd, env=user_env(home),
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + UP_TIMEOUT
        while True:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AssertionError):
                entries = graphql(port, WORKSPACE)["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    break
            assert proc.poll() is None, f"ogi ui exited ({proc.returncode}):\n{log.read_text('utf-8', 'replace')}"
            assert time.monotonic() < deadline, f"ogi ui not up in {UP_TIMEOUT} s:\n{log.read_text('utf-8', 'replace')}"
            time.sleep(0.5)
        yield port, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            proc.poll()  # reap the leader
            time.sleep(0.25)
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def rgb_pixels(shot: Path) -> list[tuple[int, int, int]]:
    from PIL import Image

    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        assert rgb.size == SHOT_SIZE
        return list(rgb.getdata())


def rendered(pixels: list[tuple[int, int, int]]) -> bool:
    """A page the Dagster app has drawn: many colours and some ink (before it renders, the page is one white)."""
    non_white = sum(1 for p in pixels if min(p) < 235)
    return len(set(pixels)) > 500 and non_white > 0.02 * len(pixels)


def red(pixels: list[tuple[int, int, int]]) -> int:
    """Pixels of the UI's error red (an ERROR check's icon and badge)."""
    return sum(1 for r, g, b in pixels if r > 170 and r - g > 80 and r - b > 60)


def amber(pixels: list[tuple[int, int, int]]) -> int:
    """Pixels of the UI's warning amber (a WARN check's triangle)."""
    return sum(1 for r, g, b in pixels if r > 200 and g > 130 and b < 90 and r - b > 120)


def shoot(chromium: str, url: str, shot: Path, tmp: Path) -> list[tuple[int, int, int]]:
    """A screenshot of a page of the UI once it has rendered: 15 s of virtual time for the app to fetch and draw,
    tried again with more on a machine too busy for it."""
    for attempt, budget in enumerate((15_000, 30_000, 60_000)):
        screenshot(chromium, url, shot, size=SHOT_SIZE, profile=tmp / f"profile-{shot.stem}-{attempt}",
                   budget_ms=budget)  # fmt: skip
        pixels = rgb_pixels(shot)
        if rendered(pixels):
            return pixels
    pytest.fail(f"{url}: the screenshot {shot} stayed blank")


def test_ui_shows_the_demo_run_its_assets_and_checks(tmp_path: Path, chromium: str) -> None:
    home = tmp_path / "home"
    with ogi_ui(tmp_path, home, tmp_path / "ui.log") as (port, ui):
        demo = subprocess.run([*ogi_command(), "demo"], cwd=tmp_path, env=user_env(home), capture_output=True,
                              text=True, timeout=600, check=False)  # fmt: skip
        assert demo.returncode == 0, demo.stdout + demo.stderr
        [run_id] = re.findall(r"^run (\S+): succeeded \(DAGSTER_HOME=(?:.*)\)", demo.stdout, re.MULTILINE)

        # the run, as the Runs page lists it
        runs = graphql(port, RUNS)["runsOrError"]
        assert runs["__typename"] == "Runs", runs
        assert runs["results"] == [{"runId": run_id, "jobName": "all_assets", "status": "SUCCESS"}]

        # every asset the code defines, materialised by that run with its metadata
        nodes = {"/".join(n["assetKey"]["path"]): n for n in graphql(port, ASSETS_AND_CHECKS)["assetNodes"]}
        defined = {key.to_user_string() for asset in ASSETS for key in asset.keys}
        assert set(nodes) == defined
        assert {"raw_pages", "parsed_reports", "dim_agency", "agency_year_summary", "cross_report_checks"} <= defined
        for key, node in nodes.items():
            [latest] = node["assetMaterializations"]
            assert latest["runId"] == run_id, key
            assert latest["metadataEntries"], key

        # every check's execution on that materialisation, said in `ogi demo`'s words
        executions: dict[str, tuple[str, dict]] = {}
        promised: dict[str, str] = {}  # the severity of a finding, as the check's description in the UI says
        for key, node in nodes.items():
            checks = node["assetChecksOrError"]
            assert checks["__typename"] == "AssetChecks", (key, checks)
            for check in checks["checks"]:
                executions[check["name"]] = (key, check["executionForLatestMaterialization"])
                promised[check["name"]] = "WARN" if WARNING_FINDING in check["description"] else "ERROR"
        defined_checks = {(k.asset_key.to_user_string(), k.name) for check in CHECKS for k in check.check_keys}
        assert {(key, name) for name, (key, _) in executions.items()} == defined_checks
        lines = [line for line in demo.stdout.splitlines() if line.startswith("check ")]
        assert len(lines) == len(defined_checks), demo.stdout
        outcomes: dict[str, str] = {}
        for name, (key, execution) in executions.items():
            assert execution is not None and execution["runId"] == run_id, (name, execution)
            evaluation = execution["evaluation"]
            findings = {m["label"]: m.get("intValue") for m in evaluation["metadataEntries"]}
            if evaluation["success"]:
                # a check that passes reports SUCCEEDED whatever severity it was defined with
                assert execution["status"] == "SUCCEEDED", (name, execution)
                outcome = "passed"
            else:
                # Dagster has no "warning" status: a WARN check that fails is FAILED with severity WARN, which the
                # UI draws as a warning (amber), an ERROR one as an error (red); neither fails the run
                assert execution["status"] == "FAILED", (name, execution)
                assert evaluation["severity"] == promised[name], (name, execution)
                word = {"WARN": "warning", "ERROR": "error"}[evaluation["severity"]]
                n = findings.get("findings")
                outcome = f"{word}: {n} finding{'' if n == 1 else 's'}" if n is not None else word
            outcomes[name] = outcome.split(":")[0]
            if name in PIPELINE_CHECKS:
                assert outcome == "passed", (name, execution)
            assert any(line == f"check {name}: {outcome}" or line.startswith(f"check {name}: {outcome} (")
                       for line in lines), (name, outcome, lines)  # fmt: skip
        # the demo's reports carry warnings (copy-paste, late, missing years) and errors (carry-over, balance)
        assert outcomes["publication_late"] == outcomes["copy_paste"] == "warning", outcomes
        assert promised["copy_paste"] == promised["publication_late"] == "WARN" != promised["carry_over"], promised
        assert {"passed", "warning", "error"} <= set(outcomes.values()), outcomes

        # cross_report_checks' checks agree with the warehouse's report_issue rows they were computed from
        with duckdb.connect(str(tmp_path / "warehouse" / "ogi.duckdb"), read_only=True) as con:
            issues = con.sql("select replace(check_name, '.', '_'), count(*), bool_or(severity = 'error') "
                             "from report_issue where source = 'warehouse' group by all").fetchall()  # fmt: skip
        for name, (key, execution) in executions.items():
            if key != "cross_report_checks":
                continue
            count, error = next(((n, e) for c, n, e in issues if c == name), (0, False))
            evaluation = execution["evaluation"]
            findings = {m["label"]: m.get("intValue") for m in evaluation["metadataEntries"]}
            assert findings["findings"] == count, (name, findings, issues)
            assert evaluation["success"] == (count == 0), (name, execution)
            if count:
                assert evaluation["severity"] == ("ERROR" if error else "WARN"), (name, execution)

        # the catalog (README's picture) and the asset page's Checks tab, rendered by headless Chromium
        catalog = shoot(chromium, f"http://127.0.0.1:{port}/assets", tmp_path / "ui-assets.png", tmp_path)
        assert red(catalog) > 20  # assets whose ERROR checks failed say so in red
        checks_page = shoot(chromium, f"http://127.0.0.1:{port}/assets/cross_report_checks?view=checks",
                            tmp_path / "ui-checks.png", tmp_path)  # fmt: skip
        assert red(checks_page) > 20 and amber(checks_page) > 20  # error icons and warning triangles
        assert ui.poll() is None
    assert not _group_alive(ui.pid)
    assert ui.returncode in {0, -signal.SIGTERM}, ui.returncode
