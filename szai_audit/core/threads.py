"""How many threads the models the audit fits itself may use.

OpenMP and BLAS start one thread per CPU the machine reports. In a container whose CPU quota is
smaller than the CPUs it sees (2 cores of a 64-core host), that oversubscribes the cores: the
proxy check's boosting fits took 28-101 s on 7,000 rows with the default threads against 5 s
with one (issue 13). :func:`limited_threads` caps the thread pools of the audit's own fits at
:func:`usable_cores`: the CPUs this process may run on, and the cgroup quota when one is set.
The user's model is called as it is.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from threadpoolctl import threadpool_limits

__all__ = ["limited_threads", "usable_cores"]

#: cgroup v2 and v1 files holding a CPU quota.
_CGROUP_V2 = Path("/sys/fs/cgroup/cpu.max")
_CGROUP_V1 = (
    Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
    Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
)


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


@contextmanager
def limited_threads(limit: int | None = None) -> Iterator[int]:
    """Cap the OpenMP and BLAS thread pools at ``limit`` (default :func:`usable_cores`) while
    the block runs; yields the cap.

    >>> with limited_threads(1) as n:
    ...     n
    1
    """
    cap = usable_cores() if limit is None else max(1, int(limit))
    with threadpool_limits(limits=cap):
        yield cap
