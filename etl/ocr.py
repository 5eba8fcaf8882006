"""Scanned PDFs and images (PNG, JPEG) -> `Doc`, by OCR; then the report's own identities decide what is trusted.

The OCR is RapidOCR (`rapidocr` on PyPI) on onnxruntime, with the PP-OCRv6 small detection and recognition models
that ship inside the `rapidocr` wheel: nothing is downloaded, the model files are named explicitly and a missing one
is an error, never a fetch. Loading takes about 0.5 s, once per process.

A page goes through these steps:

1. the page image: a PDF page rendered with PyMuPDF at `DPI` (grey), a PNG/JPEG decoded by Pillow (its size is
   read from the header first: more than `MAX_PIXELS` is refused before anything is decoded);
2. deskew: the angle that makes the rows of dark pixels sharpest (a projection profile, ±3°), the page turned by it;
3. ruling lines: long horizontal and vertical runs of dark pixels (morphological opening), as segments;
4. text boxes: RapidOCR's detected lines with their recognised text and score (no score threshold: a digit read
   with a low score is kept, and judged below, never silently dropped, which would read as a blank cell);
5. a synthetic text PDF: the ruling lines drawn as vector lines and every recognised text placed where it was seen,
   in font sizes quantised per document; `etl.pdf.pdf_doc` then reads it exactly as it reads a text PDF (ruled
   and unruled tables, merged cells, tables continued on the next page, paragraphs). Pages are registered on each
   other's table columns first, so that a table continued over a page break keeps its columns.

`reconcile` then judges the figures the mapper read from that `Doc` (etl.parse calls it): every OCR'd value carries
`Source.kind == "ocr"`. The template identities (section 三's balance 一+二 = 七+四, result sums and applicant sums,
section 四 totals, the other totals of etl.checks) are evaluated on the figures as read: a cell in a holding
identity is confirmed; a failing identity makes its unconfirmed cells doubtful. One doubtful cell that alone
explains every failing identity, with the same corrected figure from each and a figure close to what was read
(at most two digits edited), is corrected (`ocr.corrected`, a warning); otherwise each doubtful cell gets an
`ocr.unreconciled` issue (an error) and keeps the figure read. Also `ocr.unreconciled`: a fraction where the template
counts (a speck read as a decimal point). A figure not read at all is `ocr.unread` (a warning: it may be a printed
blank): a cell read blank in a row of figures (a figure the OCR did not see, or a printed blank), and a row a 2019
or 2021 section prints that gave no figure while the section's other rows did (`missing_rows`: a row the OCR did not
recognise; a row of zeros leaves every identity holding). A figure recognised with a low score that no identity
confirms gets an `ocr.low_confidence` issue (a warning). A scanned report therefore stays `ok` with an issue per
doubtful cell; the template checks (etl.checks) run on the figures kept.

Work is bounded: at most `MAX_PAGES` pages and `MAX_PIXELS` pixels per page (beyond: `OcrError`, the document's
`ok: false` reason), text detection on at most `MAX_SIDE` pixels per side, at most `MAX_BOXES` text boxes per page,
and `MAX_SECONDS` of OCR per document (the pages after it are not read: `truncated:ocr-time` in `Doc.steps`).
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from etl.document import Doc
from etl.model import APPLICANTS, Issue, Value

DPI = 150  # rendering of PDF pages: 9 pt table text is ~19 px high
MAX_PAGES = 30
MAX_PIXELS = 20_000_000  # per page
MAX_SIDE = 2000  # text detection runs on the page scaled to at most this many pixels per side
MAX_BOXES = 1500  # text boxes per page (a dense report page has about 300)
MAX_SECONDS = 300.0  # OCR time per document; pages after it are left out (truncated)
THREADS = 2  # onnxruntime intra-op threads
LOW_SCORE = 0.93  # a figure recognised with a lower score is doubtful unless an identity confirms it
MODELS = ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx")


class OcrError(Exception):
    """An image or scanned PDF that is not OCR'd (too large, too many pages, undecodable, OCR not installed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Box:
    """One recognised text line: its text, its box in page pixels (deskewed page), its recognition score."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(slots=True)
class OcrPage:
    number: int  # 1-based
    width: int  # pixels
    height: int
    dpi: float
    boxes: list[Box] = field(default_factory=list)
    hrules: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1) in pixels
    vrules: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    angle: float = 0.0  # deskew angle applied, degrees
    seconds: float = 0.0


@dataclass(slots=True)
class OcrInfo:
    """What the OCR saw, for `reconcile`: the pages and their boxes."""

    pages: list[OcrPage]
    truncated: bool = False

    def score_of(self, page: int | None, text: str) -> float | None:
        """The lowest score of the boxes on `page` (any page when None) whose text reads `text` (digits compared)."""
        want = _digits(text)
        if not want:
            return None
        best: float | None = None
        for p in self.pages:
            if page is not None and p.number != page:
                continue
            for b in p.boxes:
                if _digits(b.text) == want or (page is None and want in _digits(b.text)):
                    best = b.score if best is None else min(best, b.score)
        return best

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.pages)


# --- the OCR engine ---------------------------------------------------------------------------------------------

_LOCK = threading.Lock()


@cache
def _engine() -> Any:
    try:
        import rapidocr
        from rapidocr import RapidOCR
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise OcrError(f"OCR is not installed (rapidocr: {exc})") from None
    models = Path(rapidocr.__file__).parent / "models"
    det, rec = (models / name for name in MODELS)
    for path in (det, rec):
        if not path.is_file():  # never let the library download a model
            raise OcrError(f"OCR model missing from the installed rapidocr package: {path.name}")
    import logging

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    params = {
        "Global.log_level": "error",
        "Global.use_cls": False,
        "Global.text_score": 0.0,
        "Global.max_side_len": MAX_SIDE,
        "Det.model_path": str(det),
        "Det.max_candidates": MAX_BOXES,
        "Rec.model_path": str(rec),
        "EngineConfig.onnxruntime.intra_op_num_threads": THREADS,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    engine = RapidOCR(params=params)
    _quiet_sessions(engine)
    return engine


def _quiet_sessions(engine: Any) -> None:
    """The detection and recognition sessions again, with onnxruntime's spin-waiting off: on a busy machine (two
    cores shared with other work) spinning threads make a page several times slower. Best effort: the sessions
    rapidocr made stay when its internals differ."""
    try:
        import onnxruntime as ort

        for load in (engine._load_det_model, engine._load_rec_model):
            holder = load().session  # rapidocr's OrtInferSession
            old = holder.session
            opts = ort.SessionOptions()
            opts.log_severity_level = 4
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            opts.intra_op_num_threads = THREADS
            opts.inter_op_num_threads = 1
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
            path = old._model_path if hasattr(old, "_model_path") else None
            if path:
                holder.session = ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - keep the library's own sessions
        return


def warm_up() -> float:
    """Load the OCR models (once per process); the seconds it took."""
    t = time.perf_counter()
    _engine()
    return time.perf_counter() - t


# --- images -------------------------------------------------------------------------------------------------------


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG from its header, without decoding it; None when not found."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:3] == b"\xff\xd8\xff":
        i, n = 2, len(data)
        while i + 9 < n:
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
            i += 2 + length
    return None


def _check_pixels(w: int, h: int, what: str) -> None:
    if w < 16 or h < 16:
        raise OcrError(f"{what} is {w}×{h} pixels: too small to hold any text")
    if w * h > MAX_PIXELS:
        raise OcrError(f"{what} is {w}×{h} pixels ({w * h / 1e6:.1f} Mpx), more than {MAX_PIXELS / 1e6:.0f} Mpx: not OCR'd")


def _decode_image(data: bytes) -> tuple[Any, float]:
    """Grey pixels (numpy uint8) and the image's resolution (dpi; 150 when it does not say)."""
    size = image_size(data)
    if size is None:
        raise OcrError("broken image: no PNG/JPEG header with a size")
    _check_pixels(*size, "image")
    import numpy as np
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.size != size:
                raise OcrError("broken image: its size does not match its header")
            dpi = im.info.get("dpi", (0, 0))[0] or 0
            grey = im.convert("L")
            grey.load()
    except OcrError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types on broken files
        raise OcrError(f"broken image: {type(exc).__name__}: {exc}") from None
    arr = np.asarray(grey, dtype=np.uint8)
    try:
        dpi = float(dpi)
    except (TypeError, ValueError):
        dpi = 0.0
    return arr, dpi if 50 <= dpi <= 1200 else float(DPI)


