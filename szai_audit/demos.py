"""The two demos (``szai-audit demo``): a credit model on the German Credit data audited under
Art. 72(2)(iv) and Art. 71 (:func:`demo_result`, :func:`run_demo`), and a fare model on a
synthetic ride-hailing market audited under Art. 72(2)(v) (:func:`pricing_demo_result`,
:func:`run_pricing_demo`). The display names of their columns and values are kept beside the
data, in :mod:`szai_audit.datasets`.
"""

from __future__ import annotations

from pathlib import Path

from .audit import Audit
from .datasets import (
    GERMAN_LABELS,
    GERMAN_VALUE_LABELS,
    MARKET_LABELS,
    MARKET_VALUE_LABELS,
    load_german_credit,
    make_pricing_market,
)
from .result import AuditResult
from .risk.context import UseContext

__all__ = ["demo_result", "pricing_demo_result", "run_demo", "run_pricing_demo"]

#: The credit demo's system card (``Audit(metadata=...)``): each field per language, the
#: contact one text for both.
_CREDIT_CARD = {
    "organisation": {"zh": "示例银行", "en": "Example Bank"},
    "system_name": {"zh": "个人消费贷款审批模型", "en": "Consumer loan approval model"},
    "version": {"zh": "1.0（演示版）", "en": "1.0 (demo)"},
    "purpose": {
        "zh": "自动初审个人贷款申请",
        "en": "Automated first review of personal loan applications",
    },
    "affected": {
        "zh": "申请个人消费贷款的客户",
        "en": "Customers applying for a personal loan",
    },
    "decision_process": {
        "zh": "模型给出建议，拒绝前由信贷员复核",
        "en": "The model recommends; a loan officer reviews every refusal",
    },
    "appeal": {
        "zh": "客户可在 15 日内书面申请人工复核",
        "en": "Customers may ask for a human review in writing within 15 days",
    },
    "review": {
        "zh": "可在收到本通知之日起 15 日内，通过手机银行或任一网点书面申请解释或人工复核",
        "en": "Within 15 days of receiving this notice, ask in writing for an explanation or a "
        "human review, in the mobile banking app or at any branch",
    },
    "response_time": {"zh": "15 个工作日内答复", "en": "within 15 working days"},
    "complaint": {
        "zh": "示例银行消费者权益保护部（演示）",
        "en": "The consumer protection department of Example Bank (demo)",
    },
    "contact": "ethics@example.invalid",
    "prepared_by": {
        "zh": "示例银行模型风险管理部（演示）",
        "en": "Model risk team, Example Bank (demo)",
    },
    "data_source": {
        "zh": "UCI 机器学习库德国信用数据集（Statlog）的 30% 留出样本",
        "en": "Held-out 30% of the UCI Statlog German Credit data",
    },
    "data_period": {
        "zh": "数据集于 1994 年公开，记录期间未注明",
        "en": "Published 1994; the period of the records is not documented",
    },
    "responsible_person": {
        "zh": "示例银行首席风险官（演示）",
        "en": "Chief risk officer, Example Bank (demo)",
    },
}

