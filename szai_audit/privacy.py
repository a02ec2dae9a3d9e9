"""Article 33: personal data provided to others must be de-identified.

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
finding a WARN (some values look like identifiers). A column whose *name*
suggests personal information is a **name hit** (``by="name"``) unless its content is a hit
for the same detector; its ``share`` is still the content share when that detector checks
content and applies to the column's type (``telephone`` holding "yes"/"none": 0.0), NaN
otherwise (``姓名``: there is no content check for names). Only content hits fail Article 33
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

import datetime as _dt
import difflib
import ipaddress
import math
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import ColumnNotFoundError, InputError, InputTypeError
from .findings import Finding, Status, _clean
from .narrative import Message, fmt_pct

if TYPE_CHECKING:
    from .policy import Policy

__all__ = [
    "CONTENT_DETECTORS",
    "DETECTORS",
    "HIT_SHARE",
    "PrivacyScan",
    "QuasiIdentifiers",
    "detect_name",
    "mask",
    "match",
    "scan",
]

#: Share of a column's non-missing values that must match a detector for a content hit.
HIT_SHARE = 0.5

#: Detectors so specific that a single match is a content hit (a resident identity number
#: passes a region code, a real birth date and a check digit; an email address its pattern).
STRONG_DETECTORS = ("resident_id", "email")

#: Every detector, with its display name.
DETECTORS: dict[str, Message] = {
    "resident_id": Message("居民身份证号码", "resident identity number"),
    "mobile": Message("手机号码", "mobile phone number"),
    "email": Message("电子邮箱", "email address"),
    "bank_card": Message("银行卡号", "bank card number"),
    "ip_address": Message("IP 地址", "IP address"),
    "licence_plate": Message("车牌号码", "licence plate"),
    "name_column": Message("姓名", "personal name"),
    "address": Message("住址", "address"),
}

#: Detectors that check values (the others only look at column names).
CONTENT_DETECTORS: tuple[str, ...] = (
    "resident_id",
    "mobile",
    "email",
    "bank_card",
    "ip_address",
    "licence_plate",
)

#: Detectors applied to integer columns (by their decimal string).
_NUMERIC_DETECTORS: tuple[str, ...] = ("resident_id", "mobile", "bank_card")

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

# --------------------------------------------------------------------------------------------
# Content detectors. Each takes the distinct stripped, non-empty strings of a column (a
# _Text) and returns a boolean numpy array. A cheap vectorised pre-filter on length and first
# character picks the candidates; only those go through the regular expression, and check
# digits are computed with numpy. Digits are written [0-9]: Python's \d also matches
# full-width and other Unicode digits.
# --------------------------------------------------------------------------------------------

# GB 11643-1999: weight of position i (0-based, left to right) is 2**(17 - i) mod 11.
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)

_ID18 = re.compile(r"[1-8][0-9]{16}[0-9Xx]")
_ID15 = re.compile(r"[1-8][0-9]{14}")
_SEPARATORS = r"[\s\-]"
_DROP_SEPARATORS = {ord(c): None for c in " \t\n\r\f\v\u00a0\u3000-"}
_MOBILE = re.compile(r"(?:\+?86|0086)?1[3-9][0-9]{9}")
_CARD = re.compile(r"[1-9][0-9]{15,18}")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_IPV6_SHAPE = re.compile(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_SEPARATORS = r"[·•\s\-]"
_PLATE = re.compile(rf"[{_PROVINCES}][A-Z]{_PLATE_SEPARATORS}?[A-Z0-9]{{5,6}}")


#: Strings to check: a list, or a numpy object array of str.
_Strings = Sequence[str] | np.ndarray


def _codes_of(chars: str) -> np.ndarray:
    return np.array([ord(c) for c in chars], dtype=np.int64)


_DIGIT_CODES = _codes_of("0123456789")
_PHONE_START = _codes_of("+0123456789")
_PROVINCE_CODES = _codes_of(_PROVINCES)


@dataclass(frozen=True)
class _Text:
    """Distinct non-empty strings, with their lengths and first characters for pre-filters."""

    values: np.ndarray
    lengths: np.ndarray
    first: np.ndarray

    @classmethod
    def of(cls, values: _Strings) -> _Text:
        arr = np.asarray(values, dtype=object).reshape(-1)
        n = len(arr)
        lengths = np.fromiter(map(len, arr), dtype=np.int64, count=n)
        first = np.fromiter((ord(v[0]) for v in arr), dtype=np.int64, count=n)
        return cls(arr, lengths, first)

    def starts(self, codes: np.ndarray) -> np.ndarray:
        return np.isin(self.first, codes)

    def sized(self, low: int, high: int) -> np.ndarray:
        return (self.lengths >= low) & (self.lengths <= high)


def _fullmatch(pattern: re.Pattern[str], values: _Strings) -> np.ndarray:
    """``Series.str.fullmatch`` on strings known not to be missing, without its overhead."""
    return np.fromiter(
        (pattern.fullmatch(v) is not None for v in values), dtype=bool, count=len(values)
    )


def _digits(values: _Strings, width: int) -> np.ndarray:
    """ASCII strings of one length as an (n, width) uint8 array of their bytes."""
    joined = "".join(values).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(-1, width)


def _valid_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Calendar dates between 1900-01-01 and today (vectorised, leap years included)."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
    ymd = year * 10_000 + month * 100 + day
    today = _dt.date.today()
    return ok & (ymd >= 19_000_101) & (ymd <= today.year * 10_000 + today.month * 100 + today.day)


def _as_number(raw: np.ndarray) -> np.ndarray:
    """Columns of ASCII digits (uint8) -> the integer they spell, row by row."""
    digits = raw.astype(np.int64) - 48
    out = np.zeros(len(digits), dtype=np.int64)
    for j in range(digits.shape[1]):
        out = out * 10 + digits[:, j]
    return out


def _resident_id(t: _Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    start = t.starts(_DIGIT_CODES)
    for width, pattern in ((18, _ID18), (15, _ID15)):
        rows = np.flatnonzero(start & (t.lengths == width))
        if len(rows) == 0:
            continue
        rows = rows[_fullmatch(pattern, t.values[rows])]
        if len(rows) == 0:
            continue
        raw = _digits([v.upper() for v in t.values[rows]], width)
        if width == 18:
            total = (raw[:, :17].astype(np.int64) - 48) @ _ID_WEIGHTS
            ok = _ID_CHECK[total % 11] == raw[:, 17]
            ok &= _valid_dates(
                _as_number(raw[:, 6:10]), _as_number(raw[:, 10:12]), _as_number(raw[:, 12:14])
            )
        else:
            ok = _valid_dates(
                1900 + _as_number(raw[:, 6:8]),
                _as_number(raw[:, 8:10]),
                _as_number(raw[:, 10:12]),
            )
        out[rows[ok]] = True
    return out


def _compact(values: _Strings) -> list[str]:
    """Strings without blanks and dashes."""
    return [v.translate(_DROP_SEPARATORS) for v in values]


def _mobile(t: _Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.starts(_PHONE_START) & t.sized(11, 24))
    if len(rows):
        out[rows] = _fullmatch(_MOBILE, _compact(t.values[rows]))
    return out


def _email(t: _Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.sized(6, 320))
    if len(rows):
        rows = rows[np.fromiter(("@" in v for v in t.values[rows]), dtype=bool, count=len(rows))]
        out[rows] = _fullmatch(_EMAIL, t.values[rows])
    return out


def _bank_card(t: _Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.starts(_DIGIT_CODES) & t.sized(16, 30))
    if len(rows) == 0:
        return out
    compact = np.asarray(_compact(t.values[rows]), dtype="O")
    shape = _fullmatch(_CARD, compact)
    rows, compact = rows[shape], compact[shape]
    if len(rows) == 0:
        return out
    # Left zeros leave the Luhn sum unchanged; with 19 digits the doubled ones (every second
    # digit from the right, the check digit excluded) sit at odd positions.
    raw = _digits([v.zfill(19) for v in compact], 19).astype(np.int64) - 48
    doubled = 2 * raw[:, 1::2]
    doubled -= 9 * (doubled > 9)
    ok = (raw[:, 0::2].sum(axis=1) + doubled.sum(axis=1)) % 10 == 0
    # An 18-digit valid resident identity number is read as that, not as a card.
    ok &= ~_resident_id(_Text.of(compact))
    out[rows[ok]] = True
    return out


def _is_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def _ip_address(t: _Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.starts(_DIGIT_CODES) & t.sized(7, 15))
    if len(rows):
        out[rows] = _fullmatch(_IPV4, t.values[rows])
    rows = np.flatnonzero(t.sized(2, 45))
    if len(rows):
        rows = rows[np.fromiter((":" in v for v in t.values[rows]), dtype=bool, count=len(rows))]
        rows = rows[_fullmatch(_IPV6_SHAPE, t.values[rows])]
        out[rows] = [_is_ipv6(v) for v in t.values[rows]]
    return out


def _licence_plate(t: _Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.starts(_PROVINCE_CODES) & t.sized(7, 9))
    if len(rows):
        out[rows] = _fullmatch(_PLATE, t.values[rows])
    return out


_MATCHERS: dict[str, Callable[[_Text], np.ndarray]] = {
    "resident_id": _resident_id,
    "mobile": _mobile,
    "email": _email,
    "bank_card": _bank_card,
    "ip_address": _ip_address,
    "licence_plate": _licence_plate,
}


def match(values: Any, detector: str) -> np.ndarray:
    """Which values a content detector recognises.

    Parameters
    ----------
    values : array-like
        Values to check; non-strings are read as their ``str``, surrounding blanks are
        ignored, missing values never match.
    detector : str
        One of :data:`CONTENT_DETECTORS`.

    Returns
    -------
    ndarray of bool
        One entry per value.

    Examples
    --------
    >>> match(["11010519491231002X", "110105194912310021", "110105194913310020"], "resident_id")
    array([ True, False, False])
    >>> match(["4111111111111111", "4111 1111 1111 1112"], "bank_card")
    array([ True, False])
    >>> match(["+86 138-1234-5678", "192.168.1.1", "256.1.1.1", "粤B12345"], "mobile")
    array([ True, False, False, False])
    """
    if detector not in _MATCHERS:
        raise InputError(f"detector must be one of {list(CONTENT_DETECTORS)}, got {detector!r}.")
    items = list(values)
    missing = pd.isna(pd.Series(items, dtype=object)).to_numpy(dtype=bool)
    text = ["" if m else str(v).strip() for v, m in zip(items, missing, strict=True)]
    rows = np.flatnonzero([v != "" for v in text])
    out = np.zeros(len(items), dtype=bool)
    if len(rows):
        out[rows] = _MATCHERS[detector](_Text.of([text[i] for i in rows]))
    return out


# --------------------------------------------------------------------------------------------
# Masking: what an example looks like in the output. Never the value itself.
# --------------------------------------------------------------------------------------------


def _group_stars(n: int) -> str:
    return " ".join("*" * min(4, n - i) for i in range(0, n, 4))


def mask(value: Any, detector: str | None = None) -> str:
    """A masked form of ``value`` that shows its shape, never the value.

    Parameters
    ----------
    value : object
        A value recognised by ``detector`` (read as its stripped ``str``).
    detector : str or None
        A content detector; ``None`` (or a value the detector does not recognise) keeps only
        the first character: ``"张***"``.

    Examples
    --------
    >>> mask("11010519491231002X", "resident_id")
    '1101**********002X'
    >>> mask("13812345678", "mobile"), mask("zhang.san@example.com", "email")
    ('138****5678', 'z***@example.com')
    >>> mask("6222021234567894", "bank_card"), mask("192.168.1.20", "ip_address")
    ('6222 **** **** 7894', '192.168.*.*')
    >>> mask("粤B12345", "licence_plate"), mask("张三")
    ('粤B****5', '张***')
    """
    text = str(value).strip()
    if detector in _MATCHERS and not match([text], detector)[0]:
        detector = None
    if detector == "resident_id":
        text = text.upper()
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    if detector == "mobile":
        core = re.sub(_SEPARATORS, "", text)[-11:]
        return core[:3] + "****" + core[-4:]
    if detector == "email":
        local, _, domain = text.rpartition("@")
        return local[0] + "***@" + domain
    if detector == "bank_card":
        digits = re.sub(_SEPARATORS, "", text)
        return f"{digits[:4]} {_group_stars(len(digits) - 8)} {digits[-4:]}"
    if detector == "ip_address":
        if ":" in text:
            head = [
                format(int(h, 16), "x") for h in ipaddress.IPv6Address(text).exploded.split(":")[:2]
            ]
            return ":".join([*head] + ["*"] * 6)
        return ".".join([*text.split(".")[:2], "*", "*"])
    if detector == "licence_plate":
        compact = re.sub(_PLATE_SEPARATORS, "", text)
        return compact[:2] + "*" * (len(compact) - 3) + compact[-1]
    return "*" if len(text) <= 1 else text[0] + "***"


# --------------------------------------------------------------------------------------------
# Detection by column name.
# --------------------------------------------------------------------------------------------

# Words naming whose attribute it is ("customer_phone", "home_address"); may precede a keyword.
_WHO = (
    r"(?:customer|client|user|patient|applicant|person|personal|holder|cardholder|account"
    r"|accountholder|employee|contact|member|borrower|buyer|owner|driver|home|work|primary|main)?"
)
_NO = r"(?:no|num|number)?"

# Checked in this order; Chinese keywords anywhere in the name, English patterns on the whole
# normalised name (lower case, without "_", "-", ".", blanks and trailing digits).
_NAME_RULES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("email", ("邮箱", "电子邮件", "电邮", "邮件地址"), rf"{_WHO}e?mail(?:address|addr)?"),
    (
        "ip_address",
        ("ip地址",),
        r"(?:client|user|source|src|dest|dst|remote|login|device|host)?ip(?:v[46])?(?:addr|address)?",
    ),
    (
        "resident_id",
        ("身份证", "证件号", "身份号码"),
        rf"{_WHO}(?:id(?:card{_NO}|no|num|number)|citizenid{_NO}|nationalid{_NO}|residentid{_NO}"
        rf"|identity(?:card)?{_NO}|ssn|socialsecurity{_NO}|sfz(?:h|hm)?)",
    ),
    (
        "bank_card",
        ("银行卡", "卡号", "银行账号", "银行账户"),
        rf"{_WHO}(?:(?:bank|credit|debit)?card(?:no|num|number)|(?:bank|credit|debit)card"
        rf"|bank(?:account|acct){_NO}|(?:account|acct)(?:no|num|number)|iban)",
    ),
    (
        "licence_plate",
        ("车牌",),
        rf"{_WHO}(?:(?:licen[cs]e|number|car|vehicle|registration)?plate{_NO})",
    ),
    (
        "mobile",
        ("手机", "电话", "联系方式"),
        rf"{_WHO}(?:(?:(?:mobile|cell|cellular)(?:phone)?|phone|telephone|tel){_NO}|sjh|shoujihao)",
    ),
    (
        "name_column",
        ("姓名", "名字", "联系人"),
        rf"{_WHO}(?:(?:full|first|last|given|family|middle|real|legal|sur)?name|xingming)",
    ),
    (
        "address",
        ("住址", "地址", "住所", "居住地"),
        rf"{_WHO}(?:home|street|mailing|postal|residential|billing|shipping|delivery)?"
        r"(?:address|addr)",
    ),
)


def _normalise_name(name: Any) -> str:
    return re.sub(r"[0-9]+$", "", re.sub(r"[\s_\-.]+", "", str(name).lower()))


def detect_name(column: Any) -> str | None:
    """The detector a column's name points to, or ``None``.

    Chinese keywords match anywhere in the name (``联系电话`` -> ``mobile``); English patterns
    must cover the whole name once lower-cased, with ``_``, ``-``, ``.``, blanks and trailing
    digits removed, optionally after a word saying whose it is (``customer_phone``,
    ``home_address``). So ``telephone`` is a hit but ``hotel`` or ``product_name`` are not.

    Examples
    --------
    >>> detect_name("身份证号"), detect_name("ID-Number"), detect_name("Full Name")
    ('resident_id', 'resident_id', 'name_column')
    >>> detect_name("联系电话"), detect_name("telephone"), detect_name("product_name")
    ('mobile', 'mobile', None)
    """
    norm = _normalise_name(column)
    for detector, chinese, english in _NAME_RULES:
        if any(word in norm for word in chinese) or re.fullmatch(english, norm):
            return detector
    return None


# --------------------------------------------------------------------------------------------
# The content scan of one column.
# --------------------------------------------------------------------------------------------


def _column_text(col: pd.Series) -> tuple[np.ndarray, _Text | None, tuple[str, ...], int]:
    """A column as codes into its distinct non-missing values written as stripped strings.

    Returns ``(codes, uniques, detectors, n_checked)``: ``codes`` has one entry per checked
    value (missing values and blank strings left out), ``uniques`` is ``None`` when the
    column is not checked by content (booleans, dates, fractional numbers).
    """
    dtype = col.dtype
    none = np.zeros(0, dtype=np.int64)
    if pd.api.types.is_bool_dtype(dtype):
        return none, None, (), int(col.notna().sum())
    kept = col.dropna()
    if pd.api.types.is_integer_dtype(dtype):
        detectors = _NUMERIC_DETECTORS
    elif pd.api.types.is_float_dtype(dtype):
        values = kept.to_numpy(dtype=float)
        whole = (
            np.isfinite(values).all()
            and (values == np.floor(values)).all()
            and (np.abs(values) < 2.0**53).all()
        )
        if not (len(values) and whole):
            return none, None, (), len(values)
        kept = pd.Series(values.astype(np.int64))
        detectors = _NUMERIC_DETECTORS
    elif (
        pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    ):
        detectors = CONTENT_DETECTORS
    else:
        return none, None, (), len(kept)
    # Distinct values first: each is written out and checked once, however often it occurs.
    raw_codes, raw_uniques = pd.factorize(kept)
    text = [str(v).strip() for v in raw_uniques]
    codes, uniques = pd.factorize(np.asarray(text, dtype=object))
    codes = np.asarray(codes, dtype=np.int64)[raw_codes]
    uniques = np.asarray(uniques, dtype=object)
    blank = np.flatnonzero(uniques == "")
    if len(blank):
        keep = np.ones(len(uniques), dtype=bool)
        keep[blank] = False
        renumber = np.cumsum(keep) - 1
        codes = renumber[codes[keep[codes]]]
        uniques = uniques[keep]
    return codes, _Text.of(uniques), detectors, len(codes)


def _examples(values: np.ndarray, detector: str | None) -> list[str]:
    """Up to two distinct masked forms of the first values."""
    out: list[str] = []
    for v in values[:50]:
        masked = mask(v, detector)
        if masked not in out:
            out.append(masked)
        if len(out) == 2:
            break
    return out


def _scan_column(col: pd.Series, label: str) -> list[dict[str, Any]]:
    by_name = detect_name(label)
    codes, uniques, detectors, n_checked = _column_text(col)
    rows: list[dict[str, Any]] = []
    seen_name = False
    if uniques is not None and n_checked:
        counts = np.bincount(codes, minlength=len(uniques.values))
        for detector in detectors:
            hits = _MATCHERS[detector](uniques)
            share = float(counts[hits].sum()) / n_checked
            if share == 0 and detector != by_name:
                continue
            content_hit = share >= HIT_SHARE or (detector in STRONG_DETECTORS and share > 0)
            name_match = detector == by_name
            seen_name |= name_match
            examples = _examples(uniques.values[hits], detector)
            if not examples and name_match:
                examples = _examples(uniques.values, None)
            rows.append(
                {
                    "column": label,
                    "detector": detector,
                    "by": "content" if content_hit or not name_match else "name",
                    "share": share,
                    "n_checked": n_checked,
                    "hit": content_hit or name_match,
                    "name_match": name_match,
                    "masked_examples": examples,
                }
            )
    if by_name is not None and not seen_name:
        rows.append(
            {
                "column": label,
                "detector": by_name,
                "by": "name",
                "share": math.nan,
                "n_checked": n_checked,
                "hit": True,
                "name_match": True,
                "masked_examples": [] if uniques is None else _examples(uniques.values, None),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Quasi-identifiers: equivalence classes, k, l and generalisations.
# --------------------------------------------------------------------------------------------


def _codes(values: Any) -> tuple[np.ndarray, int]:
    """Codes of a column with missing values as one more value, and the number of codes."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), max(len(uniques), 1)


