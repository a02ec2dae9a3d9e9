"""A progress bar on stderr for long stages, shown only once a stage takes more than 3 s."""

from __future__ import annotations

import sys

__all__ = ["Progress"]


class Progress:
    """A progress bar on stderr, shown only once a run has taken more than 3 seconds."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = total, label, enabled
        self.done = 0
        self.shown = False

    def update(self, n: int, elapsed: float) -> None:
        self.done += n
        if not self.enabled or elapsed < 3:
            return
        self.shown = True
        share = self.done / max(self.total, 1)
        bar = "#" * int(30 * share)
        sys.stderr.write(f"\rszai_audit {self.label}: [{bar:<30}] {self.done}/{self.total}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
