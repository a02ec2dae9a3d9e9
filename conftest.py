"""Collection settings for the whole tree (pytest reads this file before any other).

The modules at the old paths of moved code (``szai_audit/stats.py`` and the like) replace
themselves with the module they point to, so the doctests of that module are collected from its
new home only; collecting them again at the old path would import one module under two names.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).parent / "szai_audit"

collect_ignore = [
    str(p)
    for p in _PACKAGE.glob("*.py")
    if "sys.modules[__name__] = moved" in p.read_text(encoding="utf-8")
]
