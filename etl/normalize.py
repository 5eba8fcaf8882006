"""Text normalisation: traditional -> simplified, pinyin artifacts, full-width forms, label keys, numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import opencc

# Characters common in these reports that only exist in traditional script.
_TRAD_ONLY = set(
    "國會這個們說時來對與開關資數應於書長門問間條經處發務體機構訊報請辦統計實際產點復網絡"
    "據麼區縣鄉級單類項範規檔製場總審議權責證傳訪談聞舉聯員務購採複訴駁糾維護決辦結諮詢"
)  # each one changed by OpenCC t2s (媒 and 覆, simplified characters too, made simplified pages "traditional")
# `(` after a CJK character, then a pinyin syllable with a tone mark. The pattern opens with the literal `(` (the
# lookbehind checks the character before it), so the regex engine skips to each `(` instead of trying every position.
_PINYIN = re.compile(
    r"\((?<=[\u3400-\u9fff]\()(?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\)"
)
_WS = re.compile(r"\s+")
# zero-width and other invisible characters seen in CMS output
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")  # a regex: str.translate with a dict is per-char Python


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_TRAD_RE = re.compile("[" + "".join(sorted(_TRAD_ONLY)) + "]")
_ASCII_BYTES = bytes(range(128))


def is_traditional(text: str, threshold: int = 8) -> bool:
    """True when the text is written in traditional characters (a mirror or a Taiwan-style copy)."""
    # The scan runs in the regex engine (about 5 ns a character). A page is mostly ASCII markup, which holds no
    # traditional character: the non-ASCII characters alone, in order, are scanned (UTF-8 bytes minus the ASCII
    # bytes decode to exactly them; encoding and deleting bytes cost well under 1 ns a character).
    wide = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    for n, _ in enumerate(_TRAD_RE.finditer(wide), 1):
        if n >= threshold:
            return True
    return False


def strip_pinyin(text: str) -> str:
    """Remove pinyin that mirrors inject after characters: 機(jī)關(guān) -> 機關."""
    return _PINYIN.sub("", text)


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def normalize_text(text: str) -> tuple[str, list[str]]:
    """Whole-document normalisation. Returns the text and the list of steps applied (for provenance)."""
    steps = []
    if any(ch in text for ch in _INVISIBLE_CHARS):  # six C-level scans; the substitution only when needed
        text = _INVISIBLE.sub("", text)
    text = text.replace("\u00a0", " ").replace("\u3000", " ")
    stripped = strip_pinyin(text)
    if stripped != text:
        steps.append("pinyin")
        text = stripped
    if is_traditional(text):
        steps.append("t2s")
        text = to_simplified(text)
    return text, steps


# --- NFKC ------------------------------------------------------------------------------------------
# CPython's unicodedata.normalize("NFKC") costs about a quarter of a microsecond per CJK character once a string is
# not already normalised (one full-width comma is enough), more than everything else done to a prose line. Report
# text is almost always made of "simple" characters: ASCII, CJK ideographs, CJK and general punctuation, full-width
# forms, circled numbers. None of them has a non-zero combining class or can be the second character of a canonical
# composition (tests/test_etl_units.py checks this against every canonical decomposition), and each one's own NFKC
# form is made of simple characters of combining class 0. For a string of simple characters, NFKC is therefore the
# concatenation of the characters' own NFKC forms: a few `str.replace` calls. Any other character: unicodedata.
_SIMPLE_RANGES = (
    (0x0000, 0x007F), (0x00A0, 0x00BF), (0x2010, 0x2027), (0x2030, 0x205E), (0x2070, 0x209F), (0x2150, 0x218F),
    (0x2190, 0x23FF), (0x2460, 0x24FF), (0x2500, 0x27BF), (0x3000, 0x3029), (0x3030, 0x303F), (0x3200, 0x33FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFE50, 0xFE6B), (0xFF01, 0xFF5E),
)


def _simple_table() -> tuple[frozenset[str], dict[str, str]]:
    """The simple characters (see above) and the NFKC form of those it changes."""
    candidates = {chr(cp) for a, b in _SIMPLE_RANGES for cp in range(a, b + 1)}
    simple = set(candidates)
    changed = True
    while changed:  # a character whose NFKC form holds a character that is not simple is not simple either
        changed = False
        for ch in list(simple):
            form = unicodedata.normalize("NFKC", ch)
            if form != unicodedata.normalize("NFKD", ch) or unicodedata.combining(ch) or any(
                    c not in simple or unicodedata.combining(c) for c in form):
                simple.discard(ch)
                changed = True
    table = {ch: unicodedata.normalize("NFKC", ch) for ch in simple}
    return frozenset(simple), {ch: form for ch, form in table.items() if form != ch}


def _char_class(chars: set[str] | frozenset[str] | dict[str, str]) -> str:
    """A regex character class body for a set of characters, as ranges."""
    cps = sorted(ord(c) for c in chars)
    out = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        out.append(re.escape(chr(cps[i])) if i == j else f"{re.escape(chr(cps[i]))}-{re.escape(chr(cps[j]))}")
        i = j + 1
    return "".join(out)


@cache
def _nfkc_tables() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """(a character that is not simple, a simple character NFKC changes, their NFKC forms); built on first use."""
    simple, table = _simple_table()
    return re.compile(f"[^{_char_class(simple)}]"), re.compile(f"[{_char_class(table)}]"), table


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), exactly, faster on report text (see above)."""
    if text.isascii():
        return text
    not_simple, changed, table = _nfkc_tables()
    if not_simple.search(text) is not None:
        return unicodedata.normalize("NFKC", text)
    for ch in set(changed.findall(text)):
        text = text.replace(ch, table[ch])
    return text


