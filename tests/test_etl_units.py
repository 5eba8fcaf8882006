"""Unit tests of the pure parsing pieces: decoding, normalisation, numbers, label matching, bad input."""

from __future__ import annotations

import pytest

from etl.decode import decode_bytes
from etl.labels import LabelIndex
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
