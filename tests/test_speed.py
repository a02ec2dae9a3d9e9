"""Issue 26: the whole audit fast and visible.

Threads of the audit's own fits (one by default, never above the user's limit), one call of the
model per row set, progress for every stage, time and memory linear in the groups. Times are
measured by ``benchmarks/`` (bench_audit.py, bench_groups.py, bench_report.py), never asserted
here: these tests check what the speed rests on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import szai_audit as sa
from szai_audit.core import threads


def _openmp_threads() -> set[int]:
    return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"}


def _small_log(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m"], n)
    data = pd.DataFrame(
        {
            "income": rng.normal(size=n) + (sex == "m"),
            "debt": rng.normal(size=n),
            "purpose": rng.choice(["car", "home", "study"], n),
            "sex": sex,
        }
    )
    y_pred = (data["income"] + rng.normal(size=n) > 0.5).astype(int).to_numpy()
    y_true = (data["income"] + rng.normal(size=n) > 0.3).astype(int).to_numpy()
    return data, y_pred, y_true


@pytest.fixture
def fit_threads(monkeypatch):
    """The OpenMP threads each of the proxy check's boosting fits ran with."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    seen: list[set[int]] = []
    original = HistGradientBoostingClassifier.fit

    def spy(self, *args, **kwargs):
        seen.append(_openmp_threads())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", spy)
    return seen


def test_own_fits_run_on_one_thread_by_default(fit_threads):
    data, y_pred, y_true = _small_log()
    sa.Audit(data=data, y_pred=y_pred, y_true=y_true, sensitive={"gender": "sex"}).run()
    assert fit_threads, "the proxy check fitted no model"
    assert all(s == {1} for s in fit_threads), fit_threads


@pytest.mark.slow  # fits on every usable core: they crawl when the cores are busy
def test_n_threads_none_uses_the_usable_cores(fit_threads):
    data, y_pred, y_true = _small_log()
    cores = threads.usable_cores()
    # Every usable core, within what OpenMP allows here (the environment's own limit).
    expected = {min(cores, t) for t in _openmp_threads()}
    audit = sa.Audit(
        data=data, y_pred=y_pred, y_true=y_true, sensitive={"gender": "sex"}, n_threads=None
    )
    audit.run()
    assert fit_threads and all(s == expected for s in fit_threads), (fit_threads, expected)
    with threads.own_threads(None), threads.limited_threads() as cap:
        assert cap == cores


def test_a_limit_the_user_set_is_never_raised(fit_threads):
    """``OMP_NUM_THREADS=1`` (or threadpool_limits(1)) stays in force whatever n_threads says;
    before issue 26 the limiter raised it back to the core count."""
    data, y_pred, y_true = _small_log()
    with threadpool_limits(limits=1):
        for n in (None, 4):
            sa.Audit(
                data=data, y_pred=y_pred, y_true=y_true, sensitive={"gender": "sex"}, n_threads=n
            ).run()
        with threads.limited_threads(8):
            assert _openmp_threads() == {1}
    assert fit_threads and all(s == {1} for s in fit_threads)


@pytest.mark.slow  # fits on every usable core: they crawl when the cores are busy
def test_the_result_does_not_depend_on_n_threads():
    data, y_pred, y_true = _small_log(2_000)
    kw = {"data": data, "y_pred": y_pred, "y_true": y_true, "sensitive": {"gender": "sex"}}
    one = sa.Audit(**kw).run(random_state=3)
    every = sa.Audit(**kw, n_threads=None).run(random_state=3)
    assert one.content_sha256 == every.content_sha256
    assert (
        one.fairness.proxies["gender"].all_features_auc
        == every.fairness.proxies["gender"].all_features_auc
    )


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_n_threads_is_checked(bad):
    data, y_pred, _y_true = _small_log()
    with pytest.raises(sa.errors.InputTypeError, match="n_threads"):
        sa.Audit(data=data, y_pred=y_pred, sensitive={"gender": "sex"}, n_threads=bad).run()


# --------------------------------------------------------------------------------------------
# Item 2: the model called once per row set
# --------------------------------------------------------------------------------------------


def _counting(model, rows: int) -> dict[str, int]:
    """Count the calls of the model's predict and predict_proba on all ``rows`` rows."""
    calls = {"predict": 0, "predict_proba": 0}
    for name in calls:
        original = getattr(model, name)

        def counted(X, _original=original, _name=name):
            if len(X) == rows:
                calls[_name] += 1
            return _original(X)

        setattr(model, name, counted)  # an instance attribute: the class is unchanged
    return calls


def _credit(n: int = 3_000, seed: int = 1, labels=(0, 1)):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "income": rng.normal(size=n),
            "debt": rng.normal(size=n),
            "years": rng.integers(0, 30, n).astype(float),
        }
    )
    sex = rng.choice(["f", "m"], n)
    y = np.where(data["income"] - data["debt"] + rng.normal(size=n) > 0, labels[1], labels[0])
    return data, pd.Series(sex, name="sex"), y


