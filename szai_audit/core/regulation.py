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

__all__ = ["REGULATION_FILE", "is_verbatim", "quotations", "regulation_text"]

REGULATION_FILE = "shenzhen_ai_regulations_2022.txt"
_ITEM_MARK = re.compile(r"^[（(][一二三四五六七][)）]")


@functools.cache
def regulation_text() -> str:
    """The regulation's text as shipped."""
    return (
        resources.files("szai_audit")
        .joinpath("regulation")
        .joinpath(REGULATION_FILE)
        .read_text(encoding="utf-8")
    )


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
