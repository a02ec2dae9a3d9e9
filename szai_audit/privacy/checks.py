"""The Art. 33(2) checks, declared once (see :mod:`szai_audit.core.checks`)."""

from __future__ import annotations

from typing import Any

from ..core.articles import PRIVACY
from ..core.catalog import say
from ..core.checks import Check, register
from ..core.messages import Message

__all__ = ["ARTICLE", "DIRECT_IDENTIFIERS", "K_ANONYMITY", "L_DIVERSITY", "NOT_SCANNED"]

#: The article these checks evidence: personal data provided to others must be de-identified.
ARTICLE = PRIVACY

_SCAN = "szai_audit.privacy.scanner"

NOT_SCANNED = register(
    Check(
        "privacy.not_scanned",
        ARTICLE,
        say("privacy.not_scanned.de_identification_scan"),
        unit="none",
        direction="none",
        computed_by=f"{_SCAN}:not_scanned",
        minimum="none",
    )
)


def _columns_shown(finding: Any) -> Message | None:
    """The value column of a direct-identifier finding whose warning is about columns (their
    names, or some of their values), not a share of values: those columns
    (``details["shown"]``); None for the share itself."""
    shown = finding.details.get("shown")
    return None if not shown else Message(str(shown["zh"]), str(shown["en"]))


DIRECT_IDENTIFIERS = register(
    Check(
        "privacy.direct_identifiers",
        ARTICLE,
        say("privacy.direct_identifiers.direct_identifiers"),
        unit="percent",
        direction="below",
        computed_by=f"{_SCAN}:PrivacyScan.findings",
        minimum="none",
        shown=_columns_shown,
    )
)
K_ANONYMITY = register(
    Check(
        "privacy.k_anonymity",
        ARTICLE,
        say("privacy.k_anonymity.k_anonymity"),
        unit="count",
        direction="at_least",
        computed_by=f"{_SCAN}:PrivacyScan.findings",
        minimum="records",
    )
)
L_DIVERSITY = register(
    Check(
        "privacy.l_diversity",
        ARTICLE,
        say("privacy.l_diversity.l_diversity"),
        unit="count",
        direction="at_least",
        computed_by=f"{_SCAN}:PrivacyScan.findings",
        minimum="records",
    )
)
