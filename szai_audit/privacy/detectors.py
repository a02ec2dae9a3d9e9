"""Art. 33(2) detectors: direct identifiers recognised by their content, and masking.

18-digit PRC resident identity numbers (GB 11643-1999, with a valid region digit, birth date and
ISO 7064 MOD 11-2 check character) and their legacy 15-digit form, mainland mobile numbers,
email addresses, bank card numbers (16-19 digits with an issuer prefix of that length, see
:data:`CARD_ISSUERS`, passing the Luhn check), IPv4/IPv6 addresses and mainland licence plates.
:func:`match` tells which values match a detector; :func:`mask` writes a value so that it
cannot be read back (``138****5678``). The rules are listed in :mod:`szai_audit.privacy`.

A check digit is also passed by chance: an 18-digit order number passes the Luhn check one time
in ten. :func:`chance_rate` gives, for the detectors with a check (bank cards, resident
identity numbers), the probability that a random string of digits of the detector's form
passes it; the scan counts a column's matches only when they are significantly more than
chance would give (:func:`beyond_chance`).
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.catalog import say
from ..core.errors import InputError
from ..core.messages import Message

#: Share of a column's non-missing values that must match a detector for a content hit.
HIT_SHARE = 0.5

#: Detectors so specific that a single match is a content hit (a resident identity number
#: passes a region code, a real birth date and a check digit; an email address its pattern).
STRONG_DETECTORS = ("resident_id", "email")

#: Bank card issuers by prefix: ``(first, last)`` prefix range (as integers of the same number
#: of digits) and the card lengths issued under it, 16-19 digits (ISO/IEC 7812; China
#: UnionPay 62 and the older domestic 9558/9559 and 60 ranges; Visa, Mastercard, JCB,
#: Discover, Diners Club, Maestro, Mir).
CARD_ISSUERS: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (62, 62, (16, 17, 18, 19)),  # China UnionPay
    (60, 60, (16, 19)),  # Chinese bank cards (6013 Bank of China...)
    (9558, 9559, (16, 19)),  # older domestic cards (ICBC, ABC)
    (4, 4, (16, 19)),  # Visa
    (51, 55, (16,)),  # Mastercard
    (2221, 2720, (16,)),  # Mastercard 2-series
    (2200, 2204, (16, 17, 18, 19)),  # Mir
    (3528, 3589, (16, 17, 18, 19)),  # JCB
    (6011, 6011, (16, 17, 18, 19)),  # Discover
    (644, 649, (16, 17, 18, 19)),  # Discover
    (65, 65, (16, 17, 18, 19)),  # Discover
    (36, 36, (16, 17, 18, 19)),  # Diners Club International
    (300, 305, (16, 17, 18, 19)),  # Diners Club
    (38, 39, (16, 17, 18, 19)),  # Diners Club
    (50, 50, (16, 17, 18, 19)),  # Maestro
    (56, 58, (16, 17, 18, 19)),  # Maestro
    (63, 63, (16, 17, 18, 19)),  # Maestro
    (67, 67, (16, 17, 18, 19)),  # Maestro
)

#: Significance of the test that a column's check-digit matches are more than chance.
CHANCE_ALPHA = 0.001

#: Every detector, with its display name.
DETECTORS: dict[str, Message] = {
    "resident_id": say("privacy.detectors.resident_id"),
    "mobile": say("privacy.detectors.mobile"),
    "email": say("privacy.detectors.email"),
    "bank_card": say("privacy.detectors.bank_card"),
    "ip_address": say("privacy.detectors.ip_address"),
    "licence_plate": say("privacy.detectors.licence_plate"),
    "name_column": say("privacy.detectors.name_column"),
    "address": say("privacy.detectors.address"),
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
NUMERIC_DETECTORS: tuple[str, ...] = ("resident_id", "mobile", "bank_card")


# --------------------------------------------------------------------------------------------
# Content detectors. Each takes the distinct stripped, non-empty strings of a column (a
# Text) and returns a boolean numpy array. A cheap vectorised pre-filter on length and first
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
Strings = Sequence[str] | np.ndarray


def _codes_of(chars: str) -> np.ndarray:
    return np.array([ord(c) for c in chars], dtype=np.int64)


_DIGIT_CODES = _codes_of("0123456789")
_PHONE_START = _codes_of("+0123456789")
_PROVINCE_CODES = _codes_of(_PROVINCES)


@dataclass(frozen=True)
class Text:
    """Distinct non-empty strings, with their lengths and first characters for pre-filters."""

    values: np.ndarray
    lengths: np.ndarray
    first: np.ndarray

    @classmethod
    def of(cls, values: Strings) -> Text:
        arr = np.asarray(values, dtype=object).reshape(-1)
        n = len(arr)
        lengths = np.fromiter(map(len, arr), dtype=np.int64, count=n)
        first = np.fromiter((ord(v[0]) for v in arr), dtype=np.int64, count=n)
        return cls(arr, lengths, first)

    def starts(self, codes: np.ndarray) -> np.ndarray:
        return np.isin(self.first, codes)

    def sized(self, low: int, high: int) -> np.ndarray:
        return (self.lengths >= low) & (self.lengths <= high)


def fullmatch(pattern: re.Pattern[str], values: Strings) -> np.ndarray:
    """``Series.str.fullmatch`` on strings known not to be missing, without its overhead."""
    return np.fromiter(
        (pattern.fullmatch(v) is not None for v in values), dtype=bool, count=len(values)
    )


def _digits(values: Strings, width: int) -> np.ndarray:
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


def _resident_id(t: Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    start = t.starts(_DIGIT_CODES)
    for width, pattern in ((18, _ID18), (15, _ID15)):
        rows = np.flatnonzero(start & (t.lengths == width))
        if len(rows) == 0:
            continue
        rows = rows[fullmatch(pattern, t.values[rows])]
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


def _compact(values: Strings) -> list[str]:
    """Strings without blanks and dashes."""
    return [v.translate(_DROP_SEPARATORS) for v in values]


def _mobile(t: Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.starts(_PHONE_START) & t.sized(11, 24))
    if len(rows):
        out[rows] = fullmatch(_MOBILE, _compact(t.values[rows]))
    return out


def _email(t: Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.sized(6, 320))
    if len(rows):
        rows = rows[np.fromiter(("@" in v for v in t.values[rows]), dtype=bool, count=len(rows))]
        out[rows] = fullmatch(_EMAIL, t.values[rows])
    return out


def _issued(compact: np.ndarray) -> np.ndarray:
    """Whether each digit string starts with an issuer prefix of its length."""
    lengths = np.fromiter(map(len, compact), dtype=np.int64, count=len(compact))
    first4 = np.fromiter((int(v[:4]) for v in compact), dtype=np.int64, count=len(compact))
    ok = np.zeros(len(compact), dtype=bool)
    for low, high, allowed in CARD_ISSUERS:
        scale = 10 ** (4 - len(str(low)))
        prefix = first4 // scale
        ok |= (prefix >= low) & (prefix <= high) & np.isin(lengths, allowed)
    return ok


def _bank_card(t: Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.starts(_DIGIT_CODES) & t.sized(16, 30))
    if len(rows) == 0:
        return out
    compact = np.asarray(_compact(t.values[rows]), dtype="O")
    shape = fullmatch(_CARD, compact)
    rows, compact = rows[shape], compact[shape]
    if len(rows) == 0:
        return out
    issued = _issued(compact)
    rows, compact = rows[issued], compact[issued]
    if len(rows) == 0:
        return out
    # Left zeros leave the Luhn sum unchanged; with 19 digits the doubled ones (every second
    # digit from the right, the check digit excluded) sit at odd positions.
    raw = _digits([v.zfill(19) for v in compact], 19).astype(np.int64) - 48
    doubled = 2 * raw[:, 1::2]
    doubled -= 9 * (doubled > 9)
    ok = (raw[:, 0::2].sum(axis=1) + doubled.sum(axis=1)) % 10 == 0
    # An 18-digit valid resident identity number is read as that, not as a card.
    ok &= ~_resident_id(Text.of(compact))
    out[rows[ok]] = True
    return out


def _shape(t: Text, detector: str) -> np.ndarray:
    """Which values have the form a check-digit detector checks (digits of its lengths)."""
    if detector == "bank_card":
        rows = np.flatnonzero(t.starts(_DIGIT_CODES) & t.sized(16, 30))
        out = np.zeros(len(t.values), dtype=bool)
        if len(rows):
            out[rows] = fullmatch(_CARD, _compact(t.values[rows]))
        return out
    out = np.zeros(len(t.values), dtype=bool)
    for width, pattern in ((18, _ID18), (15, _ID15)):
        rows = np.flatnonzero(t.starts(_DIGIT_CODES) & (t.lengths == width))
        if len(rows):
            out[rows] = fullmatch(pattern, t.values[rows])
    return out


def _date_share(digits: int) -> float:
    """The share of random ``digits``-digit date strings that are real birth dates: for 8
    (yyyymmdd), the days from 1900-01-01 to today; for 6 (yymmdd, read as 19yy), the days of
    1900-1999."""
    start = _dt.date(1900, 1, 1)
    if digits == 8:
        return ((_dt.date.today() - start).days + 1) / 10**8
    return ((_dt.date(1999, 12, 31) - start).days + 1) / 10**6


def chance_rate(detector: str, lengths: np.ndarray) -> float:
    """The largest chance, over the given lengths, that a random string of digits of the
    detector's form passes its check: for a bank card, an issuer prefix of that length and the
    Luhn check (one in ten); for a resident identity number, a real birth date and, for 18
    digits, the check character (one in eleven). 0 for detectors without a check.

    >>> round(chance_rate("bank_card", np.array([18])), 4)
    0.0143
    >>> chance_rate("resident_id", np.array([18])) < 1e-4
    True
    """
    if detector == "bank_card":
        rates = []
        for length in sorted({int(x) for x in lengths}):
            prefixes = np.arange(1000, 10_000)
            digits = np.array([f"{p}" + "0" * (length - 4) for p in prefixes], dtype=object)
            rates.append(float(_issued(digits).mean()) / 10)
        return max(rates, default=0.0)
    if detector == "resident_id":
        rates = [
            _date_share(8) / 11 if int(length) == 18 else _date_share(6)
            for length in set(lengths.tolist())
        ]
        return max(rates, default=0.0)
    return 0.0


#: Detectors whose matches are judged against :func:`chance_rate`.
CHECKED_DETECTORS: tuple[str, ...] = ("bank_card", "resident_id")


def beyond_chance(t: Text, detector: str, hits: np.ndarray) -> bool:
    """Whether a column's matches (``hits`` among its distinct values ``t``) are more than
    chance would give among its distinct values of the detector's form: the one-sided binomial
    test of ``H0: each such value passes with`` :func:`chance_rate` has a p-value below
    :data:`CHANCE_ALPHA`. Always True for a detector without a check.

    >>> rng = np.random.default_rng(0)
    >>> orders = Text.of([str(v) for v in rng.integers(10**17, 10**18, 2000)])
    >>> beyond_chance(orders, "bank_card", _bank_card(orders))  # about 1% pass by chance
    False
    """
    if detector not in CHECKED_DETECTORS:
        return True
    from scipy.stats import binom

    k = int(hits.sum())
    if k == 0:
        return False
    shaped = _shape(t, detector) | hits
    p0 = chance_rate(detector, t.lengths[shaped])
    return bool(binom.sf(k - 1, int(shaped.sum()), p0) < CHANCE_ALPHA)


def _is_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def _ip_address(t: Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.starts(_DIGIT_CODES) & t.sized(7, 15))
    if len(rows):
        out[rows] = fullmatch(_IPV4, t.values[rows])
    rows = np.flatnonzero(t.sized(2, 45))
    if len(rows):
        rows = rows[np.fromiter((":" in v for v in t.values[rows]), dtype=bool, count=len(rows))]
        rows = rows[fullmatch(_IPV6_SHAPE, t.values[rows])]
        out[rows] = [_is_ipv6(v) for v in t.values[rows]]
    return out


def _licence_plate(t: Text) -> np.ndarray:
    out = np.zeros(len(t.values), dtype=bool)
    rows = np.flatnonzero(t.starts(_PROVINCE_CODES) & t.sized(7, 9))
    if len(rows):
        out[rows] = fullmatch(_PLATE, t.values[rows])
    return out


MATCHERS: dict[str, Callable[[Text], np.ndarray]] = {
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
    if detector not in MATCHERS:
        raise InputError(f"detector must be one of {list(CONTENT_DETECTORS)}, got {detector!r}.")
    items = list(values)
    missing = pd.isna(pd.Series(items, dtype=object)).to_numpy(dtype=bool)
    text = ["" if m else str(v).strip() for v, m in zip(items, missing, strict=True)]
    rows = np.flatnonzero([v != "" for v in text])
    out = np.zeros(len(items), dtype=bool)
    if len(rows):
        out[rows] = MATCHERS[detector](Text.of([text[i] for i in rows]))
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
    if detector in MATCHERS and not match([text], detector)[0]:
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
