"""The skeleton every task runs, once: prepare, measure, read rows, explain, judge, assemble.

A task (classification, regression, pricing) is a :class:`TaskRunner` that fills in the steps
that differ: how its inputs are prepared (:meth:`~TaskRunner.prepare`), what it measures
(:meth:`~TaskRunner.measure`), what follows from the explanation
(:meth:`~TaskRunner.after_explanation`) and how its result is assembled
(:meth:`~TaskRunner.assemble`). The shared steps (proxies and flip test, explanation, the
Benjamini-Hochberg judgement, one family per ground, the grounds not provided, the labels of
category values put into the text) are written once, in :meth:`TaskRunner.run`. A runner takes the
validated settings and prepared rows, never the :class:`~szai_audit.Audit` object.
"""

from __future__ import annotations

import datetime as _dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..core.data import BinSpec, GroupEncoding
from ..core.findings import Finding
from ..core.judging import Judgeable, TableAssessment, finalize
from ..core.labels import ValueLabels
from ..core.messages import Message
from ..core.models import ModelAdapter, Repeat
from ..core.progress import stage
from ..core.scope import Scope, with_binning_notes
from ..explain.engine import Explanation
from ..explain.summary import ExplanationSummary
from ..fairness.analysis import FairnessAnalysis
from ..fairness.counterfactual import FlipResult
from ..fairness.findings.inputs import with_flip_notes
from ..fairness.proxies import ProxyReport
from ..inputs.attributes import Attribute
from ..inputs.labels import value_labels
from ..inputs.rows import RowAccess
from ..inputs.settings import Settings
from ..result import AuditResult
from .stages import explanation, grounds_not_provided, input_checks, labelled, repeatability

__all__ = ["Checked", "Prepared", "TaskRunner"]


@dataclass(frozen=True)
class Prepared:
    """What the shared steps read of a task's inputs."""

    attrs: list[Attribute]
    encodings: Mapping[str, GroupEncoding]
    adapter: ModelAdapter | None
    rows: RowAccess
    #: The label counted as positive (None for numeric outputs).
    pos: Any
    favorable_is_positive: bool


@dataclass(frozen=True)
class Checked:
    """What the shared steps found, for the task to assemble its result."""

    findings: list[Finding]
    group_tests: dict[str, pd.DataFrame]
    proxies: dict[str, ProxyReport]
    flips: dict[str, FlipResult]
    explanation: Explanation | None
    summary: ExplanationSummary | None
    #: The labels of category values, and the raw values shown without one, by column.
    value_labels: ValueLabels = field(default_factory=ValueLabels)
    unlabelled: dict[str, list[str]] = field(default_factory=dict)


