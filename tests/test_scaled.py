"""portal.scaled's ScaledSites / ScaledPortal (bench/e2e.py's N-report portal served from V variants of each demo
site, renamed on the fly): through a real portal on 127.0.0.1, copies list exactly N reports, their list pages
and endpoints (static, GBK, Hanweb POST, TRS search JSON) link their own pages, report bodies print their own
agency and are distinct, attachments are the variant's bytes, and the same N serves the same bytes."""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from portal import scaled
from portal.render import _s2t
from portal.scaled import ScaledPortal, ScaledSites, generate_scaled

N, V = 300, 2  # 300 reports: copies 1..5 of the 7 sites (the 5th partial); copy k served as variant (k-1) % 2 + 1
_LINK = re.compile(r"""(?<![-\w])href=(?:"([^"]*)"|'([^']*)')|"docpuburl":"([^"]*)\"""")


@pytest.fixture(scope="module")
def portal():
    with ScaledPortal(N, V) as p:
        yield p


@pytest.fixture(scope="module")
def sites() -> ScaledSites:
    return generate_scaled(N, 1, V)


def fetch(portal: ScaledPortal, path: str, method: str = "GET", form: dict | None = None) -> tuple[int, bytes, dict]:
    url = path if path.startswith("http") else portal.url(path)
    data = urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def listed(portal: ScaledPortal, site: dict) -> set[str]:
    """Every same-site path linked from a copy's lists: its start page and every list request (GET pages, Hanweb
    dataproxy POSTs, TRS search POSTs), as a crawler makes them."""
    out: set[str] = set()
    for request in site["list_requests"]:
        url = portal.url(request["path"])
        status, body, _ = fetch(portal, url, request["method"], request.get("form"))
        assert status == 200, url
        text = body.decode("gbk" if b"charset=gb2312" in body or site["name"].startswith(("anju", "qzswj")) else "utf-8")
        for m in _LINK.finditer(text):
            href = next(g for g in m.groups() if g is not None)
            if href.startswith(("javascript:", "#")):
                continue
            path = urlsplit(urljoin(url, href)).path
            assert not re.match(r"/\w+-k\d{4}/", path) or path.startswith(f"/{site['name']}/"), (site["name"], href)
            out.add(path)
    return out


def test_exactly_n_reports_listed_each_copy_its_own_lists(portal: ScaledPortal, sites: ScaledSites) -> None:
    config = portal.sites_config()
    assert [e["name"] for e in config] == [s["name"] for s in sites.sites] == list(sites.copies)
    assert len(config) == 5 * 7 - 6  # 4 full rounds of 7 sites (292 reports), then quzhou with 8
    reports = list(sites.iter_reports())
    assert len(reports) == N and len({r["path"] for r in reports}) == N
    assert len(sites.variants) == 2 * 7 + 1  # two per site, and the partial last copy built as itself
    for entry in config:
        name = entry["name"]
        copy = sites.copies[name]
        assert entry["url_prefixes"] == [portal.url(f"/{name}/")]
        assert all(u.startswith(portal.url(f"/{name}/")) for u in entry["start_urls"])
        assert entry["agency"] == copy.agency
        if entry["cms"] == "trsapi":
            assert entry["list_api"] == {"url": f"/{name}/fjdzapp/search"}
        own = {r["path"] for r in reports if r["site"] == name}
        g = copy.variant.generated
        others = {copy.path(p) for p in g.skipped_paths + g.disallowed_paths + g.missing_paths + g.not_report_paths}
        links = listed(portal, next(s for s in sites.sites if s["name"] == name))
        assert own | others <= links, name  # every report and every other item of the copy is on its lists
    assert len({e["agency"] for e in config}) == len(config)
    assert sum(1 for r in reports if r["site"] == "quzhou-k0005") == 8  # the partial copy
    assert len(sites.robots_disallow) == 4
    robots = fetch(portal, "/robots.txt")[1].decode()
    assert all(f"Disallow: /qujiang-k000{k}/private/" in robots for k in range(1, 5))