def _render_pages(data: bytes) -> list[tuple[Any, float]]:
    """The pages of a PDF as grey pixels at DPI (bounded: pages and pixels)."""
    import numpy as np
    import pymupdf

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # noqa: BLE001
        raise OcrError(f"broken PDF: {exc}") from None
    try:
        if doc.page_count > MAX_PAGES:
            raise OcrError(f"scanned PDF has {doc.page_count} pages, more than {MAX_PAGES} (the OCR limit)")
        out = []
        for page in doc:
            w, h = round(page.rect.width * DPI / 72), round(page.rect.height * DPI / 72)
            _check_pixels(w, h, f"page {page.number + 1} at {DPI} dpi")
            pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY, alpha=False)
            arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
            out.append((arr, float(DPI)))
        return out
    except OcrError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise OcrError(f"broken PDF: {exc}") from None
    finally:
        doc.close()


# --- one page: deskew, rules, text boxes --------------------------------------------------------------------------


def _ink(gray: Any) -> Any:
    """Dark pixels (255) on a light background (0): a threshold under the page's background level."""
    import numpy as np

    bg = float(np.percentile(gray, 90))
    return ((gray < bg - max(40.0, 0.25 * bg)) * 255).astype(np.uint8)


def _skew(gray: Any) -> float:
    """The page's skew in degrees (the turn that makes the rows of ink sharpest), ±3°."""
    import cv2
    import numpy as np

    ink = _ink(gray)
    h, w = ink.shape
    scale = min(1.0, 800.0 / max(h, w))
    small = cv2.resize(ink, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    if small.sum() == 0:
        return 0.0
    sh, sw = small.shape
    centre = (sw / 2, sh / 2)

    def sharp(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(small, m, (sw, sh), flags=cv2.INTER_LINEAR, borderValue=0)
        prof = rot.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(prof)).sum())

    best = max((a / 4 for a in range(-12, 13)), key=sharp)
    best = max((best + a / 40 for a in range(-10, 11)), key=sharp)
    return best


