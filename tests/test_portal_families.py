"""The demo portal's CMS families (portal.families): each list protocol answers as the real one does, and walking it
the way a crawler must (reading the parameters from the pages, never from the portal's code) makes exactly the
list requests that truth lists and reaches exactly the site's items. A real server on 127.0.0.1, urllib, no mocks.
"""

from __future__ import annotations

import json
import math
import re
import urllib.request
from html import unescape
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
import pytest
from conftest import http

from portal import Portal
from portal.server import AUTO_CORPUS

_TRS_CALL = re.compile(r'createPageHTML\((\d+),\s*(\d+),\s*"(\w+)",\s*"(\w+)"\)')
_PAGER_FILE = re.compile(r"(?:^|/)index_\d+\.\w+$")
_PAGER_WORDS = {"上一页", "下一页", "尾页"}  # not 首页: on these sites that is the home page




def send(url: str, *, form: dict | None = None, body: object = None, method: str | None = None) -> tuple[int, dict, bytes]:
    data, headers = None, {}
    if form is not None:
        data, headers = urlencode(form).encode(), {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    elif body is not None:
        data, headers = json.dumps(body).encode(), {"Content-Type": "application/json;charset=UTF-8"}
    return http(urllib.request.Request(url, data=data, headers=headers, method=method))


def text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gbk")


def anchors(markup: str, base: str) -> list[tuple[str, str, str]]:
    """(absolute URL, title attribute or text, text) of every anchor outside scripts."""
    doc = lxml.html.fromstring(markup)
    out = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "#")):
            out.append((urljoin(base, href), a.get("title") or a.text_content().strip(), a.text_content().strip()))
    return out


def items(markup: str, base: str, site_prefix: str) -> dict[str, str]:
    """The list items of a page: anchors with a title attribute, inside the site (pager links have none)."""
    doc = lxml.html.fromstring(markup)
    out = {}
    for a in doc.iter("a"):
        href = a.get("href")
        if href and a.get("title") and not href.startswith("javascript:"):
            url = urljoin(base, href)
            if url.startswith(site_prefix):
                out[url] = a.get("title")
    return out


def js_object(source: str) -> dict[str, str]:
    """`{col:1,path:'/quzhou/',…}` as a dict of strings."""
    return {k: v.strip("'\"") for k, v in re.findall(r"(\w+):('[^']*'|\"[^\"]*\"|[^,}]+)", source)}


# --- the walkers: one per family ------------------------------------------------------------------------


def _walk_static(start: str, prefix: str, pages_of) -> tuple[list[dict], dict[str, str]]:
    """Static list pages: fetch the first, learn the other page URLs from it (`pages_of(markup, url)`)."""
    requests, links = [], {}
    status, _, body = send(start)
    assert status == 200, start
    markup = text(body)
    others = pages_of(markup, start)
    for url in [start, *others]:
        if url != start:
            status, _, body = send(url)
            assert status == 200, url
            markup = text(body)
        requests.append({"method": "GET", "url": url})
        links |= items(markup, url, prefix)
    return requests, links


def _html_pages(markup: str, url: str) -> list[str]:
    seen, queue, out = {url}, [url], []
    while queue:  # follow pager anchors breadth-first
        page = queue.pop(0)
        body = markup if page == url else text(send(page)[2])
        for target, _, shown in anchors(body, page):
            pager = shown in _PAGER_WORDS or _PAGER_FILE.search(urlsplit(target).path)
            if pager and target.rsplit("/", 1)[0] == url.rsplit("/", 1)[0] and target not in seen:
                seen.add(target)
                queue.append(target)
                out.append(target)
    return sorted(out, key=lambda u: int(re.search(r"_(\d+)\.", u)[1]))


def _trs_pages(markup: str, url: str) -> list[str]:
    assert not [a for a in anchors(markup, url) if _PAGER_FILE.search(urlsplit(a[0]).path)], "static pager anchor"
    count, current, stem, ext = _TRS_CALL.search(markup).groups()
    assert current == "0" and "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt)" in markup
    return [urljoin(url, f"{stem}_{i}.{ext}") for i in range(1, int(count))]


