"""Helpers for tests that read real corpus pages: parse a page by its id prefix, pick table values, build
section 三 matrices ("all zero except" the printed non-zero cells)."""

from __future__ import annotations

from pathlib import Path

from etl.model import APPLICANTS, ParseResult
from etl.parse import parse_document

Y, C = "year", "cumulative"
NP, CE = "natural_person", "commercial_enterprise"


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
