"""Cross-report checks on one agency holding N reports: time and memory of v_report_pair and the checks.

    python bench/cross_checks.py N [--years Y] [--sites S] [--uniform] [--restated] [--runs R] [--pair-sql FILE]
                                   [--keep DIR]

Builds a warehouse (a DuckDB file in a temporary directory, through the project's own load path:
etl.frames.report_frames -> Warehouse.replace_tables -> Warehouse.create_views) in which one agency publishes
N reports: S sites (default N / Y) sharing the agency's name each publish one body report a year for Y years
(default 10; the last site takes the remainder). Every report prints 34 figures: carry-over in/out per applicant,
requests.new and requests.result.total per applicant, 2021-format stock figures for two items, all consistent
within a site from year to year. Then it times, on the built file, `select count(*) from v_report_pair` and the
asset's INSERT of every check's findings (dagster_project.assets.cross_report_insert_sql), R runs each (median),
and prints pairs, findings by check, seconds and the process's peak RSS (the build's Python objects included).
Building the warehouse is not timed. --restated adds a second version of every report and times v_restatement.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Parameter .backfill_policy.")

import warehouse  # noqa: E402
from dagster_project.assets import WAREHOUSE_SOURCE, cross_report_insert_sql  # noqa: E402
from dagster_project.resources import Warehouse  # noqa: E402
from etl import frames  # noqa: E402
from etl.catalog import metrics  # noqa: E402
from etl.frames import PageInfo  # noqa: E402
from etl.model import ParseResult, Region, ReportMeta, Source, Value  # noqa: E402
from etl.regions import divisions  # noqa: E402

AGENCY = "衢州市人民政府办公室"
REGION = Region(province="浙江省", city="衢州市", county=None, code="330800")
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")  # fmt: skip
FIRST_YEAR = 2014


def figures(site: int, year: int) -> dict[tuple[str, str | None], float]:
    """A site's figures for a year, consistent with its previous year (carry-over and stock-flow balance).
    Site 0's figures are every site's with --uniform."""

    def forward(y: int, i: int) -> float:
        return float((site * 7 + y * 3 + i) % 11)

    out: dict[tuple[str, str | None], float] = {}
    for i, applicant in enumerate(APPLICANTS):
        out["requests.carried_over", applicant] = forward(year - 1, i)
        out["requests.carried_forward", applicant] = forward(year, i)
        out["requests.new", applicant] = float(site + year + i)
        out["requests.result.total", applicant] = float(site + year + 2 * i)
    for k, item in enumerate(("normative_doc", "regulation")):
        issued, repealed = float(year % 3 + k), float(year % 2)
        in_force = 10.0 + k + sum(y % 3 + k - y % 2 for y in range(FIRST_YEAR, year + 1))
        out[f"active.{item}.issued", None] = issued
        out[f"active.{item}.repealed", None] = repealed
        out[f"active.{item}.in_force", None] = in_force
    return out


def document(site: int, year: int, uniform: bool = False, version: int = 1) -> tuple[PageInfo, ParseResult]:
    """A site's report for a year; version 2 is re-published a month later with requests.new (total) + 1."""
    url = f"http://site{site:04d}.example/ogi/{year}.html"
    sha = hashlib.sha256(f"{url}#{version}".encode()).hexdigest()
    printed = figures(0 if uniform else site, year)
    if version > 1:
        printed["requests.new", "total"] += version - 1
    values = [
        Value(metric, applicant, "year", number, "件", False, Source("table", "表", metric, applicant, str(number)))
        for (metric, applicant), number in printed.items()
    ]
    meta = ReportMeta(
        title=f"{AGENCY}{year}年政府信息公开工作年度报告", agency=AGENCY, region=REGION, report_year=year,
        published_at=f"{year + 1}-01-15", format="2021", scope="body",
    )  # fmt: skip
    result = ParseResult(input=url, ok=True, report=meta, values=values, issues=[])
    return PageInfo(url, sha, f"site{site:04d}", meta.title, None, f"2026-0{version}-01T00:00:00Z"), result


