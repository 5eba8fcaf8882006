"""The Vega-Lite specs of the report, one function per chart. Each takes the rows of data.py and returns a spec (or
None when there is nothing to draw). Every bar carries its number as a text mark, so a chart states the warehouse's
figures, not only their shapes. An agency with body and area reports gets one bar per year and scope ("2021 area"):
the two scopes are never summed."""

from __future__ import annotations

from typing import Any

from reports.data import Row

Spec = dict[str, Any]

WIDTH = 640
NUMBER = "d"  # counts (件) as whole numbers, no thousands separator: the page text matches the warehouse's figures

OUTCOMES = [  # v_agency_year column, legend label: every outcome of `handled` the warehouse has a series for
    ("disclosed", "予以公开 disclosed"),
    ("partially_disclosed", "部分公开 partially"),
    ("withheld", "不予公开 withheld"),
    ("unavailable", "无法提供 unavailable"),
    ("not_processed", "不予处理 not processed"),
    ("other_handled", "其他处理 otherwise handled"),
    ("already_public", "已主动公开 already public (2014)"),
]
# handled minus the outcomes printed, when positive: outcome cells printed blank, or a report whose own outcome
# rows do not add up to its total (requests.result_sum); drawn as its own bar so the stack reaches `handled`
REMAINDER = "未列明 not itemised (handled − outcomes)"
REVIEW = [
    ("review_total", "行政复议 review"),
    ("review_corrected", "复议纠错 review corrected"),
    ("litigation_total", "行政诉讼 litigation"),
    ("litigation_corrected", "诉讼纠错 litigation corrected"),
]
FINDINGS = [
    ("parser_errors", "解析错误 parser errors"),
    ("parser_warnings", "解析警告 parser warnings"),
    ("warehouse_errors", "跨年错误 cross-report errors"),
    ("warehouse_warnings", "跨年警告 cross-report warnings"),
]
STATUS_COLORS = {"published": "#4c9a5b", "late": "#e69f00", "missing": "#b0b0b0", "removed": "#c0392b"}
NO_SPLIT = "未分申请人 no applicant split"


def period(row: Row, multi_scope: bool) -> str:
    """The x label of an agency-year: the year, plus the scope when the agency has reports of both scopes."""
    return f"{row['report_year']} {row['scope']}" if multi_scope else str(row["report_year"])


def multi_scope(years: list[Row]) -> bool:
    return len({row["scope"] for row in years}) > 1


def _x(title: str = "年份 year") -> Spec:
    return {"field": "period", "type": "ordinal", "title": title, "axis": {"labelAngle": 0}}


def _stacked(values: list[Row], totals: list[Row], title: str, y_title: str, order: list[str]) -> Spec:
    """Bars stacked by `series` per period, with each period's total printed above its bar."""
    return {
        "title": title,
        "width": WIDTH,
        "height": 240,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "bar"},
                "encoding": {
                    "x": _x(),
                    "y": {"field": "value", "type": "quantitative", "title": y_title, "stack": "zero"},
                    "color": {"field": "series", "type": "nominal", "title": None, "sort": order,
                              "legend": {"orient": "bottom", "columns": 3}},
                    "order": {"field": "rank", "type": "quantitative"},
                    "tooltip": [{"field": "period"}, {"field": "series"}, {"field": "value", "format": NUMBER}],
                },
            },
            {
                "data": {"values": totals},
                "mark": {"type": "text", "dy": -6, "fontSize": 12, "fontWeight": "bold"},
                "encoding": {
                    "x": _x(),
                    "y": {"field": "top", "type": "quantitative"},
                    "text": {"field": "total", "type": "quantitative", "format": NUMBER},
                },
            },
        ],
    }


