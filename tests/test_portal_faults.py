"""The demo portal's fault site (portal.faults): a real server on 127.0.0.1, fetched with urllib, http.client and raw
sockets; no mocks. Each fault behaves as its truth entry says, and without `faults=True` nothing served changes."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from etl.identify import is_report_title
from etl.parse import parse_document
from portal import Portal
from portal import faults as F
from portal.apisites import generate_all

REPO = Path(__file__).resolve().parents[1]
NAMES = {
    "server_error", "transient_503", "reset", "stall", "truncated", "redirect_loop", "redirect_chain",
    "redirect_other_port", "redirect_other_path", "redirect_metadata", "redirect_ftp", "refresh_other_path",
    "refresh_other_port", "gbk_meta_utf8", "utf8_header_gbk", "huge", "huge_chunked", "attachment_too_large",
    "attachment_error", "missing", "robots",
}  # fmt: skip
EPOCH2 = {"maintenance", "cut_copy", "restatement", "list_page_error", "removed", "unlisted"}
OUTCOMES = {"ok", "gone", "error", "blocked", "out_of_scope", "too_large", "not_report"}


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    with Portal(faults=True) as running:
        yield running


@pytest.fixture(scope="module")
def truth(portal: Portal) -> dict:
    return portal.truth()


def fault(truth: dict, name: str) -> dict:
    return next(f for f in truth["faults"] if f["name"] == name)


def fetch(url: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def request(url: str, method: str = "GET", timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One request, redirects not followed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""))
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def raw(url: str, timeout: float = 10) -> tuple[bytes, BaseException | None, float]:
    """Send a GET on a raw socket and read until the server closes: (bytes received, the error that ended the read
    or None at a clean EOF, seconds taken)."""
    parts = urlsplit(url)
    began = time.monotonic()
    data, error = b"", None
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except (ConnectionResetError, TimeoutError) as exc:
            error = exc
    return data, error, time.monotonic() - began


def split_response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def values_of(entries: list) -> dict[tuple, object]:
    """(metric, applicant, period) -> value of truth values (dicts) or parsed values (etl.model.Value)."""
    pairs = [((v["metric"], v["applicant"], v["period"]), v["value"]) if isinstance(v, dict) else (v.key, v.value)
             for v in entries]  # fmt: skip
    return dict(pairs)


def rebase(data: object, *bases: str) -> object:
    """`data` with the given base URLs (ports) replaced by placeholders, for comparing two portals' answers."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for n, base in enumerate(bases):
        text = text.replace(base, f"<base{n}>")
    return json.loads(text)


def parsed(url: str) -> tuple:
    status, headers, body = fetch(url)
    assert status == 200, url
    return parse_document(body, input=url, content_type=headers.get("Content-Type")), body


def walk(portal: Portal, truth: dict) -> tuple[list[str], set[str]]:
    """The fault site's list pages reached from its start URLs through the pager (answering ones only) and the
    item links on them."""
    site = truth["sites"]["faulty"]
    queue, seen, links = list(site["start_urls"]), [], set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.append(url)
        status, _, body = fetch(url)
        if status != 200:
            continue
        text = body.decode("utf-8")
        pager = text.split('<div class="page">', 1)[1]
        queue += [urljoin(url, h) for h in re.findall(r'href="([^"]+)"', pager)]
        links |= {urljoin(url, h) for h in re.findall(r'<li><a href="([^"]+)"', text)}
    return seen, links


# ---------------------------------------------------------------------------------------------------------
# Off by default: nothing changes


