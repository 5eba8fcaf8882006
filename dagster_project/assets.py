"""Assets: crawl -> raw_page -> parsed reports -> dimensions -> summary view.

Assets hand data over through the DuckDB file (no IO manager: dagster-duckdb-polars is broken on DuckDB 2.0).
Each asset rebuilds its tables completely from its inputs, so re-materialising gives identical tables.
No `from __future__ import annotations` here: Dagster inspects the real annotations of context and resources.
"""

import dataclasses
import sys
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import dagster as dg
import polars as pl

from crawler.archive import Archive
from crawler.convert import soffice_convert
from crawler.run import CrawlStats, run_crawl
from dagster_project.partitions import SITES, register_sites, selected_sites
from dagster_project.resources import CrawlConfig, SitesNotConfigured, Warehouse
from etl.catalog import metrics
from etl.frames import (
    PageInfo,
    agency_frame,
    crawl_frames,
    metric_frame,
    raw_page_frame,
    region_frame,
    report_frames,
)
from crawler.cms.attachments import file_type, find_attachments
from etl.decode import decode_html
from etl.model import Document, Hints, ParseResult
from etl.parse import parse_report
from etl.regions import divisions
import warehouse as sql
from warehouse import checks as check_sql

# Last year's reports are due by 31 March (departments by 31 January): by 1 April the parsed reports must come from
# a run of the last 60 days, i.e. one made after the departments' deadline.
REPORT_SEASON_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 0 1 4 *", lower_bound_delta=timedelta(days=60), timezone="Asia/Shanghai"
)

# Every asset runs once per run, whatever the number of site partitions it covers (what `dagster asset
# materialize --partition-range first...last` requires of every selected asset).
SINGLE_RUN = dg.BackfillPolicy.single_run()

HARVEST = "harvest"
PARSE = "parse"
WAREHOUSE = "warehouse"

WAREHOUSE_SOURCE = "warehouse"  # report_issue.source of cross-report findings
# check_name of every cross-report finding (warehouse/checks/*.sql), in the contract's order.
CROSS_REPORT_CHECKS = ("carry_over", "stock_flow", "copy_paste", "publication.late", "publication.missing_year")

PREVIEW_ROWS = 20

