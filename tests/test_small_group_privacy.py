"""Issue 29, item 6: the report never leaks a record (Art. 33).

A name typed by mistake into one row (of a categorical input, of the outcomes, of a
consumer-profile column) and a group of one to three people in a ground are planted; every
output is written (the report in three languages, the JSON, the filings, the person notices and
their index, the command line's output) and searched: the name and the small group's value
appear nowhere but in that person's own notice. Then the published figures are attacked by
differencing (the overall count times the overall rate minus the shown groups', and any linear
combination of every published sum): the lone 66-year-old woman's decision and outcome cannot
be recovered.
"""

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import szai_audit as sa
from szai_audit.core.disclosure import Cells, protect
from szai_audit.datasets import make_pricing_market
from szai_audit.explain.notices import person_notices

pytestmark = pytest.mark.usefixtures("one_thread")

NAME = "Wang-Xiuying-王秀英"  # typed into one row's city, one outcome, two orders' neighbourhood
TRIO = "Li-Na-李娜"  # a group of three people in a ground
K = 5  # policy.k_anonymity's default
CITIES = ["Nanshan", "Futian", "Luohu", "Baoan"]
AGE_BINS = [25, 40, 60]


class Favours:
    """A fitted pipeline that always approves the one planted city (so that recourse, today,
    proposes moving there); picklable for the command line."""

    def __init__(self, inner, value):
        self.inner, self.value = inner, value
        self.classes_ = inner.classes_

    def predict_proba(self, X):
        p = np.array(self.inner.predict_proba(X), dtype=float)
        hit = (pd.DataFrame(X)["city"] == self.value).to_numpy()
        p[hit] = [0.02, 0.98] if self.classes_[1] == "good" else [0.98, 0.02]
        return p

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _fit(X, y):
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numbers = [c for c in X.columns if c not in text and c != "age"]  # age is not an input
    pipe = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), text), ("passthrough", numbers)
        ),
        HistGradientBoostingClassifier(max_iter=30, random_state=0),
    )
    return pipe.fit(X, y)


@pytest.fixture(scope="module")
def planted():
    """German credit with a city column, the name typed into one row's city and into one
    outcome, a nationality of three people, and one woman of 66, the only one aged 60+,
    refused although her outcome was good."""
    df = sa.datasets.load_german_credit()
    df["city"] = np.random.default_rng(0).choice(CITIES, len(df))
    df["age"] = df["age"].clip(upper=59)
    y = df.pop("good_credit").map({1: "good", 0: "bad"}).astype(object)
    df.loc[df.index[[20, 21, 22]], "foreign_worker"] = TRIO
    model = _fit(df, y)
    refused = model.predict(df) == "bad"
    her = df.index[refused & (y == "good").to_numpy() & (df["sex"] == "female").to_numpy()][0]
    df.loc[her, "age"] = 66
    lone = df.index[(~refused) & (df.index != her)][0]  # a row the name is typed into
    df.loc[lone, "city"] = NAME
    y_true = y.copy()
    typo = df.index[(df.index != her) & (df.index != lone)][5]
    y_true[typo] = NAME
    return df, y_true, Favours(model, NAME), her, lone


GROUNDS = {"gender": "sex", "age": "age", "nationality": "foreign_worker"}


@pytest.fixture(scope="module")
def audited(planted, fast_policy):
    X, y, model, _, _ = planted
    return sa.Audit(
        model,
        X,
        y,
        sensitive=GROUNDS,
        bins={"age": AGE_BINS},
        favorable_label="good",
        # Labels of the planted values name them too: they are left out.
        value_labels={"foreign_worker": {TRIO: [TRIO, TRIO]}, "city": {NAME: [NAME, NAME]}},
        privacy=True,
        # The explanation on a few rows: every value it could show is still searched for.
        policy=fast_policy(explain_sample_size=60, explain_background_size=20),
    ).run(random_state=0)


def _labels(X: pd.DataFrame) -> pd.DataFrame:
    """Each row's group in every ground, as the JSON names it."""
    age = pd.cut(
        X["age"], [-np.inf, *AGE_BINS, np.inf], right=False, labels=["<25", "25–39", "40–59", "≥60"]
    ).astype(str)
    nat = X["foreign_worker"].where(X["foreign_worker"] != TRIO, "(small group 1)")
    return pd.DataFrame({"gender": X["sex"], "age": age, "nationality": nat})


