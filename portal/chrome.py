"""The page chrome of the generated sites: the document frame (top bar, navigation, footer) around article, list
and home pages, and the site's byte encoding. Article pages are framed exactly as they always were (their bytes
are part of the warehouse's history), so `document` must not change for existing sites.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from portal.render import to_mirror_script

if TYPE_CHECKING:
    from portal.spec import SiteSpec

ICP = {"浙江省": "浙", "四川省": "蜀", "福建省": "闽", "江苏省": "苏", "广东省": "粤"}


def document(spec: SiteSpec, *, title: str, head: str, main: str, charset: str | None) -> str:
    column = f"/{spec.name}/{spec.column}{spec.list_file}"
    footer_contact = "联系人：王堃" if spec.encoding == "gbk" else "联系人：办公室"  # 堃 is in GBK but not in GB2312
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        + (charset + "\n" if charset else "")
        + f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n"
        f'<div class="top"><a href="/{spec.name}/">{html.escape(spec.site_title)}</a>　<span>无障碍浏览</span>　<span>长者模式</span></div>\n'
        f'<div class="nav"><a href="/{spec.name}/">首页</a>　<a href="{column}">政务公开</a>　<span>政务服务</span>　<span>互动交流</span></div>\n'
        f"{main}"
        f'<div class="footer">主办单位：{html.escape(spec.author.agency)}　{footer_contact}　联系电话：{spec.author.phone}<br>'
        f"网站标识码：{spec.region['code']}0001　ICP备案号：{ICP[spec.region['province']]}ICP备05012345号</div>\n"
        "</body>\n</html>\n"
    )


def list_page(spec: SiteSpec, listing: str, pager: str, *, head: str = "", column: str = "政府信息公开") -> str:
    """A static list page: crumb, the column's rows (`listing`) and its pager (markup or a pager script)."""
    main = (
        f'<div class="crumb">当前位置：<a href="/{spec.name}/">首页</a> &gt; 政务公开 &gt; {column}</div>\n'
        f'<div class="column"><h2>{column}</h2>\n{listing}{pager}</div>\n'
    )
    return document(spec, title=f"{column}_{spec.site_title}", head=head, main=main, charset=spec.list_meta_charset)


def encode(spec: SiteSpec, markup: str, year: int | None = None) -> bytes:
    if spec.mirror:
        markup = to_mirror_script(markup, taiwan=year in spec.taiwan_years)
    return markup.encode(spec.encoding)  # strict: a character outside GBK is a bug here


def column_metas(spec: SiteSpec, column: str, site_code: str) -> str:
    """The 国办 standard site/column metas (SiteName … ColumnType) that TRS- and Hanweb-published pages carry."""
    domain = f"www.{spec.name}.gov.cn"
    return (
        f'<meta name="SiteName" content="{html.escape(spec.site_title)}">\n'
        f'<meta name="SiteDomain" content="{domain}">\n'
        f'<meta name="SiteIDCode" content="{site_code}">\n'
        f'<meta name="ColumnName" content="{column}">\n'
        f'<meta name="ColumnDescription" content="{column}">\n'
        f'<meta name="ColumnKeywords" content="{column}">\n'
        f'<meta name="ColumnType" content="{column}">\n'
    )
