"""Dimensions: dim_region (the division hierarchy of etl/data/regions.csv), agency type and level, report scope
(own body vs whole area), report versions and timeliness; the seeds' agencies land on the right region codes, and
a materialised demo warehouse has no orphan region code and every agency typed.

Expected codes were read off the seeds (their names, index codes and sites) and looked up in etl/data/regions.csv.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from dagster_project.resources import Warehouse
from etl import frames
from etl.agency import agency_level, agency_type, report_scope
from etl.frames import PageInfo
from etl.model import Hints, ParseResult, ReportMeta
from etl.parse import parse_document
from etl.regions import divisions

@pytest.fixture(scope="module")
def regions() -> pl.DataFrame:
    return frames.region_frame(divisions())


def _seed(shared_dir: Path, prefix: str) -> ParseResult:
    path = next((shared_dir / "seeds").glob(f"{prefix}_*.txt"))
    return parse_document(path.read_bytes(), input=str(path), filename=path.name)


def _corpus(shared_dir: Path, stem: str) -> ParseResult:
    path = next((shared_dir / "corpus").glob(f"*/{stem}*"))
    hints = Hints(site="pingtan", region="福建省福州市平潭县", title=re.sub(r"^\d+_", "", path.stem))
    return parse_document(path.read_bytes(), input=str(path), filename=path.name, hints=hints)


# --- seeds: agency, region code, type and level ----------------------------------------------------------------

SEED_AGENCIES = {
    # prefix: (full name, region_code, agency_type, level, province_code, city_code)
    "000": ("衢州市商务局", "330800", "department", "city", "330000", "330800"),  # printed 市商务局, 衢州 site
    "001": ("遂宁市安居区商务局", "510904", "department", "county", "510000", "510900"),
    "002": ("阜新市商务局", "210900", "department", "city", "210000", "210900"),  # title 市商务局, text 阜新市商务局
    "003": ("泰州市政务服务管理办公室", "321200", "department", "city", "320000", "321200"),  # a mirror, 市行政审批局
    "004": ("衢州市衢江区机关事务保障中心", "330803", "department", "county", "330000", "330800"),  # 区机关事务保障中心
}


def test_seed_agencies_resolve_to_their_region_codes(shared_dir: Path, regions: pl.DataFrame) -> None:
    docs = []
    for prefix in SEED_AGENCIES:
        result = _seed(shared_dir, prefix)
        docs.append((PageInfo(f"seed:{prefix}", prefix * 16, "seeds"), result))
    reports = frames.report_frames(docs).dim_report
    agencies = frames.agency_frame(reports, regions)
    got = {
        r["agency_id"]: (r["name"], r["region_code"], r["agency_type"], r["level"], r["province_code"], r["city_code"])
        for r in agencies.iter_rows(named=True)
    }
    by_seed = {r["url"].removeprefix("seed:"): got[r["agency_id"]] for r in reports.iter_rows(named=True)}
    assert by_seed == SEED_AGENCIES
    assert set(reports["scope"]) == {"body"}  # five departments' own reports
    codes = set(regions["region_code"].drop_nulls())
    assert set(reports["region_code"]) <= codes
    assert set(agencies["province_code"]) | set(agencies["city_code"]) <= codes


# --- dim_region ----------------------------------------------------------------------------------------------


def _region(regions: pl.DataFrame, code: str) -> dict[str, object]:
    return regions.filter(pl.col("region_code") == code).row(0, named=True)


def test_region_hierarchy(regions: pl.DataFrame) -> None:
    qujiang = _region(regions, "330803")
    assert (qujiang["name"], qujiang["level"], qujiang["parent_code"]) == ("衢江区", "county", "330800")
    assert (qujiang["province_code"], qujiang["city_code"], qujiang["is_current"]) == ("330000", "330800", True)
    quzhou = _region(regions, qujiang["parent_code"])
    assert (quzhou["name"], quzhou["level"], quzhou["parent_code"], quzhou["city_code"]) == (
        "衢州市", "city", "330000", "330800"
    )
    zhejiang = _region(regions, quzhou["parent_code"])
    assert (zhejiang["name"], zhejiang["level"], zhejiang["parent_code"], zhejiang["city_code"]) == (
        "浙江省", "province", None, None
    )


def test_region_special_cases(regions: pl.DataFrame) -> None:
    jiyuan = _region(regions, "419001")  # county-level city directly under Henan
    assert (jiyuan["parent_code"], jiyuan["province_code"], jiyuan["city_code"]) == ("410000", "410000", None)
    chaoyang = _region(regions, "110105")  # a municipality's district: city row 110100 is its parent
    assert (chaoyang["parent_code"], chaoyang["province_code"], chaoyang["city_code"]) == ("110100", "110000", "110100")
    haimen = _region(regions, "320684")  # 海门市 became 海门区 320614 in 2020
    assert (haimen["is_current"], haimen["successor_code"]) == (False, "320614")
    assert _region(regions, "320614")["is_current"] is True
    assert _region(regions, "350128")["aliases"] == ["平潭综合实验区"]
    assert _region(regions, "522700")["aliases"] == ["黔南州"]


def test_region_codes_unique_and_parents_exist(regions: pl.DataFrame) -> None:
    codes = regions["region_code"].drop_nulls()
    assert codes.n_unique() == codes.len() > 3000
    assert set(regions["parent_code"].drop_nulls()) <= set(codes)
    assert set(regions["successor_code"].drop_nulls()) <= set(codes)
    assert set(regions["level"]) == {"province", "city", "county"}
    assert regions.filter(pl.col("is_current") & (pl.col("level") == "province")).height == 31


# --- agency type and level -----------------------------------------------------------------------------------

AGENCY_TYPES = {
    # governments: demo sites, the real 平潭 corpus; a 管委会 governs its zone (平潭综合实验区 = 平潭县)
    "衢州市人民政府": "government",
    "福州市平潭县人民政府": "government",
    "平潭综合实验区管委会": "government",
    "福建省平潭综合实验区管理委员会": "government",
    "国务院": "government",
    # general offices of a government or of a 管委会 (named in the 平潭 reports)
    "平潭综合实验区管委会办公室": "office",
    "福建省人民政府办公厅": "office",
    "国务院办公厅": "office",
    "永安市人民政府办公室": "office",  # the demo's publisher
    # departments (seeds, corpus, demo): another 办公室 is a department
    "衢州市商务局": "department",
    "泰州市政务服务管理办公室": "department",
    "衢州市衢江区机关事务保障中心": "department",
    "平潭综合实验区财政金融局": "department",
    "福州市平潭县信访局": "department",
    "泰州市行政审批局": "department",
    # not administrative organs
    "中共衢州市委员会": "other",
    "平潭综合实验区党工委": "other",
    "衢州市中级人民法院": "other",
}


@pytest.mark.parametrize(("name", "expected"), AGENCY_TYPES.items())
def test_agency_type(name: str, expected: str) -> None:
    assert agency_type(name) == expected


@pytest.mark.parametrize(
    ("name", "region_level", "expected"),
    [
        ("浙江省商务厅", "province", "province"),
        ("北京市商务局", "province", "province"),  # a municipality's bureau sits at 110000
        ("衢州市商务局", "city", "city"),
        ("衢州市衢江区人民政府", "county", "county"),
        ("平潭综合实验区管委会", "county", "county"),
        ("平潭县潭城镇人民政府", "county", "township"),
        ("衢州市衢江区樟潭街道办事处", "county", "township"),
        ("国务院办公厅", None, "central"),
        ("中华人民共和国商务部", None, "central"),
        ("生态环境部", None, "central"),
        ("某局", None, None),  # placed nowhere and not national: unknown
    ],
)
def test_agency_level(name: str, region_level: str | None, expected: str | None) -> None:
    assert agency_level(name, region_level) == expected


def test_township_and_rural_words_do_not_clash() -> None:
    assert agency_level("衢州市住房和城乡建设局", "city") == "city"
    assert agency_type("平潭县潭城镇人民政府") == "government"


# --- report scope --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "agency", "expected"),
    [
        ("平潭综合实验区2016年度政府信息公开工作年度报告", "平潭综合实验区管委会", "area"),  # subject is an area
        ("衢州市2013年政府信息公开工作年度报告", "衢州市人民政府", "area"),  # demo quzhou 2013
        ("衢江区2015年度政府信息公开年度报告", "衢州市衢江区人民政府", "area"),  # demo qujiang 2015
        ("关于全市2020年政府信息公开工作年度报告", "衢州市人民政府办公室", "area"),  # 全市 in the title
        ("衢州市人民政府2014年政府信息公开工作年度报告", "衢州市人民政府", "body"),
        ("遂宁市安居区商务局2022年政府信息公开工作年度报告", "遂宁市安居区商务局", "body"),
        ("2015年度政府信息公开年度报告", "永安市人民政府", "body"),  # no subject, no cue: the default
        (None, None, "body"),
    ],
)
def test_scope_from_title(title: str | None, agency: str | None, expected: str) -> None:
    assert report_scope(title, agency, []) == expected


def test_scope_from_text() -> None:
    title = "平潭县人民政府2013年政府信息公开工作年度报告"
    total = "2013年全县共收到有关政府信息公开的申请7条，网上申请数3条"
    assert report_scope(title, "福州市平潭县人民政府", ["一、概述", total]) == "area"
    rollup = "本报告根据……文件要求，汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成。"
    assert report_scope("平潭综合实验区管委会2023年报告", "平潭综合实验区管委会", [rollup]) == "area"
    own = "本报告仅反映市政府本级政府信息公开工作情况。2023年全市共主动公开政府信息500条。"
    assert report_scope(title, "福州市平潭县人民政府", [own]) == "body"  # explicit own-body scope wins
    # a department speaking of 全区 still reports on itself
    assert report_scope("财金局2016年政府信息公开年度报告", "平潭综合实验区财政金融局", [total]) == "body"


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("80754_", "area"),  # 平潭县人民政府2013: 全县共收到…申请7条
        ("80791_", "area"),  # 平潭综合实验区管委会2014: 区管委会及区直各部门主动公开…
        ("87885_", "area"),  # 平潭综合实验区2023年度: title subject is the area
        ("80469_", "body"),  # 财金局2016: a department
        ("80705_", "body"),  # 平潭县信访局2011
    ],
)
def test_scope_of_real_reports(shared_dir: Path, stem: str, expected: str) -> None:
    result = _corpus(shared_dir, stem)
    assert result.ok and result.report is not None
    assert result.report.scope == expected
    assert "scope" not in result.to_contract()["report"]  # not part of the `ogi parse --json` contract


# --- dim_report: version, deadline, on_time ------------------------------------------------------------------


def _doc(url: str, sha: str, fetched: str, year: int | None, published: str | None) -> tuple[PageInfo, ParseResult]:
    meta = ReportMeta(title="衢州市商务局报告", agency="衢州市商务局", report_year=year, published_at=published)
    return PageInfo(url, sha * 64, "qzswj", None, None, fetched), ParseResult(input=url, ok=True, report=meta)


def test_on_time_edges_and_versions() -> None:
    docs = [
        _doc("u/2022", "a", "2026-01-01T00:00:00Z", 2022, "2023-03-31"),  # last day: on time
        _doc("u/2022", "b", "2026-02-01T00:00:00Z", 2022, "2023-04-01"),  # first day after: late
        _doc("u/2022", "c", "2026-03-01T00:00:00Z", 2022, None),  # unknown publication date
        _doc("u/x", "d", "2026-01-01T00:00:00Z", None, "2023-01-10"),  # unknown report year
    ]
    reports = frames.report_frames(docs).dim_report.sort("url", "fetched_at")
    rows = [
        (r["sha256"][0], str(r["deadline"]), r["on_time"], r["version"], r["is_current"])
        for r in reports.iter_rows(named=True)
    ]
    assert rows == [
        ("a", "2023-03-31", True, 1, False),
        ("b", "2023-03-31", False, 2, False),
        ("c", "2023-03-31", None, 3, True),
        ("d", "None", None, 1, True),
    ]


# --- a materialised demo warehouse ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_warehouse: Warehouse) -> Warehouse:
    """The session's demo warehouse (tests/conftest.py)."""
    return demo_warehouse


