"""The real corpus as one more portal site: pages of www.pingtan.gov.cn served under `/pingtan/` at their
original URL path, bytes exactly as stored (read at runtime from the corpus directory, never copied).

Corpus layout: `<corpus>/<dir>/SOURCES.tsv` (columns `file`, `original_url`, …) next to the stored files.
A file named `_list*` is the real report list; it is also served as `nlist.htm` in its directory (the list's
canonical URL). That list is a Fujian TRS "动静结合" list (portal.families.trsapi): page 1 is static and page 2
comes from `POST /fjdzapp/search` (`channelid` = the page's `SiteInfo.searchId`, 200210; `classsql=chnlid=1813`;
`prepage` 10). **Generated** (not pages of www.pingtan.gov.cn, listed in `Corpus.generated_paths`):

- `POST /pingtan/fjdzapp/search` (also at the host root, portal.server): API page 1 is the static page's ten
  items (titles, hrefs and dates read from the real list); page 2 lists the corpus's government reports in the
  list's directory that page 1 does not link (titles from the stored files' names, dates from their URLs),
  newest first. The real page 2 has ten rows (`recordCount: '20'`); only the five stored ones are served.
- `/pingtan/_archive/index.html`: links what the API cannot reach, the department reports of pingtan-more
  (other columns' lists, not stored), marked as generated in an HTML comment;
- `/pingtan/`: a home page linking the list as 政府信息公开年报 (the real home page is not stored).

Real pages' bytes are served unchanged.
"""

from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from portal.families import trsapi
from portal.families.base import Endpoint

PREFIX = "/pingtan"
HOST = "www.pingtan.gov.cn"
ARCHIVE_PATH = f"{PREFIX}/_archive/index.html"
HOME_PATH = f"{PREFIX}/"
API_PATH = f"{PREFIX}/{trsapi.API}"
CONTENT_TYPE = "text/html"
SITE = {
    "name": "pingtan",
    "agency": "平潭综合实验区管理委员会",
    "region": {"province": "福建省", "city": "福州市", "county": "平潭县", "code": "350128"},
}
_LINK = re.compile(r'href="(\./\d{6}/t\d{8}_\d+\.htm)"')
_DATE = re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+\.htm$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_STATIC_ITEM = re.compile(r'<a href="(\./\d{6}/t\d{8}_\d+\.htm)"[^>]*title="([^"]*)"[^>]*>.*?</dd>\s*<dd[^>]*>\s*(\d{4}-\d{2}-\d{2})', re.DOTALL)


@dataclass
class Corpus:
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    reports: list[dict] = field(default_factory=list)  # {path, title, report_year, published_at}
    list_paths: list[str] = field(default_factory=list)
    missing_paths: list[str] = field(default_factory=list)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    searches: list[trsapi.Search] = field(default_factory=list)
    list_requests: list[dict] = field(default_factory=list)  # {method, path, form?} of a correct crawler
    generated_paths: list[str] = field(default_factory=list)  # pages and endpoints that are not real pages
    home_path: str | None = None


def load_corpus(root: Path) -> Corpus:
    """Read the stored pages of www.pingtan.gov.cn under `root`."""
    corpus = Corpus()
    titles: dict[str, str] = {}
    list_files: list[tuple[str, bytes]] = []
    for sources in sorted(root.glob("*/SOURCES.tsv")):
        with sources.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                url = row["original_url"].split()[0]  # the list row has a remark after the URL
                parts = urlsplit(url)
                if parts.hostname != HOST:
                    continue
                data = (sources.parent / row["file"]).read_bytes()
                path = PREFIX + parts.path
                corpus.pages[path] = (data, CONTENT_TYPE)
                if row["file"].startswith("_list"):
                    list_files.append((path, data))
                else:
                    titles[path] = re.sub(r"^\d+_", "", Path(row["file"]).stem)
    linked: set[str] = set()
    for path, data in list_files:
        directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        corpus.pages[directory + "nlist.htm"] = (data, CONTENT_TYPE)
        corpus.list_paths.append(path)
        corpus.list_requests.append({"method": "GET", "path": path})
        for href in _LINK.findall(data.decode("utf-8", errors="replace")):
            target = urljoin(directory, href)
            if target in titles:
                linked.add(target)
            elif target not in corpus.missing_paths:
                corpus.missing_paths.append(target)
    for path, title in sorted(titles.items()):
        date = _DATE.search(path)
        year = _YEAR.search(title)
        corpus.reports.append(
            {
                "path": path,
                "title": title,
                "report_year": int(year.group(1)) if year else None,
                "published_at": f"{date[1]}-{date[2]}-{date[3]}" if date else None,
            }
        )
    unreachable = [r for r in corpus.reports if r["path"] not in linked]
    for path, data in list_files:
        unreachable = _serve_search(corpus, path, data.decode("utf-8", errors="replace"), unreachable)
    if unreachable:
        corpus.pages[ARCHIVE_PATH] = (_archive_page(unreachable), "text/html; charset=utf-8")
        corpus.list_paths.append(ARCHIVE_PATH)
        corpus.list_requests.append({"method": "GET", "path": ARCHIVE_PATH})
        corpus.generated_paths.append(ARCHIVE_PATH)
    if corpus.list_paths:
        corpus.home_path = HOME_PATH
        corpus.pages[HOME_PATH] = (_home_page(corpus.list_paths[0]), "text/html; charset=utf-8")
        corpus.generated_paths.append(HOME_PATH)
    return corpus


