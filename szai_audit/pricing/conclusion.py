"""Page 1 of the report for Art. 72(2)(v): the price findings in a few sentences, each tied to
what the organisation must do.

One statement per profile column whose price is beyond (or may be beyond) the tolerance: what
the model *uses* (the share of its influence on the price, the same order re-priced with
another customer's profile or tenure) is said apart from what only *goes with* the price (a
gap given the legitimate factors that the model does not make itself). Kinds of profile the
counterfactual test flags and no column statement covers, the profile's share of the model's
influence, the checks that could not run, and one sentence for everything within the
tolerance follow. The sentences are in :mod:`.words`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.conclusion import Statement
from ..core.findings import Finding, Status
from ..core.labels import ValueLabels
from ..core.messages import Message, listing
from . import words as pw
from .analysis import PricingAnalysis
from .checks import ARTICLE, ATTRIBUTION, CONDITIONAL, COUNTERFACTUAL, LOYALTY, TREND

__all__ = ["ANCHOR", "USE_SHARE", "statements"]

#: The id of the report's Art. 72(2)(v) section.
ANCHOR = "art-72-5"

#: A column carrying at least this share of the model's influence on the price is one the
#: model uses.
USE_SHARE = 0.005

_FLAGGED = (Status.FAIL, Status.WARN)


def _key(f: Finding) -> str:
    return f"{f.check}@{f.ground or ''}"


@dataclass
class _Column:
    """What page 1 says of one profile column."""

    column: str
    uses: bool = False
    findings: list[Finding] = field(default_factory=list)
    facts: list[Message] = field(default_factory=list)
    size: float = 0.0

    @property
    def status(self) -> Status:
        return min((f.status for f in self.findings), key=lambda s: s.severity)


@dataclass(frozen=True)
class _Reading:
    """The result's parts the statements read."""

    p: PricingAnalysis
    findings: Sequence[Finding]
    values: ValueLabels
    threshold: float

    @property
    def labels(self) -> Mapping[str, Sequence[str]]:
        return self.p.labels

    def name(self, column: str) -> Message:
        return pw.feature_name(column, self.labels)

    def factors(self) -> Message:
        return pw.plain_names(self.p.legitimate_factors, self.labels)

    def value(self, column: str, raw: object) -> Message:
        """A group of a column by its label; a binned number's group with its unit."""
        if column in self.p.binning:
            return pw.with_unit(str(raw), pw.unit_of(column, self.labels))
        return self.values.value(column, raw)

    def one(self, check: str, ground: str | None) -> Finding | None:
        return next((f for f in self.findings if f.check == check and f.ground == ground), None)

    def share(self, column: str) -> float | None:
        """The column's share of the model's influence (None without the explanation)."""
        f = self.one(ATTRIBUTION.id, None)
        if f is None or f.status not in (Status.PASS, Status.WARN):
            return None
        by_column = f.details.get("by_column") or {}
        return float(by_column[column]) if column in by_column else None

    def per_order(self, column: str, group: str | None, gap: float) -> Message | None:
        """The gap in money per order, from the group's mean price."""
        g = self.p.gaps.get(column)
        if g is None or group is None or group not in g.table.index or gap <= -1:
            return None
        mean = float(g.table.loc[group, "mean"])
        return (
            pw.per_order(mean * gap / (1 + gap), self.p.currency) if math.isfinite(mean) else None
        )


def _gap_fact(r: _Reading, f: Finding) -> Message:
    """The conditional gap of a column in a sentence."""
    column, gap = str(f.ground), float(f.value or 0.0)
    worst = f.worst_group or ""
    return pw.stmt_gap(
        r.name(column),
        r.value(column, worst),
        r.value(column, f.best_group or ""),
        gap,
        r.per_order(column, worst, gap),
        r.factors(),
    )