def _class_key(columns: Sequence[Any], n: int) -> np.ndarray:
    """Equivalence class of each row over ``columns`` (0..n_classes-1)."""
    key = np.zeros(n, dtype=np.int64)
    for col in columns:
        codes, size = _codes(col)
        key, _ = _codes(key * size + codes)
    return key


def _k_of(key: np.ndarray) -> int:
    return int(np.bincount(key).min()) if len(key) else 0


def _nice(x: float) -> float:
    """The 1-2-5 number at or above ``x``."""
    if x <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    for step in (1, 2, 5, 10):
        if step * power >= x:
            return float(step * power)
    return 10 * power  # pragma: no cover


def _fmt_number(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class _Candidate:
    action: str
    parameter: float | int | None
    values: np.ndarray
    zh: str
    en: str


def _time_candidates(label: str, month: np.ndarray, year: np.ndarray) -> list[_Candidate]:
    return [
        _Candidate(
            "month",
            None,
            month,
            f"将 {label} 只保留到年月",
            f"keep only the year and month of {label}",
        ),
        _Candidate(
            "year", None, year, f"将 {label} 只保留到年份", f"keep only the year of {label}"
        ),
    ]


def _band_candidates(col: pd.Series, label: str) -> list[_Candidate]:
    values = col.to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    if len(np.unique(finite)) <= 2:
        return []
    low, high = float(finite.min()), float(finite.max())
    age_like = "年龄" in str(label) or re.search(r"(?<![a-z])age(?![a-z])", str(label).lower())
    if age_like or (low >= 0 and high <= 120 and (finite == np.floor(finite)).all()):
        widths = [5.0, 10.0, 20.0]
    else:
        widths = sorted({_nice((high - low) / m) for m in (20, 10, 5)})
    unit_zh, unit_en = (" 岁", "-year") if age_like else ("", "-unit")
    out = []
    for w in widths:
        banded = np.floor(values / w) * w
        if len(np.unique(banded[np.isfinite(banded)])) < 2:
            continue
        ws = _fmt_number(w)
        out.append(
            _Candidate(
                "band",
                w,
                banded,
                f"将 {label} 按 {ws}{unit_zh}分段（取 ⌊值/{ws}⌋×{ws}）",
                f"replace {label} by its {ws}{unit_en} band (floor(value / {ws}) * {ws})",
            )
        )
    return out


def _text_candidates(col: pd.Series, label: str, k: int) -> list[_Candidate]:
    """Truncation (digit strings), month/year (date strings) or grouping of rare values.

    Computed on the distinct values and carried to the rows by their codes.
    """
    codes, size = _codes(col)
    uniques = np.asarray(pd.factorize(col, use_na_sentinel=False)[1], dtype="O")
    missing = np.asarray(pd.isna(uniques), dtype=bool).reshape(-1)
    if int((~missing).sum()) <= 2:
        return []
    counts = np.bincount(codes, minlength=size)
    weight = np.where(missing, 0, counts)
    text = ["" if m else str(v).strip() for v, m in zip(uniques, missing, strict=True)]

    def share(flags: np.ndarray) -> float:
        return float(weight[flags].sum()) / max(int(weight.sum()), 1)

    def carried(new: Sequence[str | None]) -> np.ndarray:
        return _codes(pd.Series(new, dtype="O"))[0][codes]

    digits = _fullmatch(re.compile(r"[0-9]{4,}"), text)
    if share(digits) >= 0.9:
        lengths = np.fromiter(map(len, text), dtype=np.int64, count=len(text))
        length = int(np.bincount(lengths, weights=weight).argmax())
        return [
            _Candidate(
                "truncate",
                p,
                carried([None if m else s[:p] for s, m in zip(text, missing, strict=True)]),
                f"将 {label} 截短为前 {p} 位",
                f"keep the first {p} digits of {label}",
            )
            for p in (6, 4, 3, 2)
            if p < length
        ]
    date = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.][0-9]{1,2}(?:[ T].*)?")
    parsed = [None if m else date.fullmatch(s) for s, m in zip(text, missing, strict=True)]
    if share(np.array([p is not None for p in parsed], dtype=bool)) >= 0.9:
        month = [None if p is None else f"{p[1]}-{int(p[2]):02d}" for p in parsed]
        year = [None if p is None else p[1] for p in parsed]
        return _time_candidates(label, carried(month), carried(year))
    out = []
    for t in sorted({k, 2 * k, 5 * k, 10 * k}):
        rare = (counts < t) & ~missing
        if rare.sum() < 2:
            continue
        new = np.arange(size)
        new[rare] = size
        out.append(
            _Candidate(
                "group_rare",
                t,
                new[codes],
                f"将 {label} 中出现少于 {t} 次的取值合并为“其他”",
                f"group the values of {label} held by fewer than {t} records into 'other'",
            )
        )
    return out


