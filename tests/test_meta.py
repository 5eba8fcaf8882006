"""Report metadata (etl/meta.py) and the template era without table values (etl/mapping/era.py), on real strings:
the 平潭 pages of ../shared/corpus and the seeds, edited only to remove what would otherwise decide (a page title, a
date line, the tables), and lines quoted from real reports.

Rules (etl/meta.py): the agency comes from the title, else the line above a bare title, else the lines below it,
else 填报单位, …, the site's agency last; the published date only from publication fields, a dated signature line or
the list page's date, never a date inside the statistics period or before the report year ends; the era of each
section from its values, else its table's header, else the report's section headings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.decode import decode_html
from etl.document import Doc, html_doc, text_doc
from etl.meta import extract_meta, signed_date, statistics_period
from etl.model import Hints
from etl.parse import parse_document

# ##### HELPERS


def _page(shared_dir: Path, prefix: str) -> str:
    path = next((shared_dir / "corpus").glob(f"*/{prefix}*.html"))
    return decode_html(path.read_bytes(), "text/html")[0]


def _untitled(html: str) -> str:
    """The page without the title the CMS prints (its <title> and the article's title line above the body): the
    title must come from the report's own lines."""
    html = re.sub(r"<title>.*?</title>", "<title>政府信息公开年报</title>", html, count=1, flags=re.S)
    return re.sub(r'(<div class="article_title text_align_center">).*?(</div>)', r"\1\2", html, count=1, flags=re.S)


def _html_meta(html: str, hints: Hints | None = None):
    return extract_meta(html_doc(html), hints)


def _text_meta(text: str, hints: Hints | None = None):
    return extract_meta(text_doc(text), hints)


def _parse_html(html: str):
    r = parse_document(html.encode("utf-8"), input="x.html", content_type="text/html; charset=utf-8")
    assert r.ok, r.error
    return r.report


# ##### AGENCY

# the opening of 平潭综合实验区管委会办公室's 2012 report (80734), its title printed without the area
_80734_LINES = "本报告主要根据《中华人民共和国政府信息公开条例》（以下简称《条例》）以及平潭综合实验区管委会及各工作部门政府信息公开工作情况编制。\n"


def test_agency_on_the_line_above_a_bare_title(shared_dir):
    # 80754 prints 平潭县人民政府 / 2013年政府信息公开工作年度报告 at the top of the article
    meta = _html_meta(_untitled(_page(shared_dir, "80754_")))
    assert (meta.title, meta.agency, meta.agency_source) == (
        "2013年政府信息公开工作年度报告", "平潭县人民政府", "title-above")
    assert _parse_html(_untitled(_page(shared_dir, "80754_"))).agency == "福州市平潭县人民政府"  # its city added


def test_area_on_the_line_above_a_bare_title_is_its_government(shared_dir):
    # 80485 prints 平潭综合实验区 / 2016年度政府信息公开工作年度报告; the text names the zone's 管委会
    meta = _html_meta(_untitled(_page(shared_dir, "80485_")))
    assert (meta.title, meta.agency, meta.agency_source) == (
        "2016年度政府信息公开工作年度报告", "平潭综合实验区管委会", "title-above-area")


def test_agency_above_a_bare_title_in_plain_text():
    text = "桐庐县人民政府办公室\n2020年政府信息公开工作年度报告\n" + _80734_LINES
    assert _text_meta(text).agency == "桐庐县人民政府办公室"
    # a menu item above the title is no agency (no area, not a local body's short name)
    assert _text_meta("新闻中心\n2020年政府信息公开工作年度报告\n" + _80734_LINES).agency is None


def test_agency_on_the_lines_below_the_title():
    # 80734 prints the office and the month under the report's heading
    text = "2012年政府信息公开工作年度报告\n平潭综合实验区管委会办公室\n二〇一三年一月\n" + _80734_LINES
    meta = _text_meta(text)
    assert (meta.agency, meta.agency_source) == ("平潭综合实验区管委会办公室", "title-below")
    # a date line between the title and the name is skipped
    text = "2012年政府信息公开工作年度报告\n（2013年1月）\n平潭综合实验区管委会办公室\n" + _80734_LINES
    assert _text_meta(text).agency == "平潭综合实验区管委会办公室"
    # a title with its agency keeps it: the line below (the office that compiled it) does not replace it
    text = "平潭综合实验区2013年政府信息公开工作年度报告\n平潭综合实验区管委会办公室\n" + _80734_LINES
    assert _text_meta(text).agency_source == "title-area"


def _seed_004(shared_dir: Path, *, publisher: bool = True, filer: str | None = "table") -> str:
    """Seed 004 (衢江区机关事务保障中心 2020): its 发布单位 field, its statistics table's `填报单位:…` row as printed
    ("table"), as a line of its own ("line") or left out (None)."""
    seed = next((shared_dir / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    if not publisher:
        seed = seed.replace("发布单位: | 区机关事务保障中心 | ", "")
    assert "填报单位:衢江区机关事务保障中心 | ||" in seed
    if filer != "table":
        seed = seed.replace("填报单位:衢江区机关事务保障中心 | ||", "填报单位:衢江区机关事务保障中心" if filer else "")
    return seed


def test_agency_from_the_filer_field(shared_dir):
    meta = _text_meta(_seed_004(shared_dir, publisher=False))
    assert (meta.agency, meta.agency_source) == ("衢江区机关事务保障中心", "filer")
    r = parse_document(_seed_004(shared_dir, publisher=False).encode(), input="004.txt")
    assert r.report.agency == "衢州市衢江区机关事务保障中心"
    # also as a line of its own, far down the report (not only in the first lines or a table row)
    meta = _text_meta(_seed_004(shared_dir, publisher=False, filer="line"))
    assert (meta.agency, meta.agency_source) == ("衢江区机关事务保障中心", "filer")
    assert _text_meta(_seed_004(shared_dir, publisher=False, filer=None)).agency is None


def test_site_hint_is_the_last_resort(shared_dir):
    hint = Hints(agency="衢州市衢江区机关事务保障中心")
    bare = _seed_004(shared_dir, publisher=False, filer=None)
    assert (_text_meta(bare, hint).agency, _text_meta(bare, hint).agency_source) == (hint.agency, "hint")
    # the page's own fields beat it: its 填报单位, its 发布单位
    other = Hints(agency="衢州市商务局")
    assert _text_meta(_seed_004(shared_dir, publisher=False), other).agency_source == "filer"
    assert _text_meta(_seed_004(shared_dir, filer=None), other).agency_source == "发布单位"
    # so does the line above a bare title
    text = "桐庐县人民政府办公室\n2020年政府信息公开工作年度报告\n" + _80734_LINES
    assert _text_meta(text, Hints(agency="杭州市人民政府")).agency == "桐庐县人民政府办公室"


# ##### PUBLISHED DATE

_PERIOD_2020 = "本报告中所列数据的统计时间为2020年1月1日至12月31日。"


def test_statistics_period_is_never_the_published_date():
    text = f"2020年政府信息公开工作年度报告\n{_PERIOD_2020}\n一、总体情况\n2020年，主动公开政府信息120条。\n"
    meta = _text_meta(text)
    assert (meta.report_year, meta.published_at) == (2020, None)  # it was 2020-01-01 (the 时间 of 统计时间)
    assert statistics_period(_PERIOD_2020) == ("2020-01-01", "2020-12-31")
    assert statistics_period("本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止") == ("2019-01-01", "2019-12-31")


def test_a_date_field_inside_the_report_year_is_no_publication_date():
    text = f"2020年政府信息公开工作年度报告\n时间：2020-06-30 10:00\n{_PERIOD_2020}\n"
    assert _text_meta(text).published_at is None
    text = f"2020年政府信息公开工作年度报告\n时间：2020-06-30 10:00 发布日期：2021-01-28\n{_PERIOD_2020}\n"
    assert _text_meta(text).published_at == "2021-01-28"
    # the list page's date stands under the same rule
    assert _text_meta(f"2020年政府信息公开工作年度报告\n{_PERIOD_2020}\n",
                      Hints(published_at="2021-02-01")).published_at == "2021-02-01"
    assert _text_meta(f"2020年政府信息公开工作年度报告\n{_PERIOD_2020}\n",
                      Hints(published_at="2020-12-01")).published_at is None


def test_filing_date_is_no_publication_field(shared_dir):
    # seed 004 prints 成文日期 2021-02-20 in its metadata block and 填报日期:2020.12.29 under its table
    seed = next((shared_dir / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    assert _text_meta(seed).published_at == "2021-02-20"
    assert _text_meta(seed.replace("成文日期: | 2021-02-20 |", "")).published_at is None


def test_dated_signature_line(shared_dir):
    # 80469 (财金局 2016) ends with 平潭综合实验区财政金融局 / 2017年1月13日; without its 时间 line the signature dates it
    page = _page(shared_dir, "80469_")
    assert _html_meta(page).published_at == "2017-01-13"
    undated = re.sub(r"时间：\s*2017-01-13 09:33", "", page)
    assert _html_meta(undated.replace(">2017</span>", "></span>")).published_at is None  # the signature's year
    assert _html_meta(undated).published_at == "2017-01-13"
    # 80734 (2012) signs 二○一三年一月二十日; its 时间 line (2013-02-25, the page's PubDate) comes first
    page = _page(shared_dir, "80734_")
    assert _html_meta(page).published_at == "2013-02-25"
    assert _html_meta(re.sub(r"时间：\s*2013-02-25 00:00", "", page)).published_at == "2013-01-20"


def test_signed_dates():
    assert signed_date("二○一三年一月二十日") == "2013-01-20"
    assert signed_date("二〇二一年十二月三十一日") == "2021-12-31"
    assert signed_date("2021年1月20日") == "2021-01-20"
    assert signed_date("平潭综合实验区财政金融局 2017年1月13日") == "2017-01-13"
    assert signed_date("2021年1月20日，我局召开会议") is None  # a sentence, no signature
    assert signed_date("二〇一三年一月") is None


# ##### TEMPLATE ERA WITHOUT TABLE VALUES


def _without_tables(html: str) -> str:
    return re.sub(r"<table\b.*?</table>", "", html, flags=re.S | re.I)


@pytest.mark.parametrize(("prefix", "year", "fmt"), [("97791_", 2024, "2021"), ("80629_", 2022, "2021"),
                                                     ("80576_", 2019, "2019")])
def test_era_from_the_section_headings_when_no_table_is_read(shared_dir, prefix, year, fmt):
    page = _page(shared_dir, prefix)
    full = _parse_html(page)
    bare = _parse_html(_without_tables(page))
    assert (bare.report_year, full.format) == (year, fmt)
    assert (bare.format, bare.section_formats) == (fmt, {"二": fmt, "三": fmt, "四": fmt})
    r = parse_document(_without_tables(page).encode(), input="x.html", content_type="text/html; charset=utf-8")
    assert not any(v.source.kind == "table" for v in r.values)


def test_old_reports_stay_narrative_or_local(shared_dir):
    # 80444 (2015, narrative, 二、 主动公开政府信息的情况) and 80678 (2011: 二、主动公开政府信息情况 over a local table)
    assert (_parse_html(_page(shared_dir, "80444_")).format, _parse_html(_page(shared_dir, "80444_")).section_formats) \
        == ("narrative", {})
    r = _parse_html(_page(shared_dir, "80678_"))
    assert (r.format, r.section_formats) == ("local", {"统计表": "local"})
    # its 二 heading alone (without 三、收到和处理政府信息公开申请情况) tells no 2019+ outline
    assert _parse_html(_without_tables(_page(shared_dir, "80678_"))).format == "narrative"


def test_era_from_table_headers_without_values():
    # the 2021 column words under a 2019+ outline, no row read: the words decide, not the report year
    text = ("2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n"
            "现行有效件数\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n")
    r = parse_document(text.encode(), input="x.txt")
    assert (r.report.format, r.report.section_formats) == ("2021", {"二": "2021", "三": "2019", "四": "2019"})
    assert not r.values
    # a 2014 table's header with no row read
    text = "2016年政府信息公开工作年度报告\n统计指标 | 单位 | 统计数 |\n"
    r = parse_document(text.encode(), input="x.txt")
    assert (r.report.format, r.report.section_formats) == ("2014", {"统计表": "2014"})


def test_era_from_2014_section_headings():
    # Wuhan's 2018 report outline (TEMPLATES.md §1b): the 2014 table's sections as headings
    outline = ("一、主动公开政府信息情况", "二、回应解读情况", "三、依申请公开政府信息情况",
               "四、政府信息公开行政复议、行政诉讼和投诉情况", "五、机构建设和保障经费情况", "六、政府信息公开会议和培训情况")
    text = "武汉市2018年政府信息公开工作年度报告\n" + "\n".join(outline) + "\n"
    r = parse_document(text.encode(), input="x.txt")
    assert (r.report.format, r.report.section_formats) == ("2014", {"统计表": "2014"})


def test_sentences_on_review_and_litigation_are_no_table_header():
    # an old report's heading and sentence name 行政复议 and 行政诉讼: no section 四 table
    text = ("2016年政府信息公开工作年度报告\n五、因政府信息公开申请行政复议、提起行政诉讼的情况\n"
            "2016年，未发生因政府信息公开申请行政复议、提起行政诉讼的情况。\n")
    r = parse_document(text.encode(), input="x.txt")
    assert (r.report.format, r.report.section_formats) == ("narrative", {})
