"""One definition of each term, and claims no larger than the checks (issue 31, items 3 and 5).

* "proxy": one rule (single-input AUC at least ``policy.proxy_auc_threshold``) in the proxy
  finding, the attribute-share finding, its action, the report and the bias filing; the
  attribute-share check's wider set is "possible stand-ins", never proxies;
* the flip test says why it can decide on a group too small for a rate, and the rate finding
  says why it cannot;
* the direct-identifier warning raised by a column's name shows that column, not "0.0%";
* checklist item (ii) is measured only in part (de-identification) and awaits a reviewer;
* the Art. 71 explanation finding passes when an explanation was generated, and says so.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from szai_audit.core.checks import title as check_title
from szai_audit.core.findings import Finding, Status
from szai_audit.core.grounds import ground_label
from szai_audit.core.html import finding_value
from szai_audit.core.messages import Message
from szai_audit.fairness.findings.inputs import with_flip_notes
from szai_audit.fairness.proxies import ProxyReport, is_proxy, possible_stand_ins, proxies_of
from szai_audit.privacy import scan
from szai_audit.risk.review import Attestation, checklist, item_findings

GROUNDS = ("gender", "nationality", "age")


def _one(result, check, ground=None):
    return next(f for f in result.findings if f.check == check and f.ground == ground)


def _label(result, column: str) -> str:
    """An input's English display name, as the demo labels it."""
    labels = result.feature_labels or {}
    return labels[column][1] if column in labels else column


def _expected_proxies(result, ground) -> list[str]:
    """The rule written out again on the proxy table itself: AUC point estimate >= threshold."""
    table = result.fairness.proxies[ground].features
    t = result.policy.proxy_auc_threshold
    return [str(c) for c, auc in table["auc"].items() if auc >= t]


@pytest.fixture(scope="module")
def en_report(credit_demo):
    return html.unescape(re.sub(r"<[^>]+>", " ", credit_demo.to_html(lang="en")))


@pytest.fixture(scope="module")
def en_html(credit_demo):
    return credit_demo.to_html(lang="en")


@pytest.fixture(scope="module")
def bias_filing_text(credit_demo):
    text = credit_demo.filing("bias_audit").to_html(lang="en")
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


# ------------------------------------------------------------------------------------------
# One rule for "proxy"
# ------------------------------------------------------------------------------------------


def test_the_rule():
    table = pd.DataFrame(
        {"auc": [0.99, 0.70, 0.69, 0.6], "auc_high": [1.0, 0.8, 0.75, 0.65]},
        index=["status", "purpose", "job", "x"],
    )
    report = ProxyReport(table, 1.0, 1.0, 300, 2)
    assert proxies_of(report, 0.7) == ["status", "purpose"]
    assert possible_stand_ins(report, 0.7) == ["job"]  # never a proxy as well
    assert not is_proxy(float("nan"), 0.7)
    assert proxies_of(None, 0.7) == [] and possible_stand_ins(None, 0.7) == []


def test_demo_has_both_sets(credit_demo):
    """The demo's nationality has one proxy and a wider set of possible stand-ins (the case
    of the issue: 13 inputs were called proxies where the proxy check named one)."""
    share = _one(credit_demo, "fairness.attribution_share", "nationality")
    assert share.details["proxies"] == ["purpose"]
    assert len(share.details["possible_stand_ins"]) >= 10
    assert "purpose" not in share.details["possible_stand_ins"]


@pytest.mark.parametrize("ground", GROUNDS)
def test_one_proxy_set_in_findings(credit_demo, ground):
    expected = _expected_proxies(credit_demo, ground)
    proxy = _one(credit_demo, "fairness.proxy", ground)
    assert proxy.details["proxies"] == expected
    share = _one(credit_demo, "fairness.attribution_share", ground)
    column = share.details["column"]
    assert share.details["proxies"] == [p for p in expected if p != column]
    assert set(share.details["proxy_shares"]) <= set(share.details["proxies"])
    assert not set(share.details["possible_stand_ins"]) & set(expected)
    # the notices' rule (tied inputs) holds every proxy of every ground
    data = credit_demo.inputs[1]
    assert set(expected) <= set(credit_demo.sensitive_inputs(data))


@pytest.mark.parametrize("ground", GROUNDS)
def test_one_proxy_set_in_messages(credit_demo, ground):
    expected = [_label(credit_demo, c) for c in _expected_proxies(credit_demo, ground)]
    proxy = _one(credit_demo, "fairness.proxy", ground).message.en
    g = ground_label(ground).en
    if expected:
        named = re.search(rf"the proxies of {g} are: (.*?)\.(?: |$)", proxy)
        assert named is not None, proxy
        assert re.findall(r"“(.*?)”", named.group(1)) == expected
    else:
        assert f"{g} has no proxy" in proxy
    share = _one(credit_demo, "fairness.attribution_share", ground)
    text = share.message.en
    clause = re.search(r"its proxies \(.*?\) carry (.*?);", text)
    used = [_label(credit_demo, c) for c in share.details["proxy_shares"]]
    if used:
        assert clause is not None, text
        assert re.findall(r"(?:and )?(.+?) \d+\.\d%(?:, | |$)", clause.group(1)) == used
    else:
        assert clause is None
    # the wider set goes by another name, and is never called proxies
    for c in share.details["possible_stand_ins"]:
        name = _label(credit_demo, c)
        assert clause is None or name not in _items(clause.group(1))
    if share.details["possible_stand_in_shares"]:
        assert "possible stand-ins" in text and "可能的替代变量" in share.message.zh


