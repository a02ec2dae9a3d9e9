"""Art. 72(2)(iv): the decisions that would change without the contributions of the inputs
tied to protected grounds (``fairness.protected_turned``).

The count comes from the explanation (``szai_audit.explain.turned``): for each decision
explained, the model's output less the contributions of every input tied to a protected
ground (a ground's own column among the model's inputs, and each proxy of a ground), read
against the cut-off the decisions follow. This module turns the count into a finding.

The rule (a count, not a test):

* **WARN** when at least one decision turns: the share is then above zero in these data (the
  lower end of its exact interval is above zero), and each such decision rests on information
  tied to a protected ground in the model's own arithmetic. It is never FAIL: the additive
  counterfactual is the model's arithmetic, not a decision made again for another person, and
  using such an input can have a legitimate reason; a person must judge (review those
  decisions, remove the inputs or state the reason for them).
* **PASS** when none turns. The message says whether the model used those inputs at all (a
  contribution not zero for some decision) and gives the upper end of the interval: a PASS
  says that no decision explained rests on them, not that the model ignores the grounds
  (information carried by inputs below the proxy limit is not taken off).
* **NOT_ASSESSED** (with the reason) without a model, for a model
  whose outputs change between two calls, without the explanation, when no model input is
  tied to a ground, when the decisions do not follow a single cut-off on the favourable score
  (a multiclass model, no score), or when the explained output is not the favourable
  probability or its log-odds.

The interval is Clopper-Pearson's exact interval at ``confidence_level``
(:func:`szai_audit.core.stats.clopper_pearson`): for the share among all the decisions
audited when a random sample of them was explained, and otherwise for the share among
decisions made by this model for people like these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...core.catalog import say
from ...core.errors import InputError
from ...core.findings import Finding, Status
from ...core.grounds import ground_label
from ...core.judging import OUTCOME_PASS
from ...core.messages import Message, fmt_level, fmt_pct, listing
from ...core.policy import Policy
from ...core.stats import clopper_pearson
from ..checks import ARTICLE, TURNED
from ..words import Labels, feature_names

__all__ = ["NOT_ASSESSED_REASONS", "TurnedCounts", "turned_finding", "turned_not_assessed"]

#: Why the check may not run, each with its sentence (``fairness.turned_not_assessed.*``).
NOT_ASSESSED_REASONS = (
    "no_model",
    "unrepeatable",
    "not_explained",
    "explanation_failed",
    "no_inputs",
    "no_cutoff",
    "scale",
)


@dataclass(frozen=True)
class TurnedCounts:
    """What the finding reads of the decisions examined (counts only: no row).

    Attributes
    ----------
    explained : int
        Decisions explained.
    audited : int
        Decisions audited (``explained`` when all were explained).
    to_favourable, to_unfavourable : int
        Unfavourable decisions that would become favourable without the contributions of the
        inputs tied to protected grounds, and favourable ones that would become unfavourable.
    used : int
        Decisions to which at least one of those inputs contributed.
    by_ground : mapping of str to int
        Decisions that would change without one ground's inputs alone.
    inputs : mapping of str to sequence of str
        Each input taken off, with the grounds it is or stands in for.
    own : sequence of str
        The inputs among them that are a ground's own column (the others are proxies).
    unused : sequence of str
        The inputs whose contribution is zero for every decision explained: not named in
        the message unless none is used.
    """

    explained: int
    audited: int
    to_favourable: int
    to_unfavourable: int
    used: int
    by_ground: Mapping[str, int] = field(default_factory=dict)
    inputs: Mapping[str, Sequence[str]] = field(default_factory=dict)
    own: Sequence[str] = ()
    unused: Sequence[str] = ()

    @property
    def turned(self) -> int:
        """Decisions that would change, either way."""
        return self.to_favourable + self.to_unfavourable

    @property
    def sampled(self) -> bool:
        """Whether a sample of the decisions audited was explained."""
        return self.explained < self.audited

    @property
    def named(self) -> dict[str, Sequence[str]]:
        """The inputs a message names: those the model used (all when it used none)."""
        used = {c: gs for c, gs in self.inputs.items() if c not in set(self.unused)}
        return used or dict(self.inputs)

    @property
    def grounds(self) -> list[str]:
        """The grounds of the inputs named, each once, in the order of all the inputs."""
        named = {g for gs in self.named.values() for g in gs}
        every = dict.fromkeys(g for gs in self.inputs.values() for g in gs)
        return [g for g in every if g in named]


def _grounds_words(grounds: Sequence[str]) -> Message:
    return listing([ground_label(g) for g in grounds])


def _inputs_words(counts: TurnedCounts, labels: Labels) -> Message:
    """The inputs named, in words: the grounds' own columns, then the proxies."""
    own = [c for c in counts.named if c in set(counts.own)]
    proxies = [c for c in counts.named if c not in set(counts.own)]
    if own and proxies:
        return say(
            "fairness.turned.inputs_both",
            own=feature_names(own, labels),
            proxies=feature_names(proxies, labels),
        )
    if own:
        return feature_names(own, labels)
    return say("fairness.turned.inputs_proxies", proxies=feature_names(proxies, labels))


