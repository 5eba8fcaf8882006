"""Office documents -> `Doc`: DOCX (python-docx), XLSX (openpyxl), XLS (python-calamine), DOC/WPS (converted).

Every reader gives the same row stream as `etl.document.html_doc`: one `Row` per table row with its cells in
visual order, a merged cell once on its first row (like an HTML `<td rowspan colspan>`), and one single-cell `Row`
per paragraph or line. Line breaks inside a cell are joined (Chinese parts without a space).

Hostile input is bounded before any library reads it: a zip's declared uncompressed sizes are checked first
(`zipfile` never inflates past the declared size), sheets are capped in rows and columns. Unreadable input raises
`OfficeError` with a message meant for people; `etl.parse` turns it into `ok=False`.

DOC, WPS and ODT have no maintained pure-Python reader that keeps tables: they are converted to DOCX by a
`Converter` the caller passes in (`crawler.convert.soffice_convert`: LibreOffice in a subprocess). This module
never starts a process; without a converter such a document gets a clear OfficeError.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from etl.document import Doc, Row
from etl.normalize import clean, normalize_text

# --- limits ---------------------------------------------------------------------------------------

MAX_ZIP_MEMBERS = 5_000
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # whole package, as declared in the zip directory
MAX_MEMBER = 16 * 1024 * 1024  # one part (document.xml, a sheet): openpyxl reads 16 MiB of sheet XML in ~6 s
MAX_RATIO = 500  # declared size / compressed size, for parts above 1 MiB (office XML deflates ~5-50:1)
MAX_ROWS = 5_000  # per sheet
MAX_COLS = 256  # per sheet

# (data, source extension, target extension) -> converted bytes; raises with a message for people on failure
Converter = Callable[[bytes, str, str], bytes]


class OfficeError(ValueError):
    """An office document that cannot be read; the message says why, for people."""


# --- text helpers ---------------------------------------------------------------------------------


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def join_lines(parts: list[str]) -> str:
    """Lines of one cell as one string: Chinese parts joined directly (`本年新` + `制作数量`), others with a space."""
    out = ""
    for part in parts:
        part = clean(part)
        if not part:
            continue
        if out and not (_wide(out[-1]) and _wide(part[0])):
            out += " "
        out += part
    return out


def _normalized(rows: list[Row], title: str | None) -> tuple[list[Row], str | None, list[str]]:
    """`etl.normalize.normalize_text` over the whole document (the t2s decision is a whole-document one),
    then split back into the cells: one line per cell, the title last."""
    cells = [clean(c) for r in rows for c in r.cells] + [clean(title or "")]
    text, steps = normalize_text("\n".join(cells))
    out = [clean(c) for c in text.split("\n")]
    if len(out) != len(cells):  # pragma: no cover - normalize_text keeps line breaks
        raise OfficeError("internal error: text normalisation changed the number of cells")
    new_rows: list[Row] = []
    i = 0
    for r in rows:
        n = len(r.cells)
        row = Row(out[i : i + n], r.table, r.index, r.page)
        i += n
        if row.table is not None or row.cells[0]:
            new_rows.append(row)
    return new_rows, out[-1] or None, steps


_TITLE_WORDS = re.compile(r"(?:19|20)\d{2}.*(?:报告|年报|统计表)|(?:报告|年报|统计表).*(?:19|20)\d{2}")


def _looks_like_title(text: str) -> bool:
    return 4 <= len(text) <= 80 and _TITLE_WORDS.search(text) is not None


# --- zip packages ---------------------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise OfficeError(f"broken or truncated zip/office file ({exc})") from None
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise OfficeError(f"zip has {len(infos)} members (limit {MAX_ZIP_MEMBERS}): not an office document")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER:
            raise OfficeError(
                f"zip member {info.filename} expands to {info.file_size} bytes (limit {MAX_MEMBER // 2**20} MiB): "
                "refused as a possible zip bomb"
            )
        if total > MAX_UNCOMPRESSED:
            raise OfficeError(
                f"zip expands to more than {MAX_UNCOMPRESSED // 2**20} MiB: refused as a possible zip bomb"
            )
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise OfficeError(
                f"zip member {info.filename} is compressed {info.file_size // max(info.compress_size, 1)}:1: "
                "refused as a possible zip bomb"
            )
    return zf


def zip_kind(data: bytes) -> str:
    """`docx`, `xlsx`, `xlsb`, `odt` or `ods` for a zip package; OfficeError for any other zip."""
    zf = _open_zip(data)
    names = set(zf.namelist())
    ooxml = "[Content_Types].xml" in names  # the main part is found through the package relationships
    if ooxml and any(n.startswith("word/") for n in names):
        return "docx"
    if ooxml and any(n.startswith("xl/") for n in names):
        return "xlsb" if "xl/workbook.bin" in names else "xlsx"
    if "mimetype" in names:
        try:
            mimetype = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise OfficeError(f"broken zip/office file ({exc})") from None
        if mimetype == "application/vnd.oasis.opendocument.text":
            return "odt"
        if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
    if "EncryptedPackage" in names:
        raise OfficeError("password-protected office document")
    shown = ", ".join(sorted(names)[:5])
    raise OfficeError(f"zip archive that is not a Word or Excel document (members: {shown})")


# --- DOCX -----------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P, _TBL, _TR, _TC, _T = (f"{{{_W}}}{t}" for t in ("p", "tbl", "tr", "tc", "t"))
_BREAKS = {f"{{{_W}}}{t}" for t in ("br", "cr")}
_TABS = {f"{{{_W}}}{t}" for t in ("tab", "ptab")}
_SKIP = {f"{{{_W}}}{t}" for t in ("del", "moveFrom", "instrText", "delText", "pPr", "rPr", "tblPr", "trPr", "tcPr")}
_SKIP.add(f"{{{_MC}}}Fallback")  # the same content again, for old readers
_CONTAINERS = {f"{{{_W}}}{t}" for t in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag", "body")}


def _val(el, tag: str) -> str | None:
    """The w:val of child <w:tag> of `el` (None when absent; "" when present without a value)."""
    child = el.find(f"{{{_W}}}{tag}")
    if child is None:
        return None
    return child.get(f"{{{_W}}}val", "")


def _para_lines(p) -> list[str]:
    """A paragraph's text, split at its line breaks."""
    lines = [""]

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _T:
                lines[-1] += child.text or ""
            elif tag in _BREAKS:
                lines.append("")
            elif tag in _TABS:
                lines[-1] += " "
            elif tag == f"{{{_W}}}noBreakHyphen":
                lines[-1] += "-"
            else:
                walk(child)

    walk(p)
    return lines


