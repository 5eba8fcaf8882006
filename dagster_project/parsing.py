"""Parsing the archive for `parsed_reports`: a content-addressed parse cache, chunks of whole URLs, a process pool.

No Dagster here (workers import this module and stay light); the asset wires it to the warehouse's staging tables.

**Cache.** A report's parse (`etl.parse.parse_report` of its article and attachments) depends only on what it is
given: the article's URL, sha256 and Content-Type, each attachment's URL, sha256, Content-Type, link text and fetch
error, and the hints (site, agency, region, list title, list date). `cache_key` is SHA-256 over exactly these (as
canonical JSON), so the same body at another URL, with other attachments or other hints is another key, and the same
inputs are parsed once. Entries live under `<data>/parsed/<parser version>/<key[:2]>/<key>.pickle.z`: the report's
table rows (`etl.frames.ReportRows`: plain tuples, so reading one back costs a fraction of rebuilding the
ParseResult's dataclasses), a pickle compressed with zstd (`_pack`; entries of zlib, as written before, are read
too), written to a temporary file and renamed into place (left alone when it already holds the same bytes); an
unreadable entry is a miss. The parser version is `etl.PARSER_VERSION` (a hash of the etl package's files, frames
included, and of the reader libraries): a new parser never sees an older parser's rows. Not cached, so tried again
next run: a body the archive could not give (corrupt or missing object), a parser crash, and a report one of whose
conversions failed (LibreOffice missing, a time or memory limit: the host's state, not the document's). The page's
first fetch time (`fetched_at`) and the versioning of a URL's bodies (`etl.frames.frames_of_rows`) are applied on
every run, never taken from the cache.

**Chunks.** Pages (one row per distinct report body, sorted by URL) are cut into chunks of at most `chunk_size`
reports without splitting a URL, so each chunk's `report_frames` sees every version of its URLs and numbers them as
one pass over everything would. A worker turns a chunk into its frames; the asset appends them to staging tables.

**Pool.** `workers` > 1 runs chunks in a `ProcessPoolExecutor` with the forkserver start method (Dagster runs
threads; forking a threaded process is unsafe), at most 2 × workers chunks in flight, results taken in submission
order. Workers read bodies from the archive themselves; a chunk carries only page and attachment rows, and its
result comes back as Arrow IPC (`ChunkResult`).
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import logging
import multiprocessing
import os
import pickle
import tempfile
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from w3lib.url import safe_url_string

try:
    from compression import zstd  # Python 3.14
except ImportError:  # before 3.14: its backport
    from backports import zstd

from crawler.archive import ArchiveReading
from crawler.cms.attachments import file_type, find_attachments, is_html
from crawler.convert import soffice_convert
from crawler.store import open_reader
from etl.decode import decode_html
from etl.frames import PageInfo, ReportFrames, ReportRows, frames_of_rows, report_rows
from etl.model import Document, Hints, ParseResult
from etl.parse import parse_report

CACHE_DIR = "parsed"  # under the data directory
CACHE_SUFFIX = ".pickle.z"
DEFAULT_CHUNK = 500  # reports per chunk (and per staging append) at most
_IN_FLIGHT_PER_WORKER = 2

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chunk:
    """One unit of work: report pages (rows of warehouse/queries/report_pages.sql, every version of their URLs) with
    their attachments (rows of report_attachments.sql by parent URL) and the hints of their sites."""

    pages: list[dict[str, Any]]
    attachments: dict[str, list[dict[str, Any]]]
    sites: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class ParseJob:
    """What every chunk of one run shares."""

    archive: str
    cache: str | None  # the version's cache directory; None = no cache
    reparse: bool = False  # parse even when cached (and overwrite the entry)


@dataclass
class ChunkResult:
    """A chunk's frames and counts. Pickled (a worker's result on its way to the parent) with each frame as Arrow
    IPC bytes, zstd-compressed: a quarter of the CPU of pickling Polars frames, and ~4 KB a report instead of ~100 KB
    through the pipe and in the results waiting in the parent. Unpickled, the frames are equal, schema included."""

    frames: ReportFrames
    reports: int
    parsed: int
    cached: int
    messages: list[tuple[int, str]] = field(default_factory=list)  # (logging level, text) for the run's log

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        encoded = state.pop("_encoded", None)
        state["frames"] = encoded if encoded is not None else [_ipc(frame) for frame in self.frames]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled, the frames stay Arrow IPC bytes until first read: results waiting in the parent (the pool
        unpickles each as it arrives) hold ~4 KB a report, not the frames' ~100 KB."""
        state["_encoded"] = state.pop("frames")
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:  # only for attributes not set: `frames` of an unpickled result
        encoded = self.__dict__.pop("_encoded", None) if name == "frames" else None
        if encoded is None:
            raise AttributeError(name)
        self.frames = ReportFrames(*(pl.read_ipc(io.BytesIO(data)) for data in encoded))
        return self.frames


