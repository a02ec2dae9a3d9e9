"""An audit's document (the JSON form of :class:`szai_audit.AuditResult`), read and checked.

The comparison of two audits (Art. 66(2) ex-post tracking), the filings, the run configuration
and the command line read a saved audit the same way: :func:`read_audit` (the document),
:func:`read_findings` (the document and its findings, normalised).

A saved result (a JSON file, or the JSON text) must be complete: ``schema_version`` ``"1.x"``,
``summary``, ``findings`` and ``content_sha256``. A document that carries ``content_sha256``
(every file, and every ``to_dict()``) is checked against it, by the rule of
:attr:`szai_audit.AuditResult.content_sha256`; a mismatch means the result was changed after it
was written (a verdict, a number, anything but ``manifest.generated_at``) and is an error,
:class:`~szai_audit.errors.InputError` (exit 2 on the command line): a changed result is not
evidence of the audit it claims. A dict without ``content_sha256`` (built by hand) is read, and
said not to be verified. A file that cannot be read (not UTF-8, not JSON, a number too large for
a float, nesting too deep, not a result) is an ``InputError`` naming it.

What the hash proves: that the content did not change by accident (a damaged, truncated or
mixed-up copy). It does not prove that nobody changed it on purpose: whoever edits the file can
recompute ``content_sha256`` by the public rule. With the organisation's secret key in the
environment variable ``SZAI_AUDIT_KEY`` (:data:`~szai_audit.core.files.KEY_VARIABLE`), every
audit written carries ``content_hmac``, the HMAC-SHA256 of the same content under the key, and
every document that carries ``content_sha256`` must also carry a matching ``content_hmac``: a
saved audit that is unsigned, edited after it was signed or signed with another key is an
``InputError``. Only a holder of the key can sign.
"""

from __future__ import annotations

import hmac
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, TypeAlias, runtime_checkable

from .errors import InputError, InputTypeError
from .files import KEY_VARIABLE, content_hmac, content_sha256, path_problem, signing_key
from .findings import Status
from .manifest import VOLATILE

__all__ = [
    "SCHEMA_MAJOR",
    "SEVERITY_ORDER",
    "AuditLike",
    "Result",
    "read_audit",
    "read_findings",
]


@runtime_checkable
class Result(Protocol):
    """An audit's result, as it is read here (:class:`szai_audit.AuditResult`)."""

    @property
    def findings(self) -> list[Any]: ...
    @property
    def scope(self) -> Any: ...
    def to_dict(self) -> dict[str, Any]: ...


#: What an audit may be given as: a result, its dict form, or a saved JSON file.
AuditLike: TypeAlias = Result | Mapping[str, Any] | str | os.PathLike[str]

#: The major ``schema_version`` of the results read here (any minor: fields are only added
#: within a major version, see docs/json-schema.md).
SCHEMA_MAJOR = "1"

#: The statuses a finding may have, most severe first.
SEVERITY_ORDER = [s.value for s in sorted(Status, key=lambda s: s.severity)]


class _OutOfRange(ValueError):
    """A JSON number literal too large for a float (``1e400``)."""


def _finite_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _OutOfRange(literal)
    return value


def _parse(text: str, label: str) -> Any:
    """The JSON ``text`` of ``label``, or :class:`InputError` saying why it cannot be read."""
    expected = "expected the JSON written by AuditResult.to_json(path)"
    try:
        return json.loads(text, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            f"{expected}."
        ) from exc
    except _OutOfRange as exc:
        raise InputError(
            f"{label} holds the number {str(exc)[:40]}, too large for a float; {expected}."
        ) from exc
    except RecursionError as exc:
        raise InputError(
            f"{label} is nested too deeply to be read (arrays or objects inside each other "
            f"thousands of levels deep); {expected}."
        ) from exc
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise InputError(f"{label} cannot be read as JSON ({exc}); {expected}.") from exc


def _load_json(path: str | os.PathLike[str], name: str) -> tuple[Any, str]:
    """The JSON document saved at ``path``, and the label naming it in messages."""
    where = os.fspath(path)
    problem = path_problem(where)
    if problem is not None:
        raise InputError(f"{name}: {problem}")
    p = Path(where)
    label = f"{name} file {where!r}"
    try:
        exists = p.exists()
    except OSError as exc:  # e.g. a name too long to be a path
        raise InputError(f"{name}: {where[:80]!r} is not a usable path ({exc.strerror}).") from exc
    if not exists:
        raise InputError(
            f"{name}: the file {where!r} does not exist; expected the path of an audit result "
            f"saved with AuditResult.to_json(path)."
        )
    if not p.is_file():
        raise InputError(
            f"{name}: {where!r} is not a file; expected the path of an audit result saved with "
            f"AuditResult.to_json(path)."
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{label} is not UTF-8 text ({exc.reason} at byte {exc.start}); expected the JSON "
            f"written by AuditResult.to_json(path)."
        ) from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot read {where!r}: {exc.strerror}.") from exc
    return _parse(text, label), label


