"""Moved: this module is now :mod:`szai_audit.core.errors`.

The old path ``szai_audit.errors`` keeps working for one release (0.2); import
from ``szai_audit.core.errors`` (the same module object).
"""

from __future__ import annotations

import sys

from .core import errors as moved

sys.modules[__name__] = moved
