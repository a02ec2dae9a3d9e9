"""Benchmark: notices for the people affected (issue 16, item 4), in bulk against one at a time.

Workload: a tree model (a Pipeline: one-hot encoding, then a random forest of 100 trees of
depth 8) trained on the German Credit data and audited on its 1,000 applicants (gender,
nationality, age); then ``--n`` new decisions (default 10,000; applicants drawn with
replacement from the data, each with its own reference), as a decision log would hold them:

* **bulk**: ``result.person_notices(all, out)``: one call of the explanation engine for
  everyone, the recourse of everyone refused in a few large model calls, one HTML and one text
  notice per person written to disk;
* **one at a time** (the anchor, measured in the same run on ``--anchor`` people, default
  200): ``result.explain_person(row)`` in a loop, then the same notice written for each.

The table gives the time and the cost per notice of each, and what the notices hold: the
refused, the share of them with at least one recourse option, and the notices with a
plain-language problem (none expected).

Run:  python benchmarks/bench_notices.py [--n 10000] [--anchor 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from szai_audit import Audit
from szai_audit.datasets import GERMAN_LABELS, GERMAN_VALUE_LABELS, load_german_credit
from szai_audit.explain import write_notices

ACTIONABLE = {
    "duration_months": "decrease",
    "credit_amount": "decrease",
    "savings": "any",
    "checking_status": "any",
    "existing_credits": "decrease",
    "other_installment_plans": "any",
}


def audited(n: int):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    df = load_german_credit()
    y = df["good_credit"]
    X = df.drop(columns=["good_credit", "sex"])
    categorical = [c for c in X.columns if X[c].dtype.kind not in "iuf"]
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [("categorical", OneHotEncoder(handle_unknown="ignore"), categorical)],
                    remainder="passthrough",
                ),
            ),
            ("forest", RandomForestClassifier(100, max_depth=8, random_state=0, n_jobs=1)),
        ]
    ).fit(X, y)
    rng = np.random.default_rng(0)
    people = X.iloc[rng.integers(0, len(X), n)].reset_index(drop=True)
    people.index = [f"A{i:06d}" for i in range(n)]
    result = Audit(
        model=model,
        data=X,
        favorable_label=1,
        sensitive={"gender": df["sex"], "nationality": "foreign_worker", "age": "age"},
        bins={"age": [25, 40, 60]},
        feature_labels=GERMAN_LABELS,
        value_labels={k: v for k, v in GERMAN_VALUE_LABELS.items() if k != "sex"},
        metadata={"organisation": "Example Bank (benchmark)", "appeal": "write to us"},
    ).run()
    return result, people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--anchor", type=int, default=200)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    result, people = audited(args.n)
    hidden = set(result.sensitive_inputs(result.inputs[1]))
    actionable = {c: d for c, d in ACTIONABLE.items() if c not in hidden}
    print(f"sensitive inputs (grounds and proxies), never changed: {sorted(hidden)}")
    result.person_notices(people[:20], tempfile.mkdtemp(), actionable=actionable)  # warm-up

    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        batch = result.person_notices(people, out, actionable=actionable)
        bulk = time.perf_counter() - t0
        files = sum(1 for _ in Path(out).glob("notice-*"))
    explained = result.explain_people(people, actionable=actionable)  # for the counts
    refused = [p for p in explained if not p.favourable]
    helped = sum(bool(p.recourse) for p in refused)

    anchor_ids = list(people.index[: args.anchor])
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        one = [result.explain_person(people.loc[[i]], actionable=actionable) for i in anchor_ids]
        for p, i in zip(one, anchor_ids, strict=True):
            write_notices([p], [i], Path(out) / str(i), metadata=result.metadata)
        single = time.perf_counter() - t0
    same = all(
        a.recourse == b.recourse and a.reasons == b.reasons
        for a, b in zip(one, explained[: args.anchor], strict=True)
    )

    print(f"{args.n:,} applicants, random forest (100 trees, depth 8) in a one-hot Pipeline")
    print(f"{'path':<28} {'notices':>8} {'time s':>8} {'ms / notice':>12}")
    print(f"{'bulk (person_notices)':<28} {args.n:>8,} {bulk:>8.1f} {1000 * bulk / args.n:>12.2f}")
    print(
        f"{'one at a time (anchor)':<28} {args.anchor:>8,} {single:>8.1f} "
        f"{1000 * single / args.anchor:>12.2f}"
    )
    print(
        f"speed-up per notice: {single / args.anchor / (bulk / args.n):.1f}x; files written: "
        f"{files:,}; bulk and one-at-a-time notices identical on the anchor: {same}"
    )
    print(
        f"refused: {len(refused):,} ({len(refused) / args.n:.1%}); with a recourse option: "
        f"{helped:,} ({helped / max(1, len(refused)):.1%}); notices with a plain-language "
        f"problem: {len(batch.problems)}"
    )


if __name__ == "__main__":
    main()