def _script_pages(markup: str, url: str) -> list[str]:
    assert "createPageHTML" not in markup
    assert not [a for a in anchors(markup, url) if _PAGER_FILE.search(urlsplit(a[0]).path)], "static pager anchor"
    count = int(re.search(r"var countPage = (\d+)//共多少页", markup)[1])
    assert re.search(r"var currentPage = 0\b", markup)
    stem, ext = re.search(r'"(\w+)_" \+ \(currentPage\+1\) \+ "\.(\w+)', markup.replace('\\"', '"')).groups()
    return [urljoin(url, f"{stem}_{i}.{ext}") for i in range(1, count)]


def _walk_hanweb(start: str, prefix: str) -> tuple[list[dict], dict[str, str]]:
    body = text(send(start)[2])
    unit = re.search(r'<div id="(\d+)"><script type="text/xml"><datastore>', body)[1]
    records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", body, re.DOTALL)
    options = re.findall(r"\$\('#" + unit + r"'\)\.jpage\(\{(.*?)\}\);", body)[-1]
    total = int(re.search(r"totalRecord:(\d+)", options)[1])
    per_page, group = int(re.search(r"perPage:(\d+)", options)[1]), int(re.search(r"groupSize:(\d+)", options)[1])
    proxy = urljoin(start, re.search(r"proxyUrl:'([^']+)'", options)[1])
    form = js_object(re.search(r"var param_" + unit + r" = \{([^}]*)\}", body)[1])
    assert len(records) == min(total, per_page * group)
    requests = [{"method": "GET", "url": start}]
    links = {}
    for r in records:
        links |= items(r, start, prefix)
    window = per_page * group
    for g in range(1, math.ceil(total / window)):
        url = f"{proxy}?startrecord={g * window + 1}&endrecord={(g + 1) * window}&perpage={per_page}"
        status, headers, answer = send(url, form=form)
        assert status == 200 and headers["Content-Type"].startswith("text/xml")
        requests.append({"method": "POST", "url": url, "form": form})
        for r in re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", answer.decode(), re.DOTALL):
            links |= items(r, url, prefix)
    assert len(links) == total
    return requests, links


def _walk_trsapi(start: str, prefix: str, api: str) -> tuple[list[dict], dict[str, str]]:
    body = text(send(start)[2])
    static = body[body.index('ms-visible="showStatic"') : body.index('ms-visible="!showStatic"')]
    links = items(static, start, prefix)
    search_id = re.search(r"searchId:\s*(\d+)", body)[1]
    chnlid = re.search(r'classsql:\s*"" \|\| "chnlid=(\d+)"', body)[1]
    prepage = int(re.search(r"prepage:\s*(\d+)", body)[1])
    records = int(re.search(r"recordCount:\s*'(\d+)'", body)[1])
    assert "list2.trsapi" in body and 'quickMode: "动静结合"' in body and "maxStaticIndex: 1" in body
    requests = [{"method": "GET", "url": start}]
    for page in range(2, math.ceil(records / prepage) + 1):
        form = {"channelid": search_id, "classsql": f"chnlid={chnlid}", "sortfield": "-docorderpri,-docreltime",
                "prepage": str(prepage), "page": str(page)}  # fmt: skip
        status, _, answer = send(api, form=form)
        assert status == 200
        requests.append({"method": "POST", "url": api, "form": form})
        for row in json.loads(answer)["data"]:
            url = urljoin(api, row["docpuburl"])
            assert row["chnldocurl"] == row["docpuburl"] and url.startswith(prefix)
            links[url] = row["doctitle"]
    return requests, links


def _walk_gkmlpt(start: str, prefix: str) -> tuple[list[dict], dict[str, str]]:
    page_url, _, column = start.partition("#")
    body = text(send(page_url)[2])
    assert "<a " not in body[body.index("<body>") :]  # an app shell: no list in the HTML
    sid = re.search(r"SID:\s*'(\d+)'", body)[1]
    tree = json.loads(re.search(r"TREE:\s*(\[.*?\])\n", body)[1])
    assert any(node["id"] == int(column) and "年报" in node["name"] for node in tree)
    requests, links, page, total = [{"method": "GET", "url": page_url}], {}, 1, None
    while total is None or (page - 1) * 100 < total:
        url = urljoin(page_url, f"api/all/{column}?page={page}&sid={sid}")
        data = json.loads(send(url)[2])
        requests.append({"method": "GET", "url": url})
        total = data["total"]
        links |= {urljoin(url, a["url"]): a["title"] for a in data["articles"]}
        page += 1
    return requests, links


