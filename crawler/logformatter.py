"""Scrapy's log formatter without the per-page DEBUG records a crawl at INFO never shows.

Scrapy asks the formatter for a "Crawled (200) <GET …>" record for every response and a "Scraped from …" record
for every item, at DEBUG. The root logger Scrapy configures passes every level and its handler drops DEBUG, so
each page built a dict and a LogRecord for nothing: about 2 % of a first crawl's CPU (py-spy, 10,000 reports).
Returning None is Scrapy's documented way to log nothing (`scrapy.logformatter.LogFormatter`); with
`LOG_LEVEL = "DEBUG"` the records are built and shown as before.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter, LogFormatterResult

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure


class QuietLogFormatter(LogFormatter):
    """`crawled` and `scraped` records only when the crawl logs DEBUG (module docstring)."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        level = crawler.settings.get("LOG_LEVEL") or "DEBUG"
        numeric = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        return cls(debug=not isinstance(numeric, int) or numeric <= logging.DEBUG)

    def crawled(self, request: Request, response: Response, spider: Spider) -> LogFormatterResult | None:  # type: ignore[override]
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult | None:  # type: ignore[override]
        return super().scraped(item, response, spider) if self.debug else None
