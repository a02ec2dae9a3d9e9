"""The command line: run CONFIG.toml, compare OLD NEW, exit status for pipelines."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import shutil
import subprocess
import sys

import pytest
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit.cli import EXIT_ERROR, EXIT_FAIL, EXIT_OK, main


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, german):
    d = tmp_path_factory.mktemp("cli")
    german.to_csv(d / "applicants.csv", index=False)
    numeric = ["duration_months", "credit_amount", "age", "installment_rate"]
    model = LogisticRegression(max_iter=1000).fit(german[numeric], german["good_credit"])
    with open(d / "model.pkl", "wb") as fh:
        pickle.dump(model, fh)
    import skops.io as sio

    sio.dump(model, d / "model.skops")
    shutil.copy(d / "model.pkl", d / "model_pickle.skops")  # a pickle renamed
    (d / "fake.skops").write_bytes(b"PK\x03\x04 not a zip archive")
    # A predictions-only decision log.
    log = german.assign(decision=model.predict(german[numeric]))
    log.to_csv(d / "log.csv", index=False)
    return d, numeric


def _config(d, body: str, name: str = "audit.toml"):
    path = d / name
    path.write_text(body, encoding="utf-8")
    return str(path)


MODEL_CONFIG = """
[data]
path = "applicants.csv"
[model]
path = "{model}"
{trusted}
[columns]
y_true = "good_credit"
features = {features}
[sensitive]
gender = "sex"
nationality = "foreign_worker"
[audit]
explain = false
random_state = 0
[context]
domain = "credit_finance"
[policy]
min_group_size = 20
[metadata]
system_name = "CLI test model"
[output]
html = "out/{stem}.html"
json = "out/{stem}.json"
"""


@pytest.mark.slow
def test_run_with_a_safe_model_file(workdir, capsys):
    d, numeric = workdir
    cfg = _config(
        d,
        MODEL_CONFIG.format(
            model="model.skops", trusted="", features=json.dumps(numeric), stem="skops"
        ),
    )
    code = main(["run", cfg])
    data = json.loads((d / "out" / "skops.json").read_text(encoding="utf-8"))
    # Exit status follows the verdict: 1 when a finding fails, else 0.
    assert code == (EXIT_FAIL if data["summary"]["verdict"] == "FAIL" else EXIT_OK)
    assert data["system"]["system_name"] == "CLI test model" and data["risk"]["tier"] == "MEDIUM"
    assert data["policy"]["min_group_size"] == 20
    assert (d / "out" / "skops.html").exists()
    assert "wrote" in capsys.readouterr().out


def test_pickles_need_trust(workdir, capsys):
    d, numeric = workdir
    untrusted = _config(
        d,
        MODEL_CONFIG.format(model="model.pkl", trusted="", features=json.dumps(numeric), stem="p"),
        "p.toml",
    )
    assert main(["run", untrusted]) == EXIT_ERROR
    assert "runs any code" in capsys.readouterr().err
    trusted = _config(
        d,
        MODEL_CONFIG.format(
            model="model.pkl", trusted="trusted = true", features=json.dumps(numeric), stem="p"
        ),
        "p2.toml",
    )
    assert main(["run", trusted]) in (EXIT_OK, EXIT_FAIL)
    assert (d / "out" / "p.json").exists()


def test_predictions_only_and_gating(workdir):
    d, _ = workdir
    cfg = _config(
        d,
        """
[data]
path = "log.csv"
[columns]
y_pred = "decision"
y_true = "good_credit"
[sensitive]
nationality = "foreign_worker"
[audit]
explain = false
[output]
json = "out/log.json"
""",
        "log.toml",
    )
    code = main(["run", cfg])
    data = json.loads((d / "out" / "log.json").read_text(encoding="utf-8"))
    assert data["scope"]["mode"] == "predictions"
    assert code == (EXIT_FAIL if data["summary"]["verdict"] == "FAIL" else EXIT_OK)


#: A predictions-only audit of the decision log, without its [output].
LOG_AUDIT = """
[data]
path = "log.csv"
[columns]
y_pred = "decision"
[sensitive]
nationality = "foreign_worker"
[audit]
explain = false
"""


def test_run_writes_the_filings_and_refuses_one_over_an_input(workdir, capsys):
    d, _ = workdir
    body = (
        LOG_AUDIT
        + """
