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
"""

from __future__ import annotations

from ..core.errors import ExplanationError
from . import checks, columns, engine, engines, findings, page, person, summary, words
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
from .person import PersonExplanation, person_notice
from .summary import ExplanationSummary, summarize

__all__ = [
    "ADDITIVITY_TOL",
    "ADDITIVITY_TOL_SINGLE",
    "Explanation",
    "ExplanationError",
    "ExplanationSummary",
    "PersonExplanation",
    "RowSample",
    "checks",
    "columns",
    "engine",
    "engines",
    "explain",
    "explain_sample",
    "findings",
    "page",
    "person",
    "person_notice",
    "stratified_ordinals",
    "stratified_sample",
    "summarize",
    "summary",
    "words",
]
