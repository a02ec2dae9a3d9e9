"""Art. 66: the risk rules, kept as data (``szai_audit/risk_rules.toml``) and overridable.

A rule names the tier it gives and the uses it matches (domain, automation, special groups,
reversibility, scale); the highest tier among the matching rules decides. The file also lists
what the organisation should prepare for the supervision of each tier (Art. 66(2)), and the
domains where Art. 71 applies. The tier rests on the use alone: an ``[escalation]`` section
(which let a failed check raise the tier in earlier versions) is still read, and ignored.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..core.catalog import say
from ..core.errors import InputError
from ..core.messages import Message
from .context import AUTOMATION_LEVELS, DOMAINS, UseContext, choice

if sys.version_info >= (3, 11):  # pragma: no cover - version dependent
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["TIERS", "TIER_ORDER", "RiskRules", "load_rules"]

#: Risk tiers, least to most serious.
TIERS: dict[str, Message] = {
    "LOW": say("risk.tiers.low"),
    "MEDIUM": say("risk.tiers.medium"),
    "HIGH": say("risk.tiers.high"),
}
TIER_ORDER = ["LOW", "MEDIUM", "HIGH"]


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
        Deprecated and unused: findings no longer raise the tier. Read from an optional
        ``[escalation]`` section, so that older rules files still load.
    escalation_text : Message
        Deprecated and unused, like the two above.
    duties : dict
        Tier -> what the organisation should prepare for that tier's supervision.
    article_71_public, article_71_commercial : tuple of str
        Domains where Art. 71 applies (public decision-making; commercial fields touching the
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
        choice(f"each domain of {where}", v, DOMAINS)
    return tuple(values)


def _tier(where: str, value: Any) -> str:
    """A tier named in the rules file, checked."""
    return choice(f"{where} tier", value, TIERS)


def _parse_rules(data: Mapping[str, Any], source: str) -> RiskRules:
    _check_sections(data, source)
    rules = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("rule", [])):
        rules.append(_parse_rule(raw, f"rule {i + 1} of {source}", seen))
    esc = data.get("escalation", {})
    duties: dict[str, list[Message]] = {t: [] for t in TIERS}
    for raw in data.get("duty", []):
        for key in ("tier", "zh", "en"):
            if key not in raw:
                raise InputError(f"a duty of {source} lacks {key!r}.")
        duties[_tier(f"duty of {source}", raw.get("tier"))].append(
            Message(str(raw["zh"]), str(raw["en"]))
        )
    art71 = data.get("article_71", {})
    return RiskRules(
        rules=tuple(rules),
        default_tier=_tier(f"default_tier of {source}", data.get("default_tier", "LOW")),
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


def _check_sections(data: Mapping[str, Any], source: str) -> None:
    """Refuse unknown top-level sections and missing required ones."""
    unknown_top = set(data) - {"version", "default_tier", "rule", "escalation", "duty"}
    unknown_top -= {"article_71"}
    if unknown_top:
        raise InputError(
            f"{source} has unknown sections {sorted(unknown_top)}; known: version, "
            f"default_tier, rule, escalation, duty, article_71."
        )
    for section in ("rule", "duty", "article_71"):
        if section not in data:
            raise InputError(
                f"{source} lacks the [{section}] section(s); copy szai_audit/risk_rules.toml "
                f"and edit it."
            )


def _parse_rule(raw: Mapping[str, Any], where: str, seen: set[str]) -> _Rule:
    """One ``[[rule]]`` table, checked (its id added to ``seen``)."""
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
            choice(f"each automation of {where}", a, AUTOMATION_LEVELS)
    for key in ("vulnerable", "reversible"):
        if key in raw and not isinstance(raw[key], bool):
            raise InputError(f"{where}: {key} must be true or false, got {raw[key]!r}.")
    at_least = raw.get("scale_at_least")
    if at_least is not None and (isinstance(at_least, bool) or not isinstance(at_least, int)):
        raise InputError(f"{where}: scale_at_least must be an integer, got {at_least!r}.")
    return _Rule(
        id=str(raw["id"]),
        tier=_tier(where, raw["tier"]),
        text=Message(str(raw["zh"]), str(raw["en"])),
        domain=_domains(where, raw["domain"]) if "domain" in raw else None,
        automation=None if automation is None else tuple(automation),
        vulnerable=raw.get("vulnerable"),
        reversible=raw.get("reversible"),
        scale_at_least=raw.get("scale_at_least"),
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
