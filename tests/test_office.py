"""Office inputs (etl/office.py): generated reports written as DOCX / XLSX / DOC / XLS / WPS by the portal's
office writer (portal/officegen.py) and parsed back with `parse_document`, equal to the portal's truth;
hand-built documents for merged cells, body order and number printing; hostile and broken files.

DOC, WPS and XLS need LibreOffice (`soffice`): those tests skip without it, except in CI, where they fail."""

from __future__ import annotations

import gc
import io
import time
import zipfile

import docx
import openpyxl
import pytest
from docx.enum.text import WD_BREAK
from openpyxl.styles import Alignment

from portal_util import report, report_blocks, truth_values

from crawler.convert import ConversionError, soffice_convert
from portal import officegen
from portal.blocks import Para, Table
from portal.sites import generate
from etl.document import Row, html_doc
from etl.office import (
    MAX_MEMBER,
    OfficeError,
    docx_doc,
    format_number,
    ole_kind,
    xls_doc,
    xlsx_doc,
    zip_kind,
)
from etl.parse import parse_document

# One report of each kind (site, data year): formats 2014 / 2019 / 2021, hybrid 2021+2019, local tables,
# narrative; plus label cells broken by line breaks (qujiang), blanks printed as "" for zero (qzswj 2013),
# money in 万元 (snsthj), a traditional-script mirror (tzspj).
CASES = {
    "2014": ("quzhou", 2015),
    "2014-early": ("qzswj", 2014),
    "2014-sources-mirror": ("tzspj", 2016),
    "2019-label-breaks": ("qujiang", 2019),
    "2019-mirror-taiwan": ("tzspj", 2019),
    "2021": ("snsthj", 2022),
    "hybrid-2021-2019": ("qujiang", 2023),
    "local-fujian": ("yongan", 2014),
    "local-zhejiang-zero-blank": ("qzswj", 2013),
    "narrative": ("quzhou", 2013),
}


def assert_report(result, r: dict, *, tables_only: bool = False) -> None:
    assert result.ok, result.error
    got = {v.key: v.value for v in result.values}
    if tables_only:
        # prose figures are absent; a value the truth lists as prose may still be printed in a table too
        assert truth_values(r, tables_only=True).items() <= got.items()
        assert got.items() <= truth_values(r).items()
    else:
        assert got == truth_values(r)
    assert result.report.report_year == r["report_year"]
    if not tables_only or r["format"] != "narrative":
        assert result.report.format == r["format"]
        assert result.report.section_formats == r["section_formats"]


# ---------------------------------------------------------------------------------------------------------
# Round trips of generated reports


@pytest.mark.parametrize("case", CASES)
def test_docx_round_trip(case):
    site, year = CASES[case]
    r = report(site, year)
    data = officegen.docx_bytes(list(report_blocks(site, year)))
    assert zip_kind(data) == "docx"
    result = parse_document(data, input=f"{site}-{year}.docx", filename="x.docx")
    assert result.decoding == "docx"
    assert_report(result, r)
    page, ctype = generate().pages[r["path"]]
    html = parse_document(page, input=r["path"], content_type=ctype)
    assert result.report.title == html.report.title  # as the served page gives it (a mirror's is simplified)
    assert result.report.title and str(year) in result.report.title


@pytest.mark.parametrize("case", CASES)
def test_xlsx_round_trip_tables_only(case):
    site, year = CASES[case]
    r = report(site, year)
    # what agencies publish as a spreadsheet: the title, the section headings and the tables, no prose
    kept = [b for b in report_blocks(site, year) if isinstance(b, Table) or b.heading]
    data = officegen.xlsx_bytes(kept)
    assert zip_kind(data) == "xlsx"
    result = parse_document(data, input=f"{site}-{year}.xlsx", filename="x.xlsx")
    assert result.decoding == "xlsx"
    assert_report(result, r, tables_only=True)
    if r["format"] != "narrative":
        assert any(v.source.kind == "table" for v in result.values)
    assert not any(v.source.kind == "text" for v in result.values if v.key not in truth_values(r, tables_only=True))


@pytest.mark.parametrize("case", ["2021", "narrative", "local-fujian"])
def test_xlsx_round_trip_with_prose(case):
    site, year = CASES[case]
    data = officegen.xlsx_bytes(list(report_blocks(site, year)))  # paragraphs in column A rows
    assert_report(parse_document(data, input="x.xlsx", filename="x.xlsx"), report(site, year))


