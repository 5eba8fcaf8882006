"""Family `gkmlpt`: Guangdong's 政府信息公开目录管理平台, a Vue app whose lists exist only as JSON (site `zqhjj`).

Faithful to research notes §5 (gd.gov.cn / gz / sz / zhaoqing spiders and saved pages):

- `/zqhjj/gkmlpt/index` is the app shell: no list in the HTML, only
  `window._CONFIG = {SID: '758019', …, TREE: [{id, name, parent_id, post_count}, …]}`; the column to show is the
  URL fragment, so the start URL is `/zqhjj/gkmlpt/index#2811` (2811 = 政府信息公开年报).
- `GET /zqhjj/gkmlpt/api/all/<catid>?page=N&sid=758019` answers
  `{"classify": {id, name, parent, post_count, theme_count}, "total": T, "articles": [{id, title, url, post_url,
  publisher, date, create_time, first_publish_time, display_publish_time, created_at, identifier,
  document_number, keywords, abstract, classify_main_name, classify_genre_name, classify_theme_name,
  is_expired, is_abolished}, …]}`, 100 articles a page, newest first, times in unix seconds (China time);
  `page` is 1-based and `page=0` answers page 1; a page past the end has no articles. `catid=0` lists every
  column. A `sid` that is not the site's answers `total` 0.
- Articles are `/zqhjj/gkmlpt/content/<id // 10**6>/<id // 10**3>/post_<id>.html`, embedding
  `window._CONFIG.DETAIL = {…}` (quotes as `\\u0022`, slashes as `\\/`, as real pages escape them) and the
  visible body `<div class="article-content">`; attachments are `<a class="nfw-cms-attachment"
  attachment-id="…" href="/zqhjj/attachment/0/<aid // 1000>/<aid>/<post id>.pdf" alt="<file name>">`.

Simplified: `url`/`post_url` are root-relative (`/zqhjj/gkmlpt/content/…`; real answers carry full URLs) so
that answers do not depend on the port: resolve them against the API URL. The column holds the reports and 100+
generated notices, so that its list needs two API pages (real 年报 columns are shorter; the page size is the
real 100). No rate limit (zhaoqing was seen answering 404 to a quick page 2); no `/gkmlpt/mindex` or policy pages.
"""

from __future__ import annotations

import html
import json
import math
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from portal.chrome import document, encode
from portal.families.base import JSON, Listing, Request, Response, dumps, get, int_param

if TYPE_CHECKING:
    from portal.spec import Article, SiteSpec

PAGE_SIZE = 100
CHINA = timezone(timedelta(hours=8))
_ID = re.compile(r"post_(\d+)\.html$")


def post_path(site: str, post_id: int) -> str:
    return f"/{site}/gkmlpt/content/{post_id // 1_000_000}/{post_id // 1_000}/post_{post_id}.html"


def attachment_path(site: str, attachment_id: int, post_id: int, ext: str) -> str:
    return f"/{site}/attachment/0/{attachment_id // 1000}/{attachment_id}/{post_id}.{ext}"


def timestamp(when: datetime) -> int:
    return int(when.replace(tzinfo=CHINA).timestamp())


def identifier(spec: SiteSpec, a: Article, seq: int) -> str:
    return f"{spec.index_code}{a.date.year}-{seq:05d}"


def article_json(spec: SiteSpec, a: Article, seq: int) -> dict:
    post_id = int(_ID.search(a.path)[1])  # type: ignore[index]
    ts = timestamp(a.date)
    return {
        "id": post_id, "title": a.title, "url": a.path, "post_url": a.path, "publisher": spec.publisher,
        "date": ts, "create_time": ts, "first_publish_time": ts, "display_publish_time": ts,
        "created_at": f"{a.date:%Y-%m-%d %H:%M:%S}", "identifier": identifier(spec, a, seq), "document_number": "",
        "keywords": "", "abstract": "", "classify_main_name": a.category,
        "classify_genre_name": "其他", "classify_theme_name": "环境保护", "is_expired": 0, "is_abolished": 0,
    }  # fmt: skip


def detail_script(detail: dict) -> str:
    """`window._CONFIG.DETAIL = {…};` escaped as gkmlpt pages escape it (`\\u0022`, `\\/`)."""
    text = json.dumps(detail, ensure_ascii=False).replace('\\"', "\\u0022").replace("/", "\\/")
    return f"<script>\nwindow._CONFIG = window._CONFIG || {{}};\nwindow._CONFIG.DETAIL = {text};\n</script>\n"


def attachment_link(attachment_id: int, path: str, name: str) -> str:
    return (
        f'<a class="nfw-cms-attachment" attachment-id="{attachment_id}" href="{html.escape(path)}" '
        f'alt="{html.escape(name)}">{html.escape(name)}</a>'
    )


