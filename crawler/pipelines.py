"""Item pipeline: store every fetched body in the archive and record its manifest row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.archive import Archive
from crawler.items import ArchivedPage, RawPage

if TYPE_CHECKING:
    from typing_extensions import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

ARCHIVE_SETTING = "OGI_ARCHIVE_DIR"


class ArchivePipeline:
    """`RawPage` -> body into the archive, row into the manifest -> `ArchivedPage`. Other items pass through."""

    def __init__(self, archive: Archive, stats: StatsCollector) -> None:
        self.archive = archive
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        root = crawler.settings.get(ARCHIVE_SETTING)
        if not root:
            raise NotConfigured(f"{ARCHIVE_SETTING} is not set (spider argument `archive`)")
        assert crawler.stats is not None
        return cls(Archive(root), crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        sha, new_object = self.archive.put_new(item.body)
        new_row = self.archive.record(item.manifest_row(sha))
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
            new_object=new_object,
            new_row=new_row,
        )
