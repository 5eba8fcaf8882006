"""Entry points of the parser: one document's bytes (`parse_document`), or a report made of several documents, an
article and its attachments (`parse_report`) -> ParseResult. Never raise for bad input."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from etl.agency import report_scope
from etl.checks import check_values, compare_narrative
from etl.decode import decode_html
from etl.document import Doc, html_doc, looks_like_html, text_doc
from etl.identify import Verdict, judge, not_report_reason
from etl.mapping import Mapped, map_rows
from etl.meta import Meta, extract_meta
from etl.model import (
    Cell,
    Document,
    DocumentRead,
    Hints,
    Issue,
    ParseResult,
    Region,
    ReportMeta,
    Value,
)
from etl.narrative import extract as extract_narrative
from etl.office import Converter, OfficeError, office_doc

if TYPE_CHECKING:
    from etl.ocr import OcrInfo

MAX_BYTES = 50 * 1024 * 1024  # bounded work on hostile input
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])")


def _sniff(data: bytes, filename: str | None, content_type: str | None) -> str:
    head = data[:8]
    name = (filename or "").lower()
    ctype = (content_type or "").lower()
    if head.startswith(b"%PDF") or name.endswith(".pdf") or "pdf" in ctype:
        return "pdf"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return "image"  # a PNG or JPEG page: read by OCR (etl.ocr)
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
    `crawler.convert.soffice_convert`). Bad input gives ok=False with a reason; a readable document that is not an
    annual report (etl.identify) gives ok=False, not_report=True. The report of one document: `parse_report`."""
    document = Document(url=url or input, sha256=None, role="article", data=data, content_type=content_type,
                        filename=filename)
    return parse_report([document], input=input, hints=hints, convert=convert)


def parse_report(
    documents: Sequence[Document],
    *,
    input: str,
    hints: Hints | None = None,
    convert: Converter | None = None,
) -> ParseResult:
    """Read an article and its attachments (article first; zero or more attachments) as one report.

    - A document that was not fetched (`data is None`) or cannot be read (scanned PDF, DOC without `convert`, ...) or
      is not a report document (etl.identify) gives an issue naming its URL and the reason: `attachment.unreadable`
      (a warning: the report's figures come from its other documents) or, when the report is left without any
      figure, `attachment.unreadable_no_figures` (an error). The article unreadable: the report stands on its
      attachments (`article.unreadable`, `article.unreadable_no_figures` likewise), else the article's error.
    - Not a report: the article is not one, and either it is about a report (a notice, a 解读) or no attachment is
      one (etl.identify.not_report_reason) -> ok=False, not_report=True.
    - Metadata (title, agency, year, published date) from the article's own text; a field the article does not print
      comes from the first attachment that prints it (the year goes with the title that states it); then the crawl's
      hints.
    - Values, per key (metric, applicant, period): the article's table value, else the first attachment's table value
      (attachments in order), else the first prose value in the same document order; a table value always beats prose
      (the contract's rule, with the prose figure checked against it as for one document). Another document printing
      a different figure for a key gives a `documents.disagree` warning with both figures and both URLs (identical
      copies are silent). Every value and cell names its document (`Source.document`, `Cell.document`).
    - One document: exactly `parse_document`'s result (no `document` in provenance).
    """
    try:
        return _parse_report(list(documents), input=input, hints=hints, convert=convert)
    except Exception as exc:  # noqa: BLE001 - one bad document must never stop a run; the reason is kept
        return ParseResult(input=input, ok=False, error=f"internal parser error: {type(exc).__name__}: {exc}",
                           documents=[_listed(d, False, f"internal parser error: {type(exc).__name__}") for d in documents])


# --- reading one document ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Reading:
    """One document read: its rows, metadata, table and prose figures, and whether it is a report."""

    doc: Doc
    decoding: str
    meta: Meta
    mapped: Mapped
    lines: list[tuple[str, str | None]]  # prose lines with the heading they sit under
    text_values: list[Value]
    verdict: Verdict


