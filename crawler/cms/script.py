"""Lists paged by a hand-written script: a page-count variable and `document.write` of the pager anchors.

Real shapes: `var countPage = 8//共多少页` / `var currentPage = 0` and a script writing
`"<a href=\"index_" + (currentPage+1) + ".shtml\">下一页</a>"`; Beijing's `Pager({size: 8, current: 0,
prefix: 'index', suffix: 'html'})`. The file names come from the written template (`<stem>_` + number +
`.<ext>`), the count from the variable. Numbering follows TRS, which publishes these pages: the first page is
`<stem>.<ext>`, the next `<stem>_1.<ext>` (0-based); the first page itself saying `currentPage = 1` makes it
1-based (`<stem>_2.<ext>` next). Any later page repeats the same list.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.cms.base import (
    Adapter,
    Listing,
    Page,
    SiteLike,
    js_number,
    js_object,
    page_requests,
)
from crawler.cms.trs import MAX_PAGES

COUNT_NAMES = ("countPage", "pageCount", "PageCount", "totalPage", "totalPages", "totalpage", "pagecount",
               "page_count", "maxPage", "pageTotal", "allPage")  # fmt: skip
CURRENT_NAMES = ("currentPage", "curPage", "pageIndex", "currPage", "nowPage")
# "…index_" + (currentPage + 1) + ".shtml…" inside a written string
_TEMPLATE = re.compile(
    r"""([A-Za-z][\w-]*)_\\?["']\s*\+\s*\(?\s*[A-Za-z_$][\w$.]*\s*(?:[-+]\s*\d+\s*)?\)?\s*\+\s*\\?["']\.(s?html?|jsp|aspx?|php)\b"""
)
_PAGER = re.compile(r"\bPager\s*\(\s*(\{[^{}]*\})\s*\)")


def pager_files(scripts: str, page_file: str = "") -> list[str]:
    """Every list file a script pager pages through, the first included; [] when the scripts hold none.
    `page_file` is the file name of the page the scripts are on ("" for a directory URL: the first page)."""
    pager = next(_PAGER.finditer(scripts), None)
    if pager:
        fields = js_object(pager[1])
        count, name, ext = fields.get("size", ""), fields.get("prefix"), fields.get("suffix")
        if count.isdigit() and name and ext:
            first = page_file in ("", f"{name}.{ext}")
            return _files(name, ext, int(count), one_based=first and fields.get("current") == "1")
    if "document.write" not in scripts:
        return []
    template = next(_TEMPLATE.finditer(scripts), None)
    count = js_number(scripts, *COUNT_NAMES)
    if template is None or count is None:
        return []
    name, ext = template[1], template[2]
    first = page_file in ("", f"{name}.{ext}")
    return _files(name, ext, count, one_based=first and js_number(scripts, *CURRENT_NAMES) == 1)


def _files(name: str, ext: str, count: int, *, one_based: bool) -> list[str]:
    if count > MAX_PAGES:
        return []
    first = 2 if one_based else 1
    return [f"{name}.{ext}", *(f"{name}_{i}.{ext}" for i in range(first, count + first - 1))]


class ScriptPager(Adapter):
    name = "script"
    priority = 40

    def detect(self, page: Page) -> bool:
        return bool(pager_files("\n".join(page.scripts())))

    def read(self, page: Page, site: SiteLike) -> Listing:
        listing = self.html_listing(page, site)
        page_file = urlsplit(page.url).path.rsplit("/", 1)[-1]
        listing.requests += page_requests(page, pager_files("\n".join(page.scripts()), page_file), self.name)
        return listing
