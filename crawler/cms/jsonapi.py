"""A JSON list API described in the site entry (`"cms": "json"`): for sites whose list a script loads from an
API this project has no dedicated adapter for (Epoint `getgovinfolist`, TRS search front ends, …).

    "list_api": {
      "url": "/api/list?channel=12&page={page}&size={size}",   (relative to the start URL; {page} {size} {offset})
      "method": "GET" | "POST",                                 (default GET)
      "form": {"pageIndex": "{page}"},                           (POST, form-urlencoded; optional)
      "json": {"pageIndex": "{page}", "pageSize": "{size}"},     (POST, JSON body; a value that is exactly one
                                                                  placeholder is sent as a number)
      "first_page": 1, "page_size": 20,
      "items": "custom.data",                                    (dotted path to the item array)
      "title": "realtitle", "link": "infourl", "date": "infodate",(fields of an item, dotted allowed)
      "total": "custom.total", "pages": null                     (record or page count; else: stop on a short page)
    }

The start URL (the column page people see) is fetched and archived; the API's first page is asked for from it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from crawler.cms.base import (
    Adapter,
    Listing,
    ListRequest,
    Page,
    SiteLike,
    dig,
    report_link,
)

MAX_PAGES = 5000


class ListApiError(ValueError):
    """A `list_api` entry that cannot be used (said when the site entry is loaded)."""


def check_list_api(config: Mapping[str, Any]) -> None:
    """Raise ListApiError when a `list_api` entry lacks what the adapter needs."""
    missing = [k for k in ("url", "items", "title", "link") if not config.get(k)]
    if missing:
        raise ListApiError(f"list_api needs {', '.join(missing)}")
    if str(config.get("method", "GET")).upper() not in ("GET", "POST"):
        raise ListApiError("list_api.method must be GET or POST")


def _fill(value: Any, numbers: Mapping[str, int]) -> Any:
    if isinstance(value, str):
        for key, n in numbers.items():
            if value == "{" + key + "}":
                return n
        for key, n in numbers.items():
            value = value.replace("{" + key + "}", str(n))
        return value
    if isinstance(value, Mapping):
        return {k: _fill(v, numbers) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, numbers) for v in value]
    return value


def api_request(config: Mapping[str, Any], base: str, page: int, name: str) -> ListRequest:
    """The request for API page `page` (numbered from `first_page`)."""
    size = int(config.get("page_size") or 20)
    first = int(config.get("first_page", 1))
    numbers = {"page": page, "size": size, "offset": (page - first) * size}
    url = urljoin(base, _fill(str(config["url"]), numbers))
    method = str(config.get("method", "GET")).upper()
    form = {k: str(v) for k, v in _fill(config["form"], numbers).items()} if config.get("form") else None
    body = _fill(config["json"], numbers) if config.get("json") is not None else None
    headers = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/javascript, */*; q=0.01"}
    return ListRequest(url, name, method=method, form=form, json=body, headers=headers,
                       state={"part": "api", "page": page, "base": base})  # fmt: skip


class JsonApi(Adapter):
    """Never detected: a site entry names it (`"cms": "json"` with `list_api`)."""

    name = "json"
    priority = 90

    def detect(self, page: Page) -> bool:
        return False

    def read(self, page: Page, site: SiteLike) -> Listing:
        config = site.list_api
        if not config:
            return self.html_listing(page, site)
        if page.state.get("part") != "api":
            listing = self.html_listing(page, site)
            listing.requests.append(api_request(config, page.url, int(config.get("first_page", 1)), self.name))
            return listing
        listing = Listing(self.name)
        try:
            data = page.json()
        except json.JSONDecodeError:
            return listing
        items = dig(data, str(config["items"]))
        items = items if isinstance(items, list) else []
        for item in items:
            link = report_link(dig(item, config["link"]), dig(item, config["title"]), dig(item, config.get("date")), page.url)
            if link:
                listing.add_reports([link])
        page_no, first = int(page.state["page"]), int(config.get("first_page", 1))
        size = int(config.get("page_size") or 20)
        pages, total = dig(data, config.get("pages")), dig(data, config.get("total"))
        if isinstance(pages, str) and pages.isdigit():
            pages = int(pages)
        if isinstance(total, str) and total.isdigit():
            total = int(total)
        if page_no == first and (isinstance(pages, int) or isinstance(total, int)):
            count = pages if isinstance(pages, int) else math.ceil(total / size)
            listing.requests += [
                api_request(config, page.state["base"], first + n, self.name) for n in range(1, min(count, MAX_PAGES))
            ]
        elif not isinstance(pages, int) and not isinstance(total, int) and len(items) >= size and page_no - first < MAX_PAGES:
            listing.requests.append(api_request(config, page.state["base"], page_no + 1, self.name))
        return listing
