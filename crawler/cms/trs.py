"""TRS WCM lists: static `index.html`, `index_1.html` … pages whose pager only a script writes.

The page calls the CMS's pager function with literal arguments (the function itself is defined inline or in a
shared script) and the browser writes the 首页/下一页/尾页 anchors; the HTML holds none. Two real signatures:

- `createPageHTML(21, 0, "index", "html")`: page count, current page (0-based), name, extension ->
  `index.html`, `index_1.html` … `index_20.html` (www.zhangshu.gov.cn, most TRS sites);
- `createPageHTML('page_div', 5, 1, 'fg', 'shtml', 89)`: container id first, current page 1-based, total
  records last -> `fg.shtml`, `fg_2.shtml` … `fg_5.shtml` (www.csrc.gov.cn, Kunshan).

An argument may be a variable set earlier in the page (`var countPage = 21`). Articles are
`./YYYYMM/tYYYYMMDD_<id>.html`; their body is `.TRS_Editor` (the parser reads the whole page anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from crawler.cms.base import Adapter, Listing, Page, SiteLike, js_number, page_requests

_CALL = re.compile(r"(?<![\w.])createPageHTML\s*\(([^()]*)\)")
_ARG = re.compile(r"""\s*(?:'([^']*)'|"([^"]*)"|([\w.]+))\s*(?:,|$)""")
MAX_PAGES = 2000  # a page count beyond this is a misreading, not a list


def _args(text: str, scripts: str) -> list[str | int] | None:
    """The call's arguments: strings as str, numbers (literal or from `var x = N`) as int; None if one is
    neither (the function's own definition, `createPageHTML(_nPageCount, …)`)."""
    out: list[str | int] = []
    for m in _ARG.finditer(text):
        if m[1] is not None or m[2] is not None:
            out.append(m[1] if m[1] is not None else m[2])
        elif m[3].isdigit():
            out.append(int(m[3]))
        elif (value := js_number(scripts, m[3].split(".")[-1])) is not None:
            out.append(value)
        else:
            return None
    return out


def pager_files(scripts: str) -> Iterator[str]:
    """The list files a `createPageHTML` call in `scripts` pages through (every page, the first included)."""
    for m in _CALL.finditer(scripts):
        args = _args(m[1], scripts)
        if not args:
            continue
        if isinstance(args[0], str) and len(args) >= 5:  # ('page_div', count, current(1-based), name, ext, total)
            count, name, ext = args[1], args[3], args[4]
            first = 2
        elif len(args) >= 4 and isinstance(args[0], int):  # (count, current(0-based), name, ext)
            count, name, ext = args[0], args[2], args[3]
            first = 1
        else:
            continue
        if not (isinstance(count, int) and isinstance(name, str) and isinstance(ext, str)) or count > MAX_PAGES:
            continue
        yield f"{name}.{ext}"
        yield from (f"{name}_{i}.{ext}" for i in range(first, count + first - 1))


class Trs(Adapter):
    name = "trs"
    priority = 30

    def detect(self, page: Page) -> bool:
        return next(pager_files("\n".join(page.scripts())), None) is not None

    def read(self, page: Page, site: SiteLike) -> Listing:
        listing = self.html_listing(page, site)
        listing.requests += page_requests(page, list(pager_files("\n".join(page.scripts()))), self.name)
        return listing
