"""Art. 33(2): direct identifiers, k-anonymity and l-diversity (szai_audit.privacy).

Check digits, Luhn sums, class sizes and distinct counts are recomputed here independently
(plain loops and pandas groupby), not with the module's own helpers.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest

from szai_audit import errors, privacy
from szai_audit.core.findings import Status
from szai_audit.core.policy import Policy

# --------------------------------------------------------------------------------------------
# Independent generators
# --------------------------------------------------------------------------------------------


def id_check_char(body: str) -> str:
    """GB 11643-1999 check character, written as a loop with weights 2**(17-i) mod 11."""
    total = 0
    for i, c in enumerate(body):
        total += int(c) * (2 ** (17 - i) % 11)
    return "10X98765432"[total % 11]


def make_ids(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    start = dt.date(1900, 1, 1).toordinal()
    stop = dt.date.today().toordinal() - 1
    for _ in range(n):
        region = f"{rng.integers(1, 9)}{rng.integers(0, 100_000):05d}"
        born = dt.date.fromordinal(int(rng.integers(start, stop)))
        body = f"{region}{born:%Y%m%d}{rng.integers(0, 1000):03d}"
        out.append(body + id_check_char(body))
    return out


def wrong_check(value: str) -> str:
    """The same number with another check character."""
    good = value[-1]
    bad = next(c for c in "0123456789X" if c != good)
    return value[:-1] + bad


def luhn_ok(number: str) -> bool:
    """Luhn check written directly from its definition (right to left)."""
    total = 0
    for pos, c in enumerate(reversed(number)):
        d = int(c)
        if pos % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def make_cards(n: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        length = 16 + i % 4
        # China UnionPay (prefix 62) issues cards of 16 to 19 digits.
        body = "62" + "".join(str(d) for d in rng.integers(0, 10, length - 3))
        check = next(str(d) for d in range(10) if luhn_ok(body + str(d)))
        out.append(body + check)
    return out


def k_by_groupby(df: pd.DataFrame, cols: list[str]) -> int:
    return int(df.groupby(cols, dropna=False).size().min())


# --------------------------------------------------------------------------------------------
# Detectors by content
# --------------------------------------------------------------------------------------------


def test_independent_check_char_agrees_with_the_known_example():
    assert id_check_char("11010519491231002") == "X"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    assert weights == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def test_resident_ids_with_right_check_digit_match_and_wrong_ones_do_not():
    valid = make_ids(500)
    assert privacy.match(valid, "resident_id").all()
    invalid = [wrong_check(v) for v in valid]
    assert not privacy.match(invalid, "resident_id").any()
    assert privacy.match(["11010519491231002X", "11010519491231002x"], "resident_id").all()
    assert not privacy.match(["110105194912310021"], "resident_id").any()


def test_resident_ids_need_a_real_birth_date_and_region():
    def with_check(body: str) -> str:
        return body + id_check_char(body)

    bad = [
        with_check("11010519491331002"),  # month 13
        with_check("11010519490230002"),  # 30 February
        with_check("11010518991231002"),  # before 1900
        with_check("11010519000229002"),  # 1900 is not a leap year
        with_check(f"110105{dt.date.today().year + 1}0101002"),  # born in the future
        with_check("01010519491231002"),  # region starting with 0
        with_check("91010519491231002"),  # region starting with 9
        "1101051949123100",  # 16 digits
    ]
    assert not privacy.match(bad, "resident_id").any()
    assert privacy.match([with_check("11010520000229002")], "resident_id").all()  # leap day


def test_legacy_15_digit_ids():
    assert privacy.match(["110105491231002", "440301800229123"], "resident_id").all()
    # month 13, 30 February 1981, region 0
    assert not privacy.match(
        ["110105491331002", "440301810230123", "010105491231002"], "resident_id"
    ).any()


def test_mobile_numbers():
    good = [
        "13812345678",
        "+8613812345678",
        "86 138 1234 5678",
        "0086-139-8765-4321",
        "19912345678",
    ]
    bad = ["12812345678", "1381234567", "138123456789", "+1 13812345678", "10086", "abc"]
    assert privacy.match(good, "mobile").all()
    assert not privacy.match(bad, "mobile").any()


def test_emails():
    good = ["zhang.san@example.com", "a+b@mail.example.cn", "x_y-z@sub.domain.org"]
    bad = ["zhang.san@", "@example.com", "no at sign", "a@b", "a@@b.com", "a b@example.com"]
    assert privacy.match(good, "email").all()
    assert not privacy.match(bad, "email").any()


def test_bank_cards_need_the_luhn_check():
    assert privacy.match(["4111111111111111", "4111 1111 1111 1111"], "bank_card").all()
    assert not privacy.match(["4111111111111112", "4111-1111-1111-1112"], "bank_card").any()
    cards = make_cards(200)
    assert all(luhn_ok(c) for c in cards)
    assert privacy.match(cards, "bank_card").all()
    broken = [c[:-1] + str((int(c[-1]) + 1) % 10) for c in cards]
    assert not any(luhn_ok(c) for c in broken)
    assert not privacy.match(broken, "bank_card").any()
    # too short / too long, even when the Luhn sum is right
    assert not privacy.match(["79927398713", "41111111111111111111"], "bank_card").any()


def test_a_resident_id_is_not_read_as_a_bank_card():
    ids = [v for v in make_ids(300) if v[-1] != "X" and luhn_ok(v)]
    assert ids, "some 18-digit IDs pass the Luhn check by chance"
    assert privacy.match(ids, "resident_id").all()
    assert not privacy.match(ids, "bank_card").any()


def test_ip_addresses():
    good = ["192.168.1.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::1", "fe80::1:2:3:4"]
    bad = ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "12:30:45", "gggg::1", "2001:db8::1::2"]
    assert privacy.match(good, "ip_address").all()
    assert not privacy.match(bad, "ip_address").any()


def test_licence_plates():
    good = ["粤B12345", "粤BD12345", "京A·12345", "沪C1234D", "川A-D1234F"]
    bad = ["粤12345", "AB12345", "粤b12345", "港A12345", "粤B1234", "粤B1234567"]
    assert privacy.match(good, "licence_plate").all()
    assert not privacy.match(bad, "licence_plate").any()


def test_missing_values_never_match_and_unknown_detector_is_refused():
    assert privacy.match([None, np.nan, "", "13812345678"], "mobile").tolist() == [
        False,
        False,
        False,
        True,
    ]
    with pytest.raises(errors.InputError, match=r"detector must be one of"):
        privacy.match(["x"], "passport")


# --------------------------------------------------------------------------------------------
# Detectors by name
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "detector"),
    [
        ("姓名", "name_column"),
        ("客户姓名", "name_column"),
        ("名字", "name_column"),
        ("name", "name_column"),
        ("Full_Name", "name_column"),
        ("first-name", "name_column"),
        ("last name", "name_column"),
        ("身份证", "resident_id"),
        ("身份证号", "resident_id"),
        ("id_number", "resident_id"),
        ("ID_Card", "resident_id"),
        ("citizen_id", "resident_id"),
        ("national_id", "resident_id"),
        ("SSN", "resident_id"),
        ("手机", "mobile"),
        ("手机号", "mobile"),
        ("联系电话", "mobile"),
        ("phone", "mobile"),
        ("Mobile", "mobile"),
        ("tel", "mobile"),
        ("telephone", "mobile"),
        ("customer_phone_number", "mobile"),
        ("邮箱", "email"),
        ("email", "email"),
        ("E-Mail", "email"),
        ("银行卡", "bank_card"),
        ("卡号", "bank_card"),
        ("bank_card", "bank_card"),
        ("card_number", "bank_card"),
        ("account_number", "bank_card"),
        ("住址", "address"),
        ("家庭地址", "address"),
        ("address", "address"),
        ("home_address", "address"),
        ("ip", "ip_address"),
        ("ip_address", "ip_address"),
        ("IP地址", "ip_address"),
        ("车牌", "licence_plate"),
        ("车牌号", "licence_plate"),
        ("license_plate", "licence_plate"),
        ("plate", "licence_plate"),
        ("email_address", "email"),
    ],
)
def test_column_names_in_chinese_and_english(name, detector):
    assert privacy.detect_name(name) == detector


@pytest.mark.parametrize(
    "name", ["product_name", "filename", "hotel", "zip", "user_id", "age", "ship_date", "template"]
)
def test_ordinary_column_names_are_not_flagged(name):
    assert privacy.detect_name(name) is None


# --------------------------------------------------------------------------------------------
# The scan table
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    n = 40
    rng = np.random.default_rng(7)
    ids = make_ids(n, seed=3)
    ids_mixed = ids[:28] + [wrong_check(v) for v in ids[28:]]  # 70% valid
    phones = [f"13{rng.integers(3, 10)}{rng.integers(0, 10**8):08d}" for _ in range(n)]
    return pd.DataFrame(
        {
            "cid": ids_mixed,
            "contact": phones,
            "phone_int": np.array([int(p) for p in phones], dtype=np.int64),
            "mail": [f"user{i}@example.com" for i in range(n)],
            "card": make_cards(n, seed=5),
            "ip": [f"10.0.{i}.{i + 1}" for i in range(n)],
            "plate": [f"粤B{10000 + i}" for i in range(n)],
            "few_cards": make_cards(8, seed=9) + ["none"] * 32,  # 20% of values
            "telephone": ["yes", "none"] * 20,
            "姓名": ["张三", "李四", "王五", "赵六"] * 10,
            "age": rng.integers(20, 70, n),
            "sex": ["f", "m"] * 20,
            "diagnosis": ["flu", "cold", "asthma", "flu", "cold"] * 8,
        }
    )


@pytest.fixture(scope="module")
def people_scan(people):
    return privacy.scan(people, ["age", "sex"], "diagnosis", k=3)


def row(table: pd.DataFrame, column: str, detector: str) -> pd.Series:
    hit = table[(table["column"] == column) & (table["detector"] == detector)]
    assert len(hit) == 1, f"expected one row for {column}/{detector}, got {len(hit)}"
    return hit.iloc[0]


def test_content_hits_and_their_shares(people, people_scan):
    t = people_scan.identifiers
    assert {"column", "detector", "by", "share", "n_checked", "masked_examples"} <= set(t.columns)
    expected = {
        ("cid", "resident_id"): 28 / 40,
        ("contact", "mobile"): 1.0,
        ("phone_int", "mobile"): 1.0,
        ("mail", "email"): 1.0,
        ("card", "bank_card"): 1.0,
        ("ip", "ip_address"): 1.0,
        ("plate", "licence_plate"): 1.0,
    }
    for (column, detector), share in expected.items():
        r = row(t, column, detector)
        assert r["by"] == "content"
        assert r["share"] == pytest.approx(share)
        assert bool(r["hit"])
        assert r["n_checked"] == 40
    # independent recomputation of the mixed column's share
    valid = [v[-1] == id_check_char(v[:17]) for v in people["cid"]]
    assert row(t, "cid", "resident_id")["share"] == pytest.approx(np.mean(valid))


def test_low_share_is_listed_but_not_a_hit(people_scan):
    r = row(people_scan.identifiers, "few_cards", "bank_card")
    assert r["share"] == pytest.approx(0.2)
    assert r["by"] == "content"
    assert not bool(r["hit"])


def _luhn_completed(bodies: list[str]) -> list[str]:
    return [b + next(str(d) for d in range(10) if luhn_ok(b + str(d))) for b in bodies]


def test_check_digits_passed_by_chance_are_not_identifiers():
    """Issue 13 (10): 18-digit order numbers pass the Luhn check one time in ten; a column of
    them, 9.6% Luhn-valid, is not named among the identifiers. Card numbers must also carry an
    issuer prefix of their length; a column with 20% real cards among order numbers is."""
    from scipy.stats import binom

    from szai_audit.privacy.detectors import CHANCE_ALPHA, Text, beyond_chance, chance_rate

    rng = np.random.default_rng(13)
    orders = [str(v) for v in rng.integers(10**17, 10**18, 5000)]
    luhn = np.array([luhn_ok(v) for v in orders])
    assert 0.08 < luhn.mean() < 0.12  # one in ten, independently of the detector
    # Keep exactly 9.6% Luhn-valid, the share seen on the real column.
    valid = [v for v, ok in zip(orders, luhn, strict=True) if ok][:480]
    invalid = [v for v, ok in zip(orders, luhn, strict=True) if not ok][:4520]
    column = valid + invalid
    found = privacy.match(column, "bank_card")
    # The chance rate, counted by hand over the 9,000 four-digit prefixes: those issued at
    # 18 digits are UnionPay 62 (100), Mir 2200-2204 (5), JCB 3528-3589 (62), Discover 6011,
    # 644-649 and 65 (1 + 60 + 100), Diners 36, 300-305, 38-39 (100 + 60 + 200) and Maestro
    # 50, 56-58, 63, 67 (100 + 300 + 100 + 100): 1,288, times the Luhn check's one in ten.
    p0 = chance_rate("bank_card", np.array([18]))
    assert p0 == pytest.approx(1288 / 9000 / 10, rel=1e-12)
    assert found.sum() < 0.1 * len(column)
    assert not beyond_chance(Text.of(column), "bank_card", found)
    scan = privacy.scan(pd.DataFrame({"order_no": column}))
    assert scan.identifiers.empty
    assert scan.findings()[0].status is Status.PASS
    # With one real card in five (UnionPay, Luhn-valid), the column is listed.
    mixed = make_cards(1000, seed=3) + column[:4000]
    hits = privacy.match(mixed, "bank_card")
    k = int(hits.sum())
    assert binom.sf(k - 1, len(mixed), p0) < CHANCE_ALPHA
    rows = privacy.scan(pd.DataFrame({"order_no": mixed})).identifiers
    assert list(rows["detector"]) == ["bank_card"] and not bool(rows["hit"].iloc[0])
    # Random 15-digit numbers read as legacy identity numbers 3.7% of the time: not listed.
    legacy = [str(v) for v in rng.integers(10**14, 10**15, 5000)]
    as_ids = privacy.match(legacy, "resident_id")
    assert 0.01 < as_ids.mean() < 0.05
    assert privacy.scan(pd.DataFrame({"ticket": legacy})).identifiers.empty


def test_name_hits(people_scan):
    t = people_scan.identifiers
    tel = row(t, "telephone", "mobile")
    assert tel["by"] == "name" and bool(tel["hit"]) and bool(tel["name_match"])
    assert tel["share"] == 0.0  # the content check applies and nothing matches
    name = row(t, "姓名", "name_column")
    assert name["by"] == "name"
    assert np.isnan(name["share"])  # no content check for names
    assert name["masked_examples"] == ["张***", "李***"]
    # a content hit whose name also matches stays a content hit
    ip = row(t, "ip", "ip_address")
    assert ip["by"] == "content" and bool(ip["name_match"])
    assert set(t["column"]) & {"age", "sex", "diagnosis"} == set()


def test_integer_and_whole_float_columns_are_read_as_digits():
    phones = [13812345678, 13987654321, 15011112222]
    df = pd.DataFrame(
        {
            "a": pd.array(phones, dtype="Int64"),
            "b": [13812345678.0, np.nan, 15011112222.0],
            "c": [1.5, 2.5, 3.5],
            "d": [True, False, True],
        }
    )
    t = privacy.scan(df).identifiers
    assert row(t, "a", "mobile")["share"] == 1.0
    b = row(t, "b", "mobile")
    assert b["share"] == 1.0 and b["n_checked"] == 2  # NaN left out
    assert set(t["column"]) == {"a", "b"}


MASK_SHAPES = {
    "resident_id": r"[0-9]{4}\*{10}[0-9]{3}[0-9X]|[0-9]{4}\*{7}[0-9]{4}",
    "mobile": r"1[3-9][0-9]\*{4}[0-9]{4}",
    "email": r"[^@*]\*\*\*@[A-Za-z0-9.-]+",
    "bank_card": r"[0-9]{4}( \*{1,4})+ [0-9]{4}",
    "ip_address": r"[0-9]{1,3}\.[0-9]{1,3}\.\*\.\*|[0-9a-f]{1,4}:[0-9a-f]{1,4}(:\*){6}",
    "licence_plate": r"[\u4e00-\u9fff][A-Z]\*{4,5}[A-Z0-9]",
}


def test_masked_examples_have_the_masking_shape_and_never_the_raw_value(people, people_scan):
    t = people_scan.identifiers
    raw = {str(v) for col in people.columns for v in people[col]}
    for r in t.itertuples():
        assert len(r.masked_examples) <= 2
        for example in r.masked_examples:
            assert example not in raw
            assert not any(len(v) > 3 and v in example for v in raw), example
            if r.detector in MASK_SHAPES and r.by == "content":
                assert re.fullmatch(MASK_SHAPES[r.detector], example), (r.detector, example)
    cid = row(t, "cid", "resident_id")["masked_examples"][0]
    assert cid[:4] == people["cid"].iloc[0][:4] and cid[-4:] == people["cid"].iloc[0][-4:]


def test_mask_shapes_of_each_detector():
    assert privacy.mask("440301199001011234", "resident_id").count("*") == 10
    assert privacy.mask("2001:db8::1", "ip_address") == "2001:db8:*:*:*:*:*:*"
    card = make_cards(4)[3]  # 19 digits
    assert len(card) == 19
    assert privacy.mask(card, "bank_card") == f"{card[:4]} **** **** *** {card[-4:]}"
    assert privacy.mask("6222021234567890", "bank_card") == "6***"  # not Luhn-valid
    assert privacy.mask("粤BD12345", "licence_plate") == "粤B*****5"
    assert privacy.mask("x") == "*"


def test_json_output_holds_no_raw_identifier(people, people_scan):
    text = json.dumps(people_scan.to_dict(), ensure_ascii=False, allow_nan=False)
    identifying = [
        "cid",
        "contact",
        "phone_int",
        "mail",
        "card",
        "ip",
        "plate",
        "few_cards",
        "姓名",
    ]
    for col in identifying:
        for v in people[col]:
            assert str(v) not in text, (col, v)
    d = people_scan.to_dict()
    name_row = next(r for r in d["identifiers"] if r["column"] == "姓名")
    assert name_row["share"] is None  # NaN -> None


# --------------------------------------------------------------------------------------------
# k-anonymity and l-diversity
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 600
    age = rng.integers(18, 80, n).astype(float)
    age[:20] = np.nan  # about ten per sex: missing is a class of its own
    return pd.DataFrame(
        {
            "age": age,
            "sex": rng.choice(["f", "m"], n),
            "postcode": rng.choice([f"{p:06d}" for p in range(518000, 518990, 7)], n),
            "visit": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
            "diagnosis": rng.choice(
                ["flu", "cold", "asthma", "covid"], n, p=[0.5, 0.3, 0.15, 0.05]
            ),
        }
    )


def test_k_anonymity_matches_a_groupby(survey):
    cols = ["age", "sex"]
    s = privacy.scan(survey, cols, k=5)
    sizes = survey.groupby(cols, dropna=False).size()
    per_row = survey.groupby(cols, dropna=False)["sex"].transform("size")
    q = s.quasi
    assert q.k_anonymity == int(sizes.min())
    assert q.n_classes == len(sizes)
    assert q.share_unique == pytest.approx(float((per_row == 1).mean()))
    assert q.share_below_k == pytest.approx(float((per_row < 5).mean()))
    assert q.share_below(3) == pytest.approx(float((per_row < 3).mean()))
    assert q.columns == ("age", "sex") and q.k_required == 5
    assert q.l_diversity is None


def test_missing_values_form_their_own_class():
    df = pd.DataFrame({"a": [1.0, np.nan, np.nan, 1.0, 2.0], "b": ["x", None, None, "x", "x"]})
    q = privacy.scan(df, ["a", "b"], k=2).quasi
    assert q.n_classes == 3 and q.k_anonymity == 1
    assert q.share_unique == pytest.approx(0.2)


def test_l_diversity_matches_a_groupby(survey):
    cols = ["age", "sex"]
    s = privacy.scan(survey, cols, "diagnosis", k=5, l=2)
    distinct = survey.groupby(cols, dropna=False)["diagnosis"].nunique(dropna=False)
    per_row = survey.groupby(cols, dropna=False)["diagnosis"].transform(
        lambda x: x.nunique(dropna=False)
    )
    assert s.quasi.l_diversity == int(distinct.min())
    assert s.quasi.l_by_column == {"diagnosis": int(distinct.min())}
    assert s.quasi.share_below_l == pytest.approx(float((per_row < 2).mean()))
    # with coarser classes l grows, as a groupby says
    coarse = privacy.scan(survey, ["sex"], "diagnosis", l=4).quasi
    assert coarse.l_diversity == int(survey.groupby("sex")["diagnosis"].nunique().min())


def test_age_band_suggestion_reaches_k_when_applied(survey):
    cols = ["age", "sex"]
    s = privacy.scan(survey, cols, k=5)
    assert s.quasi.k_anonymity < 5
    tip = next(t for t in s.quasi.suggestions if t["column"] == "age")
    assert tip["action"] == "band" and tip["parameter"] in (5, 10, 20)
    assert {"column", "action", "zh", "en"} <= set(tip)
    width = tip["parameter"]
    banded = survey.assign(age=np.floor(survey["age"] / width) * width)
    k_after = k_by_groupby(banded, cols)
    assert k_after == tip["k_after"]
    assert k_after >= 5 and tip["reaches_k"]
    # the finest width reaching k was chosen
    for finer in (w for w in (5, 10, 20) if w < width):
        finer_k = k_by_groupby(survey.assign(age=np.floor(survey["age"] / finer) * finer), cols)
        assert finer_k < 5
    assert f"{width:g}" in tip["en"] and f"{width:g}" in tip["zh"]


def test_postcode_and_date_suggestions_raise_k_when_applied(survey):
    s = privacy.scan(survey, ["postcode", "sex"], k=5)
    tip = next(t for t in s.quasi.suggestions if t["column"] == "postcode")
    assert tip["action"] == "truncate"
    truncated = survey.assign(postcode=survey["postcode"].str[: tip["parameter"]])
    assert k_by_groupby(truncated, ["postcode", "sex"]) == tip["k_after"]
    assert tip["k_after"] > s.quasi.k_anonymity

    s = privacy.scan(survey, ["visit", "sex"], k=5)
    tip = next(t for t in s.quasi.suggestions if t["column"] == "visit")
    assert tip["action"] in ("month", "year")
    fmt = "%Y-%m" if tip["action"] == "month" else "%Y"
    coarse = survey.assign(visit=survey["visit"].dt.strftime(fmt))
    assert k_by_groupby(coarse, ["visit", "sex"]) == tip["k_after"] >= 5


def test_no_suggestions_when_k_is_reached(survey):
    q = privacy.scan(survey, ["sex"], k=5).quasi
    assert q.k_anonymity >= 5 and q.suggestions == []


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


def statuses(scan: privacy.PrivacyScan, policy: Policy | None = None) -> dict[str, Status]:
    return {f.check: f.status for f in scan.findings(policy)}


def test_findings_for_external_and_internal_data(people):
    ext = privacy.scan(people, ["age", "sex"], "diagnosis", k=3, l=5)
    assert statuses(ext) == {
        "privacy.direct_identifiers": Status.FAIL,
        "privacy.k_anonymity": Status.FAIL,
        "privacy.l_diversity": Status.FAIL,
    }
    internal = privacy.scan(people, ["age", "sex"], "diagnosis", k=3, l=5, external=False)
    assert set(statuses(internal).values()) == {Status.WARN}
    for f in ext.findings():
        assert f.article == "33"
        assert f.message.zh and f.message.en


def test_direct_identifier_finding_names_columns_and_shares(people, people_scan):
    f = people_scan.findings()[0]
    assert f.check == "privacy.direct_identifiers"
    assert "cid" in f.message.en and "70.0%" in f.message.en and "70.0%" in f.message.zh
    assert "resident identity number" in f.message.en and "居民身份证号码" in f.message.zh
    assert "telephone" in f.message.en  # name hit asked to be checked
    assert f.value == pytest.approx(1.0) and f.threshold == 0.5
    assert all(isinstance(r, dict) for r in f.details["identifiers"])
    for v in people["contact"]:
        assert v not in f.message.en and v not in f.message.zh


def test_name_only_hits_warn_and_clean_data_pass(german):
    s = privacy.scan(german)
    t = s.identifiers
    assert list(t.loc[t["hit"], "column"]) == ["telephone"]
    assert row(t, "telephone", "mobile")["by"] == "name"
    f = s.findings()[0]
    assert f.status == Status.WARN and "telephone" in f.message.en
    clean = privacy.scan(german.drop(columns="telephone"))
    assert clean.findings()[0].status == Status.PASS


def test_k_and_l_pass_and_not_assessed(survey, people):
    s = privacy.scan(survey, ["sex"], "diagnosis", k=5, l=2)
    assert statuses(s)["privacy.k_anonymity"] == Status.PASS
    assert statuses(s)["privacy.l_diversity"] == Status.PASS
    k_f = s.findings()[1]
    assert k_f.value == s.quasi.k_anonymity and k_f.threshold == 5

    none = privacy.scan(people)
    k_f, l_f = none.findings()[1:]
    assert k_f.status == Status.NOT_ASSESSED and "quasi_identifiers" in k_f.message.en
    assert l_f.status == Status.NOT_ASSESSED and "sensitive" in l_f.message.en
    only_sensitive = privacy.scan(people, sensitive="diagnosis").findings()[2]
    assert only_sensitive.status == Status.NOT_ASSESSED
    assert "quasi_identifiers" in only_sensitive.message.en
    no_l = privacy.scan(survey, ["sex"]).findings()[2]
    assert no_l.status == Status.NOT_ASSESSED


def test_policy_k_overrides_the_scan_k(survey):
    cols = ["age", "sex"]
    k_now = k_by_groupby(survey, cols)
    s = privacy.scan(survey, cols, k=k_now + 1)
    assert statuses(s)["privacy.k_anonymity"] == Status.FAIL
    assert statuses(s, Policy(k_anonymity=k_now))["privacy.k_anonymity"] == Status.PASS
    f = s.findings(Policy(k_anonymity=k_now + 3))[1]
    per_row = survey.groupby(cols, dropna=False)["sex"].transform("size")
    assert f.threshold == k_now + 3
    assert f.details["share_below_k"] == pytest.approx(float((per_row < k_now + 3).mean()))


def test_to_dict_is_json_safe(people_scan):
    d = people_scan.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["quasi"]["k_anonymity"] == people_scan.quasi.k_anonymity
    assert [f["check"] for f in d["findings"]] == [
        "privacy.direct_identifiers",
        "privacy.k_anonymity",
        "privacy.l_diversity",
    ]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def test_the_input_frame_is_not_changed(people):
    before = copy.deepcopy(people)
    privacy.scan(people, ["age", "sex"], "diagnosis", k=50, max_rows=10)
    pd.testing.assert_frame_equal(people, before)


def test_errors_name_the_parameter(people):
    with pytest.raises(errors.InputTypeError, match=r"df must be a pandas DataFrame, got list"):
        privacy.scan([{"a": 1}])
    with pytest.raises(errors.ColumnNotFoundError, match=r"quasi_identifiers.*'agee'.*\['age'\]"):
        privacy.scan(people, ["agee", "sex"])
    with pytest.raises(errors.ColumnNotFoundError, match=r"sensitive.*'dx'"):
        privacy.scan(people, ["age"], "dx")
    with pytest.raises(errors.InputError, match=r"k must be an integer >= 1.*got 0"):
        privacy.scan(people, k=0)
    with pytest.raises(errors.InputError, match=r"l must be an integer >= 1.*got 1.5"):
        privacy.scan(people, l=1.5)
    with pytest.raises(errors.InputError, match=r"both quasi_identifiers and sensitive"):
        privacy.scan(people, ["age", "sex"], "sex")


def test_empty_frame():
    s = privacy.scan(pd.DataFrame({"age": pd.Series([], dtype=float)}), ["age"])
    assert len(s.identifiers) == 0
    assert statuses(s)["privacy.k_anonymity"] == Status.INSUFFICIENT_DATA
    assert statuses(s)["privacy.direct_identifiers"] == Status.PASS


@pytest.mark.slow
def test_a_large_frame_scans_and_samples():
    n = 200_000
    rng = np.random.default_rng(0)
    ids = make_ids(2_000, seed=9)
    df = pd.DataFrame(
        {
            "cid": rng.choice(ids, n),
            "phone": 13_800_000_000 + rng.integers(0, 10**8, n),
            "mail": [f"u{i}@example.com" for i in range(n)],
            "age": rng.integers(18, 90, n),
            "postcode": rng.integers(100_000, 999_999, n).astype(str),
            "city": rng.choice(list("abcdefgh"), n),
            "income": rng.normal(8000, 2000, n),
            "diagnosis": rng.choice(["a", "b", "c"], n),
        }
    )
    s = privacy.scan(df, ["age", "postcode", "city"], "diagnosis")
    hits = s.identifiers[s.identifiers["hit"]]
    assert dict(zip(hits["column"], hits["detector"], strict=True)) == {
        "cid": "resident_id",
        "phone": "mobile",
        "mail": "email",
    }
    assert (hits["share"] == 1.0).all()
    assert s.quasi.k_anonymity == k_by_groupby(df, ["age", "postcode", "city"])
    sampled = privacy.scan(df, max_rows=5_000, random_state=1)
    assert sampled.n_scanned == 5_000 and sampled.n_rows == n
    assert (sampled.identifiers["n_checked"] == 5_000).all()
    assert "5,000 of 200,000" in sampled.findings()[0].message.en
    assert "5,000 行，共 200,000 行" in sampled.findings()[0].message.zh


def test_a_minority_of_valid_ids_is_still_found_and_partial_matches_warn():
    # 40 valid identity numbers among 100 values: one matching ID is enough (review finding).
    ids = make_ids(40, seed=9)
    frame = pd.DataFrame({"cert": ids + ["未提供"] * 60})
    (direct, *_) = privacy.scan(frame).findings()
    assert direct.status is Status.FAIL and "cert" in direct.message.en
    # A few mobile-like values in a column (10%): not a hit, but not a PASS either.
    frame = pd.DataFrame({"num": ["13812345678"] * 10 + ["x"] * 90})
    (direct, *_) = privacy.scan(frame).findings()
    assert direct.status is Status.WARN and "Some values have the form" in direct.message.en


def test_the_audit_judges_k_as_the_user_asked():
    import szai_audit as sa

    zip_codes = np.repeat(["518000", "518001", "518002"], 4)
    frame = pd.DataFrame({"zip": zip_codes, "sex": ["f", "m"] * 6})
    y = np.arange(12) % 2
    result = sa.Audit(
        y_pred=y,
        data=frame,
        sensitive={"gender": "sex"},
        privacy={"quasi_identifiers": ["zip"], "k": 3},
    ).run()
    (k,) = [f for f in result.findings if f.check == "privacy.k_anonymity"]
    assert k.status is Status.PASS and k.threshold == 3 and k.value == 4
    assert result.privacy.quasi.k_required == 3


# ------------------------------------------------------------------------------------------
# Art. 33(2) words: display names, integer k, plain generalisations, page-1 statements
# ------------------------------------------------------------------------------------------

LABELS = {
    "age": ("年龄", "age", "岁/years"),
    "personal_status": ("婚姻状况与性别", "marital status and sex"),
    "job": ("职业", "job"),
}
CODE_WORDS = ("Attestation", "privacy=", "result.", "quasi_identifiers", "sensitive=", "⌊")


def _people(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(19, 75, n),
            "personal_status": rng.choice(["a", "b", "c", "d"], n),
            "job": rng.choice(["j1", "j2", "j3", "j4"], n, p=[0.6, 0.3, 0.07, 0.03]),
            "note": rng.choice(["x", "y"], n),
        }
    )


def test_messages_use_display_names_integer_k_and_plain_generalisations():
    s = privacy.scan(_people(), ["age", "personal_status", "job"], external=False, labels=LABELS)
    k_f = next(f for f in s.findings() if f.check == "privacy.k_anonymity")
    zh = k_f.message.zh
    assert "年龄、婚姻状况与性别、职业" in zh
    assert "personal_status" not in zh and "age" not in zh
    assert f"k 匿名度为 {s.quasi.k_anonymity}（要求至少 5）" in zh
    assert "个百分点" not in zh and "⌊" not in zh
    tip = s.quasi.suggestions[0]
    assert tip["column"] == "age" and tip["zh"].startswith("将年龄按 ")
    assert "岁一档分段" in tip["zh"] and "floor" not in tip["en"]
    for f in s.findings():
        for word in CODE_WORDS:
            assert word not in f.message.zh, (word, f.message.zh)
    # Without a display name the raw column name appears, quoted.
    raw = privacy.scan(_people(), ["age", "job"], external=False)
    assert "“age”、“job”" in raw.findings()[1].message.zh


def test_not_scanned_names_no_code_in_chinese():
    f = privacy.not_scanned()
    for word in CODE_WORDS:
        assert word not in f.message.zh
    assert "privacy=" not in f.message.en and "k-anonymity" in f.message.en  # in words


def test_conclusion_statements_33():
    from types import SimpleNamespace

    from szai_audit.privacy.page import conclusion_statements, privacy_page

    s = privacy.scan(_people(), ["age", "personal_status", "job"], external=False, labels=LABELS)
    findings = s.findings()
    said = conclusion_statements(SimpleNamespace(findings=findings, privacy=s))
    first = said[0]
    assert first.article == "33" and first.anchor == "art-33"
    assert first.checks == ("privacy.k_anonymity@",)
    assert first.status is Status.WARN
    share = f"{100 * s.quasi.share_unique:.1f}%"
    assert first.text.zh == (
        f"数据中年龄、婚姻状况与性别、职业的组合使 {share} 的记录可被唯一识别"
        f"（k = {s.quasi.k_anonymity}，要求至少 5）；数据仅内部使用。"
    )
    assert first.action is not None and first.action.zh.startswith("对外提供前将年龄分段")
    assert first.action.zh.endswith("使 k 至少为 5。")
    # Data for others: a FAIL, and the action asks for it before the data are provided.
    out = privacy.scan(_people(), ["age", "job"], labels=LABELS)
    [k_said] = [
        x
        for x in conclusion_statements(SimpleNamespace(findings=out.findings(), privacy=out))
        if x.checks == ("privacy.k_anonymity@",)
    ]
    assert k_said.status is Status.FAIL and "数据拟对外提供" in k_said.text.zh
    # No scan: said so, with what to do; no Art. 33(2) finding at all: nothing.
    none = conclusion_statements(SimpleNamespace(findings=[privacy.not_scanned()], privacy=None))
    assert [x.status for x in none] == [Status.NOT_ASSESSED] and none[0].action is not None
    assert conclusion_statements(SimpleNamespace(findings=[], privacy=None)) == []
    # The page part: display names, integer k, counts with separators.
    page = privacy_page(SimpleNamespace(privacy=s, findings=findings))
    rows = {label.en: value for label, value in page["quasi"]}
    assert rows["k-anonymity (achieved / required)"] == f"{s.quasi.k_anonymity} / 5"
    assert rows["Quasi-identifiers"].zh == "年龄、婚姻状况与性别、职业"
    big = privacy.scan(pd.concat([_people()] * 5, ignore_index=True), ["age"], labels=LABELS)
    assert privacy_page(SimpleNamespace(privacy=big, findings=[]))["n_rows"] == "1,500"


def test_empty_identifier_columns_are_not_rendered():
    from types import SimpleNamespace

    from szai_audit.privacy.page import privacy_page

    df = pd.DataFrame({"姓名": ["张三", "李四", "王五"], "x": [1, 2, 3]})
    s = privacy.scan(df)
    page = privacy_page(SimpleNamespace(privacy=s, findings=s.findings()))
    assert page["identifiers"] and page["show_share"] is False