def _read(data: bytes | None, *, content_type: str | None, filename: str | None, hints: Hints | None,
          convert: Converter | None, fallback_year: int | None = None) -> _Reading | tuple[str, str | None]:
    """A document's reading, or (reason, decoding) when it cannot be read."""
    if not data:
        return "empty document", None
    if len(data) > MAX_BYTES:
        return f"document too large ({len(data)} bytes)", None
    kind = _sniff(data, filename, content_type)
    ocr: OcrInfo | None = None
    if kind == "pdf":
        from etl.pdf import PdfError, pdf_doc  # PyMuPDF is loaded for PDF input only

        try:
            doc, decoding = pdf_doc(data), "pdf"
        except PdfError as exc:
            if not exc.reason.startswith("scanned PDF"):
                return exc.reason, None
            # no text layer (on some page): every page is read by OCR
            from etl.ocr import OcrError, scanned_pdf_doc

            try:
                doc, ocr = scanned_pdf_doc(data)
            except OcrError as err:
                return f"{exc.reason}; OCR: {err.reason}", None
            decoding = "pdf:ocr"
    elif kind == "image":
        from etl.ocr import OcrError, image_doc

        try:
            doc, ocr = image_doc(data)
        except OcrError as err:
            return f"image: {err.reason}", None
        decoding = "image:ocr"
    elif kind in ("zip", "ole"):
        try:
            doc, decoding = office_doc(data, kind, convert)
        except OfficeError as exc:
            return str(exc), None
    elif kind == "binary":
        return "binary data, not a text or HTML document", None
    else:
        doc, decoding = _document(data, content_type)
    if not doc.rows and not doc.title and not any(h.strip() for h in doc.head):
        return "no text found in the document", decoding
    meta = extract_meta(doc, hints)
    year = meta.report_year if meta.report_year is not None else fallback_year
    mapped = map_rows(doc.rows, year)

    lines: list[tuple[str, str | None]] = []
    heading: str | None = None
    for row in doc.rows:
        if row.table is not None:
            continue
        text = row.text
        if len(text) <= 40 and _HEADING.match(text):
            heading = text
        lines.append((text, heading))
    text_values = extract_narrative(lines, year)
    if decoding in ("pdf:ocr", "image:ocr"):
        # figures read by OCR: Source.kind "ocr", judged by the report's identities (etl.ocr.reconcile)
        from etl.ocr import reconcile

        table, text_values, ocr_issues = reconcile(mapped.values, text_values, ocr, mapped.section_formats)
        mapped = dataclasses.replace(mapped, values=table, issues=[*mapped.issues, *ocr_issues])
    verdict = judge(doc, len(mapped.values), len(text_values))
    return _Reading(doc, decoding, meta, mapped, lines, text_values, verdict)


def _listed(d: Document, ok: bool, error: str | None, n_values: int = 0) -> DocumentRead:
    sha = d.sha256 if d.sha256 is not None or d.data is None else hashlib.sha256(d.data).hexdigest()
    return DocumentRead(url=d.url, sha256=sha, role=d.role, ok=ok, error=error, n_values=n_values, title=d.title)


def _own_hints(hints: Hints | None) -> Hints | None:
    """The hints an attachment is read with: the site's region completes a short agency name (市商务局); the article's
    list title, date and the site's agency are the report's fallbacks, applied once over all its documents."""
    if hints is None:
        return None
    return Hints(site=hints.site, region=hints.region)


# --- one report from its documents --------------------------------------------------------------------------


def _parse_report(documents: list[Document], *, input: str, hints: Hints | None,
                  convert: Converter | None) -> ParseResult:
    if not documents:
        return ParseResult(input=input, ok=False, error="no document")
    single = len(documents) == 1
    readings: list[_Reading | None] = []
    errors: list[str | None] = []
    decodings: list[str | None] = []
    article_year: int | None = None
    for i, d in enumerate(documents):
        if d.data is None:
            readings.append(None)
            errors.append(f"not fetched ({d.error})" if d.error else "not fetched")
            decodings.append(None)
            continue
        try:
            got = _read(d.data, content_type=d.content_type, filename=d.filename,
                        hints=hints if i == 0 else _own_hints(hints), convert=convert, fallback_year=article_year)
        except Exception as exc:  # one document's crash leaves the others readable (a single one: re-raised)
            if single:
                raise
            got = (f"internal parser error: {type(exc).__name__}: {exc}", None)
        if isinstance(got, _Reading):
            readings.append(got)
            errors.append(None)
            decodings.append(got.decoding)
            if i == 0:
                article_year = got.meta.report_year
        else:
            readings.append(None)
            errors.append(got[0])
            decodings.append(got[1])

    verdicts = [r.verdict for r in readings if r is not None]
    article = readings[0]
    if article is None and not any(r is not None and r.verdict.is_report for r in readings[1:]):
        return ParseResult(input=input, ok=False, error=errors[0], decoding=decodings[0],
                           documents=[_listed(d, False, e) for d, e in zip(documents, errors, strict=True)])
    reason = not_report_reason(verdicts) if article is not None else None
    if reason is not None:
        assert article is not None
        listed = [_listed(documents[0], False, article.verdict.error)]
        for d, r, e in zip(documents[1:], readings[1:], errors[1:], strict=True):
            listed.append(_listed(d, r is not None and r.verdict.is_report, e if r is None else r.verdict.error))
        return ParseResult(input=input, ok=False, error=f"not an annual report: {reason}", decoding=article.decoding,
                           not_report=True, documents=listed)

    # The documents that give the report its content: readable report documents (the article always, when readable:
    # a report title with `详见附件` is the article's part of the report).
    used: list[int] = []
    unreadable: list[tuple[int, str]] = []
    for i, (r, e) in enumerate(zip(readings, errors, strict=True)):
        if r is None:
            unreadable.append((i, e or "unreadable"))
        elif i == 0 or r.verdict.is_report:
            used.append(i)
        else:
            unreadable.append((i, r.verdict.error or "not a report document"))
    if single:
        assert article is not None
        return _one(article, input=input, hints=hints, documents=documents)
    return _merge(documents, readings, used, unreadable, input=input, hints=hints)


