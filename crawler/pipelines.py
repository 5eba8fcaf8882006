"""Item pipeline: store every fetched body in the archive, record its manifest row, and log the crawl run.

Each crawl is one run (`Archive.open_run`): its id comes from the `OGI_RUN_ID` setting (`crawler.run.run_crawl`
sets it) or from the start time. Every URL the run requested is logged with its status and body hash, failed
requests (`CrawlIssue`) with nulls, so the warehouse can tell what each run saw. The processes of a shared crawl
(crawler.distributed) append to one run log; the last one to leave writes its finish line.

The manifest and the run log stay open for the crawl (one append handle each); bodies are not synced one by one:
the run's writes are synced once, before its finish line (crawler.archive, Durability).

Every archive write (objects, manifest rows, run-log lines) runs on one writer thread, in the order the items came:
creating a file costs the kernel 0.05–1 ms on this machine's ext4 (more on a network filesystem, where a shared
crawl's archive would live), time the event loop spent blocked, a page at a time. The thread releases the GIL in
those system calls, so the crawl goes on meanwhile; the order of the writes is the order of the items (one thread),
an object is still written before its manifest row, and an archived page is passed on once its writes are done
(so the bodies waiting for the writer are bounded by Scrapy's own limit on responses in the scraper). The run-log
lines of pages not archived (unchanged, resumed, failed) are queued without waiting: a round trip per line cost a
no-change crawl of 10,000 reports 0.3 s; the pipeline's close waits for them and raises a failed one.

At the end the pipeline's counts of the items it passed on (what a feed of every item would hold: `item_scraped`) go to the JSON file named
by the `OGI_COUNTS_FILE` setting when set (crawler.run reads them instead of a feed of every item).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.archive import ARCHIVE_SETTING, COUNTS_SETTING, RUN_ID_SETTING, Archive, RunLog, new_run_id
from crawler.distributed import REDIS_URL_SETTING
from crawler.items import ArchivedPage, CrawlIssue, RawPage, ResumedPage, ResumedPages

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class ArchivePipeline:
    """`RawPage` -> body into the archive, row into the manifest -> `ArchivedPage`. Other items pass through.

    Every `RawPage` and `CrawlIssue` is also logged in the run log.
    """

    def __init__(self, archive: Archive, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.archive = archive
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.run: RunLog | None = None
        self.shared = bool(crawler.settings.get(REDIS_URL_SETTING))  # a shared crawl: one run log for all processes
        self.counts: Counter[str] = Counter()  # of the items passed on (`item_scraped`)
        self.archived = False  # whether a body came to be archived (then the run's finish syncs the archive)
        self.writer: ThreadPoolExecutor | None = None  # the one thread every archive write runs on (module docstring)
        self.write_error: BaseException | None = None  # the first failed write no item waited for (raised at close)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        root = crawler.settings.get(ARCHIVE_SETTING)
        if not root:
            raise NotConfigured(f"{ARCHIVE_SETTING} is not set (spider argument `archive`)")
        pipeline = cls(Archive(root), crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        return pipeline

    def open_spider(self) -> None:
        started = datetime.now(UTC)
        run_id = self.crawler.settings.get(RUN_ID_SETTING) or new_run_id(started)
        sites = list(getattr(self.crawler.spider, "site_configs", {}))
        self.run = self.archive.open_run(run_id, sites, started, join=self.shared)
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-writer")

    def close_spider(self) -> None:
        """Every item is stored: the writer's last writes done, and in a shared crawl this process's writes synced
        before it leaves the crawl (the last process to leave writes the finish line; alone, `RunLog.finish`
        syncs). A write that failed with no item waiting for it fails the close."""
        if self.writer is not None:
            self.writer.shutdown(wait=True)
            self.writer = None
        if self.write_error is not None:
            raise self.write_error
        if self.shared:
            self.archive.sync()

    def _submit(self, work: Callable[[], Any]) -> Future[Any]:
        """`work` on the writer thread, after every write submitted before it (inline when the writer is closed)."""
        if self.writer is None:
            done: Future[Any] = Future()
            try:
                done.set_result(work())
            except BaseException as exc:  # noqa: BLE001 - handed to whoever reads the future
                done.set_exception(exc)
            return done
        return self.writer.submit(work)

    def _later(self, work: Callable[[], Any]) -> None:
        """A write no item waits for (a run-log line: of a page not archived, of a failed request, of a dropped
        redirect): queued in order behind the others, its failure kept and raised at close. A line costs the writer
        less than its item costs the crawl, so these never pile up; a body (`_written`) is awaited."""

        def keep(future: Future[Any]) -> None:
            if future.exception() is not None and self.write_error is None:
                self.write_error = future.exception()

        self._submit(work).add_done_callback(keep)

    async def _written(self, work: Callable[[], Any]) -> Any:
        """Await `work` on the writer thread from the crawl's event loop (its result, or its exception)."""
        from twisted.internet import reactor

        future = self._submit(work)
        if future.done():
            return future.result()
        deferred: Deferred[Any] = Deferred()

        def settle(done: Future[Any]) -> None:
            error = done.exception()
            if error is not None:
                deferred.errback(error)
            else:
                deferred.callback(done.result())

        future.add_done_callback(lambda done: reactor.callFromThread(settle, done))  # type: ignore[attr-defined]
        return await maybe_deferred_to_future(deferred)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """End the run log with the close reason ("finished", "shutdown", ...); in a shared crawl the last process
        does (crawler.distributed.SharedCrawlExtension). Then close the files and write the counts."""
        if self.run is not None:
            if not self.shared:
                self.run.finish(datetime.now(UTC), reason, archived=self.archived)
            self.run.close()
        self.archive.close()
        counts_file = self.crawler.settings.get(COUNTS_SETTING)
        if counts_file:
            Path(counts_file).write_text(json.dumps(self.counts), "utf-8")

    def item_scraped(self, item: Any, spider: Spider | None = None) -> None:
        """Count an item passed on (crawler.run.CrawlStats): all of them; pages by kind, gone reports (404/410),
        new objects and manifest rows."""
        if isinstance(item, ResumedPages):  # counted as the items it stands for
            for page in item.pages:
                self.item_scraped(page, spider)
            return
        c = self.counts
        c["items"] += 1
        kind = getattr(item, "kind", None)
        if kind in ("report", "list", "attachment"):
            c[kind] += 1
            c["gone"] += kind == "report" and getattr(item, "status", None) in (404, 410)
            c["new_objects"] += bool(getattr(item, "new_object", False))
            c["new_rows"] += bool(getattr(item, "new_row", False))

    def _resumed(self, pages: list[ResumedPage]) -> None:
        """The run-log lines of pages whose archived answers stand for this run's (one append)."""
        run = self.run
        if run is not None:
            lines = [
                {"url": p.url, "site": p.site, "kind": p.kind, "status": p.status, "sha256": p.sha256,
                 "reason": p.reason or f"archived by the interrupted run {p.run_id}", "parent_url": p.parent_url}
                for p in pages
            ]  # fmt: skip
            self._later(lambda: run.seen_many(lines))
        resumed = sum(p.reason is None for p in pages)
        self.stats.inc_value("ogi/resumed", resumed)
        self.stats.inc_value("ogi/unchanged", len(pages) - resumed)

    def request_dropped(self, request: Request, spider: Spider | None = None) -> None:
        """A redirect whose target the scheduler dropped as already requested leaves a line too: a redirect loop
        (`a -> b -> a`) is an error, a redirect to a URL fetched on its own is said so."""
        hops = request.meta.get("redirect_urls") or []
        run = self.run
        if not hops or run is None:
            return
        chain = " -> ".join([*hops, request.url])
        loop = request.url in hops
        args = (hops[0], request.meta.get("site", ""), request.meta.get("kind"), None, None,
                f"redirect loop: {chain}" if loop else f"redirected to a URL already requested: {chain}",
                request.meta.get("parent_url"), "error" if loop else "ok")  # fmt: skip
        self._later(lambda: run.seen(*args))
        self.stats.inc_value("ogi/redirect_dropped")

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ResumedPage):  # resumed, or known unchanged (its reason): logged, nothing archived
            self._resumed([item])
            return item
        if isinstance(item, ResumedPages):
            self._resumed(item.pages)
            return item
        run = self.run
        if isinstance(item, CrawlIssue):
            if run is not None:
                self._later(lambda: run.seen(item.url, item.site, item.page_kind, item.status, None, item.error,
                                             item.parent_url, item.outcome))  # fmt: skip
            return item
        if not isinstance(item, RawPage):
            return item
        self.archived = True
        sha, new_object, new_row = await self._written(lambda: self._store(item))
        self.stats.inc_value(f"ogi/{item.kind}")
        self.stats.inc_value("ogi/new_objects", int(new_object))
        self.stats.inc_value("ogi/new_rows", int(new_row))
        return ArchivedPage(
            kind=item.kind,
            url=item.url,
            final_url=item.final_url,
            status=item.status,
            sha256=sha,
            size=len(item.body),
            fetched_at=item.fetched_at,
            site=item.site,
            title=item.title,
            list_url=item.list_url,
            list_date=item.list_date,
            parent_url=item.parent_url,
            family=item.family,
            new_object=new_object,
            new_row=new_row,
        )

    def _store(self, item: RawPage) -> tuple[str, bool, bool]:
        """On the writer thread: the body, its run-log line, its manifest row (in this order). Returns (sha256,
        whether the object was written now, whether the manifest row is new)."""
        sha, new_object = self.archive.put_new(item.body)
        if self.run is not None:
            reason = None if 200 <= item.status < 300 else f"HTTP {item.status}"
            self.run.seen(item.url, item.site, item.kind, item.status, sha, reason, item.parent_url)
        return sha, new_object, self.archive.record(item.manifest_row(sha))
