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

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ColumnNotFoundError, InputError, InputTypeError
from ..core.labels import ValueLabels, as_label
from ..core.messages import Message
from ..core.models import adapt_model
from .engine import RowSample, explain_sample
from .words import feature_label, feature_unit, with_unit

__all__ = ["Change", "PersonExplanation", "Reason", "RecourseOption", "person_notice"]

#: Directions a column may be changed in (``actionable``).
DIRECTIONS = ("increase", "decrease", "any")


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

        def first_up(text: str) -> str:
            return text[:1].upper() + text[1:]

        lines = [self.headline()[lang], ""]
        lines += [f"{i}. {first_up(r.sentence[lang])}" for i, r in enumerate(self.reasons, 1)]
        if not self.favourable:
            lines += ["", self.recourse_note[lang]]
            lines += [f"- {first_up(o.sentence()[lang])}" for o in self.recourse]
        return "\n".join(lines)

    def headline(self) -> Message:
        if self.favourable:
            return Message(
                "模型对您作出了有利的决定。模型给予以下因素最大的有利权重：",
                "The model's decision for you is the favourable one. The model gave most "
                "weight in its favour to:",
            )
        return Message(
            "模型对您作出了不利的决定。模型给予以下因素最大的不利权重：",
            "The model's decision for you is not the favourable one. The model gave most "
            "weight against it to:",
        )


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
        return Message("（缺失）", "(missing)")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        label = values.get(column, {}).get(str(value), Message(str(value), str(value)))
        return Message(f"“{label.zh}”", f"“{label.en}”")
    return with_unit(_number(float(value)), feature_unit(column, labels))


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)


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
    if _is_numeric(favoured):
        median = float(np.median(kept.to_numpy(dtype=float)))
        return _shown(column, median, labels, values), median
    mode = kept.astype(object).value_counts().index[0]
    return _shown(column, mode, labels, values), None


