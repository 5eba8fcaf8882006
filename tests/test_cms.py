"""The CMS family adapters (crawler.cms) on answers shaped like the real ones: pure, no server.

The real saved pages of each family are read in tests/test_real_sites.py; whole crawls of the demo portal's family
sites in tests/test_families.py.
"""

from __future__ import annotations

import json

import pytest

from crawler.cms import FAMILIES, Page, detect, read_list
from crawler.cms.attachments import file_type, find_attachments
from crawler.cms.base import date_text, dig, js_object
from crawler.sites import Site

SITE = Site.from_dict({"name": "t", "start_urls": ["http://www.x.gov.cn/col/col12/index.html"]})


def test_every_family_has_an_adapter() -> None:
    assert set(FAMILIES) == {"html", "trs", "script", "hanweb", "trsapi", "gkmlpt", "json"}
    assert FAMILIES[-1] == "html"  # the fallback is detected last


HANWEB = """<html><head><meta name="i_columnid" content="12"></head><body>
<div id="3301"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=7&columnid=12&unitid=3301"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href='/art/2023/1/5/art_12_901.html' title='某局2022年政府信息公开工作年度报告'>某局2022年…</a><span>2023-01-05</span></li>]]></record>
<record><![CDATA[<li><a href='/art/2022/12/1/art_12_880.html' title='关于报送2022年政府信息公开工作年度报告的通知'>关于报送…</a><span>2022-12-01</span></li>]]></record>
</recordset></datastore></script></div>
<script>var param_3301 = {col:1,webid:7,path:'http://www.x.gov.cn/',columnid:12,sourceContentType:1,unitid:'3301',webname:'%E6%9F%90%E5%B1%80',permissiontype:0};
$(function(){$('#3301').jpage({themeName:'default',showMode:'full',totalRecord:23,openCookies:false,dataStore:$('#3301').children('script').html(),groupSize:2,proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:5,ajaxParam:param_3301});});</script>
</body></html>"""

HANWEB_WINDOW = """<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>23</totalrecord><totalpage>5</totalpage>
<recordset><record><![CDATA[<li><a href="/art/2019/1/20/art_12_400.html" title="某局2018年政府信息公开工作年度报告">某局2018年…</a><span>2019-01-20</span></li>]]></record>
</recordset></datastore>"""


def test_hanweb_column_page_records_and_post_windows() -> None:
    page = Page(HANWEB, SITE.start_urls[0])
    assert detect(page) == "hanweb"
    listing = read_list(page, SITE)
    assert [(r.url, r.list_date) for r in listing.reports] == [
        ("http://www.x.gov.cn/art/2023/1/5/art_12_901.html", "2023-01-05")
    ]  # the notice about reports is not a report
    windows = [(r.method, r.url) for r in listing.requests]
    base = "http://www.x.gov.cn/module/web/jpage/dataproxy.jsp"
    assert windows == [("POST", f"{base}?startrecord=11&endrecord=20&perpage=5"),
                       ("POST", f"{base}?startrecord=21&endrecord=30&perpage=5")]  # fmt: skip
    assert dict(listing.requests[0].form or {}) == {
        "col": "1", "webid": "7", "path": "http://www.x.gov.cn/", "columnid": "12", "sourceContentType": "1",
        "unitid": "3301", "webname": "%E6%9F%90%E5%B1%80", "permissiontype": "0",
    }  # fmt: skip
    answer = read_list(Page(HANWEB_WINDOW, windows[0][1], state=listing.requests[0].state), SITE, "hanweb")
    assert [r.url for r in answer.reports] == ["http://www.x.gov.cn/art/2019/1/20/art_12_400.html"]
    assert answer.requests == []


def test_hanweb_without_jpage_call_follows_the_nextgroup_link_in_page_mode() -> None:
    page = Page(HANWEB.split("<script>var param_")[0] + "</body></html>", SITE.start_urls[0])
    listing = read_list(page, SITE)
    [first] = listing.requests
    assert first.method == "GET" and "page=1" in first.url and first.state["mode"] == "page"
    answer = read_list(Page(HANWEB_WINDOW, first.url, state=first.state), SITE, "hanweb")
    assert [r.state["page"] for r in answer.requests] == [2, 3, 4, 5]  # up to <totalpage>


@pytest.mark.parametrize(
    ("script", "files"),
    [
        ('createPageHTML(4, 0, "index", "html");', ["index_1.html", "index_2.html", "index_3.html"]),
        ("createPageHTML('page_div', 3, 1, 'fg', 'shtml', 45);", ["fg.shtml", "fg_2.shtml", "fg_3.shtml"]),
        ('var countPage = 3;//共多少页\nvar currentPage = 0;\ncreatePageHTML(countPage, currentPage, "index", "html");',
         ["index_1.html", "index_2.html"]),
    ],
)  # fmt: skip
def test_trs_pager_calls(script: str, files: list[str]) -> None:
    html = f"<html><body><ul></ul><script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){{}}</script><script>{script}</script></body></html>"
    page = Page(html, "http://www.x.gov.cn/zwgk/ndbg/index.html")
    assert detect(page) == "trs"
    assert [r.url for r in read_list(page, SITE).requests] == [f"http://www.x.gov.cn/zwgk/ndbg/{f}" for f in files]


