"""Art. 66: the risk tier of a use, what the organisation should prepare for it, and whether
Art. 71 applies.

:func:`assess` gives the risk tier (``HIGH``, ``MEDIUM`` or ``LOW``) from rules kept as data
(``risk_rules.toml``, shipped in the package and overridable with
:func:`~szai_audit.risk.load_rules`), and names the rule that decided it. Art. 66(2) describes how
the government supervises each tier (high risk: ex-ante assessment and risk early-warning;
medium and low risk: ex-ante disclosure and ex-post tracking); the tier's ``duties`` are what
the organisation should prepare for that supervision. The tier comes from the use alone (domain,
scale, automation, the groups affected, whether effects can be undone): the audit's findings
never raise or lower it; the checks beyond tolerance are named beside it (``concerns``). It also
says whether Art. 71 (an explanation the public can understand) applies.
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
        ``"HIGH"``, ``"MEDIUM"`` or ``"LOW"``, from the use context alone.
    base_tier : str
        The same as ``tier`` (kept for readers of earlier results, where a failed check could
        raise the tier).
    rule : str
        The id of the rule that decided the base tier (``"default"`` when none matched).
    reason : Message
        That rule in words.
    matched : tuple of str
        Every matching rule.
    escalated_by : tuple of str
        Deprecated, always empty: findings no longer raise the tier (see ``concerns``).
    duties : tuple of Message
        What the organisation should prepare for the supervision of its tier (Art. 66(2)
        describes that supervision; it puts no duty on the organisation by itself).
    article_71_applies : bool
    article_71_reason : Message
    context : UseContext
    rules_source : str
    escalation_text : Message
        Deprecated, empty unless a rules file still has an ``[escalation]`` section.
    concerns : tuple of str
        The checks beyond tolerance (FAIL findings, ``check@ground``), named beside the tier:
        they do not change it.
    older_people : int or None
        Audited rows of people aged 60 or over (from the age ground's values; None when the
        audit has no numeric age): the report says so when the context declares no elderly
        people affected.
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
    concerns: tuple[str, ...] = ()
    older_people: int | None = None

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
            "concerns": list(self.concerns),
            "older_people": self.older_people,
            "duties": [d.to_dict() for d in self.duties],
            "article_71_applies": self.article_71_applies,
            "article_71_reason": self.article_71_reason.to_dict(),
            "context": self.context.to_dict(),
            "rules_source": self.rules_source,
        }


def assess(
    context: UseContext,
    findings: Iterable[Finding] = (),
    rules: RiskRules | None = None,
    *,
    older_people: int | None = None,
) -> RiskAssessment:
    """Risk tier of ``context`` (from the use alone), what the organisation should prepare for
    its supervision, whether Art. 71 applies, and the checks of ``findings`` beyond tolerance.

    Parameters
    ----------
    context : UseContext
        The use: the only thing the tier rests on.
    findings : iterable of Finding, optional
        The audit's findings: the FAIL ones are named as ``concerns``; they never change the
        tier.
    rules : RiskRules, optional
        The rules; those shipped with szai_audit by default.
    older_people : int, optional
        How many of the audited people are aged 60 or over, when the data say: reported beside
        the declared special groups; the tier still rests on the declared context.

    Examples
    --------
    >>> a = assess(UseContext("credit_finance", automation="human_review"))
    >>> a.tier, a.rule, a.article_71_applies
    ('MEDIUM', 'medium.high_impact_domain', True)
    >>> assess(UseContext("other")).tier
    'LOW'
    >>> assess(UseContext("judicial")).duties[0].en.split(":")[0]
    'Ex-ante assessment file'
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
    # the tier of a use never moves with the findings: they are concerns beside it
    concerns = tuple(
        f"{f.check}@{f.ground}" if f.ground else f.check
        for f in findings
        if f.status is Status.FAIL
    )
    tier = base
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
        escalated_by=(),
        duties=rules.duties.get(tier, ()),
        article_71_applies=applies,
        article_71_reason=why,
        context=context,
        rules_source=rules.source,
        escalation_text=rules.escalation_text,
        concerns=concerns,
        older_people=older_people,
    )


# --------------------------------------------------------------------------------------------
# Art. 72 checklist
# --------------------------------------------------------------------------------------------


def no_context() -> Finding:
    """Art. 66 not assessed: no use context was given."""
    return Finding(
        check=TIER.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=say("risk.no_context.no_use_context_was"),
    )
