"""Recourse for many people at once: the cheapest changes to the inputs a person may act on
that turn the model's decision favourable, searched against the model and verified by it.

The search is the same for one person or ten thousand: every candidate row (one person's row
with one or two inputs changed) is built in bulk and decided by the model in a few large calls,
so its cost is that of predicting the candidate rows. A candidate counts only when the model,
called on that very row, decides favourably; its score and decision are the model's.

* **Singles**: each allowed input set to each value on its grid (quantiles of a number, in the
  allowed direction; the other categories of a category).
* **Pairs**, for a person with fewer than ``n_options`` single inputs that work: two of the
  eight inputs whose single changes raised the favourable score most (above the person's own
  score; inputs that raise nothing alone are not paired), on a coarser grid.
* **Narrowed**: each single change of a number that works is narrowed, by bisection on the
  model, to the smallest change that still works (whole numbers stay whole).
* **Cost** of a change: its size over the input's interquartile range for a number, 1 for a
  category; an option's cost is the sum over its changes. Options are taken cheapest first,
  skipping one whose inputs include all of a cheaper option's (diverse by construction).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .data import is_numeric, plain
from .orders import Order, is_better

__all__ = ["Candidate", "RecourseSpace", "search"]

#: Candidate rows decided by the model in one call (bounds the memory of a batch).
CALL_ROWS = 200_000
#: Inputs whose single changes raised the score most, tried in pairs.
PAIR_COLUMNS = 8
#: Grid values per input in the pair search.
PAIR_GRID = 7

Change = tuple[str, Any]


@dataclass(frozen=True)
class Candidate:
    """Changes that the model, called on the changed row, decides favourably."""

    changes: tuple[Change, ...]
    cost: float
    decision: Any
    score: float | None


@dataclass(frozen=True)
class RecourseSpace:
    """What recourse may try, computed once from the data: the allowed inputs and their
    direction, whether each is a number, its cost unit and its grid of values."""

    allowed: Mapping[str, str | tuple[Any, ...]]
    numeric: Mapping[str, bool]
    integer: Mapping[str, bool]  # whole numbers only (an integer dtype, or whole values)
    scales: Mapping[str, float]
    grids: Mapping[str, list[Any]]
    dtypes: pd.Series
    #: The declared orders (``value_order``): a value the order calls worse than the
    #: person's own, or does not rank, is never tried.
    orders: Mapping[str, Order] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(
        cls,
        data: pd.DataFrame,
        allowed: Mapping[str, str | tuple[Any, ...]],
        grid: int,
        min_count: int = 1,
        orders: Mapping[str, Order] | None = None,
    ) -> RecourseSpace:
        """The space of ``data``'s ``allowed`` inputs: a number on ``grid`` quantiles, a
        category to the other categories held by at least ``min_count`` rows (a value of
        fewer is about a person or two, a name typed into one row, and is never offered);
        with ``orders``, only towards the better side of an ordered input."""
        numeric = {c: is_numeric(data[c]) for c in allowed}
        grids: dict[str, list[Any]] = {}
        scales: dict[str, float] = {}
        for c in allowed:
            kept = data[c].dropna()
            if not numeric[c]:
                targets = allowed[c]
                held = kept.astype(object).value_counts(sort=False)
                seen = [v for v in pd.unique(kept.astype(object)) if held[v] >= min_count]
                if isinstance(targets, tuple):  # only the categories listed
                    wanted = {str(t) for t in targets}
                    seen = [v for v in seen if str(v) in wanted]
                grids[c] = seen
                scales[c] = 1.0
                continue
            x = kept.to_numpy(dtype=float)
            values = np.unique(np.quantile(x, np.linspace(0, 1, grid + 1))) if len(x) else x
            if pd.api.types.is_integer_dtype(data[c].dtype):
                values = np.unique(np.round(values)).astype(np.int64)
            grids[c] = values.tolist()
            scales[c] = _scale(x)
        return cls(
            allowed=dict(allowed),
            numeric=numeric,
            integer={c: numeric[c] and _whole(data[c]) for c in allowed},
            scales=scales,
            grids=grids,
            dtypes=data.dtypes,
            orders={c: o for c, o in (orders or {}).items() if c in allowed},
        )

    def values(self, column: str, current: Any) -> list[Any]:
        """The values ``column`` may take from ``current``, nearest first; for an ordered
        input, only those its order calls better."""
        grid = self.grids[column]
        order = self.orders.get(column)
        if order is not None:
            grid = [v for v in grid if is_better(order, current, v)]
        if not self.numeric[column]:
            return [v for v in grid if v != current]
        if current is None or (isinstance(current, float) and math.isnan(current)):
            return []  # a missing number: no direction to move it in
        cur = float(current)
        direction = self.allowed[column]
        if direction == "increase":
            kept = [v for v in grid if v > cur]
        elif direction == "decrease":
            kept = [v for v in grid if v < cur]
        else:
            kept = [v for v in grid if v != cur]
        return sorted(kept, key=lambda v: abs(v - cur))

    def cost(self, column: str, before: Any, after: Any) -> float:
        if not self.numeric[column]:
            return 1.0
        return abs(float(after) - float(before)) / self.scales[column]


def _whole(col: pd.Series) -> bool:
    if pd.api.types.is_integer_dtype(col.dtype):
        return True
    x = col.dropna().to_numpy(dtype=float)
    return bool(len(x)) and bool(np.all(np.isfinite(x) & (x == np.round(x))))


def _scale(x: np.ndarray) -> float:
    """The cost unit of a number: its interquartile range (its standard deviation, or 1, when
    that is 0)."""
    if len(x) == 0:
        return 1.0
    q1, q3 = np.percentile(x, [25, 75])
    return float(q3 - q1) or float(np.std(x)) or 1.0


def _rows_with(
    persons: pd.DataFrame, owner: np.ndarray, changes: Sequence[tuple[Change, ...]]
) -> pd.DataFrame:
    """One row per change set: its owner's row with the changes made, in the owner's dtypes."""
    frame = persons.iloc[owner].reset_index(drop=True)
    by_column: dict[str, tuple[list[int], list[Any]]] = {}
    for i, chosen in enumerate(changes):
        for c, v in chosen:
            rows, values = by_column.setdefault(c, ([], []))
            rows.append(i)
            values.append(v)
    for c, (rows, values) in by_column.items():
        dtype = persons[c].dtype
        if is_numeric(persons[c]) and isinstance(dtype, np.dtype):
            arr = frame[c].to_numpy(copy=True)
            arr[rows] = np.asarray(values, dtype=arr.dtype)
            frame[c] = arr
        else:
            obj = frame[c].to_numpy(dtype=object, copy=True)
            obj[rows] = values
            frame[c] = pd.Series(obj).astype(dtype)
    return frame


def _decide(
    adapter: Any,
    persons: pd.DataFrame,
    owner: list[int],
    changes: list[tuple[Change, ...]],
    favorable_label: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's decision on each candidate row, whether it is favourable and its score of
    the favourable decision (NaN without scores), in calls of at most ``CALL_ROWS`` rows."""
    n = len(changes)
    decisions = np.empty(n, dtype=object)
    scores = np.full(n, np.nan)
    for start in range(0, n, CALL_ROWS):
        stop = min(n, start + CALL_ROWS)
        frame = _rows_with(persons, np.asarray(owner[start:stop]), changes[start:stop])
        out = adapter.outputs(frame)  # one call of the model where it can be
        decisions[start:stop] = list(np.asarray(out.decisions))
        score = out.score(favorable_label)
        if score is not None:
            scores[start:stop] = np.asarray(score, dtype=float)
    return decisions, decisions == favorable_label, scores


