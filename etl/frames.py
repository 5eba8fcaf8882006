"""ParseResults and crawl records -> Polars frames in the warehouse's column layout (see warehouse/schema.sql).

Pure: no I/O, no environment. Every frame has a declared schema (the `*_SCHEMA` constants, same column order as
the DDL) and sorted rows, and every id is a deterministic hash, so building the frames twice from the same input
gives equal frames. The loader inserts them by name.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import polars as pl

from etl import catalog
from etl.agency import agency_level, agency_type
from etl.catalog import Metric
from etl.model import ParseResult, outcome_of

NOT_REPORT_PREFIX = "not an annual report: "

RAW_PAGE_SCHEMA: dict[str, pl.DataType] = {
    "url": pl.String(),
    "sha256": pl.String(),
    "final_url": pl.String(),
    "site": pl.String(),
    "kind": pl.String(),
    "status": pl.Int16(),
    "content_type": pl.String(),
    "title": pl.String(),
    "list_url": pl.String(),
    "list_date": pl.Date(),
    "fetched_at": pl.Datetime("us", "UTC"),
    "size": pl.Int64(),
    "parent_url": pl.String(),
    "family": pl.String(),
}

CRAWL_RUN_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "site": pl.String(),
    "started_at": pl.Datetime("us", "UTC"),
    "finished_at": pl.Datetime("us", "UTC"),
    "finish_reason": pl.String(),
    "complete": pl.Boolean(),
}

CRAWL_SEEN_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "site": pl.String(),
    "url": pl.String(),
    "kind": pl.String(),
    "outcome": pl.String(),
    "status": pl.Int16(),
    "sha256": pl.String(),
    "reason": pl.String(),
    "parent_url": pl.String(),
}

DIM_METRIC_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "unit": pl.String(),
    "by_applicant": pl.Boolean(),
    "formats": pl.List(pl.String()),
    "section": pl.String(),
    "label_zh": pl.String(),
    "column_zh": pl.String(),
    "aliases": pl.List(pl.String()),
    "description_en": pl.String(),
}

DIM_METRIC_LABEL_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "format": pl.String(),
    "label_zh": pl.String(),
    "column_zh": pl.String(),
    "note": pl.String(),
}

DIM_APPLICANT_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "position": pl.Int16(),
    "label_zh": pl.String(),
    "group_zh": pl.String(),
    "description_en": pl.String(),
}

DIM_PERIOD_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "label_zh": pl.String(),
    "description_en": pl.String(),
}

DIM_REPORT_SCHEMA: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "url": pl.String(),
    "sha256": pl.String(),
    "site": pl.String(),
    "title": pl.String(),
    "agency_id": pl.String(),
    "agency": pl.String(),
    "agency_raw": pl.String(),
    "region_code": pl.String(),
    "province": pl.String(),
    "city": pl.String(),
    "county": pl.String(),
    "scope": pl.String(),  # "body" | "area" (etl.agency.report_scope)
    "report_year": pl.Int16(),
    "published_at": pl.Date(),
    "deadline": pl.Date(),
    "on_time": pl.Boolean(),
    "format": pl.String(),
    "section_formats": pl.String(),  # JSON text
    "parse_ok": pl.Boolean(),
    "parse_error": pl.String(),
    "decoding": pl.String(),
    "n_values": pl.Int32(),
    "n_cells": pl.Int32(),
    "n_unmapped": pl.Int32(),
    "n_issues": pl.Int32(),
    "fetched_at": pl.Datetime("us", "UTC"),
    "version": pl.Int16(),
    "is_current": pl.Boolean(),
    "version_flag": pl.String(),
}

DIM_AGENCY_SCHEMA: dict[str, pl.DataType] = {
    "agency_id": pl.String(),
    "name": pl.String(),
    "agency_type": pl.String(),  # etl.agency.agency_type
    "level": pl.String(),  # etl.agency.agency_level
    "region_code": pl.String(),
    "province_code": pl.String(),
    "city_code": pl.String(),
    "province": pl.String(),
    "city": pl.String(),
    "county": pl.String(),
    "sites": pl.List(pl.String()),
    "aliases": pl.List(pl.String()),
    "n_reports": pl.Int32(),
    "first_year": pl.Int16(),
    "last_year": pl.Int16(),
}

DIM_REGION_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),
    "name": pl.String(),
    "level": pl.String(),
    "parent_code": pl.String(),
    "province": pl.String(),
    "city": pl.String(),
    "county": pl.String(),
    "province_code": pl.String(),
    "city_code": pl.String(),
    "is_current": pl.Boolean(),
    "short_name": pl.String(),
    "successor_code": pl.String(),
    "aliases": pl.List(pl.String()),
}

FACT_DISCLOSURE_SCHEMA: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "agency_id": pl.String(),
    "report_year": pl.Int16(),
    "metric": pl.String(),
    "applicant": pl.String(),
    "period": pl.String(),
    "value": pl.Float64(),
    "unit": pl.String(),
    "approximate": pl.Boolean(),
    "source_kind": pl.String(),
    "section": pl.String(),
    "row_label": pl.String(),
    "column_label": pl.String(),
    "cell_text": pl.String(),
    "page": pl.Int32(),
    "document_url": pl.String(),
}

FACT_RAW_CELL_SCHEMA: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "ordinal": pl.Int32(),
    "section": pl.String(),
    "row_label": pl.String(),
    "column_label": pl.String(),
    "cell_text": pl.String(),
    "value": pl.Float64(),
    "metric": pl.String(),
    "applicant": pl.String(),
    "period": pl.String(),
    "page": pl.Int32(),
    "document_url": pl.String(),
}

REPORT_ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "ordinal": pl.Int32(),
    "check_name": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
    "applicant": pl.String(),
    "details": pl.String(),  # JSON text
    "source": pl.String(),  # ISSUE_SOURCE_PARSER here; the warehouse's cross-report checks add their own rows
}

REPORT_DOCUMENT_SCHEMA: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "ordinal": pl.Int32(),
    "url": pl.String(),
    "sha256": pl.String(),
    "role": pl.String(),  # article | attachment
    "title": pl.String(),
    "ok": pl.Boolean(),
    "error": pl.String(),
    "n_values": pl.Int32(),
}

NON_REPORT_PAGE_SCHEMA: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "url": pl.String(),
    "sha256": pl.String(),
    "site": pl.String(),
    "title": pl.String(),
    "reason": pl.String(),
}

FACT_KEY: tuple[str, ...] = ("report_id", "metric", "applicant", "period")

# The row order of each report table (what `report_frames` sorts by; nulls first), so a load that gathers the rows of
# many `report_frames` calls stores them in the order one call over everything gives. fact_disclosure adds its other
# columns after the key, which the unique_fact_keys check expects to be unique but cannot promise.
REPORT_ORDER: dict[str, tuple[str, ...]] = {
    "dim_report": ("report_id",),
    "fact_disclosure": (*FACT_KEY, *(c for c in FACT_DISCLOSURE_SCHEMA if c not in FACT_KEY)),
    "fact_raw_cell": ("report_id", "ordinal"),
    "report_issue": ("report_id", "ordinal"),
    "report_document": ("report_id", "ordinal"),
    "non_report_page": ("url", "sha256"),
}
PARSE_ERROR_CHECK = "parse.error"
ISSUE_SOURCE_PARSER = "parser"

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What the crawl recorded about one archived report body (a raw_page row)."""

    url: str
    sha256: str
    site: str | None = None
    title: str | None = None  # anchor text on the list page
    list_date: str | None = None  # ISO date printed on the list page
    fetched_at: str | None = None  # ISO timestamp of the first fetch


