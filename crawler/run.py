"""Run the `ogi` crawl in a subprocess (the pattern that works repeatedly in one process: STACK.md §5e).

The Twisted reactor cannot restart in a process, so Dagster assets, the CLI and tests call `run_crawl`, which
runs `python -m scrapy crawl ogi ...` with a timeout and reads back what it did: the pipeline's counts (a small JSON
file, `OGI_COUNTS_FILE`) and a feed of the failed or refused requests only (`CrawlIssue` items), so that neither the
crawl nor this process handles a feed line per page.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from crawler.archive import COUNTS_SETTING, RUN_ID_SETTING, RUNS, Archive, new_run_id

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # holds scrapy.cfg and the `crawler` package
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class CrawlFailed(RuntimeError):
    """The crawl subprocess exited non-zero or timed out; the message ends with the tail of its log."""


@dataclass(frozen=True)
class CrawlStats:
    """What one crawl did, counted by its item pipeline (the items it passed on) and from its feed of issues."""

    run_id: str  # the run's log in the archive: runs/<run_id>.jsonl
    items: int  # items the crawl passed on (what a feed of every item would hold: pages, issues, resumed pages)
    reports: int  # report responses archived (any status)
    gone: int  # of which answered 404/410
    lists: int  # list answers archived (pages, record windows, API pages)
    attachments: int  # attachment files archived (any status)
    errors: int  # requests that failed (HTTP or network errors, truncated bodies, redirect loops)
    blocked: int  # requests not sent because robots.txt disallows them
    out_of_scope: int  # requests refused by the site's scope (also redirect hops)
    too_large: int  # answers refused for a body over the site's max_bytes
    new_objects: int  # bodies not in the archive before
    new_rows: int  # manifest rows added
    log_errors: int  # ERROR lines Scrapy logged (e.g. "Gave up retrying")
    spider_exceptions: int  # exceptions raised in spider callbacks (bugs, or pages that broke the parser)
    finish_reason: str | None
    seconds: float
    issues: tuple[dict[str, Any], ...]  # the failed or refused requests (CrawlIssue items: outcome, reason)


def run_crawl(
    sites: Iterable[Mapping[str, Any]] | str | Path,
    archive_dir: str | Path,
    *,
    portal: str | None = None,
    site: str | None = None,
    timeout: float = 600,
    settings: Mapping[str, Any] | None = None,
    log_path: str | Path | None = None,
    progress: TextIO | None = None,
    redis: str | None = None,
) -> CrawlStats:
    """Crawl `sites` (a sites JSON file, or site dicts) into the archive at `archive_dir`.

    Args:
        portal: base URL substituted for `{portal}` in site URLs.
        site: crawl only the site of that name.
        timeout: seconds before the crawl is killed (CrawlFailed).
        settings: extra Scrapy settings (`-s KEY=VALUE`), e.g. `{"LOG_LEVEL": "DEBUG"}`.
        log_path: where to keep the Scrapy log (default: a temporary file, discarded).
        progress: where to print a progress line per site every few seconds (pages, reports, attachments,
            failures, rate), read from the run's log in the archive; None = quiet.
        redis: a Redis URL (`redis://host:6379/0`): crawl as one process of a crawl shared through this Redis
            (crawler.distributed: scrapy-redis queue and dupefilter, one run log); every process crawling the same
            sites into one archive with the same Redis shares one crawl. The returned counts are this process's;
            `run_id` is the shared run's.
    """
    started = time.monotonic()
    run_id = new_run_id(datetime.now(UTC))
    names = [site] if site else [str(s["name"]) for s in _entries(sites)]
    shared: list[str] = []
    if redis:  # join the shared crawl before Scrapy starts: its run id names the run log the processes share
        from crawler.distributed import (REDIS_KEY_SETTING, REDIS_URL_SETTING, WORKER_SETTING, SharedCrawl,
                                         crawl_key, new_worker_id, scrapy_settings)  # fmt: skip

        key, worker = crawl_key(names), new_worker_id()
        run_id, fresh = SharedCrawl(redis, key, worker).join(run_id)
        if fresh:  # the first process: the run log starts (and `tmp/` is cleaned) before anyone writes
            Archive(archive_dir).open_run(run_id, names, datetime.now(UTC))
        settings = {**scrapy_settings(redis, key), REDIS_URL_SETTING: redis, REDIS_KEY_SETTING: key,
                    WORKER_SETTING: worker, **(settings or {})}  # fmt: skip
        shared = [key]
    with tempfile.TemporaryDirectory(prefix="ogi-crawl-") as tmp_name:
        tmp = Path(tmp_name)
        if isinstance(sites, (str, Path)):
            sites_file = Path(sites).resolve()
        else:
            sites_file = tmp / "sites.json"
            sites_file.write_text(json.dumps([dict(s) for s in sites], ensure_ascii=False), "utf-8")
        feed, counts = tmp / "issues.jsonl", tmp / "counts.json"
        feeds = {str(feed): {"format": "jsonlines", "item_classes": ["crawler.items.CrawlIssue"], "overwrite": True}}
        log = Path(log_path).resolve() if log_path else tmp / "crawl.log"
        cmd = [sys.executable, "-m", "scrapy", "crawl", "ogi",
               "-a", f"sites={sites_file}", "-a", f"archive={Path(archive_dir).resolve()}",
               "-s", f"FEEDS={json.dumps(feeds)}", "-s", f"{COUNTS_SETTING}={counts}",
               "-s", f"{RUN_ID_SETTING}={run_id}"]  # fmt: skip
        if portal:
            cmd += ["-a", f"portal={portal}"]
        if site:
            cmd += ["-a", f"site={site}"]
        # an interrupted earlier run archived these: done, not fetched again (a shared crawl resumes from its queue)
        resumable = {} if shared else Archive(archive_dir).resumable(names)
        if resumable:
            (tmp / "resume.json").write_text(json.dumps(resumable, ensure_ascii=False), "utf-8")
            cmd += ["-a", f"resume={tmp / 'resume.json'}"]
        for key, value in (settings or {}).items():
            cmd += ["-s", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
        watcher = Progress(Path(archive_dir) / RUNS / f"{run_id}.jsonl", progress, sites=len(names)) if progress else None
        returncode = _run(cmd, log, timeout, watcher)
        log_text = log.read_text("utf-8", errors="replace")
        if returncode != 0:
            raise CrawlFailed(f"crawl exited with {returncode}:\n{_tail(log_text)}")
        counted = json.loads(counts.read_text("utf-8")) if counts.is_file() else {}
        issues = tuple(_read_feed(feed))
    return _stats(run_id, counted, issues, log_text, time.monotonic() - started)


def _entries(sites: Iterable[Mapping[str, Any]] | str | Path) -> list[Mapping[str, Any]]:
    if isinstance(sites, (str, Path)):
        entries = json.loads(Path(sites).read_text("utf-8"))
        return list(entries.get("sites", []) if isinstance(entries, Mapping) else entries)
    return list(sites)


def _prctl() -> Any:
    """libc's prctl (looked up in the parent: nothing but the call itself may run between fork and exec)."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


