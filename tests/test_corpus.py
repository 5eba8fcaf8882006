"""Real pages of ../shared/corpus (HTML as served by www.pingtan.gov.cn): every table number, read by hand.

Section 三 matrices are written as "all zero except" the printed non-zero cells, each listed.
"""

from __future__ import annotations

from corpus_util import C, CE, NP, SEC3_2019, SEC3_2021, SEC4, Y
from corpus_util import matrix as _matrix
from corpus_util import parse_page as _parse
from corpus_util import table_values as _table


def test_pingtan_2011_fujian_local_table_with_cumulative_column(shared_dir):
    r = _parse(shared_dir, "80678_")
    rows = {
        "active.total": (425, 1516), "active.channel.website": (418, 1509), "active.channel.gazette": (7, 7),
        "requests.received": (0, 0), "requests.channel.in_person": (0, 0), "requests.channel.fax": (0, 0),
        "requests.channel.email": (0, 0), "requests.channel.online": (0, 0), "requests.channel.letter": (0, 0),
        "requests.channel.other": (0, 0), "requests.answered": (0, 0), "requests.answer.disclosed": (0, 0),
        "requests.answer.partially_disclosed": (0, 0), "requests.answer.withheld": (0, 0),
        "review.total": (0, 0), "litigation.total": (0, 0), "appeals.total": (0, 0),
    }
    expected = {(m, None, Y): y for m, (y, _) in rows.items()} | {(m, None, C): c for m, (_, c) in rows.items()}
    assert _table(r) == expected
    rep = r.report
    assert (rep.agency, rep.report_year, rep.published_at, rep.format) == ("平潭综合实验区管委会", 2011, "2012-04-11", "local")
    assert rep.region is not None and rep.region.code == "350128"
    v = next(v for v in r.values if v.key == ("active.total", None, C))
    assert (v.source.row, v.source.column, v.source.text) == ("主动公开信息数", "历年累计", "1516")


def test_pingtan_2019_format(shared_dir):
    r = _parse(shared_dir, "80576_")
    sec2 = {
        "active.regulation.made": 0, "active.regulation.published": 0, "active.regulation.published_total": 0,
        "active.normative_doc.made": 89, "active.normative_doc.published": 89, "active.normative_doc.published_total": 89,
        "active.licensing.prior_items": 396, "active.licensing.change": 0, "active.licensing.decisions": 181,
        "active.other_service.prior_items": 10, "active.other_service.change": 0, "active.other_service.decisions": 153,
        "active.punishment.prior_items": 2648, "active.punishment.change": 0, "active.punishment.decisions": 430,
        "active.coercion.prior_items": 126, "active.coercion.change": 0, "active.coercion.decisions": 25,
        "active.admin_fee.prior_items": 35, "active.admin_fee.change": 0,
        "active.procurement.items": 135, "active.procurement.amount": 7539.443252,  # printed 75394432.52元
    }
    sec3 = _matrix(SEC3_2019, {
        ("requests.new", NP): 23, ("requests.new", "total"): 23,
        ("requests.result.disclosed", NP): 7, ("requests.result.disclosed", "total"): 7,
        ("requests.result.partially_disclosed", NP): 1, ("requests.result.partially_disclosed", "total"): 1,
        ("requests.result.unavailable.not_held", NP): 7, ("requests.result.unavailable.not_held", "total"): 7,
        ("requests.result.unavailable.unclear", NP): 5, ("requests.result.unavailable.unclear", "total"): 5,
        ("requests.result.not_processed.repeated", NP): 3, ("requests.result.not_processed.repeated", "total"): 3,
        ("requests.result.total", NP): 23, ("requests.result.total", "total"): 23,
    })
    expected = {(m, None, Y): v for m, v in sec2.items()} | sec3 | {(m, None, Y): 0 for m in SEC4}
    assert _table(r) == expected
    assert r.report.section_formats == {"二": "2019", "三": "2019", "四": "2019"}
    assert (r.report.report_year, r.report.format, r.report.published_at) == (2019, "2019", "2020-01-20")
    assert not [i for i in r.issues if i.severity == "error"]
    assert r.unmapped == []


def test_pingtan_2022_format(shared_dir):
    r = _parse(shared_dir, "80629_")
    sec2 = {
        "active.regulation.issued": 0, "active.regulation.repealed": 0, "active.regulation.in_force": 0,
        "active.normative_doc.issued": 88, "active.normative_doc.repealed": 55, "active.normative_doc.in_force": 698,
        "active.licensing.decisions": 10690, "active.punishment.decisions": 2113, "active.coercion.decisions": 0,
        "active.admin_fee.amount": 9116.36,
    }
    sec3 = _matrix(SEC3_2021, {
        ("requests.new", NP): 71, ("requests.new", CE): 3, ("requests.new", "total"): 74,
        ("requests.carried_over", NP): 1, ("requests.carried_over", "total"): 1,
        ("requests.result.disclosed", NP): 21, ("requests.result.disclosed", "total"): 21,
        ("requests.result.partially_disclosed", NP): 8, ("requests.result.partially_disclosed", CE): 1,
        ("requests.result.partially_disclosed", "total"): 9,
        ("requests.result.withheld.internal_affairs", NP): 1, ("requests.result.withheld.internal_affairs", "total"): 1,
        ("requests.result.withheld.process_info", NP): 2, ("requests.result.withheld.process_info", "total"): 2,
        ("requests.result.withheld.enforcement_file", NP): 1, ("requests.result.withheld.enforcement_file", "total"): 1,
        ("requests.result.unavailable.not_held", NP): 37, ("requests.result.unavailable.not_held", "total"): 37,
        ("requests.result.other_no_correction", NP): 2, ("requests.result.other_no_correction", "total"): 2,
        ("requests.result.other_misc", CE): 2, ("requests.result.other_misc", "total"): 2,
        ("requests.result.total", NP): 72, ("requests.result.total", CE): 3, ("requests.result.total", "total"): 75,
    })
    sec4 = dict.fromkeys(SEC4, 0) | {"review.corrected": 1, "review.other": 1, "review.total": 2,
                                      "litigation.direct.upheld": 1, "litigation.direct.total": 1}
    expected = {(m, None, Y): v for m, v in sec2.items()} | sec3 | {(m, None, Y): v for m, v in sec4.items()}
    assert _table(r) == expected
    assert r.report.section_formats == {"二": "2021", "三": "2021", "四": "2021"}
    assert (r.report.agency, r.report.report_year) == ("平潭综合实验区管委会", 2022)
    assert not [i for i in r.issues if i.severity == "error"]
    # prose: 全区收到政府信息公开申请75件 = 74 new + 1 carried over: not a disagreement
    assert not [i for i in r.issues if i.check == "narrative.mismatch"]