#: The fare demo's system card (``Audit(metadata=...)``): each field per language, the
#: contact one text for both.
_FARE_CARD = {
    "organisation": {"zh": "示例出行平台", "en": "Example Ride-Hailing Platform"},
    "system_name": {"zh": "动态计价模型", "en": "Dynamic fare model"},
    "version": {"zh": "1.0（演示版）", "en": "1.0 (demo)"},
    "purpose": {"zh": "为每一单网约车行程报价", "en": "Quote a fare for every ride"},
    "affected": {"zh": "平台乘客", "en": "The platform's passengers"},
    "decision_process": {
        "zh": "模型直接报价，乘客可接受或取消",
        "en": "The model quotes; the passenger accepts or cancels",
    },
    "appeal": {
        "zh": "乘客可在 7 日内对车费提出申诉",
        "en": "Passengers may dispute a fare within 7 days",
    },
    "review": {
        "zh": "可在行程结束之日起 7 日内，在应用内的行程详情页申请解释或人工复核车费",
        "en": "Within 7 days of the ride, ask for an explanation or a human review of the fare "
        "on the ride's page in the app",
    },
    "response_time": {"zh": "3 个工作日内答复", "en": "within 3 working days"},
    "complaint": {
        "zh": "示例出行平台乘客服务与投诉中心（演示）",
        "en": "The passenger service and complaints centre of Example Ride-Hailing (demo)",
    },
    "contact": "pricing-ethics@example.invalid",
    "prepared_by": {
        "zh": "示例出行算法合规组（演示）",
        "en": "Algorithm compliance team (demo)",
    },
    "data_source": {
        "zh": "本工具示例数据生成器模拟的 20,000 单行程",
        "en": "20,000 trips simulated by this tool's example data generator",
    },
    "data_period": {"zh": "模拟数据，无真实期间", "en": "Simulated; no real period"},
    "responsible_person": {
        "zh": "示例出行首席合规官（演示）",
        "en": "Chief compliance officer (demo)",
    },
}


#: The credit demo's expected directions (``Audit(value_order=...)``), categories worse first;
#: "no checking account" is not ranked, so closing an account is never proposed.
CREDIT_VALUE_ORDER = {
    "checking_status": [
        "... < 0 DM",
        "0 <= ... < 200 DM",
        "... >= 200 DM / salary assignments for at least 1 year",
    ],
    "savings": [
        "unknown/ no savings account",
        "... < 100 DM",
        "100 <= ... < 500 DM",
        "500 <= ... < 1000 DM",
        ".. >= 1000 DM",
    ],
    "credit_history": [
        "critical account/ other credits existing (not at this bank)",
        "delay in paying off in the past",
        "existing credits paid back duly till now",
        "all credits at this bank paid back duly",
        "no credits taken/ all credits paid back duly",
    ],
    "duration_months": "lower",
    "credit_amount": "lower",
}

#: What a refused applicant of the credit demo may be told to change
#: (``Audit(recourse={"actionable": ...})``).
CREDIT_ACTIONABLE = {
    "checking_status": "better",
    "savings": "better",
    "duration_months": "better",
    "credit_amount": "better",
}


def run_demo(out_dir: str | Path = "out", random_state: int = 0) -> tuple[Path, Path]:
    """Audit the German Credit demo (:func:`demo_result`) and write its reports to
    ``out_dir/demo_report.html`` and ``.json``. Returns the paths of the HTML and JSON reports.

    Parameters
    ----------
    out_dir : str or Path, default "out"
        The folder to write into (created when missing).
    random_state : int, default 0
        The seed of the split, the model and the audit.

    Returns
    -------
    tuple of Path
        The HTML report and the JSON report.
    """
    return _write(demo_result(random_state), out_dir, "demo_report")


def _write(result: AuditResult, out_dir: str | Path, stem: str) -> tuple[Path, Path]:
    out = Path(out_dir)  # write_text creates the folder
    html_path, json_path = out / f"{stem}.html", out / f"{stem}.json"
    result.to_html(html_path)
    result.to_json(json_path)
    return html_path, json_path


