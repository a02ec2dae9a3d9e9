"""Ex-post tracking (Art. 66(2)): compare two audits of the same AI system over time.

Art. 66(2) of the Shenzhen regulations subjects medium- and low-risk AI uses to ex-post
tracking. :func:`compare` lines up the findings of a current audit with those of a previous
one and reports what changed: findings whose status or value drifted, findings that are new,
findings that were resolved, and failures that appeared. The result, a :class:`Comparison`,
has a JSON form and a bilingual HTML form (a fragment for the main report, or a standalone
page).

Findings are matched on the key ``(check, article, ground)`` (``ground`` may be None), which
is stable across audits of the same system. Should a key occur more than once in one audit,
its occurrences are paired in order of appearance.

Drift rule
----------
A finding present in both audits *drifts* when any of the following holds:

1. its status got more severe (``Status.severity`` decreased, e.g. PASS -> WARN, WARN -> FAIL);
2. both values are finite and ``|delta| > drift_tolerance * max(|threshold|, 0.01)``, where
   ``delta = value_after - value_before`` and ``threshold`` is the current audit's threshold
   (the previous one when the current finding has none; a missing threshold counts as 0);
3. both values are finite, there is a threshold, and the value moved across it (one value
   above the threshold, the other at or below it).

``direction`` is ``"worse"`` when the status got more severe, ``"better"`` when it got less
severe, and ``"same"`` when the status did not change (whatever the values did).

Reading the audits
------------------
Only the findings are read: each audit's verdict and status counts are recomputed from them,
never taken from the document's ``summary``. A saved result (a JSON file, or the JSON text) must
be complete: ``schema_version`` ``"1.x"``, ``summary``, ``findings`` and ``content_sha256``. A
document that carries ``content_sha256`` (every file, and every ``to_dict()``) is checked
against it, by the rule of :attr:`szai_audit.AuditResult.content_sha256`; a mismatch means the
result was changed after it was written (a verdict, a number, anything but
``manifest.generated_at``) and is an error, :class:`~szai_audit.errors.InputError` (exit 2 on
the command line), not a comparison: a changed result is not evidence of the audit it claims.
A dict without ``content_sha256`` (built by hand) is compared, marked
``content_verified=False`` in the summary. A file that cannot be read (not UTF-8, not JSON, a
number too large for a float, nesting too deep, not a result) is an ``InputError`` naming it.
The hash detects accidental change only: whoever edits the file on purpose can recompute it.
With the organisation's key in ``SZAI_AUDIT_KEY``, each audit must also carry a matching
signature, ``content_hmac`` (see :mod:`szai_audit.core.document`), and the summary says so
(``content_signed``).

The package, one job per module:

* :mod:`.comparison`: :func:`compare` (reading both audits with
  :func:`szai_audit.core.document.read_findings`, lining up their findings, the drift rule) and
  its result, :class:`Comparison`, with its JSON form;
* :mod:`.words`: the sentences (row labels, verdicts, the drift rule in words);
* :mod:`.page`: the structure the ``_comparison.html.j2`` fragment renders
  (:func:`comparison_page`), the fragment, and the standalone page (``comparison.html.j2``).
"""

from __future__ import annotations

from ...core.document import AuditLike, Result
from . import comparison, page, words
from .comparison import DEFAULT_DRIFT_TOLERANCE, Comparison, compare
from .page import comparison_page
from .words import VERDICT_LABELS

__all__ = [
    "DEFAULT_DRIFT_TOLERANCE",
    "VERDICT_LABELS",
    "AuditLike",
    "Comparison",
    "Result",
    "compare",
    "comparison",
    "comparison_page",
    "page",
    "words",
]
