"""Command line: ``szai-audit demo`` writes the demo reports (HTML and JSON): a credit model
audited under Art. 72(2)(iv) and Art. 71, and a ride-hailing pricing model under Art. 72(2)(v)."""

from __future__ import annotations

import argparse
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path

from . import _config
from ._version import __version__
from .audit import Audit
from .core.errors import NoticeWarning, SzaiAuditError
from .core.files import LANGS, check_outputs
from .core.html import finding_ci, finding_threshold, finding_value
from .datasets import load_german_credit, make_pricing_market
from .filings import KINDS, write_filings
from .result import AuditResult
from .risk.context import UseContext
from .risk.tracking import compare

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAIL",
    "EXIT_OK",
    "FAIL_ON",
    "demo_result",
    "failing_lines",
    "main",
    "pricing_demo_result",
    "run_demo",
    "run_pricing_demo",
]


#: Display names (Chinese, English, unit) of the German Credit columns, for the explanation.
GERMAN_LABELS = {
    "checking_status": ("支票账户状况", "checking account status"),
    "duration_months": ("贷款期限", "loan duration", "月/months"),
    "credit_history": ("信用记录", "credit history"),
    "purpose": ("贷款用途", "loan purpose"),
    "credit_amount": ("贷款金额", "loan amount", "马克/DM"),
    "savings": ("储蓄", "savings"),
    "employment_since": ("在职时间", "time in current job"),
    "installment_rate": (
        "月供占可支配收入比例（等级）",
        "instalment as share of income (level)",
        "",  # a level: no unit
    ),
    "personal_status": ("婚姻状况与性别", "marital status and sex"),
    "other_debtors": ("其他债务人或担保人", "other debtors or guarantors"),
    "residence_since": ("现住址居住年限", "years at current address", "年/years"),
    "property": ("财产", "property"),
    "age": ("年龄", "age", "岁/years"),
    "other_installment_plans": ("其他分期付款", "other instalment plans"),
    "housing": ("住房", "housing"),
    "existing_credits": ("在本行现有贷款数", "existing loans at this bank", ""),
    "job": ("职业", "job"),
    "num_dependents": ("供养人数", "people supported", ""),
    "telephone": ("登记电话", "registered telephone"),
    "foreign_worker": ("外籍劳工", "foreign worker"),
}


