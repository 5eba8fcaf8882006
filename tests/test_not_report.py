"""Not a report (etl/identify.py): pages a crawl meets at report URLs that are not annual OGI reports are refused
(`ok: false`, `not_report`), on their own content only, while every real page stays a report.

The not-report pages below are written as such pages are published: a CMS article chrome (navigation, breadcrumb,
title, metadata line, article body, related links, footer) around the body, or a bare server page. The crawl's hints
(a report title as the list anchor, the site's agency, the list date) are passed to every one: they must not make a
page a report.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from etl.identify import classify_title_line, is_report_title, judge
from etl.model import Hints
from etl.parse import parse_document

HINTS = Hints(site="pingtan", agency="平潭综合实验区党工委管委会", region="福建省平潭县",
              title="平潭综合实验区2019年度政府信息公开工作年度报告", published_at="2020-01-20")
REPORT_LINK = "平潭综合实验区2022年度政府信息公开工作年度报告"


def cms_page(title: str, body: str, *, h1: str | None = None, info: str = "来源：平潭综合实验区管委会办公室 时间：2020-01-20 10:30",
             related: tuple[str, ...] = (REPORT_LINK, "平潭综合实验区2021年度政府信息公开工作年度报告")) -> bytes:
    """An article page of a government CMS (the chrome of the pingtan corpus pages, shortened)."""
    links = "".join(f'<li><a href="/xxgk/{i}.html">{html.escape(t)}</a></li>' for i, t in enumerate(related))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}_平潭综合实验区党工委管委会</title></head>
<body>
<div class="top"><a href="#">国务院</a> <a href="#">省政府</a> <a href="#">移动版</a> <a href="#">登录</a></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/jdhy/">解读回应</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul>
<div class="sub">政府信息公开 领导之窗 政府会议 政策文件库 政府工作报告 公示公告 政府信息公开年报</div></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/xxgk/">政府信息公开</a></div>
<div class="article">
<h1>{html.escape(title if h1 is None else h1)}</h1>
<div class="info">{info}</div>
<div class="TRS_Editor">{body}</div>
</div>
<div class="related">相关链接：<ul>{links}</ul></div>
<div class="footer">主办单位：平潭综合实验区党工委管委会办公室 网站标识码：3501280001 闽ICP备05012345号</div>
</body></html>""".encode()


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{html.escape(t)}</p>" for t in texts)


MAINTENANCE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>\xe7\xb3\xbb\xe7\xbb\x9f\xe7\xbb\xb4\xe6\x8a\xa4\xe4\xb8\xad</title>
<style>body{text-align:center;font-family:SimSun}</style></head><body><div class="wrap">
""" + """<h2>系统维护中</h2><p>为了给您提供更好的服务，本网站正在进行系统升级维护，维护期间暂停访问。</p>
<p>预计恢复时间：2024年3月1日 08:00</p><p>给您带来的不便，敬请谅解！</p>
<p>平潭综合实验区党工委管委会办公室 2024年2月28日</p></div></body></html>""".encode()

LOGIN = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>用户登录 - 平潭综合实验区政府信息公开平台</title></head>
<body><div class="login-box"><h3>统一身份认证平台</h3>
<form action="/sso/login" method="post"><table>
<tr><td>用户名：</td><td><input name="username" type="text"></td></tr>
<tr><td>密码：</td><td><input name="password" type="password"></td></tr>
<tr><td>验证码：</td><td><input name="captcha"><img src="/sso/captcha.jpg"></td></tr>
<tr><td colspan="2"><button type="submit">登录</button> <a href="/sso/register">注册</a> <a href="/sso/forget">忘记密码？</a></td></tr>
</table></form><p>您访问的政府信息公开平台需要登录后查看。</p>
<p>技术支持电话：0591-23165327（工作日 9:00-17:00）</p></div></body></html>""".encode()

SOFT_404 = cms_page("页面不存在", paragraphs(
    "抱歉！您访问的页面不存在或已被删除。",
    "可能原因：1、网址输入有误；2、该信息已过期或已被删除；3、网站栏目已调整。",
    "5秒后自动返回首页，或点击返回首页。",
), info="", related=())

