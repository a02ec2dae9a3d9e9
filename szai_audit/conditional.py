"""Moved: this module is now :mod:`szai_audit.core.conditional`.

The old path ``szai_audit.conditional`` keeps working for one release (0.2); import
from ``szai_audit.core.conditional`` (the same module object).
"""

from __future__ import annotations

import sys

from .core import conditional as moved

sys.modules[__name__] = moved
