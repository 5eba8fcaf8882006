"""End to end: `ogi run` against a served N-report site, as a user runs it; then the no-change re-run.

Generates the demo portal at N reports (`portal.scaled.ScaledPortal`: copies of the demo sites under distinct names,
agencies and URLs, every report body distinct; built from `--variants` V builds of each demo site, copy k served as
variant ((k-1) mod V)+1 renamed on the fly, so generation time and memory do not grow with N), serves it on
127.0.0.1 (the demo portal's server, in this process), writes a sites file pointing at it and runs `ogi run --sites FILE --data DIR --warehouse FILE` in a subprocess, with
DAGSTER_HOME, data and warehouse in a temporary directory. Then `ogi run` again with nothing new.

Printed: wall time of the command; per stage, from the Dagster run's step stats (crawl = `raw_pages`, the crawl
subprocess and the load of `raw_page`/`crawl_*`; parse = `parsed_reports`, parse and load of the report tables;
load = the other assets: dimensions, summary, cross-report checks; checks = the asset checks; report = `html_report`,
the static HTML report, capped per run by its `max_seconds`); pages/s of the crawl
(requests archived / the crawl's own seconds) and reports/s (N / run wall); peak memory of the whole process tree
(`ogi run` and every descendant: crawl subprocess, parsing workers), polled from /proc every 0.2 s (sum of RSS, and
sum of PSS, which counts pages shared between processes once); DuckDB file size; the re-run's wall time and how
much of it is start-up (command wall minus the Dagster run's own duration). Also the portal's generation time and
the bench process's own RSS once the portal is generated and serving (current and peak: it is not part of the
measured tree).

Also (unless `--no-bare`): the crawl against a bare Scrapy spider fetching the same URLs (those the crawl
requested, same method and body; no pipeline, no archive, one request queue) with the same concurrency of 64, run in
the same invocation on the same portal: ratio of pages/s. And (unless `--no-floor`): the parse step's reports per
CPU second (CPU of the whole tree over the step, from /proc) against the lxml + grid floor of bench/parse_bench.py
on the same report pages.

    nice .venv/bin/python bench/e2e.py 1000
    nice .venv/bin/python bench/e2e.py 1000 --json
    nice .venv/bin/python bench/e2e.py 200 --keep /tmp/e2e200     # keep the data, warehouse and DAGSTER_HOME
    nice .venv/bin/python bench/e2e.py 100000 --variants 16 --no-bare --no-floor
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
CONCURRENCY = 64  # the crawl's budget across sites (crawler/slots.py), given to the bare spider too


# --- the portal at N reports ------------------------------------------------------------------------------------


def scaled_portal(n: int, variants: int) -> Any:
    """A started demo-portal server serving `portal.scaled.generate_scaled(n, 1, variants)` (no API-only sites, no
    corpus)."""
    from portal.scaled import ScaledPortal

    return ScaledPortal(n, variants).start()


def own_rss() -> tuple[int, int]:
    """This process's RSS now and its peak (VmRSS, VmHWM), bytes."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1]) * 1024
    return found["VmRSS"], found["VmHWM"]


# --- the process tree's memory and CPU --------------------------------------------------------------------------


def _process_name(pid: int) -> str:
    """A short name of a process for the peak's breakdown: its command line's last words that are not options."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return str(pid)
    words = [a.rsplit("/", 1)[-1] for a in args if not a.startswith("-")][:3]
    return f"{pid} {' '.join(words)[:60]}"


class TreeMonitor:
    """Polls /proc for `root` and its descendants: peak of the summed RSS and PSS, and CPU seconds per process
    (utime + stime of live processes, the last value seen kept when one exits: a process's last < 0.2 s may be
    missed). `cpu_at(t)` is the tree's CPU seconds at time t (perf_counter), from the samples."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        self.root, self.interval = root, interval
        self.peak_rss = self.peak_pss = self.peak_single = 0
        self.peak_at = 0.0  # perf_counter of the sample with the peak PSS
        self.peak_parts: list[tuple[str, int]] = []  # (process, PSS bytes) in that sample, largest first
        self.cpu: dict[int, float] = {}
        self.samples: list[tuple[float, float]] = []  # (time, tree CPU seconds so far)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMonitor:  # noqa: PYI034 - not subclassed
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    def _sample(self) -> None:
        rss = pss = 0
        parts: list[tuple[int, int]] = []
        for pid in self._tree():
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                one = int(fields[21]) * PAGE  # field 24: rss in pages
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK  # fields 14, 15: utime, stime
                with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                    for line in f:
                        if line.startswith(b"Pss:"):
                            parts.append((pid, int(line.split()[1]) * 1024))
                            pss += parts[-1][1]
                            break
            except (OSError, ValueError, IndexError):
                continue
            rss += one
            self.peak_single = max(self.peak_single, one)
        if pss > self.peak_pss:
            self.peak_at = time.perf_counter()
            self.peak_parts = sorted(((_process_name(pid), b) for pid, b in parts), key=lambda p: -p[1])
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
        self.samples.append((time.perf_counter(), sum(self.cpu.values())))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)
        self._sample()

    def cpu_at(self, t: float) -> float:
        before = [c for s, c in self.samples if s <= t]
        return before[-1] if before else 0.0


