"""Printed label -> template entry, tolerant of ordinals, instructions in brackets, Taiwan vocabulary, typos."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, Iterable, TypeVar

from rapidfuzz.distance import Levenshtein

from etl.normalize import bare_key, core_key, label_key

T = TypeVar("T")

_SUB_ROW = re.compile(r"^(?:\d+[.)]|其中)")
# Latin letters, tone marks, brackets and '?' left in a label by a mangled pinyin mirror (或?qū)n}会议数).
_GARBAGE = re.compile(r"[?a-zA-Z{}\[\]()āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]")


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    payload: T
    label: str
    key: str
    core: str
    bare: str
    sub_row: bool  # printed with an Arabic ordinal or 其中: only valid inside its own group
    pattern: re.Pattern[str] | None


_MEMO_MAX_LEN = 200
_MEMO_SIZE = 16384


def _max_typos(n: int) -> int:
    return 0 if n < 6 else 1 if n < 16 else 2


class LabelIndex(Generic[T]):
    def __init__(self, items: Iterable[tuple[T, Iterable[str]]]) -> None:
        self.entries: list[Entry[T]] = []
        for payload, labels in items:
            for label in labels:
                key = label_key(label)
                core = core_key(key)
                pattern = None
                if "*" in core:
                    pattern = re.compile(".*".join(map(re.escape, core.split("*"))))
                self.entries.append(Entry(payload, label, key, core, bare_key(key), bool(_SUB_ROW.match(key)), pattern))
        self._by_core: dict[str, list[Entry[T]]] = {}
        for e in self.entries:
            for k in {e.key, e.core, e.bare}:
                self._by_core.setdefault(k, []).append(e)
        # printed labels repeat from report to report: remember the answers (the fuzzy stage scans every entry)
        self._memo: dict[tuple[str, bool], tuple[Entry[T], ...]] = {}

    def match(self, text: str, *, fuzzy: bool = True) -> list[Entry[T]]:
        """Entries matching a printed label, best stage first (exact > core > bare > pattern > typo)."""
        memo_key = (text, fuzzy)
        hit = self._memo.get(memo_key)
        if hit is None:
            hit = tuple(self._match(text, fuzzy))
            if len(text) <= _MEMO_MAX_LEN:
                if len(self._memo) >= _MEMO_SIZE:
                    self._memo.clear()
                self._memo[memo_key] = hit
        return list(hit)

    def _match(self, text: str, fuzzy: bool) -> list[Entry[T]]:
        key = label_key(text)
        if not key or len(key) > 120:
            return []
        core = core_key(key)
        bare = bare_key(key)
        for k in (key, core, bare):
            found = self._by_core.get(k)
            if found:
                return _dedupe(found)
        found = [e for e in self.entries if e.pattern is not None and e.pattern.fullmatch(core)]
        if found or not fuzzy:
            return found
        best: list[Entry[T]] = []
        best_d = 99
        probes = [(core, "core"), (bare, "bare")]
        garbled = _GARBAGE.sub("", core)
        if garbled != core and garbled != bare:
            probes.append((garbled, "garbled"))
        for probe, kind in probes:
            limit = _max_typos(len(probe))
            if not limit:
                continue
            for e in self.entries:
                target = e.core if kind == "core" else e.bare if kind == "bare" else _GARBAGE.sub("", e.core)
                if abs(len(target) - len(probe)) > limit:
                    continue
                d = Levenshtein.distance(probe, target, score_cutoff=limit)
                if d <= limit and min(len(target), len(probe)) >= 6:
                    if d < best_d:
                        best, best_d = [e], d
                    elif d == best_d:
                        best.append(e)
        return _dedupe(best)


def _dedupe(entries: list[Entry[T]]) -> list[Entry[T]]:
    seen: set = set()
    out = []
    for e in entries:
        if e.payload not in seen:
            seen.add(e.payload)
            out.append(e)
    return out
