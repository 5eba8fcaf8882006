"""Accuracy measurement: `etl.evaluate` on hand-made parses, the text writers, the labelled corpus, the accuracy
of the parser on it (HTML and pipe/lines text must read back exactly; a known parser gap is a strict xfail), and
`ogi eval` as a user runs it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from portal.blocks import Para, Table
from portal.labelled import INPUT_TYPES, LabelledDoc, available_input_types, labelled_docs, truth_for
from portal.render import Cell
from portal.sites import generate
from portal.textgen import report_text
from etl.document import text_doc
from etl.evaluate import ALL, Counts, aggregate, format_table, same_value, score
from etl.model import ParseResult, ReportMeta, Source, Value
from etl.parse import parse_document

REPO = Path(__file__).resolve().parent.parent
S3 = "三、收到和处理政府信息公开申请情况"


# --- etl.evaluate on hand-made parses ---------------------------------------------------------------------------


def val(metric: str, value: float | None, *, applicant: str | None = None, kind: str = "table",
        approximate: bool = False, period: str = "year") -> Value:  # fmt: skip
    source = Source(kind, S3, "row", "col", str(value))  # type: ignore[arg-type]
    return Value(metric, applicant, period, value, "件", approximate, source)  # type: ignore[arg-type]


def truth_value(metric: str, value: float | None, *, applicant: str | None = None, source: str = "table",
                approximate: bool = False, period: str = "year") -> dict:  # fmt: skip
    return {"metric": metric, "applicant": applicant, "period": period, "value": value, "approximate": approximate,
            "source": source}  # fmt: skip


def parsed(*values: Value, year: int = 2022, fmt: str = "2021", sections: dict[str, str] | None = None) -> ParseResult:
    sections = {"二": "2021", "三": "2021", "四": "2021"} if sections is None else sections
    meta = ReportMeta(title="t", report_year=year, format=fmt, section_formats=sections)
    return ParseResult(input="x", ok=True, report=meta, values=list(values))


TRUTH_META = {"report_year": 2022, "format": "2021", "section_formats": {"二": "2021", "三": "2021", "四": "2021"}}


def test_score_all_right() -> None:
    truth = TRUTH_META | {"values": [
        truth_value("requests.new", 3, applicant="total"),
        truth_value("active.regulation.issued", None),
        truth_value("active.total", 120, source="text"),
    ]}  # fmt: skip
    s = score(parsed(val("requests.new", 3, applicant="total"), val("active.regulation.issued", None),
                     val("active.total", 120, kind="text")), truth)  # fmt: skip
    assert s.table == Counts(tp=2, fp=0, fn=0)
    assert s.text == Counts(tp=1, fp=0, fn=0)
    assert (s.table.precision, s.table.recall, s.text.precision, s.text.recall) == (1.0, 1.0, 1.0, 1.0)
    assert s.mismatches == ()
    assert s.template_ok and s.correct


def test_score_blank_is_not_zero() -> None:
    truth = TRUTH_META | {"values": [truth_value("a", None), truth_value("b", 0)]}
    s = score(parsed(val("a", 0), val("b", None)), truth)
    assert s.table == Counts(tp=0, fp=2, fn=2)
    assert s.table.precision == 0.0 and s.table.recall == 0.0
    assert [(m.key[0], m.reason) for m in s.mismatches] == [("a", "value"), ("b", "value")]
    assert s.template_ok and not s.correct


def test_score_missing_extra_and_duplicate_values() -> None:
    truth = TRUTH_META | {"values": [truth_value("a", 1), truth_value("b", 2), truth_value("c", 5, source="text")]}
    s = score(parsed(val("a", 1), val("a", 1), val("x", 7), val("y", 8, kind="text")), truth)
    # a: found (its second emission is a duplicate false positive); b: missing; x: extra table; c: missing text;
    # y: extra text
    assert s.table == Counts(tp=1, fp=2, fn=1)
    assert s.text == Counts(tp=0, fp=1, fn=1)
    assert s.table.precision == pytest.approx(1 / 3) and s.table.recall == 0.5
    assert s.text.precision == 0.0 and s.text.recall == 0.0
    assert sorted((m.key[0], m.reason) for m in s.mismatches) == [
        ("a", "duplicate"), ("b", "missing"), ("c", "missing"), ("x", "extra"), ("y", "extra"),
    ]  # fmt: skip


def test_score_classes_and_approximate() -> None:
    truth = TRUTH_META | {"values": [
        truth_value("requests.new", 4, applicant="total"),  # printed in the table and quoted in prose
        truth_value("active.total", 7700, source="text", approximate=True),  # 7700余条
        truth_value("review.total", 2, source="text"),
    ]}  # fmt: skip
    s = score(parsed(
        val("requests.new", 4, applicant="total", kind="text"),  # right number, taken from the sentence
        val("active.total", 7700, kind="text"),  # read as exact
        val("review.total", 3, kind="table"),  # wrong number from a table
    ), truth)  # fmt: skip
    assert s.table == Counts(tp=1, fp=1, fn=0)  # the found table figure counts in the table class; 3 is a table fp
    assert s.text == Counts(tp=0, fp=1, fn=2)  # 7700 exact vs approximate: fp + fn; review.total: fn
    reasons = {m.key[0]: m.reason for m in s.mismatches}
    assert reasons == {"active.total": "approximate", "review.total": "value"}


def test_score_numbers_compare_exactly_up_to_float_noise() -> None:
    assert same_value(7380.28959, 73802895.90 / 10_000)
    assert same_value(3, 3.0)
    assert not same_value(7380.2895, 7380.28959)
    assert not same_value(1, 2)
    assert same_value(None, None) and not same_value(None, 0) and not same_value(0, None)
    assert not same_value(True, 1)


def test_score_template_detection() -> None:
    truth = {"report_year": 2016, "format": "2014", "section_formats": {"统计表": "2014"}, "values": []}
    assert score(parsed(year=2016, fmt="2014", sections={"统计表": "2014"}), truth).template_ok
    s = score(parsed(year=2016, fmt="narrative", sections={}), truth)
    assert s.meta_errors == {"format": ("2014", "narrative"), "section_formats": ({"统计表": "2014"}, {})}
    assert not s.template_ok and not s.correct
    s = score(parsed(year=2016, fmt="2014", sections={"统计表": "local"}), truth)  # the whole object is compared
    assert s.meta_errors == {"section_formats": ({"统计表": "2014"}, {"统计表": "local"})}
    hybrid = {"report_year": 2023, "format": "2021", "section_formats": {"二": "2021", "三": "2019", "四": "2021"}}
    s = score(parsed(year=2023, sections={"二": "2021", "三": "2021", "四": "2021"}), hybrid | {"values": []})
    assert s.meta_errors == {"section_formats": (hybrid["section_formats"], {"二": "2021", "三": "2021", "四": "2021"})}
    s = score(parsed(year=2022, sections={"二": "2021", "三": "2021"}), TRUTH_META | {"values": []})
    assert set(s.meta_errors) == {"section_formats"}
    s = score(parsed(year=2021), TRUTH_META | {"values": []})
    assert s.meta_errors == {"report_year": (2022, 2021)}


def test_score_unreadable_document() -> None:
    truth = TRUTH_META | {"values": [truth_value("a", 1), truth_value("b", 2, source="text")]}
    s = score(ParseResult(input="x", ok=False, error="PDF input is not supported yet"), truth)
    assert s.table == Counts(tp=0, fp=0, fn=1) and s.text == Counts(tp=0, fp=0, fn=1)
    assert s.table.precision is None and s.table.recall == 0.0
    assert not s.ok and s.error == "PDF input is not supported yet" and not s.template_ok and not s.correct


def test_score_rejects_a_truth_with_a_key_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        score(parsed(), TRUTH_META | {"values": [truth_value("a", 1), truth_value("a", 2)]})


def test_aggregate_and_table() -> None:
    truth = TRUTH_META | {"values": [truth_value("a", 1), truth_value("b", 2)]}
    good = score(parsed(val("a", 1), val("b", 2)), truth)
    half = score(parsed(val("a", 1), val("b", 3)), truth)
    bad_meta = score(parsed(val("a", 1), val("b", 2), fmt="2019"), truth)
    summary = aggregate(
        [("html", "2021", good), ("text-pipe", "2021", half), ("html", "2019", bad_meta), ("html", "2021", good)],
        INPUT_TYPES,
    )
    assert [(g.input_type, g.format) for g in summary.groups] == [
        ("html", "2021"), ("html", "2019"), ("html", ALL), ("text-pipe", "2021"), ("text-pipe", ALL), (ALL, ALL),
    ]  # fmt: skip
    html = summary.get("html")
    assert html is not None and (html.docs, html.failed, html.template_ok) == (3, 1, 2)
    assert html.table == Counts(tp=6, fp=0, fn=0) and html.template_accuracy == pytest.approx(2 / 3)
    pipe = summary.get("text-pipe", "2021")
    assert pipe is not None and pipe.table == Counts(tp=1, fp=1, fn=1) and pipe.failed == 1
    total = summary.total
    assert (total.docs, total.failed, total.table) == (4, 2, Counts(tp=7, fp=1, fn=1))
    assert total.table.precision == pytest.approx(7 / 8)
    lines = format_table(summary).splitlines()
    assert lines[0].split() == ["input", "format", "docs", "tbl", "vals", "tbl", "P", "tbl", "R", "txt", "vals",
                                "txt", "P", "txt", "R", "template", "failed", "unflagged"]  # fmt: skip
    assert lines[2].split() == ["html", "2021", "2", "4", "100%", "100%", "0", "—", "—", "100%", "0", "0"]
    assert lines[-1].split() == ["all", "TOTAL", "4", "8", "87.50%", "87.50%", "0", "—", "—", "75.00%", "2", "1"]
    assert json.loads(json.dumps(summary.to_dict()))["groups"][-1]["table"] == {
        "tp": 7, "fp": 1, "fn": 1, "precision": 0.875, "recall": 0.875,
    }  # fmt: skip


# --- the text writers ---------------------------------------------------------------------------------------

SEC2 = Table([
    [Cell("第二十条第（一）项", colspan=4)],
    [Cell("信息内容"), Cell("本年新\n制作数量"), Cell("本年新公开数量"), Cell("对外公开总数量")],
    [Cell("规章"), Cell(""), Cell("—"), Cell("12")],
    [Cell("行政事业性收费"), Cell("-3"), Cell("5", colspan=2)],
])  # fmt: skip
LOCAL = Table([
    [Cell("指标名称"), Cell("计量单位"), Cell("2013年度"), Cell("历年累计")],
    [Cell("主动公开信息数"), Cell("条"), Cell("2400"), Cell("9000")],
    [Cell("其中：1.网站公开"), Cell("条"), Cell("2376"), Cell("8000")],
    [Cell("2.政府公报公开"), Cell("条"), Cell("7"), Cell("30")],
    [Cell("行政复议数"), Cell("条"), Cell("0"), Cell("1")],
])  # fmt: skip


def test_pipe_text_prints_spans_and_blanks_like_the_seeds() -> None:
    text = report_text([Para("标题", heading=True), SEC2], "pipe")
    assert text.splitlines() == [
        "标题",
        "第二十条第（一）项 | |||",  # TEMPLATES.md §5: `第二十条第(一)项 | |||`
        "信息内容 | 本年新 制作数量 | 本年新公开数量 | 对外公开总数量 |",
        "规章 | | — | 12 |",  # an empty cell is a bare `|` (seed 004: `一、主动公开情况 | —— | |`)
        "行政事业性收费 | -3 | 5 | |",
    ]
    rows = [r.cells for r in text_doc(text).rows if r.table is not None]
    assert rows[2] == ["规章", "", "—", "12"]
    assert rows[3] == ["行政事业性收费", "-3", "5", ""]


def test_lines_text_prints_one_cell_per_line_like_seed_001() -> None:
    text = report_text([Para("一、总体情况\n（一）主动公开"), SEC2], "lines")
    assert text.split("\n\n")[:9] == [
        "一、总体情况", "（一）主动公开", "第二十条第（一）项 ", "信息内容 ", "本年新 ", "制作数量 ", "本年新公开数量 ",
        "对外公开总数量 ", "规章 ",
    ]  # fmt: skip
    assert "规章 \n\n— \n\n12 \n\n" in text  # the empty cell leaves no line


def test_flat_text_glues_cells_and_ordinals() -> None:
    assert report_text([LOCAL], "flat", rows="lines").splitlines() == [
        "指标名称计量单位2013年度历年累计", "主动公开信息数条24009000", "其中：1.网站公开条23768000",
        "2.政府公报公开条730", "行政复议数条01",
    ]  # fmt: skip
    assert report_text([LOCAL], "flat").splitlines() == [  # rows="ordinals", the default
        "指标名称计量单位2013年度历年累计", "主动公开信息数条24009000", "其中：1.网站公开条237680002.政府公报公开条730",
        "行政复议数条01",
    ]  # fmt: skip
    assert report_text([SEC2], "flat", rows="table") == (
        "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章—12行政事业性收费-35\n"
    )
    with pytest.raises(ValueError, match="style"):
        report_text([SEC2], "csv")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="row mode"):
        report_text([SEC2], "flat", rows="glued")  # type: ignore[arg-type]


# --- the labelled corpus -----------------------------------------------------------------------------------

TESTED_TYPES = ("html", "text-pipe", "text-lines")


@cache
def corpus(types: tuple[str, ...] = TESTED_TYPES) -> tuple[LabelledDoc, ...]:
    return tuple(labelled_docs(types))


def test_corpus_covers_every_report_and_type() -> None:
    reports = generate().reports
    docs = corpus(("html", "text-pipe", "text-lines", "text-flat"))
    assert len(docs) == len(reports) * 5  # text-flat twice: ordinals glued, one line per row
    assert len({d.name for d in docs}) == len(docs)
    assert {d.format for d in docs} == {"2021", "2019", "2014", "local", "narrative"}
    assert {d.quirk for d in docs if d.input_type == "text-flat"} >= {"ordinals-glued", "row-lines"}
    gbk = next(d for d in docs if d.input_type == "text-pipe" and d.quirk.startswith("gbk"))
    assert gbk.content_type == "text/plain" and "政府信息公开" in gbk.data.decode("gbk")
    html = next(d for d in docs if d.input_type == "html")
    assert (html.data, html.content_type) == generate().pages[html.truth["path"]]


def test_corpus_is_deterministic() -> None:
    def digest() -> str:
        h = hashlib.sha256()
        for d in labelled_docs(("text-pipe", "text-lines", "text-flat")):
            h.update(d.name.encode() + d.data + json.dumps(d.truth, sort_keys=True).encode())
        return h.hexdigest()

    assert digest() == digest()


def test_input_types_and_their_availability() -> None:
    from dagster_project.cli import _input_types

    assert _input_types() == INPUT_TYPES  # the CLI's choices, spelled out so that `ogi --help` imports no corpus
    available = available_input_types()
    assert tuple(available) == INPUT_TYPES
    assert all(available[t] is None for t in ("html", "text-pipe", "text-lines", "text-flat"))
    for t, reason in available.items():
        assert reason is None or ("portal." in reason), (t, reason)
    left_out = [t for t, reason in available.items() if reason is not None]
    assert not [d for d in labelled_docs(left_out)]  # a missing generator leaves its types out, no error
    with pytest.raises(ValueError, match="unknown input type"):
        list(labelled_docs(["html", "rtf"]))


def test_truth_of_a_tables_only_type_keeps_table_values() -> None:
    report = next(r for r in generate().reports if r["format"] == "2021")
    assert truth_for(report, "xlsx") == truth_for(report, "docx")  # the XLSX writer prints the paragraphs too
    full, tables = truth_for(report, "docx"), truth_for(report, "xlsx", tables_only=True)
    assert {v["source"] for v in full["values"]} == {"table", "text"}
    assert tables["values"] == [v for v in full["values"] if v["source"] == "table"]
    assert {k: tables[k] for k in ("report_year", "format", "section_formats")} == {
        "report_year": report["report_year"], "format": "2021", "section_formats": report["section_formats"],
    }  # fmt: skip


# --- accuracy on the corpus: HTML and pipe/lines text read back exactly --------------------------------------

@pytest.mark.parametrize("doc", corpus(), ids=lambda d: d.name)
def test_document_reads_back_exactly(doc: LabelledDoc) -> None:
    r = parse_document(doc.data, input=doc.name, content_type=doc.content_type, filename=doc.filename)
    s = score(r, doc.truth)
    assert s.ok, s.error
    assert not s.meta_errors, s.meta_errors
    assert not s.mismatches, [m.describe() for m in s.mismatches[:10]]
    assert s.table.precision in (1.0, None) and s.table.recall in (1.0, None)


def test_html_accuracy_is_total() -> None:
    docs = [d for d in corpus() if d.input_type == "html"]
    scores = []
    for d in docs:
        r = parse_document(d.data, input=d.name, content_type=d.content_type, filename=d.filename)
        scores.append((d.input_type, d.format, score(r, d.truth)))
    html = aggregate(scores, INPUT_TYPES).get("html")
    assert html is not None and html.docs == len(generate().reports) == 73
    assert html.table.tp == 9277 and html.text.tp == 121  # every truth value of the 73 reports
    assert (html.table.precision, html.table.recall, html.text.precision, html.text.recall) == (1.0, 1.0, 1.0, 1.0)
    assert html.template_accuracy == 1.0 and html.failed == 0


# --- `ogi eval` ---------------------------------------------------------------------------------------------


def ogi(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_ogi_eval_json() -> None:
    proc = ogi("eval", "--input-types", "html", "text-pipe", "text-flat", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["input_types"] == ["html", "text-pipe", "text-flat"] and out["left_out"] == {}
    groups = {(g["input_type"], g["format"]): g for g in out["groups"]}
    assert groups[("html", "all")]["docs"] == 73 and groups[("text-pipe", "all")]["docs"] == 73
    assert groups[("html", "all")]["table"] == {"tp": 9277, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0}
    assert groups[("text-pipe", "all")]["table"] == groups[("html", "all")]["table"]  # pipe text reads back exactly
    assert groups[("html", "all")]["template_accuracy"] == groups[("text-pipe", "all")]["template_accuracy"] == 1.0
    assert groups[("all", "all")]["docs"] == len(generate().reports) * 4  # text-flat twice
    assert {f["input_type"] for f in out["failures"]} == {"text-flat"}  # flattened runs keep ambiguous splits
    some = out["failures"][0]
    assert some["mismatch_count"] > 0 and {"metric", "applicant", "period", "reason", "expected", "got"} <= set(
        some["mismatches"][0]
    )


def test_ogi_eval_text_table_and_failures() -> None:
    proc = ogi("eval", "--input-types", "text-lines", "text-flat", "--show-failures", "2")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["input", "format", "docs"]
    assert any(line.split()[:3] == ["text-lines", "narrative", "7"] for line in lines)
    assert any(line.split()[:2] == ["text-lines", "(all)"] and line.split()[4:6] == ["100%", "100%"] for line in lines)
    assert any(line.startswith(f"{len(generate().reports) * 3} documents in ") for line in lines)
    listed = [line for line in lines if line.startswith("text-flat/")]
    assert len(listed) == 2  # --show-failures 2
    assert ogi("eval", "--input-types", "rtf").returncode == 2