def _table_rows(rows: list[Row]) -> list[list[str]]:
    # HTML joins a label broken by <br> with a space, the office readers without; the mapper ignores both
    return [[c.replace(" ", "") for c in r.cells] for r in rows if r.table is not None]


def test_every_layout_reads_like_its_html_page():
    """One report per (site, kind), i.e. every layout the portal prints: the DOCX and XLSX table row streams
    equal the served HTML page's, cell for cell."""
    g = generate()
    firsts = {(r["site"], r["kind"]): r for r in reversed(g.reports)}
    assert len(firsts) >= 30
    for r in firsts.values():
        page, ctype = g.pages[r["path"]]
        expected = _table_rows(html_doc(page.decode(r["encoding"])).rows)
        bl = list(report_blocks(r["site"], r["report_year"]))
        assert _table_rows(docx_doc(officegen.docx_bytes(bl)).rows) == expected, r["path"]
        assert _table_rows(xlsx_doc(officegen.xlsx_bytes(bl)).rows) == expected, r["path"]


def test_generated_files_are_reproducible():
    bl = list(report_blocks("qujiang", 2023))
    for write in (officegen.docx_bytes, officegen.xlsx_bytes):
        first = write(bl)
        assert write(bl) == first
        with zipfile.ZipFile(io.BytesIO(first)) as zf:
            assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            core = zf.read("docProps/core.xml").decode()
        assert "2024-01-01T00:00:00Z" in core and "dcterms:modified" in core


def _docx_trees() -> int:
    return sum(1 for o in gc.get_objects() if str(getattr(type(o), "__module__", "")).startswith("docx.oxml"))


def test_a_docx_read_frees_its_trees_without_the_collector() -> None:
    """python-docx's package, parts and relationships refer to each other, so a read document's XML trees used to
    wait for a garbage collection; parse workers collect rarely, and the trees of the DOCX read in between piled up
    (about 200 MB a worker). docx_doc lets go of them before it returns: none is left, even with the collector off."""
    data = officegen.docx_bytes(list(report_blocks("qujiang", 2019)))
    docx_doc(data)  # python-docx's imports and first-use caches
    gc.collect()
    before = _docx_trees()
    gc.disable()
    try:
        for _ in range(3):
            assert docx_doc(data).rows
        assert _docx_trees() == before
    finally:
        gc.enable()


def test_generated_docx_has_real_merges_and_line_breaks():
    data = officegen.docx_bytes(list(report_blocks("qujiang", 2019)))  # label_breaks layout
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:vMerge w:val="restart"' in xml and "<w:gridSpan" in xml and "<w:br/>" in xml
    rows = docx_doc(data).rows
    labels = {c for r in rows if r.table is not None for c in r.cells}
    assert {"本年新制作数量", "社会公益组织", "法律服务机构"} <= labels


def test_generated_xlsx_stores_numbers_as_numbers():
    data = officegen.xlsx_bytes(list(report_blocks("snsthj", 2022)))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(isinstance(v, int) for v in values) and any(isinstance(v, str) and "申请" in v for v in values)
    assert ws.merged_cells.ranges


# ---------------------------------------------------------------------------------------------------------
# DOC / WPS / XLS / ODT through LibreOffice


@pytest.fixture(scope="module")
def doc_bytes(soffice) -> bytes:
    return officegen.doc_bytes(list(report_blocks(*CASES["hybrid-2021-2019"])))


def test_doc_round_trip(doc_bytes):
    assert doc_bytes.startswith(b"\xd0\xcf\x11\xe0") and ole_kind(doc_bytes) == "doc"
    result = parse_document(doc_bytes, input="x.doc", filename="x.doc", convert=soffice_convert)
    assert result.decoding == "doc:converted-docx"
    assert_report(result, report(*CASES["hybrid-2021-2019"]))


def test_wps_round_trip(doc_bytes):
    # Kingsoft WPS Writer saves .wps in the Word 97 binary format (an OLE file with a WordDocument stream)
    result = parse_document(doc_bytes, input="x.wps", filename="报告.wps", content_type="application/vnd.ms-works",
                            convert=soffice_convert)
    assert_report(result, report(*CASES["hybrid-2021-2019"]))


def test_xls_round_trip(soffice):
    site, year = CASES["2019-label-breaks"]
    data = officegen.xls_bytes(list(report_blocks(site, year)))
    assert ole_kind(data) == "xls"
    result = parse_document(data, input="x.xls", filename="x.xls")
    assert result.decoding == "xls"
    assert_report(result, report(site, year))


