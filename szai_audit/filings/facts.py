"""What the filings read from an audit: its saved JSON document, and sentences about it.

Every filing is drafted from the audit's document (:meth:`AuditResult.to_dict
<szai_audit.result.AuditResult.to_dict>` or the JSON it saved), so that a filing can be drafted
again, later, from the file attached to the ethics filing; the document is read and checked as
:func:`szai_audit.core.document.read_audit` reads it, and never changed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import checks as registry
from ..core.catalog import say
from ..core.errors import InputError
from ..core.findings import STATUS_LABELS
from ..core.grounds import INTERSECTION_SEP, ground_label
from ..core.html import format_interval
from ..core.judging import within
from ..core.messages import Message, fmt_level, listing
from ..core.metadata import meta_message
from ..explain.words import NOT_PROVIDED
from ..risk.context import AUTOMATION_LEVELS, DOMAINS
from .base import MEASURED, Field, Table, drafted, needs

__all__ = ["EARLIEST_DATE", "LATEST_DATE", "AuditFacts", "add_years", "parse_date"]

#: The dates a filing accepts (its own, an audit's): a filing is dated in this range, so that
#: a retention date or a follow-up review counted from it is a real date, and the order of a
#: review and the audit it follows means something.
EARLIEST_DATE, LATEST_DATE = _dt.date(2000, 1, 1), _dt.date(2199, 12, 31)

_SERIOUS = ("FAIL", "WARN")
_TASKS = {
    "classification": say("filings.tasks.classification"),
    "regression": say("filings.tasks.regression"),
    "pricing": say("filings.tasks.pricing"),
}


def parse_date(value: Any, name: str) -> _dt.date:
    """A date given as a ``datetime.date`` or ISO text (``"2026-12-04"``), from
    :data:`EARLIEST_DATE` to :data:`LATEST_DATE`.

    >>> parse_date("9999-12-31", "date")
    Traceback (most recent call last):
    ...
    szai_audit.errors.InputError: date must be a date from 2000-01-01 to 2199-12-31, got ...
    """
    day = _as_date(value)
    if day is None:
        raise InputError(f"{name} must be a date such as '2026-12-04', got {value!r}.")
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InputError(
            f"{name} must be a date from {EARLIEST_DATE} to {LATEST_DATE}, got {str(value)!r}."
        )
    return day


def _as_date(value: Any) -> _dt.date | None:
    """``value`` as a date (a date, a date and time, or ISO text of either), or None."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:  # a date, or the date of an ISO date and time
            if len(value) == 10:
                return _dt.date.fromisoformat(value)
            return _dt.datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None


