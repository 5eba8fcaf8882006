"""A user's own sites, as the user runs the `ogi` command (subprocesses) against the demo portal on 127.0.0.1:
`ogi sites add` finds the 年报 column from each family site's home page and detects its CMS; `ogi sites check`
counts what a first list page links; `ogi crawl` shows progress; `ogi run` crawls, parses and loads through
Dagster, recorded in the instance the UI reads (queried here through Dagster's API)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb

from crawler.discover import check_site, find_column
from crawler.sites import Site
from portal import Portal

REPO = Path(__file__).resolve().parent.parent


def ogi(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    base.pop("OGI_SITES", None)
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", *args],
        cwd=cwd, env={**base, **(env or {})}, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip




def test_the_column_is_found_from_every_home_page(portal: Portal, truth: dict) -> None:
    for name, site in truth["sites"].items():
        if name == "pingtan":
            continue  # the real corpus: its home page is a generated stand-in
        found = find_column(site["home_url"])
        assert found.column == site["start_urls"][0], name
        assert found.check.family == site["family"] or site["family"] == "json", name  # json: only an entry says
        if site["family"] != "json":
            linked = set(site["report_urls"]) | set(truth["not_report_urls"]) | set(truth["disallowed_urls"])
            assert set(found.check.reports) <= linked, name  # (robots.txt is the crawl's business)
            assert found.check.reports, name


def test_sites_add_writes_an_entry_that_crawls_the_site(portal: Portal, truth: dict, tmp_path: Path) -> None:
    home = truth["sites"]["zqhjj"]["home_url"]  # a gkmlpt site: the column's id sits in the URL fragment
    proc = ogi("sites", "add", home, "--file", "mine.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "gkmlpt" in proc.stdout and "added site 'zqhjj'" in proc.stdout
    [entry] = json.loads((tmp_path / "mine.json").read_text(encoding="utf-8"))
    assert entry["start_urls"] == truth["sites"]["zqhjj"]["start_urls"]
    assert entry["cms"] == "gkmlpt" and entry["agency"] == "肇庆市生态环境局"
    assert entry["region"]["code"] == "441200"
    assert entry["url_prefixes"] == [portal.url("/zqhjj/")]
    # a second site goes into the same file; adding one again replaces it
    assert ogi("sites", "add", truth["sites"]["quzhou"]["home_url"], "--file", "mine.json", cwd=tmp_path).returncode == 0
    assert ogi("sites", "add", home, "--file", "mine.json", "--agency", "肇庆市生态环境局", cwd=tmp_path).returncode == 0
    entries = json.loads((tmp_path / "mine.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in entries] == ["quzhou", "zqhjj"]
    assert entries[0]["cms"] == "hanweb"

    check = ogi("sites", "check", "mine.json", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    lines = dict(line.split(": ", 1) for line in check.stdout.splitlines())
    seen = re.match(r"gkmlpt: (\d+) report link\(s\), 1 more list request\(s\)", lines["zqhjj"])  # + API page 2
    assert seen and 0 < int(seen[1]) < len(truth["sites"]["zqhjj"]["report_urls"])  # the rest is on page 2
    assert lines["quzhou"].startswith("hanweb: ")  # the first group of records, then the POST windows


def test_sites_add_and_check_say_what_went_wrong(portal: Portal, tmp_path: Path) -> None:
    proc = ogi("sites", "add", portal.url("/nowhere/"), "--file", "x.json", cwd=tmp_path)
    assert proc.returncode == 1 and "HTTP 404" in proc.stderr and not (tmp_path / "x.json").exists()
    assert ogi("sites", "add", "ftp://example.org/", cwd=tmp_path).returncode == 2
    (tmp_path / "bad.json").write_text('[{"name": "a b", "start_urls": ["http://x/"]}]', encoding="utf-8")
    proc = ogi("sites", "check", "bad.json", cwd=tmp_path)
    assert proc.returncode == 2 and "site name" in proc.stderr
    gone = Site.from_dict({"name": "gone", "start_urls": [portal.url("/gone/index.html")]})
    assert check_site(gone).error and "HTTP 404" in check_site(gone).error


def test_ogi_run_harvests_every_family_into_the_warehouse_and_the_instance(portal: Portal, truth: dict,
                                                                           tmp_path: Path) -> None:  # fmt: skip
    sites = tmp_path / "sites.json"  # the default file, as `ogi sites add` writes it
    sites.write_text(json.dumps(portal.sites_config(), ensure_ascii=False), encoding="utf-8")
    home = tmp_path / "dagster_home"
    proc = ogi("run", "--data", "data", "--warehouse", "ogi.duckdb", cwd=tmp_path, env={"DAGSTER_HOME": str(home)},
               timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "succeeded" in proc.stdout
    assert "crawl zqhjj: " in proc.stderr  # progress per site
    con = duckdb.connect(str(tmp_path / "ogi.duckdb"), read_only=True)
    try:
        by_site = dict(con.sql("select site, count(*) from dim_report where parse_ok group by site").fetchall())
        families = dict(con.sql("select site, any_value(family) from raw_page where kind = 'list' and family is not null "
                                "group by site").fetchall())  # fmt: skip
    finally:
        con.close()
    for name, site in truth["sites"].items():
        assert by_site.get(name, 0) == len(site["report_urls"]), name  # every report of every family
        assert site["family"] in (families[name], "trsapi")  # pingtan's _archive page is plain html
    with dg.DagsterInstance.from_config(str(home)) as instance:  # what `ogi ui` shows
        [run] = instance.get_run_records()
        assert run.dagster_run.job_name == "all_assets" and run.dagster_run.status == dg.DagsterRunStatus.SUCCESS
        assert not instance.get_dynamic_partitions("sites")  # sites are no Dagster partitions (dagster_project/runs.py)
        event = instance.get_latest_materialization_event(dg.AssetKey("parsed_reports"))
        assert event is not None and event.run_id == run.dagster_run.run_id
        assert event.asset_materialization.metadata["reports_ok"].value == sum(by_site.values())
        check = instance.get_latest_asset_check_evaluation_record(
            dg.AssetCheckKey(dg.AssetKey("parsed_reports"), "unique_fact_keys"))
        assert check is not None and check.run_id == run.dagster_run.run_id  # the checks ran in that run, too


def test_ogi_run_and_crawl_refuse_a_missing_or_bad_sites_file(tmp_path: Path) -> None:
    proc = ogi("run", cwd=tmp_path, env={"DAGSTER_HOME": str(tmp_path / "h")})
    assert proc.returncode == 2 and "sites.json not found" in proc.stderr and "ogi sites add" in proc.stderr
    (tmp_path / "s.json").write_text('[{"name": "a", "start_urls": ["http://127.0.0.1:9/x/"]}]', encoding="utf-8")
    proc = ogi("crawl", "--sites", "s.json", "--site", "b", cwd=tmp_path)
    assert proc.returncode == 2 and "no site named b" in proc.stderr


def test_ogi_crawl_shows_progress_and_a_summary(portal: Portal, tmp_path: Path) -> None:
    entries = [s for s in portal.sites_config() if s["name"] in ("quzhou", "sihong")]
    (tmp_path / "s.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    proc = ogi("crawl", "--sites", "s.json", "--site", "sihong", "--data", "d", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "crawl sihong: " in proc.stderr and "quzhou" not in proc.stderr
    assert "attachment(s)" in proc.stdout and (tmp_path / "d" / "archive" / "manifest.jsonl").is_file()
