"""The fault site of the demo portal: `Portal(faults=True)` serves one more site, `faulty`, whose crawl must lose
nothing and get nothing wrong although its server misbehaves in every way a crawler meets on real government sites.

`faulty` is 安吉县农业农村局 (浙江省湖州市安吉县, 330523), family `html`: two static list columns, the 年报 column
`/faulty/nb/` (≥ 3 pages of 8 items, linked from the home page) and a 往年年报 column `/faulty/nb/wn/` (one page, the
2013-2015 reports); both are start URLs. Its reports 2013-2024 are generated like every other site's (SiteSpec,
values, renderers: portal.sites), so each good report has known values in `Portal.truth()["reports"]`. Its
`sites_config()` entry adds `download_timeout` (3 s: DOWNLOAD_TIMEOUT) and `max_bytes` (2 MiB: MAX_BYTES), with
`concurrency` 4 and `download_delay` 0.

Every fault has its own URL linked from a list page (a list item titled like a report, 2008-2012 titles, when the
fault is on a report URL), and one entry in `truth()["faults"]`: `{name, url, page_kind (list | report |
attachment), outcome, reason, epoch}` plus, where they apply, `values` (what the URL's current version prints),
`target` (a redirect's or refresh's destination), `hops`, `report_url` (the report article linking a faulty
attachment), `report_urls` (the reports on a failing list page), `current` ("previous": the epoch-1 version stays
current; "new": the epoch-2 version becomes current) and `removed` (whether the report must end up removed).
`outcome` is the crawl outcome a correct crawler records for the URL (`ok`, `gone`, `error`, `blocked`,
`out_of_scope`, `too_large`, `not_report`) and `reason` a fragment of the reason it gives (matched as a
case-insensitive substring; None for ok). `not_report` (the maintenance page) and the cut copy's `reads far less` are
verdicts of the parse and the warehouse's versions (non_report_page, version_flag): the fetch itself is ok. `epoch`
is the first epoch the fault is served in: 1 (both epochs) or 2. In epoch 2 the reports listed only on the failing
list page (the 2016 and 2018 reports) cannot be seen by a crawl; `removed` and `unlisted` are in no list.

| name | URL (under /faulty/) | kind | outcome | reason | what the server does |
|---|---|---|---|---|---|
| server_error | nb/f/server-error.html | report | error | HTTP 500 | 500, always |
| transient_503 | the 2020 report | report | ok | | 503 on the first two requests of each epoch, then the report (retries) |
| reset | nb/f/reset.html | report | error | connection lost | reads the request, closes the socket with a TCP RST, no byte sent |
| stall | nb/f/stall.html | report | error | timeout | never answers: waits STALL_SECONDS (download_timeout + 2) or until the client leaves, then closes |
| truncated | nb/f/truncated.html | report | error | truncated | Content-Length N, a third of N sent, then the connection closed |
| redirect_loop | nb/f/loop-a.html | report | error | redirect loop | 302 loop-a -> loop-b -> loop-a … |
| redirect_chain | nb/f/chain/1.html | report | error | redirections | 302 chain/1 -> … -> chain/25 -> chain/end.html (25 hops > 20), a report-looking end |
| redirect_other_port | nb/f/to-port.html | report | out_of_scope | scope | 302 to the decoy listener (127.0.0.1, other port, same path prefix) |
| redirect_other_path | nb/f/to-path.html | report | out_of_scope | scope | 302 to /other/faulty/report.html (outside the site prefix, a report-looking page) |
| redirect_metadata | nb/f/to-metadata.html | report | out_of_scope | scope | 302 to http://169.254.169.254/latest/meta-data/ (nothing listens there) |
| redirect_ftp | nb/f/to-ftp.html | report | out_of_scope | scheme | 302 to ftp://127.0.0.1/faulty/report.html |
| refresh_other_path | nb/f/refresh-path.html | report | out_of_scope | scope | 200, `<meta http-equiv="refresh" content="0;url=/other/faulty/refresh.html">` |
| refresh_other_port | nb/f/refresh-port.html | report | out_of_scope | scope | 200, meta refresh to the decoy listener (another decoy path than the 302's): **the one page whose bytes depend on a port** |
| gbk_meta_utf8 | the 2018 report | report | ok | | GBK bytes, `<meta charset="utf-8">`, header `text/html` |
| utf8_header_gbk | the 2019 report | report | ok | | UTF-8 bytes, header `text/html; charset=gbk`, no meta charset |
| huge | nb/f/huge.html | report | too_large | max_bytes | 5 MiB report-looking page with Content-Length, streamed (never held in memory) |
| huge_chunked | nb/f/huge-chunked.html | report | too_large | max_bytes | the same, chunked (no Content-Length) |
| attachment_too_large | nb/f/attach/large.pdf | attachment | too_large | max_bytes | 5 MiB PDF linked from the 2021 report (values in the article) |
| attachment_error | nb/f/attach/broken.pdf | attachment | error | HTTP 500 | 500; linked from nb/f/attached.html, a report-titled article that says 详见附件 (no figures of its own) |
| missing | nb/f/missing.html | report | gone | 404 | 404 |
| robots | private/draft.html | report | blocked | robots.txt | a report-like page under the robots.txt-disallowed /faulty/private/ |
| maintenance | the 2022 report | report | not_report | not an annual report | epoch 2: 系统维护中 page, status 200 (current: previous) |
| cut_copy | the 2023 report | report | ok | reads far less | epoch 2: the page's HTML cut to its first 30 % (current: previous) |
| restatement | the 2024 report | report | ok | | epoch 2: restated figures in a full, good page (current: new) |
| list_page_error | nb/index_1.html | list | error | HTTP 500 | epoch 2: 500 (its reports must not look removed: `report_urls`) |
| removed | the 2017 report | report | gone | 404 | epoch 2: unlisted everywhere and 404 (removed) |
| unlisted | the 2014 report | report | ok | unlisted | epoch 2: gone from the 往年年报 column, whose pages all answer, but still 200 (removed) |

Removal by list evidence is judged per list: the failing page is in the 年报 column, the unlisted report was in the
往年年报 column. `Portal.faults.list_page_fails = False` makes the failing list page answer too (every list of the
site complete), for crawlers that judge a site's lists as one.

The standard truth keys keep their meaning for `faulty`: `reports`/`report_urls` are the reports a correct crawl
holds as current (with their values: in epoch 2 the maintenance and cut-copy URLs keep their epoch-1 values; the
removed and unlisted reports are in `removed_urls`), `missing_urls` has the 404 link, `disallowed_urls` the robots
one; a faulty URL that yields no report is only in `faults` (the two faulty attachments are in neither
`attachment_urls` nor a report's `documents`; the 详见附件 article, whose figures never arrive, is not in `reports`). `decoy_urls` lists the report-looking pages a correct
crawler never requests (the decoy listener's and the out-of-prefix ones); `Portal.decoy_hits` counts every request
the decoy listener received (robots.txt included) and `Portal.requests_to(url)` every request of a path on the
portal itself (retries, the out-of-prefix pages).

Everything but the decoy port is deterministic and port-independent: pages hold root-relative links, and the
decoy's URL is filled in when a request is answered (redirect_other_port's Location, refresh_other_port's bytes).
"""

