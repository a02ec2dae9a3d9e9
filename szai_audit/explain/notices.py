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
from collections.abc import Iterable, Mapping, Sequence
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

TITLE = say("explain.title")
DECISION = {
    True: say("explain.decision.true"),
    False: say("explain.decision.false"),
}
REASONS_HEADING = say("explain.reasons_heading")
RECOURSE_HEADING = say("explain.recourse_heading")
ABOUT_HEADING = say("explain.about_heading")
RIGHTS_HEADING = say("explain.rights_heading")
ABOUT = (
    say("explain.about.reasons_above_describe_how"),
    say("explain.about.changes_listed_computed_from"),
    say("explain.about.this_explanation_gives_no"),
)
PIPL = say("explain.pipl")


def _score_line(p: PersonExplanation) -> Message | None:
    if p.score is None:
        return None
    s = f"{p.score:.2f}"
    return say("explain.score_line.model_s_score_favourable", s=s)


def _joined(*parts: Message | None) -> Message:
    kept = [m for m in parts if m is not None]
    return Message("".join(m.zh for m in kept), " ".join(m.en for m in kept))


def _first_up(m: Message) -> Message:
    return Message(m.zh, first_upper(m.en))


def _meta(reference: str, metadata: Mapping[str, Any], on: date) -> list[Message]:
    lines = []
    for key in ("system_name", "organisation"):
        if metadata.get(key):
            value = str(metadata[key])
            lines.append(Message(value, value))
    lines.append(say("explain.meta.reference", reference=reference))
    lines.append(say("explain.meta.date", value=on.isoformat()))
    return lines


def _rights(metadata: Mapping[str, Any]) -> list[Message]:
    out = [PIPL]
    for key, zh, en in (
        ("appeal", "如何提出异议：", "How to contest: "),
        ("contact", "联系：", "Contact: "),
    ):
        if metadata.get(key):
            value = str(metadata[key])
            out.append(Message(zh + value, en + value))
    return out


def _page(
    p: PersonExplanation, reference: str, metadata: Mapping[str, Any], on: date
) -> dict[str, Any]:
    """What a notice says, in Messages, for the HTML page and the text."""
    return {
        "title": TITLE,
        "meta": _meta(reference, metadata, on),
        "favourable": p.favourable,
        "decision": _joined(DECISION[p.favourable], _score_line(p)),
        "reasons_heading": REASONS_HEADING,
        "reasons_intro": Message(
            "模型给予以下因素最大的" + ("有利" if p.favourable else "不利") + "权重：",
            "The model gave most weight "
            + ("towards" if p.favourable else "against")
            + " the favourable decision to:",
        ),
        "reasons": [_first_up(r.sentence) for r in p.reasons],
        "recourse_heading": RECOURSE_HEADING,
        "recourse_note": None if p.favourable else p.recourse_note,
        "options": [_first_up(o.sentence()) for o in p.recourse],
        "about_heading": ABOUT_HEADING,
        "about": list(ABOUT if not p.favourable else ABOUT[:1] + ABOUT[2:]),
        "rights_heading": RIGHTS_HEADING,
        "rights": _rights(metadata),
    }


def notice_html(
    p: PersonExplanation,
    *,
    reference: str,
    metadata: Mapping[str, Any] | None = None,
    lang: str = "bilingual",
    on: date | None = None,
) -> str:
    """One person's notice as a standalone HTML page (inline CSS, no script, no external URL).

    Parameters
    ----------
    p : PersonExplanation
    reference : str
        The decision's reference (the person's row label), shown on the notice.
    metadata : mapping, optional
        The audit's metadata: ``system_name``, ``organisation``, ``appeal``, ``contact``.
    lang : {"bilingual", "zh", "en"}
    on : date, optional
        The notice's date (today).
    """
    if lang not in ("bilingual", "zh", "en"):
        raise InputError(f"lang must be 'bilingual', 'zh' or 'en', got {lang!r}.")
    page = _page(p, reference, metadata or {}, on or date.today())
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
) -> str:
    """One person's notice as plain text: Chinese, then English; control and bidirectional
    formatting characters shown as escapes, as in the HTML notice
    (:func:`~szai_audit.core.html.visible_text`)."""
    page = _page(p, reference, metadata or {}, on or date.today())
    parts = []
    for lang in ("zh", "en"):
        lines = [page["title"][lang], *(m[lang] for m in page["meta"]), ""]
        lines += [page["decision"][lang], "", page["reasons_heading"][lang]]
        lines += [page["reasons_intro"][lang]]
        lines += [f"{i}. {r[lang]}" for i, r in enumerate(page["reasons"], 1)]
        if page["recourse_note"] is not None:
            lines += ["", page["recourse_heading"][lang], page["recourse_note"][lang]]
            lines += [f"- {o[lang]}" for o in page["options"]]
        lines += ["", page["about_heading"][lang], *(m[lang] for m in page["about"])]
        lines += ["", page["rights_heading"][lang], *(m[lang] for m in page["rights"])]
        parts.append("\n".join(lines))
    return visible_text(("\n\n" + "=" * 40 + "\n\n").join(parts).strip() + "\n")


