"""Ex-post tracking (Art. 66(2)): compare two audits of the same AI system over time.

Art. 66(2) of the Shenzhen regulations subjects medium- and low-risk AI uses to ex-post
tracking. :func:`compare` lines up the findings of a current audit with those of a previous
one and reports what changed: findings whose status or value drifted, findings that are new,
findings that were resolved, and failures that appeared. The result, a :class:`Comparison`,
has a JSON form and a bilingual HTML form (a fragment for the main report, or a standalone
page).

Findings are matched on the key ``(check, article, ground)`` (``ground`` may be None), which
is stable across audits of the same system. Should a key occur more than once in one audit,
its occurrences are paired in order of appearance.

Drift rule
----------
A finding present in both audits *drifts* when any of the following holds:

1. its status got more severe (``Status.severity`` decreased, e.g. PASS -> WARN, WARN -> FAIL);
2. both values are finite and ``|delta| > drift_tolerance * max(|threshold|, 0.01)``, where
   ``delta = value_after - value_before`` and ``threshold`` is the current audit's threshold
   (the previous one when the current finding has none; a missing threshold counts as 0);
3. both values are finite, there is a threshold, and the value moved across it (one value
   above the threshold, the other at or below it).

``direction`` is ``"worse"`` when the status got more severe, ``"better"`` when it got less
severe, and ``"same"`` when the status did not change (whatever the values did).

Reading the audits
------------------
Only the findings are read: each audit's verdict and status counts are recomputed from them,
never taken from the document's ``summary``. A saved result (a JSON file, or the JSON text) must
be complete: ``schema_version`` ``"1.x"``, ``summary``, ``findings`` and ``content_sha256``. A
document that carries ``content_sha256`` (every file, and every ``to_dict()``) is checked
against it, by the rule of :attr:`szai_audit.AuditResult.content_sha256`; a mismatch means the
result was edited after it was written (a verdict, a number, anything but
``manifest.generated_at``) and is an error, :class:`~szai_audit.errors.InputError` (exit 2 on
the command line), not a comparison: an edited result is not evidence of the audit it claims.
A dict without ``content_sha256`` (built by hand) is compared, marked
``content_verified=False`` in the summary. A file that cannot be read (not UTF-8, not JSON, a
number too large for a float, nesting too deep, not a result) is an ``InputError`` naming it.
The hash detects edits, it does not prove authorship: whoever edits the file can recompute it.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeAlias, runtime_checkable

import jinja2
import pandas as pd

from ..core import checks
from ..core.errors import InputError, InputTypeError, ReportError
from ..core.files import LANGS, content_sha256, write_text
from ..core.findings import STATUS_LABELS, Status, jsonable, verdict_of
from ..core.grounds import ground_label
from ..core.html import FONT_STACK, FONT_STACK_LATIN, environment
from ..core.manifest import VOLATILE
from ..core.messages import Message

__all__ = [
    "VERDICT_LABELS",
    "AuditLike",
    "Comparison",
    "Result",
    "compare",
    "comparison_page",
    "read_audit",
]


@runtime_checkable
class Result(Protocol):
    """An audit's result, as :func:`compare` reads it (:class:`szai_audit.AuditResult`)."""

    @property
    def findings(self) -> list[Any]: ...
    @property
    def scope(self) -> Any: ...
    def to_dict(self) -> dict[str, Any]: ...


#: What :func:`compare` accepts for each audit: a result, its dict form, or a saved JSON file.
AuditLike: TypeAlias = Result | Mapping[str, Any] | str | os.PathLike[str]

#: Default relative size of a value change that counts as drift (see the module docstring).
DEFAULT_DRIFT_TOLERANCE = 0.25
#: Floor of the scale a value change is measured against, for thresholds near zero.
MIN_SCALE = 0.01
#: The major ``schema_version`` of the results :func:`compare` reads (any minor: fields are only
#: added within a major version, see docs/json-schema.md).
SCHEMA_MAJOR = "1"