def test_odt_round_trip(soffice):
    site, year = CASES["2014"]
    odt = soffice_convert(officegen.docx_bytes(list(report_blocks(site, year))), "docx", "odt")
    assert zip_kind(odt) == "odt"
    assert_report(parse_document(odt, input="x.odt", filename="x.odt", convert=soffice_convert), report(site, year))


def test_doc_without_libreoffice_names_the_package(doc_bytes, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no soffice on PATH
    result = parse_document(doc_bytes, input="x.doc", filename="x.doc", convert=soffice_convert)
    assert not result.ok
    assert "libreoffice-writer-nogui" in result.error and "not installed" in result.error


def test_doc_without_a_converter_is_a_clear_error(doc_bytes):
    """etl/ is pure: it never starts LibreOffice itself; without a converter a DOC is refused with the reason."""
    result = parse_document(doc_bytes, input="x.doc", filename="x.doc")
    assert not result.ok and result.error == "DOC documents need a converter to DOCX (LibreOffice); none was given"


def test_conversion_is_bounded_in_time(doc_bytes):
    began = time.monotonic()
    with pytest.raises(ConversionError, match=r"did not convert .* within 0.05 s"):
        soffice_convert(doc_bytes, "doc", "docx", timeout=0.05)
    assert time.monotonic() - began < 5


# ---------------------------------------------------------------------------------------------------------
# Hand-built documents: what each reader must get right


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_body_order_merges_nesting_breaks_and_no_headers():
    d = docx.Document()
    section = d.sections[0]
    section.header.paragraphs[0].text = "页眉：某某局门户网站"
    section.footer.paragraphs[0].text = "第 1 页 共 3 页"
    d.add_paragraph("某某局2023年政府信息公开工作年度报告", style="Title")
    d.add_paragraph("一、总体情况")
    t = d.add_table(rows=3, cols=3)
    a = t.cell(0, 0).merge(t.cell(1, 0))  # vertical merge
    run = a.paragraphs[0].add_run("申请人")
    run.add_break()
    run.add_text("情况")
    t.cell(0, 1).merge(t.cell(0, 2)).paragraphs[0].add_run("结果")  # horizontal merge
    t.cell(1, 1).text, t.cell(1, 2).text = "维持", "纠正"
    t.cell(2, 0).text = "Total"
    t.cell(2, 0).add_paragraph("合计")  # two paragraphs in one cell: a space between Latin and Chinese
    t.cell(2, 1).text, t.cell(2, 2).text = "1", "2"
    d.add_paragraph("二、第一行").add_run().add_break(WD_BREAK.LINE)
    d.paragraphs[-1].add_run("第二行")
    outer = d.add_table(rows=1, cols=2)  # a layout table holding a table: read like html_doc (leaf tables)
    outer.cell(0, 0).text = "外层文字"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "内", "表"
    d.add_paragraph("三、结束")

    doc = docx_doc(_save(d))
    assert doc.title == "某某局2023年政府信息公开工作年度报告"
    assert [(r.table, r.cells) for r in doc.rows] == [
        (None, ["某某局2023年政府信息公开工作年度报告"]),
        (None, ["一、总体情况"]),
        (0, ["申请人情况", "结果"]),
        (0, ["维持", "纠正"]),
        (0, ["Total 合计", "1", "2"]),
        (None, ["二、第一行"]),
        (None, ["第二行"]),
        (None, ["外层文字"]),
        (1, ["内", "表"]),
        (None, ["三、结束"]),
    ]
    assert [r.index for r in doc.rows if r.table == 0] == [0, 1, 2]


def test_docx_title_from_core_properties_when_the_text_has_none():
    d = docx.Document()
    d.core_properties.title = "某某县2020年政府信息公开工作年度报告"
    d.add_paragraph("根据条例要求，现将有关情况报告如下。")
    assert docx_doc(_save(d)).title == "某某县2020年政府信息公开工作年度报告"


def test_docx_traditional_script_is_simplified():
    d = docx.Document()
    d.add_paragraph("本機關依據條例辦理政府資訊公開，網站發布資訊數量統計如下，處理結果詳見報告。")
    doc = docx_doc(_save(d))
    assert "t2s" in doc.steps and doc.rows[0].cells[0].startswith("本机关依据条例办理")


@pytest.mark.parametrize(
    ("value", "number_format", "printed"),
    [
        (12, None, "12"),
        (12.0, None, "12"),
        (24252.311082, None, "24252.311082"),
        (0.1 + 0.2, None, "0.3"),
        (-3.5, None, "-3.5"),
        (-0.0, None, "0"),
        (1234567.0, "#,##0", "1234567"),
        (0.35, "0%", "35%"),
        (0.125, "0.0%", "12.5%"),
        (0.000012, None, "0.000012"),
        (1e-7, None, "0.0000001"),
        (2.0**60, None, "1152921504606846976"),
        (True, None, "是"),
    ],
)
def test_numbers_print_as_typed(value, number_format, printed):
    assert format_number(value, number_format) == printed


def test_xlsx_merges_numbers_empty_rows_and_columns_hidden_sheets():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "某某局2023年政府信息公开工作年度报告统计表"
    ws.merge_cells("A1:E1")
    # row 2 empty; column A empty below the title; column E empty: both dropped from the table
    ws["B3"] = "项目"
    ws.merge_cells("B3:B4")
    ws["C3"] = "数量"
    ws.merge_cells("C3:D3")
    ws["C4"], ws["D4"] = "本年", "累计"
    ws["B5"], ws["C5"], ws["D5"] = "规章", 12.0, 24252.311082
    ws["B6"], ws["C6"], ws["D6"] = "比例", 0.1 + 0.2, 0.35
    ws["D6"].number_format = "0%"
    ws["B7"] = "本年新\n制作数量"
    ws["B7"].alignment = Alignment(wrap_text=True)
    ws["C7"] = 3
    ws["B9"] = "注：本表数据截至2023年12月31日。"  # after an empty row: a line of prose
    hidden = wb.create_sheet("lookup")
    hidden["A1"], hidden["B1"] = "不应读取", 99
    hidden.sheet_state = "hidden"
    second = wb.create_sheet("附表")
    second["A1"], second["B1"] = "收费", 0
    out = io.BytesIO()
    wb.save(out)

    doc = xlsx_doc(out.getvalue())
    assert doc.title == "某某局2023年政府信息公开工作年度报告统计表"
    assert [(r.table, r.cells) for r in doc.rows] == [
        (None, ["某某局2023年政府信息公开工作年度报告统计表"]),
        (0, ["项目", "数量"]),
        (0, ["本年", "累计"]),
        (0, ["规章", "12", "24252.311082"]),
        (0, ["比例", "0.3", "35%"]),
        (0, ["本年新制作数量", "3", ""]),
        (None, ["注：本表数据截至2023年12月31日。"]),
        (1, ["收费", "0"]),
    ]


def test_xlsx_huge_sheet_is_capped():
    from etl.office import MAX_ROWS

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, MAX_ROWS + 20):
        ws.cell(r, 1, f"行{r}")
        ws.cell(r, 2, r)
    out = io.BytesIO()
    wb.save(out)
    doc = xlsx_doc(out.getvalue())
    assert len(doc.rows) == MAX_ROWS and any("truncated" in s for s in doc.steps)


