"""Display names of category values (``value_labels``), and how they replace raw values in text.

``value_labels={"sex": {"female": ("女", "female"), "male": ("男", "male")}}`` maps a column (or
a ground's name) to its raw values and their display names in Chinese and English. A raw value
with no label is shown as it is in the data, quoted, and the report notes once that no label was
given (:meth:`ValueLabels.unlabelled`, :func:`unlabelled_note`).

The sentences of the findings quote group values as ``“female”``: such a value is an argument of
its catalog sentence (a :class:`~szai_audit.core.messages.Category`), and
:meth:`ValueLabels.localise` writes the sentence again with each of them (an intersection
``“female × yes”`` part by part) by its label, so a sentence is written once and labelled
wherever it is read, and nothing else in it (the name of an input) is ever taken for a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import categories, relabel, say
from .grounds import INTERSECTION_SEP
from .messages import Message

__all__ = [
    "ValueLabels",
    "as_label",
    "column_name",
    "column_unit",
    "merge_unlabelled",
    "unlabelled_note",
    "with_unit",
]

#: ``feature_labels={column: (zh, en[, unit])}``, as the audit was given them (or None).
FeatureLabels = Mapping[str, Sequence[str]] | None

#: A Chinese unit as written after a number, where it differs from its name ("27 个月").
_AFTER_NUMBER = {"月": "个月"}


def column_name(column: str, labels: FeatureLabels, *, quoted: bool = False) -> Message:
    """A column's display name from ``feature_labels={column: (zh, en[, unit])}``; without
    one, its name as written in the data (in quotes when ``quoted``).

    >>> column_name("age", {"age": ("年龄", "age", "岁/years")}).zh
    '年龄'
    >>> column_name("zip_code", None).zh, column_name("zip_code", None, quoted=True).zh
    ('zip_code', '“zip_code”')
    """
    spec = (labels or {}).get(column)
    if spec:
        return Message(str(spec[0]), str(spec[1]))
    if quoted:
        return say("core.values.quoted", value=Message(column, column))
    return Message(column, column)


def column_unit(column: str | None, labels: FeatureLabels) -> Message:
    """A column's unit, the third element of its label (``"月/months"``), as written after a
    number (``个月`` / ``months``); empty when none was given.

    >>> column_unit("duration", {"duration": ("期限", "duration", "月/months")}).to_dict()
    {'zh': '个月', 'en': 'months'}
    >>> column_unit("x", None).to_dict()
    {'zh': '', 'en': ''}
    """
    spec = (labels or {}).get(column) if column is not None else None
    if not spec or len(spec) < 3 or not str(spec[2]).strip():
        return Message("", "")
    zh, _, en = str(spec[2]).partition("/")
    zh, en = zh.strip(), (en or zh).strip()
    return Message(_AFTER_NUMBER.get(zh, zh), en)


def with_unit(value: str, unit: Message) -> Message:
    """A value followed by its unit in each language: ``27 个月`` / ``27 months``.

    >>> with_unit("27", Message("个月", "months")).to_dict()
    {'zh': '27 个月', 'en': '27 months'}
    """
    return Message(
        f"{value} {unit.zh}".strip() if unit.zh else value,
        f"{value} {unit.en}".strip() if unit.en else value,
    )


@dataclass(frozen=True)
class ValueLabels:
    """Labels of category values, by column and by ground.

    Parameters
    ----------
    by_column : mapping
        ``{column: {raw value (as text): Message}}``.
    columns : mapping
        ``{ground: column}``: which column each ground was read from, so that labels given by
        column name also label the ground's groups.
    known : mapping
        ``{column or ground: raw values}``: the category values present in the data (binned
        numbers left out), so that :meth:`unlabelled_in` tells a raw value from other quoted
        text.
    names : mapping
        ``{column or ground: Message}``: display names, for :func:`unlabelled_note`.
    hidden : mapping
        ``{column or ground: raw values}``: values held by fewer than ``policy.k_anonymity``
        rows, whose labels :meth:`to_dict` leaves out (they would name the value in the JSON;
        a person's own notice may still show the person's value by its label).

    Examples
    --------
    >>> vl = ValueLabels({"sex": {"female": Message("女", "female")}}, {"gender": "sex"})
    >>> vl.value("gender", "female").zh, vl.value("gender", "male").zh
    ('女', 'male')
    >>> vl.group("gender × nationality", "female × yes").zh
    '女 × yes'
    >>> from szai_audit.core.catalog import say
    >>> vl.localise(say("core.values.quoted", value="female"), "gender").zh
    '“女”'
    """

    by_column: Mapping[str, Mapping[str, Message]] = field(default_factory=dict)
    columns: Mapping[str, str | None] = field(default_factory=dict)
    known: Mapping[str, frozenset[str]] = field(default_factory=dict)
    names: Mapping[str, Message] = field(default_factory=dict)
    hidden: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def key(self, name: str) -> str:
        """The key a column or ground is labelled under: the ground's column when it has one."""
        if name in self.by_column or name in self.known:
            return name
        column = self.columns.get(name)
        return column if column is not None else name

    def _table(self, key: str) -> Mapping[str, Message]:
        if key in self.by_column:
            return self.by_column[key]
        column = self.columns.get(key)
        return self.by_column.get(column, {}) if column is not None else {}

    def has(self, key: str, raw: object) -> bool:
        """Whether the value ``raw`` of column or ground ``key`` has a label."""
        return str(raw) in self._table(key)

    def value(self, key: str, raw: object) -> Message:
        """The label of value ``raw`` of a column or ground; the raw text when there is none."""
        text = str(raw)
        return self._table(key).get(text, Message(text, text))

    def group(self, ground: str, label: str) -> Message:
        """The label of a group of ``ground``; an intersection is labelled part by part."""
        grounds = ground.split(INTERSECTION_SEP)
        parts = label.split(INTERSECTION_SEP)
        if len(grounds) != len(parts):
            return self.value(ground, label)
        labelled = [self.value(g, p) for g, p in zip(grounds, parts, strict=True)]
        return Message(
            INTERSECTION_SEP.join(m.zh for m in labelled),
            INTERSECTION_SEP.join(m.en for m in labelled),
        )

    def localise(self, message: Message, ground: str | None) -> Message:
        """``message`` with each value of ``ground``'s groups it quotes (its
        :class:`~szai_audit.core.messages.Category` arguments) written by its label; the rest
        of the sentence, the names of inputs among it, is left as it is."""
        if not ground or not self.by_column:
            return message
        key: str = ground
        return relabel(
            message, lambda c: self.group(key, c.raw) if self._labelled(key, c.raw) else None
        )

    def _labelled(self, ground: str, label: str) -> bool:
        grounds = ground.split(INTERSECTION_SEP)
        parts = label.split(INTERSECTION_SEP)
        if len(grounds) != len(parts):
            return self.has(ground, label)
        return any(self.has(g, p) for g, p in zip(grounds, parts, strict=True))

    def unlabelled(self, key: str, values: Iterable[object]) -> list[str]:
        """The values of a column or ground that have no label, in the order given."""
        table = self._table(key)
        return [str(v) for v in values if str(v) not in table]

    def unlabelled_in(self, message: Message, ground: str | None) -> dict[str, list[str]]:
        """The raw values of ``ground``'s groups that ``message`` quotes without a label, by
        column (or ground): only values present in the data count (:attr:`known`)."""
        out: dict[str, dict[str, None]] = {}  # ordered sets: thousands of groups are quoted
        if not ground:
            return {}
        grounds = ground.split(INTERSECTION_SEP)
        for value in categories(message):
            quoted = value.raw
            parts = quoted.split(INTERSECTION_SEP)
            pairs = [(ground, quoted)]
            if len(parts) == len(grounds):
                pairs = list(zip(grounds, parts, strict=True))
            for g, part in pairs:
                key = self.key(g)
                if part in self.known.get(key, ()) and not self.has(key, part):
                    out.setdefault(key, {})[part] = None
        return {key: list(values) for key, values in out.items()}

    def to_dict(self) -> dict[str, Any]:
        """``{"by_column": {column: {raw: {"zh", "en"}}}, "grounds": {ground: column}}``."""
        return {
            "by_column": {
                str(c): {
                    str(raw): m.to_dict()
                    for raw, m in table.items()
                    if str(raw) not in self.hidden.get(str(c), frozenset())
                }
                for c, table in self.by_column.items()
            },
            "grounds": {str(g): c for g, c in self.columns.items()},
        }


