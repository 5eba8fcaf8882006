"""Resources: the DuckDB warehouse file and the crawl configuration.

Paths are resolved when a run uses them, never at import: an empty setting falls back to the environment
(`OGI_WAREHOUSE`, `OGI_DATA_DIR`, `OGI_SITES`) and then to the defaults `warehouse/ogi.duckdb`, `data` and
`sites.json` under the current directory.
"""

import functools
import hashlib
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import polars as pl

import warehouse
from crawler.archive import Archive
from etl.frames import crawl_frames, raw_page_frame

DEFAULT_WAREHOUSE = Path("warehouse") / "ogi.duckdb"
DEFAULT_DATA_DIR = Path("data")
DEFAULT_SITES = Path("sites.json")  # what `ogi sites add` writes and `ogi run` reads by default
SITES_SNAPSHOT = "sites.json"
DEMO = "demo"
# The demo portal listens on any free port (or a configured one), but the crawl names it by one base URL whatever
# the port: its requests go to this host through the portal as their HTTP proxy, so the archive and the warehouse
# record `http://demo-portal.invalid/...` and a rerun on another port finds the same reports, not new URLs (and
# the earlier ones "removed"). `.invalid` never resolves (RFC 6761): nothing else can ever answer for it.
DEMO_BASE = "http://demo-portal.invalid"
DEMO_PORT = 0
DUCKDB_MEMORY_LIMIT = "384MB"  # the swap of 100,000 reports' 13 million fact rows sorts in it (256 MB: out of memory)
# Where a staged load appends before its swap: Parquet files in `<warehouse file>.staging/<table>/` (Warehouse.stage).
# STAGING is the schema earlier versions staged in, dropped by `stage` and `unstage` when a run of theirs left it.
STAGING = "staging"
STAGING_SUFFIX = ".staging"
STAGING_COMPRESSION = "lz4"  # the files live one run: the cheapest codec to write and read
# Bookkeeping of the pipeline itself (not warehouse data: not in warehouse/schema.sql, never exported).
STATE_SCHEMA = "pipeline"  # not "ogi": the catalog of ogi.duckdb has that name
PARSE_STATE_TABLE = "parse_state"
LOAD_STATE = f"{STATE_SCHEMA}.load_state"  # how far each table has loaded its append-only source
MANIFEST_BATCH = 20_000  # manifest rows per bulk insert (bounded memory whatever the archive's size)
HISTORY_BATCH = 50_000  # run-log lines per bulk insert