def _texts(p: PersonExplanation) -> list[Message]:
    """Every sentence of a notice that comes from the explanation."""
    out = [p.recourse_note, *(r.sentence for r in p.reasons)]
    out += [o.sentence() for o in p.recourse]
    return out


def notice_problems(
    p: PersonExplanation,
    *,
    identifiers: Iterable[str] = (),
    sensitive: Iterable[str] = (),
    sensitive_names: Iterable[Message] = (),
    unitless: Iterable[str] = (),
    rare: Mapping[str, Iterable[str]] | None = None,
    k: int = 5,
) -> list[str]:
    """The plain-language problems of one notice (an empty list when it is clean); the rules
    are in the module's description.

    Parameters
    ----------
    p : PersonExplanation
    identifiers : iterable of str
        The data's column names and raw category values: none may appear in Chinese.
    sensitive : iterable of str
        Columns that must be neither a reason nor a change.
    sensitive_names : iterable of Message
        Their display names, which must not appear in the notice.
    unitless : iterable of str
        Numeric columns whose numbers have no unit declared.
    rare : mapping of str to iterable of str, optional
        Per column, its category values held by fewer than ``k`` people: none may be shown
        but the person's own, and none is quoted in a problem.
    k : int, default 5
        ``policy.k_anonymity``, named in the problem.
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
    for name in sensitive_names:
        for m in texts[1:]:  # the recourse note names the changeable inputs (checked above)
            if (name.zh and name.zh in m.zh) or re.search(rf"\b{re.escape(name.en)}\b", m.en):
                problems.append(f"sensitive: {name.en!r} named in {m.en[:100]!r}")
    no_unit = set(unitless)
    problems += [f"unit: {r.column!r} has no unit" for r in p.reasons if r.column in no_unit]
    problems += _others_values(p, rare or {}, k)
    return _scrubbed(list(dict.fromkeys(problems)), rare or {}, k)


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
        ``index.csv``: one line per notice (reference, files, decision, options found,
        problems found by :func:`notice_problems`).
    favourable : tuple of bool
        Whether each person's decision is the favourable one.
    problems : dict
        Reference → problems, for the notices that have any (those not written included).
    seconds : float
        Time taken to explain and write.
    withheld : tuple of str
        The references of the notices not written: they failed the privacy check (they
        would show another person's value); ``references``, ``html``, ``text`` and
        ``favourable`` are those of the notices written.
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


def write_notices(
    people: Sequence[PersonExplanation],
    references: Sequence[Any],
    out: PathLike,
    *,
    metadata: Mapping[str, Any] | None = None,
    lang: str = "bilingual",
    checks: Mapping[str, Any] | None = None,
    on: date | None = None,
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
        ``system_name``, ``organisation``, ``appeal``, ``contact`` (as for the audit).
    lang : {"bilingual", "zh", "en"}
        Of the HTML notice; the text notice is always Chinese then English.
    checks : mapping, optional
        Keyword arguments of :func:`notice_problems`. A notice with a ``privacy`` problem is
        not written; ``index.csv`` lists it, with no files and its problems.
    on : date, optional
        The notices' date (today).
    """
    start = time.perf_counter()
    if len(people) != len(references):
        raise InputError(
            f"references must name each person once: {len(people)} people, "
            f"{len(references)} references."
        )
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"out must be a folder; {str(folder)!r} is a file.")
    on = on or date.today()
    taken: set[str] = set()
    html: list[Path] = []
    text: list[Path] = []
    problems: dict[str, list[str]] = {}
    lines = ["reference,html,text,decision,favourable,options,problems"]
    index = folder / "index.csv"
    with stage("notices") as bar, together():  # the notices replaced at the end, or none
        bar.add(len(people))
        for p, ref in zip(people, references, strict=True):
            _write_one(p, str(ref), folder, taken, metadata, lang, on, checks,
                       (html, text, problems, lines))  # fmt: skip
            bar.update()
        write_text(index, "\n".join(lines) + "\n")
    refused = {r for r, found in problems.items() if _fails(found)}
    written = [
        (str(r), p) for r, p in zip(references, people, strict=True) if str(r) not in refused
    ]
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
    )


def _fails(problems: Iterable[str]) -> bool:
    """Whether a notice with ``problems`` is not written: it shows another person's value."""
    return any(p.startswith("privacy:") for p in problems)