def as_label(label: str | Sequence[str]) -> Message:
    """A user's label as a Message: a pair ``(zh, en)``, or one text used in both languages.

    >>> as_label(("女", "female")), as_label("VIP")
    (Message(zh='女', en='female'), Message(zh='VIP', en='VIP'))
    """
    if isinstance(label, str):
        return Message(label, label)
    zh, en = label
    return Message(str(zh), str(en))


def merge_unlabelled(*found: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Several ``{column: values}`` mappings as one, each value once, in the order met."""
    out: dict[str, dict[str, None]] = {}  # ordered sets (a list's `in` is quadratic)
    for mapping in found:
        for key, values in mapping.items():
            seen = out.setdefault(key, {})
            for v in values:
                seen[v] = None
    return {k: list(v) for k, v in out.items() if v}


def unlabelled_note(
    mapping: Mapping[str, Sequence[str]], names: Mapping[str, Message] | None = None
) -> Message | None:
    """The one note of an audit on the values shown as they are in the data (no label given);
    None when every value shown has a label.

    ``mapping`` is ``{column: raw values}`` (:attr:`szai_audit.AuditResult.unlabelled_values`);
    ``names`` the columns' display names (a column without one is quoted as it is named).

    >>> unlabelled_note({"sex": ["female", "male"]}, {"sex": Message("性别", "sex")}).zh
    '以下取值未提供中文标签，按数据原值显示。性别：“female”、“male”。'
    >>> unlabelled_note({}) is None
    True
    """
    shown = {k: list(v) for k, v in mapping.items() if v}
    if not shown:
        return None
    names = names or {}

    def name(key: str, lang: str) -> str:
        return names[key][lang] if key in names else f"“{key}”"

    zh = "；".join(
        f"{name(k, 'zh')}：" + "、".join(f"“{v}”" for v in vs) for k, vs in shown.items()
    )
    en = "; ".join(
        f"{name(k, 'en')}: " + ", ".join(f"“{v}”" for v in vs) for k, vs in shown.items()
    )
    return say("core.unlabelled_note.these_values_have_no", text=Message(zh, en))