class TaskRunner(ABC):
    """One task's audit. ``__init__`` stores; :meth:`run` is the skeleton."""

    #: Whether the outputs are numbers (a prediction, a price) rather than decisions.
    numeric = False
    #: The relative change of a numeric output that the flip test counts.
    change_rtol = 0.0
    #: What the outputs are called in the flip test's messages (decisions by default).
    outputs: Message | None = None
    #: How a change of a numeric output is written with its unit (None: a number, no unit).
    amount: Callable[[float], Message] | None = None

    def __init__(self, settings: Settings, random_state: int | None, started: _dt.datetime):
        self.settings = settings
        self.policy = settings.policy
        self.random_state = random_state
        self.started = started
        #: The model's outputs differed between two calls on the same rows (None: they did
        #: not, or there is no model): no finding compares two calls of it.
        self.unrepeatable: Repeat | None = None

    def run(self) -> AuditResult:
        """Prepare, measure, read rows, explain, judge every comparison together, put the
        labels of category values into the text, assemble."""
        with stage("predictions"):
            common = self.prepare()
            repeat = repeatability(common.adapter, common.rows, self.numeric, self.random_state)
        self.unrepeatable = None if repeat is None or repeat.deterministic else repeat
        with stage("bootstrap"):
            tables, extra = self.measure()
        proxies, flips, found = input_checks(
            self.settings,
            common.attrs,
            common.encodings,
            common.adapter,
            common.rows,
            self.random_state,
            pos=common.pos,
            favorable_is_positive=common.favorable_is_positive,
            numeric=self.numeric,
            change_rtol=self.change_rtol,
            outputs=self.outputs,
            amount=self.amount,
            unrepeatable=self.unrepeatable,
        )
        self.proxies = proxies  # for the steps after the explanation
        with stage("explanation"):
            explained, summary, explanation_found = explanation(
                self.settings,
                common.attrs,
                common.adapter,
                common.rows,
                proxies,
                self.random_state,
                pos=common.pos,
                favorable_is_positive=common.favorable_is_positive,
                numeric=self.numeric,
                unrepeatable=self.unrepeatable,
            )
            extra += [*found, *explanation_found]
        extra += self.after_explanation(summary, explanation_found)
        findings, tests = finalize(tables, self.policy, extra)
        findings = with_flip_notes(findings)
        findings = with_binning_notes(findings, self.binned(common.attrs))
        findings += grounds_not_provided(common.attrs)
        labels = value_labels(self.settings, common.attrs, self.kept_columns())
        findings, summary, unlabelled = labelled(findings, summary, labels)
        return self.assemble(
            Checked(findings, tests, proxies, flips, explained, summary, labels, unlabelled)
        )

    # The steps a task fills in -------------------------------------------------------------

    @abstractmethod
    def prepare(self) -> Prepared:
        """Read the task's inputs (outputs, outcomes, attributes, rows)."""

    @abstractmethod
    def measure(self) -> tuple[list[TableAssessment], list[Finding | Judgeable]]:
        """The task's own measurements: tables judged together, and other comparisons."""

    def after_explanation(
        self, summary: ExplanationSummary | None, found: list[Finding]
    ) -> list[Finding | Judgeable]:
        """Comparisons that follow the explanation (none by default)."""
        return []

    def binned(self, attrs: list[Attribute]) -> dict[str, tuple[Message, BinSpec]]:
        """The numbers the task cut into bins: subject -> its name and bins (the binned
        grounds by default)."""
        return {
            a.info.ground: (a.info.label, a.info.binning)
            for a in attrs
            if a.info.binning is not None
        }

    def kept_columns(self) -> pd.DataFrame | None:
        """Columns of every row kept from data seen in parts, whose category values the labels
        are read against (none by default)."""
        return None

    @abstractmethod
    def assemble(self, checked: Checked) -> AuditResult:
        """The task's result."""

    # Shared by the tasks ----------------------------------------------------------------------

    def result(
        self,
        checked: Checked,
        attrs: list[Attribute],
        scope: Scope,
        manifest: dict[str, Any],
        fairness: Mapping[str, Any] | None = None,
        **parts: Any,
    ) -> AuditResult:
        """The audit's result: what every task has, the task's own Art. 72(2)(iv) tables
        ``fairness`` (fields of :class:`~szai_audit.fairness.analysis.FairnessAnalysis`), and its
        own ``parts``."""
        return AuditResult(
            findings=checked.findings,
            scope=scope,
            policy=self.policy,
            sensitive=tuple(a.info for a in attrs),
            fairness=FairnessAnalysis(
                grounds=tuple(a.info.ground for a in attrs),
                proxies=checked.proxies,
                flips=checked.flips,
                **(fairness or {}),
            ),
            explanation=checked.explanation,
            explanation_summary=checked.summary,
            metadata=self.settings.metadata,
            manifest=manifest,
            value_labels=checked.value_labels,
            feature_labels=dict(self.settings.feature_labels or {}),
            unlabelled_values=checked.unlabelled,
            **parts,
        )

    def scope(self, adapter: ModelAdapter | None, **fields: Any) -> Scope:
        """The scope of the audit: the task, whether a model or its outputs were audited, and
        ``fields``."""
        mode = "model" if adapter is not None else "predictions"
        design = self.settings.design.to_dict()
        return Scope(task=self.settings.task, mode=mode, design=design, **fields)
