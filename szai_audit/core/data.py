"""Input handling: 1-D arrays, lengths, missing values, groups, bins.

The helpers here turn what users pass (Series, arrays, lists, frames) into plain numpy arrays
with clear errors, and turn sensitive attributes into integer group codes (``pd.factorize`` plus
arithmetic), the sufficient statistics every metric is computed from. Nothing here mutates its
input.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import (
    InputTypeError,
    LengthMismatchError,
    SensitiveAttributeError,
)
from .stats import weighted_quantile

__all__ = [
    "MISSING_LABEL",
    "BinSpec",
    "GroupEncoding",
    "bin_numeric",
    "encode_groups",
    "is_numeric",
    "lone_surrogate",
    "plain",
    "positions_within",
    "repeated",
]

#: Group label given to rows whose sensitive attribute is missing.
MISSING_LABEL = "(missing)"


def is_numeric(col: pd.Series) -> bool:
    """Whether a column holds numbers (booleans do not count)."""
    return pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)


def lone_surrogate(text: str) -> str | None:
    r"""``U+D800 at character 4`` for the first lone surrogate of ``text`` (a half of a UTF-16
    pair, which no UTF-8 file can hold: text decoded with ``errors="surrogateescape"``, say),
    or None when ``text`` is valid Unicode.

    >>> lone_surrogate("loan\ud800"), lone_surrogate("贷款")
    ('U+D800 at character 4', None)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"U+{ord(text[exc.start]):04X} at character {exc.start}"
    return None


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (``np.int64(3)`` -> ``3``); anything else
    as it is."""
    return value.item() if isinstance(value, np.generic) else value


def repeated(values: Iterable[Hashable]) -> list[Any]:
    """The values that occur more than once, sorted: one count of them all (``list.count``
    per value is quadratic: 40,000 identifiers took 36 s).

    >>> repeated(["b", "a", "b", "c", "a"])
    ['a', 'b']
    """
    return sorted(v for v, k in Counter(values).items() if k > 1)


def positions_within(
    codes: np.ndarray, plan: Mapping[int, np.ndarray] | Sequence[np.ndarray]
) -> np.ndarray:
    """The positions, sorted, of the rows a sample ``plan`` takes: ``plan[c]`` holds the
    ordinals, among the rows whose code is ``c`` (0 for the first of them), of those taken.
    One sort of the codes, not a pass over every row for each code (10,000 groups of a
    million rows: 10^10 comparisons).

    >>> positions_within(np.array([1, 0, 1, 1, 0]), [np.array([1]), np.array([0, 2])]).tolist()
    [0, 3, 4]
    """
    codes = np.asarray(codes)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    items = plan.items() if isinstance(plan, Mapping) else enumerate(plan)
    parts = [
        order[int(np.searchsorted(ordered, c)) + np.asarray(o, dtype=np.int64)] for c, o in items
    ]
    return np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)


def is_missing_array(values: np.ndarray) -> np.ndarray:
    """Boolean mask of missing entries (None, NaN, NaT, pd.NA) of a 1-D array."""
    return np.asarray(pd.isna(values), dtype=bool)


#: The largest magnitude of a score, a numeric output or a price the audit takes. Larger ones
#: (1e308, say) overflow its arithmetic (their squares, their sums) into infinities that no
#: finding could rest on; they are refused, never written as null.
LARGEST = 1e100


def real_numbers(name: str, values: Any, error: type[Exception], where: str = "") -> np.ndarray:
    """``values`` as floats, refused by name when they are text (``"0.3"``), complex numbers,
    or numbers beyond :data:`LARGEST`. Missing and infinite values are left to the caller,
    which says what they mean for it. ``where`` says which rows (``" in partition 3"``).

    >>> real_numbers("y_score", [0.2, 0.7], ValueError).tolist()
    [0.2, 0.7]
    >>> real_numbers("y_score", ["0.2", "0.7"], ValueError)
    Traceback (most recent call last):
    ...
    ValueError: y_score holds text (e.g. '0.2'), not numbers; ...
    """
    arr = np.asarray(values)
    kind = pd.api.types.infer_dtype(arr.ravel(), skipna=True)
    if arr.dtype.kind == "c" or kind == "complex":
        raise error(
            f"{name} holds complex numbers (dtype {arr.dtype}){where}; it must hold real "
            f"numbers, one per row."
        )
    if kind in ("string", "bytes", "mixed", "mixed-integer"):
        text = next((v for v in arr.ravel() if isinstance(v, (str, bytes))), None)
        if text is not None:
            raise error(
                f"{name} holds text (e.g. {plain(text)!r}), not numbers{where}; convert it "
                f"first (pandas.to_numeric) so that a value that is not a number is seen."
            )
    try:
        out = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise error(f"{name} must be numbers, got values of dtype {arr.dtype}{where}.") from exc
    huge = np.isfinite(out) & (np.abs(out) > LARGEST)
    if huge.any():
        raise error(
            f"{name} has {int(huge.sum())} values beyond ±{LARGEST:g}{where} (e.g. "
            f"{out[huge].ravel()[0]:.3g}); numbers this large overflow the audit's arithmetic "
            f"(their squares and sums). Rescale them (divide by a constant) first."
        )
    return out


def to_1d(name: str, values: Any, n: int | None = None, expected: str = "data") -> np.ndarray:
    """Convert ``values`` to a 1-D numpy array, checking its length against ``n``.

    A 2-D input with one column is accepted and flattened. Categorical Series keep their
    values (not their codes).
    """
    if values is None:
        raise InputTypeError(f"{name} is None; expected a 1-D array-like.")
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InputTypeError(
                f"{name} must be 1-D, got a DataFrame with {values.shape[1]} columns; "
                f"pass one column, e.g. {name}=frame['column']."
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        arr = values.to_numpy()
    elif isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise InputTypeError(
            f"{name} must be an array-like of values, one per row, got {type(values).__name__}."
        )
    else:
        arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise InputTypeError(f"{name} must be 1-D, got an array of shape {arr.shape}.")
    if n is not None and len(arr) != n:
        raise LengthMismatchError(
            f"{name} has {len(arr)} rows but {expected} has {n}; they must describe the same "
            f"rows in the same order."
        )
    return arr


def _some(labels: Any, k: int = 3) -> str:
    """The first ``k`` of ``labels``, for a message: ``0, 1, 2``."""
    return ", ".join(repr(plain(v)) for v in list(labels)[:k])


def index_mismatch(name: str, mine: pd.Index, index: pd.Index, against: str) -> str:
    """What differs between two indexes of the same length that are not equal, for a message:
    the labels used more than once, else the first labels each has that the other has not,
    and the first position where they differ.

    >>> print(index_mismatch("y_true", pd.Index([0, 1, 1]), pd.Index([0, 1, 2]), "data"))
    y_true's index has duplicate labels (e.g. 1); the first difference from data's is at
    position 2 (2 in data's, 1 in y_true's)
    """
    differ = np.flatnonzero(np.asarray(mine != index))
    where = f"its labels are of type {mine.dtype}, {against}'s of type {index.dtype}"
    if differ.size:
        first = int(differ[0])
        where = (
            f"the first difference from {against}'s is at position {first} "
            f"({plain(index[first])!r} in {against}'s, {plain(mine[first])!r} in {name}'s)"
        )
    for who, labels in ((f"{name}'s", mine), (f"{against}'s", index)):
        if labels.has_duplicates:
            dup = labels[labels.duplicated()].unique()
            return f"{who} index has duplicate labels (e.g. {_some(dup)}); {where}"
    extra, lacking = mine[~mine.isin(index)], index[~index.isin(mine)]
    return (
        f"{name} has index labels that {against} has not (e.g. {_some(extra)}) and lacks some "
        f"that {against} has (e.g. {_some(lacking)}); {where}"
    )


def align_rows(
    name: str, values: Any, index: pd.Index | None, against: str = "data", hint: str = ""
) -> Any:
    """``values`` with its rows in the order of ``index``: a pandas input is paired with the
    rows by index label, anything else by position.

    A Series or DataFrame whose index holds the same labels as ``index``, each once, in
    another order, is reordered (a new object; ``values`` is not changed). An index equal to
    ``index`` (in the same order, duplicates included) is kept as it is. Any other index (a
    label used twice, labels ``index`` does not hold) is refused, naming the first differences:
    pairing the rows by position would silently pair the wrong ones. Arrays and lists, and
    values of another length (refused by the length check that follows), are returned as they
    are.

    Parameters
    ----------
    name : str
        What ``values`` are, for the message (``"y_true"``).
    values : object
        The values; only a pandas Series or DataFrame has an index to pair by.
    index : pandas.Index or None
        The rows' labels (``data.index``); None: nothing to pair with.
    against : str, default "data"
        What ``index`` is the index of, for the message.
    hint : str, optional
        What to do instead, ending the message (by default: pass the values without their
        index, or align them).

    Raises
    ------
    LengthMismatchError
        An index that is neither ``index`` nor a reordering of its unique labels.

    Examples
    --------
    >>> align_rows("y_true", pd.Series([1, 0], index=["b", "a"]), pd.Index(["a", "b"])).tolist()
    [0, 1]
    >>> align_rows("y_true", pd.Series([1, 0], index=["b", "c"]), pd.Index(["a", "b"]))
    Traceback (most recent call last):
    ...
    szai_audit.errors.LengthMismatchError: y_true has index labels that data has not (e.g. 'c') ...
    """
    if index is None or not isinstance(values, (pd.Series, pd.DataFrame)):
        return values
    mine = values.index
    if len(mine) != len(index) or mine.equals(index):
        return values
    if not (mine.has_duplicates or index.has_duplicates) and index.isin(mine).all():
        return values.reindex(index)
    hint = hint or (
        f"A pandas input is paired with {against}'s rows by index label. Pass "
        f"{name}.to_numpy() to pair its rows with {against}'s by position, or align it first "
        f"({name}.reindex({against}.index) when the labels are the same)."
    )
    raise LengthMismatchError(f"{index_mismatch(name, mine, index, against)}. {hint}")


def is_dask_frame(obj: Any) -> bool:
    """Whether ``obj`` is a Dask DataFrame (checked without importing Dask)."""
    top = type(obj).__module__.split(".")[0]
    return top in ("dask", "dask_expr") and hasattr(obj, "npartitions") and hasattr(obj, "columns")


class Fingerprint:
    """sha256 of a frame or array given in consecutive parts (chunks of rows, in order): the
    same digest as :func:`fingerprint` of the whole."""

    def __init__(self) -> None:
        self._hash: Any = None

    def update(self, obj: Any) -> None:
        first = self._hash is None
        if first:
            self._hash = hashlib.sha256()
            if isinstance(obj, pd.DataFrame):
                self._hash.update(repr([(str(c), str(t)) for c, t in obj.dtypes.items()]).encode())
        frame = (
            obj if isinstance(obj, pd.DataFrame) else pd.DataFrame({"values": to_1d("values", obj)})
        )
        try:
            rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
            self._hash.update(rows.tobytes())
        except TypeError:  # unhashable cells (lists, dicts): fall back to their text
            self._hash.update(frame.to_csv(index=False, header=first).encode())

    def hexdigest(self) -> str | None:
        return None if self._hash is None else str(self._hash.hexdigest())


def fingerprint(obj: Any) -> str | None:
    """sha256 of a frame or array's content (column names, dtypes and values, not the index)."""
    if obj is None:
        return None
    fp = Fingerprint()
    fp.update(obj)
    return fp.hexdigest()