def documents(
    n: int, years: int, sites: int | None = None, uniform: bool = False, restated: bool = False
) -> list[tuple[PageInfo, ParseResult]]:
    """n reports of one agency: `sites` sites (default n // years) x consecutive years, row by row; with
    `restated` each also has a second version (2n bodies)."""
    sites = sites or max(1, n // years)
    versions = (1, 2) if restated else (1,)
    return [document(i % sites, FIRST_YEAR + i // sites, uniform, v) for i in range(n) for v in versions]


def build(path: Path, docs: list[tuple[PageInfo, ParseResult]]) -> Warehouse:
    wh = Warehouse(path=str(path))
    with wh.connect() as con:
        for ddl in warehouse.table_ddl().values():
            con.execute(ddl)
    reports = frames.report_frames(docs)
    dim_region = frames.region_frame(divisions())
    wh.replace_tables(
        {
            "dim_metric": frames.metric_frame(metrics().values()),
            **reports._asdict(),
            "dim_region": dim_region,
            "dim_agency": frames.agency_frame(reports.dim_report, dim_region),
        }
    )
    wh.create_views()
    return wh


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="reports of the one agency")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--sites", type=int, default=None, help="sites sharing the agency (default n / years)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--uniform", action="store_true",
                        help="every site prints the same figures (no finding between sites, whatever the pairs)")
    parser.add_argument("--restated", action="store_true",
                        help="every report also has a second version with one figure changed; times v_restatement")
    parser.add_argument("--pair-sql", type=Path, default=None,
                        help="run this CREATE VIEW file after the build, e.g. an older v_report_pair (compare variants)")
    parser.add_argument("--keep", type=Path, default=None, help="build the warehouse in this directory and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "cross.duckdb"
        path.unlink(missing_ok=True)
        start = time.perf_counter()
        docs = documents(args.n, args.years, args.sites, args.uniform, args.restated)
        wh = build(path, docs)
        if args.pair_sql:
            with wh.connect() as con:
                con.execute(args.pair_sql.read_text(encoding="utf-8"))
        build_s = time.perf_counter() - start
        insert = cross_report_insert_sql(warehouse.checks())

        def pairs() -> int:
            return wh.query("select count(*) from v_report_pair").item()

        def checks() -> int:
            with wh.connect() as con:
                con.execute("delete from report_issue where source = $1", [WAREHOUSE_SOURCE])
                con.execute(insert, {"source": WAREHOUSE_SOURCE})
                return con.execute("select count(*) from report_issue where source = $1", [WAREHOUSE_SOURCE]).fetchone()[0]

        def restatements() -> int:
            return wh.query("select count(*) from (select * from v_restatement)").item()

        pair_s, n_pairs = timed(pairs, args.runs)
        if args.restated:
            rest_s, n_rest = timed(restatements, args.runs)
        check_s, n_findings = timed(checks, args.runs)
        by_check = wh.query(
            "select check_name, count(*) as n from report_issue where source = $1 group by all order by all",
            [WAREHOUSE_SOURCE],
        )
        reports = wh.query("select count(*) from dim_report").item()
        agencies = wh.query("select count(distinct agency_id) from dim_report").item()
        sites = wh.query("select count(distinct site) from dim_report").item()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"reports {reports} (agencies {agencies}, sites {sites}, years {args.years}); build {build_s:.1f} s")
        if args.restated:
            print(f"v_restatement: {n_rest} changed figures in {rest_s:.3f} s (median of {args.runs})")
        print(f"v_report_pair: {n_pairs} pairs in {pair_s:.3f} s (median of {args.runs})")
        print(f"cross-report checks: {n_findings} findings in {check_s:.3f} s (median of {args.runs})")
        print("  " + ", ".join(f"{name} {n}" for name, n in by_check.iter_rows()))
        print(f"peak RSS {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
