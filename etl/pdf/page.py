"""One page read: the direction its text runs in (read turned upright), its characters, its ruled tables (parts
from lattices) and the remaining lines."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pymupdf

from etl.pdf.errors import MAX_CHARS_PER_PAGE, PdfError
from etl.pdf.rules import lattices, segments
from etl.pdf.tables import Part, centred, ruled_part
from etl.pdf.text import Char, Line, lines_of

_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
_BAD_CHAR = re.compile("[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    chars: int
    images: bool
    lines: list[Line] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)


def _upright(direction: tuple[int, int], width: float, height: float):
    """Coordinates in the frame where the page's text runs left to right (a landscape table printed sideways on a
    portrait page, or a page printed upside down), and that frame's width and height."""
    if direction == (0, -1):  # text running up the page
        return (lambda x, y: (height - y, x)), height, width
    if direction == (0, 1):  # text running down the page
        return (lambda x, y: (y, width - x)), height, width
    if direction == (-1, 0):
        return (lambda x, y: (width - x, height - y)), width, height
    return (lambda x, y: (x, y)), width, height


def _direction(raw: dict) -> tuple[int, int]:
    """The direction most of the page's text runs in, long lines and figures weighing more (a line of n
    characters counts n squared, a digit 50): words turned up a table's header cells leave the page the direction
    of its figures and longer lines; a landscape page turned sideways has its figures, paragraphs and labels
    turned too."""
    lines = [line for block in raw.get("blocks", ()) for line in block.get("lines", ())]
    dirs = [line.get("dir", (1, 0)) for line in lines]
    if all(round(dx) == 1 and round(dy) == 0 for dx, dy in dirs):
        return (1, 0)  # every line runs left to right (most pages): no need to weigh them
    count: Counter[tuple[int, int]] = Counter()
    for line, (dx, dy) in zip(lines, dirs, strict=True):
        chars = [ch["c"] for span in line.get("spans", ()) for ch in span.get("chars", ())]
        count[(round(dx), round(dy))] += len(chars) ** 2 + 50 * sum(c.isdigit() for c in chars)
    best = count.most_common(1)[0][0] if count else (1, 0)
    return best if best in ((1, 0), (0, 1), (0, -1), (-1, 0)) else (1, 0)


class _Nfc(dict):
    """A character as read -> its NFC form; None for one without a Unicode mapping (`_BAD_CHAR`). Memoised."""

    def __missing__(self, c: str) -> str | None:
        n = None if _BAD_CHAR.search(c) else unicodedata.normalize("NFC", c)
        if len(self) < 100_000:
            self[c] = n
        return n


_NFC = _Nfc()


