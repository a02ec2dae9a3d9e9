"""Moved: this module is now :mod:`szai_audit.risk.tracking`.

The old path ``szai_audit.tracking`` keeps working for one release (0.2); import
from ``szai_audit.risk.tracking`` (the same module object).
"""

from __future__ import annotations

import sys

from .risk import tracking as moved

sys.modules[__name__] = moved
