"""Progress bars per stage (on a terminal only, never in CI or with verbose=False) and the
seconds of each stage in the manifest."""

from __future__ import annotations

import io
import json
import re
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit.core import progress
from szai_audit.risk.tracking import compare


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture()
def terminal(monkeypatch):
    """stderr as a terminal, bars shown at once, not in CI."""
    stream = _Terminal()
    monkeypatch.setattr(progress, "stream", lambda: stream)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return stream


def _audit(**kw):
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame(
        {
            "income": rng.normal(size=n),
            "sex": rng.choice(["f", "m"], n),
            "age": rng.integers(18, 70, n),
        }
    )
    X["sex_code"] = (X["sex"] == "f").astype(int)
    y = (X["income"] + 0.5 * X["sex_code"] + rng.normal(size=n) > 0).astype(int)
    inputs = X[["income", "sex_code", "age"]]
    model = LogisticRegression().fit(inputs, y)
    return sa.Audit(
        model,
        inputs,
        y,
        sensitive={"gender": "sex_code", "age": "age"},
        policy=sa.Policy(n_bootstrap=200),
        **kw,
    )


def test_a_bar_per_stage_on_a_terminal(terminal):
    result = _audit().run()
    shown = terminal.getvalue()
    for name in ("predictions", "bootstrap", "proxies", "flip test", "explanation"):
        assert f"szai_audit {name}" in shown, name
    result.to_html()
    assert "szai_audit report" in terminal.getvalue()


@pytest.mark.parametrize("how", ["verbose", "ci", "pipe"])
def test_silent_unless_asked_on_a_terminal(terminal, monkeypatch, how):
    kw = {}
    drawn_on = terminal
    if how == "verbose":
        kw["verbose"] = False
    elif how == "ci":
        monkeypatch.setenv("CI", "true")
    else:
        drawn_on = io.StringIO()  # a pipe or a log file: not a terminal
        monkeypatch.setattr(progress, "stream", lambda: drawn_on)
    result = _audit(**kw).run()
    result.to_html()
    assert drawn_on.getvalue() == "" and terminal.getvalue() == ""
    assert set(result.manifest["stage_seconds"]) >= {"predictions", "bootstrap", "report"}


