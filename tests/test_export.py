"""`ogi export`: every table round-trips (read back, equal), facts are Hive-partitioned by report year, the same
warehouse gives byte-identical files, and the data dictionary covers every table, view and column."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_warehouse import Docs, load

import warehouse
from dagster_project.export import ExportError, export, facts
from dagster_project.resources import Warehouse

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path: Path, sample_docs: Docs) -> Path:
    wh = Warehouse(path=str(tmp_path / "w.duckdb"))
    load(wh, sample_docs)
    return wh.database()


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[object, ...]]:
    return con.sql(f"select * from {table} order by all").fetchall()  # noqa: S608


def test_parquet_export_round_trips_and_partitions_facts_by_year(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    counts = export(db, out, "parquet")
    assert set(counts) == set(warehouse.table_ddl())
    assert facts(list(counts)) == ["fact_disclosure", "fact_raw_cell", "report_issue"]
    assert counts["fact_disclosure"] > 0
    src = duckdb.connect(str(db), read_only=True)
    for table, rows in counts.items():
        types = dict(src.sql(f"select column_name, column_type from (describe {table})").fetchall())
        if table in facts(list(counts)):
            years = sorted(p.name for p in (out / table).iterdir())
            assert all(y.startswith("report_year=") for y in years), years
            back = duckdb.sql(
                f"select {', '.join(types)} from read_parquet('{out / table}/**/*.parquet', hive_partitioning=true, "
                "hive_types={'report_year': smallint}) order by all"
            ).fetchall()  # the partition column comes back; the table's own columns are compared
        else:
            back = duckdb.sql(f"select * from read_parquet('{out / table}.parquet') order by all").fetchall()
        assert back == table_rows(src, table), table
        assert len(back) == rows
    # a report year seen in the facts is a partition directory
    years = {y for (y,) in src.sql("select distinct report_year from fact_disclosure").fetchall()}
    assert {p.name for p in (out / "fact_disclosure").iterdir()} == {f"report_year={y}" for y in years}


def test_the_same_warehouse_gives_byte_identical_exports(db: Path, tmp_path: Path) -> None:
    for fmt in ("parquet", "csv"):
        export(db, tmp_path / f"a-{fmt}", fmt)
        export(db, tmp_path / f"b-{fmt}", fmt)
        first, second = tree(tmp_path / f"a-{fmt}"), tree(tmp_path / f"b-{fmt}")
        assert first and first == second, fmt


def test_csv_export_round_trips_with_the_table_types(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    counts = export(db, out, "csv")
    src = duckdb.connect(str(db), read_only=True)
    for table in counts:
        types = dict(src.sql(f"select column_name, column_type from (describe {table})").fetchall())
        cols = ", ".join(types)
        if "report_id" in types and "report_year" not in types and table in facts(list(counts)):
            types["report_year"] = "SMALLINT"  # a fact without its own year gets the report's
        spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in types.items()) + "}"
        back = duckdb.sql(
            f"select {cols} from read_csv('{out / table}.csv', header=true, columns={spec}) order by all"
        ).fetchall()
        assert back == table_rows(src, table), table


def test_dictionary_documents_every_table_view_and_column(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export(db, out, "parquet")
    md = (out / "data_dictionary.md").read_text(encoding="utf-8")
    rows = duckdb.sql(f"select * from read_csv('{out / 'data_dictionary.csv'}', header=true)").pl()
    names = set(rows["name"])
    assert set(warehouse.table_ddl()) | set(warehouse.views()) <= names
    assert rows.filter(rows["kind"] == "table")["comment"].null_count() == 0  # every table column described
    for name in names:
        assert f"`{name}`" in md
    assert "| `metric` | VARCHAR | dim_metric code. |" in md


def test_export_refuses_to_mix_with_a_previous_export(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export(db, out, "csv")
    with pytest.raises(ExportError, match="--overwrite"):
        export(db, out, "csv")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    export(db, out, "csv", overwrite=True)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"  # only the export's own files are replaced
    with pytest.raises(ExportError, match="no warehouse"):
        export(tmp_path / "missing.duckdb", tmp_path / "x")


def test_ogi_export_command(db: Path, tmp_path: Path) -> None:
    ogi = Path(sys.executable).parent / "ogi"
    run = [str(ogi), "export", str(tmp_path / "out"), "--warehouse", str(db)]
    proc = subprocess.run(run, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "fact_disclosure:" in proc.stdout and "with the data dictionary" in proc.stdout
    again = subprocess.run(run, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 2 and "--overwrite" in again.stderr
