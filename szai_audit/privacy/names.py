"""Art. 33(2): columns whose *name* says they hold personal information (``姓名``, ``手机号``,
``id_number``, ``email``...)."""

from __future__ import annotations

import re
from typing import Any

# Words naming whose attribute it is ("customer_phone", "home_address"); may precede a keyword.
_WHO = (
    r"(?:customer|client|user|patient|applicant|person|personal|holder|cardholder|account"
    r"|accountholder|employee|contact|member|borrower|buyer|owner|driver|home|work|primary|main)?"
)


_NO = r"(?:no|num|number)?"


# Checked in this order; Chinese keywords anywhere in the name, English patterns on the whole
# normalised name (lower case, without "_", "-", ".", blanks and trailing digits).
_NAME_RULES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("email", ("邮箱", "电子邮件", "电邮", "邮件地址"), rf"{_WHO}e?mail(?:address|addr)?"),
    (
        "ip_address",
        ("ip地址",),
        r"(?:client|user|source|src|dest|dst|remote|login|device|host)?ip(?:v[46])?(?:addr|address)?",
    ),
    (
        "resident_id",
        ("身份证", "证件号", "身份号码"),
        rf"{_WHO}(?:id(?:card{_NO}|no|num|number)|citizenid{_NO}|nationalid{_NO}|residentid{_NO}"
        rf"|identity(?:card)?{_NO}|ssn|socialsecurity{_NO}|sfz(?:h|hm)?)",
    ),
    (
        "bank_card",
        ("银行卡", "卡号", "银行账号", "银行账户"),
        rf"{_WHO}(?:(?:bank|credit|debit)?card(?:no|num|number)|(?:bank|credit|debit)card"
        rf"|bank(?:account|acct){_NO}|(?:account|acct)(?:no|num|number)|iban)",
    ),
    (
        "licence_plate",
        ("车牌",),
        rf"{_WHO}(?:(?:licen[cs]e|number|car|vehicle|registration)?plate{_NO})",
    ),
    (
        "mobile",
        ("手机", "电话", "联系方式"),
        rf"{_WHO}(?:(?:(?:mobile|cell|cellular)(?:phone)?|phone|telephone|tel){_NO}|sjh|shoujihao)",
    ),
    (
        "name_column",
        ("姓名", "名字", "联系人"),
        rf"{_WHO}(?:(?:full|first|last|given|family|middle|real|legal|sur)?name|xingming)",
    ),
    (
        "address",
        ("住址", "地址", "住所", "居住地"),
        rf"{_WHO}(?:home|street|mailing|postal|residential|billing|shipping|delivery)?"
        r"(?:address|addr)",
    ),
)


def normalise_name(name: Any) -> str:
    return re.sub(r"[0-9]+$", "", re.sub(r"[\s_\-.]+", "", str(name).lower()))


def detect_name(column: Any) -> str | None:
    """The detector a column's name points to, or ``None``.

    Chinese keywords match anywhere in the name (``联系电话`` -> ``mobile``); English patterns
    must cover the whole name once lower-cased, with ``_``, ``-``, ``.``, blanks and trailing
    digits removed, optionally after a word saying whose it is (``customer_phone``,
    ``home_address``). So ``telephone`` is a hit but ``hotel`` or ``product_name`` are not.

    Examples
    --------
    >>> detect_name("身份证号"), detect_name("ID-Number"), detect_name("Full Name")
    ('resident_id', 'resident_id', 'name_column')
    >>> detect_name("联系电话"), detect_name("telephone"), detect_name("product_name")
    ('mobile', 'mobile', None)
    """
    norm = normalise_name(column)
    for detector, chinese, english in _NAME_RULES:
        if any(word in norm for word in chinese) or re.fullmatch(english, norm):
            return detector
    return None
