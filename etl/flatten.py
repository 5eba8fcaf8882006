"""Flattened tables: rows printed as text with no delimiter between cells (`行政规范性文件8215230`).

A run of digits is split into the number of cells its template row expects. A split is valid when every token is
a well-formed number (no leading zero, an optional sign or decimal part where the column allows it); among valid
splits, the templates' own arithmetic (row totals, column identities such as 一 + 二 = （七）总计 + 四) picks the one
the agency printed. When several splits satisfy every identity, the first in a fixed order is kept and the caller
reports it as `ambiguous` — never a silent guess.

Pure functions; bounded work (a cap on splits per run and on the search).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# a trailing run of cells: digits, signs, decimal points, blank marks (— / －), thousands commas
_RUN = r"[0-9][0-9.,\-—/－]*|[—/－][0-9.,\-—/－]*"
_FLAT_LINE = re.compile(r"[\u4e00-\u9fff）)]\s*(?:" + _RUN + r")")  # a label's end, then cells
_PAIR = re.compile(r"(?P<label>(?:\d{1,2}\s*[.、．](?=\D))?[^0-9—/－]*?[^\s0-9.,\-—/－])\s*(?P<run>" + _RUN + r")")
_ORDINAL = re.compile(r"^\s*(\d{1,2})\s*[.、．]")
_ORDINAL_ANY = re.compile(r"(?<![\d.])(\d{1,2})\s*[.、．](?=\D)")
_UNIT_START = re.compile(r"^[条件次人个篇项份）)]")
_LABEL_PART = re.compile(r"(?=[（(][一二三四五六七八九十]+[)）])|(?<=[^\d])(?=\d{1,2}[.、．]\D)")


def label_parts(label: str) -> list[str]:
    """`三、本年度办理结果（一）予以公开` -> [`三、本年度办理结果`, `（一）予以公开`]: group labels glued to a row's."""
    return [p for p in _LABEL_PART.split(label) if p.strip()] or [label]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TOKEN = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
_BLANKS = "—/－"
MAX_SPLITS = 20000  # per run: beyond this the run is left unsplit (reported), never searched without bound
MAX_NODES = 200000  # search budget of `solve`
MAX_CELL = 32  # characters of one cell: 18 digits, a sign, a decimal part (a longer token is no figure)
MAX_SPLIT_NODES = 200000  # search budget of `splits` (a run no split can read is then given up, like MAX_SPLITS)


def is_run(text: str) -> bool:
    """A whole line that is only cells (`000000000000000`, `12-3`, `5.2`)."""
    t = text.strip().replace(" ", "")
    return bool(t) and re.fullmatch(_RUN, t) is not None and any(c.isdigit() for c in t)


