"""Rows that are not independent, rows that are not the population: ``cluster=`` and
``weights=`` (szai_audit.core.design).

Every design-based standard error is checked against statsmodels: WLS / OLS with
``cov_type="cluster"`` (HC1 with weights alone) for differences and regression-adjusted gaps,
a Poisson GLM with the log link for ratios, the regression on cell indicators for the
stratified gap. With weights all 1 and each row its own cluster the estimates are those of the
unweighted audit and the errors the unweighted ones times the documented factor; on data whose
rows share a person's random effect the clustered errors are larger than the naive ones. Then
the refusals, the JSON, the report's sentence, the configuration file, and that the user's data
is left as it was and the columns never reach the model.
"""

from __future__ import annotations

import json
import math
import warnings

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import ndtri

import szai_audit as sa
from szai_audit import errors
from szai_audit._config import load_config, run_config
from szai_audit.core.conditional import conditional_gaps, prepare_factors
from szai_audit.core.design import (
    HONOURED,
    Design,
    log_ratio,
    mean_difference,
    stratified_difference,
    wls,
)
from szai_audit.pricing.gaps import price_gaps

pytestmark = pytest.mark.usefixtures("one_thread")

TOL = 1e-8


def _close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= TOL * max(1.0, abs(theirs))


def _people(seed: int = 0, persons: int = 300, rows: int = 4) -> pd.DataFrame:
    """Rows repeated per person, who share a random effect (and a weight, and a sex)."""
    rng = np.random.default_rng(seed)
    pid = np.repeat(np.arange(persons), rows)
    n = len(pid)
    sex = np.where(rng.random(persons) < 0.5, "female", "male")[pid]
    effect = 1.5 * rng.normal(size=persons)[pid]
    income = rng.normal(size=n) + 0.3 * effect
    latent = effect + 0.25 * (sex == "male") + 0.5 * income + rng.normal(size=n)
    return pd.DataFrame(
        {
            "sex": sex,
            "income": income,
            "pid": pid,
            "w": rng.uniform(0.5, 3.0, persons)[pid],
            "decision": (latent > 0).astype(int),
            "outcome": (effect + income + rng.normal(size=n) > 0).astype(int),
            "limit": np.exp(1 + 0.2 * effect + 0.1 * (sex == "male") + 0.2 * rng.normal(size=n)),
        }
    )


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return _people()


def _sm_difference(y, in_g, in_r, w=None, groups=None):
    rows = in_g | in_r
    x = sm.add_constant(in_g[rows].astype(float))
    model = sm.WLS(y[rows], x, weights=w[rows]) if w is not None else sm.OLS(y[rows], x)
    if groups is None:
        fit = model.fit(cov_type="HC1")
    else:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups[rows]})
    return float(fit.params[1]), float(fit.bse[1])


# --------------------------------------------------------------------------------------------
# The estimators against statsmodels
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("weighted", "clustered"), [(True, True), (True, False), (False, True)])
def test_mean_difference_is_the_wls_coefficient_and_its_robust_error(people, weighted, clustered):
    y = people["decision"].to_numpy(float)
    g, r = (people["sex"] == "male").to_numpy(), (people["sex"] == "female").to_numpy()
    w = people["w"].to_numpy() if weighted else None
    c = people["pid"].to_numpy() if clustered else None
    gap = mean_difference(y, g, r, Design.of(weights=w, clusters=c))
    value, se = _sm_difference(y, g, r, w, c)
    assert _close(gap.value, value) and _close(gap.se, se)
    assert gap.n_clusters == (300 if clustered else len(y))


def test_log_ratio_is_the_poisson_glm_coefficient_and_its_cluster_error(people):
    y = people["decision"].to_numpy(float)
    g, r = (people["sex"] == "female").to_numpy(), (people["sex"] == "male").to_numpy()
    w, c = people["w"].to_numpy(), people["pid"].to_numpy()
    gap = log_ratio(y, g, r, Design.of(weights=w, clusters=c))
    with warnings.catch_warnings():  # "cov_type not fully supported with var_weights"
        warnings.simplefilter("ignore")
        fit = sm.GLM(
            y, sm.add_constant(g.astype(float)), family=sm.families.Poisson(), var_weights=w
        ).fit(cov_type="cluster", cov_kwds={"groups": c})
    assert _close(math.log(gap.value), float(fit.params[1]))
    assert _close(gap.se, float(fit.bse[1]))
    assert _close(gap.value, gap.mean / gap.reference_mean)


