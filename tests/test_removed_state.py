"""v_removed_report reads the crawl state (crawl_site_run, crawl_url_state) that Warehouse.load_crawl_history folds
each run into, not crawl_seen; its rows are those of the view it replaced, which read crawl_seen
(tests/sql/v_removed_report_reference.sql), for every history.

Random crawl histories (several sites; report URLs answering 200, 304, 404, 410, 500, 200 cut short, or nothing
(network error); list pages failing or not, or none requested; runs finished, shut down or killed; a run loaded
while still running and loaded again once ended (replaced); runs loaded out of order; URLs requested as
attachments or by another site; lines without a site; mark_not_reports of report and list requests) are written as
real run logs (crawler.archive.Archive) into a real DuckDB file through the real load (Warehouse.load_crawl_history)
and the real marking (dagster_project.resources.mark_not_reports). After every step both views give the same rows, and
the state folded run by run equals the state recomputed from the whole history.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import warehouse
from crawler.archive import Archive, RunLog, new_run_id
from dagster_project import resources
from dagster_project.resources import CRAWL_STATE, Warehouse, mark_not_reports, rebuild_crawl_state

REFERENCE = (Path(__file__).parent / "sql" / "v_removed_report_reference.sql").read_text(encoding="utf-8")
DAY0 = datetime(2026, 1, 5, 6, tzinfo=UTC)
STATE_SQL = {t: f"select * from {t} order by all" for t in CRAWL_STATE}  # noqa: S608


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Site:
    name: str
    lists: list[str]
    reports: dict[str, int]  # report URL -> index of the list page that links it
    listed: dict[str, bool] = field(default_factory=dict)
    version: dict[str, int] = field(default_factory=dict)


class Histories:
    """One random crawl history, written as run logs into `archive`: `run()` writes the lines of the next run."""

    def __init__(self, rng: random.Random, archive: Archive) -> None:
        self.rng, self.archive = rng, archive
        self.sites = []
        for name in ["a", "b", "c"][: rng.randint(2, 3)]:
            lists = [f"http://{name}.test/list{j}.html" for j in range(rng.randint(1, 3))]
            reports = {f"http://{name}.test/r{i}.html": rng.randrange(len(lists)) for i in range(rng.randint(3, 10))}
            self.sites.append(Site(name, lists, reports, dict.fromkeys(reports, True), dict.fromkeys(reports, 0)))
        self.ids = [new_run_id(DAY0 + timedelta(hours=h, microseconds=rng.randrange(10**6))) for h in range(40)]
        self.next = 0

    def take_id(self) -> str:
        self.next += 1
        return self.ids[self.next - 1]

    def lines(self) -> list[dict]:
        """The request lines of one run of some of the sites (in site order), and the sites it crawled."""
        rng = self.rng
        out: list[dict] = []
        for site in self.sites:
            for url in site.reports:  # the site's links change between runs
                if rng.random() < (0.12 if site.listed[url] else 0.3):
                    site.listed[url] = not site.listed[url]
                if rng.random() < 0.1:
                    site.version[url] += 1
            no_lists = rng.random() < 0.05
            failed = set()
            for j, url in enumerate(site.lists):
                if no_lists:
                    break
                roll = rng.random()
                if roll < 0.08:
                    failed.add(j)
                    out.append(self.line(url, site.name, "list", 500, None, "error"))
                elif roll < 0.12:
                    failed.add(j)
                    out.append(self.line(url, site.name, "list", None, None, "error"))
                else:
                    out.append(self.line(url, site.name, "list", 200, sha(f"{url}#{rng.randrange(2)}"), "ok"))
            for url, page in site.reports.items():
                if site.listed[url] and not no_lists and page not in failed:
                    out.append(self.answer(url, site))
                elif rng.random() < 0.05:  # not listed, but requested all the same: a report article links it
                    out.append(self.line(url, site.name, "attachment", 200, sha(url), "ok", parent_url=site.lists[0]))
            if rng.random() < 0.1:  # another site's report link to one of this site's reports (never 2xx)
                other = rng.choice(self.sites)
                if other is not site:
                    url = rng.choice(list(other.reports))
                    status = rng.choice([404, 500, None])
                    outcome = "gone" if status == 404 else "error"
                    out.append(self.line(url, site.name, "report", status, sha(url) if status else None, outcome))
        if rng.random() < 0.1:  # a line without a site (its URLs never have one)
            url = f"http://nosite.test/r{rng.randrange(3)}.html"
            status = rng.choice([200, 200, 404])
            out.append(self.line(url, None, "report", status, sha(url), "ok" if status == 200 else "gone"))
        if out and rng.random() < 0.1:  # a URL logged twice: the first line is kept
            out.append(dict(rng.choice(out), status=None, sha256=None, outcome="error", reason="twice"))
        return out

    def answer(self, url: str, site: Site) -> dict:
        body = sha(f"{url}#{site.version[url]}")
        roll = self.rng.random()
        for limit, status, digest, outcome in (
            (0.72, 200, body, "ok"),
            (0.8, 404, body, "gone"),
            (0.84, 410, body, "gone"),
            (0.89, 500, None, "error"),
            (0.94, None, None, "error"),
            (0.97, 304, body, "ok"),  # an answer (ok) that is not 2xx
            (1.0, 200, None, "error"),  # 2xx, but cut short: not archived, not answered
        ):
            if roll < limit:
                return self.line(url, site.name, "report", status, digest, outcome)
        raise AssertionError

    @staticmethod
    def line(url: str, site: str | None, kind: str, status: int | None, digest: str | None, outcome: str,
             parent_url: str | None = None) -> dict:  # fmt: skip
        reason = None if outcome == "ok" else f"HTTP {status}" if status else "timeout"
        return {"url": url, "site": site, "kind": kind, "status": status, "sha256": digest, "outcome": outcome,
                "reason": reason, "parent_url": parent_url}  # fmt: skip

    def sites_of(self, lines: list[dict]) -> list[str]:
        crawled = sorted({line["site"] for line in lines if line["site"]})
        if self.rng.random() < 0.1:  # a site the run was to crawl but requested nothing of
            crawled = sorted({*crawled, self.rng.choice(self.sites).name})
        return crawled

    def open(self, run_id: str, lines: list[dict]) -> RunLog:
        return self.archive.open_run(run_id, self.sites_of(lines), DAY0)

    def finish(self, log: RunLog) -> None:
        roll = self.rng.random()
        if roll < 0.1:
            log.close()  # killed: no finish line
        else:
            log.finish(DAY0 + timedelta(days=1), "finished" if roll < 0.85 else "shutdown", archived=False)

    def write(self, run_id: str) -> None:
        """A whole run."""
        lines = self.lines()
        log = self.open(run_id, lines)
        log.seen_many(lines)
        self.finish(log)


def steps(h: Histories) -> Iterator[str]:
    """Write the history step by step; yield after each step what it was (then the test loads and compares)."""
    rng = h.rng
    events = ["run"] * rng.randint(5, 8) + ["late", "swap", "mark", "mark"]
    rng.shuffle(events)
    for event in ["run", *events]:
        if event == "run":
            h.write(h.take_id())
        elif event == "late":  # loaded while running, loaded again once it ended: its rows replaced
            lines = h.lines()
            cut = rng.randrange(len(lines) + 1)
            log = h.open(h.take_id(), lines)
            log.seen_many(lines[:cut])
            log.close()
            yield "running"
            log.seen_many(lines[cut:])
            h.finish(log)
        elif event == "swap":  # the later run loaded first, the earlier one next: loaded out of order
            earlier, later = h.take_id(), h.take_id()
            h.write(later)
            yield "later"
            h.write(earlier)
        elif event == "mark":  # the parser judges some archived answers not reports
            yield "mark"
            continue
        yield event


def mark(wh: Warehouse, rng: random.Random) -> None:
    """Some report answers, and sometimes a list page's answer, judged not reports (non_report_page), marked."""
    with wh.connect() as con:
        if "non_report_page" not in resources._tables(con):
            con.execute(warehouse.ddl("non_report_page"))
        answers = con.execute("select distinct url, sha256, kind from crawl_seen where outcome = 'ok' and sha256 is "
                              "not null and kind in ('report', 'list') order by all").fetchall()  # fmt: skip
        reports = [a for a in answers if a[2] == "report"]
        lists = [a for a in answers if a[2] == "list"]
        picked = rng.sample(reports, min(len(reports), rng.randint(1, 3)))
        if lists and rng.random() < 0.6:
            picked.append(rng.choice(lists))
        for url, digest, _ in picked:
            con.execute("insert into non_report_page values ($1, $1, $2, null, null, 'a notice')", [url, digest])
        mark_not_reports(con)


