"""Scale of the parse step (`parsed_reports`): N reports, first run, no-change re-run, peak RSS, DuckDB size.

Builds an archive of N distinct report bodies without crawling: the demo generator's report articles (and their
attachments), each copy made distinct by a trailing HTML comment (PDF/office bodies by trailing bytes), at its own
URL, spread over sites of 500 reports; loads `raw_page` from its manifest, then materialises `parsed_reports` alone
(Dagster in process), each run in a fresh process: first parse; no-change re-run (the recorded parse state says
nothing changed: nothing read); re-run from cache (the parse state dropped first: every report read back from the
parse cache, framed and loaded again); and with `--compare-workers` a forced re-parse with 1 worker. Prints wall
time, reports/s, CPU seconds of the run (its process, Dagster's own work included, and its children: forkserver and
parsing workers, polled from /proc) per report parsed or read from the cache, peak RSS (the process; the parsing
workers are not measured), the DuckDB file size and the parse cache size.

    python bench/parse_scale.py 2000                 # DIR defaults to a new temporary directory
    python bench/parse_scale.py 10000 --dir /tmp/s10k --workers 2 --chunk-size 500
    python bench/parse_scale.py 2000 --compare-workers
    python bench/parse_scale.py 0 --dir /tmp/copy-of-a-run --existing --workers 2   # an archive and warehouse as they are

`--existing` measures a directory that holds `data/` (archive, sites.json, parse cache) and `ogi.duckdb` with
`raw_page` loaded, e.g. a copy of a kept `bench/e2e.py` run (never the kept run itself: the runs write to it): no
build; a forced re-parse (every report parsed again, cache entries rewritten where they differ), then a re-run from
the cache.

This is not the crawl: `bench/e2e.py` runs crawl + parse + load against a served N-report site.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SITE_SIZE = 500
HOST = "http://bench.invalid"


def build(root: Path, n: int) -> dict[str, object]:
    from crawler.archive import Archive
    from dagster_project.resources import CrawlConfig, Warehouse
    from etl.frames import crawl_frames, raw_page_frame
    from portal.sites import generate

    gen = generate(1)
    archive = Archive(root / "data" / "archive")
    sites_by_name = {s["name"]: s for s in gen.sites}
    reports = gen.reports
    fetched = datetime(2025, 1, 1, tzinfo=UTC).isoformat()
    entries = {}
    for i in range(n):
        r = reports[i % len(reports)]
        site = f"s{i // SITE_SIZE:04d}"
        source = sites_by_name[r["site"]]
        entries.setdefault(site, {"name": site, "start_urls": [f"{HOST}/{site}/"], "agency": source["agency"],
                                  "region": source["region"]})  # fmt: skip
        base = f"{HOST}/{site}/{i}"
        url = base + r["path"]
        for doc in gen.documents[r["path"]]:
            if doc["path"] not in gen.pages:  # a file served by a dynamic endpoint: left out
                continue
            body, ctype = gen.pages[doc["path"]]
            marker = f"\n<!-- copy {i} -->\n".encode() if doc["type"] == "html" else f"\n%copy {i}\n".encode()
            sha = archive.put(body + marker)
            article = doc["path"] == r["path"]
            archive.record({
                "url": url if article else base + doc["path"], "final_url": None, "status": 200,
                "headers": {"Content-Type": ctype}, "fetched_at": fetched, "sha256": sha, "size": len(body),
                "site": site, "kind": "report" if article else "attachment", "title": r["title"] if article else None,
                "list_url": f"{HOST}/{site}/", "list_date": r["published_at"], "parent_url": None if article else url,
            })  # fmt: skip
    crawl = CrawlConfig(data_dir=str(root / "data"))
    crawl.save_sites(list(entries.values()))
    wh = Warehouse(path=str(root / "ogi.duckdb"))
    history = crawl_frames([])
    wh.replace_tables({"raw_page": raw_page_frame(archive.iter_manifest()), **history._asdict()})
    return {"reports": n, "sites": len(entries)}


class _ChildrenCpu:
    """CPU seconds (utime + stime) of this process's descendants (the forkserver and its parsing workers), polled
    from /proc every 0.1 s while running; a process's last value seen is kept when it exits."""

    def __init__(self) -> None:
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> _ChildrenCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def total(self) -> float:
        return sum(self.cpu.values())

    def _poll(self) -> None:
        me, tick = os.getpid(), os.sysconf("SC_CLK_TCK")
        while True:
            stats: dict[int, tuple[int, float]] = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        with open(f"/proc/{entry}/stat", "rb") as f:
                            fields = f.read().rsplit(b")", 1)[1].split()
                    except OSError:
                        continue
                    stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
            for pid, (_, cpu) in stats.items():
                parent = pid
                while parent in stats and parent != me:
                    parent = stats[parent][0]
                if parent == me and pid != me:
                    self.cpu[pid] = cpu
            if self._stop.wait(0.1):
                return


