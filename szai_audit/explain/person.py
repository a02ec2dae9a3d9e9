"""One person's decision explained: its principal reasons and what would change it (Art. 71;
PIPL Art. 24(3)).

:func:`person_notice` explains the model's decision on one row of data: the decision and its
score; the principal reasons, the three or four inputs whose exact contributions (the same
engine as the audit's explanation, against a background drawn from the data) moved this
person's score most against the favourable decision, each in words with its display name and
value label and compared with the people who received the favourable decision; and, for an
unfavourable decision, **recourse**: the smallest changes to the inputs the person can act on
that turn the decision favourable, searched against the model and verified by calling it.

What this is, and is not: the reasons explain the *model*, not the world ("the model gave most
weight to", never "because you are"); recourse is a property of the model (a change that the
model would reward), not advice that the change is possible or wise. Columns that must not
change (sensitive grounds and their proxies, age) are given as ``immutable``; ``actionable``
names the only columns that may change and their direction.
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
from ..core.labels import ValueLabels, as_label, column_unit, with_unit
from ..core.messages import Message, first_upper
from ..core.models import adapt_model
from ..core.policy import Policy
from ..core.rare import rare_values, shown_value
from ..core.recourse import Candidate, RecourseSpace, search
from .engine import RowSample, explain_sample
from .words import feature_label

__all__ = [
    "Change",
    "PersonExplanation",
    "Reason",
    "RecourseOption",
    "explain_people",
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
        The columns recourse was allowed to change.
    """

    decision: Any
    favourable: bool
    score: float | None
    reasons: tuple[Reason, ...]
    recourse: tuple[RecourseOption, ...]
    recourse_note: Message
    method: str
    changeable: tuple[str, ...] = field(default_factory=tuple)

    def text(self, lang: str = "zh") -> str:
        """The explanation as plain text in ``"zh"`` or ``"en"``."""
        if lang not in ("zh", "en"):
            raise InputError(f"lang must be 'zh' or 'en', got {lang!r}.")

        lines = [self.headline()[lang], ""]
        lines += [f"{i}. {first_upper(r.sentence[lang])}" for i, r in enumerate(self.reasons, 1)]
        if not self.favourable:
            lines += ["", self.recourse_note[lang]]
            lines += [f"- {first_upper(o.sentence()[lang])}" for o in self.recourse]
        return "\n".join(lines)

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
    return with_unit(_number(float(value)), column_unit(column, labels))


def _typical(
    column: str,
    favoured: pd.Series,
    labels: Mapping[str, Sequence[str]] | None,
    values: Mapping[str, Mapping[str, Message]],
) -> tuple[Message | None, float | None]:
    """Among the people who received the favourable decision: the median of a number (in
    words, and the number), or the most common category (in words, None); (None, None) when
    there are none."""
    kept = favoured.dropna()
    if kept.empty:
        return None, None
    if is_numeric(favoured):
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
) -> dict[str, Direction]:
    """Columns that may change, with their direction."""
    for name, cols in (("immutable", immutable), ("actionable", list(actionable or {}))):
        unknown = [c for c in cols if c not in data.columns]
        if unknown:
            raise ColumnNotFoundError(f"{name} names columns {unknown} that are not in data.")
    if actionable is None:
        fixed = {*immutable, *sensitive}
        return {str(c): "any" for c in data.columns if c not in fixed}
    out: dict[str, Direction] = {}
    for c, direction in actionable.items():
        if c in set(sensitive):
            raise InputError(
                f"actionable names {c!r}, a sensitive input (a ground or its proxy): it is never "
                f"changed; leave it out of actionable."
            )
        if c in set(immutable):
            raise InputError(f"{c!r} is both immutable and actionable; give it once.")
        out[str(c)] = _direction(data[c], str(c), direction)
    return out


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
    sensitive: Sequence[str] = (),
    actionable: Mapping[str, Any] | None = None,
    n_reasons: int = 4,
    n_options: int = 3,
    background_size: int = 100,
    grid: int = 20,
    min_count: int = 10,
    random_state: int | None = 0,
) -> list[PersonExplanation]:
    """Explain the model's decisions for many people, and what would change each, in bulk:
    one call of the explanation engine for everyone and a few large model calls for the
    recourse of everyone refused.

    Parameters
    ----------
    model : estimator or CallableModel
        Called on frames with ``data``'s columns.
    data : DataFrame
        The model's inputs for many people (not modified): the background of the
        contributions, the comparison with favourable decisions, the values recourse tries.
    rows : index labels of data, or DataFrame
        The people explained, in order.
    favorable_label : object, default 1
    feature_labels, value_labels : mapping, optional
        Display names of columns and of category values, as for :class:`szai_audit.Audit`.
    immutable, sensitive : sequence of str
        Columns recourse never changes; ``sensitive`` (grounds and their proxies) are also
        never named as a reason.
    actionable : mapping, optional
        ``{column: "increase" | "decrease" | "any" | [categories]}``: the only columns
        recourse may change, and how: a number up, down or either way; a category to any
        other category seen in ``data`` ("any") or only to those listed (a change of category
        costs 1 whatever its target, so list the targets a person could reach). By default
        every column not immutable or sensitive, either way.
    n_reasons, n_options, background_size, grid : int
        Reasons given (4); recourse options, each changing other columns (3); background rows
        drawn for the contributions (100); quantiles of a number tried as its new value (20).
    min_count : int, default 10
        Reasons are compared with the favourably decided (their median, most common category)
        when at least this many have a value; recourse offers only categories at least this
        many people of ``data`` hold: a notice never describes a handful of others.
    random_state : int or None, default 0

    Returns
    -------
    list of PersonExplanation
        One per person, in the order of ``rows``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"income": rng.normal(5, 2, 500), "debts": rng.integers(0, 5, 500)})
    >>> model = DecisionTreeClassifier(max_depth=3).fit(X, X["income"] - X["debts"] > 2)
    >>> people = explain_people(model, X, X.index[:50], favorable_label=True)
    >>> len(people), all(o.decision_after for p in people for o in p.recourse)
    (50, True)
    """
    _check_counts(n_reasons=n_reasons, n_options=n_options, background_size=background_size)
    _check_counts(grid=grid, least=2)
    _check_counts(min_count=min_count)
    persons = _checked_people(data, rows, sensitive)
    allowed = changeable(data, immutable, sensitive, actionable)
    words = _Words(data, feature_labels, _value_tables(value_labels), min_count)
    return _explained(
        model, data, persons, allowed, words, favorable_label, frozenset(map(str, sensitive)),
        random_state,
        {"n_reasons": n_reasons, "n_options": n_options, "background_size": background_size,
         "grid": grid},
    )  # fmt: skip


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


