"""PDF bytes -> `Doc` (the row stream of `etl.document`), with PyMuPDF reading the text and the vector graphics.

What a page gives:

- ruled tables, found from their drawn borders (a lattice: horizontal and vertical segments, merged cells where a
  border is missing between grid slots). Each merged cell gives its text once, on its first row, like an HTML
  cell with rowspan/colspan;
- tables without ruling lines, found from text positions: lines of several separate chunks of text with figures
  lined up in value columns. Merged cells there are known only by where their text starts (Word prints cell text
  at the top of a cell by default), so an unruled merged label counts on the row where its first line sits;
- paragraphs: the remaining lines, one row per paragraph (a new paragraph starts at an indent, a heading number
  like `一、` or `（二）`, after a line that stops short of the right margin, or at a change of font size).

Text that wraps inside a cell or a paragraph is joined without a space between Chinese characters (`本年新` +
`制作数量` -> `本年新制作数量`; a label printed one character per line joins the same way). Page numbers (`第 1 页`,
`- 2 -`, `共3页`) and lines repeated in the page margins are dropped. A table whose next part starts the next page
continues the same table when its columns match: a header row printed again is dropped, and what a page break cut
(a row, or the text of a tall merged cell, running on over the break) joins its first part. Pages whose text runs
up, down or upside down are read turned upright.

Refused with `PdfError` (never read as empty, never numbers from text that cannot be read): damaged files whose
content is lost, encrypted files that need a password, scanned pages (images without a text layer), text in fonts
without a Unicode mapping, more than MAX_PAGES pages.
"""

from __future__ import annotations

import gc
import re
from collections import Counter

import pymupdf

from etl.document import Doc
from etl.normalize import clean, normalize_text
from etl.pdf.assemble import paragraphs
from etl.pdf.errors import (
    MAX_CHARS_PER_PAGE,
    MAX_GRID_SLOTS,
    MAX_PAGES,
    MAX_SEGMENTS_PER_PAGE,
    PdfError,
)
from etl.pdf.layout import drop_margins
from etl.pdf.page import Page, read_page
from etl.pdf.tables import Part
from etl.pdf.text import join_lines
from etl.pdf.unruled import carry_heads, read_unruled

__all__ = ["MAX_CHARS_PER_PAGE", "MAX_GRID_SLOTS", "MAX_PAGES", "MAX_SEGMENTS_PER_PAGE", "PdfError", "join_lines",
           "pdf_doc"]

_LOSS = re.compile(r"cannot load content stream|object is not a stream|zlib error|premature end|unexpected eof"
                   r"|read error|ignoring broken object|truncated", re.IGNORECASE)


def _open(data: bytes) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
        if not doc.is_pdf:
            raise PdfError("not a PDF (the bytes are another kind of document)")
        if doc.needs_pass:
            raise PdfError("encrypted PDF: a password is needed to open it")
        count = doc.page_count
    except PdfError:
        raise
    except Exception as exc:  # noqa: BLE001 - MuPDF raises several types for damaged files
        raise PdfError(f"broken PDF: {exc}") from None
    if count == 0:
        raise PdfError("broken PDF: no pages")
    if count > MAX_PAGES:
        raise PdfError(f"PDF has {count} pages, more than {MAX_PAGES}")
    return doc


def _title(doc: pymupdf.Document) -> str | None:
    title = clean((doc.metadata or {}).get("title") or "")
    title = re.sub(r"^Microsoft (?:Word|Excel) - ", "", title)
    title = re.sub(r"\.(?:docx?|wps|xlsx?|pdf)$", "", title, flags=re.IGNORECASE)
    return title or None


