"""Assets: crawl -> raw_page -> parsed reports -> dimensions -> summary view.

Assets hand data over through the DuckDB file (no IO manager: dagster-duckdb-polars is broken on DuckDB 2.0).
Each asset rebuilds its tables completely from its inputs, so re-materialising gives identical tables.
No `from __future__ import annotations` here: Dagster inspects the real annotations of context and resources.
"""

import contextlib
import dataclasses
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
import polars as pl

from crawler.archive import Archive
from crawler.run import CrawlStats, run_crawl
from dagster_project.parsing import (
    DEFAULT_CHUNK,
    ParseJob,
    cache_dir,
    chunk_size,
    chunks,
    auto_workers,
    cached_entry,
    page_keys,
    run_chunks,
    site_hints,
)
from dagster_project.progress import bar as progress_bar, terminal
from dagster_project.warming import CacheWarmer, WarmStats
from dagster_project.resources import (
    CrawlConfig,
    DemoPortInUse,
    ParseState,
    SitesNotConfigured,
    Warehouse,
    mark_not_reports,
    transaction,
)
from etl import parser_version
from etl.frames import REPORT_ORDER, ReportFrames, agency_frame, dictionary_frames, region_frame
from etl.regions import divisions
from reports import index_path
import warehouse as sql
from warehouse import checks as check_sql

# Last year's reports are due by 31 March (departments by 31 January): by 1 April the parsed reports must come from
# a run of the last 60 days, i.e. one made after the departments' deadline.
REPORT_SEASON_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 0 1 4 *", lower_bound_delta=timedelta(days=60), timezone="Asia/Shanghai"
)


HARVEST = "harvest"
PARSE = "parse"
WAREHOUSE = "warehouse"

WAREHOUSE_SOURCE = "warehouse"  # report_issue.source of cross-report findings
# check_name of every cross-report finding (warehouse/checks/*.sql), in the contract's order.
CROSS_REPORT_CHECKS = ("carry_over", "stock_flow", "copy_paste", "publication.late", "publication.missing_year")

PREVIEW_ROWS = 20
STAGE_BATCH = 1000  # reports per staging append at least (the last one excepted)

