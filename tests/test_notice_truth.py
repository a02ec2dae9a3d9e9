"""A notice never misleads the person it is about (issue 30): every input tied to a protected
ground that weighed on the decision is disclosed, with the decisions it turns flagged; recourse
is opt-in and never moves against a declared order; the cut-off, the person's involvement and
rights are stated, with placeholders where the organisation has not said; fixed sentences are
computed from this audit; each checker rule catches a bad notice."""

from __future__ import annotations

import csv
import re
import warnings
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import szai_audit as sa
from szai_audit.core.messages import Message
from szai_audit.core.orders import is_better
from szai_audit.demos import CREDIT_ACTIONABLE, CREDIT_VALUE_ORDER
from szai_audit.explain import explain_people, notice_problems, write_notices
from szai_audit.explain.notices import notice_checks, notice_html, notice_text
from szai_audit.explain.person import Change, Cutoff, RecourseOption, decision_cutoff

#: The credit demo's declarations: its categories from worse to better ("no checking
#: account" is left out: closing an account is never proposed) and what may change.
ORDER = CREDIT_VALUE_ORDER
DECLARED = CREDIT_ACTIONABLE


def _synthetic(n=400, seed=1):
    """Income, debts, a protected 0/1 column and a proxy of it, and an outcome that depends
    on all four."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    X = pd.DataFrame(
        {
            "income": rng.normal(5, 2, n),
            "debts": rng.integers(0, 6, n).astype(float),
            "group": group.astype(float),
            "proxy": group + rng.normal(0, 0.5, n),
        }
    )
    logit = X["income"] - 0.8 * X["debts"] - 1.2 * X["group"] - 0.6 * X["proxy"] - 0.5
    y = (logit + rng.logistic(size=n) > 0).astype(int)
    return X, y


TIED = {"group": ["gender"], "proxy": ["gender"]}


@pytest.fixture(scope="module")
def synthetic():
    X, y = _synthetic()
    model = LogisticRegression(C=1e6, max_iter=2000).fit(X, y)
    people = explain_people(model, X, X.index, sensitive=TIED, background_size=len(X))
    return X, model, people


def test_disclosure_and_turned_match_the_closed_form(synthetic):
    """A logistic model on raw numbers with every row as background: a protected input's
    contribution is w (x - mean x) on the log-odds, disclosed exactly when it is not zero; a
    decision is turned exactly when the log-odds less those contributions crosses 0."""
    X, model, people = synthetic
    w = dict(zip(X.columns, model.coef_[0], strict=True))
    logit = model.decision_function(X)
    tied = {c: w[c] * (X[c] - X[c].mean()).to_numpy() for c in TIED}
    without = logit - sum(tied.values())
    expected = (without > 0) != (logit > 0)
    assert expected.sum() >= 5  # the check means something
    for i, p in enumerate(people):
        got = {u.column: u.contribution for u in p.protected}
        assert set(got) == {c for c in TIED if tied[c][i] != 0}
        for c, v in got.items():
            assert v == pytest.approx(tied[c][i], abs=1e-9)
        assert p.turned is bool(expected[i])
        assert p.favourable is bool(logit[i] > 0)
        assert all(r.column not in TIED for r in p.reasons)
        assert p.disclosure().zh.startswith("模型在本次决定中还使用了")
        total = sum(abs(v) for _, v in p.contributions)
        assert sum(u.share for u in p.protected) == pytest.approx(
            sum(abs(tied[c][i]) for c in TIED) / total
        )


def test_a_model_that_ignores_the_ground_discloses_nothing_and_says_so():
    X, y = _synthetic()
    model = Pipeline(
        [
            ("drop", ColumnTransformer([("keep", "passthrough", ["income", "debts"])])),
            ("lr", LogisticRegression()),
        ]
    ).fit(X, y)
    people = explain_people(model, X, X.index[:40], sensitive={"group": ["gender"]})
    for p in people:
        assert p.protected == () and dict(p.contributions)["group"] == 0
        assert p.disclosure().zh.startswith("本次审计考察的受保护特征为性别")
        assert notice_problems(p, sensitive=["group"]) == []
    # no ground examined: nothing is said about protected characteristics at all
    bare = explain_people(model, X, X.index[:5])
    text = notice_text(bare[0], reference="1")
    assert "受保护特征" not in text and "protected" not in text
    assert "本说明不以" not in text


def test_no_recourse_without_a_declaration(credit_demo):
    """Every refused applicant of the demo: with nothing declared, no option at all, and the
    notice says why."""
    model, X = credit_demo.inputs
    refused = X.index[model.predict(X) == 0]
    people = credit_demo.explain_people(refused, actionable={})  # the demo declares some
    assert len(people) == len(refused) > 40
    for p in people:
        assert not p.favourable and p.recourse == () and not p.recourse_offered
        assert p.changeable == ()
        assert "尚未声明" in p.recourse_note.zh and "not declared" in p.recourse_note.en
    page = notice_html(people[0], reference="r", lang="zh")
    assert "不提供改变建议" in page and "变为" not in page


@pytest.mark.parametrize("declared", [DECLARED, {"checking_status": "any", "savings": "any"}])
def test_recourse_never_moves_against_the_declared_order(credit_demo, declared):
    """Every refused applicant, with directions ("better") or with "any" and the order: no
    option moves a category to one the order puts lower or does not rank (closing an
    account), nor a number the wrong way; the checker finds no direction problem."""
    model, X = credit_demo.inputs
    refused = X.index[model.predict(X) == 0]
    people = sa.explain.explain_people(
        model, X, refused, sensitive=credit_demo.protected_inputs(X),
        feature_labels=credit_demo.feature_labels, value_labels=credit_demo.value_labels,
        actionable=declared, value_order=ORDER,
    )  # fmt: skip
    changes = [c for p in people for o in p.recourse for c in o.changes]
    assert changes  # some recourse is offered within the declaration
    orders = {c: tuple(o) if isinstance(o, list) else o for c, o in ORDER.items()}
    for c in changes:
        assert is_better(orders[c.column], c.before, c.after) is True, c
        assert c.after != "no checking account"
    for p in people:
        assert not [f for f in notice_problems(p, value_order=ORDER) if "direction" in f]


def test_a_direction_against_the_order_is_refused(credit_demo):
    model, X = credit_demo.inputs
    with pytest.raises(sa.errors.InputError, match="calls worse"):
        sa.explain.explain_people(
            model, X, X.index[:2], actionable={"duration_months": "increase"},
            value_order={"duration_months": "lower"},
        )  # fmt: skip
    with pytest.raises(sa.errors.InputError, match="needs value_order"):
        sa.explain.explain_people(model, X, X.index[:2], actionable={"savings": "better"})
    with pytest.raises(sa.errors.InputError, match="not seen in data"):
        sa.explain.explain_people(
            model, X, X.index[:2], actionable={"savings": "better"},
            value_order={"savings": ["none", "some"]},
        )  # fmt: skip
    with pytest.raises(sa.errors.InputError, match="'higher' or 'lower'"):
        sa.Audit(model, X, value_order={"duration_months": ["1", "2"]}, explain=False).run()


def test_the_audit_keeps_value_order_for_its_notices(credit_demo):
    model, X = credit_demo.inputs
    result = replace(credit_demo, value_order=ORDER,
                     recourse_options={"actionable": DECLARED})  # fmt: skip
    refused = X.index[model.predict(X) == 0][:20]
    for p in result.explain_people(refused):
        for o in p.recourse:
            for c in o.changes:
                assert c.column in DECLARED


def test_the_demo_discloses_exactly_the_protected_inputs_that_weighed(credit_demo, tmp_path):
    """Every refused applicant of the demo: the disclosed inputs are those tied to a ground
    whose contribution is not zero (sex is in the data but not used by the model: never
    disclosed); the turned flag is in index.csv; no notice claims such inputs were unused."""
    model, X = credit_demo.inputs
    refused = X.index[model.predict(X) == 0]
    tied = credit_demo.protected_inputs(X)
    assert set(tied) == {"sex", "foreign_worker", "age", "personal_status", "purpose"}
    with warnings.catch_warnings():  # the demo's notices are clean and complete
        warnings.simplefilter("error", sa.errors.NoticeWarning)
        batch = credit_demo.person_notices(refused, tmp_path, decided_on="2026-12-01")
    assert batch.problems == {} and batch.needs_review == ()
    people = credit_demo.explain_people(refused)
    for p in people:
        weighed = {c for c, v in p.contributions if c in tied and v != 0}
        assert {u.column for u in p.protected} == weighed
        assert "sex" not in weighed
    with batch.index.open(encoding="utf-8") as f:
        index = list(csv.DictReader(f))
    assert [r["turned"] for r in index] == [str(p.turned) for p in people]
    assert sum(p.turned for p in people) > 10  # the demo's refusals often rest on them
    for path in batch.text:
        text = path.read_text(encoding="utf-8")
        assert "本说明不以" not in text and "gives no sensitive information" not in text
        assert "其他人的相同信息" not in text and "也是获得有利决定者中最常见" not in text


def test_the_turned_flag_matches_the_pipeline_in_closed_form(credit_demo):
    """The demo is a one-hot logistic pipeline: the contributions of an input are the sum,
    over its encoded columns, of w (t(x) - mean over the background of t), on the log-odds;
    recomputed here from the pipeline's own coefficients and the same background rows."""
    model, X = credit_demo.inputs
    refused = X.index[model.predict(X) == 0]
    people = credit_demo.explain_people(refused)
    bg = np.sort(np.random.default_rng(0).choice(len(X), 100, replace=False))
    encode, lr = model.named_steps["encode"], model.named_steps["classify"]
    T = encode.transform(X)
    T = T.toarray() if hasattr(T, "toarray") else np.asarray(T)
    names = encode.get_feature_names_out()
    w = lr.coef_[0]
    tied = credit_demo.protected_inputs(X)
    owned = np.array([any(n.split("__")[1].startswith(c) for c in tied) for n in names])
    logit = model.decision_function(X.loc[refused])
    rows = T[[X.index.get_loc(i) for i in refused]]
    protected = (rows[:, owned] - T[bg][:, owned].mean(axis=0)) @ w[owned]
    expected = (logit - protected > 0) != (logit > 0)
    assert [p.turned for p in people] == expected.tolist()


