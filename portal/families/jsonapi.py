"""Family `json`: a list that a script loads from a JSON API, described to the crawler by the site entry's
`list_api` (site `sihong`). The API served is Epoint EWB's `getgovinfolist` (research notes §6.3, from a crawler
of the Jiangsu county portals):

- the column page `/sihong/govInfoPub/zfxxgknb.html` is a shell: an empty `<ul id="list-items">`, the site's
  `var siteInfo = {"siteGuid": …, "projectName": "/sihong/EWB-FRONT"}` in `/sihong/js/webBuilderCommon.js`, and
  a script POSTing `{siteGuid, deptcode, categorynum, pageIndex, pageSize}` as JSON to
  `siteInfo.projectName + "/rest/lightfrontaction/getgovinfolist"`;
- `POST /sihong/EWB-FRONT/rest/lightfrontaction/getgovinfolist` answers
  `{"custom": {"total": T, "data": [{"infoid", "infourl", "realtitle", "title", "infodate", "categorynum",
  "deptname", "fileno"}]}, "status": {"code": 200, "text": ""}}`, `pageIndex` 1-based, `pageSize` items a page
  (numbers or numeric strings; a body wrapped as `{"params": {…}}` and form fields are read too). Another
  `siteGuid` or `categorynum` answers `total` 0. `infourl` is usually an article page, for one report the PDF
  itself; `title` is cut to 24 characters, `realtitle` is whole.

The site entry's description (`list_api(spec)`, the schema of crawler.cms.jsonapi):
`{"url": "/sihong/EWB-FRONT/rest/lightfrontaction/getgovinfolist", "method": "POST", "json": {…, "pageIndex":
"{page}", "pageSize": 20}, "first_page": 1, "page_size": 20, "items": "custom.data", "title": "realtitle",
"link": "infourl", "date": "infodate", "total": "custom.total", "pages": null}`.

Simplified: URLs are root-relative (the real `infourl` is site-relative too); the project name lives under the
site prefix; article pages are the portal's generic ones at `/sihong/xxgk/<categorynum>/<yyyymmdd>/<infoid>.html`;
whether real `pageIndex` is 0- or 1-based varies by deployment (1-based here, as the crawler that documents it).
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from portal.chrome import document, encode
from portal.families.base import JSON, Listing, Request, Response, dumps, get, int_param

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

API = "EWB-FRONT/rest/lightfrontaction/getgovinfolist"
PAGE_SIZE = 20
SHOWN = 24


def list_api(spec: SiteSpec) -> dict:
    """The `list_api` entry describing this site's API to the crawler (root-relative URL). The item's URL field
    is named by `link`: the brief's schema used `url` for both the endpoint and that field, and one JSON object
    cannot hold both (crawler.cms.jsonapi reads `link`)."""
    cfg = spec.cms
    return {
        "url": f"/{spec.name}/{API}",
        "method": "POST",
        "json": {"siteGuid": cfg["site_guid"], "deptcode": cfg["deptcode"], "categorynum": cfg["categorynum"],
                 "pageIndex": "{page}", "pageSize": PAGE_SIZE},
        "first_page": 1,
        "page_size": PAGE_SIZE,
        "items": "custom.data",
        "title": "realtitle",
        "link": "infourl",
        "date": "infodate",
        "total": "custom.total",
        "pages": None,
    }  # fmt: skip


def item_json(spec: SiteSpec, a: Article) -> dict:
    infoid = a.path.rsplit("/", 1)[1].split(".")[0]
    shown = a.title if len(a.title) <= SHOWN else a.title[:SHOWN] + "..."
    return {
        "infoid": infoid, "infourl": a.path, "realtitle": a.title, "title": shown, "infodate": f"{a.date:%Y-%m-%d}",
        "categorynum": spec.cms["categorynum"], "deptname": spec.publisher, "fileno": "",
    }  # fmt: skip


class _Api:
    def __init__(self, site_guid: str, categorynum: str, items: list[dict]) -> None:
        self.site_guid, self.categorynum, self.items = site_guid, categorynum, items

    def __call__(self, request: Request) -> Response:
        body: Any = request.json
        if isinstance(body, dict) and isinstance(body.get("params"), dict):
            body = body["params"]
        fields = body if isinstance(body, dict) else request.params
        if str(fields.get("siteGuid", "")) != self.site_guid or str(fields.get("categorynum", "")) != self.categorynum:
            return 200, dumps({"custom": {"total": 0, "data": []}, "status": {"code": 200, "text": ""}}), JSON
        size = int_param(fields.get("pageSize"), PAGE_SIZE, 1, 100)
        page = int_param(fields.get("pageIndex"), 1, 1)
        data = self.items[(page - 1) * size : page * size]
        return 200, dumps({"custom": {"total": len(self.items), "data": data}, "status": {"code": 200, "text": ""}}), JSON


def shell_page(spec: SiteSpec) -> str:
    cfg, site = spec.cms, f"/{spec.name}/"
    script = (
        f'<script src="{site}js/jquery.min.js"></script>\n<script src="{site}js/webBuilderCommon.js"></script>\n'
        "<script>\n"
        f'var categorynum = "{cfg["categorynum"]}";\nvar deptcode = "{cfg["deptcode"]}";\nvar pageSize = {PAGE_SIZE};\n'
        "function loadList(pageIndex) {\n"
        "    $.ajax({\n"
        '        url: siteInfo.projectName + "/rest/lightfrontaction/getgovinfolist",\n'
        '        type: "POST",\n        contentType: "application/json;charset=UTF-8",\n        dataType: "json",\n'
        "        data: JSON.stringify({siteGuid: siteInfo.siteGuid, deptcode: deptcode, categorynum: categorynum,\n"
        "                              pageIndex: pageIndex, pageSize: pageSize}),\n"
        "        success: function (res) {\n"
        "            var html = [];\n"
        "            $.each(res.custom.data, function (i, item) {\n"
        "                html.push('<li><a href=\"' + item.infourl + '\" title=\"' + item.realtitle + '\" target=\"_blank\">'\n"
        "                    + item.title + '</a><span class=\"date\">' + item.infodate + '</span></li>');\n"
        "            });\n"
        '            $("#list-items").html(html.join(""));\n'
        "            renderPager(pageIndex, Math.ceil(res.custom.total / pageSize));\n"
        "        }\n    });\n}\n"
        "function renderPager(current, count) {\n"
        '    $("#pager").html("共" + count + "页 当前第" + current + "页");\n}\n'
        "$(function () { loadList(1); });\n</script>\n"
    )
    main = (
        f'<div class="crumb">当前位置：<a href="{site}">首页</a> &gt; 政府信息公开 &gt; {cfg["column_name"]}</div>\n'
        f'<div class="ewb-info-list" id="infolist"><h2>{cfg["column_name"]}</h2>\n'
        '<ul class="ewb-list" id="list-items"></ul>\n<div class="ewb-page" id="pager"></div>\n</div>\n' + script
    )
    return document(spec, title=f"{cfg['column_name']}_{spec.site_title}", head="", main=main,
                    charset='<meta charset="utf-8">')  # fmt: skip


def site_info_js(spec: SiteSpec) -> bytes:
    cfg = spec.cms
    return (
        f'var siteInfo = {{"siteGuid":"{cfg["site_guid"]}","projectName":"/{spec.name}/EWB-FRONT",'
        f'"siteName":"{html.escape(spec.site_title)}"}};\n'
    ).encode()


def build(spec: SiteSpec, items: list[Article]) -> Listing:
    cfg, site = spec.cms, f"/{spec.name}/"
    path = f"{site}{spec.column}{spec.list_file}"
    listing = Listing(start_path=path, list_paths=[path], requests=[get(path)])
    listing.pages[path] = (encode(spec, shell_page(spec)), spec.content_type)
    listing.pages[f"{site}js/webBuilderCommon.js"] = (site_info_js(spec), "application/javascript;charset=UTF-8")
    listing.endpoints[site + API] = _Api(cfg["site_guid"], cfg["categorynum"], [item_json(spec, a) for a in items])
    body = {"siteGuid": cfg["site_guid"], "deptcode": cfg["deptcode"], "categorynum": cfg["categorynum"]}
    for page in range(1, math.ceil(len(items) / PAGE_SIZE) + 1):
        listing.requests.append({"method": "POST", "path": site + API, "json": body | {"pageIndex": page,
                                                                                       "pageSize": PAGE_SIZE}})
    return listing
