"""The warehouse's SQL: DDL (`schema.sql`), views (`views/*.sql`) and cross-report checks (`checks/*.sql`).

This package only locates and reads files.

`schema.sql` is split into one section per table by marker lines `-- table: <name>`; each section recreates its
table (`CREATE OR REPLACE TABLE` plus `COMMENT ON`), so a load runs its table's section and then inserts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from graphlib import TopologicalSorter
from importlib import resources

_MARKER = re.compile(r"^-- table: (\w+)\s*$", re.MULTILINE)
_LITERAL_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def table_ddl() -> dict[str, str]:
    """DDL of every table, by table name, in file order."""
    text = _read("schema.sql")
    marks = list(_MARKER.finditer(text))
    if not marks:
        raise ValueError("schema.sql has no '-- table: <name>' sections")
    out: dict[str, str] = {}
    for mark, nxt in zip(marks, [*marks[1:], None], strict=True):
        end = nxt.start() if nxt is not None else len(text)
        out[mark.group(1)] = text[mark.start() : end].strip() + "\n"
    return out


def ddl(table: str) -> str:
    """The DDL section of one table (raises KeyError for an unknown table)."""
    return table_ddl()[table]


def _sql_files(folder_name: str) -> dict[str, str]:
    """Text of every `<folder>/*.sql` by file stem, sorted by name."""
    folder = resources.files(__package__).joinpath(folder_name)
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return {name.removesuffix(".sql"): folder.joinpath(name).read_text(encoding="utf-8") for name in names}


def _references(sql: str, names: Iterable[str]) -> set[str]:
    """Which of `names` the SQL mentions as a word, outside comments and string literals."""
    code = _LITERAL_OR_COMMENT.sub(" ", sql)
    return {name for name in names if re.search(rf"\b{re.escape(name)}\b", code)}


@cache
def views() -> dict[str, str]:
    """`CREATE OR REPLACE VIEW` statements by view name (the file stem), each after the views it reads.

    DuckDB binds a view when it is created, so a view must come after the views it selects from; among views
    whose dependencies are met, the order is by name. A dependency cycle raises graphlib.CycleError.
    """
    texts = _sql_files("views")
    sorter = TopologicalSorter({name: _references(sql, texts.keys() - {name}) for name, sql in texts.items()})
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return {name: texts[name] for name in order}


@cache
@cache
def queries() -> dict[str, str]:
    """The queries the pipeline runs (`queries/*.sql`) by file stem: the report pages to parse, the within-report
    and season checks, the insert of cross-report findings, the data dictionary."""
    return _sql_files("queries")


def query(name: str) -> str:
    """One query of `queries/` (raises KeyError for an unknown name)."""
    return queries()[name]


def checks() -> dict[str, str]:
    """Cross-report check queries (`checks/*.sql`) by file stem, sorted by name.

    Each is one SELECT returning report_issue-shaped rows without ordinal and source: report_id (the later
    report), check_name, severity, message, applicant, details (JSON). The `cross_report_checks` asset numbers
    them and stores them with source 'warehouse'.
    """
    return _sql_files("checks")
