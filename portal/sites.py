"""The generated sites of the demo portal: agencies, their report years and formats, list and article pages.

Everything is deterministic (seeded per site), so one generation is byte-identical to the next. Pages hold
root-relative links only, so the bytes do not depend on the port the portal serves them on; `Portal.truth()`
makes the URLs absolute.

The sites exist in two states, epochs: `generate(1)` (the default) and `generate(2)`, a later state where one
report was re-published at its URL with corrected figures (`restated_year`) and one was taken down, unlisted and
404 (`removed_year`); every other page is byte-identical. Cross-report anomalies are planted on known reports
(SiteSpec fields below) and listed, with every other cross-report identity the data breaks, by `planted()`.

Each site is one CMS family (`SiteSpec.family`, portal.families): its list pages and list endpoints follow that
family's real protocol, while its report article pages, report URLs and values are those the portal always
served (the warehouse's figures rest on them); a few report articles also link a file copy of themselves
(`copies`, portal.attachments), and two lists hold a report-like item whose page is not a report
(`not_report`, portal.notreport). The API-only sites (gkmlpt, json) are in portal.apisites, outside
`generate()`, whose reports are the labelled corpus.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from portal import attachments, homes, notreport
from portal.attachments import Attachment
from portal.chrome import document as _document
from portal.chrome import encode as _encode
from portal.families import Endpoint, Listing, build_listing
from portal.render import Author, Layout, merge_values, render_report, to_mirror_script
from portal.spec import Article, SiteSpec
from portal.values import (
    Profile,
    ReportData,
    cross_report_breaks,
    generate_report,
    plant_balance_error,
    plant_carry_over_break,
    plant_stock_flow_break,
    restate,
)

EPOCHS = (1, 2)
DEADLINE = (3, 31)  # a report on year t is due by 31 March of t+1


_SPECS = [
    SiteSpec(
        name="quzhou",
        author=Author("衢州市人民政府", "市政府", "我市", "浙江省", "0570-3025551"),
        region={"province": "浙江省", "city": "衢州市", "county": None, "code": "330800"},
        site_title="衢州市人民政府门户网站",
        column="col/col1229/",
        article="art/{y}/{m}/{d}/art_1229_{id}.html",
        kinds={2013: "narrative", 2014: "2014:early"}
        | dict.fromkeys(range(2015, 2019), "2014")
        | dict.fromkeys((2019, 2020), "2019")
        | dict.fromkeys(range(2021, 2025), "2021"),
        profile=Profile(
            requests=120,
            active=(3000, 12000),
            regulations=True,
            items=300,
            decisions=3000,
            normative=12,
            procurement=30,
            fees=True,
        ),
        publisher="市政府办公室",
        index_code="113308000025925370/",
        titles={2013: "衢州市2013年政府信息公开工作年度报告"},
        per_page=12,
        content_type="text/html; charset=UTF-8",
        approximate_years=frozenset({2013}),
        dead_link_year=2012,
        late_year=2019,
        id_base=1_588_000,
        family="hanweb",
        cms={"webid": 2, "unitid": "4562785", "per_page": 5, "group_size": 2, "webname": "衢州市人民政府",
             "column_name": "政府信息公开年报", "site_code": "3308000001", "xxgk": "col/col1228/index.html",
             "home": ("xxgk", "政府信息公开年报")},
        copies={2016: "attach", 2022: "downfile"},
    ),
    SiteSpec(
        name="qzswj",
        author=Author("衢州市商务局", "市商务局", "我局", "浙江省", "0570-3078801"),
        region={"province": "浙江省", "city": "衢州市", "county": None, "code": "330800"},
        site_title="衢州市商务局",
        column="zwgk/xxgk/",
        article="zwgk/xxgk/{ym}/t{ymd}_{id}.html",
        kinds={2013: "local:zhejiang", 2014: "2014:early", 2015: "narrative"}
        | dict.fromkeys(range(2016, 2019), "2014")
        | dict.fromkeys((2019, 2020), "2019")
        | dict.fromkeys(range(2021, 2025), "2021"),
        profile=Profile(requests=2, active=(80, 600), items=12, decisions=40, normative=0.5, quiet=0.4, procurement=1),
        publisher="市商务局",
        index_code="11330800002618197P/",
        titles={2016: "市商务局2016年政府信息公开工作年度报告", 2017: "市商务局2017年政府信息公开工作年度报告"},
        relative_links=True,
        list_style="table",
        encoding="gbk",
        meta_charset='<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        list_meta_charset='<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        content_type="text/html",
        container='<div class="TRS_Editor">',
        layouts={2013: Layout(zero_blank=True, blank="")},
        copy_year=2022,
        id_base=101_600,
        family="trs",
        cms={"site_code": "3308000012", "home": ("xxgk", "政府信息公开年度报告")},
        copies={2023: "appendix"},
    ),
    SiteSpec(
        name="qujiang",
        author=Author("衢州市衢江区人民政府", "区政府", "我区", "浙江省", "0570-3880012"),
        region={"province": "浙江省", "city": "衢州市", "county": "衢江区", "code": "330803"},
        site_title="衢江区人民政府",
        column="xxgk/zfxxgk/",
        article="xxgk/zfxxgk/{ym}/t{ymd}_{id}.shtml",
        kinds={2013: "narrative", 2014: "2014", 2015: "2014", 2016: "narrative", 2017: "2014", 2018: "2014"}
        | dict.fromkeys((2019, 2020), "2019")
        | {2021: "2021", 2022: "2021", 2023: "hybrid", 2024: "hybrid"},
        profile=Profile(
            requests=25, active=(800, 3000), items=150, decisions=1500, normative=4, procurement=10, fees=True
        ),
        publisher="区政府办公室",
        index_code="330803-001/",
        title="衢江区人民政府{year}年政府信息公开工作年度报告",
        titles={2015: "衢江区2015年度政府信息公开年度报告"},
        truncate=22,
        per_page=15,
        meta_charset='<meta charset="UTF-8">',
        list_meta_charset='<meta charset="UTF-8">',
        content_type="text/html",
        container='<div class="article-content">',
        layout=Layout(label_breaks=True, blank="-"),
        draft_year=2019,
        carry_over_year=2021,
        id_base=46_100,
        family="script",
        cms={"site_code": "3308030001", "home": ("direct", "年度报告")},
        not_report="maintenance",
    ),
    SiteSpec(
        name="anju",
        author=Author("遂宁市安居区财政局", "区财政局", "我局", "四川省", "0825-8651234"),
        region={"province": "四川省", "city": "遂宁市", "county": "安居区", "code": "510904"},
        site_title="遂宁市安居区财政局",
        column="gongkai/czj/",
        article="gongkai/czj/show/{ymd}{id}.html",
        kinds={2013: "narrative", 2014: "narrative"}
        | dict.fromkeys(range(2015, 2019), "2014")
        | dict.fromkeys((2019, 2020), "2019")
        | dict.fromkeys(range(2021, 2025), "2021"),
        profile=Profile(requests=1.5, active=(60, 400), items=5, decisions=10, normative=0.3, quiet=0.5, procurement=2),
        publisher="安居区财政局",
        index_code="008763219/",
        titles={
            2015: "安居区财政局2015年度政府信息公开工作年度报告",
            2016: "安居区财政局2016年度政府信息公开工作年度报告",
        },
        per_page=8,
        encoding="gbk",
        meta_charset='<meta charset="utf-8">',  # a lie: the bytes are GBK
        list_meta_charset=None,
        content_type="text/html",
        meta_style="ul",
        layout=Layout(label_spaces=True, blank="/", heading="h3"),
        stock_flow_year=2023,
        removed_year=2024,
        id_base=3_317,
        cms={"home": ("xxgk", "政府信息公开年报")},
    ),
    SiteSpec(
        name="snsthj",
        author=Author("遂宁市生态环境局", "市生态环境局", "我局", "四川省", "0825-2224567"),
        region={"province": "四川省", "city": "遂宁市", "county": None, "code": "510900"},
        site_title="遂宁市生态环境局",
        column="zwgk/zfxxgk/",
        article="zwgk/zfxxgk/content/post_{id}.html",
        kinds=dict.fromkeys((2019, 2020), "2019") | dict.fromkeys(range(2021, 2025), "2021"),
        profile=Profile(requests=15, active=(300, 1500), items=40, decisions=300, normative=2, procurement=8),
        publisher="市生态环境局",
        index_code="11510900MB1520163K/",
        list_style="table",
        per_page=9,
        meta_charset=None,
        list_meta_charset=None,
        container='<div class="TRS_Editor">',
        meta_style="ul",
        layout=Layout(procurement_unit="万元", indent=""),
        planted_year=2021,
        restated_year=2023,
        id_base=1_264_800,
        cms={"home": ("xxgk", "年度报告")},
    ),
    SiteSpec(
        name="yongan",
        author=Author("永安市人民政府", "市政府", "我市", "福建省", "0598-3601234"),
        region={"province": "福建省", "city": "三明市", "county": "永安市", "code": "350481"},
        site_title="永安市人民政府",
        column="zwgk/zfxxgknb/",
        article="zwgk/zfxxgknb/{ym}/t{ymd}_{id}.htm",
        kinds={2013: "local:fujian2011", 2014: "local:fujian2011"}
        | dict.fromkeys(range(2015, 2019), "local:fujian2015")
        | dict.fromkeys((2019, 2020), "2019")
        | dict.fromkeys(range(2021, 2025), "2021"),
        profile=Profile(
            requests=8, active=(500, 2500), items=100, decisions=800, normative=3, procurement=6, fees=True
        ),
        publisher="永安市人民政府办公室",
        index_code="003652710/",
        title="{agency}{year}年度政府信息公开工作年度报告",
        titles={2015: "2015年度政府信息公开年度报告", 2016: "2016年度政府信息公开年度报告"},
        list_file="index.htm",
        relative_links=True,
        container='<div class="TRS_Editor">',
        stock_flow_year=2020,
        id_base=5_540,
        family="trsapi",
        cms={"search_id": 200315, "chnlid": 5876, "prepage": 10, "site_id": 12, "column_name": "政府信息公开年报",
             "site_code": "3504810001", "home": ("xxgk", "政府信息公开年报")},
        not_report="login",
    ),
    SiteSpec(
        name="tzspj",
        author=Author("泰州市行政审批局", "市行政审批局", "我局", "江苏省", "0523-86399123"),
        region={"province": "江苏省", "city": "泰州市", "county": None, "code": "321200"},
        site_title="泰州市行政审批局",
        column="col/col5823/",
        article="art/{y}/{m}/{d}/art_5823_{id}.html",
        kinds={2015: "2014:sources", 2016: "2014:sources", 2017: "narrative", 2018: "2014:sources"}
        | dict.fromkeys((2019, 2020), "2019")
        | dict.fromkeys((2021, 2022), "2021"),
        profile=Profile(requests=3, active=(200, 800), items=150, decisions=5000, normative=0.5, procurement=3),
        publisher="市行政审批局",
        index_code="3212000038/",
        title="{agency}{year}年度政府信息公开工作年度报告",
        per_page=8,
        container='<div class="article-content">',
        mirror=True,
        taiwan_years=frozenset({2019, 2020}),
        gap_year=2018,
        id_base=355_000,
        cms={"home": ("direct", "政府信息公开年度报告")},
    ),
]

# Articles that are not reports (some are near-misses for a naive title regex): (title, category, month offset
# from 1 January of the year named in the title).
_OTHERS = [
    ("关于报送{y}年政府信息公开工作年度报告的通知", "通知", 12),
    ("关于做好{y}年政府信息公开工作年度报告编制发布工作的通知", "通知", 11),
    ("{y}年政务公开工作要点", "通知", 3),
    ("{place}{y}年政务公开工作要点", "通知", 4),
    ("《{agency}{y}年政府信息公开工作年度报告》解读", "政策解读", 13),
    ("图解：{short}{y}年政府信息公开工作年度报告", "政策解读", 13),
    ("{short}召开{y}年度政务公开工作推进会", "工作动态", 5),
    ("{short}开展政府信息公开业务培训", "工作动态", 7),
    ("{agency}政府信息公开指南", "通知", 2),
    ("关于调整{agency}政务公开工作领导小组成员的通知", "通知", 8),
    ("《关于进一步优化营商环境的若干意见》政策解读", "政策解读", 6),
    ("{short}{y}年度部门预算公开说明", "工作动态", 2),
]
ROBOTS_PRIVATE = "private/"


@dataclass
class Generated:
    """Generated pages (path -> (bytes, content type)), endpoints and their ground truth, with root-relative paths.

    `sites`: one entry per site, {name, start_paths, agency, region, family, home_path, list_requests, list_api};
    `documents`: report path -> [{path, type}] (the report's page first, then its attachments);
    `values_in`: report path -> "article" or the path of the attachment that prints the values."""

    pages: dict[str, tuple[bytes, str]]
    sites: list[dict]
    reports: list[dict]
    list_paths: list[str]
    skipped_paths: list[str]
    disallowed_paths: list[str]
    missing_paths: list[str]
    robots_disallow: list[str]
    bodies: dict[str, tuple[str, str]] = field(default_factory=dict)  # report path -> (printed title, body HTML)
    removed_paths: list[str] = field(default_factory=list)  # reports taken down in this epoch (unlisted, 404)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    documents: dict[str, list[dict]] = field(default_factory=dict)
    values_in: dict[str, str] = field(default_factory=dict)
    attachment_paths: list[str] = field(default_factory=list)
    not_report_paths: list[str] = field(default_factory=list)
    home_paths: list[str] = field(default_factory=list)


@dataclass
class SiteBuild:
    """One site in one epoch: its pages and endpoints, its articles (with paths, kinds and truth), its list
    (`Listing`: start path, list pages, list requests), home paths and report attachments."""

    spec: SiteSpec
    pages: dict[str, tuple[bytes, str]]
    articles: list[Article]
    listing: Listing
    home_paths: list[str]
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    attachments: dict[str, list[Attachment]] = field(default_factory=dict)  # report path -> its files
    values_in: dict[str, str] = field(default_factory=dict)  # report path -> attachment path (default "article")
    list_api: dict | None = None  # the `json` family's API description (sites_config)


def _path(spec: SiteSpec, template: str, date: datetime, ident: int) -> str:
    rel = template.format(y=date.year, m=date.month, d=date.day, ym=f"{date:%Y%m}", ymd=f"{date:%Y%m%d}", id=ident)
    return f"/{spec.name}/{rel}"


def _title(spec: SiteSpec, year: int) -> str:
    return spec.titles.get(year, spec.title).format(agency=spec.author.agency, short=spec.author.short, year=year)


def _plant(spec: SiteSpec, data: ReportData, prev: dict | None) -> None:
    """Plant the anomalies of `spec` that fall on this report, before its values become next year's `prev`."""
    if data.year == spec.copy_year:
        assert prev is not None, f"{spec.name}: copy_year {data.year} has no previous report"
        data.values = dict(prev)
    if data.year == spec.planted_year:
        plant_balance_error(data)
    if data.year == spec.carry_over_year:
        plant_carry_over_break(data)
    if data.year == spec.stock_flow_year:
        plant_stock_flow_break(data)


def _reports(spec: SiteSpec, epoch: int) -> list[Article]:
    """The report articles of a site in `epoch` (kind "removed" for the one taken down in epoch 2).

    A restated report is rendered from a copy of the text generator's state, so the text stream, and with it
    every other page, is the same in both epochs."""
    values_rng = random.Random(f"ogi-portal/{spec.name}/values")
    text_rng = random.Random(f"ogi-portal/{spec.name}/text")
    out: list[Article] = []
    prev = None
    for year, kind in sorted(spec.kinds.items()):
        data = generate_report(values_rng, spec.profile, year, kind, prev)
        _plant(spec, data, prev)
        prev = data.values
        layout = spec.layouts.get(year, spec.layout)
        text_state = text_rng.getstate()
        fragment = render_report(
            data, author=spec.author, rng=text_rng, layout=layout, approximate=year in spec.approximate_years
        )
        if epoch >= 2 and year == spec.restated_year:
            replay = random.Random()
            replay.setstate(text_state)
            fragment = render_report(restate(data), author=spec.author, rng=replay, layout=layout)
        published = datetime(
            year + 1, text_rng.randint(1, 3), text_rng.randint(1, 28), text_rng.randint(8, 17), text_rng.randint(0, 59)
        )
        if year == spec.late_year:
            published = published.replace(month=published.month + 3)  # April to June: past the deadline
        if year == spec.gap_year:
            continue  # generated (so the random streams stay put) but never published
        truth = {
            "site": spec.name,
            "agency": spec.author.agency,
            "region_code": spec.region["code"],
            "report_year": year,
            "published_at": published.date().isoformat(),
            "format": data.format,
            "section_formats": data.section_formats,
            "kind": data.kind,
            "encoding": spec.encoding,
            "values": merge_values(fragment.values),
            "planted_issues": data.planted_issues,
        }
        kind = "removed" if epoch >= 2 and year == spec.removed_year else "report"
        out.append(Article(_title(spec, year), published, "年度报告", fragment.html, truth, kind))
    return out


def _values(report: dict) -> dict[tuple, object]:
    return {(v["metric"], v["applicant"], v["period"]): v["value"] for v in report["values"]}


def _deadline(year: int) -> date:
    return date(year + 1, *DEADLINE)


def _planted(spec: SiteSpec, first: list[dict], later: dict[str, dict]) -> list[dict]:
    """Every cross-report finding the site's data holds: identities broken between consecutive report years
    (values.cross_report_breaks), reports repeating last year's figures (copy_paste), reports published after
    the deadline (late), years missing between published ones (missing_year), and the epoch-2 changes:
    corrected figures (restatement) and the report taken down (removed).

    `first`: the epoch-1 report truths of the site (with `path`); `later`: epoch-2 truths by path."""
    out: list[dict] = []

    def add(kind: str, year: int, **details: object) -> None:
        out.append({"kind": kind, "site": spec.name, "agency": spec.author.agency, "report_year": year,
                    "details": details})  # fmt: skip

    by_year = {r["report_year"]: r for r in first}
    years = sorted(by_year)
    for previous, following in zip(years, years[1:], strict=False):
        for gap in range(previous + 1, following):
            add("missing_year", gap, previous_year=previous, next_year=following)
    for year, report in sorted(by_year.items()):
        published = date.fromisoformat(report["published_at"])
        if published > _deadline(year):
            add("late", year, published_at=published.isoformat(), deadline=_deadline(year).isoformat())
        before = by_year.get(year - 1)
        if before is None:
            continue
        for found in cross_report_breaks(_values(before), _values(report)):
            add(found.pop("check"), year, **found)
        if _values(before) == _values(report):
            add("copy_paste", year, previous_year=year - 1, values=len(report["values"]))
    for report in first:
        path, old = report["path"], _values(report)
        if path not in later:
            add("removed", report["report_year"], path=path, epoch=2, how="unlisted")
            continue
        new = _values(later[path])
        changes = [
            {"metric": key[0], "applicant": key[1], "period": key[2], "old": old.get(key), "new": new.get(key)}
            for key in sorted(old.keys() | new.keys(), key=str)
            if old.get(key) != new.get(key)
        ]
        if changes:
            add("restatement", report["report_year"], path=path, epoch=2, changes=changes)
    return out


def _others(spec: SiteSpec, years: list[int]) -> list[Article]:
    rng = random.Random(f"ogi-portal/{spec.name}/others")
    place = spec.region["county"] or spec.region["city"]
    out = []
    for template, category, months in rng.sample(_OTHERS, 9):
        y = rng.choice(years)
        date = datetime(y, 1, 1) + timedelta(days=months * 30 + rng.randint(0, 25), hours=rng.randint(8, 17))
        title = template.format(y=y, place=place, agency=spec.author.agency, short=spec.author.short)
        body = (
            f"<p>各有关单位：</p>\n<p>\u3000\u3000为深入贯彻落实《中华人民共和国政府信息公开条例》，进一步做好{y}年度政务公开相关工作，"
            "现将有关事项通知如下。</p>\n<p>\u3000\u3000一、提高思想认识。各单位要高度重视，明确责任分工，确保按时保质完成。</p>\n"
            "<p>\u3000\u3000二、严格审核把关。坚持“先审查、后公开”，严格落实保密审查制度。</p>\n"
            f'<p style="text-align:right">{html.escape(spec.author.agency)}</p>\n'
            f'<p style="text-align:right">{date.year}年{date.month}月{date.day}日</p>\n'
        )
        out.append(Article(title, date, category, body))
    return out


def _meta_block(spec: SiteSpec, a: Article, seq: int) -> str:
    index = f"{spec.index_code}{a.date.year}-{seq:05d}"
    fields = [("索引号", index), ("发布机构", spec.publisher), ("成文日期", f"{a.date:%Y-%m-%d}"), ("公开方式", "主动公开"),
              ("组配分类", a.category), ("文号", "")]  # fmt: skip
    if spec.meta_style == "ul":
        items = "".join(f"<li><span>{name}：</span>{html.escape(value)}</li>" for name, value in fields)
        return f'<ul class="xxgk-info">{items}</ul>\n'
    cells = [f"<th>{name}：</th><td>{html.escape(value)}</td>" for name, value in fields]
    rows = "".join(f"<tr>{cells[i]}{cells[i + 1]}</tr>" for i in range(0, len(cells), 2))
    return f'<table class="xxgk-table" width="100%">{rows}</table>\n'


def _article_page(spec: SiteSpec, a: Article, seq: int, views: int, inner: str = "", outer: str = "") -> str:
    """An article page; `inner`/`outer`: markup added at the end of the body container / right after it (links
    to attachments), empty for every page whose bytes predate them."""
    column = f"/{spec.name}/{spec.column}{spec.list_file}"
    close = "</div>"
    head = (
        f'<meta name="ArticleTitle" content="{html.escape(a.title)}">\n'
        f'<meta name="PubDate" content="{a.date:%Y-%m-%d %H:%M}">\n'
        f'<meta name="ContentSource" content="{html.escape(spec.publisher)}">\n'
    )
    main = (
        f'<div class="crumb">您当前的位置：<a href="/{spec.name}/">首页</a> &gt; <a href="{column}">政府信息公开</a> &gt; 正文</div>\n'
        + _meta_block(spec, a, seq)
        + f'<div class="article">\n<h1 class="title">{html.escape(a.title)}</h1>\n'
        f'<div class="info">发布时间：{a.date:%Y-%m-%d %H:%M}　来源：{html.escape(spec.publisher)}　浏览次数：<span>{views}</span>　'
        '字号：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>]　'
        '<a href="javascript:window.print()">打印</a></div>\n'
        f"{spec.container}\n{a.body}{inner}{close}\n{outer}</div>\n"
        '<div class="tools"><div class="qrcode">扫一扫在手机打开当前页</div>'
        '<a href="javascript:window.print()">打印本页</a>　<a href="javascript:window.close()">关闭窗口</a></div>\n'
    )
    return _document(spec, title=f"{a.title}_{spec.site_title}", head=head, main=main, charset=spec.meta_charset)


def _printed(spec: SiteSpec, text: str) -> str:
    """A title as the page prints it (mirrors convert it)."""
    return html.unescape(to_mirror_script(html.escape(text))) if spec.mirror else text


def _articles(spec: SiteSpec, epoch: int) -> list[Article]:
    """Reports, other articles, the draft and the dead link of a site, with their paths (one id stream)."""
    reports = _reports(spec, epoch)
    articles = reports + _others(spec, sorted(spec.kinds))
    if spec.draft_year is not None:
        source = next(a for a in reports if a.report and a.report["report_year"] == spec.draft_year)
        draft = Article(
            f"{_title(spec, spec.draft_year)}（征求意见稿）",
            source.date - timedelta(days=20),
            "年度报告",
            source.body,
            kind="draft",
        )
        articles.append(draft)
    if spec.dead_link_year is not None:
        y = spec.dead_link_year
        articles.append(Article(_title(spec, y), datetime(y + 1, 3, 20, 9, 30), "年度报告", kind="missing"))
    return articles


def build_site(spec: SiteSpec, epoch: int = 1) -> SiteBuild:
    """All pages of one site in `epoch`: articles (report pages unchanged since before the CMS families), the
    list in the site's family (portal.families), the home pages, attachment copies and the not-a-report item."""
    articles = _articles(spec, epoch)
    rng = random.Random(f"ogi-portal/{spec.name}/ids")
    ident = spec.id_base
    for a in sorted(articles, key=lambda a: a.date):
        ident += rng.randint(1, 40)
        a.path = _path(spec, spec.article, a.date, ident)
        if a.kind == "draft":
            a.path = f"/{spec.name}/{ROBOTS_PRIVATE}draft_{ident}.html"

    pages: dict[str, tuple[bytes, str]] = {}
    files: dict[str, list[Attachment]] = {}
    for seq, a in enumerate(sorted(articles, key=lambda a: a.date), start=1):
        if a.kind == "missing":
            continue
        views = rng.randint(20, 3000)
        if a.kind == "removed":
            continue
        inner = outer = ""
        if a.report and a.report["report_year"] in spec.copies:
            style = spec.copies[a.report["report_year"]]
            inner, outer, copy = attachments.copy_of(spec.name, a.path, style, _printed(spec, a.title), a.body,
                                                     f"{a.date:%Y%m%d}")  # fmt: skip
            files[a.path] = [copy]
        markup = _article_page(spec, a, seq, views=views, inner=inner, outer=outer)
        pages[a.path] = (_encode(spec, markup, a.report["report_year"] if a.report else None), spec.content_type)

    listed = [a for a in articles if a.kind != "removed"]
    if spec.not_report:
        item = Article(_title(spec, notreport.YEAR), notreport.DATE, "年度报告", kind="notreport")
        item.path = _path(spec, spec.article, item.date, spec.id_base - 3)
        pages[item.path] = (notreport.page(spec, spec.not_report), spec.content_type)
        articles.append(item)
        listed.append(item)
    listed.sort(key=lambda a: (a.date, a.path), reverse=True)
    return finish(spec, pages, articles, listed, files)


def finish(spec: SiteSpec, pages: dict[str, tuple[bytes, str]], articles: list[Article], listed: list[Article],
           files: dict[str, list[Attachment]], values_in: dict[str, str] | None = None) -> SiteBuild:  # fmt: skip
    """The list (in the site's family), home pages and attachment files of a site whose article pages are built."""
    listing = build_listing(spec, listed)
    pages |= listing.pages
    home_pages, home_paths = homes.build(spec, listing.start_path)
    pages |= home_pages
    file_pages, endpoints = attachments.serve([f for group in files.values() for f in group])
    pages |= file_pages
    return SiteBuild(spec, pages, articles, listing, home_paths, listing.endpoints | endpoints, files,
                     values_in or {})  # fmt: skip


def generate(epoch: int = 1) -> Generated:
    """Every generated site in `epoch` (see the module docstring); cached: generation is deterministic."""
    if epoch not in EPOCHS:
        raise ValueError(f"no epoch {epoch}: the demo sites have epochs {EPOCHS}")
    return _generate(epoch)


@cache
def _generate(epoch: int) -> Generated:
    return collect([build_site(spec, epoch) for spec in _SPECS])


def collect(builds: list[SiteBuild]) -> Generated:
    """The pages and ground truth of some built sites, together."""
    pages: dict[str, tuple[bytes, str]] = {}
    out = Generated(pages, [], [], [], [], [], [], [f"/{b.spec.name}/{ROBOTS_PRIVATE}" for b in builds if b.spec.draft_year])
    for build in builds:
        spec = build.spec
        pages |= build.pages
        out.endpoints |= build.endpoints
        out.list_paths += build.listing.list_paths
        out.home_paths += build.home_paths
        out.sites.append(
            {
                "name": spec.name,
                "start_paths": [build.listing.start_path],
                "agency": spec.author.agency,
                "region": spec.region,
                "family": spec.family,
                "home_path": build.home_paths[0],
                "list_requests": build.listing.requests,
                "list_api": build.list_api,
            }
        )
        for a in build.articles:
            if a.kind == "report":
                assert a.report is not None
                out.reports.append({"path": a.path, "title": _printed(spec, a.title)} | a.report)
                out.bodies[a.path] = (_printed(spec, a.title), to_mirror_script(a.body, taiwan=a.report["report_year"] in spec.taiwan_years) if spec.mirror else a.body)
                out.documents[a.path] = [{"path": a.path, "type": a.doc_type}] + [
                    {"path": f.path, "type": f.type} for f in build.attachments.get(a.path, [])
                ]
                out.values_in[a.path] = build.values_in.get(a.path, "article")
            elif a.kind == "other":
                out.skipped_paths.append(a.path)
            elif a.kind == "draft":
                out.disallowed_paths.append(a.path)
            elif a.kind == "removed":
                out.removed_paths.append(a.path)
            elif a.kind == "notreport":
                out.not_report_paths.append(a.path)
            else:
                out.missing_paths.append(a.path)
        out.attachment_paths += [f.path for group in build.attachments.values() for f in group]
    return out


def planted_over(specs: list[SiteSpec], generated: Callable[[int], Generated]) -> list[dict]:
    """The cross-report findings of the sites of `specs` over both epochs (`_planted`), root-relative paths."""
    later = {r["path"]: r for r in generated(EPOCHS[-1]).reports}
    out: list[dict] = []
    for spec in specs:
        first = [r for r in generated(EPOCHS[0]).reports if r["site"] == spec.name]
        out += _planted(spec, first, later)
    return out


@cache
def planted() -> list[dict]:
    """The cross-report findings of the generated data, over both epochs (`_planted`), with root-relative paths."""
    return planted_over(_SPECS, generate)


def robots_txt(disallow: list[str]) -> bytes:
    lines = ["# ogi-warehouse demo portal: one robots.txt for every site on this host", "User-agent: *"]
    lines += [f"Disallow: {path}" for path in [*disallow, "/admin/"]]
    return ("\n".join(lines) + "\n").encode("ascii")
