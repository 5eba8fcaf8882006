"""The `ogi` command: `run` and `crawl` (the user's sites), `sites add|check`, `archive push` (the raw archive to object
storage), `demo` (the whole pipeline against the demo portal), `parse`, `eval`, `export`, `report` (static HTML charts
per agency), `portal`, `ui`.

Imports are lazy: `ogi parse` loads only the parser, never Dagster.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import threading
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    import dagster as dg

    from portal.labelled import LabelledDoc
    from dagster_project.resources import Warehouse
    from etl.evaluate import DocScore
    from etl.model import ParseResult

URL_TIMEOUT = 30.0  # seconds, for `ogi parse https://...`
UI_PORT = 3000
# The committed instance settings (telemetry and the welcome modal off, one run at a time), copied into a new
# DAGSTER_HOME; the constant is the fallback when the package is installed without the repository's files.
DAGSTER_YAML_FILE = Path(__file__).resolve().parents[1] / "dagster.yaml"
DAGSTER_YAML = "telemetry:\n  enabled: false\nnux:\n  enabled: false\nconcurrency:\n  runs:\n    max_concurrent_runs: 1\n"
RUN_LOCK = "ogi-run.lock"  # in DAGSTER_HOME: one CLI run (ogi run, ogi demo) at a time per instance


def main(argv: list[str] | None = None) -> int:
    # Dagster marks backfill policies beta (and other APIs preview) and says so once per asset on every import:
    # noise on a command line
    warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview)")
    args, extra = _parser().parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.command == "portal":
        from portal import main as portal_main

        return int(portal_main(extra) or 0)
    if extra:
        _parser().error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "parse":
        return cmd_parse(args.inputs, as_json=args.json)
    if args.command == "eval":
        return cmd_eval(args.input_types, as_json=args.json, show_failures=args.show_failures)
    if args.command == "demo":
        return cmd_demo(data=args.data, warehouse=args.warehouse, port=args.port, keep_portal=args.keep_portal)
    if args.command == "ui":
        return cmd_ui(port=args.port)
    if args.command == "run":
        return cmd_run(args.sites, only=args.site, data=args.data, warehouse=args.warehouse, timeout=args.timeout,
                       reparse=args.reparse, workers=args.workers, revisit=args.revisit)  # fmt: skip
    if args.command == "crawl":
        return cmd_crawl(args.sites, only=args.site, data=args.data, timeout=args.timeout, redis=args.redis)
    if args.command == "sites":
        if args.action == "add":
            return cmd_sites_add(args.url, file=args.file, name=args.name, agency=args.agency, region=args.region)
        return cmd_sites_check(args.file)
    if args.command == "archive":
        return cmd_archive_push(args.url, data=args.data)
    if args.command == "export":
        return cmd_export(args.directory, fmt=args.format, database=args.warehouse, overwrite=args.overwrite)
    if args.command == "report":
        return cmd_report(args.out, database=args.warehouse, agency=args.agency, region=args.region)
    raise AssertionError(args.command)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ogi", description="Annual OGI reports -> DuckDB warehouse.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="crawl the demo portal offline, build the warehouse, print a summary",
        description="Start the demo portal on 127.0.0.1, materialise every asset against it (in-process), "
        "print a per-agency-year summary and where the HTML report is (beside the warehouse: report/index.html), "
        "stop the portal.",
    )  # fmt: skip
    demo.add_argument("--data", type=Path, help="raw data directory (default: $OGI_DATA_DIR or ./data)")
    demo.add_argument("--warehouse", type=Path, help="DuckDB file (default: $OGI_WAREHOUSE or warehouse/ogi.duckdb)")
    demo.add_argument("--port", type=int, default=None,
                      help="portal port on 127.0.0.1 (default 0: any free port; the warehouse's URLs do not "
                           "depend on it)")
    demo.add_argument("--keep-portal", action="store_true", help="keep serving the portal until Ctrl-C")

    parse = sub.add_parser(
        "parse", help="parse report files or URLs",
        description="Parse report files or http(s) URLs and print, per input, a summary line and tables of the "
                    "figures read (section, printed row and column, applicant, period, value, how it was read) and "
                    "the issues; errors go to stderr. With --json print one contract object per input and line.",
    )  # fmt: skip
    parse.add_argument("inputs", nargs="+", metavar="INPUT", help="file path or http(s) URL")
    parse.add_argument("--json", action="store_true", help="print one JSON object per input, one per line")

    evaluate = sub.add_parser(
        "eval", help="measure parse accuracy on the labelled corpus (every generated report, every input type)",
        description="Parse every generated demo-portal report in every input type and compare with its ground truth: "
        "cell-level precision/recall (table and narrative values apart) and template-detection accuracy per "
        "input type and format. A measurement, not a gate: exit status 0 unless the evaluation itself breaks.",
    )  # fmt: skip
    evaluate.add_argument(
        "--input-types", nargs="+", metavar="TYPE", choices=_input_types(),
        help=f"input types to evaluate (default: every available one; known: {', '.join(_input_types())})",
    )  # fmt: skip
    evaluate.add_argument("--json", action="store_true", help="print one JSON object (groups, failures)")
    evaluate.add_argument(
        "--show-failures", type=int, default=0, metavar="N",
        help="list the first N failing documents and their mismatches",
    )  # fmt: skip

    export = sub.add_parser(
        "export", help="write the warehouse's tables and views as Parquet or CSV plus a data dictionary",
        description="Write every table of the warehouse to DIRECTORY: facts (fact_disclosure, fact_raw_cell, "
        "report_issue) as Parquet partitioned by report_year (Hive layout), every other table as one file, and "
        "data_dictionary.md/.csv generated from the tables' and views' COMMENTs. With --format csv, one CSV per "
        "table. The same warehouse always gives byte-identical files.",
    )  # fmt: skip
    export.add_argument("directory", type=Path, metavar="DIRECTORY", help="output directory (created if missing)")
    export.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="file format (default parquet)")
    export.add_argument("--warehouse", type=Path, help="DuckDB file (default: $OGI_WAREHOUSE or warehouse/ogi.duckdb)")
    export.add_argument("--overwrite", action="store_true", help="replace the files of a previous export in DIRECTORY")

    report = sub.add_parser(
        "report", help="write a static HTML report: one page of charts per agency and an index ranking them",
        description="Write index.html (agencies ranked by requests received) and one page per agency with charts "
        "of requests, outcomes, refusal reasons, review and litigation, the quality scorecard and the publication "
        "ledger, from the warehouse's views. Charts are inline SVG: the pages open offline, without a server. "
        "The report of every agency is the one the html_report asset writes beside the warehouse on each run "
        "(report/index.html); written again into the same DIR, only the pages of agencies whose data changed are "
        "rendered (DIR/report-state.json). --agency/--region write the pages of those agencies, all of them.",
    )  # fmt: skip
    which = report.add_mutually_exclusive_group()
    which.add_argument("--agency", metavar="NAME", help="only the agency of this name (dim_agency.name)")
    which.add_argument("--region", metavar="CODE", help="only agencies whose region code starts with CODE")
    report.add_argument("--warehouse", type=Path, help="DuckDB file (default: $OGI_WAREHOUSE or warehouse/ogi.duckdb)")
    report.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory (created if missing)")

    run = sub.add_parser(
        "run", help="crawl your sites, parse and load the warehouse (a Dagster run the UI shows)",
        description="Crawl the sites of FILE, parse every report and (re)build the warehouse and its HTML report "
        "(report/index.html beside it: the pages of agencies whose data changed), as one run of the "
        "`all_assets` job recorded in the Dagster instance of $DAGSTER_HOME (default ./.dagster_home), so "
        "`ogi ui` shows it. Exit status 0 when the run succeeded, even if some pages failed (they are recorded "
        "in crawl_seen); 1 when the run failed; 2 for a bad sites file.",
    )  # fmt: skip
    crawl = sub.add_parser(
        "crawl", help="crawl your sites into the archive (no parse), with progress on stderr",
        description="Crawl the sites of FILE into the raw archive (<data>/archive). Progress goes to stderr: pages, "
        "reports, attachments, failures and rate, per site (for more than 12 sites, their totals, then the sites "
        "with failures at the end); the crawl's own totals are printed when it ends.",
    )  # fmt: skip
    for command in (run, crawl):
        command.add_argument("--sites", type=Path, default=None, metavar="FILE",
                             help="sites file (default: $OGI_SITES or ./sites.json, as written by `ogi sites add`)")
        command.add_argument("--site", action="append", metavar="NAME", help="only this site (repeatable)")
        command.add_argument("--data", type=Path, help="raw data directory (default: $OGI_DATA_DIR or ./data)")
        command.add_argument("--timeout", type=int, default=3600, help="seconds for the whole crawl (default 3600)")
    crawl.add_argument("--redis", metavar="URL", default=None,
                       help="share the crawl through this Redis (redis://HOST:6379/0): every `ogi crawl --redis` "
                            "of the same sites into the same archive takes part of one crawl (README: Distributed crawl)")  # fmt: skip
    run.add_argument("--warehouse", type=Path, help="DuckDB file (default: $OGI_WAREHOUSE or warehouse/ogi.duckdb)")
    run.add_argument("--reparse", action="store_true",
                     help="parse every report again, ignoring the parse cache (<data>/parsed)")  # fmt: skip
    run.add_argument("--workers", type=int, default=0, metavar="N",
                     help="parsing processes (default 0: one per core when the work is worth it; 1: in process)")  # fmt: skip
    run.add_argument("--revisit", action="store_true",
                     help="request every listed report and attachment again, conditionally (default: each site's "
                          "`revisit`, \"listed\": a report listed as before is not fetched again); e.g. weekly, to see "
                          "pages changed in place")  # fmt: skip

    sites = sub.add_parser(
        "sites", help="add a site from its home page, or check a sites file",
        description="`ogi sites add URL`: from a government site's home page, its 信息公开 page or the 年报 column "
        "itself, find the 年报 column (links such as 政府信息公开年报 / 年度报告), detect its CMS family and write "
        "the site entry into FILE. `ogi sites check [FILE]`: fetch each site's first list page and say how many "
        "report links and further list pages it sees.",
    )  # fmt: skip
    actions = sites.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="find the 年报 column from a home page and add the site to FILE")
    add.add_argument("url", metavar="URL", help="home page, 信息公开 page or 年报 column (http or https)")
    add.add_argument("--file", type=Path, default=Path("sites.json"), help="sites file to write (default ./sites.json)")
    add.add_argument("--name", help="site name (default: from the host, e.g. hdzfxxgk.hd)")
    add.add_argument("--agency", help="the site's agency full name (default: the site's SiteName or page title)")
    add.add_argument("--region", help="the agency's region, e.g. 浙江省衢州市 (default: from the agency name)")
    check = actions.add_parser("check", help="fetch each site's first list page and count what it links")
    check.add_argument("file", type=Path, nargs="?", default=Path("sites.json"), metavar="FILE",
                       help="sites file (default ./sites.json)")  # fmt: skip

    archive = sub.add_parser(
        "archive", help="copy the raw archive to object storage (fsspec URL)",
        description="`ogi archive push URL`: mirror the raw archive (<data>/archive) to URL, any fsspec URL "
        "(s3://bucket/prefix needs `pip install s3fs`; file:///path; ...), in the same layout: the objects the store "
        "lacks, then manifest.jsonl and the run logs whose size differs. Pushing again uploads only what changed. "
        "The parse step reads such a store when its archive is a URL (crawler/store.py).",
    )  # fmt: skip
    archive_actions = archive.add_subparsers(dest="action", required=True, metavar="ACTION")
    push = archive_actions.add_parser(
        "push", help="upload to URL what the store lacks of the archive; print what was uploaded",
        description="Mirror the raw archive <data>/archive to URL (an fsspec URL: s3://bucket/prefix with s3fs "
        "installed, file:///path, ...), its raw files only: every object the store lacks or holds with "
        "another size (each checked against its sha256 first: a corrupt one is left out), then manifest.jsonl and "
        "every runs/*.jsonl whose size in the store differs, each uploaded whole, after the objects. Prints the "
        "counts. Exit status 0 when done, 1 when the upload failed, 2 for a missing archive, or a URL that is not "
        "one or cannot be opened.",
    )  # fmt: skip
    push.add_argument("url", metavar="URL", help="where the archive goes, e.g. s3://bucket/ogi/archive")
    push.add_argument("--data", type=Path, help="raw data directory (default: $OGI_DATA_DIR or ./data)")

    sub.add_parser(
        "portal", help="serve the demo portal (options: see `ogi portal --help`)", add_help=False,
        description="Serve the demo portal; arguments go to portal.",
    )  # fmt: skip

    ui = sub.add_parser(
        "ui", help="run the Dagster UI (dagster dev) on 127.0.0.1",
        description="Run `dagster dev` for this project on 127.0.0.1. DAGSTER_HOME defaults to ./.dagster_home "
        "(created with telemetry and the welcome modal off).",
    )  # fmt: skip
    ui.add_argument("--port", type=int, default=UI_PORT, help=f"UI port (default {UI_PORT})")
    return parser


# ---------------------------------------------------------------------------------------------------- parse


def _read_input(arg: str) -> tuple[bytes, str | None, str | None]:
    """(bytes, content type, file name) of a file path or an http(s) URL; OSError/ValueError when unreadable."""
    if urlsplit(arg).scheme in ("http", "https"):
        request = urllib.request.Request(arg, headers={"User-Agent": "ogi-warehouse (ogi parse)"})
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT) as response:  # noqa: S310 - scheme checked
            name = unquote(urlsplit(response.geturl()).path.rsplit("/", 1)[-1]) or None
            return response.read(), response.headers.get("Content-Type"), name
    path = Path(arg)
    return path.read_bytes(), None, path.name


def parse_input(arg: str) -> ParseResult:
    """Parse one input; a file or URL that cannot be read gives ok=False with the reason."""
    from crawler.convert import soffice_convert
    from etl.model import ParseResult
    from etl.parse import parse_document

    scheme = urlsplit(arg).scheme
    if len(scheme) > 1 and scheme not in ("http", "https"):  # one letter: a Windows drive, a path
        return ParseResult(input=arg, ok=False,
                           error=f"unsupported URL scheme {scheme!r}: ogi parse reads files and http(s) URLs")
    try:
        data, content_type, filename = _read_input(arg)
    except urllib.error.HTTPError as exc:
        return ParseResult(input=arg, ok=False, error=f"HTTP {exc.code} {exc.reason}")
    except urllib.error.URLError as exc:
        return ParseResult(input=arg, ok=False, error=f"cannot fetch: {exc.reason}")
    except OSError as exc:
        return ParseResult(input=arg, ok=False, error=f"cannot read: {exc.strerror or exc}")
    except ValueError as exc:  # malformed URL
        return ParseResult(input=arg, ok=False, error=f"cannot read: {exc}")
    url = arg if urlsplit(arg).scheme in ("http", "https") else None
    return parse_document(data, input=arg, content_type=content_type, filename=filename, url=url,
                          convert=soffice_convert)


def _summary_line(result: ParseResult) -> str:
    if not result.ok:
        return f"{result.input}: error: {result.error}"
    meta = result.report

    def known(value: object) -> str:
        return "?" if value is None else str(value)

    parts = [
        f"agency={known(meta.agency if meta else None)}",
        f"year={known(meta.report_year if meta else None)}",
        f"format={known(meta.format if meta else None)}",
        f"values={len(result.values)}",
        f"unmapped={len(result.unmapped)}",
        f"issues={len(result.issues)}",
    ]
    return f"{result.input}: ok " + " ".join(parts)


def cmd_parse(inputs: list[str], *, as_json: bool) -> int:
    """Exit status 0 unless every input failed."""
    failures = 0
    for arg in inputs:
        result = parse_input(arg)
        failures += not result.ok
        if as_json:
            print(json.dumps(result.to_contract(), ensure_ascii=False), flush=True)
        elif not result.ok:
            print(_summary_line(result), file=sys.stderr, flush=True)
        else:
            _print_figures(result)
    return 1 if failures == len(inputs) else 0


def _print_figures(result: ParseResult) -> None:
    """The summary line, then the figures (section, printed row and column, applicant, period, value, how read) and
    the issues, as tables (rich: CJK widths; 160 columns when stdout is no terminal)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160, highlight=False, soft_wrap=False)
    console.print(_summary_line(result), markup=False)
    figures = Table(box=box.SIMPLE_HEAD, title="figures", title_justify="left", pad_edge=False)
    figures.add_column("section", no_wrap=True, max_width=14, overflow="ellipsis")  # the heading's number and start
    for name, justify in (("printed row", "left"), ("column", "left"), ("applicant", "left"), ("period", "left"),
                          ("value", "right"), ("unit", "left"), ("read from", "left")):
        figures.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for v in result.values:
        src = v.source
        value = "blank" if v.value is None else ("≈" if v.approximate else "") + f"{v.value:g}"
        how = src.kind + (f" p.{src.page}" if src.page else "")
        figures.add_row(src.section or "", src.row or "", src.column or "", v.applicant or "", v.period, value,
                        v.unit, how)
    console.print(figures if result.values else "figures: none read")
    if result.issues:
        issues = Table(box=box.SIMPLE_HEAD, title="issues", title_justify="left", pad_edge=False)
        for name in ("severity", "check", "applicant", "message"):
            issues.add_column(name, overflow="fold")
        for i in result.issues:
            issues.add_row(i.severity, i.check, i.applicant or "", i.message)
        console.print(issues)


