"""Report metadata: title, agency full name, report year, publication date (and region via etl.regions).

**Agency**, the first rule that gives a name (then completed: a name without its area takes the fuller name the page
prints, `_fuller`; `市商务局` takes the city the text or the site names, `_complete`):

1. the title's own prefix: `XX市商务局2020年…报告` (an organisation), `XX市2020年…报告` (an area: its government);
2. a bare title (`2020年政府信息公开工作年度报告`): the line printed right above it, when that line is an organisation
   or an area (`XX市人民政府办公室` / `2020年…报告`);
3. the lines printed right below the title (`2020年…报告` / `XX市人民政府办公室` / `2021年1月20日`);
4. a `填报单位：…` field (the metadata block, a statistics table's rows, any line of the report);
5. the opening sentence (`2020年，XX局根据…`) or the compiler (`由XX局编制`);
6. the page's publisher fields (发布机构, 发布单位, 发文机关, 来源 …);
7. the site's agency (`Hints.agency`), last.

**Published date**: only from publication fields (发布日期, 发布时间, 成文日期, 发文日期, 公开日期, then a bare 日期 or
时间 field: a field label of its own, never the end of a word such as 统计时间 or 填报日期), then a dated signature
line at the end of the report (`XX局` / `2021年1月20日`, `二〇二一年一月二十日`), then the list page's date
(`Hints.published_at`). A date inside the statistics period the report states (`统计时间为2020年1月1日至12月31日`) or
not after the report year's 31 December is never a publication date: the next candidate is taken, else none.
(The page's `<meta name="PubDate">` is not in `etl.document.Doc`; its visible twin, the `时间：` line, is read.)

**Year**: the title's year, else the statistics period and the report's own wording, else the years the opening
prints, else the year before publication.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice
from dataclasses import dataclass

from etl.document import Doc
from etl.model import Hints
from etl.normalize import nfkc

_TITLE = re.compile(
    r"[^\s|]{0,40}?(?:19|20)\d{2}\s*年度?[^\s|]{0,20}?(?:政府信息公开|信息公开|政务公开|工作公开)[^\s|]{0,12}?(?:年度报告|年报|工作报告)"
)
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_ORG_SUFFIX = (
    r"(?:人民政府办公室|人民政府办公厅|人民政府|管理委员会|管委会|委员会|办公室|办公厅|保障中心|服务中心|中心|局|厅|委|办|院|署|所|站|队|馆|会|处)"
)
_ORG = re.compile(r"[\u4e00-\u9fff]{2,24}?" + _ORG_SUFFIX)
_SHORT = re.compile(r"^(?:市|区|县|省|州|旗|镇|乡|街道)")
_FIELD_KEYS = {
    "publisher": ("发布机构", "发布单位", "发文机关", "发文单位", "信息来源", "来源", "主办单位"),
    "filer": ("填报单位",),
    "date": ("发布日期", "发布时间", "成文日期", "发文日期", "公开日期", "日期", "时间"),
}
_DATE_KEYS = _FIELD_KEYS["date"]  # in order of preference
_PUBLISHER_KEYS = ("发布机构", "发布单位", "发文机关", "发文单位", "来源", "信息来源")
_ALL_KEYS = sorted({k for ks in _FIELD_KEYS.values() for k in ks}, key=len, reverse=True)
# A bare 日期 / 时间 is a field label only where a word does not run into it: 统计时间为… and 填报日期 are no
# publication fields.
_GENERIC_KEYS = ("日期", "时间")
_KEY_ALTERNATIVES = "|".join(k if k not in _GENERIC_KEYS else r"(?<![\u4e00-\u9fff])" + k for k in _ALL_KEYS)
# a value never starts with another key (or a colon): an empty `来源： 时间：2016-03-16` must not swallow `时间`
_ANY_KEY = re.compile("|".join(_ALL_KEYS))
_FIELD = re.compile(r"(" + _KEY_ALTERNATIVES + r")\s*[:：]?\s*(?:\|\s*)?(?!(?:" + "|".join(_ALL_KEYS) + r")|[:：])([^|\s][^|]*?)(?=\s*(?:\||$|" + "|".join(_ALL_KEYS) + r"|浏览|字号|字体|责任编辑|点击))")


_AREA = re.compile(r"[\u4e00-\u9fff]{2,20}(?:省|自治区|市|区|县|旗|州|盟|乡|镇|实验区|新区|开发区)")


_PLACE = r"(?:自治区|自治州|自治县|自治旗|实验区|新区|开发区|省|市|区|县|旗|州|盟)"
_PLACE_RE = re.compile(_PLACE)
_PLACED = re.compile(r"[\u4e00-\u9fff]{2,15}?" + _PLACE)  # a name that opens with an area: 平潭综合实验区…, 福州市…
_SUFFIX_AT_END = re.compile(_ORG_SUFFIX + "$")
_LONG_FORM = {"委": ("委员会", "委"), "办": ("办公室", "办")}  # 发改委 ~ …发展和改革委员会, 法制办 ~ …法制办公室
_NAME_AFTER = frozenset("是由为在对和与及经据照年度的")  # in running text a name starts after these (or a non-CJK char)
_LINE_NAME_MAX = 30  # a line that is an agency's name (above or below the title): at most this long


def _first_prose(doc: Doc, n: int) -> list[str]:
    """The texts of the document's first n prose rows (not table rows), without reading the others."""
    return list(islice((r.text for r in doc.rows if r.table is None), n))