@dataclass
class _DocxWalker:
    rows: list[Row] = field(default_factory=list)
    ntables: int = 0
    firsts: list[str] = field(default_factory=list)  # the first paragraphs' text, for the title

    def block(self, el) -> None:
        for child in el:
            tag = child.tag
            if tag == _P:
                lines = [clean(s) for s in _para_lines(child)]
                if len(self.firsts) < 5 and any(lines):
                    self.firsts.append(join_lines(lines))
                self.rows.extend(Row([s]) for s in lines if s)
            elif tag == _TBL:
                self.table(child)
            elif tag in _CONTAINERS:
                self.block(child)

    def table(self, tbl) -> None:
        if any(True for _ in tbl.iter(_TBL) if _ is not tbl):
            # a layout table holding tables: its cells are read as blocks (like html_doc with leaf tables only)
            for tr in _children(tbl, _TR):
                for tc in _children(tr, _TC):
                    self.block(tc)
            return
        t = self.ntables
        self.ntables += 1
        index = 0
        for tr in _children(tbl, _TR):
            cells: list[str] = []
            for tc in _children(tr, _TC):
                tcpr = tc.find(f"{{{_W}}}tcPr")
                if tcpr is not None:
                    vmerge = _val(tcpr, "vMerge")
                    hmerge = _val(tcpr, "hMerge")
                    if (vmerge is not None and vmerge != "restart") or (hmerge is not None and hmerge != "restart"):
                        continue  # covered by a merge that starts above (or to the left): printed once there
                parts = [s for p in _children(tc, _P) for s in _para_lines(p)]
                cells.append(join_lines(parts))
            if any(cells):
                self.rows.append(Row(cells, table=t, index=index))
                index += 1


