"""Notices for many people (issue 16, items 4 and 5): explanations in bulk equal to one at a
time, one bilingual HTML and text notice per person, offline, checked for plain language."""

from __future__ import annotations

import csv
import re
import warnings
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from report_lint import chinese_texts, lint
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit.core.messages import Message
from szai_audit.explain import explain_people, notice_problems, person_notice, write_notices
from szai_audit.explain.notices import notice_html, notice_text

ACTIONABLE = {"savings": "any", "checking_status": "any", "existing_credits": "decrease"}


@pytest.fixture(scope="module")
def demo(credit_demo):
    return credit_demo


@pytest.fixture(scope="module")
def written(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("notices")
    _, X = demo.inputs
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NoticeWarning: the demo's notices are clean
        batch = demo.person_notices(
            X.index[:60], out, actionable=ACTIONABLE, decided_on=date(2026, 12, 1)
        )
    return batch, X


def _lending(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "income": rng.normal(5, 2, n),
            "debts": rng.integers(0, 6, n),
            "region": rng.choice(["north", "south", "east"], n),
        }
    )
    y = X["income"] - 0.8 * X["debts"] + (X["region"] == "east") + rng.normal(size=n) > 2.5
    return X, y.astype(int)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["forest", "logistic"])
def test_bulk_equals_one_at_a_time(kind):
    """explain_people on 40 people gives, person by person, what person_notice gives alone:
    same decision, score, reasons (same contributions) and recourse."""
    X, y = _lending()
    if kind == "forest":
        model = RandomForestClassifier(30, max_depth=5, random_state=0).fit(
            X[["income", "debts"]], y
        )
        X = X[["income", "debts"]]
    else:
        X = X.assign(east=(X["region"] == "east").astype(int))[["income", "debts", "east"]]
        model = LogisticRegression().fit(X, y)
    rows = X.index[:40]
    up = {"income": "increase"}
    bulk = explain_people(model, X, rows, immutable=["debts"], actionable=up, random_state=2)
    assert len(bulk) == 40
    for who, b in zip(rows, bulk, strict=True):
        one = person_notice(model, X, who, immutable=["debts"], actionable=up, random_state=2)
        assert (b.decision, b.favourable, b.reasons) == (one.decision, one.favourable, one.reasons)
        assert [o.changes for o in b.recourse] == [o.changes for o in one.recourse]
        for ob, oo in zip(b.recourse, one.recourse, strict=True):  # scores from calls of
            assert ob.score_after == pytest.approx(oo.score_after, rel=1e-12)  # other sizes
        assert b.score == pytest.approx(model.predict_proba(X.loc[[who]])[0, 1])
    refused = [b for b in bulk if not b.favourable]
    assert refused and any(b.recourse for b in refused)


def test_people_outside_the_data_as_a_frame():
    X, y = _lending()
    X = X[["income", "debts"]]
    model = LogisticRegression().fit(X, y)
    new = pd.DataFrame({"income": [1.0, 9.0], "debts": [5, 0]}, index=["r-1", "r-2"])
    a, b = explain_people(model, X, new, actionable={"income": "increase", "debts": "decrease"})
    assert not a.favourable and b.favourable
    assert a.recourse and all(o.decision_after == 1 for o in a.recourse)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([10**6], "not in data's index"),
        ([], "names no one"),
        ("abc", "index labels"),
        (pd.DataFrame({"income": [1.0]}), "lack data's columns"),
    ],
)
def test_bad_rows_are_named(rows, match):
    X, y = _lending()
    X = X[["income", "debts"]]
    model = LogisticRegression().fit(X, y)
    with pytest.raises((sa.errors.InputError, sa.errors.InputTypeError), match=match):
        explain_people(model, X, rows)


def test_repeated_index_labels_are_refused():
    X, y = _lending()
    X = X[["income", "debts"]]
    model = LogisticRegression().fit(X, y)
    twice = pd.concat([X, X])
    with pytest.raises(sa.errors.InputError, match="repeated"):
        explain_people(model, twice, [0])


def test_a_proxy_cannot_be_actionable(demo):
    _, X = demo.inputs
    with pytest.raises(sa.errors.InputError, match="tied to a protected ground"):
        demo.explain_person(X.index[0], actionable={"personal_status": "any"})
    with pytest.raises(sa.errors.InputError, match="audit's own"):
        demo.explain_person(X.index[0], sensitive=[])


