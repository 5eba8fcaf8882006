"""What every CMS family of the portal shares: the request an endpoint sees, what a family's list builder returns,
and the list markup of the static families (rows of links with their dates).

An endpoint is a function of a `Request` answering `(status, body, content type)` or `(status, body, content type,
headers)`. Its answers depend on the request only (no clock, no randomness), so they are byte-identical across
processes and ports: every URL it prints is root-relative.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

Response = tuple[int, bytes, str] | tuple[int, bytes, str, dict[str, str]]
XML = "text/xml;charset=UTF-8"
JSON = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class Request:
    """One request to a dynamic endpoint: the method, the path, the query string's fields, the form fields of an
    `application/x-www-form-urlencoded` body and the parsed `application/json` body (None when absent or bad)."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None
    body: bytes = b""

    @classmethod
    def parse(cls, method: str, path: str, query: str, content_type: str | None, body: bytes) -> Request:
        kind = (content_type or "").split(";")[0].strip().lower()
        form: dict[str, str] = {}
        data = None
        if kind == "application/x-www-form-urlencoded" or (method == "POST" and not kind and b"=" in body):
            form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        elif kind.endswith("json") and body:
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                data = None
        return cls(method, path, dict(parse_qsl(query, keep_blank_values=True)), form, data, body)

    @property
    def params(self) -> dict[str, str]:
        """Query-string fields overlaid with the form fields (servers of these CMSs read both the same way)."""
        return self.query | self.form


Endpoint = Callable[[Request], Response]


@dataclass
class Listing:
    """What a family builds for one site's list: the start URL (a path, maybe with a `#fragment`), the static list
    pages and the endpoints it adds, the HTML list pages a crawler GETs (`list_paths`) and every list request a
    correct crawler makes (`requests`: {method, path, form | json}, in crawl order)."""

    start_path: str
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    list_paths: list[str] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)


def get(path: str) -> dict:
    return {"method": "GET", "path": path}


def int_param(value: str | int | None, default: int, low: int = 0, high: int = 10_000) -> int:
    """A numeric request field, clamped; `default` when missing or not a number."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def dumps(data: object) -> bytes:
    """JSON as these servers send it: UTF-8, no ASCII escaping, compact, key order as built."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def shown_title(spec: SiteSpec, title: str) -> str:
    """A list title as printed: cut to `spec.truncate` characters + "…" (the full title stays in `title=`)."""
    return title if not spec.truncate or len(title) <= spec.truncate else title[: spec.truncate] + "…"


def href(spec: SiteSpec, path: str) -> str:
    """A link to `path` as the site's lists write it: `./202301/t…html` below the column, else root-relative."""
    base = f"/{spec.name}/{spec.column}"
    return "./" + path.removeprefix(base) if spec.relative_links and path.startswith(base) else path


def list_rows(spec: SiteSpec, items: list[Article]) -> str:
    """The `<ul class="list">` / `<table class="list">` block of a static list page."""
    rows = []
    for a in items:
        link = (
            f'<a href="{html.escape(href(spec, a.path))}" title="{html.escape(a.title)}" target="_blank">'
            f"{html.escape(shown_title(spec, a.title))}</a>"
        )
        if spec.list_style == "table":
            rows.append(f'<tr><td class="bt">{link}</td><td class="rq">{a.date:%Y-%m-%d}</td></tr>')
        else:
            rows.append(f'<li>{link}<span class="date">{a.date:%Y-%m-%d}</span></li>')
    if spec.list_style == "table":
        return '<table class="list" width="100%">\n' + "\n".join(rows) + "\n</table>\n"
    return '<ul class="list">\n' + "\n".join(rows) + "\n</ul>\n"


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]