def _walk_json(start: str, prefix: str, api: dict) -> tuple[list[dict], dict[str, str]]:
    """From the site entry's `list_api` (the schema the crawler implements)."""
    assert send(start)[0] == 200
    requests, links = [{"method": "GET", "url": start}], {}
    page, total = api["first_page"], None

    def fill(value: object) -> object:
        if value == "{page}":
            return page
        return value.replace("{page}", str(page)).replace("{size}", str(api["page_size"])) if isinstance(value, str) else value

    def dig(data: object, path: str) -> object:
        for key in path.split("."):
            data = data[key]  # type: ignore[index]
        return data

    while total is None or (page - api["first_page"]) * api["page_size"] < total:
        url = urljoin(start, fill(api["url"]))
        body = {k: fill(v) for k, v in api["json"].items()}
        status, _, answer = send(url, body=body, method=api["method"])
        assert status == 200
        requests.append({"method": api["method"], "url": url, "json": body})
        data = json.loads(answer)
        total = dig(data, api["total"])
        links |= {urljoin(url, dig(i, api["link"])): dig(i, api["title"]) for i in dig(data, api["items"])}
        page += 1
    return requests, links


def walk(portal: Portal, name: str) -> tuple[list[dict], dict[str, str]]:
    """Walk one site's list protocol from its site entry: (the list requests made, {item URL: title})."""
    entry = next(s for s in portal.sites_config() if s["name"] == name)
    prefix, family = entry["url_prefixes"][0], entry["cms"]
    requests, links = [], {}
    for start in entry["start_urls"]:
        if family == "html" or start.endswith("/_archive/index.html"):
            r, found = _walk_static(start, prefix, _html_pages)
        elif family == "trs":
            r, found = _walk_static(start, prefix, _trs_pages)
        elif family == "script":
            r, found = _walk_static(start, prefix, _script_pages)
        elif family == "hanweb":
            r, found = _walk_hanweb(start, prefix)
        elif family == "trsapi":
            r, found = _walk_trsapi(start, prefix, urljoin(start, entry["list_api"]["url"]))
        elif family == "gkmlpt":
            r, found = _walk_gkmlpt(start, prefix)
        else:
            r, found = _walk_json(start, prefix, entry["list_api"])
        requests += r
        links |= found
    return requests, links


# --- walking each family reaches exactly its site's items -------------------------------------------------


def site_items(truth: dict, name: str) -> set[str]:
    prefix = truth["sites"][name]["url_prefix"]
    keys = ("report_urls", "skipped_urls", "disallowed_urls", "missing_urls", "not_report_urls")
    return {u for k in keys for u in truth[k] if u.startswith(prefix)}


@pytest.mark.parametrize("epoch", [1, 2])
def test_walking_each_protocol_reaches_exactly_its_items(portal, epoch):
    portal.set_epoch(epoch)
    try:
        truth = portal.truth()
        assert {s["family"] for s in truth["sites"].values()} >= {"html", "trs", "script", "hanweb", "trsapi",
                                                                  "gkmlpt", "json"}  # fmt: skip
        for name, site in truth["sites"].items():
            requests, links = walk(portal, name)
            assert requests == site["list_requests"], name
            assert set(links) == site_items(truth, name), name
            assert set(site["report_urls"]) <= set(links), name
            reports = {r["url"]: r for r in truth["reports"]}
            for url in site["report_urls"]:
                if reports[url]["values"] is not None:
                    assert links[url] == reports[url]["title"], url
            assert not set(links) & set(truth["removed_urls"])
    finally:
        portal.set_epoch(1)


def test_every_family_makes_its_own_kind_of_list_requests(truth):
    kinds = {
        name: sorted({(r["method"], "form" in r, "json" in r, "/api/" in r["url"]) for r in site["list_requests"]})
        for name, site in truth["sites"].items()
    }
    assert kinds["anju"] == kinds["qzswj"] == kinds["qujiang"] == [("GET", False, False, False)]
    assert kinds["quzhou"] == kinds["yongan"] == [("GET", False, False, False), ("POST", True, False, False)]
    assert kinds["zqhjj"] == [("GET", False, False, False), ("GET", False, False, True)]
    assert kinds["sihong"] == [("GET", False, False, False), ("POST", False, True, False)]
    assert sum(r["method"] == "POST" for r in truth["sites"]["quzhou"]["list_requests"]) >= 2
    assert sum("/api/" in r["url"] for r in truth["sites"]["zqhjj"]["list_requests"]) >= 2
    assert sum(r["method"] == "POST" for r in truth["sites"]["sihong"]["list_requests"]) >= 2
    assert sum(r["method"] == "POST" for r in truth["sites"]["yongan"]["list_requests"]) >= 2


