"""Audits of data too large for memory: a Dask DataFrame, read one partition at a time.

Every statistic of the classification and regression audits is a sum over rows of counts and
moments, so the audit reads each partition once (the first pass) and keeps only:

* a table of **cells**: one row per observed combination of the sensitive values, the decision
  and the outcome, with the number of rows, the sums of their scores and of the squared
  scores, and the position of the first such row;
* per ground, a table of (value, outcome, score) counts for the score metrics;
* one bit per row (the decision), for the explanation's stratified sample; for numeric outputs
  (``task="regression"``) the cells hold each quantity's mean and sum of squared deviations,
  combined exactly (Chan et al.), and each row's prediction and group codes are kept for the
  median split of the explanation's sample.

The tables of the partitions add up; the group metrics, bootstrap intervals, tests and findings
are then computed from them by the same code as in memory. Quantile bins come from the value
counts (equal to numpy's quantiles to the bit). The checks that read rows (proxies, the flip
test, the explanation) use samples whose positions are drawn from the group sizes alone, with
the same random draws as in memory; a second pass reads those rows. The result equals the
in-memory result: counts exactly, sums of scores to floating-point rounding.

Memory is bounded by the partition size plus the cell table, the sample and one bit per row,
except the score tables, which hold one entry per distinct (group, outcome, score): with
continuous scores and outcomes they grow with the rows (see ``docs/scale.md``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.data import (
    Fingerprint,
    GroupEncoding,
    align_rows,
    encode_groups,
    group_label,
    is_missing_array,
    positions_within,
)
from ..core.errors import (
    ColumnNotFoundError,
    InputError,
    InputTypeError,
    LengthMismatchError,
)
from ..core.manifest import build_manifest
from ..core.models import ModelAdapter, adapt_model
from ..core.policy import Policy
from ..core.progress import Stage, stage
from ..explain.engine import Explanation, RowSample, explain_sample, stratified_ordinals
from ..explain.turned import ScoreRange, turned_positions
from ..fairness.proxies import ProxyReport, proxy_sample_plan, rank_proxies
from ..fairness.regression import (
    RegressionMetrics,
    regression_metrics_from_cells,
    regression_metrics_from_codes,
)
from ..fairness.scores import (
    ScoreMetrics,
    merge_score_tables,
    round_scores,
    score_metrics_from_table,
    score_table,
)
from ..pricing.counterfactual import draw_orders
from ..pricing.gaps import positive_prices
from ..pricing.loyalty import draw_loyal, loyalty_groups
from .attributes import Attribute, attributes
from .outputs import (
    decision_rule,
    decision_threshold,
    given_decisions,
    given_numbers,
    given_outcomes,
    positive_label,
    same_label,
    shown_labels,
)
from .prepared import Prepared, PreparedNumeric, PreparedPrices
from .rows import RowAccess, explanation_strata, some_rows
from .settings import Settings

__all__ = ["prepare_chunked", "prepare_chunked_numeric"]

ROLES = ("y_true", "y_pred", "y_score")
#: Tables of partitions are merged once the unmerged ones hold this many rows more than the
#: merged one, so what is kept stays near the size of the merged table.
_MERGE_SLACK = 200_000


def _compact(
    parts: list[pd.DataFrame], merge: Callable[[list[pd.DataFrame]], pd.DataFrame]
) -> list[pd.DataFrame]:
    """The parts, merged into one when the unmerged ones have grown past the slack."""
    if len(parts) > 1 and sum(len(p) for p in parts[1:]) > len(parts[0]) + _MERGE_SLACK:
        return [merge(parts)]
    return parts


def _is_dask_series(obj: Any) -> bool:
    top = type(obj).__module__.split(".")[0]
    return top in ("dask", "dask_expr") and hasattr(obj, "npartitions") and hasattr(obj, "name")


# --------------------------------------------------------------------------------------------
# The partitions
# --------------------------------------------------------------------------------------------


@dataclass
class _Chunk:
    index: int
    inputs: pd.DataFrame  # the model's inputs
    frames: dict[str, pd.DataFrame]  # "data" (and "sensitive_data") as computed
    roles: dict[str, pd.Series]  # y_true / y_pred / y_score of these rows


class _Source:
    """The Dask collections of an audit, computed together one partition at a time."""

    def __init__(self, settings: Settings) -> None:
        data: Any = settings.data
        self.frames: dict[str, Any] = {"data": data}
        if settings.sensitive_data is not None:
            self.frames["sensitive_data"] = settings.sensitive_data
        self.npartitions = int(data.npartitions)
        for name, frame in self.frames.items():
            if int(frame.npartitions) != self.npartitions:
                raise LengthMismatchError(
                    f"{name} has {frame.npartitions} partitions but data has {self.npartitions}; "
                    f"they must hold the same rows in the same partitions."
                )
        self.role_columns: dict[str, tuple[str, str]] = {}
        self.role_series: dict[str, Any] = {}
        for role in ROLES:
            spec = getattr(settings, role)
            if spec is None:
                continue
            if isinstance(spec, str):
                self.role_columns[role] = (self.where(spec, role), spec)
            elif _is_dask_series(spec):
                if int(spec.npartitions) != self.npartitions:
                    raise LengthMismatchError(
                        f"{role} has {spec.npartitions} partitions but data has "
                        f"{self.npartitions}; take it from the same frame."
                    )
                self.role_series[role] = spec
            else:
                raise InputTypeError(
                    f"with a Dask DataFrame as data, {role} must name a column of data (or of "
                    f"sensitive_data) or be a Dask Series with the same partitions, got "
                    f"{type(spec).__name__}."
                )
        in_data = {c for w, c in self.role_columns.values() if w == "data"}
        self.inputs = [c for c in data.columns if c not in in_data]

    def where(self, column: str, what: str) -> str:
        """Which frame holds ``column``."""
        for name, frame in self.frames.items():
            if column in frame.columns:
                return name
        raise ColumnNotFoundError(
            f"{what} names column {column!r}, which is not in data"
            f"{' or sensitive_data' if 'sensitive_data' in self.frames else ''}."
        )

    def dtype(self, where: str, column: str) -> Any:
        return self.frames[where][column].dtype

    def chunks(self, label: str) -> Iterator[_Chunk]:
        """The partitions in order, counted on the bar of the audit's "predictions" stage
        (:mod:`szai_audit.core.progress`) as ``label``."""
        names = list(self.frames)
        roles = list(self.role_series)
        with stage("predictions") as bar:
            bar.start(self.npartitions, label)
            yield from self._read(names, roles, bar)

    def _read(self, names: list[str], roles: list[str], bar: Stage) -> Iterator[_Chunk]:
        import dask

        for i in range(self.npartitions):
            parts = [self.frames[k].partitions[i] for k in names]
            parts += [self.role_series[r].partitions[i] for r in roles]
            try:
                computed = dask.compute(*parts)
            except (ValueError, TypeError, OSError, KeyError) as exc:
                raise InputError(
                    f"reading partition {i} of the data failed ({type(exc).__name__}: {exc})"
                ) from exc
            bar.update(1)
            lengths = {len(c) for c in computed}
            if len(lengths) > 1:
                raise LengthMismatchError(
                    f"partition {i} has {sorted(lengths)} rows in the different inputs; data, "
                    f"sensitive_data and the outputs must hold the same rows."
                )
            # The rows of a partition are paired by index label, as in memory.
            index = computed[0].index
            hint = f"Partition {i} of each must hold the same rows, each index label once."
            frames = {
                k: align_rows(k, part, index, hint=hint)
                for k, part in zip(names, computed, strict=False)
            }
            values = {r: frames[w][c] for r, (w, c) in self.role_columns.items()}
            values |= {
                r: align_rows(r, part, index, hint=hint)
                for r, part in zip(roles, computed[len(names) :], strict=True)
            }
            yield _Chunk(i, frames["data"][self.inputs], frames, values)


class _LabelBook:
    """Codes of the output labels, compared with Python's equality (1 and True are one label,
    as in memory)."""

    def __init__(self) -> None:
        self.labels: list[Any] = []
        self._code: dict[Any, int] = {}

    def codes(self, values: np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        lookup = np.empty(len(uniques), dtype=np.int64)
        for i, label in enumerate(uniques.tolist()):
            if label not in self._code:
                self._code[label] = len(self.labels)
                self.labels.append(label)
            lookup[i] = self._code[label]
        return lookup[codes]


class _Codebook:
    """Codes of the distinct values of a column, growing partition by partition (missing
    values get -1)."""

    def __init__(self) -> None:
        self.index = pd.Index([], dtype=object)

    def codes(self, values: Any) -> np.ndarray:
        arr = np.asarray(values)
        missing = is_missing_array(arr)
        codes = np.asarray(self.index.get_indexer(arr), dtype=np.int64)
        new = (codes < 0) & ~missing
        if new.any():
            fresh = pd.unique(arr[new])
            self.index = self.index.append(pd.Index(fresh, dtype=object))
            codes = np.asarray(self.index.get_indexer(arr), dtype=np.int64)
        codes[missing] = -1
        return codes


# --------------------------------------------------------------------------------------------
# First pass: cells, score tables, decision bits, fingerprints
# --------------------------------------------------------------------------------------------


@dataclass
class _FirstPass:
    n: int = 0
    cells: list[pd.DataFrame] = field(default_factory=list)
    score_parts: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    bits: list[np.ndarray] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    labels: _LabelBook = field(default_factory=_LabelBook)
    #: Each ground's dtype in the first partition (a categorical's real categories).
    dtypes: dict[str, Any] = field(default_factory=dict)
    values: dict[str, _Codebook] = field(default_factory=dict)
    fp_data: Fingerprint = field(default_factory=Fingerprint)
    fp_true: Fingerprint = field(default_factory=Fingerprint)
    fp_pred: Fingerprint = field(default_factory=Fingerprint)
    n_columns: int = 0
    pos: Any = None
    has_true: bool = False
    has_score: bool = False
    #: Numeric outputs: each row's prediction and each ground's value code (for the median
    #: split of the explanation's sample): 8 bytes, plus 4 per ground, per row.
    preds: list[np.ndarray] = field(default_factory=list)
    row_codes: dict[str, list[np.ndarray]] = field(default_factory=dict)
    #: Pricing: the profile, legitimate-factor and loyalty columns of every row.
    kept: list[pd.DataFrame] = field(default_factory=list)
    #: A model explained: the favourable decision's score over every decision so far (None
    #: without such a score), which the cut-off of the decisions turned is verified against.
    score_range: ScoreRange | None = field(default_factory=ScoreRange)

    def record(self, chunk: _Chunk, y_pred: np.ndarray, y_true: np.ndarray | None) -> None:
        """Count a partition's rows and add them to the fingerprints."""
        self.lengths.append(len(chunk.inputs))
        self.fp_data.update(chunk.inputs)
        self.fp_pred.update(y_pred)
        if y_true is not None:
            self.fp_true.update(y_true)
        self.n += len(chunk.inputs)
        self.n_columns = chunk.inputs.shape[1]
        self.has_true = y_true is not None