def test_the_cut_off_is_stated_and_verified(credit_demo):
    model, X = credit_demo.inputs
    refused = X.index[model.predict(X) == 0]
    p = credit_demo.explain_person(refused[0])
    assert p.cutoff == Cutoff(0.5, False)
    text = notice_text(p, reference="1", lang="zh")
    assert "评分高于 0.50 时，模型作出有利决定" in text
    shown = re.search(r"评分为 ([0-9.]+)", text).group(1)
    assert float(shown) < 0.5 and shown != "0.50"
    # a threshold: decisions and the cut-off follow it
    audit = sa.Audit(model, X, threshold=0.3, explain=False, verbose=False,
                     sensitive={"nationality": "foreign_worker"},
                     policy=sa.Policy(n_bootstrap=100)).run()  # fmt: skip
    q = audit.explain_person(X.index[0])
    assert q.cutoff == Cutoff(0.3, True)
    assert q.favourable == (model.predict_proba(X.loc[[X.index[0]]])[0, 1] >= 0.3)
    assert decision_cutoff(np.array([0.2, 0.7]), np.array([True, False])) is None


def _notice(p, **kw):
    return notice_text(p, reference="7", lang="zh", **kw)


def test_involvement_rights_and_placeholders(credit_demo):
    model, X = credit_demo.inputs
    p = credit_demo.explain_person(X.index[model.predict(X) == 0][0])
    bare = _notice(p)
    placeholders = ("决定日期：待本机构填写", "是否有工作人员参与", "如何要求说明或申请人工复核")
    for placeholder in (*placeholders, "答复时限", "投诉渠道"):
        assert placeholder in bare
    assert bare.count("【待填写】") == 6
    assert "第四十六条" in bare and "第二十四条第三款" in bare
    meta = {
        "review": "到任一网点申请",
        "response_time": "15 个工作日内",
        "complaint": "消费者权益保护部",
    }
    full = _notice(p, metadata=meta, decided=date(2026, 11, 30), automation="fully_automated")
    assert "【待填写】" not in full and "决定日期：2026-11-30" in full
    assert "您有权拒绝" in full and "完全由模型自动作出" in full
    staff = _notice(p, metadata=meta, decided=date(2026, 11, 30), automation="human_review")
    assert "拒绝此类决定的权利因此不适用" in staff
    html = notice_html(p, reference="7", lang="zh")
    assert html.count('class="needs-review"') + html.count("needs-review") >= 6
    with pytest.raises(sa.errors.InputError, match="automation"):
        notice_text(p, reference="7", automation="sometimes")