# --- Hanweb -----------------------------------------------------------------------------------------------


def hanweb_setup(portal) -> tuple[str, dict, list[str]]:
    start = portal.url("/quzhou/col/col1229/index.html")
    body = text(send(start)[2])
    form = js_object(re.search(r"var param_(\d+) = \{([^}]*)\}", body)[2])
    return portal.url("/quzhou/module/web/jpage/dataproxy.jsp"), form, body


def hanweb_links(answer: bytes) -> list[str]:
    return re.findall(r"href='([^']+)'", answer.decode())


def test_hanweb_column_page_is_the_real_shape(portal):
    _, form, body = hanweb_setup(portal)
    for meta in ("<meta name='WebId' content='2'>", '<meta name="i_webid" content="2">', '<meta name="i_columnid" content="1229">',
                 '<meta name="SiteName"', '<meta name="ColumnName" content="政府信息公开年报">', '<meta name="pagetype" content="2">'):  # fmt: skip
        assert meta in body
    assert form == {"col": "1", "webid": "2", "path": "/quzhou/", "columnid": "1229", "sourceContentType": "1",
                    "unitid": "4562785", "webname": "%E8%A1%A2%E5%B7%9E%E5%B8%82%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C",
                    "permissiontype": "0"}  # fmt: skip
    assert body.count("totalRecord:22") == 2 and "dataStore:$('#4562785').children('script').html()" in body
    assert "proxyUrl:'/quzhou/module/web/jpage/dataproxy.jsp'" in body and "ajaxParam:param_4562785" in body
    assert "perPage:5" in body and "groupSize:2" in body
    assert "webname=%25E8%25A1%25A2" in body  # the <nextgroup> link: encoded twice
    store = body[body.index('<div id="4562785">') : body.index("</datastore>")]
    assert len(re.findall(r"<record><!\[CDATA\[", store)) == 10
    assert not items(body.replace(store, ""), portal.base_url, portal.url("/quzhou/art/"))  # records only in the store


def test_hanweb_post_window_returns_exactly_those_records(portal):
    proxy, form, body = hanweb_setup(portal)
    everything = hanweb_links(send(f"{proxy}?startrecord=1&endrecord=22&perpage=22", form=form)[2])
    assert len(everything) == 22 and everything[:10] == re.findall(r"href='([^']+)'", body)
    for start, end in ((11, 20), (21, 30), (3, 7), (22, 22)):
        status, headers, answer = send(f"{proxy}?startrecord={start}&endrecord={end}&perpage=5", form=form)
        assert status == 200 and headers["Content-Type"].startswith("text/xml")
        xml = answer.decode()
        assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>22</totalrecord>\n<totalpage>5</totalpage>\n<recordset>')
        assert hanweb_links(answer) == everything[start - 1 : end]
    assert hanweb_links(send(f"{proxy}?startrecord=31&endrecord=40&perpage=5", form=form)[2]) == []


def test_hanweb_mismatched_column_or_unit_answers_nothing(portal):
    proxy, form, _ = hanweb_setup(portal)
    for bad in ({"columnid": "1230"}, {"unitid": "4562786"}):
        status, _, answer = send(f"{proxy}?startrecord=1&endrecord=10&perpage=5", form=form | bad)
        assert status == 200 and b"<totalrecord>0</totalrecord>" in answer and not hanweb_links(answer)


def test_hanweb_get_page_mode(portal):
    proxy, form, body = hanweb_setup(portal)
    everything = hanweb_links(send(f"{proxy}?startrecord=1&endrecord=22&perpage=22", form=form)[2])
    query = urlencode({k: v for k, v in form.items() if k in ("webid", "path", "columnid", "unitid", "permissiontype")})
    status, _, answer = send(f"{proxy}?page=1&{query}")
    assert status == 200 and hanweb_links(answer) == everything and b"<totalpage>1</totalpage>" in answer
    assert hanweb_links(send(f"{proxy}?page=2&perpage=10&{query}")[2]) == everything[10:20]
    assert hanweb_links(send(f"{proxy}?page=3&perpage=10&{query}")[2]) == everything[20:]
    nextgroup = unescape(re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]+)"', body)[1])
    assert hanweb_links(send(urljoin(portal.base_url, nextgroup))[2]) == everything  # the link non-JS clients follow


