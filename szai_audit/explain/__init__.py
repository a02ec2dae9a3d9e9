"""Art. 71: algorithms explained in a way the public can understand.

* :func:`explain` (:mod:`.engine`) computes the exact contribution of every *raw* input column
  to each decision (through pipelines with one-hot encoders; tree, linear and model-agnostic
  engines in :mod:`.engines`; columns traced back in :mod:`.columns`), with an additivity check;
* :func:`~.summary.summarize` turns them into the explanation as published: factors with shares
  and directions, plain-language sentences (:mod:`.words`), de-identified examples, a method
  appendix, and the public algorithm notice.

Then the findings (:mod:`.findings`, including the Art. 72(2)(iv) share of a sensitive attribute
in the model's influence), the report's part (:mod:`.page`) and the checks' declarations
(:mod:`.checks`).

For the person affected (PIPL Art. 24(3)): :func:`explain_people` / :func:`person_notice`
(:mod:`.person`) give one decision's principal reasons and its recourse (searched by
:mod:`szai_audit.core.recourse`), and :func:`write_notices` (:mod:`.notices`) writes a notice
per person. :mod:`.turned` says, for many decisions at once, which would have been the other
one without the contributions of the inputs tied to protected grounds (each notice's
``turned``; the audit's ``fairness.protected_turned``).
"""

from __future__ import annotations

from ..core.errors import ExplanationError
from . import (
    checks,
    columns,
    engine,
    engines,
    findings,
    notices,
    page,
    person,
    summary,
    turned,
    words,
)
from .engine import (
    ADDITIVITY_TOL,
    ADDITIVITY_TOL_SINGLE,
    Explanation,
    RowSample,
    explain,
    explain_sample,
    stratified_ordinals,
    stratified_sample,
)
from .notices import NoticeBatch, notice_problems, write_notices
from .person import Cutoff, PersonExplanation, ProtectedUse, explain_people, person_notice
from .summary import ExplanationSummary, summarize

__all__ = [
    "ADDITIVITY_TOL",
    "ADDITIVITY_TOL_SINGLE",
    "Cutoff",
    "Explanation",
    "ExplanationError",
    "ExplanationSummary",
    "NoticeBatch",
    "PersonExplanation",
    "ProtectedUse",
    "RowSample",
    "checks",
    "columns",
    "engine",
    "engines",
    "explain",
    "explain_people",
    "explain_sample",
    "findings",
    "notice_problems",
    "notices",
    "page",
    "person",
    "person_notice",
    "stratified_ordinals",
    "stratified_sample",
    "summarize",
    "summary",
    "turned",
    "words",
    "write_notices",
]