def requests_chart(years: list[Row], applicants: list[Row]) -> Spec | None:
    """New requests per year (本年新收 / 收到申请数), stacked by applicant type where the report prints the split;
    the label above each bar is v_agency_year.requests."""
    multi = multi_scope(years)
    split: dict[tuple[int, str], list[Row]] = {}
    for row in applicants:
        split.setdefault((row["report_year"], row["scope"]), []).append(row)
    values, totals, order = [], [], []
    for row in years:
        if row["requests"] is None:
            continue
        label = period(row, multi)
        parts = split.get((row["report_year"], row["scope"]))
        if parts and any(p["value"] for p in parts):
            for part in parts:
                values.append({"period": label, "series": part["label"], "value": part["value"],
                               "rank": part["position"]})  # fmt: skip
                if part["label"] not in order:
                    order.append(part["label"])
        else:
            values.append({"period": label, "series": NO_SPLIT, "value": row["requests"], "rank": 0})
        top = max(row["requests"], sum(p["value"] for p in parts or []))
        totals.append({"period": label, "total": row["requests"], "top": top})
    if not totals:
        return None
    return _stacked(values, totals, "收到的政府信息公开申请 New requests received", "件 requests",
                    [NO_SPLIT, *order])  # fmt: skip


def outcome_parts(row: Row) -> list[tuple[str, float]]:
    """(legend label, value) of each outcome bar of an agency-year: the outcome series printed, then the remainder
    up to `handled` (REMAINDER) when the printed outcomes fall short of it. With `handled` printed, the values add up
    to it unless the outcomes exceed it (a report whose own sums fail; the bar is then taller than its label)."""
    parts = [(label, row[col]) for col, label in OUTCOMES if row.get(col) is not None]
    rest = None if row["handled"] is None else round(row["handled"] - sum(v for _, v in parts), 2)
    return parts + [(REMAINDER, rest)] if rest and rest > 0 else parts


def outcomes_chart(years: list[Row]) -> Spec | None:
    """How the requests were answered, per year: disclosed … otherwise handled (and, for 2014 tables, already
    public) stacked, plus what the printed outcomes leave of `handled` (outcome_parts); handled above each bar."""
    multi = multi_scope(years)
    values, totals = [], []
    for row in years:
        parts = outcome_parts(row)
        if not parts and row["handled"] is None:
            continue
        label = period(row, multi)
        for rank, (series, value) in enumerate(parts):
            values.append({"period": label, "series": series, "value": value, "rank": rank})
        shown = row["handled"] if row["handled"] is not None else sum(v for _, v in parts)
        totals.append({"period": label, "total": shown, "top": max(shown, sum(v for _, v in parts))})
    if not totals:
        return None
    return _stacked(values, totals, "办理结果 Outcomes (label: requests handled 办理总数)", "件 requests",
                    [*(label for _, label in OUTCOMES), REMAINDER])  # fmt: skip


def refusals_chart(refusals: list[Row], years: list[Row]) -> Spec | None:
    """Refusal reasons × year as a heat map with the count in each cell (v_refusal_reasons, applicant total)."""
    multi = multi_scope(years)
    values = [{"period": period(r, multi), "reason": r["label"], "category": r["category"], "value": r["value"]}
              for r in refusals]  # fmt: skip
    if not any(v["value"] for v in values):
        return None
    reasons = list(dict.fromkeys(v["reason"] for v in sorted(values, key=lambda v: (v["category"], v["reason"]))))
    y = {"field": "reason", "type": "nominal", "title": None, "sort": reasons, "axis": {"labelLimit": 320}}
    return {
        "title": "不予公开、无法提供、不予处理等理由 Refusal reasons (件)",
        "width": max(WIDTH - 300, 40 * len({v["period"] for v in values})),
        "height": {"step": 20},
        "data": {"values": values},
        "encoding": {"x": _x(), "y": y},
        "layer": [
            {"mark": "rect", "encoding": {
                "color": {"field": "value", "type": "quantitative", "title": "件", "scale": {"scheme": "oranges"}},
                "tooltip": [{"field": "period"}, {"field": "reason"}, {"field": "value", "format": NUMBER}]}},
            {"mark": {"type": "text", "fontSize": 11}, "encoding": {
                "text": {"field": "value", "type": "quantitative", "format": NUMBER},
                "color": {"condition": {"test": "datum.value == 0", "value": "#999"}, "value": "black"}}},
        ],
    }  # fmt: skip


