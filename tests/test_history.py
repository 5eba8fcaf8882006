"""Crawl history, report versions, restatements and removals; the demo portal's planted cross-report anomalies.

A real crawl (`scrapy crawl` subprocesses through `dg.materialize`, CrawlConfig(sites="demo")) of the real demo
portal on 127.0.0.1 over its two epochs, into a real DuckDB file; the planted anomalies are checked against the
generated values with a checker written here, independent of the generator's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import polars as pl
import pytest
from conftest import free_port

import warehouse
from crawler.archive import Archive
from portal import Portal
from portal.sites import EPOCHS, generate
from dagster_project.runs import materialize_sites
from dagster_project.resources import CRAWL_STATE, DEMO, CrawlConfig, Warehouse
from etl.frames import crawl_frames

HISTORY = {"crawl_run", "crawl_seen", *CRAWL_STATE}  # the crawl history and the state folded from it
APPLICANT_COLUMNS = ("natural_person", "business", "research", "social_org", "legal_service", "other", "total")


@pytest.fixture(scope="module")
def truth() -> Iterator[dict]:
    """Epoch-2 truth (its `planted` list is the same in both epochs)."""
    with Portal(corpus_dir="auto") as portal:
        portal.set_epoch(EPOCHS[-1])
        yield portal.truth()


def planted(truth: dict, kind: str) -> list[dict]:
    return [p for p in truth["planted"] if p["kind"] == kind]


def path(url: str, *, query: bool = False) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if query and parts.query else parts.path


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass
class Demo:
    wh: Warehouse
    archive: Archive
    crawl: CrawlConfig
    result: dg.ExecuteInProcessResult


def materialize(crawl: CrawlConfig, wh: Warehouse) -> dg.ExecuteInProcessResult:
    return materialize_sites({"crawl": crawl, "warehouse": wh})


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo materialised once: its first crawl runs over epoch 1, then epoch 2. A fixed port keeps the URLs
    the same when it is materialised again."""
    root = tmp_path_factory.mktemp("history")
    crawl = CrawlConfig(sites=DEMO, data_dir=str(root / "data"), demo_port=free_port())
    wh = Warehouse(path=str(root / "ogi.duckdb"))
    result = materialize(crawl, wh)
    assert result.success
    return Demo(wh, Archive(crawl.archive_path()), crawl, result)


# ---------------------------------------------------------------------------------------------------------
# Crawl history and versions


def test_first_demo_crawl_runs_both_epochs(demo: Demo, truth: dict) -> None:
    runs = demo.archive.runs()
    sites = sorted({r["site"] for r in truth["reports"]})
    assert len(runs) == len(EPOCHS)
    assert all(r["finish_reason"] == "finished" and r["sites"] == sorted(sites) for r in runs)
    first, second = ({path(s["url"], query=True): s for s in r["seen"]} for r in runs)  # record windows: by query
    removed = path(planted(truth, "removed")[0]["details"]["url"])
    assert first[removed]["status"] == 200 and removed not in second  # unlisted in epoch 2: never requested
    dead = [path(u) for u in truth["missing_urls"]]
    assert dead and all(first[p]["status"] == second[p]["status"] == 404 for p in dead)  # 404 links are logged
    assert set(second) == set(first) - {removed}

    crawl_run = demo.wh.query("select * from crawl_run order by run_id, site")
    assert crawl_run.height == len(EPOCHS) * len(sites)
    assert crawl_run["run_id"].unique().sort().to_list() == [r["run_id"] for r in runs]
    assert crawl_run["finished_at"].null_count() == 0
    seen = demo.wh.query("select run_id, url, status, sha256 from crawl_seen")
    assert seen.height == len(first) + len(second)
    loaded = demo.wh.query("select * from crawl_seen order by run_id, site, url")
    # the parse step marks the answers that are not reports (crawl_seen is otherwise the run logs as they are)
    marked = loaded.filter(pl.col("outcome") == "not_report")
    assert marked.height == 2 * len(runs) and marked["reason"].str.starts_with("not an annual report: ").all()
    # (the parser's reason replaces the run log's: none, or "not modified (HTTP 304)…" in the revisit of epoch 2)
    is_marked = loaded["outcome"] == "not_report"
    unmarked = loaded.with_columns(
        reason=pl.when(is_marked).then(None).otherwise(pl.col("reason")),
        outcome=pl.when(is_marked).then(pl.lit("ok")).otherwise(pl.col("outcome")),
    )
    logs = crawl_frames(runs).crawl_seen
    assert logs.with_columns(reason=pl.when(is_marked).then(None).otherwise(pl.col("reason"))).equals(unmarked)


