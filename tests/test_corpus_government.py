"""Real 平潭 pages of ../shared/corpus (HTML as served by www.pingtan.gov.cn), read by hand: 2013 (县人民政府 and
综合实验区), 2014, 2016 and 2018 (Fujian local table with a 历年累计 column), 2023 and 2024 (2021 format).

Every number of every statistics table is written out here as read from the HTML and checked with the table's own
arithmetic (channel and answer rows against their totals, section 三 rows and columns, section 四 totals). Section 三
matrices are "all zero except" the printed non-zero cells. Prose figures are asserted where the page states them
unambiguously: as `text` values when no table prints the metric, otherwise as agreement (no `narrative.mismatch`) or
as the disagreement the parser must flag (the table wins).
"""

from __future__ import annotations

from corpus_util import CE, NP, SEC3_2021, SEC4, C, Y
from corpus_util import matrix as _matrix
from corpus_util import parse_page as _parse
from corpus_util import table_values as _table

from etl.model import ParseResult

LOCAL = {"统计表": "local"}
F2021 = {"二": "2021", "三": "2021", "四": "2021"}


def _local(rows: dict[str, tuple[object, object]]) -> dict[tuple, object]:
    """A Fujian local table: metric -> (本年度, 历年累计)."""
    return {(m, None, Y): y for m, (y, _) in rows.items()} | {(m, None, C): c for m, (_, c) in rows.items()}


def _meta(r: ParseResult) -> tuple:
    rep = r.report
    assert rep is not None
    code = rep.region.code if rep.region is not None else None
    return (rep.title, rep.agency, code, rep.report_year, rep.published_at, rep.format, rep.section_formats)


def _text(r: ParseResult) -> dict[tuple, object]:
    return {v.key: v.value for v in r.values if v.source.kind == "text"}


def _squash(s: str | None) -> str | None:
    return None if s is None else "".join(s.split())


def _unmapped(r: ParseResult) -> set[tuple]:
    """Unmapped cells as (row, column, text), whitespace inside labels ignored (the exact labels are asserted in the
    `_labels` tests, so that a spacing bug does not hide a missing or wrongly mapped row)."""
    return {(_squash(c.row), _squash(c.column), c.text) for c in r.unmapped}


def _labels(r: ParseResult) -> dict[tuple, tuple]:
    """Every table value and unmapped cell -> its printed (row, column) labels, exactly as parsed."""
    out = {v.key: (v.source.row, v.source.column) for v in r.values if v.source.kind == "table"}
    return out | {("unmapped", c.row, c.column): (c.row, c.column) for c in r.unmapped}


def _local_labels(year_column: str, rows: dict[str, str], unmapped: tuple[str, ...] = ()) -> dict[tuple, tuple]:
    out = {(m, None, Y): (row, year_column) for m, row in rows.items()}
    out |= {(m, None, C): (row, "历年累计") for m, row in rows.items()}
    return out | {("unmapped", row, col): (row, col) for row in unmapped for col in (year_column, "历年累计")}


def _mismatches(r: ParseResult) -> set[tuple]:
    """(metric, prose figure, table figure) of every narrative.mismatch issue."""
    return {(i.details["table_metric"], i.details["text"], i.details["table"])
            for i in r.issues if i.check == "narrative.mismatch"}


def _errors(r: ParseResult) -> list:
    return [i for i in r.issues if i.severity == "error"]


def _printed(r: ParseResult, key: tuple) -> tuple[str, str]:
    """(source kind, printed text) of one value; its labels are asserted in the `_labels` tests."""
    v = next(v for v in r.values if v.key == key)
    return (v.source.kind, v.source.text)


# ---------------------------------------------------------------------------------------------------------------
# 80754 平潭县人民政府 2013: local table (2011 layout, six request channels). 附件1 统计表.
# Checks: 受理 7 = 0+0+3+4+0+0 (cum 28 = 18+0+6+4+0+0); 答复 3 = 2+1+0 (cum 24 = 19+3+2).

