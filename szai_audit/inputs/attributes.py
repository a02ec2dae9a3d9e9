"""The sensitive attributes of an audit: looked up, binned, and checked to have two groups.

Each key of ``sensitive=`` names a ground (``"sex"`` is read as ``"gender"``) and gives its
values: a column of ``data`` or ``sensitive_data``, or an array with one value per row. Numeric
attributes with many values are binned; every attribute must have at least two groups, and two
distinct values must not read the same (the number 1 and the text "1").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import (
    MISSING_LABEL,
    BinSpec,
    align_rows,
    bin_numeric,
    encode_groups,
    needs_binning,
    plain,
    real_numbers,
    to_1d,
)
from ..core.errors import (
    ColumnNotFoundError,
    InputError,
    InputTypeError,
    SensitiveAttributeError,
)
from ..core.grounds import canonical_ground
from ..core.messages import Message
from ..core.policy import Policy
from ..core.scope import SensitiveInfo
from ..privacy.columns import scan_column
from .settings import Settings

__all__ = [
    "Attribute",
    "Lookup",
    "attributes",
    "blank_as_missing",
    "lookup_in_memory",
    "references",
    "small_group_label",
    "withhold_small_groups",
]


@dataclass(frozen=True)
class Attribute:
    """One sensitive attribute: where it came from and how it was grouped (``info``), and its
    values (1-D values, or a Categorical when binned; for data seen in parts, one per cell).
    ``numeric`` keeps a binned attribute's numbers, one per row (NaN: missing), for the trend
    along it; None when the attribute was not binned or its rows are seen in parts.
    ``withheld`` maps the stand-in label of each group of fewer than ``policy.k_anonymity``
    people to its value in the data (:func:`withhold_small_groups`): only the flip test, which
    writes the value into the model's inputs, reads it."""

    info: SensitiveInfo
    values: Any
    numeric: np.ndarray | None = None
    withheld: Mapping[str, Any] = field(default_factory=dict)
    #: Data seen in parts: the values of the attribute's distinct entries (the missing entry
    #: last), which ``values`` takes per cell.
    per_value: Any = None


#: ``lookup(key, spec) -> (values, column, source, counts, n_missing)``: the values of a
#: sensitive attribute, its column and where it came from; for data seen in parts, the distinct
#: values, how many rows have each, and how many rows lack a value.
Lookup = Callable[
    [str, Any], tuple[pd.Series, "str | None", str, "np.ndarray | None", "int | None"]
]


def _where(column: str | None, source: str) -> str:
    return f"column {column!r} of {source}" if column else "the array given"


def _close_names(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=3)
    return f" Did you mean {close}?" if close else ""


def lookup_in_memory(
    settings: Settings, key: str, spec: Any, n: int
) -> tuple[pd.Series, str | None, str]:
    """Values of one sensitive attribute, the column name, and where it came from."""
    data, sensitive_data = settings.data, settings.sensitive_data
    if isinstance(spec, str):
        frames = [("data", data), ("sensitive_data", sensitive_data)]
        for source, frame in frames:
            if frame is not None and spec in frame.columns:
                col = frame[spec]
                if len(col) != n:
                    raise InputError(
                        f"{source} has {len(col)} rows but the audit has {n}; "
                        f"sensitive_data must hold the same rows as data."
                    )
                col = align_rows(source, col, None if data is None else data.index)
                return col.reset_index(drop=True), spec, source
        available = [c for _, f in frames if f is not None for c in f.columns]
        hint = _close_names(spec, [str(c) for c in available])
        raise ColumnNotFoundError(
            f"sensitive[{key!r}] names column {spec!r}, which is not in data"
            f"{' or sensitive_data' if sensitive_data is not None else ''}."
            f"{hint} Pass the values themselves (an array, one per row) if they are kept "
            f"elsewhere."
        )
    spec = align_rows(f"sensitive[{key!r}]", spec, None if data is None else data.index)
    arr = to_1d(f"sensitive[{key!r}]", spec, n, "data" if data is not None else "y_pred")
    if isinstance(spec, pd.Series):
        return spec.reset_index(drop=True), None, "array"
    return pd.Series(arr), None, "array"


