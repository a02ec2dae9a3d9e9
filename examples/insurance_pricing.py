"""Audit an insurance premium model on the real insurance data: do premiums differ by sex or
by region (Art. 72(2)(iv) grounds applied to prices) once the risk factors are accounted for?

An insurer quotes premiums from a model of expected medical costs (the data's ``charges``).
Age, BMI, the number of children covered and smoking are the risk factors an insurer may
price on (the legitimate factors); sex and region (where the customer lives, a ground "of the
like" such as hukou) are the grounds. The model here is naive on purpose: it was trained on
every column, sex and region included. The audit compares premiums by group raw and for the
same risk factors, and changes only the sex or the region of each customer to see whether the
model's premium moves (the flip test, counting moves beyond 2%).

Run: python examples/insurance_pricing.py [output_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import szai_audit as sa

df = sa.datasets.load_insurance()
features = ["age", "sex", "bmi", "children", "smoker", "region"]
model = Pipeline(
    [
        (
            "encode",
            ColumnTransformer(
                [("cat", OneHotEncoder(), ["sex", "smoker", "region"])],
                remainder="passthrough",
                sparse_threshold=0.0,
            ),
        ),
        ("premium", HistGradientBoostingRegressor(max_depth=3, max_iter=200, random_state=0)),
    ]
).fit(df[features], df["charges"])

result = sa.Audit(
    model=model,
    data=df[features],  # the customers the premiums are quoted to
    task="pricing",
    legitimate_factors=["age", "bmi", "children", "smoker"],
    sensitive={"gender": "sex", "region": "region"},
    currency="USD",
    feature_labels={
        "age": ("年龄", "age", "岁/years"),
        "bmi": ("体重指数", "body-mass index"),
        "children": ("受保子女数", "children covered"),
        "smoker": ("吸烟", "smoker"),
        "region": ("居住地区", "region"),
        "sex": ("性别", "sex"),
    },
    # A text per language: a report in one language shows that language only.
    metadata={
        "system_name": {
            "zh": "医疗保险报价模型（示例）",
            "en": "Health insurance premium model (example)",
        }
    },
).run(random_state=0)

print(result)
frame = result.findings_frame()
priced = frame[
    frame["check"].str.startswith("pricing.") | (frame["check"] == "fairness.counterfactual_flip")
]
print(priced[["status", "article", "check", "ground", "value"]].to_string(index=False))
out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
out.mkdir(parents=True, exist_ok=True)
result.to_html(out / "insurance_report.html")
result.to_json(out / "insurance_report.json")
print("wrote", out / "insurance_report.html")
