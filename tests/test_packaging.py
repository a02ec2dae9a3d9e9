"""Installability: lazy imports, templates and data inside the wheel, the demo command."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import szai_audit as sa

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_import_is_light():
    """`import szai_audit` must not pull in shap, matplotlib, fairlearn or the boosters."""
    code = (
        "import sys, szai_audit; "
        "heavy = [m for m in ('shap', 'matplotlib', 'fairlearn', 'lightgbm', 'xgboost', 'numba')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api():
    for name in sa.__all__:
        assert hasattr(sa, name), name
    assert sa.__version__
    for name in ("Audit", "AuditResult", "Finding", "Status", "Policy", "group_metrics"):
        assert name in sa.__all__


@pytest.mark.slow
def test_wheel_ships_templates_and_data(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("szai_audit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    base = ROOT / "templates"
    templates = sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())
    assert "appendix/every_check.html.j2" in templates
    for t in templates:
        assert f"szai_audit/templates/{t}" in names, t
    assert "szai_audit/regulation/shenzhen_ai_regulations_2022.txt" in names
    for f in ("german.data", "german.doc.txt", "values_maps.json", "README.md"):
        assert f"szai_audit/datasets/german_credit/{f}" in names, f
    for f in ("insurance.csv", "README.md"):
        assert f"szai_audit/datasets/insurance/{f}" in names, f


@pytest.mark.slow
def test_cli_demo_writes_both_reports(tmp_path):
    from szai_audit.cli import main

    assert main(["demo", "--out", str(tmp_path)]) == 0
    html = (tmp_path / "demo_report.html").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "demo_report.json").read_text(encoding="utf-8"))
    assert data["scope"]["n_rows"] == 300  # the held-out 30% of 1,000 applicants
    name = data["system"]["system_name"]  # per language: the bilingual report shows both
    assert name["zh"] in html and name["en"] in html
    assert {s["ground"] for s in data["sensitive_attributes"]} == {"gender", "nationality", "age"}
    # Articles 66, 72 and 33: the tier with the rule that set it, the checklist, the scan.
    # the tier comes from the use alone; the failed checks are named beside it (issue 31)
    assert data["risk"]["base_tier"] == data["risk"]["tier"] == "MEDIUM"
    assert data["risk"]["rule"] == "medium.high_impact_domain" and data["risk"]["concerns"]
    assert data["risk"]["escalated_by"] == []
    assert [item["item"] for item in data["checklist"]] == [1, 2, 3, 4, 5, 6, 7]
    assert data["privacy"]["quasi"]["k_anonymity"] >= 1
    assert 'class="signoff"' in html and 'id="art-33"' in html
    # The second demo: a fare model with known markups, audited under Art. 72(2)(v).
    pricing = json.loads((tmp_path / "pricing_report.json").read_text(encoding="utf-8"))
    assert pricing["scope"]["task"] == "pricing" and pricing["scope"]["n_rows"] == 6000
    failed = {(f["check"], f["ground"]) for f in pricing["findings"] if f["status"] == "FAIL"}
    assert ("pricing.conditional_gap", "device_tier") in failed  # the 8% premium-phone markup
    assert ("pricing.loyalty", "tenure_months") in failed  # the 5% loyalty markup
    assert ("pricing.conditional_gap", "gender") not in failed
    assert 'id="art-72-5"' in (tmp_path / "pricing_report.html").read_text(encoding="utf-8")
