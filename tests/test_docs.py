"""The documentation builds with mkdocs in strict mode (every page in the nav, no broken link)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_docs_build_strict(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for page in ("api", "method", "cli", "errors", "json-schema"):
        assert (tmp_path / "site" / page / "index.html").exists(), page
    method = (tmp_path / "site" / "method" / "index.html").read_text(encoding="utf-8")
    assert "Article 66" in method and "Article 33" in method
