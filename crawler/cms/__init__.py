"""CMS families of Chinese government sites, as data-driven adapters on one base (crawler.cms.base).

| family | module | list | paging |
|---|---|---|---|
| `html` | html | anchors in the page | pager anchors, `index_N.html` |
| `trs` | trs | anchors | `createPageHTML(…)` call written by script (TRS WCM) |
| `script` | script | anchors | page-count variable + `document.write` template |
| `hanweb` | hanweb | `<datastore>` records in the column page | POST `dataproxy.jsp` record windows |
| `trsapi` | trsapi | anchors (first page) | POST `/fjdzapp/search` JSON (Fujian TRS 动静结合) |
| `gkmlpt` | gkmlpt | JSON only | `gkmlpt/api/all/<column>?page=N&sid=…` |
| `json` | jsonapi | JSON only | the site entry's `list_api` |

A site entry may name its family (`"cms"`); otherwise `detect` picks it from the first list page.
"""

from __future__ import annotations

import json

from crawler.cms.base import Adapter, Listing, ListRequest, Page, SiteLike
from crawler.cms.gkmlpt import Gkmlpt
from crawler.cms.hanweb import Hanweb
from crawler.cms.html import PlainHtml
from crawler.cms.jsonapi import JsonApi
from crawler.cms.script import ScriptPager
from crawler.cms.trs import Trs
from crawler.cms.trsapi import TrsApi

ADAPTERS: dict[str, Adapter] = {
    a.name: a for a in sorted((Gkmlpt(), Hanweb(), TrsApi(), Trs(), ScriptPager(), JsonApi(), PlainHtml()),
                              key=lambda a: a.priority)
}  # fmt: skip
FAMILIES = tuple(ADAPTERS)


def detect(page: Page) -> str:
    """The family of a first list page (`html` when nothing more specific matches)."""
    return next(name for name, adapter in ADAPTERS.items() if adapter.detect(page))


def read_list(page: Page, site: SiteLike, family: str | None = None) -> Listing:
    """Read a list answer with `family` (default: the site's `cms`, else detected from the page)."""
    family = family or site.cms or detect(page)
    listing = ADAPTERS[family].read(page, site)
    seen: set[str] = set()
    unique = []
    for req in listing.requests:  # generic pager anchors and a family's own paging often name the same page
        key = json.dumps([req.method, req.url, req.form, req.json], sort_keys=True, ensure_ascii=False, default=str)
        if key not in seen:
            seen.add(key)
            unique.append(req)
    listing.requests = unique
    return listing


__all__ = ["ADAPTERS", "FAMILIES", "Adapter", "ListRequest", "Listing", "Page", "detect", "read_list"]