def split_line(text: str) -> list[tuple[str, str]] | None:
    """`label + run` pairs of one flattened line, or None when the line is prose or has no trailing run.

    `1.网站公开23762.政府公报公开7` holds two rows: the second row's ordinal (`2.`) is glued to the first row's run,
    so it is moved back to its label when the ordinals follow each other.
    """
    line = text.strip()
    unit = re.search(r"(?<=\d)(万元|元)$", line)
    if unit:  # `政府集中采购224937614.66元`: the unit of the last cell
        line = line[: unit.start()]
    if not line or len(line) > 160 or "。" in line or not _CJK.search(line) or not _FLAT_LINE.search(line):
        return None
    pairs: list[tuple[str, str]] = []
    pos = 0
    for m in _PAIR.finditer(line):
        if m.start() != pos:
            return None
        pairs.append((m.group("label"), m.group("run")))
        pos = m.end()
    if not pairs:
        return None
    if pos != len(line.rstrip()):  # a last row printed with its cells blank (nothing after the label)
        rest = line[pos:].strip()
        if _ORDINAL.match(rest) is None and not pairs[-1][1].endswith((".", "、", "．")):
            return None
        pairs.append((rest, ""))
    # an ordinal's separator left at the start of the next label (`…1` + `、政府网站…`) goes back to its run
    pairs = [(label, run) for label, run in pairs]
    for i in range(1, len(pairs)):
        label = pairs[i][0]
        if label[:1] in "、．" and pairs[i - 1][1]:
            pairs[i - 1] = (pairs[i - 1][0], pairs[i - 1][1] + label[0])
            pairs[i] = (label[1:], pairs[i][1])
    # a number inside a label (`…相同信息计1条）条11105`) or an ordinal read as a run (`其中：1.网站公开…`)
    merged: list[tuple[str, str]] = []
    for label, run in pairs:
        if merged and (_UNIT_START.match(label) or (
                re.fullmatch(r"\d[.、．]", merged[-1][1]) and re.search(r"[：:]$|其中$", merged[-1][0]))):
            prev_label, prev_run = merged.pop()
            label = prev_label + prev_run + label
        merged.append((label, run))
    pairs = merged
    # glued ordinals: a run ending with `2.` (or `2、`) whose next label starts without its ordinal
    out: list[tuple[str, str]] = []
    for i, (label, run) in enumerate(pairs):
        if i + 1 < len(pairs) and run.endswith((".", "、", "．")):
            nxt_label = pairs[i + 1][0]
            ordinals = _ORDINAL_ANY.findall(label)
            prev = ordinals[-1] if ordinals else None
            body = run[:-1]
            want = str(int(prev) + 1) if prev else body[-1:]  # no ordinal in sight: a one-digit ordinal
            if body.endswith(want) and len(body) > len(want) and not _ORDINAL.match(nxt_label):
                run = body[: -len(want)]
                pairs[i + 1] = (f"{want}.{nxt_label}", pairs[i + 1][1])
        out.append((label.strip(), run))
    # the label part of a pair must be a label, not a number-bearing phrase (`2019年`, `第3期`)
    if any(not _CJK.search(label) or label.endswith(("年", "月", "日", "第")) for label, _ in out):
        return None
    if unit and out[-1][1]:
        out[-1] = (out[-1][0], out[-1][1] + unit.group(1))
    return out


@dataclass(frozen=True, slots=True)
class Column:
    signed: bool = False  # may be negative (本年增/减)
    decimal: bool = False  # may have a decimal part (money)


def splits(run: str, columns: Sequence[Column],
           accept: Callable[[tuple[str, ...]], bool] | None = None, *,
           max_splits: int = MAX_SPLITS, max_nodes: int = MAX_SPLIT_NODES,
           budget: list[int] | None = None) -> list[tuple[str, ...]]:
    """Every way to read `run` as len(columns) cells, in a fixed order (shorter leading cells first).
    Blank marks (`—`, `/`) are cells of their own. `accept(cells so far)` prunes partial reads (a row total that
    cannot hold). More than `max_splits` ways, or more than `max_nodes` steps of search: returns []. `budget` (one
    number in a list, decremented in place) shares a limit of steps between calls; it is used instead of max_nodes."""
    run = run.replace(",", "").replace(" ", "")
    n = len(columns)
    out: list[tuple[str, ...]] = []
    if len(run) > n * MAX_CELL:
        return []
    nodes = budget if budget is not None else [max_nodes]

    def rec(pos: int, col: int, acc: list[str]) -> bool:
        nodes[0] -= 1
        if len(out) > max_splits or nodes[0] < 0:
            return False
        if accept is not None and acc and not accept(tuple(acc)):
            return True
        if col == n:
            if pos == len(run):
                out.append(tuple(acc))
            return True
        if pos >= len(run):
            return True
        if run[pos] in _BLANKS or (run[pos] == "-" and not columns[col].signed):
            acc.append(run[pos])
            ok = rec(pos + 1, col + 1, acc)
            acc.pop()
            return ok
        spec = columns[col]
        remaining = n - col - 1
        # every cell holds 1 to MAX_CELL characters: what is left must fit the columns left
        for end in range(max(pos + 1, len(run) - remaining * MAX_CELL), min(len(run) - remaining, pos + MAX_CELL) + 1):
            token = run[pos:end]
            if not _TOKEN.fullmatch(token):
                if token.startswith("-") and len(token) == 1:
                    continue
                if not token.replace("-", "").replace(".", "").isdigit():
                    break
                continue
            if token.startswith("-") and not spec.signed:
                break
            if "." in token and not spec.decimal:
                break
            # a '.' may not start the next cell; a '-' may, only if that column is signed
            nxt = run[end] if end < len(run) else ""
            if nxt == ".":
                continue
            acc.append(token)
            ok = rec(end, col + 1, acc)
            acc.pop()
            if not ok:
                return False
        return True

    rec(0, 0, [])
    return out if len(out) <= max_splits and nodes[0] >= 0 else []


