"""The direction an organisation expects each input to weigh in (``Audit(value_order=...)``).

``value_order`` maps an input to the way it *should* help the favourable decision, as the
organisation states it: ``"higher"`` or ``"lower"`` for a number (a higher value, or a lower
one, is expected to help), and for a category its categories **from worse to better** (a list).
A category left out of a list is not ordered: it is never proposed as a change and never
compared.

What uses it:

* recourse (the person notices, and the audit's recourse findings) never proposes a move to a
  value the order puts lower: a number only in its better direction, a category only to one
  listed after the person's own;
* the notice linter flags an option that moves an ordered input the wrong way;
* the public algorithm notice flags, as NEEDS_REVIEW, an input whose most favourable value in
  the model contradicts the declared order (the model rewards what the organisation says
  should count against).

>>> import pandas as pd
>>> data = pd.DataFrame({"income": [1.0, 2.0, 3.0], "savings": ["none", "low", "high"]})
>>> order = check_value_order({"income": "higher", "savings": ["none", "low", "high"]}, data)
>>> order["savings"]
('none', 'low', 'high')
>>> is_better(order["savings"], "low", "none"), is_better(order["income"], 2.0, 3.0)
(False, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .data import is_numeric
from .errors import ColumnNotFoundError, InputError, InputTypeError

__all__ = ["NUMBER_ORDERS", "Order", "check_value_order", "is_better", "rank"]

#: The orders of a number: a higher value is expected to help, or a lower one.
NUMBER_ORDERS = ("higher", "lower")

#: ``"higher"``, ``"lower"``, or a category's categories from worse to better (as text).
Order = str | tuple[str, ...]


def check_value_order(
    value_order: Any, data: pd.DataFrame | None = None, *, seen: bool = True
) -> dict[str, Order]:
    """``value_order`` checked: ``{column: "higher" | "lower" | [categories, worse first]}``.

    With ``data``, each column must be one of its columns; a number takes ``"higher"`` or
    ``"lower"``, a category a list of at least two distinct categories seen in ``data`` (the
    categories are compared as text; ``seen=False`` skips that last check, for data seen in
    parts, whose columns are known before its values). Returns the orders with lists as
    tuples of text.

    Raises
    ------
    InputTypeError
        ``value_order`` is not a mapping, or an order is neither text nor a list.
    ColumnNotFoundError
        A column is not in ``data``.
    InputError
        An order that does not fit its column (a list for a number, ``"higher"`` for a
        category, a repeated or unseen category, fewer than two categories).
    """
    if value_order is None:
        return {}
    if not isinstance(value_order, Mapping):
        raise InputTypeError(
            f"value_order must map columns to 'higher', 'lower' or a list of categories from "
            f"worse to better, got {type(value_order).__name__}."
        )
    out: dict[str, Order] = {}
    for column, order in value_order.items():
        c = str(column)
        if data is not None and column not in data.columns:
            raise ColumnNotFoundError(f"value_order names {c!r}, which is not a column of data.")
        numeric = None if data is None else is_numeric(data[column])
        if isinstance(order, str):
            if order not in NUMBER_ORDERS:
                raise InputError(
                    f"value_order[{c!r}] must be 'higher' or 'lower' (a number) or a list of "
                    f"categories from worse to better, got {order!r}."
                )
            if numeric is False:
                raise InputError(
                    f"value_order[{c!r}] = {order!r}, but {c!r} holds categories: list them "
                    f"from worse to better instead."
                )
            out[c] = order
            continue
        if not isinstance(order, Sequence):
            raise InputTypeError(
                f"value_order[{c!r}] must be 'higher', 'lower' or a list of categories, got "
                f"{type(order).__name__}."
            )
        if numeric:
            raise InputError(
                f"value_order[{c!r}] is a list, but {c!r} is a number: give 'higher' or 'lower'."
            )
        listed = tuple(str(v) for v in order)
        if len(set(listed)) != len(listed) or len(listed) < 2:
            raise InputError(
                f"value_order[{c!r}] must list at least two distinct categories from worse to "
                f"better, got {len(listed)} with {len(listed) - len(set(listed))} repeated."
            )
        if data is not None and seen:
            held = {str(v) for v in pd.unique(data[column].dropna().astype(object))}
            unseen = [v for v in listed if v not in held]
            if unseen:
                raise InputError(
                    f"value_order[{c!r}] lists {len(unseen)} categories not seen in data "
                    f"(such as {unseen[0]!r}); list the categories of {c!r} as data holds them."
                )
        out[c] = listed
    return out


def rank(order: Order, value: Any) -> float | None:
    """Where ``value`` stands in ``order``, higher is better: a number itself (negated for
    ``"lower"``), a category's place in the list; None for a category not listed or a
    missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(order, str):
        try:
            x = float(value)
        except (TypeError, ValueError):
            return None
        return x if order == "higher" else -x
    text = str(value)
    return float(order.index(text)) if text in order else None


def is_better(order: Order, before: Any, after: Any) -> bool | None:
    """Whether moving from ``before`` to ``after`` is a move the order calls better (True),
    worse or level (False), or cannot tell (None: a value the order does not rank)."""
    a, b = rank(order, before), rank(order, after)
    if a is None or b is None:
        return None
    return b > a
