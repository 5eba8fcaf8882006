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


def _under(heading: str, *texts: str, year: int | None = 2011) -> dict[tuple, tuple]:
    """Lines as etl/parse.py passes them: the heading line itself, then each line with the heading it sits under."""
    lines = [(heading, heading)] + [(t, heading) for t in texts]
    return {v.key: (v.value, v.approximate) for v in extract(lines, year)}


@pytest.mark.parametrize(
    ("heading", "answer", "year", "expected"),
    [
        ("三、依申请公开政府信息办理情况", "无申请。", 2011, {("requests.received", None, "year"): (0, False)}),
        ("三、依申请公开政府信息办理情况", "无。", 2011, {("requests.received", None, "year"): (0, False)}),
        ("五、因政府信息公开被申请行政复议、提起行政诉讼的情况", "无。", 2011,
         {("review.total", None, "year"): (0, False), ("litigation.total", None, "year"): (0, False)}),
        # each of 复议/诉讼 only if the heading names it; 信息公开申请行政复议 is no request heading
        ("五、因政府信息公开申请行政复议的情况", "没有。", 2011, {("review.total", None, "year"): (0, False)}),
        ("四、政策信息公开收费及减免情况", "未收费。", 2011, {("fees.request_fees", None, "year"): (0, False)}),
        ("四、政府信息公开收费情况", "无", 2022, {("info_fees.collected", None, "year"): (0, False)}),
        # the answer names its topic: only where it agrees with the heading
        ("五、因政府信息公开申请行政复议、提起行政诉讼的情况", "未收到行政复议申请。", 2011,
         {("review.total", None, "year"): (0, False)}),
    ],
)
def test_short_zero_answer_takes_its_metric_from_the_heading(heading, answer, year, expected):
    assert _under(heading, answer, year=year) == expected


@pytest.mark.parametrize(
    ("heading", "texts"),
    [
        ("七、其他需要报告的事项", ("无。",)),  # the heading names no figure
        ("三、依申请公开政府信息办理情况", ("本年度无重大变化，工作平稳推进。",)),  # prose, not a bare answer
        ("三、依申请公开政府信息办理情况", ("无2件。",)),  # a figure is no zero
        ("四、政府信息公开行政复议、行政诉讼情况", ("行政复议", "尚未")),  # a table label split over lines
        ("四、政府信息公开行政复议、行政诉讼情况", ("尚未",)),  # a bare 未/尚未 is no answer
        ("三、依申请公开政府信息办理情况", ("详见附表。", "无。")),  # not the first line under the heading
        ("三、依申请公开政府信息办理情况", ("未收费。",)),  # answer and heading disagree
    ],
)
def test_short_lines_that_are_no_zero_answers(heading, texts):
    assert _under(heading, *texts) == {}


def test_no_fees_and_no_waivers_in_old_reports():
    assert _values("2015年我局无政府信息公开收费及减免情况。", 2015) == {
        ("fees.request_fees", None, "year"): (0, False), ("fees.waived", None, "year"): (0, False)}
    # fees.waived is a 2014/local code: not from 2019 on
    assert _values("2019年我局无政府信息公开收费及减免情况。", 2019) == {("fees.request_fees", None, "year"): (0, False)}
    # 减免 must be said, and be what the zero word governs
    assert _values("全年未收取任何费用。", 2015) == {("fees.request_fees", None, "year"): (0, False)}
    assert ("fees.waived", None, "year") not in _values("对未成年人减免查阅费用。", 2015)


# --- real-page phrasings (平潭 corpus, tests/test_corpus_government.py) ------------------------------------------

ACTIVE = ("active.total", None, "year")


