"""Impact-ratio tables in the format of NYC Local Law 144 bias audits, and the EU AI Act section.

**Local Law 144** (6 RCNY §5-301): for a tool that selects people, the selection rate of each
category (the share of the category given the favourable decision) and its impact ratio (that
rate over the rate of the most selected category), separately by sex, by race/ethnicity and by
their intersection; the number of people left out because their category is unknown; and a
category under 2% of the data may be left out of the impact-ratio calculation, which is shown
here as a mark: such a category is never the reference, its ratio is still shown. The rates come
from the audit's group tables, so a group of fewer than ``policy.min_group_size`` people is
withheld as everywhere else. A scoring tool's "scoring rate" (the share scoring above the
sample's median) is not computed: the audit keeps no per-person scores.

**EU AI Act**: Annex IV(2)(g) asks the technical documentation for the metrics used, including
for potentially discriminatory impacts, and dated and signed test logs; Art. 10(2)(f) and (g)
for the examination of the data for possible biases and the measures to detect, prevent and
mitigate them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core import checks as registry
from ..core.articles import DISCRIMINATION
from ..core.data import MISSING_LABEL
from ..core.errors import InputError
from ..core.grounds import INTERSECTION_SEP
from ..core.messages import Message, fmt_pct, fmt_ratio
from .base import MEASURED, Field, Filing, Part, Table, needs
from .citations import cite, shenzhen
from .facts import AuditFacts

__all__ = ["MIN_SHARE", "RACE_NAMES", "SEX_NAMES", "bias_audit_filing", "impact_rows"]

#: A category under this share of the data is marked (6 RCNY §5-301: it may be excluded).
MIN_SHARE = 0.02

#: Ground names taken for sex, and for race/ethnicity, when not named.
SEX_NAMES = ("sex", "gender")
RACE_NAMES = ("race_ethnicity", "race", "ethnicity")

_LL144 = "nyc_ll144"
#: Checks of Art. 72(2)(iv) that are not metrics (they say a ground is missing).
_NOT_METRICS = ("fairness.ground_not_provided",)


def pick_ground(
    facts: AuditFacts, given: str | None, names: Sequence[str], what: str
) -> str | None:
    """The ground standing for sex or race/ethnicity: the one named, or the first of ``names``."""
    grounds = [g["ground"] for g in facts.grounds()]
    if given is not None:
        if given not in grounds:
            raise InputError(
                f"{what} must name one of the audit's grounds {grounds}, got {given!r}."
            )
        return given
    return next((n for n in names if n in grounds), None)


def _favourable(rate: float | None, positive: bool) -> float | None:
    if rate is None:
        return None
    return rate if positive else 1.0 - rate


def impact_rows(
    table: Mapping[str, Any],
    n_rows: int,
    favourable_is_positive: bool,
    rate_key: str = "selection_rate",
) -> tuple[list[dict[str, Any]], int]:
    """The LL144 rows of one group table, and the count of people of an unknown category.

    ``rate_key`` is ``"selection_rate"`` (a decision table: the favourable decision's rate,
    whichever label it is) or ``"scoring_rate"`` (a regression table: already on the
    favourable side). Each row: ``category`` (tuple of values), ``count``, ``share`` (of all
    rows audited), ``rate`` (None when withheld), ``impact_ratio`` (None when the rate is
    withheld or no reference), ``small`` (share under :data:`MIN_SHARE`), ``reference`` (the
    category of 2% or more with the highest rate).
    """
    rows: list[dict[str, Any]] = []
    unknown = 0
    for g in table["groups"]:
        category = tuple(str(v) for v in g["group"])
        if MISSING_LABEL in category:
            unknown += int(g["count"])
            continue
        rate = None if g.get("suppressed") else _favourable(g.get(rate_key), favourable_is_positive)
        share = g["count"] / n_rows if n_rows else 0.0
        rows.append(
            {
                "category": category,
                "count": int(g["count"]),
                "share": share,
                "rate": rate,
                "small": share < MIN_SHARE,
            }
        )
    eligible = [r["rate"] for r in rows if r["rate"] is not None and not r["small"]]
    top = max(eligible) if eligible else None
    for r in rows:
        r["reference"] = top is not None and r["rate"] == top and not r["small"]
        r["impact_ratio"] = None if r["rate"] is None or not top else r["rate"] / top
    return rows, unknown


def _label(facts: AuditFacts, grounds: Sequence[str], category: tuple[str, ...]) -> Message:
    labels = [facts.value_label(g, v) for g, v in zip(grounds, category, strict=True)]
    return Message(
        INTERSECTION_SEP.join(m.zh for m in labels), INTERSECTION_SEP.join(m.en for m in labels)
    )


def _group_table(facts: AuditFacts, key: str) -> tuple[Mapping[str, Any], str, bool]:
    """The group table of a ground or intersection, the rate it gives, and whether that rate is
    of the favourable outcome as it stands."""
    doc = facts.doc
    if (doc.get("scope") or {}).get("task") == "regression":
        table = (doc.get("regression_metrics") or {}).get(key)
        rate, positive = "scoring_rate", True
    else:
        table = (doc.get("group_metrics") or {}).get(key) or (doc.get("intersections") or {}).get(
            key
        )
        rate = "selection_rate"
        positive = bool((doc.get("scope") or {}).get("favorable_is_positive", True))
    if table is None:
        raise InputError(f"the audit has no group table for {key!r}.")
    return table, rate, positive


_RATE_HEADINGS = {
    "selection_rate": Message("选中率", "Selection rate"),
    "scoring_rate": Message("得分率", "Scoring rate"),
}


def _impact_table(
    facts: AuditFacts, key: str, grounds: Sequence[str], caption: Message
) -> tuple[Table, list[dict[str, Any]], int]:
    doc = facts.doc
    table, rate_key, positive = _group_table(facts, key)
    n_rows = int((doc.get("scope") or {}).get("n_rows") or 0)
    rows, unknown = impact_rows(table, n_rows, positive, rate_key)
    withheld = Message("不予显示", "withheld")
    cells = tuple(
        (
            _label(facts, grounds, r["category"]),
            Message(f"{r['count']:,}", f"{r['count']:,}"),
            Message(fmt_pct(r["share"]), fmt_pct(r["share"])),
            withheld if r["rate"] is None else Message(fmt_pct(r["rate"]), fmt_pct(r["rate"])),
            withheld
            if r["impact_ratio"] is None
            else Message(
                fmt_ratio(r["impact_ratio"], 3) + ("（参照）" if r["reference"] else ""),
                fmt_ratio(r["impact_ratio"], 3) + (" (reference)" if r["reference"] else ""),
            ),
        )
        for r in rows
    )
    min_size = (doc.get("policy") or {}).get("min_group_size")
    out = Table(
        caption,
        (
            Message("类别", "Category"),
            Message("人数", "Applicants"),
            Message("占比", "Share"),
            _RATE_HEADINGS[rate_key],
            Message("影响比", "Impact ratio"),
        ),
        cells,
        note=Message(
            f"标记的类别占数据不足 2%，不作为参照；未知类别 {unknown} 人，未计入。少于 {min_size} "
            f"人的类别不显示比率（最小组人数可在审计策略中调整）。",
            f"Marked categories are under 2% of the data and are never the reference; "
            f"{unknown} people of an unknown category are not included. Rates of categories "
            f"of fewer than {min_size} people are withheld (Policy(min_group_size=...)).",
        ),
        marked=tuple(i for i, r in enumerate(rows) if r["small"]),
    )
    return out, rows, unknown


def _intersection(facts: AuditFacts, sex: str, race: str) -> tuple[Table | None, Message | None]:
    """The sex × race/ethnicity table, or why it is missing."""
    regression = (facts.doc.get("scope") or {}).get("task") == "regression"
    crossed = facts.doc.get("regression_metrics" if regression else "intersections") or {}
    pairs = (f"{sex}{INTERSECTION_SEP}{race}", f"{race}{INTERSECTION_SEP}{sex}")
    key = next((k for k in pairs if k in crossed), None)
    if key is None:
        return None, Message(
            "交叉表不在审计结果中（交叉组过多）。",
            "The intersectional table is not in the audit (too many groups).",
        )
    caption = Message("交叉：性别 × 种族/族裔", "Intersectional: sex × race/ethnicity")
    table, _, _ = _impact_table(facts, key, key.split(INTERSECTION_SEP), caption)
    return table, None


def _ll144_tables(
    facts: AuditFacts, sex: str | None, race: str | None
) -> tuple[list[Table], list[Message], list[Field]]:
    """The tables by sex, by race/ethnicity and crossed; what is missing; the unknowns."""
    tables, paras, fields = [], [], []
    named = [
        (sex, Message("按性别", "By sex")),
        (race, Message("按种族/族裔", "By race/ethnicity")),
    ]
    for ground, caption in named:
        if ground is None:
            paras.append(
                Message(
                    f"审计未提供{caption.zh[1:]}的属性，该表无法计算。",
                    f"The audit has no attribute for {caption.en[3:]}; that table cannot be made.",
                )
            )
            continue
        table, _, unknown = _impact_table(facts, ground, (ground,), caption)
        tables.append(table)
        label = Message(f"未知类别人数（{caption.zh}）", f"Unknown category ({caption.en.lower()})")
        fields.append(Field(label, Message(f"{unknown:,}", f"{unknown:,}"), MEASURED))
    if sex and race:
        crossed, why = _intersection(facts, sex, race)
        if crossed is not None:
            tables.append(crossed)
        if why is not None:
            paras.append(why)
    return tables, paras, fields


def _scoring_note(facts: AuditFacts) -> Message:
    """What the scoring rate is here: the side of which median."""
    tables = (facts.doc.get("regression_metrics") or {}).values()
    scoring = next(t["scoring"] for t in tables if t.get("scoring"))
    median = f"{scoring['median']:.4g}"
    above = scoring["side"] == "above"
    return Message(
        f"得分率：各类别中{'高于' if above else '低于'}全部样本中位数 {median} 的比例"
        f"（{'分数越高越有利' if above else '分数越低越有利'}；等于中位数的不计）。",
        f"Scoring rate: the share of each category scoring {'above' if above else 'below'} "
        f"the median of the whole sample, {median} ({'higher' if above else 'lower'} is "
        f"favourable; a score equal to the median counts on neither side).",
    )


def _no_tables(facts: AuditFacts, task: Any) -> Message | None:
    """Why the audit has no table of selection or scoring rates; None when it has."""
    if task == "pricing":
        return Message(
            "本审计为定价审计：影响比表须有选中与否的决定或分数，价格两者都不是。",
            "This is a pricing audit: the tables need a decision to select or a score, and a "
            "price is neither.",
        )
    tables = (facts.doc.get("regression_metrics") or {}).values()
    if task == "regression" and not any(t.get("scoring") for t in tables):
        return Message(
            "该审计结果没有“得分率”（高于样本中位数的比例），它早于结果格式 1.9；请用本版本重新审"
            "计。",
            "This audit result has no scoring rates (the share above the sample's median): it "
            "predates result schema 1.9; audit again with this version.",
        )
    return None


def _ll144_part(facts: AuditFacts, sex: str | None, race: str | None) -> Part:
    task = (facts.doc.get("scope") or {}).get("task")
    answers = (
        cite(_LL144, zh="第 5-301 节", en="§5-301"),
        cite(_LL144, zh="第 5-303 节", en="§5-303"),
    )
    heading = Message(
        "影响比表（纽约市第 144 号地方法格式）", "Impact-ratio tables (NYC Local Law 144 format)"
    )
    why = _no_tables(facts, task)
    if why is not None:
        return Part("ll144", heading, answers, (why,))
    tables, paras, fields = _ll144_tables(facts, sex, race)
    if task == "regression":
        paras.insert(0, _scoring_note(facts))
    fields += [
        facts.card_field(
            "data_source",
            Message("数据来源与说明", "Source and explanation of the data"),
            Message(
                "写明数据来源（历史数据或测试数据）", "state the source (historical or test data)"
            ),
        ),
        needs(
            Message("独立审计师", "Independent auditor"),
            Message(
                "写明独立审计师；本表本身不是独立审计",
                "name the independent auditor; this table is not itself an independent audit",
            ),
        ),
        needs(
            Message("工具开始使用日期", "Distribution date of the tool"),
            Message("写明开始使用该工具的日期", "state when the tool was first used"),
        ),
    ]
    return Part("ll144", heading, answers, tuple(paras), tuple(fields), tuple(tables))


def _metrics_table(facts: AuditFacts) -> Table:
    seen: dict[str, tuple[Mapping[str, Any], int]] = {}
    for f in facts.findings(DISCRIMINATION):
        if f["check"] in _NOT_METRICS:
            continue
        first, n = seen.get(f["check"], (f, 0))
        if first.get("threshold") is None:  # a finding that did not run has none
            first = f
        seen[f["check"]] = (first, n + 1)
    rows = tuple(
        (
            Message(f["title"]["zh"], f["title"]["en"]),
            registry.format_threshold(check, f.get("threshold")),
            Message(str(n), str(n)),
        )
        for check, (f, n) in seen.items()
    )
    return Table(
        Message("所用指标", "Metrics used"),
        (Message("指标", "Metric"), Message("容许范围", "Tolerance"), Message("结果数", "Results")),
        rows,
    )


def _data_bias(facts: AuditFacts) -> tuple[tuple[Message, ...], tuple[Table, ...]]:
    """Per ground: the size and share of each group, and the inputs that predict it."""
    policy = facts.doc.get("policy") or {}
    threshold = policy.get("proxy_auc_threshold", 0.7)
    n_rows = int((facts.doc.get("scope") or {}).get("n_rows") or 0)
    paras, tables = [], []
    for g in facts.grounds():
        ground, name = g["ground"], Message(g["label"]["zh"], g["label"]["en"])
        proxies = (facts.doc.get("proxies") or {}).get(ground) or {}
        strong = [p["feature"] for p in proxies.get("features") or [] if p["auc"] >= threshold]
        found = facts.columns_text(strong, Message("无", "none"))
        paras.append(
            Message(
                f"{name.zh}：可预测该属性的输入（AUC 至少 {threshold}）：{found.zh}。",
                f"{name.en}: inputs that predict it (AUC at least {threshold}): {found.en}.",
            )
        )
        groups = (facts.doc.get("group_metrics") or {}).get(ground, {}).get("groups", [])
        shares = [c["count"] / n_rows if n_rows else 0.0 for c in groups]
        tables.append(
            Table(
                Message(f"{name.zh}：各组人数", f"{name.en}: size of each group"),
                (Message("组", "Group"), Message("人数", "Count"), Message("占比", "Share")),
                tuple(
                    (
                        _label(facts, (ground,), tuple(str(v) for v in c["group"])),
                        Message(f"{c['count']:,}", f"{c['count']:,}"),
                        Message(fmt_pct(share), fmt_pct(share)),
                    )
                    for c, share in zip(groups, shares, strict=True)
                ),
                marked=tuple(i for i, share in enumerate(shares) if share < MIN_SHARE),
            )
        )
    for f in facts.findings(DISCRIMINATION, checks=("fairness.ground_not_provided",)):
        paras.append(Message(f["message"]["zh"], f["message"]["en"]))
    return tuple(paras), tuple(tables)


def _eu_parts(facts: AuditFacts) -> tuple[Part, ...]:
    src = facts.source()
    annex = cite("eu_ai_act", zh="附件四第 2 点 (g)", en="Annex IV(2)(g)")
    when, digest = str(src.get("audit_generated_at")), str(src.get("audit_content_sha256"))
    metrics = Part(
        "eu_metrics",
        Message("欧盟《人工智能法》：所用指标与测试记录", "EU AI Act: metrics used and test logs"),
        (annex,),
        (),
        (
            Field(Message("测试记录：日期", "Test log: date"), Message(when, when), MEASURED),
            Field(
                Message("测试记录：内容哈希", "Test log: content hash"),
                Message(digest, digest),
                MEASURED,
            ),
            needs(
                Message("测试记录：签署人", "Test log: signed by"),
                Message("由负责人签署", "signed by the person responsible"),
            ),
        ),
        (_metrics_table(facts),),
    )
    flagged = facts.tables(DISCRIMINATION)
    impacts = Part(
        "eu_discriminatory_impact",
        Message(
            "欧盟《人工智能法》：潜在的歧视性影响", "EU AI Act: potentially discriminatory impacts"
        ),
        (annex, shenzhen(DISCRIMINATION)),
        () if flagged else (Message("未发现。", "None found."),),
        (),
        flagged,
    )
    data_paras, data_tables = _data_bias(facts)
    data = Part(
        "eu_data_bias",
        Message(
            "欧盟《人工智能法》：数据偏差审查与措施",
            "EU AI Act: examination of the data for biases, and measures",
        ),
        (
            cite("eu_ai_act", 10, paragraph=2, zh="(f)", en="(f)"),
            cite("eu_ai_act", 10, paragraph=2, zh="(g)", en="(g)"),
        ),
        data_paras,
        (
            needs(
                Message(
                    "检测、预防与减轻偏差的措施（第十条第二款 (g)）",
                    "Measures to detect, prevent and mitigate the biases (Art. 10(2)(g))",
                ),
                Message("写明针对上述偏差的措施", "state the measures for the biases above"),
            ),
        ),
        data_tables,
    )
    return metrics, impacts, data


def bias_audit_filing(
    facts: AuditFacts, date: str, *, sex: str | None = None, race_ethnicity: str | None = None
) -> Filing:
    """The impact-ratio tables and the EU AI Act section (see the module docstring)."""
    s = pick_ground(facts, sex, SEX_NAMES, "sex")
    r = pick_ground(facts, race_ethnicity, RACE_NAMES, "race_ethnicity")
    return Filing(
        kind="bias_audit",
        title=Message(
            "偏差审计：影响比表与欧盟《人工智能法》章节",
            "Bias audit: impact-ratio tables and the EU AI Act section",
        ),
        instruments=(_LL144, "eu_ai_act", "szai"),
        date=date,
        source=facts.source(),
        parts=(_ll144_part(facts, s, r), *_eu_parts(facts)),
        intro=(
            Message(
                "供同时在纽约市招聘、或在欧盟提供高风险系统的组织使用；数字取自本审计的群体表。",
                "For organisations that also hire in New York City, or place a high-risk system on "
                "the EU market; the figures come from this audit's group tables.",
            ),
        ),
        extra={"grounds": {"sex": s, "race_ethnicity": r}},
    )
