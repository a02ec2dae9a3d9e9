"""Art. 33(2): quasi-identifiers, their equivalence classes, k-anonymity and l-diversity, and
generalisations that would raise k, each measured on the data."""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.findings import jsonable
from ..core.messages import Message
from . import words as w
from .detectors import fullmatch
from .names import normalise_name


def _codes(values: Any) -> tuple[np.ndarray, int]:
    """Codes of a column with missing values as one more value, and the number of codes."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), max(len(uniques), 1)


def _class_key(columns: Sequence[Any], n: int) -> np.ndarray:
    """Equivalence class of each row over ``columns`` (0..n_classes-1)."""
    key = np.zeros(n, dtype=np.int64)
    for col in columns:
        codes, size = _codes(col)
        key, _ = _codes(key * size + codes)
    return key


def _k_of(key: np.ndarray) -> int:
    return int(np.bincount(key).min()) if len(key) else 0


def _nice(x: float) -> float:
    """The 1-2-5 number at or above ``x``."""
    if x <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    for step in (1, 2, 5, 10):
        if step * power >= x:
            return float(step * power)
    return 10 * power  # pragma: no cover


@dataclass(frozen=True)
class _Candidate:
    action: str
    parameter: float | int | None
    values: np.ndarray


def _time_candidates(month: np.ndarray, year: np.ndarray) -> list[_Candidate]:
    return [_Candidate("month", None, month), _Candidate("year", None, year)]


def age_like(column: str, label: Message | None = None) -> bool:
    """Whether a column holds ages (by its name or display name): bands are then in years."""
    text = f"{column} {label.zh} {label.en}" if label is not None else column
    return "年龄" in text or bool(re.search(r"(?<![a-z])age(?![a-z])", text.lower()))


def _band_candidates(col: pd.Series, ages: bool) -> list[_Candidate]:
    values = col.to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    if len(np.unique(finite)) <= 2:
        return []
    low, high = float(finite.min()), float(finite.max())
    if ages or (low >= 0 and high <= 120 and (finite == np.floor(finite)).all()):
        widths = [5.0, 10.0, 20.0]
    else:
        widths = sorted({_nice((high - low) / m) for m in (20, 10, 5)})
    out = []
    for width in widths:
        banded = np.floor(values / width) * width
        if len(np.unique(banded[np.isfinite(banded)])) < 2:
            continue
        out.append(_Candidate("band", width, banded))
    return out


def _text_candidates(col: pd.Series, k: int) -> list[_Candidate]:
    """Truncation (digit strings), month/year (date strings) or grouping of rare values.

    Computed on the distinct values and carried to the rows by their codes.
    """
    codes, size = _codes(col)
    uniques = np.asarray(pd.factorize(col, use_na_sentinel=False)[1], dtype="O")
    missing = np.asarray(pd.isna(uniques), dtype=bool).reshape(-1)
    if int((~missing).sum()) <= 2:
        return []
    counts = np.bincount(codes, minlength=size)
    weight = np.where(missing, 0, counts)
    text = ["" if m else str(v).strip() for v, m in zip(uniques, missing, strict=True)]

    def share(flags: np.ndarray) -> float:
        return float(weight[flags].sum()) / max(int(weight.sum()), 1)

    def carried(new: Sequence[str | None]) -> np.ndarray:
        return _codes(pd.Series(new, dtype="O"))[0][codes]

    digits = fullmatch(re.compile(r"[0-9]{4,}"), text)
    if share(digits) >= 0.9:
        lengths = np.fromiter(map(len, text), dtype=np.int64, count=len(text))
        length = int(np.bincount(lengths, weights=weight).argmax())
        return [
            _Candidate(
                "truncate",
                p,
                carried([None if m else s[:p] for s, m in zip(text, missing, strict=True)]),
            )
            for p in (6, 4, 3, 2)
            if p < length
        ]
    date = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.][0-9]{1,2}(?:[ T].*)?")
    parsed = [None if m else date.fullmatch(s) for s, m in zip(text, missing, strict=True)]
    if share(np.array([p is not None for p in parsed], dtype=bool)) >= 0.9:
        month = [None if p is None else f"{p[1]}-{int(p[2]):02d}" for p in parsed]
        year = [None if p is None else p[1] for p in parsed]
        return _time_candidates(carried(month), carried(year))
    out = []
    for t in sorted({k, 2 * k, 5 * k, 10 * k}):
        rare = (counts < t) & ~missing
        if rare.sum() < 2:
            continue
        new = np.arange(size)
        new[rare] = size
        out.append(_Candidate("group_rare", t, new[codes]))
    return out


def _candidates(col: pd.Series, label: str, k: int, ages: bool = False) -> list[_Candidate]:
    """Generalisations of one quasi-identifier, finest first."""
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype) or col.nunique() <= 2:
        return []
    if pd.api.types.is_datetime64_any_dtype(dtype):
        year = col.dt.year.to_numpy(dtype=float, na_value=np.nan)
        month = year * 100 + col.dt.month.to_numpy(dtype=float, na_value=np.nan)
        return _time_candidates(month, year)
    postcode = re.search(r"post(?:al)?code|zip|邮编|邮政编码", normalise_name(label))
    if pd.api.types.is_numeric_dtype(dtype) and not postcode:
        return _band_candidates(col, ages)
    return _text_candidates(col, k)


def _suggestions(
    columns: Sequence[pd.Series],
    labels: Sequence[str],
    key: np.ndarray,
    k: int,
    display: Mapping[str, Message] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Per-column generalisations, each measured with the other columns as they are; and the
    kind of generalisation each column allows (``"band"``, ``"group_rare"``...), whether or not
    it helps alone."""
    n = len(key)
    sizes_now = np.bincount(key)
    k_now = int(sizes_now.min())
    below_now = float(np.mean(sizes_now[key] < k))
    out: list[dict[str, Any]] = []
    kinds: dict[str, str] = {}
    for i, (col, label) in enumerate(zip(columns, labels, strict=True)):
        name = (display or {}).get(label) or w.column_label(label, None)
        ages = age_like(label, name)
        candidates = _candidates(col, label, k, ages)
        if not candidates:
            continue
        kinds[label] = candidates[0].action
        others = _class_key([c for j, c in enumerate(columns) if j != i], n)
        measured = []
        for c in candidates:
            key = _class_key([others, c.values], n)
            sizes = np.bincount(key)
            measured.append((c, int(sizes.min()), float(np.mean(sizes[key] < k))))
        reaching = [m for m in measured if m[1] >= k]
        # The finest candidate reaching k; else the one raising k most, then leaving the
        # fewest records in small classes (max keeps the finest among equals).
        best, k_after, below = (
            reaching[0] if reaching else max(measured, key=lambda m: (m[1], -m[2]))
        )
        if k_after <= k_now and below >= below_now:
            continue
        step = w.generalisation(best.action, best.parameter, name, ages)
        text = w.suggestion_text(step, k, (k_now, k_after), (below_now, below))
        out.append(
            {
                "column": label,
                "action": best.action,
                "parameter": best.parameter,
                "k_after": k_after,
                "share_below_k_after": below,
                "reaches_k": k_after >= k,
                "zh": text.zh,
                "en": text.en,
            }
        )
    out.sort(key=lambda s: (not s["reaches_k"], -s["k_after"], s["share_below_k_after"]))
    return out, kinds