def _lightgbm():
    # One thread for the model under audit (n_jobs=1): how often it is called does not depend
    # on its threads, and at a thread per core its fits crawl on a loaded machine.
    import lightgbm as lgb

    return lgb.LGBMClassifier(n_estimators=20, verbose=-1, random_state=0, n_jobs=1)


def _xgboost():
    import xgboost as xgb

    return xgb.XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1)


@pytest.mark.parametrize("make", [_lightgbm, _xgboost], ids=["lightgbm", "xgboost"])
def test_a_boosted_classifier_is_called_once_on_the_audited_rows(make):
    data, sex, y = _credit()
    model = make().fit(data, y)
    expected = model.predict(data)
    calls = _counting(model, len(data))
    result = sa.Audit(
        model=model, data=data, y_true=y, sensitive={"gender": sex}, explain=False
    ).run()
    assert calls == {"predict": 0, "predict_proba": 1}
    # The decisions are the model's own: predict would have given the same.
    counts = result.fairness.group_metrics["gender"].counts
    assert int(counts["predicted_positive"].sum()) == int((expected == 1).sum())


def test_decisions_from_one_call_equal_predict_for_text_labels():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    from szai_audit.core.models import adapt_model

    data, _, y = _credit(labels=("refused", "granted"))
    for est in (
        RandomForestClassifier(n_estimators=10, random_state=0),
        ExtraTreesClassifier(n_estimators=10, random_state=0),
        CalibratedClassifierCV(LogisticRegression(), cv=3),
    ):
        model = est.fit(data, y)
        out = adapt_model(model).outputs(data)
        assert out.proba is not None, type(est).__name__  # read from predict_proba alone
        np.testing.assert_array_equal(out.decisions, model.predict(data))
        assert out.decisions.dtype == model.predict(data).dtype
        np.testing.assert_array_equal(
            out.score("granted"),
            model.predict_proba(data)[:, list(model.classes_).index("granted")],
        )


def test_a_model_whose_predict_is_not_argmax_is_asked_for_both():
    """Logistic regression cuts its raw score at 0: its predict is called, not inferred."""
    from sklearn.linear_model import LogisticRegression

    data, sex, y = _credit()
    model = LogisticRegression().fit(data, y)
    calls = _counting(model, len(data))
    sa.Audit(model=model, data=data, y_true=y, sensitive={"gender": sex}, explain=False).run()
    assert calls == {"predict": 1, "predict_proba": 1}


def test_a_threshold_reads_decisions_and_scores_from_one_call():
    from sklearn.linear_model import LogisticRegression

    data, sex, y = _credit()
    model = LogisticRegression().fit(data, y)
    calls = _counting(model, len(data))
    result = sa.Audit(
        model=model, data=data, y_true=y, sensitive={"gender": sex}, threshold=0.3, explain=False
    ).run()
    assert calls == {"predict": 0, "predict_proba": 1}
    expected = (model.predict_proba(data)[:, 1] >= 0.3).sum()
    assert (
        int(result.fairness.group_metrics["gender"].counts["predicted_positive"].sum()) == expected
    )


# --------------------------------------------------------------------------------------------
# Item 3: the report's charts written as SVG directly
# --------------------------------------------------------------------------------------------


def test_rates_chart_draws_each_rate_to_scale_with_text_as_written():
    import re
    from html import unescape

    from szai_audit.fairness import group_metrics
    from szai_audit.fairness.charts import rates_chart

    rng = np.random.default_rng(0)
    groups = rng.choice(["a<b>&", "m\u202ex", "$x^2$"], 3_000)
    y_true = rng.integers(0, 2, 3_000)
    y_pred = (rng.random(3_000) < np.where(groups == "a<b>&", 0.3, 0.6)).astype(int)
    gm = group_metrics(y_true, y_pred, groups)
    svg = rates_chart(gm, "chart-9", sa.Policy(), "bilingual", True, gm.ci(0.95, 200, 0))
    assert svg is not None and svg.startswith('<svg role="img" class="chart" id="chart-9"')
    assert re.findall(r'\bid="([^"]+)"', svg) == ["chart-9"]
    texts = [unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]
    assert {"a<b>&", "m\\u202ex", "$x^2$"} <= set(texts)  # as written, controls visible
    assert "\u202e" not in svg and "<b>" not in svg
    assert "有利决定率" in texts and "Favourable-decision rate" in texts
    # The bars of the first panel (in the order of by_group), in proportion to the rates.
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)][:3]
    rates = gm.by_group["selection_rate"].to_numpy()
    np.testing.assert_allclose(np.array(widths) / widths[0], rates / rates[0], rtol=1e-3)


# --------------------------------------------------------------------------------------------
# Item 4: groups
# --------------------------------------------------------------------------------------------