def test_restated_report_keeps_both_versions(demo: Demo, truth: dict) -> None:
    (restated,) = planted(truth, "restatement")
    url_path = path(restated["details"]["url"])
    old, new = (generate(e).pages[url_path][0] for e in EPOCHS)
    assert old != new
    versions = [r for r in demo.archive.manifest() if path(r["url"]) == url_path]
    assert [r["sha256"] for r in versions] == [sha(old), sha(new)]  # both bodies archived, in fetch order
    assert demo.archive.get(sha(old)) == old and demo.archive.get(sha(new)) == new
    reports = demo.wh.query(
        "select sha256, is_current, report_year from dim_report where url like '%' || ? order by fetched_at", [url_path]
    )
    assert reports.rows() == [(sha(old), False, restated["report_year"]), (sha(new), True, restated["report_year"])]
    # every other report has one version
    assert demo.wh.query("select count(*) from dim_report group by url having count(*) > 1").height == 1


def test_v_restatement_lists_the_corrected_figures(demo: Demo, truth: dict) -> None:
    (restated,) = planted(truth, "restatement")
    rows = demo.wh.query(
        "select url, metric, applicant, period, old_value, new_value, change, old_report_id, new_report_id "
        "from v_restatement"
    )
    expected = {(c["metric"], c["applicant"], c["period"], c["old"], c["new"]) for c in restated["details"]["changes"]}
    assert len(expected) == 4
    got = rows.select("metric", "applicant", "period", "old_value", "new_value").rows()
    assert set(got) == expected and len(got) == len(expected)
    assert set(rows["change"]) == {"changed"}
    assert {path(u) for u in rows["url"]} == {path(restated["details"]["url"])}
    ids = demo.wh.query("select report_id from dim_report where url = ? order by fetched_at", [rows["url"][0]])
    assert (rows["old_report_id"][0], rows["new_report_id"][0]) == tuple(ids["report_id"])


def test_v_removed_report_lists_the_removed_report(demo: Demo, truth: dict) -> None:
    (removed,) = planted(truth, "removed")
    rows = demo.wh.query("select * from v_removed_report")
    assert rows.height == 1
    row = rows.row(0, named=True)
    assert path(row["url"]) == path(removed["details"]["url"]) and row["how"] == "unlisted"
    first, second = demo.archive.run_ids()
    assert (row["last_seen_run"], row["removed_run"]) == (first, second)
    current = demo.wh.query("select report_id, report_year from dim_report where url = ? and is_current", [row["url"]])
    assert current.rows() == [(row["report_id"], removed["report_year"])]


def test_rematerialising_without_new_fetches_keeps_derived_tables(demo: Demo) -> None:
    """A later crawl sees epoch 2 only: nothing new is fetched, history grows by one run per site."""

    def snapshot() -> dict[str, list[tuple[object, ...]]]:
        names = [t for t in warehouse.table_ddl() if t not in HISTORY] + list(warehouse.views())
        with demo.wh.connect() as con:
            return {n: con.sql(f"select * from {n} order by all").fetchall() for n in names}  # noqa: S608

    before = snapshot()
    runs = demo.wh.query("select count(distinct run_id) as runs, count(*) as rows from crawl_run").row(0)
    sites = runs[1] // runs[0]
    manifest = len(demo.archive.manifest())
    assert materialize(demo.crawl, demo.wh).success
    assert len(demo.archive.manifest()) == manifest
    assert snapshot() == before
    after = demo.wh.query("select count(distinct run_id) as runs, count(*) as rows from crawl_run").row(0)
    assert after == (runs[0] + 1, runs[1] + sites)


# ---------------------------------------------------------------------------------------------------------
# The planted anomalies, checked against the generated values (no warehouse)


def by_site(truth: dict) -> dict[str, dict[int, dict]]:
    """Epoch-1 generated reports by site and year, with their values as {(metric, applicant, period): value}."""
    out: dict[str, dict[int, dict]] = {}
    for r in generate(EPOCHS[0]).reports:
        values = {(v["metric"], v["applicant"], v["period"]): v["value"] for v in r["values"]}
        out.setdefault(r["site"], {})[r["report_year"]] = r | {"v": values}
    return out


