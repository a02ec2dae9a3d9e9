"""Moved: this module is now :mod:`szai_audit.core.stats`.

The old path ``szai_audit.stats`` keeps working for one release (0.2); import
from ``szai_audit.core.stats`` (the same module object).
"""

from __future__ import annotations

import sys

from .core import stats as moved

sys.modules[__name__] = moved
