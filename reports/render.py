"""Vega-Lite spec -> SVG markup to inline in a page, rendered offline by vl-convert (Vega in an embedded JS engine;
no browser, no network: the specs carry their data inline). Text stays <text> with a CJK-capable font list, so the
figures are in the page's text and the viewer's fonts draw the Chinese labels."""

from __future__ import annotations

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


def svg(spec: dict[str, Any]) -> str:
    """The chart as an <svg> element (no XML prolog), ready to inline in HTML."""
    import vl_convert

    markup = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE, config=CONFIG, allowed_base_urls=[])
    return re.sub(r"^<\?xml[^>]*>\s*", "", markup)
