"""The page of a comparison of two audits (Art. 66(2) ex-post tracking): the structure the
``_comparison.html.j2`` fragment renders (:func:`comparison_page`), the fragment alone (for the
main report or a notebook), and a page of its own (``comparison.html.j2``), rendered in the
environment of :func:`szai_audit.core.html.environment` (autoescape on).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from ...core import checks
from ...core.document import SEVERITY_ORDER
from ...core.errors import InputTypeError, ReportError
from ...core.files import LANGS
from ...core.findings import Status
from ...core.grounds import ground_label
from ...core.html import FONT_STACK, FONT_STACK_LATIN, environment
from ...core.messages import Message
from ...core.metadata import meta_text
from .words import DIRECTIONS, ORIGINS, REASONS, RESOLUTIONS, VERDICT_LABELS, drift_rule

__all__ = ["Compared", "comparison_page", "render_fragment", "render_page"]


@runtime_checkable
class Compared(Protocol):
    """A comparison, as its page reads it (:class:`szai_audit.risk.tracking.Comparison`)."""

    @property
    def summary(self) -> dict[str, Any]: ...
    @property
    def drift_tolerance(self) -> float: ...
    @property
    def drifted(self) -> pd.DataFrame: ...
    @property
    def new(self) -> pd.DataFrame: ...
    @property
    def resolved(self) -> pd.DataFrame: ...
    @property
    def removed(self) -> pd.DataFrame: ...
    @property
    def appeared_failures(self) -> pd.DataFrame: ...


def _finite(x: float) -> bool:
    return not math.isnan(x) and not math.isinf(x)


def _fmt(x: Any) -> str:
    """A value with 3 significant digits; missing as an em dash."""
    if x is None or (isinstance(x, float) and not _finite(x)):
        return "—"
    return f"{float(x):.3g}"


def _fmt_delta(x: Any) -> str:
    """A signed change with 3 significant digits; missing as an em dash."""
    if x is None or (isinstance(x, float) and not _finite(x)):
        return "—"
    return f"{float(x):+.3g}"


def _status(value: Any) -> Status | None:
    return None if value is None else Status(value)


def _ground(ground: Any) -> Message | None:
    return None if ground is None else ground_label(str(ground))


def _row(r: Mapping[str, Any]) -> dict[str, Any]:
    """Display form of one row of a comparison frame."""
    out: dict[str, Any] = {
        "check": r["check"],
        "title": checks.title(r["check"]),
        "article": r["article"],
        "ground": _ground(r["ground"]),
    }
    for col in ("status", "status_before", "status_after"):
        if col in r:
            out[col] = _status(r[col])
    for col in ("value", "value_before", "value_after", "threshold"):
        if col in r:
            out[col] = _fmt(r[col])
    if "delta" in r:
        out["delta"] = _fmt_delta(r["delta"])
    if "direction" in r:
        out["direction"] = DIRECTIONS[r["direction"]]
        out["direction_code"] = r["direction"]
    if "drift_reason" in r:
        reasons = [REASONS[x] for x in str(r["drift_reason"]).split(";") if x]
        out["reasons"] = Message(
            "；".join(m.zh for m in reasons) or "—", "; ".join(m.en for m in reasons) or "—"
        )
    if "resolution" in r:
        out["resolution"] = RESOLUTIONS[r["resolution"]]
    if "origin" in r:
        out["origin"] = ORIGINS[r["origin"]]
    return out


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_row(r) for r in frame.astype(object).to_dict(orient="records")]


def comparison_page(comparison: Compared, lang: str = "bilingual") -> dict[str, Any]:
    """The structure the ``_comparison.html.j2`` fragment renders, as variable ``cmp``.

    The fragment uses only ``cmp``, ``lang`` and the globals of
    :func:`szai_audit.report.environment` (``msg``, ``status_css``, ``article_label``), and
    imports ``t``, ``ti`` and ``badge`` from ``_macros.html.j2``. To include it in another
    template: ``{% with cmp = comparison_page(c, lang) %}{% include "_comparison.html.j2" %}
    {% endwith %}``.

    Parameters
    ----------
    comparison : Comparison
    lang : {"bilingual", "zh", "en"}, default "bilingual"

    Returns
    -------
    dict
        ``before`` / ``after`` (verdict label, system name, version, time), ``statuses`` (one
        row per status with both counts and the change), ``counts``, ``same_system``,
        ``drift_rule``, ``tolerance``, and display rows ``drifted``, ``new``, ``resolved``,
        ``removed``, ``appeared_failures`` (values with 3 significant digits, changes signed,
        statuses as :class:`~szai_audit.Status`, texts as Message).

    Raises
    ------
    ReportError
        Unknown ``lang``.
    InputTypeError
        ``comparison`` is not a Comparison.

    Examples
    --------
    >>> import pandas as pd, szai_audit as sa
    >>> from szai_audit.risk.tracking import compare, comparison_page
    >>> data = pd.DataFrame({"sex": ["f"] * 100 + ["m"] * 100, "region": ["a", "b"] * 100})
    >>> y = [1] * 55 + [0] * 45 + [1] * 60 + [0] * 40
    >>> r = sa.Audit(y_pred=y, data=data, sensitive={"gender": "sex"},
    ...              explain=False).run(random_state=0)
    >>> page = comparison_page(compare(r, r), "en")
    >>> page["counts"]["drifted"], page["same_system"], page["drifted"]
    (0, True, [])
    >>> page["statuses"][0]["status"].value, page["statuses"][0]["change"]
    ('FAIL', '±0')
    """
    if lang not in LANGS:
        raise ReportError(f"lang must be one of {list(LANGS)}, got {lang!r}.")
    if not isinstance(comparison, Compared):
        raise InputTypeError(
            f"comparison must be a Comparison (from szai_audit.risk.tracking.compare), got "
            f"{type(comparison).__name__}."
        )
    s = comparison.summary
    statuses = _status_rows(s)
    counts = {
        k: s[k] for k in ("compared", "drifted", "new", "resolved", "removed", "appeared_failures")
    }
    return {
        "before": _page_side(s["before"], lang),
        "after": _page_side(s["after"], lang),
        "statuses": statuses,
        "counts": counts,
        "same_system": bool(s["same_system"]),
        "tolerance": f"{comparison.drift_tolerance:g}",
        "drift_rule": drift_rule(comparison.drift_tolerance),
        "drifted": _rows(comparison.drifted),
        "new": _rows(comparison.new),
        "resolved": _rows(comparison.resolved),
        "removed": _rows(comparison.removed),
        "appeared_failures": _rows(comparison.appeared_failures),
    }


def _page_side(d: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Display form of one audit of the comparison (verdict, system, version, time), the
    system's name and version in the page's language."""
    return {
        "verdict": d["verdict"],
        "verdict_label": VERDICT_LABELS.get(d["verdict"], Message(d["verdict"], d["verdict"])),
        "verdict_css": str(d["verdict"]).lower(),
        "system_name": meta_text(d, "system_name", lang) or "—",
        "version": meta_text(d, "version", lang) or "—",
        "generated_at": d["generated_at"] or "—",
    }