def review_chart(years: list[Row]) -> Spec | None:
    """Administrative reconsideration and litigation per year: totals and corrected cases side by side."""
    multi = multi_scope(years)
    values = [{"period": period(row, multi), "series": label, "value": row[col]}
              for row in years for col, label in REVIEW if row[col] is not None]  # fmt: skip
    if not values:
        return None
    order = [label for _, label in REVIEW]
    color = {"field": "series", "type": "nominal", "title": None, "sort": order,
             "scale": {"range": ["#4e79a7", "#a0cbe8", "#f28e2b", "#ffbe7d"]},
             "legend": {"orient": "bottom", "columns": 4}}  # fmt: skip
    offset = {"field": "series", "sort": order}
    return {
        "title": "行政复议和行政诉讼 Review and litigation (件)",
        "width": WIDTH,
        "height": 200,
        "data": {"values": values},
        "encoding": {"x": _x(), "xOffset": offset, "y": {"field": "value", "type": "quantitative", "title": "件"}},
        "layer": [
            {"mark": "bar", "encoding": {"color": color}},
            {"mark": {"type": "text", "dy": -5, "fontSize": 10},
             "encoding": {"text": {"field": "value", "type": "quantitative", "format": NUMBER}}},
        ],
    }


def scorecard_chart(scorecard: list[Row]) -> Spec | None:
    """Findings about the agency's reports per year (v_quality_scorecard), stacked by source and severity."""
    multi = len({row["scope"] for row in scorecard}) > 1
    values, totals = [], []
    for row in scorecard:
        label = period(row, multi)
        parts = [(series, row[col]) for col, series in FINDINGS]
        for rank, (series, value) in enumerate(parts):
            if value:
                values.append({"period": label, "series": series, "value": value, "rank": rank})
        total = sum(v for _, v in parts)
        totals.append({"period": label, "total": total, "top": total})
    if not totals:
        return None
    spec = _stacked(values, totals, "质量记分卡 Quality scorecard: findings per year", "findings",
                    [series for _, series in FINDINGS])  # fmt: skip
    spec["height"] = 160
    spec["layer"][0]["encoding"]["color"]["scale"] = {"range": ["#c0392b", "#f5b041", "#7d3c98", "#bb8fce"]}
    return spec


def ledger_chart(ledger: list[Row]) -> Spec | None:
    """The publication ledger as a strip: one cell per year, coloured and labelled by status."""
    if not ledger:
        return None
    values = [{"period": str(r["report_year"]), "status": r["status"], "reports": r["reports"]} for r in ledger]
    status = list(STATUS_COLORS)
    return {
        "title": "年报发布情况 Publication ledger",
        "width": max(WIDTH, 48 * len(values)),
        "height": 44,
        "data": {"values": values},
        "encoding": {"x": _x()},
        "layer": [
            {"mark": {"type": "rect", "stroke": "white"}, "encoding": {
                "color": {"field": "status", "type": "nominal", "title": None,
                          "scale": {"domain": status, "range": [STATUS_COLORS[s] for s in status]},
                          "legend": {"orient": "bottom", "columns": 4}},
                "tooltip": [{"field": "period"}, {"field": "status"}, {"field": "reports"}]}},
            {"mark": {"type": "text", "fontSize": 10, "color": "white", "fontWeight": "bold"},
             "encoding": {"text": {"field": "status"}}},
        ],
    }  # fmt: skip


RANKING_TOP = 100  # bars of the index's ranking chart at most (the index's table lists every agency)


def ranking_chart(agencies: list[Row], top: int = RANKING_TOP) -> Spec | None:
    """The index's ranking: requests received over all years, one bar per agency, in the index's order; the first
    `top` agencies when there are more (said in the title)."""
    values = [{"agency": a["agency"], "requests": a["requests_total"], "rank": i}
              for i, a in enumerate(agencies, 1) if a["requests_total"] is not None]  # fmt: skip
    if not values:
        return None
    title = "各机关收到的申请 Requests received by agency"
    if len(values) > top:
        title += f" (the first {top} of {len(values)})"
        values = values[:top]
    y = {"field": "agency", "type": "nominal", "title": None, "sort": [v["agency"] for v in values],
         "axis": {"labelLimit": 360}}  # fmt: skip
    x = {"field": "requests", "type": "quantitative", "title": "收到申请 requests received, all years (件)"}
    return {
        "title": title,
        "width": 480,
        "height": {"step": 22},
        "data": {"values": values},
        "encoding": {"y": y, "x": x},
        "layer": [
            {"mark": {"type": "bar", "color": "#4e79a7"}},
            {"mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
             "encoding": {"text": {"field": "requests", "type": "quantitative", "format": NUMBER}}},
        ],
    }