# --------------------------------------------------------------------------------------------
# Binning of continuous attributes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BinSpec:
    """How a numeric attribute was cut into groups: bins are ``[edge_i, edge_i+1)``.

    ``edges`` are the interior cut points; the first bin is everything below the first cut
    point and the last everything at or above the last one.
    """

    edges: tuple[float, ...]
    labels: tuple[str, ...]
    method: str  # "user" or "quantile"

    def to_dict(self) -> dict[str, Any]:
        return {"edges": list(self.edges), "labels": list(self.labels), "method": self.method}


def _nice(x: float, integer: bool) -> float:
    if integer:
        return float(math.floor(x + 0.5))
    if x == 0:
        return 0.0
    digits = 3 - math.floor(math.log10(abs(x))) - 1
    return float(round(x, digits))


def _bin_labels(edges: Sequence[float], integer: bool) -> list[str]:
    def num(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else f"{v:g}"

    labels = [f"<{num(edges[0])}"]
    for lo, hi in itertools.pairwise(edges):
        if integer and float(lo).is_integer() and float(hi).is_integer():
            labels.append(num(lo) if hi - lo == 1 else f"{num(lo)}–{num(hi - 1)}")
        else:
            labels.append(f"[{num(lo)}, {num(hi)})")
    labels.append(f"≥{num(edges[-1])}")
    return labels


def bin_numeric(
    values: np.ndarray | pd.Series,
    name: str,
    cut_points: Sequence[float] | int | None = None,
    n_bins: int = 4,
    counts: np.ndarray | None = None,
) -> tuple[pd.Categorical, BinSpec]:
    """Cut a numeric attribute into ordered groups.

    Parameters
    ----------
    values : ndarray
        Numeric values; missing values stay missing.
    name : str
        Name used in error messages.
    cut_points : sequence of float, int or None
        Interior cut points (``[25, 40, 60]`` gives ``<25, 25–39, 40–59, ≥60`` for integer
        data); an int asks for that many quantile bins; None uses ``n_bins`` quantile bins.
    n_bins : int
        Number of quantile bins when ``cut_points`` is None.
    counts : ndarray, optional
        For data seen as counts (too large to hold): ``values`` are then the distinct values
        and ``counts`` how many rows have each; the bins are those of the rows.

    Returns
    -------
    categories : pandas.Categorical
        Ordered group labels, one per value.
    spec : BinSpec
        The cut points and labels, for the report.

    Examples
    --------
    >>> cats, spec = bin_numeric(np.array([19, 23, 31, 45, 67, 70]), "age", [25, 40, 60])
    >>> list(cats)
    ['<25', '<25', '25–39', '40–59', '≥60', '≥60']
    >>> spec.edges
    (25.0, 40.0, 60.0)
    """
    if isinstance(values, pd.Series):
        x = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        x = np.asarray(values, dtype=float)
    present = x[~np.isnan(x)]
    weights = None
    if counts is not None:
        order = np.argsort(present)
        present = present[order]
        weights = np.asarray(counts)[~np.isnan(x)][order]
    if present.size == 0:
        raise SensitiveAttributeError(f"sensitive attribute {name!r} has no non-missing values.")
    integer = bool(np.all(present == np.floor(present)))
    if cut_points is None or isinstance(cut_points, (int, np.integer)):
        k = n_bins if cut_points is None else int(cut_points)
        edges = _quantile_edges(present, weights, k, integer, name)
        method = "quantile"
    else:
        edges = _user_edges(cut_points, name)
        method = "user"
    if not edges:
        raise SensitiveAttributeError(
            f"sensitive attribute {name!r} has too few distinct values to bin; give explicit "
            f"cut points with bins={{...: [..]}}."
        )
    labels = _bin_labels(edges, integer)
    codes = np.searchsorted(np.asarray(edges), x, side="right").astype(np.int64)
    codes[np.isnan(x)] = -1
    cats = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    return cats, BinSpec(tuple(edges), tuple(labels), method)


def _quantile_edges(
    present: np.ndarray, weights: np.ndarray | None, k: int, integer: bool, name: str
) -> list[float]:
    """Rounded interior cut points of ``k`` quantile bins (empty when the values collapse)."""
    if k < 2:
        raise SensitiveAttributeError(
            f"bins for {name!r} must ask for at least 2 quantile bins, got {k}."
        )
    edges: list[float] = []
    # Quantiles of the rows; when a few values dominate (90% zeros, say) they collapse,
    # so fall back to quantiles of the distinct values.
    probs = np.linspace(0, 1, k + 1)[1:-1]
    for basis in ("rows", "distinct"):
        if basis == "distinct":
            qs = np.quantile(np.unique(present), probs)
        elif weights is not None:
            qs = weighted_quantile(present, weights, probs)
        else:
            qs = np.quantile(present, probs)
        # A cut point at the minimum would leave the first bin empty.
        edges = sorted({e for e in (_nice(q, integer) for q in qs) if e > present.min()})
        if edges:
            break
    return edges


def _user_edges(cut_points: Sequence[float], name: str) -> list[float]:
    """The user's cut points as floats, checked to be finite and strictly increasing."""
    try:
        edges = [float(e) for e in cut_points]
    except (TypeError, ValueError) as exc:
        raise SensitiveAttributeError(
            f"bins for {name!r} must be a list of numeric cut points, got {cut_points!r}."
        ) from exc
    if not edges or any(not math.isfinite(e) for e in edges):
        raise SensitiveAttributeError(
            f"bins for {name!r} must be a non-empty list of finite cut points, got "
            f"{cut_points!r}; the outer bins are open-ended (<first, ≥last)."
        )
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise SensitiveAttributeError(
            f"bins for {name!r} must be strictly increasing, got {cut_points!r}."
        )
    return edges


def needs_binning(values: np.ndarray | pd.Series, max_groups: int) -> bool:
    """A numeric (not boolean, not categorical) attribute with more than ``max_groups`` values."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dtype):
        return False
    if pd.api.types.is_bool_dtype(dtype):
        return False
    return int(pd.Series(values).nunique(dropna=True)) > max_groups


# --------------------------------------------------------------------------------------------
# Group encoding
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupEncoding:
    """Integer group codes for every row, and the label(s) of each observed group.

    ``codes[i]`` is the position of row ``i``'s group in ``index`` (an Index for one attribute,
    a MultiIndex for several, in the order: category order, else sorted, missing last).
    """

    codes: np.ndarray
    index: pd.Index
    names: tuple[str, ...]
    missing: dict[str, int] = field(default_factory=dict)

    @property
    def n_groups(self) -> int:
        return len(self.index)

    def row_labels(self) -> np.ndarray:
        """Each row's group as text (an object array); None for the missing group and for
        rows left out."""
        names = [None if is_missing_group_key(k) else group_label(k) for k in self.index]
        lookup = np.asarray([*names, None], dtype=object)
        return lookup[np.where(self.codes >= 0, self.codes, len(names))]


def _check_unicode(name: str, values: Any) -> None:
    """:class:`SensitiveAttributeError` for a group value that is not valid Unicode text."""
    for value in values:
        where = lone_surrogate(value) if isinstance(value, str) else None
        if where is not None:
            raise SensitiveAttributeError(
                f"sensitive attribute {name!r} has a value {value!r} that is not valid Unicode "
                f"text (a lone surrogate, {where}), which no report or JSON file can hold; "
                f"clean the column (decode the data as UTF-8, or replace the value)."
            )


def _factorize(name: str, values: Any, missing: str) -> tuple[np.ndarray, pd.Index, int]:
    """Codes (int64, -1 for missing), the category labels, and the number of missing rows."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        cat = values.array
        codes = np.asarray(cat.codes, dtype=np.int64)
        uniques = pd.Index(cat.categories)
    elif isinstance(values, pd.Categorical):
        codes = np.asarray(values.codes, dtype=np.int64)
        uniques = pd.Index(values.categories)
    else:
        if isinstance(values, pd.Series):
            # Text and numpy-typed columns factorize twice as fast as an object array; other
            # extension types (nullable Int64, say) stay as they are to keep their labels.
            plain = isinstance(values.dtype, (np.dtype, pd.StringDtype))
            arr = values.to_numpy() if plain else values
        else:
            arr = np.asarray(values)
        # One hashing pass in order of appearance, then sort the few distinct values and
        # renumber: faster than factorize(sort=True) on large string columns.
        codes, first_seen = pd.factorize(arr, sort=False, use_na_sentinel=True)
        _check_unicode(name, first_seen)
        first_seen = pd.Index(first_seen)
        try:
            order = np.asarray(first_seen.argsort(), dtype=np.int64)
        except TypeError:  # mixed types that cannot be ordered: order by their text
            order = np.argsort(np.asarray([str(u) for u in first_seen]), kind="stable")
        rank = np.empty(len(order) + 1, dtype=np.int64)
        rank[order] = np.arange(len(order))
        rank[-1] = -1  # code -1 (missing) stays -1
        codes = rank[np.asarray(codes, dtype=np.int64)]
        uniques = first_seen.take(order)
    n_missing = int((codes < 0).sum())
    if missing == "group" and any(u == MISSING_LABEL for u in uniques if isinstance(u, str)):
        raise SensitiveAttributeError(
            f"sensitive attribute {name!r} has a value {MISSING_LABEL!r}, the label szai_audit "
            f"gives to missing values; rename that value."
        )
    if n_missing:
        if missing == "raise":
            raise SensitiveAttributeError(
                f"sensitive attribute {name!r} has {n_missing} missing values; fill them, drop "
                f"those rows, or pass missing='group' to audit them as a group of their own."
            )
        if missing == "group":
            codes = np.where(codes < 0, len(uniques), codes)
            uniques = pd.Index([*uniques.tolist(), MISSING_LABEL], dtype=object)
    return codes, uniques, n_missing


