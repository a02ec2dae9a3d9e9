"""Decisions turned by the inputs tied to protected grounds: for each decision, whether it
would have been the other one without the contributions of those inputs (Art. 72(2)(iv),
measured with Art. 71's explanation).

:func:`protected_turned` is, for many decisions at once, what each person's notice says in
its ``turned`` flag (:attr:`szai_audit.explain.PersonExplanation.turned`): the contributions
of every input to each decision, computed by the explanation engine against the same
background (``background_size`` rows of ``data`` drawn with ``random_state``, as
:func:`~szai_audit.explain.explain_people` draws them), are taken off the model's explained
output (the additive counterfactual: the output less the sum of the contributions of the
inputs tied to protected grounds), and the result is read against the cut-off the decisions
follow (:func:`~szai_audit.explain.person.decision_cutoff`, verified against every decision
of ``data``), on the probability or log-odds scale
(:func:`~szai_audit.explain.person.decisions_turned`). The same rows with the same
``background_size`` and ``random_state`` give the same flags as the notices.

For data read in parts, the pieces are public: :func:`turned_positions` draws the rows and
the background from the number of rows alone (before they are read), :class:`ScoreRange`
gathers, part by part, what the cut-off is verified against, and :func:`turned_on` explains
the rows read.

What it is, and is not: a decision "turned" rests on those inputs in the model's own
arithmetic (without their contributions the model's output falls on the other side of the
cut-off); it is not a claim about what the model would decide had the person another gender,
which the counterfactual flip test measures for the ground's own column. The inputs are those
the audit ties to a ground: the ground's own column among the model's inputs, and each input
that predicts the ground well (a proxy); information about a ground carried by inputs below
the proxy limit is not taken off.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ColumnNotFoundError, InputError, InputTypeError, SzaiAuditError
from ..core.models import Outputs, adapt_model
from .engine import RowSample, explain_sample
from .person import Cutoff, cutoff_between, decision_cutoff, decisions_turned, favourable_threshold

__all__ = [
    "ScoreRange",
    "TurnedDecisions",
    "favourable_threshold",
    "protected_turned",
    "turned_on",
    "turned_positions",
]


@dataclass(frozen=True)
class TurnedDecisions:
    """Which decisions would have been the other one without the contributions of the inputs
    tied to protected grounds (:func:`protected_turned`).

    Attributes
    ----------
    index : pandas.Index
        The labels of the rows explained, in the order of ``data``.
    positions : numpy.ndarray
        Their positions in ``data``.
    n_total : int
        The rows of ``data``: all were explained when ``len(positions) == n_total``.
    favourable : numpy.ndarray
        Whether each decision explained is the favourable one.
    turned : numpy.ndarray or None
        Whether each would have been the other one without the contributions of every input
        tied to a protected ground; None when that cannot be read (``cutoff`` None, and then
        nothing is explained, or an explained scale other than the probability or log-odds
        of the favourable decision).
    by_ground : dict of str to numpy.ndarray
        The same, without the contributions of one ground's inputs alone (its own column and
        its proxies), per ground; empty when ``turned`` is None.
    used : numpy.ndarray
        Whether any of those inputs contributed to the decision (a contribution not zero).
    inputs : dict of str to tuple of str
        The inputs taken off, each with the grounds it is or stands in for.
    unused : tuple of str
        Those of them whose contribution is zero for every decision explained (an input the
        model's preprocessing drops, say).
    cutoff : Cutoff or None
        The cut-off on the favourable score that every decision of ``data`` follows.
    output_space : str
        The scale of the explained output (``Explanation.output_space``).
    method : str
        The explanation engine, in words.
    """

    index: pd.Index
    positions: np.ndarray
    n_total: int
    favourable: np.ndarray
    turned: np.ndarray | None
    by_ground: Mapping[str, np.ndarray] = field(default_factory=dict)
    used: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unused: tuple[str, ...] = ()
    cutoff: Cutoff | None = None
    output_space: str = ""
    method: str = ""

    @property
    def n_explained(self) -> int:
        """Decisions explained."""
        return len(self.positions)

    @property
    def sampled(self) -> bool:
        """Whether a sample of the rows was explained (not all of them)."""
        return self.n_explained < self.n_total

    def series(self) -> pd.Series | None:
        """``turned`` as a boolean Series over ``index`` (None when it cannot be read)."""
        if self.turned is None:
            return None
        return pd.Series(self.turned.astype(bool), index=self.index, name="turned")


@dataclass(frozen=True)
class ScoreRange:
    """The favourable decision's score over many decisions, enough to verify a cut-off on it
    (:func:`~szai_audit.explain.person.decision_cutoff`): its lowest value among the
    favourable decisions, its highest among the others (``inf`` and ``-inf`` when there are
    none), the decisions seen, and whether every score was a finite number. Gathered part by
    part (:meth:`merge`) for data read in parts.

    Examples
    --------
    >>> r = ScoreRange.of(np.array([0.2, 0.49, 0.51, 0.9]), np.array([False, False, True, True]))
    >>> r.cutoff(None)
    Cutoff(value=0.5, inclusive=False)
    >>> r.merge(ScoreRange.of(np.array([0.7]), np.array([False]))).cutoff(None) is None
    True
    """

    lowest_favourable: float = math.inf
    highest_other: float = -math.inf
    rows: int = 0
    finite: bool = True

    @classmethod
    def of(cls, score: np.ndarray | None, favourable: np.ndarray) -> ScoreRange | None:
        """The range of ``score`` over decisions (``favourable``: whether each is); None
        without scores."""
        if score is None:
            return None
        s = np.asarray(score, dtype=float)
        fav = np.asarray(favourable, dtype=bool)
        finite = bool(np.isfinite(s).all())
        return cls(
            float(s[fav].min()) if fav.any() and finite else math.inf,
            float(s[~fav].max()) if (~fav).any() and finite else -math.inf,
            len(s),
            finite,
        )

    @classmethod
    def of_outputs(cls, outputs: Outputs, favorable_label: Any) -> ScoreRange | None:
        """The range over a model's outputs on some rows (its favourable decisions are those
        equal to ``favorable_label``), as the notices read them; None without a score of that
        label."""
        favoured = np.asarray(outputs.decisions) == favorable_label
        try:
            score = outputs.score(favorable_label)
        except SzaiAuditError:  # no score of that label (no classes_, not a class), or the
            return None  # model failed to give one: the cut-off is unknown, said so
        return cls.of(score, favoured)

    def merge(self, other: ScoreRange | None) -> ScoreRange | None:
        """The range over both sets of decisions (None when either has no scores)."""
        if other is None:
            return None
        return ScoreRange(
            min(self.lowest_favourable, other.lowest_favourable),
            max(self.highest_other, other.highest_other),
            self.rows + other.rows,
            self.finite and other.finite,
        )

    def cutoff(self, given: float | None) -> Cutoff | None:
        """:func:`~szai_audit.explain.person.decision_cutoff` of the decisions, from their
        range: ``given`` or 0.5, kept when every decision agrees with it."""
        if self.rows == 0 or not self.finite:
            return None
        return cutoff_between(self.lowest_favourable, self.highest_other, given)


def _checked(
    data: Any, sensitive: Any, max_rows: int | None, background_size: int
) -> dict[str, tuple[str, ...]]:
    """``sensitive`` as {column: grounds}, checked against ``data`` with the sizes."""
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise InputTypeError("data must be a non-empty pandas DataFrame of the model's inputs.")
    tied = _tied(sensitive, data.columns)
    for name, value in (("max_rows", max_rows), ("background_size", background_size)):
        if value is None and name == "max_rows":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InputError(f"{name} must be an integer of at least 1, got {value!r}.")
    return tied


def _tied(sensitive: Any, columns: Sequence[Any]) -> dict[str, tuple[str, ...]]:
    """``sensitive`` as {column: grounds}, each a column of ``columns``."""
    if not isinstance(sensitive, Mapping) or not sensitive:
        raise InputTypeError(
            f"sensitive must map each input tied to a protected ground to the grounds it is or "
            f"stands in for ({{'personal_status': ['gender']}}), got {sensitive!r}."
        )
    tied: dict[str, tuple[str, ...]] = {}
    for column, grounds in sensitive.items():
        if isinstance(grounds, str) or not isinstance(grounds, Sequence):
            grounds = (grounds,)
        tied[str(column)] = tuple(str(g) for g in grounds)
    unknown = [c for c in tied if c not in {str(x) for x in columns}]
    if unknown:
        raise ColumnNotFoundError(f"sensitive names columns {unknown} that are not in data.")
    return tied


def turned_positions(
    n: int, max_rows: int | None, background_size: int, random_state: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The positions (sorted) of the rows whose decisions are examined, of ``n``: all, or
    ``max_rows`` drawn at random with a seed of their own; and of the background rows,
    ``background_size`` drawn with ``random_state`` as
    :func:`~szai_audit.explain.explain_people` draws them.

    >>> take, background = turned_positions(1000, 300, 100, 0)
    >>> len(take), len(background), bool((np.diff(take) > 0).all())
    (300, 100, True)
    """
    take = np.arange(n)
    if max_rows is not None and n > max_rows:
        seed = None if random_state is None else [int(random_state), 72]
        take = np.sort(np.random.default_rng(seed).choice(n, max_rows, replace=False))
    rng = np.random.default_rng(random_state)
    return take, np.sort(rng.choice(n, min(background_size, n), replace=False))


