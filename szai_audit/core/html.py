"""The Jinja2 environment every page is rendered with, and what its templates share.

Autoescape is always on and undefined names raise; the templates live in ``templates/`` (in the
wheel, ``szai_audit/templates``). Every page that is rendered (the report, the algorithm
notice, the comparison of two audits) uses this one environment, so a value from the user's
data is escaped the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe

from . import checks
from .articles import article_label
from .catalog import say
from .errors import ReportError
from .findings import Finding, Status
from .grounds import ground_label
from .messages import Message, fmt_level, minus

__all__ = [
    "CONTROLS",
    "COUNT_LABEL",
    "FONT_STACK",
    "FONT_STACK_LATIN",
    "STATUS_CSS",
    "css_string",
    "environment",
    "finding_ci",
    "finding_threshold",
    "finding_value",
    "subject_label",
    "templates_dir",
    "visible_controls",
    "visible_text",
]

#: The heading of a table's head-count column.
COUNT_LABEL = say("core.count_label")

#: CSS font stack for Chinese and Latin text, used by the page and by the charts' SVG text.
FONT_STACK = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'Hiragino Sans GB', 'WenQuanYi Micro Hei', 'DejaVu Sans', Arial, sans-serif"
)


#: The same for Latin text: a Latin face first, CJK faces as fallback.
FONT_STACK_LATIN = (
    "'Noto Sans', 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', 'Noto Sans CJK SC', "
    "'PingFang SC', 'Microsoft YaHei', sans-serif"
)


STATUS_CSS = {s.value: s.value.lower().replace("_", "-") for s in Status}

#: Characters a user's text must not bring into the page: the C0 controls but tab and newline,
#: DEL and the C1 controls, and the bidirectional embeddings, overrides, isolates and marks that
#: would reorder the text after them.
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def templates_dir() -> Path:
    """The templates folder: inside the installed package, or at the top of a source tree."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "report.html.j2").is_file():
            return candidate
    raise ReportError(
        f"report templates not found next to {package}; reinstall szai_audit (the wheel ships "
        f"them as szai_audit/templates)."
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment: autoescape on for every template, undefined names raise."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.filters["visible"] = visible_controls
    # Every value a template prints, the cover's and the notice's included, shows control
    # and bidirectional formatting characters instead of obeying them.
    env.finalize = visible_controls
    env.globals.update(
        status_css=STATUS_CSS,
        msg=Message,
        say=say,
        ground_label=ground_label,
        subject_label=subject_label,
        fmt_value=finding_value,
        fmt_threshold=finding_threshold,
        fmt_ci=finding_ci,
        article_label=article_label,
        count_label=COUNT_LABEL,
        overall_label=say("core.environment.overall"),
    )
    return env


def subject_label(f: Finding) -> Message:
    """What a finding is about: its check's own subject (a consumer-profile column, say), or
    the ground's display name."""
    declared = checks.get(f.check)
    if declared is not None and declared.subject is not None:
        return declared.subject(f)
    return ground_label(str(f.ground))


def finding_value(f: Finding) -> Message:
    """A finding's value in its check's unit (see :mod:`szai_audit.core.checks`), with the
    minus sign U+2212; what the finding is about instead when its check says the number is
    not (:attr:`~szai_audit.core.checks.Check.shown`)."""
    declared = checks.get(f.check)
    if declared is not None and declared.shown is not None:
        shown = declared.shown(f)
        if shown is not None:
            return shown
    m = checks.format_value(f.check, f.value)
    return Message(minus(m.zh), minus(m.en))


def finding_threshold(f: Finding) -> Message:
    """A finding's threshold with the side its value must stay on; "—" when the value column
    shows what the finding is about instead of its number (the threshold is the number's)."""
    declared = checks.get(f.check)
    if declared is not None and declared.shown is not None and declared.shown(f) is not None:
        return Message("—", "—")
    return checks.format_threshold(f.check, f.threshold)


_NUMBER = re.compile(r"^(\D*?)([\u2212+-]?[\d.,]+)(.*)$")


def _span(lo: str, hi: str, joint: str) -> str:
    """Two bounds written once with their unit: ``1.8 至 21.8 个百分点``, ``AUC 0.7 至 0.9``."""
    a, b = _NUMBER.match(lo), _NUMBER.match(hi)
    if a and b and a.group(1) == b.group(1) and a.group(3) == b.group(3):
        return f"{a.group(1)}{a.group(2)}{joint}{b.group(2)}{a.group(3)}"
    return f"{lo}{joint}{hi}"


def format_interval(check_id: str, ci: Sequence[float | None] | None) -> Message | None:
    """A confidence interval in the check's unit, the unit written once:
    ``1.8 至 21.8 个百分点``; None when there is none.

    >>> format_interval("fairness.demographic_parity_difference", [-0.05, 0.261]).en
    '−5.0 to 26.1 pp'
    """
    if ci is None or len(ci) != 2 or any(b is None for b in ci):
        return None
    lo, hi = (checks.format_value(check_id, b) for b in ci)
    return Message(minus(_span(lo.zh, hi.zh, " 至 ")), minus(_span(lo.en, hi.en, " to ")))


def finding_ci(f: Finding) -> Message | None:
    """A finding's confidence interval (see :func:`format_interval`), with its level in
    brackets when it is adjusted for the questions of its family (docs/method.md)."""
    ci = format_interval(f.check, f.ci)
    if ci is None or not f.details.get("ci_adjusted"):
        return ci
    level = fmt_level(float(f.details["ci_level"]))
    return Message(f"{ci.zh}（{level}）", f"{ci.en} ({level})")


def css_string(text: str) -> markupsafe.Markup:
    r"""``text`` as a quoted CSS string, every character but letters, digits and spaces
    written as a CSS escape, so that no value can close the string or the style sheet; its
    control and bidirectional formatting characters are first made visible
    (:func:`visible_text`), since the browser would turn their CSS escapes back into them (a
    right-to-left override in the printed page's header).

    >>> print(css_string('a"</style>'))
    "a\22 \3c \2f style\3e "
    >>> print(css_string("a\u202e"))
    "a\5c u202e"
    """
    out = []
    for ch in visible_text(str(text)):
        if ch.isascii() and (ch.isalnum() or ch == " "):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return markupsafe.Markup('"' + "".join(out) + '"')


def visible_controls(text: object) -> object:
    r"""``text`` with every control and bidirectional formatting character (:data:`CONTROLS`)
    written as a visible escape, ``\u202e``; any other value is returned as it is.

    The report's Jinja filter ``visible``: a group label, a column name or a metadata value
    can neither hide part of the page nor reverse the sentence it is quoted in. Markup stays
    markup (no escape it writes can open a tag).

    >>> visible_controls("north\u202e\x00west")
    'north\\u202e\\u0000west'
    >>> visible_controls(3)
    3
    """
    if not isinstance(text, str):
        return text
    shown = visible_text(text)
    return markupsafe.Markup(shown) if isinstance(text, markupsafe.Markup) else shown


def visible_text(text: str) -> str:
    r"""``text`` with every control and bidirectional formatting character (:data:`CONTROLS`:
    all but tab and newline) written as a visible escape, ``\u202e``: the one rule of every
    output, the HTML pages (:func:`visible_controls`), the text filings, the text notices,
    ``index.csv`` and the lines the command line prints.

    >>> visible_text("north\u202e\x00west\tand\nsouth\r")
    'north\\u202e\\u0000west\tand\nsouth\\u000d'
    """
    return CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
