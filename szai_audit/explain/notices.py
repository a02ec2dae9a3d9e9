"""Notices for the people affected: one short bilingual page (HTML) and plain text per person,
from their :class:`~szai_audit.explain.person.PersonExplanation`, written offline in the
report's styling, with each notice checked for plain language before it is written.

A notice holds the person's own values, the model's decision and score, the principal reasons,
what would change the decision, what the explanation is and is not, and how to contest it (the
organisation's ``appeal`` and ``contact``). It never names another person: the only other
people it describes are the many who received the favourable decision, by a median or a most
common value over at least ``min_count`` of them (see
:func:`~szai_audit.explain.person.explain_people`).

:func:`notice_problems` is the check (the rules of the report's linter, for one notice):

* ``identifier``: a column name or a raw category value (an identifier of the data, in ASCII)
  in a Chinese sentence: a display name or a value label is missing;
* ``code``: code in a Chinese sentence (``x >= 3``, ``a=b``);
* ``causality``: words that claim a cause ("because you", "due to your", "因为您", "由于您");
  a notice says what the model weighed, not why the person is as they are;
* ``sensitive``: a sensitive input (a ground or its proxy) given as a reason or changed, or
  its display name in the notice;
* ``unit``: a number given without a unit, where the column's display name declares none
  (a third element ``""`` in ``feature_labels`` says that a number has no unit);
* ``privacy``: a value of another person shown: a category held by fewer than ``k`` people
  of the data (``policy.k_anonymity``), offered as a change or given as what others have.
  A notice with a privacy problem is not written (:func:`write_notices`); its line in
  ``index.csv`` says why. The person's own values are theirs to see.

No problem, in ``index.csv``, in the batch or in a warning, quotes a value held by fewer than
``k`` people: it is given by its stand-in (:mod:`szai_audit.core.rare`).
"""

from __future__ import annotations

import functools
import re
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.catalog import say
from ..core.data import fingerprint, is_numeric
from ..core.errors import InputError, NoticeWarning
from ..core.files import PathLike, together, write_text
from ..core.html import FONT_STACK, FONT_STACK_LATIN, environment, visible_text
from ..core.messages import Message, first_upper
from ..core.metadata import meta_message, stray_language
from ..core.orders import is_better
from ..core.progress import stage
from ..core.rare import rare_values, stand_in_text
from .person import PersonExplanation, explain_people
from .words import feature_label

__all__ = [
    "NoticeBatch",
    "notice_checks",
    "notice_html",
    "notice_problems",
    "notice_text",
    "person_notices",
    "saved_audit_options",
    "write_notices",
]

_CAUSAL = re.compile(
    r"因为您|由于您|因您|导致您|because\s+(?:you|of\s+your)|due\s+to\s+your|caused\s+by\s+your",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Za-z_]\w*\s?(?:>=|<=|==|!=)\s?\d|\b\w+=")
_ASCII_WORD = re.compile(r"[A-Za-z]")
#: A number of months written "18 月" (a date's "12 月 1 日" and "月份" are not).
_BARE_MONTHS = re.compile(r"\d[\d,]*\s?月(?!份|\s?\d+\s?日)")

TITLE = say("explain.title")
DECISION = {
    True: say("explain.decision.true"),
    False: say("explain.decision.false"),
}
REASONS_HEADING = say("explain.reasons_heading")
PROTECTED_HEADING = say("explain.protected_heading")
RECOURSE_HEADING = say("explain.recourse_heading")
ABOUT_HEADING = say("explain.about_heading")
RIGHTS_HEADING = say("explain.rights_heading")
#: How far a person took part in the decision (``UseContext.automation``).
AUTOMATION = ("fully_automated", "human_review", "advisory")
#: The metadata fields a notice's rights section reads, each a NEEDS_REVIEW line when missing.
RIGHTS_FIELDS = ("review", "response_time", "complaint")
#: Each of them said, given its value, and its placeholder when missing.
RIGHTS: dict[str, tuple[Callable[[Message], Message], Message]] = {
    "review": (
        lambda v: say("explain.rights.review", value=v),
        say("explain.rights.review_missing"),
    ),
    "response_time": (
        lambda v: say("explain.rights.response_time", value=v),
        say("explain.rights.response_time_missing"),
    ),
    "complaint": (
        lambda v: say("explain.rights.complaint", value=v),
        say("explain.rights.complaint_missing"),
    ),
}
#: Whether a person took part in the decision, in words.
INVOLVEMENT = {
    "fully_automated": say("explain.involvement.fully_automated"),
    "human_review": say("explain.involvement.human_review"),
    "advisory": say("explain.involvement.advisory"),
}


