"""PDF input: generated reports rendered as real PDFs (portal/pdfgen.py), read back by etl/pdf/ through
parse_document, compared with the generator's truth; plus hand-made PDFs for the reader's edge cases and refusals.

No mocks: every PDF here is written by PyMuPDF (or LibreOffice) and read by PyMuPDF.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from portal_util import report, report_blocks, truth_values

from portal.blocks import Para, Table, blocks
from portal.pdfgen import pdf_bytes
from portal.render import Cell
from portal.sites import generate
from etl.document import Row, html_doc
from etl.parse import parse_document
from etl.pdf import MAX_PAGES, PdfError, join_lines, pdf_doc

REPO = Path(__file__).resolve().parents[1]


def render(site: str, year: int, **options: object) -> bytes:
    return pdf_bytes(list(report_blocks(site, year)), **options)


def table_rows(rows: list[Row]) -> list[tuple[int | None, list[str]]]:
    return [(r.table, [c.replace(" ", "") for c in r.cells]) for r in rows if r.table is not None]


def html_rows(site: str, year: int) -> list[tuple[int | None, list[str]]]:
    body = generate().bodies[report(site, year)["path"]][1]
    return table_rows(html_doc(f"<html><body><div>{body}</div></body></html>").rows)


def page_texts(pdf: bytes) -> list[str]:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return [page.get_text() for page in doc]


# ---------------------------------------------------------------------------------------------------------
# Round trips: every value of the truth, exactly, for each format and each layout quirk

CASES = [
    # (site, data year, pdfgen options): the format is the truth's; the options are the quirk
    pytest.param("quzhou", 2016, {}, id="2014-ruled"),
    pytest.param("qujiang", 2014, {"ruled": False}, id="2014-unruled-dash-blanks"),
    pytest.param("qujiang", 2020, {"wrap": True}, id="2019-wrapped-labels"),
    pytest.param("tzspj", 2019, {"ruled": False, "vertical": True}, id="2019-traditional-unruled-vertical"),
    pytest.param("yongan", 2022, {"footer": "- {n} -"}, id="2021-ruled"),
    pytest.param("snsthj", 2022, {"ruled": False, "wrap": True}, id="2021-unruled-wrapped"),
    pytest.param("anju", 2021, {"repeat_header": True, "header": "安居区财政局政府信息公开",
                                "footer": "第{n}页 共{total}页"}, id="2021-page-broken-repeated-header"),
    pytest.param("qujiang", 2023, {"vertical": True}, id="hybrid-vertical-labels"),
    pytest.param("qzswj", 2013, {"ruled": False}, id="local-unruled-empty-blanks"),
    pytest.param("quzhou", 2013, {}, id="narrative-approximate"),
]


@pytest.mark.parametrize("site, year, options", CASES)
def test_round_trip_values_equal_the_truth(site: str, year: int, options: dict) -> None:
    truth = report(site, year)
    pdf = render(site, year, **options)
    result = parse_document(pdf, input=f"{site}/{year}.pdf", filename="x.pdf")
    assert result.ok, result.error
    assert result.decoding == "pdf"
    assert {v.key: v.value for v in result.values} == truth_values(truth)
    approximate = {(v["metric"], v["applicant"], v["period"]) for v in truth["values"] if v["approximate"]}
    assert {v.key for v in result.values if v.approximate} == approximate
    rep = result.report
    # section formats: the 2019/2021-era sections, or the statistical table's format for the older templates
    assert (rep.report_year, rep.format, rep.section_formats) == (
        truth["report_year"], truth["format"], truth["section_formats"])
    assert rep.agency and truth["agency"] in rep.agency
    # the checks find what they find on the HTML page the report comes from, no more
    data, ctype = generate().pages[truth["path"]]
    html = parse_document(data, input=truth["path"], content_type=ctype)
    assert sorted((i.check, i.severity) for i in result.issues) == sorted((i.check, i.severity) for i in html.issues)


def test_round_trip_every_site_and_kind_ruled() -> None:
    """One generated report of each (site, kind) as a ruled PDF: the same values and section formats as the
    HTML page it comes from (all 74 reports agree under every layout option as well; too slow for the suite)."""
    g = generate()
    wrong = []
    sample = {(r["site"], r["kind"]): r for r in g.reports}
    assert len(sample) >= 25
    for r in sample.values():
        title, body = g.bodies[r["path"]]
        pdf = parse_document(pdf_bytes(blocks(body, title)), input=r["path"], filename="x.pdf")
        html = parse_document(g.pages[r["path"]][0], input=r["path"], content_type=g.pages[r["path"]][1])
        if not pdf.ok or {v.key: v.value for v in pdf.values} != {v.key: v.value for v in html.values} \
                or pdf.report.section_formats != html.report.section_formats:
            wrong.append((r["site"], r["report_year"], pdf.error))
    assert wrong == []


# ---------------------------------------------------------------------------------------------------------
# The row stream: the same rows as the HTML table model, whatever the layout


def test_ruled_tables_give_the_html_rows_merged_cells_once() -> None:
    """Vertical labels, wrapped labels, a table continued on the next page under a repeated header and a footer:
    the rows are the HTML <tr> rows, a rowspan/colspan cell once on its first row, table indexes included."""
    pdf = render("quzhou", 2022, vertical=True, wrap=True, repeat_header=True, footer="第 {n} 页")
    doc = pdf_doc(pdf)
    assert table_rows(doc.rows) == html_rows("quzhou", 2022)
    # the quirks did happen: a table runs over two pages, its header is printed twice, labels are vertical
    pages_of = {}
    for r in doc.rows:
        if r.table is not None:
            pages_of.setdefault(r.table, set()).add(r.page)
    assert any(len(p) > 1 for p in pages_of.values())
    texts = page_texts(pdf)
    assert sum(t.count("申请人情况") for t in texts) == 2
    assert sum(r.text.count("申请人情况") for r in doc.rows) == 1
    assert "三\n、\n本\n年\n度" in "".join(texts)
    first = next(r.cells[:2] for r in doc.rows if r.cells[0].startswith("三、本年"))
    assert first == ["三、本年度办理结果", "（一）予以公开"]
    assert not [r for r in doc.rows if "页" in r.text and len(r.text) < 8]


def test_unruled_tables_give_the_html_rows() -> None:
    """No line drawn: cells known from text positions only. Labels, units, blanks and figures land in the HTML
    cells; the blank unit cells (qzswj 2013 prints zeros as empty cells) stay empty cells."""
    pdf = render("qzswj", 2013, ruled=False)
    with pymupdf.open(stream=pdf, filetype="pdf") as d:
        assert not any(page.get_drawings() for page in d)
    doc = pdf_doc(pdf)
    assert table_rows(doc.rows) == html_rows("qzswj", 2013)
    assert ["（一）依申请方式", "", ""] in [r.cells for r in doc.rows]
    assert ["5.其他方式申请数", "件", ""] in [r.cells for r in doc.rows]


def test_unruled_2021_sections_with_wrapped_and_vertical_labels() -> None:
    doc = pdf_doc(render("snsthj", 2023, ruled=False, vertical=True, wrap=True))
    rows = [cells for _, cells in table_rows(doc.rows)]
    html = [cells for _, cells in html_rows("snsthj", 2023)]
    sec3 = html.index(next(c for c in html if c[0].startswith("一、本年新收")))
    sec4 = html.index(["行政复议", "行政诉讼"])
    assert rows[rows.index(html[sec3]):][: sec4 - sec3 + 4] == html[sec3:][: sec4 - sec3 + 4]
    assert next(c[:2] for c in rows if c[0].startswith("三、本年")) == ["三、本年度办理结果", "（一）予以公开"]


def test_wrapped_cell_text_joins_without_a_space() -> None:
    pdf = render("qujiang", 2019, wrap=True)  # labels printed 本年新<br/>制作数量 and wrapped in narrow columns
    assert "本年新\n制作数量" in "".join(page_texts(pdf))
    cells = {c for r in pdf_doc(pdf).rows for c in r.cells}
    assert {"本年新制作数量", "社会公益组织", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"} <= cells


def test_paragraphs_are_joined_and_split_at_indents_and_headings() -> None:
    doc = pdf_doc(render("qujiang", 2023))
    lines = [r.cells[0] for r in doc.rows if r.table is None]
    para = next(t for t in lines if t.startswith("本报告根据"))
    assert para.endswith("请与衢州市衢江区人民政府办公室联系（电话：0570-3880012）。")  # several printed lines, one row
    assert lines[:4] == ["衢江区人民政府2023年政府信息公开工作年度报告", para, "一、总体情况", lines[3]]
    assert lines[3].startswith("2023年，区政府") and lines[4].startswith("（一）主动公开。")
    assert all(r.page in (1, 2, 3) for r in doc.rows)


def test_a_long_title_over_two_lines_is_one_row() -> None:
    title = "衢州市衢江区机关事务保障中心关于二〇二三年度政府信息公开工作年度报告的说明与全文发布"
    first, second = "正文第一段，" + "内容" * 30 + "。", "正文第二段。"
    doc = pdf_doc(pdf_bytes([Para(title, heading=True), Para(first), Para(second)]))
    assert len(page_texts(pdf_bytes([Para(title, heading=True)]))[0].strip().splitlines()) == 3  # title + footer
    assert [r.cells for r in doc.rows] == [[title], [first], [second]]


def test_page_numbers_and_running_headers_are_dropped() -> None:
    body = [Para("标题", heading=True)] + [Para(f"第{n}段，" + "内容" * 100) for n in range(12)]
    for footer in ("第 {n} 页", "- {n} -", "共{total}页 第{n}页", "{n}", "{n}/{total}"):
        pdf = pdf_bytes(body, footer=footer, header="衢州市人民政府办公室文件", page_size=(420.0, 595.0))
        texts = page_texts(pdf)
        assert len(texts) >= 3 and all("衢州市人民政府办公室文件" in t for t in texts)
        rows = [r.text for r in pdf_doc(pdf).rows]
        assert rows[0] == "标题" and len(rows) == 13, (footer, rows)
        assert all(t == f"第{n - 1}段，" + "内容" * 100 for n, t in enumerate(rows) if n)  # joined across pages


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_pages_printed_sideways_or_upside_down(rotate: int) -> None:
    """A landscape report placed on portrait pages turned by 90/270 degrees (text running up or down the page), or
    upside down: read in the frame where its text runs left to right."""
    size = (595.0, 842.0) if rotate == 180 else (842.0, 595.0)
    source = pymupdf.open(stream=render("qujiang", 2023, page_size=size), filetype="pdf")
    turned = pymupdf.open()
    for n in range(source.page_count):
        page = turned.new_page(width=595, height=842)
        page.show_pdf_page(page.rect, source, n, rotate=rotate)
    pdf = turned.tobytes()
    lines = [ln for b in turned[0].get_text("rawdict")["blocks"] for ln in b.get("lines", ())]
    expected = {90: (0, -1), 180: (-1, 0), 270: (0, 1)}[rotate]
    assert all((round(ln["dir"][0]), round(ln["dir"][1])) == expected for ln in lines)  # the text is turned
    assert table_rows(pdf_doc(pdf).rows) == html_rows("qujiang", 2023)
    with pymupdf.open(stream=render("qujiang", 2023), filetype="pdf") as d:
        for page in d:
            page.set_rotation(rotate)  # /Rotate: shown turned, written upright
        assert table_rows(pdf_doc(d.tobytes()).rows) == html_rows("qujiang", 2023)


def test_fake_bold_text_printed_twice_reads_once() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    writer = pymupdf.TextWriter(page.rect)
    for dx in (0, 0.35):
        writer.append((72 + dx, 100), "一、总体情况", font=pymupdf.Font("cjk"), fontsize=12)
    writer.write_text(page)
    assert [r.cells for r in pdf_doc(doc.tobytes()).rows] == [["一、总体情况"]]


def test_metadata_title_is_the_doc_title() -> None:
    doc = pdf_doc(pdf_bytes([Para("正文")], title="Microsoft Word - 2023年报告.docx"))
    assert doc.title == "2023年报告"
    assert pdf_doc(pdf_bytes([Para("正文")])).title is None


def test_join_lines() -> None:
    assert join_lines(["本年新", "制作数量"]) == "本年新制作数量"
    assert join_lines(["申", "请", "人", "情", "况"]) == "申请人情况"
    assert join_lines(["open government", "information"]) == "open government information"
    assert join_lines(["共计12", "34条"]) == "共计1234条"


# ---------------------------------------------------------------------------------------------------------
# A PDF from another producer (LibreOffice Writer): rows that break across pages, its own fonts and spacing


@pytest.mark.parametrize("site, year", [
    pytest.param("qujiang", 2023, id="2021-row-broken-across-pages"),
    pytest.param("tzspj", 2021, id="2021-merged-label-text-across-pages"),
    pytest.param("quzhou", 2016, id="2014"),
])
def test_libreoffice_pdf_round_trip(soffice: str, site: str, year: int) -> None:
    """LibreOffice Writer lets table rows, and the text of a tall merged cell, run on over a page break: the
    parts join again, so the rows are the HTML rows (on this machine, all 74 generated reports converted so match)."""
    from portal.officegen import docx_bytes
    from crawler.convert import soffice_convert

    pdf = soffice_convert(docx_bytes(list(report_blocks(site, year))), "docx", "pdf")
    assert "LibreOffice" in pymupdf.open(stream=pdf, filetype="pdf").metadata["producer"]
    result = parse_document(pdf, input="lo.pdf", filename="lo.pdf")
    assert result.ok, result.error
    assert {v.key: v.value for v in result.values} == truth_values(report(site, year))
    assert (result.report.report_year, result.report.format) == (year, report(site, year)["format"])
    assert table_rows(pdf_doc(pdf).rows) == html_rows(site, year)


# ---------------------------------------------------------------------------------------------------------
# Refusals: a clear error, never an exception, never numbers from text that cannot be read


def _parse(data: bytes):
    result = parse_document(data, input="x.pdf", filename="x.pdf")
    assert not result.ok and result.values == []
    assert result.error and not result.error.startswith("internal parser error"), result.error
    return result


def _pdf_error(data: bytes) -> str:
    with pytest.raises(PdfError) as exc:
        pdf_doc(data)
    return exc.value.reason


# The PDF reader refuses scanned pages with the exact message; parse_document then reads them by OCR
# (etl/ocr.py, tests/test_ocr.py), so these two refusals are asserted on pdf_doc itself.
def test_scanned_pdf_is_refused_with_the_exact_message() -> None:
    pdf = render("qujiang", 2023, scanned=True)
    with pymupdf.open(stream=pdf, filetype="pdf") as d:
        assert d.page_count > 1 and all(p.get_images() and not p.get_text().strip() for p in d)
    assert _pdf_error(pdf) == "scanned PDF, no text layer"


def test_partly_scanned_pdf_is_refused() -> None:
    text = pymupdf.open(stream=render("qujiang", 2023), filetype="pdf")
    scan = pymupdf.open(stream=render("qujiang", 2023, scanned=True), filetype="pdf")
    text.insert_pdf(scan, from_page=1, to_page=1)
    n = text.page_count
    assert _pdf_error(text.tobytes()) == f"scanned PDF, no text layer on page(s) {n} of {n}"


def test_broken_pdfs_are_refused() -> None:
    pdf = render("qujiang", 2023)
    assert _parse(pdf[: len(pdf) // 2]).error.startswith(("damaged PDF", "broken PDF", "no text"))
    assert _parse(pdf[: int(len(pdf) * 0.95)]).error == (
        "damaged PDF: part of its content cannot be read (a truncated or corrupt file)")
    assert _parse(b"%PDF-1.7\n" + b"\x00\xff" * 500).error.startswith("broken PDF")
    assert _parse(b"%PDF").error.startswith("broken PDF")
    assert _parse(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).error.startswith(("not a PDF", "broken PDF"))
    # a missing trailer only: MuPDF rebuilds the cross-reference table and nothing is lost
    cut = parse_document(pdf[: pdf.rfind(b"startxref")], input="x.pdf", filename="x.pdf")
    assert cut.ok and len(cut.values) == len(report("qujiang", 2023)["values"])


def test_encrypted_pdf_is_refused_unless_it_opens_without_a_password() -> None:
    with pymupdf.open(stream=render("qujiang", 2023), filetype="pdf") as d:
        locked = d.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
        owner_only = d.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", permissions=0)
    assert _parse(locked).error == "encrypted PDF: a password is needed to open it"
    assert parse_document(owner_only, input="x.pdf", filename="x.pdf").ok


def test_text_without_unicode_mapping_is_refused() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    font = pymupdf.Font("cjk")
    writer = pymupdf.TextWriter(page.rect)
    writer.append((50, 100), "统计表 " + "\ue000\ue001\ue002 12 34" * 20, font=font, fontsize=10)
    writer.write_text(page)
    assert _parse(doc.tobytes()).error.startswith("unreadable text layer")


def test_empty_and_oversized_pdfs_are_refused() -> None:
    doc = pymupdf.open()
    doc.new_page()
    assert _parse(doc.tobytes()).error == "no text in the PDF"
    for _ in range(MAX_PAGES):
        doc.new_page()
    assert _parse(doc.tobytes()).error == f"PDF has {MAX_PAGES + 1} pages, more than {MAX_PAGES}"


def test_pdf_error_carries_its_reason() -> None:
    with pytest.raises(PdfError) as err:
        pdf_doc(b"not a pdf at all")
    assert err.value.reason == str(err.value) and err.value.reason.startswith("broken PDF")


# ---------------------------------------------------------------------------------------------------------
# The generator


def test_generator_is_deterministic_across_processes() -> None:
    here = hashlib.sha256(render("qujiang", 2023, vertical=True)).hexdigest()
    code = ("import hashlib; from tests.portal_util import report_blocks; from portal.pdfgen import pdf_bytes; "
            "print(hashlib.sha256(pdf_bytes(list(report_blocks('qujiang', 2023)), vertical=True)).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == here
    with pymupdf.open(stream=render("qujiang", 2023), filetype="pdf") as d:
        assert d.metadata["creationDate"] == d.metadata["modDate"] == "D:20240101000000+08'00'"


def test_generator_writes_cjk_text_that_extracts_back() -> None:
    text = "衢江区 《条例》〔2021〕30号 “三安全一稳定” 8075.862971万元 檔案 堃"
    pdf = pdf_bytes([Para(text), Table([[Cell("申请人情况", 1, 2)], [Cell("自然人"), Cell("12")]])])
    assert text in page_texts(pdf)[0]
    assert [r.cells for r in pdf_doc(pdf).rows] == [[text], ["申请人情况"], ["自然人", "12"]]
