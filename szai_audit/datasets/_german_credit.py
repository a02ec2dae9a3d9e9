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
