"""What every filing is made of: parts that answer clauses, fields, tables.

A :class:`Filing` is a list of :class:`Part`. Each part says which clauses it answers
(:class:`~szai_audit.filings.citations.Clause`), and holds sentences, :class:`Field` (a label
and its value) and :class:`Table`. A field is ``measured`` (a number or result of the audit),
``drafted`` (taken from the system card or the use context, or suggested by the tool: a person
confirms it) or ``needs_review`` (left blank: only a person can write it). Nothing a person
must write is invented.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from ..core.catalog import say
from ..core.errors import ReportError
from ..core.files import LANGS, json_text, write_text
from ..core.messages import Message
from .citations import INSTRUMENTS, Clause
from .render import render_filing, text_filing

__all__ = [
    "DRAFTED",
    "FIELD_KINDS",
    "FILING_SCHEMA_VERSION",
    "MEASURED",
    "NEEDS_REVIEW",
    "Field",
    "Filing",
    "Part",
    "Table",
]

#: Version of a filing's JSON layout (see docs/filings/index.md).
FILING_SCHEMA_VERSION = "1.0"

MEASURED, DRAFTED, NEEDS_REVIEW = "measured", "drafted", "needs_review"

#: What each kind of field means, for the page's legend.
FIELD_KINDS: dict[str, Message] = {
    MEASURED: say("filings.field_kinds.measured_by_audit"),
    DRAFTED: say("filings.field_kinds.drafted_from_system_card"),
    NEEDS_REVIEW: say("filings.field_kinds.needs_review_person_writes"),
}


@dataclass(frozen=True)
class Field:
    """One entry of a filing: a label and its value (None when a person must write it).

    ``prompt`` says what a person must write (or confirm). ``review`` marks lines of the
    value (by position among its ``"\n"``-separated lines) that a person must review before
    the text is published, each with why: a sentence of the public text on an input tied to
    a protected ground, say, shown with a NEEDS_REVIEW banner after it.
    """

    label: Message
    value: Message | None = None
    kind: str = MEASURED
    prompt: Message | None = None
    review: tuple[tuple[int, Message], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"kind must be one of {sorted(FIELD_KINDS)}, got {self.kind!r}")
        if (self.value is None) != (self.kind == NEEDS_REVIEW):
            raise ValueError("a field has no value exactly when a person must write it")
        lines = 0 if self.value is None else len(self.value.zh.split("\n"))
        if any(not 0 <= i < lines for i, _ in self.review):
            raise ValueError(f"review marks lines 0 to {lines - 1} of the value only")

    def line_reviews(self) -> list[tuple[Message, Message | None]]:
        """The value's lines, each with why a person must review it before publication
        (None: nothing to review); [] for a field without a value."""
        if self.value is None:
            return []
        why = dict(self.review)
        zh, en = self.value.zh.split("\n"), self.value.en.split("\n")
        en += [""] * (len(zh) - len(en))
        return [(Message(z, e), why.get(i)) for i, (z, e) in enumerate(zip(zh, en, strict=False))]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label.to_dict(),
            "value": None if self.value is None else self.value.to_dict(),
            "kind": self.kind,
            "prompt": None if self.prompt is None else self.prompt.to_dict(),
            "review": [
                {"line": i, "status": "NEEDS_REVIEW", "reason": why.to_dict()}
                for i, why in self.review
            ],
        }


def needs(label: Message, prompt: Message) -> Field:
    """A field only a person can write."""
    return Field(label, None, NEEDS_REVIEW, prompt)


def drafted(
    label: Message,
    value: Message | None,
    prompt: Message,
    review: tuple[tuple[int, Message], ...] = (),
) -> Field:
    """A field drafted from the system card; blank (NEEDS_REVIEW) when the card lacks it.
    ``review``: lines of the value a person must review before publication, with why."""
    if value is None or not (value.zh.strip() or value.en.strip()):
        return needs(label, prompt)
    return Field(label, value, DRAFTED, prompt, review)


@dataclass(frozen=True)
class Table:
    """A table: a caption, column headings and rows of cells (text in both languages)."""

    caption: Message
    columns: tuple[Message, ...]
    rows: tuple[tuple[Message, ...], ...]
    note: Message | None = None
    #: Rows to mark (by position), e.g. categories under 2% of the data.
    marked: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "caption": self.caption.to_dict(),
            "columns": [c.to_dict() for c in self.columns],
            "rows": [[c.to_dict() for c in row] for row in self.rows],
            "note": None if self.note is None else self.note.to_dict(),
            "marked": list(self.marked),
        }


@dataclass(frozen=True)
class Part:
    """One part of a filing: the clauses it answers, sentences, fields and tables."""

    key: str
    heading: Message
    answers: tuple[Clause, ...]
    paragraphs: tuple[Message, ...] = ()
    fields: tuple[Field, ...] = ()
    tables: tuple[Table, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "heading": self.heading.to_dict(),
            "answers": [c.to_dict() for c in self.answers],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "fields": [f.to_dict() for f in self.fields],
            "tables": [t.to_dict() for t in self.tables],
        }


@dataclass(frozen=True)
class Filing:
    """A filing drafted from one audit: its parts, and what a person must still write.

    Made by :func:`szai_audit.filings.build_filing` or :meth:`AuditResult.filing
    <szai_audit.result.AuditResult.filing>`; written with :meth:`to_html`, :meth:`to_json`.

    Attributes
    ----------
    kind : str
        ``"algorithm"``, ``"pia"``, ``"ethics"`` or ``"bias_audit"``.
    title : Message
    instruments : tuple of str
        Keys of :data:`~szai_audit.filings.citations.INSTRUMENTS` the filing answers.
    date : str
        The filing's date (ISO 8601), by default the audit's.
    source : dict
        The audit it was drafted from: system, version, time, ``content_sha256``.
    parts : tuple of Part
    intro : tuple of Message
        What the filing is, and what it is not.
    """

    kind: str
    title: Message
    instruments: tuple[str, ...]
    date: str
    source: dict[str, Any]
    parts: tuple[Part, ...]
    intro: tuple[Message, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_review(self) -> list[tuple[Part, Field]]:
        """Every field a person must still write, with its part, in order."""
        return [(p, f) for p in self.parts for f in p.fields if f.kind == NEEDS_REVIEW]

    @property
    def flagged(self) -> list[tuple[Part, Field, Message]]:
        """Every line of a drafted text a person must review before publication, with its
        part, its field and why (:attr:`Field.review`), in order."""
        return [(p, f, why) for p in self.parts for f in p.fields for _, why in f.review]

    @property
    def drafted(self) -> list[tuple[Part, Field]]:
        """Every field drafted by the tool that a person must confirm."""
        return [(p, f) for p in self.parts for f in p.fields if f.kind == DRAFTED]

    def part(self, key: str) -> Part:
        """The part with this key."""
        for p in self.parts:
            if p.key == key:
                return p
        raise KeyError(f"no part {key!r}; parts: {[p.key for p in self.parts]}")

    def to_dict(self) -> dict[str, Any]:
        """The filing as JSON-safe Python objects."""
        return {
            "filing_schema_version": FILING_SCHEMA_VERSION,
            "kind": self.kind,
            "title": self.title.to_dict(),
            "instruments": {k: INSTRUMENTS[k].to_dict() for k in self.instruments},
            "date": self.date,
            "source": dict(self.source),
            "intro": [m.to_dict() for m in self.intro],
            "parts": [p.to_dict() for p in self.parts],
            "needs_review": [
                {"part": p.key, "label": f.label.to_dict(), "prompt": _d(f.prompt)}
                for p, f in self.needs_review
            ],
            "drafted": [{"part": p.key, "label": f.label.to_dict()} for p, f in self.drafted],
            **json.loads(json_text(self.extra)),
        }

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int = 2) -> str:
        """The JSON text; written atomically to ``path`` if given."""
        text = json_text(self.to_dict(), indent=indent)
        if path is not None:
            write_text(path, text)
        return text

    def to_html(
        self, path: str | os.PathLike[str] | None = None, *, lang: str = "bilingual"
    ) -> str:
        """A standalone HTML page (inline CSS, no script, no external URL); written to
        ``path`` if given."""
        if lang not in LANGS:
            raise ReportError(f"lang must be one of {list(LANGS)}, got {lang!r}.")
        text = render_filing(self, lang)
        if path is not None:
            write_text(path, text)
        return text

    def to_text(self, lang: str = "en") -> str:
        """The filing as plain text in one language, ``"zh"`` or ``"en"``."""
        if lang not in ("zh", "en"):
            raise ReportError(f"lang must be 'zh' or 'en' for text, got {lang!r}.")
        return text_filing(self, lang)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return (
            f"Filing({self.kind!r}, {len(self.parts)} parts, "
            f"{len(self.needs_review)} fields for a person to write, date {self.date})"
        )


def _d(m: Message | None) -> dict[str, str] | None:
    return None if m is None else m.to_dict()