[output]
json = "filed/log.json"
filings = "filed"
lang = "zh"
"""
    )
    main(["run", _config(d, body, "filed.toml")])
    names = sorted(p.name for p in (d / "filed").iterdir())
    assert names == sorted(
        ["log.json"] + [f"filing-{k}.{e}" for k in sa.filings.KINDS for e in ("html", "json")]
    )
    page = (d / "filed" / "filing-pia.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in page and "Personal information" not in page  # [output] lang
    pia = json.loads((d / "filed" / "filing-pia.json").read_text(encoding="utf-8"))
    saved = json.loads((d / "filed" / "log.json").read_text(encoding="utf-8"))
    assert pia["source"]["audit_content_sha256"] == saved["content_sha256"]
    # a filing over the configuration file itself is refused before anything runs
    clash = body.replace('filings = "filed"', 'filings = "."').replace("filed/log", "x/log")
    (d / "filing-ethics.json").write_text("keep", encoding="utf-8")
    cfg = _config(d, clash, "filing-ethics.json")
    assert main(["run", cfg]) == EXIT_ERROR
    assert "[output] filings (ethics.json)" in capsys.readouterr().err
    assert not (d / "x").exists()


def test_filings_options_in_the_configuration(workdir, capsys):
    """[filings]: which kinds, their date, the earlier audit for the ethics record (read
    before the audit runs, never written over), the follow-up interval, the grounds."""
    d, _ = workdir
    body = (
        LOG_AUDIT
        + """
