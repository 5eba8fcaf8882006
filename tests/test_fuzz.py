"""Fuzzing `etl.parse.parse_document`: broken bytes, HTML, text, PDF and office files give typed results only.

The contract checked on every input: parse_document returns a ParseResult; `ok` is a bool; a failure carries a
non-empty `error` that is not parse.py's catch-all (`internal parser error: ...`: any exception that reaches it is
a bug); the result serialises to strict JSON (no NaN/inf values).

Hand-made cases go into HOSTILE (what a real crawl meets or an attacker writes); a case that still breaks the
contract is a `pytest.param(..., marks=pytest.mark.xfail(strict=True, reason=<the precise cause>))` until fixed.
Hypothesis runs derandomised with small budgets, so the suite is reproducible and fast.
"""

from __future__ import annotations

import io
import json
import zipfile
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_bounded import _c, _docx, _p, _tc, _xlsx  # hand-written OOXML packages (tests/test_bounded.py)

from portal.blocks import blocks
from portal.sites import generate
from etl.model import Hints, ParseResult
from etl.parse import parse_document

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(FUZZ, max_examples=25)


def check(result: object) -> ParseResult:
    """The typed-result contract (see the module docstring)."""
    assert isinstance(result, ParseResult)
    assert result.ok is True or result.ok is False
    if result.ok:
        assert result.report is not None
    else:
        assert isinstance(result.error, str) and result.error.strip(), result
        assert not result.error.startswith("internal parser error"), result.error
    json.dumps(result.to_contract(), ensure_ascii=False, allow_nan=False)
    return result


def parse(data: bytes, **kw: object) -> ParseResult:
    return check(parse_document(data, input="fuzz", **kw))  # type: ignore[arg-type]


# --- material -----------------------------------------------------------------------------------------------


@cache
def pages() -> list[tuple[bytes, str]]:
    """A spread of real generated report pages (every template era, GBK, traditional mirror, narrative)."""
    g = generate()
    seen: dict[str, tuple[bytes, str]] = {}
    for r in g.reports:
        seen.setdefault(f"{r['kind']}/{r['path'].split('/')[1]}", g.pages[r["path"]])
    return list(seen.values())


@cache
def report_blocks(i: int = 0) -> list:
    g = generate()
    title, body = g.bodies[g.reports[i]["path"]]
    return blocks(body, title)


@cache
def real_pdf() -> bytes:
    from portal.pdfgen import pdf_bytes

    return pdf_bytes(report_blocks(), ruled=True)


@cache
def real_docx() -> bytes:
    from portal.officegen import docx_bytes

    return docx_bytes(report_blocks())


@cache
def real_xlsx() -> bytes:
    from portal.officegen import xlsx_bytes

    return xlsx_bytes(report_blocks())


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PREFIXES = [
    b"%PDF-1.7\n", b"%PDF-", b"PK\x03\x04", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", OLE, OLE + b"\x00" * 16,
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<html>", b"<!DOCTYPE html>", b"<?xml version='1.0'?>",
    b"<table>", b"\x1f\x8b\x08", b"GIF89a", b"\x89PNG\r\n\x1a\n", b"{\\rtf1",
]
CONTENT_TYPES = [
    None, "text/html", "text/html; charset=utf-8", "text/html; charset=gbk", "text/html; charset=gb2312",
    "text/html; charset=big5", "text/html; charset=utf-16", "text/html; charset=utf-7", "text/html; charset=hex",
    "text/html; charset=rot13", "text/html; charset=idna", "text/html; charset=x-unknown", "text/html; charset=",
    "text/html; charset=\"utf-8", "application/pdf", "application/msword", "text/plain; charset=iso-8859-1",
    "text/html; charset=undefined", "text/html; charset=base64",
]
FILENAMES = [None, "a.html", "a.pdf", "a.docx", "a.xlsx", "a.doc", "a.xls", "a.txt", "a.wps", ""]


# --- hand-made hostile cases --------------------------------------------------------------------------------