from __future__ import annotations

import dataclasses
import html
import random
import select
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from portal import homes, notreport
from portal.chrome import document
from portal.families import build_listing
from portal.families.base import Listing, Request, Response, chunks
from portal.render import Author, Layout, render_report
from portal.sites import (
    ROBOTS_PRIVATE,
    Generated,
    SiteBuild,
    _article_page,
    _articles,
    _encode,
    _path,
    collect,
    planted_over,
)
from portal.spec import Article, SiteSpec
from portal.values import Profile, generate_report

Handler = BaseHTTPRequestHandler

NAME = "faulty"
DOWNLOAD_TIMEOUT = 3  # seconds, the site's download_timeout
MAX_BYTES = 2 * 1024 * 1024  # the site's max_bytes
HUGE_BYTES = 5 * 1024 * 1024  # the huge bodies, streamed
STALL_SECONDS = DOWNLOAD_TIMEOUT + 2  # a stalled answer gives up after this (or when the client leaves)
TRANSIENT_FAILURES = 2  # 503s before the transient report answers, per epoch (the crawler's RETRY_TIMES)
CHAIN_HOPS = 25  # redirect chain length (Scrapy's REDIRECT_MAX_TIMES is 20)
CUT_SHARE = 0.3  # the cut copy keeps this share of the page's HTML
FAILING_LIST_PAGE = 1  # epoch 2: the 年报 column's list page (0-based) that answers 500
CONFIG = {"download_timeout": DOWNLOAD_TIMEOUT, "max_bytes": MAX_BYTES}  # added to the site's sites_config entry

