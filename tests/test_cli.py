"""The `ogi` command as a user runs it (a subprocess): `parse` follows ../shared/spec/README.md (one contract
object per input and line; exit non-zero only when every input failed), `parse` imports no Dagster, and `demo`
builds the warehouse from the demo portal."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import duckdb
import pytest
from conftest import free_port

REPO = Path(__file__).resolve().parent.parent
CONTRACT_KEYS = {"input", "ok", "error", "report", "values", "unmapped", "issues"}


def ogi(*args: str, cwd: Path | None = None, timeout: float = 120,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    env = {**os.environ, **(env or {}),
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", *args],
        cwd=cwd or REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def json_lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.html"
    path.write_bytes(b"\x00\x01\x02 not a report \xff\xfe")
    return path


def test_console_script_is_declared() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert scripts["ogi"] == "dagster_project.cli:main"


def test_parse_broken_file(broken: Path) -> None:
    proc = ogi("parse", "--json", str(broken))
    assert proc.returncode == 1
    [result] = json_lines(proc.stdout)
    assert set(result) == CONTRACT_KEYS
    assert result["input"] == str(broken)
    assert result["ok"] is False
    assert isinstance(result["error"], str) and result["error"]


def test_parse_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    proc = ogi("parse", "--json", str(tmp_path / "nope.html"))
    assert proc.returncode == 1
    [result] = json_lines(proc.stdout)
    assert result["ok"] is False and "cannot read" in str(result["error"])


def test_parse_one_good_one_broken(shared_dir: Path, broken: Path) -> None:
    good = sorted((shared_dir / "corpus" / "pingtan").glob("*.html"))[-1]
    proc = ogi("parse", "--json", str(good), str(broken))
    results = json_lines(proc.stdout)
    assert [r["input"] for r in results] == [str(good), str(broken)]
    assert all(set(r) == CONTRACT_KEYS for r in results)
    assert results[1]["ok"] is False
    # exit status 0 unless every input failed
    assert proc.returncode == (0 if results[0]["ok"] else 1), proc.stderr


def test_parse_human_summary(broken: Path) -> None:
    proc = ogi("parse", str(broken))
    assert proc.returncode == 1
    assert proc.stdout == "" and proc.stderr.startswith(f"{broken}: error: ")  # errors to stderr


def test_parse_prints_the_figures(shared_dir: Path) -> None:
    # without --json: the summary line, then every figure with its printed row and column, and the issues
    seed = shared_dir / "seeds" / "001_871f94abbc050ee9.txt"
    proc = ogi("parse", str(seed))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{seed}: ok agency=遂宁市安居区商务局 year=2022 format=2021 values=203 unmapped=0 issues=0"
    assert lines[1].startswith("figures")
    rows = [line.split() for line in lines if "本年新收政府信息公开申请数" in line and "natural_person" in line]
    assert rows and rows[0][-5:] == ["natural_person", "year", "0", "件", "table"], rows
    how = [line.split()[-1] for line in lines[4:] if line.strip()]
    assert how.count("table") == 200 and how.count("text") == 3  # one line per figure (a long label folds below)


def test_parse_refuses_other_schemes_by_name() -> None:
    proc = ogi("parse", "ftp://example.com/report.pdf")
    assert proc.returncode == 1
    assert "unsupported URL scheme 'ftp'" in proc.stderr and "cannot read" not in proc.stderr


def test_parse_bad_arguments() -> None:
    assert ogi("parse").returncode == 2
    assert ogi("nonsense").returncode == 2


def test_parse_does_not_import_dagster(broken: Path) -> None:
    code = (
        "import sys; from dagster_project.cli import main; main(['parse', sys.argv[1]]); "
        "assert 'dagster' not in sys.modules, 'dagster imported'"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(broken)], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_demo(tmp_path: Path) -> None:
    proc = ogi("demo", "--data", str(tmp_path / "data"), "--warehouse", str(tmp_path / "ogi.duckdb"),
               "--port", str(free_port()), timeout=600, env={"DAGSTER_HOME": str(tmp_path / "home")})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    base_url = proc.stdout.split("demo portal: ", 1)[1].split()[0]
    assert base_url == "http://demo-portal.invalid/"  # the portal's name whatever its port
    # checks say `passed`, `warning` or `error` (report_issue's words), never FAILED for an expected warning; quiet
    assert "FAILED" not in proc.stdout and "check unique_fact_keys: passed (" in proc.stdout
    assert "check carry_over: error: 2 findings (" in proc.stdout  # contradictory figures: an error, exit 0
    assert "check copy_paste: warning: 1 finding (" in proc.stdout
    assert "Warning" not in proc.stderr, proc.stderr[-2000:]  # no BetaWarning / PreviewWarning lines
    # progress in a pipe: plain lines per site, no bar, no control characters
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr and "━" not in proc.stderr
    assert re.search(r"^crawl \w+: \d+ list, \d+ report\(s\)", proc.stderr, flags=re.M), proc.stderr[-2000:]
    assert "reports: " in proc.stdout and "agencies: " in proc.stdout
    con = duckdb.connect(str(tmp_path / "ogi.duckdb"), read_only=True)
    try:
        [(reports, agencies)] = con.sql("select count(*), count(distinct agency_id) from dim_report").fetchall()
        outside = "select count(*) from raw_page where not starts_with(url, ?)"
        [(elsewhere,)] = con.execute(outside, [base_url]).fetchall()
        [(restated, removed)] = con.sql(
            "select (select count(distinct url) from v_restatement), (select count(*) from v_removed_report)"
        ).fetchall()
    finally:
        con.close()
    assert reports >= 60 and agencies >= 5
    assert elsewhere == 0  # everything came from the portal the command started and printed
    assert (restated, removed) == (1, 1)  # the demo crawls both portal epochs: one report restated, one removed
    examples = readme_examples()
    assert len(examples) == 5
    con = duckdb.connect(str(tmp_path / "ogi.duckdb"), read_only=True)
    try:
        for sql, shown in examples:  # the README's example questions print what this demo warehouse answers
            assert str(con.sql(sql)).rstrip() == shown, sql
    finally:
        con.close()


def readme_examples() -> list[tuple[str, str]]:
    """(query, printed output) of each numbered example question (a ```sql block opening with `-- N.`) of the README."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    pattern = r"```sql\n(-- \d\..*?)```\n\n```\n(.*?)\n```"
    return [(sql, shown.rstrip()) for sql, shown in re.findall(pattern, text, flags=re.S)]


def _get(url: str, body: bytes | None = None) -> bytes:
    headers = {"Content-Type": "application/json"} if body else {}
    with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=5) as response:
        return bytes(response.read())


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_ui_loads_and_stops_on_sigterm(tmp_path: Path) -> None:
    """`ogi ui` serves the code location on 127.0.0.1 and stops, children included, on SIGTERM."""
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"), "OGI_DATA_DIR": str(tmp_path / "data"),
           "OGI_WAREHOUSE": str(tmp_path / "ogi.duckdb"),
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster_project.cli", "ui", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # as under `cmd &` in a script
    )  # fmt: skip
    try:
        query = b'{"query": "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }"}'
        deadline = time.monotonic() + 90
        while True:
            try:
                if b'"LOADED"' in _get(f"http://127.0.0.1:{port}/graphql", query):
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "dagster dev did not come up"
            time.sleep(0.5)
        assert "enabled: false" in (tmp_path / "home" / "dagster.yaml").read_text("utf-8")
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False)
        child_pids = [int(p) for p in children.stdout.split()]
        assert child_pids
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_running(p) for p in child_pids) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert [p for p in child_pids if _running(p)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
