"""Items of the `ogi` spider. `RawPage` carries body bytes to the archive pipeline, which replaces it with the small
`ArchivedPage` (what the feed file holds); `CrawlIssue` reports a URL that yielded no archived response;
`ResumedPage` a URL whose archived answer stands for this run's (logged, nothing archived)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

PageKind = Literal["report", "list", "attachment"]
# What became of a request that gave nothing to archive (crawl_seen.outcome; archived answers are `ok` or `gone`).
Outcome = Literal["error", "blocked", "out_of_scope", "too_large"]


@dataclass
class RawPage:
    """A fetched response, body as received."""

    kind: PageKind
    url: str  # the URL requested (before redirects)
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # ISO-8601 UTC
    site: str
    title: str | None = None  # anchor text on the list page (reports)
    list_url: str | None = None  # the list page that linked here
    list_date: str | None = None  # ISO date printed next to the link
    parent_url: str | None = None  # attachments: the report article that links the file
    family: str | None = None  # list pages: the CMS family that read it (crawler.cms)

    def manifest_row(self, sha256: str) -> dict[str, Any]:
        """The archive manifest row for this page once its body is stored as `sha256`."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "headers": self.headers,
            "fetched_at": self.fetched_at,
            "sha256": sha256,
            "size": len(self.body),
            "site": self.site,
            "kind": self.kind,
            "title": self.title,
            "list_url": self.list_url,
            "list_date": self.list_date,
            "parent_url": self.parent_url,
            "family": self.family,
        }


@dataclass
class ArchivedPage:
    """A page stored in the archive (one feed line, no body)."""

    kind: PageKind
    url: str
    final_url: str
    status: int
    sha256: str
    size: int
    fetched_at: str
    site: str
    title: str | None
    list_url: str | None
    list_date: str | None
    parent_url: str | None
    family: str | None
    new_object: bool  # the body was not in the archive before
    new_row: bool  # the (url, sha256) pair was not in the manifest before


@dataclass
class CrawlIssue:
    """A request that produced nothing to archive: an HTTP or download error (timeout, reset, truncated body, redirect
    loop), a robots.txt block, a scope refusal (also of one redirect hop), a body over the size cap."""

    outcome: Outcome
    url: str
    site: str
    error: str
    status: int | None = None
    page_kind: PageKind | None = None
    title: str | None = None
    list_url: str | None = None
    parent_url: str | None = None  # a failed attachment: its report article


@dataclass
class ResumedPage:
    """A URL whose archived answer stands for this run's: the run log gets its line (archived status and sha256, and
    why), the manifest nothing. Without `reason`: a report or attachment a crawl run that did not finish archived,
    taken as done and not fetched again (`run_id`, the interrupted run). With `reason`: an answer the crawl knows is
    unchanged: answered 304 Not Modified to a conditional request, a 200 with the archived body, or not requested
    at all because its list entry is unchanged (the site's `revisit` "listed"; crawler.httpcache)."""

    url: str
    site: str
    kind: PageKind
    status: int
    sha256: str
    run_id: str | None  # the interrupted run (None: not resumed)
    parent_url: str | None = None
    reason: str | None = None  # the run-log reason; None = "archived by the interrupted run <run_id>"


@dataclass
class ResumedPages:
    """Several `ResumedPage`s as one item: the reports one list answer lists unchanged, with their attachments. Their
    run-log lines are written in one append, and Scrapy passes one item instead of one a URL (a run with nothing new
    logs every listed report)."""

    pages: list[ResumedPage]
