"""Moved: this module is now :mod:`szai_audit.fairness.proxies`.

The old path ``szai_audit.proxies`` keeps working for one release (0.2); import
from ``szai_audit.fairness.proxies`` (the same module object).
"""

from __future__ import annotations

import sys

from .fairness import proxies as moved

sys.modules[__name__] = moved
