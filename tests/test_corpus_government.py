"""Real 平潭 pages of ../shared/corpus (HTML as served by www.pingtan.gov.cn), read by hand: 2011, 2012, 2013
(县人民政府 and 综合实验区), 2014, 2016 and 2018 (Fujian local table with a 历年累计 column), 2019 (2019 format), 2022,
2023 and 2024 (2021 format).

Every number of every statistics table is written out here as read from the HTML and checked with the table's own
arithmetic (channel and answer rows against their totals, section 三 rows and columns, section 四 totals). Section 三
matrices are "all zero except" the printed non-zero cells. Prose figures are asserted where the page states them
unambiguously: as `text` values when no table prints the metric, otherwise as agreement (no `narrative.mismatch`) or
as the disagreement the parser must flag (the table wins).

One `Page` record per page (tests/corpus_util.py), one test body (`check_page`) for all of them.
"""

from __future__ import annotations

import pytest

from corpus_util import CE, NP, SEC3_2019, SEC3_2021, SEC4, C, Page, Y, check_page, matrix, parse_page

LOCAL = {"统计表": "local"}
F2019 = {"二": "2019", "三": "2019", "四": "2019"}
F2021 = {"二": "2021", "三": "2021", "四": "2021"}
ZONE = "平潭综合实验区管委会"


def _local(rows: dict[str, tuple[object, object]]) -> dict[tuple, object]:
    """A Fujian local table: metric -> (本年度, 历年累计)."""
    return {(m, None, Y): y for m, (y, _) in rows.items()} | {(m, None, C): c for m, (_, c) in rows.items()}


def _local_labels(year_column: str, rows: dict[str, str], unmapped: tuple[str, ...] = ()) -> dict[tuple, tuple]:
    out = {(m, None, Y): (row, year_column) for m, row in rows.items()}
    out |= {(m, None, C): (row, "历年累计") for m, row in rows.items()}
    return out | {("unmapped", row, col): (row, col) for row in unmapped for col in (year_column, "历年累计")}


def _unmapped_row(row: str, year_column: str) -> frozenset[tuple]:
    """A row no catalog code means, printed 0 in both columns."""
    return frozenset({(row, year_column, "0"), (row, "历年累计", "0")})


def _year(sec2: dict[str, object], sec3: dict[tuple, object], sec4: dict[str, object]) -> dict[tuple, object]:
    """The tables of a 2021-format report: sections 二 and 四 per metric, section 三 as a `matrix`."""
    return {(m, None, Y): v for m, v in sec2.items()} | sec3 | {(m, None, Y): v for m, v in sec4.items()}


LABELS_2011 = {  # printed row labels of the 2011-layout tables (综合实验区 2011, 县人民政府 2013)
    "active.total": "主动公开信息数", "active.channel.website": "其中：1.网站公开",
    "active.channel.gazette": "2.政府公报公开", "requests.received": "受理依申请公开信息总数",
    "requests.channel.in_person": "其中：1.当面申请数", "requests.channel.fax": "2.传真申请数",
    "requests.channel.email": "3.电子邮件申请数", "requests.channel.online": "4.网上申请数",
    "requests.channel.letter": "5.信函申请数", "requests.channel.other": "6.其它形式申请数",
    "requests.answered": "对申请的答复数", "requests.answer.disclosed": "其中：1.同意公开答复数",
    "requests.answer.partially_disclosed": "2.同意部分公开答复数", "requests.answer.withheld": "3.否决公开答复数",
    "review.total": "行政复议数", "litigation.total": "行政诉讼数", "appeals.total": "行政申诉数",
}
LABELS_2012_2013 = {  # printed row labels of the 综合实验区 2012 and 2013 tables
    "active.total": "主动公开信息数", "active.channel.website": "其中：1、网站公开",
    "active.channel.gazette": "2、政府公报公开", "requests.received": "受理依申请公开信息总数",
    "requests.channel.in_person": "其中：1、当面申请数", "requests.channel.fax": "2、传真申请数",
    "requests.channel.email": "3、电子邮件申请数", "requests.channel.online": "4、网上申请数",
    "requests.channel.letter": "5、信函申请数", "requests.answered": "对申请的答复总数",
    "requests.answer.disclosed": "其中：1、同意公开答复数", "requests.answer.partially_disclosed": "2、同意部分公开答复数",
    "requests.answer.withheld": "3、否决公开答复数", "review.total": "行政复议数", "litigation.total": "行政诉讼数",
}
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
ZERO_2014_2018 = (  # rows printed 0 in both columns of the 2016 and 2018 tables (2018 has no 收费减免 row)
    "active.channel.gazette", "requests.received", "requests.channel.in_person", "requests.channel.online",
    "requests.channel.letter_fax", "requests.answered", "requests.answer.disclosed",
    "requests.answer.partially_disclosed", "requests.answer.withheld", "requests.answer.other", "fees.waived",
    "review.total", "litigation.total",
)