def _page_chars(raw: dict, turn, number: int, direction: tuple[int, int]) -> tuple[list[Char], int]:
    chars: list[Char] = []
    bad = 0
    seen: set[tuple[str, int, int]] = set()
    nfc = _NFC
    upright_page = direction == (1, 0)  # `turn` is the identity

    def add(c: str, x0: float, x1: float, y0: float, y1: float, base: float, size: float) -> None:
        key = (c, round(x0), round(base))
        if key in seen:
            return  # text printed twice (fake bold)
        seen.add(key)
        chars.append(Char(c, x0, x1, y0, y1, base, size))

    for block in raw.get("blocks", ()):
        for line in block.get("lines", ()):
            dx, dy = line.get("dir", (1, 0))
            along = (round(dx), round(dy)) == direction  # the line runs the page's way
            if along and upright_page:
                # the common case, the loop below without turning: the same characters, boxes and baselines
                for span in line.get("spans", ()):
                    size = float(span.get("size") or 0) or 1.0
                    for ch in span.get("chars", ()):
                        c = nfc[ch["c"]]
                        if c is None:
                            bad += 1
                            continue
                        ax, ay, bx, by = ch["bbox"]
                        if bx > ax:  # min and max, as the builtins give them
                            x0, x1 = ax, bx
                        elif bx < ax:
                            x0, x1 = bx, ax
                        else:
                            x0 = x1 = ax
                        if by > ay:
                            y0, y1 = ay, by
                        elif by < ay:
                            y0, y1 = by, ay
                        else:
                            y0 = y1 = ay
                        ox, oy = ch["origin"]
                        base = oy if y0 - 1 <= oy <= y1 + 1 and abs(ox - x0) <= 1 else y1
                        key = (c, round(x0), round(base))
                        if key in seen:
                            continue  # text printed twice (fake bold)
                        seen.add(key)
                        chars.append(Char(c, x0, x1, y0, y1, base, size))
                if len(chars) > MAX_CHARS_PER_PAGE:
                    raise PdfError(f"page {number}: more than {MAX_CHARS_PER_PAGE} characters")
                continue
            sideways: list[tuple[str, float, float, float, float, float]] = []
            for span in line.get("spans", ()):
                size = float(span.get("size") or 0) or 1.0
                for ch in span.get("chars", ()):
                    c = nfc[ch["c"]]
                    if c is None:
                        bad += 1
                        continue
                    ax, ay = turn(ch["bbox"][0], ch["bbox"][1])
                    bx, by = turn(ch["bbox"][2], ch["bbox"][3])
                    x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
                    if not along and not ch["c"].isspace():
                        sideways.append((c, x0, x1, y0, y1, size))
                        continue
                    ox, oy = turn(*ch["origin"])
                    # upright text: its baseline; a glyph turned against the page's text on its own: its box's
                    # bottom, so it stacks one character per line
                    base = oy if y0 - 1 <= oy <= y1 + 1 and abs(ox - x0) <= 1 else y1
                    add(c, x0, x1, y0, y1, base, size)
            if len(sideways) == 1:
                c, x0, x1, y0, y1, size = sideways[0]
                add(c, x0, x1, y0, y1, y1, size)
            elif sideways:
                # a run of text turned against the page's (a header word written up or down its cell): one piece
                # of text in its reading order, standing at its middle height
                x0, x1 = min(g[1] for g in sideways), max(g[2] for g in sideways)
                y0, y1 = min(g[3] for g in sideways), max(g[4] for g in sideways)
                size = max(g[5] for g in sideways)
                add("".join(g[0] for g in sideways), x0, x1, y0, y1, (y0 + y1) / 2 + 0.35 * size, size)
            if len(chars) > MAX_CHARS_PER_PAGE:
                raise PdfError(f"page {number}: more than {MAX_CHARS_PER_PAGE} characters")
    return chars, bad


def read_page(page: pymupdf.Page) -> tuple[Page, int]:
    raw = page.get_text("rawdict", flags=_FLAGS)
    box = page.cropbox  # text and drawings come in the unrotated page's coordinates
    direction = _direction(raw)
    turn, width, height = _upright(direction, box.width, box.height)
    chars, bad = _page_chars(raw, turn, page.number + 1, direction)
    visible = [c for c in chars if not c.c.isspace()]
    images = False
    if not visible:
        area = abs(page.rect)
        covered = sum(abs(pymupdf.Rect(i["bbox"]) & page.rect) for i in page.get_image_info())
        images = area > 0 and covered / area > 0.3
    p = Page(page.number + 1, width, height, len(visible), images)
    if not visible:
        return p, bad
    hs, vs = segments(page, None if direction == (1, 0) else turn)
    free = chars  # spaces too: a printed space between words is kept
    lats = lattices(hs, vs)
    if lats:
        placed = centred(chars)
        for lat in lats:
            x0, y0, x1, y1 = lat.bbox
            x0, y0, x1, y1 = x0 - 1, y0 - 1, x1 + 1, y1 + 1  # a character whose centre is in the box
            inside = [t for t in placed if x0 <= t[0] <= x1 and y0 <= t[1] <= y1]
            if not inside:
                continue
            part = ruled_part(lat, inside, p.number)
            if not part.rows:
                continue
            p.parts.append(part)
            placed = [t for t in placed if not (x0 <= t[0] <= x1 and y0 <= t[1] <= y1)]
        free = [t[2] for t in placed]
    p.lines = lines_of(free, p.number)
    return p, bad
