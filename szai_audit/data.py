"""Moved: this module is now :mod:`szai_audit.core.data`.

The old path ``szai_audit.data`` keeps working for one release (0.2); import
from ``szai_audit.core.data`` (the same module object).
"""

from __future__ import annotations

import sys

from .core import data as moved

sys.modules[__name__] = moved
