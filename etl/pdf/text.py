"""The text layer: characters -> chunks (characters without a wide gap) -> lines (one baseline), and the joining
of wrapped text (`本年新` + `制作数量` -> `本年新制作数量`; one character per line joins the same way)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter

from etl.normalize import parse_cell_number

ENUM = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.．、](?!\d)|其中)"
)
UNITS = {"条", "件", "次", "人次", "人", "个", "项", "篇", "份", "万元", "元"}
BLANKS = {"—", "——", "-", "－", "/", "／", "－－", "--", "?", "??", "???"}


@dataclass(slots=True)
class Char:
    c: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float
    size: float


@dataclass(slots=True)
class Chunk:
    """Characters of one line with no wide gap between them."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float
    size: float
    number: bool = False  # a figure (parse_cell_number gives a Number)
    valueish: bool = False  # a figure or a blank mark (—, /)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Line:
    chunks: list[Chunk]
    base: float
    size: float
    page: int
    carried: bool = False  # moved from the foot of the page before: a table's first rows (`unruled.carry_heads`)

    @property
    def x0(self) -> float:
        return self.chunks[0].x0

    @property
    def x1(self) -> float:
        return self.chunks[-1].x1

    @property
    def top(self) -> float:
        return min(c.top for c in self.chunks)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chunks)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.chunks)


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "%)")


def join_lines(parts: list[str]) -> str:
    """Wrapped lines of one cell or paragraph as one text: Chinese joins without a space, words with one."""
    if len(parts) >= 2 and all(len(p.strip()) == 1 for p in parts):
        return "".join(p.strip() for p in parts)  # printed one character per line
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def _pieces(chars: list[Char]) -> list[tuple[str, list[Char]]]:
    """One line's characters (sorted by x) -> the text and characters of each chunk, split at gaps wider than 0.8
    of the font size."""
    out: list[tuple[str, list[Char]]] = []
    cur: list[Char] = []
    last: Char | None = None  # cur[-1]
    text = ""
    spaced = False
    for ch in chars:
        c = ch.c
        if c.isspace():
            spaced = True
            continue
        if last is not None:
            if c == last.c and abs(ch.x0 - last.x0) < 0.3 * ch.size and abs(ch.base - last.base) < 1:
                continue  # the same glyph printed again a hair to the side (fake bold)
            gap = ch.x0 - last.x1
            size = last.size if last.size > ch.size else ch.size  # noqa: FURB136 - max(ch.size, last.size), no call
            if gap > 0.8 * size:
                out.append((text, cur))
                cur, text = [], ""
            elif spaced or (gap > 0.4 * size and (_is_ascii_word(last.c) or _is_ascii_word(c))):
                text += " "
        spaced = False
        cur.append(ch)
        last = ch
        text += c
    if cur:
        out.append((text, cur))
    return out


def chunks_of(chars: list[Char]) -> list[Chunk]:
    """One line's characters (sorted by x) -> chunks, split at gaps wider than 0.8 of the font size."""
    return [_chunk(text, cs) for text, cs in _pieces(chars)]


def _chunk(text: str, chars: list[Char]) -> Chunk:
    mid = chars[len(chars) // 2]
    number = is_number(text)
    first = chars[0]
    x1, top, bottom = first.x1, first.top, first.bottom
    for c in chars[1:]:  # one pass, as max() and min() over the characters give them
        x1, top, bottom = max(x1, c.x1), min(top, c.top), max(bottom, c.bottom)
    return Chunk(text, first.x0, x1, top, bottom, mid.base, mid.size, number, number or text.strip() in BLANKS)


_BASE_X = attrgetter("base", "x0")
_X = attrgetter("x0")


def _groups(chars: list[Char]) -> list[list[Char]]:
    """Characters -> the groups of one baseline, top to bottom, each sorted by x."""
    groups: list[list[Char]] = []
    group: list[Char] = []
    first: Char | None = None  # group[0]
    for ch in sorted(chars, key=_BASE_X):
        if first is not None and ch.base - first.base > 0.35 * (first.size if first.size > ch.size else ch.size):  # noqa: FURB136
            group.sort(key=_X)
            groups.append(group)
            group = []
            first = None
        if first is None:
            first = ch
        group.append(ch)
    if group:
        group.sort(key=_X)
        groups.append(group)
    return groups


def lines_of(chars: list[Char], page: int) -> list[Line]:
    """Characters -> lines (same baseline), top to bottom, each split into chunks."""
    lines: list[Line] = []
    for group in _groups(chars):
        chunks = chunks_of(group)
        if not chunks:
            continue
        if len(chunks) == 1:
            size, base = chunks[0].size, chunks[0].base
        else:
            size = _mode([c.size for c in chunks])
            base = _mode([c.base for c in chunks])
        lines.append(Line(chunks, base, size, page))
    return lines


def _mode(values: list[float]) -> float:
    """The most common value, the first of them on a tie (as `Counter.most_common`)."""
    first = values[0]
    if all(v == first for v in values):
        return first
    return Counter(values).most_common(1)[0][0]


def text_of(chars: list[Char]) -> str:
    """Text in a box (a table cell): its lines joined (a vertical label is one character per line)."""
    if not chars:
        return ""
    texts = []
    for group in _groups(chars):
        pieces = _pieces(group)
        if pieces:
            texts.append(" ".join([t for t, _ in pieces]))
    return join_lines(texts)


def is_number(text: str) -> bool:
    return parse_cell_number(text) not in (None, "text")


def is_valueish(text: str) -> bool:
    t = text.strip()
    return is_number(t) or t in BLANKS
