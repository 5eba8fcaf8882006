"""Structured values of the demo portal's reports: random, but valid by the templates' arithmetic.

Values are keyed `(metric, applicant, period)` with the catalog's codes and units (`../shared/spec/metrics.csv`):
counts are `int`, money is `Decimal` in the catalog unit (万元, or 元 for `info_fees.collected`). Metrics whose
code starts with `x.` are rows a template prints that map to no catalog code; they are rendered but never
enter the ground truth. The renderers decide which values are printed (and how); see `render.py`.

Identities kept (../shared/TEMPLATES.md): section 三 per applicant column 一+二 = （七）总计 + 四, （七） = the sum of
all result rows, the 总计 column = the sum of the six applicant columns; section 四 each 总计 = its four cells;
2014 table 收到申请数 = channels, 申请答复数 = its 8 rows, 不同意公开 = its sub-rows, staff = full + part time,
四/五 totals = sums; local tables 受理总数 = channels, 答复总数 = answers, 历年累计 = last year's + this year's.
Across years of one agency: 上年结转 = last year's 结转下年度, 上一年项目数量 = last year's 上一年项目数量 + 本年增/减,
现行有效件数 = last year's + 本年制发 − 本年废止.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from etl.model import APPLICANTS as ALL_APPLICANTS

Key = tuple[str, str | None, str]
Number = int | Decimal
Values = dict[Key, Number | None]

YEAR = "year"
CUMULATIVE = "cumulative"
TOTAL = "total"
APPLICANTS = ALL_APPLICANTS[:-1]  # the six applicant columns, without 总计
UNMAPPED = "x."  # prefix of rows that map to no catalog code

RESULTS_COMMON = (
    "requests.result.disclosed",
    "requests.result.partially_disclosed",
    "requests.result.withheld.state_secret",
    "requests.result.withheld.other_laws",
    "requests.result.withheld.safety_stability",
    "requests.result.withheld.third_party",
    "requests.result.withheld.internal_affairs",
    "requests.result.withheld.process_info",
    "requests.result.withheld.enforcement_file",
    "requests.result.withheld.admin_query",
    "requests.result.unavailable.not_held",
    "requests.result.unavailable.needs_creation",
    "requests.result.unavailable.unclear",
    "requests.result.not_processed.petition",
    "requests.result.not_processed.repeated",
    "requests.result.not_processed.publication",
    "requests.result.not_processed.excessive",
    "requests.result.not_processed.reconfirm",
)
RESULTS = {
    "2019": (*RESULTS_COMMON, "requests.result.other"),
    "2021": (
        *RESULTS_COMMON,
        "requests.result.other_no_correction",
        "requests.result.other_unpaid_fee",
        "requests.result.other_misc",
    ),
}
_RESULT_WEIGHTS = dict(
    zip(RESULTS_COMMON, (40, 8, 0.5, 0.5, 0.5, 2, 1.5, 1.5, 0.5, 1, 20, 3, 2, 2, 3, 0.5, 0.5, 1), strict=True)
) | {
    "requests.result.other": 4,
    "requests.result.other_no_correction": 2.5,
    "requests.result.other_unpaid_fee": 0.5,
    "requests.result.other_misc": 2,
}
_NEW_SHARE = dict(zip(APPLICANTS, (1.0, 0.15, 0.01, 0.01, 0.05, 0.04), strict=True))

# Section 四: (group, its four parts, mean of each part relative to a busy agency).
REVIEW_GROUPS = ("review", "litigation.direct", "litigation.after_review")
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
_REVIEW_MEANS = {
    "review": (1.5, 0.5, 0.4, 0.3),
    "litigation.direct": (0.8, 0.2, 0.3, 0.3),
    "litigation.after_review": (0.4, 0.1, 0.1, 0.2),
}

ITEMS_2019 = ("licensing", "other_service", "punishment", "coercion")

CHANNELS_2014 = ("in_person", "fax", "online", "letter")
ANSWERS_2014 = (
    "already_public",
    "disclosed",
    "partially_disclosed",
    "withheld",
    "not_this_agency",
    "not_exist",
    "correction_needed",
    "other_channel",
)
WITHHELD_2014 = (
    "withheld_state_secret",
    "withheld_commercial_secret",
    "withheld_privacy",
    "withheld_safety_stability",
    "withheld_not_gov_info",
    "withheld_other_law",
)
SOURCES_2014 = ("party_gov", "social_group", "enterprise", "media", "research", "citizen", "other")
CITIZEN_SUB = ("citizen_lawyer", "citizen_researcher", "citizen_journalist")
RESPONSES_2014 = (
    "hotspots",
    "press_conferences",
    "press_conferences_by_head",
    "online_interviews",
    "online_interviews_by_head",
    "interpretations",
    "social_media_events",
    "other_events",
)

# Local (pre-2014 / provincial) editions: the request channels and answer rows each prints.
LOCAL_CHANNELS = {
    "zhejiang": ("in_person", "fax", "online", "letter", "other"),
    "fujian2011": ("in_person", "fax", "email", "online", "letter", "other"),
    "fujian2015": ("in_person", "online", "letter_fax"),
}
_CHANNEL_WEIGHTS = {"in_person": 3, "fax": 0.3, "email": 1, "online": 5, "letter": 1, "other": 0.3, "letter_fax": 1}
LOCAL_ANSWERS = {
    "zhejiang": ("disclosed", "partially_disclosed", "withheld", "x.zj.not_held", "x.zj.unclear"),
    "fujian2011": ("disclosed", "partially_disclosed", "withheld"),
    "fujian2015": ("disclosed", "partially_disclosed", "withheld", "other"),
}


def k(metric: str, applicant: str | None = None, period: str = YEAR) -> Key:
    return (metric, applicant, period)


@dataclass(frozen=True)
class Profile:
    """How busy an agency is; drives the size of every number."""

    requests: float  # mean new requests from natural persons per year
    active: tuple[int, int]  # range of items proactively published per year
    regulations: bool = False  # makes 规章 (governments of cities with districts)
    items: int = 10  # typical number of 行政许可 / 行政处罚 … items (事项)
    decisions: int = 50  # typical number of decisions per item kind per year
    normative: float = 1.0  # mean normative documents issued per year
    quiet: float = 0.0  # probability of a year with no request at all
    procurement: float = 2.0  # mean centralised procurement projects per year
    fees: bool = False  # collects 行政事业性收费


@dataclass
class ReportData:
    """Generated values of one report. `kind` is the layout spec: `narrative`, `local:<edition>`, `2014`,
    `2014:early` (2014 data printed without the weibo/wechat rows), `2014:sources` (with the provincial
    （四）申请来源 block), `2019`, `2021`, `hybrid` (2021 section 二 with the 2019 section 三)."""

    year: int
    kind: str
    values: Values
    planted_issues: list[dict] = field(default_factory=list)

    @property
    def format(self) -> str:
        base = self.kind.split(":")[0]
        return "2021" if base == "hybrid" else base

    @property
    def section3(self) -> str | None:
        """Layout of section 三 (2019 or 2021) for the 2019+ formats."""
        return {"2019": "2019", "2021": "2021", "hybrid": "2019"}.get(self.kind)

    @property
    def section_formats(self) -> dict[str, str]:
        """The format of each printed part, as the parse contract's `section_formats` object reports it: sections
        二/三/四 for the 2019+ formats, the one statistical table (`统计表`) for `2014` and `local`, nothing for a
        narrative report."""
        if self.section3 is not None:
            return {"二": self.format, "三": self.section3, "四": self.format}
        return {} if self.format == "narrative" else {"统计表": self.format}


def _draw(rng: random.Random, mean: float) -> int:
    """A count between 0 and about 2×mean; mostly 0 when mean is below 0.5."""
    return int(rng.random() * 2 * mean + 0.5)


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """`total` spread over len(weights) parts at random."""
    counts = Counter(rng.choices(range(len(weights)), weights=weights, k=total))
    return [counts[i] for i in range(len(weights))]


def _prev(prev: Values | None, metric: str, period: str = YEAR) -> Number | None:
    return None if prev is None else prev.get(k(metric, None, period))


def _money(rng: random.Random, low: int, high: int, places: int) -> Decimal:
    """A random amount with `places` decimals."""
    scale = 10**places
    return Decimal(rng.randint(low * scale, high * scale)) / scale


def gen_section3(rng: random.Random, p: Profile, layout: str, carried: dict[str, int]) -> Values:
    """Section 三 (requests matrix) in the 2019 or 2021 layout; `carried` is 上年结转 per applicant."""
    rows = RESULTS[layout]
    weights = [_RESULT_WEIGHTS[r] for r in rows]
    quiet = rng.random() < p.quiet
    v: Values = {}
    for a in APPLICANTS:
        new = 0 if quiet else _draw(rng, p.requests * _NEW_SHARE[a])
        pool = new + carried.get(a, 0)
        forward = min(pool, rng.randint(1, max(1, pool // 8))) if pool and rng.random() < 0.3 else 0
        handled = pool - forward
        v[k("requests.new", a)] = new
        v[k("requests.carried_over", a)] = carried.get(a, 0)
        for row, n in zip(rows, _split(rng, handled, weights), strict=True):
            v[k(row, a)] = n
        v[k("requests.result.total", a)] = handled
        v[k("requests.carried_forward", a)] = forward
    for metric in section3_metrics(layout):
        v[k(metric, TOTAL)] = sum(v[k(metric, a)] for a in APPLICANTS)
    return v


def section3_metrics(layout: str) -> tuple[str, ...]:
    """Section 三 row metrics in printed order."""
    return (
        ("requests.new", "requests.carried_over")
        + RESULTS[layout]
        + ("requests.result.total", "requests.carried_forward")
    )


def carried_from(prev: Values | None, rng: random.Random, p: Profile) -> dict[str, int]:
    """上年结转 per applicant: last year's 结转下年度 when last year printed section 三, else a small guess."""
    if prev is not None and k("requests.carried_forward", TOTAL) in prev:
        return {a: int(prev[k("requests.carried_forward", a)] or 0) for a in APPLICANTS}
    return {a: _draw(rng, p.requests * 0.05) if a == "natural_person" else 0 for a in APPLICANTS}


