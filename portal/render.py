"""Render report values as HTML fragments with the real templates' structure (../shared/TEMPLATES.md).

Each renderer returns a `Fragment`: the HTML and the values it actually printed (in ground-truth form), so the
truth never lists a number the page does not show. Tables are first built as grids of `Cell`s (with
rowspan/colspan as the templates print them), then serialised; later variants (PDF, DOCX, text) can reuse
the grids. Layout quirks seen on real sites are switched on through `Layout`.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import groupby

from portal.values import (
    APPLICANTS,
    CUMULATIVE,
    RESULTS,
    TOTAL,
    UNMAPPED,
    YEAR,
    Key,
    Number,
    ReportData,
    Values,
    k,
)


@dataclass(frozen=True)
class Layout:
    """Layout quirks of one site (or one report)."""

    blank: str = "—"  # how a cell printed blank looks: "—", "-", "/", "" or "&nbsp;"
    zero_blank: bool = False  # zeros left blank in statistical tables (truth: null)
    label_breaks: bool = False  # `本年新<br/>制作数量`, `社会<br>公益<br>组织`
    label_spaces: bool = False  # `本年新 制作数量`, `三、本年度办 理结果`
    table_attrs: str = 'border="1" cellspacing="0" cellpadding="0" width="100%"'
    procurement_unit: str = "元"  # unit written in the 采购总金额 cell: 元 or 万元
    heading: str = "strong"  # section headings as <p><strong> or <h3>
    indent: str = "\u3000\u3000"  # paragraph indent (full-width spaces) or ""


@dataclass
class Fragment:
    """An HTML fragment and the values it prints: [{metric, applicant, period, value, approximate, source}]
    (`source` is `table` or `text`; `value` is an int, a float for decimals, or None for a cell printed blank)."""

    html: str
    values: list[dict] = field(default_factory=list)

    def __add__(self, other: Fragment) -> Fragment:
        return Fragment(self.html + other.html, self.values + other.values)


@dataclass(frozen=True)
class Cell:
    text: str  # HTML (already escaped)
    rowspan: int = 1
    colspan: int = 1


Grid = list[list[Cell]]

_BREAKS = {
    "本年新制作数量": "本年新<br/>制作数量",
    "本年新公开数量": "本年新<br/>公开数量",
    "对外公开总数量": "对外公开<br/>总数量",
    "上一年项目数量": "上一年<br/>项目数量",
    "社会公益组织": "社会<br>公益<br>组织",
    "法律服务机构": "法律<br>服务<br>机构",
    "商业企业": "商业<br>企业",
}
_SPACES = {
    "本年新制作数量": "本年新 制作数量",
    "本年新公开数量": "本年新 公开数量",
    "社会公益组织": "社会公益 组织",
    "法律服务机构": "法律服务 机构",
    "三、本年度办理结果": "三、本年度办 理结果",
}


def fmt_number(value: Number) -> str:
    """`12`, `-3`, `25.1`, `24252.311082` (no exponent, no trailing zeros)."""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _truth_value(value: Number | None) -> int | float | None:
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


class Sheet:
    """Prints values of one report and records what was printed, and where (`table` cell or `text`)."""

    def __init__(self, values: Values, layout: Layout) -> None:
        self.values = values
        self.layout = layout
        self.printed: dict[Key, tuple[Number | None, bool, str]] = {}

    def record(self, key: Key, value: Number | None, *, source: str = "table", approximate: bool = False) -> None:
        if key[0].startswith(UNMAPPED):
            return
        if key in self.printed and self.printed[key][0] != value:
            raise ValueError(f"{key} printed twice with different values")
        self.printed[key] = (value, approximate, source)

    def cell(self, metric: str, applicant: str | None = None, period: str = YEAR) -> str:
        """A table cell: the value, or the layout's blank for a null (or, with zero_blank, a zero)."""
        key = k(metric, applicant, period)
        value = self.values[key]
        if value is not None and value == 0 and self.layout.zero_blank:
            value = None
        self.record(key, value)
        return self.layout.blank if value is None else fmt_number(value)

    def num(self, metric: str, applicant: str | None = None) -> str:
        """A number quoted in a sentence."""
        key = k(metric, applicant)
        value = self.values[key]
        if value is None:
            raise ValueError(f"{key} is null and cannot be quoted in a sentence")
        self.record(key, value, source="text")
        return fmt_number(value)

    def get(self, metric: str, applicant: str | None = None) -> Number:
        value = self.values[k(metric, applicant)]
        assert value is not None
        return value

    def label(self, text: str) -> str:
        if self.layout.label_breaks and text in _BREAKS:
            return _BREAKS[text]
        if self.layout.label_spaces and text in _SPACES:
            return _SPACES[text]
        return html.escape(text)

    def fragment(self, markup: str) -> Fragment:
        values = [
            {
                "metric": m,
                "applicant": a,
                "period": p,
                "value": _truth_value(v),
                "approximate": approx,
                "source": source,
            }
            for (m, a, p), (v, approx, source) in self.printed.items()
        ]
        return Fragment(markup, values)


