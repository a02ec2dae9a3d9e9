"""szai_audit: audit a model and its data against the Shenzhen AI Industry Promotion Regulations.

Quick use::

    import szai_audit as sa
    result = sa.Audit(model=clf, data=X_test, y_true=y_test,
                      sensitive={"gender": "sex", "nationality": "foreign_worker"}).run()
    result.findings                       # one Finding per check, tied to an article
    result.to_html("report.html")         # bilingual, self-contained report

One package per article, each usable alone: :mod:`szai_audit.fairness` (Art. 72(2)(iv): group
metrics, scores, regression, proxies, the flip test, gaps after legitimate factors, the fix's
cost), :mod:`szai_audit.pricing` (72(5): price gaps, same order / different customer,
loyalty), :mod:`szai_audit.explain` (71: attributions and plain-language explanations),
:mod:`szai_audit.privacy` (33: de-identification scan), :mod:`szai_audit.risk` (66 and the 72
checklist; ex-post tracking). Beneath them :mod:`szai_audit.core` (findings, the check
registry, statistics, model adapters), above them :mod:`szai_audit.report` (the HTML report);
:mod:`szai_audit.filings` drafts the filings that follow an audit (algorithm filing, PIPL
impact assessment, ethics review, bias audit); :mod:`szai_audit.datasets` holds the shipped
data and their display names, :mod:`szai_audit.demos` the two demo audits,
:mod:`szai_audit.errors` the exception tree.
The layers and their rules are in ``docs/architecture.md``.
"""

from __future__ import annotations

from . import core, datasets, errors, explain, fairness, pricing, privacy, report, risk

# isort: split
# after the articles, whose checks register in the order above
from . import filings
from ._version import __version__
from .audit import Audit
from .core.errors import SzaiAuditError
from .core.findings import Finding, Status
from .core.messages import Message
from .core.models import CallableModel
from .core.policy import Policy
from .fairness import GroupMetrics, group_metrics
from .result import AuditResult
from .risk import Attestation, UseContext

__all__ = [
    "Attestation",
    "Audit",
    "AuditResult",
    "CallableModel",
    "Finding",
    "GroupMetrics",
    "Message",
    "Policy",
    "Status",
    "SzaiAuditError",
    "UseContext",
    "__version__",
    "core",
    "datasets",
    "errors",
    "explain",
    "fairness",
    "filings",
    "group_metrics",
    "pricing",
    "privacy",
    "report",
    "risk",
]
