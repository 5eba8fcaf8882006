"""The demo portal's HTTP server: every generated site (and the real corpus) on one loopback port.

A stdlib `ThreadingHTTPServer` in a background thread, not Twisted: the tests and the Dagster demo run it in
the same process as code that may later start a Scrapy crawl, and the Twisted reactor must not be installed
there. The listen backlog is 1024 (http.server's default of 5 stalls concurrent crawlers, STACK.md §2b); every
request gets its own thread.

What is served: static pages (path -> (bytes, content type); the query string is ignored, as before; a POST to a
page is answered with the page, as real servers do) and dynamic endpoints (path -> function of a
`portal.families.Request`: method, query fields, form fields, JSON body) answering (status, body, content type[,
headers]): the CMS families' list APIs (portal.families) and Hanweb's downfile.jsp (portal.attachments). Both
answer GET, HEAD and POST; other methods get 405. An endpoint may also answer a callable, which then talks to the
socket itself (portal.faults: resets, stalls, truncated and streamed bodies).

Validators, as a static web server gives them: a static page's GET or HEAD answer carries `ETag` (a quoted hash of
its bytes) and `Last-Modified` (one fixed date per epoch, `EPOCH_DATES`, RFC 7231 format), and a conditional
request is answered `304 Not Modified` without a body when the page is unchanged: `If-None-Match` (a list of
entity tags or `*`, weak comparison) when present, else `If-Modified-Since` (no later than the epoch's date). A
changed page gets another ETag in the same epoch too. Dynamic endpoints (the POST and JSON list APIs, Hanweb's
downfile.jsp, the fault site's raw answers) answer without validators and ignore conditional headers, as most real
CMS APIs do; so do POSTs to a static page.

`Portal(faults=True)` adds the fault site `faulty`, a decoy listener on another port and per-path request counts
(portal.faults); without it nothing served differs by one byte.
"""

from __future__ import annotations

import argparse
import copy
import errno
import hashlib
import ipaddress
import signal
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from portal import corpus as corpus_site
from portal import faults as fault_site
from portal.apisites import API_SPECS, generate_all
from portal.apisites import planted as api_planted
from portal.corpus import Corpus, load_corpus
from portal.families import trsapi
from portal.families.base import Endpoint, Request
from portal.sites import _SPECS as SPECS
from portal.sites import EPOCHS, Generated, planted, robots_txt

AUTO_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CONCURRENCY = 4
HTML = "text/html; charset=utf-8"
ALLOWED = ("GET", "HEAD", "POST")
_NOT_FOUND = b"<!DOCTYPE html>\n<html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>\n"
_SERVER_ERROR = b"<!DOCTYPE html>\n<html><head><title>500</title></head><body><h1>500 Internal Server Error</h1></body></html>\n"
_NOT_ALLOWED = b"<!DOCTYPE html>\n<html><head><title>405</title></head><body><h1>405 Method Not Allowed</h1></body></html>\n"
Served = tuple[dict[str, tuple[bytes, str]], dict[str, Endpoint]]
# The Last-Modified date of every static page in an epoch (the generated pages change only between epochs).
EPOCH_DATES = {1: datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 2: datetime(2026, 9, 1, 8, 0, tzinfo=UTC)}


def http_date(epoch: int) -> str:
    """The Last-Modified value of the static pages in `epoch` (RFC 7231 IMF-fixdate)."""
    return format_datetime(EPOCH_DATES.get(epoch, EPOCH_DATES[max(EPOCH_DATES)]), usegmt=True)


