"""How many threads the models the audit fits itself may use.

The audit fits small models of its own (the proxy check's gradient boosting, the fix-cost
illustration). OpenMP and BLAS start one thread per CPU the machine reports; on a machine whose
cores are busy with other work (a shared 2-core machine under a load of 5), two OpenMP threads
that wait on each other made a 300-row fit 20-40 times slower than one thread (issue 26), and in
a container whose CPU quota is smaller than the CPUs it sees it is worse still (issue 13). So:

* the audit's own fits run on **one thread by default**: ``Audit(n_threads=...)`` (or
  ``n_threads`` under ``[audit]`` in a run configuration) changes it, ``None`` meaning every
  usable core (:func:`usable_cores`: the CPUs this process may run on, within the cgroup quota);
* a limit **never raises** what the user set: ``OMP_NUM_THREADS=1`` in the environment, or a
  ``threadpoolctl.threadpool_limits(1)`` around the audit, stays in force whatever
  ``n_threads`` says;
* the user's own model is called as it is (its threads are the user's to set).

:func:`own_threads` sets the audit's choice for a block (the audit's run); :func:`limited_threads`
applies it around each fit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from threadpoolctl import ThreadpoolController, threadpool_limits

from .errors import InputTypeError

__all__ = ["check_n_threads", "limited_threads", "own_threads", "usable_cores"]

#: cgroup v2 and v1 files holding a CPU quota.
_CGROUP_V2 = Path("/sys/fs/cgroup/cpu.max")
_CGROUP_V1 = (
    Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
    Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
)

#: The threads of the audit's own fits in the running audit: an int, or None for every usable
#: core. One outside an audit too (a building block called on its own).
_OWN: ContextVar[int | None] = ContextVar("szai_audit_own_threads", default=1)


def _quota() -> float | None:
    """The cgroup CPU quota in CPUs, or None when there is none (or it cannot be read)."""
    try:
        if _CGROUP_V2.exists():
            quota, period = _CGROUP_V2.read_text().split()[:2]
            return None if quota == "max" else int(quota) / int(period)
        quota_file, period_file = _CGROUP_V1
        if quota_file.exists() and period_file.exists():
            quota_us = int(quota_file.read_text())
            return None if quota_us <= 0 else quota_us / int(period_file.read_text())
    except (OSError, ValueError):
        return None
    return None


def usable_cores() -> int:
    """The CPUs this process may use: those it may run on, within the cgroup quota; at least 1.

    >>> usable_cores() >= 1
    True
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    quota = _quota()
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)


def check_n_threads(value: object) -> int | None:
    """``n_threads`` checked: None (every usable core) or a whole number of at least 1.

    >>> check_n_threads(2), check_n_threads(None)
    (2, None)
    >>> check_n_threads(0)
    Traceback (most recent call last):
    ...
    szai_audit.errors.InputTypeError: n_threads must be None (every usable core) or ...
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputTypeError(
            f"n_threads must be None (every usable core) or a whole number of at least 1, "
            f"got {value!r}."
        )
    return int(value)


@contextmanager
def own_threads(n_threads: int | None) -> Iterator[None]:
    """The threads the audit's own fits may use while the block runs (None: every usable
    core); :func:`limited_threads` reads it.

    >>> with own_threads(3), limited_threads() as n:
    ...     n <= 3
    True
    """
    token = _OWN.set(check_n_threads(n_threads))
    try:
        yield
    finally:
        _OWN.reset(token)


def _current_limits() -> dict[str, int]:
    """The smallest thread count each loaded thread library (by prefix: libgomp, libopenblas,
    ...) now allows."""
    limits: dict[str, int] = {}
    for lib in ThreadpoolController().lib_controllers:
        n = int(lib.num_threads)
        limits[lib.prefix] = min(n, limits.get(lib.prefix, n))
    return limits


@contextmanager
def limited_threads(limit: int | None = None) -> Iterator[int]:
    """Cap the OpenMP and BLAS thread pools while the block runs, and yield the cap.

    The cap is ``limit`` when given, else the running audit's ``n_threads`` (one by default;
    None: :func:`usable_cores`). A pool already limited to fewer threads (by
    ``OMP_NUM_THREADS`` or the caller's ``threadpool_limits``) keeps its limit: a limit is
    never raised.

    >>> with limited_threads(1) as n:
    ...     n
    1
    """
    wanted = limit if limit is not None else _OWN.get()
    cap = usable_cores() if wanted is None else max(1, int(wanted))
    limits = {prefix: min(cap, n) for prefix, n in _current_limits().items()}
    with threadpool_limits(limits=limits or cap):
        yield cap
