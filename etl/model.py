"""Typed records produced by the parser. Everything downstream (CLI JSON, warehouse) is built from these."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SourceKind = Literal["table", "text", "ocr"]  # ocr: read by OCR from a scanned page or an image (etl.ocr)
DocumentRole = Literal["article", "attachment"]
Period = Literal["year", "cumulative", "prior_year"]
Severity = Literal["error", "warning", "info"]

APPLICANTS: tuple[str, ...] = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)


# Source, Value and Cell are made hundreds of times a report (~370 on a generated report: one of each for every table
# figure read): they are not frozen, because a frozen dataclass's __init__ sets each field through
# object.__setattr__, which made building them about a sixth of the parser's instructions (parse_report of 100 kept
# reports: 21.6M -> 17.9M instructions a report under callgrind; 1,000 reports: 2.83 -> 2.43 ms CPU a report). They
# hash and compare by value as before (`unsafe_hash`: the hash a frozen dataclass has); nothing assigns to them.
@dataclass(slots=True, unsafe_hash=True)
class Source:
    """Where a number was printed. `document` is the URL of the document that printed it when a report is read
    from several documents (`etl.parse.parse_report`: article and attachments); None for a single-document parse,
    where the input itself is the document."""

    kind: SourceKind
    section: str | None
    row: str | None
    column: str | None
    text: str
    page: int | None = None
    document: str | None = None


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see Source
class Value:
    """One printed figure mapped to a catalog metric."""

    metric: str
    applicant: str | None
    period: Period
    value: float | int | None
    unit: str
    approximate: bool
    source: Source

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.metric, self.applicant, self.period)


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see Source
class Cell:
    """Every printed numeric cell of a table, mapped or not (the raw cell table)."""

    section: str | None
    row: str | None
    column: str | None
    text: str
    value: float | int | None
    metric: str | None = None
    applicant: str | None = None
    period: Period | None = None
    page: int | None = None
    document: str | None = None  # URL of the document that printed it (several documents; see Source)


@dataclass(frozen=True, slots=True)
class Issue:
    check: str
    severity: Severity
    message: str
    applicant: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Region:
    province: str | None
    city: str | None
    county: str | None
    code: str | None


@dataclass(slots=True)
class ReportMeta:
    title: str | None = None
    agency: str | None = None
    region: Region | None = None
    report_year: int | None = None
    published_at: str | None = None  # ISO date
    format: str | None = None  # "2021" | "2019" | "2014" | "local" | "narrative" | "hybrid"
    section_formats: dict[str, str] = field(default_factory=dict)
    scope: str = "body"  # "body" | "area" (etl.agency.report_scope); a warehouse attribute, not in the JSON contract


@dataclass(frozen=True, slots=True)
class Document:
    """One document of a report as the crawl fetched it: the article page, or a file it links (附件)."""

    url: str
    sha256: str | None
    role: DocumentRole
    data: bytes | None  # None when the crawl could not fetch it
    content_type: str | None = None
    filename: str | None = None
    title: str | None = None  # link text of the attachment
    error: str | None = None  # why it could not be fetched (e.g. "HTTP 404", "timeout")


@dataclass(frozen=True, slots=True)
class DocumentRead:
    """What became of one document of a report: read or not (and why), and how many of the report's values it gave."""

    url: str
    sha256: str | None
    role: DocumentRole
    ok: bool
    error: str | None = None  # not fetched, unreadable, or not a report document
    n_values: int = 0  # values of the report taken from this document
    title: str | None = None  # link text of an attachment


@dataclass(slots=True)
class ParseResult:
    input: str
    ok: bool
    error: str | None = None
    report: ReportMeta | None = None
    values: list[Value] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    decoding: str | None = None  # how the bytes were decoded, e.g. "meta:gb18030" or "sniff:utf-8"
    # ok=False because the input is readable but is not an annual report (etl.identify), not because it is unreadable
    not_report: bool = False
    documents: list[DocumentRead] = field(default_factory=list)  # the documents read, article first

    @property
    def unmapped(self) -> list[Cell]:
        return [c for c in self.cells if c.metric is None]

    def to_contract(self) -> dict[str, Any]:
        """The `ogi parse --json` object (see ../shared/spec/README.md). A report read from several documents adds
        `source.document` / `unmapped[].document` (the URL that printed it) and `documents`; a single-document parse
        gives exactly the contract's keys."""
        report = None
        if self.report is not None:
            report = asdict(self.report)
            del report["scope"]
        values = []
        for v in self.values:
            d = asdict(v)
            if d["source"]["document"] is None:
                del d["source"]["document"]
            values.append(d)
        unmapped = []
        for c in self.unmapped:
            u = {"section": c.section, "row": c.row, "column": c.column, "text": c.text}
            if c.document is not None:
                u["document"] = c.document
            unmapped.append(u)
        out: dict[str, Any] = {
            "input": self.input,
            "ok": self.ok,
            "error": self.error,
            "report": report,
            "values": values,
            "unmapped": unmapped,
            "issues": [
                {k: v for k, v in asdict(i).items() if k != "details" or v is not None}
                for i in self.issues
            ],
        }
        if len(self.documents) > 1:
            out["documents"] = [asdict(d) for d in self.documents]
        return out


class ParseError(Exception):
    """A document that cannot be read; the message is the user-facing reason."""


@dataclass(frozen=True, slots=True)
class Hints:
    """What the crawl knows about a page besides its bytes (site config and list page)."""

    site: str | None = None
    agency: str | None = None  # the site's own agency full name, if the site belongs to one body
    region: str | None = None  # e.g. "浙江省衢州市": completes short names such as 市商务局
    title: str | None = None  # anchor text on the list page
    published_at: str | None = None  # date printed on the list page, ISO


def outcome_of(status: int | None, sha256: str | None) -> str:
    """The crawl outcome of an archived answer (crawl_seen.outcome; also for run-log lines written before outcomes
    were logged): `ok` for 2xx, `gone` for 404/410, `error` otherwise."""
    if sha256 is not None and status is not None and 200 <= status < 300:
        return "ok"
    if sha256 is not None and status in (404, 410):
        return "gone"
    return "error"
