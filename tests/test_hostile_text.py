"""Hostile text in column names, category values and metadata never reaches the report as markup,
the report loads nothing external, and identical runs give identical outputs."""

from __future__ import annotations

import hashlib
import json
import re
from html import unescape
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import szai_audit as sa

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "</td></tr></table><iframe src=//evil.example>",
    "{{ 7*7 }}{% raw %}",
    "' onmouseover='alert(1)",
    "<style>body{display:none}</style>",
]


class _Collector(HTMLParser):
    """Every element and attribute of a document, and every script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]
        self.scripts += tag == "script"


def _parse(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    return c


def _hostile_audit(name: str, value: str) -> sa.AuditResult:
    rng = np.random.default_rng(0)
    n = 120
    data = pd.DataFrame(
        {
            name: rng.normal(size=n),
            "group": np.where(np.arange(n) % 2 == 0, value, "plain"),
        }
    )
    return sa.Audit(
        y_pred=(data[name] > 0).astype(int),
        data=data,
        sensitive={"region": "group"},
        metadata={"system_name": value, "organisation": name, value[:20] or "k": value},
        explain=False,
    ).run()


def _assert_inert(html: str, payload: str) -> None:
    parsed = _parse(html)
    assert parsed.scripts == 0  # the report has no script at all
    assert "iframe" not in parsed.tags and "img" not in parsed.tags
    for key, val in parsed.attrs:
        assert not key.startswith("on"), (key, val)  # no event handler attributes
        assert payload not in val or key in ("content",), (key, val)
        assert not val.strip().lower().startswith("javascript:")
        # No attribute points outside the document (SVG namespaces are identifiers, not loads).
        if key in ("src", "href"):
            assert val.startswith("#") or val.startswith("data:"), (key, val)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_escaped_everywhere(payload):
    result = _hostile_audit(f"x{payload}", payload)
    for lang in ("bilingual", "zh", "en"):
        html = result.to_html(lang=lang)
        _assert_inert(html, payload)
        assert "<script" not in html.lower()  # not even escaped-looking tags survive as tags
    json.loads(result.to_json())  # the JSON stays valid JSON


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    name=st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and s not in ("group",)),
    value=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() and s != "plain"),
    tag=st.sampled_from(["script", "img", "iframe", "object", "embed", "a", "svg"]),
)
def test_generated_text_never_becomes_markup(name, value, tag):
    payload = f"<{tag} src=//e.example onload=x>{value}</{tag}>"
    result = _hostile_audit(name + payload, payload)
    html = result.to_html()
    parsed = _parse(html)
    assert parsed.scripts == 0
    assert tag not in ("iframe", "object", "embed") or tag not in parsed.tags
    assert not any(k.startswith("on") for k, _ in parsed.attrs)
    assert not any(v.startswith("//") for k, v in parsed.attrs if k in ("src", "href"))


def test_the_report_loads_nothing_external(german_result):
    html = german_result.to_html()
    parsed = _parse(html)
    assert parsed.scripts == 0
    for key, val in parsed.attrs:
        if key in ("src", "href", "xlink:href", "action"):
            assert val.startswith("#") or val.startswith("data:"), (key, val)
    assert "@import" not in html and "url(http" not in html


def test_identical_runs_identical_outputs(monkeypatch):
    def run():
        return _hostile_audit("income", "north")

    a, b = run(), run()
    da, db = a.to_dict(), b.to_dict()
    for d in (da, db):
        d["manifest"].pop("generated_at")
        d["manifest"].pop("stage_seconds")  # how long each stage took: not content
    assert da == db and a.content_sha256 == b.content_sha256
    # With the time fixed, the HTML and JSON are byte-identical.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")
    c, d = run(), run()
    assert c.manifest["generated_at"] == "2025-11-29T00:00:00+00:00"
    for render in (lambda r: r.to_html(), lambda r: r.to_json()):
        assert (
            hashlib.sha256(render(c).encode()).hexdigest()
            == hashlib.sha256(render(d).encode()).hexdigest()
        )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(sa.errors.InputError, match="SOURCE_DATE_EPOCH"):
        run()


# ---------------------------------------------------------------------------------------------
# Text matplotlib would read as mathtext, and control or bidirectional formatting characters
# ---------------------------------------------------------------------------------------------

MATH = ["$x^$", "\\frac{1}{2}", "a_b^c \\"]
CONTROLS = "north\u202e\x00west\x85\u2067"
SHOWN = "north\\u202e\\u0000west\\u0085\\u2067"


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def _svg_texts(svg: str) -> list[str]:
    return [unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def test_every_chart_text_is_drawn_as_written():
    # Titles, labels, tick labels (fixed and function formatters), legends and free text that
    # never went through plain_text: mathtext would fail on "$x^$"; controls would be written.
    from matplotlib.figure import Figure

    from szai_audit.core.charts import figure_to_svg

    fig = Figure()
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="$a_1$ " + CONTROLS)
    ax.set_yticks([0, 0.5, 1], MATH)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"${x:.0f}^$")
    ax.set_title("$x^$ \\frac{")
    ax.set_xlabel(CONTROLS)
    ax.text(0.5, 0.5, "$\\frac$")
    ax.legend()
    svg = figure_to_svg(fig, "hostile")
    texts = _svg_texts(svg)
    for expected in [*MATH, "$x^$ \\frac{", "$\\frac$", "$1^$", SHOWN, "$a_1$ " + SHOWN]:
        assert expected in texts, (expected, texts)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", svg)


def test_a_report_whose_labels_read_as_mathtext_renders():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    n = 300
    feature = "$x^$ \\frac{a}{b}_1"
    X = pd.DataFrame({feature: rng.normal(size=n), "z": rng.normal(size=n)})
    y = (X[feature] + rng.normal(size=n) > 0).astype(int)
    groups = pd.DataFrame({"group": np.array(MATH)[np.arange(n) % 3]})
    result = sa.Audit(
        model=LogisticRegression().fit(X, y),
        data=X,
        y_true=y,
        sensitive={"region$": "group"},
        sensitive_data=groups,
        reference={"region$": "$x^$"},
        feature_labels={feature: ("$x^$ 特征", "$x^$ \\frac feature")},
        metadata={"system_name": "$x^$"},
    ).run(random_state=0)
    html = result.to_html()
    texts = [t for svg in _svgs(html) for t in _svg_texts(svg)]
    for label in [*MATH, "$x^$ 特征 / $x^$ \\frac feature"]:
        assert label in texts, (label, texts)


@pytest.mark.parametrize("lang", ["bilingual", "zh", "en"])
def test_control_characters_are_shown_not_obeyed(lang):
    # A right-to-left override or a NUL in a group label, a column name, a ground or a value
    # of the system card reaches neither the HTML nor its charts: it is shown as an escape, and
    # the user's value is isolated for direction.
    rng = np.random.default_rng(0)
    n = 200
    column = "inc\u202eome"
    data = pd.DataFrame(
        {column: rng.normal(size=n), "group": np.where(np.arange(n) % 2 == 0, CONTROLS, "b")}
    )
    result = sa.Audit(
        y_pred=(data[column] > 0).astype(int),
        data=data,
        sensitive={"reg\u202eion": "group"},
        metadata={
            "note\u202e": "ab\u202ecd\x00",
            "system_name": "sys\u202etem",
            "prepared_by": "pre\x00pared",
        },
        explain=False,
    ).run()
    html = result.to_html(lang=lang)
    # The cover, the printed header and the notice print the user's values the same way.
    assert "sys\\u202etem" in html and "pre\\u0000pared" in html
    assert "\u202e" not in result.algorithm_notice(lang=lang, fmt="html")
    for raw in ("\u202e", "\x00", "\x85", "\u2067"):
        assert raw not in html, repr(raw)
    assert f"<bdi>{SHOWN}</bdi>" in html  # the group's row in the table, isolated
    assert "“" + SHOWN + "”" in html  # quoted in the findings' sentences, recognisable
    assert "<bdi>ab\\u202ecd\\u0000</bdi>" in html  # the system card
    assert "reg\\u202eion" in html
    svg_texts = [t for svg in _svgs(html) for t in _svg_texts(svg)]
    assert SHOWN in svg_texts, svg_texts
