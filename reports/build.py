"""Write the report: pick the agencies (all, one by name, or those of a region code prefix), query their data,
render their charts and write `agency-<id>.html` per agency and `index.html` into the output folder.

Incremental (a report of every agency, `ogi report` and the `html_report` asset): `report-state.json` beside the
pages records, per agency, the fingerprint of the data its page was rendered from (data.FINGERPRINTS_SQL) and the
size and modification time of the file written, under a key of everything else a page depends on (this package's
code, the views' SQL, the metric and applicant labels, vl-convert's version). An agency is rendered again only when
its fingerprint, the key or its file changed; pages of agencies no longer in the warehouse are deleted; the index is
written again when any of that changed. A report of some agencies (`--agency`, `--region`) renders them all and
keeps no state.

Rendering costs about 0.4–0.6 s of CPU per agency (six charts through vl-convert's embedded Vega, 60–240 ms each;
measured per run: `Update.page_seconds`); a chart spec met again (the same figures: charts do not name the agency)
is rendered once per update (once per process, and the pool's workers share what they drew through a folder in the
output, removed at the end). Many pages go to a forkserver process pool (`workers`), and a run can be capped
(`max_pages`, and `max_seconds` of rendering after which no page is started): the agencies left are `pending`,
named in the index (no link yet, or a page of an earlier state) and rendered by the next runs, missing pages first,
then in the index's order. The rows of the agencies to render are read with each view computed once
(data.staged): the views cannot be read for one agency without computing them for all.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from reports import INDEX, STATE, agency_file, charts, data, pages
from reports.render import VEGA_LITE, svg

STATE_VERSION = 1
BATCH = 250  # agencies whose rows are read at once from the staged views (2,000 held ~400 MB of rows at 100,000 reports)
TASK = 8  # agencies per task of a worker
CHARTS = ".charts-"  # prefix of the folder where an update's worker processes share the charts they drew
POOL_MIN_PAGES = 32  # fewer render in process: a pool costs 2–3 s to start (each worker warms its own Vega), a page 0.3–0.6 s


class ReportError(ValueError):
    """The report cannot be written (no warehouse, no matching agency); the message says why."""


@dataclass
class Written:
    """What `build_report` wrote: the index, every agency page of the report, and how many were rendered now."""

    index: Path
    pages: list[Path]
    rendered: int = 0


@dataclass
class Update:
    """What `update_report` did."""

    index: Path
    agencies: int  # agencies of the report (each with a page, or one pending)
    rendered: int  # pages rendered by this update
    unchanged: int  # pages kept: their agency's data, the key and the file are as recorded
    pending: int  # pages still to render (beyond max_pages): missing or of an earlier state; named in the index
    removed: int  # pages of agencies no longer in the warehouse, deleted
    index_written: bool
    workers: int
    max_pages: int | None
    max_seconds: float | None
    seconds: float  # the whole update
    fingerprint_seconds: float  # the fingerprints and the key: all a run that finds nothing changed costs
    query_seconds: float  # reading the rendered agencies' rows and the index's
    render_seconds: float  # rendering and writing the pages (wall)
    page_seconds: float | None  # rendering and writing one page, measured (worker time / pages rendered)
    agency_ids: list[str] = field(default_factory=list)  # the agencies of the report


@functools.lru_cache(maxsize=1024)  # an SVG is 5–60 KB
def _svg_of(spec: str, shared: str | None = None) -> str:
    """The SVG of a spec (canonical JSON), rendered in this process or taken from `shared`: a folder the processes
    of one update share (`CHARTS`), where each spec's SVG is written once, atomically, by whichever drew it first."""
    if shared is None:
        return svg(json.loads(spec))
    path = Path(shared) / f"{hashlib.sha256(spec.encode()).hexdigest()}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        pass
    markup = svg(json.loads(spec))
    _write(path, markup)
    return markup


def _draw(spec: dict | None, shared: str | None = None) -> str | None:
    """The chart's SVG; the same spec (same figures: charts do not name the agency) is rendered once per process,
    and once per update when its processes share a folder (`shared`)."""
    return _svg_of(json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str), shared) if spec else None


def agency_charts(agency: data.AgencyData, shared: str | None = None) -> dict[str, str | None]:
    years = agency["years"]
    return {
        "requests": _draw(charts.requests_chart(years, agency["applicants"]), shared),
        "outcomes": _draw(charts.outcomes_chart(years), shared),
        "refusals": _draw(charts.refusals_chart(agency["refusals"], years), shared),
        "review": _draw(charts.review_chart(years), shared),
        "scorecard": _draw(charts.scorecard_chart(agency["scorecard"]), shared),
        "ledger": _draw(charts.ledger_chart(agency["ledger"]), shared),
    }