def _write_one(
    p: PersonExplanation,
    reference: str,
    folder: Path,
    taken: set[str],
    metadata: Mapping[str, str] | None,
    lang: str,
    on: date,
    checks: Mapping[str, Any] | None,
    into: tuple[list[Path], list[Path], dict[str, list[str]], list[str]],
) -> None:
    """Write one person's notice (HTML and text) and record it ``into`` the batch's lists."""
    html, text, problems, lines = into
    found = notice_problems(p, **dict(checks or {}))
    if found:
        problems[reference] = found
    names = ("", "")
    if not _fails(found):  # a notice showing another person's value is not written
        stem = _file_stem(f"notice-{reference}", taken)
        h, t = folder / f"{stem}.html", folder / f"{stem}.txt"
        write_text(h, notice_html(p, reference=reference, metadata=metadata, lang=lang, on=on))
        write_text(t, notice_text(p, reference=reference, metadata=metadata, on=on))
        html.append(h)
        text.append(t)
        names = (h.name, t.name)
    lines.append(
        ",".join(
            _csv(v)
            for v in (reference, *names, p.decision, p.favourable, len(p.recourse),
                      "; ".join(found))
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


def notice_checks(
    data: Any,
    sensitive: Sequence[str],
    feature_labels: Mapping[str, Sequence[str]] | None,
    value_labels: Any = None,
    k: int = 5,
) -> dict[str, Any]:
    """The keyword arguments of :func:`notice_problems` for notices on ``data``: its column
    names and its raw category values that have no label as identifiers, the sensitive
    columns and their display names, the numeric columns without a declared unit, and each
    column's category values held by fewer than ``k`` people (``policy.k_anonymity``)."""
    labelled = getattr(value_labels, "by_column", value_labels) or {}
    identifiers = [str(c) for c in data.columns]
    rare = {
        str(c): sorted({str(v) for v in rare_values(data[c], k)})
        for c in data.columns
        if not is_numeric(data[c])
    }
    unitless = []
    for c in data.columns:
        col = data[c]
        if is_numeric(col):
            spec = (feature_labels or {}).get(c)
            if not spec or len(spec) < 3:
                unitless.append(str(c))
        elif not pd.api.types.is_bool_dtype(col.dtype):
            known = {str(k) for k in labelled.get(c, {})}
            identifiers += [str(v) for v in pd.unique(col.dropna()) if str(v) not in known]
    return {
        "identifiers": identifiers,
        "sensitive": list(sensitive),
        "sensitive_names": [feature_label(str(c), feature_labels) for c in sensitive],
        "unitless": unitless,
        "rare": {c: v for c, v in rare.items() if v},
        "k": k,
    }


def person_notices(
    model: Any,
    data: pd.DataFrame,
    rows: Any,
    out: PathLike,
    *,
    metadata: Mapping[str, str] | None = None,
    lang: str = "bilingual",
    verbose: bool = True,
    k: int = 5,
    **options: Any,
) -> NoticeBatch:
    """Explain each person of ``rows`` (:func:`szai_audit.explain.explain_people` with
    ``options``, which must name ``sensitive``, ``feature_labels`` and ``value_labels``) and
    write their notices into ``out`` (:func:`write_notices`), each checked for plain language
    and for privacy (no value of another person held by fewer than ``k`` people, the audit's
    ``policy.k_anonymity``: such a notice is not written); a
    :class:`~szai_audit.errors.NoticeWarning` says how many have problems, and how many were
    not written. What :meth:`szai_audit.AuditResult.person_notices` and ``szai-audit
    explain`` run."""
    with stage("notices", show=verbose) as timed:
        people = explain_people(model, data, rows, **options)
        references = list(rows.index if isinstance(rows, pd.DataFrame) else rows)
        checks = notice_checks(
            data, options["sensitive"], options["feature_labels"], options["value_labels"], k
        )
        batch = write_notices(people, references, out, metadata=metadata, lang=lang, checks=checks)
    if batch.problems:
        refused = (
            f"; {len(batch.withheld)} not written: they would show another person's value"
            if batch.withheld
            else ""
        )
        warnings.warn(
            f"{len(batch.problems)} of {len(people)} notices have plain-language or privacy "
            f"problems (see index.csv in "
            f"{str(batch.folder)!r}), such as {next(iter(batch.problems.values()))[0]!r}"
            f"{refused}.",
            NoticeWarning,
            stacklevel=3,
        )
    return replace(batch, seconds=timed.seconds())


def saved_audit_options(doc: Mapping[str, Any], data: pd.DataFrame, name: str) -> dict[str, Any]:
    """What the notices of a saved audit's people take from the audit (its JSON document
    ``doc``, already read and verified): ``favorable_label``, ``sensitive`` (the grounds'
    columns and their proxies among ``data``'s columns, as
    :meth:`szai_audit.AuditResult.sensitive_inputs`), ``metadata`` and ``k`` (its
    ``policy.k_anonymity``). Refused unless ``doc``
    is the audit of a classification model on this very ``data`` (its fingerprint)."""
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
    columns = [a.get("column") for a in doc.get("sensitive_attributes") or []]
    for report in (doc.get("proxies") or {}).values():
        columns += [f["feature"] for f in report.get("features", []) if f["auc"] >= threshold]
    present = {str(c) for c in data.columns}
    return {
        "favorable_label": scope["favorable_label"],
        "sensitive": list(dict.fromkeys(c for c in columns if c is not None and c in present)),
        "metadata": dict(doc.get("system") or {}),
        "k": int(doc["policy"].get("k_anonymity", 5)),
    }
