"""The last stage of every audit: the Art. 33(2) privacy scan, the Art. 66 risk tier,
Art. 71's applicability and the Art. 72 checklist, added to the result of the checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core.catalog import say
from ..core.findings import Finding, Status
from ..core.grounds import canonical_ground
from ..core.messages import Message
from ..explain.checks import EXPLAINED
from ..inputs.settings import Settings
from ..privacy.scanner import PrivacyScan, not_scanned, scan
from ..result import AuditResult
from ..risk.review import checklist, item_findings
from ..risk.tiers import assess, no_context

__all__ = ["apply"]


def _privacy(settings: Settings) -> PrivacyScan | None:
    """The Art. 33(2) scan asked for by ``Audit(privacy=...)`` (its form was checked with the
    settings)."""
    spec = settings.privacy
    if spec is None or spec is False:
        return None
    if isinstance(spec, PrivacyScan):
        return spec
    k = settings.policy.k_anonymity
    if spec is True:
        return scan(settings.data, k=k, labels=settings.feature_labels)
    assert isinstance(spec, Mapping)
    kwargs = dict(spec)
    kwargs.setdefault("k", k)
    kwargs.setdefault("labels", settings.feature_labels)
    return scan(settings.data, **kwargs)


#: The age from which a person is elderly (老年人权益保障法, Art. 2: 六十周岁以上).
ELDERLY_AGE = 60


def _older_people(settings: Settings) -> int | None:
    """How many audited rows hold a person aged 60 or over, from the values of the declared age
    ground; None without a numeric age ground (or where its values cannot be read here, such
    as a chunked frame). The user's data are read, never changed."""
    sensitive = settings.sensitive
    if not isinstance(sensitive, Mapping):
        return None
    for key, spec in sensitive.items():
        if canonical_ground(str(key)) != "age":
            continue
        values: Any = spec
        if isinstance(spec, str):
            frames = [f for f in (settings.sensitive_data, settings.data) if f is not None]
            frame = next((f for f in frames if spec in getattr(f, "columns", ())), None)
            if frame is None or type(frame).__module__.split(".")[0] != "pandas":
                return None
            values = frame[spec]
        try:
            ages = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            return None  # ages given as bands ("60+"): not counted
        return int(np.count_nonzero(ages >= ELDERLY_AGE))
    return None


def _article_71(finding: Finding, applies: bool, why: Message) -> Finding:
    """The explanation finding in the light of the context: a missing explanation where
    Art. 71 applies is a FAIL."""
    if finding.status is Status.PASS or not applies:
        return finding
    return dataclasses.replace(
        finding,
        status=Status.FAIL,
        message=why.join(finding.message).join(say("pipelines.article_71.art_71_applies_no")),
        details={**finding.details, "article_71_applies": True},
    )


def apply(settings: Settings, result: AuditResult) -> AuditResult:
    """``result`` with the privacy scan, the risk tier, Art. 71 applicability and the
    Art. 72 checklist added."""
    findings = list(result.findings)
    privacy = _privacy(settings)
    # Judged against the scan's own k and l (the policy's unless the user chose others), so
    # the finding and the report's table agree.
    findings += [not_scanned()] if privacy is None else list(privacy.findings())
    risk = None
    if settings.context is None:
        findings.append(no_context())
    else:
        risk = assess(
            settings.context, findings, settings.risk_rules, older_people=_older_people(settings)
        )
        findings = [
            _article_71(f, risk.article_71_applies, risk.article_71_reason)
            if f.check == EXPLAINED.id
            else f
            for f in findings
        ]
    items = checklist(findings, list(settings.attestations))
    findings += item_findings(items)
    return dataclasses.replace(
        result, findings=findings, risk=risk, checklist=tuple(items), privacy=privacy
    )