def table_html(grid: Grid, layout: Layout, css_class: str = "") -> str:
    """Serialise a grid as an HTML table (cells already hold escaped HTML)."""
    attrs = layout.table_attrs + (f' class="{css_class}"' if css_class else "")
    rows = []
    for row in grid:
        cells = []
        for c in row:
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            )
            cells.append(f"<td{span}>{c.text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table {attrs}><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"


# ---------------------------------------------------------------------------------------------------------
# 2019 / 2021 formats: sections 二, 三, 四


def grid_section2_2019(s: Sheet) -> Grid:
    def item_rows(title: str, items: list[tuple[str, str]]) -> Grid:
        head = (
            [Cell(title, colspan=4)],
            [
                Cell("信息内容"),
                Cell(s.label("上一年项目数量")),
                Cell("本年增/减"),
                Cell("处理决定数量"),
            ],
        )
        body = [
            [
                Cell(label),
                Cell(s.cell(f"active.{m}.prior_items")),
                Cell(s.cell(f"active.{m}.change")),
                Cell(s.cell(f"active.{m}.decisions")),
            ]
            for label, m in items
        ]
        return [*head, *body]

    amount = s.values[k("active.procurement.amount")]
    s.record(k("active.procurement.amount"), amount)
    if s.layout.procurement_unit == "元":
        printed = _yuan(amount * 10_000) + "元"
    else:
        printed = fmt_number(amount) + "万元"
    return [
        [Cell("第二十条第（一）项", colspan=4)],
        [
            Cell("信息内容"),
            Cell(s.label("本年新制作数量")),
            Cell(s.label("本年新公开数量")),
            Cell(s.label("对外公开总数量")),
        ],
        [Cell("规章")] + [Cell(s.cell(f"active.regulation.{m}")) for m in ("made", "published", "published_total")],
        [Cell("规范性文件")]
        + [Cell(s.cell(f"active.normative_doc.{m}")) for m in ("made", "published", "published_total")],
        *item_rows("第二十条第（五）项", [("行政许可", "licensing"), ("其他对外管理服务事项", "other_service")]),
        *item_rows("第二十条第（六）项", [("行政处罚", "punishment"), ("行政强制", "coercion")]),
        [Cell("第二十条第（八）项", colspan=4)],
        [Cell("信息内容"), Cell(s.label("上一年项目数量")), Cell("本年增/减", colspan=2)],
        [
            Cell("行政事业性收费"),
            Cell(s.cell("active.admin_fee.prior_items")),
            Cell(s.cell("active.admin_fee.change"), colspan=2),
        ],
        [Cell("第二十条第（九）项", colspan=4)],
        [Cell("信息内容"), Cell("采购项目数量"), Cell("采购总金额", colspan=2)],
        [Cell("政府集中采购"), Cell(s.cell("active.procurement.items")), Cell(printed, colspan=2)],
    ]


def _yuan(amount: Decimal) -> str:
    """An amount in 元 as filers write it: `251000`, `73802895.90`."""
    if amount == amount.to_integral_value():
        return str(int(amount))
    return f"{amount:.2f}"


def grid_section2_2021(s: Sheet) -> Grid:
    return [
        [Cell("第二十条第（一）项", colspan=4)],
        [Cell("信息内容"), Cell("本年制发件数"), Cell("本年废止件数"), Cell("现行有效件数")],
        [Cell("规章")] + [Cell(s.cell(f"active.regulation.{m}")) for m in ("issued", "repealed", "in_force")],
        [Cell("行政规范性文件")]
        + [Cell(s.cell(f"active.normative_doc.{m}")) for m in ("issued", "repealed", "in_force")],
        [Cell("第二十条第（五）项", colspan=4)],
        [Cell("信息内容"), Cell("本年处理决定数量", colspan=3)],
        [Cell("行政许可"), Cell(s.cell("active.licensing.decisions"), colspan=3)],
        [Cell("第二十条第（六）项", colspan=4)],
        [Cell("信息内容"), Cell("本年处理决定数量", colspan=3)],
        [Cell("行政处罚"), Cell(s.cell("active.punishment.decisions"), colspan=3)],
        [Cell("行政强制"), Cell(s.cell("active.coercion.decisions"), colspan=3)],
        [Cell("第二十条第（八）项", colspan=4)],
        [Cell("信息内容"), Cell("本年收费金额（单位：万元）", colspan=3)],
        [Cell("行政事业性收费"), Cell(s.cell("active.admin_fee.amount"), colspan=3)],
    ]


RESULT_LABELS = {
    "requests.result.disclosed": "（一）予以公开",
    "requests.result.partially_disclosed": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "requests.result.withheld.state_secret": "1.属于国家秘密",
    "requests.result.withheld.other_laws": "2.其他法律行政法规禁止公开",
    "requests.result.withheld.safety_stability": "3.危及“三安全一稳定”",
    "requests.result.withheld.third_party": "4.保护第三方合法权益",
    "requests.result.withheld.internal_affairs": "5.属于三类内部事务信息",
    "requests.result.withheld.process_info": "6.属于四类过程性信息",
    "requests.result.withheld.enforcement_file": "7.属于行政执法案卷",
    "requests.result.withheld.admin_query": "8.属于行政查询事项",
    "requests.result.unavailable.not_held": "1.本机关不掌握相关政府信息",
    "requests.result.unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "requests.result.unavailable.unclear": "3.补正后申请内容仍不明确",
    "requests.result.not_processed.petition": "1.信访举报投诉类申请",
    "requests.result.not_processed.repeated": "2.重复申请",
    "requests.result.not_processed.publication": "3.要求提供公开出版物",
    "requests.result.not_processed.excessive": "4.无正当理由大量反复申请",
    "requests.result.not_processed.reconfirm": "5.要求行政机关确认或重新出具已获取信息",
    "requests.result.other": "（六）其他处理",
    "requests.result.other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "requests.result.other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "requests.result.other_misc": "3.其他",
    "requests.result.total": "（七）总计",
}
_RESULT_GROUPS = {
    "requests.result.withheld.": "（三）不予公开",
    "requests.result.unavailable.": "（四）无法提供",
    "requests.result.not_processed.": "（五）不予处理",
    "requests.result.other_": "（六）其他处理",  # the 2021 layout's three sub-rows
}
SECTION3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _result_group(metric: str) -> str | None:
    return next((title for prefix, title in _RESULT_GROUPS.items() if metric.startswith(prefix)), None)


def grid_section3(s: Sheet, layout: str) -> Grid:
    """Section 三: 3 header rows, then one row per metric; 三、本年度办理结果 spans 20 (2019) or 22 (2021) rows."""
    columns = (*APPLICANTS, TOTAL)

    def data(metric: str) -> list[Cell]:
        return [Cell(s.cell(metric, a)) for a in columns]

    grid: Grid = [
        [Cell(SECTION3_NOTE, rowspan=3, colspan=3), Cell("申请人情况", colspan=7)],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(s.label(x)) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
        [Cell("一、本年新收政府信息公开申请数量", colspan=3), *data("requests.new")],
        [Cell("二、上年结转政府信息公开申请数量", colspan=3), *data("requests.carried_over")],
    ]
    results: Grid = []
    for title, group in groupby(RESULTS[layout] + ("requests.result.total",), key=_result_group):
        members = list(group)
        if title is None:
            results += [[Cell(RESULT_LABELS[m], colspan=2), *data(m)] for m in members]
            continue
        for j, m in enumerate(members):
            lead = [Cell(title, rowspan=len(members))] if j == 0 else []
            results.append([*lead, Cell(RESULT_LABELS[m]), *data(m)])
    results[0].insert(0, Cell(s.label("三、本年度办理结果"), rowspan=len(results)))
    grid += results
    grid.append([Cell("四、结转下年度继续办理", colspan=3), *data("requests.carried_forward")])
    return grid


def grid_section4(s: Sheet) -> Grid:
    parts = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    codes = ("upheld", "corrected", "other", "pending", "total")
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [*(Cell(p, rowspan=2) for p in parts), Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
        [Cell(p) for p in parts * 2],
        [
            Cell(s.cell(f"{group}.{c}"))
            for group in ("review", "litigation.direct", "litigation.after_review")
            for c in codes
        ],
    ]


def _heading(text: str, layout: Layout) -> str:
    if layout.heading == "h3":
        return f"<h3>{html.escape(text)}</h3>\n"
    return f"<p><strong>{html.escape(text)}</strong></p>\n"


def _para(text: str, layout: Layout) -> str:
    return f"<p>{layout.indent}{text}</p>\n"


def render_2019(values: Values, *, layout: Layout = Layout(), section3: str = "2019") -> Fragment:
    """Sections 二–四 of the 2019 format (headings and tables)."""
    s = Sheet(values, layout)
    markup = (
        _heading("二、主动公开政府信息情况", layout)
        + table_html(grid_section2_2019(s), layout)
        + _heading("三、收到和处理政府信息公开申请情况", layout)
        + table_html(grid_section3(s, section3), layout)
        + _heading("四、政府信息公开行政复议、行政诉讼情况", layout)
        + table_html(grid_section4(s), layout)
    )
    return s.fragment(markup)


def render_2021(values: Values, *, layout: Layout = Layout(), section3: str = "2021") -> Fragment:
    """Sections 二–四 of the 2021 format; `section3="2019"` gives the hybrid (single （六）其他处理 row)."""
    s = Sheet(values, layout)
    markup = (
        _heading("二、主动公开政府信息情况", layout)
        + table_html(grid_section2_2021(s), layout)
        + _heading("三、收到和处理政府信息公开申请情况", layout)
        + table_html(grid_section3(s, section3), layout)
        + _heading("四、政府信息公开行政复议、行政诉讼情况", layout)
        + table_html(grid_section4(s), layout)
    )
    return s.fragment(markup)


# ---------------------------------------------------------------------------------------------------------
# 2014 national table

# (indent level, label, unit, metric or None for a header row); `early` rows are missing from 2014-data printings.
_ROWS_2014: list[tuple[int, str, str, str | None]] = [
    (0, "一、主动公开情况", "", None),
    (1, "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "active.total"),
    (2, "其中：主动公开规范性文件数", "条", "active.normative_doc.published"),
    (3, "制发规范性文件总数", "件", "active.normative_doc.issued"),
    (1, "（二）通过不同渠道和方式公开政府信息的情况", "", None),
    (2, "1.政府公报公开政府信息数", "条", "active.channel.gazette"),
    (2, "2.政府网站公开政府信息数", "条", "active.channel.website"),
    (2, "3.政务微博公开政府信息数", "条", "active.channel.weibo"),
    (2, "4.政务微信公开政府信息数", "条", "active.channel.wechat"),
    (2, "5.其他方式公开政府信息数", "条", "active.channel.other"),
    (0, "二、回应解读情况", "", None),
    (1, "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次", "response.hotspots"),
    (1, "（二）通过不同渠道和方式回应解读的情况", "", None),
    (2, "1.参加或举办新闻发布会总次数", "次", "response.press_conferences"),
    (3, "其中：主要负责同志参加新闻发布会次数", "次", "response.press_conferences_by_head"),
    (2, "2.政府网站在线访谈次数", "次", "response.online_interviews"),
    (3, "其中：主要负责同志参加政府网站在线访谈次数", "次", "response.online_interviews_by_head"),
    (2, "3.政策解读稿件发布数", "篇", "response.interpretations"),
    (2, "4.微博微信回应事件数", "次", "response.social_media_events"),
    (2, "5.其他方式回应事件数", "次", "response.other_events"),
    (0, "三、依申请公开情况", "", None),
    (1, "（一）收到申请数", "件", "requests.received"),
    (2, "1.当面申请数", "件", "requests.channel.in_person"),
    (2, "2.传真申请数", "件", "requests.channel.fax"),
    (2, "3.网络申请数", "件", "requests.channel.online"),
    (2, "4.信函申请数", "件", "requests.channel.letter"),
    (1, "（二）申请办结数", "件", "requests.completed"),
    (2, "1.按时办结数", "件", "requests.completed_on_time"),
    (2, "2.延期办结数", "件", "requests.completed_extended"),
    (1, "（三）申请答复数", "件", "requests.answered"),
    (2, "1.属于已主动公开范围数", "件", "requests.answer.already_public"),
    (2, "2.同意公开答复数", "件", "requests.answer.disclosed"),
    (2, "3.同意部分公开答复数", "件", "requests.answer.partially_disclosed"),
    (2, "4.不同意公开答复数", "件", "requests.answer.withheld"),
    (3, "其中：涉及国家秘密", "件", "requests.answer.withheld_state_secret"),
    (4, "涉及商业秘密", "件", "requests.answer.withheld_commercial_secret"),
    (4, "涉及个人隐私", "件", "requests.answer.withheld_privacy"),
    (4, "危及国家安全、公共安全、经济安全和社会稳定", "件", "requests.answer.withheld_safety_stability"),
    (4, "不是《条例》所指政府信息", "件", "requests.answer.withheld_not_gov_info"),
    (4, "法律法规规定的其他情形", "件", "requests.answer.withheld_other_law"),
    (2, "5.不属于本行政机关公开数", "件", "requests.answer.not_this_agency"),
    (2, "6.申请信息不存在数", "件", "requests.answer.not_exist"),
    (2, "7.告知作出更改补充数", "件", "requests.answer.correction_needed"),
    (2, "8.告知通过其他途径办理数", "件", "requests.answer.other_channel"),
    (0, "四、行政复议数量", "件", "review.total"),
    (1, "（一）维持具体行政行为数", "件", "review.upheld"),
    (1, "（二）被依法纠错数", "件", "review.corrected"),
    (1, "（三）其他情形数", "件", "review.other"),
    (0, "五、行政诉讼数量", "件", "litigation.total"),
    (1, "（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "litigation.upheld"),
    (1, "（二）被依法纠错数", "件", "litigation.corrected"),
    (1, "（三）其他情形数", "件", "litigation.other"),
    (0, "六、举报投诉数量", "件", "complaints.total"),
    (0, "七、依申请公开信息收取的费用", "万元", "fees.request_fees"),
    (0, "八、机构建设和保障经费情况", "", None),
    (1, "（一）政府信息公开工作专门机构数", "个", "org.dedicated_units"),
    (1, "（二）设置政府信息公开查阅点数", "个", "org.reading_points"),
    (1, "（三）从事政府信息公开工作人员数", "人", "org.staff"),
    (2, "1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "org.staff_full_time"),
    (2, "2.兼职人员数", "人", "org.staff_part_time"),
    (1, "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）", "万元", "org.budget"),
    (0, "九、政府信息公开会议和培训情况", "", None),
    (1, "（一）召开政府信息公开工作会议或专题会议数", "次", "training.meetings"),
    (1, "（二）举办各类培训班数", "次", "training.sessions"),
    (1, "（三）接受培训人员数", "人次", "training.trainees"),
]
_EARLY_MISSING = {
    "active.channel.weibo",
    "active.channel.wechat",
    "response.press_conferences_by_head",
    "response.online_interviews_by_head",
}
_SOURCES_ROWS: list[tuple[int, str, str, str | None]] = [
    (1, "（四）申请来源", "", None),
    (2, "1.党政机关", "件", "requests.source.party_gov"),
    (2, "2.社会团体", "件", "requests.source.social_group"),
    (2, "3.企业", "件", "requests.source.enterprise"),
    (2, "4.宣传媒体", "件", "requests.source.media"),
    (2, "5.科研院校", "件", "requests.source.research"),
    (2, "6.公民", "件", "requests.source.citizen"),
    (3, "其中：律师", "件", "requests.source.citizen_lawyer"),
    (4, "科研人员", "件", "requests.source.citizen_researcher"),
    (4, "媒体从业人员", "件", "requests.source.citizen_journalist"),
    (2, "7.其他", "件", "requests.source.other"),
]


def grid_2014(s: Sheet, *, early: bool = False, sources: bool = False) -> Grid:
    rows = [r for r in _ROWS_2014 if not (early and r[3] in _EARLY_MISSING)]
    if sources:
        at = next(i for i, r in enumerate(rows) if r[3] == "review.total")
        rows[at:at] = _SOURCES_ROWS
    grid: Grid = [[Cell("统 计 指 标"), Cell("单位"), Cell("统计数")]]
    for level, label, unit, metric in rows:
        text = "\u3000" * level + html.escape(label)
        if metric is None:
            grid.append([Cell(text), Cell("—"), Cell("—")])
        else:
            grid.append([Cell(text), Cell(unit), Cell(s.cell(metric))])
    return grid


def render_2014(
    values: Values, *, title: str, layout: Layout = Layout(), early: bool = False, sources: bool = False
) -> Fragment:
    """The 2014 national statistical table under its caption (`early`: 2014-data printing, `sources`: （四）申请来源)."""
    s = Sheet(values, layout)
    markup = f'<p style="text-align:center"><strong>{html.escape(title)}</strong></p>\n' + table_html(
        grid_2014(s, early=early, sources=sources), layout
    )
    return s.fragment(markup)


# ---------------------------------------------------------------------------------------------------------
# Pre-2014 local / provincial tables

_ZHEJIANG_ROWS: list[tuple[int, str, str, str | None]] = [
    (0, "一、主动公开数量", "条", "active.total"),
    (1, "（一）通过衢州市政府门户网站公开数", "条", "x.zj.portal_site"),
    (1, "（二）通过本单位网站公开数", "条", "x.zj.own_site"),
    (1, "（三）通过报刊、广播、电视、网络、手机等 市内外各类媒体公开数", "条", "x.zj.media"),
    (0, "二、依申请公开数量", "件", "requests.received"),
    (1, "（一）依申请方式", "", None),
    (2, "1.当面申请数", "件", "requests.channel.in_person"),
    (2, "2.传真申请数", "件", "requests.channel.fax"),
    (2, "3.网络申请数", "件", "requests.channel.online"),
    (2, "4.信函申请数", "件", "requests.channel.letter"),
    (2, "5.其他方式申请数", "件", "requests.channel.other"),
    (1, "（二）依申请受理数", "件", "requests.received"),
    (2, "1.未延期办结数", "件", "requests.completed_on_time"),
    (2, "2.延期办结数", "件", "requests.completed_extended"),
    (1, "（三）依申请答复数", "件", "requests.answered"),
    (2, "1.同意公开答复数", "件", "requests.answer.disclosed"),
    (2, "2.同意部分公开答复数", "件", "requests.answer.partially_disclosed"),
    (2, "3.不同意公开答复数", "件", "requests.answer.withheld"),
    (3, "其中：涉及国家机密", "件", "requests.answer.withheld_state_secret"),
    (4, "涉及商业秘密", "件", "requests.answer.withheld_commercial_secret"),
    (4, "涉及个人隐私", "件", "requests.answer.withheld_privacy"),
    (4, "危及国家安全、公共安全、 经济安全和社会稳定", "件", "requests.answer.withheld_safety_stability"),
    (2, "4.不属于本行政机关公开或申请信息不存在", "件", "x.zj.not_held"),
    (2, "5.申请内容不明确或转其他途径办理", "件", "x.zj.unclear"),
    (0, "三、因政府信息公开申请行政复议数量", "件", "review.total"),
    (1, "1.维持具体行政行为数", "件", "review.upheld"),
    (1, "2.确认具体行政行为违法数", "件", "x.zj.review_illegal"),
    (1, "3.其他纠错数", "件", "x.zj.review_corrected"),
    (0, "四、因政府信息公开提起行政诉讼数量", "件", "litigation.total"),
    (1, "1.维持具体行政行为数", "件", "litigation.upheld"),
    (1, "2.确认具体行政行为违法数", "件", "x.zj.suit_illegal"),
    (1, "3.其他纠错数", "件", "x.zj.suit_corrected"),
    (0, "五、依申请公开收费情况", "", None),
    (1, "1.提供依申请公开信息收取的费用", "万元", "fees.request_fees"),
    (1, "2.依申请公开信息减免的费用", "万元", "fees.waived"),
    (0, "六、政府信息公开工作受理举报数量", "件", "complaints.total"),
    (0, "七、公众访问咨询数量", "人次", "consultations.total"),
    (1, "1.单位热线电话咨询数量", "人次", "x.zj.consult_hotline"),
    (1, "2.行政首长信箱受理群众来信来访数量", "人次", "x.zj.consult_mailbox"),
    (1, "3.访问本单位网站政府信息公开意见箱数量", "人次", "x.zj.consult_opinion_box"),
    (1, "4.上门访问咨询数量", "人次", "x.zj.consult_visits"),
    (0, "八、机构队伍建设和经费保障情况", "", None),
    (1, "（一）政府信息公开工作机构数", "个", "x.zj.units"),
    (2, "1.专门机构数", "个", "org.dedicated_units"),
    (2, "2.兼职机构数", "个", "org.part_time_units"),
    (1, "（二）政府信息公开工作人员数", "人", "org.staff"),
    (2, "其中：全职人员", "人", "org.staff_full_time"),
    (3, "兼职人员", "人", "org.staff_part_time"),
    (1, "（三）政府信息公开会议和培训情况", "", None),
    (2, "1.召开政府信息公开工作会或专题会", "次", "training.meetings"),
    (2, "2.举办各类培训班", "次", "training.sessions"),
    (2, "3.培训人员数量", "人次", "training.trainees"),
    (1, "（四）政府信息公开专项经费", "", None),
    (2, "1.政府信息公开工作年度财政专项列支预算", "万元", "org.budget"),
    (2, "2.实际投入工作经费", "万元", "org.spent"),
]
_FUJIAN2011_ROWS: list[tuple[int, str, str, str | None]] = [
    (0, "主动公开信息数", "条", "active.total"),
    (1, "其中：1.网站公开", "条", "active.channel.website"),
    (2, "2.政府公报公开", "条", "active.channel.gazette"),
    (0, "受理依申请公开信息总数", "条", "requests.received"),
    (1, "其中：1.当面申请数", "条", "requests.channel.in_person"),
    (2, "2.传真申请数", "条", "requests.channel.fax"),
    (2, "3.电子邮件申请数", "条", "requests.channel.email"),
    (2, "4.网上申请数", "条", "requests.channel.online"),
    (2, "5.信函申请数", "条", "requests.channel.letter"),
    (2, "6.其它形式申请数", "条", "requests.channel.other"),
    (0, "对申请的答复数", "条", "requests.answered"),
    (1, "其中：1.同意公开答复数", "条", "requests.answer.disclosed"),
    (2, "2.同意部分公开答复数", "条", "requests.answer.partially_disclosed"),
    (2, "3.否决公开答复数", "条", "requests.answer.withheld"),
    (0, "行政复议数", "条", "review.total"),
    (0, "行政诉讼数", "条", "litigation.total"),
    (0, "行政申诉数", "条", "appeals.total"),
]
_FUJIAN2015_ROWS: list[tuple[int, str, str, str | None]] = [
    (0, "主动公开文件数", "条", "active.total"),
    (1, "其中：1、政府网站公开数", "条", "active.channel.website"),
    (2, "2、政府公报公开数", "条", "active.channel.gazette"),
    (0, "受理依申请公开信息总数", "条", "requests.received"),
    (1, "其中：1、当面申请数", "条", "requests.channel.in_person"),
    (2, "2、网上申请数", "条", "requests.channel.online"),
    (2, "3、信函、传真申请数", "条", "requests.channel.letter_fax"),
    (0, "对申请的答复总数", "条", "requests.answered"),
    (1, "其中：1、同意公开答复数", "条", "requests.answer.disclosed"),
    (2, "2、同意部分公开答复数", "条", "requests.answer.partially_disclosed"),
    (2, "3、不予公开答复数", "条", "requests.answer.withheld"),
    (2, "4、其他类型答复数", "条", "requests.answer.other"),
    (0, "政府信息公开收费减免金额", "元", "fees.waived"),
    (0, "接受行政诉讼、举报数", "件", "x.fj.suits_reports"),
    (0, "行政复议数", "件", "review.total"),
    (0, "行政诉讼数", "件", "litigation.total"),
]


def grid_local(s: Sheet, edition: str, year: int) -> Grid:
    """A local table: Zhejiang 2013 (指标名称|单位|数量) or Fujian (指标名称|计量单位|N年度|历年累计)."""
    if edition == "zhejiang":
        grid: Grid = [[Cell("指标名称"), Cell("单位"), Cell("数 量")]]
        for level, label, unit, metric in _ZHEJIANG_ROWS:
            text = "\u3000" * level + html.escape(label)
            grid.append([Cell(text), Cell(unit), Cell("" if metric is None else s.cell(metric))])
        return grid
    rows = _FUJIAN2011_ROWS if edition == "fujian2011" else _FUJIAN2015_ROWS
    grid = [[Cell("指标名称"), Cell("计量单位"), Cell(f"{year}年度"), Cell("历年累计")]]
    for level, label, unit, metric in rows:
        assert metric is not None
        if metric == "fees.waived":
            if year > 2016:  # the fee row was dropped in the 2017 edition
                continue
            year_text = _yuan(s.get(metric) * 10_000)
            cumulative = s.values[k(metric, None, CUMULATIVE)]
            assert cumulative is not None
            s.record(k(metric), s.get(metric))
            s.record(k(metric, None, CUMULATIVE), cumulative)
            cells = [Cell(year_text), Cell(_yuan(cumulative * 10_000))]
        else:
            cells = [Cell(s.cell(metric)), Cell(s.cell(metric, None, CUMULATIVE))]
        if year >= 2017 and metric == "requests.received":
            label = "受理政府信息依申请公开总数"
        grid.append([Cell("\u3000" * level + html.escape(label)), Cell(unit), *cells])
    return grid


def render_local(values: Values, *, edition: str, year: int, title: str, layout: Layout = Layout()) -> Fragment:
    """A pre-2014 local / provincial statistical table under its caption."""
    s = Sheet(values, layout)
    markup = f'<p style="text-align:center"><strong>{html.escape(title)}</strong></p>\n' + table_html(
        grid_local(s, edition, year), layout
    )
    return s.fragment(markup)


# ---------------------------------------------------------------------------------------------------------
# Narrative


@dataclass(frozen=True)
class Author:
    """Who writes a report: full agency name, how it calls itself, where it is."""

    agency: str  # 衢州市商务局
    short: str  # 市商务局
    we: str  # 我局 / 我区 / 我市
    province: str  # 浙江省
    phone: str = "0570-3021234"


_WORK = [
    "坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开",
    "围绕中心工作，进一步规范政府信息公开内容，创新公开形式，提高公开实效",
    "认真落实政务公开工作要点，健全信息发布审核机制，确保公开信息准确、及时",
]
_MANAGE = [
    "严格落实“先审查、后公开”和“一事一审”制度，对拟公开信息进行保密审查，全年未发生泄密事件。",
    "按照政府信息公开目录动态调整要求，及时更新公开指南和公开目录，清理过期失效信息。",
]
_PROBLEMS = [
    "政策解读形式还比较单一，图解、视频等多元化解读较少；部分栏目信息更新不够及时。下一步，{we}将加强业务培训，丰富解读形式，压实栏目更新责任。",
    "主动公开的深度和广度还有待拓展，工作人员业务能力有待提升。下一步，{we}将进一步完善公开制度，加强队伍建设，推动政府信息公开工作提质增效。",
]


def _pick(rng: random.Random, options: list[str], **kw: str) -> str:
    return rng.choice(options).format(**kw)


def _review_sentence(s: Sheet, year: int) -> str:
    review, suits = s.get("review.total"), s.get("litigation.total")
    if review == 0 and suits == 0:
        s.record(k("review.total"), 0, source="text")
        s.record(k("litigation.total"), 0, source="text")
        return f"{year}年，未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"
    return f"{year}年，因政府信息公开申请行政复议{s.num('review.total')}件，提起行政诉讼{s.num('litigation.total')}件。"


def _requests_sentence(s: Sheet, year: int) -> str:
    if s.get("requests.received") == 0:
        s.record(k("requests.received"), 0, source="text")
        return f"{year}年，未收到政府信息公开申请。"
    return f"{year}年，共收到政府信息公开申请{s.num('requests.received')}件，均按规定予以答复或办理。"


def _active_sentence(s: Sheet, year: int, approximate: bool) -> str:
    total = s.get("active.total")
    if approximate and total >= 1000:
        floor = int(total) // 100 * 100
        s.record(k("active.total"), floor, source="text", approximate=True)
        return f"{year}年，通过政府门户网站、政务新媒体等渠道主动公开政府信息{floor}余条。"
    return f"{year}年，全年主动公开政府信息{s.num('active.total')}条。"


def render_narrative(
    values: Values,
    *,
    author: Author,
    year: int,
    rng: random.Random,
    layout: Layout = Layout(),
    approximate: bool = False,
) -> Fragment:
    """A narrative-only report of the 2008–2018 era: numbers only in sentences (TEMPLATES.md §6)."""
    s = Sheet(values, layout)
    a = author
    out = _para(
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{html.escape(a.agency)}编制。"
        "全文包括概述，主动公开政府信息的情况，依申请公开政府信息的情况，政府信息公开的收费及减免情况，"
        "因政府信息公开申请行政复议、提起行政诉讼的情况，存在的主要问题及改进措施等。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        layout,
    )
    out += _heading("一、概述", layout)
    out += _para(f"{year}年，{a.short}{_pick(rng, _WORK)}。", layout)
    out += _para(
        f"{a.we}高度重视政府信息公开工作，调整充实了政府信息公开工作领导小组，"
        f"全年召开政府信息公开工作会议{s.num('training.meetings')}次，"
        f"举办培训班{s.num('training.sessions')}期，培训{s.num('training.trainees')}人次。",
        layout,
    )
    out += _heading("二、主动公开政府信息的情况", layout)
    out += _para(
        _active_sentence(s, year, approximate)
        + "公开内容主要包括机构职能、政策法规、规划计划、财政预决算、人事信息等。",
        layout,
    )
    out += _heading("三、依申请公开政府信息的情况", layout)
    out += _para(_requests_sentence(s, year), layout)
    out += _heading("四、政府信息公开的收费及减免情况", layout)
    out += _para("严格执行政府信息公开收费相关规定。", layout)
    out += _heading("五、因政府信息公开申请行政复议、提起行政诉讼的情况", layout)
    out += _para(_review_sentence(s, year), layout)
    out += _heading("六、存在的主要问题及改进措施", layout)
    out += _para(_pick(rng, _PROBLEMS, we=a.we), layout)
    out += _heading("七、其他需要报告的事项", layout)
    out += _para("无。", layout)
    return s.fragment(out)


def _intro_2014(a: Author, year: int, layout: Layout) -> str:
    return _para(
        f"本报告是根据《中华人民共和国政府信息公开条例》要求，由{html.escape(a.agency)}编制的{year}年度政府信息公开工作年度报告。"
        "全文包括概述，主动公开政府信息的情况，依申请公开政府信息和不予公开政府信息的情况，政府信息公开的收费及减免情况，"
        "因政府信息公开申请行政复议、提起行政诉讼的情况，政府信息公开工作存在的主要问题及改进情况，其他需要报告的事项。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        layout,
    )


def render_table_era(
    values: Values, *, author: Author, year: int, rng: random.Random, table: Fragment, layout: Layout = Layout()
) -> Fragment:
    """A 2008–2018 report whose numbers are in an attached table (`table`: render_2014 or render_local);
    the narrative quotes the headline numbers consistently with it."""
    s = Sheet(values, layout)
    a = author
    out = _intro_2014(a, year, layout)
    out += _heading("一、概述", layout)
    out += _para(f"{year}年，{a.short}{_pick(rng, _WORK)}。{_pick(rng, _MANAGE)}", layout)
    out += _heading("二、主动公开政府信息的情况", layout)
    out += _para(_active_sentence(s, year, approximate=False), layout)
    out += _heading("三、依申请公开政府信息和不予公开政府信息的情况", layout)
    out += _para(_requests_sentence(s, year), layout)
    out += _heading("四、政府信息公开的收费及减免情况", layout)
    fees = values.get(k("fees.request_fees"))
    if not fees:  # not in the table, or printed 0: the prose states it
        s.record(k("fees.request_fees"), 0, source="text")
        out += _para(f"{year}年，{a.we}在政府信息公开工作中未收取任何费用。", layout)
    else:
        out += _para("严格执行政府信息公开收费相关规定。", layout)
    out += _heading("五、因政府信息公开申请行政复议、提起行政诉讼的情况", layout)
    out += _para(_review_sentence(s, year), layout)
    out += _heading("六、政府信息公开工作存在的主要问题及改进情况", layout)
    out += _para(_pick(rng, _PROBLEMS, we=a.we), layout)
    out += _heading("七、其他需要报告的事项", layout)
    out += _para("无其他需要报告的事项。", layout)
    out += _para("附件：", layout)
    return s.fragment(out) + table


def render_modern(
    values: Values,
    *,
    author: Author,
    year: int,
    rng: random.Random,
    tables: Fragment,
    layout: Layout = Layout(),
    fmt: str = "2021",
) -> Fragment:
    """A 2019+ report: intro, 一、总体情况 with headline sentences, the tables of sections 二–四, then 五 and 六."""
    s = Sheet(values, layout)
    a = author
    notice = "国办公开办函〔2021〕30号" if fmt == "2021" else "国办公开办函〔2019〕60号"
    out = _para(
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和"
        f"《中华人民共和国政府信息公开工作年度报告格式》（{notice}）要求编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        f"存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"如对本报告有疑问，请与{html.escape(a.agency)}办公室联系（电话：{a.phone}）。",
        layout,
    )
    out += _heading("一、总体情况", layout)
    out += _para(
        f"{year}年，{a.short}深入贯彻落实《条例》和{a.province}政务公开工作要点，{_pick(rng, _WORK)}。", layout
    )
    out += _para(
        f"（一）主动公开。全年主动公开政府信息{s.num('active.total')}条，内容涵盖机构职能、政策文件、财政预决算、重点领域信息等。",
        layout,
    )
    carried = s.num("requests.carried_over", TOTAL)
    if s.get("requests.carried_forward", TOTAL) == 0:
        tail = "均已按法定时限办结"
    else:
        tail = f"结转下年度继续办理{s.num('requests.carried_forward', TOTAL)}件"
    out += _para(
        f"（二）依申请公开。本年度新收政府信息公开申请{s.num('requests.new', TOTAL)}件，上年结转{carried}件，{tail}。",
        layout,
    )
    out += _para(f"（三）政府信息管理。{_pick(rng, _MANAGE)}", layout)
    out += _para("（四）平台建设。持续优化政府信息公开专栏，规范栏目设置，提升网站集约化水平。", layout)
    out += _para("（五）监督保障。将政务公开工作纳入年度绩效考核，加强业务培训和日常督查。", layout)
    head = s.fragment(out)

    s = Sheet(values, layout)
    section6 = "无其他需要报告的事项。"
    if k("info_fees.collected") in values:
        if s.get("info_fees.collected") == 0:
            s.record(k("info_fees.collected"), 0, source="text")
            section6 = f"{year}年，无收取信息处理费情况。"
        else:
            section6 = f"依据《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费{s.num('info_fees.collected')}元。"
    out = (
        _heading("五、存在的主要问题及改进情况", layout)
        + _para(_pick(rng, _PROBLEMS, we=a.we), layout)
        + _heading("六、其他需要报告的事项", layout)
        + _para(section6, layout)
    )
    return head + tables + s.fragment(out)


def render_report(
    report: ReportData, *, author: Author, rng: random.Random, layout: Layout = Layout(), approximate: bool = False
) -> Fragment:
    """The whole body of a report (narrative plus tables) for its kind."""
    base, _, variant = report.kind.partition(":")
    v, year = report.values, report.year
    caption = f"{author.agency}{year}年政府信息公开情况统计表"
    if base == "narrative":
        return render_narrative(v, author=author, year=year, rng=rng, layout=layout, approximate=approximate)
    if base == "local":
        table = render_local(v, edition=variant, year=year, title=caption, layout=layout)
        return render_table_era(v, author=author, year=year, rng=rng, table=table, layout=layout)
    if base == "2014":
        table = render_2014(v, title=caption, layout=layout, early=variant == "early", sources=variant == "sources")
        return render_table_era(v, author=author, year=year, rng=rng, table=table, layout=layout)
    if base == "2019":
        tables = render_2019(v, layout=layout)
    else:
        tables = render_2021(v, layout=layout, section3=report.section3 or "2021")
    return render_modern(v, author=author, year=year, rng=rng, tables=tables, layout=layout, fmt=report.format)


def merge_values(values: list[dict]) -> list[dict]:
    """Printed values, one per (metric, applicant, period), in the order first printed. The table wins over prose
    (the parse contract's rule): a figure printed in both keeps the table's entry (provenance `table`), and the only
    disagreement the renderers produce is a zero left blank in a table but quoted in a sentence."""
    out: dict[tuple, dict] = {}
    for v in values:
        key = (v["metric"], v["applicant"], v["period"])
        seen = out.get(key)
        if seen is None:
            out[key] = v
        elif seen["value"] == v["value"]:
            if v["source"] == "table":
                out[key] = v
        else:
            table, text = (seen, v) if seen["source"] == "table" else (v, seen)
            if not (
                table["source"] == "table"
                and text["source"] == "text"
                and table["value"] is None
                and text["value"] == 0
            ):
                raise ValueError(f"{key} printed with two values: {seen['value']} and {v['value']}")
            out[key] = table
    return list(out.values())


# ---------------------------------------------------------------------------------------------------------
# Traditional-script mirrors

# Characters a real mirror (../shared/seeds/003_*.txt) annotates with pinyin, e.g. `發(fā)布機構(gòu)`, `數(shù)`.
PINYIN = {
    "數": "shù", "網": "wǎng", "發": "fā", "結": "jié", "規": "guī", "經": "jīng", "業": "yè",
    "構": "gòu", "統": "tǒng", "權": "quán", "監": "jiān", "內": "nèi", "調": "diào", "據": "jù",
    "創": "chuàng", "現": "xiàn", "區": "qū", "優": "yōu", "態": "tài", "聯": "lián", "穩": "wěn", "關": "guān",
}  # fmt: skip
_TAIWAN = {"文件": "檔案", "制作": "製作"}
_TAG = re.compile(r"(<[^>]*>)")


@cache
def _s2t():  # opencc has no type hints
    import opencc

    return opencc.OpenCC("s2t")


def to_mirror_script(markup: str, *, taiwan: bool = False) -> str:
    """Convert a page to traditional script as auto-converting mirrors do, with their pinyin artifacts in text
    (never inside tags); `taiwan` also applies Taiwan vocabulary (文件→檔案)."""
    if taiwan:
        for simplified, tw in _TAIWAN.items():
            markup = markup.replace(simplified, tw)
    converted = _s2t().convert(markup).replace("發佈", "發布")
    parts = _TAG.split(converted)
    for i in range(0, len(parts), 2):  # even parts are text between tags
        parts[i] = "".join(f"{ch}({PINYIN[ch]})" if ch in PINYIN else ch for ch in parts[i])
    return "".join(parts)
