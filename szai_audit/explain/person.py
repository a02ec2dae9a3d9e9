"""One person's decision explained: its principal reasons, the information tied to a protected
ground it used, and what would change it (Art. 71; PIPL Art. 24(3)).

:func:`person_notice` explains the model's decision on one row of data: the decision, its
score and the cut-off the score is compared with; the principal reasons, the three or four
inputs whose exact contributions (the same engine as the audit's explanation, against a
background drawn from the data) moved this person's score most against the favourable
decision, each in words with its display name and value label and compared with the people who
received the favourable decision; every input tied to a protected ground (a ground's own
column, or an input standing in for one) that weighed on the decision, **disclosed** with its
share of the influence and whether, without the contributions of all of them, the decision
would have been the other one (``turned``); and, for an unfavourable decision, **recourse**:
the smallest changes to the inputs the organisation declared the person may change
(``actionable``, never against ``value_order``) that turn the decision favourable, searched
against the model and verified by calling it. Recourse is opt-in: with nothing declared, none
is offered (a change the model rewards may harm the person, such as closing an account).

What this is, and is not: the reasons explain the *model*, not the world ("the model gave most
weight to", never "because you are"); recourse is a property of the model (a change that the
model would reward), not advice that the change is possible or wise. Inputs tied to a protected
ground are never a reason the person is asked to act on and never changed; they are disclosed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.catalog import say
from ..core.data import is_numeric, plain
from ..core.errors import ColumnNotFoundError, InputError, InputTypeError
from ..core.grounds import ground_label
from ..core.labels import ValueLabels, as_label, column_unit, with_unit
from ..core.messages import Message, first_upper, fmt_pct
from ..core.models import adapt_model
from ..core.orders import Order, check_value_order
from ..core.policy import Policy
from ..core.rare import rare_values, shown_value
from ..core.recourse import Candidate, RecourseSpace, search
from .engine import RowSample, explain_sample
from .words import feature_label

__all__ = [
    "Change",
    "Cutoff",
    "PersonExplanation",
    "ProtectedUse",
    "Reason",
    "RecourseOption",
    "cutoff_between",
    "decision_cutoff",
    "explain_people",
    "favourable_threshold",
    "person_notice",
]

#: Directions a column may be changed in (``actionable``).
DIRECTIONS = ("increase", "decrease", "any")
#: A direction, or the categories a category may change to.
Direction = str | tuple[Any, ...]


@dataclass(frozen=True)
class Reason:
    """One input among the principal reasons of a decision.

    ``contribution`` is on the explained output's scale (a probability, log-odds or a score),
    signed towards the favourable decision (negative: it weighed against it); ``share`` is its
    part of the absolute contributions of this person's inputs.
    """

    column: str
    name: Message
    shown: Message
    contribution: float
    share: float
    typical: Message | None
    sentence: Message


@dataclass(frozen=True)
class Change:
    """One input changed in a recourse option: from ``before`` to ``after`` (raw values), in
    words, and its cost (the change over the column's interquartile range; 1 for a category)."""

    column: str
    name: Message
    before: Any
    after: Any
    before_shown: Message
    after_shown: Message
    cost: float


@dataclass(frozen=True)
class RecourseOption:
    """Changes that, together, turn the decision favourable (``decision_after``, verified by
    calling the model), their total cost, and the score after them."""

    changes: tuple[Change, ...]
    cost: float
    decision_after: Any
    score_after: float | None

    def sentence(self) -> Message:
        def spaced(text: str) -> str:  # a number among Chinese characters stands apart
            return text if text.startswith("“") else f" {text} "

        zh = "；".join(
            f"{c.name.zh}从{spaced(c.before_shown.zh)}变为{spaced(c.after_shown.zh)}".rstrip()
            for c in self.changes
        )
        en = "; ".join(
            f"{c.name.en} from {c.before_shown.en} to {c.after_shown.en}" for c in self.changes
        )
        return Message(zh, en)


@dataclass(frozen=True)
class ProtectedUse:
    """An input tied to a protected ground that weighed on one decision: disclosed to the
    person, never a reason they are asked to act on, never changed.

    ``grounds`` are the characteristics it is, or stands in for (a proxy); ``contribution``
    and ``share`` as for :class:`Reason`.
    """

    column: str
    name: Message
    shown: Message
    grounds: tuple[Message, ...]
    contribution: float
    share: float
    sentence: Message


@dataclass(frozen=True)
class Cutoff:
    """The score a decision is compared with: favourable at ``value`` or above
    (``inclusive``), or only above it."""

    value: float
    inclusive: bool

    def favourable(self, score: float) -> bool:
        return score >= self.value if self.inclusive else score > self.value


@dataclass(frozen=True)
class PersonExplanation:
    """The explanation of one decision (see :func:`person_notice`).

    Attributes
    ----------
    decision : object
        The model's decision for the person.
    favourable : bool
        Whether it is the favourable one.
    score : float or None
        The model's score of the favourable decision (None without scores).
    reasons : tuple of Reason
        The principal reasons, the strongest first: for an unfavourable decision, the inputs
        that weighed most against the favourable one; for a favourable decision, those that
        weighed most for it.
    recourse : tuple of RecourseOption
        For an unfavourable decision, up to ``n_options`` diverse options, cheapest first;
        empty when none was found within the allowed changes (``recourse_note`` says so).
    recourse_note : Message
        What was searched and what was found, in words.
    method : str
        How the contributions were computed.
    changeable : tuple of str
        The columns recourse was allowed to change (empty when none was declared).
    protected : tuple of ProtectedUse
        Every input tied to a protected ground whose contribution to this decision is not
        zero, the largest first.
    turned : bool or None
        Whether the decision would have been the other one without the contributions of the
        inputs tied to protected grounds (their sum taken off the model's output); None when
        the cut-off is not known on the explained scale.
    cutoff : Cutoff or None
        The score the decision is compared with (None: not a single cut-off on the score).
    recourse_offered : bool
        Whether the organisation declared what may change (``actionable``); without it, no
        recourse is searched or written.
    grounds : tuple of Message
        The protected grounds the inputs were checked against (the audit's), in words.
    contributions : tuple of (str, float)
        Every input's contribution to this decision, signed towards the favourable one.
    """

    decision: Any
    favourable: bool
    score: float | None
    reasons: tuple[Reason, ...]
    recourse: tuple[RecourseOption, ...]
    recourse_note: Message
    method: str
    changeable: tuple[str, ...] = field(default_factory=tuple)
    protected: tuple[ProtectedUse, ...] = ()
    turned: bool | None = None
    cutoff: Cutoff | None = None
    recourse_offered: bool = True
    grounds: tuple[Message, ...] = ()
    contributions: tuple[tuple[str, float], ...] = ()

    def text(self, lang: str = "zh") -> str:
        """The explanation as plain text in ``"zh"`` or ``"en"``."""
        if lang not in ("zh", "en"):
            raise InputError(f"lang must be 'zh' or 'en', got {lang!r}.")

        lines = [self.headline()[lang], ""]
        lines += [f"{i}. {first_upper(r.sentence[lang])}" for i, r in enumerate(self.reasons, 1)]
        if self.protected:
            lines += ["", first_upper(self.disclosure()[lang])]
            lines += [f"- {first_upper(u.sentence[lang])}" for u in self.protected]
        if not self.favourable:
            lines += ["", self.recourse_note[lang]]
            lines += [f"- {first_upper(o.sentence()[lang])}" for o in self.recourse]
        return "\n".join(lines)

    def disclosure(self) -> Message:
        """What the notice says of the inputs tied to protected grounds (see
        :func:`disclosure`)."""
        return disclosure(self)

    def headline(self) -> Message:
        if self.favourable:
            return say("explain.headline.model_s_decision_you_2")
        return say("explain.headline.model_s_decision_you")


def _number(x: float) -> str:
    """A number as people write it: whole numbers with thousands separators, else two
    decimals at most."""
    if not math.isfinite(x):
        return str(x)
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def decision_cutoff(
    score: np.ndarray | None, favourable: np.ndarray, given: float | None = None
) -> Cutoff | None:
    """The cut-off the decisions follow on the favourable score: ``given`` (the audit's
    ``threshold``, on that score) or else 0.5, kept only when every decision agrees with it
    (favourable at or above it, or only above it); None without scores or when no single
    cut-off at that value reproduces the decisions (a multiclass model, a rule of its own).

    Examples
    --------
    >>> decision_cutoff(np.array([0.2, 0.49, 0.51, 0.9]), np.array([False, False, True, True]))
    Cutoff(value=0.5, inclusive=False)
    >>> decision_cutoff(np.array([0.2, 0.7]), np.array([True, False])) is None
    True
    """
    if score is None:
        return None
    s = np.asarray(score, dtype=float)
    fav = np.asarray(favourable, dtype=bool)
    if len(s) == 0 or not np.isfinite(s).all():
        return None
    lowest = float(s[fav].min()) if fav.any() else math.inf
    highest = float(s[~fav].max()) if (~fav).any() else -math.inf
    return cutoff_between(lowest, highest, given)


def cutoff_between(
    lowest_favourable: float, highest_other: float, given: float | None = None
) -> Cutoff | None:
    """:func:`decision_cutoff` from the range of the scores: the lowest score decided
    favourably and the highest decided otherwise (``inf`` and ``-inf`` when there are none).
    At or above ``given`` (or 0.5) when the favourable decisions reach it and the others stay
    below; only above it when the others may reach it; the first when both hold and a
    threshold was given (its rule is ``>=``), else the second.

    >>> cutoff_between(0.51, 0.49), cutoff_between(0.5, 0.2, 0.5), cutoff_between(0.3, 0.6)
    (Cutoff(value=0.5, inclusive=False), Cutoff(value=0.5, inclusive=True), None)
    """
    value = 0.5 if given is None else float(given)
    at_or_above = lowest_favourable >= value > highest_other
    above = lowest_favourable > value >= highest_other
    if at_or_above and (given is not None or not above):
        return Cutoff(value, True)
    if above:
        return Cutoff(value, False)
    return None


def decisions_turned(
    protected_sum: np.ndarray,
    output: np.ndarray,
    output_space: str,
    favourable: np.ndarray,
    cutoff: Cutoff | None,
) -> np.ndarray | None:
    """Whether each decision would have been the other one without the contributions of the
    inputs tied to protected grounds: the model's explained ``output`` less their sum
    (``protected_sum``), read against ``cutoff`` on the explained scale. None when that scale
    is not the favourable probability or its log-odds, or the cut-off is unknown.

    >>> decisions_turned(np.array([0.74, 0.1]), np.array([-0.24, -0.24]), "log_odds",
    ...                  np.array([False, False]), Cutoff(0.5, False)).tolist()
    [False, False]
    >>> decisions_turned(np.array([-0.74, 0.0]), np.array([-0.24, 1.0]), "log_odds",
    ...                  np.array([False, True]), Cutoff(0.5, False)).tolist()
    [True, False]
    """
    if cutoff is None or output_space not in ("probability", "log_odds"):
        return None
    without = np.asarray(output, dtype=float) - np.asarray(protected_sum, dtype=float)
    if output_space == "log_odds":
        with np.errstate(over="ignore"):
            without = 1.0 / (1.0 + np.exp(-without))
    after = without >= cutoff.value if cutoff.inclusive else without > cutoff.value
    return np.asarray(after != np.asarray(favourable, dtype=bool))


def _shown(
    column: str,
    value: Any,
    labels: Mapping[str, Sequence[str]] | None,
    values: Mapping[str, Mapping[str, Message]],
) -> Message:
    """A value in words: a category's label (quoted), a number with its unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return say("explain.shown.missing")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        label = values.get(column, {}).get(str(value), Message(str(value), str(value)))
        return say("explain.shown.text", label=label)
    coded = values.get(column, {}).get(_number(float(value)).replace(",", ""))
    if coded is not None:  # a number that is a code: its meaning
        return say("explain.shown.text", label=coded)
    return with_unit(_number(float(value)), column_unit(column, labels))


def _typical(
    column: str,
    favoured: pd.Series,
    labels: Mapping[str, Sequence[str]] | None,
    values: Mapping[str, Mapping[str, Message]],
) -> tuple[Message | None, float | None]:
    """Among the people who received the favourable decision: the median of a number (in
    words, and the number), or the most common category, or code of a number whose values
    have labels (in words, None); (None, None) when there are none."""
    kept = favoured.dropna()
    if kept.empty:
        return None, None
    if is_numeric(favoured) and not values.get(column):  # a coded number: its most common
        median = float(np.median(kept.to_numpy(dtype=float)))
        return _shown(column, median, labels, values), median
    mode = kept.astype(object).value_counts().index[0]
    return _shown(column, mode, labels, values), None


def _reason_sentence(
    name: Message, shown: Message, value: Any, typical: Message | None, median: float | None
) -> Message:
    if typical is None:
        return say("explain.reason_sentence.text", name=name, shown=shown)
    if median is not None and isinstance(value, (int, float, np.number)):
        v = float(value)
        if math.isclose(v, median):
            return say("explain.reason_sentence.same_as_median_those", name=name, shown=shown)
        more = v > median
        return say(
            "explain.reason_sentence.median_those_who_received",
            name=name,
            shown=shown,
            typical=typical,
            value=Message("高于" if more else "低于", "above" if more else "below"),
        )
    if typical == shown:
        return say("explain.reason_sentence.also_most_common_among", name=name, shown=shown)
    return say(
        "explain.reason_sentence.most_common_among_those", name=name, shown=shown, typical=typical
    )


def _value_tables(
    value_labels: Mapping[str, Mapping[Any, Any]] | ValueLabels | None,
) -> dict[str, dict[str, Message]]:
    if value_labels is None:
        return {}
    if isinstance(value_labels, ValueLabels):  # an audit's labels, already Messages
        return {str(c): dict(table) for c, table in value_labels.by_column.items()}
    if not isinstance(value_labels, Mapping):
        raise InputTypeError(
            f"value_labels must map columns to {{value: (zh, en)}}, got "
            f"{type(value_labels).__name__}."
        )
    return {
        str(c): {str(raw): as_label(pair) for raw, pair in table.items()}
        for c, table in value_labels.items()
    }


def _persons(data: pd.DataFrame, rows: Any) -> pd.DataFrame:
    """The people explained, as a frame with data's columns and dtypes: a frame of them, or
    index labels of data."""
    if isinstance(rows, pd.DataFrame):
        frame = rows
    elif isinstance(rows, (str, bytes)) or not isinstance(
        rows, Sequence | pd.Index | pd.Series | np.ndarray
    ):
        raise InputTypeError(
            f"rows must be index labels of data (a list, an Index) or a DataFrame of people, got "
            f"{type(rows).__name__}."
        )
    else:
        labels = list(rows)
        if not data.index.is_unique:
            raise InputError("data's index has repeated labels: a row label names no one person.")
        missing = [r for r in labels if r not in data.index]
        if missing:
            raise InputError(
                f"rows names {len(missing)} label(s) not in data's index, such as {missing[:3]!r}."
            )
        frame = data.loc[labels]
    if frame.empty:
        raise InputError("rows names no one: give at least one person.")
    missing_cols = [c for c in data.columns if c not in frame.columns]
    if missing_cols:
        raise ColumnNotFoundError(f"the rows lack data's columns {missing_cols}.")
    return frame[list(data.columns)].astype(data.dtypes.to_dict())


def _person_row(data: pd.DataFrame, row: Any) -> pd.DataFrame:
    """The person's row as a one-row frame with data's columns."""
    if isinstance(row, pd.DataFrame):
        if len(row) != 1:
            raise InputError(f"row must be one row, got a frame of {len(row)} rows.")
        return _persons(data, row)
    if isinstance(row, pd.Series):
        return _persons(data, row.to_frame().T)
    if isinstance(row, Mapping):
        return _persons(data, pd.DataFrame([dict(row)]))
    if row in data.index:
        return _persons(data, [row])
    raise InputError(
        f"row must be an index label of data, a Series, a mapping or a one-row DataFrame; "
        f"{row!r} is not in data's index."
    )


def changeable(
    data: pd.DataFrame,
    immutable: Sequence[str],
    sensitive: Sequence[str],
    actionable: Mapping[str, Any] | None,
    value_order: Mapping[str, Order] | None = None,
) -> dict[str, Direction]:
    """Columns that may change, with their direction (every column not immutable or
    sensitive, either way, when ``actionable`` is None); a direction ``"better"`` is resolved
    by ``value_order``, and a number's direction must agree with its order."""
    for name, cols in (("immutable", immutable), ("actionable", list(actionable or {}))):
        unknown = [c for c in cols if c not in data.columns]
        if unknown:
            raise ColumnNotFoundError(f"{name} names columns {unknown} that are not in data.")
    orders = dict(value_order or {})
    if actionable is None:
        fixed = {*immutable, *sensitive}
        return {str(c): _ordered(data[c], str(c), "any", orders) for c in data.columns
                if c not in fixed}  # fmt: skip
    out: dict[str, Direction] = {}
    for c, direction in actionable.items():
        if c in set(sensitive):
            raise InputError(
                f"actionable names {c!r}, an input tied to a protected ground (a ground or its "
                f"proxy): it is never changed; leave it out of actionable."
            )
        if c in set(immutable):
            raise InputError(f"{c!r} is both immutable and actionable; give it once.")
        out[str(c)] = _ordered(data[c], str(c), direction, orders)
    return out


def _ordered(col: pd.Series, c: str, direction: Any, orders: Mapping[str, Order]) -> Direction:
    """A checked direction (:func:`_direction`) read with the column's declared order: a
    number's ``"any"`` or ``"better"`` becomes its better direction; ``"better"`` needs an
    order; a number moved against its order is refused."""
    order = orders.get(c)
    if direction == "better":
        if order is None:
            raise InputError(
                f"actionable[{c!r}] = 'better' needs value_order[{c!r}] (the order from worse "
                f"to better) to say which way is better; declare it, or give a direction."
            )
        direction = "any"
    checked = _direction(col, c, direction)
    if isinstance(order, str):  # a number: its better direction
        better = "increase" if order == "higher" else "decrease"
        if checked not in ("any", better):
            raise InputError(
                f"actionable[{c!r}] = {checked!r}, but value_order[{c!r}] = {order!r} says "
                f"that is worse; recourse never proposes a move the order calls worse."
            )
        return better
    return checked


def _direction(col: pd.Series, c: str, direction: Any) -> Direction:
    """A checked direction: one of DIRECTIONS, or the categories a category may change to."""
    if isinstance(direction, str):
        if direction not in DIRECTIONS:
            raise InputError(
                f"actionable[{c!r}] must be one of {list(DIRECTIONS)} or a list of the "
                f"categories it may change to, got {direction!r}."
            )
        if direction != "any" and not is_numeric(col):
            raise InputError(
                f"actionable[{c!r}] = {direction!r}, but {c!r} is not numeric; give 'any' or "
                f"the list of categories it may change to."
            )
        return direction
    if is_numeric(col) or not isinstance(direction, Sequence | set | frozenset):
        raise InputError(
            f"actionable[{c!r}] must be one of {list(DIRECTIONS)}"
            + ("" if is_numeric(col) else " or a list of the categories it may change to")
            + f", got {direction!r}."
        )
    seen = {str(v) for v in pd.unique(col.dropna().astype(object))}
    unknown = [v for v in direction if str(v) not in seen]
    if unknown or not direction:
        # A value of fewer than k people is named by its stand-in (default k: Policy's).
        rare = {str(v) for v in rare_values(col.dropna().astype(object), Policy().k_anonymity)}
        shown = sorted({shown_value(v, rare, Policy().k_anonymity) for v in seen})
        raise InputError(
            f"actionable[{c!r}] lists categories not seen in data: {unknown!r}; seen: {shown!r}."
            if unknown
            else f"actionable[{c!r}] is an empty list; leave {c!r} out of actionable instead."
        )
    return tuple(direction)


def person_notice(model: Any, data: pd.DataFrame, row: Any, **options: Any) -> PersonExplanation:
    """Explain the model's decision for one person, and what would change it.

    :func:`explain_people` for one person, who may be outside ``data``: ``row`` is an index
    label of ``data``, a Series, a mapping or a one-row DataFrame; the keyword arguments are
    those of :func:`explain_people`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"income": rng.normal(5, 2, 500), "debts": rng.integers(0, 5, 500)})
    >>> y = (X["income"] - X["debts"] + rng.normal(size=500) > 3).astype(int)
    >>> model = LogisticRegression().fit(X, y)
    >>> refused = X.index[model.predict(X) == 0][0]
    >>> p = person_notice(model, X, refused, actionable={"income": "increase"})
    >>> p.favourable, p.recourse[0].changes[0].column, p.recourse[0].decision_after
    (False, 'income', 1)
    """
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise InputTypeError("data must be a non-empty pandas DataFrame of the model's inputs.")
    return explain_people(model, data, _person_row(data, row), **options)[0]


def explain_people(
    model: Any,
    data: pd.DataFrame,
    rows: Any,
    *,
    favorable_label: Any = 1,
    feature_labels: Mapping[str, Sequence[str]] | None = None,
    value_labels: Mapping[str, Mapping[Any, Any]] | ValueLabels | None = None,
    immutable: Sequence[str] = (),
    sensitive: Sequence[str] | Mapping[str, Sequence[str]] = (),
    actionable: Mapping[str, Any] | None = None,
    value_order: Mapping[str, Any] | None = None,
    threshold: float | None = None,
    n_reasons: int = 4,
    n_options: int = 3,
    background_size: int = 100,
    grid: int = 20,
    min_count: int = 10,
    random_state: int | None = 0,
) -> list[PersonExplanation]:
    """Explain the model's decisions for many people (one :class:`PersonExplanation` each, in
    the order of ``rows``), and what would change each, in bulk: one call of the explanation
    engine for everyone and a few large model calls for the recourse of everyone refused.

    Parameters
    ----------
    model : estimator or CallableModel
        Called on frames with ``data``'s columns.
    data : DataFrame
        The model's inputs for many people (not modified): the background of the
        contributions, the comparison with favourable decisions, the values recourse tries.
    rows : index labels of data, or DataFrame
    favorable_label : object, default 1
    feature_labels, value_labels : mapping, optional
        Display names of columns and of category values, as for :class:`szai_audit.Audit`.
    immutable : sequence of str
        Columns recourse never changes.
    sensitive : sequence of str, or mapping of str to sequence of str
        The inputs tied to protected grounds, or ``{column: [grounds it is or stands in
        for]}``: never a reason to act on, never changed, disclosed when they weighed.
    actionable : mapping, optional
        ``{column: "increase" | "decrease" | "better" | "any" | [categories]}``; recourse is
        searched only when it is given (the module's description).
    value_order : mapping, optional
        ``{column: "higher" | "lower" | [categories, worse first]}``: never moved against.
    threshold : float, optional
        The audit's threshold on the positive label's score (:func:`decision_cutoff`).
    n_reasons, n_options, background_size, grid : int
        Reasons given (4); recourse options, each changing other columns (3); background rows
        drawn for the contributions (100); quantiles of a number tried as its new value (20).
    min_count : int, default 10
        Fewest favourably decided a reason is compared with, fewest holders of a category.
    random_state : int or None, default 0

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"income": rng.normal(5, 2, 500), "debts": rng.integers(0, 5, 500)})
    >>> model = DecisionTreeClassifier(max_depth=3).fit(X, X["income"] - X["debts"] > 2)
    >>> people = explain_people(model, X, X.index[:50], favorable_label=True,
    ...                         actionable={"income": "increase"})
    >>> len(people), all(o.decision_after for p in people for o in p.recourse)
    (50, True)
    """
    _check_counts(n_reasons=n_reasons, n_options=n_options, background_size=background_size)
    _check_counts(grid=grid, least=2)
    _check_counts(min_count=min_count)
    tied = _tied(sensitive)
    persons = _checked_people(data, rows, list(tied))
    orders = check_value_order(value_order, data)
    allowed = changeable(data, immutable, list(tied), actionable, orders) if actionable else {}
    words = _Words(data, feature_labels, _value_tables(value_labels), min_count)
    return _explained(
        model, data, persons, allowed, words, favorable_label, tied, random_state,
        {"n_reasons": n_reasons, "n_options": n_options, "background_size": background_size,
         "grid": grid},
        _Declared(bool(actionable), orders, threshold),
    )  # fmt: skip


@dataclass(frozen=True)
class _Declared:
    """What the organisation declared: whether recourse is offered, the orders, the
    threshold."""

    offered: bool
    orders: Mapping[str, Order]
    threshold: float | None


def _tied(sensitive: Any) -> dict[str, tuple[str, ...]]:
    """``sensitive`` as {column: grounds} (no grounds when given as a list of columns)."""
    if isinstance(sensitive, Mapping):
        out = {}
        for c, grounds in sensitive.items():
            if isinstance(grounds, str) or not isinstance(grounds, Sequence):
                grounds = (grounds,)
            out[str(c)] = tuple(str(g) for g in grounds)
        return out
    if isinstance(sensitive, str) or not isinstance(sensitive, Sequence):
        raise InputTypeError(
            f"sensitive must be a list of columns or a mapping of columns to grounds, got "
            f"{type(sensitive).__name__}."
        )
    return {str(c): () for c in sensitive}


def _checked_people(data: Any, rows: Any, sensitive: Sequence[str]) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise InputTypeError("data must be a non-empty pandas DataFrame of the model's inputs.")
    persons = _persons(data, rows)
    unknown = [c for c in sensitive if c not in data.columns]
    if unknown:
        raise ColumnNotFoundError(f"sensitive names columns {unknown} that are not in data.")
    return persons


class _Words:
    """Display names, values in words and the comparison with the favourable decisions, each
    computed once per column."""

    def __init__(
        self,
        data: pd.DataFrame,
        labels: Mapping[str, Sequence[str]] | None,
        values: Mapping[str, Mapping[str, Message]],
        min_count: int,
    ) -> None:
        self.data, self.labels, self.values, self.min_count = data, labels, values, min_count
        self._typical: dict[str, tuple[Message | None, float | None]] = {}
        self.favoured: np.ndarray | None = None

    def name(self, column: str) -> Message:
        return feature_label(column, self.labels)

    def shown(self, column: str, value: Any) -> Message:
        return _shown(column, value, self.labels, self.values)

    def typical(self, column: str) -> tuple[Message | None, float | None]:
        if column not in self._typical:
            assert self.favoured is not None
            col = self.data.loc[self.favoured, column]
            if col.notna().sum() < self.min_count:
                self._typical[column] = (None, None)
            else:
                self._typical[column] = _typical(column, col, self.labels, self.values)
        return self._typical[column]


def favourable_threshold(adapter: Any, favorable_label: Any, given: float | None) -> float | None:
    """The decision threshold on the favourable decision's score: the model's threshold (or
    ``given``, the audit's ``threshold`` on the positive label's score), as it is when the
    favourable label is the positive one (the second of a binary classifier's classes, else
    1), else one less it; None when the decisions come from ``model.predict``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    >>> favourable_threshold(adapt_model(model, 0.3), 1, 0.3)
    0.3
    >>> favourable_threshold(adapt_model(model, 0.3), 0, 0.3)
    0.7
    >>> favourable_threshold(adapt_model(model), 1, None) is None
    True
    """
    threshold = adapter.threshold if adapter.threshold is not None else given
    if threshold is None:
        return None
    classes = adapter.classes() if adapter.kind == "sklearn" else None
    positive = classes[1] if classes is not None and len(classes) == 2 else 1
    return float(threshold) if favorable_label == positive else 1.0 - float(threshold)


def _explained(
    model: Any,
    data: pd.DataFrame,
    persons: pd.DataFrame,
    allowed: Mapping[str, Direction],
    words: _Words,
    favorable_label: Any,
    tied: Mapping[str, tuple[str, ...]],
    random_state: int | None,
    sizes: Mapping[str, int],
    declared: _Declared,
) -> list[PersonExplanation]:
    """The decisions, their reasons, the disclosure and (when refused) the recourse, once the
    inputs are checked."""
    adapter = adapt_model(model, declared.threshold)
    decisions = [plain(d) for d in np.asarray(adapter.outputs(persons).decisions)]
    score = adapter.score(persons, favorable_label)
    everyone = adapter.outputs(data)
    words.favoured = np.asarray(everyone.decisions) == favorable_label
    cutoff = decision_cutoff(
        everyone.score(favorable_label),
        words.favoured,
        favourable_threshold(adapter, favorable_label, declared.threshold),
    )
    contrib, method, output, space = _contributions(
        model, data, persons, favorable_label, sizes["background_size"], random_state
    )
    favourable = [bool(d == favorable_label) for d in decisions]
    columns = list(persons.columns)
    hidden = [j for j, c in enumerate(columns) if str(c) in tied]
    turned = decisions_turned(
        contrib[:, hidden].sum(axis=1), output, space, np.asarray(favourable), cutoff
    )
    refused = [i for i, f in enumerate(favourable) if not f]
    # Recourse offers only categories held by at least min_count people, as the notice's
    # other statements about others; never against a declared order.
    options: dict[int, list[Candidate]] = {}
    space_ = RecourseSpace.of(data, allowed, sizes["grid"], words.min_count, declared.orders)
    if allowed and refused:
        found = search(adapter, persons.iloc[refused], space_, favorable_label, sizes["n_options"])
        options = dict(zip(refused, found, strict=True))
    grounds = _ground_words(tied)
    out = []
    for i, person in enumerate(persons.itertuples(index=False, name=None)):
        values = dict(zip(columns, person, strict=True))
        chosen = tuple(_option(o, values, words, space_) for o in options.get(i, []))
        out.append(
            PersonExplanation(
                decision=decisions[i],
                favourable=favourable[i],
                score=None if score is None else float(score[i]),
                reasons=_reasons(contrib[i], values, favourable[i], words, frozenset(tied),
                                 sizes["n_reasons"]),
                recourse=chosen,
                recourse_note=Message("", "") if favourable[i]
                else _recourse_note(chosen, allowed, words.labels, declared.offered),
                method=method,
                changeable=tuple(allowed),
                protected=_protected(contrib[i], values, words, tied),
                turned=None if turned is None else bool(turned[i]),
                cutoff=cutoff,
                recourse_offered=declared.offered,
                grounds=grounds,
                contributions=tuple((str(c), float(v)) for c, v in zip(columns, contrib[i],
                                                                       strict=True)),
            )
        )  # fmt: skip
    return out


def _ground_words(tied: Mapping[str, tuple[str, ...]]) -> tuple[Message, ...]:
    """The grounds the inputs were checked against, in words, each once."""
    names = dict.fromkeys(g for grounds in tied.values() for g in grounds)
    return tuple(ground_label(g) for g in names)


def _check_counts(least: int = 1, **counts: Any) -> None:
    """:class:`InputTypeError` for a count that is not an integer of at least ``least``."""
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise InputTypeError(f"{name} must be an integer of at least {least}, got {value!r}.")


def _contributions(
    model: Any,
    data: pd.DataFrame,
    persons: pd.DataFrame,
    favorable_label: Any,
    background_size: int,
    random_state: int | None,
) -> tuple[np.ndarray, str, np.ndarray, str]:
    """The exact contributions of every person's inputs, in one call of the engine (a
    background drawn from ``data``, the people after it), with the explained output of each
    person and its scale."""
    rng = np.random.default_rng(random_state)
    bg = np.sort(rng.choice(len(data), min(background_size, len(data)), replace=False))
    frame = pd.concat([data.iloc[bg], persons], ignore_index=True)
    n, k = len(frame), len(persons)
    sample = RowSample(frame, np.arange(n), n, np.arange(n - k, n), np.arange(n - k), None)
    exp = explain_sample(
        model, sample, positive_label=favorable_label, random_state=random_state,
        progress=False, every_row=True,
    )  # fmt: skip
    values = exp.values.reindex(columns=data.columns, fill_value=0.0)
    return values.to_numpy(), exp.method, np.asarray(exp.output, dtype=float), exp.output_space


def _reasons(
    contrib: np.ndarray,
    person: Mapping[str, Any],
    favourable: bool,
    words: _Words,
    hidden: frozenset[str],
    n_reasons: int,
) -> tuple[Reason, ...]:
    """The principal reasons, from the exact contributions of the person's inputs: against
    the favourable decision when it was refused, for it when granted. Inputs tied to a
    protected ground are disclosed apart (:func:`_protected`), and a value that is also what
    the favourably decided typically have (their most common category, their median) is not
    a reason: it does not set the person apart from them."""
    columns = list(person)
    total = float(np.abs(contrib).sum()) or 1.0
    order = np.argsort(-contrib if favourable else contrib, kind="stable")
    reasons = []
    for j in order:
        c, value = columns[j], plain(person[columns[j]])
        if contrib[j] == 0 or (contrib[j] < 0) == favourable or c in hidden:
            continue
        name, shown = words.name(c), words.shown(c, value)
        typical, median = words.typical(c)
        if not favourable and _typical_of_favoured(value, shown, typical, median):
            continue
        reasons.append(
            Reason(
                column=c,
                name=name,
                shown=shown,
                contribution=float(contrib[j]),
                share=float(abs(contrib[j]) / total),
                typical=typical,
                sentence=_reason_sentence(name, shown, value, typical, median),
            )
        )
        if len(reasons) == n_reasons:
            break
    return tuple(reasons)


def _typical_of_favoured(
    value: Any, shown: Message, typical: Message | None, median: float | None
) -> bool:
    """Whether the person's value is what the favourably decided typically have."""
    if typical is None:
        return False
    if median is not None and isinstance(value, (int, float, np.number)):
        return math.isclose(float(value), median)
    return typical == shown


def _protected(
    contrib: np.ndarray,
    person: Mapping[str, Any],
    words: _Words,
    tied: Mapping[str, tuple[str, ...]],
) -> tuple[ProtectedUse, ...]:
    """Every input tied to a protected ground whose contribution is not zero, the largest
    first, each with its share of the influence on this decision."""
    columns = list(person)
    total = float(np.abs(contrib).sum()) or 1.0
    out = []
    for j in np.argsort(-np.abs(contrib), kind="stable"):
        c = str(columns[j])
        if c not in tied or contrib[j] == 0:
            continue
        name, shown = words.name(c), words.shown(c, plain(person[columns[j]]))
        grounds = tuple(ground_label(g) for g in tied[c])
        share = float(abs(contrib[j]) / total)
        out.append(
            ProtectedUse(
                column=c,
                name=name,
                shown=shown,
                grounds=grounds,
                contribution=float(contrib[j]),
                share=share,
                sentence=_protected_sentence(name, shown, grounds, share, contrib[j] > 0),
            )
        )
    return tuple(out)


def _protected_sentence(
    name: Message, shown: Message, grounds: Sequence[Message], share: float, towards: bool
) -> Message:
    """One input tied to a protected ground, in words: what it is, what it stands for, its
    share of the influence and its direction."""
    own = len(grounds) == 1 and grounds[0] == name
    if own or not grounds:
        tie = say("explain.protected.tie_protected")
    else:
        tie = say(
            "explain.protected.tie_related",
            grounds=Message("、".join(g.zh for g in grounds), " and ".join(g.en for g in grounds)),
        )
    return say(
        "explain.protected.item_towards" if towards else "explain.protected.item_against",
        name=name, shown=shown, tie=tie, share=fmt_pct(share),
    )  # fmt: skip


#: Whether the decision rests on the inputs tied to protected grounds: (turned, favourable).
TURNED = {
    (True, True): say("explain.protected.turned_favourable"),
    (True, False): say("explain.protected.turned_refused"),
    (False, True): say("explain.protected.not_turned_favourable"),
    (False, False): say("explain.protected.not_turned_refused"),
}


def disclosure(p: PersonExplanation) -> Message:
    """What a notice says of the inputs tied to protected grounds, computed from this
    decision: that the model used them (then listed, with their shares), that the person is
    not asked to change them and may ask for a human review on that ground, and whether the
    decision rests on them; or, when none weighed, that the grounds examined had no
    influence on it; or nothing, when no ground was examined."""
    if p.protected:
        parts = [say("explain.protected.used")]
        if p.turned is not None:
            parts.append(TURNED[p.turned, p.favourable])
        return Message("".join(m.zh for m in parts), " ".join(m.en for m in parts))
    if p.grounds:
        listed = Message("、".join(g.zh for g in p.grounds), ", ".join(g.en for g in p.grounds))
        return say("explain.protected.none_used", grounds=listed)
    return Message("", "")


def _option(
    candidate: Candidate, person: Mapping[str, Any], words: _Words, space: RecourseSpace
) -> RecourseOption:
    changes = tuple(
        Change(
            column=c,
            name=words.name(c),
            before=plain(person[c]),
            after=v,
            before_shown=words.shown(c, person[c]),
            after_shown=words.shown(c, v),
            cost=space.cost(c, person[c], v),
        )
        for c, v in candidate.changes
    )
    return RecourseOption(
        changes=changes,
        cost=candidate.cost,
        decision_after=candidate.decision,
        score_after=candidate.score,
    )


def _recourse_note(
    options: Sequence[RecourseOption],
    allowed: Mapping[str, Direction],
    labels: Mapping[str, Sequence[str]] | None,
    offered: bool = True,
) -> Message:
    if not offered:
        return say("explain.recourse_note.not_offered")
    names = [feature_label(c, labels) for c in allowed]
    listed_zh = "、".join(n.zh for n in names) or "（无）"
    listed_en = ", ".join(n.en for n in names) or "(none)"
    if not options:
        return say(
            "explain.recourse_note.within_changes_allowed_no", listed=Message(listed_zh, listed_en)
        )
    return say("explain.recourse_note.by_model_s_computation", listed=Message(listed_zh, listed_en))
