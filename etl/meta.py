"""Report metadata: title, agency full name, report year, publication date (and region via etl.regions)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from etl.document import Doc
from etl.model import Hints

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
_ALL_KEYS = sorted({k for ks in _FIELD_KEYS.values() for k in ks}, key=len, reverse=True)
# a value never starts with another key (or a colon): an empty `来源： 时间：2016-03-16` must not swallow `时间`
_FIELD = re.compile(r"(" + "|".join(_ALL_KEYS) + r")\s*[:：]?\s*(?:\|\s*)?(?!(?:" + "|".join(_ALL_KEYS) + r")|[:：])([^|\s][^|]*?)(?=\s*(?:\||$|" + "|".join(_ALL_KEYS) + r"|浏览|字号|字体|责任编辑|点击))")


_AREA = re.compile(r"[\u4e00-\u9fff]{2,20}(?:省|自治区|市|区|县|旗|州|盟|乡|镇|实验区|新区|开发区)")


_PLACE = r"(?:自治区|自治州|自治县|自治旗|实验区|新区|开发区|省|市|区|县|旗|州|盟)"
_PLACED = re.compile(r"[\u4e00-\u9fff]{2,15}?" + _PLACE)  # a name that opens with an area: 平潭综合实验区…, 福州市…
_SUFFIX_AT_END = re.compile(_ORG_SUFFIX + "$")
_LONG_FORM = {"委": ("委员会", "委"), "办": ("办公室", "办")}  # 发改委 ~ …发展和改革委员会, 法制办 ~ …法制办公室
_NAME_AFTER = frozenset("是由为在对和与及经据照年度的")  # in running text a name starts after these (or a non-CJK char)


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _in_order(short: str, name: str) -> bool:
    rest = iter(name)
    return all(ch in rest for ch in short)


def _fuller_in(short: str, endings: tuple[str, ...], text: str) -> str | None:
    """The shortest name in `text` that opens with an area, holds `short`'s characters in order and ends with
    one of `endings`: 财金局 in `…工作是平潭综合实验区财政金融局认真…` -> 平潭综合实验区财政金融局."""
    text = unicodedata.normalize("NFKC", text)
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
    if not m or re.search(_PLACE, short[: m.start()]) or _SHORT.match(short):
        return None
    suffix = short[m.start():]
    endings = _LONG_FORM.get(suffix, (suffix,))
    prose = [r.text for r in doc.rows if r.table is None]
    signature = [t for t in reversed(prose[-8:]) if len(t.strip()) <= 30]
    for lines in (signature, [h for h in doc.head if len(h.strip()) <= 60], [" ".join(prose[:8])]):
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
        line = unicodedata.normalize("NFKC", line)
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


def find_title(doc: Doc, hints: Hints | None) -> str | None:
    candidates = []
    if doc.title:
        candidates.extend(re.split(r"\s*[_|]\s*|\s+-\s+", doc.title))
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


def _report_year(title: str | None, text: str, published: str | None) -> int | None:
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1))
    patterns = (
        r"统计期限[^。]{0,20}?((?:19|20)\d{2})年\s*1\s*月\s*1\s*日",
        r"截至\s*((?:19|20)\d{2})年\s*12\s*月\s*31\s*日",
        r"((?:19|20)\d{2})\s*年度?(?:政府)?信息公开(?:工作)?(?:情况)?(?:统计表|年度报告|工作报告)",
        r"\(\s*((?:19|20)\d{2})\s*年度?\s*\)",
        r"((?:19|20)\d{2})\s*年度?(?:政府)?信息公开(?:工作)?(?:情况|年度)",
        r"^\s*((?:19|20)\d{2})\s*年度?[,，]",
    )
    head = unicodedata.normalize("NFKC", text[:20000])
    for p in patterns:
        m = re.search(p, head, re.M)
        if m:
            return int(m.group(1))
    years = Counter(int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", head[:6000]))
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
        if lead and not re.search(r"[的和与及在对为是了我本该各全]", lead) and (best is None or len(name) < len(best)):
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
            m = re.search(r"(?:省|自治区|市)([^省市]+)$", prefix)
            tail = m.group(1) if m else prefix
            return tail + short
    return short


def extract_meta(doc: Doc, hints: Hints | None = None) -> Meta:
    head_lines = list(doc.head) + [r.text for r in doc.rows[:12]]
    fields = _fields(head_lines + [r.text for r in doc.rows if r.table is not None and "填报" in r.text])
    body = "\n".join(r.text for r in doc.rows)
    title = find_title(doc, hints)

    published = None
    for key in ("发布日期", "发布时间", "成文日期", "发文日期", "公开日期", "日期", "时间"):
        for v in fields.get(key, ()):
            published = _iso(v)
            if published:
                break
        if published:
            break
    if published is None and hints and hints.published_at:
        published = hints.published_at

    year = _report_year(title, body, published)

    agency, source = None, None
    if title:
        m = re.match(r"(.{2,40}?)(?:关于)?(?:19|20)\d{2}\s*年", title)
        if m and _ORG.fullmatch(m.group(1)):
            agency, source = m.group(1), "title"
        elif m and _AREA.fullmatch(m.group(1)):
            agency, source = _government_of(m.group(1), body + "\n" + "\n".join(doc.head)), "title-area"
    if agency is None:
        for v in fields.get("填报单位", ()):
            m = _ORG.search(v)
            if m:
                agency, source = m.group(0), "filer"
                break
    if agency is None:
        opening = " ".join([r.text for r in doc.rows if r.table is None][:8])
        m = re.search(r"(?:19|20)\d{2}\s*年度?\s*[,，]\s*([\u4e00-\u9fff]{4,30}?" + _ORG_SUFFIX + r")(?=根据|按照|认真|深入|坚持|围绕|在)", opening)
        if m and not _SHORT.match(m.group(1)) and not m.group(1).startswith(("我", "本")):
            agency, source = m.group(1), "opening"
        else:
            m = re.search(r"由([\u4e00-\u9fff]{2,30}?" + _ORG_SUFFIX + r")(?:负责)?编制", opening)
            if m:
                agency, source = m.group(1), "compiler"
    if agency is None:
        for key in ("发布机构", "发布单位", "发文机关", "发文单位", "来源", "信息来源"):
            for v in fields.get(key, ()):
                m = _ORG.search(v)
                if m and m.group(0) not in ("市政府", "区政府", "县政府"):
                    agency, source = m.group(0), key
                    break
            if agency:
                break
    if agency is None and hints and hints.agency:
        agency, source = hints.agency, "hint"
    if agency:
        fuller = _fuller(agency, doc)
        if fuller:
            agency, source = fuller, f"{source}+fuller"
        completed = _complete(agency, body + "\n" + "\n".join(head_lines), hints)
        if completed != agency:
            agency, source = completed, f"{source}+completed"
    return Meta(title, agency, source, year, published)
