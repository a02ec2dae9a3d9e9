"""The HTML report and the JSON result: content, languages, escaping, offline, schema."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import markupsafe
import numpy as np
import pandas as pd
import pytest

import szai_audit as sa

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())
URL = re.compile(r"(https?:|ftp:|file:|data:|//[a-z0-9-]+\.[a-z]{2,})", re.I)


class _Collector(HTMLParser):
    """Collects tags and attributes, and the visible text per lang attribute."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    return c


@pytest.fixture(scope="module")
def html_bi(german_result):
    return german_result.to_html()


def test_report_sections_and_numbers(german_result, html_bi):
    for anchor in ('id="summary"', 'id="scope"', 'id="art-72-4"', 'id="method"', 'id="manifest"'):
        assert anchor in html_bi
    # Summary counts by status appear as shown in the result.
    for status, _n in german_result.status_counts.items():
        label = sa.Status(status).label
        assert label.zh in html_bi and label.en in html_bi
    # System card and manifest.
    assert "Test Org" in html_bi and "Loan model" in html_bi
    assert german_result.content_sha256 in html_bi
    assert german_result.manifest["data"]["sha256"] in html_bi
    assert "sklearn.pipeline.Pipeline" in html_bi
    # Every finding's message is in the report, in both languages (HTML-escaped).
    import html as h

    text = h.unescape(html_bi)
    for f in german_result.findings:
        assert f.message.zh in text
        assert f.message.en in text
    # Group table numbers equal the metrics.
    female_rate = german_result.fairness.group_metrics["gender"].by_group.loc[
        "female", "selection_rate"
    ]
    assert f"{100 * female_rate:.1f}%" in html_bi
    # Age bins are reported.
    assert "25–39" in html_bi and "cut points the user gave" in html_bi


def test_report_is_self_contained_and_offline(html_bi, german_result):
    parsed = _parse(html_bi)
    tags = {t for t, _ in parsed.tags}
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert "iframe" not in tags and "object" not in tags
    assert not URL.search(html_bi), URL.search(html_bi)
    # Charts are inline SVG with their text kept as text.
    # One chart per table with two groups large enough to draw: gender and age, not
    # nationality (its "no" group has 13 people); then the intersections that qualify.
    assert 'id="chart-1"' in html_bi and 'id="chart-3"' in html_bi  # gender, age
    assert 'id="chart-2"' not in html_bi  # nationality
    drawable = [
        key
        for key, gm in german_result.fairness.tables().items()
        if gm.shown(30)["selection_rate"].sum() >= 2 and len(gm.by_group) <= 40
    ]
    assert len(re.findall(r'class="chart" id="chart-\d', html_bi)) == len(drawable) >= 2
    assert 'id="chart-explanation"' in html_bi
    # A calibration chart per ground whose groups have two bins of 30 people or more.
    assert 'id="calibration-1"' in html_bi
    assert "<text" in html_bi and "有利决定率" in re.search(r"<svg.*?</svg>", html_bi, re.S).group(
        0
    )
    ids = [a["id"] for _, a in parsed.tags if "id" in a]
    assert len(ids) == len(set(ids)), "element ids must be unique across charts"
    # Print layout.
    assert "@media print" in html_bi and "@page" in html_bi


def test_language_variants(german_result):
    zh = german_result.to_html(lang="zh")
    en = german_result.to_html(lang="en")
    f = next(x for x in german_result.findings if x.ground == "gender")
    assert f.message.zh in zh and f.message.en not in zh
    assert f.message.en.replace("“", "“") in en and f.message.zh not in en
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    # The zh report has no English sentence of ours; the en report no Chinese of ours.
    assert "Summary" not in zh and "结论摘要" not in en
    en_text = "".join(_parse(en).text)
    ours_cjk = re.findall(r"[\u4e00-\u9fff]+", en_text)
    # Only user-supplied metadata may carry Chinese in the English report (none here).
    assert ours_cjk == []