def demo_result(random_state: int = 0) -> AuditResult:
    """Train a model on the German Credit data and audit the held-out part.

    A scikit-learn Pipeline (one-hot encoding of the categorical columns, then logistic
    regression) is trained on 70% of the applicants; the other 30% are audited for gender,
    nationality (foreign worker) and age, with loan amount and duration as legitimate factors.

    Parameters
    ----------
    random_state : int, default 0
        The seed of the split, the model and the audit.

    Returns
    -------
    AuditResult
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

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

    return Audit(
        model=model,
        data=X_test.drop(columns=["good_credit"]),  # the inputs (sex is kept, unused)
        y_true=y_test,
        favorable_label=1,
        favorable_name=("获批", "approval"),  # the favourable decision: the loan is approved
        sensitive={"gender": "sex", "nationality": "foreign_worker", "age": "age"},
        bins={"age": [25, 40, 60]},
        # Loan size and term may legitimately change a credit decision.
        legitimate_factors=["credit_amount", "duration_months"],
        metadata=_CREDIT_CARD,
        feature_labels=GERMAN_LABELS,
        value_labels=GERMAN_VALUE_LABELS,
        context=UseContext(
            "credit_finance",
            automation="human_review",
            scale=50_000,
            description={
                "zh": "个人消费贷款初审",
                "en": "First review of personal loan applications",
            },
        ),
        # Only the applicants' attributes needed for the audit are in the data; scanned as
        # internal data (not provided to others).
        privacy={"quasi_identifiers": ["age", "personal_status", "job"], "external": False},
        # What the bank expects each input to weigh towards, worse first: recourse never moves
        # against it, and the public notice flags where the model rewards the other way.
        value_order=CREDIT_VALUE_ORDER,
        # What a refused applicant may be told to change (recourse is opt-in).
        recourse={"actionable": CREDIT_ACTIONABLE},
    ).run(random_state=random_state)


def run_pricing_demo(out_dir: str | Path = "out", random_state: int = 0) -> tuple[Path, Path]:
    """Audit the ride-hailing pricing demo (:func:`pricing_demo_result`) and write its reports
    to ``out_dir/pricing_report.html`` and ``.json``. Returns their paths.

    Parameters
    ----------
    out_dir : str or Path, default "out"
        The folder to write into (created when missing).
    random_state : int, default 0
        The seed of the market, the split, the model and the audit.

    Returns
    -------
    tuple of Path
        The HTML report and the JSON report.
    """
    return _write(pricing_demo_result(random_state), out_dir, "pricing_report")


def pricing_demo_result(random_state: int = 0) -> AuditResult:
    """Train a fare model on a synthetic ride-hailing market and audit it.

    The market (:func:`szai_audit.datasets.make_pricing_market`, 20,000 orders) charges
    customers with a premium phone 8% more and customers of a year or more 5% more, on top of
    a fare set by distance, vehicle class and time of day. A scikit-learn Pipeline (one-hot
    encoding, then histogram gradient boosting) learns those fares from 70% of
    the orders, without the customers' sex and age; the other 30% are audited under Article
    72(5) (habits, preferences, ability to pay, loyalty) and 72(4) (sex, age).

    Parameters
    ----------
    random_state : int, default 0
        The seed of the market, the split, the model and the audit.

    Returns
    -------
    AuditResult
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    market = make_pricing_market(
        20_000, ability_markup=0.08, loyalty_markup=0.05, random_state=random_state
    )
    features = [c for c in market.data.columns if c not in ("sex", "age")]
    categorical = [c for c in features if market.data[c].dtype.kind not in "iuf"]
    X_train, X_test, y_train, _ = train_test_split(
        market.data, market.price, test_size=0.3, random_state=random_state
    )
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [("categorical", OneHotEncoder(handle_unknown="ignore"), categorical)],
                    remainder="passthrough",
                    sparse_threshold=0.0,
                ),
            ),
            ("fare", HistGradientBoostingRegressor(max_iter=300, random_state=random_state)),
        ]
    ).fit(X_train[features], y_train)

    return Audit(
        model=model,
        data=X_test,
        task="pricing",
        consumer_profile=market.consumer_profile,
        legitimate_factors=market.legitimate_factors,
        loyalty=market.loyalty,
        sensitive=market.sensitive,
        currency="CNY",
        metadata=_FARE_CARD,
        feature_labels=MARKET_LABELS,
        value_labels=MARKET_VALUE_LABELS,
        context=UseContext("pricing_commerce", automation="fully_automated", scale=2_000_000),
    ).run(random_state=random_state)