@dataclass(frozen=True)
class QuasiIdentifiers:
    """k-anonymity and l-diversity over the quasi-identifiers.

    Attributes
    ----------
    columns : tuple of str
        The quasi-identifiers; a combination of their values (missing as its own value) is
        an equivalence class.
    k_anonymity : int
        Size of the smallest class (0 without rows).
    k_required : int
    share_unique : float
        Share of records alone in their class.
    share_below_k : float
        Share of records in classes smaller than ``k_required``.
    n_classes : int
    sensitive : tuple of str
        The sensitive columns (empty if none given).
    l_diversity : int or None
        Smallest number of distinct values of a sensitive column within a class (missing as
        its own value), the minimum over sensitive columns; ``None`` without sensitive columns.
    l_required : int
    l_by_column : dict
        ``l`` of each sensitive column.
    share_below_l : float or None
        Share of records in classes with fewer than ``l_required`` distinct values of some
        sensitive column.
    suggestions : list of dict
        One per quasi-identifier that can be generalised so as to raise k or shrink the
        share of records below k (empty when k is reached): ``column``, ``action``
        (``"band"``, ``"truncate"``, ``"month"``, ``"year"``, ``"group_rare"``),
        ``parameter`` (band width, digits kept, or the count under which values are
        grouped), ``k_after`` (k with only this column generalised,
        measured), ``share_below_k_after`` (the share of records then in classes smaller
        than k), ``reaches_k``, and the text in ``zh`` and ``en``. The finest candidate
        reaching k is chosen, else the one raising k most (then leaving the fewest records in
        small classes); a column is listed only if that improves on the data as they are;
        those reaching k come first.
    records_by_class_size : dict
        Class size -> number of records in classes of that size (to recompute
        ``share_below_k`` for another k).
    generalisable : dict
        Column -> the kind of generalisation it allows (an ``action`` above), whether or not
        it raises k on its own (filled when k is below the requirement).
    """

    columns: tuple[str, ...]
    k_anonymity: int
    k_required: int
    share_unique: float
    share_below_k: float
    n_classes: int
    sensitive: tuple[str, ...]
    l_diversity: int | None
    l_required: int
    l_by_column: Mapping[str, int]
    share_below_l: float | None
    suggestions: list[dict[str, Any]]
    records_by_class_size: Mapping[int, int] = field(default_factory=dict, repr=False)
    generalisable: Mapping[str, str] = field(default_factory=dict, repr=False)

    def share_below(self, k: int) -> float:
        """Share of records in classes smaller than ``k``."""
        n = sum(self.records_by_class_size.values())
        below = sum(r for size, r in self.records_by_class_size.items() if size < k)
        return below / n if n else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (without ``records_by_class_size``)."""
        return {
            "columns": list(self.columns),
            "k_anonymity": self.k_anonymity,
            "k_required": self.k_required,
            "share_unique": jsonable(self.share_unique),
            "share_below_k": jsonable(self.share_below_k),
            "n_classes": self.n_classes,
            "sensitive": list(self.sensitive),
            "l_diversity": self.l_diversity,
            "l_required": self.l_required,
            "l_by_column": jsonable(dict(self.l_by_column)),
            "share_below_l": jsonable(self.share_below_l),
            "suggestions": jsonable(self.suggestions),
        }


def measure_quasi_identifiers(
    df: pd.DataFrame,
    quasi: list[Hashable],
    sensitive: list[Hashable],
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
    labels: Mapping[str, Message] | None = None,
) -> QuasiIdentifiers:
    """k-anonymity and l-diversity of ``df`` over ``quasi``, with generalisations worded with
    the columns' display names (``labels``; a column without one is quoted)."""
    n = len(df)
    columns = [df[c] for c in quasi]
    names = [str(c) for c in quasi]
    key = _class_key(columns, n)
    sizes = np.bincount(key) if n else np.zeros(0, dtype=np.int64)
    row_sizes = sizes[key]
    k_now = int(sizes.min()) if n else 0
    by_size = np.bincount(sizes, weights=sizes) if n else np.zeros(0)
    records = {int(s): int(r) for s, r in enumerate(by_size) if r > 0}
    l_by_column: dict[str, int] = {}
    low_l = np.zeros(n, dtype=bool)
    for c in sensitive:
        codes, size = _codes(df[c])
        pairs = np.unique(key * size + codes)
        distinct = np.bincount(pairs // size, minlength=len(sizes))
        l_by_column[str(c)] = int(distinct.min()) if n else 0
        low_l |= distinct[key] < l
    suggestions, kinds = (
        _suggestions(columns, names, key, k, labels) if n and k_now < k else ([], {})
    )
    return QuasiIdentifiers(
        columns=tuple(names),
        k_anonymity=k_now,
        k_required=k,
        share_unique=float(np.mean(row_sizes == 1)) if n else 0.0,
        share_below_k=float(np.mean(row_sizes < k)) if n else 0.0,
        n_classes=len(sizes),
        sensitive=tuple(str(c) for c in sensitive),
        l_diversity=min(l_by_column.values()) if l_by_column else None,
        l_required=l,
        l_by_column=l_by_column,
        share_below_l=(float(np.mean(low_l)) if n else 0.0) if sensitive else None,
        suggestions=suggestions,
        records_by_class_size=records,
        generalisable=kinds,
    )
