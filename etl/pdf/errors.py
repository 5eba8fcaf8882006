"""What the PDF reader refuses, and the work limits it keeps on any input."""

from __future__ import annotations

MAX_PAGES = 300
MAX_CHARS_PER_PAGE = 200_000
MAX_SEGMENTS_PER_PAGE = 8_000  # more drawn segments than that: the page is a drawing, not a table
MAX_GRID_SLOTS = 40_000  # grid slots of one ruled table (a report's largest has a few hundred)


class PdfError(Exception):
    """A PDF that cannot be read (broken, encrypted, scanned, unreadable fonts, too large). `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