def _document(obj: Any, name: str) -> tuple[Mapping[str, Any], str, bool]:
    """The audit document ``obj`` stands for, its label, and whether it was saved (a file or
    the JSON text), which makes ``schema_version``, ``summary`` and the hash required."""
    saved = True
    label = name
    if isinstance(obj, Result):
        doc: Any = obj.to_dict()
        saved = False
    elif isinstance(obj, Mapping):
        doc = obj
        saved = False
    elif isinstance(obj, str) and obj.lstrip().startswith("{"):
        label = f"{name} (JSON text)"  # AuditResult.to_json() without a path
        doc = _parse(obj, label)
    elif isinstance(obj, (str, os.PathLike)):
        doc, label = _load_json(obj, name)
    else:
        raise InputTypeError(
            f"{name} must be an AuditResult, the dict from AuditResult.to_dict(), or the path "
            f"of a JSON file saved with AuditResult.to_json(path); got {type(obj).__name__}."
        )
    if not isinstance(doc, Mapping):
        raise InputError(
            f"{label}: expected a JSON object holding an audit result, got a JSON "
            f"{type(doc).__name__}."
        )
    return doc, label, saved


def _check_saved(doc: Mapping[str, Any], label: str, saved: bool) -> None:
    """Refuse a document of another schema, or a saved one missing what to_json writes."""
    version = doc.get("schema_version")
    known = isinstance(version, str) and re.fullmatch(rf"{SCHEMA_MAJOR}\.\d+", version)
    if (saved or version is not None) and not known:
        raise InputError(
            f"{label} is not an audit result this version can read: expected "
            f"schema_version '{SCHEMA_MAJOR}.x' (as written by AuditResult.to_json()), got "
            f"{'no schema_version' if version is None else repr(version)[:40]}."
        )
    if saved:
        missing = [k for k in ("summary", "findings", "content_sha256") if k not in doc]
        if missing:
            raise InputError(
                f"{label} is not a complete audit result: expected the keys 'summary', "
                f"'findings' and 'content_sha256' written by AuditResult.to_json(), missing "
                f"{missing}."
            )


#: The keys of a document that are not part of its hashed (and signed) content.
_SEALS = ("content_sha256", "content_hmac")


def _content(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What ``content_sha256`` and ``content_hmac`` cover: the document without them,
    ``manifest.generated_at`` and ``manifest.stage_seconds``."""
    content = {k: v for k, v in doc.items() if k not in _SEALS}
    manifest = content.get("manifest")
    if isinstance(manifest, Mapping):
        content["manifest"] = {k: v for k, v in manifest.items() if k not in VOLATILE}
    return content


def _content_digest(doc: Mapping[str, Any]) -> str:
    """The ``content_sha256`` an audit document should carry, recomputed from its content.

    The rule of :attr:`szai_audit.AuditResult.content_sha256`: the sha256 of the canonical JSON
    (sorted keys, no spaces, UTF-8) of :func:`_content`. Raises TypeError, ValueError or
    RecursionError when the document cannot be written as JSON.
    """
    return content_sha256(_content(doc))


def _verified(doc: Mapping[str, Any], label: str) -> bool:
    """Whether the document carries a hash; :class:`InputError` when it does not match, or,
    with a key in ``SZAI_AUDIT_KEY``, when its signature is missing or does not match."""
    if "content_sha256" not in doc:
        return False
    stored = doc["content_sha256"]
    try:
        actual = _content_digest(doc)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InputError(
            f"{label}: its content cannot be hashed to check content_sha256 ({type(exc).__name__}"
            f"); expected an audit result as written by AuditResult.to_json()."
        ) from exc
    if stored != actual:
        raise InputError(
            f"{label} was edited after it was written, or damaged: its content_sha256 is "
            f"{str(stored)[:70]!r} but its content hashes to {actual!r}. Compare the result "
            f"as AuditResult.to_json() wrote it; a changed result is not evidence of the audit."
        )
    _check_signature(doc, label)
    return True


def _check_signature(doc: Mapping[str, Any], label: str) -> None:
    """With a key in ``SZAI_AUDIT_KEY``, :class:`InputError` unless the document's
    ``content_hmac`` is the HMAC of its content under that key."""
    key = signing_key()
    if key is None:
        return
    signed = doc.get("content_hmac")
    if signed is None:
        raise InputError(
            f"{label} is not signed: {KEY_VARIABLE} is set, so a saved audit must carry the "
            f"content_hmac written with the organisation's key, and this one has none (written "
            f"without the key, or its signature removed). Run the audit again with the key set."
        )
    expected = content_hmac(_content(doc), key)
    if not isinstance(signed, str) or not hmac.compare_digest(signed, expected):
        raise InputError(
            f"{label}: its signature (content_hmac) does not match its content under the key "
            f"in {KEY_VARIABLE}: it was edited after it was signed (its content_sha256 "
            f"recomputed), or signed with another key. It is not evidence of the audit."
        )


def _number(value: Any, name: str, index: int, field: str) -> float:
    """A finding's value or threshold as a float (NaN when missing)."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(
            f"{name}: findings[{index}].{field} must be a number or null, got "
            f"{type(value).__name__} {str(value)[:40]!r}."
        )
    try:
        return float(value)
    except OverflowError as exc:  # an integer beyond a float's range, e.g. 10**400
        raise InputError(
            f"{name}: findings[{index}].{field} must be a number a float can hold (at most "
            f"about 1.8e308), got an integer of {len(str(value))} digits."
        ) from exc