class ReportFrames(NamedTuple):
    dim_report: pl.DataFrame
    fact_disclosure: pl.DataFrame
    fact_raw_cell: pl.DataFrame
    report_issue: pl.DataFrame
    report_document: pl.DataFrame
    non_report_page: pl.DataFrame


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def report_id(url: str, sha256: str) -> str:
    """Deterministic id of a report version: 16 hex digits of SHA-256 over url and body hash."""
    return _hash("report", url, sha256)


def normalize_agency_name(name: str) -> str:
    """NFKC (full-width forms to ASCII, ideographic space to space), then every whitespace removed."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", name))


def agency_id(name: str, region_code: str | None) -> str:
    """Deterministic id of an agency: 16 hex digits of SHA-256 over the normalised name and the region code."""
    return _hash("agency", normalize_agency_name(name), region_code or "")


def _iso_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _iso_datetime(text: str | None) -> datetime | None:
    """ISO timestamp -> aware UTC datetime (naive timestamps are taken as UTC); unreadable -> None."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _json(obj: Mapping[str, Any] | None) -> str | None:
    if obj is None:
        return None
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)


def _content_type(headers: Any) -> str | None:
    """The Content-Type of a manifest `headers` field: a mapping (values str or list) or a list of pairs."""
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in items:
        if str(name).lower() == "content-type":
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            return None if value is None else str(value)
    return None


