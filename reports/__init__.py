"""The static HTML report of the warehouse (the `html_report` asset, `ogi report`): one page per agency plus an
index ranking the agencies.

Offline by construction: every chart is a Vega-Lite spec rendered to SVG by vl-convert (no browser, no server) and
inlined into its page, with no script, stylesheet, font or image fetched from anywhere.

    data.py    the SQL, over the warehouse's views only (read-only), and the fingerprint of each agency's data
    charts.py  the Vega-Lite specs, one function per chart
    render.py  spec -> inline SVG (vl-convert, CJK font list)
    pages.py   the HTML of an agency page and of the index
    build.py   select the agencies, render what changed since the last report, write the files

Importing this package loads neither vl-convert nor DuckDB (the Dagster assets import `index_path`; the
`html_report` asset imports reports.build when it runs).
"""

from __future__ import annotations

from pathlib import Path

REPORT_DIR = "report"  # beside the warehouse file: where the html_report asset writes (and the README's command)
INDEX = "index.html"
STATE = "report-state.json"  # beside the pages: what each was rendered from (reports.build)


def index_path(database: Path) -> Path:
    """The report index the `html_report` asset writes beside `database` (as `ogi report --out <its folder>/report`
    does)."""
    return Path(database).resolve().parent / REPORT_DIR / INDEX


def agency_file(agency_id: str) -> str:
    """File name of an agency's page (agency ids are hex digests, safe in a file name)."""
    return f"agency-{agency_id}.html"
