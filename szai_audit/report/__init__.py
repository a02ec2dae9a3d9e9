"""The HTML report: the article page parts assembled into one page, rendered with Jinja2.

:func:`build_page` (:mod:`.page`) assembles the page structure from each article package's page
part; :func:`render_report` (:mod:`.render`) writes it as one self-contained HTML file (inline
CSS and SVG, no script, no external URL). The report reads results only; it computes nothing.
"""

from __future__ import annotations

from ..core.charts import figure_to_svg
from ..core.html import FONT_STACK, FONT_STACK_LATIN, environment, templates_dir
from ..explain.page import render_notice
from ..fairness.charts import plot_group_rates
from . import manifest, page, render, summary
from .page import build_page, method_paragraphs
from .render import render_notebook_summary, render_report

__all__ = [
    "FONT_STACK",
    "FONT_STACK_LATIN",
    "build_page",
    "environment",
    "figure_to_svg",
    "manifest",
    "method_paragraphs",
    "page",
    "plot_group_rates",
    "render",
    "render_notebook_summary",
    "render_notice",
    "render_report",
    "summary",
    "templates_dir",
]
