"""Scanned PDFs and page images read by OCR (etl/ocr.py): real OCR (RapidOCR, the models of the rapidocr wheel) on
pages the demo portal generates and degrades (portal/scangen.py). A handful of pages in all: OCR costs seconds a page.

What is asserted is the contract of a scanned report: it is read (`ok`), its figures carry `Source.kind == "ocr"`,
and every figure that differs from what was printed is flagged by an `ocr.*` issue (or corrected by the report's own
identities, with an `ocr.corrected` issue): never a wrong figure loaded silently.
"""

from __future__ import annotations

import io
import subprocess
import sys
from functools import cache
from pathlib import Path

import pymupdf
import pytest
from portal_util import report, report_blocks, truth_values

from etl.model import ParseResult
from etl.ocr import MAX_PAGES, MAX_PIXELS, image_size, reconcile
from etl.parse import parse_document
from portal.blocks import Table
from portal.scangen import page_image, scan_bytes

REPO = Path(__file__).resolve().parents[1]
SITE, YEAR = "quzhou", 2021  # a 2021-format report on two pages: sections 二, 三 (over the page break) and 四


def _flagged(result: ParseResult) -> set[tuple]:
    out = set()
    for i in result.issues:
        d = i.details or {}
        if i.check.startswith("ocr.") and d.get("metric"):
            out.add((d["metric"], d.get("applicant"), d.get("period", "year")))
    return out


def _silently_wrong(result: ParseResult, truth: dict[tuple, object]) -> list[str]:
    """Figures emitted with a value the report does not print, and no ocr issue about them."""
    flagged = _flagged(result)
    wrong = []
    for v in result.values:
        if v.key in truth and truth[v.key] != v.value and v.key not in flagged:
            wrong.append(f"{v.key}: printed {truth[v.key]}, read {v.value} ({v.source.text!r})")
        elif v.key not in truth and v.key not in flagged:
            wrong.append(f"{v.key}: not printed, read {v.value}")
    return wrong


@cache
def scanned() -> tuple[bytes, ParseResult]:
    data = scan_bytes(list(report_blocks(SITE, YEAR)))
    return data, parse_document(data, input="scan.pdf", filename="scan.pdf", content_type="application/pdf")


def test_a_scanned_2021_report_is_read_by_ocr() -> None:
    data, r = scanned()
    with pymupdf.open(stream=data, filetype="pdf") as d:  # an image-only PDF: no text layer at all
        assert d.page_count == 2 and all(p.get_images() and not p.get_text().strip() for p in d)
    assert r.ok, r.error  # no longer "scanned PDF, no text layer"
    assert r.decoding == "pdf:ocr"
    assert r.report is not None and (r.report.report_year, r.report.format) == (YEAR, "2021")
    assert r.report.section_formats == report(SITE, YEAR)["section_formats"]
    assert r.values and {v.source.kind for v in r.values} == {"ocr"}
    assert {v["source"]["kind"] for v in r.to_contract()["values"]} == {"ocr"}
    truth = truth_values(report(SITE, YEAR))
    got = {v.key: v.value for v in r.values}
    right = sum(got.get(k, object()) == t for k, t in truth.items())
    assert right >= 0.95 * len(truth), f"{right} of {len(truth)} figures read right"
    assert _silently_wrong(r, truth) == []
    # the report's identities reconcile: no template check fails on the figures kept
    failed = [i for i in r.issues if i.check.startswith(("requests.", "review.", "litigation.")) and i.severity == "error"]
    assert failed == [], failed
    # the section 三 balance, 一 + 二 = 七 + 四, on the figures read, for every applicant column
    for a in ("natural_person", "commercial_enterprise", "total"):
        new, carried, total, forward = (got[(m, a, "year")] for m in (
            "requests.new", "requests.carried_over", "requests.result.total", "requests.carried_forward"))
        assert new + carried == total + forward


def _first(blocks: list, text: str) -> tuple[int, int]:
    """Where a figure is printed in the blocks: (table number, row) of its first cell."""
    for t, b in enumerate(x for x in blocks if isinstance(x, Table)):
        for i, row in enumerate(b.rows):
            if any(c.text == text for c in row):
                return t, i
    raise AssertionError(text)