def article_page(spec: SiteSpec, a: Article, seq: int, attachments: list[dict]) -> bytes:
    """A post page (`attachments`: [{id, name, url}] as DETAIL lists them)."""
    meta = article_json(spec, a, seq)
    detail = {"id": meta["id"], "title": a.title, "content": a.body, "publisher": spec.publisher,
              "identifier": meta["identifier"], "document_number": "", "classify_main_name": a.category,
              "first_publish_time": meta["first_publish_time"], "attachments": attachments}  # fmt: skip
    head = (
        f'<meta name="ArticleTitle" content="{html.escape(a.title)}">\n'
        f'<meta name="PubDate" content="{a.date:%Y-%m-%d %H:%M}">\n'
        f'<meta name="ContentSource" content="{html.escape(spec.publisher)}">\n'
    )
    fields = [("索引号", meta["identifier"]), ("分类", a.category), ("发布机构", spec.publisher),
              ("成文日期", f"{a.date:%Y-%m-%d}"), ("名称", a.title), ("发布日期", f"{a.date:%Y-%m-%d}")]  # fmt: skip
    rows = "".join(f"<tr><th>{k}：</th><td>{html.escape(v)}</td></tr>" for k, v in fields)
    main = (
        f'<div class="content-box"><table class="classify">{rows}</table>\n'
        f'<div class="article"><h1 class="title">{html.escape(a.title)}</h1>\n'
        f'<div class="article-content">\n{a.body}</div>\n</div></div>\n' + detail_script(detail)
    )
    markup = document(spec, title=a.title, head=head, main=main, charset='<meta charset="utf-8">')
    return encode(spec, markup)


def _tree(spec: SiteSpec, count: int) -> list[dict]:
    column = spec.cms["column"]
    return [
        {"id": node_id, "name": name, "parent_id": parent, "post_count": count if node_id == column else 0}
        for node_id, name, parent in spec.cms["tree"]
    ]


def index_page(spec: SiteSpec, tree: list[dict]) -> bytes:
    site = f"/{spec.name}/"
    config = (
        "window._CONFIG = {\n"
        f"    SID: '{spec.cms['sid']}',\n    SITE_NAME: '{spec.author.agency}',\n"
        f"    ROOT: '{site}gkmlpt/',\n    TREE: {json.dumps(tree, ensure_ascii=False, separators=(',', ':'))}\n}};\n"
    )
    markup = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        f"<title>{html.escape(spec.author.agency)}政府信息公开目录管理平台</title>\n"
        f'<link href="{site}gkmlpt/static/css/app.css" rel="stylesheet">\n</head>\n<body>\n'
        "<noscript><strong>请开启浏览器的JavaScript功能后访问本平台。</strong></noscript>\n"
        f'<div id="app"></div>\n<script>\n{config}</script>\n'
        f'<script src="{site}gkmlpt/static/js/chunk-vendors.js"></script>\n'
        f'<script src="{site}gkmlpt/static/js/chunk-common.js"></script>\n'
        f'<script src="{site}gkmlpt/static/js/app.js"></script>\n</body>\n</html>\n'
    )
    return markup.encode("utf-8")


class _Api:
    """`api/all/<catid>` of one column: its articles (JSON), 100 a page."""

    def __init__(self, sid: str, classify: dict, articles: list[dict]) -> None:
        self.sid, self.classify, self.articles = sid, classify, articles

    def __call__(self, request: Request) -> Response:
        if request.params.get("sid", "") != self.sid:
            return 200, dumps({"classify": self.classify, "total": 0, "articles": []}), JSON
        page = max(1, int_param(request.params.get("page"), 1, 0))
        chosen = self.articles[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return 200, dumps({"classify": self.classify, "total": len(self.articles), "articles": chosen}), JSON


def build(spec: SiteSpec, items: list[Article]) -> Listing:
    site, sid, column = f"/{spec.name}/", str(spec.cms["sid"]), spec.cms["column"]
    index = f"{site}gkmlpt/index"
    tree = _tree(spec, len(items))
    seqs = sequence(items)
    articles = [article_json(spec, a, seqs[a.path]) for a in items]
    listing = Listing(start_path=f"{index}#{column}", list_paths=[index], requests=[get(index)])
    listing.pages[index] = (index_page(spec, tree), "text/html; charset=utf-8")
    for node in [*tree, {"id": 0, "name": "全部", "parent_id": 0, "post_count": len(items)}]:
        chosen = articles if node["id"] in (0, column) else []
        classify = {"id": node["id"], "name": node["name"], "parent": node["parent_id"],
                    "post_count": len(chosen), "theme_count": len(chosen)}  # fmt: skip
        listing.endpoints[f"{site}gkmlpt/api/all/{node['id']}"] = _Api(sid, classify, chosen)
    for page in range(1, math.ceil(len(items) / PAGE_SIZE) + 1):
        listing.requests.append(get(f"{site}gkmlpt/api/all/{column}?page={page}&sid={sid}"))
    return listing


def sequence(items: list[Article]) -> dict[str, int]:
    """The 索引号 sequence of each article (oldest first), shared by the API and the article pages."""
    return {a.path: n for n, a in enumerate(sorted(items, key=lambda a: (a.date, a.path)), start=1)}