def pdf_doc(data: bytes) -> Doc:
    """The report's rows (tables and paragraphs) in reading order. Raises `PdfError` for a PDF that cannot be read."""
    shown = pymupdf.TOOLS.mupdf_display_errors()
    pymupdf.TOOLS.mupdf_display_errors(False)  # MuPDF's own messages on damaged files: collected, not printed
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    # The cyclic garbage collector is paused while the PDF is read: reading makes no reference cycles (all of it
    # is freed by reference counting), but the thousands of dicts per page that PyMuPDF's text extraction returns
    # set off collections, full ones of the whole heap among them (10-15 % of the time in a parsing process).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _pdf_doc(data)
    finally:
        if collecting:
            gc.enable()
        pymupdf.TOOLS.mupdf_warnings(reset=True)
        pymupdf.TOOLS.mupdf_display_errors(shown)


def _pdf_doc(data: bytes) -> Doc:
    doc = _open(data)
    try:
        pages: list[Page] = []
        bad = total = 0
        for number in range(doc.page_count):
            try:
                p, b = read_page(doc.load_page(number))
            except PdfError:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged page or page tree
                raise PdfError(f"broken PDF: page {number + 1}: {exc}") from None
            pages.append(p)
            bad += b
            total += p.chars + b
        title = _title(doc)
    except PdfError:
        raise
    except Exception as exc:  # noqa: BLE001 - MuPDF on a damaged file
        raise PdfError(f"broken PDF: {exc}") from None
    finally:
        doc.close()
    if _LOSS.search(pymupdf.TOOLS.mupdf_warnings()):
        raise PdfError("damaged PDF: part of its content cannot be read (a truncated or corrupt file)")
    scanned = [p.number for p in pages if p.chars == 0 and p.images]
    if total == 0 or all(p.chars == 0 for p in pages):
        raise PdfError("scanned PDF, no text layer" if scanned else "no text in the PDF")
    if scanned:
        listed = ", ".join(str(n) for n in scanned)
        raise PdfError(f"scanned PDF, no text layer on page(s) {listed} of {len(pages)}")
    if bad >= 10 and bad > 0.02 * total:
        raise PdfError(f"unreadable text layer: {bad} of {total} characters have no Unicode mapping")

    drop_margins(pages)
    carried = carry_heads(pages)
    before: Part | None = None  # the table part a page ends with, nothing after it
    for p in pages:
        read_unruled(p, before, p.number in carried)
        last_line = max((ln.bottom for ln in p.lines), default=-1.0)
        before = max((part for part in p.parts if not part.ruled and part.bottom > last_line),
                     key=lambda part: part.bottom, default=None)
    lines = [ln for p in pages for ln in p.lines]
    sizes: Counter[int] = Counter()
    for ln in lines:
        sizes[round(ln.size)] += sum(len(c.text) for c in ln.chunks)  # the body size: most of the text
    body = sizes.most_common(1)[0][0] if sizes else 10
    body_lines = [ln for ln in lines if abs(ln.size - body) < 1] or lines
    left = Counter(round(ln.x0) for ln in body_lines).most_common(1)[0][0] if body_lines else 0.0
    right = max((ln.x1 for ln in body_lines), default=0.0)
    items: list[tuple[str, object]] = []
    for p in pages:
        page_items: list[tuple[float, int, str, object]] = [(ln.top, 1, "line", ln) for ln in p.lines]
        page_items += [(part.top, 0, "table", part) for part in p.parts]
        page_items.sort(key=lambda t: (t[0], t[1]))
        items += [(kind, obj) for _, _, kind, obj in page_items]
    rows = paragraphs(items, left, right, body)
    return _normalized(Doc(title, rows))


def _normalized(doc: Doc) -> Doc:
    """Traditional script, pinyin artifacts, invisible characters: the whole-document normalisation of HTML."""
    cells = [c for r in doc.rows for c in r.cells]
    text, steps = normalize_text("\x1f".join([doc.title or "", *cells]))
    parts = text.split("\x1f")
    if len(parts) != len(cells) + 1:  # pragma: no cover - normalisation never touches the separator
        return doc
    title = clean(parts[0]) or None
    n = 1
    for r in doc.rows:
        r.cells = [clean(c) for c in parts[n : n + len(r.cells)]]
        n += len(r.cells)
    return Doc(title, doc.rows, steps=["pdf", *steps])
