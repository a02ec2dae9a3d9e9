"""Moved: this module is now :mod:`szai_audit.fairness.regression`.

The old path ``szai_audit.regression`` keeps working for one release (0.2); import
from ``szai_audit.fairness.regression`` (the same module object).
"""

from __future__ import annotations

import sys

from .fairness import regression as moved

sys.modules[__name__] = moved