_KEY = ["check", "article", "ground"]
_CHANGE_COLUMNS = [
    *_KEY,
    "status_before",
    "status_after",
    "value_before",
    "value_after",
    "delta",
    "threshold",
    "drift",
    "direction",
    "drift_reason",
]
_NEW_COLUMNS = [*_KEY, "status", "value", "threshold"]
_RESOLVED_COLUMNS = [
    *_KEY,
    "status_before",
    "status_after",
    "value_before",
    "value_after",
    "resolution",
]
_FAILURE_COLUMNS = [*_KEY, "status_before", "status_after", "value_before", "value_after", "origin"]
_SEVERITY_ORDER = [s.value for s in sorted(Status, key=lambda s: s.severity)]

_DIRECTIONS = {
    "worse": Message("变差", "Worse"),
    "better": Message("改善", "Better"),
    "same": Message("状态未变", "Status unchanged"),
}
_REASONS = {
    "status": Message("状态变严重", "status more severe"),
    "size": Message("数值变化超过容许幅度", "value changed beyond tolerance"),
    "crossed": Message("数值越过阈值", "value crossed its threshold"),
}
_RESOLUTIONS = {
    "now_pass": Message("现已通过", "Now passes"),
    "absent": Message("本次审计中已无此项", "Absent from the current audit"),
}
_ORIGINS = {
    "changed": Message("原有检查项转为不通过", "Existing check turned to Fail"),
    "new": Message("新增检查项即为不通过", "New check, failing"),
}
#: The overall result of an audit, by its verdict, in words.
VERDICT_LABELS = {
    "FAIL": STATUS_LABELS["FAIL"],
    "WARN": STATUS_LABELS["WARN"],
    "PASS": STATUS_LABELS["PASS"],
    "INCOMPLETE": Message("未完成", "Incomplete"),
}


# --------------------------------------------------------------------------------------------
# Reading the two audits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Audit:
    """What the comparison needs from one audit, read from its JSON form."""

    findings: tuple[dict[str, Any], ...]
    verdict: str
    status_counts: dict[str, int]
    system_name: str | None
    version: str | None
    generated_at: str | None
    content_sha256: str | None
    content_verified: bool


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


def _content_digest(doc: Mapping[str, Any]) -> str:
    """The ``content_sha256`` an audit document should carry, recomputed from its content.

    The rule of :attr:`szai_audit.AuditResult.content_sha256`: the sha256 of the canonical JSON
    (sorted keys, no spaces, UTF-8) of the document without ``content_sha256``,
    ``manifest.generated_at`` and ``manifest.stage_seconds``. Raises TypeError, ValueError or
    RecursionError when the document cannot be written as JSON.
    """
    content = {k: v for k, v in doc.items() if k != "content_sha256"}
    manifest = content.get("manifest")
    if isinstance(manifest, Mapping):
        content["manifest"] = {k: v for k, v in manifest.items() if k not in VOLATILE}
    return content_sha256(content)


def _verified(doc: Mapping[str, Any], label: str) -> bool:
    """Whether the document carries a hash; :class:`InputError` when it does not match."""
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
            f"{label} was edited after it was written: its content_sha256 is "
            f"{str(stored)[:70]!r} but its content hashes to {actual!r}. Compare the result "
            f"as AuditResult.to_json() wrote it; an edited result is not evidence of the audit."
        )
    return True


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


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _rows_of(raw: Any, label: str) -> list[dict[str, Any]]:
    """The findings of a document, checked and normalised."""
    if not isinstance(raw, (list, tuple)):
        got = "no 'findings' key" if raw is None else f"'findings' of type {type(raw).__name__}"
        raise InputError(
            f"{label} is not an audit result: expected a 'findings' list (as written by "
            f"AuditResult.to_dict() or to_json()), got {got}."
        )
    statuses = set(_SEVERITY_ORDER)
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
                f"{label}: findings[{i}].status must be one of {_SEVERITY_ORDER}, got "
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