@dataclass(frozen=True)
class Line:
    """A sentence of a notice; ``review``: a placeholder the organisation must fill in
    before the notice is sent (NEEDS_REVIEW)."""

    text: Message
    review: bool = False


def _number_beside(score: float, cut: float) -> str:
    """The score with two decimals, or as many more as keep it apart from the cut-off (a
    refused 0.497 is never written as the cut-off 0.50)."""
    for digits in (2, 3, 4, 6):
        text = f"{score:.{digits}f}"
        if score == cut or float(text) != cut:
            return text
    return f"{score:.6f}"


def _score_line(p: PersonExplanation) -> Message | None:
    if p.score is None:
        return None
    if p.cutoff is None:
        return say("explain.score_line.no_cutoff", s=f"{p.score:.2f}")
    return say(
        "explain.score_line.at_or_above" if p.cutoff.inclusive else "explain.score_line.above",
        s=_number_beside(p.score, p.cutoff.value),
        cut=f"{p.cutoff.value:.2f}",
    )


def _joined(*parts: Message | None) -> Message:
    kept = [m for m in parts if m is not None]
    return Message("".join(m.zh for m in kept), " ".join(m.en for m in kept))


def _first_up(m: Message) -> Message:
    return Message(m.zh, first_upper(m.en))


def _meta(
    reference: str, metadata: Mapping[str, Any], on: date, decided: date | None
) -> list[Line]:
    lines = [
        Line(m) for key in ("system_name", "organisation") if (m := meta_message(metadata, key))
    ]
    lines.append(Line(say("explain.meta.reference", reference=reference)))
    if decided is None:
        lines.append(Line(say("explain.meta.decided_missing"), review=True))
    else:
        lines.append(Line(say("explain.meta.decided", value=decided.isoformat())))
    lines.append(Line(say("explain.meta.date", value=on.isoformat())))
    return lines


def _involvement(automation: str | None) -> Line:
    """Whether a person took part in the decision, from ``UseContext.automation``."""
    if automation is None:
        return Line(say("explain.involvement.missing"), review=True)
    return Line(INVOLVEMENT[automation])


def _rights(metadata: Mapping[str, Any], automation: str | None) -> list[Line]:
    out = [Line(say("explain.rights.explain"))]
    if automation is None:
        out.append(Line(say("explain.rights.solely_missing"), review=True))
    elif automation == "fully_automated":
        out.append(Line(say("explain.rights.solely_automated")))
    else:
        out.append(Line(say("explain.rights.not_solely")))
    review = meta_message(metadata, "review") or meta_message(metadata, "appeal")
    given = (review, *(meta_message(metadata, k) for k in RIGHTS_FIELDS[1:]))
    for key, value in zip(RIGHTS_FIELDS, given, strict=True):
        said, missing = RIGHTS[key]
        out.append(Line(missing, review=True) if value is None else Line(said(value)))
    out.append(Line(say("explain.rights.correct")))
    if (contact := meta_message(metadata, "contact")) is not None:
        out.append(Line(say("explain.rights.contact", value=contact)))
    return out


def _page(
    p: PersonExplanation,
    reference: str,
    metadata: Mapping[str, Any],
    on: date,
    decided: date | None = None,
    automation: str | None = None,
) -> dict[str, Any]:
    """What a notice says, in Messages, for the HTML page and the text."""
    about = [say("explain.about.reasons_above_describe_how")]
    if p.recourse:
        about.append(say("explain.about.changes_listed_computed_from"))
    disclosed = p.disclosure()
    return {
        "title": TITLE,
        "meta": _meta(reference, metadata, on, decided),
        "favourable": p.favourable,
        "decision": _joined(DECISION[p.favourable], _score_line(p)),
        "involvement": _involvement(automation),
        "reasons_heading": REASONS_HEADING,
        "reasons_intro": say(
            "explain.reasons_intro.none"
            if not p.reasons
            else "explain.reasons_intro.for"
            if p.favourable
            else "explain.reasons_intro.against"
        ),
        "reasons": [_first_up(r.sentence) for r in p.reasons],
        "protected_heading": PROTECTED_HEADING,
        "protected_intro": disclosed if (disclosed.zh or disclosed.en) else None,
        "protected": [_first_up(u.sentence) for u in p.protected],
        "recourse_heading": RECOURSE_HEADING,
        "recourse_note": None if p.favourable else p.recourse_note,
        "options": [_first_up(o.sentence()) for o in p.recourse],
        "about_heading": ABOUT_HEADING,
        "about": about,
        "rights_heading": RIGHTS_HEADING,
        "rights": _rights(metadata, automation),
        "marker": say("explain.needs_review_marker"),
    }