NEWS_TRAINING = cms_page("我区举办2023年度政务公开业务培训班", paragraphs(
    "为进一步提升全区政务公开工作水平，12月5日，区管委会办公室举办2023年度政务公开业务培训班，区直各部门、各乡镇政务公开工作人员共120余人参加培训。",
    "培训邀请省政务公开办专家授课，围绕《中华人民共和国政府信息公开条例》的理解与适用、主动公开目录编制、依申请公开办理、政府信息公开工作年度报告编制等内容进行了系统讲解。",
    "培训强调，各单位要坚持以公开为常态、不公开为例外，规范依申请公开办理程序，按时编制并发布政府信息公开工作年度报告。",
    "下一步，区管委会办公室将继续加强政务公开业务指导，全年计划举办培训班2期，不断提升政务公开工作质效。",
))

NEWS_DEPLOYMENT = cms_page("区政务公开办召开2019年政府信息公开工作年度报告编制工作部署会", paragraphs(
    "1月8日，区政务公开办召开2019年政府信息公开工作年度报告编制工作部署会，区直各部门分管领导和信息公开工作人员参加会议。",
    "会议要求，各单位要严格按照新修订的年度报告格式，如实填报主动公开、依申请公开、行政复议和行政诉讼等情况，于1月31日前报送。",
))

NOTICE = cms_page("关于报送2019年政府信息公开工作年度报告的通知", paragraphs(
    "区直各部门，各乡镇人民政府：",
    "根据《中华人民共和国政府信息公开条例》第四十九条和国务院办公厅政府信息与政务公开办公室《关于政府信息公开工作年度报告有关事项的通知》要求，现就报送2019年政府信息公开工作年度报告有关事项通知如下：",
    "一、报告内容",
    "各单位年度报告应包括以下内容：",
    "（一）总体情况",
    "（二）主动公开政府信息情况",
    "（三）收到和处理政府信息公开申请情况",
    "（四）政府信息公开行政复议、行政诉讼情况",
    "（五）存在的主要问题及改进情况",
    "（六）其他需要报告的事项",
    "二、报送时间",
    "请于2020年1月20日前将年度报告电子版报送区政务公开办，并于1月31日前在本单位网站公开。",
    "联系人：林某某，电话：23165327。",
    "平潭综合实验区政务公开办公室",
    "2020年1月6日",
))

EXPLAINER = cms_page("图解：平潭综合实验区2022年度政府信息公开工作年度报告", paragraphs(
    "一、主动公开政府信息情况",
    "2022年，全区共主动公开政府信息13561条，其中政策文件类信息356条。",
    "二、收到和处理政府信息公开申请情况",
    "全年共收到政府信息公开申请56件，上年结转3件，办结57件，结转下年度继续办理2件。",
    "三、政府信息公开行政复议、行政诉讼情况",
    "因政府信息公开被申请行政复议2件，提起行政诉讼1件。",
    "四、存在的主要问题及改进情况",
    "政策解读形式还不够丰富，下一步将加强图解、视频等多元化解读。",
), related=(REPORT_LINK,))

EMPTY_SHELL = cms_page("", "", h1="", info="来源： 时间：", related=())

ONLY_ATTACHMENT = cms_page("政府信息公开年报", paragraphs("详见附件。") + '<p>附件：<a href="/uploads/2020/01/P020200120.pdf">附件1.pdf</a></p>',
                           h1="", related=())

NOT_REPORTS = {
    "maintenance": MAINTENANCE,
    "login": LOGIN,
    "soft-404": SOFT_404,
    "news-training": NEWS_TRAINING,
    "news-deployment-meeting": NEWS_DEPLOYMENT,
    "notice": NOTICE,
    "explainer": EXPLAINER,
    "empty-shell": EMPTY_SHELL,
    "only-attachment": ONLY_ATTACHMENT,
}


