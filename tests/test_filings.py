"""Filings drafted from an audit (issue 17): algorithm filing material, the PIPL impact
assessment, the ethics-review screen and record, the LL144 impact-ratio tables and the EU AI Act
section. Numbers are checked against pandas and fairlearn on data whose answer is known."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from report_lint import lint

import szai_audit as sa
from szai_audit.cli import EXIT_ERROR, EXIT_OK, main
from szai_audit.core import checks
from szai_audit.core.regulation import is_verbatim
from szai_audit.errors import InputError
from szai_audit.filings import (
    INSTRUMENTS,
    KINDS,
    MIN_SHARE,
    NEEDS_REVIEW,
    SHENZHEN,
    add_months,
    add_years,
    build_filing,
    impact_rows,
    screen,
    write_filings,
)
from szai_audit.risk import UseContext

N = 2000
RATES = {  # favourable-decision rate by (sex, race)
    ("female", "White"): 0.50,
    ("female", "Black"): 0.35,
    ("female", "Asian"): 0.45,
    ("male", "White"): 0.60,
    ("male", "Black"): 0.40,
    ("male", "Asian"): 0.55,
}
SCRIPT = "<script>alert(1)</script>"
SCHEMA = json.loads(
    (Path(__file__).parents[1] / "docs" / "filing.schema.json").read_text(encoding="utf-8")
)


def _hiring_data(seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """2,000 applicants: sex, race (1% 'Native American', under 2%; 50 of unknown race)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], size=N)
    race = rng.choice(["White", "Black", "Asian"], size=N, p=[0.5, 0.3, 0.2]).astype(object)
    race[:20] = "Native American"
    race[20:70] = None
    rate = np.array([RATES.get((s, r), 0.3) for s, r in zip(sex, race, strict=True)])
    selected = (rng.random(N) < rate).astype(int)
    return pd.DataFrame({"sex": sex, "race": race, "years": rng.integers(0, 20, N)}), selected


@pytest.fixture(scope="module")
def hiring():
    data, selected = _hiring_data()
    result = sa.Audit(
        y_pred=selected,
        data=data,
        sensitive={"sex": "sex", "race": "race"},
        policy=sa.Policy(min_group_size=10),
        metadata={"organisation": "Hire Co", "system_name": SCRIPT + " http://evil.example"},
        context=UseContext("employment", automation="fully_automated", scale=5000),
        explain=False,
        verbose=False,
    ).run(random_state=0)
    return result, data, selected


@pytest.fixture(scope="module")
def credit_doc(credit_demo):
    return credit_demo.to_dict()


# ---------------------------------------------------------------------------------------------
# every filing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_filing_is_the_same_from_the_result_and_from_its_saved_json(credit_demo, tmp_path, kind):
    path = tmp_path / "audit.json"
    credit_demo.to_json(path)
    from_result = credit_demo.filing(kind).to_dict()
    from_file = build_filing(kind, path).to_dict()
    assert from_result == from_file
    jsonschema.validate(from_file, SCHEMA)  # docs/filing.schema.json
    assert from_file["source"]["audit_content_sha256"] == credit_demo.content_sha256
    assert from_file["date"] == credit_demo.manifest["generated_at"][:10]


@pytest.mark.parametrize("kind", KINDS)
def test_each_part_cites_its_clauses_and_only_the_shipped_text_is_quoted(credit_demo, kind):
    filing = credit_demo.filing(kind)
    shenzhen_quotes = 0
    for part in filing.parts:
        assert part.answers, part.key  # every part says which clause it answers
        for clause in part.answers:
            assert clause.instrument in filing.instruments
            assert clause.citation.zh.startswith(INSTRUMENTS[clause.instrument].zh)
            if clause.instrument == SHENZHEN:
                assert clause.quote is not None and is_verbatim(clause.quote.zh)
                assert re.search(r"第[一二三四五六七八九十]+条", clause.citation.zh)
                shenzhen_quotes += 1
            else:
                assert clause.quote is None  # cited by title and article number only
    assert shenzhen_quotes > 0


