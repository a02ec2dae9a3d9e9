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
from ..core.catalog import say
from ..core.data import MISSING_LABEL
from ..core.errors import InputError
from ..core.grounds import INTERSECTION_SEP
from ..core.messages import Message, fmt_pct, fmt_ratio
from ..fairness.proxies import is_proxy
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
    "selection_rate": say("filings.bias_audit.rate_headings.selection_rate"),
    "scoring_rate": say("filings.bias_audit.rate_headings.scoring_rate"),
}


def _impact_table(
    facts: AuditFacts, key: str, grounds: Sequence[str], caption: Message
) -> tuple[Table, list[dict[str, Any]], int]:
    doc = facts.doc
    table, rate_key, positive = _group_table(facts, key)
    n_rows = int((doc.get("scope") or {}).get("n_rows") or 0)
    rows, unknown = impact_rows(table, n_rows, positive, rate_key)
    withheld = say("filings.bias_audit.impact_table.withheld")
    cells = tuple(
        (
            _label(facts, grounds, r["category"]),
            say("filings.bias_audit.impact_table.text", r_count=r["count"]),
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
            say("filings.bias_audit.impact_table.category"),
            say("filings.bias_audit.impact_table.applicants"),
            say("filings.bias_audit.impact_table.share"),
            _RATE_HEADINGS[rate_key],
            say("filings.bias_audit.impact_table.impact_ratio"),
        ),
        cells,
        note=say(
            "filings.bias_audit.impact_table.marked_categories_under_2",
            unknown=unknown,
            min_size=min_size,
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
        return None, say("filings.bias_audit.intersection.intersectional_table_not_audit")
    caption = say("filings.bias_audit.intersection.intersectional_sex_race_ethnicity")
    table, _, _ = _impact_table(facts, key, key.split(INTERSECTION_SEP), caption)
    return table, None


def _ll144_tables(
    facts: AuditFacts, sex: str | None, race: str | None
) -> tuple[list[Table], list[Message], list[Field]]:
    """The tables by sex, by race/ethnicity and crossed; what is missing; the unknowns."""
    tables, paras, fields = [], [], []
    named = [
        (sex, say("filings.bias_audit.ll144_tables.by_sex")),
        (race, say("filings.bias_audit.ll144_tables.by_race_ethnicity")),
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
        fields.append(
            Field(label, say("filings.bias_audit.ll144_tables.text", unknown=unknown), MEASURED)
        )
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
        return say("filings.bias_audit.no_tables.this_pricing_audit_tables")
    tables = (facts.doc.get("regression_metrics") or {}).values()
    if task == "regression" and not any(t.get("scoring") for t in tables):
        return say("filings.bias_audit.no_tables.this_audit_result_has")
    return None


def _ll144_part(facts: AuditFacts, sex: str | None, race: str | None) -> Part:
    task = (facts.doc.get("scope") or {}).get("task")
    answers = (
        cite(_LL144, zh="第 5-301 节", en="§5-301"),
        cite(_LL144, zh="第 5-303 节", en="§5-303"),
    )
    heading = say("filings.bias_audit.ll144_part.impact_ratio_tables_nyc")
    why = _no_tables(facts, task)
    if why is not None:
        return Part("ll144", heading, answers, (why,))
    tables, paras, fields = _ll144_tables(facts, sex, race)
    if task == "regression":
        paras.insert(0, _scoring_note(facts))
    fields += [
        facts.card_field(
            "data_source",
            say("filings.bias_audit.ll144_part.source_explanation_data"),
            say("filings.bias_audit.ll144_part.state_source_historical_or"),
        ),
        needs(
            say("filings.bias_audit.ll144_part.independent_auditor"),
            say("filings.bias_audit.ll144_part.name_independent_auditor_this"),
        ),
        needs(
            say("filings.bias_audit.ll144_part.distribution_date_tool"),
            say("filings.bias_audit.ll144_part.state_when_tool_was"),
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
        say("filings.bias_audit.metrics_table.metrics_used"),
        (
            say("filings.bias_audit.metrics_table.metric"),
            say("filings.bias_audit.metrics_table.tolerance"),
            say("filings.bias_audit.metrics_table.results"),
        ),
        rows,
    )


def _data_bias(facts: AuditFacts) -> tuple[tuple[Message, ...], tuple[Table, ...]]:
    """Per ground: the size and share of each group, and its proxies (the audit's one rule,
    :func:`~szai_audit.fairness.proxies.is_proxy`: single-input AUC at least the policy's
    ``proxy_auc_threshold``)."""
    policy = facts.doc.get("policy") or {}
    threshold = policy.get("proxy_auc_threshold", 0.7)
    n_rows = int((facts.doc.get("scope") or {}).get("n_rows") or 0)
    paras, tables = [], []
    for g in facts.grounds():
        ground, name = g["ground"], Message(g["label"]["zh"], g["label"]["en"])
        proxies = (facts.doc.get("proxies") or {}).get(ground) or {}
        rows = proxies.get("features") or []
        strong = [p["feature"] for p in rows if is_proxy(p["auc"], threshold)]
        found = facts.columns_text(strong, say("filings.bias_audit.data_bias.none"))
        paras.append(
            say(
                "filings.bias_audit.data_bias.inputs_that_predict_auc",
                name=name,
                threshold=fmt_ratio(float(threshold), 2),
                found=found,
            )
        )
        groups = (facts.doc.get("group_metrics") or {}).get(ground, {}).get("groups", [])
        shares = [c["count"] / n_rows if n_rows else 0.0 for c in groups]
        tables.append(
            Table(
                say("filings.bias_audit.data_bias.size_each_group", name=name),
                (
                    say("filings.bias_audit.data_bias.group"),
                    say("filings.bias_audit.data_bias.count"),
                    say("filings.bias_audit.data_bias.share"),
                ),
                tuple(
                    (
                        _label(facts, (ground,), tuple(str(v) for v in c["group"])),
                        say("filings.bias_audit.data_bias.text", c_count=c["count"]),
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
        say("filings.bias_audit.eu_parts.eu_ai_act_metrics"),
        (annex,),
        (),
        (
            Field(say("filings.bias_audit.eu_parts.test_log_date"), Message(when, when), MEASURED),
            Field(
                say("filings.bias_audit.eu_parts.test_log_content_hash"),
                Message(digest, digest),
                MEASURED,
            ),
            needs(
                say("filings.bias_audit.eu_parts.test_log_signed_by"),
                say("filings.bias_audit.eu_parts.signed_by_person_responsible"),
            ),
        ),
        (_metrics_table(facts),),
    )
    flagged = facts.tables(DISCRIMINATION)
    impacts = Part(
        "eu_discriminatory_impact",
        say("filings.bias_audit.eu_parts.eu_ai_act_potentially"),
        (annex, shenzhen(DISCRIMINATION)),
        () if flagged else (say("filings.bias_audit.eu_parts.none_found"),),
        (),
        flagged,
    )
    data_paras, data_tables = _data_bias(facts)
    data = Part(
        "eu_data_bias",
        say("filings.bias_audit.eu_parts.eu_ai_act_examination"),
        (
            cite("eu_ai_act", 10, paragraph=2, zh="(f)", en="(f)"),
            cite("eu_ai_act", 10, paragraph=2, zh="(g)", en="(g)"),
        ),
        data_paras,
        (
            needs(
                say("filings.bias_audit.eu_parts.measures_detect_prevent_mitigate"),
                say("filings.bias_audit.eu_parts.state_measures_biases_above"),
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
        title=say("filings.bias_audit.bias_audit_filing.bias_audit_impact_ratio"),
        instruments=(_LL144, "eu_ai_act", "szai"),
        date=date,
        source=facts.source(),
        parts=(_ll144_part(facts, s, r), *_eu_parts(facts)),
        intro=(say("filings.bias_audit.bias_audit_filing.organisations_that_also_hire"),),
        extra={"grounds": {"sex": s, "race_ethnicity": r}},
    )
