"""Unit tests of the pure parsing pieces: decoding, normalisation, numbers, label matching, bad input."""

from __future__ import annotations

import pytest

from etl.decode import decode_bytes
from etl.labels import LabelIndex
from etl.model import APPLICANTS
from etl.normalize import Number, label_key, normalize_text, parse_cell_number, strip_pinyin, to_unit
from etl.parse import parse_document

PAGE = '<html><head>{meta}<title>政府信息公开</title></head><body><p>镕喆堃 主动公开政府信息1234条</p></body></html>'


@pytest.mark.parametrize(
    ("meta", "encoding", "expect"),
    [
        ('<meta charset="utf-8">', "utf-8", "utf-8"),
        ("", "utf-8", "utf-8"),
        ('<meta charset="gb2312">', "gbk", "gb18030"),
        ("", "gbk", "gb18030"),
        ('<meta charset="utf-8">', "gbk", "gb18030"),  # the lying meta Scrapy's response.text trusts
    ],
)
def test_decode_page_kinds(meta, encoding, expect):
    page = PAGE.format(meta=meta)
    text, enc, _ = decode_bytes(page.encode(encoding), "text/html")
    assert enc == expect
    assert text == page  # GBK-only characters (镕喆堃) survive


@pytest.mark.parametrize("snippet", ["<title>政府信息公开</title>", "<p>主动公开</p>", "<p>镕</p>"])
def test_decode_short_gbk_pages_without_charset(snippet):
    # charset-normalizer guesses cp949/big5 for these; strict gb18030 gets them right
    text, enc, method = decode_bytes(snippet.encode("gbk"))
    assert (text, enc, method) == (snippet, "gb18030", "sniff")


def test_decode_utf8_behind_gbk_header():
    text, enc, _ = decode_bytes("<p>申请人情况</p>".encode(), "text/html; charset=gbk")
    assert (text, enc) == ("<p>申请人情况</p>", "utf-8")


def test_normalize_traditional_and_pinyin():
    text, steps = normalize_text("發(fā)布機構(gòu):市行政審批局 統(tǒng)計數(shù)據(jù)")
    assert text == "发布机构:市行政审批局 统计数据"
    assert steps == ["pinyin", "t2s"]
    assert strip_pinyin("Ma(mǎ) Li") == "Ma(mǎ) Li"  # only after a Chinese character


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("0", Number(0, None, False)),
        ("1,234", Number(1234, None, False)),
        ("１２３", Number(123, None, False)),
        ("-18", Number(-18, None, False)),
        ("251000元", Number(251000, "元", False)),
        ("24252.311082", Number(24252.311082, None, False)),
        ("7700余", Number(7700, None, True)),
        ("78 967", Number(78967, None, False)),
        ("", None), ("—", None), ("-", None), ("/", None), ("\u00a0", None),
        ("规章", "text"),
    ],
)
def test_cell_numbers(cell, expected):
    assert parse_cell_number(cell) == expected


def test_money_units():
    assert to_unit(Number(251000, "元", False), "万元") == 25.1
    assert to_unit(Number(5.01, None, False), "万元") == 5.01


def test_label_matching_tolerates_ordinals_instructions_and_typos():
    idx = LabelIndex([(1, ["（一）维持具体行政行为或者驳回原告诉讼请求数"]), (2, ["规章"]), (3, ["2.其他法律行政法规禁止公开"])])
    assert [e.payload for e in idx.match("(一)维持具有行政行为或者驳回原告诉讼请求数")] == [1]  # one wrong character
    assert [e.payload for e in idx.match("规章(设区的市、自治州人民政府应提供相关数据)")] == [2]  # instructions
    assert [e.payload for e in idx.match("2、其他法律行政法规禁止公开")] == [3]
    assert [e.payload for e in idx.match("2.其他法律法规禁止公开")] == []  # two characters dropped: too far
    assert label_key("（二） 部分公开") == "(二)部分公开"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "empty document"),
        (b"%PDF-1.7\n%\xe2\xe3", "broken PDF: Failed to open stream"),
        (b"PK\x03\x04\x14\x00", "broken or truncated zip/office file (File is not a zip file)"),
        (b"\x00\x01\x02\x03binary\x00", "binary data, not a text or HTML document"),
        (b"   \n\t  ", "no text found in the document"),
    ],
)
def test_bad_input_gives_typed_errors(data, error):
    r = parse_document(data, input="x")
    assert (r.ok, r.error) == (False, error)


