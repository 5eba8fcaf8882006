"""Family `hanweb`: Hanweb / 大汉 JCMS columns paged by the jpage plugin through `dataproxy.jsp` (site `quzhou`).

Faithful to the real column page (nyj.shandong.gov.cn col59960, ../shared/corpus/cms/hanweb_shandong_nyj_col59960_list.html)
and to what working scrapers send (research notes §1):

- `/quzhou/col/col1229/index.html` carries `<meta name='WebId'>`, the 国办 site/column metas, `server`,
  `i_webid`, `i_columnid`, `i_articleid`, `pagetype`, `Maketime`; the list unit
  `<div id="<unitid>"><script type="text/xml"><datastore><nextgroup>…</nextgroup><recordset>…` holds the first
  `groupSize × perPage` records as `<record><![CDATA[<li>…</li>]]></record>` (after the stray empty
  `<ul class='…'></ul>` that the real template prints inside `<recordset>`); then
  `var param_<unitid> = {col:1,webid:…,path:'/quzhou/',columnid:1229,sourceContentType:1,unitid:'…',webname:'%E8…',permissiontype:0};`,
  `jpage_<unitid>()` and the `$(function(){$('#<unitid>').jpage({…totalRecord:N,…dataStore:…,groupSize:G,
  proxyUrl:'/quzhou/module/web/jpage/dataproxy.jsp',perPage:P,…ajaxParam:param_<unitid>});});` call, with
  `totalRecord` printed twice as on the real page. The `<nextgroup>` link is the GET page-mode link with
  `webname` URL-encoded twice.
- `POST /quzhou/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P` with the `param_` fields as
  a form answers records S..E (1-based, inclusive) as `text/xml`:
  `<?xml …?><datastore><totalrecord>N</totalrecord><totalpage>⌈N/P⌉</totalpage><recordset><record>…`.
  A `columnid`/`unitid` pair that is not this column's answers an empty datastore (`totalrecord` 0), as real
  servers answer another column's data or nothing. `GET …dataproxy.jsp?page=N&…` (page mode, the `<nextgroup>`
  link) answers page N (1-based) of `perpage` records (default 100, at most 300).
- Articles keep their `/quzhou/art/Y/M/D/art_1229_<id>.html` URLs; two report articles link a PDF copy of
  themselves the Hanweb ways, `/quzhou/module/download/downfile.jsp?classid=0&filename=<32 hex>.pdf` and
  `/quzhou/attach/0/<digits>.pdf` (portal.attachments).

Simplified: record hrefs are root-relative (`/quzhou/art/…`; the real page prints full `http://host/art/…`
URLs) so that bytes do not depend on the port; the group size is small (perPage 5 × groupSize 2) so that paging
takes several POSTs; no `appid`, no `#jpageform_<unitid>` inputs, no theme CSS or jpage.js behind the links;
the article pages are the portal's generic ones (no `ZJEG_RSS` markers), because their bytes are fixed.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING
from urllib.parse import quote

from portal.chrome import column_metas, document, encode
from portal.families.base import XML, Listing, Request, Response, get, int_param

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

PROXY = "module/web/jpage/dataproxy.jsp"
PAGE_MODE_SIZE, PAGE_MODE_MAX = 100, 300


def record(a: Article) -> str:
    title = html.escape(a.title)
    return (
        f"<li class=\"clearfix\"><a href='{html.escape(a.path)}' title='{title}' target=\"_blank\">{title}</a>"
        f'<span class="bt-data-time">{a.date:%Y-%m-%d}</span></li>'
    )


def datastore_xml(records: list[str], total: int, per_page: int) -> bytes:
    """A dataproxy.jsp answer."""
    body = "".join(f"<record><![CDATA[\n{r}]]></record>\n" for r in records)
    pages = math.ceil(total / per_page) if per_page else 0
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
        f"<totalrecord>{total}</totalrecord>\n<totalpage>{pages}</totalpage>\n<recordset>\n{body}</recordset>\n</datastore>\n"
    ).encode()


class _Proxy:
    """The dataproxy.jsp endpoint of one column (records in list order)."""

    def __init__(self, columnid: str, unitid: str, records: list[str], per_page: int) -> None:
        self.columnid, self.unitid, self.records, self.per_page = columnid, unitid, records, per_page

    def __call__(self, request: Request) -> Response:
        p = request.params
        if p.get("columnid") != self.columnid or p.get("unitid") != self.unitid:
            return 200, datastore_xml([], 0, self.per_page), XML
        total = len(self.records)
        if "page" in p:  # page mode (GET links such as <nextgroup>)
            size = int_param(p.get("perpage"), PAGE_MODE_SIZE, 1, PAGE_MODE_MAX)
            page = int_param(p.get("page"), 1, 1)
            return 200, datastore_xml(self.records[(page - 1) * size : page * size], total, size), XML
        size = int_param(p.get("perpage"), self.per_page, 1, PAGE_MODE_MAX)
        start = int_param(p.get("startrecord"), 1, 1)
        end = int_param(p.get("endrecord"), start + size - 1, 0)
        return 200, datastore_xml(self.records[start - 1 : end], total, size), XML


def build(spec: SiteSpec, items: list[Article]) -> Listing:
    cfg = spec.cms
    site, unit, webid = f"/{spec.name}/", str(cfg["unitid"]), cfg["webid"]
    columnid = spec.column.strip("/").removeprefix("col/col")
    per_page, group = cfg["per_page"], cfg["group_size"]
    proxy, column_path = site + PROXY, f"{site}{spec.column}{spec.list_file}"
    webname = quote(cfg["webname"], safe="")
    records = [record(a) for a in items]
    first = records[: per_page * group]
    nextgroup = (
        f'<a href="{proxy}?page=1&webid={webid}&path={site}&columnid={columnid}&unitid={unit}'
        f'&webname={quote(webname, safe="")}&permissiontype=0"></a>'
    )
    store = (
        f'<div id="{unit}"><script type="text/xml"><datastore>\n<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n'
        f"<recordset>\n<ul class='xxgk_list'>\n</ul>"
        + "".join(f"<record><![CDATA[\n\t{r}]]></record>\n" for r in first)
        + "</recordset>\n</datastore></script></div>"
    )
    options = (
        f"themeName:'default',showMode:'full',totalRecord:{len(records)},openCookies:false,"
        "dataBefore:'<ul class=\\'xxgk_list\\'>',{store}dataAfter:'</ul>',"
        f"groupSize:{group},proxyUrl:'{proxy}',perPage:{per_page},barPosition:'bottom',ajaxParam:param_{unit}"
    )
    without_store = options.replace("{store}", "")
    with_store = options.replace("{store}", "dataStore:$('#" + unit + "').children('script').html(),")
    script = (
        f'<link rel="stylesheet" type="text/css" href="{site}module/web/jpage/theme/default/css/jpage.css"/>'
        f'<script language="javascript" src="{site}module/web/jpage/jquery.jpage.js"></script><script>'
        f"var param_{unit} = {{col:1,webid:{webid},path:'{site}',columnid:{columnid},sourceContentType:1,"
        f"unitid:'{unit}',webname:'{webname}',permissiontype:0}}; "
        f"function jpage_{unit}(){{$('#jpageform_{unit} :input').each(function(){{param_{unit}[$(this).attr('name')]=$(this).val();}});"
        f"$('#{unit}').jpage({{{without_store}}});}};"
        f"$(function(){{$('#{unit}').jpage({{{with_store}}});}});"
        "</script>"
    )
    made = max((a.date for a in items), default=None)
    head = (
        f'<script language="javascript" src="{site}module/jslib/jquery/jquery.js"></script>\n'
        f"<meta name='WebId' content='{webid}'>\n"
        + (f"<meta name='Maketime' content='{made:%Y-%m-%d %H:%M:%S}'>\n" if made else "")
        + column_metas(spec, cfg["column_name"], cfg["site_code"])
        + f'<meta name="server" content="{column_path}">\n<meta name="i_webid" content="{webid}">\n'
        f'<meta name="i_columnid" content="{columnid}">\n<meta name="i_articleid" content="0">\n'
        '<meta name="pagetype" content="2">\n'
    )
    main = (
        f'<div class="crumb">当前位置：<a href="{site}">首页</a> &gt; 政务公开 &gt; {cfg["column_name"]}</div>\n'
        f'<div class="con-right" ergodic="view">\n<!-- -->{store}{script}\n</div>\n'
        f"<!-- visitcount Begin --><iframe src='../../module/visitcount/visit.jsp?type=2&i_webid={webid}&i_columnid={columnid}' "
        'name="vishidden" id="vishidden" frameborder="0" style="width:0; height:0; display:none"></iframe><!-- visitcount End -->\n'
    )
    charset = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
    markup = document(spec, title=f"{cfg['column_name']}_{spec.site_title}", head=head, main=main, charset=charset)
    page = (encode(spec, markup), spec.content_type)
    listing = Listing(start_path=column_path, list_paths=[column_path], requests=[get(column_path)])
    listing.pages = {column_path: page, f"{site}{spec.column}": page}
    listing.endpoints[proxy] = _Proxy(columnid, unit, records, per_page)
    form = {"col": "1", "webid": str(webid), "path": site, "columnid": columnid, "sourceContentType": "1",
            "unitid": unit, "webname": webname, "permissiontype": "0"}  # fmt: skip
    window = per_page * group
    for g in range(1, math.ceil(len(records) / window)):
        query = f"startrecord={g * window + 1}&endrecord={(g + 1) * window}&perpage={per_page}"
        listing.requests.append({"method": "POST", "path": f"{proxy}?{query}", "form": dict(form)})
    return listing