def _rotate(gray: Any, angle: float) -> Any:
    import cv2

    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _rules(gray: Any, dpi: float) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) ruling lines, in pixels."""
    import cv2

    ink = _ink(gray)
    em = dpi / 72 * 10  # about a character
    out: list[list[tuple[float, float, float]]] = []
    for horizontal in (True, False):
        length = max(15, int(em * 2.2))
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        opened = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        # bridge small gaps (a broken scan line), then measure
        bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1) if horizontal else (1, 5))
        opened = cv2.morphologyEx(opened, cv2.MORPH_CLOSE, bridge)
        n, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
        segs = []
        for i in range(1, n):
            x, y, cw, ch, _area = stats[i]
            if horizontal and cw >= length and ch <= max(6, em * 0.5):
                segs.append((y + ch / 2, float(x), float(x + cw)))
            elif not horizontal and ch >= length and cw <= max(6, em * 0.5):
                segs.append((x + cw / 2, float(y), float(y + ch)))
        out.append(segs)
    return out[0], out[1]


_NUMERISH = re.compile(r"^[\s\dOoIl|,，.．。%'`‘’·:;_~-]+$")
_CONFUSED = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "，": ",", "．": ".", "。": "."})
_EDGE_NOISE = ".,'`‘’·:;_~"


def _clean_box_text(text: str) -> tuple[str, bool]:
    """A recognised text with the usual OCR confusions inside figures undone (`1O7` -> `107`, dust read as a dot
    or a quote at either end: `.1` -> `1`); whether it changed (the box's score is then lowered)."""
    text = " ".join(text.split())
    if not text.strip(_EDGE_NOISE + " "):
        return "", True  # a speck of dust read as a dot or a quote
    if re.fullmatch(r"[一—－\-_~―]+", text):
        return "—", text != "—"  # a printed blank mark (a dash reads as 一)
    if _NUMERISH.match(text) and any(c.isdigit() for c in text):
        fixed = text.translate(_CONFUSED).strip(_EDGE_NOISE + " ")
        fixed = fixed.lstrip("-") if fixed.startswith("-") and not fixed[1:2].isdigit() else fixed
        if re.fullmatch(r"[\d.,\s]+", fixed) and not re.search(r"\d\s+\d", fixed.replace(".", "").replace(",", "")):
            fixed = fixed.replace(" ", "")
        elif re.fullmatch(r"[\d.,\s]+", fixed) and ("." in fixed or "," in fixed):
            fixed = re.sub(r"(?<=[\d.,])\s+(?=[\d.,])", "", fixed)
        fixed = re.sub(r"(?<=\d)[']+(?=\d)", "", fixed)
        return fixed, fixed != text
    return text, False


def _ocr_page(gray: Any, dpi: float, number: int) -> OcrPage:
    import cv2
    import numpy as np

    t = time.perf_counter()
    angle = _skew(gray)
    if abs(angle) >= 0.05:
        gray = _rotate(gray, angle)
    h, w = gray.shape
    page = OcrPage(number, w, h, dpi, angle=angle)
    page.hrules, page.vrules = _rules(gray, dpi)
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    engine = _engine()
    try:
        with _LOCK:  # one onnxruntime session per process, used by one page at a time
            res = engine(bgr)
    except Exception as exc:  # noqa: BLE001 - a page the OCR cannot process is a reason, not a crash
        raise OcrError(f"OCR failed on page {number}: {type(exc).__name__}: {exc}") from None
    boxes = res.boxes if res.boxes is not None else []
    for quad, text, score in zip(boxes, res.txts or (), res.scores or (), strict=False):
        q = np.asarray(quad, dtype=float)
        text, changed = _clean_box_text(str(text))
        if not text:
            continue
        score = float(score) * (0.8 if changed else 1.0)
        page.boxes.append(Box(text, float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()),
                              float(q[:, 1].max()), score))
        if len(page.boxes) >= MAX_BOXES:
            break
    page.seconds = time.perf_counter() - t
    return page