def protected_turned(
    model: Any,
    data: pd.DataFrame,
    sensitive: Mapping[str, Sequence[str]],
    *,
    favorable_label: Any = 1,
    threshold: float | None = None,
    max_rows: int | None = None,
    background_size: int = 100,
    random_state: int | None = 0,
    progress: bool = False,
) -> TurnedDecisions:
    """Which of the model's decisions on ``data`` would have been the other one without the
    contributions of the inputs tied to protected grounds (see the module's documentation).

    Parameters
    ----------
    model : estimator or CallableModel
        The classifier, called on frames with ``data``'s columns.
    data : DataFrame
        The model's inputs (not modified): the decisions, their background and cut-off.
    sensitive : mapping of str to sequence of str
        Each input tied to a protected ground, with the grounds it is or stands in for
        (``{"sex": ["gender"]}``, :meth:`szai_audit.AuditResult.protected_inputs`).
    favorable_label : object, default 1
    threshold : float, optional
        The audit's decision threshold on the positive label's score (``Audit(threshold=)``).
    max_rows : int, optional
        At most this many rows are explained, drawn at random (all by default); the
        permutation engine explains a random part of them, as :func:`explain` does.
    background_size : int, default 100
        Rows of ``data`` drawn as background (as :func:`~szai_audit.explain.explain_people`).
    random_state : int or None, default 0
        Seed of the rows, the background and the permutations.
    progress : bool, default False
        Show the explanation's progress bar.

    Returns
    -------
    TurnedDecisions

    Raises
    ------
    ExplanationError
        The model cannot be explained.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression; rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"income": rng.normal(size=400), "group": rng.integers(0, 2, 400)})
    >>> y = (X["income"] - 1.5 * X["group"] + rng.logistic(size=400) > 0).astype(int)
    >>> found = protected_turned(LogisticRegression().fit(X, y), X, {"group": ["gender"]})
    >>> found.n_explained, found.cutoff, bool(found.turned.any())
    (400, Cutoff(value=0.5, inclusive=False), True)
    """
    tied = _checked(data, sensitive, max_rows, background_size)
    adapter = adapt_model(model, threshold)
    everyone = adapter.outputs(data)
    favoured = np.asarray(everyone.decisions) == favorable_label
    given = favourable_threshold(adapter, favorable_label, threshold)
    cutoff = decision_cutoff(everyone.score(favorable_label), favoured, given)
    take, background = turned_positions(len(data), max_rows, background_size, random_state)
    return turned_on(
        model, data.iloc[background], data.iloc[take], tied, positions=take,
        n_total=len(data), favourable=favoured[take], cutoff=cutoff,
        favorable_label=favorable_label, random_state=random_state, progress=progress,
    )  # fmt: skip


