"""Public texts never publish a discriminatory or perverse rule (issue 30, item 3).

The public algorithm notice (Art. 71) describes each main input as a rule. A sentence on an
input the audit found to be a protected ground or a strong proxy of one, or on an input whose
most favourable value contradicts the declared ``value_order``, is kept (the committee sees
what the model does) with a red NEEDS_REVIEW banner saying why: in the report, the saved
JSON, the standalone notice and the algorithm filing.
"""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from report_lint import lint, outstanding
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import szai_audit as sa
from szai_audit.core.findings import Status
from szai_audit.core.messages import Message
from szai_audit.explain.public import InputReview, NoticeParagraph, review_input
from szai_audit.filings import build_filing

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())
FACTORS = "Main factors and their effect"
#: The credit demo's inputs tied to a protected ground: the grounds' own columns among the
#: model's inputs, and the proxies with single-input AUC at or above the threshold.
DEMO_PROTECTED = {"sex", "foreign_worker", "age", "personal_status", "purpose"}


def _factor_paragraphs(doc):
    """The notice's paragraphs on the main factors, as the saved JSON holds them."""
    section = next(s for s in doc["algorithm_notice"] if s["heading"]["en"] == FACTORS)
    return section["paragraphs"]


def _notice_blocks(page: str) -> list[tuple[str, str | None]]:
    """The report's draft notice as (paragraph, banner or None), in order."""
    notice = page.split('<div class="notice">', 1)[1].split("</div>\n", 1)[0]
    out: list[tuple[str, str | None]] = []
    for m in re.finditer(
        r'<p>(.*?)</p>|<div class="review-banner" role="note">(.*?)</div>', notice
    ):
        if m.group(1) is not None:
            out.append((m.group(1), None))
        else:
            assert out and out[-1][1] is None, "a banner follows the sentence it is about"
            out[-1] = (out[-1][0], m.group(2))
    return out


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# ---------------------------------------------------------------------------------------------
# the credit demo: protected inputs
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_doc(credit_demo):
    return credit_demo.to_dict()


def test_the_demo_protected_inputs_are_the_grounds_and_their_strong_proxies(credit_demo):
    _, data = credit_demo.inputs
    found = set(credit_demo.protected_inputs(data))
    assert found == DEMO_PROTECTED  # the rule of the person notices and the proxy finding
    # The proxies among them: single-input AUC at or above the threshold, read independently.
    threshold = credit_demo.policy.proxy_auc_threshold
    proxies = {
        str(c)
        for r in credit_demo.fairness.proxies.values()
        for c, auc in r.features["auc"].items()
        if auc >= threshold
    }
    assert {"personal_status", "purpose"} <= proxies


def test_every_json_sentence_on_a_protected_input_needs_review_with_why(credit_demo, demo_doc):
    paragraphs = _factor_paragraphs(demo_doc)
    labels = {f.feature: f.label for f in credit_demo.explanation_summary.factors}
    named = 0
    for p in paragraphs:
        assert p["feature"] in labels
        protected = p["feature"] in DEMO_PROTECTED
        # a sentence names a protected input when it carries its display name
        names = {c for c in DEMO_PROTECTED if c in labels and labels[c].zh in p["zh"]}
        assert names <= ({p["feature"]} if protected else set()), p["zh"]
        if protected:
            named += 1
            assert p["status"] == "NEEDS_REVIEW"
            label = labels[p["feature"]]
            assert f"本句描述的输入（{label.zh}）" in p["reason"]["zh"]
            assert "不应将其作为决策规则公布" in p["reason"]["zh"]
            assert f"({label.en})" in p["reason"]["en"]
        elif p["feature"] == "credit_history":  # the demo's value_order: rewarded the wrong way
            assert p["status"] == "NEEDS_REVIEW" and "组织声明的优劣顺序" in p["reason"]["zh"]
        else:  # within the declared order, or none declared: nothing to review
            assert p["status"] is None and p["reason"] is None
    assert named == 2  # purpose and personal_status are among the notice's five factors
    jsonschema.validate(demo_doc, SCHEMA)


