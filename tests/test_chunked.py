"""A Dask DataFrame, read partition by partition, gives the in-memory result (local scheduler).

Counts are merged exactly, so group metrics, bootstrap intervals (fixed seed), tests and
findings are equal; sums of scores agree to floating-point rounding (1e-12). The sampled checks
(proxies, flip test, explanation) read the same rows as in memory, so they are equal too.

Equality holds at any number of bootstrap resamples (the same seed draws the same resamples from
the same counts), so these audits run at ``fast_policy()`` (tests/conftest.py); the sample sizes
are left as each test sets them, so both the sampled and the whole-data paths stay covered.
Each pair of audits (in memory, in parts) is run once per module and shared by the tests that
read it, on one OpenMP thread (the models' threads change no result). The tests that audit a
model or thousands of rows twice (2-10 s each) are marked slow: ``make test`` runs them, the
inner loop (``make test-fast``) keeps the decisions-only comparisons and the refusals.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import szai_audit as sa
from szai_audit import errors

pytestmark = pytest.mark.usefixtures("one_thread")

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())
#: Fields that differ by design: the run time, how the data were read, and the hash of both.
VOLATILE = {
    ("manifest", "generated_at"),
    ("manifest", "processing"),
    ("manifest", "stage_seconds"),
    ("content_sha256",),
}


@pytest.fixture(autouse=True, scope="module")
def _plain_strings():
    # Dask turns text columns into pyarrow strings by default, which changes the data's
    # fingerprint (not the statistics); keep pandas' dtypes so the fingerprints match too.
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        yield


def _differences(a, b, path=()):
    """Paths where two to_dict() trees differ (numbers beyond 1e-12 relative)."""
    if path in VOLATILE:
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        out = [(*path, k) for k in set(a) ^ set(b) if (*path, k) not in VOLATILE]
        for k in set(a) & set(b):
            out += _differences(a[k], b[k], (*path, k))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [path]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=False))
            for d in _differences(x, y, (*path, i))
        ]
    if isinstance(a, float) and isinstance(b, float):
        same = a == b or (math.isnan(a) and math.isnan(b))
        return [] if same or abs(a - b) <= 1e-12 * max(1.0, abs(a)) else [path]
    return [] if a == b else [path]


def assert_same_filings(mem, chunked):
    """The four filings drafted from the audit in parts equal those drafted in memory, but for
    the audit they name (its time and hash differ by design)."""
    # Each audit's hash and time, read once (to_dict() serialises the whole audit again).
    stamps = [
        (r, r.to_dict()["content_sha256"], r.manifest["generated_at"]) for r in (mem, chunked)
    ]
    for kind in sa.filings.KINDS:
        a, b = (
            json.loads(
                r.filing(kind, date="2026-12-04")
                .to_json()
                .replace(content_hash, "HASH")
                .replace(generated_at, "TIME")
            )
            for r, content_hash, generated_at in stamps
        )
        assert a["source"]["audit_content_sha256"] == "HASH" == b["source"]["audit_content_sha256"]
        assert _differences(a, b) == [], kind
        assert a["parts"] and a["needs_review"]


def assert_same_audit(mem, chunked):
    assert _differences(mem.to_dict(), chunked.to_dict()) == []
    # Counts are exact: the bootstrap draws, and so the intervals of rates, are identical; the
    # mean score's interval rests on sums of scores (equal to rounding).
    for key, ci in mem.fairness.cis.items():
        rates = [c for c in ci.columns if c[0] != "mean_score"]
        pd.testing.assert_frame_equal(ci[rates], chunked.fairness.cis[key][rates], check_exact=True)
        scores = [c for c in ci.columns if c[0] == "mean_score"]
        pd.testing.assert_frame_equal(ci[scores], chunked.fairness.cis[key][scores], rtol=1e-12)
    for key, gm in mem.fairness.group_metrics.items():
        counts = [c for c in gm.counts.columns if not c.startswith("score")]
        pd.testing.assert_frame_equal(
            gm.counts[counts], chunked.fairness.group_metrics[key].counts[counts]
        )


def credit_model(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, object]:
    """German credit's inputs, outcome, and a tree pipeline (text one-hot encoded) fitted on
    them."""
    y = df["good_credit"]
    X = df.drop(columns="good_credit")
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), text), remainder="passthrough"
        ),
        HistGradientBoostingClassifier(max_iter=30, random_state=0),
    ).fit(X, y)
    return X, y, model


@pytest.fixture(scope="module")
def credit():
    return credit_model(sa.datasets.load_german_credit())


GROUNDS = {"gender": "sex", "nationality": "foreign_worker", "age": "age"}


@pytest.fixture(scope="module")
def credit_pair(credit, fast_policy):
    """The credit model's audit in memory and in 4 partitions (run once)."""
    X, y, model = credit
    kw = {"sensitive": GROUNDS, "recourse": False, "policy": fast_policy()}
    mem = sa.Audit(model, X, y, **kw).run(random_state=0)
    ddf = dd.from_pandas(X.assign(good_credit=y), npartitions=4)
    chunked = sa.Audit(model, ddf, "good_credit", **kw).run(random_state=0)
    return mem, chunked


