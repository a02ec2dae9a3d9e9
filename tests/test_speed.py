"""Issue 26: the whole audit fast and visible.

Threads of the audit's own fits (one by default, never above the user's limit), one call of the
model per row set, progress for every stage, time and memory linear in the groups. Times are
measured by ``benchmarks/`` (bench_audit.py, bench_groups.py, bench_report.py), never asserted
here: these tests check what the speed rests on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import szai_audit as sa
from szai_audit.core import threads


def _openmp_threads() -> set[int]:
    return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"}


def _small_log(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m"], n)
    data = pd.DataFrame(
        {
            "income": rng.normal(size=n) + (sex == "m"),
            "debt": rng.normal(size=n),
            "purpose": rng.choice(["car", "home", "study"], n),
            "sex": sex,
        }
    )
    y_pred = (data["income"] + rng.normal(size=n) > 0.5).astype(int).to_numpy()
    y_true = (data["income"] + rng.normal(size=n) > 0.3).astype(int).to_numpy()
    return data, y_pred, y_true


@pytest.fixture
def fit_threads(monkeypatch):
    """The OpenMP threads each of the proxy check's boosting fits ran with."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    seen: list[set[int]] = []
    original = HistGradientBoostingClassifier.fit

    def spy(self, *args, **kwargs):
        seen.append(_openmp_threads())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", spy)
    return seen


def test_own_fits_run_on_one_thread_by_default(fit_threads):
    data, y_pred, y_true = _small_log()
    sa.Audit(data=data, y_pred=y_pred, y_true=y_true, sensitive={"gender": "sex"}).run()
    assert fit_threads, "the proxy check fitted no model"
    assert all(s == {1} for s in fit_threads), fit_threads


def test_n_threads_none_uses_the_usable_cores(fit_threads):
    data, y_pred, y_true = _small_log()
    audit = sa.Audit(
        data=data, y_pred=y_pred, y_true=y_true, sensitive={"gender": "sex"}, n_threads=None
    )
    audit.run()
    cores = threads.usable_cores()
    assert fit_threads and all(s == {min(cores, t) for t in s} for s in fit_threads)
    with threads.own_threads(None), threads.limited_threads() as cap:
        assert cap == cores


def test_a_limit_the_user_set_is_never_raised(fit_threads):
    """``OMP_NUM_THREADS=1`` (or threadpool_limits(1)) stays in force whatever n_threads says;
    before issue 26 the limiter raised it back to the core count."""
    data, y_pred, y_true = _small_log()
    with threadpool_limits(limits=1):
        for n in (None, 4):
            sa.Audit(
                data=data, y_pred=y_pred, y_true=y_true, sensitive={"gender": "sex"}, n_threads=n
            ).run()
        with threads.limited_threads(8):
            assert _openmp_threads() == {1}
    assert fit_threads and all(s == {1} for s in fit_threads)


def test_the_result_does_not_depend_on_n_threads():
    data, y_pred, y_true = _small_log(2_000)
    kw = {"data": data, "y_pred": y_pred, "y_true": y_true, "sensitive": {"gender": "sex"}}
    one = sa.Audit(**kw).run(random_state=3)
    every = sa.Audit(**kw, n_threads=None).run(random_state=3)
    assert one.content_sha256 == every.content_sha256
    assert one.proxies["gender"].all_features_auc == every.proxies["gender"].all_features_auc


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_n_threads_is_checked(bad):
    data, y_pred, y_true = _small_log()
    with pytest.raises(sa.errors.InputTypeError, match="n_threads"):
        sa.Audit(data=data, y_pred=y_pred, sensitive={"gender": "sex"}, n_threads=bad).run()
