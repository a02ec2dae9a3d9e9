"""Every number a reader sees in a finding's message equals a number in the JSON result,
and the Chinese and English messages carry the same numbers."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import szai_audit as sa

NUMBER = re.compile(r"[+\-\u2212]?\d[\d,]*(?:\.\d+)?")


def _found(text: str) -> list[str]:
    """The numbers of a text, the minus sign U+2212 read as "-"."""
    return [n.replace(",", "").replace("\u2212", "-") for n in NUMBER.findall(text)]


def _renderings(value: float) -> set[str]:
    """The ways a JSON number may be written in a message (a sign may be said in words:
    "2.4 个百分点" lower)."""
    out = set()
    for v in (value, 100 * value, abs(value), abs(100 * value)):
        for fmt in ("{:.0f}", "{:.1f}", "{:.2f}", "{:.3f}", "{:+.1f}", "{:+.3f}", "{:,.0f}"):
            out.add(fmt.format(v))
        out.add(f"{v:.3g}")
        out.add(f"{v:+,.4g}")
    return {s.replace(",", "") for s in out}


def _numbers_in(obj) -> list[float]:
    """Every number in a JSON value, including those inside strings (group labels)."""
    if isinstance(obj, bool) or obj is None:
        return []
    if isinstance(obj, (int, float)):
        return [float(obj)]
    if isinstance(obj, str):
        return [float(m) for m in _found(obj)]
    if isinstance(obj, dict):
        return [x for k, v in obj.items() for x in _numbers_in(k) + _numbers_in(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in _numbers_in(v)]
    return []


def _check(result):
    data = result.to_dict()
    context = (
        _numbers_in(data["policy"])
        + _numbers_in(data["sensitive_attributes"])
        + _numbers_in(data["scope"])
        + [72.0, 4.0, 100.0 * data["policy"]["confidence_level"]]
    )
    checked = 0
    for f in data["findings"]:
        allowed: set[str] = set()
        for x in _numbers_in({k: v for k, v in f.items() if k != "message"}) + context:
            allowed |= _renderings(x)
        texts = {lang: f["message"][lang] for lang in ("zh", "en")}
        no_gap = [
            c["p_no_gap"]
            for c in f["details"].get("comparisons", [])
            if c.get("p_no_gap") is not None
        ]
        small = [p for p in [f["p_value"], *no_gap] if p is not None and p < 0.001]
        if small:  # written "p < 0.001"
            texts = {k: v.replace("< 0.001", "") for k, v in texts.items()}
        # Article references are numbers in English, Chinese numerals in Chinese.
        texts["en"] = re.sub(r"(Article|Art\.) \d+(\(\w+\))*", "", texts["en"])
        zh = _found(texts["zh"])
        en = _found(texts["en"])
        assert Counter(zh) == Counter(en), (f["check"], zh, en)
        for n in en:
            assert n in allowed, (f["check"], f["ground"], n, f["message"]["en"])
            checked += 1
    return checked


def test_numbers_in_classification_messages(german_result):
    assert _check(german_result) > 50


def test_numbers_in_score_conditional_and_regression_messages():
    rng = np.random.default_rng(0)
    n = 3000
    g = rng.choice(["a", "b", "c"], n)
    dti = rng.normal(0.3, 0.1, n) + 0.05 * (g == "b")
    s = np.clip(1.2 - 2 * dti + rng.normal(0, 0.1, n) - 0.05 * (g == "c"), 0, 1)
    y = (rng.random(n) < np.clip(1.2 - 2 * dti, 0, 1)).astype(int)
    data = pd.DataFrame({"dti": dti, "group": g, "region": rng.choice(["n", "s"], n)})
    result = sa.Audit(
        y_score=s,
        y_true=y,
        data=data,
        sensitive={"race": "group", "region": "region"},
        legitimate_factors=["dti"],
    ).run()
    checks = {f.check for f in result.findings}
    assert {"fairness.auc_difference", "fairness.conditional_gap", "fairness.proxy"} <= checks
    assert _check(result) > 50
    amounts = 20_000 + 5_000 * rng.normal(size=n)
    reg = sa.Audit(
        y_pred=amounts + 800 * (g == "a"),
        y_true=amounts,
        task="regression",
        sensitive={"race": g},
    ).run()
    assert _check(reg) > 10


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_messages_in_the_report_match_the_json(german_result, lang):
    import html as h

    page = h.unescape(german_result.to_html(lang=lang))
    for f in german_result.to_dict()["findings"]:
        assert f["message"][lang] in page
