"""Art. 71 in the audit: plain-language summary, examples, notice, and the 72(4) link."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import szai_audit as sa
from szai_audit import Status
from szai_audit.explain.words import JARGON

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _by_ground(result, ground):
    return {f.check: f for f in result.findings if f.ground == ground}


@pytest.fixture(scope="module")
def lending():
    rng = np.random.default_rng(0)
    n = 1500
    sex = rng.choice(["female", "male"], n)
    X = pd.DataFrame(
        {
            "income": rng.normal(50, 10, n),
            "duration": rng.integers(6, 60, n),
            "purpose": rng.choice(["car", "home", "education"], n),
            "title": np.where(sex == "female", "Ms", "Mr"),  # a proxy for sex
            "sex": sex,
        }
    )
    logit = 0.1 * (X["income"] - 50) - 0.04 * (X["duration"] - 30) + 0.6 * (X["purpose"] == "home")
    y = (logit + rng.normal(scale=1.0, size=n) > 0).astype(int)
    return X, y


def _pipe(columns, estimator):
    cat = [c for c in columns if c in ("purpose", "title", "sex")]
    num = [c for c in columns if c not in cat]
    pre = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore"), cat), ("num", "passthrough", num)]
    )
    return Pipeline([("pre", pre), ("model", estimator)])


LABELS = {
    "income": ("月收入", "monthly income", "千元/thousand yuan"),
    "duration": ("贷款期限", "loan duration", "月/months"),
    "purpose": ("贷款用途", "loan purpose"),
}


@pytest.fixture(scope="module")
def clean_result(lending):
    X, y = lending
    model = _pipe(["income", "duration", "purpose"], LogisticRegression(max_iter=500)).fit(X, y)
    return sa.Audit(
        model=model,
        data=X,
        y_true=y,
        sensitive={"gender": "sex"},
        feature_labels=LABELS,
        metadata={"purpose": "Loan pre-screening", "contact": "x@example.invalid"},
    ).run()


def test_summary_is_plain_short_and_exact(clean_result):
    summary = clean_result.explanation_summary
    assert summary is not None and 1 <= len(summary.sentences) <= 5
    first = summary.sentences[0]
    assert "月收入" in first.zh and "monthly income" in first.en
    # Every number in the summary is a share of a factor (or the count of the others).
    shares = {f"{100 * f.share:.1f}" for f in summary.factors}
    rest = summary.factors[3:]
    allowed = shares | {str(len(rest)), f"{100 * sum(f.share for f in rest):.1f}"}
    for s in summary.sentences:
        for lang in ("zh", "en"):
            for n in NUMBER.findall(s[lang]):
                assert n in allowed, (n, s[lang])
    top3 = [f"{100 * f.share:.1f}" for f in summary.factors[:3]]
    assert NUMBER.findall(first.en) == top3 and NUMBER.findall(first.zh) == top3
    # Directions: longer loans lower the chance, higher income raises it.
    words = " ".join(s.en for s in summary.sentences)
    assert "The higher the monthly income, the more likely a favourable decision." in words
    public = [m for s in summary.sentences for m in (s.zh, s.en)]
    public += [p for e in summary.examples for r in e.reasons for p in (r[0].zh, r[1].en)]
    public += clean_result.algorithm_notice(lang="bilingual").splitlines()
    for text in public:
        for word in JARGON:
            assert word.lower() not in text.lower(), (word, text)


def test_examples_are_de_identified(clean_result, lending):
    X, _ = lending
    summary = clean_result.explanation_summary
    k = clean_result.policy.k_anonymity
    assert summary.examples, "a favourable and an unfavourable example are expected"
    for e in summary.examples:
        assert e.shared_by >= k
        for label, value, _towards in e.reasons:
            if label.en in ("monthly income",):
                assert re.search(r"[<≥–]", value.en), value.en  # a range, not a value
    html = clean_result.to_html()
    # No individual income value appears in the report.
    for v in X["income"].head(200):
        assert f"{v:.4f}" not in html and f"{v:.6g}" not in html


@pytest.mark.slow
def test_attribution_share_finding(lending):
    X, y = lending
    uses_sex = _pipe(["income", "duration", "sex"], GradientBoostingClassifier(n_estimators=40))
    X2 = X.copy()
    y2 = ((y == 1) | ((X["sex"] == "male") & (X["income"] > 45))).astype(int)
    result = sa.Audit(
        model=uses_sex.fit(X2, y2), data=X2, y_true=y2, sensitive={"gender": "sex"}
    ).run()
    f = _by_ground(result, "gender")["fairness.attribution_share"]
    assert f.status is Status.FAIL
    assert f.value == pytest.approx(result.explanation_summary.share("sex"))
    proxy = _pipe(["income", "duration", "title"], GradientBoostingClassifier(n_estimators=40))
    result = sa.Audit(
        model=proxy.fit(X2, y2), data=X2, y_true=y2, sensitive={"gender": "sex"}
    ).run()
    f = _by_ground(result, "gender")["fairness.attribution_share"]
    # "title" all but equals sex (a perfect proxy): its share counts as the attribute's own,
    # and the finding never says the model does not use the attribute.
    assert f.status is Status.FAIL and "title" in f.details["proxy_shares"]
    assert "does not use the gender column itself, but" in f.message.en
    assert "through it the model uses gender" in f.message.en
    assert "模型通过它使用了性别信息" in f.message.zh


def test_clean_model_passes_and_notice(clean_result):
    f = _by_ground(clean_result, "gender")["fairness.attribution_share"]
    assert f.status is Status.PASS
    produced = next(x for x in clean_result.findings if x.check == "explanation.produced")
    assert produced.status is Status.PASS and produced.article == "71"
    notice = next(x for x in clean_result.findings if x.check == "explanation.notice_complete")
    assert notice.status is Status.NEEDS_REVIEW
    assert notice.details["missing"] == ["affected", "decision_process", "appeal"]
    assert "适用对象、决定与复核方式、申诉途径" in notice.message.zh
    assert "metadata" not in notice.message.zh and "系统负责人" in notice.message.zh
    text = clean_result.algorithm_notice(lang="zh")
    for heading in ("基本原理", "目的意图", "主要因素及其影响", "运行机制", "复核与申诉"):
        assert heading in text
    assert "（未提供）" in text and "Loan pre-screening" in text and "加权评分公式" in text
    en = clean_result.algorithm_notice(lang="en")
    assert "Basic principle" in en and "基本原理" not in en
    page = clean_result.algorithm_notice(fmt="html")
    assert page.startswith("<!DOCTYPE html>") and "http" not in page and "<script" not in page
    with pytest.raises(sa.errors.ReportError):
        clean_result.algorithm_notice(fmt="pdf")


def test_report_and_json_carry_the_explanation(clean_result):
    data = clean_result.to_dict()
    jsonschema.validate(data, SCHEMA)
    ex = data["explanation"]
    assert ex["rows_explained"] == clean_result.explanation.n_rows
    assert ex["additivity_error"] <= 1e-6
    assert [f["feature"] for f in ex["factors"]] == list(
        clean_result.explanation.importance().index
    )
    assert "sex" in ex["unused_columns"]
    html = clean_result.to_html(lang="en")
    assert 'id="art-71"' in html and 'id="chart-explanation"' in html
    assert "Technical appendix" in html and "Shapley" in html
    assert data["algorithm_notice"][0]["heading"]["en"] == "Basic principle"


def test_no_explanation_without_the_model_or_when_switched_off(lending):
    X, y = lending
    preds = sa.Audit(y_pred=y, data=X, sensitive={"gender": "sex"}).run()
    f = next(x for x in preds.findings if x.check == "explanation.produced")
    assert f.status is Status.NOT_ASSESSED and preds.explanation is None
    assert _by_ground(preds, "gender")["fairness.attribution_share"].status is Status.NOT_ASSESSED
    model = _pipe(["income"], LogisticRegression()).fit(X, y)
    off = sa.Audit(model=model, data=X, sensitive={"gender": "sex"}, explain=False).run()
    f = next(x for x in off.findings if x.check == "explanation.produced")
    assert f.status is Status.NOT_ASSESSED and "switched off" in f.message.en


def test_regression_explanation_wording(lending):
    X, _ = lending
    amount = 200 * X["income"] - 30 * X["duration"]
    model = _pipe(["income", "duration"], Ridge()).fit(X, amount)
    result = sa.Audit(
        model=model,
        data=X,
        y_true=amount,
        task="regression",
        sensitive={"gender": "sex"},
        feature_labels=LABELS,
    ).run()
    words = " ".join(s.en for s in result.explanation_summary.sentences)
    zh = "".join(s.zh for s in result.explanation_summary.sentences)
    # The amount rises with income and falls with duration: said of the output, in words.
    assert "The higher the monthly income, the higher the model's output." in words
    assert "The higher the loan duration, the lower the model's output." in words
    assert "月收入越高，模型给出的数值越高。" in zh and "higher" not in zh
    appendix = " ".join(a.zh for a in result.explanation_summary.appendix)
    assert "higher" not in appendix and "模型给出的数值（数值本身；越高对当事人越有利）" in appendix
    assert result.explanation_summary.examples == []
    # The public notice speaks of results, in plain words; no code, no system-name placeholder.
    en = result.algorithm_notice(lang="en")
    zh = result.algorithm_notice(lang="zh")
    assert "combines the factors below into its result" in en and "计算出结果" in zh
    assert "decision" not in en.split("Purpose")[0]
    assert "This system uses" in en and "本系统使用" in zh and "this system" not in zh


@pytest.mark.slow
def test_notice_has_no_code_or_placeholders(clean_result, lending):
    for lang in ("zh", "en", "bilingual"):
        text = clean_result.algorithm_notice(lang=lang)
        for code in ("predict(", "score >=", "func(", "(1), else 0", "/ this system"):
            assert code not in text, (lang, code)
    en = clean_result.algorithm_notice(lang="en")
    assert "a fixed rule turns the score into the decision" in en
    # A label-returning function as the model: still explained, on its decisions.
    X, y = lending
    cut = float(X["income"].median())
    rule = sa.CallableModel(lambda d: np.where(d["income"] > cut, "approve", "decline"))
    labels = np.where(y == 1, "approve", "decline")
    result = sa.Audit(
        model=rule, data=X, y_true=labels, favorable_label="approve", sensitive={"gender": "sex"}
    ).run()
    assert result.explanation is not None and result.explanation.output_space == "decision"
    assert result.explanation_summary.factors[0].feature == "income"
    assert _by_ground(result, "gender")["fairness.attribution_share"].status is Status.PASS