# ---------------------------------------------------------------------------------------------
# The attack: every sum the JSON publishes, as equations over the people
# ---------------------------------------------------------------------------------------------


def _equations(doc: dict, labels: pd.DataFrame) -> dict[str, list[np.ndarray]]:
    """Which sums over the people the JSON gives, per quantity: ``decisions`` (favourable
    counts), ``outcomes`` (actual positives), ``hits`` (true positives). An attacker who knows
    each group's people (the JSON gives the counts; the groups are the grounds' values) reads
    a group's count times its selection rate as its decisions, its base rate or score table's
    observed rate as its outcomes, any outcome rate (with the decisions and outcomes) as its
    true positives; a finding's sizes behind a rate (actual positives or negatives, favourable
    decisions) and a recourse finding's number refused per group likewise."""
    out: dict[str, list[np.ndarray]] = {"decisions": [], "outcomes": [], "hits": []}
    everyone = np.ones(len(labels), dtype=bool)
    tables = {**doc["group_metrics"], **doc["intersections"]}
    outcome_rates = ("true_positive_rate", "false_positive_rate", "precision", "accuracy")
    groups: dict[str, dict[str, tuple[np.ndarray, bool]]] = {}
    for key, table in tables.items():
        if table["overall"]["selection_rate"] is not None:  # the overall row
            out["decisions"].append(everyone)
        if any(table["overall"][m] is not None for m in outcome_rates):
            out["hits"].append(everyone)
            out["outcomes"].append(everyone)
        for g in table["groups"]:
            mask = np.logical_and.reduce(
                [
                    (labels[a] == v).to_numpy()
                    for a, v in zip(table["attributes"], g["group"], strict=True)
                ]
            )
            groups.setdefault(key, {})[" × ".join(g["group"])] = (
                mask,
                g["selection_rate"] is not None,
            )
            if g["selection_rate"] is not None:
                out["decisions"].append(mask)
            if any(g[m] is not None for m in outcome_rates):
                out["hits"].append(mask)
                out["outcomes"].append(mask)
    for ground, rates in doc["base_rates"].items():
        for group in rates["rates"]:
            out["outcomes"].append(groups[ground][group][0])
    for ground, scores in doc["score_metrics"].items():
        for g in scores["groups"]:
            if g["observed_rate"] is not None:
                out["outcomes"].append(groups[ground][g["group"]][0])
    by_rate = {"selection_rate": "decisions", "precision": "decisions"}
    for f in doc["findings"]:
        details, table = f.get("details") or {}, groups.get(f.get("ground") or "", {})
        quantity = by_rate.get(details.get("metric"), "outcomes")
        for name in (*details.get("rates", {}), *details.get("sizes", {})):
            if name in table and table[name][1]:  # sizes of a group whose decisions are shown
                out[quantity].append(table[name][0])
        for g in details.get("by_group", []) if isinstance(details.get("by_group"), list) else []:
            if "refused" in g:
                out["decisions"].append(table[g["group"]][0])
    return out


def _recoverable(sums: list[np.ndarray], person: int) -> bool:
    """Whether the person's own value is a linear combination of the published sums."""
    rows = np.asarray(sums, dtype=float)
    target = np.zeros(rows.shape[1])
    target[person] = 1.0
    coef = np.linalg.lstsq(rows.T, target, rcond=None)[0]
    return bool(np.allclose(rows.T @ coef, target, atol=1e-6))


def _differenced(table: dict, rate: str) -> tuple[float, int]:
    """The issue's attack on one table: overall count x rate minus the shown groups', and how
    many people that remainder is about (none when the overall rate is withheld)."""
    if table["overall"][rate] is None:
        return float("nan"), 0
    total = table["overall"]["count"] * table["overall"][rate]
    people = table["overall"]["count"]
    for g in table["groups"]:
        if g[rate] is not None:
            total -= g["count"] * g[rate]
            people -= g["count"]
    return total, people


