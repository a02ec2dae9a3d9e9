"""Command line: ``szai-audit demo`` writes the demo report (HTML and JSON)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import SzaiAuditError

__all__ = ["main", "run_demo"]


#: Display names (Chinese, English, unit) of the German Credit columns, for the explanation.
GERMAN_LABELS = {
    "checking_status": ("支票账户状况", "checking account status"),
    "duration_months": ("贷款期限", "loan duration", "月/months"),
    "credit_history": ("信用记录", "credit history"),
    "purpose": ("贷款用途", "loan purpose"),
    "credit_amount": ("贷款金额", "loan amount", "马克/DM"),
    "savings": ("储蓄", "savings"),
    "employment_since": ("在职时间", "time in current job"),
    "installment_rate": ("月供占可支配收入比例（等级）", "instalment as share of income (level)"),
    "personal_status": ("婚姻状况与性别", "marital status and sex"),
    "other_debtors": ("其他债务人或担保人", "other debtors or guarantors"),
    "residence_since": ("现住址居住年限", "years at current address", "年/years"),
    "property": ("财产", "property"),
    "age": ("年龄", "age", "岁/years"),
    "other_installment_plans": ("其他分期付款", "other instalment plans"),
    "housing": ("住房", "housing"),
    "existing_credits": ("在本行现有贷款数", "existing loans at this bank"),
    "job": ("职业", "job"),
    "num_dependents": ("供养人数", "people supported"),
    "telephone": ("登记电话", "registered telephone"),
    "foreign_worker": ("外籍劳工", "foreign worker"),
}


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
        data=X_test.drop(columns=["good_credit"]),  # the inputs (sex is kept, unused)
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
            "affected": "申请个人消费贷款的客户 Customers applying for a personal loan",
            "decision_process": "模型给出建议，拒绝前由信贷员复核 The model recommends; a loan "
            "officer reviews every refusal",
            "appeal": "客户可在 15 日内书面申请人工复核 Customers may ask for a human review in "
            "writing within 15 days",
            "contact": "ethics@example.invalid",
        },
        feature_labels=GERMAN_LABELS,
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
