"""Moved: this module is now :mod:`szai_audit.core.models`.

The old path ``szai_audit.models`` keeps working for one release (0.2); import
from ``szai_audit.core.models`` (the same module object).
"""

from __future__ import annotations

import sys

from .core import models as moved

sys.modules[__name__] = moved