def test_a_lone_womans_decision_and_outcome_cannot_be_differenced(planted, audited):
    X, _, _, her, _ = planted
    doc = audited.to_dict()
    labels = _labels(X)
    assert (labels["age"] == "≥60").sum() == 1 and labels.loc[her, "age"] == "≥60"
    row = X.index.get_loc(her)
    # The attack, on the age table: the remainder is about at least k people.
    age = doc["group_metrics"]["age"]
    for rate in ("selection_rate", "precision", "true_positive_rate"):
        _, people = _differenced(age, rate)
        assert people == 0 or people >= K, (rate, people)
    # Every combination of every published sum: her decision, her outcome, and whether her
    # decision matched her outcome stay unknown.
    for quantity, sums in _equations(doc, labels).items():
        assert not _recoverable(sums, row), quantity
    # The flip test does not say which way her decision would move.
    for pairs in doc["flip_tests"].values():
        for pair in pairs["pairs"]:
            if pair["n"] < K:
                assert pair["to_favourable"] is None and pair["mean_score_change"] is None
    # A figure withheld to protect her is withheld in the report too, and named as such.
    page = audited.to_html(lang="en")
    assert "withheld to protect" in page


def test_a_small_group_cannot_be_recovered_from_two_tables():
    """Gender x nationality with two women of another nationality: the women's row and the
    nationality's column would give them back; the whole 2 x 2 is withheld."""
    g = np.array([0] * 2 + [0] * 89 + [1] * 11 + [1] * 198)
    nat = np.array([0] * 2 + [1] * 89 + [0] * 11 + [1] * 198)
    codes = {"gender": g, "nationality": nat, "both": 2 * g + nat}
    sizes = {"gender": 2, "nationality": 2, "both": 4}
    shown = {t: np.bincount(c, minlength=sizes[t]) >= 30 for t, c in codes.items()}
    rank = {"gender": 1, "nationality": 1, "both": 2}  # the intersection gives up cells first
    withheld = protect(Cells(codes, sizes, np.ones((len(g), 1)), shown, rank=rank), K)
    assert withheld["both"].all() and not withheld["gender"].any() and not withheld.overall
    assert withheld["nationality"].tolist() == [True, False]
    # Without the ranks another complement does: the women's figures and the overall.
    other = protect(Cells(codes, sizes, np.ones((len(g), 1)), shown), K)
    assert other["gender"].tolist() == [True, False] and other.overall


def test_fewer_than_k_people_in_all_withholds_every_figure():
    """Four people in all: every group and the overall are about fewer than k people."""
    cells = Cells({"g": np.array([0, 1, 0, 1])}, {"g": 2}, np.ones((4, 1)), {"g": np.ones(2, bool)})
    withheld = protect(cells, K)
    assert withheld["g"].all() and withheld.overall


@pytest.mark.parametrize("seed", range(6))
def test_no_private_set_can_be_recovered_from_the_published_sums(seed):
    """Three grounds of random, lopsided groups, their pairs and their intersection: after
    protect(), no set of fewer than k people (a cell of any table, or a combination of the
    three grounds) is a linear combination of the published sums, by a rank test that does
    not share the engine's code."""
    rng = np.random.default_rng(seed)
    n = 400
    grounds = [rng.choice(m, n, p=rng.dirichlet(np.full(m, 0.6))) for m in (4, 3, 5)]
    codes, sizes = {}, {}
    for combo in ((0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)):
        _, code = np.unique(
            np.column_stack([grounds[i] for i in combo]), axis=0, return_inverse=True
        )
        codes[combo], sizes[combo] = code.reshape(-1), int(code.max()) + 1
    shown = {t: np.bincount(c, minlength=sizes[t]) >= 30 for t, c in codes.items()}
    withheld = protect(Cells(codes, sizes, np.ones((n, 1)), shown), K)
    published = [] if withheld.overall else [np.ones(n)]
    for t, c in codes.items():
        published += [(c == cell).astype(float) for cell in np.flatnonzero(~withheld[t])]
        assert withheld[t][~shown[t]].all()  # nothing too small is shown
    rows = np.asarray(published)
    rank = np.linalg.matrix_rank(rows)
    sets = [(c == cell) for t, c in codes.items() for cell in range(sizes[t])]
    for members in sets:
        if 0 < members.sum() < K:
            assert np.linalg.matrix_rank(np.vstack([rows, members])) > rank