def test_many_groups_leave_out_the_all_inputs_model_and_say_so():
    from szai_audit.fairness.proxies import ALL_FEATURES_MAX_GROUPS

    n, k = 3_000, ALL_FEATURES_MAX_GROUPS + 5
    rng = np.random.default_rng(0)
    region = np.char.add("r", rng.integers(0, k, n).astype(str))
    data = pd.DataFrame(
        {"postcode": np.char.add("p", region), "income": rng.normal(size=n)}  # a stand-in
    )
    y_pred = rng.integers(0, 2, n)
    result = sa.Audit(data=data, y_pred=y_pred, sensitive={"region": region}).run()
    report = result.fairness.proxies["region"]
    assert report.all_features_capped and np.isnan(report.all_features_auc)
    assert report.features.index[0] == "postcode" and report.features["auc"].iloc[0] > 0.99
    finding = next(f for f in result.findings if f.check == "fairness.proxy")
    assert finding.details["all_features_not_computed"] == {
        "groups": k,
        "max_groups": ALL_FEATURES_MAX_GROUPS,
    }
    assert f"has {k} groups, more than {ALL_FEATURES_MAX_GROUPS}" in finding.message.en
    assert "未拟合" in finding.message.zh and finding.status.value == "WARN"
    # At the cap the model is fitted, and nothing is said.
    few = np.char.add("r", rng.integers(0, ALL_FEATURES_MAX_GROUPS, n).astype(str))
    kept = sa.Audit(data=data, y_pred=y_pred, sensitive={"region": few}).run()
    assert np.isfinite(kept.fairness.proxies["region"].all_features_auc)
    assert not kept.fairness.proxies["region"].all_features_capped


def test_group_tables_read_by_position_equal_by_label():
    """The report's and the JSON's group tables (read by position for speed) give every
    group's own figures, for an intersection too."""
    rng = np.random.default_rng(3)
    n = 4_000
    a, b = rng.choice(["x", "y", "z"], n), rng.choice(["p", "q"], n)
    y_pred, y_true = rng.integers(0, 2, n), rng.integers(0, 2, n)
    result = sa.Audit(
        y_pred=y_pred, y_true=y_true, sensitive={"one": a, "two": b}, policy=sa.Policy()
    ).run()
    doc = result.to_dict()
    for key, gm in result.fairness.tables().items():
        table = doc["intersections"].get(key)
        table = table or doc["group_metrics"][key]
        for entry in table["groups"]:
            label = tuple(entry["group"]) if len(entry["group"]) > 1 else entry["group"][0]
            row = gm.by_group.loc[label]
            assert entry["count"] == int(row["count"])
            assert entry["selection_rate"] == pytest.approx(float(row["selection_rate"]))
            low, high = entry["ci"]["selection_rate"]
            ci = result.fairness.cis[key].loc[label]
            assert (low, high) == pytest.approx((ci[("selection_rate", "low")],
                                                 ci[("selection_rate", "high")]))  # fmt: skip


# --------------------------------------------------------------------------------------------
# The faster code equals what it replaced
# --------------------------------------------------------------------------------------------


def test_score_table_equals_pandas_groupby():
    """The score table counted from integer keys is pandas' three-key groupby, row for row
    (sorted, a missing group last)."""
    from szai_audit.fairness.scores import score_table

    rng = np.random.default_rng(5)
    n = 5_000
    groups = rng.choice(["b", "a", "c"], n).astype(object)
    groups[:7] = None
    y = rng.integers(0, 2, n)
    score = np.round(rng.random(n), 3)
    frame = pd.DataFrame({"group": groups, "y": y.astype(bool), "score": score})
    expected = frame.groupby(["group", "y", "score"], sort=True, dropna=False).size()
    expected = expected.rename("count").reset_index()
    pd.testing.assert_frame_equal(score_table(groups, y, score), expected)


def test_bootstrap_quantiles_equal_numpy_nanquantile():
    import warnings

    from szai_audit.fairness.metrics import _quantiles

    rng = np.random.default_rng(6)
    draws = rng.random((400, 30))
    draws[rng.random((400, 30)) < np.linspace(0, 0.5, 30)] = np.nan  # NaN in most columns
    draws[:, 3] = np.nan  # one column undefined in every resample
    q = [0.025, 0.975]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(draws, q, axis=0)
    low, high = _quantiles(draws, q)
    np.testing.assert_array_equal(np.vstack([low, high]), expected)


def test_recourse_batches_change_no_result(monkeypatch):
    """Each refused person's search is their own: searched in batches (for progress) or all at
    once, the recourse costs are the same."""
    from sklearn.ensemble import RandomForestClassifier

    from szai_audit.core.models import adapt_model
    from szai_audit.fairness import recourse

    data, _, y = _credit(1_200)
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(data, y)
    favourable = model.predict(data) == 1
    allowed = {"income": "increase", "debt": "decrease"}

    def costs(batch: int) -> np.ndarray:
        monkeypatch.setattr(recourse, "RECOURSE_BATCH", batch)
        sample = recourse.sample_recourse(
            adapt_model(model), data, favourable, allowed, 1, max_rows=300
        )
        return sample.costs

    whole, batched = costs(10_000), costs(70)
    assert np.isfinite(whole).sum() > 50
    np.testing.assert_array_equal(whole, batched)