# --- TRS and script pagers --------------------------------------------------------------------------------


def test_trs_pages_have_no_pager_anchors_only_the_create_page_html_call(portal, truth):
    urls = [r["url"] for r in truth["sites"]["qzswj"]["list_requests"]]
    assert len(urls) >= 3
    for i, url in enumerate(urls):
        status, headers, body = send(url)
        assert status == 200 and "charset" not in headers["Content-Type"]
        markup = body.decode("gbk")
        assert f'<script>createPageHTML({len(urls)}, {i}, "index", "html");</script>' in markup
        assert not [a for a in anchors(markup, url) if _PAGER_FILE.search(a[0]) or a[2] in _PAGER_WORDS]
        assert '<meta name="SiteName" content="衢州市商务局">' in markup and "//WCM置标" in markup
    assert urls[1].endswith("/index_1.html") and urls[-1].endswith(f"/index_{len(urls) - 1}.html")
    assert send(urls[-1].replace(f"index_{len(urls) - 1}", f"index_{len(urls)}"))[0] == 404


def test_script_pager_pages(portal, truth):
    urls = [r["url"] for r in truth["sites"]["qujiang"]["list_requests"]]
    assert len(urls) >= 2
    for i, url in enumerate(urls):
        markup = text(send(url)[2])
        assert f"var countPage = {len(urls)}//共多少页\nvar currentPage = {i}//当前页" in markup
        assert "createPageHTML" not in markup
        assert not [a for a in anchors(markup, url) if _PAGER_FILE.search(a[0]) or a[2] in _PAGER_WORDS]


# --- Fujian TRS API ---------------------------------------------------------------------------------------