def compare(con: duckdb.DuckDBPyConnection, step: str) -> None:
    new = con.execute("select * from v_removed_report").fetchall()
    reference = con.execute("select * from v_removed_report_reference").fetchall()
    assert new == reference, step
    folded = {t: con.execute(q).fetchall() for t, q in STATE_SQL.items()}
    con.execute("begin transaction")
    rebuild_crawl_state(con)
    rebuilt = {t: con.execute(q).fetchall() for t, q in STATE_SQL.items()}
    con.execute("rollback")
    assert folded == rebuilt, step


@dataclass
class Calls:
    folds: int = 0
    rebuilds: int = 0


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """How often load_crawl_history folded runs in, and recomputed the state."""
    seen = Calls()
    fold, rebuild = resources.fold_crawl_state, resources.rebuild_crawl_state

    def counting_fold(con: duckdb.DuckDBPyConnection, after: str) -> None:
        seen.folds += after != ""
        fold(con, after)

    def counting_rebuild(con: duckdb.DuckDBPyConnection) -> None:
        seen.rebuilds += 1
        rebuild(con)

    monkeypatch.setattr(resources, "fold_crawl_state", counting_fold)
    monkeypatch.setattr(resources, "rebuild_crawl_state", counting_rebuild)
    return seen


def build(tmp_path: Path, seed: int, calls: Calls | None = None) -> tuple[Warehouse, int]:
    """Write and load one random history, comparing the views and the states after every step; (warehouse, steps)."""
    rng = random.Random(seed)
    archive = Archive(tmp_path / f"archive{seed}")
    wh = Warehouse(path=str(tmp_path / f"w{seed}.duckdb"))
    h = Histories(rng, archive)
    n = 0
    # a connection held open throughout: the load's own connections to the file share its database (DuckDB keeps
    # one per file and process), which spares opening the file again at every step
    with wh.connect() as con:
        for step in steps(h):
            if step == "mark":
                if n:
                    mark(wh, rng)
            else:
                before = calls.rebuilds if calls else 0
                wh.load_crawl_history(archive, batch_size=rng.choice([3, 1000]))
                if calls and step == "run" and n:  # a run later than every run loaded: folded, not recomputed
                    assert calls.rebuilds == before, step
            if n == 0:
                con.execute(warehouse.ddl("dim_report"))
                con.execute(warehouse.views()["v_removed_report"])
                con.execute(REFERENCE)
            compare(con, f"seed {seed}, step {n} ({step})")
            n += 1
    return wh, n


