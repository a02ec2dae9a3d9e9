"""Rare values: a value held by fewer than ``k`` rows (``policy.k_anonymity``) is data about a
person or two (a name typed into one row's city, a rare outcome label, a villa two orders came
from), not a category of the data. No output names it: it appears under the stand-in
:func:`stand_in` (or, where a group needs a name of its own, as part of a pooled group).

One threshold serves every output: ``policy.k_anonymity`` (default 5), the smallest number of
people the audit lets a published value or figure describe. A person's own notice may show the
person's own value; recourse offers only values held by at least ``min_count`` people (the
notices' minimum for what they say about others, 10 by default), and the notice checker
refuses a notice showing another person's value held by fewer than ``k`` (docs/person.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .catalog import say
from .messages import Message

__all__ = ["RARE", "rare_values", "shown_value", "stand_in", "stand_in_text"]

#: The stand-in of a rare value in an English-only text (an exception, a decision rule).
RARE = "(value held by fewer than {k} people)"


def stand_in(k: int) -> Message:
    """The stand-in of a value held by fewer than ``k`` people, in both languages.

    >>> stand_in(5).en
    '(value held by fewer than 5 people)'
    """
    return say("core.rare_value", k=k)


def stand_in_text(k: int) -> str:
    """The stand-in in an English-only text (a JSON field, an exception message)."""
    return RARE.format(k=k)


def rare_values(values: Any, k: int, counts: Mapping[Any, int] | None = None) -> set[Any]:
    """The values held by 1 to ``k - 1`` rows: of ``values`` (one per row), or of ``counts``
    (value -> rows holding it). Numbers and booleans are never rare: a number is a quantity,
    not a name.

    >>> sorted(rare_values(pd.Series(["a"] * 6 + ["b"] * 2 + ["Wang"]), 5))
    ['Wang', 'b']
    """
    if counts is None:
        series = pd.Series(values)
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            return set()
        counts = series.value_counts(dropna=True).to_dict()
    return {
        v for v, c in counts.items() if 0 < int(c) < k and not isinstance(v, (bool, int, float))
    }


def shown_value(value: Any, rare: Iterable[Any], k: int) -> str:
    """``value`` as text, or the stand-in when it is one of ``rare``.

    >>> shown_value("Wang", {"Wang"}, 5), shown_value("a", {"Wang"}, 5)
    ('(value held by fewer than 5 people)', 'a')
    """
    return stand_in_text(k) if value in set(rare) else str(value)