def _bins(settings: Settings) -> dict[str, Sequence[float] | int]:
    """The explicit bins by ground (each key was checked to be a ground of ``sensitive`` with
    the settings, :func:`szai_audit.inputs.settings.validate`)."""
    return {canonical_ground(str(k)): v for k, v in (settings.bins or {}).items()}


def attributes(
    settings: Settings, n: int, policy: Policy, lookup: Lookup | None = None
) -> list[Attribute]:
    """The sensitive attributes, binned and checked. ``lookup(key, spec)`` gives a ground's
    values, column, source and, for data seen in parts, the count of each (distinct) value
    and the number of missing rows; by default the values of every row."""
    if settings.sensitive is None:
        return []
    if not isinstance(settings.sensitive, Mapping):
        raise InputTypeError(
            f"sensitive must map grounds to columns, e.g. {{'gender': 'sex'}}, got "
            f"{type(settings.sensitive).__name__}."
        )
    bins = _bins(settings)
    attrs: list[Attribute] = []
    seen: dict[str, str] = {}
    for key, spec in settings.sensitive.items():
        ground = canonical_ground(str(key))
        if ground in seen:
            raise SensitiveAttributeError(
                f"sensitive has both {seen[ground]!r} and {key!r}, which name the same "
                f"ground {ground!r}; keep one."
            )
        seen[ground] = str(key)
        if lookup is None:
            values, column, source = lookup_in_memory(settings, str(key), spec, n)
            counts, n_missing = None, None
        else:
            values, column, source, counts, n_missing = lookup(str(key), spec)
        attrs.append(
            _attribute(
                str(key), ground, values, (column, source), bins, policy, n, counts, n_missing
            )
        )
    _refuse_withheld_reference(settings, attrs, policy)
    return attrs


#: The label standing in for the value of a group too small to be named: ``"(small group 1)"``.
SMALL_GROUP = "(small group {})"


def small_group_label(label: str, k: int) -> Message | None:
    """The display name of a stand-in label (:data:`SMALL_GROUP`); None for any other label.

    >>> small_group_label("(small group 2)", 5).zh
    '人数不足 5 人的组 2'
    >>> small_group_label("female", 5) is None
    True
    """
    m = re.fullmatch(r"\(small group (\d+)\)", label)
    if m is None:
        return None
    return Message(
        f"人数不足 {k} 人的组 {m.group(1)}", f"group {m.group(1)} of fewer than {k} people"
    )


def withhold_small_groups(
    values: pd.Series, counts: np.ndarray | None, k: int
) -> tuple[pd.Series, dict[str, Any]]:
    """``values`` with the value of every group of fewer than ``k`` people (but at least one)
    replaced by a stand-in label, ``"(small group 1)"``, ``"(small group 2)"``, … in the order
    of the values' text; and the map from stand-in to value.

    A group that small is a person or two: its value is data about them (a rare nationality, a
    village, a name typed into the wrong column) and is not printed in any output. The group
    is still counted and, when large enough for the policy, compared under its stand-in.
    ``counts`` gives the rows of each (distinct) value for data seen in parts; ``None`` when
    ``values`` has one entry per row.

    >>> v, hidden = withhold_small_groups(pd.Series(["a"] * 6 + ["b"] * 6 + ["solo"]), None, 5)
    >>> v.iloc[-1], hidden
    ('(small group 1)', {'(small group 1)': 'solo'})
    """
    if counts is None:
        sizes = pd.Series(values).value_counts(dropna=True)
    else:
        present = pd.Series(values).notna().to_numpy()
        sizes = pd.Series(np.asarray(counts)[present], index=pd.Index(values[present]))
        sizes = sizes.groupby(level=0, sort=False).sum()
    small = [v for v, c in sizes.items() if 0 < int(c) < k]
    if not small:
        return values, {}
    taken = {str(v) for v in sizes.index}
    withheld: dict[str, Any] = {}
    mapping: dict[Any, str] = {}
    number = 0
    for raw in sorted(small, key=str):
        number += 1
        while SMALL_GROUP.format(number) in taken:
            number += 1
        label = SMALL_GROUP.format(number)
        raw_value = plain(raw)
        withheld[label], mapping[raw] = raw_value, label
    return pd.Series(values, dtype=object).map(lambda v: mapping.get(v, v)), withheld