def _serve_search(corpus: Corpus, path: str, text: str, unreachable: list[dict]) -> list[dict]:
    """The `/fjdzapp/search` channel of a real 动静结合 list: page 1 its static items, then the stored reports of
    its directory that it does not link. Returns the reports still unreachable (other directories)."""
    search_id = re.search(r"searchId:\s*(\d+)", text)
    chnlid = re.search(r"chnlid=(\d+)", text)
    prepage = re.search(r"prepage:\s*(\d+)", text)
    if not (search_id and chnlid and prepage and "list2.trsapi" in text):
        return unreachable
    directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    channel, per_page = int(chnlid[1]), int(prepage[1])
    rows = [
        trsapi.row(title=html.unescape(title), path=urljoin(directory, href), released=f"{day} 00:00:00",
                   chnlid=channel, source=SITE["agency"], idxid="")
        for href, title, day in _STATIC_ITEM.findall(text)
    ]  # fmt: skip
    below = sorted((r for r in unreachable if r["path"].startswith(directory)),
                   key=lambda r: (r["published_at"] or "", r["path"]), reverse=True)  # fmt: skip
    rows += [
        trsapi.row(title=r["title"], path=r["path"], released=f"{r['published_at']} 00:00:00", chnlid=channel,
                   source=SITE["agency"], idxid="")
        for r in below
    ]  # fmt: skip
    search = trsapi.Search(int(search_id[1]), channel, rows, per_page)
    corpus.searches.append(search)
    corpus.endpoints[API_PATH] = search
    corpus.generated_paths.append(API_PATH)
    form = {"channelid": search_id[1], "classsql": f"chnlid={channel}", "sortfield": trsapi.SORT, "prepage": str(per_page)}
    for page in range(2, -(-len(rows) // per_page) + 1):
        corpus.list_requests.append({"method": "POST", "path": API_PATH, "form": form | {"page": str(page)}})
    return [r for r in unreachable if r not in below]


def _home_page(list_path: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>平潭综合实验区党工委管委会</title>\n</head>\n<body>\n'
        "<!-- Generated by the ogi-warehouse demo portal; not a page of www.pingtan.gov.cn (its home page is not\n"
        "     stored). It links the real list of reports. -->\n"
        f'<ul class="nav"><li><a href="{list_path}">政府信息公开年报</a></li></ul>\n</body>\n</html>\n'
    ).encode()


def _archive_page(reports: list[dict]) -> bytes:
    items = "\n".join(
        f'<li><a href="{html.escape(r["path"])}" title="{html.escape(r["title"])}">{html.escape(r["title"])}</a> '
        f'<span>{r["published_at"] or ""}</span></li>'
        for r in sorted(reports, key=lambda r: (r["published_at"] or "", r["path"]), reverse=True)
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>政府信息公开年报（补充目录）</title>\n</head>\n<body>\n'
        "<!-- Generated by the ogi-warehouse demo portal; not a page of www.pingtan.gov.cn. The corpus reports that\n"
        "     neither the real list nor its search API (page 2) reaches are linked here with their titles. -->\n"
        f'<h1>政府信息公开年报（补充目录）</h1>\n<ul class="list">\n{items}\n</ul>\n</body>\n</html>\n'
    ).encode()
