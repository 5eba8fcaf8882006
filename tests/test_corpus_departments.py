"""Real department reports of 平潭 (../shared/corpus/pingtan-more, HTML as served by www.pingtan.gov.cn): every
printed figure read by hand from the raw HTML, and checked against the page's own arithmetic.

Only 80469 (财金局 2016) prints a statistics table; the other five are narrative reports whose figures are in
sentences. Dates are the page's metadata (`PubDate`, the same as the visible `时间：` line), years come from the
title and the 统计期限 sentence. Agencies are the parser's canonical names: 平潭综合实验区… as printed, 平潭县… with
its city (福州市平潭县…, see etl/parse.py _canonical_agency); both resolve to 平潭县 (350128).

Split per page into metadata / table / prose / fee tests so that one parser gap does not hide the rest.
"""

from __future__ import annotations

import pytest

from corpus_util import Y
from corpus_util import parse_page as _parse
from corpus_util import table_values as _table
from etl.model import ParseResult

PINGTAN = ("福建省", "福州市", "平潭县", "350128")


def _text(r: ParseResult) -> dict[tuple, object]:
    return {v.key: v.value for v in r.values if v.source.kind == "text"}


def _headline(r: ParseResult) -> dict[tuple, object]:
    """Prose figures other than fees (those have their own tests below)."""
    return {k: v for k, v in _text(r).items() if not k[0].startswith("fees.")}


def _errors(r: ParseResult) -> list:
    return [i for i in r.issues if i.severity == "error"]


# --- metadata, read from each page ----------------------------------------------------------------------
# page: (canonical agency, report year, PubDate, format, section_formats, accepted titles)
# 平潭县 bodies: canonical names carry the city the page never prints (etl/parse.py _canonical_agency, by design)
PAGES = {
    # title 平潭综合实验区行政审批局 2015年政府信息公开年度报告 (a space before 2015); no table
    "80444_": ("平潭综合实验区行政审批局", 2015, "2016-03-16", "narrative", {},
               ("平潭综合实验区行政审批局2015年政府信息公开年度报告",)),
    # the title says only 财金局; the breadcrumb, the text and the signature say 平潭综合实验区财政金融局
    "80469_": ("平潭综合实验区财政金融局", 2016, "2017-01-13", "local", {"统计表": "local"},
               ("财金局2016年政府信息公开年度报告",)),
    # PubDate 2011-12-21 (= the visible 时间 line) although the URL is t20120511_80679: the page's metadata is kept.
    # Page title / the report's own heading in the body.
    "80679_": ("福州市平潭县海洋与渔业局", 2011, "2011-12-21", "narrative", {},
               ("平潭县海洋与渔业局2011年工作公开年度报告", "平潭县海洋与渔业局2011年政府信息公开工作年度报告")),
    "80704_": ("福州市平潭县旅游局", 2011, "2012-05-15", "narrative", {}, ("平潭县旅游局2011年度政府信息公开年度报告",)),
    "80705_": ("福州市平潭县信访局", 2011, "2012-05-15", "narrative", {}, ("平潭县信访局2011年政府信息公开工作年度报告",)),
    # PubDate 2015-01-30 although the signature is dated 2015年2月4日; its 附件 统计表 is named but not on the page
    "80810_": ("平潭综合实验区交通与建设局", 2014, "2015-01-30", "narrative", {},
               ("平潭综合实验区交通与建设局2014年度政府信息公开工作年度报告",)),
}

@pytest.mark.parametrize("page", list(PAGES))
def test_report_meta(shared_dir, page):
    r = _parse(shared_dir, page)
    _, year, _, fmt, section_formats, titles = PAGES[page]
    rep = r.report
    assert (rep.report_year, rep.format, rep.section_formats) == (year, fmt, section_formats)
    assert "".join((rep.title or "").split()) in titles
    assert not _errors(r)


