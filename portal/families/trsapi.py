"""Family `trsapi`: Fujian's TRS "动静结合" lists, page 1 static and later pages from `/fjdzapp/search` (site
`yongan`; the real 平潭 list is served the same way by portal.corpus).

Faithful to the real 平潭 list (../shared/corpus/pingtan/_list_index.html, lines 330-450 and 735-830) and to the
scrapers of research notes §4:

- `index.htm` shows the first `prepage` items statically, `<dl><dd><a href="./YYYYMM/t…htm" target="_blank"
  title="…">…</a></dd><dd>date</dd></dl>`, inside `<div … ms-visible="showStatic">`, next to the avalon template
  block (`ms-repeat="list"`, `ms-attr-href="el.chnldocurl"`) and the pagebar include; `<meta name="ChnlId">` and
  `<meta name="SiteId">`; `var SiteInfo = {… searchId: <id> …}`; and the
  `require(["list2.trsapi", "tools"], … listModel({quickMode: "动静结合", maxStaticIndex: 1, listArgs:
  {channelid: SiteInfo.searchId, classsql: "" || "chnlid=<n>", sortfield: "-docorderpri,-docreltime"},
  pagebar: {prepage: P, recordCount: 'N', …}}))` script.
- Only page 1 is static (`maxStaticIndex: 1`; `index_1.htm` does not exist): pages 2… are reached only by
  `POST /yongan/fjdzapp/search` (form-urlencoded; `channelid`, `classsql=chnlid=<n>`, `sortfield`, `page`
  1-based, `prepage`; the other fields real pages send, `classcol` … `cache`, are accepted and ignored), answering
  JSON `{"data": [{"doctitle", "docpuburl", "chnldocurl", "docreltime", "pubdate", "fileno", "docsourcename",
  "puborg", "idxid", "chnlid", "doctype", "docid2"}], "pageCount": M}`. Page 1 of the API is the static page's
  items. A `channelid` or `classsql` that is not this column's answers `{"data": [], "pageCount": 0}`.
- The same search also answers at the host root, `/fjdzapp/search`, where real sites have it (one search per
  host, told apart by `channelid`): portal.server dispatches it by channel (`root_search`).

Simplified: `docpuburl` and `chnldocurl` are root-relative (`/yongan/zwgk/…htm`; real answers carry full
`https://host/…` URLs) so that answers do not depend on the port: resolve them against the API URL. No total
record field is sent (its real name is not confirmed); `sortfield` is not applied (the order is always newest
first); the WAS5 `docs` variant is not served.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from portal.chrome import column_metas, document, encode
from portal.families.base import (
    JSON,
    Endpoint,
    Listing,
    Request,
    Response,
    dumps,
    get,
    href,
    int_param,
)

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

API = "fjdzapp/search"
SORT = "-docorderpri,-docreltime"
_DOCID = re.compile(r"_(\d+)\.\w+$")


class Search:
    """One channel of a TRS search (`/fjdzapp/search`): rows in list order, `prepage` rows a page."""

    def __init__(self, channelid: int, chnlid: int, rows: list[dict], prepage: int) -> None:
        self.channelid, self.chnlid, self.rows, self.prepage = str(channelid), chnlid, rows, prepage

    def matches(self, params: Mapping[str, str]) -> bool:
        return params.get("channelid", "").strip() == self.channelid

    def __call__(self, request: Request) -> Response:
        p = request.params
        if not self.matches(p) or p.get("classsql", "").replace(" ", "") != f"chnlid={self.chnlid}":
            return 200, dumps({"data": [], "pageCount": 0}), JSON
        size = int_param(p.get("prepage"), self.prepage, 1, 1000)
        page = int_param(p.get("page"), 1, 1)
        data = self.rows[(page - 1) * size : page * size]
        return 200, dumps({"data": data, "pageCount": math.ceil(len(self.rows) / size)}), JSON


def root_search(searches: list[Search]) -> Endpoint:
    """The host-root `/fjdzapp/search`: the channel named by `channelid`, else an empty answer."""

    def answer(request: Request) -> Response:
        found = next((s for s in searches if s.matches(request.params)), None)
        return found(request) if found else (200, dumps({"data": [], "pageCount": 0}), JSON)

    return answer


def row(*, title: str, path: str, released: str, chnlid: int, source: str, idxid: str, fileno: str = "") -> dict:
    """One `data` entry (`released`: "YYYY-MM-DD HH:MM:SS")."""
    docid = _DOCID.search(path)
    return {
        "doctitle": title, "docpuburl": path, "chnldocurl": path, "docreltime": released,
        "pubdate": released[:10], "fileno": fileno, "docsourcename": source, "puborg": source, "idxid": idxid,
        "chnlid": chnlid, "doctype": 20, "docid2": int(docid[1]) if docid else 0,
    }  # fmt: skip


def list_block(spec: SiteSpec, items: list[Article], column: str) -> str:
    """The tab with the static items, the avalon template block and the pagebar include."""
    static = "".join(
        '\n<dl>\n<dd class="trt-col-sm-24 slb-trt-col-24 text_align_left">\n'
        f'<a href="{html.escape(href(spec, a.path))}" target="_blank" title="{html.escape(a.title)}">{html.escape(a.title)}</a>\n'
        '</dd>\n<dd class="trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left">\n'
        f"{a.date:%Y-%m-%d}\n</dd>\n</dl>\n"
        for a in items
    )
    return (
        '<div class="tabs info_tabs" ms-controller="list">\n'
        f'<div class="tabs_header"><ul><li class="on"><a class="cur_def" href="javascript:;">{column}</a></li></ul></div>\n'
        '<div class="rules_tabs_01 none_sm slb_none rules_tabs_no_bg"><dl><dt class="trt-col-sm-24 slb-trt-col-24">标题</dt>'
        '<dt class="trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left">发布日期</dt></dl></div>\n'
        f'<div class="rules_tabs_01 rules_tabs_no_bg" ms-visible="showStatic">{static}</div>\n'
        '<div class="rules_tabs_01 rules_tabs_no_bg" ms-visible="!showStatic" style="display: none">\n'
        '<div ms-if="list.length==0"><div ms-if="!error" class="loading"></div><div ms-if="error" ms-text="error|html"></div></div>\n'
        '<dl ms-if="list.length>0" ms-repeat="list" ms-if-loop="$index<10">\n'
        '<dd class="trt-col-sm-24 slb-trt-col-24 text_align_left"><a ms-attr-href="el.chnldocurl" ms-attr-title="el.doctitle" '
        'ms-text="el.doctitle|html" target="_blank"></a></dd>\n'
        "<dd class=\"trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left\" ms-text=\"el.docreltime|date('yyyy-MM-dd')\"></dd>\n"
        "</dl>\n</div>\n"
        '<div class="page_base mar_t_base" ms-controller="list_pagebar" ms-include-src="pgTemp" ms-if="pageCount>0"></div>\n'
        "</div>\n"
    )


def scripts(site: str, search_id: int, chnlid: int, prepage: int, total: int) -> str:
    """`var SiteInfo`, the loader and the `list2.trsapi` call."""
    return (
        "<script>\n    var SiteInfo = {\n        itpSiteId: 9,    //互动站点ID\n"
        f"        searchId: {search_id}, //默认的文档检索频道的ID\n"
        '        defaultPgTemp: "pgBar_pt.html",  //本站点默认的分页模板名\n'
        '        siteMsgType: "govSite",\n        initWindowRoot: false,\n        initPageview: true\n    };\n</script>\n'
        f'<script src="{site}images/model.min.js"></script>\n'
        f'<script type="text/javascript" src="{site}images/22mb_info_public_js.js"></script>\n'
        "<script>\n"
        '    require(["list2.trsapi", "tools"], function(listModel, tools) {\n'
        "        listModel({\n"
        '            quickMode: "动静结合",\n            maxStaticIndex: 1,\n'
        "            listArgs: {\n                channelid: SiteInfo.searchId,\n"
        f'                classsql: "" || "chnlid={chnlid}",\n                sortfield: "{SORT}"\n            }},\n'
        f"            pagebar: {{\n                prepage: {prepage},\n                recordCount: '{total}',\n"
        '                pgTemp: "pgBar_xxgk.html",\n                pgCountMode: "recordCount",\n                displayNum: 2\n'
        "            }\n        });\n    });\n</script>\n"
    )


def build(spec: SiteSpec, items: list[Article]) -> Listing:
    cfg = spec.cms
    site, column = f"/{spec.name}/", cfg["column_name"]
    path = f"{site}{spec.column}{spec.list_file}"
    search_id, chnlid, prepage = cfg["search_id"], cfg["chnlid"], cfg["prepage"]
    head = column_metas(spec, column, cfg["site_code"]) + (
        f'<meta name="ChnlId" content="{chnlid}">\n<meta name="SiteId" content="{cfg["site_id"]}"/>\n'
    )
    main = list_block(spec, items[:prepage], column) + scripts(site, search_id, chnlid, prepage, len(items))
    markup = document(spec, title=f"{column}_政府信息公开_{spec.site_title}", head=head, main=main,
                      charset='<meta charset="utf-8">')  # fmt: skip
    rows = [
        row(title=a.title, path=a.path, released=f"{a.date:%Y-%m-%d %H:%M:%S}", chnlid=chnlid, source=spec.publisher,
            idxid=f"{spec.index_code}{a.date.year}-{n:05d}")
        for n, a in enumerate(items, start=1)
    ]  # fmt: skip
    listing = Listing(start_path=path, list_paths=[path], requests=[get(path)])
    page = (encode(spec, markup), spec.content_type)
    listing.pages = {path: page, f"{site}{spec.column}": page}
    listing.endpoints[site + API] = Search(search_id, chnlid, rows, prepage)
    form = {"channelid": str(search_id), "classsql": f"chnlid={chnlid}", "sortfield": SORT, "prepage": str(prepage)}
    for page in range(2, math.ceil(len(items) / prepage) + 1):
        listing.requests.append({"method": "POST", "path": site + API, "form": form | {"page": str(page)}})
    return listing
