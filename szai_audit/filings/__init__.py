"""Filings drafted from one audit: what an organisation files besides the audit report.

Four kinds, each a :class:`Filing` (parts that say which clause they answer, fields, tables),
written as HTML and JSON:

* ``"algorithm"``: algorithm filing material, the self-assessment report and the content to be
  made public (《互联网信息服务算法推荐管理规定》 Art. 16, 24; Art. 21 through the Art. 72(2)(v)
  findings);
* ``"pia"``: the personal-information protection impact assessment for automated decisions
  (PIPL Art. 55(2), 56, after GB/T 39335-2020), with its retention date;
* ``"ethics"``: the ethics-review screen against the expert re-review list, the review record
  and the next follow-up review (《科技伦理审查办法（试行）》), tied to ``compare()``;
* ``"bias_audit"``: impact-ratio tables in the format of NYC Local Law 144 bias audits and a
  section after the EU AI Act's Annex IV(2)(g) and Art. 10(2)(f), (g).

Each is drafted from the audit's JSON document, so a saved audit can be filed later:
``build_filing("pia", "audit.json")``. What only a person can write is left blank and marked
NEEDS_REVIEW; nothing is invented. See docs/filings/.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..core.document import read_audit
from ..core.errors import InputError
from ..core.files import LANGS, check_outputs, together
from ..risk.tracking import compare
from .algorithm import algorithm_filing
from .base import (
    DRAFTED,
    FIELD_KINDS,
    FILING_SCHEMA_VERSION,
    MEASURED,
    NEEDS_REVIEW,
    Field,
    Filing,
    Part,
    Table,
)
from .bias_audit import MIN_SHARE, bias_audit_filing, impact_rows
from .citations import INSTRUMENTS, SHENZHEN, Clause
from .ethics import FOLLOW_UP_MONTHS_MAX, REVIEW_LIST, check_months, ethics_filing, screen
from .facts import AuditFacts, add_months, add_years, parse_date
from .pia import RETENTION_YEARS, pia_filing

__all__ = [
    "DRAFTED",
    "FIELD_KINDS",
    "FILING_SCHEMA_VERSION",
    "FOLLOW_UP_MONTHS_MAX",
    "INSTRUMENTS",
    "KINDS",
    "MEASURED",
    "MIN_SHARE",
    "NEEDS_REVIEW",
    "OPTIONS",
    "RETENTION_YEARS",
    "REVIEW_LIST",
    "SHENZHEN",
    "Clause",
    "Field",
    "Filing",
    "Part",
    "Table",
    "add_months",
    "add_years",
    "build_filing",
    "check_kinds",
    "check_options",
    "impact_rows",
    "screen",
    "write_filings",
]

#: The kinds of filing, in the order they are written.
KINDS = ("algorithm", "pia", "ethics", "bias_audit")


def check_kinds(kinds: str | Iterable[str] | None, name: str = "kind") -> tuple[str, ...]:
    """The kinds of filing chosen, in their order, once each; None for all of :data:`KINDS`.

    >>> check_kinds(["pia", "ethics", "pia"])
    ('pia', 'ethics')
    """
    if kinds is None:
        return KINDS
    chosen = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    unknown = [k for k in chosen if k not in KINDS]
    if unknown or not chosen:
        raise InputError(f"{name} must be one of {list(KINDS)}, got {unknown or list(chosen)!r}.")
    return tuple(dict.fromkeys(chosen))


def _opinion(value: Any, name: str = "public_opinion") -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InputError(f"{name} must be True, False or None (not stated), got {value!r}.")


#: The options of :func:`build_filing` and :func:`write_filings`, by name.
OPTIONS = ("date", "previous", "follow_up_months", "public_opinion", "sex", "race_ethnicity")


def check_options(options: Mapping[str, Any], where: str = "") -> None:
    """Check filing options before any audit is read (the earlier audit is read later).

    ``where`` begins each message (``"[filings] "`` for a run configuration).

    Raises
    ------
    InputError
        An unknown option, a bad date, a follow-up interval outside 1-12 months, a
        ``public_opinion`` that is not true or false, or a ground that is not text.

    Examples
    --------
    >>> check_options({"date": "2026-12-04", "follow_up_months": 6})
    >>> check_options({"follow_up_months": 13}, "[filings] ")
    Traceback (most recent call last):
    ...
    szai_audit.errors.InputError: [filings] follow_up_months must be a whole number ...
    """
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InputError(f"{where}unknown filing options {unknown}; known: {list(OPTIONS)}.")
    if options.get("date") is not None:
        parse_date(options["date"], f"{where}date")
    if "follow_up_months" in options:
        check_months(options["follow_up_months"], f"{where}follow_up_months")
    _opinion(options.get("public_opinion"), f"{where}public_opinion")
    for key in ("sex", "race_ethnicity"):
        value = options.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{where}{key} must name one of the audit's grounds, got {value!r}.")


def build_filing(
    kind: str,
    audit: Any,
    *,
    date: str | _dt.date | None = None,
    previous: Any = None,
    follow_up_months: int = FOLLOW_UP_MONTHS_MAX,
    public_opinion: bool | None = None,
    sex: str | None = None,
    race_ethnicity: str | None = None,
) -> Filing:
    """Draft one filing from an audit.

    Parameters
    ----------
    kind : {"algorithm", "pia", "ethics", "bias_audit"}
    audit : AuditResult, dict or path
        The audit: a result, its ``to_dict()``, or the JSON file it saved (checked: a saved
        result must be complete and match its hash, and its signature with ``SZAI_AUDIT_KEY``
        set, see :func:`szai_audit.core.document.read_audit`).
    date : date or ISO text, optional
        The filing's date; by default the day the audit ran. The PIA's retention date and the
        ethics record's next follow-up review are counted from it.
    previous : AuditResult, dict or path, optional
        ``"ethics"``: the audit of the last review; the record then says whether this follow-up
        is on time and what :func:`~szai_audit.risk.tracking.compare` found since.
    follow_up_months : int, default 12
        ``"ethics"``: months to the next follow-up review, 1 to 12.
    public_opinion : bool, optional
        ``"ethics"``: whether the system can mobilise public opinion or steer social awareness
        (an item of the expert re-review list); None leaves it to the committee.
    sex, race_ethnicity : str, optional
        ``"bias_audit"``: the grounds standing for sex and for race/ethnicity; by default the
        ground named ``sex`` or ``gender``, and ``race_ethnicity``, ``race`` or ``ethnicity``.

    Returns
    -------
    Filing

    Raises
    ------
    InputError
        An unknown kind, a bad date or option, or an audit that cannot be read.

    Examples
    --------
    >>> from szai_audit.demos import demo_result
    >>> pia = build_filing("pia", demo_result().to_dict(), date="2026-12-04")
    >>> pia.to_dict()["retain_until"]
    '2029-12-04'
    >>> [p.key for p in pia.parts][:3]
    ['necessity', 'preparation', 'data_mapping']
    """
    (kind,) = check_kinds(kind)
    facts = AuditFacts(read_audit(audit, "audit"))
    day = facts.date if date is None else parse_date(date, "date")
    months = check_months(follow_up_months)
    if kind == "algorithm":
        return algorithm_filing(facts, day.isoformat())
    if kind == "pia":
        return pia_filing(facts, day)
    if kind == "ethics":
        comparison = None if previous is None else compare(facts.doc, previous)
        return ethics_filing(
            facts,
            day,
            public_opinion=_opinion(public_opinion),
            months=months,
            comparison=comparison,
        )
    return bias_audit_filing(facts, day.isoformat(), sex=sex, race_ethnicity=race_ethnicity)


def write_filings(
    audit: Any,
    out: str | os.PathLike[str],
    *,
    kinds: str | Iterable[str] | None = None,
    lang: str = "bilingual",
    **options: Any,
) -> dict[str, tuple[Path, Path]]:
    """Draft filings from an audit and write each as ``filing-<kind>.html`` and ``.json`` in
    the folder ``out`` (created if missing).

    ``options`` are those of :func:`build_filing`. Nothing is written over the audit or the
    earlier audit read; the files are replaced together once all are written, or none
    (:func:`szai_audit.core.files.together`). Returns ``{kind: (html_path, json_path)}``.
    """
    if lang not in LANGS:
        raise InputError(f"lang must be one of {list(LANGS)}, got {lang!r}.")
    chosen = check_kinds(kinds)
    check_options(options)
    folder = Path(out)
    paths = {k: (folder / f"filing-{k}.html", folder / f"filing-{k}.json") for k in chosen}
    inputs = {
        name: path
        for name, path in (("the audit", audit), ("the earlier audit", options.get("previous")))
        if isinstance(path, (str, os.PathLike)) and not str(path).lstrip().startswith("{")
    }
    check_outputs({str(p): p for pair in paths.values() for p in pair}, inputs)
    doc = read_audit(audit, "audit")
    filings = {kind: build_filing(kind, doc, **options) for kind in chosen}  # all, then write
    with together():  # every file replaced at the end, or none
        for kind, (html, js) in paths.items():
            filings[kind].to_html(html, lang=lang)
            filings[kind].to_json(js)
    return paths