def _write(path: Path, text: str) -> dict[str, int]:
    """Write atomically (a reader never sees half a page; processes writing the same file each use their own
    temporary one); the file's size and mtime_ns as the state records them."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return _stat(path) or {}


def _stat(path: Path) -> dict[str, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def render_pages(out: str, agencies: list[data.AgencyData], shared: str | None = None,
                 ) -> list[tuple[str, dict[str, int], float]]:  # fmt: skip
    """Render and write each agency's page into `out`: (agency_id, file stat, seconds) per agency; `shared`: the
    update's chart folder (`_svg_of`). Runs in the worker processes too (no Dagster, no DuckDB: the rows come with
    the task)."""
    done = []
    for agency in agencies:
        started = time.perf_counter()
        agency_id = agency.agency["agency_id"]
        stat = _write(Path(out) / agency_file(agency_id), pages.agency_page(agency, agency_charts(agency, shared)))
        done.append((agency_id, stat, time.perf_counter() - started))
    return done


def auto_workers(pages_to_render: int, cores: int | None = None) -> int:
    """Every core when the pages are worth a pool's start (POOL_MIN_PAGES), else 1 (in process)."""
    return (cores or os.cpu_count() or 1) if pages_to_render >= POOL_MIN_PAGES else 1


def _rendered(out: Path, work: Iterator[list[data.AgencyData]], workers: int,
              ) -> Iterator[tuple[str, dict[str, int], float]]:  # fmt: skip
    """Every page of `work` rendered: in process, or over a forkserver pool with at most 2 tasks per worker in
    flight (Dagster runs threads: forking its process is unsafe) whose workers share the charts they draw through
    a folder (`CHARTS` in `out`, removed at the end: at 100,000 generated reports 49,331 charts were 438 specs, and
    each worker drew each of them)."""
    if workers <= 1:
        for task in work:
            yield from render_pages(str(out), task)
        return
    shared = tempfile.mkdtemp(prefix=CHARTS, dir=out)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reports.build"])
    pending: list[Future] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for task in work:
                pending.append(pool.submit(render_pages, str(out), task, shared))
                if len(pending) >= 2 * workers:
                    yield from pending.pop(0).result()
            for future in pending:
                yield from future.result()
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def render_key(con: duckdb.DuckDBPyConnection) -> str:
    """Everything a page depends on besides its agency's rows: this package's code, the views' SQL, the labels of
    metrics and applicants, the chart renderer's versions, the state's format."""
    import vl_convert

    import warehouse

    digest = hashlib.sha256(f"{STATE_VERSION}|{VEGA_LITE}|{vl_convert.__version__}|".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for name, sql in sorted(warehouse.views().items()):
        digest.update(f"{name}\0{sql}".encode())
    digest.update(data.labels_fingerprint(con).encode())
    return digest.hexdigest()


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else {}


def _save_state(path: Path, state: dict[str, Any]) -> None:
    _write(path, json.dumps(state, separators=(",", ":"), sort_keys=True))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def update_report(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    source: str,
    agency: str | None = None,
    region: str | None = None,
    max_pages: int | None = None,
    max_seconds: float | None = None,
    workers: int = 0,
    allow_empty: bool = False,
    log: Callable[[str], None] | None = None,
) -> Update:
    """Bring the report in `out` up to date with the warehouse behind `con` (its views created): see the module's
    docstring. `source` names the warehouse on the index; `agency`/`region` make a report of some agencies (all
    rendered, no state); `max_pages` caps the pages rendered by this call, `max_seconds` the time spent rendering
    them (no new page is started after it; None: no cap); `workers` 0 = auto_workers."""
    say = log or (lambda _message: None)
    started = time.perf_counter()
    subset = agency is not None or region is not None
    key = render_key(con)
    prints = data.fingerprints(con)
    state_path = out / STATE
    state = {} if subset else _load_state(state_path)
    fingerprint_seconds = time.perf_counter() - started

    query_started = time.perf_counter()
    rows: list[data.Row] | None = None
    if subset:
        rows = data.agencies(con, agency=agency, region=region)
        ids = [r["agency_id"] for r in rows]
    else:
        ids = list(prints)
    if not ids and not allow_empty:
        what = f"named {agency!r}" if agency else f"in region {region!r}" if region else "with reports"
        raise ReportError(f"no agency {what} in {source}")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f"{CHARTS}*"):  # the shared charts of an update that was killed
        shutil.rmtree(stale, ignore_errors=True)
    same_key = state.get("key") == key
    recorded: dict[str, dict[str, Any]] = state.get("pages", {}) if same_key else {}
    files = {a: _stat(out / agency_file(a)) for a in ids}
    stale = [a for a in ids if files[a] is None or recorded.get(a) != {"fingerprint": prints.get(a), **files[a]}]
    gone = [] if subset else sorted(set(state.get("pages", {})) - set(prints))
    for agency_id in gone:  # pages of agencies no longer in the warehouse
        (out / agency_file(agency_id)).unlink(missing_ok=True)
    pages_state = {a: recorded[a] for a in ids if a in recorded and a not in stale}
    index_file = out / INDEX
    recorded_index = state.get("index") if same_key else None

    def index_print(pending: dict[str, str]) -> str:
        entries = [(a, prints.get(a), pending.get(a)) for a in ids]
        return hashlib.sha256(json.dumps([key, source, agency, region, entries]).encode()).hexdigest()

    if not stale and not gone and recorded_index == {"fingerprint": index_print({}), **(_stat(index_file) or {})}:
        # nothing changed: no agency's rows, no page, not the index (the fingerprints are all this costs)
        say(f"report: {len(ids)} agency page(s), none changed since they were rendered")
        return Update(index_file, len(ids), 0, len(ids), 0, 0, False, 0, max_pages, max_seconds,
                      time.perf_counter() - started, fingerprint_seconds, time.perf_counter() - query_started, 0.0,
                      None, ids)  # fmt: skip

    if rows is None:
        rows = data.agencies(con)
    order = {r["agency_id"]: i for i, r in enumerate(rows)}
    stale.sort(key=lambda a: (files[a] is not None, order.get(a, len(order)), a))  # missing pages first
    todo = stale if max_pages is None else stale[:max(max_pages, 0)]
    by_id = {r["agency_id"]: r for r in rows}
    workers = workers if workers > 0 else auto_workers(len(todo))
    say(f"report: {len(ids)} agencies, {len(stale)} page(s) to render ({len(ids) - len(stale)} unchanged"
        f"{f', {len(gone)} removed' if gone else ''}), up to {len(todo)} now with {workers} worker(s)"
        f"{f' within {max_seconds:g} s' if max_seconds else ''}")  # fmt: skip
    query_seconds = time.perf_counter() - query_started
    render_seconds = worker_seconds = 0.0
    done: set[str] = set()
    if todo:
        query_started = time.perf_counter()
        with data.staged(con, todo) as read:
            query_seconds += time.perf_counter() - query_started
            render_started = time.perf_counter()
            deadline = render_started + max_seconds if max_seconds else None

            def tasks() -> Iterator[list[data.AgencyData]]:
                nonlocal query_seconds
                for batch in _chunks(todo, BATCH):
                    read_started = time.perf_counter()
                    agencies = read([by_id[a] for a in batch])
                    query_seconds += time.perf_counter() - read_started
                    for task in _chunks(agencies, TASK):
                        if deadline is not None and time.perf_counter() > deadline:
                            return  # the time cap: the pages left are pending
                        yield list(task)

            for agency_id, stat, seconds in _rendered(out, tasks(), workers):
                pages_state[agency_id] = {"fingerprint": prints.get(agency_id), **stat}
                worker_seconds += seconds
                done.add(agency_id)
                if len(done) % 500 == 0:
                    say(f"report: {len(done)} of {len(todo)} page(s) rendered")
                    if not subset:  # a run stopped later keeps what it did
                        _save_state(state_path, {"version": STATE_VERSION, "key": key, "pages": pages_state})
            render_seconds = time.perf_counter() - render_started

    pending = {a: "outdated" if files[a] is not None else "missing" for a in stale if a not in done}
    fingerprint = index_print(pending)
    written = recorded_index != {"fingerprint": fingerprint, **(_stat(index_file) or {})}
    if written:
        ranking = _draw(charts.ranking_chart(rows))
        note = f", agency {agency}" if agency else f", region {region}*" if region else ""
        index_stat = _write(index_file, pages.index_page(rows, ranking, source=source, scope_note=note,
                                                          pending=pending, max_pages=max_pages,
                                                          max_seconds=max_seconds))  # fmt: skip
    else:
        index_stat = _stat(index_file) or {}
    if not subset:
        _save_state(state_path, {"version": STATE_VERSION, "key": key, "pages": pages_state,
                                 "index": {"fingerprint": fingerprint, **index_stat}})  # fmt: skip
    rendered = len(done)
    say(f"report: {rendered} page(s) rendered in {render_seconds:.1f} s"
        + (f" ({worker_seconds / rendered:.3f} s of a worker a page)" if rendered else "")
        + (f"; {len(pending)} pending for the next runs" if pending else ""))  # fmt: skip
    return Update(
        index_file, len(ids), rendered, len(ids) - len(stale), len(pending), len(gone), written, workers, max_pages,
        max_seconds, time.perf_counter() - started, fingerprint_seconds, query_seconds, render_seconds,
        worker_seconds / rendered if rendered else None, ids,
    )  # fmt: skip


def build_report(database: Path, out: Path, *, agency: str | None = None, region: str | None = None,
                 workers: int = 0) -> Written:  # fmt: skip
    """`ogi report`: the report of every agency (incremental, as the `html_report` asset writes it) or of some."""
    if not Path(database).is_file():
        raise ReportError(f"warehouse {database} not found (build it with `ogi demo` or `ogi run`)")
    with data.connect(str(database)) as con:
        done = update_report(con, out, source=Path(database).name, agency=agency, region=region, workers=workers)
    return Written(done.index, [out / agency_file(a) for a in done.agency_ids], done.rendered)