# ----------------------------------------------------------------------------------------------------- eval

EVAL_MISMATCHES_SHOWN = 12  # per failing document in the text listing (JSON lists up to EVAL_MISMATCHES_JSON)
EVAL_MISMATCHES_JSON = 50


def _input_types() -> tuple[str, ...]:
    """portal.labelled.INPUT_TYPES (a test keeps them equal), without importing the corpus for every command."""
    return ("html", "text-pipe", "text-lines", "text-flat", "text-oneline", "pdf", "pdf-unruled", "pdf-real", "scan",
            "docx", "xlsx")  # fmt: skip


def cmd_eval(input_types: list[str] | None, *, as_json: bool, show_failures: int) -> int:
    """Run the labelled corpus through the parser and print the accuracy table; 0 unless the run itself breaks
    (a corpus writer or the scoring raising: status 1 with the reason). Parse failures are measured, not raised:
    parse_document never raises."""
    try:
        return _eval(input_types, as_json=as_json, show_failures=show_failures)
    except Exception as exc:  # noqa: BLE001 - report the internal error as a status, not a traceback
        print(f"ogi eval: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _eval(input_types: list[str] | None, *, as_json: bool, show_failures: int) -> int:
    import time

    from portal.labelled import INPUT_TYPES, available_input_types, labelled_docs
    from etl.evaluate import aggregate, format_table, score
    from etl.parse import parse_document

    started = time.perf_counter()
    available = available_input_types()
    wanted = list(dict.fromkeys(input_types or INPUT_TYPES))
    left_out = {t: available[t] for t in wanted if available[t] is not None}
    scores = []
    failures = []
    for doc in labelled_docs([t for t in wanted if t not in left_out]):
        result = parse_document(doc.data, input=doc.name, content_type=doc.content_type, filename=doc.filename)
        s = score(result, doc.truth)
        scores.append((doc.input_type, doc.format, s))
        if not s.correct:
            failures.append((doc, s))
    summary = aggregate(scores, INPUT_TYPES)
    elapsed = time.perf_counter() - started

    if as_json:
        out = {
            "input_types": [t for t in wanted if t not in left_out],
            "left_out": left_out,
            "seconds": round(elapsed, 3),
            **summary.to_dict(),
            "failures": [_failure_json(doc, s) for doc, s in failures],
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for t, reason in left_out.items():
        print(f"left out: {t} ({reason})")
    print(format_table(summary))
    print(f"{summary.total.docs} documents in {elapsed:.1f} s; {len(failures)} with a mismatch")
    for doc, s in failures[:show_failures]:
        print()
        print(f"{doc.name}  [{doc.format}, {doc.quirk}]")
        if not s.ok:
            print(f"  not parsed: {s.error}")
        for name, (expected, got) in s.meta_errors.items():
            print(f"  {name}: expected {expected!r}, got {got!r}")
        for m in s.mismatches[:EVAL_MISMATCHES_SHOWN]:
            print(f"  {m.describe()}")
        if len(s.mismatches) > EVAL_MISMATCHES_SHOWN:
            print(f"  … {len(s.mismatches) - EVAL_MISMATCHES_SHOWN} more")
    return 0


def _failure_json(doc: LabelledDoc, s: DocScore) -> dict:
    return {
        "name": doc.name,
        "input_type": doc.input_type,
        "format": doc.format,
        "quirk": doc.quirk,
        "ok": s.ok,
        "error": s.error,
        "meta_errors": {k: {"expected": e, "got": g} for k, (e, g) in s.meta_errors.items()},
        "mismatch_count": len(s.mismatches),
        "mismatches": [
            {
                "metric": m.key[0],
                "applicant": m.key[1],
                "period": m.key[2],
                "reason": m.reason,
                "flagged": m.flagged,
                "expected": None if m.expected is None else {
                    "value": m.expected["value"], "source": m.expected.get("source"),
                },
                "got": None if m.got is None else {
                    "value": m.got.value, "source": m.got.source.kind, "text": m.got.source.text,
                },
            }
            for m in s.mismatches[:EVAL_MISMATCHES_JSON]
        ],
    }


# ----------------------------------------------------------------------------------------------------- demo


def cmd_demo(*, data: Path | None, warehouse: Path | None, port: int | None, keep_portal: bool) -> int:

    from portal import Portal
    from portal.sites import EPOCHS
    from dagster_project.resources import DEMO, DEMO_BASE, DEMO_PORT, Warehouse

    # Started with `&` from a script, SIGINT is inherited ignored and Dagster copies that onto SIGTERM: restore
    # Python's handler first so that SIGINT and SIGTERM both stop the run (STACK.md §5c).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    home = _home()
    wh = Warehouse(path=str(warehouse.resolve()) if warehouse else "")
    port = DEMO_PORT if port is None else port
    # sites="demo": the crawl step runs the portal on `port`; a first crawl into the archive visits both of its
    # epochs (a report restated, one removed), later crawls its latest state only
    crawl = {"sites": DEMO, "demo_port": port, "progress": True, "data_dir": str(data.resolve()) if data else ""}
    try:
        with _run_lock(home, "ogi demo"):
            import dagster as dg

            from dagster_project.runs import QUIET, run_job
            from dagster_project.progress import attach_terminal

            where = f"port {port}" if port else "a free port"
            print(f"demo portal: {DEMO_BASE}/ (served on 127.0.0.1, {where}, during the crawl)", flush=True)
            resources = {"crawl": {"config": crawl}, "warehouse": {"config": {"path": wh.path}}}
            instance = dg.DagsterInstance.get()
            attach_terminal()  # progress bars when stderr is a terminal
            result = run_job(instance, {**QUIET, "resources": resources})
    except RunBusy as exc:
        print(f"ogi demo: {exc}", file=sys.stderr)
        return 1
    print(f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'} (DAGSTER_HOME={home}; `ogi ui` shows it)")
    if not result.success:
        _print_failures(result)
        print("demo: the run failed (see the log above)", file=sys.stderr)
        return 1
    status = _print_summary(wh, result)
    if keep_portal:
        with Portal(port=port, corpus_dir="auto") as portal:
            portal.set_epoch(EPOCHS[-1])
            print(f"portal still serving {portal.base_url} - Ctrl-C or SIGTERM to stop", flush=True)
            _wait_for_stop_signal()
    return status


def _wait_for_stop_signal() -> None:
    """Block until SIGINT or SIGTERM. Both are set explicitly: a process started with `&` from a script inherits
    SIGINT ignored, and Dagster's run copies the SIGINT disposition onto SIGTERM (STACK.md §5c)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass


def _print_summary(wh: Warehouse, result: dg.ExecuteInProcessResult) -> int:
    """Print the per-agency-year summary, totals and check outcomes; 1 if a pipeline check failed."""
    import polars as pl

    summary = wh.query(
        "select agency, report_year as year, scope, format, n_values as \"values\", n_issues as issues "
        "from v_agency_year order by agency, year, scope"
    )
    totals = wh.query(
        "select count(*) as reports, count(*) filter (where parse_ok) as readable, "
        "count(distinct agency_id) as agencies, "
        "(select count(*) from fact_disclosure) as \"values\", (select count(*) from report_issue) as issues "
        "from dim_report"
    ).row(0, named=True)
    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True, fmt_str_lengths=40):
        print(summary if summary.height else "(no readable report with an agency and a year)")
    print(
        f"reports: {totals['reports']} ({totals['readable']} readable), agencies: {totals['agencies']}, "
        f"values: {totals['values']}, issues: {totals['issues']}"
    )
    print(f"warehouse: {wh.database()}")
    _print_report(wh)
    return _print_checks(result)


def check_line(evaluation: dg.AssetCheckEvaluation) -> str:
    """`check NAME: passed (numbers)`, `check NAME: warning: N findings (numbers)` or `... error: N findings ...`:
    report_issue's words (dagster_project/checks.py: ERROR when a finding is an `error`, WARN when all are
    `warning`s)."""
    import dagster as dg

    metadata = evaluation.metadata
    numbers = ", ".join(f"{name}={m.value}" for name, m in metadata.items()
                        if name != "findings" and isinstance(m, dg.IntMetadataValue))  # fmt: skip
    if evaluation.passed:
        outcome = "passed"
    else:
        word = "error" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "warning"
        found = metadata.get("findings")
        n = found.value if isinstance(found, dg.IntMetadataValue) else None
        outcome = f"{word}: {n} finding{'' if n == 1 else 's'}" if n is not None else word
    return f"check {evaluation.check_name}: {outcome}" + (f" ({numbers})" if numbers else "")


def _print_checks(result: dg.ExecuteInProcessResult) -> int:
    """One `check_line` per check; 1 if a pipeline check (checks.PIPELINE_CHECKS) failed, never for data findings."""
    from dagster_project.checks import PIPELINE_CHECKS

    status = 0
    for evaluation in sorted(result.get_asset_check_evaluations(), key=lambda e: e.check_name):
        print(check_line(evaluation))
        if not evaluation.passed and evaluation.check_name in PIPELINE_CHECKS:
            status = 1
    if status:
        print("a pipeline check failed: the warehouse is not to be trusted (see the check above)", file=sys.stderr)
    return status


# ------------------------------------------------------------------------------------------ run, crawl, sites


def _home() -> Path:
    """DAGSTER_HOME (default ./.dagster_home), created with the committed dagster.yaml (telemetry and the welcome
    modal off, one run at a time); exported, so that DagsterInstance.get() and `dagster dev` use it."""
    home = Path(os.environ.get("DAGSTER_HOME") or ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        text = DAGSTER_YAML_FILE.read_text("utf-8") if DAGSTER_YAML_FILE.is_file() else DAGSTER_YAML
        (home / "dagster.yaml").write_text(text, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


class RunBusy(RuntimeError):
    """Another CLI run holds the instance's run lock."""


@contextmanager
def _run_lock(home: Path, command: str) -> Iterator[None]:
    """Hold DAGSTER_HOME's run lock for the block (RunBusy when another `ogi run`/`ogi demo` holds it). The lock is
    an flock: the system releases it when its process ends, however it ends. Runs launched from the UI or by the
    schedule are queued by the instance instead (dagster.yaml: concurrency.runs.max_concurrent_runs)."""
    import fcntl

    path = home / RUN_LOCK
    with path.open("a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise RunBusy(
                f"another run is in progress in the Dagster instance {home} ({holder}); wait for it to finish "
                "(`ogi ui` shows it) or use another DAGSTER_HOME"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{command}, pid {os.getpid()}")
        lock.flush()
        try:
            yield
        finally:
            lock.seek(0)
            lock.truncate()
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sites_file(path: Path | None) -> Path:
    return path or Path(os.environ.get("OGI_SITES") or "sites.json")


def _load_sites_or_exit(path: Path, only: list[str] | None) -> list[str] | None:
    """The site names of a sites file, checked (`only` must name sites of it); None after printing the error."""
    from crawler.sites import load_sites

    try:
        names = [s.name for s in load_sites(path)]
    except FileNotFoundError:
        print(f"ogi: sites file {path} not found (add a site with `ogi sites add URL`)", file=sys.stderr)
        return None
    except (ValueError, KeyError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
        print(f"ogi: bad sites file {path}: {exc}", file=sys.stderr)
        return None
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        print(f"ogi: no site named {', '.join(unknown)} in {path} (known: {', '.join(names)})", file=sys.stderr)
        return None
    return names


def cmd_run(sites: Path | None, *, only: list[str] | None, data: Path | None, warehouse: Path | None,
            timeout: int, reparse: bool = False, workers: int = 0, revisit: bool = False) -> int:  # fmt: skip
    path = _sites_file(sites).resolve()
    names = _load_sites_or_exit(path, only)
    if names is None:
        return 2
    home = _home()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import dagster as dg

    from dagster_project.resources import Warehouse
    from dagster_project.progress import attach_terminal
    from dagster_project.runs import QUIET, run_job

    crawl = {"sites": str(path), "only": list(only or []), "timeout": timeout, "progress": True,
             "data_dir": str(data.resolve()) if data else "", "revisit": revisit}  # fmt: skip
    wh = Warehouse(path=str(warehouse.resolve()) if warehouse else "")
    resources = {"crawl": {"config": crawl}, "warehouse": {"config": {"path": wh.path}}}
    config: dict[str, object] = {**QUIET, "resources": resources}
    if reparse or workers:
        config["ops"] = {"parsed_reports": {"config": {"reparse": reparse, "workers": workers}}}
    try:
        with _run_lock(home, "ogi run"):
            instance = dg.DagsterInstance.get()
            attach_terminal()  # progress bars when stderr is a terminal
            result = run_job(instance, config)
    except RunBusy as exc:
        print(f"ogi run: {exc}", file=sys.stderr)
        return 1
    print(f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'} (DAGSTER_HOME={home})")
    if not result.success:
        _print_failures(result)
        return 1
    _print_totals(wh)
    return _print_checks(result)


def _print_failures(result: dg.ExecuteInProcessResult) -> None:
    for event in result.all_events:
        if event.is_failure:
            print(f"  {event.step_key}: {event.message}", file=sys.stderr)


def _print_totals(wh: Warehouse) -> None:
    totals = wh.query(
        "select count(*) as reports, count(*) filter (where parse_ok) as readable, "
        "count(distinct agency_id) as agencies, (select count(*) from fact_disclosure) as \"values\", "
        "(select count(*) from report_issue) as issues from dim_report"
    ).row(0, named=True)
    print(
        f"reports: {totals['reports']} ({totals['readable']} readable), agencies: {totals['agencies']}, "
        f"values: {totals['values']}, issues: {totals['issues']}; warehouse: {wh.database()}"
    )
    _print_report(wh)


def _print_report(wh: Warehouse) -> None:
    """Where the html_report asset wrote the report (offline HTML: open it in any browser)."""
    from reports import index_path

    index = index_path(wh.database())
    if index.is_file():
        print(f"report: {index}")


def cmd_crawl(
    sites: Path | None, *, only: list[str] | None, data: Path | None, timeout: int, redis: str | None = None
) -> int:
    from crawler.run import CrawlFailed, run_crawl
    from dagster_project.resources import CrawlConfig

    path = _sites_file(sites).resolve()
    names = _load_sites_or_exit(path, only)
    if names is None:
        return 2
    config = CrawlConfig(sites=str(path), data_dir=str(data) if data else "")
    entries = [e for e in json.loads(path.read_text(encoding="utf-8")) if not only or e["name"] in only]
    config.save_sites(entries)
    try:
        stats = run_crawl(entries, config.archive_path(), timeout=timeout, progress=sys.stderr, redis=redis)
    except CrawlFailed as exc:
        print(f"ogi crawl: {exc}", file=sys.stderr)
        return 1
    print(
        f"crawl {stats.run_id}: {stats.lists} list answer(s), {stats.reports} report(s) ({stats.gone} gone), "
        f"{stats.attachments} attachment(s), {stats.errors} failed, {stats.blocked} blocked by robots.txt, "
        f"{stats.out_of_scope} out of scope, {stats.too_large} too large, "
        f"{stats.new_objects} new bodies in {stats.seconds:.1f} s; archive: {config.archive_path()}"
    )
    return 0


def cmd_sites_add(url: str, *, file: Path, name: str | None, agency: str | None, region: str | None) -> int:
    from crawler.discover import FetchError, find_column, merge_entries, site_entry
    from etl import regions

    if urlsplit(url).scheme not in ("http", "https"):
        print(f"ogi sites add: {url!r} is not an http(s) URL", file=sys.stderr)
        return 2
    try:
        found = find_column(url)
    except (FetchError, LookupError) as exc:
        print(f"ogi sites add: {exc}", file=sys.stderr)
        return 1
    entry = site_entry(found, url, name=name, agency=agency, region=None)
    where = regions.resolve(region) if region else regions.resolve(entry["agency"] or "")
    entry["region"] = (
        {"province": where.province, "city": where.city, "county": where.county, "code": where.code}
        if where else region
    )  # fmt: skip
    existing = json.loads(file.read_text(encoding="utf-8")) if file.is_file() else []
    file.write_text(json.dumps(merge_entries(existing, entry), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    found.check.name = entry["name"]
    print(found.check.line())
    print(f"added site {entry['name']!r} ({entry['agency']}, cms {entry['cms']}) to {file}")
    print(json.dumps(entry, ensure_ascii=False, indent=2))
    if not found.check.reports:
        print("warning: the column's first page links no report (yet); check the entry", file=sys.stderr)
    return 0


def cmd_sites_check(file: Path) -> int:
    from crawler.discover import check_site
    from crawler.sites import load_sites

    try:
        sites = load_sites(file)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"ogi sites check: {file}: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for site in sites:
        check = check_site(site)
        failed += check.error is not None
        print(check.line(), flush=True)
    return 1 if sites and failed == len(sites) else 0


# -------------------------------------------------------------------------------------------------- archive


def cmd_archive_push(url: str, *, data: Path | None) -> int:
    from crawler.store import is_url, push

    # the data directory as CrawlConfig.data_path gives it (dagster_project.resources), without importing Dagster
    archive = Path(data or os.environ.get("OGI_DATA_DIR") or "data") / "archive"
    if not is_url(url):
        print(f"ogi archive push: {url!r} is not a URL (a local directory: file:///absolute/path)", file=sys.stderr)
        return 2
    if not archive.is_dir():
        print(f"ogi archive push: no archive at {archive}", file=sys.stderr)
        return 2
    try:
        stats = push(archive, url)
    except (ImportError, ValueError) as exc:  # fsspec: a protocol it does not know, or whose backend is missing
        print(f"ogi archive push: cannot open {url}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"ogi archive push: {exc}", file=sys.stderr)
        return 1
    print(
        f"pushed {archive} to {url}: {stats.objects_uploaded} object(s) uploaded, {stats.objects_skipped} already "
        f"there, {stats.objects_corrupt} corrupt (not pushed); {stats.files_copied} file(s) copied (manifest, run "
        f"logs), {stats.files_unchanged} unchanged; {stats.bytes} bytes"
    )
    return 0


# --------------------------------------------------------------------------------------------------- export


def cmd_export(directory: Path, *, fmt: str, database: Path | None, overwrite: bool) -> int:
    from dagster_project.export import ExportError, export
    from dagster_project.resources import Warehouse

    db = database or Warehouse().database()
    try:
        counts = export(db, directory, fmt, overwrite=overwrite)
    except ExportError as exc:
        print(f"ogi export: {exc}", file=sys.stderr)
        return 2
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    print(f"exported {len(counts)} tables and views from {db} to {directory} ({fmt}) with the data dictionary")
    return 0


# --------------------------------------------------------------------------------------------------- report


def cmd_report(out: Path, *, database: Path | None, agency: str | None, region: str | None) -> int:
    from dagster_project.resources import Warehouse
    from reports.build import ReportError, build_report

    db = database or Warehouse().database()
    try:
        written = build_report(db, out, agency=agency, region=region)
    except ReportError as exc:
        print(f"ogi report: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {written.rendered} of {len(written.pages)} agency page(s) (the others unchanged since the report "
          f"in {out} was written) and {written.index} from {db}")
    return 0


# ------------------------------------------------------------------------------------------------------- ui


def cmd_ui(*, port: int) -> int:
    """exec `dagster dev` with default SIGINT/SIGTERM dispositions, so that it can be stopped with SIGTERM.

    It runs in DAGSTER_HOME (so that `dagster dev` does not take a dagster.yaml of the current directory for a
    misplaced instance setting), with the current directory's defaults passed on as absolute paths: the sites file,
    data directory and warehouse the code location uses are those of the directory `ogi ui` was started in."""
    cwd = Path.cwd()
    home = _home()
    dagster = shutil.which("dagster", path=str(Path(sys.executable).parent)) or shutil.which("dagster")
    if dagster is None:
        print("ogi ui: the dagster command is not installed", file=sys.stderr)
        return 1
    from dagster_project.resources import DEFAULT_DATA_DIR, DEFAULT_SITES, DEFAULT_WAREHOUSE

    for name, default in (("OGI_SITES", DEFAULT_SITES), ("OGI_DATA_DIR", DEFAULT_DATA_DIR),
                          ("OGI_WAREHOUSE", DEFAULT_WAREHOUSE)):  # fmt: skip
        os.environ[name] = str(cwd / (os.environ.get(name) or default))
    # Started from a non-interactive shell with `&`, SIGINT is inherited as ignored and dagster copies that onto
    # SIGTERM; reset both so `kill -TERM` stops it and its children (STACK.md §5c).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    print(f"Dagster UI on http://127.0.0.1:{port} (DAGSTER_HOME={home})", flush=True)
    argv = [dagster, "dev", "-m", "dagster_project.definitions", "-d", str(cwd), "-h", "127.0.0.1", "-p", str(port)]
    os.chdir(home)
    os.execv(dagster, argv)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