#: Display names of the German Credit category values (``value_labels``), in the codebook's
#: meaning (german.doc.txt); DM is the Deutsche Mark.
GERMAN_VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "sex": {"female": ("女", "female"), "male": ("男", "male")},
    "foreign_worker": {"yes": ("外籍", "foreign worker"), "no": ("非外籍", "not a foreign worker")},
    "checking_status": {
        "... < 0 DM": ("低于 0 马克", "below 0 DM"),
        "0 <= ... < 200 DM": ("0 至 200 马克（不含 200）", "0 to under 200 DM"),
        "... >= 200 DM / salary assignments for at least 1 year": (
            "200 马克及以上，或工资代发满 1 年",
            "200 DM or more, or salary paid in for at least 1 year",
        ),
        "no checking account": ("无支票账户", "no checking account"),
    },
    "credit_history": {
        "no credits taken/ all credits paid back duly": (
            "未曾贷款，或贷款均已按时还清",
            "no loans taken, or all repaid on time",
        ),
        "all credits at this bank paid back duly": (
            "在本行的贷款均已按时还清",
            "all loans at this bank repaid on time",
        ),
        "existing credits paid back duly till now": (
            "现有贷款至今按时还款",
            "existing loans repaid on time so far",
        ),
        "delay in paying off in the past": ("过去曾逾期还款", "late repayments in the past"),
        "critical account/ other credits existing (not at this bank)": (
            "高风险账户，或在他行另有贷款",
            "critical account, or loans at other banks",
        ),
    },
    "purpose": {
        "car (new)": ("购买新车", "new car"),
        "car (used)": ("购买二手车", "used car"),
        "furniture/equipment": ("家具或设备", "furniture or equipment"),
        "radio/television": ("收音机或电视机", "radio or television"),
        "domestic appliances": ("家用电器", "household appliances"),
        "repairs": ("维修", "repairs"),
        "education": ("教育", "education"),
        "retraining": ("职业再培训", "retraining"),
        "business": ("经营", "business"),
        "others": ("其他", "other"),
    },
    "savings": {
        "... < 100 DM": ("低于 100 马克", "below 100 DM"),
        "100 <= ... < 500 DM": ("100 至 500 马克（不含 500）", "100 to under 500 DM"),
        "500 <= ... < 1000 DM": ("500 至 1,000 马克（不含 1,000）", "500 to under 1,000 DM"),
        ".. >= 1000 DM": ("1,000 马克及以上", "1,000 DM or more"),
        "unknown/ no savings account": ("不详或无储蓄账户", "unknown, or no savings account"),
    },
    "employment_since": {
        "unemployed": ("无业", "unemployed"),
        "... < 1 year": ("不满 1 年", "under 1 year"),
        "1 <= ... < 4 years": ("1 至 4 年（不含 4 年）", "1 to under 4 years"),
        "4 <= ... < 7 years": ("4 至 7 年（不含 7 年）", "4 to under 7 years"),
        ".. >= 7 years": ("7 年及以上", "7 years or more"),
    },
    "personal_status": {
        "male: divorced/separated": ("男性，离婚或分居", "man, divorced or separated"),
        "female: divorced/separated/married": (
            "女性，离婚、分居或已婚",
            "woman, divorced, separated or married",
        ),
        "male: single": ("男性，单身", "man, single"),
        "male: married/widowed": ("男性，已婚或丧偶", "man, married or widowed"),
    },
    "other_debtors": {
        "none": ("无", "none"),
        "co-applicant": ("共同申请人", "co-applicant"),
        "guarantor": ("担保人", "guarantor"),
    },
    "property": {
        "real estate": ("不动产", "real estate"),
        "building society savings agreement / life insurance": (
            "住房储蓄合同或人寿保险",
            "building-society savings or life insurance",
        ),
        "car or other": ("汽车或其他财产", "car or other property"),
        "unknown / no property": ("不详或无财产", "unknown, or no property"),
    },
    "other_installment_plans": {
        "bank": ("银行", "bank"),
        "stores": ("商店", "stores"),
        "none": ("无", "none"),
    },
    "housing": {
        "rent": ("租房", "rent"),
        "own": ("自有住房", "own home"),
        "for free": (
            "免费居住",
            "lives for free",
        ),
    },
    "job": {
        "unemployed/ unskilled - non-resident": (
            "无业或非常住的非技术人员",
            "unemployed, or unskilled and non-resident",
        ),
        "unskilled - resident": ("常住的非技术人员", "unskilled, resident"),
        "skilled employee/ official": ("技术雇员或公务人员", "skilled employee or official"),
        "management/ self-employed/ highly qualified employee/ officer": (
            "管理人员、自雇人士或高级专业人员",
            "manager, self-employed or highly qualified employee",
        ),
    },
    "telephone": {"yes": ("有", "yes"), "no": ("无", "no")},
}


