"""The articles of the regulation the audit evidences: machine keys, citations and the text.

Findings carry an article as a short machine key (``"72(4)"``, kept in the JSON); what a person
reads is its citation, in one form everywhere: 第七十二条第二款第（四）项 / Art. 72(2)(iv)
(Article 72 has three paragraphs; items (一) to (七) sit in its second), 第三十三条第二款 /
Art. 33(2),
第六十六条第二款 / Art. 66(2) (the supervision of high- and of medium- and low-risk uses; its
third paragraph, 第六十六条第三款 / Art. 66(3), leaves the grading measures to the city). Every
quotation of the regulation the report prints comes from
:data:`PROVISIONS` and is checked, word for word, against the text shipped in
``szai_audit/regulation/`` (see :mod:`szai_audit.core.regulation`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import say
from .messages import Message

__all__ = [
    "ARTICLES",
    "CHECKLIST_ITEMS",
    "DISCRIMINATION",
    "ETHICS_REVIEW",
    "EXPLANATION",
    "GRADING_MEASURES",
    "ITEMS_LEAD_IN",
    "PRICES",
    "PRIVACY",
    "PROVISIONS",
    "RISK",
    "Provision",
    "article_label",
    "provision",
]

#: No discrimination by race, gender, nationality, ethnicity, religious belief and the like.
DISCRIMINATION = "72(4)"
#: No different prices by the customer's habits, preferences or ability to pay.
PRICES = "72(5)"
#: Algorithms explained in a way the public can understand.
EXPLANATION = "71"
#: Supervision graded by risk level, scenario and scope of impact.
RISK = "66"
#: The ethics and safety review, and items (一) to (七) of what is forbidden.
ETHICS_REVIEW = "72"
#: Personal data provided to others de-identified.
PRIVACY = "33"


@dataclass(frozen=True)
class Provision:
    """One provision of the regulation: its citation, its words and a short topic.

    ``text.zh`` is quoted verbatim from the regulation (punctuation may be full-width);
    ``text.en`` is this library's translation, not an official one.
    """

    key: str
    citation: Message
    text: Message
    topic: Message

    def heading(self) -> Message:
        """Topic and citation, as a section heading: ``算法说明（第七十一条）``. The topic is the
        provision's subject (平等对待, not 歧视): a heading filed with the report must not read
        as a finding against the organisation."""
        return say("core.heading.text", citation=self.citation, topic=self.topic)


_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii")
_CN = "一二三四五六七"

#: The words before the list of items in Art. 72(2).
ITEMS_LEAD_IN = say("core.items_lead_in")

_ITEM_TEXTS: tuple[tuple[str, str, str, str], ...] = (
    (
        "提供危害国家安全或者社会公共利益的产品和服务",
        "providing products and services that endanger national security or the public interest",
        "国家安全与公共利益",
        "national security and the public interest",
    ),
    (
        "侵犯个人隐私或者侵害个人信息权益",
        "infringing personal privacy or personal-information rights",
        "个人隐私与个人信息",
        "privacy and personal information",
    ),
    (
        "提供危害身心健康的产品和服务",
        "providing products and services that harm physical or mental health",
        "身心健康",
        "physical and mental health",
    ),
    (
        "因种族、性别、国籍、民族和宗教信仰等歧视用户",
        "discriminating against users by race, gender, nationality, ethnicity, religious "
        "belief and the like",
        "平等对待",
        "equal treatment",
    ),
    (
        "利用算法技术根据用户的习惯、偏好、支付能力实施价格歧视或者消费欺诈等侵害消费者权益的行为",
        "using algorithms to discriminate in price, or defraud consumers, by users' habits, "
        "preferences or ability to pay, or other acts that harm consumers' rights",
        "公平定价",
        "fair pricing",
    ),
    (
        "利用深度合成技术从事禁止行为",
        "using deep-synthesis technology for prohibited acts",
        "深度合成",
        "deep synthesis",
    ),
    (
        "其他违反有关法律法规和伦理安全规范的行为",
        "other acts against the relevant laws, regulations and ethics and safety norms",
        "其他违反法律法规和伦理安全规范的行为",
        "other unlawful acts",
    ),
)

#: Art. 72(2)'s items (一) to (七), by number 1 to 7.
CHECKLIST_ITEMS: dict[int, Provision] = {
    i + 1: Provision(
        key=f"72(2)({i + 1})",
        citation=say("core.checklist_items.art_72_2", value=Message(_CN[i], _ROMAN[i])),
        text=Message(f"（{_CN[i]}）{zh}", f"({_ROMAN[i]}) {en}"),
        topic=Message(tzh, ten),
    )
    for i, (zh, en, tzh, ten) in enumerate(_ITEM_TEXTS)
}

#: The provisions the report cites, by machine key.
PROVISIONS: dict[str, Provision] = {
    DISCRIMINATION: CHECKLIST_ITEMS[4],
    PRICES: CHECKLIST_ITEMS[5],
    EXPLANATION: Provision(
        EXPLANATION,
        say("core.provisions.art_71"),
        say("core.provisions.algorithms_used_public_decision"),
        say("core.provisions.explaining_algorithm"),
    ),
    RISK: Provision(
        RISK,
        say("core.provisions.art_66_2"),
        say("core.provisions.high_risk_ai_applications"),
        say("core.provisions.risk_tier"),
    ),
    ETHICS_REVIEW: Provision(
        ETHICS_REVIEW,
        say("core.provisions.art_72"),
        say("core.provisions.organisation_or_person_concerned"),
        say("core.provisions.ethics_safety_review_checklist"),
    ),
    PRIVACY: Provision(
        PRIVACY,
        say("core.provisions.art_33_2"),
        say("core.provisions.organisation_or_person_engaged"),
        say("core.provisions.de_identification"),
    ),
}

#: Art. 66(3): the city's grading measures are still to be issued. (Art. 66 has three
#: paragraphs: graded supervision; the supervision of high- and of medium- and low-risk uses;
#: the grading measures. See :func:`szai_audit.core.regulation.paragraphs`.)
GRADING_MEASURES = Provision(
    "66(3)",
    say("core.grading_measures.art_66_3"),
    say("core.grading_measures.measures_graded_classified_supervision"),
    say("core.grading_measures.grading_measures"),
)

ARTICLES: dict[str, Message] = {key: p.citation for key, p in PROVISIONS.items()}


def article_label(article: str) -> Message:
    """The citation of an article key; an unknown key is shown as ``Art. <key>``.

    >>> article_label("72(4)").zh, article_label("72(4)").en
    ('第七十二条第二款第（四）项', 'Art. 72(2)(iv)')
    >>> article_label("9").en
    'Art. 9'
    """
    return ARTICLES.get(article, Message(article, f"Art. {article}"))


def provision(article: str) -> Provision | None:
    """The provision of an article key, or None.

    >>> provision("71").heading().en
    'Explaining the algorithm (Art. 71)'
    """
    return PROVISIONS.get(article)
