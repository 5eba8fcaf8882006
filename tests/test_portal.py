"""The demo portal (portal): a real server on 127.0.0.1, fetched with urllib; no mocks."""

from __future__ import annotations

from etl.model import APPLICANTS as ALL_APPLICANTS

import itertools
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import http

from portal import Portal, site_names
from portal.render import merge_values, render_report
from portal.server import AUTO_CORPUS
from portal.sites import _SPECS
from portal.values import generate_report
from etl.catalog import metrics

APPLICANTS = ALL_APPLICANTS[:-1]  # the six applicant columns, without 总计
REPO = Path(__file__).resolve().parents[1]




fetch = http


def send(request: dict) -> tuple[int, dict[str, str], bytes]:
    """A list request of truth (`{method, url, form | json}`) sent as a browser's script would send it."""
    data, headers = None, {}
    if "form" in request:
        data = urlencode(request["form"]).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
    elif "json" in request:
        data = json.dumps(request["json"]).encode()
        headers["Content-Type"] = "application/json;charset=UTF-8"
    return http(urllib.request.Request(request["url"], data=data, headers=headers, method=request["method"]))


def require_corpus() -> None:
    if not AUTO_CORPUS.is_dir():
        message = f"real corpus not found at {AUTO_CORPUS}"
        if os.environ.get("CI") != "true":
            pytest.skip(message)
        pytest.fail(message + " (required when CI=true)")


# ---------------------------------------------------------------------------------------------------------
# Server


def test_start_stop_twice_in_one_process():
    for _ in range(2):
        portal = Portal().start()
        try:
            status, _, body = fetch(portal.url("/robots.txt"))
            assert status == 200 and body.startswith(b"#")
            url = portal.url("/robots.txt")
        finally:
            began = time.monotonic()
            portal.stop()
        assert time.monotonic() - began < 2
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url, timeout=2)


def test_binds_loopback_only():
    with pytest.raises(ValueError):
        Portal(host="0.0.0.0")


def test_latency_delays_every_response():
    with Portal(latency=0.2) as slow:
        began = time.monotonic()
        assert fetch(slow.url("/nowhere"))[0] == 404
        assert time.monotonic() - began >= 0.2


def test_unknown_path_is_404(portal):
    assert fetch(portal.url("/quzhou/no-such-page.html"))[0] == 404
    assert fetch(portal.url("/nowhere/"))[0] == 404


def test_sites_config(portal):
    sites = portal.sites_config()
    assert len({s["name"] for s in sites}) == len(sites)
    families = {"html", "trs", "script", "hanweb", "trsapi", "gkmlpt", "json"}
    for s in sites:
        assert set(s) - {"list_api"} == {
            "name",
            "start_urls",
            "allowed_domains",
            "url_prefixes",
            "agency",
            "region",
            "concurrency",
            "download_delay",
            "selectors",
            "cms",
        }
        assert s["allowed_domains"] == ["127.0.0.1"] and s["concurrency"] == 4 and s["download_delay"] == 0
        assert s["url_prefixes"] == [portal.base_url + f"/{s['name']}/"]
        assert all(u.startswith(s["url_prefixes"][0]) for u in s["start_urls"])
        assert s["cms"] in families
        assert ("list_api" in s) == (s["cms"] in ("json", "trsapi"))
    assert {s["cms"] for s in sites} == families
    by_name = {s["name"]: s for s in sites}
    assert by_name["zqhjj"]["start_urls"] == [portal.url("/zqhjj/gkmlpt/index#2811")]
    plain = portal.sites_config(cms=False)
    assert [{k: v for k, v in s.items() if k != "cms"} for s in sites] == plain
    assert site_names(corpus="auto") == [s["name"] for s in sites]  # without starting a portal
    assert site_names() == [s["name"] for s in sites if s["name"] != "pingtan"]


# ---------------------------------------------------------------------------------------------------------
# Every report is reachable through its site's list protocol (the walkers: tests/test_portal_families.py)


