"""`ogi export`: every table and view of the warehouse as Parquet or CSV files plus a data dictionary, for any engine.

Layout of the export directory:

    fact_disclosure/report_year=2023/data_0.parquet   facts with their own report_year: Hive partitions by year (Parquet
                                                      only); a figure without a year is in report_year=__HIVE_DEFAULT_PARTITION__
    dim_report.parquet, report_issue.parquet, …        every other table, one file each
    v_agency_year.parquet, v_rates.parquet, …          every view, one file each (its rows at export time)
    data_dictionary.md, data_dictionary.csv            every exported table and view, its file and its columns with
                                                      their DuckDB COMMENT

Each file has exactly the columns of its table or view, with their types: Parquet keeps them (the partition column
is also written inside the files, so read with `hive_partitioning = false` to get its SMALLINT back); in CSV a list
column (VARCHAR[]) is a JSON array and a JSON column JSON text. A table without its own report year (report_issue,
fact_raw_cell) is exported as it is: `v_report_issue` adds the agency, year and scope. With `--format csv` every
table and view is one `<name>.csv`. Rows are written sorted and DuckDB runs single-threaded here, so the same
warehouse always gives byte-identical files.
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


class ExportError(ValueError):
    """The export cannot be written (missing warehouse, directory in the way); the message says why."""


def facts(tables: list[str]) -> list[str]:
    """The tables exported as Hive partitions by report year: the fact tables with a report_year column of their own
    (the schema's DDL says which)."""
    return [t for t in tables if t.startswith("fact_") and f" {PARTITION} " in warehouse.table_ddl().get(t, "")]


def dictionary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per column of every table and view: kind, name, object_comment, position, column_name, data_type,
    comment."""
    return con.sql(warehouse.query("data_dictionary")).pl()


def export_dictionary(frame: pl.DataFrame, files: dict[str, str], fmt: str) -> pl.DataFrame:
    """The dictionary of what was exported: the objects of `files` (name -> file or directory written), each with
    its file, and in CSV the type a list column has there (`VARCHAR[] as JSON`)."""
    out = frame.filter(pl.col("name").is_in(list(files))).with_columns(
        file=pl.col("name").replace_strict(files, return_dtype=pl.String()),
    )
    if fmt == "csv":
        out = out.with_columns(
            data_type=pl.when(pl.col("data_type").str.ends_with("[]"))
            .then(pl.col("data_type") + " as JSON")
            .otherwise(pl.col("data_type"))
        )
    order = {name: i for i, name in enumerate(files)}
    out = out.with_columns(order=pl.col("name").replace_strict(order, return_dtype=pl.Int32())).sort("order", "position")
    return out.select("kind", "name", "file", "object_comment", "position", "column_name", "data_type", "comment")


def dictionary_markdown(frame: pl.DataFrame) -> str:
    """The data dictionary as Markdown: one section per table and view, its comment, its file and a table of its
    columns."""
    out = ["# Data dictionary", "", "Generated from the DuckDB `COMMENT`s of the warehouse (`ogi export`).", ""]
    for (kind, name), group in frame.group_by(["kind", "name"], maintain_order=True):
        comment = group["object_comment"][0] or ""
        out += [f"## {kind} `{name}`", "", comment, ""]
        if "file" in group.columns:
            out += [f"File: `{group['file'][0]}`", ""]
        out += ["| column | type | description |", "|---|---|---|"]
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


def _file(name: str, fmt: str, *, partitioned: bool) -> str:
    """The file (or, partitioned, the directory) an object is written to, relative to the export directory."""
    return f"{name}/" if partitioned else f"{name}.{fmt}"


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
    """Write every table and view of `database` to `out` in `fmt`; returns the row count per table and view (tables
    first, in DDL order, then views)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not database.is_file():
        raise ExportError(f"no warehouse at {database}: build it first (ogi demo, or a Dagster run)")
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("set threads = 1").fetchall()  # one writer: the same rows always give the same bytes
        tables_present = {r[0] for r in con.execute("select table_name from duckdb_tables() where not internal").fetchall()}
        views_present = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        names = [t for t in warehouse.table_ddl() if t in tables_present]
        names += [v for v in warehouse.views() if v in views_present]
        partitioned = set(facts(names)) if fmt == "parquet" else set()
        files = {name: _file(name, fmt, partitioned=name in partitioned) for name in names}
        _prepare(out, [DICTIONARY_MD, DICTIONARY_CSV, *(f.rstrip("/") for f in files.values())], overwrite)
        counts = {name: _export_object(con, name, out, fmt, partitioned=name in partitioned) for name in names}
        frame = export_dictionary(dictionary(con), files, fmt)
    finally:
        con.close()
    (out / DICTIONARY_MD).write_text(dictionary_markdown(frame), encoding="utf-8")
    (out / DICTIONARY_CSV).write_text(_dictionary_csv(frame), encoding="utf-8")
    return counts


def _export_object(con: duckdb.DuckDBPyConnection, name: str, out: Path, fmt: str, *, partitioned: bool) -> int:
    """One table or view to its file(s), with exactly its columns; in CSV a list column as a JSON array."""
    columns = con.execute(f"select column_name, column_type from (describe {name})").fetchall()  # noqa: S608
    select = ", ".join(
        f'to_json("{c}") as "{c}"' if fmt == "csv" and t.endswith("[]") else f'"{c}"' for c, t in columns
    )
    query = f"select {select} from {name} order by all"  # noqa: S608 - names from the DDL and the views
    if partitioned:
        target = out / name
        options = f"format parquet, compression zstd, partition_by ({PARTITION}), write_partition_columns true"
    elif fmt == "parquet":
        target = out / f"{name}.parquet"
        options = "format parquet, compression zstd"
    else:
        target = out / f"{name}.csv"
        options = "format csv, header true"
    path = str(target).replace("'", "''")
    con.execute(f"copy ({query}) to '{path}' ({options})").fetchall()  # DuckDB 2.0: finish a result before the next
    return int(con.execute(f"select count(*) from {name}").fetchall()[0][0])  # noqa: S608
