"""The exception tree of szai_audit, under its public name: ``sa.errors.InputError`` and so on.

Every error the library raises on purpose is a subclass of :class:`SzaiAuditError`, so one
``except sa.errors.SzaiAuditError`` catches them all; errors about the user's input are also
:class:`ValueError` (or :class:`TypeError` for a wrong kind of object).

::

    SzaiAuditError
    ├── InputError (ValueError)             bad input data or parameters
    │   ├── LengthMismatchError             arrays of different lengths
    │   ├── ColumnNotFoundError             a named column is not in the frame
    │   ├── TargetError                     y_true / labels unusable for the task
    │   ├── PredictionError                 y_pred / y_score / model output unusable
    │   ├── SensitiveAttributeError         a sensitive attribute cannot be grouped
    │   └── PolicyError                     a threshold or setting out of range
    ├── InputTypeError (TypeError)          an argument of the wrong kind
    ├── ModelError                          the model cannot be adapted, or failed when called
    ├── ExplanationError                    an explanation cannot be computed, or fails its
    │                                       additivity check (Art. 71)
    ├── UnsupportedError                    asked for something this version does not do
    └── ReportError                         the report cannot be rendered or written

One warning, :class:`NoticeWarning` (also a :class:`UserWarning`), for notices with
plain-language problems. The classes are defined in :mod:`szai_audit.core.errors`, where the
core raises them, and carry this module's name in tracebacks (``szai_audit.errors.InputError``);
docs/errors.md says what raises each. A check that cannot run is not an exception but a
finding whose status says why (``NOT_ASSESSED`` or ``INSUFFICIENT_DATA``).

>>> import szai_audit as sa
>>> issubclass(sa.errors.ColumnNotFoundError, sa.errors.InputError)
True
>>> sa.errors.InputError.__module__
'szai_audit.errors'
"""

from __future__ import annotations

from .core.errors import *  # noqa: F403 - the tree, re-exported under its public name
from .core.errors import __all__ as __all__
