"""The project's metric catalog and the codes of the other fact keys (applicant, period): the data dictionary.

`metrics.csv` holds every code of ../shared/spec/metrics.csv with the same meaning and unit (the spec is the
contract), written for users: `label_zh` is the printed label of the figure's row (for a section 四 figure, its
column header), `column_zh` the printed column header where the figure sits at a row x column crossing (the
section 二 tables of the 2019 and 2021 formats; the spec writes both as `row × column`), `aliases_zh` other
printed wordings of the same figure, and `description_en` what the figure counts. `labels.csv` gives the printed
label(s) per report format (one row per code x format that prints it in a table); `applicants.csv` and
`periods.csv` the applicant and period codes. Codes the project adds go in `extra_metrics.csv`.
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
    column_zh: str | None
    aliases_zh: tuple[str, ...]
    description_en: str


@dataclass(frozen=True, slots=True)
class MetricLabel:
    """How one report format prints a metric: its row label and, at a row x column crossing, the column header."""

    code: str
    format: str
    label_zh: str
    column_zh: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Code:
    """An applicant category or a period: the code of the fact key, its printed label and what it means."""

    code: str
    label_zh: str
    group_zh: str | None
    description_en: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _read(name: str) -> list[Metric]:
    return [
        Metric(
            code=row["code"],
            unit=row["unit"],
            by_applicant=row["by_applicant"].strip() == "yes",
            formats=tuple(f for f in row["formats"].split(";") if f),
            section=row["section"],
            label_zh=row["label_zh"],
            column_zh=row["column_zh"] or None,
            aliases_zh=tuple(a.strip() for a in row["aliases_zh"].split(";") if a.strip()),
            description_en=row["description_en"],
        )
        for row in _rows(name)
    ]


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


@cache
def labels() -> tuple[MetricLabel, ...]:
    """The printed label(s) of every metric per report format, in catalog order (labels.csv)."""
    out = tuple(
        MetricLabel(r["code"], r["format"], r["label_zh"], r["column_zh"] or None, r["note"] or None)
        for r in _rows("labels.csv")
    )
    unknown = {label.code for label in out} - metrics().keys()
    if unknown:
        raise ValueError(f"labels.csv names codes not in the catalog: {sorted(unknown)}")
    return out


@cache
def applicants() -> tuple[Code, ...]:
    """The applicant categories of section 三 (fact_disclosure.applicant), in printed column order."""
    rows = sorted(_rows("applicants.csv"), key=lambda r: int(r["position"]))
    return tuple(Code(r["code"], r["label_zh"], r["group_zh"] or None, r["description_en"]) for r in rows)


@cache
def periods() -> tuple[Code, ...]:
    """The periods a figure can be printed for (fact_disclosure.period)."""
    return tuple(Code(r["code"], r["label_zh"], None, r["description_en"]) for r in _rows("periods.csv"))