# --- ogi run ----------------------------------------------------------------------------------------------------


def _ogi() -> list[str]:
    script = Path(sys.executable).parent / "ogi"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dagster_project.cli"]


def ogi_run(work: Path, sites: Path) -> dict[str, Any]:
    """`ogi run` as a user runs it (its own process), watched; its run id, wall time, output and tree figures."""
    env = os.environ | {"DAGSTER_HOME": str(work / "dagster_home")}
    cmd = [*_ogi(), "run", "--sites", str(sites), "--data", str(work / "data"), "--warehouse", str(work / "ogi.duckdb")]
    start = time.perf_counter()
    start_epoch = time.time()
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeMonitor(proc.pid) as mon:
        out, err = proc.communicate()
    wall = time.perf_counter() - start
    found = re.search(r"^run (\S+): (succeeded|FAILED)", out, re.MULTILINE)
    if proc.returncode != 0 or not found:
        raise SystemExit(f"ogi run failed ({proc.returncode}):\n{out}\n{err[-4000:]}")
    return {"run_id": found.group(1), "wall_s": wall, "stdout": out, "stderr": err, "monitor": mon,
            "started": start, "offset": start - start_epoch}  # fmt: skip


STAGES = {"raw_pages": "crawl", "parsed_reports": "parse", "html_report": "report"}


def run_figures(work: Path, run: dict[str, Any]) -> dict[str, Any]:
    """Stage times from the Dagster run's step stats, asset metadata of raw_pages and parsed_reports."""
    os.environ["DAGSTER_HOME"] = str(work / "dagster_home")
    import dagster as dg

    instance = dg.DagsterInstance.get()
    run_id = run["run_id"]
    stats = instance.get_run_stats(run_id)
    stages: dict[str, float] = {"crawl": 0.0, "parse": 0.0, "load": 0.0, "checks": 0.0, "report": 0.0}
    windows: dict[str, tuple[float, float]] = {}
    steps = {}
    for step in instance.get_run_step_stats(run_id):
        if step.start_time is None or step.end_time is None:
            continue
        key = step.step_key
        steps[key] = round(step.end_time - step.start_time, 3)
        if key in STAGES:
            stage = STAGES[key]
        elif "check" in key and key != "cross_report_checks":
            stage = "checks"
        else:
            stage = "load"
        stages[stage] += step.end_time - step.start_time
        windows[key] = (step.start_time, step.end_time)
    meta: dict[str, dict[str, Any]] = {}
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    for record in records:
        mat = record.event_log_entry.dagster_event.event_specific_data.materialization
        name = mat.asset_key.to_user_string()
        if name in ("raw_pages", "parsed_reports") and name not in meta:
            meta[name] = {k: v.value for k, v in mat.metadata.items() if k not in ("preview", "by_kind")}
    return {
        "run_s": stats.end_time - stats.start_time,
        "stages": stages,
        "steps": steps,
        "windows": windows,
        "meta": meta,
    }


# --- the bare spider --------------------------------------------------------------------------------------------