def run_demo(out_dir: str | Path = "out", random_state: int = 0) -> tuple[Path, Path]:
    """Audit the German Credit demo (:func:`demo_result`) and write its reports to
    ``out_dir/demo_report.html`` and ``.json``. Returns the paths of the HTML and JSON reports.
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
            "prepared_by": "示例银行模型风险管理部 Model risk team, Example Bank (demo)",
            "data_source": "UCI Statlog German Credit 数据集的 30% 留出样本 Held-out 30% of the "
            "UCI Statlog German Credit data",
            "data_period": "数据集 1994 年公开，记录期间未注明 Published 1994; the period of "
            "the records is not documented",
            "responsible_person": "示例银行首席风险官 Chief risk officer, Example Bank (demo)",
        },
        feature_labels=GERMAN_LABELS,
        value_labels=GERMAN_VALUE_LABELS,
        context=UseContext(
            "credit_finance",
            automation="human_review",
            scale=50_000,
            description="个人消费贷款初审 First review of personal loan applications",
        ),
        # Only the applicants' attributes needed for the audit are in the data; scanned as
        # internal data (not provided to others).
        privacy={"quasi_identifiers": ["age", "personal_status", "job"], "external": False},
    ).run(random_state=random_state)


#: Display names of the ride-hailing market's columns.
MARKET_LABELS = {
    "distance_km": ("行程距离", "trip distance", "公里/km"),
    "vehicle": ("车型", "vehicle class"),
    "time_band": ("时段", "time of day"),
    "trips_per_month": ("月均打车次数", "trips per month", "次/trips"),
    "tenure_months": ("注册时长", "time as a customer", "月/months"),
    "payment": ("支付方式", "payment method"),
    "preferred_vehicle": ("常用车型", "usual vehicle class"),
    "income_band": ("收入档次", "income band"),
    "device_tier": ("手机档次", "phone price tier"),
    "neighbourhood": ("居住片区", "home neighbourhood"),
    "sex": ("性别", "sex"),
    "age": ("年龄", "age", "岁/years"),
}


_VEHICLES = {
    "economy": ("经济型", "economy"),
    "comfort": ("舒适型", "comfort"),
    "business": ("商务型", "business"),
}

#: Display names of the ride-hailing market's category values (``value_labels``).
MARKET_VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "payment": {
        "card": ("银行卡", "card"),
        "cash": ("现金", "cash"),
        "wallet": (
            "电子钱包",
            "e-wallet",
        ),
    },
    "preferred_vehicle": _VEHICLES,
    "vehicle": _VEHICLES,
    "income_band": {
        "low": ("低收入", "low income"),
        "middle": ("中等收入", "middle income"),
        "high": ("高收入", "high income"),
    },
    "device_tier": {
        "budget": ("低价位手机", "budget phone"),
        "mid": ("中价位手机", "mid-range phone"),
        "premium": ("高价位手机", "premium phone"),
    },
    "neighbourhood": {
        "cbd": ("中心商务区", "central business district"),
        "inner": ("内城区", "inner city"),
        "outer": ("外围城区", "outer districts"),
    },
    "time_band": {
        "peak": ("高峰时段", "peak hours"),
        "off_peak": ("平峰时段", "off-peak hours"),
        "night": ("夜间", "night"),
    },
    "sex": {"female": ("女", "female"), "male": ("男", "male")},
}


def run_pricing_demo(out_dir: str | Path = "out", random_state: int = 0) -> tuple[Path, Path]:
    """Audit the ride-hailing pricing demo (:func:`pricing_demo_result`) and write its reports
    to ``out_dir/pricing_report.html`` and ``.json``. Returns their paths."""
    return _write(pricing_demo_result(random_state), out_dir, "pricing_report")


def pricing_demo_result(random_state: int = 0) -> AuditResult:
    """Train a fare model on a synthetic ride-hailing market and audit it.

    The market (:func:`szai_audit.datasets.make_pricing_market`, 20,000 orders) charges
    customers with a premium phone 8% more and customers of a year or more 5% more, on top of
    a fare set by distance, vehicle class and time of day. A scikit-learn Pipeline (one-hot
    encoding, then histogram gradient boosting) learns those fares from 70% of
    the orders, without the customers' sex and age; the other 30% are audited under Article
    72(5) (habits, preferences, ability to pay, loyalty) and 72(4) (sex, age).
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
        metadata={
            "organisation": "示例出行平台 Example Ride-Hailing Platform (demo)",
            "system_name": "动态计价模型 Dynamic fare model",
            "version": "demo-1.0",
            "purpose": "为每一单网约车行程报价 Quote a fare for every ride",
            "affected": "平台乘客 The platform's passengers",
            "decision_process": "模型直接报价，乘客可接受或取消 The model quotes; the passenger "
            "accepts or cancels",
            "appeal": "乘客可在 7 日内对车费提出申诉 Passengers may dispute a fare within 7 days",
            "contact": "pricing-ethics@example.invalid",
            "prepared_by": "示例出行算法合规组 Algorithm compliance team (demo)",
            "data_source": "本库示例数据生成器模拟的 20,000 单 Simulated orders "
            "(make_pricing_market, 20,000 orders)",
            "data_period": "模拟数据，无真实期间 Simulated; no real period",
            "responsible_person": "示例出行首席合规官 Chief compliance officer (demo)",
        },
        feature_labels=MARKET_LABELS,
        value_labels=MARKET_VALUE_LABELS,
        context=UseContext("pricing_commerce", automation="fully_automated", scale=2_000_000),
    ).run(random_state=random_state)


#: Exit status: no finding FAILs / a finding FAILs / usage or input error.
EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


