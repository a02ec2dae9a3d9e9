"""The articles of the regulation the audit evidences, by machine key, and how they are cited.

Findings carry an article as a short machine key (``"72(4)"``, kept in the JSON); what a person
reads is the citation below.
"""

from __future__ import annotations

from .messages import Message

__all__ = ["ARTICLES", "article_label"]

ARTICLES: dict[str, Message] = {
    "72(4)": Message("第七十二条第（四）项", "Art. 72(4)"),
    "72(5)": Message("第七十二条第（五）项", "Art. 72(5)"),
    "71": Message("第七十一条", "Art. 71"),
    "66": Message("第六十六条", "Art. 66"),
    "72": Message("第七十二条", "Art. 72"),
    "33": Message("第三十三条", "Art. 33"),
}


def article_label(article: str) -> Message:
    """The citation of an article key; an unknown key is shown as ``Art. <key>``.

    >>> article_label("71").en, article_label("9").en
    ('Art. 71', 'Art. 9')
    """
    return ARTICLES.get(article, Message(article, f"Art. {article}"))
