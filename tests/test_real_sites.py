"""Real site entries (crawler/sites/real.json) checked offline against saved pages of the real sites.

In the spirit of City Scrapers: every entry loads and is placed in a real division; where a site's start page (or a
page that names it) is saved under ../shared/corpus, the CMS adapters read it with the entry and the exact result is
asserted: report links (URL, title, list date), further list requests (method, URL, form). No network.
Tests that need ../shared skip without it, and fail instead when CI=true (the `shared_dir` fixture, conftest.py).
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest

from crawler.cms import FAMILIES, Page, detect, read_list
from crawler.cms.links import is_report_title
from crawler.discover import report_columns
from crawler.sites import Site, load_sites
from etl import regions
from etl.decode import decode_html

REPO = Path(__file__).resolve().parents[1]
REAL_SITES = REPO / "crawler" / "sites" / "real.json"
README = REPO / "crawler" / "sites" / "README.md"

# Keys Site.from_dict reads; anything else would be silently ignored, so it does not belong in an entry.
KNOWN_KEYS = {
    "name", "start_urls", "agency", "region", "cms", "list_api", "url_prefixes", "allowed_domains",
    "concurrency", "download_delay", "download_timeout", "selectors",
}  # fmt: skip

PINGTAN_LIST = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"
PINGTAN_API = "https://www.pingtan.gov.cn/fjdzapp/search"
# The static first page of the 政府信息公开年报 list, as the page prints it: (href, title, date column).
PINGTAN_STATIC = [
    ("./202603/t20260313_105587.htm", "平潭综合实验区2025年度政府信息公开工作年度报告", "2026-03-10"),
    ("./202503/t20250310_97791.htm", "平潭综合实验区2024年度政府信息公开工作年度报告", "2025-03-10"),
    ("./202403/t20240308_87885.htm", "平潭综合实验区2023年度政府信息公开工作年度报告", "2024-03-08"),
    ("./202302/t20230220_80629.htm", "平潭综合实验区2022年度政府信息公开工作年度报告", "2023-02-20"),
    ("./202202/t20220208_80613.htm", "平潭综合实验区2021年度政府信息公开工作年度报告", "2022-02-08"),
    ("./202103/t20210305_80595.htm", "平潭综合实验区2020年度政府信息公开工作年度报告", "2021-03-05"),
    ("./202001/t20200120_80576.htm", "平潭综合实验区2019年度政府信息公开工作年度报告", "2020-01-20"),
    ("./201901/t20190110_80529.htm", "平潭综合实验区2018年度政府信息公开工作年度报告", "2019-01-10"),
    ("./201801/t20180123_80506.htm", "平潭综合实验区2017年度政府信息公开工作年度报告", "2018-01-23"),
    ("./201701/t20170118_80485.htm", "平潭综合实验区2016年度政府信息公开工作年度报告", "2017-01-18"),
]
# The saved report pages (pingtan/SOURCES.tsv) that the static first page links; the other five (2011-2014) are on
# page 2, which only the search API serves.
PINGTAN_SOURCES_ON_PAGE_1 = {
    PINGTAN_LIST + p for p in (
        "201701/t20170118_80485.htm", "201901/t20190110_80529.htm", "202001/t20200120_80576.htm",
        "202302/t20230220_80629.htm", "202403/t20240308_87885.htm", "202503/t20250310_97791.htm",
    )
}  # fmt: skip

NYJ_COLUMN = "http://nyj.shandong.gov.cn/col/col59960/index.html"
NYJ_PROXY = "http://nyj.shandong.gov.cn/module/web/jpage/dataproxy.jsp"
# `var param_745545 = {col:1,webid:355,path:'http://nyj.shandong.gov.cn/',columnid:59960,sourceContentType:1,
#  unitid:'745545',webname:'%E5%B1%B1…',permissiontype:0}` (webname is 山东省能源局, percent-encoded in the page)
NYJ_FORM = {
    "col": "1", "webid": "355", "path": "http://nyj.shandong.gov.cn/", "columnid": "59960",
    "sourceContentType": "1", "unitid": "745545",
    "webname": "%E5%B1%B1%E4%B8%9C%E7%9C%81%E8%83%BD%E6%BA%90%E5%B1%80", "permissiontype": "0",
}  # fmt: skip

ZHANGSHU_COLUMN = "http://www.zhangshu.gov.cn/zwgk/zhxx/"
HANDAN_HOME = "http://hdzfxxgk.hd.gov.cn/"
HANDAN_COLUMN = "http://hdzfxxgk.hd.gov.cn/zfxxgknb/"


# ---------------------------------------------------------------------------------------------------------
# Helpers and fixtures


def entries() -> list[dict]:
    return json.loads(REAL_SITES.read_text("utf-8"))


def sites() -> dict[str, Site]:
    return {s.name: s for s in load_sites(REAL_SITES)}


def site_for_start(url: str) -> Site:
    found = [s for s in sites().values() if url in s.start_urls]
    assert len(found) == 1, f"expected one real.json entry starting at {url}, found {[s.name for s in found]}"
    return found[0]


def probe(url: str) -> Site:
    """A site for a saved page that is not a 年报 column (no entry of real.json may start there)."""
    return Site.from_dict({"name": "probe", "start_urls": [url]})


def read_text(path: Path) -> str:
    return decode_html(path.read_bytes(), None)[0]


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Path:
    path = shared_dir / "corpus"
    if not path.is_dir():
        message = f"real corpus not found at {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required when CI=true)", pytrace=False)
        pytest.skip(message)
    return path


def sources(folder: Path) -> list[dict[str, str]]:
    """SOURCES.tsv rows, `original_url` reduced to the URL (the list row carries a note after it)."""
    with (folder / "SOURCES.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        row["original_url"] = row["original_url"].split()[0]
    return rows


def report_rows(corpus: Path) -> list[tuple[Path, str]]:
    """(saved file, original URL) of every saved report page of pingtan and pingtan-more."""
    out = []
    for name in ("pingtan", "pingtan-more"):
        folder = corpus / name
        out += [(folder / r["file"], r["original_url"]) for r in sources(folder) if not r["file"].startswith("_")]
    assert len(out) == 17, "pingtan has 11 saved reports, pingtan-more 6"
    return out


def column_of(report_url: str) -> str:
    """The column a TRS report `…/<column>/YYYYMM/tYYYYMMDD_N.htm` is published in."""
    return urljoin(report_url, "../")


# ---------------------------------------------------------------------------------------------------------
# The entries themselves (no corpus needed)


def test_every_entry_loads_with_unique_names():
    raw = entries()
    loaded = load_sites(REAL_SITES)
    names = [s.name for s in loaded]
    assert len(loaded) == len(raw) >= 9
    assert len(set(names)) == len(names)
    for site in loaded:
        assert site.agency and site.region, site.name
        assert site.cms is None or site.cms in FAMILIES


def test_entries_hold_only_keys_the_loader_reads():
    for entry in entries():
        assert set(entry) <= KNOWN_KEYS, (entry["name"], set(entry) - KNOWN_KEYS)


def test_entries_are_polite():
    for site in load_sites(REAL_SITES):
        assert 1 <= site.concurrency <= 2, site.name
        assert site.download_delay >= 1, site.name


def test_regions_exist_and_match_the_agency():
    for site in load_sites(REAL_SITES):
        region = site.region
        assert set(region) == {"province", "city", "county", "code"}, site.name
        known = regions.lookup(region["code"])
        assert known is not None, f"{site.name}: {region['code']} is not a division code"
        assert (known.province, known.city, known.county) == (region["province"], region["city"], region["county"])
        resolved = regions.resolve(site.agency)
        assert resolved is not None and resolved.code == region["code"], (site.name, site.agency, resolved)


def test_start_urls_are_in_scope():
    for site in load_sites(REAL_SITES):
        assert all(site.in_scope(u) for u in site.start_urls), site.name


def test_readme_gives_provenance_of_every_entry():
    text = README.read_text("utf-8")
    for site in load_sites(REAL_SITES):
        assert f"`{site.name}`" in text, f"{site.name} has no provenance line in {README.name}"
        for url in site.start_urls:
            assert url in text, url


def test_the_expected_agencies_have_entries():
    by_agency = {s.agency: s for s in load_sites(REAL_SITES)}
    for agency in ("平潭综合实验区管理委员会", "衢州市商务局", "衢州市衢江区人民政府", "邯郸市人民政府"):
        assert agency in by_agency, agency


# ---------------------------------------------------------------------------------------------------------
# www.pingtan.gov.cn: the 政府信息公开年报 list (Fujian TRS 动静结合)


def _pingtan_page(corpus: Path) -> Page:
    folder = corpus / "pingtan"
    row = next(r for r in sources(folder) if r["file"] == "_list_index.html")
    assert row["original_url"] == PINGTAN_LIST
    return Page(read_text(folder / row["file"]), site_for_start(PINGTAN_LIST).start_urls[0])


def _static_items(page: Page) -> list[tuple[str, str, str]]:
    """The list's own items, read straight from its markup: `<dl><dd><a href title></dd><dd>date</dd></dl>`."""
    doc = lxml.html.document_fromstring(page.text)
    out = []
    for dl in doc.xpath('//div[@ms-visible="showStatic"]//dl'):
        anchor, date = dl.xpath("./dd[1]/a")[0], " ".join(dl.xpath("./dd[2]")[0].text_content().split())
        out.append((anchor.get("href"), anchor.get("title"), date))
    return out


