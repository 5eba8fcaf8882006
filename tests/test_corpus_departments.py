"""Real department reports of 平潭 (../shared/corpus/pingtan-more, HTML as served by www.pingtan.gov.cn): every
printed figure read by hand from the raw HTML, and checked against the page's own arithmetic.

Only 80469 (财金局 2016) prints a statistics table; the other five are narrative reports whose figures are in
sentences. Dates are the page's metadata (`PubDate`, the same as the visible `时间：` line) unless it falls inside
the year the report covers (80679: none then), years come from the title and the 统计期限 sentence. Agencies are the parser's canonical names: 平潭综合实验区… as printed, 平潭县… with
its city (福州市平潭县…, see etl/parse.py _canonical_agency); both resolve to 平潭县 (350128).

One `Page` record per page (tests/corpus_util.py), one test body (`check_page`, a subtest per aspect: metadata /
table / labels / prose / issues, so that one parser gap does not hide the rest).
"""

from __future__ import annotations

import pytest

from corpus_util import Page, Y, check_page, parse_page

NO_FEES = {  # "无…收费及减免情况": nothing charged, nothing waived
    ("fees.request_fees", None, Y): 0, ("fees.waived", None, Y): 0,
}

PAGES: dict[str, Page] = {
    # --- 80444 平潭综合实验区行政审批局 2015: narrative --------------------------------------------------------
    # Title 平潭综合实验区行政审批局 2015年政府信息公开年度报告 (a space before 2015, dropped); no table; an empty
    # '来源：' before '时间：…'.
    # 二（一）"2015年我局制作、获取政府信息706条，主动公开政府信息706条。"
    #   (categories 12+4+243+234+203+3+6+1 = 706: the page agrees with itself)
    # 三 "2015年我局未收到有关政府信息公开的申请。"
    # 四 "2015年我局无政府信息公开收费及减免情况。"
    # 五 "2015年我局未收到因政府信息公开提出的行政复议、行政诉讼的申请。"
    "80444_": Page(
        ("平潭综合实验区行政审批局2015年政府信息公开年度报告",), "平潭综合实验区行政审批局", 2015, "2016-03-16",
        "narrative", {},
        text={("active.total", None, Y): 706, ("requests.received", None, Y): 0, ("review.total", None, Y): 0,
              ("litigation.total", None, Y): 0} | NO_FEES,
        quotes={("active.total", None, Y): "主动公开政府信息706条"},
    ),
    # --- 80469 平潭综合实验区财政金融局 2016: Fujian local table (truncated after 电子邮件申请数) -------------------
    # The title says only 财金局; the breadcrumb, the text and the signature say 平潭综合实验区财政金融局. An empty
    # '来源：' before '时间：…'.
    # 七、附表: 指标名称 | 计量单位 | 年末统计. 86 = 86 (网站) + 0 (公报); 0 = 0 + 0 + 0 (the channel rows stop after
    # 3、电子邮件申请数: no 网上/信函/其它 rows, no 答复/复议/诉讼 rows are printed); every printed row has a code.
    # Prose: "其中主动公开政府信息86条" and "未收到有关政府信息公开的申请" agree with the table (table kept, no text
    # value); "未收到有关政府信息公开行政复议申请" is the only figure the table does not print. Litigation and fees
    # are not mentioned.
    "80469_": Page(
        ("财金局2016年政府信息公开年度报告",), "平潭综合实验区财政金融局", 2016, "2017-01-13", "local",
        {"统计表": "local"},
        table={
            ("active.total", None, Y): 86,
            ("active.channel.website", None, Y): 86,
            ("active.channel.gazette", None, Y): 0,
            ("requests.received", None, Y): 0,
            ("requests.channel.in_person", None, Y): 0,
            ("requests.channel.fax", None, Y): 0,
            ("requests.channel.email", None, Y): 0,
        },
        labels={(m, None, Y): (row, "年末统计") for m, row in {
            "active.total": "主动公开信息数", "active.channel.website": "其中：1、网站公开",
            "active.channel.gazette": "2、政府公报公开", "requests.received": "受理依申请公开信息总数",
            "requests.channel.in_person": "其中：1、当面申请数", "requests.channel.fax": "2、传真申请数",
            "requests.channel.email": "3、电子邮件申请数",
        }.items()},
        printed={("active.total", None, Y): ("table", "86")},
        text={("review.total", None, Y): 0},
    ),
    # --- 80679 平潭县海洋与渔业局 2011: narrative -------------------------------------------------------------
    # PubDate 2011-12-21 (= the visible 时间 line), inside the year the report covers ("我局在2011年度未收到…"), and
    # the archive URL is 201205/t20120511_80679: a 2011 report was not published before 2011 ended, so the page's
    # date is no publication date (etl/meta.py), and no other date is printed: published_at None.
    # Titles: the page title / the report's own heading in the body.
    # 三 "我局在2011年度未收到申请公开政府信息情况。"  四 "我局在2011年度未收到申请行政复议、提起行政诉讼情况。"
    # No count of proactively disclosed items is printed (二 lists forms and contents only); no fee sentence.
    "80679_": Page(
        ("平潭县海洋与渔业局2011年工作公开年度报告", "平潭县海洋与渔业局2011年政府信息公开工作年度报告"),
        "福州市平潭县海洋与渔业局", 2011, None, "narrative", {},
        text={("requests.received", None, Y): 0, ("review.total", None, Y): 0, ("litigation.total", None, Y): 0},
    ),
    # --- 80704 平潭县旅游局 2011: narrative, answers of one or two words under a heading -------------------------
    # 二（二）"…两大网站共主动公开信息65条，其中政策性信息23条；政府文件11条；工作信息6条；工作计划规划13条，其他信息12条。"
    # 23+11+6+13+12 = 65. 三 "无申请。"  四、政策信息公开收费及减免情况 "未收费。" (fees charged 0; says nothing of 减免:
    # no fees.waived). 五 (heading: 行政复议、提起行政诉讼) "无。" Each zero is read from the bare answer, and its
    # section is the heading it sits under.
    "80704_": Page(
        ("平潭县旅游局2011年度政府信息公开年度报告",), "福州市平潭县旅游局", 2011, "2012-05-15", "narrative", {},
        text={("active.total", None, Y): 65, ("requests.received", None, Y): 0, ("review.total", None, Y): 0,
              ("litigation.total", None, Y): 0, ("fees.request_fees", None, Y): 0},
        quotes={("active.total", None, Y): "65条"},
        sources={
            ("requests.received", None, Y): ("无申请。", "三、依申请公开政府信息办理情况"),
            ("review.total", None, Y): ("无。", "五、因政府信息公开被申请行政复议、提起行政诉讼的情况"),
            ("litigation.total", None, Y): ("无。", "五、因政府信息公开被申请行政复议、提起行政诉讼的情况"),
        },
    ),
    # --- 80705 平潭县信访局 2011: narrative --------------------------------------------------------------------
    # 三 "我局在2011年度未收到申请公开政府信息情况。"  四 "我局在2011年度未收到申请行政复议、提起行政诉讼情况。"
    # (a 信访局: the requests sentence itself does not mention 信访, so it is an OGI request count); no fee sentence.
    "80705_": Page(
        ("平潭县信访局2011年政府信息公开工作年度报告",), "福州市平潭县信访局", 2011, "2012-05-15", "narrative", {},
        text={("requests.received", None, Y): 0, ("review.total", None, Y): 0, ("litigation.total", None, Y): 0},
    ),
    # --- 80810 平潭综合实验区交通与建设局 2014: narrative; its 附件 统计表 is named but not on the page --------------
    # PubDate 2015-01-30 although the signature is dated 2015年2月4日.
    # 二（一）"我局2014年主动公开政府信息214条。" (categories 164 + 50 = 214)
    # 三 "2014年度，我局无依申请公开的政府信息。" is ambiguous (no request received, or nothing disclosed on
    # request): requests.received may be absent or 0, nothing else. 四 "2014年度，我局无收费及减免情况。"
    # Review/litigation are not mentioned at all.
    "80810_": Page(
        ("平潭综合实验区交通与建设局2014年度政府信息公开工作年度报告",), "平潭综合实验区交通与建设局", 2014,
        "2015-01-30", "narrative", {},
        text={("active.total", None, Y): 214} | NO_FEES,
        maybe_zero=frozenset({("requests.received", None, Y)}),
        quotes={("active.total", None, Y): "主动公开政府信息214条"},
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page(shared_dir, subtests, page):
    check_page(parse_page(shared_dir, page), PAGES[page], subtests)