SPEC = SiteSpec(
    name=NAME,
    author=Author("安吉县农业农村局", "县农业农村局", "我局", "浙江省", "0572-5122366"),
    region={"province": "浙江省", "city": "湖州市", "county": "安吉县", "code": "330523"},
    site_title="安吉县农业农村局",
    column="nb/",
    article="nb/content/{ym}/post_{id}.html",
    kinds={2013: "narrative"}
    | dict.fromkeys(range(2014, 2019), "2014")
    | dict.fromkeys((2019, 2020), "2019")
    | dict.fromkeys(range(2021, 2025), "2021"),
    profile=Profile(requests=12, active=(200, 900), items=30, decisions=250, normative=1, procurement=4),
    publisher="安吉县农业农村局",
    index_code="11330523002601234K/",
    per_page=8,
    restated_year=2024,
    removed_year=2017,
    id_base=72_000,
    cms={"home": ("direct", "政府信息公开年报")},
)
ARCHIVE = dataclasses.replace(SPEC, column="nb/wn/")  # the 往年年报 column
ARCHIVE_YEARS = (2013, 2014, 2015)
# Report years with a fault on their URL (the other years are plain good reports).
GBK_YEAR, UTF8_HEADER_YEAR, TRANSIENT_YEAR, LARGE_ATTACHMENT_YEAR = 2018, 2019, 2020, 2021
MAINTENANCE_YEAR, CUT_YEAR, UNLISTED_YEAR = 2022, 2023, 2014

F = f"/{NAME}/nb/f/"
# on the decoy listener (same path prefix as the site, another port): the redirect's and the refresh's targets
DECOY_PATHS = (F + "decoy.html", F + "decoy-refresh.html")
OTHER_PATHS = ("/other/faulty/report.html", "/other/faulty/refresh.html")  # outside the site's prefix
CHAIN_END = F + "chain/end.html"
LARGE_PDF, BROKEN_PDF, ATTACHED = F + "attach/large.pdf", F + "attach/broken.pdf", F + "attached.html"
ROBOTS_PATH = f"/{NAME}/{ROBOTS_PRIVATE}draft.html"
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
FTP_URL = "ftp://127.0.0.1/faulty/report.html"
DECOY = "{decoy}"  # placeholder for the decoy listener's base URL (http://127.0.0.1:<port>)
HTML = "text/html; charset=utf-8"
PDF = "application/pdf"

_TITLES = ["{agency}{y}年政府信息公开工作年度报告", "{agency}{y}年度政府信息公开工作年度报告",
           "{y}年度{agency}政府信息公开工作年度报告", "{agency}{y}年政府信息公开年报"]  # fmt: skip
# The list items of the faults that sit on their own report-like URL: (name, path), in list order.
_ITEMS = [
    ("server_error", F + "server-error.html"),
    ("reset", F + "reset.html"),
    ("stall", F + "stall.html"),
    ("truncated", F + "truncated.html"),
    ("redirect_loop", F + "loop-a.html"),
    ("redirect_chain", F + "chain/1.html"),
    ("redirect_other_port", F + "to-port.html"),
    ("redirect_other_path", F + "to-path.html"),
    ("redirect_metadata", F + "to-metadata.html"),
    ("redirect_ftp", F + "to-ftp.html"),
    ("refresh_other_path", F + "refresh-path.html"),
    ("refresh_other_port", F + "refresh-port.html"),
    ("huge", F + "huge.html"),
    ("huge_chunked", F + "huge-chunked.html"),
    ("missing", F + "missing.html"),
    ("robots", ROBOTS_PATH),
    ("attachment_error", ATTACHED),
]


def _index(name: str) -> int:
    return next(i for i, (n, _) in enumerate(_ITEMS) if n == name)


def _page(status: int, text: str) -> bytes:
    return f"<!DOCTYPE html>\n<html><head><title>{status}</title></head><body><h1>{text}</h1></body></html>\n".encode()


_500 = _page(500, "500 Internal Server Error")
_503 = _page(503, "503 Service Unavailable")


# ---------------------------------------------------------------------------------------------------------
# Generation (deterministic, cached per epoch)


