"""The data dictionary of the catalog (etl/catalog): every spec code with its meaning and unit, an English
description written from what the printed figure counts (never the code echoed), the printed labels (row and
column apart, per format), and the applicant and period codes as tables."""

from __future__ import annotations

import csv
import re
import typing
from pathlib import Path

import polars as pl
import pytest

from etl import catalog, frames
from etl.model import APPLICANTS, Period
from etl.templates import APPLICANT_LABELS


def test_every_spec_code_keeps_its_meaning_and_unit(shared_dir: Path) -> None:
    spec = list(csv.DictReader((shared_dir / "spec" / "metrics.csv").read_text(encoding="utf-8").splitlines()))
    ours = catalog.metrics()
    for row in spec:
        m = ours[row["code"]]
        assert (m.unit, m.by_applicant, ";".join(m.formats), m.section) == (
            row["unit"], row["by_applicant"] == "yes", row["formats"], row["section"]), row["code"]  # fmt: skip
        # the spec's `row × column` label is our label_zh and column_zh
        assert " × ".join(x for x in (m.label_zh, m.column_zh) if x) == row["label_zh"].split(" (")[0] or (
            m.code in {"active.normative_doc.issued", "active.normative_doc.published", "active.licensing.decisions",
                       "active.punishment.decisions", "active.coercion.decisions", "active.other_service.decisions"}
        ), m.code


def test_descriptions_say_what_the_figure_counts() -> None:
    for code, m in catalog.metrics().items():
        text = m.description_en.strip()
        assert text and text.endswith("."), code
        assert text.lower() != code.lower() and code not in text, code
        # no code word echoed: snake_case fragments such as `party_gov` or `withheld_state_secret`
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (code, text)
        assert not re.search(r":\s*[a-z_]+$", text.rstrip(".")), (code, text)
    descriptions = [m.description_en for m in catalog.metrics().values()]
    assert len(set(descriptions)) == len(descriptions), "two metrics share a description"


def test_known_metrics_read_as_printed() -> None:
    made = catalog.metrics()["active.regulation.made"]
    assert (made.label_zh, made.column_zh, made.unit) == ("规章", "本年新制作数量", "件")
    assert made.description_en.startswith("Regulations (规章) the agency drafted and adopted this year")
    new = catalog.metrics()["requests.new"]
    assert (new.label_zh, new.column_zh, new.by_applicant) == ("一、本年新收政府信息公开申请数量", None, True)
    assert new.description_en == (
        "Requests for government information newly received this year (not counting requests carried over "
        "from last year)."
    )
    fees = catalog.metrics()["info_fees.collected"]
    assert (fees.label_zh, fees.unit) == ("信息处理费", "元")


def test_labels_are_printed_labels_not_composites() -> None:
    for code, m in catalog.metrics().items():
        for text in (m.label_zh, m.column_zh or "", *m.aliases_zh):
            assert "×" not in text and not re.search(r"\((local|2014|2021|2014 table|sentence[^)]*)\)$", text), code


def test_printed_labels_per_format() -> None:
    labels = catalog.labels()
    keys = [(x.code, x.format) for x in labels]
    assert len(keys) == len(set(keys))
    by_key = {(x.code, x.format): x for x in labels}
    for code, m in catalog.metrics().items():
        table_formats = [f for f in m.formats if f != "narrative"]
        assert {f for c, f in keys if c == code} == set(table_formats), code
        if table_formats:  # dim_metric's label is its first format's
            first = by_key[code, table_formats[0]]
            assert (first.label_zh, first.column_zh) == (m.label_zh, m.column_zh), code
    assert (by_key["active.normative_doc.issued", "2021"].label_zh, by_key["active.normative_doc.issued", "2021"].column_zh) == (
        "行政规范性文件", "本年制发件数")  # fmt: skip
    assert by_key["active.normative_doc.issued", "2014"].label_zh == "制发规范性文件总数"
    assert by_key["active.licensing.decisions", "2019"].column_zh == "处理决定数量"
    assert by_key["active.licensing.decisions", "2021"].column_zh == "本年处理决定数量"
    assert by_key["requests.received", "local"].label_zh == "受理依申请公开信息总数"


def test_applicant_and_period_codes() -> None:
    applicants = catalog.applicants()
    assert tuple(a.code for a in applicants) == APPLICANTS
    assert tuple(a.label_zh for a in applicants) == APPLICANT_LABELS
    assert {a.code for a in applicants if a.group_zh == "法人或其他组织"} == {
        "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org"}  # fmt: skip
    assert all(a.description_en for a in applicants)
    assert tuple(p.code for p in catalog.periods()) == typing.get_args(Period)


def test_dictionary_frames() -> None:
    tables = frames.dictionary_frames()
    assert tables["dim_metric"].schema == pl.Schema(frames.DIM_METRIC_SCHEMA)
    assert tables["dim_metric_label"].schema == pl.Schema(frames.DIM_METRIC_LABEL_SCHEMA)
    applicant = tables["dim_applicant"]
    assert applicant.schema == pl.Schema(frames.DIM_APPLICANT_SCHEMA)
    assert applicant.row(0, named=True) == {
        "code": "natural_person", "position": 1, "label_zh": "自然人", "group_zh": None,
        "description_en": "Private individuals (自然人, natural persons).",
    }  # fmt: skip
    assert tables["dim_period"]["code"].to_list() == ["cumulative", "prior_year", "year"]
    made = tables["dim_metric"].filter(pl.col("code") == "active.regulation.made").row(0, named=True)
    assert (made["label_zh"], made["column_zh"]) == ("规章", "本年新制作数量")


@pytest.mark.parametrize("name", ["metrics.csv", "labels.csv", "applicants.csv", "periods.csv"])
def test_catalog_files_are_utf8_csv_with_a_header(name: str) -> None:
    path = Path(catalog.__file__).parent / name
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    assert rows and all(len(r) == len(rows[0]) for r in rows), name