def test_xlsx_a_merged_range_over_the_whole_sheet_is_refused_before_openpyxl():
    # openpyxl made a MergedCell for each of the 17,179,869,184 cells (6.8 GB when a limit stopped it)
    from test_bounded import _c, _xlsx

    data = _xlsx(f'<row r="1">{_c("A1", "2023年报告")}</row>', ["A1:XFD1048576"])
    began = time.monotonic()
    with pytest.raises(OfficeError) as err:
        xlsx_doc(data)
    assert time.monotonic() - began < 1
    assert str(err.value) == ("spreadsheet too large: merged range A1:XFD1048576 covers 17179869184 cells "
                              "(limit 250000 merged cells in the first 5000 rows x 256 columns)")


def test_xlsx_whole_row_and_whole_column_merges_are_read_within_the_window():
    from test_bounded import _c, _xlsx

    rows = (f'<row r="1">{_c("A1", "标题")}</row><row r="3">{_c("A3", "项目")}{_c("B3", "数量")}</row>'
            f'<row r="4">{_c("B4", "12")}</row>')
    doc = xlsx_doc(_xlsx(rows, ["A1:XFD1", "A3:A1048576"]))
    assert [(r.table, r.cells) for r in doc.rows] == [(None, ["标题"]), (0, ["项目", "数量"]), (0, ["12"])]
    assert doc.steps == []


