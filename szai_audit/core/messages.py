"""Text in two languages and the number formats every sentence uses.

:class:`Message` carries a piece of text in Chinese (zh-CN) and English; the ``fmt_*``
functions write numbers the same way in both languages, so that the two texts carry equal
numbers. Nothing here knows an article: the sentences themselves live with the article they
belong to (``szai_audit.<article>.words``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MINUS",
    "Category",
    "Joined",
    "Message",
    "Text",
    "fill",
    "first_upper",
    "fmt_amount",
    "fmt_level",
    "fmt_p",
    "fmt_pct",
    "fmt_ratio",
    "listing",
    "minus",
]


@dataclass(frozen=True, eq=False)
class Message:
    """A piece of text in Chinese (``zh``) and English (``en``).

    Examples
    --------
    >>> m = Message("性别", "gender")
    >>> m["zh"], m.en
    ('性别', 'gender')
    >>> m.to_dict()
    {'zh': '性别', 'en': 'gender'}
    """

    zh: str
    en: str

    def __getitem__(self, lang: str) -> str:
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        raise KeyError(f"language must be 'zh' or 'en', got {lang!r}")

    def __str__(self) -> str:
        return self.en

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.zh, self.en) == (other.zh, other.en)

    def __hash__(self) -> int:
        return hash((self.zh, self.en))

    def to_dict(self) -> dict[str, str]:
        """Return ``{"zh": ..., "en": ...}``."""
        return {"zh": self.zh, "en": self.en}

    def join(self, other: Message, sep_zh: str = "", sep_en: str = " ") -> Message:
        """Concatenate two messages language by language (keeping both as the parts of a
        :class:`Joined`, so that labels can be applied to their arguments later)."""
        return Joined(
            self.zh + sep_zh + other.zh,
            self.en + sep_en + other.en,
            (self, other),
            (sep_zh, sep_en),
        )


@dataclass(frozen=True, eq=False)
class Text(Message):
    """A sentence of a catalog (:mod:`szai_audit.core.catalog`), with its key and the
    arguments it was filled with; equal to any message of the same two texts."""

    key: str = ""
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Joined(Message):
    """Messages written one after the other, each language with its own separator."""

    parts: tuple[Message, ...] = ()
    seps: tuple[str, str] = ("", " ")


@dataclass(frozen=True, eq=False)
class Category:
    """A value of a column or ground as it is in the data, an argument of a sentence that the
    report shows by its label where the user gave one.

    >>> f"“{Category('female')}”"
    '“female”'
    """

    raw: str

    def __str__(self) -> str:
        return self.raw

    def __format__(self, spec: str) -> str:
        return format(self.raw, spec)


#: The one minus sign of every number a person reads (U+2212, not the hyphen).
MINUS = "\u2212"


def minus(text: str) -> str:
    """``text`` with a hyphen used as a minus sign (before a digit, at the start or after a
    space or an opening bracket) written as the minus sign :data:`MINUS`.

    >>> minus("-2.4%，区间 -9.3 至 32.2") == "\u22122.4%，区间 \u22129.3 至 32.2"
    True
    >>> minus("P10-P90 2026-11-29")
    'P10-P90 2026-11-29'
    """
    return re.sub(r"(^|[\s(（\[，,:：])-(?=\d)", lambda m: m.group(1) + MINUS, text)


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """Format a proportion as a percentage; missing values as an em dash.

    >>> fmt_pct(0.12345)
    '12.3%'
    >>> fmt_pct(-0.024) == "\u22122.4%"
    True
    >>> fmt_pct(float("nan"))
    '—'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return minus(f"{100 * x:.{digits}f}%")


def fmt_ratio(x: float | None, digits: int = 2) -> str:
    """Format a ratio or a plain number with fixed decimals; missing as an em dash.

    >>> fmt_ratio(0.8)
    '0.80'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return minus(f"{x:.{digits}f}")


def fill(template: Message, **kw: Any) -> Message:
    """The template with its ``{placeholders}`` filled, language by language."""
    return Message(template.zh.format(**kw), template.en.format(**kw))


def first_upper(text: str) -> str:
    """``text`` with its first letter in upper case and the rest as written (unlike
    ``str.capitalize``, which lowers the rest: "HIV status" stays "HIV status").

    >>> first_upper("hIV status"), first_upper("age"), first_upper("")
    ('HIV status', 'Age', '')
    """
    return text[:1].upper() + text[1:]


def listing(parts: Sequence[Message], sep_zh: str = "、", sep_en: str = ", ") -> Message:
    """Messages listed the way each language lists them ("年龄、职业、住房" / "age, job and
    housing"), each kept as a part so that labels can still be applied to their arguments.
    An English list with the default separator ends in "and" (", and" when an item holds an
    "and" of its own); a list with another separator is joined by it alone.

    >>> listing([Message("年龄", "age"), Message("职业", "job")]).to_dict()
    {'zh': '年龄、职业', 'en': 'age and job'}
    >>> listing([Message("年龄", "age"), Message("婚姻状况与性别", "marital status and sex"),
    ...          Message("职业", "job")]).en
    'age, marital status and sex, and job'
    >>> listing([]).to_dict()
    {'zh': '', 'en': ''}
    """
    if not parts:
        return Message("", "")
    if len(parts) == 1:
        return parts[0]
    en = sep_en.join(p.en for p in parts[:-1])
    if sep_en == ", ":
        last = ", and " if any(" and " in p.en for p in parts) and len(parts) > 1 else " and "
        if len(parts) == 2 and last == ", and ":
            last = " and " if " and " not in parts[0].en else ", and "
        en += last + parts[-1].en
    else:
        en += sep_en + parts[-1].en
    # One message of n parts, not n nested pairs: joining pair by pair copies the text n
    # times (quadratic) and nests as deep as the list (5,000 groups overflow recursion).
    return Joined(sep_zh.join(p.zh for p in parts), en, tuple(parts), (sep_zh, sep_en))


def fmt_p(p: float) -> str:
    """A p-value as written in messages: ``"= 0.012"`` or ``"< 0.001"``.

    >>> fmt_p(0.01234), fmt_p(0.00001)
    ('= 0.012', '< 0.001')
    """
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def fmt_level(level: float) -> str:
    """A confidence level as a percentage: ``0.95`` -> ``"95%"``.

    >>> fmt_level(0.95), fmt_level(0.9), fmt_level(1 - 2 * 0.05 / 3)
    ('95%', '90%', '96.67%')
    """
    return f"{round(100 * level, 2):g}%"


def fmt_amount(x: float) -> str:
    """A model output as written in messages: thousands separated, sensible decimals.

    >>> fmt_amount(12345.678), fmt_amount(3.14159), fmt_amount(0.012345)
    ('12,346', '3.14', '0.0123')
    """
    if not math.isfinite(x):
        return "—"
    if abs(x) >= 100:
        return minus(f"{x:,.0f}")
    if abs(x) >= 1:
        return minus(f"{x:.2f}")
    return minus(f"{x:.3g}")
