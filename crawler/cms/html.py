"""Plain HTML lists: report anchors in the page, pager anchors (下一页, page numbers, `index_N.html` files)."""

from __future__ import annotations

from crawler.cms.base import Adapter, Listing, Page, SiteLike


class PlainHtml(Adapter):
    """The fallback family: every page can be read this way, so it is detected last."""

    name = "html"
    priority = 100

    def detect(self, page: Page) -> bool:
        return True

    def read(self, page: Page, site: SiteLike) -> Listing:
        return self.html_listing(page, site)
