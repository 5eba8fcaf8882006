"""Bytes -> str for Chinese government pages, without trusting lying charsets.

Order: BOM -> HTTP header charset -> <meta> charset -> utf-8 -> gb18030, each tried *strictly*; a declared
charset that fails strict decoding is skipped (GBK bytes behind `<meta charset=utf-8>` are common).
charset-normalizer via w3lib is the last resort only: it guesses cp949/big5 for short GBK pages.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Chinese legacy charsets are all subsets of gb18030; decoding with the superset loses nothing.
_GB = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312"}
# Python codecs that are no page charset: they cannot decode arbitrary bytes with replacement characters, or they
# turn markup into something else. (Bytes-to-bytes codecs such as hex, base64, zlib, rot13 are refused by
# `_is_text_encoding`.) A page or header that declares one of these is ignored, as an unknown charset is.
_NOT_CHARSETS = {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "utf-7"}


def _norm(enc: str | None) -> str | None:
    if not enc:
        return None
    enc = enc.strip().strip("'\"").lower()
    if enc in _GB:
        return "gb18030"
    resolved = resolve_encoding(enc)
    if resolved in _GB:
        return "gb18030"
    if resolved is None:
        return None
    try:
        info = codecs.lookup(resolved)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return resolved


def _strict(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str, str]:
    """Decode a page. Returns (text, encoding, method) where method names the branch that decided."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc, "bom"
    header = _norm(http_content_type_encoding(content_type)) if content_type else None
    # Non-ASCII text that is valid UTF-8 is practically never GBK: a GB charset declared on it lies.
    if not data.isascii():
        utf8 = _strict(data, "utf-8")
        if utf8 is not None:
            return utf8, "utf-8", "sniff"
    if header:
        text = _strict(data, header)
        if text is not None:
            return text, header, "header"
    try:
        meta = _norm(html_body_declared_encoding(data))
    except Exception:  # noqa: BLE001 - w3lib may choke on hostile bytes; fall through to sniffing
        meta = None
    if meta and meta != header:
        text = _strict(data, meta)
        if text is not None:
            return text, meta, "meta"
    for enc in ("utf-8", "gb18030"):
        if enc in (header, meta):
            continue
        text = _strict(data, enc)
        if text is not None:
            return text, enc, "sniff"
    # Nothing decodes strictly (damaged bytes). Prefer the declared charset, else a statistical guess.
    from charset_normalizer import from_bytes

    guess = None
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        guess = _norm(best.encoding)
    enc = meta or header or guess or "utf-8"
    try:
        return data.decode(enc, errors="replace"), enc, "lossy"
    except (LookupError, UnicodeError):  # a codec that cannot replace (should not get past _norm)
        return data.decode("utf-8", errors="replace"), "utf-8", "lossy"


_NUL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str, str]:
    """`decode_bytes` plus removal of control characters that break HTML parsers."""
    text, enc, method = decode_bytes(data, content_type)
    return _NUL.sub("", text), enc, method
