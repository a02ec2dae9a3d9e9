"""The report in a real browser: headless Chromium renders it with no console error, takes a
screenshot and prints it to PDF, whose text holds the Chinese section titles.

Needs Debian's ``chromium`` (and ``fonts-noto-cjk`` for the Chinese glyphs), installed by
``.ci/run`` in CI. Elsewhere the tests are skipped with the reason, unless
``SZAI_REQUIRE_BROWSER=1`` (set by CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pytest

BROWSER = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


@pytest.fixture(scope="module")
def browser():
    if BROWSER is None:
        if os.environ.get("SZAI_REQUIRE_BROWSER") == "1":
            pytest.fail("SZAI_REQUIRE_BROWSER=1 but no chromium is installed")
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    return BROWSER


def _run(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report_file(german_result, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "report.html"
    german_result.to_html(path)
    return path


def test_the_console_check_can_fail(browser, tmp_path):
    # A page with a script error is caught by the same check (so a pass means something).
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    out = _run(browser, "--dump-dom", bad.as_uri())
    assert any("undefinedFunction" in line for line in _console(out.stderr))


def test_report_renders_without_console_errors(browser, report_file):
    out = _run(browser, "--dump-dom", report_file.as_uri())
    assert out.returncode == 0, out.stderr[-2000:]
    assert _console(out.stderr) == []
    dom = out.stdout
    assert "结论摘要" in dom and 'id="art-72"' in dom and "</html>" in dom


def test_screenshot_is_drawn(browser, report_file, tmp_path):
    from PIL import Image

    png = tmp_path / "report.png"
    out = _run(browser, f"--screenshot={png}", "--window-size=1280,2000", report_file.as_uri())
    assert png.exists(), out.stderr[-2000:]
    with Image.open(png) as im:
        assert im.size == (1280, 2000)
        pixels = np.asarray(im.convert("L"), dtype=float)
    assert pixels.std() > 10  # text and colour, not a blank page
    assert (pixels < 128).mean() > 0.005  # some dark ink (the headings and text)


def test_print_to_pdf_holds_the_chinese_titles(browser, report_file, tmp_path):
    import pypdf

    pdf = tmp_path / "report.pdf"
    out = _run(browser, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report_file.as_uri())
    assert pdf.exists() and pdf.stat().st_size > 10_000, out.stderr[-2000:]
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) > 5
    # PDF text of CJK fonts may use compatibility code points (Kangxi radicals): compare NFKC.
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() or "" for p in reader.pages))
    for title in (
        "结论摘要",
        "第七十二条第（四）项",
        "第七十一条",
        "第三十三条",
        "伦理委员会签署",
        "Article 72(4)",
    ):
        assert unicodedata.normalize("NFKC", title) in text, title
    Path(pdf).unlink()
