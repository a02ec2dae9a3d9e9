"""The demo audits' JSON is byte-identical to the golden files generated before a change.

A restructuring of the package must not change what an audit reports: with the time fixed
(``SOURCE_DATE_EPOCH``) the demo's JSON, ``content_sha256`` included, equals the file written
by ``tests/golden/make_golden.py`` before the change. The numbers depend on the installed
libraries (a new scikit-learn may fit another model), so the comparison needs the versions the
golden files were made with; with other versions it is skipped, saying which differ. The
platform string is the one field that changes with the machine alone (the kernel release):
when only it differs, everything else is still compared byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from szai_audit.demos import run_demo, run_pricing_demo

GOLDEN = Path(__file__).parent / "golden"
EPOCH = "1764633600"  # as in tests/golden/make_golden.py


def _environment(doc: dict) -> dict:
    m = doc["manifest"]
    return {"python": m["python"], "dependencies": m["dependencies"]}


def _without_platform(doc: dict) -> str:
    doc = json.loads(json.dumps(doc))
    doc["manifest"]["platform"] = None
    doc["content_sha256"] = None
    return json.dumps(doc, ensure_ascii=False, indent=2)


@pytest.mark.slow
@pytest.mark.parametrize("run", [run_demo, run_pricing_demo], ids=["credit", "pricing"])
def test_demo_json_is_byte_identical_to_golden(run, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    _, json_path = run(tmp_path, 0)
    new_text = json_path.read_text(encoding="utf-8")
    old_text = (GOLDEN / json_path.name).read_text(encoding="utf-8")
    new, old = json.loads(new_text), json.loads(old_text)
    if _environment(new) != _environment(old):
        pytest.skip(
            f"the golden {json_path.name} was made with {_environment(old)}, this run has "
            f"{_environment(new)}; regenerate it with tests/golden/make_golden.py on the "
            f"commit before the change"
        )
    if new["manifest"]["platform"] == old["manifest"]["platform"]:
        assert new["content_sha256"] == old["content_sha256"]
        assert new_text == old_text
    else:  # another kernel release: the platform string (and so the hash) differs, nothing else
        assert _without_platform(new) == _without_platform(old)