def test_80754_county_2013_metadata(shared_dir):
    r = _parse(shared_dir, "80754_")
    # printed 平潭县人民政府; the project's full name of a county body carries its city (parse._canonical_agency)
    assert _meta(r) == ("平潭县人民政府2013年政府信息公开工作年度报告", "福州市平潭县人民政府", "350128", 2013,
                        "2014-01-22", "local", LOCAL)


def test_80754_county_2013_table(shared_dir):
    r = _parse(shared_dir, "80754_")
    assert _table(r) == _local({
        "active.total": (1853, 5395), "active.channel.website": (1713, 5017), "active.channel.gazette": (0, 7),
        "requests.received": (7, 28), "requests.channel.in_person": (0, 18), "requests.channel.fax": (0, 0),
        "requests.channel.email": (3, 6), "requests.channel.online": (4, 4), "requests.channel.letter": (0, 0),
        "requests.channel.other": (0, 0), "requests.answered": (3, 24), "requests.answer.disclosed": (2, 19),
        "requests.answer.partially_disclosed": (1, 3), "requests.answer.withheld": (0, 2),
        "review.total": (0, 0), "litigation.total": (0, 0), "appeals.total": (0, 0),
    })
    assert _unmapped(r) == set()
    assert _errors(r) == []
    assert _printed(r, ("requests.channel.email", None, Y)) == ("table", "3")


def test_80754_county_2013_labels(shared_dir):
    r = _parse(shared_dir, "80754_")
    assert _labels(r) == _local_labels("2013年度", {
        "active.total": "主动公开信息数", "active.channel.website": "其中：1.网站公开",
        "active.channel.gazette": "2.政府公报公开", "requests.received": "受理依申请公开信息总数",
        "requests.channel.in_person": "其中：1.当面申请数", "requests.channel.fax": "2.传真申请数",
        "requests.channel.email": "3.电子邮件申请数", "requests.channel.online": "4.网上申请数",
        "requests.channel.letter": "5.信函申请数", "requests.channel.other": "6.其它形式申请数",
        "requests.answered": "对申请的答复数", "requests.answer.disclosed": "其中：1.同意公开答复数",
        "requests.answer.partially_disclosed": "2.同意部分公开答复数", "requests.answer.withheld": "3.否决公开答复数",
        "review.total": "行政复议数", "litigation.total": "行政诉讼数", "appeals.total": "行政申诉数",
    })


def test_80754_county_2013_prose_values(shared_dir):
    # Every headline figure of the prose is also printed in the table (主动公开政府信息1853条, 收到…申请7条,
    # 答复总数3条, 未收到…行政复议申请): none stands as a text value.
    r = _parse(shared_dir, "80754_")
    assert _text(r) == {}


def test_80754_county_2013_prose_agrees_with_table(shared_dir):
    # 其中主动公开政府信息1853条 = table 1853. The prose channel split (网上3, 信函4) and '其它公开答复数1条'
    # contradict the table (电子邮件3, 网上4, 信函0; 同意部分公开1) but the parser has no channel rules: not asserted.
    r = _parse(shared_dir, "80754_")
    assert _mismatches(r) == set()


# ---------------------------------------------------------------------------------------------------------------
# 80759 平潭综合实验区 2013: local table (five channels, 件 for the last three rows, 政府公报 历年累计 printed blank,
# a combined 行政申诉、举报数 row that no catalog code means). Checks: all request rows 0.

def test_80759_zone_2013_metadata(shared_dir):
    r = _parse(shared_dir, "80759_")
    # PubDate meta and the page's 时间 say 2014-01-10 (the report is dated 二○一四年一月十日; the URL says 20140324)
    assert _meta(r) == ("平潭综合实验区2013年政府信息公开工作年度报告", "平潭综合实验区管委会", "350128", 2013,
                        "2014-01-10", "local", LOCAL)


