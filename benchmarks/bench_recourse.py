"""Benchmark: our recourse search (``person_notice``) against DiCE (dice-ml), in the same run.

Workload (issue 16, item 2): the German Credit demo (``szai_audit.demos.demo_result``: a one-hot
+ logistic-regression Pipeline and its 300 held-out applicants), the first ``--n`` applicants
the model refuses (default 50; the demo has 59). Each method may change the same columns, the
same ways (``ACTIONABLE``): loan duration and loan amount down only, savings and checking
account status to any category; the grounds and their proxies (``result.sensitive_inputs``) and
age never change.

* ours: ``person_notice(model, data, who, immutable=("age",), sensitive=..., actionable=...)``,
  up to 3 options (the time includes the principal reasons it also computes).
* exhaustive grid: a reference, not a method to ship: every combination of the allowed values
  (each whole month of duration, 200 loan amounts, every category of the two), the cheapest
  that the model decides favourably; the optimum of the cost below, up to the amounts' grid.
* DiCE ``method="random"`` and ``method="genetic"``: ``dice_ml.Data`` with the numeric columns
  as continuous, ``dice_ml.Model(backend="sklearn")``, ``total_CFs=3``,
  ``desired_class="opposite"``, ``features_to_vary`` the same columns, ``permitted_range``
  from the data's minimum to the person's value for a column that may only decrease; a fixed
  seed for each person (``random_seed`` for random, numpy's and Python's for genetic).

Every option of every method is verified by calling the model on the changed row, and measured
the same way (:func:`recourse_cost`: |change| / interquartile range over the data for a number,
1 per changed category, as ``RecourseOption.cost``). The table gives, per method: the people
with at least one option, the share of options the model really decides favourably, the
median number of changed columns and the median cost of each person's cheapest valid option,
the share of valid options with a change that is not needed (the model still decides
favourably with that one column put back), the options that break the allowed columns or
directions, and seconds per person. Then ours against each other row on the people both
helped, with examples: first where the other found a cheaper option than ours, then where ours
is cheaper.

Run:  python benchmarks/bench_recourse.py [--n 50] [--methods random,genetic] [--seed 0]
      (DiCE: pip install dice-ml)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import random
import statistics
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: What recourse may change, and how (the same for every method).
ACTIONABLE = {
    "duration_months": "decrease",
    "credit_amount": "decrease",
    "savings": "any",
    "checking_status": "any",
}
#: Never changed, besides the audit's grounds and their proxies.
IMMUTABLE = ("age",)
FAVOURABLE = 1
OUTCOME = "good_credit"  # the outcome column DiCE's Data needs (not among the model's inputs)


def demo_inputs(random_state: int = 0) -> tuple[Any, pd.DataFrame, list[str]]:
    """The demo's model and audited inputs, and its grounds and their proxies."""
    from szai_audit.demos import demo_result

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = demo_result(random_state)
    model, data = result.inputs
    return model, data, list(result.sensitive_inputs(data))


def refused(model: Any, data: pd.DataFrame, n: int) -> list[Any]:
    """The index labels of the first ``n`` people the model refuses."""
    return list(data.index[np.asarray(model.predict(data)) != FAVOURABLE][:n])


def _is_number(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)


def cost_unit(col: pd.Series) -> float:
    """A number's unit of cost: its interquartile range (its standard deviation, or 1, when that
    is 0), as in ``RecourseOption.cost``."""
    x = col.dropna().to_numpy(dtype=float)
    if len(x) == 0:
        return 1.0
    q1, q3 = np.percentile(x, [25, 75])
    return float(q3 - q1) or float(np.std(x)) or 1.0


def _same(before: Any, after: Any, number: bool) -> bool:
    if pd.isna(before) and pd.isna(after):
        return True
    if number:
        b, a = float(before), float(after)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return str(before) == str(after)


