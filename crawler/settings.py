"""Scrapy settings of the `ogi` crawl (production defaults; the spider adds per-crawl politeness).

Run with the environment variable `TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=` (empty) so that the cookie middleware's
tldextract uses its bundled public-suffix snapshot instead of downloading the list (`crawler/run.py` sets it).
"""

BOT_NAME = "ogi-warehouse"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "ogi-warehouse/0.1 (archiver of open-government-information annual reports; polite, obeys robots.txt)"
ROBOTSTXT_OBEY = True

# Politeness defaults. The spider replaces them from the site configs (crawler.spiders.ogi.politeness_settings):
# each site gets its own download slot with its concurrency and delay, and CONCURRENT_REQUESTS becomes the sum of
# the site budgets (capped). Scrapy 2.14-2.19 do not enforce a slot's concurrency (in-flight requests per slot are
# counted too late, STACK.md §2c): crawler.slots.PoliteDownloader does, and SlotBudgetQueue keeps the requests of a
# full slot in the scheduler so that the other sites use the crawl-wide budget.
CONCURRENT_REQUESTS = 2
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOADER = "crawler.slots.PoliteDownloader"
DOWNLOAD_HANDLERS = {  # idle connections kept per host: CONCURRENT_REQUESTS, not the smallest site budget
    "http": "crawler.slots.KeepAliveDownloadHandler",
    "https": "crawler.slots.KeepAliveDownloadHandler",
}
SCHEDULER_PRIORITY_QUEUE = "crawler.slots.SlotBudgetQueue"
AUTOTHROTTLE_ENABLED = False  # explicit: the fixed per-site budget above is the policy

# Items (and requests) a callback yields are processed by this many asyncio tasks per response; the pipeline is
# synchronous, so more only costs task churn: Scrapy's 100 made a crawl that logs thousands of unchanged pages spend
# a fifth of its CPU creating tasks (crawler/httpcache.py, tests/test_incremental_crawl.py).
CONCURRENT_ITEMS = 8

DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2

# Never expose a console or Scrapy 2.19's remote-control HTTP server (it executes code sent to it).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Only in a crawl shared by several processes through Redis (crawler.distributed; NotConfigured otherwise).
EXTENSIONS = {"crawler.distributed.SharedCrawlExtension": 500}
# The site's scope on every request and redirect hop (host and port, URL prefix, no internal addresses). It replaces
# Scrapy's host-only offsite check, which also drops requests when they are scheduled, without an errback: a
# refused redirect would leave no trace.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ScopeMiddleware": 40,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,  # Scrapy's, every waiting request checked (crawler/middlewares.py)
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,  # Scrapy's, a page that cannot hold a refresh not decoded
    "crawler.httpcache.ConditionalCacheMiddleware": 900,  # Scrapy's HttpCacheMiddleware, without error recovery
}
# Conditional requests (crawler/httpcache.py): Scrapy's HTTP cache with the archive as its read-only storage and a
# policy that revalidates every archived answer (If-None-Match / If-Modified-Since) and takes it only on a 304.
HTTPCACHE_ENABLED = True
HTTPCACHE_STORAGE = "crawler.httpcache.ArchiveCacheStorage"
HTTPCACHE_POLICY = "crawler.httpcache.RevalidatePolicy"
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # the parser's limit; each site's max_bytes applies per request
DOWNLOAD_WARNSIZE = 0
DOWNLOAD_FAIL_ON_DATALOSS = True  # a body shorter than its Content-Length is an error, never archived

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.logformatter.QuietLogFormatter"  # no per-page DEBUG records unless LOG_LEVEL is DEBUG
