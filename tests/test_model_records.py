"""etl.model's per-cell records (Source, Value, Cell) are not frozen, for speed: they still compare and hash by value,
survive pickling and `dataclasses.replace`, as the frozen records did."""

from __future__ import annotations

import dataclasses
import pickle

from etl.model import Cell, Source, Value


def _records() -> list[object]:
    source = Source("table", "三", "一、本年新收政府信息公开申请数量", "自然人", "12", page=2, document="https://x/a.pdf")
    value = Value("requests.new", "natural_person", "year", 12, "件", False, source)
    cell = Cell("三", "一、本年新收政府信息公开申请数量", "自然人", "12", 12, "requests.new", "natural_person", "year", 2)
    return [source, value, cell]


def test_records_hash_and_compare_by_value() -> None:
    for a, b in zip(_records(), _records(), strict=True):
        assert a == b and a is not b
        assert hash(a) == hash(b) == hash(tuple(getattr(a, f.name) for f in dataclasses.fields(a)))
        assert len({a, b}) == 1
    source, value, cell = _records()
    assert dataclasses.replace(value, source=dataclasses.replace(source, document=None)) != value
    assert dataclasses.replace(cell, document="https://x/a.pdf").document == "https://x/a.pdf"


def test_records_survive_pickling() -> None:
    for record in _records():
        assert pickle.loads(pickle.dumps(record)) == record
