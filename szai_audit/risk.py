"""Article 66 risk tiering, Article 71 applicability and the Article 72 ethics-review checklist.

* :class:`UseContext` says where and how the system is used: its domain, whether children, the
  elderly or people with disabilities are affected (Art. 42), how automated its decisions are,
  how many people it affects a year, and whether its effects can be undone.
* :func:`assess` gives the risk tier (``HIGH``, ``MEDIUM`` or ``LOW``) from rules kept as data
  (``risk_rules.toml``, shipped in the package and overridable with :func:`load_rules`), names the
  rule that decided it and the duties that follow (Art. 66: high risk means ex-ante assessment and
  risk early-warning; medium and low risk mean ex-ante disclosure and ex-post tracking). A failed
  Article 72(4) or 72(5) check in a high-impact domain raises the tier by one level. It also says
  whether Article 71 (an explanation the public can understand) applies.
* :func:`checklist` goes through Article 72's items (1) to (7): measured where the audit measured
  something (privacy: Art. 33 scan; discrimination: 72(4); prices: 72(5)), otherwise
  ``NEEDS_REVIEW`` until a named person's :class:`Attestation` settles it.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError
from .findings import Finding, Status
from .narrative import Message

if sys.version_info >= (3, 11):  # pragma: no cover - version dependent
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

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
    "load_rules",
]

#: Domains of use, with their names in Chinese and English.
DOMAINS: dict[str, Message] = {
    "public_decision": Message("公共决策", "public decision-making"),
    "judicial": Message("司法", "judicial"),
    "public_security": Message("公共安全", "public security"),
    "credit_finance": Message("信贷与金融", "credit and finance"),
    "insurance": Message("保险", "insurance"),
    "employment": Message("就业", "employment"),
    "healthcare": Message("医疗健康", "healthcare"),
    "education": Message("教育", "education"),
    "housing": Message("住房", "housing"),
    "transport": Message("交通出行", "transport"),
    "pricing_commerce": Message("定价与商业", "pricing and commerce"),
    "recommendation_marketing": Message("推荐与营销", "recommendation and marketing"),
    "other": Message("其他", "other"),
}

#: How automated the decisions are.
AUTOMATION_LEVELS: dict[str, Message] = {
    "fully_automated": Message("完全自动决定", "fully automated"),
    "human_review": Message("人工复核后决定", "decided after human review"),
    "advisory": Message("仅供参考，由人决定", "advisory: a person decides"),
}

#: The special groups of Article 42.
VULNERABLE_GROUPS: dict[str, Message] = {
    "children": Message("儿童", "children"),
    "elderly": Message("老年人", "the elderly"),
    "disabled": Message("残疾人", "people with disabilities"),
}

#: Risk tiers, least to most serious.
TIERS: dict[str, Message] = {
    "LOW": Message("低风险", "low risk"),
    "MEDIUM": Message("中风险", "medium risk"),
    "HIGH": Message("高风险", "high risk"),
}
_TIER_ORDER = ["LOW", "MEDIUM", "HIGH"]


def _choice(name: str, value: Any, allowed: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InputError(f"{name} must be one of {sorted(allowed)}, got {value!r}.")
    return value


@dataclass(frozen=True)
class UseContext:
    """Where and how the audited system is used (the facts the risk tier rests on).

    Parameters
    ----------
    domain : str
        One of :data:`DOMAINS`: ``"public_decision"``, ``"judicial"``, ``"public_security"``,
        ``"credit_finance"``, ``"insurance"``, ``"employment"``, ``"healthcare"``,
        ``"education"``, ``"housing"``, ``"transport"``, ``"pricing_commerce"``,
        ``"recommendation_marketing"``, ``"other"``.
    vulnerable_groups : sequence of str, default ()
        Special groups of Article 42 the system affects: ``"children"``, ``"elderly"``,
        ``"disabled"``.
    automation : str, default "human_review"
        ``"fully_automated"``, ``"human_review"`` or ``"advisory"``.
    scale : int, optional
        People affected per year.
    reversible : bool, default True
        Whether a person can have the effect of a decision undone (appeal, correction, refund).
    description : str, default ""
        A sentence on the use, for the report.

    Examples
    --------
    >>> ctx = UseContext("credit_finance", automation="fully_automated", scale=250_000)
    >>> ctx.domain, ctx.vulnerable
    ('credit_finance', False)
    >>> UseContext("astrology")
    Traceback (most recent call last):
    ...
    szai_audit.errors.InputError: domain must be one of [...], got 'astrology'.
    """

    domain: str
    vulnerable_groups: Sequence[str] = ()
    automation: str = "human_review"
    scale: int | None = None
    reversible: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        _choice("domain", self.domain, DOMAINS)
        _choice("automation", self.automation, AUTOMATION_LEVELS)
        groups = self.vulnerable_groups
        if isinstance(groups, str) or not isinstance(groups, Iterable):
            raise InputTypeError(
                f"vulnerable_groups must be a list such as ['children'], got {groups!r}."
            )
        groups = tuple(groups)
        for g in groups:
            _choice("each of vulnerable_groups", g, VULNERABLE_GROUPS)
        object.__setattr__(self, "vulnerable_groups", groups)
        scale = self.scale
        if scale is not None:
            if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, numbers.Integral):
                raise InputError(
                    f"scale must be a number of people per year (an int >= 0), got {scale!r}."
                )
            if scale < 0:
                raise InputError(f"scale must be >= 0 people per year, got {scale!r}.")
            object.__setattr__(self, "scale", int(scale))
        if not isinstance(self.reversible, (bool, np.bool_)):
            raise InputTypeError(f"reversible must be True or False, got {self.reversible!r}.")
        object.__setattr__(self, "reversible", bool(self.reversible))
        if not isinstance(self.description, str):
            raise InputTypeError(
                f"description must be text, got {type(self.description).__name__}."
            )

    @property
    def vulnerable(self) -> bool:
        """Whether any Article 42 group is affected."""
        return bool(self.vulnerable_groups)

    def labels(self) -> list[tuple[Message, Message]]:
        """(field, value) pairs in Chinese and English, for the report."""
        groups = self.vulnerable_groups
        vul = (
            Message(
                "、".join(VULNERABLE_GROUPS[g].zh for g in groups),
                ", ".join(VULNERABLE_GROUPS[g].en for g in groups),
            )
            if groups
            else Message("无", "none")
        )
        rows = [
            (Message("应用领域", "Domain"), DOMAINS[self.domain]),
            (Message("特殊人群（第四十二条）", "Special groups (Art. 42)"), vul),
            (Message("自动化程度", "Automation"), AUTOMATION_LEVELS[self.automation]),
            (
                Message("每年影响人数", "People affected per year"),
                Message("未说明", "not stated")
                if self.scale is None
                else Message(f"{self.scale:,}", f"{self.scale:,}"),
            ),
            (
                Message("影响可否撤销", "Effects reversible"),
                Message("可以", "yes") if self.reversible else Message("不可以", "no"),
            ),
        ]
        if self.description:
            rows.append(
                (Message("说明", "Description"), Message(self.description, self.description))
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "vulnerable_groups": list(self.vulnerable_groups),
            "automation": self.automation,
            "scale": self.scale,
            "reversible": self.reversible,
            "description": self.description,
        }


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    id: str
    tier: str
    text: Message
    domain: tuple[str, ...] | None = None
    automation: tuple[str, ...] | None = None
    vulnerable: bool | None = None
    reversible: bool | None = None
    scale_at_least: int | None = None

    def matches(self, ctx: UseContext) -> bool:
        if self.domain is not None and ctx.domain not in self.domain:
            return False
        if self.automation is not None and ctx.automation not in self.automation:
            return False
        if self.vulnerable is not None and ctx.vulnerable != self.vulnerable:
            return False
        if self.reversible is not None and ctx.reversible != self.reversible:
            return False
        return self.scale_at_least is None or (
            ctx.scale is not None and ctx.scale >= self.scale_at_least
        )


@dataclass(frozen=True)
class RiskRules:
    """Risk rules read from a TOML file (see ``szai_audit/risk_rules.toml``).

    Attributes
    ----------
    rules : tuple
        The tier rules in file order.
    default_tier : str
        The tier when no rule matches.
    escalation_articles, escalation_domains : tuple of str
        A FAIL under one of these articles in one of these domains raises the tier one level.
    escalation_text : Message
    duties : dict
        Tier -> the duties that follow.
    article_71_public, article_71_commercial : tuple of str
        Domains where Article 71 applies (public decision-making; commercial fields touching the
        public interest).
    source : str
        Where the rules came from.
    """

    rules: tuple[_Rule, ...]
    default_tier: str
    escalation_articles: tuple[str, ...]
    escalation_domains: tuple[str, ...]
    escalation_text: Message
    duties: dict[str, tuple[Message, ...]]
    article_71_public: tuple[str, ...]
    article_71_commercial: tuple[str, ...]
    source: str


_RULE_KEYS = {"id", "tier", "zh", "en", "domain", "automation", "vulnerable", "reversible"}
_RULE_KEYS |= {"scale_at_least"}


def _domains(where: str, values: Any) -> tuple[str, ...]:
    if not isinstance(values, list):  # also a single string: say so rather than split it
        raise InputError(f"{where} must be a list of domains, got {values!r}.")
    for v in values:
        _choice(f"each domain of {where}", v, DOMAINS)
    return tuple(values)


def _parse_rules(data: Mapping[str, Any], source: str) -> RiskRules:
    def tier(where: str, value: Any) -> str:
        return _choice(f"{where} tier", value, TIERS)

    unknown_top = set(data) - {"version", "default_tier", "rule", "escalation", "duty"}
    unknown_top -= {"article_71"}
    if unknown_top:
        raise InputError(
            f"{source} has unknown sections {sorted(unknown_top)}; known: version, "
            f"default_tier, rule, escalation, duty, article_71."
        )
    for section in ("rule", "duty", "escalation", "article_71"):
        if section not in data:
            raise InputError(
                f"{source} lacks the [{section}] section(s); copy szai_audit/risk_rules.toml "
                f"and edit it."
            )
    rules = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("rule", [])):
        where = f"rule {i + 1} of {source}"
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise InputError(
                f"{where} has unknown keys {sorted(unknown)}; known: {sorted(_RULE_KEYS)}."
            )
        for key in ("id", "tier", "zh", "en"):
            if key not in raw:
                raise InputError(f"{where} lacks {key!r}.")
        if raw["id"] in seen:
            raise InputError(f"{where}: the id {raw['id']!r} is used twice.")
        seen.add(raw["id"])
        automation = raw.get("automation")
        if automation is not None:
            if not isinstance(automation, list):
                raise InputError(f"{where}: automation must be a list, got {automation!r}.")
            for a in automation:
                _choice(f"each automation of {where}", a, AUTOMATION_LEVELS)
        for key in ("vulnerable", "reversible"):
            if key in raw and not isinstance(raw[key], bool):
                raise InputError(f"{where}: {key} must be true or false, got {raw[key]!r}.")
        at_least = raw.get("scale_at_least")
        if at_least is not None and (isinstance(at_least, bool) or not isinstance(at_least, int)):
            raise InputError(f"{where}: scale_at_least must be an integer, got {at_least!r}.")
        rules.append(
            _Rule(
                id=str(raw["id"]),
                tier=tier(where, raw["tier"]),
                text=Message(str(raw["zh"]), str(raw["en"])),
                domain=_domains(where, raw["domain"]) if "domain" in raw else None,
                automation=None if automation is None else tuple(automation),
                vulnerable=raw.get("vulnerable"),
                reversible=raw.get("reversible"),
                scale_at_least=raw.get("scale_at_least"),
            )
        )
    esc = data.get("escalation", {})
    duties: dict[str, list[Message]] = {t: [] for t in TIERS}
    for raw in data.get("duty", []):
        for key in ("tier", "zh", "en"):
            if key not in raw:
                raise InputError(f"a duty of {source} lacks {key!r}.")
        duties[tier(f"duty of {source}", raw.get("tier"))].append(
            Message(str(raw["zh"]), str(raw["en"]))
        )
    art71 = data.get("article_71", {})
    return RiskRules(
        rules=tuple(rules),
        default_tier=tier(f"default_tier of {source}", data.get("default_tier", "LOW")),
        escalation_articles=tuple(esc.get("articles", [])),
        escalation_domains=_domains(f"escalation.domains of {source}", esc.get("domains", [])),
        escalation_text=Message(str(esc.get("zh", "")), str(esc.get("en", ""))),
        duties={t: tuple(v) for t, v in duties.items()},
        article_71_public=_domains(
            f"article_71.public_decision of {source}", art71.get("public_decision", [])
        ),
        article_71_commercial=_domains(
            f"article_71.public_interest_commercial of {source}",
            art71.get("public_interest_commercial", []),
        ),
        source=source,
    )


def load_rules(path: str | Path | None = None) -> RiskRules:
    """Read risk rules from a TOML file; the rules shipped with szai_audit by default.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file in the format of ``szai_audit/risk_rules.toml`` (copy it and edit).

    Examples
    --------
    >>> rules = load_rules()
    >>> [r.id for r in rules.rules][:2]
    ['high.public_power', 'high.vulnerable_fully_automated']
    >>> rules.default_tier
    'LOW'
    """
    if path is None:
        text = (resources.files("szai_audit") / "risk_rules.toml").read_text(encoding="utf-8")
        source = "szai_audit/risk_rules.toml"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"risk rules file {str(p)!r} does not exist.")
        text, source = p.read_text(encoding="utf-8"), str(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"risk rules file {source!r} is not valid TOML: {exc}") from exc
    return _parse_rules(data, source)


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
        The duties of the tier (Art. 66).
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
    high-impact domain, with the duties that follow and whether Article 71 applies.

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
        top = max(_TIER_ORDER.index(r.tier) for r in matched)
        decider = next(r for r in matched if _TIER_ORDER.index(r.tier) == top)
        base, rule_id, reason = decider.tier, decider.id, decider.text
    else:
        base, rule_id = rules.default_tier, "default"
        reason = Message("未命中任何较高风险规则", "matches no rule of a higher tier")
    escalated: tuple[str, ...] = ()
    tier = base
    if context.domain in rules.escalation_domains:
        escalated = tuple(
            f"{f.check}@{f.ground}" if f.ground else f.check
            for f in findings
            if f.status is Status.FAIL and f.article in rules.escalation_articles
        )
        if escalated and base != _TIER_ORDER[-1]:
            tier = _TIER_ORDER[_TIER_ORDER.index(base) + 1]
        else:
            escalated = ()  # already the top tier: nothing was raised
    d = DOMAINS[context.domain]
    if context.domain in rules.article_71_public:
        applies = True
        why = Message(
            f"用于{d.zh}，属于公共决策领域，须以利于公众理解的方式进行算法说明（第七十一条）。",
            f"Used for {d.en}, a field of public decision-making: the algorithm must be explained "
            f"in a way the public can understand (Art. 71).",
        )
    elif context.domain in rules.article_71_commercial:
        applies = True
        why = Message(
            f"用于{d.zh}，属于涉及公共利益的商业领域，须以利于公众理解的方式进行算法说明（第七十一条）。",
            f"Used for {d.en}, a commercial field touching the public interest: the algorithm "
            f"must be explained in a way the public can understand (Art. 71).",
        )
    else:
        applies = False
        why = Message(
            f"用于{d.zh}，按规则不属于第七十一条所列领域；仍建议提供算法说明。",
            f"Used for {d.en}, outside the fields of Art. 71 under these rules; an explanation is "
            f"still recommended.",
        )
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
# Article 72 checklist
# --------------------------------------------------------------------------------------------

#: Article 72's items: title, and the article of the findings that measure it (None: only a
#: person can judge).
CHECKLIST_ITEMS: dict[int, tuple[Message, str | None]] = {
    1: (
        Message(
            "不得提供危害国家安全或者社会公共利益的产品和服务",
            "No products or services that endanger national security or the public interest",
        ),
        None,
    ),
    2: (
        Message(
            "不得侵犯个人隐私或者侵害个人信息权益",
            "No infringement of privacy or personal information rights",
        ),
        "33",
    ),
    3: (
        Message(
            "不得提供危害身心健康的产品和服务",
            "No products or services that harm physical or mental health",
        ),
        None,
    ),
    4: (
        Message(
            "不得因种族、性别、国籍、民族和宗教信仰等歧视用户",
            "No discrimination against users by race, gender, nationality, ethnicity, "
            "religious belief and the like",
        ),
        "72(4)",
    ),
    5: (
        Message(
            "不得利用算法根据用户习惯、偏好、支付能力实施价格歧视或者消费欺诈",
            "No price discrimination or consumer fraud by users' habits, preferences or "
            "ability to pay",
        ),
        "72(5)",
    ),
    6: (
        Message("不得利用深度合成技术从事禁止行为", "No prohibited acts using deep synthesis"),
        None,
    ),
    7: (
        Message(
            "不得从事其他违反有关法律法规和伦理安全规范的行为",
            "No other acts against laws, regulations and ethics and safety norms",
        ),
        None,
    ),
}

#: Check ids of the findings that stand for the person-judged items.
ITEM_CHECKS = {i: f"ethics.item_{i}" for i in CHECKLIST_ITEMS}


@dataclass(frozen=True)
class Attestation:
    """A named person's statement on an Article 72 item that only a person can judge.

    Parameters
    ----------
    item : int
        1 to 7 (Article 72's items).
    reviewer : str
        Who attests (name).
    role : str
        Their role (e.g. "伦理委员会委员 / ethics committee member").
    date : str or datetime.date
        When (ISO date, ``"2026-11-29"``).
    statement : str
        What they checked and concluded.
    conclusion : {"pass", "fail"}, default "pass"
        ``"pass"``: the item is met (or does not apply, as the statement says); ``"fail"``: it
        is not.

    Examples
    --------
    >>> a = Attestation(1, "张伟", "伦理委员会主任", "2026-11-29", "不涉及国家安全。")
    >>> a.date, a.status.value
    ('2026-11-29', 'PASS')
    """

    item: int
    reviewer: str
    role: str
    date: str | _dt.date
    statement: str
    conclusion: str = "pass"

    def __post_init__(self) -> None:
        if (
            isinstance(self.item, (bool, np.bool_))
            or not isinstance(self.item, numbers.Integral)
            or int(self.item) not in CHECKLIST_ITEMS
        ):
            raise InputError(
                f"Attestation item must be an integer 1 to 7 (Article 72's items), got "
                f"{self.item!r}."
            )
        object.__setattr__(self, "item", int(self.item))
        for name in ("reviewer", "role", "statement"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"Attestation {name} must be non-empty text, got {value!r}.")
        date = self.date
        if isinstance(date, _dt.datetime):
            date = date.date()
        if isinstance(date, _dt.date):
            date = date.isoformat()
        text = str(date)
        try:
            if len(text) != 10:
                raise ValueError(text)
            day = _dt.date.fromisoformat(text)
        except ValueError as exc:
            raise InputError(
                f"Attestation date must be an ISO date such as '2026-11-29', got {self.date!r}."
            ) from exc
        if day > _dt.date.today():
            raise InputError(f"Attestation date {text} is in the future; give the day it was made.")
        object.__setattr__(self, "date", day.isoformat())
        if self.conclusion not in ("pass", "fail"):
            raise InputError(
                f"Attestation conclusion must be 'pass' or 'fail', got {self.conclusion!r}."
            )

    @property
    def status(self) -> Status:
        return Status.PASS if self.conclusion == "pass" else Status.FAIL

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "reviewer": self.reviewer,
            "role": self.role,
            "date": self.date,
            "statement": self.statement,
            "conclusion": self.conclusion,
        }


@dataclass(frozen=True)
class ChecklistItem:
    """One of Article 72's items with its status and evidence.

    Attributes
    ----------
    item : int
    title : Message
    status : Status
    basis : str
        ``"measured"`` (findings of the audit), ``"attested"`` (a person's statement) or
        ``"needs_review"``.
    evidence : tuple of dict
        The findings behind a measured status: ``check``, ``ground``, ``status``, ``article``.
    attestations : tuple of Attestation
    """

    item: int
    title: Message
    status: Status
    basis: str
    evidence: tuple[dict[str, Any], ...]
    attestations: tuple[Attestation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "title": self.title.to_dict(),
            "status": self.status.value,
            "basis": self.basis,
            "evidence": [dict(e) for e in self.evidence],
            "attestations": [a.to_dict() for a in self.attestations],
        }


def _worst(statuses: Iterable[Status]) -> Status:
    return min(statuses, key=lambda s: s.severity)


def checklist(
    findings: Sequence[Finding], attestations: Sequence[Attestation] = ()
) -> list[ChecklistItem]:
    """Article 72's items (1) to (7), each measured, attested or awaiting review.

    An item with findings of its article (privacy: "33", discrimination: "72(4)", prices:
    "72(5)") takes the most serious of their statuses (checks that could not run are left out
    while others ran); an attestation that the item fails makes it FAIL, and settles an item
    that nothing measured. The other items are NEEDS_REVIEW until attested.

    Examples
    --------
    >>> items = checklist([], [Attestation(6, "李娜", "法务", "2026-11-29", "未使用深度合成。")])
    >>> [(i.item, i.status.value, i.basis) for i in items][4:6]
    [(5, 'NEEDS_REVIEW', 'needs_review'), (6, 'PASS', 'attested')]
    """
    by_item: dict[int, list[Attestation]] = {i: [] for i in CHECKLIST_ITEMS}
    for a in attestations:
        if not isinstance(a, Attestation):
            raise InputTypeError(
                f"attestations must be szai_audit.Attestation objects, got {type(a).__name__}."
            )
        by_item[a.item].append(a)
    out = []
    for item, (title, article) in CHECKLIST_ITEMS.items():
        own = [f for f in findings if article is not None and f.article == article]
        ran = [f for f in own if f.status is not Status.NOT_ASSESSED]
        used = ran or own
        attested = by_item[item]
        evidence = tuple(
            {"check": f.check, "ground": f.ground, "status": f.status.value, "article": f.article}
            for f in used
        )
        if ran:
            status, basis = _worst(f.status for f in ran), "measured"
            if any(a.status is Status.FAIL for a in attested):
                status = Status.FAIL
        elif attested:
            status, basis = _worst(a.status for a in attested), "attested"
        else:
            status, basis = Status.NEEDS_REVIEW, "needs_review"
        out.append(ChecklistItem(item, title, status, basis, evidence, tuple(attested)))
    return out


def item_findings(items: Sequence[ChecklistItem]) -> list[Finding]:
    """Findings for the items no check of the audit measured: NEEDS_REVIEW until attested."""
    out = []
    for it in items:
        if it.basis == "measured":
            continue
        if it.attestations:
            names = "、".join(f"{a.reviewer}（{a.role}，{a.date}）" for a in it.attestations)
            names_en = "; ".join(f"{a.reviewer} ({a.role}, {a.date})" for a in it.attestations)
            verdict = (
                Message("结论：通过。", "Result: pass.")
                if it.status is Status.PASS
                else Message("结论：不通过。", "Result: fail.")
            )
            message = Message(
                f"第七十二条第（{_CN[it.item]}）项“{it.title.zh}”：由{names}书面确认。{verdict.zh}",
                f"Article 72({it.item}), “{it.title.en}”: attested in writing by {names_en}. "
                f"{verdict.en}",
            )
        elif CHECKLIST_ITEMS[it.item][1] is not None:
            check = {
                2: Message("去标识化检查（privacy=）", "de-identification scan (privacy=)"),
                4: Message("歧视检查（sensitive=）", "discrimination checks (sensitive=)"),
                5: Message("价格审计（task='pricing'）", "pricing audit (task='pricing')"),
            }[it.item]
            message = Message(
                f"第七十二条第（{_CN[it.item]}）项“{it.title.zh}”：本次审计未测量（{check.zh}）；"
                f"请运行该检查，或由审查人通过 Attestation 说明不适用的理由。",
                f"Article 72({it.item}), “{it.title.en}”: not measured by this audit "
                f"({check.en}); run that check, or have a reviewer attest why it does not apply "
                f"(Attestation).",
            )
        else:
            message = Message(
                f"第七十二条第（{_CN[it.item]}）项“{it.title.zh}”：须由审查人判断，尚无署名确认；"
                f"请通过 Attestation 提供审查人、职务、日期和结论。",
                f"Article 72({it.item}), “{it.title.en}”: only a reviewer can judge this, and no "
                f"one has attested it yet; supply an Attestation (reviewer, role, date, "
                f"statement).",
            )
        out.append(
            Finding(
                check=ITEM_CHECKS[it.item],
                article="72",
                status=it.status,
                message=message,
                details={
                    "item": it.item,
                    "basis": it.basis,
                    "attestations": [a.to_dict() for a in it.attestations],
                },
            )
        )
    return out


_CN = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七"}