def test_without_faults_nothing_served_changes():
    plain, faulty = Portal(), Portal(faults=True)
    assert plain.faults is None and plain.decoy_hits == 0
    assert not [p for p in plain.pages if p.startswith(("/faulty/", "/other/"))]
    assert not [p for p in generate_all(1).pages | generate_all(2).pages if p.startswith(("/faulty/", "/other/"))]
    for path, page in plain.pages.items():
        if path != "/robots.txt":
            assert faulty.pages[path] == page, path
    assert set(plain.endpoints) <= set(faulty.endpoints)
    lines = plain.pages["/robots.txt"][0].decode().splitlines()
    with_faults = faulty.pages["/robots.txt"][0].decode().splitlines()
    assert with_faults == lines[:-1] + ["Disallow: /faulty/private/", lines[-1]]
    assert all(p.startswith(("/faulty/", "/other/")) for p in set(faulty.pages) - set(plain.pages) - {"/robots.txt"})


def test_without_faults_fetched_pages_truth_and_config_are_unchanged(truth):
    with Portal() as plain, Portal(faults=True) as faulty:
        with pytest.raises(RuntimeError):
            plain.requests_to("/robots.txt")
        plain_truth, faulty_truth = plain.truth(), faulty.truth()
        assert "faults" not in plain_truth and "decoy_urls" not in plain_truth
        assert set(faulty_truth) == set(plain_truth) | {"faults", "decoy_urls"}
        sample = plain_truth["report_urls"][::9] + plain_truth["list_urls"][::7] + plain_truth["attachment_urls"]
        for url in sample:
            there = faulty.url(url.removeprefix(plain.base_url))
            assert fetch(url)[2] == fetch(there)[2], url
        entries = [e for e in faulty.sites_config() if e["name"] != "faulty"]
        assert rebase(entries, faulty.base_url) == rebase(plain.sites_config(), plain.base_url)
        for key in ("report_urls", "list_urls", "missing_urls", "disallowed_urls", "skipped_urls", "home_urls"):
            kept = [u for u in faulty_truth[key] if "/faulty/" not in u]
            assert [u.removeprefix(faulty.base_url) for u in kept] == [
                u.removeprefix(plain.base_url) for u in plain_truth[key]
            ], key
        assert len(faulty_truth["planted"]) == len(plain_truth["planted"]) + len(F.planted())


_DIGEST = """
import hashlib
from portal import faults
h = hashlib.sha256()
for epoch in (1, 2):
    b = faults.build(epoch)
    for path in sorted(b.generated.pages):
        h.update(path.encode() + b"\\0" + b.generated.pages[path][0] + b.generated.pages[path][1].encode())
    h.update(repr(b.generated.reports).encode() + repr(b.behaviours).encode() + repr(b.faults).encode())
h.update(repr(faults.planted()).encode())
print(h.hexdigest())
"""


def test_generation_is_deterministic_across_processes():
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", _DIGEST], env=env, cwd=REPO, capture_output=True, text=True,
                             check=True)  # fmt: skip
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_pages_do_not_depend_on_the_port_but_the_decoy_refresh():
    with Portal(faults=True) as a, Portal(faults=True) as b:
        assert a.base_url != b.base_url and a.faults.decoy_base != b.faults.decoy_base
        for path in a.faults.set_epoch(1)[0]:
            assert fetch(a.url(path))[2] == fetch(b.url(path))[2], path
        refresh = F.F + "refresh-port.html"
        here, there = fetch(a.url(refresh))[2], fetch(b.url(refresh))[2]
        assert here != there
        assert here.replace(a.faults.decoy_base.encode(), b"X") == there.replace(b.faults.decoy_base.encode(), b"X")


# ---------------------------------------------------------------------------------------------------------
# The site, its entry and its truth


