"""Helpers for tests that read real corpus pages: parse a page by its id prefix, pick table values, build
section 三 matrices ("all zero except" the printed non-zero cells), and `check_page`: the one test body that holds a
parsed page to its hand-read `Page` record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from etl.model import APPLICANTS, ParseResult, Value
from etl.parse import parse_document

Y, C = "year", "cumulative"
NP, CE = "natural_person", "commercial_enterprise"
PINGTAN = ("福建省", "福州市", "平潭县", "350128")  # (province, city, county, code) of every corpus page


def parse_page(shared_dir: Path, pattern: str) -> ParseResult:
    path = next((shared_dir / "corpus").glob(f"*/{pattern}*.html"))
    r = parse_document(path.read_bytes(), input=str(path), content_type="text/html")
    assert r.ok, r.error
    return r


def table_values(r: ParseResult) -> dict[tuple, object]:
    return {v.key: v.value for v in r.values if v.source.kind == "table"}


SEC3_2019 = (
    "requests.new", "requests.carried_over", "requests.result.disclosed", "requests.result.partially_disclosed",
    *(f"requests.result.withheld.{s}" for s in ("state_secret", "other_laws", "safety_stability", "third_party",
                                                  "internal_affairs", "process_info", "enforcement_file", "admin_query")),
    *(f"requests.result.unavailable.{s}" for s in ("not_held", "needs_creation", "unclear")),
    *(f"requests.result.not_processed.{s}" for s in ("petition", "repeated", "publication", "excessive", "reconfirm")),
    "requests.result.other", "requests.result.total", "requests.carried_forward",
)
SEC3_2021 = tuple(m for m in SEC3_2019 if m != "requests.result.other")[:-2] + (
    "requests.result.other_no_correction", "requests.result.other_unpaid_fee", "requests.result.other_misc",
    "requests.result.total", "requests.carried_forward",
)
SEC4 = tuple(f"{p}.{s}" for p in ("review", "litigation.direct", "litigation.after_review")
             for s in ("upheld", "corrected", "other", "pending", "total"))


def matrix(metrics: tuple[str, ...], nonzero: dict[tuple[str, str], int]) -> dict[tuple, object]:
    out = {(m, a, Y): 0 for m in metrics for a in APPLICANTS}
    for (m, a), v in nonzero.items():
        assert (m, a, Y) in out
        out[(m, a, Y)] = v
    return out


@dataclass(frozen=True)
class Page:
    """Everything asserted about one real corpus page, read by hand from its HTML (never copied from the parser).

    Mappings and sets are compared exactly unless said otherwise; `labels`/`row_labels` None means not asserted.
    """

    titles: tuple[str, ...]  # the parsed title is one of these (a page may print a second heading in its body)
    agency: str  # the parser's canonical name (平潭县 bodies carry their city: etl/parse.py _canonical_agency)
    report_year: int
    published_at: str
    format: str
    section_formats: dict[str, str]
    table: dict[tuple, object] = field(default_factory=dict)  # every table value
    unmapped: frozenset[tuple] = frozenset()  # (row, column, text) of every unmapped cell, label whitespace ignored
    labels: dict[tuple, tuple] | None = None  # every table value / ("unmapped", row, column) -> (row, column)
    row_labels: dict[str, str] | None = None  # metric -> its one printed row label, for the metrics listed
    printed: dict[tuple, tuple[str, str]] = field(default_factory=dict)  # value key -> (source kind, printed text)
    text: dict[tuple, object] = field(default_factory=dict)  # every prose (`text`) value
    maybe_zero: frozenset[tuple] = frozenset()  # prose keys an ambiguous sentence leaves absent or 0
    quotes: dict[tuple, str] = field(default_factory=dict)  # prose key -> words its source sentence contains
    sources: dict[tuple, tuple[str, str]] = field(default_factory=dict)  # prose key -> (source text, section)
    mismatches: frozenset[tuple] = frozenset()  # (metric, prose figure, table figure) of every narrative.mismatch
    region: tuple[str, str, str, str] = PINGTAN


def _squash(s: str | None) -> str | None:
    return None if s is None else "".join(s.split())


def _value(r: ParseResult, key: tuple) -> Value:
    return next(v for v in r.values if v.key == key)


def text_values(r: ParseResult) -> dict[tuple, object]:
    return {v.key: v.value for v in r.values if v.source.kind == "text"}


def labels(r: ParseResult) -> dict[tuple, tuple]:
    """Every table value and unmapped cell -> its printed (row, column) labels, exactly as parsed."""
    out = {v.key: (v.source.row, v.source.column) for v in r.values if v.source.kind == "table"}
    return out | {("unmapped", c.row, c.column): (c.row, c.column) for c in r.unmapped}


def check_page(r: ParseResult, page: Page, subtests: pytest.Subtests) -> None:
    """Hold a parsed page to its `Page` record, one subtest per aspect so that one parser gap does not hide the rest.

    Besides the record's fields, every page must have no error issue, no narrative issue other than a mismatch, no
    approximate prose value, and table cells exactly when it prints a table.
    """
    rep = r.report
    assert rep is not None
    with subtests.test("metadata"):
        assert rep.title in page.titles
        assert (rep.agency, rep.report_year, rep.published_at, rep.format, rep.section_formats) == (
            page.agency, page.report_year, page.published_at, page.format, page.section_formats)
        reg = rep.region
        assert reg is not None and (reg.province, reg.city, reg.county, reg.code) == page.region
    with subtests.test("table"):
        assert table_values(r) == page.table
        assert {(_squash(c.row), _squash(c.column), c.text) for c in r.unmapped} == page.unmapped
        assert bool(r.cells) == bool(page.table)
    with subtests.test("labels"):
        if page.labels is not None:
            assert labels(r) == page.labels
        if page.row_labels is not None:
            rows = {(k[0], row) for k, (row, _) in labels(r).items() if k[0] in page.row_labels}
            assert rows == set(page.row_labels.items())
        assert {k: (_value(r, k).source.kind, _value(r, k).source.text) for k in page.printed} == page.printed
    with subtests.test("prose"):
        text = text_values(r)
        assert {k: text.pop(k, 0) for k in page.maybe_zero} == dict.fromkeys(page.maybe_zero, 0)
        assert text == page.text
        assert [v.key for v in r.values if v.source.kind == "text" and v.approximate] == []
        assert {k: w for k, w in page.quotes.items() if w in _value(r, k).source.text} == page.quotes
        assert {k: (_value(r, k).source.text, _value(r, k).source.section) for k in page.sources} == page.sources
    with subtests.test("issues"):
        assert {(i.details["table_metric"], i.details["text"], i.details["table"])
                for i in r.issues if i.check == "narrative.mismatch"} == page.mismatches
        assert [i.check for i in r.issues if i.severity == "error"
                or (i.check.startswith("narrative.") and i.check != "narrative.mismatch")] == []
