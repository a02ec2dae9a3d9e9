"""Labels of category values (``value_labels``): in the findings, the notice, the JSON, the
config file; validation; the one note on values left without a label."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import jsonschema
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import szai_audit as sa
from szai_audit import _config
from szai_audit.cli import main
from szai_audit.core.catalog import say
from szai_audit.core.errors import InputError, InputTypeError
from szai_audit.core.labels import ValueLabels, as_label, unlabelled_note
from szai_audit.core.messages import Message, listing
from szai_audit.datasets import GERMAN_VALUE_LABELS, MARKET_VALUE_LABELS
from szai_audit.explain.summary import ExplanationSummary, FactorSummary, notice

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())

# Different English labels, so that a test can tell a label from the raw value in both languages.
LABELS = {
    "sex": {"female": ("女", "woman"), "male": ("男", "man")},
    "foreign_worker": {"yes": ("是", "foreign"), "no": ("否", "local")},
}


@pytest.fixture(scope="module")
def german():
    df = sa.datasets.load_german_credit()
    return df.drop(columns="good_credit"), df["good_credit"]


def _audit(german, **kwargs):
    X, y = german
    kwargs.setdefault("sensitive", {"gender": "sex", "nationality": "foreign_worker"})
    return sa.Audit(y_true=y, y_pred=y, data=X, **kwargs).run(random_state=0)


@pytest.fixture(scope="module")
def labelled(german):
    return _audit(german, value_labels=LABELS)


@pytest.fixture(scope="module")
def plain(german):
    return _audit(german)


def _finding(result, check, ground):
    return next(f for f in result.findings if f.check == check and f.ground == ground)


# --------------------------------------------------------------------------------------------
# The findings
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_labels_replace_the_raw_values_in_both_languages(labelled, plain):
    f = _finding(labelled, "fairness.selection_rate_ratio", "gender")
    assert "“女”" in f.message.zh and "“男”" in f.message.zh
    assert "female" not in f.message.zh and "male" not in f.message.zh
    assert "“woman”" in f.message.en and "“female”" not in f.message.en
    raw = _finding(plain, "fairness.selection_rate_ratio", "gender")
    assert "“female”" in raw.message.zh
    # The machine fields keep the raw values.
    assert f.worst_group == raw.worst_group == "female"


def test_intersections_are_labelled_part_by_part(labelled):
    f = _finding(labelled, "fairness.selection_rate_ratio", "gender × nationality")
    assert "“女 × 是”" in f.message.zh
    assert "“woman × foreign”" in f.message.en
    assert "female" not in f.message.zh


def test_labels_change_only_the_texts(labelled, plain):
    assert [f.check for f in labelled.findings] == [f.check for f in plain.findings]
    for a, b in zip(labelled.findings, plain.findings, strict=True):
        assert (a.status, a.value, a.ground, a.worst_group, a.details) == (
            b.status,
            b.value,
            b.ground,
            b.worst_group,
            b.details,
        )
    assert labelled.content_sha256 != plain.content_sha256
    a, b = labelled.to_dict(), plain.to_dict()
    assert a["group_metrics"] == b["group_metrics"]


def test_a_ground_name_is_a_key_too(german):
    result = _audit(german, value_labels={"gender": {"female": "女", "male": "男"}})
    f = _finding(result, "fairness.demographic_parity_difference", "gender")
    assert "“女”" in f.message.zh and "“女”" in f.message.en  # one text: both languages
    assert result.value_labels.value("gender", "female").zh == "女"
    assert result.value_labels.columns["gender"] == "sex"


def test_an_array_ground_is_labelled_under_its_name(german):
    X, y = german
    result = sa.Audit(
        y_true=y,
        y_pred=y,
        data=X.drop(columns=["sex"]),
        sensitive={"gender": X["sex"].to_numpy()},
        value_labels={"gender": {"female": ("女", "woman"), "male": ("男", "man")}},
    ).run(random_state=0)
    f = _finding(result, "fairness.selection_rate_ratio", "gender")
    assert "“女”" in f.message.zh and "female" not in f.message.zh


def test_pricing_dimensions_are_labelled():
    market = sa.datasets.make_pricing_market(3000, ability_markup=0.08, random_state=0)
    result = sa.Audit(
        data=market.data,
        y_pred=market.price,
        task="pricing",
        consumer_profile={"ability_to_pay": ["device_tier"]},
        legitimate_factors=market.legitimate_factors,
        sensitive={"gender": "sex"},
        value_labels={
            "device_tier": {"budget": ("低价位手机", "budget phone"), "premium": "高价位手机"},
            "sex": {"female": ("女", "woman"), "male": ("男", "man")},
        },
        explain=False,
    ).run(random_state=0)
    raw = _finding(result, "pricing.raw_gap", "device_tier")
    assert "“高价位手机”" in raw.message.zh or "“低价位手机”" in raw.message.zh
    assert "premium" not in raw.message.zh and "budget" not in raw.message.zh
    gender = _finding(result, "pricing.raw_gap", "gender")
    assert "female" not in gender.message.zh and "“女”" in gender.message.zh
    # "mid" has no label: it is noted once, under its column.
    assert result.unlabelled_values.get("device_tier", []) in ([], ["mid"])
    for f in result.findings:
        if f.ground == "device_tier":
            assert "“budget”" not in f.message.zh and "“premium”" not in f.message.zh


# --------------------------------------------------------------------------------------------
# The values without a label
# --------------------------------------------------------------------------------------------


def test_unlabelled_values_are_noted_once(german):
    result = _audit(german, value_labels={"sex": LABELS["sex"]})
    assert "foreign_worker" in result.unlabelled_values
    assert set(result.unlabelled_values["foreign_worker"]) <= {"yes", "no"}
    assert "sex" not in result.unlabelled_values
    note = result.unlabelled_note
    assert note is not None
    assert note.zh.startswith("以下取值未提供中文标签，按数据原值显示")
    assert "国籍：" in note.zh  # the ground's display name, not the column's name
    assert "foreign_worker" not in note.zh
    assert note.zh.count("“yes”") <= 1
    assert result.to_dict()["value_labels"]["unlabelled"] == {
        k: list(v) for k, v in result.unlabelled_values.items()
    }


def test_no_note_when_every_value_shown_has_a_label(labelled):
    assert labelled.unlabelled_values == {}
    assert labelled.unlabelled_note is None


def test_without_labels_every_category_shown_is_listed(plain):
    assert set(plain.unlabelled_values) == {"sex", "foreign_worker"}
    assert plain.unlabelled_note is not None


def test_unlabelled_note_function():
    assert unlabelled_note({}) is None
    assert unlabelled_note({"sex": []}) is None
    note = unlabelled_note({"sex": ["female"], "job": ["skilled"]}, {"sex": Message("性别", "sex")})
    assert note is not None
    assert note.zh == "以下取值未提供中文标签，按数据原值显示。性别：“female”；“job”：“skilled”。"
    assert "sex: “female”; “job”: “skilled”" in note.en


def test_unlabelled_in_counts_only_values_of_the_data():
    vl = ValueLabels(
        {"sex": {"female": Message("女", "woman")}},
        {"gender": "sex"},
        known={"sex": frozenset({"female", "male"})},
    )
    # The sentence quotes three values (as arguments of catalog sentences); only two are
    # values of the data, one of them without a label.
    quoted = [say("core.values.quoted", value=v) for v in ("female", "male", "personal_status")]
    text = listing(quoted)
    assert vl.unlabelled_in(text, "gender") == {"sex": ["male"]}
    assert vl.localise(text, "gender").zh == "“女”、“male”、“personal_status”"
    assert vl.unlabelled_in(text, None) == {}
    # A finished sentence is never searched: quoted text that is not an argument stays as is.
    plain = Message("“female”与“male”", "")
    assert vl.localise(plain, "gender") == plain and vl.unlabelled_in(plain, "gender") == {}


def test_as_label():
    assert as_label(("女", "woman")) == Message("女", "woman")
    assert as_label("VIP") == Message("VIP", "VIP")


# --------------------------------------------------------------------------------------------
# The public notice
# --------------------------------------------------------------------------------------------


def _summary():
    factor = FactorSummary(
        feature="credit_history",
        label=Message("信用记录", "credit history"),
        share=0.4,
        share_low=0.3,
        share_high=0.5,
        importance=1.0,
        direction={"kind": "categorical", "raising": "critical account", "lowering": "paid"},
    )
    return ExplanationSummary(
        factors=[factor],
        sentences=[],
        examples=[],
        appendix=[],
        method="linear",
        output_space="probability",
        n_rows=10,
        n_total=10,
        additivity_error=0.0,
        base_value=0.5,
        favorable_is_positive=True,
    )


def test_the_notice_quotes_the_labels():
    vl = ValueLabels(
        {"credit_history": {"critical account": Message("高风险账户", "critical account (risky)")}}
    )
    sections = notice(_summary(), {}, model_class="LogisticRegression", value_labels=vl)
    text = next(p for h, ps in sections for p in ps if "信用记录" in p.zh)
    assert "“高风险账户”" in text.zh and "critical account" not in text.zh
    assert "“critical account (risky)”" in text.en
    assert "“paid”" in text.zh  # no label: as in the data
    plain = notice(_summary(), {}, model_class="LogisticRegression")
    assert any("“critical account”" in p.zh for _, ps in plain for p in ps)


@pytest.fixture(scope="module")
def explained(german):
    X, y = german
    cols = ["credit_history", "purpose", "duration_months", "sex", "foreign_worker"]
    cat = ["credit_history", "purpose", "sex", "foreign_worker"]
    pre = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore"), cat)], remainder="passthrough"
    )
    model = Pipeline([("pre", pre), ("lr", LogisticRegression(max_iter=500))])
    model.fit(X[cols], y)
    labels = {
        **LABELS,
        "credit_history": {
            v: (f"信用{i}", f"history {i}") for i, v in enumerate(X.credit_history.unique())
        },
    }
    return sa.Audit(model, X[cols], y, sensitive={"gender": "sex"}, value_labels=labels).run(
        random_state=0
    )


def test_the_audit_notice_and_summary_use_the_labels(explained):
    notice_text = explained.algorithm_notice(lang="zh")
    for raw in sa.datasets.load_german_credit()["credit_history"].unique():
        assert f"“{raw}”" not in notice_text
    summary = explained.explanation_summary
    assert summary is not None
    for s in summary.sentences:
        assert "critical account" not in s.zh
    # purpose has no label: if the notice quotes its values, they are listed once.
    purposes = explained.unlabelled_values.get("purpose", [])
    assert len(purposes) == len(set(purposes))
    for p in purposes:
        assert f"“{p}”" in notice_text or any(
            p == val.zh for e in summary.examples for _, val, _ in e.reasons
        )


# --------------------------------------------------------------------------------------------
# The JSON
# --------------------------------------------------------------------------------------------


def test_json_carries_the_labels_and_meets_the_schema(labelled):
    out = labelled.to_dict()
    jsonschema.validate(out, SCHEMA)
    vl = out["value_labels"]
    assert vl["by_column"]["sex"]["female"] == {"zh": "女", "en": "woman"}
    assert vl["grounds"] == {"gender": "sex", "nationality": "foreign_worker"}
    assert vl["unlabelled"] == {}


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "error", "words"),
    [
        ({"sexx": {"female": "女"}}, InputError, "Did you mean ['sex']"),
        ({"colour": {"red": "红"}}, InputError, "neither a column of data nor a ground"),
        ({"sex": {"female": ("女", 1)}}, InputTypeError, "must hold texts"),
        ({"sex": {"female": ("女", "woman", "x")}}, InputTypeError, "a pair of texts"),
        ({"sex": {"female": 3}}, InputTypeError, "value_labels['sex']['female']"),
        ({"sex": ["female", "女"]}, InputTypeError, "must map raw values to labels"),
        ({"sex": {"female": ("", "woman")}}, InputError, "empty label"),
        ({"gender": {"female": "女"}, "sex": {"male": "男"}}, InputError, "same column"),
        (["sex"], InputTypeError, "value_labels must map columns"),
    ],
)
def test_bad_labels_are_refused_by_name(german, labels, error, words):
    with pytest.raises(error) as info:
        _audit(german, value_labels=labels)
    assert words in str(info.value)


def test_a_value_not_in_the_data_warns(german):
    with pytest.warns(UserWarning, match=r"value_labels\['sex'\] labels \['unknown'\]"):
        result = _audit(german, value_labels={"sex": {"female": "女", "unknown": "未知"}})
    f = _finding(result, "fairness.selection_rate_ratio", "gender")
    assert "“女”" in f.message.zh


def test_labels_of_bins_do_not_warn(german):
    X, y = german
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        result = sa.Audit(
            y_true=y,
            y_pred=y,
            data=X,
            sensitive={"age": "age"},
            bins={"age": [25, 40, 60]},
            value_labels={"age": {"<25": ("25 岁以下", "under 25")}},
        ).run(random_state=0)
    texts = " ".join(f.message.zh for f in result.findings if f.ground == "age")
    assert "“<25”" not in texts and "“25 岁以下”" in texts
    assert "age" not in result.unlabelled_values  # bins are not raw values


def test_the_users_mappings_are_not_changed(german):
    labels = {"sex": {"female": ["女", "woman"]}, "gender": None}
    labels.pop("gender")
    before = copy.deepcopy(labels)
    _audit(german, value_labels=labels)
    assert labels == before
    assert isinstance(labels["sex"]["female"], list)


# --------------------------------------------------------------------------------------------
# The configuration file
# --------------------------------------------------------------------------------------------


def _write_config(tmp_path, german, extra):
    X, y = german
    frame = X[["sex", "foreign_worker", "duration_months"]].assign(
        decision=y.to_numpy(), good_credit=y.to_numpy()
    )
    frame.to_csv(tmp_path / "data.csv", index=False)
    body = (
        '[data]\npath = "data.csv"\n\n[columns]\ny_true = "good_credit"\ny_pred = "decision"\n\n'
        '[sensitive]\ngender = "sex"\n\n[output]\njson = "out/report.json"\n\n' + extra
    )
    path = tmp_path / "audit.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_config_file_gives_labels(tmp_path, german):
    extra = '[value_labels.sex]\nfemale = ["女", "woman"]\nmale = "男"\n'
    config = _config.load_config(_write_config(tmp_path, german, extra))
    result, written = _config.run_config(config)
    f = _finding(result, "fairness.selection_rate_ratio", "gender")
    assert "“女”" in f.message.zh and "“男”" in f.message.zh and "“woman”" in f.message.en
    saved = json.loads(written[0].read_text(encoding="utf-8"))
    assert saved["value_labels"]["by_column"]["sex"]["male"] == {"zh": "男", "en": "男"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[value_labels]\nsex = "女"\n', "[value_labels] sex must be a table"),
        ('[value_labels.sexx]\nfemale = "女"\n', "Did you mean ['sex']"),
        ("[value_labels.sex]\nfemale = 1\n", "value_labels['sex']['female']"),
    ],
)
def test_config_label_errors_exit_2(tmp_path, german, capsys, extra, message):
    code = main(["run", str(_write_config(tmp_path, german, extra))])
    assert code == 2
    assert message in capsys.readouterr().err


def test_demo_labels_cover_the_demo_values():
    df = sa.datasets.load_german_credit()
    for column, table in GERMAN_VALUE_LABELS.items():
        assert set(table) == {str(v) for v in df[column].unique()}, column
    market = sa.datasets.make_pricing_market(2000, random_state=0).data
    for column, table in MARKET_VALUE_LABELS.items():
        assert set(table) == {str(v) for v in market[column].unique()}, column
    # Every Chinese label is Chinese text, not the raw English value.
    for table in (*GERMAN_VALUE_LABELS.values(), *MARKET_VALUE_LABELS.values()):
        for raw, (zh, _en) in table.items():
            assert zh != raw and not any("a" <= ch.lower() <= "z" for ch in zh), zh


def _region_data(seed=0, n=1200):
    """A ground ``region`` whose value ``urban`` is also the name of an input that stands in
    for it (and a value ``income`` beside an input ``income``)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    region = rng.choice(["urban", "rural", "income"], n)
    X = pd.DataFrame(
        {
            "region": region,
            "urban": (region == "urban") * 1.0 + rng.normal(0, 0.05, n),
            "income": (region == "income") * 1.0 + rng.normal(0, 0.05, n),
            "noise": rng.normal(size=n),
        }
    )
    y = (X["urban"] + X["noise"] > 0.5).astype(int)
    return X, y


