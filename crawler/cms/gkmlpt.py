"""Guangdong's 政府信息公开目录管理平台 (gkmlpt): a script app whose list exists only as JSON.

The index page `<prefix>/gkmlpt/index` is an app shell: the column id sits in the URL fragment
(`…/gkmlpt/index#2811`) and the site id in the page's `window._CONFIG = {SID: '755031', TREE: [...]}`. The list
is `GET <prefix>/gkmlpt/api/all/<column>?page=N&sid=<SID>` (1-based, 100 articles a page), answering
`{"classify": {…}, "total": 203, "articles": [{"id", "title", "url", "post_url", "publisher",
"first_publish_time", "display_publish_time", …}]}` (times in unix seconds). Articles are
`<prefix>/gkmlpt/content/X/Y/post_<id>.html` with the body in `div.article-content` and attachments as
`a.nfw-cms-attachment` links to `<prefix>/attachment/0/…`. Without a fragment the column is the one of
`_CONFIG.TREE` named like 年报/年度报告.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.cms.base import (
    Adapter,
    Listing,
    ListRequest,
    Page,
    SiteLike,
    dig,
    report_link,
)

_SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
_TREE_NODE = re.compile(r"""\{[^{}]*?["']?id["']?\s*:\s*["']?(\d+)["']?[^{}]*?["']?name["']?\s*:\s*["']([^"']+)["']""")
_REPORT_COLUMN = re.compile(r"年报|年度报告")
PAGE_SIZE = 100
MAX_PAGES = 2000
XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/javascript, */*; q=0.01"}


def _column(page: Page) -> str | None:
    fragment = urlsplit(page.url).fragment
    if fragment.isdigit():
        return fragment
    for m in _TREE_NODE.finditer(page.text):
        if _REPORT_COLUMN.search(m[2]):
            return m[1]
    return None


def api_url(index_url: str, column: str, sid: str, page: int) -> str:
    """The list API URL next to a gkmlpt index page: `<prefix>/gkmlpt/api/all/<column>?page=N&sid=<sid>`."""
    path = urlsplit(index_url).path
    root = path[: path.index("/gkmlpt/") + len("/gkmlpt/")] if "/gkmlpt/" in path else "/gkmlpt/"
    return urljoin(index_url, f"{root}api/all/{column}?page={page}&sid={sid}")


class Gkmlpt(Adapter):
    name = "gkmlpt"
    priority = 10

    def detect(self, page: Page) -> bool:
        return "/gkmlpt/" in urlsplit(page.url).path or ("_CONFIG" in page.text and bool(_SID.search(page.text)))

    def read(self, page: Page, site: SiteLike) -> Listing:
        if page.state.get("part") == "api":
            return self._read_api(page, site)
        listing = self.html_listing(page, site)
        sid, column = _SID.search(page.text), _column(page)
        if sid and column:
            state = {"part": "api", "page": 1, "column": column, "sid": sid[1], "index": page.url}
            listing.requests.append(ListRequest(api_url(page.url, column, sid[1], 1), self.name, headers=XHR, state=state))
        return listing

    def _read_api(self, page: Page, site: SiteLike) -> Listing:
        listing = Listing(self.name)
        try:
            data: Any = page.json()
        except json.JSONDecodeError:
            return listing
        articles = dig(data, "articles")
        articles = articles if isinstance(articles, list) else []
        for item in articles:
            if isinstance(item, dict):
                date = item.get("first_publish_time") or item.get("display_publish_time") or item.get("date")
                link = report_link(item.get("url") or item.get("post_url"), item.get("title"), date, page.url)
                if link:
                    listing.add_reports([link])
        total = dig(data, "total")
        if page.state.get("page") == 1 and isinstance(total, int) and articles:
            pages = min(math.ceil(total / max(len(articles), 1)), MAX_PAGES)
            st = page.state
            listing.requests += [
                ListRequest(api_url(st["index"], st["column"], st["sid"], n), self.name, headers=XHR, state={**st, "page": n})
                for n in range(2, pages + 1)
            ]
        return listing
