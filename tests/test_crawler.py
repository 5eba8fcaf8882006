"""End-to-end crawls through `run_crawl` (a real `scrapy crawl ogi` subprocess) against loopback HTTP servers.

Contract protected: only list pages and report links are fetched (never other articles, never robots-disallowed
or out-of-prefix URLs); every fetched body lands in the archive byte-for-byte; 404 report links are recorded; a
second crawl of an unchanged site adds nothing; no site ever sees more in-flight requests than its budget.
Also unit tests of the pure list-page analysis (titles, dates, pagination) and of site configs.
"""

from __future__ import annotations

import json
import os
from collections import Counter
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from w3lib.url import safe_url_string

from crawler.archive import Archive
from crawler.run import CrawlFailed, run_crawl
from crawler.sites import Site, load_sites
from crawler.cms import Page, read_list
from crawler.cms.links import is_report_title, parse_date, parse_list_page
from crawler.spiders.ogi import politeness_settings

# ##### SERVER


@dataclass
class Resource:
    body: bytes
    status: int = 200
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)


class FixtureServer:
    """Threaded loopback server (backlog 1024) serving `resources` by path; logs requests, counts in-flight."""

    def __init__(self, resources: dict[str, Resource], delay: float = 0.0) -> None:
        self.resources = resources
        self.delay = delay
        self.requests: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                path = unquote(urlsplit(self.path).path)
                with server._lock:
                    server.requests.append(path)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if server.delay and path != "/robots.txt":
                        time.sleep(server.delay)
                    res = server.resources.get(path, Resource(b"not found", status=404, content_type="text/plain"))
                    self.send_response(res.status)
                    self.send_header("Content-Type", res.content_type)
                    self.send_header("Content-Length", str(len(res.body)))
                    for key, value in res.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(res.body)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 1024
            daemon_threads = True

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def requested(self, path: str) -> int:
        return self.requests.count(path)


# ##### FIXTURE SITE

ROBOTS = b"User-agent: *\nDisallow: /alpha/private/\n"


def _page(title: str, body: str, charset: str = "utf-8", meta: str | None = "utf-8") -> bytes:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}<title>{title}</title></head><body>{body}</body></html>".encode(charset)


def _report(title: str, charset: str = "utf-8") -> bytes:
    return _page(title, f"<h1>{title}</h1><table><tr><td>本年新收政府信息公开申请数量</td><td>12</td></tr></table>",
                 charset, "gb2312" if charset == "gbk" else "utf-8")  # fmt: skip


LIST_0 = """<ul class="list">
<li><a href="art/2022.html" title="测试局2022年政府信息公开工作年度报告">测试局2022年政府信息公开...</a><span>2023-01-15</span></li>
<li><span>[2016/02/01]</span><a href="art/2015.html">2015年度政府信息公开年度报告</a></li>
<li><a href="/alpha/art/fish2011.html">平潭县海洋与渔业局2011年工作公开年度报告</a> 2012年3月4日</li>
<li><a href="art/年报2021.html">测试局2021年政府信息公开工作年度报告</a></li>
<li><a href="art/2020.pdf">测试局2020年政府信息公开工作年度报告（PDF）</a></li>
<li><a href="art/old2019.html">测试局2019年政府信息公开工作年度报告</a></li>
<li><a href="art/missing2018.html">测试局2018年政府信息公开工作年度报告</a></li>
<li><a href="private/2017.html">测试局2017年政府信息公开工作年度报告</a></li>
<li><a href="/beta/art/2022.html">外站2022年政府信息公开工作年度报告</a></li>
<li><a href="art/notice.html">关于报送2019年政府信息公开工作年度报告的通知</a></li>
<li><a href="art/points.html">2020年政务公开工作要点</a></li>
<li><a href="art/safety.html">关于开展安全生产大检查的通知</a></li>
<li><a href="art/guide.html">政府信息公开指南</a></li>
</ul>
<div class="pager"><a href="index.html">1</a> <a href="index_1.html">2</a> <a href="index_1.html">下一页</a></div>"""

