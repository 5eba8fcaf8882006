"""Politeness per site, throughput across sites: a crawl of many sites (a real `scrapy crawl ogi` subprocess through
`run_crawl`) against a counting server on 127.0.0.1.

Contract protected: no site ever has more requests in flight than its `concurrency` (Scrapy 2.14-2.19 do not
enforce it themselves: crawler/slots.py), while the crawl as a whole has many sites' requests in flight at once;
every URL is fetched exactly once and leaves a line in the run log.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.archive import Archive
from crawler.run import run_crawl
from crawler.sites import load_sites
from crawler.spiders.ogi import politeness_settings

SITES = 1000
PAGES = 3  # list pages per site, all start URLs: each site has more requests pending at once than its budget
BIG_EVERY, BIG_PAGES = 200, 30  # every 200th site is big and slow: at the end only these are left, and the crawl-wide
BIG_LATENCY = 1.0  # budget would put several of one site's requests into the downloader at once
BUDGET = 2
LATENCY = 0.2  # seconds the server takes per answer: a site's requests overlap
DELAY = 0.02  # the small sites' download_delay: below the latency, so their requests overlap
# the big sites have no delay: then Scrapy 2.14-2.19 send a slot's whole queue at once (with a delay, one request
# per delay tick, and the cap holds whenever the tick outlasts the start of a download)


class CountingServer:
    """Threaded loopback server (listen backlog 2048) answering every `/<site>/<page>.html` with a small list page
    after `latency` seconds; records each request and the most requests in flight per site and overall."""

    def __init__(self, latency: float, slow: dict[str, float] | None = None, robots_latency: float = 0.0) -> None:
        self.latency = latency
        self.slow = slow or {}
        self.robots_latency = robots_latency
        self.requests: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.total = 0
        self.max_total = 0
        self.connections = 0  # TCP connections accepted
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                path = urlsplit(self.path).path
                site = path.split("/")[1] if path.count("/") >= 2 else ""  # "" = robots.txt, per host
                with server._lock:
                    server.requests[path] += 1
                    server.in_flight[site] += 1
                    server.total += 1
                    server.max_in_flight[site] = max(server.max_in_flight[site], server.in_flight[site])
                    server.max_total = max(server.max_total, server.total)
                try:
                    if site:
                        time.sleep(server.slow.get(site, server.latency))
                        body = f"<html><head><meta charset='utf-8'><title>{path}</title></head><body>{path}</body></html>"
                    else:
                        time.sleep(server.robots_latency)
                        body = "User-agent: *\nDisallow: /private/\n"
                    data = body.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8" if site else "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                finally:
                    # Done before the body goes out, the last thing the client waits for. Counted after it, the client
                    # could read the answer and send its next request on another connection before this thread ran
                    # again: a third request counted beside two finished ones (seen once on a busy machine: s0200, 3).
                    # A request the client sends while two are outstanding still overlaps their latency here.
                    with server._lock:
                        server.in_flight[site] -= 1
                        server.total -= 1
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 2048  # never the backlog trap of STACK.md §2b
            daemon_threads = True

            def process_request(self, request: object, client_address: object) -> None:
                with server._lock:
                    server.connections += 1
                super().process_request(request, client_address)  # type: ignore[arg-type]

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> CountingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _pages(n: int) -> int:
    return BIG_PAGES if n % BIG_EVERY == 0 else PAGES


def _sites(base: str) -> list[dict]:
    return [{"name": f"s{n:04d}", "start_urls": [f"{base}/s{n:04d}/list_{p}.html" for p in range(_pages(n))],
             "concurrency": BUDGET, "download_delay": 0 if _pages(n) == BIG_PAGES else DELAY}
            for n in range(SITES)]  # fmt: skip


def _server() -> CountingServer:
    return CountingServer(LATENCY, {f"s{n:04d}": BIG_LATENCY for n in range(0, SITES, BIG_EVERY)})


def test_politeness_settings_cap() -> None:
    """CONCURRENT_REQUESTS is the sum of the site budgets, capped (64 unless told)."""
    many = load_sites(_sites("http://127.0.0.1:1"))
    assert politeness_settings(many)["CONCURRENT_REQUESTS"] == 64
    assert politeness_settings(many, cap=200)["CONCURRENT_REQUESTS"] == 200
    assert politeness_settings(many[:3])["CONCURRENT_REQUESTS"] == 3 * BUDGET


@pytest.mark.parametrize("queue", ["crawler.slots.SlotBudgetQueue", "scrapy.pqueues.ScrapyPriorityQueue"])
def test_one_site_without_delay_within_budget(tmp_path: Path, queue: str) -> None:
    """One site, no delay, 24 pages pending at once: the server never sees more than 2 in flight (and sees 2), also
    with a scheduler queue that knows nothing of slots (as scrapy-redis's): the downloader itself holds the cap."""
    with CountingServer(LATENCY) as server:
        sites = [{"name": "one", "start_urls": [f"{server.url}/one/list_{p}.html" for p in range(24)],
                  "concurrency": BUDGET, "download_delay": 0}]  # fmt: skip
        stats = run_crawl(sites, tmp_path / "archive", timeout=120, settings={"SCHEDULER_PRIORITY_QUEUE": queue})
    assert stats.lists == 24 and stats.errors == 0
    assert server.max_in_flight["one"] == BUDGET


def test_many_sites_each_within_budget(tmp_path: Path) -> None:
    """1,000 sites of 3 list pages each, every site `concurrency: 2`: no site ever has more than 2 requests in flight
    at the server, the crawl overall has many sites in flight, and every URL is fetched once and logged once."""
    archive_dir = tmp_path / "archive"
    with _server() as server:
        stats = run_crawl(_sites(server.url), archive_dir, timeout=240, settings={"LOG_LEVEL": "WARNING"})
    expected = {f"/s{n:04d}/list_{p}.html" for n in range(SITES) for p in range(_pages(n))}
    site_paths = {path: count for path, count in server.requests.items() if path != "/robots.txt"}
    assert set(site_paths) == expected
    assert set(site_paths.values()) == {1}  # each URL fetched exactly once
    worst = max(count for site, count in server.max_in_flight.items() if site)
    assert worst <= BUDGET, sorted(server.max_in_flight.items(), key=lambda kv: -kv[1])[:5]
    assert server.max_total >= 8 * BUDGET  # many sites at once (the cap is 64)
    # one host for all sites: its connections are kept for the next request, whichever site's it is, not one per
    # request beyond the smallest site budget (crawler.slots.KeepAliveDownloadHandler)
    requests = sum(server.requests.values())
    assert server.connections <= 64 + 8, (server.connections, requests)
    assert stats.lists == len(expected) and stats.errors == 0 and stats.spider_exceptions == 0
    [run] = Archive(archive_dir).runs()
    assert run["finish_reason"] == "finished"
    assert Counter(urlsplit(line["url"]).path for line in run["seen"]) == Counter(expected)
    print(f"\n{SITES} sites x {PAGES} pages: {stats.seconds:.1f} s, max in flight overall {server.max_total}, "
          f"per site {worst}, {server.connections} connections for {requests} requests")


def test_requests_waiting_for_robots_txt_obey_it(tmp_path: Path) -> None:
    """16 start URLs reach the robots.txt middleware while robots.txt takes a second to answer: every one waits for
    it and the 8 under the disallowed /private/ are never sent (Scrapy 2.14-2.19 let all waiting requests but the
    first through: crawler.middlewares.RobotsTxtMiddleware)."""
    archive_dir = tmp_path / "archive"
    with CountingServer(LATENCY, robots_latency=1.0) as server:
        urls = [f"{server.url}/{where}/list_{p}.html" for p in range(8) for where in ("open", "private")]
        sites = [{"name": "one", "start_urls": urls, "concurrency": 16, "download_delay": 0}]
        stats = run_crawl(sites, archive_dir, timeout=120)
    assert server.requests["/robots.txt"] == 1
    assert sorted(server.requests) == sorted([f"/open/list_{p}.html" for p in range(8)] + ["/robots.txt"])
    [run] = Archive(archive_dir).runs()
    outcomes = Counter((urlsplit(line["url"]).path.split("/")[1], line["outcome"]) for line in run["seen"])
    assert outcomes == {("open", "ok"): 8, ("private", "blocked"): 8}
    assert stats.blocked == 8
