"""Office documents -> `Doc`: DOCX (python-docx), XLSX (openpyxl), XLS (python-calamine), DOC/WPS (converted).

Every reader gives the same row stream as `etl.document.html_doc`: one `Row` per table row with its cells in
visual order, a merged cell once on its first row (like an HTML `<td rowspan colspan>`), and one single-cell `Row`
per paragraph or line. Line breaks inside a cell are joined (Chinese parts without a space).

Hostile input is bounded before any library reads it (a few KB of zip can otherwise ask for gigabytes: openpyxl
makes an object per cell of a merged range, calamine allocates the whole rectangle an XLS sheet's values span):
- a zip's declared uncompressed sizes and ratios are checked first (`zipfile` never inflates past the declared size);
- an XLSX's sheet XML is scanned as a stream (cell and merge references only) before openpyxl opens it: too many
  cells or merged ranges, or merged ranges covering too much of the sheet, are refused with the reason; openpyxl
  then reads in read-only (streaming) mode, only the rows and columns of the read window (MAX_ROWS x MAX_COLS), so
  a far cell (XFD1048576) costs nothing; merges come from the scan;
- an XLS's BIFF records are scanned the same way before calamine loads a sheet;
- DOCX and spreadsheet rows go through `etl.document`'s work limits (rows, cells, characters).
A cut is recorded in `Doc.steps` as "truncated:<what>" (reported by etl.parse as `document.truncated`). Unreadable
input raises `OfficeError` with a message meant for people; `etl.parse` turns it into `ok=False`.

DOC, WPS and ODT have no maintained pure-Python reader that keeps tables: they are converted to DOCX by a
`Converter` the caller passes in (`crawler.convert.soffice_convert`: LibreOffice in a subprocess). This module
never starts a process; without a converter such a document gets a clear OfficeError.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from etl.document import Doc, Row, _Budget
from etl.normalize import clean, normalize_text

# --- limits ---------------------------------------------------------------------------------------

MAX_ZIP_MEMBERS = 5_000
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # whole package, as declared in the zip directory
MAX_MEMBER = 16 * 1024 * 1024  # one part (document.xml, a sheet): openpyxl reads 16 MiB of sheet XML in ~6 s
MAX_RATIO = 500  # declared size / compressed size, for parts above 1 MiB (office XML deflates ~5-50:1)
MAX_ROWS = 5_000  # per sheet: the read window (a report sheet has < 200 rows)
MAX_COLS = 256  # per sheet
MAX_CELLS = 100_000  # cells in a workbook's sheets, read or not (<c> elements, BIFF cell records): a report has
#                      < 5,000; scanning and reading 100,000 with openpyxl takes ~2 s
MAX_XML_ELEMENTS = 100_000  # other XML elements of an XLSX (styles, shared strings, names, charts...): openpyxl
#                             builds an object for each, 10-20 µs; a report has < 5,000
MAX_MERGES = 10_000  # merged ranges in a workbook (a report has < 100)
MAX_MERGED_CELLS = 250_000  # cells under merged ranges inside the read window, summed over a workbook: each is a
#                             dictionary entry when rows are assembled (~100 bytes); a whole-row title merge is 256
MAX_XLS_AREA = 2_000_000  # cells of the rectangles an XLS's sheets' values span, summed: calamine allocates them
#                           (32 bytes a cell), empty or not; 65,536 rows x 30 columns still fit

# (data, source extension, target extension) -> converted bytes; raises with a message for people on failure
Converter = Callable[[bytes, str, str], bytes]


class OfficeError(ValueError):
    """An office document that cannot be read; the message says why, for people."""


# --- text helpers ---------------------------------------------------------------------------------


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def join_lines(parts: list[str]) -> str:
    """Lines of one cell as one string: Chinese parts joined directly (`本年新` + `制作数量`), others with a space."""
    pieces: list[str] = []  # joined once at the end: a cell of 10^5 lines stays linear
    for part in parts:
        part = clean(part)
        if not part:
            continue
        if pieces and not (_wide(pieces[-1][-1]) and _wide(part[0])):
            pieces.append(" ")
        pieces.append(part)
    return "".join(pieces)


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
    stack: list[Iterator] = [iter(p)]  # iterative, like _DocxWalker.block
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
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
            stack.append(iter(child))
    return lines


@dataclass
class _DocxWalker:
    rows: list[Row] = field(default_factory=list)
    ntables: int = 0
    firsts: list[str] = field(default_factory=list)  # the first paragraphs' text, for the title
    holders: set = field(default_factory=set)  # tables that hold tables (layout tables)
    budget: _Budget = field(default_factory=_Budget)  # etl.document's work limits

    def add(self, cells: list[str], table: int | None = None, index: int = 0) -> bool:
        """Append a row within the budget; False once a limit is reached (the rest of the document is not read)."""
        taken = self.budget.take(cells)
        if taken is None:
            return False
        self.rows.append(Row(taken, table=table, index=index))
        return True

    def block(self, el) -> None:
        """Paragraphs and tables in body order; a layout table's cells are read as blocks. Iterative (a stack of
        child iterators): nesting is the document's choice, and Python frames stay few (CPython 3.11 slows down
        many-fold when a hot call straddles one of its frame-stack chunks)."""
        stack: list[Iterator] = [iter(el)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            if self.budget.full:
                return
            tag = child.tag
            if tag == _P:
                lines = [clean(s) for s in _para_lines(child)]
                if len(self.firsts) < 5 and any(lines):
                    self.firsts.append(join_lines(lines))
                for s in lines:
                    if s and not self.add([s]):
                        return
            elif tag == _TBL:
                if child in self.holders:
                    # a layout table holding tables: its cells are read as blocks (like html_doc with leaf tables)
                    cells = (tc for tr in _children(child, _TR) for tc in _children(tr, _TC))
                    stack.append(itertools.chain.from_iterable(cells))  # each cell's children, cell after cell
                else:
                    self.table(child)
            elif tag in _CONTAINERS:
                stack.append(iter(child))

    def table(self, tbl) -> None:
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
                if not self.add(cells, table=t, index=index):
                    return
                index += 1


def _table_holders(body) -> set:
    """The tables that hold other tables, in one pass (each table's ancestors, up to one already known)."""
    holders: set = set()  # the set keeps the lxml proxies alive, so identity (hash) is stable
    for tbl in body.iter(_TBL):
        for ancestor in tbl.iterancestors(_TBL):
            if ancestor in holders:
                break
            holders.add(ancestor)
    return holders


def _children(el, tag: str) -> Iterator:
    """Direct children with `tag`, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _children(child, tag)


def _release(*holders: object) -> None:
    """Let go of what a read DOCX holds, so that its XML trees and part bytes are freed now by reference counting.
    python-docx's package, parts and relationships refer to each other: left to the garbage collector, which a parse
    worker runs rarely (GC_YOUNG in dagster_project/parsing.py), the trees of the DOCX read in between piled up,
    about 200 MB a worker at 10,000 generated reports. A collection here instead would cost 40 ms or more in a
    process of many objects; emptying the holders' attributes costs nothing (the empty shells wait for the
    collector)."""
    for holder in holders:
        vars(holder).clear()


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
    body = document.element.body
    walker = _DocxWalker(holders=_table_holders(body))
    walker.block(body)
    title = next((text for text in walker.firsts if _looks_like_title(text)), None)
    if title is None:
        core = (document.core_properties.title or "").strip()
        title = core or None
    package = document.part.package
    _release(*package.iter_parts(), package)
    del document, package, body
    walker.holders.clear()  # elements of the tree: they would keep it alive
    rows, title, steps = _normalized(walker.rows, title)
    if walker.budget.cut:
        steps.append(f"truncated:{walker.budget.cut}")
    return Doc(title, rows, steps=steps)


# --- spreadsheets ---------------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    cells: dict[tuple[int, int], str]  # (row, col) -> printed text, 0-based, non-empty only
    merges: list[tuple[int, int, int, int]]  # (first row, first col, last row, last col), inclusive
    truncated: bool = False
    unordered: bool = False  # rows out of order: those after a later row were not read


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
    budget = _Budget()  # etl.document's work limits, over all sheets
    kept: list[Row] = []
    for row in rows:
        taken = budget.take(row.cells)
        if taken is None:
            break
        kept.append(Row(taken, row.table, row.index, row.page))
    title = next((t for r in kept[:10] for t in r.cells if _looks_like_title(t)), None) or core_title
    kept, title, steps = _normalized(kept, title)
    truncated = any(s.truncated for s in sheets)
    if truncated:
        steps.append(f"truncated:sheet>{MAX_ROWS}x{MAX_COLS}")
    if any(s.unordered for s in sheets):
        steps.append("truncated:rows-out-of-order")  # the format requires ascending rows; Excel calls it corrupt
    if budget.cut:
        steps.append(f"truncated:{budget.cut}")
    if not any(r.cells for r in kept):
        raise OfficeError(
            "spreadsheet has no text"
            + (f" in its first {MAX_ROWS} rows x {MAX_COLS} columns (the rest is not read)" if truncated else "")
        )
    return Doc(title, kept, steps=steps)


# --- bounding spreadsheets before a library reads them ----------------------------------------------

def _cell_ref(text: str | None) -> tuple[int, int] | None:
    """"B3" -> (3, 2): 1-based row and column ("$B$3" too); None for anything else."""
    if not text:
        return None
    if "$" in text:
        text = text.replace("$", "")
    letters = text.rstrip("0123456789")
    digits = text[len(letters):]
    if not (0 < len(letters) <= 3 and 0 < len(digits) <= 7 and letters.isascii() and letters.isalpha()):
        return None
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(digits), col


def _col_name(col: int) -> str:
    name = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


class _MergeBudget:
    """A workbook's merged ranges, counted against MAX_MERGES and MAX_MERGED_CELLS as they are met."""

    def __init__(self) -> None:
        self.count = 0
        self.cells = 0  # inside the read window

    def add(self, r0: int, c0: int, r1: int, c1: int) -> tuple[int, int, int, int] | None:
        """A merged range (1-based, inclusive) -> the part inside the read window (0-based, inclusive), None when
        it starts outside; OfficeError over a limit."""
        r0, r1 = sorted((r0, r1))
        c0, c1 = sorted((c0, c1))
        self.count += 1
        if self.count > MAX_MERGES:
            raise OfficeError(f"spreadsheet too large: more than {MAX_MERGES} merged ranges (limit {MAX_MERGES})")
        if r0 > MAX_ROWS or c0 > MAX_COLS or r0 < 1 or c0 < 1:
            return None
        inside = (min(r1, MAX_ROWS) - r0 + 1) * (min(c1, MAX_COLS) - c0 + 1)
        self.cells += inside
        if self.cells > MAX_MERGED_CELLS:
            ref = f"{_col_name(c0)}{r0}:{_col_name(c1)}{r1}"
            limit = f"limit {MAX_MERGED_CELLS} merged cells in the first {MAX_ROWS} rows x {MAX_COLS} columns"
            if inside > MAX_MERGED_CELLS:
                raise OfficeError(
                    f"spreadsheet too large: merged range {ref} covers {(r1 - r0 + 1) * (c1 - c0 + 1)} cells ({limit})"
                )
            raise OfficeError(
                f"spreadsheet too large: merged ranges cover more than {MAX_MERGED_CELLS} cells ({limit})"
            )
        return r0 - 1, c0 - 1, min(r1, MAX_ROWS) - 1, min(c1, MAX_COLS) - 1


