"""Progress bars for long CLI work (rich.progress), shown only on a terminal: in logs and CI nothing is drawn.

The Dagster run logs every stage itself (context.log.info); a bar is for the person watching `ogi run`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO


_terminal: TextIO | None = None


def attach_terminal() -> TextIO | None:
    """Called by the CLI before a run: when stderr is a terminal, keep a copy of it for progress bars. Dagster's
    compute-log capture points file descriptor 2 at a file during each step (mirrored back by `tail`), so a step
    sees no terminal on sys.stderr; bars drawn on the copy reach the terminal directly and stay out of the
    captured logs."""
    global _terminal  # noqa: PLW0603 - one terminal per process
    if _terminal is None and on_terminal(sys.stderr):
        _terminal = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1, encoding="utf-8", closefd=True)
    return _terminal


def terminal() -> TextIO | None:
    """The CLI's terminal (attach_terminal), or None: not on a terminal, or not run from the CLI."""
    return _terminal


def on_terminal(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(callable(isatty) and isatty())


@contextmanager
def bar(label: str, total: int, unit: str = "reports", *, enabled: bool = True, out: TextIO | None = None,
        console: Any = None) -> Iterator[Callable[[int], None]]:  # fmt: skip
    """A bar `LABEL ━━━━ done/total UNIT elapsed` for the block, advanced by the callable it yields. Drawn when
    `enabled` and `out` (default stderr) is a terminal, or on a given rich `console`; else the callable does
    nothing."""
    out = out or terminal() or sys.stderr
    if console is None and not (enabled and on_terminal(out)):
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(bar_width=30), MofNCompleteColumn(), TextColumn(unit),
        TimeElapsedColumn(), console=console or Console(file=out), transient=False,
    )  # fmt: skip
    task = progress.add_task(label, total=max(total, 0))
    with progress:
        yield lambda n: progress.advance(task, n)