def _html(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def _sec3(cell: str) -> bytes:
    return _html("<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>一、本年新收政府信息公开申请数量</td>"
                 + f"<td>{cell}</td>" * 7 + "</tr></table>")


HOSTILE = [
    pytest.param(b"\x00", id="nul"),
    pytest.param(b"\x00" * 5000, id="nuls"),
    pytest.param(b" \n\t\r ", id="whitespace"),
    pytest.param(b"<", id="lt"),
    pytest.param(b"<!DOCTYPE html>", id="lone-doctype"),
    pytest.param(b"<!-- only a comment -->", id="lone-comment"),
    pytest.param(b"<?xml version='1.0' encoding='utf-8'?>", id="lone-xml-declaration"),
    pytest.param(b"<html><body><![CDATA[x]]></body></html>", id="cdata"),
    pytest.param(b"<html><body><p>\xe6\x94\xbf\xe5\xba\x9c</p>" * 3 + b"\xff\xfe\xc0\x80\xed\xa0\x80", id="bad-utf8-tail"),
    pytest.param(b"<html><body>" + "政府信息公开".encode("gbk") + b"\x81\x30\xff\x80" + b"</body></html>", id="bad-gbk"),
    pytest.param(b"<html><body>" + "政府".encode() + "信息公开".encode("gbk") + "年度報告".encode("big5") + b"</body></html>",
                 id="mixed-encodings"),
    pytest.param("<html><body><p>政府信息公开</p></body></html>".encode("utf-16-le"), id="utf16-without-bom"),
    pytest.param("\ufeff<html><body><p>政府信息公开</p>\ud800</body></html>".encode("utf-16-le", "surrogatepass"),
                 id="utf16-lone-surrogate"),
    pytest.param("<html><body>\uffff\ufffe\U0010ffff\u200b\u00ad</body></html>".encode(), id="noncharacters"),
    pytest.param(_html("x", "<meta charset='hex'>") + b"\xff", id="meta-charset-hex"),
    pytest.param(_html("x", "<meta charset='zlib'>") + b"\xff", id="meta-charset-zlib"),
    pytest.param(_html("x", "<meta charset='base64'>") + b"\xff", id="meta-charset-base64"),
    pytest.param(_html("x", "<meta charset='idna'>") + b"\xff", id="meta-charset-idna"),
    pytest.param(_html("x", "<meta charset='undefined'>") + b"\xff", id="meta-charset-undefined"),
    pytest.param(_html("x", "<meta charset='unicode_escape'>") + b"\\x\xff", id="meta-charset-unicode-escape"),
    pytest.param(_html("x", "<meta charset='" + "u" * 5000 + "'>"), id="meta-charset-huge"),
    pytest.param(_html("<div class='" + "zoom " * 200_000 + "'>政府信息公开</div>"), id="huge-attribute"),
    pytest.param(_html("<div " + " ".join(f"a{i}='{i}'" for i in range(20_000)) + ">x</div>"), id="many-attributes"),
    pytest.param(_html("<p>" * 3000 + "政府" + "<div><span><b>" * 3000), id="unclosed-tags"),
    pytest.param(_html("<table></table>" * 50 + "<table><tr></tr><tr><td></td></tr></table>"), id="tables-without-cells"),
    pytest.param(_html("<table><tr><td rowspan='99999' colspan='-1'>a</td><td colspan='abc' rowspan='1e9'>1</td>"
                       "<td colspan='99999999999999999999'>2</td></tr></table>"), id="absurd-spans"),
    pytest.param(_html("<td>1</td><tr><td>2</td></tr><th>3"), id="cells-outside-tables"),
    pytest.param(_html("<table><tr><td><table><tr><td>" * 60 + "1" + "</td></tr></table>" * 60), id="nested-tables"),
    pytest.param(_html("<script>" + "x" * 100_000), id="unclosed-script"),
    pytest.param(_html("<svg><foreignObject><table><tr><td>1</td></tr></table></foreignObject></svg>"), id="svg"),
    pytest.param(_html("<p>2023年度政府信息公开工作年度报告</p>" + "<p>共发布政府信息" + "1" * 5000 + "条</p>"),
                 id="narrative-5000-digits"),
    pytest.param(_html("<p>2023年度政府信息公开工作年度报告</p><p>本机关收取信息处理费" + "1" * 5000 + "元</p>"),
                 id="narrative-fee-5000-digits"),
    pytest.param(_html("<p>2023年度政府信息公开工作年度报告</p>" + "<p>共发布政府信息" + "9" * 400 + ".5条</p>"),
                 id="narrative-inf"),
    pytest.param(_sec3("1" * 5000), id="cell-5000-digits"),
    pytest.param(_sec3("9" * 400 + ".5"), id="cell-400-digit-float"),
    pytest.param(_sec3("1e999"), id="cell-exponent"),
    pytest.param(_sec3("１２３４５"), id="cell-fullwidth-digits"),
    pytest.param(_sec3("١٢٣"), id="cell-arabic-digits"),
    pytest.param(_sec3("-0"), id="cell-minus-zero"),
    pytest.param(_sec3("1,2,3,4"), id="cell-commas"),
    pytest.param("机(jī)关(guān)" .encode() * 1000, id="pinyin-storm"),
    pytest.param(("國會這個們說時來對與開關資數應於書長門問間條經處發務體" * 2000).encode(), id="traditional-storm"),
    pytest.param(b"|" * 100_000, id="text-pipes"),
    pytest.param(("a|" * 5000 + "\n") .encode() * 20, id="text-wide-pipe-rows"),
    pytest.param(b"%PDF-1.7\n" + b"\x00\xff" * 1000, id="pdf-garbage"),
    pytest.param(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                 b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 -5 1e30]/Contents 4 0 R>>endobj\n"
                 b"4 0 obj<</Length 99999>>stream\nBT /F1 12 Tf (x) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R>>",
                 id="pdf-handmade-broken"),
    pytest.param(b"%PDF-1.4\n" + b"1 0 obj<</Type/Pages/Kids[1 0 R]/Count 1>>endobj\ntrailer<</Root 1 0 R>>", id="pdf-page-loop"),
    pytest.param(b"%PDF", id="pdf-magic-only"),
    pytest.param("pdf:/Kids[->/ids[", id="pdf-malformed-page-tree"),
    pytest.param(b"PK\x03\x04" + b"\xff" * 1000, id="zip-garbage"),
    pytest.param(b"PK\x03\x04", id="zip-magic-only"),
    pytest.param(_zip({"hello.txt": b"x"}), id="zip-not-office"),
    pytest.param(_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document><w:body>"}),
                 id="docx-broken-xml"),
    pytest.param(_zip({"[Content_Types].xml": b"\xff\xfe garbage", "xl/workbook.xml": b"garbage"}), id="xlsx-garbage"),
    pytest.param(OLE + b"\xff" * 1000, id="ole-garbage"),
    pytest.param(OLE, id="ole-magic-only"),
    pytest.param(OLE + b"\x00" * 4096, id="ole-zeros"),
    # structure that asks a reader for far more than the file holds (the big ones run in a child: test_bounded.py)
    pytest.param(_xlsx(f'<row r="1">{_c("A1", "标题")}</row>', ["A1:XFD1"]), id="xlsx-whole-row-merge"),
    pytest.param(_xlsx(f'<row r="1">{_c("A1", "标题")}</row>', ["A1:A1048576"]), id="xlsx-whole-column-merge"),
    pytest.param(_xlsx(f'<row r="1">{_c("A1", "标题")}</row>', ["A1:IV1000"]), id="xlsx-merge-over-the-window"),
    pytest.param(_xlsx(f'<row r="1">{_c("A1", "x")}</row>', ["B2:A1", "A0:B0", "XFE1:A1", "1:2", "A1:", ":", "",
                                                            "ZZZZ1:A1", "A1:B99999999"]), id="xlsx-bad-merge-refs"),
    pytest.param(_xlsx(f'<row r="1">{_c("XFD1", "远")}</row><row r="2">{_c("A1048576", "低")}{_c("A2", "1")}</row>'),
                 id="xlsx-cell-refs-outside-their-row"),
    pytest.param(_xlsx(f'<row r="9">{_c("A9", "9")}</row><row r="2">{_c("A2", "2")}</row><row r="x"><c><v>1</v></c></row>'
                       '<row r="-4"><c r="A-4"><v>1</v></c></row><row><c r=""><v>2</v></c><c r="$B$3"><v>3</v></c></row>'),
                 id="xlsx-rows-out-of-order-and-bad-refs"),
    pytest.param(_xlsx("<row><c><v>1</v></c>" + "<c/>" * 20_000 + "<c><v>2</v></c></row>"), id="xlsx-row-of-empty-cells"),
    pytest.param(_xlsx(f'<row r="1">{_c("A1", "一" * 200_000)}</row>'), id="xlsx-huge-inline-string"),
    pytest.param(_docx("<w:tbl><w:tr>" + _tc("a", '<w:gridSpan w:val="-5"/><w:vMerge w:val="bogus"/>')
                       + _tc("b", '<w:gridSpan w:val="99999999999999999999"/><w:hMerge/>') + "</w:tr></w:tbl>"),
                 id="docx-absurd-spans"),
    pytest.param(_docx("<w:tbl>" + ("<w:tr>" + _tc("", "<w:vMerge/>") * 50 + "</w:tr>") * 200 + "</w:tbl>"),
                 id="docx-table-of-continuations"),
    pytest.param(_docx(("<w:tbl><w:tr><w:tc>" + _p("x")) * 70 + "</w:tc></w:tr></w:tbl>" * 70), id="docx-nested-70"),
    pytest.param(_docx(("<w:tbl><w:tr><w:tc>" + _p("x")) * 200 + "</w:tc></w:tr></w:tbl>" * 200), id="docx-nested-200"),
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hand_made_hostile_input(data: bytes | str) -> None:
    if isinstance(data, str):  # "pdf:<old>-><new>": the real PDF with one edit
        old, new = data.removeprefix("pdf:").split("->")
        source = real_pdf()
        assert old.encode() in source
        data = source.replace(old.encode(), new.encode(), 1)
    parse(data)


@pytest.mark.parametrize("data, kw", [
    pytest.param(b"\x89PNG\r\n\x1a\n", {"filename": "r.pdf"}, id="png-named-pdf"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00", {"content_type": "application/pdf"},
                 id="png-served-as-pdf"),
    pytest.param(b"GIF89a\xff\xb7\x9d\xc77}=\x01\xaa\x89", {"filename": "r.pdf"},
                 id="gif-named-pdf"),
    pytest.param(b"<html><body><p>x</p></body></html>", {"filename": "r.pdf"}, id="html-named-pdf"),
    pytest.param(b"hello", {"content_type": "application/pdf"}, id="text-served-as-pdf"),
])
def test_bytes_that_are_not_what_their_name_says(data: bytes, kw: dict) -> None:
    parse(data, **kw)


def test_hostile_input_with_every_hint_and_content_type() -> None:
    data = _sec3("12")
    for ctype in CONTENT_TYPES:
        for name in FILENAMES:
            parse(data, content_type=ctype, filename=name, url="http://x/\x00",
                  hints=Hints(site="\x00", agency="市" * 500, region="区" * 500, title="\ufffd" * 100,
                              published_at="9999-99-99"))


def test_empty_input_is_a_typed_error() -> None:
    r = parse(b"")
    assert r.ok is False and "empty" in r.error


def test_a_lone_doctype_is_a_typed_error_not_a_parser_crash() -> None:
    # lxml raises ParserError("Document is empty") on markup without an element; etl.document maps it to no rows
    r = parse(b"<!DOCTYPE html>")
    assert r.ok is False and r.error == "no text found in the document"


def test_a_cell_with_thousands_of_digits_is_text_not_a_crash() -> None:
    # int() refuses more than 4,300 digits; etl.normalize reads a cell of more than 18 digits as text
    r = parse(_sec3("1" * 5000))
    assert r.ok and not [v for v in r.values if v.metric == "requests.new"]
    good = parse(_sec3("12"))
    assert [v.value for v in good.values if v.metric == "requests.new"] == [12] * 7


def test_a_meta_charset_naming_a_non_text_codec_is_ignored() -> None:
    r = parse(_html("<p>政府信息公开</p>", "<meta charset='hex'>"))
    assert r.decoding == "sniff:utf-8"
    assert not r.ok and r.not_report  # decoded, and read as what it is: a page that is not a report


def test_broken_real_documents_keep_the_contract() -> None:
    """Each real PDF/DOCX/XLSX of a generated report cut at several points, and with a damaged middle."""
    for data in (real_pdf(), real_docx(), real_xlsx()):
        n = len(data)
        assert parse(data).ok  # the intact document parses
        for cut in (8, 100, n // 3, n // 2, n - 20):
            parse(data[:cut])
        mid = n // 2
        parse(data[:mid] + b"\x00" * 512 + data[mid + 512:])
        parse(data[:mid] + bytes(reversed(data[mid:mid + 4096])) + data[mid + 4096:])


# --- hypothesis ---------------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(CONTENT_TYPES), st.sampled_from(FILENAMES))
def test_random_bytes(data: bytes, ctype: str | None, name: str | None) -> None:
    parse(data, content_type=ctype, filename=name)


@FUZZ
@given(st.sampled_from(PREFIXES), st.binary(max_size=4096))
def test_magic_prefix_with_garbage(prefix: bytes, rest: bytes) -> None:
    parse(prefix + rest)


@st.composite
def mutated(draw: st.DrawFn, source: bytes) -> bytes:
    """`source` truncated, with byte ranges deleted, duplicated, overwritten or inserted."""
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 4))):
        n = len(data)
        if n == 0:
            break
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(i, min(n, i + 2048)))
        op = draw(st.sampled_from(["truncate", "delete", "duplicate", "overwrite", "insert"]))
        if op == "truncate":
            del data[i:]
        elif op == "delete":
            del data[i:j]
        elif op == "duplicate":
            data[j:j] = data[i:j] * draw(st.integers(1, 20))
        elif op == "overwrite":
            data[i:j] = draw(st.binary(min_size=j - i, max_size=j - i))
        else:
            data[i:i] = draw(st.binary(min_size=1, max_size=256))
    return bytes(data)


