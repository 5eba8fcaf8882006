"""Is a document an annual OGI report (政府信息公开工作年度报告)? Deterministic rules on the document's own content.

A crawl lands on pages at report URLs that are not reports: a maintenance or login page, a soft 404, a news item
about OGI training, a notice `关于报送2019年政府信息公开工作年度报告的通知`, a 解读/图解 page of a report, an empty
article shell, a bare `详见附件`. The crawl's hints (the list page's anchor title, the site's agency) must never make
such a page a report, so only the document's own text is read here. The rule (`judge`), in order:

1. The document prints a **report title** (its page title, a line above the article or one of its first lines: a
   year, 政府信息公开/政务公开/信息公开/工作公开, then 年度报告/年报/工作报告, as `etl.meta` reads titles): a report,
   also when it prints no figure (`values.none`; an article saying `详见附件` takes its figures from its
   attachments). The first such line decides between 1 and 2.
2. Its title names a document **about** a report (`…的通知/函/通报/公告/批复/说明`, `解读`, `图解`, `报送`, `要点`,
   `召开`/`举办` (news), or words after the report name: `…年度报告编制培训会`, `…年度报告格式`): not a report,
   whatever it prints.
3. No title either way (many real pages print theirs only in the list): a report when it prints **report structure**
   (a numbered heading line of at most 60 characters naming one of the sections every format prints: 主动公开, 依申请公开 / 收到和处理政府信息公开
   申请, 行政复议 / 行政诉讼, 收费 / 费用 / 减免, 存在的问题 / 改进, 统计表, 其他需要报告的事项) or **figures in a
   report table** (a table cell mapped to a catalog metric: the templates' labels are specific to these reports).
   Figures read from prose alone do not make a report: a news item on training prints `培训120人次` too.

Everything else is not a report; the reason lists what is missing (`no report title, no report sections, no
figures`). The real pages this was checked on: the 5 seeds (three print no title: structure and tables decide), the
17 pingtan corpus pages (titles) and every generated report of the demo portal in every input type (`ogi eval`).

`is_report_title` and `about_a_report` are also the crawler's list-page anchor rules (`crawler/cms/links.py` imports
them): one definition of a report title for both packages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from etl.document import Doc
from etl.meta import _TITLE as _TITLE_IN_LINE
from etl.normalize import nfkc

# --- titles (anchor texts and printed title lines) -----------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年")
_REPORT = re.compile(r"公[开開].*?(?:年度[报報]告|年[报報])")
# Documents *about* reports: `关于报送2019年政府信息公开工作年度报告的通知`, `…的函`, `政务公开工作要点`, 解读/图解.
_ABOUT = r"的(?:通知|函|通[报報]|公告|批[复覆]|[说說]明)|通知$|函$|要[点點]|解[读讀]|[图圖]解|[报報]送|召[开開]|[举舉]办"
_REJECT = re.compile(r"^[关關][于於]|" + _ABOUT)
_ABOUT_RE = re.compile(_ABOUT)
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")
# what may follow a report's own title: brackets, digits, dates, punctuation, a file extension, and these words
_REPORT_END = re.compile(r"(?:年度[报報]告|年[报報]|工作[报報]告)")
_BRACKETS = re.compile(r"[(（\[【〔《<][^)）\]】〕》>]{0,30}[)）\]】〕》>]")
_EXTENSION = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|odt|ods|s?html?)$", re.IGNORECASE)
# words after the report name that make the line a document about the report (a site name after it does not)
_ABOUT_AFTER = re.compile(
    r"^的|编制|培训|会议|部署|座谈|[解图圖][读讀解]|[说說]明|问答|[发發]布会|工作会|格式|模板|样[表本]|范本|填报说明"
)


def _key(title: str) -> str:
    """NFKC, pinyin after characters dropped, no whitespace (what the title patterns read)."""
    return _PINYIN.sub("", " ".join(nfkc(title).split())).replace(" ", "")


def is_report_title(title: str) -> bool:
    """Whether a link title names an annual open-government-information report (not a notice about one).

    Also the crawler's list-page anchor rule (`crawler/cms/links.py`): a year (19xx/20xx + 年/年度) and
    `…公开…年度报告/年报`, traditional forms too, and not `关于…`, `…的通知/函/通报/公告/批复/说明`, `要点`, `解读`,
    `图解`, `报送`, `召开`, `举办`.
    """
    t = _key(title)
    return bool(_YEAR.search(t) and _REPORT.search(t) and not _REJECT.search(t))


def about_a_report(title: str) -> bool:
    """Whether a title names a document about a report, not a report (`关于报送…的通知`, `…解读`, `图解：…`)."""
    return bool(_REJECT.search(_key(title)))


@dataclass(frozen=True, slots=True)
class PrintedTitle:
    """A title line of a document that names a report: `about` when the document is about that report."""

    text: str
    about: bool


def _after_report(line: str, start: int) -> str:
    """What a title line prints after its report name (`的通知`, `编制培训会`), brackets and the like removed."""
    ends = list(_REPORT_END.finditer(line, start))
    if not ends:
        return ""
    rest = line[ends[-1].end():]
    rest = "".join(ch for ch in _EXTENSION.sub("", _BRACKETS.sub("", rest)) if "\u4e00" <= ch <= "\u9fff")
    m = _ABOUT_AFTER.search(rest)
    return m.group(0) if m else ""


def classify_title_line(line: str) -> PrintedTitle | None:
    """A title line (at most 80 characters) that names a report, or None. `about` when the line names a document about
    the report: `关于报送…的通知`, `…的解读`, `图解：…`, `…年度报告编制培训会`."""
    key = _key(line)
    if not key or len(key) > 80:
        return None
    m = _TITLE_IN_LINE.search(key)
    if m is None:
        return None
    about = bool(_ABOUT_RE.search(key) or _after_report(key, m.start()))
    return PrintedTitle(m.group(0), about)


_TITLE_PARTS = re.compile(r"\s*[_|]\s*|\s+-\s+")  # a page title's parts (as etl.meta.find_title splits it)


def _title_candidates(doc: Doc) -> list[str]:
    """Where a document prints its title, in the order `etl.meta.find_title` reads them, never the crawl's hints, and
    of the lines around the article only those above it (links below an article name other documents)."""
    out: list[str] = []
    if doc.title:
        out.extend(_TITLE_PARTS.split(doc.title))
    out.extend(doc.head[: 60 if doc.head_before is None else min(60, doc.head_before)])
    out.extend(r.text for r in doc.rows[:8] if r.table is None)
    return out


def _wrapped(doc: Doc) -> list[str]:
    """The first prose rows, each followed by it joined with the next short row: a PDF or DOCX prints a long title
    over two lines (`图解：…政府信息公开工作年度报` / `告`)."""
    prose = [r.text for r in doc.rows[:9] if r.table is None]
    out = []
    for i, line in enumerate(prose[:8]):
        out.append(line)
        if i + 1 < len(prose) and len(line) <= 40 and len(prose[i + 1]) <= 40:
            out.append(line + prose[i + 1])
    return out


def printed_title(doc: Doc) -> PrintedTitle | None:
    """The first title line of the document that names a report (see `classify_title_line`): the page title, the
    lines above the article, then the first prose lines (and each with the next, for a title printed over two)."""
    head = _title_candidates(doc)
    n_rows = sum(1 for r in doc.rows[:8] if r.table is None)
    for line in head[: len(head) - n_rows] + _wrapped(doc):
        found = classify_title_line(line.strip())
        if found is not None:
            return found
    return None


# --- report structure -----------------------------------------------------------------------------------------------

_HEADING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+(?:部分|章|节|项)|[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十]+\s*[)）]"
    r"|\d{1,2}\s*[、.．](?!\d)|[(（]\s*\d{1,2}\s*[)）])"
)
# The sections every format prints (2008-2013 local, 2014, 2019, 2021 and narrative reports), as heading words.
SECTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("active", re.compile(r"主动公开")),
    ("requests", re.compile(r"依申请公开|收到和处理政府信息公开申请|政府信息公开申请")),
    ("appeals", re.compile(r"行政复议|行政诉讼")),
    ("fees", re.compile(r"收费|费用|减免")),
    ("problems", re.compile(r"存在的?(?:主要)?问题|改进|不足|整改")),
    ("table", re.compile(r"(?:政府)?信息公开(?:工作)?(?:情况)?(?:年度)?统计表")),
    ("other", re.compile(r"其他需要报告的事项")),
)
_HEADING_MAX = 60


def report_sections(doc: Doc) -> tuple[str, ...]:
    """The report sections the document prints as headings: a numbered line of at most 60 characters (`二、主动公开
    政府信息情况`, `（三）依申请公开`), in prose or as the first cell of a table row, naming one of `SECTIONS`."""
    found: set[str] = set()
    for row in doc.rows:
        text = row.text if row.table is None else next((c for c in row.cells if c), "")
        if len(text) > _HEADING_MAX or not _HEADING.match(text):
            continue
        for name, pattern in SECTIONS:
            if name not in found and pattern.search(text):
                found.add(name)
        if len(found) == len(SECTIONS):
            break
    return tuple(name for name, _ in SECTIONS if name in found)


# --- the verdict ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a document is an annual report, and the evidence."""

    is_report: bool
    title: str | None  # the report title the document prints (a report's, or the one a notice/解读 is about)
    about: bool  # the printed title names a document about a report (notice, 解读, news)
    sections: tuple[str, ...]  # report sections printed as headings (`SECTIONS` names)
    table_values: int  # figures read from report tables
    text_values: int  # figures read from prose
    reason: str | None  # why it is not a report (None for a report)

    @property
    def error(self) -> str | None:
        """The parse error of a document that is not a report."""
        return None if self.reason is None else f"not an annual report: {self.reason}"