def test_pingtan_list_family_is_trsapi(corpus):
    page = _pingtan_page(corpus)
    site = site_for_start(PINGTAN_LIST)
    assert detect(page) == "trsapi"
    assert site.cms == "trsapi" and read_list(page, site).family == "trsapi"


def test_pingtan_list_reports_are_the_static_items(corpus):
    page = _pingtan_page(corpus)
    listing = read_list(page, site_for_start(PINGTAN_LIST))
    assert _static_items(page) == PINGTAN_STATIC
    got = [(r.url, r.title, r.list_date) for r in listing.reports]
    assert got == [(urljoin(PINGTAN_LIST, href), title, date) for href, title, date in PINGTAN_STATIC]


def test_pingtan_list_asks_the_search_api_for_page_2(corpus):
    listing = read_list(_pingtan_page(corpus), site_for_start(PINGTAN_LIST))
    assert len(listing.requests) == 1
    (request,) = listing.requests
    assert (request.method, request.url, request.family) == ("POST", PINGTAN_API, "trsapi")
    assert dict(request.form) == {
        "channelid": "200210",
        "classsql": "chnlid=1813",
        "sortfield": "-docorderpri,-docreltime",
        "page": "2",
        "prepage": "10",
    }
    assert request.json is None and request.state.get("part") == "api"


