"""Flattened tables (etl/flatten.py + the mapper): cells printed with no delimiter, split by the templates' arithmetic."""

from __future__ import annotations

import pytest

from portal.blocks import blocks
from portal.sites import generate
from portal.textgen import report_text
from etl.flatten import Column, Identity, solve, split_line, splits, sums_to_last
from etl.parse import parse_document


@pytest.mark.parametrize(
    ("line", "pairs"),
    [
        ("行政规范性文件8215230", [("行政规范性文件", "8215230")]),
        # the next row's ordinal glued to a run
        ("其中：1.网站公开23762.政府公报公开7", [("其中：1.网站公开", "2376"), ("2.政府公报公开", "7")]),
        ("其中：1、政府网站公开数条232665672、政府公报公开数条3590",
         [("其中：1、政府网站公开数条", "23266567"), ("2.政府公报公开数条", "3590")]),
        # a number inside a label stays in the label
        ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）条11105",
         [("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）条", "11105")]),
        # a last row with its cells blank; a money unit after the last cell
        ("1.当面申请数件12.传真申请数件", [("1.当面申请数件", "1"), ("2.传真申请数件", "")]),
        ("政府集中采购224937614.66元", [("政府集中采购", "224937614.66元")]),
        # prose is not a table row
        ("2019年，全年主动公开政府信息1200条。", None),
        ("联系电话：0591-1234", None),
    ],
)
def test_split_line(line, pairs):
    assert split_line(line) == pairs


def test_splits_respect_number_form_signs_and_blanks():
    assert splits("000", [Column()] * 3) == [("0", "0", "0")]
    assert splits("12-3", [Column(), Column(signed=True)]) == [("12", "-3")]
    assert splits("0—0", [Column()] * 3) == [("0", "—", "0")]
    assert ("8", "21", "5230") in splits("8215230", [Column()] * 3)
    # a row whose applicant columns add up to its 总计 column
    assert splits("174261055211", [Column()] * 7, sums_to_last(7)) == [("174", "26", "1", "0", "5", "5", "211")]
    # section 四: three groups of four outcomes and their total
    assert splits("310041200300000", [Column()] * 15, sums_to_last(5)) == [
        ("3", "1", "0", "0", "4", "1", "2", "0", "0", "3", "0", "0", "0", "0", "0")]


def test_solve_uses_identities_and_reports_what_stays_ambiguous():
    options = {"a": [("1", "12"), ("11", "2")], "b": [("3",)], "total": [("4", "15")]}
    ident = [Identity((("a", 0), ("b", 0)), (("total", 0),))]  # a[0] + b[0] = total[0]
    assert solve(options, ident) == ({"a": ("1", "12"), "b": ("3",), "total": ("4", "15")}, [])
    choice, unsure = solve({"x": [("1", "2"), ("12",)]}, [])
    assert unsure == ["x"] and choice["x"] == ("1", "2")


def _flat_report(kind: str) -> tuple[dict, bytes]:
    g = generate()
    truth = next(t for t in g.reports if t["kind"] == kind)
    title, body = g.bodies[truth["path"]]
    return truth, report_text(blocks(body, title), "flat").encode()


@pytest.mark.parametrize("kind", ["2014", "local:fujian2011", "2021"])
def test_flattened_report_reads_back_or_flags(kind):
    truth, data = _flat_report(kind)
    r = parse_document(data, input=kind, content_type="text/plain")
    assert r.ok and r.report.format == truth["format"]
    got = {v.key: v.value for v in r.values}
    wrong = {(v["metric"], v["applicant"], v["period"]) for v in truth["values"]
             if got.get((v["metric"], v["applicant"], v["period"]), "absent") != v["value"]}
    flagged = [i for i in r.issues if i.check == "flat.ambiguous"]
    # every value comes back, except cells of a row reported as ambiguous
    assert not wrong or flagged, sorted(wrong)[:5]
    assert len(wrong) <= 3 * len(flagged)
