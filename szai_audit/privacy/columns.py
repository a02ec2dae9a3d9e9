"""Art. 33(2): the content scan of one column, with masked examples."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .detectors import (
    CONTENT_DETECTORS,
    HIT_SHARE,
    MATCHERS,
    NUMERIC_DETECTORS,
    STRONG_DETECTORS,
    Text,
    beyond_chance,
    mask,
)
from .names import detect_name


def _column_text(col: pd.Series) -> tuple[np.ndarray, Text | None, tuple[str, ...], int]:
    """A column as codes into its distinct non-missing values written as stripped strings.

    Returns ``(codes, uniques, detectors, n_checked)``: ``codes`` has one entry per checked
    value (missing values and blank strings left out), ``uniques`` is ``None`` when the
    column is not checked by content (booleans, dates, fractional numbers).
    """
    dtype = col.dtype
    none = np.zeros(0, dtype=np.int64)
    if pd.api.types.is_bool_dtype(dtype):
        return none, None, (), int(col.notna().sum())
    kept = col.dropna()
    if pd.api.types.is_integer_dtype(dtype):
        detectors = NUMERIC_DETECTORS
    elif pd.api.types.is_float_dtype(dtype):
        values = kept.to_numpy(dtype=float)
        whole = (
            np.isfinite(values).all()
            and (values == np.floor(values)).all()
            and (np.abs(values) < 2.0**53).all()
        )
        if not (len(values) and whole):
            return none, None, (), len(values)
        kept = pd.Series(values.astype(np.int64))
        detectors = NUMERIC_DETECTORS
    elif (
        pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    ):
        detectors = CONTENT_DETECTORS
    else:
        return none, None, (), len(kept)
    # Distinct values first: each is written out and checked once, however often it occurs.
    raw_codes, raw_uniques = pd.factorize(kept)
    text = [str(v).strip() for v in raw_uniques]
    codes, uniques = pd.factorize(np.asarray(text, dtype=object))
    codes = np.asarray(codes, dtype=np.int64)[raw_codes]
    uniques = np.asarray(uniques, dtype=object)
    blank = np.flatnonzero(uniques == "")
    if len(blank):
        keep = np.ones(len(uniques), dtype=bool)
        keep[blank] = False
        renumber = np.cumsum(keep) - 1
        codes = renumber[codes[keep[codes]]]
        uniques = uniques[keep]
    return codes, Text.of(uniques), detectors, len(codes)


def _examples(values: np.ndarray, detector: str | None) -> list[str]:
    """Up to two distinct masked forms of the first values."""
    out: list[str] = []
    for v in values[:50]:
        masked = mask(v, detector)
        if masked not in out:
            out.append(masked)
        if len(out) == 2:
            break
    return out


def scan_column(col: pd.Series, label: str) -> list[dict[str, Any]]:
    by_name = detect_name(label)
    codes, uniques, detectors, n_checked = _column_text(col)
    rows: list[dict[str, Any]] = []
    seen_name = False
    if uniques is not None and n_checked:
        counts = np.bincount(codes, minlength=len(uniques.values))
        for detector in detectors:
            hits = MATCHERS[detector](uniques)
            share = float(counts[hits].sum()) / n_checked
            # Check-digit matches no more frequent than chance are not evidence of content.
            real = share > 0 and beyond_chance(uniques, detector, hits)
            if not real and detector != by_name:
                continue
            content_hit = real and (
                share >= HIT_SHARE or (detector in STRONG_DETECTORS and share > 0)
            )
            name_match = detector == by_name
            seen_name |= name_match
            examples = _examples(uniques.values[hits], detector)
            if not examples and name_match:
                examples = _examples(uniques.values, None)
            rows.append(
                {
                    "column": label,
                    "detector": detector,
                    "by": "content" if content_hit or not name_match else "name",
                    "share": share,
                    "n_checked": n_checked,
                    "hit": content_hit or name_match,
                    "name_match": name_match,
                    "masked_examples": examples,
                }
            )
    if by_name is not None and not seen_name:
        rows.append(
            {
                "column": label,
                "detector": by_name,
                "by": "name",
                "share": math.nan,
                "n_checked": n_checked,
                "hit": True,
                "name_match": True,
                "masked_examples": [] if uniques is None else _examples(uniques.values, None),
            }
        )
    return rows
