"""Family `html`: a column of static list pages, `index.html`, `index_1.html`, …, each linking the next ones with
plain `<a>` pager links (首页 / 上一页 / 下一页 / 尾页). The list pages of `anju`, `snsthj` and `tzspj` are the ones
the portal always served, byte for byte.

`build_static` is shared with the families whose static pages differ only in their pager (`trs`, `script`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from portal.chrome import encode, list_page
from portal.families.base import Listing, chunks, get, list_rows

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

Pager = Callable[["SiteSpec", int, int], str]  # (spec, page index, page count) -> pager markup


def list_name(spec: SiteSpec, page: int) -> str:
    """The file of list page `page` (0-based): `index.html`, `index_1.html`, …"""
    stem, _, ext = spec.list_file.partition(".")
    return spec.list_file if page == 0 else f"{stem}_{page}.{ext}"


def build_static(spec: SiteSpec, items: list[Article], pager: Pager, head: str = "") -> Listing:
    """Static list pages of `spec.per_page` items; the column's directory URL serves the first page too."""
    column = f"/{spec.name}/{spec.column}"
    groups = chunks(items, spec.per_page)
    listing = Listing(start_path=column + spec.list_file)
    for n, group in enumerate(groups):
        path = column + list_name(spec, n)
        markup = list_page(spec, list_rows(spec, group), pager(spec, n, len(groups)), head=head)
        listing.pages[path] = (encode(spec, markup), spec.content_type)
        listing.list_paths.append(path)
        listing.requests.append(get(path))
    listing.pages[column] = listing.pages[column + spec.list_file]
    return listing


def link_pager(spec: SiteSpec, page: int, pages: int) -> str:
    """共N页 当前第i页 and the four pager links, as plain anchors (spans where disabled)."""

    def link(target: int, text: str, enabled: bool) -> str:
        return f'<a href="{list_name(spec, target)}">{text}</a>' if enabled else f"<span>{text}</span>"

    return (
        f'<div class="page">共{pages}页　当前第{page + 1}页　'
        + link(0, "首页", page > 0) + " " + link(page - 1, "上一页", page > 0) + " "
        + link(page + 1, "下一页", page < pages - 1) + " " + link(pages - 1, "尾页", page < pages - 1)
        + "</div>\n"
    )  # fmt: skip


def build(spec: SiteSpec, items: list[Article]) -> Listing:
    return build_static(spec, items, link_pager)
