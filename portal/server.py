"""The demo portal's HTTP server: every generated site (and the real corpus) on one loopback port.

A stdlib `ThreadingHTTPServer` in a background thread, not Twisted: the tests and the Dagster demo run it in
the same process as code that may later start a Scrapy crawl, and the Twisted reactor must not be installed
there. The listen backlog is 1024 (http.server's default of 5 stalls concurrent crawlers, STACK.md §2b).
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from portal import corpus as corpus_site
from portal.corpus import Corpus, load_corpus
from portal.sites import EPOCHS, generate, planted, robots_txt

AUTO_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CONCURRENCY = 4
_NOT_FOUND = b"<!DOCTYPE html>\n<html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>\n"


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], pages: dict[str, tuple[bytes, str]], latency: float) -> None:
        super().__init__(address, _Handler)
        self.pages = pages
        self.latency = latency


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "ogi-demo-portal"
    timeout = 10  # idle keep-alive connections are closed, so their threads end

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        if self.server.latency:
            time.sleep(self.server.latency)
        page = self.server.pages.get(unquote(urlsplit(self.path).path))
        status, (body, content_type) = (200, page) if page else (404, (_NOT_FOUND, "text/html; charset=utf-8"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Portal:
    """Offline stand-in for government websites, with known ground truth.

        with Portal() as portal:
            portal.base_url          # http://127.0.0.1:43121
            portal.sites_config()    # site entries for the crawler
            portal.truth()           # what a correct crawler must fetch, and every report's printed values

    Sites are told apart by path prefix, `/<site>/...`. `corpus_dir` is None (generated sites only), a path, or
    "auto" (`<repo>/../shared/corpus` when it exists): the real pages of www.pingtan.gov.cn are then served
    too, under `/pingtan/`. `latency` adds that many seconds to every response.

    The generated sites are served as in epoch 1; `set_epoch(2)` switches them, also while serving, to their later
    state (one report restated at its URL, one taken down: portal.sites).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        corpus_dir: Path | str | None = None,
        latency: float = 0.0,
    ) -> None:
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the demo portal binds loopback addresses only, not {host!r}")
        self.host, self.port, self.latency = host, port, latency
        self.corpus: Corpus | None = None
        if corpus_dir == "auto":
            corpus_dir = AUTO_CORPUS if AUTO_CORPUS.is_dir() else None
        if corpus_dir is not None:
            if not Path(corpus_dir).is_dir():
                raise FileNotFoundError(f"corpus directory not found: {corpus_dir}")
            self.corpus = load_corpus(Path(corpus_dir))
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.set_epoch(EPOCHS[0])

    def set_epoch(self, epoch: int) -> None:
        """Serve the generated sites as they are in `epoch` (1 or 2) from the next request on."""
        generated = generate(epoch)
        pages = dict(generated.pages)
        if self.corpus:
            pages |= self.corpus.pages
        pages["/robots.txt"] = (robots_txt(generated.robots_disallow), "text/plain")
        self.epoch, self.pages = epoch, pages
        if self._server is not None:
            self._server.pages = pages  # one reference swap: a request sees one epoch or the other

    def start(self) -> Portal:
        if self._server is not None:
            raise RuntimeError("portal already started")
        self._server = _Server((self.host, self.port), self.pages, self.latency)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="ogi-demo-portal", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Portal:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("portal not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def sites_config(self) -> list[dict]:
        """Crawler site entries (`crawler/sites` format) for every served site, with absolute URLs."""
        generated = generate()
        entries = [
            {
                "name": s["name"],
                "start_urls": [self.url(p) for p in s["start_paths"]],
                "agency": s["agency"],
                "region": s["region"],
            }
            for s in generated.sites
        ]
        if self.corpus:
            entries.append(corpus_site.SITE | {"start_urls": [self.url(p) for p in self.corpus.list_paths]})
        return [
            {
                "name": e["name"],
                "start_urls": e["start_urls"],
                "allowed_domains": [self.host],
                "agency": e["agency"],
                "region": e["region"],
                "concurrency": CONCURRENCY,
                "download_delay": 0,
                "selectors": {},
            }
            for e in entries
        ]

    def truth(self) -> dict:
        """Ground truth of the current epoch with absolute URLs: `reports` (one entry per report page, with its
        printed values; corpus reports have `values: None`), `report_urls` (every report a correct crawler must
        fetch), `skipped_urls` (non-report articles), `disallowed_urls` (robots.txt), `missing_urls` (report
        links that answer 404), `removed_urls` (reports taken down in this epoch: unlisted and 404) and
        `list_urls` (list pages). URL lists are sorted.

        `planted` (the same in every epoch): every cross-report finding in the generated sites' data, as
        {kind, site, agency, report_year, details}: carry_over, stock_flow, copy_paste, late, missing_year
        (on the later report, or the missing year), and the epoch-2 restatement (details.changes: old/new
        figures) and removed report (details.url). Corpus reports are real pages: nothing is known of them."""
        generated = generate(self.epoch)
        reports = [
            {"url": self.url(r["path"])} | {k: v for k, v in r.items() if k != "path"}
            for r in copy.deepcopy(generated.reports)
        ]
        missing = [self.url(p) for p in generated.missing_paths]
        lists = [self.url(p) for p in generated.list_paths]
        if self.corpus:
            for r in self.corpus.reports:
                reports.append(
                    {
                        "url": self.url(r["path"]),
                        "site": corpus_site.SITE["name"],
                        "agency": None,
                        "region_code": corpus_site.SITE["region"]["code"],
                        "report_year": r["report_year"],
                        "published_at": r["published_at"],
                        "format": None,
                        "section_formats": None,
                        "kind": None,
                        "title": r["title"],
                        "encoding": "utf-8",
                        "values": None,
                        "planted_issues": [],
                    }
                )
            missing += [self.url(p) for p in self.corpus.missing_paths]
            lists += [self.url(p) for p in self.corpus.list_paths]
        return {
            "reports": reports,
            "report_urls": sorted(r["url"] for r in reports),
            "skipped_urls": sorted(self.url(p) for p in generated.skipped_paths),
            "disallowed_urls": sorted(self.url(p) for p in generated.disallowed_paths),
            "missing_urls": sorted(missing),
            "removed_urls": sorted(self.url(p) for p in generated.removed_paths),
            "list_urls": sorted(lists),
            "planted": [self._absolute(entry) for entry in copy.deepcopy(planted())],
        }

    def _absolute(self, entry: dict) -> dict:
        """A `planted` entry with its details' `path` made an absolute `url`."""
        details = entry["details"]
        if "path" in details:
            details["url"] = self.url(details.pop("path"))
        return entry


def main(argv: list[str] | None = None) -> int:
    """`ogi portal`: serve the demo portal until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="ogi portal", description="Serve the offline demo portal of government sites."
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8800, help="port (default 8800; 0 picks a free one)")
    parser.add_argument("--corpus", default="auto", help="auto (../shared/corpus if present), none, or a directory")
    args = parser.parse_args(argv)
    corpus = None if args.corpus == "none" else args.corpus if args.corpus == "auto" else Path(args.corpus)

    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with Portal(host=args.host, port=args.port, corpus_dir=corpus) as portal:
            print(f"demo portal serving at {portal.base_url}  (robots: {portal.url('/robots.txt')})")
            for site in portal.sites_config():
                print(f"  {site['name']:<8} {site['agency']}  {site['start_urls'][0]}")
            print("Ctrl-C to stop", flush=True)
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0