def preview(frame: pl.DataFrame, rows: int = PREVIEW_ROWS, *, total: int | None = None) -> dg.MetadataValue:
    """The first rows of a frame as a markdown table (lists and long texts shortened); `total`: the rows of the
    table the frame is the head of (default: the frame's)."""
    if frame.height == 0:
        return dg.MetadataValue.md("(none)")
    head = frame.head(rows)
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    for row in head.iter_rows():
        cells = [_cell(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    total = frame.height if total is None else total
    if total > rows:
        lines.append(f"\n{total - rows} more rows")
    return dg.MetadataValue.md("\n".join(lines))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


@dg.asset(
    group_name=HARVEST,
    kinds={"scrapy", "duckdb"},
    description=(
        "Crawls the configured sites into the raw archive (`<data>/archive`, content-addressed bodies plus "
        "manifest plus one log per crawl run) and loads tables `raw_page`: one row per archived page version "
        "(url, sha256); `crawl_run`: one row per crawl run x site; `crawl_seen`: one row per crawl run x URL seen. "
        "Meanwhile new reports are parsed into the parse cache (crawl resource `parse_during_crawl`). "
        "A run for some sites (crawl resource `only`) crawls only those."
    ),
)
def raw_pages(context: dg.AssetExecutionContext, crawl: CrawlConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    archive_dir = crawl.archive_path()
    archive = Archive(archive_dir)
    runs: list[CrawlStats] = []
    warm: list[WarmStats] = []
    only = frozenset(crawl.only) or None
    try:
        finished = any(run["finish_reason"] == "finished" for run in archive.run_summaries())  # a killed first crawl: again
        with crawl.crawl_target(first_crawl=not finished) as target:
            sites = [s for s in target.sites if only is None or s["name"] in only]
            unconfigured = sorted((only or set()) - {str(s["name"]) for s in sites})
            if unconfigured:  # a site asked for that the crawl configuration lacks: said, not skipped silently
                context.log.warning("site(s) %s not in the crawl configuration: not crawled", unconfigured)
            crawl.save_sites(sites)
            for prepare in target.passes if sites else ():
                prepare()
                context.log.info("crawling %d site(s) into %s", len(sites), archive_dir)
                with _warmer(context, crawl, archive, sites) as warmer:
                    runs.append(
                        run_crawl(sites, archive_dir, portal=target.portal_url, timeout=crawl.timeout,
                                  progress=(terminal() or sys.stderr) if crawl.progress else None)
                    )  # fmt: skip
                if warmer is not None:
                    warm.append(warmer.stats)
                context.log.info("crawl run %s: %s in %.1f s", runs[-1].run_id, runs[-1].finish_reason, runs[-1].seconds)
    except (SitesNotConfigured, DemoPortInUse) as exc:
        raise dg.Failure(description=str(exc)) from None
    loading = time.perf_counter()
    added, total = warehouse.load_raw_pages(archive)
    runs_read, history = warehouse.load_crawl_history(archive)
    counts = {"raw_page": total, **history}
    context.log.info("loaded raw_page: %d new row(s), %d in all; %d crawl run(s) read: %s; in %.2f s", added, total,
                     runs_read, ", ".join(f"{table}: {n} row(s)" for table, n in history.items()),
                     time.perf_counter() - loading)  # fmt: skip
    kinds = warehouse.query("select kind, count(*) as len from raw_page group by kind order by kind")
    frame = warehouse.query(
        f"select site, kind, status, title, list_date, url from raw_page order by url, sha256 limit {PREVIEW_ROWS}"  # noqa: S608
    )
    return dg.MaterializeResult(
        metadata={
            "rows": counts["raw_page"],
            "new_rows": added,
            "report_pages": int(kinds.filter(pl.col("kind") == "report")["len"].sum()),
            "crawl_run_rows": counts["crawl_run"],
            "crawl_seen_rows": counts["crawl_seen"],
            "crawl": [{k: v for k, v in dataclasses.asdict(stats).items() if k != "issues"} for stats in runs],
            "crawl_issues": sum(len(stats.issues) for stats in runs),
            "parsed_during_crawl": sum(stats.parsed for stats in warm),
            "sites_not_configured": unconfigured,
            "by_kind": preview(kinds),
            "preview": preview(frame, total=total),
        }
    )


class ParseConfig(dg.Config):
    """Run config of `parsed_reports`. A report's year is known only once it is parsed, so re-parsing one report
    year is a setting, not a partition: `report_years` re-parses the bodies whose last parse gave one of these
    years (and any body not parsed yet) and replaces their rows only. Parse results are cached by their inputs and
    the parser version (dagster_project/parsing.py): `reparse` parses every report again anyway (and refreshes the
    cache). `workers`: parsing processes (1 = in this process; 0 = automatic: one per core, `os.cpu_count()`, unless
    the work is too small to repay starting a pool, then 1); `chunk_size`: reports per chunk of work and per staging
    append at most. A script that runs the pipeline with a pool needs the `if __name__ == "__main__":` guard (the
    workers, started by forkserver, import the main module)."""

    report_years: list[int] = []
    reparse: bool = False
    workers: int = 0
    chunk_size: int = DEFAULT_CHUNK


def _parse_job(crawl: CrawlConfig, version: str, *, reparse: bool = False) -> ParseJob:
    """The crawl configuration's archive and parse cache (of parser `version`), for parsed_reports and the warmer."""
    return ParseJob(archive=str(crawl.archive_path()), cache=str(cache_dir(crawl.data_path(), version)), reparse=reparse)


@contextlib.contextmanager
def _warmer(context: dg.AssetExecutionContext, crawl: CrawlConfig, archive: Archive,
            sites: list[dict[str, Any]]) -> Iterator[CacheWarmer | None]:  # fmt: skip
    """Reports parsed into the parse cache while the crawl runs (dagster_project/warming.py), unless the crawl
    resource's `parse_during_crawl` is off; the counts logged when the crawl has ended."""
    if not crawl.parse_during_crawl:
        yield None
        return
    with CacheWarmer(archive, _parse_job(crawl, parser_version()), site_hints(sites),
                     on_error=context.log.warning) as warmer:  # fmt: skip
        yield warmer
    stats = warmer.stats
    if stats.parsed or stats.cached:
        context.log.info(
            "parsed %d report(s) into the parse cache during the crawl (%d there already; %d waiting for an "
            "attachment and %d behind the crawl, left to the parse step)", stats.parsed, stats.cached,
            stats.waiting + stats.forgotten, stats.skipped,
        )


def _parsed_years(warehouse: Warehouse) -> pl.DataFrame:
    """(url, sha256, parsed_year) of every report version parsed so far (none before the first parse)."""
    if not warehouse.query(
        "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'dim_report'"
    ).item():
        return pl.DataFrame(schema={"url": pl.String, "sha256": pl.String, "parsed_year": pl.Int16})
    return warehouse.query("select url, sha256, report_year as parsed_year from dim_report")


@dg.asset(
    group_name=PARSE,
    kinds={"python", "polars", "duckdb"},
    deps=[raw_pages],
    freshness_policy=REPORT_SEASON_FRESHNESS,
    description=(
        "Parses every distinct archived report body with its attachments (etl.parse.parse_report; results cached "
        "by inputs and parser version under `<data>/parsed/`, parsed in chunks over a process pool) and loads "
        "`dim_report` (one row per report version), `fact_disclosure` (one row per report x metric x applicant x "
        "period), `fact_raw_cell` (one row per printed numeric cell, mapped or not), `report_issue` (one row per "
        "parser finding; unreadable documents get a `parse.error` row), `report_document` (one row per report x "
        "document) and `non_report_page` (one row per page that is not a report): chunks are appended to staging "
        "tables and swapped in at the end in one transaction. A run for some sites (crawl resource `only`) "
        "re-parses only their reports and replaces only their rows."
    ),
)
def parsed_reports(
    context: dg.AssetExecutionContext, config: ParseConfig, crawl: CrawlConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    only = frozenset(crawl.only) or None
    pages = warehouse.query(sql.query("report_pages"))
    if only is not None:
        pages = pages.filter(pl.col("site").is_in(sorted(only)))
    if config.report_years:
        pages = pages.join(_parsed_years(warehouse), on=["url", "sha256"], how="left").filter(
            pl.col("parsed_year").is_null() | pl.col("parsed_year").is_in(config.report_years)
        ).drop("parsed_year")
    pages = pages.sort("url", "fetched_at", "sha256", nulls_last=True)
    attachments = warehouse.query(sql.query("report_attachments")).filter(
        pl.col("parent_url").is_in(pages["url"].unique().implode())
    )
    by_parent: dict[str, list[dict[str, Any]]] = {}
    for a in attachments.iter_rows(named=True):
        by_parent.setdefault(a.pop("parent_url"), []).append(a)
    version = parser_version()
    job = _parse_job(crawl, version, reparse=config.reparse)
    sites = site_hints(crawl.load_sites())
    pages = pages.with_columns(
        parse_key=pl.Series(page_keys(pages.iter_rows(named=True), by_parent, sites), dtype=pl.String),
        parser_version=pl.lit(version, pl.String),
    )
    total = pages.height
    # Incremental: only the URLs whose inputs changed since the tables were built (pipeline.parse_state) are done again;
    # a first parse, `reparse` and `report_years` rebuild what they cover.
    state = None if config.reparse or config.report_years else warehouse.parse_state()
    full = only is None and not config.report_years and state is None  # everything: reports no longer archived go too
    drop_urls: list[str] = []
    if state is not None:
        changed, drop_urls = _changed_urls(pages, state if only is None else state.filter(pl.col("site").is_in(sorted(only))))
        pages = pages.filter(pl.col("url").is_in(sorted(changed)))
    unchanged = total - pages.height
    if state is not None and pages.height == 0 and not drop_urls:
        context.log.info("%d report page(s), none changed since the last parse (parser %s): tables kept", total, version)
        warehouse.unstage()  # what a run that died before its swap left
        parsed = cached = batches = workers = 0
        counts = {}
    else:
        workers = config.workers
        if workers <= 0:
            to_parse = pages.height if job.reparse else sum(not cached_entry(job, k) for k in pages["parse_key"])
            workers = auto_workers(to_parse, pages.height - to_parse)
        size = chunk_size(pages.height, workers, config.chunk_size)
        context.log.info(
            "parsing %d of %d report page(s) (%d unchanged since the last parse, %d URL(s) gone) with %d "
            "attachment(s): %d worker(s), chunks of up to %d, parser %s%s",
            pages.height, total, unchanged, len(drop_urls), sum(len(by_parent.get(u, ())) for u in pages["url"].unique()),
            workers, size, version, " (re-parsing everything)" if config.reparse else "",
        )  # fmt: skip
        parsed = cached = batches = 0
        work = chunks(pages.iter_rows(named=True), by_parent, sites, size)
        pending: list[ReportFrames] = []  # chunks' frames waiting to be appended together (bulk appends are cheaper)
        with (
            warehouse.staging(REPORT_ORDER) as append,
            progress_bar("parse", pages.height, enabled=crawl.progress) as advance,  # a bar on the CLI's terminal
        ):
            for result in run_chunks(job, work, workers):
                for level, message in result.messages:
                    context.log.log(level, message)
                pending.append(result.frames)
                if sum(f.dim_report.height + f.non_report_page.height for f in pending) >= STAGE_BATCH:
                    append(_concat(pending))
                    pending.clear()
                parsed, cached, batches = parsed + result.parsed, cached + result.cached, batches + 1
                advance(result.reports)
                context.log.info(
                    "chunk %d: %d of %d report page(s) done (%d parsed, %d from the cache)",
                    batches, parsed + cached, pages.height, parsed, cached,
                )  # fmt: skip
            if pending:
                append(_concat(pending))
        # the state records what the tables were built from; a page whose parse was not cached (a crash, an
        # unreadable body, a failed conversion) stays out of it, so the next run tries it again
        kept = pages.filter(pl.Series([cached_entry(job, key) for key in pages["parse_key"]], dtype=pl.Boolean))
        done = ParseState(kept, None if full else sorted({*pages["url"], *drop_urls}))
        counts = warehouse.swap_staged(
            REPORT_ORDER, keep_other_reports=not full, drop_urls=drop_urls, state=done
        )
        context.log.info("loaded %s", ", ".join(f"{table}: {n} row(s)" for table, n in counts.items()))
    with warehouse.connect() as con:  # also the latest crawl's requests of pages already known as not reports
        mark_not_reports(con)
    totals = warehouse.query(
        "select count(*) filter (where parse_ok) as reports_ok, count(*) filter (where not parse_ok) as reports_failed, "
        "count(*) filter (where version_flag is not null) as versions_flagged, "
        "count(distinct agency_id) as agencies, (select count(*) from non_report_page) as not_reports, "
        "count(*) as reports from dim_report"
    ).row(0, named=True)
    head = warehouse.query(
        f"select agency, report_year, format, n_values, n_unmapped, n_issues, parse_error, url from dim_report "
        f"order by report_id limit {PREVIEW_ROWS}"  # noqa: S608 - a constant
    )
    return dg.MaterializeResult(
        metadata={
            **{f"rows_{table}": n for table, n in counts.items()},
            **{k: int(v) for k, v in totals.items()},
            "parsed": parsed,
            "cached": cached,
            "unchanged": unchanged,
            "urls_gone": len(drop_urls),
            "workers": workers,
            "batches": batches,
            "parser_version": version,
            "preview": preview(head, total=totals["reports"]),
        }
    )


def _concat(frames: list[ReportFrames]) -> dict[str, pl.DataFrame]:
    """Several chunks' frames as one frame per table (the staging tables are sorted at the swap)."""
    return {table: pl.concat([getattr(f, table) for f in frames]) for table in ReportFrames._fields}


def _changed_urls(pages: pl.DataFrame, state: pl.DataFrame) -> tuple[set[str], list[str]]:
    """URLs whose report pages or parse inputs differ from the recorded state (a new version, other attachments or
    hints, another parser), and the recorded URLs no longer among the pages."""
    keys = ["url", "sha256", "parse_key", "parser_version"]
    now, then = pages.select(keys), state.select(keys)
    changed = set(now.join(then, on=keys, how="anti")["url"]) | set(then.join(now, on=keys, how="anti")["url"])
    gone = sorted(set(then["url"]) - set(now["url"]))
    return changed - set(gone), gone


@dg.asset(
    group_name=WAREHOUSE,
    kinds={"python", "polars", "duckdb"},
    description=(
        "The data dictionary tables of the catalog (etl/catalog): `dim_metric` (one row per metric code: unit, "
        "printed labels, what it counts), `dim_metric_label` (its printed label per report format), `dim_applicant` "
        "and `dim_period` (the codes of fact_disclosure.applicant and .period)."
    ),
)
def dim_metric(warehouse: Warehouse) -> dg.MaterializeResult:
    frames = dictionary_frames()
    counts = warehouse.replace_tables(frames)
    return dg.MaterializeResult(
        metadata={
            "rows": counts["dim_metric"],
            **{f"{table}_rows": n for table, n in counts.items() if table != "dim_metric"},
            "preview": preview(frames["dim_metric"].select("code", "unit", "label_zh", "column_zh", "description_en")),
        }
    )


@dg.asset(
    group_name=WAREHOUSE,
    kinds={"python", "polars", "duckdb"},
    description=(
        "Table `dim_region`: one row per administrative division (province, city, county; current or historical) "
        "of etl/data/regions.csv, with its parent, province and city codes."
    ),
)
def dim_region(warehouse: Warehouse) -> dg.MaterializeResult:
    frame = region_frame(divisions())
    counts = warehouse.replace_tables({"dim_region": frame})
    return dg.MaterializeResult(
        metadata={
            "rows": counts["dim_region"],
            "current": int(frame["is_current"].sum()),
            "by_level": preview(frame.group_by("level", "is_current").len().sort("level", "is_current")),
        }
    )


@dg.asset(
    group_name=WAREHOUSE,
    kinds={"python", "polars", "duckdb"},
    deps=[parsed_reports, dim_region],
    description=(
        "Table `dim_agency`: one row per agency (normalised full name + region code) found in `dim_report`, typed "
        "(government, office, department, other) and placed (level, province and city codes from `dim_region`)."
    ),
)
def dim_agency(warehouse: Warehouse) -> dg.MaterializeResult:
    frame = agency_frame(warehouse.query("select * from dim_report"), warehouse.query("select * from dim_region"))
    counts = warehouse.replace_tables({"dim_agency": frame})
    return dg.MaterializeResult(
        metadata={
            "rows": counts["dim_agency"],
            "by_type": preview(frame.group_by("agency_type", "level").len().sort("agency_type", "level")),
            "preview": preview(
                frame.select("name", "agency_type", "level", "region_code", "n_reports", "first_year", "last_year")
            ),
        }
    )


@dg.asset(
    group_name=WAREHOUSE,
    kinds={"duckdb"},
    deps=[parsed_reports, dim_agency, dim_metric],
    description=(
        "Views of warehouse/views, among them `v_agency_year`: one row per agency x report year x scope with "
        "the headline figures of the picked current readable report; `v_harmonized` (one row per agency-year-scope "
        "x series comparable across formats, through `v_crosswalk`), `v_rates` and `v_refusal_reasons`."
    ),
)
def agency_year_summary(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    views = warehouse.create_views()
    with warehouse.connect() as con:  # what the views read, and their SQL
        inputs = warehouse.fingerprint(con, dict.fromkeys(SUMMARY_INPUTS, ""), sorted(sql.views().items()))
        kept = warehouse.load_mark(con, "agency_year_summary") == inputs
    last = context.instance.get_latest_materialization_event(context.asset_key) if kept else None
    if last is not None and last.asset_materialization is not None and "rows" in last.asset_materialization.metadata:
        # nothing the summary is read from changed since it was last read: its figures are those
        context.log.info("agency_year_summary: no table or view it reads changed since the last run: figures kept")
        return dg.MaterializeResult(metadata={**last.asset_materialization.metadata, "kept": True})
    summary = warehouse.query("select * from v_agency_year")
    totals = warehouse.query(
        "select count(*) as reports, count(distinct agency_id) as agencies, "
        "count(*) filter (where parse_ok) as readable from dim_report"
    ).row(0, named=True)
    report = index_path(warehouse.database())  # written by html_report, downstream of this asset in the same run
    with warehouse.connect() as con:
        with transaction(con):
            warehouse.set_load_mark(con, "agency_year_summary", inputs)
    return dg.MaterializeResult(
        metadata={
            "kept": False,
            "report": dg.MetadataValue.path(str(report)),
            "views": ", ".join(views),
            "rows": summary.height,
            **{k: int(v) for k, v in totals.items()},
            "preview": preview(
                summary.select(
                    "agency", "report_year", "scope", "format", "requests", "handled", "disclosed", "n_issues"
                )
            ),
        }
    )


def _inputs_fingerprint(con: Any, insert: str) -> str:
    """What the cross-report findings are derived from, as one value: every row of dim_report, fact_disclosure,
    the parser's report_issue rows and dim_metric (order-independent sums of row hashes), and the checks' SQL."""
    tables = {"dim_report": "", "fact_disclosure": "", "dim_metric": "",
              "report_issue": f"where t.source <> '{WAREHOUSE_SOURCE}'"}  # fmt: skip
    return Warehouse.fingerprint(con, tables, insert)


# what v_agency_year reads (through v_harmonized and v_crosswalk), and the totals beside it
SUMMARY_INPUTS = ("dim_report", "fact_disclosure", "dim_metric", "dim_agency")


def _findings_fingerprint(con: Any) -> str:
    """The cross-report findings in report_issue, as one value."""
    row = con.execute("select count(*), sum(hash(t)::hugeint) from report_issue as t where t.source = $1",
                      [WAREHOUSE_SOURCE]).fetchone()  # fmt: skip
    return f"{row[0]}/{row[1]}"


def cross_report_insert_sql(queries: Mapping[str, str]) -> str:
    """The INSERT of every check query's rows (warehouse/checks) into report_issue with source 'warehouse'."""
    parts = [f"select * from (\n{text.strip().rstrip(';')}\n)" for text in queries.values()]
    return sql.query("cross_report_insert").replace("{findings}", "\nunion all by name\n".join(parts))


@dg.asset(
    group_name=WAREHOUSE,
    kinds={"duckdb"},
    deps=[parsed_reports, dim_agency, agency_year_summary],
    description=(
        "Cross-report checks of warehouse/checks (carry_over, stock_flow, copy_paste, publication.late, "
        "publication.missing_year) over consecutive years of the same agency: one `report_issue` row per finding "
        "with source 'warehouse', attached to the later report. Replaces the previous run's rows."
    ),
)
def cross_report_checks(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    queries = check_sql()
    insert = cross_report_insert_sql(queries)
    with warehouse.connect() as con:
        inputs = _inputs_fingerprint(con, insert)
        # kept when the inputs are those the findings were derived from and the findings are still there (a full
        # parse recreates report_issue without them)
        kept = warehouse.load_mark(con, "cross_report_checks") == f"{inputs}:{_findings_fingerprint(con)}"
        if kept:
            context.log.info("cross-report checks: no report, figure or check changed since the last run: findings kept")
        else:
            with transaction(con):
                con.execute("delete from report_issue where source = $1", [WAREHOUSE_SOURCE])
                con.execute(insert, {"source": WAREHOUSE_SOURCE})
                warehouse.set_load_mark(con, "cross_report_checks", f"{inputs}:{_findings_fingerprint(con)}")
            con.execute("checkpoint")
    findings = warehouse.query(
        "select i.check_name, i.severity, r.agency, r.report_year, i.applicant, i.message, i.report_id "
        "from report_issue as i join dim_report as r using (report_id) where i.source = $1 "
        "order by i.check_name, r.agency, r.report_year, i.report_id, i.ordinal",
        [WAREHOUSE_SOURCE],
    )
    by_check = findings.group_by("check_name").len()
    counts = dict(zip(by_check["check_name"], by_check["len"], strict=True))
    context.log.info(
        "cross-report findings: %s", ", ".join(f"{name} {counts.get(name, 0)}" for name in CROSS_REPORT_CHECKS)
    )
    return dg.MaterializeResult(
        metadata={
            "rows": findings.height,
            "kept": kept,  # no input changed since the findings were derived: not derived again
            **{f"rows_{name}": int(counts.get(name, 0)) for name in CROSS_REPORT_CHECKS},
            "preview": preview(findings),
        }
    )


REPORT = "report"
REPORT_SECONDS = 120.0  # html_report: no page is started after this much rendering in a run (reports/build.py)


class ReportConfig(dg.Config):
    """Run config of `html_report`. A page costs about half a second of CPU (six vl-convert charts), so a run
    renders at most `max_pages` pages (0: none; negative: no cap) and starts none after `max_seconds` of rendering
    (0: no cap); the agencies left are pending: said in the metadata (`pending`) and beside their names on the
    index, and rendered by the next runs (missing pages first). `workers`: rendering processes (0 = automatic:
    every core for 32 pages or more, else 1)."""

    max_pages: int = -1
    max_seconds: float = REPORT_SECONDS
    workers: int = 0


@dg.asset(
    group_name=REPORT,
    kinds={"html"},
    deps=[agency_year_summary, cross_report_checks],
    description=(
        "Writes the static HTML report beside the warehouse file (`<warehouse folder>/report/`, as `ogi report "
        "--out` does): `index.html` ranking the agencies, and `agency-<agency_id>.html`, one page of charts per agency "
        "row of v_agency_year / v_publication_ledger (requests, outcomes, refusal reasons, review and litigation, "
        "quality scorecard with the cross-report findings, publication ledger). Only the pages of agencies whose "
        "data changed are rendered again (a fingerprint per agency in `report/report-state.json`); rendering is "
        "capped per run (run config max_pages, max_seconds), the pages left pending are said in the metadata."
    ),
)
def html_report(context: dg.AssetExecutionContext, config: ReportConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from reports.build import update_report  # vl-convert and the renderer, only for this step

    index = index_path(warehouse.database())
    with warehouse.connect() as con:
        done = update_report(
            con, index.parent, source=warehouse.database().name, allow_empty=True, workers=config.workers,
            max_pages=config.max_pages if config.max_pages >= 0 else None, max_seconds=config.max_seconds or None,
            log=context.log.info,
        )  # fmt: skip
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(done.index)),
            "agencies": done.agencies,  # pages of the report (rendered now, kept, or pending)
            "rendered": done.rendered,
            "unchanged": done.unchanged,  # the agency's data, the renderer and the file as when last rendered
            "pending": done.pending,  # left for the next runs by the caps (never silently)
            "removed": done.removed,  # pages of agencies no longer in the warehouse, deleted
            "index_written": done.index_written,
            "max_pages": config.max_pages,  # the caps of this run (run config)
            "max_seconds": config.max_seconds,
            "workers": done.workers,
            "seconds": round(done.seconds, 3),
            "fingerprint_seconds": round(done.fingerprint_seconds, 3),  # all a run with nothing changed costs
            "query_seconds": round(done.query_seconds, 3),
            "render_seconds": round(done.render_seconds, 3),
            **({"seconds_per_page": round(done.page_seconds, 4)} if done.page_seconds is not None else {}),
        }
    )


ASSETS = [raw_pages, parsed_reports, dim_metric, dim_region, dim_agency, agency_year_summary, cross_report_checks,
          html_report]  # fmt: skip
