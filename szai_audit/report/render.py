"""The report, and the notebook summary, rendered to HTML with the shared Jinja2 environment."""

from __future__ import annotations

from ..core.findings import Status
from ..core.html import environment
from ..risk.tracking import Comparison, comparison_page
from .page import appendices, build_page
from .results import Results

__all__ = ["NOTEBOOK_TOP", "render_notebook_summary", "render_report"]


def render_report(
    result: Results, lang: str = "bilingual", comparison: Comparison | None = None
) -> str:
    """Render the full HTML report for ``result`` (with an ex-post tracking section when a
    ``comparison`` with an earlier audit is given)."""
    page = build_page(result, lang)
    if comparison is not None:
        page["tracking"] = comparison_page(comparison, lang)
        page["appendices"] = appendices(page)
    return environment().get_template("report.html.j2").render(page=page, lang=lang)


#: How many findings the notebook card lists before folding the rest.
NOTEBOOK_TOP = 5


def render_notebook_summary(result: Results) -> str:
    """A compact card for notebooks: verdict, counts by status, the most serious findings one
    line each, every check folded in a ``<details>``; inline styles only, so nothing leaks into
    the page."""
    ordered = sorted(result.findings, key=lambda f: f.status.severity)
    page = {
        "verdict": result.verdict,
        "verdict_message": result.verdict_message,
        "counts": [(Status(s), n) for s, n in result.status_counts.items() if n],
        "findings": ordered,
        "top": ordered[:NOTEBOOK_TOP],
        "n_rows": result.scope.n_rows,
    }
    return environment().get_template("notebook.html.j2").render(page=page)
