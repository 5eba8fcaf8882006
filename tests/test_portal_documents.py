"""The demo portal's documents and pages around the lists: report attachments (real PDF / DOCX / XLS files that
print the report's figures), list items that are not reports, home pages leading to the 年报 column, and the
server's methods. A real server on 127.0.0.1, urllib, no mocks.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import lxml.html


_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "xls": "application/vnd.ms-excel"}  # fmt: skip




def fetch(url: str, data: bytes | None = None, method: str | None = None, ctype: str | None = None):
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": ctype} if ctype else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def opened_text(kind: str, data: bytes) -> str:
    """The text of a file, opened by the library a reader would use."""
    if kind == "pdf":
        import pymupdf

        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return "".join(page.get_text() for page in doc)
    if kind == "docx":
        import docx

        document = docx.Document(io.BytesIO(data))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return "\n".join(" ".join(str(v) for v in row) for row in sheet.to_python())


# --- attachments ------------------------------------------------------------------------------------------


def test_documents_and_values_in(truth):
    by_kind: dict[str, list[dict]] = {}
    for r in truth["reports"]:
        docs = r["documents"]
        assert docs[0]["url"] == r["url"] and docs[0]["type"] in ("html", "pdf")
        assert r["values_in"] == "article" or r["values_in"] in [d["url"] for d in docs]
        for d in docs[1:]:
            by_kind.setdefault(d["type"], []).append(r)
    assert {k: len(v) for k, v in by_kind.items()} == {"pdf": 3, "docx": 2, "xls": 1}
    linked = sorted(d["url"] for r in truth["reports"] for d in r["documents"][1:])
    assert linked == truth["attachment_urls"]
    only = {(r["site"], r["report_year"]): r["values_in"].rsplit(".", 1)[1] for r in truth["reports"]
            if r["values_in"] != "article" and r["values_in"] != r["url"]}  # fmt: skip
    assert only == {("zqhjj", 2019): "xls", ("zqhjj", 2022): "pdf", ("sihong", 2021): "docx"}
    itself = [r for r in truth["reports"] if r["values_in"] == r["url"]]
    assert len(itself) == 1 and itself[0]["documents"] == [{"url": itself[0]["url"], "type": "pdf"}]
    copies = {(r["site"], r["report_year"]) for r in truth["reports"] if r["values_in"] == "article" and len(r["documents"]) > 1}
    assert copies == {("quzhou", 2016), ("quzhou", 2022), ("qzswj", 2023)}


def test_attachments_are_real_files_that_print_the_report(truth):
    from etl.evaluate import score
    from etl.parse import parse_document

    for r in truth["reports"]:
        for d in r["documents"]:
            if d["type"] == "html":
                continue
            status, headers, data = fetch(d["url"])
            assert status == 200 and headers["Content-Type"] == _TYPES[d["type"]], d["url"]
            text = opened_text(d["type"], data)
            assert r["title"] in text.replace("\n", ""), d["url"]
            name = d["url"].rsplit("=", 1)[1] if "filename=" in d["url"] else urlsplit(d["url"]).path.rsplit("/", 1)[1]
            parsed = parse_document(data, input=d["url"], content_type=headers["Content-Type"], filename=name)
            expected = {k: r[k] for k in ("values", "report_year", "format", "section_formats", "kind")}
            s = score(parsed, expected | {"path": d["url"]})
            assert s.ok and not s.mismatches, (d["url"], [m.describe() for m in s.mismatches[:5]])


def test_attachment_links_are_written_as_each_cms_writes_them(truth):
    pages = {(r["site"], r["report_year"]): fetch(r["url"])[2] for r in truth["reports"] if len(r["documents"]) > 1}
    assert b'href="/quzhou/module/download/downfile.jsp?classid=0&amp;filename=' in pages["quzhou", 2022]
    assert re.search(rb'href="/quzhou/attach/0/\d{19}\.pdf"', pages["quzhou", 2016])
    qzswj = pages["qzswj", 2023].decode("gbk")
    appendix = re.search(r"var file_appendix='<a href=\"(\./P0\d+\.docx)\">[^<]+\.docx</a>';", qzswj)
    assert appendix and "document.write(" in qzswj and 'if(file_appendix!=""){' in qzswj
    gkmlpt = pages["zqhjj", 2019].decode()
    assert "详见附件" in gkmlpt and re.search(
        r'<a class="nfw-cms-attachment" attachment-id="\d+" href="/zqhjj/attachment/0/\d+/\d+/\d+\.xls" alt="[^"]+\.xls">', gkmlpt
    )
    assert "nfw-cms-attachment\\u0022" in gkmlpt and "\\/zqhjj\\/attachment\\/0\\/" in gkmlpt  # DETAIL, escaped
    assert "详见附件" in pages["sihong", 2021].decode() and ".docx" in pages["sihong", 2021].decode()


def test_downfile_serves_by_file_name(portal, truth):
    url = next(u for u in truth["attachment_urls"] if "downfile.jsp" in u)
    status, headers, data = fetch(url)
    assert status == 200 and data.startswith(b"%PDF") and headers["Content-Disposition"].startswith("attachment;")
    assert fetch(re.sub(r"filename=\w+", "filename=0123456789abcdef0123456789abcdef", url))[0] == 404


# --- pages that are not reports ---------------------------------------------------------------------------


def test_report_like_items_that_lead_to_pages_that_are_not_reports(truth):
    assert len(truth["not_report_urls"]) == 2
    seen = set()
    for url in truth["not_report_urls"]:
        status, _, body = fetch(url)
        page = body.decode("utf-8")
        assert status == 200 and "政府信息公开" not in page.split("<body>")[1].split('<div class="footer">')[0]
        if "系统维护中" in page:
            seen.add("maintenance")
        if "统一身份认证" in page and '<input type="password" name="password">' in page and "<form" in page:
            seen.add("login")
    assert seen == {"maintenance", "login"}
    assert not set(truth["not_report_urls"]) & set(truth["report_urls"])


# --- home pages -------------------------------------------------------------------------------------------


def decoded(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gbk")  # qzswj, anju


def _anchor(markup: str, base: str, pattern: str) -> str | None:
    for a in lxml.html.fromstring(markup).iter("a"):
        if re.fullmatch(pattern, a.text_content().strip()):
            return urljoin(base, a.get("href"))
    return None


def test_home_pages_lead_to_the_start_url(portal, truth):
    assert truth["home_urls"] == sorted(s["home_url"] for s in truth["sites"].values() if s["home_url"])
    column = r"(?:政府信息公开年报|政府信息公开年度报告|年度报告|政府信息公開年度報告)"
    direct = 0
    for name, site in truth["sites"].items():
        home = site["home_url"]
        status, _, body = fetch(home)
        assert status == 200, home
        markup = decoded(body)
        target = _anchor(markup, home, column)
        if target is None:  # through the 信息公开 page
            xxgk = _anchor(markup, home, "政府信息公开")
            status, _, body = fetch(xxgk)
            assert status == 200, xxgk
            markup = decoded(body)
            assert '<ul class="sx-uls">' in markup and "政府信息公开指南" in markup
            target = _anchor(markup, xxgk, column)
        else:
            direct += 1
        assert target == site["start_urls"][0], name
    assert direct >= 2 and truth["sites"]["zqhjj"]["start_urls"] == [portal.url("/zqhjj/gkmlpt/index#2811")]


# --- the server -------------------------------------------------------------------------------------------


def test_methods(portal):
    page = portal.url("/quzhou/col/col1229/index.html")
    get = fetch(page)
    assert fetch(page, b"a=1", "POST", "application/x-www-form-urlencoded")[2] == get[2]  # POST to a page: the page
    assert fetch(page + "?uid=4562785&pageNum=3")[2] == get[2]  # query strings on pages are ignored
    head = fetch(page, method="HEAD")
    assert head[0] == 200 and head[2] == b"" and head[1]["Content-Length"] == str(len(get[2]))
    endpoint = portal.url("/quzhou/module/web/jpage/dataproxy.jsp")
    for method in ("PUT", "DELETE", "PATCH"):
        status, headers, _ = fetch(endpoint, method=method)
        assert status == 405 and headers["Allow"] == "GET, HEAD, POST"
    assert fetch(endpoint + "?page=1&columnid=1229&unitid=4562785", method="HEAD")[0] == 200
    assert fetch(portal.url("/quzhou/nowhere.jsp"), b"x=1", "POST")[0] == 404


def test_post_bodies_over_one_kept_alive_connection(portal):
    """Bodies are read whole, so requests on one HTTP/1.1 connection stay in step."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", urlsplit(portal.base_url).port, timeout=10)
    form = "channelid=200315&classsql=chnlid%3D5876&prepage=10&page={}"
    pages = []
    for n in (2, 3, 2):
        conn.request("POST", "/yongan/fjdzapp/search", body=form.format(n),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        pages.append(json.loads(conn.getresponse().read()))
        conn.request("POST", "/yongan/zwgk/zfxxgknb/index.htm", body="x" * 5000)
        assert b"list2.trsapi" in conn.getresponse().read()
    conn.close()
    assert pages[0] == pages[2] != pages[1] and len(pages[1]["data"]) == 2


def test_api_sites_are_the_same_in_both_epochs(portal):
    first = portal.truth()
    portal.set_epoch(2)
    try:
        second = portal.truth()
    finally:
        portal.set_epoch(1)
    for name in ("zqhjj", "sihong"):
        assert first["sites"][name] == second["sites"][name]
        assert [r for r in first["reports"] if r["site"] == name] == [r for r in second["reports"] if r["site"] == name]
    assert not [p for p in first["planted"] if p["site"] in ("zqhjj", "sihong")]  # nothing planted there
