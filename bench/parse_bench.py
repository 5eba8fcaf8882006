"""Parse throughput on the generated demo corpus: HTML reports/s/core against a bare lxml parse, PDF pages/s.

    python bench/parse_bench.py                 # table
    python bench/parse_bench.py --json          # the same figures as JSON
    python bench/parse_bench.py --min-rate 200  # exit 1 when full parsing is below 200 reports/s/core
    python bench/parse_bench.py --max-real-ratio 5  # exit 1 when real pages parse slower than 5x the floor

Rates are per core: reports divided by the CPU time of this (single-threaded) process, so another job on the
machine slows the wall clock but not the figure. Each round parses every report page of
`portal.sites.generate()` once (74 pages); the median round is reported, the best one beside it.
Real pages: the saved pages of ../shared/corpus (pingtan*/, 17 reports of 2011–2024, about 130 KB each, most of
it page chrome), parsed in full against a floor that any reader of their tables must pay: lxml's
`document_fromstring` of the bytes plus each table as a grid (spans expanded, cell texts); the ratio is the figure.
The stage profile runs the same pages under cProfile and reads the cumulative time of each pipeline stage
(decode, html_doc, meta, mapping, narrative, checks, region); cProfile's overhead inflates the absolute
numbers, the shares are what matter. See bench/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import os
import platform
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lxml  # noqa: E402
import lxml.html  # noqa: E402

from portal.sites import generate  # noqa: E402
from etl.parse import parse_document  # noqa: E402

TARGET = 300.0  # HTML reports/s/core on the generated corpus (issue 11)
REAL_TARGET = 5.0  # real pages: full parse at most this many times the lxml + grid floor (issue 11)
REAL_PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _rounds(fn: Callable[[], int], rounds: int) -> dict[str, float]:
    """Run `fn` (which returns the number of items it handled) `rounds` times; items per CPU second and per wall second."""
    fn()  # warm-up: imports, label indexes, OpenCC, lru caches as in a long run
    cpu_rates, wall_rates = [], []
    for _ in range(rounds):
        c0, w0 = time.process_time(), time.perf_counter()
        n = fn()
        c1, w1 = time.process_time(), time.perf_counter()
        cpu_rates.append(n / max(c1 - c0, 1e-9))
        wall_rates.append(n / max(w1 - w0, 1e-9))
    return {
        "per_cpu_s": statistics.median(cpu_rates),
        "per_cpu_s_best": max(cpu_rates),
        "per_wall_s": statistics.median(wall_rates),
    }


# --- HTML ---------------------------------------------------------------------------------------------------


def html_pages() -> list[tuple[str, bytes, str]]:
    g = generate()
    return [(r["path"], *g.pages[r["path"]]) for r in g.reports]


def bench_html(pages: list[tuple[str, bytes, str]], rounds: int) -> dict[str, Any]:
    def bare() -> int:
        for _, data, _ in pages:
            lxml.html.document_fromstring(data)
        return len(pages)

    def full() -> int:
        for path, data, ctype in pages:
            parse_document(data, input=path, content_type=ctype)
        return len(pages)

    results = [parse_document(data, input=path, content_type=ctype) for path, data, ctype in pages]
    lx = _rounds(bare, rounds)
    pd = _rounds(full, rounds)
    return {
        "reports": len(pages),
        "bytes_mean": round(sum(len(d) for _, d, _ in pages) / len(pages)),
        "parsed_ok": sum(r.ok for r in results),
        "values": sum(len(r.values) for r in results),
        "rounds": rounds,
        "lxml": lx,
        "parse": pd,
        "ratio": lx["per_cpu_s"] / pd["per_cpu_s"],
        "target": TARGET,
        "meets_target": pd["per_cpu_s"] >= TARGET,
    }


# --- real pages -------------------------------------------------------------------------------------------


def real_pages(root: Path = REAL_PAGES) -> list[tuple[str, bytes]]:
    """The saved report pages of the real corpus (pingtan*/: one report per page; list pages left out)."""
    return [(p.name, p.read_bytes()) for p in sorted(root.glob("pingtan*/*.html")) if not p.name.startswith("_")]


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _grid(data: bytes) -> int:
    """The floor: lxml's parse of the bytes plus each table as a grid (rowspan and colspan expanded, every cell's
    text with its whitespace collapsed), the least any reader of these pages' tables does. Returns the grid cells."""
    root = lxml.html.document_fromstring(data)
    n = 0
    for table in root.iter("table"):
        grid: dict[tuple[int, int], str] = {}
        for r, tr in enumerate(table.iter("tr")):
            c = 0
            for cell in tr:
                if cell.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                text = " ".join(cell.text_content().split())
                rows, cols = _span(cell.get("rowspan")), _span(cell.get("colspan"))
                for i in range(rows):
                    for j in range(cols):
                        grid[(r + i, c + j)] = text
                c += cols
        n += len(grid)
    return n


