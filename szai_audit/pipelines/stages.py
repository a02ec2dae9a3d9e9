"""The stages every task shares: the checks that read rows (proxies and the flip test of each
ground), the explanation (Article 71) with the findings that follow from it, and the grounds
Article 72(4) names that were not provided."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.data import GroupEncoding
from ..core.errors import SzaiAuditError
from ..core.findings import Finding
from ..core.judging import Judgeable
from ..core.messages import Message
from ..core.models import ModelAdapter
from ..explain import findings as explain_findings
from ..explain.engine import Explanation
from ..explain.summary import ExplanationSummary, summarize
from ..fairness.counterfactual import FlipResult, flip_test, flip_values
from ..fairness.findings import inputs as input_findings
from ..fairness.findings.grounds import ARTICLE_72_4_GROUNDS, ground_not_provided
from ..fairness.proxies import ProxyReport
from ..inputs.attributes import Attribute
from ..inputs.rows import RowAccess
from ..inputs.settings import Settings

__all__ = ["Explained", "InputChecks", "explanation", "grounds_not_provided", "input_checks"]

#: ``(proxy reports, flip tests, findings)`` of the checks that read rows, per ground.
InputChecks = tuple[dict[str, ProxyReport], dict[str, FlipResult], list[Finding | Judgeable]]
#: ``(explanation, its summary, findings)`` of the explanation stage.
Explained = tuple[Explanation | None, ExplanationSummary | None, list[Finding]]


def input_checks(
    settings: Settings,
    attrs: Sequence[Attribute],
    encodings: Mapping[str, GroupEncoding],
    adapter: ModelAdapter | None,
    rows: RowAccess,
    random_state: int | None,
    *,
    pos: Any,
    favorable_is_positive: bool,
    numeric: bool = False,
    change_rtol: float = 0.0,
    outputs: Message | None = None,
) -> InputChecks:
    """Proxy ranking and counterfactual flip test of every ground (``change_rtol``: the
    relative change of a numeric output that counts; ``outputs``: what the outputs are
    called in the messages)."""
    policy = settings.policy
    proxies: dict[str, ProxyReport] = {}
    flips: dict[str, FlipResult] = {}
    findings: list[Finding | Judgeable] = []
    for a in attrs:
        ground, info = a.info.ground, a.info
        report = None
        if rows.has_data:
            exclude = (info.column,) if info.source == "data" and info.column else ()
            report = rows.proxies(ground, exclude, policy, random_state)
            proxies[ground] = report
        findings.append(input_findings.proxy_finding(report, ground, policy))
        if adapter is None:
            findings.append(input_findings.flip_not_assessed(ground, "no_model"))
            continue
        if info.source != "data" or not info.column or not rows.has_data:
            findings.append(input_findings.flip_not_assessed(ground, "not_input"))
            continue
        frame, labels = rows.flip_rows(ground, policy, random_state)
        flip = flip_test(
            adapter,
            frame,
            info.column,
            labels,
            flip_values(info, encodings[ground], rows.column_counts),
            pos_label=pos,
            favorable_is_positive=favorable_is_positive,
            max_rows=policy.flip_max_rows,
            random_state=random_state,
            numeric=numeric,
            change_rtol=change_rtol,
        )
        flips[ground] = flip
        findings.append(
            input_findings.flip_finding(
                flip, ground, policy, numeric=numeric, change_rtol=change_rtol, outputs=outputs
            )
        )
    return proxies, flips, findings


def _why_not_explained(settings: Settings, adapter: ModelAdapter | None) -> Message | None:
    if not settings.explain:
        return Message(
            "审计时关闭了算法说明（explain=False）。",
            "The explanation was switched off for this audit (explain=False).",
        )
    if adapter is None or settings.data is None:
        return Message(
            "仅有决定记录、没有模型或输入数据，无法解释模型如何作出决定。",
            "Only decisions were given, not the model and its inputs, so how the model "
            "decides cannot be explained.",
        )
    return None


def explanation(
    settings: Settings,
    attrs: Sequence[Attribute],
    adapter: ModelAdapter | None,
    rows: RowAccess,
    proxies: Mapping[str, ProxyReport],
    random_state: int | None,
    *,
    pos: Any,
    favorable_is_positive: bool,
    numeric: bool = False,
) -> Explained:
    """Article 71: the explanation, its summary, and the findings that follow from it (the
    explanation itself, the public notice's facts, and each ground's share of the model's
    influence)."""
    policy = settings.policy
    findings = [explain_findings.notice_complete(settings.metadata)]
    reason = _why_not_explained(settings, adapter)
    explained = summary = None
    if reason is None:
        assert adapter is not None
        model = adapter.model if adapter.kind == "callable" else settings.model
        try:
            explained = rows.explain(model, None if numeric else pos, policy, random_state)
        except SzaiAuditError as exc:
            reason = Message(f"未能生成算法说明：{exc}", f"No explanation could be produced: {exc}")
    if explained is not None:
        summary = summarize(
            explained,
            labels=settings.feature_labels,
            favorable_is_positive=favorable_is_positive,
            favourable=rows.favourable_at(explained.positions),
            positive_label=pos if pos is not None else settings.direction,
            stratified=True,
            level=policy.confidence_level,
            k=policy.k_anonymity,
            random_state=random_state,
            numeric_output=numeric,
        )
    findings.insert(0, explain_findings.explained(summary, reason))
    findings += _shares(summary, attrs, proxies, settings)
    return explained, summary, findings


def _shares(
    summary: ExplanationSummary | None,
    attrs: Sequence[Attribute],
    proxies: Mapping[str, ProxyReport],
    settings: Settings,
) -> list[Finding]:
    """Each ground's (and its possible proxies') share of the model's influence: the inputs
    whose AUC interval reaches the proxy limit (not shown below it)."""
    limit = settings.policy.proxy_auc_threshold
    flagged = {
        ground: [str(f) for f in r.features.index[r.features["auc_high"] >= limit]]
        for ground, r in proxies.items()
        if not r.features.empty
    }
    out = []
    for a in attrs:
        ground = a.info.ground
        if summary is None:
            out.append(
                explain_findings.share_not_assessed(
                    ground,
                    Message(
                        "没有算法说明，无法衡量该属性对决定的影响占比。",
                        "Without an explanation, the attribute's share of the model's "
                        "influence cannot be measured.",
                    ),
                )
            )
            continue
        column = a.info.column if a.info.source == "data" else None
        out.append(
            explain_findings.attribution_share(
                summary, ground, column, flagged.get(ground, []), settings.policy
            )
        )
    return out


def grounds_not_provided(attrs: Sequence[Attribute]) -> list[Finding]:
    """NOT_ASSESSED for each ground Article 72(4) names that the audit was not given."""
    provided = {a.info.ground for a in attrs}
    return [ground_not_provided(g) for g in ARTICLE_72_4_GROUNDS if g not in provided]