def _last_prose(doc: Doc, n: int) -> list[str]:
    """The texts of the document's last n prose rows, in document order."""
    return list(islice((r.text for r in reversed(doc.rows) if r.table is None), n))[::-1]


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _in_order(short: str, name: str) -> bool:
    rest = iter(name)
    return all(ch in rest for ch in short)


def _fuller_in(short: str, endings: tuple[str, ...], text: str) -> str | None:
    """The shortest name in `text` that opens with an area, holds `short`'s characters in order and ends with
    one of `endings`: 财金局 in `…工作是平潭综合实验区财政金融局认真…` -> 平潭综合实验区财政金融局."""
    text = nfkc(text)
    for m in re.finditer("|".join(endings), text):
        end = m.end()
        for start in range(end - len(short) - 1, max(-1, end - 31), -1):
            if not _cjk(text[start]):  # a longer name would hold it too
                break
            if start > 0 and _cjk(text[start - 1]) and text[start - 1] not in _NAME_AFTER:
                continue
            name = text[start:end]
            if _PLACED.match(name) and _in_order(short, name):
                return name
    return None


def _fuller(short: str, doc: Doc) -> str | None:
    """A fuller name for an agency printed without its area (财金局): the organisation the signature line near
    the end, the head lines (breadcrumb) or the opening paragraphs print with an area prefix, holding the short
    name's characters in order and ending with the same suffix. None when the name has an area already or when
    no such name is printed."""
    m = _SUFFIX_AT_END.search(short)
    if not m or _PLACE_RE.search(short[: m.start()]) or _SHORT.match(short):
        return None
    suffix = short[m.start():]
    endings = _LONG_FORM.get(suffix, (suffix,))
    signature = [t for t in reversed(_last_prose(doc, 8)) if len(t.strip()) <= 30]
    for lines in (signature, [h for h in doc.head if len(h.strip()) <= 60], [" ".join(_first_prose(doc, 8))]):
        for line in lines:
            name = _fuller_in(short, endings, line)
            if name:
                return name
    return None


def _government_of(area: str, text: str) -> str:
    """A report titled by an area is its government's: the body the text names, else 〈area〉人民政府."""
    counts = Counter(re.findall(re.escape(area) + r"(?:党工委)?(人民政府|管理委员会|管委会)", text))
    if counts:
        return area + counts.most_common(1)[0][0]
    return area + "人民政府"


@dataclass(slots=True)
class Meta:
    title: str | None
    agency: str | None
    agency_source: str | None
    report_year: int | None
    published_at: str | None