def consecutive(truth: dict) -> Iterator[tuple[str, dict, dict]]:
    for site, years in by_site(truth).items():
        for y in sorted(years):
            if y - 1 in years:
                yield site, years[y - 1], years[y]


def keys(entries: list[dict], *detail: str) -> set[tuple]:
    return {(p["site"], p["report_year"], *(p["details"][d] for d in detail)) for p in entries}


def test_planted_carry_over(truth: dict) -> None:
    found = set()
    for site, before, after in consecutive(truth):
        for a in APPLICANT_COLUMNS:
            fwd = before["v"].get(("requests.carried_forward", a, "year"))
            over = after["v"].get(("requests.carried_over", a, "year"))
            if fwd is not None and over is not None and fwd != over:
                found.add((site, after["report_year"], a))
    assert found == keys(planted(truth, "carry_over"), "applicant") == {
        ("qujiang", 2021, "natural_person"), ("qujiang", 2021, "total"),
    }  # fmt: skip


def test_planted_stock_flow(truth: dict) -> None:
    found = set()
    for site, before, after in consecutive(truth):
        b, a = before["v"], after["v"]
        for doc in ("regulation", "normative_doc"):
            m = f"active.{doc}.in_force"
            parts = [b.get((m, None, "year")), a.get((m, None, "year"))]
            parts += [a.get((f"active.{doc}.{x}", None, "year")) for x in ("issued", "repealed")]
            if None not in parts and parts[1] != parts[0] + parts[2] - parts[3]:
                found.add((site, after["report_year"], m))
        for item in ("licensing", "other_service", "punishment", "coercion", "admin_fee"):
            m, change = f"active.{item}.prior_items", f"active.{item}.change"
            parts = [b.get((m, None, "year")), b.get((change, None, "year")), a.get((m, None, "year"))]
            if None not in parts and parts[2] != parts[0] + parts[1]:
                found.add((site, after["report_year"], m))
    assert found == keys(planted(truth, "stock_flow"), "metric") == {
        ("anju", 2023, "active.normative_doc.in_force"), ("yongan", 2020, "active.licensing.prior_items"),
    }  # fmt: skip


def test_planted_copy_paste(truth: dict) -> None:
    found = {(site, after["report_year"]) for site, before, after in consecutive(truth) if before["v"] == after["v"]}
    assert found == keys(planted(truth, "copy_paste")) == {("qzswj", 2022)}


def test_planted_late(truth: dict) -> None:
    found = {
        (r["site"], r["report_year"])
        for r in generate(EPOCHS[0]).reports
        if date.fromisoformat(r["published_at"]) > date(r["report_year"] + 1, 3, 31)
    }
    assert found == keys(planted(truth, "late")) == {("quzhou", 2019)}
    # the list prints the same late date as the page
    (late,) = planted(truth, "late")
    page = next(r for r in generate().reports if (r["site"], r["report_year"]) == ("quzhou", 2019))
    assert page["published_at"] == late["details"]["published_at"]


def test_planted_missing_year(truth: dict) -> None:
    found = set()
    for site, years in by_site(truth).items():
        found |= {(site, y) for y in range(min(years), max(years)) if y not in years}
    assert found == keys(planted(truth, "missing_year")) == {("tzspj", 2018)}
    gap_titles = [r for r in generate().reports if r["site"] == "tzspj" and "2018" in r["title"]]
    assert not gap_titles and not [u for u in truth["missing_urls"] if "/tzspj/" in u]  # no page, no 404 link


