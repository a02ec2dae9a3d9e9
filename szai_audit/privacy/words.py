"""The words of Art. 33(2): column display names, generalisations and page-1 sentences.

Columns are named by their display names (``feature_labels={column: (zh, en[, unit])}``); a
column without one is named as it is in the data, in quotes. Counts carry thousands
separators, shares are percentages and k and l are whole numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.messages import Message, first_upper, fmt_pct

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
    "join_names",
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
    spec = (labels or {}).get(column)
    if not spec:
        return Message(f"“{column}”", f"“{column}”")
    return Message(str(spec[0]), str(spec[1]))


def column_labels(
    columns: Sequence[str], labels: Mapping[str, Sequence[str]] | None
) -> dict[str, Message]:
    """:func:`column_label` of each column."""
    return {str(c): column_label(str(c), labels) for c in columns}


def join_names(names: Sequence[Message]) -> Message:
    """Names joined the way each language lists them ("年龄、职业" / "age, job")."""
    return Message("、".join(n.zh for n in names), ", ".join(n.en for n in names))


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
        unit = Message(" 岁", "-year") if age_like else Message("", "-unit")
        return Message(
            f"将{label.zh}按 {p}{unit.zh}一档分段", f"group {label.en} into {p}{unit.en} bands"
        )
    if action == "truncate":
        return Message(
            f"将{label.zh}只保留前 {p} 位", f"keep only the first {p} digits of {label.en}"
        )
    if action == "month":
        return Message(f"将{label.zh}只保留到年月", f"keep only the year and month of {label.en}")
    if action == "year":
        return Message(f"将{label.zh}只保留到年份", f"keep only the year of {label.en}")
    return Message(
        f"将{label.zh}中少于 {p} 条记录的取值合并为“其他”",
        f"group the values of {label.en} held by fewer than {p} records into “other”",
    )


def k_statement(
    names: Sequence[Message], share_unique: float, k: int, k_required: int, external: bool
) -> Message:
    """Page 1 on k-anonymity below the requirement.

    >>> k_statement([Message("年龄", "age"), Message("职业", "job")], 0.33, 1, 5, False).zh
    '数据中年龄、职业的组合使 33.0% 的记录可被唯一识别（k = 1，要求至少 5）；数据仅内部使用。'
    """
    cols = join_names(names)
    use = (
        Message("数据拟对外提供。", "The data are meant to be provided to others.")
        if external
        else Message("数据仅内部使用。", "The data are for internal use only.")
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
            joined = join_names(names)
            steps.append(Message(phrase.zh.format(joined.zh), phrase.en.format(joined.en)))
    if not steps:
        steps = [Message("泛化或删除这些准标识符", "generalise or remove these quasi-identifiers")]
    when = (
        Message("提供前", "Before the data are provided")
        if external
        else Message("对外提供前", "Before the data are provided to others")
    )
    zh = "、".join(s.zh for s in steps[:-1]) + ("并" if len(steps) > 1 else "") + steps[-1].zh
    en = (", ".join(s.en for s in steps[:-1]) + " and " if len(steps) > 1 else "") + steps[-1].en
    return Message(
        f"{when.zh}{zh}，使 k 至少为 {k_required:,}。",
        f"{when.en}, {en}, so that k is at least {k_required:,}.",
    )


def k_reached(names: Sequence[Message], k: int, k_required: int) -> Message:
    """Page 1 on k-anonymity reached."""
    cols = join_names(names)
    return Message(
        f"数据中{cols.zh}的每种组合至少由 {k:,} 条记录共享（k = {k:,}，要求至少 {k_required:,}）。",
        f"Every combination of {cols.en} is shared by at least {k:,} records (k = {k:,}, at "
        f"least {k_required:,} required).",
    )


def direct_statement(columns: Sequence[Message], by_content: bool, external: bool) -> Message:
    """Page 1 on direct identifiers found by content, or columns whose names suggest them."""
    cols = join_names(columns)
    if by_content:
        use = (
            Message("，而数据拟对外提供", ", and the data are meant to be provided to others")
            if external
            else Message("；数据仅内部使用", "; the data are for internal use only")
        )
        return Message(
            f"{cols.zh}含有可直接识别个人的信息{use.zh}。",
            f"{cols.en} hold direct identifiers{use.en}.",
        )
    return Message(
        f"{cols.zh}的列名提示可能含有个人信息，但按内容未发现直接标识符。",
        f"The column name(s) {cols.en} suggest personal information, though no direct "
        f"identifier was found in the content.",
    )


def direct_action(columns: Sequence[Message], by_content: bool, external: bool) -> Message:
    """What to do about direct identifiers (or columns to be checked by a person)."""
    cols = join_names(columns)
    if by_content:
        when = (
            Message("", "")
            if external
            else Message("对外提供前", " before the data are provided to others")
        )
        return Message(
            f"{when.zh}删除、掩码或替换{cols.zh}。",
            f"Remove, mask or replace {cols.en}{when.en}.",
        )
    return Message(
        f"人工核查{cols.zh}的内容，确认不含个人信息。",
        f"Have a person check the content of {cols.en} for personal information.",
    )


def l_statement(names: Sequence[Message], l_value: int, l_required: int) -> Message:
    """Page 1 on l-diversity below the requirement."""
    sens = join_names(names)
    return Message(
        f"在部分记录组合内，{sens.zh}只有 {l_value:,} 种取值（要求至少 {l_required:,} 种），"
        f"可被推断。",
        f"Within some combinations of records {sens.en} take only {l_value:,} value(s) (at "
        f"least {l_required:,} required), so they can be inferred.",
    )


#: The finding when no scan was asked for.
NOT_SCANNED = Message(
    "未进行去标识化检查：对外提供个人数据前，须检查其中是否含有直接标识符（如身份证号码、手机号码），"
    "并按可能组合识别个人的列（如年龄、性别、邮编）计算 k 匿名度。",
    "No de-identification scan was run: before personal data are provided to others, scan them "
    "for direct identifiers and for k-anonymity (Audit(privacy=True), or name the "
    "quasi-identifiers).",
)

#: What to do when no scan was asked for.
NOT_SCANNED_ACTION = Message(
    "对外提供个人数据前，先进行去标识化检查。",
    "Run a de-identification scan before personal data are provided to others.",
)

L_ACTION = {
    True: Message(
        "提供前进一步泛化准标识符或删除这些记录。",
        "Generalise the quasi-identifiers further or remove these records before providing the "
        "data.",
    ),
    False: Message(
        "对外提供前进一步泛化准标识符或删除这些记录。",
        "Before the data are provided to others, generalise the quasi-identifiers further or "
        "remove these records.",
    ),
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
        return Message(
            f"{step.zh}：仅此一项即可使 k 由 {k_now:,} 提高到 {k_after:,}（要求至少 {k:,}）。",
            f"{first_upper(step.en)}: on its own this raises k from {k_now:,} to "
            f"{k_after:,} (at least {k:,} required).",
        )
    small = Message(
        f"所在组合记录数少于 {k:,} 的记录由 {fmt_pct(below_now)} 降至 {fmt_pct(below_after)}",
        f"the records in combinations held by fewer than {k:,} records drop from "
        f"{fmt_pct(below_now)} to {fmt_pct(below_after)}",
    )
    moved = (
        Message(f" k 仍为 {k_now:,}", f"k stays at {k_now:,}")
        if k_after == k_now
        else Message(f"使 k 由 {k_now:,} 变为 {k_after:,}", f"k goes from {k_now:,} to {k_after:,}")
    )
    return Message(
        f"{step.zh}：仅此一项{moved.zh}（要求至少 {k:,}），但{small.zh}；须与其他措施合用。",
        f"{first_upper(step.en)}: on its own {moved.en} (at least {k:,} required) "
        f"but {small.en}; combine it with other steps.",
    )


#: What to do when no quasi-identifiers were named.
K_NOT_ASSESSED_ACTION = Message(
    "列出组合起来可能识别个人的列（如年龄、性别、邮编、日期），再计算 k 匿名度。",
    "Name the columns that could single out a person in combination (age, sex, postcode, "
    "dates) and measure k-anonymity.",
)

#: Page 1 when every Art. 33(2) check passed.
ALL_CLEAR = Message(
    "未发现直接标识符；准标识符的 k 匿名度达到要求。",
    "No direct identifiers were found and the quasi-identifiers reach the required k-anonymity.",
)
