"""The whole audit as a new user runs it: seconds per stage at 10k, 100k and 1M rows.

Workload (issue 26): a synthetic credit table of 20 inputs (14 numeric, 6 text), three grounds
(gender, nationality, and age, numeric and binned into quartiles; the grounds are not model
inputs), audited at the default Policy either as a **decision log** (``y_pred`` and ``y_score``
given, no model) or with a fitted **LightGBM** classifier (``predict_proba``). ``run()`` and
``to_html()`` are timed together, as a user waits for both.

Each configuration runs in a fresh process. ``--load N`` starts N busy processes for the whole
run, the shared machine of the issue (a load of about 5 on 2 cores). ``--before DIR`` also runs
every configuration with the package as it is in DIR (a checkout of an earlier commit, e.g.
``git worktree add /tmp/before a720826``, the last commit before issue 26), one after the other
with today's, so the two rows are measured under the same load, and checks that the proxy
rankings are the same and each all-features AUC within its own 95% interval of the one
before::

    git worktree add /tmp/before a720826
    .venv/bin/python benchmarks/bench_audit.py --sizes 1e4 1e5 1e6 --load 4 --before /tmp/before
    .venv/bin/python benchmarks/bench_audit.py --sizes 1e4 --models lightgbm

The "floor" column is one ``predict_proba`` of the model on all rows, measured in the same
process: what the prediction stage cannot go below.
"""

from __future__ import annotations

import argparse
import inspect
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

NUMERIC = [f"x{i}" for i in range(14)]
TEXT = [f"c{i}" for i in range(6)]
FEATURES = NUMERIC + TEXT
GROUNDS = {"gender": "sex", "nationality": "foreign_worker", "age": "age"}


def make_credit(n: int, seed: int) -> pd.DataFrame:
    """``n`` synthetic applicants: 20 inputs, the three grounds, the outcome."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n, p=[0.45, 0.55])
    foreign = rng.choice(["no", "yes"], n, p=[0.9, 0.1])
    age = rng.integers(18, 80, n)
    cols: dict[str, np.ndarray] = {}
    for i, name in enumerate(NUMERIC):
        cols[name] = rng.normal(size=n) + (0.3 * (sex == "male") if i == 0 else 0.0)
    levels = [3, 4, 5, 8, 12, 20]
    for name, k in zip(TEXT, levels, strict=True):
        cols[name] = np.array([f"{name}_{j}" for j in range(k)], dtype=object)[
            rng.integers(0, k, n)
        ]
    frame = pd.DataFrame(cols)
    logit = frame["x0"] - 0.5 * frame["x1"] + 0.3 * frame["x2"] + 0.01 * (age - 40)
    frame["repaid"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    frame["sex"], frame["foreign_worker"], frame["age"] = sex, foreign, age
    return frame


def _fit_lightgbm(train: pd.DataFrame):  # type: ignore[no-untyped-def]
    import lightgbm as lgb

    X = train[FEATURES].astype(dict.fromkeys(TEXT, "category"))
    return lgb.LGBMClassifier(n_estimators=100, num_leaves=31, verbose=-1, random_state=0).fit(
        X, train["repaid"]
    )


def worker(rows: int, model_kind: str) -> dict:
    import szai_audit as sa

    data = make_credit(rows, seed=1)
    X = data[FEATURES]
    floor = None
    if model_kind == "lightgbm":
        model = _fit_lightgbm(make_credit(20_000, seed=999))
        X = X.astype(dict.fromkeys(TEXT, "category"))
        t0 = time.perf_counter()
        model.predict_proba(X)
        floor = time.perf_counter() - t0
        kw = {"model": model}
    else:
        model = _fit_lightgbm(make_credit(20_000, seed=999))
        score = model.predict_proba(X.astype(dict.fromkeys(TEXT, "category")))[:, 1]
        kw = {"y_pred": (score >= 0.5).astype(int), "y_score": score}
    if "n_threads" in inspect.signature(sa.Audit).parameters:  # not before issue 26
        kw["n_threads"] = 1
    t0 = time.perf_counter()
    result = sa.Audit(
        data=X,
        y_true=data["repaid"],
        sensitive=GROUNDS,
        sensitive_data=data[list(GROUNDS.values())],
        verbose=False,
        **kw,
    ).run(random_state=0)
    result.to_html()
    total = time.perf_counter() - t0
    return {
        "total": total,
        "stages": result.manifest["stage_seconds"],
        "floor": floor,
        "verdict": result.verdict,
        "hash": result.content_sha256,
        "proxies": {
            g: {
                "ranking": list(r.features.index),
                "auc": r.all_features_auc,
                "se": r.all_features_auc_se,
            }
            for g, r in result.fairness.proxies.items()
        },
    }


def _same_proxies(before: dict, after: dict) -> str:
    """Whether the proxy rankings are equal and each all-features AUC lies within the 95%
    interval of the one before."""
    parts = []
    for g, b in before["proxies"].items():
        a = after["proxies"][g]
        same = a["ranking"] == b["ranking"]
        inside = abs(a["auc"] - b["auc"]) <= 1.96 * b["se"]
        parts.append(
            f"{g}: ranking {'same' if same else 'DIFFERS'}, all-features AUC "
            f"{b['auc']:.4f} -> {a['auc']:.4f} ({'within' if inside else 'OUTSIDE'} "
            f"±{1.96 * b['se']:.4f})"
        )
    return "; ".join(parts)


def _busy() -> None:  # pragma: no cover - a load generator
    while True:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e4, 1e5, 1e6])
    parser.add_argument("--models", nargs="+", default=["log", "lightgbm"])
    parser.add_argument("--load", type=int, default=0, help="busy processes to start")
    parser.add_argument("--before", help="a checkout of the package before, run alongside")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        rows, kind = args.worker
        print(json.dumps(worker(int(rows), kind)))
        return
    load = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(args.load)]
    for p in load:
        p.start()
    here = str(Path(__file__).resolve().parent.parent)
    settings = [(here, "today")]
    if args.before:
        settings.insert(0, (str(Path(args.before).resolve()), "before"))
    stages = [
        "predictions",
        "bootstrap",
        "proxies",
        "explanation",
        "recourse",
        "fix cost",
        "report",
    ]
    head = f"{'rows':>9} {'model':<9} {'code':<7} {'total':>7} " + " ".join(
        f"{s[:11]:>11}" for s in stages
    )
    print(f"load: {args.load} busy processes on {os.cpu_count()} CPUs; seconds")
    print(head)
    try:
        for size in args.sizes:
            for kind in args.models:
                for source, label in settings:
                    cmd = [sys.executable, __file__, "--worker", str(int(size)), kind]
                    env = {**os.environ, "PYTHONPATH": source}
                    out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
                    if out.returncode != 0:
                        print(out.stderr[-2000:])
                        continue
                    r = json.loads(out.stdout.strip().splitlines()[-1])
                    cells = " ".join(f"{r['stages'].get(s, 0.0):>11.2f}" for s in stages)
                    floor = "" if r["floor"] is None else f"  floor {r['floor']:.2f}"
                    share = r["stages"].get("proxies", 0.0) / r["total"]
                    print(
                        f"{int(size):>9,} {kind:<9} {label:<7} {r['total']:>7.1f} {cells}"
                        f"{floor}  proxies {share:.0%}  {r['verdict']}",
                        flush=True,
                    )
                    if label == "before":
                        before = r
                    elif args.before:
                        print(" " * 10 + _same_proxies(before, r), flush=True)
    finally:
        for p in load:
            p.terminate()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