def test_pingtan_sources_linked_by_the_static_list_are_found(corpus):
    listing = read_list(_pingtan_page(corpus), site_for_start(PINGTAN_LIST))
    found = {r.url for r in listing.reports}
    saved = {r["original_url"] for r in sources(corpus / "pingtan") if not r["file"].startswith("_")}
    assert saved & found == PINGTAN_SOURCES_ON_PAGE_1
    assert len(saved - found) == 5  # 2011-2014: page 2 of the 20 records, served by the API


def test_saved_start_pages_read_within_their_entry(corpus):
    """Every entry whose start page is saved: what the adapter reads stays in the entry's scope."""
    saved = {PINGTAN_LIST: _pingtan_page(corpus)}
    for site in load_sites(REAL_SITES):
        for url in site.start_urls:
            if url not in saved:
                continue
            listing = read_list(saved[url], site)
            assert listing.family == (site.cms or detect(saved[url]))
            assert listing.reports and all(site.in_scope(r.url) for r in listing.reports)
            assert all(site.in_scope(q.url) or site.on_origin(q.url) for q in listing.requests)


# ---------------------------------------------------------------------------------------------------------
# Saved report pages: each names its 年报 column (breadcrumb), which is an entry's start URL, and is in its scope


def test_every_saved_report_has_an_entry_at_its_column(corpus):
    starts = {u: s.name for s in load_sites(REAL_SITES) for u in s.start_urls}
    for _, url in report_rows(corpus):
        assert column_of(url) in starts, f"no entry starts at the column of {url}"


def test_saved_reports_name_their_entry_column(corpus):
    for path, url in report_rows(corpus):
        assert report_columns(read_text(path), url) == [column_of(url)], path.name


def test_department_agency_is_the_report_breadcrumb(corpus):
    """pingtan-more reports: the breadcrumb's `../../` link (the department channel) is the entry's agency."""
    for path, url in report_rows(corpus):
        site = site_for_start(column_of(url))
        if site.start_urls[0] == PINGTAN_LIST:
            continue
        doc = lxml.html.document_fromstring(read_text(path))
        titles = {a.get("title") for a in doc.xpath('//a[@class="CurrChnlCls"][@href="../../"]')}
        assert titles == {site.agency}, path.name


def test_saved_report_urls_are_in_scope_of_their_entry_only(corpus):
    departments = [s for s in load_sites(REAL_SITES) if s.name.startswith("pingtan.")]
    assert len(departments) == 5
    for _, url in report_rows(corpus):
        site = site_for_start(column_of(url))
        assert site.in_scope(url), (site.name, url)
        assert sites()["pingtan"].in_scope(url)  # the body's own site: the whole host
        assert [d.name for d in departments if d.in_scope(url)] == ([site.name] if site in departments else [])


# ---------------------------------------------------------------------------------------------------------
# nyj.shandong.gov.cn: a Hanweb 通知公告 column (no 年报 column is known for this site, so no entry)