def test_site_entry(portal, truth):
    entry = next(e for e in portal.sites_config() if e["name"] == "faulty")
    assert entry["cms"] == "html" and entry["concurrency"] == 4 and entry["download_delay"] == 0
    assert entry["download_timeout"] == 3 and entry["max_bytes"] == 2 * 1024 * 1024
    assert entry["url_prefixes"] == [portal.url("/faulty/")]
    assert entry["start_urls"] == [portal.url("/faulty/nb/index.html"), portal.url("/faulty/nb/wn/index.html")]
    assert entry["region"]["code"] == "330523" and entry["agency"] == "安吉县农业农村局"
    from crawler.sites import load_sites

    (site,) = load_sites([entry])
    assert site.download_timeout == 3 and site.in_scope(portal.url("/faulty/nb/f/reset.html"))
    assert not any(site.in_scope(portal.faults.decoy_base + path) for path in F.DECOY_PATHS)
    assert not site.in_scope(portal.url("/other/faulty/report.html"))
    assert truth["sites"]["faulty"]["start_urls"] == entry["start_urls"]
    home = fetch(truth["sites"]["faulty"]["home_url"])[2].decode()
    assert 'href="/faulty/nb/index.html"' in home


def test_truth_lists_every_fault(portal, truth):
    faults = truth["faults"]
    assert {f["name"] for f in faults} == NAMES and len(faults) == len(NAMES)
    for f in faults:
        assert {"name", "url", "page_kind", "outcome", "reason", "epoch"} <= set(f), f
        assert f["page_kind"] in ("list", "report", "attachment") and f["outcome"] in OUTCOMES and f["epoch"] == 1
        assert f["outcome"] == "ok" or f["reason"], f
        assert f["url"].startswith(portal.url("/faulty/")), f
        if f["outcome"] == "ok":
            assert f["values"] and f["url"] in truth["report_urls"], f
    for name in NAMES | EPOCH2:
        assert f"| {name} |" in F.__doc__, name  # each fault documented
    reports = [r for r in truth["reports"] if r["site"] == "faulty"]
    assert [r["report_year"] for r in reports] == list(range(2013, 2025))
    assert all(r["values"] and r["documents"] == [{"url": r["url"], "type": "html"}] for r in reports)
    assert truth["sites"]["faulty"]["report_urls"] == sorted(r["url"] for r in reports)
    bad = {f["url"] for f in faults if f["outcome"] != "ok"}
    assert not bad & set(truth["report_urls"]) and not bad & set(truth["attachment_urls"])
    assert fault(truth, "missing")["url"] in truth["missing_urls"]
    assert fault(truth, "robots")["url"] in truth["disallowed_urls"]
    decoys = [portal.faults.decoy_base + path for path in F.DECOY_PATHS] + [portal.url(p) for p in F.OTHER_PATHS]
    assert truth["decoy_urls"] == sorted(decoys)
    targets = [f["target"] for f in truth["faults"] if "target" in f]
    assert len(targets) == len(set(targets))  # no two faults share a target (a crawler's dedup must not hide one)
    kinds = {p["kind"] for p in truth["planted"] if p["site"] == "faulty"}
    assert kinds == {"restatement", "removed"}


def test_lists_link_every_fault_and_report(portal, truth):
    pages, links = walk(portal, truth)
    assert len([p for p in pages if "/faulty/nb/index" in p]) >= 3
    assert set(pages) == {r["url"] for r in truth["sites"]["faulty"]["list_requests"]}
    assert set(truth["sites"]["faulty"]["report_urls"]) <= links
    for f in truth["faults"]:
        if f["page_kind"] == "report":
            assert f["url"] in links, f["name"]
        else:
            body = fetch(f["report_url"])[2].decode("utf-8")
            assert urlsplit(f["url"]).path in body and f["report_url"] in links, f["name"]
    titles = re.findall(r'title="([^"]+)"', "".join(fetch(p)[2].decode() for p in pages))
    linked = {urlsplit(f["url"] if f["page_kind"] == "report" else f["report_url"]).path for f in truth["faults"]}
    for page in pages:
        text = fetch(page)[2].decode()
        for href, title in re.findall(r'<li><a href="([^"]+)" title="([^"]+)"', text):
            if href in linked:
                assert is_report_title(title), (href, title)  # looks like a report (the crawler's own rule)
    assert len(titles) == len(set(titles))  # no two items share a title