def test_80759_zone_2013_table(shared_dir):
    r = _parse(shared_dir, "80759_")
    zero = dict.fromkeys((
        "requests.received", "requests.channel.in_person", "requests.channel.fax", "requests.channel.email",
        "requests.channel.online", "requests.channel.letter", "requests.answered", "requests.answer.disclosed",
        "requests.answer.partially_disclosed", "requests.answer.withheld", "review.total", "litigation.total",
    ), (0, 0))
    assert _table(r) == _local({
        "active.total": (72804, 76424), "active.channel.website": (72804, 76424),
        "active.channel.gazette": (0, None),  # 历年累计 cell printed &nbsp;
    } | zero)
    assert _errors(r) == []


def test_80759_zone_2013_unmapped_row(shared_dir):
    # 行政申诉、举报数 counts appeals and complaints together: neither appeals.total (行政申诉数) nor complaints.total
    r = _parse(shared_dir, "80759_")
    assert _unmapped(r) == {("行政申诉、举报数", "2013年度", "0"), ("行政申诉、举报数", "历年累计", "0")}


def test_80759_zone_2013_labels(shared_dir):
    r = _parse(shared_dir, "80759_")
    assert _labels(r) == _local_labels("2013年度", {
        "active.total": "主动公开信息数", "active.channel.website": "其中：1、网站公开",
        "active.channel.gazette": "2、政府公报公开", "requests.received": "受理依申请公开信息总数",
        "requests.channel.in_person": "其中：1、当面申请数", "requests.channel.fax": "2、传真申请数",
        "requests.channel.email": "3、电子邮件申请数", "requests.channel.online": "4、网上申请数",
        "requests.channel.letter": "5、信函申请数", "requests.answered": "对申请的答复总数",
        "requests.answer.disclosed": "其中：1、同意公开答复数", "requests.answer.partially_disclosed": "2、同意部分公开答复数",
        "requests.answer.withheld": "3、否决公开答复数", "review.total": "行政复议数", "litigation.total": "行政诉讼数",
    }, unmapped=("行政申诉、举报数",))


def test_80759_zone_2013_prose_active_total_contradicts_table(shared_dir):
    # '2013年主动公开政府信息4970条' while the table prints 主动公开信息数 72804: the table wins, the disagreement is flagged.
    r = _parse(shared_dir, "80759_")
    assert ("active.total", 4970, 72804) in _mismatches(r)
    assert _text(r) == {}  # 未收到有关政府信息公开的申请 = table 0: no text value, no mismatch
    assert not {m for m in _mismatches(r) if m[0] == "requests.received"}


def test_80759_zone_2013_prose_review_contradicts_table(shared_dir):
    r = _parse(shared_dir, "80759_")
    assert _mismatches(r) == {("active.total", 4970, 72804), ("review.total", 1, 0)}


# ---------------------------------------------------------------------------------------------------------------
# 80791 平潭综合实验区管委会 2014: Fujian 2014–2018 local table (三 channels incl. 信函、传真, 其他类型答复数,
# 收费减免金额 in 元, a combined 接受行政诉讼、举报数 row). Checks: 受理 1 = 0+0+1; 答复 1 = 1+0+0+0;
# 历年累计 主动公开 78967 = 2013's 76424 + 2543.

LABELS_2014_2016 = {  # printed row labels of the 2014 and 2016 tables (2018 writes 1. for 1、)
    "active.total": "主动公开文件数", "active.channel.website": "其中：1、政府网站公开数",
    "active.channel.gazette": "2、政府公报公开数", "requests.received": "受理依申请公开信息总数",
    "requests.channel.in_person": "其中：1、当面申请数", "requests.channel.online": "2、网上申请数",
    "requests.channel.letter_fax": "3、信函、传真申请数", "requests.answered": "对申请的答复总数",
    "requests.answer.disclosed": "其中：1、同意公开答复数", "requests.answer.partially_disclosed": "2、同意部分公开答复数",
    "requests.answer.withheld": "3、不予公开答复数", "requests.answer.other": "4、其他类型答复数",
    "fees.waived": "政府信息公开收费减免金额", "review.total": "行政复议数",
    "litigation.total": "行政诉讼数",
}


def test_80791_zone_2014_metadata(shared_dir):
    r = _parse(shared_dir, "80791_")
    assert _meta(r) == ("平潭综合实验区管委会2014年度政府信息公开工作年度报告", "平潭综合实验区管委会", "350128", 2014,
                        "2015-01-02", "local", LOCAL)