_CELL_SUMS = {"n": "sum", "s": "sum", "s2": "sum", "first": "min"}


def _merge_cells(parts: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    both = pd.concat(parts, ignore_index=True)
    sums = {k: v for k, v in _CELL_SUMS.items() if k in both.columns}
    return both.groupby(keys, sort=False).agg(sums).reset_index()


def _outputs(
    settings: Settings, chunk: _Chunk, adapter: ModelAdapter | None, pos: Any
) -> tuple[np.ndarray, np.ndarray | None, Any]:
    """Decisions and scores of one partition (``pos`` None: not known yet, scores later)."""
    if adapter is not None:
        out = adapter.outputs(chunk.inputs)  # one call of the model where it can be
        return out.decisions, None, out
    data = chunk.frames["data"]
    y_pred, score = given_decisions(chunk.roles, settings.threshold, data, part=chunk.index)
    return y_pred, score, None


def _first_pass(
    settings: Settings,
    source: _Source,
    grounds: dict[str, tuple[str, str]],
    adapter: ModelAdapter | None,
    pos: Any,
    keep_bits: bool,
    resolution: float | None,
) -> _FirstPass:
    fp = _FirstPass(values={g: _Codebook() for g in grounds}, pos=pos)
    keys = [*(f"g_{g}" for g in grounds), "yp"]
    for chunk in source.chunks("reading the data (1/2)"):
        n = len(chunk.inputs)
        y_pred, score, model = _outputs(settings, chunk, adapter, pos)
        y_true = None
        if "y_true" in chunk.roles:
            data = chunk.frames["data"]
            y_true = given_outcomes(chunk.roles["y_true"], n, data, part=chunk.index)
        pred_codes = fp.labels.codes(y_pred)
        true_codes = None if y_true is None else fp.labels.codes(y_true)
        seen = np.asarray(fp.labels.labels, dtype=object)
        if fp.pos is None:  # from the first partition's labels (checked again at the end)
            classes = adapter.classes() if adapter is not None else None
            known = seen if not classes else np.asarray([*seen, *classes], dtype=object)
            fp.pos = positive_label(known, None, settings.favorable_label)
        else:
            positive_label(seen, None, settings.favorable_label)  # still binary
        if model is not None:
            score = model.score(fp.pos)
        for g, (w, c) in grounds.items():
            fp.dtypes.setdefault(g, chunk.frames[w][c].dtype)
        frame = {f"g_{g}": fp.values[g].codes(chunk.frames[w][c]) for g, (w, c) in grounds.items()}
        frame["yp"] = pred_codes
        if true_codes is not None:
            frame["yt"] = true_codes
        cells = pd.DataFrame(frame)
        cells["n"] = np.int64(1)
        if score is not None:
            cells["s"] = score
            cells["s2"] = score * score
        cells["first"] = np.arange(fp.n, fp.n + n, dtype=np.int64)
        cell_keys = keys + (["yt"] if true_codes is not None else [])
        fp.cells.append(_merge_cells([cells], cell_keys))
        fp.cells = _compact(fp.cells, functools.partial(_merge_cells, keys=cell_keys))
        if score is not None and y_true is not None:
            true_pos = np.asarray(y_true == fp.pos)
            for g in grounds:
                parts = fp.score_parts.setdefault(g, [])
                rounded = round_scores(score, resolution)
                parts.append(score_table(frame[f"g_{g}"], true_pos, rounded))
                fp.score_parts[g] = _compact(parts, merge_score_tables)
        if keep_bits:
            fp.bits.append(np.packbits(np.asarray(y_pred == fp.pos)))
            if model is not None and fp.score_range is not None:
                fp.score_range = fp.score_range.merge(
                    ScoreRange.of_outputs(model, settings.favorable_label)
                )
        fp.record(chunk, y_pred, y_true)
        fp.has_score = score is not None
    if fp.n == 0:
        raise InputError("data has no rows: nothing to audit.")
    fp.cells = [_merge_cells(fp.cells, keys + (["yt"] if fp.has_true else []))]
    return fp


# --------------------------------------------------------------------------------------------
# The attributes, from value counts
# --------------------------------------------------------------------------------------------


def _distinct(
    fp: _FirstPass, source: _Source, ground: str, where: str, column: str
) -> tuple[pd.Series, np.ndarray, int]:
    """Distinct values of a sensitive column (with its dtype; a missing entry last when some
    rows lack a value), how many rows have each, and how many rows are missing."""
    cells = fp.cells[0]
    codes = cells[f"g_{ground}"].to_numpy()
    weights = cells["n"].to_numpy()
    book = fp.values[ground].index
    counts = np.bincount(codes[codes >= 0], weights=weights[codes >= 0], minlength=len(book))
    n_missing = int(weights[codes < 0].sum())
    values = pd.Series(book, dtype=object)
    dtype = source.dtype(where, column)
    if isinstance(dtype, pd.CategoricalDtype) and "__UNKNOWN_CATEGORIES__" in list(
        dtype.categories
    ):
        # Dask does not know the categories: the partitions do (in their declared order).
        dtype = fp.dtypes.get(ground, "category")
    try:
        if not pd.api.types.is_object_dtype(dtype):
            cast = values.astype(dtype)
            # Categories that differ between partitions: fall back to sorted categories.
            values = cast if not cast.isna().any() else values.astype("category")
    except (TypeError, ValueError):  # a dtype the values do not fit: keep them as objects
        pass
    if n_missing:
        values = pd.concat([values, pd.Series([None], dtype=values.dtype)], ignore_index=True)
        counts = np.append(counts, n_missing)
    return values, counts.astype(np.int64), n_missing


def _per_cell(values: Any, codes: np.ndarray, n_distinct: int) -> Any:
    """Values given per distinct entry (the missing entry last), taken for each code (-1:
    missing)."""
    take = np.where(codes >= 0, codes, n_distinct - 1)
    if isinstance(values, pd.Series):
        return values.take(take).reset_index(drop=True)
    return values.take(take)


@dataclass(frozen=True)
class _Ground:
    """One sensitive attribute of data seen in parts."""

    key: str  # the key of ``sensitive``
    where: str  # "data" or "sensitive_data"
    column: str
    counts: np.ndarray
    row_labels: np.ndarray  # each distinct entry's group as text (None: missing)
    names: np.ndarray  # each distinct entry's group as score metrics name it

    def codes(self, book: _Codebook, chunk: _Chunk) -> np.ndarray:
        """Each row's distinct entry."""
        raw = np.asarray(chunk.frames[self.where][self.column])
        codes = np.asarray(book.index.get_indexer(raw), dtype=np.int64)
        codes[is_missing_array(raw)] = -1
        return np.where(codes >= 0, codes, len(self.row_labels) - 1)


# --------------------------------------------------------------------------------------------
# Second pass: the sampled rows
# --------------------------------------------------------------------------------------------


@dataclass
class _Sample:
    frame: pd.DataFrame  # the model's inputs of the rows read
    positions: np.ndarray  # their global positions (sorted)
    labels: dict[str, np.ndarray]  # ground -> each row's group label
    found: dict[str, np.ndarray]  # plan -> global positions of its rows


def _second_pass(
    source: _Source,
    wanted: np.ndarray,
    plans: dict[str, dict[int, np.ndarray]],
    per_row: Callable[[_Chunk], tuple[dict[str, np.ndarray], dict[str, np.ndarray]]],
) -> _Sample:
    """Read the rows at the ``wanted`` positions and, for each plan, the rows whose ordinal
    within their stratum is listed (``plans[name][stratum]``); ``per_row(chunk)`` gives each
    row's group labels and its stratum in every plan."""
    seen: dict[str, dict[int, int]] = {name: {} for name in plans}
    found: dict[str, list[np.ndarray]] = {name: [] for name in plans}
    frames: list[pd.DataFrame] = []
    positions: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    labels: dict[str, list[np.ndarray]] = {}
    start = 0
    for chunk in source.chunks("reading the sampled rows (2/2)"):
        n = len(chunk.inputs)
        if not frames:  # no row may be sampled at all: keep the columns
            frames.append(chunk.inputs.iloc[:0])
        row_labels, strata = per_row(chunk)
        pick = [wanted[(wanted >= start) & (wanted < start + n)] - start]
        for name, ordinals in plans.items():
            stratum = strata[name]
            order = np.argsort(stratum, kind="stable")
            bounds = np.searchsorted(stratum[order], list(ordinals), side="left")
            ends = np.searchsorted(stratum[order], list(ordinals), side="right")
            for (s, chosen), lo, hi in zip(ordinals.items(), bounds, ends, strict=True):
                before = seen[name].get(s, 0)
                seen[name][s] = before + (hi - lo)
                hit = chosen[(chosen >= before) & (chosen < before + hi - lo)] - before
                if hit.size:
                    rows = order[lo:hi][hit]
                    found[name].append(rows + start)
                    pick.append(rows)
        local = np.unique(np.concatenate(pick))
        if local.size:
            frames.append(chunk.inputs.iloc[local])
            positions.append(local + start)
        for g, values in row_labels.items():
            labels.setdefault(g, []).append(values[local])
        start += n
    return _Sample(
        frame=pd.concat(frames),
        positions=np.concatenate(positions),
        labels={g: np.concatenate(v) for g, v in labels.items()},
        found={k: np.sort(np.concatenate(v)) for k, v in found.items() if v},
    )


#: ``explainer(model, positive_label)``: the explanation on the rows drawn for it.
_Explainer = Callable[[Any, Any], Explanation]


class _SampledRows:
    """:class:`szai_audit.inputs.rows.RowAccess` over the rows read in the second pass."""

    has_data = True

    def __init__(
        self,
        sample: _Sample,
        proxy_plans: dict[str, tuple[dict[str, int], list[str]]],
        flip_positions: np.ndarray,
        grounds: dict[str, _Ground],
        distinct: dict[str, tuple[pd.Series, np.ndarray, int]],
        source: _Source,
        explainer: _Explainer | None = None,
        favourable: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.sample = sample
        self.proxy_plans = proxy_plans
        self.flip_positions = flip_positions
        self.grounds, self.distinct, self.source = grounds, distinct, source
        self.explainer, self.favourable = explainer, favourable

    def explain(
        self, model: Any, positive_label: Any, policy: Policy, random_state: int | None
    ) -> Explanation:
        """The explanation on the rows drawn for it before the second pass."""
        assert self.explainer is not None  # drawn whenever the model is explained
        return self.explainer(model, positive_label)

    def favourable_at(self, positions: np.ndarray) -> np.ndarray:
        assert self.favourable is not None
        return self.favourable(positions)

    def model_rows(self, size: int, random_state: int | None) -> pd.DataFrame:
        """Rows of those read in the second pass (the flip test's, with a model)."""
        return some_rows(self.sample.frame, size, random_state)

    def rows_at(self, positions: np.ndarray) -> pd.DataFrame:
        """Rows read in the second pass, by position (drawn for them before it)."""
        wanted = np.asarray(positions, dtype=np.int64)
        at = self._at(wanted)
        ok = at < len(self.sample.positions)
        if not (ok.all() and np.array_equal(self.sample.positions[at], wanted)):
            raise InputError("rows_at asks for rows that were not read in the second pass.")
        return self.sample.frame.iloc[at]

    def rows(self, encodings: Any) -> RowAccess:
        """This row access, whatever the groups' encoding (the rows were drawn already)."""
        return self

    def _at(self, positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.sample.positions, positions)

    def proxies(
        self, ground: str, exclude: tuple[str, ...], policy: Policy, random_state: int | None
    ) -> ProxyReport:
        left_out, classes = self.proxy_plans[ground]
        at = self._at(self.sample.found.get(f"proxy:{ground}", np.empty(0, np.int64)))
        frame = self.sample.frame.iloc[at]
        frame = frame[[c for c in frame.columns if c not in exclude]]
        y = pd.Index(classes, dtype=object).get_indexer(self.sample.labels[ground][at])
        return rank_proxies(
            frame,
            np.asarray(y, dtype=np.int64),
            left_out,
            random_state=random_state,
            level=policy.confidence_level,
            labels=classes,
        )

    def flip_rows(
        self, ground: str, policy: Policy, random_state: int | None
    ) -> tuple[pd.DataFrame, np.ndarray]:
        at = self._at(self.flip_positions)
        return self.sample.frame.iloc[at], self.sample.labels[ground][at]

    def column_counts(self, column: str) -> tuple[np.ndarray, np.ndarray, bool]:
        """A sensitive input column's distinct numbers (sorted) and their counts."""
        g = next(g for g in self.grounds.values() if g.column == column and g.where == "data")
        numbers = self.distinct[g.key][0].to_numpy(dtype=float, na_value=np.nan)
        keep = ~np.isnan(numbers)
        order = np.argsort(numbers[keep])
        integer = pd.api.types.is_integer_dtype(self.source.dtype("data", column))
        return numbers[keep][order], g.counts[keep][order], integer


def _bits(fp: _FirstPass, chunk: int, n: int) -> np.ndarray:
    """The decision bits (positive label or not) of one partition's rows."""
    return np.unpackbits(fp.bits[chunk])[:n].astype(bool)


def _bits_at(fp: _FirstPass, positions: np.ndarray) -> np.ndarray:
    """The decision bits of rows at global positions."""
    ends = np.cumsum(fp.lengths)
    chunk = np.searchsorted(ends, positions, side="right")
    offset = positions - (ends[chunk] - np.asarray(fp.lengths)[chunk])
    out = np.empty(len(positions), dtype=bool)
    for c in np.unique(chunk):
        mask = chunk == c
        out[mask] = _bits(fp, int(c), fp.lengths[int(c)])[offset[mask]]
    return out


# --------------------------------------------------------------------------------------------
# The audit's inputs from the partitions
# --------------------------------------------------------------------------------------------


def _setup(settings: Settings) -> tuple[_Source, ModelAdapter | None, dict[str, tuple[str, str]]]:
    """The partitions, the model adapter, and where each ground's column is."""
    source = _Source(settings)
    # Which outputs are given (the model's, or columns) was checked with the settings.
    adapter = None if settings.model is None else adapt_model(settings.model, settings.threshold)
    if settings.sensitive is not None and not isinstance(settings.sensitive, dict):
        raise InputTypeError(
            f"sensitive must map grounds to columns, e.g. {{'gender': 'sex'}}, got "
            f"{type(settings.sensitive).__name__}."
        )
    columns: dict[str, tuple[str, str]] = {}
    for key, spec in (settings.sensitive or {}).items():
        if not isinstance(spec, str):
            raise InputTypeError(
                f"with a Dask DataFrame as data, sensitive[{key!r}] must name a column of data "
                f"or sensitive_data, got {type(spec).__name__}."
            )
        columns[str(key)] = (source.where(spec, f"sensitive[{key!r}]"), spec)
    return source, adapter, columns


def _ground_tables(
    settings: Settings,
    fp: _FirstPass,
    source: _Source,
    columns: dict[str, tuple[str, str]],
    policy: Policy,
) -> tuple[list[Attribute], dict[str, _Ground], dict[str, tuple[pd.Series, np.ndarray, int]]]:
    """The attributes, binned and checked from their value counts as in memory (their values
    given per cell; :func:`_per_row_attributes` gives them per row), each ground's distinct
    values, and their counts."""
    cells = fp.cells[0]
    n = fp.n
    distinct: dict[str, tuple[pd.Series, np.ndarray, int]] = {}

    def lookup(key: str, spec: Any) -> tuple[pd.Series, str | None, str, Any, Any]:
        where, column = columns[key]
        distinct[key] = _distinct(fp, source, key, where, column)
        values, counts, n_missing = distinct[key]
        return values, column, where, counts, n_missing

    per_value = attributes(settings, n, policy, lookup=lookup)
    grounds: dict[str, _Ground] = {}
    attrs = []
    for a, key in zip(per_value, columns, strict=True):
        enc = encode_groups({a.info.ground: a.values})
        where, column = columns[key]
        grounds[a.info.ground] = _Ground(
            key=key,
            where=where,
            column=column,
            counts=distinct[key][1],
            row_labels=enc.row_labels(),
            names=np.asarray([group_label(k) for k in enc.index.take(enc.codes)], dtype=object),
        )
        cell_codes = cells[f"g_{key}"].to_numpy()
        numeric = None
        if a.info.binning is not None:  # the numbers themselves, for the trend along them
            numbers = distinct[key][0].to_numpy(dtype=float, na_value=np.nan)
            numeric = _per_cell(numbers, cell_codes, len(numbers))
        values = _per_cell(a.values, cell_codes, len(enc.codes))
        attrs.append(Attribute(a.info, values, numeric, a.withheld, per_value=a.values))

    return attrs, grounds, distinct


def _proxy_plans(
    grounds: dict[str, _Ground], policy: Policy, random_state: int | None
) -> tuple[
    dict[str, dict[int, np.ndarray]],
    dict[str, tuple[dict[str, int], list[str]]],
    dict[str, np.ndarray],
]:
    """Each ground's proxy sample as ordinals within its groups (drawn as in memory), the
    groups left out and kept, and each distinct value's group number (-1: not used)."""
    plans: dict[str, dict[int, np.ndarray]] = {}
    proxy_plans: dict[str, tuple[dict[str, int], list[str]]] = {}
    class_of: dict[str, np.ndarray] = {}
    for ground, g in grounds.items():
        present = np.asarray([lbl is not None for lbl in g.row_labels])
        sizes = pd.Series(g.counts[present], index=pd.Index(g.row_labels[present], dtype=object))
        sizes = sizes.groupby(level=0).sum()
        left_out, proxy = proxy_sample_plan(sizes, 3, policy.proxy_max_rows, random_state)
        kept = sorted(str(k) for k in sizes.index if str(k) not in left_out)
        proxy_plans[ground] = (left_out, kept)
        number = {lbl: i for i, lbl in enumerate(kept)}  # not kept.index: quadratic
        class_of[ground] = np.asarray([number.get(lbl, -1) for lbl in g.row_labels], dtype=np.int64)
        if proxy is None:
            plans[f"proxy:{ground}"] = {c: np.arange(int(sizes[k])) for c, k in enumerate(kept)}
        else:
            plans[f"proxy:{ground}"] = dict(enumerate(proxy))
    return plans, proxy_plans, class_of


def _flip_positions(n: int, policy: Policy, random_state: int | None) -> np.ndarray:
    """The rows of the flip test, drawn as
    :func:`szai_audit.fairness.counterfactual.flip_test` draws them."""
    flip_positions = np.arange(n)
    if n > policy.flip_max_rows:
        rng = np.random.default_rng(random_state)
        flip_positions = np.sort(rng.choice(n, policy.flip_max_rows, replace=False))
    return flip_positions


def prepare_chunked(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> Prepared:
    """Read a Dask DataFrame in two passes and summarise it for the classification checks."""
    policy = settings.policy
    source, adapter, columns = _setup(settings)
    keep_bits = adapter is not None and bool(settings.explain)
    fp, pos = _classification_pass(settings, source, columns, adapter, keep_bits)
    n = fp.n
    cells = fp.cells[0]
    weights = cells["n"].to_numpy(dtype=np.int64)
    label_list = fp.labels.labels
    is_pos = np.asarray([lbl == pos for lbl in label_list], dtype=np.uint8)
    pred_pos = is_pos[cells["yp"].to_numpy()]
    true_pos = is_pos[cells["yt"].to_numpy()] if fp.has_true else None
    favorable_is_positive = same_label(pos, settings.favorable_label)

    attrs, grounds, distinct = _ground_tables(settings, fp, source, columns, policy)
    cells = fp.cells[0]
    cut = decision_threshold(settings, adapter)
    scores = _score_metrics(settings, fp, grounds, cut)

    # Which rows the proxy, flip and explanation checks read: drawn from group sizes alone.
    plans, proxy_plans, class_of = _proxy_plans(grounds, policy, random_state)
    flip_positions = _flip_positions(n, policy, random_state)
    wanted = [flip_positions] if adapter is not None else []
    label_codes = _label_codes(grounds)
    strata_rank = pd.Index([], dtype=np.int64)
    background = np.empty(0, dtype=np.int64)
    if keep_bits:
        fav_cells = (pred_pos if favorable_is_positive else 1 - pred_pos).astype(bool)
        size = policy.explain_sample_size
        strata_rank, explain_plan = _explain_plan(
            cells, weights, fav_cells, grounds, label_codes, n, size, random_state
        )
        plans["explain"] = explain_plan
        background = _background(n, policy, random_state)
        wanted += [background, *_turned_rows(n, policy, random_state)]
    per_row = _chunk_rows(
        fp, grounds, class_of, label_codes, strata_rank, keep_bits, favorable_is_positive
    )
    all_wanted = np.unique(np.concatenate(wanted)) if wanted else np.empty(0, np.int64)
    sample = _second_pass(source, all_wanted, plans, per_row)

    explainer: _Explainer | None = None
    favourable: Callable[[np.ndarray], np.ndarray] | None = None
    if keep_bits:
        explainer, favourable = _explanation_access(
            fp, sample, background, grounds, favorable_is_positive, random_state
        )
    yp, yt = cells["yp"].to_numpy(), cells["yt"].to_numpy() if fp.has_true else None
    held = {
        lbl: int(weights[(yp == i) | (False if yt is None else yt == i)].sum())
        for i, lbl in enumerate(label_list)
    }
    shown, rest = shown_labels(tuple(label_list), held, pos, policy.k_anonymity)
    rule = decision_rule(adapter, cut) + rest
    manifest = _chunked_manifest(settings, fp, adapter, source, random_state, started, sample)
    return Prepared(
        n_rows=n,
        pos=pos,
        attrs=attrs,
        pred_pos=pred_pos,
        true_pos=true_pos,
        weights=weights,
        score_sums=(cells["s"].to_numpy(), cells["s2"].to_numpy()) if fp.has_score else None,
        rule=rule,
        adapter=adapter,
        labels=shown,
        score_metrics=scores if fp.has_score and fp.has_true else None,
        manifest=manifest,
        rows=_SampledRows(
            sample, proxy_plans, flip_positions, grounds, distinct, source, explainer, favourable
        ).rows,
        favorable_is_positive=favorable_is_positive,
        score_range=fp.score_range if keep_bits else None,
    )


def _classification_pass(
    settings: Settings,
    source: _Source,
    columns: dict[str, tuple[str, str]],
    adapter: ModelAdapter | None,
    keep_bits: bool,
) -> tuple[_FirstPass, Any]:
    """The first pass and the positive label (read again when the first partition's labels
    pointed to another label)."""
    resolution = settings.policy.score_resolution
    fp = _first_pass(settings, source, columns, adapter, None, keep_bits, resolution)
    pos = positive_label(np.asarray(fp.labels.labels, dtype=object), None, settings.favorable_label)
    if pos != fp.pos:  # the first partition's labels pointed to another label: read again
        fp = _first_pass(settings, source, columns, adapter, pos, keep_bits, resolution)
    return fp, pos


def _score_metrics(
    settings: Settings, fp: _FirstPass, grounds: dict[str, _Ground], cut: float | None
) -> Callable[[GroupEncoding, int], ScoreMetrics]:
    """The score metrics of a ground's groups, from the merged score tables."""

    def scores(enc: GroupEncoding, n_bins: int) -> ScoreMetrics:
        g = grounds[enc.names[0]]
        table = merge_score_tables(fp.score_parts[g.key])
        codes = table["group"].to_numpy(dtype=np.int64)
        table["group"] = g.names[np.where(codes >= 0, codes, len(g.names) - 1)]
        table = merge_score_tables([table])
        return score_metrics_from_table(table, threshold=cut, n_bins=n_bins)

    return scores


def _explain_plan(
    cells: pd.DataFrame,
    weights: np.ndarray,
    fav_cells: np.ndarray,
    grounds: dict[str, _Ground],
    label_codes: dict[str, tuple[np.ndarray, int]],
    n: int,
    size: int | None,
    random_state: int | None,
) -> tuple[pd.Index, dict[int, np.ndarray]]:
    """The explanation's strata (keys by first appearance) and its sample, as ordinals within
    each stratum, drawn from the cells as in memory."""
    cell_entries = {
        ground: _entries(cells[f"g_{g.key}"].to_numpy(), g) for ground, g in grounds.items()
    }
    codes, uniques = pd.factorize(_strata_keys(fav_cells, cell_entries, label_codes))
    first = cells["first"].to_numpy()
    firsts = np.full(len(uniques), np.iinfo(np.int64).max)
    np.minimum.at(firsts, codes, first)
    order = np.argsort(firsts, kind="stable")
    strata_rank = pd.Index(np.asarray(uniques)[order])  # stratum keys by first appearance
    stratum_sizes = np.bincount(codes, weights=weights).astype(np.int64)[order]
    if size is None or size >= n:
        return strata_rank, {r: np.arange(int(m)) for r, m in enumerate(stratum_sizes)}
    draws = stratified_ordinals(n, size, stratum_sizes, random_state)
    return strata_rank, dict(enumerate(draws))


def _background(n: int, policy: Policy, random_state: int | None) -> np.ndarray:
    """The positions of the explanation's background rows, drawn as in memory."""
    rng = np.random.default_rng(None if random_state is None else random_state + 1)
    return rng.choice(n, min(policy.explain_background_size, n), replace=False)


def _turned_rows(n: int, policy: Policy, random_state: int | None) -> tuple[np.ndarray, ...]:
    """The positions of the rows, and of the background, of the decisions turned by the
    inputs tied to protected grounds, drawn as in memory."""
    return turned_positions(
        n, policy.explain_sample_size, policy.explain_background_size, random_state
    )


_PerRow = Callable[[_Chunk], tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]


def _chunk_rows(
    fp: _FirstPass,
    grounds: dict[str, _Ground],
    class_of: dict[str, np.ndarray],
    label_codes: dict[str, tuple[np.ndarray, int]],
    strata_rank: pd.Index,
    keep_bits: bool,
    favorable_is_positive: bool,
) -> _PerRow:
    """``per_row`` of the second pass: each row's group labels and its stratum in every plan."""

    def per_row(chunk: _Chunk) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        labels, strata, entries = {}, {}, {}
        for ground, g in grounds.items():
            entries[ground] = g.codes(fp.values[g.key], chunk)
            labels[ground] = g.row_labels[entries[ground]]
            strata[f"proxy:{ground}"] = class_of[ground][entries[ground]]
        if keep_bits:
            fav = _bits(fp, chunk.index, len(chunk.inputs))
            fav = fav if favorable_is_positive else ~fav
            keys = _strata_keys(fav, entries, label_codes)
            strata["explain"] = np.asarray(strata_rank.get_indexer(keys), dtype=np.int64)
        return labels, strata

    return per_row


def _explanation_access(
    fp: _FirstPass,
    sample: _Sample,
    background: np.ndarray,
    grounds: dict[str, _Ground],
    favorable_is_positive: bool,
    random_state: int | None,
) -> tuple[_Explainer, Callable[[np.ndarray], np.ndarray]]:
    """The explanation on the rows read for it, and the favourable outcome of rows by
    position."""
    take = sample.found.get("explain", np.empty(0, np.int64))
    at = np.searchsorted(sample.positions, take)
    fav_take = _bits_at(fp, take)
    fav_take = fav_take if favorable_is_positive else ~fav_take
    row_sample = RowSample(
        frame=sample.frame,
        positions=sample.positions,
        n_total=fp.n,
        take=take,
        background=background,
        strata=explanation_strata(fav_take, [sample.labels[g][at] for g in grounds]),
    )

    def explainer(model: Any, positive_label: Any) -> Explanation:
        return explain_sample(
            model, row_sample, positive_label=positive_label, random_state=random_state
        )

    def favourable(positions: np.ndarray) -> np.ndarray:
        bits = _bits_at(fp, np.asarray(positions, dtype=np.int64))
        return bits if favorable_is_positive else ~bits

    return explainer, favourable


def _chunked_manifest(
    settings: Settings,
    fp: _FirstPass,
    adapter: ModelAdapter | None,
    source: _Source,
    random_state: int | None,
    started: _dt.datetime,
    sample: _Sample,
) -> dict[str, Any]:
    """The reproducibility manifest, with the fingerprints computed part by part."""
    return build_manifest(
        data=None,
        y_true=None,
        y_pred=None,
        model=adapter.describe() if adapter is not None else None,
        random_state=None if random_state is None else int(random_state),
        generated_at=started,
        digests={
            "data": {"sha256": fp.fp_data.hexdigest(), "shape": [fp.n, fp.n_columns]},
            "y_true_sha256": fp.fp_true.hexdigest(),
            "y_pred_sha256": fp.fp_pred.hexdigest(),
        },
        processing={
            "engine": "dask",
            "partitions": source.npartitions,
            "cells": len(fp.cells[0]),
            "rows_read_again": len(sample.positions),
            # The fix-cost illustration runs on failing classification checks only.
            "not_computed": ["mitigation"] if settings.task == "classification" else [],
        },
    )


def _entries(codes: np.ndarray, g: _Ground) -> np.ndarray:
    """Value codes (-1: missing) as positions among the ground's distinct entries."""
    return np.where(codes >= 0, codes, len(g.row_labels) - 1)


def _label_codes(grounds: dict[str, _Ground]) -> dict[str, tuple[np.ndarray, int]]:
    """Per ground, each distinct entry's group as a number, and how many groups."""
    out = {}
    for ground, g in grounds.items():
        codes, uniques = pd.factorize(pd.Series(g.row_labels, dtype=object), use_na_sentinel=False)
        out[ground] = (np.asarray(codes, dtype=np.int64), max(len(uniques), 1))
    return out


def _strata_keys(
    favourable: np.ndarray,
    entries: dict[str, np.ndarray],
    label_codes: dict[str, tuple[np.ndarray, int]],
) -> np.ndarray:
    """A number per row for the explanation's stratum (the decision and the group on every
    ground): the same partition of rows as the in-memory text strata, without building text."""
    key = np.zeros(len(favourable), dtype=np.int64)
    for ground, e in entries.items():
        codes, k = label_codes[ground]
        key = key * k + codes[e]
    return key * 2 + np.asarray(favourable, dtype=np.int64)


def _stratified_positions(keys: np.ndarray, size: int, random_state: int | None) -> np.ndarray:
    """:func:`szai_audit.explain.stratified_sample` for strata given as numbers."""
    n = len(keys)
    if size >= n:
        return np.arange(n)
    codes, _ = pd.factorize(keys)  # in order of first appearance, as the text strata
    sizes = np.bincount(codes)
    draws = stratified_ordinals(n, size, sizes, random_state)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return np.sort(np.concatenate([order[starts[c] + d] for c, d in enumerate(draws)]))


# --------------------------------------------------------------------------------------------
# Numeric outputs (task="regression")
# --------------------------------------------------------------------------------------------


def _merge_moments(parts: list[pd.DataFrame], keys: list[str], has_true: bool) -> pd.DataFrame:
    """Cells of several partitions with the same key combined (counts, means, m2)."""
    both = pd.concat(parts, ignore_index=True)
    ids, uniques = pd.factorize(pd.MultiIndex.from_frame(both[keys]))
    index = pd.RangeIndex(len(uniques))
    stats = regression_metrics_from_cells(np.asarray(ids), index, both, has_true).stats
    return _with_keys(uniques, keys, stats)


def _with_keys(uniques: Any, keys: list[str], stats: pd.DataFrame) -> pd.DataFrame:
    """Cell statistics beside their keys (the distinct value codes of each ground)."""
    frame = pd.DataFrame(list(uniques), columns=keys, dtype=np.int64)
    return pd.concat([frame, stats.reset_index(drop=True)], axis=1)


def _first_pass_numeric(
    settings: Settings,
    source: _Source,
    grounds: dict[str, tuple[str, str]],
    adapter: ModelAdapter | None,
    keep: Sequence[str] = (),
) -> _FirstPass:
    """Moments by cell, each row's prediction and value codes, and the ``keep`` columns of
    data of every row (pricing: the profile, legitimate-factor and loyalty columns)."""
    fp = _FirstPass(values={g: _Codebook() for g in grounds})
    fp.row_codes = {g: [] for g in grounds}
    keys = [f"g_{g}" for g in grounds]
    merge = functools.partial(_merge_moments, keys=keys, has_true=settings.y_true is not None)
    for chunk in source.chunks("reading the data (1/2)"):
        data = chunk.frames["data"]
        y_pred, y_true = given_numbers(adapter, chunk.inputs, chunk.roles, data)
        for g, (w, c) in grounds.items():
            fp.dtypes.setdefault(g, chunk.frames[w][c].dtype)
        codes = {g: fp.values[g].codes(chunk.frames[w][c]) for g, (w, c) in grounds.items()}
        frame = pd.DataFrame({f"g_{g}": v for g, v in codes.items()})
        ids, uniques = pd.factorize(pd.MultiIndex.from_frame(frame))
        index = pd.RangeIndex(len(uniques))
        stats = regression_metrics_from_codes(np.asarray(ids), index, y_pred, y_true).stats
        cells = _with_keys(uniques, keys, stats)
        fp.cells = _compact([*fp.cells, cells], merge)
        fp.preds.append(y_pred)
        for g, v in codes.items():
            fp.row_codes[g].append(v.astype(np.int32))
        if keep:
            fp.kept.append(chunk.frames["data"][list(keep)])
        fp.record(chunk, y_pred, y_true)
    if fp.n == 0:
        raise InputError("data has no rows: nothing to audit.")
    fp.cells = [merge(fp.cells)]
    return fp


def _proxy_found(
    grounds: dict[str, _Ground],
    class_of: dict[str, np.ndarray],
    entries: dict[str, np.ndarray],
    plans: dict[str, dict[int, np.ndarray]],
) -> dict[str, np.ndarray]:
    """Each ground's proxy sample as global positions (sorted), from the rows' entries."""
    found: dict[str, np.ndarray] = {}
    for ground in grounds:
        klass = class_of[ground][entries[ground]]
        found[f"proxy:{ground}"] = positions_within(klass, plans[f"proxy:{ground}"])
    return found


@dataclass
class _NumericRead:
    """A Dask DataFrame of numeric outputs read in two passes: the first pass, the attributes
    (values per cell), the grounds' distinct values, the rows of the sampled checks, and each
    row's value codes by ground (kept only when asked, see :func:`_read_numeric`)."""

    fp: _FirstPass
    attrs: list[Attribute]
    distinct: dict[str, tuple[pd.Series, np.ndarray, int]]
    sample: _Sample
    rows: _SampledRows
    manifest: dict[str, Any]
    adapter: ModelAdapter | None
    row_codes: dict[str, np.ndarray]
    #: The median prediction and, per cell of ``fp.cells[0]``, its rows strictly beyond it on
    #: the favourable side (for the scoring rates).
    scoring: tuple[float, np.ndarray] | None = None


def _cell_numbers(columns: Sequence[np.ndarray], radix: Sequence[int]) -> np.ndarray:
    """One int64 per row numbering its combination of value codes (from -1) in mixed radix."""
    out = np.zeros(len(columns[0]), dtype=np.int64)
    for col, base in zip(columns, radix, strict=True):
        out = out * base + (np.asarray(col, dtype=np.int64) + 1)
    return out


def _beyond_by_cell(
    cells: pd.DataFrame, row_codes: dict[str, np.ndarray], beyond: np.ndarray
) -> np.ndarray:
    """Per cell (in the order of ``cells``), how many of its rows are ``beyond``.

    The rows beyond are numbered by their value codes (8 bytes a row beyond) and counted; the
    cells' keys are numbered the same way and looked up.
    """
    keys = [f"g_{g}" for g in row_codes]
    if not keys:  # no ground: one cell
        return np.asarray([float(beyond.sum())])
    codes = list(row_codes.values())
    radix = [
        int(max(v.max(initial=-1), cells[k].max())) + 2 for k, v in zip(keys, codes, strict=True)
    ]
    if math.prod(radix) >= 2**62:  # too many combinations to number in an int64: group
        frame = pd.DataFrame({k: v[beyond] for k, v in zip(keys, codes, strict=True)})
        found = frame.groupby(keys).size().rename("b").reset_index()
        return cells[keys].merge(found, on=keys, how="left")["b"].fillna(0).to_numpy(float)
    ids, counts = np.unique(_cell_numbers([v[beyond] for v in codes], radix), return_counts=True)
    wanted = _cell_numbers([cells[k].to_numpy() for k in keys], radix)
    out = np.zeros(len(cells))
    if len(ids):
        at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        hit = ids[at] == wanted
        out[hit] = counts[at[hit]]
    return out


def _scoring(
    cells: pd.DataFrame, row_codes: dict[str, np.ndarray], y_pred: np.ndarray, direction: str
) -> tuple[float, np.ndarray]:
    """The exact median prediction, and per cell its rows strictly beyond it on the
    favourable side (``direction`` "higher": above)."""
    median = float(np.median(y_pred))
    beyond = y_pred > median if direction == "higher" else y_pred < median
    return median, _beyond_by_cell(cells, row_codes, beyond)


def _sample_explainer(
    sample: _Sample,
    n: int,
    plan: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    random_state: int | None,
) -> Callable[[Any, Any], Explanation] | None:
    """The explanation of the second pass's sample (``plan``: the rows explained, the
    background and the strata of the rows explained), or None without a plan."""
    if plan is None:
        return None
    take, background, take_strata = plan
    row_sample = RowSample(sample.frame, sample.positions, n, take, background, take_strata)

    def explainer(model: Any, positive_label: Any) -> Explanation:
        return explain_sample(
            model, row_sample, positive_label=positive_label, random_state=random_state
        )

    return explainer


def _read_numeric(
    settings: Settings,
    random_state: int | None,
    started: _dt.datetime,
    *,
    favourable_of: Callable[[np.ndarray], np.ndarray],
    keep: Sequence[str] = (),
    more: Callable[[_FirstPass, np.ndarray], list[np.ndarray]] | None = None,
) -> _NumericRead:
    """Read numeric outputs in two passes. ``favourable_of(predictions)`` splits the rows for
    the explanation's sample as in memory; ``keep`` names columns of data kept for every row;
    ``more(fp, predictions)`` gives further positions to read in the second pass. Without
    ``keep`` or ``more``, each row's value codes are let go before the second pass."""
    policy = settings.policy
    source, adapter, columns = _setup(settings)
    fp = _first_pass_numeric(settings, source, columns, adapter, keep)
    n = fp.n
    attrs, grounds, distinct = _ground_tables(settings, fp, source, columns, policy)
    y_pred = np.concatenate(fp.preds)
    favourable = favourable_of(y_pred)
    row_codes = {g: np.concatenate(fp.row_codes[g]) for g in columns}
    # numeric outputs (not prices): the scoring rates' counts, before the rows are let go
    scoring = None if keep else _scoring(fp.cells[0], row_codes, y_pred, settings.direction)
    entries = {ground: _entries(row_codes[g.key], g) for ground, g in grounds.items()}
    extra = [] if more is None else more(fp, y_pred)
    if not keep and more is None:
        row_codes = {}  # not needed after the first pass: let go before the second
    fp.row_codes, fp.preds = {}, []
    del y_pred
    plans, proxy_plans, class_of = _proxy_plans(grounds, policy, random_state)
    found = _proxy_found(grounds, class_of, entries, plans)
    flip_positions = _flip_positions(n, policy, random_state)
    wanted = [*found.values(), flip_positions if adapter is not None else np.empty(0, np.int64)]
    wanted += extra
    explain_plan = None
    if adapter is not None and settings.explain:
        strata = _strata_keys(favourable, entries, _label_codes(grounds))
        take = _stratified_positions(strata, policy.explain_sample_size, random_state)
        background = _background(n, policy, random_state)
        found["explain"] = take
        wanted += [take, background]
        explain_plan = (take, background, strata[take])
    ends = np.cumsum(fp.lengths)

    def per_row(chunk: _Chunk) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        start = int(ends[chunk.index]) - len(chunk.inputs)
        stop = int(ends[chunk.index])
        labels = {g: grounds[g].row_labels[e[start:stop]] for g, e in entries.items()}
        return labels, {}

    sample = _second_pass(source, np.unique(np.concatenate(wanted)), {}, per_row)
    sample.found = found
    explainer = _sample_explainer(sample, n, explain_plan, random_state)
    rows = _SampledRows(
        sample,
        proxy_plans,
        flip_positions,
        grounds,
        distinct,
        source,
        explainer,
        lambda positions: favourable[positions],
    )
    return _NumericRead(
        fp=fp,
        attrs=attrs,
        distinct=distinct,
        sample=sample,
        rows=rows,
        manifest=_chunked_manifest(settings, fp, adapter, source, random_state, started, sample),
        adapter=adapter,
        row_codes=row_codes,
        scoring=scoring,
    )


def prepare_chunked_numeric(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> PreparedNumeric:
    """Read a Dask DataFrame of numeric outputs in two passes and summarise it: moments by
    cell; each row's prediction and group codes for the explanation's sample (split at the
    median prediction, as in memory)."""

    def favourable_of(y_pred: np.ndarray) -> np.ndarray:
        above = y_pred >= np.median(y_pred)
        return above if settings.direction == "higher" else ~above

    read = _read_numeric(settings, random_state, started, favourable_of=favourable_of)
    cells, has_true = read.fp.cells[0], read.fp.has_true

    def metrics(enc: GroupEncoding) -> RegressionMetrics:
        return regression_metrics_from_cells(enc.codes, enc.index, cells, has_true)

    return PreparedNumeric(
        n_rows=read.fp.n,
        attrs=read.attrs,
        has_outcomes=has_true,
        rule="model.predict(data)" if read.adapter is not None else "y_pred (given)",
        adapter=read.adapter,
        manifest=read.manifest,
        metrics=metrics,
        rows=read.rows.rows,
        predictions=cells["mean_pred"].to_numpy(dtype=float),
        prediction_weights=cells["n"].to_numpy(dtype=float),
        prediction_m2=cells["m2_pred"].to_numpy(dtype=float),
        scoring=read.scoring,
    )


# --------------------------------------------------------------------------------------------
# Prices (task="pricing"): the statistics read every order's price, groups and factors
# --------------------------------------------------------------------------------------------


def _per_row_attributes(read: _NumericRead, keys: Sequence[str]) -> list[Attribute]:
    """The attributes with one value per row, as in memory (binned numbers with their
    numbers), from each row's value code."""
    out = []
    for a, key in zip(read.attrs, keys, strict=True):
        codes = read.row_codes[key]
        numbers = read.distinct[key][0]
        values = _per_cell(a.per_value, codes, len(numbers))
        numeric = None
        if a.info.binning is not None:
            as_float = numbers.to_numpy(dtype=float, na_value=np.nan)
            numeric = _per_cell(as_float, codes, len(as_float))
        out.append(Attribute(a.info, values, numeric, a.withheld))
    return out


def prepare_chunked_pricing(
    settings: Settings, random_state: int | None, started: _dt.datetime
) -> PreparedPrices:
    """Read a Dask DataFrame of orders in two passes for a pricing audit.

    The first pass prices every order (the model called partition by partition, or the price
    column read) and keeps, for every order, its price, its value of each ground and its
    profile, legitimate-factor and loyalty columns: the statistics of Art. 72(2)(v) (medians,
    quantile strata, the robust regression) read them order by order, exactly as in memory.
    The model's other inputs are not kept. The second pass reads the rows of the sampled
    checks: proxies, flip test, explanation, and the orders the counterfactual tests re-price,
    drawn as in memory (:func:`~szai_audit.pricing.counterfactual.draw_orders`,
    :func:`~szai_audit.pricing.loyalty.draw_loyal`). Memory: about 8 bytes per order for the
    price, 4 per ground, and the kept columns, plus the sampled rows.
    """
    policy = settings.policy
    profile = [c for cols in settings.consumer_profile.values() for c in cols]
    loyalty = [settings.loyalty] if settings.loyalty is not None else []
    keep = list(dict.fromkeys([*profile, *settings.legitimate_factors, *loyalty]))
    name = "the model's prices" if settings.model is not None else "y_pred"
    kept: dict[str, Any] = {}

    def more(fp: _FirstPass, y_pred: np.ndarray) -> list[np.ndarray]:
        kept["prices"] = positive_prices(name, y_pred)
        columns = pd.concat(fp.kept, ignore_index=True) if fp.kept else pd.DataFrame()
        fp.kept = []
        kept["columns"] = columns.reset_index(drop=True)
        positions: list[np.ndarray] = []
        if settings.model is None:
            return positions
        if profile:
            orders, _ = draw_orders(
                fp.n, policy.counterfactual_orders, policy.counterfactual_donors, random_state
            )
            positions.append(orders)
        if loyalty:
            labels = loyalty_groups(kept["columns"][loyalty[0]], policy.min_group_size)[0]
            positions.append(
                draw_loyal(labels == "loyal", policy.counterfactual_orders, random_state)
            )
        return positions

    read = _read_numeric(
        settings,
        random_state,
        started,
        favourable_of=lambda y: y <= np.median(y),
        keep=keep,
        more=more,
    )
    sample = read.sample

    def rows_at(positions: np.ndarray) -> pd.DataFrame:
        at = np.searchsorted(sample.positions, positions)
        assert np.array_equal(
            sample.positions[np.minimum(at, len(sample.positions) - 1)], positions
        )
        return sample.frame.iloc[at]

    return PreparedPrices(
        n_rows=read.fp.n,
        attrs=_per_row_attributes(read, list(settings.sensitive or {})),
        prices=kept["prices"],
        rule="model.predict(data)" if read.adapter is not None else "y_pred (given)",
        adapter=read.adapter,
        manifest=read.manifest,
        rows=read.rows.rows,
        columns=kept["columns"],
        rows_at=rows_at,
    )