def _fields(lines: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in lines:
        line = nfkc(line)
        if _ANY_KEY.search(line) is None:  # a field starts with its key: most lines have none
            continue
        for m in _FIELD.finditer(line):
            key, value = m.group(1), m.group(2).strip(" :：")
            if value:
                out.setdefault(key, []).append(value)
    return out


def _iso(text: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


# --- dates printed in words and signature lines ----------------------------------------------------------------

_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_CN_YEAR = "[〇○零O0一二三四五六七八九]"
_SIGNED_DATE = re.compile(
    r"^\s*(?:[\u4e00-\u9fff（）()]{2,30}\s*)?"  # the organisation signing, on the same line
    r"((?:19|20)\d{2}|二" + _CN_YEAR + r"{3})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月"
    r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$"
)


def _cn_number(text: str) -> int | None:
    """`2021`, `二〇二一` (digit by digit), `十二`, `二十`, `三十一` -> the number; None for anything else."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        digits = [_CN_DIGIT.get(ch) for ch in text]
        if None in digits:
            return None
        return int("".join(str(d) for d in digits))
    tens, _, units = text.partition("十")
    t = 1 if tens == "" else _CN_DIGIT.get(tens)
    u = 0 if units == "" else _CN_DIGIT.get(units)
    if t is None or u is None or len(tens) > 1 or len(units) > 1:
        return None
    return t * 10 + u


def signed_date(line: str) -> str | None:
    """The date of a signature line (`2021年1月20日`, `XX局2021年1月20日`, `二〇二一年一月二十日`) as ISO; None when the
    line is anything else (a sentence that mentions a date is no signature)."""
    m = _SIGNED_DATE.match(nfkc(line))
    if not m:
        return None
    y, mo, d = (_cn_number(g) for g in m.groups())
    if y is None or mo is None or d is None or not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _signature_dates(doc: Doc) -> list[str]:
    """Dates of signature lines among the report's last prose lines (the last one first)."""
    out = []
    for line in reversed(_last_prose(doc, 8)):
        if len(line) <= 40:
            date = signed_date(line)
            if date:
                out.append(date)
    return out


_PERIOD = re.compile(
    r"统计(?:期限|时间|区间|周期|范围|日期|时段)?[^。；;]{0,12}?((?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日[^。；;\d]{0,8}?"
    r"(?:至|到|—|-|~|～)\s*(?:((?:19|20)\d{2})\s*年\s*)?12\s*月\s*31\s*日"
)


def statistics_period(text: str) -> tuple[str, str] | None:
    """The statistics period the report states (`本报告中所列数据的统计时间为2020年1月1日至12月31日`), as ISO dates."""
    m = _PERIOD.search(text)
    if not m:
        return None
    start, end = m.group(1), m.group(2) or m.group(1)
    return f"{start}-01-01", f"{end}-12-31"


def _publishable(date: str, year: int | None, period: tuple[str, str] | None) -> bool:
    """A publication date is after the statistics period and after the report year's 31 December."""
    if period is not None and period[0] <= date <= period[1]:
        return False
    return year is None or date > f"{year:04d}-12-31"


# --- the title and the lines around it --------------------------------------------------------------------------


def find_title(doc: Doc, hints: Hints | None) -> str | None:
    candidates = []
    if doc.title:
        candidates.extend(_TITLE_PARTS.split(doc.title))
    # the lines above the article (links below it name other documents: related reports, 解读)
    candidates.extend(doc.head[: 60 if doc.head_before is None else min(60, doc.head_before)])
    candidates.extend(r.text for r in doc.rows[:8] if r.table is None)
    if hints and hints.title:
        candidates.append(hints.title)
    for c in candidates:
        c = c.strip()
        if len(c) <= 80 and _TITLE.search(c.replace(" ", "")):
            return _TITLE.search(c.replace(" ", "")).group(0)  # type: ignore[union-attr]
    return None


def _printed_title(doc: Doc, title: str) -> tuple[list[str], int] | None:
    """Where the document prints its title as a line: (the lines around it, in order, and its index among them).
    The report's first prose lines (the line above the article, when the title opens it), else the lines above the
    article."""
    above = [h.strip() for h in doc.head[: len(doc.head) if doc.head_before is None else doc.head_before][-60:]]
    prose = [r.text.strip() for r in doc.rows[:12] if r.table is None]
    for lines in (above[-1:] + prose, above):
        for i, line in enumerate(lines):
            if len(line) <= 80 and title in line.replace(" ", ""):
                return lines, i
    return None


def _name_line(line: str) -> str | None:
    """A line that is an agency's name or an area's (`XX市`: its government is meant), with its area
    (`XX市人民政府办公室`) or in the short form of a local body (`区商务局`): never a menu's `新闻中心`."""
    line = nfkc(line).replace(" ", "")
    if not line or len(line) > _LINE_NAME_MAX or line.startswith(("我", "本")):
        return None
    if (_ORG.fullmatch(line) or _AREA.fullmatch(line)) and (_PLACED.match(line) or _SHORT.match(line)):
        return line
    return None


_DATE_LINE = re.compile(r"^[（(]?\s*(?:(?:19|20)\d{2}|二" + _CN_YEAR + r"{3})\s*年[^\s]{0,8}[)）]?$")


def _around_title(doc: Doc, title: str) -> tuple[str, str] | None:
    """(name, "title-above" | "title-below") for a title printed without its agency: the line right above the title,
    else the first line below it that is not a date."""
    if not _YEAR_FIRST.match(title):
        return None
    where = _printed_title(doc, title)
    if where is None:
        return None
    lines, i = where
    if not lines[i].replace(" ", "").startswith(title):
        return None  # the line prints something before the title: not a bare title line
    if i > 0:
        name = _name_line(lines[i - 1])
        if name:
            return name, "title-above"
    for line in lines[i + 1: i + 3]:
        if _DATE_LINE.match(nfkc(line).replace(" ", "")) or signed_date(line):
            continue  # `（2021年1月）` under the title: look one line further
        name = _name_line(line)
        return (name, "title-below") if name else None
    return None


# --- year and agency --------------------------------------------------------------------------------------------


_YEAR_PATTERNS = tuple(re.compile(p, re.M) for p in (
    r"统计期限[^。]{0,20}?((?:19|20)\d{2})年\s*1\s*月\s*1\s*日",
    r"截至\s*((?:19|20)\d{2})年\s*12\s*月\s*31\s*日",
    r"((?:19|20)\d{2})\s*年度?(?:政府)?信息公开(?:工作)?(?:情况)?(?:统计表|年度报告|工作报告)",
    r"\(\s*((?:19|20)\d{2})\s*年度?\s*\)",
    r"((?:19|20)\d{2})\s*年度?(?:政府)?信息公开(?:工作)?(?:情况|年度)",
    r"^\s*((?:19|20)\d{2})\s*年度?[,，]",
))  # in order of preference
_YEAR_FIRST = re.compile(r"(?:19|20)\d{2}")
_TITLE_PARTS = re.compile(r"\s*[_|]\s*|\s+-\s+")  # a page title's parts: report title, site name
_TITLE_LEAD = re.compile(r"(.{2,40}?)(?:关于)?(?:19|20)\d{2}\s*年")  # what a title prints before its year
_NOT_A_NAME = re.compile(r"[的和与及在对为是了我本该各全]")
_REGION_TAIL = re.compile(r"(?:省|自治区|市)([^省市]+)$")
_OPENING_ORG = re.compile(r"(?:19|20)\d{2}\s*年度?\s*[,，]\s*([\u4e00-\u9fff]{4,30}?" + _ORG_SUFFIX
                          + r")(?=根据|按照|认真|深入|坚持|围绕|在)")
_COMPILER = re.compile(r"由([\u4e00-\u9fff]{2,30}?" + _ORG_SUFFIX + r")(?:负责)?编制")


def _report_year(title: str | None, head: str, published: str | None) -> int | None:
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1))
    for p in _YEAR_PATTERNS:
        m = p.search(head)
        if m:
            return int(m.group(1))
    years = Counter(int(y) for y in _YEAR_IN_TITLE.findall(head[:6000]))
    if published:
        years.pop(int(published[:4]), None)  # the publication year is the usual false friend
    if years:
        return years.most_common(1)[0][0]
    if published:
        return int(published[:4]) - 1
    return None