def turned_on(
    model: Any,
    background: pd.DataFrame,
    rows: pd.DataFrame,
    sensitive: Mapping[str, Sequence[str]],
    *,
    positions: np.ndarray,
    n_total: int,
    favourable: np.ndarray,
    cutoff: Cutoff | None,
    favorable_label: Any = 1,
    random_state: int | None = 0,
    progress: bool = False,
) -> TurnedDecisions:
    """:func:`protected_turned` on rows drawn in advance (:func:`turned_positions`): the
    decisions of ``rows`` (at ``positions`` of data of ``n_total`` rows; ``favourable``:
    whether each is), explained against ``background``, read against ``cutoff`` (verified on
    every decision of the data, :class:`ScoreRange`; None: nothing is explained and
    ``turned`` is None)."""
    tied = _tied(sensitive, rows.columns)
    positions = np.asarray(positions, dtype=np.int64)
    favourable = np.asarray(favourable, dtype=bool)
    if cutoff is None:  # nothing to read a contribution against: nothing explained
        return TurnedDecisions(rows.index, positions, n_total, favourable, None, inputs=tied)
    at, values, output, space, method = _contributions(
        model, background, rows, favorable_label, random_state, progress
    )
    fav, columns = favourable[at], [str(c) for c in rows.columns]
    turned, by_ground, used, unused = _flags(tied, columns, values, output, space, fav, cutoff)
    return TurnedDecisions(
        index=rows.index[at],
        positions=positions[at],
        n_total=n_total,
        favourable=fav,
        turned=turned,
        by_ground=by_ground,
        used=used,
        inputs=tied,
        unused=unused,
        cutoff=cutoff,
        output_space=space,
        method=method,
    )


