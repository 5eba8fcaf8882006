"""Write the report: pick the agencies (all, one by name, or those of a region code prefix), query each one's data,
render its charts and write `agency-<id>.html` per agency and `index.html` into the output folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reports import INDEX, agency_file, charts, data, pages
from reports.render import svg


class ReportError(ValueError):
    """The report cannot be written (no warehouse, no matching agency); the message says why."""


@dataclass
class Written:
    index: Path
    pages: list[Path]


def _draw(spec: dict | None) -> str | None:
    return svg(spec) if spec else None


def agency_charts(agency: data.AgencyData) -> dict[str, str | None]:
    years = agency["years"]
    return {
        "requests": _draw(charts.requests_chart(years, agency["applicants"])),
        "outcomes": _draw(charts.outcomes_chart(years)),
        "refusals": _draw(charts.refusals_chart(agency["refusals"], years)),
        "review": _draw(charts.review_chart(years)),
        "scorecard": _draw(charts.scorecard_chart(agency["scorecard"])),
        "ledger": _draw(charts.ledger_chart(agency["ledger"])),
    }


def build_report(database: Path, out: Path, *, agency: str | None = None, region: str | None = None) -> Written:
    if not Path(database).is_file():
        raise ReportError(f"warehouse {database} not found (build it with `ogi demo` or `ogi run`)")
    with data.connect(str(database)) as con:
        agencies = data.agencies(con, agency=agency, region=region)
        if not agencies:
            what = f"named {agency!r}" if agency else f"in region {region!r}" if region else "with reports"
            raise ReportError(f"no agency {what} in {database}")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for row in agencies:
            page = data.agency_data(con, row)
            path = out / agency_file(row["agency_id"])
            path.write_text(pages.agency_page(page, agency_charts(page)), encoding="utf-8")
            written.append(path)
    note = f", agency {agency}" if agency else f", region {region}*" if region else ""
    index = out / INDEX
    index.write_text(
        pages.index_page(agencies, _draw(charts.ranking_chart(agencies)), source=Path(database).name, scope_note=note),
        encoding="utf-8",
    )
    return Written(index, written)
