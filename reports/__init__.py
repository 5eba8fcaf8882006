"""`ogi report`: a static HTML report of the warehouse, one page per agency plus an index ranking the agencies.

Offline by construction: every chart is a Vega-Lite spec rendered to SVG by vl-convert (no browser, no server) and
inlined into its page, with no script, stylesheet, font or image fetched from anywhere.

    data.py    the SQL, over the warehouse's views only (read-only connection)
    charts.py  the Vega-Lite specs, one function per chart
    render.py  spec -> inline SVG (vl-convert, CJK font list)
    pages.py   the HTML of an agency page and of the index
    build.py   select the agencies, write the files

Importing this package loads neither vl-convert nor DuckDB (the Dagster assets import `index_path`).
"""

from __future__ import annotations

from pathlib import Path

REPORT_DIR = "report"  # beside the warehouse file: where the README's command writes and the summary asset looks
INDEX = "index.html"


def index_path(database: Path) -> Path:
    """The report index written beside `database` by `ogi report --out <its folder>/report` (may not exist)."""
    return Path(database).resolve().parent / REPORT_DIR / INDEX


def agency_file(agency_id: str) -> str:
    """File name of an agency's page (agency ids are hex digests, safe in a file name)."""
    return f"agency-{agency_id}.html"
