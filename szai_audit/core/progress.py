"""Progress on long runs: a bar per stage of an audit (tqdm, on stderr), and each stage's seconds.

An audit runs inside :func:`clock`; each of its stages (:data:`STAGES`: predictions, bootstrap,
proxies, flip test, explanation, recourse, fix cost, report; and the notices written after)
is a :func:`stage` block, which times it and, once it has run for :data:`DELAY` seconds,
shows a bar. Work inside a stage that knows how
much is left (partitions of a Dask DataFrame, rows to explain) sets the bar's total and advances
it. Bars are shown on a terminal (stderr is one) and in a Jupyter notebook (tqdm's notebook
widget when ipywidgets is installed, else tqdm's text bar on the cell's stderr), never when the
environment has a ``CI`` variable or the audit was made with ``verbose=False``: logs, pipes and
CI stay silent.

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
    "in_notebook",
    "interactive",
    "stage",
    "stream",
]

#: Seconds a stage runs before its bar appears: short runs print nothing.
DELAY = 3.0
#: Seconds between two redraws of a bar.
MININTERVAL = 0.1
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


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython's ``ZMQInteractiveShell``); IPython is
    never imported for this, only asked when already loaded."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if callable(get) else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def interactive() -> bool:
    """Whether a bar may be shown: stderr is a terminal, or this is a notebook; and ``CI`` is
    not set."""
    isatty = getattr(stream(), "isatty", None)
    try:
        on_terminal = bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # a closed or detached stream
        on_terminal = False
    return (on_terminal or in_notebook()) and not os.environ.get("CI")


def _bar(name: str, total: int | None, show: bool) -> tqdm:
    """A bar: the notebook widget in a notebook with ipywidgets, else tqdm's text bar on
    :func:`stream`."""
    common = {
        "total": total,
        "desc": f"szai_audit {name}",
        "delay": DELAY,
        "leave": False,
        "mininterval": MININTERVAL,
    }
    if show and in_notebook():
        try:
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm(**common)
        except ImportError:  # no ipywidgets: tqdm's text bar, which a notebook shows too
            pass
    return tqdm(**common, disable=not show, file=stream(), dynamic_ncols=True)


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

    def add(self, total: int) -> None:
        """``total`` more units of work to do (a stage whose parts come one by one: the inputs
        of each ground's proxy check), without restarting the count or its clock."""
        bar = self._bar
        bar.total = (bar.total or 0) + int(total)
        container = getattr(bar, "container", None)  # tqdm's notebook widget: its bar's max
        if container is not None and not bar.disable:
            _, widget, _ = container.children
            widget.max = bar.total
            widget.bar_style = ""
            widget.layout.width = None
        bar.refresh()

    def describe(self, what: str) -> None:
        """Say what the stage works on now (``"gender"``), after its name."""
        self._bar.set_description(f"szai_audit {self.name}: {what}", refresh=False)


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
    s = Stage(name, _bar(name, total, show))
    if c is not None:
        c.running[name] = s
    try:
        yield s
    finally:
        s.finish()
        if c is not None:
            del c.running[name]
            c.seconds[name] = c.seconds.get(name, 0.0) + s.seconds()