def _reason_sentence(
    name: Message, shown: Message, value: Any, typical: Message | None, median: float | None
) -> Message:
    if typical is None:
        return Message(f"{name.zh}：{shown.zh}", f"{name.en}: {shown.en}")
    if median is not None and isinstance(value, (int, float, np.number)):
        v = float(value)
        if math.isclose(v, median):
            return Message(
                f"{name.zh} {shown.zh}，与获得有利决定者的中位数相同",
                f"{name.en} {shown.en}, the same as the median of those who received the "
                f"favourable decision",
            )
        more = v > median
        return Message(
            f"{name.zh} {shown.zh}，{'高于' if more else '低于'}获得有利决定者的中位数"
            f"（{typical.zh}）",
            f"{name.en} {shown.en}, {'above' if more else 'below'} the median of those who "
            f"received the favourable decision ({typical.en})",
        )
    if typical == shown:
        return Message(
            f"{name.zh}为{shown.zh}（这也是获得有利决定者中最常见的情况）",
            f"{name.en} is {shown.en} (also the most common among those who received the "
            f"favourable decision)",
        )
    return Message(
        f"{name.zh}为{shown.zh}（获得有利决定者中最常见的是{typical.zh}）",
        f"{name.en} is {shown.en} (the most common among those who received the favourable "
        f"decision: {typical.en})",
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


def _person_row(data: pd.DataFrame, row: Any) -> pd.DataFrame:
    """The person's row as a one-row frame with data's columns."""
    if isinstance(row, pd.DataFrame):
        if len(row) != 1:
            raise InputError(f"row must be one row, got a frame of {len(row)} rows.")
        frame = row
    elif isinstance(row, pd.Series):
        frame = row.to_frame().T
    elif isinstance(row, Mapping):
        frame = pd.DataFrame([dict(row)])
    elif row in data.index:
        frame = data.loc[[row]]
    else:
        raise InputError(
            f"row must be an index label of data, a Series, a mapping or a one-row DataFrame; "
            f"{row!r} is not in data's index."
        )
    missing = [c for c in data.columns if c not in frame.columns]
    if missing:
        raise ColumnNotFoundError(f"the row lacks data's columns {missing}.")
    frame = frame[list(data.columns)]
    return frame.astype(data.dtypes.to_dict())


def _changeable(
    data: pd.DataFrame, immutable: Sequence[str], actionable: Mapping[str, str] | None
) -> dict[str, str]:
    """Columns that may change, with their direction."""
    for name, cols in (("immutable", immutable), ("actionable", list(actionable or {}))):
        unknown = [c for c in cols if c not in data.columns]
        if unknown:
            raise ColumnNotFoundError(f"{name} names columns {unknown} that are not in data.")
    if actionable is None:
        return {str(c): "any" for c in data.columns if c not in set(immutable)}
    out: dict[str, str] = {}
    for c, direction in actionable.items():
        if direction not in DIRECTIONS:
            raise InputError(
                f"actionable[{c!r}] must be one of {list(DIRECTIONS)}, got {direction!r}."
            )
        if c in set(immutable):
            raise InputError(f"{c!r} is both immutable and actionable; give it once.")
        if direction != "any" and not _is_numeric(data[c]):
            raise InputError(
                f"actionable[{c!r}] = {direction!r}, but {c!r} is not numeric; a category can "
                f"only change ('any')."
            )
        out[str(c)] = str(direction)
    return out


def _scale(col: pd.Series) -> float:
    """The cost unit of a number: its interquartile range (its standard deviation, or 1, when
    that is 0)."""
    x = col.dropna().to_numpy(dtype=float)
    if len(x) == 0:
        return 1.0
    q1, q3 = np.percentile(x, [25, 75])
    spread = float(q3 - q1) or float(np.std(x)) or 1.0
    return spread


def _candidates(col: pd.Series, current: Any, direction: str, grid: int) -> list[Any]:
    """Values a column may take: quantiles of a number in the allowed direction (whole
    numbers for an integer column), or the other categories observed."""
    kept = col.dropna()
    if not _is_numeric(col):
        return [v for v in pd.unique(kept.astype(object)) if v != current]
    x = kept.to_numpy(dtype=float)
    values = np.unique(np.quantile(x, np.linspace(0, 1, grid + 1)))
    if pd.api.types.is_integer_dtype(col.dtype):
        values = np.unique(np.round(values))
    cur = float(current)
    if direction == "increase":
        values = values[values > cur]
    elif direction == "decrease":
        values = values[values < cur]
    else:
        values = values[values != cur]
    return sorted(values.tolist(), key=lambda v: abs(v - cur))


def _with_changes(
    person: pd.DataFrame, changes: list[list[tuple[str, Any]]], dtypes: pd.Series
) -> pd.DataFrame:
    """One copy of the person's row per list of (column, value) changes."""
    columns = {c: np.repeat(person[c].to_numpy(dtype=object), len(changes)) for c in person.columns}
    for i, chosen in enumerate(changes):
        for c, v in chosen:
            columns[c][i] = v
    return pd.DataFrame(columns).astype(dtypes.to_dict())


def person_notice(
    model: Any,
    data: pd.DataFrame,
    row: Any,
    *,
    favorable_label: Any = 1,
    feature_labels: Mapping[str, Sequence[str]] | None = None,
    value_labels: Mapping[str, Mapping[Any, Any]] | ValueLabels | None = None,
    immutable: Sequence[str] = (),
    sensitive: Sequence[str] = (),
    actionable: Mapping[str, str] | None = None,
    n_reasons: int = 4,
    n_options: int = 3,
    background_size: int = 100,
    grid: int = 20,
    random_state: int | None = 0,
) -> PersonExplanation:
    """Explain the model's decision for one person, and what would change it.

    Parameters
    ----------
    model : estimator or CallableModel
        Called on frames with ``data``'s columns.
    data : DataFrame
        The model's inputs for many people (not modified): the background of the
        contributions, the comparison with favourable decisions, the values recourse tries.
    row : index label, Series, mapping or one-row DataFrame
        The person.
    favorable_label : object, default 1
    feature_labels, value_labels : mapping, optional
        Display names of columns and of category values, as for :class:`szai_audit.Audit`.
    immutable, sensitive : sequence of str
        Columns recourse never changes; ``sensitive`` (grounds and their proxies) are also
        never named as a reason.
    actionable : mapping, optional
        ``{column: "increase" | "decrease" | "any"}``: the only columns recourse may change,
        and how; by default every other column, either way.
    n_reasons, n_options, background_size, grid : int
        Reasons given (4); recourse options, each changing other columns (3); background rows
        drawn for the contributions (100); quantiles of a number tried as its new value (20).
    random_state : int or None, default 0

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
    _check_counts(n_reasons=n_reasons, n_options=n_options, background_size=background_size)
    _check_counts(grid=grid, least=2)
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise InputTypeError("data must be a non-empty pandas DataFrame of the model's inputs.")
    person = _person_row(data, row)
    unknown = [c for c in sensitive if c not in data.columns]
    if unknown:
        raise ColumnNotFoundError(f"sensitive names columns {unknown} that are not in data.")
    allowed = _changeable(data, [*immutable, *sensitive], actionable)
    return _explained(
        model, data, person, allowed, _value_tables(value_labels), favorable_label,
        feature_labels, frozenset(map(str, sensitive)), random_state,
        {"n_reasons": n_reasons, "n_options": n_options, "background_size": background_size,
         "grid": grid},
    )  # fmt: skip


def _explained(
    model: Any,
    data: pd.DataFrame,
    person: pd.DataFrame,
    allowed: Mapping[str, str],
    values: Mapping[str, Mapping[str, Message]],
    favorable_label: Any,
    feature_labels: Mapping[str, Sequence[str]] | None,
    hidden: frozenset[str],
    random_state: int | None,
    sizes: Mapping[str, int],
) -> PersonExplanation:
    """The decision, its reasons and (when refused) the recourse, once the inputs are checked."""
    adapter = adapt_model(model)
    decision = np.asarray(adapter.predict(person))[0]
    favourable = bool(decision == favorable_label)
    score = adapter.score(person, favorable_label)
    favoured = np.asarray(adapter.predict(data)) == favorable_label
    reasons, method = _reasons(
        model, data, person, favourable, favoured, labels=feature_labels, values=values,
        favorable_label=favorable_label, n_reasons=sizes["n_reasons"],
        background_size=sizes["background_size"], random_state=random_state, hidden=hidden,
    )  # fmt: skip
    options: tuple[RecourseOption, ...] = ()
    note = Message("", "")
    if not favourable:
        options = _recourse(
            adapter, data, person, allowed, favorable_label, labels=feature_labels,
            values=values, n_options=sizes["n_options"], grid=sizes["grid"],
        )  # fmt: skip
        note = _recourse_note(options, allowed, feature_labels)
    return PersonExplanation(
        decision=decision.item() if isinstance(decision, np.generic) else decision,
        favourable=favourable,
        score=None if score is None else float(score[0]),
        reasons=reasons,
        recourse=options,
        recourse_note=note,
        method=method,
        changeable=tuple(allowed),
    )


def _check_counts(least: int = 1, **counts: Any) -> None:
    """:class:`InputTypeError` for a count that is not an integer of at least ``least``."""
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise InputTypeError(f"{name} must be an integer of at least {least}, got {value!r}.")


def _reasons(
    model: Any,
    data: pd.DataFrame,
    person: pd.DataFrame,
    favourable: bool,
    favoured: np.ndarray,
    *,
    labels: Mapping[str, Sequence[str]] | None,
    values: Mapping[str, Mapping[str, Message]],
    favorable_label: Any,
    n_reasons: int,
    background_size: int,
    random_state: int | None,
    hidden: frozenset[str],
) -> tuple[tuple[Reason, ...], str]:
    """The principal reasons, from the exact contributions of the person's inputs."""
    rng = np.random.default_rng(random_state)
    bg = np.sort(rng.choice(len(data), min(background_size, len(data)), replace=False))
    frame = pd.concat([data.iloc[bg], person], ignore_index=True)
    n = len(frame)
    sample = RowSample(frame, np.arange(n), n, np.array([n - 1]), np.arange(n - 1), None)
    exp = explain_sample(
        model, sample, positive_label=favorable_label, random_state=random_state, progress=False
    )
    contrib = exp.values.iloc[0]
    total = float(np.abs(contrib).sum()) or 1.0
    # Against the favourable decision (negative) when it was refused; for it when granted.
    order = contrib.sort_values(ascending=not favourable)
    chosen = [
        c
        for c in order.index
        if (contrib[c] < 0) != favourable and contrib[c] != 0 and str(c) not in hidden
    ]
    reasons = []
    for c in chosen[:n_reasons]:
        name = feature_label(str(c), labels)
        value = person.iloc[0][c]
        value = value.item() if isinstance(value, np.generic) else value
        shown = _shown(str(c), value, labels, values)
        typical, median = _typical(str(c), data.loc[favoured, c], labels, values)
        reasons.append(
            Reason(
                column=str(c),
                name=name,
                shown=shown,
                contribution=float(contrib[c]),
                share=float(abs(contrib[c]) / total),
                typical=typical,
                sentence=_reason_sentence(name, shown, value, typical, median),
            )
        )
    return tuple(reasons), exp.method


def _recourse(
    adapter: Any,
    data: pd.DataFrame,
    person: pd.DataFrame,
    allowed: Mapping[str, str],
    favorable_label: Any,
    *,
    labels: Mapping[str, Sequence[str]] | None,
    values: Mapping[str, Mapping[str, Message]],
    n_options: int,
    grid: int,
) -> tuple[RecourseOption, ...]:
    """The cheapest diverse changes that turn the decision favourable: one column at a time,
    then pairs of columns, every candidate priced by the model in one call per round."""
    current = person.iloc[0]
    scales = {c: _scale(data[c]) if _is_numeric(data[c]) else 1.0 for c in allowed}
    options_per_column = {c: _candidates(data[c], current[c], d, grid) for c, d in allowed.items()}

    def cost(c: str, v: Any) -> float:
        if not _is_numeric(data[c]):
            return 1.0
        return abs(float(v) - float(current[c])) / scales[c]

    singles = [[(c, v)] for c, vs in options_per_column.items() for v in vs]
    found, scores = _flipping(adapter, person, singles, favorable_label, data.dtypes)
    # Pairs of the 8 columns whose single changes raised the favourable score most (in the
    # columns' order for a model without scores), on a coarser grid.
    if len({tuple(c for c, _ in ch) for ch in found}) < n_options and len(allowed) > 1:
        best: dict[str, float] = {}
        for (c, _), s in zip((ch[0] for ch in singles), scores, strict=True):
            best[c] = max(best.get(c, -math.inf), s)
        cols = sorted(best, key=lambda c: -best[c])[:8]
        coarse = {
            c: options_per_column[c][:: max(1, len(options_per_column[c]) // 6)] for c in cols
        }
        pairs = [
            [(a, va), (b, vb)]
            for a, b in itertools.combinations(cols, 2)
            for va in coarse[a]
            for vb in coarse[b]
        ]
        found += _flipping(adapter, person, pairs, favorable_label, data.dtypes)[0]
    ranked = sorted(found, key=lambda ch: (sum(cost(c, v) for c, v in ch), len(ch)))
    out: list[RecourseOption] = []
    used: list[set[str]] = []
    for chosen in ranked:
        columns = {c for c, _ in chosen}
        if any(columns >= u for u in used):
            continue  # a superset of a cheaper option's columns adds nothing
        frame = _with_changes(person, [chosen], data.dtypes)
        after = np.asarray(adapter.predict(frame))[0]
        if after != favorable_label:
            continue  # verified by calling the model: never reported unless it flips
        score = adapter.score(frame, favorable_label)
        changes = tuple(
            Change(
                column=c,
                name=feature_label(c, labels),
                before=current[c].item() if isinstance(current[c], np.generic) else current[c],
                after=v,
                before_shown=_shown(c, current[c], labels, values),
                after_shown=_shown(c, v, labels, values),
                cost=cost(c, v),
            )
            for c, v in chosen
        )
        out.append(
            RecourseOption(
                changes=changes,
                cost=float(sum(ch.cost for ch in changes)),
                decision_after=after.item() if isinstance(after, np.generic) else after,
                score_after=None if score is None else float(score[0]),
            )
        )
        used.append(columns)
        if len(out) == n_options:
            break
    return tuple(out)


def _flipping(
    adapter: Any,
    person: pd.DataFrame,
    changes: list[list[tuple[str, Any]]],
    favorable_label: Any,
    dtypes: pd.Series,
) -> tuple[list[list[tuple[str, Any]]], np.ndarray]:
    """The changes whose row the model decides favourably, and each row's score of the
    favourable decision (0 for every row when the model gives no scores)."""
    if not changes:
        return [], np.zeros(0)
    frame = _with_changes(person, changes, dtypes)
    decided = np.asarray(adapter.predict(frame))
    score = adapter.score(frame, favorable_label)
    scores = np.zeros(len(frame)) if score is None else np.asarray(score, dtype=float)
    return [ch for ch, d in zip(changes, decided, strict=True) if d == favorable_label], scores


def _recourse_note(
    options: Sequence[RecourseOption],
    allowed: Mapping[str, str],
    labels: Mapping[str, Sequence[str]] | None,
) -> Message:
    names = [feature_label(c, labels) for c in allowed]
    listed_zh = "、".join(n.zh for n in names) or "（无）"
    listed_en = ", ".join(n.en for n in names) or "(none)"
    if not options:
        return Message(
            f"在允许改变的因素（{listed_zh}）范围内，没有找到能使模型作出有利决定的改变。",
            f"Within the changes allowed ({listed_en}), no change was found that would make "
            f"the model's decision favourable.",
        )
    return Message(
        f"按模型的计算，以下任一组改变（仅在{listed_zh}中）会使模型作出有利决定；"
        f"这是模型的性质，不代表这些改变可行或可取：",
        f"By the model's computation, any one of these sets of changes (among {listed_en} "
        f"only) would make its decision favourable; this is a property of the model, not "
        f"advice that the change is possible or wise:",
    )
