"""The articles of the regulation the audit evidences: machine keys, citations and the text.

Findings carry an article as a short machine key (``"72(4)"``, kept in the JSON); what a person
reads is its citation, in one form everywhere: 第七十二条第二款第（四）项 / Art. 72(2)(iv)
(Article 72 has three paragraphs; items (一) to (七) sit in its second), 第三十三条第二款 /
Art. 33(2),
第六十六条第二款 / Art. 66(2). Every quotation of the regulation the report prints comes from
:data:`PROVISIONS` and is checked, word for word, against the text shipped in
``szai_audit/regulation/`` (see :mod:`szai_audit.core.regulation`).
"""

from __future__ import annotations

from dataclasses import dataclass

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
        """Citation and topic, as a section heading: ``第七十一条：算法说明``."""
        return Message(
            f"{self.citation.zh}：{self.topic.zh}", f"{self.citation.en}: {self.topic.en}"
        )


_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii")
_CN = "一二三四五六七"

#: The words before the list of items in Art. 72(2).
ITEMS_LEAD_IN = Message(
    "开展人工智能研究和应用活动，不得从事下列行为：",
    "In artificial intelligence research and application, the following are forbidden:",
)

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
        "歧视",
        "discrimination",
    ),
    (
        "利用算法技术根据用户的习惯、偏好、支付能力实施价格歧视或者消费欺诈等侵害消费者权益的行为",
        "using algorithms to discriminate in price, or defraud consumers, by users' habits, "
        "preferences or ability to pay, or other acts that harm consumers' rights",
        "价格歧视",
        "price discrimination",
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
        citation=Message(f"第七十二条第二款第（{_CN[i]}）项", f"Art. 72(2)({_ROMAN[i]})"),
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
        Message("第七十一条", "Art. 71"),
        Message(
            "对于公共决策领域以及涉及公共利益的商业领域的算法，提供人工智能产品和服务的组织或者"
            "个人应当采取利于公众理解的方式进行算法说明。",
            "For algorithms used in public decision-making, or in commercial fields that touch "
            "the public interest, the organisation or person providing the AI product or "
            "service shall explain the algorithm in a way the public can understand.",
        ),
        Message("算法说明", "explaining the algorithm"),
    ),
    RISK: Provision(
        RISK,
        Message("第六十六条第二款", "Art. 66(2)"),
        Message(
            "高风险的人工智能应用应当采用事前评估和风险预警的监管模式。中低风险的人工智能应用"
            "应当采用事前披露和事后跟踪的监管模式。",
            "High-risk AI applications shall be supervised by ex-ante assessment and risk early "
            "warning; medium- and low-risk applications by ex-ante disclosure and ex-post "
            "tracking.",
        ),
        Message("风险等级", "risk tier"),
    ),
    ETHICS_REVIEW: Provision(
        ETHICS_REVIEW,
        Message("第七十二条", "Art. 72"),
        Message(
            "相关组织或者个人应当对人工智能产品和服务在国家利益、公共安全、商业秩序以及个人权益"
            "等方面可能产生的不利影响进行伦理安全规范审查和风险评估。",
            "The organisation or person concerned shall conduct an ethics and safety review "
            "and a risk assessment of the adverse effects the AI product or service may have "
            "on national interests, public safety, commercial order and individual rights.",
        ),
        Message("伦理安全审查清单", "ethics and safety review checklist"),
    ),
    PRIVACY: Provision(
        PRIVACY,
        Message("第三十三条第二款", "Art. 33(2)"),
        Message(
            "从事人工智能研究和应用的组织和个人对外提供其依法获取的个人数据的，除法律、法规另有"
            "规定的外，应当进行去标识化处理。",
            "An organisation or person engaged in AI research or application that provides to "
            "others personal data it has lawfully obtained shall de-identify it, unless laws "
            "or regulations provide otherwise.",
        ),
        Message("去标识化", "de-identification"),
    ),
}

#: Art. 66(2)'s last sentence: the city's grading measures are still to be issued.
GRADING_MEASURES = Provision(
    "66(2)-measures",
    Message("第六十六条第二款", "Art. 66(2)"),
    Message(
        "人工智能应用分级分类监管办法由市人民政府另行制定。",
        "The measures for graded and classified supervision of AI applications shall be "
        "formulated separately by the municipal government.",
    ),
    Message("分级分类监管办法", "grading measures"),
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
    'Art. 71: explaining the algorithm'
    """
    return PROVISIONS.get(article)