# --- pages -> a synthetic text PDF -> Doc -------------------------------------------------------------------------


def _split_at_rules(page: OcrPage) -> None:
    """A text box running over a vertical rule (two cells read as one line: `174 26`) is split at the rule when its
    space-separated parts are as many as the pieces the rules cut it into."""
    out: list[Box] = []
    for b in page.boxes:
        cuts = sorted(x for x, y0, y1 in page.vrules
                      if b.x0 + 4 < x < b.x1 - 4 and y0 <= b.cy <= y1)
        parts = b.text.split(" ")
        if cuts and len(parts) == len(cuts) + 1:
            edges = [b.x0, *cuts, b.x1]
            for k, part in enumerate(parts):
                out.append(Box(part, edges[k] + 2, b.y0, edges[k + 1] - 2, b.y1, b.score))
        else:
            out.append(b)
    page.boxes = out


def _register(pages: list[OcrPage]) -> None:
    """Shift each page so that its vertical rules fall on the previous page's (a table continued over a page break
    keeps its columns), and snap rule positions that agree within a few pixels to exactly the same value."""
    known: list[float] = []
    for page in pages:
        xs = sorted({round(x, 1) for x, y0, y1 in page.vrules if y1 - y0 > 20})
        dx = 0.0
        if known and xs:
            best = (0, 0.0)
            for a in known:
                for b in xs:
                    d = a - b
                    if abs(d) > 40:
                        continue
                    hits = sum(any(abs(k - (x + d)) <= 3 for k in known) for x in xs)
                    if hits > best[0]:
                        best = (hits, d)
            if best[0] >= 2:
                dx = best[1]
        if dx:
            page.boxes = [dataclasses.replace(b, x0=b.x0 + dx, x1=b.x1 + dx) for b in page.boxes]
            page.hrules = [(y, x0 + dx, x1 + dx) for y, x0, x1 in page.hrules]
            page.vrules = [(x + dx, y0, y1) for x, y0, y1 in page.vrules]

        def snap(x: float) -> float:
            near = [k for k in known if abs(k - x) <= 3]
            return min(near, key=lambda k: abs(k - x)) if near else x

        page.vrules = [(snap(x), y0, y1) for x, y0, y1 in page.vrules]
        for x, _, _ in page.vrules:
            if not any(abs(k - x) <= 3 for k in known):
                known.append(x)


