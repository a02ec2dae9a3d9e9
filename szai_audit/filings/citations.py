"""The instruments the filings answer, and the clauses each part cites.

Only the Shenzhen regulation is shipped with the package, so only its clauses carry a
quotation, taken from :mod:`szai_audit.core.articles` and checked word for word against
``szai_audit/regulation/`` (see :func:`szai_audit.core.regulation.is_verbatim`). Every other
instrument is cited by its title and article number only: this library does not quote a text
it does not ship.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.articles import ETHICS_REVIEW, PROVISIONS
from ..core.catalog import say
from ..core.messages import Message

__all__ = ["INSTRUMENTS", "SHENZHEN", "Clause", "cite", "cn_number", "shenzhen"]

#: The Shenzhen regulation's key: the one instrument whose text the package ships.
SHENZHEN = "szai"

#: Every instrument a filing cites, by key: its title in Chinese and English.
INSTRUMENTS: dict[str, Message] = {
    SHENZHEN: say("filings.instruments.shenzhen_special_economic_zone"),
    "algorithm_rules": say("filings.instruments.algorithm_rules"),
    "pipl": say("filings.instruments.pipl"),
    "gbt39335": say("filings.instruments.gbt39335"),
    "ethics_measures": say("filings.instruments.ethics_measures"),
    "nyc_ll144": say("filings.instruments.nyc_ll144"),
    "eu_ai_act": say("filings.instruments.eu_ai_act"),
}

#: Short English names, for citations in a sentence.
_SHORT_EN = {
    SHENZHEN: "Shenzhen AI Regulations",
    "algorithm_rules": "Algorithmic Recommendation Provisions",
    "pipl": "PIPL",
    "gbt39335": "GB/T 39335-2020",
    "ethics_measures": "Ethics Review Measures",
    "nyc_ll144": "NYC Local Law 144",
    "eu_ai_act": "EU AI Act",
}

#: Art. 72's review duty (its first paragraph's second sentence), as the filings cite it.
_REVIEW_DUTY = say("filings.review_duty")

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """An article number in Chinese numerals (1 to 99).

    >>> cn_number(16), cn_number(24), cn_number(55), cn_number(10), cn_number(21)
    ('十六', '二十四', '五十五', '十', '二十一')
    """
    if not 1 <= n <= 99:
        raise ValueError(f"article numbers 1 to 99 only, got {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + ("" if ones == 0 else _DIGITS[ones])


@dataclass(frozen=True)
class Clause:
    """A clause a part answers: the instrument, the clause's citation, and its words when the
    instrument is shipped (the Shenzhen regulation); otherwise ``quote`` is None."""

    instrument: str
    citation: Message
    quote: Message | None = None

    def __post_init__(self) -> None:
        if self.instrument not in INSTRUMENTS:
            raise ValueError(f"unknown instrument {self.instrument!r}")
        if self.quote is not None and self.instrument != SHENZHEN:
            raise ValueError("only the shipped Shenzhen regulation is quoted")

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "citation": self.citation.to_dict(),
            "quote": None if self.quote is None else self.quote.to_dict(),
        }


def cite(
    instrument: str,
    article: int | None = None,
    *,
    paragraph: int | None = None,
    item: int | None = None,
    zh: str = "",
    en: str = "",
) -> Clause:
    """A clause of an instrument cited by title and article number (not quoted).

    ``article``/``paragraph``/``item`` write the Chinese form 第五十五条第（二）项 and the
    English Art. 55(2); ``zh``/``en`` give another reference (a section of a standard, an
    annex), appended to the title.

    >>> c = cite("pipl", 55, item=2)
    >>> c.citation.zh, c.citation.en
    ('《中华人民共和国个人信息保护法》第五十五条第（二）项', 'PIPL Art. 55(2)')
    >>> cite("gbt39335", zh="5.5 个人权益影响分析", en="§5.5").citation.en
    'GB/T 39335-2020 §5.5'
    """
    title = INSTRUMENTS[instrument].zh
    short = _SHORT_EN[instrument]
    if article is None:
        return Clause(instrument, Message(f"{title}{zh}", f"{short} {en}".strip()))
    ref_zh = f"第{cn_number(article)}条"
    ref_en = f"Art. {article}"
    if paragraph is not None:
        ref_zh += f"第{cn_number(paragraph)}款"
        ref_en += f"({paragraph})"
    if item is not None:
        ref_zh += f"第（{cn_number(item)}）项"
        ref_en += f"({item})"
    return Clause(instrument, Message(f"{title}{ref_zh}{zh}", f"{short} {ref_en}{en}"))


def shenzhen(article: str) -> Clause:
    """A clause of the Shenzhen regulation by its machine key (``"72(4)"``, ``"71"``...), with
    its words as shipped.

    >>> shenzhen("72(4)").citation.en
    'Shenzhen AI Regulations Art. 72(2)(iv)'
    >>> shenzhen("72").citation.zh
    '《深圳经济特区人工智能产业促进条例》第七十二条第一款'
    """
    p = PROVISIONS[article]
    # the review duty is quoted alone here, without the second paragraph's lead-in the report
    # quotes with it: its paragraph is cited
    citation = _REVIEW_DUTY if article == ETHICS_REVIEW else p.citation
    return Clause(
        SHENZHEN,
        say(
            "filings.shenzhen.text",
            citation=citation,
            value=Message(INSTRUMENTS[SHENZHEN].zh, _SHORT_EN[SHENZHEN]),
        ),
        p.text,
    )