@pytest.mark.parametrize("kind", KINDS)
def test_what_a_person_must_write_is_blank_listed_and_shown(credit_demo, kind):
    filing = credit_demo.filing(kind)
    todo = filing.needs_review
    assert todo  # every filing leaves something to a person
    for _, field in todo:
        assert field.value is None and field.prompt is not None
    as_json = filing.to_dict()
    assert len(as_json["needs_review"]) == len(todo)
    html = filing.to_html()
    assert html.count("NEEDS_REVIEW") >= len(todo)
    assert f"For a person to write (NEEDS_REVIEW): {len(todo)}" in html


def test_drafted_fields_come_from_the_system_card_and_blank_when_it_lacks_them(credit_doc):
    card = credit_doc["system"]
    info = build_filing("algorithm", credit_doc).part("filing_information")
    by_label = {f.label.en: f for f in info.fields}
    assert by_label["Provider"].kind == "drafted"
    # The demo gives the organisation per language: each language drafts its own.
    assert by_label["Provider"].value.to_dict() == card["organisation"]
    without = copy.deepcopy(credit_doc)
    del without["system"]["organisation"]
    del without["content_sha256"]  # an edited dict is not a saved result
    blank = {
        f.label.en: f for f in build_filing("algorithm", without).part("filing_information").fields
    }
    assert blank["Provider"].kind == NEEDS_REVIEW and blank["Provider"].value is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["zh", "en", "bilingual"])
def test_the_pages_are_offline_escaped_and_pass_the_report_linter(hiring, kind, lang):
    result = hiring[0]
    html = result.filing(kind).to_html(lang=lang)
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "<script" not in html and "src=" not in html
    assert not re.search(r"(href|url)\s*[=(]\s*['\"]?https?:", html)
    identifiers = {"sex", "race", "years", "female", "male", "White", "Black", "Asian"}
    assert lint(html, identifiers, prose=False) == []  # filings: prose rules pending


def test_a_saved_audit_that_was_edited_is_refused(credit_demo, tmp_path):
    path = tmp_path / "audit.json"
    doc = credit_demo.to_dict()
    doc["findings"][0]["status"] = "PASS"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match="edited after it was written"):
        build_filing("pia", path)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "annual_report"}, "kind must be one of"),
        ({"date": "04/12/2026"}, "date must be a date"),
        ({"date": "2026-12-04 and later"}, "date must be a date"),
        ({"date": "2026-02-30"}, "date must be a date"),
        ({"follow_up_months": 13}, "1 to 12"),
        ({"follow_up_months": 0}, "1 to 12"),
        ({"follow_up_months": True}, "1 to 12"),
        ({"public_opinion": "yes"}, "public_opinion must be True, False or None"),
        ({"sex": "gender_identity"}, "sex must name one of the audit's grounds"),
    ],
)
def test_bad_options_are_refused_by_name(credit_doc, options, message):
    options = {"kind": "ethics", **options}
    kind = options.pop("kind")
    if "sex" in options:
        kind = "bias_audit"
    with pytest.raises(InputError, match=message):
        build_filing(kind, credit_doc, **options)


# ---------------------------------------------------------------------------------------------
# 1. algorithm filing material
# ---------------------------------------------------------------------------------------------


def test_the_public_content_has_the_four_items_drafted_from_the_notice(credit_demo):
    part = credit_demo.filing("algorithm").part("public_content")
    labels = [f.label.zh for f in part.fields]
    assert labels == ["基本原理", "目的意图", "主要运行机制", "应用场景"]
    notice = {h.en: paras for h, paras in credit_demo.notice_sections()}
    principle = part.fields[0].value
    assert notice["Basic principle"][0].zh in principle.zh
    mechanism = part.fields[2].value
    assert any(p.zh in mechanism.zh for p in notice["Main factors and their effect"])
    assert all(f.kind == "drafted" for f in part.fields)
    cited = {c.citation.en for c in part.answers}
    assert {
        "Algorithmic Recommendation Provisions Art. 16",
        "Shenzhen AI Regulations Art. 71",
    } <= cited


