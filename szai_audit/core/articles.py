"""The articles of the regulation the audit evidences, by machine key, and how they are cited.

Findings carry an article as a short machine key (``"72(4)"``, kept in the JSON); what a person
reads is the citation below.
"""

from __future__ import annotations

from .messages import Message

__all__ = [
    "ARTICLES",
    "DISCRIMINATION",
    "ETHICS_REVIEW",
    "EXPLANATION",
    "PRICES",
    "PRIVACY",
    "RISK",
    "article_label",
]

#: No discrimination by race, gender, nationality, ethnicity, religious belief and the like.
DISCRIMINATION = "72(4)"
#: No different prices by the customer's habits, preferences or ability to pay.
PRICES = "72(5)"
#: Algorithms explained in a way the public can understand.
EXPLANATION = "71"
#: Supervision graded by risk level, scenario and scope of impact.
RISK = "66"
#: The ethics and safety review, and items (1) to (7) of what is forbidden.
ETHICS_REVIEW = "72"
#: Personal data provided to others de-identified.
PRIVACY = "33"

ARTICLES: dict[str, Message] = {
    DISCRIMINATION: Message("第七十二条第（四）项", "Art. 72(4)"),
    PRICES: Message("第七十二条第（五）项", "Art. 72(5)"),
    EXPLANATION: Message("第七十一条", "Art. 71"),
    RISK: Message("第六十六条", "Art. 66"),
    ETHICS_REVIEW: Message("第七十二条", "Art. 72"),
    PRIVACY: Message("第三十三条", "Art. 33"),
}


def article_label(article: str) -> Message:
    """The citation of an article key; an unknown key is shown as ``Art. <key>``.

    >>> article_label("71").en, article_label("9").en
    ('Art. 71', 'Art. 9')
    """
    return ARTICLES.get(article, Message(article, f"Art. {article}"))
