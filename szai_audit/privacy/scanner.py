"""Art. 33(2): personal data provided to others must be de-identified.

:func:`scan` looks at a frame that is about to be provided to others (or used internally) and
reports three things:

* **Direct identifiers**, found by content and by column name. By content: 18-digit PRC
  resident identity numbers (GB 11643-1999, with a valid region digit, birth date and ISO 7064
  MOD 11-2 check character) and their legacy 15-digit form, mainland mobile numbers, email
  addresses, bank card numbers (16-19 digits passing the Luhn check), IPv4/IPv6 addresses and
  mainland licence plates. By name: Chinese and English column names such as ``姓名``,
  ``手机号``, ``id_number`` or ``email``.
* **k-anonymity** over the quasi-identifiers the caller names (age, postcode, dates...): the
  smallest number of records sharing one combination of their values, the share of records
  that are unique, and generalisations that would raise k, each measured on the data.
* **l-diversity** of the sensitive columns within those combinations.

Content rule: a column is checked by content when its values are text (object, string or
categorical dtype; every detector), integers, or floats holding whole numbers (then only the
numeric detectors: resident identity numbers, mobile numbers and bank cards, by their decimal
string). Missing values and blank strings are left out; ``share`` is the share of the remaining
values that match. A column is a **content hit** when ``share >= 0.5`` (:data:`HIT_SHARE`), or
for resident identity numbers and email addresses (:data:`STRONG_DETECTORS`) when any value
matches; columns with a smaller non-zero share are listed too, as ``hit=False``, and make the
finding a WARN (some values look like identifiers). For the detectors with a check digit
(bank cards, resident identity numbers) the matches count only when they are more than chance
would give: a random 18-digit order number has an issuer prefix and passes the Luhn check
about 1.4% of the time, a random 15-digit number reads as a legacy identity number 3.7% of the
time; the one-sided binomial test of ``H0: the column's distinct values of that form pass with
the chance rate`` must have p < 0.001 (:func:`~szai_audit.privacy.detectors.beyond_chance`),
else the column is not listed for that detector. A column whose *name*
suggests personal information is a **name hit** (``by="name"``) unless its content is a hit
for the same detector; its ``share`` is still the content share when that detector checks
content and applies to the column's type (``telephone`` holding "yes"/"none": 0.0), NaN
otherwise (``姓名``: there is no content check for names). Only content hits fail Art. 33(2)
for data meant for others; a name hit asks a person to check the column (WARN).

Details of the content rules: surrounding blanks are ignored; mobile numbers and bank cards
may contain blanks and dashes; a bank card starts with 1-9; an 18-digit number that is a valid
resident identity number counts as that and not as a bank card; licence plates may carry a
separator (``京A·12345``) after the letter.

Nothing the scan returns holds a raw value: examples are masked (``4403**********123X``,
``138****5678``, ``z***@example.com``, ``6222 **** **** 1234``, ``192.168.*.*``,
``粤B****5``), suggestions only name widths and digit counts.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.catalog import say
from ..core.errors import ColumnNotFoundError, InputError, InputTypeError
from ..core.findings import Finding, Status, jsonable
from ..core.messages import Message, fmt_pct, listing
from ..core.policy import Policy
from . import words as w
from .checks import ARTICLE, DIRECT_IDENTIFIERS, K_ANONYMITY, L_DIVERSITY, NOT_SCANNED
from .columns import scan_column
from .detectors import DETECTORS, HIT_SHARE
from .quasi import QuasiIdentifiers, measure_quasi_identifiers

#: Columns named in a findings table's value cell (the message names every one).
SHOWN_COLUMNS = 2

_TABLE_COLUMNS = [
    "column",
    "detector",
    "by",
    "share",
    "n_checked",
    "hit",
    "name_match",
    "masked_examples",
]


def _hit_text(row: Mapping[str, Any], name: Message) -> Message:
    """One listed column (``name``, its display name) and what was found in it."""
    label = DETECTORS[row["detector"]]
    if row["by"] == "content":
        return say(
            "privacy.hit_text.values", name=name, row_share=fmt_pct(row["share"]), label=label
        )
    share = row["share"]
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return say("privacy.hit_text.name_suggests", name=name, label=label)
    return say(
        "privacy.hit_text.name_suggests_values_match", name=name, label=label, share=fmt_pct(share)
    )


def _join(messages: Sequence[Message]) -> Message:
    return Message("；".join(m.zh for m in messages), "; ".join(m.en for m in messages))


@dataclass(frozen=True)
class PrivacyScan:
    """What :func:`scan` found, and its Art. 33(2) findings.

    Attributes
    ----------
    identifiers : DataFrame
        One row per (column, detector): ``column``, ``detector`` (a key of
        :data:`DETECTORS`), ``by`` (``"content"`` or ``"name"``), ``share`` (share of the
        column's non-missing values matching the detector; NaN for a name hit whose
        detector has no content check or whose column is not checked by content),
        ``n_checked`` (non-missing values checked), ``hit`` (a content hit, ``share >=``
        :data:`HIT_SHARE`, or a name hit), ``name_match`` (the column name points to this
        detector) and ``masked_examples`` (at most two masked values). Rows with ``hit``
        False are content matches below :data:`HIT_SHARE`, listed for information.
    quasi : QuasiIdentifiers or None
        k-anonymity and l-diversity, ``None`` without ``quasi_identifiers``.
    external : bool
        Whether the data are meant to be provided to others.
    n_rows : int
        Rows of the frame.
    n_scanned : int
        Rows checked by content (a random sample when ``max_rows`` is smaller than
        ``n_rows``; k and l always use every row).
    k_required, l_required : int
        The ``k`` and ``l`` asked for.
    sensitive : tuple of str
        The sensitive columns given.
    labels : dict of str to Message
        Display names of the columns (from ``labels`` given to :func:`scan`); the messages
        name a column by its display name, or by its name in quotes when it has none.
    """

    identifiers: pd.DataFrame
    quasi: QuasiIdentifiers | None
    external: bool
    n_rows: int
    n_scanned: int
    k_required: int
    l_required: int
    sensitive: tuple[str, ...] = ()
    labels: Mapping[str, Message] = field(default_factory=dict)

    def name(self, column: str) -> Message:
        """The display name of ``column``, or its name in quotes."""
        return self.labels.get(column) or w.column_label(column, None)

    def names(self, columns: Sequence[str]) -> Message:
        """The display names of ``columns``, listed."""
        return listing([self.name(c) for c in columns])

    def findings(self, policy: Policy | None = None) -> list[Finding]:
        """Art. 33(2) findings: direct identifiers, k-anonymity and l-diversity.

        ``privacy.direct_identifiers``: FAIL when a column is a content hit and the data are
        meant for others (``external=True``); WARN when there are content hits in data kept
        internal, or only name hits (a person should check those columns); PASS otherwise.
        ``privacy.k_anonymity``: FAIL when k is below the requirement and the data are for
        others, WARN when below but internal, PASS when reached, NOT_ASSESSED without
        quasi-identifiers, INSUFFICIENT_DATA without rows. ``privacy.l_diversity``: the same
        with l, NOT_ASSESSED without sensitive columns.

        Parameters
        ----------
        policy : Policy or None
            Its ``k_anonymity`` is the required k; without one, the ``k`` given to
            :func:`scan`.
        """
        k = self.k_required if policy is None else int(policy.k_anonymity)
        return [self._direct(), self._k_finding(k), self._l_finding()]

    def _sample_note(self) -> Message:
        if self.n_scanned >= self.n_rows:
            return Message("", "")
        return say(
            "privacy.sample_note.content_checked_random_sample",
            n_scanned=self.n_scanned,
            n_rows=self.n_rows,
        )

    def _direct(self) -> Finding:
        table = self.identifiers
        rows = [{k: jsonable(v) for k, v in r.items()} for r in table.to_dict(orient="records")]
        content = [r for r in rows if r["hit"] and r["by"] == "content"]
        by_name = [r for r in rows if r["hit"] and r["by"] == "name"]
        partial = [r for r in rows if not r["hit"] and (r["share"] or 0) > 0]
        shares = [r["share"] for r in content + by_name if r["share"] is not None]
        value = max(shares) if shares else None
        details = {
            "identifiers": rows,
            "external": self.external,
            "hit_share": HIT_SHARE,
            "n_rows": self.n_rows,
            "n_scanned": self.n_scanned,
        }
        note = self._sample_note()
        parts: list[Message] = []
        if content:
            parts.append(_content_hits(self._listed(content), note, self.external))
        parts.extend(_review_parts(self._listed(by_name), self._listed(partial)))
        status, closing = _direct_status(content, partial, by_name, self.external, note)
        parts.extend(closing)
        if not content and (by_name or partial):
            # The value (a share of matching values) is not what the warning is about: the
            # columns are, and the report's value column shows them (DIRECT_IDENTIFIERS.shown).
            details["shown"] = self._shown(by_name, partial).to_dict()
        message = Message("".join(p.zh for p in parts), " ".join(p.en for p in parts))
        return Finding(
            check=DIRECT_IDENTIFIERS.id,
            article=ARTICLE,
            status=status,
            message=message,
            value=value,
            threshold=HIT_SHARE,
            details=details,
        )

    def _shown(self, by_name: list[dict[str, Any]], partial: list[dict[str, Any]]) -> Message:
        """The columns a warning without a content hit is about, for the value column."""
        parts = []
        named = list(dict.fromkeys(str(r["column"]) for r in by_name))
        some = list(dict.fromkeys(str(r["column"]) for r in partial))
        if named:
            parts.append(say("privacy.shown.by_name", names=self._few(named)))
        if some:
            parts.append(say("privacy.shown.some_values", names=self._few(some)))
        return listing(parts, "；", "; ")

    def _few(self, columns: list[str]) -> Message:
        """Display names of ``columns`` for a table cell: the first :data:`SHOWN_COLUMNS`, and
        how many more (the finding's message lists them all)."""
        if len(columns) <= SHOWN_COLUMNS:
            return self.names(columns)
        shown = [self.name(c) for c in columns[:SHOWN_COLUMNS]]  # "a, b and 2 more"
        first = Message("、".join(m.zh for m in shown), ", ".join(m.en for m in shown))
        return say("privacy.shown.and_more", names=first, n=len(columns) - SHOWN_COLUMNS)

    def _listed(self, rows: list[dict[str, Any]]) -> Message:
        return _join([_hit_text(r, self.name(str(r["column"]))) for r in rows])

    def _k_finding(self, k: int) -> Finding:
        check = K_ANONYMITY.id
        q = self.quasi
        if q is None:
            return _k_not_assessed(k, self.external)
        cols = self.names(list(q.columns))
        below = q.share_below(k)
        details: dict[str, Any] = {
            **q.to_dict(),
            "k_required": k,
            "share_below_k": below,
            "external": self.external,
        }
        if k != q.k_required:
            details["suggestions_for_k"] = q.k_required
        if self.n_rows == 0:
            return Finding(
                check=check,
                article=ARTICLE,
                status=Status.INSUFFICIENT_DATA,
                message=say("privacy.k_finding.data_have_no_rows"),
                threshold=k,
                details=details,
            )
        measured = say(
            "privacy.k_finding.combination_k_anonymity_at",
            cols=cols,
            k_anonymity=q.k_anonymity,
            k=k,
        )
        if q.k_anonymity >= k:
            status = Status.PASS
            message = say(
                "privacy.k_finding.every_combination_shared_by",
                measured=measured,
                k=k,
                n_classes=q.n_classes,
            )
        else:
            status = Status.FAIL if self.external else Status.WARN
            message = _k_below(q, k, measured, below, self.external)
            if k == q.k_required and q.suggestions:
                message = message.join(_tips(q.suggestions[:2]))
        return Finding(
            check=check,
            article=ARTICLE,
            status=status,
            message=message,
            value=q.k_anonymity,
            threshold=k,
            details=details,
        )

    def _l_finding(self) -> Finding:
        check = L_DIVERSITY.id
        q = self.quasi
        l_req = self.l_required
        if not self.sensitive or q is None:
            why = (
                say("privacy.l_finding.no_sensitive_columns_were")
                if not self.sensitive
                else say("privacy.l_finding.l_diversity_measured_within")
            )
            return Finding(
                check=check,
                article=ARTICLE,
                status=Status.NOT_ASSESSED,
                message=why,
                threshold=l_req,
                details={"sensitive": list(self.sensitive), "external": self.external},
            )
        details = {**q.to_dict(), "external": self.external}
        if self.n_rows == 0 or q.l_diversity is None:
            return Finding(
                check=check,
                article=ARTICLE,
                status=Status.INSUFFICIENT_DATA,
                message=say("privacy.l_finding.data_have_no_rows"),
                threshold=l_req,
                details=details,
            )
        cols, sens = self.names(list(q.columns)), self.names(list(q.sensitive))
        measured = say(
            "privacy.l_finding.within_combinations_sensitive_column",
            cols=cols,
            sens=sens,
            l_diversity=q.l_diversity,
            l_req=l_req,
        )
        if q.l_diversity >= l_req:
            status = Status.PASS
            message = say("privacy.l_finding.text", measured=measured)
        else:
            status = Status.FAIL if self.external else Status.WARN
            share = fmt_pct(q.share_below_l)
            zh = f"{measured.zh}：{share} 的记录所在组合的敏感取值少于 {l_req:,} 种，可被推断。"
            en = (
                f"{measured.en}: {share} of records are in combinations with fewer than "
                f"{l_req:,} distinct sensitive values, so their sensitive value can be inferred."
            )
            if self.external:
                zh += "向他人提供前须进一步泛化准标识符或删除这些记录（第三十三条第二款）。"
                en += (
                    " Generalise the quasi-identifiers further or remove these records "
                    "before providing the data to others (Art. 33(2))."
                )
            else:
                zh += "数据仅供内部使用；向他人提供前须先处理。"
                en += " The data are for internal use; fix this before providing them to others."
            message = Message(zh, en)
        return Finding(
            check=check,
            article=ARTICLE,
            status=status,
            message=message,
            value=q.l_diversity,
            threshold=l_req,
            details=details,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: the table as records (NaN -> None), quasi, findings."""
        rows = [
            {k: jsonable(v) for k, v in r.items()}
            for r in self.identifiers.to_dict(orient="records")
        ]
        return {
            "article": "33",
            "external": self.external,
            "n_rows": self.n_rows,
            "n_scanned": self.n_scanned,
            "hit_share": HIT_SHARE,
            "k_required": self.k_required,
            "l_required": self.l_required,
            "sensitive": list(self.sensitive),
            "identifiers": rows,
            "quasi": None if self.quasi is None else self.quasi.to_dict(),
            "findings": [f.to_dict() for f in self.findings()],
        }


def _content_hits(listed: Message, note: Message, external: bool) -> Message:
    """The part of the message on the content hits (for others, or kept internal)."""
    if external:
        return say("privacy.content_hits.data_meant_be_provided", listed=listed, note=note)
    return say("privacy.content_hits.data_contain_direct_identifiers", listed=listed, note=note)


def _review_parts(by_name: Message, partial: Message) -> list[Message]:
    """The parts of the message on the columns a person should check (names, partial shares;
    each listed, empty when there is none)."""
    parts = []
    for found, lead in (
        (
            by_name,
            say("privacy.review_parts.column_names_suggest_personal"),
        ),
        (
            partial,
            say("privacy.review_parts.some_values_have_form"),
        ),
    ):
        if found.zh:
            parts.append(say("privacy.review_parts.text", lead=lead, found=found))
    return parts


def _direct_status(
    content: list[dict[str, Any]],
    partial: list[dict[str, Any]],
    by_name: list[dict[str, Any]],
    external: bool,
    note: Message,
) -> tuple[Status, list[Message]]:
    """The status of the direct-identifier finding, and the closing part of its message."""
    if content:
        return (Status.FAIL if external else Status.WARN), []
    if partial:
        return Status.WARN, []
    if by_name:
        return Status.WARN, [say("privacy.direct_status.no_direct_identifier_was", note=note)]
    return Status.PASS, [
        say(
            "privacy.direct_status.no_direct_identifiers_found",
            hit_share=fmt_pct(HIT_SHARE, 0),
            note=note,
        )
    ]


def _k_not_assessed(k: int, external: bool) -> Finding:
    """k-anonymity not assessed: no quasi-identifiers were given."""
    return Finding(
        check=K_ANONYMITY.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=say("privacy.k_not_assessed.no_quasi_identifiers_were"),
        threshold=k,
        details={"external": external},
    )


def _k_below(
    q: QuasiIdentifiers, k: int, measured: Message, below: float, external: bool
) -> Message:
    """The k-anonymity message when k is below the requirement, with up to two suggestions."""
    zh = (
        f"{measured.zh}：{fmt_pct(q.share_unique)} 的记录的组合在数据中独一无二，"
        f"{fmt_pct(below)} 的记录所在组合的记录数少于 {k:,}。"
    )
    en = (
        f"{measured.en}: {fmt_pct(q.share_unique)} of records have a unique "
        f"combination and {fmt_pct(below)} are in combinations held by fewer than {k:,} "
        f"records."
    )
    if external:
        zh += "向他人提供前须泛化这些列或删除这些记录（第三十三条第二款）。"
        en += (
            " Generalise these columns or remove these records before providing the data to "
            "others (Art. 33(2))."
        )
    else:
        zh += "数据仅供内部使用；向他人提供前须先泛化这些列或删除这些记录。"
        en += (
            " The data are for internal use; generalise these columns or remove these records "
            "before providing them to others."
        )
    return Message(zh, en)


def _tips(suggestions: list[dict[str, Any]]) -> Message:
    """Up to two generalisations, after the k-anonymity message."""
    return Message(
        "建议：" + "".join(str(s["zh"]) for s in suggestions),
        "Suggestions: " + " ".join(str(s["en"]) for s in suggestions),
    )


def _column_list(df: pd.DataFrame, name: str, value: Any) -> list[Hashable]:
    if value is None:
        return []
    items = (
        [value]
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable)
        else list(value)
    )
    available = [str(c) for c in df.columns]
    out: list[Hashable] = []
    for c in items:
        if c not in df.columns:
            close = difflib.get_close_matches(str(c), available, n=3)
            hint = f" Did you mean {close}?" if close else ""
            raise ColumnNotFoundError(
                f"{name} names the column {c!r}, which is not in df.{hint} "
                f"Available: {available[:20]}."
            )
        if int((df.columns == c).sum()) > 1:
            raise InputError(f"{name} names the column {c!r}, which appears more than once in df.")
        if c not in out:
            out.append(c)
    return out


def _check_int(name: str, value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{name} must be an integer >= 1 ({what}), got {value!r}.")
    return int(value)


def scan(
    df: pd.DataFrame,
    quasi_identifiers: str | Sequence[Hashable] | None = None,
    sensitive: str | Sequence[Hashable] | None = None,
    *,
    k: int = 5,
    l: int = 2,  # noqa: E741 - the l of l-diversity
    external: bool = True,
    max_rows: int | None = None,
    random_state: int | None = 0,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> PrivacyScan:
    """Scan a frame for direct identifiers, and measure k-anonymity and l-diversity.

    Parameters
    ----------
    df : DataFrame
        The data (not modified).
    quasi_identifiers : str, list of column names or None
        Columns that could single out a person in combination (age, sex, postcode, dates).
        Without them, k-anonymity and l-diversity are NOT_ASSESSED.
    sensitive : str, list of column names or None
        Sensitive columns (diagnosis, income band) for l-diversity.
    k : int, default 5
        Smallest acceptable class size (a ``Policy`` given to :meth:`PrivacyScan.findings`
        overrides it with ``policy.k_anonymity``).
    l : int, default 2
        Smallest acceptable number of distinct sensitive values in a class.
    external : bool, default True
        The data are meant to be provided to others (Art. 33(2) applies: FAIL rather than
        WARN).
    max_rows : int or None
        Check the content of at most this many rows (a random sample); k and l use all rows.
    random_state : int or None, default 0
        Seed of that sample.
    labels : mapping or None
        Display names, ``{column: (zh, en[, unit])}``, used in the findings' sentences.

    Returns
    -------
    PrivacyScan

    Raises
    ------
    InputTypeError
        ``df`` is not a DataFrame.
    ColumnNotFoundError
        A quasi-identifier or sensitive column is not in ``df``.
    InputError
        ``k``, ``l`` or ``max_rows`` is not a positive integer, or a column is both a
        quasi-identifier and sensitive.

    Examples
    --------
    >>> import pandas as pd
    >>> from szai_audit import privacy
    >>> df = pd.DataFrame({
    ...     "phone": ["13812345678", "13987654321", "15011112222", "18600001111"],
    ...     "age": [31, 34, 52, 58],
    ...     "diagnosis": ["flu", "flu", "asthma", "flu"],
    ... })
    >>> s = privacy.scan(df, quasi_identifiers=["age"], sensitive="diagnosis", k=2)
    >>> s.identifiers[["column", "detector", "by", "share"]]
      column detector       by  share
    0  phone   mobile  content    1.0
    >>> s.identifiers["masked_examples"][0]
    ['138****5678', '139****4321']
    >>> s.quasi.k_anonymity, s.quasi.share_unique
    (1, 1.0)
    >>> s.quasi.suggestions[0]["action"], s.quasi.suggestions[0]["parameter"]
    ('band', 10.0)
    >>> [(f.check, f.status.value) for f in s.findings()]
    [('privacy.direct_identifiers', 'FAIL'), ('privacy.k_anonymity', 'FAIL'),
     ('privacy.l_diversity', 'FAIL')]
    """
    k, l, max_rows = _check_arguments(df, k, l, max_rows)  # noqa: E741
    quasi, sens = _quasi_and_sensitive(df, quasi_identifiers, sensitive)
    sample = _content_sample(df, max_rows, random_state)
    return _scanned(df, sample, quasi, sens, (k, l), external, labels)


def _check_arguments(
    df: Any, k: Any, l_required: Any, max_rows: Any
) -> tuple[int, int, int | None]:
    """``k``, ``l`` and ``max_rows``, checked after ``df`` (which must be a DataFrame)."""
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(f"df must be a pandas DataFrame, got {type(df).__name__}.")
    k = _check_int("k", k, "the smallest acceptable equivalence-class size")
    l_required = _check_int(
        "l", l_required, "the smallest acceptable number of distinct sensitive values"
    )
    if max_rows is not None:
        max_rows = _check_int("max_rows", max_rows, "rows checked by content, or None for all")
    return k, l_required, max_rows


def _quasi_and_sensitive(
    df: pd.DataFrame,
    quasi_identifiers: str | Sequence[Hashable] | None,
    sensitive: str | Sequence[Hashable] | None,
) -> tuple[list[Hashable], list[Hashable]]:
    """The quasi-identifier and sensitive columns, checked (none may be both)."""
    quasi = _column_list(df, "quasi_identifiers", quasi_identifiers)
    sens = _column_list(df, "sensitive", sensitive)
    both = [c for c in sens if c in quasi]
    if both:
        raise InputError(
            f"{both} are both quasi_identifiers and sensitive; a column is one or the other."
        )
    return quasi, sens


def _content_sample(
    df: pd.DataFrame, max_rows: int | None, random_state: int | None
) -> pd.DataFrame:
    """The rows checked by content: all, or a random sample of ``max_rows``."""
    n = len(df)
    sample = df
    if max_rows is not None and n > max_rows:
        rows = np.sort(np.random.default_rng(random_state).choice(n, max_rows, replace=False))
        sample = df.iloc[rows]
    return sample


def _scanned(
    df: pd.DataFrame,
    sample: pd.DataFrame,
    quasi: list[Hashable],
    sens: list[Hashable],
    required: tuple[int, int],
    external: bool,
    labels: Mapping[str, Sequence[str]] | None,
) -> PrivacyScan:
    """The scan: every column of ``sample`` by content and name, k and l (``required``) on
    every row; ``labels`` the display names of the columns."""
    k, l_required = required
    names = w.column_labels([str(c) for c in df.columns], labels)
    table_rows: list[dict[str, Any]] = []
    for j in range(df.shape[1]):
        table_rows.extend(scan_column(sample.iloc[:, j], str(df.columns[j])))
    table = pd.DataFrame(table_rows, columns=_TABLE_COLUMNS)
    table = table.astype({"share": float, "n_checked": np.int64, "hit": bool, "name_match": bool})
    return PrivacyScan(
        identifiers=table,
        quasi=measure_quasi_identifiers(df, quasi, sens, k, l_required, names) if quasi else None,
        external=bool(external),
        n_rows=len(df),
        n_scanned=len(sample),
        k_required=k,
        l_required=l_required,
        sensitive=tuple(str(c) for c in sens),
        labels=names,
    )


def not_scanned() -> Finding:
    """Art. 33(2) not assessed: no de-identification scan was asked for."""
    return Finding(
        check=NOT_SCANNED.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=w.NOT_SCANNED,
    )
