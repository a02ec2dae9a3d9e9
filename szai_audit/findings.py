"""Moved: this module is now :mod:`szai_audit.core.findings`.

The old path ``szai_audit.findings`` keeps working for one release (0.2); import
from ``szai_audit.core.findings`` (the same module object).
"""

from __future__ import annotations

import sys

from .core import findings as moved

sys.modules[__name__] = moved
