"""Art. 66(2): the risk tier of a use, the duties that follow, and whether Art. 71 applies.

:func:`assess` gives the risk tier (``HIGH``, ``MEDIUM`` or ``LOW``) from rules kept as data
(``risk_rules.toml``, shipped in the package and overridable with
:func:`~szai_audit.risk.load_rules`), names the rule that decided it and the duties that follow
(high risk: ex-ante assessment and risk early-warning; medium and low risk: ex-ante disclosure
and ex-post tracking). A failed Art. 72(2)(iv) or 72(5) check in a high-impact domain raises the
tier by one level. It also says whether Art. 71 (an explanation the public can understand)
applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core.catalog import say
from ..core.errors import InputTypeError
from ..core.findings import Finding, Status
from ..core.messages import Message
from .checks import ARTICLE, TIER
from .context import DOMAINS, UseContext
from .rules import TIER_ORDER, TIERS, RiskRules, load_rules

__all__ = ["RiskAssessment", "assess", "no_context"]


# --------------------------------------------------------------------------------------------
# Assessment
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskAssessment:
    """The risk tier of a use and what follows from it.

    Attributes
    ----------
    tier : str
        ``"HIGH"``, ``"MEDIUM"`` or ``"LOW"``, after any escalation.
    base_tier : str
        The tier from the context alone.
    rule : str
        The id of the rule that decided the base tier (``"default"`` when none matched).
    reason : Message
        That rule in words.
    matched : tuple of str
        Every matching rule.
    escalated_by : tuple of str
        The failed checks (``check@ground``) that raised the tier; empty when not raised.
    duties : tuple of Message
        The duties of the tier (Art. 66(2)).
    article_71_applies : bool
    article_71_reason : Message
    context : UseContext
    rules_source : str
    """

    tier: str
    base_tier: str
    rule: str
    reason: Message
    matched: tuple[str, ...]
    escalated_by: tuple[str, ...]
    duties: tuple[Message, ...]
    article_71_applies: bool
    article_71_reason: Message
    context: UseContext
    rules_source: str
    escalation_text: Message = field(default_factory=lambda: Message("", ""))

    @property
    def label(self) -> Message:
        return TIERS[self.tier]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "base_tier": self.base_tier,
            "rule": self.rule,
            "reason": self.reason.to_dict(),
            "matched_rules": list(self.matched),
            "escalated_by": list(self.escalated_by),
            "duties": [d.to_dict() for d in self.duties],
            "article_71_applies": self.article_71_applies,
            "article_71_reason": self.article_71_reason.to_dict(),
            "context": self.context.to_dict(),
            "rules_source": self.rules_source,
        }


def assess(
    context: UseContext, findings: Iterable[Finding] = (), rules: RiskRules | None = None
) -> RiskAssessment:
    """Risk tier of ``context``, raised one level by failed 72(4)/72(5) ``findings`` in a
    high-impact domain, with the duties that follow and whether Art. 71 applies.

    Examples
    --------
    >>> a = assess(UseContext("credit_finance", automation="human_review"))
    >>> a.tier, a.rule, a.article_71_applies
    ('MEDIUM', 'medium.high_impact_domain', True)
    >>> assess(UseContext("other")).tier
    'LOW'
    >>> assess(UseContext("judicial")).duties[0].en.split(":")[0]
    'Ex-ante assessment'
    """
    if not isinstance(context, UseContext):
        raise InputTypeError(
            f"context must be a szai_audit.UseContext, got {type(context).__name__}."
        )
    rules = load_rules() if rules is None else rules
    matched = [r for r in rules.rules if r.matches(context)]
    if matched:
        top = max(TIER_ORDER.index(r.tier) for r in matched)
        decider = next(r for r in matched if TIER_ORDER.index(r.tier) == top)
        base, rule_id, reason = decider.tier, decider.id, decider.text
    else:
        base, rule_id = rules.default_tier, "default"
        reason = say("risk.assess.matches_no_rule_higher")
    escalated: tuple[str, ...] = ()
    tier = base
    if context.domain in rules.escalation_domains:
        escalated = tuple(
            f"{f.check}@{f.ground}" if f.ground else f.check
            for f in findings
            if f.status is Status.FAIL and f.article in rules.escalation_articles
        )
        if escalated and base != TIER_ORDER[-1]:
            tier = TIER_ORDER[TIER_ORDER.index(base) + 1]
        else:
            escalated = ()  # already the top tier: nothing was raised
    d = DOMAINS[context.domain]
    if context.domain in rules.article_71_public:
        applies = True
        why = say("risk.assess.used_field_public_decision", d=d)
    elif context.domain in rules.article_71_commercial:
        applies = True
        why = say("risk.assess.used_commercial_field_touching", d=d)
    else:
        applies = False
        why = say("risk.assess.used_outside_fields_art", d=d)
    return RiskAssessment(
        tier=tier,
        base_tier=base,
        rule=rule_id,
        reason=reason,
        matched=tuple(r.id for r in matched),
        escalated_by=escalated,
        duties=rules.duties.get(tier, ()),
        article_71_applies=applies,
        article_71_reason=why,
        context=context,
        rules_source=rules.source,
        escalation_text=rules.escalation_text,
    )


# --------------------------------------------------------------------------------------------
# Art. 72 checklist
# --------------------------------------------------------------------------------------------


def no_context() -> Finding:
    """Art. 66(2) not assessed: no use context was given."""
    return Finding(
        check=TIER.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=say("risk.no_context.no_use_context_was"),
    )