def test_the_schema_describes_the_status_and_reason(demo_doc):
    paragraph = _factor_paragraphs(demo_doc)[-1]
    assert paragraph["status"] == "NEEDS_REVIEW"
    for key, value in (("status", "FAIL"), ("reason", "text"), ("feature", 3)):
        broken = copy.deepcopy(demo_doc)
        _factor_paragraphs(broken)[-1][key] = value
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)
    missing = copy.deepcopy(demo_doc)
    del _factor_paragraphs(missing)[0]["status"]
    with pytest.raises(jsonschema.ValidationError, match="'status' is a required property"):
        jsonschema.validate(missing, SCHEMA)


def test_the_reason_says_which_ground_and_the_auc_against_the_threshold(credit_demo, demo_doc):
    by_feature = {p["feature"]: p for p in _factor_paragraphs(demo_doc)}
    reason = by_feature["personal_status"]["reason"]
    auc = credit_demo.fairness.proxies["gender"].features.loc["personal_status", "auc"]
    assert reason["zh"].startswith(
        f"本句描述的输入（婚姻状况与性别）是性别的代理变量（单变量 AUC {auc:.2f}，"
        f"本审计的代理变量阈值为 {credit_demo.policy.proxy_auc_threshold:.2f}）："
    )
    assert "is a proxy of gender (single-input AUC" in reason["en"]
    assert "nationality" in by_feature["purpose"]["reason"]["en"]
    assert "国籍的代理变量" in by_feature["purpose"]["reason"]["zh"]


def test_the_notice_finding_counts_the_sentences_and_says_why(credit_demo):
    notice = next(f for f in credit_demo.findings if f.check == "explanation.notice_complete")
    assert notice.status is Status.NEEDS_REVIEW
    reviewed = [r["feature"] for r in notice.details["review"]]
    assert reviewed == ["credit_history", "purpose", "personal_status"]
    assert "有 3 句须在发布前审查" in notice.message.zh
    assert "贷款用途、婚姻状况与性别" in notice.message.zh
    assert "3 of the draft's sentences" in notice.message.en
    explained = next(f for f in credit_demo.findings if f.check == "explanation.produced")
    assert explained.status is Status.PASS  # the explanation finding's own logic is unchanged


@pytest.mark.parametrize("lang", ["bilingual", "zh"])
def test_the_report_shows_a_red_banner_after_each_protected_sentence(credit_demo, lang):
    page = credit_demo.to_html(lang=lang)
    _, data = credit_demo.inputs
    ids = [*data.columns, *credit_demo.value_labels.by_column.get("purpose", {})]
    assert outstanding(lint(page, ids)) == []
    labels = {f.feature: f.label for f in credit_demo.explanation_summary.factors}
    blocks = _notice_blocks(page)
    flagged = 0
    for para, banner in blocks:
        text = _text(para)
        protected = [c for c in DEMO_PROTECTED if c in labels and labels[c].zh in text]
        if protected:
            flagged += 1
            assert banner is not None, text
            assert 'class="badge needs-review"' in banner and "待人工审查" in banner
            assert f"本句描述的输入（{labels[protected[0]].zh}）" in _text(banner)
        elif labels["credit_history"].zh in text:  # against the demo's value_order
            assert banner is not None and "组织声明的优劣顺序" in _text(banner), text
        elif "占全部影响" in text:
            assert banner is None, text
    assert flagged == 2
    assert ".review-banner" in page and "var(--fail)" in page  # red
    # the summary's direction sentence on a protected input carries the banner too
    summary = page.split('<div class="summary-sentences">', 1)[1].split("</div>\n", 1)[0]
    assert "贷款用途为" in summary and summary.count('class="review-banner"') == 2  # and history