def test_80791_zone_2014_table(shared_dir):
    r = _parse(shared_dir, "80791_")
    assert _table(r) == _local({
        "active.total": (2543, 78967), "active.channel.website": (2543, 78967), "active.channel.gazette": (0, 0),
        "requests.received": (1, 1), "requests.channel.in_person": (0, 0), "requests.channel.online": (0, 0),
        "requests.channel.letter_fax": (1, 1), "requests.answered": (1, 1), "requests.answer.disclosed": (1, 1),
        "requests.answer.partially_disclosed": (0, 0), "requests.answer.withheld": (0, 0),
        "requests.answer.other": (0, 0), "fees.waived": (0, 0), "review.total": (0, 0), "litigation.total": (0, 0),
    })
    assert _errors(r) == []
    assert _printed(r, ("requests.channel.letter_fax", None, Y)) == ("table", "1")


def test_80791_zone_2014_unmapped_row(shared_dir):
    r = _parse(shared_dir, "80791_")
    assert _unmapped(r) == {("接受行政诉讼、举报数", "2014年度", "0"), ("接受行政诉讼、举报数", "历年累计", "0")}


def test_80791_zone_2014_labels(shared_dir):
    r = _parse(shared_dir, "80791_")
    assert _labels(r) == _local_labels("2014年度", LABELS_2014_2016, unmapped=("接受行政诉讼、举报数",))


def test_80791_zone_2014_prose_agrees_with_table(shared_dir):
    # 主动公开政府信息 2543条, 收到…信函申请1条, 未收到…行政复议的申请 all agree with the table; the service hall's
    # '共受理申请121510件' is not an information request and must not be compared with 受理依申请公开信息总数 1.
    r = _parse(shared_dir, "80791_")
    assert _mismatches(r) == set()


def test_80791_zone_2014_prose_fees(shared_dir):
    r = _parse(shared_dir, "80791_")
    assert _text(r) == {("fees.request_fees", None, Y): 0}


# ---------------------------------------------------------------------------------------------------------------
# 80485 平潭综合实验区 2016: same local table as 2014, every request/review row 0.

def test_80485_zone_2016_metadata(shared_dir):
    r = _parse(shared_dir, "80485_")
    assert _meta(r) == ("平潭综合实验区2016年度政府信息公开工作年度报告", "平潭综合实验区管委会", "350128", 2016,
                        "2017-01-18", "local", LOCAL)


def test_80485_zone_2016_table(shared_dir):
    r = _parse(shared_dir, "80485_")
    zero = dict.fromkeys((
        "active.channel.gazette", "requests.received", "requests.channel.in_person", "requests.channel.online",
        "requests.channel.letter_fax", "requests.answered", "requests.answer.disclosed",
        "requests.answer.partially_disclosed", "requests.answer.withheld", "requests.answer.other", "fees.waived",
        "review.total", "litigation.total",
    ), (0, 0))
    assert _table(r) == _local({"active.total": (3460, 85376), "active.channel.website": (3460, 85376)} | zero)
    assert _errors(r) == []
    assert _printed(r, ("active.total", None, C)) == ("table", "85376")


def test_80485_zone_2016_unmapped_row(shared_dir):
    r = _parse(shared_dir, "80485_")
    assert _unmapped(r) == {("接受行政诉讼、举报数", "2016年度", "0"), ("接受行政诉讼、举报数", "历年累计", "0")}


def test_80485_zone_2016_labels(shared_dir):
    r = _parse(shared_dir, "80485_")
    assert _labels(r) == _local_labels("2016年度", LABELS_2014_2016, unmapped=("接受行政诉讼、举报数",))


def test_80485_zone_2016_prose_agrees_with_table(shared_dir):
    # 2016年全区主动公开政府信息3460条; 未收到有关政府信息公开申请; 未收到…行政复议、提起行政诉讼的申请: all = table
    r = _parse(shared_dir, "80485_")
    assert _mismatches(r) == set()