def search(
    adapter: Any,
    persons: pd.DataFrame,
    space: RecourseSpace,
    favorable_label: Any,
    n_options: int,
    refine_rounds: int = 8,
) -> list[list[Candidate]]:
    """For each row of ``persons``, up to ``n_options`` diverse options, cheapest first
    (``refine_rounds``: bisection steps narrowing a single change of a number)."""
    found: list[list[Candidate]] = [[] for _ in range(len(persons))]
    currents = _currents(persons, space)
    owner: list[int] = []
    changes: list[tuple[Change, ...]] = []
    for i, current in enumerate(currents):
        for c in space.allowed:
            for v in space.values(c, current[c]):
                owner.append(i)
                changes.append(((c, v),))
    scores = _collect(adapter, persons, currents, space, favorable_label, owner, changes, found)
    _refine(adapter, persons, currents, space, favorable_label, found, refine_rounds)
    raised = _raised(adapter, persons, favorable_label, owner, changes, scores, space)
    owner, changes = [], []
    for i, current in enumerate(currents):
        if len({cand.changes[0][0] for cand in found[i]}) >= n_options:
            continue
        cols = raised.get(i, [])[:PAIR_COLUMNS]
        coarse = {}
        for c in cols:
            values = space.values(c, current[c])
            coarse[c] = values[:: max(1, len(values) // (PAIR_GRID - 1))]
        for a, b in itertools.combinations(cols, 2):
            for va in coarse[a]:
                for vb in coarse[b]:
                    owner.append(i)
                    changes.append(((a, va), (b, vb)))
    _collect(adapter, persons, currents, space, favorable_label, owner, changes, found)
    return [_diverse(options, n_options) for options in found]


def _raised(
    adapter: Any,
    persons: pd.DataFrame,
    favorable_label: Any,
    owner: list[int],
    changes: list[tuple[Change, ...]],
    scores: np.ndarray,
    space: RecourseSpace,
) -> dict[int, list[str]]:
    """Per person, the inputs a single change of which raised the favourable score above the
    person's own, the most first (a pair of inputs that raise nothing alone is not tried);
    every allowed input, in order, for a model without scores."""
    if not changes:
        return {}
    base = adapter.score(persons, favorable_label)
    if base is None or np.isnan(scores).all():
        columns = list(space.allowed)
        return dict.fromkeys(range(len(persons)), columns)
    frame = pd.DataFrame({"i": owner, "c": [ch[0][0] for ch in changes], "s": scores})
    top = frame.groupby(["i", "c"], sort=False)["s"].max().reset_index()
    top = top[top["s"].to_numpy() > np.asarray(base, dtype=float)[top["i"].to_numpy()] + 1e-12]
    top = top.sort_values(["i", "s"], ascending=[True, False], kind="stable")
    return {int(i): part["c"].tolist() for i, part in top.groupby("i", sort=False)}


def _currents(persons: pd.DataFrame, space: RecourseSpace) -> list[dict[str, Any]]:
    """Each person's values of the allowed inputs, as Python values."""
    columns = {c: persons[c].to_numpy(dtype=object) for c in space.allowed}
    return (
        [
            {c: plain(v) for c, v in zip(columns, row, strict=True)}
            for row in zip(*columns.values(), strict=True)
        ]
        if columns
        else [{} for _ in range(len(persons))]
    )


def _collect(
    adapter: Any,
    persons: pd.DataFrame,
    currents: list[dict[str, Any]],
    space: RecourseSpace,
    favorable_label: Any,
    owner: list[int],
    changes: list[tuple[Change, ...]],
    found: list[list[Candidate]],
) -> np.ndarray:
    """Decide the candidates and keep those that flip (``found``); each one's score of the
    favourable decision (NaN without scores)."""
    if not changes:
        return np.zeros(0)
    decisions, flips, scores = _decide(adapter, persons, owner, changes, favorable_label)
    for k in np.flatnonzero(flips):
        i, chosen = owner[k], changes[k]
        cost = sum(space.cost(c, currents[i][c], v) for c, v in chosen)
        d = decisions[k]
        found[i].append(
            Candidate(
                changes=chosen,
                cost=float(cost),
                decision=plain(d),
                score=None if math.isnan(scores[k]) else float(scores[k]),
            )
        )
    return scores


def _refine(
    adapter: Any,
    persons: pd.DataFrame,
    currents: list[dict[str, Any]],
    space: RecourseSpace,
    favorable_label: Any,
    found: list[list[Candidate]],
    rounds: int,
) -> None:
    """Narrow each single change of a number that works to the smallest that still works on
    the model: bisection between the nearest grid value that works and the value before it
    (whole numbers for a whole-number column, ``rounds`` steps otherwise), all people
    and columns in one model call per step; the smallest working value joins ``found``."""
    # person, column, value that does not work, value that works, its candidate
    state: list[list[Any]] = []
    for i, options in enumerate(found):
        for c in {o.changes[0][0] for o in options if len(o.changes) == 1}:
            if not space.numeric[c]:
                continue
            cur = float(currents[i][c])
            works = min(
                (o for o in options if len(o.changes) == 1 and o.changes[0][0] == c),
                key=lambda o: abs(float(o.changes[0][1]) - cur),
            )
            hi = float(works.changes[0][1])
            before = [v for v in space.values(c, currents[i][c])
                      if (v - cur) * (hi - cur) > 0 and abs(v - cur) < abs(hi - cur)]  # fmt: skip
            lo = float(before[-1]) if before else cur
            state.append([i, c, lo, hi, works])
    for _ in range(rounds):
        tried = []
        for entry in state:
            i, c, lo, hi, _works = entry
            mid = (lo + hi) / 2
            if space.integer[c]:
                mid = float(math.floor(mid) if hi > lo else math.ceil(mid))
            if mid in (lo, hi):
                continue
            tried.append((entry, int(mid) if space.integer[c] else mid))
        if not tried:
            break
        owner = [e[0] for e, _ in tried]
        changes: list[tuple[Change, ...]] = [((str(e[1]), v),) for e, v in tried]
        decisions, flips, scores = _decide(adapter, persons, owner, changes, favorable_label)
        for k, (entry, v) in enumerate(tried):
            if flips[k]:
                person, column = entry[0], entry[1]
                d = decisions[k]
                entry[3], entry[4] = (
                    float(v),
                    Candidate(
                        changes=((column, v),),
                        cost=space.cost(column, currents[person][column], v),
                        decision=plain(d),
                        score=None if math.isnan(scores[k]) else float(scores[k]),
                    ),
                )
            else:
                entry[2] = float(v)
    for person, _c, _lo, _hi, works in state:
        if works not in found[person]:
            found[person].append(works)


def _diverse(options: list[Candidate], n_options: int) -> list[Candidate]:
    """The cheapest options, skipping any whose inputs include all of a cheaper one's."""
    out: list[Candidate] = []
    used: list[set[str]] = []
    for cand in sorted(options, key=lambda o: (o.cost, len(o.changes))):
        columns = {c for c, _ in cand.changes}
        if any(columns >= u for u in used):
            continue
        out.append(cand)
        used.append(columns)
        if len(out) == n_options:
            break
    return out
