"""Moved: this module is now :mod:`szai_audit.core.policy`.

The old path ``szai_audit.policy`` keeps working for one release (0.2) and warns; import
from ``szai_audit.core.policy`` instead.
"""

from __future__ import annotations

import sys
import warnings

from .core import policy as moved

warnings.warn(
    "szai_audit.policy has moved to szai_audit.core.policy; the old path will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = moved
