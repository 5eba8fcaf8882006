"""Bounded work on hostile input: `ogi parse` must handle any single input in bounded time and never hang.

Each case is parsed in a child process that is killed after TIMEOUT seconds (wall clock, including the child's
imports): that asserts "never hangs or blows up", not speed. The child also reports its peak memory, and the
result must keep the parse contract (ok, or a typed error that is not parse.py's catch-all).

The regex cases target the patterns in etl/ with unbounded or nested quantifiers (found with
`grep -n "re.compile\\|re.search\\|_r(" etl/*.py`): long runs of what a quantifier eats, with the terminator the
pattern waits for missing. Cases that exceed a work limit are cut (Doc.steps "truncated:…", see
etl/document.py) and still parse.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from portal.sites import generate
from etl.parse import MAX_BYTES

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 10.0  # seconds, wall clock, per input (the bound for `ogi parse`)
MAX_RSS_MB = 2500

CHILD = r"""
import json, resource, sys, time
if len(sys.argv) > 4 and sys.argv[4]:  # address-space cap: a regression fails with MemoryError, not a starved host
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[4]), int(sys.argv[4])))
t0 = time.perf_counter()
from etl.parse import parse_document
from etl import document
path, ctype, fname = sys.argv[1], sys.argv[2] or None, sys.argv[3] or None
data = open(path, "rb").read()
steps = []
_html_doc, _text_doc = document.html_doc, document.text_doc
def spy(fn):
    def wrapped(*a, **k):
        doc = fn(*a, **k)
        steps.extend(doc.steps)
        return doc
    return wrapped
import etl.parse as p
p.html_doc, p.text_doc = spy(_html_doc), spy(_text_doc)
_office_doc = p.office_doc
def office_spy(*a, **k):
    doc, how = _office_doc(*a, **k)
    steps.extend(doc.steps)
    return doc, how
p.office_doc = office_spy
def peak_mb():
    # this process's own peak RSS: ru_maxrss would also count the parent's resident pages at fork (Linux keeps the
    # high-water mark across exec), i.e. pytest's size
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
t1 = time.perf_counter()
r = parse_document(data, input=path, content_type=ctype, filename=fname)
t2 = time.perf_counter()
print(json.dumps({"ok": r.ok, "error": r.error, "values": len(r.values), "issues": len(r.issues), "steps": steps,
                  "checks": sorted({i.check for i in r.issues}),
                  "import_s": t1 - t0, "parse_s": t2 - t1,
                  "rss_mb": peak_mb()}))
"""


def run_child(tmp_path: Path, name: str, data: bytes, ctype: str | None = None, fname: str | None = None,
              timeout: float = TIMEOUT, address_space: int | None = None) -> dict:
    assert len(data) <= MAX_BYTES, f"{name}: {len(data)} bytes is over MAX_BYTES; the case would test nothing"
    path = tmp_path / name
    path.write_bytes(data)
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path), ctype or "", fname or "", str(address_space or "")],
                              cwd=REPO, capture_output=True, timeout=timeout, text=True)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: parse_document did not finish within {timeout:.0f} s ({len(data):,} bytes)")
    assert proc.returncode == 0, f"{name}: child failed\n{proc.stderr[-3000:]}"
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["ok"] or (out["error"] and not out["error"].startswith("internal parser error")), out
    assert out["rss_mb"] < MAX_RSS_MB, out
    return out


# --- inputs -------------------------------------------------------------------------------------------------

N = 100_000
MB20 = 20 * 1024 * 1024


def _html(body: str) -> bytes:
    return f"<html><head><title>2023年政府信息公开工作年度报告</title></head><body>{body}</body></html>".encode()


def _fill(prefix: bytes, unit: bytes, suffix: bytes, size: int) -> bytes:
    return prefix + unit * ((size - len(prefix) - len(suffix)) // len(unit)) + suffix


def _report_page() -> bytes:
    """The generated report page with the most figures (a 2021-format report)."""
    g = generate()
    return g.pages[max(g.reports, key=lambda r: len(r["values"]))["path"]][0]


def _zip_with_lying_size(name: str, payload: bytes, declared: int) -> bytes:
    """A zip whose directory declares `declared` bytes for a member that inflates to len(payload) (a zip bomb
    that passes size checks made on the directory alone)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr(name, payload)
    data = bytearray(buf.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        local = z.getinfo(name).header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, declared)  # local file header: uncompressed size
    pos = data.find(b"PK\x01\x02")
    while pos != -1:  # central directory entries
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + n] == name.encode():
            struct.pack_into("<I", data, pos + 24, declared)
            break
        pos = data.find(b"PK\x01\x02", pos + 1)
    else:
        raise AssertionError("central directory entry not found")
    return bytes(data)