def test_levels_are_shown_with_their_meaning(credit_demo):
    model, X = credit_demo.inputs
    people = credit_demo.explain_people(X.index[model.predict(X) == 0])
    said = " ".join(r.sentence.zh for p in people for r in p.reasons)
    assert "等级" not in said
    coded = [r for p in people for r in p.reasons if r.column in {"existing_credits",
             "num_dependents", "installment_rate", "residence_since"}]  # fmt: skip
    assert coded and all("“" in r.shown.zh for r in coded)  # a label, not a bare code


# --------------------------------------------------------------------------------------------
# each checker rule catches a bad notice
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def refused_one(synthetic):
    X, model, people = synthetic
    return X, model, next(p for p in people if not p.favourable and p.protected)


def test_the_checker_catches_an_undisclosed_protected_input(refused_one):
    _, _, p = refused_one
    assert notice_problems(p, sensitive=list(TIED)) == []
    hidden = replace(p, protected=())
    found = notice_problems(hidden, sensitive=list(TIED))
    assert any(f.startswith("disclosure:") and "not disclosed" in f for f in found)
    claims = replace(p, protected=(), grounds=(Message("性别", "gender"),))
    found = notice_problems(claims, sensitive=list(TIED))
    assert any("says no protected information weighed" in f for f in found)


