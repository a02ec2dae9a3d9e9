"""Moved: this module is now :mod:`szai_audit.fairness.proxies`.

The old path ``szai_audit.proxies`` keeps working for one release (0.2) and warns; import
from ``szai_audit.fairness.proxies`` instead.
"""

from __future__ import annotations

import sys
import warnings

from .fairness import proxies as moved

warnings.warn(
    "szai_audit.proxies has moved to szai_audit.fairness.proxies; "
    "the old path will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = moved