CASES = {
    # nesting (libxml2 stops at depth 256; the walker is guarded at MAX_DEPTH anyway)
    "nested-div-1e5": lambda: _html('<div class="nr">x' * N),
    "nested-div-closed-1e5": lambda: _html('<div class="zoom">' * N + "正文" + "</div>" * N),
    "nested-table-1e5": lambda: _html("<table><tr><td>1" * N),
    "nested-hinted-containers-big-text": lambda: _html('<div class="nr">' * 250 + "<p>政府信息公开</p>" * 200_000),
    # one 20 MB line without tags, as text and as HTML body
    "line-20mb-ascii": lambda: b"a" * MB20,
    "line-20mb-cjk": lambda: "政府信息公开工作年度报告".encode() * (MB20 // 36),
    "line-20mb-digits": lambda: b"1" * MB20,
    "line-20mb-lt": lambda: b"<" * MB20,
    "line-20mb-in-p-with-br": lambda: _html("<p>" + ("政府信息公开" * 300_000 + "<br>") * 4 + "</p>"),
    # many rows, many columns
    "table-1e5-rows": lambda: _html("<p>统计表</p><table><tr><td>统计指标</td><td>单位</td><td>统计数</td></tr>"
                                    + "<tr><td>主动公开政府信息数</td><td>条</td><td>1</td></tr>" * N + "</table>"),
    "text-pipe-1e5-rows": lambda: ("统计指标|单位|统计数|\n" + "主动公开政府信息数|条|1|\n" * N).encode(),
    "text-lines-1e5": lambda: ("一、本年新收政府信息公开申请数量\n1\n" * N).encode(),
    "p-1e5-headings": lambda: _html("<p>一、主动公开政府信息情况</p>" * N),
    "row-2000-columns": lambda: _html("<table><tr>" + "<td>本年新收政府信息公开申请数量</td>" * 2000 + "</tr><tr><td>x</td>"
                                      + "<td>1</td>" * 2000 + "</tr></table>"),
    "table-1000-columns-x-260-rows": lambda: _html("<table><tr><td>统计指标</td>" + "<td>本年</td>" * 1000 + "</tr>"
                                                   + ("<tr><td>主动公开政府信息数" + "<td>1" * 1000) * 260
                                                   + "</table>"),
    "absurd-spans-1e4": lambda: _html("<table>" + "<tr><td rowspan='99999' colspan='99999'>a</td><td>1</td></tr>" * 10_000
                                      + "</table>"),
    "huge-attribute": lambda: _html("<div class='" + "zoom " * 4_000_000 + "'>x</div>"),
    "1e5-hinted-siblings-deep": lambda: _html("<div>" * 200 + '<div class="nr">x</div>' * N),
    # regex candidates (unbounded / nested quantifiers in etl/*.py)
    "meta-field-keys": lambda: _html("<p>发布日期：" + "日期 " * 500_000 + "</p><div id='zoom'><p>正文</p></div>"),
    "meta-field-no-terminator": lambda: _html("<p>发布机构：" + "某" * 2_000_000 + "</p><div id='zoom'><p>正文</p></div>"),
    "meta-org-runs": lambda: _html("<p>填报单位：" + "市" * 1_000_000 + "局</p>" + "<p>由" + "区" * 1_000_000 + "</p>"),
    "meta-year-runs": lambda: _html("<p>" + "2023 年 " * 300_000 + "</p>"),
    "narrative-number-runs": lambda: _html("".join(f"<p>{k}" + "1" * 150_000 + "</p>" for k in (
        "共发布政府信息", "受理政府信息公开申请", "行政复议", "培训", "收取信息处理费", "召开工作会议"))),
    "narrative-clause-runs": lambda: _html("<p>" + "未收到" + "申" * 1_000_000 + "</p><p>" + "不收取" + "费" * 1_000_000
                                           + "</p>"),
    "pinyin-runs": lambda: _html("<p>" + "中(" + "a" * 2_000_000 + "</p><p>" + "中(ā" * 500_000 + "</p>"),
    "ordinal-runs": lambda: _html("<table><tr><td>" + "1." * 500_000 + "x</td><td>1</td></tr><tr><td>"
                                  + "(一)" * 300_000 + "</td><td>2</td></tr></table>"),
    "cell-number-runs": lambda: _html("<table>" + "<tr><td>总计</td><td>" + "1,234," * 200_000 + "x</td></tr>" * 3
                                      + "</table>"),
    "label-typo-runs": lambda: _html("<p>三、收到和处理政府信息公开申请情况</p><table>"
                                     + "<tr><td>本年新收政府信息公开申请数" + "量" * 100 + "</td>" + "<td>1</td>" * 7 + "</tr>"
                                     * 20_000 + "</table>"),
    # decoding
    "undecodable-20mb": lambda: bytes(range(128, 256)) * (MB20 // 128),
    "gbk-lying-utf8-meta-20mb": lambda: b"<html><head><meta charset='utf-8'></head><body><p>"
                                        + "政府信息公开".encode("gbk") * (MB20 // 12) + b"</p></body></html>",
    # just under MAX_BYTES
    "max-bytes-paragraphs": lambda: _fill(b"<html><body>", b"<p>x</p>", b"</body></html>", MAX_BYTES - 1),
    "max-bytes-cells": lambda: _fill(b"<html><body><table><tr>", b"<td>1", b"</table></body></html>", MAX_BYTES - 1),
    "max-bytes-text-lines": lambda: _fill(b"", "一、本年新收政府信息公开申请数量 | 1 | 2 |\n".encode(), b"", MAX_BYTES - 1),
}


# the work limit each of these cases reaches (etl/document.py), as recorded in Doc.steps
CUT = {
    "table-1e5-rows": "truncated:rows>20000",
    "text-pipe-1e5-rows": "truncated:rows>20000",
    "table-1000-columns-x-260-rows": "truncated:cells>250000",
    "line-20mb-cjk": "truncated:chars>1000000",
    "line-20mb-ascii": "truncated:text>8000000",
    "line-20mb-in-p-with-br": "truncated:chars>1000000",
    "max-bytes-paragraphs": "truncated:tags>400000",
    "max-bytes-cells": "truncated:tags>400000",
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_finishes_in_bounded_time(tmp_path: Path, name: str) -> None:
    out = run_child(tmp_path, name, CASES[name]())
    if name in CUT:
        assert CUT[name] in out["steps"], out
        assert "document.truncated" in out["checks"] or not out["ok"], out  # a cut is reported, never silent


def test_a_sentence_of_many_clauses_is_linear(tmp_path: Path) -> None:
    # 32,000 clauses in one sentence (64 KB): ~0.1 s when linear, ~40 s when quadratic; 3 s keeps a loaded
    # machine's margin without waiting the full TIMEOUT on the known failure
    run_child(tmp_path, "commas", b"1," * 32_000, timeout=3.0)


def test_a_real_report_is_not_cut(tmp_path: Path) -> None:
    out = run_child(tmp_path, "report.html", _report_page())
    assert out["ok"] and out["values"] >= 100 and not [s for s in out["steps"] if s.startswith("truncated")], out


def test_ogi_parse_on_an_input_just_under_max_bytes(tmp_path: Path) -> None:
    """The command itself (what the issue names), on the heaviest realistic case."""
    path = tmp_path / "big.html"
    path.write_bytes(_fill(b"<html><body><div id='zoom'>", _report_page(), b"</div></body></html>", MAX_BYTES - 1))
    try:
        proc = subprocess.run([sys.executable, "-m", "dagster_project.cli", "parse", "--json", str(path)], cwd=REPO,
                              capture_output=True, timeout=TIMEOUT, text=True)
    except subprocess.TimeoutExpired:
        pytest.fail(f"ogi parse did not finish within {TIMEOUT:.0f} s")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"] is True, result


def test_zip_bomb_with_a_lying_directory(tmp_path: Path) -> None:
    # 100 MB of XML that deflates to ~100 KB, declared in the zip directory as 1 KB
    payload = b"<w:document><w:body>" + b"<w:p><w:r><w:t>1</w:t></w:r></w:p>" * 3_000_000 + b"</w:body></w:document>"
    run_child(tmp_path, "bomb.docx", _zip_with_lying_size("word/document.xml", payload, 1024))


def _ruled_pdf(lines: int, pages: int = 1) -> bytes:
    """Pages of `lines` ruled table rows, each with a CJK label and figures (one page drawn, then copied)."""
    pymupdf = pytest.importorskip("pymupdf", reason="PDF input needs PyMuPDF (etl/pdf/)")
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=80 + 12 * lines)
    shape = page.new_shape()
    for k in range(lines + 1):
        shape.draw_line((40, 40 + 12 * k), (560, 40 + 12 * k))
    shape.finish()
    shape.commit()
    page.insert_text((50, 50), "\n".join(f"{k} 12 34 56 78 90 政府信息" for k in range(lines)), fontname="china-s",
                     fontsize=9, lineheight=12 / 9)
    for _ in range(pages - 1):
        doc.fullcopy_page(0)
    return doc.tobytes(deflate=True)


def test_pdf_over_the_page_limit_is_refused_quickly(tmp_path: Path) -> None:
    out = run_child(tmp_path, "many.pdf", _ruled_pdf(5, pages=320), fname="many.pdf")  # etl.pdf.MAX_PAGES = 300
    assert not out["ok"] and "pages" in out["error"], out


def test_pdf_at_the_page_limit(tmp_path: Path) -> None:
    out = run_child(tmp_path, "max.pdf", _ruled_pdf(20, pages=300), fname="max.pdf")
    # read to the end in bounded time; a table of bare numbers under no report heading is not a report
    assert out["ok"] or out["error"].startswith("not an annual report"), out


def test_a_pdf_page_with_thousands_of_lines_is_linear(tmp_path: Path) -> None:
    # ~0.3 s when linear; 5 s keeps a loaded machine's margin without waiting the full TIMEOUT on the known failure
    run_child(tmp_path, "tall.pdf", _ruled_pdf(2_048), fname="tall.pdf", timeout=5.0)


# --- office documents: bounded work before any library materialises a cell -----------------------------------------
# openpyxl makes one MergedCell per cell of a merged range and one Cell per coordinate iter_rows passes, calamine
# allocates the whole rectangle an XLS sheet's values span, python-docx builds the whole document tree: a few KB of
# zip can ask any of them for gigabytes. etl.office reads the package's own size fields, cell references and merge
# references first (zip directory, a streaming scan of the sheet XML, the BIFF records) and refuses or cuts there.

OFFICE_MAX_RSS_MB = 1024
OFFICE_ADDRESS_SPACE = 4 * 1024**3  # the child's cap (a Python child with etl imported reserves ~1 GiB)
_SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TITLE = "2023年政府信息公开工作年度报告"


def _package(main: str, content_type: str, parts: dict[str, str | bytes]) -> bytes:
    """An OOXML zip: content types, the package relationship to `main`, and `parts`."""
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/{main}" '
             f'ContentType="{content_type}"/></Types>')
    rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_RELS}/officeDocument" Target="{main}"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _xlsx(rows: str, merges: list[str] | tuple = ()) -> bytes:
    """A one-sheet workbook written by hand: `rows` is the sheetData content."""
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_SML}" xmlns:r="{_DOC_RELS}"><sheets>'
                '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
              + "</mergeCells>") if merges else ""
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_SML}"><sheetData>{rows}</sheetData>{merged}</worksheet>'
    return _package("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels, "xl/worksheets/sheet1.xml": sheet})


def _c(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _docx(body: str) -> bytes:
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_WML}"><w:body>{body}</w:body></w:document>'
    return _package("word/document.xml",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    {"word/document.xml": document})


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str, props: str = "") -> str:
    return "<w:tc>" + (f"<w:tcPr>{props}</w:tcPr>" if props else "") + _p(text) + "</w:tc>"