def _loyalty_facts(r: _Reading, f: Finding, column: str) -> tuple[list[Message], bool]:
    """The loyalty finding in sentences, and whether the model's own re-pricing shows it."""
    d = f.details
    cf = d.get("counterfactual")
    facts, uses = [], False
    loyal = pw.tenure_rule(str(d.get("loyal_rule", "")), r.labels)
    new = pw.tenure_rule(str(d.get("new_rule", "")), r.labels, named=False)
    if isinstance(cf, (int, float)) and math.isfinite(cf) and abs(cf) >= USE_SHARE:
        facts.append(pw.stmt_loyalty_model(loyal, float(cf)))
        uses = True
    gap = float(f.value or 0.0)
    mean = d.get("mean_loyal")
    amount = (
        pw.per_order(float(mean) * gap / (1 + gap), r.p.currency)
        if isinstance(mean, (int, float)) and math.isfinite(mean) and gap > -1
        else None
    )
    facts.append(pw.stmt_loyalty(None if uses else loyal, new, gap, amount, r.factors()))
    return facts, uses


def _column(r: _Reading, column: str) -> _Column | None:
    """What page 1 says of one profile column, or None when nothing of it is flagged."""
    out = _Column(column)
    share = r.share(column)
    loyalty = r.one(LOYALTY.id, column)
    if loyalty is not None and loyalty.status in _FLAGGED:
        facts, uses = _loyalty_facts(r, loyalty, column)
        out.facts += facts
        out.uses |= uses
        out.findings.append(loyalty)
        out.size = max(out.size, abs(float(loyalty.value or 0.0)))
    gap = r.one(CONDITIONAL.id, column)
    if gap is not None and gap.status in _FLAGGED:
        if loyalty is None or loyalty.status not in _FLAGGED:
            out.facts.append(_gap_fact(r, gap))
        out.findings.append(gap)
        out.size = max(out.size, abs(float(gap.value or 0.0)))
    trend = r.one(TREND.id, column)
    if trend is not None and trend.status in _FLAGGED:
        if not out.facts:
            out.facts.append(pw.stmt_trend(r.name(column), float(trend.value or 0.0), r.factors()))
        out.findings.append(trend)
        out.size = max(out.size, abs(float(trend.value or 0.0)))
    out.uses |= share is not None and share >= USE_SHARE
    return out if out.findings else None


def _swap_fact(r: _Reading, f: Finding) -> tuple[str, Message] | None:
    """The donor group that moves a counterfactual kind's prices most, in a sentence."""
    top = f.details.get("strongest")
    if not isinstance(top, Mapping) or abs(float(top.get("effect", 0.0))) < USE_SHARE:
        return None
    column = str(top["column"])
    return column, pw.stmt_swap(r.name(column), r.value(column, top["group"]), float(top["effect"]))


def _text(r: _Reading, c: _Column) -> Message:
    """The statement of one column."""
    facts = list(c.facts)
    share = r.share(c.column)
    if not c.uses and share is not None:
        facts.append(pw.stmt_not_used(r.name(c.column), share))
    if c.status is Status.WARN:
        disagree = any(f.details.get("estimates_disagree") for f in c.findings)
        facts.append(pw.stmt_unsure(disagree, r.threshold))
    lead = pw.stmt_uses(r.name(c.column), share) if c.uses else None
    return pw.stmt_join(lead, facts)


def _action(r: _Reading, c: _Column) -> Message:
    name = r.name(c.column)
    if any(f.check == LOYALTY.id for f in c.findings) and c.status is Status.FAIL:
        return pw.action_loyalty(name)
    if c.uses:
        return pw.action_stop_using(name) if c.status is Status.FAIL else pw.action_review_use(name)
    return pw.action_explain_gap(name) if c.status is Status.FAIL else pw.action_recheck_gap(name)


def _statement(
    status: Status, text: Message, action: Message | None, keys: Sequence[str]
) -> Statement:
    return Statement(ARTICLE, status, text, action, tuple(dict.fromkeys(keys)), ANCHOR)


