"""The system card (``Audit(metadata=...)``) read in one language, and text checked for the
other language.

A field of the system card is one text for both languages (``"ethics@example.cn"``) or a text
per language (``{"zh": "示例银行", "en": "Example Bank"}``). Every page, filing and notice reads
a field through :func:`meta_message` (both languages, a
:class:`~szai_audit.core.messages.Message`) or :func:`meta_text` (the text of one output
language), so that a Chinese-only page shows only the Chinese text of each field and an
English-only page only the English. A mapping that gives one language only has that text in
both: a field is never left out because one of its languages is missing.

:func:`stray_language` finds the stretches of a text written in the other language (English
sentences in Chinese, Chinese in English): the check that a page in one language holds no
sentence of the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeAlias

from .messages import Message

__all__ = [
    "ALLOWED_LATIN",
    "META_LANGS",
    "MetaValue",
    "meta_message",
    "meta_text",
    "stray_language",
]

#: The languages of a field given per language, the keys of its mapping.
META_LANGS = ("zh", "en")

#: A field of the system card as given: one text, or a text per language (``{"zh", "en"}``).
MetaValue: TypeAlias = str | dict[str, str]


def meta_message(metadata: Mapping[str, Any] | None, key: str) -> Message | None:
    """The field ``key`` of the system card in both languages, or None when it is missing or
    blank.

    A text is the same in both languages; ``{"zh": ..., "en": ...}`` gives each language its
    own; a mapping with one language only (or the other one blank) has that text in both. A
    value of another kind (as a saved JSON file edited by hand may hold) is read as its text.

    Parameters
    ----------
    metadata : mapping or None
        The system card (``AuditResult.metadata``, or ``system`` of a saved audit).
    key : str
        The field, such as ``"organisation"``.

    Returns
    -------
    Message or None

    Examples
    --------
    >>> card = {"contact": "ethics@example.cn",
    ...         "organisation": {"zh": "示例银行", "en": "Example Bank"}}
    >>> meta_message(card, "organisation")
    Message(zh='示例银行', en='Example Bank')
    >>> meta_message(card, "contact")
    Message(zh='ethics@example.cn', en='ethics@example.cn')
    >>> meta_message({"appeal": {"zh": "书面申请复核"}}, "appeal")
    Message(zh='书面申请复核', en='书面申请复核')
    >>> meta_message(card, "purpose") is None, meta_message({"purpose": "  "}, "purpose") is None
    (True, True)
    """
    if not metadata:
        return None
    value = metadata.get(key)
    if value is None:
        return None
    if isinstance(value, Message):
        zh, en = value.zh, value.en
    elif isinstance(value, Mapping):
        zh, en = (_text(value.get(lang)) for lang in META_LANGS)
    else:
        zh = en = _text(value)
    if not zh.strip() and not en.strip():
        return None
    return Message(zh if zh.strip() else en, en if en.strip() else zh)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def meta_text(metadata: Mapping[str, Any] | None, key: str, lang: str) -> str | None:
    """The field ``key`` of the system card as a page in ``lang`` shows it, or None when it is
    missing or blank.

    ``"zh"`` and ``"en"`` give that language's text; ``"bilingual"`` gives ``"中文 / English"``,
    or the one text when both languages read the same (as the report shows a pair of texts).

    Parameters
    ----------
    metadata : mapping or None
        The system card.
    key : str
        The field.
    lang : {"zh", "en", "bilingual"}

    Returns
    -------
    str or None

    Raises
    ------
    KeyError
        ``lang`` is not one of the three.

    Examples
    --------
    >>> card = {"system_name": {"zh": "贷款审批模型", "en": "Loan approval model"},
    ...         "version": "1.2"}
    >>> meta_text(card, "system_name", "zh"), meta_text(card, "system_name", "en")
    ('贷款审批模型', 'Loan approval model')
    >>> meta_text(card, "system_name", "bilingual"), meta_text(card, "version", "bilingual")
    ('贷款审批模型 / Loan approval model', '1.2')
    >>> meta_text(card, "purpose", "zh") is None
    True
    """
    if lang not in ("zh", "en", "bilingual"):
        raise KeyError(f"lang must be 'zh', 'en' or 'bilingual', got {lang!r}")
    message = meta_message(metadata, key)
    if message is None:
        return None
    if lang != "bilingual":
        return message[lang]
    return message.zh if message.zh == message.en else f"{message.zh} / {message.en}"


#: Latin words that are not English sentences in a Chinese text: how an article is cited
#: ("Art. 24(3)") and common abbreviations. Besides these, a word written in capitals (an
#: abbreviation: "AUC", "PIPL", "SHAP", "GB/T"), a single letter ("k", "p") and a short unit
#: after a number ("64 MB", "3 km") never count as English words.
ALLOWED_LATIN = frozenset({"Art.", "Arts.", "No.", "e.g.", "i.e.", "vs.", "etc."})

#: The characters of Chinese text: CJK ideographs (with extension A and the compatibility
#: ideographs), CJK punctuation and full-width forms.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_RUN = re.compile(rf"[{_CJK}]+(?:[^A-Za-z\n{_CJK}]*[{_CJK}]+)*")
_URL = re.compile(r"(?:https?://|www\.)[^\s{cjk}]+".replace("{cjk}", _CJK), re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
#: A stretch of text outside Chinese: no CJK character, no line break.
_LATIN_STRETCH = re.compile(rf"[^\n{_CJK}]+")
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[A-Za-z]+(?:['’.\-][A-Za-z]+)*\.?")
_NUMBER = re.compile(r"[-+\u2212]?\d")
#: The length a stretch is shortened to.
_SHORT = 60


def stray_language(text: str, lang: str) -> list[str]:
    """The stretches of ``text`` written in the other language than ``lang``.

    For ``lang="zh"``: the English sentences, each a stretch of text without Chinese
    characters or a line break that holds three or more English words. An English word is a
    token of two or more Latin letters, not written all in capitals (an abbreviation such as
    "AUC", "PIPL", "SHAP", "GB/T"), not in :data:`ALLOWED_LATIN` ("Art.") and not a unit of up
    to three letters after a number ("64 MB"); e-mail addresses and URLs are taken out first,
    and numbers do not count. So "Art. 24(3)", "AUC 0.91" or "ethics@example.cn" inside a
    Chinese sentence are not English sentences; "Customers may ask for a human review" is.

    For ``lang="en"``: every stretch of Chinese (CJK ideographs, CJK punctuation, full-width
    forms), stretches separated only by spaces, digits or punctuation taken together.

    Parameters
    ----------
    text : str
    lang : {"zh", "en"}
        The language ``text`` should be written in.

    Returns
    -------
    list of str
        Each stretch as it stands in ``text`` (stripped), shortened to 60 characters ("…"
        marks a cut), in order; empty when ``text`` is in ``lang`` only.

    Raises
    ------
    KeyError
        ``lang`` is neither ``"zh"`` nor ``"en"``.

    Examples
    --------
    >>> stray_language("请发送邮件至 ethics@example.cn，依据 Art. 24(3)，AUC 0.91。", "zh")
    []
    >>> stray_language("客户可申请人工复核 Customers may ask for a human review", "zh")
    ['Customers may ask for a human review']
    >>> stray_language("数据为 64 MB 的 PIPL 样本", "zh")
    []
    >>> stray_language("Example Bank 示例银行 (demo)", "en")
    ['示例银行']
    >>> stray_language("within 15 days（十五日内）", "en")
    ['（十五日内）']
    """
    if lang == "en":
        return [_short(m.group(0).strip()) for m in _CJK_RUN.finditer(text)]
    if lang != "zh":
        raise KeyError(f"lang must be 'zh' or 'en', got {lang!r}")
    cleaned = _EMAIL.sub("\n", _URL.sub("\n", text))
    out = []
    for m in _LATIN_STRETCH.finditer(cleaned):
        if _english_words(m.group(0)) >= 3:
            out.append(_short(m.group(0).strip(" \t,;:·-—")))
    return out


def _english_words(stretch: str) -> int:
    """How many English words a stretch without Chinese holds (see :func:`stray_language`)."""
    count = 0
    after_number = False
    for token in _TOKEN.findall(stretch):
        bare = token.strip("\"'“”‘’()[]{},;:!?")
        if _NUMBER.match(bare):
            after_number = True
            continue
        word = _WORD.fullmatch(bare)
        if word is None:
            after_number = False
            continue
        letters = re.sub(r"[^A-Za-z]", "", bare)
        unit = after_number and len(letters) <= 3
        after_number = False
        if (
            len(letters) < 2
            or bare.upper() == bare
            or bare in ALLOWED_LATIN
            or bare.rstrip(".") + "." in ALLOWED_LATIN
            or unit
        ):
            continue
        count += 1
    return count


def _short(text: str) -> str:
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"