def test_planted_restatement_and_removal(truth: dict) -> None:
    first, later = ({r["path"]: r for r in generate(e).reports} for e in EPOCHS)
    changed = [p for p in first.keys() & later.keys() if first[p]["values"] != later[p]["values"]]
    (restated,) = planted(truth, "restatement")
    assert [path(restated["details"]["url"])] == changed
    old = {(v["metric"], v["applicant"]): v["value"] for v in first[changed[0]]["values"]}
    new = {(v["metric"], v["applicant"]): v["value"] for v in later[changed[0]]["values"]}
    for a in ("natural_person", "total"):  # still balanced: the figures moved between result rows
        rows = [m for m, _ in old if m.startswith("requests.result.") and m != "requests.result.total"]
        assert sum(new[m, a] - old[m, a] for m in rows) == 0
    assert {c["metric"] for c in restated["details"]["changes"]} == {
        "requests.result.disclosed", "requests.result.partially_disclosed",
    }  # fmt: skip

    (removed,) = planted(truth, "removed")
    assert sorted(first.keys() - later.keys()) == [path(removed["details"]["url"])]
    assert truth["removed_urls"] == [removed["details"]["url"]]
    gone = path(removed["details"]["url"])
    before, after = generate(EPOCHS[0]), generate(EPOCHS[-1])
    assert gone not in after.pages
    assert not any(gone.encode() in body for body, _ in after.pages.values())  # unlisted
    lists = {p for p in before.list_paths if p.startswith(f"/{removed['site']}/")}
    lists |= {p.rsplit("/", 1)[0] + "/" for p in lists}  # the column URL serves the first list page
    assert {p for p in before.pages if before.pages[p] != after.pages.get(p)} == {gone, *changed} | lists


def test_plants_do_not_overlap(truth: dict) -> None:
    reports = [(p["site"], p["report_year"]) for p in truth["planted"] if p["kind"] not in ("carry_over",)]
    balance = {(r["site"], r["report_year"]) for r in generate().reports if r["planted_issues"]}
    assert len(set(reports)) == len(reports) and not balance & set(reports)


# ---------------------------------------------------------------------------------------------------------
# Run logs -> frames (no crawl)


def test_run_logs_to_frames(tmp_path: Path) -> None:
    """Two runs; the second is killed before its end line and logs one URL twice, with a truncated last line."""
    from datetime import UTC, datetime

    archive = Archive(tmp_path)
    one = archive.open_run("20260101T000000000000Z", ["b", "a"], datetime(2026, 1, 1, tzinfo=UTC))
    one.seen("http://x/a/1.html", "a", "report", 200, "f" * 64)
    one.seen("http://x/a/2.html", "a", "report", 404, "e" * 64, "HTTP 404")
    one.seen("http://x/b/", "b", "list", None, None, "TimeoutError: took longer than 30.0 seconds")
    one.seen("http://x/a/1.pdf", "a", "attachment", 200, "c" * 64, None, "http://x/a/1.html")
    one.finish(datetime(2026, 1, 1, 0, 5, tzinfo=UTC), "finished")
    two = archive.open_run("20260102T000000000000Z", ["a"], datetime(2026, 1, 2, tzinfo=UTC))
    two.seen("http://x/a/1.html", "a", "report", 200, "d" * 64)
    two.seen("http://x/a/1.html", "a", "report", 500, None)
    with two.path.open("ab") as f:
        f.write(b'{"url": "http://x/a/3.ht')
    with pytest.raises(FileExistsError):
        archive.open_run("20260102T000000000000Z", ["a"], datetime(2026, 1, 2, tzinfo=UTC))

    assert archive.run_ids() == ["20260101T000000000000Z", "20260102T000000000000Z"]
    result = crawl_frames(archive.runs())
    assert result.crawl_run.rows() == [
        ("20260101T000000000000Z", "a", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 5, tzinfo=UTC),
         "finished", True),
        ("20260101T000000000000Z", "b", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 5, tzinfo=UTC),
         "finished", True),
        ("20260102T000000000000Z", "a", datetime(2026, 1, 2, tzinfo=UTC), None, None, False),  # killed: incomplete
    ]
    assert result.crawl_seen.rows() == [
        ("20260101T000000000000Z", "a", "http://x/a/1.html", "report", "ok", 200, "f" * 64, None, None),
        ("20260101T000000000000Z", "a", "http://x/a/1.pdf", "attachment", "ok", 200, "c" * 64, None,
         "http://x/a/1.html"),
        ("20260101T000000000000Z", "a", "http://x/a/2.html", "report", "gone", 404, "e" * 64, "HTTP 404", None),
        ("20260101T000000000000Z", "b", "http://x/b/", "list", "error", None, None,
         "TimeoutError: took longer than 30.0 seconds", None),
        ("20260102T000000000000Z", "a", "http://x/a/1.html", "report", "ok", 200, "d" * 64, None, None),
    ]
    assert crawl_frames(archive.runs()).crawl_seen.equals(result.crawl_seen)  # deterministic
