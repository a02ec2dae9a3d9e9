"""Moved: this module is now :mod:`szai_audit.fairness.mitigation`.

The old path ``szai_audit.mitigation`` keeps working for one release (0.2); import
from ``szai_audit.fairness.mitigation`` (the same module object).
"""

from __future__ import annotations

import sys

from .fairness import mitigation as moved

sys.modules[__name__] = moved