# ---------------------------------------------------------------------------------------------------------
# Server faults


def test_server_error_always_500_and_counted(portal, truth):
    url = fault(truth, "server_error")["url"]
    before = portal.requests_to(url)
    assert [fetch(url)[0] for _ in range(3)] == [500, 500, 500]
    assert portal.requests_to(url) == before + 3


def test_transient_503_twice_then_the_report():
    with Portal(faults=True) as p:
        t = p.truth()
        f = fault(t, "transient_503")
        assert f["outcome"] == "ok" and f["failures"] == 2
        answers = [fetch(f["url"]) for _ in range(4)]
        assert [a[0] for a in answers] == [503, 503, 200, 200]
        assert answers[2][2] == answers[3][2] and "年政府信息公开工作年度报告".encode() in answers[2][2]
        assert p.requests_to(f["url"]) == 4
        p.set_epoch(2)  # the failures start over in the next epoch
        assert [fetch(f["url"])[0] for _ in range(3)] == [503, 503, 200]
        assert p.requests_to(f["url"]) == 7


def test_reset_closes_without_a_byte(portal, truth):
    data, error, _ = raw(fault(truth, "reset")["url"])
    assert data == b""
    assert isinstance(error, ConnectionResetError)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        request(fault(truth, "reset")["url"])
    assert fetch(portal.url("/robots.txt"))[0] == 200  # the server goes on


def test_stall_never_answers_and_ends_by_itself(portal, truth):
    url = fault(truth, "stall")["url"]
    other = truth["report_urls"][0]
    results: list = []
    worker = threading.Thread(target=lambda: results.append(raw(url, timeout=F.STALL_SECONDS + 5)))
    worker.start()
    time.sleep(0.3)
    began = time.monotonic()
    assert fetch(other)[0] == 200  # other pages are served meanwhile
    assert time.monotonic() - began < 2
    worker.join()
    data, error, seconds = results[0]
    assert data == b"" and error is None  # no byte, then closed
    assert F.DOWNLOAD_TIMEOUT < seconds < F.STALL_SECONDS + 2


def test_stall_ends_when_the_client_leaves(portal, truth):
    parts = urlsplit(fault(truth, "stall")["url"])
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        deadline = time.monotonic() + 2
        while portal.faults.stalling == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert portal.faults.stalling == 1
    deadline = time.monotonic() + 1.5
    while portal.faults.stalling and time.monotonic() < deadline:
        time.sleep(0.02)
    assert portal.faults.stalling == 0


def test_truncated_body_is_short_of_its_content_length(truth):
    data, error, _ = raw(fault(truth, "truncated")["url"])
    status, headers, body = split_response(data)
    assert status == 200 and error is None
    assert 0 < len(body) < int(headers["Content-Length"])
    assert len(body) == int(headers["Content-Length"]) // 3
    with pytest.raises(http.client.IncompleteRead):
        request(fault(truth, "truncated")["url"])


def test_redirect_loop(portal, truth):
    f = fault(truth, "redirect_loop")
    status, headers, _ = request(f["url"])
    assert status == 302 and headers["Location"] == urlsplit(f["target"]).path
    status, headers, _ = request(f["target"])
    assert status == 302 and headers["Location"] == urlsplit(f["url"]).path
    with pytest.raises(urllib.error.HTTPError, match="redirect"):
        urllib.request.urlopen(f["url"], timeout=10)  # urllib gives up on the loop


def test_redirect_chain_beyond_twenty_hops(portal, truth):
    f = fault(truth, "redirect_chain")
    url, hops = f["url"], 0
    while True:
        status, headers, body = request(url)
        if status != 302:
            break
        url, hops = urljoin(url, headers["Location"]), hops + 1
    assert hops == f["hops"] == 25 and url == f["target"]
    assert status == 200 and "年政府信息公开工作年度报告".encode() in body


