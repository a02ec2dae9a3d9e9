"""The comparison of two audits of a system (Art. 66(2) ex-post tracking): :func:`compare` lines
up their findings and applies the drift rule (in the docstring of :mod:`szai_audit.risk.tracking`);
its result is a :class:`Comparison`, with its JSON form, and its HTML form through
:mod:`.page`. Each audit is read by :func:`szai_audit.core.document.read_findings`.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import pandas as pd

from ...core.document import SEVERITY_ORDER, AuditLike, read_findings
from ...core.errors import InputError, InputTypeError
from ...core.files import json_text, signing_key, write_text
from ...core.findings import Status, jsonable, verdict_of
from ...core.metadata import MetaValue, meta_message
from .page import render_fragment, render_page
from .words import drift_rule

__all__ = ["DEFAULT_DRIFT_TOLERANCE", "MIN_SCALE", "Comparison", "compare"]

#: Default relative size of a value change that counts as drift (the drift rule:
#: :mod:`szai_audit.risk.tracking`).
DEFAULT_DRIFT_TOLERANCE = 0.25
#: Floor of the scale a value change is measured against, for thresholds near zero.
MIN_SCALE = 0.01

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


# --------------------------------------------------------------------------------------------
# Reading the two audits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Audit:
    """What the comparison needs from one audit, read from its JSON form."""

    findings: tuple[dict[str, Any], ...]
    verdict: str
    status_counts: dict[str, int]
    system_name: MetaValue | None
    version: MetaValue | None
    generated_at: str | None
    content_sha256: str | None
    content_verified: bool
    content_signed: bool


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _card(system: Mapping[str, Any], key: str) -> MetaValue | None:
    """A field of the system card as written (one text, or ``{"zh", "en"}``), None when it is
    missing or blank."""
    message = meta_message(system, key)
    if message is None:
        return None
    value = system[key]
    if isinstance(value, Mapping):
        return {"zh": message.zh, "en": message.en}
    return message.zh


def _read(obj: Any, name: str) -> _Audit:
    """Normalise an AuditResult, its dict form or a JSON path into what the comparison uses.

    The verdict and the status counts are recomputed from the findings: the document's
    ``summary`` is not read. A document carrying ``content_sha256`` is checked against it.
    The input is only read, never changed.
    """
    doc, rows, verified = read_findings(obj, name)
    counts = Counter(r["status"] for r in rows)
    status_counts = {s: counts.get(s, 0) for s in SEVERITY_ORDER}
    system = doc.get("system")
    system = system if isinstance(system, Mapping) else {}
    manifest = doc.get("manifest")
    manifest = manifest if isinstance(manifest, Mapping) else {}
    return _Audit(
        findings=tuple(rows),
        verdict=verdict_of(status_counts),
        status_counts=status_counts,
        system_name=_card(system, "system_name"),
        version=_card(system, "version"),
        generated_at=_text(manifest.get("generated_at")),
        content_sha256=_text(doc.get("content_sha256")),
        content_verified=verified,
        content_signed=verified and signing_key() is not None,  # then its signature matched
    )


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

    Built by :func:`compare`; see :mod:`szai_audit.risk.tracking` for the drift rule.

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
        findings; ``system_name`` and ``version`` as the system card gives them (a text, or
        ``{"zh", "en"}``), ``generated_at``, ``content_sha256``, and
        ``content_verified``, True when the document carried its hash and matched it (which
        rules out accidental change, not a deliberate edit whose hash was recomputed), False
        when it carried none; ``content_signed``, True when it also carried ``content_hmac``
        and it matched under the key in ``SZAI_AUDIT_KEY``, which rules out an edit by anyone
        without the key); the numbers ``compared``, ``new``,
        ``resolved``, ``removed``, ``drifted``, ``appeared_failures``; ``same_system`` (False
        when the system names differ in both languages, or only one audit names its system)
        and
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
            "drift_rule": drift_rule(self.drift_tolerance).to_dict(),
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
        text = json_text(self.to_dict(), indent=indent)
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
        text = render_page(self, lang)
        if path is not None:
            write_text(path, text)
        return text

    def _repr_html_(self) -> str:
        return render_fragment(self)

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
    when its value crossed its threshold (details in :mod:`szai_audit.risk.tracking`).

    Parameters
    ----------
    current, previous : AuditResult, dict or path-like
        Each an :class:`~szai_audit.result.AuditResult`, the dict from its ``to_dict()``, or
        the path of a JSON file written by its ``to_json(path)`` (or that JSON text). Neither
        is changed. Verdicts come from the findings; ``content_sha256`` is checked (see
        :mod:`szai_audit.core.document`).
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
        "content_signed": audit.content_signed,
    }


def _same_system(before: MetaValue | None, after: MetaValue | None) -> bool:
    """Same system unless the names differ or only one audit names its system (a name given
    per language is the same when either language's text is the same: a name written once
    for both languages and later per language still names one system)."""
    if before is None and after is None:
        return True
    if before is None or after is None:
        return False
    b, a = meta_message({"n": before}, "n"), meta_message({"n": after}, "n")
    return b is not None and a is not None and (b.zh == a.zh or b.en == a.en)