LIST_1 = """<table><tr><td><a href="art/2014.html">测试局2014年政府信息公开工作年度报告</a></td><td>2015-03-31</td></tr>
<tr><td><a href="art/other.html">2014年度绩效考核结果公示</a></td><td>2015-04-01</td></tr></table>
<a href="index.html">上一页</a> <a href="index_2.html">尾页</a> <a href="index_3.html">4</a>"""

# GBK bytes behind a lying <meta charset=utf-8>, and no charset in the Content-Type header.
LIST_2 = """<ul><li><a href="art/2013.html">平潭综合实验区2013年政府信息公开工作年度报告</a><span>2014年3月5日</span></li>
<li><a href="art/gbk-notice.html">关于2013年度政府信息公开工作年度报告的函</a></li></ul>"""

REPORTS = {
    "/alpha/art/2022.html": _report("测试局2022年政府信息公开工作年度报告"),
    "/alpha/art/2015.html": _report("2015年度政府信息公开年度报告", "gbk"),
    "/alpha/art/fish2011.html": _report("平潭县海洋与渔业局2011年工作公开年度报告"),
    "/alpha/art/年报2021.html": _report("测试局2021年政府信息公开工作年度报告"),
    "/alpha/art/new2019.html": _report("测试局2019年政府信息公开工作年度报告"),
    "/alpha/art/2014.html": _report("测试局2014年政府信息公开工作年度报告", "gbk"),
    "/alpha/art/2013.html": _report("平潭综合实验区2013年政府信息公开工作年度报告", "gbk"),
}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n\x00\xff\xfe trailer\n%%EOF\n"
NEVER_FETCHED = {
    "/alpha/private/2017.html", "/beta/art/2022.html", "/beta/index.html", "/alpha/art/notice.html",
    "/alpha/art/points.html", "/alpha/art/safety.html", "/alpha/art/guide.html", "/alpha/art/other.html",
    "/alpha/art/gbk-notice.html",
}  # fmt: skip


def fixture_resources() -> dict[str, Resource]:
    res = {path: Resource(body) for path, body in REPORTS.items()}
    res |= {path: Resource(b"<p>not a report</p>") for path in NEVER_FETCHED}
    res |= {
        "/robots.txt": Resource(ROBOTS, content_type="text/plain"),
        "/alpha/index.html": Resource(_page("年度报告", LIST_0)),
        "/alpha/index_1.html": Resource(_page("年度报告 第2页", LIST_1, meta=None)),
        "/alpha/index_2.html": Resource(_page("年度报告 第3页", LIST_2, charset="gbk", meta="utf-8")),
        "/alpha/index_3.html": Resource(b"server error", status=500),
        "/alpha/art/2020.pdf": Resource(PDF, content_type="application/pdf"),
        "/alpha/art/old2019.html": Resource(b"", status=301, headers={"Location": "/alpha/art/new2019.html"}),
        "/alpha/art/missing2018.html": Resource("<h1>404 页面不存在</h1>".encode(), status=404),
    }
    return res


SITES = [
    {"name": "alpha", "start_urls": ["{portal}/alpha/index.html"], "allowed_domains": ["127.0.0.1"],
     "url_prefixes": ["{portal}/alpha/"], "agency": "测试局", "region": "测试省", "concurrency": 4, "download_delay": 0},
    {"name": "beta", "start_urls": ["{portal}/beta/index.html"], "allowed_domains": ["127.0.0.1"],
     "url_prefixes": ["{portal}/beta/"], "agency": "外站", "region": "测试省", "concurrency": 4, "download_delay": 0},
]  # fmt: skip

EXPECTED_REPORTS = {
    "/alpha/art/2022.html", "/alpha/art/2015.html", "/alpha/art/fish2011.html", "/alpha/art/年报2021.html",
    "/alpha/art/2020.pdf", "/alpha/art/old2019.html", "/alpha/art/missing2018.html", "/alpha/art/2014.html",
    "/alpha/art/2013.html",
}  # fmt: skip
EXPECTED_LISTS = {"/alpha/index.html", "/alpha/index_1.html", "/alpha/index_2.html"}


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)