def test_the_checker_catches_undeclared_and_wrong_way_recourse(refused_one):
    _, _, p = refused_one
    option = RecourseOption(
        changes=(
            Change(
                "debts", Message("负债", "debts"), 1.0, 3.0, Message("1", "1"),
                Message("3", "3"), 1.0,
            ),
        ),
        cost=1.0, decision_after=1, score_after=0.6,
    )  # fmt: skip
    undeclared = replace(p, recourse=(option,), recourse_offered=False)
    assert any(f.startswith("recourse:") for f in notice_problems(undeclared))
    wrong = replace(p, recourse=(option,), recourse_offered=True)
    found = notice_problems(wrong, value_order={"debts": "lower"})
    assert any(f.startswith("direction:") for f in found)
    assert not any(f.startswith("direction:") for f in notice_problems(wrong))


def test_the_checker_catches_codes_and_typical_reasons(credit_demo):
    model, X = credit_demo.inputs
    refused = X.index[model.predict(X) == 0]
    labels = {
        **credit_demo.feature_labels,
        "installment_rate": ("月供等级", "instalment level", ""),
    }
    people = sa.explain.explain_people(
        model, X, refused, sensitive=credit_demo.protected_inputs(X), feature_labels=labels,
        value_labels=None,
    )  # fmt: skip
    checks = notice_checks(X, list(credit_demo.protected_inputs(X)), labels, None)
    assert "installment_rate" in checks["coded"]
    flagged = [p for p in people if "installment_rate" in {r.column for r in p.reasons}]
    assert flagged
    for p in flagged:
        assert any(f.startswith("code: 'installment_rate'") for f in notice_problems(p, **checks))
    r = people[0].reasons[0]
    typical = replace(people[0], reasons=(replace(r, typical=r.shown),))
    assert any(f.startswith("reason:") for f in notice_problems(typical))


def test_a_one_language_notice_holds_no_sentence_of_the_other(refused_one, tmp_path):
    _, _, p = refused_one
    english = {"review": "Customers may ask for a human review in writing within 15 days"}
    batch = write_notices([p], ["a"], tmp_path / "zh", lang="zh", metadata=english)
    assert any(f.startswith("language:") for f in batch.problems["a"])
    chinese = {"review": {"zh": "可书面申请人工复核", "en": "Ask for a human review in writing"}}
    for lang in ("zh", "en"):
        batch = write_notices([p], ["a"], tmp_path / lang / "ok", lang=lang, metadata=chinese)
        found = [f for f in batch.problems.get("a", []) if f.startswith("language:")]
        assert found == [], found
        text = batch.text[0].read_text(encoding="utf-8")
        assert ("关于自动化决定的说明" in text) == (lang == "zh")


def test_the_checker_catches_months_without_their_measure_word(refused_one):
    _, _, p = refused_one
    r = p.reasons[0]
    bare = replace(p, reasons=(replace(r, sentence=Message("贷款期限 18 月", "Loan duration 18")),))
    assert any(f.startswith("unit: '18 月'") for f in notice_problems(bare))
    fine = replace(p, reasons=(replace(r, sentence=Message("贷款期限 18 个月", "18 months")),))
    assert not any(f.startswith("unit:") for f in notice_problems(fine))
