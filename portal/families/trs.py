"""Family `trs`: TRS WCM static lists paged by `createPageHTML` (site `qzswj`).

Faithful to the real pages (www.zhangshu.gov.cn's 综合信息 list, ../shared/corpus/cms/trs_zhangshu_zwgk_list.html):
the column publishes `index.html`, `index_1.html` … `index_{N-1}.html`; each page defines
`createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt)` inline (0-based index: page 0 is
`index.html`, page i is `index_i.html`) and calls it as `<script>createPageHTML(N, i, "index", "html");</script>`.
The function writes 首页 / 上一页 / 下一页 / 尾页, 总共N页, 当前第i页 and a `<select>` of every page with
`document.write`, so the HTML holds **no pager anchor**: a crawler must read the call. The page carries the
国办 site and column metas that TRS templates print. Items link `./YYYYMM/tYYYYMMDD_<id>.html` (relative to the
column) in table rows, and the site is GBK with a gb2312 meta, as before.

Simplified: the function is our own rendition of the template (same output, other code); there is no WCM login
link, no `<option>` pre-selection and no shared `/js` copy of the function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.chrome import column_metas
from portal.families.base import Listing
from portal.families.static import build_static

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

CREATE_PAGE_HTML = """<script language="javascript">
<!--
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt)
{
	//翻页函数：第0页为 _sPageName._sPageExt，第i页为 _sPageName_i._sPageExt
	var styleDIY = "fystyle";
	if (_nPageCount == null || _nPageCount <= 0) {
		return;
	}
	function pageFile(i) {
		return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
	}
	function pageLink(i, text, enabled) {
		if (!enabled) return "<font class=\\"" + styleDIY + "\\">" + text + "</font> ";
		return "<a href=\\"" + pageFile(i) + "\\" class=\\"" + styleDIY + "\\">" + text + "</a> ";
	}
	document.write("　　");
	document.write(pageLink(0, "首页", _nCurrIndex > 0));
	document.write(pageLink(_nCurrIndex - 1, "上一页", _nCurrIndex > 0));
	document.write(pageLink(_nCurrIndex + 1, "下一页", _nCurrIndex < _nPageCount - 1));
	document.write(pageLink(_nPageCount - 1, "尾页", _nCurrIndex < _nPageCount - 1));
	document.write("　<font class=\\"" + styleDIY + "\\">总共" + _nPageCount + "页</font>　");
	document.write("<font class=\\"" + styleDIY + "\\">当前第" + (_nCurrIndex + 1) + "页</font>　");
	document.write("<select name=\\"select\\" onchange=\\"location.replace(this.value)\\">");
	document.write("<option selected>转到</option>");
	for (var i = 0; i < _nPageCount; i++) {
		document.write("<option value=\\"" + pageFile(i) + "\\">第" + (i + 1) + "页</option>");
	}
	document.write("</select>");
} //WCM置标
-->
</script>
"""


def pager(spec: SiteSpec, page: int, pages: int) -> str:
    stem, _, ext = spec.list_file.partition(".")
    call = f'<script>createPageHTML({pages}, {page}, "{stem}", "{ext}");</script>'
    return f'<div class="page">{CREATE_PAGE_HTML}{call}</div>\n'


def build(spec: SiteSpec, items: list[Article]) -> Listing:
    head = column_metas(spec, "政府信息公开", spec.cms["site_code"])
    return build_static(spec, items, pager, head=head)
