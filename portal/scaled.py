"""The demo portal scaled to N reports, for benchmarks (bench/e2e.py): copies of the generated sites
(`portal.sites._SPECS`) under distinct names, URLs and agency names, each copy with its own random streams (they
are seeded by the site name), so every report body is distinct and every copy is real parsing work.

Copy k of site `quzhou` is `quzhou-k0001` at `/quzhou-k0001/`, its agency's leading city name replaced by a made-up
one, distinct for every copy of every site (衢州市人民政府 -> 安安市人民政府 …, the same in per-year titles); region, family and every other setting are the
original's. The last copy publishes only its first years, so that exactly N reports are listed. Deterministic:
the same N gives the same bytes. `generate(epoch)` of portal.sites, the demo, is not changed by any of this.

Two ways to get them: `build(n)` builds every copy (about 1 s of CPU per 7 copies and every page in memory: small
N only); `ScaledPortal(n, variants=V)` / `generate_scaled(n, epoch, V)` (`ScaledSites`, what bench/e2e.py serves)
builds V copies of each site and serves copy k as copy ((k-1) mod V)+1 renamed on the fly, so its start-up and
memory do not grow with N (N = 100,000: about 11 s and 240 MB). Its copies' report bodies stay distinct (each
prints its own agency) but their figures, dates and ids repeat every V copies, and their attachments (PDF, DOCX)
are byte-identical to their variant's, printing the variant's agency. With V at least the number of copies of each
site, it serves exactly `build(n)`'s bytes.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from typing import Any

from portal.families import trsapi
from portal.families.base import Endpoint, Request
from portal.server import Portal
from portal.sites import (
    _SPECS,
    ROBOTS_PRIVATE,
    Generated,
    build_site,
    collect,
    robots_txt,
)
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


# --- the scaled portal served from V variants per site ------------------------------------------------------------

DEFAULT_VARIANTS = 16
_LRU = 512  # rewritten pages kept (bounded: about 512 × 15 KB)


def _is_text(content_type: str) -> bool:
    """HTML, XML, JSON, scripts, plain text: what copies rename (not PDF, DOCX `…openxmlformats…`, XLS)."""
    mime = content_type.split(";")[0].strip().lower()
    return mime.startswith("text/") or mime.endswith(("/json", "+json", "/xml", "+xml", "/javascript"))


def _plan(n: int) -> list[tuple[int, int, int | None]]:
    """(index in `_SPECS`, copy number k, keep) of every site copy listing exactly `n` reports, in `specs(n)` order
    (keep: None, or the report count of the last, partial copy)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    out: list[tuple[int, int, int | None]] = []
    left, k = n, 0
    while left > 0:
        k += 1
        for index, spec in enumerate(_SPECS):
            count = _reports_of(spec)
            out.append((index, k, None if count <= left else left))
            left -= min(count, left)
            if left == 0:
                break
    return out


def _city(index: int, k: int) -> str:
    """The made-up city of copy k of `_SPECS[index]` (as `copy_spec` names it)."""
    return place((k - 1) * len(_SPECS) + index + 1)


def _forms(spec: SiteSpec, city: str) -> list[str]:
    """How `city` is printed on the site: as is, and on a mirror site in traditional script (in tags, and in text
    with the mirror's pinyin artifacts)."""
    forms = [city]
    if spec.mirror:
        from portal.render import _s2t, to_mirror_script

        forms += [_s2t().convert(city), to_mirror_script(city)]
    return forms


class _Variant:
    """One built site (`build_site`) whose pages the copies mapped to it serve, renamed."""

    def __init__(self, spec: SiteSpec, index: int, k: int, epoch: int) -> None:
        self.spec, self.index, self.k = spec, index, k
        self.build = build_site(spec, epoch)
        self.generated = collect([self.build])
        self.pages, self.endpoints = self.build.pages, self.build.endpoints
        self.city = _city(index, k)
        self.forms = _forms(spec, self.city)
        olds = sorted({spec.name, *self.forms}, key=len, reverse=True)  # one pass: longest first, no cascades
        self.text_re = re.compile("|".join(map(re.escape, olds)))
        self.bytes_re = re.compile(b"|".join(re.escape(o.encode("utf-8")) for o in olds))