@pytest.mark.slow
def test_model_audit_equals_in_memory(credit_pair):
    mem, chunked = credit_pair
    assert_same_audit(mem, chunked)
    assert_same_filings(mem, chunked)
    assert chunked.manifest["data"] == mem.manifest["data"]
    assert chunked.manifest["processing"]["partitions"] == 4
    assert chunked.explanation is not None and chunked.fairness.flips and chunked.fairness.proxies
    assert chunked.sensitive[2].binning is not None  # age: quantile bins from value counts


@pytest.mark.slow
def test_sampled_checks_and_missing_values_equal_in_memory(credit, fast_policy):
    """Samples smaller than the data (proxies, flips, explanation, background) are drawn from
    the group sizes with the in-memory draws; a missing sensitive value forms its group."""
    X, y, model = credit
    X = X.copy()
    X.loc[X.index[::37], "foreign_worker"] = None
    policy = fast_policy(
        proxy_max_rows=300, flip_max_rows=200, explain_sample_size=100, explain_background_size=20
    )
    kw = {"sensitive": GROUNDS, "policy": policy, "recourse": False}
    mem = sa.Audit(model, X, y, **kw).run(random_state=3)
    ddf = dd.from_pandas(X.assign(good_credit=y), npartitions=7)
    chunked = sa.Audit(model, ddf, "good_credit", **kw).run(random_state=3)
    assert_same_audit(mem, chunked)
    assert "(missing)" in chunked.fairness.group_metrics["nationality"].counts.index
    assert chunked.fairness.proxies["gender"].n_rows <= 301
    assert len(chunked.explanation.positions) <= 100 + 20  # one row at least per stratum
    np.testing.assert_array_equal(chunked.explanation.positions, mem.explanation.positions)


@pytest.mark.slow
def test_groups_too_small_to_name_equal_in_memory(credit, fast_policy):
    """A group of fewer than k people gets the same stand-in from value counts as in memory
    (its value reaches no output), and the flip test writes the same true value."""
    X, y, model = credit
    X = X.copy()
    X.loc[X.index[[5, 50]], "foreign_worker"] = "rare-value"
    kw = {"sensitive": GROUNDS, "recourse": False, "policy": fast_policy()}
    mem = sa.Audit(model, X, y, **kw).run(random_state=0)
    ddf = dd.from_pandas(X.assign(good_credit=y), npartitions=4)
    chunked = sa.Audit(model, ddf, "good_credit", **kw).run(random_state=0)
    assert_same_audit(mem, chunked)
    assert "(small group 1)" in chunked.fairness.group_metrics["nationality"].counts.index
    assert "rare-value" not in chunked.to_json()
    pd.testing.assert_frame_equal(
        mem.fairness.flips["nationality"].pairs, chunked.fairness.flips["nationality"].pairs
    )


@pytest.mark.slow
def test_predictions_only_with_scores_and_series(credit, fast_policy):
    X, y, model = credit
    score = model.predict_proba(X)[:, 1]
    kw = {
        "sensitive": {"gender": "sex", "age": "age"},
        "bins": {"age": [30, 50]},
        "policy": fast_policy(),
    }
    mem = sa.Audit(data=X, y_true=y, y_score=score, **kw).run(random_state=1)
    ddf = dd.from_pandas(X.assign(outcome=y.to_numpy(), score=score), npartitions=3)
    chunked = sa.Audit(
        data=ddf.drop(columns=["outcome", "score"]),
        y_true=ddf["outcome"],
        y_score=ddf["score"],
        **kw,
    ).run(random_state=1)
    assert_same_audit(mem, chunked)
    auc = chunked.fairness.score_metrics["gender"].by_group["auc"]
    assert auc.equals(mem.fairness.score_metrics["gender"].by_group["auc"])


