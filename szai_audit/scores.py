"""Moved: this module is now :mod:`szai_audit.fairness.scores`.

The old path ``szai_audit.scores`` keeps working for one release (0.2); import
from ``szai_audit.fairness.scores`` (the same module object).
"""

from __future__ import annotations

import sys

from .fairness import scores as moved

sys.modules[__name__] = moved
