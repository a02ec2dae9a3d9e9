"""Art. 66 risk tiering, Art. 71 applicability, the Art. 72 ethics-review checklist,
and ex-post tracking.

* :class:`UseContext` (:mod:`.context`) says where and how the system is used: its domain,
  whether children, the elderly or people with disabilities are affected, how
  automated its decisions are, how many people it affects a year, and whether its effects can be
  undone.
* :func:`assess` (:mod:`.tiers`) gives the risk tier (``HIGH``, ``MEDIUM`` or ``LOW``) from
  rules kept as data (``risk_rules.toml``, shipped in the package and overridable with
  :func:`load_rules`, :mod:`.rules`) and the use alone, names the rule that decided it and what
  the organisation should prepare for the tier's supervision (Art. 66(2) describes the
  government's supervision: ex-ante assessment and risk early-warning for high risk, ex-ante
  disclosure and ex-post tracking for medium and low risk). Findings never raise or lower the
  tier; the checks beyond tolerance are named beside it. It also says whether Art. 71 (an
  explanation the public can understand) applies.
* :func:`checklist` (:mod:`.review`) goes through Art. 72's items (1) to (7): measured
  where the audit measured something (privacy: Art. 33(2) scan; discrimination: 72(4); prices:
  72(5)), otherwise ``NEEDS_REVIEW`` until a named person's :class:`Attestation` settles it.
* :func:`~szai_audit.risk.tracking.compare` (:mod:`.tracking`) compares two audits of the same
  system over time (ex-post tracking).
"""

from __future__ import annotations

from . import checks, context, page, review, rules, tiers, tracking
from .context import AUTOMATION_LEVELS, DOMAINS, VULNERABLE_GROUPS, UseContext
from .review import CHECKLIST_ITEMS, Attestation, ChecklistItem, checklist, item_findings
from .rules import TIERS, RiskRules, load_rules
from .tiers import RiskAssessment, assess, no_context

__all__ = [
    "AUTOMATION_LEVELS",
    "CHECKLIST_ITEMS",
    "DOMAINS",
    "TIERS",
    "VULNERABLE_GROUPS",
    "Attestation",
    "ChecklistItem",
    "RiskAssessment",
    "RiskRules",
    "UseContext",
    "assess",
    "checklist",
    "checks",
    "context",
    "item_findings",
    "load_rules",
    "no_context",
    "page",
    "review",
    "rules",
    "tiers",
    "tracking",
]
