"""Command line: ``szai-audit demo`` writes the demo report (HTML and JSON)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import SzaiAuditError

__all__ = ["main", "run_demo"]


def run_demo(out_dir: str | Path = "out", random_state: int = 0) -> tuple[Path, Path]:
    """Train a model on the German Credit data, audit the held-out part, write the reports.

    A scikit-learn Pipeline (one-hot encoding of the categorical columns, then logistic
    regression) is trained on 70% of the applicants; the other 30% are audited for gender,
    nationality (foreign worker) and age, with loan amount and duration as legitimate factors.
    Returns the paths of the HTML and JSON reports.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from .audit import Audit
    from .datasets import load_german_credit

    df = load_german_credit()
    y = df["good_credit"]
    # The model sees every applicant attribute except the derived `sex` column and the target.
    features = [c for c in df.columns if c not in ("good_credit", "sex")]
    categorical = [c for c in features if df[c].dtype.kind not in "iuf"]
    numeric = [c for c in features if c not in categorical]
    X_train, X_test, y_train, y_test = train_test_split(
        df, y, test_size=0.3, random_state=random_state, stratify=y
    )
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [
                        ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
                        ("numeric", StandardScaler(), numeric),
                    ]
                ),
            ),
            ("classify", LogisticRegression(max_iter=1000)),
        ]
    ).fit(X_train, y_train)

    result = Audit(
        model=model,
        data=X_test,
        y_true=y_test,
        favorable_label=1,
        sensitive={"gender": "sex", "nationality": "foreign_worker", "age": "age"},
        bins={"age": [25, 40, 60]},
        # Loan size and term may legitimately change a credit decision.
        legitimate_factors=["credit_amount", "duration_months"],
        metadata={
            "organisation": "示例银行 Example Bank (demo)",
            "system_name": "个人消费贷款审批模型 Consumer loan approval model",
            "version": "demo-1.0",
            "purpose": "自动初审个人贷款申请 Automated first review of personal loan applications",
            "contact": "ethics@example.invalid",
        },
    ).run(random_state=random_state)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html_path, json_path = out / "demo_report.html", out / "demo_report.json"
    result.to_html(html_path)
    result.to_json(json_path)
    return html_path, json_path


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``szai-audit`` command."""
    parser = argparse.ArgumentParser(prog="szai-audit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="audit a model trained on the German Credit data")
    demo.add_argument("--out", default="out", help="output folder (default: out)")
    demo.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        html_path, json_path = run_demo(args.out, args.random_state)
    except SzaiAuditError as exc:
        print(f"szai-audit: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {html_path} and {json_path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