# ---------------------------------------------------------------------------------------------
# The privacy grep: every output, the name and the small group's value nowhere
# ---------------------------------------------------------------------------------------------


def _outputs(result, folder) -> dict[str, str]:
    texts = {"json": result.to_json(), "dict": json.dumps(result.to_dict(), ensure_ascii=False)}
    for lang in ("zh", "en", "bilingual"):
        texts[f"html-{lang}"] = result.to_html(lang=lang)
    for kind, (html, js) in result.write_filings(folder / "filings").items():
        texts[f"filing-{kind}.html"] = html.read_text(encoding="utf-8")
        texts[f"filing-{kind}.json"] = js.read_text(encoding="utf-8")
        texts[f"filing-{kind}.txt"] = result.filing(kind).to_text("en")
        texts[f"filing-{kind}-zh.txt"] = result.filing(kind).to_text("zh")
    texts["repr"] = repr(result)
    return texts


def _leaks(texts: dict[str, str], *values: str) -> list[tuple[str, str]]:
    return [(name, v) for name, text in texts.items() for v in values if v in text]


def test_a_planted_name_reaches_no_output_but_her_own_notice(planted, audited, tmp_path):
    X, _, model, her, lone = planted
    texts = _outputs(audited, tmp_path)
    refused = [i for i in X.index[model.predict(X) == "bad"] if i != her][:12]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = audited.person_notices([*refused, her, lone], tmp_path / "notices")
    for path in (tmp_path / "notices").iterdir():
        texts[path.name] = path.read_text(encoding="utf-8")
    texts["problems"] = repr(batch.problems)
    own = {f"notice-{lone}.html", f"notice-{lone}.txt"}
    assert _leaks({k: v for k, v in texts.items() if k not in own}, NAME, TRIO) == []
    # Her own notice may show her own city; nobody else is offered it as recourse.
    assert any(NAME in texts[f] for f in own)


def test_recourse_never_offers_a_value_of_fewer_than_min_count_people(planted, audited):
    X, _, model, _, _ = planted
    refused = list(X.index[model.predict(X) == "bad"])[:15]
    people = audited.explain_people(refused)
    offered = [c for p in people for o in p.recourse for c in o.changes if c.column == "city"]
    assert all(str(c.after) in CITIES for c in offered)


def test_a_notice_failing_the_privacy_check_is_not_written(planted, tmp_path):
    """A notice that would show another person's value held by fewer than k people (here:
    recourse offered to it, by asking for a minimum of one person) is refused by the checker
    and not written; its line in index.csv says why without the value."""
    X, _, model, _, _ = planted
    refused = list(X.index[model.predict(X) == "bad"])[:6]
    with pytest.warns(sa.errors.NoticeWarning, match="not written"):
        batch = person_notices(
            model,
            X,
            refused,
            tmp_path,
            sensitive=[],
            feature_labels=None,
            value_labels=None,
            favorable_label="good",
            min_count=1,
            actionable={"city": "any"},
        )
    index = (tmp_path / "index.csv").read_text(encoding="utf-8")
    assert NAME not in index and "privacy" in index
    written = {p.name for p in tmp_path.iterdir()}
    for ref, problems in batch.problems.items():
        if any(p.startswith("privacy") for p in problems):
            assert f"notice-{ref}.html" not in written


def test_rare_labels_of_the_outcomes_are_stand_ins(planted):
    X, y, _, _, _ = planted
    decisions = y.where(y != NAME, "good")
    result = sa.Audit(
        y_true=y,
        y_pred=decisions,
        sensitive={"gender": X["sex"]},
        favorable_label="good",
        policy=sa.Policy(n_bootstrap=100),
    ).run(random_state=0)
    texts = {"json": result.to_json(), "html": result.to_html(lang="bilingual")}
    assert _leaks(texts, NAME) == []
    assert "(value held by fewer than 5 people)" in texts["json"]