def _refuse_withheld_reference(
    settings: Settings, attrs: Sequence[Attribute], policy: Policy
) -> None:
    """:class:`SensitiveAttributeError` when ``reference`` names a group whose value is
    withheld (it is too small to be named, let alone to compare the others with)."""
    if not isinstance(settings.reference, Mapping):
        return
    for key, group in settings.reference.items():
        for a in attrs:
            if str(key) != a.info.column and canonical_ground(str(key)) != a.info.ground:
                continue
            if any(str(raw) == str(group) for raw in a.withheld.values()):
                raise SensitiveAttributeError(
                    f"reference[{key!r}] = {group!r} is a group of fewer than "
                    f"{policy.k_anonymity} people (policy.k_anonymity); its value is withheld "
                    f"from every output and it cannot be the reference. Choose a larger group."
                )


#: A text attribute with at least this share of distinct values among its (at least
#: :data:`IDENTIFIER_MIN_ROWS`) present values is refused as a ground: it names people, not
#: groups, and every value would be printed in the report.
IDENTIFIER_SHARE = 0.9
IDENTIFIER_MIN_ROWS = 20


def _refuse_identifiers(key: str, values: Any, counts: np.ndarray | None, where: str) -> None:
    """:class:`SensitiveAttributeError` when a text attribute looks like an identifier."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return
    if counts is not None:  # data seen in parts: the distinct values with their counts
        present = np.asarray(counts, dtype=float)
        n_present, distinct = float(present.sum()), int((present > 0).sum())
    else:
        kept = pd.Series(values).dropna()
        n_present, distinct = float(len(kept)), int(kept.nunique())
    if n_present >= IDENTIFIER_MIN_ROWS and distinct >= IDENTIFIER_SHARE * n_present:
        raise SensitiveAttributeError(
            f"sensitive[{key!r}] ({where}) has {distinct:,} distinct values in {int(n_present):,} "
            f"rows: it looks like an identifier (a name, an ID or phone number), not a ground. "
            f"Each person would be a group of one and the report would print every value; pass "
            f"a grouped attribute instead (a region rather than an address, say)."
        )


#: The longest value of a sensitive attribute accepted, in characters: a group's value names
#: it in the report's tables, charts and sentences, about a hundred times over (a value of
#: 1 MB made a report of 100 MB).
MAX_LABEL_CHARS = 200


def _refuse_long_labels(key: str, values: Any, where: str) -> None:
    """:class:`SensitiveAttributeError` when a value of a text attribute is longer than
    :data:`MAX_LABEL_CHARS` (the distinct values are measured, once each)."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return
    distinct = [str(v) for v in pd.unique(pd.Series(values).dropna())]
    longest = max(distinct, key=len, default="")
    if len(longest) > MAX_LABEL_CHARS:
        raise SensitiveAttributeError(
            f"sensitive[{key!r}] ({where}) has a value of {len(longest):,} characters "
            f"({longest[:20]!r}...); a group's value names it in the report's tables, charts "
            f"and sentences, about a hundred times over, so at most {MAX_LABEL_CHARS} "
            f"characters are accepted. Map the long values to short codes first."
        )