@pytest.mark.slow
def test_stage_seconds_in_the_manifest_not_in_the_hash(monkeypatch, tmp_path):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    a, b = _audit(verbose=False).run(), _audit(verbose=False).run()
    seconds = a.manifest["stage_seconds"]
    assert list(seconds) == [s for s in progress.STAGES if s in seconds]  # in running order
    assert {"predictions", "bootstrap", "proxies", "flip test", "explanation"} <= set(seconds)
    assert all(isinstance(v, float) and v >= 0 for v in seconds.values())
    assert a.content_sha256 == b.content_sha256  # timings are not content
    assert "report" not in json.loads(a.to_json())["manifest"]["stage_seconds"]
    a.to_html()
    doc = json.loads(a.to_json())
    assert doc["manifest"]["stage_seconds"]["report"] >= 0  # to_json after a rendering
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert compare(path, path).summary["after"]["verdict"] == a.verdict  # the hash checks
    doc["manifest"]["random_state"] = 7  # content, unlike the timings: an edit is caught
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(sa.errors.InputError, match="content_sha256"):
        compare(path, path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")
    assert "stage_seconds" not in _audit(verbose=False).run().manifest  # byte-identical files


def test_verbose_must_be_a_bool():
    with pytest.raises(sa.errors.InputTypeError, match="verbose must be True or False"):
        _audit(verbose="no").run()


def test_a_bar_only_once_a_stage_has_run_its_delay(terminal, monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 3.0)
    with progress.stage("explanation", total=10) as quick:
        quick.update(10)
    assert terminal.getvalue() == ""  # done before 3 s: nothing drawn
    monkeypatch.setattr(progress, "DELAY", 0.05)
    with progress.stage("explanation") as slow:
        slow.start(10, "rows explained")
        time.sleep(0.2)
        slow.update(5)
        slow.update(5)
    drawn = terminal.getvalue()
    assert "szai_audit explanation: rows explained" in drawn and "/10" in drawn


def test_stages_nest_and_time_once():
    with (
        progress.clock(verbose=False) as c,
        progress.stage("explanation") as outer,
        progress.stage("explanation", total=10) as inner,
    ):
        assert inner is outer
        inner.update(10)
    assert list(c.seconds) == ["explanation"] and c.seconds["explanation"] >= 0


# Issue 26: every stage shows progress, in a terminal and in a notebook -------------------------


def test_every_stage_counts_its_steps_on_a_terminal(terminal, monkeypatch):
    """Proxies (inputs and folds of every ground), flip test (groups), bootstrap (tables),
    recourse (batches): each bar has a total and reaches it."""
    monkeypatch.setattr(progress, "MININTERVAL", 0.0)  # every step drawn
    result = _audit().run()
    shown = terminal.getvalue()
    for name in ("proxies", "flip test", "bootstrap", "recourse"):
        counts = re.findall(rf"szai_audit {name}[^|\r\n]*\|[^\r\n]*?(\d+)/(\d+)", shown)
        assert counts, (name, shown[-2000:])
        done, total = map(int, counts[-1])
        assert total > 0 and done == total, (name, counts[-1])
    assert "szai_audit proxies: gender" in shown or "szai_audit proxies: age" in shown
    assert result.manifest["stage_seconds"]["recourse"] >= 0


def test_a_notebook_shows_the_widget(monkeypatch):
    """In a Jupyter kernel (stderr not a terminal there) the bars are tqdm's notebook widget."""
    from tqdm.notebook import tqdm as notebook_tqdm

    made = []
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "stream", lambda: io.StringIO())  # not a terminal
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.delenv("CI", raising=False)
    original = progress._bar

    def spy(name, total, show):
        bar = original(name, total, show)
        made.append((name, type(bar), show))
        return bar

    monkeypatch.setattr(progress, "_bar", spy)
    _audit().run()
    assert {"proxies", "bootstrap", "flip test"} <= {name for name, _, _ in made}
    assert all(show and issubclass(kind, notebook_tqdm) for _, kind, show in made), made
    # A total added while the stage runs reaches the widget's bar, not only tqdm's count.
    monkeypatch.setattr(progress, "MININTERVAL", 0.0)
    with progress.stage("proxies") as bar:
        bar.add(4)
        bar.update(1)
        widget = bar._bar.container.children[1]
        assert (widget.max, widget.value) == (4, 1)


def test_a_notebook_without_ipywidgets_gets_the_text_bar(monkeypatch):
    import builtins

    stream = io.StringIO()
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "stream", lambda: stream)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "MININTERVAL", 0.0)
    monkeypatch.delenv("CI", raising=False)
    real_import = builtins.__import__

    def no_widgets(name, *args, **kwargs):
        if name == "tqdm.notebook":
            raise ImportError("IProgress not found. Please update jupyter and ipywidgets.")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_widgets)
    with progress.stage("proxies", total=2) as bar:
        bar.update(2)
    assert "szai_audit proxies" in stream.getvalue() and "2/2" in stream.getvalue()
    before = stream.getvalue()
    monkeypatch.setenv("CI", "true")  # and CI stays silent, notebook or not
    with progress.stage("proxies", total=2) as bar:
        bar.update(2)
    assert stream.getvalue() == before


def test_in_notebook_is_false_outside_a_kernel():
    assert progress.in_notebook() is False


def test_notices_count_the_notices_written(terminal, monkeypatch, tmp_path):
    monkeypatch.setattr(progress, "MININTERVAL", 0.0)
    result = _audit().run()
    people = result.inputs[1].index[:5]
    with pytest.warns(sa.errors.NoticeWarning):  # the test data's columns have no labels
        result.person_notices(people, tmp_path / "notices")
    counts = re.findall(r"szai_audit notices[^\r\n]*?(\d+)/(\d+)", terminal.getvalue())
    assert counts and counts[-1] == ("5", "5")
