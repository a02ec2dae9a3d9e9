"""From a pipeline's transformed columns back to the raw input columns they come from.

Through a scikit-learn Pipeline whose first step is a ColumnTransformer (OneHotEncoder,
OrdinalEncoder, scalers, imputers, passthrough), :func:`column_map` gives, for every column the
model sees, the raw column of ``X`` it was made from, so that contributions can be summed back
to the columns a person knows. A preprocessing that cannot be traced raises :class:`NoMapping`
(the explanation then works on the raw columns directly).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..core.data import is_numeric

__all__ = ["NoMapping", "as_matrix", "column_map", "is_numeric"]


#: Transformers whose every output column is a function of one input column only.
_COLUMNWISE = {
    "StandardScaler",
    "MinMaxScaler",
    "MaxAbsScaler",
    "RobustScaler",
    "QuantileTransformer",
    "PowerTransformer",
    "OrdinalEncoder",
    "SimpleImputer",
    "KBinsDiscretizer",
}


class NoMapping(Exception):
    """The preprocessing cannot be traced column by column, or its output is not numeric."""


def _resolve_columns(spec: Any, X: pd.DataFrame, ct: Any) -> list[int]:
    """A fitted ColumnTransformer's column specification as positions in ``X``.

    Integers and slices are positions in the columns the transformer was *fitted* on; when it
    was fitted on a DataFrame, they are turned into those names and found in ``X`` by name (as
    the transformer itself does), so extra or reordered columns in ``X`` do not shift them.
    """
    fit_names = getattr(ct, "feature_names_in_", None)
    if fit_names is None:
        if X.shape[1] != getattr(ct, "n_features_in_", X.shape[1]):
            raise NoMapping("the ColumnTransformer was fitted on an array of another width")
        universe: list[Any] = list(range(X.shape[1]))
    else:
        universe = [str(c) for c in fit_names]
    if callable(spec):
        spec = spec(X)
    if isinstance(spec, (str, int, np.integer)):
        spec = [spec]
    if isinstance(spec, slice):
        if isinstance(spec.start, str) or isinstance(spec.stop, str):  # label slice, inclusive
            lo = 0 if spec.start is None else universe.index(spec.start)
            hi = len(universe) if spec.stop is None else universe.index(spec.stop) + 1
            chosen = universe[lo:hi]
        else:
            chosen = universe[spec]
    else:
        arr = np.asarray(spec)
        if arr.dtype == bool:
            chosen = [universe[i] for i in np.flatnonzero(arr)]
        else:  # scikit-learn reads integers as positions, strings as names
            chosen = [
                universe[int(s)] if isinstance(s, (int, np.integer)) else s for s in arr.tolist()
            ]
    if fit_names is None:
        return [int(c) for c in chosen]
    cols = list(X.columns)
    return [cols.index(c) for c in chosen]


def _one_hot_widths(enc: Any, k: int) -> list[int]:
    widths = getattr(enc, "_n_features_outs", None)
    if widths is not None and len(widths) == k:
        return [int(w) for w in widths]
    drop = getattr(enc, "drop_idx_", None)
    return [
        len(c) - (0 if drop is None or drop[i] is None else 1)
        for i, c in enumerate(enc.categories_)
    ]


def _block_map(trans: Any, inputs: list[int], width: int) -> list[int]:
    """Raw column of each output of one transformer applied to ``inputs``."""
    if len(inputs) == 1:
        return inputs * width
    if width == len(inputs) and _columnwise(trans):
        return list(inputs)
    last = trans.steps[-1][1] if hasattr(trans, "steps") else trans
    if type(last).__name__ == "OneHotEncoder" and (
        not hasattr(trans, "steps") or all(_columnwise(s) for _, s in trans.steps[:-1])
    ):
        widths = _one_hot_widths(last, len(inputs))
        if sum(widths) == width:
            return [col for col, w in zip(inputs, widths, strict=True) for _ in range(w)]
    raise NoMapping(f"cannot trace {type(trans).__name__} on several columns")


def _columnwise(trans: Any) -> bool:
    if isinstance(trans, str):
        return trans == "passthrough"
    if hasattr(trans, "steps"):
        return all(_columnwise(s) for _, s in trans.steps)
    name = type(trans).__name__
    if name == "FunctionTransformer":  # only the identity ("passthrough") is column-wise
        return getattr(trans, "func", None) is None
    if name == "SimpleImputer" and getattr(trans, "add_indicator", False):
        return False
    if name == "KBinsDiscretizer" and getattr(trans, "encode", "") != "ordinal":
        return False
    return name in _COLUMNWISE


def _flat_steps(pre: Any) -> list[Any]:
    """The transformers of a (possibly nested) Pipeline, in order."""
    if not hasattr(pre, "steps"):
        return [pre]
    return [t for _, step in pre.steps for t in _flat_steps(step)]


def column_map(pre: Any, X: pd.DataFrame, width: int) -> list[int]:
    """For each of the ``width`` columns ``pre`` outputs, the position of its raw column."""
    try:
        return _column_map(pre, X, width)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        raise NoMapping(f"cannot trace the preprocessing ({type(exc).__name__})") from exc


def _column_map(pre: Any, X: pd.DataFrame, width: int) -> list[int]:
    steps = [s for s in _flat_steps(pre) if not (isinstance(s, str) and s == "passthrough")]
    if not steps:
        return list(range(X.shape[1]))
    first = steps[0]
    if type(first).__name__ == "ColumnTransformer":
        mapping: list[int | None] = [None] * sum(
            s.stop - s.start for s in first.output_indices_.values()
        )
        for name, trans, spec in first.transformers_:
            block = first.output_indices_.get(name)
            if block is None or block.stop == block.start or trans == "drop":
                continue
            inputs = _resolve_columns(spec, X, first)
            for offset, col in enumerate(_block_map(trans, inputs, block.stop - block.start)):
                mapping[block.start + offset] = col
        if any(m is None for m in mapping):
            raise NoMapping("a ColumnTransformer output has no source column")
        result = [int(m) for m in mapping if m is not None]
    elif _columnwise(first) and width == X.shape[1]:
        result = list(range(X.shape[1]))
    else:
        raise NoMapping(f"cannot trace {type(first).__name__}")
    for step in steps[1:]:
        if not _columnwise(step):
            raise NoMapping(f"cannot trace {type(step).__name__}")
    if len(result) != width:
        raise NoMapping("the traced width does not match the model's input width")
    return result


def as_matrix(x: Any) -> np.ndarray | pd.DataFrame:
    """The model's input as a float matrix; a DataFrame holding categories or text is kept as
    it is (only the boosters read it natively)."""
    if hasattr(x, "toarray"):
        x = x.toarray()
    if isinstance(x, pd.DataFrame):
        plain = all(
            (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))
            and not isinstance(t, pd.CategoricalDtype)
            for t in x.dtypes
        )
        return x.to_numpy(dtype=float, na_value=np.nan) if plain else x
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise NoMapping("the model's inputs are not numeric") from exc
