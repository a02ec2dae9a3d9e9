"""Moved: this module is now :mod:`szai_audit.core.models`.

The old path ``szai_audit.models`` keeps working for one release (0.2) and warns; import
from ``szai_audit.core.models`` instead.
"""

from __future__ import annotations

import sys
import warnings

from .core import models as moved

warnings.warn(
    "szai_audit.models has moved to szai_audit.core.models; the old path will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = moved