def requests_of(data: Path, run_id: str | None = None) -> list[dict[str, Any]]:
    """The requests the crawl sent (every archived answer of the manifest: URL, and method/body when recorded)."""
    rows = []
    with open(data / "archive" / "manifest.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            rows.append({"url": row["url"], "method": row.get("method") or "GET", "body": row.get("body")})
    return rows


def bare_spider(requests_file: Path) -> dict[str, Any]:
    """Run by `--stage bare`: a minimal Scrapy spider fetching the URLs of `requests_file`, nothing stored."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    wanted = json.loads(requests_file.read_text("utf-8"))
    done = {"n": 0, "bytes": 0}

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):  # type: ignore[no-untyped-def]
            for r in wanted:
                body = r["body"] if isinstance(r["body"], str) else None
                yield scrapy.Request(r["url"], method=r["method"], body=body, dont_filter=True,
                                     callback=self.parse, errback=self.failed)  # fmt: skip

        def parse(self, response):  # type: ignore[no-untyped-def]
            done["n"] += 1
            done["bytes"] += len(response.body)

        def failed(self, failure):  # type: ignore[no-untyped-def]
            done["n"] += 1

    settings = {
        "CONCURRENT_REQUESTS": CONCURRENCY, "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY, "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "RETRY_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True, "COOKIES_ENABLED": False,
    }  # fmt: skip
    process = CrawlerProcess(settings)
    process.crawl(Bare)
    start = time.perf_counter()
    process.start()
    return {"fetched": done["n"], "bytes": done["bytes"], "in_spider_s": time.perf_counter() - start}


def run_bare(work: Path, requests: list[dict[str, Any]]) -> dict[str, Any]:
    path = work / "bare_requests.json"
    path.write_text(json.dumps(requests), "utf-8")
    start = time.perf_counter()
    before = os.times()
    out = subprocess.run([sys.executable, __file__, "0", "--stage", "bare", "--dir", str(path)], check=True,
                         capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return json.loads(out.stdout.strip().splitlines()[-1]) | {"wall_s": wall, "cpu_s": cpu}


# --- the parse floor --------------------------------------------------------------------------------------------


def parse_floor(generated: Any, sample: int) -> dict[str, Any]:
    """lxml + grid (bench/parse_bench.py `_grid`) on up to `sample` report article pages of the site (every
    (N // sample)-th report, as served): reports per CPU second, median of 3 rounds."""
    from parse_bench import _grid, _rounds

    paths = [r["path"] for r in generated.iter_reports()]
    step = max(1, len(paths) // sample)
    bodies = [generated.pages[p][0] for p in paths[::step][:sample] if p in generated.pages]

    def floor() -> int:
        for data in bodies:
            _grid(data)
        return len(bodies)

    return {"pages": len(bodies), **_rounds(floor, 3)}


# --- main -------------------------------------------------------------------------------------------------------


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def _mb(n: int) -> float:
    return n / 2**20


def measure(n: int, work: Path, bare: bool, floor: bool, variants: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    from portal.scaled import generate_scaled

    generated = generate_scaled(n, 1, variants)
    only_gen_s = time.perf_counter() - t0
    portal = scaled_portal(n, variants)
    gen_s = time.perf_counter() - t0
    rss_now, rss_peak = own_rss()
    try:
        sites = work / "sites.json"
        sites.write_text(json.dumps(portal.sites_config(), ensure_ascii=False, indent=1), "utf-8")
        first = ogi_run(work, sites)
        figures = run_figures(work, first)
        size_after_first = _size_mb(work / "ogi.duckdb")
        second = ogi_run(work, sites)
        again = run_figures(work, second)
        bare_out = run_bare(work, requests_of(work / "data")) if bare else None
    finally:
        portal.stop()
    crawl_meta = figures["meta"].get("raw_pages", {})
    crawls = crawl_meta.get("crawl") or [{}]
    crawl = crawls[0]
    pages = int(crawl.get("lists", 0)) + int(crawl.get("reports", 0)) + int(crawl.get("attachments", 0))
    crawl_s = float(crawl.get("seconds") or figures["stages"]["crawl"])
    parse_meta = figures["meta"].get("parsed_reports", {})
    mon: TreeMonitor = first["monitor"]
    out: dict[str, Any] = {
        "n_reports": n,
        "sites": len(generated.sites),
        "agencies": len({s["agency"] for s in generated.sites}),
        "generate_and_serve_s": round(gen_s, 2),
        "portal": {
            "variants": variants,
            "variant_builds": len(generated.variants),
            "generate_s": round(only_gen_s, 2),
            "bench_rss_mb": round(_mb(rss_now)),
            "bench_peak_rss_mb": round(_mb(rss_peak)),
        },
        "first_run": {
            "wall_s": round(first["wall_s"], 2),
            "dagster_run_s": round(figures["run_s"], 2),
            "startup_and_exit_s": round(first["wall_s"] - figures["run_s"], 2),
            "stages_s": {k: round(v, 2) for k, v in figures["stages"].items()},
            "crawl_subprocess_s": round(crawl_s, 2),
            "pages_fetched": pages,
            "crawl_requests_seen": crawl_meta.get("crawl_seen_rows"),
            "pages_per_s": round(pages / crawl_s, 1) if crawl_s else None,
            "reports_per_s": round(n / first["wall_s"], 1),
            "reports_per_s_parse_step": round(n / figures["stages"]["parse"], 1) if figures["stages"]["parse"] else None,
            "report_pages_archived": crawl_meta.get("report_pages"),
            "dim_report_rows": parse_meta.get("rows_dim_report"),
            "reports_ok": parse_meta.get("reports_ok"),
            "parsed": parse_meta.get("parsed"),
            "cached": parse_meta.get("cached"),
            "parsed_during_crawl": crawl_meta.get("parsed_during_crawl"),
            "workers": parse_meta.get("workers"),
            "peak_rss_tree_mb": round(_mb(mon.peak_rss)),
            "peak_pss_tree_mb": round(_mb(mon.peak_pss)),
            "peak_rss_one_process_mb": round(_mb(mon.peak_single)),
            "peak_pss_at_s": round(mon.peak_at - first["started"], 1),
            "peak_pss_steps": [step for step, (start, end) in figures["windows"].items()  # running at the peak
                               if start <= mon.peak_at - first["offset"] <= end],
            "peak_pss_parts_mb": [[name, round(_mb(b))] for name, b in mon.peak_parts],
            "cpu_s_tree": round(sum(mon.cpu.values()), 1),
            "duckdb_mb": round(size_after_first, 1),
            "archive_mb": round(_size_mb(work / "data" / "archive"), 1),
            "parse_cache_mb": round(_size_mb(work / "data" / "parsed"), 1),
            "steps_s": figures["steps"],
        },
    }
    mon2: TreeMonitor = second["monitor"]
    out["no_change_rerun"] = {
        "wall_s": round(second["wall_s"], 2),
        "dagster_run_s": round(again["run_s"], 2),
        "startup_and_exit_s": round(second["wall_s"] - again["run_s"], 2),
        "stages_s": {k: round(v, 2) for k, v in again["stages"].items()},
        "parsed": again["meta"].get("parsed_reports", {}).get("parsed"),
        "cached": again["meta"].get("parsed_reports", {}).get("cached"),
        "peak_rss_tree_mb": round(_mb(mon2.peak_rss)),
        "duckdb_mb": round(_size_mb(work / "ogi.duckdb"), 1),
        "steps_s": again["steps"],
    }
    if bare_out is not None:
        bare_rate = bare_out["fetched"] / bare_out["wall_s"]
        ogi_rate = pages / crawl_s if crawl_s else 0.0
        out["bare_spider"] = {
            "requests": bare_out["fetched"],
            "wall_s": round(bare_out["wall_s"], 2),
            "in_spider_s": round(bare_out["in_spider_s"], 2),
            "cpu_s": round(bare_out["cpu_s"], 2),
            "pages_per_s": round(bare_rate, 1),
            "crawl_ratio": round(ogi_rate / bare_rate, 2) if bare_rate else None,
        }
    if floor:
        start, end = figures["windows"]["parsed_reports"]
        # step times are epoch seconds; the monitor's samples are perf_counter: first["offset"] converts
        cpu = mon.cpu_at(end + first["offset"]) - mon.cpu_at(start + first["offset"])
        fl = parse_floor(generated, 300)
        parsed = parse_meta.get("parsed") or n
        per_core = parsed / cpu if cpu else None
        out["parse_vs_floor"] = {
            "parse_step_cpu_s": round(cpu, 1),
            "parse_reports_per_cpu_s": round(per_core, 1) if per_core else None,
            "floor_reports_per_cpu_s": round(fl["per_cpu_s"], 1),
            "floor_pages": fl["pages"],
            "ratio_parse_to_floor": round(fl["per_cpu_s"] / per_core, 1) if per_core else None,
        }
    return out


def _print(out: dict[str, Any]) -> None:
    f, r = out["first_run"], out["no_change_rerun"]
    st = f["stages_s"]
    lines = [
        (f"e2e: {out['n_reports']} reports, {out['sites']} sites, {out['agencies']} agencies "
        f"(generated and served in {out['generate_and_serve_s']} s)"),
        (f"portal: {out['portal']['variant_builds']} site builds ({out['portal']['variants']} variants a site), "
        f"generated in {out['portal']['generate_s']} s; bench process RSS {out['portal']['bench_rss_mb']} MB after "
        f"generating (peak {out['portal']['bench_peak_rss_mb']} MB)"),
        f"first run: {f['wall_s']} s wall (Dagster run {f['dagster_run_s']} s, start-up and exit {f['startup_and_exit_s']} s)",
        (f"  stages: crawl {st['crawl']} s (crawl subprocess {f['crawl_subprocess_s']} s), parse {st['parse']} s, "
        f"load {st['load']} s, checks {st['checks']} s, report {st['report']} s"),
        (f"  crawl: {f['pages_fetched']} pages, {f['pages_per_s']} pages/s; reports/s {f['reports_per_s']} end to end, "
        f"{f['reports_per_s_parse_step']} in the parse step ({f['parsed']} parsed, {f['cached']} cached, of which "
        f"{f['parsed_during_crawl']} parsed during the crawl; "
        f"{f['workers']} workers); {f['reports_ok']} of {f['dim_report_rows']} reports readable"),
        (f"  peak memory of the process tree: RSS {f['peak_rss_tree_mb']} MB summed, PSS {f['peak_pss_tree_mb']} MB, "
        f"largest process {f['peak_rss_one_process_mb']} MB; CPU {f['cpu_s_tree']} s"),
        (f"  PSS at its peak ({f['peak_pss_at_s']} s into the run, step {', '.join(f['peak_pss_steps']) or '-'}): "
        + ", ".join(f"{name} {mb} MB" for name, mb in f["peak_pss_parts_mb"] if mb >= 5)),
        f"  DuckDB {f['duckdb_mb']} MB, archive {f['archive_mb']} MB, parse cache {f['parse_cache_mb']} MB",
        (f"no-change re-run: {r['wall_s']} s wall (Dagster run {r['dagster_run_s']} s, start-up and exit "
        f"{r['startup_and_exit_s']} s); crawl {r['stages_s']['crawl']} s, parse {r['stages_s']['parse']} s "
        f"({r['parsed']} parsed, {r['cached']} cached), load {r['stages_s']['load']} s, checks {r['stages_s']['checks']} s, "
        f"report {r['stages_s']['report']} s; "
        f"peak RSS {r['peak_rss_tree_mb']} MB"),
    ]
    if "bare_spider" in out:
        b = out["bare_spider"]
        lines.append(f"bare Scrapy spider, same {b['requests']} requests: {b['wall_s']} s wall, {b['pages_per_s']} pages/s, "
                     f"CPU {b['cpu_s']} s; crawl/bare pages/s ratio {b['crawl_ratio']}")  # fmt: skip
    if "parse_vs_floor" in out:
        p = out["parse_vs_floor"]
        lines.append(f"parse step: {p['parse_reports_per_cpu_s']} reports per CPU second ({p['parse_step_cpu_s']} s CPU "
                     f"of the tree); lxml + grid floor {p['floor_reports_per_cpu_s']} on {p['floor_pages']} of the pages; "
                     f"floor/parse {p['ratio_parse_to_floor']}x")  # fmt: skip
    print("\n".join(lines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of reports")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR (must not exist) and keep it")
    ap.add_argument("--no-bare", action="store_true", help="skip the bare Scrapy spider")
    ap.add_argument("--no-floor", action="store_true", help="skip the parse floor")
    ap.add_argument("--variants", type=int, default=None, metavar="V",
                    help="builds of each demo site the copies are served from (default: portal.scaled.DEFAULT_VARIANTS)")
    ap.add_argument("--stage", choices=("bare",), help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage == "bare":
        print(json.dumps(bare_spider(args.dir)))
        return 0
    if args.keep:
        args.keep.mkdir(parents=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="ogi-e2e-"))
    try:
        from portal.scaled import DEFAULT_VARIANTS

        variants = DEFAULT_VARIANTS if args.variants is None else args.variants
        out = measure(args.n, work.resolve(), bare=not args.no_bare, floor=not args.no_floor, variants=variants)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        _print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