def test_lists_reach_every_report(portal, truth):
    from test_portal_families import walk

    linked: set[str] = set()
    for name, site in truth["sites"].items():
        requests, links = walk(portal, name)
        assert requests == site["list_requests"], name
        linked |= set(links)
    assert {u for u in truth["list_urls"]} <= {r["url"] for s in truth["sites"].values() for r in s["list_requests"]}
    for key in ("report_urls", "skipped_urls", "disallowed_urls", "missing_urls", "not_report_urls"):
        assert set(truth[key]) <= linked, key
    assert not set(truth["report_urls"]) & (set(truth["skipped_urls"]) | set(truth["missing_urls"]))
    assert not set(truth["not_report_urls"]) & (set(truth["report_urls"]) | set(truth["skipped_urls"]))
    for report in truth["reports"]:
        status, _, body = fetch(report["url"])
        assert status == 200, report["url"]
        if report["values"] is not None and report["documents"][0]["type"] == "html":
            assert report["title"] in body.decode(report["encoding"]), report["url"]
    for url in truth["missing_urls"]:
        assert fetch(url)[0] == 404, url


def test_list_pages_paginate(portal, truth):
    static = [u for u in truth["list_urls"] if urlsplit(u).path.split("/")[1] in ("anju", "snsthj", "tzspj")]
    assert len(static) >= 6
    body = fetch(static[0])[2]
    assert "下一页".encode() in body or "下一页".encode("gbk") in body
    for name, site in truth["sites"].items():
        if name == "pingtan":
            continue
        for request in site["list_requests"]:
            if request["method"] == "GET" and "/api/" not in request["url"]:
                status, _, body = fetch(request["url"])
                assert status == 200, request["url"]
                items = len(re.findall(rb'target="_blank"', body))
                assert items <= 15, request["url"]


def test_robots_txt(portal, truth):
    status, headers, body = fetch(portal.url("/robots.txt"))
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert b"Disallow:" in body
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(body.decode("ascii").splitlines())
    assert truth["disallowed_urls"]
    for url in truth["disallowed_urls"]:
        assert not robots.can_fetch("*", url)
        assert "年度报告" in fetch(url)[2].decode("utf-8")  # report-like, and linked from a list (above)
    for url in truth["report_urls"] + truth["list_urls"]:
        assert robots.can_fetch("*", url)


# ---------------------------------------------------------------------------------------------------------
# Encodings and scripts


def test_gbk_site_serves_gbk_bytes_with_lying_or_missing_charset(truth):
    gbk = [r for r in truth["reports"] if r["encoding"] == "gbk"]
    assert gbk
    lying = 0
    for report in gbk:
        status, headers, body = fetch(report["url"])
        assert status == 200
        assert "charset" not in headers["Content-Type"].lower()
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gbk")
        assert "堃" in text  # a GBK character that GB2312 lacks
        lying += '<meta charset="utf-8">' in text
    assert lying
    lists = [u for u in truth["list_urls"] if "/anju/" in u]
    body = fetch(lists[0])[2]
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_mirror_site_prints_traditional_script_with_pinyin(truth):
    report = next(r for r in truth["reports"] if r["site"] == "tzspj" and r["format"] == "2019")
    text = fetch(report["url"])[2].decode("utf-8")
    assert "發(fā)布機構(gòu)" in text and "數(shù)" in text and "規(guī)範性檔案" in text
    assert "<table" in text and 'rowspan="20"' in text  # tags untouched


def test_labels_broken_by_br_and_spaces(truth):
    pages = {r["site"]: fetch(r["url"])[2] for r in truth["reports"] if r["format"] == "2019"}
    assert "本年新<br/>制作数量" in pages["qujiang"].decode("utf-8")
    assert "社会<br>公益<br>组织" in pages["qujiang"].decode("utf-8")
    assert "本年新 制作数量" in pages["anju"].decode("gbk")


# ---------------------------------------------------------------------------------------------------------
# Determinism