def _read(obj: Any, name: str) -> _Audit:
    """Normalise an AuditResult, its dict form or a JSON path into what the comparison uses.

    The verdict and the status counts are recomputed from the findings: the document's
    ``summary`` is not read. A document carrying ``content_sha256`` is checked against it.
    The input is only read, never changed.
    """
    doc, label, saved = _document(obj, name)
    _check_saved(doc, label, saved)
    rows = _rows_of(doc.get("findings"), label)
    verified = _verified(doc, label)
    counts = Counter(r["status"] for r in rows)
    status_counts = {s: counts.get(s, 0) for s in _SEVERITY_ORDER}
    system = doc.get("system")
    system = system if isinstance(system, Mapping) else {}
    manifest = doc.get("manifest")
    manifest = manifest if isinstance(manifest, Mapping) else {}
    return _Audit(
        findings=tuple(rows),
        verdict=verdict_of(status_counts),
        status_counts=status_counts,
        system_name=_text(system.get("system_name")),
        version=_text(system.get("version")),
        generated_at=_text(manifest.get("generated_at")),
        content_sha256=_text(doc.get("content_sha256")),
        content_verified=verified,
    )


def read_audit(obj: Any, name: str = "audit") -> Mapping[str, Any]:
    """The audit document ``obj`` stands for, read and checked as :func:`compare` reads it.

    ``obj`` is an AuditResult, its ``to_dict()``, JSON text or the path of a saved JSON. A
    saved document must be of this schema, complete, and unedited (its ``content_sha256``
    matches its content); its findings must be well formed. Raises :class:`InputError` (or
    :class:`InputTypeError`) naming ``name`` otherwise. The input is never changed.
    """
    doc, label, saved = _document(obj, name)
    _check_saved(doc, label, saved)
    _rows_of(doc.get("findings"), label)
    _verified(doc, label)
    return doc


