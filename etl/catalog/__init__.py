"""The project's metric catalog: every code of ../shared/spec/metrics.csv, same meaning and unit.

`metrics.csv` here is the project's own copy of the spec file (the spec is the contract; a test checks
that every spec code is present unchanged). Codes the project adds go in `extra_metrics.csv`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Metric:
    code: str
    unit: str
    by_applicant: bool
    formats: tuple[str, ...]
    section: str
    label_zh: str
    aliases_zh: tuple[str, ...]
    description_en: str


def _read(name: str) -> list[Metric]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(text.splitlines()):
        out.append(
            Metric(
                code=row["code"],
                unit=row["unit"],
                by_applicant=row["by_applicant"].strip() == "yes",
                formats=tuple(f for f in row["formats"].split(";") if f),
                section=row["section"],
                label_zh=row["label_zh"],
                aliases_zh=tuple(a.strip() for a in row["aliases_zh"].split(";") if a.strip()),
                description_en=row["description_en"],
            )
        )
    return out


@cache
def metrics() -> dict[str, Metric]:
    """All catalog metrics by code, in catalog order."""
    out: dict[str, Metric] = {}
    for name in ("metrics.csv", "extra_metrics.csv"):
        if resources.files(__package__).joinpath(name).is_file():
            for m in _read(name):
                if m.code in out:
                    raise ValueError(f"duplicate metric code {m.code} in {name}")
                out[m.code] = m
    return out


def unit_of(code: str) -> str:
    return metrics()[code].unit
