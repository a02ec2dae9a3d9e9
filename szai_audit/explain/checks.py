"""The checks that rest on the explanation, declared once (see :mod:`szai_audit.core.checks`).

Art. 71 asks for an explanation the public can understand; the explanation also measures how
much of the model's influence comes from a sensitive attribute and its proxies, an
Art. 72(2)(iv) finding.
"""

from __future__ import annotations

from ..core.articles import DISCRIMINATION, EXPLANATION
from ..core.catalog import say
from ..core.checks import Check, register

__all__ = ["ARTICLE", "EXPLAINED", "NOTICE", "SHARE"]

#: The article the explanation answers: algorithms explained so the public can understand them.
ARTICLE = EXPLANATION

_FINDINGS = "szai_audit.explain.findings"

EXPLAINED = register(
    Check(
        "explanation.produced",
        ARTICLE,
        say("explain.explained.plain_language_explanation"),
        unit="none",
        direction="none",
        computed_by=f"{_FINDINGS}:explained",
        minimum="none",
    )
)
NOTICE = register(
    Check(
        "explanation.notice_complete",
        ARTICLE,
        say("explain.notice.facts_public_algorithm_notice"),
        unit="none",
        direction="none",
        computed_by=f"{_FINDINGS}:notice_complete",
        minimum="none",
    )
)
SHARE = register(
    Check(
        "fairness.attribution_share",
        DISCRIMINATION,
        say("explain.share.influence_attribute_proxies"),
        unit="percent",
        computed_by=f"{_FINDINGS}:attribution_share",
        minimum="none",
    )
)