def clean(s: str) -> str:
    """Collapse whitespace (labels printed with spaces or line breaks inside)."""
    return " ".join(s.split())


# --- label keys -----------------------------------------------------------------------------------

_KEY_MAP = str.maketrans(
    {
        "（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")",
        "、": ".", "．": ".", "﹒": ".", "·": ".", "。": ".", "，": ",", "：": ":", "；": ";",
        "“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "－": "-", "–": "-", "／": "/",
    }
)
_KEY_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _KEY_MAP) + "]")  # their targets are never keys
assert not any(chr(c) in _KEY_MAP.values() for c in _KEY_MAP)
# Taiwan vocabulary and other word-level variants met in labels (applied to keys only).
_WORD_VARIANTS = (("档案", "文件"), ("機關", "机关"), ("其它", "其他"), ("机密", "秘密"))
_ORDINAL = re.compile(
    r"^(?:其中[:,]?|其中)?(?:[一二三四五六七八九十]+[.]|\([一二三四五六七八九十]+\)|\(\d+\)|\d+[.)]|[①-⑳])*"
)
_PAREN = re.compile(r"\([^()]*\)")


# Labels repeat across rows and reports (and the mapper keys its constant anchor words on every row): the pure
# key functions are memoised. Long strings (prose lines, hostile cells) go to a tiny cache of their own: the mapper
# asks for the same line's key a few dozen times, and one 2 MB line must not cost a few dozen normalisations.
_MEMO_MAX_LEN = 200


def label_key(s: str) -> str:
    """Matching key: NFKC, no whitespace, unified punctuation, Taiwan variants mapped."""
    if len(s) > _MEMO_MAX_LEN:
        return _label_key_long(s)
    return _label_key_memo(s)


def _label_key(s: str) -> str:
    s = nfkc(s)
    for ch in set(_KEY_CHARS.findall(s)):  # str.translate with a dict costs per character; these are few
        s = s.replace(ch, _KEY_MAP[ord(ch)])
    s = _WS.sub("", s)
    for a, b in _WORD_VARIANTS:
        s = s.replace(a, b)
    return s.rstrip(":").lower()


_label_key_memo = lru_cache(maxsize=16384)(_label_key)
_label_key_long = lru_cache(maxsize=4)(_label_key)


def core_key(key: str) -> str:
    """A label key without its leading ordinal (一、 （一） 1. 其中:)."""
    return _ORDINAL.sub("", key).lstrip(":.,")


def bare_key(key: str) -> str:
    """A core key without parenthetical instructions (指…), e.g. 处理决定数量(指当年办件量)."""
    return _PAREN.sub("", core_key(key)).strip()


# --- numbers ----------------------------------------------------------------------------------------

BLANK_MARKS = {"", "-", "--", "—", "——", "/", "／", "－", "无", "\\", "…", "?", "??", "???"}

_NUM = re.compile(
    r"^(?P<sign>[-+])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>万元|元|件|条|次|人次|人|个|项|篇|份|%)?\s*(?P<approx>余|多)?$"
)


@dataclass(frozen=True, slots=True)
class Number:
    value: float | int
    unit: str | None
    approximate: bool


# More digits than any statistic has: such a cell is an identifier, a phone number or junk, not a figure
# (and int() refuses more than 4,300 digits).
_MAX_DIGITS = 18


def parse_cell_number(text: str) -> Number | None | str:
    """A table cell -> Number, None for a printed blank, or the string "text" when it is not numeric."""
    if len(text) > _MEMO_MAX_LEN:
        return _parse_cell_number(text)
    return _parse_cell_number_memo(text)


def _parse_cell_number(text: str) -> Number | None | str:
    t = nfkc(text).strip().replace(" ", "")
    if t in BLANK_MARKS or set(t) <= {"-", "—", "/", "?", "－"}:
        return None
    m = _NUM.match(t)
    if not m:
        return "text"
    raw = m.group("num").replace(",", "")
    if len(raw) > _MAX_DIGITS + 1:
        return "text"
    val: float | int = float(raw) if "." in raw else int(raw)
    if m.group("sign") == "-":
        val = -val
    return Number(val, m.group("unit"), m.group("approx") is not None)


_parse_cell_number_memo = lru_cache(maxsize=16384)(_parse_cell_number)


def to_unit(n: Number, unit: str) -> float | int:
    """Convert a cell's number to the catalog unit (money: 元 <-> 万元)."""
    v = n.value
    if unit == "万元" and n.unit == "元":
        return round(v / 10000, 6)
    if unit == "元" and n.unit == "万元":
        return round(v * 10000, 2)
    return v
