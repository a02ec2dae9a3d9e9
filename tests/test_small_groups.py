"""A group of fewer than ``policy.k_anonymity`` people is data about them: its value never
reaches an output (JSON, HTML, charts), it is shown under a stand-in label, and the checks
still count it, compare it when the policy allows, and flip the model's input to its value."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import szai_audit as sa
from szai_audit.inputs.attributes import withhold_small_groups

# The models' threads change no result (conftest.one_thread).
pytestmark = pytest.mark.usefixtures("one_thread")

RARE = ("Zyxwvut-solo", "Qponml-duo")  # one person, two people


@pytest.fixture(scope="module")
def rare_credit():
    from test_chunked import credit_model

    df = sa.datasets.load_german_credit()
    df.loc[df.index[7], "foreign_worker"] = RARE[0]
    df.loc[df.index[[11, 12]], "foreign_worker"] = RARE[1]
    return credit_model(df)


def _audit(X, y, model, **kw):
    kw.setdefault("sensitive", {"nationality": "foreign_worker", "gender": "sex"})
    return sa.Audit(model, X, y, privacy=True, **kw).run(random_state=0)


@pytest.fixture(scope="module")
def rare_result(rare_credit, fast_policy):
    """The audit of the credit data with the two rare values, run once. Whether a value reaches
    an output, and what the flip test writes, do not depend on the number of bootstrap
    resamples: fast_policy()."""
    X, y, model = rare_credit
    return _audit(X, y, model, policy=fast_policy())


@pytest.mark.slow
def test_values_of_tiny_groups_reach_no_output(rare_credit, rare_result):
    X, _, _ = rare_credit
    result = rare_result
    texts = {"json": result.to_json()}
    for lang in ("zh", "en", "bilingual"):
        texts[lang] = result.to_html(lang=lang)
    for name, text in texts.items():
        for rare in RARE:
            assert rare not in text, (name, rare)
    # The groups are there, under their stand-ins, with their true sizes.
    info = next(s for s in result.sensitive if s.ground == "nationality")
    assert "(small group 1)" in info.groups and "(small group 2)" in info.groups
    sizes = result.fairness.group_metrics["nationality"].counts["n"]
    assert sizes["(small group 1)"] == 2 and sizes["(small group 2)"] == 1  # by value's text
    assert "人数不足 5 人的组 1" in texts["zh"] and "group 2 of fewer than 5 people" in texts["en"]
    # Intersections are built from the stand-ins too.
    assert any(
        "(small group 2)" in str(k)
        for k in result.fairness.intersections["nationality × gender"].counts.index
    )
    # ...and the user's data are untouched.
    assert (X["foreign_worker"] == RARE[0]).sum() == 1


@pytest.mark.slow
def test_the_flip_test_writes_the_true_value(rare_credit, rare_result):
    """Flipping every foreign worker to the one-person group writes that person's value into
    the model's input: the changes equal those of calling the model directly."""
    X, _, model = rare_credit
    result = rare_result
    pairs = result.fairness.flips["nationality"].pairs
    row = pairs[(pairs.from_group == "yes") & (pairs.to_group == "(small group 2)")].iloc[0]
    assert row["value"] == "(small group 2)"  # the value itself is not recorded
    rows = X[X["foreign_worker"] == "yes"]
    before = model.predict(rows)
    after = model.predict(rows.assign(foreign_worker=RARE[0]))
    assert row["n"] == len(rows)
    assert row["changed"] == pytest.approx(np.mean(before != after))
    assert json.dumps(result.to_dict()).count(RARE[0]) == 0


def test_a_tiny_group_cannot_be_the_reference(rare_credit):
    X, y, model = rare_credit
    with pytest.raises(sa.errors.SensitiveAttributeError, match="fewer than 5 people"):
        _audit(X, y, model, reference={"nationality": RARE[0]})


def test_the_threshold_is_the_policy_k():
    values = pd.Series(["a"] * 10 + ["b"] * 3 + ["c"] * 2 + [None])
    same, hidden = withhold_small_groups(values, None, 2)
    assert hidden == {} and same is values  # nothing below k: the values as given
    out, hidden = withhold_small_groups(values, None, 4)
    assert hidden == {"(small group 1)": "b", "(small group 2)": "c"}
    assert out.tolist()[10:15] == ["(small group 1)"] * 3 + ["(small group 2)"] * 2
    assert pd.isna(out.iloc[15])  # a missing value stays missing
    # A value in the data that reads like a stand-in is never taken for one.
    clash = pd.Series(["(small group 1)"] * 6 + ["x"])
    out, hidden = withhold_small_groups(clash, None, 5)
    assert hidden == {"(small group 2)": "x"}
    # Counts of distinct values (data seen in parts) give the same map.
    _, from_counts = withhold_small_groups(pd.Series(["a", "b", "c"]), np.array([10, 3, 2]), 4)
    assert from_counts == {"(small group 1)": "b", "(small group 2)": "c"}


def test_binned_numbers_and_large_groups_keep_their_labels():
    rng = np.random.default_rng(1)
    n = 300
    age = rng.integers(20, 70, n)
    age[0] = 99  # one person in the top bin
    pred = rng.integers(0, 2, n)
    result = sa.Audit(
        y_pred=pred,
        sensitive={"age": age, "gender": np.where(np.arange(n) % 2, "f", "m")},
        bins={"age": [30, 60, 90]},
        explain=False,
    ).run()
    # A bin is named by its bounds, not by anyone's value: the one person aged 99 is "≥90".
    assert result.fairness.group_metrics["age"].counts["n"].to_dict() == {
        "<30": 54,
        "30–59": 181,
        "60–89": 64,
        "≥90": 1,
    }
    assert not any(g.startswith("(small group") for s in result.sensitive for g in s.groups)


@pytest.mark.parametrize(
    ("values", "what"),
    [
        (["13812345678", "13987654321", "15011112222"], "mobile"),
        (["a@example.com", "b@example.org", "c@example.net"], "email"),
    ],
)
def test_a_ground_of_personal_information_is_refused(values, what):
    """Phone numbers or e-mail addresses as a ground (few distinct values, so not refused as
    identifier-like) are refused by the Art. 33 detectors, by content."""
    n = 300
    column = np.asarray(values, dtype=object)[np.arange(n) % len(values)]
    with pytest.raises(sa.errors.SensitiveAttributeError, match=what):
        sa.Audit(y_pred=np.arange(n) % 2, sensitive={"region": column}, explain=False).run()
