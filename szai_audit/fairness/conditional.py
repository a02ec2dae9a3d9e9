"""Art. 72(2)(iv): the gap in favourable decisions that remains after legitimate factors.

The estimators (stratification and regression adjustment) are shared with Art. 72(2)(v) and
live in :mod:`szai_audit.core.conditional`; they are re-exported here, where a reader of
Art. 72(2)(iv) looks for them.
"""

from __future__ import annotations

from ..core.conditional import (
    ConditionalGaps,
    PreparedFactors,
    conditional_gaps,
    legitimate_frame,
    prepare_factors,
)

__all__ = [
    "ConditionalGaps",
    "PreparedFactors",
    "conditional_gaps",
    "legitimate_frame",
    "prepare_factors",
]