@dataclass
class Fault:
    """One truth entry with root-relative URLs (`DECOY` stands for the decoy listener's base URL)."""

    name: str
    path: str
    page_kind: str
    outcome: str
    reason: str | None
    epoch: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FaultBuild:
    """The fault site in one epoch: its pages and truth (`generated`, like portal.sites' sites), what each faulty
    URL does (`behaviours`: path -> (kind, arguments), turned into endpoints per portal by `FaultSite`) and the
    truth entries of its faults."""

    generated: Generated
    behaviours: dict[str, tuple]
    faults: list[Fault]


@cache
def _decoy_body() -> str:
    """The body of a report with figures (a 2011 report of the agency that no list links)."""
    data = generate_report(random.Random(f"ogi-portal/{NAME}/decoy"), SPEC.profile, 2011, "2014", None)
    text_rng = random.Random(f"ogi-portal/{NAME}/decoy-text")
    return render_report(data, author=SPEC.author, rng=text_rng, layout=Layout()).html


def _report_like(title: str, date: datetime, seq: int) -> bytes:
    """A report-looking article page (the decoy report's body under `title`)."""
    return _encode(SPEC, _article_page(SPEC, Article(title, date, "年度报告", _decoy_body()), seq, views=57 + seq))


@cache
def _decoy_page() -> bytes:
    """What the decoy listener, the out-of-prefix pages and the end of the redirect chain serve, and what a
    truncated answer cuts: a report-looking page with figures."""
    return _report_like(_TITLES[0].format(agency=SPEC.author.agency, y=2011), datetime(2012, 3, 28, 10, 0), 1)


def _refresh_page(title: str, target: str) -> str:
    """A page that sends the browser on at once with a meta refresh (markup: `target` may hold DECOY)."""
    head = f'<meta http-equiv="refresh" content="0;url={html.escape(target)}">\n'
    main = f'<div class="article"><h1 class="title">{html.escape(title)}</h1>\n<p>页面已迁移，正在跳转……</p></div>\n'
    return document(SPEC, title=title, head=head, main=main, charset='<meta charset="utf-8">')


def cut(markup: str, share: float = CUT_SHARE) -> str:
    """The first `share` of a page's HTML, cut before a tag and closed (a copy broken off while published)."""
    end = markup.rfind("<", 0, int(len(markup) * share))
    return markup[:end] + "\n</div>\n</body>\n</html>\n"