def test_action_names_the_same_proxies(credit_demo, en_report):
    """The page-1 action of a ground whose attribute-share finding FAILs names its proxies,
    the same set as the proxy finding."""
    found = 0
    for ground in GROUNDS:
        share = _one(credit_demo, "fairness.attribution_share", ground)
        names = [_label(credit_demo, c) for c in share.details["proxies"]]
        g = ground_label(ground).en
        if not names:
            continue
        m = re.search(
            rf"model's use of {g}, or remove the attribute and its proxies \((.*?)\) from",
            en_report,
        )
        if m is None:
            continue
        found += 1
        assert re.findall(r"“(.*?)”", m.group(1)) == names
    assert found >= 1  # nationality at least: its share FAILs and it has one proxy


def test_report_proxy_table_bolds_the_proxies(credit_demo, en_html):
    tables = re.findall(r'<table class="proxies">(.*?)</table>', en_html, flags=re.S)
    assert len(tables) == len(GROUNDS)
    for ground, table in zip(GROUNDS, tables, strict=True):
        bold = [
            html.unescape(re.sub(r"<[^>]+>", "", m)).strip()
            for m in re.findall(r'<tr class="flagged"><th scope="row">(.*?)</th>', table)
        ]
        assert bold == [_label(credit_demo, c) for c in _expected_proxies(credit_demo, ground)]


def test_bias_filing_names_the_same_proxies(credit_demo, bias_filing_text):
    text = re.sub(r"\s+", " ", bias_filing_text)
    for ground in GROUNDS:
        g = ground_label(ground).en
        m = re.search(rf"{g}: proxies \(inputs that alone predict it with AUC at least [\d.]+\): "
                      r"(.*?)\. ", text)  # fmt: skip
        assert m is not None, ground
        expected = [_label(credit_demo, c) for c in _expected_proxies(credit_demo, ground)]
        assert (_items(m.group(1)) if expected else []) == expected or (
            not expected and m.group(1) == "none"
        )


# ------------------------------------------------------------------------------------------
# The flip test decides where a rate cannot
# ------------------------------------------------------------------------------------------


def test_flip_says_why_it_decides_on_13_people(credit_demo):
    flip = _one(credit_demo, "fairness.counterfactual_flip", "nationality")
    assert flip.status is Status.FAIL and flip.details["n"] == 13
    assert "These 13 people are too few to compare rates" in flip.message.en
    assert "tests a property of the model" in flip.message.en
    assert "这 13 人不足以比较各组的比率" in flip.message.zh
    # age's flip tested 42 people, enough for a rate: no such note
    age = _one(credit_demo, "fairness.counterfactual_flip", "age")
    assert age.details["n"] >= credit_demo.policy.min_group_size
    assert "too few to compare rates" not in age.message.en


@pytest.mark.parametrize(
    "check", ["fairness.selection_rate_ratio", "fairness.demographic_parity_difference"]
)
def test_rate_says_why_it_cannot(credit_demo, check):
    rate = _one(credit_demo, check, "nationality")
    assert rate.status is Status.INSUFFICIENT_DATA
    assert "the flip test of nationality" in rate.message.en
    assert "needs no minimum number of people" in rate.message.en
    assert "国籍的翻转检验" in rate.message.zh
    decided = _one(credit_demo, check, "gender")  # measured: no note
    assert "flip test" not in decided.message.en


def test_no_rate_note_without_a_decided_flip():
    rate = Finding(
        check="fairness.selection_rate_ratio",
        article="72(4)",
        status=Status.INSUFFICIENT_DATA,
        message=Message("甲", "a"),
        ground="nationality",
    )
    flip = Finding(
        check="fairness.counterfactual_flip",
        article="72(4)",
        status=Status.NOT_ASSESSED,
        message=Message("乙", "b"),
        ground="nationality",
    )
    assert with_flip_notes([rate, flip])[0].message.en == "a"
    decided = Finding(**{**flip.__dict__, "status": Status.FAIL})
    assert with_flip_notes([rate, decided])[0].message.en.startswith("a Comparing rates")
    other = Finding(**{**decided.__dict__, "ground": "gender"})
    assert with_flip_notes([rate, other])[0].message.en == "a"


# ------------------------------------------------------------------------------------------
# The identifier warning shows what it is about
# ------------------------------------------------------------------------------------------


