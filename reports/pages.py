"""The HTML of the report: an agency page (charts inline as SVG, then the figures as tables) and the index ranking
the agencies. Self-contained pages: inline CSS, no script, nothing loaded from elsewhere (report URLs are plain
links)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from reports import INDEX, agency_file
from reports.data import AgencyData, Row

CSS = """
body { font-family: 'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif;
       margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; }
.meta { color: #666; margin-top: 0; } figure { margin: 12px 0; } figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; } th { background: #f4f4f4; }
td.text, th.text { text-align: left; } .none { color: #999; }
.published { color: #2e7d32; } .late { color: #b26a00; } .missing { color: #777; } .removed { color: #c0392b; }
"""

Chart = tuple[str, str | None]  # (figure id, svg markup or None)


def number(value: Any) -> str:
    """A figure as the page prints it: whole numbers without a decimal point, rates with 3 decimals, '–' for null."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.3f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


def _cell(value: Any, text: bool = False) -> str:
    css = ' class="text"' if text else ""
    if value is None:
        return '<td class="none">–</td>'
    return f"<td{css}>{escape(number(value))}</td>"


def table(rows: Sequence[Row], columns: Sequence[tuple[str, str]], *,
          render: dict[str, Callable[[Row], str]] | None = None, text: set[str] = frozenset()) -> str:  # fmt: skip
    """An HTML table of `rows`: columns as (key, header); `render` gives ready cells for some keys."""
    if not rows:
        return '<p class="none">No rows.</p>'
    render = render or {}
    head = "".join(f'<th class="{"text" if k in text else ""}">{escape(h)}</th>' for k, h in columns)
    body = "\n".join(
        "<tr>" + "".join(render[k](row) if k in render else _cell(row.get(k), k in text) for k, _ in columns) + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def figure(chart_id: str, svg: str | None, empty: str) -> str:
    inner = svg if svg else f'<p class="none">{escape(empty)}</p>'
    return f'<figure id="{escape(chart_id)}">{inner}</figure>'


def _link(url: str | None, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>' if url else escape(text)


def _document(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>{CSS}</style>\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _where(agency: Row) -> str:
    place = " ".join(p for p in (agency.get("province"), agency.get("city"), agency.get("county")) if p)
    bits = [place, f"region {agency['region_code']}" if agency.get("region_code") else "",
            agency.get("agency_type") or "", agency.get("level") or ""]  # fmt: skip
    return " · ".join(escape(b) for b in bits if b)


YEAR_COLUMNS = [
    ("report_year", "年份 year"), ("scope", "scope"), ("format", "format"), ("requests", "新收 requests"),
    ("carried_over", "上年结转 carried over"), ("handled", "办理 handled"), ("disclosed", "予以公开"),
    ("partially_disclosed", "部分公开"), ("withheld", "不予公开"), ("unavailable", "无法提供"),
    ("not_processed", "不予处理"), ("other_handled", "其他处理"), ("already_public", "已主动公开"),
    ("review_total", "复议"), ("review_corrected", "复议纠错"),
    ("litigation_total", "诉讼"), ("litigation_corrected", "诉讼纠错"), ("n_issues", "issues"),
]
RATE_COLUMNS = [
    ("report_year", "年份 year"), ("scope", "scope"), ("disclosure_rate", "实质公开率 disclosure rate"),
    ("disclosure_n", "n (handled)"), ("review_correction_rate", "复议纠错率"), ("review_n", "n (review)"),
    ("litigation_correction_rate", "诉讼纠错率"), ("litigation_n", "n (litigation)"),
]
SCORECARD_COLUMNS = [
    ("report_year", "年份 year"), ("scope", "scope"), ("reports", "reports"), ("status", "status"),
    ("late", "late"), ("missing", "missing"), ("parser_errors", "parser errors"),
    ("parser_warnings", "parser warnings"), ("warehouse_errors", "cross-report errors"),
    ("warehouse_warnings", "cross-report warnings"), ("issues_by_check", "by check"),
]
LEDGER_COLUMNS = [
    ("report_year", "年份 year"), ("status", "status"), ("reports", "reports"), ("published_at", "published"),
    ("deadline", "deadline"), ("on_time", "on time"), ("url", "report"),
]


def _status(row: Row) -> str:
    return f'<td class="text {escape(row["status"])}">{escape(row["status"])}</td>'


def agency_page(data: AgencyData, charts: dict[str, str | None]) -> str:
    """One agency's page: charts of requests, outcomes, refusal reasons, review and litigation, the quality
    scorecard and the publication ledger, each followed by its figures."""
    agency = data.agency
    name = agency["agency"]
    ledger_counts = ", ".join(f'{agency[s]} {s}' for s in ("published", "late", "missing", "removed"))
    parts = [
        f'<p><a href="{INDEX}">← all agencies</a></p>',
        f"<h1>{escape(name)}</h1>",
        f'<p class="meta">{_where(agency)}</p>',
        f'<p class="meta">Requests received, all years: <b>{escape(number(agency["requests_total"]))}</b>; '
        f"report years: {escape(ledger_counts)}.</p>",
        "<h2>申请 Requests</h2>",
        figure("requests", charts.get("requests"), "No request figures."),
        "<h2>办理结果 Outcomes</h2>",
        figure("outcomes", charts.get("outcomes"), "No outcome figures."),
        table(data["rates"], RATE_COLUMNS, text={"scope"}),
        "<h2>理由 Refusal reasons</h2>",
        figure("refusals", charts.get("refusals"), "No refusal reasons printed."),
        "<h2>复议和诉讼 Review and litigation</h2>",
        figure("review", charts.get("review"), "No review or litigation figures."),
        "<h2>年度数据 Figures per year (v_agency_year)</h2>",
        table(data["years"], YEAR_COLUMNS, text={"scope", "format"}),
        "<h2>质量 Quality scorecard</h2>",
        figure("scorecard", charts.get("scorecard"), "No readable reports."),
        table(data["scorecard"], SCORECARD_COLUMNS, render={"status": _status}, text={"scope", "issues_by_check"}),
        "<h2>发布 Publication ledger</h2>",
        figure("ledger", charts.get("ledger"), "No report years."),
        table(data["ledger"], LEDGER_COLUMNS, text={"url"},
              render={"status": _status,
                      "url": lambda r: f'<td class="text">{_link(r["url"], "report") if r["url"] else "–"}</td>'}),
    ]  # fmt: skip
    return _document(f"{name} — OGI annual reports", "\n".join(parts))


INDEX_COLUMNS = [
    ("rank", "#"), ("agency", "机关 agency"), ("region_code", "region"), ("scopes", "scope"),
    ("years", "years"), ("requests_total", "收到申请 requests, all years"), ("latest", "latest year"),
    ("published", "published"), ("late", "late"), ("missing", "missing"), ("removed", "removed"),
]


PENDING = {  # an agency whose page a capped run left for later (reports.build): what the index says beside it
    "missing": "page pending: rendered by a later run",
    "outdated": "page of an earlier state of the warehouse: updated by a later run",
}


def index_page(agencies: list[Row], ranking_svg: str | None, *, source: str, scope_note: str,
               pending: Mapping[str, str] | None = None, max_pages: int | None = None,
               max_seconds: float | None = None) -> str:  # fmt: skip
    """The index: agencies ranked by requests received (data.AGENCIES_SQL's order), each linking to its page;
    `pending`: agency_id -> "missing" (no page yet: no link) or "outdated" (its page is of an earlier state)."""
    pending = pending or {}
    ranked = [{**a, "rank": i} for i, a in enumerate(agencies, 1)]
    years = lambda r: f"<td>{r['first_year']}–{r['last_year']}</td>" if r["first_year"] else '<td class="none">–</td>'
    latest = lambda r: (f"<td>{r['latest_year']}: {escape(number(r['latest_requests']))}</td>"
                        if r["latest_year"] else '<td class="none">–</td>')  # fmt: skip

    def name(r: Row) -> str:
        state = pending.get(r["agency_id"])
        label = escape(r["agency"])
        if state != "missing":
            label = f'<a href="{agency_file(r["agency_id"])}">{label}</a>'
        note = f' <span class="none">({escape(PENDING[state])})</span>' if state else ""
        return f'<td class="text">{label}{note}</td>'

    caps = " and ".join(c for c in (f"{max_pages} pages" if max_pages is not None else "",
                                    f"{max_seconds:g} s" if max_seconds else "") if c)  # fmt: skip
    waiting = (f'<p class="meta">{len(pending)} agency page(s) not up to date: a run renders at most {caps}; the '
               f"next runs render the others (marked below).</p>") if pending else ""  # fmt: skip
    parts = [
        "<h1>政府信息公开年报 OGI annual reports</h1>",
        f'<p class="meta">{len(agencies)} agencies{escape(scope_note)} · warehouse {escape(source)} · '
        f"ranked by requests received over every year and scope (v_agency_year).</p>",
        waiting,
        figure("ranking", ranking_svg, "No request figures."),
        table(ranked, INDEX_COLUMNS, render={"agency": name, "years": years, "latest": latest},
              text={"agency", "scopes", "region_code"}),
    ]  # fmt: skip
    return _document("OGI annual reports — agencies", "\n".join(parts))