def test_redirects_out_of_scope(portal, truth):
    decoy = portal.faults.decoy_base
    assert urlsplit(decoy).port != urlsplit(portal.base_url).port
    expected = {
        "redirect_other_port": decoy + "/faulty/nb/f/decoy.html",  # same host and path prefix, another port
        "redirect_other_path": portal.url("/other/faulty/report.html"),
        "redirect_metadata": "http://169.254.169.254/latest/meta-data/",
        "redirect_ftp": "ftp://127.0.0.1/faulty/report.html",
    }
    hits = portal.decoy_hits
    for name, target in expected.items():
        f = fault(truth, name)
        assert f["target"] == target and f["outcome"] == "out_of_scope"
        status, headers, _ = request(f["url"])
        assert status == 302 and urljoin(f["url"], headers["Location"]) == target, name
    assert portal.decoy_hits == hits  # answering a redirect never touches its target


def test_decoy_and_out_of_prefix_pages_count_every_hit(portal, truth):
    hits = portal.decoy_hits
    for url in truth["decoy_urls"]:
        before = portal.requests_to(url) if url.startswith(portal.base_url) else None
        status, _, body = fetch(url)
        assert status == 200 and "年政府信息公开工作年度报告".encode() in body and b"<table" in body
        if before is not None:
            assert portal.requests_to(url) == before + 1
    assert portal.decoy_hits == hits + 2
    assert fetch(portal.faults.decoy_base + "/robots.txt")[0] == 200  # any path is the decoy's, and counted
    assert portal.decoy_hits == hits + 3


def test_meta_refresh_pages(portal, truth):
    hits = portal.decoy_hits
    for name, target in (("refresh_other_path", "/other/faulty/refresh.html"),
                         ("refresh_other_port", portal.faults.decoy_base + F.DECOY_PATHS[1])):  # fmt: skip
        f = fault(truth, name)
        assert urljoin(f["url"], f["target"]) == urljoin(f["url"], target)
        status, _, body = fetch(f["url"])
        assert status == 200
        assert f'<meta http-equiv="refresh" content="0;url={target}">' in body.decode("utf-8"), name
    assert portal.decoy_hits == hits


def test_wrong_charsets_still_read_right(truth):
    f = fault(truth, "gbk_meta_utf8")
    result, body = parsed(f["url"])
    headers = fetch(f["url"])[1]
    assert "charset" not in headers["Content-Type"] and b'<meta charset="utf-8">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "堃" in body.decode("gbk")
    assert result.ok and values_of(result.values) == values_of(f["values"])
    assert next(r for r in truth["reports"] if r["url"] == f["url"])["encoding"] == "gbk"

    f = fault(truth, "utf8_header_gbk")
    result, body = parsed(f["url"])
    assert fetch(f["url"])[1]["Content-Type"] == "text/html; charset=gbk" and b"<meta charset" not in body
    body.decode("utf-8")
    assert result.ok and values_of(result.values) == values_of(f["values"])


def test_huge_bodies_stream_without_the_server_holding_them(portal, truth):
    for name, chunked in (("huge", False), ("huge_chunked", True), ("attachment_too_large", False)):
        f = fault(truth, name)
        tracemalloc.start()
        try:
            with urllib.request.urlopen(f["url"], timeout=20) as r:
                headers, total, first = dict(r.headers), 0, b""
                while chunk := r.read(65536):
                    first = first or chunk
                    total += len(chunk)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        entry = next(e for e in portal.sites_config() if e["name"] == "faulty")
        assert total == F.HUGE_BYTES == f["bytes"] > entry["max_bytes"], name
        assert peak < 1024 * 1024, (name, peak)  # neither side ever held the body
        if chunked:
            assert "Content-Length" not in headers and headers["Transfer-Encoding"] == "chunked"
        else:
            assert int(headers["Content-Length"]) == F.HUGE_BYTES
        if name == "attachment_too_large":
            assert headers["Content-Type"] == "application/pdf" and first.startswith(b"%PDF-")
        else:
            assert "年政府信息公开工作年度报告".encode() in first