def add_years(day: _dt.date, years: int) -> _dt.date:
    """``day`` plus whole years; 29 February becomes 1 March (never earlier than a full year).

    >>> add_years(_dt.date(2024, 2, 29), 3)
    datetime.date(2027, 3, 1)
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return _dt.date(day.year + years, 3, 1)


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus whole months, on the last day of a shorter month.

    >>> add_months(_dt.date(2026, 8, 31), 6)
    datetime.date(2027, 2, 28)
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for d in range(day.day, 27, -1):
        try:
            return _dt.date(year, month, d)
        except ValueError:
            continue
    return _dt.date(year, month, min(day.day, 28))


@dataclass(frozen=True)
class AuditFacts:
    """An audit's document with the questions a filing asks of it."""

    doc: Mapping[str, Any]

    # -- the system card and the context ---------------------------------------------------

    def card(self, key: str) -> Message | None:
        """A system-card value (``metadata``) in both languages, as written (one text for both,
        or a text per language: :func:`~szai_audit.core.metadata.meta_message`), or None when it
        is missing or blank."""
        system = self.doc.get("system")
        return meta_message(system if isinstance(system, Mapping) else None, key)

    def card_field(self, key: str, label: Message, prompt: Message) -> Field:
        """A field drafted from the system card, or left for a person when the card lacks it."""
        return drafted(label, self.card(key), prompt)

    @property
    def context(self) -> Mapping[str, Any] | None:
        """The use context (``Audit(context=...)``), or None."""
        risk = self.doc.get("risk")
        return None if not risk else risk.get("context")

    def context_field(self, key: str, label: Message, prompt: Message) -> Field:
        """The domain or automation of the use context, drafted; blank without a context."""
        ctx = self.context
        if ctx is None:
            return needs(label, prompt)
        table = {"domain": DOMAINS, "automation": AUTOMATION_LEVELS}[key]
        return drafted(label, table[ctx[key]], prompt)

    @property
    def date(self) -> _dt.date:
        """The day the audit ran (its manifest's ``generated_at``)."""
        when = (self.doc.get("manifest") or {}).get("generated_at")
        if not when:
            raise InputError(
                "the audit has no manifest.generated_at to date the filing; pass date=."
            )
        return parse_date(when, "the audit's manifest.generated_at")

    def source(self) -> dict[str, Any]:
        """The audit a filing was drafted from."""
        system = self.doc.get("system") or {}

        def card(key: str) -> Any:  # as written: a text, or a text per language (a copy)
            value = system.get(key)
            return dict(value) if isinstance(value, Mapping) else value

        return {
            "system_name": card("system_name"),
            "version": card("version"),
            "organisation": card("organisation"),
            "audit_generated_at": (self.doc.get("manifest") or {}).get("generated_at"),
            "audit_content_sha256": self.doc.get("content_sha256"),
            "audit_verdict": (self.doc.get("summary") or {}).get("verdict"),
        }

    def column_label(self, column: str) -> Message:
        """A data column's display name: the explanation's label of the input, the ground's
        name for a sensitive column, else the column as written."""
        for f in (self.doc.get("explanation") or {}).get("factors") or []:
            if f["feature"] == column:
                return Message(f["label"]["zh"], f["label"]["en"])
        for g in self.grounds():
            if g.get("column") == column:
                return Message(g["label"]["zh"], g["label"]["en"])
        return Message(column, column)

    def columns_text(self, columns: Sequence[str], none: Message) -> Message:
        """Columns by their display names, joined in each language."""
        if not columns:
            return none
        labels = [self.column_label(c) for c in columns]
        return listing(list(labels))

    def value_label(self, ground: str, value: str) -> Message:
        """A ground's category by its display name (``Audit(value_labels=...)``), else as
        written."""
        names = (self.doc.get("value_labels") or {}).get("by_column") or {}
        column = next((g.get("column") for g in self.grounds() if g["ground"] == ground), None)
        label = (names.get(str(column)) or {}).get(value)
        return Message(label["zh"], label["en"]) if label else Message(value, value)

    @property
    def task(self) -> Message:
        """The audit's task in words."""
        task = str((self.doc.get("scope") or {}).get("task"))
        return _TASKS.get(task, Message(task, task))

    # -- findings -------------------------------------------------------------------------------

    def findings(self, *articles: str, checks: tuple[str, ...] = ()) -> list[Mapping[str, Any]]:
        """The findings of these articles (all with none given), or of these check ids."""
        out = []
        for f in self.doc.get("findings") or []:
            if articles and f["article"] not in articles:
                continue
            if checks and f["check"] not in checks:
                continue
            out.append(f)
        return out

    def counts(self, *articles: str) -> dict[str, int]:
        """Findings per status for these articles."""
        out: dict[str, int] = {}
        for f in self.findings(*articles):
            out[f["status"]] = out.get(f["status"], 0) + 1
        return out

    def counts_field(self, label: Message, *articles: str) -> Field:
        """How the findings of these articles came out, as one measured field."""
        counts = self.counts(*articles)
        if not counts:
            return Field(label, say("filings.counts_field.not_checked_by_this"), MEASURED)
        order = ("FAIL", "WARN", "INSUFFICIENT_DATA", "NOT_ASSESSED", "NEEDS_REVIEW", "PASS")
        zh = "，".join(f"{STATUS_LABELS[s].zh} {counts[s]} 项" for s in order if s in counts)
        en = ", ".join(f"{STATUS_LABELS[s].en} {counts[s]}" for s in order if s in counts)
        return Field(label, Message(zh, en), MEASURED)

    def serious(self, *articles: str) -> list[Mapping[str, Any]]:
        """The FAIL findings first, then the WARN ones, of these articles."""
        found = self.findings(*articles)
        return [f for s in _SERIOUS for f in found if f["status"] == s]

    def subject(self, f: Mapping[str, Any]) -> Message:
        """What a finding is about: a ground's display name, else its subject as written."""
        ground = f.get("ground")
        if not ground:
            return Message("—", "—")
        names = {g["ground"] for g in self.grounds()}
        if all(part in names for part in str(ground).split(INTERSECTION_SEP)):
            return ground_label(str(ground))
        return Message(str(ground), str(ground))

    @property
    def _confidence_level(self) -> float:
        """The audit's ``confidence_level`` (the level of an interval that names none)."""
        return float((self.doc.get("policy") or {}).get("confidence_level", 0.95))

    def tables(self, *articles: str) -> tuple[Table, ...]:
        """:meth:`findings_table` as a tuple: empty when nothing is flagged."""
        table = self.findings_table(*articles)
        return () if table is None else (table,)

    def findings_table(self, *articles: str, limit: int = 15) -> Table | None:
        """The FAIL and WARN findings of these articles as a table (None when there are none):
        status, check, subject, value and tolerance; at most ``limit`` rows, the rest counted."""
        found = self.serious(*articles)
        if not found:
            return None
        shown = found[:limit]
        rows = tuple(
            (
                STATUS_LABELS[f["status"]],
                Message(f["title"]["zh"], f["title"]["en"]),
                self.subject(f),
                _value_cell(f, self._confidence_level),
                registry.format_threshold(f["check"], f.get("threshold")),
            )
            for f in shown
        )
        # a result the value and interval do not explain (a column's name, not its values)
        marked = tuple(i for i, f in enumerate(shown) if _unexplained(f))
        why = [Message(shown[i]["message"]["zh"], shown[i]["message"]["en"]) for i in marked]
        rest = len(found) - len(rows)
        return Table(
            say("filings.findings_table.results_beyond_tolerance_or"),
            (
                say("filings.findings_table.result"),
                say("filings.findings_table.check"),
                say("filings.findings_table.subject"),
                say("filings.findings_table.value"),
                say("filings.findings_table.tolerance"),
            ),
            rows,
            note=_legend({f["status"] for f in shown}, why, rest),
            marked=marked,
        )

    # -- the model and its explanation ------------------------------------------------------------

    def notice_section(self, heading_en: str) -> tuple[Message, ...]:
        """The paragraphs of one section of the public algorithm notice (Art. 71)."""
        return tuple(text for text, _ in self.notice_paragraphs(heading_en))

    def notice_paragraphs(self, heading_en: str) -> tuple[tuple[Message, Message | None], ...]:
        """The paragraphs of one section of the public algorithm notice (Art. 71), each with
        why a person must review it before publication (its ``reason`` when its ``status`` is
        NEEDS_REVIEW), or None: an audit saved before the notice carried a status has None
        throughout."""
        for s in self.doc.get("algorithm_notice") or []:
            if s["heading"]["en"] == heading_en:
                return tuple(
                    (Message(p["zh"], p["en"]), _review_reason(p))
                    for p in s["paragraphs"]
                    if not _marks_missing(p)
                )
        return ()

    def model_class(self) -> str | None:
        """The class of the estimator that decides (the last step of a pipeline)."""
        model = (self.doc.get("manifest") or {}).get("model") or {}
        while str(model.get("class", "")).endswith("Pipeline"):
            steps = (model.get("params") or {}).get("steps") or []
            if not steps or not isinstance(steps[-1], list) or len(steps[-1]) < 2:
                break
            model = steps[-1][1] if isinstance(steps[-1][1], dict) else {}
        name = model.get("class")
        return None if not name else str(name)

    def factors(self, limit: int = 5) -> list[Mapping[str, Any]]:
        """The explanation's main factors, largest share first."""
        expl = self.doc.get("explanation") or {}
        return list(expl.get("factors") or [])[:limit]

    def grounds(self) -> list[Mapping[str, Any]]:
        """The sensitive attributes the audit compared groups by."""
        return list(self.doc.get("sensitive_attributes") or [])