def test_one_notice_per_person_and_an_index(written):
    batch, X = written
    assert len(batch) == 60 and len(batch.html) == len(batch.text) == 60
    assert all(p.exists() for p in (*batch.html, *batch.text))
    with batch.index.open(encoding="utf-8") as f:
        index = list(csv.DictReader(f))
    assert [r["reference"] for r in index] == [str(i) for i in X.index[:60]]
    assert {r["favourable"] for r in index} == {"True", "False"}
    assert all(r["problems"] == "" for r in index) and batch.problems == {}


def test_a_notice_is_offline_bilingual_and_passes_the_report_linter(written, demo):
    batch, X = written
    ids = list(X.columns) + [
        str(v) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) for v in X[c].unique()
    ]
    refused = [
        h
        for h, r in zip(batch.html, batch.references, strict=True)
        if "不利的决定" in h.read_text(encoding="utf-8")
    ]
    assert refused
    for path in batch.html:
        page = path.read_text(encoding="utf-8")
        assert "<script" not in page and not re.search(r"(?:src|href)\s*=", page)
        assert "http://" not in page and "https://" not in page
        assert lint(page, identifiers=ids) == [], path.name
        assert chinese_texts(page) and 'lang="en"' in page
        assert "第二十四条第三款" in page and "Art. 24(3)" in page
        assert demo.metadata["review"]["zh"] in page and demo.metadata["review"]["en"] in page
    page = refused[0].read_text(encoding="utf-8")
    assert "什么会改变这一决定" in page and "What would change the decision" in page


def test_the_text_notice_says_what_the_page_says(demo, written):
    batch, X = written
    who = batch.references[0]
    label = next(i for i in X.index if str(i) == who)
    p = demo.explain_person(label, actionable=ACTIONABLE)
    text = batch.text[0].read_text(encoding="utf-8")
    assert text.index("关于自动化决定的说明") < text.index("Explanation of an automated decision")
    for r in p.reasons:
        assert r.sentence.zh in text
        assert r.sentence.en[1:] in text  # first letter capitalised in the notice
    assert f"参考编号：{who}" in text


def test_nothing_sensitive_is_a_reason_or_a_change(demo, written):
    batch, X = written
    hidden = set(demo.sensitive_inputs(X))
    names = [sa.explain.words.feature_label(c, demo.feature_labels) for c in hidden]
    people = demo.explain_people(X.index[:60], actionable=ACTIONABLE)
    for p in people:
        assert not {r.column for r in p.reasons} & hidden
        assert not {c.column for o in p.recourse for c in o.changes} & hidden
    for path in batch.text:  # the reasons and the options, not the disclosure
        text = path.read_text(encoding="utf-8").split("=" * 40)[0]
        body = re.sub(r"与受保护特征相关的信息\n.*?\n\n", "", text, flags=re.S)
        body = body.split("关于本说明")[0]
        for n in names:
            assert n.zh not in body, (path.name, n.zh)


def test_comparisons_only_over_many_people():
    """With min_count above the number of people granted, no reason is compared with them (a
    median of a few people would describe those people)."""
    X, y = _lending()
    X = X[["income", "debts"]]
    model = LogisticRegression().fit(X, y)
    granted = int((model.predict(X) == 1).sum())
    who = X.index[model.predict(X) == 0][0]
    near = person_notice(model, X, who, min_count=granted)
    far = person_notice(model, X, who, min_count=granted + 1)
    assert all(r.typical is not None for r in near.reasons)
    assert all(r.typical is None and "median" not in r.sentence.en for r in far.reasons)


