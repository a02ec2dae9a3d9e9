"""Moved: this module is now :mod:`szai_audit.core.policy`.

The old path ``szai_audit.policy`` keeps working for one release (0.2); import
from ``szai_audit.core.policy`` (the same module object).
"""

from __future__ import annotations

import sys

from .core import policy as moved

sys.modules[__name__] = moved
