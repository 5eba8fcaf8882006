"""Office versions of a generated report: DOCX (python-docx) and XLSX (openpyxl) from `blocks.blocks(...)`, and
DOC/XLS through LibreOffice. Output bytes are reproducible: fixed document properties and zip entry dates.

DOCX: the title as a Title paragraph, headings as Heading 1, paragraphs as Normal, tables with real merged cells
(gridSpan / vMerge from rowspan/colspan) and real line breaks inside wrapped label cells.
XLSX: one sheet; paragraphs in column A, one per row; each table below with an empty row around it, merged
ranges from the spans, numbers as numeric cells and everything else as text.
XLS (`xlwt_bytes`): the same sheet as the XLSX, written as a BIFF8 Excel 97-2003 workbook by xlwt (pure Python:
the demo portal's legacy .xls attachments, no LibreOffice needed).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from portal.blocks import Block, Para, placements

FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _reproducible(package: bytes) -> bytes:
    """The same zip with fixed entry dates and fixed created/modified core properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<3>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def _title(blocks: list[Block]) -> str:
    return next((b.text for b in blocks if isinstance(b, Para)), "")


# --- DOCX -----------------------------------------------------------------------------------------


def _add_lines(paragraph, text: str):
    """Text with "\\n" as real line breaks (<w:br/>) inside one run; returns the run."""
    first, *rest = text.split("\n")
    run = paragraph.add_run(first)
    for line in rest:
        run.add_break()
        run.add_text(line)
    return run


def docx_bytes(blocks: list[Block]) -> bytes:
    """A DOCX document of the blocks (see the module docstring)."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    props = document.core_properties
    props.title = _title(blocks)
    props.author = props.last_modified_by = "ogi-warehouse portal"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    first = True
    for block in blocks:
        if isinstance(block, Para):
            if first and block.heading:
                paragraph = document.add_paragraph(style="Title")
            elif block.heading:
                paragraph = document.add_paragraph(style="Heading 1")
            else:
                paragraph = document.add_paragraph()
            _add_lines(paragraph, block.text)
            first = False
            continue
        height, width = len(block.rows), block.ncols
        if not height or not width:
            continue
        table = document.add_table(rows=height, cols=width)
        table.style = "Table Grid"
        cells = table._cells  # before any merge; spans are disjoint, so each stays valid (table.cell() is O(n))
        for p in placements(block):  # each printed cell at its grid position: merge its span, write its text
            target = cells[p.row * width + p.col]
            if p.rowspan > 1 or p.colspan > 1:
                target = target.merge(cells[(p.row + p.rowspan - 1) * width + p.col + p.colspan - 1])
            _add_lines(target.paragraphs[0], p.text).font.size = Pt(9)
        first = False
    out = io.BytesIO()
    document.save(out)
    return _reproducible(out.getvalue())


# --- XLSX -----------------------------------------------------------------------------------------


def _number(text: str) -> int | float | None:
    if not _NUMBER.fullmatch(text):
        return None
    return float(text) if "." in text else int(text)


def xlsx_bytes(blocks: list[Block]) -> bytes:
    """An XLSX workbook of the blocks (see the module docstring)."""
    import openpyxl
    from openpyxl.styles import Alignment

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度报告"
    wb.properties.title = _title(blocks)
    wb.properties.creator = wb.properties.lastModifiedBy = "ogi-warehouse portal"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    row = 1
    for block in blocks:
        if isinstance(block, Para):
            ws.cell(row, 1, block.text)
            row += 1
            continue
        if row > 1:
            row += 1  # an empty row before the table
        for p in placements(block):
            number = _number(p.text)
            target = ws.cell(row + p.row, 1 + p.col)
            if number is not None:
                target.value = number
            elif p.text:
                target.value = p.text
                if "\n" in p.text:
                    target.alignment = Alignment(wrap_text=True)
            if p.rowspan > 1 or p.colspan > 1:
                ws.merge_cells(start_row=row + p.row, start_column=1 + p.col,
                               end_row=row + p.row + p.rowspan - 1, end_column=1 + p.col + p.colspan - 1)
        row += len(block.rows) + 1  # and one after it
    out = io.BytesIO()
    wb.save(out)
    return _reproducible(out.getvalue())


def xlwt_bytes(blocks: list[Block]) -> bytes:
    """An Excel 97-2003 .xls workbook of the blocks, laid out as `xlsx_bytes` lays out its sheet (xlwt)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    wb.owner = "ogi-warehouse portal"
    ws = wb.add_sheet("年度报告")
    wrap = xlwt.easyxf("alignment: wrap on")
    row = 0  # 0-based here (xlwt), 1-based in xlsx_bytes: same cells
    for block in blocks:
        if isinstance(block, Para):
            ws.write(row, 0, block.text)
            row += 1
            continue
        if row > 0:
            row += 1  # an empty row before the table
        for p in placements(block):
            number = _number(p.text)
            value = number if number is not None else (p.text or "")
            style = wrap if number is None and "\n" in p.text else xlwt.Style.default_style
            top, left = row + p.row, p.col
            if p.rowspan > 1 or p.colspan > 1:
                ws.write_merge(top, top + p.rowspan - 1, left, left + p.colspan - 1, value, style)
            elif value != "":
                ws.write(top, left, value, style)
        row += len(block.rows) + 1  # and one after it
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- through LibreOffice (tests of DOC / XLS input) -----------------------------------------------


def doc_bytes(blocks: list[Block]) -> bytes:
    """A Word 97-2003 .doc of the blocks: the DOCX converted by LibreOffice (needs `soffice`)."""
    from crawler.convert import soffice_convert

    return soffice_convert(docx_bytes(blocks), "docx", "doc")


def xls_bytes(blocks: list[Block]) -> bytes:
    """An Excel 97-2003 .xls of the blocks: the XLSX converted by LibreOffice Calc (needs `soffice` with Calc)."""
    from crawler.convert import soffice_convert

    return soffice_convert(xlsx_bytes(blocks), "xlsx", "xls")
