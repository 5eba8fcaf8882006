"""portal.scaled (the demo portal at N reports, for bench/e2e.py): exactly N reports, deterministic, distinct
sites and agencies, and the demo's own generation untouched."""

from __future__ import annotations

import hashlib

from portal import scaled
from portal.sites import _SPECS, build_site, collect, generate


def _digest(pages: dict[str, tuple[bytes, str]]) -> str:
    h = hashlib.sha256()
    for path in sorted(pages):
        body, ctype = pages[path]
        h.update(f"{path}\0{ctype}\0".encode() + hashlib.sha256(body).digest())
    return h.hexdigest()


def test_exactly_n_reports_deterministic_and_distinct() -> None:
    demo_before = _digest(generate(1).pages)
    for n in (1, 13, 90):
        first, second = scaled.build(n), scaled.build(n)
        assert len(first.reports) == n
        assert _digest(first.pages) == _digest(second.pages)
        assert first.reports == second.reports
        names = [s["name"] for s in first.sites]
        assert len(set(names)) == len(names)
        assert len({s["agency"] for s in first.sites}) == len(names)
        assert not {s["name"] for s in generate(1).sites} & set(names)
        assert all(p.startswith(tuple(f"/{name}/" for name in names)) for p in first.pages)
        bodies = [first.pages[r["path"]][0] for r in first.reports]
        assert len(set(bodies)) == n
    fresh = collect([build_site(spec, 1) for spec in _SPECS])  # built again after the copies, not the cache
    assert _digest(fresh.pages) == demo_before
    assert len(generate(1).reports) == 73