def _item_title(index: int) -> tuple[str, datetime]:
    """The report-like title and list date of fault item `index` (years 2008-2012, then the next wording)."""
    year = 2008 + index % 5
    title = _TITLES[index // 5].format(agency=SPEC.author.agency, y=year)
    return title, datetime(year + 1, 1 + index % 3, 3 + index, 9, 30)


@cache
def build(epoch: int = 1) -> FaultBuild:
    """The fault site in `epoch` (see the module docstring)."""
    spec = SPEC
    articles = _articles(spec, epoch)  # the reports (2017 "removed" in epoch 2) and the non-report articles
    rng = random.Random(f"ogi-portal/{NAME}/ids")
    ident = spec.id_base
    for a in sorted(articles, key=lambda a: a.date):
        ident += rng.randint(1, 40)
        a.path = _path(spec, spec.article, a.date, ident)
    by_year = {a.report["report_year"]: a for a in articles if a.report}

    pages: dict[str, tuple[bytes, str]] = {}
    markups: dict[str, str] = {}
    for seq, a in enumerate(sorted(articles, key=lambda a: a.date), start=1):
        views = rng.randint(20, 3000)
        year = a.report["report_year"] if a.report else None
        if a.kind == "removed" and year != UNLISTED_YEAR:
            continue  # the report taken down: 404
        page_spec, inner = spec, ""
        if year == GBK_YEAR:
            page_spec = dataclasses.replace(spec, encoding="gbk", content_type="text/html")
            a.report["encoding"] = "gbk"  # type: ignore[index]
        elif year == UTF8_HEADER_YEAR:
            page_spec = dataclasses.replace(spec, meta_charset=None, content_type="text/html; charset=gbk")
        elif year == LARGE_ATTACHMENT_YEAR:
            inner = f'<p>附件：<a href="{LARGE_PDF}">{html.escape(a.title)}.pdf</a></p>\n'
        markup = _article_page(page_spec, a, seq, views=views, inner=inner)
        markups[a.path] = markup
        pages[a.path] = (_encode(page_spec, markup, year), page_spec.content_type)
    if epoch >= 2:
        path = by_year[MAINTENANCE_YEAR].path
        pages[path] = (notreport.page(spec, "maintenance"), spec.content_type)
        path = by_year[CUT_YEAR].path
        pages[path] = (_encode(spec, cut(markups[path])), spec.content_type)
        by_year[UNLISTED_YEAR].kind = "removed"  # unlisted, still served

    decoy = _decoy_page()
    for path in (*OTHER_PATHS, CHAIN_END):
        pages[path] = (decoy, HTML)
    items: list[Article] = []
    for index, (name, path) in enumerate(_ITEMS):
        title, date = _item_title(index)
        kind = {"missing": "missing", "robots": "draft"}.get(name, "fault")
        items.append(Article(title, date, "年度报告", kind=kind, path=path))
    titles = {a.path: a.title for a in items}
    robots = next(a for a in items if a.path == ROBOTS_PATH)
    pages[ROBOTS_PATH] = (_report_like(robots.title, robots.date, 3), HTML)
    link = f'<a href="{BROKEN_PDF}" target="_blank">{html.escape(titles[ATTACHED])}.pdf</a>'
    attached_body = f"<p>\u3000\u3000详见附件。</p>\n<p>附件：{link}</p>\n"
    attached = dataclasses.replace(items[-1], body=attached_body)
    pages[ATTACHED] = (_encode(spec, _article_page(spec, attached, 2, views=311)), spec.content_type)
    refresh_path = F + "refresh-path.html"
    pages[refresh_path] = (_encode(spec, _refresh_page(titles[refresh_path], OTHER_PATHS[1])), HTML)

    listed = [a for a in articles if a.kind != "removed"]
    main = sorted([a for a in listed if not (a.report and a.report["report_year"] in ARCHIVE_YEARS)] + items,
                  key=lambda a: (a.date, a.path), reverse=True)  # fmt: skip
    old = sorted([a for a in listed if a.report and a.report["report_year"] in ARCHIVE_YEARS],
                 key=lambda a: (a.date, a.path), reverse=True)  # fmt: skip
    first, second = build_listing(spec, main), build_listing(ARCHIVE, old)
    listing = Listing(first.start_path, first.pages | second.pages, {}, first.list_paths + second.list_paths,
                      first.requests + second.requests)  # fmt: skip
    pages |= listing.pages
    home_pages, home_paths = homes.build(spec, first.start_path)
    pages |= home_pages
    # articles for collect(): reports (removed ones as such), other articles, the 404 and the robots items
    site = SiteBuild(spec, pages, articles + [a for a in items if a.kind != "fault"], listing, home_paths)
    generated = collect([site])
    generated.sites[0]["start_paths"] = [first.start_path, second.start_path]
    generated.robots_disallow.append(f"/{NAME}/{ROBOTS_PRIVATE}")

    behaviours, faults = _faults(epoch, by_year, first, main, generated)
    return FaultBuild(generated, behaviours, faults)


def _faults(epoch: int, by_year: dict[int, Article], first: Listing, main: list[Article],
            generated: Generated) -> tuple[dict[str, tuple], list[Fault]]:  # fmt: skip
    """What each faulty URL does and the truth entries of the faults of `epoch`."""
    values = {r["path"]: r["values"] for r in generated.reports}
    report = {year: a.path for year, a in by_year.items()}
    behaviours: dict[str, tuple] = {
        F + "server-error.html": ("status", 500),
        report[TRANSIENT_YEAR]: ("transient",),
        F + "reset.html": ("reset",),
        F + "stall.html": ("stall",),
        F + "truncated.html": ("truncated",),
        F + "loop-a.html": ("redirect", F + "loop-b.html"),
        F + "loop-b.html": ("redirect", F + "loop-a.html"),
        F + "to-port.html": ("redirect", DECOY + DECOY_PATHS[0]),
        F + "to-path.html": ("redirect", OTHER_PATHS[0]),
        F + "to-metadata.html": ("redirect", METADATA_URL),
        F + "to-ftp.html": ("redirect", FTP_URL),
        F + "refresh-port.html": ("refresh", _refresh_page(_item_title(_index("refresh_other_port"))[0],
                                                           DECOY + DECOY_PATHS[1])),
        F + "huge.html": ("huge", HTML, False),
        F + "huge-chunked.html": ("huge", HTML, True),
        LARGE_PDF: ("huge", PDF, False),
        BROKEN_PDF: ("status", 500),
    }
    for hop in range(1, CHAIN_HOPS + 1):
        following = F + f"chain/{hop + 1}.html" if hop < CHAIN_HOPS else CHAIN_END
        behaviours[F + f"chain/{hop}.html"] = ("redirect", following)

    def ok(name: str, year: int, **extra: Any) -> Fault:
        return Fault(name, report[year], "report", "ok", None, 1, {"values": values[report[year]]} | extra)

    def away(name: str, path: str, target: str, outcome: str = "out_of_scope", reason: str = "scope") -> Fault:
        return Fault(name, path, "report", outcome, reason, extra={"target": target})

    faults = [
        Fault("server_error", F + "server-error.html", "report", "error", "HTTP 500"),
        ok("transient_503", TRANSIENT_YEAR, failures=TRANSIENT_FAILURES),
        Fault("reset", F + "reset.html", "report", "error", "connection lost"),
        Fault("stall", F + "stall.html", "report", "error", "timeout", extra={"seconds": STALL_SECONDS}),
        Fault("truncated", F + "truncated.html", "report", "error", "truncated"),
        away("redirect_loop", F + "loop-a.html", F + "loop-b.html", "error", "redirect loop"),
        Fault("redirect_chain", F + "chain/1.html", "report", "error", "redirections",
              extra={"target": CHAIN_END, "hops": CHAIN_HOPS}),
        away("redirect_other_port", F + "to-port.html", DECOY + DECOY_PATHS[0]),
        away("redirect_other_path", F + "to-path.html", OTHER_PATHS[0]),
        away("redirect_metadata", F + "to-metadata.html", METADATA_URL),
        away("redirect_ftp", F + "to-ftp.html", FTP_URL, reason="scheme"),
        away("refresh_other_path", F + "refresh-path.html", OTHER_PATHS[1]),
        away("refresh_other_port", F + "refresh-port.html", DECOY + DECOY_PATHS[1]),
        ok("gbk_meta_utf8", GBK_YEAR),
        ok("utf8_header_gbk", UTF8_HEADER_YEAR),
        Fault("huge", F + "huge.html", "report", "too_large", "max_bytes", extra={"bytes": HUGE_BYTES}),
        Fault("huge_chunked", F + "huge-chunked.html", "report", "too_large", "max_bytes", extra={"bytes": HUGE_BYTES}),
        Fault("attachment_too_large", LARGE_PDF, "attachment", "too_large", "max_bytes",
              extra={"bytes": HUGE_BYTES, "report_url": report[LARGE_ATTACHMENT_YEAR]}),
        Fault("attachment_error", BROKEN_PDF, "attachment", "error", "HTTP 500", extra={"report_url": ATTACHED}),
        Fault("missing", F + "missing.html", "report", "gone", "404"),
        Fault("robots", ROBOTS_PATH, "report", "blocked", "robots.txt"),
    ]  # fmt: skip
    if epoch >= 2:
        failing = first.list_paths[FAILING_LIST_PAGE]
        restated, removed = report[SPEC.restated_year], report[SPEC.removed_year]  # type: ignore[index]
        on_page = chunks(main, SPEC.per_page)[FAILING_LIST_PAGE]
        behaviours[failing] = ("list_page", failing)
        faults += [
            Fault("maintenance", report[MAINTENANCE_YEAR], "report", "not_report", "not an annual report", 2,
                  {"values": values[report[MAINTENANCE_YEAR]], "current": "previous"}),
            Fault("cut_copy", report[CUT_YEAR], "report", "ok", "reads far less", 2,
                  {"values": values[report[CUT_YEAR]], "current": "previous"}),
            Fault("restatement", restated, "report", "ok", None, 2, {"values": values[restated], "current": "new"}),
            Fault("list_page_error", failing, "list", "error", "HTTP 500", 2,
                  {"report_urls": sorted(a.path for a in on_page if a.kind == "report"), "removed": False}),
            Fault("removed", removed, "report", "gone", "404", 2, {"removed": True}),
            Fault("unlisted", report[UNLISTED_YEAR], "report", "ok", "unlisted", 2, {"removed": True}),
        ]  # fmt: skip
    return behaviours, faults


@cache
def generated(epoch: int = 1) -> Generated:
    """The fault site's pages and truth in `epoch` (portal.sites' `Generated`)."""
    return build(epoch).generated


@cache
def planted() -> list[dict]:
    """The cross-report findings of the fault site's data over both epochs (the restatement, the two removals)."""
    return planted_over([SPEC], generated)


def merge(first: Generated, second: Generated) -> Generated:
    """Two `Generated` as one (lists concatenated, dicts joined; paths must not collide)."""
    assert not first.pages.keys() & second.pages.keys(), "page paths collide"
    out = {}
    for f in dataclasses.fields(Generated):
        a, b = getattr(first, f.name), getattr(second, f.name)
        out[f.name] = a | b if isinstance(a, dict) else a + b
    return Generated(**out)


# ---------------------------------------------------------------------------------------------------------
# Serving: per-portal state (counters, the decoy listener) and the raw answers


def huge_chunks(head: bytes, size: int = HUGE_BYTES, piece: int = 64 * 1024) -> Iterator[bytes]:
    """A `size`-byte body made on the fly: `head`, then one reused `piece`-byte filler block (HTML table rows, or
    PDF comment lines), the rest padded with spaces; never more than one block in memory."""
    pdf = head.startswith(b"%PDF")
    line = b"% filler of a scanned attachment, 0123456789 abcdefghij\n" if pdf else \
        "<tr><td>农业农村统计数据</td><td>0</td><td>0</td><td>0</td></tr>\n".encode()  # fmt: skip
    tail = b"%%EOF\n" if pdf else b"</table></body></html>\n"
    block = (line * (piece // len(line) + 1))[:piece]
    yield head
    left = size - len(head) - len(tail)
    while left >= piece:
        yield block
        left -= piece
    yield b" " * left + tail


def _huge_head(content_type: str) -> bytes:
    if content_type == PDF:
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    title = _TITLES[0].format(agency=SPEC.author.agency, y=2010)
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n</head>\n<body>\n'
            f'<h1>{title}</h1>\n<table border="1">\n').encode()  # fmt: skip


RawAnswer = Callable[[Handler, str], None]  # talks to the socket itself: (request handler, method)


class FaultSite:
    """The fault site of one portal: its pages and endpoints per epoch, the decoy listener, and counters."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.lock = threading.Lock()
        self.transient: Counter[str] = Counter()  # requests per path in this epoch (the transient answer)
        self.list_page_fails = True  # epoch 2: the failing list page answers 500 (False: it answers the page)
        self.stalling = 0  # stalled answers in progress
        self.decoy: Decoy | None = None
        self.epoch = 1

    # -- lifecycle
    def start(self) -> None:
        self.decoy = Decoy(self.host, _decoy_page()).start()

    def stop(self) -> None:
        if self.decoy is not None:
            self.decoy.stop()

    @property
    def decoy_base(self) -> str:
        if self.decoy is None:
            raise RuntimeError("portal not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.decoy.port}"

    @property
    def decoy_hits(self) -> int:
        return self.decoy.hits if self.decoy is not None else 0

    # -- what is served
    def set_epoch(self, epoch: int) -> tuple[dict[str, tuple[bytes, str]], dict[str, Callable]]:
        """The site's static pages and endpoints in `epoch`; the transient failures start over."""
        with self.lock:
            self.epoch = epoch
            self.transient.clear()
        built = build(epoch)
        pages = built.generated.pages
        endpoints = {path: self._endpoint(path, behaviour, pages) for path, behaviour in built.behaviours.items()}
        return pages, endpoints

    def _endpoint(self, path: str, behaviour: tuple, pages: dict[str, tuple[bytes, str]]) -> Callable:
        kind, *args = behaviour

        def answer(request: Request) -> Response | RawAnswer:
            if kind == "status":
                return args[0], _500, HTML
            if kind == "transient":
                with self.lock:
                    self.transient[path] += 1
                    failing = self.transient[path] <= TRANSIENT_FAILURES
                return (503, _503, HTML) if failing else (200, *pages[path])
            if kind == "list_page":
                return (500, _500, HTML) if self.list_page_fails else (200, *pages[path])
            if kind == "redirect":
                target = args[0].replace(DECOY, self.decoy_base) if args[0].startswith(DECOY) else args[0]
                body = f'<html><body><a href="{html.escape(target)}">302 Found</a></body></html>\n'.encode()
                return 302, body, HTML, {"Location": target}
            if kind == "refresh":
                return 200, _encode(SPEC, args[0].replace(DECOY, self.decoy_base)), HTML
            if kind == "reset":
                return _reset
            if kind == "stall":
                return self._stall
            if kind == "truncated":
                return _truncated
            if kind == "huge":
                return _Huge(*args)
            raise ValueError(f"no fault behaviour {kind!r}")

        return answer

    def _stall(self, handler: Handler, method: str) -> None:
        """Never answer: wait STALL_SECONDS, or until the client closes its end, then close the connection."""
        with self.lock:
            self.stalling += 1
        try:
            conn: socket.socket = handler.connection
            deadline = time.monotonic() + STALL_SECONDS
            while (left := deadline - time.monotonic()) > 0:
                readable, _, _ = select.select([conn], [], [], min(0.1, left))
                if readable:
                    try:
                        if conn.recv(1, socket.MSG_PEEK) == b"":
                            break  # the client gave up
                    except OSError:
                        break
                    time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))  # bytes pending: do not spin
        finally:
            handler.close_connection = True
            with self.lock:
                self.stalling -= 1

    def truth(self, epoch: int, url: Callable[[str], str]) -> list[dict]:
        """The faults of `epoch` as truth entries with absolute URLs."""
        out = []
        for f in build(epoch).faults:
            entry = {"name": f.name, "url": self._absolute(f.path, url), "page_kind": f.page_kind,
                     "outcome": f.outcome, "reason": f.reason, "epoch": f.epoch}  # fmt: skip
            for key, value in f.extra.items():
                if key in ("target", "report_url"):
                    value = self._absolute(value, url)
                elif key == "report_urls":
                    value = [url(p) for p in value]
                entry[key] = value
            out.append(entry)
        return out

    def decoy_urls(self, url: Callable[[str], str]) -> list[str]:
        return sorted([self.decoy_base + p for p in DECOY_PATHS] + [url(p) for p in OTHER_PATHS])

    def _absolute(self, path: str, url: Callable[[str], str]) -> str:
        if path.startswith(DECOY):
            return self.decoy_base + path.removeprefix(DECOY)
        return path if "://" in path else url(path)