@pytest.mark.parametrize("name", list(NOT_REPORTS))
@pytest.mark.parametrize("hints", [None, HINTS], ids=["no-hints", "report-hints"])
def test_not_a_report_is_refused(name: str, hints: Hints | None) -> None:
    r = parse_document(NOT_REPORTS[name], input=f"http://www.pingtan.gov.cn/{name}.html", content_type="text/html",
                       hints=hints)
    assert (r.ok, r.not_report) == (False, True), (r.error, r.report)
    assert r.error is not None and r.error.startswith("not an annual report: ")
    assert r.report is None and r.values == [] and r.cells == []
    assert [(d.ok, d.error) for d in r.documents] == [(False, r.error)]
    contract = r.to_contract()
    assert set(contract) == {"input", "ok", "error", "report", "values", "unmapped", "issues"}
    assert (contract["ok"], contract["error"], contract["report"]) == (False, r.error, None)


def test_the_reasons_name_what_is_missing() -> None:
    def error(data: bytes) -> str | None:
        return parse_document(data, input="x", content_type="text/html").error

    assert error(MAINTENANCE) == "not an annual report: no report title, no report sections, no figures"
    assert error(LOGIN) == "not an annual report: no report title, no report sections, no figures"
    assert error(EMPTY_SHELL) == "not an annual report: no report title, no report sections, no figures"
    # prose figures alone (培训班2期) do not make a report
    assert error(NEWS_TRAINING) == "not an annual report: no report title, no report sections, figures only in prose (1)"
    notice = error(NOTICE)
    assert notice is not None and notice.startswith("not an annual report: a document about a report")
    assert "关于报送2019年政府信息公开工作年度报告的通知" in notice
    explainer = error(EXPLAINER)
    assert explainer is not None and "图解：平潭综合实验区2022年度政府信息公开工作年度报告" in explainer


def test_unreadable_is_not_not_a_report() -> None:
    for data in (b"", b"\x00\x01binary\x00", b"<!DOCTYPE html>", b"%PDF-1.7\n%\xe2\xe3"):
        r = parse_document(data, input="x")
        assert r.ok is False and r.not_report is False


def test_a_report_title_with_only_an_attachment_link_is_a_report() -> None:
    title = "平潭综合实验区商务局2022年政府信息公开工作年度报告"
    page = cms_page(title, paragraphs("详见附件。") + f'<p>附件：<a href="/a.pdf">{title}.pdf</a></p>')
    r = parse_document(page, input="x", content_type="text/html")
    assert r.ok and not r.not_report
    assert r.report is not None and (r.report.title, r.report.report_year) == (title, 2022)
    assert [i.check for i in r.issues] == ["values.none"]


def test_hints_never_make_a_page_a_report_but_still_fill_a_report() -> None:
    # the same 详见附件 page without a printed title: refused, whatever the list anchor says
    assert parse_document(ONLY_ATTACHMENT, input="x", content_type="text/html", hints=HINTS).not_report
    # a report printed without a title (seed-style: sections and a table) is one, and the hints fill its title
    body = paragraphs("一、概述", "2019年，我区认真贯彻落实《条例》。", "二、主动公开政府信息情况",
                      "全年主动公开政府信息1234条。", "三、依申请公开政府信息情况", "全年共收到政府信息公开申请5件。")
    r = parse_document(cms_page("信息公开", body, h1=""), input="x", content_type="text/html", hints=HINTS)
    assert r.ok and r.report is not None and r.report.title == HINTS.title


# --- title lines ---------------------------------------------------------------------------------------------------

# The crawler's anchor-title cases (tests/test_crawler.py): the shared rule gives the same answers.
CRAWLER_TITLE_CASES = [
    ("遂宁市安居区商务局2022年政府信息公开工作年度报告", True),
    ("2015年度政府信息公开年度报告", True),
    ("平潭县海洋与渔业局2011年工作公开年度报告", True),
    ("平潭综合实验区行政审批局 2015年政府信息公开年度报告", True),
    ("政府信息公开年报（２０２０年）", True),
    ("2019年度政务公开工作年报", True),
    ("關(guān)於報送2019年政府信息公開工作年度報告的通知", False),
    ("关于报送2019年政府信息公开工作年度报告的通知", False),
    ("关于做好2019年度政府信息公开工作年度报告编制工作的函", False),
    ("市政府办公室关于2020年政府信息公开工作年度报告的通报", False),
    ("2020年政务公开工作要点", False),
    ("图解：2022年政府信息公开工作年度报告", False),
    ("政府信息公开工作年度报告", False),
    ("2022年度部门预算公开", False),
    ("政府信息公开指南", False),
]