def changed_columns(
    data: pd.DataFrame, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """The columns whose value differs between the two rows."""
    return [c for c in data.columns if not _same(before[c], after[c], _is_number(data[c]))]


def recourse_cost(
    data: pd.DataFrame,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    units: Mapping[str, float] | None = None,
) -> float:
    """The cost of changing the row ``before`` into ``after``: the sum, over the changed
    columns, of |change| / interquartile range over ``data`` for a number, 1 for a category."""
    total = 0.0
    for c in changed_columns(data, before, after):
        if _is_number(data[c]):
            unit = units[c] if units is not None else cost_unit(data[c])
            total += abs(float(after[c]) - float(before[c])) / unit
        else:
            total += 1.0
    return total


def direction_breaks(
    data: pd.DataFrame, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """The changes ``ACTIONABLE`` does not allow: a column it does not name, or a number moved
    the wrong way."""
    out = []
    for c in changed_columns(data, before, after):
        way = ACTIONABLE.get(c)
        b, a = before[c], after[c]
        if (
            way is None
            or (way == "decrease" and float(a) > float(b))
            or (way == "increase" and float(a) < float(b))
        ):
            out.append(c)
    return out


def rows_frame(data: pd.DataFrame, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows as a frame with ``data``'s columns and dtypes (a whole-number column given a
    fraction stays a float, as the model would be called on it)."""
    frame = pd.DataFrame([{c: r[c] for c in data.columns} for r in rows], columns=data.columns)
    for c in data.columns:
        if _is_number(data[c]):
            values = pd.to_numeric(frame[c]).astype(float)
            integral = pd.api.types.is_integer_dtype(data[c].dtype) and bool(
                np.all(np.isclose(values, np.round(values)))
            )
            frame[c] = np.round(values).astype(data[c].dtype) if integral else values
        else:
            frame[c] = frame[c].astype(data[c].dtype)
    return frame


def favourable(model: Any, data: pd.DataFrame, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Whether the model itself decides each row favourably."""
    if not rows:
        return np.zeros(0, dtype=bool)
    return np.asarray(model.predict(rows_frame(data, rows))) == FAVOURABLE


def unneeded_change(
    model: Any, data: pd.DataFrame, before: Mapping[str, Any], after: Mapping[str, Any]
) -> bool:
    """Whether one of the changes can be put back with the model still deciding favourably."""
    changed = changed_columns(data, before, after)
    if len(changed) < 2:
        return False
    backs = [{**after, c: before[c]} for c in changed]
    return bool(favourable(model, data, backs).any())


def ours(model: Any, data: pd.DataFrame, who: Any, sensitive: Sequence[str]) -> list[dict]:
    """Our options for ``who``, each as the whole changed row."""
    from szai_audit.explain.person import person_notice

    p = person_notice(
        model, data, who, immutable=IMMUTABLE, sensitive=sensitive, actionable=ACTIONABLE
    )
    before = data.loc[who].to_dict()
    return [{**before, **{ch.column: ch.after for ch in o.changes}} for o in p.recourse]


def dice_explainer(model: Any, data: pd.DataFrame, method: str) -> Any:
    import dice_ml

    frame = data.assign(**{OUTCOME: np.asarray(model.predict(data))})
    continuous = [c for c in data.columns if _is_number(data[c])]
    d = dice_ml.Data(dataframe=frame, continuous_features=continuous, outcome_name=OUTCOME)
    m = dice_ml.Model(model=model, backend="sklearn")
    return dice_ml.Dice(d, m, method=method)


def dice(explainer: Any, data: pd.DataFrame, who: Any, method: str, seed: int) -> list[dict]:
    """DiCE's counterfactuals for ``who`` (at most 3), each as the whole changed row."""
    person = data.loc[[who]]
    ranges = {}
    for c, way in ACTIONABLE.items():
        if way == "decrease":
            ranges[c] = [data[c].min(), person[c].iloc[0]]
        elif way == "increase":
            ranges[c] = [person[c].iloc[0], data[c].max()]
    kwargs: dict[str, Any] = {
        "total_CFs": 3,
        "desired_class": "opposite",
        "features_to_vary": list(ACTIONABLE),
        "permitted_range": ranges,
    }
    if method == "random":
        kwargs["random_seed"] = seed
    else:  # genetic draws from numpy's and Python's global generators
        np.random.seed(seed)  # noqa: NPY002 (DiCE's genetic search uses the global generator)
        random.seed(seed)
    quiet = io.StringIO()  # DiCE prints its progress bar and its notes
    with (
        contextlib.redirect_stdout(quiet),
        contextlib.redirect_stderr(quiet),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        try:
            cf = explainer.generate_counterfactuals(person, **kwargs)
        except Exception as e:  # DiCE raises when it finds none for some configurations
            if "counterfactual" in str(e).lower():
                return []
            raise
    out = cf.cf_examples_list[0].final_cfs_df
    if out is None or out.empty:
        return []
    before = data.loc[who].to_dict()
    return [
        {**before, **r} for r in out.drop(columns=[OUTCOME], errors="ignore").to_dict("records")
    ]


def _values(col: pd.Series, current: Any, way: str, points: int) -> np.ndarray:
    """The values a column may take in the exhaustive search: every whole number (or
    ``points`` evenly spaced) in the allowed direction, the current value included; every
    category observed."""
    if not _is_number(col):
        return pd.unique(col.dropna().astype(object))
    lo = float(col.min()) if way != "increase" else float(current)
    hi = float(col.max()) if way != "decrease" else float(current)
    if pd.api.types.is_integer_dtype(col.dtype) and hi - lo <= points:
        values = np.arange(lo, hi + 1)
    else:
        values = np.linspace(lo, hi, points)
        if pd.api.types.is_integer_dtype(col.dtype):
            values = np.round(values)
    return np.unique(np.append(values, float(current)))


def exhaustive(model: Any, data: pd.DataFrame, who: Any, points: int = 200) -> list[dict]:
    """The cheapest change that turns the decision favourable among every combination of the
    allowed columns' values (:func:`_values`): a reference, the optimum up to the grid of a
    number with many values (the loan amount: ``points`` steps)."""
    before = data.loc[who].to_dict()
    axes = {c: _values(data[c], before[c], way, points) for c, way in ACTIONABLE.items()}
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    combos = {c: m.ravel() for c, m in zip(axes, mesh, strict=True)}
    size = len(next(iter(combos.values())))
    frame = pd.DataFrame(
        {c: np.repeat(data.loc[[who], c].to_numpy(dtype=object), size) for c in data.columns}
    )
    for c, v in combos.items():
        frame[c] = v
    frame = frame.astype(data.dtypes.to_dict())  # whole numbers in whole-number columns
    cost = np.zeros(size)
    for c, v in combos.items():
        if _is_number(data[c]):
            cost += np.abs(v.astype(float) - float(before[c])) / cost_unit(data[c])
        else:
            cost += (v.astype(str) != str(before[c])).astype(float)
    ok = np.asarray(model.predict(frame)) == FAVOURABLE
    if not ok.any():
        return []
    best = int(np.flatnonzero(ok)[np.argmin(cost[ok])])
    return [{**before, **{c: v[best] for c, v in combos.items()}}]


def evaluate(
    model: Any, data: pd.DataFrame, who: Any, options: list[dict], seconds: float
) -> dict[str, Any]:
    """What one method gave one person, verified and measured."""
    before = data.loc[who].to_dict()
    units = {c: cost_unit(data[c]) for c in data.columns if _is_number(data[c])}
    valid = favourable(model, data, options)
    costs = [recourse_cost(data, before, o, units) for o in options]
    good = [i for i in range(len(options)) if valid[i]]
    best = min(good, key=lambda i: costs[i]) if good else None
    return {
        "who": who,
        "options": options,
        "n_options": len(options),
        "n_valid": len(good),
        "costs": costs,
        "best": None if best is None else options[best],
        "best_cost": math.nan if best is None else costs[best],
        "best_changed": math.nan
        if best is None
        else len(changed_columns(data, before, options[best])),
        "unneeded": sum(unneeded_change(model, data, before, options[i]) for i in good),
        "breaks": sum(bool(direction_breaks(data, before, o)) for o in options),
        "seconds": seconds,
    }


def run_ours(
    model: Any, data: pd.DataFrame, people: Sequence[Any], sensitive: Sequence[str]
) -> list[dict[str, Any]]:
    """Our options for each person, verified and measured."""
    out = []
    for who in people:
        t0 = time.perf_counter()
        options = ours(model, data, who, sensitive)
        out.append(evaluate(model, data, who, options, time.perf_counter() - t0))
    return out


def run_dice(
    model: Any, data: pd.DataFrame, people: Sequence[Any], method: str, seed: int = 0
) -> list[dict[str, Any]]:
    """DiCE's counterfactuals (``method`` "random" or "genetic") for each person, verified and
    measured."""
    explainer = dice_explainer(model, data, method)
    out = []
    for who in people:
        t0 = time.perf_counter()
        options = dice(explainer, data, who, method, seed)
        out.append(evaluate(model, data, who, options, time.perf_counter() - t0))
    return out


def run_exhaustive(model: Any, data: pd.DataFrame, people: Sequence[Any]) -> list[dict[str, Any]]:
    """The exhaustive reference for each person, verified and measured."""
    out = []
    for who in people:
        t0 = time.perf_counter()
        options = exhaustive(model, data, who)
        out.append(evaluate(model, data, who, options, time.perf_counter() - t0))
    return out


def _median(values: list[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return statistics.median(kept) if kept else math.nan


def summary(results: Mapping[str, list[dict[str, Any]]]) -> pd.DataFrame:
    rows = []
    for name, per in results.items():
        options = sum(r["n_options"] for r in per)
        valid = sum(r["n_valid"] for r in per)
        rows.append(
            {
                "method": name,
                "people": len(per),
                "with option": sum(r["n_options"] > 0 for r in per),
                "options": options,
                "valid %": 100 * valid / options if options else math.nan,
                "best: cols": _median([r["best_changed"] for r in per]),
                "best: cost": _median([r["best_cost"] for r in per]),
                "unneeded %": 100 * sum(r["unneeded"] for r in per) / valid if valid else math.nan,
                "breaks": sum(r["breaks"] for r in per),
                "s / person": statistics.mean(r["seconds"] for r in per),
            }
        )
    return pd.DataFrame(rows)


def _changes(data: pd.DataFrame, before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    return "; ".join(
        f"{c}: {before[c]} -> {after[c]}" for c in changed_columns(data, before, after)
    )


def head_to_head(
    data: pd.DataFrame, results: Mapping[str, list[dict[str, Any]]], examples: int = 4
) -> list[str]:
    """Ours against each other row (the exhaustive reference, each DiCE method) on the people
    both found a valid option for, with examples."""
    lines = []
    for name, per in results.items():
        if name == "ours":
            continue
        both = [
            (o, d)
            for o, d in zip(results["ours"], per, strict=True)
            if o["best"] is not None and d["best"] is not None
        ]
        cheaper = [(o, d) for o, d in both if d["best_cost"] < o["best_cost"] - 1e-9]
        dearer = sum(d["best_cost"] > o["best_cost"] + 1e-9 for o, d in both)
        only_dice = [
            (o, d)
            for o, d in zip(results["ours"], per, strict=True)
            if o["best"] is None and d["best"]
        ]
        only_ours = sum(
            o["best"] is not None and d["best"] is None
            for o, d in zip(results["ours"], per, strict=True)
        )
        ratio = _median([d["best_cost"] / o["best_cost"] for o, d in both if o["best_cost"] > 0])
        lines.append(
            f"ours vs {name}: both helped {len(both)} people; ours cheaper for {dearer}, "
            f"equal for {len(both) - dearer - len(cheaper)}, {name} cheaper for {len(cheaper)} "
            f"(median cost ratio {name}/ours {ratio:.2f}); only ours helped {only_ours}, "
            f"only {name} helped {len(only_dice)}."
        )
        ours_cheaper = [(o, d) for o, d in both if d["best_cost"] > o["best_cost"] + 1e-9]
        shown = [(f"{name} cheaper", o, d) for o, d in (cheaper + only_dice)[:examples]]
        shown += [("ours cheaper", o, d) for o, d in ours_cheaper[: max(1, examples // 2)]]
        for label, o, d in shown:
            before = data.loc[o["who"]].to_dict()
            theirs = f"{_changes(data, before, d['best'])} (cost {d['best_cost']:.2f})"
            mine = (
                "none"
                if o["best"] is None
                else f"{_changes(data, before, o['best'])} (cost {o['best_cost']:.2f})"
            )
            lines.append(f"  person {o['who']} ({label}):\n    {name}: {theirs}\n    ours: {mine}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50, help="refused people compared (50)")
    parser.add_argument("--methods", default="random,genetic", help="DiCE methods (random,genetic)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        import dice_ml  # noqa: F401
    except ImportError:
        print(
            "dice-ml is not installed, so there is nothing to compare against. Install it with\n"
            "    pip install dice-ml\n"
            "(or `pip install -e '.[compare]'`), then run this script again."
        )
        sys.exit(0)

    model, data, sensitive = demo_inputs()
    people = refused(model, data, args.n)
    methods = [m for m in args.methods.split(",") if m]
    print(
        f"German Credit demo: {len(data)} applicants, {len(people)} refused compared; "
        f"may change {ACTIONABLE}; never {sorted({*IMMUTABLE, *sensitive})}.\n"
    )
    results = {"ours": run_ours(model, data, people, sensitive)}
    results["exhaustive grid"] = run_exhaustive(model, data, people)
    for method in methods:
        try:
            results[f"dice {method}"] = run_dice(model, data, people, method, args.seed)
        except Exception as e:  # one method failing should not hide the others
            print(f"DiCE method {method!r} failed: {type(e).__name__}: {e}")
    with pd.option_context("display.width", 160, "display.float_format", "{:.3g}".format):
        print(summary(results).to_string(index=False))
    print(
        "\nvalid %: options the model itself decides favourably; best: each person's cheapest "
        "valid option\n(cols changed, cost = sum of |change|/IQR for numbers + 1 per category); "
        "unneeded %: valid options\nwith a change that can be put back; breaks: options "
        "changing a column or direction not allowed.\n"
    )
    print("\n".join(head_to_head(data, results)))


if __name__ == "__main__":
    main()