PAGES: dict[str, Page] = {
    # -----------------------------------------------------------------------------------------------------------
    # 80678 平潭综合实验区 2011: Fujian local table (2011 layout, six request channels, 条 on every row). Checks:
    # 主动公开 425 = 418 + 7 (cum 1516 = 1509 + 7); every request/review row 0. ContentSource 平潭综合实验区管委会办公室:
    # the report is the zone's (管委会). Prose: '其中主动公开政府信息425条' = table 425; '2011年全区未收到有关政府信息
    # 公开的申请，未收到有关政府信息公开行政复议申请' = table 0 and 0: no text value, no mismatch. No fee sentence.
    "80678_": Page(
        ("平潭综合实验区2011年政府信息公开工作年度报告",), ZONE, 2011, "2012-04-11", "local", LOCAL,
        table=_local({
            "active.total": (425, 1516), "active.channel.website": (418, 1509), "active.channel.gazette": (7, 7),
        } | dict.fromkeys((
            "requests.received", "requests.channel.in_person", "requests.channel.fax", "requests.channel.email",
            "requests.channel.online", "requests.channel.letter", "requests.channel.other", "requests.answered",
            "requests.answer.disclosed", "requests.answer.partially_disclosed", "requests.answer.withheld",
            "review.total", "litigation.total", "appeals.total",
        ), (0, 0))),
        labels=_local_labels("2011年度", LABELS_2011),
        printed={("active.total", None, C): ("table", "1516")},
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 80734 平潭综合实验区 2012: local table (the 2013 layout: five channels, 件 for the last three rows, a combined
    # 行政申诉、举报数 row). Checks: 主动公开 739 = 739 + 0; 受理 0 = 0+0+0+0+0; 答复 0 = 0+0+0. 历年累计 4359 is
    # not 2011's 1516 + 739: printed as is. PubDate meta = the page's 时间 2013-02-25 (the report is dated
    # 二○一三年一月二十日, the URL says 20130228).
    # Prose: '2012年主动公开政府信息1913条' contradicts 主动公开信息数 739 (flagged, the table wins; the page's own
    # split 1397 + 534 = 1931 and its category list summing to 911 disagree with 1913 too). '2012年全区未收到有关政府
    # 信息公开的申请，未收到有关政府信息公开行政复议申请' = table 0 and 0: no text value, no mismatch. Not asserted:
    # '通过…门户网站公开政府信息3636条' (a website figure under 重点领域; the parser has no channel rules),
    # '区管委会、县政府公开办主动公开信息数为121条' (two offices only). No fee sentence.
    "80734_": Page(
        ("平潭综合实验区2012年政府信息公开工作年度报告",), ZONE, 2012, "2013-02-25", "local", LOCAL,
        table=_local({
            "active.total": (739, 4359), "active.channel.website": (739, 4359), "active.channel.gazette": (0, 0),
        } | dict.fromkeys((
            "requests.received", "requests.channel.in_person", "requests.channel.fax", "requests.channel.email",
            "requests.channel.online", "requests.channel.letter", "requests.answered", "requests.answer.disclosed",
            "requests.answer.partially_disclosed", "requests.answer.withheld", "review.total", "litigation.total",
        ), (0, 0))),
        unmapped=_unmapped_row("行政申诉、举报数", "2012年度"),
        labels=_local_labels("2012年度", LABELS_2012_2013, unmapped=("行政申诉、举报数",)),
        printed={("active.total", None, C): ("table", "4359")},
        mismatches=frozenset({("active.total", 1913, 739)}),
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 80754 平潭县人民政府 2013: local table (2011 layout, six request channels). 附件1 统计表.
    # Checks: 受理 7 = 0+0+3+4+0+0 (cum 28 = 18+0+6+4+0+0); 答复 3 = 2+1+0 (cum 24 = 19+3+2).
    # Printed 平潭县人民政府; the project's full name of a county body carries its city (parse._canonical_agency).
    # Prose: every headline figure is also printed in the table (主动公开政府信息1853条, 收到…申请7条, 答复总数3条,
    # 未收到…行政复议申请): none stands as a text value; 其中主动公开政府信息1853条 = table 1853. The prose channel
    # split (网上3, 信函4) and '其它公开答复数1条' contradict the table (电子邮件3, 网上4, 信函0; 同意部分公开1) but the
    # parser has no channel rules: not asserted.
    "80754_": Page(
        ("平潭县人民政府2013年政府信息公开工作年度报告",), "福州市平潭县人民政府", 2013, "2014-01-22", "local", LOCAL,
        table=_local({
            "active.total": (1853, 5395), "active.channel.website": (1713, 5017), "active.channel.gazette": (0, 7),
            "requests.received": (7, 28), "requests.channel.in_person": (0, 18), "requests.channel.fax": (0, 0),
            "requests.channel.email": (3, 6), "requests.channel.online": (4, 4), "requests.channel.letter": (0, 0),
            "requests.channel.other": (0, 0), "requests.answered": (3, 24), "requests.answer.disclosed": (2, 19),
            "requests.answer.partially_disclosed": (1, 3), "requests.answer.withheld": (0, 2),
            "review.total": (0, 0), "litigation.total": (0, 0), "appeals.total": (0, 0),
        }),
        labels=_local_labels("2013年度", LABELS_2011),
        printed={("requests.channel.email", None, Y): ("table", "3")},
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 80759 平潭综合实验区 2013: local table (five channels, 件 for the last three rows, 政府公报 历年累计 printed
    # blank, a combined 行政申诉、举报数 row that counts appeals and complaints together: neither appeals.total
    # (行政申诉数) nor complaints.total). Checks: all request rows 0. PubDate meta and the page's 时间 say 2014-01-10
    # (the report is dated 二○一四年一月十日; the URL says 20140324).
    # Prose: '2013年主动公开政府信息4970条' while the table prints 主动公开信息数 72804, and a 行政复议 of 1 against the
    # table's 0: the table wins, both disagreements are flagged. 未收到有关政府信息公开的申请 = table 0: no text value,
    # no mismatch.
    "80759_": Page(
        ("平潭综合实验区2013年政府信息公开工作年度报告",), ZONE, 2013, "2014-01-10", "local", LOCAL,
        table=_local({
            "active.total": (72804, 76424), "active.channel.website": (72804, 76424),
            "active.channel.gazette": (0, None),  # 历年累计 cell printed &nbsp;
        } | dict.fromkeys((
            "requests.received", "requests.channel.in_person", "requests.channel.fax", "requests.channel.email",
            "requests.channel.online", "requests.channel.letter", "requests.answered", "requests.answer.disclosed",
            "requests.answer.partially_disclosed", "requests.answer.withheld", "review.total", "litigation.total",
        ), (0, 0))),
        unmapped=_unmapped_row("行政申诉、举报数", "2013年度"),
        labels=_local_labels("2013年度", LABELS_2012_2013, unmapped=("行政申诉、举报数",)),
        mismatches=frozenset({("active.total", 4970, 72804), ("review.total", 1, 0)}),
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 80791 平潭综合实验区管委会 2014: Fujian 2014–2018 local table (三 channels incl. 信函、传真, 其他类型答复数,
    # 收费减免金额 in 元, a combined 接受行政诉讼、举报数 row). Checks: 受理 1 = 0+0+1; 答复 1 = 1+0+0+0;
    # 历年累计 主动公开 78967 = 2013's 76424 + 2543.
    # Prose: 主动公开政府信息 2543条, 收到…信函申请1条, 未收到…行政复议的申请 all agree with the table; the service
    # hall's '共受理申请121510件' is not an information request and must not be compared with 受理依申请公开信息总数 1.
    "80791_": Page(
        ("平潭综合实验区管委会2014年度政府信息公开工作年度报告",), ZONE, 2014, "2015-01-02", "local", LOCAL,
        table=_local({
            "active.total": (2543, 78967), "active.channel.website": (2543, 78967), "active.channel.gazette": (0, 0),
            "requests.received": (1, 1), "requests.channel.in_person": (0, 0), "requests.channel.online": (0, 0),
            "requests.channel.letter_fax": (1, 1), "requests.answered": (1, 1), "requests.answer.disclosed": (1, 1),
            "requests.answer.partially_disclosed": (0, 0), "requests.answer.withheld": (0, 0),
            "requests.answer.other": (0, 0), "fees.waived": (0, 0), "review.total": (0, 0), "litigation.total": (0, 0),
        }),
        unmapped=_unmapped_row("接受行政诉讼、举报数", "2014年度"),
        labels=_local_labels("2014年度", LABELS_2014_2016, unmapped=("接受行政诉讼、举报数",)),
        printed={("requests.channel.letter_fax", None, Y): ("table", "1")},
        text={("fees.request_fees", None, Y): 0},
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 80485 平潭综合实验区 2016: same local table as 2014, every request/review row 0.
    # Prose: 2016年全区主动公开政府信息3460条; 未收到有关政府信息公开申请; 未收到…行政复议、提起行政诉讼的申请: all = table.
    "80485_": Page(
        ("平潭综合实验区2016年度政府信息公开工作年度报告",), ZONE, 2016, "2017-01-18", "local", LOCAL,
        table=_local({"active.total": (3460, 85376), "active.channel.website": (3460, 85376)}
                     | dict.fromkeys(ZERO_2014_2018, (0, 0))),
        unmapped=_unmapped_row("接受行政诉讼、举报数", "2016年度"),
        labels=_local_labels("2016年度", LABELS_2014_2016, unmapped=("接受行政诉讼、举报数",)),
        printed={("active.total", None, C): ("table", "85376")},
        text={("fees.request_fees", None, Y): 0},
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 80529 平潭综合实验区 2018: local table without the 收费减免 row; 历年累计 rebased (12106 after 85376 in 2016).
    # Prose: every headline figure is printed in the table too (2018年全区主动公开政府信息2069条; 未收到有关政府信息公开
    # 申请; 未收到…行政复议、提起行政诉讼的申请: all = table). '共收到15564件咨询投诉件' (12345 hotline) is not an
    # information request.
    "80529_": Page(
        ("平潭综合实验区2018年度政府信息公开工作年度报告",), ZONE, 2018, "2019-01-10", "local", LOCAL,
        table=_local({"active.total": (2069, 12106), "active.channel.website": (2069, 12106)}
                     | dict.fromkeys((m for m in ZERO_2014_2018 if m != "fees.waived"), (0, 0))),
        unmapped=_unmapped_row("接受行政诉讼、举报数", "2018年度"),
        labels=_local_labels("2018年度", {
            "active.total": "主动公开文件数", "active.channel.website": "其中：1.政府网站公开数",
            "active.channel.gazette": "2.政府公报公开数", "requests.received": "受理依申请公开信息总数",
            "requests.channel.in_person": "其中：1.当面申请数", "requests.channel.online": "2.网上申请数",
            "requests.channel.letter_fax": "3.信函、传真申请数", "requests.answered": "对申请的答复总数",
            "requests.answer.disclosed": "其中：1.同意公开答复数", "requests.answer.partially_disclosed": "2.同意部分公开答复数",
            "requests.answer.withheld": "3.不予公开答复数", "requests.answer.other": "4.其他类型答复数",
            "review.total": "行政复议数", "litigation.total": "行政诉讼数",
        }, unmapped=("接受行政诉讼、举报数",)),
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 80576 平潭综合实验区 2019: 2019 format. Checks: 自然人 7+1+7+5+3 = 23 = new 23; 总计 column the same; 四 all 0.
    # Prose: '我区政府信息公开单位共公布政府信息2599条' (the only proactive total; its category list sums to 2533).
    # No prose on requests, review or fees.
    "80576_": Page(
        ("平潭综合实验区2019年度政府信息公开工作年度报告",), ZONE, 2019, "2020-01-20", "2019", F2019,
        table=_year({
            "active.regulation.made": 0, "active.regulation.published": 0, "active.regulation.published_total": 0,
            "active.normative_doc.made": 89, "active.normative_doc.published": 89,
            "active.normative_doc.published_total": 89,
            "active.licensing.prior_items": 396, "active.licensing.change": 0, "active.licensing.decisions": 181,
            "active.other_service.prior_items": 10, "active.other_service.change": 0,
            "active.other_service.decisions": 153,
            "active.punishment.prior_items": 2648, "active.punishment.change": 0, "active.punishment.decisions": 430,
            "active.coercion.prior_items": 126, "active.coercion.change": 0, "active.coercion.decisions": 25,
            "active.admin_fee.prior_items": 35, "active.admin_fee.change": 0,
            "active.procurement.items": 135, "active.procurement.amount": 7539.443252,  # printed 75394432.52元
        }, matrix(SEC3_2019, {
            ("requests.new", NP): 23, ("requests.new", "total"): 23,
            ("requests.result.disclosed", NP): 7, ("requests.result.disclosed", "total"): 7,
            ("requests.result.partially_disclosed", NP): 1, ("requests.result.partially_disclosed", "total"): 1,
            ("requests.result.unavailable.not_held", NP): 7, ("requests.result.unavailable.not_held", "total"): 7,
            ("requests.result.unavailable.unclear", NP): 5, ("requests.result.unavailable.unclear", "total"): 5,
            ("requests.result.not_processed.repeated", NP): 3,
            ("requests.result.not_processed.repeated", "total"): 3,
            ("requests.result.total", NP): 23, ("requests.result.total", "total"): 23,
        }), dict.fromkeys(SEC4, 0)),
        text={("active.total", None, Y): 2599},
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 80629 平潭综合实验区 2022: 2021 format. Checks: 自然人 72 = 71 + 1 carried; 商业企业 3 = 3;
    # 复议 0+1+1+0 = 2, 直接起诉 1 = 1.
    # Prose: 2022年全区共主动公开政府信息14571条; 全区收到政府信息公开申请75件 (= 74 new + 1 carried over: not a
    # disagreement); 行政诉讼案件1件 (= 直接起诉 1 + 复议后起诉 0); 无收取信息处理费情况. Agreeing: 行政复议案件2件 = 2;
    # 现行有效行政规范性文件698件 = 698; 本年度制发的规范性文件88件 = 88.
    "80629_": Page(
        ("平潭综合实验区2022年度政府信息公开工作年度报告",), ZONE, 2022, "2023-02-20", "2021", F2021,
        table=_year({
            "active.regulation.issued": 0, "active.regulation.repealed": 0, "active.regulation.in_force": 0,
            "active.normative_doc.issued": 88, "active.normative_doc.repealed": 55,
            "active.normative_doc.in_force": 698, "active.licensing.decisions": 10690,
            "active.punishment.decisions": 2113, "active.coercion.decisions": 0, "active.admin_fee.amount": 9116.36,
        }, matrix(SEC3_2021, {
            ("requests.new", NP): 71, ("requests.new", CE): 3, ("requests.new", "total"): 74,
            ("requests.carried_over", NP): 1, ("requests.carried_over", "total"): 1,
            ("requests.result.disclosed", NP): 21, ("requests.result.disclosed", "total"): 21,
            ("requests.result.partially_disclosed", NP): 8, ("requests.result.partially_disclosed", CE): 1,
            ("requests.result.partially_disclosed", "total"): 9,
            ("requests.result.withheld.internal_affairs", NP): 1,
            ("requests.result.withheld.internal_affairs", "total"): 1,
            ("requests.result.withheld.process_info", NP): 2, ("requests.result.withheld.process_info", "total"): 2,
            ("requests.result.withheld.enforcement_file", NP): 1,
            ("requests.result.withheld.enforcement_file", "total"): 1,
            ("requests.result.unavailable.not_held", NP): 37, ("requests.result.unavailable.not_held", "total"): 37,
            ("requests.result.other_no_correction", NP): 2, ("requests.result.other_no_correction", "total"): 2,
            ("requests.result.other_misc", CE): 2, ("requests.result.other_misc", "total"): 2,
            ("requests.result.total", NP): 72, ("requests.result.total", CE): 3,
            ("requests.result.total", "total"): 75,
        }), dict.fromkeys(SEC4, 0) | {"review.corrected": 1, "review.other": 1, "review.total": 2,
                                      "litigation.direct.upheld": 1, "litigation.direct.total": 1}),
        text={("active.total", None, Y): 14571, ("requests.received", None, Y): 75,
              ("litigation.total", None, Y): 1, ("info_fees.collected", None, Y): 0},
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 87885 平潭综合实验区 2023: 2021 format. Checks: 自然人 22+19+(1+1+1+2)+31+1+1+1 = 80 = 80+0; 总计 column
    # 22+20+5+31+1+1+1 = 81; 商业企业 partial 1 = new 1; 复议 1+1+0+0 = 2, 直接起诉 4+0+0+1 = 5, 复议后 1+0+1+0 = 2.
    # Prose: 共主动公开政府信息13561条; 各类政府信息公开申请共计81件 (= 本年新收 81 + 上年结转 0); 行政诉讼案件7件
    # (= 直接起诉 5 + 复议后起诉 2; the tables have no single litigation total); 无收取信息处理费情况. Agreeing:
    # 行政复议案件2件 = table 2; 本年度制发的规范性文件77件 = table 77. Not asserted: '现行有效行政规范性文件393件'
    # (a library clean-up figure; the table's 现行有效件数 is 470), '公开信息1654条' (基层 only), '发布政策解读117篇'
    # (no narrative code).
    "87885_": Page(
        ("平潭综合实验区2023年度政府信息公开工作年度报告",), ZONE, 2023, "2024-03-08", "2021", F2021,
        table=_year({
            "active.regulation.issued": 0, "active.regulation.repealed": 0, "active.regulation.in_force": 0,
            "active.normative_doc.issued": 77, "active.normative_doc.repealed": 132,
            "active.normative_doc.in_force": 470, "active.licensing.decisions": 2629,
            "active.punishment.decisions": 1330, "active.coercion.decisions": 54, "active.admin_fee.amount": 5949.088667,
        }, matrix(SEC3_2021, {
            ("requests.new", NP): 80, ("requests.new", CE): 1, ("requests.new", "total"): 81,
            ("requests.result.disclosed", NP): 22, ("requests.result.disclosed", "total"): 22,
            ("requests.result.partially_disclosed", NP): 19, ("requests.result.partially_disclosed", CE): 1,
            ("requests.result.partially_disclosed", "total"): 20,
            ("requests.result.withheld.third_party", NP): 1, ("requests.result.withheld.third_party", "total"): 1,
            ("requests.result.withheld.process_info", NP): 1, ("requests.result.withheld.process_info", "total"): 1,
            ("requests.result.withheld.enforcement_file", NP): 1,
            ("requests.result.withheld.enforcement_file", "total"): 1,
            ("requests.result.withheld.admin_query", NP): 2, ("requests.result.withheld.admin_query", "total"): 2,
            ("requests.result.unavailable.not_held", NP): 31, ("requests.result.unavailable.not_held", "total"): 31,
            ("requests.result.not_processed.repeated", NP): 1, ("requests.result.not_processed.repeated", "total"): 1,
            ("requests.result.other_no_correction", NP): 1, ("requests.result.other_no_correction", "total"): 1,
            ("requests.result.other_misc", NP): 1, ("requests.result.other_misc", "total"): 1,
            ("requests.result.total", NP): 80, ("requests.result.total", CE): 1,
            ("requests.result.total", "total"): 81,
        }), dict.fromkeys(SEC4, 0) | {
            "review.upheld": 1, "review.corrected": 1, "review.total": 2,
            "litigation.direct.upheld": 4, "litigation.direct.pending": 1, "litigation.direct.total": 5,
            "litigation.after_review.upheld": 1, "litigation.after_review.other": 1, "litigation.after_review.total": 2,
        }),
        printed={("active.admin_fee.amount", None, Y): ("table", "5949.088667")},
        text={("active.total", None, Y): 13561, ("requests.received", None, Y): 81,
              ("litigation.total", None, Y): 7, ("info_fees.collected", None, Y): 0},
    ),
    # -----------------------------------------------------------------------------------------------------------
    # 97791 平潭综合实验区 2024: 2021 format. Checks: 自然人 71+29+(4+3+32)+75+1+1+1 = 217 = 217+0; 商业企业
    # 其他 1 = new 1; 总计 column 71+29+4+3+32+75+1+1+2 = 218; 复议 2+1+3+1 = 7; 直接起诉 0; 复议后 13+2+4+0 = 19.
    # Prose: 全年主动公开各类政府信息10407条; 全年办理政府信息公开申请218件 (办理 = handled; 本年新收 218 = 办理结果
    # 总计 218, nothing carried over, so either reading is 218); 无收取信息处理费情况. Agreeing: 本年度制发行政规范性
    # 文件62件 = table 62.
    "97791_": Page(
        ("平潭综合实验区2024年度政府信息公开工作年度报告",), ZONE, 2024, "2025-03-10", "2021", F2021,
        table=_year({
            "active.regulation.issued": 0, "active.regulation.repealed": 0, "active.regulation.in_force": 0,
            "active.normative_doc.issued": 62, "active.normative_doc.repealed": 33,
            "active.normative_doc.in_force": 440, "active.licensing.decisions": 4529,
            "active.punishment.decisions": 1100, "active.coercion.decisions": 65, "active.admin_fee.amount": 18651.06,
        }, matrix(SEC3_2021, {
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
            ("requests.result.total", NP): 217, ("requests.result.total", CE): 1,
            ("requests.result.total", "total"): 218,
        }), dict.fromkeys(SEC4, 0) | {
            "review.upheld": 2, "review.corrected": 1, "review.other": 3, "review.pending": 1, "review.total": 7,
            "litigation.after_review.upheld": 13, "litigation.after_review.corrected": 2,
            "litigation.after_review.other": 4, "litigation.after_review.total": 19,
        }),
        row_labels={  # one label per row, the same for all seven applicant columns
            "requests.result.other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "requests.result.other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "requests.result.other_misc": "3.其他",
        },
        printed={("requests.result.withheld.internal_affairs", NP, Y): ("table", "32")},
        text={("active.total", None, Y): 10407, ("requests.received", None, Y): 218,
              ("info_fees.collected", None, Y): 0},
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page(shared_dir, subtests, page):
    check_page(parse_page(shared_dir, page), PAGES[page], subtests)
