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

# Each test starts Chromium (a second or more each, 10 s for the PDF): not in the inner loop.
pytestmark = pytest.mark.slow

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
    assert "结论" in dom and 'id="art-72"' in dom and "</html>" in dom


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
        "伦理委员会决定",
        "附录 A：全部检查",
        "第七十二条第二款第（四）项",
        "第七十一条",
        "第三十三条第二款",
        "伦理委员会签署",
        "Art. 72(2)(iv)",
    ):
        assert unicodedata.normalize("NFKC", title) in text, title
    Path(pdf).unlink()


def _pdf_pages(browser: str, html: Path, pdf: Path) -> list[str]:
    import pypdf

    out = _run(browser, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri())
    assert pdf.exists(), out.stderr[-2000:]
    return [
        unicodedata.normalize("NFKC", p.extract_text() or "") for p in pypdf.PdfReader(pdf).pages
    ]


def body_pages(pages: list[str], marker: str) -> int:
    """The pages before the first appendix (whose heading holds ``marker``)."""
    return next(i for i, text in enumerate(pages) if marker in text)


def test_demo_report_body_fits_in_eight_a4_pages(browser, tmp_path):
    # Issue 14: conclusion, findings by article, checklist and sign-off in at most 8 A4 pages
    # (everything else in the appendices), with a header and "第 x 页 共 y 页" on every page.
    from szai_audit.demos import run_demo

    html, _ = run_demo(tmp_path / "demo")
    pages = _pdf_pages(browser, html, tmp_path / "demo.pdf")
    n_body = body_pages(pages, unicodedata.normalize("NFKC", "附录 A：全部检查"))
    print(f"demo credit report: {n_body} body pages, {len(pages)} pages in all")
    assert 1 <= n_body <= 8, n_body
    total = len(pages)
    for i, text in enumerate(pages, start=1):
        # The CJK font may give 页 as the radical ⻚ (U+2EDA), which NFKC leaves alone.
        assert f"第 {i} 页 共 {total} 页" in text.replace("\u2eda", "页"), (i, text[:200])
        assert "人工智能算法自评估审计报告" in text
    assert "伦理委员会决定" in "".join(pages[:2])  # the decision block on page 1 or 2
    _holds_the_committee_summary(pages[0])


def _holds_the_committee_summary(page: str, zh: bool = True) -> None:
    """The first printed page holds the committee's summary whole: its heading, the tool's
    recommended decision and the disclaimer (issue 31, item 1)."""
    flat = page.replace("\n", "")
    words = (
        ("委员会摘要", "建议的决定", "不是法律上的违法认定")
        if zh
        else ("Summary for the committee", "Recommended decision", "not a legal finding")
    )
    for w in words:
        assert w in flat, (w, flat[:600])


def test_the_pricing_report_s_first_page_holds_the_summary(browser, tmp_path):
    from szai_audit.demos import pricing_demo_result

    result = pricing_demo_result()
    for lang in ("en", "zh"):
        html = tmp_path / f"pricing-{lang}.html"
        result.to_html(html, lang=lang)
        pages = _pdf_pages(browser, html, tmp_path / f"pricing-{lang}.pdf")
        _holds_the_committee_summary(pages[0], zh=lang == "zh")