@pytest.mark.parametrize("page", list(PAGES))  # 80469: title 财金局, the signature 平潭综合实验区财政金融局
def test_agency_and_region(shared_dir, page):
    r = _parse(shared_dir, page)
    region = r.report.region
    assert r.report.agency == PAGES[page][0]
    assert region is not None and (region.province, region.city, region.county, region.code) == PINGTAN


@pytest.mark.parametrize("page", list(PAGES))  # 80444, 80469: an empty '来源：' before '时间：…'
def test_published_at(shared_dir, page):
    assert _parse(shared_dir, page).report.published_at == PAGES[page][2]


# --- 80444 平潭综合实验区行政审批局 2015: narrative ------------------------------------------------------------

def test_80444_shenpi_2015_prose(shared_dir):
    r = _parse(shared_dir, "80444_")
    assert _table(r) == {} and r.cells == []
    # 二（一）"2015年我局制作、获取政府信息706条，主动公开政府信息706条。"
    #   (categories 12+4+243+234+203+3+6+1 = 706: the page agrees with itself)
    # 三 "2015年我局未收到有关政府信息公开的申请。"
    # 五 "2015年我局未收到因政府信息公开提出的行政复议、行政诉讼的申请。"
    assert _headline(r) == {
        ("active.total", None, Y): 706,
        ("requests.received", None, Y): 0,
        ("review.total", None, Y): 0,
        ("litigation.total", None, Y): 0,
    }
    v = next(v for v in r.values if v.key == ("active.total", None, Y))
    assert "主动公开政府信息706条" in v.source.text and not v.approximate


# --- 80469 平潭综合实验区财政金融局 2016: Fujian local table (truncated after 电子邮件申请数) -----------------------

def test_80469_caijin_2016_table(shared_dir):
    r = _parse(shared_dir, "80469_")
    # 七、附表: 指标名称 | 计量单位 | 年末统计. 86 = 86 (网站) + 0 (公报); 0 = 0 + 0 + 0 (the channel rows stop after
    # 3、电子邮件申请数: no 网上/信函/其它 rows, no 答复/复议/诉讼 rows are printed).
    assert _table(r) == {
        ("active.total", None, Y): 86,
        ("active.channel.website", None, Y): 86,
        ("active.channel.gazette", None, Y): 0,
        ("requests.received", None, Y): 0,
        ("requests.channel.in_person", None, Y): 0,
        ("requests.channel.fax", None, Y): 0,
        ("requests.channel.email", None, Y): 0,
    }
    assert r.unmapped == []  # every printed row has a catalog code
    v = next(v for v in r.values if v.key == ("active.total", None, Y))
    assert (v.source.row, v.source.column, v.source.text) == ("主动公开信息数", "年末统计", "86")
    assert not _errors(r)


def test_80469_caijin_2016_prose(shared_dir):
    r = _parse(shared_dir, "80469_")
    # "其中主动公开政府信息86条" and "未收到有关政府信息公开的申请" agree with the table (table kept, no text value);
    # "未收到有关政府信息公开行政复议申请" is the only figure the table does not print. Litigation is not mentioned.
    assert _headline(r) == {("review.total", None, Y): 0}
    assert not [i for i in r.issues if i.check.startswith("narrative.")]


# --- 80679 平潭县海洋与渔业局 2011: narrative ---------------------------------------------------------------

def test_80679_haiyang_2011_prose(shared_dir):
    r = _parse(shared_dir, "80679_")
    assert _table(r) == {} and r.cells == []
    # 三 "我局在2011年度未收到申请公开政府信息情况。"  四 "我局在2011年度未收到申请行政复议、提起行政诉讼情况。"
    # No count of proactively disclosed items is printed (二 lists forms and contents only).
    assert _headline(r) == {
        ("requests.received", None, Y): 0,
        ("review.total", None, Y): 0,
        ("litigation.total", None, Y): 0,
    }


# --- 80704 平潭县旅游局 2011: narrative, answers of one or two words under a heading ----------------------------