def test_text_labels_separate_sensitive_frame_and_categories(fast_policy):
    rng = np.random.default_rng(5)
    n = 3000
    region = pd.Categorical(rng.choice(["south", "north", "east"], n), ["south", "north", "east"])
    sex = rng.choice(["f", "m"], n)
    decision = np.where(rng.random(n) < np.where(sex == "f", 0.4, 0.6), "approved", "denied")
    inputs = pd.DataFrame({"income": rng.normal(size=n)})
    private = pd.DataFrame({"sex": sex, "region": region})
    kw = {
        "sensitive": {"gender": "sex", "region": "region"},
        "favorable_label": "approved",
        "policy": fast_policy(),
    }
    mem = sa.Audit(data=inputs, y_pred=decision, sensitive_data=private, **kw).run()
    frame = dd.from_pandas(pd.concat([inputs, private], axis=1).assign(d=decision), 5)
    chunked = sa.Audit(
        data=frame[["income", "d"]], y_pred="d", sensitive_data=frame[["sex", "region"]], **kw
    ).run()
    assert_same_audit(mem, chunked)
    # The categories keep their declared order, as in memory.
    assert list(chunked.fairness.group_metrics["region"].counts.index) == ["south", "north", "east"]
    assert chunked.scope.positive_label == "approved"


@pytest.fixture(scope="module")
def limits():
    """A numeric model of the credit amount (a credit limit, say) on numeric inputs."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    df = sa.datasets.load_german_credit()
    X = df[["duration_months", "age", "installment_rate"]].assign(
        sex=(df["sex"] == "male").astype(int),
        foreign_worker=(df["foreign_worker"] == "yes").astype(int),
    )
    y = df["credit_amount"].astype(float)
    return X, y, HistGradientBoostingRegressor(max_iter=30, random_state=0).fit(X, y)


@pytest.mark.slow
def test_numeric_outputs_equal_in_memory(limits, fast_policy):
    """task="regression": per-cell means and sums of squared deviations combine exactly
    (Chan et al.); the explanation's sample splits at the exact median prediction."""
    X, y, model = limits
    policy = fast_policy(flip_max_rows=200, explain_sample_size=100, explain_background_size=20)
    kw = {
        "task": "regression",
        "sensitive": {"gender": "sex", "age": "age", "nationality": "foreign_worker"},
        "policy": policy,
    }
    mem = sa.Audit(model, X, y, **kw).run(random_state=5)
    ddf = dd.from_pandas(X.assign(limit=y), npartitions=6)
    chunked = sa.Audit(model, ddf, "limit", **kw).run(random_state=5)
    assert _differences(mem.to_dict(), chunked.to_dict()) == []  # scoring rates included
    assert_same_filings(mem, chunked)  # the bias audit's scoring-rate tables included
    assert (
        set(chunked.fairness.scoring_rates)
        == set(mem.fairness.scoring_rates)
        == set(mem.fairness.regression_metrics)
    )
    for key, rates in mem.fairness.scoring_rates.items():
        assert chunked.fairness.scoring_rates[key].median == rates.median
        np.testing.assert_array_equal(chunked.fairness.scoring_rates[key].rates, rates.rates)
    for key, rm in mem.fairness.regression_metrics.items():
        other = chunked.fairness.regression_metrics[key].stats
        assert (rm.stats["n"] == other["n"]).all()
        pd.testing.assert_frame_equal(rm.stats, other, rtol=1e-12)
    assert chunked.explanation is not None and chunked.fairness.flips
    assert chunked.manifest["processing"]["not_computed"] == []
    # Decisions only (no model, no outcomes), given as a column.
    kw["policy"] = fast_policy()
    mem = sa.Audit(data=X, y_pred=model.predict(X), **kw).run()
    parts = dd.from_pandas(X.assign(p=model.predict(X)), npartitions=4)
    assert _differences(mem.to_dict(), sa.Audit(data=parts, y_pred="p", **kw).run().to_dict()) == []