def test_80485_zone_2016_prose_fees(shared_dir):
    r = _parse(shared_dir, "80485_")
    assert _text(r) == {("fees.request_fees", None, Y): 0}


# ---------------------------------------------------------------------------------------------------------------
# 80529 平潭综合实验区 2018: local table without the 收费减免 row; 历年累计 rebased (12106 after 85376 in 2016).

def test_80529_zone_2018_metadata(shared_dir):
    r = _parse(shared_dir, "80529_")
    assert _meta(r) == ("平潭综合实验区2018年度政府信息公开工作年度报告", "平潭综合实验区管委会", "350128", 2018,
                        "2019-01-10", "local", LOCAL)


def test_80529_zone_2018_table(shared_dir):
    r = _parse(shared_dir, "80529_")
    zero = dict.fromkeys((
        "active.channel.gazette", "requests.received", "requests.channel.in_person", "requests.channel.online",
        "requests.channel.letter_fax", "requests.answered", "requests.answer.disclosed",
        "requests.answer.partially_disclosed", "requests.answer.withheld", "requests.answer.other",
        "review.total", "litigation.total",
    ), (0, 0))
    assert _table(r) == _local({"active.total": (2069, 12106), "active.channel.website": (2069, 12106)} | zero)
    assert _errors(r) == []


def test_80529_zone_2018_unmapped_row(shared_dir):
    r = _parse(shared_dir, "80529_")
    assert _unmapped(r) == {("接受行政诉讼、举报数", "2018年度", "0"), ("接受行政诉讼、举报数", "历年累计", "0")}


def test_80529_zone_2018_labels(shared_dir):
    r = _parse(shared_dir, "80529_")
    assert _labels(r) == _local_labels("2018年度", {
        "active.total": "主动公开文件数", "active.channel.website": "其中：1.政府网站公开数",
        "active.channel.gazette": "2.政府公报公开数", "requests.received": "受理依申请公开信息总数",
        "requests.channel.in_person": "其中：1.当面申请数", "requests.channel.online": "2.网上申请数",
        "requests.channel.letter_fax": "3.信函、传真申请数", "requests.answered": "对申请的答复总数",
        "requests.answer.disclosed": "其中：1.同意公开答复数", "requests.answer.partially_disclosed": "2.同意部分公开答复数",
        "requests.answer.withheld": "3.不予公开答复数", "requests.answer.other": "4.其他类型答复数",
        "review.total": "行政复议数", "litigation.total": "行政诉讼数",
    }, unmapped=("接受行政诉讼、举报数",))


def test_80529_zone_2018_prose_values(shared_dir):
    r = _parse(shared_dir, "80529_")
    assert _text(r) == {}  # every prose headline figure is printed in the table too


def test_80529_zone_2018_prose_agrees_with_table(shared_dir):
    # 2018年全区主动公开政府信息2069条; 未收到有关政府信息公开申请; 未收到…行政复议、提起行政诉讼的申请: all = table.
    # '共收到15564件咨询投诉件' (12345 hotline) is not an information request.
    r = _parse(shared_dir, "80529_")
    assert _mismatches(r) == set()


# ---------------------------------------------------------------------------------------------------------------
# 87885 平潭综合实验区 2023: 2021 format. Checks: 自然人 22+19+(1+1+1+2)+31+1+1+1 = 80 = 80+0; 总计 column
# 22+20+5+31+1+1+1 = 81; 商业企业 partial 1 = new 1; 复议 1+1+0+0 = 2, 直接起诉 4+0+0+1 = 5, 复议后 1+0+1+0 = 2.

def test_87885_zone_2023_metadata(shared_dir):
    r = _parse(shared_dir, "87885_")
    assert _meta(r) == ("平潭综合实验区2023年度政府信息公开工作年度报告", "平潭综合实验区管委会", "350128", 2023,
                        "2024-03-08", "2021", F2021)


