"""The UCI Statlog (German Credit Data) set, shipped inside the package.

Source: Prof. Dr. Hans Hofmann, Institut für Statistik und Ökonometrie, Universität Hamburg
(1994); UCI Machine Learning Repository, https://doi.org/10.24432/C5NC77, licensed there under
Creative Commons Attribution 4.0 (CC BY 4.0). The raw file ``german.data``, its codebook
``german.doc.txt`` and the code-to-label map ``values_maps.json`` are kept unmodified in
``szai_audit/datasets/german_credit/``.
"""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd

__all__ = ["GERMAN_LABELS", "GERMAN_VALUE_LABELS", "load_german_credit"]

# Column names, in the order of the 20 attributes of german.data, then the class.
_COLUMNS = [
    ("checking_status", "status"),
    ("duration_months", None),
    ("credit_history", "credit_history"),
    ("purpose", "purpose"),
    ("credit_amount", None),
    ("savings", "savings"),
    ("employment_since", "present_employment"),
    ("installment_rate", None),
    ("personal_status", "status_sex"),
    ("other_debtors", "other_debtors"),
    ("residence_since", None),
    ("property", "property"),
    ("age", None),
    ("other_installment_plans", "installment_plans"),
    ("housing", "housing"),
    ("existing_credits", None),
    ("job", "job"),
    ("num_dependents", None),
    ("telephone", "telephone"),
    ("foreign_worker", "foreign_worker"),
    ("credit", "credit"),
]

# Attribute 9 (personal status and sex) is the only source of sex in the data.
_SEX = {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}


def _tidy(label: object) -> str:
    if isinstance(label, bool):
        return "yes" if label else "no"
    text = " ".join(str(label).split())
    return text.replace(" : ", ": ").replace(" :", ":")


def load_german_credit() -> pd.DataFrame:
    """Load the German Credit data: 1,000 loan applicants, decoded into readable columns.

    Returns
    -------
    pandas.DataFrame
        1,000 rows. The 20 attributes of the original data with readable names and labels
        (``checking_status``, ``duration_months``, ``credit_history``, ``purpose``,
        ``credit_amount``, ``savings``, ``employment_since``, ``installment_rate``,
        ``personal_status``, ``other_debtors``, ``residence_since``, ``property``, ``age``,
        ``other_installment_plans``, ``housing``, ``existing_credits``, ``job``,
        ``num_dependents``, ``telephone``, ``foreign_worker``), plus:

        * ``sex``: ``"male"`` / ``"female"``, derived from ``personal_status`` (attribute 9,
          codes A91, A93, A94 are male; A92, A95 female), an Art. 72(2)(iv) gender ground;
        * ``good_credit``: the target, 1 = good credit risk (700 rows), 0 = bad (300 rows).

        ``foreign_worker`` is ``"yes"`` / ``"no"`` (a nationality ground) and ``age`` is in
        years. Categorical columns are strings; numeric ones integers.

    Notes
    -----
    Statlog (German Credit Data), Prof. Dr. Hans Hofmann, Universität Hamburg, 1994; UCI
    Machine Learning Repository, https://doi.org/10.24432/C5NC77, CC BY 4.0. The data record
    no applicant with code A95 (single women), so ``personal_status`` and ``sex`` are not
    independent of marital status. The codebook asks for a cost matrix (predicting "good" for
    a bad applicant costs 5, the reverse 1); this loader leaves costs to the user.

    Examples
    --------
    >>> from szai_audit.datasets import load_german_credit
    >>> df = load_german_credit()
    >>> df.shape
    (1000, 22)
    >>> df["sex"].value_counts().to_dict()
    {'male': 690, 'female': 310}
    >>> int(df["good_credit"].sum())
    700
    """
    folder = resources.files("szai_audit.datasets") / "german_credit"
    maps = json.loads((folder / "values_maps.json").read_text(encoding="utf-8"))
    raw = pd.read_csv(
        folder / "german.data", sep=" ", header=None, dtype=str, names=[c for c, _ in _COLUMNS]
    )
    out = {}
    for col, key in _COLUMNS:
        if key is None:
            out[col] = raw[col].astype("int64")
        elif col == "credit":
            continue
        else:
            mapping = {code: _tidy(label) for code, label in maps[key].items()}
            unknown = set(raw[col]) - set(mapping)
            if unknown:  # pragma: no cover - guards the shipped files
                raise ValueError(f"german.data has codes {sorted(unknown)} missing from the map")
            out[col] = raw[col].map(mapping).astype(str)
    frame = pd.DataFrame(out)
    frame["sex"] = raw["personal_status"].map(_SEX).astype(str)
    frame["good_credit"] = (raw["credit"] == "1").astype("int64")
    return frame


