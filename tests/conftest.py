"""Shared fixtures: the German Credit data, a fitted pipeline, and a demo result; a fast policy
and one thread for the tests whose property does not depend on either.

The inner loop is ``make test-fast`` (``pytest -m "not slow"``); ``make test`` runs everything
(docs/development.md).
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import szai_audit as sa

# Saved audits are signed only when a test sets the key itself (tests/test_hostile_files.py):
# a key in the environment of the run would add content_hmac to every JSON the tests compare.
os.environ.pop("SZAI_AUDIT_KEY", None)

#: Settings that only make an audit quicker: fewer bootstrap resamples and fewer orders for the
#: pricing counterfactual. For tests of a property that holds at any number of resamples or
#: orders (two ways of computing the same audit give equal results, a result is deterministic,
#: the inputs are not mutated, a value never reaches an output), never for tests of the numbers
#: themselves (intervals, coverage, recovered markups) nor where golden files pin them.
FAST_SETTINGS = {"n_bootstrap": 200, "counterfactual_orders": 300}


@pytest.fixture(scope="session")
def fast_policy():
    """``fast_policy(**settings)``: a :class:`szai_audit.Policy` with :data:`FAST_SETTINGS`,
    and the given settings on top (``fast_policy(proxy_max_rows=300)``)."""

    def make(**settings) -> sa.Policy:
        return sa.Policy(**{**FAST_SETTINGS, **settings})

    return make


@pytest.fixture(scope="module")
def one_thread():
    """OpenMP and BLAS on one thread while a module runs (``pytestmark =
    pytest.mark.usefixtures("one_thread")``): the models fitted and audited by its tests (tree
    ensembles, boosters) otherwise start a thread per core for every small prediction, and on a
    shared machine whose cores are busy these threads waiting for each other made a test several
    times slower (docs/scale.md, Threads). The audit's result does not depend on the threads
    (tests/test_speed.py checks it); never used where the threads are the property tested."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


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