def test_87885_zone_2023_table(shared_dir):
    r = _parse(shared_dir, "87885_")
    sec2 = {
        "active.regulation.issued": 0, "active.regulation.repealed": 0, "active.regulation.in_force": 0,
        "active.normative_doc.issued": 77, "active.normative_doc.repealed": 132, "active.normative_doc.in_force": 470,
        "active.licensing.decisions": 2629, "active.punishment.decisions": 1330, "active.coercion.decisions": 54,
        "active.admin_fee.amount": 5949.088667,
    }
    sec3 = _matrix(SEC3_2021, {
        ("requests.new", NP): 80, ("requests.new", CE): 1, ("requests.new", "total"): 81,
        ("requests.result.disclosed", NP): 22, ("requests.result.disclosed", "total"): 22,
        ("requests.result.partially_disclosed", NP): 19, ("requests.result.partially_disclosed", CE): 1,
        ("requests.result.partially_disclosed", "total"): 20,
        ("requests.result.withheld.third_party", NP): 1, ("requests.result.withheld.third_party", "total"): 1,
        ("requests.result.withheld.process_info", NP): 1, ("requests.result.withheld.process_info", "total"): 1,
        ("requests.result.withheld.enforcement_file", NP): 1, ("requests.result.withheld.enforcement_file", "total"): 1,
        ("requests.result.withheld.admin_query", NP): 2, ("requests.result.withheld.admin_query", "total"): 2,
        ("requests.result.unavailable.not_held", NP): 31, ("requests.result.unavailable.not_held", "total"): 31,
        ("requests.result.not_processed.repeated", NP): 1, ("requests.result.not_processed.repeated", "total"): 1,
        ("requests.result.other_no_correction", NP): 1, ("requests.result.other_no_correction", "total"): 1,
        ("requests.result.other_misc", NP): 1, ("requests.result.other_misc", "total"): 1,
        ("requests.result.total", NP): 80, ("requests.result.total", CE): 1, ("requests.result.total", "total"): 81,
    })
    sec4 = dict.fromkeys(SEC4, 0) | {
        "review.upheld": 1, "review.corrected": 1, "review.total": 2,
        "litigation.direct.upheld": 4, "litigation.direct.pending": 1, "litigation.direct.total": 5,
        "litigation.after_review.upheld": 1, "litigation.after_review.other": 1, "litigation.after_review.total": 2,
    }
    assert _table(r) == {(m, None, Y): v for m, v in sec2.items()} | sec3 | {(m, None, Y): v for m, v in sec4.items()}
    assert r.unmapped == []
    assert _errors(r) == []
    assert _printed(r, ("active.admin_fee.amount", None, Y)) == ("table", "5949.088667")


def test_87885_zone_2023_prose_values(shared_dir):
    # 共主动公开政府信息13561条; 各类政府信息公开申请共计81件 (= 本年新收 81 + 上年结转 0); 行政诉讼案件7件
    # (= 直接起诉 5 + 复议后起诉 2; the tables have no single litigation total); 无收取信息处理费情况.
    # Not asserted: '现行有效行政规范性文件393件' (a library clean-up figure; the table's 现行有效件数 is 470) and
    # '公开信息1654条' (基层 only), '发布政策解读117篇' (no narrative code).
    r = _parse(shared_dir, "87885_")
    assert _text(r) == {
        ("active.total", None, Y): 13561, ("requests.received", None, Y): 81,
        ("litigation.total", None, Y): 7, ("info_fees.collected", None, Y): 0,
    }


def test_87885_zone_2023_prose_agrees_with_table(shared_dir):
    # 行政复议案件2件 = table 2; 本年度制发的规范性文件77件 = table 77
    r = _parse(shared_dir, "87885_")
    assert _mismatches(r) == set()
    assert not [i for i in r.issues if i.check.startswith("narrative.")]


# ---------------------------------------------------------------------------------------------------------------
# 97791 平潭综合实验区 2024: 2021 format. Checks: 自然人 71+29+(4+3+32)+75+1+1+1 = 217 = 217+0; 商业企业
# 其他 1 = new 1; 总计 column 71+29+4+3+32+75+1+1+2 = 218; 复议 2+1+3+1 = 7; 直接起诉 0; 复议后 13+2+4+0 = 19.