def test_the_standalone_notice_carries_the_banners(credit_demo):
    zh = credit_demo.algorithm_notice(lang="zh").splitlines()
    for i, line in enumerate(zh):
        if line.startswith(("贷款用途：", "婚姻状况与性别：", "信用记录：")):
            assert zh[i + 1].startswith("【待人工审查】本句描述的输入"), zh[i + 1]
        elif line.startswith(("支票账户状况：", "储蓄：")):
            assert not zh[i + 1].startswith("【"), zh[i + 1]
    en = credit_demo.algorithm_notice(lang="en")
    assert en.count("[Needs review] The input this sentence describes") == 3
    page = credit_demo.algorithm_notice(lang="zh", fmt="html")
    assert page.count('<div class="review-banner" role="note">') == 3
    assert outstanding(lint(page, credit_demo.inputs[1].columns)) == []


def test_the_algorithm_filing_shows_the_same_banner(credit_demo, demo_doc):
    reasons = [p["reason"] for p in _factor_paragraphs(demo_doc) if p["status"]]
    filing = credit_demo.filing("algorithm")
    field = filing.part("public_content").fields[2]
    assert field.label.zh == "主要运行机制" and field.kind == "drafted"
    assert [why.to_dict() for _, why in field.review] == reasons
    for i, why in field.review:  # each banner follows the sentence it is about
        line = field.value.zh.split("\n")[i]
        assert why.zh.startswith(f"本句描述的输入（{line.split('：')[0]}）"), (line, why.zh)
    assert [why for _, _, why in filing.flagged] == [why for _, why in field.review]
    page = filing.to_html(lang="zh")
    assert page.count('<div class="review-banner" role="note">') == 3
    assert "须在发布前审查的句子：3 句" in page
    # a filing: not yet held to the prose rules (its model row names the class)
    assert lint(page, credit_demo.inputs[1].columns, prose=False) == []
    text = filing.to_text("zh")
    assert text.count("【待人工审查】本句描述的输入") == 3
    saved = filing.to_dict()["parts"][0]["fields"][2]["review"]
    assert [r["reason"] for r in saved] == reasons and {r["status"] for r in saved} == {
        "NEEDS_REVIEW"
    }
    # drafted again from the saved audit: the same banners
    again = build_filing("algorithm", demo_doc).part("public_content").fields[2]
    assert again.review == field.review


def test_a_filing_from_an_audit_saved_before_the_status_still_works(demo_doc):
    old = copy.deepcopy(demo_doc)
    del old["content_sha256"]  # an edited document is not a saved result
    for section in old["algorithm_notice"]:
        for p in section["paragraphs"]:
            for key in ("feature", "status", "reason"):
                del p[key]
    filing = build_filing("algorithm", old)
    field = filing.part("public_content").fields[2]
    assert field.review == () and filing.flagged == []
    assert "婚姻状况与性别" in field.value.zh  # the text as it was, with no banner
    assert "review-banner" not in filing.to_html().split("</style>", 1)[1]


# ---------------------------------------------------------------------------------------------
# value_order: a rule the organisation declared the other way round
# ---------------------------------------------------------------------------------------------

CREDIT_HISTORY = [  # worst to best, as the data holds them
    "critical account/ other credits existing (not at this bank)",
    "delay in paying off in the past",
    "existing credits paid back duly till now",
    "all credits at this bank paid back duly",
    "no credits taken/ all credits paid back duly",
]


@pytest.fixture(scope="module")
def ordered_demo(credit_demo, fast_policy):
    from szai_audit.demos import GERMAN_LABELS, GERMAN_VALUE_LABELS

    model, data = credit_demo.inputs
    return sa.Audit(
        model=model,
        data=data,
        sensitive={"gender": "sex", "nationality": "foreign_worker", "age": "age"},
        bins={"age": [25, 40, 60]},
        feature_labels=GERMAN_LABELS,
        value_labels=GERMAN_VALUE_LABELS,
        value_order={"credit_history": CREDIT_HISTORY},
        recourse=False,
        policy=fast_policy(),
        verbose=False,
    ).run(random_state=0)