#: Display names (Chinese, English, unit) of the German Credit columns, for the explanation.
GERMAN_LABELS = {
    "checking_status": ("支票账户状况", "checking account status"),
    "duration_months": ("贷款期限", "loan duration", "月/months"),
    "credit_history": ("信用记录", "credit history"),
    "purpose": ("贷款用途", "loan purpose"),
    "credit_amount": ("贷款金额", "loan amount", "马克/DM"),
    "savings": ("储蓄", "savings"),
    "employment_since": ("在职时间", "time in current job"),
    "installment_rate": ("月供占可支配收入比例", "instalment as share of disposable income", ""),
    "personal_status": ("婚姻状况与性别", "marital status and sex"),
    "other_debtors": ("其他债务人或担保人", "other debtors or guarantors"),
    "residence_since": ("现住址居住时间", "time at current address", ""),
    "property": ("财产", "property"),
    "age": ("年龄", "age", "岁/years"),
    "other_installment_plans": ("其他分期付款", "other instalment plans"),
    "housing": ("住房", "housing"),
    "existing_credits": ("在本行的贷款笔数", "loans at this bank", ""),
    "job": ("职业", "job"),
    "num_dependents": ("需供养的人数", "people the applicant supports", ""),
    "telephone": ("登记电话", "registered telephone"),
    "foreign_worker": ("是否外籍", "foreign worker"),
}