def test_script_pager_with_count_variable_and_document_write() -> None:
    script = """var countPage = 4//共多少页
var currentPage = 0//当前页
if (currentPage < countPage - 1) document.write("<a href=\\"index_" + (currentPage + 1) + ".shtml\\">下一页</a>");"""
    page = Page(f"<html><body><script>{script}</script></body></html>", "http://www.x.gov.cn/xxgk/nb/index.shtml")
    assert detect(page) == "script"
    assert [r.url.rsplit("/", 1)[1] for r in read_list(page, SITE).requests] == [
        "index_1.shtml", "index_2.shtml", "index_3.shtml"]  # fmt: skip
    beijing = "Pager({size: 3, current: 0, prefix: 'index', suffix: 'html'});"
    page = Page(f"<html><body><script>{beijing}</script></body></html>", "http://www.x.gov.cn/a/index.html")
    assert [r.url.rsplit("/", 1)[1] for r in read_list(page, SITE).requests] == ["index_1.html", "index_2.html"]


TRSAPI = """<html><body><dl><dd><a href="./202403/t20240308_9.htm" title="某区2023年度政府信息公开工作年度报告">某区2023…</a></dd><dd>2024-03-08</dd></dl>
<script>var SiteInfo = { searchId: 200210, //检索
  defaultPgTemp: "pgBar.html" };</script>
<script>require(["list2.trsapi", "tools"], function(listModel, tools) { listModel({ quickMode: "动静结合", maxStaticIndex: 1,
  listArgs: { channelid: SiteInfo.searchId, classsql: "" || "chnlid=1813", sortfield: "-docorderpri,-docreltime" },
  pagebar: { prepage: 10, recordCount: '25', pgTemp: "pgBar_xxgk.html" } }); });</script></body></html>"""


def test_fujian_trs_api_pages_after_the_static_one() -> None:
    page = Page(TRSAPI, "http://www.x.gov.cn/zwgk/nb/")
    assert detect(page) == "trsapi"
    listing = read_list(page, SITE)
    assert [r.url for r in listing.reports] == ["http://www.x.gov.cn/zwgk/nb/202403/t20240308_9.htm"]
    assert [(r.method, r.url, r.form["page"]) for r in listing.requests] == [
        ("POST", "http://www.x.gov.cn/fjdzapp/search", "2"), ("POST", "http://www.x.gov.cn/fjdzapp/search", "3")]
    assert {k: v for k, v in listing.requests[0].form.items() if k != "page"} == {
        "channelid": "200210", "classsql": "chnlid=1813", "sortfield": "-docorderpri,-docreltime", "prepage": "10"}
    answer = {"data": [{"doctitle": "某区2019年度政府信息公开工作年度报告", "docpuburl": "/zwgk/nb/202001/t20200120_5.htm",
                        "docreltime": "2020-01-20 10:00:00"},
                       {"doctitle": "关于印发2020年政务公开工作要点的通知", "docpuburl": "/zwgk/nb/202004/t1.htm"}],
              "pageCount": 3}  # fmt: skip
    read = read_list(Page(json.dumps(answer), listing.requests[0].url, state=listing.requests[0].state), SITE, "trsapi")
    assert [(r.url, r.list_date) for r in read.reports] == [("http://www.x.gov.cn/zwgk/nb/202001/t20200120_5.htm", "2020-01-20")]


def test_gkmlpt_index_then_api_pages() -> None:
    index = "<html><body><div id=app></div><script>window._CONFIG = {SID: '758019', TREE: [{id: 2811, name: '政府信息公开年报'}]};</script></body></html>"
    page = Page(index, "http://www.x.gov.cn/zqhjj/gkmlpt/index#2811")
    assert detect(page) == "gkmlpt"
    [api] = read_list(page, SITE).requests
    assert api.url == "http://www.x.gov.cn/zqhjj/gkmlpt/api/all/2811?page=1&sid=758019"
    no_fragment = read_list(Page(index, "http://www.x.gov.cn/zqhjj/gkmlpt/index"), SITE).requests
    assert [r.url for r in no_fragment] == [api.url]  # the column named 年报 in _CONFIG.TREE
    articles = [{"id": 1, "title": "肇庆市生态环境局2023年政府信息公开工作年度报告", "url": "/zqhjj/gkmlpt/content/0/1/post_1.html",
                 "first_publish_time": 1706745600}] + [{"id": i, "title": f"通知{i}", "url": f"/n/{i}.html"} for i in range(2, 101)]  # fmt: skip
    read = read_list(Page(json.dumps({"total": 250, "articles": articles}), api.url, state=api.state), SITE, "gkmlpt")
    assert [(r.url, r.list_date) for r in read.reports] == [
        ("http://www.x.gov.cn/zqhjj/gkmlpt/content/0/1/post_1.html", "2024-02-01")]  # unix seconds, China time
    assert [r.url.split("?")[1] for r in read.requests] == ["page=2&sid=758019", "page=3&sid=758019"]