def test_the_self_assessment_results_count_the_findings_of_each_article(credit_demo):
    part = credit_demo.filing("algorithm").part("self_assessment_algorithm")
    results = {f.label.en: f.value.en for f in part.fields if f.label.en.startswith("Results")}
    n_fail = sum(f.status.value == "FAIL" and f.article == "72(4)" for f in credit_demo.findings)
    assert f"Beyond tolerance {n_fail}" in results["Results: Group fairness (Art. 72(2)(iv))"]
    assert results["Results: Price differences (Art. 72(2)(v))"] == "not checked by this audit"


def test_the_findings_table_gives_each_interval_and_why_a_row_is_there(credit_demo):
    """Each result's interval beside its value, at the level its status rests on (issue 28),
    the statuses explained, and a result whose numbers meet the tolerance (a column flagged by
    its name) marked with its reason."""
    doc = credit_demo.to_dict()
    pia = credit_demo.filing("pia")
    rights = pia.part("rights_impact").tables[0]
    serious = [f for s in ("FAIL", "WARN") for f in doc["findings"] if f["status"] == s]
    serious = [f for f in serious if f["article"] in ("72(4)", "72(5)", "71")]
    for row, f in zip(rights.rows, serious, strict=False):
        unit = checks.get(f["check"]).unit
        level = f"{round(100 * f['details'].get('ci_level', 0.95), 2):g}%"
        if f.get("ci") and unit in ("points", "ratio"):
            lo, hi = (100 * c if unit == "points" else c for c in f["ci"])
            digits, tail = (1, " pp") if unit == "points" else (2, "")
            expected = f"({level} CI {lo:.{digits}f} to {hi:.{digits}f}{tail})"
            assert expected.replace("-", "−") in row[3].en
        elif f.get("ci"):
            assert f"({level} CI " in row[3].en
        else:
            assert "CI" not in row[3].en
    assert "Fail: the value is beyond the tolerance" in rights.note.en
    assert "Warning: to look at" in rights.note.en and rights.marked == ()
    security = pia.part("security_risk").tables[0]
    flagged = next(f for f in doc["findings"] if f["check"] == "privacy.direct_identifiers")
    assert flagged["status"] == "WARN" and flagged["value"] < flagged["threshold"]
    assert security.marked == (0,)  # the value meets the tolerance: the reason is the name
    assert f"Marked row: {flagged['message']['en']}" in security.note.en
    assert f"标记行：{flagged['message']['zh']}" in security.note.zh
    assert "Fail:" not in security.note.en  # only the statuses the table holds


@pytest.mark.slow
def test_art_21_maps_to_the_price_findings(pricing_demo, credit_demo):
    part = pricing_demo.filing("algorithm").part("prices")
    assert {c.citation.en for c in part.answers} == {
        "Algorithmic Recommendation Provisions Art. 21",
        "Shenzhen AI Regulations Art. 72(2)(v)",
    }
    flagged = [
        f
        for f in pricing_demo.findings
        if f.article == "72(5)" and f.status.value in ("FAIL", "WARN")
    ]
    (table,) = part.tables
    assert len(table.rows) == min(len(flagged), 15)
    assert table.rows[0][0].en == "Beyond tolerance"  # the most serious first
    none = credit_demo.filing("algorithm").part("prices")
    assert "did not measure prices" in none.paragraphs[0].en and not none.tables


# ---------------------------------------------------------------------------------------------
# 2. PIPL impact assessment
# ---------------------------------------------------------------------------------------------


def test_the_assessment_is_kept_at_least_three_years(credit_doc):
    pia = build_filing("pia", credit_doc, date="2024-02-29")
    assert pia.to_dict()["retain_until"] == "2027-03-01"  # never less than three full years
    fields = {f.label.en: f.value.en for f in pia.part("preparation").fields if f.value}
    assert fields["Date of assessment"] == "2024-02-29"
    assert fields["Keep at least until"] == "2027-03-01"
    default = build_filing("pia", credit_doc)
    day = dt.date.fromisoformat(credit_doc["manifest"]["generated_at"][:10])
    assert default.to_dict()["retain_until"] == add_years(day, 3).isoformat()
    assert add_years(dt.date(2026, 12, 4), 3) == dt.date(2029, 12, 4)