def test_huge_body_abandoned_by_the_client(portal, truth):
    before = threading.active_count()
    for name in ("huge", "huge_chunked"):
        r = urllib.request.urlopen(fault(truth, name)["url"], timeout=10)
        assert len(r.read(100_000)) == 100_000
        r.close()
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before  # the streaming handlers ended
    assert fetch(portal.url("/robots.txt"))[0] == 200


def test_attachments(truth):
    large, broken = fault(truth, "attachment_too_large"), fault(truth, "attachment_error")
    assert large["page_kind"] == broken["page_kind"] == "attachment"
    assert large["report_url"] in truth["report_urls"]  # its report prints the values in the article
    status, headers, _ = request(large["url"], "HEAD")
    assert status == 200 and int(headers["Content-Length"]) == F.HUGE_BYTES
    assert fetch(broken["url"])[0] == 500
    article = fetch(broken["report_url"])[2].decode("utf-8")
    assert "详见附件" in article and urlsplit(broken["url"]).path in article
    assert broken["report_url"] not in truth["report_urls"]  # its values never arrive


def test_missing_and_robots(portal, truth):
    assert fetch(fault(truth, "missing")["url"])[0] == 404
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(fetch(portal.url("/robots.txt"))[2].decode().splitlines())
    blocked = fault(truth, "robots")["url"]
    assert not robots.can_fetch("*", blocked)
    status, _, body = fetch(blocked)
    assert status == 200 and "年度报告".encode() in body
    for url in truth["sites"]["faulty"]["report_urls"] + [f["url"] for f in truth["faults"] if f["name"] != "robots"]:
        assert robots.can_fetch("*", url), url


# ---------------------------------------------------------------------------------------------------------
# Epoch 2: soft errors, a restatement, list faults