# DuckDB allows one process to hold the file; another process (a CLI, a notebook, a concurrent run) makes
# connect() fail with "Could not set lock". Wait for it a bounded time instead of failing at once.
_LOCK_RETRY_DELAYS = (0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises (anything, a kill included)."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Bulk-insert `frame` into `table` by column name (an Arrow scan, never row by row)."""
    con.register("_frame", frame)
    try:
        con.execute(f"insert into {table} by name select * from _frame")  # noqa: S608 (names from DDL)
    finally:
        con.unregister("_frame")


def _tables(con: duckdb.DuckDBPyConnection, schema: str = "main") -> set[str]:
    """The names of the tables in `schema`."""
    return {row[0] for row in con.execute(
        "select table_name from duckdb_tables() where schema_name = $1", [schema]).fetchall()}  # fmt: skip


@dataclass(frozen=True)
class ParseState:
    """What `parsed_reports` built the report tables from, recorded with them (`swap_staged`): one row per report
    page (url, sha256, site, parse_key = parsing.cache_key, parser_version). `urls`: the URLs whose earlier rows
    this replaces (None = every row)."""

    rows: pl.DataFrame
    urls: Sequence[str] | None


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file. Each use opens a connection and closes it as soon as the work is done."""

    path: str = ""  # "" = $OGI_WAREHOUSE, else warehouse/ogi.duckdb under the current directory
    # DuckDB's memory for one connection (its default is 80 % of the machine's RAM, kept as cache): bounded, so a
    # run's memory does not grow with the warehouse; sorts and joins past it spill to `<file>.tmp/`.
    memory_limit: str = DUCKDB_MEMORY_LIMIT

    def database(self) -> Path:
        return Path(self.path or os.environ.get("OGI_WAREHOUSE") or DEFAULT_WAREHOUSE)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, closed when the block ends."""
        con = _connect_when_unlocked(self.database(), {"memory_limit": self.memory_limit or DUCKDB_MEMORY_LIMIT})
        try:
            yield con
        finally:
            con.close()

    def replace_tables(self, frames: Mapping[str, pl.DataFrame]) -> dict[str, int]:
        """Recreate each table from its DDL and bulk-insert the frame by column name, in one transaction. When every
        table holds its frame already, nothing is written: each table's mark, recorded when it was written, is the
        frame's (its DDL, columns, types and rows) and the table's own fingerprint then, and both still match.

        Returns the row count of every table.
        """
        marks = {table: _frame_mark(table, frame) for table, frame in frames.items()}
        with self.connect() as con:
            if all(self.load_mark(con, f"table:{table}") == f"{mark}:{self.fingerprint(con, {table: ''})}"
                   for table, mark in marks.items()):  # fmt: skip
                return {table: frame.height for table, frame in frames.items()}
        return self._load(frames, keep_other_reports=False, marks=marks)

    def replace_report_rows(self, frames: Mapping[str, pl.DataFrame]) -> dict[str, int]:
        """Replace the rows of the reports in `frames["dim_report"]` and `frames["non_report_page"]` in every table of
        `frames` (the tables keyed by report_id), in one transaction; other reports' rows stay (a page that turned
        from a report into a not-report, or back, loses its old rows). Returns the rows written."""
        return self._load(frames, keep_other_reports=True)

    def _load(self, frames: Mapping[str, pl.DataFrame], *, keep_other_reports: bool,
              marks: Mapping[str, str] | None = None) -> dict[str, int]:  # fmt: skip
        """Bulk-insert each frame by column name into its table, in one transaction. The table is recreated from its
        DDL, except with `keep_other_reports` where an existing table only loses the rows of the frames' reports."""
        counts: dict[str, int] = {}
        with self.connect() as con:
            present = _tables(con)
            if keep_other_reports:  # the reports of the frames: documents read as reports or as not reports
                ids = [frames[t].select("report_id") for t in ("dim_report", "non_report_page") if t in frames]
                con.register("_reports", pl.concat(ids).unique())
            with transaction(con):
                for table, frame in frames.items():
                    if keep_other_reports and table in present:
                        con.execute(f"delete from {table} where report_id in (select report_id from _reports)")  # noqa: S608
                    else:
                        con.execute(warehouse.ddl(table))
                    _insert_frame(con, table, frame)
                    counts[table] = frame.height
                    if marks is not None:
                        self.set_load_mark(con, f"table:{table}", f"{marks[table]}:{self.fingerprint(con, {table: ''})}")
            con.execute("checkpoint")
        return counts

    # --- staged loads: many bulk appends, then one swap ----------------------------------------------------------
    # The appends write Parquet files beside the warehouse file, not DuckDB tables: an insert into a DuckDB table
    # compresses and writes its row groups (and the swap reads, sorts and compresses them again), and that was about
    # three quarters of the parse step's own CPU in its process at 10,000 reports (appends 6.7-8.0 s CPU for 2.6M fact
    # and cell rows, against about 1 s to write them as Parquet); the staged tables also left the warehouse file a
    # third larger after their drop. The swap reads the files with read_parquet, in parallel, in its one transaction.

    def staging_path(self) -> Path:
        """The staging directory of this warehouse: `<warehouse file>.staging/`, one folder per staged table."""
        db = self.database()
        return db.with_name(db.name + STAGING_SUFFIX)

    def stage(self, tables: Iterable[str]) -> None:
        """Empty staging folders (`staging_path()/<table>/`) for `append_staged`; what a crashed run left there is
        removed. The warehouse's own tables are not touched until `swap_staged`."""
        self.unstage()
        root = self.staging_path()
        for table in tables:
            warehouse.ddl(table)  # a table the warehouse has (KeyError otherwise, as the staged tables did)
            (root / table).mkdir(parents=True)

    @contextmanager
    def staging(self, tables: Iterable[str]) -> Iterator[Callable[[Mapping[str, pl.DataFrame]], None]]:
        """`stage(tables)`, then an `append_staged` for the block. The block holds a connection, as the appends into
        staged tables did: the file stays locked against other writers until the swap."""
        self.stage(tables)
        with self.connect():
            yield self.append_staged

    def unstage(self) -> None:
        """Remove what a run that died before its swap staged (nothing of the warehouse's own)."""
        shutil.rmtree(self.staging_path(), ignore_errors=True)
        with self.connect() as con:
            con.execute(f"drop schema if exists {STAGING} cascade")  # an earlier version's staged tables

    def append_staged(self, frames: Mapping[str, pl.DataFrame]) -> None:
        """Write each frame as the next Parquet file of its staged table (columns by name, as the swap inserts them)."""
        root = self.staging_path()
        for table, frame in frames.items():
            folder = root / table
            if not folder.is_dir():
                raise KeyError(f"{table} is not staged")
            if frame.height:  # files named in order of their appends: 000000.parquet, 000001.parquet, ...
                name = f"{sum(1 for _ in folder.iterdir()):06d}.parquet"
                frame.write_parquet(folder / name, compression=STAGING_COMPRESSION, statistics=False)

    def _staged_files(self, table: str) -> list[str]:
        return [str(p) for p in sorted((self.staging_path() / table).glob("*.parquet"))]

    def swap_staged(
        self, order: Mapping[str, Sequence[str]], *, keep_other_reports: bool, drop_urls: Sequence[str] = (),
        state: ParseState | None = None,
    ) -> dict[str, int]:  # fmt: skip
        """Move every staged table of `order` into the warehouse in one transaction, rows sorted by its columns in
        `order` (nulls first), then remove the staged files. Like `replace_tables` (each table recreated from its
        DDL), or with `keep_other_reports` like `replace_report_rows` (only the staged reports' rows replaced: those
        of staged `dim_report` and `non_report_page`, and every row of the reports at `drop_urls`). `state`: the
        parse state to record in the same transaction (`ParseState`). A run that dies before this leaves the
        warehouse as it was. Returns the rows moved per table."""
        counts: dict[str, int] = {}
        files = {table: self._staged_files(table) for table in order}
        with self.connect() as con:
            present = _tables(con)
            with transaction(con):
                if keep_other_reports:
                    con.execute("create temp table _reports (report_id varchar)")
                    for table in ("dim_report", "non_report_page"):
                        if files.get(table):
                            con.execute(f"insert into _reports select report_id from read_parquet({files[table]!r})")  # noqa: S608
                    if drop_urls and {"dim_report", "non_report_page"} <= present:
                        con.register("_drop", pl.DataFrame({"url": list(drop_urls)}, schema={"url": pl.String}))
                        con.execute(
                            "insert into _reports select report_id from main.dim_report where url in (select url from _drop) "
                            "union select report_id from main.non_report_page where url in (select url from _drop)"
                        )
                        con.unregister("_drop")
                for table, columns in order.items():
                    if keep_other_reports and table in present:
                        con.execute(f"delete from main.{table} where report_id in (select report_id from _reports)")  # noqa: S608
                    else:
                        con.execute(warehouse.ddl(table))
                    counts[table] = 0
                    if files[table]:
                        keys = ", ".join(f"{c} nulls first" for c in columns)
                        counts[table] = con.execute(
                            f"insert into main.{table} by name select * from read_parquet({files[table]!r}) "  # noqa: S608
                            f"order by {keys}"
                        ).fetchone()[0]
                if keep_other_reports:
                    con.execute("drop table _reports")
                con.execute(f"drop schema if exists {STAGING} cascade")  # an earlier version's staged tables
                if state is not None:
                    _record_parse_state(con, state)
            con.execute("checkpoint")
        shutil.rmtree(self.staging_path(), ignore_errors=True)  # nothing staged is left: the warehouse shows no trace
        return counts

    def load_raw_pages(self, archive: Archive, batch: int = MANIFEST_BATCH) -> tuple[int, int]:
        """Load the archive's manifest rows added since the last load into `raw_page` (one row per (url, sha256),
        its first fetch), in batches of `batch` rows, in one transaction with the position reached
        (`pipeline.load_state`). A manifest other than the one loaded before (another archive, or one rewritten)
        loads the table afresh. Returns (rows added, rows in the table)."""
        source = str(archive.manifest_path.resolve())
        head = _first_line_hash(archive.manifest_path)
        added = 0
        with self.connect() as con:
            present = _tables(con)
            _ensure_load_state(con)
            known = con.execute(f"select source, head, position from {LOAD_STATE} where name = 'raw_page'").fetchone()  # noqa: S608
            size = archive.manifest_path.stat().st_size if archive.manifest_path.exists() else 0
            fresh = "raw_page" not in present or known is None or known[:2] != (source, head) or known[2] > size
            start = 0 if fresh else int(known[2])
            with transaction(con):
                if fresh:
                    con.execute(warehouse.ddl("raw_page"))
                position, rows = start, []

                def flush() -> None:
                    nonlocal added
                    con.register("_frame", raw_page_frame(rows))
                    try:
                        added += con.execute(
                            "insert into raw_page by name select * from _frame as f where not exists "
                            "(select 1 from raw_page as r where r.url = f.url and r.sha256 = f.sha256)"
                        ).fetchone()[0]
                    finally:
                        con.unregister("_frame")
                    rows.clear()

                for row, position in archive.manifest_from(start):
                    rows.append(row)
                    if len(rows) >= batch:
                        flush()
                if rows:
                    flush()
                _set_load_state(con, "raw_page", source, head, position)
            total = con.execute("select count(*) from raw_page").fetchone()[0]
        return added, total

    def load_crawl_history(self, archive: Archive, batch_size: int = HISTORY_BATCH) -> tuple[int, dict[str, int]]:
        """`crawl_run` and `crawl_seen` from the archive's run logs (etl.frames.crawl_frames), one run at a time: a
        run loaded before with the same end (finish time and reason) is not read again; a new run, or one that ended
        since, replaces its rows. Tables holding a run the archive does not have (another archive) load afresh. A
        run's lines are read and inserted `batch_size` at a time. Returns (runs read, rows per table).

        In the same transaction the crawl state v_removed_report reads (`crawl_site_run`, `crawl_url_state`) takes
        in the runs read: folded in (`fold_crawl_state`, reading only their rows) when every one of them is later
        than every run folded before; recomputed from the whole history (`rebuild_crawl_state`) when the fold cannot
        be exact: the tables were recreated, the state is missing or was not folded from these tables, a run
        folded before was replaced (a fold cannot be undone), or a new run is not later than one folded before."""
        summaries = archive.run_summaries()
        read = 0
        with self.connect() as con:
            loaded: dict[str, tuple[Any, ...]] = {}
            if {"crawl_run", "crawl_seen"} <= _tables(con):
                loaded = {row[0]: tuple(row[1:]) for row in con.execute(
                    "select run_id, any_value(finished_at), any_value(finish_reason) from crawl_run group by run_id"
                ).fetchall()}  # fmt: skip
            with transaction(con):
                fresh = not loaded.keys() <= {s["run_id"] for s in summaries} or not loaded
                if fresh:
                    con.execute(warehouse.ddl("crawl_run"))
                    con.execute(warehouse.ddl("crawl_seen"))
                    loaded = {}
                folded = _crawl_state_folded(con)  # the latest run folded, None when the state must be recomputed
                exact = folded is not None and not fresh  # tables recreated: their state is recomputed
                for summary in summaries:
                    run_id = str(summary["run_id"])
                    run = crawl_frames([summary | {"seen": []}]).crawl_run
                    end = run.select("finished_at", "finish_reason")
                    if run_id in loaded and end.height and tuple(end.row(0)) == loaded[run_id]:
                        continue
                    for table in ("crawl_run", "crawl_seen"):
                        if con.execute(f"delete from {table} where run_id = $1", [run_id]).fetchone()[0]:  # noqa: S608
                            exact = False  # a run folded before is replaced: what it folded in cannot be taken out
                    if folded is not None and run_id <= folded:
                        exact = False  # not later than a run folded before: it would be folded out of order
                    _insert_frame(con, "crawl_run", run)
                    lines = archive.iter_run(run_id)
                    while batch := list(itertools.islice(lines, batch_size)):  # a run's lines in bounded pieces
                        seen = crawl_frames([summary | {"seen": batch}]).crawl_seen
                        con.register("_frame", seen)  # the first line of a URL the run logged twice is kept
                        try:  # the run's own rows only (a constant filter: older runs' row groups are skipped)
                            con.execute(
                                "insert into crawl_seen by name select * from _frame as f where not exists "
                                "(select 1 from crawl_seen as s where s.run_id = $1 and s.run_id = f.run_id "
                                "and s.url = f.url)", [run_id],
                            )  # fmt: skip
                        finally:
                            con.unregister("_frame")
                    read += 1
                if folded is None or not exact:
                    rebuild_crawl_state(con)
                elif read:
                    fold_crawl_state(con, folded)
            counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("crawl_run", "crawl_seen")}  # noqa: S608
        return read, counts

    @staticmethod
    def load_mark(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
        """The mark `set_load_mark` left for `name` (e.g. the fingerprint of a step's inputs), or None."""
        if "load_state" not in _tables(con, STATE_SCHEMA):
            return None
        row = con.execute(f"select head from {LOAD_STATE} where name = $1", [name]).fetchone()  # noqa: S608
        return None if row is None else row[0]

    @staticmethod
    def set_load_mark(con: duckdb.DuckDBPyConnection, name: str, mark: str) -> None:
        """Record `mark` for `name` (inside the caller's transaction, with what it marks)."""
        _set_load_state(con, name, None, mark, None)

    def parse_state(self) -> pl.DataFrame | None:
        """The parse state (`ParseState.rows`: what the report tables were last built from), or None if none was
        recorded (a warehouse built before it, never parsed) or the report tables are missing."""
        with self.connect() as con:
            if PARSE_STATE_TABLE not in _tables(con, STATE_SCHEMA) or not {"dim_report", "non_report_page"} <= _tables(con):
                return None
            return con.sql(f"select * from {STATE_SCHEMA}.{PARSE_STATE_TABLE}").pl()  # noqa: S608

    def create_views(self) -> list[str]:
        """(Re)create every view of warehouse/views, unless they are all there and neither their SQL nor the columns
        of a table changed since they were created here (DuckDB binds a view when it is created); returns their
        names."""
        views = warehouse.views()
        with self.connect() as con:
            columns = con.execute("select table_name, column_name, data_type from duckdb_columns() where schema_name = "
                                  "'main' and table_name in (select table_name from duckdb_tables() where schema_name = "
                                  "'main') order by all").fetchall()  # fmt: skip
            mark = hashlib.sha256(repr((sorted(views.items()), columns)).encode()).hexdigest()
            present = {row[0] for row in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
            if views.keys() <= present and self.load_mark(con, "views") == mark:
                return list(views)
            with transaction(con):
                tables = _tables(con)
                if {"crawl_run", "crawl_seen"} <= tables and not set(CRAWL_STATE) <= tables:
                    rebuild_crawl_state(con)  # a warehouse loaded before the crawl state (v_removed_report reads it)
                for sql in views.values():
                    con.execute(sql)
                self.set_load_mark(con, "views", mark)
        return list(views)

    @staticmethod
    def fingerprint(con: duckdb.DuckDBPyConnection, tables: Mapping[str, str], *extra: Any) -> str:
        """What some tables hold, as one value: per table (name -> a WHERE clause, or "") its row count and the
        order-independent sum of its row hashes, and `extra` (e.g. the SQL that reads them). A table that is
        missing counts as missing."""
        present = _tables(con)
        parts = [
            con.execute(f"select count(*), sum(hash(t)::hugeint) from {table} as t {where}").fetchone()  # noqa: S608
            if table in present else None
            for table, where in sorted(tables.items())
        ]  # fmt: skip
        return hashlib.sha256(repr((parts, extra)).encode()).hexdigest()

    def query(self, sql: str, params: list[Any] | Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run one query and fetch the result as a Polars frame."""
        with self.connect() as con:
            return con.sql(sql, params=params).pl()


CRAWL_STATE = ("crawl_site_run", "crawl_url_state")  # what v_removed_report reads of the crawl history


def fold_crawl_state(con: duckdb.DuckDBPyConnection, after: str) -> None:
    """Fold the crawl runs with run_id > `after` (their crawl_seen and crawl_run rows) into the crawl state
    (`CRAWL_STATE`), set-based, one statement per table (warehouse/queries/crawl_*_fold.sql). Exact only when
    `after` is the latest run folded before and the state was folded from every row of crawl_seen and crawl_run
    up to it, unchanged since (`load_crawl_history` checks that, else `rebuild_crawl_state`)."""
    con.execute(warehouse.query("crawl_site_run_fold"), {"after": after})
    con.execute(warehouse.query("crawl_url_state_fold"), {"after": after})


def rebuild_crawl_state(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the crawl state from the whole of crawl_seen and crawl_run: its tables recreated from their DDL,
    then every run folded in at once, by the same statements as `fold_crawl_state` (folding after ''). For when a
    fold cannot be exact: a run replaced or loaded out of order, a list request's outcome changed
    (mark_not_reports), the history tables recreated or written by other means."""
    for table in CRAWL_STATE:
        con.execute(warehouse.ddl(table))
    fold_crawl_state(con, "")


def mark_not_reports(con: duckdb.DuckDBPyConnection) -> None:
    """Mark not_report the requests whose archived answer the parser judged not a report
    (warehouse/queries/mark_not_reports.sql), in one transaction with the crawl state v_removed_report reads: a list
    request so marked counts as failed, its runs no longer evidence, so the state is then recomputed from the history
    (`rebuild_crawl_state`); a report request's mark changes nothing of the state."""
    with transaction(con):
        kinds = con.execute(warehouse.query("mark_not_reports")).fetchall()
        if ("list",) in kinds:
            rebuild_crawl_state(con)


def _crawl_state_folded(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest run folded into the crawl state ('' for none), or None when the state is missing or was not
    folded from the crawl history as it stands: its requests do not add up to crawl_seen's rows, or its site x
    runs with a crawl_run row are not crawl_run's."""
    if not {"crawl_run", "crawl_seen", *CRAWL_STATE} <= _tables(con):
        return None
    row = con.execute(
        "select (select coalesce(sum(requests), 0) from crawl_site_run) = (select count(*) from crawl_seen) "
        "and (select count(*) from crawl_site_run where complete is not null) "
        "= (select count(*) from (select distinct site, run_id from crawl_run)), "
        "(select coalesce(max(run_id), '') from crawl_site_run)"
    ).fetchone()
    return row[1] if row[0] else None


def _frame_mark(table: str, frame: pl.DataFrame) -> str:
    """A table's DDL and a frame's columns, types, height and rows, as one value (replace_tables)."""
    rows = int(frame.hash_rows(seed=0).sum()) if frame.height else 0
    parts = (warehouse.ddl(table), list(frame.schema.items()), frame.height, rows)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _ensure_load_state(con: duckdb.DuckDBPyConnection) -> None:
    """The table of how far each load got (`pipeline.load_state`: name, source, head, position)."""
    con.execute(f"create schema if not exists {STATE_SCHEMA}")
    con.execute(f"create table if not exists {LOAD_STATE} (name varchar, source varchar, head varchar, position bigint)")


def _set_load_state(con: duckdb.DuckDBPyConnection, name: str, source: str | None, head: str | None,
                    position: int | None) -> None:  # fmt: skip
    """Replace `name`'s row of `pipeline.load_state` (inside the caller's transaction, with what it records)."""
    _ensure_load_state(con)
    con.execute(f"delete from {LOAD_STATE} where name = $1", [name])  # noqa: S608
    con.execute(f"insert into {LOAD_STATE} values ($1, $2, $3, $4)", [name, source, head, position])  # noqa: S608


def _first_line_hash(path: Path) -> str | None:
    """SHA-256 of a file's first line (what tells one manifest from another), None if there is none."""
    try:
        with path.open("rb") as f:
            return hashlib.sha256(f.readline()).hexdigest()
    except FileNotFoundError:
        return None


def _record_parse_state(con: duckdb.DuckDBPyConnection, state: ParseState) -> None:
    con.execute(f"create schema if not exists {STATE_SCHEMA}")
    con.execute(
        f"create table if not exists {STATE_SCHEMA}.{PARSE_STATE_TABLE} (url varchar, sha256 varchar, site varchar, "
        "parse_key varchar, parser_version varchar)"
    )
    table = f"{STATE_SCHEMA}.{PARSE_STATE_TABLE}"
    if state.urls is None:
        con.execute(f"delete from {table}")  # noqa: S608
    elif state.urls:
        con.register("_urls", pl.DataFrame({"url": list(state.urls)}, schema={"url": pl.String}))
        con.execute(f"delete from {table} where url in (select url from _urls)")  # noqa: S608
        con.unregister("_urls")
    _insert_frame(con, table, state.rows.select("url", "sha256", "site", "parse_key", "parser_version"))


def _connect_when_unlocked(db: Path, config: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
    """Connect, retrying while another process holds the file lock (about 30 s in all)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    for delay in _LOCK_RETRY_DELAYS:
        try:
            return duckdb.connect(str(db), config=dict(config))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            time.sleep(delay)
    return duckdb.connect(str(db), config=dict(config))


def _read_entries(path: Path) -> list[dict[str, Any]]:
    """The entries of a sites file (a list, or {"sites": [...]})."""
    if not path.is_file():
        raise SitesNotConfigured(
            f"sites file {path} not found: add a site with `ogi sites add URL`, or name a file with "
            "`ogi run --sites FILE` / $OGI_SITES (the demo portal's sites: `ogi demo`)"
        )
    entries = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(entries, Mapping):
        entries = entries.get("sites", [])
    return [dict(e) for e in entries]


def _as_served() -> None:
    """A crawl pass that needs no preparation."""


@dataclass(frozen=True)
class CrawlTarget:
    """Site entries to crawl, the base URL for `{portal}` in them, and the crawl passes: each pass is one crawl
    run, started after its callable has prepared it (for the demo portal: switched it to an epoch)."""

    sites: list[dict[str, Any]]
    portal_url: str | None
    passes: tuple[Callable[[], None], ...]


class SitesNotConfigured(FileNotFoundError):
    """The crawl configuration names no sites file that exists."""


class DemoPortInUse(OSError):
    """The demo portal's configured port is taken (the message says what to do)."""


_PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY")


@contextmanager
def _http_proxy(url: str) -> Iterator[None]:
    """Inside the block, crawls (subprocesses inheriting the environment: Scrapy's HttpProxyMiddleware reads it)
    send their http requests through `url`, none bypassing it; the variables are restored afterwards."""
    saved = {name: os.environ.get(name) for name in _PROXY_VARIABLES}
    os.environ.update({"http_proxy": url, "HTTP_PROXY": url, "no_proxy": "", "NO_PROXY": ""})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class CrawlConfig(dg.ConfigurableResource):
    """What to crawl and where raw data goes.

    `sites` is the path of a sites JSON file (crawler/sites/__init__.py says what an entry holds; "" = $OGI_SITES,
    else ./sites.json, the file `ogi sites add` writes), or "demo": start the demo portal on 127.0.0.1 for the
    duration of the crawl and crawl its sites (only when asked: the schedule crawls the user's sites).
    `portal_url` replaces `{portal}` in a file's URLs.

    `revisit`: request every listed report and attachment again in this run (each site's `revisit` "all",
    crawler/sites; conditionally: unchanged pages answer 304 where the site gives validators). By default a site
    entry's own `revisit` holds, "listed": a report link listed as before is not fetched again, and a run with
    nothing new fetches only list pages. A CMS can change a page in place without touching its list (a
    restatement with corrected figures at the same URL, title and date): schedule an `ogi run --revisit` (e.g.
    weekly) to see those. The demo portal's sites are always crawled with "all": it restates a report in place in
    its epoch 2.
    """

    sites: str = ""
    portal_url: str = ""
    data_dir: str = ""  # "" = $OGI_DATA_DIR, else ./data
    only: list[str] = []  # site names to crawl; [] = every site of the config (or the run's partitions)
    timeout: int = 3600  # seconds for the whole crawl subprocess
    progress: bool = False  # crawl progress lines on stderr (the CLI)
    demo_port: int = DEMO_PORT  # port of the demo portal; 0 = any free port (the URLs recorded are DEMO_BASE's)
    revisit: bool = False  # every site with `revisit` "all" for this run (`ogi run --revisit`; docstring)
    parse_during_crawl: bool = True  # parse new reports into the parse cache while the crawl runs (warming.py)

    def sites_path(self) -> Path:
        """The sites file of this configuration (not for "demo")."""
        return Path(self.sites or os.environ.get("OGI_SITES") or DEFAULT_SITES)

    def site_names(self) -> list[str]:
        """The names of the sites this configuration crawls (the demo's without starting its portal)."""
        if self.sites == DEMO:
            from portal import site_names

            return site_names(corpus="auto")
        return [str(e["name"]) for e in _read_entries(self.sites_path())]

    def data_path(self) -> Path:
        return Path(self.data_dir or os.environ.get("OGI_DATA_DIR") or DEFAULT_DATA_DIR)

    def archive_path(self) -> Path:
        return self.data_path() / "archive"

    @contextmanager
    def crawl_target(self, *, first_crawl: bool = True) -> Iterator[CrawlTarget]:
        """What to crawl; for "demo", the portal runs inside this block.

        A sites file is crawled once (whatever is served). The demo portal is crawled in each of its epochs on the
        first crawl into an archive (`first_crawl`), so the warehouse shows a restated and a removed report; later
        crawls see its latest epoch only, as a real site does not go back in time. The demo's entries have
        `revisit` "all" (its restated report keeps its URL, title and list date); with `revisit` every entry has.
        """
        if self.sites == DEMO:
            from portal import Portal, PortInUse
            from portal.sites import EPOCHS

            try:
                portal = Portal(port=self.demo_port, corpus_dir="auto").start()
            except PortInUse as exc:
                raise DemoPortInUse(str(exc)) from None
            try:
                with _http_proxy(portal.base_url):
                    epochs = EPOCHS if first_crawl else EPOCHS[-1:]
                    passes = tuple(functools.partial(portal.set_epoch, e) for e in epochs)
                    yield CrawlTarget(list(portal.sites_config(base=DEMO_BASE, revisit="all")), DEMO_BASE, passes)
            finally:
                portal.stop()
            return
        entries = _read_entries(self.sites_path())
        if self.revisit:
            entries = [{**entry, "revisit": "all"} for entry in entries]
        yield CrawlTarget(entries, self.portal_url or None, (_as_served,))

    def save_sites(self, entries: list[dict[str, Any]]) -> Path:
        """Merge the crawled site entries into `<data>/sites.json`, which the parse step reads for hints."""
        path = self.data_path() / SITES_SNAPSHOT
        merged = {e["name"]: e for e in self.load_sites()}
        merged.update({str(e["name"]): e for e in entries})
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps([merged[name] for name in sorted(merged)], ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    def load_sites(self) -> list[dict[str, Any]]:
        """The site entries saved by earlier crawls ([] before the first crawl)."""
        path = self.data_path() / SITES_SNAPSHOT
        if not path.is_file():
            return []
        return list(json.loads(path.read_text(encoding="utf-8")))
