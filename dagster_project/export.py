"""`ogi export`: the warehouse's tables as Parquet or CSV files plus a data dictionary, for any engine.

Layout of the export directory:

    fact_disclosure/report_year=2023/data_0.parquet   facts: Hive partitions by report year (Parquet only);
    fact_raw_cell/report_year=…/…                      a report without a year is in report_year=__HIVE_DEFAULT_PARTITION__
    report_issue/report_year=…/…
    dim_report.parquet, dim_agency.parquet, …          every other table, one file each
    data_dictionary.md, data_dictionary.csv            every table, view and column with its DuckDB COMMENT

With `--format csv` every table is one `<table>.csv` (facts with their report_year column). Rows are written
sorted and DuckDB runs single-threaded here, so the same warehouse always gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import polars as pl

import warehouse

FORMATS = ("parquet", "csv")
DICTIONARY_MD = "data_dictionary.md"
DICTIONARY_CSV = "data_dictionary.csv"
PARTITION = "report_year"

# Facts partitioned by year; those without their own report_year column take the report's.
_YEAR_FROM_REPORT = """
select f.*, r.report_year
from {table} as f
left join dim_report as r using (report_id)
"""

class ExportError(ValueError):
    """The export cannot be written (missing warehouse, directory in the way); the message says why."""


def facts(tables: list[str]) -> list[str]:
    """The tables exported as Hive partitions by report year."""
    return [t for t in tables if t.startswith("fact_") or t == "report_issue"]


def dictionary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per column of every table and view: kind, name, object_comment, position, column_name, data_type,
    comment."""
    return con.sql(warehouse.query("data_dictionary")).pl()


def dictionary_markdown(frame: pl.DataFrame) -> str:
    """The data dictionary as Markdown: one section per table and view, its comment and a table of its columns."""
    out = ["# Data dictionary", "", "Generated from the DuckDB `COMMENT`s of the warehouse (`ogi export`).", ""]
    for (kind, name), group in frame.group_by(["kind", "name"], maintain_order=True):
        comment = group["object_comment"][0] or ""
        out += [f"## {kind} `{name}`", "", comment, "", "| column | type | description |", "|---|---|---|"]
        for row in group.iter_rows(named=True):
            text = (row["comment"] or "").replace("|", "\\|").replace("\n", " ")
            out.append(f"| `{row['column_name']}` | {row['data_type']} | {text} |")
        out.append("")
    return "\n".join(out)


def _dictionary_csv(frame: pl.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.iter_rows())
    return buffer.getvalue()


def _outputs(tables: list[str], fmt: str) -> list[str]:
    """Names this export writes directly under the directory."""
    names = [DICTIONARY_MD, DICTIONARY_CSV]
    for table in tables:
        names.append(table if fmt == "parquet" and table in facts(tables) else f"{table}.{fmt}")
    return names


def _prepare(out: Path, names: list[str], overwrite: bool) -> None:
    """Make `out` ready: created when missing; the files of a previous export removed with `overwrite`."""
    out.mkdir(parents=True, exist_ok=True)
    present = [name for name in names if (out / name).exists()]
    if present and not overwrite:
        raise ExportError(f"{out} already holds an export ({', '.join(present[:3])}…); use --overwrite to replace it")
    for name in present:
        target = out / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()


def export(database: Path, out: Path, fmt: str = "parquet", *, overwrite: bool = False) -> dict[str, int]:
    """Write every warehouse table of `database` to `out` in `fmt`; returns the row count per table."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not database.is_file():
        raise ExportError(f"no warehouse at {database}: build it first (ogi demo, or a Dagster run)")
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("set threads = 1").fetchall()  # one writer: the same rows always give the same bytes
        present = {row[0] for row in con.execute("select table_name from duckdb_tables() where not internal").fetchall()}
        tables = [t for t in warehouse.table_ddl() if t in present]
        _prepare(out, _outputs(tables, fmt), overwrite)
        counts: dict[str, int] = {}
        for table in tables:
            counts[table] = _export_table(con, table, out, fmt, fact=table in facts(tables))
        frame = dictionary(con)
    finally:
        con.close()
    (out / DICTIONARY_MD).write_text(dictionary_markdown(frame), encoding="utf-8")
    (out / DICTIONARY_CSV).write_text(_dictionary_csv(frame), encoding="utf-8")
    return counts


def _export_table(con: duckdb.DuckDBPyConnection, table: str, out: Path, fmt: str, *, fact: bool) -> int:
    """One table to its file(s); a fact table gets the report's report_year when it has none of its own."""
    columns = {row[0] for row in con.execute(f"describe {table}").fetchall()}  # noqa: S608 - name from the DDL
    needs_year = fact and PARTITION not in columns
    source = f"({_YEAR_FROM_REPORT.format(table=table)})" if needs_year else table
    query = f"select * from {source} order by all"  # noqa: S608 - names from the DDL
    if fmt == "parquet" and fact:
        target = out / table
        options = f"format parquet, compression zstd, partition_by ({PARTITION})"
    elif fmt == "parquet":
        target = out / f"{table}.parquet"
        options = "format parquet, compression zstd"
    else:
        target = out / f"{table}.csv"
        options = "format csv, header true"
    path = str(target).replace("'", "''")
    con.execute(f"copy ({query}) to '{path}' ({options})").fetchall()  # DuckDB 2.0: finish a result before the next
    return int(con.execute(f"select count(*) from {table}").fetchall()[0][0])  # noqa: S608