def test_hybrid_2021_section_two_with_2019_section_three():
    rows = ["第二十条第(一)项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章", "1", "0", "3",
            "三、收到和处理政府信息公开申请情况", "申请人情况"]
    matrix = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开", "（二）部分公开",
              "1.属于国家秘密", "（六）其他处理", "（七）总计", "四、结转下年度继续办理"]
    numbers = {"一、本年新收政府信息公开申请数量": 2, "二、上年结转政府信息公开申请数量": 1, "（一）予以公开": 1,
               "（二）部分公开": 1, "1.属于国家秘密": 0, "（六）其他处理": 1, "（七）总计": 3, "四、结转下年度继续办理": 0}
    lines = list(rows)
    for label in matrix:
        lines.append(label)
        n = numbers[label]
        lines.extend([str(n)] + ["0"] * 5 + [str(n)])
    text = "某某县某某局2023年政府信息公开工作年度报告\n" + "\n".join(lines)
    r = parse_document(text.encode(), input="hybrid.txt")
    assert r.report.section_formats == {"二": "2021", "三": "2019"}
    assert r.report.format == "2021"
    got = {v.key: v.value for v in r.values}
    assert got[("active.regulation.in_force", None, "year")] == 3
    assert got[("requests.result.other", "natural_person", "year")] == 1
    assert got[("requests.result.total", "total", "year")] == 3
    assert not [i for i in r.issues if i.severity == "error"]


def test_unbalanced_matrix_is_flagged_not_fixed():
    lines = ["申请人情况"]
    for label, n in (("一、本年新收政府信息公开申请数量", 5), ("二、上年结转政府信息公开申请数量", 0),
                     ("（一）予以公开", 4), ("（七）总计", 4), ("四、结转下年度继续办理", 0)):
        lines += [label, str(n)] + ["0"] * 5 + [str(n)]
    r = parse_document(("2022年政府信息公开工作年度报告\n" + "\n".join(lines)).encode(), input="x.txt")
    got = {v.key: v.value for v in r.values}
    assert got[("requests.result.total", "total", "year")] == 4  # printed value kept
    checks = {(i.check, i.applicant) for i in r.issues if i.severity == "error"}
    assert ("requests.balance", "natural_person") in checks and ("requests.balance", "total") in checks


# --- report metadata (etl/meta.py) ------------------------------------------------------------------------

def test_empty_field_does_not_swallow_the_next_key():
    from etl.meta import _fields

    assert _fields(["来源： 时间：2016-03-16 15:45"]) == {"时间": ["2016-03-16 15:45"]}
    assert _fields(["来源：平潭县旅游局 时间：2012-05-15"]) == {"来源": ["平潭县旅游局"], "时间": ["2012-05-15"]}
    assert _fields(["发布机构: | 市商务局 | 成文日期: | 2014-03-14 |"]) == {"发布机构": ["市商务局"], "成文日期": ["2014-03-14"]}


_SHORT_TITLE = "财金局2016年政府信息公开年度报告\n2016年我局主动公开政府信息86条。\n"
_PINGTAN = ("平潭综合实验区财政金融局", "350128")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the signature line near the end prints the full name (title: 财金局, no area)
        (_SHORT_TITLE + "平潭综合实验区财政金融局\n2017年1月13日\n", _PINGTAN),
        # the opening paragraphs do
        ("财金局2016年政府信息公开年度报告\n开展政府信息公开工作是平潭综合实验区财政金融局认真贯彻落实《条例》的重要举措。\n"
         "2016年我局主动公开政府信息86条。\n", _PINGTAN),
        # 委 ~ 委员会
        ("发改委2016年政府信息公开年度报告\n2016年我委主动公开政府信息86条。\n衢州市发展和改革委员会\n2017年1月13日\n",
         ("衢州市发展和改革委员会", "330800")),
        # no name with an area that holds 财…金…局 in order: the short name stays
        (_SHORT_TITLE + "平潭综合实验区交通与建设局\n2017年1月13日\n", ("财金局", None)),
        (_SHORT_TITLE + "财政金融局\n2017年1月13日\n", ("财金局", None)),
    ],
)
def test_short_agency_takes_the_full_name_the_page_prints(text, expected):
    r = parse_document(text.encode(), input="x.txt")
    assert (r.report.agency, r.report.region and r.report.region.code) == expected


def test_short_agency_full_name_from_the_breadcrumb():
    body = "<p>2016年我局主动公开政府信息86条，未收到政府信息公开申请。</p>" * 3
    page = ("<html><head><title>财金局2016年政府信息公开年度报告</title></head><body>"
            "<div>当前位置：</div><div>首页</div><div>平潭综合实验区财政金融局</div>"
            f"<div>来源： 时间：2017-01-13 09:33</div><div class='content'>{body}</div></body></html>")
    r = parse_document(page.encode(), input="x.html", content_type="text/html")
    assert (r.report.agency, r.report.region.code, r.report.published_at) == (*_PINGTAN, "2017-01-13")


# --- plain text and blank rows (etl/document.py, etl/mapping/) ------------------------------------------------