def _check_lang(lang: str, allowed: Sequence[str] = ("bilingual", "zh", "en")) -> None:
    if lang not in allowed:
        raise InputError(f"lang must be one of {list(allowed)}, got {lang!r}.")


def _check_automation(automation: str | None) -> None:
    if automation is not None and automation not in AUTOMATION:
        raise InputError(
            f"automation must be one of {list(AUTOMATION)} (UseContext.automation) or None, got "
            f"{automation!r}."
        )


def notice_html(
    p: PersonExplanation,
    *,
    reference: str,
    metadata: Mapping[str, Any] | None = None,
    lang: str = "bilingual",
    on: date | None = None,
    decided: date | None = None,
    automation: str | None = None,
) -> str:
    """One person's notice as a standalone HTML page (inline CSS, no script, no external URL).

    Parameters
    ----------
    p : PersonExplanation
    reference : str
        The decision's reference (the person's row label), shown on the notice.
    metadata : mapping, optional
        The audit's metadata, each field text or ``{"zh": ..., "en": ...}``:
        ``system_name``, ``organisation``, ``review`` (how to ask for an explanation or a
        human review; ``appeal`` when missing), ``response_time``, ``complaint`` (where to
        complain), ``contact``. A missing ``review``, ``response_time`` or ``complaint`` is
        a NEEDS_REVIEW placeholder, marked in red.
    lang : {"bilingual", "zh", "en"}
    on : date, optional
        The day the notice is written (today).
    decided : date, optional
        The day of the decision; a NEEDS_REVIEW placeholder when not given.
    automation : {"fully_automated", "human_review", "advisory"}, optional
        Whether a person took part in the decision (``UseContext.automation``): it decides
        whether the right to refuse a decision made solely by automated means applies. A
        NEEDS_REVIEW placeholder when not given.
    """
    _check_lang(lang)
    _check_automation(automation)
    page = _page(p, reference, metadata or {}, on or date.today(), decided, automation)
    page.update(
        html_lang={"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}[lang],
        font_stack=FONT_STACK,
        font_stack_latin=FONT_STACK_LATIN,
        title_text=TITLE.en if lang == "en" else TITLE.zh,
    )
    return _template().render(page=page, lang=lang)


@functools.cache
def _template() -> Any:
    """The notice's template, loaded once."""
    return environment().get_template("person_notice.html.j2")


def notice_text(
    p: PersonExplanation,
    *,
    reference: str,
    metadata: Mapping[str, Any] | None = None,
    on: date | None = None,
    lang: str = "bilingual",
    decided: date | None = None,
    automation: str | None = None,
) -> str:
    """One person's notice as plain text: Chinese, then English (``lang="bilingual"``), or
    one language; control and bidirectional formatting characters shown as escapes, as in
    the HTML notice (:func:`~szai_audit.core.html.visible_text`). The arguments are those of
    :func:`notice_html`; a NEEDS_REVIEW line starts with its marker."""
    _check_lang(lang)
    _check_automation(automation)
    page = _page(p, reference, metadata or {}, on or date.today(), decided, automation)
    marker = say("explain.needs_review_marker")

    def line(item: Line, lang: str) -> str:
        return f"{marker[lang]} {item.text[lang]}" if item.review else item.text[lang]

    parts = []
    for one in ("zh", "en") if lang == "bilingual" else (lang,):
        lines = [page["title"][one], *(line(m, one) for m in page["meta"]), ""]
        lines += [page["decision"][one], line(page["involvement"], one), ""]
        lines += [page["reasons_heading"][one], page["reasons_intro"][one]]
        lines += [f"{i}. {r[one]}" for i, r in enumerate(page["reasons"], 1)]
        if page["protected_intro"] is not None:
            lines += ["", page["protected_heading"][one], page["protected_intro"][one]]
            lines += [f"- {u[one]}" for u in page["protected"]]
        if page["recourse_note"] is not None:
            lines += ["", page["recourse_heading"][one], page["recourse_note"][one]]
            lines += [f"- {o[one]}" for o in page["options"]]
        lines += ["", page["about_heading"][one], *(m[one] for m in page["about"])]
        lines += ["", page["rights_heading"][one], *(line(m, one) for m in page["rights"])]
        parts.append("\n".join(lines))
    return visible_text(("\n\n" + "=" * 40 + "\n\n").join(parts).strip() + "\n")


def _texts(p: PersonExplanation) -> list[Message]:
    """Every sentence of a notice that comes from the explanation: the recourse note, the
    reasons, the options, then the disclosure and its items."""
    out = [p.recourse_note, *(r.sentence for r in p.reasons)]
    out += [o.sentence() for o in p.recourse]
    return [*out, p.disclosure(), *(u.sentence for u in p.protected)]


def notice_problems(
    p: PersonExplanation,
    *,
    identifiers: Iterable[str] = (),
    sensitive: Iterable[str] = (),
    sensitive_names: Iterable[Message] = (),
    unitless: Iterable[str] = (),
    coded: Iterable[str] = (),
    value_order: Mapping[str, Any] | None = None,
    rare: Mapping[str, Iterable[str]] | None = None,
    k: int = 5,
) -> list[str]:
    """The plain-language and truthfulness problems of one notice (an empty list when it is
    clean); the rules are in the module's description.

    Parameters
    ----------
    p : PersonExplanation
    identifiers : iterable of str
        The data's column names and raw category values: none may appear in Chinese.
    sensitive : iterable of str
        The inputs tied to protected grounds: never a reason nor a change, and disclosed
        exactly when their contribution to the decision is not zero.
    sensitive_names : iterable of Message
        Their display names, which must not appear in a reason or an option.
    unitless : iterable of str
        Numeric columns whose numbers have no unit declared.
    coded : iterable of str
        Numeric columns whose numbers are codes (a level) with no label saying what each
        means: none may be shown as a reason or a change.
    value_order : mapping, optional
        The declared orders (:mod:`szai_audit.core.orders`): an option moving an ordered
        input to a value the order calls worse, or does not rank, is a problem.
    rare : mapping of str to iterable of str, optional
        Per column, its category values held by fewer than ``k`` people: none may be shown
        but the person's own, and none is quoted in a problem.
    k : int, default 5
        ``policy.k_anonymity``, named in the problem.

    Examples
    --------
    >>> from szai_audit.explain.person import PersonExplanation
    >>> from szai_audit.core.messages import Message
    >>> p = PersonExplanation(decision=0, favourable=False, score=0.3, reasons=(), recourse=(),
    ...     recourse_note=Message("", ""), method="", contributions=(("age", -0.4),))
    >>> notice_problems(p, sensitive=["age"])
    ["disclosure: 'age' weighed on the decision (-0.4) but is not disclosed"]
    """
    problems: list[str] = []
    ids = [i for i in identifiers if _ASCII_WORD.search(i)]
    texts = _texts(p)
    for m in texts:
        for word in ids:
            if re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", m.zh):
                problems.append(f"identifier: {word!r} in {m.zh[:100]!r}")
        problems += [f"code: {c.group(0)!r} in {m.zh[:100]!r}" for c in _CODE.finditer(m.zh)]
        for lang in ("zh", "en"):
            problems += [f"causality: {c.group(0)!r}" for c in _CAUSAL.finditer(m[lang])]
    hidden = set(sensitive)
    used = [r.column for r in p.reasons] + [c.column for o in p.recourse for c in o.changes]
    problems += [f"sensitive: {c!r} is a reason or a change" for c in used if c in hidden]
    problems += [f"sensitive: {c!r} may change" for c in p.changeable if c in hidden]
    said = [r.sentence for r in p.reasons] + [o.sentence() for o in p.recourse]
    for name in sensitive_names:
        for m in said:
            if (name.zh and name.zh in m.zh) or re.search(rf"\b{re.escape(name.en)}\b", m.en):
                problems.append(f"sensitive: {name.en!r} named in {m.en[:100]!r}")
    problems += _disclosure_problems(p, hidden)
    problems += _recourse_problems(p, value_order or {})
    problems += [f"unit: {m.group(0)!r} (months are 个月 after a number)"
                 for t in texts for m in _BARE_MONTHS.finditer(t.zh)]  # fmt: skip
    no_unit, codes = set(unitless), set(coded)
    problems += [f"unit: {r.column!r} has no unit" for r in p.reasons if r.column in no_unit]
    problems += [f"code: {c!r} is a level shown without its meaning" for c in
                 dict.fromkeys(used) if c in codes]  # fmt: skip
    problems += [f"reason: {r.column!r} is what the favourably decided typically have"
                 for r in p.reasons if not p.favourable and r.typical == r.shown]  # fmt: skip
    problems += _others_values(p, rare or {}, k)
    return _scrubbed(list(dict.fromkeys(problems)), rare or {}, k)


def _disclosure_problems(p: PersonExplanation, hidden: set[str]) -> list[str]:
    """``disclosure``: an input tied to a protected ground that weighed on the decision and is
    not disclosed, or one disclosed that did not weigh; a sentence that says none weighed
    while one did."""
    weighed = {c for c, v in p.contributions if c in hidden and v != 0}
    disclosed = {u.column for u in p.protected}
    out = [f"disclosure: {c!r} weighed on the decision ({dict(p.contributions)[c]:.3g}) but is "
           f"not disclosed" for c in sorted(weighed - disclosed)]  # fmt: skip
    out += [f"disclosure: {c!r} is disclosed but did not weigh on the decision"
            for c in sorted(disclosed - weighed) if c in dict(p.contributions)]  # fmt: skip
    if weighed and not p.protected and p.disclosure().en:
        out.append("disclosure: the notice says no protected information weighed, but some did")
    return out


def _recourse_problems(p: PersonExplanation, orders: Mapping[str, Any]) -> list[str]:
    """``recourse``: options written though no change was declared; ``direction``: an option
    moving an ordered input to a value its order calls worse (or does not rank)."""
    out = []
    if p.recourse and not p.recourse_offered:
        out.append("recourse: options are written, but no change was declared (actionable)")
    for o in p.recourse:
        for c in o.changes:
            order = orders.get(c.column)
            if order is None:
                continue
            if isinstance(order, list):
                order = tuple(str(v) for v in order)
            if is_better(order, c.before, c.after) is not True:
                out.append(f"direction: {c.column!r} moved the way value_order calls worse")
    return out


def _others_values(p: PersonExplanation, rare: Mapping[str, Iterable[str]], k: int) -> list[str]:
    """The ``privacy`` problems: another person's value held by fewer than ``k`` people, as a
    change offered or as what others have."""
    out = []
    for o in p.recourse:
        for c in o.changes:
            if str(c.after) in set(rare.get(c.column, ())):
                out.append(f"privacy: a value of {c.column!r} held by fewer than {k} people "
                           f"is offered as a change")  # fmt: skip
    for r in p.reasons:
        others = set(rare.get(r.column, ())) - {r.shown.en, r.shown.zh}
        if r.typical is not None and any(v in r.typical.en or v in r.typical.zh for v in others):
            out.append(f"privacy: a value of {r.column!r} held by fewer than {k} people is "
                       f"given as what others have")  # fmt: skip
    return out


def _scrubbed(problems: list[str], rare: Mapping[str, Iterable[str]], k: int) -> list[str]:
    """``problems`` with every value held by fewer than ``k`` people replaced by its stand-in
    (a problem quotes the notice's words, which may show the person's own value)."""
    values = sorted({v for vs in rare.values() for v in vs}, key=len, reverse=True)
    out = []
    for text in problems:
        for v in values:
            text = text.replace(repr(v), repr(stand_in_text(k)))
            if len(v) >= 3:
                text = text.replace(v, stand_in_text(k))
        out.append(text)
    return out


@dataclass(frozen=True)
class NoticeBatch:
    """Notices written by :func:`write_notices`.

    Attributes
    ----------
    folder : Path
    references : tuple of str
        The people's references, in order.
    html, text : tuple of Path
        Each person's HTML and plain-text notice.
    index : Path
        ``index.csv``: one line per notice (reference, files, decision, whether it is
        favourable, options found, whether the inputs tied to protected grounds turned the
        decision, the NEEDS_REVIEW placeholders, problems found by :func:`notice_problems`).
    favourable : tuple of bool
        Whether each person's decision is the favourable one.
    problems : dict
        Reference → problems, for the notices that have any (those not written included).
    seconds : float
        Time taken to explain and write.
    withheld : tuple of str
        The references of the notices not written: they failed the privacy check (they
        would show another person's value); ``references``, ``html``, ``text``,
        ``favourable`` and ``turned`` are those of the notices written.
    turned : tuple of bool or None
        Whether each decision would have been the other one without the contributions of the
        inputs tied to protected grounds (None: the cut-off is unknown on the explained scale).
    needs_review : tuple of str
        What every notice still lacks and marks NEEDS_REVIEW (the decision's date, whether a
        person took part, how to ask for a review, the response time, where to complain).
    """

    folder: Path
    references: tuple[str, ...]
    html: tuple[Path, ...]
    text: tuple[Path, ...]
    index: Path
    favourable: tuple[bool, ...] = ()
    problems: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    withheld: tuple[str, ...] = ()
    turned: tuple[bool | None, ...] = ()
    needs_review: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.references)


