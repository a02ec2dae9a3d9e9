"""The Art. 72(2)(iv) sentences a person reads: one term per concept, calibrated claims, native
Chinese numbers, and the page-1 statements, on the demo audit (built by ``run_demo``)."""

from __future__ import annotations

import json
import re

import pytest

from szai_audit import AuditResult
from szai_audit.core.findings import Status
from szai_audit.core.messages import MINUS, Message
from szai_audit.fairness import page, words
from szai_audit.fairness.checks import ARTICLE, FLIP, TURNED
from szai_audit.fairness.findings.inputs import flip_finding
from szai_audit.fairness.proxies import PERFECT_PROXY_AUC, stand_in

#: Checks whose sentences are written by another article (the explanation's share).
_ELSEWHERE = ("fairness.attribution_share",)


@pytest.fixture(scope="module")
def demo(
    credit_demo: AuditResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[AuditResult, dict]:
    """The demo audit's result and its JSON, as ``szai-audit demo`` writes them: ``run_demo``
    writes the HTML, then the JSON, of ``demo_result()``, which the session's ``credit_demo``
    (tests/conftest.py) already holds; it is not audited a second time."""
    out = tmp_path_factory.mktemp("demo")
    credit_demo.to_html(out / "demo_report.html")
    credit_demo.to_json(out / "demo_report.json")
    return credit_demo, json.loads((out / "demo_report.json").read_text(encoding="utf-8"))


def _ours(doc: dict) -> list[dict]:
    return [f for f in doc["findings"] if f["article"] == ARTICLE and f["check"] not in _ELSEWHERE]


def test_one_term_for_the_favourable_decision_rate(demo):
    """The demo names its favourable decision (获批 / approval): its rate is 获批比例 /
    approval rate in every finding, never another term for it."""
    _, doc = demo
    texts = [f["message"]["zh"] + f["title"]["zh"] for f in _ours(doc)]
    assert texts
    for text in texts:
        assert "选择率" not in text and "有利决定率" not in text and "批准率" not in text, text
    english = " ".join(f["message"]["en"] + f["title"]["en"] for f in _ours(doc))
    assert "selection rate" not in english.lower()
    assert "favourable-decision rate" not in english.lower()
    assert "获批比例" in " ".join(texts) and "approval rate" in english.lower()
    assert doc["scope"]["favorable_name"] == {"zh": "获批", "en": "approval"}


def test_no_claim_of_discrimination(demo):
    _, doc = demo
    for f in doc["findings"]:
        if f["article"] != ARTICLE:
            continue
        assert "构成直接歧视" not in f["message"]["zh"], f["message"]["zh"]
        assert "direct discrimination" not in f["message"]["en"].lower()
        assert "违规" not in f["message"]["zh"]
    flips = [f for f in doc["findings"] if f["check"] == FLIP.id and f["status"] == "FAIL"]
    assert flips, "the demo's nationality flip test fails"
    for f in flips:
        assert "如无正当理由，可能构成第七十二条第二款第（四）项所禁止的歧视" in f["message"]["zh"]
        assert "may be discrimination of the kind Art. 72(2)(iv) forbids" in f["message"]["en"]


def test_chinese_numbers_read_natively(demo):
    _, doc = demo
    for f in _ours(doc):
        zh = f["message"]["zh"]
        assert not re.search(r"[+＋]\d", zh), zh  # no sign before a positive number
        assert not re.search(r"(^|[\s（(，、])-\d", zh), zh  # minus is U+2212
        assert "正数表示" not in zh and "实际“1”比例" not in zh, zh
        assert "P10 (" not in zh and "P10 =" not in zh, zh
        assert not re.search(r"\[\d", zh), zh  # intervals as "a 至 b", not "[a, b]"
    trend = next(f for f in doc["findings"] if f["check"] == "fairness.trend")
    assert "第10百分位（24 岁）" in trend["message"]["zh"]
    gender = next(
        f
        for f in doc["findings"]
        if f["check"] == "fairness.conditional_gap" and f["ground"] == "gender"
    )
    assert "处于不利地位" in gender["message"]["zh"]


def test_minus_sign_in_a_negative_interval(demo):
    _, doc = demo
    fpr = next(
        f
        for f in doc["findings"]
        if f["check"] == "fairness.false_positive_rate_difference" and f["ground"] == "gender"
    )
    assert fpr["ci"][0] < 0
    assert f"{MINUS}{abs(100 * fpr['ci'][0]):.1f} 至" in fpr["message"]["zh"]


def test_perfect_proxy_is_not_a_pass(demo):
    result, _ = demo
    perfect = stand_in(result.fairness.proxies["gender"])
    assert perfect is not None and perfect[1] >= PERFECT_PROXY_AUC
    assert perfect[0] == "personal_status"
    labels = {"personal_status": ("婚姻状况与性别", "marital status and sex")}
    f = flip_finding(
        result.fairness.flips["gender"],
        "gender",
        result.policy,
        proxy=result.fairness.proxies["gender"],
        labels=labels,
    )
    assert f.status is Status.NEEDS_REVIEW
    assert "“婚姻状况与性别”几乎完全等同于性别" in f.message.zh
    assert "未直接使用性别一栏" in f.message.zh
    # Without the proxy report the same test passes: the stand-in is what turns it to review.
    assert (
        flip_finding(result.fairness.flips["gender"], "gender", result.policy).status is Status.PASS
    )
    said = [s for s in page.conclusion_statements(result) if "fairness.proxy@gender" in s.checks]
    assert said and all(s.status is not Status.PASS for s in said)
    assert "几乎完全等同于性别" in said[0].text.zh
    assert said[0].action is not None and "正当理由" in said[0].action.zh


def test_statements_most_serious_first_with_actions(demo):
    result, _ = demo
    said = page.conclusion_statements(result)
    assert said
    severities = [s.status.severity for s in said]
    assert severities == sorted(severities)
    assert said[0].status is Status.FAIL
    anchors = {s["anchor"] for s in page.sections(result, "zh")}
    for s in said:
        # a statement about every ground together (the decisions turned) has no ground section
        together = s.checks == (f"{TURNED.id}@",)
        assert s.article == "72(4)" and s.checks and (s.anchor in anchors or together)
        if s.status in (Status.FAIL, Status.WARN):
            assert s.action is not None, s.text.zh
        assert "选择率" not in s.text.zh and "构成直接歧视" not in s.text.zh
    flip = next(s for s in said if f"{FLIP.id}@nationality" in s.checks)
    assert flip.status is Status.FAIL
    assert "13 人中 30.8% 的决定随之改变" in flip.text.zh
    assert "去除该属性及其代理变量" in flip.action.zh
    rates = next(s for s in said if "fairness.conditional_gap@gender" in s.checks)
    # The WARN's interval is the one its status rests on: adjusted for the 7 questions asked
    # about gender (1 - 2 x 0.05 / 7), so that it reaches across the tolerance (issue 28).
    assert (
        "控制“贷款金额”、“贷款期限”后仍差 11.8 个百分点（98.57% 置信区间 −0.7 至 24.3）"
        in rates.text.zh
    )
    small = next(
        s for s in said if "fairness.demographic_parity_difference@nationality" in s.checks
    )
    assert small.status is Status.INSUFFICIENT_DATA and "组太小" in small.text.zh


def test_limits_name_small_groups_and_missing_grounds(demo):
    result, _ = demo
    text = " ".join(m.zh for m in page.limits(result))
    assert "“非外籍”（13 人）" in text  # the demo's label of foreign_worker = "no"
    assert "种族" in text and "宗教信仰" in text


def test_empty_columns_are_not_rendered(demo):
    result, _ = demo
    for section in page.sections(result, "zh"):
        table = section["table"]
        if table is None:
            continue
        for j in range(len(table["columns"])):
            assert any(r["cells"][j]["text"] != "—" for r in table["rows"])


def test_words_alone():
    assert words.trend_end("P90 (52)", words.GROUND_UNITS["age"]).zh == "第90百分位（52 岁）"
    assert words.rate_label("selection_rate").zh == "有利决定率"
    named = words.rate_label("selection_rate", name=Message("低风险", "low risk"))
    assert named.to_dict() == {"zh": "低风险比例", "en": "Low risk rate"}
    m = words.stmt_flip("nationality", source="否", target="是", n=1234, changed=0.308)
    assert m.zh == "国籍：只把国籍从“否”改为“是”、其他条件不变，1,234 人中 30.8% 的决定随之改变。"
    assert "−" in words.fmt_value("selection_rate", -0.05)


def _rates_audit(tmp_path, **kw):
    """Decisions with a gap by race, outcomes and scores, legitimate factors and a numeric
    ground (every sentence about the favourable decision's rate), as a result and its HTML."""
    import numpy as np
    import pandas as pd

    import szai_audit as sa

    rng = np.random.default_rng(21)
    n = 1200
    race = rng.choice(["a", "b"], n)
    age = rng.uniform(20, 70, n)
    score = np.clip(np.where(race == "a", 0.45, 0.65) + rng.normal(0, 0.2, n), 0, 1)
    y_true = (rng.random(n) < score).astype(int)
    data = pd.DataFrame({"debt": rng.normal(size=n), "race": race, "age": age})
    result = sa.Audit(
        y_score=score,
        y_true=y_true,
        data=data,
        sensitive={"race": "race", "age": "age"},
        legitimate_factors=["debt"],
        explain=False,
        **kw,
    ).run(random_state=0)
    path = tmp_path / "report.html"
    result.to_html(path)
    return result, path.read_text(encoding="utf-8")


def _rate_texts(result) -> tuple[str, str]:
    """Every Chinese and English text of the Art. 72(2)(iv) findings, the page-1 statements
    and the method section."""
    from szai_audit.report.page import method_paragraphs

    parts = [f.message for f in result.findings if f.article == ARTICLE]
    parts += [f.title for f in result.findings if f.article == ARTICLE]
    parts += [s.text for s in page.conclusion_statements(result)]
    parts += [a.action for a in page.conclusion_statements(result) if a.action is not None]
    parts += method_paragraphs(result.scope, result.policy)
    return " ".join(m.zh for m in parts), " ".join(m.en for m in parts)


def _no_approval(zh: str, en: str, html: str) -> None:
    """No approval is said of the favourable decision (the committee may still approve the
    report: its sign-off is not about the decision audited)."""
    assert "批准" not in zh and "approv" not in en.lower()
    assert "批准率" not in html and "获批" not in html
    assert not re.search(r"approv\w*[ -]rate|rate of approv|approved less", html, re.I)


def test_the_favourable_decision_is_named_neutrally_or_as_the_user_names_it(tmp_path):
    """Without a name the favourable decision's rate is the neutral 有利决定率 /
    favourable-decision rate, never an approval (the decision may be "low risk" or "income over
    50K"); favorable_name=(zh, en) names it in every sentence, title, table and chart, and the
    JSON records it; a name that is not one text or a pair of texts is refused."""
    import szai_audit as sa
    from szai_audit import errors

    plain, html = _rates_audit(tmp_path)
    zh, en = _rate_texts(plain)
    _no_approval(zh, en, html)
    assert "有利决定率" in zh and "favourable-decision rate" in en.lower()
    assert "有利决定率" in html and "favourable-decision rate" in html.lower()
    assert plain.to_dict()["scope"]["favorable_name"] is None
    named, html = _rates_audit(tmp_path, favorable_name=("低风险", "low risk"))
    zh, en = _rate_texts(named)
    _no_approval(zh, en, html)
    assert "低风险比例" in zh and "low risk rate" in en.lower()
    assert "低风险比例" in html and "low risk rate" in html.lower()
    assert "有利决定率" not in zh + html and "favourable-decision rate" not in (en + html).lower()
    assert named.to_dict()["scope"]["favorable_name"] == {"zh": "低风险", "en": "low risk"}
    ratio = next(f for f in named.findings if f.check == "fairness.selection_rate_ratio")
    assert ratio.title.to_dict() == {
        "zh": "低风险比例之比（五分之四规则）",
        "en": "Low risk rate ratio (four-fifths rule)",
    }
    for wrong, error in (
        (("低风险", "low risk", "x"), errors.InputTypeError),
        (3, errors.InputTypeError),
        (("", "low risk"), errors.InputError),
    ):
        with pytest.raises(error, match="favorable_name"):
            sa.Audit(
                y_pred=[0, 1] * 20, sensitive={"g": ["a", "b"] * 20}, favorable_name=wrong
            ).run()


def test_a_favourable_name_is_for_decisions_only():
    """Numeric outputs have a favourable side (favorable_direction), not a named decision."""
    import szai_audit as sa
    from szai_audit import errors

    with pytest.raises(errors.InputError, match="favorable_name names the favourable decision"):
        sa.Audit(
            y_pred=[1.0, 2.0] * 20,
            sensitive={"g": ["a", "b"] * 20},
            task="regression",
            favorable_name="high",
        ).run()
