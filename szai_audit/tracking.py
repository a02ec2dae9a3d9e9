"""Moved: this module is now :mod:`szai_audit.risk.tracking`.

The old path ``szai_audit.tracking`` keeps working for one release (0.2) and warns; import
from ``szai_audit.risk.tracking`` instead.
"""

from __future__ import annotations

import sys
import warnings

from .risk import tracking as moved

warnings.warn(
    "szai_audit.tracking has moved to szai_audit.risk.tracking; "
    "the old path will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = moved
