"""Attachment links of a report article: the files that may print the report (PDF, DOC, DOCX, XLS, XLSX, WPS,
ET, ODT, ODS), pure (decoded HTML in, links out).

Found as
- anchors whose path or query names such a file: `./P020230112….pdf` (TRS), `/module/download/downfile.jsp?
  classid=0&filename=9b2e….pdf` (Hanweb), `/attach/0/2402….pdf`, `/attachment/0/306/306724/3255421.pdf` (gkmlpt);
- anchors whose text says 附件/下载/原文 (the file type is then known from the answer's Content-Type);
- file links inside scripts: TRS's `var file_appendix='<a href="./P0….docx">…</a>'`, gkmlpt's
  `window._CONFIG.DETAIL` (quotes escaped as `\\u0022`, slashes as `\\/`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "odt", "ods")
_EXT = re.compile(r"\.(" + "|".join(EXTENSIONS) + r")$", re.IGNORECASE)
_LINK_WORDS = re.compile(r"附件|下载|原文")
_NOT_FILE_WORDS = re.compile(r"中心|专区|栏目|频道|客户端|APP|App|app")
_PAGE_PATH = re.compile(r"(?:\.s?html?|/)$", re.IGNORECASE)
_EXT_ALT = "|".join(EXTENSIONS)
_EXT_ANYWHERE = re.compile(r"\.(?:" + _EXT_ALT + ")", re.IGNORECASE)
# file links inside scripts: an href (`href=\"./P0….docx\"`), or a quoted path (with a slash: a bare file name in
# a script is a name shown to people, not a link)
_SCRIPT_HREF = re.compile(r"""href\s*=\s*\\?["']([^"'<>\s\\]+?\.(?:""" + _EXT_ALT + r"""))(?:\?[^"'<>\s\\]*)?\\?["']""", re.IGNORECASE)
_SCRIPT_PATH = re.compile(r"""["']([^"'<>\s\\]*/[^"'<>\s\\]*?\.(?:""" + _EXT_ALT + r"""))(?:\?[^"'<>\s\\]*)?["']""", re.IGNORECASE)
_SKIP = ("javascript:", "mailto:", "tel:", "data:", "#")
MAX_ATTACHMENTS = 20  # per article: a page listing more files than this is not one report's attachments


HTML_TYPES = ("text/html", "application/xhtml", "text/plain")


def is_html(content_type: str | None, body: bytes) -> bool:
    """Whether a report answer is a web page (that may link attachments) rather than a file: by its Content-Type,
    else by its first bytes."""
    ctype = (content_type or "").lower()
    if ctype:
        return ctype.startswith(HTML_TYPES)
    return body[:512].lstrip()[:1] == b"<"


@dataclass(frozen=True)
class Attachment:
    url: str
    title: str | None  # link text (the file's human name), when printed


def file_type(url: str) -> str | None:
    """The document type a URL names by its path or a query value (`filename=….pdf`), lower case."""
    parts = urlsplit(url)
    for candidate in (unquote(parts.path), *(unquote(v) for _, v in parse_qsl(parts.query))):
        if m := _EXT.search(candidate.strip()):
            return m[1].lower()
    return None


def _may_name_file(href: str) -> bool:
    """False only when `file_type(href)` is certainly None: no extension in it, nothing percent-encoded, and none of
    the tab/CR/LF that urlsplit removes (a cheap test before splitting and unquoting every link of a page)."""
    return "%" in href or _EXT_ANYWHERE.search(href) is not None or not href.isprintable()


def _file_words(text: str | None, href: str) -> bool:
    """A link whose text says it is a file (附件1, 下载附件, 原文下载) and whose URL is not a web page."""
    if not text or len(text) > 60 or not _LINK_WORDS.search(text) or _NOT_FILE_WORDS.search(text):
        return False
    return not _PAGE_PATH.search(urlsplit(href.strip()).path or "/")


def find_attachments(html: str, url: str) -> list[Attachment]:
    """The article's attachment links in page order, deduplicated, at most MAX_ATTACHMENTS."""
    try:
        doc = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1))
    except (etree.ParserError, ValueError):
        return []
    base = urljoin(url, (doc.xpath("//base/@href") or [""])[0].strip())
    found: dict[str, Attachment] = {}

    def add(href: str, title: str | None) -> None:
        href = href.strip()
        if not href or href.lower().startswith(_SKIP):
            return
        target = urldefrag(urljoin(base, href))[0]
        if target != urldefrag(url)[0] and target not in found and urlsplit(target).scheme in ("http", "https"):
            found[target] = Attachment(target, title)

    # an anchor's text is read only where it can matter: for a link naming a file (its title), or when the page
    # prints a file word at all (附件/下载/原文, or a character reference that may spell one); most links are neither
    words = "&#" in html or bool(_LINK_WORDS.search(html))
    for a in doc.iter("a"):
        href = a.get("href") or ""
        typed = _may_name_file(href) and file_type(href) is not None
        if not typed and not words:
            continue
        text = " ".join("".join(a.itertext()).split()) or a.get("title") or a.get("alt")
        if typed or _file_words(text, href):
            add(href, text or None)
    for script in doc.iter("script"):
        code = (script.text or "").replace("\\u0022", '"').replace("\\/", "/")
        for pattern in (_SCRIPT_HREF, _SCRIPT_PATH):
            for m in pattern.finditer(code):
                add(m[1], None)
    return list(found.values())[:MAX_ATTACHMENTS]
