"""Numeric outputs with legitimate factors (issue 28, item 4): the wage gap given education,
experience and tenure, against statsmodels.

A synthetic wage survey after the textbook one (Wooldridge, Example 7.1): hourly wages with a
raw gap of about -2.6 between women and men, about -1.8 once education, experience and tenure
are held equal. The audited outputs are the wages themselves.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from report_lint import lint
from scipy import stats

import szai_audit as sa
from szai_audit import Status
from szai_audit.core.conditional import conditional_gaps

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())
FACTORS = ["educ", "exper", "tenure"]
RAW = "fairness.mean_prediction_ratio"
ADJUSTED = "fairness.mean_prediction_conditional"
LABELS = {
    "educ": ("受教育年限", "years of education"),
    "exper": ("工作年限", "years of experience"),
    "tenure": ("本单位工龄", "years with the employer"),
}


def wage_survey(n: int = 4000, seed: int = 0, female_effect: float = -1.81) -> pd.DataFrame:
    """Women have a little less education and experience and much shorter tenure; the wage
    is linear in the three, plus ``female_effect`` for women, floored at 0.53 an hour."""
    rng = np.random.default_rng(seed)
    female = rng.random(n) < 0.48
    educ = np.clip(np.round(rng.normal(12.9 - 0.6 * female, 2.6)), 6, 18)
    exper = np.round(rng.gamma(2.0, 9.0 - 1.5 * female), 0)
    tenure = np.round(rng.exponential(np.where(female, 3.6, 6.8)), 0)
    wage = (
        -1.57
        + female_effect * female
        + 0.572 * educ
        + 0.025 * exper
        + 0.141 * tenure
        + rng.normal(0, 2.2, n)
    )
    return pd.DataFrame(
        {
            "sex": np.where(female, "female", "male"),
            "educ": educ,
            "exper": exper,
            "tenure": tenure,
            "wage": np.maximum(wage, 0.53),
        }
    )


def audit(data: pd.DataFrame, factors=FACTORS, **kw) -> sa.AuditResult:
    return sa.Audit(
        y_pred=data["wage"],
        data=data.drop(columns="wage"),
        task="regression",
        sensitive={"gender": "sex"},
        legitimate_factors=factors,
        **{"explain": False, **kw},
    ).run()


def by_check(result: sa.AuditResult, ground: str = "gender") -> dict:
    return {f.check: f for f in result.findings if f.ground == ground}


def comparison(finding, estimate: str, group: str = "female") -> dict:
    """The finding's comparison of ``group`` against the reference by one estimate."""
    (row,) = [
        c
        for c in finding.details["comparisons"]
        if c["estimate"] == estimate and c["group"] == group
    ]
    return row


def ols_hc1(y: np.ndarray, data: pd.DataFrame):
    """statsmodels' OLS of ``y`` on a constant, the female indicator and the factors."""
    sm = pytest.importorskip("statsmodels.api")
    X = sm.add_constant(
        pd.DataFrame({"female": (data["sex"] == "female") * 1.0, **{c: data[c] for c in FACTORS}})
    )
    return sm.OLS(y, X).fit(cov_type="HC1")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return wage_survey()


@pytest.fixture(scope="module")
def audited(survey) -> sa.AuditResult:
    return audit(survey)


# --------------------------------------------------------------------------------------------
# (a) the regression-adjusted gap is statsmodels' OLS with HC1 errors
# --------------------------------------------------------------------------------------------


