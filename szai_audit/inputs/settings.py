"""An audit's settings, validated in one place before anything is computed.

:func:`validate` takes the arguments of :class:`szai_audit.Audit` and returns
:class:`Settings`: the same values, checked (each error names the parameter, what it expects and
what it received), with the defaults filled in (the :class:`~szai_audit.Policy`, the metadata as
texts, the legitimate factors and the consumer profile as lists of column names, the risk rules
loaded, ``y_true`` / ``y_pred`` / ``y_score`` given as column names looked up in the frames, a
column of ``data`` so named left out of the model's inputs, a pandas input paired with the
rows by its index labels, :func:`align_inputs`). What needs the data itself (that a reference
group is one of the groups, that a sensitive attribute has two groups) is checked where the
data is read, in the other modules of :mod:`szai_audit.inputs`.

Each argument is declared once, as a field of :class:`Settings` whose metadata gives its
default, its own check, whether it may be passed by position and where a run configuration sets
it (:class:`Argument`; all of them in :data:`DECLARED`, their names in :data:`ARGUMENTS`).
``Audit.__init__`` stores what they name, :func:`validate` runs their checks, and the
configuration reader takes its ``[audit]`` keys from them.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.conditional import legitimate_frame
from ..core.data import align_rows, is_dask_frame, lone_surrogate, real_numbers
from ..core.design import Design
from ..core.errors import (
    ColumnNotFoundError,
    InputError,
    InputTypeError,
    SensitiveAttributeError,
    UnsupportedError,
)
from ..core.grounds import canonical_ground
from ..core.metadata import META_LANGS, MetaValue
from ..core.orders import Order, check_value_order
from ..core.policy import Policy
from ..core.threads import check_n_threads
from ..pricing.gaps import PROFILE_KINDS
from ..privacy.scanner import PrivacyScan
from ..risk.context import UseContext
from ..risk.review import Attestation
from ..risk.rules import RiskRules, load_rules

__all__ = [
    "ARGUMENTS",
    "DECLARED",
    "OUTPUTS",
    "TASKS",
    "Argument",
    "Settings",
    "align_inputs",
    "validate",
    "validate_value_labels",
]

TASKS = ("classification", "regression", "pricing")

#: The arguments that may name a column of ``data`` or ``sensitive_data`` instead of holding
#: the values.
OUTPUTS = ("y_true", "y_pred", "y_score")


# --------------------------------------------------------------------------------------------
# Each argument's own check (its type or range), declared with it on Settings below; what
# depends on several arguments is checked by validate().
# --------------------------------------------------------------------------------------------


def _data(data: Any) -> Any:
    if not is_dask_frame(data) and data is not None and not isinstance(data, pd.DataFrame):
        raise InputTypeError(
            f"data must be a pandas DataFrame of the model's raw inputs, got "
            f"{type(data).__name__}; wrap an array with pd.DataFrame(X, columns=[...])."
        )
    return data


def _favorable_label(favorable_label: Any) -> Any:
    if np.ndim(favorable_label) != 0 or isinstance(favorable_label, (dict, set)):
        raise InputTypeError(
            f"favorable_label must be a single label such as 1 or 'approved', got "
            f"{favorable_label!r}."
        )
    return favorable_label


def _favorable_name(name: Any) -> tuple[str, str] | None:
    """The name of the favourable decision, as ``(zh, en)``: one text for both languages, or a
    pair of texts."""
    if name is None:
        return None
    return _label_pair("favorable_name", name, example="('低风险', 'low risk')")


def _bins(bins: Any) -> Any:
    if bins is not None and not isinstance(bins, Mapping):
        raise InputTypeError(
            f"bins must map grounds to cut points or a number of bins, e.g. "
            f"{{'age': [25, 40, 60]}}, got {type(bins).__name__}."
        )
    return bins


def _task(task: Any) -> Any:
    if task not in TASKS:
        raise InputError(f"task must be one of {list(TASKS)}, got {task!r}.")
    return task


def _threshold(threshold: Any) -> Any:
    number = isinstance(threshold, (int, float)) and not isinstance(threshold, bool)
    if threshold is not None and not (number and 0 < threshold < 1):
        raise InputError(f"threshold must be a number in (0, 1), got {threshold!r}.")
    return threshold


def _metadata(metadata: Any) -> dict[str, MetaValue]:
    """The system card checked and copied: each value a text (both languages) or a text per
    language, ``{"zh": ..., "en": ...}`` (one of them may be left out or blank)."""
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InputTypeError(
            f"metadata must be a mapping such as {{'organisation': ..., 'system_name': ...}}, "
            f"got {type(metadata).__name__}."
        )
    out: dict[str, MetaValue] = {}
    for k, v in metadata.items():
        key = str(k)
        _unicode(f"the key of metadata[{key!r}]", key)
        out[key] = _meta_value(key, v)
    return out


def _meta_value(key: str, value: Any) -> MetaValue:
    """One value of the system card: a text, or ``{"zh": text, "en": text}`` with at least one
    text that is not blank (a copy, holding the languages given)."""
    where = f"metadata[{key!r}]"
    if isinstance(value, str):
        _unicode(where, value)
        return value
    if not isinstance(value, Mapping):
        raise InputTypeError(
            f"{where} must be a text, or a text per language such as "
            f"{{'zh': '示例银行', 'en': 'Example Bank'}}, got {type(value).__name__} "
            f"{_cut(repr(value))}."
        )
    unknown = [lang for lang in value if lang not in META_LANGS]
    if unknown or not value:
        raise InputError(
            f"{where} must map the languages 'zh' and 'en' (either or both) to texts, such as "
            f"{{'zh': '示例银行', 'en': 'Example Bank'}}, got the keys "
            f"{_cut(repr([str(lang) for lang in value]))}."
        )
    for lang, text in value.items():
        if not isinstance(text, str):
            raise InputTypeError(
                f"{where}[{lang!r}] must be a text, got {type(text).__name__} {_cut(repr(text))}."
            )
        _unicode(f"{where}[{lang!r}]", text)
    if not any(text.strip() for text in value.values()):
        raise InputError(
            f"{where} gives no text in either language ({_cut(repr(dict(value)))}); give the "
            f"text in Chinese, English or both, or leave {key!r} out."
        )
    return {lang: value[lang] for lang in META_LANGS if lang in value}


def _unicode(what: str, text: str) -> None:
    """Refuse text that is not valid Unicode (a lone surrogate), which no file can hold."""
    where = lone_surrogate(text)
    if where is not None:
        raise InputError(
            f"{what} is not valid Unicode text (a lone surrogate, {where}), which no report or "
            f"JSON file can hold; got {text!r}."
        )


def _cut(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _policy(policy: Any) -> Policy:
    checked = Policy() if policy is None else policy
    if not isinstance(checked, Policy):
        raise InputTypeError(f"policy must be a szai_audit.Policy, got {type(checked).__name__}.")
    return checked


def _direction(direction: Any) -> Any:
    if direction not in (None, "higher", "lower"):
        raise InputError(f"favorable_direction must be 'higher' or 'lower', got {direction!r}.")
    return direction


def _context(context: Any) -> Any:
    if context is not None and not isinstance(context, UseContext):
        raise InputTypeError(
            f"context must be a szai_audit.UseContext, got {type(context).__name__}."
        )
    return context


def _rules(rules: Any) -> RiskRules | None:
    if rules is None or isinstance(rules, RiskRules):
        return rules
    if not isinstance(rules, (str, os.PathLike)):
        raise InputTypeError(
            f"risk_rules must be the path of a TOML rules file or "
            f"szai_audit.risk.load_rules(path), got {type(rules).__name__}."
        )
    return load_rules(Path(rules))


def _attestations(attestations: Any) -> tuple[Attestation, ...]:
    if attestations is None:
        return ()
    listed = isinstance(attestations, Iterable) and not isinstance(attestations, (str, Mapping))
    items = tuple(attestations) if listed else ()
    wrong = [type(a).__name__ for a in items if not isinstance(a, Attestation)]
    if not listed or wrong:
        got = f"a {wrong[0]} in the list" if listed else type(attestations).__name__
        raise InputTypeError(
            f"attestations must be a list of szai_audit.Attestation objects, got {got}."
        )
    return items


def _privacy(privacy: Any) -> Any:
    if not (
        privacy is None
        or privacy is True
        or privacy is False
        or isinstance(privacy, (Mapping, PrivacyScan))
    ):
        raise InputTypeError(
            "privacy must be True (scan data=), a dict of szai_audit.privacy.scan options such "
            "as {'quasi_identifiers': ['age', 'postcode'], 'external': True}, or a PrivacyScan, "
            f"got {type(privacy).__name__}."
        )
    return privacy


def _verbose(verbose: Any) -> bool:
    if not isinstance(verbose, bool):
        raise InputTypeError(f"verbose must be True or False, got {verbose!r}.")
    return verbose


def _recourse(recourse: Any) -> Any:
    """None, a bool, or a mapping of ``actionable`` (columns to directions) and ``immutable``
    (columns); that the columns are ``data``'s is checked by :func:`validate`, and the
    directions when the search runs."""
    if recourse is None or isinstance(recourse, bool):
        return recourse
    if not isinstance(recourse, Mapping):
        raise InputTypeError(
            "recourse must be True, False or a dict such as {'actionable': {'savings': "
            f"'increase'}}, 'immutable': ['age']}}, got {type(recourse).__name__}."
        )
    unknown = set(recourse) - {"actionable", "immutable"}
    if unknown:
        raise InputError(
            f"recourse has unknown keys {sorted(unknown)}; known: ['actionable', 'immutable']."
        )
    actionable = recourse.get("actionable") or {}
    immutable = recourse.get("immutable") or []
    if not isinstance(actionable, Mapping):
        raise InputTypeError(
            f"recourse['actionable'] must map columns to a direction, got "
            f"{type(actionable).__name__}."
        )
    if isinstance(immutable, str) or not isinstance(immutable, Sequence):
        raise InputTypeError(
            f"recourse['immutable'] must be a list of columns, got {type(immutable).__name__}."
        )
    return recourse


#: What each design argument is, for its messages.
_DESIGN_WHAT = {
    "cluster": "the column of data naming the independent unit of each row (a person or a "
    "policy with several rows)",
    "weights": "the column of data holding each row's sampling (survey) weight",
}


def _column_name(name: str) -> Callable[[Any], Any]:
    """The check of ``cluster=`` or ``weights=``: None or the name of a column of ``data``
    (that it is one, and its values, are checked by :func:`validate`)."""

    def check(value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise InputTypeError(
                f"{name} must be None or the name of a column of data ({_DESIGN_WHAT[name]}), "
                f"got {type(value).__name__}; put the values in a column of data and pass its "
                f"name."
            )
        return value

    check.__name__ = f"_{name}"
    return check


# --------------------------------------------------------------------------------------------
# The declaration: one field per argument of Audit
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Argument:
    """One argument of :class:`szai_audit.Audit`, as the field of :class:`Settings` that holds
    it declares it.

    Attributes
    ----------
    name : str
        The argument's name, in :class:`szai_audit.Audit` and in :class:`Settings`.
    default : object
        Its value when it is left out.
    positional : bool
        Whether it may be passed by position (``model``, ``data``, ``y_true``); the others are
        keyword-only.
    config : str or None
        Where a run configuration (docs/configuration.md) sets it: ``"audit"`` for a key of
        ``[audit]``, another section's name for what is read from that section, None for an
        argument only Python can give.
    check : callable or None
        Its own check (type, range): takes the value given and returns the value the settings
        hold, or raises an error naming the argument. What depends on other arguments is
        checked by :func:`validate`.

    Examples
    --------
    >>> threshold = next(a for a in DECLARED if a.name == "threshold")
    >>> threshold.default, threshold.positional, threshold.config
    (None, False, 'audit')
    >>> threshold.check(2)
    Traceback (most recent call last):
    ...
    szai_audit.errors.InputError: threshold must be a number in (0, 1), got 2.
    """

    name: str
    default: Any
    positional: bool
    config: str | None
    check: Callable[[Any], Any] | None


def _argument(
    default: Any = None,
    check: Callable[[Any], Any] | None = None,
    *,
    config: str | None = "audit",
    positional: bool = False,
) -> dict[str, Any]:
    """The metadata of a field of :class:`Settings` declaring an argument of
    :class:`szai_audit.Audit` (see :class:`Argument`)."""
    return {
        "argument": {"default": default, "check": check, "config": config, "positional": positional}
    }


@dataclass(frozen=True)
class Settings:
    """The arguments of an audit, validated (see :class:`szai_audit.Audit` for each one).

    Each field declares one argument of :class:`szai_audit.Audit`, in the order of its
    signature: its default, its own check and where a run configuration sets it
    (:class:`Argument`, listed in :data:`DECLARED`). The signature of ``Audit.__init__``, its
    docstring, docs/api.md and docs/configuration.md are tested against this declaration.

    ``legitimate_factors`` is a list of column names (empty when none were given);
    ``consumer_profile`` maps each kind of Art. 72(2)(v) to its columns; ``risk_rules`` is the
    rules object (None: the shipped rules); ``metadata`` holds texts, each one text or
    ``{"zh": text, "en": text}`` (a copy of the languages given); ``value_labels`` is
    ``{column (or ground without a column): {raw value: (zh, en)}}``, a copy of the user's
    labels keyed by the column each names (see :func:`validate_value_labels`); ``favorable_name`` is
    None or ``(zh, en)``, the name of the favourable decision; ``recourse`` is None or
    True (the default changes), False (not assessed), or ``{"actionable": {...}, "immutable":
    [...]}``; ``n_threads`` the threads of the audit's own fits (None: every core); ``cluster`` and
    ``weights`` the columns they name, taken out of ``data`` (a Series named by its column, or
    None), read together as :attr:`design`.
    """

    model: Any = field(metadata=_argument(config="model", positional=True))
    data: Any = field(metadata=_argument(None, _data, config="data", positional=True))
    y_true: Any = field(metadata=_argument(config="columns", positional=True))
    y_pred: Any = field(metadata=_argument(config="columns"))
    y_score: Any = field(metadata=_argument(config="columns"))
    favorable_label: Any = field(metadata=_argument(1, _favorable_label))
    favorable_name: tuple[str, str] | None = field(metadata=_argument(None, _favorable_name))
    sensitive: Mapping[str, Any] | None = field(metadata=_argument(config="sensitive"))
    sensitive_data: Any = field(metadata=_argument(config=None))
    bins: Mapping[str, Sequence[float] | int] | None = field(metadata=_argument(None, _bins))
    task: str = field(metadata=_argument("classification", _task))
    threshold: float | None = field(metadata=_argument(None, _threshold))
    metadata: dict[str, MetaValue] = field(metadata=_argument(None, _metadata, config="metadata"))
    policy: Policy = field(metadata=_argument(None, _policy, config="policy"))
    reference: Mapping[str, Any] | None = field(metadata=_argument())
    legitimate_factors: list[str] = field(metadata=_argument())
    favorable_direction: str | None = field(metadata=_argument(None, _direction))
    feature_labels: Mapping[str, Sequence[str]] | None = field(metadata=_argument())
    explain: bool = field(metadata=_argument(True))
    consumer_profile: dict[str, list[str]] = field(metadata=_argument())
    loyalty: str | None = field(metadata=_argument())
    currency: str = field(metadata=_argument("CNY", str))
    context: UseContext | None = field(metadata=_argument(None, _context, config="context"))
    risk_rules: RiskRules | None = field(metadata=_argument(None, _rules, config=None))
    attestations: tuple[Attestation, ...] = field(
        metadata=_argument(None, _attestations, config=None)
    )
    privacy: Any = field(metadata=_argument(None, _privacy))
    value_labels: dict[str, dict[str, tuple[str, str]]] = field(
        metadata=_argument(config="value_labels")
    )
    verbose: bool = field(metadata=_argument(True, _verbose))
    recourse: Any = field(metadata=_argument(None, _recourse))
    n_threads: int | None = field(metadata=_argument(1, check_n_threads))
    cluster: Any = field(metadata=_argument(None, _column_name("cluster"), config="columns"))
    weights: Any = field(metadata=_argument(None, _column_name("weights"), config="columns"))
    value_order: dict[str, Order] = field(metadata=_argument(None, check_value_order))

    @property
    def direction(self) -> str:
        """The favourable direction of a numeric output: lower for prices, else as given
        (higher by default)."""
        if self.task == "pricing":
            return "lower"
        return self.favorable_direction or "higher"

    @cached_property
    def design(self) -> Design:
        """How the rows were drawn (:class:`~szai_audit.core.design.Design`): the weights and
        clusters ``weights=`` and ``cluster=`` name, or every row independent and unweighted."""
        return Design.of(
            weights=None if self.weights is None else self.weights.to_numpy(dtype=float),
            clusters=None if self.cluster is None else self.cluster.to_numpy(dtype=object),
            weights_column=None if self.weights is None else str(self.weights.name),
            cluster_column=None if self.cluster is None else str(self.cluster.name),
        )

    @property
    def chunked(self) -> bool:
        """Whether the data is a Dask DataFrame, audited partition by partition."""
        return is_dask_frame(self.data)


#: Every argument of :class:`szai_audit.Audit`, in the order of its signature, as the fields
#: of :class:`Settings` declare them.
DECLARED = tuple(Argument(f.name, **f.metadata["argument"]) for f in fields(Settings))

#: The names of the arguments of an audit, in order.
ARGUMENTS = tuple(argument.name for argument in DECLARED)


def validate(arguments: Mapping[str, Any]) -> Settings:
    """Check every argument of an audit and return them as :class:`Settings`.

    ``arguments`` holds each of :data:`ARGUMENTS` (the keyword arguments of
    :class:`szai_audit.Audit`). Each is first put through its own check (its type or range, as
    :data:`DECLARED` declares it), in the order of the signature; then what depends on several
    arguments is checked, in the order a reader meets it: the governance settings, the task,
    the threshold, the frames, the named columns, and what each task needs.

    Raises
    ------
    SzaiAuditError
        The subclass naming the parameter at fault (see :mod:`szai_audit.errors`).

    Examples
    --------
    >>> given = {argument.name: argument.default for argument in DECLARED}
    >>> given.update(y_pred=[1, 0, 1], sensitive={"gender": ["f", "m", "f"]})
    >>> settings = validate(given)
    >>> settings.task, settings.policy.min_group_size, settings.metadata
    ('classification', 30, {})
    >>> validate({**given, "verbose": "yes"})
    Traceback (most recent call last):
    ...
    szai_audit.errors.InputTypeError: verbose must be True or False, got 'yes'.
    """
    missing = [name for name in ARGUMENTS if name not in arguments]
    if missing:
        raise InputTypeError(f"validate() needs every audit argument; missing {missing}.")
    a = {
        argument.name: arguments[argument.name]
        if argument.check is None
        else argument.check(arguments[argument.name])
        for argument in DECLARED
    }
    if (a["privacy"] is True or isinstance(a["privacy"], Mapping)) and a["data"] is None:
        raise InputError("privacy= scans data=, which was not given.")
    _check_task(a["task"], a["consumer_profile"], a["loyalty"], a["favorable_name"])
    _check_decision(a["threshold"], a["task"], a["y_pred"])
    if is_dask_frame(a["data"]):
        _check_chunked(a["task"], a["legitimate_factors"], a["privacy"], a["sensitive_data"])
        _check_chunked_design(a["cluster"], a["weights"])
    _check_frames(a["data"], a["sensitive_data"])
    frames = (a["data"], a["sensitive_data"])
    design = _design_columns(a)
    a.update(_named_outputs(a, *frames))
    if design:  # no model input: out of data, like a named output
        a.update(design, data=a["data"].drop(columns=[c.name for c in design.values()]))
    _check_sensitive(a["sensitive"], a["bins"], *frames)
    a.update(align_inputs(a))
    _check_recourse(a["recourse"], a["data"])
    if a["value_order"] and a["data"] is not None:
        chunked = is_dask_frame(a["data"])
        frame = a["data"]._meta if chunked else a["data"]
        a["value_order"] = check_value_order(a["value_order"], frame, seen=not chunked)
    elif a["value_order"] and a["data"] is None:
        raise InputError("value_order= orders the values of data's columns; data was not given.")
    factors = _factor_names(a["legitimate_factors"], a["task"])
    _check_outputs(a)
    profile: dict[str, list[str]] = {}
    if a["task"] == "pricing":
        profile = _check_pricing(a["data"], factors, a["consumer_profile"], a["loyalty"])
    a.update(
        legitimate_factors=factors,
        consumer_profile=profile,
        value_labels=validate_value_labels(a["value_labels"], *frames, a["sensitive"]),
    )
    return Settings(**a)


def _check_chunked_design(cluster: Any, weights: Any) -> None:
    """``cluster=`` and ``weights=`` need every row in memory in this version."""
    given = [name for name, value in (("cluster", cluster), ("weights", weights)) if value]
    if given:
        raise UnsupportedError(
            f"{' and '.join(given)}= with data in parts (a Dask DataFrame, or [data] chunked = "
            f"true) is not supported in this version: the design-based errors need every row "
            f"in memory. Audit the data as a pandas DataFrame, or leave {given[0]}= out (the "
            f"rows are then taken as independent and unweighted)."
        )


def _design_columns(a: Mapping[str, Any]) -> dict[str, Any]:
    """``cluster=`` and ``weights=``, looked up in ``data`` and checked: each replaced by its
    column (a Series named by it); :func:`validate` then takes both out of ``data`` (a copy;
    the user's frame is not changed), as they are no model input.

    Refused, naming the argument: a column that ``data`` lacks (or no ``data``), the same
    column for both, a column that is also an output (``y_true``...), a sensitive attribute,
    a legitimate factor, a consumer-profile or loyalty column or an input the model was fitted
    on (``feature_names_in_``); weights that are not numbers, or are missing, infinite,
    negative or all zero; a cluster with a missing value, or fewer than two clusters.
    """
    names = {k: a[k] for k in ("cluster", "weights") if a[k] is not None}
    if not names:
        return {}
    data = a["data"]
    if len(names) == 2 and names["cluster"] == names["weights"]:
        raise InputError(
            f"cluster= and weights= both name the column {names['cluster']!r}; a cluster "
            f"identifies rows, a weight counts them: name two columns."
        )
    out: dict[str, Any] = {}
    for role, name in names.items():
        if data is None:
            raise InputError(
                f"{role}={name!r} names a column of data=, which was not given; pass the frame "
                f"that holds it."
            )
        if name not in _columns(data):
            options = [str(c) for c in _columns(data)]
            close = difflib.get_close_matches(name, options, n=3)
            hint = f" Did you mean {close}?" if close else f" Its columns are {options[:20]}."
            raise ColumnNotFoundError(
                f"{role}={name!r} names a column that is not in data.{hint} {role}= is "
                f"{_DESIGN_WHAT[role]}."
            )
        _check_design_role(role, name, a)
        column = data[name]
        out[role] = _checked_weights(column) if role == "weights" else _checked_cluster(column)
    return out


def _check_design_role(role: str, name: str, a: Mapping[str, Any]) -> None:
    """The design column plays no other role."""
    others: list[tuple[str, Any]] = [(o, a[o]) for o in OUTPUTS if isinstance(a[o], str)]
    if isinstance(a["sensitive"], Mapping):
        others += [(f"sensitive[{k!r}]", v) for k, v in a["sensitive"].items()]
    factors = a["legitimate_factors"]
    factors = [factors] if isinstance(factors, str) else list(factors or [])
    others += [("legitimate_factors", c) for c in factors]
    if isinstance(a["consumer_profile"], Mapping):
        for kind, cols in a["consumer_profile"].items():
            listed = [cols] if isinstance(cols, str) else list(cols or [])
            others += [(f"consumer_profile[{kind!r}]", c) for c in listed]
    others.append(("loyalty", a["loyalty"]))
    for other, value in others:
        if isinstance(value, str) and value == name:
            raise InputError(
                f"{role}={name!r} is also named by {other}; {role}= is {_DESIGN_WHAT[role]}, "
                f"not a measured quantity nor a group to compare. Name another column."
            )
    inputs = getattr(a["model"], "feature_names_in_", None)
    if inputs is not None and name in {str(c) for c in inputs}:
        raise InputError(
            f"{role}={name!r} is an input of the model (it is in model.feature_names_in_); "
            f"{role}= is {_DESIGN_WHAT[role]}, which the audit takes out of the model's "
            f"inputs. Name a column the model does not read."
        )


def _checked_weights(column: pd.Series) -> pd.Series:
    """Sampling weights: numbers, finite, not negative, not all zero."""
    name = str(column.name)
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(column.dtype):
        raise InputTypeError(
            f"weights={name!r} must be a column of numbers (how many people each row stands "
            f"for), got values of dtype {column.dtype}."
        )
    values = real_numbers(f"weights={name!r}", column.to_numpy(float, na_value=np.nan), InputError)
    bad = ~np.isfinite(values)
    if bad.any():
        raise InputError(
            f"weights={name!r} has {int(bad.sum())} missing or infinite values (the first at "
            f"row {int(np.flatnonzero(bad)[0])}); every row needs a finite weight >= 0."
        )
    if (values < 0).any():
        i = int(np.flatnonzero(values < 0)[0])
        raise InputError(
            f"weights={name!r} has {int((values < 0).sum())} negative values (the first, at "
            f"row {i}, is {values[i]!r}); a sampling weight is >= 0."
        )
    if not (values > 0).any():
        raise InputError(f"weights={name!r} is 0 in every row; at least one row must weigh.")
    return column


def _checked_cluster(column: pd.Series) -> pd.Series:
    """Cluster labels: none missing, at least two clusters."""
    name = str(column.name)
    missing = column.isna().to_numpy()
    if missing.any():
        raise InputError(
            f"cluster={name!r} has {int(missing.sum())} missing values (the first at row "
            f"{int(np.flatnonzero(missing)[0])}); every row must belong to a cluster (a row "
            f"alone is its own: give it a label of its own)."
        )
    n = int(column.nunique())
    if n < 2:
        raise InputError(
            f"cluster={name!r} has {n} cluster; cluster-robust errors need at least two "
            f"independent clusters."
        )
    return column


def _check_decision(threshold: Any, task: Any, y_pred: Any) -> None:
    """A threshold makes the decisions from scores: not with decisions given, nor for numeric
    outputs."""
    if threshold is None:
        return
    if task in ("regression", "pricing"):
        raise InputError(
            f"threshold={threshold!r} cuts scores into decisions; task={task!r} audits the "
            f"numbers themselves. Leave threshold out."
        )
    if y_pred is not None:
        raise InputError(
            f"threshold={threshold!r} was given with y_pred: the decisions are y_pred as "
            f"given, so a threshold would not be the one audited. Leave threshold out, or give "
            f"y_score without y_pred to decide at y_score >= threshold."
        )


def _check_recourse(recourse: Any, data: Any) -> None:
    """The columns ``recourse`` names are ``data``'s (its shape was checked by
    :func:`_recourse`)."""
    if not isinstance(recourse, Mapping):
        return
    actionable = recourse.get("actionable") or {}
    immutable = recourse.get("immutable") or []
    columns = set(getattr(data, "columns", []))
    for key, names in (("actionable", list(actionable)), ("immutable", list(immutable))):
        missing = [c for c in names if c not in columns]
        if missing:
            raise ColumnNotFoundError(
                f"recourse['{key}'] names columns {missing} not in data; name model inputs, "
                f"such as {sorted(map(str, columns))[:5]}."
            )


def _check_task(task: Any, profile: Any, loyalty: Any, favorable_name: Any = None) -> None:
    if favorable_name is not None and task != "classification":
        raise InputError(
            f"favorable_name names the favourable decision of task='classification'; "
            f"task={task!r} audits numbers, whose favourable side is favorable_direction "
            f"(prices: lower). Leave favorable_name out."
        )
    if task != "pricing" and (profile is not None or loyalty is not None):
        raise InputError(
            "consumer_profile= and loyalty= are for task='pricing' (Art. 72(2)(v)); got "
            f"task={task!r}."
        )


def _check_frames(data: Any, sensitive_data: Any) -> None:
    for name, frame in (("data", data), ("sensitive_data", sensitive_data)):
        in_memory_or_parts = isinstance(frame, pd.DataFrame) or is_dask_frame(frame)
        if in_memory_or_parts and frame.columns.duplicated().any():
            dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
            raise InputError(
                f"{name} has duplicate column names {dup}; a column must be named once "
                f"(rename or drop the copies)."
            )
    if (
        sensitive_data is not None
        and not isinstance(sensitive_data, pd.DataFrame)
        and not (is_dask_frame(data) and is_dask_frame(sensitive_data))
    ):
        raise InputTypeError(
            f"sensitive_data must be a pandas DataFrame, got {type(sensitive_data).__name__}."
        )


def _columns(frame: Any) -> list[Any]:
    return list(frame.columns) if frame is not None and hasattr(frame, "columns") else []


def _unknown_column(what: str, name: str, data: Any, sensitive_data: Any) -> ColumnNotFoundError:
    """The error for ``what`` naming a column that neither frame has, with the close names."""
    if data is None and sensitive_data is None:
        return ColumnNotFoundError(
            f"{what} names the column {name!r}, but neither data= nor sensitive_data= was "
            f"given; pass the values themselves (an array, one per row), or the frame."
        )
    options = [str(c) for c in _columns(data) + _columns(sensitive_data)]
    close = difflib.get_close_matches(name, options, n=3)
    hint = f" Did you mean {close}?" if close else f" Its columns are {options[:20]}."
    where = "data" + (" or sensitive_data" if sensitive_data is not None else "")
    return ColumnNotFoundError(
        f"{what} names the column {name!r}, which is not in {where}.{hint} Pass the values "
        f"themselves (an array, one per row) if they are kept elsewhere."
    )


def _named_outputs(a: Mapping[str, Any], data: Any, sensitive_data: Any) -> dict[str, Any]:
    """``y_true``, ``y_pred`` and ``y_score`` given as column names, looked up.

    A name is looked up in ``data``, then in ``sensitive_data``. With pandas frames the column
    replaces the name, and a column taken from ``data`` leaves ``data`` (a copy; the user's
    frame is not changed): the model must not see the outcome, nor its own outputs. With Dask
    frames the names are only checked here; the partitions are read by name
    (:mod:`szai_audit.inputs.chunked`), the model's inputs being the other columns of data.
    """
    out: dict[str, Any] = {}
    taken: list[Any] = []
    for role in OUTPUTS:
        name = a[role]
        if not isinstance(name, str):
            continue
        if name in _columns(data):
            taken.append(name)
            source = data
        elif name in _columns(sensitive_data):
            source = sensitive_data
        else:
            raise _unknown_column(role, name, data, sensitive_data)
        if isinstance(source, pd.DataFrame):
            out[role] = source[name]
    if taken and isinstance(data, pd.DataFrame):
        specs = a["sensitive"].values() if isinstance(a["sensitive"], Mapping) else ()
        both = [c for c in taken if any(isinstance(v, str) and v == c for v in specs)]
        if both:
            raise InputError(
                f"the column {both[0]!r} of data is named both as an output (y_true, y_pred or "
                f"y_score) and in sensitive; an outcome or a decision is not a sensitive "
                f"attribute. Name another column in sensitive."
            )
        out["data"] = data.drop(columns=taken)
    return out


def _check_sensitive(sensitive: Any, bins: Any, data: Any, sensitive_data: Any) -> None:
    """Each column ``sensitive`` names is in a frame, and each key of ``bins`` is a ground of
    ``sensitive``: a misspelt name is refused as unknown, with the close names."""
    if not isinstance(sensitive, Mapping):
        return  # refused, with its type, where the attributes are read
    for key, spec in sensitive.items():
        if isinstance(spec, str) and spec not in _columns(data) + _columns(sensitive_data):
            raise _unknown_column(f"sensitive[{key!r}]", spec, data, sensitive_data)
    if bins is None:
        return
    grounds = {canonical_ground(str(k)): str(k) for k in sensitive}
    for key in bins:
        if canonical_ground(str(key)) in grounds:
            continue
        column_of = [
            str(k) for k, spec in sensitive.items() if isinstance(spec, str) and spec == key
        ]
        if column_of:
            hint = (
                f" It is the column of the ground {column_of[0]!r}: bins are keyed by "
                f"ground, bins={{{column_of[0]!r}: ...}}."
            )
        else:
            close = difflib.get_close_matches(str(key), list(grounds.values()) + list(grounds), n=3)
            hint = f" Did you mean {list(dict.fromkeys(close))}?" if close else ""
        raise SensitiveAttributeError(
            f"bins names the ground {str(key)!r}, which is unknown: entries that are not keys "
            f"of sensitive ({sorted(grounds.values())}) have nothing to bin.{hint}"
        )


def align_inputs(a: Mapping[str, Any]) -> dict[str, Any]:
    """``y_true``, ``y_pred``, ``y_score``, ``sensitive_data`` and the Series of ``sensitive``
    paired with the rows (:func:`~szai_audit.core.data.align_rows`).

    The rows are ``data``'s (a pandas DataFrame); without it, ``y_pred``'s or else
    ``y_score``'s when given as a Series. A pandas input whose index holds the same labels
    in another order is reordered; one whose index has other labels, or a label twice (unless
    it is the rows' index itself), is refused, naming the first differences; arrays and lists
    are paired by position. Returns the inputs that were given, the ``sensitive`` mapping as a
    new dict (the user's objects are not changed). A Dask DataFrame is paired partition by
    partition as it is read (:mod:`szai_audit.inputs.chunked`).
    """
    against, index = "data", None
    if isinstance(a["data"], pd.DataFrame):
        index = a["data"].index
    elif a["data"] is None:
        given = [r for r in ("y_pred", "y_score") if isinstance(a[r], pd.Series)]
        if given:
            against, index = given[0], a[given[0]].index
    if index is None:
        return {}
    out = {
        name: align_rows(name, a[name], index, against)
        for name in (*OUTPUTS, "sensitive_data")
        if a[name] is not None
    }
    if isinstance(a["sensitive"], Mapping):
        out["sensitive"] = {
            k: align_rows(f"sensitive[{k!r}]", v, index, against) for k, v in a["sensitive"].items()
        }
    return out


def _factor_names(factors: Any, task: str) -> list[str]:
    """The legitimate factors as column names. A pricing audit also takes a single name; the
    other tasks refuse it (a string is not a list of columns)."""
    if not factors:
        return []
    if isinstance(factors, str):
        if task == "pricing":
            return [factors]
        if task in ("classification", "regression"):
            raise InputTypeError(
                f"legitimate_factors must be a list of column names, got the string "
                f"{factors!r}; write [{factors!r}]."
            )
    return [str(c) for c in factors]


def _check_chunked(task: str, factors: Any, privacy: Any, sensitive_data: Any) -> None:
    """Refuse, by name, what the audit of a Dask DataFrame does not do (yet)."""
    if factors and task != "pricing":
        raise UnsupportedError(
            f"legitimate_factors with task={task!r} needs every row in memory in this version "
            f"(task='pricing' takes them on a Dask DataFrame); leave it out for a Dask "
            f"DataFrame, or audit a sample in memory."
        )
    if privacy is True or isinstance(privacy, dict):
        raise UnsupportedError(
            "privacy=True scans every row in memory; for a Dask DataFrame pass the scan of the "
            "data to be shared: privacy=sa.privacy.scan(frame)."
        )
    if sensitive_data is not None and not is_dask_frame(sensitive_data):
        raise InputTypeError(
            f"with a Dask DataFrame as data, sensitive_data must be a Dask DataFrame with the "
            f"same partitions, got {type(sensitive_data).__name__}."
        )


_NOTHING = {
    "classification": "nothing to audit: give model= with data=, or the model's outputs with "
    "y_pred= (and optionally y_score=).",
    "regression": "nothing to audit: give model= with data=, or y_pred=.",
    "pricing": "nothing to audit: give model= with data=, or the prices as y_pred=.",
}


def _check_outputs(a: Mapping[str, Any]) -> None:
    """Which outputs are audited: the model's (with its inputs) or given ones, not both."""
    task, model, data, direction = a["task"], a["model"], a["data"], a["favorable_direction"]
    y_true, y_pred, y_score = a["y_true"], a["y_pred"], a["y_score"]
    if task == "regression" and y_score is not None:
        raise InputError(
            "y_score is for classification; with task='regression' give the numeric "
            "outputs as y_pred (or the model)."
        )
    if task == "pricing":
        if data is None:
            raise InputError(
                "task='pricing' needs data= holding the orders: the consumer-profile columns "
                "and the legitimate factors (and the model's inputs when model= is given)."
            )
        if y_score is not None or y_true is not None:
            raise InputError(
                "task='pricing' audits the prices set (model= or y_pred=); y_score and y_true "
                "do not apply."
            )
        if direction not in (None, "lower"):
            raise InputError(
                "task='pricing': a lower price is the favourable one; leave favorable_direction "
                "unset (or 'lower')."
            )
    if model is not None:
        # Data in parts (Dask) names every output the same way, whatever the task.
        either = task == "classification" or is_dask_frame(data)
        if either and (y_pred is not None or y_score is not None):
            raise InputError(
                "give either model= (the audit computes its outputs) or y_pred=/y_score= "
                "(outputs already computed), not both."
            )
        if y_pred is not None:
            raise InputError("give either model= or y_pred=, not both.")
        if data is None:
            raise InputError("model= was given without data=; pass the model's inputs.")
    elif y_pred is None and (task != "classification" or y_score is None):
        raise InputError(_NOTHING[task])


def _check_pricing(
    data: pd.DataFrame, factors: list[str], profile: Any, loyalty: Any
) -> dict[str, list[str]]:
    """The settings of a pricing audit: the direction, the factors, the profile, loyalty."""
    if factors:
        legitimate_frame(data, factors)  # refuses unknown columns, by name
    checked = validate_profile(profile, data, factors)
    if loyalty is not None and loyalty not in data.columns:
        raise ColumnNotFoundError(f"loyalty names the column {loyalty!r}, which is not in data.")
    named = [(f"consumer_profile column {c!r}", c) for cols in checked.values() for c in cols]
    for what, c in [*named, *([] if loyalty is None else [(f"loyalty={loyalty!r}", loyalty)])]:
        column = data[c]
        if pd.api.types.is_numeric_dtype(column.dtype) and isinstance(data, pd.DataFrame):
            real_numbers(what, column.to_numpy(dtype=float, na_value=np.nan), InputError)
    return checked


def validate_profile(
    profile: Any, data: pd.DataFrame, factors: Sequence[str]
) -> dict[str, list[str]]:
    """``consumer_profile`` as kind -> columns of ``data``, with clear errors."""
    if profile is None:
        return {}
    if not isinstance(profile, Mapping):
        raise InputTypeError(
            f"consumer_profile must map kinds to columns, e.g. {{'ability_to_pay': ['income']}}, "
            f"got {type(profile).__name__}."
        )
    out: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for kind, cols in profile.items():
        if kind not in PROFILE_KINDS:
            raise InputError(
                f"consumer_profile has the kind {kind!r}; the kinds Art. 72(2)(v) names are "
                f"{list(PROFILE_KINDS)}."
            )
        names = [cols] if isinstance(cols, str) else list(cols)
        for c in names:
            _check_profile_column(c, str(kind), data, seen, factors)
            seen[c] = str(kind)
        if names:
            out[str(kind)] = [str(c) for c in names]
    return out


def _check_profile_column(
    c: Any, kind: str, data: pd.DataFrame, seen: Mapping[str, str], factors: Sequence[str]
) -> None:
    if c not in data.columns:
        raise ColumnNotFoundError(
            f"consumer_profile[{kind!r}] names the column {c!r}, which is not in data; "
            f"available: {[str(x) for x in data.columns][:20]}."
        )
    if c in seen:
        raise InputError(
            f"consumer_profile names {c!r} under both {seen[c]!r} and {kind!r}; a column "
            f"belongs to one kind."
        )
    if c in factors:
        raise InputError(
            f"{c!r} is both a consumer_profile column and a legitimate factor; a price may "
            f"depend on a legitimate factor, not on the profile, so it cannot be both."
        )


def _label_keys(data: Any, sensitive_data: Any, sensitive: Any) -> dict[str, str]:
    """Every name ``value_labels`` may use, mapped to the key its labels are kept under: a
    column of the frames, or a ground (as written or canonical) mapped to its column, or to
    itself when its values were given as an array."""
    names: dict[str, str] = {}
    for frame in (data, sensitive_data):
        if frame is not None and hasattr(frame, "columns"):
            names.update({str(c): str(c) for c in frame.columns})
    if isinstance(sensitive, Mapping):
        for key, spec in sensitive.items():
            target = spec if isinstance(spec, str) else canonical_ground(str(key))
            names.setdefault(str(key), target)
            names.setdefault(canonical_ground(str(key)), target)
    return names


def _label_pair(where: str, label: Any, example: str = "('女', 'female')") -> tuple[str, str]:
    """One label as ``(zh, en)``: a text (both languages) or a pair of texts."""
    if isinstance(label, str):
        pair: tuple[Any, ...] = (label, label)
    elif isinstance(label, (tuple, list)) and len(label) == 2:
        pair = tuple(label)
    else:
        raise InputTypeError(
            f"{where} must be a text or a pair of texts (Chinese, English) such as "
            f"{example}, got {label!r}."
        )
    if not all(isinstance(t, str) for t in pair):
        raise InputTypeError(
            f"{where} must hold texts (Chinese, English), got {[type(t).__name__ for t in pair]}."
        )
    if not all(t.strip() for t in pair):
        raise InputError(f"{where} has an empty label {label!r}; give the display text.")
    return (pair[0], pair[1])


def validate_value_labels(
    value_labels: Any, data: Any, sensitive_data: Any, sensitive: Any
) -> dict[str, dict[str, tuple[str, str]]]:
    """``value_labels`` checked and copied: ``{column: {raw value as text: (zh, en)}}``.

    A key is a column of ``data`` or ``sensitive_data``, or a ground of ``sensitive`` (kept
    under the ground's column, or under the ground when its values were an array). A raw value
    absent from the data is not an error here: the audit warns of it once the groups are known
    (:func:`szai_audit.inputs.labels.value_labels`). The user's mappings are not changed.

    Raises
    ------
    InputTypeError
        ``value_labels`` or one of its entries is not a mapping, or a label is not text.
    InputError
        A key names no column or ground (close names are suggested), two keys name the same
        column, or a label is empty.
    """
    if value_labels is None:
        return {}
    if not isinstance(value_labels, Mapping):
        raise InputTypeError(
            f"value_labels must map columns to {{raw value: (zh, en)}}, e.g. "
            f"{{'sex': {{'female': ('女', 'female')}}}}, got {type(value_labels).__name__}."
        )
    names = _label_keys(data, sensitive_data, sensitive)
    out: dict[str, dict[str, tuple[str, str]]] = {}
    given: dict[str, str] = {}
    for key, table in value_labels.items():
        name = str(key)
        if name not in names:
            close = difflib.get_close_matches(name, list(names), n=3)
            hint = f" Did you mean {close}?" if close else ""
            raise InputError(
                f"value_labels names {name!r}, which is neither a column of data nor a ground of "
                f"sensitive.{hint}"
            )
        target = names[name]
        if target in given:
            raise InputError(
                f"value_labels names {given[target]!r} and {name!r}, which are the same column "
                f"{target!r}; give its labels once."
            )
        given[target] = name
        if not isinstance(table, Mapping):
            raise InputTypeError(
                f"value_labels[{name!r}] must map raw values to labels, e.g. "
                f"{{'female': ('女', 'female')}}, got {type(table).__name__}."
            )
        out[target] = {
            str(raw): _label_pair(f"value_labels[{name!r}][{raw!r}]", label)
            for raw, label in table.items()
        }
    return out