def _status_rows(s: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per status, most severe first, with both audits' counts and the change."""
    statuses = []
    for code in SEVERITY_ORDER:
        b, a = s["before"]["status_counts"][code], s["after"]["status_counts"][code]
        statuses.append(
            {
                "status": Status(code),
                "before": b,
                "after": a,
                "change": "±0" if a == b else f"{a - b:+d}",
            }
        )
    return statuses


def render_fragment(comparison: Compared, lang: str = "bilingual") -> str:
    """The ``<section id="tracking">`` fragment alone (for notebooks or another page).

    Parameters
    ----------
    comparison : Comparison
    lang : {"bilingual", "zh", "en"}, default "bilingual"

    Returns
    -------
    str
        The ``_comparison.html.j2`` fragment.
    """
    page = comparison_page(comparison, lang)
    return environment().get_template("_comparison.html.j2").render(cmp=page, lang=lang)


def render_page(comparison: Compared, lang: str = "bilingual") -> str:
    """The comparison as a standalone HTML page (``comparison.html.j2``: inline CSS, no script,
    no external URL).

    Parameters
    ----------
    comparison : Comparison
    lang : {"bilingual", "zh", "en"}, default "bilingual"

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    ReportError
        Unknown ``lang``.
    InputTypeError
        ``comparison`` is not a Comparison.
    """
    page = comparison_page(comparison, lang)
    template = environment().get_template("comparison.html.j2")
    return template.render(cmp=page, lang=lang, page=_css_page())


def _css_page() -> dict[str, str]:
    """What ``report.css`` reads from ``page``: the font stacks."""
    return {"font_stack": FONT_STACK, "font_stack_latin": FONT_STACK_LATIN}