@pytest.fixture(scope="module")
def partitioned(credit, fast_policy):
    """``partitioned(scheduler)``: the credit audit read in 1 and in 9 partitions with that local
    scheduler (recourse left on), each pair run once."""
    X, y, model = credit
    runs: dict[str, list] = {}

    def run(scheduler: str) -> list:
        if scheduler not in runs:
            with dask.config.set(scheduler=scheduler):
                runs[scheduler] = [
                    sa.Audit(
                        model,
                        dd.from_pandas(X.assign(t=y), npartitions=k),
                        "t",
                        sensitive=GROUNDS,
                        policy=fast_policy(),
                    ).run(random_state=2)
                    for k in (1, 9)
                ]
        return runs[scheduler]

    return run


@pytest.mark.slow
@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_result_does_not_depend_on_the_partitioning(partitioned, scheduler):
    """Nor on the local scheduler that computes each partition."""
    results = [r.to_dict() for r in partitioned(scheduler)]
    assert _differences(*results) == []


@pytest.mark.slow
def test_memory_held_does_not_grow_with_rows():
    """What the first pass keeps (cells) depends on the groups, not on the number of rows."""
    cells = []
    for n in (20_000, 200_000):
        rng = np.random.default_rng(0)
        frame = pd.DataFrame(
            {
                "sex": rng.choice(["f", "m"], n),
                "age": rng.integers(18, 80, n),
                "decision": rng.integers(0, 2, n),
            }
        )
        ddf = dd.from_pandas(frame, chunksize=10_000)
        result = sa.Audit(
            data=ddf, y_pred="decision", sensitive={"gender": "sex", "age": "age"}
        ).run()
        processing = result.manifest["processing"]
        assert processing["partitions"] == n // 10_000
        assert processing["rows_read_again"] <= sa.Policy().proxy_max_rows * 2 + 2
        cells.append(processing["cells"])
    assert cells[0] == cells[1] <= 2 * 2 * 62  # sex x age x decision


def test_result_validates_and_renders(credit, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    X, y, model = credit
    ddf = dd.from_pandas(X.assign(t=y), npartitions=2)
    result = sa.Audit(model, ddf, "t", sensitive={"gender": "sex"}, explain=False).run()
    jsonschema.validate(result.to_dict(), SCHEMA)
    result.to_html(tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Read in parts" in text and "Not computed: what a fix would cost." in text
    assert "未计算：整改代价示意" in text


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"legitimate_factors": ["duration"]}, errors.UnsupportedError, "legitimate_factors"),
        ({"privacy": True}, errors.UnsupportedError, "privacy"),
        ({"sensitive": {"gender": np.zeros(1000)}}, errors.InputTypeError, "must name a column"),
        ({"y_true": np.zeros(1000)}, errors.InputTypeError, "y_true must name a column"),
        ({"y_true": "nope"}, errors.ColumnNotFoundError, "'nope'"),
        ({"y_pred": "t"}, errors.InputError, "not both"),
        ({"sensitive_data": pd.DataFrame({"a": [1]})}, errors.InputTypeError, "sensitive_data"),
    ],
)
def test_refused_with_a_clear_error(credit, change, error, match):
    X, y, model = credit
    ddf = dd.from_pandas(X.assign(t=y), npartitions=2)
    kw = {"model": model, "data": ddf, "y_true": "t", "sensitive": {"gender": "sex"}, **change}
    with pytest.raises(error, match=match):
        sa.Audit(**kw).run()


def test_bad_partitions_and_labels_are_refused():
    frame = pd.DataFrame({"sex": ["f", "m"] * 50, "d": [0, 1] * 50, "t": [1.0] * 99 + [np.nan]})
    ddf = dd.from_pandas(frame, npartitions=2)
    with pytest.raises(errors.TargetError, match="missing values"):
        sa.Audit(data=ddf, y_pred="d", y_true="t", sensitive={"gender": "sex"}).run()
    other = dd.from_pandas(frame[["sex"]], npartitions=3)
    with pytest.raises(errors.LengthMismatchError, match="partitions"):
        sa.Audit(data=ddf, y_pred="d", sensitive_data=other, sensitive={"gender": "sex"}).run()
    three = dd.from_pandas(frame.assign(d=list("abcd") * 25), npartitions=2)
    with pytest.raises(errors.TargetError, match="one class against the rest"):
        sa.Audit(data=three, y_pred="d", sensitive={"gender": "sex"}).run()