def test_the_assessment_follows_the_standard_and_art_56(credit_demo):
    pia = credit_demo.filing("pia")
    assert [p.key for p in pia.parts] == [
        "necessity",
        "preparation",
        "data_mapping",
        "purpose_and_method",
        "rights_impact",
        "security_risk",
        "measures",
        "conclusion",
    ]
    cited = {c.citation.en for p in pia.parts for c in p.answers}
    for clause in (
        "PIPL Art. 55(2)",
        "PIPL Art. 56(1)(1)",
        "PIPL Art. 56(1)(2)",
        "PIPL Art. 56(1)(3)",
        "PIPL Art. 56(2)",
        "PIPL Art. 24",
    ):
        assert clause in cited
    assert {"GB/T 39335-2020 §5.3", "GB/T 39335-2020 §5.5"} <= cited
    mapping = {f.label.en: f.value for f in pia.part("data_mapping").fields}
    assert mapping["Columns that look like direct identifiers"].en == "registered telephone"
    # sex is not a model input (the demo drops it); foreign_worker and age are
    assert mapping["Group attributes (possibly sensitive)"].en == (
        "gender, nationality (a model input), age (a model input)"
    )
    rights = pia.part("rights_impact")
    (table,) = rights.tables
    serious = [
        f
        for f in credit_demo.findings
        if f.article in ("72(4)", "72(5)", "71") and f.status.value in ("FAIL", "WARN")
    ]
    assert len(table.rows) == min(len(serious), 15)


# ---------------------------------------------------------------------------------------------
# 3. ethics-review screen and record
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("context", "opinion", "item6", "item7"),
    [
        ({"domain": "healthcare", "automation": "fully_automated"}, None, "unknown", "may_apply"),
        (
            {"domain": "transport", "automation": "fully_automated"},
            False,
            "not_indicated",
            "may_apply",
        ),
        ({"domain": "healthcare", "automation": "human_review"}, None, "unknown", "not_indicated"),
        (
            {"domain": "credit_finance", "automation": "fully_automated"},
            None,
            "unknown",
            "not_indicated",
        ),
        (
            {"domain": "recommendation_marketing", "automation": "advisory"},
            None,
            "may_apply",
            "not_indicated",
        ),
        ({"domain": "other", "automation": "advisory"}, True, "applies", "not_indicated"),
        (None, None, "unknown", "unknown"),
    ],
)
def test_the_screen_reads_the_two_items_a_model_can_fall_under(context, opinion, item6, item7):
    results = [r for r, _ in screen(context, opinion)]
    assert len(results) == 7
    assert results[:5] == ["not_indicated"] * 5
    assert results[5:] == [item6, item7]


def test_an_autonomous_system_in_a_health_scenario_is_sent_to_expert_re_review(credit_doc):
    doc = copy.deepcopy(credit_doc)
    doc["risk"]["context"].update(domain="healthcare", automation="fully_automated")
    del doc["content_sha256"]
    part = build_filing("ethics", doc, public_opinion=False).part("expert_review_screen")
    (table,) = part.tables
    assert table.marked == (6,)  # item 7
    assert "may fall under item(s) 7" in part.fields[0].value.en
    calm = build_filing("ethics", credit_doc, public_opinion=False).part("expert_review_screen")
    assert calm.tables[0].marked == () and "does not indicate" in calm.fields[0].value.en
    assert all(f.kind != NEEDS_REVIEW for f in calm.fields)  # every item settled
    unsure = build_filing("ethics", credit_doc).part("expert_review_screen")
    assert [f.label.en for f in unsure.fields if f.kind == NEEDS_REVIEW] == ["List item(s) 6"]


def test_the_next_follow_up_review_is_at_most_twelve_months_on(credit_doc):
    ethics = build_filing("ethics", credit_doc, date="2026-08-31", follow_up_months=6)
    assert ethics.to_dict()["follow_up_due"] == "2027-02-28"
    assert add_months(dt.date(2026, 12, 4), 12) == dt.date(2027, 12, 4)
    default = build_filing("ethics", credit_doc, date="2026-12-04")
    assert default.to_dict()["follow_up_due"] == "2027-12-04"