@pytest.mark.parametrize(("title", "expected"), CRAWLER_TITLE_CASES, ids=[t for t, _ in CRAWLER_TITLE_CASES])
def test_is_report_title_is_the_crawlers_rule(title: str, expected: bool) -> None:
    assert is_report_title(title) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("平潭综合实验区2016年度政府信息公开工作年度报告", "report"),
        ("平潭综合实验区2016年度政府信息公开工作年度报告（全文）", "report"),
        ("衢州市商务局2019年政府信息公开工作年度报告.pdf", "report"),
        ("2019年政府信息公开工作年度报告 衢州市商务局", "report"),  # a site or agency name after the title
        ("政府信息公开年报（2020年）", None),  # the document-title rule wants the year first (etl.meta)
        ("关于报送2019年政府信息公开工作年度报告的通知", "about"),
        ("关于《平潭综合实验区2022年度政府信息公开工作年度报告》的解读", "about"),
        ("图解：平潭综合实验区2022年度政府信息公开工作年度报告", "about"),
        ("区政务公开办召开2019年政府信息公开工作年度报告编制工作部署会", "about"),
        ("平潭综合实验区2022年度政府信息公开工作年度报告编制培训会", "about"),
        ("2019年政府信息公开工作年度报告格式（试行）", "about"),
        ("我区举办2023年度政务公开业务培训班", None),
        ("政府信息公开年报", None),
    ],
)
def test_title_lines(line: str, expected: str | None) -> None:
    got = classify_title_line(line)
    assert (None if got is None else ("about" if got.about else "report")) == expected


# --- the real pages stay reports -------------------------------------------------------------------------------------


def _real_pages(shared_dir: Path) -> list[Path]:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    corpus = sorted(p for p in (shared_dir / "corpus").glob("pingtan*/*.html") if not p.name.startswith("_"))
    assert (len(seeds), len(corpus)) == (5, 17)
    return seeds + corpus


def test_every_real_report_is_a_report_on_its_own_content(shared_dir: Path) -> None:
    from etl.parse import _read

    for path in _real_pages(shared_dir):
        ctype = "text/html" if path.suffix == ".html" else None
        r = parse_document(path.read_bytes(), input=str(path), content_type=ctype)
        assert r.ok and not r.not_report, (path.name, r.error)
        reading = _read(path.read_bytes(), content_type=ctype, filename=path.name, hints=None, convert=None)
        v = reading.verdict  # type: ignore[union-attr]
        # every one prints its title, or (seeds 000, 003, 004) at least five report sections and a statistical table
        assert v.title is not None or (len(v.sections) >= 5 and v.table_values >= 30), (path.name, v)


def test_real_list_and_home_pages_are_not_reports(shared_dir: Path) -> None:
    pages = [shared_dir / "corpus" / "pingtan" / "_list_index.html", *sorted((shared_dir / "corpus" / "cms").glob("*.html"))]
    for path in pages:
        r = parse_document(path.read_bytes(), input=str(path), content_type="text/html", hints=HINTS)
        assert r.not_report, (path.name, r.error)


def test_judge_reads_structure_and_tables_without_a_title() -> None:
    from etl.document import text_doc

    doc = text_doc("一、概述\n二、主动公开政府信息情况\n全年主动公开信息12条。")
    assert judge(doc, 0, 1).is_report and judge(doc, 0, 1).sections == ("active",)
    doc = text_doc("全年主动公开信息12条。")
    assert not judge(doc, 0, 1).is_report
    assert judge(doc, 3, 1).is_report  # figures in a report table