def _candidates(col: pd.Series, label: str, k: int) -> list[_Candidate]:
    """Generalisations of one quasi-identifier, finest first."""
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype) or col.nunique() <= 2:
        return []
    if pd.api.types.is_datetime64_any_dtype(dtype):
        year = col.dt.year.to_numpy(dtype=float, na_value=np.nan)
        month = year * 100 + col.dt.month.to_numpy(dtype=float, na_value=np.nan)
        return _time_candidates(label, month, year)
    postcode = re.search(r"post(?:al)?code|zip|邮编|邮政编码", _normalise_name(label))
    if pd.api.types.is_numeric_dtype(dtype) and not postcode:
        return _band_candidates(col, label)
    return _text_candidates(col, label, k)


def _suggestions(
    columns: Sequence[pd.Series], labels: Sequence[str], key: np.ndarray, k: int
) -> list[dict[str, Any]]:
    """Per-column generalisations, each measured with the other columns as they are."""
    n = len(key)
    sizes_now = np.bincount(key)
    k_now = int(sizes_now.min())
    below_now = float(np.mean(sizes_now[key] < k))
    out: list[dict[str, Any]] = []
    for i, (col, label) in enumerate(zip(columns, labels, strict=True)):
        candidates = _candidates(col, label, k)
        if not candidates:
            continue
        others = _class_key([c for j, c in enumerate(columns) if j != i], n)
        measured = []
        for c in candidates:
            key = _class_key([others, c.values], n)
            sizes = np.bincount(key)
            measured.append((c, int(sizes.min()), float(np.mean(sizes[key] < k))))
        reaching = [m for m in measured if m[1] >= k]
        # The finest candidate reaching k; else the one raising k most, then leaving the
        # fewest records in small classes (max keeps the finest among equals).
        best, k_after, below = (
            reaching[0] if reaching else max(measured, key=lambda m: (m[1], -m[2]))
        )
        if k_after <= k_now and below >= below_now:
            continue
        if k_after >= k:
            zh = f"{best.zh}：仅此一项即可使 k 由 {k_now} 提高到 {k_after}（要求 {k}）。"
            en = f"{best.en}: on its own this raises k from {k_now} to {k_after} ({k} required)."
        elif k_after == k_now:
            zh = (
                f"{best.zh}：仅此一项 k 仍为 {k_now}（要求 {k}），但所在等价类小于 {k} 的记录"
                f"由 {fmt_pct(below_now)} 降至 {fmt_pct(below)}；须与其他措施合用。"
            )
            en = (
                f"{best.en}: on its own k stays at {k_now} ({k} required) but the records in "
                f"classes smaller than {k} drop from {fmt_pct(below_now)} to {fmt_pct(below)}; "
                f"combine it with other steps."
            )
        else:
            zh = (
                f"{best.zh}：仅此一项使 k 由 {k_now} 变为 {k_after}（要求 {k}），所在等价类小于 "
                f"{k} 的记录由 {fmt_pct(below_now)} 降至 {fmt_pct(below)}；须与其他措施合用。"
            )
            en = (
                f"{best.en}: on its own k goes from {k_now} to {k_after} ({k} required) and "
                f"the records in classes smaller than {k} from {fmt_pct(below_now)} to "
                f"{fmt_pct(below)}; combine it with other steps."
            )
        out.append(
            {
                "column": label,
                "action": best.action,
                "parameter": best.parameter,
                "k_after": k_after,
                "share_below_k_after": below,
                "reaches_k": k_after >= k,
                "zh": zh,
                "en": en,
            }
        )
    out.sort(key=lambda s: (not s["reaches_k"], -s["k_after"], s["share_below_k_after"]))
    return out