def _keyed(findings: tuple[dict[str, Any], ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Findings by (check, article, ground, occurrence), in their order."""
    seen: Counter[tuple[Any, ...]] = Counter()
    out = {}
    for f in findings:
        key = (f["check"], f["article"], f["ground"])
        full = (*key, seen[key])
        out[full] = f
        seen[key] += 1
    return out


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


def _severity(status: str) -> int:
    return Status(status).severity


def _finite(x: float) -> bool:
    return not math.isnan(x) and not math.isinf(x)


def _drift(
    before: dict[str, Any], after: dict[str, Any], tolerance: float
) -> tuple[float, float, list[str], str]:
    """Delta, threshold used, drift reasons and direction of a finding in both audits."""
    vb, va = before["value"], after["value"]
    threshold = after["threshold"] if _finite(after["threshold"]) else before["threshold"]
    delta = va - vb if _finite(vb) and _finite(va) else math.nan
    sb, sa = _severity(before["status"]), _severity(after["status"])
    reasons = []
    if sa < sb:
        reasons.append("status")
    if _finite(delta):
        scale = max(abs(threshold) if _finite(threshold) else 0.0, MIN_SCALE)
        if abs(delta) > tolerance * scale:
            reasons.append("size")
        if _finite(threshold) and (vb > threshold) != (va > threshold):
            reasons.append("crossed")
    direction = "worse" if sa < sb else "better" if sa > sb else "same"
    return delta, threshold, reasons, direction


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Numbers as float (NaN when missing), ``drift`` as bool, texts as object (None when
    missing, whatever pandas' default string type)."""
    data = {}
    for col in columns:
        values = [r[col] for r in rows]
        if col.startswith(("value", "delta", "threshold")):
            data[col] = pd.Series(values, dtype=float)
        elif col == "drift":
            data[col] = pd.Series(values, dtype=bool)
        else:
            data[col] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=columns)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows of a frame: NaN -> None, numpy scalars -> Python."""
    rows = frame.astype(object).to_dict(orient="records")
    return [{str(k): jsonable(v) for k, v in row.items()} for row in rows]


@dataclass(frozen=True, eq=False)
class Comparison:
    """What changed between two audits of a system (Art. 66(2) ex-post tracking).

    Built by :func:`compare`; see the module docstring for the drift rule.

    Attributes
    ----------
    changes : DataFrame
        One row per finding present in both audits: ``check``, ``article``, ``ground``,
        ``status_before``, ``status_after``, ``value_before``, ``value_after``, ``delta``
        (after - before; NaN if either value is missing), ``threshold``, ``drift`` (bool),
        ``direction`` (``"worse"``, ``"better"``, ``"same"``) and ``drift_reason`` (the rules
        that fired, ``"status"``, ``"size"``, ``"crossed"``, joined by ``";"``; empty when the
        finding did not drift).
    new : DataFrame
        Findings only in the current audit: ``check``, ``article``, ``ground``, ``status``,
        ``value``, ``threshold``.
    resolved : DataFrame
        Findings that were FAIL or WARN before and are now PASS (``resolution="now_pass"``).
        A finding absent from the current audit (its check did not run) is not resolved: it is
        in ``removed``.
    removed : DataFrame
        Every finding only in the previous audit, whatever its status (same columns as
        ``new``); none of them counts as resolved, since its check did not run this time.
    appeared_failures : DataFrame
        Findings whose status became FAIL: present before with another status
        (``origin="changed"``) or new and failing (``origin="new"``, ``status_before`` None).
    summary : dict
        ``before`` and ``after`` (each: ``verdict`` and ``status_counts``, recomputed from the
        findings; ``system_name``, ``version``, ``generated_at``, ``content_sha256``, and
        ``content_verified``, True when the document carried its hash and matched it, False
        when it carried none); the numbers ``compared``, ``new``,
        ``resolved``, ``removed``, ``drifted``, ``appeared_failures``; ``same_system`` (False
        when the system names differ, or only one audit names its system) and
        ``drift_tolerance``.
    drift_tolerance : float
        The tolerance the drift rule used.

    Examples
    --------
    Documents in the form of :meth:`AuditResult.to_dict` (only ``findings`` is required):

    >>> from szai_audit.risk.tracking import compare
    >>> before = {"findings": [{"check": "fairness.demographic_parity_difference",
    ...     "article": "72(4)", "ground": "gender", "status": "PASS", "value": 0.02,
    ...     "threshold": 0.1}]}
    >>> after = {"findings": [{**before["findings"][0], "status": "FAIL", "value": 0.15}]}
    >>> cmp = compare(after, before)
    >>> cmp
    <Comparison PASS -> FAIL: compared=1 drifted=1 new=0 resolved=0 removed=0
    appeared_failures=1>
    >>> cmp.changes[["status_before", "status_after", "delta", "drift", "direction"]]
      status_before status_after  delta  drift direction
    0          PASS         FAIL   0.13   True     worse
    >>> cmp.to_dict()["changes"][0]["drift_reason"]
    'status;size;crossed'
    >>> import json
    >>> json.loads(cmp.to_json())["summary"]["appeared_failures"]
    1
    >>> html = cmp.to_html(lang="en")
    >>> html.startswith("<!DOCTYPE html>"), "Ex-post tracking" in html, "<script" in html
    (True, True, False)
    """

    changes: pd.DataFrame
    new: pd.DataFrame
    resolved: pd.DataFrame
    removed: pd.DataFrame
    appeared_failures: pd.DataFrame
    summary: dict[str, Any]
    drift_tolerance: float = DEFAULT_DRIFT_TOLERANCE

    @property
    def drifted(self) -> pd.DataFrame:
        """The rows of :attr:`changes` that drifted."""
        return self.changes[self.changes["drift"]].reset_index(drop=True)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Comparison):
            return NotImplemented
        frames = ("changes", "new", "resolved", "removed", "appeared_failures")
        return (
            self.summary == other.summary
            and self.drift_tolerance == other.drift_tolerance
            and all(getattr(self, n).equals(getattr(other, n)) for n in frames)
        )

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain JSON-safe Python objects (NaN -> None).

        Returns
        -------
        dict
            ``summary``, ``drift_tolerance``, ``drift_rule`` (``{"zh", "en"}``) and the rows of
            ``changes``, ``new``, ``resolved``, ``removed`` and ``appeared_failures``.
        """
        return {
            "summary": jsonable(self.summary),
            "drift_tolerance": self.drift_tolerance,
            "drift_rule": _drift_rule(self.drift_tolerance).to_dict(),
            "changes": _records(self.changes),
            "new": _records(self.new),
            "resolved": _records(self.resolved),
            "removed": _records(self.removed),
            "appeared_failures": _records(self.appeared_failures),
        }

    def to_json(self, path: str | os.PathLike[str] | None = None, indent: int = 2) -> str:
        """Return the JSON form; write it to ``path`` (UTF-8) when given.

        Parameters
        ----------
        path : path-like, optional
            File to write, through :func:`szai_audit.core.files.write_text`.
        indent : int, default 2

        Returns
        -------
        str
            The JSON text (non-ASCII characters written as such).
        """
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
        if path is not None:
            write_text(path, text)
        return text

    def to_html(self, path: str | os.PathLike[str] | None = None, lang: str = "bilingual") -> str:
        """Render a standalone HTML page (inline CSS, no script, no external URL).

        Parameters
        ----------
        path : path-like, optional
            File to write (UTF-8), through :func:`szai_audit.core.files.write_text`.
        lang : {"bilingual", "zh", "en"}, default "bilingual"

        Returns
        -------
        str
            The HTML document.
        """
        page = comparison_page(self, lang)
        text = _standalone_template().render(cmp=page, lang=lang, page=_css_page())
        if path is not None:
            write_text(path, text)
        return text

    def _repr_html_(self) -> str:
        return _fragment(self)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<Comparison {s['before']['verdict']} -> {s['after']['verdict']}: "
            f"compared={s['compared']} drifted={s['drifted']} new={s['new']} "
            f"resolved={s['resolved']} removed={s['removed']} "
            f"appeared_failures={s['appeared_failures']}"
            f"{'' if s['same_system'] else ' same_system=False'}>"
        )