def test_the_record_of_a_follow_up_gives_what_compare_found(credit_demo, credit_doc):
    earlier = copy.deepcopy(credit_doc)
    earlier["findings"] = [f for f in earlier["findings"] if f["status"] != "FAIL"]
    del earlier["content_sha256"]
    earlier["manifest"]["generated_at"] = "2026-03-01T09:00:00"
    expected = credit_demo.compare(earlier).summary
    part = credit_demo.filing("ethics", previous=earlier, date="2026-12-04").part("follow_up")
    values = {f.label.en: f.value.en for f in part.fields}
    assert values["This follow-up on time"].startswith("on time (last audit 2026-03-01")
    assert f"{expected['appeared_failures']} new failures" in values["Since the last audit"]
    assert expected["appeared_failures"] > 0
    labels = {
        "FAIL": "Beyond tolerance",
        "WARN": "Warning",
        "PASS": "Pass",
        "INCOMPLETE": "Incomplete",
    }
    before, after = expected["before"]["verdict"], expected["after"]["verdict"]
    assert values["Overall result"] == f"{labels[before]} → {labels[after]}"
    earlier["manifest"]["generated_at"] = "2025-06-30T09:00:00"
    late = credit_demo.filing("ethics", previous=earlier, date="2026-12-04").part("follow_up")
    assert {f.label.en: f.value.en for f in late.fields}["This follow-up on time"].startswith(
        "late"
    )


# ---------------------------------------------------------------------------------------------
# 4. impact-ratio tables and the EU AI Act section
# ---------------------------------------------------------------------------------------------


def _expected(data: pd.DataFrame, selected: np.ndarray, by: list[str]) -> pd.DataFrame:
    known = data[by].notna().all(axis=1)
    frame = data.loc[known, by].assign(selected=selected[known.to_numpy()])
    out = frame.groupby(by).agg(count=("selected", "size"), rate=("selected", "mean"))
    out["share"] = out["count"] / len(data)
    top = out.loc[out["share"] >= MIN_SHARE, "rate"].max()
    out["impact_ratio"] = out["rate"] / top
    return out


def test_the_impact_ratios_match_pandas_and_fairlearn(hiring):
    result, data, selected = hiring
    doc = result.to_dict()
    for ground, column in (("gender", "sex"), ("race", "race")):  # "sex" is the ground gender
        rows, unknown = impact_rows(doc["group_metrics"][ground], N, True)
        ground = column
        expected = _expected(data, selected, [ground])
        assert unknown == int(data[ground].isna().sum())
        assert len(rows) == len(expected)
        for r in rows:
            e = expected.loc[r["category"][0]]
            assert r["count"] == e["count"]
            assert r["rate"] == pytest.approx(e["rate"], abs=1e-12)
            assert r["impact_ratio"] == pytest.approx(e["impact_ratio"], abs=1e-12)
            assert r["small"] == (e["share"] < MIN_SHARE)
        known = data[ground].notna().to_numpy()
        mf = MetricFrame(
            metrics=selection_rate,
            y_true=selected[known],
            y_pred=selected[known],
            sensitive_features=data.loc[known, ground],
        )
        eligible = [r for r in rows if not r["small"]]
        assert min(r["impact_ratio"] for r in eligible) == pytest.approx(
            mf.by_group[[r["category"][0] for r in eligible]].min()
            / mf.by_group[[r["category"][0] for r in eligible]].max(),
            abs=1e-12,
        )
    assert unknown == 50


