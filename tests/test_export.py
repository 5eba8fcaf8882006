"""`ogi export`: every table and view round-trips (read back, equal, same types), fact_disclosure is Hive-partitioned by
report year, no file has a column its table lacks, list columns are JSON in CSV, the same warehouse gives
byte-identical files, and the data dictionary lists exactly the exported files and their columns."""

from __future__ import annotations

import csv
import json
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


def objects() -> list[str]:
    """Every table (DDL order) and view the export writes."""
    return [*warehouse.table_ddl(), *warehouse.views()]


def test_parquet_export_round_trips_with_types_and_partitions_facts_by_year(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    counts = export(db, out, "parquet")
    assert list(counts) == objects()  # every table and every view
    assert {"v_agency_year", "v_rates", "v_harmonized", "v_report_issue"} <= set(counts)
    assert facts(list(counts)) == ["fact_disclosure"]  # the one fact table with its own report_year
    assert counts["fact_disclosure"] > 0 and counts["v_agency_year"] > 0
    src = duckdb.connect(str(db), read_only=True)
    for name, rows in counts.items():
        types = src.sql(f"select column_name, column_type from (describe {name})").fetchall()
        path = f"{out / name}/**/*.parquet" if name in facts(list(counts)) else f"{out / name}.parquet"
        back = duckdb.sql(f"select * from read_parquet('{path}', hive_partitioning=false)")
        assert list(zip(back.columns, map(str, back.types), strict=True)) == types, name  # same columns, same types
        assert back.order("all").fetchall() == table_rows(src, name), name
        assert len(back.fetchall()) == rows
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
    assert list(counts) == objects()
    src = duckdb.connect(str(db), read_only=True)
    for name in counts:
        types = dict(src.sql(f"select column_name, column_type from (describe {name})").fetchall())
        header = (out / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == list(types), name  # exactly the table's columns: report_issue has no report_year
        # a list column is a JSON array in the CSV: read as JSON, cast back to its list type
        spec = "{" + ", ".join(f"'{c}': '{'JSON' if t.endswith('[]') else t}'" for c, t in types.items()) + "}"
        cols = ", ".join(f'"{c}"::{t} as "{c}"' if t.endswith("[]") else f'"{c}"' for c, t in types.items())
        back = duckdb.sql(
            f"select {cols} from read_csv('{out / name}.csv', header=true, columns={spec}) order by all"
        ).fetchall()
        assert back == table_rows(src, name), name


def test_csv_list_columns_are_json(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    export(db, out, "csv")
    rows = list(csv.DictReader((out / "dim_metric.csv").read_text(encoding="utf-8").splitlines()))
    made = next(r for r in rows if r["code"] == "active.regulation.made")
    assert json.loads(made["formats"]) == ["2019"] and json.loads(made["aliases"]) == []
    assert (made["label_zh"], made["column_zh"]) == ("规章", "本年新制作数量")
    agencies = list(csv.DictReader((out / "dim_agency.csv").read_text(encoding="utf-8").splitlines()))
    assert agencies and all(isinstance(json.loads(a["sites"]), list) for a in agencies)
    assert {s for a in agencies for s in json.loads(a["sites"])} == {"a"}


def test_dictionary_lists_exactly_the_exported_files(db: Path, tmp_path: Path) -> None:
    for fmt in ("parquet", "csv"):
        out = tmp_path / fmt
        counts = export(db, out, fmt)
        md = (out / "data_dictionary.md").read_text(encoding="utf-8")
        rows = list(csv.DictReader((out / "data_dictionary.csv").read_text(encoding="utf-8").splitlines()))
        files = {r["name"]: r["file"] for r in rows}
        assert list(files) == list(counts)  # every exported table and view, in export order, and nothing else
        on_disk = {p.name + ("/" if p.is_dir() else "") for p in out.iterdir()} - {"data_dictionary.md",
                                                                                  "data_dictionary.csv"}  # fmt: skip
        assert set(files.values()) == on_disk, fmt
        assert all(r["comment"] for r in rows), "every column of every table and view described"
        for name in counts:  # the dictionary's columns are the file's columns, in order
            listed = [r["column_name"] for r in rows if r["name"] == name]
            if fmt == "csv":
                assert (out / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",") == listed, name
            assert f"`{name}`" in md
        assert "| `metric` | VARCHAR | dim_metric code. |" in md
        aliases = next(r for r in rows if r["name"] == "dim_metric" and r["column_name"] == "aliases")
        assert aliases["data_type"] == ("VARCHAR[] as JSON" if fmt == "csv" else "VARCHAR[]")
        assert "File: `v_agency_year." + fmt + "`" in md


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
