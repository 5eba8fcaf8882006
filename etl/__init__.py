"""Pure parsing core: bytes/str in, typed records out. No network, DuckDB or environment reads.

`PARSER_VERSION` names what the parser is: 16 hex digits of SHA-256 over every source and data file of this package
(but `evaluate.py`, the accuracy harness) and the versions of the libraries that read documents. It changes by itself
whenever parsing or the rows made of a parse (`frames.py`) may change, so rows cached under it (the `parsed_reports`
asset's cache, `<data>/parsed/<PARSER_VERSION>/`) are never reused by another parser. Computed once,
on first use (reading the package's own files), not at import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

# Files of this package outside the parse (the accuracy harness): editing them keeps cached parses.
_NOT_PARSER = frozenset({"evaluate.py"})
_PARSER_SUFFIXES = frozenset({".py", ".csv", ".json", ".yaml", ".yml", ".txt"})
# Distributions whose code reads documents for the parser (decoding, HTML, PDF, OCR, office files, numbers, t->s).
_PARSER_LIBRARIES = (
    "w3lib", "charset-normalizer", "lxml", "pymupdf", "rapidocr", "onnxruntime", "python-docx", "openpyxl",
    "python-calamine", "olefile", "cn2an", "opencc", "rapidfuzz",
)  # fmt: skip


@cache
def parser_version() -> str:
    """16 hex digits of SHA-256 over the parser's files (relative path and bytes, in path order) and the versions of
    `_PARSER_LIBRARIES` (absent ones count as absent): `source_digest`."""
    root = Path(__file__).resolve().parent
    files = (
        p for p in root.rglob("*")
        if p.is_file() and p.suffix in _PARSER_SUFFIXES and "__pycache__" not in p.parts
        and p.relative_to(root).as_posix() not in _NOT_PARSER
    )  # fmt: skip
    return source_digest(root, files, _PARSER_LIBRARIES)


def source_digest(root: Path, files: Iterable[Path], libraries: Iterable[str]) -> str:
    """16 hex digits of SHA-256 over `files` (their path relative to `root` and their bytes, in path order) and the
    installed versions of the distributions `libraries` (absent ones count as absent): what a version of some code
    is, for keys of results that code computed (parser_version, crawler.listcache)."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in libraries:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}=={version}\0".encode())
    return digest.hexdigest()[:16]


def __getattr__(name: str) -> str:
    if name == "PARSER_VERSION":
        return parser_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