def test_a_critical_account_rewarded_against_the_declared_order_is_flagged(ordered_demo):
    d = ordered_demo.explanation_summary
    history = next(f for f in d.factors if f.feature == "credit_history")
    best, worst = history.direction["raising"], history.direction["lowering"]
    # the model favours the category declared worst: the rule it would publish is perverse
    assert CREDIT_HISTORY.index(best) < CREDIT_HISTORY.index(worst)
    doc = ordered_demo.to_dict()
    by_feature = {p["feature"]: p for p in _factor_paragraphs(doc)}
    flagged = by_feature["credit_history"]
    assert flagged["status"] == "NEEDS_REVIEW"
    zh = flagged["reason"]["zh"]
    assert "模型在取值为“高风险账户，或在他行另有贷款”时最有利" in zh  # by its label
    assert "组织声明的优劣顺序认为“高风险账户，或在他行另有贷款”比" in zh
    assert "critical" not in zh
    assert "rewards what the organisation says should count against" in flagged["reason"]["en"]
    assert by_feature["checking_status"]["status"] is None  # no order, not protected
    notice = next(f for f in ordered_demo.findings if f.check == "explanation.notice_complete")
    assert "描述信用记录的句子中，模型最有利的取值与组织声明的优劣顺序相反" in notice.message.zh
    part = build_filing("algorithm", doc).part("public_content")
    assert any("信用记录" in why.zh for _, why in part.fields[2].review)
    notice_page = ordered_demo.algorithm_notice(lang="zh", fmt="html")
    assert notice_page.count('<div class="review-banner" role="note">') == 3
    assert outstanding(lint(notice_page, [*ordered_demo.inputs[1].columns, *CREDIT_HISTORY])) == []


@pytest.fixture(scope="module")
def synthetic():
    """A logistic model that rewards a better grade and a higher income (and knows no sex)."""
    rng = np.random.default_rng(3)
    n = 1200
    X = pd.DataFrame(
        {
            "grade": rng.choice(["A", "B", "C"], n),
            "income": rng.normal(50, 10, n),
            "region": rng.choice(["north", "south"], n),
        }
    )
    effect = X["grade"].map({"A": -1.2, "B": 0.0, "C": 1.2}) + 0.08 * (X["income"] - 50)
    y = (effect + rng.logistic(size=n) > 0).astype(int)
    sex = pd.Series(rng.choice(["female", "male"], n), name="sex")
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(), ["grade", "region"]),
            ("num", "passthrough", ["income"]),
        ]
    )
    model = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=1000))]).fit(X, y)
    return model, X, y, sex


def _audit(synthetic, order, fast_policy):
    model, X, y, sex = synthetic
    return sa.Audit(
        model=model,
        data=X,
        y_true=y,
        sensitive={"gender": sex},
        value_order=order,
        feature_labels={
            "grade": ("等级", "grade"),
            "income": ("收入", "income"),
            "region": ("地区", "region"),
        },
        value_labels={"region": {"north": ("北部", "north"), "south": ("南部", "south")}},
        recourse=False,
        policy=fast_policy(),
        verbose=False,
    ).run(random_state=0)


def _coefficients(model):
    """The fitted model's own weights, by one-hot column: an independent reading of which
    grade it favours."""
    names = model[:-1].get_feature_names_out()
    return dict(zip(names, model[-1].coef_[0], strict=True))


