"""One crawl shared by N crawler processes (on one machine or many) through Redis, on scrapy-redis.

scrapy-redis provides the shared parts: its scheduler keeps the request queue in Redis (a sorted set by priority)
and its dupefilter the fingerprints of every request scheduled, so a URL is requested once by whichever process
pops it. This module adds what a crawl of ours needs around them (`SharedCrawl`, Redis keys under
`ogi:<crawl key>:`):

- **one run**: the processes of a shared crawl write one run log, `runs/<run_id>.jsonl` (the warehouse sees one
  crawl run, not N partial ones that would make reports look unlisted). The first process to join (no live worker)
  starts the crawl afresh (stale queue and dupefilter of a killed crawl dropped: its requests in flight were lost)
  and chooses the run id; the others take it (`crawler.run.run_crawl` joins before it starts Scrapy).
- **no early exit**: a process whose own work is done stays while the queue has requests or another live process
  is busy (it may still add requests); it asks again on the engine's 5 s heartbeat (`spider_idle`).
- **liveness**: each process renews its registration every 10 s (expires after 60 s); a killed process is dropped
  when it expires and the run ends without "finished" (its requests in flight were lost).
- **the finish line**: the last process to leave writes it: "finished" only if every process finished.

Politeness is per process: each process enforces each site's `concurrency` and `download_delay`
(crawler/slots.py), so N processes crawling the same sites may send a site N times its budget; give a shared
crawl's sites budget/N, or split the sites between processes.
Run it as `ogi crawl --redis redis://HOST:6379/0` on each machine (README: "Distributed crawl").
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.archive import ARCHIVE_SETTING, RUN_ID_SETTING, Archive

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

REDIS_URL_SETTING = "OGI_REDIS_URL"  # the Redis of a shared crawl; unset = an ordinary one-process crawl
REDIS_KEY_SETTING = "OGI_REDIS_KEY"  # the shared crawl's key prefix (crawl_key of its sites)
WORKER_SETTING = "OGI_WORKER_ID"
TTL = 60  # seconds a worker's registration lives without renewal
HEARTBEAT = 10.0  # seconds between renewals

# KEYS: workers (hash worker -> expiry), busy (set), reasons (hash worker -> close reason), run (string), queue,
# dupefilter. Every script first drops expired workers (reason "killed").
_PURGE = """
local now = tonumber(redis.call('TIME')[1])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if tonumber(all[i + 1]) < now then
    redis.call('HDEL', KEYS[1], all[i]); redis.call('SREM', KEYS[2], all[i]); redis.call('HSET', KEYS[3], all[i], 'killed')
  end
end
"""
_JOIN = _PURGE + """
local fresh = 0
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]); redis.call('SET', KEYS[4], ARGV[2]); fresh = 1
end
redis.call('HSET', KEYS[1], ARGV[1], now + tonumber(ARGV[3]))
return {redis.call('GET', KEYS[4]), fresh}
"""
_RENEW = _PURGE + """
redis.call('HSET', KEYS[1], ARGV[1], now + tonumber(ARGV[2]))
"""
_OTHERS_BUSY = _PURGE + """
local n = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do if w ~= ARGV[1] then n = n + 1 end end
return n
"""
_LEAVE = _PURGE + """
redis.call('HDEL', KEYS[1], ARGV[1]); redis.call('SREM', KEYS[2], ARGV[1]); redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
if redis.call('HLEN', KEYS[1]) > 0 then return false end
local final = 'finished'
local reasons = redis.call('HGETALL', KEYS[3])
for i = 1, #reasons, 2 do if reasons[i + 1] ~= 'finished' then final = reasons[i + 1] end end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
return final
"""


def crawl_key(site_names: Iterable[str]) -> str:
    """The key prefix of a shared crawl of these sites: processes crawling the same sites share one crawl."""
    digest = hashlib.sha256("\n".join(sorted(site_names)).encode("utf-8")).hexdigest()[:16]
    return f"ogi:{digest}"


def new_worker_id() -> str:
    """A crawler process's name in the shared crawl: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def scrapy_settings(url: str, key: str) -> dict[str, Any]:
    """Scrapy settings that put a crawl's scheduler queue and dupefilter in Redis (scrapy-redis) under `key`."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{key}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{key}:dupefilter",
        "SCHEDULER_PERSIST": True,  # never flushed by one process's close: SharedCrawl drops them with the last one
        "REDIS_URL": url,
    }


class SharedCrawl:
    """One process's membership of a shared crawl (module docstring). Redis calls are atomic Lua scripts."""

    def __init__(self, url: str, key: str, worker: str) -> None:
        import redis

        self.server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30)
        self.worker = worker
        self.keys = [f"{key}:{name}" for name in ("workers", "busy", "reasons", "run", "requests", "dupefilter")]
        self._join, self._renew, self._others_busy, self._leave = (
            self.server.register_script(s) for s in (_JOIN, _RENEW, _OTHERS_BUSY, _LEAVE)
        )
        self._busy = False

    def join(self, proposed_run_id: str) -> tuple[str, bool]:
        """Register this worker; returns (the crawl's run id, whether this worker started the crawl)."""
        run_id, fresh = self._join(keys=self.keys, args=[self.worker, proposed_run_id, TTL])
        return run_id.decode() if isinstance(run_id, bytes) else str(run_id), bool(fresh)

    def renew(self) -> None:
        self._renew(keys=self.keys, args=[self.worker, TTL])

    def set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            (self.server.sadd if busy else self.server.srem)(self.keys[1], self.worker)
            self._busy = busy

    def pending(self) -> int:
        """Requests waiting in the shared queue."""
        return int(self.server.zcard(self.keys[4]))

    def others_busy(self) -> bool:
        return int(self._others_busy(keys=self.keys, args=[self.worker])) > 0

    def leave(self, reason: str) -> str | None:
        """Unregister; for the last worker, the crawl's finish reason (and the crawl's keys are dropped)."""
        final = self._leave(keys=self.keys, args=[self.worker, reason])
        if final is None:
            return None
        return final.decode() if isinstance(final, bytes) else str(final)


class SharedCrawlExtension:
    """Keeps this process in its shared crawl until the crawl is done, and ends the shared run log."""

    def __init__(self, crawler: Crawler, shared: SharedCrawl) -> None:
        self.crawler = crawler
        self.shared = shared
        self._loop: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url, key, worker = (crawler.settings.get(s) for s in (REDIS_URL_SETTING, REDIS_KEY_SETTING, WORKER_SETTING))
        if not (url and key and worker):
            raise NotConfigured("not a shared crawl (crawler.run.run_crawl(redis=...) sets it up)")
        ext = cls(crawler, SharedCrawl(url, key, worker))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.shared.renew()
        self._loop = create_looping_call(self.shared.renew)
        self._loop.start(HEARTBEAT, now=False)

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        self.shared.set_busy(True)

    def spider_idle(self, spider: Spider) -> None:
        """Stay while the shared queue has requests or another live worker is busy (it may add requests)."""
        if self.shared.pending():
            raise DontCloseSpider
        self.shared.set_busy(False)
        if self.shared.others_busy():
            raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        final = self.shared.leave(reason)
        if final is not None:  # the last worker ends the shared run log
            settings = self.crawler.settings
            run = Archive(settings.get(ARCHIVE_SETTING)).run_log(settings.get(RUN_ID_SETTING))
            run.finish(datetime.now(UTC), final)
