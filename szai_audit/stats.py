"""Moved: this module is now :mod:`szai_audit.core.stats`.

The old path ``szai_audit.stats`` keeps working for one release (0.2) and warns; import
from ``szai_audit.core.stats`` instead.
"""

from __future__ import annotations

import sys
import warnings

from .core import stats as moved

warnings.warn(
    "szai_audit.stats has moved to szai_audit.core.stats; the old path will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = moved
