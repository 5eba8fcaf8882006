"""Family `script`: static list pages whose pager exists only as a hand-written script (site `qujiang`).

The variant served is the **page-count globals + `document.write`** one (research notes §3, "other variable
names seen"): each page declares `var countPage = N//共多少页` and `var currentPage = i` (0-based) and writes the
pager by concatenating `"index_" + (currentPage+1) + ".html"` and the like; no `createPageHTML` call and no
static pager anchor, so this exercises a crawler's other script path than `trs` does. Page 0 is `index.html`,
page i is `index_i.html` (the TRS numbering these templates come with).

Simplified: the column keeps the `.html` list files it always had (its article pages link `index.html`, and
their bytes must not change), where some real sites of this kind use `.shtml`; the 6-argument
`createPageHTML('page_div', N, i+1, 'index', 'shtml', total)` variant is not served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.chrome import column_metas
from portal.families.base import Listing
from portal.families.static import build_static

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

_WRITER = """var prePage = currentPage - 1;
var nextPage = currentPage + 1;
document.write("共" + countPage + "页&nbsp;&nbsp;当前第" + (currentPage + 1) + "页&nbsp;&nbsp;");
if (currentPage == 0) {
	document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;");
} else {
	document.write("<a href=\\"{stem}.{ext}\\">首页</a>&nbsp;");
	if (prePage == 0) {
		document.write("<a href=\\"{stem}.{ext}\\">上一页</a>&nbsp;");
	} else {
		document.write("<a href=\\"{stem}_" + prePage + ".{ext}\\">上一页</a>&nbsp;");
	}
}
if (nextPage < countPage) {
	document.write("<a href=\\"{stem}_" + (currentPage+1) + ".{ext}\\">下一页</a>&nbsp;");
	document.write("<a href=\\"{stem}_" + (countPage-1) + ".{ext}\\">尾页</a>");
} else {
	document.write("<span>下一页</span>&nbsp;<span>尾页</span>");
}
"""


def pager(spec: SiteSpec, page: int, pages: int) -> str:
    stem, _, ext = spec.list_file.partition(".")
    writer = _WRITER.replace("{stem}", stem).replace("{ext}", ext)
    return (
        '<div class="page"><script type="text/javascript">\n'
        f"var countPage = {pages}//共多少页\nvar currentPage = {page}//当前页\n{writer}</script></div>\n"
    )


def build(spec: SiteSpec, items: list[Article]) -> Listing:
    head = column_metas(spec, "政府信息公开", spec.cms["site_code"])
    return build_static(spec, items, pager, head=head)
