"""Hanweb / 大汉 JCMS column pages (most Jiangsu, Zhejiang, Shandong, Anhui, Jiangxi bodies).

The column page `/col/col<columnid>/index.html` keeps its first records in
`<div id="<unitid>"><script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>…</li>]]></record>…`
(the first `groupSize × perPage` records) and pages on through the jpage plugin, declared in the page:

    var param_<unitid> = {col:1,webid:355,path:'http://…/',columnid:59960,sourceContentType:1,unitid:'745545',…};
    $('#<unitid>').jpage({…totalRecord:224,…groupSize:3,proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:15,…
                          ajaxParam:param_<unitid>});

The browser then POSTs `<proxyUrl>?startrecord=S&endrecord=E&perpage=P` (1-based, inclusive; one group of
`groupSize × perPage` records per request) with the `param_` fields as a form, and gets
`<datastore><totalrecord>…</totalrecord><totalpage>…</totalpage><recordset><record><![CDATA[…]]></record>…`.
This adapter does the same: every group after the first is asked for from the first page (the last window runs
past `totalRecord` as the plugin's does; the server answers the records there are). Without a jpage
call it follows the `<nextgroup>` link (GET `dataproxy.jsp?page=1&…`, ~100 records a page) and the pages up
to the answer's `<totalpage>`. Reports are `/art/YYYY/M/D/art_<col>_<id>.html`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.cms.base import (
    Adapter,
    Listing,
    ListRequest,
    Page,
    SiteLike,
    js_number,
    js_object,
    links_from_fragment,
)

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]+)['\"]", re.DOTALL)
_JPAGE = re.compile(r"\.jpage\s*\(\s*\{(.*?)\}\s*\)", re.DOTALL)
_PARAM = re.compile(r"var\s+(param_\w+)\s*=\s*(\{[^{}]*\})")
_TOTAL_PAGES = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
MAX_RECORDS = 200_000
XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/xml, text/xml, */*; q=0.01"}


def _records(text: str) -> str:
    return "\n".join(_RECORD.findall(text))


def group_requests(scripts: str, page_url: str, name: str) -> list[ListRequest]:
    """The POSTs for every record group after the first, from the page's jpage call and its `param_` object."""
    params = {m[1]: js_object(m[2]) for m in _PARAM.finditer(scripts)}
    calls = [m[1] for m in _JPAGE.finditer(scripts)]
    call = next((c for c in reversed(calls) if "dataStore" in c), calls[-1] if calls else None)
    if call is None:
        return []
    total = js_number(call, "totalRecord")
    per_page = js_number(call, "perPage") or 15
    group = per_page * (js_number(call, "groupSize") or 1)
    proxy = re.search(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]", call)
    ajax = re.search(r"ajaxParam\s*:\s*(param_\w+)", call)
    if total is None or proxy is None or total > MAX_RECORDS:
        return []
    form = params.get(ajax[1], {}) if ajax else next(iter(params.values()), {})
    out = []
    for start in range(group + 1, total + 1, group):
        query = urlencode({"startrecord": start, "endrecord": start + group - 1, "perpage": per_page})
        url = urljoin(page_url, proxy[1]) + ("&" if "?" in proxy[1] else "?") + query
        out.append(ListRequest(url, name, method="POST", form=dict(form), headers=XHR, state={"part": "records"}))
    return out


def _page_url(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([("page", page), *query])))


class Hanweb(Adapter):
    name = "hanweb"
    priority = 20

    def detect(self, page: Page) -> bool:
        return "<datastore>" in page.text or bool(re.search(r"\.jpage\s*\(|/jpage/dataproxy\.jsp", page.text))

    def read(self, page: Page, site: SiteLike) -> Listing:
        if page.state.get("part") == "records":  # a dataproxy.jsp answer: XML records
            listing = Listing(self.name, links_from_fragment(_records(page.text), page.url, site))
            if page.state.get("mode") == "page" and page.state.get("page") == 1:
                total = _TOTAL_PAGES.search(page.text)
                pages = min(int(total[1]), 10_000) if total else 1
                listing.requests += [
                    ListRequest(_page_url(page.url, n), self.name, headers=XHR, state={"part": "records", "mode": "page", "page": n})
                    for n in range(2, pages + 1)
                ]
            return listing
        listing = self.html_listing(page, site)  # anchors outside the datastore (rarely reports)
        listing.add_reports(links_from_fragment(_records(page.text), page.url, site))
        scripts = "\n".join(page.scripts())
        groups = group_requests(scripts, page.url, self.name)
        if groups:
            listing.requests += groups
        elif nextgroup := _NEXTGROUP.search(page.text):
            url = _page_url(urljoin(page.url, nextgroup[1]), 1)
            listing.requests.append(ListRequest(url, self.name, headers=XHR, state={"part": "records", "mode": "page", "page": 1}))
        return listing