def test_97791_zone_2024_metadata(shared_dir):
    r = _parse(shared_dir, "97791_")
    assert _meta(r) == ("平潭综合实验区2024年度政府信息公开工作年度报告", "平潭综合实验区管委会", "350128", 2024,
                        "2025-03-10", "2021", F2021)


def test_97791_zone_2024_table(shared_dir):
    r = _parse(shared_dir, "97791_")
    sec2 = {
        "active.regulation.issued": 0, "active.regulation.repealed": 0, "active.regulation.in_force": 0,
        "active.normative_doc.issued": 62, "active.normative_doc.repealed": 33, "active.normative_doc.in_force": 440,
        "active.licensing.decisions": 4529, "active.punishment.decisions": 1100, "active.coercion.decisions": 65,
        "active.admin_fee.amount": 18651.06,
    }
    sec3 = _matrix(SEC3_2021, {
        ("requests.new", NP): 217, ("requests.new", CE): 1, ("requests.new", "total"): 218,
        ("requests.result.disclosed", NP): 71, ("requests.result.disclosed", "total"): 71,
        ("requests.result.partially_disclosed", NP): 29, ("requests.result.partially_disclosed", "total"): 29,
        ("requests.result.withheld.state_secret", NP): 4, ("requests.result.withheld.state_secret", "total"): 4,
        ("requests.result.withheld.third_party", NP): 3, ("requests.result.withheld.third_party", "total"): 3,
        ("requests.result.withheld.internal_affairs", NP): 32,
        ("requests.result.withheld.internal_affairs", "total"): 32,
        ("requests.result.unavailable.not_held", NP): 75, ("requests.result.unavailable.not_held", "total"): 75,
        ("requests.result.not_processed.repeated", NP): 1, ("requests.result.not_processed.repeated", "total"): 1,
        ("requests.result.other_no_correction", NP): 1, ("requests.result.other_no_correction", "total"): 1,
        ("requests.result.other_misc", NP): 1, ("requests.result.other_misc", CE): 1,
        ("requests.result.other_misc", "total"): 2,
        ("requests.result.total", NP): 217, ("requests.result.total", CE): 1, ("requests.result.total", "total"): 218,
    })
    sec4 = dict.fromkeys(SEC4, 0) | {
        "review.upheld": 2, "review.corrected": 1, "review.other": 3, "review.pending": 1, "review.total": 7,
        "litigation.after_review.upheld": 13, "litigation.after_review.corrected": 2,
        "litigation.after_review.other": 4, "litigation.after_review.total": 19,
    }
    assert _table(r) == {(m, None, Y): v for m, v in sec2.items()} | sec3 | {(m, None, Y): v for m, v in sec4.items()}
    assert r.unmapped == []
    assert _errors(r) == []
    assert _printed(r, ("requests.result.withheld.internal_affairs", NP, Y)) == ("table", "32")


def test_97791_zone_2024_labels(shared_dir):
    r = _parse(shared_dir, "97791_")
    rows = {(k[0], row) for k, (row, _) in _labels(r).items() if k[0].startswith("requests.result.other_")}
    assert rows == {  # one label per row, the same for all seven applicant columns
        ("requests.result.other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("requests.result.other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("requests.result.other_misc", "3.其他"),
    }


def test_97791_zone_2024_prose_values(shared_dir):
    # 全年主动公开各类政府信息10407条; 全年办理政府信息公开申请218件 (办理 = handled; 本年新收 218 = 办理结果总计 218,
    # nothing carried over, so either reading is 218); 无收取信息处理费情况.
    r = _parse(shared_dir, "97791_")
    assert _text(r) == {
        ("active.total", None, Y): 10407, ("requests.received", None, Y): 218, ("info_fees.collected", None, Y): 0,
    }
    assert not [v for v in r.values if v.source.kind == "text" and v.approximate]


def test_97791_zone_2024_prose_agrees_with_table(shared_dir):
    # 本年度制发行政规范性文件62件 = table 62
    r = _parse(shared_dir, "97791_")
    assert _mismatches(r) == set()
    assert not [i for i in r.issues if i.check.startswith("narrative.")]
