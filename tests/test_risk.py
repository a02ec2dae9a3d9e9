"""Art. 66(2) risk tiers, Art. 71 applicability, the Art. 72 checklist and attestations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit import Status, errors
from szai_audit.core.findings import Finding
from szai_audit.core.messages import Message
from szai_audit.risk import Attestation, UseContext, assess, checklist, load_rules

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())


@pytest.mark.parametrize(
    ("context", "tier", "rule"),
    [
        (UseContext("judicial"), "HIGH", "high.public_power"),
        (
            UseContext("education", ["children"], automation="fully_automated"),
            "HIGH",
            "high.vulnerable_fully_automated",
        ),
        (
            UseContext("housing", reversible=False),
            "HIGH",
            "high.irreversible_in_high_impact_domain",
        ),
        (
            UseContext("credit_finance", automation="fully_automated", scale=100_000),
            "HIGH",
            "high.automated_at_scale_in_high_impact_domain",
        ),
        (
            UseContext("credit_finance", automation="fully_automated", scale=99_999),
            "MEDIUM",
            "medium.high_impact_domain",
        ),
        (UseContext("other", ["elderly"]), "MEDIUM", "medium.vulnerable_groups"),
        (
            UseContext("pricing_commerce", automation="fully_automated"),
            "MEDIUM",
            "medium.automated_consumer_pricing",
        ),
        (UseContext("recommendation_marketing", scale=2_000_000), "MEDIUM", "medium.large_scale"),
        (UseContext("pricing_commerce", automation="human_review"), "LOW", "default"),
        (UseContext("other"), "LOW", "default"),
    ],
)
def test_tiers_follow_the_rules(context, tier, rule):
    a = assess(context)
    assert (a.tier, a.rule) == (tier, rule)
    assert a.base_tier == tier and a.escalated_by == ()
    # Duties follow the tier (Art. 66(2)): assessment and early-warning only for high risk.
    words = " ".join(d.en for d in a.duties)
    if tier == "HIGH":
        assert "Ex-ante assessment" in words and "early-warning" in words
    else:
        assert "Ex-ante disclosure" in words and "Ex-post tracking" in words


def _fail(article: str) -> Finding:
    return Finding(
        check="fairness.selection_rate_ratio",
        article=article,
        status=Status.FAIL,
        message=Message("x", "x"),
        ground="gender",
    )


def _pass(article: str) -> Finding:
    return Finding(
        check="fairness.selection_rate_ratio",
        article=article,
        status=Status.PASS,
        message=Message("x", "x"),
        ground="gender",
    )


@pytest.mark.parametrize(
    "context",
    [
        UseContext("employment"),
        UseContext("judicial"),
        UseContext("recommendation_marketing"),
        UseContext("credit_finance", automation="fully_automated", scale=200_000),
        UseContext("other", vulnerable_groups=["elderly"]),
    ],
)
def test_the_tier_comes_from_the_use_and_never_moves_with_the_findings(context):
    # Issue 31, item 6: the inherent tier of a use neither falls because checks pass nor rises
    # because they fail; the failures are named beside it.
    alone = assess(context)
    passing = assess(context, [_pass("72(4)"), _pass("72(5)")])
    failing = assess(context, [_fail("72(4)"), _fail("72(5)"), _fail("71")])
    assert alone.tier == passing.tier == failing.tier
    assert alone.rule == passing.rule == failing.rule
    assert alone.duties == passing.duties == failing.duties
    assert failing.base_tier == failing.tier and failing.escalated_by == ()
    assert passing.concerns == () and alone.concerns == ()
    assert failing.concerns == ("fairness.selection_rate_ratio@gender",) * 3
    assert failing.to_dict()["concerns"] == list(failing.concerns)
    assert failing.to_dict()["escalated_by"] == []


def test_the_tier_statement_names_the_concerns_and_cites_supervision_not_duties():
    from szai_audit.risk.page import conclusion_statements, risk_part

    class _R:
        def __init__(self, findings):
            self.findings = findings
            self.risk = assess(UseContext("employment"), findings)
            self.checklist = ()

    (clean,) = conclusion_statements(_R([_pass("72(4)")]))
    (flagged,) = conclusion_statements(_R([_fail("72(4)"), _fail("72(5)")]))
    assert clean.status is flagged.status  # the same tier, the same badge
    assert "超出容许范围" not in clean.text.zh
    assert "另有 2 项检查结果超出容许范围" in flagged.text.zh
    assert "2 checks are beyond tolerance" in flagged.text.en
    for s in (clean, flagged):
        # Art. 66 describes the government's supervision: no duty derived from it
        assert "由此须" not in s.text.zh and "Duties that follow" not in s.text.en
        assert "第六十六条第二款规定的是市人民政府及其有关部门的监管模式" in s.text.zh
        assert "建议组织预先准备事前披露材料和事后跟踪安排" in s.text.zh
    part = risk_part(_R([_fail("72(4)")]))
    assert part is not None and part["concerns"] is not None
    assert "1 项" in part["concerns"].zh and "one check" in part["concerns"].en
    assert "第六十六条第三款" in part["preliminary"].zh
    assert risk_part(_R([]))["concerns"] is None  # type: ignore[index]


def test_an_older_rules_file_with_an_escalation_section_still_loads(tmp_path):
    shipped = (Path(sa.__file__).parent / "risk_rules.toml").read_text(encoding="utf-8")
    old = tmp_path / "old.toml"
    old.write_text(
        shipped.replace(
            "[article_71]",
            '[escalation]\narticles = ["72(4)"]\ndomains = ["employment"]\nzh = "x"\nen = "x"\n\n'
            "[article_71]",
        ),
        encoding="utf-8",
    )
    rules = load_rules(old)
    assert assess(UseContext("employment"), [_fail("72(4)")], rules=rules).tier == "MEDIUM"


def test_article_71_applicability():
    assert assess(UseContext("public_decision")).article_71_applies
    assert assess(UseContext("insurance")).article_71_applies
    other = assess(UseContext("recommendation_marketing"))
    assert not other.article_71_applies and "recommended" in other.article_71_reason.en


def test_rules_are_data_and_can_be_overridden(tmp_path):
    shipped = (Path(sa.__file__).parent / "risk_rules.toml").read_text(encoding="utf-8")
    path = tmp_path / "rules.toml"
    # A regulator's stricter variant: every recommendation system is high risk.
    path.write_text(
        shipped.replace(
            'domain = ["public_decision", "judicial", "public_security"]\nzh',
            'domain = ["public_decision", "judicial", "public_security", '
            '"recommendation_marketing"]\nzh',
            1,
        ),
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert rules.source == str(path)
    assert assess(UseContext("recommendation_marketing"), rules=rules).tier == "HIGH"
    assert assess(UseContext("recommendation_marketing")).tier == "LOW"
    bad = tmp_path / "bad.toml"
    cases = [
        ('tier = "SEVERE"', "tier must be one of"),
        ('tier = "LOW"\ncolour = 1', "unknown keys \\['colour'\\]"),
        ('tier = "LOW"\ndomain = ["mars"]', "domain"),
        ('tier = "LOW"\nreversible = "false"', "reversible must be true or false"),
        ('tier = "LOW"\nscale_at_least = "100"', "scale_at_least must be an integer"),
        ('tier = "LOW"\nautomation = "fully_automated"', "automation must be a list"),
    ]
    for body, error in cases:
        rule = f'\n[[rule]]\nid = "extra"\nzh = "x"\nen = "x"\n{body}\n'
        bad.write_text(shipped.replace("[article_71]", rule + "\n[article_71]"), encoding="utf-8")
        with pytest.raises(errors.InputError, match=error):
            load_rules(bad)
    # A misspelt section, or a missing one, is refused rather than silently ignored.
    bad.write_text(shipped.replace("[[rule]]", "[[rules]]"), encoding="utf-8")
    with pytest.raises(errors.InputError, match="unknown sections \\['rules'\\]"):
        load_rules(bad)
    bad.write_text(shipped.split("[article_71]")[0], encoding="utf-8")
    with pytest.raises(errors.InputError, match="lacks the \\[article_71\\]"):
        load_rules(bad)
    bad.write_text("this is = not toml [")
    with pytest.raises(errors.InputError, match="not valid TOML"):
        load_rules(bad)
    with pytest.raises(errors.InputError, match="does not exist"):
        load_rules(tmp_path / "missing.toml")


def test_context_and_attestation_validation():
    with pytest.raises(errors.InputError, match="automation must be one of"):
        UseContext("insurance", automation="autopilot")
    with pytest.raises(errors.InputError, match="vulnerable_groups"):
        UseContext("insurance", ["teenagers"])
    with pytest.raises(errors.InputTypeError, match="vulnerable_groups must be a list"):
        UseContext("insurance", "children")
    with pytest.raises(errors.InputError, match="scale"):
        UseContext("insurance", scale=-1)
    with pytest.raises(errors.InputError, match="item must be an integer 1 to 7"):
        Attestation(8, "a", "b", "2026-01-01", "c")
    with pytest.raises(errors.InputError, match="ISO date"):
        Attestation(1, "a", "b", "29/11/2026", "c")
    with pytest.raises(errors.InputError, match="reviewer must be non-empty"):
        Attestation(1, " ", "b", "2026-01-01", "c")
    with pytest.raises(errors.InputError, match="conclusion"):
        Attestation(1, "a", "b", "2026-01-01", "c", conclusion="maybe")
    import datetime

    assert Attestation(1, "a", "b", datetime.date(2026, 1, 2), "c").date == "2026-01-02"


def test_checklist_statuses():
    findings = [_fail("72(4)")]
    items = {i.item: i for i in checklist(findings)}
    assert items[4].status is Status.FAIL and items[4].basis == "measured"
    assert items[4].evidence[0]["check"] == "fairness.selection_rate_ratio"
    for i in (1, 2, 3, 5, 6, 7):
        assert items[i].status is Status.NEEDS_REVIEW and items[i].basis == "needs_review"
    att = [
        Attestation(1, "张伟", "主任", "2026-11-29", "不涉及。"),
        Attestation(6, "李娜", "法务", "2026-11-29", "使用了换脸。", conclusion="fail"),
        # A reviewer cannot overrule a measurement that passed, only report a failure.
        Attestation(4, "王强", "委员", "2026-11-29", "发现投诉。", conclusion="fail"),
    ]
    items = {i.item: i for i in checklist([], att)}
    assert items[1].status is Status.PASS and items[1].basis == "attested"
    assert items[6].status is Status.FAIL
    assert items[4].status is Status.FAIL and items[4].basis == "attested"
    passed = Finding("fairness.x", "72(4)", Status.PASS, Message("x", "x"))
    items = {i.item: i for i in checklist([passed], att[2:])}
    assert items[4].status is Status.FAIL and items[4].basis == "measured"
    with pytest.raises(errors.InputTypeError):
        checklist([], [{"item": 1}])


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    n = 600
    data = pd.DataFrame({"x": rng.normal(size=n), "sex": rng.choice(["f", "m"], n)})
    y = (data["x"] + rng.normal(size=n) > 0).astype(int)
    model = LogisticRegression().fit(data[["x"]], y)
    return data, y, model


def test_audit_carries_tier_checklist_and_article_71(small, tmp_path):
    frame, y, model = small
    data, sex = frame[["x"]], frame["sex"].to_numpy()  # sex is not a model input
    context = UseContext("credit_finance", automation="fully_automated", scale=500_000)
    # Without an explanation where Art. 71 applies: FAIL.
    no_expl = sa.Audit(
        model=model,
        data=data,
        y_true=y,
        sensitive={"gender": sex},
        explain=False,
        context=context,
    ).run()
    produced = next(f for f in no_expl.findings if f.check == "explanation.produced")
    assert produced.status is Status.FAIL and "Art. 71 applies" in produced.message.en
    assert no_expl.risk is not None and no_expl.risk.tier == "HIGH"
    # With it: PASS; and without a context the tier is not assessed and nothing turns FAIL.
    attest = Attestation(1, "张伟", "伦理委员会主任", "2026-11-29", "不涉及国家安全。")
    full = sa.Audit(
        model=model,
        data=data,
        y_true=y,
        sensitive={"gender": sex},
        context=context,
        attestations=[attest],
    ).run()
    assert next(f for f in full.findings if f.check == "explanation.produced").status is Status.PASS
    bare = sa.Audit(
        model=model, data=data, y_true=y, sensitive={"gender": sex}, explain=False
    ).run()
    assert next(f for f in bare.findings if f.check == "explanation.produced").status is (
        Status.NOT_ASSESSED
    )
    (tier,) = [f for f in bare.findings if f.check == "risk.tier"]
    assert tier.status is Status.NOT_ASSESSED and bare.risk is None
    # The checklist: item 1 attested, item 4 measured, the rest awaiting review.
    items = {i.item: i for i in full.checklist}
    assert items[1].status is Status.PASS and items[4].basis == "measured"
    item1 = next(f for f in full.findings if f.check == "ethics.item_1")
    assert item1.status is Status.PASS and "张伟" in item1.message.zh
    assert next(f for f in full.findings if f.check == "ethics.item_3").status is (
        Status.NEEDS_REVIEW
    )
    # JSON and report.
    d = full.to_dict()
    jsonschema.validate(d, SCHEMA)
    assert (
        d["risk"]["tier"] == "HIGH" and d["checklist"][0]["attestations"][0]["reviewer"] == "张伟"
    )
    html = full.to_html()
    for anchor in ('id="art-72"', 'id="art-33"', 'class="signoff"', "tier-high"):
        assert anchor in html
    assert "high.automated_at_scale_in_high_impact_domain" in html
    with pytest.raises(errors.InputTypeError, match="context must be"):
        sa.Audit(y_pred=y, data=data, sensitive={"gender": sex}, context="credit").run()


def test_privacy_scan_in_the_audit_feeds_article_33_and_item_2(small):
    from test_privacy import make_ids

    frame, y, _ = small
    n = len(frame)
    ids = make_ids(n, seed=3)
    data = frame.assign(id_number=ids, age=np.random.default_rng(1).integers(18, 80, n))
    before = data.copy(deep=True)
    result = sa.Audit(
        y_pred=y,
        data=data,
        sensitive={"gender": "sex"},
        privacy={"quasi_identifiers": ["age", "sex"]},  # data to be provided: external
    ).run()
    pd.testing.assert_frame_equal(data, before)
    found = {f.check: f for f in result.findings if f.article == "33"}
    assert found["privacy.direct_identifiers"].status is Status.FAIL
    assert found["privacy.k_anonymity"].status in (Status.PASS, Status.FAIL)
    assert "privacy.not_scanned" not in found
    item2 = next(i for i in result.checklist if i.item == 2)
    # measured in part (de-identification only): the scan's FAIL, the rest awaiting review
    assert item2.status is Status.FAIL and item2.basis == "partly_measured"
    rest = next(f for f in result.findings if f.check == "ethics.item_2")
    assert rest.status is Status.NEEDS_REVIEW
    # The report and the JSON carry masked examples only, never an identity number.
    html, text = result.to_html(), result.to_json()
    assert "**" in html and 'id="art-33"' in html
    for raw in ids[:50]:
        assert raw not in html and raw not in text
    jsonschema.validate(json.loads(text), SCHEMA)
    # A scan of other data (the extract to be shared) is reported as it is.
    scan = sa.privacy.scan(data[["age"]], quasi_identifiers=["age"])
    shared = sa.Audit(y_pred=y, data=data, sensitive={"gender": "sex"}, privacy=scan).run()
    assert shared.privacy is scan
    with pytest.raises(errors.InputTypeError, match="privacy must be"):
        sa.Audit(y_pred=y, data=data, sensitive={"gender": "sex"}, privacy="yes").run()


def test_review_fixes_for_contexts_attestations_and_escalation():
    # numpy numbers are accepted and stored as Python ones.
    ctx = UseContext("credit_finance", scale=np.int64(5000), reversible=np.bool_(True))
    assert type(ctx.scale) is int and ctx.reversible is True
    a = Attestation(np.int64(2), "a", "b", "2026-01-02", "c")
    assert type(a.item) is int
    with pytest.raises(errors.InputError, match="ISO date"):
        Attestation(1, "a", "b", "20261129", "c")
    with pytest.raises(errors.InputError, match="in the future"):
        Attestation(1, "a", "b", "2999-01-01", "c")
    with pytest.raises(errors.InputError, match="item must be an integer"):
        Attestation(1.0, "a", "b", "2026-01-02", "c")
    # A failure raises nothing, and nothing is reported as raised.
    top = assess(UseContext("public_decision"), [_fail("72(4)")])
    assert top.tier == top.base_tier == "HIGH" and top.escalated_by == ()
    # An unmeasured item 4 points to the discrimination checks.
    from szai_audit.risk import item_findings

    (f4,) = [f for f in item_findings(checklist([])) if f.check == "ethics.item_4"]
    assert "sensitive=" in f4.message.en


def test_special_groups_are_not_founded_on_art_42_and_older_people_are_said():
    # Issue 31, item 5: Art. 42 promotes products serving special groups; it is not the legal
    # basis of the tier, and the report does not cite it so.
    shipped = (Path(sa.__file__).parent / "risk_rules.toml").read_text(encoding="utf-8")
    rules = load_rules()
    for rule in rules.rules:
        assert "第四十二条" not in rule.text.zh and "Art. 42" not in rule.text.en, rule.id
    ctx = UseContext("other")
    for label, value in ctx.labels():
        assert "第四十二条" not in label.zh + value.zh and "Art. 42" not in label.en + value.en
    assert "（第四十二条）" not in shipped
    # "none" does not stand when the data hold people aged 60 or over
    assert ctx.labels()[1][1].zh == "无"
    said = ctx.labels(older_people=14)[1][1]
    assert said.zh != "无" and "14 人年满 60 周岁" in said.zh and "aged 60 or over" in said.en
    declared = UseContext("other", vulnerable_groups=["children"]).labels(older_people=3)[1][1]
    assert declared.zh.startswith("儿童") and "3 人年满 60 周岁" in declared.zh
    assert UseContext("other", vulnerable_groups=["elderly"]).labels(older_people=3)[1][1].zh == (
        "老年人"
    )
    # the count is kept on the assessment, and page 1 says it beside the tier
    from szai_audit.risk.page import conclusion_statements

    class _R:
        findings: tuple = ()
        risk = assess(UseContext("credit_finance"), older_people=14)
        checklist = ()

    assert _R.risk.to_dict()["older_people"] == 14
    assert _R.risk.tier == assess(UseContext("credit_finance")).tier  # declared use only
    (s,) = conclusion_statements(_R)
    assert "数据中有 14 人年满 60 周岁" in s.text.zh and "14 people aged 60 or over" in s.text.en


def test_the_audit_counts_older_people_from_the_age_column(german):
    from szai_audit.pipelines.governance import _older_people

    X = german.drop(columns=["good_credit"])
    y = german["good_credit"]
    before = X.copy()
    result = sa.Audit(
        y_pred=y,
        data=X,
        sensitive={"age": "age"},
        bins={"age": [25, 40, 60]},
        context=UseContext("credit_finance"),
    ).run()
    expected = int((X["age"] >= 60).sum())
    assert expected > 0
    assert result.risk is not None and result.risk.older_people == expected
    assert X.equals(before)  # the user's data untouched
    # no age ground: unknown, and nothing is said
    plain = sa.Audit(
        y_pred=y, data=X, sensitive={"gender": "sex"}, context=UseContext("credit_finance")
    ).run()
    assert plain.risk is not None and plain.risk.older_people is None
    assert _older_people.__doc__