def test_regression_adjusted_gap_equals_statsmodels_ols_hc1(survey, audited):
    fit = ols_hc1(survey["wage"], survey)
    gaps = audited.fairness.conditional["gender"]
    assert gaps.reference == "male" and not gaps.log and gaps.factors == FACTORS
    row = gaps.table.loc["female"]
    assert row["regression_gap"] == pytest.approx(fit.params["female"], rel=1e-9, abs=1e-12)
    assert row["regression_se"] == pytest.approx(fit.bse["female"], rel=1e-9, abs=1e-12)
    # The textbook figures: about -2.6 an hour raw, about -1.8 given the three factors.
    male, female = (survey.loc[survey["sex"] == s, "wage"].mean() for s in ("male", "female"))
    assert row["raw_gap"] == pytest.approx(female - male, rel=1e-12)
    assert row["raw_gap"] == pytest.approx(-2.58, abs=0.1)
    assert fit.params["female"] == pytest.approx(-1.76, abs=0.1)
    # The finding judges the ratio (male mean + gap) / male mean, delta method on the log.
    c = comparison(by_check(audited)[ADJUSTED], "regression")
    mean = male + fit.params["female"]
    assert c["value"] == pytest.approx(mean / male, rel=1e-9)
    z = stats.norm.ppf(1 - (1 - c["ci_level"]) / 2)  # the level its status rests on
    half = z * fit.bse["female"] / mean
    assert c["ci"] == pytest.approx([mean / male * math.exp(-half), mean / male * math.exp(half)])
    assert c["test"] == "regression_hc1_difference_z"


def test_missing_values_of_a_numeric_factor_are_its_mean_and_an_indicator(survey):
    """Rows missing a numeric factor stay in: the regression puts the factor's mean in their
    place and adds an indicator of the missing value (statsmodels on that design agrees)."""
    sm = pytest.importorskip("statsmodels.api")
    data = survey.copy()
    missing = np.random.default_rng(5).random(len(data)) < 0.1
    data.loc[missing, "tenure"] = np.nan
    result = audit(data)
    row = result.fairness.conditional["gender"].table.loc["female"]
    assert row["count"] == (data["sex"] == "female").sum()  # no row left out
    X = sm.add_constant(
        pd.DataFrame(
            {
                "female": (data["sex"] == "female") * 1.0,
                "educ": data["educ"],
                "exper": data["exper"],
                "tenure": data["tenure"].fillna(data["tenure"].mean()),
                "tenure_missing": missing * 1.0,
            }
        )
    )
    fit = sm.OLS(data["wage"], X).fit(cov_type="HC1")
    assert row["regression_gap"] == pytest.approx(fit.params["female"], rel=1e-9)
    assert row["regression_se"] == pytest.approx(fit.bse["female"], rel=1e-9)


# --------------------------------------------------------------------------------------------
# (b) the stratified gap, by hand
# --------------------------------------------------------------------------------------------


def test_stratified_gap_equals_a_hand_computation(survey):
    """Factors of few values are strata as they are: within each (education band, tenure)
    stratum women are compared with men, the stratum gaps weighted by both groups' rows."""
    data = survey.assign(
        educ_band=pd.cut(survey["educ"], [0, 11, 12, 15, 18]).astype(str),
        tenure_cap=np.minimum(survey["tenure"], 9),
    )
    result = audit(data, factors=["educ_band", "tenure_cap"])
    row = result.fairness.conditional["gender"].table.loc["female"]
    wide = data.pivot_table(  # one row per stratum, the groups side by side
        index=["educ_band", "tenure_cap"],
        columns="sex",
        values="wage",
        aggfunc=["count", "mean", "var"],
    )
    counts = wide["count"].fillna(0)
    assert ((counts == 0) | (counts >= 2)).all().all()  # every cell has its own variance
    wide = wide[(counts > 0).all(axis=1)]  # the strata both groups share
    n = wide["count"]["female"] + wide["count"]["male"]
    w = n / n.sum()
    gap = wide["mean"]["female"] - wide["mean"]["male"]
    var = (
        wide["var"]["female"] / wide["count"]["female"]
        + wide["var"]["male"] / wide["count"]["male"]
    )
    assert row["stratified_gap"] == pytest.approx(float((w * gap).sum()), rel=1e-9)
    assert row["stratified_se"] == pytest.approx(float(np.sqrt((w**2 * var).sum())), rel=1e-9)
    covered = wide["count"]["female"].sum()
    assert row["covered"] == covered
    assert row["coverage"] == pytest.approx(covered / (data["sex"] == "female").sum())