def _decode(site: str, body: bytes) -> str:
    return body.decode("gbk" if site.startswith(("anju", "qzswj")) else "utf-8")


@pytest.mark.parametrize("base", ["quzhou", "qzswj", "anju", "yongan", "tzspj"])
def test_copies_of_one_variant_print_their_own_agency(portal: ScaledPortal, sites: ScaledSites, base: str) -> None:
    """Copies 1 and 3 share variant 1: the same report (same year) has the same figures, but each page prints its
    own agency (its made-up city; the mirror site in traditional script) and never the other's."""
    one, three = sites.copies[f"{base}-k0001"], sites.copies[f"{base}-k0003"]
    assert three.variant is one.variant and not three.identity
    for r in [r for r in sites.iter_reports() if r["site"] == one.name]:
        other = three.path(r["path"])  # copy 1 is variant 1 itself: its paths are the variant's
        status, first, _ = fetch(portal, r["path"])
        status3, second, headers = fetch(portal, other)
        assert status == status3 == 200
        assert first != second
        a, b = _decode(base, first), _decode(base, second)
        agency1, agency3 = one.agency, three.agency
        if base == "tzspj":
            agency1, agency3 = _s2t().convert(agency1), _s2t().convert(agency3)
        assert agency1 in a and agency3 not in a, r["path"]
        assert agency3 in b and one.city not in b and _s2t().convert(one.city) not in b, other
        assert f"/{one.name}/" not in b and f"/{three.name}/" in b
        # nothing else differs: renamed back, copy 3's page is copy 1's byte for byte
        back = b.replace(three.name, one.name)
        forms = dict(zip(scaled._forms(three.variant.spec, three.city), one.variant.forms, strict=True))
        for new, old in forms.items():  # a mirror site's city: its traditional form (the last) wins
            back = back.replace(new, old)
        assert back.encode("gbk" if base in ("anju", "qzswj") else "utf-8") == first
        assert headers["Content-Type"] == sites.pages[r["path"]][1]


def test_every_report_body_distinct(sites: ScaledSites) -> None:
    bodies = [sites.pages[r["path"]][0] for r in sites.iter_reports()]
    assert len(set(bodies)) == N


def test_links_of_copies_resolve(portal: ScaledPortal, sites: ScaledSites) -> None:
    """A GBK site (TRS lists, DOCX appendix), the Hanweb site (POST lists, downfile.jsp and /attach/ PDFs) and the
    TRS search site (JSON list API), copy 4 (variant 2): every link of its lists answers, reports 200, the dead
    link 404; report attachments are served, their bytes the variant's."""
    for name in ("qzswj-k0004", "anju-k0004", "quzhou-k0004", "yongan-k0004"):
        copy = sites.copies[name]
        g = copy.variant.generated
        missing = {copy.path(p) for p in g.missing_paths}
        reports = {copy.path(r["path"]) for r in g.reports}
        site = next(s for s in sites.sites if s["name"] == name)
        others = {copy.path(p) for p in g.skipped_paths + g.disallowed_paths + g.not_report_paths}
        links = listed(portal, site)
        assert reports | others | missing <= links
        for path in sorted(reports | others | missing):
            status, body, headers = fetch(portal, path)
            assert status == (404 if path in missing else 200), path
            assert status == 404 or headers["Content-Type"] == copy.variant.pages[path.replace(name, copy.variant.spec.name, 1)][1]
        attachments = 0
        for variant_path, docs in g.documents.items():
            for doc in docs[1:]:
                path = copy.path(doc["path"])
                report = _decode(name, fetch(portal, copy.path(variant_path))[1])
                href = doc["path"].rsplit("/", 1)[1]
                assert html.escape(copy.path(doc["path"])) in report or f'"./{href}"' in report  # its own link
                status, body, headers = fetch(portal, path)
                assert status == 200 and headers["Content-Type"].startswith("application/")
                vpath, _, query = doc["path"].partition("?")
                if query:  # downfile.jsp: an endpoint of the copy
                    assert "attachment" in headers["Content-Disposition"]
                    assert vpath.endswith("downfile.jsp")
                else:
                    assert body == copy.variant.pages[doc["path"]][0]
                attachments += 1
        assert attachments == {"qzswj": 1, "anju": 0, "quzhou": 2, "yongan": 0}[name.split("-")[0]]