def _ipc(frame: pl.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.write_ipc(out, compression="zstd")
    return out.getvalue()


def cache_dir(data_dir: Path, version: str) -> Path:
    return data_dir / CACHE_DIR / version


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _region_text(region: Any) -> str | None:
    """A site config's region as the parser's hint wants it: "浙江省衢州市", from a text or {province, city, county}."""
    if isinstance(region, str):
        return region or None
    if isinstance(region, Mapping):
        text = "".join(str(region[k]) for k in ("province", "city", "county") if region.get(k))
        return text or None
    return None


def _filename(url: str) -> str | None:
    """A file name carrying the type the URL names (`downfile.jsp?filename=9b2e.pdf` -> `9b2e.pdf`)."""
    kind = file_type(url)
    return f"document.{kind}" if kind else None


def site_hints(sites: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Site name -> the parser's hints of the site's config (agency, region), for `Chunk.sites` and `page_keys`."""
    return {str(s["name"]): {k: s.get(k) for k in ("agency", "region")} for s in sites}


def _hints(row: Mapping[str, Any], site: Mapping[str, Any]) -> Hints:
    return Hints(
        site=row["site"],
        agency=site.get("agency"),
        region=_region_text(site.get("region")),
        title=row["title"],
        published_at=_iso(row["list_date"]),
    )


def cache_key(row: Mapping[str, Any], attachments: Sequence[Mapping[str, Any]], hints: Hints) -> str:
    """SHA-256 over everything `parse_report` is given for this report but the bytes (named by their sha256)."""
    spec = {
        "url": row["url"],
        "sha256": row["sha256"],
        "content_type": row["content_type"],
        "attachments": sorted(
            [a["url"], a["sha256"], a["content_type"], a["title"], a["error"]] for a in attachments
        ),
        "hints": [hints.site, hints.agency, hints.region, hints.title, hints.published_at],
    }
    return hashlib.sha256(json.dumps(spec, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _entry_path(cache: str, key: str) -> str:
    return f"{cache}/{key[:2]}/{key}{CACHE_SUFFIX}"  # a str: cheaper than a Path, thousands of times a chunk


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


# An entry: _ZSTD, the pickle's length (4 bytes, little-endian), then the pickle as one zstd frame (level 1). zstd
# compresses in a third of zlib's CPU at level 1, entries 7 % smaller: on 1,000 kept reports write_cached 0.41 ->
# 0.35 ms and read_cached 0.146 -> 0.135 ms a report (medians of 9 rounds). The binding is the standard library's
# `compression.zstd` (Python 3.14), or its backport `backports.zstd` before (which Scrapy requires too): pyarrow's
# codec gave the same bytes at the same speed, but importing pyarrow cost every worker process about 20 MB of PSS.
# A zlib stream never starts with this byte (its first is 0x?8).
_ZSTD = b"\x01"
_ZSTD_LEVEL = 1


def _pack(rows: ReportRows) -> bytes:
    data = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
    return _ZSTD + len(data).to_bytes(4, "little") + zstd.compress(data, level=_ZSTD_LEVEL)


def _unpack(data: bytes) -> Any:
    if data[:1] == _ZSTD:
        size = int.from_bytes(data[1:5], "little")
        data = zstd.decompress(memoryview(data)[5:])
        if len(data) != size:
            raise ValueError(f"a cache entry of {len(data)} bytes, its header says {size}")
    else:  # an entry of zlib, as this module wrote them before (the parser version does not cover this module)
        data = zlib.decompress(data)
    return pickle.loads(data)  # noqa: S301 - our own cache under the data directory


def read_cached(cache: str, key: str) -> ReportRows | None:
    """The cached result of `key`, or None (absent, or unreadable: then it is parsed again and rewritten)."""
    data = _read(_entry_path(cache, key))
    if data is None:
        return None
    try:
        result = _unpack(data)
    except Exception:  # noqa: BLE001 - a damaged entry is a miss, whatever broke
        return None
    return result if isinstance(result, ReportRows) else None


_DIRECTORIES: set[str] = set()  # cache directories this process made (or found): one mkdir each, not one a report


def write_cached(cache: str, key: str, result: ReportRows) -> None:
    """Store a result atomically (temporary file in the same directory, then rename). An entry that already holds
    these bytes (a re-parse) is left alone: renaming over an existing file makes ext4 flush the new one first, ~1 ms
    against ~0.02 ms to read and compare."""
    data = _pack(result)
    directory = f"{cache}/{key[:2]}"
    path = f"{directory}/{key}{CACHE_SUFFIX}"
    if _read(path) == data:
        return
    if directory not in _DIRECTORIES:
        os.makedirs(directory, exist_ok=True)
        _DIRECTORIES.add(directory)
    try:
        fd, tmp = _temporary(directory, key)
    except FileNotFoundError:  # the directory went away during the run (the cache cleared): make it again
        os.makedirs(directory, exist_ok=True)
        fd, tmp = _temporary(directory, key)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _temporary(directory: str, key: str) -> tuple[int, str]:
    """A new temporary file for `key`'s entry, named by process and key (no random name to draw); one that exists
    already (another thread writing the same key, or a dead process's leftover) -> a name from mkstemp."""
    tmp = f"{directory}/.tmp-{os.getpid()}-{key}{CACHE_SUFFIX}"
    try:
        return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp
    except FileExistsError:
        return tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=CACHE_SUFFIX)


def _documents(archive: ArchiveReading, row: Mapping[str, Any], data: bytes,
               attachments: Sequence[Mapping[str, Any]]) -> tuple[list[Document], bool]:  # fmt: skip
    """The report's documents: the article (or file) the report link answered, then its attachments in the order the
    article links them (crawler.cms.attachments; the archive keeps no order), each from the archive, or with the
    reason it could not be fetched. Second: whether every archived body could be read."""
    article = Document(row["url"], row["sha256"], "article", data, content_type=row["content_type"],
                       filename=_filename(row["url"]))  # fmt: skip
    if not attachments:
        return [article], True
    text, _, _ = decode_html(data, row["content_type"])
    order = {a.url: n for n, a in enumerate(find_attachments(text, row["url"]))}
    out, complete = [article], True
    for a in sorted(attachments, key=lambda a: (order.get(a["url"], len(order)), a["url"])):
        body, error = None, a["error"]
        if a["sha256"]:
            try:
                body = archive.get(a["sha256"])
            except OSError as exc:  # CorruptObject (moved aside: the next crawl fetches it again) or missing
                error, complete = str(exc), False
        out.append(Document(a["url"], a["sha256"], "attachment", body, content_type=a["content_type"],
                            filename=_filename(a["url"]), title=a["title"], error=error))  # fmt: skip
    return out, complete


class _WatchedConverter:
    """soffice_convert, remembering whether a conversion failed (such a result is not cached)."""

    def __init__(self) -> None:
        self.failed = False

    def __call__(self, data: bytes, source_ext: str, target_ext: str) -> bytes:
        try:
            return soffice_convert(data, source_ext, target_ext)
        except BaseException:
            self.failed = True
            raise


def _parse_one(archive: ArchiveReading, row: Mapping[str, Any], attachments: Sequence[Mapping[str, Any]],
               hints: Hints, messages: list[tuple[int, str]]) -> tuple[ParseResult, bool]:  # fmt: skip
    """Parse one report; second: whether the result may be cached."""
    convert = _WatchedConverter()
    try:
        documents, complete = _documents(archive, row, archive.get(row["sha256"]), attachments)
        result = parse_report(documents, input=row["url"], hints=hints, convert=convert)
    except OSError as exc:  # the archived body is corrupt (moved aside, fetched again next crawl) or missing
        messages.append((logging.ERROR, f"cannot read the archived body of {row['url']}: {exc}"))
        return ParseResult(input=row["url"], ok=False, error=f"archived body unreadable: {exc}"), False
    except Exception as exc:  # noqa: BLE001 - policy: a parser crash on one page is recorded, not fatal
        messages.append((logging.ERROR, f"parser crashed on {row['url']}: {type(exc).__name__}: {exc}"))
        return ParseResult(input=row["url"], ok=False, error=f"parser crashed: {type(exc).__name__}: {exc}"), False
    return result, complete and not convert.failed


def _rows(job: ParseJob, chunk: Chunk, counts: dict[str, int],
          messages: list[tuple[int, str]]) -> Iterator[ReportRows]:  # fmt: skip
    archive = open_reader(job.archive)
    for row in chunk.pages:
        attachments = chunk.attachments.get(row["url"], [])
        hints = _hints(row, chunk.sites.get(row["site"] or "", {}))
        page = PageInfo(url=row["url"], sha256=row["sha256"], site=row["site"], title=row["title"],
                        list_date=hints.published_at, fetched_at=_iso(row["fetched_at"]))  # fmt: skip
        key = cache_key(row, attachments, hints)
        rows = None if job.cache is None or job.reparse else read_cached(job.cache, key)
        if rows is not None:
            counts["cached"] += 1
            yield rows.fetched(page.fetched_at)
            continue
        result, keep = _parse_one(archive, row, attachments, hints, messages)
        counts["parsed"] += 1
        rows = report_rows(page, result)
        if keep and job.cache is not None:
            write_cached(job.cache, key, rows)
        yield rows


def parse_chunk(job: ParseJob, chunk: Chunk) -> ChunkResult:
    """A chunk's frames (etl.frames.report_rows per page, then frames_of_rows), parsing what the cache does not hold
    (in a worker or inline)."""
    counts = {"parsed": 0, "cached": 0}
    messages: list[tuple[int, str]] = []
    with _fewer_collections():
        frames = frames_of_rows(_rows(job, chunk, counts, messages))
    return ChunkResult(frames, len(chunk.pages), counts["parsed"], counts["cached"], messages)


@dataclass
class WarmResult:
    """What `warm_chunk` did: reports parsed into the cache, found there already, and those left waiting (report URL
    -> the attachment URLs its article links that the chunk did not carry)."""

    parsed: int
    cached: int
    waiting: dict[str, list[str]]


def missing_attachments(archive: ArchiveReading, row: Mapping[str, Any],
                        attachments: Sequence[Mapping[str, Any]]) -> list[str]:  # fmt: skip
    """The attachment URLs the report's article links (as the crawl follows them: crawler/spiders/ogi.py
    `parse_report`, from a 200 answer that is a web page) that `attachments` does not hold. Raises OSError when the
    archived body cannot be read."""
    data = archive.get(row["sha256"])
    if row.get("status", 200) != 200 or not is_html(row["content_type"], data):
        return []
    text, _, _ = decode_html(data, row["content_type"])
    have = {safe_url_string(a["url"]) for a in attachments}
    linked = (safe_url_string(a.url) for a in find_attachments(text, row.get("final_url") or row["url"]))
    return [url for url in linked if url not in have]


def warm_chunk(job: ParseJob, chunk: Chunk) -> WarmResult:
    """Parse into the cache the chunk's reports whose every linked attachment is in the chunk (a report still
    waiting for one would be parsed under another cache key than the parse step's), reading nothing into frames.
    A report whose body cannot be read, or whose parse is not cacheable, is left to the parse step (which reports
    it)."""
    archive = open_reader(job.archive)
    ready: list[dict[str, Any]] = []
    waiting: dict[str, list[str]] = {}
    for row in chunk.pages:
        try:
            missing = missing_attachments(archive, row, chunk.attachments.get(row["url"], []))
        except OSError:
            continue
        if missing:
            waiting[row["url"]] = missing
        else:
            ready.append(row)
    counts = {"parsed": 0, "cached": 0}
    with _fewer_collections():
        for _ in _rows(job, replace(chunk, pages=ready), counts, []):
            pass
    return WarmResult(counts["parsed"], counts["cached"], waiting)


GC_YOUNG = 10_000  # allocations between two collections of the youngest generation during a chunk (Python: 700)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Cyclic garbage collection made cheaper while a chunk is parsed: the objects alive at its start (modules, the
    parser's tables, Dagster's in this process) are frozen, so no collection scans them again, and the youngest
    generation is collected every GC_YOUNG allocations instead of 700 (a chunk allocates millions: rows, tuples,
    parse trees). Measured on demo reports: about a third of the CPU of reading cached reports into frames, a tenth
    of parsing them. Both are undone at the end (the frozen objects back in the oldest generation), so garbage made
    during the chunk is still collected and nothing older is kept longer than one chunk."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def chunks(pages: Iterable[dict[str, Any]], attachments: Mapping[str, list[dict[str, Any]]],
           sites: Mapping[str, Mapping[str, Any]], size: int) -> Iterator[Chunk]:  # fmt: skip
    """Pages (sorted by URL) cut into chunks of at most `size` reports, never splitting a URL (a URL with more
    versions than `size` is one larger chunk)."""
    size = max(1, size)
    group: list[dict[str, Any]] = []  # the current URL's versions
    current: list[dict[str, Any]] = []

    def emit(rows: list[dict[str, Any]]) -> Chunk:
        urls = {r["url"] for r in rows}
        names = {r["site"] or "" for r in rows}
        return Chunk(rows, {u: attachments[u] for u in urls if u in attachments},
                     {n: dict(sites[n]) for n in names if n in sites})  # fmt: skip

    for row in pages:
        if group and row["url"] != group[0]["url"]:
            if current and len(current) + len(group) > size:
                yield emit(current)
                current = []
            current.extend(group)
            group = []
        group.append(row)
    if current and len(current) + len(group) > size:
        yield emit(current)
        current = []
    current.extend(group)
    if current:
        yield emit(current)


