"""Headline figures from prose (etl/narrative.py): phrasings, numerals, approximations, eras and look-alikes."""

from __future__ import annotations

import pytest

from etl.narrative import extract


def _values(text: str, year: int | None = 2016, heading: str | None = None) -> dict[tuple, tuple]:
    return {v.key: (v.value, v.approximate) for v in extract([(text, heading)], year)}


@pytest.mark.parametrize(
    ("text", "year", "expected"),  # each sentence read under the heading 三、依申请公开政府信息的情况
    [
        # Arabic, thousands separators, 万, Chinese numerals
        ("全年主动公开政府信息1,234条。", 2016, {("active.total", None, "year"): (1234, False)}),
        ("全年主动公开政府信息1.2万条。", 2016, {("active.total", None, "year"): (12000, False)}),
        ("共收到政府信息公开申请三件。", 2016, {("requests.received", None, "year"): (3, False)}),
        ("举办培训班两期，培训一百二十人次。", 2016,
         {("training.sessions", None, "year"): (2, False), ("training.trainees", None, "year"): (120, False)}),
        # 余/多: an approximate lower bound
        ("主动公开政府信息10400余条。", 2013, {("active.total", None, "year"): (10400, True)}),
        ("全年发布信息3000多条。", 2013, {("active.total", None, "year"): (3000, True)}),
        # zero phrasings
        ("全年未收到政府信息公开申请。", 2012, {("requests.received", None, "year"): (0, False)}),
        ("未发生因政府信息公开申请行政复议、提起行政诉讼的情况。", 2012,
         {("review.total", None, "year"): (0, False), ("litigation.total", None, "year"): (0, False)}),
        # answers: 2014-era codes before 2019 ...
        ("共收到申请12件，其中同意公开8件，同意部分公开2件，不予公开1件，信息不存在1件。", 2016, {
            ("requests.received", None, "year"): (12, False),
            ("requests.answer.disclosed", None, "year"): (8, False),
            ("requests.answer.partially_disclosed", None, "year"): (2, False),
            ("requests.answer.withheld", None, "year"): (1, False),
            ("requests.answer.not_exist", None, "year"): (1, False),
        }),
        # ... and the section 三 codes (applicant total) from 2019 on
        ("本年度新收政府信息公开申请25件，上年结转3件，予以公开20件，部分公开2件，结转下年度继续办理1件。", 2021, {
            ("requests.new", "total", "year"): (25, False),
            ("requests.carried_over", "total", "year"): (3, False),
            ("requests.result.disclosed", "total", "year"): (20, False),
            ("requests.result.partially_disclosed", "total", "year"): (2, False),
            ("requests.carried_forward", "total", "year"): (1, False),
        }),
        # staff
        ("配备专职工作人员2名、兼职人员5名。", 2015,
         {("org.staff_full_time", None, "year"): (2, False), ("org.staff_part_time", None, "year"): (5, False)}),
    ],
)
def test_headline_phrasings(text, year, expected):
    assert _values(text, year, heading="三、依申请公开政府信息的情况") == expected


def test_service_hall_cases_are_not_information_requests():
    text = "行政服务中心全年共受理申请52180件，办结52180件。全年共收到政府信息公开申请7件。"
    assert _values(text) == {("requests.received", None, "year"): (7, False)}


def test_a_total_beats_a_sub_count_of_the_same_kind():
    text = "其中通过网站发布信息300条。全年共主动公开政府信息450条。"
    assert _values(text)[("active.total", None, "year")] == (450, False)


def test_fees_convert_to_the_catalog_unit():
    assert _values("收取政府信息公开费用2500元。", 2016) == {("fees.request_fees", None, "year"): (0.25, False)}
    assert _values("全年收取信息处理费300元。", 2022) == {("info_fees.collected", None, "year"): (300, False)}