def test_review_cases_equal_in_memory():
    """Cases a review found: bool decisions beside 0/1 outcomes, a Dask categorical whose
    categories only the partitions know, and no row to sample; all as in memory."""
    policy = sa.Policy(n_bootstrap=100)
    rng = np.random.default_rng(0)
    flags = pd.DataFrame({"s": list("ab") * 20, "d": [True, False, False, True] * 10})
    flags["t"] = [1, 0, 0, 0] * 10
    cats = pd.DataFrame(
        {
            "s": pd.Categorical(rng.choice(["z", "a", "m"], 240), categories=["z", "m", "a"]),
            "d": rng.choice([0, 1], 240),
        }
    )
    unknown = dd.from_pandas(cats, npartitions=3)
    unknown = unknown.assign(s=unknown["s"].cat.as_unknown())
    tiny = pd.DataFrame({"s": list("abcdef"), "x": [1.0, 2, 3, 4, 5, 6], "d": [0, 1] * 3})
    cases = [
        (flags[["s"]], {"y_pred": flags["d"], "y_true": flags["t"]}, dd.from_pandas(flags, 2)),
        (cats[["s"]], {"y_pred": cats["d"]}, unknown),
        (tiny[["s", "x"]], {"y_pred": tiny["d"]}, dd.from_pandas(tiny, 2)),
    ]
    for frame, outputs, ddf in cases:
        mem = sa.Audit(data=frame, sensitive={"g": "s"}, policy=policy, **outputs).run()
        names = {"y_pred": "d", **({"y_true": "t"} if "y_true" in outputs else {})}
        chunked = sa.Audit(data=ddf, sensitive={"g": "s"}, policy=policy, **names).run()
        assert _differences(mem.to_dict(), chunked.to_dict()) == []
    # Six groups of one person: each shown under a stand-in, in the order of the values.
    stand_ins = [f"(small group {i})" for i in range(1, 7)]
    assert list(chunked.fairness.group_metrics["g"].counts.index) == stand_ins


def test_empty_partitions_and_shuffled_rows():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"s": rng.choice(["f", "m"], 240), "t": rng.choice([0, 1], 240), "sc": rng.random(240)}
    )
    mem = sa.Audit(
        data=frame[frame.index >= 80][["s"]].reset_index(drop=True),
        y_score=frame["sc"][80:].to_numpy(),
        y_true=frame["t"][80:].to_numpy(),
        sensitive={"g": "s"},
    ).run()
    # A filter leaves the first partition empty.
    ddf = dd.from_pandas(frame, npartitions=3).map_partitions(lambda p: p[p.index >= 80])
    chunked = sa.Audit(data=ddf, y_score="sc", y_true="t", sensitive={"g": "s"}).run()
    assert chunked.scope.n_rows == 160
    assert (
        chunked.fairness.group_metrics["g"].counts["n"].tolist()
        == mem.fairness.group_metrics["g"].counts["n"].tolist()
    )
    # sensitive_data whose rows were shuffled within partitions: paired by index label, as in
    # memory; with labels the data's partition has not, refused.
    data = dd.from_pandas(frame[["sc"]].assign(d=frame["t"]), npartitions=3)
    kw = {"data": data, "y_pred": "d", "sensitive": {"g": "s"}}
    whole = sa.Audit(sensitive_data=dd.from_pandas(frame[["s"]], npartitions=3), **kw).run()
    shuffled = dd.from_pandas(frame[["s"]], npartitions=3).map_partitions(
        lambda p: p.sample(frac=1, random_state=0)
    )
    paired = sa.Audit(sensitive_data=shuffled, **kw).run()
    assert _differences(whole.to_dict(), paired.to_dict()) == []
    moved = dd.from_pandas(frame[["s"]], npartitions=3).map_partitions(
        lambda p: p.set_axis(p.index + 1)
    )
    with pytest.raises(errors.LengthMismatchError, match=r"sensitive_data.*Partition 0"):
        sa.Audit(sensitive_data=moved, **kw).run()


# ---------------------------------------------------------------------------------------------
# Prices (task="pricing") read in parts
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fare_market():
    return sa.datasets.make_pricing_market(
        6_000, ability_markup=0.08, loyalty_markup=0.05, random_state=0
    )


