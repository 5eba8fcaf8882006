"""Assets: crawl -> raw_page -> parsed reports -> dimensions -> summary view.

Assets hand data over through the DuckDB file (no IO manager: dagster-duckdb-polars is broken on DuckDB 2.0).
Each asset rebuilds its tables completely from its inputs, so re-materialising gives identical tables.
No `from __future__ import annotations` here: Dagster inspects the real annotations of context and resources.
"""

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

import dagster as dg
import polars as pl

from crawler.archive import Archive
from crawler.convert import soffice_convert
from crawler.run import run_crawl
from dagster_project.resources import CrawlConfig, Warehouse
from etl.catalog import metrics
from etl.frames import PageInfo, agency_frame, metric_frame, raw_page_frame, report_frames
from etl.model import Hints, ParseResult
from etl.parse import parse_document

HARVEST = "harvest"
PARSE = "parse"
WAREHOUSE = "warehouse"

PREVIEW_ROWS = 20

# One row per distinct report body, first fetch first; identical bodies at other URLs are the same version.
_REPORT_PAGES_SQL = """
select url, sha256, site, title, list_date, fetched_at, content_type
from raw_page
where kind = 'report' and status between 200 and 299
qualify row_number() over (partition by sha256 order by fetched_at nulls last, url) = 1
order by url, sha256
"""


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
    description=(
        "Crawls the configured sites into the raw archive (`<data>/archive`, content-addressed bodies plus "
        "manifest) and loads table `raw_page`: one row per archived page version (url, sha256)."
    ),
)
def raw_pages(context: dg.AssetExecutionContext, crawl: CrawlConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    archive_dir = crawl.archive_path()
    with crawl.crawl_target() as (sites, portal_url):
        crawl.save_sites(sites)
        context.log.info("crawling %d site(s) into %s", len(sites), archive_dir)
        stats = run_crawl(sites, archive_dir, portal=portal_url, site=crawl.site or None, timeout=crawl.timeout)
    frame = raw_page_frame(Archive(archive_dir).iter_manifest())
    counts = warehouse.replace_tables({"raw_page": frame})
    kinds = frame.group_by("kind").len().sort("kind")
    return dg.MaterializeResult(
        metadata={
            "rows": counts["raw_page"],
            "report_pages": frame.filter(pl.col("kind") == "report").height,
            "crawl": {k: v for k, v in dataclasses.asdict(stats).items() if k != "issues"},
            "crawl_issues": len(stats.issues),
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


def _parse_pages(
    crawl: CrawlConfig, pages: pl.DataFrame, log: dg.DagsterLogManager
) -> Iterator[tuple[PageInfo, ParseResult]]:
    """Parse each page's archived body, one at a time (bodies are not kept)."""
    archive = Archive(crawl.archive_path())
    sites = {str(s["name"]): s for s in crawl.load_sites()}
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
        data = archive.get(row["sha256"])
        try:
            result = parse_document(
                data, input=row["url"], content_type=row["content_type"], url=row["url"], hints=hints,
                convert=soffice_convert,
            )
        except Exception as exc:  # noqa: BLE001 - policy: a parser crash on one page is recorded, not fatal
            log.exception("parser crashed on %s", row["url"])
            result = ParseResult(input=row["url"], ok=False, error=f"parser crashed: {type(exc).__name__}: {exc}")
        yield page, result


@dg.asset(
    group_name=PARSE,
    kinds={"python", "polars", "duckdb"},
    deps=[raw_pages],
    description=(
        "Parses every distinct archived report body with etl.parse.parse_document and loads `dim_report` (one "
        "row per report version), `fact_disclosure` (one row per report x metric x applicant x period), "
        "`fact_raw_cell` (one row per printed numeric cell, mapped or not) and `report_issue` (one row per "
        "parser finding; unreadable documents get a `parse.error` row)."
    ),
)
def parsed_reports(
    context: dg.AssetExecutionContext, crawl: CrawlConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    pages = warehouse.query(_REPORT_PAGES_SQL)
    context.log.info("parsing %d report page(s)", pages.height)
    frames = report_frames(_parse_pages(crawl, pages, context.log))
    counts = warehouse.replace_tables(frames._asdict())
    reports = frames.dim_report
    return dg.MaterializeResult(
        metadata={
            **{f"rows_{table}": n for table, n in counts.items()},
            "reports_ok": int(reports["parse_ok"].sum()),
            "reports_failed": int((~reports["parse_ok"]).sum()),
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
    kinds={"python", "polars", "duckdb"},
    deps=[parsed_reports],
    description=(
        "Table `dim_agency`: one row per agency (normalised full name + region code) found in `dim_report`."
    ),
)
def dim_agency(warehouse: Warehouse) -> dg.MaterializeResult:
    frame = agency_frame(warehouse.query("select * from dim_report"))
    counts = warehouse.replace_tables({"dim_agency": frame})
    return dg.MaterializeResult(
        metadata={
            "rows": counts["dim_agency"],
            "preview": preview(frame.select("name", "region_code", "n_reports", "first_year", "last_year")),
        }
    )


@dg.asset(
    group_name=WAREHOUSE,
    kinds={"duckdb"},
    deps=[parsed_reports, dim_agency, dim_metric],
    description=(
        "Views of warehouse/views, among them `v_agency_year_summary`: one row per agency x report year over "
        "the current version of every readable report."
    ),
)
def agency_year_summary(warehouse: Warehouse) -> dg.MaterializeResult:
    views = warehouse.create_views()
    summary = warehouse.query("select * from v_agency_year_summary")
    totals = warehouse.query(
        "select count(*) as reports, count(distinct agency_id) as agencies, "
        "count(*) filter (where parse_ok) as readable from dim_report"
    ).row(0, named=True)
    return dg.MaterializeResult(
        metadata={
            "views": ", ".join(views),
            "rows": summary.height,
            **{k: int(v) for k, v in totals.items()},
            "preview": preview(summary.drop("agency_id")),
        }
    )


ASSETS = [raw_pages, parsed_reports, dim_metric, dim_agency, agency_year_summary]