def test_the_intersectional_table_and_the_small_categories(hiring):
    result, data, selected = hiring
    part = result.filing("bias_audit").part("ll144")
    by_sex, by_race, crossed = part.tables
    assert [row[0].en for row in by_sex.rows] == ["female", "male"]
    assert [c.en for c in crossed.columns] == [
        "Category",
        "Applicants",
        "Share",
        "Selection rate",
        "Impact ratio",
    ]
    expected = _expected(data, selected, ["sex", "race"])
    assert len(crossed.rows) == len(expected)
    for i, row in enumerate(crossed.rows):
        sex, race = row[0].en.split(" × ")
        e = expected.loc[(sex, race)]
        assert row[1].en == f"{int(e['count']):,}"
        assert (i in crossed.marked) == (e["share"] < MIN_SHARE)
    small = [row[0].en for i, row in enumerate(by_race.rows) if i in by_race.marked]
    assert small == ["Native American"]
    reference = [row[0].en for row in by_race.rows if "(reference)" in row[4].en]
    assert reference == ["White"]  # the most selected category of 2% or more
    unknowns = {f.label.en: f.value.en for f in part.fields if f.label.en.startswith("Unknown")}
    assert unknowns == {
        "Unknown category (by sex)": "0",
        "Unknown category (by race/ethnicity)": "50",
    }
    assert "6 RCNY" in part.answers[0].citation.en or "§5-301" in part.answers[0].citation.en


def test_a_missing_ground_is_said(credit_demo):
    part = credit_demo.filing("bias_audit").part("ll144")
    assert len(part.tables) == 1  # by sex only: gender stands for sex
    assert any("no attribute for race/ethnicity" in p.en for p in part.paragraphs)


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_a_scoring_tool_gets_scoring_rates_against_the_median(direction):
    data, _ = _hiring_data()
    rng = np.random.default_rng(5)
    score = rng.normal(50, 10, N) + np.where(data["sex"] == "male", 3.0, 0.0)
    result = sa.Audit(
        y_pred=score,
        data=data,
        task="regression",
        favorable_direction=direction,
        sensitive={"sex": "sex", "race": "race"},
        policy=sa.Policy(min_group_size=10),
        explain=False,
        verbose=False,
    ).run(random_state=0)
    part = result.filing("bias_audit").part("ll144")
    by_sex, by_race, crossed = part.tables
    assert by_sex.columns[3].en == "Scoring rate"
    median = np.median(score)
    beyond = score > median if direction == "higher" else score < median
    expected = pd.Series(beyond).groupby(data["sex"].to_numpy()).mean()
    rows, unknown = impact_rows(
        result.to_dict()["regression_metrics"]["gender"], N, True, "scoring_rate"
    )
    for r in rows:
        assert r["rate"] == pytest.approx(expected[r["category"][0]], abs=1e-12)
    assert unknown == 0
    ratio = min(r["impact_ratio"] for r in rows)
    assert ratio == pytest.approx(expected.min() / expected.max(), abs=1e-12)
    favoured = "male" if direction == "higher" else "female"
    assert [row[0].en for row in by_sex.rows if "(reference)" in row[4].en] == [favoured]
    assert len(crossed.rows) == 8 and "Native American" in by_race.rows[2][0].en
    assert f"{median:.4g}" in part.paragraphs[0].en
    assert ("above" if direction == "higher" else "below") in part.paragraphs[0].en
    # an audit saved before schema 1.9 has no scoring rates: the part says so
    doc = result.to_dict()
    del doc["content_sha256"]
    for table in doc["regression_metrics"].values():
        table["scoring"] = None
    parts = build_filing("bias_audit", doc).part("ll144")
    assert not parts.tables and "predates result schema 1.9" in parts.paragraphs[0].en


@pytest.mark.slow
def test_a_pricing_audit_has_no_impact_ratio_table(pricing_demo):
    part = pricing_demo.filing("bias_audit").part("ll144")
    assert not part.tables and "a price is neither" in part.paragraphs[0].en


def test_the_eu_section_lists_the_metrics_impacts_and_data_examination(hiring):
    result, _, _ = hiring
    filing = result.filing("bias_audit")
    (metrics,) = filing.part("eu_metrics").tables
    checks = {
        f.check
        for f in result.findings
        if f.article == "72(4)" and f.check != "fairness.ground_not_provided"
    }
    assert len(metrics.rows) == len(checks)
    ratio = next(
        r for r in metrics.rows if r[0].en.startswith("Approval-rate ratio") or "ratio" in r[0].en
    )
    assert ratio[1].en.startswith("≥")
    cited = {c.citation.en for p in filing.parts for c in p.answers}
    assert {
        "EU AI Act Annex IV(2)(g)",
        "EU AI Act Art. 10(2)(f)",
        "EU AI Act Art. 10(2)(g)",
    } <= cited
    data_part = filing.part("eu_data_bias")
    race_sizes = next(t for t in data_part.tables if t.caption.en.startswith("race"))
    assert any(
        "Native American" in row[0].en
        for i, row in enumerate(race_sizes.rows)
        if i in race_sizes.marked
    )