@dataclass
class _SheetScan:
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # inside the read window, 0-based
    rows: int = 0  # rows to read: the <row> index of the last value inside the window (0: none)
    beyond: bool = False  # values outside the read window
    unordered: bool = False  # values in a <row> that comes after a later one (openpyxl's streaming read skips it)


class _XlsxBudget:
    """What openpyxl may be asked to parse, spent while the package is scanned: cells, other XML elements (styles,
    shared strings, defined names, rich-text runs, charts...: each one an object openpyxl builds, ~15 µs), merges."""

    def __init__(self) -> None:
        self.cells = MAX_CELLS
        self.parts = 3 * MAX_CELLS  # rows and the elements inside cells (a value, a formula, an inline string)
        self.elements = MAX_XML_ELEMENTS
        self.merges = _MergeBudget()

    def cell(self) -> None:
        self.cells -= 1
        if self.cells < 0:
            raise OfficeError(f"spreadsheet too large: more than {MAX_CELLS} cells (limit {MAX_CELLS})")

    def part(self) -> None:
        self.parts -= 1
        if self.parts < 0:
            raise OfficeError(
                f"spreadsheet too large: more than {3 * MAX_CELLS} rows and cell values (limit {3 * MAX_CELLS})"
            )

    def element(self, name: str) -> None:
        self.elements -= 1
        if self.elements < 0:
            raise OfficeError(
                f"spreadsheet too large: more than {MAX_XML_ELEMENTS} XML elements besides cells (styles, shared "
                f"strings, names...) in {name} and the parts before it (limit {MAX_XML_ELEMENTS})"
            )