def test_identifier_row_shows_the_column(credit_demo, en_html):
    f = _one(credit_demo, "privacy.direct_identifiers")
    assert f.status is Status.WARN and f.value == 0.0
    shown = finding_value(f)
    assert shown.en == "registered telephone (by column name)"
    assert shown.zh == "登记电话（按列名）"
    rows = [
        cells
        for row in re.findall(r"Direct identifiers</.*?</tr>", en_html, flags=re.S)
        if (cells := re.findall(r'<td class="num nowrap">(.*?)</td>', row))
    ]
    assert len(rows) >= 2  # the per-article table and the appendix of every check
    for cells in rows:
        assert cells[0] == "registered telephone (by column name)"
        assert "0.0%" not in cells and "&lt; 50.0%" not in cells
        assert cells[-1] == "—"


def test_identifier_value_stays_a_share_for_content_hits():
    phones = [f"1{3 + i % 6}{i:09d}" for i in range(40)]
    found = scan(pd.DataFrame({"contact": phones, "x": range(40)})).findings()[0]
    assert found.check == "privacy.direct_identifiers" and found.value == 1.0
    assert "shown" not in found.details
    assert finding_value(found).en == "100.0%"


def test_identifier_value_cell_names_two_columns_and_counts_the_rest():
    frame = pd.DataFrame({c: ["x"] * 10 for c in ("phone", "email", "address", "name")})
    found = scan(frame).findings()[0]
    assert found.status is Status.WARN
    for c in ("phone", "email", "address", "name"):
        assert f"“{c}”" in found.message.en  # the message names every column
    assert finding_value(found).en == "“phone”, “email” and 2 more (by column name)"
    assert finding_value(found).zh == "“phone”、“email”及另外 2 列（按列名）"


def test_identifier_value_names_a_partly_matching_column():
    values = [f"1{3 + i % 6}{i:09d}" if i < 8 else f"code-{i}" for i in range(40)]
    found = scan(pd.DataFrame({"note": values})).findings()[0]
    assert found.status is Status.WARN and found.value is None  # 20% match: below a hit
    assert finding_value(found).en == "“note” (some values)"
    assert finding_value(found).zh == "“note”（部分值）"


# ------------------------------------------------------------------------------------------
# Checklist item (ii): measured in part
# ------------------------------------------------------------------------------------------


def _privacy(status: Status) -> Finding:
    return Finding(
        check="privacy.k_anonymity", article="33", status=status, message=Message("", "")
    )


def test_item_2_partly_measured_awaits_review():
    items = checklist([_privacy(Status.PASS)])
    two = items[1]
    assert (two.item, two.basis, two.status) == (2, "partly_measured", Status.NEEDS_REVIEW)
    found = {f.check: f for f in item_findings(items)}
    assert found["ethics.item_2"].status is Status.NEEDS_REVIEW
    assert "de-identification" in found["ethics.item_2"].message.en
    assert "measures only part of it" in found["ethics.item_2"].message.en
    assert "仅测量了其中一部分" in found["ethics.item_2"].message.zh


def test_item_2_settled_by_measurement_and_attestation():
    a = Attestation(2, "李娜", "法务", "2026-11-29", "已审查合法性基础、同意与个人权利。")
    items = checklist([_privacy(Status.PASS)], [a])
    assert items[1].status is Status.PASS and items[1].basis == "partly_measured"
    assert {f.check: f for f in item_findings(items)}["ethics.item_2"].status is Status.PASS
    failed = checklist([_privacy(Status.FAIL)], [a])[1]
    assert failed.status is Status.FAIL  # the measured part still counts
    # item (iv) stays fully measured
    assert checklist([_privacy(Status.PASS)])[3].basis == "needs_review"


def test_item_2_not_scanned_is_not_measured():
    """Without the scan, nothing of item (ii) was measured: the item says to run it."""
    items = checklist([_privacy(Status.NOT_ASSESSED)])
    assert (items[1].basis, items[1].status) == ("needs_review", Status.NEEDS_REVIEW)
    (two,) = [f for f in item_findings(items) if f.check == "ethics.item_2"]
    assert "not measured by this audit" in two.message.en


def test_demo_item_2_in_report(credit_demo, en_report):
    two = credit_demo.checklist[1]
    assert two.basis == "partly_measured"
    assert _one(credit_demo, "ethics.item_2").status is Status.NEEDS_REVIEW
    assert "measured in part by this audit (de-identification only)" in en_report


# ------------------------------------------------------------------------------------------
# Art. 71: an explanation was generated
# ------------------------------------------------------------------------------------------


def test_explanation_finding_says_generated(credit_demo, en_report):
    f = _one(credit_demo, "explanation.produced")
    assert f.status is Status.PASS
    assert "was generated" in f.message.en and "means only that" in f.message.en
    assert "说明已生成" in f.message.zh
    title = check_title("explanation.produced")
    assert title.en == "Plain-language explanation generated"
    assert "已生成" in title.zh
    assert "Plain-language explanation generated" in en_report


def _items(listed: str) -> list[str]:
    """The items of an English list, "a, b and c" or "a, b, and c" (an item holding "and")."""
    if ", and " in listed:
        head, last = listed.rsplit(", and ", 1)
    elif " and " in listed and "," in listed:
        head, last = listed.rsplit(" and ", 1)
    else:
        return [listed] if " and " not in listed or "," in listed else listed.split(" and ", 1)
    return [*head.split(", "), last]
