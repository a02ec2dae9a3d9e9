"""Datasets shipped with szai_audit (no download at run time).

* :func:`load_german_credit`: the UCI Statlog German Credit data (Hofmann, 1994), decoded.
"""

from __future__ import annotations

from ._german_credit import load_german_credit

__all__ = ["load_german_credit"]