def _explained(
    model: Any,
    data: pd.DataFrame,
    persons: pd.DataFrame,
    allowed: Mapping[str, Direction],
    words: _Words,
    favorable_label: Any,
    hidden: frozenset[str],
    random_state: int | None,
    sizes: Mapping[str, int],
) -> list[PersonExplanation]:
    """The decisions, their reasons and (when refused) the recourse, once the inputs are
    checked."""
    adapter = adapt_model(model)
    decisions = [plain(d) for d in np.asarray(adapter.predict(persons))]
    score = adapter.score(persons, favorable_label)
    words.favoured = np.asarray(adapter.predict(data)) == favorable_label
    contrib, method = _contributions(
        model, data, persons, favorable_label, sizes["background_size"], random_state
    )
    favourable = [bool(d == favorable_label) for d in decisions]
    refused = [i for i, f in enumerate(favourable) if not f]
    # Recourse offers only categories held by at least min_count people, as the notice's
    # other statements about others.
    space = RecourseSpace.of(data, allowed, sizes["grid"], words.min_count)
    options = dict(
        zip(
            refused,
            search(adapter, persons.iloc[refused], space, favorable_label, sizes["n_options"]),
            strict=True,
        )
    )
    out = []
    for i, person in enumerate(persons.itertuples(index=False, name=None)):
        values = dict(zip(persons.columns, person, strict=True))
        chosen = tuple(_option(o, values, words, space) for o in options.get(i, []))
        out.append(
            PersonExplanation(
                decision=decisions[i],
                favourable=favourable[i],
                score=None if score is None else float(score[i]),
                reasons=_reasons(contrib[i], values, favourable[i], words, hidden,
                                 sizes["n_reasons"]),
                recourse=chosen,
                recourse_note=Message("", "") if favourable[i]
                else _recourse_note(chosen, allowed, words.labels),
                method=method,
                changeable=tuple(allowed),
            )
        )  # fmt: skip
    return out


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
) -> tuple[pd.DataFrame, str]:
    """The exact contributions of every person's inputs, in one call of the engine (a
    background drawn from ``data``, the people after it)."""
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
    return values.to_numpy(), exp.method


def _reasons(
    contrib: np.ndarray,
    person: Mapping[str, Any],
    favourable: bool,
    words: _Words,
    hidden: frozenset[str],
    n_reasons: int,
) -> tuple[Reason, ...]:
    """The principal reasons, from the exact contributions of the person's inputs: against
    the favourable decision when it was refused, for it when granted."""
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
) -> Message:
    names = [feature_label(c, labels) for c in allowed]
    listed_zh = "、".join(n.zh for n in names) or "（无）"
    listed_en = ", ".join(n.en for n in names) or "(none)"
    if not options:
        return say(
            "explain.recourse_note.within_changes_allowed_no", listed=Message(listed_zh, listed_en)
        )
    return say("explain.recourse_note.by_model_s_computation", listed=Message(listed_zh, listed_en))