[output]
json = "opts/log.json"
filings = "opts"
[filings]
kinds = ["ethics", "bias_audit"]
date = 2027-06-30
previous = "first.json"
follow_up_months = 6
public_opinion = false
sex = "nationality"
"""
    )
    first = d / "first.json"
    earlier = LOG_AUDIT + '[output]\njson = "first.json"\n'
    main(["run", _config(d, earlier, "first.toml")])
    before = first.read_bytes()
    main(["run", _config(d, body, "opts.toml")])
    names = sorted(p.name for p in (d / "opts").iterdir())
    assert names == sorted(
        ["log.json"]
        + [f"filing-{k}.{e}" for k in ("ethics", "bias_audit") for e in ("html", "json")]
    )
    ethics = json.loads((d / "opts" / "filing-ethics.json").read_text(encoding="utf-8"))
    assert ethics["date"] == "2027-06-30" and ethics["follow_up_months"] == 6
    assert ethics["follow_up_due"] == "2027-12-30"
    follow_up = next(p for p in ethics["parts"] if p["key"] == "follow_up")
    labels = [f["label"]["en"] for f in follow_up["fields"]]
    # the comparison with the earlier audit is in the record: the next review was due six
    # months after it ran, and this one is dated 2027-06-30
    assert {"This follow-up on time", "Since the last audit"} <= set(labels), labels
    timing = next(f for f in follow_up["fields"] if f["label"]["en"] == "This follow-up on time")
    then = dt.date.fromisoformat(json.loads(before)["manifest"]["generated_at"][:10])
    due = sa.filings.add_months(then, 6)
    verdict = "on time" if dt.date(2027, 6, 30) <= due else "late"
    assert timing["value"]["en"] == f"{verdict} (last audit {then}, due by {due})", timing
    bias = json.loads((d / "opts" / "filing-bias_audit.json").read_text(encoding="utf-8"))
    assert bias["date"] == "2027-06-30"
    by_sex = bias["parts"][0]["tables"][0]  # the ground chosen as sex: nationality
    assert by_sex["caption"]["en"] == "By sex" and len(by_sex["rows"]) == 2
    assert "female" not in json.dumps(by_sex)
    assert first.read_bytes() == before  # the earlier audit is read, never written
    # the earlier audit as an output of the same run is refused before anything runs
    clash = body.replace('json = "opts/log.json"', 'json = "first.json"')
    assert main(["run", _config(d, clash, "clash.toml")]) == EXIT_ERROR
    assert "[filings] previous" in capsys.readouterr().err
    assert first.read_bytes() == before


BASE = "[data]\npath = 'applicants.csv'\n[sensitive]\ngender = 'sex'\n"
#: A configuration with a folder for its filings, ending in [filings].
FILED = BASE + "[output]\nfilings = 'f'\n[filings]\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[data]\npath = 'missing.csv'\n[sensitive]\ngender = 'sex'\n", "does not exist"),
        ("[data]\npath = 'applicants.csv'\n[colour]\nx = 1\n", "unknown sections"),
        ("[datum]\n", "unknown sections"),
        (BASE + "[columns]\nlabel = 'x'\n", "unknown roles"),
        (BASE + "[policy]\nstrictness = 2\n", "[policy]"),
        (BASE + "[columns]\ny_pred = 'nope'\n", "not a column"),
        (BASE + "[columns]\nfeatures = ['age', 'nope']\n", "'nope'"),
        ("[data]\npath = 'applicants.csv'\n[sensitive]\ngender = 'gender_col'\n", "gender_col"),
        (BASE + "[output]\njsn = 'x.json'\n", "[output] has unknown keys"),
        ("[data]\npath = 'applicants.csv'\nchunk = true\n", "[data] has unknown keys"),
        ("[data]\npath = 'applicants.csv'\nchunked = 'yes'\n", "true or false"),
        (BASE + "[model]\npath = 'model.pkl'\ntrust = true\n", "[model] has unknown keys"),
        ("this is not = toml [", "not valid TOML"),
        (
            "[data]\npath = 'applicants.csv'\n[sensitive]\ngender = ['sex']\n",
            "[sensitive] gender must be a column name (text), got ['sex']",
        ),
        (
            "[data]\npath = 'applicants.csv'\n[sensitive]\ngender = 5\n",
            "[sensitive] gender must be a column name (text), got 5",
        ),
        (BASE + "[columns]\nfeatures = []\n", "[columns] features is empty"),
        (BASE + "[columns]\nfeatures = ['age', 3]\n", "[columns] features must be a list of"),
        (BASE + "[columns]\ny_true = ['good_credit']\n", "[columns] y_true must be a column"),
        ("[data]\npath = 5\n[sensitive]\ngender = 'sex'\n", "[data] path must be a file path"),
        (BASE + "[model]\npath = 'model_pickle.skops'\n", "is not a skops file"),
        (BASE + "[model]\npath = 'fake.skops'\n", "is not a skops file"),
        (BASE + "[filings]\nkinds = ['pia']\n", "[output] names no folder to write them"),
        (FILED + "retain = 3\n", "[filings] has unknown keys ['retain']"),
        (FILED + "kinds = 'pia'\n", "[filings] kinds must be a list"),
        (FILED + "kinds = ['pia', 'memo']\n", "[filings] kinds must be one of"),
        (FILED + "kinds = []\n", "[filings] kinds must be one of"),
        (FILED + "date = '2026-02-30'\n", "[filings] date must be a date"),
        (FILED + "follow_up_months = 13\n", "[filings] follow_up_months must be a whole"),
        (FILED + "follow_up_months = 6.0\n", "[filings] follow_up_months must be a whole"),
        (FILED + "public_opinion = 'yes'\n", "[filings] public_opinion must be True, False"),
        (
            FILED + "sex = 'gender_x'\n",
            "[filings] sex must name a ground of [sensitive] ['gender']",
        ),
        (FILED + "race_ethnicity = 3\n", "[filings] race_ethnicity must name"),
        (FILED + "previous = 3\n", "[filings] previous must be the earlier audit's JSON"),
        (FILED + "previous = 'missing.json'\n", "does not exist"),
        (FILED + "previous = 'applicants.csv'\n", "[filings] previous"),
    ],
)
def test_config_errors_exit_2_with_a_message(workdir, capsys, body, message):
    d, _ = workdir
    assert main(["run", _config(d, body, "bad.toml")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err and "unexpected error" not in err, err


@pytest.mark.parametrize(
    ("block_size", "message"),
    [
        ("-5", "[data] block_size must be a positive number of bytes"),
        ("0", "[data] block_size must be a positive number of bytes"),
        ('"-5MB"', "[data] block_size must be a positive number of bytes"),
        ('"lots"', '[data] block_size must be a size such as "64MB" or a number of bytes'),
        ("true", "[data] block_size must be a size such as"),
    ],
)
def test_block_size_is_checked(workdir, capsys, block_size, message):
    d, _ = workdir
    body = f"[data]\npath = 'applicants.csv'\nchunked = true\nblock_size = {block_size}\n"
    body += "[columns]\ny_true = 'good_credit'\n[sensitive]\ngender = 'sex'\n"
    assert main(["run", _config(d, body, "block.toml")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err and "unexpected error" not in err, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and /dev/zero")
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_data_path_that_is_not_a_regular_file(tmp_path, capsys, kind):
    path = tmp_path / "data.csv"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    body = "[data]\npath = 'data.csv'\n[sensitive]\ngender = 'sex'\n"
    assert main(["run", _config(tmp_path, body)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "[data] path" in err and "is not a regular file" in err, err
    assert "does not exist" not in err and "unexpected error" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_config_or_model_that_is_not_a_regular_file(workdir, tmp_path, capsys):
    os.mkfifo(tmp_path / "audit.toml")
    assert main(["run", str(tmp_path / "audit.toml")]) == EXIT_ERROR
    assert "is not a regular file" in capsys.readouterr().err
    d, _ = workdir
    (d / "fifo.skops").unlink(missing_ok=True)
    os.mkfifo(d / "fifo.skops")
    assert main(["run", _config(d, BASE + "[model]\npath = 'fifo.skops'\n", "f.toml")]) == 2
    err = capsys.readouterr().err
    assert "[model] path" in err and "is not a regular file" in err, err


@pytest.mark.slow
def test_compare_and_usage(tmp_path, capsys):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    df = sa.datasets.load_german_credit()
    fair = sa.Audit(y_pred=df["good_credit"], data=df, sensitive={"gender": "sex"}, explain=False)
    fair.run().to_json(old)
    unfair_pred = (df["sex"] == "male").astype(int)
    sa.Audit(y_pred=unfair_pred, data=df, sensitive={"gender": "sex"}, explain=False).run().to_json(
        new
    )
    html = tmp_path / "cmp.html"
    assert main(["compare", str(old), str(new), "--html", str(html)]) == EXIT_FAIL
    out = capsys.readouterr().out
    assert "new failures" in out and html.exists()
    assert main(["compare", str(new), str(new)]) == EXIT_FAIL  # the newer audit still fails
    assert main(["compare", str(old), str(tmp_path / "missing.json")]) == EXIT_ERROR
    assert main(["frobnicate"]) == 2
    assert main(["--help"]) == 0
    # python -m szai_audit is the same command.
    proc = subprocess.run(
        [sys.executable, "-m", "szai_audit", "compare", str(old), str(old)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (EXIT_OK, EXIT_FAIL) and "verdict" in proc.stdout


CHUNKED = """
[data]
path = "{path}"
{chunked}
[model]
path = "model.skops"
[columns]
y_true = "good_credit"
features = {features}
[sensitive]
gender = "sex"
age = "age"
nationality = "foreign_worker"
[audit]
random_state = 4
recourse = false  # not assessed on data in parts (tests/test_chunked.py)
[policy]
proxy_max_rows = 300
flip_max_rows = 250
explain_sample_size = 120
[output]
json = "out/{stem}.json"
"""


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_chunked_reading_gives_the_same_audit(workdir, german, suffix):
    """[data] chunked = true reads the file block by block with Dask: same findings, metrics,
    intervals, samples and fingerprints as reading it whole."""
    from test_chunked import _differences

    d, numeric = workdir
    path = d / f"applicants.{suffix}"
    if suffix == "parquet":  # several row groups, so several partitions
        german.to_parquet(path, index=False, row_group_size=150)
    outputs = {}
    for stem, chunked in (("whole", ""), ("parts", 'chunked = true\nblock_size = "30kB"')):
        body = CHUNKED.format(
            path=path.name, chunked=chunked, features=json.dumps(numeric), stem=stem + suffix
        )
        assert main(["run", _config(d, body, f"{stem}{suffix}.toml")]) in (EXIT_OK, EXIT_FAIL)
        outputs[stem] = json.loads((d / "out" / f"{stem}{suffix}.json").read_text("utf-8"))
    assert outputs["parts"]["manifest"]["processing"]["partitions"] > 1
    assert _differences(outputs["whole"], outputs["parts"]) == []


def test_a_crash_exits_2_not_1(workdir, monkeypatch, capsys):
    """An unexpected exception must not read as a FAIL (exit 1) in a pipeline."""
    import szai_audit._config as config

    def boom(_config):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(config, "run_config", boom)
    d, _ = workdir
    assert main(["run", _config(d, BASE, "crash.toml")]) == EXIT_ERROR
    assert "unexpected error (RuntimeError: disk on fire)" in capsys.readouterr().err


PRICING_CHUNKED = """
[data]
path = "orders.csv"
{chunked}
[columns]
y_pred = "fare"
[sensitive]
gender = "sex"
age = "age"
[audit]
task = "pricing"
legitimate_factors = ["distance_km", "vehicle", "time_band"]
loyalty = "tenure_months"
consumer_profile = {{ habits = ["tenure_months"], ability_to_pay = ["device_tier", "income_band"] }}
[policy]
n_bootstrap = 200
[output]
json = "out/{stem}.json"
"""


@pytest.mark.slow
def test_chunked_pricing_gives_the_same_audit(tmp_path):
    """A pricing audit of a CSV read block by block equals reading it whole."""
    from test_chunked import _differences

    market = sa.datasets.make_pricing_market(3_000, ability_markup=0.08, random_state=3)
    market.data.assign(fare=market.price).to_csv(tmp_path / "orders.csv", index=False)
    outputs = {}
    for stem, chunked in (("whole", ""), ("parts", 'chunked = true\nblock_size = "60kB"')):
        body = PRICING_CHUNKED.format(chunked=chunked, stem=stem)
        assert main(["run", _config(tmp_path, body, f"{stem}.toml")]) in (EXIT_OK, EXIT_FAIL)
        outputs[stem] = json.loads((tmp_path / "out" / f"{stem}.json").read_text("utf-8"))
    assert outputs["parts"]["manifest"]["processing"]["partitions"] > 1
    assert outputs["parts"]["pricing"]["gaps"]
    assert _differences(outputs["whole"], outputs["parts"]) == []


EXPLAIN_CONFIG = """
[data]
path = "people.csv"
[model]
path = "model.skops"
[columns]
y_true = "good_credit"
features = {features}
[sensitive]
gender = "sex"
[audit]
explain = false
recourse = {{ actionable = {{ duration_months = "decrease", credit_amount = "decrease" }} }}
[metadata]
system_name = "CLI test model"
appeal = "write to the bank"
"""


@pytest.fixture(scope="module")
def explain_dir(workdir, german):
    d, numeric = workdir
    german.assign(application=[f"APP-{i:04d}" for i in range(len(german))]).to_csv(
        d / "people.csv", index=False
    )
    return d, numeric


def test_explain_writes_a_notice_per_person(explain_dir, german, capsys):
    d, numeric = explain_dir
    cfg = _config(d, EXPLAIN_CONFIG.format(features=json.dumps(numeric)), "explain.toml")
    (d / "ids.csv").write_text("application\nAPP-0003\nAPP-0010\nAPP-0001\n", encoding="utf-8")
    out = d / "notices"
    code = main(["explain", cfg, "--rows", str(d / "ids.csv"), "--out", str(out),
                 "--id-column", "application"])  # fmt: skip
    assert code == EXIT_OK, capsys.readouterr().err
    assert sorted(p.name for p in out.glob("notice-*.html")) == [
        "notice-APP-0001.html", "notice-APP-0003.html", "notice-APP-0010.html"
    ]  # fmt: skip
    index = (out / "index.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in index[1:]] == ["APP-0003", "APP-0010", "APP-0001"]
    # The notice of APP-0003 is the model's decision on that applicant's row.
    import skops.io as sio

    clf = sio.load(d / "model.skops", trusted=sio.get_untrusted_types(file=d / "model.skops"))
    decision = clf.predict(german[numeric].iloc[[3]])[0]
    assert f"APP-0003,notice-APP-0003.html,notice-APP-0003.txt,{decision}," in index[1]
    page = (out / "notice-APP-0003.html").read_text(encoding="utf-8")
    assert "write to the bank" in page and "APP-0003" in page
    assert "wrote 3 notices" in capsys.readouterr().out
    # Row numbers when no id column is given.
    (d / "rows.csv").write_text("row\n0\n5\n", encoding="utf-8")
    assert main(["explain", cfg, "--rows", str(d / "rows.csv"), "--out", str(d / "n2")]) == 0
    assert (d / "n2" / "notice-0.html").exists() and (d / "n2" / "notice-5.html").exists()
    # Recourse changes only what [audit] recourse allows (the audit's own settings).
    index = (d / "n2" / "index.csv").read_text(encoding="utf-8")
    refused = [ln.split(",")[2] for ln in index.splitlines()[1:] if ",False," in ln]
    options = [
        line
        for name in refused
        for line in (d / "n2" / name).read_text(encoding="utf-8").splitlines()
        if line.startswith("- ") and " from " in line
    ]
    for line in options:
        assert line[2:].split(" from ")[0].lower() in ("duration_months", "credit_amount")


def test_explain_dates_the_decisions_and_counts_those_turned(explain_dir, capsys):
    """--decided-on dates every notice; the output line counts the decisions that rest on the
    inputs tied to protected grounds (none here: the model is not given sex); a missing date
    is a placeholder, warned of on stderr."""
    d, numeric = explain_dir
    cfg = _config(d, EXPLAIN_CONFIG.format(features=json.dumps(numeric)), "dated.toml")
    (d / "dated_ids.csv").write_text("row\n0\n5\n", encoding="utf-8")
    args = ["explain", cfg, "--rows", str(d / "dated_ids.csv"), "--lang", "zh"]
    assert main([*args, "--out", str(d / "dated"), "--decided-on", "2026-11-30"]) == EXIT_OK
    captured = capsys.readouterr()
    assert "0 would be the other decision without the inputs tied to protected grounds" in (
        captured.out
    )
    assert "recourse is opt-in" not in captured.out  # the config declares what may change
    page = (d / "dated" / "notice-0.txt").read_text(encoding="utf-8")
    assert "决定日期：2026-11-30" in page and "Explanation" not in page
    assert main([*args, "--out", str(d / "undated")]) == EXIT_OK
    assert "decision_date" in capsys.readouterr().err
    assert main([*args, "--out", str(d / "bad"), "--decided-on", "30/11/2026"]) == 2
    capsys.readouterr()
    bare = _config(d, EXPLAIN_CONFIG.format(features=json.dumps(numeric)).replace(
        "recourse = ", "# recourse = "), "bare.toml")  # fmt: skip
    assert main(["explain", bare, "--rows", str(d / "dated_ids.csv"), "--out", str(d / "b")]) == 0
    assert "recourse is opt-in" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        ("application\nAPP-9999\n", ["--id-column", "application"], "not in column"),
        ("application\nAPP-0001\nAPP-0001\n", ["--id-column", "application"], "more than once"),
        ("row\n100000\n", [], "row numbers"),
        ("row\n1\n", ["--id-column", "nope"], "not a column of the data"),
        ("application\n", [], "lists no one"),
    ],
)
def test_explain_errors_exit_2(explain_dir, capsys, rows, extra, message):
    d, numeric = explain_dir
    cfg = _config(d, EXPLAIN_CONFIG.format(features=json.dumps(numeric)), "explain.toml")
    (d / "bad_ids.csv").write_text(rows, encoding="utf-8")
    code = main(["explain", cfg, "--rows", str(d / "bad_ids.csv"), "--out", str(d / "nx"), *extra])
    assert code == EXIT_ERROR
    assert message in capsys.readouterr().err


def test_explain_never_writes_over_its_inputs(explain_dir, capsys):
    """--out the data's own folder with a data file called index.csv: refused before
    anything is read or written."""
    d, numeric = explain_dir
    sub = d / "clash"
    sub.mkdir(exist_ok=True)
    shutil.copy(d / "people.csv", sub / "index.csv")
    shutil.copy(d / "model.skops", sub / "model.skops")
    body = EXPLAIN_CONFIG.format(features=json.dumps(numeric)).replace("people.csv", "index.csv")
    cfg = _config(sub, body, "explain.toml")
    (sub / "ids.csv").write_text("row\n1\n", encoding="utf-8")
    before = (sub / "index.csv").read_bytes()
    code = main(["explain", cfg, "--rows", str(sub / "ids.csv"), "--out", str(sub)])
    assert code == EXIT_ERROR and "would write over [data] path" in capsys.readouterr().err
    assert (sub / "index.csv").read_bytes() == before


# --------------------------------------------------------------------------------------------
# Issue 26, item 7: the command line as a CI gate and a daily tool
# --------------------------------------------------------------------------------------------


def test_version(capsys):
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == f"szai-audit {sa.__version__}"


@pytest.mark.parametrize("fail_on", ["fail", "warn"])
def test_fail_on_gates_and_lists_the_findings(workdir, capsys, fail_on):
    d, _ = workdir
    cfg = _config(d, LOG_AUDIT + f'[output]\njson = "out/gate-{fail_on}.json"\n', "gate.toml")
    code = main(["run", cfg, "--fail-on", fail_on])
    out = capsys.readouterr().out
    doc = json.loads((d / "out" / f"gate-{fail_on}.json").read_text(encoding="utf-8"))
    gated = ("FAIL",) if fail_on == "fail" else ("FAIL", "WARN")
    expected = [f for f in doc["findings"] if f["status"] in gated]
    listed = [line for line in out.splitlines() if line.split("  ")[0].strip() in gated]
    assert len(listed) == len(expected)
    assert code == (EXIT_FAIL if expected else EXIT_OK)
    if fail_on == "fail":
        return
    assert expected  # the decision log WARNs: --fail-on warn makes that exit 1
    first = expected[0]
    assert listed[0].startswith(f"{first['status']:<4}  {first['check']}  ground={first['ground']}")
    assert "value=" in listed[0] and "tolerance=" in listed[0]
    assert f"{len(expected)} finding(s) at" in out


def test_fail_on_is_checked(workdir, capsys):
    d, _ = workdir
    cfg = _config(d, LOG_AUDIT, "gate.toml")
    assert main(["run", cfg, "--fail-on", "pass"]) == EXIT_ERROR
    assert "--fail-on" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[policy]\nmin_grup_size = 3\n", "[policy] has unknown keys ['min_grup_size'] (did you "
         "mean 'min_group_size'?)"),
        ("[sensitve]\n", "unknown sections ['sensitve'] (did you mean 'sensitive'?)"),
        ("[context]\ndomian = 'credit_finance'\n", "(did you mean 'domain'?)"),
    ],
)  # fmt: skip
def test_misspelt_keys_are_named_with_the_close_one(workdir, capsys, extra, message):
    d, _ = workdir
    cfg = _config(d, LOG_AUDIT + extra, "typo.toml")
    assert main(["run", cfg]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err and "__init__" not in err


def test_misspelt_columns_are_named_with_the_close_one(workdir, capsys):
    d, _ = workdir
    cfg = _config(d, LOG_AUDIT.replace('"foreign_worker"', '"foreign_wroker"'), "typo.toml")
    assert main(["run", cfg]) == EXIT_ERROR
    assert "(did you mean 'foreign_worker'?)" in capsys.readouterr().err


def test_chinese_keys_must_be_quoted_and_say_so(workdir, capsys):
    d, _ = workdir
    body = LOG_AUDIT.replace('nationality = "foreign_worker"', '国籍 = "foreign_worker"')
    assert main(["run", _config(d, body, "zh.toml")]) == EXIT_ERROR
    assert 'A key such as 国籍 must be quoted: "国籍" = ...' in capsys.readouterr().err
    quoted = LOG_AUDIT.replace('nationality = "foreign_worker"', '"国籍" = "foreign_worker"')
    assert main(["run", _config(d, quoted, "zh.toml")]) in (EXIT_OK, EXIT_FAIL)


def test_init_writes_a_commented_configuration(workdir, tmp_path, capsys):
    d, _ = workdir
    target = tmp_path / "audit.toml"
    assert main(["init", str(target), "--data", str(d / "log.csv")]) == EXIT_OK
    text = target.read_text(encoding="utf-8")
    assert "# the data's columns: checking_status, duration_months" in text
    assert text.count("#") > 20 and "docs/configuration.md" in text
    assert main(["init", str(target)]) == EXIT_ERROR  # never over a file
    assert "exists already" in capsys.readouterr().err
    # Filled in (no model, the log's decisions), it runs as written.
    text = text.replace("[model]   ", "# [model]").replace('path = "model.skops"', "")
    text = text.replace('# y_pred = "decision"', 'y_pred = "decision"')
    text = text.replace('gender = "sex"', 'nationality = "foreign_worker"')
    target.write_text(text, encoding="utf-8")
    assert main(["run", str(target)]) in (EXIT_OK, EXIT_FAIL), capsys.readouterr().err
    assert (tmp_path / "out" / "report.html").exists()


def test_explain_from_the_saved_audit_writes_the_same_notices(explain_dir, capsys, monkeypatch):
    d, numeric = explain_dir
    body = EXPLAIN_CONFIG.format(features=json.dumps(numeric)) + '[output]\njson = "saved.json"\n'
    cfg = _config(d, body, "saved.toml")
    assert main(["run", cfg]) in (EXIT_OK, EXIT_FAIL)
    (d / "ids.csv").write_text("application\nAPP-0003\nAPP-0010\n", encoding="utf-8")
    args = ["--rows", str(d / "ids.csv"), "--id-column", "application"]
    assert main(["explain", cfg, *args, "--out", str(d / "rerun")]) == EXIT_OK
    from szai_audit import _config as config_module

    def no_audit(*a, **k):  # the saved audit is read, never run again
        raise AssertionError("the audit ran again")

    monkeypatch.setattr(config_module, "_audited", no_audit)
    saved = ["--audit", str(d / "saved.json")]
    assert main(["explain", cfg, *args, "--out", str(d / "fromsaved"), *saved]) == EXIT_OK
    for name in ("index.csv", "notice-APP-0003.html", "notice-APP-0010.txt"):
        assert (d / "fromsaved" / name).read_text(encoding="utf-8") == (
            d / "rerun" / name
        ).read_text(encoding="utf-8"), name
    # An edited audit, or the audit of other data, is refused.
    doc = json.loads((d / "saved.json").read_text(encoding="utf-8"))
    doc["scope"]["favorable_label"] = 0
    (d / "edited.json").write_text(json.dumps(doc), encoding="utf-8")
    edited = ["--audit", str(d / "edited.json")]
    assert main(["explain", cfg, *args, "--out", str(d / "n3"), *edited]) == EXIT_ERROR
    assert "content_sha256" in capsys.readouterr().err
    other = _config(d, body.replace(json.dumps(numeric), json.dumps(numeric[:3])), "other.toml")
    assert main(["explain", other, *args, "--out", str(d / "n4"), *saved]) == EXIT_ERROR
    assert "audit of other data" in capsys.readouterr().err


def test_plot_group_rates_draws_chinese_labels_without_missing_glyphs():
    import warnings

    from matplotlib.figure import Figure

    from szai_audit.core.charts import mpl_font_family

    if mpl_font_family()[0] == "DejaVu Sans":
        pytest.skip("no CJK font for matplotlib on this machine (fonts-noto-cjk)")
    gm = sa.fairness.group_metrics(None, [1, 0, 1, 1, 0, 1], ["女", "女", "男", "男", "女", "男"])
    fig = Figure()
    ax = fig.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would be an error
        sa.report.plot_group_rates(gm, ax=ax, lang="zh")
        fig.savefig(__import__("io").BytesIO(), format="png")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["女", "男"]
    assert ax.get_xlabel() == "有利决定率"


def test_the_favourable_decision_is_named_in_the_configuration(workdir, capsys):
    """[audit] favorable_name = [zh, en] reaches the audit: the JSON records it and the
    findings name the rate after it; a name that is not text is refused with exit 2."""
    d, _ = workdir
    body = LOG_AUDIT + 'favorable_name = ["获批", "approval"]\n[output]\njson = "named.json"\n'
    assert main(["run", _config(d, body, "named.toml")]) in (EXIT_OK, EXIT_FAIL)
    saved = json.loads((d / "named.json").read_text(encoding="utf-8"))
    assert saved["scope"]["favorable_name"] == {"zh": "获批", "en": "approval"}
    ratio = next(f for f in saved["findings"] if f["check"] == "fairness.selection_rate_ratio")
    assert ratio["title"]["zh"].startswith("获批比例") and "approval rate" in ratio["message"]["en"]
    wrong = LOG_AUDIT + "favorable_name = 3\n"
    assert main(["run", _config(d, wrong, "wrong.toml")]) == EXIT_ERROR
    assert "favorable_name must be a text or a pair of texts" in capsys.readouterr().err
