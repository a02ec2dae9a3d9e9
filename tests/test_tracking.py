"""Ex-post tracking (Art. 66(2)): comparing two audits of the same system."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pandas as pd
import pytest

import szai_audit as sa
from szai_audit.errors import InputError, InputTypeError, ReportError
from szai_audit.report import environment
from szai_audit.risk.tracking import Comparison, compare, comparison_page

N = 2000  # people per sex: enough for a one-point gap's interval to lie within 10 points
MEN_APPROVED = 1200
DP = ("fairness.demographic_parity_difference", "72(4)", "gender")
RATIO = ("fairness.selection_rate_ratio", "72(4)", "gender")
PROXY = ("fairness.proxy", "72(4)", "gender")
SCRIPT = "<script>alert(1)</script>"


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sex": ["f"] * N + ["m"] * N,
            "region": ["north", "south"] * N,
            "tenure": [i % 7 for i in range(2 * N)],
        }
    )


def _audit(women_approved: int, grounds=("gender",), system_name="Loan model"):
    """Predictions-only audit: ``women_approved`` of 2000 women and 1200 of 2000 men approved."""
    columns = {"gender": "sex", "region": "region"}
    y_pred = (
        [1] * women_approved
        + [0] * (N - women_approved)
        + [1] * MEN_APPROVED
        + [0] * (N - MEN_APPROVED)
    )
    return sa.Audit(
        y_pred=y_pred,
        data=_data(),
        sensitive={g: columns[g] for g in grounds},
        metadata={"system_name": system_name, "version": "1.0"},
        explain=False,
    ).run(random_state=0)


@pytest.fixture(scope="module")
def fair():
    """Selection rates 0.59 vs 0.60: a gap of one point, well within the policy."""
    return _audit(1180)


@pytest.fixture(scope="module")
def unfair():
    """Selection rates 0.30 vs 0.60: a 30-point gap, ratio 0.5."""
    return _audit(600)


@pytest.fixture(scope="module")
def hostile(fair):
    """The unfair predictions, audited for a system whose name is markup, against ``fair``."""
    return compare(_audit(600, system_name=SCRIPT), fair)


def _finding(result, key):
    (found,) = [f for f in result.findings if (f.check, f.article, f.ground) == key]
    return found


def _row(frame: pd.DataFrame, key) -> pd.Series:
    mask = (frame["check"] == key[0]) & (frame["article"] == key[1]) & (frame["ground"] == key[2])
    assert mask.sum() == 1, f"expected one row for {key}, got {int(mask.sum())}"
    return frame[mask].iloc[0]


def _keys(frame: pd.DataFrame) -> set[tuple]:
    return set(zip(frame["check"], frame["article"], frame["ground"], strict=True))


def _doc(*findings: dict, system_name: str | None = None) -> dict:
    """A minimal audit document with the given findings."""
    base = {"article": "72(4)", "ground": "gender", "value": None, "threshold": None}
    doc: dict = {"findings": [{**base, **f} for f in findings]}
    if system_name is not None:
        doc["system"] = {"system_name": system_name}
    return doc


# --------------------------------------------------------------------------------------------
# Drift between two real audits
# --------------------------------------------------------------------------------------------


def test_bigger_gap_is_worse_failing_drift(fair, unfair):
    assert _finding(fair, DP).status is sa.Status.PASS  # the premise of the test
    cmp = compare(unfair, fair)
    assert isinstance(cmp, Comparison)
    for key in (DP, RATIO):
        row = _row(cmp.changes, key)
        assert row["status_before"] == "PASS"
        assert row["status_after"] == "FAIL"
        assert row["direction"] == "worse"
        assert bool(row["drift"]) is True
        expected = _finding(unfair, key).value - _finding(fair, key).value
        assert row["delta"] == pytest.approx(expected, abs=1e-12)
        assert row["value_before"] == pytest.approx(_finding(fair, key).value)
        assert row["value_after"] == pytest.approx(_finding(unfair, key).value)
        assert row["threshold"] == pytest.approx(_finding(unfair, key).threshold)
    assert _row(cmp.changes, DP)["delta"] == pytest.approx(0.29)
    assert set(_row(cmp.changes, DP)["drift_reason"].split(";")) == {"status", "size", "crossed"}
    # the proxy check looks at the data only, which did not change
    proxy = _row(cmp.changes, PROXY)
    assert proxy["status_before"] == proxy["status_after"]
    assert math.isfinite(proxy["value_before"])
    assert proxy["delta"] == 0
    assert bool(proxy["drift"]) is False
    assert proxy["direction"] == "same"
    # both fairness failures appeared, nothing else drifted
    assert {DP, RATIO} <= _keys(cmp.appeared_failures)
    assert set(cmp.appeared_failures["origin"]) == {"changed"}
    assert _keys(cmp.drifted) == {DP, RATIO}
    s = cmp.summary
    assert s["drifted"] == 2
    assert s["appeared_failures"] == len(cmp.appeared_failures) >= 2
    assert s["before"]["verdict"] == fair.verdict
    assert s["after"]["verdict"] == "FAIL"
    assert s["before"]["status_counts"] == fair.status_counts
    assert s["after"]["status_counts"] == unfair.status_counts
    assert s["same_system"] is True
    assert s["before"]["system_name"] == s["after"]["system_name"] == "Loan model"
    assert s["after"]["version"] == "1.0"
    assert s["after"]["generated_at"] == unfair.manifest["generated_at"]
    assert cmp.new.empty and cmp.resolved.empty and cmp.removed.empty


def test_improvement_is_better_and_resolved(fair, unfair):
    cmp = compare(fair, unfair)
    row = _row(cmp.changes, DP)
    assert row["direction"] == "better"
    assert row["delta"] == pytest.approx(-0.29)
    # got better and crossed back under the threshold: that is drift too (a change to look at)
    assert bool(row["drift"]) is True
    assert "status" not in row["drift_reason"].split(";")
    resolved = _row(cmp.resolved, DP)
    assert resolved["resolution"] == "now_pass"
    assert resolved["status_before"] == "FAIL"
    assert resolved["status_after"] == "PASS"
    assert cmp.appeared_failures.empty


def test_same_result_has_no_drift(fair):
    cmp = compare(fair, fair)
    assert len(cmp.changes) == len(fair.findings)
    assert not cmp.changes["drift"].any()
    assert (cmp.changes["direction"] == "same").all()
    assert (cmp.changes["status_before"] == cmp.changes["status_after"]).all()
    finite = cmp.changes["delta"].dropna()
    assert not finite.empty
    assert (finite == 0).all()
    for frame in (cmp.new, cmp.resolved, cmp.removed, cmp.appeared_failures, cmp.drifted):
        assert frame.empty
    s = cmp.summary
    assert (s["drifted"], s["new"], s["resolved"], s["removed"], s["appeared_failures"]) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert s["compared"] == len(fair.findings)


# --------------------------------------------------------------------------------------------
# Inputs: result, dict, saved JSON
# --------------------------------------------------------------------------------------------


def test_round_trip_path_dict_result_agree(fair, unfair, tmp_path):
    path = tmp_path / "previous.json"
    fair.to_json(path)
    from_path = compare(unfair, path)
    from_str = compare(unfair, str(path))
    from_dict = compare(unfair, fair.to_dict())
    from_result = compare(unfair, fair)
    assert from_path == from_dict == from_result == from_str
    assert from_path.changes.equals(from_result.changes)
    assert from_path.summary == from_result.summary
    # both sides as files
    current = tmp_path / "current.json"
    unfair.to_json(current)
    assert compare(current, path) == from_result
    # and a comparison that differs is not equal
    assert compare(fair, fair) != from_result


def test_inputs_are_not_mutated(fair, unfair):
    before, after = fair.to_dict(), unfair.to_dict()
    snapshot = copy.deepcopy((before, after))
    compare(after, before)
    assert (before, after) == snapshot


@pytest.fixture(scope="module")
def two_grounds():
    """The unfair predictions audited on gender and region (so also gender × region)."""
    return _audit(600, grounds=("gender", "region"))


def test_new_findings_when_a_ground_is_added(unfair, two_grounds):
    cmp = compare(two_grounds, unfair)
    new = _keys(cmp.new)
    assert ("fairness.demographic_parity_difference", "72(4)", "region") in new
    assert ("fairness.selection_rate_ratio", "72(4)", "region") in new
    assert ("fairness.demographic_parity_difference", "72(4)", "gender × region") in new
    assert all(g in ("region", "gender × region") for _, _, g in new)
    assert cmp.summary["new"] == len(cmp.new) > 0
    assert cmp.removed.empty and cmp.resolved.empty
    assert set(cmp.new.columns) >= {"check", "article", "ground", "status", "value"}
    # the intersection fails from the start: a new failure
    failures = cmp.appeared_failures.set_index(["check", "article", "ground"])
    gone = ("fairness.demographic_parity_difference", "72(4)", "gender × region")
    assert failures.loc[gone, "origin"] == "new"
    # the gender findings are the same in both audits
    assert not _row(cmp.changes, DP)["drift"]


def test_resolved_when_a_failing_ground_is_removed(fair, two_grounds):
    cmp = compare(fair, two_grounds)
    resolved = cmp.resolved.set_index(["check", "article", "ground"])
    # gender: failed, now passes
    assert resolved.loc[DP, "resolution"] == "now_pass"
    # gender × region: failed, and is gone from the current audit: not checked is not resolved
    gone = ("fairness.demographic_parity_difference", "72(4)", "gender × region")
    assert gone not in _keys(cmp.resolved)
    removed = cmp.removed.set_index(["check", "article", "ground"])
    assert removed.loc[gone, "status"] == "FAIL"
    # the region findings passed before: removed, but not "resolved"
    region = ("fairness.demographic_parity_difference", "72(4)", "region")
    assert region in _keys(cmp.removed)
    assert region not in _keys(cmp.resolved)
    assert cmp.summary["resolved"] == len(cmp.resolved)
    assert cmp.summary["removed"] == len(cmp.removed)


def test_different_system_is_flagged_not_an_error(hostile, fair):
    assert hostile.summary["same_system"] is False
    assert hostile.summary["after"]["system_name"] == SCRIPT
    assert "same_system=False" in repr(hostile)
    assert "may not be of the same system" in hostile.to_html(lang="en")
    assert "may not be of the same system" not in compare(fair, fair).to_html(lang="en")
    assert compare(fair, fair).summary["same_system"] is True


# --------------------------------------------------------------------------------------------
# The drift rule on hand-made documents
# --------------------------------------------------------------------------------------------


def test_drift_rule_size_threshold_and_tolerance():
    before = _doc(
        {"check": "a", "status": "PASS", "value": 0.02, "threshold": 0.1},
        {"check": "b", "status": "PASS", "value": 0.02, "threshold": 0.1},
        {"check": "c", "status": "PASS", "value": 0.85, "threshold": 0.8},
        {"check": "d", "status": "WARN", "value": None, "threshold": 0.1},
        {"check": "e", "status": "FAIL", "value": 0.5, "threshold": None},
    )
    after = _doc(
        {"check": "a", "status": "PASS", "value": 0.04, "threshold": 0.1},  # |0.02| <= 0.025
        {"check": "b", "status": "PASS", "value": 0.05, "threshold": 0.1},  # |0.03| > 0.025
        {"check": "c", "status": "PASS", "value": 0.79, "threshold": 0.8},  # crossed 0.8
        {"check": "d", "status": "PASS", "value": 0.03, "threshold": 0.1},  # better, no delta
        {"check": "e", "status": "FAIL", "value": 0.5001, "threshold": None},  # 1e-4 <= 0.0025
    )
    cmp = compare(after, before)
    rows = cmp.changes.set_index("check")
    assert not rows.loc["a", "drift"]
    assert rows.loc["a", "delta"] == pytest.approx(0.02)
    assert rows.loc["b", "drift"] and rows.loc["b", "drift_reason"] == "size"
    assert rows.loc["c", "drift"] and rows.loc["c", "drift_reason"] == "crossed"
    assert rows.loc["c", "direction"] == "same"
    assert not rows.loc["d", "drift"]
    assert rows.loc["d", "direction"] == "better"
    assert math.isnan(rows.loc["d", "delta"])
    assert not rows.loc["e", "drift"]
    assert rows.loc["e", "drift_reason"] == ""
    # WARN -> PASS resolves d
    assert list(cmp.resolved["check"]) == ["d"]
    # a looser tolerance no longer flags b; a tighter one flags a
    assert (
        not compare(after, before, drift_tolerance=0.5).changes.set_index("check").loc["b"]["drift"]
    )
    assert compare(after, before, drift_tolerance=0.1).changes.set_index("check").loc["a"]["drift"]
    assert compare(after, before, drift_tolerance=0.1).summary["drift_tolerance"] == 0.1


def test_status_more_severe_drifts_without_values():
    before = _doc({"check": "x", "status": "PASS"}, {"check": "y", "status": "NOT_ASSESSED"})
    after = _doc({"check": "x", "status": "INSUFFICIENT_DATA"}, {"check": "y", "status": "FAIL"})
    rows = compare(after, before).changes.set_index("check")
    assert rows.loc["x", "drift"] and rows.loc["x", "direction"] == "worse"
    assert rows.loc["y", "drift"] and rows.loc["y", "direction"] == "worse"
    assert rows.loc["x", "drift_reason"] == "status"


def test_ground_none_matches_and_new_failure_is_reported():
    before = _doc({"check": "risk", "article": "66", "ground": None, "status": "PASS"})
    after = _doc(
        {"check": "risk", "article": "66", "ground": None, "status": "PASS"},
        {"check": "new", "ground": "age", "status": "FAIL", "value": 0.3, "threshold": 0.1},
    )
    cmp = compare(after, before)
    assert _keys(cmp.changes) == {("risk", "66", None)}
    assert _keys(cmp.new) == {("new", "72(4)", "age")}
    failure = _row(cmp.appeared_failures, ("new", "72(4)", "age"))
    assert failure["origin"] == "new"
    assert failure["status_before"] is None
    # a document without summary or system still gets a verdict and counts
    assert cmp.summary["after"]["verdict"] == "FAIL"
    assert cmp.summary["before"]["verdict"] == "PASS"
    assert cmp.summary["after"]["status_counts"]["FAIL"] == 1
    assert cmp.summary["same_system"] is True  # neither names its system


def test_system_named_on_one_side_only_is_flagged():
    cmp = compare(_doc(system_name="A"), _doc())
    assert cmp.summary["same_system"] is False
    assert compare(_doc(system_name="A"), _doc(system_name="A")).summary["same_system"] is True


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def test_missing_file(fair, tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(InputError, match=r"previous.*does not exist"):
        compare(fair, missing)
    with pytest.raises(InputError, match=r"current.*does not exist"):
        compare(str(missing), fair)
    with pytest.raises(InputError, match="not a file"):
        compare(fair, tmp_path)


def test_invalid_json(fair, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"previous.*not valid JSON.*line 1"):
        compare(fair, bad)
    array = tmp_path / "array.json"
    array.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="JSON object"):
        compare(fair, array)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"findings": ["\xe9"]}')
    with pytest.raises(InputError, match="UTF-8"):
        compare(fair, latin)


def test_dict_that_is_not_an_audit_result(fair):
    with pytest.raises(InputError, match=r"previous is not an audit result.*no 'findings'"):
        compare(fair, {"summary": {}})
    with pytest.raises(InputError, match=r"'findings' of type str"):
        compare(fair, {"findings": "all good"})
    with pytest.raises(InputError, match=r"findings\[0\].status"):
        compare(fair, {"findings": [{"check": "a", "article": "1", "status": "GREAT"}]})
    with pytest.raises(InputError, match=r"findings\[0\] must have a string 'check'"):
        compare(fair, {"findings": [{"article": "1", "status": "PASS"}]})
    with pytest.raises(InputError, match=r"findings\[0\].value must be a number"):
        compare(
            fair,
            {"findings": [{"check": "a", "article": "1", "status": "PASS", "value": "high"}]},
        )


def test_wrong_types(fair):
    with pytest.raises(InputTypeError, match=r"previous must be an AuditResult.*got int"):
        compare(fair, 42)
    with pytest.raises(InputTypeError, match=r"current must be an AuditResult.*got list"):
        compare([], fair)
    with pytest.raises(TypeError):  # the standard exception still catches it
        compare(fair, None)
    with pytest.raises(InputTypeError, match="drift_tolerance must be a number"):
        compare(fair, fair, drift_tolerance="0.25")
    with pytest.raises(InputError, match="drift_tolerance must be a finite number >= 0"):
        compare(fair, fair, drift_tolerance=-0.1)
    with pytest.raises(InputTypeError, match="comparison must be a Comparison"):
        comparison_page(fair, "en")
    with pytest.raises(ReportError, match="lang must be one of"):
        comparison_page(compare(fair, fair), "fr")
    assert issubclass(InputError, sa.SzaiAuditError)


# --------------------------------------------------------------------------------------------
# Saved results: verdicts from the findings, the content hash, robust loading
# --------------------------------------------------------------------------------------------


def _saved(result, tmp_path, edit=None, name="saved.json") -> Path:
    """``result`` saved as JSON, after ``edit(doc)`` changed the document (content hash kept)."""
    doc = json.loads(result.to_json())
    if edit is not None:
        edit(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _first_failing(doc: dict) -> dict:
    return next(f for f in doc["findings"] if f["status"] == "FAIL")


def test_verdict_and_counts_come_from_the_findings_not_the_summary(fair):
    claim = {"verdict": "PASS", "status_counts": {"FAIL": 0, "PASS": 9}}
    doc = {
        **_doc({"check": "c", "status": "FAIL"}, {"check": "d", "status": "PASS"}),
        "summary": claim,
    }
    side = compare(doc, fair).summary["after"]
    assert side["verdict"] == "FAIL"
    assert side["status_counts"]["FAIL"] == 1 and side["status_counts"]["PASS"] == 1
    assert side["content_verified"] is False  # a document without a hash is marked unverified
    assert compare(fair, fair).summary["after"]["content_verified"] is True


def test_saved_result_is_verified_against_its_hash(fair, unfair, tmp_path):
    path = _saved(unfair, tmp_path)
    side = compare(path, fair).summary["after"]
    assert side["content_verified"] is True
    assert side["content_sha256"] == unfair.content_sha256
    assert side["verdict"] == unfair.verdict == "FAIL"


def _set_pass(doc: dict) -> None:
    doc["summary"]["verdict"] = "PASS"
    doc["summary"]["status_counts"] = dict.fromkeys(doc["summary"]["status_counts"], 0)


def test_edited_verdict_is_refused_and_the_cli_does_not_pass(fair, unfair, tmp_path):
    from szai_audit.cli import main

    edited = _saved(unfair, tmp_path, _set_pass, name="edited.json")
    with pytest.raises(InputError, match=r"current file '.*edited\.json' was edited.*sha256"):
        compare(edited, fair)
    doc = json.loads(edited.read_text(encoding="utf-8"))
    with pytest.raises(InputError, match=r"previous was edited"):  # the dict form too
        compare(fair, doc)
    old = _saved(fair, tmp_path, name="old.json")
    assert main(["compare", str(old), str(edited)]) == 2  # an input error, not 0 (no FAIL)
    assert main(["compare", str(old), str(_saved(unfair, tmp_path))]) == 1


def test_edited_number_is_refused(fair, unfair, tmp_path):
    def halve(doc: dict) -> None:
        _first_failing(doc)["value"] /= 2

    def rows(doc: dict) -> None:
        doc["scope"]["n_rows"] += 1

    for edit in (halve, rows):
        path = _saved(unfair, tmp_path, edit, name=f"{edit.__name__}.json")
        with pytest.raises(InputError, match=rf"previous file .*{edit.__name__}\.json.*edited"):
            compare(fair, path)

    # Only the time of the run is outside the hash.
    def later(doc: dict) -> None:
        doc["manifest"]["generated_at"] = "2099-01-01T00:00:00+00:00"

    assert compare(fair, _saved(unfair, tmp_path, later)).summary["before"]["verdict"] == "FAIL"


def test_number_too_large_for_a_float(fair, unfair, tmp_path):
    text = unfair.to_json()
    value = json.dumps(_first_failing(json.loads(text))["value"])
    for i, big in enumerate(("1" + "0" * 400, "1e400")):
        path = tmp_path / f"big{i}.json"
        path.write_text(text.replace(f'"value": {value}', f'"value": {big}', 1), "utf-8")
        with pytest.raises(InputError, match=rf"previous file .*big{i}\.json.*(float|too large)"):
            compare(fair, path)
    finding = {"check": "c", "article": "1", "status": "PASS", "value": 10**400}
    with pytest.raises(InputError, match=r"findings\[0\]\.value.*float can hold.*401 digits"):
        compare(fair, {"findings": [finding]})


def test_json_nested_too_deeply(fair, tmp_path):
    deep = '{"findings": ' + "[" * 200_000 + "]" * 200_000 + "}"
    path = tmp_path / "deep.json"
    path.write_text(deep, encoding="utf-8")
    with pytest.raises(InputError, match=r"previous file .*deep\.json.* nested too deeply"):
        compare(fair, path)
    with pytest.raises(InputError, match=r"current \(JSON text\) is nested too deeply"):
        compare(deep, fair)


def test_files_that_are_not_results_name_the_file(fair, unfair, tmp_path):
    not_json = tmp_path / "notes.txt"
    not_json.write_text("audit went fine", encoding="utf-8")
    with pytest.raises(InputError, match=r"previous file .*notes\.txt.* not valid JSON"):
        compare(fair, not_json)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"findings": ["\xe9"]}')
    with pytest.raises(InputError, match=r"previous file .*latin\.json.* not UTF-8"):
        compare(fair, latin)

    def drop(key):
        return lambda doc: doc.pop(key)

    cases = {
        "v2.json": (lambda doc: doc.update(schema_version="2.0"), r"schema_version '1\.x'.*'2\.0'"),
        "nover.json": (drop("schema_version"), r"no schema_version"),
        "nohash.json": (drop("content_sha256"), r"missing \['content_sha256'\]"),
        "nofindings.json": (drop("findings"), r"missing \['findings'\]"),
        "nosummary.json": (drop("summary"), r"missing \['summary'\]"),
    }
    for name, (edit, message) in cases.items():
        path = _saved(unfair, tmp_path, edit, name=name)
        with pytest.raises(
            InputError, match=rf"previous file .*{name.replace('.', '[.]')}.*" + message
        ):
            compare(fair, path)
    # A dict need not carry a schema_version, but one it carries is checked.
    with pytest.raises(InputError, match=r"previous is not an audit result.*'2\.0'"):
        compare(fair, {**_doc({"check": "c", "status": "PASS"}), "schema_version": "2.0"})


def test_comparison_writes_through_core_write_text(hostile, tmp_path, monkeypatch):
    import szai_audit.risk.tracking.comparison as tracking

    written: list[tuple[object, str]] = []
    monkeypatch.setattr(tracking, "write_text", lambda path, text: written.append((path, text)))
    html = hostile.to_html(tmp_path / "c.html")
    text = hostile.to_json(tmp_path / "c.json")
    assert written == [(tmp_path / "c.html", html), (tmp_path / "c.json", text)]


# --------------------------------------------------------------------------------------------
# HTML and JSON
# --------------------------------------------------------------------------------------------


def test_html_is_escaped_self_contained_and_bilingual(hostile, tmp_path):
    path = tmp_path / "tracking.html"
    html = hostile.to_html(path)
    assert path.read_text(encoding="utf-8") == html
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert '<meta charset="utf-8">' in html
    assert "<style>" in html
    assert SCRIPT not in html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html
    assert '<section id="tracking">' in html
    assert "事后跟踪" in html and "Ex-post tracking" in html
    # statuses with their bilingual labels, numbers readable
    assert "超出容许范围" in html and "Beyond tolerance" in html
    assert "+0.29" in html
    assert "0.983" in html  # 3 significant digits of 59/60


def test_html_languages(hostile):
    zh = hostile.to_html(lang="zh")
    en = hostile.to_html(lang="en")
    assert "事后跟踪" in zh and "Ex-post tracking" not in zh
    assert "Ex-post tracking" in en and "事后跟踪" not in en
    assert '<html lang="en">' in en
    with pytest.raises(ReportError):
        hostile.to_html(lang="de")


def test_fragment_renders_inside_the_report_environment(hostile):
    """The way the main report includes it: only `cmp`, `lang` and the report globals."""
    template = environment().from_string('<main>{% include "_comparison.html.j2" %}</main>')
    out = template.render(cmp=comparison_page(hostile, "bilingual"), lang="bilingual")
    assert out.startswith('<main><section id="tracking">')
    assert "<html" not in out and "<style" not in out and "<!DOCTYPE" not in out
    assert "&lt;script&gt;" in out and SCRIPT not in out
    fragment = hostile._repr_html_()
    assert fragment.lstrip().startswith('<section id="tracking">')
    assert fragment.rstrip().endswith("</section>")
    assert "<html" not in fragment


def test_page_structure_formats_numbers(hostile):
    page = comparison_page(hostile, "en")
    (dp,) = [r for r in page["drifted"] if r["check"] == DP[0]]
    assert dp["delta"] == "+0.29"
    assert dp["value_before"] == "0.01"
    assert dp["status_after"] is sa.Status.FAIL
    assert dp["direction"].en == "Worse"
    fail = next(s for s in page["statuses"] if s["status"] is sa.Status.FAIL)
    assert fail["before"] == 0 and fail["after"] >= 2 and fail["change"].startswith("+")
    assert page["counts"]["drifted"] == 2


def test_to_json_parses_with_summary_counts(hostile, tmp_path):
    path = tmp_path / "tracking.json"
    text = hostile.to_json(path)
    assert path.read_text(encoding="utf-8") == text
    assert "漂移规则" in text  # ensure_ascii=False: Chinese written as such

    def no_nan(token: str) -> float:
        raise AssertionError(f"non-JSON number {token} in the output")

    doc = json.loads(text, parse_constant=no_nan)
    s = doc["summary"]
    assert s["drifted"] == 2
    assert s["appeared_failures"] == hostile.summary["appeared_failures"]
    assert s["before"]["status_counts"] == hostile.summary["before"]["status_counts"]
    assert s["after"]["status_counts"]["FAIL"] >= 2
    assert s["same_system"] is False
    assert s["after"]["system_name"] == SCRIPT
    assert len(doc["changes"]) == len(hostile.changes)
    missing = [r for r in doc["changes"] if r["value_before"] is None]
    assert missing and all(r["delta"] is None for r in missing)  # NaN written as null
    assert doc["drift_rule"]["en"].startswith("Drift rule")
    assert json.loads(hostile.to_json(indent=None)) == doc
    assert hostile.to_dict() == doc


def test_repr(hostile):
    text = repr(hostile)
    assert text.startswith("<Comparison ") and "drifted=2" in text
    assert len(text) < 200


def test_json_file_round_trip_keeps_saved_path_type(fair, tmp_path):
    path = Path(tmp_path) / "fair.json"
    fair.to_json(path)
    assert compare(path, path) == compare(fair, fair)


def test_audit_result_compare_and_report_section(fair, unfair, tmp_path):
    # The method on AuditResult is the module function; the report gains the section.
    via_method = unfair.compare(fair)
    assert via_method == compare(unfair, fair)
    path = tmp_path / "fair.json"
    fair.to_json(path)
    html = unfair.to_html(compare_with=path)
    assert 'id="tracking"' in html and "事后跟踪" in html
    assert 'href="#tracking"' in html  # listed in the contents
    assert 'id="tracking"' not in unfair.to_html()
    # A ready Comparison is used as it is.
    assert 'id="tracking"' in unfair.to_html(compare_with=via_method)


def test_compare_accepts_the_json_text(fair, unfair):
    assert compare(unfair, fair.to_json()) == compare(unfair, fair)
    with pytest.raises(InputError, match="not valid JSON"):
        compare(unfair, "{not json")
