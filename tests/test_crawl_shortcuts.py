"""The crawl's shortcuts skip work only where the answer cannot change: a page that cannot declare a meta refresh is
not decoded for Scrapy's check, a link that cannot name a file is not split and unquoted, an anchor's text is not
read on a page without file words, and per-page DEBUG records are not built at INFO."""

from __future__ import annotations

import logging
import random

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh
from scrapy.utils.test import get_crawler

from crawler.cms.attachments import find_attachments
from crawler.logformatter import QuietLogFormatter
from crawler.middlewares import MetaRefreshMiddleware, may_refresh

URL = "http://x.gov.cn/a/b.html"


def _page(head: str, body: str, encoding: str = "utf-8") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode(encoding)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_page('<meta http-equiv="refresh" content="0;url=/x">', "报告"), True),
        (_page('<META HTTP-EQUIV="Refresh" CONTENT="5; URL=/x">', ""), True),
        (_page('<meta charset="utf-8">' + "政府信息公开" * 500 + '<meta http-equiv="refresh" content="0;url=/x">', ""),
         True),  # 9,000 bytes in, 3,000 characters: Scrapy looks there
        (_page('<meta http-equiv="refresh" content="0;url=/x">', "", "utf-16"), True),  # NULs: always checked
        (_page('<meta charset="gbk">', "政府信息公开工作年度报告", "gbk"), False),
        (_page("", "x" * 20_000) + b'<meta http-equiv="refresh" content="0;url=/x">', False),  # beyond 4,096 chars
    ],
)
def test_may_refresh(body: bytes, expected: bool) -> None:
    assert may_refresh(body) is expected
    scrapy_finds = get_meta_refresh(HtmlResponse(URL, body=body)) != (None, None)
    assert scrapy_finds <= may_refresh(body)  # never a refresh Scrapy would follow skipped


def test_pages_that_cannot_refresh_are_the_pages_scrapy_finds_no_refresh_in() -> None:
    """Against Scrapy's own check: whenever may_refresh says no, Scrapy's get_meta_refresh finds nothing; pages with
    refresh tags here and there, in several encodings and cases, some inside comments and scripts."""
    rng = random.Random(7)
    tags = ['<meta http-equiv="refresh" content="0;url=/n">', "<META http-equiv=REFRESH content='3;URL=/n'>",
            '<meta http-equiv="Refresh" content="0">', "<!-- refresh -->", "<script>var refresh=1;</script>",
            '<meta name="description" content="x">']  # fmt: skip
    fillers = ["政府信息公开", "abc ", "<p>第一条</p>", "\u3000", "年度报告"]
    skipped = checked = 0
    for _ in range(400):
        parts = [rng.choice(fillers) * rng.randint(0, 800) for _ in range(3)]
        if rng.random() < 0.6:
            parts.insert(rng.randint(0, 3), rng.choice(tags))
        encoding = rng.choice(["utf-8", "gbk", "gb18030", "big5", "utf-16"])
        text = "".join(parts)
        if encoding == "big5":  # traditional script
            text = text.replace("政府信息公开", "政府資訊公開").replace("年度报告", "年度報告").replace("条", "條")
        body = _page(f'<meta charset="{encoding}">', text, encoding)
        response = HtmlResponse(URL, body=body, headers={"Content-Type": f"text/html; charset={encoding}"})
        if not may_refresh(body):
            skipped += 1
            assert get_meta_refresh(response) == (None, None)
        else:
            checked += 1
    assert skipped > 100 and checked > 100  # both kinds really drawn


def test_meta_refresh_middleware_still_redirects() -> None:
    crawler = get_crawler(settings_dict={})
    mw = MetaRefreshMiddleware.from_crawler(crawler)
    request = Request(URL)
    plain = HtmlResponse(URL, body=_page("", "报告"), request=request)
    assert mw.process_response(request, plain) is plain
    refresh = HtmlResponse(URL, body=_page('<meta http-equiv="refresh" content="0;url=/moved.html">', ""),
                           request=request)  # fmt: skip
    redirected = mw.process_response(request, refresh)
    assert isinstance(redirected, Request) and redirected.url == "http://x.gov.cn/moved.html"


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ('<a href="a.p\ndf">x</a>', [("http://x.gov.cn/a/a.pdf", "x")]),  # urlsplit drops the newline
        ('<a href="a%2Epdf">x</a>', [("http://x.gov.cn/a/a%2Epdf", "x")]),  # the dot percent-encoded
        ('<a href="a.p%64f">z</a>', [("http://x.gov.cn/a/a.p%64f", "z")]),  # a letter percent-encoded
        ('<a href="a&#46;pdf">x</a>', [("http://x.gov.cn/a/a.pdf", "x")]),  # a character reference
        ('<a href="/x">&#38468;&#20214;1</a>', [("http://x.gov.cn/x", "附件1")]),  # 附件 spelled as references
        ('<a href="/x" title="附件">  </a>', [("http://x.gov.cn/x", "附件")]),
        ('<a href="/d">下载附件</a>', [("http://x.gov.cn/d", "下载附件")]),
        ('<a href="/x.html">附件</a>', []),  # a web page, not a file
        ('<a href="/nav">首页</a><a href="/y.PDF">报告</a>', [("http://x.gov.cn/y.PDF", "报告")]),
        ('<a href="/nav">首页</a><a href="/list.html">更多</a>', []),
    ],
)
def test_find_attachments_shortcuts_keep_every_file_link(anchor: str, expected: list[tuple[str, str]]) -> None:
    found = find_attachments(f"<html><body>{anchor}</body></html>", URL)
    assert [(a.url, a.title) for a in found] == expected


@pytest.mark.parametrize(("level", "debug"), [("INFO", False), ("WARNING", False), ("DEBUG", True), (10, True)])
def test_quiet_log_formatter(level: str | int, debug: bool) -> None:
    crawler = get_crawler(settings_dict={"LOG_LEVEL": level})
    formatter = QuietLogFormatter.from_crawler(crawler)
    request = Request(URL)
    response = HtmlResponse(URL, body=b"<html></html>", request=request)
    crawled = formatter.crawled(request, response, None)  # type: ignore[arg-type]
    scraped = formatter.scraped({"x": 1}, response, None)  # type: ignore[arg-type]
    if debug:
        assert crawled is not None and crawled["level"] == logging.DEBUG and "Crawled" in crawled["msg"]
        assert scraped is not None and "Scraped" in scraped["msg"]
    else:
        assert crawled is None and scraped is None
    assert formatter.download_error is not None  # the other records are Scrapy's, unchanged


def test_crawl_settings_use_the_shortcuts() -> None:
    from crawler import settings

    assert settings.LOG_FORMATTER == "crawler.logformatter.QuietLogFormatter"
    assert settings.DOWNLOADER_MIDDLEWARES["crawler.middlewares.MetaRefreshMiddleware"] == 580
    assert settings.DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