def parse(root: Path, workers: int, chunk: int, reparse: bool, forget: bool = False) -> dict[str, object]:
    import dagster as dg

    from dagster_project.assets import ASSETS
    from dagster_project.resources import PARSE_STATE_TABLE, STATE_SCHEMA, CrawlConfig, Warehouse
    from dagster_project.runs import QUIET

    crawl = CrawlConfig(data_dir=str(root / "data"))
    wh = Warehouse(path=str(root / "ogi.duckdb"))
    if forget:  # without the recorded parse state every report is read back from the parse cache
        with wh.connect() as con:
            con.execute(f"drop table if exists {STATE_SCHEMA}.{PARSE_STATE_TABLE}")
    instance = dg.DagsterInstance.ephemeral()
    config = {**QUIET, "ops": {"parsed_reports": {"config": {"workers": workers, "chunk_size": chunk,
                                                               "reparse": reparse}}}}  # fmt: skip
    start, cpu = time.perf_counter(), time.process_time()
    with _ChildrenCpu() as children:
        result = dg.materialize(ASSETS, selection=["parsed_reports"], resources={"crawl": crawl, "warehouse": wh},
                                instance=instance, run_config=config)  # fmt: skip
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert result.success
    [step] = [s for s in instance.get_run_step_stats(result.run_id) if s.step_key == "parsed_reports"]
    event = next(e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "parsed_reports")
    meta = {k: v.value for k, v in event.materialization.metadata.items()
            if k in ("parsed", "cached", "unchanged", "workers", "batches", "rows_dim_report",
                     "rows_fact_raw_cell")}  # fmt: skip
    return {"wall_s": round(wall, 2), "step_s": round(step.end_time - step.start_time, 2), **meta,
            "cpu_s": round(cpu, 2), "workers_cpu_s": round(children.total(), 2),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}  # fmt: skip


def _size_mb(path: Path) -> float:
    if path.is_file():
        return round(path.stat().st_size / 2**20, 1)
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def _stage(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of reports")
    ap.add_argument("--dir", type=Path, help="work directory (default: a new temporary one, removed at the end)")
    ap.add_argument("--workers", type=int, default=0, help="parsing processes (0 = automatic)")
    ap.add_argument("--chunk-size", type=int, default=500)
    ap.add_argument("--compare-workers", action="store_true", help="also parse again with 1 worker")
    ap.add_argument("--existing", action="store_true",
                    help="DIR holds an archive and a warehouse already (no build; N is ignored): re-parse, re-run from cache")
    ap.add_argument("--stage", choices=("build", "parse"), help=argparse.SUPPRESS)
    ap.add_argument("--reparse", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--forget-state", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage == "build":
        print(json.dumps(build(args.dir, args.n)))
        return 0
    if args.stage == "parse":
        print(json.dumps(parse(args.dir, args.workers, args.chunk_size, args.reparse, args.forget_state)))
        return 0
    if args.existing and args.dir is None:
        ap.error("--existing needs --dir")
    root = args.dir or Path(tempfile.mkdtemp(prefix="parse-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    common = ["--dir", str(root), "--chunk-size", str(args.chunk_size)]
    workers = ["--workers", str(args.workers)]
    if args.existing:
        runs = [("re-parse", [*workers, "--reparse"]), ("re-run from cache", [*workers, "--forget-state"])]
    else:
        start = time.perf_counter()
        built = _stage(str(args.n), "--stage", "build", *common)
        print(f"archive of {built['reports']} reports over {built['sites']} sites built in "
              f"{time.perf_counter() - start:.1f} s ({_size_mb(root / 'data' / 'archive')} MB)")  # fmt: skip
        runs = [("first parse", workers), ("no-change re-run", workers),
                ("re-run from cache", [*workers, "--forget-state"])]  # fmt: skip
    if args.compare_workers:
        runs.append(("re-parse, 1 worker", ["--workers", "1", "--reparse"]))
    for label, extra in runs:
        r = _stage(str(args.n), "--stage", "parse", *common, *extra)
        done = r["parsed"] + r["cached"]
        rate = (done if args.existing else args.n) / r["step_s"] if r["step_s"] else 0.0
        per = f" = {1000 * (r['cpu_s'] + r['workers_cpu_s']) / done:.1f} ms a report" if done else ""
        print(f"{label:<20} step {r['step_s']:>7.2f} s (run {r['wall_s']:.2f} s), {rate:,.0f} reports/s; "
              f"CPU {r['cpu_s']:.1f} s in the run's process + {r['workers_cpu_s']:.1f} s in its children{per}; "
              f"parsed {r['parsed']}, cached {r['cached']}, unchanged {r.get('unchanged', 0)}, workers {r['workers']}, "
              f"batches {r['batches']}; "
              f"peak RSS {r['rss_mb']} MB (parent process; workers not measured); "
              f"DuckDB {_size_mb(root / 'ogi.duckdb')} MB, cache {_size_mb(root / 'data' / 'parsed')} MB")  # fmt: skip
    if args.dir is None:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