def test_stratified_difference_is_a_combination_of_cell_means(people):
    y = people["decision"].to_numpy(float)
    g, r = (people["sex"] == "male").to_numpy(), (people["sex"] == "female").to_numpy()
    w, c = people["w"].to_numpy(), people["pid"].to_numpy()
    strata = pd.qcut(people["income"], 5, labels=False).to_numpy()
    gap, used = stratified_difference(y, g, r, strata, Design.of(weights=w, clusters=c))
    # The regression of y on the indicators of the group x stratum cells, without intercept.
    cell = strata * 2 + g.astype(int)
    x = (cell[:, None] == np.arange(10)[None, :]).astype(float)
    fit = sm.WLS(y, x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": c})
    share = np.array([w[strata == s].sum() for s in range(5)]) / w.sum()
    a = np.ravel(np.column_stack([-share, share]))  # cell 2s: female, 2s + 1: male
    assert used.all()
    assert _close(gap.value, float(a @ fit.params))
    assert _close(gap.se, float(np.sqrt(a @ fit.cov_params() @ a)))


def test_wls_is_statsmodels_on_dummies_and_factors(people):
    y = people["decision"].to_numpy(float)
    x = np.column_stack(
        [np.ones(len(y)), (people["sex"] == "male").to_numpy(float), people["income"]]
    )
    w, c = people["w"].to_numpy(), people["pid"].to_numpy()
    for design, fit in (
        (
            Design.of(weights=w, clusters=c),
            sm.WLS(y, x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": c}),
        ),
        (Design.of(clusters=c), sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": c})),
        (Design.of(weights=w), sm.WLS(y, x, weights=w).fit(cov_type="HC1")),
        (Design(), sm.OLS(y, x).fit(cov_type="HC1")),
    ):
        beta, cov = wls(x, y, design)
        assert np.allclose(beta, fit.params, rtol=0, atol=TOL)
        assert np.allclose(np.sqrt(np.diag(cov)), fit.bse, rtol=TOL, atol=0)


def test_conditional_gaps_under_a_design_match_statsmodels(people):
    y = people["decision"].to_numpy(float)
    sex = people["sex"].to_numpy()
    w, c = people["w"].to_numpy(), people["pid"].to_numpy()
    factors = people[["income"]]
    design = Design.of(weights=w, clusters=c)
    gaps = conditional_gaps(y, sex, factors, "female", design=design)
    row = gaps.table.loc["male"]
    male = (sex == "male").astype(float)
    x = np.column_stack([np.ones(len(y)), male, prepare_factors(factors, 10).design])
    fit = sm.WLS(y, x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": c})
    assert _close(row["regression_gap"], float(fit.params[1]))
    assert _close(row["regression_se"], float(fit.bse[1]))
    raw, raw_se = _sm_difference(y, sex == "male", sex == "female", w, c)
    assert _close(row["raw_gap"], raw) and _close(row["raw_se"], raw_se)


# --------------------------------------------------------------------------------------------
# A design that changes nothing, and one that does
# --------------------------------------------------------------------------------------------


def test_weights_of_one_and_a_cluster_per_row_change_only_the_documented_factor(people):
    y = people["decision"].to_numpy(float)
    sex = people["sex"].to_numpy()
    n = len(y)
    trivial = Design.of(weights=np.ones(n), clusters=np.arange(n))
    plain = conditional_gaps(y, sex, people[["income"]], "female").table.loc["male"]
    designed = conditional_gaps(y, sex, people[["income"]], "female", design=trivial).table.loc[
        "male"
    ]
    for column in ("raw_gap", "stratified_gap", "regression_gap"):
        assert _close(designed[column], plain[column])
    # HC1 both ways; the raw error of the pairwise fit is HC0 times sqrt(N / (N - 2)).
    assert _close(designed["regression_se"], plain["regression_se"])
    assert _close(designed["raw_se"], plain["raw_se"] * math.sqrt(n / (n - 2)))
    # Scaling every weight changes nothing.
    scaled = mean_difference(y, sex == "male", sex == "female", Design.of(weights=np.full(n, 7.0)))
    unit = mean_difference(y, sex == "male", sex == "female", trivial)
    assert _close(scaled.value, unit.value) and _close(scaled.se, unit.se)


def _audit(data: pd.DataFrame, **design) -> sa.AuditResult:
    return sa.Audit(
        y_true="outcome",
        y_pred="decision",
        data=data,
        sensitive={"gender": "sex"},
        legitimate_factors=["income"],
        verbose=False,
        **design,
    ).run(random_state=0)


def _finding(result: sa.AuditResult, check: str):
    return next(f for f in result.findings if f.check == check and f.ground == "gender")


def _z(f) -> float:
    """The normal quantile of a finding's interval, at the level its status rests on."""
    return float(ndtri(1 - (1 - f.details["ci_level"]) / 2))


def test_the_audit_with_a_trivial_design_has_the_same_gaps(people):
    data = people.drop(columns=["limit", "w", "pid"])
    n = len(data)
    trivial = data.assign(one=1.0, row=np.arange(n))
    plain, designed = _audit(data), _audit(trivial, cluster="row", weights="one")
    for check in ("fairness.demographic_parity_difference", "fairness.selection_rate_ratio"):
        a, b = _finding(plain, check), _finding(designed, check)
        assert _close(b.value, a.value)
        assert a.details.get("design") is None and b.details["design"]["honoured"] is True
    f = _finding(designed, "fairness.demographic_parity_difference")
    worst, best = f.worst_group, f.best_group
    rates = f.details["rates"]
    sizes = {g: int((data["sex"] == g).sum()) for g in (worst, best)}
    wald = math.sqrt(sum(rates[g] * (1 - rates[g]) / sizes[g] for g in (worst, best)))
    assert _close((f.ci[1] - f.ci[0]) / (2 * _z(f)), wald * math.sqrt(n / (n - 2)))


def test_the_audit_rate_gap_error_is_statsmodels(people):
    data = people.drop(columns=["limit"])
    result = _audit(data, cluster="pid", weights="w")
    favourable = people["decision"].to_numpy(float)
    sex = people["sex"].to_numpy()
    w, c = people["w"].to_numpy(), people["pid"].to_numpy()
    f = _finding(result, "fairness.demographic_parity_difference")
    g, h = f.worst_group, f.best_group
    value, se = _sm_difference(favourable, sex == h, sex == g, w, c)
    assert _close(f.value, value)
    assert _close((f.ci[1] - f.ci[0]) / (2 * _z(f)), se)
    # The error-rate gap: the decision among the actual negatives.
    f = _finding(result, "fairness.false_positive_rate_difference")
    among = people["outcome"].to_numpy() == 0
    g, h = f.worst_group, f.best_group
    value, se = _sm_difference(
        favourable[among], sex[among] == g, sex[among] == h, w[among], c[among]
    )
    assert _close(abs(f.value), abs(value))
    assert _close((f.ci[1] - f.ci[0]) / (2 * _z(f)), se)
    # The gap after the legitimate factors, regression-adjusted.
    gaps = result.fairness.conditional["gender"].table
    dummy = (sex == gaps.index[0]).astype(float)  # the group compared with the reference
    x = np.column_stack([np.ones(len(sex)), dummy, prepare_factors(people[["income"]], 10).design])
    fit = sm.WLS(favourable, x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": c})
    assert _close(float(gaps["regression_se"].iloc[0]), float(fit.bse[1]))


def test_clustered_errors_are_larger_than_naive_ones(people):
    y = people["decision"].to_numpy(float)
    g, r = (people["sex"] == "male").to_numpy(), (people["sex"] == "female").to_numpy()
    clustered = mean_difference(y, g, r, Design.of(clusters=people["pid"].to_numpy()))
    naive = mean_difference(y, g, r, Design.of(clusters=np.arange(len(y))))
    assert clustered.value == pytest.approx(naive.value, abs=1e-12)
    assert clustered.se > 1.5 * naive.se
    result = _audit(people.drop(columns=["limit"]), cluster="pid")
    plain = _audit(people.drop(columns=["limit", "pid", "w"]))
    for check in ("fairness.demographic_parity_difference", "fairness.conditional_gap"):
        a, b = _finding(plain, check), _finding(result, check)
        assert b.ci[1] - b.ci[0] > 1.3 * (a.ci[1] - a.ci[0])


# --------------------------------------------------------------------------------------------
# Regression and pricing
# --------------------------------------------------------------------------------------------


def test_mean_prediction_ratio_under_a_design_is_the_glm(people):
    data = people[["sex", "income", "pid", "w"]]
    result = sa.Audit(
        y_pred=people["limit"],
        data=data,
        sensitive={"gender": "sex"},
        task="regression",
        cluster="pid",
        weights="w",
        verbose=False,
    ).run(random_state=0)
    f = _finding(result, "fairness.mean_prediction_ratio")
    assert f.details["design"]["honoured"] is True
    y = people["limit"].to_numpy()
    sex = people["sex"].to_numpy()
    w, c = people["w"].to_numpy(), people["pid"].to_numpy()
    low = sex == f.worst_group
    rows = low | (sex == f.best_group)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(
            y[rows],
            sm.add_constant(low[rows].astype(float)),
            family=sm.families.Poisson(),
            var_weights=w[rows],
        ).fit(cov_type="cluster", cov_kwds={"groups": c[rows]})
    assert _close(math.log(f.value), float(fit.params[1]))
    assert _close((math.log(f.ci[1]) - math.log(f.ci[0])) / (2 * _z(f)), float(fit.bse[1]))
    residual = _finding(result, "fairness.mean_residual_difference")
    assert residual.status is sa.Status.NOT_ASSESSED  # no outcomes: nothing measured


def test_price_gaps_under_a_design_match_statsmodels(people):
    price = people["limit"].to_numpy()
    sex = people["sex"].to_numpy()
    w, c = people["w"].to_numpy(), people["pid"].to_numpy()
    design = Design.of(weights=w, clusters=c)
    gaps = price_gaps(
        price, sex, reference="female", factors=people[["income"]], n_bins=5, design=design
    )
    row = gaps.table.loc["male"]
    male = (sex == "male").astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        glm = sm.GLM(price, sm.add_constant(male), family=sm.families.Poisson(), var_weights=w).fit(
            cov_type="cluster", cov_kwds={"groups": c}
        )
    assert _close(math.log(row["mean_ratio"]), float(glm.params[1]))
    assert _close(row["mean_ratio_se_log"], float(glm.bse[1]))
    assert math.isnan(row["median_ratio_low"])  # no design-based interval for the median
    x = np.column_stack([np.ones(len(price)), male, prepare_factors(people[["income"]], 5).design])
    fit = sm.WLS(np.log(price), x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": c})
    assert _close(row["regression_se"], float(fit.bse[1]))
    assert _close(row["regression"], math.expm1(float(fit.params[1])))


# --------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------


def _run(data, **kw):
    args = {"y_pred": "decision", "sensitive": {"gender": "sex"}, "verbose": False}
    return sa.Audit(data=data, **{**args, **kw}).run()


@pytest.mark.parametrize(
    ("change", "kw", "error", "words"),
    [
        (None, {"cluster": "pidd"}, errors.ColumnNotFoundError, "cluster='pidd'.*'pid'"),
        (None, {"weights": 3}, errors.InputTypeError, "weights must be None or the name"),
        (None, {"cluster": ["a"]}, errors.InputTypeError, "got list"),
        (("w", -1.0), {"weights": "w"}, errors.InputError, "weights='w' has 1 negative"),
        (("w", np.nan), {"weights": "w"}, errors.InputError, "missing or infinite"),
        (("w", np.inf), {"weights": "w"}, errors.InputError, "missing or infinite"),
        (("w", "heavy"), {"weights": "w"}, errors.InputTypeError, "column of numbers"),
        (("w", True), {"weights": "w"}, errors.InputTypeError, "column of numbers"),
        (("pid", None), {"cluster": "pid"}, errors.InputError, "cluster='pid' has 1 missing"),
        (None, {"cluster": "sex"}, errors.InputError, r"also named by sensitive\['gender'\]"),
        (None, {"weights": "income", "legitimate_factors": ["income"]}, errors.InputError,
         "also named by legitimate_factors"),
        (None, {"cluster": "decision"}, errors.InputError, "also named by y_pred"),
        (None, {"cluster": "w", "weights": "w"}, errors.InputError, "both name the column"),
    ],
)  # fmt: skip
def test_bad_design_arguments_are_refused_by_name(people, change, kw, error, words):
    data = people.copy()
    if change is not None:
        column, value = change
        data[column] = data[column].astype(object) if isinstance(value, str) else data[column]
        if column == "w" and value is True:
            data[column] = data["w"] > 1
        else:
            data.loc[5, column] = value
    with pytest.raises(error, match=words):
        _run(data, **kw)


def test_all_zero_weights_one_cluster_and_no_data_are_refused(people):
    with pytest.raises(errors.InputError, match="is 0 in every row"):
        _run(people.assign(w=0.0), weights="w")
    with pytest.raises(errors.InputError, match="has 1 cluster"):
        _run(people.assign(pid=7), cluster="pid")
    with pytest.raises(errors.InputError, match="data=, which was not given"):
        sa.Audit(
            y_pred=people["decision"], sensitive={"gender": people["sex"]}, cluster="pid"
        ).run()


def test_a_model_input_cannot_be_the_cluster(people):
    from sklearn.linear_model import LogisticRegression

    X = people[["income", "pid"]]
    model = LogisticRegression().fit(X, people["decision"])
    with pytest.raises(errors.InputError, match="is an input of the model"):
        sa.Audit(
            model, X.assign(sex=people["sex"]), sensitive={"gender": "sex"}, cluster="pid"
        ).run()


def test_data_in_parts_is_refused_clearly(people):
    ddf = dd.from_pandas(people, npartitions=2)
    with pytest.raises(errors.UnsupportedError, match="cluster= with data in parts"):
        _run(ddf, cluster="pid")
    with pytest.raises(errors.UnsupportedError, match="cluster and weights="):
        _run(ddf, cluster="pid", weights="w")


# --------------------------------------------------------------------------------------------
# What the user sees: the model's inputs, the data, the JSON, the report, the configuration
# --------------------------------------------------------------------------------------------


def test_the_columns_never_reach_the_model_and_the_data_is_unchanged(people):
    seen: list[list[str]] = []

    def model(frame: pd.DataFrame) -> np.ndarray:
        seen.append(list(frame.columns))
        return (frame["income"] > 0).astype(int).to_numpy()

    data = people[["sex", "income", "pid", "w"]].copy()
    before = data.copy()
    sa.Audit(
        sa.CallableModel(model),
        data,
        sensitive={"gender": "sex"},
        cluster="pid",
        weights="w",
        explain=False,
        verbose=False,
    ).run()
    assert seen and all("pid" not in cols and "w" not in cols for cols in seen)
    pd.testing.assert_frame_equal(data, before)


def test_json_records_the_design_never_its_values(people):
    result = _audit(people.drop(columns=["limit"]), cluster="pid", weights="w")
    data = json.loads(result.to_json())
    assert data["scope"]["design"] == {
        "independent": False,
        "cluster": "pid",
        "weights": "w",
        "n_clusters": 300,
    }
    by_check = {f["check"]: f for f in data["findings"] if f.get("ground") == "gender"}
    assert by_check["fairness.demographic_parity_difference"]["details"]["design"]["honoured"]
    proxy = by_check["fairness.proxy"]
    assert proxy["details"]["design"]["honoured"] is False
    assert "does not honour the declared design" in proxy["message"]["en"]
    assert set(HONOURED) >= {"fairness.conditional_gap", "pricing.raw_gap"}
    plain = json.loads(_audit(people.drop(columns=["limit", "pid", "w"])).to_json())
    assert plain["scope"]["design"]["independent"] is True
    assert all("design" not in f.get("details", {}) for f in plain["findings"])


def test_the_report_says_how_the_rows_were_drawn(people):
    plain = _audit(people.drop(columns=["limit", "pid", "w"])).to_html()
    assert "Rows are taken as independent and unweighted (one row = one independent" in plain
    assert "各行被视为相互独立且不加权" in plain
    designed = _audit(people.drop(columns=["limit"]), cluster="pid", weights="w").to_html()
    assert "How the rows were drawn: clustered by the column “pid” (300 clusters)" in designed
    assert "按列“pid”聚类（300 个聚类）" in designed
    assert "Rows are taken as independent and unweighted" not in designed


def test_the_configuration_file_declares_the_design_under_columns(people, tmp_path):
    people.drop(columns=["limit"]).to_csv(tmp_path / "rows.csv", index=False)
    body = """
[data]
path = "rows.csv"
[columns]
y_pred = "decision"
cluster = "pid"
weights = "w"
[sensitive]
gender = "sex"
[audit]
verbose = false
"""
    (tmp_path / "audit.toml").write_text(body, encoding="utf-8")
    result, _ = run_config(load_config(tmp_path / "audit.toml"))
    assert result.scope.design == {
        "independent": False,
        "cluster": "pid",
        "weights": "w",
        "n_clusters": 300,
    }
    (tmp_path / "bad.toml").write_text(
        body.replace('weights = "w"', 'weights = "w"\nfeatures = ["income", "pid"]'),
        encoding="utf-8",
    )
    with pytest.raises(errors.InputError, match=r"cluster = 'pid' is also in \[columns\] features"):
        run_config(load_config(tmp_path / "bad.toml"))