def test_list_endpoints_answer_for_copies(portal: ScaledPortal, sites: ScaledSites) -> None:
    """The Hanweb dataproxy and the TRS search answer a copy's POSTs with its own links (the variant's figures);
    another column's fields still answer empty; unknown paths 404."""
    hanweb = next(s for s in sites.sites if s["name"] == "quzhou-k0004")
    post = next(r for r in hanweb["list_requests"] if r["method"] == "POST")
    status, body, headers = fetch(portal, post["path"], "POST", post["form"])
    text = body.decode()
    assert status == 200 and "xml" in headers["Content-Type"]
    assert "/quzhou-k0004/art/" in text and "quzhou-k0002" not in text
    g = sites.copies["quzhou-k0004"].variant.generated
    items = len(g.reports + g.skipped_paths + g.disallowed_paths + g.missing_paths + g.not_report_paths)
    assert f"<totalrecord>{items}</totalrecord>" in text
    status, body, _ = fetch(portal, post["path"], "POST", post["form"] | {"unitid": "1"})
    assert "<totalrecord>0</totalrecord>" in body.decode()
    trs = next(s for s in sites.sites if s["name"] == "yongan-k0003")
    post = next(r for r in trs["list_requests"] if r["method"] == "POST")
    status, body, headers = fetch(portal, post["path"], "POST", post["form"])
    assert status == 200 and "json" in headers["Content-Type"]
    assert '"docpuburl":"/yongan-k0003/' in body.decode() and "yongan-k0001" not in body.decode()
    assert fetch(portal, "/yongan-k0099/zwgk/zfxxgknb/index.htm")[0] == 404  # no such copy
    assert fetch(portal, "/yongan-k0003")[0] == 404
    assert fetch(portal, "/fjdzapp/search", "POST", post["form"])[0] == 200  # the host-root search


def test_deterministic_and_identical_to_full_build_when_v_covers_n() -> None:
    first, second = ScaledSites(N, 1, V), ScaledSites(N, 1, V)  # not the cache
    paths = list(first.pages)
    assert paths == list(second.pages) and len(paths) > 500
    for path in paths[::7]:
        assert first.pages[path] == second.pages[path], path
    assert first.sites == second.sites
    # with at least as many variants as rounds, every copy is served as itself: exactly build(n)'s bytes
    small = ScaledSites(150, 1, 16)
    full = scaled.build(150)
    assert sorted(p for p in small.pages if p != "/robots.txt") == sorted(full.pages)
    assert all(small.pages[p] == full.pages[p] for p in full.pages)
    assert [r["path"] for r in small.iter_reports()] == [r["path"] for r in full.reports]
    assert small.robots_disallow == full.robots_disallow


def test_epoch_2_for_copies(portal: ScaledPortal, sites: ScaledSites) -> None:
    """set_epoch(2): the report taken down (anju's last year) answers 404 on every copy, unlisted."""
    removed = [r["path"] for r in sites.iter_reports() if r["site"].startswith("anju") and r["report_year"] == 2024]
    assert len(removed) == 4
    try:
        portal.set_epoch(2)
        assert all(fetch(portal, p)[0] == 404 for p in removed)
    finally:
        portal.set_epoch(1)
    assert all(fetch(portal, p)[0] == 200 for p in removed)