def _columns(r: _Reading) -> tuple[list[tuple[_Column, Statement]], set[str]]:
    """The column statements (uses first within a status, larger gaps first), and the keys
    of the counterfactual and attribution findings they stand for."""
    columns = [c for cols in r.p.profile.values() for c in cols]
    found = [c for c in (_column(r, col) for col in columns) if c is not None]
    covered: set[str] = set()
    for f in r.findings:
        if f.check != COUNTERFACTUAL.id or f.status not in _FLAGGED:
            continue
        swap = _swap_fact(r, f)
        target = next((c for c in found if swap and c.column == swap[0] and c.uses), None)
        if swap is not None and target is not None:
            if not any(g.check == LOYALTY.id for g in target.findings):
                target.facts.append(swap[1])
            target.findings.append(f)
            covered.add(_key(f))
    attribution = r.one(ATTRIBUTION.id, None)
    out = []
    for c in sorted(found, key=lambda c: (c.status.severity, not c.uses, -c.size)):
        keys = [_key(f) for f in c.findings]
        if c.uses and attribution is not None and attribution.status in _FLAGGED:
            keys.append(_key(attribution))
            covered.add(_key(attribution))
        out.append((c, _statement(c.status, _text(r, c), _action(r, c), keys)))
    return out, covered


def _kinds(r: _Reading, covered: set[str]) -> list[Statement]:
    """Counterfactual kinds flagged that no column statement stands for."""
    out = []
    for f in r.findings:
        if f.check != COUNTERFACTUAL.id or f.status not in _FLAGGED or _key(f) in covered:
            continue
        kind = str(f.ground)
        cols = pw.plain_names(list(f.details.get("columns", [])), r.labels)
        swap = _swap_fact(r, f)
        text = pw.stmt_kind(
            kind,
            cols,
            float(f.value or 0.0),
            float(f.details.get("tolerance", 0.0)),
            None if swap is None else swap[1],
        )
        out.append(_statement(f.status, text, pw.action_kind(kind, cols), [_key(f)]))
    attribution = r.one(ATTRIBUTION.id, None)
    if (
        attribution is not None
        and attribution.status in _FLAGGED
        and _key(attribution) not in covered
    ):
        by_column: Mapping[str, float] = attribution.details.get("by_column") or {}
        top = max(by_column, key=lambda c: by_column[c]) if by_column else None
        text = pw.stmt_attribution(
            float(attribution.value or 0.0), None if top is None else r.name(top)
        )
        out.append(
            _statement(attribution.status, text, pw.action_attribution(), [_key(attribution)])
        )
    return out


def _rest(r: _Reading, flagged: set[str]) -> list[Statement]:
    """One sentence for what passes; one for what could not run or lacked data."""
    out = []
    passed = [
        f
        for f in r.findings
        if f.status is Status.PASS
        and f.check in (CONDITIONAL.id, COUNTERFACTUAL.id)
        and str(f.ground) not in flagged
    ]
    cols = [str(f.ground) for f in passed if f.check == CONDITIONAL.id]
    kinds = [pw.KIND_LABELS[str(f.ground)] for f in passed if f.check == COUNTERFACTUAL.id]
    if passed:
        text = pw.stmt_pass(
            pw.plain_names(cols, r.labels) if cols else None,
            listing(list(kinds)) if kinds else None,
            r.threshold,
            r.factors(),
        )
        out.append(_statement(Status.PASS, text, None, [_key(f) for f in passed]))
    for status in (Status.INSUFFICIENT_DATA, Status.NOT_ASSESSED):
        missing = [f for f in r.findings if f.status is status]
        if missing:
            titles = list(dict.fromkeys(f.title for f in missing))
            text = pw.stmt_missing(titles, status)
            out.append(_statement(status, text, pw.action_missing(), [_key(f) for f in missing]))
    return out


def statements(result: Any) -> list[Statement]:
    """The Art. 72(2)(v) statements of page 1, most serious first (see the module's note);
    none when the result holds no pricing audit."""
    p = getattr(result, "pricing", None)
    if p is None:
        return []
    r = _Reading(
        p,
        [f for f in result.findings if f.article == ARTICLE],
        result.value_labels,
        float(result.policy.price_gap_max),
    )
    columns, covered = _columns(r)
    said = [s for _, s in columns] + _kinds(r, covered)
    flagged = {c.column for c, _ in columns}
    flagged |= {k.split("@", 1)[1] for s in said for k in s.checks}
    out = said + _rest(r, flagged)
    return sorted(out, key=lambda s: s.status.severity)
