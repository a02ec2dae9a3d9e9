"""The last stage of every audit: Article 33 privacy scan, Article 66 risk tier, Article 71
applicability and the Article 72 checklist, added to the result of the checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .core.errors import InputError, InputTypeError
from .findings import Finding, Status
from .narrative import Message
from .core.policy import Policy
from .risk import RiskRules, UseContext, assess, checklist, item_findings, load_rules

if TYPE_CHECKING:
    from .audit import Audit
    from .privacy import PrivacyScan
    from .result import AuditResult

EXPLAINED = "explanation.produced"


def _privacy(audit: Audit, policy: Policy) -> PrivacyScan | None:
    """The Article 33 scan asked for by ``Audit(privacy=...)``."""
    spec = audit.privacy
    if spec is None or spec is False:
        return None
    from . import privacy

    if isinstance(spec, privacy.PrivacyScan):
        return spec
    if audit.data is None:  # pragma: no cover - refused with the settings
        raise InputError("privacy= scans data=, which was not given.")
    if spec is True:
        return privacy.scan(audit.data, k=policy.k_anonymity)
    if isinstance(spec, Mapping):
        kwargs = dict(spec)
        kwargs.setdefault("k", policy.k_anonymity)
        return privacy.scan(audit.data, **kwargs)
    raise InputTypeError(
        "privacy must be True (scan data=), a dict of szai_audit.privacy.scan options such as "
        "{'quasi_identifiers': ['age', 'postcode'], 'external': True}, or a PrivacyScan, got "
        f"{type(spec).__name__}."
    )


def _article_71(finding: Finding, applies: bool, why: Message) -> Finding:
    """The explanation finding in the light of the context: a missing explanation where
    Article 71 applies is a FAIL."""
    if finding.status is Status.PASS or not applies:
        return finding
    return dataclasses.replace(
        finding,
        status=Status.FAIL,
        message=why.join(finding.message).join(
            Message(
                "适用第七十一条而未生成算法说明。结论：不通过。",
                "Article 71 applies and no explanation was produced. Result: fail.",
            )
        ),
        details={**finding.details, "article_71_applies": True},
    )


def apply(audit: Audit, result: AuditResult, policy: Policy) -> AuditResult:
    """``result`` with the privacy scan, the risk tier, Article 71 applicability and the
    Article 72 checklist added."""
    context = audit.context
    if context is not None and not isinstance(context, UseContext):
        raise InputTypeError(
            f"context must be a szai_audit.UseContext, got {type(context).__name__}."
        )
    rules = audit.risk_rules
    if rules is not None and not isinstance(rules, RiskRules):
        rules = load_rules(rules)
    findings = list(result.findings)
    scan = _privacy(audit, policy)
    # Judged against the scan's own k and l (the policy's unless the user chose others), so
    # the finding and the report's table agree.
    findings += [_not_scanned()] if scan is None else list(scan.findings())
    risk = None
    if context is None:
        findings.append(_no_context())
    else:
        risk = assess(context, findings, rules)
        findings = [
            _article_71(f, risk.article_71_applies, risk.article_71_reason)
            if f.check == EXPLAINED
            else f
            for f in findings
        ]
    items = checklist(findings, list(audit.attestations or ()))
    findings += item_findings(items)
    return dataclasses.replace(
        result, findings=findings, risk=risk, checklist=tuple(items), privacy=scan
    )