def test_a_smudged_figure_is_flagged_or_corrected_never_silently_wrong() -> None:
    blocks = list(report_blocks(SITE, YEAR))
    truth = truth_values(report(SITE, YEAR))
    key = ("requests.new", "natural_person", "year")
    printed = str(truth[key])
    _first(blocks, printed)  # the figure is printed in a table cell
    data = scan_bytes(blocks, smudge=[(printed, 0)])
    r = parse_document(data, input="smudged.pdf", filename="smudged.pdf")
    assert r.ok, r.error
    got = {v.key: v for v in r.values}
    issues = [i for i in r.issues if i.check.startswith("ocr.") and (i.details or {}).get("metric") == key[0]
              and (i.details or {}).get("applicant") == key[1]]
    if key in got and got[key].value == truth[key]:
        # read anyway, or put right by the identities (then said so)
        assert all(i.check == "ocr.corrected" for i in issues)
    else:
        # not read, or misread: the cell is flagged (a missing key is no figure at all)
        assert key not in got or issues, (got.get(key), r.issues)
    assert _silently_wrong(r, truth) == []


def _page_png_and_jpeg() -> tuple[bytes, bytes, dict]:
    """The first page of a report (its title, summary and section 二) as a PNG and as a JPEG scan."""
    blocks = list(report_blocks(SITE, YEAR))
    from portal.pdfgen import pdf_bytes

    doc = pymupdf.open(stream=pdf_bytes(blocks, ruled=True), filetype="pdf")
    import random

    png = page_image(doc[0], dpi=150, rng=random.Random(1), image_format="png")
    jpeg = page_image(doc[0], dpi=150, rng=random.Random(2), image_format="jpeg")
    return png, jpeg, truth_values(report(SITE, YEAR))


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_png_and_jpeg_pages_are_read_by_ocr(fmt: str) -> None:
    png, jpeg, truth = _page_png_and_jpeg()
    data = png if fmt == "png" else jpeg
    assert data[:4] == (b"\x89PNG" if fmt == "png" else b"\xff\xd8\xff\xe0")
    r = parse_document(data, input=f"page.{fmt}", filename=None, content_type=None)  # sniffed by its magic bytes
    assert r.ok, r.error
    assert r.decoding == "image:ocr"
    assert r.report is not None and r.report.report_year == YEAR
    assert r.report.title and "政府信息公开工作年度报告" in r.report.title
    sec2 = {v.key: v.value for v in r.values if v.metric.startswith("active.")}
    assert sec2 and {v.source.kind for v in r.values} == {"ocr"}
    assert sum(truth.get(k) == v for k, v in sec2.items()) >= 0.9 * len(sec2)
    assert _silently_wrong(r, truth) == []


def test_huge_images_and_long_scans_are_refused_with_a_reason() -> None:
    # a PNG whose header says 10000 x 10000: refused from the header, nothing decoded
    head = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + (10000).to_bytes(4, "big") * 2 + b"\x08\x00\x00\x00\x00"
    assert image_size(head) == (10000, 10000)
    r = parse_document(head + b"\x00" * 100, input="huge.png")
    assert not r.ok and r.error is not None
    assert r.error.startswith("image: image is 10000×10000 pixels") and f"{MAX_PIXELS // 1_000_000} Mpx" in r.error
    # a JPEG: its size from the SOF segment
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (64, 48), 230).save(buf, format="JPEG")
    assert image_size(buf.getvalue()) == (64, 48)
    # a scanned PDF with more pages than the OCR reads
    doc = pymupdf.open()
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 20, 20), False)
    pix.set_rect(pix.irect, (200,))
    for _ in range(MAX_PAGES + 1):
        doc.new_page().insert_image(pymupdf.Rect(0, 0, 595, 842), pixmap=pix)
    r = parse_document(doc.tobytes(), input="long.pdf")
    assert not r.ok
    assert r.error == f"scanned PDF, no text layer; OCR: scanned PDF has {MAX_PAGES + 1} pages, more than {MAX_PAGES} (the OCR limit)"
    # a page far too large to render
    doc = pymupdf.open()
    doc.new_page(width=14000, height=14000).insert_image(pymupdf.Rect(0, 0, 14000, 14000), pixmap=pix)
    r = parse_document(doc.tobytes(), input="poster.pdf")
    assert not r.ok and r.error is not None and "more than 20 Mpx" in r.error
    # broken image bytes
    r = parse_document(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, input="x.png")
    assert not r.ok and r.error is not None and r.error.startswith("image: broken image")


