"""What the audit's way of calling the model costs (issue 29): the copy of the rows it gives
the model (:func:`szai_audit.core.models.call_model`, so that a model changing its input in
place does not change the caller's data), and the two calls on 200 rows that see whether the
model is deterministic (:meth:`szai_audit.core.models.ModelAdapter.repeat`).

Run from the repository root::

    .venv/bin/python benchmarks/bench_model_calls.py              # 1M rows
    .venv/bin/python benchmarks/bench_model_calls.py --rows 2e5

Prints, for the logistic-regression pipeline of ``bench_scale.py`` (one-hot text inputs), the
median time of ``predict_proba`` called directly and through ``call_model``, the copy alone,
its memory, and the determinism check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import peak_mib, timed
from bench_scale import FEATURES, fit_model, make_rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=float, default=1e6)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n = int(args.rows)

    from szai_audit.core.models import REPEAT_ROWS, adapt_model, call_model, model_input

    model = fit_model(Path("."))
    X = make_rows(n, seed=0)[FEATURES]
    adapter = adapt_model(model)
    direct, _ = timed(lambda: model.predict_proba(X), args.repeats)
    through, _ = timed(lambda: call_model(model.predict_proba, X), args.repeats)
    copy, _ = timed(lambda: model_input(X), args.repeats)
    copy_mib = peak_mib(lambda: model_input(X))
    sample = X.iloc[:REPEAT_ROWS]
    repeat, _ = timed(lambda: adapter.repeat(sample), args.repeats)

    print(f"{n:,} rows x {X.shape[1]} columns ({X.memory_usage(deep=True).sum() / 2**20:.0f} MiB)")
    print(f"{'what':<44} {'seconds':>9} {'MiB':>7}")
    print(f"{'predict_proba(X), direct':<44} {direct:>9.3f} {'':>7}")
    print(f"{'call_model(predict_proba, X) (copy + call)':<44} {through:>9.3f} {'':>7}")
    print(f"{'the copy alone (model_input)':<44} {copy:>9.3f} {copy_mib:>7.0f}")
    print(f"{f'determinism check (2 calls, {REPEAT_ROWS} rows)':<44} {repeat:>9.3f} {'':>7}")
    print(f"copy overhead: {through / direct - 1:+.0%} of a direct call")


if __name__ == "__main__":
    main()
