"""One-line tables: a whole table printed on one line of text, header, labels and cells run together with no
delimiter, as web archives and crawlers store a page's visible text (issue 11):

    第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章216 行政规范性文件42242第二十条第（五）项…
    （本列数据的勾稽关系为：…）申请人情况自然人法人或其他组织总计商业企业…其他一、本年新收政府信息公开申请数量174 261 055 211…

`read_line(line)` finds such tables in a line and rebuilds their rows, so that the template mapper reads them like
any table (`etl.document.text_doc` puts the rows into the row stream, as `Row`s with a `table` number):

1. **Tokens.** The line is scanned once, on a matching form of its characters (NFKC, the label keys' punctuation,
   no whitespace; `etl.normalize.label_key`), against the templates' own printed words (`etl.templates`: section
   二's titles, headers and item rows, section 三's header and its rows in order, section 四's header, the statistical
   tables' headers and rows, each also without its ordinal). A token is a known label (longest match, with an
   instruction in brackets after it: `（二）部分公开（区分处理的…）`, `上一年项目数量(指…)`), a unit word (`条`, `件`,
   `人次` after a statistical row's label), a run of cells (digits, signs, decimal points, blank marks `—` `-` `/`,
   with the spaces printed inside it), or other text (an unknown label). A label is only taken where a token can
   start (after a run, a label, an ordinal, `其中：`) and where one ends after it, so a template word inside an unknown
   label (`网站公开` in `通过…门户网站公开数`) is no label. The next row's ordinal glued to a run (`…0000002.其他法律…`)
   goes to its label: where a known label starts inside a run, the run ends; else the ordinal is the previous
   row's plus one when the run ends with it, or one digit.
2. **Tables.** A table starts at an anchor: `第二十条第（…）项` (section 二), section 三's note, `申请人情况` or its first row,
   `行政复议`…`行政诉讼` (section 四), `统计指标` / `指标名称` (a statistical table); it runs as long as its grammar
   reads the tokens (header words, then rows: labels and a run), and must hold data rows to count. What is before,
   between and after the tables stays a text line.
3. **Cells.** Each run is split into its row's columns (`etl.flatten.splits`: well-formed numbers only, signs
   only where the column is signed, decimals where it holds money): section 三's rows as six counts and their 总计
   (each possible total at the run's end, the counts before it cut as soon as they pass it), then all rows together
   by the column identities 一 + 二 = （七）总计 + 四 and Σ results = （七）总计; section 四 by its three groups of five
   with their totals; section 二's item rows by the printed header's columns (本年增/减 signed; 上一年项目数量 +
   本年增/减 ≥ 0); statistical tables with a year and a cumulative column by 历年累计 ≥ the year and the identities
   受理 = Σ 申请方式, 答复 = Σ 答复类别 per column. A space printed inside a run stands at a cell boundary (exports pad
   cells, never a figure's digits): the reads that put a boundary at every such space are kept when there are any
   (and all reads are searched again when those satisfy no identity).
4. **Ambiguity.** `_solve` proves a read unique: a row tied to no identity is ambiguous as soon as it reads two
   ways; rows tied by identities are searched together and are ambiguous when their read differs between solutions
   (or when the search finds none: the report's own figures do not add up, or is cut). An ambiguous row keeps its
   first read in a fixed order and is reported as `flat.ambiguous` with its options (`details["options"]`, the kept
   one first); a run that reads no way is kept unsplit in the row's first cell and reported as `flat.unreadable`.
   The fixed order: section 二 the most plausible first (a stock, 现行有效件数 / 对外公开总数量, not below the year's
   flow and the longest cell; 本年新制作数量 equal to 本年新公开数量; a change not above the stock it changes and short;
   a procurement count short beside its amount), elsewhere cells of even length first. Every figure of the generated
   corpus read wrong is in such a row (`ogi eval`: withholding them leaves table precision at 100 %).

Pure; bounded work: lines outside [MIN_LINE, MAX_LINE] are left alone (and `text_doc` reads at most MAX_DOC_CHARS
of candidate lines per document); the scan is linear in the line (the vocabulary is looked up by first character,
a bracket group is matched within _MAX_PAREN characters); a run's reads are capped (_MAX_OPTIONS, _MAX_SPLIT_NODES
steps) and all the runs and identity searches of a line share MAX_LINE_STEPS steps.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from etl import flatten
from etl.labels import LabelIndex
from etl.model import APPLICANTS, Issue
from etl.normalize import core_key, label_key
from etl.templates import (
    APPLICANT_LABELS,
    SEC2_COLS,
    SEC2_DEFAULT_COLS,
    SEC2_ROWS,
    SEC2_TELLS,
    SEC3_RESULT_PARTS,
    SEC3_ROWS,
    STAT_HEADER_WORDS,
    STAT_ROWS,
)

MAX_LINE = 30_000  # a one-line section 三 is ~1,500 characters, a 2014 table with its extensions ~3,000
MAX_DOC_CHARS = 200_000  # characters of candidate lines one document may have read (a report: a few thousand)
MIN_LINE = 40
_MAX_PAREN = 120  # an instruction in brackets after a label
_MAX_OPTIONS = 400  # reads of one run kept for the identity search (more: the run is reported unreadable)
_MAX_SPLIT_NODES = 2_000  # search steps to read one run (the longest 7-cell row of the labelled corpus takes 141)
MAX_LINE_STEPS = 20_000  # search steps for all the runs and identity searches of one line (a real one: under 900)
_CN = "一二三四五六七八九十"
_LED = re.compile(rf"^(?:\([{_CN}]+\)|[{_CN}]+\.|\d{{1,2}}\.|其中)")
_YEAR = re.compile(r"(?:19|20)\d\d年度?")
_ORD_PREFIX = re.compile(rf"\([{_CN}]+\)|[{_CN}]+\.|\d{{1,2}}\.(?=\D)")
_CN_PREFIX = re.compile(rf"\([{_CN}]+\)|[{_CN}]+\.")
_LEAD_ORDINAL = re.compile(r"(?:其中:?)?(\d{1,2})\.(?=\D)")  # a label's own arabic ordinal
_UNITS = ("人次", "万元", "条", "件", "次", "人", "个", "项", "篇", "份", "元")
_BLANK_CHARS = "—/－"
_RUN_START = set("0123456789" + _BLANK_CHARS + "-")
_DIGITS = set("0123456789")
# a cheap test before any work: a line holding one of the tables' anchor words (spaces allowed inside them)
_ANCHOR = re.compile("|".join(r"\s*".join(w) for w in ("第二十条第", "申请人情况", "本列数据", "本年新收政府信息", "行政复议",
                                                        "统计指标", "指标名称")))
_PROSE_END = re.compile(r"[。；;！？]")

AMBIGUOUS, UNREADABLE = "flat.ambiguous", "flat.unreadable"

# --- vocabulary ---------------------------------------------------------------------------------------------

# kinds of words: section 二 title / header / item row; section 三 header / row; section 四 header; statistical
# table header / row
T2, H2, R2, H3, R3, H4, HS, RS = "t2", "h2", "r2", "h3", "r3", "h4", "hs", "rs"
_NOTE = "本列数据的勾稽关系"
_NOTE_OPEN = "(" + _NOTE
SEC4_HEAD = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉")
SEC3_HEAD = ("申请人情况", "自然人", "法人或其他组织", *APPLICANT_LABELS[1:])
STAT_HEAD = (*STAT_HEADER_WORDS, "单位", "计量单位", "统计数", "数量", "历年累计", "本年累计", "本期实际", "本年度", "代码")


@dataclass(frozen=True, slots=True)
class Word:
    kind: str
    payload: object  # section 二: column or row prefix; section 三 / statistical rows: index into the template


@dataclass(frozen=True, slots=True)
class _Vocab:
    # first character -> (key, words, led: may start a token after other text), longest key first
    by_first: dict[str, tuple[tuple[str, tuple[Word, ...], bool], ...]]
    led_first: dict[str, tuple[tuple[str, tuple[Word, ...], bool], ...]]  # the led entries alone (after text)


@cache
def _vocab() -> _Vocab:
    words: dict[str, list[Word]] = {}

    def add(label: str, word: Word, *, core: bool = False) -> None:
        key = label_key(label)
        keys = {key}
        if core:
            c = core_key(key)
            if len(c) >= 2:
                keys.add(c)
        for k in keys:
            if k and word not in words.setdefault(k, []):
                words[k].append(word)

    for n in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"):
        add(f"第二十条第（{n}）项", Word(T2, n))
    add("信息内容", Word(H2, None))
    for label, col in SEC2_COLS.items():
        add(label, Word(H2, col))
    for label, prefix in SEC2_ROWS.items():
        add(label, Word(R2, prefix))
    for label in SEC3_HEAD:
        add(label, Word(H3, label))
    for i, (_, labels) in enumerate(SEC3_ROWS):
        for label in labels:
            add(label, Word(R3, i), core=True)
    for label in SEC4_HEAD:
        add(label, Word(H4, label))
    for label in STAT_HEAD:
        add(label, Word(HS, label))
    for i, (_, _, labels) in enumerate(STAT_ROWS):
        for label in labels:
            if "*" not in label:
                add(label, Word(RS, i), core=True)
    # words that may start a token anywhere, even right after other text (`…情况第二十条第（一）项`): an ordinal's
    # label, or a table's own title and header words
    strong = {label_key(w) for w in ("申请人情况", *STAT_HEADER_WORDS)} | {k for k, ws in words.items()
                                                                         if any(w.kind == T2 for w in ws)}
    by_first: dict[str, list[tuple[str, tuple[Word, ...], bool]]] = {}
    for k, ws in words.items():
        by_first.setdefault(k[0], []).append((k, tuple(ws), _LED.match(k) is not None or k in strong))
    ordered = {c: tuple(sorted(v, key=lambda e: -len(e[0]))) for c, v in by_first.items()}
    return _Vocab(ordered, {c: led for c, v in ordered.items() if (led := tuple(e for e in v if e[2]))})


@lru_cache(maxsize=4096)
def _norm_char(ch: str) -> str:
    """One character in the matching form of label keys (`label_key`; one character out, so positions map back)."""
    key = label_key(ch)
    if len(key) == 1:
        return key
    n = unicodedata.normalize("NFKC", ch)  # `：` (label_key drops a trailing colon), or a character NFKC expands
    return n if len(n) == 1 else ch


_VARIANTS = (("档案", "文件"), ("其它", "其他"), ("机密", "秘密"))  # same length: positions stay
_KEYS: dict[int, str] = {}  # character -> its matching form (filled as characters are met)
_CELLS: dict[int, str] = {}  # character -> its NFKC form (one character)
_GAP = re.compile(r"\s+")
_PAREN = re.compile(r"\((?:[^()]|\([^()]*\))*\)")
_DIGIT = re.compile(r"\d")
_MAX_CHARS = 50_000  # distinct characters remembered in _KEYS / _CELLS


# --- tokens ---------------------------------------------------------------------------------------------------

LABEL, UNIT, RUN, TEXT = "label", "unit", "run", "text"


@dataclass(slots=True)
class Tok:
    kind: str
    a: int  # range in the matching form
    b: int
    words: tuple[Word, ...] = ()
    run: str = ""  # RUN: the cells with spaces and commas removed
    hints: frozenset[int] = frozenset()  # RUN: offsets in `run` where a space was printed
    unit: str = ""  # RUN: a money unit printed after the last cell

    def has(self, *kinds: str) -> bool:
        return any(w.kind in kinds for w in self.words)

    def payload(self, kind: str) -> object:
        return next((w.payload for w in self.words if w.kind == kind), None)


class _Line:
    """A line in matching form: `k` (label-key characters), `o` (NFKC characters, for cells), `pos` (index of each
    in the line), `space` (positions printed after a space)."""

    def __init__(self, line: str) -> None:
        self.line = line
        pos = [i for i, ch in enumerate(line) if not ch.isspace()]
        bare = "".join(line[i] for i in pos) if len(pos) != len(line) else line
        new = {ord(ch) for ch in set(bare)} - _KEYS.keys()
        if len(_KEYS) + len(new) > _MAX_CHARS:
            _KEYS.clear()
            _CELLS.clear()
            new = {ord(ch) for ch in set(bare)}
        for c in new:
            _KEYS[c] = _norm_char(chr(c))
            n = unicodedata.normalize("NFKC", chr(c))
            _CELLS[c] = n if len(n) == 1 else chr(c)
        text = bare.translate(_KEYS)
        for a, b in _VARIANTS:
            if a in text:
                text = text.replace(a, b)
        self.k = text
        self.o = bare.translate(_CELLS)
        self.pos = pos
        # positions printed after whitespace: the first character after each gap
        self.space = {bisect_left(pos, m.end()) for m in _GAP.finditer(line, pos[0] if pos else 0)} - {len(pos)}

    def text(self, a: int, b: int) -> str:
        """The printed text of positions [a, b), spaces inside it kept (collapsed)."""
        if a >= b:
            return ""
        return " ".join(self.line[self.pos[a]: self.pos[b - 1] + 1].split())


def _match(ln: _Line, i: int, *, led_only: bool) -> tuple[int, tuple[Word, ...]] | None:
    """The longest known word starting at i (with a bracketed instruction after it) that ends where a token can
    end: (end, words)."""
    k = ln.k
    if not led_only:
        m = _YEAR.match(k, i)
        if m is not None:
            return m.end(), (Word(HS, "year"),)
    if k.startswith(_NOTE_OPEN, i):
        end = _paren_end(k, i)
        if end is not None:
            return end, (Word(H3, "note"),)
    found = _known(ln, i, led_only=led_only)
    if found is not None:
        return found
    # an ordinal printed before a label known without one (`一、主动公开数量`, `三、因政府信息公开申请行政复议数量`);
    # an arabic one is the run's business (`件12.传真申请数`: a cell 1, then the ordinal 2)
    m = _CN_PREFIX.match(k, i)
    if m is not None:
        return _known(ln, m.end(), led_only=False, core_only=True)
    return None


def _known(ln: _Line, i: int, *, led_only: bool, core_only: bool = False) -> tuple[int, tuple[Word, ...]] | None:
    k = ln.k
    vocab = _vocab()
    # right after other text only a led word may start: the per-position scan of unknown text looks at those alone
    for key, words, led in (vocab.led_first if led_only else vocab.by_first).get(k[i:i + 1], ()):
        if core_only and led:
            continue
        if k.startswith(key, i):
            end = i + len(key)
            if end < len(k) and k[end] == "(" and not _ORD_PREFIX.match(k, end):
                close = _paren_end(k, end)
                if close is not None:
                    end = close
            if _ends(ln, end):
                return end, words
    return None


def _paren_end(k: str, i: int) -> int | None:
    """The end of the bracket group opening at i (one level of nesting), if it closes within _MAX_PAREN characters."""
    m = _PAREN.match(k, i, i + _MAX_PAREN)
    return m.end() if m is not None else None


def _ends(ln: _Line, e: int) -> bool:
    """A token may end at e: the line ends, a space was printed, a run, a bracket, a unit or another word follows."""
    k = ln.k
    if e >= len(k) or e in ln.space or ln.o[e] in _RUN_START or k[e] == "(" or _ORD_PREFIX.match(k, e):
        return True
    for u in _UNITS:
        if k.startswith(u, e):
            return True
    return any(k.startswith(key, e) for key, _, _ in _vocab().by_first.get(k[e], ()))


def _label_at_digit(ln: _Line, j: int) -> bool:
    """A known label with an arabic ordinal starts at j, inside what looks like a run (`…00000002.其他法律…`)."""
    k = ln.k
    if not ((j + 1 < len(k) and k[j + 1] == ".") or (j + 2 < len(k) and k[j + 2] == "." and k[j + 1] in _DIGITS)):
        return False
    for key, _, _ in _vocab().by_first.get(k[j], ()):
        if k.startswith(key, j) and _ends(ln, j + len(key)):
            return True
    return False


def tokenize(ln: _Line) -> list[Tok]:
    k, o = ln.k, ln.o
    n = len(k)
    toks: list[Tok] = []
    text_at: int | None = None  # start of pending unknown text
    prefix_at: int | None = None  # start of an ordinal / 其中 printed before the next label
    boundary = True
    last_ordinal = 0
    i = 0

    def flush(end: int) -> None:
        nonlocal text_at, prefix_at
        start = text_at if text_at is not None else prefix_at
        if start is not None and start < end:
            if toks and toks[-1].kind == TEXT and toks[-1].b == start and not _ORD_PREFIX.match(k, start):
                toks[-1].b = end
            else:
                toks.append(Tok(TEXT, start, end))
        text_at = prefix_at = None

    while i < n:
        if boundary and k.startswith("其中", i):
            if prefix_at is None and text_at is None:
                prefix_at = i
            i += 3 if k.startswith("其中:", i) else 2
            continue
        m = _match(ln, i, led_only=not boundary)
        if m is not None:
            start = prefix_at if (prefix_at is not None and text_at is None) else i
            if text_at is not None:
                flush(i)
            prefix_at = None
            end, words = m
            toks.append(Tok(LABEL, start, end, words))
            om = _LEAD_ORDINAL.match(k, start, end)
            if om is not None:
                last_ordinal = int(om.group(1))
            i = end
            boundary = True
            unit = next((u for u in _UNITS if k.startswith(u, i) and _unit_ends(ln, i + len(u))), None)
            if unit is not None:
                toks.append(Tok(UNIT, i, i + len(unit)))
                i += len(unit)
            continue
        ch = o[i]
        if ch in _RUN_START and not (ch == "-" and not (i + 1 < n and o[i + 1] in _DIGITS) and not boundary) \
                and (boundary or _YEAR.match(k, i) is None):  # `2013年…` inside a word is text
            j = i
            while j < n:
                c = o[j]
                if c in _DIGITS:
                    if j > i and _label_at_digit(ln, j):
                        break
                    j += 1
                elif c in _BLANK_CHARS or c == "-" or (
                        c in ".," and j > i and o[j - 1] in _DIGITS and j + 1 < n and o[j + 1] in _DIGITS):
                    j += 1  # a blank mark, a sign, a decimal point or a thousands comma
                else:
                    break
            end = j
            ordinal_at = None
            if j < n and k[j] == "." and o[j - 1] in _DIGITS and not (j + 1 < n and o[j + 1] in _DIGITS):
                # the next row's ordinal glued to this run: the previous ordinal plus one when it fits, else a digit
                digits = ""
                t = j
                while t > i and o[t - 1] in _DIGITS:
                    t -= 1
                digits = "".join(o[t:j])
                want = str(last_ordinal + 1)
                size = len(want) if last_ordinal and digits.endswith(want) else 1
                end = j - size
                ordinal_at = end
                last_ordinal = int(digits[-size:])
            if end > i or text_at is not None:
                flush(i)  # `其中：` stays the prefix of a label when only an ordinal follows it (`其中：1.网站公开`)
            if end > i:
                toks.append(_run(ln, i, end))
            if ordinal_at is not None:
                if prefix_at is None:
                    prefix_at = ordinal_at
                i = j + 1
                boundary = True
                continue
            i = end
            boundary = True
            # a money unit after the last cell (`4937614.66元`)
            last = toks[-1] if toks else None
            for u in ("万元", "元"):
                e = i + len(u)
                if last is not None and last.kind == RUN and k.startswith(u, i) and _ends(ln, e) \
                        and not _unit_ends_label(ln, e):
                    last.unit = u
                    last.b = e
                    i = e
                    break
            continue
        # unknown text
        if text_at is None:
            text_at = prefix_at if prefix_at is not None else i
            prefix_at = None
        boundary = False
        if k[i] == "(":  # a bracket inside a word, with whatever it holds (`（不同渠道…计1条）`)
            end = _paren_end(k, i)
            i = end if end is not None else i + 1
            continue
        ym = _YEAR.match(k, i)
        i = ym.end() if ym is not None else i + 1
    flush(n)
    return toks


def _unit_ends(ln: _Line, e: int) -> bool:
    """A unit word (after a statistical row's label) ends at e: a run, a bracket, another word or the line's end."""
    k = ln.k
    return (e >= len(k) or e in ln.space or ln.o[e] in _RUN_START or k[e] == "("
            or _match(ln, e, led_only=False) is not None)


def _unit_ends_label(ln: _Line, e: int) -> bool:
    """`元` right after a run is the stat table's next unit cell, not the run's money unit, when a run follows."""
    return e < len(ln.k) and ln.o[e] in _DIGITS


def _run(ln: _Line, a: int, b: int) -> Tok:
    cells: list[str] = []
    hints: set[int] = set()
    for p in range(a, b):
        c = ln.o[p]
        if c == ",":
            continue
        if p in ln.space and p > a and cells:
            hints.add(len(cells))
        cells.append(c)
    return Tok(RUN, a, b, run="".join(cells), hints=frozenset(hints))


# --- splitting runs -------------------------------------------------------------------------------------------


def _bounds(option: tuple[str, ...]) -> set[int]:
    out, at = set(), 0
    for cell in option[:-1]:
        at += len(cell)
        out.add(at)
    return out


def _hinted(options: list[tuple[str, ...]], hints: frozenset[int]) -> list[tuple[str, ...]]:
    """The reads that put a cell boundary at every printed space, when there are any."""
    if not hints or len(options) <= 1:
        return options
    kept = [o for o in options if hints <= _bounds(o)]
    return kept or options


def _reads(tok: Tok, columns: list[flatten.Column], accept: Callable[[tuple[str, ...]], bool] | None = None, *,
           steps: list[int]) -> list[tuple[str, ...]]:
    """Every read of a run as these columns; none when there are more than _MAX_OPTIONS (too many to search) or the
    search takes more than _MAX_SPLIT_NODES steps, or the line's `steps` run out (they are used up here)."""
    local = [min(_MAX_SPLIT_NODES, steps[0])]
    given = local[0]
    out = flatten.splits(tok.run, columns, accept, max_splits=_MAX_OPTIONS, budget=local) if given > 0 else []
    steps[0] -= given - max(local[0], 0)
    return out


_COUNT = re.compile(r"0|[1-9]\d*")


def _total_reads(tok: Tok, n: int, steps: list[int]) -> list[tuple[str, ...]]:
    """The reads of a run as n-1 counts and their total, the last cell (section 三's 总计 column): each possible total
    at the run's end, then the counts before it, cut as soon as they pass it. Much less search than reading all n
    cells first; a run with blank marks is read the general way."""
    run = tok.run
    if any(c in run for c in _BLANK_CHARS + "-."):
        return _reads(tok, [flatten.Column()] * n, flatten.sums_to_last(n), steps=steps)
    out: list[tuple[str, ...]] = []
    for t in range(1, min(len(run) - (n - 1), flatten.MAX_CELL) + 1):
        total = run[len(run) - t:]
        if not _COUNT.fullmatch(total):
            continue
        head = run[: len(run) - t]
        if len(head) > (n - 1) * t:  # no count is longer than the total
            continue
        limit = int(total)

        def within(cells: tuple[str, ...], limit: int = limit) -> bool:
            return sum(int(c) for c in cells) <= limit

        for o in _reads(Tok(RUN, tok.a, tok.b, run=head), [flatten.Column()] * (n - 1), within, steps=steps):
            if sum(int(c) for c in o) == limit:
                out.append((*o, total))
        if len(out) > _MAX_OPTIONS:
            return []
    return out


def _read(tok: Tok, columns: list[flatten.Column], accept: Callable[[tuple[str, ...]], bool] | None = None, *,
          steps: list[int]) -> list[tuple[str, ...]]:
    """The reads of a run as these columns that agree with its printed spaces (all of them when none does)."""
    return _hinted(_reads(tok, columns, accept, steps=steps), tok.hints)


# --- building tables ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Table:
    rows: list[list[str]] = field(default_factory=list)
    data_rows: int = 0


@dataclass(slots=True)
class Piece:
    """A part of a line: a text line (`text`) or a rebuilt table (`rows`)."""

    text: str | None = None
    rows: list[list[str]] | None = None


@dataclass(slots=True)
class OneLine:
    pieces: list[Piece]
    issues: list[Issue]


class _Builder:
    def __init__(self, ln: _Line, toks: list[Tok]) -> None:
        self.ln = ln
        self.toks = toks
        self.issues: list[Issue] = []
        self.steps = [MAX_LINE_STEPS]  # search steps left for this line (runs and identities)

    def text(self, t: Tok) -> str:
        return self.ln.text(t.a, t.b)

    def ambiguous(self, label: str, tok: Tok, options: list[tuple[str, ...]]) -> None:
        shown = [" | ".join(o) for o in options[:4]]
        self.issues.append(Issue(AMBIGUOUS, "warning",
                                 f"{label}: {tok.run!r} reads {len(options)} ways ({'; '.join(shown)}"
                                 f"{'; …' if len(options) > 4 else ''}); the first is kept",
                                 None, {"run": tok.run, "options": [list(o) for o in options[:8]]}))

    def unreadable(self, label: str, tok: Tok, n: int) -> None:
        self.issues.append(Issue(UNREADABLE, "error", f"{label}: cannot read {tok.run!r} as {n} cells",
                                 None, {"run": tok.run}))

    # -- section 二
    def sec2(self, at: int) -> tuple[Table, int] | None:
        """`第二十条第（…）项`, `信息内容` and its column headers, item rows (label and run); an unknown header word
        is a column of its own, an unknown label followed by a run an item row (Hubei's `其他主动公开文件`)."""
        toks, t = self.toks, Table()
        cols: list[str | None] = []
        i = at
        while i < len(toks):
            tok = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if tok.kind == LABEL and tok.has(T2):
                t.rows.append([self.text(tok)])
                cols = []
                i += 1
            elif tok.kind == LABEL and tok.has(H2) and not tok.has(R2):
                head = [self.text(tok)]
                cols = [] if tok.payload(H2) is None else [tok.payload(H2)]  # type: ignore[list-item]
                i += 1
                while i < len(toks) and (
                        (toks[i].kind == LABEL and toks[i].has(H2) and not toks[i].has(R2) and toks[i].payload(H2))
                        or (toks[i].kind == TEXT and not (i + 1 < len(toks) and toks[i + 1].kind == RUN)
                            and len(self.text(toks[i])) <= 40 and not _PROSE_END.search(self.text(toks[i])))):
                    head.append(self.text(toks[i]))
                    cols.append(toks[i].payload(H2) if toks[i].kind == LABEL else None)  # type: ignore[arg-type]
                    i += 1
                t.rows.append(head)
            elif (cols or self.sec2_default(tok)) and ((tok.kind == LABEL and tok.has(R2)) or tok.kind == TEXT) \
                    and not _PROSE_END.search(self.text(tok)):
                label = self.text(tok)
                if nxt is not None and nxt.kind == RUN:
                    t.rows.append([label, *self.sec2_cells(label, nxt, cols or self.sec2_default(tok))])
                    i += 2
                elif tok.kind == LABEL:  # an item row printed blank
                    t.rows.append([label] + [""] * len(cols or self.sec2_default(tok)))
                    i += 1
                else:
                    break
                t.data_rows += 1
            else:
                break
        return (t, i) if t.data_rows else None

    def sec2_default(self, tok: Tok) -> list[str | None]:
        """An item row's columns when no header was printed: the template's, for the format the line tells."""
        prefix = tok.payload(R2) if tok.kind == LABEL else None
        if prefix is None:
            return []
        fmt = next((f for f, tells in _SEC2_TELLS.items() if any(w in self.ln.k for w in tells)), None)
        return list(SEC2_DEFAULT_COLS.get(fmt or "", {}).get(prefix, ()))  # type: ignore[arg-type]

    def sec2_cells(self, label: str, tok: Tok, cols: list[str | None]) -> list[str]:
        specs = [flatten.Column(signed=c == "change", decimal=c == "amount") for c in cols]
        options = _read(tok, specs, steps=self.steps)

        def possible(o: tuple[str, ...]) -> bool:
            v = dict(zip(cols, (flatten.number(c) for c in o)))
            prior, change = v.get("prior_items"), v.get("change")
            return not (prior is not None and change is not None and prior + change < 0)

        options = [o for o in options if possible(o)] or options
        if not options:  # one cell: the mapper keeps it as an unmapped cell (sec2.columns), never as a figure
            self.unreadable(label, tok, len(cols))
            return [tok.run + tok.unit]

        def rank(o: tuple[str, ...]) -> tuple:
            # no identity ties these cells: the most plausible read first (reported as ambiguous all the same). A
            # stock (现行有效件数, 对外公开总数量) is not below the year's flow and is the longest cell; a year's
            # change (本年增/减) does not exceed the stock it changes and is short; a count of procurement projects
            # is short beside its amount
            v = {c: flatten.number(x) or 0 for c, x in zip(cols, o)}
            width = {c: len(x) for c, x in zip(cols, o)}
            implausible = int(v.get("in_force", 1e18) < v.get("issued", 0)) + int(
                v.get("published_total", 1e18) < v.get("published", 0)) + int(
                "change" in v and abs(v["change"]) > v.get("prior_items", 1e18))
            # the year's documents made and published (2019): usually one count (a body publishes what it made)
            apart = int("made" in v and "published" in v and v["made"] != v["published"])
            stock = width.get("in_force", width.get("published_total", 0))
            return (implausible, apart, -stock, width.get("change", 0), width.get("items", 0),
                    max(width.values()) - min(width.values()))

        options.sort(key=rank)
        if len(options) > 1:
            self.ambiguous(label, tok, options)
        cells = list(options[0])
        if tok.unit:
            cells[-1] += tok.unit
        return cells

    # -- section 三
    def sec3(self, at: int) -> tuple[Table, int] | None:
        toks, t = self.toks, Table()
        i = at
        head: list[str] = []
        while i < len(toks) and toks[i].kind == LABEL and toks[i].has(H3) \
                and not self._sec3_row(toks[i], started=False):
            if toks[i].payload(H3) == "自然人" and head:
                t.rows.append(head)
                head = []
            head.append(self.text(toks[i]))
            i += 1
        if head:
            t.rows.append(head)
        rows: dict[str, tuple[int, str, Tok | None]] = {}  # row id -> (index in t.rows, label, run)
        pending: list[str] = []
        started = False
        done = False
        while i < len(toks) and not done:
            tok = toks[i]
            idx = self._sec3_row(tok, started)
            if tok.kind == LABEL and idx is None and tok.has(H3) and not started:
                t.rows.append([self.text(tok)])
                i += 1
                continue
            if tok.kind == TEXT and not _PROSE_END.search(self.text(tok)) and len(self.text(tok)) <= 80:
                idx = self._sec3_fuzzy(self.text(tok))  # a label with a typo (the mapper matches it the same way)
            elif tok.kind != LABEL or idx is None:
                break
            metric = SEC3_ROWS[idx][0] if idx is not None and idx >= 0 else None
            label = self.text(tok)
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            has_run = nxt is not None and nxt.kind == RUN
            if metric == "requests.new":
                started = True
            if not started:
                break
            if not has_run and (metric is None or (metric == "requests.result.other" and nxt is not None
                                                   and nxt.kind == LABEL and self._sec3_row(nxt, True) is not None)):
                if idx == -1:  # unknown text without cells: not a row of the table
                    break
                pending.append(label)  # a group heading (三、本年度办理结果, （三）不予公开 …)
                i += 1
                continue
            rid = metric if metric is not None and metric not in rows else f"?{i}"
            rows[rid] = (len(t.rows), label, nxt if has_run else None)
            t.rows.append([*pending, label])
            pending = []
            t.data_rows += 1
            i += 2 if has_run else 1
            if metric == "requests.carried_forward":
                done = True
        if t.data_rows < 2:
            return None
        self.sec3_cells(t, rows)
        return t, i

    def _sec3_row(self, tok: Tok, started: bool) -> int | None:
        if tok.kind != LABEL:
            return None
        idx = tok.payload(R3)
        if idx is None:
            return None
        # header words that are also row cores (其他, 总计) are rows once the table's first row was read
        if not started and SEC3_ROWS[idx][0] != "requests.new":  # type: ignore[index]
            return None
        return idx  # type: ignore[return-value]

    def _sec3_fuzzy(self, text: str) -> int:
        found = _sec3_index().match(text)
        return found[0].payload if found else -1

    def sec3_cells(self, t: Table, rows: dict[str, tuple[int, str, Tok | None]]) -> None:
        n = len(APPLICANTS)
        cols = [flatten.Column()] * n
        options: dict[str, list[tuple[str, ...]]] = {}
        fallback: dict[str, list[tuple[str, ...]]] = {}
        for rid, (_, label, tok) in rows.items():
            if tok is None:
                options[rid] = [("",) * n]
                continue
            every = _total_reads(tok, n, self.steps)
            if not every:  # the agency's 总计 is off: every read, if few enough to search
                every = _reads(tok, cols, steps=self.steps)
            if not every:  # one cell: the mapper keeps it as an unmapped cell (sec3.columns), never as a figure
                self.unreadable(label, tok, n)
                options[rid] = [(tok.run,)]
                continue
            every.sort(key=_balance_key)
            options[rid] = _hinted(every, tok.hints)
            fallback[rid] = every
        identities = []
        parts = [m for m in SEC3_RESULT_PARTS if m in options]
        for c in range(n):
            if all(m in options for m in ("requests.new", "requests.carried_over", "requests.result.total",
                                          "requests.carried_forward")):
                identities.append(flatten.Identity((("requests.new", c), ("requests.carried_over", c)),
                                                   (("requests.result.total", c), ("requests.carried_forward", c))))
            if parts and "requests.result.total" in options:
                identities.append(flatten.Identity(tuple((m, c) for m in parts), (("requests.result.total", c),)))
        choice, unsure = _solve(options, identities, fallback, self.steps)
        for rid in unsure:
            self.ambiguous(rows[rid][1], rows[rid][2], _kept_first(choice[rid], options[rid]))  # type: ignore[arg-type]
        for rid, (at, _, _) in rows.items():
            t.rows[at].extend(choice[rid])

    # -- section 四
    def sec4(self, at: int) -> tuple[Table, int] | None:
        toks, t = self.toks, Table()
        i = at
        head: list[str] = []
        while i < len(toks) and toks[i].kind == LABEL and toks[i].has(H4):
            head.append(self.text(toks[i]))
            i += 1
        keys = {label_key(h) for h in head}
        if not {"行政复议", "行政诉讼"} <= keys or i >= len(toks) or toks[i].kind != RUN:
            return None
        tok = toks[i]
        options = _read(tok, [flatten.Column()] * 15, flatten.sums_to_last(5), steps=self.steps)
        if not options:
            options = _read(tok, [flatten.Column()] * 15, steps=self.steps)
        t.rows.append(head)
        if not options:
            self.unreadable("行政复议、行政诉讼", tok, 15)
            t.rows.append([tok.run])
        else:
            options.sort(key=_balance_key)
            if len(options) > 1:
                self.ambiguous("行政复议、行政诉讼", tok, options)
            t.rows.append(list(options[0]))
        t.data_rows = 1
        return t, i + 1

    # -- statistical tables
    def stat(self, at: int) -> tuple[Table, int] | None:
        toks, t = self.toks, Table()
        i = at
        head: list[str] = []
        while i < len(toks) and toks[i].kind == LABEL and toks[i].has(HS) and not (head and toks[i].has(RS)):
            head.append(self.text(toks[i]))
            i += 1
        keys = [label_key(h) for h in head]
        if not keys or not any(w in keys[0] for w in STAT_HEADER_WORDS):
            return None
        unit_col = next((j for j, h in enumerate(keys) if j and h.endswith("单位")), None)
        value_cols = [j for j, h in enumerate(keys) if j and j != unit_col and "代码" not in h]
        periods = ["cumulative" if ("累计" in h and "本年累计" not in h) else "year" for h in (keys[j] for j in value_cols)]
        nvals = len(value_cols) or 1
        t.rows.append(head)
        width = len(head)
        rows: list[tuple[int, str, int | None, Tok | None]] = []  # (index in t.rows, label, STAT_ROWS index, run)
        while i < len(toks):
            tok = toks[i]
            if tok.kind == LABEL and tok.has(RS):
                idx = tok.payload(RS)
                label = self.text(tok)
            elif tok.kind == TEXT and not _PROSE_END.search(self.text(tok)) and len(self.text(tok)) <= 80 and (
                    _ORD_PREFIX.match(self.ln.k, tok.a) or self.ln.k[tok.a:tok.b].endswith(_UNITS)
                    or (i + 1 < len(toks) and toks[i + 1].kind == UNIT)):
                idx = None  # a row the templates do not know (`（一）通过…门户网站公开数条32`): its ordinal or unit says so
                label = self.text(tok)
            else:
                break
            i += 1
            unit = ""
            if tok.kind == TEXT:  # an unknown row: its unit word printed at the end of its label
                for u in _UNITS:
                    if label.endswith(u) and len(label) > len(u):
                        label, unit = label[: -len(u)].rstrip(), u
                        break
            if i < len(toks) and toks[i].kind == UNIT:
                unit = self.text(toks[i])
                i += 1
            run = None
            if i < len(toks) and toks[i].kind == RUN:
                run = toks[i]
                i += 1
            row = [label] + ([unit] if unit_col is not None else [])
            rows.append((len(t.rows), label, idx if isinstance(idx, int) else None, run))
            t.rows.append(row)
            if run is not None:
                t.data_rows += 1
        if t.data_rows < 2:
            return None
        self.stat_cells(t, rows, nvals, periods, unit_col is not None, width)
        return t, i

    def stat_cells(self, t: Table, rows: list[tuple[int, str, int | None, Tok | None]], nvals: int,
                   periods: list[str], has_unit: bool, width: int) -> None:
        cols = [flatten.Column(decimal=True)] * nvals
        options: dict[str, list[tuple[str, ...]]] = {}
        fallback: dict[str, list[tuple[str, ...]]] = {}
        where: dict[str, tuple[int, str, Tok | None]] = {}
        metric_of: dict[str, str] = {}
        for n, (at, label, idx, tok) in enumerate(rows):
            rid = f"r{n}"
            where[rid] = (at, label, tok)
            if idx is not None and STAT_ROWS[idx][1]:
                metric_of[rid] = STAT_ROWS[idx][1]  # type: ignore[assignment]
            if tok is None:
                options[rid] = [("",) * nvals]
                continue
            every = _reads(tok, cols, steps=self.steps)
            if has_unit and not t.rows[at][1] and tok.run[:1] in _BLANK_CHARS + "-" and not every:
                # a heading row printed `——`: its unit cell is a blank mark too
                with_unit = _reads(tok, [flatten.Column()] + cols, steps=self.steps)
                if with_unit and with_unit[0][0] in _BLANK_CHARS + "-":
                    t.rows[at][1] = with_unit[0][0]
                    every = [o[1:] for o in with_unit]
            if nvals > 1 and "year" in periods and "cumulative" in periods:
                y, c = periods.index("year"), periods.index("cumulative")
                every = [o for o in every if (flatten.number(o[c]) or 0) >= (flatten.number(o[y]) or 0)] or every
            if not every:  # no value cell: a run put in a year or cumulative column would be read as its figure
                self.unreadable(label, tok, nvals)
                options[rid] = [()]
                continue
            every.sort(key=_balance_key)
            options[rid] = _hinted(every, tok.hints)
            fallback[rid] = every
        identities = []
        if nvals > 1:
            by_metric = {m: rid for rid, m in metric_of.items()}
            for total, prefix, exclude in (("requests.received", "requests.channel.", ()),
                                           ("requests.answered", "requests.answer.", ("withheld_",))):
                if total not in by_metric:
                    continue
                parts = [rid for m, rid in by_metric.items()
                         if m.startswith(prefix) and not any(x in m for x in exclude)]
                if parts:
                    for c in range(nvals):
                        identities.append(flatten.Identity(tuple((p, c) for p in parts), ((by_metric[total], c),)))
        choice, unsure = _solve(options, identities, fallback, self.steps)
        for rid in unsure:
            at, label, tok = where[rid]
            self.ambiguous(label, tok, _kept_first(choice[rid], options[rid]))  # type: ignore[arg-type]
        for rid, (at, _, _) in where.items():
            row = t.rows[at]
            row.extend(choice[rid])
            if len(row) < width and choice[rid]:
                row.extend([""] * (width - len(row)))

    # -- the line
    def build(self) -> list[Piece] | None:
        toks = self.toks
        pieces: list[Piece] = []
        text_from = 0  # matching-form position where pending text starts
        i = 0
        found = False
        while i < len(toks):
            tok = toks[i]
            got = None
            if tok.kind == LABEL:
                if tok.has(T2):
                    got = self.sec2(i)
                elif tok.has(H3) and tok.payload(H3) in ("note", "申请人情况") or (
                        tok.has(R3) and SEC3_ROWS[tok.payload(R3)][0] == "requests.new"):  # type: ignore[index]
                    got = self.sec3(i)
                elif tok.has(H4) and tok.payload(H4) == "行政复议":
                    got = self.sec4(i)
                elif tok.has(HS) and any(w in label_key(self.text(tok)) for w in STAT_HEADER_WORDS):
                    got = self.stat(i)
            if got is None:
                i += 1
                continue
            table, j = got
            found = True
            before = self.ln.text(text_from, tok.a)
            if before:
                pieces.append(Piece(text=before))
            pieces.append(Piece(rows=table.rows))
            text_from = toks[j - 1].b
            i = j
        if not found:
            return None
        after = self.ln.text(text_from, len(self.ln.k))
        if after:
            pieces.append(Piece(text=after))
        return pieces


# --- choosing reads: the identities, and which rows stay ambiguous --------------------------------------------

MAX_SOLUTIONS = 16  # solutions enumerated to tell a unique read from an ambiguous one
MAX_NODES = 50_000  # search budget of one table (reads tried)


def _solve(options: dict[str, list[tuple[str, ...]]], identities: list[flatten.Identity],
           fallback: dict[str, list[tuple[str, ...]]] | None = None,
           steps: list[int] | None = None) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """One read per row such that every identity holds, and the rows whose read is not proven unique.

    A row tied to no identity is ambiguous as soon as it reads more than one way. The rows tied to identities are
    searched together (rows on an identity's total side first; a partial sum of counts above its total is cut),
    enumerating up to MAX_SOLUTIONS solutions within MAX_NODES steps: a row is ambiguous when its read differs between
    solutions, and every tied row is when the search was cut or found no solution (the report's own figures do not
    add up). `fallback` (the reads before the printed spaces filtered them) is searched when `options` give no
    solution. Reads are tried in the order given; the first solution is kept. Each identity keeps its running sums,
    so a step costs the row's own references."""
    rows = list(options)
    idts = [idt for idt in identities if all(r in options for r, _ in idt.plus + idt.minus)]
    linked = {r for idt in idts for r, _ in idt.plus + idt.minus}
    choice = {r: o[0] for r, o in options.items()}
    unsure = [r for r in rows if len(options[r]) > 1 and r not in linked]
    open_rows = [r for r in rows if len(options[r]) > 1 and r in linked]
    order = {r: i for i, r in enumerate(rows)}
    if not open_rows:
        return choice, unsure
    totals = {r for idt in idts for r, _ in idt.minus}
    open_rows.sort(key=lambda r: (r not in totals, order[r]))
    refs: dict[str, list[tuple[int, int, int]]] = {}  # row -> (identity, side, column)
    for n, idt in enumerate(idts):
        for side, cells in enumerate((idt.plus, idt.minus)):
            for row, col in cells:
                refs.setdefault(row, []).append((n, side, col))
    sums = [[0.0, 0.0] for _ in idts]
    pending = [[0, 0] for _ in idts]
    unknown = [0] * len(idts)  # blank (or negative) cells: the identity is not checked
    for n, idt in enumerate(idts):
        pending[n] = [len(idt.plus), len(idt.minus)]

    def values(option: tuple[str, ...]) -> tuple[float | None, ...]:
        out = []
        for cell in option:
            v = flatten.number(cell) if cell else None
            out.append(None if v is None or v < 0 else float(v))
        return tuple(out)

    def put(row: str, vals: tuple[float | None, ...], sign: int) -> list[int]:
        touched = []
        for n, side, col in refs.get(row, ()):
            v = vals[col] if col < len(vals) else None
            if v is None:
                unknown[n] += sign
            else:
                sums[n][side] += sign * v
            pending[n][side] -= sign
            touched.append(n)
        return touched

    def holds(n: int) -> bool:
        if unknown[n]:
            return True
        (a, b), (pa, pb) = sums[n], pending[n]
        if not pa and not pb:
            return abs(a - b) < 1e-6
        if pa and not pb:
            return a <= b + 1e-6
        if pb and not pa:
            return b <= a + 1e-6
        return True

    for row in rows:
        if row in refs and row not in open_rows:
            put(row, values(choice[row]), 1)
    solutions: list[dict[str, tuple[str, ...]]] = []
    given = min(MAX_NODES, steps[0]) if steps is not None else MAX_NODES
    budget = [given]
    assigned: dict[str, tuple[str, ...]] = {}

    def rec(i: int, opts: dict[str, list[tuple[str, ...]]], vals: dict[str, list[tuple[float | None, ...]]]) -> None:
        if i == len(open_rows):
            solutions.append(dict(assigned))
            return
        row = open_rows[i]
        for opt, v in zip(opts[row], vals[row]):
            budget[0] -= 1
            if budget[0] <= 0 or len(solutions) >= MAX_SOLUTIONS:
                return
            touched = put(row, v, 1)
            if all(holds(n) for n in touched):
                assigned[row] = opt
                rec(i + 1, opts, vals)
                del assigned[row]
            put(row, v, -1)

    for opts in (options, {r: (fallback or {}).get(r, o) for r, o in options.items()}):
        rec(0, opts, {r: [values(o) for o in opts[r]] for r in open_rows})
        if solutions or fallback is None or budget[0] <= 0:
            break
    if steps is not None:
        steps[0] -= given - max(budget[0], 0)
    complete = budget[0] > 0 and len(solutions) < MAX_SOLUTIONS
    if solutions:
        choice.update(solutions[0])
        unsure += open_rows if not complete else [r for r in open_rows if len({s[r] for s in solutions}) > 1]
    else:
        unsure += open_rows
    return choice, sorted(set(unsure), key=order.__getitem__)


# the words that tell a section 二's format (etl.templates.SEC2_TELLS and the item rows only one format prints)
_SEC2_TELLS = {
    "2021": tuple(label_key(w) for w in (*SEC2_TELLS["2021"], "行政规范性文件")),
    "2019": tuple(label_key(w) for w in (*SEC2_TELLS["2019"], "其他对外管理服务事项", "政府集中采购")),
}


@cache
def _sec3_index() -> LabelIndex[int]:
    return LabelIndex((i, labels) for i, (_, labels) in enumerate(SEC3_ROWS))


def _kept_first(kept: tuple[str, ...], options: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [kept, *(o for o in options if o != kept)]


def _balance_key(o: tuple[str, ...]) -> tuple[int, int]:
    """Fixed order of reads: cells of even length first (a run of small counts), then shorter first cells."""
    lens = [len(c) for c in o]
    return (max(lens) - min(lens), lens[0])


# --- entry points ---------------------------------------------------------------------------------------------


def candidate(line: str) -> bool:
    """Cheap test: a line that may hold a one-line table (long enough, digits, an anchor word)."""
    return MIN_LINE <= len(line) <= MAX_LINE and _DIGIT.search(line) is not None and _ANCHOR.search(line) is not None


def read_line(line: str) -> OneLine | None:
    """The tables printed on one line, rebuilt as rows, with the text around them; None when the line holds no
    table (see the module docstring)."""
    if not candidate(line):
        return None
    ln = _Line(line)
    if not ln.k:
        return None
    builder = _Builder(ln, tokenize(ln))
    pieces = builder.build()
    if pieces is None:
        return None
    return OneLine(pieces, builder.issues)
