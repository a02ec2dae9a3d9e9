"""Moved: the sentences now live with the article they belong to.

``szai_audit.narrative`` keeps working for one release (0.2) and warns. Its names are
re-exported from their new homes: :mod:`szai_audit.core.messages` (``Message`` and the number
formats), :mod:`szai_audit.core.grounds`, :mod:`szai_audit.core.findings` (status labels,
verdicts), :mod:`szai_audit.core.checks` (check titles), :mod:`szai_audit.fairness.words` (the
Art. 72(2)(iv) sentences) and :mod:`szai_audit.report` (the method section).
"""

from __future__ import annotations

import warnings

from .core.checks import all_checks
from .core.findings import STATUS_LABELS, VERDICTS
from .core.grounds import GROUND_ALIASES, GROUNDS, INTERSECTION_SEP, canonical_ground, ground_label
from .core.messages import (
    METADATA_LABELS,
    Message,
    fill,
    fmt_amount,
    fmt_level,
    fmt_p,
    fmt_pct,
    fmt_ratio,
)
from .fairness.findings.grounds import ARTICLE_72_4_GROUNDS
from .fairness.words import METRIC_EXPLANATIONS, METRIC_LABELS
from .report.page import method_paragraphs

__all__ = [
    "ARTICLE_72_4_GROUNDS",
    "CHECK_TITLES",
    "GROUNDS",
    "GROUND_ALIASES",
    "INTERSECTION_SEP",
    "METADATA_LABELS",
    "METRIC_EXPLANATIONS",
    "METRIC_LABELS",
    "STATUS_LABELS",
    "VERDICTS",
    "Message",
    "canonical_ground",
    "fill",
    "fmt_amount",
    "fmt_level",
    "fmt_p",
    "fmt_pct",
    "fmt_ratio",
    "ground_label",
    "method_paragraphs",
]

#: Check id -> display name, from the check registry.
CHECK_TITLES: dict[str, Message] = {c.id: c.title for c in all_checks()}

warnings.warn(
    "szai_audit.narrative has been split among szai_audit.core.messages, core.grounds, "
    "core.findings, core.checks, fairness.words and report; the old path will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