def _object_count(root: Path) -> int:
    return sum(1 for p in (root / "objects").rglob("*") if p.is_file())


@pytest.fixture
def site_server() -> Iterator[FixtureServer]:
    with FixtureServer(fixture_resources()) as server:
        yield server


# ##### CRAWL TESTS


def test_crawl_fixture_site(site_server: FixtureServer, tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    stats = run_crawl(SITES, archive_dir, portal=site_server.url, site="alpha", timeout=120)
    archive = Archive(archive_dir)
    rows = archive.manifest()
    reports = {_path(r["url"]): r for r in rows if r["kind"] == "report"}
    lists = {_path(r["url"]): r for r in rows if r["kind"] == "list"}

    assert set(reports) == EXPECTED_REPORTS
    assert set(lists) == EXPECTED_LISTS
    assert stats.reports == len(EXPECTED_REPORTS) and stats.lists == len(EXPECTED_LISTS)
    assert stats.gone == 1 and stats.spider_exceptions == 0 and stats.finish_reason == "finished"

    # every archived body is exactly what the server sent
    served = fixture_resources()
    for row in rows:
        assert archive.get(row["sha256"]) == served[_path(row["final_url"])].body, row["url"]
        assert row["size"] == len(served[_path(row["final_url"])].body)

    # URLs as requested (percent-encoded), redirects, statuses, titles and dates from the lists
    base = site_server.url
    assert reports["/alpha/art/年报2021.html"]["url"] == safe_url_string(f"{base}/alpha/art/年报2021.html")
    assert reports["/alpha/art/old2019.html"]["final_url"] == f"{base}/alpha/art/new2019.html"
    assert reports["/alpha/art/missing2018.html"]["status"] == 404
    assert reports["/alpha/art/2022.html"]["title"] == "测试局2022年政府信息公开工作年度报告"  # from title=
    assert reports["/alpha/art/2022.html"]["list_date"] == "2023-01-15"
    assert reports["/alpha/art/2015.html"]["list_date"] == "2016-02-01"
    assert reports["/alpha/art/fish2011.html"]["list_date"] == "2012-03-04"
    assert reports["/alpha/art/2014.html"]["list_date"] == "2015-03-31"
    assert reports["/alpha/art/年报2021.html"]["list_date"] is None
    gbk = reports["/alpha/art/2013.html"]  # found on the GBK page behind a lying meta
    assert gbk["title"] == "平潭综合实验区2013年政府信息公开工作年度报告"
    assert gbk["list_date"] == "2014-03-05"
    assert gbk["list_url"] == f"{base}/alpha/index_2.html"
    assert reports["/alpha/art/2020.pdf"]["headers"]["Content-Type"] == "application/pdf"
    assert all(r["site"] == "alpha" and r["fetched_at"].endswith("+00:00") for r in rows)

    # never requested: other articles, near-miss titles, robots-disallowed and out-of-prefix links, other sites
    assert not NEVER_FETCHED & set(site_server.requests)
    assert site_server.requested("/robots.txt") == 1
    assert all(site_server.requested(p) == 1 for p in EXPECTED_REPORTS | EXPECTED_LISTS)
    assert {(i["outcome"], _path(i["url"])) for i in stats.issues} == {
        ("blocked", "/alpha/private/2017.html"), ("error", "/alpha/index_3.html"),
        ("out_of_scope", "/beta/art/2022.html"),  # refused, never sent, and said so
    }  # fmt: skip
    assert next(i for i in stats.issues if i["outcome"] == "error")["status"] == 500
    assert site_server.requested("/alpha/index_3.html") == 3  # RETRY_TIMES = 2

    # a second crawl of the unchanged site adds nothing
    objects = _object_count(archive_dir)
    again = run_crawl(SITES, archive_dir, portal=site_server.url, site="alpha", timeout=120)
    assert (again.reports, again.new_rows, again.new_objects) == (stats.reports, 0, 0)
    assert len(Archive(archive_dir).manifest()) == len(rows)
    assert _object_count(archive_dir) == objects
    assert not list((archive_dir / "tmp").iterdir())

    # a report that changes in place (its list entry unchanged) gets a new row and object when the site is revisited
    # (revisit "all"; the default "listed" does not fetch it: tests/test_incremental_crawl.py); its old row stays
    site_server.resources["/alpha/art/2022.html"] = Resource(_report("测试局2022年政府信息公开工作年度报告（修订）"))
    revisit = [{**site, "revisit": "all"} for site in SITES]
    third = run_crawl(revisit, archive_dir, portal=site_server.url, site="alpha", timeout=120)
    assert (third.new_rows, third.new_objects) == (1, 1)
    versions = [r for r in Archive(archive_dir).manifest() if _path(r["url"]) == "/alpha/art/2022.html"]
    assert len(versions) == 2 and versions[0]["sha256"] != versions[1]["sha256"]


def test_crawl_from_sites_file_all_sites(site_server: FixtureServer, tmp_path: Path) -> None:
    """A sites JSON file with absolute URLs; without `site`, every site is crawled, each within its own prefix."""
    sites_file = tmp_path / "sites.json"
    absolute = json.loads(json.dumps(SITES).replace("{portal}", site_server.url))
    sites_file.write_text(json.dumps(absolute, ensure_ascii=False), "utf-8")
    stats = run_crawl(sites_file, tmp_path / "archive", timeout=120)
    rows = Archive(tmp_path / "archive").manifest()
    assert {_path(r["url"]) for r in rows if r["kind"] == "report"} == EXPECTED_REPORTS
    assert {(r["site"], _path(r["url"])) for r in rows if r["kind"] == "list"} == {
        ("alpha", p) for p in EXPECTED_LISTS
    } | {("beta", "/beta/index.html")}
    # linked from alpha's list but under beta's prefix, and beta's own list does not link it
    assert "/beta/art/2022.html" not in site_server.requests
    assert stats.errors == 1 and stats.blocked == 1


def test_crawl_failure_raises_with_log_tail(tmp_path: Path) -> None:
    with pytest.raises(CrawlFailed, match="no site named 'nope'"):
        run_crawl(SITES, tmp_path / "archive", portal="http://127.0.0.1:9", site="nope", timeout=60)


def test_crawl_timeout_kills(tmp_path: Path) -> None:
    slow = {"/s/index.html": Resource(_page("x", "slow"))}
    with FixtureServer(slow, delay=20) as server:
        sites = [{"name": "s", "start_urls": [f"{server.url}/s/index.html"], "download_delay": 0}]
        started = time.monotonic()
        with pytest.raises(CrawlFailed, match="timed out"):
            run_crawl(sites, tmp_path / "archive", timeout=2)
        assert time.monotonic() - started < 15


def test_concurrency_budget_is_enforced(tmp_path: Path) -> None:
    """Counting server: with `concurrency: 2` the server never sees more than 2 requests in flight (and does see 2).

    Scrapy 2.14-2.19 do not enforce a slot's concurrency; crawler.slots does (many sites: tests/test_politeness.py).
    """
    links = "".join(f'<li><a href="r{i}.html">测试局{1990 + i}年政府信息公开工作年度报告</a></li>' for i in range(32))
    resources = {"/slow/index.html": Resource(_page("list", f"<ul>{links}</ul>"))}
    resources |= {f"/slow/r{i}.html": Resource(_report(f"r{i}")) for i in range(32)}
    with FixtureServer(resources, delay=0.2) as server:
        sites = [{"name": "slow", "start_urls": [f"{server.url}/slow/index.html"], "concurrency": 2,
                  "download_delay": 0}]  # fmt: skip
        stats = run_crawl(sites, tmp_path / "archive", timeout=120)
    assert stats.reports == 32
    assert server.max_in_flight == 2


# ##### UNIT TESTS: list pages and site configs

CASES_REPORT_TITLES = [
    ("遂宁市安居区商务局2022年政府信息公开工作年度报告", True),
    ("2015年度政府信息公开年度报告", True),
    ("平潭县海洋与渔业局2011年工作公开年度报告", True),
    ("平潭综合实验区行政审批局 2015年政府信息公开年度报告", True),
    ("政府信息公开年报（２０２０年）", True),  # full-width digits, year after the title
    ("2019年度政务公开工作年报", True),
    ("关于报送2019年政府信息公开工作年度报告的通知", False),
    ("关于做好2019年度政府信息公开工作年度报告编制工作的函", False),
    ("市政府办公室关于2020年政府信息公开工作年度报告的通报", False),
    ("2020年政务公开工作要点", False),
    ("图解：2022年政府信息公开工作年度报告", False),
    ("政府信息公开工作年度报告", False),  # no year
    ("2022年度部门预算公开", False),
    ("政府信息公开指南", False),
]


@pytest.mark.parametrize(("title", "expected"), CASES_REPORT_TITLES, ids=[t for t, _ in CASES_REPORT_TITLES])
def test_is_report_title(title: str, expected: bool) -> None:
    assert is_report_title(title) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2023-01-15", "2023-01-15"), ("[2016/2/1]", "2016-02-01"), ("发布时间：2014年3月5日", "2014-03-05"),
     ("(2013.04.05)", "2013-04-05"), ("２０２３－０１－１５", "2023-01-15"), ("2023-02-30", None), ("2023年", None),
     ("", None)],
)  # fmt: skip
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_parse_list_page_generic_rules() -> None:
    html = _page("list", LIST_0 + "<script>createPageHTML(3, 0, \"index\", \"html\");</script>").decode()
    page = parse_list_page(html, "http://h/alpha/index.html")
    assert [_path(r.url) for r in page.reports] == [
        "/alpha/art/2022.html", "/alpha/art/2015.html", "/alpha/art/fish2011.html", "/alpha/art/年报2021.html",
        "/alpha/art/2020.pdf", "/alpha/art/old2019.html", "/alpha/art/missing2018.html", "/alpha/private/2017.html",
        "/beta/art/2022.html",
    ]  # fmt: skip
    assert page.pages == ["http://h/alpha/index_1.html"]  # the generic rules read anchors only
    site = Site.from_dict({"name": "alpha", "start_urls": ["http://h/alpha/index.html"]})
    listing = read_list(Page(html, "http://h/alpha/index.html"), site)  # the TRS pager call, detected
    assert listing.family == "trs"
    assert [r.url for r in listing.requests] == ["http://h/alpha/index_1.html", "http://h/alpha/index_2.html"]