def _check_tolerance(drift_tolerance: Any) -> float:
    if isinstance(drift_tolerance, bool) or not isinstance(drift_tolerance, (int, float)):
        raise InputTypeError(
            f"drift_tolerance must be a number, got {type(drift_tolerance).__name__} "
            f"{drift_tolerance!r}."
        )
    value = float(drift_tolerance)
    if not _finite(value) or value < 0:
        raise InputError(
            f"drift_tolerance must be a finite number >= 0 (0.25 means a change of a quarter of "
            f"the threshold), got {drift_tolerance!r}."
        )
    return value


def compare(
    current: AuditLike, previous: AuditLike, *, drift_tolerance: float = DEFAULT_DRIFT_TOLERANCE
) -> Comparison:
    """Compare a current audit with a previous one of the same system (Art. 66(2)).

    Findings are matched on ``(check, article, ground)``. A matched finding *drifts* when its
    status got more severe, when ``|delta| > drift_tolerance * max(|threshold|, 0.01)``, or
    when its value crossed its threshold (details in the module docstring).

    Parameters
    ----------
    current, previous : AuditResult, dict or path-like
        Each an :class:`~szai_audit.result.AuditResult`, the dict from its ``to_dict()``, or
        the path of a JSON file written by its ``to_json(path)`` (or that JSON text). Neither
        is changed. Verdicts come from the findings; ``content_sha256`` is checked (module
        docstring, "Reading the audits").
    drift_tolerance : float, default 0.25
        Size of a value change, relative to the threshold, that counts as drift.

    Returns
    -------
    Comparison

    Raises
    ------
    InputTypeError
        An argument of the wrong kind.
    InputError
        Naming the argument and the file: a file missing, not UTF-8, not JSON (or too deep, or
        a number too large for a float), not an audit result (no ``findings``, another major
        ``schema_version``, a saved one without ``summary`` or ``content_sha256``), or edited
        (content not matching its ``content_sha256``); a negative ``drift_tolerance``.

    Examples
    --------
    >>> import pandas as pd, szai_audit as sa
    >>> from szai_audit.risk.tracking import compare
    >>> data = pd.DataFrame({"sex": ["f"] * 400 + ["m"] * 400, "region": ["a", "b"] * 400})
    >>> def audit(women_approved):
    ...     y = [1] * women_approved + [0] * (400 - women_approved) + [1] * 240 + [0] * 160
    ...     return sa.Audit(y_pred=y, data=data, sensitive={"gender": "sex"},
    ...                     explain=False).run(random_state=0)
    >>> before, after = audit(236), audit(120)
    >>> cmp = compare(after, before)
    >>> row = cmp.changes.set_index("check").loc["fairness.demographic_parity_difference"]
    >>> row["status_before"], row["status_after"], row["direction"], bool(row["drift"])
    ('PASS', 'FAIL', 'worse', True)
    >>> round(float(row["delta"]), 2)
    0.29
    >>> cmp.summary["appeared_failures"], cmp.summary["new"], cmp.summary["same_system"]
    (2, 0, True)
    """
    tolerance = _check_tolerance(drift_tolerance)
    after = _read(current, "current")
    before = _read(previous, "previous")
    now, then = _keyed(after.findings), _keyed(before.findings)
    changes, new, resolved, failures = _matched(now, then, tolerance)
    removed = _removed(now, then)
    change_frame = _frame(changes, _CHANGE_COLUMNS)
    summary = {
        "before": _side(before),
        "after": _side(after),
        "compared": len(changes),
        "new": len(new),
        "resolved": len(resolved),
        "removed": len(removed),
        "drifted": int(change_frame["drift"].sum()),
        "appeared_failures": len(failures),
        "same_system": _same_system(before.system_name, after.system_name),
        "drift_tolerance": tolerance,
    }
    return Comparison(
        changes=change_frame,
        new=_frame(new, _NEW_COLUMNS),
        resolved=_frame(resolved, _RESOLVED_COLUMNS),
        removed=_frame(removed, _NEW_COLUMNS),
        appeared_failures=_frame(failures, _FAILURE_COLUMNS),
        summary=summary,
        drift_tolerance=tolerance,
    )