#: Display names of the German Credit category values (``value_labels``), in the codebook's
#: meaning (german.doc.txt); DM is the Deutsche Mark.
GERMAN_VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "sex": {"female": ("女性", "female"), "male": ("男性", "male")},
    "foreign_worker": {"yes": ("外籍", "foreign worker"), "no": ("非外籍", "not a foreign worker")},
    "checking_status": {
        "... < 0 DM": ("低于 0 马克", "below 0 DM"),
        "0 <= ... < 200 DM": ("0 至 200 马克（不含 200）", "0 to under 200 DM"),
        "... >= 200 DM / salary assignments for at least 1 year": (
            "200 马克及以上，或工资代发满 1 年",
            "200 DM or more, or salary paid in for at least 1 year",
        ),
        "no checking account": ("无支票账户", "no checking account"),
    },
    "credit_history": {
        "no credits taken/ all credits paid back duly": (
            "未曾贷款，或贷款均已按时还清",
            "no loans taken, or all repaid on time",
        ),
        "all credits at this bank paid back duly": (
            "在本行的贷款均已按时还清",
            "all loans at this bank repaid on time",
        ),
        "existing credits paid back duly till now": (
            "现有贷款至今按时还款",
            "existing loans repaid on time so far",
        ),
        "delay in paying off in the past": ("过去曾逾期还款", "late repayments in the past"),
        "critical account/ other credits existing (not at this bank)": (
            "高风险账户，或在他行另有贷款",
            "critical account, or loans at other banks",
        ),
    },
    "purpose": {
        "car (new)": ("购买新车", "new car"),
        "car (used)": ("购买二手车", "used car"),
        "furniture/equipment": ("家具或设备", "furniture or equipment"),
        "radio/television": ("收音机或电视机", "radio or television"),
        "domestic appliances": ("家用电器", "household appliances"),
        "repairs": ("维修", "repairs"),
        "education": ("教育", "education"),
        "retraining": ("职业再培训", "retraining"),
        "business": ("经营", "business"),
        "others": ("其他", "other"),
    },
    "savings": {
        "... < 100 DM": ("低于 100 马克", "below 100 DM"),
        "100 <= ... < 500 DM": ("100 至 500 马克（不含 500）", "100 to under 500 DM"),
        "500 <= ... < 1000 DM": ("500 至 1,000 马克（不含 1,000）", "500 to under 1,000 DM"),
        ".. >= 1000 DM": ("1,000 马克及以上", "1,000 DM or more"),
        "unknown/ no savings account": ("不详或无储蓄账户", "unknown, or no savings account"),
    },
    "employment_since": {
        "unemployed": ("无业", "unemployed"),
        "... < 1 year": ("不满 1 年", "under 1 year"),
        "1 <= ... < 4 years": ("1 至 4 年（不含 4 年）", "1 to under 4 years"),
        "4 <= ... < 7 years": ("4 至 7 年（不含 7 年）", "4 to under 7 years"),
        ".. >= 7 years": ("7 年及以上", "7 years or more"),
    },
    "personal_status": {
        "male: divorced/separated": ("男性，离婚或分居", "man, divorced or separated"),
        "female: divorced/separated/married": (
            "女性，离婚、分居或已婚",
            "woman, divorced, separated or married",
        ),
        "male: single": ("男性，单身", "man, single"),
        "male: married/widowed": ("男性，已婚或丧偶", "man, married or widowed"),
    },
    "other_debtors": {
        "none": ("无", "none"),
        "co-applicant": ("共同申请人", "co-applicant"),
        "guarantor": ("担保人", "guarantor"),
    },
    "property": {
        "real estate": ("不动产", "real estate"),
        "building society savings agreement / life insurance": (
            "住房储蓄合同或人寿保险",
            "building-society savings or life insurance",
        ),
        "car or other": ("汽车或其他财产", "car or other property"),
        "unknown / no property": ("不详或无财产", "unknown, or no property"),
    },
    "other_installment_plans": {
        "bank": ("银行", "bank"),
        "stores": ("商店", "stores"),
        "none": ("无", "none"),
    },
    "housing": {
        "rent": ("租房", "rent"),
        "own": ("自有住房", "own home"),
        "for free": (
            "免费居住",
            "lives for free",
        ),
    },
    "job": {
        "unemployed/ unskilled - non-resident": (
            "无业或非常住的非技术人员",
            "unemployed, or unskilled and non-resident",
        ),
        "unskilled - resident": ("常住的非技术人员", "unskilled, resident"),
        "skilled employee/ official": ("技术雇员或公务人员", "skilled employee or official"),
        "management/ self-employed/ highly qualified employee/ officer": (
            "管理人员、自雇人士或高级专业人员",
            "manager, self-employed or highly qualified employee",
        ),
    },
    "telephone": {"yes": ("有", "yes"), "no": ("无", "no")},
    # Four inputs the Statlog codebook calls numerical are codes of classes; their meaning is
    # that of the corrected codebook of the same data (Groemping 2019, "South German Credit
    # Data: Correcting a Widely Used Data Set", Beuth University Report 4/2019).
    "installment_rate": {
        "1": ("35% 及以上", "35% or more"),
        "2": ("25% 至 35%（不含 35%）", "25% to under 35%"),
        "3": ("20% 至 25%（不含 25%）", "20% to under 25%"),
        "4": ("低于 20%", "under 20%"),
    },
    "residence_since": {
        "1": ("不足 1 年", "under 1 year"),
        "2": ("1 至 4 年（不含 4 年）", "1 to under 4 years"),
        "3": ("4 至 7 年（不含 7 年）", "4 to under 7 years"),
        "4": ("7 年及以上", "7 years or more"),
    },
    "existing_credits": {
        "1": ("1 笔", "1"),
        "2": ("2 至 3 笔", "2 to 3"),
        "3": ("4 至 5 笔", "4 to 5"),
        "4": ("6 笔及以上", "6 or more"),
    },
    "num_dependents": {"1": ("3 人及以上", "3 or more"), "2": ("0 至 2 人", "0 to 2")},
}