_CELL_TAGS = frozenset(("row", "c", "v", "f", "is", "t"))  # a cell's own elements (spent as cells)


def _scan_part(source, name: str, budget: _XlsxBudget) -> _SheetScan | None:
    """One XML part of the package, streamed with the parser openpyxl uses (defusedxml's expat); finished elements
    are dropped as their ancestor at depth 2 ends (a row, a style record, a shared string), so memory stays flat.
    A worksheet (whatever the part's name) -> its scan: cell positions (<row> index, `r` references), whether each
    holds a value, merge references; any other part -> None, after its elements are counted."""
    from openpyxl.xml.functions import iterparse

    scan: _SheetScan | None = None
    stack: list = []
    names: dict[str, str] = {}  # tag -> local name
    row = col = 0
    has_value = back = False  # back: the current <row> comes after a later one
    for event, el in iterparse(source, events=("start", "end")):
        tag = el.tag
        local = names.get(tag)
        if local is None:
            local = names[tag] = tag.rpartition("}")[2]
        if event == "end":
            stack.pop()
            if scan is not None:
                if local == "v":
                    has_value = has_value or bool(el.text)
                elif local == "c" and has_value:
                    if row > MAX_ROWS or col > MAX_COLS:
                        scan.beyond = True
                    elif row > scan.rows:
                        scan.rows = row
                    scan.unordered = scan.unordered or back
            if 0 < len(stack) <= 2:
                stack[-1].remove(el)  # the parent's only child by now (earlier siblings were removed)
            continue
        if scan is None and not stack and local == "worksheet":
            scan = _SheetScan()
        stack.append(el)
        if scan is None:
            budget.element(name)
        elif local == "c":
            budget.cell()
            ref = _cell_ref(el.get("r"))
            col = ref[1] if ref else col + 1
            has_value = False
        elif local == "row":
            budget.part()
            before = row
            try:
                row = int(el.get("r") or row + 1)
            except ValueError:
                row += 1
            back = row <= before
            col = 0
        elif local in _CELL_TAGS:
            budget.part()
            has_value = has_value or local == "is"
        else:
            budget.element(name)
            if local == "mergeCell":
                first, _, final = (el.get("ref") or "").partition(":")
                a, b = _cell_ref(first), _cell_ref(final or first)
                if a and b:
                    kept = budget.merges.add(a[0], a[1], b[0], b[1])
                    if kept:
                        scan.merges.append(kept)
    return scan


