"""Moved: this module is now :mod:`szai_audit.core.data`.

The old path ``szai_audit.data`` keeps working for one release (0.2) and warns; import
from ``szai_audit.core.data`` instead.
"""

from __future__ import annotations

import sys
import warnings

from .core import data as moved

warnings.warn(
    "szai_audit.data has moved to szai_audit.core.data; the old path will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = moved
