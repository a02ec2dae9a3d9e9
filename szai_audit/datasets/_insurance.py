"""The medical insurance costs data (Lantz, *Machine Learning with R*), shipped in the package.

Source: the datasets accompanying Brett Lantz, *Machine Learning with R* (Packt Publishing),
stated there to be in the public domain. The file ``insurance.csv`` is kept unmodified in
``szai_audit/datasets/insurance/``.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

_DTYPES = {
    "age": "int64",
    "sex": str,
    "bmi": "float64",
    "children": "int64",
    "smoker": str,
    "region": str,
    "charges": "float64",
}


def load_insurance() -> pd.DataFrame:
    """Load the medical insurance costs data: 1,338 insured people and what they cost.

    Returns
    -------
    pandas.DataFrame
        1,338 rows: ``age`` (years), ``sex`` (``"female"`` / ``"male"``), ``bmi`` (body-mass
        index), ``children`` (dependants covered), ``smoker`` (``"yes"`` / ``"no"``),
        ``region`` (``"northeast"``, ``"northwest"``, ``"southeast"``, ``"southwest"``) and
        ``charges`` (medical costs billed, in US dollars, all positive).

    Notes
    -----
    From the datasets accompanying Brett Lantz, *Machine Learning with R*, stated there to be
    in the public domain. The records are simulated from US demographic statistics; they are a
    teaching set, not an insurer's book.

    Examples
    --------
    >>> from szai_audit.datasets import load_insurance
    >>> df = load_insurance()
    >>> df.shape
    (1338, 7)
    >>> df["smoker"].value_counts().to_dict()
    {'no': 1064, 'yes': 274}
    >>> bool((df["charges"] > 0).all())
    True
    """
    path = resources.files("szai_audit.datasets") / "insurance" / "insurance.csv"
    with path.open("r", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, dtype=_DTYPES)
    return frame
