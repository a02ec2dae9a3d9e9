"""Collection settings for the whole tree (pytest reads this file before any other).

The modules at the old paths of moved code (``szai_audit/stats.py``, ``narrative.py`` and the
like) are not collected for doctests: they replace themselves with the module they point to
(whose doctests are collected at its new home; collecting them again would import one module
under two names), or re-export names, and they warn when imported.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).parent / "szai_audit"

collect_ignore = [
    str(p)
    for p in _PACKAGE.glob("*.py")
    if p.read_text(encoding="utf-8").startswith('"""Moved')
]