@pytest.fixture(scope="module")
def fares(fare_market):
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingRegressor

    market = fare_market
    X = market.data
    features = [c for c in X.columns if c not in ("sex", "age")]
    text = [c for c in features if not pd.api.types.is_numeric_dtype(X[c])]
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), text), remainder="passthrough"
        ),
        HistGradientBoostingRegressor(max_iter=60, random_state=0),
    ).fit(X[features], market.price)
    return market, X, model


def _pricing_kw(market, **kw):
    return {
        "task": "pricing",
        "consumer_profile": market.consumer_profile,
        "legitimate_factors": market.legitimate_factors,
        "loyalty": market.loyalty,
        "sensitive": market.sensitive,
        "policy": sa.Policy(n_bootstrap=200, counterfactual_orders=300),
        **kw,
    }


@pytest.fixture(scope="module")
def fares_pair(fares):
    """The fare model's pricing audit in memory and in 5 partitions (run once)."""
    market, X, model = fares
    features = [c for c in X.columns if c not in ("sex", "age")]
    kw = _pricing_kw(market)
    inputs = X[features]
    mem = sa.Audit(model, inputs, sensitive_data=X[["sex", "age"]], **kw).run(random_state=2)
    ddf = dd.from_pandas(inputs, npartitions=5)
    private = dd.from_pandas(X[["sex", "age"]], npartitions=5)
    chunked = sa.Audit(model, ddf, sensitive_data=private, **kw).run(random_state=2)
    return mem, chunked


@pytest.mark.slow
def test_pricing_equals_in_memory(fares, fares_pair):
    """Price gaps (raw, stratified, regression-adjusted), the same-order re-pricing, the
    loyalty gap, the trends, the grounds' gaps, the flip test and the explanation: equal to
    the audit of the same orders in memory."""
    market = fares[0]
    mem, chunked = fares_pair
    assert _differences(mem.to_dict(), chunked.to_dict()) == []
    assert chunked.manifest["data"] == mem.manifest["data"]
    assert chunked.manifest["processing"]["partitions"] == 5
    p = chunked.pricing
    assert p.counterfactual is not None and p.loyalty is not None
    assert p.gaps["device_tier"].factors == market.legitimate_factors
    pd.testing.assert_frame_equal(
        p.gaps["device_tier"].table, mem.pricing.gaps["device_tier"].table
    )
    pd.testing.assert_frame_equal(p.counterfactual.summary, mem.pricing.counterfactual.summary)
    assert p.loyalty.counterfactual == mem.pricing.loyalty.counterfactual


@pytest.mark.slow
def test_prices_given_as_a_column_equal_in_memory(fares):
    market, X, model = fares
    features = [c for c in X.columns if c not in ("sex", "age")]
    frame = X.assign(fare=model.predict(X[features]))
    kw = _pricing_kw(market, y_pred="fare")
    mem = sa.Audit(data=frame, **kw).run()
    chunked = sa.Audit(data=dd.from_pandas(frame, npartitions=3), **kw).run()
    assert _differences(mem.to_dict(), chunked.to_dict()) == []
    assert chunked.pricing.counterfactual is None  # no model: nothing to re-price


def test_pricing_in_parts_refuses_what_memory_refuses(fare_market):
    market = fare_market
    X = market.data
    bad = X.assign(fare=np.where(np.arange(len(X)) == 17, -1.0, 10.0))
    with pytest.raises(errors.PredictionError, match="row 17"):
        sa.Audit(
            data=dd.from_pandas(bad, npartitions=3), **_pricing_kw(market, y_pred="fare")
        ).run()


@pytest.mark.slow
def test_recourse_is_not_assessed_on_data_in_parts(credit, fast_policy):
    """The search per person needs every row in memory: NOT_ASSESSED, with the reason."""
    X, y, model = credit
    ddf = dd.from_pandas(X.assign(good_credit=y), npartitions=2)
    result = sa.Audit(
        model, ddf, "good_credit", sensitive=GROUNDS, explain=False, policy=fast_policy()
    ).run()
    found = [f for f in result.findings if f.check.startswith("fairness.recourse")]
    assert len(found) == 2 * len(GROUNDS)
    assert all(f.status is sa.Status.NOT_ASSESSED and "in parts" in f.message.en for f in found)