def test_identities_correct_one_misread_cell_and_flag_the_rest() -> None:
    """reconcile on figures as the mapper gives them: one misread cell that the row and column totals pin down is
    corrected; two misread cells in one row are flagged, never corrected."""
    from etl.model import Source, Value

    def v(metric: str, applicant: str, value: int) -> Value:
        return Value(metric, applicant, "year", value, "件", False,
                     Source("table", "三", metric, applicant, str(value), 1))

    rows = {"requests.new": (3, 4, 7), "requests.carried_over": (1, 0, 1), "requests.result.disclosed": (2, 3, 5),
            "requests.result.total": (2, 3, 5), "requests.carried_forward": (2, 1, 3)}
    good = [v(m, a, x) for m, xs in rows.items() for a, x in zip(("natural_person", "other_org", "total"), xs)]
    values, _, issues = reconcile(good, [], None)
    assert [i for i in issues if i.severity == "error"] == [] and {x.source.kind for x in values} == {"ocr"}

    # 4 misread as 1: the row total (7) and the column balance both point at it, and agree on 4
    bad = [x if (x.metric, x.applicant) != ("requests.new", "other_org") else v("requests.new", "other_org", 1)
           for x in good]
    values, _, issues = reconcile(bad, [], None)
    fixed = {x.key: x.value for x in values}
    assert fixed[("requests.new", "other_org", "year")] == 4
    assert [i.check for i in issues if i.check.startswith("ocr.")] == ["ocr.corrected"]
    assert not [i for i in issues if i.severity == "error"]

    # two cells of one row misread the other way round: nothing pins a single cell; every doubtful cell is flagged
    swap = {("requests.new", "natural_person"): 4, ("requests.new", "other_org"): 3}
    bad = [v(x.metric, x.applicant, swap[(x.metric, x.applicant)]) if (x.metric, x.applicant) in swap else x
           for x in good]
    values, _, issues = reconcile(bad, [], None)
    assert {x.key: x.value for x in values}[("requests.new", "other_org", "year")] == 3  # kept as read
    doubtful = {(i.details or {}).get("applicant") for i in issues if i.check == "ocr.unreconciled"}
    assert {"natural_person", "other_org"} <= doubtful
    assert any(i.check == "requests.balance" for i in issues)  # the template check still reports the break


def test_the_models_ship_in_the_wheel_no_network_at_run_time() -> None:
    """The OCR engine loads and reads with every socket refused (a fresh process: nothing cached)."""
    code = """
import socket
def refuse(*a, **k):
    raise OSError("network refused by the test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import numpy as np
from etl.ocr import _engine
img = np.full((60, 200, 3), 235, np.uint8)
out = _engine()(img)
print("ok", len(out.txts or ()))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ok")


def test_a_row_the_ocr_missed_is_flagged() -> None:
    """A 2021 section 三 read without its `需要重新制作` row (all zeros: no identity fails) gets one
    `ocr.unread` issue (a warning) naming the row's metric and its seven applicant cells; a complete section none, a
    section not read at all none, and the 2014 table (optional provincial rows) never."""
    from etl.catalog import labels, metrics
    from etl.model import APPLICANTS
    from etl.ocr import missing_rows

    catalog = metrics()
    codes = {lb.code for lb in labels() if lb.format == "2021" and catalog[lb.code].section.startswith("三")}
    full = {(c, a, "year") for c in codes for a in (APPLICANTS if catalog[c].by_applicant else (None,))}
    gone = "requests.result.unavailable.needs_creation"
    assert gone in codes
    [issue] = missing_rows({k for k in full if k[0] != gone}, {"三": "2021"})
    assert (issue.check, issue.severity) == ("ocr.unread", "warning") and issue.details is not None
    assert issue.details["metric"] == gone and issue.details["applicants"] == list(APPLICANTS)
    assert issue.details["reason"] == "missing_row"
    assert missing_rows(full, {"三": "2021"}) == []
    assert missing_rows(set(), {"三": "2021"}) == []
    assert missing_rows({k for k in full if k[0] != gone}, {"三": "2014"}) == []
