"""Audit a trained scikit-learn Pipeline on held-out data (the demo, step by step).

Run: python examples/audit_a_model.py [output_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

import szai_audit as sa

df = sa.datasets.load_german_credit()
features = [c for c in df.columns if c not in ("good_credit", "sex")]
categorical = [c for c in features if df[c].dtype.kind not in "iuf"]
X_train, X_test, y_train, y_test = train_test_split(
    df, df["good_credit"], test_size=0.3, random_state=0, stratify=df["good_credit"]
)
model = Pipeline(
    [
        (
            "encode",
            ColumnTransformer(
                [("cat", OrdinalEncoder(), categorical)], remainder="passthrough"
            ).set_output(transform="pandas"),
        ),
        ("gbm", HistGradientBoostingClassifier(max_depth=3, random_state=0)),
    ]
).fit(X_train[features], y_train)

result = sa.Audit(
    model=model,
    data=X_test[features],  # exactly the model's raw inputs
    y_true=y_test,
    sensitive={"gender": X_test["sex"], "nationality": "foreign_worker", "age": "age"},
    policy=sa.Policy(min_group_size=20),  # a smaller minimum group, stated in the report
).run(random_state=0)

print(result)
print(result.findings_frame()[["status", "check", "ground", "value"]].to_string(index=False))
out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
out.mkdir(parents=True, exist_ok=True)
result.to_html(out / "model_report.html", lang="zh")
result.to_json(out / "model_report.json")
print("wrote", out / "model_report.html")