_DIGEST = """
import hashlib, json
from urllib.parse import urlencode, urlsplit
from portal.apisites import generate_all
from portal.families.base import Request
g = generate_all()
h = hashlib.sha256()
for path in sorted(g.pages):
    h.update(path.encode() + b"\\0" + g.pages[path][0] + g.pages[path][1].encode())
for site in g.sites:  # every list request's answer, API answers included
    for q in site["list_requests"]:
        parts = urlsplit(q["path"])
        if "json" in q:
            body, ctype = json.dumps(q["json"]).encode(), "application/json"
        else:
            body, ctype = urlencode(q.get("form", {})).encode(), "application/x-www-form-urlencoded"
        request = Request.parse(q["method"], parts.path, parts.query, ctype, body)
        answer = g.endpoints[parts.path](request) if parts.path in g.endpoints else g.pages[parts.path]
        h.update(repr(answer).encode())
h.update(repr(g.reports).encode() + repr(g.sites).encode() + repr(g.documents).encode())
print(h.hexdigest())
"""


def test_generation_is_byte_identical_across_processes():
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run(
            [sys.executable, "-c", _DIGEST], env=env, cwd=REPO, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_pages_do_not_depend_on_the_port():
    with Portal() as a, Portal() as b:
        assert a.base_url != b.base_url
        path = urlsplit(a.truth()["report_urls"][0]).path
        assert fetch(a.url(path))[2] == fetch(b.url(path))[2]
        for site in a.truth()["sites"].values():  # list pages and API answers alike
            for request in site["list_requests"]:
                there = dict(request, url=b.url(request["url"].removeprefix(a.base_url)))
                assert send(request)[2] == send(there)[2], request["url"]


# ---------------------------------------------------------------------------------------------------------
# Ground truth: coverage, codes and the templates' arithmetic


def generated(truth) -> list[dict]:
    return [r for r in truth["reports"] if r["values"] is not None]


def test_coverage(truth):
    reports = generated(truth)
    assert len(reports) >= 60
    assert len({r["agency"] for r in reports}) >= 5
    assert {r["report_year"] for r in reports} >= set(range(2013, 2025))
    assert {r["format"] for r in reports} == {"local", "2014", "2019", "2021", "narrative"}
    assert any(r["format"] == "2021" and r["section_formats"]["三"] == "2019" for r in reports)  # hybrid
    assert all(re.fullmatch(r"\d{6}", r["region_code"]) for r in reports)
    assert sum(bool(r["planted_issues"]) for r in reports) == 1
    blanks = sum(v["value"] is None for r in reports for v in r["values"])
    assert blanks > 0
    assert any(v["approximate"] for r in reports for v in r["values"])
    counts = Counter((r["site"], r["format"]) for r in reports)
    assert all(n > 0 for n in counts.values())


def test_section_formats_follow_the_parse_contract(truth):
    # one object per report: 二/三/四 for the 2019+ formats, the statistical table for 2014/local, empty for prose
    for r in generated(truth):
        if r["format"] in ("2019", "2021"):
            assert set(r["section_formats"]) == {"二", "三", "四"}, r["url"]
        else:
            assert r["section_formats"] == ({} if r["format"] == "narrative" else {"统计表": r["format"]}), r["url"]


def test_merge_values_sources_a_figure_printed_twice_to_the_table():
    row = {"metric": "active.total", "applicant": None, "period": "year", "value": 12, "approximate": False}
    text, table = row | {"source": "text"}, row | {"source": "table"}
    assert merge_values([text, table]) == merge_values([table, text]) == [table]
    blank = table | {"value": None}  # a zero left blank in the table but quoted in a sentence: the table's blank
    assert merge_values([text | {"value": 0}, blank]) == [blank]
    with pytest.raises(ValueError, match="two values"):
        merge_values([text, table | {"value": 13}])


def test_truth_sources_every_tabled_figure_to_the_table():
    twice = 0
    for spec in _SPECS:
        prev = None
        for year, kind in sorted(spec.kinds.items()):
            data = generate_report(random.Random(f"{spec.name}/{year}"), spec.profile, year, kind, prev)
            prev = data.values
            printed = render_report(data, author=spec.author, rng=random.Random(year)).values
            tabled = {(v["metric"], v["applicant"], v["period"]) for v in printed if v["source"] == "table"}
            merged = merge_values(printed)
            assert {(v["metric"], v["applicant"], v["period"]) for v in merged if v["source"] == "table"} == tabled
            twice += len(printed) - len(merged)
    assert twice > 100  # prose quoting table figures is common: the rule is exercised


def test_values_use_catalog_codes(truth):
    catalog = metrics()
    for report in generated(truth):
        keys = set()
        for v in report["values"]:
            m = catalog[v["metric"]]
            assert (v["applicant"] is not None) == m.by_applicant, v
            assert v["applicant"] in (*APPLICANTS, "total", None)
            assert v["period"] in ("year", "cumulative")
            assert v["value"] is None or isinstance(v["value"], (int, float))
            key = (v["metric"], v["applicant"], v["period"])
            assert key not in keys
            keys.add(key)


def test_money_units(truth):
    reports = generated(truth)
    procurement = [v["value"] for r in reports for v in r["values"] if v["metric"] == "active.procurement.amount"]
    assert any(isinstance(x, float) for x in procurement)
    fees = [v["value"] for r in reports for v in r["values"] if v["metric"] == "active.admin_fee.amount"]
    assert any(isinstance(x, float) and len(str(x).split(".")[1]) == 6 for x in fees)


def check(report: dict) -> list[dict]:
    """The templates' identities on a report's printed values; blanks (None) are not checkable."""
    v = {(x["metric"], x["applicant"], x["period"]): x["value"] for x in report["values"]}
    issues: list[dict] = []

    def get(metric, applicant=None, period="year"):
        return v.get((metric, applicant, period))

    def expect(check_name, total, parts, **where):
        if total is None or any(p is None for p in parts) or not parts:
            return
        if total != sum(parts):
            issues.append({"check": check_name} | where)

    if get("requests.new", "total") is not None:
        results = sorted({m for (m, a, _) in v if m.startswith("requests.result.") and m != "requests.result.total"})
        for a in (*APPLICANTS, "total"):
            lhs = [get("requests.new", a), get("requests.carried_over", a)]
            rhs = [get("requests.result.total", a), get("requests.carried_forward", a)]
            if None not in lhs + rhs and sum(lhs) != sum(rhs):
                issues.append({"check": "requests.balance", "applicant": a})
            expect("requests.result_sum", get("requests.result.total", a), [get(m, a) for m in results], applicant=a)
        for m in {m for (m, a, _) in v if a == "total"}:
            expect("requests.applicant_sum", get(m, "total"), [get(m, a) for a in APPLICANTS], metric=m)
        for group in ("review", "litigation.direct", "litigation.after_review"):
            parts = [get(f"{group}.{p}") for p in ("upheld", "corrected", "other", "pending")]
            expect("review_litigation.sum", get(f"{group}.total"), parts, metric=f"{group}.total")
    if report["format"] == "2014":
        for group in ("review", "litigation"):
            parts = [get(f"{group}.{p}") for p in ("upheld", "corrected", "other")]
            expect("review_litigation.sum", get(f"{group}.total"), parts, metric=f"{group}.total")
    if report["format"] in ("2014", "local"):
        for period in ("year", "cumulative"):
            channels = [get(m, None, period) for (m, _, p) in v if m.startswith("requests.channel.") and p == period]
            expect("requests.channels", get("requests.received", None, period), channels, period=period)
        withheld = [get(m) for (m, _, _) in v if m.startswith("requests.answer.withheld_")]
        expect("requests.withheld", get("requests.answer.withheld"), withheld)
        expect("org.staff", get("org.staff"), [get("org.staff_full_time"), get("org.staff_part_time")])
        if report["format"] == "2014" or report["kind"].startswith("local:fujian"):
            answers = [
                get(m, None, p)
                for (m, _, p) in v
                if re.fullmatch(r"requests\.answer\.[a-z_]+", m) and "withheld_" not in m and p == "year"
            ]
            expect("requests.answers", get("requests.answered"), answers)
        sources = [
            get(m)
            for (m, _, _) in v
            if m.startswith("requests.source.") and not m.startswith("requests.source.citizen_")
        ]
        expect("requests.sources", get("requests.received"), sources)
        expect(
            "requests.completed",
            get("requests.completed"),
            [get("requests.completed_on_time"), get("requests.completed_extended")],
        )
        for (m, _, p), value in v.items():
            if p == "cumulative" and value is not None and get(m) is not None and value < get(m):
                issues.append({"check": "cumulative.below_year", "metric": m})
    return issues


def test_values_satisfy_the_identities(truth):
    planted = 0
    for report in generated(truth):
        issues = check(report)
        expected = [i for i in issues if i["check"] == "requests.balance"]
        assert issues == expected, (report["url"], issues)
        assert sorted(map(str, issues)) == sorted(map(str, report["planted_issues"])), report["url"]
        planted += bool(issues)
    assert planted == 1


def test_values_carry_over_across_years(truth):
    """The identities between consecutive years hold, except where truth["planted"] says they break."""
    planted = {(p["site"], p["report_year"], p["kind"]) for p in truth["planted"]}
    by_site: dict[str, list[dict]] = {}
    for r in generated(truth):
        by_site.setdefault(r["site"], []).append(r)
    pairs = 0
    for reports in by_site.values():
        reports.sort(key=lambda r: r["report_year"])
        for before, after in itertools.pairwise(reports):
            b = {(x["metric"], x["applicant"], x["period"]): x["value"] for x in before["values"]}
            a = {(x["metric"], x["applicant"], x["period"]): x["value"] for x in after["values"]}
            here = (after["site"], after["report_year"])
            carried = ("requests.carried_forward", "total", "year") in b and ("requests.carried_over", "total", "year") in a
            if carried and (*here, "carry_over") not in planted:
                assert a["requests.carried_over", "total", "year"] == b["requests.carried_forward", "total", "year"]
                pairs += 1
            if (*here, "stock_flow") in planted:
                continue
            for item in ("licensing", "punishment", "coercion", "admin_fee"):
                prior, change = (f"active.{item}.prior_items", None, "year"), (f"active.{item}.change", None, "year")
                if prior in b and prior in a:
                    assert a[prior] == b[prior] + b[change]
            for doc in ("regulation", "normative_doc"):
                stock = (f"active.{doc}.in_force", None, "year")
                if a.get(stock) is not None and b.get(stock) is not None:
                    issued, repealed = (
                        a[f"active.{doc}.issued", None, "year"],
                        a[f"active.{doc}.repealed", None, "year"],
                    )
                    assert a[stock] == b[stock] + issued - repealed
            for (metric, applicant, period), value in a.items():
                if (
                    period == "cumulative"
                    and (metric, applicant, period) in b
                    and a.get((metric, applicant, "year")) is not None
                ):
                    assert value == b[metric, applicant, period] + a[metric, applicant, "year"], metric
    assert pairs >= 20


def test_narrative_values_are_in_sentences(truth):
    for report in generated(truth):
        if report["format"] != "narrative":
            continue
        text = fetch(report["url"])[2].decode(report["encoding"])
        text = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)", "", text)  # mirror pinyin artifacts
        for v in report["values"]:
            assert v["source"] == "text"
            shown = f"{v['value']}余" if v["approximate"] else str(v["value"])
            assert v["value"] == 0 or shown in text, (report["url"], v)