def _scan_xlsx(zf: zipfile.ZipFile) -> dict[str, _SheetScan | str]:
    """Every XML part of the package -> worksheets' scans by part name (the reason when a part cannot be parsed);
    OfficeError over a limit. Runs before openpyxl sees the file. Parts that are not XML (images) are parsed by
    neither."""
    scans: dict[str, _SheetScan | str] = {}
    budget = _XlsxBudget()
    for info in zf.infolist():
        if info.is_dir():
            continue
        try:
            with zf.open(info) as source:
                scan = _scan_part(source, info.filename, budget)
        except OfficeError:
            raise
        except Exception as exc:  # noqa: BLE001 - not XML (an image), or XML openpyxl refuses too
            scans[info.filename] = f"{type(exc).__name__}: {exc}"
            continue
        if scan is not None:
            scans[info.filename] = scan
    return scans


def xlsx_doc(data: bytes) -> Doc:
    """An XLSX workbook: each visible sheet in order; values as printed (cached formula results)."""
    import openpyxl

    scans = _scan_xlsx(_open_zip(data))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, rich_text=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError, TypeError, ValueError… on damaged parts
        raise OfficeError(f"unreadable XLSX workbook ({type(exc).__name__}: {exc})") from None
    sheets: list[_Sheet] = []
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            scan = scans.get(str(getattr(ws, "_worksheet_path", "")).lstrip("/"))
            if not isinstance(scan, _SheetScan):  # damaged XML, or a part that is not a worksheet
                raise OfficeError(f"unreadable XLSX workbook (sheet {ws.title!r}: {scan or 'not a worksheet'})")
            cells: dict[tuple[int, int], str] = {}
            # read-only openpyxl streams the sheet: rows up to the last one with a value, MAX_COLS columns
            # (rows must come in order, as the format requires); stop there, before it parses what follows
            rows = ws.iter_rows(min_row=1, max_row=max(scan.rows, 1), max_col=MAX_COLS)
            for row in itertools.islice(rows, scan.rows):
                for cell in row:
                    if cell.value is None:
                        continue
                    if cell.row > MAX_ROWS or cell.column > MAX_COLS:  # a cell whose `r` lies outside its row
                        scan.beyond = True
                        continue
                    text = _cell_text(cell.value, cell.number_format)
                    if text:
                        cells[(cell.row - 1, cell.column - 1)] = text
            sheets.append(_Sheet(ws.title, cells, scan.merges, scan.beyond, scan.unordered))
        title = (wb.properties.title or "").strip() or None
    except OfficeError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise OfficeError(f"unreadable XLSX workbook ({type(exc).__name__}: {exc})") from None
    finally:
        wb.close()
    return _sheets_doc(sheets, title)