def test_80704_lvyou_2011_prose_active(shared_dir):
    r = _parse(shared_dir, "80704_")
    assert _table(r) == {} and r.cells == []
    # 二（二）"…两大网站共主动公开信息65条，其中政策性信息23条；政府文件11条；工作信息6条；工作计划规划13条，其他信息12条。"
    # 23+11+6+13+12 = 65
    assert _text(r).get(("active.total", None, Y)) == 65
    v = next(v for v in r.values if v.key == ("active.total", None, Y))
    assert "65条" in v.source.text and not v.approximate


def test_80704_lvyou_2011_prose_zero_answers(shared_dir):
    r = _parse(shared_dir, "80704_")
    assert _headline(r) == {
        ("active.total", None, Y): 65,
        ("requests.received", None, Y): 0,  # 三 "无申请。"
        ("review.total", None, Y): 0,  # 五 (heading: 行政复议、提起行政诉讼) "无。"
        ("litigation.total", None, Y): 0,
    }
    # each zero is read from the bare answer, and its section is the heading it sits under
    src = {v.metric: (v.source.text, v.source.section) for v in r.values if v.source.kind == "text"}
    assert src["requests.received"] == ("无申请。", "三、依申请公开政府信息办理情况")
    assert src["review.total"] == src["litigation.total"] == ("无。", "五、因政府信息公开被申请行政复议、提起行政诉讼的情况")


# --- 80705 平潭县信访局 2011: narrative ---------------------------------------------------------------------

def test_80705_xinfang_2011_prose(shared_dir):
    r = _parse(shared_dir, "80705_")
    assert _table(r) == {} and r.cells == []
    # 三 "我局在2011年度未收到申请公开政府信息情况。"  四 "我局在2011年度未收到申请行政复议、提起行政诉讼情况。"
    # (a 信访局: the requests sentence itself does not mention 信访, so it is an OGI request count)
    assert _headline(r) == {
        ("requests.received", None, Y): 0,
        ("review.total", None, Y): 0,
        ("litigation.total", None, Y): 0,
    }


# --- 80810 平潭综合实验区交通与建设局 2014: narrative; its 附件 统计表 is named but not on the page ------------------

def test_80810_jiaojian_2014_prose(shared_dir):
    r = _parse(shared_dir, "80810_")
    assert _table(r) == {} and r.cells == []
    # 二（一）"我局2014年主动公开政府信息214条。" (categories 164 + 50 = 214)
    # 三 "2014年度，我局无依申请公开的政府信息。" is ambiguous (no request received, or nothing disclosed on
    # request): requests.received may be absent or 0, nothing else. Review/litigation are not mentioned at all.
    text = _headline(r)
    assert text.pop(("requests.received", None, Y), 0) == 0
    assert text == {("active.total", None, Y): 214}
    v = next(v for v in r.values if v.key == ("active.total", None, Y))
    assert "主动公开政府信息214条" in v.source.text and not v.approximate


# --- fees stated in prose --------------------------------------------------------------------------------

@pytest.mark.parametrize("page", [
    "80444_",  # 四 "2015年我局无政府信息公开收费及减免情况。"
    "80704_",  # 四、政策信息公开收费及减免情况 "未收费。" (says nothing of 减免: no fees.waived)
    "80810_",  # 四 "2014年度，我局无收费及减免情况。"
])
def test_prose_no_fees_charged(shared_dir, page):
    r = _parse(shared_dir, page)
    assert _text(r).get(("fees.request_fees", None, Y)) == 0


@pytest.mark.parametrize("page", ["80444_", "80810_"])  # "无…收费及减免情况": nothing waived either
def test_prose_no_fees_waived(shared_dir, page):
    r = _parse(shared_dir, page)
    assert _text(r).get(("fees.waived", None, Y)) == 0


def test_prose_fee_answer_without_waiver(shared_dir):
    # 80704 四 "未收费。": fees charged 0; the answer says nothing of 减免, so fees.waived stays absent
    r = _parse(shared_dir, "80704_")
    fees = {k: v for k, v in _text(r).items() if k[0].startswith("fees.")}
    assert fees == {("fees.request_fees", None, Y): 0}
