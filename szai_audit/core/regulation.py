"""The regulation's text as shipped with the package, and a check that a quotation is verbatim.

The text is the public Chinese text of the Shenzhen Special Economic Zone Regulations on
Promoting the Artificial Intelligence Industry (2022), in ``szai_audit/regulation/``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

from .articles import CHECKLIST_ITEMS, GRADING_MEASURES, ITEMS_LEAD_IN, PROVISIONS

__all__ = [
    "REGULATION_FILE",
    "article_paragraphs",
    "is_verbatim",
    "locate",
    "quotations",
    "regulation_text",
]

REGULATION_FILE = "shenzhen_ai_regulations_2022.txt"
_ITEM_MARK = re.compile(r"^[（(][一二三四五六七][)）]")
#: The head of an article: 第六十六条 followed by a space.
_ARTICLE_HEAD = re.compile(r"^第([一二三四五六七八九十]+)条\s")
#: A chapter heading: 第六章 治理原则与措施.
_CHAPTER_HEAD = re.compile(r"^第[一二三四五六七八九十]+章\s")
#: An in-line paragraph break of the shipped text: a space after a full stop. The published
#: text prints these as separate paragraphs (e.g. Art. 6 on Wikisource, 深圳經濟特區人工智能產業
#: 促進條例 (2022年)); the shipped copy lost some line breaks and kept a space instead.
_INLINE_BREAK = re.compile(r"(?<=[。；：])[ \u3000]+(?=\S)")
_CN_DIGITS = "一二三四五六七八九"


@functools.cache
def regulation_text() -> str:
    """The regulation's text as shipped."""
    return (
        resources.files("szai_audit")
        .joinpath("regulation")
        .joinpath(REGULATION_FILE)
        .read_text(encoding="utf-8")
    )


def _cn_int(numeral: str) -> int:
    """A Chinese numeral of 1 to 99 as an int (``六十六`` is 66)."""
    tens, _, ones = numeral.rpartition("十")
    if "十" not in numeral:
        return _CN_DIGITS.index(numeral) + 1
    value = 10 * (_CN_DIGITS.index(tens) + 1 if tens else 1)
    return value + (_CN_DIGITS.index(ones) + 1 if ones else 0)


@functools.cache
def article_paragraphs() -> dict[int, tuple[str, ...]]:
    """The shipped text split into articles and their paragraphs (款), by article number.

    A paragraph starts on a new line, or after a full stop followed by a space (the shipped
    copy's trace of a line break; the published text prints a new paragraph there). Items
    (（一）, （二）...) belong to the paragraph that lists them; an article that follows a space on
    the line of another starts there. Each paragraph is returned without the article's head.

    >>> len(article_paragraphs()[66])
    3
    >>> article_paragraphs()[66][2]
    '人工智能应用分级分类监管办法由市人民政府另行制定。'
    >>> [len(article_paragraphs()[n]) for n in (6, 33, 72)]
    [2, 2, 3]
    """
    out: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in regulation_text().splitlines():
        for piece in _INLINE_BREAK.split(line.strip()):
            piece = piece.strip()
            if not piece or _CHAPTER_HEAD.match(piece):
                continue
            head = _ARTICLE_HEAD.match(piece)
            if head:
                current = out.setdefault(_cn_int(head.group(1)), [])
                current.append(piece[head.end() :].strip())
            elif current is None:
                continue  # the title and the preamble
            elif _ITEM_MARK.match(unicodedata.normalize("NFKC", piece)) and current:
                current[-1] += piece
            else:
                current.append(piece)
    return {n: tuple(ps) for n, ps in out.items()}


def locate(quotation: str) -> list[tuple[int, int]]:
    """Where ``quotation`` stands in the regulation: every (article, paragraph) whose text holds
    it word for word (punctuation width and white space aside), paragraphs counted from 1.

    >>> locate("人工智能应用分级分类监管办法由市人民政府另行制定。")
    [(66, 3)]
    >>> locate("（四）因种族、性别、国籍、民族和宗教信仰等歧视用户")
    [(72, 2)]
    """
    q = _normal(quotation)
    return [
        (n, i + 1)
        for n, paragraphs in sorted(article_paragraphs().items())
        for i, text in enumerate(paragraphs)
        if q and q in _normal(text)
    ]


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def is_verbatim(quotation: str) -> bool:
    """Whether ``quotation`` appears word for word in the regulation (punctuation width and
    white space aside).

    >>> is_verbatim("（四）因种族、性别、国籍、民族和宗教信仰等歧视用户")
    True
    >>> is_verbatim("不得因种族、性别、国籍、民族、宗教信仰等歧视用户")
    False
    """
    return _normal(quotation) in _normal(regulation_text())


def quotations() -> list[str]:
    """Every passage of the regulation this library quotes."""
    texts = [p.text.zh for p in PROVISIONS.values()]
    texts += [p.text.zh for p in CHECKLIST_ITEMS.values()]
    texts += [GRADING_MEASURES.text.zh, ITEMS_LEAD_IN.zh]
    return texts