def chunk_size(reports: int, workers: int, limit: int = DEFAULT_CHUNK) -> int:
    """At most `limit` reports per chunk; with a pool, small enough that every worker gets about four chunks."""
    if workers <= 1:
        return max(1, limit)
    return max(1, min(limit, -(-reports // (workers * 4))))


# A process pool costs about a second to start (a forkserver importing the parser, then the workers), about what
# parsing ~100 demo reports or reading ~500 cached ones costs: the automatic worker count uses one process below.
POOL_MIN_WORK = 2000  # in cached-report units
PARSE_WEIGHT = 10  # a report to parse costs about this many cached ones (demo: 13 ms against 2 ms)


def auto_workers(to_parse: int, cached: int, cores: int | None = None) -> int:
    """Every core (`os.cpu_count()`) when the work is worth a pool's start, else 1 (in process)."""
    cores = cores or os.cpu_count() or 1
    return cores if to_parse * PARSE_WEIGHT + cached >= POOL_MIN_WORK else 1


def pool(workers: int, *, nice: int = 0) -> ProcessPoolExecutor:
    """A process pool of `workers` parsing processes: forkserver (Dagster runs threads: forking its process is
    unsafe) with this module preloaded; `nice` > 0 lowers the workers' priority by that much."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    if nice > 0:
        return ProcessPoolExecutor(workers, mp_context=context, initializer=os.nice, initargs=(nice,))
    return ProcessPoolExecutor(workers, mp_context=context)


def run_chunks(job: ParseJob, work: Iterable[Chunk], workers: int) -> Iterator[ChunkResult]:
    """Each chunk's result, in the order of `work`: inline when `workers` <= 1, else in a forkserver process pool
    with at most 2 × workers chunks in flight (the next chunk is submitted as the oldest one is taken)."""
    if workers <= 1:
        for chunk in work:
            yield parse_chunk(job, chunk)
        return
    pending: deque[Future[ChunkResult]] = deque()
    todo = iter(work)
    with pool(workers) as executor:
        try:
            for chunk in todo:
                pending.append(executor.submit(parse_chunk, job, chunk))
                if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def page_keys(pages: Iterable[Mapping[str, Any]], attachments: Mapping[str, list[dict[str, Any]]],
              sites: Mapping[str, Mapping[str, Any]]) -> list[str]:  # fmt: skip
    """The cache key of every page (`cache_key` with its attachments and its site's hints), in order."""
    return [
        cache_key(row, attachments.get(row["url"], []), _hints(row, sites.get(row["site"] or "", {})))
        for row in pages
    ]


def cached_entry(job: ParseJob, key: str) -> bool:
    """Whether the run's cache holds an entry for `key` (False without a cache)."""
    return job.cache is not None and os.path.isfile(_entry_path(job.cache, key))
