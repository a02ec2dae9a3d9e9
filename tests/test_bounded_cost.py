"""Issue 29, item 7: no hang and no resource blow-up. Every step's cost is linear in the rows
and the groups, or capped, with a finding that says what was not computed; Policy refuses
settings whose cost is absurd, saying the cost. No timing here: each test checks the
structure that bounds the cost (how deep a message nests, how many classes a model is fitted
on, how many resamples are held at once); ``benchmarks/bench_groups.py`` measures the time."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import szai_audit as sa
from szai_audit import _config
from szai_audit.core.catalog import categories, relabel, say
from szai_audit.core.errors import InputError, PolicyError, SensitiveAttributeError
from szai_audit.core.findings import Finding
from szai_audit.core.judging import finalize
from szai_audit.core.messages import Joined, Message, listing
from szai_audit.core.policy import Policy
from szai_audit.core.stats import two_proportion_test
from szai_audit.fairness import metrics, proxies
from szai_audit.fairness.findings import rates
from szai_audit.fairness.findings.inputs import proxy_finding
from szai_audit.fairness.metrics import group_metrics


def _depth(message: Message) -> int:
    """How deep Joined messages nest (iteratively: a deep one would overflow recursion)."""
    deepest, todo = 0, [(message, 0)]
    while todo:
        m, d = todo.pop()
        deepest = max(deepest, d)
        if isinstance(m, Joined):
            todo += [(p, d + 1) for p in m.parts]
    return deepest


def test_a_listing_of_thousands_of_groups_is_flat():
    """A list of 5,000 groups (the insufficient-data sentence names every small group) was a
    chain of 5,000 nested two-part messages: copying the text at each step (quadratic) and
    overflowing Python's recursion when the report looked for group values in it (1,000
    groups: RecursionError in ``run()``)."""
    parts = [say("core.values.quoted", value=f"g{i}") for i in range(5_000)]
    listed = listing(parts)
    assert _depth(listed) == 1
    assert listed.en == ", ".join(f"“g{i}”" for i in range(4_999)) + " and “g4999”"
    assert len(list(categories(listed))) == 5_000
    relabelled = relabel(listed, lambda c: Message(c.raw.upper(), c.raw.upper()))
    assert _depth(relabelled) == 1
    assert relabelled.en.startswith("“G0”, “G1”")


def _many_groups(groups: int, per_group: int, seed: int = 0):
    """Decisions and outcomes at random for ``groups`` groups of ``per_group`` people."""
    rng = np.random.default_rng(seed)
    n = groups * per_group
    labels = np.repeat([f"g{i:05d}" for i in range(groups)], per_group)
    return rng.integers(0, 2, n), rng.integers(0, 2, n), labels


def test_score_intervals_are_inverted_once_per_check_not_once_per_group(monkeypatch):
    """Each compared pair's interval at its family's level was a bisection of its own (70
    steps of the score statistic, 10 ms): six grounds of 25 groups (13,000 pairs with their
    intersections) spent 140 s there. The comparisons of a check share one vectorised
    inversion per level asked."""
    y_true, y_pred, labels = _many_groups(60, 80)
    gm = group_metrics(y_true, y_pred, labels)
    calls = []
    original = rates.score_interval

    def counted(*args, **kwargs):
        calls.append(np.size(args[0]))
        return original(*args, **kwargs)

    monkeypatch.setattr(rates, "score_interval", counted)
    table = rates.assess_table("g", gm, Policy(), True)
    findings, _ = finalize([table], Policy())
    measured = [i for i in table.items if not isinstance(i, Finding)]
    assert len(measured) == 4 and all(len(m.comparisons) >= 50 for m in measured)
    assert len(calls) <= 2 * len(measured)
    assert [len(f.details["comparisons"]) for f in findings] == [
        len(m.comparisons) for m in measured
    ]


def test_fisher_tests_of_many_small_tables_are_one_vectorised_computation(monkeypatch):
    """Fisher's exact test ran one scipy call per table (1 ms each): 10,000 groups spent 28
    s in the per-group tests. The tables are computed together, with the same p-values."""
    import scipy.stats

    rng = np.random.default_rng(3)
    n1 = rng.integers(1, 40, 400)
    k1 = rng.binomial(n1, 0.1)
    n2 = rng.integers(1, 60, 400)
    k2 = rng.binomial(n2, 0.2)
    expected = [
        scipy.stats.fisher_exact([[a, b - a], [c, d - c]])[1]
        for a, b, c, d in zip(k1, n1, k2, n2, strict=True)
    ]
    calls = []
    pmf = scipy.stats.hypergeom.pmf
    monkeypatch.setattr(
        scipy.stats.hypergeom, "pmf", lambda *a, **kw: calls.append(1) or pmf(*a, **kw)
    )
    result = two_proportion_test(k1, n1, k2, n2)
    fisher = result.method == "fisher"
    assert fisher.sum() > 300
    assert len(calls) <= 2
    np.testing.assert_allclose(result.p_value[fisher], np.asarray(expected)[fisher], rtol=1e-9)


def test_groups_too_small_to_compare_are_not_tested(monkeypatch):
    """Each group's test against the rest was computed for every group and then thrown away
    for those below ``min_group_size``; only the groups compared are tested."""
    y_true, y_pred, labels = _many_groups(500, 4)
    big_true, big_pred, big = _many_groups(3, 200, seed=1)
    gm = group_metrics(
        np.concatenate([y_true, big_true]),
        np.concatenate([y_pred, big_pred]),
        np.concatenate([labels, np.char.add("big", big)]),
    )
    tested = []
    original = rates.two_proportion_test

    def counted(k1, *args):
        tested.append(np.size(k1))
        return original(k1, *args)

    monkeypatch.setattr(rates, "two_proportion_test", counted)
    monkeypatch.setattr("szai_audit.fairness.metrics.two_proportion_test", counted)
    table = rates.assess_table("g", gm, Policy(), True)
    assert sum(tested) <= 3 * 4 * 2
    tests = table.tests
    assert np.isfinite(tests.to_numpy(dtype=float)).sum() == 3 * 3


def test_bootstrap_intervals_hold_counts_not_every_rate(monkeypatch):
    """The group intervals held every rate of every resample (seven 8-byte rates per group
    and resample, kept in the result: 1.2 GB for 10,000 groups). They hold the resampled
    counts in 32 bits and take the rates a few groups at a time, with the same intervals."""
    y_true, y_pred, labels = _many_groups(300, 12)
    gm = group_metrics(y_true, y_pred, labels, y_score=np.linspace(0, 1, len(labels)))
    reference = gm.bootstrap(n_boot=400, random_state=7)
    seen = []
    original = metrics.rates_from_counts

    def spied(counts, score_sum):
        seen.append(counts["n"].shape)
        return original(counts, score_sum)

    monkeypatch.setattr(metrics, "rates_from_counts", spied)
    monkeypatch.setattr(metrics, "BOOT_CHUNK", 400 * 8 * 7 * 25)  # 25 groups at a time
    fresh = group_metrics(y_true, y_pred, labels, y_score=np.linspace(0, 1, len(labels)))
    ci = fresh.ci(level=0.9, n_boot=400, random_state=7)
    assert max(shape[1] for shape in seen) <= 25
    assert not fresh._cache  # nothing of the resamples is kept
    assert fresh._draw_cells(400, np.random.default_rng(7)).dtype == np.int32
    for m in ("selection_rate", "true_positive_rate", "mean_score"):
        d = reference[m]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanquantile(d, [0.05, 0.95], axis=0)
        np.testing.assert_allclose(ci[(m, "low")].to_numpy(), expected[0], rtol=1e-12)
        np.testing.assert_allclose(ci[(m, "high")].to_numpy(), expected[1], rtol=1e-12)


@pytest.mark.parametrize(
    ("setting", "value", "cost"),
    [
        ("n_bootstrap", 10**8, r"2\.4 GB of resampled counts for each group .*60 GB for 25"),
        ("max_intersection_groups", 10**6, r"1,000,000 groups.*24 GB"),
        ("proxy_max_rows", 10**7, r"10,000,000 rows, 500 times the default"),
        ("flip_max_rows", 10**7, r"every other group"),
        ("explain_sample_size", 10**6, r"100,000,000 per input"),
        ("explain_background_size", 10**5, r"200,000,000 per input"),
        ("counterfactual_orders", 10**7, r"100,000,000 model prices"),
        ("counterfactual_donors", 10**4, r"20,000,000 model prices"),
        ("recourse_max_rows", 10**6, r"1,000,000 rows"),
    ],
)
def test_policy_refuses_sizes_whose_cost_is_absurd_and_says_the_cost(setting, value, cost):
    """``n_bootstrap=10**8`` ended in a MemoryError deep in numpy, and
    ``max_intersection_groups=10**6`` let an audit run for more than 500 s: each size whose
    cost grows with it has an upper bound, and the refusal says what the value would cost."""
    with pytest.raises(PolicyError, match=rf"Policy\.{setting}={value}\b.*{cost}.*at most"):
        Policy(**{setting: value})
    maximum = Policy.allowed()[setting].rsplit(" ", 1)[1].replace(",", "")
    Policy(**{setting: int(maximum)})  # the bound itself is accepted


def test_group_intervals_refuse_absurd_resamples_before_drawing(monkeypatch):
    """Called directly (not through a Policy), the intervals refuse as many resamples with
    the same cost, before anything is drawn."""
    gm = group_metrics([1, 0] * 50, [1, 1, 0, 0] * 25, ["a"] * 50 + ["b"] * 50)
    monkeypatch.setattr(type(gm), "_draw_cells", lambda *a: pytest.fail("drew resamples"))
    with pytest.raises(InputError, match=r"n_boot=100000000 would hold 2\.4 GB"):
        gm.ci(n_boot=10**8)
    with pytest.raises(InputError, match=r"at most 100,000"):
        gm.bootstrap(n_boot=10**8)


def test_repeated_identifiers_are_found_by_counting_once(tmp_path, monkeypatch):
    """``szai-audit explain --rows`` looked for repeated people with ``list.count`` for each
    one (quadratic: 40,000 identifiers took 36 s). The check is one count of the values
    (``core.data.repeated``), which the rows file goes through."""
    from szai_audit.core.data import repeated

    assert repeated(["b", "a", "b", "c", "a", "b"]) == ["a", "b"]
    assert repeated([]) == [] and repeated(["x"]) == []
    ids = [f"p{i}" for i in range(40_000)] + ["p7", "p123"]
    rows = tmp_path / "rows.csv"
    rows.write_text("id\n" + "\n".join(ids) + "\n", encoding="utf-8")
    seen = []
    monkeypatch.setattr(
        _config, "repeated", lambda values: seen.append(len(values)) or repeated(values)
    )
    with pytest.raises(InputError, match=r"\['p123', 'p7'\] more than once"):
        _config._wanted(rows, None)
    assert seen == [40_002]


def test_a_group_value_too_long_to_print_is_refused():
    """A group's value of 1 MB made a report of 100 MB (the value is printed about a hundred
    times: tables, charts, sentences) and took minutes to render; values of a sensitive
    attribute are limited to 200 characters, refused with the ground and the length."""
    rng = np.random.default_rng(0)
    n = 200
    data = pd.DataFrame({"x": rng.normal(size=n)})
    y_pred, y_true = rng.integers(0, 2, n), rng.integers(0, 2, n)
    long = "L" * 10_000
    region = pd.DataFrame({"region": np.where(np.arange(n) % 2 == 0, long, "short")})
    audit = sa.Audit(
        data=data, y_pred=y_pred, y_true=y_true, sensitive={"region": "region"},
        sensitive_data=region, verbose=False,
    )  # fmt: skip
    with pytest.raises(
        SensitiveAttributeError, match=r"sensitive\['region'\].*10,000 characters.*at most 200"
    ):
        audit.run(random_state=0)
    region["region"] = np.where(np.arange(n) % 2 == 0, "L" * 200, "short")
    sa.Audit(
        data=data, y_pred=y_pred, y_true=y_true, sensitive={"region": "region"},
        sensitive_data=region, verbose=False,
    ).run(random_state=0)  # fmt: skip


def test_proxy_analysis_of_many_groups_takes_the_smallest_together(monkeypatch):
    """The per-input lookup tables held a count per fold, input category and group, and an
    AUC per group (5,000 groups and an input of 20,000 categories: 2.4 GB; 56 ethnic groups:
    100 s). Beyond ``MAX_GROUPS`` groups the largest are told apart one by one and the
    others taken together, and the finding names them."""
    rng = np.random.default_rng(0)
    sizes = np.arange(62, 2, -1)  # 60 groups, the first the largest
    group = rng.permutation(np.repeat([f"g{i:02d}" for i in range(60)], sizes))
    n = len(group)
    data = pd.DataFrame({"x": rng.normal(size=n), "code": rng.integers(0, 500, n).astype(str)})
    classes = []
    original = proxies._lookup_scores

    def spied(codes, y, n_classes, fold_of, n_folds):
        classes.append(n_classes)
        return original(codes, y, n_classes, fold_of, n_folds)

    monkeypatch.setattr(proxies, "_lookup_scores", spied)
    report = proxies.find_proxies(data, group)
    assert set(classes) == {proxies.MAX_GROUPS} and report.n_classes == proxies.MAX_GROUPS
    assert report.n_groups == 60 and len(report.lumped) == 60 - (proxies.MAX_GROUPS - 1)
    counts = pd.Series(group).value_counts()
    assert set(report.lumped) == set(counts.index[proxies.MAX_GROUPS - 1 :])
    finding = proxy_finding(report, "ethnicity", Policy())
    judged, _ = finalize([], Policy(), [finding])
    details = judged[0].details["lumped"]
    # Counted, never named: a lumped group may be smaller than k (issue 29 item 6).
    assert details["groups"] == len(report.lumped) and details["rows"] == report.lumped_rows
    assert f"the other {len(report.lumped)}" in judged[0].message.en
    assert "60 groups" in judged[0].message.en


def test_samples_within_groups_take_one_sort_not_a_pass_per_group():
    """The proxy, explanation and data-in-parts samples found each group's rows with a pass
    over every row per group (10,000 groups of a million rows: 10^10 comparisons); one sort
    gives the same rows."""
    from szai_audit.core.data import positions_within

    rng = np.random.default_rng(1)
    codes = rng.integers(-1, 300, 20_000)
    sizes = np.bincount(codes[codes >= 0], minlength=300)
    plan = {c: np.sort(rng.choice(m, m // 2, replace=False)) for c, m in enumerate(sizes)}
    naive = np.sort(np.concatenate([np.flatnonzero(codes == c)[o] for c, o in plan.items()]))
    np.testing.assert_array_equal(positions_within(codes, plan), naive)
    np.testing.assert_array_equal(positions_within(codes, list(plan.values())), naive)


def test_design_based_comparisons_find_groups_by_codes(monkeypatch):
    """With ``weights=`` or ``cluster=``, each comparison and each weighted rate compared the
    text label of every row with the group's (1,000 groups of 100 rows: 16 s); the labels are
    factorised once and each group is found by its code, with the same rates."""
    from szai_audit.core.design import Design

    y_true, y_pred, labels = _many_groups(40, 60)
    gm = group_metrics(y_true, y_pred, labels)
    weights = np.linspace(0.5, 1.5, len(labels))
    rows = rates.DesignRows(
        np.asarray(labels, dtype=object), y_pred == 1, y_true == 1, Design.of(weights=weights)
    )
    factorised = []
    original = rates.pd.factorize
    monkeypatch.setattr(
        rates.pd, "factorize", lambda *a, **k: factorised.append(1) or original(*a, **k)
    )
    table = rates.assess_table("g", gm, Policy(), True, rows=rows)
    assert len(factorised) == 1
    np.testing.assert_array_equal(rows.member("g00003"), labels == "g00003")
    assert not rows.member("not a group").any()
    measured = [i for i in table.items if not isinstance(i, Finding)]
    first = measured[0].details["rates"]["g00003"]
    in_g = labels == "g00003"
    assert first == pytest.approx(np.average(y_pred[in_g], weights=weights[in_g]), rel=1e-12)


def test_flip_test_of_many_groups_calls_the_model_once_per_value_tried():
    """The flip test called the model once per pair of groups (1,000 groups of a model input:
    a million calls). Beyond ``MAX_TARGETS`` groups it writes the values of the largest into
    every other group's rows, one call per value, and the finding names those not tried."""
    from szai_audit.core.models import adapt_model
    from szai_audit.fairness.counterfactual import MAX_TARGETS, flip_test
    from szai_audit.fairness.findings.inputs import flip_finding

    calls = []

    def model(frame):
        calls.append(len(frame))
        return (frame["region"].str[1:].astype(int) % 2 == 0).astype(int).to_numpy()

    rng = np.random.default_rng(0)
    region = np.char.add("g", rng.integers(0, 40, 3_000).astype(str))
    data = pd.DataFrame({"region": region, "x": rng.normal(size=len(region))})
    values = {g: g for g in sorted(set(region))}
    result = flip_test(adapt_model(model), data, "region", region, values, pos_label=1,
                       favorable_is_positive=True)  # fmt: skip
    assert len(calls) == 1 + MAX_TARGETS  # the decisions, then one call per value tried
    sizes = pd.Series(region).value_counts()
    assert set(result.not_tried) == set(sizes.index[MAX_TARGETS:])
    assert len(result.pairs) == 40 * MAX_TARGETS - MAX_TARGETS
    assert set(result.by_group.index) == set(values)
    finding = flip_finding(result, "region", Policy())
    assert finding.details["values_not_tried"] == list(result.not_tried)
    assert f"the other {40 - MAX_TARGETS} groups were not tried" in finding.message.en