def preview(frame: pl.DataFrame, rows: int = PREVIEW_ROWS) -> dg.MetadataValue:
    """The first rows of a frame as a markdown table (lists and long texts shortened)."""
    if frame.height == 0:
        return dg.MetadataValue.md("(none)")
    head = frame.head(rows)
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    for row in head.iter_rows():
        cells = [_cell(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    if frame.height > rows:
        lines.append(f"\n{frame.height - rows} more rows")
    return dg.MetadataValue.md("\n".join(lines))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dg.asset(
    group_name=HARVEST,
    kinds={"scrapy", "duckdb"},
    partitions_def=SITES,
    backfill_policy=SINGLE_RUN,
    description=(
        "Partitioned by site (a run for some sites crawls only those). "
        "Crawls the configured sites into the raw archive (`<data>/archive`, content-addressed bodies plus "
        "manifest plus one log per crawl run) and loads tables `raw_page`: one row per archived page version "
        "(url, sha256); `crawl_run`: one row per crawl run x site; `crawl_seen`: one row per crawl run x URL seen."
    ),
)
def raw_pages(context: dg.AssetExecutionContext, crawl: CrawlConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    archive_dir = crawl.archive_path()
    archive = Archive(archive_dir)
    runs: list[CrawlStats] = []
    only = selected_sites(context)
    if crawl.only:
        only = frozenset(crawl.only) & only if only is not None else frozenset(crawl.only)
    try:
        finished = any(run["finish_reason"] == "finished" for run in archive.runs())  # a killed first crawl: again
        with crawl.crawl_target(first_crawl=not finished) as target:
            sites = [s for s in target.sites if only is None or s["name"] in only]
            register_sites(context.instance, [str(s["name"]) for s in target.sites])
            unconfigured = sorted((only or set()) - {str(s["name"]) for s in sites})
            if unconfigured:  # a partition whose site the run's crawl configuration lacks: said, not skipped silently
                context.log.warning("site partition(s) %s not in the crawl configuration: not crawled", unconfigured)
            crawl.save_sites(sites)
            for prepare in target.passes if sites else ():
                prepare()
                context.log.info("crawling %d site(s) into %s", len(sites), archive_dir)
                runs.append(
                    run_crawl(sites, archive_dir, portal=target.portal_url, timeout=crawl.timeout,
                              progress=sys.stderr if crawl.progress else None)
                )  # fmt: skip
    except SitesNotConfigured as exc:
        raise dg.Failure(description=str(exc)) from None
    frame = raw_page_frame(archive.iter_manifest())
    history = crawl_frames(archive.runs())
    counts = warehouse.replace_tables({"raw_page": frame, **history._asdict()})
    kinds = frame.group_by("kind").len().sort("kind")
    return dg.MaterializeResult(
        metadata={
            "rows": counts["raw_page"],
            "report_pages": frame.filter(pl.col("kind") == "report").height,
            "crawl_run_rows": counts["crawl_run"],
            "crawl_seen_rows": counts["crawl_seen"],
            "crawl": [{k: v for k, v in dataclasses.asdict(stats).items() if k != "issues"} for stats in runs],
            "crawl_issues": sum(len(stats.issues) for stats in runs),
            "sites_not_configured": unconfigured,
            "by_kind": preview(kinds),
            "preview": preview(frame.select("site", "kind", "status", "title", "list_date", "url")),
        }
    )


def _region_text(region: Any) -> str | None:
    """A site config's region as the parser's hint wants it: "浙江省衢州市", from a text or {province, city, county}."""
    if isinstance(region, str):
        return region or None
    if isinstance(region, Mapping):
        text = "".join(str(region[k]) for k in ("province", "city", "county") if region.get(k))
        return text or None
    return None


class ParseConfig(dg.Config):
    """Run config of `parsed_reports`. A report's year is known only once it is parsed, so re-parsing one report
    year is a setting, not a partition: `report_years` re-parses the bodies whose last parse gave one of these
    years (and any body not parsed yet) and replaces their rows only."""

    report_years: list[int] = []


def _parsed_years(warehouse: Warehouse) -> pl.DataFrame:
    """(url, sha256, parsed_year) of every report version parsed so far (none before the first parse)."""
    if not warehouse.query("select count(*) from duckdb_tables() where table_name = 'dim_report'").item():
        return pl.DataFrame(schema={"url": pl.String, "sha256": pl.String, "parsed_year": pl.Int16})
    return warehouse.query("select url, sha256, report_year as parsed_year from dim_report")


def _documents(
    archive: Archive, row: Mapping[str, Any], data: bytes, attachments: pl.DataFrame
) -> list[Document]:
    """The report's documents: the article (or file) the report link answered, then its attachments in the order the
    article links them (crawler.cms.attachments; the archive keeps no order), each from the archive, or with the
    reason it could not be fetched."""
    article = Document(row["url"], row["sha256"], "article", data, content_type=row["content_type"],
                       filename=_filename(row["url"]))  # fmt: skip
    if attachments.is_empty():
        return [article]
    text, _, _ = decode_html(data, row["content_type"])
    order = {a.url: n for n, a in enumerate(find_attachments(text, row["url"]))}
    out = [article]
    for a in sorted(attachments.iter_rows(named=True), key=lambda a: (order.get(a["url"], len(order)), a["url"])):
        body, error = None, a["error"]
        if a["sha256"]:
            try:
                body = archive.get(a["sha256"])
            except OSError as exc:  # CorruptObject (moved aside: the next crawl fetches it again) or missing
                error = str(exc)
        out.append(Document(a["url"], a["sha256"], "attachment", body, content_type=a["content_type"],
                            filename=_filename(a["url"]), title=a["title"], error=error))  # fmt: skip
    return out


def _filename(url: str) -> str | None:
    """A file name carrying the type the URL names (`downfile.jsp?filename=9b2e.pdf` -> `9b2e.pdf`)."""
    kind = file_type(url)
    return f"document.{kind}" if kind else None


def _parse_pages(
    crawl: CrawlConfig, pages: pl.DataFrame, attachments: pl.DataFrame, log: dg.DagsterLogManager
) -> Iterator[tuple[PageInfo, ParseResult]]:
    """Parse each report: the archived body its link answered plus the attachments the article links, read as one
    report (etl.parse.parse_report), one at a time (bodies are not kept)."""
    archive = Archive(crawl.archive_path())
    sites = {str(s["name"]): s for s in crawl.load_sites()}
    by_parent = attachments.partition_by("parent_url", as_dict=True) if attachments.height else {}
    empty = attachments.clear()
    for row in pages.iter_rows(named=True):
        site = sites.get(row["site"] or "", {})
        page = PageInfo(
            url=row["url"],
            sha256=row["sha256"],
            site=row["site"],
            title=row["title"],
            list_date=_iso(row["list_date"]),
            fetched_at=_iso(row["fetched_at"]),
        )
        hints = Hints(
            site=row["site"],
            agency=site.get("agency"),
            region=_region_text(site.get("region")),
            title=row["title"],
            published_at=page.list_date,
        )
        try:
            documents = _documents(archive, row, archive.get(row["sha256"]), by_parent.get((row["url"],), empty))
            result = parse_report(documents, input=row["url"], hints=hints, convert=soffice_convert)
        except OSError as exc:  # the archived body is corrupt (moved aside, fetched again next crawl) or missing
            log.error("cannot read the archived body of %s: %s", row["url"], exc)
            result = ParseResult(input=row["url"], ok=False, error=f"archived body unreadable: {exc}")
        except Exception as exc:  # noqa: BLE001 - policy: a parser crash on one page is recorded, not fatal
            log.exception("parser crashed on %s", row["url"])
            result = ParseResult(input=row["url"], ok=False, error=f"parser crashed: {type(exc).__name__}: {exc}")
        yield page, result


@dg.asset(
    group_name=PARSE,
    kinds={"python", "polars", "duckdb"},
    deps=[raw_pages],
    partitions_def=SITES,
    backfill_policy=SINGLE_RUN,
    freshness_policy=REPORT_SEASON_FRESHNESS,
    description=(
        "Partitioned by site (a run for some sites re-parses only their reports and replaces only their rows). "
        "Parses every distinct archived report body with etl.parse.parse_document and loads `dim_report` (one "
        "row per report version), `fact_disclosure` (one row per report x metric x applicant x period), "
        "`fact_raw_cell` (one row per printed numeric cell, mapped or not) and `report_issue` (one row per "
        "parser finding; unreadable documents get a `parse.error` row)."
    ),
)
def parsed_reports(
    context: dg.AssetExecutionContext, config: ParseConfig, crawl: CrawlConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    only = selected_sites(context)
    pages = warehouse.query(sql.query("report_pages"))
    if only is not None:
        pages = pages.filter(pl.col("site").is_in(sorted(only)))
    if config.report_years:
        pages = pages.join(_parsed_years(warehouse), on=["url", "sha256"], how="left").filter(
            pl.col("parsed_year").is_null() | pl.col("parsed_year").is_in(config.report_years)
        )
    attachments = warehouse.query(sql.query("report_attachments"))
    context.log.info("parsing %d report page(s) with %d attachment(s)", pages.height, attachments.height)
    frames = report_frames(_parse_pages(crawl, pages, attachments, context.log))
    if only is None and not config.report_years:
        counts = warehouse.replace_tables(frames._asdict())  # everything: reports no longer archived go too
    else:
        counts = warehouse.replace_report_rows(frames._asdict())
    with warehouse.connect() as con:
        con.execute(sql.query("mark_not_reports"))
    reports = frames.dim_report
    return dg.MaterializeResult(
        metadata={
            **{f"rows_{table}": n for table, n in counts.items()},
            "reports_ok": int(reports["parse_ok"].sum()),
            "reports_failed": int((~reports["parse_ok"]).sum()),
            "not_reports": frames.non_report_page.height,
            "versions_flagged": int(reports["version_flag"].is_not_null().sum()),
            "agencies": reports["agency_id"].drop_nulls().n_unique(),
            "preview": preview(
                reports.select(
                    "agency", "report_year", "format", "n_values", "n_unmapped", "n_issues", "parse_error", "url"
                )
            ),
        }
    )


@dg.asset(
    group_name=WAREHOUSE,
    backfill_policy=SINGLE_RUN,
    kinds={"python", "polars", "duckdb"},
    description="Table `dim_metric`: one row per metric code of the catalog (etl/catalog).",
)
def dim_metric(warehouse: Warehouse) -> dg.MaterializeResult:
    frame = metric_frame(metrics().values())
    counts = warehouse.replace_tables({"dim_metric": frame})
    return dg.MaterializeResult(
        metadata={"rows": counts["dim_metric"], "preview": preview(frame.select("code", "unit", "label_zh"))}
    )


@dg.asset(
    group_name=WAREHOUSE,
    backfill_policy=SINGLE_RUN,
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
    backfill_policy=SINGLE_RUN,
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
    backfill_policy=SINGLE_RUN,
    kinds={"duckdb"},
    deps=[parsed_reports, dim_agency, dim_metric],
    description=(
        "Views of warehouse/views, among them `v_agency_year`: one row per agency x report year x scope with "
        "the headline figures of the picked current readable report; `v_harmonized` (one row per agency-year-scope "
        "x series comparable across formats, through `v_crosswalk`), `v_rates` and `v_refusal_reasons`."
    ),
)
def agency_year_summary(warehouse: Warehouse) -> dg.MaterializeResult:
    views = warehouse.create_views()
    summary = warehouse.query("select * from v_agency_year")
    totals = warehouse.query(
        "select count(*) as reports, count(distinct agency_id) as agencies, "
        "count(*) filter (where parse_ok) as readable from dim_report"
    ).row(0, named=True)
    return dg.MaterializeResult(
        metadata={
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


def cross_report_insert_sql(queries: Mapping[str, str]) -> str:
    """The INSERT of every check query's rows (warehouse/checks) into report_issue with source 'warehouse'."""
    parts = [f"select * from (\n{text.strip().rstrip(';')}\n)" for text in queries.values()]
    return sql.query("cross_report_insert").replace("{findings}", "\nunion all by name\n".join(parts))


@dg.asset(
    group_name=WAREHOUSE,
    backfill_policy=SINGLE_RUN,
    kinds={"duckdb"},
    deps=[parsed_reports, dim_agency, agency_year_summary],
    description=(
        "Cross-report checks of warehouse/checks (carry_over, stock_flow, copy_paste, publication.late, "
        "publication.missing_year) over consecutive years of the same agency: one `report_issue` row per finding "
        "with source 'warehouse', attached to the later report. Replaces the previous run's rows."
    ),
)
def cross_report_checks(warehouse: Warehouse) -> dg.MaterializeResult:
    queries = check_sql()
    with warehouse.connect() as con:
        con.execute("begin transaction")
        try:
            con.execute("delete from report_issue where source = $1", [WAREHOUSE_SOURCE])
            con.execute(cross_report_insert_sql(queries), {"source": WAREHOUSE_SOURCE})
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("checkpoint")
    findings = warehouse.query(
        "select i.check_name, i.severity, r.agency, r.report_year, i.applicant, i.message, i.report_id "
        "from report_issue as i join dim_report as r using (report_id) where i.source = $1 "
        "order by i.check_name, r.agency, r.report_year, i.report_id, i.ordinal",
        [WAREHOUSE_SOURCE],
    )
    by_check = findings.group_by("check_name").len()
    counts = dict(zip(by_check["check_name"], by_check["len"], strict=True))
    return dg.MaterializeResult(
        metadata={
            "rows": findings.height,
            **{f"rows_{name}": int(counts.get(name, 0)) for name in CROSS_REPORT_CHECKS},
            "preview": preview(findings),
        }
    )


ASSETS = [raw_pages, parsed_reports, dim_metric, dim_region, dim_agency, agency_year_summary, cross_report_checks]
