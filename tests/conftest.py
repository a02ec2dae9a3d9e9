"""Shared fixtures: the German Credit data, a fitted pipeline, and a demo result."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import szai_audit as sa


@pytest.fixture(scope="session")
def german() -> pd.DataFrame:
    return sa.datasets.load_german_credit()


@pytest.fixture(scope="session")
def german_split(german):
    y = german["good_credit"]
    return train_test_split(german, y, test_size=0.3, random_state=0, stratify=y)


@pytest.fixture(scope="session")
def german_pipeline(german, german_split):
    X_train, _, y_train, _ = german_split
    features = [c for c in german.columns if c not in ("good_credit", "sex")]
    categorical = [c for c in features if german[c].dtype.kind not in "iuf"]
    numeric = [c for c in features if c not in categorical]
    pipe = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [
                        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
                        ("num", StandardScaler(), numeric),
                    ]
                ),
            ),
            ("clf", LogisticRegression(max_iter=1000)),
        ]
    )
    return pipe.fit(X_train, y_train)


@pytest.fixture(scope="session")
def german_result(german_split, german_pipeline):
    _, X_test, _, y_test = german_split
    return sa.Audit(
        model=german_pipeline,
        data=X_test,
        y_true=y_test,
        sensitive={"gender": "sex", "nationality": "foreign_worker", "age": "age"},
        bins={"age": [25, 40, 60]},
        metadata={"organisation": "Test Org", "system_name": "Loan model"},
    ).run(random_state=0)


@pytest.fixture(scope="session")
def credit_demo():
    """The credit demo's audit result (``szai_audit.demos.demo_result()``), run once."""
    from szai_audit.demos import demo_result

    return demo_result()


@pytest.fixture(scope="session")
def pricing_demo():
    """The fare-pricing demo's audit result (``szai_audit.demos.pricing_demo_result()``), run
    once."""
    from szai_audit.demos import pricing_demo_result

    return pricing_demo_result()