def test_xlsx_a_far_cell_is_cut_not_materialised():
    from test_bounded import _c, _xlsx

    data = _xlsx(f'<row r="1">{_c("A1", "标题")}{_c("B1", "1")}</row>'
                 '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    began = time.monotonic()
    doc = xlsx_doc(data)
    assert time.monotonic() - began < 1
    assert [r.cells for r in doc.rows] == [["标题", "1"]] and doc.steps == ["truncated:sheet>5000x256"]
    with pytest.raises(OfficeError, match=r"^spreadsheet has no text in its first 5000 rows x 256 columns"):
        xlsx_doc(_xlsx('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


def test_xlsx_limits_name_what_is_too_large():
    from test_bounded import _c, _xlsx

    many = _xlsx(f'<row r="1">{_c("A1", "x")}</row>', [f"A{i}:B{i}" for i in range(2, 10_003)])
    with pytest.raises(OfficeError, match=r"^spreadsheet too large: more than 10000 merged ranges"):
        xlsx_doc(many)
    cells = _xlsx("".join(f'<row r="{r}">' + '<c><v>1</v></c>' * 100 + "</row>" for r in range(1, 1_002)))
    with pytest.raises(OfficeError, match=r"^spreadsheet too large: more than 100000 cells"):
        xlsx_doc(cells)


def test_xlsx_rows_out_of_order_are_a_reported_cut():
    # the format requires ascending rows (Excel calls such a file corrupt); openpyxl's streaming read skips a row
    # that comes after a later one: said in the steps, never silent
    from test_bounded import _c, _xlsx

    doc = xlsx_doc(_xlsx(f'<row r="3">{_c("A3", "三")}</row><row r="2">{_c("A2", "二")}</row>'))
    assert [r.cells for r in doc.rows] == [["三"]] and doc.steps == ["truncated:rows-out-of-order"]


def test_xls_a_far_cell_is_refused_before_calamine():
    # calamine allocates the rectangle from the first to the last value: 65,536 x 256 cells, ~1 GB for 5 KB
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("表")
    ws.write(0, 0, "标题")
    ws.write(65535, 255, 1)
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(OfficeError, match=r"^spreadsheet too large: a sheet's values span 65536 rows x 256 columns"):
        xls_doc(out.getvalue())


def test_docx_rows_go_through_the_work_limits():
    from etl.document import MAX_ROWS as DOC_MAX_ROWS
    from test_bounded import _docx, _p

    doc = docx_doc(_docx(_p("2023年报告") + _p("一、概述") * (DOC_MAX_ROWS + 10)))
    assert len(doc.rows) == DOC_MAX_ROWS and doc.steps == [f"truncated:rows>{DOC_MAX_ROWS}"]


# ---------------------------------------------------------------------------------------------------------
# Broken and hostile input: ok=False with a reason, never an exception


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _failure(data: bytes, filename: str) -> str:
    result = parse_document(data, input=filename, filename=filename)
    assert not result.ok and result.error and not result.values
    assert not result.error.startswith("internal parser error"), result.error
    return result.error


def test_broken_zip():
    assert "broken or truncated zip" in _failure(b"PK\x03\x04" + b"\x00garbage" * 50, "x.docx")


def test_truncated_docx():
    data = officegen.docx_bytes(list(report_blocks(*CASES["2021"])))
    assert "broken or truncated zip" in _failure(data[: len(data) // 2], "x.docx")


def test_docx_with_a_corrupt_part():
    data = bytearray(officegen.docx_bytes(list(report_blocks(*CASES["2021"]))))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 100, start + 400):
        data[i] ^= 0x5A  # damage the deflated XML, keep the zip directory intact
    assert "unreadable DOCX document" in _failure(bytes(data), "x.docx")


def test_zip_that_is_not_office():
    error = _failure(_zip({"readme.txt": b"hello", "data/a.csv": b"1,2"}), "x.docx")
    assert "not a Word or Excel document" in error and "readme.txt" in error


def test_zip_bomb_is_refused_quickly():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(MAX_MEMBER // len(chunk) * 4):  # 64 MiB of zeros, about 64 KiB compressed
                member.write(chunk)
    data = out.getvalue()
    assert len(data) < 1 << 20
    began = time.monotonic()
    error = _failure(data, "x.docx")
    assert time.monotonic() - began < 1
    assert "zip bomb" in error


def test_broken_ole_and_other_ole():
    assert "broken or truncated OLE" in _failure(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "x.doc")


def test_empty_spreadsheet():
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    assert "no text" in _failure(out.getvalue(), "x.xlsx")


def test_blocks_of_a_report_are_what_the_writers_get():
    # guard for the cases above: the chosen reports are of the kinds their names say
    kinds = {case: report(*where)["kind"] for case, where in CASES.items()}
    assert kinds["hybrid-2021-2019"] == "hybrid" and kinds["narrative"] == "narrative"
    assert kinds["local-fujian"].startswith("local") and kinds["2014"] == "2014"
    assert all(isinstance(b, (Para, Table)) for b in report_blocks(*CASES["2021"]))