def _file_stem(reference: str, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", reference).strip(".") or "notice"
    stem = stem[:80]
    unique, k = stem, 2
    while unique.lower() in taken:
        unique, k = f"{stem}-{k}", k + 1
    taken.add(unique.lower())
    return unique


def _missing(metadata: Mapping[str, Any], decided: Any, automation: str | None) -> tuple[str, ...]:
    """The NEEDS_REVIEW placeholders of every notice of a batch."""
    out = [] if decided is not None else ["decision_date"]
    out += [] if automation is not None else ["automation"]
    if meta_message(metadata, "review") is None and meta_message(metadata, "appeal") is None:
        out.append("review")
    out += [k for k in RIGHTS_FIELDS[1:] if meta_message(metadata, k) is None]
    return tuple(out)


def _decided(decided_on: Any, reference: Any) -> date | None:
    """The decision's date of one person: one date for all, or looked up by reference."""
    if decided_on is None:
        return None
    if isinstance(decided_on, Mapping):
        value = decided_on.get(reference, decided_on.get(str(reference)))
        return None if value is None else _as_date(value, f"decided_on[{reference!r}]")
    return _as_date(decided_on, "decided_on")


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"{name} must be a date or 'YYYY-MM-DD', got {value!r}.")


def write_notices(
    people: Sequence[PersonExplanation],
    references: Sequence[Any],
    out: PathLike,
    *,
    metadata: Mapping[str, Any] | None = None,
    lang: str = "bilingual",
    checks: Mapping[str, Any] | None = None,
    on: date | None = None,
    decided_on: Any = None,
    automation: str | None = None,
) -> NoticeBatch:
    """Write one HTML and one plain-text notice per person into the folder ``out``, and an
    ``index.csv`` of them, replaced together once all are written, or none
    (:func:`szai_audit.core.files.together`).

    Parameters
    ----------
    people : sequence of PersonExplanation
    references : sequence
        Each person's reference (their row label), shown on the notice and naming its files
        (``notice-<reference>.html`` and ``.txt``; characters other than letters, digits,
        ``_ . -`` become ``_``).
    out : path-like
        The folder (created when missing).
    metadata : mapping, optional
        As for :func:`notice_html` (each field text or ``{"zh": ..., "en": ...}``).
    lang : {"bilingual", "zh", "en"}
        Of the HTML and the text notice: a one-language notice holds no sentence of the
        other language (checked: a ``language`` problem).
    checks : mapping, optional
        Keyword arguments of :func:`notice_problems`. A notice with a ``privacy`` problem is
        not written; ``index.csv`` lists it, with no files and its problems.
    on : date, optional
        The day the notices are written (today).
    decided_on : date, str or mapping, optional
        The day of the decisions: one for all, or ``{reference: date}``; a decision without
        one gets a NEEDS_REVIEW placeholder.
    automation : {"fully_automated", "human_review", "advisory"}, optional
        Whether a person took part in the decisions (``UseContext.automation``); a
        NEEDS_REVIEW placeholder when not given.
    """
    start = time.perf_counter()
    folder = _checked_batch(people, references, out, lang, automation)
    on = on or date.today()
    meta = metadata or {}
    decided = [_decided(decided_on, r) for r in references]
    taken: set[str] = set()
    html: list[Path] = []
    text: list[Path] = []
    problems: dict[str, list[str]] = {}
    lines = ["reference,html,text,decision,favourable,options,turned,needs_review,problems"]
    index = folder / "index.csv"
    with stage("notices") as bar, together():  # the notices replaced at the end, or none
        bar.add(len(people))
        for p, ref, day in zip(people, references, decided, strict=True):
            settings = _NoticeSettings(meta, lang, on, day, automation, checks)
            _write_one(p, str(ref), folder, taken, settings, (html, text, problems, lines))
            bar.update()
        write_text(index, "\n".join(lines) + "\n")
    refused = {r for r, found in problems.items() if _fails(found)}
    written = [
        (str(r), p) for r, p in zip(references, people, strict=True) if str(r) not in refused
    ]
    missing = set().union(*(_missing(meta, d, automation) for d in decided)) if decided else set()
    return NoticeBatch(
        folder=folder,
        references=tuple(r for r, _ in written),
        html=tuple(html),
        text=tuple(text),
        index=index,
        favourable=tuple(p.favourable for _, p in written),
        problems=problems,
        seconds=time.perf_counter() - start,
        withheld=tuple(str(r) for r in references if str(r) in refused),
        turned=tuple(p.turned for _, p in written),
        needs_review=tuple(k for k in _missing(meta, None, None) if k in missing),
    )


