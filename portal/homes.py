"""Home pages, for "add a site from its home page": every site's `/<site>/` links its 信息公开 page, which links
the 年报 column (the site's start URL) with a real wording (政府信息公开年报, 政府信息公开年度报告, 年度报告); on
some sites the home page links the column itself (`cms["home"] = ("direct", text)`).

The 信息公开 page is modelled on a real TRS-published one (hdzfxxgk.hd.gov.cn,
../shared/corpus/cms/trs_handan_xxgk_home.html): the 国办 column metas, a 本栏检索 search form and the
`ul.sx-uls` column menu (公开指南, 公开制度, 法定主动公开内容, 年报, 依申请公开). The other menu entries lead to
small column pages that have no items yet.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from portal.chrome import column_metas, document, encode, list_page

if TYPE_CHECKING:
    from portal.spec import SiteSpec

DEFAULT_XXGK = "zfxxgk/index.html"
_MENU = [("zfxxgkzn/", "政府信息公开指南"), ("zfxxgkzd/", "政府信息公开制度"), ("fdzdgknr/", "法定主动公开内容")]


def _menu_item(href: str, text: str) -> str:
    return (
        '<li>\n<div class="su-l1"><div class="sx-tp"></div></div>\n'
        f'<div class="su-l2"><a href="{html.escape(href)}" target="_blank">{html.escape(text)}</a></div>\n</li>\n'
    )


def xxgk_page(spec: SiteSpec, start_path: str, text: str) -> str:
    site = f"/{spec.name}/"
    items = [(f"{site}zfxxgk/{d}", t) for d, t in _MENU] + [(start_path, text), (f"{site}zfxxgk/ysqgk/", "依申请公开")]
    main = (
        '<div class="sx-width"><div class="sx-cot1 clearFix"><div class="sx-c1-left">\n'
        f'<div class="sx-sos clearFix"><form id="schform" method="post" name="schform" action="{site}search/">'
        '<input type="text" placeholder="本栏检索" name="searchword" class="blinput"><button type="submit">搜索</button></form></div>\n'
        '<ul class="sx-uls">\n' + "".join(_menu_item(h, t) for h, t in items) + "</ul>\n</div></div></div>\n"
    )
    column = f"{spec.author.agency}政府信息公开"
    head = column_metas(spec, column, spec.cms.get("site_code", f"{spec.region['code']}0001"))
    return document(spec, title=column, head=head, main=main, charset=spec.list_meta_charset)


def home_page(spec: SiteSpec, links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in links)
    main = f'<div class="column"><h2>政务公开</h2><ul>{items}</ul></div>\n'
    return document(spec, title=spec.site_title, head="", main=main, charset=spec.list_meta_charset)


def build(spec: SiteSpec, start_path: str) -> tuple[dict[str, tuple[bytes, str]], list[str]]:
    """The home page (`/<site>/` and `/<site>/index.html`), the 信息公开 page and its other menu pages; returns
    (pages, home paths)."""
    site = f"/{spec.name}/"
    style, text = spec.cms.get("home", ("xxgk", "政府信息公开年报"))
    xxgk = site + spec.cms.get("xxgk", DEFAULT_XXGK)
    pages: dict[str, tuple[bytes, str]] = {}
    if style == "direct":
        links = ([(xxgk, "政府信息公开")] if "xxgk" in spec.cms else []) + [(start_path, text)]
    else:
        links = [(xxgk, "政府信息公开")]
        pages[xxgk] = (encode(spec, xxgk_page(spec, start_path, text)), spec.content_type)
        if xxgk.endswith("/index.html"):
            pages[xxgk.removesuffix("index.html")] = pages[xxgk]
        for directory, title in [*_MENU, ("ysqgk/", "依申请公开")]:
            empty = list_page(spec, '<ul class="list">\n<li>本栏目暂无信息</li>\n</ul>\n', "", column=title)
            pages[f"{site}zfxxgk/{directory}"] = (encode(spec, empty), spec.content_type)
    home = (encode(spec, home_page(spec, links)), spec.content_type)
    pages[site] = pages[site + "index.html"] = home
    return pages, [site]