@dataclass(frozen=True)
class QuasiIdentifiers:
    """k-anonymity and l-diversity over the quasi-identifiers.

    Attributes
    ----------
    columns : tuple of str
        The quasi-identifiers; a combination of their values (missing as its own value) is
        an equivalence class.
    k_anonymity : int
        Size of the smallest class (0 without rows).
    k_required : int
    share_unique : float
        Share of records alone in their class.
    share_below_k : float
        Share of records in classes smaller than ``k_required``.
    n_classes : int
    sensitive : tuple of str
        The sensitive columns (empty if none given).
    l_diversity : int or None
        Smallest number of distinct values of a sensitive column within a class (missing as
        its own value), the minimum over sensitive columns; ``None`` without sensitive columns.
    l_required : int
    l_by_column : dict
        ``l`` of each sensitive column.
    share_below_l : float or None
        Share of records in classes with fewer than ``l_required`` distinct values of some
        sensitive column.
    suggestions : list of dict
        One per quasi-identifier that can be generalised so as to raise k or shrink the
        share of records below k (empty when k is reached): ``column``, ``action``
        (``"band"``, ``"truncate"``, ``"month"``, ``"year"``, ``"group_rare"``),
        ``parameter`` (band width, digits kept, or the count under which values are
        grouped), ``k_after`` (k with only this column generalised,
        measured), ``share_below_k_after`` (the share of records then in classes smaller
        than k), ``reaches_k``, and the text in ``zh`` and ``en``. The finest candidate
        reaching k is chosen, else the one raising k most (then leaving the fewest records in
        small classes); a column is listed only if that improves on the data as they are;
        those reaching k come first.
    records_by_class_size : dict
        Class size -> number of records in classes of that size (to recompute
        ``share_below_k`` for another k).
    """

    columns: tuple[str, ...]
    k_anonymity: int
    k_required: int
    share_unique: float
    share_below_k: float
    n_classes: int
    sensitive: tuple[str, ...]
    l_diversity: int | None
    l_required: int
    l_by_column: Mapping[str, int]
    share_below_l: float | None
    suggestions: list[dict[str, Any]]
    records_by_class_size: Mapping[int, int] = field(default_factory=dict, repr=False)

    def share_below(self, k: int) -> float:
        """Share of records in classes smaller than ``k``."""
        n = sum(self.records_by_class_size.values())
        below = sum(r for size, r in self.records_by_class_size.items() if size < k)
        return below / n if n else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (without ``records_by_class_size``)."""
        return {
            "columns": list(self.columns),
            "k_anonymity": self.k_anonymity,
            "k_required": self.k_required,
            "share_unique": _clean(self.share_unique),
            "share_below_k": _clean(self.share_below_k),
            "n_classes": self.n_classes,
            "sensitive": list(self.sensitive),
            "l_diversity": self.l_diversity,
            "l_required": self.l_required,
            "l_by_column": _clean(dict(self.l_by_column)),
            "share_below_l": _clean(self.share_below_l),
            "suggestions": _clean(self.suggestions),
        }


def _quasi(
    df: pd.DataFrame,
    quasi: list[Hashable],
    sensitive: list[Hashable],
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
) -> QuasiIdentifiers:
    n = len(df)
    columns = [df[c] for c in quasi]
    labels = [str(c) for c in quasi]
    key = _class_key(columns, n)
    sizes = np.bincount(key) if n else np.zeros(0, dtype=np.int64)
    row_sizes = sizes[key]
    k_now = int(sizes.min()) if n else 0
    by_size = np.bincount(sizes, weights=sizes) if n else np.zeros(0)
    records = {int(s): int(r) for s, r in enumerate(by_size) if r > 0}
    l_by_column: dict[str, int] = {}
    low_l = np.zeros(n, dtype=bool)
    for c in sensitive:
        codes, size = _codes(df[c])
        pairs = np.unique(key * size + codes)
        distinct = np.bincount(pairs // size, minlength=len(sizes))
        l_by_column[str(c)] = int(distinct.min()) if n else 0
        low_l |= distinct[key] < l
    return QuasiIdentifiers(
        columns=tuple(labels),
        k_anonymity=k_now,
        k_required=k,
        share_unique=float(np.mean(row_sizes == 1)) if n else 0.0,
        share_below_k=float(np.mean(row_sizes < k)) if n else 0.0,
        n_classes=len(sizes),
        sensitive=tuple(str(c) for c in sensitive),
        l_diversity=min(l_by_column.values()) if l_by_column else None,
        l_required=l,
        l_by_column=l_by_column,
        share_below_l=(float(np.mean(low_l)) if n else 0.0) if sensitive else None,
        suggestions=_suggestions(columns, labels, key, k) if n and k_now < k else [],
        records_by_class_size=records,
    )


# --------------------------------------------------------------------------------------------
# The scan and its findings.
# --------------------------------------------------------------------------------------------


def _names(items: Sequence[str], sep_zh: str = "、", sep_en: str = ", ") -> Message:
    return Message(sep_zh.join(items), sep_en.join(items))


def _hit_text(row: Mapping[str, Any]) -> Message:
    label = DETECTORS[row["detector"]]
    if row["by"] == "content":
        return Message(
            f"{row['column']}（{label.zh}，{fmt_pct(row['share'])} 的值）",
            f"{row['column']} ({label.en}, {fmt_pct(row['share'])} of values)",
        )
    share = row["share"]
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return Message(
            f"{row['column']}（列名提示{label.zh}）",
            f"{row['column']} (name suggests {label.en})",
        )
    return Message(
        f"{row['column']}（列名提示{label.zh}；{fmt_pct(share)} 的值符合其格式）",
        f"{row['column']} (name suggests {label.en}; {fmt_pct(share)} of values match its format)",
    )


def _join(messages: Sequence[Message]) -> Message:
    return Message("；".join(m.zh for m in messages), "; ".join(m.en for m in messages))


@dataclass(frozen=True)
class PrivacyScan:
    """What :func:`scan` found, and its Article 33 findings.

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
    """

    identifiers: pd.DataFrame
    quasi: QuasiIdentifiers | None
    external: bool
    n_rows: int
    n_scanned: int
    k_required: int
    l_required: int
    sensitive: tuple[str, ...] = ()

    def findings(self, policy: Policy | None = None) -> list[Finding]:
        """Article 33 findings: direct identifiers, k-anonymity and l-diversity.

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
        return Message(
            f"（内容检查基于随机抽取的 {self.n_scanned} 行，共 {self.n_rows} 行）",
            f" (content checked on a random sample of {self.n_scanned} of {self.n_rows} rows)",
        )

    def _direct(self) -> Finding:
        table = self.identifiers
        rows = [{k: _clean(v) for k, v in r.items()} for r in table.to_dict(orient="records")]
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
            listed = _join([_hit_text(r) for r in content])
            if self.external:
                parts.append(
                    Message(
                        f"拟向他人提供的数据含有可直接识别个人的信息：{listed.zh}{note.zh}。"
                        f"第三十三条要求向他人提供的个人数据须经去标识化处理，"
                        f"请删除、掩码或替换这些列。",
                        f"The data meant to be provided to others contain direct identifiers: "
                        f"{listed.en}{note.en}. Article 33 requires personal data provided to "
                        f"others to be de-identified: remove, mask or replace these columns.",
                    )
                )
            else:
                parts.append(
                    Message(
                        f"数据含有可直接识别个人的信息：{listed.zh}{note.zh}。数据仅供内部使用；"
                        f"如向他人提供，须先去标识化（第三十三条）。",
                        f"The data contain direct identifiers: {listed.en}{note.en}. They are "
                        f"for internal use; de-identify them before providing them to others "
                        f"(Article 33).",
                    )
                )
        for found, lead in (
            (
                by_name,
                Message(
                    "以下列的列名提示可能含有个人信息",
                    "Column names suggest personal information; check these columns",
                ),
            ),
            (
                partial,
                Message(
                    "部分值符合直接标识符的格式",
                    "Some values have the form of direct identifiers; check them",
                ),
            ),
        ):
            if found:
                listed = _join([_hit_text(r) for r in found])
                parts.append(
                    Message(f"{lead.zh}，请人工核查：{listed.zh}。", f"{lead.en}: {listed.en}.")
                )
        if content:
            status = Status.FAIL if self.external else Status.WARN
        elif partial:
            status = Status.WARN
        elif by_name:
            status = Status.WARN
            parts.append(
                Message(
                    f"按内容未发现直接标识符{note.zh}。",
                    f"No direct identifier was found by content{note.en}.",
                )
            )
        else:
            status = Status.PASS
            parts.append(
                Message(
                    f"未发现直接标识符：没有任何列有至少 {fmt_pct(HIT_SHARE, 0)} 的值为"
                    f"居民身份证号码、手机号码、电子邮箱、银行卡号、IP 地址或车牌号码"
                    f"{note.zh}，列名也无提示。",
                    f"No direct identifiers found: no column has {fmt_pct(HIT_SHARE, 0)} or more "
                    f"of its values as resident identity numbers, mobile numbers, email "
                    f"addresses, bank card numbers, IP addresses or licence plates{note.en}, and "
                    f"no column name suggests personal information.",
                )
            )
        message = Message("".join(p.zh for p in parts), " ".join(p.en for p in parts))
        return Finding(
            check="privacy.direct_identifiers",
            article="33",
            status=status,
            message=message,
            value=value,
            threshold=HIT_SHARE,
            details=details,
        )

    def _k_finding(self, k: int) -> Finding:
        check = "privacy.k_anonymity"
        q = self.quasi
        if q is None:
            return Finding(
                check=check,
                article="33",
                status=Status.NOT_ASSESSED,
                message=Message(
                    "未指定准标识符（quasi_identifiers），因此未计算 k 匿名度。"
                    "请列出组合起来可能识别个人的列（如年龄、性别、邮编、日期）。",
                    "No quasi-identifiers were given (quasi_identifiers=None), so k-anonymity "
                    "was not measured; name the columns that could single out a person in "
                    "combination (age, sex, postcode, dates).",
                ),
                threshold=k,
                details={"external": self.external},
            )
        cols = _names(list(q.columns))
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
                article="33",
                status=Status.INSUFFICIENT_DATA,
                message=Message(
                    "数据没有记录，无法计算 k 匿名度。",
                    "The data have no rows; k-anonymity cannot be measured.",
                ),
                threshold=k,
                details=details,
            )
        measured = Message(
            f"在准标识符 {cols.zh} 的组合下，k 匿名度为 {q.k_anonymity}（要求至少 {k}）",
            f"On the quasi-identifiers {cols.en} the data are {q.k_anonymity}-anonymous "
            f"(at least {k} required)",
        )
        if q.k_anonymity >= k:
            status = Status.PASS
            message = Message(
                f"{measured.zh}：每种组合至少由 {k} 条记录共享，共 {q.n_classes} 个等价类。",
                f"{measured.en}: every combination is shared by at least {k} records "
                f"({q.n_classes} classes).",
            )
        else:
            status = Status.FAIL if self.external else Status.WARN
            zh = (
                f"{measured.zh}：{fmt_pct(q.share_unique)} 的记录组合唯一，{fmt_pct(below)} 的记录"
                f"所在等价类小于 {k}。"
            )
            en = (
                f"{measured.en}: {fmt_pct(q.share_unique)} of records have a unique "
                f"combination and {fmt_pct(below)} are in classes smaller than {k}."
            )
            if self.external:
                zh += "向他人提供前须泛化或抑制这些记录（第三十三条）。"
                en += (
                    " Generalise or suppress them before providing the data to others (Article 33)."
                )
            else:
                zh += "数据仅供内部使用；向他人提供前须先泛化或抑制。"
                en += (
                    " The data are for internal use; generalise or suppress before providing "
                    "them to others."
                )
            tips = [s for s in q.suggestions if k == q.k_required][:2]
            if tips:
                zh += "建议：" + "".join(s["zh"] for s in tips)
                en += " Suggestions: " + " ".join(s["en"] for s in tips)
            message = Message(zh, en)
        return Finding(
            check=check,
            article="33",
            status=status,
            message=message,
            value=q.k_anonymity,
            threshold=k,
            details=details,
        )

    def _l_finding(self) -> Finding:
        check = "privacy.l_diversity"
        q = self.quasi
        l_req = self.l_required
        if not self.sensitive or q is None:
            why = (
                Message(
                    "未指定敏感属性列（sensitive），因此未计算 l 多样性。",
                    "No sensitive columns were given (sensitive=None), so l-diversity was not "
                    "measured.",
                )
                if not self.sensitive
                else Message(
                    "l 多样性在准标识符的等价类内计算，但未指定准标识符（quasi_identifiers）。",
                    "l-diversity is measured within the classes of the quasi-identifiers, and "
                    "no quasi_identifiers were given.",
                )
            )
            return Finding(
                check=check,
                article="33",
                status=Status.NOT_ASSESSED,
                message=why,
                threshold=l_req,
                details={"sensitive": list(self.sensitive), "external": self.external},
            )
        details = {**q.to_dict(), "external": self.external}
        if self.n_rows == 0 or q.l_diversity is None:
            return Finding(
                check=check,
                article="33",
                status=Status.INSUFFICIENT_DATA,
                message=Message(
                    "数据没有记录，无法计算 l 多样性。",
                    "The data have no rows; l-diversity cannot be measured.",
                ),
                threshold=l_req,
                details=details,
            )
        cols, sens = _names(list(q.columns)), _names(list(q.sensitive))
        measured = Message(
            f"在准标识符 {cols.zh} 的等价类内，敏感属性 {sens.zh} 的不同取值最少为 "
            f"{q.l_diversity} 种，即 l 多样性为 {q.l_diversity}（要求至少 {l_req}）",
            f"Within the classes of {cols.en}, the sensitive column(s) {sens.en} take as few "
            f"as {q.l_diversity} distinct value(s): l-diversity {q.l_diversity} (at least "
            f"{l_req} required)",
        )
        if q.l_diversity >= l_req:
            status = Status.PASS
            message = Message(f"{measured.zh}。", f"{measured.en}.")
        else:
            status = Status.FAIL if self.external else Status.WARN
            share = fmt_pct(q.share_below_l)
            zh = f"{measured.zh}：{share} 的记录所在等价类的敏感取值少于 {l_req} 种，可被推断。"
            en = (
                f"{measured.en}: {share} of records are in classes with fewer than {l_req} "
                f"distinct sensitive values, so their sensitive value can be inferred."
            )
            if self.external:
                zh += "向他人提供前须进一步泛化准标识符或抑制这些记录（第三十三条）。"
                en += (
                    " Generalise the quasi-identifiers further or suppress these records "
                    "before providing the data to others (Article 33)."
                )
            else:
                zh += "数据仅供内部使用；向他人提供前须先处理。"
                en += " The data are for internal use; fix this before providing them to others."
            message = Message(zh, en)
        return Finding(
            check=check,
            article="33",
            status=status,
            message=message,
            value=q.l_diversity,
            threshold=l_req,
            details=details,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: the table as records (NaN -> None), quasi, findings."""
        rows = [
            {k: _clean(v) for k, v in r.items()} for r in self.identifiers.to_dict(orient="records")
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
        The data are meant to be provided to others (Article 33 applies: FAIL rather than
        WARN).
    max_rows : int or None
        Check the content of at most this many rows (a random sample); k and l use all rows.
    random_state : int or None, default 0
        Seed of that sample.

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
    >>> privacy.scan(df, external=False).findings()[0].status.value
    'WARN'
    """
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(f"df must be a pandas DataFrame, got {type(df).__name__}.")
    k = _check_int("k", k, "the smallest acceptable equivalence-class size")
    l = _check_int("l", l, "the smallest acceptable number of distinct sensitive values")  # noqa: E741
    if max_rows is not None:
        max_rows = _check_int("max_rows", max_rows, "rows checked by content, or None for all")
    quasi = _column_list(df, "quasi_identifiers", quasi_identifiers)
    sens = _column_list(df, "sensitive", sensitive)
    both = [c for c in sens if c in quasi]
    if both:
        raise InputError(
            f"{both} are both quasi_identifiers and sensitive; a column is one or the other."
        )
    n = len(df)
    sample = df
    if max_rows is not None and n > max_rows:
        rows = np.sort(np.random.default_rng(random_state).choice(n, max_rows, replace=False))
        sample = df.iloc[rows]
    table_rows: list[dict[str, Any]] = []
    for j in range(df.shape[1]):
        table_rows.extend(_scan_column(sample.iloc[:, j], str(df.columns[j])))
    table = pd.DataFrame(table_rows, columns=_TABLE_COLUMNS)
    table = table.astype({"share": float, "n_checked": np.int64, "hit": bool, "name_match": bool})
    return PrivacyScan(
        identifiers=table,
        quasi=_quasi(df, quasi, sens, k, l) if quasi else None,
        external=bool(external),
        n_rows=n,
        n_scanned=len(sample),
        k_required=k,
        l_required=l,
        sensitive=tuple(str(c) for c in sens),
    )
