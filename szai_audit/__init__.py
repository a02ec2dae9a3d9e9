"""szai_audit: audit a model and its data against the Shenzhen AI Industry Promotion Regulations.

Quick use::

    import szai_audit as sa
    result = sa.Audit(model=clf, data=X_test, y_true=y_test,
                      sensitive={"gender": "sex", "nationality": "foreign_worker"}).run()
    result.findings                       # one Finding per check, tied to an article
    result.to_html("report.html")         # bilingual, self-contained report

Building blocks: :mod:`szai_audit.fairness` (Article 72(4) group metrics and bootstrap),
:mod:`szai_audit.scores` (AUC and calibration by group), :mod:`szai_audit.proxies`,
:mod:`szai_audit.counterfactual` (flip test), :mod:`szai_audit.conditional` (gaps after
legitimate factors), :mod:`szai_audit.mitigation` (threshold trade-off),
:mod:`szai_audit.regression` (numeric outputs), :mod:`szai_audit.pricing` (Article 72(5)
price gaps, same order / different customer, loyalty), :mod:`szai_audit.explain` (Article 71
attributions), :mod:`szai_audit.stats` (tests, BH),
:mod:`szai_audit.models` (model adapters), :mod:`szai_audit.datasets` (shipped data),
:mod:`szai_audit.errors` (the exception tree).
"""

from __future__ import annotations

from . import (
    conditional,
    counterfactual,
    datasets,
    errors,
    explain,
    fairness,
    mitigation,
    models,
    pricing,
    privacy,
    proxies,
    regression,
    report,
    risk,
    scores,
    stats,
)
from ._version import __version__
from .audit import Audit
from .core.errors import SzaiAuditError
from .fairness import GroupMetrics, group_metrics
from .findings import Finding, Status
from .core.models import CallableModel
from .narrative import Message
from .core.policy import Policy
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
    "conditional",
    "counterfactual",
    "datasets",
    "errors",
    "explain",
    "fairness",
    "group_metrics",
    "mitigation",
    "models",
    "pricing",
    "privacy",
    "proxies",
    "regression",
    "report",
    "risk",
    "scores",
    "stats",
]