def test_parse_list_page_selectors() -> None:
    html = """<div class="nav"><a href="/x/2020.html">2020年政府信息公开工作年度报告</a></div>
    <ul class="reports"><li><a href="r.html">2021年政府信息公开工作年度报告</a><em>2022-01-02</em><i>2022-01-09</i></li>
    <li><a href="n.html">关于报送2021年政府信息公开工作年度报告的通知</a></li></ul>
    <div class="pages"><a class="next" href="?page=2">more</a><a href="index_9.html">9</a></div>"""
    page = parse_list_page(html, "http://h/s/list.html",
                           {"list_links": "ul.reports a", "next_page": "a.next", "date": "i"})  # fmt: skip
    assert [(r.url, r.list_date) for r in page.reports] == [("http://h/s/r.html", "2022-01-09")]
    assert page.pages == ["http://h/s/list.html?page=2"]


def test_parse_list_page_tolerates_odd_documents() -> None:
    assert parse_list_page("", "http://h/").reports == []
    xml = '<?xml version="1.0" encoding="gbk"?><html><body><a href="a">2020年政府信息公开年报</a></body></html>'
    assert [r.url for r in parse_list_page(xml, "http://h/s/").reports] == ["http://h/s/a"]


def test_site_scope_and_portal_substitution() -> None:
    (site,) = load_sites(SITES, portal="http://127.0.0.1:8080/", only="alpha")
    assert site.start_urls == ("http://127.0.0.1:8080/alpha/index.html",)
    assert site.url_prefixes == ("http://127.0.0.1:8080/alpha/",)
    assert site.in_scope("http://127.0.0.1:8080/alpha/art/a.html")
    assert not site.in_scope("http://127.0.0.1:8080/beta/art/a.html")
    assert not site.in_scope("http://127.0.0.1:8081/alpha/art/a.html")
    assert not site.in_scope("http://example.com/alpha/a.html")
    with pytest.raises(ValueError, match="portal"):
        load_sites(SITES)
    real = Site.from_dict({"name": "gov", "start_urls": ["http://www.x.gov.cn/zwgk/ndbg/index.html"],
                           "allowed_domains": ["x.gov.cn"], "url_prefixes": ["http://www.x.gov.cn/"]})  # fmt: skip
    # http and https on their default ports are one origin (real sites link both ways); other ports are not
    assert real.in_scope("https://www.x.gov.cn/xxgk/2022.html")
    assert not real.in_scope("http://www.x.gov.cn:8080/xxgk/2022.html")
    assert real.in_scope("http://www.x.gov.cn/xxgk/2022.html")
    default = Site.from_dict({"name": "gov", "start_urls": ["http://www.x.gov.cn/zwgk/ndbg/index.html"]})
    assert default.url_prefixes == ("http://www.x.gov.cn/",)  # default scope: the start URL's host, any path
    assert default.in_scope("http://www.x.gov.cn/art/2023/1/5/art_1229_1.html")
    assert not default.in_scope("http://other.gov.cn/art/2023/1/5/art_1229_1.html")