def _snap_rules(page: OcrPage) -> None:
    """Rule ends that stop a few pixels short of a crossing rule reach it (a lattice needs its corners)."""
    tol = max(4.0, page.dpi / 72 * 3)
    xs = [x for x, _, _ in page.vrules]
    ys = [y for y, _, _ in page.hrules]

    def end(v: float, pool: list[float]) -> float:
        near = [p for p in pool if abs(p - v) <= tol]
        return min(near, key=lambda p: abs(p - v)) if near else v

    page.hrules = [(y, end(x0, xs), end(x1, xs)) for y, x0, x1 in page.hrules]
    page.vrules = [(x, end(y0, ys), end(y1, ys)) for x, y0, y1 in page.vrules]


def _sizes(pages: list[OcrPage]) -> dict[tuple[int, int], float]:
    """Font size (points) per (page index, box index): each box's size from its width and text, quantised to the
    document's clusters of sizes (body, table, title), so that lines of one paragraph get the same size."""
    from etl.pdf import join_lines  # noqa: F401 - etl.pdf is loaded for the synthetic PDF anyway

    font = _font()
    est: dict[tuple[int, int], float] = {}
    weights: list[tuple[float, float]] = []
    for pi, page in enumerate(pages):
        k = 72 / page.dpi
        for bi, b in enumerate(page.boxes):
            adv = font.text_length(b.text, 1.0)
            if adv <= 0:
                continue
            size = max(4.0, min(((b.x1 - b.x0) - 4) / adv, (b.y1 - b.y0) * 0.95) * k)
            est[(pi, bi)] = size
            if adv >= 4:
                weights.append((size, adv))
    clusters: list[list[float]] = []
    for size, adv in sorted(weights):
        if clusters and size <= clusters[-1][0] * 1.12:
            clusters[-1].extend([size] * max(1, round(adv)))
        else:
            clusters.append([size] * max(1, round(adv)))
    centres = [round(sorted(c)[len(c) // 2] * 4) / 4 for c in clusters] or [10.5]
    return {key: min(centres, key=lambda c: abs(c - s)) for key, s in est.items()}


@cache
def _font() -> Any:
    import pymupdf

    return pymupdf.Font("cjk")


def _baselines(boxes: list[Box]) -> dict[int, float]:
    """Boxes whose centres sit at the same height (one printed line) -> one common centre height, per box index."""
    base: dict[int, float] = {}
    group: list[int] = []

    def close() -> None:
        cy = sorted(boxes[i].cy for i in group)[len(group) // 2]
        for i in group:
            base[i] = cy

    for i in sorted(range(len(boxes)), key=lambda i: boxes[i].cy):
        b = boxes[i]
        if group and abs(b.cy - boxes[group[0]].cy) > 0.3 * (b.y1 - b.y0):
            close()
            group = []
        group.append(i)
    if group:
        close()
    return base


def _synthetic_pdf(pages: list[OcrPage]) -> bytes:
    import pymupdf

    font = _font()
    sizes = _sizes(pages)
    doc = pymupdf.open()
    for pi, page in enumerate(pages):
        k = 72 / page.dpi
        out = doc.new_page(width=page.width * k, height=page.height * k)
        shape = out.new_shape()
        for y, x0, x1 in page.hrules:
            shape.draw_line((x0 * k, y * k), (x1 * k, y * k))
        for x, y0, y1 in page.vrules:
            shape.draw_line((x * k, y0 * k), (x * k, y1 * k))
        shape.finish(width=0.5, color=(0, 0, 0))
        shape.commit()
        # lines: boxes whose centres sit at the same height share one baseline
        base = _baselines(page.boxes)
        tw = pymupdf.TextWriter(out.rect)
        for bi, b in enumerate(page.boxes):
            size = sizes.get((pi, bi))
            if size is None:
                continue
            natural = font.text_length(b.text, size)
            width = (b.x1 - b.x0 - 4) * k
            stretch = min(1.25, max(0.8, width / natural)) if natural > 0 else 1.0
            x = (b.x0 + b.x1) / 2 * k - natural * stretch / 2
            baseline = base.get(bi, b.cy) * k + size * 0.35
            for ch in b.text:
                adv = font.text_length(ch, size)
                if not ch.isspace():
                    tw.append((x, baseline), ch, font=font, fontsize=size)
                x += adv * stretch
        tw.write_text(out)
    data = doc.tobytes(garbage=1, deflate=True)
    doc.close()
    return data


def _doc_of(pages: list[OcrPage], truncated: bool) -> tuple[Doc, OcrInfo]:
    from etl.pdf import PdfError, pdf_doc

    info = OcrInfo(pages, truncated)
    if not any(p.boxes for p in pages):
        raise OcrError("no text recognised")
    for page in pages:
        _split_at_rules(page)
    _register(pages)
    for page in pages:
        _snap_rules(page)
    try:
        doc = pdf_doc(_synthetic_pdf(pages))
    except PdfError as exc:
        raise OcrError(f"OCR text could not be laid out: {exc.reason}") from None
    steps = ["ocr", *doc.steps]
    if truncated:
        steps.append(f"truncated:ocr-time>{MAX_SECONDS:.0f}s")
    return dataclasses.replace(doc, steps=steps), info


def _ocr_images(images: Sequence[tuple[Any, float]]) -> tuple[Doc, OcrInfo]:
    pages: list[OcrPage] = []
    start = time.perf_counter()
    truncated = False
    for n, (gray, dpi) in enumerate(images, start=1):
        if pages and time.perf_counter() - start > MAX_SECONDS:
            truncated = True
            break
        pages.append(_ocr_page(gray, dpi, n))
    return _doc_of(pages, truncated)


def image_doc(data: bytes) -> tuple[Doc, OcrInfo]:
    """A PNG or JPEG page -> its rows by OCR. Raises OcrError."""
    gray, dpi = _decode_image(data)
    scale = 1.0
    h, w = gray.shape
    if max(h, w) > 2 * MAX_SIDE:  # a huge photo: detection sees MAX_SIDE anyway, recognition needs no more
        import cv2

        scale = 2 * MAX_SIDE / max(h, w)
        gray = cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    return _ocr_images([(gray, dpi * scale)])


def scanned_pdf_doc(data: bytes) -> tuple[Doc, OcrInfo]:
    """A PDF without a text layer -> its rows by OCR of its rendered pages. Raises OcrError."""
    return _ocr_images(_render_pages(data))


# --- reconciling the figures read ----------------------------------------------------------------------------------

Key = tuple[str, "str | None", str]


@dataclass(frozen=True, slots=True)
class _Identity:
    name: str
    plus: tuple[Key, ...]
    minus: tuple[Key, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return self.plus + self.minus


def _identities(keys: set[Key]) -> list[_Identity]:
    """The template identities (etl.checks) among the keys read. A section 三 identity is left out when a cell it
    needs was not read at all (an unreadable cell: the identity cannot tell which figure is wrong)."""
    from etl.checks import _SUMS
    from etl.templates import SEC3_RESULT_PARTS

    out: list[_Identity] = []
    applicants = [a for a in APPLICANTS[:-1] if any(k[1] == a for k in keys)]
    parts_seen = [m for m in SEC3_RESULT_PARTS if any(k[0] == m for k in keys)]
    for a in APPLICANTS:
        bal = (("requests.new", a, "year"), ("requests.carried_over", a, "year"))
        rhs = (("requests.result.total", a, "year"), ("requests.carried_forward", a, "year"))
        if all(k in keys for k in bal + rhs):
            out.append(_Identity(f"requests.balance[{a}]", bal, rhs))
        total = ("requests.result.total", a, "year")
        parts = tuple((m, a, "year") for m in parts_seen)
        if total in keys and parts and all(k in keys for k in parts):
            out.append(_Identity(f"requests.result_sum[{a}]", parts, (total,)))
    for metric, applicant, period in sorted(k for k in keys if k[1] == "total"):
        parts = tuple((metric, a, period) for a in applicants)
        if parts and all(k in keys for k in parts):
            out.append(_Identity(f"requests.applicant_sum[{metric}]", parts, ((metric, "total", period),)))
    for period in sorted({k[2] for k in keys}):
        for name, total_metric, part_metrics in _SUMS:
            total = (total_metric, None, period)
            parts = tuple(k for k in ((p, None, period) for p in part_metrics) if k in keys)
            if total in keys and parts:
                out.append(_Identity(f"{name}@{period}", parts, (total,)))
    return out


def _edits(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def _where(key: Key) -> str:
    metric, applicant, period = key
    return metric + (f"[{applicant}]" if applicant else "") + ("" if period == "year" else f"@{period}")


def _as_ocr(v: Value) -> Value:
    return dataclasses.replace(v, source=dataclasses.replace(v.source, kind="ocr"))


def reconcile(table_values: list[Value], text_values: list[Value], info: OcrInfo | None,
              section_formats: dict[str, str] | None = None) -> tuple[list[Value], list[Value], list[Issue]]:
    """The figures an OCR'd document gave, judged by the report's identities (module docstring): values with
    `Source.kind == "ocr"` (a unique single-cell correction applied), an issue per doubtful cell, and one per row
    of a 2019 or 2021 section the OCR read but whose row it did not (`missing_rows`)."""
    from etl.checks import check_values

    issues: list[Issue] = []
    by_key: dict[Key, Value] = {v.key: v for v in table_values}
    num: dict[Key, float] = {k: float(v.value) if v.value is not None else 0.0 for k, v in by_key.items()}
    identities = [i for i in _identities(set(by_key)) if len(i.keys) >= 2]

    def residual(idt: _Identity) -> float:
        return sum(num[k] for k in idt.plus) - sum(num[k] for k in idt.minus)

    failing = [i for i in identities if abs(residual(i)) > 1e-6]
    confirmed = {k for i in identities if abs(residual(i)) <= 1e-6 for k in i.keys}
    doubtful: dict[Key, str] = {}
    corrected: dict[Key, tuple[Value, float]] = {}
    if failing:
        suspects = {k for i in failing for k in i.keys if k not in confirmed}
        fixes: list[tuple[Key, float]] = []
        for k in sorted(suspects, key=lambda k: (k[0], k[1] or "", k[2])):
            mine = [i for i in failing if k in i.keys]
            if len(mine) != len(failing) or by_key[k].value is None:
                continue
            implied = {round(num[k] - residual(i) if k in i.plus else num[k] + residual(i), 6) for i in mine}
            if len(implied) != 1:
                continue
            new = implied.pop()
            old = by_key[k].value
            if new < 0 or (isinstance(old, int) and new != int(new)):
                continue
            shown = str(int(new)) if new == int(new) else str(new)
            if _edits(_digits(by_key[k].source.text) or str(old), shown.replace(".", "")) > 2:
                continue
            alone = len(mine) >= 2 or all(j == k or j in confirmed for i in mine for j in i.keys)
            if alone:
                fixes.append((k, new))
        if len(fixes) == 1:
            k, new = fixes[0]
            v = by_key[k]
            value: float | int = int(new) if isinstance(v.value, int) or new == int(new) else new
            corrected[k] = (v, value)
            by_key[k] = dataclasses.replace(v, value=value)
            issues.append(Issue("ocr.corrected", "warning",
                                f"{_where(k)}: OCR read {v.source.text!r} ({v.source.row} / {v.source.column}); the "
                                f"report's identities ({', '.join(i.name for i in failing)}) all hold with {value}: "
                                f"corrected", k[1],
                                {"metric": k[0], "applicant": k[1], "period": k[2], "read": v.value, "text": v.source.text,
                                 "value": value, "page": v.source.page,
                                 "identities": [i.name for i in failing]}))
        else:
            for i in failing:
                cells = [k for k in i.keys if k not in confirmed] or list(i.keys)
                for k in cells:
                    doubtful.setdefault(k, i.name)
    for k, name in doubtful.items():
        v = by_key[k]
        issues.append(Issue("ocr.unreconciled", "error",
                            f"{_where(k)}: OCR read {v.source.text!r} ({v.source.row} / {v.source.column}) and the "
                            f"report's identity {name} does not hold: the figure may be misread", k[1],
                            {"metric": k[0], "applicant": k[1], "period": k[2], "value": v.value, "text": v.source.text,
                             "page": v.source.page, "identity": name, "reason": "identity"}))
    # a cell read blank in a row of figures: a printed blank, or a figure the OCR did not see
    rows: dict[tuple[int | None, str | None], list[Value]] = {}
    for v in by_key.values():
        rows.setdefault((v.source.page, v.source.row), []).append(v)
    for k, v in by_key.items():
        if v.value is None and k not in doubtful and any(o.value is not None for o in rows[(v.source.page, v.source.row)]):
            doubtful[k] = "blank"
            issues.append(Issue("ocr.unread", "warning",
                                f"{_where(k)}: OCR read no figure ({v.source.row} / {v.source.column}) in a row of "
                                f"figures: a blank cell, or a figure not recognised", k[1],
                                {"metric": k[0], "applicant": k[1], "period": k[2], "value": None,
                                 "text": v.source.text, "page": v.source.page, "reason": "blank"}))
    # a fraction where the template counts (件, 条, 次 ...): a speck read as a decimal point (1707 -> 17.07)
    for k, v in by_key.items():
        if (k not in doubtful and k not in corrected and isinstance(v.value, float) and v.value != int(v.value)
                and "元" not in (v.unit or "")):
            doubtful[k] = "fraction"
            issues.append(Issue("ocr.unreconciled", "error",
                                f"{_where(k)}: OCR read {v.source.text!r} ({v.source.row} / {v.source.column}), a "
                                f"fraction where the report counts {v.unit}: a misread figure", k[1],
                                {"metric": k[0], "applicant": k[1], "period": k[2], "value": v.value,
                                 "text": v.source.text, "page": v.source.page, "reason": "fraction"}))
    if info is not None:
        for k, v in by_key.items():
            if k in doubtful or k in corrected or k in confirmed or v.value is None:
                continue
            score = info.score_of(v.source.page, v.source.text)
            if score is None or score < LOW_SCORE:
                issues.append(_low(v, score, table=True))
    texts = []
    for v in text_values:
        texts.append(_as_ocr(v))
        if isinstance(v.value, float) and v.value != int(v.value) and "元" not in (v.unit or ""):
            issues.append(_low(v, None, table=False, why="a fraction where the report counts"))
        elif info is not None and v.value is not None:
            score = info.score_of(None, _number_text(v.value))
            if score is not None and score < LOW_SCORE:
                issues.append(_low(v, score, table=False))
    # the template checks on the figures kept (they skip non-table kinds: run here on the OCR'd ones)
    issues.extend(check_values(list(by_key.values())))
    issues.extend(missing_rows(set(by_key), section_formats or {}))
    return [_as_ocr(v) for v in by_key.values()], texts, issues


_FIXED_FORMATS = ("2019", "2021")  # templates printed in full (the 2014 table and local tables have optional rows)


def missing_rows(keys: set[Key], section_formats: dict[str, str]) -> list[Issue]:
    """`ocr.unread` (reason `missing_row`) for each row a 2019 or 2021 section prints that gave no figure while
    other rows of the section did: a row the OCR did not recognise (a row of zeros leaves no identity failing)."""
    from etl.catalog import labels, metrics

    catalog = metrics()
    read = {k[0] for k in keys}
    issues: list[Issue] = []
    for section, fmt in sorted(section_formats.items()):
        if fmt not in _FIXED_FORMATS:
            continue
        codes = sorted({lb.code for lb in labels() if lb.format == fmt and lb.code in catalog
                        and catalog[lb.code].section.startswith(section)})  # fmt: skip
        if not read & set(codes):
            continue  # the section's table was not read at all: nothing to say per row
        for code in codes:
            if code in read:
                continue
            metric = catalog[code]
            applicants = list(APPLICANTS) if metric.by_applicant else [None]
            issues.append(Issue("ocr.unread", "warning",
                                f"{section} ({fmt}): no figure read for the printed row {metric.label_zh}"
                                f"{' / ' + metric.column_zh if metric.column_zh else ''}: a row the OCR did not "
                                f"recognise", None,
                                {"metric": code, "applicants": applicants, "period": "year", "reason": "missing_row"}))
    return issues


def _low(v: Value, score: float | None, *, table: bool, why: str | None = None) -> Issue:
    how = why or ("not found among the recognised boxes" if score is None else f"recognised with score {score:.2f}")
    where = f"({v.source.row} / {v.source.column})" if table else f"(prose: {v.source.text[:40]!r})"
    return Issue("ocr.low_confidence", "warning",
                 f"{_where(v.key)}: OCR read {v.value} {where}, {how}, and no identity of the report confirms it",
                 v.applicant,
                 {"metric": v.metric, "applicant": v.applicant, "period": v.period, "value": v.value,
                  "text": v.source.text if table else None, "page": v.source.page, "score": score,
                  "reason": "low_score"})


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit() or c == ".")


def _number_text(value: float) -> str:
    if isinstance(value, float) and value == int(value) and not math.isinf(value):
        return str(int(value))
    return str(value)