def test_the_checker_catches_each_rule():
    X, y = _lending()
    X = X[["income", "debts"]]
    model = LogisticRegression().fit(X, y)
    who = X.loc[model.predict(X) == 0, "income"].idxmin()  # the lowest income refused
    p = person_notice(model, X, who)  # no display names: column names in Chinese sentences
    found = notice_problems(p, identifiers=list(X.columns), unitless=["income"])
    assert any(f.startswith("identifier: 'income'") for f in found)
    assert "income" in {r.column for r in p.reasons}  # a low income weighs against
    assert any(f.startswith("unit: 'income'") for f in found)
    r = p.reasons[0]
    causal = replace(r, sentence=Message("因为您的收入低", "because you earn little"))
    found = notice_problems(replace(p, reasons=(causal,)))
    assert sum(f.startswith("causality") for f in found) == 2
    code = replace(r, sentence=Message("收入 income>=3", "income"))
    assert any(f.startswith("code") for f in notice_problems(replace(p, reasons=(code,))))
    found = notice_problems(p, sensitive=[r.column], sensitive_names=[r.name])
    assert any(f.startswith("sensitive") for f in found)
    labelled = person_notice(
        model,
        X,
        who,
        feature_labels={
            "income": ("收入", "income", "千元/thousand yuan"),
            "debts": ("负债", "debts", ""),
        },
    )
    assert notice_problems(labelled, identifiers=list(X.columns), unitless=[]) == []


def test_a_notice_with_problems_warns(tmp_path):
    X, y = _lending()
    X = X[["income", "debts"]]
    model = LogisticRegression().fit(X, y)
    result = sa.Audit(
        model=model, data=X, y_true=y, sensitive={"group": np.tile(["a", "b"], len(X) // 2)}
    ).run()
    refused = X.index[model.predict(X) == 0][:3]
    with pytest.warns(sa.errors.NoticeWarning, match="plain-language"):
        batch = result.person_notices(refused, tmp_path / "n")
    assert set(batch.problems) == {str(i) for i in refused}


def test_references_are_escaped_and_files_safe(tmp_path):
    X, y = _lending()
    X = X[["income", "debts"]]
    model = LogisticRegression().fit(X, y)
    people = explain_people(model, X, X.index[:3])
    refs = ["<script>alert(1)</script>", "=cmd|'/c calc'!A1", "../../etc/passwd"]
    batch = write_notices(people, refs, tmp_path / "n", on=date(2026, 1, 2))
    assert all(p.parent == tmp_path / "n" for p in batch.html)
    page = batch.html[0].read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page and "2026-01-02" in page
    assert "'=cmd" in batch.index.read_text(encoding="utf-8")  # never a formula
    assert len({p.name for p in batch.html}) == 3
    with pytest.raises(sa.errors.InputError, match="3 people, 2 references"):
        write_notices(people, refs[:2], tmp_path / "m")
    (tmp_path / "file").write_text("x")
    with pytest.raises(sa.errors.InputError, match="folder"):
        write_notices(people, refs, tmp_path / "file")


def test_one_language_pages_and_data_untouched(demo, tmp_path):
    model, X = demo.inputs
    copy = X.copy()
    p = demo.explain_person(X.index[model.predict(X) == 0][0], actionable=ACTIONABLE)
    zh = notice_html(p, reference="1", lang="zh")
    en = notice_html(p, reference="1", lang="en")
    assert 'lang="en"' not in zh and "Principal reasons" not in zh and "主要原因" in zh
    assert "主要原因" not in en and "Principal reasons" in en
    assert notice_text(p, reference="1").startswith("关于自动化决定的说明")
    with pytest.raises(sa.errors.InputError, match="lang"):
        notice_html(p, reference="1", lang="fr")
    pd.testing.assert_frame_equal(X, copy)


def test_a_category_changes_only_to_the_targets_listed(demo):
    model, X = demo.inputs
    targets = ["0 <= ... < 200 DM", "... >= 200 DM / salary assignments for at least 1 year"]
    refused = X.index[model.predict(X) == 0][:15]
    people = demo.explain_people(
        refused, actionable={"checking_status": targets, "savings": ["100 <= ... < 500 DM"]}
    )
    changed = [c for p in people for o in p.recourse for c in o.changes]
    assert changed  # some people have recourse within those targets
    for c in changed:
        allowed = targets if c.column == "checking_status" else ["100 <= ... < 500 DM"]
        assert c.after in allowed and c.cost == 1.0
    for bad, match in (
        ({"checking_status": ["closed"]}, "not seen in data"),
        ({"checking_status": []}, "empty list"),
        ({"credit_amount": ["1000"]}, "increase"),
        ({"checking_status": "increase"}, "not numeric"),
    ):
        with pytest.raises(sa.errors.InputError, match=match):
            demo.explain_person(refused[0], actionable=bad)