def test_epoch_two(portal, truth):
    first = {f["name"]: f for f in truth["faults"]}
    before = {urlsplit(r["url"]).path: r for r in truth["reports"] if r["site"] == "faulty"}
    with Portal(faults=True) as p:
        p.set_epoch(2)
        later = p.truth()
        faults = {f["name"]: f for f in later["faults"]}
        assert set(faults) == NAMES | EPOCH2
        assert all(faults[n]["epoch"] == 2 for n in EPOCH2)
        reports = {urlsplit(r["url"]).path: r for r in later["reports"] if r["site"] == "faulty"}

        def path(name: str) -> str:
            return urlsplit(faults[name]["url"]).path

        # maintenance: a 200 page that is no report; the epoch-1 version stays current
        m = faults["maintenance"]
        result, body = parsed(m["url"])
        assert "系统维护中" in body.decode("utf-8") and result.not_report and m["outcome"] == "not_report"
        assert m["reason"] in result.error
        assert m["current"] == "previous" and m["values"] == before[path("maintenance")]["values"]
        assert reports[path("maintenance")]["values"] == before[path("maintenance")]["values"]

        # cut copy: still HTML, far fewer figures than the full page of epoch 1
        c = faults["cut_copy"]
        result, body = parsed(c["url"])
        full, _ = parsed(portal.url(path("cut_copy")))  # the module's portal is in epoch 1
        assert body.startswith(b"<!DOCTYPE html>") and body.rstrip().endswith(b"</html>")
        whole = fetch(portal.url(path("cut_copy")))[2].decode("utf-8")
        assert whole.startswith(body.decode("utf-8")[:-40]) and len(body.decode()) < 0.31 * len(whole)
        assert c["current"] == "previous" and "reads far less" in c["reason"]
        assert values_of(full.values) == values_of(c["values"]) == values_of(before[path("cut_copy")]["values"])
        assert len(c["values"]) >= 10 and len(result.values) < 0.5 * len(full.values)
        assert reports[path("cut_copy")]["values"] == c["values"]

        # restatement: a full, good page with changed figures, which becomes current
        r = faults["restatement"]
        result, _ = parsed(r["url"])
        assert r["current"] == "new" and r["values"] != before[path("restatement")]["values"]
        assert values_of(result.values) == values_of(r["values"]) == values_of(reports[path("restatement")]["values"])
        assert any(x["kind"] == "restatement" and x["details"]["url"] == r["url"] for x in later["planted"])

        # list faults
        lists = faults["list_page_error"]
        assert lists["page_kind"] == "list" and fetch(lists["url"])[0] == 500
        assert lists["report_urls"] and not lists["removed"]
        assert set(lists["report_urls"]) <= set(later["report_urls"])  # they stay: not removed
        for request_ in later["sites"]["faulty"]["list_requests"]:
            assert fetch(request_["url"])[0] == (500 if request_["url"] == lists["url"] else 200)
        pages, links = walk(p, later)
        assert len(pages) == len(later["sites"]["faulty"]["list_requests"])  # the other pages are still reached
        assert not set(lists["report_urls"]) & links  # (only that page lists them)
        removed, unlisted = faults["removed"], faults["unlisted"]
        assert fetch(removed["url"])[0] == 404 and removed["removed"] and removed["outcome"] == "gone"
        assert fetch(unlisted["url"])[0] == 200 and unlisted["removed"]
        assert {removed["url"], unlisted["url"]} <= set(later["removed_urls"])
        assert not {removed["url"], unlisted["url"]} & (links | set(later["report_urls"]))
        archive = fetch(later["sites"]["faulty"]["start_urls"][1])[2].decode()  # the unlisted report's column
        assert path("unlisted") not in archive and archive.count("<li><a") == 2
        assert path("unlisted") in fetch(truth["sites"]["faulty"]["start_urls"][1])[2].decode()
        assert {x["details"]["url"] for x in later["planted"] if x["kind"] == "removed" and x["site"] == "faulty"} \
            == {removed["url"], unlisted["url"]}  # fmt: skip

        p.faults.list_page_fails = False  # every list page answers: the site's lists are complete
        assert fetch(lists["url"])[0] == 200
        pages, links = walk(p, later)
        assert set(lists["report_urls"]) <= links
        assert set(later["sites"]["faulty"]["report_urls"]) <= links

        # the epoch-1 faults are all still there, unchanged
        for name in NAMES:
            here = rebase(faults[name], p.base_url, p.faults.decoy_base)
            there = rebase(first[name], portal.base_url, portal.faults.decoy_base)
            assert here == there, name
        p.set_epoch(1)
        assert fetch(m["url"])[2] == fetch(portal.url(path("maintenance")))[2]
        assert fetch(lists["url"])[0] == 200


def test_other_sites_serve_while_faults_run(portal, truth):
    """A stalled answer, a huge body being read slowly and resets in flight do not slow the other sites."""
    stop = threading.Event()

    def slow_reader() -> None:
        with urllib.request.urlopen(fault(truth, "huge")["url"], timeout=10) as r:
            while not stop.is_set() and r.read(4096):
                time.sleep(0.01)

    workers = [threading.Thread(target=raw, args=(fault(truth, "stall")["url"],), daemon=True),
               threading.Thread(target=slow_reader, daemon=True)]  # fmt: skip
    workers += [threading.Thread(target=raw, args=(fault(truth, "reset")["url"],), daemon=True) for _ in range(5)]
    for w in workers:
        w.start()
    try:
        began = time.monotonic()
        others = [u for u in truth["report_urls"] if "/faulty/" not in u][:10]
        assert all(fetch(u)[0] == 200 for u in others)
        assert time.monotonic() - began < 3
    finally:
        stop.set()
    for w in workers:
        w.join(timeout=F.STALL_SECONDS + 3)
        assert not w.is_alive()