def judge(doc: Doc, table_values: int, text_values: int) -> Verdict:
    """The rule of the module docstring, on a document's rows and the figures read from them."""
    title = printed_title(doc)
    sections = report_sections(doc)
    if title is not None and not title.about:
        return Verdict(True, title.text, False, sections, table_values, text_values, None)
    if title is not None:
        return Verdict(False, title.text, True, sections, table_values, text_values,
                       f"a document about a report ({title.text!r} printed as {_shown(doc, title.text)!r})")
    if sections or table_values:
        return Verdict(True, None, False, sections, table_values, text_values, None)
    missing = ["no report title", "no report sections"]
    missing.append(f"figures only in prose ({text_values})" if text_values else "no figures")
    return Verdict(False, None, False, sections, table_values, text_values, ", ".join(missing))


def _shown(doc: Doc, title: str) -> str:
    """The printed line that holds `title` (the notice or 解读 title as a reader sees it)."""
    for line in _title_candidates(doc):
        if title in _key(line):
            return line.strip()[:80]
    return title


def not_report_reason(verdicts: Sequence[Verdict]) -> str | None:
    """Several documents read as one report (an article and its attachments, article first): a report when the
    article is one, or when the article is not about a report (a notice's attachments are the notice's) and one of
    the attachments is. None for a report, else the article's reason."""
    if not verdicts:
        return "no document"
    article = verdicts[0]
    if article.is_report or (not article.about and any(v.is_report for v in verdicts[1:])):
        return None
    return article.reason
