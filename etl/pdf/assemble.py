"""Reading order -> rows: table parts joined across pages (a header printed again dropped, a row or a tall
merged cell that a page break cut joined again) and paragraphs (a new one at an indent, a heading number, after a
line that stops short of the right margin, or at a change of font size)."""

from __future__ import annotations

import re

from etl.document import Row
from etl.normalize import clean
from etl.pdf.tables import Part
from etl.pdf.text import ENUM, Line, is_valueish, join_lines

_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十]+\s*[)）]|第[一二三四五六七八九十]+[章节部分条]|附件)"
)


def _same_columns(a: Part, b: Part) -> bool:
    if a.ruled != b.ruled:
        return False
    if a.ruled:
        if abs(a.left - b.left) > 2 or abs(a.right - b.right) > 2:
            return False
        small, big = (a.columns, b.columns) if len(a.columns) <= len(b.columns) else (b.columns, a.columns)
        return all(any(abs(x - y) <= 2 for y in big) for x in small)
    if abs(a.left - b.left) > 12:
        return False
    small, big = (a.spans, b.spans) if len(a.spans) <= len(b.spans) else (b.spans, a.spans)
    if not small:
        return False
    # each value column of one part falls in its own column of the other (nearest centre)
    centres = [(lo + hi) / 2 for lo, hi in big]
    hit = [min(range(len(centres)), key=lambda k: abs(centres[k] - (lo + hi) / 2)) for lo, hi in small]
    return len(set(hit)) == len(hit) and big[0][0] - 12 <= small[0][0] and small[-1][1] <= big[-1][1] + 12


def _continued(part: Part, last_part: Part, rows: list[Row]) -> list[tuple[int, list[str]]]:
    """The rows of a table's part on a new page (with their index in `part.rows`), less what only continues the
    previous page: header rows printed again, the rest of cells the break cut (their text joins the cell's text
    on the previous page; the empty rest of a merged cell is no cell), the rest of a row the break cut."""
    data = list(enumerate(part.rows))
    head = [r.cells for r in rows if r.table == part.table][:4]
    n = 0
    while n < len(data) and n < len(head) and data[n][1] == head[n]:
        n += 1  # header rows repeated on the new page
    data = data[n:]
    if not data:
        return data
    last = rows[-1] if rows and rows[-1].table == part.table else None
    first_index, first_cells = data[0]
    if part.ruled and last_part.ruled and len(part.boxes) > first_index and last_part.boxes:
        boxes = part.boxes[first_index]
        above = last_part.boxes[-1] if last is not None and len(last.cells) == len(last_part.boxes[-1]) else []

        def under(box: tuple, pool: list) -> int | None:
            return next((k for k, p in enumerate(pool) if abs(box[0] - p[0]) <= 2 and abs(box[1] - p[1]) <= 2), None)

        def goes_on(before: str, after: str) -> bool:
            return bool(before) and not is_valueish(before) and not is_valueish(after) and not ENUM.match(after)

        rest = [(k, t, box, under(box, above)) for k, (t, box) in enumerate(zip(first_cells, boxes, strict=True))]
        going_on = [(t, j) for _, t, _, j in rest if j is not None]
        if last is not None and going_on and any(last.cells[j] and not t for t, j in going_on) \
                and all(not t or goes_on(last.cells[j], t) for t, j in going_on):
            # the last row of the previous page goes on here (a row may break across pages)
            more = {j: t for t, j in going_on}
            last.cells = [join_lines([c, more[k]]) if more.get(k) else c for k, c in enumerate(last.cells)]
            rest = [c for c in rest if c[3] is None]
        elif last is not None:
            # a merged cell of the previous page's last row goes on down this page (a tall cell here)
            kept = []
            for k, t, box, j in rest:
                if j is not None and box[2] >= 2 and t and goes_on(last.cells[j], t):
                    last.cells[j] = join_lines([last.cells[j], t])
                    continue
                kept.append((k, t, box, j))
            rest = kept
        spans = [(x0, x1) for x0, x1, _, _ in last_part.open_cells]
        lead = next((k for k, t, _, _ in rest if t), len(first_cells))
        first = []
        for k, t, box, _ in rest:
            j = under(box, spans)
            if j is not None and t:
                _, _, at, before = last_part.open_cells[j]
                row = last_part.emitted.get(at)
                if row is not None and before in row.cells and goes_on(before, t):
                    row.cells[row.cells.index(before)] = join_lines([before, t])  # a merged cell's text going on
                    continue
            if t or not (k < lead or j is not None):
                first.append(t)  # (the empty rest of a merged cell: one reaching down, or before the row's text)
        data = ([(first_index, first)] if any(first) else []) + data[1:]
    elif last is not None and _split_row(last.cells, first_cells):
        last.cells = [join_lines([a, b]) if b else a for a, b in zip(last.cells, first_cells, strict=True)]
        data = data[1:]
    return data


def _split_row(prev: list[str], first: list[str]) -> bool:
    """The first row of a table's next part is the rest of the previous part's last row (word processors let a
    row break across pages): the same cells, text only under cells that have text (labels going on), no figure,
    no new row number, and some cell of the row already complete (a whole new row fills every labelled cell)."""
    if len(prev) != len(first) or not any(first):
        return False
    for a, b in zip(prev, first, strict=True):
        if b and (not a or is_valueish(b) or is_valueish(a) or ENUM.match(b)):
            return False
    return any(a and not b for a, b in zip(prev, first, strict=True))


def paragraphs(items: list[tuple[str, object]], left: float, right: float, body: float) -> list[Row]:
    rows: list[Row] = []
    buf: list[Line] = []

    def flush() -> None:
        if buf:
            text = clean(join_lines([ln.text for ln in buf]))
            if text:
                rows.append(Row([text], page=buf[0].page))
            buf.clear()

    ntables = 0
    table_rows: dict[int, int] = {}
    last_part: Part | None = None
    for kind, obj in items:
        if kind == "table":
            part = obj  # type: ignore[assignment]
            assert isinstance(part, Part)
            flush()
            continuing = (
                last_part is not None and part.page == last_part.page + 1 and _same_columns(last_part, part)
                and last_part.table is not None
            )
            data = list(enumerate(part.rows))
            if continuing:
                assert last_part is not None and last_part.table is not None
                part.table = last_part.table
                data = _continued(part, last_part, rows)
            else:
                part.table = ntables
                ntables += 1
            for k, cells in data:
                i = table_rows.get(part.table, 0)
                row = Row(cells, table=part.table, index=i, page=part.page)
                rows.append(row)
                part.emitted[k] = row
                table_rows[part.table] = i + 1
            last_part = part
            continue
        ln = obj
        assert isinstance(ln, Line)
        text = ln.text
        if buf:
            prev = buf[-1]
            big = prev.size > body * 1.15 and abs(prev.size - ln.size) < 0.5
            new = abs(prev.size - ln.size) > 0.6 or _HEADING.match(text) is not None
            if big:
                new = new or (ln.page == prev.page and ln.base - prev.base > 1.9 * ln.size)
            else:
                new = (
                    new
                    or ln.x0 > left + 0.9 * ln.size
                    or prev.x1 < right - 1.5 * prev.size
                    or (ln.page == prev.page and ln.base - prev.base > 2.0 * max(ln.size, prev.size))
                )
            if new:
                flush()
        buf.append(ln)
        last_part = None
    flush()
    return rows