def test_qizhong_splits_only_a_figure_of_the_same_metric():
    # 其中 under 制作、获取政府信息总数 (another quantity): the active total itself, over a later plain figure
    text = "2013年制作、获取政府信息总数3618条，其中主动公开政府信息1853条，作为依申请公开信息数107条。"
    assert _values(text + "县政府办公室主动公开信息数为300条。", 2013) == {ACTIVE: (1853, False)}
    # 其中 under an active total: a part, which loses and is not output on its own either
    assert _values("2014年主动公开政府信息2000条，其中主动公开政府信息1500条。", 2014) == {ACTIVE: (2000, False)}
    assert _values("2014年主动公开政府信息2543条。其中，区管委会及区直各部门主动公开政府信息1687条，占66%。", 2014) == {
        ACTIVE: (2543, False)}


def test_parts_are_no_figure_of_the_metric():
    # a part alone is not the metric: no value (and so no comparison with a table total)
    assert _values("区管委会及区直各部门主动公开政府信息1687条，占66%。", 2014) == {}
    assert _values("其中，各乡镇主动公开政府信息856条。", 2014) == {}


def test_a_website_channel_figure_is_a_part_of_the_active_total():
    assert _values("在互联网上，2013年县政府公开办主动公开信息数为1713条。", 2013) == {}
    assert _values("在互联网上，2013年县政府公开办主动公开信息数为1713条。全县主动公开政府信息1853条。", 2013) == {
        ACTIVE: (1853, False)}
    # ... unless the clause calls it the year's total, or the channels are listed (…等渠道)
    assert _values("通过政府门户网站全年主动公开各类政府信息10407条。", 2024) == {ACTIVE: (10407, False)}
    assert _values("2015年，通过政府门户网站、政务新媒体等渠道主动公开政府信息3400余条。", 2015) == {ACTIVE: (3400, True)}


def test_new_media_figures_are_no_active_total():
    media = "我区各部门共开设新媒体数量70个。其中微博29个，共发布信息1992条；微信公众号41个，共发布信息3404条。"
    assert _values(media, 2018) == {}
    assert _values(media + "2018年全区主动公开政府信息2069条。", 2018) == {ACTIVE: (2069, False)}
    # a media clause after the total does not take the total with it
    assert _values("全年主动公开政府信息2069条，其中通过政务微博发布信息300条。", 2018) == {ACTIVE: (2069, False)}


def test_spaces_before_a_figure():
    # 主动公开政府信息&nbsp;&nbsp;&nbsp;2543条 (NBSP is a space after normalisation)
    assert _values("2014年主动公开政府信息   2543条。", 2014) == {ACTIVE: (2543, False)}
    assert _values("共收到政府信息公开申请 12 件。", 2014) == {("requests.received", None, "year"): (12, False)}


def test_review_count_before_the_noun():
    text = "2013年全区未收到有关政府信息公开的申请，收到1份有关政府信息公开行政复议申请已及时处理。"
    assert _values(text, 2013) == {
        ("requests.received", None, "year"): (0, False), ("review.total", None, "year"): (1, False)}
    assert _values("受理3件关于信息公开的行政复议。", 2016) == {("review.total", None, "year"): (3, False)}


def test_fees_not_charged_for_now():
    assert _values("2014年我区各级工作部门依申请提供政府信息暂不收费。", 2014) == {
        ("fees.request_fees", None, "year"): (0, False)}


def test_requests_received_with_words_between_verb_and_noun():
    assert _values("2023年全区接收通过邮寄、网络提交的各类政府信息公开申请共计81件，涉及自然人80件。", 2023) == {
        ("requests.received", None, "year"): (81, False)}
    # carried-over requests are not received ones
    assert _values("办理上年结转政府信息公开申请3件。", 2016) == {}


def test_disclosed_and_partially_disclosed_together_is_neither():
    assert _values("办结依申请公开81件，其中：予以公开及部分公开42件，不予公开5件。", 2023) == {}
    assert _values("同意公开和同意部分公开12件。", 2016) == {}
    # a list of outcomes, each with its own figure, is read
    assert _values("其中予以公开20件、部分公开2件。", 2023) == {
        ("requests.result.disclosed", "total", "year"): (20, False),
        ("requests.result.partially_disclosed", "total", "year"): (2, False)}
