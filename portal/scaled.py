"""The demo portal scaled to N reports, for benchmarks (bench/e2e.py): copies of the generated sites
(`portal.sites._SPECS`) under distinct names, URLs and agency names, each copy with its own random streams (they
are seeded by the site name), so every report body is distinct and every copy is real parsing work.

Copy k of site `quzhou` is `quzhou-k0001` at `/quzhou-k0001/`, its agency's leading city name replaced by a made-up
one, distinct for every copy of every site (衢州市人民政府 -> 安安市人民政府 …, the same in per-year titles); region, family and every other setting are the
original's. The last copy publishes only its first years, so that exactly N reports are listed. Deterministic:
the same N gives the same bytes. `generate(epoch)` of portal.sites, the demo, is not changed by any of this.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

from portal.sites import _SPECS, Generated, build_site, collect
from portal.spec import SiteSpec

# Characters of made-up place names: copy k gets a two-character name from these (then three, past 400 copies).
_PLACE = "安平宁和永新东西南北兴泰丰华长乐清源阳明"
_CITY = re.compile(r"^[\u4e00-\u9fff]{2}市")


def place(k: int) -> str:
    """The made-up city name of copy k (k >= 1): 安平市, 安宁市, …; two characters, then three, …: distinct for
    every k."""
    n, width, base = k - 1, 2, len(_PLACE)
    while n >= base**width:
        n -= base**width
        width += 1
    chars = []
    for _ in range(width):
        n, d = divmod(n, base)
        chars.append(_PLACE[d])
    return "".join(reversed(chars)) + "市"


def _reports_of(spec: SiteSpec) -> int:
    """Reports a site lists in epoch 1 (every report year but its gap year)."""
    return sum(1 for year in spec.kinds if year != spec.gap_year)


def copy_spec(spec: SiteSpec, k: int, keep: int | None = None) -> SiteSpec:
    """Copy k of `spec` (one of the demo's `_SPECS`): distinct name and agency (every copy of every site its own
    city name); `keep`: list only its first `keep` reports."""
    city = _CITY.match(spec.author.agency)
    new_city = place((k - 1) * len(_SPECS) + _SPECS.index(spec) + 1)

    def rename(text: str) -> str:
        return text.replace(city.group(0), new_city) if city else new_city + text

    kinds = dict(spec.kinds)
    if keep is not None:
        years = sorted(kinds)
        while sum(1 for y in years if y != spec.gap_year) > keep:
            years.pop()
        kinds = {y: kinds[y] for y in years}
    return dataclasses.replace(
        spec,
        name=f"{spec.name}-k{k:04d}",
        author=dataclasses.replace(spec.author, agency=rename(spec.author.agency)),
        site_title=rename(spec.site_title),
        titles={y: rename(t) for y, t in spec.titles.items() if y in kinds},
        kinds=kinds,
        draft_year=spec.draft_year if spec.draft_year in kinds else None,
    )


def specs(n: int) -> list[SiteSpec]:
    """Site specs listing exactly `n` reports in epoch 1: copies 1, 2, … of every demo site, in demo order."""
    if n < 1:
        raise ValueError("n must be at least 1")
    out: list[SiteSpec] = []
    left, k = n, 0
    while left > 0:
        k += 1
        for spec in _SPECS:
            count = _reports_of(spec)
            if count <= left:
                out.append(copy_spec(spec, k))
                left -= count
            else:
                out.append(copy_spec(spec, k, keep=left))
                left = 0
            if left == 0:
                break
    return out


def build(n: int, epoch: int = 1) -> Generated:
    """The pages and truth of an N-report portal (not cached)."""
    return collect([build_site(spec, epoch) for spec in specs(n)])


@cache
def generate_scaled(n: int, epoch: int = 1) -> Generated:
    """`build(n, epoch)`, cached (deterministic)."""
    return build(n, epoch)