def _children(el, tag: str) -> Iterator:
    """Direct children with `tag`, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _children(child, tag)


def docx_doc(data: bytes) -> Doc:
    """A DOCX document: paragraphs and tables in body order; headers, footers and footnotes are not read."""
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    _open_zip(data)  # size checks before python-docx inflates anything
    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError:
        raise OfficeError("unreadable DOCX document (no Word document part)") from None
    except Exception as exc:  # noqa: BLE001 - lxml, zlib and zipfile raise many types on damaged parts
        raise OfficeError(f"unreadable DOCX document ({type(exc).__name__}: {exc})") from None
    walker = _DocxWalker()
    walker.block(document.element.body)
    title = next((text for text in walker.firsts if _looks_like_title(text)), None)
    if title is None:
        core = (document.core_properties.title or "").strip()
        title = core or None
    rows, title, steps = _normalized(walker.rows, title)
    return Doc(title, rows, steps=steps)


# --- spreadsheets ---------------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    cells: dict[tuple[int, int], str]  # (row, col) -> printed text, 0-based, non-empty only
    merges: list[tuple[int, int, int, int]]  # (first row, first col, last row, last col), inclusive
    truncated: bool = False


def format_number(value: float | int, number_format: str | None = None) -> str:
    """A numeric cell as the agency typed it: 12.0 -> "12", 24252.311082 stays, no binary noise (15 digits,
    as Excel shows them); percent formats print as percentages."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if number_format and "%" in number_format and not isinstance(value, bool):
        return format_number(round(value * 100, 10)) + "%"
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return ""
    if value == 0:
        return "0"  # also -0.0
    text = f"{value:.15g}"  # 12.0 -> "12", 0.30000000000000004 -> "0.3"
    if "e" in text:  # tiny or huge: write it out in full
        text = f"{value:.15f}".rstrip("0").rstrip(".")
    return text


def _cell_text(value, number_format: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return format_number(value, number_format)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    text = str(value)
    if "\n" in text or "\r" in text:
        return join_lines(re.split(r"\r\n|\r|\n", text))
    return clean(text)


def _sheet_rows(sheet: _Sheet, first_table: int) -> tuple[list[Row], int]:
    """A sheet's rows: blocks of rows separated by empty rows; a block whose rows hold one cell each is prose
    (one line per row, a merged title included); any other block is a table. In a table a merged range appears
    once, in its top-left cell; columns empty in the whole block and under no merge are dropped."""
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), text in sheet.cells.items():
        by_row.setdefault(r, {})[c] = text
    covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    spans: dict[int, list[tuple[int, int, int, int]]] = {}  # first row -> merges that carry text
    used = set(by_row)
    for m in sheet.merges:
        r0, c0, r1, c1 = m
        r1, c1 = min(r1, MAX_ROWS - 1), min(c1, MAX_COLS - 1)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covered[(r, c)] = m
        if (r0, c0) in sheet.cells:
            spans.setdefault(r0, []).append((r0, c0, r1, c1))
            used.update(range(r0, r1 + 1))  # a tall merged label holds its rows together
    blocks: list[list[int]] = []
    for r in sorted(used):
        if blocks and r == blocks[-1][-1] + 1:
            blocks[-1].append(r)
        else:
            blocks.append([r])
    rows: list[Row] = []
    table = first_table
    for block in blocks:
        if all(len(by_row.get(r, {})) <= 1 for r in block):
            rows.extend(Row([t]) for r in block for t in by_row.get(r, {}).values())
            continue
        used_cols = {c for r in block for c in by_row.get(r, {})}
        used_cols.update(c for r in block for m in spans.get(r, []) for c in range(m[1], m[3] + 1))
        cols = sorted(used_cols)
        index = 0
        for r in block:
            texts = by_row.get(r, {})
            cells: list[str] = []
            for c in cols:
                m = covered.get((r, c))
                if m is not None and (m[0], m[1]) != (r, c):
                    continue  # inside a merged range: printed once, in its top-left cell
                cells.append(texts.get(c, ""))
            if any(cells):
                rows.append(Row(cells, table=table, index=index))
                index += 1
        table += 1
    return rows, table


def _sheets_doc(sheets: list[_Sheet], core_title: str | None) -> Doc:
    rows: list[Row] = []
    ntables = 0
    for sheet in sheets:
        sheet_rows, ntables = _sheet_rows(sheet, ntables)
        rows.extend(sheet_rows)
    title = next((t for r in rows[:10] for t in r.cells if _looks_like_title(t)), None) or core_title
    rows, title, steps = _normalized(rows, title)
    if any(s.truncated for s in sheets):
        steps.append(f"sheet truncated to {MAX_ROWS} rows x {MAX_COLS} columns")
    if not any(r.cells for r in rows):
        raise OfficeError("spreadsheet has no text")
    return Doc(title, rows, steps=steps)