def _refuse_personal_data(key: str, values: Any, where: str) -> None:
    """:class:`SensitiveAttributeError` when a text attribute's values are personal
    information the Art. 33(2) scan detects by content (ID card, mobile or bank card numbers,
    e-mail or IP addresses, licence plates): each value would be printed as a group's name.
    The distinct values are scanned, so data in memory and data seen in parts agree."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return
    distinct = pd.Series(pd.unique(pd.Series(values).dropna()), dtype=object)
    if distinct.empty:
        return
    found = [r for r in scan_column(distinct, key) if r["hit"] and r["by"] == "content"]
    if found:
        hit = found[0]
        example = f" (e.g. {hit['masked_examples'][0]})" if hit["masked_examples"] else ""
        raise SensitiveAttributeError(
            f"sensitive[{key!r}] ({where}) holds {hit['detector'].replace('_', ' ')} values"
            f"{example}: personal information (Art. 33(2)), not a ground, and every value would "
            f"be printed in the report as a group's name. Pass a grouped attribute instead."
        )


def blank_as_missing(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``values`` with every text that is empty or only whitespace made missing, and which
    entries those were: such a value names no group (the report would compare a group with no
    name), so it joins the rows missing the attribute.

    >>> v, blank = blank_as_missing(pd.Series(["f", "", "m", "  "]))
    >>> v.isna().tolist(), blank.tolist()
    ([False, True, False, True], [False, True, False, True])
    """
    none = np.zeros(len(values), dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return values, none
    distinct = pd.unique(pd.Series(values).dropna())
    blanks = [v for v in distinct if isinstance(v, str) and not v.strip()]
    if not blanks:
        return values, none
    blank = np.asarray(pd.Series(values).isin(blanks), dtype=bool)
    return pd.Series(values).where(~blank), blank


def _attribute(
    key: str,
    ground: str,
    values: Any,
    where: tuple[str | None, str],
    bins: Mapping[str, Sequence[float] | int],
    policy: Policy,
    n: int,
    counts: np.ndarray | None,
    n_missing: int | None,
) -> Attribute:
    """One attribute, binned when numeric with many values, checked to have two groups; an
    empty or whitespace-only text is missing (:func:`blank_as_missing`)."""
    column, source = where
    values, blank = blank_as_missing(values)
    if counts is not None and n_missing is not None:  # data in parts: per distinct entry
        n_missing += int(np.asarray(counts)[blank].sum())
    _refuse_identifiers(key, values, counts, _where(column, source))
    _refuse_long_labels(key, values, _where(column, source))
    _refuse_personal_data(key, values, _where(column, source))
    binning: BinSpec | None = None
    numeric: np.ndarray | None = None
    if ground in bins or needs_binning(values, policy.max_groups_before_binning):
        if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(
            values.dtype
        ):
            raise SensitiveAttributeError(
                f"bins were given for {key!r} but its values are not numeric "
                f"(dtype {values.dtype})."
            )
        numbers = values.to_numpy(dtype=float, na_value=np.nan)  # (distinct ones in parts)
        real_numbers(f"sensitive[{key!r}]", numbers, SensitiveAttributeError)  # for the trend
        numeric = numbers if counts is None else None
        values, binning = bin_numeric(
            values, key, bins.get(ground), n_bins=policy.n_bins, counts=counts
        )
    withheld: dict[str, Any] = {}
    if binning is None:
        values, withheld = withhold_small_groups(values, counts, policy.k_anonymity)
    enc = encode_groups({ground: values}, missing="group")
    as_text = [str(g) for g in enc.index]
    if len(set(as_text)) != len(as_text):
        clash = sorted({t for t in as_text if as_text.count(t) > 1})
        raise SensitiveAttributeError(
            f"sensitive[{key!r}] has distinct values that read the same ({clash}), e.g. "
            f"the number 1 and the text '1'; convert the column to one type first, e.g. "
            f".astype(str)."
        )
    present = [g for g in enc.index if g != MISSING_LABEL]
    if len(present) < 2:
        shown = present[0] if present else "(all missing)"
        raise SensitiveAttributeError(
            f"sensitive[{key!r}] ({_where(column, source)}) has a single group "
            f"{shown!r} in the {n} rows audited; a fairness audit compares at least two "
            f"groups. Check the column, or leave this ground out."
        )
    info = SensitiveInfo(
        ground=ground,
        column=column,
        source=source,
        binning=binning,
        groups=tuple(str(g) for g in enc.index),
        n_missing=int(enc.missing.get(ground, 0)) if n_missing is None else n_missing,
    )
    return Attribute(info, values, numeric, withheld)


def references(settings: Settings, groups: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The user's reference group per ground, checked to be one of its ``groups``."""
    if settings.reference is None:
        return {}
    if not isinstance(settings.reference, Mapping):
        raise InputTypeError(
            f"reference must map grounds to a group, e.g. {{'gender': 'male'}}, got "
            f"{type(settings.reference).__name__}."
        )
    out: dict[str, str] = {}
    for key, group in settings.reference.items():
        ground = canonical_ground(str(key))
        if ground not in groups:
            raise SensitiveAttributeError(
                f"reference names the ground {key!r}, which is not in sensitive {sorted(groups)}."
            )
        known = list(groups[ground])
        if str(group) not in known:
            raise SensitiveAttributeError(
                f"reference[{key!r}] = {group!r} is not a group of that ground; its groups "
                f"are {known}."
            )
        out[ground] = str(group)
    return out