# BIFF record types (MS-XLS 2.3): cells with a value (calamine skips BLANK and MULBLANK), MULRK, MERGEDCELLS
_BIFF_BOF = {0x0809, 0x0409, 0x0209, 0x0009}
_BIFF_EOF, _BIFF_FILEPASS, _BIFF_MULRK, _BIFF_MERGED = 0x000A, 0x002F, 0x00BD, 0x00E5
_BIFF_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0006, 0x0205, 0x00D6, 0x0206, 0x0406, 0x0002, 0x0003, 0x0004, 0x0005}


def _scan_xls(data: bytes) -> None:
    """The BIFF records of an XLS, before calamine loads a sheet: calamine allocates the whole rectangle between a
    sheet's first and last value, so the rectangles (summed), the cells and the merged ranges are bounded here."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                return  # calamine gives the error
            stream = ole.openstream(name).read()
    except Exception:  # noqa: BLE001 - calamine reports a damaged file itself
        return
    merges = _MergeBudget()
    cells = area = depth = 0
    box: list[int] | None = None  # first row, last row, first column, last column of the current sheet's values

    def close() -> None:
        nonlocal area, box
        if box is not None:
            rows, cols = box[1] - box[0] + 1, box[3] - box[2] + 1
            area += rows * cols
            if area > MAX_XLS_AREA:
                raise OfficeError(
                    f"spreadsheet too large: a sheet's values span {rows} rows x {cols} columns "
                    f"({rows * cols} cells; limit {MAX_XLS_AREA} per workbook)"
                )
        box = None

    def put(r: int, c: int) -> None:
        nonlocal box
        if box is None:
            box = [r, r, c, c]
        else:
            box[0], box[1], box[2], box[3] = min(box[0], r), max(box[1], r), min(box[2], c), max(box[3], c)

    pos, end = 0, len(stream)
    while pos + 4 <= end:
        typ, size = struct.unpack_from("<HH", stream, pos)
        body, pos = pos + 4, pos + 4 + size
        if pos > end:
            break
        if typ in _BIFF_BOF:
            depth += 1
            if depth == 1:
                close()
        elif typ == _BIFF_EOF:
            if depth == 1:
                close()
            depth = max(0, depth - 1)
        elif typ == _BIFF_FILEPASS:
            break  # the rest is encrypted: calamine refuses the file
        elif typ in _BIFF_CELLS and size >= 4:
            r, c = struct.unpack_from("<HH", stream, body)
            cells += 1
            put(r, c)
        elif typ == _BIFF_MULRK and size >= 6:
            r, c0 = struct.unpack_from("<HH", stream, body)
            (c1,) = struct.unpack_from("<H", stream, body + size - 2)
            cells += max(1, c1 - c0 + 1)
            put(r, c0)
            put(r, max(c0, c1))
        elif typ == _BIFF_MERGED and size >= 2:
            (count,) = struct.unpack_from("<H", stream, body)
            for i in range(min(count, (size - 2) // 8)):
                r0, r1, c0, c1 = struct.unpack_from("<HHHH", stream, body + 2 + 8 * i)
                merges.add(r0 + 1, c0 + 1, r1 + 1, c1 + 1)
        if cells > MAX_CELLS:
            raise OfficeError(f"spreadsheet too large: more than {MAX_CELLS} cells (limit {MAX_CELLS})")
    close()


def xls_doc(data: bytes) -> Doc:
    """A legacy XLS (BIFF) workbook, read with python-calamine (Rust calamine)."""
    import python_calamine

    _scan_xls(data)
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
