"""A generated report as a scanned PDF: the ruled PDF of `portal.pdfgen`, each page rasterised and degraded the way
a desk scanner and a web CMS degrade it, then wrapped as an image-only PDF (no text layer), for the OCR reader.

The noise, per page and deterministic (seeded from the report's own PDF bytes, so the same blocks give the same
bytes on every run):

- a grey, slightly uneven paper background and ink that is not quite black;
- a small rotation (±0.5°) and shift (a few pixels), as a sheet lies on the glass;
- a slight blur (optics), speckle (dust: dark dots; dropouts: light dots in the ink);
- JPEG compression (quality 55–75), the format most scanned attachments are published in.

`smudge` (for tests) covers the given texts with a grey blot on the page where they are printed, the way a coffee
stain or a fold makes a figure unreadable: `smudge=[("174", 0)]` blots the first `174` printed.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Sequence

import pymupdf

from portal.blocks import Block
from portal.pdfgen import pdf_bytes

_FIXED_DATE = "D:20240101000000+08'00'"


def scan_bytes(blocks: list[Block], *, dpi: int = 200, noise: bool = True,
               smudge: Sequence[tuple[str, int]] = (), image_format: str = "jpeg") -> bytes:
    """The report of `blocks` as an image-only PDF (see the module docstring)."""
    source = pdf_bytes(blocks, ruled=True)
    seed = int.from_bytes(hashlib.sha256(source).digest()[:8], "big")
    src = pymupdf.open(stream=source, filetype="pdf")
    out = pymupdf.open()
    blots = _blots(src, smudge)
    for page in src:
        rng = random.Random(seed + page.number)
        image = page_image(page, dpi=dpi, rng=rng if noise else None, blots=blots.get(page.number, []),
                           image_format=image_format)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=image)
    src.close()
    out.set_metadata({"title": "", "author": "", "subject": "", "keywords": "", "creator": "ogi-portal scanner",
                      "producer": "ogi-portal scangen", "creationDate": _FIXED_DATE, "modDate": _FIXED_DATE})
    data = out.tobytes(garbage=4, deflate=True, no_new_id=True)
    out.close()
    return data


def _blots(doc: pymupdf.Document, smudge: Sequence[tuple[str, int]]) -> dict[int, list[pymupdf.Rect]]:
    """Where each (text, occurrence) to smudge is printed: page number -> rectangles (points)."""
    out: dict[int, list[pymupdf.Rect]] = {}
    for text, nth in smudge:
        seen = 0
        for page in doc:
            hits = [r for r in page.search_for(text) if page.get_textbox(r + (-1, -1, 1, 1)).strip() == text]
            if seen + len(hits) > nth:
                out.setdefault(page.number, []).append(hits[nth - seen])
                break
            seen += len(hits)
        else:
            raise ValueError(f"{text!r} is not printed {nth + 1} time(s)")
    return out


def page_image(page: pymupdf.Page, *, dpi: int, rng: random.Random | None, blots: Sequence[pymupdf.Rect] = (),
               image_format: str = "jpeg") -> bytes:
    """One page as a degraded scan image (JPEG or PNG bytes)."""
    import numpy as np
    from PIL import Image, ImageFilter

    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].astype(np.float32)
    k = dpi / 72
    for r in blots:  # a stain over the figure: grey, irregular, darker than the paper
        x0, y0, x1, y1 = (int(v * k) for v in (r.x0 - 1, r.y0, r.x1 + 1, r.y1))
        h, w = y1 - y0, x1 - x0
        yy, xx = np.mgrid[0:h, 0:w]
        blot = ((yy - h / 2) ** 2 / (h / 2 + 1) ** 2 + (xx - w / 2) ** 2 / (w / 2 + 1) ** 2) <= 1.2
        region = arr[y0:y1, x0:x1]
        region[blot] = np.minimum(region[blot] * 0.35 + 95, 150)
    if rng is None:
        img = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "L")
    else:
        nprng = np.random.default_rng(rng.getrandbits(32))
        paper = rng.uniform(222, 240)
        ink = rng.uniform(25, 55)
        arr = ink + (arr / 255.0) * (paper - ink)
        h, w = arr.shape
        # uneven illumination: a gentle gradient across the sheet
        gy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
        gx = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
        arr += rng.uniform(-6, 6) * gy + rng.uniform(-6, 6) * gx
        img = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "L")
        angle = rng.uniform(-0.5, 0.5)
        dx, dy = rng.randint(-8, 8), rng.randint(-8, 8)
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, translate=(dx, dy), fillcolor=int(paper))
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.9)))
        arr = np.asarray(img, dtype=np.float32).copy()
        arr += nprng.normal(0, 4.0, arr.shape).astype(np.float32)  # sensor noise
        n = int(h * w / 12000)  # dust: dark dots of one to two pixels
        ys, xs = nprng.integers(0, h - 2, n), nprng.integers(0, w - 2, n)
        sizes = nprng.integers(1, 3, n)
        for y, x, s in zip(ys, xs, sizes, strict=True):
            arr[y : y + s, x : x + s] = np.minimum(arr[y : y + s, x : x + s], nprng.uniform(40, 140))
        m = int(h * w / 20000)  # dropouts: light dots
        ys, xs = nprng.integers(0, h - 1, m), nprng.integers(0, w - 1, m)
        arr[ys, xs] = np.maximum(arr[ys, xs], paper - 20)
        img = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "L")
    buf = io.BytesIO()
    if image_format == "png":
        img.save(buf, format="PNG", dpi=(dpi, dpi))
    else:
        quality = rng.randint(55, 75) if rng is not None else 85
        img.save(buf, format="JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()