def _checked_batch(
    people: Sequence[Any], references: Sequence[Any], out: PathLike, lang: str, automation: Any
) -> Path:
    """The folder of a batch, once its arguments are checked."""
    if len(people) != len(references):
        raise InputError(
            f"references must name each person once: {len(people)} people, "
            f"{len(references)} references."
        )
    _check_lang(lang)
    _check_automation(automation)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"out must be a folder; {str(folder)!r} is a file.")
    return folder


@dataclass(frozen=True)
class _NoticeSettings:
    """What every notice of a batch is written with, and one person's decision date."""

    metadata: Mapping[str, Any]
    lang: str
    on: date
    decided: date | None
    automation: str | None
    checks: Mapping[str, Any] | None


def _fails(problems: Iterable[str]) -> bool:
    """Whether a notice with ``problems`` is not written: it shows another person's value."""
    return any(p.startswith("privacy:") for p in problems)


def _write_one(
    p: PersonExplanation,
    reference: str,
    folder: Path,
    taken: set[str],
    settings: _NoticeSettings,
    into: tuple[list[Path], list[Path], dict[str, list[str]], list[str]],
) -> None:
    """Write one person's notice (HTML and text) and record it ``into`` the batch's lists."""
    html, text, problems, lines = into
    found = notice_problems(p, **dict(settings.checks or {}))
    kwargs: dict[str, Any] = {
        "reference": reference,
        "metadata": settings.metadata,
        "lang": settings.lang,
        "on": settings.on,
        "decided": settings.decided,
        "automation": settings.automation,
    }
    page_text = notice_text(p, **kwargs)
    if settings.lang != "bilingual":
        found += [f"language: {x!r}" for x in stray_language(page_text, settings.lang)]
    if found:
        problems[reference] = found
    names = ("", "")
    if not _fails(found):  # a notice showing another person's value is not written
        stem = _file_stem(f"notice-{reference}", taken)
        h, t = folder / f"{stem}.html", folder / f"{stem}.txt"
        write_text(h, notice_html(p, **kwargs))
        write_text(t, page_text)
        html.append(h)
        text.append(t)
        names = (h.name, t.name)
    turned = "" if p.turned is None else p.turned
    missing = " ".join(_missing(settings.metadata, settings.decided, settings.automation))
    lines.append(
        ",".join(
            _csv(v)
            for v in (reference, *names, p.decision, p.favourable, len(p.recourse), turned,
                      missing, "; ".join(found))
        )
    )  # fmt: skip


