"""Words that open or close a template, matched on label keys (etl.normalize.label_key).

The words are keyed once, here: the walk tests them on every row."""

from __future__ import annotations

import re

from etl.normalize import label_key
from etl.templates import STAT_HEADER_WORDS


def keyed(*words: str) -> tuple[str, ...]:
    return tuple(label_key(w) for w in words)


def has(key: str, words: tuple[str, ...]) -> bool:
    """A label key contains one of the (keyed) words."""
    for w in words:
        if w in key:
            return True
    return False


SEC2_TITLE = keyed("第二十条第")  # 第二十条第（一）项: a section 二 table's title row
SEC2_ITEM9 = keyed("第二十条第(九)项")  # procurement: printed by the 2019 format only
SEC3_HEADER = keyed("申请人情况", "本列数据的勾稽关系")
REVIEW = keyed("行政复议")
LITIGATION = keyed("行政诉讼")
REVIEW_OR_LITIGATION = keyed("行政复议", "行政诉讼")
STAT_HEADER = keyed(*STAT_HEADER_WORDS)  # 统计指标 / 指标名称: a statistical table's header

_HEADING = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_HEADING_WORDS = ("情况", "概述", "问题", "事项", "统计表", "附件", "总体")


def is_heading(text: str) -> bool:
    """A report's section heading (一、总体情况) or a statistical table's caption (…统计表)."""
    return len(text) <= 60 and (
        (_HEADING.match(text) is not None and any(w in text for w in _HEADING_WORDS)) or ("统计表" in text and len(text) <= 60)
    )