#: The statuses each ``--fail-on`` level exits 1 on.
FAIL_ON = {"fail": ("FAIL",), "warn": ("FAIL", "WARN")}


def failing_lines(result: AuditResult, fail_on: str = "fail") -> list[str]:
    """One line per finding at a status ``fail_on`` gates on, worst first: status, check,
    ground, value (with its interval) and tolerance, as the report writes them."""
    statuses = FAIL_ON[fail_on]
    lines = []
    for status in statuses:
        for f in result.findings:
            if f.status.value != status:
                continue
            ci = finding_ci(f)
            value = finding_value(f).en + (f" (95% CI {ci.en})" if ci is not None else "")
            lines.append(
                f"{status:<4}  {f.check}  ground={f.ground or '-'}  value={value}  "
                f"tolerance={finding_threshold(f).en}"
            )
    return lines


def _run(config_path: str, fail_on: str = "fail") -> int:
    result, written = _config.run_config(_config.load_config(config_path))
    print(repr(result))
    for path in written:
        print(f"wrote {path}")
    lines = failing_lines(result, fail_on)
    for line in lines:
        print(line)
    if lines:
        print(f"szai-audit: {len(lines)} finding(s) at {' or '.join(FAIL_ON[fail_on])} (exit 1)")
    return EXIT_FAIL if lines else EXIT_OK


def _explain(
    config: str, rows: str, out: str, id_column: str | None, lang: str, audit: str | None = None
) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NoticeWarning)
        batch = _config.explain_config(
            _config.load_config(config), rows, out, id_column=id_column, lang=lang, audit=audit
        )
    refused = sum(not f for f in batch.favourable)
    print(
        f"wrote {len(batch)} notices ({refused} unfavourable decisions) to {batch.folder}, "
        f"listed in {batch.index}"
    )
    for w in caught:
        if issubclass(w.category, NoticeWarning):
            print(f"szai-audit: warning: {w.message}", file=sys.stderr)
    return EXIT_OK


def _demo(out: str, random_state: int) -> None:
    """Both demo reports, and the filings that follow the credit demo (``out/filings``)."""
    steps = (
        (run_demo, "a credit model on the German Credit data (Art. 72(2)(iv), 71)"),
        (run_pricing_demo, "a fare model on a synthetic ride-hailing market (Art. 72(2)(v))"),
    )
    for demo_run, what in steps:
        print(f"auditing {what} ...", flush=True)
        html_path, json_path = demo_run(out, random_state)
        print(f"wrote {html_path} and {json_path}", flush=True)
    written = write_filings(Path(out) / "demo_report.json", Path(out) / "filings")
    print(f"wrote {len(written)} filings drafted from the credit demo to {Path(out) / 'filings'}")


def _filings(args: argparse.Namespace) -> int:
    opinion = {"yes": True, "no": False, None: None}[args.public_opinion]
    written = write_filings(
        args.audit,
        args.out,
        kinds=args.kind,
        lang=args.lang,
        date=args.date,
        previous=args.previous,
        follow_up_months=args.follow_up_months,
        public_opinion=opinion,
        sex=args.sex,
        race_ethnicity=args.race_ethnicity,
    )
    for kind, (html, json_path) in written.items():
        print(f"wrote {kind}: {html} and {json_path}")
    return EXIT_OK


def _compare(old: str, new: str, html: str | None, json_path: str | None) -> int:
    outputs = {name: path for name, path in (("--html", html), ("--json", json_path)) if path}
    check_outputs(outputs, {"OLD": old, "NEW": new})  # never write over an audit compared
    comparison = compare(new, old)
    s = comparison.summary
    print(repr(comparison))
    print(
        f"verdict {s['before']['verdict']} -> {s['after']['verdict']}; new failures: "
        f"{s['appeared_failures']}, drifted: {s['drifted']}, resolved: {s['resolved']}"
    )
    if html:
        comparison.to_html(html)
        print(f"wrote {html}")
    if json_path:
        comparison.to_json(json_path)
        print(f"wrote {json_path}")
    return EXIT_FAIL if s["after"]["verdict"] == "FAIL" else EXIT_OK


