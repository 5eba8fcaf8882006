"""Fujian's TRS "动静结合" lists (www.pingtan.gov.cn, www.fujian.gov.cn and its departments).

The column page shows its first page statically (`<dl><dd><a href="./YYYYMM/t…htm" title="…">…</a></dd>…`) and
configures the rest in script:

    var SiteInfo = {… searchId: 200210, …};
    require(["list2.trsapi", "tools"], function(listModel, tools) { listModel({ quickMode: "动静结合",
        maxStaticIndex: 1, listArgs: {channelid: SiteInfo.searchId, classsql: "" || "chnlid=1813",
        sortfield: "-docorderpri,-docreltime"}, pagebar: {prepage: 10, recordCount: '20', …} }) });

Later pages come from the site's TRS search API at the host root: `POST /fjdzapp/search` with the form
`channelid`, `classsql`, `sortfield`, `page` (1-based), `prepage`, answering JSON
`{"data": [{"doctitle", "docpuburl", "chnldocurl", "docreltime", "pubdate", …}], "pageCount": N}` (the older
WAS5 variant answers `{"docs": [{"title", "url", "time"}]}`: read too). This adapter asks the API for every
page after the first (`ceil(recordCount / prepage)` pages; the API also serves the statically published ones).
A site entry may name another endpoint: `"list_api": {"url": "/fjdzapp/search"}`.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urljoin

from crawler.cms.base import (
    Adapter,
    Listing,
    ListRequest,
    Page,
    SiteLike,
    dig,
    js_number,
    report_link,
)

ENDPOINT = "/fjdzapp/search"
_MODEL = re.compile(r"listModel\s*\(\s*\{(.*)\}\s*\)", re.DOTALL)
_LIST_ARGS = re.compile(r"listArgs\s*:\s*\{([^{}]*)\}", re.DOTALL)
_SITE_INFO = re.compile(r"SiteInfo\s*=\s*\{(.*?)\};", re.DOTALL)
MAX_PAGES = 5000


def _value(expr: str, site_info: str) -> str | None:
    """A listArgs value: the last string literal of `"" || "chnlid=1813"`, a number, or `SiteInfo.<key>`."""
    strings = re.findall(r"""'([^']*)'|"([^"]*)\"""", expr)
    texts = [a or b for a, b in strings if a or b]
    if texts:
        return texts[-1]
    expr = expr.strip()
    if expr.isdigit():
        return expr
    if expr.startswith("SiteInfo."):
        found = js_number(site_info, expr.removeprefix("SiteInfo."))
        return None if found is None else str(found)
    return None


def _list_args(scripts: str) -> dict[str, str]:
    m = _LIST_ARGS.search(scripts)
    if m is None:
        return {}
    site_info = _SITE_INFO.search(scripts)
    out: dict[str, str] = {}
    for part in re.finditer(r"""(\w+)\s*:\s*((?:'[^']*'|"[^"]*"|[^,'"\n}])+)""", m[1]):
        value = _value(part[2], site_info[1] if site_info else "")
        if value is not None:
            out[part[1]] = value
    return out


class TrsApi(Adapter):
    name = "trsapi"
    priority = 25

    def detect(self, page: Page) -> bool:
        return "list2.trsapi" in page.text or bool(_MODEL.search(page.text) and "channelid" in page.text)

    def read(self, page: Page, site: SiteLike) -> Listing:
        if page.state.get("part") == "api":
            return self._read_api(page, site)
        listing = self.html_listing(page, site)
        scripts = "\n".join(page.scripts())
        model = _MODEL.search(scripts)
        args = _list_args(scripts)
        if model is None or "channelid" not in args:
            return listing
        per_page = js_number(model[1], "prepage") or 10
        records = js_number(model[1], "recordCount")
        pages = math.ceil(records / per_page) if records is not None else 1
        endpoint = urljoin(page.url, (site.list_api or {}).get("url") or ENDPOINT)
        form = {k: args[k] for k in ("channelid", "classsql", "sortfield") if k in args}
        for n in range(2, min(pages, MAX_PAGES) + 1):
            listing.requests.append(
                ListRequest(endpoint, self.name, method="POST", form=form | {"page": str(n), "prepage": str(per_page)},
                            headers={"X-Requested-With": "XMLHttpRequest"}, state={"part": "api", "page": n})
            )  # fmt: skip
        return listing

    def _read_api(self, page: Page, site: SiteLike) -> Listing:
        listing = Listing(self.name)
        data = page.json()
        items = dig(data, "data") if isinstance(dig(data, "data"), list) else dig(data, "docs")
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            link = report_link(
                item.get("docpuburl") or item.get("chnldocurl") or item.get("url"),
                item.get("doctitle") or item.get("title"),
                item.get("docreltime") or item.get("pubdate") or item.get("time"),
                page.url,
            )
            if link:
                listing.add_reports([link])
        return listing
