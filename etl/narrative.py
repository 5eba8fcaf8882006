"""Headline figures from the report's sentences (narrative-only reports, and cross-checks of tables).

Each rule reads one clause (split at ，；。) so that a number is tied to the words next to it. Look-alikes are
guarded: a service hall's `共受理申请52180件` is not an information request, a new-media account's figure is no
active total, and a part (a `其中` sub-count of a figure of the same kind, 区直各部门…, one website's figure) is
never output as the metric: it is not the metric, and compared with a table total it would raise a false mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as _sre_constants  # the pattern tree, to find the words a rule cannot match without
from re import _parser as _sre_parser

import cn2an

from etl.catalog import metrics
from etl.model import Source, Value
from etl.normalize import nfkc

_CLAUSE = re.compile(r"[，；;。！!？?\n]|,(?!\d{3}(?:\D|$))")  # not the comma of 1,234
_SENTENCE = re.compile(r"[。；;！!？?\n]")
_CN_DIGITS = "零〇一二两三四五六七八九十百千万"
# a figure: Arabic (1,234 / 1.5 / 1.2万) or Chinese (一百二十), then an optional 余/多 (an approximate lower bound).
# Spaces may stand before it (主动公开政府信息&nbsp;&nbsp;2543条: NBSP is a space after normalisation).
_NUM = r"\s*(\d[\d,]*(?:\.\d+)?\s*万?|[" + _CN_DIGITS + r"]+)\s*(余|多)?"

# Clauses about something else than information requests.
_NOT_OGI_REQUEST = re.compile(r"行政服务中心|政务服务|审批|办件|信访|12345|热线|来信|来访|咨询|投诉|举报|复议|诉讼")
_ZERO = r"(?:未|没有|无|尚未|暂无|未曾)"


@dataclass(frozen=True, slots=True)
class Rule:
    metric: str
    pattern: re.Pattern[str]
    zero: bool = False  # the pattern states zero; no number group
    needs: re.Pattern[str] | None = None  # the sentence (or heading) must also match this
    reject: re.Pattern[str] | None = None  # the clause must not match this
    era: str | None = None  # "old": reports before 2019 (2014/local codes); "new": 2019 and later; None: any


def _r(p: str) -> re.Pattern[str]:
    return re.compile(p)


_OGI = _r(r"信息公开|依申请|公开申请")
_TOTAL = _r(r"全年|共计|共|累计|总数|总计|全区|全市|全县|本年度?")
_PART = _r(r"各单位|各乡镇|各部门|区直|县直|市直|乡镇|街道|其中.{0,8}(?:网站|平台|微博|微信)")
# active.total look-alikes: one channel's figure. A website figure (在互联网上，…主动公开信息数为1713条) is a part
# unless the clause calls it the year's total (通过政府门户网站全年主动公开各类政府信息10407条); a new-media account's
# figure (其中微博29个，共发布信息1992条) is no active.total at all. A list of channels closed by 等渠道 is the total.
_WEB_CHANNEL = _r(r"互联网上|网站上|(?:通过|在)[^，,。；;]{0,12}?网站")
_NEW_MEDIA = _r(r"微博|微信|公众号|新媒体|客户端|头条")
_ALL_CHANNELS = _r(r"等(?:渠道|平台|途径|方式|载体|媒体)")
_YEAR_TOTAL = _r(r"全年|共计|共|累计|总计|总数")
_YEAR = _r(r"\d{4}年")
RULES: tuple[Rule, ...] = (
    Rule("active.total", _r(r"(?:主动公开|公开发布|主动发布|公布)(?:各类|政府|政务)*信息(?:共计|总数|总计|共|数为|数|达到|达)?(?:为|有)?" + _NUM + "条"),
         reject=_r(r"规范性文件|依申请|不予公开|占")),
    Rule("active.total", _r(r"(?:共|累计)?发布(?:各类)?(?:政府|政务)?信息(?:共计|共)?" + _NUM + "条"),
         reject=_r(r"规范性文件|依申请|不予公开|占|网站.{0,6}信息\d")),
    Rule("active.normative_doc.published", _r(r"主动公开(?:行政)?规范性文件(?:共)?" + _NUM + "[条件份]")),
    Rule("active.normative_doc.issued", _r(r"制发(?:行政)?规范性文件(?:共)?" + _NUM + "[件份条]")),
    # 接收通过邮寄、网络提交的各类政府信息公开申请共计81件: up to 12 words between the verb and the noun (not
    # 上年结转…: carried-over requests are no new ones)
    Rule("requests.received", _r(r"(?:共|累计)?(?:受理|收到|接到|办理|接收)(?:了)?(?:(?!结转|上年|往年)[^\d，,。；;！!？?]){0,12}?(?:政府信息公开|依申请公开|信息公开)(?:的)?申请(?:共计|共|总数|数)?(?:为)?" + _NUM + "[件个条份]"),
         reject=_NOT_OGI_REQUEST),
    Rule("requests.received", _r(r"(?:共|累计)?(?:受理|收到|接到|接收)(?:了)?" + _NUM + "[件个条份](?:政府信息公开|依申请公开|信息公开)(?:的)?申请"),
         reject=_NOT_OGI_REQUEST),
    Rule("requests.received", _r(r"(?:共|累计)?(?:受理|收到|接到)(?:了)?申请(?:共计|共|总数)?(?:为)?" + _NUM + "[件个条份]"),
         reject=_NOT_OGI_REQUEST, needs=_OGI),
    Rule("requests.received", _r(_ZERO + r"(?:收到|接到|受理|发生)[^，,。；;]{0,24}?(?:申请|依申请公开)"), zero=True,
         reject=_NOT_OGI_REQUEST, needs=_r(r"申请")),
    Rule("requests.received", _r(_ZERO + r"(?:发生|产生)?依申请公开(?:政府信息)?(?:的)?(?:情况|事项|申请)?"), zero=True,
         reject=_NOT_OGI_REQUEST),
    # 2019+ reports: the section 三 headline figures (applicant total)
    Rule("requests.new", _r(r"新收(?:到)?(?:各类)?(?:政府信息公开|依申请公开|信息公开)?申请(?:共计|共|数量)?(?:为)?" + _NUM + "[件个条份]"),
         reject=_NOT_OGI_REQUEST, era="new"),
    Rule("requests.carried_over", _r(r"上(?:一)?年(?:度)?结转(?:的)?(?:政府信息公开申请|申请)?(?:数量)?(?:为)?" + _NUM + "[件个条份]"),
         era="new"),
    Rule("requests.carried_forward", _r(r"结转(?:至|到)?下(?:一)?年度?(?:继续办理)?(?:的)?(?:申请)?(?:为)?" + _NUM + "[件个条份]"),
         era="new"),
    # answers: 2014-era codes before 2019, section 三 result codes after. 予以公开及部分公开42件 is both outcomes
    # together: neither the disclosed nor the partially disclosed figure.
    Rule("requests.answer.disclosed", _r(r"(?:予以|同意)公开(?![及和与、](?:同意)?部分公开)(?:答复)?(?:的)?(?:为)?" + _NUM + "[件个条份]"),
         reject=_NOT_OGI_REQUEST, era="old"),
    Rule("requests.result.disclosed", _r(r"(?:予以|同意)公开(?![及和与、](?:同意)?部分公开)(?:答复)?(?:的)?(?:为)?" + _NUM + "[件个条份]"),
         reject=_NOT_OGI_REQUEST, era="new"),
    Rule("requests.answer.partially_disclosed", _r(r"(?<!公开[及和与、])(?<!公开[及和与、]同意)部分公开(?:答复)?(?:的)?(?:为)?" + _NUM + "[件个条份]"),
         reject=_NOT_OGI_REQUEST, era="old"),
    Rule("requests.result.partially_disclosed", _r(r"(?<!公开[及和与、])(?<!公开[及和与、]同意)部分公开(?:答复)?(?:的)?(?:为)?" + _NUM + "[件个条份]"),
         reject=_NOT_OGI_REQUEST, era="new"),
    Rule("requests.answer.withheld", _r(r"(?:不予|不同意)公开(?:答复)?(?:的)?(?:为)?" + _NUM + "[件个条份]"),
         reject=_NOT_OGI_REQUEST, era="old"),
    Rule("requests.answer.not_exist", _r(r"(?:申请的?)?信息不存在(?:的)?(?:为)?" + _NUM + "[件个条份]"), era="old"),
    Rule("requests.answer.not_this_agency", _r(r"不属于本(?:机关|单位|部门|行政机关)(?:公开|掌握)?(?:范围)?(?:的)?(?:为)?" + _NUM + "[件个条份]"),
         era="old"),
    Rule("requests.result.unavailable.not_held", _r(r"本机关不掌握(?:相关)?(?:政府)?信息(?:的)?(?:为)?" + _NUM + "[件个条份]"),
         era="new"),
    # staff
    Rule("org.staff_full_time", _r(r"专职(?:工作)?人员(?:共)?" + _NUM + "(?:名|人)")),
    Rule("org.staff_part_time", _r(r"兼职(?:工作)?人员(?:共)?" + _NUM + "(?:名|人)")),
    Rule("org.staff", _r(r"(?:从事政府信息公开工作(?:的)?|信息公开工作)人员(?:共)?" + _NUM + "(?:名|人)"),
         reject=_r(r"专职|兼职")),
    Rule("review.total", _r(r"行政复议(?:案件|申请)?(?:共)?" + _NUM + "[件起宗]"), needs=_OGI),
    # the count before the noun: 收到1份有关政府信息公开行政复议申请
    Rule("review.total", _r(r"(?:共|累计)?(?:收到|接到|受理)(?:了)?" + _NUM + "[份件起宗](?:有关|关于|涉及)?(?:政府信息公开|信息公开)?(?:的)?行政复议"),
         needs=_OGI),
    Rule("review.total", _r(_ZERO + r"[^，,。；;]{0,20}?行政复议"), zero=True, needs=_r(r"信息公开|复议")),
    Rule("litigation.total", _r(r"行政诉讼(?:案件)?(?:共)?" + _NUM + "[件起宗]"), needs=_OGI),
    Rule("litigation.total", _r(_ZERO + r"[^，,。；;]{0,30}?行政诉讼"), zero=True, needs=_r(r"信息公开|诉讼")),
    Rule("training.sessions", _r(r"(?:开展|举办|组织|召开)[^，,。；;]{0,12}?培训(?:学习|班|会)?(?:活动)?(?:共)?" + _NUM + "(?:次|期|场)")),
    Rule("training.trainees", _r(r"(?:共|累计)?培训(?:人员|干部|工作人员)?(?:共)?" + _NUM + "(?:人次|人)")),
    Rule("training.meetings", _r(r"召开[^，,。；;]{0,16}?(?:工作会议|专题会议|工作会|专题会)(?:共)?" + _NUM + "次")),
)
_FEE_ZERO = _r(r"(?:不收取|未收取|没有收取|无收取|暂不收取|未产生|暂不|无|没有)[^，,。；;]{0,12}?(?:任何)?(?:服务)?(?:收费|费用|信息处理费)")
_FEE_NUM = _r(r"收取[^，,。；;]{0,16}?(?:信息处理费|费用)(?:共计|共)?" + r"(\d[\d,]*(?:\.\d+)?)\s*(万元|元)")
# "无…收费及减免情况": nothing waived either (fees.waived is a 2014/local code). The zero word must govern the
# 减免 (未收费及减免, 无减免), so 对未成年人减免 is no zero.
_WAIVED_ZERO = _r(r"(?:未|没有|无|尚未|暂无)(?:发生|产生|出现|存在|涉及)?(?:政府信息公开|信息公开|依申请公开)?(?:的)?"
                  r"(?:收费|收取费用|收取)?(?:及|和|与|或|、)?(?:费用)?减免")

# A one-line answer right under a heading ("三、依申请公开政府信息办理情况" / "无申请。"): a zero word, ≤ 12
# characters, no figure; the heading says what is zero. A bare 未/尚未 is no answer (a table label 尚未|审结 split
# over two lines).
_ANSWER_ZERO = _r(r"^(?:没有|暂无|尚未|未|无)[^\d，,；;但除仅只]{0,10}$")
_ABOUT_FEES = _r(r"收费|费用")
_ABOUT_REQUESTS = _r(r"依申请|公开申请(?!行政|复议|诉讼|提起)")


def _answer_metrics(text: str, heading: str | None, fee_metric: str) -> list[str]:
    """Metrics a short zero answer sets to 0, from the heading it sits under: 收费 -> the fee metric only;
    行政复议 / 行政诉讼 -> review.total / litigation.total (each only if the heading names it); 依申请公开 ->
    requests.received. When the answer names a topic itself (无申请, 未收费), only that topic is kept."""
    answer = text.strip().rstrip("。.!！;；").strip()
    if not heading or len(answer) > 12 or answer in ("未", "尚未") or not _ANSWER_ZERO.match(answer):
        return []
    topics: dict[str, str] = {}
    if _ABOUT_FEES.search(heading):
        topics["fees"] = fee_metric
    else:
        if "复议" in heading:
            topics["review"] = "review.total"
        if "诉讼" in heading:
            topics["litigation"] = "litigation.total"
        if _ABOUT_REQUESTS.search(heading):
            topics["requests"] = "requests.received"
    named = {t for t, hit in (("fees", "费" in answer), ("review", "复议" in answer), ("litigation", "诉讼" in answer),
                              ("requests", "申请" in answer and "复议" not in answer and "诉讼" not in answer)) if hit}
    return [metric for topic, metric in topics.items() if not named or topic in named]


_MAX_DIGITS = 18


def _number(text: str) -> float | int:
    """`1,234` -> 1234, `1.5` -> 1.5, `1.2万` -> 12000, `一百二十` -> 120 (cn2an)."""
    raw = text.replace(",", "").replace(" ", "")
    if len(raw) > _MAX_DIGITS:  # no report counts beyond 10^15: a run of digits this long is no figure
        raise ValueError(f"{len(raw)} characters are no figure")
    if raw and raw[0] in _CN_DIGITS:
        value = cn2an.cn2an(raw, "normal")
        return int(value) if float(value).is_integer() else float(value)
    scale = 1
    if raw.endswith("万"):
        raw, scale = raw[:-1], 10000
    if "." in raw:
        value = float(raw) * scale
        return int(value) if scale > 1 and value.is_integer() else value
    return int(raw) * scale


def required_words(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The literal words a pattern prints at its top level (outside groups, repeats and alternatives): every match
    contains each of them, so a clause missing one cannot match and its search is skipped. () when the pattern tree
    cannot be read (then every clause is searched)."""
    try:
        tree = _sre_parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - a private module of `re`: without it, no shortcut, same results
        return ()
    if pattern.flags & re.IGNORECASE:
        return ()
    words: list[str] = []
    run: list[str] = []
    for op, arg in tree:
        if op is _sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            words.append("".join(run))
            run = []
    if run:
        words.append("".join(run))
    return tuple(words)