def _nyj_page(corpus: Path) -> Page:
    return Page(read_text(corpus / "cms" / "hanweb_shandong_nyj_col59960_list.html"), NYJ_COLUMN)


def _records(text: str) -> list[str]:
    return re.findall(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", text, re.DOTALL)


def test_no_entry_for_the_hanweb_notice_column():
    assert not any("nyj.shandong.gov.cn" in u for s in load_sites(REAL_SITES) for u in s.start_urls)


def test_hanweb_notice_column_yields_no_report(corpus):
    page = _nyj_page(corpus)
    assert detect(page) == "hanweb"
    listing = read_list(page, probe(NYJ_COLUMN))
    assert listing.family == "hanweb"
    assert listing.reports == []
    # The datastore holds the first group (3 pages x 15) of notices, all /art/ links, some naming a year's 年度
    records = _records(page.text)
    assert len(records) == 45
    anchors = [lxml.html.fragment_fromstring(r, create_parent="div").xpath(".//a")[0] for r in records]
    assert all(re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_59960_\d+\.html$", a.get("href")) for a in anchors)
    titles = [a.get("title") for a in anchors]
    assert sum("年度" in t for t in titles) >= 3
    assert not any(is_report_title(t) for t in titles)


def test_hanweb_notice_column_pages_by_record_windows(corpus):
    listing = read_list(_nyj_page(corpus), probe(NYJ_COLUMN))
    windows = [(46, 90), (91, 135), (136, 180), (181, 225)]  # the last window runs past totalRecord (224), as jpage asks
    assert [q.url for q in listing.requests] == [
        f"{NYJ_PROXY}?startrecord={s}&endrecord={e}&perpage=15" for s, e in windows
    ]
    for request in listing.requests:
        assert (request.method, request.family) == ("POST", "hanweb")
        assert dict(request.form) == NYJ_FORM
        assert request.json is None and request.state == {"part": "records"}


def test_hanweb_datastore_report_would_be_read(corpus):
    """Control: the same markup with one record retitled as a report yields exactly that report."""
    page = _nyj_page(corpus)
    notice = "山东省能源局2025年度履行生态环境保护职责情况"
    assert page.text.count(notice) == 2  # title attribute and text of one record
    title = "山东省能源局2025年政府信息公开工作年度报告"
    changed = Page(page.text.replace(notice, title), NYJ_COLUMN)
    listing = read_list(changed, probe(NYJ_COLUMN))
    assert [(r.url, r.title, r.list_date) for r in listing.reports] == [
        ("http://nyj.shandong.gov.cn/art/2026/3/12/art_59960_10311393.html", title, "2026-03-12")
    ]


# ---------------------------------------------------------------------------------------------------------
# www.zhangshu.gov.cn: a TRS WCM 综合信息 list (no 年报 column known, so no entry)


def _zhangshu_page(corpus: Path, url: str) -> Page:
    return Page(read_text(corpus / "cms" / "trs_zhangshu_zwgk_list.html"), url)


def test_trs_list_pages_through_index_files(corpus):
    url = ZHANGSHU_COLUMN + "index.html"
    page = _zhangshu_page(corpus, url)
    assert detect(page) == "trs"
    listing = read_list(page, probe(url))
    assert listing.family == "trs"
    assert listing.reports == []
    assert [(q.method, q.url) for q in listing.requests] == [
        ("GET", f"{ZHANGSHU_COLUMN}index_{n}.html") for n in range(1, 21)
    ]


def test_trs_list_at_directory_url_does_not_ask_for_itself(corpus):
    page = _zhangshu_page(corpus, ZHANGSHU_COLUMN)
    listing = read_list(page, probe(ZHANGSHU_COLUMN))
    assert [q.url for q in listing.requests] == [f"{ZHANGSHU_COLUMN}index_{n}.html" for n in range(1, 21)]


def test_no_entry_for_the_trs_news_list():
    assert not any("zhangshu.gov.cn" in u for s in load_sites(REAL_SITES) for u in s.start_urls)


# ---------------------------------------------------------------------------------------------------------
# hdzfxxgk.hd.gov.cn: the 信息公开 home page names the 政府信息公开年报 column, the handan entry's start URL


def test_handan_home_names_the_entry_column(corpus):
    text = read_text(corpus / "cms" / "trs_handan_xxgk_home.html")
    assert report_columns(text, HANDAN_HOME) == [HANDAN_COLUMN]
    assert site_for_start(HANDAN_COLUMN).agency == "邯郸市人民政府"
