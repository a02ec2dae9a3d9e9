"""Audit a decision log: decisions and applicants' attributes, no model and no outcomes.

An auditor often receives only what a system decided. Without outcomes (y_true) the audit checks
selection rates (four-fifths rule, demographic parity); checks that need outcomes are reported as
NOT_ASSESSED rather than skipped silently.

Run: python examples/predictions_only.py [output.html]
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

import szai_audit as sa

rng = np.random.default_rng(42)
n = 5_000
log = pd.DataFrame(
    {
        "applicant_gender": rng.choice(["女", "男"], n),
        "hukou": rng.choice(["本地", "外地"], n, p=[0.6, 0.4]),
        "age": rng.integers(20, 66, n),
    }
)
# A hiring screen that passes non-local (外地) applicants less often.
p_pass = np.where(log["hukou"] == "外地", 0.22, 0.35)
log["decision"] = np.where(rng.random(n) < p_pass, "interview", "reject")

result = sa.Audit(
    y_pred=log["decision"],
    data=log,
    favorable_label="interview",
    favorable_name=("面试邀请", "interview"),  # its rate: 面试邀请比例 / interview rate
    sensitive={"gender": "applicant_gender", "region": "hukou", "age": "age"},
    bins={"age": [30, 45]},
    metadata={  # a text per language: a report in one language shows that language only
        "organisation": {"zh": "示例公司", "en": "Example Co."},
        "system_name": {"zh": "简历初筛", "en": "CV screen"},
    },
).run(random_state=0)

for f in result.findings:
    print(f"{f.status.value:17} {f.check:45} {f.ground or '':12} {f.message.en}")
if len(sys.argv) > 1:
    result.to_html(sys.argv[1])
    print("wrote", sys.argv[1])