def _parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    parser = argparse.ArgumentParser(
        prog="szai-audit",
        description="Audit AI models under the Shenzhen AI Industry Promotion Regulations. "
        "Exit status: 0 no FAIL, 1 a FAIL, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"szai-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="write the demo reports (credit model, fare model)")
    demo.add_argument("--out", default="out", help="output folder (default: out)")
    demo.add_argument("--random-state", type=int, default=0)
    run = sub.add_parser("run", help="run the audit a TOML config describes")
    run.add_argument("config", help="the TOML file (see docs/cli.md)")
    run.add_argument(
        "--fail-on",
        choices=list(FAIL_ON),
        default="fail",
        help="exit 1 when a finding FAILs (fail, the default) or FAILs or WARNs (warn); "
        "the findings are listed",
    )
    init = sub.add_parser("init", help="write a commented configuration to start from")
    init.add_argument("config", nargs="?", default="audit.toml", help="(default: audit.toml)")
    init.add_argument("--data", help="a CSV or Parquet file: its columns are listed in the file")
    ex = sub.add_parser(
        "explain", help="write a notice per person: the decision, its reasons, what would change it"
    )
    ex.add_argument("config", help="the TOML file of the audit (see docs/cli.md)")
    ex.add_argument("--rows", required=True, help="CSV whose first column lists the people")
    ex.add_argument("--out", required=True, help="the folder of the notices")
    ex.add_argument("--id-column", help="the data's column identifying people (else row numbers)")
    ex.add_argument("--lang", default="bilingual", choices=list(LANGS))
    ex.add_argument(
        "--audit",
        help="the audit's saved JSON ([output] json): read, not run again (checked to be "
        "unedited and of this data)",
    )
    cmp = sub.add_parser("compare", help="compare two saved audits (ex-post tracking)")
    cmp.add_argument("old", help="the earlier audit's JSON")
    cmp.add_argument("new", help="the later audit's JSON")
    cmp.add_argument("--html", help="write the comparison as HTML here")
    cmp.add_argument("--json", help="write the comparison as JSON here")
    fil = sub.add_parser(
        "filings",
        help="draft the filings that follow an audit (algorithm filing, PIA, ethics review, "
        "bias audit) from its saved JSON",
    )
    fil.add_argument("audit", help="the audit's JSON (AuditResult.to_json, or [output] json)")
    fil.add_argument("--out", required=True, help="the folder of the filings")
    fil.add_argument(
        "--kind", action="append", choices=list(KINDS), help="one kind (repeatable; default: all)"
    )
    fil.add_argument("--previous", help="ethics: the audit of the last review, to compare with")
    fil.add_argument("--date", help="the filings' date, YYYY-MM-DD (default: the audit's)")
    fil.add_argument(
        "--follow-up-months",
        type=int,
        default=12,
        help="ethics: months to the next follow-up review (1-12)",
    )
    fil.add_argument(
        "--public-opinion",
        choices=["yes", "no"],
        help="ethics: whether the system can mobilise public opinion",
    )
    fil.add_argument("--sex", help="bias audit: the ground standing for sex")
    fil.add_argument("--race-ethnicity", help="bias audit: the ground standing for race/ethnicity")
    fil.add_argument("--lang", default="bilingual", choices=list(LANGS))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``szai-audit`` command (also ``python -m szai_audit``).

    Exit status: 0 when no finding is FAIL, 1 when one is (``run``: the audit; ``compare``: the
    newer audit), 2 for usage or input errors, so that a pipeline can gate on it.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, a usage error 2
        return int(exc.code or 0)
    try:
        if args.command == "run":
            return _run(args.config, args.fail_on)
        if args.command == "init":
            written = _config.write_template(args.config, data=args.data)
            print(f"wrote {written}: edit it, then run szai-audit run {written}")
            return EXIT_OK
        if args.command == "compare":
            return _compare(args.old, args.new, args.html, args.json)
        if args.command == "filings":
            return _filings(args)
        if args.command == "explain":
            return _explain(args.config, args.rows, args.out, args.id_column, args.lang, args.audit)
        _demo(args.out, args.random_state)
    except SzaiAuditError as exc:
        print(f"szai-audit: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # never exit 1 (a FAIL) on a crash: report it as an error
        traceback.print_exc()
        print(
            f"szai-audit: unexpected error ({type(exc).__name__}: {exc}); the audit did not "
            f"complete. Please report it with the traceback above.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
