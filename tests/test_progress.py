"""Progress on long CLI work: rich bars on a terminal (simulated: rich Console(force_terminal=True) on a StringIO),
plain lines without control characters everywhere else (logs, CI)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from crawler.run import Progress
from dagster_project.progress import bar

ROWS = [
    {"url": "http://a/list", "site": "zqhjj", "kind": "list", "outcome": "ok"},
    {"url": "http://a/1.html", "site": "zqhjj", "kind": "report", "outcome": "ok"},
    {"url": "http://a/2.html", "site": "zqhjj", "kind": "report", "outcome": "gone"},
    {"url": "http://a/f.pdf", "site": "zqhjj", "kind": "attachment", "outcome": "ok"},
    {"url": "http://b/1.html", "site": "quzhou", "kind": "report", "outcome": "error"},
]
CONTROL = ("\x1b", "\r", "━")  # ANSI escapes, carriage returns, bar glyphs


def run_log(tmp_path: Path) -> Path:
    log = tmp_path / "run.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in ROWS) + '{"url": "http://a/partial', encoding="utf-8")
    return log


class Pipe(io.StringIO):
    def isatty(self) -> bool:  # a log file, a CI pipe
        return False


def test_crawl_progress_in_a_log_is_plain_lines(tmp_path: Path) -> None:
    out = Pipe()
    progress = Progress(run_log(tmp_path), out)
    progress.poll(final=True)
    text = out.getvalue()
    assert not any(c in text for c in CONTROL), repr(text)
    lines = text.splitlines()
    assert [line.split(";")[0] for line in lines] == [
        "crawl quzhou: 0 list, 0 report(s), 0 attachment(s), 0 gone, 1 failed or refused",
        "crawl zqhjj: 1 list, 2 report(s), 1 attachment(s), 1 gone, 0 failed or refused",
    ]  # the unfinished last line of the log is not read yet
    assert all(line.endswith("requests/s") for line in lines)


def test_crawl_progress_on_a_terminal_is_a_rich_bar_per_site(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160)
    progress = Progress(run_log(tmp_path), out, console=console)
    progress.poll()
    assert "crawl zqhjj" in out.getvalue()  # drawn while the crawl runs
    progress.poll(final=True)
    text = out.getvalue()
    assert "\x1b[" in text and "━" in text  # a terminal's bar
    assert "crawl zqhjj" in text and "crawl quzhou" in text
    assert "1 list, 2 report(s), 1 attachment(s), 1 gone, 0 failed or refused" in text
    assert "0 list, 0 report(s), 0 attachment(s), 0 gone, 1 failed or refused" in text
    progress.close()  # idempotent after the final poll


def test_parse_bar_only_on_a_terminal() -> None:
    out = Pipe()
    with bar("parse", 10, out=out) as advance:
        advance(4)
        advance(6)
    assert out.getvalue() == ""  # nothing drawn in logs
    tty = io.StringIO()
    with bar("parse", 10, console=Console(file=tty, force_terminal=True, width=100)) as advance:
        advance(4)
        advance(6)
    text = tty.getvalue()
    assert "parse" in text and "10/10" in text and "reports" in text and "━" in text


def test_crawl_progress_of_many_sites_is_their_totals(tmp_path: Path) -> None:
    """More sites than rows: one totals line an interval, then at the end the sites with failures (at most
    `max_rows`) and how many more."""
    rows = [{"url": f"http://s{i}/list", "site": f"s{i:02d}", "kind": "list", "outcome": "ok"} for i in range(20)]
    rows += [{"url": f"http://s{i}/1.html", "site": f"s{i:02d}", "kind": "report", "outcome": "error"} for i in range(5)]
    log = tmp_path / "run.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = Pipe()
    progress = Progress(log, out, sites=20, max_rows=3)
    progress.poll(final=True)
    lines = [line.split(";")[0] for line in out.getvalue().splitlines()]
    assert lines == [
        "crawl 20 site(s): 20 list, 0 report(s), 0 attachment(s), 0 gone, 5 failed or refused",
        "crawl s00: 1 list, 0 report(s), 0 attachment(s), 0 gone, 1 failed or refused",
        "crawl s01: 1 list, 0 report(s), 0 attachment(s), 0 gone, 1 failed or refused",
        "crawl s02: 1 list, 0 report(s), 0 attachment(s), 0 gone, 1 failed or refused",
        "… and 2 more site(s) with failures or refusals (the run log in the archive has every one)",
    ]
    tty = io.StringIO()
    progress = Progress(log, tty, console=Console(file=tty, force_terminal=True, width=160), sites=20, max_rows=3)
    progress.poll(final=True)
    text = tty.getvalue()
    assert "crawl 20 site(s)" in text and "20 list, 0 report(s)" in text and "crawl s00" in text
    assert "crawl s03" not in text and "… and 2 more site(s)" in text