def _csv(value: Any) -> str:
    """A cell of ``index.csv``: never a formula when opened in a spreadsheet (a cell starting
    with ``= + - @``, a tab or a carriage return gets a ``'`` first), its control and
    bidirectional formatting characters shown as escapes, quoted when needed."""
    raw = str(value)
    s = visible_text(raw)
    if raw[:1] in ("=", "+", "-", "@", "\t", "\r"):
        s = "'" + s
    if any(ch in s for ch in ',"\n\r'):
        s = '"' + s.replace('"', '""') + '"'
    return s


#: Words of a display name or unit that say its numbers are codes (levels), not quantities.
_LEVEL = re.compile(r"等级|级别|\blevel\b|\bcode\b", re.IGNORECASE)


def notice_checks(
    data: Any,
    sensitive: Sequence[str] | Mapping[str, Any],
    feature_labels: Mapping[str, Sequence[str]] | None,
    value_labels: Any = None,
    k: int = 5,
    value_order: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The keyword arguments of :func:`notice_problems` for notices on ``data``: its column
    names and its raw category values that have no label as identifiers, the inputs tied to
    protected grounds and their display names, the numeric columns without a declared unit,
    the numeric columns whose display name calls them a level (等级, level) with no label for
    their values, each column's category values held by fewer than ``k`` people
    (``policy.k_anonymity``), and the declared ``value_order``."""
    labelled = getattr(value_labels, "by_column", value_labels) or {}
    identifiers = [str(c) for c in data.columns]
    rare = {
        str(c): sorted({str(v) for v in rare_values(data[c], k)})
        for c in data.columns
        if not is_numeric(data[c])
    }
    unitless, coded = [], []
    for c in data.columns:
        col = data[c]
        if is_numeric(col):
            spec = (feature_labels or {}).get(c)
            if not spec or len(spec) < 3:
                unitless.append(str(c))
            if spec and any(_LEVEL.search(str(x)) for x in spec) and not labelled.get(c):
                coded.append(str(c))
        elif not pd.api.types.is_bool_dtype(col.dtype):
            known = {str(k) for k in labelled.get(c, {})}
            identifiers += [str(v) for v in pd.unique(col.dropna()) if str(v) not in known]
    return {
        "identifiers": identifiers,
        "sensitive": list(sensitive),
        "sensitive_names": [feature_label(str(c), feature_labels) for c in sensitive],
        "unitless": unitless,
        "coded": coded,
        "value_order": dict(value_order or {}),
        "rare": {c: v for c, v in rare.items() if v},
        "k": k,
    }


def person_notices(
    model: Any,
    data: pd.DataFrame,
    rows: Any,
    out: PathLike,
    *,
    metadata: Mapping[str, Any] | None = None,
    lang: str = "bilingual",
    verbose: bool = True,
    k: int = 5,
    decided_on: Any = None,
    automation: str | None = None,
    **options: Any,
) -> NoticeBatch:
    """Explain each person of ``rows`` (:func:`szai_audit.explain.explain_people` with
    ``options``, which must name ``sensitive``, ``feature_labels`` and ``value_labels``) and
    write their notices into ``out`` (:func:`write_notices`, with ``decided_on`` and
    ``automation``), each checked for plain language, truthfulness and privacy (no value of
    another person held by fewer than ``k`` people, the audit's ``policy.k_anonymity``: such
    a notice is not written); a :class:`~szai_audit.errors.NoticeWarning` says how many have
    problems, how many were not written, and which NEEDS_REVIEW placeholders remain. What
    :meth:`szai_audit.AuditResult.person_notices` and ``szai-audit explain`` run."""
    _check_lang(lang)
    _check_automation(automation)
    with stage("notices", show=verbose) as timed:
        people = explain_people(model, data, rows, **options)
        references = list(rows.index if isinstance(rows, pd.DataFrame) else rows)
        checks = notice_checks(
            data, options["sensitive"], options["feature_labels"], options["value_labels"], k,
            options.get("value_order"),
        )  # fmt: skip
        batch = write_notices(
            people, references, out, metadata=metadata, lang=lang, checks=checks,
            decided_on=decided_on, automation=automation,
        )  # fmt: skip
    if batch.problems:
        refused = (
            f"; {len(batch.withheld)} not written: they would show another person's value"
            if batch.withheld
            else ""
        )
        warnings.warn(
            f"{len(batch.problems)} of {len(people)} notices have plain-language, truthfulness "
            f"or privacy problems (see index.csv in "
            f"{str(batch.folder)!r}), such as {next(iter(batch.problems.values()))[0]!r}"
            f"{refused}.",
            NoticeWarning,
            stacklevel=3,
        )
    if batch.needs_review:
        warnings.warn(
            f"the notices in {str(batch.folder)!r} hold NEEDS_REVIEW placeholders for "
            f"{', '.join(batch.needs_review)}: fill them in (metadata review, response_time, "
            f"complaint; decided_on; UseContext.automation) before sending them.",
            NoticeWarning,
            stacklevel=3,
        )
    return replace(batch, seconds=timed.seconds())


def saved_audit_options(doc: Mapping[str, Any], data: pd.DataFrame, name: str) -> dict[str, Any]:
    """What the notices of a saved audit's people take from the audit (its JSON document
    ``doc``, already read and verified): ``favorable_label``, ``sensitive`` (the grounds'
    columns and their proxies among ``data``'s columns, each with the grounds it is or
    stands in for, as :meth:`szai_audit.AuditResult.sensitive_inputs`), ``metadata``,
    ``automation`` (its use context's, or None) and ``k`` (its
    ``policy.k_anonymity``). Refused unless ``doc`` is the audit of a classification model
    on this very ``data`` (its fingerprint)."""
    scope = doc.get("scope") or {}
    if scope.get("task") != "classification" or scope.get("mode") != "model":
        raise InputError(
            f"{name} must be the audit of a classification model (notices explain a model's "
            f"decisions); it is a {scope.get('task')} audit of {scope.get('mode')}."
        )
    saved = ((doc.get("manifest") or {}).get("data") or {}).get("sha256")
    if saved != fingerprint(data):
        raise InputError(
            f"{name} is the audit of other data than the model inputs read here (fingerprint "
            f"{str(saved)[:12]}..., these {str(fingerprint(data))[:12]}...): give the JSON of "
            f"the audit of these inputs, or run the audit again."
        )
    threshold = float(doc["policy"]["proxy_auc_threshold"])
    present = {str(c) for c in data.columns}
    tied: dict[str, list[str]] = {}
    for a in doc.get("sensitive_attributes") or []:
        if a.get("column") is not None and str(a["column"]) in present:
            tied.setdefault(str(a["column"]), []).append(str(a.get("ground")))
    for ground, report in (doc.get("proxies") or {}).items():
        for f in report.get("features", []):
            if f["auc"] >= threshold and str(f["feature"]) in present:
                tied.setdefault(str(f["feature"]), []).append(str(ground))
    context = (doc.get("risk") or {}).get("context") or {}
    return {
        "favorable_label": scope["favorable_label"],
        "sensitive": {c: list(dict.fromkeys(g)) for c, g in tied.items()},
        "metadata": dict(doc.get("system") or {}),
        "automation": context.get("automation"),
        "k": int(doc["policy"].get("k_anonymity", 5)),
    }
