"""The grounds a sensitive attribute can be declared under, and how they are named.

Art. 72(2)(iv) names race, gender, nationality, ethnicity and religious belief, and the list is
open ("and the like"): age, disability and region/hukou are known too, and any other name is
accepted as the user wrote it. Intersections of grounds are named ``"gender × age"``.
"""

from __future__ import annotations

from .catalog import say
from .messages import Message

__all__ = [
    "GROUNDS",
    "GROUND_ALIASES",
    "INTERSECTION_SEP",
    "LISTED_GROUNDS",
    "canonical_ground",
    "ground_label",
    "grounds_basis",
]


GROUNDS: dict[str, Message] = {
    "race": say("core.grounds.race"),
    "gender": say("core.grounds.gender"),
    "nationality": say("core.grounds.nationality"),
    "ethnicity": say("core.grounds.ethnicity"),
    "religion": say("core.grounds.religion"),
    "age": say("core.grounds.age"),
    "disability": say("core.grounds.disability"),
    "region": say("core.grounds.region"),
}


#: The grounds Art. 72(2)(iv) names; every other ground is audited under its "等" (and the like).
LISTED_GROUNDS: tuple[str, ...] = ("race", "gender", "nationality", "ethnicity", "religion")


#: How the grounds of an intersection are joined in its name: ``"gender × nationality"``.
INTERSECTION_SEP = " × "


#: Other spellings users write for a known ground (matched after lower-casing).
GROUND_ALIASES: dict[str, str] = {
    "sex": "gender",
    "religious_belief": "religion",
    "religious belief": "religion",
    "hukou": "region",
    "household_registration": "region",
    "种族": "race",
    "性别": "gender",
    "国籍": "nationality",
    "民族": "ethnicity",
    "宗教": "religion",
    "宗教信仰": "religion",
    "年龄": "age",
    "残疾": "disability",
    "残疾状况": "disability",
    "地域": "region",
    "户籍": "region",
}


def canonical_ground(name: str) -> str:
    """The ground a user's key names: ``"Gender"``, ``"sex"`` and ``"性别"`` are all ``"gender"``.

    >>> canonical_ground("性别"), canonical_ground("Sex"), canonical_ground("caste")
    ('gender', 'gender', 'caste')
    """
    key = name.strip().lower()
    if key in GROUNDS:
        return key
    return GROUND_ALIASES.get(key, name)


def ground_label(ground: str) -> Message:
    """Display name of a ground, or of an intersection ``"gender × age"``; a user-named ground
    is shown as the user wrote it.

    >>> ground_label("gender").zh
    '性别'
    >>> ground_label("caste").en
    'caste'
    >>> ground_label("gender × age").zh
    '性别 × 年龄'
    """
    if INTERSECTION_SEP in ground:
        parts = [ground_label(p) for p in ground.split(INTERSECTION_SEP)]
        return Message(
            INTERSECTION_SEP.join(p.zh for p in parts), INTERSECTION_SEP.join(p.en for p in parts)
        )
    return GROUNDS.get(ground, Message(ground, ground))


def grounds_basis(grounds: list[str]) -> Message | None:
    """Which of the audited ``grounds`` Art. 72(2)(iv) names, and which are audited under its
    "等" (and the like); None when every ground is named (nothing to explain). Intersections
    are left out: their grounds are said one by one.

    >>> grounds_basis(["gender", "nationality", "age"]).zh
    '性别、国籍为第七十二条第二款第（四）项明列的事由；年龄未列明，按该项“等”字所含的事由审计。'
    >>> grounds_basis(["age"]).en
    'Age is not named by Art. 72(2)(iv) and is audited under the item’s “and the like”.'
    >>> grounds_basis(["gender"]) is None
    True
    """
    single = [g for g in dict.fromkeys(grounds) if INTERSECTION_SEP not in g]
    listed = [ground_label(g) for g in single if g in LISTED_GROUNDS]
    like = [ground_label(g) for g in single if g not in LISTED_GROUNDS]
    if not like:
        return None
    like_zh = "、".join(m.zh for m in like)
    like_en = _and([m.en for m in like])
    if not listed:
        return say(
            "core.grounds_basis.like_only",
            like=Message(like_zh, like_en[:1].upper() + like_en[1:]),
            verb=Message("", "is" if len(like) == 1 else "are"),
        )
    listed_en = _and([m.en for m in listed])
    return say(
        "core.grounds_basis.listed_and_like",
        listed=Message("、".join(m.zh for m in listed), listed_en[:1].upper() + listed_en[1:]),
        like=Message(like_zh, like_en),
        verb=Message("", "is" if len(like) == 1 else "are"),
        verb_listed=Message("", "is" if len(listed) == 1 else "are"),
    )


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
