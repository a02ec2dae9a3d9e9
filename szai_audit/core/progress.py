"""Progress on long runs: a bar per stage of an audit (tqdm, on stderr), and each stage's seconds.

An audit runs inside :func:`clock`; each of its stages (:data:`STAGES`: predictions, bootstrap,
proxies, flip test, explanation, recourse, fix cost, report; and the notices written after)
is a :func:`stage` block, which times it and, once it has run for :data:`DELAY` seconds,
shows a bar. Work inside a stage that knows how
much is left (partitions of a Dask DataFrame, rows to explain) sets the bar's total and advances
it. Bars are shown only when stderr is a terminal, the environment has no ``CI`` variable, and
the audit was not made with ``verbose=False``: notebooks, logs and CI stay silent.

A stage entered again while it runs (the explanation engine inside the audit's explanation
stage) is the same stage: one bar, timed once. Outside :func:`clock` (an engine called on its
own), a stage shows its bar under the same rules and records nothing.

>>> with clock(verbose=False) as c:
...     with stage("bootstrap") as bar:
...         bar.update(1)
>>> list(c.seconds)
['bootstrap']
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TextIO

from tqdm import tqdm

__all__ = [
    "DELAY",
    "STAGES",
    "Clock",
    "Stage",
    "clock",
    "interactive",
    "stage",
    "stream",
]

#: Seconds a stage runs before its bar appears: short runs print nothing.
DELAY = 3.0
#: The stages of an audit, in the order they run; ``result.manifest["stage_seconds"]``.
STAGES = (
    "predictions",
    "bootstrap",
    "proxies",
    "flip test",
    "explanation",
    "recourse",
    "fix cost",
    "report",
    "notices",
)


def stream() -> TextIO:
    """Where the bars are drawn: stderr."""
    return sys.stderr


def interactive() -> bool:
    """Whether a bar may be shown: stderr is a terminal and ``CI`` is not set."""
    isatty = getattr(stream(), "isatty", None)
    try:
        on_terminal = bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # a closed or detached stream
        on_terminal = False
    return on_terminal and not os.environ.get("CI")


class Stage:
    """The bar of one running stage; ``start`` and ``update`` are safe when no bar shows."""

    def __init__(self, name: str, bar: tqdm) -> None:
        self.name = name
        self._bar = bar
        self._started = time.perf_counter()
        self._ended: float | None = None

    def finish(self) -> None:
        """Close the bar and stop the time."""
        self._bar.close()
        self._ended = time.perf_counter()

    def seconds(self) -> float:
        """Seconds since the stage began, or that it ran once it has ended."""
        return (self._ended or time.perf_counter()) - self._started

    def start(self, total: int, what: str | None = None) -> None:
        """(Re)start the count: ``total`` units of work (partitions, rows) and, when given,
        what they are (``"reading the data (1/2)"``)."""
        self._bar.reset(total=int(total))
        if what is not None:
            self._bar.set_description(f"szai_audit {self.name}: {what}", refresh=False)

    def update(self, n: int = 1) -> None:
        """``n`` more units of the stage's work done."""
        self._bar.update(n)


@dataclass
class Clock:
    """One audit's stages: whether bars may show (``verbose``) and each stage's seconds."""

    verbose: bool = True
    seconds: dict[str, float] = field(default_factory=dict)
    running: dict[str, Stage] = field(default_factory=dict)

    def rounded(self) -> dict[str, float]:
        """Each stage's seconds to the millisecond, in the order of :data:`STAGES`."""
        order = {name: i for i, name in enumerate(STAGES)}
        names = sorted(self.seconds, key=lambda s: order.get(s, len(order)))
        return {name: round(self.seconds[name], 3) for name in names}


_CURRENT: ContextVar[Clock | None] = ContextVar("szai_audit_clock", default=None)


@contextmanager
def clock(verbose: bool = True) -> Iterator[Clock]:
    """Time the stages run inside; with ``verbose=False`` no bar is shown."""
    c = Clock(verbose=bool(verbose))
    token = _CURRENT.set(c)
    try:
        yield c
    finally:
        _CURRENT.reset(token)


@contextmanager
def stage(name: str, total: int | None = None, *, show: bool = True) -> Iterator[Stage]:
    """One stage: timed under ``name`` in the running :func:`clock`, with a bar once it has
    run :data:`DELAY` seconds (when bars may show; ``show=False`` never shows one)."""
    c = _CURRENT.get()
    if c is not None and name in c.running:
        outer = c.running[name]
        if total is not None:
            outer.start(total)
        yield outer
        return
    show = show and interactive() and (c is None or c.verbose)
    bar = tqdm(
        total=total,
        desc=f"szai_audit {name}",
        disable=not show,
        delay=DELAY,
        leave=False,
        file=stream(),
        dynamic_ncols=True,
    )
    s = Stage(name, bar)
    if c is not None:
        c.running[name] = s
    try:
        yield s
    finally:
        s.finish()
        if c is not None:
            del c.running[name]
            c.seconds[name] = c.seconds.get(name, 0.0) + s.seconds()