# ---------------------------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------------------------


def test_the_command_writes_every_filing_and_never_over_the_audit(credit_demo, tmp_path, capsys):
    audit = tmp_path / "audit.json"
    credit_demo.to_json(audit)
    out = tmp_path / "filings"
    assert main(["filings", str(audit), "--out", str(out), "--public-opinion", "no"]) == EXIT_OK
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"filing-{k}.{ext}" for k in KINDS for ext in ("html", "json"))
    ethics = json.loads((out / "filing-ethics.json").read_text(encoding="utf-8"))
    assert ethics["kind"] == "ethics" and ethics["follow_up_months"] == 12
    assert not [n for n in ethics["needs_review"] if n["label"]["en"].startswith("List item")]
    before = audit.read_bytes()
    clash = tmp_path / "filing-pia.json"
    clash.write_bytes(before)
    code = main(["filings", str(clash), "--out", str(tmp_path), "--kind", "pia"])
    assert code == EXIT_ERROR and clash.read_bytes() == before
    assert "overwrite" in capsys.readouterr().err
    bad = main(["filings", str(audit), "--out", str(tmp_path / "x"), "--follow-up-months", "18"])
    assert bad == EXIT_ERROR and not (tmp_path / "x").exists()  # nothing written
    assert main(["filings", str(audit), "--out", str(out), "--kind", "nope"]) == EXIT_ERROR


def test_write_filings_returns_the_paths_in_one_language(credit_demo, tmp_path):
    paths = write_filings(credit_demo, tmp_path, kinds=["pia"], lang="en")
    html, js = paths["pia"]
    page = html.read_text(encoding="utf-8")
    assert 'lang="zh-CN"' not in page and "Personal information protection" in page
    assert json.loads(js.read_text(encoding="utf-8"))["kind"] == "pia"


def test_a_fact_the_system_card_lacks_is_left_to_a_person_not_written_as_missing(hiring):
    result = hiring[0]  # its card has an organisation and a name, no purpose, no appeal
    public = result.filing("algorithm").part("public_content")
    purpose = {f.label.en: f for f in public.fields}["Purpose and intent"]
    assert purpose.kind == NEEDS_REVIEW and purpose.value is None
    mechanism = {f.label.en: f for f in public.fields}["Main operating mechanism"]
    assert mechanism.value is None or "(not provided)" not in mechanism.value.en
    text = result.filing("algorithm").to_text("zh")
    assert "（未提供）" not in text and "[NEEDS_REVIEW]" in text
    assert "目的意图 [NEEDS_REVIEW]：写明算法服务的目的" in text


def test_the_selection_rate_is_the_favourable_decision_whichever_label_it_is():
    data, selected = _hiring_data()
    result = sa.Audit(
        y_pred=1 - selected,  # 0 is now the favourable decision
        data=data,
        favorable_label=0,
        sensitive={"sex": "sex"},
        explain=False,
        verbose=False,
    ).run(random_state=0)
    rows, _ = impact_rows(result.to_dict()["group_metrics"]["gender"], N, False)
    for r in rows:
        assert r["rate"] == pytest.approx(selected[data["sex"] == r["category"][0]].mean())
    assert result.to_dict()["scope"]["favorable_is_positive"] is False
    (by_sex,) = result.filing("bias_audit").part("ll144").tables
    for row in by_sex.rows:
        rate = selected[data["sex"] == row[0].en].mean()
        assert row[3].en == f"{rate:.1%}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_filing_of_the_hiring_audit_follows_the_schema(hiring, kind):
    doc = hiring[0].filing(kind).to_dict()
    jsonschema.validate(doc, SCHEMA)
    broken = copy.deepcopy(doc)
    broken["parts"][0]["fields"].append({"label": {"zh": "x", "en": "x"}, "value": None})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)