def _head(counts: TurnedCounts) -> Message:
    if counts.sampled:
        return say("fairness.turned.of_sample", n=counts.explained, total=counts.audited)
    return say("fairness.turned.of_all", n=counts.explained)


def _by_ground(counts: TurnedCounts) -> Message | None:
    """Each ground's inputs alone, when more than one ground has inputs."""
    if len(counts.by_ground) < 2:
        return None
    parts = [
        say("fairness.turned.ground_count", ground=ground_label(g), k=int(k))
        for g, k in counts.by_ground.items()
    ]
    return say("fairness.turned.by_ground", parts=listing(parts))


def turned_finding(counts: TurnedCounts, policy: Policy, labels: Labels = None) -> Finding:
    """The finding of :data:`~szai_audit.fairness.checks.TURNED` from ``counts``: WARN when
    at least one decision turns, else PASS (the rule in this module's documentation); the
    share with its exact interval at ``policy.confidence_level``; inputs by their ``labels``
    names.

    Examples
    --------
    >>> from szai_audit.core.policy import Policy
    >>> counts = TurnedCounts(300, 300, 26, 0, 120, inputs={"sex": ["gender"]}, own=["sex"])
    >>> f = turned_finding(counts, Policy())
    >>> f.status.value, round(f.value, 4), [round(x, 4) for x in f.ci]
    ('WARN', 0.0867, [0.0574, 0.1244])
    >>> f.message.en.split(",")[0]
    'Of the 300 decisions audited'
    """
    level = policy.confidence_level
    k, n = counts.turned, counts.explained
    low, high = clopper_pearson(k, n, level)
    args: dict[str, Any] = {
        "head": _head(counts),
        "grounds": _grounds_words(counts.grounds),
        "inputs": _inputs_words(counts, labels),
        "level": fmt_level(level),
        "high": fmt_pct(high),
    }
    if k:
        status = Status.WARN
        message = say(
            "fairness.turned.warn", k=k, share=fmt_pct(k / n), low=fmt_pct(low),
            up=counts.to_favourable, down=counts.to_unfavourable, **args,
        )  # fmt: skip
    elif counts.used:
        status = Status.PASS
        message = say("fairness.turned.pass_used", used=counts.used, **args)
    else:
        status = Status.PASS
        message = say("fairness.turned.pass_unused", **args)
    parts = [message, _by_ground(counts) if k else None]
    if counts.sampled:
        parts.append(say("fairness.turned.sampled", total=counts.audited))
    parts.append(say("fairness.turned.beyond") if k else OUTCOME_PASS)
    for part in parts[1:]:
        if part is not None:
            message = message.join(part)
    return Finding(
        check=TURNED.id,
        article=ARTICLE,
        status=status,
        message=message,
        value=k / n,
        threshold=0.0,
        ci=(low, high),
        details=_details(counts, level),
    )


def _details(counts: TurnedCounts, level: float) -> dict[str, Any]:
    """Counts only: the report and the JSON never list a decision."""
    return {
        "explained": counts.explained,
        "audited": counts.audited,
        "sampled": counts.sampled,
        "turned": counts.turned,
        "to_favourable": counts.to_favourable,
        "to_unfavourable": counts.to_unfavourable,
        "used": counts.used,
        "by_ground": {g: int(k) for g, k in counts.by_ground.items()},
        "inputs": {c: list(gs) for c, gs in counts.inputs.items()},
        "own": [c for c in counts.inputs if c in set(counts.own)],
        "unused": [c for c in counts.inputs if c in set(counts.unused)],
        "ci_level": level,
        "interval": "clopper_pearson",
    }


def _not_assessed_message(reason: str, grounds: Sequence[str], why: Message | None) -> Message:
    """The sentence of a reason the check did not run."""
    seen = why if why is not None else Message("", "")
    if reason == "no_inputs":
        return say("fairness.turned_not_assessed.no_inputs", grounds=_grounds_words(grounds))
    if reason == "unrepeatable":
        return say("fairness.turned_not_assessed.unrepeatable", why=seen)
    if reason == "explanation_failed":
        return say("fairness.turned_not_assessed.explanation_failed", why=seen)
    fixed = {
        "no_model": say("fairness.turned_not_assessed.no_model"),
        "not_explained": say("fairness.turned_not_assessed.not_explained"),
        "no_cutoff": say("fairness.turned_not_assessed.no_cutoff"),
        "scale": say("fairness.turned_not_assessed.scale"),
    }
    return fixed[reason]


def turned_not_assessed(
    reason: str,
    grounds: Sequence[str] = (),
    why: Message | None = None,
    details: Mapping[str, Any] | None = None,
) -> Finding:
    """The check cannot run: ``reason`` is one of :data:`NOT_ASSESSED_REASONS` (``grounds``:
    the audit's, named when no input is tied to them; ``why``: what was seen, for an
    unrepeatable model or a failed explanation; ``details``: recorded beside the reason).

    >>> turned_not_assessed("no_cutoff").status.value
    'NOT_ASSESSED'
    """
    if reason not in NOT_ASSESSED_REASONS:
        raise InputError(f"reason must be one of {NOT_ASSESSED_REASONS}, got {reason!r}.")
    return Finding(
        check=TURNED.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=_not_assessed_message(reason, grounds, why),
        details={"reason": reason, **(details or {})},
    )
