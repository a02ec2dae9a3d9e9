"""Our recourse against DiCE (dice-ml) on the German Credit demo (issue 16, item 2), with the
measures of ``benchmarks/bench_recourse.py``: validity checked by calling the model, and the
same cost for every method."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from szai_audit.explain.person import person_notice

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_recourse.py"
PEOPLE = 5


def _bench():
    spec = importlib.util.spec_from_file_location("bench_recourse", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return _bench()


@pytest.fixture(scope="module")
def demo(bench, german_split, german_pipeline):
    """The demo's model and inputs (``german_pipeline`` is trained as ``demo_result`` trains
    its model, on the same split), without running the demo's whole audit; ``sensitive`` is
    what the demo audit's ``sensitive_inputs`` gives: its grounds and a proxy."""
    _, X_test, _, _ = german_split
    data = X_test.drop(columns=["good_credit"])
    sensitive = ["sex", "foreign_worker", "age", "personal_status", "purpose"]
    return german_pipeline, data, sensitive, bench.refused(german_pipeline, data, PEOPLE)


def test_the_benchmark_cost_is_the_cost_of_our_options(bench, demo):
    """The benchmark measures every method with RecourseOption.cost's own rule: recomputed from
    the changed row alone, it gives each of our options' cost, and its changed columns are the
    option's."""
    model, data, sensitive, people = demo
    seen = 0
    for who in people:
        p = person_notice(
            model,
            data,
            who,
            immutable=bench.IMMUTABLE,
            sensitive=sensitive,
            actionable=bench.ACTIONABLE,
        )
        before = data.loc[who].to_dict()
        for option in p.recourse:
            after = {**before, **{ch.column: ch.after for ch in option.changes}}
            assert bench.recourse_cost(data, before, after) == pytest.approx(option.cost, abs=1e-9)
            assert set(bench.changed_columns(data, before, after)) == {
                ch.column for ch in option.changes
            }
            seen += 1
    assert seen >= PEOPLE  # every refused demo applicant has at least one option


def test_the_cost_counts_a_category_once_and_a_number_in_interquartile_ranges(bench, demo):
    _, data, _, people = demo
    before = data.loc[people[0]].to_dict()
    iqr = data["duration_months"].quantile(0.75) - data["duration_months"].quantile(0.25)
    other = next(v for v in data["savings"].unique() if v != before["savings"])
    after = {**before, "savings": other, "duration_months": before["duration_months"] - 3}
    assert bench.recourse_cost(data, before, after) == pytest.approx(1 + 3 / iqr)
    assert bench.recourse_cost(data, before, before) == 0
    assert bench.direction_breaks(data, before, after) == []
    worse = {**after, "duration_months": before["duration_months"] + 1, "age": before["age"] - 1}
    assert bench.direction_breaks(data, before, worse) == ["duration_months", "age"]


def test_ours_flips_the_model_and_is_not_dearer_than_dice_random(bench, demo):
    """Every option of ours and of DiCE's random search is verified against the model. On the
    first five refused applicants ours is never dearer than DiCE's cheapest valid option by more
    than 0.15 (measured: ours is cheaper for all five, by 0.01 to 1.23; over the first 30, DiCE
    random is cheaper for 3, by at most 0.11, and ours for 26), and ours changes nothing that
    is not needed (DiCE random's valid options have an unneeded change two times in three)."""
    pytest.importorskip("dice_ml")
    model, data, sensitive, people = demo
    ours = bench.run_ours(model, data, people, sensitive)
    theirs = bench.run_dice(model, data, people, "random", seed=0)
    for o in ours:
        assert o["n_options"] >= 1
        assert o["n_valid"] == o["n_options"]  # every option flips the model
        assert o["breaks"] == 0 and o["unneeded"] == 0
    for d in theirs:
        assert d["breaks"] == 0  # DiCE kept to the allowed columns and directions
    both = [(o, d) for o, d in zip(ours, theirs, strict=True) if d["best"] is not None]
    assert both
    for o, d in both:
        assert o["best_cost"] <= d["best_cost"] + 0.15, (o["who"], o["best"], d["best"])
    assert sum(o["best_cost"] < d["best_cost"] - 1e-9 for o, d in both) >= len(both) // 2