def _reset(handler: Handler, method: str) -> None:
    """Close the connection with a TCP RST before any byte of an answer (SO_LINGER 0)."""
    handler.close_connection = True
    conn: socket.socket = handler.connection
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.rfile.close()  # the socket's file: the descriptor closes only when no file holds it
    conn.close()


def _truncated(handler: Handler, method: str) -> None:
    """Promise the decoy report's length, send a third of it, close the connection."""
    body = _decoy_page()
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", HTML)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    if method != "HEAD":
        handler.wfile.write(body[: len(body) // 3])


@dataclass(frozen=True)
class _Huge:
    """A HUGE_BYTES body streamed block by block, with Content-Length or chunked; a client that stops reading
    (a crawler at its max_bytes) ends it."""

    content_type: str
    chunked: bool

    def __call__(self, handler: Handler, method: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", self.content_type)
        if self.chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Content-Length", str(HUGE_BYTES))
        handler.end_headers()
        if method == "HEAD":
            return
        try:
            for block in huge_chunks(_huge_head(self.content_type)):
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(block), block) if self.chunked else block)
            if self.chunked:
                handler.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client left (or stopped reading for the handler's timeout)
            handler.close_connection = True


class _DecoyHandler(BaseHTTPRequestHandler):
    server: _DecoyServer
    protocol_version = "HTTP/1.1"
    server_version = "ogi-demo-decoy"
    timeout = 5

    def _answer(self) -> None:
        with self.server.lock:
            self.server.hits += 1
            self.server.paths[self.path] += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(min(length, 1 << 20))
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(len(self.server.page)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.server.page)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class _DecoyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], page: bytes) -> None:
        super().__init__(address, _DecoyHandler)
        self.page = page
        self.lock = threading.Lock()
        self.hits = 0
        self.paths: Counter[str] = Counter()


class Decoy:
    """A second listener on the portal's host, another port: answers every request with a report-looking page and
    counts it. A correct crawler never reaches it."""

    def __init__(self, host: str, page: bytes) -> None:
        self.server = _DecoyServer((host, 0), page)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="ogi-demo-decoy", daemon=True)  # fmt: skip

    def start(self) -> Decoy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def hits(self) -> int:
        with self.server.lock:
            return self.server.hits