def etag(data: bytes) -> str:
    """A static page's entity tag: a quoted hash of its bytes."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def not_modified(if_none_match: str | None, if_modified_since: str | None, tag: str, last_modified: str) -> bool:
    """Whether a conditional GET/HEAD is answered 304 (RFC 7232 §3.2, §3.3, §6): If-None-Match when present (weak
    comparison; `*` matches), else If-Modified-Since (a date no earlier than Last-Modified; an invalid date is
    ignored)."""
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or tag.removeprefix("W/") in tags
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return parsedate_to_datetime(last_modified) <= since


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], site: Served, latency: float, count: bool = False,
        last_modified: str = "",
    ) -> None:  # fmt: skip
        super().__init__(address, _Handler)
        self.site = site  # (pages, endpoints), swapped as one reference (Portal.set_epoch)
        self.last_modified = last_modified or http_date(EPOCHS[0])  # of the static pages (Portal.set_epoch)
        self.latency = latency
        self.counts: Counter[str] | None = Counter() if count else None  # requests per path (faults mode)
        self.counts_lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    """Static pages answer GET, HEAD and POST (a POST to a page is served as real servers do); dynamic endpoints
    see the method, the query string and the body; other methods get 405 on a known path, 404 elsewhere."""

    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "ogi-demo-portal"
    timeout = 10  # idle keep-alive connections are closed, so their threads end

    def do_GET(self) -> None:
        self._respond("GET")

    def do_HEAD(self) -> None:
        self._respond("HEAD")

    def do_POST(self) -> None:
        self._respond("POST")

    def do_PUT(self) -> None:
        self._respond("PUT")

    def do_DELETE(self) -> None:
        self._respond("DELETE")

    def do_PATCH(self) -> None:
        self._respond("PATCH")

    def do_OPTIONS(self) -> None:
        self._respond("OPTIONS")

    def _respond(self, method: str) -> None:
        body = self._read_body()  # always read, so a kept-alive connection stays in step
        if self.server.latency:
            time.sleep(self.server.latency)
        pages, endpoints = self.server.site
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if self.server.counts is not None:
            with self.server.counts_lock:
                self.server.counts[path] += 1
        headers: dict[str, str] = {}
        if path in endpoints:
            if method not in ALLOWED:
                status, data, content_type = 405, _NOT_ALLOWED, HTML
                headers["Allow"] = ", ".join(ALLOWED)
            else:
                request = Request.parse(method, path, parts.query, self.headers.get("Content-Type"), body)
                try:
                    answer = endpoints[path](request)
                    if callable(answer):  # a raw answer (portal.faults): it writes to the socket itself
                        self._raw(answer, method)
                        return
                    status, data, content_type, *extra = answer
                    headers.update(*extra)
                except Exception:  # noqa: BLE001 - a bug in an endpoint answers 500, as a real server would
                    status, data, content_type = 500, _SERVER_ERROR, HTML
        elif path in pages:
            if method not in ALLOWED:
                status, (data, content_type) = 405, (_NOT_ALLOWED, HTML)
                headers["Allow"] = ", ".join(ALLOWED)
            else:
                status, (data, content_type) = 200, pages[path]
                if method in ("GET", "HEAD"):  # validators (module docstring)
                    headers["ETag"], headers["Last-Modified"] = etag(data), self.server.last_modified
                    if not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"),
                                    headers["ETag"], headers["Last-Modified"]):  # fmt: skip
                        self.send_response(304)
                        for name, value in headers.items():
                            self.send_header(name, value)
                        self.end_headers()  # no body, no Content-Length: a 304 has none (RFC 7230 §3.3.3)
                        return
        else:
            status, data, content_type = 404, _NOT_FOUND, HTML
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def _raw(self, answer: fault_site.RawAnswer, method: str) -> None:
        """A raw answer; whatever happens to it, the connection ends with it (nothing else may be written)."""
        try:
            answer(self, method)
        except Exception:  # noqa: BLE001 - the client left mid-answer (OSError), or the answer broke: close
            pass
        self.close_connection = True

    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format: str, *args: object) -> None:
        pass


class PortInUse(OSError):
    """The portal's port is taken; the message says what to do."""


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

    `faults=True` serves the fault site `faulty` too (portal.faults: server errors, resets, stalls, truncated and
    huge bodies, redirect loops, out-of-scope redirects to a decoy listener, soft errors in epoch 2, …), listed in
    `truth()["faults"]`; `decoy_hits` counts the decoy listener's requests, `requests_to(url)` the portal's own
    per path. `self.faults` is the fault site's state (None without faults).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        corpus_dir: Path | str | None = None,
        latency: float = 0.0,
        faults: bool = False,
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
        self.faults = fault_site.FaultSite(host) if faults else None
        self.set_epoch(EPOCHS[0])

    def _generated(self, epoch: int = EPOCHS[0]) -> Generated:
        """Every generated site in `epoch`, the fault site included when on."""
        generated = generate_all(epoch)
        return fault_site.merge(generated, fault_site.generated(epoch)) if self.faults else generated

    def set_epoch(self, epoch: int) -> None:
        """Serve the generated sites as they are in `epoch` (1 or 2) from the next request on."""
        generated = generate_all(epoch)
        pages = dict(generated.pages)
        endpoints = dict(generated.endpoints)
        searches = [e for e in endpoints.values() if isinstance(e, trsapi.Search)]
        if self.corpus:
            pages |= self.corpus.pages
            endpoints |= self.corpus.endpoints
            searches += self.corpus.searches
        endpoints["/" + trsapi.API] = trsapi.root_search(searches)  # where real Fujian hosts answer it
        disallow = generated.robots_disallow
        if self.faults:
            fault_pages, fault_endpoints = self.faults.set_epoch(epoch)
            pages |= fault_pages
            endpoints |= fault_endpoints
            disallow = disallow + fault_site.generated(epoch).robots_disallow
        pages["/robots.txt"] = (robots_txt(disallow), "text/plain")
        self.epoch, self.pages, self.endpoints = epoch, pages, endpoints
        if self._server is not None:
            self._server.site = (pages, endpoints)  # one reference swap: a request sees one epoch or the other
            self._server.last_modified = http_date(epoch)

    def start(self) -> Portal:
        if self._server is not None:
            raise RuntimeError("portal already started")
        if self.faults:
            self.faults.start()
        try:
            served = (self.pages, self.endpoints)
            try:
                self._server = _Server((self.host, self.port), served, self.latency, count=self.faults is not None,
                                       last_modified=http_date(self.epoch))  # fmt: skip
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                raise PortInUse(
                    f"port {self.port} on {self.host} is already in use (another demo, `ogi portal` or another "
                    "program): choose another one with --port N, or --port 0 for any free port"
                ) from None
        except BaseException:
            if self.faults:
                self.faults.stop()
            raise
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
        if self.faults:
            self.faults.stop()

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

    @property
    def decoy_hits(self) -> int:
        """Requests the decoy listener received (faults mode; 0 without): a correct crawler sends none."""
        return self.faults.decoy_hits if self.faults else 0

    def requests_to(self, url: str) -> int:
        """Requests the portal received for a path (an absolute URL on the portal, or a root-relative path), any
        query string; counted in faults mode only."""
        if self._server is None or self._server.counts is None:
            raise RuntimeError("request counts are kept by a started Portal(faults=True) only")
        path = unquote(urlsplit(url).path)
        with self._server.counts_lock:
            return self._server.counts[path]

    def sites_config(self, *, cms: bool = True, base: str | None = None, revisit: str | None = None) -> list[dict]:
        """Crawler site entries (`crawler/sites` format) for every served site, with absolute URLs.

        `base` names the portal by another base URL than the one it serves on (e.g. `http://demo-portal.invalid`,
        the demo's port-independent name): a crawl then reaches it with the portal as its HTTP proxy (the server
        answers absolute-form request lines like any other), and every URL it records is the same whatever the port.

        Each entry names its CMS family (`cms`: html, trs, script, hanweb, trsapi, gkmlpt, json) and narrows the
        site to its path prefix (`url_prefixes: [<base>/<site>/]`: every site shares this host). The `json` site
        describes its API in `list_api`; the `trsapi` sites name their search endpoint there
        (`{"url": "/<site>/fjdzapp/search"}`: on real hosts it is `/fjdzapp/search` at the root). URLs inside
        `list_api` are root-relative. `cms=False` leaves `cms` out (entries for family detection tests).
        The fault site's entry (faults mode) also has `download_timeout` and `max_bytes` (portal.faults.CONFIG).

        `revisit` ("listed" or "all", crawler/sites) is set in every entry when given. Without it the entries leave
        it out (the crawler's default "listed": an unchanged list entry is not fetched again), except the fault
        site's, which has "all": its epoch 2 changes report pages in place (a restatement, a cut copy, a maintenance
        page) under unchanged list entries, which only a revisit sees. The generated sites do the same with their
        restated report, so a crawl of both epochs asks for "all" (CrawlConfig.crawl_target does for the demo)."""
        root = (base or self.base_url).rstrip("/")
        host = urlsplit(root).hostname if base else self.host

        def url(path: str) -> str:
            return root + path

        generated = self._generated()
        entries = [
            {
                "name": s["name"],
                "start_urls": [url(p) for p in s["start_paths"]],
                "agency": s["agency"],
                "region": s["region"],
                "cms": s["family"],
                "list_api": s["list_api"] or _trsapi_api(s),
            }
            for s in generated.sites
        ]
        if self.corpus:
            entries.append(
                corpus_site.SITE
                | {"start_urls": [url(p) for p in self.corpus.list_paths], "cms": "trsapi",
                   "list_api": {"url": corpus_site.API_PATH} if self.corpus.searches else None}
            )  # fmt: skip
        out = []
        for e in entries:
            entry = {
                "name": e["name"],
                "start_urls": e["start_urls"],
                "allowed_domains": [host],
                "url_prefixes": [url(f"/{e['name']}/")],
                "agency": e["agency"],
                "region": e["region"],
                "concurrency": CONCURRENCY,
                "download_delay": 0,
                "selectors": {},
            }
            if cms:
                entry["cms"] = e["cms"]
            if e["list_api"]:
                entry["list_api"] = copy.deepcopy(e["list_api"])
            if e["name"] == fault_site.NAME and self.faults:
                entry |= fault_site.CONFIG | {"revisit": "all"}
            if revisit is not None:
                entry["revisit"] = revisit
            out.append(entry)
        return out

    def truth(self) -> dict:
        """Ground truth of the current epoch with absolute URLs: `reports` (one entry per report, with its
        printed values; corpus reports have `values: None`), `report_urls` (every report a correct crawler must
        fetch), `skipped_urls` (non-report articles), `disallowed_urls` (robots.txt), `missing_urls` (report
        links that answer 404), `removed_urls` (reports taken down in this epoch: unlisted and 404) and
        `list_urls` (the HTML list pages a crawler GETs: start pages and their static pages; API requests are
        in `sites[…].list_requests`). URL lists are sorted.

        Per report: `documents` ([{url, type}]: the report's own URL first, type html or pdf, then its
        attachments, pdf/docx/xls) and `values_in` ("article", or the URL of the attachment that prints the
        values: attachment-only reports, and the list item that is the report's PDF itself).
        `sites`: name -> {family, start_urls, home_url, url_prefix, list_requests (every list request a correct
        crawler makes, in order: {method, url} plus `form` (form-urlencoded POST) or `json` (JSON POST)),
        report_urls, generated_urls (corpus site: the portal's own pages and endpoints)}.
        `attachment_urls` (every attachment linked from a report article), `not_report_urls` (list items titled
        like a report whose page is not one: a maintenance page, a login form), `home_urls` (each site's home).

        `planted` (the same in every epoch): every cross-report finding in the generated sites' data, as
        {kind, site, agency, report_year, details}: carry_over, stock_flow, copy_paste, late, missing_year
        (on the later report, or the missing year), and the epoch-2 restatement (details.changes: old/new
        figures) and removed report (details.url). Corpus reports are real pages: nothing is known of them.

        With faults on, the fault site is in every key as a site, and two keys are added: `faults` (the faults
        served in this epoch: {name, url, page_kind, outcome, reason, epoch, …}) and `decoy_urls` (the pages a
        correct crawler never requests): portal.faults."""
        generated = self._generated(self.epoch)
        reports = []
        for r in copy.deepcopy(generated.reports):
            path = r["path"]
            entry = {"url": self.url(path)} | {k: v for k, v in r.items() if k != "path"}
            entry["documents"] = [{"url": self.url(d["path"]), "type": d["type"]} for d in generated.documents[path]]
            values_in = generated.values_in[path]
            entry["values_in"] = values_in if values_in == "article" else self.url(values_in)
            reports.append(entry)
        missing = [self.url(p) for p in generated.missing_paths]
        lists = [self.url(p) for p in generated.list_paths]
        sites = {
            s["name"]: {
                "family": s["family"],
                "start_urls": [self.url(p) for p in s["start_paths"]],
                "home_url": self.url(s["home_path"]),
                "url_prefix": self.url(f"/{s['name']}/"),
                "list_requests": [self._request(q) for q in s["list_requests"]],
                "report_urls": sorted(e["url"] for e in reports if e["site"] == s["name"]),
            }
            for s in generated.sites
        }
        homes = [self.url(p) for p in generated.home_paths]
        if self.corpus:
            name = corpus_site.SITE["name"]
            for r in self.corpus.reports:
                url = self.url(r["path"])
                reports.append(
                    {
                        "url": url,
                        "site": name,
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
                        "documents": [{"url": url, "type": "html"}],
                        "values_in": "article",
                    }
                )
            missing += [self.url(p) for p in self.corpus.missing_paths]
            lists += [self.url(p) for p in self.corpus.list_paths]
            home = self.url(self.corpus.home_path) if self.corpus.home_path else None
            homes += [home] if home else []
            sites[name] = {
                "family": "trsapi",
                "start_urls": [self.url(p) for p in self.corpus.list_paths],
                "home_url": home,
                "url_prefix": self.url(corpus_site.PREFIX + "/"),
                "list_requests": [self._request(q) for q in self.corpus.list_requests],
                "report_urls": sorted(self.url(r["path"]) for r in self.corpus.reports),
                "generated_urls": [self.url(p) for p in self.corpus.generated_paths],
            }
        found = planted() + api_planted() + (fault_site.planted() if self.faults else [])
        out = {
            "reports": reports,
            "report_urls": sorted(r["url"] for r in reports),
            "skipped_urls": sorted(self.url(p) for p in generated.skipped_paths),
            "disallowed_urls": sorted(self.url(p) for p in generated.disallowed_paths),
            "missing_urls": sorted(missing),
            "removed_urls": sorted(self.url(p) for p in generated.removed_paths),
            "list_urls": sorted(lists),
            "sites": sites,
            "attachment_urls": sorted(self.url(p) for p in generated.attachment_paths),
            "not_report_urls": sorted(self.url(p) for p in generated.not_report_paths),
            "home_urls": sorted(homes),
            "planted": [self._absolute(entry) for entry in copy.deepcopy(found)],
        }
        if self.faults:
            out["faults"] = self.faults.truth(self.epoch, self.url)
            out["decoy_urls"] = self.faults.decoy_urls(self.url)
        return out

    def _request(self, request: dict) -> dict:
        """A list request with its path made an absolute `url`."""
        out = {"method": request["method"], "url": self.url(request["path"])}
        for key in ("form", "json"):
            if key in request:
                out[key] = copy.deepcopy(request[key])
        return out

    def _absolute(self, entry: dict) -> dict:
        """A `planted` entry with its details' `path` made an absolute `url`."""
        details = entry["details"]
        if "path" in details:
            details["url"] = self.url(details.pop("path"))
        return entry