class _Copy:
    """Site copy k of `_SPECS[index]`, served as `variant` with the variant's name and city replaced by its own."""

    __slots__ = ("agency", "bytes_map", "city", "k", "name", "old_names", "text_map", "variant")

    def __init__(self, name: str, k: int, agency: str, variant: _Variant) -> None:
        self.name, self.k, self.agency, self.variant = name, k, agency, variant
        self.city = _city(variant.index, k)
        v = variant
        news = _forms(v.spec, self.city)
        self.text_map: dict[str, str] = {v.spec.name: name} | dict(zip(v.forms, news, strict=True))
        self.bytes_map = {o.encode("utf-8"): t.encode("utf-8") for o, t in self.text_map.items()}
        # copy -> variant, for what a client sends (paths, query and form fields)
        self.old_names = {name: v.spec.name} | dict(zip(news, v.forms, strict=True))

    @property
    def identity(self) -> bool:
        return self.variant.spec.name == self.name

    def text(self, text: str) -> str:
        """Variant text as the copy prints it."""
        return text if self.identity else self.variant.text_re.sub(lambda m: self.text_map[m.group(0)], text)

    def data(self, data: bytes, content_type: str) -> bytes:
        """A variant answer body as the copy serves it: text (HTML, XML, JSON, scripts) renamed in its own encoding
        (the content type's charset, else the site's, else UTF-8 or GBK, whichever decodes); anything else (PDF,
        DOCX, XLS) unchanged."""
        if self.identity or not _is_text(content_type):
            return data
        declared = content_type.lower().partition("charset=")[2].strip().strip('"') or self.variant.spec.encoding
        for codec in dict.fromkeys((declared, "utf-8", "gbk", "gb18030")):
            try:
                text = data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
            if codec in ("utf-8", "utf8"):  # self-synchronizing: a match is always a whole character
                return self.variant.bytes_re.sub(lambda m: self.bytes_map[m.group(0)], data)
            try:
                return self.text(text).encode(codec)
            except UnicodeEncodeError:
                continue
        return data

    def unname(self, text: str) -> str:
        """What the copy's client sends, as the variant expects it."""
        for new, old in self.old_names.items():
            text = text.replace(new, old)
        return text

    def rename(self, obj: Any) -> Any:
        """A JSON-like value (site entries, list requests) with the variant's names replaced by the copy's."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {k: self.rename(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.rename(v) for v in obj]
        return obj

    def path(self, variant_path: str) -> str:
        return f"/{self.name}{variant_path[len(self.variant.spec.name) + 1 :]}"


class _CopyEndpoint:
    """A variant's endpoint answering for a copy: the request renamed to the variant's, the answer to the copy's."""

    def __init__(self, copy: _Copy, variant_path: str, endpoint: Endpoint) -> None:
        self.copy, self.variant_path, self.endpoint = copy, variant_path, endpoint

    def __call__(self, request: Request) -> Any:
        c = self.copy
        body = c.unname(request.body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
        data = request.json
        if data is not None:
            data = json.loads(c.unname(json.dumps(data, ensure_ascii=False)))
        mapped = dataclasses.replace(
            request,
            path=self.variant_path,
            query={k: c.unname(v) for k, v in request.query.items()},
            form={k: c.unname(v) for k, v in request.form.items()},
            json=data,
            body=body,
        )
        answer = self.endpoint(mapped)
        if callable(answer):
            return answer
        status, payload, content_type, *extra = answer
        out: tuple = (status, c.data(payload, content_type), content_type)
        if extra:
            out += ({k: c.text(v) for k, v in extra[0].items()},)
        return out


class _Lazy(Mapping):
    def __init__(self, sites: ScaledSites) -> None:
        self.sites = sites

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Pages(_Lazy):
    """path -> (bytes, content type) of every copy, computed on access from its variant (recent ones kept)."""

    def __init__(self, sites: ScaledSites) -> None:
        super().__init__(sites)
        self._render = lru_cache(maxsize=_LRU)(self._page)

    def __contains__(self, path: object) -> bool:
        if path == "/robots.txt":
            return True
        found = self.sites.locate(path)
        return found is not None and found[1] in found[0].variant.pages

    def __getitem__(self, path: str) -> tuple[bytes, str]:
        if path == "/robots.txt":
            return self.sites.robots
        found = self.sites.locate(path)
        if found is None or found[1] not in found[0].variant.pages:
            raise KeyError(path)
        copy, variant_path = found
        return copy.variant.pages[variant_path] if copy.identity else self._render(path)

    def _page(self, path: str) -> tuple[bytes, str]:
        copy, variant_path = self.sites.locate(path)  # type: ignore[misc]
        data, content_type = copy.variant.pages[variant_path]
        return copy.data(data, content_type), content_type

    def __iter__(self) -> Iterator[str]:
        yield "/robots.txt"
        for copy in self.sites.copies.values():
            for path in copy.variant.pages:
                yield copy.path(path)


class _Endpoints(_Lazy):
    """path -> endpoint of every copy (its variant's, renaming requests and answers), and the host-root TRS search."""

    def __contains__(self, path: object) -> bool:
        if path == self.sites.root_search_path:
            return True
        found = self.sites.locate(path)
        return found is not None and found[1] in found[0].variant.endpoints

    def __getitem__(self, path: str) -> Endpoint:
        if path == self.sites.root_search_path:
            return self.sites.root_search
        found = self.sites.locate(path)
        if found is None or found[1] not in found[0].variant.endpoints:
            raise KeyError(path)
        copy, variant_path = found
        endpoint = copy.variant.endpoints[variant_path]
        return endpoint if copy.identity else _CopyEndpoint(copy, variant_path, endpoint)

    def __iter__(self) -> Iterator[str]:
        yield self.sites.root_search_path
        for copy in self.sites.copies.values():
            for path in copy.variant.endpoints:
                yield copy.path(path)


class ScaledSites:
    """The N-report portal served from V variants of every demo site, built once; generation time and memory do
    not grow with N (only the per-copy names and site entries do).

    The same copies as `build(n)` (`specs(n)`: copy k of `quzhou` is `quzhou-k<k>`, agency under its own made-up
    city `place(…)`, the last copy maybe partial: exactly N reports listed). Copies 1..V of each site are built
    (`build_site`, their own random streams) and served as they are; copy k > V is served as copy ((k-1) mod V)+1,
    its variant, renamed on the fly: the request path `/quzhou-k0123/…` is answered with the variant's
    `/quzhou-k0011/…`, and every text answer (HTML, the list endpoints' XML and JSON, in the page's own encoding:
    UTF-8 or GBK; traditional-script forms on the mirror site) has the variant's site name and city replaced by the
    copy's, so each copy's report bodies are its own (its agency printed), distinct from every other copy's. Query
    and form fields sent to endpoints are renamed back for the variant. The last, partial copy is built as itself.

    Not renamed: binary attachments (PDF, DOCX, XLS) are the variant's bytes, so their printed agency is the
    variant's; and a copy's figures, dates, ids and article paths are its variant's (V distinct sets per site).

    `sites`: one entry per copy as in `Generated.sites` (start paths, list requests renamed; agency its own);
    `pages`, `endpoints`: lazy mappings for the server (`path in pages`, `pages[path]`); `robots`: one robots.txt
    disallowing every copy's draft folder; `iter_reports()`: every listed report (site, path, agency, year,
    title), computed on the way. Deterministic: the same (n, epoch, variants) serves the same bytes."""

    root_search_path = "/" + trsapi.API

    def __init__(self, n: int, epoch: int = 1, variants: int = DEFAULT_VARIANTS) -> None:
        if variants < 1:
            raise ValueError("variants must be at least 1")
        self.n, self.epoch, self.variant_count = n, epoch, variants
        built: dict[tuple[int, int], _Variant] = {}
        self.copies: dict[str, _Copy] = {}
        self.sites: list[dict] = []
        for index, k, keep in _plan(n):
            spec = _SPECS[index]
            if keep is not None:  # the partial last copy: built as itself
                variant = _Variant(copy_spec(spec, k, keep), index, k, epoch)
            else:
                j = (k - 1) % variants + 1
                if (index, j) not in built:
                    built[(index, j)] = _Variant(copy_spec(spec, j), index, j, epoch)
                variant = built[(index, j)]
            name = f"{spec.name}-k{k:04d}"
            city = _CITY.match(spec.author.agency)
            agency = spec.author.agency.replace(city.group(0), _city(index, k)) if city else _city(index, k) + spec.author.agency
            copy = _Copy(name, k, agency, variant)
            self.copies[name] = copy
            site = copy.rename(variant.generated.sites[0])
            site["agency"] = agency  # (a mirror site's map would print it in traditional script)
            self.sites.append(site)
        self.variants = list(dict.fromkeys(c.variant for c in self.copies.values()))
        searches = [e for v in self.variants for e in v.endpoints.values() if isinstance(e, trsapi.Search)]
        self.root_search = trsapi.root_search(searches)  # the variants' channels (copies share theirs)
        self.robots_disallow = [
            f"/{c.name}/{ROBOTS_PRIVATE}" for c in self.copies.values() if c.variant.generated.robots_disallow
        ]
        self.robots = (robots_txt(self.robots_disallow), "text/plain")
        self.pages: Mapping[str, tuple[bytes, str]] = _Pages(self)
        self.endpoints: Mapping[str, Endpoint] = _Endpoints(self)

    def locate(self, path: object) -> tuple[_Copy, str] | None:
        """The copy serving `path` and the path of its variant's page, or None."""
        if not isinstance(path, str) or not path.startswith("/"):
            return None
        name = path[1:].partition("/")[0]
        copy = self.copies.get(name)
        if copy is None or len(path) == len(name) + 1:  # "/quzhou-k0001" without its slash: not a page
            return None
        return copy, f"/{copy.variant.spec.name}{path[len(name) + 1 :]}"

    def iter_reports(self) -> Iterator[dict]:
        """Every listed report, in site order: {site, path, agency, report_year, title}."""
        for copy in self.copies.values():
            for r in copy.variant.generated.reports:
                yield {"site": copy.name, "path": copy.path(r["path"]), "agency": copy.agency,
                       "report_year": r["report_year"], "title": copy.text(r["title"])}  # fmt: skip


def generate_scaled(n: int, epoch: int = 1, variants: int = DEFAULT_VARIANTS) -> ScaledSites:
    """`ScaledSites(n, epoch, variants)`, cached (deterministic)."""
    return _scaled(n, epoch, variants)


@cache
def _scaled(n: int, epoch: int, variants: int) -> ScaledSites:
    return ScaledSites(n, epoch, variants)


class ScaledPortal(Portal):
    """The demo portal's server serving `generate_scaled(n, epoch, variants)` (no API-only sites, no corpus, no
    faults). `sites_config()` lists every copy; `truth()` is not kept for N reports (use `iter_reports()` of
    `generate_scaled`)."""

    def __init__(self, n: int, variants: int = DEFAULT_VARIANTS, host: str = "127.0.0.1", port: int = 0,
                 latency: float = 0.0) -> None:  # fmt: skip
        self.n, self.variants = n, variants
        super().__init__(host=host, port=port, latency=latency)

    def _generated(self, epoch: int = 1) -> ScaledSites:  # type: ignore[override]
        return generate_scaled(self.n, epoch, self.variants)

    def set_epoch(self, epoch: int) -> None:
        scaled = self._generated(epoch)
        self.epoch, self.pages, self.endpoints = epoch, scaled.pages, scaled.endpoints  # type: ignore[assignment]
        if self._server is not None:
            self._server.site = (scaled.pages, scaled.endpoints)  # type: ignore[assignment]

    def truth(self) -> dict:
        raise NotImplementedError("no truth is kept for a scaled portal: see ScaledSites.iter_reports()")
