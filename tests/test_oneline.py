"""One-line tables (etl/oneline.py, issue 11): a whole table printed on one line, as web archives and crawlers store
a page's visible text, is rebuilt with the templates' own row sequence and its runs are split by the templates'
identities; what stays ambiguous is reported, never guessed silently. Also the writer of the `text-oneline` input
type (portal/oneline.py)."""

from __future__ import annotations

import time

import pytest

from etl import oneline
from etl.document import text_doc
from etl.parse import parse_document
from portal.blocks import Table, blocks
from portal.oneline import oneline_bytes, table_line
from portal.render import Cell
from portal.sites import generate

# --- hand-written one-line tables ----------------------------------------------------------------------------------

SEC3_2021 = (
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"
    "商业企业科研机构社会公益组织法律服务机构其他"
    "一、本年新收政府信息公开申请数量12300 1016二、上年结转政府信息公开申请数量2000002"
    "三、本年度办理结果（一）予以公开5100006（二）部分公开（区分处理的，只计这一情形，不计其他情形）2000002"
    "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开00000003.危及“三安全一稳定”0000000"
    "4.保护第三方合法权益10000015.属于三类内部事务信息00000006.属于四类过程性信息0000000"
    "7.属于行政执法案卷00000008.属于行政查询事项0000000"
    "（四）无法提供1.本机关不掌握相关政府信息3100105 2.没有现成信息需要另行制作00000003.补正后申请内容仍不明确0000000"
    "（五）不予处理1.信访举报投诉类申请00000002.重复申请10000013.要求提供公开出版物0000000"
    "4.无正当理由大量反复申请00000005.要求行政机关确认或重新出具已获取信息0000000"
    "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请0000000"
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请00000003.其他0000000"
    "（七）总计12 200 1 015四、结转下年度继续办理2100003"
)
SEC4_HEAD = ("行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
             "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计")
SEC4 = SEC4_HEAD + "1021 0133101500000"  # 复议 10 2 1 0 13 | 直接起诉 3 1 0 1 5 | 复议后起诉 0 0 0 0 0
SEC2_2019 = (
    "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件5 5 120"
    "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可120-3 4500其他对外管理服务事项000"
    "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚35 2 600行政强制8 0 12"
    "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费5-1"
    "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购3 251000元"
)
SEC2_2021 = (
    "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章216行政规范性文件42242"
    "第二十条第（五）项信息内容本年处理决定数量行政许可2281第二十条第（六）项 信息内容本年处理决定数量 行政处罚7971"
    "行政强制1107第二十条第（八）项信息内容 本年收费金额（单位：万元）行政事业性收费 7846.519938"
)
TABLE_2014 = (
    "统 计 指 标单位统计数一、主动公开情况——（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）条11105"
    "其中：主动公开规范性文件数条4制发规范性文件总数件5（二）通过不同渠道和方式公开政府信息的情况——"
    "1.政府公报公开政府信息数条4972.政府网站公开政府信息数条110785.其他方式公开政府信息数条2206"
)
LOCAL_FUJIAN = (
    "指标名称计量单位2015年度历年累计主动公开文件数条1200 5600其中：1、政府网站公开数条1100 5000 "
    "2、政府公报公开数条100 600受理依申请公开信息总数条12 60其中：1、当面申请数条5 202、网上申请数条6 30"
    "3、信函、传真申请数条1 10对申请的答复总数条12 60其中：1、同意公开答复数条8 402、同意部分公开答复数条2 10"
    "3、不予公开答复数条1 54、其他类型答复数条1 5政府信息公开收费减免金额元0 0接受行政诉讼、举报数件0 0"
    "行政复议数件1 3行政诉讼数件0 1"
)


def _tables(line: str) -> tuple[list[list[list[str]]], list]:
    got = oneline.read_line(line)
    assert got is not None, line[:60]
    return [p.rows for p in got.pieces if p.rows is not None], got.issues


def _values(text: str) -> dict:
    r = parse_document(text.encode(), input="t.txt", content_type="text/plain; charset=utf-8")
    assert r.ok, r.error
    return {v.key: v.value for v in r.values} | {"_format": r.report.format, "_sections": r.report.section_formats,
                                                 "_issues": [i.check for i in r.issues]}


