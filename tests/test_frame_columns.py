"""etl.frames._Columns: a table's rows gathered column by column, page by page, give the frame `_frame` gives of all
the rows at once (the row-wise constructor's frame), errors included."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from etl import frames
from etl.frames import PageInfo
from etl.model import ParseResult

SCHEMA = {"a": pl.Int32(), "b": pl.String(), "c": pl.Float64()}


def _columns(pages: list[list[tuple[Any, ...]]], schema: dict[str, pl.DataType] = SCHEMA) -> pl.DataFrame:
    table = frames._Columns(schema)
    for rows in pages:
        table.add(rows)
    return table.frame()


def _same(pages: list[list[tuple[Any, ...]]], schema: dict[str, pl.DataType] = SCHEMA) -> None:
    """_Columns gives `_frame`'s frame of all the rows, or raises what it raises."""
    rows = [row for page in pages for row in page]
    try:
        expected = frames._frame(rows, schema)
    except Exception as exc:  # noqa: BLE001 - whatever the row-wise constructor raises, raised the same way
        with pytest.raises(type(exc)):
            _columns(pages, schema)
        return
    built = _columns(pages, schema)
    assert built.schema == expected.schema
    assert built.equals(expected, null_equal=True)


def test_pages_of_rows_give_the_frame_of_all_rows() -> None:
    _same([[(1, "x", 1.5), (2, None, None)], [], [(3, "y", 2.0)]])
    assert _columns([[(1, "x", 1.5)], [(2, "y", None)]])["b"].to_list() == ["x", "y"]


def test_no_rows_give_an_empty_typed_frame() -> None:
    assert _columns([]).schema == pl.Schema(SCHEMA)
    assert _columns([[], []]).height == 0


@pytest.mark.parametrize(
    "pages",
    [
        [[(1.0, 2, 3)], [(None, None, None), (4, "x", 5.5)]],  # values not of their column's type: row-wise fallback
        [[("x", "y", 1.0)]],  # refused by the row-wise constructor too
        [[(1, "x", 1.5)], [(2, "y")]],  # a page's rows narrower than the schema
        [[(1, "x", 1.5)], [(2, "y", 2.5, "extra")]],  # wider
        [[(1, "x", 1.5), (2, "y")]],  # one page, rows of two widths
        [[(1, "x", 1.5, 9)], [(2, "y", 2.5)]],  # a wider page first, then a page of the schema's width
        [[(1, "x", 1.5, 9), (2, "y", 2.5)]],  # one page: a wider row, then rows of the schema's width
        [[(1, "x", 1.5)], [(2, "y", 2.5), (3, "z", 3.5, 9)], [(4, "w", 4.5)]],  # rows before the wide one kept
    ],
)
def test_odd_rows_give_what_the_rows_give(pages: list[list[tuple[Any, ...]]]) -> None:
    _same(pages)


def test_frames_of_rows_equal_frames_of_all_rows(sample_docs: list[tuple[PageInfo, ParseResult]]) -> None:
    """The report tables of `frames_of_rows` are `_frame` of every page's rows, in page order, then sorted."""
    rows = [frames.report_rows(page, result) for page, result in sample_docs * 3]
    built = frames.frames_of_rows(rows)
    reports = [r for r in rows if r.report is not None]
    for table, schema, order in (
        ("fact_disclosure", frames.FACT_DISCLOSURE_SCHEMA, list(frames.FACT_KEY)),
        ("fact_raw_cell", frames.FACT_RAW_CELL_SCHEMA, ["report_id", "ordinal"]),
        ("report_issue", frames.REPORT_ISSUE_SCHEMA, ["report_id", "ordinal"]),
        ("report_document", frames.REPORT_DOCUMENT_SCHEMA, ["report_id", "ordinal"]),
    ):
        expected = frames._frame([row for r in reports for row in getattr(r, table_field(table))], schema)
        assert getattr(built, table).equals(expected.sort(order, nulls_last=False), null_equal=True), table
        assert getattr(built, table).height > 0, table


def table_field(table: str) -> str:
    return {"fact_disclosure": "facts", "fact_raw_cell": "cells", "report_issue": "issues",
            "report_document": "documents"}[table]  # fmt: skip
