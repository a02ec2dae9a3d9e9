"""The rows the sampled checks read: every row in memory, or rows drawn in advance from data
seen in parts.

The proxy ranking, the counterfactual flip test and the explanation read rows, not counts.
:class:`RowAccess` is what they ask for; :class:`InMemoryRows` serves it from a DataFrame in
memory, and :mod:`szai_audit.inputs.chunked` from the rows a second pass over a Dask DataFrame
read. The checks never know which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..core.data import GroupEncoding
from ..core.policy import Policy
from ..explain.engine import Explanation, explain
from ..fairness.proxies import ProxyReport, find_proxies

__all__ = ["InMemoryRows", "RowAccess", "explanation_strata", "some_rows"]


class RowAccess(Protocol):
    """The rows of the checks that read rows (proxies, flip test, explanation)."""

    has_data: bool

    def proxies(
        self, ground: str, exclude: tuple[str, ...], policy: Policy, random_state: int | None
    ) -> ProxyReport:
        """How well each input predicts the ground's groups."""
        ...

    def flip_rows(
        self, ground: str, policy: Policy, random_state: int | None
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """The rows of the flip test and each one's group on the ground."""
        ...

    def column_counts(self, column: str) -> tuple[np.ndarray, np.ndarray, bool]:
        """A numeric input column's distinct values (sorted), their counts, and whether the
        column holds integers."""
        ...

    def explain(
        self, model: Any, positive_label: Any, policy: Policy, random_state: int | None
    ) -> Explanation:
        """The explanation of ``model`` on a stratified sample of the rows."""
        ...

    def favourable_at(self, positions: np.ndarray) -> np.ndarray:
        """Whether the rows at these positions received the favourable outcome."""
        ...

    def model_rows(self, size: int, random_state: int | None) -> pd.DataFrame:
        """At most ``size`` rows of the model's inputs, drawn at random."""
        ...

    def rows_at(self, positions: np.ndarray) -> pd.DataFrame:
        """The model's inputs of the rows at these positions (for data in parts, positions
        drawn before the rows were read)."""
        ...


def some_rows(frame: pd.DataFrame, size: int, random_state: int | None) -> pd.DataFrame:
    """At most ``size`` rows of ``frame``, drawn at random (in their order), or all of them.

    >>> len(some_rows(pd.DataFrame({"x": range(10)}), 3, 0))
    3
    """
    if len(frame) <= size:
        return frame
    pick = np.random.default_rng(random_state).choice(len(frame), size, replace=False)
    return frame.iloc[np.sort(pick)]


def explanation_strata(favourable: np.ndarray, labels: Sequence[np.ndarray]) -> np.ndarray:
    """The stratum of each row for the explanation's sample: its decision (favourable or not)
    and its group on every ground, as text."""
    strata = np.asarray(favourable).astype(str).astype(object)
    for row_labels in labels:
        strata = strata + "|" + np.asarray(row_labels).astype(str)
    return strata


class InMemoryRows:
    """Every row of ``data``, with each ground's group per row (``encodings``) and whether each
    row's outcome is the favourable one (``favourable``)."""

    def __init__(
        self,
        data: pd.DataFrame | None,
        encodings: Mapping[str, GroupEncoding],
        favourable: np.ndarray,
    ) -> None:
        self.data = data
        self.has_data = data is not None
        self.encodings = encodings
        self.favourable = np.asarray(favourable)

    def proxies(
        self, ground: str, exclude: tuple[str, ...], policy: Policy, random_state: int | None
    ) -> ProxyReport:
        assert self.data is not None
        return find_proxies(
            self.data,
            self.encodings[ground].row_labels(),
            exclude=exclude,
            max_rows=policy.proxy_max_rows,
            random_state=random_state,
            level=policy.confidence_level,
        )

    def flip_rows(
        self, ground: str, policy: Policy, random_state: int | None
    ) -> tuple[pd.DataFrame, np.ndarray]:
        assert self.data is not None  # flip_test draws its own sample of these
        return self.data, self.encodings[ground].row_labels()

    def column_counts(self, column: str) -> tuple[np.ndarray, np.ndarray, bool]:
        assert self.data is not None
        raw = self.data[column]
        numbers = raw.to_numpy(dtype=float, na_value=np.nan)
        distinct, counts = np.unique(numbers[~np.isnan(numbers)], return_counts=True)
        return distinct, counts, pd.api.types.is_integer_dtype(raw.dtype)

    def explain(
        self, model: Any, positive_label: Any, policy: Policy, random_state: int | None
    ) -> Explanation:
        assert self.data is not None
        strata = explanation_strata(
            self.favourable, [enc.row_labels() for enc in self.encodings.values()]
        )
        return explain(
            model,
            self.data,
            positive_label=positive_label,
            sample_size=policy.explain_sample_size,
            strata=strata,
            background_size=policy.explain_background_size,
            random_state=random_state,
        )

    def favourable_at(self, positions: np.ndarray) -> np.ndarray:
        return self.favourable[positions]

    def model_rows(self, size: int, random_state: int | None) -> pd.DataFrame:
        assert self.data is not None
        return some_rows(self.data, size, random_state)

    def rows_at(self, positions: np.ndarray) -> pd.DataFrame:
        assert self.data is not None
        return self.data.iloc[positions]


#: Builds the row access of an audit once its groups are encoded: ``rows(encodings,
#: favourable)``. Data in parts has drawn its rows already and ignores both.
RowsFactory = Callable[[Mapping[str, GroupEncoding], np.ndarray], RowAccess]
