"""AuditResult: findings and metrics of one audit run, and their JSON / HTML forms."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .core.errors import InputError, ReportError, UnsupportedError
from .core.files import LANGS, content_hmac, content_sha256, json_text, signing_key, write_text
from .core.findings import VERDICTS, Finding, status_counts, verdict_of
from .core.html import visible_text
from .core.labels import ValueLabels, unlabelled_note
from .core.manifest import VOLATILE
from .core.messages import Message
from .core.metadata import meta_text
from .core.policy import Policy
from .core.progress import stage
from .core.scope import Scope, SensitiveInfo
from .explain.engine import Explanation
from .explain.notices import NoticeBatch, person_notices
from .explain.person import PersonExplanation, explain_people, person_notice
from .explain.public import NoticeParagraph, banner_text, paragraph_dict
from .explain.summary import ExplanationSummary, notice
from .fairness.analysis import FairnessAnalysis
from .fairness.recourse import sensitive_inputs, tied_inputs
from .filings import Filing, build_filing, write_filings
from .pricing.analysis import PricingAnalysis
from .privacy.scanner import PrivacyScan
from .report import render_notebook_summary, render_notice, render_report
from .risk.review import ChecklistItem
from .risk.tiers import RiskAssessment
from .risk.tracking import Comparison, compare

__all__ = ["LANGS", "SCHEMA_VERSION", "AuditResult", "Scope", "SensitiveInfo"]

#: Version of the JSON layout written by :meth:`AuditResult.to_dict`; see docs/json-schema.md.
SCHEMA_VERSION = "1.12"


@dataclass(frozen=True, eq=False)
class AuditResult:
    """The outcome of :meth:`szai_audit.Audit.run`.

    Attributes
    ----------
    findings : list of Finding
        One per check, in the order they ran.
    fairness : FairnessAnalysis
        Art. 72(2)(iv): the group tables by ground and intersection (``group_metrics``,
        ``intersections``, ``intersection``, ``tables()``), their intervals (``cis``) and tests
        (``group_tests``), ``score_metrics``, ``proxies``, ``flips``, ``mitigation``,
        ``conditional``, and with ``task="regression"`` ``regression_metrics`` and
        ``scoring_rates`` (see :class:`~szai_audit.fairness.analysis.FairnessAnalysis`).
    explanation : Explanation or None
        Art. 71: contributions of each raw input to each explained row (kept in memory
        only: it holds the explained rows, which are never written out).
    explanation_summary : ExplanationSummary or None
        The explanation as published: factors with shares and directions, plain-language
        sentences, de-identified examples, method appendix.
    sensitive : tuple of SensitiveInfo
        Where each attribute came from and how it was grouped (bins included).
    scope : Scope
        Task, rows, labels, decision rule.
    policy : Policy
        The thresholds applied.
    metadata : dict
        The system card supplied by the user: each field one text, or a text per language
        ``{"zh": ..., "en": ...}`` (read with :func:`szai_audit.core.metadata.meta_message`).
    manifest : dict
        Versions, data fingerprints, model, seed and time.
    pricing : PricingAnalysis or None
        With ``task="pricing"``: price gaps by profile column and ground (raw and given the
        legitimate factors), the counterfactual test and the loyalty gap.
    risk : RiskAssessment or None
        With ``context=``: the risk tier (Art. 66; from the use alone), the rule that decided
        it, what to prepare for its supervision, the checks beyond tolerance beside it and
        whether Art. 71 applies.
    checklist : tuple of ChecklistItem
        Art. 72's items (1) to (7): measured, attested or awaiting review.
    privacy : PrivacyScan or None
        With ``privacy=``: the Art. 33(2) de-identification scan.
    value_labels : ValueLabels
        The display names of category values (``Audit(value_labels=...)``), by column, and the
        column of each ground: ``result.value_labels.group("gender", "female").zh``.
    feature_labels : dict
        Display names of the model's inputs, ``{column: (zh, en[, unit])}``
        (``Audit(feature_labels=...)``).
    unlabelled_values : dict of str to list of str
        The raw values the text shows without a label, by column (or ground given as an
        array); see :attr:`unlabelled_note`.
    verbose : bool
        ``Audit(verbose=...)``: whether :meth:`to_html` may show a progress bar.
    """

    findings: list[Finding]
    scope: Scope
    policy: Policy
    sensitive: tuple[SensitiveInfo, ...] = ()
    fairness: FairnessAnalysis = field(default_factory=FairnessAnalysis)
    explanation: Explanation | None = None
    explanation_summary: ExplanationSummary | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    manifest: Mapping[str, Any] = field(default_factory=dict)
    pricing: PricingAnalysis | None = None
    risk: RiskAssessment | None = None
    checklist: tuple[ChecklistItem, ...] = ()
    privacy: PrivacyScan | None = None
    value_labels: ValueLabels = field(default_factory=ValueLabels)
    feature_labels: Mapping[str, Sequence[str]] = field(default_factory=dict)
    unlabelled_values: Mapping[str, list[str]] = field(default_factory=dict)
    verbose: bool = field(default=True, repr=False)
    #: The audited model and its inputs in memory (a sample of rows for data seen in parts),
    #: for :meth:`explain_person`; never written out.
    inputs: tuple[Any, pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    #: The audit's ``recourse`` settings (``actionable``, ``immutable``): the defaults of
    #: :meth:`explain_person`, :meth:`explain_people` and :meth:`person_notices`.
    recourse_options: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: The audit's ``value_order`` (:mod:`szai_audit.core.orders`): the direction the
    #: organisation expects each input to weigh in; recourse never moves against it.
    value_order: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: The audit's ``threshold`` (None: the model's own decisions): the notices decide with it.
    threshold: float | None = field(default=None, repr=False, compare=False)
    #: Whether each decision examined by ``fairness.protected_turned`` would have been the
    #: other one without the inputs tied to protected grounds (:meth:`turned_decisions`);
    #: never written out.
    turned_flags: pd.Series | None = field(default=None, repr=False, compare=False)

    # ----------------------------------------------------------------------------------------
    # summary
    # ----------------------------------------------------------------------------------------

    @property
    def status_counts(self) -> dict[str, int]:
        """Number of findings per status, every status present (zeros included)."""
        return status_counts(f.status for f in self.findings)

    @property
    def verdict(self) -> str:
        """``"FAIL"``, ``"WARN"``, ``"INCOMPLETE"`` (nothing failed but something could not be
        assessed or needs review) or ``"PASS"``."""
        return verdict_of(self.status_counts)

    @property
    def unlabelled_note(self) -> Message | None:
        """The one note on the values shown as they are in the data, for want of a label
        (None when every value shown has one)."""
        return unlabelled_note(self.unlabelled_values, self.value_labels.names)

    @property
    def verdict_message(self) -> Message:
        """The verdict in a sentence, both languages."""
        return VERDICTS[self.verdict]

    def findings_frame(self) -> pd.DataFrame:
        """The findings as a DataFrame (one row each; English message)."""
        rows = [
            {
                "check": f.check,
                "article": f.article,
                "ground": f.ground,
                "status": f.status.value,
                "value": f.value,
                "threshold": f.threshold,
                "worst_group": f.worst_group,
                "best_group": f.best_group,
                "message": f.message.en,
            }
            for f in self.findings
        ]
        return pd.DataFrame(rows)

    # ----------------------------------------------------------------------------------------
    # JSON
    # ----------------------------------------------------------------------------------------

    def _content(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "summary": {
                "verdict": self.verdict,
                "verdict_message": self.verdict_message.to_dict(),
                "status_counts": self.status_counts,
            },
            "system": {
                k: dict(v) if isinstance(v, Mapping) else v for k, v in self.metadata.items()
            },
            "scope": self.scope.to_dict(),
            "sensitive_attributes": [s.to_dict() for s in self.sensitive],
            "findings": [f.to_dict() for f in self.findings],
            **self.fairness.to_dict(self.policy),
            "pricing": None
            if self.pricing is None
            else self.pricing.to_dict(self.policy.min_group_size),
            "explanation": None
            if self.explanation_summary is None
            else self.explanation_summary.to_dict(),
            "risk": None if self.risk is None else self.risk.to_dict(),
            "checklist": [item.to_dict() for item in self.checklist],
            "privacy": None if self.privacy is None else self.privacy.to_dict(),
            "value_labels": {
                **self.value_labels.to_dict(),
                "unlabelled": {k: list(v) for k, v in self.unlabelled_values.items()},
            },
            "algorithm_notice": [
                {"heading": h.to_dict(), "paragraphs": [paragraph_dict(p) for p in paras]}
                for h, paras in self.notice_sections()
            ],
            "policy": self.policy.to_dict(),
            "manifest": {k: v for k, v in self.manifest.items() if k not in VOLATILE},
        }

    @property
    def content_sha256(self) -> str:
        """sha256 of the result's content: everything in :meth:`to_dict` except the time of the
        run, the seconds of its stages and this hash. Identical inputs and ``random_state``
        give an identical hash."""
        return content_sha256(self._content())

    def notice_sections(self) -> list[tuple[Message, list[Message]]]:
        """The public algorithm notice as (heading, paragraphs), both languages."""
        model = self.manifest.get("model") or {}
        while model.get("class", "").endswith("Pipeline"):  # the estimator that decides
            steps = (model.get("params") or {}).get("steps") or []
            if not steps or not isinstance(steps[-1], list) or len(steps[-1]) < 2:
                break
            model = steps[-1][1] if isinstance(steps[-1][1], dict) else {}
        return notice(
            self.explanation_summary,
            self.metadata,
            model_class=model.get("class"),
            numeric_output=self.scope.task in ("regression", "pricing"),
            value_labels=self.value_labels,
        )

    def algorithm_notice(self, lang: str = "bilingual", fmt: str = "text") -> str:
        """The public algorithm notice (算法说明) for publication, alone.

        Built from the system card (``metadata``: ``purpose``, ``affected``,
        ``decision_process``, ``appeal``, ``contact``) and the computed explanation: the
        algorithm's basic principle, purpose, main factors and their direction, and how it
        operates. Missing facts are marked "(not provided)". A factor's sentence that a person
        must review before publication (an input that is a protected ground or a strong
        proxy of one, or whose most favourable value contradicts ``value_order``) is followed
        by a NEEDS_REVIEW banner saying why (docs/article-71.md).

        Parameters
        ----------
        lang : {"bilingual", "zh", "en"}
        fmt : {"text", "html"}
            Plain text, or a standalone HTML page (inline CSS, no external resource).
        """
        if lang not in LANGS:
            raise ReportError(f"lang must be one of {list(LANGS)}, got {lang!r}.")
        if fmt not in ("text", "html"):
            raise ReportError(f"fmt must be 'text' or 'html', got {fmt!r}.")
        sections = self.notice_sections()
        if fmt == "html":
            return render_notice(self.metadata, sections, lang)
        title = Message("算法说明", "Algorithm notice")
        langs = ("zh", "en") if lang == "bilingual" else (lang,)
        blocks = []
        for code in langs:
            system = meta_text(self.metadata, "system_name", code)
            lines = [
                title[code]
                + (f"：{system}" if code == "zh" and system else f": {system}" if system else "")
            ]
            for heading, paras in sections:
                lines.append("")
                lines.append(heading[code])
                for p in paras:
                    lines.append(p[code])
                    if isinstance(p, NoticeParagraph) and p.status is not None and p.reason:
                        lines.append(banner_text(p.status, p.reason)[code])
            blocks.append("\n".join(lines))
        return visible_text("\n\n".join(blocks) + "\n")

    def to_dict(self) -> dict[str, Any]:
        """The whole result as plain JSON-safe Python objects (schema in docs/json-schema.md).

        It holds statistics by group, never a row of the data. Rates resting on fewer than
        ``policy.min_group_size`` people are withheld (None), and with them, by complementary
        suppression, the figures (another group's, or the overall row's) from which a set of
        fewer than ``policy.k_anonymity`` people could be worked out; a value held by fewer
        than ``policy.k_anonymity`` rows appears under a stand-in (docs/method.md, Privacy of
        the report).

        ``content_sha256`` detects accidental change only (anyone can recompute it). With the
        organisation's key in the environment variable ``SZAI_AUDIT_KEY``, ``content_hmac``
        signs the same content: ``compare()``, the filings and ``szai-audit explain --audit``
        then refuse a saved audit whose signature is missing or does not match.
        """
        content = self._content()
        out = json.loads(json_text(content))  # a deep copy the caller may change
        out["manifest"]["generated_at"] = self.manifest.get("generated_at")
        if "stage_seconds" in self.manifest:
            out["manifest"]["stage_seconds"] = dict(self.manifest["stage_seconds"])
        out["content_sha256"] = content_sha256(content)
        key = signing_key()
        if key is not None:
            out["content_hmac"] = content_hmac(content, key)
        return out

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int = 2) -> str:
        """Write the JSON form to ``path`` (UTF-8) if given; return the JSON text.

        The file is written atomically (an interrupted write leaves the previous file whole)
        and its missing parent folders are created; a path that cannot be written raises
        :class:`~szai_audit.errors.ReportError`.
        """
        text = json_text(self.to_dict(), indent=indent)
        if path is not None:
            write_text(path, text)
        return text

    # ----------------------------------------------------------------------------------------
    # HTML
    # ----------------------------------------------------------------------------------------

    def compare(self, previous: Any, *, drift_tolerance: float = 0.25) -> Comparison:
        """Ex-post tracking (Art. 66(2)): this audit against an earlier one of the same system.

        Parameters
        ----------
        previous : AuditResult, dict or path
            The earlier audit: a result, its ``to_dict()``, or the path of its saved JSON.
        drift_tolerance : float, default 0.25
            A finding drifts when its status gets more serious, when its value crosses its
            threshold, or when the value moves by more than this share of the threshold.

        Returns
        -------
        Comparison
            ``changes`` (findings lined up by check, article and ground), ``new``,
            ``resolved``, ``removed``, ``appeared_failures``, ``summary``; ``to_dict()``,
            ``to_json()``, ``to_html()``.
        """
        return compare(self, previous, drift_tolerance=drift_tolerance)

    def filing(self, kind: str, **options: Any) -> Filing:
        """Draft a filing from this audit: ``"algorithm"`` (algorithm filing material),
        ``"pia"`` (personal-information impact assessment), ``"ethics"`` (ethics-review screen
        and record) or ``"bias_audit"`` (LL144 impact-ratio tables and the EU AI Act section).

        ``options`` are those of :func:`szai_audit.filings.build_filing` (``date``,
        ``previous``, ``follow_up_months``, ``public_opinion``, ``sex``, ``race_ethnicity``).
        What only a person can write is left blank and marked NEEDS_REVIEW; see
        docs/filings/. Returns a :class:`~szai_audit.filings.Filing` (``to_html()``,
        ``to_json()``).
        """
        return build_filing(kind, self, **options)

    def write_filings(
        self,
        out: str | os.PathLike[str],
        *,
        kinds: str | Sequence[str] | None = None,
        lang: str = "bilingual",
        **options: Any,
    ) -> dict[str, tuple[Any, Any]]:
        """Write filings (all four by default) to the folder ``out`` as
        ``filing-<kind>.html`` and ``filing-<kind>.json``; returns ``{kind: (html, json)}``
        paths. ``options`` as for :meth:`filing`."""
        return write_filings(self, out, kinds=kinds, lang=lang, **options)

    def to_html(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lang: str = "bilingual",
        compare_with: Any = None,
    ) -> str:
        """Render the self-contained HTML report; write it to ``path`` if given.

        Parameters
        ----------
        path : path-like, optional
            File to write (UTF-8), atomically: an interrupted write leaves the previous file
            whole. Missing parent folders are created; a path that cannot be written (a
            folder, a file where a folder is needed) raises ``ReportError``.
        lang : {"bilingual", "zh", "en"}, default "bilingual"
            Chinese and English side by side, or one language.
        compare_with : AuditResult, dict, path or Comparison, optional
            An earlier audit of the same system: the report gains an "ex-post tracking"
            section (see :meth:`compare`).

        Returns
        -------
        str
            The HTML document: inline CSS and SVG, no script, no external URL.
        """
        if lang not in LANGS:
            raise ReportError(f"lang must be one of {list(LANGS)}, got {lang!r}.")
        comparison = None
        if compare_with is not None:
            comparison = (
                compare_with if isinstance(compare_with, Comparison) else self.compare(compare_with)
            )
        with stage("report", show=self.verbose) as timed:
            text = render_report(self, lang=lang, comparison=comparison)
        stages = self.manifest.get("stage_seconds")
        if isinstance(stages, dict):  # the report is rendered after the run: its last time
            stages["report"] = round(timed.seconds(), 3)
        if path is not None:
            write_text(path, text)
        return text

    def explain_person(
        self,
        row: Any,
        *,
        immutable: Sequence[str] | None = None,
        actionable: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> PersonExplanation:
        """One person's decision explained, with recourse: :func:`szai_audit.explain.person_notice`
        on the audited model and data, with the audit's display names and value labels, and the
        sensitive grounds among the inputs and their proxies (single-input AUC at or above
        ``policy.proxy_auc_threshold``) as ``sensitive`` (never a reason, never changed).

        Parameters
        ----------
        row : index label, Series, mapping or one-row DataFrame
            The person (an index label of the audited data).
        immutable, actionable :
            As for :func:`~szai_audit.explain.person_notice`; by default the audit's own
            (``Audit(recourse={"actionable": ..., "immutable": ...})``), which its recourse
            findings used.
        **options :
            ``n_reasons``, ``n_options``, ``background_size``, ``grid``, ``min_count``,
            ``random_state``; the last two are the audit's by default
            (``policy.explain_background_size`` and its ``random_state``), so that a notice's
            ``turned`` is the audit's (:meth:`turned_decisions`).

        Raises
        ------
        UnsupportedError
            The audit had no model, or no inputs in memory (decisions given as ``y_pred``).
        """
        model, data = self._person_inputs("explain_person")
        return person_notice(
            model, data, row, **self._person_options(data, immutable, actionable, options)
        )

    def explain_people(
        self,
        rows: Any,
        *,
        immutable: Sequence[str] | None = None,
        actionable: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> list[PersonExplanation]:
        """:meth:`explain_person` for many people at once (index labels of the audited data,
        or a DataFrame of people with its columns): see
        :func:`szai_audit.explain.explain_people`."""
        model, data = self._person_inputs("explain_people")
        return explain_people(
            model, data, rows, **self._person_options(data, immutable, actionable, options)
        )

    def person_notices(
        self,
        rows: Any,
        out: str | os.PathLike[str],
        *,
        immutable: Sequence[str] | None = None,
        actionable: Mapping[str, Any] | None = None,
        lang: str = "bilingual",
        decided_on: Any = None,
        **options: Any,
    ) -> NoticeBatch:
        """Write one short notice per person (HTML and plain text, Chinese and English, or one
        language) into the folder ``out``: the decision, its score and cut-off, whether a
        person took part (``context=UseContext(automation=...)``), its principal reasons, the
        information tied to protected grounds it used (disclosed, with its share), what would
        change it (only when the audit declared ``recourse={"actionable": ...}``), and the
        person's rights with the organisation's review route, response time, complaint
        channel and contact from ``metadata``; and ``index.csv``.

        Every notice is checked (:func:`szai_audit.explain.notice_problems`: no column names or
        code in Chinese, no claim of cause, no protected input as a reason or a change, every
        protected input that weighed disclosed, no option against ``value_order``, numbers
        with units, levels with their meaning); the problems found are in the result's
        ``problems`` and in ``index.csv``, and a warning says how many notices have any, and
        which NEEDS_REVIEW placeholders (a missing metadata field, date or automation) remain.

        Parameters
        ----------
        rows : index labels of the audited data, or DataFrame
            The people.
        out : path-like
            The folder to write into (created when missing).
        immutable, actionable, **options :
            As for :meth:`explain_person`.
        lang : {"bilingual", "zh", "en"}, default "bilingual"
            Of the notices (HTML and text).
        decided_on : date, str or mapping, optional
            The day of the decisions: one for all, or ``{row label: date}``.

        Returns
        -------
        NoticeBatch
        """
        model, data = self._person_inputs("person_notices")
        kwargs = self._person_options(data, immutable, actionable, options)
        context = None if self.risk is None else self.risk.context
        return person_notices(
            model, data, rows, out, metadata=self.metadata, lang=lang, verbose=self.verbose,
            k=self.policy.k_anonymity, decided_on=decided_on,
            automation=None if context is None else context.automation, **kwargs,
        )  # fmt: skip

    def turned_decisions(self) -> pd.Series | None:
        """The decisions that would have been the other one without the contributions of the
        inputs tied to protected grounds (``fairness.protected_turned``, Art. 72(2)(iv)).

        Returns
        -------
        pandas.Series of bool or None
            Indexed by the labels of the audited data's rows the check examined (every row, or
            the random sample of ``policy.explain_sample_size`` rows its finding states), in
            their order; True for a decision that turns, either way. None when the check did
            not run (its finding says why).

        Notes
        -----
        The flags stay in memory: the report and the JSON hold only counts. Each flag is the
        ``turned`` of that person's notice (:meth:`explain_people`, :meth:`person_notices`,
        which use the audit's ``random_state`` and ``policy.explain_background_size``).

        Examples
        --------
        >>> import numpy as np, pandas as pd, szai_audit as sa
        >>> from sklearn.linear_model import LogisticRegression
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame({"income": rng.normal(size=300), "sex": rng.integers(0, 2, 300)})
        >>> y = (X["income"] - X["sex"] + rng.logistic(size=300) > 0).astype(int)
        >>> model = LogisticRegression().fit(X, y)
        >>> result = sa.Audit(model, X, y, sensitive={"gender": "sex"}, verbose=False).run()
        >>> flags = result.turned_decisions()
        >>> len(flags), int(flags.sum()) > 0
        (300, True)
        >>> people = result.explain_people(flags.index[flags])  # their notices say so too
        >>> all(p.turned for p in people)
        True
        """
        return None if self.turned_flags is None else self.turned_flags.copy()

    def _person_inputs(self, name: str) -> tuple[Any, pd.DataFrame]:
        if self.inputs is None or self.scope.task != "classification":
            raise UnsupportedError(
                f"{name} needs a classification audit of a model with its inputs "
                "(Audit(model=..., data=...)); this result has none."
            )
        return self.inputs

    def _person_options(
        self,
        data: pd.DataFrame,
        immutable: Sequence[str] | None,
        actionable: Mapping[str, Any] | None,
        options: Mapping[str, Any],
    ) -> dict[str, Any]:
        fixed = {
            "favorable_label", "feature_labels", "value_labels", "sensitive", "value_order",
            "threshold",
        } & set(options)  # fmt: skip
        if fixed:
            raise InputError(f"{sorted(fixed)} are the audit's own; give them to Audit, not here.")
        return {
            "favorable_label": self.scope.favorable_label,
            "feature_labels": self.feature_labels,
            "value_labels": self.value_labels,
            "immutable": list(self.recourse_options.get("immutable") or [])
            if immutable is None
            else immutable,
            "sensitive": self.protected_inputs(data),
            "actionable": self.recourse_options.get("actionable")
            if actionable is None
            else actionable,
            "value_order": dict(self.value_order),
            "threshold": self.threshold,
            # The contributions against the audit's own background, as its
            # fairness.protected_turned count (turned_decisions()).
            "background_size": self.policy.explain_background_size,
            "random_state": self.manifest.get("random_state", 0),
            **options,
        }

    def sensitive_inputs(self, data: pd.DataFrame) -> list[str]:
        """The model inputs tied to a protected ground: the grounds' columns among ``data``'s,
        and each ground's proxies (single-input AUC at or above
        ``policy.proxy_auc_threshold``). A notice never gives them as a reason nor changes
        them; it discloses each that weighed on the decision."""
        return sensitive_inputs(
            data.columns,
            [s.column for s in self.sensitive],
            self.fairness.proxies,
            self.policy.proxy_auc_threshold,
        )

    def protected_inputs(self, data: pd.DataFrame) -> dict[str, list[str]]:
        """:meth:`sensitive_inputs` with the grounds each is, or stands in for:
        ``{column: [ground, ...]}``."""
        return tied_inputs(
            data.columns,
            {s.ground: s.column for s in self.sensitive},
            self.fairness.proxies,
            self.policy.proxy_auc_threshold,
        )

    def _repr_html_(self) -> str:
        return render_notebook_summary(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def __repr__(self) -> str:
        c = self.status_counts
        counts = ", ".join(f"{k}={v}" for k, v in c.items() if v)
        grounds = ", ".join(s.ground for s in self.sensitive)
        return (
            f"<AuditResult verdict={self.verdict} n_rows={self.scope.n_rows} "
            f"grounds=[{grounds}] findings: {counts}>"
        )
