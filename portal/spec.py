"""The data a demo-portal site is generated from (`SiteSpec`) and one page-to-be of it (`Article`): shared by the
site generator (portal.sites, portal.apisites) and the CMS family writers (portal.families), which need no more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from portal.render import Author, Layout
from portal.values import Profile


@dataclass(frozen=True)
class SiteSpec:
    """One mock agency site. Paths are relative to the site prefix `/<name>/`."""

    name: str
    author: Author
    region: dict
    site_title: str
    column: str  # the 信息公开 column (list pages): "col/col1229/"
    article: str  # article path template: {y} {m} {d} {ym} {ymd} {id}
    kinds: dict[int, str]  # data year -> report kind (see values.ReportData)
    profile: Profile
    publisher: str  # 发布机构 as printed
    index_code: str  # 索引号 prefix, up to the year: "11330800002618197P/"
    title: str = "{agency}{year}年政府信息公开工作年度报告"
    titles: dict[int, str] = field(default_factory=dict)  # per-year title overrides
    list_file: str = "index.html"  # first list page; the others are index_1.html, index_2.html, …
    relative_links: bool = False  # list links like ./202301/t20230112_1.html instead of /site/...
    list_style: str = "ul"  # "ul" or "table"
    truncate: int | None = None  # list titles cut to this length + "…" (full title in the title attribute)
    per_page: int = 10
    encoding: str = "utf-8"  # "gbk": the site serves GBK bytes
    meta_charset: str | None = '<meta charset="utf-8">'  # what the article pages declare (may lie)
    list_meta_charset: str | None = '<meta charset="utf-8">'
    content_type: str = "text/html; charset=utf-8"
    container: str = '<div id="zoom">'
    meta_style: str = "table"  # metadata block above the body: "table" or "ul"
    layout: Layout = field(default_factory=Layout)
    layouts: dict[int, Layout] = field(default_factory=dict)  # per-year layout overrides
    approximate_years: frozenset[int] = frozenset()  # narrative reports quoting "7700余条"
    mirror: bool = False  # traditional script with pinyin artifacts (an auto-converting mirror)
    taiwan_years: frozenset[int] = frozenset()  # mirror pages with Taiwan vocabulary (文件→檔案)
    planted_year: int | None = None  # the report whose section 三 does not reconcile
    draft_year: int | None = None  # a report-like draft linked under /<site>/private/ (robots: Disallow)
    dead_link_year: int | None = None  # a report link whose page is gone (404)
    # Cross-report anomalies, each on the report of that year (see Generated.planted):
    carry_over_year: int | None = None  # 上年结转 ≠ last year's 结转下年度 (natural persons and 总计)
    stock_flow_year: int | None = None  # section 二 stock ≠ last year's stock + flow (values.plant_stock_flow_break)
    copy_year: int | None = None  # the report repeats last year's figures, every one
    late_year: int | None = None  # published (page and list date) after 31 March of the next year
    gap_year: int | None = None  # no report at all (no link, no page) between two published years
    restated_year: int | None = None  # epoch 2: re-published at the same URL with corrected section 三 figures
    removed_year: int | None = None  # epoch 2: no longer listed, and its URL answers 404
    id_base: int = 10_000
    # The site's CMS family and its list protocol (portal.families): html, trs, script, hanweb, trsapi (here);
    # gkmlpt, json (portal.apisites). `cms` holds the family's settings and `home`: (style, link text) of the
    # home page's way to the 年报 column ("xxgk": through the 信息公开 page; "direct": the home page links it).
    family: str = "html"
    cms: dict = field(default_factory=dict, compare=False)
    copies: dict[int, str] = field(default_factory=dict, compare=False)  # year -> attachment copy (portal.attachments)
    not_report: str | None = None  # "maintenance" | "login": a report-like 2012 list item leading to that page


@dataclass
class Article:
    title: str
    date: datetime
    category: str
    body: str = ""  # HTML
    report: dict | None = None  # truth entry (without url) for a report
    kind: str = "other"  # "report", "other", "draft" (robots-disallowed), "missing" (404), "removed" (epoch 2),
    # "notreport" (a report-like title leading to a page that is not a report: portal.notreport)
    path: str = ""
    doc_type: str = "html"  # what the article URL serves: html, or pdf for a list item that is the report file