# --------------------------------------------------------------------------------------------
# (c) the raw ratio is informative with factors, decides without them
# --------------------------------------------------------------------------------------------


def test_raw_ratio_is_informative_with_factors_and_decides_without(survey, audited):
    without = by_check(audit(survey, factors=None))
    assert without[RAW].status is Status.FAIL  # 4.8 against 7.1 an hour: about 0.68
    assert ADJUSTED not in without
    f = by_check(audited)
    raw, adjusted = f[RAW], f[ADJUSTED]
    assert raw.value == pytest.approx(without[RAW].value)
    assert raw.p_value < 0.05  # the rule would fail it: informative, it warns
    assert raw.status is Status.WARN
    assert raw.details["unadjusted_for"] == FACTORS
    assert "may explain the gap" in raw.message.en
    assert "Mean-prediction ratio after legitimate factors" in raw.message.en
    assert "可能由这些因素解释" in raw.message.zh
    # The gap that remains given the factors decides: about 1.8 of 7.1, a ratio near 0.75.
    assert adjusted.status is Status.FAIL and adjusted.worst_group == "female"
    assert adjusted.best_group == "male"
    assert adjusted.value == pytest.approx(0.75, abs=0.03)
    assert "held equal" in adjusted.message.en and "lower than for" in adjusted.message.en


def test_a_gap_the_factors_explain_passes_given_them():
    """No wage gap at equal education, experience and tenure: the raw ratio (about 0.89)
    fails a 0.95 tolerance without the factors, and only warns given them, where the ratio
    is about 1."""
    data = wage_survey(n=8000, seed=1, female_effect=0.0)
    policy = sa.Policy(mean_prediction_ratio_min=0.95)
    without = by_check(audit(data, factors=None, policy=policy))
    assert without[RAW].status is Status.FAIL  # the raw gap alone fails
    f = by_check(audit(data, policy=policy))
    assert f[RAW].status is Status.WARN
    assert f[ADJUSTED].status is Status.PASS
    for c in f[ADJUSTED].details["comparisons"]:
        assert c["ci"][0] > 0.95 and c["ci"][1] < 1 / 0.95


def test_an_intersection_raw_ratio_points_to_each_ground(survey):
    data = survey.assign(region=np.random.default_rng(2).choice(["north", "south"], len(survey)))
    result = sa.Audit(
        y_pred=data["wage"],
        data=data.drop(columns="wage"),
        task="regression",
        sensitive={"gender": "sex", "region": "region"},
        legitimate_factors=FACTORS,
        explain=False,
    ).run()
    both = [f for f in result.findings if f.check == RAW and "×" in (f.ground or "")]
    assert both and all(f.status is not Status.FAIL for f in both)
    assert "for each attribute alone" in both[0].message.en
    assert set(result.fairness.conditional) == {"gender", "region"}


# --------------------------------------------------------------------------------------------
# (d) log scale
# --------------------------------------------------------------------------------------------


def test_log_scale_equals_statsmodels_on_log_wages(survey):
    result = audit(survey, policy=sa.Policy(regression_gap_scale="log"))
    fit = ols_hc1(np.log(survey["wage"]), survey)
    gaps = result.fairness.conditional["gender"]
    assert gaps.log
    row = gaps.table.loc["female"]
    assert row["regression_gap"] == pytest.approx(fit.params["female"], rel=1e-9)
    assert row["regression_se"] == pytest.approx(fit.bse["female"], rel=1e-9)
    f = by_check(result)[ADJUSTED]
    c = comparison(f, "regression")
    assert c["value"] == pytest.approx(math.exp(fit.params["female"]), rel=1e-9)
    assert c["test"] == "regression_hc1_log_z"
    assert f.details["scale"] == "log"
    assert "%" in f.message.en
    assert result.to_dict()["conditional"]["gender"]["scale"] == "log"


def test_log_scale_with_predictions_not_all_positive_is_not_assessed(survey):
    data = survey.assign(wage=survey["wage"] - 1.0)
    f = by_check(audit(data, policy=sa.Policy(regression_gap_scale="log")))[ADJUSTED]
    assert f.status is Status.NOT_ASSESSED
    assert "above zero" in f.message.en and "大于零" in f.message.zh
    difference = by_check(audit(data))[ADJUSTED]  # the same data measured as differences
    assert difference.status is Status.FAIL