_PRCTL = _prctl()


def _die_with_parent() -> None:
    """In the crawl child, before exec: be killed when the parent dies (a killed `ogi` or Dagster run must never
    leave a crawl running that later writes "finished" into its run log). Linux only; elsewhere a no-op."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # tldextract: bundled suffix list, no download
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    return env


class Progress:
    """Per-site crawl progress read from a run log as the crawl appends to it (pages, reports, attachments,
    failures and the rate). On a terminal (`out.isatty()`, or a given rich `console`) one live rich.progress row per
    site; elsewhere (logs, CI) one plain line per site and interval, with no control characters.

    A crawl of more than `max_rows` sites (`sites`, or the sites its log names so far) shows their totals instead:
    one row, or one line an interval, `crawl N site(s): …`; at the end the totals, then the sites with failures or
    refusals (at most `max_rows` of them, and how many more). A thousand sites are a thousand lines every few
    seconds otherwise."""

    def __init__(self, run_log: Path, out: TextIO, interval: float = 3.0, *, console: Any = None,
                 sites: int | None = None, max_rows: int = 12) -> None:  # fmt: skip
        self.run_log, self.out, self.interval = run_log, out, interval
        self.sites, self.max_rows = sites, max_rows
        self.started = time.monotonic()
        self._offset = 0
        self._last = 0.0
        self.counts: dict[str, Counter[str]] = {}
        self.totals: Counter[str] = Counter()  # the sum of `counts`, kept as lines are read
        self._bar: Any = None  # rich.progress.Progress on a terminal
        self._tasks: dict[str, Any] = {}
        isatty = getattr(out, "isatty", None)
        if console is not None or (callable(isatty) and isatty()):
            self._bar = _rich_bar(console, out)
            self._bar.start()

    def _read(self) -> None:
        if not self.run_log.is_file():
            return
        with self.run_log.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        for raw in complete.splitlines():
            try:
                row = json.loads(raw)
            except ValueError:
                continue
            if "url" in row:
                outcome = row.get("outcome") or "error"
                for c in (self.counts.setdefault(str(row.get("site")), Counter()), self.totals):
                    c["requests"] += 1
                    c[str(row.get("kind"))] += outcome in ("ok", "gone")
                    c["gone"] += outcome == "gone"
                    c["failed"] += outcome not in ("ok", "gone")

    def many(self) -> bool:
        """Whether the sites are shown as their totals (class docstring)."""
        return (self.sites if self.sites is not None else len(self.counts)) > self.max_rows

    def line(self, site: str | None, elapsed: float) -> str:
        """The counts of `site` (None: of all sites)."""
        c = self.counts[site] if site is not None else self.totals
        return (f"{c['list']} list, {c['report']} report(s), {c['attachment']} attachment(s), {c['gone']} gone, "
                f"{c['failed']} failed or refused; {c['requests'] / max(elapsed, 1e-6):.1f} requests/s")  # fmt: skip

    def poll(self, *, final: bool = False) -> None:
        """Read new log lines; on a terminal redraw the bars, else print when the interval has passed (or at the
        end)."""
        self._read()
        now = time.monotonic()
        elapsed = now - self.started
        rows = {None: self._label()} if self.many() else {site: f"crawl {site}" for site in sorted(self.counts)}
        if self._bar is not None:
            for site, label in rows.items():
                if site not in self._tasks:
                    self._tasks[site] = self._bar.add_task(label, total=None, counts="")
                done = (self.counts[site] if site is not None else self.totals)["requests"]
                self._bar.update(self._tasks[site], description=label, completed=done, counts=self.line(site, elapsed))
            if final:
                for task in self._tasks.values():  # a full bar, no longer pulsing
                    done = max(self._bar.tasks[task].completed, 1)
                    self._bar.update(task, total=done, completed=done)
                self._bar.stop()  # draws the last state
                self._bar = None
                self._failures()
            else:
                self._bar.refresh()
            return
        if final or now - self._last >= self.interval:
            self._last = now
            for site, label in rows.items():
                print(f"{label}: {self.line(site, elapsed)}", file=self.out, flush=True)
            if final:
                self._failures()

    def _label(self) -> str:
        return f"crawl {self.sites if self.sites is not None else len(self.counts)} site(s)"

    def _failures(self) -> None:
        """At the end of a crawl shown as totals: the sites with failures or refusals, `max_rows` at most."""
        if not self.many():
            return
        failed = sorted(site for site, c in self.counts.items() if c["failed"])
        elapsed = time.monotonic() - self.started
        for site in failed[: self.max_rows]:
            print(f"crawl {site}: {self.line(site, elapsed)}", file=self.out, flush=True)
        if len(failed) > self.max_rows:
            print(f"… and {len(failed) - self.max_rows} more site(s) with failures or refusals (the run log in the "
                  f"archive has every one)", file=self.out, flush=True)  # fmt: skip

    def close(self) -> None:
        """Stop the live display (the crawl failed or was interrupted); idempotent."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _rich_bar(console: Any, out: TextIO) -> Any:
    """A rich.progress display: spinner, `crawl SITE`, a bar (pulsing while the size is unknown), counts, time."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress as RichProgress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Column

    return RichProgress(  # on a narrow terminal the counts are cut, never the site's name
        SpinnerColumn(), TextColumn("[bold]{task.description}", table_column=Column(no_wrap=True)),
        BarColumn(bar_width=10), TimeElapsedColumn(),
        TextColumn("{task.fields[counts]}", table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1)),
        console=console or Console(file=out), auto_refresh=False, transient=False, expand=True,
    )  # fmt: skip


def _run(cmd: list[str], log: Path, timeout: float, progress: Progress | None = None) -> int:
    """Run `cmd` with output to `log` (polling `progress`); kill its whole process group on timeout."""
    deadline = time.monotonic() + timeout
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            cmd, cwd=PROJECT_ROOT, env=_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent,  # noqa: PLW1509 - only prctl, async-signal-safe
        )  # fmt: skip
        try:
            while True:
                try:
                    code = proc.wait(timeout=min(1.0, max(deadline - time.monotonic(), 0.01)))
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() >= deadline:
                        raise
                    if progress:
                        progress.poll()
            if progress:
                progress.poll(final=True)
            return code
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise CrawlFailed(
                f"crawl timed out after {timeout:g} s:\n{_tail(log.read_text('utf-8', errors='replace'))}"
            ) from None
        except BaseException:
            _kill(proc)
            raise
        finally:
            if progress:
                progress.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Stop the crawl's process group: SIGTERM (graceful), SIGTERM again (Scrapy forces shutdown), SIGKILL.

    Scrapy's graceful stop waits for requests in flight; the archive needs no grace (atomic writes).
    """
    for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _read_feed(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


_STAT = re.compile(r"'(log_count/ERROR|finish_reason|spider_exceptions/[\w.]+)': '?([\w.]+)'?")


def _stats(
    run_id: str, counts: Mapping[str, int], issues: tuple[dict[str, Any], ...], log_text: str, seconds: float
) -> CrawlStats:
    """`counts`: the pipeline's (crawler.pipelines.ArchivePipeline.item_scraped); `issues`: the CrawlIssue feed."""
    found = dict(_STAT.findall(log_text))  # from Scrapy's "Dumping Scrapy stats" at the end of the log
    return CrawlStats(
        run_id=run_id,
        items=int(counts.get("items", 0)),
        reports=int(counts.get("report", 0)),
        gone=int(counts.get("gone", 0)),
        lists=int(counts.get("list", 0)),
        attachments=int(counts.get("attachment", 0)),
        errors=sum(1 for r in issues if r["outcome"] == "error"),
        blocked=sum(1 for r in issues if r["outcome"] == "blocked"),
        out_of_scope=sum(1 for r in issues if r["outcome"] == "out_of_scope"),
        too_large=sum(1 for r in issues if r["outcome"] == "too_large"),
        new_objects=int(counts.get("new_objects", 0)),
        new_rows=int(counts.get("new_rows", 0)),
        log_errors=int(found.get("log_count/ERROR", 0)),
        spider_exceptions=sum(int(v) for k, v in found.items() if k.startswith("spider_exceptions/")),
        finish_reason=found.get("finish_reason"),
        seconds=round(seconds, 3),
        issues=issues,
    )
