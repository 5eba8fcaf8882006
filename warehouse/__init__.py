"""The warehouse's SQL: DDL (`schema.sql`) and views (`views/*.sql`). This package only locates and reads files.

`schema.sql` is split into one section per table by marker lines `-- table: <name>`; each section recreates its
table (`CREATE OR REPLACE TABLE` plus `COMMENT ON`), so a load runs its table's section and then inserts.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_MARKER = re.compile(r"^-- table: (\w+)\s*$", re.MULTILINE)


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


@cache
def views() -> dict[str, str]:
    """`CREATE OR REPLACE VIEW` statements by view name (the file stem), sorted by name."""
    folder = resources.files(__package__).joinpath("views")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return {name.removesuffix(".sql"): folder.joinpath(name).read_text(encoding="utf-8") for name in names}