def _complete(short: str, text: str, hints: Hints | None) -> str:
    """`市商务局` -> `阜新市商务局` when the text names it; else prefix the site's region (`浙江省衢州市`)."""
    if not _SHORT.match(short):
        return short
    counts = Counter(m.group(0) for m in re.finditer(r"[\u4e00-\u9fff]{2,8}?" + re.escape(short), text))
    best = None
    for name, _ in counts.most_common():
        lead = name[: -len(short)]
        if lead and not _NOT_A_NAME.search(lead) and (best is None or len(name) < len(best)):
            best = name
    if best:
        # keep the nearest administrative unit: 浙江省衢州市商务局 -> 衢州市商务局 only if the text prints it so
        return best
    if hints and hints.region:
        level = short[0]
        region = hints.region
        idx = region.rfind(level)
        if idx > 0:
            prefix = region[:idx]
            m = _REGION_TAIL.search(prefix)
            tail = m.group(1) if m else prefix
            return tail + short
    return short


class _Text:
    """The document's text, joined once and only when a rule needs it."""

    def __init__(self, doc: Doc, head_lines: list[str]) -> None:
        self.doc = doc
        self.head_lines = head_lines
        self._body: str | None = None
        self._head: str | None = None

    @property
    def body(self) -> str:
        if self._body is None:
            self._body = "\n".join(r.text for r in self.doc.rows)
        return self._body

    @property
    def opening(self) -> str:
        """The first 20,000 characters of the body, NFKC: where the year and the statistics period are stated."""
        if self._head is None:
            self._head = nfkc(self.body[:20000])
        return self._head