def bench_real(pages: list[tuple[str, bytes]], rounds: int) -> dict[str, Any]:
    if not pages:
        return {"available": False, "reason": f"no pages under {REAL_PAGES}"}

    def floor() -> int:
        for _, data in pages:
            _grid(data)
        return len(pages)

    def full() -> int:
        for name, data in pages:
            parse_document(data, input=name, content_type="text/html")
        return len(pages)

    results = [parse_document(data, input=name, content_type="text/html") for name, data in pages]
    fl = _rounds(floor, rounds)
    pd = _rounds(full, rounds)
    ratio = fl["per_cpu_s"] / pd["per_cpu_s"]
    return {
        "available": True,
        "reports": len(pages),
        "bytes_mean": round(sum(len(d) for _, d in pages) / len(pages)),
        "parsed_ok": sum(r.ok for r in results),
        "values": sum(len(r.values) for r in results),
        "floor": fl,
        "parse": pd,
        "ratio": ratio,
        "target": REAL_TARGET,
        "meets_target": ratio <= REAL_TARGET,
    }


# --- stage profile ------------------------------------------------------------------------------------------

# (stage, module, function): the pipeline steps `etl.parse._parse` calls, resolved by code object so a
# renamed or moved function is reported as missing instead of silently counted as zero.
STAGES = (
    ("decode", "etl.decode", "decode_html"),
    ("html_doc", "etl.document", "html_doc"),
    ("pdf_doc", "etl.pdf", "pdf_doc"),
    ("office_doc", "etl.office", "office_doc"),
    ("text_doc", "etl.document", "text_doc"),
    ("meta", "etl.meta", "extract_meta"),
    ("mapping", "etl.mapping", "map_rows"),
    ("narrative", "etl.narrative", "extract"),
    ("checks", "etl.checks", "check_values"),
    ("checks", "etl.checks", "compare_narrative"),
    ("region", "etl.parse", "_region"),
    ("total", "etl.parse", "parse_document"),
)


def _code_key(module: str, name: str) -> tuple[str, int, str] | None:
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    code = getattr(fn, "__code__", None)
    return (code.co_filename, code.co_firstlineno, code.co_name) if code else None


