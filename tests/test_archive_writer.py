"""The archive pipeline's writer thread (crawler/pipelines.py): run-log lines queued without waiting keep their
order behind the other writes, the close waits for them, and a write that failed fails the close instead of being
lost. (Archived bodies awaited through the thread are covered by every crawl test.)"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.archive import ARCHIVE_SETTING, RUN_ID_SETTING, Archive
from crawler.items import CrawlIssue, ResumedPage, ResumedPages
from crawler.pipelines import ArchivePipeline


def _pipeline(tmp_path: Path) -> ArchivePipeline:
    crawler = get_crawler(settings_dict={ARCHIVE_SETTING: str(tmp_path / "archive"), RUN_ID_SETTING: "r1"})
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline


def _drive(coroutine):  # process_item is a coroutine; these items never await (their lines are queued)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the item waited")


def test_queued_lines_are_written_in_order_and_the_close_waits_for_them(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    gate = threading.Event()
    assert pipeline.writer is not None
    pipeline.writer.submit(gate.wait)  # the writer is busy: every line below waits in its queue
    items = []
    for i in range(300):
        if i % 3 == 0:
            items.append(CrawlIssue(outcome="error", url=f"http://x/{i}", site="s", error="HTTP 500", status=500,
                                    page_kind="report"))  # fmt: skip
        elif i % 3 == 1:
            items.append(ResumedPage(f"http://x/{i}", "s", "report", 200, "a" * 64, None, reason="unchanged"))
        else:
            items.append(ResumedPages([ResumedPage(f"http://x/{i}", "s", "list", 200, "b" * 64, None, reason="unchanged")]))
    for item in items:
        assert _drive(pipeline.process_item(item)) is item  # passed on at once
    lines = [json.loads(x) for x in (tmp_path / "archive" / "runs" / "r1.jsonl").read_text().splitlines()]
    assert len(lines) == 1  # the header only: the lines are still queued
    gate.set()
    pipeline.close_spider()
    urls = [x["url"] for x in Archive(tmp_path / "archive").iter_run("r1")]
    assert urls == [f"http://x/{i}" for i in range(300)]


def test_a_failed_queued_write_fails_the_close(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    assert pipeline.run is not None

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    pipeline.run.seen_many = broken  # type: ignore[method-assign]
    _drive(pipeline.process_item(ResumedPage("http://x/1", "s", "report", 200, "a" * 64, None, reason="unchanged")))
    with pytest.raises(OSError, match="No space left"):
        pipeline.close_spider()
