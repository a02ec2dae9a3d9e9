"""What an audit covered: the task, the rows, the labels, and each sensitive attribute.

:class:`Scope` and :class:`SensitiveInfo` are filled by the task runners and read by every
article's findings, JSON and page part; the notes say where an attribute came from and how it
was grouped, in both languages.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import checks
from .catalog import say
from .data import MISSING_LABEL, BinSpec
from .findings import Finding, Status, jsonable
from .grounds import ground_label
from .messages import Message

__all__ = [
    "Scope",
    "SensitiveInfo",
    "binned_note",
    "binning_note",
    "decision_source",
    "missing_note",
    "source_note",
    "with_binning_notes",
]


@dataclass(frozen=True)
class SensitiveInfo:
    """Where a sensitive attribute came from and how it was grouped."""

    ground: str
    column: str | None
    source: str  # "data", "sensitive_data" or "array"
    binning: BinSpec | None
    groups: tuple[str, ...]
    n_missing: int = 0

    @property
    def label(self) -> Message:
        return ground_label(self.ground)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ground": self.ground,
            "label": self.label.to_dict(),
            "column": self.column,
            "source": self.source,
            "binning": None if self.binning is None else self.binning.to_dict(),
            "groups": list(self.groups),
            "n_missing": self.n_missing,
        }


@dataclass(frozen=True)
class Scope:
    """What was audited: task, rows, labels, and how decisions were obtained."""

    task: str
    n_rows: int
    favorable_label: Any
    positive_label: Any
    labels: tuple[str, ...]
    has_outcomes: bool
    has_scores: bool
    decision_rule: str
    mode: str  # "model" or "predictions"
    favorable_is_positive: bool = True
    #: How the rows were drawn (:meth:`szai_audit.core.design.Design.to_dict`): the columns
    #: ``cluster=`` and ``weights=`` named and the number of clusters (None: every row
    #: independent and unweighted).
    design: Mapping[str, Any] | None = None
    #: What the favourable decision is called (``Audit(favorable_name=...)``); None: unnamed.
    favorable_name: Message | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "mode": self.mode,
            "n_rows": self.n_rows,
            "favorable_label": jsonable(self.favorable_label),
            "positive_label": jsonable(self.positive_label),
            "favorable_is_positive": self.favorable_is_positive,
            "labels": list(self.labels),
            "has_outcomes": self.has_outcomes,
            "has_scores": self.has_scores,
            "decision_rule": self.decision_rule,
            "design": dict(self.design)
            if self.design is not None
            else {"independent": True, "cluster": None, "weights": None, "n_clusters": None},
            "favorable_name": None
            if self.favorable_name is None
            else self.favorable_name.to_dict(),
        }


def binning_note(info: SensitiveInfo) -> Message | None:
    if info.binning is None:
        return None
    groups = "、".join(info.binning.labels)
    groups_en = ", ".join(info.binning.labels)
    edges = ", ".join(f"{e:g}" for e in info.binning.edges)
    if info.binning.method == "user":
        return say(
            "core.binning_note.this_attribute_numeric_was_2",
            edges=edges,
            groups=Message(groups, groups_en),
        )
    return say(
        "core.binning_note.this_attribute_numeric_was",
        edges=edges,
        groups=Message(groups, groups_en),
    )


def binned_note(name: Message, binning: BinSpec) -> Message:
    """The sentence a finding of a binned number ends with: what it compared, and that the
    trend along the numbers themselves is its own finding."""
    cuts = ", ".join(f"{e:g}" for e in binning.edges)
    how = (
        say("core.binned_note.at_cut_points_user")
        if binning.method == "user"
        else say("core.binned_note.by_quantiles")
    )
    return say("core.binned_note.numeric_was_grouped_cut", name=name, how=how, cuts=cuts)


def with_binning_notes(
    findings: Sequence[Finding], binned: Mapping[str, tuple[Message, BinSpec]]
) -> list[Finding]:
    """``findings`` with :func:`binned_note` after the message of each finding about a binned
    number (``binned``: subject -> its name and bins), but for the trends along the numbers
    (the checks whose registry minimum is ``"trend"``), checks with their own rule on the
    number (``binned=False``) and findings that measured nothing."""
    out = []
    for f in findings:
        entry = binned.get(f.ground or "")
        declared = checks.get(f.check)
        own_rule = declared is not None and (declared.minimum == "trend" or not declared.binned)
        if entry is None or own_rule or f.status is Status.NOT_ASSESSED:
            out.append(f)
            continue
        note = binned_note(*entry)
        out.append(
            dataclasses.replace(
                f,
                message=f.message.join(note, sep_en=""),
                details={**f.details, "binning": entry[1].to_dict()},
            )
        )
    return out


def source_note(info: SensitiveInfo) -> Message:
    if info.column is None:
        return say("core.source_note.source_array_supplied_separately")
    # The column's name is code: the method appendix lists it (issue 31, item 7).
    if info.source == "sensitive_data":
        return say("core.source_note.sensitive_data")
    return say("core.source_note.data")


def decision_source(rule: str) -> Message:
    """Where the audited decisions came from, in words, for a sentence: the model's own
    decisions, a cut of its scores, or decisions submitted with the data. The rule itself
    (``model.predict(data)``) is code and is shown only in the method appendix.

    >>> decision_source("model.predict(data)").to_dict()
    {'zh': '模型自身的判定', 'en': "the model's own decisions"}
    >>> decision_source("y_score >= 0.3 (1), else 0").en
    "cut from the model's scores: a score of at least 0.3 counts as positive"
    >>> decision_source("y_pred (given)").zh
    '随数据提交的决定'
    """
    if rule.startswith("y_pred"):
        return say("core.decision_source.given")
    cut = re.search(r">=\s*([-+0-9.eE]+)", rule)
    if cut is not None:
        return say("core.decision_source.score_cut", cut=cut.group(1))
    return say("core.decision_source.model")


def missing_note(info: SensitiveInfo) -> Message | None:
    if not info.n_missing:
        return None
    return say(
        "core.missing_note.rows_lack_this_attribute",
        n_missing=info.n_missing,
        missing_label=MISSING_LABEL,
    )
