"""Which template era a report follows (TEMPLATES.md §0), per section, from the strongest evidence it prints:

1. **values**: the rows a reader read (section 三's `（六）其他处理` as one row or three; the 第二十条 column headers of the
   rows read; a statistical table's rows and columns);
2. **header**: a table's title and header rows even when no row of it was read (`第二十条第（一）项` and `本年制发件数`
   = 2021, `本年新制作数量` = 2019; `申请人情况`; `行政复议 | 行政诉讼`; `统计指标 | 单位 | 统计数`);
3. **heading**: the report's section headings. The 2019 and 2021 formats (国办公开办函〔2019〕60号, 〔2021〕30号) prescribe
   `三、收到和处理政府信息公开申请情况`, which no earlier report prints; with it, `二、主动公开政府信息情况` and
   `四、政府信息公开行政复议、行政诉讼情况` are the same outline's (alone they are not: 平潭's 2011 and 2016 reports and
   Wuhan's 2018 one head their 二 `主动公开政府信息情况` too). The 2014 table's sections as headings (`回应解读情况`,
   `机构建设和保障经费情况`, `政府信息公开会议和培训情况`) tell a 2014–2018 report.

Between 2019 and 2021 a section without a tell of its own takes the report year (the 2021 format was first used for
2021 data). A report with none of these is narrative. `Mapped.format_evidence` says which kind decided each section.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from etl.normalize import nfkc

if TYPE_CHECKING:
    from etl.mapping.emit import Mapped
    from etl.mapping.section2 import Section2
    from etl.mapping.section3 import Section3
    from etl.mapping.section4 import Section4
    from etl.mapping.statistical import Statistical

SECTION_HEADINGS = {  # 2019 and 2021 formats: the section headings they prescribe (whitespace removed, NFKC)
    "二": re.compile(r"主动公开政府信息情况"),
    "三": re.compile(r"收到和处理政府信息公开申请情况"),
    "四": re.compile(r"复议[^的]{0,6}诉讼情况"),  # 平潭 2022 prints 政府信息公开行政法复议、行政诉讼情况
}
STAT_HEADINGS_2014 = re.compile(r"回应解读情况|机构建设和保障经费情况|政府信息公开会议和培训情况")
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+[、.．]")


class Headings:
    """The era tells of the report's numbered section headings (`二、主动公开政府信息情况`)."""

    def __init__(self) -> None:
        self._sections: set[str] = set()  # 二 / 三 / 四 printed with the 2019+ wording
        self.stat_2014 = False

    @property
    def sections(self) -> set[str]:
        """The sections whose headings follow the 2019+ outline (none unless 三's own heading is printed)."""
        return self._sections if "三" in self._sections else set()

    def read(self, heading: str) -> None:
        if not _NUMBERED.match(heading):
            return
        text = nfkc(heading).replace(" ", "")
        for section, pattern in SECTION_HEADINGS.items():
            if pattern.search(text):
                self._sections.add(section)
        if STAT_HEADINGS_2014.search(text):
            self.stat_2014 = True


def by_year(year: int | None) -> str:
    """The 2019+ format of a section that prints no tell of its own."""
    return "2021" if (year or 0) >= 2021 else "2019"


def decide(out: Mapped, sec2: Section2, sec3: Section3, sec4: Section4, stat: Statistical, headings: Headings,
           year: int | None) -> None:
    """Fill `out.section_formats` (二/三/四), `out.stat_format` and `out.format_evidence` from the readers' evidence:
    values, else header, else heading (module docstring). The readers have set what their values tell."""
    evidence = out.format_evidence
    for section in out.section_formats:
        evidence[section] = "values"
    for section, opened in (("三", sec3.opened), ("四", sec4.headed)):
        if section in out.section_formats:
            continue
        if opened:
            out.section_formats[section] = "2021" if section == "三" and "2021" in sec3.tells else by_year(year)
            evidence[section] = "header"
        elif section in headings.sections:
            out.section_formats[section] = by_year(year)
            evidence[section] = "heading"
    if sec2.seen or sec2.tells or sec2.titled or "二" in headings.sections:
        out.section_formats["二"] = sec2.format()  # the column words read, else the report year
        evidence["二"] = "values" if sec2.seen else "header" if (sec2.tells or sec2.titled) else "heading"
    if stat.seen or stat.headed:
        out.stat_format = stat.format()
        evidence["统计表"] = "values" if stat.seen else "header"
    elif headings.stat_2014 and not out.section_formats and (year is None or year < 2019):
        out.stat_format = "2014"
        evidence["统计表"] = "heading"