def _meta_issues(meta: Meta) -> list[Issue]:
    issues: list[Issue] = []
    if meta.report_year is None:
        issues.append(Issue("meta.year", "error", "report year not found in title, text or statistics period"))
    if meta.agency is None:
        issues.append(Issue("meta.agency", "error", "agency name not found"))
    elif meta.agency_source and "completed" not in meta.agency_source and meta.agency[:1] in "市区县":
        issues.append(Issue("meta.agency_partial", "warning",
                            f"agency printed only as {meta.agency!r}; full name unknown"))
    return issues


def _truncation_issues(doc: Doc, document: str | None = None) -> list[Issue]:
    issues = []
    for step in doc.steps:
        if step.startswith("truncated:"):  # a work limit cut the document: what follows the cut was not read
            issues.append(Issue("document.truncated", "error",
                                f"document cut at a work limit ({step.removeprefix('truncated:')}); later parts not read"
                                + (f" ({document})" if document else ""),
                                details={"document": document} if document else None))
    return issues


def _report_meta(meta: Meta, hints: Hints | None, section_formats: dict[str, str], stat_format: str | None,
                 lines: list[str]) -> ReportMeta:
    region = _region(meta.agency, hints)
    agency = _canonical_agency(meta.agency, region)
    formats = dict(section_formats)
    if stat_format:
        formats["统计表"] = stat_format
    return ReportMeta(
        title=meta.title,
        agency=agency,
        region=region,
        report_year=meta.report_year,
        published_at=meta.published_at,
        format=_report_format(section_formats, stat_format),
        section_formats=formats,
        scope=report_scope(meta.title or (hints.title if hints else None), agency, lines),
    )


def _one(r: _Reading, *, input: str, hints: Hints | None, documents: list[Document]) -> ParseResult:
    """The report of a single document (what parse_document always returned)."""
    table_values = {v.key: v for v in r.mapped.values}
    kept, narrative_issues = compare_narrative(table_values, r.text_values)
    filled = {v.key for v in kept}
    values = [v for v in r.mapped.values if v.key not in filled] + kept

    issues: list[Issue] = list(r.mapped.issues)
    issues.extend(r.doc.issues)  # found while reading the rows (etl.oneline: one-line tables)
    issues.extend(check_values(values))
    issues.extend(narrative_issues)
    issues.extend(_meta_issues(r.meta))
    report = _report_meta(r.meta, hints, r.mapped.section_formats, r.mapped.stat_format, [t for t, _ in r.lines])
    issues.extend(_truncation_issues(r.doc))
    if not values:
        issues.append(Issue("values.none", "warning", "no figure found in tables or prose"))
    return ParseResult(input=input, ok=True, report=report, values=values, cells=r.mapped.cells,
                       issues=issues, decoding=r.decoding,
                       documents=[_listed(documents[0], True, None, len(values))])


def _with_document(v: Value, url: str) -> Value:
    return dataclasses.replace(v, source=dataclasses.replace(v.source, document=url))


def _figure(v: Value) -> tuple[float | int | None, bool]:
    return (None if v.value is None else float(v.value), v.approximate)


def _merged_meta(readings: list[_Reading | None], used: list[int], hints: Hints | None) -> Meta:
    """Metadata from the documents' own text, article first (see parse_report); then the crawl's hints."""
    own: list[tuple[int, Meta]] = []
    for i in used:
        r = readings[i]
        assert r is not None
        # the article was read with every hint: re-read its own metadata with the region alone
        own.append((i, extract_meta(r.doc, _own_hints(hints)) if i == 0 else r.meta))
    article = readings[0]
    # the article read with every hint (the list title, date and site agency fill what no document prints)
    fallback = article.meta if article is not None else extract_meta(Doc(None, []), hints)
    titled = next((m for _, m in own if m.title), None)
    if titled is not None:  # the year goes with the title that states it
        title, year = titled.title, titled.report_year
    else:
        title, year = fallback.title, fallback.report_year
    if year is None:
        year = next((m.report_year for _, m in own if m.report_year is not None), fallback.report_year)
    agency_from = next((m for _, m in own if m.agency), fallback)
    published = next((m.published_at for _, m in own if m.published_at), fallback.published_at)
    return Meta(title, agency_from.agency, agency_from.agency_source, year, published)