def encode_groups(
    columns: Mapping[str, Any], missing: str = "group", n: int | None = None
) -> GroupEncoding:
    """Encode one or several sensitive attributes into group codes.

    Parameters
    ----------
    columns : mapping of name to 1-D values
        One entry per attribute; several entries give their intersection.
    missing : {"group", "drop", "raise"}
        Missing labels form a group ``"(missing)"`` (default), are dropped (code -1), or raise.
    n : int, optional
        Expected number of rows.

    Examples
    --------
    >>> enc = encode_groups({"sex": ["f", "m", "f", None]})
    >>> enc.codes.tolist(), enc.index.tolist()
    ([0, 1, 0, 2], ['f', 'm', '(missing)'])
    """
    if missing not in ("group", "drop", "raise"):
        raise InputTypeError(f"missing must be 'group', 'drop' or 'raise', got {missing!r}.")
    if not columns:
        raise SensitiveAttributeError("no sensitive attribute was given.")
    names = tuple(columns)
    combined: np.ndarray | None = None
    levels: list[pd.Index] = []
    per_attr_codes: list[np.ndarray] = []
    missing_counts: dict[str, int] = {}
    for name in names:
        values = columns[name]
        label = f"sensitive[{name!r}]"
        if not isinstance(values, (pd.Series, pd.Categorical)):
            values = to_1d(label, values, n, "y_pred")
        if n is None:
            n = len(values)
        elif len(values) != n:
            raise LengthMismatchError(
                f"{label} has {len(values)} rows but y_pred has {n}; they must describe the "
                f"same rows in the same order."
            )
        codes, uniques, n_missing = _factorize(name, values, missing)
        if n_missing:
            missing_counts[name] = n_missing
        levels.append(uniques)
        per_attr_codes.append(codes)
    n_rows = len(per_attr_codes[0])
    dropped = np.zeros(n_rows, dtype=bool)
    for codes in per_attr_codes:
        dropped |= codes < 0
    shape = tuple(max(len(u), 1) for u in levels)
    total = math.prod(shape)
    if total <= max(4 * n_rows, 1 << 20):
        combined = np.zeros(n_rows, dtype=np.int64)
        for codes, size in zip(per_attr_codes, shape, strict=False):
            combined = combined * size + np.maximum(codes, 0)
        combined[dropped] = -1
        present = np.bincount(combined[~dropped], minlength=total) > 0
        observed = np.flatnonzero(present)
        lookup = np.full(total, -1, dtype=np.int64)
        lookup[observed] = np.arange(len(observed))
        group_codes = np.where(dropped, -1, lookup[np.maximum(combined, 0)])
        parts = np.unravel_index(observed, shape)
    else:  # too many combinations for a dense table: factorize the row tuples instead
        frame = pd.DataFrame(dict(enumerate(per_attr_codes)))
        frame = frame[~dropped]
        uniq = frame.drop_duplicates().sort_values(list(frame.columns))
        key = pd.MultiIndex.from_frame(uniq)
        pos = key.get_indexer(pd.MultiIndex.from_frame(frame))
        group_codes = np.full(n_rows, -1, dtype=np.int64)
        group_codes[~dropped] = pos
        parts = tuple(uniq[c].to_numpy() for c in uniq.columns)
    labels = [lvl.take(p) for lvl, p in zip(levels, parts, strict=False)]
    if len(names) == 1:
        index = pd.Index(labels[0], name=names[0])
    else:
        index = pd.MultiIndex.from_arrays(labels, names=list(names))
    return GroupEncoding(np.asarray(group_codes, dtype=np.int64), index, names, missing_counts)


def is_missing_group_key(key: Hashable) -> bool:
    """Whether a group key (a label, or a tuple for an intersection) is the missing group."""
    if isinstance(key, tuple):
        return any(k == MISSING_LABEL for k in key)
    return bool(key == MISSING_LABEL)


def group_label(key: Hashable) -> str:
    """Readable label of a group: ``"female"`` or, for an intersection, ``"female × yes"``."""
    if isinstance(key, tuple):
        return " × ".join(str(k) for k in key)
    return str(key)
