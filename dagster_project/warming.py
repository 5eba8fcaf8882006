"""Parsing while the crawl runs: a thread of the `raw_pages` asset that follows the archive's manifest as the crawl
appends to it and parses each new report into the parse cache (dagster_project/parsing.py) in a niced worker
process, so that `parsed_reports`, which runs after the crawl, mostly reads the cache.

Dagster runs an asset only when the one before it has ended; the crawl is a subprocess that leaves the asset's own
process idle and, on a real site, the machine too (politeness delays). Only the cache is written here: the parse
step decides everything it decides today (what changed, versions, staging, the swap), and its tables are the same
with or without warming, since a cache entry is keyed by everything the parse of a report is given
(`parsing.cache_key`).

A report is parsed once every attachment its article links has its archived 2xx answer in the manifest
(`parsing.missing_attachments`, the crawl's own rule for following them); it waits until then. A report whose
attachment failed, was refused or was archived before under another report never gets ready here: the parse step
parses it. Nothing here is needed for correctness: a report parsed under a key the parse step does not ask for is
work lost, nothing more.

Bounded: at most `workers` × 2 chunks in flight, at most MAX_BACKLOG reports waiting for a worker (a crawl that
outruns it leaves the others to the parse step), at most MAX_WAITING reports remembered while they wait for
attachments (the oldest forgotten first), the manifest read from where the last read stopped. The pool starts
only once `min_reports` reports are known, so small crawls (the demo, tests) pay nothing for a pool's start.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from crawler.archive import Archive
from dagster_project.parsing import Chunk, ParseJob, WarmResult, pool, warm_chunk
from etl.frames import raw_page_frame

log = logging.getLogger(__name__)

NICE = 10  # the workers' niceness: the crawl keeps its core
MIN_REPORTS = 200  # reports seen before the pool starts (about a second of a pool's start, see parsing.POOL_MIN_WORK)
CHUNK = 16  # reports per chunk: small, so that the end of the crawl waits little for a running chunk
MAX_WAITING = 20_000  # reports remembered while their attachments are still to come
MAX_BACKLOG = 5_000  # reports remembered while waiting for a worker (more are left to the parse step)
INTERVAL = 1.0  # seconds between two reads of the manifest


@dataclass
class WarmStats:
    parsed: int = 0  # reports parsed into the cache
    cached: int = 0  # reports whose entry was there already
    waiting: int = 0  # reports still waiting for an attachment when the crawl ended
    forgotten: int = 0  # reports dropped from the waiting list (MAX_WAITING)
    skipped: int = 0  # reports not taken: the worker was MAX_BACKLOG reports behind the crawl


class CacheWarmer:
    """`with CacheWarmer(archive, job, sites): crawl()` parses the crawl's new reports into `job.cache` meanwhile.
    `sites`: site name -> {"agency", "region"} (the hints `parsed_reports` gives the parser)."""

    def __init__(self, archive: Archive, job: ParseJob, sites: Mapping[str, Mapping[str, Any]], *,
                 workers: int = 1, min_reports: int | None = None, chunk: int = CHUNK, interval: float | None = None,
                 offset: int | None = None, on_error: Callable[[str], None] | None = None) -> None:  # fmt: skip
        self.archive, self.job, self.sites = archive, job, {k: dict(v) for k, v in sites.items()}
        self.workers, self.chunk = max(1, workers), chunk
        self.min_reports = MIN_REPORTS if min_reports is None else min_reports
        self.interval = INTERVAL if interval is None else interval
        self.start = offset  # manifest byte to read from; None = its end when the crawl starts
        self.on_error = on_error or log.warning
        self.stats = WarmStats()
        self._offset = 0
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by a chunk ending, and by the stop
        self._thread: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._todo: deque[str] = deque()  # report URLs to submit
        self._reports: dict[str, dict[str, Any]] = {}  # URL -> raw_page row, while submitted or waiting
        self._waiting: dict[str, None] = {}  # URLs waiting for an attachment, oldest first (trimmed first)
        self._attachments: dict[str, list[dict[str, Any]]] = {}  # parent URL -> archived 2xx attachment rows
        self._bodies: set[str] = set()  # sha256 of every report body seen (the parse step parses a body once)
        self._flight: deque[tuple[Future[WarmResult], dict[str, int]]] = deque()

    def __enter__(self) -> CacheWarmer:
        path = self.archive.manifest_path
        if self.start is not None:
            self._offset = self.start
        else:  # only what this crawl appends
            self._offset = path.stat().st_size if path.exists() else 0
        self._thread = threading.Thread(target=self._run, name="ogi-cache-warmer", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def idle(self) -> bool:
        """Whether everything read so far is done or waiting for an attachment (nothing to submit, nothing running)."""
        return self._pool is not None and not self._todo and not self._flight

    # ------------------------------------------------------------------------------------------- the thread

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.wait(self.interval)  # the manifest read every interval, and as soon as a chunk ends
                self._wake.clear()
                if not self._stop.is_set():
                    self._step()
        except Exception as exc:  # noqa: BLE001 - warming is an optimisation: its failure must not fail the crawl
            self.on_error(f"parsing during the crawl stopped: {type(exc).__name__}: {exc}")
        finally:
            self._close()

    def _step(self) -> None:
        self._read()
        self._collect(block=False)
        if self._pool is None and len(self._bodies) >= self.min_reports:
            self._pool = pool(self.workers, nice=NICE)
        if self._pool is not None:
            self._submit()

    def _read(self) -> None:
        rows: list[dict[str, Any]] = []
        for row, end in self.archive.manifest_from(self._offset):
            self._offset = end
            if row.get("kind") in ("report", "attachment"):
                rows.append(row)
        if not rows:
            return
        for row in raw_page_frame(rows).to_dicts():  # the rows `raw_page` gets, typed as the parse step reads them
            status = row["status"] or 0
            if not 200 <= status < 300 or not row["sha256"]:
                continue
            if row["kind"] == "report":
                if row["sha256"] in self._bodies or row["url"] in self._reports:
                    continue
                self._bodies.add(row["sha256"])
                if len(self._todo) >= MAX_BACKLOG:  # the crawl outruns the worker: memory stays bounded
                    self.stats.skipped += 1
                    continue
                self._reports[row["url"]] = row
                self._todo.append(row["url"])
            elif row["parent_url"]:  # as warehouse/queries/report_attachments.sql gives it
                attachment = {k: row[k] for k in ("parent_url", "url", "sha256", "content_type", "title")}
                self._attachments.setdefault(row["parent_url"], []).append({**attachment, "error": None})
                if row["parent_url"] in self._waiting:
                    del self._waiting[row["parent_url"]]
                    self._todo.append(row["parent_url"])
        self._trim()

    def _submit(self) -> None:
        assert self._pool is not None
        while self._todo and len(self._flight) < 2 * self.workers:
            urls = [self._todo.popleft() for _ in range(min(self.chunk, len(self._todo)))]
            pages = [self._reports[u] for u in urls if u in self._reports]
            attachments = {u: list(self._attachments[u]) for u in urls if u in self._attachments}
            sites = {n: self.sites[n] for n in {p["site"] or "" for p in pages} if n in self.sites}
            known = {u: len(attachments.get(u, ())) for u in urls}
            future = self._pool.submit(warm_chunk, self.job, Chunk(pages, attachments, sites))
            future.add_done_callback(lambda _: self._wake.set())
            self._flight.append((future, known))

    def _collect(self, *, block: bool) -> None:
        while self._flight and (block or self._flight[0][0].done()):
            future, known = self._flight.popleft()
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a chunk lost (a worker died): the parse step parses it
                self.on_error(f"a chunk of {len(known)} report(s) was not parsed during the crawl: {exc}")
                for url in known:
                    self._forget(url)
                continue
            self.stats.parsed += result.parsed
            self.stats.cached += result.cached
            for url in known:
                if url not in result.waiting:
                    self._forget(url)
                elif len(self._attachments.get(url, ())) > known[url]:  # more arrived meanwhile: try again
                    self._todo.append(url)
                else:
                    self._waiting[url] = None

    def _forget(self, url: str) -> None:
        self._reports.pop(url, None)
        self._attachments.pop(url, None)
        self._waiting.pop(url, None)

    def _trim(self) -> None:
        """At most MAX_WAITING waiting reports (the oldest go), and attachment rows only of reports remembered."""
        while len(self._waiting) > MAX_WAITING:
            self._forget(next(iter(self._waiting)))
            self.stats.forgotten += 1
        if len(self._attachments) > 2 * MAX_WAITING:
            for parent in [p for p in self._attachments if p not in self._reports]:
                del self._attachments[parent]

    def _close(self) -> None:
        if self._pool is None:
            return
        for future, _ in self._flight:
            future.cancel()  # not started: left to the parse step
        self._flight = deque(item for item in self._flight if not item[0].cancelled())
        self._collect(block=True)  # a running chunk ends (its reports are as good as parsed)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.stats.waiting = len(self._waiting)