#: What each status in a findings table means, for a reader of the filing.
_STATUS_MEANING = {
    "FAIL": say("filings.status_meaning.fail"),
    "WARN": say("filings.status_meaning.warn"),
}


def _legend(statuses: set[str], why: Sequence[Message], rest: int) -> Message:
    """The note of a findings table: what its statuses mean, why each marked row is there,
    how many more there are, and where each is explained."""
    said = [_STATUS_MEANING[s] for s in ("FAIL", "WARN") if s in statuses]
    said += [say("filings.legend.marked_row", m=m) for m in why]
    said.append(
        Message(
            (f"另有 {rest} 项未列出。" if rest else "")
            + "每项的完整说明见审计报告（同一内容哈希）。",
            (f"{rest} more not listed. " if rest else "")
            + "Each is explained in full in the audit report (same content hash).",
        )
    )
    return Message("".join(m.zh for m in said), " ".join(m.en for m in said))


def _value_cell(f: Mapping[str, Any], confidence_level: float) -> Message:
    """A finding's value in its check's unit, with its interval and the interval's level
    (the level of the test its status rests on; ``confidence_level`` when it names none)."""
    value = registry.format_value(f["check"], f.get("value"))
    ci = format_interval(f["check"], f.get("ci"))
    if f.get("value") is None or ci is None:
        return value
    level = fmt_level(float((f.get("details") or {}).get("ci_level", confidence_level)))
    return say("filings.value_cell.ci", value=value, level=level, ci=ci)


def _unexplained(f: Mapping[str, Any]) -> bool:
    """Whether a FAIL or WARN finding's value, with no interval, meets its tolerance: what
    made it so is in its message, not in its numbers."""
    check = registry.get(f["check"])
    value, threshold = f.get("value"), f.get("threshold")
    if check is None or value is None or threshold is None or f.get("ci"):
        return False
    return check.direction != "none" and within(float(value), float(threshold), check.direction)


def _marks_missing(p: Mapping[str, str]) -> bool:
    """Whether a notice paragraph only says a fact was not provided."""
    zh, en = p.get("zh", ""), p.get("en", "")
    return zh.endswith(NOT_PROVIDED.zh) and en.endswith(NOT_PROVIDED.en)


def _review_reason(p: Mapping[str, Any]) -> Message | None:
    """Why a notice paragraph must be reviewed before publication: its reason when its status
    is NEEDS_REVIEW, else None (and None for a paragraph saved without a status)."""
    reason = p.get("reason")
    if p.get("status") != "NEEDS_REVIEW" or not isinstance(reason, Mapping):
        return None
    return Message(str(reason.get("zh", "")), str(reason.get("en", "")))
