"""Per-site politeness with throughput across sites: each download slot (one per site) keeps its own concurrency and
delay, and the crawl as a whole runs as many sites at once as `CONCURRENT_REQUESTS` allows.

Two Scrapy components, named in `crawler/settings.py`:

- `PoliteDownloader` (setting `DOWNLOADER`): Scrapy's downloader with the slot's concurrency really enforced.
  Scrapy 2.14-2.19 check `Slot.free_transfer_slots()` while draining a slot's queue, but a request only joins
  `Slot.transferring` once the task that downloads it runs, so the whole queue is sent at once (../shared/STACK.md
  §2c). Here a request counts as transferring from the moment it leaves the slot's queue; the rest of the queue
  waits for a transfer to finish (Scrapy calls the queue again then) or for the slot's delay (Scrapy's own timer).
  This is the hard per-site cap whatever the scheduler is (also scrapy-redis's).
- `KeepAliveDownloadHandler` (setting `DOWNLOAD_HANDLERS`, http and https): Scrapy's HTTP/1.1 handler keeping as
  many idle connections per host as the crawl may have requests in flight (`CONCURRENT_REQUESTS`). Scrapy keeps
  `CONCURRENT_REQUESTS_PER_DOMAIN` of them, the smallest site budget here: where many sites share one host (a city
  portal hosting its departments under path prefixes, the demo portal) every request beyond that budget opened and
  closed its own connection (a no-change crawl of the 10,000-report demo site: 9.4 s of crawl, 7.5 s with
  connections kept). A host's connections in use stay bounded by the slots' concurrency; this only keeps them open.
- `SlotBudgetQueue` (setting `SCHEDULER_PRIORITY_QUEUE`): Scrapy's `DownloaderAwarePriorityQueue` (one queue per
  slot, the least busy slot first) that hands out no request of a slot whose requests in the downloader (in
  middlewares, queued for the delay, or transferring) already reach its concurrency. Requests of a busy site wait
  in the scheduler instead of in the downloader, where they would take the crawl-wide `CONCURRENT_REQUESTS` from
  the other sites. When every slot with pending requests is full it returns None; the engine asks again when a
  download finishes (and on its 5 s heartbeat): no polling.

`crawler.spiders.ogi.politeness_settings` sets each site's slot (`DOWNLOAD_SLOTS`) and `CONCURRENT_REQUESTS` = the
sum of the site budgets, capped (`MAX_CONCURRENT_REQUESTS`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from time import monotonic
from typing import TYPE_CHECKING

from scrapy.core.downloader import Downloader, Slot
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.pqueues import DownloaderAwarePriorityQueue, DownloaderInterface
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.pqueues import QueueProtocol

MAX_CONCURRENT_REQUESTS = 64  # the crawl-wide cap on requests in the downloader (one Scrapy process, one core)


class PoliteDownloader(Downloader):
    """Scrapy's downloader; a slot never has more requests transferring than its concurrency (module docstring)."""

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:  # the slot's delay timer is set: it calls back
            return
        delay = slot.download_delay()
        now = monotonic()
        if delay and slot.lastseen + delay > now:
            slot.latercall = call_later(slot.lastseen + delay - now, self._latercall, slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            request, queue_dfd = slot.queue.popleft()
            # counted now, not when the download task starts (Scrapy's `_download` adds it again, then removes it)
            slot.transferring.add(request)
            slot.lastseen = now
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:  # one request per delay: the next one waits for the timer
                if slot.queue:
                    slot.latercall = call_later(delay, self._latercall, slot)
                return


class KeepAliveDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler; idle connections kept per host: `CONCURRENT_REQUESTS` (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self._pool.maxPersistentPerHost = max(settings.getint("CONCURRENT_REQUESTS"),
                                              settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))  # fmt: skip


class _BudgetInterface(DownloaderInterface):
    """The downloader as `DownloaderAwarePriorityQueue` sees it, listing only slots with room for one more request."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._budgets = {key: int(value["concurrency"]) for key, value in
                         crawler.settings.getdict("DOWNLOAD_SLOTS").items() if "concurrency" in value}  # fmt: skip
        self._default = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")

    def budget(self, slot: str) -> int:
        """The slot's concurrency (its downloader slot's, else DOWNLOAD_SLOTS', else the per-domain default)."""
        live = self.downloader.slots.get(slot)
        return live.concurrency if live is not None else self._budgets.get(slot, self._default)

    def stats(self, possible_slots: Iterable[str]) -> list[tuple[int, str]]:
        """(requests in the downloader, slot) of the slots below their budget: the others are held back.

        Work bounded by the requests in the downloader, not by the slots with pending requests (thousands of sites:
        Scrapy's queue asks on every request, and a scan of every slot made a 9,600-site crawl CPU-bound in this
        call): the first idle slot in the queue's order (its sites in the order their requests arrived) is the one
        answer when there is one, since no slot can be less busy; else every slot with requests in flight that is
        below its budget."""
        busy = Counter(self.get_slot_key(request) for request in self.downloader.active)
        for slot in possible_slots:  # passes over at most len(busy) busy slots before an idle one
            if not busy[slot] and self.budget(slot) > 0:
                return [(0, slot)]
        wanted = possible_slots if isinstance(possible_slots, (set, dict)) else set(possible_slots)
        return [(n, slot) for slot, n in busy.items() if slot in wanted and n < self.budget(slot)]


class SlotBudgetQueue(DownloaderAwarePriorityQueue):
    """`DownloaderAwarePriorityQueue` that holds back the requests of full slots (module docstring)."""

    def __init__(
        self, crawler: Crawler, downstream_queue_cls: type[QueueProtocol], key: str,
        slot_startprios: dict[str, Iterable[int]] | None = None, *,
        start_queue_cls: type[QueueProtocol] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(crawler, downstream_queue_cls, key, slot_startprios, start_queue_cls=start_queue_cls)
        self._downloader_interface = _BudgetInterface(crawler)
