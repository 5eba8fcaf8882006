"""Helpers shared by the tests that render generated demo reports into other input types (DOCX, XLSX, PDF, …)."""

from __future__ import annotations

from functools import cache

from portal.blocks import blocks
from portal.sites import generate


@cache
def report(site: str, year: int) -> dict:
    """The generated report (truth entry) of one site and data year."""
    return next(r for r in generate().reports if r["site"] == site and r["report_year"] == year)


@cache
def report_blocks(site: str, year: int) -> tuple:
    """That report's body as blocks, its title first."""
    title, body = generate().bodies[report(site, year)["path"]]
    return tuple(blocks(body, title))


def truth_values(r: dict, *, tables_only: bool = False) -> dict[tuple, object]:
    """(metric, applicant, period) -> value of a truth entry; with `tables_only`, the figures printed in tables."""
    return {
        (v["metric"], v["applicant"], v["period"]): v["value"]
        for v in r["values"]
        if not tables_only or v["source"] == "table"
    }
