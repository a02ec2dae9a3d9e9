"""The exception classes of szai_audit, defined here where the core raises them.

Their public home, with the tree drawn and what each means, is :mod:`szai_audit.errors`; each
class carries that name in tracebacks. Messages name the parameter, say what was expected, what
was received, and how to fix it. A check that cannot run is *not* an exception: it becomes a
finding whose status says why (``NOT_ASSESSED`` or ``INSUFFICIENT_DATA``).
"""

from __future__ import annotations

__all__ = [
    "ColumnNotFoundError",
    "ExplanationError",
    "InputError",
    "InputTypeError",
    "LengthMismatchError",
    "ModelError",
    "NoticeWarning",
    "PolicyError",
    "PredictionError",
    "ReportError",
    "SensitiveAttributeError",
    "SzaiAuditError",
    "TargetError",
    "UnsupportedError",
]


class SzaiAuditError(Exception):
    """Base class of every exception szai_audit raises on purpose."""


class InputError(SzaiAuditError, ValueError):
    """The input data or a parameter has a value the audit cannot use."""


class LengthMismatchError(InputError):
    """Two inputs that must describe the same rows have different lengths."""


class ColumnNotFoundError(InputError):
    """A column named by the user is not in the frame it was looked up in."""


class TargetError(InputError):
    """The outcomes (``y_true``) or the labels do not fit the task.

    For example a non-binary target in a classification audit, missing outcomes, or a
    ``favorable_label`` that does not occur among the labels.
    """


class PredictionError(InputError):
    """The predictions or scores (given, or returned by the model) cannot be used.

    For example NaN predictions, scores outside [0, 1], or the wrong number of outputs.
    """


class SensitiveAttributeError(InputError):
    """A sensitive attribute cannot be turned into groups (one group only, bad bins, ...), or
    is named where it may not be (as a legitimate factor)."""


class PolicyError(InputError):
    """A threshold or setting of :class:`szai_audit.Policy` is out of its allowed range."""


class InputTypeError(SzaiAuditError, TypeError):
    """An argument is of a kind the library does not accept (a list where a frame is needed)."""


class ModelError(SzaiAuditError):
    """The model cannot be adapted (no usable predict method) or raised when called."""


class ExplanationError(SzaiAuditError):
    """The explanation cannot be computed (unsupported model, ``positive_label`` not among the
    model's classes), or its contributions fail the additivity check."""


class UnsupportedError(SzaiAuditError):
    """The request is valid in principle but this version of szai_audit does not do it."""


class ReportError(SzaiAuditError):
    """The report cannot be rendered or written (unknown language, unwritable path, ...)."""


class NoticeWarning(SzaiAuditError, UserWarning):
    """Notices for the people affected were written, but some have plain-language problems
    (a column name in Chinese, a number without a unit...): their list says which."""


# The public home of the exception tree is ``szai_audit.errors`` (the same module object): the
# classes carry that name in tracebacks and reprs, as they did before the code moved to core/.
for _cls in (
    SzaiAuditError,
    InputError,
    LengthMismatchError,
    ColumnNotFoundError,
    TargetError,
    PredictionError,
    SensitiveAttributeError,
    PolicyError,
    InputTypeError,
    ModelError,
    ExplanationError,
    UnsupportedError,
    ReportError,
    NoticeWarning,
):
    _cls.__module__ = "szai_audit.errors"
del _cls
