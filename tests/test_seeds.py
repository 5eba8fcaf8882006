"""The five seed reports (../shared/seeds): every printed number, read by hand, must come out exactly.

Expected values below were written down by reading each seed, not by running the parser. `None` is a cell
printed blank. Keys are (metric, applicant, period).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.model import APPLICANTS, ParseResult
from etl.parse import parse_document

Y = "year"


def _parse(shared_dir: Path, prefix: str) -> ParseResult:
    path = next((shared_dir / "seeds").glob(f"{prefix}_*.txt"))
    result = parse_document(path.read_bytes(), input=str(path), filename=path.name)
    assert result.ok, result.error
    return result


def _table(result: ParseResult) -> dict[tuple, object]:
    out = {}
    for v in result.values:
        if v.source.kind == "table":
            assert v.key not in out, f"duplicate value for {v.key}"
            out[v.key] = v.value
    return out


def _text(result: ParseResult) -> dict[tuple, object]:
    return {v.key: v.value for v in result.values if v.source.kind == "text"}


def _unmapped(result: ParseResult) -> list[tuple[str, str]]:
    return sorted((c.row or "", c.text) for c in result.unmapped)


def _single(pairs: dict[str, object]) -> dict[tuple, object]:
    return {(m, None, Y): v for m, v in pairs.items()}


# --- seed 000: 衢州市商务局 2013, Zhejiang 2013 local table (with 阳光工程网 rows), pipe-rendered ----------

SEED_000_TABLE = _single({
    "active.total": 9622,
    "requests.channel.in_person": None, "requests.channel.fax": None, "requests.channel.online": None,
    "requests.channel.letter": None, "requests.channel.other": None,
    "requests.completed_on_time": None, "requests.completed_extended": None,
    "requests.answered": None, "requests.answer.disclosed": None, "requests.answer.partially_disclosed": None,
    "requests.answer.withheld": None, "requests.answer.withheld_state_secret": None,
    "requests.answer.withheld_commercial_secret": None, "requests.answer.withheld_privacy": None,
    "requests.answer.withheld_safety_stability": None,
    "review.upheld": None, "litigation.upheld": None, "fees.waived": None, "complaints.total": None,
    "consultations.total": 28,
    "org.dedicated_units": None, "org.part_time_units": 1, "org.staff": 5, "org.staff_full_time": None,
    "org.staff_part_time": 5,
    "training.meetings": 2, "training.sessions": 3, "training.trainees": 109,
    "org.budget": None, "org.spent": 5.01,
})
# Printed blank in the table, stated as zero in the prose: the blank cell stands (null, the contract's rule) and
# the prose figure is reported as an issue.
SEED_000_PROSE_FOR_BLANKS = {"requests.received": 0, "review.total": 0, "litigation.total": 0, "fees.request_fees": 0}
SEED_000_UNMAPPED = sorted([
    ("(一)通过衢州市政府门户网站公开数", "380"), ("1.通过市政府网站政务公开平台公开数", "336"),
    ("其中,政策文件类信息公开数", "200"), ("其它各类信息公开数", "136"),
    ("2.通过市政府网站阳光工程网公开数 (此项内容仅由阳光工程网参建单位填报)", "44"),
    ("其中,行政权力目录公开数", "43"), ("重点事项公开数", "1"), ("(二)通过本单位网站公开数", "4107"),
    ("其中,政策文件类信息公开数", "138"), ("公众服务类信息公开数", "3421"), ("其它各类信息公开数", "548"),
    ("(四)通过报刊、广播、电视、网络、手机等 市内外各类媒体公开数", "11"),
    ("(五)通过本单位外宣刊物、手册、宣传单等公开数", "257"), ("(七)通过本单位信息公示栏、宣传窗公开数", "10"),
    ("1.单位热线电话咨询数量", "28"), ("其中,涉及政府信息公开咨询热线电话数量", "6"), ("4.上门访问咨询数量", "109"),
    ("(一)政府信息公开工作机构数", "1"),
])


def test_seed_000_zhejiang_2013_local_table(shared_dir):
    r = _parse(shared_dir, "000")
    assert _table(r) == SEED_000_TABLE | {(m, None, Y): None for m in SEED_000_PROSE_FOR_BLANKS}
    assert _text(r) == {}
    blanks = {i.message.split(":")[0]: i.details["text"] for i in r.issues if i.check == "narrative.blank_cell"}
    assert blanks == SEED_000_PROSE_FOR_BLANKS
    assert _unmapped(r) == SEED_000_UNMAPPED
    rep = r.report
    assert (rep.agency, rep.report_year, rep.published_at, rep.format) == ("衢州市商务局", 2013, "2014-03-14", "local")
    assert rep.region is not None and rep.region.code == "330800"
    values = {v.key: v for v in r.values}
    assert values[("org.spent", None, Y)].unit == "万元"
    assert values[("active.total", None, Y)].source.row == "一、主动公开数量"
    assert values[("active.total", None, Y)].source.column == "数 量"


# --- seed 001: 遂宁市安居区商务局 2022, 2021 format, one cell per line -------------------------------------

SEC3_2021 = (
    "requests.new", "requests.carried_over", "requests.result.disclosed", "requests.result.partially_disclosed",
    "requests.result.withheld.state_secret", "requests.result.withheld.other_laws",
    "requests.result.withheld.safety_stability", "requests.result.withheld.third_party",
    "requests.result.withheld.internal_affairs", "requests.result.withheld.process_info",
    "requests.result.withheld.enforcement_file", "requests.result.withheld.admin_query",
    "requests.result.unavailable.not_held", "requests.result.unavailable.needs_creation",
    "requests.result.unavailable.unclear", "requests.result.not_processed.petition",
    "requests.result.not_processed.repeated", "requests.result.not_processed.publication",
    "requests.result.not_processed.excessive", "requests.result.not_processed.reconfirm",
    "requests.result.other_no_correction", "requests.result.other_unpaid_fee", "requests.result.other_misc",
    "requests.result.total", "requests.carried_forward",
)
SEC4 = tuple(
    f"{p}.{s}" for p in ("review", "litigation.direct", "litigation.after_review")
    for s in ("upheld", "corrected", "other", "pending", "total")
)
SEED_001_TABLE = (
    _single({m: 0 for m in (
        "active.regulation.issued", "active.regulation.repealed", "active.regulation.in_force",
        "active.normative_doc.issued", "active.normative_doc.repealed", "active.normative_doc.in_force",
        "active.licensing.decisions", "active.punishment.decisions", "active.coercion.decisions",
        "active.admin_fee.amount")})
    | {(m, a, Y): 0 for m in SEC3_2021 for a in APPLICANTS}
    | _single({m: 0 for m in SEC4})
)


def test_seed_001_2021_format_one_cell_per_line(shared_dir):
    r = _parse(shared_dir, "001")
    table = _table(r)
    assert len(SEED_001_TABLE) == 10 + 25 * 7 + 15
    assert table == SEED_001_TABLE
    assert _text(r) == _single({"active.total": 145, "requests.received": 0, "info_fees.collected": 0})
    assert r.unmapped == []
    rep = r.report
    assert rep.title == "遂宁市安居区商务局2022年政府信息公开工作年度报告"
    assert (rep.agency, rep.report_year, rep.published_at) == ("遂宁市安居区商务局", 2022, "2023-01-12")
    assert rep.format == "2021" and rep.section_formats == {"二": "2021", "三": "2021", "四": "2021"}
    assert rep.region is not None
    assert (rep.region.province, rep.region.city, rep.region.county, rep.region.code) == ("四川省", "遂宁市", "安居区", "510904")
    assert [i for i in r.issues if i.severity == "error"] == []
    v = next(v for v in r.values if v.key == ("requests.new", "total", Y))
    assert (v.source.row, v.source.column, v.source.section) == (
        "一、本年新收政府信息公开申请数量", "总计", "三、收到和处理政府信息公开申请情况")


# --- seed 002: 阜新市商务局 2017, narrative only ---------------------------------------------------------


def test_seed_002_narrative_headlines(shared_dir):
    r = _parse(shared_dir, "002")
    assert _table(r) == {}
    assert _text(r) == _single({
        "active.total": 759, "active.normative_doc.published": 5, "active.normative_doc.issued": 5,
        "requests.received": 0, "training.sessions": 1, "training.trainees": 20,
    })
    rep = r.report
    assert (rep.agency, rep.report_year, rep.published_at, rep.format) == ("阜新市商务局", 2017, "2018-03-28", "narrative")
    assert rep.title == "市商务局2017年政府信息公开工作年度报告"
    assert rep.region is not None and rep.region.code == "210900"


# --- seed 003: 泰州市政务服务管理办公室 2016, 2014 table + Jiangsu extensions, traditional script with pinyin ----

SEED_003_TABLE = _single({
    "active.total": 396, "active.normative_doc.published": 0, "active.normative_doc.issued": 0,
    "active.channel.gazette": 0, "active.channel.website": 49, "active.channel.weibo": 0,
    "active.channel.wechat": 0, "active.channel.other": 347,
    "response.hotspots": 0, "response.press_conferences": 0, "response.press_conferences_by_head": 0,
    "response.online_interviews": 1, "response.online_interviews_by_head": 1, "response.interpretations": 4,
    "response.social_media_events": 0, "response.other_events": 0,
    "requests.received": 0, "requests.channel.in_person": 0, "requests.channel.fax": 0,
    "requests.channel.online": 0, "requests.channel.letter": 0,
    "requests.completed": 0, "requests.completed_on_time": 0, "requests.completed_extended": 0,
    "requests.answered": 0, "requests.answer.already_public": 0, "requests.answer.disclosed": 0,
    "requests.answer.partially_disclosed": 0, "requests.answer.withheld": 0,
    "requests.answer.withheld_state_secret": 0, "requests.answer.withheld_commercial_secret": 0,
    "requests.answer.withheld_privacy": 0, "requests.answer.withheld_safety_stability": 0,
    "requests.answer.withheld_not_gov_info": 0, "requests.answer.withheld_other_law": 0,
    "requests.answer.not_this_agency": 0, "requests.answer.not_exist": 0,
    "requests.answer.correction_needed": 0, "requests.answer.other_channel": 0,
    "requests.source.party_gov": 0, "requests.source.social_group": 0, "requests.source.enterprise": 0,
    "requests.source.media": 0, "requests.source.research": 0, "requests.source.citizen": 0,
    "requests.source.citizen_lawyer": 0, "requests.source.citizen_researcher": 0,
    "requests.source.citizen_journalist": 0, "requests.source.other": 0,
    "review.total": 0, "review.upheld": 0, "review.corrected": 0, "review.other": 0,
    "litigation.total": 0, "litigation.upheld": 0, "litigation.corrected": 0, "litigation.other": 0,
    "complaints.total": 0, "fees.request_fees": 0,
    "org.dedicated_units": 0, "org.staff": 8, "org.staff_full_time": 0, "org.staff_part_time": 8, "org.budget": 0,
    "training.meetings": 2, "training.sessions": 1, "training.trainees": 8,
})
SEED_003_UNMAPPED = sorted(
    [("七、政府信息公开意见箱办理信件数量", "0"), ("(二)向政府信息公开查阅点移送文件、资料", "7")]
    + [(f"({n}){k}", "0") for n, k in zip("一二三四五六七八九十", (
        "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政裁决", "行政确认", "行政奖励", "行政征用", "其他行政权力"))]
)


def test_seed_003_traditional_mirror_2014_table(shared_dir):
    r = _parse(shared_dir, "003")
    assert _table(r) == SEED_003_TABLE
    assert _text(r) == {}  # every prose figure agrees with the table, which wins
    assert _unmapped(r) == SEED_003_UNMAPPED
    rep = r.report
    assert (rep.agency, rep.report_year, rep.published_at, rep.format) == ("泰州市政务服务管理办公室", 2016, "2017-02-24", "2014")
    assert rep.region is not None and rep.region.code == "321200"
    # the label with a mangled pinyin remnant (或?qū)n}会议数) still maps, keeping its printed text
    v = next(v for v in r.values if v.metric == "training.meetings")
    assert "qū" in v.source.row
    assert not [i for i in r.issues if i.severity == "error"]


# --- seed 004: 衢江区机关事务保障中心 2020, the 2014 table (with 申请类型 extension) still used in 2020 ------------

SEED_004_TABLE = _single({
    "active.total": 0, "active.normative_doc.published": 0, "active.normative_doc.issued": 0,
    "active.channel.gazette": 0, "active.channel.website": 120, "active.channel.weibo": 0,
    "active.channel.wechat": 0, "active.channel.other": 0,
    "response.hotspots": 0, "response.press_conferences": 0, "response.press_conferences_by_head": 0,
    "response.online_interviews": 0, "response.online_interviews_by_head": 0, "response.interpretations": 0,
    "response.social_media_events": 0, "response.other_events": 0,
    "requests.received": 0, "requests.channel.in_person": 0, "requests.channel.fax": 0,
    "requests.channel.online": 0, "requests.channel.letter": 0,
    "requests.completed": 0, "requests.completed_on_time": 0, "requests.completed_extended": 0,
    "requests.answered": 0, "requests.answer.already_public": 0, "requests.answer.disclosed": 0,
    "requests.answer.partially_disclosed": 0, "requests.answer.withheld": 0,
    "requests.answer.withheld_state_secret": 0, "requests.answer.withheld_commercial_secret": 0,
    "requests.answer.withheld_privacy": 0, "requests.answer.withheld_safety_stability": 0,
    "requests.answer.withheld_not_gov_info": 0, "requests.answer.withheld_other_law": 0,
    "requests.answer.not_this_agency": 0, "requests.answer.not_exist": 0,
    "requests.answer.correction_needed": 0, "requests.answer.other_channel": 0,
    **{f"requests.topic.{t}": 0 for t in (
        "budget", "expropriation", "planning", "major_projects", "business_admin", "food_drug", "environment",
        "public_resources", "employment_social_security", "social_assistance", "health", "education",
        "statistics", "penalties", "personnel", "prices_fees", "credit", "other")},
    "review.total": 0, "review.upheld": 0, "review.corrected": 0, "review.other": 0,
    "litigation.total": 0, "litigation.upheld": 0, "litigation.corrected": 0, "litigation.other": 0,
    "complaints.total": 0, "fees.request_fees": 0,
    "org.dedicated_units": 1, "org.reading_points": 1, "org.staff": 1, "org.staff_full_time": 0,
    "org.staff_part_time": 1, "org.budget": 0,
    "training.meetings": 1, "training.sessions": 1, "training.trainees": 2,
})


def test_seed_004_2014_table_in_2020(shared_dir):
    r = _parse(shared_dir, "004")
    assert len(SEED_004_TABLE) == 76
    assert _table(r) == SEED_004_TABLE
    assert _text(r) == {}
    assert _unmapped(r) == [("(四)申请类型数", "0")]
    rep = r.report  # printed 填报单位:衢江区机关事务保障中心; the full name carries the city
    assert (rep.agency, rep.report_year, rep.published_at, rep.format) == ("衢州市衢江区机关事务保障中心", 2020, "2021-02-20", "2014")
    assert rep.region is not None and rep.region.code == "330803"
    # prose says 120 items were published proactively; the table prints 0 (its 120 is the website channel)
    mismatch = [i for i in r.issues if i.check == "narrative.mismatch"]
    assert len(mismatch) == 1 and mismatch[0].details == {"text": 120, "table": 0, "table_metric": "active.total"}
    assert mismatch[0].severity == "warning"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_contract_shape(shared_dir, prefix):
    c = _parse(shared_dir, prefix).to_contract()
    assert set(c) == {"input", "ok", "error", "report", "values", "unmapped", "issues"}
    assert set(c["report"]) == {"title", "agency", "region", "report_year", "published_at", "format", "section_formats"}
    for v in c["values"]:
        assert set(v) == {"metric", "applicant", "period", "value", "unit", "approximate", "source"}
        assert set(v["source"]) == {"kind", "section", "row", "column", "text", "page"}
    keys = [(v["metric"], v["applicant"], v["period"]) for v in c["values"]]
    assert len(keys) == len(set(keys))
