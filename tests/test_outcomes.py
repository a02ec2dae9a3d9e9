"""Checks that use the recorded outcomes (``y_true``) say that they take them as the truth, and
the report names the conflict between calibration and equal error rates where the groups' base
rates differ (Kleinberg et al. 2016; Chouldechova 2017)."""

from __future__ import annotations

import numpy as np

import szai_audit as sa
from szai_audit import Status
from szai_audit.core.checks import all_checks

#: The checks that compare the model with the recorded outcomes.
OUTCOME_CHECKS = {
    "fairness.true_positive_rate_difference",
    "fairness.false_positive_rate_difference",
    "fairness.auc_difference",
    "fairness.calibration_difference",
    "fairness.mean_residual_difference",
    "fairness.mae_ratio",
}
MEASURED = (Status.PASS, Status.WARN, Status.FAIL)
CLAUSE_ZH = "以记录的实际结果为准"
CLAUSE_EN = "takes the recorded outcomes as the truth"


def _scored(base_a: float, base_b: float, n: int = 4000, seed: int = 3, **kw):
    """Two groups of ``n / 2`` people whose recorded outcomes occur at exactly ``base_a`` and
    ``base_b`` (those with the highest scores, give or take noise), scored by a noisy score
    around the base rate, decided at 0.5."""
    rng = np.random.default_rng(seed)
    g = np.repeat(["a", "b"], n // 2)
    base = np.where(g == "a", base_a, base_b)
    score = np.clip(base + rng.normal(0, 0.2, n), 0.01, 0.99)
    key = rng.random(n) - score  # lower: more likely the positive outcome
    y = np.zeros(n, dtype=int)
    for group, rate in (("a", base_a), ("b", base_b)):
        rows = np.flatnonzero(g == group)
        y[rows[np.argsort(key[rows])[: round(rate * len(rows))]]] = 1
    return sa.Audit(y_score=score, y_true=y, sensitive={"race": g}, explain=False, **kw).run()


def test_the_registry_declares_which_checks_take_the_outcomes_as_the_truth():
    assert {c.id for c in all_checks() if c.outcomes} == OUTCOME_CHECKS


def test_every_outcome_check_says_it_takes_the_recorded_outcomes_as_the_truth():
    """A wage model that ignores gender fails on residuals when the recorded wages carry a gap:
    every measured finding of a check that uses y_true says, in both languages, that it takes
    the recorded outcomes as the truth and cannot see a bias in them; no other finding does."""
    result = _scored(0.3, 0.6)
    rng = np.random.default_rng(5)
    n = 2000
    sex = rng.choice(["f", "m"], n)
    wage = 5000 + 800 * (sex == "m") + rng.normal(0, 300, n)  # the recorded gap
    predicted = np.full(n, float(wage.mean())) + rng.normal(0, 10, n)  # ignores gender
    wages = sa.Audit(
        y_pred=predicted, y_true=wage, task="regression", sensitive={"gender": sex}, explain=False
    ).run()
    seen = set()
    for f in [*result.findings, *wages.findings]:
        says = CLAUSE_ZH in f.message.zh and CLAUSE_EN in f.message.en
        if f.check in OUTCOME_CHECKS and f.status in MEASURED:
            assert says, (f.check, f.message.en)
            seen.add(f.check)
        else:
            assert CLAUSE_ZH not in f.message.zh and CLAUSE_EN not in f.message.en, f.check
    assert seen == OUTCOME_CHECKS
    residual = next(f for f in wages.findings if f.check == "fairness.mean_residual_difference")
    assert residual.status is Status.FAIL  # "male is worse off", on the recorded wages


def _section(result, key):
    from szai_audit.report.page import build_page

    return next(s for s in build_page(result)["grounds"] if s["key"] == key)


def test_the_report_names_the_conflict_where_base_rates_differ(tmp_path):
    """Calibration and an error-rate check are both measured and the base rates differ (30%
    against 60%): the ground's section and the JSON name the known conflict; with equal base
    rates, or without scores (no calibration), there is no such note."""
    differ = _scored(0.3, 0.6)
    rates = differ.fairness.base_rates["race"]
    assert rates.conflict and rates.p_value < differ.policy.significance_level
    assert rates.rates == {"a": 0.3, "b": 0.6}
    doc = differ.to_dict()["base_rates"]["race"]
    assert doc["conflict"] is True and doc["test"] == "chi2" and doc["note"]["en"]
    notes = _section(differ, "race")["notes"]
    (note,) = [m for m in notes if "Kleinberg" in m.en]
    assert "Chouldechova" in note.en and "Kleinberg" in note.zh
    assert "committee" in note.en and "委员会" in note.zh
    assert "“a”" in note.en and "30." in note.en
    path = tmp_path / "r.html"
    differ.to_html(path)
    assert "Chouldechova" in path.read_text(encoding="utf-8")

    equal = _scored(0.45, 0.45, seed=4)
    assert not equal.fairness.base_rates["race"].conflict
    assert equal.to_dict()["base_rates"]["race"]["note"] is None
    assert not any("Kleinberg" in m.en for m in _section(equal, "race")["notes"])
    equal.to_html(path)
    assert "Chouldechova" not in path.read_text(encoding="utf-8")

    rng = np.random.default_rng(3)
    g = np.where(rng.random(4000) < 0.5, "a", "b")
    y = (rng.random(4000) < np.where(g == "a", 0.3, 0.6)).astype(int)
    decisions = sa.Audit(y_pred=y, y_true=y, sensitive={"race": g}, explain=False).run()
    assert not decisions.fairness.base_rates["race"].conflict  # no calibration measured
    assert decisions.fairness.base_rates["race"].p_value < 0.05  # though the rates differ