def _rows_of(raw: Any, label: str) -> list[dict[str, Any]]:
    """The findings of a document, checked and normalised."""
    if not isinstance(raw, (list, tuple)):
        got = "no 'findings' key" if raw is None else f"'findings' of type {type(raw).__name__}"
        raise InputError(
            f"{label} is not an audit result: expected a 'findings' list (as written by "
            f"AuditResult.to_dict() or to_json()), got {got}."
        )
    statuses = set(SEVERITY_ORDER)
    rows = []
    for i, f in enumerate(raw):
        if not isinstance(f, Mapping):
            raise InputError(f"{label}: findings[{i}] must be an object, got {type(f).__name__}.")
        for field in ("check", "article", "status"):
            if not isinstance(f.get(field), str):
                raise InputError(
                    f"{label}: findings[{i}] must have a string {field!r}, got "
                    f"{str(f.get(field))[:40]!r}."
                )
        if f["status"] not in statuses:
            raise InputError(
                f"{label}: findings[{i}].status must be one of {SEVERITY_ORDER}, got "
                f"{f['status'][:40]!r}."
            )
        ground = f.get("ground")
        rows.append(
            {
                "check": f["check"],
                "article": f["article"],
                "ground": None if ground is None else str(ground),
                "status": f["status"],
                "value": _number(f.get("value"), label, i, "value"),
                "threshold": _number(f.get("threshold"), label, i, "threshold"),
            }
        )
    return rows


def read_findings(
    obj: Any, name: str = "audit"
) -> tuple[Mapping[str, Any], list[dict[str, Any]], bool]:
    """The audit document ``obj`` stands for, its findings, and whether its hash was checked.

    Parameters
    ----------
    obj : AuditResult, dict, str or path-like
        An AuditResult, its ``to_dict()``, JSON text or the path of a saved JSON. Never
        changed.
    name : str, default "audit"
        What the messages call it (``"previous"``, ``"--audit"``).

    Returns
    -------
    doc : Mapping
        The document, as read.
    findings : list of dict
        Each finding's ``check``, ``article``, ``ground`` (None or text), ``status``, and
        ``value`` and ``threshold`` as floats (NaN when missing), in the document's order.
    verified : bool
        True when the document carried its ``content_sha256`` (and it matched), False when it
        carried none.

    Raises
    ------
    InputTypeError
        ``obj`` of the wrong kind.
    InputError
        Naming ``name``: a file missing or unreadable, not JSON, not an audit result of this
        schema, a saved one incomplete, malformed findings, or an edited document (content not
        matching its ``content_sha256``).
    """
    doc, label, saved = _document(obj, name)
    _check_saved(doc, label, saved)
    rows = _rows_of(doc.get("findings"), label)
    verified = _verified(doc, label)
    return doc, rows, verified


def read_audit(obj: Any, name: str = "audit") -> Mapping[str, Any]:
    """The audit document ``obj`` stands for, read and checked as
    :func:`szai_audit.risk.tracking.compare` reads it.

    ``obj`` is an AuditResult, its ``to_dict()``, JSON text or the path of a saved JSON. A
    saved document must be of this schema, complete, and match its ``content_sha256`` (and,
    with ``SZAI_AUDIT_KEY`` set, its ``content_hmac``); its findings must be well formed.
    Raises :class:`InputError` (or :class:`InputTypeError`) naming ``name`` otherwise. The
    input is never changed.

    Parameters
    ----------
    obj : AuditResult, dict, str or path-like
    name : str, default "audit"

    Returns
    -------
    Mapping
        The document (see :func:`read_findings`).
    """
    return read_findings(obj, name)[0]