def site_names(corpus: Path | str | None = None, faults: bool = False) -> list[str]:
    """The names of the sites a `Portal(corpus_dir=corpus, faults=faults)` serves, in `sites_config()` order,
    without generating or serving anything."""
    names = [spec.name for spec in (*SPECS, *API_SPECS)] + ([fault_site.NAME] if faults else [])
    if corpus == "auto":
        corpus = AUTO_CORPUS if AUTO_CORPUS.is_dir() else None
    return names + ([corpus_site.SITE["name"]] if corpus is not None and Path(corpus).is_dir() else [])


def _trsapi_api(site: dict) -> dict | None:
    """The `list_api` of a trsapi site: its search endpoint under the site prefix."""
    return {"url": f"/{site['name']}/{trsapi.API}"} if site["family"] == "trsapi" else None


def main(argv: list[str] | None = None) -> int:
    """`ogi portal`: serve the demo portal until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="ogi portal", description="Serve the offline demo portal of government sites."
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free one, printed)")
    parser.add_argument("--corpus", default="auto", help="auto (../shared/corpus if present), none, or a directory")
    parser.add_argument("--faults", action="store_true",
                        help="also serve the fault site `faulty` (portal/faults.py) and its decoy listener")
    parser.add_argument("--epoch", type=int, choices=EPOCHS, default=EPOCHS[0],
                        help=f"serve the sites as in this epoch (default {EPOCHS[0]})")
    args = parser.parse_args(argv)
    corpus = None if args.corpus == "none" else args.corpus if args.corpus == "auto" else Path(args.corpus)

    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    portal = None
    try:
        portal = Portal(host=args.host, port=args.port, corpus_dir=corpus, faults=args.faults).start()
        portal.set_epoch(args.epoch)
        print(f"demo portal serving at {portal.base_url}  (robots: {portal.url('/robots.txt')})")
        for site in portal.sites_config():
            print(f"  {site['name']:<8} {site['agency']}  {site['start_urls'][0]}")
        print("Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    except PortInUse as exc:
        print(f"ogi portal: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        if portal is not None:
            portal.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0
