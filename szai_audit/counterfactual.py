"""Moved: this module is now :mod:`szai_audit.fairness.counterfactual`.

The old path ``szai_audit.counterfactual`` keeps working for one release (0.2) and warns; import
from ``szai_audit.fairness.counterfactual`` instead.
"""

from __future__ import annotations

import sys
import warnings

from .fairness import counterfactual as moved

warnings.warn(
    "szai_audit.counterfactual has moved to szai_audit.fairness.counterfactual; "
    "the old path will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = moved