def test_the_command_line_prints_no_planted_value(planted, tmp_path, capsys):
    from szai_audit.cli import main

    X, y, model, _, _ = planted
    X.assign(outcome=y).to_csv(tmp_path / "data.csv", index=False)
    with open(tmp_path / "model.pkl", "wb") as fh:
        pickle.dump(model, fh)
    (tmp_path / "audit.toml").write_text(
        """
[data]
path = "data.csv"
[model]
path = "model.pkl"
trusted = true
[columns]
y_true = "outcome"
[sensitive]
gender = "sex"
age = "age"
nationality = "foreign_worker"
[audit]
favorable_label = "good"
bins = { age = [25, 40, 60] }
random_state = 0
explain = false
[policy]
n_bootstrap = 200
[output]
html = "out/report.html"
json = "out/report.json"
filings = "out/filings"
""",
        encoding="utf-8",
    )
    main(["run", str(tmp_path / "audit.toml")])
    printed = capsys.readouterr()
    texts = {"stdout": printed.out, "stderr": printed.err}
    for path in (tmp_path / "out").rglob("*.*"):
        texts[str(path)] = path.read_text(encoding="utf-8")
    assert len(texts) > 4
    assert _leaks(texts, NAME, TRIO) == []


# ---------------------------------------------------------------------------------------------
# Pricing: a consumer-profile group of two orders, and its mean price by differencing
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def priced(fast_policy):
    m = make_pricing_market(3000, random_state=3)
    data = m.data.copy()
    data.loc[data.index[[4, 9]], "neighbourhood"] = NAME  # a named villa: two orders
    result = sa.Audit(
        model=sa.CallableModel(m.pricing_rule),
        data=data,
        task="pricing",
        consumer_profile=m.consumer_profile,
        legitimate_factors=m.legitimate_factors,
        loyalty=m.loyalty,
        sensitive=m.sensitive,
        explain=False,
        policy=fast_policy(),
    ).run(random_state=0)
    return data, result


def test_a_two_order_profile_group_is_neither_named_nor_recoverable(priced, tmp_path):
    _, result = priced
    assert _leaks(_outputs(result, tmp_path), NAME) == []
    doc = result.to_dict()
    pricing = doc["pricing"]
    pooled = [g for g in pricing["gaps"]["neighbourhood"]["groups"] if g["group"] == "other"]
    assert pooled and pooled[0]["count"] >= 2  # the villa's orders are in the pooled rest
    for table in pricing["gaps"].values():
        hidden = [g for g in table["groups"] if g.get("mean") is None]
        if hidden and pricing["mean_price"] is not None:
            # The overall mean price times the orders, minus the shown groups', is about the
            # withheld groups together (and the orders without a group): never fewer than k.
            orders = sum(g["count"] for g in hidden)
            orders += pricing["orders"] - sum(g["count"] for g in table["groups"])
            assert orders >= K, (table["dimension"], hidden)


def test_a_lone_person_in_a_numeric_audit_cannot_be_differenced():
    """Numeric outputs, one ground, a group of one: the overall mean would give her prediction
    back from the two large groups', so the overall figures are withheld (the two groups stay
    compared)."""
    rng = np.random.default_rng(5)
    group = np.array(["a"] * 200 + ["b"] * 200 + ["c"])
    actual = rng.normal(100, 5, 401)
    result = sa.Audit(
        y_pred=actual + rng.normal(0, 1, 401),
        y_true=actual,
        task="regression",
        sensitive={"race": group},
        policy=sa.Policy(n_bootstrap=100),
    ).run(random_state=0)
    table = result.to_dict()["regression_metrics"]["race"]
    rows = {g["group"][0]: g for g in table["groups"]}
    assert rows["(small group 1)"]["mean_prediction"] is None
    assert rows["a"]["mean_prediction"] is not None and rows["b"]["mean_prediction"] is not None
    assert table["overall"]["mean_prediction"] is None and table["overall"]["count"] == 401


def test_a_group_withheld_to_protect_another_is_not_called_too_small(credit_demo):
    """A group of enough people withheld by complementary suppression is said to be withheld,
    never listed among the groups below the minimum (the credit demo's nationality × age)."""
    f = next(
        f
        for f in credit_demo.findings
        if f.ground == "nationality × age" and f.check == "fairness.selection_rate_ratio"
    )
    below, _, withheld = f.message.en.partition("withheld")
    assert "(82 people)" not in below and "(82 people)" in withheld
    assert "不予显示和比较的组" in f.message.zh
