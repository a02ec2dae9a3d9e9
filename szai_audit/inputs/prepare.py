"""What the checks of each task read, from data in memory or seen in parts.

This is the only place that knows which: a pandas DataFrame is read whole
(:mod:`szai_audit.inputs.memory`), a Dask DataFrame partition by partition, twice
(:mod:`szai_audit.inputs.chunked`). The task runners read the same
:mod:`~szai_audit.inputs.prepared` structures either way.
"""

from __future__ import annotations

import datetime as _dt

from . import chunked, memory
from .prepared import Prepared, PreparedNumeric, PreparedPrices
from .settings import Settings

__all__ = ["prepare_classification", "prepare_pricing", "prepare_regression"]


def prepare_classification(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> Prepared:
    """The classification audit's inputs: from every row in memory, or from a Dask DataFrame
    read in two passes."""
    if settings.chunked:
        return chunked.prepare_chunked(settings, random_state, started)
    return memory.classification_in_memory(settings, random_state, started)


def prepare_regression(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> PreparedNumeric:
    """The inputs of an audit of numeric outputs: from every row in memory, or from a Dask
    DataFrame read in two passes (moments by cell)."""
    if settings.chunked:
        return chunked.prepare_chunked_numeric(settings, random_state, started)
    return memory.regression_in_memory(settings, random_state, started)


def prepare_pricing(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> PreparedPrices:
    """The inputs of a pricing audit: from every order in memory, or from a Dask DataFrame
    read in two passes (every order's price, groups and pricing columns kept)."""
    if settings.chunked:
        return chunked.prepare_chunked_pricing(settings, random_state, started)
    return memory.pricing_in_memory(settings, random_state, started)
