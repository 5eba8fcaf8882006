"""Classify agencies (type, administrative level) and reports (own body vs whole area).

Pure: strings in, labels out; no I/O. Names are the normalised full names of dim_agency (衢州市商务局, not 市商务局).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from etl import regions

AgencyType = Literal["government", "department", "office", "other"]
Level = Literal["central", "province", "city", "county", "township"]
Scope = Literal["body", "area"]

# Bodies that are not administrative organs (party, legislature, courts, mass organisations, enterprises, schools).
_OTHER = re.compile(
    r"^(?:中共|中国共产党|共青团)|党工委$|党委$|党组$|政协|政治协商会议|人民代表大会|人大常委会|人民法院|人民检察院|纪律检查委员会|纪委|"
    r"监察委员会|总工会|工会|妇女联合会|妇联|红十字会|工商业联合会|工商联|科学技术协会|科协|残疾人联合会|残联|"
    r"公司$|集团$|大学$|学院$|学校$|中学$|小学$|医院$"
)
_OFFICE = re.compile(r"(?:人民政府|政府|管理委员会|管委会|行政公署|国务院)办公[室厅]$|政府办$")
_GOVERNMENT = re.compile(r"(?:人民政府|^国务院|行政公署|管理委员会|管委会|街道办事处)$")
_DEPARTMENT = re.compile(r"(?:局|厅|委员会|委|部|办公室|办|中心|署|处|站|所|队|馆)$")
_TOWNSHIP = re.compile(r"(?:乡|镇|街道|苏木)(?:人民政府|政府|办事处|党委)?$")
_CENTRAL = re.compile(r"^(?:国务院|中华人民共和国|中央|国家)|^[\u4e00-\u9fff]{2,8}(?:部|总局|总署)$")

_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_WHOLE_AREA = r"全(?:省|市|区|县|旗|州|盟)"
_AREA_TITLE = re.compile(_WHOLE_AREA + r"|汇总")
_AREA_TEXT = re.compile(
    # 2023年全区共主动公开政府信息13561条; 2016年全区未收到有关政府信息公开申请; 2013年全县共收到…申请7条
    _WHOLE_AREA + r"(?:各级行政机关|政府系统)?(?:共|累计|合计)?(?:主动公开|收到|未收到|受理|接收|办理|新收)"
    # 汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成
    r"|汇总[\u4e00-\u9fff]{0,20}?(?:各|所属|下属)[\u4e00-\u9fff]{0,6}(?:单位|部门|机关)"
    # 区管委会及区直各部门主动公开…
    r"|(?:政府|管委会|本级)及(?:其)?(?:[省市区县]直)?各(?:部门|单位)"
)
_OWN_BODY = re.compile(r"本报告.{0,40}本级|本级.{0,40}本报告")


def agency_type(name: str) -> AgencyType:
    """'government', 'office', 'department' or 'other', from the agency's full name.

    * other: not an administrative organ: party and youth-league bodies (中共…委员会, 平潭综合实验区党工委),
      people's congresses and CPPCC, courts, procuratorates, discipline/supervision commissions, mass organisations
      (工会, 妇联, 红十字会), enterprises, schools and hospitals. Checked first: 中共衢州市委员会 is a party
      committee, not a 委员会 department.
    * office: the general office of a government (衢州市人民政府办公室, 福建省人民政府办公厅, 国务院办公厅) or of an
      administrative committee acting as one (平潭综合实验区管委会办公室). Any other 办公室 is a department
      (泰州市政务服务管理办公室).
    * government: a people's government (衢州市人民政府, 国务院), a prefecture's 行政公署, a sub-district office
      (街道办事处, the township-level government of a district) and an administrative committee (管理委员会 /
      管委会). Decision: a 管委会 exercises a government's powers over its zone and publishes the zone's report as a
      government would (平潭综合实验区管委会 governs exactly 平潭县), so it is typed as a government.
    * department: a working body of a government, by its suffix: 局 厅 委员会 委 部 办公室 办 中心 署 处 站 所 队 馆
      (衢州市商务局, 平潭综合实验区财政金融局, 衢州市衢江区机关事务保障中心, 衢州市发展和改革委员会).
    * other: anything else (no recognised suffix).
    """
    if _OTHER.search(name):
        return "other"
    if _OFFICE.search(name):
        return "office"
    if _GOVERNMENT.search(name):
        return "government"
    if _DEPARTMENT.search(name):
        return "department"
    return "other"


def agency_level(name: str, region_level: str | None) -> Level | None:
    """Administrative level of an agency from its full name and the level of its region (dim_region.level):
    'township' when the name ends with a township body (乡/镇/街道/苏木 + 人民政府/办事处); else the region's level
    ('province', 'city', 'county'; a municipality's bureaus such as 北京市商务局 sit at 110000 and are provincial;
    平潭综合实验区管委会 sits at 平潭县 350128, county); else 'central' for a body placed nowhere whose name is
    national (国务院…, 中华人民共和国…, 国家…, a ministry such as 商务部, a 总局/总署); else None (region unknown)."""
    if _TOWNSHIP.search(name):
        return "township"
    if region_level in ("province", "city", "county"):
        return region_level  # type: ignore[return-value]
    if region_level is None and _CENTRAL.search(name):
        return "central"
    return None


def report_scope(title: str | None, agency: str | None, prose: Iterable[str]) -> Scope:
    """'area' for a report on a whole area (all the area's administrative organs, 全市/全区汇总), else 'body' (the
    agency's own report, the default).

    Rule, first match wins:
    1. Title cue: the title names the whole area or a roll-up (全市…, …汇总) -> area.
    2. Title subject: the words before the report year are only a division name, not a body: 平潭综合实验区2016年度
       政府信息公开工作年度报告, 衢州市2013年政府信息公开工作年度报告, 衢江区2015年度政府信息公开年度报告 -> area.
       A body in the subject (衢州市人民政府2014年…, 遂宁市安居区商务局2022年…) does not decide yet.
    3. Departments and offices report on themselves -> body, whatever their text says (平潭综合实验区财政金融局's
       2016 report speaks of 全区政府信息公开工作 but counts its own requests).
    4. Text cues (governments and unknown bodies): a sentence that states the report's own-body scope (本报告 … 本级)
       -> body; else an area total (2013年全县共收到有关政府信息公开的申请7条 in 平潭县人民政府's 2013 report,
       2023年全区共主动公开政府信息13561条), a roll-up statement (汇总平潭综合实验区各有关单位政府信息公开工作情况编制
       而成) or 区管委会及区直各部门 -> area.
    5. Otherwise body.
    """
    title = title or ""
    if _AREA_TITLE.search(title):
        return "area"
    subject = _title_subject(title)
    if subject and regions.names_only(subject):
        return "area"
    if agency and agency_type(agency) in ("department", "office"):
        return "body"
    lines = list(prose)
    if any(_OWN_BODY.search(line) for line in lines):
        return "body"
    if any(_AREA_TEXT.search(line) for line in lines):
        return "area"
    return "body"


def _title_subject(title: str) -> str | None:
    """The words of a title before its report year, without a leading 关于 (衢州市 in 衢州市2013年政府信息…)."""
    m = _YEAR.search(title)
    if m is None:
        return None
    subject = title[: m.start()].strip().removeprefix("关于").strip()
    return subject or None
