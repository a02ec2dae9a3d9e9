"""Page 1 a committee can decide from (issue 31, items 1 and 2): the summary box with the facts
that matter (their direction, their scale in people), what the audit does not cover, the
tool's draft of a decision with its conditions, and the disclaimer, on the report's page 1 and
in every filing's header; neutral headings and the status 超出容许范围."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit.report.committee import MAX_CONDITIONS, committee_summary
from szai_audit.report.conclusion import conclusion_page


@pytest.fixture(scope="module")
def summary(credit_demo):
    return conclusion_page(credit_demo)["summary"]


def test_the_demo_summary_gives_direction_and_scale(credit_demo, summary):
    facts = [m.zh for m in summary["facts"]]
    assert 2 <= len(facts) <= 3
    flip = next(f for f in credit_demo.findings if f.check == "fairness.counterfactual_flip"
                and f.ground == "nationality")  # fmt: skip
    assert flip.details["to_favourable"] == 0 and flip.details["to_unfavourable"] > 0
    assert any("随之改变的决定全部变为不利决定" in f for f in facts)
    # the largest gap in approval rates, in people a year: gap x scale x the group's share
    gap = max(
        (f for f in credit_demo.findings if f.check == "fairness.demographic_parity_difference"
         and f.status in (sa.Status.FAIL, sa.Status.WARN)),
        key=lambda f: f.value,
    )  # fmt: skip
    sizes = gap.details["sizes"]
    group = gap.details["comparisons"][0]["group"]
    people = 50_000 * sizes[group] / sum(sizes.values())
    expected = int(round(gap.value * people, -(len(str(int(gap.value * people))) - 2)))
    scaled = next(f for f in facts if "每年约多" in f)
    assert f"每年约多 {expected:,} 人未得到有利决定（获批）" in scaled
    assert "不是实际计数" in scaled
    assert "每年约 50,000 人" in scaled


def test_the_demo_summary_says_what_is_not_covered_and_drafts_a_decision(credit_demo, summary):
    gaps = " ".join(m.zh for m in summary["not_covered"])
    assert "工作人员对建议的复核与改判未被审计" in gaps  # automation = human_review
    assert "种族" in gaps and "300 条记录" in gaps
    assert summary["recommendation"].zh.startswith("补充材料后再审")  # a check is beyond
    page = conclusion_page(credit_demo)
    fail_actions = [a for a in page["actions"] if a["statement"].status is sa.Status.FAIL]
    assert len(summary["conditions"]) == min(MAX_CONDITIONS, len(fail_actions))
    for condition, action in zip(summary["conditions"], fail_actions, strict=False):
        assert (
            condition.zh.startswith(action["action"].zh) and f"措施 {action['n']}" in condition.zh
        )
    assert "本工具根据检查结果起草" in summary["draft_note"].zh
    assert "不是法律上的违法认定" in summary["disclaimer"].zh


def _audit(gap: float, seed: int = 0) -> sa.AuditResult:
    rng = np.random.default_rng(seed)
    n = 4_000
    X = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 2, n)})
    logit = X["x"] + gap * X["g"]
    y = (logit + rng.logistic(size=n) > 0).astype(int)
    model = LogisticRegression().fit(X[["x"]], y)  # the model never sees g
    return sa.Audit(
        model, X[["x"]], y, sensitive={"gender": X["g"].map({0: "f", 1: "m"})}, verbose=False,
        explain=False, recourse=False,
    ).run(random_state=0)  # fmt: skip


def test_the_draft_follows_the_most_serious_result():
    result = _audit(0.0)
    statuses = {f.status for f in result.findings}
    page = conclusion_page(result)
    s = committee_summary(result, page["blocks"], page["actions"])
    if sa.Status.FAIL in statuses:
        assert s["recommendation"].en.startswith("Resubmit")
    elif statuses & {sa.Status.WARN, sa.Status.NEEDS_REVIEW}:
        assert s["recommendation"].en.startswith("Approve with conditions")
        assert s["conditions"]  # each a numbered action
    else:
        assert s["recommendation"].en.startswith("Approve:")
    assert any("did not say whether people take part" in m.en for m in s["not_covered"])


def test_page_one_of_the_html_holds_the_summary_before_the_findings(credit_demo):
    html = credit_demo.to_html(lang="zh")
    part1 = html.split('<section id="summary">', 1)[1].split("</section>\n\n<section", 1)[0]
    marks = ("委员会摘要", "建议的决定", "不是法律上的违法认定", "1.1 伦理委员会决定", "1.2 发现")
    order = [part1.index(w) for w in (*marks, "1.4 本审计的局限")]
    assert order == sorted(order)


def test_headings_are_neutral_and_the_status_reads_beyond_tolerance(credit_demo):
    html = credit_demo.to_html(lang="zh")
    assert "平等对待（第七十二条第二款第（四）项）" in html
    assert "：歧视" not in html and "不通过" not in html
    assert "超出容许范围" in html
    assert credit_demo.to_dict()["summary"]["verdict"] == "FAIL"  # the JSON keeps the code


@pytest.mark.parametrize("kind", ["algorithm", "pia", "ethics", "bias_audit"])
def test_every_filing_carries_the_disclaimer_in_its_header(credit_demo, kind):
    filing = credit_demo.filing(kind)
    head = filing.to_html(lang="zh").split("<h2", 1)[0]
    assert "不是法律上的违法认定" in head
    text = filing.to_text("en").splitlines()
    assert "not a legal finding" in text[2]


def test_part_one_lists_the_grounds_too_small_to_show_a_breach(credit_demo):
    """Issue 31 item 4: part 1 names the grounds whose sample could not show a gap beyond the
    tolerance (fairness.power.underpowered_grounds), with the smallest gap it could show."""
    from szai_audit.fairness.power import underpowered_grounds

    html = credit_demo.to_html(lang="zh")
    part1 = html.split('<section id="summary">', 1)[1].split("</section>\n\n<section", 1)[0]
    assert "样本太小、难以发现超出容许范围之差距的属性：性别" in part1
    grounds = {g[0] for g in underpowered_grounds(credit_demo)}
    assert {"gender", "nationality", "age"} <= grounds


def test_page_one_says_why_the_flip_test_decides_where_the_rate_cannot(credit_demo):
    """Issue 31 item 3: nationality's 13 people are too few for a rate, yet its flip test is
    beyond tolerance; page 1's too-small statement says why both hold."""
    page = conclusion_page(credit_demo)
    said = [s.text for b in page["blocks"] for s in b["statements"]]
    small = next(m for m in said if m.zh.startswith("国籍：组太小"))
    assert "翻转检验" in small.zh and "不受人数限制" in small.zh
    assert "property of the model" in small.en
