"""Art. 33(2): personal data provided to others must be de-identified.

:func:`scan` (:mod:`.scan`) looks at a frame about to be provided to others (or used internally)
and reports direct identifiers found by content (:mod:`.detectors`) and by column name
(:mod:`.names`), k-anonymity over the quasi-identifiers the caller names and l-diversity of the
sensitive columns (:mod:`.quasi`). Nothing it returns holds a raw value. The report's part is in
:mod:`.page`, the checks' declarations in :mod:`.checks`.
"""

from __future__ import annotations

from . import checks, columns, detectors, names, page, quasi, scanner, words
from .detectors import CONTENT_DETECTORS, DETECTORS, HIT_SHARE, mask, match
from .names import detect_name
from .quasi import QuasiIdentifiers
from .scanner import PrivacyScan, not_scanned, scan

__all__ = [
    "CONTENT_DETECTORS",
    "DETECTORS",
    "HIT_SHARE",
    "PrivacyScan",
    "QuasiIdentifiers",
    "checks",
    "columns",
    "detect_name",
    "detectors",
    "mask",
    "match",
    "names",
    "not_scanned",
    "page",
    "quasi",
    "scan",
    "scanner",
    "words",
]