def test_lower_outputs_favourable_turn_the_ratio(survey):
    """A premium (lower is better): the reference is the group predicted lowest, and a group
    predicted higher given the factors is worse off: the ratio is the reference's mean over
    the group's."""
    result = audit(survey, favorable_direction="lower")
    gaps = result.fairness.conditional["gender"]
    assert gaps.reference == "female"
    f = by_check(result)[ADJUSTED]
    assert f.worst_group == "male" and f.best_group == "female"
    female = survey.loc[survey["sex"] == "female", "wage"].mean()
    for estimate in ("stratified", "regression"):
        gap = gaps.table.loc["male", f"{estimate}_gap"]
        c = comparison(f, estimate, group="male")
        assert c["value"] == pytest.approx(female / (female + gap), rel=1e-9)
    assert f.value == pytest.approx(comparison(f, "stratified", group="male")["value"])


# --------------------------------------------------------------------------------------------
# (e) clear errors
# --------------------------------------------------------------------------------------------


def test_an_unknown_factor_column_is_named(survey):
    with pytest.raises(sa.errors.ColumnNotFoundError, match=r"legitimate_factors.*'salary'"):
        audit(survey, factors=["educ", "salary"])


def test_a_sensitive_attribute_cannot_be_a_factor(survey):
    with pytest.raises(sa.errors.SensitiveAttributeError, match=r"legitimate_factors \['sex'\]"):
        audit(survey, factors=["educ", "sex"])


def test_a_factor_without_any_value_is_refused(survey):
    data = survey.assign(bonus=np.nan)
    with pytest.raises(sa.errors.InputError, match=r"legitimate_factors \['bonus'\].*only missing"):
        audit(data, factors=["educ", "bonus"])


def test_a_single_name_and_no_data_are_refused(survey):
    with pytest.raises(sa.errors.InputTypeError, match=r"list of column names.*\['educ'\]"):
        audit(survey, factors="educ")
    with pytest.raises(sa.errors.InputError, match=r"legitimate_factors needs data="):
        sa.Audit(
            y_pred=survey["wage"],
            task="regression",
            sensitive={"gender": survey["sex"]},
            legitimate_factors=FACTORS,
        ).run()


def test_a_dask_frame_with_factors_is_refused(survey):
    dd = pytest.importorskip("dask.dataframe")
    ddf = dd.from_pandas(survey, npartitions=2)
    with pytest.raises(sa.errors.UnsupportedError, match=r"legitimate_factors with task='regr"):
        sa.Audit(
            data=ddf,
            y_pred="wage",
            task="regression",
            sensitive={"gender": "sex"},
            legitimate_factors=FACTORS,
        ).run()


def test_an_unknown_scale_is_a_policy_error():
    with pytest.raises(sa.errors.PolicyError, match=r"Policy\.regression_gap_scale"):
        sa.Policy(regression_gap_scale="levels")


# --------------------------------------------------------------------------------------------
# (f) the JSON, the report, the configuration file
# --------------------------------------------------------------------------------------------


def test_the_json_carries_the_finding_and_the_gaps(audited):
    doc = audited.to_dict()
    jsonschema.validate(doc, SCHEMA)
    (found,) = [f for f in doc["findings"] if f["check"] == ADJUSTED]
    assert found["status"] == "FAIL" and found["ground"] == "gender"
    assert found["details"]["factors"] == FACTORS and found["details"]["scale"] == "difference"
    assert {c["estimate"] for c in found["details"]["comparisons"]} == {"stratified", "regression"}
    cond = doc["conditional"]["gender"]
    assert cond["scale"] == "difference" and cond["reference"] == "male"
    (row,) = cond["groups"]
    table = audited.fairness.conditional["gender"].table
    assert row["regression_gap"] == pytest.approx(table.loc["female", "regression_gap"])
    assert doc["policy"]["regression_gap_scale"] == "difference"
    json.dumps(doc, allow_nan=False)