@pytest.mark.parametrize("seeds", [range(0, 5), range(5, 10)])
def test_the_view_over_the_state_equals_the_view_over_crawl_seen(tmp_path: Path, calls: Calls, seeds: range) -> None:
    removed = hows = 0
    for seed in seeds:
        wh, n = build(tmp_path, seed, calls)
        assert n >= 10
        rows = wh.query("select how, count(*) as n from v_removed_report group by how")
        removed += rows["n"].sum() or 0
        hows += rows.height
    # both paths ran: runs folded in one by one, and the state recomputed (first load, replaced and late runs,
    # list pages marked not reports)
    assert calls.folds >= 5 * len(seeds) and calls.rebuilds >= 2 * len(seeds)
    assert removed >= 2 * len(seeds) and hows >= len(seeds)  # the histories do remove reports, both ways


def test_the_view_reads_no_crawl_history_and_the_state_holds_a_row_per_url(tmp_path: Path) -> None:
    rng = random.Random(99)
    archive = Archive(tmp_path / "archive")
    wh = Warehouse(path=str(tmp_path / "w.duckdb"))
    h = Histories(rng, archive)
    with wh.connect() as con:  # held open: the loads' connections share its database (as in `build`)
        for _ in range(25):
            h.write(h.take_id())
            wh.load_crawl_history(archive)
        con.execute(warehouse.ddl("dim_report"))
        con.execute(warehouse.views()["v_removed_report"])
        con.execute(REFERENCE)

        def plan(view: str) -> str:
            return "\n".join(row[1] for row in con.execute(f"explain select * from {view}").fetchall())

        assert "crawl_url_state" in plan("v_removed_report") and "crawl_site_run" in plan("v_removed_report")
        assert "crawl_seen" not in plan("v_removed_report") and "crawl_run" not in plan("v_removed_report")
        assert "crawl_seen" in plan("v_removed_report_reference")  # what the plan shows of a scan of it
        seen, runs, keys = con.execute(
            "select count(*), count(distinct run_id), "
            "count(distinct (site, url)) filter (where kind = 'report' and status between 200 and 299) from crawl_seen"
        ).fetchone()
        site_runs = con.execute("select count(*) from (select site, run_id from crawl_seen union "
                                "select site, run_id from crawl_run)").fetchone()[0]  # fmt: skip
        assert runs == 25
        assert con.execute("select count(*), count(distinct (site, url)) from crawl_url_state").fetchone() == (keys, keys)
        assert con.execute("select count(*), count(distinct (site, run_id)) from crawl_site_run").fetchone() == (
            site_runs, site_runs)
        assert con.execute("select count(*) from crawl_url_state").fetchone()[0] * 10 < seen
        assert con.execute("select * from v_removed_report").fetchall() == con.execute(
            "select * from v_removed_report_reference").fetchall()  # fmt: skip


def test_views_on_a_warehouse_loaded_before_the_crawl_state(tmp_path: Path) -> None:
    """A warehouse whose history was loaded before the state tables existed: creating the views builds them."""
    rng = random.Random(5)
    archive = Archive(tmp_path / "archive")
    wh = Warehouse(path=str(tmp_path / "w.duckdb"))
    h = Histories(rng, archive)
    for _ in range(6):
        h.write(h.take_id())
        wh.load_crawl_history(archive)
    with wh.connect() as con:
        for table in ("crawl_url_state", "crawl_site_run"):
            con.execute(f"drop table {table}")
        for table in ("dim_report", "fact_disclosure", "dim_metric", "dim_agency", "report_issue", "report_document",
                      "dim_region", "dim_metric_label", "dim_applicant", "dim_period", "fact_raw_cell", "raw_page",
                      "non_report_page"):  # fmt: skip
            con.execute(warehouse.ddl(table))
    wh.create_views()
    with wh.connect() as con:
        con.execute(REFERENCE)
        assert con.execute("select count(*) from crawl_url_state").fetchone()[0] > 0
        assert con.execute("select * from v_removed_report").fetchall() == con.execute(
            "select * from v_removed_report_reference").fetchall()  # fmt: skip