def test_rows_beyond_the_median_are_counted_by_cell_as_pandas_counts_them():
    from szai_audit.inputs.chunked import _beyond_by_cell

    rng = np.random.default_rng(2)
    n = 5000
    row_codes = {"a": rng.integers(-1, 4, n).astype(np.int32), "b": rng.integers(0, 7, n)}
    beyond = rng.random(n) < 0.3
    frame = pd.DataFrame({"g_a": row_codes["a"], "g_b": row_codes["b"], "beyond": beyond})
    counts = frame.groupby(["g_a", "g_b"])["beyond"].sum().reset_index()
    cells = pd.concat(  # every cell, in another order, and one no row falls in
        [
            counts[["g_a", "g_b"]].sample(frac=1, random_state=0),
            pd.DataFrame({"g_a": [9], "g_b": [9]}),
        ],
        ignore_index=True,
    )
    want = cells.merge(counts, how="left")["beyond"].fillna(0).to_numpy(dtype=float)
    got = _beyond_by_cell(cells, row_codes, beyond)
    np.testing.assert_array_equal(got, want)
    assert got.sum() == beyond.sum() and got[-1] == 0


def test_rows_beyond_are_counted_even_when_the_combinations_overflow_an_int64(monkeypatch):
    import math

    from szai_audit.inputs import chunked

    rng = np.random.default_rng(3)
    row_codes = {"a": rng.integers(0, 3, 200), "b": rng.integers(0, 3, 200)}
    beyond = rng.random(200) < 0.5
    cells = pd.DataFrame({"g_a": [0, 1, 2, 0], "g_b": [0, 1, 2, 2]})
    numbered = chunked._beyond_by_cell(cells, row_codes, beyond)
    monkeypatch.setattr(math, "prod", lambda radix: 2**62)  # take the grouping path
    np.testing.assert_array_equal(chunked._beyond_by_cell(cells, row_codes, beyond), numbered)


@pytest.mark.parametrize(
    ("column", "values", "role", "error"),
    [
        ("d", [1.0] * 59 + [np.nan], "y_pred", errors.PredictionError),
        ("t", [1.0] * 59 + [np.nan], "y_true", errors.TargetError),
        ("s", [0.5] * 59 + [np.nan], "y_score", errors.PredictionError),
        ("s", [0.5] * 59 + [1.5], "y_score", errors.PredictionError),
    ],
)
def test_given_outputs_are_refused_in_the_same_words_in_memory_and_per_partition(
    column, values, role, error
):
    """One reading of given outputs (``inputs.outputs.given_decisions`` / ``given_outcomes``)
    serves both: the message differs only by the partition it names."""
    frame = pd.DataFrame({"sex": ["f", "m"] * 30, "d": [0, 1] * 30, "t": [1, 0] * 30})
    frame[column] = values
    roles = {"y_pred": "d", "y_true": "t"} if role != "y_score" else {"y_score": "s"}
    kw = {**roles, "sensitive": {"gender": "sex"}, "explain": False}
    messages = []
    for data in (frame, dd.from_pandas(frame, npartitions=2)):
        with pytest.raises(error) as raised:
            sa.Audit(data=data, **kw).run()
        messages.append(str(raised.value))
    in_memory, in_parts = messages
    assert in_memory.startswith(role)
    assert " in partition 1" in in_parts
    # the words are the same; only the count and the partition named differ
    assert re.sub(r"\d+", "N", in_parts.replace(" in partition 1", "")) == re.sub(
        r"\d+", "N", in_memory
    )


def test_empty_text_of_a_sensitive_attribute_is_missing_as_in_memory(fast_policy):
    """Empty and whitespace-only values of a sensitive column read in parts are missing, as
    in memory: the same groups, counts and findings."""
    rng = np.random.default_rng(11)
    n = 600
    sex = rng.choice(["f", "m"], n).astype(object)
    sex[:25] = ""
    sex[300:310] = "  "
    decision = (rng.random(n) < np.where(sex == "f", 0.4, 0.6)).astype(int)
    frame = pd.DataFrame({"income": rng.normal(size=n), "sex": sex, "d": decision})
    kw = {"sensitive": {"gender": "sex"}, "policy": fast_policy(), "explain": False}
    mem = sa.Audit(data=frame[["income", "sex"]], y_pred=decision, **kw).run()
    chunked = sa.Audit(data=dd.from_pandas(frame, npartitions=4), y_pred="d", **kw).run()
    assert chunked.sensitive[0].n_missing == mem.sensitive[0].n_missing == 35
    assert set(chunked.sensitive[0].groups) == {"f", "m", "(missing)"}
    assert_same_audit(mem, chunked)