@FUZZ
@given(st.data())
def test_garbled_real_html_pages(data: st.DataObject) -> None:
    page, ctype = data.draw(st.sampled_from(pages()))
    parse(data.draw(mutated(page)), content_type=data.draw(st.sampled_from([ctype, None, "text/html; charset=gbk"])))


@FEW
@given(st.data())
def test_garbled_real_pdf(data: st.DataObject) -> None:
    parse(data.draw(mutated(real_pdf())), filename=data.draw(st.sampled_from(["r.pdf", None])))


@FEW
@given(st.data())
def test_garbled_real_office_files(data: st.DataObject) -> None:
    source = data.draw(st.sampled_from([real_docx(), real_xlsx()]))
    parse(data.draw(mutated(source)))


# Random markup from the pieces reports are made of: table structure, spans with absurd values, labels of the
# templates, numbers in every form, encodings' favourite troublemakers.
_WORDS = st.sampled_from([
    "一、本年新收政府信息公开申请数量", "三、收到和处理政府信息公开申请情况", "自然人", "总计", "行政复议", "行政诉讼",
    "第二十条第（一）项", "信息内容", "统计指标", "单位", "统计数", "主动公开政府信息数", "条", "件", "万元", "其中：",
    "（一）", "1.", "—", "/", "无", "12", "1,234", "7700余", "0.5", "-3", "１２", "2023年", "发布日期：2024-01-12",
    "国务院办公厅", "市商务局", "機關", "jī", "\u200b", "\u3000", "\xa0", "\ufffd", "&nbsp;", "&#0;", "&#xD800;", "&bogus;",
    "]]>", "<!--", "-->", "\\", "'", '"', "|",
])
_ATTR_VALUES = st.sampled_from(["1", "0", "-1", "99999", "2147483648", "abc", "", "1.5", "1e9", " 2 ", "３"])
_TAGS = st.sampled_from(["table", "tr", "td", "th", "tbody", "thead", "p", "div", "span", "br", "b", "font", "h1",
                          "ul", "li", "caption", "colgroup", "script", "style", "title", "meta", "iframe", "svg",
                          "math", "select", "option", "template", "noscript", "section", "article", "img"])


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        tag = draw(_TAGS)
        attrs = ""
        for name in draw(st.lists(st.sampled_from(["rowspan", "colspan", "class", "id", "charset", "style"]), max_size=3)):
            value = draw(st.sampled_from(["zoom", "nr", "content_text"])) if name in ("class", "id") else draw(_ATTR_VALUES)
            attrs += f' {name}="{value}"'
        inner = "".join(draw(st.lists(children, max_size=6)))
        close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}", "</td>", "</table>"]))
        return f"<{tag}{attrs}>{inner}{close}"

    return build()


MARKUP = st.recursive(_WORDS, _element, max_leaves=40)


@FUZZ
@given(st.lists(MARKUP, min_size=1, max_size=8), st.sampled_from(["utf-8", "gb18030", "utf-16"]),
       st.sampled_from(CONTENT_TYPES))
def test_random_markup(parts: list[str], encoding: str, ctype: str | None) -> None:
    html = "<html><head><title>2023年政府信息公开工作年度报告</title></head><body>" + "".join(parts) + "</body></html>"
    parse(html.encode(encoding, "replace"), content_type=ctype)


@FUZZ
@given(st.text(max_size=400), st.sampled_from(["utf-8", "gb18030", "big5", "utf-16", "latin-1"]),
       st.sampled_from(CONTENT_TYPES))
def test_random_text_in_any_encoding(text: str, encoding: str, ctype: str | None) -> None:
    parse(text.encode(encoding, "replace"), content_type=ctype)