def _honest_bomb(kind: str) -> bytes:
    """An office zip whose main part honestly declares 256 MiB of zeros (~256 KB compressed)."""
    main = "word/document.xml" if kind == "docx" else "xl/worksheets/sheet1.xml"
    base = _docx(_p(_TITLE)) if kind == "docx" else _xlsx(f'<row r="1">{_c("A1", _TITLE)}</row>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != main:
                z.writestr(info.filename, src.read(info.filename))
        with z.open(main, "w", force_zip64=True) as member:
            for _ in range(256):
                member.write(b"\x00" * 2**20)
    return out.getvalue()


def _xls_far_cell() -> bytes:
    import xlwt  # the demo portal's .xls writer

    wb = xlwt.Workbook()
    ws = wb.add_sheet("报表")
    ws.write(0, 0, _TITLE)
    ws.write(65535, 255, 1)  # IV65536, the last cell of a BIFF8 sheet
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# name -> (input, what the error says; None: any typed outcome, ok or not)
OFFICE_CASES = {
    "xlsx-merged-A1:XFD1048576": (lambda: _xlsx(f'<row r="1">{_c("A1", _TITLE)}</row>', ["A1:XFD1048576"]),
                                  "merged range A1:XFD1048576 covers 17179869184 cells"),
    "xlsx-far-cell-XFD1048576": (lambda: _xlsx(f'<row r="1">{_c("A1", _TITLE)}</row>'
                                               '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), None),
    "xlsx-only-a-far-cell": (lambda: _xlsx('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
                             "spreadsheet has no text"),
    "xlsx-100k-merged-ranges": (lambda: _xlsx(f'<row r="1">{_c("A1", _TITLE)}</row>',
                                              [f"A{i}:B{i}" for i in range(2, 100_002)]), "merged ranges"),
    "xlsx-600k-cells": (lambda: _xlsx("".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "ABCDEFGHIJ")
                                              + "</row>" for r in range(1, 60_001))), "spreadsheet too large"),
    "xlsx-member-bomb": (lambda: _honest_bomb("xlsx"), "zip bomb"),
    "xls-far-cell-IV65536": (_xls_far_cell, "spreadsheet too large"),
    "docx-gridSpan-60000-vMerge-1e4": (lambda: _docx(_p(_TITLE) + "<w:tbl><w:tr>" + _tc(
        "统计指标", '<w:gridSpan w:val="60000"/><w:vMerge w:val="restart"/>') + _tc("1") + "</w:tr>" + (
        "<w:tr>" + _tc("", '<w:gridSpan w:val="60000"/><w:vMerge/>') + _tc("2") + "</w:tr>") * 10_000 + "</w:tbl>"), None),
    "docx-table-1e5-rows": (lambda: _docx(_p(_TITLE) + "<w:tbl>" + ("<w:tr>" + _tc("主动公开政府信息数") + _tc("1")
                                                                     + "</w:tr>") * 100_000 + "</w:tbl>"), None),
    "docx-200k-paragraphs": (lambda: _docx(_p(_TITLE) + _p("一、主动公开政府信息情况") * 200_000), None),
    "docx-nested-tables-80-around-200k-paragraphs": (lambda: _docx(
        _p(_TITLE) + ("<w:tbl><w:tr><w:tc>" + _p("x")) * 80 + _p("1") * 200_000 + "</w:tc></w:tr></w:tbl>" * 80), None),
    "docx-member-bomb": (lambda: _honest_bomb("docx"), "zip bomb"),
}
# the work limit each of these reaches, as recorded in Doc.steps (etl/document.py's limits, applied by etl/office.py)
OFFICE_CUT = {
    "xlsx-far-cell-XFD1048576": "truncated:sheet>5000x256",
    "docx-table-1e5-rows": "truncated:rows>20000",
    "docx-200k-paragraphs": "truncated:rows>20000",
}


@pytest.mark.parametrize("name", list(OFFICE_CASES))
def test_hostile_office_document_is_bounded(tmp_path: Path, name: str) -> None:
    build, error = OFFICE_CASES[name]
    data = build()
    out = run_child(tmp_path, name.replace(":", "-"), data, address_space=OFFICE_ADDRESS_SPACE)
    assert out["rss_mb"] < OFFICE_MAX_RSS_MB, out
    if error is not None:
        assert not out["ok"] and error in out["error"], out
    if name in OFFICE_CUT:
        assert OFFICE_CUT[name] in out["steps"], out
        assert "document.truncated" in out["checks"] or not out["ok"], out