def test_politeness_settings() -> None:
    sites = load_sites([{"name": "a", "start_urls": ["http://a/x/"], "concurrency": 4, "download_delay": 0.25},
                        {"name": "b", "start_urls": ["http://b/x/"], "concurrency": 2, "download_delay": 1}])  # fmt: skip
    settings = politeness_settings(sites)
    assert settings["CONCURRENT_REQUESTS"] == 6  # the sum of the budgets (capped: tests/test_politeness.py)
    assert settings["DOWNLOAD_SLOTS"] == {"a": {"concurrency": 4, "delay": 0.25}, "b": {"concurrency": 2, "delay": 1.0}}


# ##### DEMO PORTAL (portal): every site, checked against the portal's ground truth


def _portal_class() -> type:
    try:
        from portal import Portal
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"portal is not importable: {exc}", pytrace=False)
        pytest.skip(f"portal is not importable yet: {exc}")
    return Portal


def _urls(urls: Iterator[str] | list[str] | set[str]) -> set[str]:
    return {safe_url_string(u) for u in urls}


def _fetch(url: str) -> bytes:
    assert urlsplit(url).hostname == "127.0.0.1"
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback only
        return resp.read()


def _detected(entries: list[dict]) -> list[dict]:
    """Site entries without `cms` (the family is then detected from the first list page), except the `json` family,
    which a page cannot show: its API is described in the entry."""
    return [e if e.get("cms") == "json" else {k: v for k, v in e.items() if k != "cms"} for e in entries]


