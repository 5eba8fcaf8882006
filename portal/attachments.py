"""Report attachments: a report printed as a PDF, DOCX or legacy XLS file and linked from an article the way each
CMS links its attachments.

Two uses:
- copies: an HTML report article that also links a file copy of itself (the values are printed in the article
  and, identically, in the file): Hanweb `downfile.jsp?classid=0&filename=<32 hex>.pdf` and
  `/attach/0/<digits>.pdf` links inside the body, TRS `var file_appendix='<a href="./P0….docx">…</a>';` plus
  `document.write` after the body;
- attachment-only reports (portal.apisites): the article says 详见附件 and only the file prints the values.

Files are written from the report's blocks (portal.blocks) by portal.pdfgen / portal.officegen, deterministic.
File names and ids are derived from the article path (hashes), never drawn from the sites' random streams, so
adding an attachment moves no other page.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from urllib.parse import parse_qsl

from portal.blocks import blocks
from portal.families.base import Request, Response

TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
}
DOWNFILE = "module/download/downfile.jsp"
_NOT_FOUND = b"<html><body>\xe6\x96\x87\xe4\xbb\xb6\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</body></html>"  # 文件不存在


@dataclass(frozen=True)
class Attachment:
    path: str  # root-relative URL (with its query for downfile.jsp links)
    type: str  # pdf | docx | xls
    name: str  # the file name people see (link text, alt)
    data: bytes

    @property
    def content_type(self) -> str:
        return TYPES[self.type]


def file_bytes(kind: str, title: str, body: str) -> bytes:
    """The report (`title`, body HTML fragment) as a `kind` file."""
    bl = blocks(body, title)
    if kind == "pdf":
        from portal.pdfgen import pdf_bytes

        return pdf_bytes(bl)
    from portal import officegen

    if kind == "docx":
        return officegen.docx_bytes(bl)
    if kind == "xls":
        return officegen.xlwt_bytes(bl)
    raise ValueError(f"no attachment type {kind!r}")


def digest(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def digits(seed: str, n: int) -> str:
    """`n` decimal digits derived from `seed` (no leading zero)."""
    number = str(int(digest(seed), 16))
    return ("1" + number)[:n]


def copy_of(site: str, article_path: str, style: str, title: str, body: str, published: str) -> tuple[str, str, Attachment]:
    """A file copy of a report article: (markup inside the body container, markup after it, the attachment).

    `style`: "downfile" (Hanweb downfile.jsp PDF), "attach" (Hanweb /attach/0/<digits>.pdf), "appendix" (TRS
    `./P0<date><digits>.docx` listed by `var file_appendix`); `published`: the article's date, YYYYMMDD."""
    if style == "downfile":
        path = f"/{site}/{DOWNFILE}?classid=0&filename={digest(article_path)[:32]}.pdf"
        kind = "pdf"
    elif style == "attach":
        path = f"/{site}/attach/0/{digits(article_path, 19)}.pdf"
        kind = "pdf"
    elif style == "appendix":
        path = article_path.rsplit("/", 1)[0] + f"/P0{published}{digits(article_path, 12)}.docx"
        kind = "docx"
    else:
        raise ValueError(f"no copy style {style!r}")
    name = f"{title}.{kind}"
    attachment = Attachment(path, kind, name, file_bytes(kind, title, body))
    if style == "appendix":
        link = f'<a href="./{path.rsplit("/", 1)[1]}">{html.escape(name)}</a>'
        script = (
            '<script language="javascript">\n'
            f"var file_appendix='{link}';\n"
            'if(file_appendix!=""){\n'
            "document.write('<div class=\"fj\"><table><tr><td>附件：</td><td>'+file_appendix+'</td></tr></table></div>');\n"
            "}\n</script>\n"
        )
        return "", script, attachment
    return f'<p>附件：<a href="{html.escape(path)}">{html.escape(name)}</a></p>\n', "", attachment


def serve(attachments: list[Attachment]) -> tuple[dict[str, tuple[bytes, str]], dict]:
    """Static pages for plain file paths, and one `downfile.jsp` endpoint per site for its query-string links."""
    pages: dict[str, tuple[bytes, str]] = {}
    by_endpoint: dict[str, dict[str, Attachment]] = {}
    for a in attachments:
        path, _, query = a.path.partition("?")
        if query:
            by_endpoint.setdefault(path, {})[dict(parse_qsl(query))["filename"]] = a
        else:
            pages[path] = (a.data, a.content_type)
    return pages, {path: _Downfile(files) for path, files in by_endpoint.items()}


class _Downfile:
    """Hanweb's `downfile.jsp?classid=0&filename=<name>`: the file, sent as an attachment (404 when unknown)."""

    def __init__(self, files: dict[str, Attachment]) -> None:
        self.files = files

    def __call__(self, request: Request) -> Response:
        found = self.files.get(request.params.get("filename", ""))
        if found is None:
            return 404, _NOT_FOUND, "text/html;charset=UTF-8"
        disposition = f"attachment; filename={request.params['filename']}"
        return 200, found.data, found.content_type, {"Content-Disposition": disposition}