def test_an_input_named_like_a_group_value_keeps_its_name():
    """Labels apply to the group values a sentence quotes, never to an input of the same name:
    the proxy finding of ``region`` names the inputs ``urban`` and ``income`` as inputs."""
    X, y = _region_data()
    labels = {
        "region": {
            "urban": ("城市", "city dweller"),
            "rural": ("农村", "countryside"),
            "income": ("收入地区", "income district"),
        }
    }
    result = sa.Audit(
        y_true=y, y_pred=y, data=X, sensitive={"region": "region"}, value_labels=labels
    ).run(random_state=0)
    proxy = next(f for f in result.findings if f.check.startswith("fairness.proxy"))
    assert "“urban”" in proxy.message.en and "“urban”" in proxy.message.zh, proxy.message
    assert "city dweller" not in proxy.message.en and "城市" not in proxy.message.zh
    assert "“income”" in proxy.message.en and "income district" not in proxy.message.en


def test_a_ground_name_keeps_its_capitals():
    """A ground named "HIV status" is written so at the start of every sentence too, never
    "Hiv status" (str.capitalize lowers the rest of the name)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 800
    X = pd.DataFrame({"hiv": rng.choice(["positive", "negative"], n), "x": rng.normal(size=n)})
    y = (X["x"] > 0).astype(int)
    result = sa.Audit(y_true=y, y_pred=y, data=X, sensitive={"HIV status": "hiv"}).run(
        random_state=0
    )
    texts = [f.message.en for f in result.findings if f.ground == "HIV status"]
    assert texts and any(t.startswith("HIV status") for t in texts), texts
    assert not any("Hiv status" in t for t in texts), texts


def test_regression_findings_are_labelled():
    """The sentences of a regression audit quote group values as arguments too: every value
    with a label is shown by it, none by its raw value."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(5)
    n = 600
    d = pd.DataFrame({"sex": rng.choice(["female", "male"], n), "x": rng.normal(size=n)})
    score = rng.normal(50, 10, n) + np.where(d["sex"] == "male", 3.0, 0.0)
    result = sa.Audit(
        y_pred=score,
        y_true=score + rng.normal(size=n),
        data=d,
        task="regression",
        sensitive={"gender": "sex"},
        value_labels={"sex": LABELS["sex"]},
        explain=False,
        verbose=False,
    ).run(random_state=0)
    texts = [f.message for f in result.findings if f.ground == "gender"]
    assert any("“woman”" in m.en and "“女”" in m.zh for m in texts)
    assert not any("“female”" in m.en or "“female”" in m.zh for m in texts)
    assert result.unlabelled_values == {}