def test_json_list_api_from_the_site_entry() -> None:
    site = Site.from_dict({"name": "j", "start_urls": ["http://www.x.gov.cn/xxgk/nb.html"], "cms": "json",
                           "list_api": {"url": "/rest/getgovinfolist", "method": "POST",
                                        "json": {"categorynum": "005", "pageIndex": "{page}", "pageSize": "{size}"},
                                        "first_page": 0, "page_size": 2, "items": "custom.data", "title": "realtitle",
                                        "link": "infourl", "date": "infodate", "total": "custom.total"}})  # fmt: skip
    listing = read_list(Page("<html><body>loading…</body></html>", site.start_urls[0]), site)
    [first] = listing.requests
    assert (first.method, first.url, first.json) == (
        "POST", "http://www.x.gov.cn/rest/getgovinfolist", {"categorynum": "005", "pageIndex": 0, "pageSize": 2})
    answer = {"custom": {"total": 5, "data": [
        {"realtitle": "某县2023年政府信息公开工作年度报告", "infourl": "/xxgk/2024/01/a.html", "infodate": "2024-01-20"},
        {"realtitle": "某县2022年政府信息公开工作年度报告", "infourl": "/files/2022nb.pdf", "infodate": "2023-01-18"}]}}
    read = read_list(Page(json.dumps(answer), first.url, state=first.state), site)
    assert [r.url for r in read.reports] == ["http://www.x.gov.cn/xxgk/2024/01/a.html", "http://www.x.gov.cn/files/2022nb.pdf"]
    assert [r.json["pageIndex"] for r in read.requests] == [1, 2]  # 5 records, 2 a page
    with pytest.raises(ValueError, match="list_api"):
        Site.from_dict({"name": "j", "start_urls": ["http://www.x.gov.cn/"], "cms": "json"})
    with pytest.raises(ValueError, match="unknown cms"):
        Site.from_dict({"name": "j", "start_urls": ["http://www.x.gov.cn/"], "cms": "wordpress"})


def test_attachments_of_a_report_article() -> None:
    html = """<html><body><div id="zoom"><p>详见附件。</p>
    <a href="/module/download/downfile.jsp?classid=0&filename=9b2e1f.pdf">2022年报告.pdf</a>
    <a href="./P020230112.docx">附件1</a> <a href="/x/list.html">下载中心</a> <a href="/dl.jsp?id=3">附件下载</a>
    <a href="/zqhjj/attachment/0/306/306724/3255421.xls" class="nfw-cms-attachment">统计表</a></div>
    <script>var file_appendix='<a href="./P0201.et">表</a>';
    window._CONFIG.DETAIL = {content: "<a href=\\u0022\\/attachment\\/0\\/9\\/9\\/9.wps\\u0022>w</a>"};</script></body></html>"""
    found = [a.url for a in find_attachments(html, "http://www.x.gov.cn/a/b/t2023_1.html")]
    assert found == [
        "http://www.x.gov.cn/module/download/downfile.jsp?classid=0&filename=9b2e1f.pdf",
        "http://www.x.gov.cn/a/b/P020230112.docx",
        "http://www.x.gov.cn/dl.jsp?id=3",
        "http://www.x.gov.cn/zqhjj/attachment/0/306/306724/3255421.xls",
        "http://www.x.gov.cn/a/b/P0201.et",
        "http://www.x.gov.cn/attachment/0/9/9/9.wps",
    ]
    assert file_type("http://h/module/download/downfile.jsp?classid=0&filename=a.PDF") == "pdf"
    assert file_type("http://h/a/b.html") is None


def test_helpers() -> None:
    assert js_object("{col:1,path:'http://x/',name:\"a,b\"}") == {"col": "1", "path": "http://x/", "name": "a,b"}
    assert dig({"a": {"b": [{"c": 3}]}}, "a.b.0.c") == 3 and dig({"a": 1}, "a.b") is None
    assert date_text(1706745600) == "2024-02-01" and date_text(1706745600000) == "2024-02-01"
    assert date_text("2024-02-01 10:00:00") == "2024-02-01" and date_text(None) is None