# ---------------------------------------------------------------------------------------------------------
# The real corpus site


def test_corpus_site_serves_real_pages_unchanged(portal, truth):
    require_corpus()
    listing = (AUTO_CORPUS / "pingtan" / "_list_index.html").read_bytes()
    for path in ("/pingtan/zwgk/zfxxgk/zfxxgknb/", "/pingtan/zwgk/zfxxgk/zfxxgknb/nlist.htm"):
        status, headers, body = fetch(portal.url(path))
        assert status == 200 and body == listing and headers["Content-Type"] == "text/html"
    stored = AUTO_CORPUS / "pingtan" / "80485_平潭综合实验区2016年度政府信息公开工作年度报告.html"
    status, _, body = fetch(portal.url("/pingtan/zwgk/zfxxgk/zfxxgknb/201701/t20170118_80485.htm"))
    assert status == 200 and body == stored.read_bytes()
    corpus_reports = [r for r in truth["reports"] if r["site"] == "pingtan"]
    assert len(corpus_reports) == 17 and all(r["values"] is None for r in corpus_reports)
    missing = [u for u in truth["missing_urls"] if "/pingtan/" in u]
    assert portal.url("/pingtan/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm") in missing
    archive = fetch(portal.url("/pingtan/_archive/index.html"))[2].decode("utf-8")
    assert "Generated by the ogi-warehouse demo portal" in archive
    assert "平潭县海洋与渔业局2011年工作公开年度报告" in archive