def test_user_text_is_escaped_everywhere():
    evil = '<script>alert("x")</script>'
    n = 120
    groups = np.array([evil, "b & c"] * (n // 2), dtype=object)
    result = sa.Audit(
        y_pred=np.tile([1, 0, 1], n // 3)[:n],
        sensitive={evil: groups},
        metadata={"organisation": evil, evil: "x"},
    ).run()
    html = result.to_html()
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "b &amp; c" in html
    # JSON keeps the raw text (it is data, not markup).
    data = json.loads(result.to_json())
    assert data["system"]["organisation"] == evil
    assert data["sensitive_attributes"][0]["ground"] == evil


def test_json_matches_schema_and_content(german_result, tmp_path):
    path = tmp_path / "r.json"
    text = german_result.to_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(text)
    jsonschema.validate(data, SCHEMA)
    assert data["content_sha256"] == german_result.content_sha256
    assert len(data["findings"]) == len(german_result.findings)
    assert data["summary"]["status_counts"] == german_result.status_counts
    gm = german_result.fairness.group_metrics["gender"].by_group
    rows = {tuple(r["group"]): r for r in data["group_metrics"]["gender"]["groups"]}
    assert rows[("female",)]["selection_rate"] == pytest.approx(gm.loc["female", "selection_rate"])
    # Small groups are withheld, not leaked (foreign_worker "no" has fewer than 30 people).
    rows_nat = {tuple(r["group"]): r for r in data["group_metrics"]["nationality"]["groups"]}
    assert rows_nat[("no",)]["suppressed"] and rows_nat[("no",)]["selection_rate"] is None
    assert rows_nat[("yes",)]["selection_rate"] is not None
    # to_dict returns a fresh copy.
    d = german_result.to_dict()
    d["findings"].clear()
    assert len(german_result.to_dict()["findings"]) == len(german_result.findings)


def test_predictions_only_report_without_outcomes_validates():
    rng = np.random.default_rng(2)
    n = 400
    result = sa.Audit(
        y_pred=rng.integers(0, 2, n),
        sensitive={"gender": rng.choice(["f", "m"], n), "age": rng.integers(18, 90, n)},
    ).run()
    jsonschema.validate(result.to_dict(), SCHEMA)
    html = result.to_html()
    assert "No actual outcomes were given" in html
    assert "quantiles" in html  # automatic bins are explained


def test_content_hash_covers_content_but_not_time(german_result):
    d = german_result.to_dict()
    assert "generated_at" in d["manifest"]
    later = {**german_result.manifest, "generated_at": "2000-01-01T00:00:00+00:00"}
    other = dataclasses.replace(german_result, manifest=later)
    assert other.content_sha256 == german_result.content_sha256
    changed = dataclasses.replace(german_result, findings=german_result.findings[:-1])
    assert changed.content_sha256 != german_result.content_sha256


def test_notebook_repr_does_not_leak_css(german_result):
    bundle = german_result._repr_mimebundle_()
    html = bundle["text/html"]
    assert "<style" not in html and "<script" not in html and "<link" not in html
    assert german_result.verdict in html
    assert german_result.verdict_message.zh in html
    assert german_result.findings[0].message.zh in html and "通过" in html
    assert "verdict=FAIL" in bundle["text/plain"] or "verdict=" in bundle["text/plain"]
    assert html == german_result._repr_html_()


def test_notebook_card_is_compact(german_result):
    # Issue 15 item 12: verdict, counts, the five most serious findings one line each, left
    # aligned within 800 px; every check folded behind <details>.
    html = german_result._repr_html_()
    card, folded = html.split("<details", 1)
    assert "max-width: 800px" in card and "text-align: left" in card
    ordered = sorted(german_result.findings, key=lambda f: f.status.severity)
    listed = re.findall(r"<li[^>]*>(.*?)</li>", card, re.S)
    assert len(listed) == 5
    for f, item in zip(ordered[:5], listed, strict=True):
        assert f.status.value in item and f.title.en in item
    assert f.message.zh not in card  # full texts only in the folded table
    assert f"All {len(german_result.findings)} checks" in folded
    assert all(str(markupsafe.escape(x.message.en)) in folded for x in ordered[:3])


def test_findings_frame(german_result):
    frame = german_result.findings_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == len(german_result.findings)
    assert set(frame["status"]) <= {s.value for s in sa.Status}


def test_chart_rows_line_up_across_panels():
    """A group withheld in one panel keeps its row, so bars sit next to their own label."""
    from matplotlib.figure import Figure

    # C has 60 people but only 5 actual positives: its true-positive rate is withheld.
    group = np.array(["A"] * 100 + ["B"] * 100 + ["C"] * 60)
    y_true = np.r_[np.ones(50), np.zeros(50), np.ones(50), np.zeros(50), np.ones(5), np.zeros(55)]
    y_pred = np.r_[np.ones(40), np.zeros(60), np.ones(10), np.zeros(90), np.ones(30), np.zeros(30)]
    gm = sa.group_metrics(y_true.astype(int), y_pred.astype(int), group)
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    sa.report.plot_group_rates(gm, "selection_rate", ax=ax1, min_group_size=30)
    sa.report.plot_group_rates(gm, "true_positive_rate", ax=ax2, min_group_size=30)
    # The panels share the y axis: the labels on the first one name every row.
    ticks = [round(v) for v in ax1.get_yticks()]
    labels = dict(zip(ticks, [t.get_text() for t in ax1.get_yticklabels()], strict=True))
    assert sorted(labels.values()) == ["A", "B", "C"]
    bars = {labels[round(p.get_y() + p.get_height() / 2)]: p.get_width() for p in ax2.patches}
    assert bars == {"A": pytest.approx(0.8), "B": pytest.approx(0.2)}
    assert [t.get_text() for t in ax2.texts] == ["80.0%", "20.0%", "—"]


def test_chart_labels_are_plain_text_and_ids_unique_for_non_ascii_grounds():
    n = 200
    groups = np.array(["cost $5 vs $10", r"a$\frac$b"] * (n // 2), dtype=object)
    result = sa.Audit(
        y_pred=np.tile([1, 0], n // 2),
        y_true=np.tile([1, 1, 0, 0], n // 4),
        sensitive={"性别": groups, "民族": groups[::-1].copy()},
    ).run()
    html = result.to_html()
    assert "cost $5 vs $10" in html and r"a$\frac$b" in html
    ids = [a["id"] for _, a in _parse(html).tags if "id" in a]
    assert len(ids) == len(set(ids))


def test_plot_group_rates_uses_given_axes_and_no_pyplot():
    import subprocess
    import sys

    from matplotlib.figure import Figure

    gm = sa.group_metrics([1, 0, 1, 1], [1, 0, 0, 1], ["a", "a", "b", "b"])
    fig = Figure()
    ax = fig.subplots()
    out = sa.report.plot_group_rates(gm, "true_positive_rate", ax=ax, reference=0.4)
    assert out is ax
    assert [p.get_width() for p in ax.patches] == [1.0, 0.5]
    # Charts never go through pyplot (checked in a fresh process: shap imports pyplot itself).
    code = (
        "import sys, szai_audit as sa\n"
        "gm = sa.group_metrics([1, 0, 1, 1], [1, 0, 0, 1], ['a', 'a', 'b', 'b'])\n"
        "sa.report.plot_group_rates(gm)\n"
        "r = sa.Audit(y_pred=[1, 0] * 40, sensitive={'race': ['a', 'b'] * 40}).run()\n"
        "r.to_html()\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
