"""Vega-Lite spec -> SVG markup to inline in a page, rendered offline by vl-convert (Vega in an embedded JS engine;
no browser, no network: the specs carry their data inline). Text stays <text> with a CJK-capable font list, so the
figures are in the page's text and the viewer's fonts draw the Chinese labels."""

from __future__ import annotations

import hashlib
import re
from typing import Any

VEGA_LITE = "5.21"  # one of vl_convert.get_vegalite_versions(), pinned so an upgrade does not restyle the charts
FONT = "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "title": {"anchor": "start", "fontSize": 14},
    "axis": {"labelFontSize": 11, "titleFontSize": 11},
    "legend": {"labelFontSize": 11, "labelLimit": 260},
}


GRADIENT_ID = re.compile(r"\bgradient_\d+\b")


def _stable_ids(markup: str) -> str:
    """Vega numbers the gradients of a colour legend by a counter of its process (`gradient_9`: the ninth drawn
    there), so the same chart differs by the process and the order it was drawn in: named after the chart's
    markup instead (the same chart, the same ids; distinct charts of one page, distinct ids)."""
    ids = list(dict.fromkeys(GRADIENT_ID.findall(markup)))
    if not ids:
        return markup
    digest = hashlib.sha256(GRADIENT_ID.sub("gradient", markup).encode()).hexdigest()[:12]
    names = {old: f"gradient_{digest}_{i}" for i, old in enumerate(ids, 1)}
    return GRADIENT_ID.sub(lambda m: names[m.group(0)], markup)


def svg(spec: dict[str, Any]) -> str:
    """The chart as an <svg> element (no XML prolog), ready to inline in HTML; the same for the same spec whatever
    the process or the order of drawing."""
    import vl_convert

    markup = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE, config=CONFIG, allowed_base_urls=[])
    return _stable_ids(re.sub(r"^<\?xml[^>]*>\s*", "", markup))