def test_an_order_the_model_agrees_with_is_not_flagged(synthetic, fast_policy):
    w = _coefficients(synthetic[0])
    assert w["cat__grade_A"] < w["cat__grade_B"] < w["cat__grade_C"] and w["num__income"] > 0
    result = _audit(synthetic, {"grade": ["A", "B", "C"], "income": "higher"}, fast_policy)
    assert result.explanation_summary.reviews == {}
    paragraphs = _factor_paragraphs(result.to_dict())
    assert {p["feature"] for p in paragraphs} >= {"grade", "income"}
    assert all(p["status"] is None and p["reason"] is None for p in paragraphs)
    assert 'review-banner" role' not in result.to_html(lang="zh")
    notice = next(f for f in result.findings if f.check == "explanation.notice_complete")
    assert notice.details["review"] == [] and "须在发布前审查" not in notice.message.zh


def test_an_order_the_model_contradicts_is_flagged_naming_both_values(synthetic, fast_policy):
    w = _coefficients(synthetic[0])
    best = max("ABC", key=lambda g: w[f"cat__grade_{g}"])
    worst = min("ABC", key=lambda g: w[f"cat__grade_{g}"])
    result = _audit(synthetic, {"grade": ["C", "B", "A"], "income": "lower"}, fast_policy)
    reviews = result.explanation_summary.reviews
    assert set(reviews) == {"grade", "income"}
    assert (reviews["grade"].best, reviews["grade"].worst) == (best, worst)
    assert not reviews["grade"].protected and reviews["income"].sign == 1
    by_feature = {p["feature"]: p for p in _factor_paragraphs(result.to_dict())}
    grade = by_feature["grade"]["reason"]
    assert f"模型在取值为“{best}”时最有利、为“{worst}”时最不利" in grade["zh"]
    assert f"ranks “{best}” below “{worst}”" in grade["en"]
    income = by_feature["income"]["reason"]
    assert "组织声明其取值越低应越有利，而模型在取值越高时越有利" in income["zh"]
    assert "declared that a lower value should help, but the model favours higher" in income["en"]
    assert by_feature["region"]["status"] is None
    notice = next(f for f in result.findings if f.check == "explanation.notice_complete")
    assert "有 2 句须在发布前审查" in notice.message.zh
    page = result.algorithm_notice(lang="zh", fmt="html")
    assert page.count('<div class="review-banner" role="note">') == 2
    assert outstanding(lint(page, [*result.inputs[1].columns, "north", "south"])) == []


# ---------------------------------------------------------------------------------------------
# the rule itself
# ---------------------------------------------------------------------------------------------


def test_review_input_flags_only_what_applies():
    cat = {"kind": "categorical", "raising": "late", "lowering": "on time"}
    assert review_input("history", cat) is None  # nothing declared, not protected
    assert review_input("history", cat, order=("on time", "late")) is None  # agrees
    assert review_input("history", cat, order=("late", "on time")).against_order
    assert review_input("history", cat, order=("late", "never")) is None  # "on time" not ranked
    flat = {"kind": "numeric", "sign": 0}
    assert review_input("income", flat, order="higher") is None  # no single direction
    same = {"kind": "categorical", "raising": "x", "lowering": "x"}
    assert review_input("c", same, order=("x", "y")) is None
    both = review_input("age", {"kind": "numeric", "sign": 1}, [("age", None), ("gender", 0.71)])
    assert both.grounds == ("age",) and both.proxies == (("gender", 0.71),)
    said = both.reason(Message("年龄", "age"))
    assert "是受保护的属性年龄本身，也是性别的代理变量（单变量 AUC 0.71" in said.zh
    assert "is age itself, a protected attribute, and is a proxy of gender" in said.en


def test_a_numeric_output_is_not_called_a_decision():
    review = InputReview("sex", grounds=("gender",))
    said = review.reason(Message("性别", "sex"), numeric_output=True)
    assert "不应将其作为计算规则公布" in said.zh and "rule of calculation" in said.en
    p = NoticeParagraph("性别：……", "sex: ...", "sex", Status.NEEDS_REVIEW, said)
    assert p == Message("性别：……", "sex: ...")  # still the paragraph's text where it is read
