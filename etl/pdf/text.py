"""The text layer: characters -> chunks (characters without a wide gap) -> lines (one baseline), and the joining
of wrapped text (`本年新` + `制作数量` -> `本年新制作数量`; one character per line joins the same way)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

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


def chunks_of(chars: list[Char]) -> list[Chunk]:
    """One line's characters (sorted by x) -> chunks, split at gaps wider than 0.8 of the font size."""
    out: list[Chunk] = []
    cur: list[Char] = []
    text = ""
    spaced = False
    for ch in chars:
        if ch.c.isspace():
            spaced = True
            continue
        if cur and ch.c == cur[-1].c and abs(ch.x0 - cur[-1].x0) < 0.3 * ch.size and abs(ch.base - cur[-1].base) < 1:
            continue  # the same glyph printed again a hair to the side (fake bold)
        if cur:
            gap = ch.x0 - cur[-1].x1
            size = max(ch.size, cur[-1].size)
            if gap > 0.8 * size:
                out.append(_chunk(text, cur))
                cur, text = [], ""
            elif spaced or (gap > 0.4 * size and (_is_ascii_word(cur[-1].c) or _is_ascii_word(ch.c))):
                text += " "
        spaced = False
        cur.append(ch)
        text += ch.c
    if cur:
        out.append(_chunk(text, cur))
    return out


def _chunk(text: str, chars: list[Char]) -> Chunk:
    mid = chars[len(chars) // 2]
    number = is_number(text)
    return Chunk(text, chars[0].x0, max(c.x1 for c in chars), min(c.top for c in chars),
                  max(c.bottom for c in chars), mid.base, mid.size, number, number or text.strip() in BLANKS)


def lines_of(chars: list[Char], page: int) -> list[Line]:
    """Characters -> lines (same baseline), top to bottom, each split into chunks."""
    lines: list[Line] = []
    group: list[Char] = []
    for ch in sorted(chars, key=lambda c: (c.base, c.x0)):
        if group and ch.base - group[0].base > 0.35 * max(ch.size, group[0].size):
            lines.extend(_line(group, page))
            group = []
        group.append(ch)
    if group:
        lines.extend(_line(group, page))
    return lines


def _line(group: list[Char], page: int) -> list[Line]:
    group.sort(key=lambda c: c.x0)
    chunks = chunks_of(group)
    if not chunks:
        return []
    size = Counter(c.size for c in chunks).most_common(1)[0][0]
    return [Line(chunks, Counter(c.base for c in chunks).most_common(1)[0][0], size, page)]


def text_of(chars: list[Char]) -> str:
    """Text in a box (a table cell): its lines joined (a vertical label is one character per line)."""
    return join_lines([ln.text for ln in lines_of(chars, 0)])



def is_number(text: str) -> bool:
    return parse_cell_number(text) not in (None, "text")


def is_valueish(text: str) -> bool:
    t = text.strip()
    return is_number(t) or t in BLANKS