def _merge(documents: list[Document], readings: list[_Reading | None], used: list[int],
           unreadable: list[tuple[int, str]], *, input: str, hints: Hints | None) -> ParseResult:
    """Several documents -> one report (rules: parse_report)."""
    issues: list[Issue] = []
    table: dict[tuple, Value] = {}
    order: list[tuple] = []
    prose: dict[tuple, Value] = {}
    prose_order: list[tuple] = []
    cells: list[Cell] = []
    section_formats: dict[str, str] = {}
    stat_format: str | None = None
    lines: list[str] = []
    for i in used:
        r = readings[i]
        assert r is not None
        url = documents[i].url
        for issue in [*r.mapped.issues, *r.doc.issues]:
            issues.append(dataclasses.replace(issue, details={**(issue.details or {}), "document": url}))
        for v in r.mapped.values:
            v = _with_document(v, url)
            _keep(table, order, v, issues)
        for v in r.text_values:
            v = _with_document(v, url)
            _keep(prose, prose_order, v, issues)
        cells.extend(dataclasses.replace(c, document=url) for c in r.mapped.cells)
        for sec, fmt in r.mapped.section_formats.items():
            section_formats.setdefault(sec, fmt)
        stat_format = stat_format or r.mapped.stat_format
        lines.extend(t for t, _ in r.lines)

    table_values = {k: table[k] for k in order}
    kept, narrative_issues = compare_narrative(table_values, [prose[k] for k in prose_order])
    filled = {v.key for v in kept}
    values = [v for v in table_values.values() if v.key not in filled] + kept
    issues.extend(check_values(values))
    issues.extend(narrative_issues)

    meta = _merged_meta(readings, used, hints)
    issues.extend(_meta_issues(meta))
    report = _report_meta(meta, hints, section_formats, stat_format, lines)
    for i in used:
        r = readings[i]
        assert r is not None
        issues.extend(_truncation_issues(r.doc, documents[i].url))
    for i, why in unreadable:
        d = documents[i]
        what = "article" if i == 0 else "attachment"
        name = f" ({d.title})" if d.title else ""
        message, details = f"{what} {d.url}{name} not read: {why}", {"document": d.url, "reason": why}
        # one code per gravity: a document the report does without, or one that leaves it without any figure
        if values:
            issues.append(Issue("article.unreadable" if i == 0 else "attachment.unreadable", "warning",
                                message, None, details))
        else:
            issues.append(Issue("article.unreadable_no_figures" if i == 0 else "attachment.unreadable_no_figures",
                                "error", message, None, details))
    if not values:
        issues.append(Issue("values.none", "warning", "no figure found in tables or prose"))

    counts: dict[str, int] = {}
    for v in values:
        counts[v.source.document or ""] = counts.get(v.source.document or "", 0) + 1
    errors = dict(unreadable)
    listed = [_listed(d, i not in errors, errors.get(i), counts.get(d.url, 0) if i not in errors else 0)
              for i, d in enumerate(documents)]
    article = readings[0]
    decoding = article.decoding if article is not None else next(
        (r.decoding for r in readings if r is not None), None)
    return ParseResult(input=input, ok=True, report=report, values=values, cells=cells, issues=issues,
                       decoding=decoding, documents=listed)


def _keep(chosen: dict[tuple, Value], order: list[tuple], v: Value, issues: list[Issue]) -> None:
    """The first value of a key stays; a later document's different figure is a `documents.disagree` warning."""
    first = chosen.get(v.key)
    if first is None:
        chosen[v.key] = v
        order.append(v.key)
        return
    if first.source.document == v.source.document or _figure(first) == _figure(v):
        return
    metric, applicant, period = v.key
    where = metric + (f"[{applicant}]" if applicant else "") + ("" if period == "year" else f"@{period}")
    issues.append(Issue(
        "documents.disagree", "warning",
        f"{where}: {first.source.document} prints {first.value} ({first.source.kind}: {first.source.text!r}), "
        f"{v.source.document} prints {v.value} ({v.source.kind}: {v.source.text!r}); the first is kept",
        applicant,
        {"metric": metric, "applicant": applicant, "period": period, "kind": v.source.kind,
         "kept": first.value, "kept_document": first.source.document, "kept_text": first.source.text,
         "other": v.value, "other_document": v.source.document, "other_text": v.source.text},
    ))
