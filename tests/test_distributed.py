"""A crawl shared by two crawler processes through a real Redis server (scrapy-redis queue and dupefilter,
crawler/distributed.py) against the demo portal.

Contract protected: two processes crawling the same sites into one archive with one Redis share one crawl: both do
part of it, every URL is requested once across both (one shared run log, the same requests as a one-process
crawl's), and the archive ends identical to a one-process crawl of the same portal (manifest (url, sha256) pairs and
object files). Redis is Debian's `redis-server` (.ci/run installs it): tests skip without it, except in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from w3lib.url import safe_url_string

from conftest import free_port
from crawler.archive import Archive
from crawler.run import CrawlStats, run_crawl
from portal import Portal


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private `redis-server` on a free 127.0.0.1 port (no persistence, its own directory), stopped afterwards."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server not found: .ci/run installs it (apt-get install redis-server)", pytrace=False)
        pytest.skip("redis-server not found (apt-get install redis-server)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail(f"redis-server did not answer on port {port}", pytrace=False)
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _objects(root: Path) -> set[str]:
    return {p.name for p in (root / "objects").glob("*/*")}


def test_two_processes_share_one_crawl(tmp_path: Path, redis_url: str, portal: Portal, truth: dict) -> None:
    sites = portal.sites_config()
    single = run_crawl(sites, tmp_path / "single", timeout=300)
    # each site paced at one request a second, so that the shared crawl lasts longer than the two processes' start-up
    # skew on a busy machine (unpaced, the first process could finish every page before the second one joined)
    paced = [{**site, "download_delay": 1.0} for site in sites]
    with ThreadPoolExecutor(2) as pool:  # two `scrapy crawl` processes started together
        jobs = [pool.submit(run_crawl, paced, tmp_path / "shared", timeout=300, redis=redis_url) for _ in range(2)]
        workers: list[CrawlStats] = [job.result() for job in jobs]

    one, two = Archive(tmp_path / "single"), Archive(tmp_path / "shared")
    # one run for both processes, finished, with exactly the requests of the one-process crawl: each URL once
    [run] = two.runs()
    [alone] = one.runs()
    assert workers[0].run_id == workers[1].run_id == run["run_id"]
    assert run["finish_reason"] == "finished" and run["finished_at"]
    seen = Counter((s["url"], s["outcome"]) for s in run["seen"])
    assert seen == Counter((s["url"], s["outcome"]) for s in alone["seen"])
    # (a list API is one URL asked with several POST bodies: the one-process crawl logs it as often)
    fetched = Counter(s["url"] for s in run["seen"] if s["sha256"] and s["kind"] != "list")
    assert fetched and max(fetched.values()) == 1, fetched.most_common(3)
    # both processes did part of the crawl, and together all of it
    pages = [w.lists + w.reports + w.attachments for w in workers]
    assert min(pages) > 0, pages
    assert sum(pages) == single.lists + single.reports + single.attachments
    assert all(w.errors == 0 and w.spider_exceptions == 0 and w.finish_reason == "finished" for w in workers)
    # the archive is the one-process crawl's: same (url, sha256) rows, same objects, no row twice, no tmp leftovers
    rows = [(r["url"], r["sha256"]) for r in two.manifest()]
    assert len(rows) == len(set(rows))
    assert set(rows) == {(r["url"], r["sha256"]) for r in one.manifest()}
    assert _objects(tmp_path / "shared") == _objects(tmp_path / "single")
    assert not list((tmp_path / "shared" / "tmp").iterdir())
    answered = {safe_url_string(u) for u in truth["report_urls"] + truth["not_report_urls"]}
    assert {r["url"] for r in two.manifest() if r["kind"] == "report" and r["status"] == 200} == answered
    print(f"\nshared crawl: {pages} pages per process, {single.seconds:.1f} s alone, "
          f"{max(w.seconds for w in workers):.1f} s shared")


def test_a_later_shared_crawl_starts_afresh(tmp_path: Path, redis_url: str, portal: Portal) -> None:
    """The last process drops the crawl's Redis keys: the next shared crawl of the same sites fetches its lists
    again (a dupefilter left behind would make it fetch nothing) and adds nothing new to the archive."""
    import redis

    sites = portal.sites_config()[:1]
    first = run_crawl(sites, tmp_path / "a", timeout=300, redis=redis_url)
    assert not redis.Redis.from_url(redis_url).keys("ogi:*")  # nothing left in Redis
    again = run_crawl(sites, tmp_path / "a", timeout=300, redis=redis_url)
    assert again.lists == first.lists > 0 and again.new_rows == 0
    assert [r["finish_reason"] for r in Archive(tmp_path / "a").runs()] == ["finished", "finished"]