_Keyed: TypeAlias = dict[tuple[Any, ...], dict[str, Any]]
_Rows: TypeAlias = list[dict[str, Any]]


def _matched(now: _Keyed, then: _Keyed, tolerance: float) -> tuple[_Rows, _Rows, _Rows, _Rows]:
    """The current findings against the previous ones: changes, new, resolved, failures."""
    changes: _Rows = []
    new: _Rows = []
    resolved: _Rows = []
    failures: _Rows = []
    for key, a in now.items():
        ident = dict(zip(_KEY, key[:3], strict=True))
        b = then.get(key)
        if b is None:
            new.append({**ident, **{k: a[k] for k in ("status", "value", "threshold")}})
            if a["status"] == "FAIL":
                failures.append(_failure(ident, None, a, "new"))
            continue
        changes.append(_change(ident, b, a, tolerance))
        if b["status"] in ("FAIL", "WARN") and a["status"] == "PASS":
            resolved.append(_resolution(ident, b, a, "now_pass"))
        if a["status"] == "FAIL" and b["status"] != "FAIL":
            failures.append(_failure(ident, b, a, "changed"))
    return changes, new, resolved, failures


def _removed(now: _Keyed, then: _Keyed) -> _Rows:
    """The previous findings absent from the current audit."""
    removed = []
    for key, b in then.items():
        if key in now:
            continue
        ident = dict(zip(_KEY, key[:3], strict=True))
        # A check that did not run this time is not resolved: it is listed as removed only.
        removed.append({**ident, **{k: b[k] for k in ("status", "value", "threshold")}})
    return removed


def _change(
    ident: dict[str, Any], b: dict[str, Any], a: dict[str, Any], tolerance: float
) -> dict[str, Any]:
    """The row of :attr:`Comparison.changes` of a finding present in both audits."""
    delta, threshold, reasons, direction = _drift(b, a, tolerance)
    return {
        **ident,
        "status_before": b["status"],
        "status_after": a["status"],
        "value_before": b["value"],
        "value_after": a["value"],
        "delta": delta,
        "threshold": threshold,
        "drift": bool(reasons),
        "direction": direction,
        "drift_reason": ";".join(reasons),
    }


def _resolution(
    ident: dict[str, Any], b: dict[str, Any], a: dict[str, Any] | None, how: str
) -> dict[str, Any]:
    return {
        **ident,
        "status_before": b["status"],
        "status_after": None if a is None else a["status"],
        "value_before": b["value"],
        "value_after": math.nan if a is None else a["value"],
        "resolution": how,
    }


def _failure(
    ident: dict[str, Any], b: dict[str, Any] | None, a: dict[str, Any], origin: str
) -> dict[str, Any]:
    return {
        **ident,
        "status_before": None if b is None else b["status"],
        "status_after": a["status"],
        "value_before": math.nan if b is None else b["value"],
        "value_after": a["value"],
        "origin": origin,
    }