_PIPE_REPORT = """某某市人民政府2021年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | || 申请人情况 | ||||||
自然人 | 法人或其他组织 | |||| 总计 |
商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |
一、本年新收政府信息公开申请数量 | || 174 | 26 | 1 | 0 | 5 | 5 | 211 |
二、上年结转政府信息公开申请数量 | || | 0 | 1 | 1 | 1 | 1 | 4 |
三、本年度办理结果 | （一）予以公开 | | 69 | 9 | 2 | 0 | 0 | 3 | 83 |
（七）总计 | | 174 | 26 | 2 | 1 | 6 | 6 | 215 |
四、结转下年度继续办理 | || 0 | 0 | 0 | 0 | 0 | 0 | 0 |
四、政府信息公开行政复议、行政诉讼情况
行政复议 | |||| 行政诉讼 | |||||||||
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | |||| 复议后起诉 | ||||
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| 1 | 0 | 0 | 3 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |
"""


def test_pipe_text_span_fillers_line_up_with_the_header():
    # `label | ||` is a label spanning three columns (two bare `|` fillers), `label | |` one spanning two; a bare
    # `|` where the header has a data column is a cell printed blank
    r = parse_document(_PIPE_REPORT.encode(), input="pipe.txt")
    got = {v.key: v.value for v in r.values}
    new = [got[("requests.new", a, "year")] for a in APPLICANTS]
    assert new == [174, 26, 1, 0, 5, 5, 211]
    assert [got[("requests.carried_over", a, "year")] for a in APPLICANTS] == [None, 0, 1, 1, 1, 1, 4]
    assert got[("requests.result.disclosed", "total", "year")] == 83
    assert got[("requests.result.total", "natural_person", "year")] == 174
    assert got[("requests.carried_forward", "total", "year")] == 0
    sec4 = {k[0]: v for k, v in got.items() if k[0].startswith(("review.", "litigation."))}
    assert len(sec4) == 15  # section 四 detected, its data row read whole, the leading blank kept in place
    assert (sec4["review.upheld"], sec4["review.corrected"], sec4["review.total"]) == (None, 1, 3)
    assert (sec4["litigation.direct.upheld"], sec4["litigation.direct.total"]) == (1, 1)
    assert r.report.section_formats["四"] == "2021"


def test_pipe_text_value_span_and_blank_value_in_section_two():
    text = ("某某局2021年政府信息公开工作年度报告\n第二十条第（五）项 | |||\n信息内容 | 本年处理决定数量 | ||\n"
            "行政许可 | 2281 | ||\n其他对外管理服务事项 | |||\n")
    got = {v.key: v.value for v in parse_document(text.encode(), input="x.txt").values}
    assert got[("active.licensing.decisions", None, "year")] == 2281  # `2281 | ||`: a value spanning three columns
    assert got[("active.other_service.decisions", None, "year")] is None  # spanned and printed blank


def test_one_cell_per_line_statistical_table_reads_the_unit_column():
    cells = ["指标名称", "计量单位", "2013年度", "历年累计", "一、主动公开数量", "条", "301", "1200",
             "（一）依申请方式", "1.当面申请数", "件", "2.传真申请数", "件", "3", "3"]
    text = "某某县商务局2013年政府信息公开工作年度报告\n\n附件：\n\n" + "".join(f"{c} \n\n" for c in cells)
    r = parse_document(text.encode(), input="lines.txt")
    got = {v.key: v.value for v in r.values if v.source.kind == "table"}
    assert got == {
        ("active.total", None, "year"): 301, ("active.total", None, "cumulative"): 1200,
        # a unit with no figure after it: the row's cells were printed blank
        ("requests.channel.in_person", None, "year"): None, ("requests.channel.in_person", None, "cumulative"): None,
        ("requests.channel.fax", None, "year"): 3, ("requests.channel.fax", None, "cumulative"): 3,
    }  # fmt: skip
    assert r.report.format == "local"


@pytest.mark.parametrize(
    ("line", "cell"),
    [("-3", "-3"), ("-", "-"), ("- 3", "- 3"), ("- 政策解读", "政策解读"), ("• 一是加强", "一是加强"), ("·二是", "二是"),
     ("* 注", "注")],
)
def test_text_line_bullet_is_never_a_sign_or_a_dash_cell(line, cell):
    from etl.document import text_doc

    assert [r.cells for r in text_doc(f"{line}\n").rows] == [[cell]]


def test_html_blank_table_row_is_kept_spacer_dropped():
    from etl.document import html_doc

    sec4 = ("<table><tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr>"
            "<tr><td colspan=15></td></tr><tr></tr>" + "<tr>" + "<td>&nbsp;</td>" * 15 + "</tr></table>")
    rows = [r.cells for r in html_doc(f"<html><body><div id='zoom'>{sec4}</div></body></html>").rows]
    assert rows == [["行政复议", "行政诉讼"], [""] * 15]
    page = f"<html><body><div id='zoom'><p>2022年政府信息公开工作年度报告</p>{sec4}</div></body></html>"
    got = {v.key[0]: v.value for v in parse_document(page.encode(), input="x.html").values}
    assert got == {m: None for m in got} and len(got) == 15  # section 四 printed blank: 15 null values