def _short(filename: str) -> str:
    for marker in ("/site-packages/", "/work/main/", str(Path(__file__).resolve().parent.parent) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def profile(pages: list[tuple[str, bytes, str | None]], rounds: int, top: int) -> dict[str, Any]:
    """cProfile over `rounds` passes of parse_document on `pages` (path, bytes, content type)."""
    for path, data, ctype in pages:  # warm-up outside the profile
        parse_document(data, input=path, content_type=ctype, filename=path)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for path, data, ctype in pages:
            parse_document(data, input=path, content_type=ctype, filename=path)
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    n = rounds * len(pages)
    total = 0.0
    stages: dict[str, float] = {}
    missing = []
    for stage, module, name in STAGES:
        key = _code_key(module, name)
        if key is None or key not in stats:
            if key is None:
                missing.append(f"{module}.{name}")
            continue
        cum = stats[key][3]
        if stage == "total":
            total = cum
        else:
            stages[stage] = stages.get(stage, 0.0) + cum
    rows = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    hot = [
        {"function": f"{_short(k[0])}:{k[1]}({k[2]})", "calls": v[1], "tottime_ms_per_report": 1000 * v[2] / n,
         "cumtime_ms_per_report": 1000 * v[3] / n}
        for k, v in rows
    ]
    return {
        "reports": n,
        "total_ms_per_report": 1000 * total / n,
        "stages_ms_per_report": {s: 1000 * t / n for s, t in stages.items()},
        "stage_share": {s: (t / total if total else 0.0) for s, t in stages.items()},
        "missing_stages": missing,
        "top_tottime": hot,
    }


# --- PDF ----------------------------------------------------------------------------------------------------


def _page_count(data: bytes) -> int:
    """Pages of a PDF: with a PDF library when one is installed, else by counting page objects."""
    for mod in ("pymupdf", "pypdfium2", "pypdf", "pdfplumber"):
        try:
            lib = importlib.import_module(mod)
        except ImportError:
            continue
        if mod == "pymupdf":
            with lib.open(stream=data, filetype="pdf") as doc:
                return doc.page_count
        if mod == "pypdfium2":
            doc = lib.PdfDocument(data)
            try:
                return len(doc)
            finally:
                doc.close()
        if mod == "pypdf":
            import io

            return len(lib.PdfReader(io.BytesIO(data)).pages)
        import io

        with lib.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def bench_pdf(rounds: int, limit: int | None, top: int | None) -> dict[str, Any]:
    try:
        pdfgen = importlib.import_module("portal.pdfgen")
    except ImportError as exc:
        return {"available": False, "reason": f"portal.pdfgen not importable ({exc})"}
    from portal.blocks import blocks

    g = generate()
    docs: list[tuple[str, bytes]] = []
    t0 = time.perf_counter()
    for r in g.reports[:limit]:
        title, body = g.bodies[r["path"]]
        docs.append((r["path"] + ".pdf", pdfgen.pdf_bytes(blocks(body, title), ruled=True)))
    generated_s = time.perf_counter() - t0
    pages = sum(_page_count(d) for _, d in docs)
    results = [parse_document(d, input=p, content_type="application/pdf", filename=p) for p, d in docs]
    errors = sorted({r.error for r in results if not r.ok and r.error})

    def full() -> int:
        for p, d in docs:
            parse_document(d, input=p, content_type="application/pdf", filename=p)
        return pages

    rates = _rounds(full, rounds)
    prof = profile([(p, d, "application/pdf") for p, d in docs], 1, top) if top else None
    return {
        "available": True,
        "generated_s": generated_s,
        "profile": prof,
        "documents": len(docs),
        "pages": pages,
        "parsed_ok": sum(r.ok for r in results),
        "errors": errors[:5],
        "values": sum(len(r.values) for r in results),
        "pages_per_cpu_s": rates["per_cpu_s"],
        "pages_per_cpu_s_best": rates["per_cpu_s_best"],
        "pages_per_wall_s": rates["per_wall_s"],
        "documents_per_cpu_s": rates["per_cpu_s"] * len(docs) / max(pages, 1),
    }


# --- output -------------------------------------------------------------------------------------------------


def _table(out: dict[str, Any]) -> str:
    h = out["html"]
    lines = [
        f"machine: {out['machine']['cpu']} ({out['machine']['cores']} cores), Python {out['machine']['python']}, "
        f"lxml {out['machine']['lxml']}",
        f"HTML corpus: {h['reports']} report pages (mean {h['bytes_mean']:,} bytes), {h['rounds']} rounds; "
        f"parsed ok {h['parsed_ok']}/{h['reports']}, {h['values']} values",
        "",
        f"{'':28}{'reports/s/core':>16}{'(best)':>10}{'reports/s wall':>16}",
        f"{'lxml document_fromstring':28}{h['lxml']['per_cpu_s']:>16,.0f}{h['lxml']['per_cpu_s_best']:>10,.0f}"
        f"{h['lxml']['per_wall_s']:>16,.0f}",
        f"{'etl.parse.parse_document':28}{h['parse']['per_cpu_s']:>16,.0f}{h['parse']['per_cpu_s_best']:>10,.0f}"
        f"{h['parse']['per_wall_s']:>16,.0f}",
        f"ratio lxml/parse: {h['ratio']:.1f}x   target >= {h['target']:.0f} reports/s/core: "
        f"{'met' if h['meets_target'] else 'NOT met'}",
    ]
    real = out.get("real")
    if real is not None:
        lines.append("")
        if not real["available"]:
            lines.append(f"real pages: not measured: {real['reason']}")
        else:
            lines += [
                f"real pages: {real['reports']} (mean {real['bytes_mean']:,} bytes); parsed ok {real['parsed_ok']}/"
                f"{real['reports']}, {real['values']} values",
                f"{'lxml + grid (floor)':28}{real['floor']['per_cpu_s']:>16,.0f}{real['floor']['per_cpu_s_best']:>10,.0f}"
                f"{real['floor']['per_wall_s']:>16,.0f}",
                f"{'etl.parse.parse_document':28}{real['parse']['per_cpu_s']:>16,.0f}{real['parse']['per_cpu_s_best']:>10,.0f}"
                f"{real['parse']['per_wall_s']:>16,.0f}",
                f"ratio parse/floor: {real['ratio']:.1f}x   target <= {real['target']:.0f}x: "
                f"{'met' if real['meets_target'] else 'NOT met'}",
            ]
    if out.get("profile"):
        lines += _profile_lines(out["profile"], "HTML")
    pdf = out["pdf"]
    lines.append("")
    if not pdf["available"]:
        lines.append(f"PDF: not measured: {pdf['reason']}")
    else:
        lines.append(f"PDF: {pdf['documents']} documents, {pdf['pages']} pages; parsed ok {pdf['parsed_ok']}/"
                     f"{pdf['documents']}, {pdf['values']} values; {pdf['pages_per_cpu_s']:,.1f} pages/s/core "
                     f"(best {pdf['pages_per_cpu_s_best']:,.1f}), {pdf['documents_per_cpu_s']:,.1f} documents/s/core")
        if pdf["errors"]:
            lines.append(f"  errors: {pdf['errors']}")
        lines.append(f"  (generating the PDFs took {pdf['generated_s']:.1f} s; not part of the rate)")
        if pdf.get("profile"):
            lines += _profile_lines(pdf["profile"], "PDF")
    return "\n".join(lines)


def _profile_lines(p: dict[str, Any], what: str) -> list[str]:
    lines = ["", f"{what} stage profile (cProfile, {p['reports']} parses; {p['total_ms_per_report']:.2f} ms/report "
                 "under the profiler):"]
    for stage, ms in sorted(p["stages_ms_per_report"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {stage:12}{ms:8.3f} ms  {100 * p['stage_share'][stage]:5.1f} %")
    if p["missing_stages"]:
        lines.append(f"  (not found: {', '.join(p['missing_stages'])})")
    lines += ["", f"{what}: top functions by own time (ms/report):"]
    for row in p["top_tottime"]:
        lines.append(f"  {row['tottime_ms_per_report']:7.3f}  cum {row['cumtime_ms_per_report']:7.3f}  "
                     f"{row['calls']:>8} calls  {row['function']}")
    return lines


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds over the corpus (default 5)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile stage breakdown")
    ap.add_argument("--top", type=int, default=15, help="hot functions to list (default 15)")
    ap.add_argument("--pdf-docs", type=int, default=None,
                    help="limit the PDF corpus to the first N reports (generating all 74 takes ~20 s)")
    ap.add_argument("--min-rate", type=float, default=None,
                    help="exit 1 when full HTML parsing is below this many reports/s/core")
    ap.add_argument("--max-real-ratio", type=float, default=None,
                    help="exit 1 when real pages parse more than this many times slower than the lxml + grid floor")
    ap.add_argument("--no-real", action="store_true", help="skip the real pages")
    args = ap.parse_args(argv)

    pages = html_pages()
    out: dict[str, Any] = {
        "machine": {"cpu": _cpu_name(), "cores": os.cpu_count(), "python": platform.python_version(),
                    "lxml": lxml.__version__},
        "html": bench_html(pages, args.rounds),
    }
    if not args.no_real:
        out["real"] = bench_real(real_pages(), args.rounds)
    if not args.no_profile:
        out["profile"] = profile(pages, 2, args.top)
    out["pdf"] = bench_pdf(max(1, args.rounds // 2), args.pdf_docs, None if args.no_profile else args.top)
    print(json.dumps(out, ensure_ascii=False, indent=2) if args.json else _table(out))
    status = 0
    if args.min_rate is not None and out["html"]["parse"]["per_cpu_s"] < args.min_rate:
        print(f"below {args.min_rate} reports/s/core", file=sys.stderr)
        status = 1
    real = out.get("real")
    if args.max_real_ratio is not None and real and real["available"] and real["ratio"] > args.max_real_ratio:
        print(f"real pages at {real['ratio']:.1f}x the floor, above {args.max_real_ratio}x", file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
