"""The checks that rest on the explanation, declared once (see :mod:`szai_audit.core.checks`).

Art. 71 asks for an explanation the public can understand; the explanation also measures how
much of the model's influence comes from a sensitive attribute and its proxies, an
Art. 72(2)(iv) finding.
"""

from __future__ import annotations

from ..core.articles import DISCRIMINATION, EXPLANATION
from ..core.checks import Check, register
from ..core.messages import Message

__all__ = ["ARTICLE", "EXPLAINED", "NOTICE", "SHARE"]

#: The article the explanation answers: algorithms explained so the public can understand them.
ARTICLE = EXPLANATION

_FINDINGS = "szai_audit.explain.findings"

EXPLAINED = register(
    Check(
        "explanation.produced",
        ARTICLE,
        Message("算法说明（公众可理解）", "Plain-language explanation"),
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
        Message("公开算法说明所需信息", "Facts for the public algorithm notice"),
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
        Message("敏感属性及代理变量的影响占比", "Influence of the attribute and its proxies"),
        unit="percent",
        computed_by=f"{_FINDINGS}:attribution_share",
        minimum="none",
    )
)