def gen_section4(rng: random.Random, p: Profile) -> Values:
    """Section 四: administrative review and litigation; zeros unless the agency is busy."""
    busy = min(1.0, p.requests / 100)
    v: Values = {}
    for group in REVIEW_GROUPS:
        parts = [_draw(rng, m * busy) for m in _REVIEW_MEANS[group]]
        for part, n in zip(REVIEW_PARTS, parts, strict=True):
            v[k(f"{group}.{part}")] = n
        v[k(f"{group}.total")] = sum(parts)
    return v


def gen_section2_2019(rng: random.Random, p: Profile, prev: Values | None) -> Values:
    """Section 二 of the 2019 format (第二十条第（一）（五）（六）（八）（九）项)."""
    v: Values = {}
    if p.regulations:
        made = rng.randint(0, 3)
        stock = _prev(prev, "active.regulation.published_total") or rng.randint(15, 60)
        v |= {
            k("active.regulation.made"): made,
            k("active.regulation.published"): made,
            k("active.regulation.published_total"): stock + made,
        }
    else:  # departments make no 规章: printed blank
        v |= {k(f"active.regulation.{m}"): None for m in ("made", "published", "published_total")}
    made = _draw(rng, p.normative)
    stock = _prev(prev, "active.normative_doc.published_total") or rng.randint(5, 20) * max(1, int(p.normative))
    v |= {
        k("active.normative_doc.made"): made,
        k("active.normative_doc.published"): made,
        k("active.normative_doc.published_total"): stock + made,
    }
    for item, scale in zip((*ITEMS_2019, "admin_fee"), (1.0, 0.5, 3.0, 0.3, 0.2), strict=True):
        prior_prev = _prev(prev, f"active.{item}.prior_items")
        change_prev = _prev(prev, f"active.{item}.change")
        if prior_prev is not None and change_prev is not None:
            prior = prior_prev + change_prev
        else:
            prior = _draw(rng, p.items * scale)
        change = max(-prior, rng.randint(-max(1, prior // 8), max(1, prior // 20))) if prior else rng.randint(0, 1)
        v[k(f"active.{item}.prior_items")] = prior
        v[k(f"active.{item}.change")] = change
        if item != "admin_fee":
            v[k(f"active.{item}.decisions")] = _draw(rng, p.decisions * scale) if prior + change else 0
    items = _draw(rng, p.procurement)
    yuan = Decimal(0)
    if items:
        yuan = _money(rng, 20_000, 900_000, 2 if rng.random() < 0.4 else 0) * items
    v[k("active.procurement.items")] = items
    v[k("active.procurement.amount")] = yuan / 10_000  # catalog unit 万元; printed in 元
    return v


def gen_section2_2021(rng: random.Random, p: Profile, prev: Values | None) -> Values:
    """Section 二 of the 2021 format."""
    v: Values = {}
    docs = [("normative_doc", p.normative)]
    if p.regulations:
        docs.insert(0, ("regulation", 1.0))
    else:
        v |= {k(f"active.regulation.{m}"): None for m in ("issued", "repealed", "in_force")}
    for doc, mean in docs:
        stock = _prev(prev, f"active.{doc}.in_force")
        if stock is None:
            stock = rng.randint(5, 25) * max(1, int(mean))
        issued = _draw(rng, mean)
        repealed = min(stock, _draw(rng, mean * 0.4))
        v |= {
            k(f"active.{doc}.issued"): issued,
            k(f"active.{doc}.repealed"): repealed,
            k(f"active.{doc}.in_force"): stock + issued - repealed,
        }
    for item, scale in (("licensing", 1.0), ("punishment", 3.0), ("coercion", 0.3)):
        v[k(f"active.{item}.decisions")] = _draw(rng, p.decisions * scale)
    if p.fees:
        amount = _money(rng, 50, 30_000, rng.choice((0, 2, 6)))
    else:
        amount = Decimal(0)
    v[k("active.admin_fee.amount")] = amount
    return v


def gen_2014(rng: random.Random, p: Profile, *, sources: bool = False) -> Values:
    """The 2014 national statistical table (also the numbers a narrative-only report of that era quotes)."""
    total = rng.randint(*p.active)
    published = _draw(rng, p.normative)
    v: Values = {
        k("active.total"): total,
        k("active.normative_doc.published"): published,
        k("active.normative_doc.issued"): published + rng.randint(0, 2),
        k("active.channel.gazette"): rng.randint(0, total // 20) if p.regulations else 0,
        k("active.channel.website"): rng.randint(total * 6 // 10, total),
        k("active.channel.weibo"): rng.randint(0, total // 3),
        k("active.channel.wechat"): rng.randint(0, total // 3),
        k("active.channel.other"): rng.randint(0, total // 5),
    }
    busy = min(1.0, p.requests / 50) + 0.05
    for r, mean in zip(RESPONSES_2014, (4, 3, 1, 3, 1, 10, 5, 3), strict=True):
        v[k(f"response.{r}")] = _draw(rng, mean * busy)
    for head, base in (
        ("press_conferences_by_head", "press_conferences"),
        ("online_interviews_by_head", "online_interviews"),
    ):
        v[k(f"response.{head}")] = min(v[k(f"response.{head}")], v[k(f"response.{base}")])

    received = 0 if rng.random() < p.quiet else _draw(rng, p.requests * 1.2)
    for ch, n in zip(CHANNELS_2014, _split(rng, received, [3, 0.3, 5, 1]), strict=True):
        v[k(f"requests.channel.{ch}")] = n
    v[k("requests.received")] = received
    pending = rng.randint(0, received // 10) if received > 5 else 0
    completed = received - pending
    extended = rng.randint(0, completed // 10) if completed > 5 else 0
    v[k("requests.completed")] = completed
    v[k("requests.completed_on_time")] = completed - extended
    v[k("requests.completed_extended")] = extended
    answers = _split(rng, completed, [12, 30, 6, 5, 8, 10, 3, 4])
    withheld = _split(rng, answers[3], [1, 2, 3, 1, 2, 1])
    for a, n in zip(ANSWERS_2014, answers, strict=True):
        v[k(f"requests.answer.{a}")] = n
    for a, n in zip(WITHHELD_2014, withheld, strict=True):
        v[k(f"requests.answer.{a}")] = n
    v[k("requests.answered")] = completed
    if sources:
        parts = _split(rng, received, [0.5, 0.5, 3, 0.3, 0.2, 10, 0.5])
        for s, n in zip(SOURCES_2014, parts, strict=True):
            v[k(f"requests.source.{s}")] = n
        citizens = parts[SOURCES_2014.index("citizen")]
        for s, n in zip(CITIZEN_SUB, _split(rng, citizens // 3, [3, 1, 1]), strict=True):
            v[k(f"requests.source.{s}")] = n
    for group in ("review", "litigation"):
        parts = [_draw(rng, m * busy) for m in (1.0, 0.3, 0.3)]
        for part, n in zip(("upheld", "corrected", "other"), parts, strict=True):
            v[k(f"{group}.{part}")] = n
        v[k(f"{group}.total")] = sum(parts)
    full, part = rng.randint(0, 2), rng.randint(1, 6)
    v |= {
        k("complaints.total"): _draw(rng, 0.5 * busy),
        k("fees.request_fees"): Decimal(0),
        k("org.dedicated_units"): rng.randint(0, 1),
        k("org.reading_points"): rng.randint(1, 4),
        k("org.staff"): full + part,
        k("org.staff_full_time"): full,
        k("org.staff_part_time"): part,
        k("org.budget"): rng.choice((Decimal(0), Decimal(0), Decimal("2.5"), Decimal("5.01"), Decimal(3))),
        k("training.meetings"): rng.randint(1, 5),
        k("training.sessions"): rng.randint(0, 4),
        k("training.trainees"): rng.randint(0, 30) * 5,
    }
    return v


def gen_local(rng: random.Random, p: Profile, edition: str, prev: Values | None) -> Values:
    """A pre-2014 local / provincial table; Fujian editions also carry a 历年累计 column."""
    total = rng.randint(*p.active)
    received = 0 if rng.random() < p.quiet else _draw(rng, p.requests * 1.2)
    channels = LOCAL_CHANNELS[edition]
    answers = LOCAL_ANSWERS[edition]
    v: Values = {
        k("active.total"): total,
        k("active.channel.website"): rng.randint(total // 2, total),
        k("active.channel.gazette"): rng.randint(0, total // 30),
        k("requests.received"): received,
        k("requests.answered"): received,
    }
    for ch, n in zip(channels, _split(rng, received, [_CHANNEL_WEIGHTS[c] for c in channels]), strict=True):
        v[k(f"requests.channel.{ch}")] = n
    for a, n in zip(answers, _split(rng, received, [30, 6, 5, 8, 4][: len(answers)]), strict=True):
        v[k(a if a.startswith(UNMAPPED) else f"requests.answer.{a}")] = n
    busy = min(1.0, p.requests / 50) + 0.05
    v[k("review.total")] = _draw(rng, busy)
    v[k("litigation.total")] = _draw(rng, 0.5 * busy)
    if edition == "fujian2011":
        v[k("appeals.total")] = _draw(rng, 0.3 * busy)
    if edition == "fujian2015":
        v[k("fees.waived")] = rng.choice((Decimal(0), Decimal(0), Decimal("0.012"), Decimal("0.0035")))
        v[k("x.fj.suits_reports")] = _draw(rng, 0.5 * busy)
    if edition == "zhejiang":
        v |= _zhejiang_extras(rng, v, busy)
        return v
    # 历年累计 = last year's 累计 + this year. A new series starts at a multiple of this year (so the sums hold);
    # a row new in the 2015 edition starts at 0, except 信函、传真, which merges the older channels.
    factor = rng.randint(2, 5)
    continuing = prev is not None and any(key[2] == CUMULATIVE for key in prev)
    for (metric, applicant, _), value in list(v.items()):
        before = _prev(prev, metric, CUMULATIVE)
        if before is None and not continuing:
            before = value * factor
        elif before is None and metric == "requests.channel.letter_fax":
            before = sum(
                _prev(prev, f"requests.channel.{c}", CUMULATIVE) or 0 for c in ("fax", "email", "letter", "other")
            )
        elif before is None:
            before = 0
        v[k(metric, applicant, CUMULATIVE)] = before + value
    return v


def _zhejiang_extras(rng: random.Random, v: Values, busy: float) -> Values:
    """The rest of the 2013 Zhejiang table (seed 000): websites, completion, review detail, consultations, staff."""
    total = v[k("active.total")]
    portal = rng.randint(total // 20, total // 5)
    received = v[k("requests.received")]
    extended = rng.randint(0, received // 10)
    withheld = _split(rng, v[k("requests.answer.withheld")], [1, 2, 3, 1])
    review = [_draw(rng, m * busy) for m in (1.0, 0.2, 0.2)]
    suits = [_draw(rng, m * busy) for m in (0.5, 0.1, 0.1)]
    consult = [rng.randint(0, 60), rng.randint(0, 10), rng.randint(0, 20), rng.randint(0, 120)]
    full, part = rng.randint(0, 1), rng.randint(1, 6)
    dedicated, part_units = rng.randint(0, 1), 1
    out: Values = {
        k("x.zj.portal_site"): portal,
        k("x.zj.own_site"): total - portal,
        k("x.zj.media"): rng.randint(0, 30),
        k("requests.completed_on_time"): received - extended,
        k("requests.completed_extended"): extended,
        k("review.total"): sum(review),
        k("review.upheld"): review[0],
        k("x.zj.review_illegal"): review[1],
        k("x.zj.review_corrected"): review[2],
        k("litigation.total"): sum(suits),
        k("litigation.upheld"): suits[0],
        k("x.zj.suit_illegal"): suits[1],
        k("x.zj.suit_corrected"): suits[2],
        k("fees.request_fees"): Decimal(0),
        k("fees.waived"): Decimal(0),
        k("complaints.total"): _draw(rng, 0.3 * busy),
        k("consultations.total"): sum(consult),
        k("x.zj.units"): dedicated + part_units,
        k("org.dedicated_units"): dedicated,
        k("org.part_time_units"): part_units,
        k("org.staff"): full + part,
        k("org.staff_full_time"): full,
        k("org.staff_part_time"): part,
        k("training.meetings"): rng.randint(1, 4),
        k("training.sessions"): rng.randint(0, 4),
        k("training.trainees"): rng.randint(0, 40) * 3,
        k("org.budget"): Decimal(0),
        k("org.spent"): rng.choice((Decimal(0), Decimal("5.01"), Decimal("1.2"))),
    }
    for name, n in zip(("hotline", "mailbox", "opinion_box", "visits"), consult, strict=True):
        out[k(f"x.zj.consult_{name}")] = n
    for name, n in zip(("state_secret", "commercial_secret", "privacy", "safety_stability"), withheld, strict=True):
        out[k(f"requests.answer.withheld_{name}")] = n
    return out


def generate_report(rng: random.Random, p: Profile, year: int, kind: str, prev: Values | None) -> ReportData:
    """Values of one report of `kind` (see ReportData); `prev` is the agency's previous report's values."""
    base, _, variant = kind.partition(":")
    if base == "local":
        values = gen_local(rng, p, variant, prev)
    elif base in ("2014", "narrative"):
        values = gen_2014(rng, p, sources=variant == "sources")
    else:
        layout = "2019" if base in ("2019", "hybrid") else "2021"
        section2 = gen_section2_2019 if base == "2019" else gen_section2_2021
        values = section2(rng, p, prev) | gen_section3(rng, p, layout, carried_from(prev, rng, p))
        values |= gen_section4(rng, p)
        values[k("active.total")] = rng.randint(*p.active)  # quoted in 一、总体情况
        if base != "2019":
            values[k("info_fees.collected")] = rng.choice((0, 0, 0, 20, 150)) if p.fees else 0
    return ReportData(year=year, kind=kind, values=values)


def plant_balance_error(report: ReportData) -> None:
    """Make the printed section 三 fail 一+二 = （七）+四 for natural persons (and so for 总计).

    One more 予以公开 is counted for natural persons and carried into （七）总计 and the 总计 column, as a filer
    who miscounted would: every column and row still adds up, but new + carried no longer equals handled +
    carried forward."""
    v = report.values
    for a in ("natural_person", TOTAL):
        for metric in ("requests.result.disclosed", "requests.result.total"):
            v[k(metric, a)] += 1
    report.planted_issues = [
        {"check": "requests.balance", "applicant": "natural_person"},
        {"check": "requests.balance", "applicant": TOTAL},
    ]


def plant_carry_over_break(report: ReportData, n: int = 1) -> None:
    """Make 上年结转 of natural persons (and so 总计) `n` more than last year's 结转下年度.

    The extra requests are counted as 信息不存在 (and in （七）总计), so the report itself still balances."""
    v = report.values
    for a in ("natural_person", TOTAL):
        for metric in ("requests.carried_over", "requests.result.unavailable.not_held", "requests.result.total"):
            v[k(metric, a)] += n


def stock_flow_metric(kind: str) -> str:
    """The section 二 stock a 2019/2021-format report carries over from last year's report."""
    return "active.licensing.prior_items" if kind == "2019" else "active.normative_doc.in_force"


def plant_stock_flow_break(report: ReportData, n: int = 2) -> None:
    """Make this year's section 二 stock `n` more than last year's stock plus this (2021) or last (2019) year's flow.

    2021 format: 规范性文件 现行有效件数 ≠ last year's + 本年制发 − 本年废止; 2019 format: 行政许可 上一年项目数量 ≠
    last year's 上一年项目数量 + 本年增/减. No identity inside the report involves these cells."""
    report.values[k(stock_flow_metric(report.kind))] += n


def restate(report: ReportData, n: int = 2) -> ReportData:
    """A corrected edition of a 2019/2021-format report: `n` natural-person requests move from 予以公开 to 部分公开
    (in the applicant column and in 总计), so section 三 still balances."""
    values = dict(report.values)
    moved = min(n, int(values[k("requests.result.disclosed", "natural_person")] or 0))
    if not moved:
        raise ValueError(f"nothing to restate in the {report.year} report: no natural-person request disclosed")
    for a in ("natural_person", TOTAL):
        values[k("requests.result.disclosed", a)] -= moved
        values[k("requests.result.partially_disclosed", a)] += moved
    return ReportData(year=report.year, kind=report.kind, values=values, planted_issues=report.planted_issues)


def cross_report_breaks(before: Values, after: Values) -> list[dict]:
    """Identities between an agency's consecutive reports that `after` breaks, with the numbers involved.

    carry_over: 上年结转 = last year's 结转下年度, per applicant column and 总计. stock_flow: 2021 现行有效件数 =
    last year's + 本年制发 − 本年废止 (规章, 规范性文件); 2019 上一年项目数量 = last year's 上一年项目数量 + 本年增/减."""
    out: list[dict] = []
    for a in (*APPLICANTS, TOTAL):
        forward, carried = before.get(k("requests.carried_forward", a)), after.get(k("requests.carried_over", a))
        if forward is not None and carried is not None and forward != carried:
            out.append({"check": "carry_over", "applicant": a, "carried_forward": forward, "carried_over": carried})
    for doc in ("regulation", "normative_doc"):
        stock, now = before.get(k(f"active.{doc}.in_force")), after.get(k(f"active.{doc}.in_force"))
        issued, repealed = after.get(k(f"active.{doc}.issued")), after.get(k(f"active.{doc}.repealed"))
        if None not in (stock, now, issued, repealed) and now != stock + issued - repealed:
            out.append({"check": "stock_flow", "metric": f"active.{doc}.in_force", "previous": stock,
                        "issued": issued, "repealed": repealed, "printed": now})  # fmt: skip
    for item in (*ITEMS_2019, "admin_fee"):
        prior, change = before.get(k(f"active.{item}.prior_items")), before.get(k(f"active.{item}.change"))
        now = after.get(k(f"active.{item}.prior_items"))
        if None not in (prior, change, now) and now != prior + change:
            out.append({"check": "stock_flow", "metric": f"active.{item}.prior_items", "previous": prior,
                        "change": change, "printed": now})  # fmt: skip
    return out
