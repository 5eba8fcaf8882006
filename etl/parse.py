"""Entry point of the parser: one document's bytes -> ParseResult. Never raises for bad input."""

from __future__ import annotations

import re

from etl.agency import report_scope
from etl.checks import check_values, compare_narrative
from etl.decode import decode_html
from etl.document import Doc, html_doc, looks_like_html, text_doc
from etl.mapping import map_rows
from etl.meta import extract_meta
from etl.model import Hints, Issue, ParseResult, Region, ReportMeta
from etl.narrative import extract as extract_narrative
from etl.office import Converter, OfficeError, office_doc

MAX_BYTES = 50 * 1024 * 1024  # bounded work on hostile input
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])")


def _sniff(data: bytes, filename: str | None, content_type: str | None) -> str:
    head = data[:8]
    name = (filename or "").lower()
    ctype = (content_type or "").lower()
    if head.startswith(b"%PDF") or name.endswith(".pdf") or "pdf" in ctype:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # docx / xlsx
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # doc / xls / wps
    if b"\x00" in data[:4096] and not data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "binary"
    return "text"


def _document(data: bytes, content_type: str | None) -> tuple[Doc, str]:
    text, encoding, method = decode_html(data, content_type)
    doc = html_doc(text) if looks_like_html(text) else text_doc(text)
    return doc, f"{method}:{encoding}"


def _region(agency: str | None, hints: Hints | None) -> Region | None:
    try:
        from etl import regions
    except ImportError:  # pragma: no cover - the region table ships with the package
        return None
    hint = hints.region if hints else None
    for text in (agency, hints.agency if hints else None):
        if text:
            r = regions.resolve(text, hint=hint)
            if r is not None:
                return r
    if hint:
        return regions.resolve(hint)
    return None


def _canonical_agency(agency: str | None, region: Region | None) -> str | None:
    """District and county bodies carry their city (衢江区机关事务保障中心 -> 衢州市衢江区机关事务保障中心);
    county-level cities (永安市) do not."""
    if not agency or region is None or not region.county or not region.city:
        return agency
    if region.county.endswith(("区", "县", "旗")) and agency.startswith(region.county) and not agency.startswith(region.city):
        return region.city + agency
    return agency


def _report_format(section_formats: dict[str, str], stat_format: str | None) -> str:
    # Priority of TEMPLATES.md §0: the section 二 tells decide the era, then section 三, then the old tables.
    for sec in ("二", "三", "四"):
        if sec in section_formats:
            return section_formats[sec]
    return stat_format or "narrative"


def parse_document(
    data: bytes,
    *,
    input: str,
    content_type: str | None = None,
    filename: str | None = None,
    url: str | None = None,
    hints: Hints | None = None,
    convert: Converter | None = None,
) -> ParseResult:
    """Parse one report (HTML, plain text, PDF, DOCX, XLSX, XLS; DOC/WPS/ODT through `convert`, e.g.
    `crawler.convert.soffice_convert`). Bad input gives ok=False with a reason."""
    try:
        return _parse(data, input=input, content_type=content_type, filename=filename, hints=hints, convert=convert)
    except Exception as exc:  # noqa: BLE001 - one bad document must never stop a run; the reason is kept
        return ParseResult(input=input, ok=False, error=f"internal parser error: {type(exc).__name__}: {exc}")


def _parse(data: bytes, *, input: str, content_type: str | None, filename: str | None,
           hints: Hints | None, convert: Converter | None) -> ParseResult:
    if not data:
        return ParseResult(input=input, ok=False, error="empty document")
    if len(data) > MAX_BYTES:
        return ParseResult(input=input, ok=False, error=f"document too large ({len(data)} bytes)")
    kind = _sniff(data, filename, content_type)
    if kind == "pdf":
        from etl.pdf import PdfError, pdf_doc  # PyMuPDF is loaded for PDF input only

        try:
            doc, decoding = pdf_doc(data), "pdf"
        except PdfError as exc:
            return ParseResult(input=input, ok=False, error=exc.reason)
    elif kind in ("zip", "ole"):
        try:
            doc, decoding = office_doc(data, kind, convert)
        except OfficeError as exc:
            return ParseResult(input=input, ok=False, error=str(exc))
    elif kind == "binary":
        return ParseResult(input=input, ok=False, error="binary data, not a text or HTML document")
    else:
        doc, decoding = _document(data, content_type)
    if not doc.rows:
        return ParseResult(input=input, ok=False, error="no text found in the document", decoding=decoding)
    meta = extract_meta(doc, hints)
    mapped = map_rows(doc.rows, meta.report_year)

    # prose lines with the heading they sit under, for narrative figures
    lines: list[tuple[str, str | None]] = []
    heading: str | None = None
    for row in doc.rows:
        if row.table is not None:
            continue
        text = row.text
        if len(text) <= 40 and _HEADING.match(text):
            heading = text
        lines.append((text, heading))
    text_values = extract_narrative(lines, meta.report_year)
    table_values = {v.key: v for v in mapped.values}
    kept, narrative_issues = compare_narrative(table_values, text_values)
    filled = {v.key for v in kept}
    values = [v for v in mapped.values if v.key not in filled] + kept

    issues: list[Issue] = list(mapped.issues)
    issues.extend(check_values(values))
    issues.extend(narrative_issues)
    if meta.report_year is None:
        issues.append(Issue("meta.year", "error", "report year not found in title, text or statistics period"))
    if meta.agency is None:
        issues.append(Issue("meta.agency", "error", "agency name not found"))
    elif meta.agency_source and "completed" not in meta.agency_source and meta.agency[:1] in "市区县":
        issues.append(Issue("meta.agency", "warning", f"agency printed only as {meta.agency!r}; full name unknown"))

    region = _region(meta.agency, hints)
    agency = _canonical_agency(meta.agency, region)
    section_formats = dict(mapped.section_formats)
    if mapped.stat_format:
        section_formats["统计表"] = mapped.stat_format
    report = ReportMeta(
        title=meta.title,
        agency=agency,
        region=region,
        report_year=meta.report_year,
        published_at=meta.published_at,
        format=_report_format(mapped.section_formats, mapped.stat_format),
        section_formats=section_formats,
        scope=report_scope(meta.title or (hints.title if hints else None), agency, [t for t, _ in lines]),
    )
    for step in doc.steps:
        if step.startswith("truncated:"):  # a work limit cut the document: what follows the cut was not read
            issues.append(Issue("document.truncated", "error",
                                f"document cut at a work limit ({step.removeprefix('truncated:')}); later parts not read"))
    if not values:
        issues.append(Issue("values.none", "warning", "no figure found in tables or prose"))
    return ParseResult(input=input, ok=True, report=report, values=values, cells=mapped.cells,
                       issues=issues, decoding=decoding)