def test_trsapi_static_page_and_json_pages(portal, truth):
    start = portal.url("/yongan/zwgk/zfxxgknb/index.htm")
    body = text(send(start)[2])
    assert '<meta name="ChnlId" content="5876">' in body and "searchId: 200315" in body
    assert 'require(["list2.trsapi", "tools"]' in body and "recordCount: '22'" in body
    static = items(body, start, portal.url("/yongan/"))
    assert len(static) == 10 and all("/zfxxgknb/" in u for u in static)
    assert send(portal.url("/yongan/zwgk/zfxxgknb/index_1.htm"))[0] == 404  # maxStaticIndex: 1
    api = portal.url("/yongan/fjdzapp/search")
    form = {"channelid": "200315", "classsql": "chnlid=5876", "sortfield": "-docorderpri,-docreltime", "prepage": "10"}
    pages = [json.loads(send(api, form=form | {"page": str(n)})[2]) for n in (1, 2, 3, 4)]
    assert [len(p["data"]) for p in pages] == [10, 10, 2, 0] and {p["pageCount"] for p in pages} == {3}
    assert {urljoin(api, d["docpuburl"]) for d in pages[0]["data"]} == set(static)  # page 1 = the static page
    row = pages[1]["data"][0]
    assert set(row) >= {"doctitle", "docpuburl", "chnldocurl", "docreltime", "pubdate", "chnlid", "docid2"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", row["docreltime"]) and row["docpuburl"].startswith("/yongan/")
    everything = json.loads(send(api, form=form | {"page": "1", "prepage": "500"})[2])["data"]
    assert [d["docpuburl"] for d in everything] == [d["docpuburl"] for p in pages for d in p["data"]]
    assert json.loads(send(api, form=form | {"page": "2", "classsql": "chnlid=1"})[2]) == {"data": [], "pageCount": 0}
    root = json.loads(send(portal.url("/fjdzapp/search"), form=form | {"page": "2"})[2])  # where real hosts answer
    assert root == pages[1]


def test_pingtan_list_page_two_comes_from_the_api(portal, truth):
    if not AUTO_CORPUS.is_dir():
        pytest.skip("real corpus not found")
    start = portal.url("/pingtan/zwgk/zfxxgk/zfxxgknb/")
    body = text(send(start)[2])
    static = items(body[body.index('ms-visible="showStatic"') :], start, portal.url("/pingtan/"))
    api = portal.url("/pingtan/fjdzapp/search")
    form = {"channelid": "200210", "classsql": "chnlid=1813", "sortfield": "-docorderpri,-docreltime", "prepage": "10"}
    first, second = (json.loads(send(api, form=form | {"page": p})[2]) for p in ("1", "2"))
    assert [urljoin(api, d["docpuburl"]) for d in first["data"]] == list(static)
    listed = {urljoin(api, d["docpuburl"]) for d in second["data"]}
    government = {r["url"] for r in truth["reports"] if r["site"] == "pingtan" and "/dfbmptlj/" not in r["url"]}
    assert listed == government - set(static) and len(listed) == 5 and second["pageCount"] == 2
    assert portal.url("/pingtan/fjdzapp/search") in truth["sites"]["pingtan"]["generated_urls"]


# --- gkmlpt -----------------------------------------------------------------------------------------------


def test_gkmlpt_app_shell_and_json_pages(portal, truth):
    body = text(send(portal.url("/zqhjj/gkmlpt/index"))[2])
    assert "window._CONFIG = {" in body and "SID: '758019'" in body and '"id":2811' in body
    api = portal.url("/zqhjj/gkmlpt/api/all/2811")
    zero, one, two, three = (json.loads(send(f"{api}?page={n}&sid=758019")[2]) for n in (0, 1, 2, 3))
    assert zero == one and one["total"] == two["total"] > 100 and len(one["articles"]) == 100
    assert len(two["articles"]) == one["total"] - 100 and three["articles"] == []
    assert one["classify"]["id"] == 2811 and one["classify"]["post_count"] == one["total"]
    article = one["articles"][0]
    for key in ("id", "title", "url", "post_url", "publisher", "first_publish_time", "display_publish_time",
                "created_at", "identifier", "document_number"):  # fmt: skip
        assert key in article
    assert article["url"] == f"/zqhjj/gkmlpt/content/{article['id'] // 10**6}/{article['id'] // 1000}/post_{article['id']}.html"
    assert isinstance(article["first_publish_time"], int)
    assert json.loads(send(f"{api}?page=1&sid=1")[2])["articles"] == []
    assert json.loads(send(portal.url("/zqhjj/gkmlpt/api/all/0") + "?page=2&sid=758019")[2])["articles"] == two["articles"]
    page = text(send(urljoin(api, article["url"]))[2])
    assert "window._CONFIG.DETAIL = {" in page and '<div class="article-content">' in page


# --- the JSON list API (Epoint) ---------------------------------------------------------------------------


def test_json_api_answers_its_list_api_description(portal, truth):
    entry = next(s for s in portal.sites_config() if s["name"] == "sihong")
    api = entry["list_api"]
    assert entry["cms"] == "json" and api["method"] == "POST" and api["items"] == "custom.data"
    assert {api["title"], api["link"], api["date"]} == {"realtitle", "infourl", "infodate"}
    url = urljoin(entry["start_urls"][0], api["url"])
    base = {k: v for k, v in api["json"].items() if v != "{page}"}
    one, two = (json.loads(send(url, body=base | {"pageIndex": n})[2]) for n in (1, 2))
    assert one["custom"]["total"] == two["custom"]["total"] > api["page_size"]
    assert len(one["custom"]["data"]) == api["page_size"] and two["custom"]["data"]
    as_strings = json.loads(send(url, body={k: str(v) for k, v in (base | {"pageIndex": 2}).items()})[2])
    assert as_strings == two  # numbers or numeric strings
    assert json.loads(send(url, body=base | {"pageIndex": 1, "categorynum": "999"})[2])["custom"]["data"] == []
    shell = text(send(entry["start_urls"][0])[2])
    assert '<ul class="ewb-list" id="list-items"></ul>' in shell and "/rest/lightfrontaction/getgovinfolist" in shell
    assert not items(shell, entry["start_urls"][0], entry["url_prefixes"][0])  # the list exists only as JSON
    info = text(send(portal.url("/sihong/js/webBuilderCommon.js"))[2])
    assert '"projectName":"/sihong/EWB-FRONT"' in info and api["json"]["siteGuid"] in info
    pdf_items = [d for d in one["custom"]["data"] + two["custom"]["data"] if d["infourl"].endswith(".pdf")]
    assert len(pdf_items) == 1 and "年度报告" in pdf_items[0]["realtitle"]
