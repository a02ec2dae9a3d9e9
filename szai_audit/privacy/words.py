"""The words of Art. 33(2): column display names, generalisations and page-1 sentences.

Columns are named by their display names (``feature_labels={column: (zh, en[, unit])}``); a
column without one is named as it is in the data, in quotes. Counts carry thousands
separators, shares are percentages and k and l are whole numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.catalog import say
from ..core.labels import column_name
from ..core.messages import Message, fmt_pct, listing

__all__ = [
    "ALL_CLEAR",
    "K_NOT_ASSESSED_ACTION",
    "L_ACTION",
    "NOT_SCANNED",
    "NOT_SCANNED_ACTION",
    "column_label",
    "column_labels",
    "direct_action",
    "direct_statement",
    "generalisation",
    "k_action",
    "k_reached",
    "k_statement",
    "l_statement",
    "suggestion_text",
]


def column_label(column: str, labels: Mapping[str, Sequence[str]] | None) -> Message:
    """The display name of a column, or its name in quotes when it has none.

    >>> column_label("age", {"age": ("年龄", "age", "岁/years")}).zh
    '年龄'
    >>> column_label("zip", None).zh
    '“zip”'
    """
    return column_name(column, labels, quoted=True)


def column_labels(
    columns: Sequence[str], labels: Mapping[str, Sequence[str]] | None
) -> dict[str, Message]:
    """:func:`column_label` of each column."""
    return {str(c): column_label(str(c), labels) for c in columns}


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def generalisation(action: str, parameter: Any, label: Message, age_like: bool) -> Message:
    """One generalisation of a quasi-identifier, in plain words.

    >>> generalisation("band", 20.0, Message("年龄", "age"), True).zh
    '将年龄按 20 岁一档分段'
    >>> generalisation("group_rare", 10, Message("职业", "job"), False).zh
    '将职业中少于 10 条记录的取值合并为“其他”'
    """
    p = _number(parameter) if parameter is not None else ""
    if action == "band":
        unit = (
            say("privacy.generalisation.year") if age_like else say("privacy.generalisation.unit")
        )
        return say("privacy.generalisation.group_into_bands", label=label, p=p, unit=unit)
    if action == "truncate":
        return say("privacy.generalisation.keep_only_first_digits", label=label, p=p)
    if action == "month":
        return say("privacy.generalisation.keep_only_year_month", label=label)
    if action == "year":
        return say("privacy.generalisation.keep_only_year", label=label)
    return say("privacy.generalisation.group_values_held_by", label=label, p=p)


def k_statement(
    names: Sequence[Message], share_unique: float, k: int, k_required: int, external: bool
) -> Message:
    """Page 1 on k-anonymity below the requirement.

    >>> k_statement([Message("年龄", "age"), Message("职业", "job")], 0.33, 1, 5, False).zh
    '数据中年龄、职业的组合使 33.0% 的记录可被唯一识别（k = 1，要求至少 5）；数据仅内部使用。'
    """
    cols = listing(list(names))
    use = (
        say("privacy.k_statement.data_meant_be_provided")
        if external
        else say("privacy.k_statement.data_internal_use_only")
    )
    return Message(
        f"数据中{cols.zh}的组合使 {fmt_pct(share_unique)} 的记录可被唯一识别"
        f"（k = {k:,}，要求至少 {k_required:,}）；{use.zh}",
        f"The combination of {cols.en} singles out {fmt_pct(share_unique)} of the records "
        f"(k = {k:,}, at least {k_required:,} required); {use.en[:1].lower()}{use.en[1:]}",
    )


_KINDS = (
    ("band", Message("将{}分段", "group {} into bands")),
    ("group_rare", Message("合并{}中的稀有类别", "merge the rare categories of {}")),
    ("truncate", Message("截短{}", "shorten {}")),
    ("month", Message("将{}只保留到年月或年份", "keep only the month or year of {}")),
)


def k_action(
    generalisable: Sequence[tuple[str, Message]], k_required: int, external: bool
) -> Message:
    """What to do when k is below the requirement: the generalisations the quasi-identifiers
    allow (``(action, display name)``), one phrase per kind.

    >>> k_action([("band", Message("年龄", "age")), ("group_rare", Message("职业", "job"))], 5,
    ...          False).zh
    '对外提供前将年龄分段并合并职业中的稀有类别，使 k 至少为 5。'
    """
    steps = []
    for kind, phrase in _KINDS:
        names = [n for a, n in generalisable if a == kind or (kind == "month" and a == "year")]
        if names:
            joined = listing(list(names))
            steps.append(Message(phrase.zh.format(joined.zh), phrase.en.format(joined.en)))
    if not steps:
        steps = [say("privacy.k_action.generalise_or_remove_these")]
    when = (
        say("privacy.k_action.before_data_provided")
        if external
        else say("privacy.k_action.before_data_provided_others")
    )
    zh = "、".join(s.zh for s in steps[:-1]) + ("并" if len(steps) > 1 else "") + steps[-1].zh
    en = (", ".join(s.en for s in steps[:-1]) + " and " if len(steps) > 1 else "") + steps[-1].en
    return say(
        "privacy.k_action.so_that_k_at", when=when, k_required=k_required, text=Message(zh, en)
    )


def k_reached(names: Sequence[Message], k: int, k_required: int) -> Message:
    """Page 1 on k-anonymity reached."""
    cols = listing(list(names))
    return say(
        "privacy.k_reached.every_combination_shared_by", cols=cols, k=k, k_required=k_required
    )


def direct_statement(columns: Sequence[Message], by_content: bool, external: bool) -> Message:
    """Page 1 on direct identifiers found by content, or columns whose names suggest them."""
    cols = listing(list(columns))
    if by_content:
        use = (
            say("privacy.direct_statement.data_meant_be_provided")
            if external
            else say("privacy.direct_statement.data_internal_use_only")
        )
        return say("privacy.direct_statement.hold_direct_identifiers", cols=cols, use=use)
    return say("privacy.direct_statement.column_name_s_suggest", cols=cols)


def direct_action(columns: Sequence[Message], by_content: bool, external: bool) -> Message:
    """What to do about direct identifiers (or columns to be checked by a person)."""
    cols = listing(list(columns))
    if by_content:
        when = (
            Message("", "")
            if external
            else say("privacy.direct_action.before_data_provided_others")
        )
        return say("privacy.direct_action.remove_mask_or_replace", when=when, cols=cols)
    return say("privacy.direct_action.have_person_check_content", cols=cols)


def l_statement(names: Sequence[Message], l_value: int, l_required: int) -> Message:
    """Page 1 on l-diversity below the requirement."""
    sens = listing(list(names))
    return say(
        "privacy.l_statement.within_some_combinations_records",
        sens=sens,
        l_value=l_value,
        l_required=l_required,
    )


#: The finding when no scan was asked for.
NOT_SCANNED = say("privacy.not_scanned")

#: What to do when no scan was asked for.
NOT_SCANNED_ACTION = say("privacy.not_scanned_action")

L_ACTION = {
    True: say("privacy.l_action.true"),
    False: say("privacy.l_action.false"),
}


def suggestion_text(
    step: Message, k: int, ks: tuple[int, int], below: tuple[float, float]
) -> Message:
    """A generalisation and what it does on its own, measured: k before and after (``ks``),
    the share of records in combinations held by fewer than ``k`` records before and after.

    >>> text = suggestion_text(Message("将年龄按 20 岁一档分段", "group age into 20-year bands"),
    ...                        5, (1, 1), (0.787, 0.117))
    >>> text.zh[:33]
    '将年龄按 20 岁一档分段：仅此一项 k 仍为 1（要求至少 5）'
    """
    (k_now, k_after), (below_now, below_after) = ks, below
    if k_after >= k:
        return say(
            "privacy.suggestion_text.own_this_raises_k",
            step=step,
            k_now=k_now,
            k_after=k_after,
            k=k,
        )
    small = say(
        "privacy.suggestion_text.records_combinations_held_by",
        k=k,
        below_now=fmt_pct(below_now),
        below_after=fmt_pct(below_after),
    )
    moved = (
        say("privacy.suggestion_text.k_stays_at", k_now=k_now)
        if k_after == k_now
        else say("privacy.suggestion_text.k_goes_from", k_now=k_now, k_after=k_after)
    )
    return say(
        "privacy.suggestion_text.own_at_least_required", step=step, moved=moved, k=k, small=small
    )


#: What to do when no quasi-identifiers were named.
K_NOT_ASSESSED_ACTION = say("privacy.k_not_assessed_action")

#: Page 1 when every Art. 33(2) check passed.
ALL_CLEAR = say("privacy.all_clear")
