"""Moved: this module is now :mod:`szai_audit.fairness.counterfactual`.

The old path ``szai_audit.counterfactual`` keeps working for one release (0.2); import
from ``szai_audit.fairness.counterfactual`` (the same module object).
"""

from __future__ import annotations

import sys

from .fairness import counterfactual as moved

sys.modules[__name__] = moved