def test_section3_2021_rebuilt_with_its_header_and_seven_applicant_columns():
    (rows,), issues = _tables(SEC3_2021)
    assert rows[0] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]
    assert rows[1] == ["自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert rows[2] == ["一、本年新收政府信息公开申请数量", "12", "3", "0", "0", "1", "0", "16"]
    # group labels stay on the first row they span, as an HTML table's rowspan cell does
    assert rows[4] == ["三、本年度办理结果", "（一）予以公开", "5", "1", "0", "0", "0", "0", "6"]
    assert rows[5][0] == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert rows[14] == ["（四）无法提供", "1.本机关不掌握相关政府信息", "3", "1", "0", "0", "1", "0", "5"]
    assert rows[22] == ["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"] + ["0"] * 7
    assert rows[24] == ["3.其他"] + ["0"] * 7  # the glued ordinal (`…00000003.其他`) went back to its label
    assert rows[-2] == ["（七）总计", "12", "2", "0", "0", "1", "0", "15"]
    assert rows[-1] == ["四、结转下年度继续办理", "2", "1", "0", "0", "0", "0", "3"]
    assert len(rows) == 2 + 25 and not issues


def test_section4_fifteen_cells_and_a_space_inside_the_run():
    (rows,), issues = _tables(SEC4)
    assert rows[0][:2] == ["行政复议", "行政诉讼"] and len(rows[0]) == 19
    assert rows[1] == ["10", "2", "1", "0", "13", "3", "1", "0", "1", "5", "0", "0", "0", "0", "0"]
    assert not issues  # the printed space after `1021` rules out `1 | 0 | 2 | 10 | 13` (no cell boundary there)


def test_an_ambiguous_run_is_reported_with_its_options():
    # without the space, both 10 + 2 + 1 + 0 = 13 and 1 + 0 + 2 + 10 = 13 hold: no identity tells them apart
    (rows,), issues = _tables(SEC4_HEAD + "10210133101500000")
    assert [i.check for i in issues] == ["flat.ambiguous"]
    options = issues[0].details["options"]
    assert ["10", "2", "1", "0", "13", "3", "1", "0", "1", "5", "0", "0", "0", "0", "0"] in options
    assert ["1", "0", "2", "10", "13", "3", "1", "0", "1", "5", "0", "0", "0", "0", "0"] in options
    assert rows[1] == options[0]  # the first option is what the table holds, and the issue says so
    assert "the first is kept" in issues[0].message
    # section 二: no identity ties 本年制发/废止/现行有效; the stock-first read is kept and the row reported
    (rows,), issues = _tables(SEC2_2021)
    assert rows[3] == ["行政规范性文件", "4", "2", "242"]
    assert [(i.check, i.message.split(":")[0]) for i in issues] == [("flat.ambiguous", "行政规范性文件")]
    assert len(issues[0].details["options"]) > 1


def test_a_run_that_reads_no_way_gives_no_figure():
    head = SEC3_2021.split("一、")[0]
    line = head + "一、本年新收政府信息公开申请数量98765432198765432二、上年结转政府信息公开申请数量0000000"
    (rows,), issues = _tables(line)
    assert rows[2] == ["一、本年新收政府信息公开申请数量", "98765432198765432"]  # kept whole, in one cell
    assert [i.check for i in issues] == ["flat.unreadable"]
    r = parse_document(("某局2022年政府信息公开工作年度报告\n" + line).encode(), input="x.txt", content_type="text/plain")
    assert not [v for v in r.values if v.metric == "requests.new"]
    assert [c.text for c in r.cells if c.metric is None and c.row and "本年新收" in c.row] == ["98765432198765432"]
    assert {"flat.unreadable", "sec3.columns"} <= {i.check for i in r.issues}


def test_section2_2019_items_by_the_printed_header():
    (rows,), issues = _tables(SEC2_2019)
    assert rows[:4] == [["第二十条第（一）项"], ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
                        ["规章", "0", "0", "0"], ["规范性文件", "5", "5", "120"]]
    assert ["行政许可", "120", "-3", "4500"] in rows  # 本年增/减 is signed; the space splits 4500 off
    assert ["行政事业性收费", "5", "-1"] in rows  # the （八）项 header has two columns
    assert rows[-2:] == [["信息内容", "采购项目数量", "采购总金额"], ["政府集中采购", "3", "251000元"]]
    assert not issues


def test_section2_without_its_header_takes_the_template_columns_of_the_format_it_tells():
    line = ("第二十条第（一）项规章216行政规范性文件4 2 242第二十条第（五）项行政许可2281第二十条第（六）项行政处罚7971"
            "行政强制1107第二十条第（八）项行政事业性收费7846.519938")  # `行政规范性文件`: the 2021 format
    (rows,), issues = _tables(line)
    assert rows[1:3] == [["规章", "2", "1", "6"], ["行政规范性文件", "4", "2", "242"]]
    assert ["行政许可", "2281"] in rows and rows[-1] == ["行政事业性收费", "7846.519938"] and not issues
    got = _values("某局2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n" + line + "\n")
    assert got[("active.normative_doc.in_force", None, "year")] == 242 and got["_sections"] == {"二": "2021"}


def test_2014_table_rows_with_units_glued_ordinals_and_blank_heading_rows():
    (rows,), issues = _tables(TABLE_2014)
    assert rows == [
        ["统 计 指 标", "单位", "统计数"],
        ["一、主动公开情况", "—", "—"],
        ["（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "11105"],  # a digit inside a label
        ["其中：主动公开规范性文件数", "条", "4"],
        ["制发规范性文件总数", "件", "5"],
        ["（二）通过不同渠道和方式公开政府信息的情况", "—", "—"],
        ["1.政府公报公开政府信息数", "条", "497"],  # `4972.政府网站…`: the 2 is the next row's ordinal
        ["2.政府网站公开政府信息数", "条", "11078"],
        ["5.其他方式公开政府信息数", "条", "2206"],  # an early printing skips rows 3 and 4
    ]
    assert not issues


def test_local_table_year_and_cumulative_columns():
    (rows,), issues = _tables(LOCAL_FUJIAN)
    assert rows[0] == ["指标名称", "计量单位", "2015年度", "历年累计"]
    assert rows[1] == ["主动公开文件数", "条", "1200", "5600"]
    assert rows[5] == ["其中：1、当面申请数", "条", "5", "20"]
    assert rows[6] == ["2、网上申请数", "条", "6", "30"]
    assert ["接受行政诉讼、举报数", "件", "0", "0"] in rows  # a row no template knows, read by its unit
    assert rows[-1] == ["行政诉讼数", "件", "0", "1"]
    assert not issues


def test_local_table_without_spaces_reports_what_its_identities_leave_open():
    line = LOCAL_FUJIAN.replace(" ", "")
    (rows,), issues = _tables(line)
    ambiguous = {i.message.split(":")[0] for i in issues if i.check == "flat.ambiguous"}
    # 受理 = Σ 申请方式 and 答复 = Σ 答复类别 (per column) settle the request rows; the others stay open
    assert "主动公开文件数" in ambiguous and "受理依申请公开信息总数" not in ambiguous
    assert rows[4] == ["受理依申请公开信息总数", "条", "12", "60"]
    for row in rows[1:]:  # every cumulative figure is at least the year's
        if row[2] and row[3]:
            assert float(row[3]) >= float(row[2]), row


def test_whole_reports_read_through_the_row_stream():
    got = _values("XX市XX局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + SEC3_2021
                  + "\n四、政府信息公开行政复议、行政诉讼情况\n" + SEC4 + "\n")
    assert got[("requests.new", "total", "year")] == 16
    assert got[("requests.new", "natural_person", "year")] == 12
    assert got[("requests.result.unavailable.not_held", "legal_service_org", "year")] == 1
    assert got[("requests.carried_forward", "commercial_enterprise", "year")] == 1
    assert got[("review.total", None, "year")] == 13 and got[("litigation.direct.total", None, "year")] == 5
    assert got["_sections"] == {"三": "2021", "四": "2021"} and "flat.ambiguous" not in got["_issues"]

    got = _values("XX市XX局2019年政府信息公开工作年度报告\n二、主动公开政府信息情况\n" + SEC2_2019 + "\n")
    assert got[("active.licensing.change", None, "year")] == -3
    assert got[("active.procurement.amount", None, "year")] == 25.1  # 251000元 in 万元
    assert got["_sections"]["二"] == "2019"

    got = _values("XX县2015年政府信息公开工作年度报告\n附件：XX县2015年政府信息公开情况统计表\n" + TABLE_2014 + "\n")
    assert got[("active.total", None, "year")] == 11105 and got[("active.channel.website", None, "year")] == 11078
    assert got["_format"] == "2014"

    got = _values("平潭县2015年政府信息公开工作年度报告\n" + LOCAL_FUJIAN + "\n")
    assert got[("requests.received", None, "cumulative")] == 60 and got[("active.total", None, "year")] == 1200
    assert got[("fees.waived", None, "year")] == 0 and got["_format"] == "local"


def test_text_around_a_table_stays_a_text_line():
    line = "二、主动公开政府信息情况" + SEC2_2021 + "注：本表金额单位为万元。"
    doc = text_doc(line)
    assert doc.rows[0].table is None and doc.rows[0].cells == ["二、主动公开政府信息情况"]
    assert doc.rows[-1].table is None and doc.rows[-1].cells == ["注：本表金额单位为万元。"]
    assert [r.cells for r in doc.rows if r.table is not None][3] == ["行政规范性文件", "4", "2", "242"]
    assert [i.check for i in doc.issues] == ["flat.ambiguous"]


@pytest.mark.parametrize("line", [
    # prose with the anchor words and figures
    ("2023年，本机关共收到政府信息公开申请12件，因政府信息公开工作被申请行政复议1件、提起行政诉讼0件，"
     "行政复议结果维持1件，未发生被纠错的情况；第二十条第（一）项规定的信息均已公开，详见下表。"),
    # a table's header alone (text-flat prints each row on its own line): no row, no table
    SEC4_HEAD,
    "统计指标单位统计数",
    # one flattened row, as text-flat prints it: the flat reader's business
    "一、本年新收政府信息公开申请数量1742610055211二、上年结转",
])
def test_lines_that_are_no_one_line_table_are_left_alone(line):
    assert oneline.read_line(line) is None


def test_a_hostile_1mb_line_finishes_fast():
    for line in ("行政复议1" * 200_000, SEC3_2021 * 700, "统计指标单位统计数" + "（" * 1_000_000):
        start = time.perf_counter()
        r = parse_document(line[:1_000_000].encode(), input="x.txt", content_type="text/plain")
        assert time.perf_counter() - start < 10 and r is not None
        assert oneline.read_line(line) is None  # over MAX_LINE: never tokenised


@pytest.mark.parametrize("line", [
    SEC3_2021 * 20,  # just under MAX_LINE: 20 tables on one line
    "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章" + "1" * 29_000,
    "统计指标单位统计数" + "1.2.3." * 4_900,
    "统计指标单位统计数" + "（" * 29_000,
    "指标名称计量单位2014年度历年累计" + "主动公开信息数条18435455" * 1_800,
    "行政复议行政诉讼结果维持" + "1" * 29_000,
    # rows whose 7 cells read many ways each, linked by the column identities: the search is bounded per line
    (SEC3_2021.split("一、")[0] + "".join(f"{k}、本年新收政府信息公开申请数量1011121011122067" for k in "一二三四五六七八")) * 50,
])
def test_bounded_work_on_long_crafted_lines(line):
    line = line[: oneline.MAX_LINE]
    start = time.perf_counter()
    oneline.read_line(line)
    assert time.perf_counter() - start < 3


# --- the writer: portal/oneline.py ------------------------------------------------------------------------------------


def test_writer_puts_each_table_on_one_line_and_spaces_only_between_cells():
    g = generate()
    seen_space = 0
    for report in g.reports[:30]:
        title, body = g.bodies[report["path"]]
        bl = blocks(body, title)
        text = oneline_bytes(bl).decode()
        assert oneline_bytes(bl).decode() == text  # deterministic
        tables = [b for b in bl if isinstance(b, Table)]
        lines = text.splitlines()
        for n, table in enumerate(tables):
            line = table_line(table, n)
            assert line in lines
            cells = ["".join(p.strip() for p in c.text.split("\n") if p.strip()) for row in table.rows for c in row]
            assert line.replace(" ", "") == "".join(cells).replace(" ", "")
            # a space never stands inside a figure: every space of the line is at a cell boundary or in a label
            bounds, at = set(), 0
            for c in cells:
                at += len(c.replace(" ", ""))
                bounds.add(at)
            compact = 0
            for ch in line:
                if ch == " ":
                    seen_space += 1
                    cell = _cell_at(cells, compact)
                    assert compact in bounds or not cell.replace(".", "").lstrip("-").isdigit(), (line, compact)
                else:
                    compact += 1
    assert seen_space > 0


def _cell_at(cells: list[str], pos: int) -> str:
    at = 0
    for c in cells:
        at += len(c.replace(" ", ""))
        if pos < at:
            return c
    return ""


def test_writer_table_line_prints_spans_once_and_blanks_as_printed():
    table = Table([[Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
                   [Cell("结果维持", rowspan=2), Cell("—"), Cell("")]])
    assert table_line(table, 0).replace(" ", "") == "行政复议行政诉讼结果维持—"