def _agency(doc: Doc, title: str | None, fields: dict[str, list[str]], text: _Text,
            hints: Hints | None) -> tuple[str | None, str | None]:
    """The agency and the rule that gave it (module docstring, rules 1-7), before completion."""
    if title:
        m = _TITLE_LEAD.match(title)
        if m and _ORG.fullmatch(m.group(1)):
            return m.group(1), "title"
        if m and _AREA.fullmatch(m.group(1)):
            return _government_of(m.group(1), text.body + "\n" + "\n".join(doc.head)), "title-area"
        around = _around_title(doc, title)
        if around is not None:
            name, source = around
            if _ORG.fullmatch(name):
                return name, source
            return _government_of(name, text.body + "\n" + "\n".join(doc.head)), source + "-area"
    for v in fields.get("填报单位", ()):
        m = _ORG.search(v)
        if m:
            return m.group(0), "filer"
    opening = " ".join(_first_prose(doc, 8))
    m = _OPENING_ORG.search(opening)
    if m and not _SHORT.match(m.group(1)) and not m.group(1).startswith(("我", "本")):
        return m.group(1), "opening"
    m = _COMPILER.search(opening)
    if m:
        return m.group(1), "compiler"
    for key in _PUBLISHER_KEYS:
        for v in fields.get(key, ()):
            m = _ORG.search(v)
            if m and m.group(0) not in ("市政府", "区政府", "县政府"):
                return m.group(0), key
    if hints and hints.agency:
        return hints.agency, "hint"
    return None, None


def extract_meta(doc: Doc, hints: Hints | None = None) -> Meta:
    head_lines = list(doc.head) + [r.text for r in doc.rows[:12]]
    # 填报单位 / 填报日期 are printed in a statistics table's rows or on a line of their own above or below it
    filed = [t for t in (r.text for r in doc.rows[12:]) if "填报" in t]
    fields = _fields(head_lines + filed)
    text = _Text(doc, head_lines)
    title = find_title(doc, hints)

    candidates = [d for key in _DATE_KEYS for v in fields.get(key, ()) if (d := _iso(v))]
    candidates.extend(_signature_dates(doc))
    if hints and hints.published_at:
        candidates.append(hints.published_at)
    period = statistics_period(text.opening) if candidates else None
    dated = [d for d in candidates if _publishable(d, None, period)]
    year = _report_year(title, text.opening if not (title and _YEAR_IN_TITLE.search(title)) else "",
                        dated[0] if dated else None)
    published = next((d for d in dated if _publishable(d, year, None)), None)

    agency, source = _agency(doc, title, fields, text, hints)
    if agency:
        fuller = _fuller(agency, doc)
        if fuller:
            agency, source = fuller, f"{source}+fuller"
        completed = _complete(agency, text.body + "\n" + "\n".join(head_lines), hints)
        if completed != agency:
            agency, source = completed, f"{source}+completed"
    return Meta(title, agency, source, year, published)