def _flags(
    tied: Mapping[str, tuple[str, ...]],
    columns: Sequence[str],
    values: np.ndarray,
    output: np.ndarray,
    space: str,
    favourable: np.ndarray,
    cutoff: Cutoff | None,
) -> tuple[np.ndarray | None, dict[str, np.ndarray], np.ndarray, tuple[str, ...]]:
    """The decisions turned without every tied input's contributions (None: not readable),
    those turned without each ground's inputs alone (in order of first appearance), the
    decisions a tied input contributed to, and the tied inputs that contributed to none."""
    at = {c: columns.index(c) for c in tied}

    def without(cols: Sequence[str]) -> np.ndarray | None:
        taken = values[:, [at[c] for c in cols]].sum(axis=1)
        return decisions_turned(taken, output, space, favourable, cutoff)

    turned = without(list(tied))
    by_ground: dict[str, np.ndarray] = {}
    for g in dict.fromkeys(g for gs in tied.values() for g in gs):
        flags = None if turned is None else without([c for c, gs in tied.items() if g in gs])
        if flags is not None:
            by_ground[g] = flags
    nonzero = np.asarray(values[:, [at[c] for c in tied]] != 0, dtype=bool)
    unused = tuple(c for j, c in enumerate(tied) if not nonzero[:, j].any())
    return turned, by_ground, np.asarray(nonzero.any(axis=1), dtype=bool), unused


def _contributions(
    model: Any,
    background: pd.DataFrame,
    rows: pd.DataFrame,
    favorable_label: Any,
    random_state: int | None,
    progress: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, str]:
    """The contributions of every input (columns in the order of ``rows``) to the decisions
    of ``rows`` the engine explained (all, or a part of them for the permutation engine),
    against ``background``, in one call of the engine, as
    :func:`~szai_audit.explain.explain_people` computes them (the background first, the rows
    after it); with the positions in ``rows`` explained, the explained output, its scale and
    the engine in words."""
    frame = pd.concat([background, rows], ignore_index=True)
    size, k = len(frame), len(rows)
    sample = RowSample(frame, np.arange(size), size, np.arange(size - k, size),
                       np.arange(size - k), None)  # fmt: skip
    exp = explain_sample(
        model, sample, positive_label=favorable_label, random_state=random_state,
        progress=progress,
    )  # fmt: skip
    at = np.asarray(exp.positions, dtype=int) - (size - k)
    values = exp.values.reindex(columns=rows.columns, fill_value=0.0).to_numpy(dtype=float)
    return at, values, np.asarray(exp.output, dtype=float), exp.output_space, exp.method
