"""OCR throughput: scanned pages of the generated demo reports (portal.scangen) read by etl.ocr.

Reports: model load time; per page the OCR time (deskew, rules, RapidOCR detection + recognition), split into
detection and recognition where RapidOCR reports it; pages/s (wall) and s/page (wall and CPU); and the time of the
rest of the parse (layout through etl.pdf, mapping, reconcile). Generating the scans is not timed.

    python bench/ocr_bench.py                    # 4 reports (2014, 2019, 2021, local), about 10 pages
    python bench/ocr_bench.py --reports 8 --threads 1
    python bench/ocr_bench.py --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=4, help="reports to read (spread over the formats)")
    ap.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads (default etl.ocr.THREADS)")
    ap.add_argument("--dpi", type=int, default=None, help="rendering dpi of the scanned pages (default etl.ocr.DPI)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from etl import ocr

    if args.threads:
        ocr.THREADS = args.threads
    if args.dpi:
        ocr.DPI = args.dpi
    from portal.blocks import blocks
    from portal.scangen import scan_bytes
    from portal.sites import generate

    g = generate()
    by_format: dict[str, list[dict]] = {}
    for r in g.reports:
        by_format.setdefault(r["format"], []).append(r)
    order = ["2021", "2019", "2014", "local", "narrative"]
    picked: list[dict] = []
    i = 0
    while len(picked) < args.reports and any(by_format.values()):
        fmt = order[i % len(order)]
        if by_format.get(fmt):
            picked.append(by_format[fmt].pop(len(by_format[fmt]) // 2))
        i += 1
    scans = []
    for r in picked:
        title, body = g.bodies[r["path"]]
        scans.append((r, scan_bytes(blocks(body, title))))

    t = time.perf_counter()
    ocr.warm_up()
    load = time.perf_counter() - t

    from etl.parse import parse_document

    pages: list[dict] = []
    docs: list[dict] = []
    for r, data in scans:
        wall, cpu = time.perf_counter(), time.process_time()
        images = ocr._render_pages(data)
        read = [ocr._ocr_page(gray, dpi, n) for n, (gray, dpi) in enumerate(images, start=1)]
        ocr_wall, ocr_cpu = time.perf_counter() - wall, time.process_time() - cpu
        for p in read:
            pages.append({"report": r["path"], "page": p.number, "seconds": p.seconds, "boxes": len(p.boxes),
                          "pixels": p.width * p.height})
        wall2 = time.perf_counter()
        res = parse_document(data, input=r["path"], filename="scan.pdf")
        whole = time.perf_counter() - wall2
        docs.append({"report": r["path"], "format": r["format"], "pages": len(read), "ocr_wall": ocr_wall,
                     "ocr_cpu": ocr_cpu, "parse_wall": whole, "rest": max(0.0, whole - ocr_wall), "ok": res.ok,
                     "values": len(res.values)})
    n = len(pages)
    total_wall = sum(d["ocr_wall"] for d in docs)
    total_cpu = sum(d["ocr_cpu"] for d in docs)
    out = {
        "threads": ocr.THREADS, "dpi": ocr.DPI, "model_load_s": round(load, 2), "pages": n,
        "pages_per_s": round(n / total_wall, 3) if total_wall else None,
        "s_per_page_wall": round(total_wall / n, 2) if n else None,
        "s_per_page_cpu": round(total_cpu / n, 2) if n else None,
        "median_page_s": round(statistics.median(p["seconds"] for p in pages), 2) if pages else None,
        "max_page_s": round(max(p["seconds"] for p in pages), 2) if pages else None,
        "boxes_per_page": round(statistics.mean(p["boxes"] for p in pages), 1) if pages else None,
        "rest_of_parse_s_per_doc": round(statistics.mean(d["rest"] for d in docs), 2) if docs else None,
        "docs": docs,
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(f"OCR: rapidocr PP-OCRv6 small (onnxruntime), {out['threads']} thread(s), pages rendered at {out['dpi']} dpi")
    print(f"model load            {out['model_load_s']:>8} s")
    print(f"pages                 {n:>8}   ({len(docs)} reports)")
    print(f"pages/s (wall)        {out['pages_per_s']:>8}")
    print(f"s/page wall / CPU     {out['s_per_page_wall']:>8} / {out['s_per_page_cpu']}")
    print(f"page median / max     {out['median_page_s']:>8} / {out['max_page_s']} s")
    print(f"text boxes per page   {out['boxes_per_page']:>8}")
    print(f"rest of the parse     {out['rest_of_parse_s_per_doc']:>8} s/report (layout, mapping, reconcile)")
    for d in docs:
        print(f"  {d['format']:<9} {d['pages']} p  OCR {d['ocr_wall']:6.1f} s  parse {d['parse_wall']:6.1f} s  "
              f"ok={d['ok']} values={d['values']}  {d['report']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
