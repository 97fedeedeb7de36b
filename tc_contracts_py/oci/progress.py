"""A byte-count progress line on stderr, for big blobs on a terminal only.

CI logs and pipes get nothing: the line is drawn only when stderr is a TTY and the blob
is larger than 1 MiB, and it is rewritten in place at most ten times a second.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

PROGRESS_THRESHOLD_BYTES = 1024 * 1024
_MIN_INTERVAL_SECONDS = 0.1
_MIB = 1024 * 1024


class Progress:
    """Call ``advance(n)`` per chunk and ``finish()`` once; does nothing when disabled."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._last_draw = 0.0
        self.enabled = _is_tty(self.stream) and (total is None or total > PROGRESS_THRESHOLD_BYTES)

    def advance(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw >= _MIN_INTERVAL_SECONDS:
            self._last_draw = now
            self._draw()

    def finish(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if self.total:
            percent = min(100.0, 100.0 * self.done / self.total)
            text = f"{self.label}  {self.done / _MIB:7.1f} / {self.total / _MIB:.1f} MiB  {percent:3.0f}%"
        else:
            text = f"{self.label}  {self.done / _MIB:7.1f} MiB"
        self.stream.write("\r" + text)
        self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress_for(label: str, total: int | None, enabled: bool) -> Progress:
    progress = Progress(label, total)
    if not enabled:
        progress.enabled = False
    return progress