def test_the_report_shows_the_finding_and_the_table(survey, tmp_path):
    result = audit(
        survey,
        feature_labels=LABELS,
        value_labels={"sex": {"female": ("女", "female"), "male": ("男", "male")}},
        explain=True,  # no model: not assessed, and said without code (explain=False is not)
    )
    result.to_html(tmp_path / "wages.html")
    page = (tmp_path / "wages.html").read_text(encoding="utf-8")
    for text in (
        "控制正当因素后的平均预测值之比",
        "Mean-prediction ratio after legitimate factors",
        "Gaps after legitimate factors",
        "in the unit of the prediction",
        "与预测值单位相同",
        "Regression-adjusted",
        "“受教育年限”",
    ):
        assert text in page, text
    assert "Unadjusted (points)" not in page  # the decision-rate columns are not used
    assert lint(page, ["sex", "female", "male", *FACTORS]) == []
    zh = result.to_html(lang="zh")
    # The chart of mean predictions writes the raw values of the groups (with or without
    # factors, a limit of regression_chart): only the text is checked here.
    problems = lint(zh, ["sex", "female", "male", *FACTORS])
    assert [p for p in problems if " in a chart: " not in p] == []
    assert "本单位工龄" in zh and "按预测值本身的单位计算（差值）" in zh


def test_a_configuration_file_runs_it(survey, tmp_path):
    from szai_audit._config import load_config, run_config

    survey.to_csv(tmp_path / "wages.csv", index=False)
    (tmp_path / "audit.toml").write_text(
        """
[data]
path = "wages.csv"

[columns]
y_pred = "wage"

[sensitive]
gender = "sex"

[audit]
task = "regression"
legitimate_factors = ["educ", "exper", "tenure"]
explain = false

[policy]
regression_gap_scale = "log"

[output]
json = "out/report.json"
""",
        encoding="utf-8",
    )
    result, written = run_config(load_config(tmp_path / "audit.toml"))
    assert written == [tmp_path / "out" / "report.json"]
    assert result.fairness.conditional["gender"].log
    doc = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert doc["conditional"]["gender"]["scale"] == "log"
    assert any(f["check"] == ADJUSTED for f in doc["findings"])


# --------------------------------------------------------------------------------------------
# (g) the user's data, and the same result twice
# --------------------------------------------------------------------------------------------


def test_the_users_frame_is_not_changed_and_results_repeat(survey):
    data = survey.drop(columns="wage").copy()
    data.loc[data.index[:50], "tenure"] = np.nan
    data["region"] = pd.Categorical(np.where(data.index % 3 == 0, "north", "south"))
    before = data.copy(deep=True)
    wage = survey["wage"].copy()

    def run() -> sa.AuditResult:
        return sa.Audit(
            y_pred=wage,
            data=data,
            task="regression",
            sensitive={"gender": "sex"},
            legitimate_factors=[*FACTORS, "region"],
            explain=False,
        ).run(random_state=3)

    first, second = run(), run()
    pd.testing.assert_frame_equal(data, before)
    pd.testing.assert_series_equal(wage, survey["wage"])
    pd.testing.assert_frame_equal(
        first.fairness.conditional["gender"].table, second.fairness.conditional["gender"].table
    )
    a, b = by_check(first)[ADJUSTED], by_check(second)[ADJUSTED]
    assert (a.status, a.value, a.ci, a.details) == (b.status, b.value, b.ci, b.details)


def test_the_estimator_is_the_one_pricing_uses(survey):
    """The audit's gaps are core.conditional's, on the strata pricing would form."""
    from szai_audit.pricing.gaps import strata_bins

    frame = survey[FACTORS]
    direct = conditional_gaps(
        survey["wage"], survey["sex"], frame, "male", n_bins=strata_bins(frame)
    ).table
    audited = audit(survey).fairness.conditional["gender"].table
    pd.testing.assert_frame_equal(direct, audited)