def _side(audit: _Audit) -> dict[str, Any]:
    return {
        "verdict": audit.verdict,
        "status_counts": dict(audit.status_counts),
        "system_name": audit.system_name,
        "version": audit.version,
        "generated_at": audit.generated_at,
        "content_sha256": audit.content_sha256,
        "content_verified": audit.content_verified,
    }


def _same_system(before: str | None, after: str | None) -> bool:
    """Same system unless the names differ or only one audit names its system."""
    if before is None and after is None:
        return True
    return before == after


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def _drift_rule(tolerance: float) -> Message:
    tol = f"{tolerance:g}"
    return Message(
        "漂移规则：两次审计中均有的检查项，若状态变得更严重；或两次数值均有效且变化量的绝对值"
        f"大于 {tol} × max(|阈值|, 0.01)；或数值越过阈值，即视为发生漂移。"
        "方向按状态严重程度判断：状态变严重为“变差”，变轻为“改善”，否则为“状态未变”。",
        "Drift rule: a finding present in both audits drifts when its status got more severe, "
        f"or both values are finite and |change| > {tol} × max(|threshold|, 0.01), or the "
        "value moved across its threshold. Direction follows the status: more severe is "
        "worse, less severe is better, otherwise the status is unchanged.",
    )


def _fmt(x: Any) -> str:
    """A value with 3 significant digits; missing as an em dash."""
    if x is None or (isinstance(x, float) and not _finite(x)):
        return "—"
    return f"{float(x):.3g}"


def _fmt_delta(x: Any) -> str:
    """A signed change with 3 significant digits; missing as an em dash."""
    if x is None or (isinstance(x, float) and not _finite(x)):
        return "—"
    return f"{float(x):+.3g}"


def _status(value: Any) -> Status | None:
    return None if value is None else Status(value)


def _ground(ground: Any) -> Message | None:
    return None if ground is None else ground_label(str(ground))


def _row(r: Mapping[str, Any]) -> dict[str, Any]:
    """Display form of one row of a comparison frame."""
    out: dict[str, Any] = {
        "check": r["check"],
        "title": checks.title(r["check"]),
        "article": r["article"],
        "ground": _ground(r["ground"]),
    }
    for col in ("status", "status_before", "status_after"):
        if col in r:
            out[col] = _status(r[col])
    for col in ("value", "value_before", "value_after", "threshold"):
        if col in r:
            out[col] = _fmt(r[col])
    if "delta" in r:
        out["delta"] = _fmt_delta(r["delta"])
    if "direction" in r:
        out["direction"] = _DIRECTIONS[r["direction"]]
        out["direction_code"] = r["direction"]
    if "drift_reason" in r:
        reasons = [_REASONS[x] for x in str(r["drift_reason"]).split(";") if x]
        out["reasons"] = Message(
            "；".join(m.zh for m in reasons) or "—", "; ".join(m.en for m in reasons) or "—"
        )
    if "resolution" in r:
        out["resolution"] = _RESOLUTIONS[r["resolution"]]
    if "origin" in r:
        out["origin"] = _ORIGINS[r["origin"]]
    return out


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_row(r) for r in frame.astype(object).to_dict(orient="records")]