def xlsx_doc(data: bytes) -> Doc:
    """An XLSX workbook: each visible sheet in order; values as printed (cached formula results)."""
    import openpyxl

    _open_zip(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, rich_text=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError, TypeError, ValueError… on damaged parts
        raise OfficeError(f"unreadable XLSX workbook ({type(exc).__name__}: {exc})") from None
    sheets: list[_Sheet] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        cells: dict[tuple[int, int], str] = {}
        truncated = (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > MAX_COLS
        for row in ws.iter_rows(max_row=min(ws.max_row or 0, MAX_ROWS), max_col=min(ws.max_column or 0, MAX_COLS)):
            for cell in row:
                if cell.value is None:
                    continue
                text = _cell_text(cell.value, cell.number_format)
                if text:
                    cells[(cell.row - 1, cell.column - 1)] = text
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in ws.merged_cells.ranges
            if m.min_row <= MAX_ROWS and m.min_col <= MAX_COLS
        ]
        sheets.append(_Sheet(ws.title, cells, merges, truncated))
    return _sheets_doc(sheets, (wb.properties.title or "").strip() or None)


def xls_doc(data: bytes) -> Doc:
    """A legacy XLS (BIFF) workbook, read with python-calamine (Rust calamine)."""
    import python_calamine

    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise OfficeError(f"unreadable XLS workbook ({type(exc).__name__}: {exc})") from None
    sheets: list[_Sheet] = []
    for meta in wb.sheets_metadata:
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        try:
            ws = wb.get_sheet_by_name(meta.name)
            values = ws.to_python(skip_empty_area=False, nrows=MAX_ROWS)
            merges = ws.merged_cell_ranges or []
        except Exception as exc:  # noqa: BLE001
            raise OfficeError(f"unreadable XLS sheet {meta.name!r} ({type(exc).__name__}: {exc})") from None
        cells: dict[tuple[int, int], str] = {}
        truncated = ws.height > MAX_ROWS or ws.width > MAX_COLS
        for r, row in enumerate(values[:MAX_ROWS]):
            for c, value in enumerate(row[:MAX_COLS]):
                text = _cell_text(value) if value != "" else ""
                if text:
                    cells[(r, c)] = text
        sheets.append(
            _Sheet(
                meta.name,
                cells,
                [(a[0], a[1], b[0], b[1]) for a, b in merges if a[0] < MAX_ROWS and a[1] < MAX_COLS],
                truncated,
            )
        )
    return _sheets_doc(sheets, None)


# --- OLE (Word / Excel / WPS binaries) ------------------------------------------------------------


def ole_kind(data: bytes) -> str:
    """`doc`, `xls` or `wps` for an OLE compound file; OfficeError for anything else."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - olefile raises OSError and others on damaged headers
        raise OfficeError(f"broken or truncated OLE office file ({type(exc).__name__}: {exc})") from None
    try:
        streams = {"/".join(path) for path in ole.listdir(streams=True, storages=False)}
    except Exception as exc:  # noqa: BLE001
        raise OfficeError(f"broken OLE office file ({type(exc).__name__}: {exc})") from None
    finally:
        ole.close()
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise OfficeError("password-protected office document")
    if "WordDocument" in streams:
        return "doc"  # Word 97-2003, and Kingsoft WPS Writer files (the same binary format)
    if "Workbook" in streams or "Book" in streams:
        return "xls"  # Excel 97-2003 / 5.0, and Kingsoft ET sheets
    if "CONTENTS" in streams or "MatOST" in streams:
        return "wps"  # Microsoft Works word processor
    if "PowerPoint Document" in streams:
        raise OfficeError("PowerPoint presentation, not a report document")
    shown = ", ".join(sorted(streams)[:5])
    raise OfficeError(f"OLE file that is not a Word, Excel or WPS document (streams: {shown})")


# --- entry point ----------------------------------------------------------------------------------


def _converted(data: bytes, kind: str, convert: Converter | None) -> Doc:
    """A DOC/WPS/ODT document read through the caller's converter to DOCX."""
    if convert is None:
        raise OfficeError(f"{kind.upper()} documents need a converter to DOCX (LibreOffice); none was given")
    try:
        converted = convert(data, kind, "docx")
    except Exception as exc:  # noqa: BLE001 - any converter failure is this document's error, never the run's
        raise OfficeError(str(exc) or f"the {kind.upper()} document could not be converted") from exc
    return docx_doc(converted)


def office_doc(data: bytes, container: str, convert: Converter | None = None) -> tuple[Doc, str]:
    """A zip (`container="zip"`) or OLE (`"ole"`) office document -> (Doc, how it was read). DOC/WPS/ODT go through
    `convert` (see Converter)."""
    if container == "zip":
        kind = zip_kind(data)
        if kind == "docx":
            return docx_doc(data), "docx"
        if kind == "xlsx":
            return xlsx_doc(data), "xlsx"
        if kind == "odt":
            return _converted(data, "odt", convert), "odt:converted-docx"
        raise OfficeError(f"{kind.upper()} documents are not supported (save as DOCX or XLSX)")
    if container == "ole":
        kind = ole_kind(data)
        if kind == "xls":
            return xls_doc(data), "xls"
        return _converted(data, kind, convert), f"{kind}:converted-docx"
    raise OfficeError(f"not an office document container: {container}")