def raw_page_frame(manifest: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Archive manifest rows -> raw_page: one row per (url, sha256), keeping the first fetch."""
    rows = [
        (
            m["url"],
            m["sha256"],
            m.get("final_url"),
            m.get("site"),
            m.get("kind"),
            m.get("status"),
            _content_type(m.get("headers")),
            m.get("title"),
            m.get("list_url"),
            _iso_date(m.get("list_date")),
            _iso_datetime(m.get("fetched_at")),
            m.get("size"),
            m.get("parent_url"),
            m.get("family"),
        )
        for m in manifest
    ]
    frame = pl.DataFrame(rows, schema=RAW_PAGE_SCHEMA, orient="row")
    return (
        frame.sort(["url", "sha256", "fetched_at"], nulls_last=True)
        .unique(subset=["url", "sha256"], keep="first", maintain_order=True)
    )


class CrawlFrames(NamedTuple):
    crawl_run: pl.DataFrame
    crawl_seen: pl.DataFrame


def crawl_frames(runs: Iterable[Mapping[str, Any]]) -> CrawlFrames:
    """Crawl run logs (crawler.archive `Archive.runs()`) -> crawl_run and crawl_seen.

    crawl_run: one row per run x site the run crawled, sorted by run then site; `complete` when the run ended on its
    own ("finished"; a killed or interrupted run has no finish line or another reason). crawl_seen: one row per run x
    URL (the first line when a run logged a URL twice), sorted by run, site, url; lines written before outcomes were
    logged get the outcome their status says (etl.model.outcome_of).
    """
    run_rows: list[tuple[Any, ...]] = []
    seen_rows: list[tuple[Any, ...]] = []
    for run in runs:
        rid = str(run["run_id"])
        started, finished = _iso_datetime(run.get("started_at")), _iso_datetime(run.get("finished_at"))
        reason = run.get("finish_reason")
        complete = finished is not None and reason == "finished"
        run_rows.extend((rid, site, started, finished, reason, complete) for site in run.get("sites") or ())
        seen_rows.extend(
            (rid, s.get("site"), s["url"], s.get("kind"), s.get("outcome") or outcome_of(s.get("status"), s.get("sha256")),
             s.get("status"), s.get("sha256"), s.get("reason"), s.get("parent_url"))
            for s in run["seen"]
        )
    crawl_seen = (
        pl.DataFrame(seen_rows, schema=CRAWL_SEEN_SCHEMA, orient="row")
        .unique(subset=["run_id", "url"], keep="first", maintain_order=True)
        .sort(["run_id", "site", "url"], nulls_last=True)
    )
    crawl_run = pl.DataFrame(run_rows, schema=CRAWL_RUN_SCHEMA, orient="row").unique(maintain_order=True)
    return CrawlFrames(crawl_run.sort(["run_id", "site"]), crawl_seen)


def metric_frame(metrics: Iterable[Metric]) -> pl.DataFrame:
    """Catalog metrics -> dim_metric, sorted by code."""
    rows = [
        (
            m.code,
            m.unit,
            m.by_applicant,
            list(m.formats),
            m.section,
            m.label_zh,
            m.column_zh,
            list(m.aliases_zh),
            m.description_en,
        )
        for m in metrics
    ]
    return pl.DataFrame(rows, schema=DIM_METRIC_SCHEMA, orient="row").sort("code")


def dictionary_frames() -> dict[str, pl.DataFrame]:
    """The data dictionary tables of the catalog: dim_metric, dim_metric_label (printed labels per format),
    dim_applicant and dim_period, each sorted."""
    label_rows = [(m.code, m.format, m.label_zh, m.column_zh, m.note) for m in catalog.labels()]
    applicant_rows = [(a.code, i, a.label_zh, a.group_zh, a.description_en) for i, a in enumerate(catalog.applicants(), 1)]
    period_rows = [(p.code, p.label_zh, p.description_en) for p in catalog.periods()]
    return {
        "dim_metric": metric_frame(catalog.metrics().values()),
        "dim_metric_label": pl.DataFrame(label_rows, schema=DIM_METRIC_LABEL_SCHEMA, orient="row").sort("code", "format"),
        "dim_applicant": pl.DataFrame(applicant_rows, schema=DIM_APPLICANT_SCHEMA, orient="row").sort("position"),
        "dim_period": pl.DataFrame(period_rows, schema=DIM_PERIOD_SCHEMA, orient="row").sort("code"),
    }


class ReportRows(NamedTuple):
    """The rows one parsed page gives each report table (`report_rows`), before the rows of a URL's versions are
    numbered together (`frames_of_rows`): a report (`report`: its dim_report row) or a page that is not one
    (`non_report`). Plain tuples of str, numbers, dates: cheap to pickle, so the parse cache keeps these."""

    report: tuple[Any, ...] | None
    facts: list[tuple[Any, ...]]
    cells: list[tuple[Any, ...]]
    issues: list[tuple[Any, ...]]
    documents: list[tuple[Any, ...]]
    non_report: tuple[Any, ...] | None
    truncated: bool  # cut at a work limit (never replaces a complete version)

    def fetched(self, fetched_at: str | None) -> ReportRows:
        """The same rows with the dim_report row's fetched_at from `fetched_at` (ISO; the crawl's, not the parse's)."""
        if self.report is None:
            return self
        report = (*self.report[:_FETCHED_AT], _iso_datetime(fetched_at), *self.report[_FETCHED_AT + 1 :])
        return self._replace(report=report)


_FETCHED_AT = list(DIM_REPORT_SCHEMA).index("fetched_at")


def report_frames(docs: Iterable[tuple[PageInfo, ParseResult]]) -> ReportFrames:
    """Parsed report pages -> dim_report, fact_disclosure, fact_raw_cell, report_issue, report_document and
    non_report_page.

    One dim_report row per input pair: the caller passes each distinct body once (for a report read from several
    documents, `etl.parse.parse_report`, the page is its article). An unreadable document (`ok=False`) still gets its
    dim_report row, plus a `parse.error` issue carrying the reason. A page the parser judged not an annual report
    (`not_report`) gets no report row at all, only a non_report_page row. `document_url` of a figure is the document
    that printed it (`Source.document`), else the page itself; report_document lists the documents read (the page
    alone for a single-document parse).
    """
    return frames_of_rows(report_rows(page, result) for page, result in docs)


def report_rows(page: PageInfo, result: ParseResult) -> ReportRows:
    """The rows of one parsed page (see `report_frames`)."""
    rid = report_id(page.url, page.sha256)
    if result.not_report:
        reason = (result.error or "not an annual report").removeprefix(NOT_REPORT_PREFIX)
        return ReportRows(None, [], [], [], [], (rid, page.url, page.sha256, page.site, page.title, reason), False)
    meta = result.report
    region = meta.region if meta is not None else None
    region_code = region.code if region is not None else None
    raw_name = meta.agency if meta is not None else None
    name = normalize_agency_name(raw_name) if raw_name else None
    aid = agency_id(name, region_code) if name else None
    year = meta.report_year if meta is not None else None
    documents: list[tuple[Any, ...]] = []

    report_issues: list[tuple[Any, ...]] = []
    if not result.ok:
        reason = result.error or "unreadable document"
        report_issues.append((rid, 0, PARSE_ERROR_CHECK, "error", reason, None, None, ISSUE_SOURCE_PARSER))
    for issue in result.issues:
        report_issues.append(
            (
                rid,
                len(report_issues),
                issue.check,
                issue.severity,
                issue.message,
                issue.applicant,
                _json(issue.details),
                ISSUE_SOURCE_PARSER,
            )
        )
    truncated = any(i.check == "document.truncated" for i in result.issues)

    # comprehensions, each value's float inline: a report has hundreds of these rows
    url = page.url
    facts = [
        (
            rid,
            aid,
            year,
            v.metric,
            v.applicant,
            v.period,
            None if v.value is None else float(v.value),
            v.unit,
            v.approximate,
            s.kind,
            s.section,
            s.row,
            s.column,
            s.text,
            s.page,
            s.document or url,
        )
        for v in result.values
        for s in (v.source,)
    ]
    cells = [
        (
            rid,
            ordinal,
            c.section,
            c.row,
            c.column,
            c.text,
            None if c.value is None else float(c.value),
            c.metric,
            c.applicant,
            c.period,
            c.page,
            c.document or url,
        )
        for ordinal, c in enumerate(result.cells)
    ]
    if result.documents:
        for ordinal, d in enumerate(result.documents):
            article = ordinal == 0 and d.role == "article"
            documents.append(
                (
                    rid,
                    ordinal,
                    d.url,
                    d.sha256 if d.sha256 is not None or not article else page.sha256,
                    d.role,
                    d.title,
                    d.ok,
                    d.error,
                    d.n_values,
                )
            )
    else:  # a result built without its document list: the page is its one document
        documents.append((rid, 0, page.url, page.sha256, "article", None, result.ok, result.error,
                          len(result.values)))

    report = (
        rid,
        page.url,
        page.sha256,
        page.site,
        (meta.title if meta is not None else None) or page.title,
        aid,
        name,
        raw_name,
        region_code,
        region.province if region is not None else None,
        region.city if region is not None else None,
        region.county if region is not None else None,
        meta.scope if meta is not None else "body",
        year,
        _iso_date(meta.published_at if meta is not None else None) or _iso_date(page.list_date),
        None,  # deadline, set below
        None,  # on_time, set below
        meta.format if meta is not None else None,
        _json(meta.section_formats) if meta is not None else None,
        result.ok,
        result.error,
        result.decoding,
        len(result.values),
        len(result.cells),
        sum(1 for c in result.cells if c.metric is None),
        len(report_issues),
        _iso_datetime(page.fetched_at),
        None,  # version, set below
        True,  # is_current, set below
        None,  # version_flag, set below
    )
    return ReportRows(report, facts, cells, report_issues, documents, None, truncated)


def frames_of_rows(pages: Iterable[ReportRows]) -> ReportFrames:
    """The frames of pages' rows (`report_rows`): versions numbered per URL, every frame sorted (REPORT_ORDER)."""
    reports: list[tuple[Any, ...]] = []
    facts = _Columns(FACT_DISCLOSURE_SCHEMA)
    cells = _Columns(FACT_RAW_CELL_SCHEMA)
    issues = _Columns(REPORT_ISSUE_SCHEMA)
    documents = _Columns(REPORT_DOCUMENT_SCHEMA)
    non_reports: list[tuple[Any, ...]] = []
    truncated: set[str] = set()  # versions cut at a work limit (never replace a complete one)
    for rows in pages:
        if rows.non_report is not None:
            non_reports.append(rows.non_report)
        if rows.report is None:
            continue
        reports.append(rows.report)
        facts.add(rows.facts)
        cells.add(rows.cells)
        issues.add(rows.issues)
        documents.add(rows.documents)
        if rows.truncated:
            truncated.add(rows.report[0])

    dim_report = (
        _frame(reports, DIM_REPORT_SCHEMA)
        .with_columns(**_timeliness())
        .pipe(_versions, truncated)
        .sort("report_id")
    )
    return ReportFrames(
        dim_report=dim_report,
        fact_disclosure=facts.frame().sort(list(FACT_KEY), nulls_last=False),
        fact_raw_cell=cells.frame().sort(["report_id", "ordinal"]),
        report_issue=issues.frame().sort(["report_id", "ordinal"]),
        report_document=documents.frame().sort(["report_id", "ordinal"]),
        non_report_page=_frame(non_reports, NON_REPORT_PAGE_SCHEMA).sort(["url", "sha256"]),
    )


def _frame(rows: list[tuple[Any, ...]], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """`pl.DataFrame(rows, schema=schema, orient="row")`, built column by column (the rows transposed in one go,
    each column a strict Series of its type): about half the cost of Polars' row-wise constructor on a chunk's
    hundred thousand cells. A value not exactly of its column's type (which the strict Series refuses) falls back to
    the row-wise constructor, so the frame and its errors are the same either way."""
    if not rows:
        return pl.DataFrame(schema=schema)
    try:
        columns = zip(schema.items(), zip(*rows), strict=True)
        return pl.DataFrame([pl.Series(name, values, dtype=dtype) for (name, dtype), values in columns])
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        return pl.DataFrame(rows, schema=schema, orient="row")


class _Columns:
    """The rows of one table, gathered column by column as each page's rows come (`add`), for `frame`: the same
    frame as `_frame` of all the rows, but each page's hundred rows are transposed while they are still in the CPU's
    cache, not a chunk's fifty thousand at the end (transposing the facts: half the CPU; `frames_of_rows` of 500
    cached reports: 0.30 -> 0.26 ms a report, median of 21 rounds). From the first row whose width is not the
    schema's, every row is kept as a row (those before rebuilt from the columns), and values the strict Series
    refuse also fall back: `_frame` of all the rows, so the frame and its errors are the same either way."""

    __slots__ = ("columns", "rows", "schema")

    def __init__(self, schema: Mapping[str, pl.DataType]) -> None:
        self.schema = schema
        self.columns: list[list[Any]] | None = [[] for _ in schema]  # None once rows are kept as rows
        self.rows: list[tuple[Any, ...]] = []  # every row in order, once one of another width came

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.columns is not None:
            width = len(self.columns)
            if all(len(row) == width for row in rows):
                for column, values in zip(self.columns, zip(*rows), strict=True):
                    column.extend(values)
                return
            self.rows, self.columns = self._rows(), None
        self.rows.extend(rows)

    def _rows(self) -> list[tuple[Any, ...]]:
        return self.rows if self.columns is None else list(zip(*self.columns))

    def frame(self) -> pl.DataFrame:
        if self.columns is not None and self.columns and self.columns[0]:
            try:
                return pl.DataFrame(
                    [pl.Series(name, values, dtype=dtype)
                     for (name, dtype), values in zip(self.schema.items(), self.columns, strict=True)]
                )  # fmt: skip
            except (TypeError, ValueError, pl.exceptions.PolarsError):
                pass
        return _frame(self._rows(), self.schema)


def _timeliness() -> dict[str, pl.Expr]:
    """deadline = 31 March of the year after the report year (the regulation's publication date); on_time =
    published_at <= deadline, null when either is unknown (published on 31 March is on time, on 1 April late)."""
    deadline = pl.date(pl.col("report_year").cast(pl.Int32) + 1, 3, 31)
    return {"deadline": deadline, "on_time": pl.col("published_at") <= deadline}


# A new version that reads less than this share of the figures of the version it would replace is a degraded copy
# (a page cut off, a soft error that still parses), not a restatement; below MIN_FIGURES the share means little.
DEGRADED_SHARE = 0.5
MIN_FIGURES = 10


def _versions(dim_report: pl.DataFrame, truncated: set[str]) -> pl.DataFrame:
    """version = 1, 2, ... per URL in fetch order (ties broken by sha256); `version_flag` says why a version may not
    replace the one before it, `is_current` marks the latest version without a flag (the latest version when every
    one has a flag). Flagged: an unreadable version after a readable one, a version cut at a work limit
    (`truncated`: report ids with a `document.truncated` issue), a version reading fewer than DEGRADED_SHARE of the
    figures of the current readable one. A real restatement (different figures, about as many) is never flagged."""
    ordered = dim_report.sort(["url", "fetched_at", "sha256"], nulls_last=True)
    versions, flags, current = [], [], {}
    url, number, good = None, 0, None  # good: (version, n_values) of the version that is current so far
    for rid, u, ok, n in ordered.select("report_id", "url", "parse_ok", "n_values").iter_rows():
        if u != url:
            url, number, good = u, 0, None
        number += 1
        flag = None
        if good is not None and not ok:
            flag = f"unreadable; version {good[0]} stays current"
        elif good is not None and rid in truncated:
            flag = f"document cut at a work limit; version {good[0]} stays current"
        elif good is not None and good[1] >= MIN_FIGURES and n < DEGRADED_SHARE * good[1]:
            flag = f"reads far less than version {good[0]} ({n} figures against {good[1]}); version {good[0]} stays current"
        if flag is None:
            good = (number, n)
            current[u] = rid
        versions.append(number)
        flags.append(flag)
    latest = ordered.group_by("url", maintain_order=True).agg(pl.col("report_id").last())
    fallback = dict(zip(latest["url"], latest["report_id"], strict=True))
    chosen = set(current.values()) | {rid for u, rid in fallback.items() if u not in current}
    marks = pl.DataFrame(
        {"report_id": ordered["report_id"], "version": versions, "version_flag": flags},
        schema={"report_id": pl.String(), "version": pl.Int16(), "version_flag": pl.String()},
    )
    return (
        dim_report.drop("version", "is_current", "version_flag")
        .join(marks, on="report_id", how="left")
        .with_columns(is_current=pl.col("report_id").is_in(sorted(chosen)))
        .select(list(DIM_REPORT_SCHEMA))
    )


def region_frame(divisions: Iterable[Mapping[str, str]]) -> pl.DataFrame:
    """regions.csv rows (etl.regions.divisions()) -> dim_region: one row per current or historical division, sorted
    by code (historical rows without a known old code last, region_code null). Alias rows become the `aliases` of
    the division they name. province_code / city_code locate a row in the hierarchy: a county's city_code is its
    parent when that is a city (null for county-level cities directly under a province), a city's is its own code."""
    rows = list(divisions)
    levels = {r["code"]: r["level"] for r in rows if r["code"]}
    aliases: dict[str, list[str]] = {}
    for r in rows:
        if r["status"] == "alias":
            aliases.setdefault(r["current_code"], []).append(r["name"])
    out = []
    for r in rows:
        if r["status"] == "alias":
            continue
        code, parent = r["code"] or None, r["parent_code"] or None
        anchor = code or parent or ""
        if r["level"] == "city":
            city_code = code
        elif r["level"] == "county" and parent is not None and levels.get(parent) == "city":
            city_code = parent
        else:
            city_code = None
        out.append(
            (
                code,
                r["name"],
                r["level"],
                parent,
                r["province"] or None,
                r["city"] or None,
                r["county"] or None,
                anchor[:2] + "0000" if anchor else None,
                city_code,
                r["status"] == "current",
                r["short_name"] or None,
                (r["current_code"] or None) if r["status"] != "current" else None,
                sorted(aliases.get(code, [])) if r["status"] == "current" and code else [],
            )
        )
    return pl.DataFrame(out, schema=DIM_REGION_SCHEMA, orient="row").sort(
        ["region_code", "level", "province", "city", "name"], nulls_last=True
    )


def agency_frame(dim_report: pl.DataFrame, dim_region: pl.DataFrame) -> pl.DataFrame:
    """dim_report + dim_region -> dim_agency: one row per agency_id, sorted by name then id. Type and level come
    from etl.agency (the name, and the level of the agency's region); province_code / city_code from dim_region."""
    reports = dim_report.filter(pl.col("agency_id").is_not_null())
    frame = (
        reports.sort(["agency_id", "report_id"])
        .group_by("agency_id", maintain_order=True)
        .agg(
            name=pl.col("agency").first(),
            region_code=pl.col("region_code").first(),
            province=pl.col("province").drop_nulls().mode().sort().first(),
            city=pl.col("city").drop_nulls().mode().sort().first(),
            county=pl.col("county").drop_nulls().mode().sort().first(),
            sites=pl.col("site").drop_nulls().unique().sort(),
            aliases=pl.col("agency_raw").filter(pl.col("agency_raw") != pl.col("agency")).unique().sort(),
            n_reports=pl.len(),
            first_year=pl.col("report_year").min(),
            last_year=pl.col("report_year").max(),
        )
        .join(
            dim_region.select("region_code", "province_code", "city_code", region_level="level"),
            on="region_code",
            how="left",
        )
    )
    frame = frame.with_columns(
        agency_type=pl.Series([agency_type(n) for n in frame["name"]], dtype=pl.String()),
        level=pl.Series(
            [agency_level(n, lv) for n, lv in zip(frame["name"], frame["region_level"], strict=True)],
            dtype=pl.String(),
        ),
    )
    return frame.select(
        [pl.col(name).cast(dtype) for name, dtype in DIM_AGENCY_SCHEMA.items()]
    ).sort(["name", "agency_id"])