def test_demo_has_no_orphan_region_codes(demo: Warehouse) -> None:
    orphans = demo.query(
        """
        select 'dim_report' as source, region_code as code from dim_report
        union all select 'dim_agency', region_code from dim_agency
        union all select 'dim_agency.province_code', province_code from dim_agency
        union all select 'dim_agency.city_code', city_code from dim_agency
        """
    ).filter(pl.col("code").is_not_null())
    codes = set(demo.query("select region_code from dim_region")["region_code"].drop_nulls())
    assert orphans.height > 0
    assert orphans.filter(~pl.col("code").is_in(codes)).rows() == []


def test_demo_agencies_are_typed_and_placed(demo: Warehouse) -> None:
    agencies = demo.query("select * from dim_agency")
    assert agencies.height >= 8
    assert agencies.filter(pl.col("agency_type").is_null() | pl.col("level").is_null()).rows() == []
    got = {r["name"]: (r["agency_type"], r["level"], r["region_code"]) for r in agencies.iter_rows(named=True)}
    assert got["衢州市人民政府"] == ("government", "city", "330800")
    assert got["衢州市商务局"] == ("department", "city", "330800")
    assert got["衢州市衢江区人民政府"] == ("government", "county", "330803")
    assert got["遂宁市安居区财政局"] == ("department", "county", "510904")
    assert got["永安市人民政府"] == ("government", "county", "350481")
    assert got["平潭综合实验区管委会"] == ("government", "county", "350128")
    assert got["平潭综合实验区财政金融局"] == ("department", "county", "350128")


def test_demo_reports_scope_and_timeliness(demo: Warehouse) -> None:
    reports = demo.query("select * from dim_report where parse_ok")
    assert set(reports["scope"]) == {"area", "body"}
    area = reports.filter(pl.col("scope") == "area")
    assert set(area["site"]) <= {"quzhou", "qujiang", "yongan", "pingtan"}  # only governments report on areas
    assert reports.filter(pl.col("on_time").is_null() & pl.col("published_at").is_not_null()
                          & pl.col("report_year").is_not_null()).height == 0
    late = reports.filter(pl.col("on_time") == False)  # noqa: E712
    assert (late["published_at"] > late["deadline"]).all()