def comparison_page(comparison: Comparison, lang: str = "bilingual") -> dict[str, Any]:
    """The structure the ``_comparison.html.j2`` fragment renders, as variable ``cmp``.

    The fragment uses only ``cmp``, ``lang`` and the globals of
    :func:`szai_audit.report.environment` (``msg``, ``status_css``, ``article_label``), and
    imports ``t``, ``ti`` and ``badge`` from ``_macros.html.j2``. To include it in another
    template: ``{% with cmp = comparison_page(c, lang) %}{% include "_comparison.html.j2" %}
    {% endwith %}``.

    Parameters
    ----------
    comparison : Comparison
    lang : {"bilingual", "zh", "en"}, default "bilingual"

    Returns
    -------
    dict
        ``before`` / ``after`` (verdict label, system name, version, time), ``statuses`` (one
        row per status with both counts and the change), ``counts``, ``same_system``,
        ``drift_rule``, ``tolerance``, and display rows ``drifted``, ``new``, ``resolved``,
        ``removed``, ``appeared_failures`` (values with 3 significant digits, changes signed,
        statuses as :class:`~szai_audit.Status`, texts as Message).

    Raises
    ------
    ReportError
        Unknown ``lang``.
    InputTypeError
        ``comparison`` is not a Comparison.

    Examples
    --------
    >>> import pandas as pd, szai_audit as sa
    >>> from szai_audit.risk.tracking import compare, comparison_page
    >>> data = pd.DataFrame({"sex": ["f"] * 100 + ["m"] * 100, "region": ["a", "b"] * 100})
    >>> y = [1] * 55 + [0] * 45 + [1] * 60 + [0] * 40
    >>> r = sa.Audit(y_pred=y, data=data, sensitive={"gender": "sex"},
    ...              explain=False).run(random_state=0)
    >>> page = comparison_page(compare(r, r), "en")
    >>> page["counts"]["drifted"], page["same_system"], page["drifted"]
    (0, True, [])
    >>> page["statuses"][0]["status"].value, page["statuses"][0]["change"]
    ('FAIL', '±0')
    """
    if lang not in LANGS:
        raise ReportError(f"lang must be one of {list(LANGS)}, got {lang!r}.")
    if not isinstance(comparison, Comparison):
        raise InputTypeError(
            f"comparison must be a Comparison (from szai_audit.risk.tracking.compare), got "
            f"{type(comparison).__name__}."
        )
    s = comparison.summary
    statuses = _status_rows(s)
    counts = {
        k: s[k] for k in ("compared", "drifted", "new", "resolved", "removed", "appeared_failures")
    }
    return {
        "before": _page_side(s["before"]),
        "after": _page_side(s["after"]),
        "statuses": statuses,
        "counts": counts,
        "same_system": bool(s["same_system"]),
        "tolerance": f"{comparison.drift_tolerance:g}",
        "drift_rule": _drift_rule(comparison.drift_tolerance),
        "drifted": _rows(comparison.drifted),
        "new": _rows(comparison.new),
        "resolved": _rows(comparison.resolved),
        "removed": _rows(comparison.removed),
        "appeared_failures": _rows(comparison.appeared_failures),
    }


def _page_side(d: Mapping[str, Any]) -> dict[str, Any]:
    """Display form of one audit of the comparison (verdict, system, version, time)."""
    return {
        "verdict": d["verdict"],
        "verdict_label": VERDICT_LABELS.get(d["verdict"], Message(d["verdict"], d["verdict"])),
        "verdict_css": str(d["verdict"]).lower(),
        "system_name": d["system_name"] or "—",
        "version": d["version"] or "—",
        "generated_at": d["generated_at"] or "—",
    }


def _status_rows(s: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per status, most severe first, with both audits' counts and the change."""
    statuses = []
    for code in _SEVERITY_ORDER:
        b, a = s["before"]["status_counts"][code], s["after"]["status_counts"][code]
        statuses.append(
            {
                "status": Status(code),
                "before": b,
                "after": a,
                "change": "±0" if a == b else f"{a - b:+d}",
            }
        )
    return statuses


def _fragment(comparison: Comparison, lang: str = "bilingual") -> str:
    """The ``<section id="tracking">`` fragment alone (for notebooks or another page)."""
    page = comparison_page(comparison, lang)
    return environment().get_template("_comparison.html.j2").render(cmp=page, lang=lang)


_STANDALONE = """\
<!DOCTYPE html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="szai_audit">
<title>{{ '事后跟踪' if lang != 'en' else 'Ex-post tracking' }}\
{% if cmp.after.system_name != '—' %} · {{ cmp.after.system_name }}{% endif %}</title>
<style>
{% include "report.css" %}
.tracking-worse { color: var(--fail); font-weight: 600; }
.tracking-better { color: var(--pass); font-weight: 600; }
.tracking-alert { border-left: 6px solid var(--warn); background: var(--band); padding: 8px 12px; }
</style>
</head>
<body class="lang-{{ lang }}">
{% include "_comparison.html.j2" %}
</body>
</html>
"""


@lru_cache(maxsize=1)
def _standalone_template() -> jinja2.Template:
    return environment().from_string(_STANDALONE)


def _css_page() -> dict[str, str]:
    """What ``report.css`` reads from ``page``: the font stacks."""
    return {"font_stack": FONT_STACK, "font_stack_latin": FONT_STACK_LATIN}