def test_crawl_demo_portal(tmp_path: Path) -> None:
    """Every family site of the portal, its family detected from the first list page: every report found (the URL
    set), no other article followed, paging and API calls exactly those of the real protocol, every attachment
    fetched with its report named, bytes archived as served; a second crawl from demo.json adds nothing."""
    portal_cls = _portal_class()
    archive_dir = tmp_path / "archive"
    with portal_cls(port=0, corpus_dir="auto") as portal:
        truth = portal.truth()
        stats = run_crawl(_detected(portal.sites_config()), archive_dir, timeout=300)
        archive = Archive(archive_dir)
        rows = archive.manifest()
        [run] = archive.runs()
        reports = [r for r in rows if r["kind"] == "report"]

        answered = _urls(truth["report_urls"]) | _urls(truth["not_report_urls"])  # a link cannot tell them apart
        assert {r["url"] for r in reports if r["status"] == 200} == answered
        assert {r["url"] for r in reports if r["status"] == 404} == _urls(truth["missing_urls"])
        expected = {safe_url_string(t["url"]): t for t in truth["reports"]}
        for row in (r for r in reports if r["status"] == 200 and r["url"] in expected):  # title and date as listed
            assert (row["title"], row["list_date"]) == (expected[row["url"]]["title"], expected[row["url"]]["published_at"])
        for name, site in truth["sites"].items():
            lists = [r for r in rows if r["site"] == name and r["kind"] == "list"]
            first = next(r for r in lists if r["url"] == safe_url_string(site["start_urls"][0].split("#")[0]))
            assert first["family"] == site["family"], name  # detected (json: named by the entry)
            asked = Counter(s["url"] for s in run["seen"] if s["site"] == name and s["kind"] == "list")
            assert asked == Counter(safe_url_string(r["url"]) for r in site["list_requests"]), name
            got = {r["url"] for r in reports if r["site"] == name and r["status"] == 200}
            assert got >= _urls(site["report_urls"]), name
        attachments = {r["url"]: r for r in rows if r["kind"] == "attachment"}
        assert set(attachments) == _urls(truth["attachment_urls"])
        for report in truth["reports"]:
            for doc in report.get("documents", [])[1:]:  # each attachment names the report article linking it
                assert attachments[safe_url_string(doc["url"])]["parent_url"] == safe_url_string(report["url"])
        assert stats.errors == 0 and stats.spider_exceptions == 0, stats.issues

        fetched = {r["url"] for r in rows} | {r["final_url"] for r in rows}
        fetched |= {i["url"] for i in stats.issues if i["outcome"] == "error"}
        assert not fetched & _urls(truth["skipped_urls"])
        assert not fetched & _urls(truth["disallowed_urls"])
        assert _urls(truth["disallowed_urls"]) <= {i["url"] for i in stats.issues if i["outcome"] == "blocked"}

        for row in rows:  # the archive holds exactly the bytes the portal serves (GET answers)
            if row["status"] == 200 and row["kind"] != "list":
                assert archive.get(row["sha256"]) == _fetch(row["final_url"]), row["url"]

        # the checked-in demo sites file describes the same sites: crawling it adds nothing
        again = run_crawl(Path("crawler/sites/demo.json").resolve(), archive_dir, portal=portal.base_url, timeout=300)
    assert (again.reports, again.lists, again.new_rows, again.new_objects) == (stats.reports, stats.lists, 0, 0)
    if (Path(__file__).resolve().parents[2] / "shared" / "corpus").is_dir():
        assert any(r["site"] == "pingtan" for r in reports)


def test_demo_sites_file_matches_portal() -> None:
    """`crawler/sites/demo.json` is the portal's `sites_config()` with the base URL written as `{portal}`."""
    portal_cls = _portal_class()
    demo = load_sites(Path(__file__).parent.parent / "crawler" / "sites" / "demo.json", portal="http://127.0.0.1:1")
    with portal_cls(port=0, corpus_dir="auto") as portal:
        served = load_sites(portal.sites_config())
        base = portal.base_url
    names = [s.name for s in served]
    assert [s.name for s in demo][: len(names)] == names
    for mine, theirs in zip(demo, served, strict=False):
        assert [u.replace("http://127.0.0.1:1", base) for u in mine.start_urls] == list(theirs.start_urls)
        assert (mine.agency, mine.region, mine.concurrency, mine.download_delay, mine.cms) == (
            theirs.agency, theirs.region, theirs.concurrency, theirs.download_delay, theirs.cms,
        )  # fmt: skip
        assert [u.replace("http://127.0.0.1:1", base) for u in mine.url_prefixes] == list(theirs.url_prefixes)