def sums_to_last(width: int) -> Callable[[tuple[str, ...]], bool]:
    """accept() for groups of `width` cells whose last cell is the sum of the others (blank cells: unknown)."""

    def accept(cells: tuple[str, ...]) -> bool:
        if len(cells) % width:
            return True
        group = [number(c) for c in cells[-width:]]
        if any(v is None for v in group):
            return True
        return abs(sum(group[:-1]) - group[-1]) < 1e-6  # type: ignore[arg-type,operator]

    return accept


def number(token: str) -> float | int | None:
    if token in _BLANKS or token == "-":
        return None
    return float(token) if "." in token else int(token)


# --- choosing splits with the templates' identities ----------------------------------------------------------

Cellref = tuple[str, int]  # (row key, column index)


@dataclass(frozen=True, slots=True)
class Identity:
    """sum(plus) == sum(minus) over cells; a blank cell counts as unknown (the identity is then not checked)."""

    plus: tuple[Cellref, ...]
    minus: tuple[Cellref, ...]


def solve(options: dict[str, list[tuple[str, ...]]], identities: Sequence[Identity],
          prefer: Callable[[str, tuple[str, ...]], float] | None = None) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Pick one split per row so that every identity holds. Returns (choice, ambiguous row keys).

    Rows with one option are fixed. The search is depth-first over rows with several options, checking every
    identity as soon as all its rows are chosen; at most two full solutions are looked for (to tell a unique
    answer from an ambiguous one), within MAX_NODES steps. Rows whose option differs between the two solutions
    (or every open row, when no solution exists or the budget runs out) are returned as ambiguous; the kept choice is
    then the first solution, or each row's first option (ranked by `prefer`, lower first)."""
    rows = list(options)
    ranked = {r: sorted(opts, key=lambda o, r=r: prefer(r, o)) if prefer else list(opts) for r, opts in options.items()}
    fixed = {r: o[0] for r, o in ranked.items() if len(o) == 1}
    open_rows = [r for r in rows if len(ranked[r]) > 1]
    if not open_rows:
        return fixed, []
    # identities that involve at least one open row, each checked once all its rows are assigned
    order = {r: i for i, r in enumerate(open_rows)}
    relevant = [idt for idt in identities if all(c[0] in options for c in idt.plus + idt.minus)]
    check_at: dict[int, list[Identity]] = {}
    for idt in relevant:
        involved = [order[c[0]] for c in idt.plus + idt.minus if c[0] in order]
        if involved:
            check_at.setdefault(max(involved), []).append(idt)

    choice = dict(fixed)
    solutions: list[dict[str, tuple[str, ...]]] = []
    budget = [MAX_NODES]

    def holds(idt: Identity) -> bool:
        total = 0.0
        for sign, refs in ((1, idt.plus), (-1, idt.minus)):
            for row, col in refs:
                cells = choice[row]
                if col >= len(cells):
                    return True
                v = number(cells[col])
                if v is None:
                    return True
                total += sign * v
        return abs(total) < 1e-6

    def rec(i: int) -> None:
        if len(solutions) >= 2 or budget[0] <= 0:
            return
        if i == len(open_rows):
            solutions.append(dict(choice))
            return
        row = open_rows[i]
        for opt in ranked[row]:
            budget[0] -= 1
            choice[row] = opt
            if all(holds(idt) for idt in check_at.get(i, ())):
                rec(i + 1)
            if len(solutions) >= 2 or budget[0] <= 0:
                break
        choice.pop(row, None)

    rec(0)
    if len(solutions) == 1 and budget[0] > 0:
        return solutions[0], []
    if solutions:
        first = solutions[0]
        if len(solutions) == 1:  # budget ran out after one solution: cannot tell it is unique
            return first, list(open_rows)
        return first, [r for r in open_rows if solutions[0][r] != solutions[1][r]]
    return fixed | {r: ranked[r][0] for r in open_rows}, list(open_rows)