class _Rules:
    """An era's rules, in order, and the words each needs: a clause is searched only by the rules whose words it
    holds (found with one `in` test per distinct word, the rule lists memoised per set of words present)."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = tuple((rule, frozenset(required_words(rule.pattern))) for rule in rules)
        self.words = tuple(sorted({w for _, ws in self.rules for w in ws}))
        self._by_present: dict[frozenset[str], tuple[Rule, ...]] = {}

    def for_clause(self, clause: str) -> tuple[Rule, ...]:
        present = frozenset([w for w in self.words if w in clause])
        found = self._by_present.get(present)
        if found is None:
            found = tuple(rule for rule, needs in self.rules if needs <= present)
            if len(self._by_present) >= 4096:  # sets of words present are few; bounded anyway
                self._by_present.clear()
            self._by_present[present] = found
        return found


_ERA_RULES = {era: _Rules(tuple(r for r in RULES if r.era is None or r.era == era)) for era in ("old", "new")}
_DIGIT = re.compile(r"\d")
# Every rule reads a figure (`_NUM`: a digit or a Chinese numeral) or states a zero (`_ZERO`: each of its words holds
# 未, 没 or 无): a clause with none of these characters is searched by no rule (tests/test_etl_units.py checks both).
_MAY_MATCH = re.compile(r"[\d" + _CN_DIGITS + "未没无]")

_FEE_WORDS = re.compile(r"收费|费用|处理费")


def extract(lines: list[tuple[str, str | None]], report_year: int | None) -> list[Value]:
    """Values from prose. `lines` are (text, heading) pairs; the first value per metric wins, except that a
    value qualified as a total (全年/共/累计) beats an earlier unqualified one of the same metric. Parts are not
    output."""
    found: dict[str, tuple[int, Value]] = {}
    fee_metric = "info_fees.collected" if (report_year or 0) >= 2021 else "fees.request_fees"
    era = "new" if (report_year or 0) >= 2019 else "old"
    rules = _ERA_RULES[era]
    previous: str | None = None
    for raw, heading in lines:
        text = nfkc(raw)
        if heading is not None and previous == heading:  # the first line under its heading: maybe a bare answer
            for metric in _answer_metrics(text, heading, fee_metric):
                _keep(found, metric, 1, 0, False, text, heading)
        if raw.strip():
            previous = raw
        if len(text) < 6:
            continue
        last: set[str] = set()  # metrics of the last clause that gives a figure: what a following 其中 splits up
        for sentence in _SENTENCE.split(text):
            context = sentence + " " + (heading or "")
            needed: dict[int, bool] = {}  # each rule's `needs` once per sentence, not per clause (stays linear)
            prefix = ""  # the sentence up to and with the current clause
            lead = ""  # the figure-less clauses right before it (在互联网上，…)
            after_qizhong = False  # the clause before is a bare 其中:
            for clause in _CLAUSE.split(sentence):
                if not clause:
                    continue
                prefix += clause
                matched: set[str] = set()
                for rule in rules.for_clause(clause) if _MAY_MATCH.search(clause) else ():
                    if rule.needs is not None:
                        key = id(rule.needs)
                        if key not in needed:
                            needed[key] = rule.needs.search(context) is not None
                        if not needed[key]:
                            continue
                    if rule.reject is not None and rule.reject.search(clause):
                        continue
                    m = rule.pattern.search(clause)
                    if not m:
                        continue
                    if rule.metric == "active.total" and _NEW_MEDIA.search(prefix) and not _ALL_CHANNELS.search(prefix):
                        continue
                    if rule.zero:
                        if _DIGIT.search(m.group(0)):
                            continue
                        value: float | int = 0
                        approx = False
                    else:
                        try:
                            value = _number(m.group(1))
                        except ValueError:  # a run of numeral characters that is no number (二〇〇 …)
                            continue
                        approx = bool(m.group(2))
                    matched.add(rule.metric)
                    # a total beats a plain figure; a part (各单位…, 区直…; 其中… splitting a figure of the same
                    # metric; one website's figure) is no figure of the metric at all and is not output
                    sub = bool(_PART.search(clause)) or (
                        (after_qizhong or clause.lstrip().startswith("其中")) and rule.metric in last)
                    if rule.metric == "active.total" and not sub:
                        scope = lead + clause
                        sub = bool(_WEB_CHANNEL.search(scope)) and not _YEAR_TOTAL.search(clause) and not (
                            _ALL_CHANNELS.search(scope))
                    rank = _PART_RANK if sub else 0 if _TOTAL.search(clause) else 1
                    _keep(found, rule.metric, rank, value, approx, clause, heading)
                m = _FEE_NUM.search(clause) if "收取" in clause else None  # the pattern's own word
                fee_ok = m is not None and ("信息处理费" in clause or needed.setdefault(-1, bool(_OGI.search(context))))
                try:
                    v = _number(m.group(1)) if m and fee_ok else None
                except ValueError:
                    v = None
                if v is not None and m:
                    unit = m.group(2)
                    target = metrics()[fee_metric].unit
                    if unit == "元" and target == "万元":
                        v = round(v / 10000, 6)
                    elif unit == "万元" and target == "元":
                        v = round(v * 10000, 2)
                    _keep(found, fee_metric, 0, v, False, clause, heading)
                elif "费" in clause and _FEE_ZERO.search(clause) and _FEE_WORDS.search(clause):
                    _keep(found, fee_metric, 1, 0, False, clause, heading)
                if era == "old" and "减免" in clause and _WAIVED_ZERO.search(clause):
                    _keep(found, "fees.waived", 1, 0, False, clause, heading)
                if matched or (_DIGIT.search(clause) is not None and _DIGIT.search(_YEAR.sub("", clause)) is not None):
                    last, lead = matched, ""
                else:
                    lead += clause
                after_qizhong = clause.strip(" :") == "其中"
    return [v for rank, v in found.values() if rank < _PART_RANK]


_PART_RANK = 2  # kept while looking (a part never beats a figure of the metric), never output


def _keep(found: dict[str, tuple[int, Value]], metric: str, rank: int, value: float | int, approx: bool,
          clause: str, heading: str | None) -> None:
    if metric in found and found[metric][0] <= rank:
        return
    spec = metrics()[metric]
    unit = spec.unit
    applicant = "total" if spec.by_applicant else None
    found[metric] = (rank, Value(metric, applicant, "year", value, unit, approx,
                                 Source("text", heading, None, None, clause.strip(), None)))
