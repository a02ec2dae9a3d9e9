"""Exit codes and files a pipeline relies on, and text outputs (issue 29, items 8-11): a model
that exits, outputs replaced together, temporaries, FIFOs, long names, NUL, deep TOML, lone
surrogates, a signed saved audit, control characters in every text output, dates in range."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import pickle
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import szai_audit as sa
from szai_audit import errors
from szai_audit.cli import EXIT_ERROR, EXIT_FAIL, EXIT_OK, failing_lines, main
from szai_audit.core import files
from szai_audit.core.files import check_outputs, content_sha256, write_text
from szai_audit.core.html import css_string
from szai_audit.core.manifest import VOLATILE
from szai_audit.explain import explain_people, write_notices
from szai_audit.explain.notices import notice_text
from szai_audit.filings import build_filing, write_filings
from szai_audit.risk.tracking import compare

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX FIFOs and file names")

#: Characters no text output may carry raw: a right-to-left override, NUL, a bidi isolate.
HOSTILE = "\u202e\x00\u2066"


@pytest.fixture(scope="module")
def small(german):
    """The German Credit data with a decision column: a quick predictions-only audit."""
    return german.assign(decision=(german["age"] > 30).astype(int))


@pytest.fixture(scope="module")
def small_result(small):
    return sa.Audit(
        y_pred=small["decision"],
        data=small,
        sensitive={"gender": "sex"},
        explain=False,
        metadata={"system_name": f"loan{HOSTILE}model", "organisation": "Bank\u202eknaB"},
    ).run()


@pytest.fixture
def folder(tmp_path, small):
    small.to_csv(tmp_path / "data.csv", index=False)
    return tmp_path


def _config(folder: Path, output: str, extra: str = "") -> str:
    body = (
        "[data]\npath = 'data.csv'\n"
        + extra
        + "[columns]\ny_pred = 'decision'\n[sensitive]\ngender = 'sex'\n"
        + "[audit]\nexplain = false\n[output]\n"
        + output
    )
    (folder / "audit.toml").write_text(body, encoding="utf-8")
    return str(folder / "audit.toml")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp"))


# ----------------------------------------------------------------------------------------------
# 8. a model that exits
# ----------------------------------------------------------------------------------------------


class ExitingModel:
    """A model whose predict ends the process with status 0."""

    def predict(self, X):
        sys.exit(0)


class RaisingModel:
    """A model whose predict raises."""

    def predict(self, X):
        raise RuntimeError("the model's own failure")


@pytest.mark.parametrize("model", [ExitingModel, RaisingModel])
def test_a_model_that_exits_or_raises_exits_2_naming_it(folder, capsys, model):
    with open(folder / "model.pkl", "wb") as fh:
        pickle.dump(model(), fh)
    features = '["age", "credit_amount"]'
    cfg = Path(
        _config(
            folder,
            'html = "out/r.html"\njson = "out/r.json"\n',
            "[model]\npath = 'model.pkl'\ntrusted = true\n",
        )
    )
    body = cfg.read_text(encoding="utf-8").replace("y_pred = 'decision'", f"features = {features}")
    cfg.write_text(body, encoding="utf-8")
    assert main(["run", str(cfg)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert f"{model.__name__}.predict" in err, err
    if model is ExitingModel:
        assert "sys.exit(0)" in err and "unexpected error" not in err, err
    assert not (folder / "out").exists()  # no report, no JSON


# ----------------------------------------------------------------------------------------------
# 9. outputs written together; temporaries; FIFOs; names; NUL; deep TOML; lone surrogates
# ----------------------------------------------------------------------------------------------


def test_outputs_are_replaced_together_or_not_at_all(folder, capsys, monkeypatch):
    """The disk fills up while the JSON is written, after the HTML: the old HTML and the old
    JSON stay as they were, every filing too, and no temporary is left."""
    out = folder / "out"
    out.mkdir()
    (out / "r.html").write_text("old html", encoding="utf-8")
    (out / "r.json").write_text("old json", encoding="utf-8")
    real_fdopen = os.fdopen
    calls = []

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            raise OSError(28, "No space left on device")

    def fdopen(*args, **kwargs):
        calls.append(1)
        fh = real_fdopen(*args, **kwargs)
        return Full(fh) if len(calls) == 2 else fh

    monkeypatch.setattr(files.os, "fdopen", fdopen)
    cfg = _config(folder, 'html = "out/r.html"\njson = "out/r.json"\nfilings = "out/f"\n')
    assert main(["run", cfg]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "No space left on device" in err and "unexpected error" not in err, err
    assert (out / "r.html").read_text(encoding="utf-8") == "old html"
    assert (out / "r.json").read_text(encoding="utf-8") == "old json"
    assert not (out / "f").exists() or not list((out / "f").iterdir())
    assert _leftovers(folder) == []


def test_a_failed_replace_puts_back_what_was_replaced(tmp_path, monkeypatch):
    """The third of three replaces fails: the file replaced is put back as it was, the new
    one removed."""
    (tmp_path / "a.html").write_text("old a", encoding="utf-8")
    real = os.replace
    seen = []

    def replace(src, dst):
        seen.append(dst)
        if len(seen) == 3:
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(errors.ReportError, match="Input/output error"), files.together():
        write_text(tmp_path / "new.html", "new")
        write_text(tmp_path / "a.html", "new a")
        write_text(tmp_path / "b.json", "new b")
    monkeypatch.setattr(files.os, "replace", real)
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html"]


def test_stale_temporaries_of_a_killed_run_are_removed(folder, capsys):
    out = folder / "out"
    out.mkdir()
    stale = [out / ".szai-tmp-0123456789abcdef.deadbeef.tmp", out / ".r.html.0badcafe.tmp"]
    fresh = out / ".szai-tmp-fedcba9876543210.12345678.tmp"  # another run, writing now
    for p in (*stale, fresh):
        p.write_text("half a report", encoding="utf-8")
    hour_ago = time.time() - 3600
    for p in stale:
        os.utime(p, (hour_ago, hour_ago))
    os.utime(fresh, (time.time() + 3600, time.time() + 3600))
    mine = out / ".notes.tmp"  # not a temporary of szai_audit
    mine.write_text("keep", encoding="utf-8")
    os.utime(mine, (hour_ago, hour_ago))
    assert main(["run", _config(folder, 'html = "out/r.html"\n')]) in (EXIT_OK, EXIT_FAIL)
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and mine.exists()


@POSIX
def test_a_fifo_as_output_is_refused(folder, capsys):
    fifo = folder / "r.html"
    os.mkfifo(fifo)
    with pytest.raises(errors.InputError, match=r"r\.html.*not a regular file"):
        check_outputs({"[output] html": fifo}, {})
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so that a write would not block
    try:
        with pytest.raises(errors.ReportError, match="not a regular file"):
            write_text(fifo, "x")
    finally:
        os.close(reader)
    assert main(["run", _config(folder, 'html = "r.html"\n')]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "[output] html" in err and "not a regular file" in err, err


@POSIX
def test_a_legal_name_of_245_bytes_is_written(folder, capsys):
    name = "报" * 80 + ".html"  # 80 characters, 245 bytes
    assert len(name.encode("utf-8")) == 245
    assert main(["run", _config(folder, f'html = "{name}"\n')]) in (EXIT_OK, EXIT_FAIL)
    assert (folder / name).read_text(encoding="utf-8").startswith("<!")
    assert _leftovers(folder) == []


@POSIX
@pytest.mark.parametrize(
    ("output", "data", "message"),
    [
        ('html = "' + "x" * 300 + '.html"\n', "data.csv", "305 bytes"),
        ('html = "' + "报" * 90 + '.html"\n', "data.csv", "275 bytes"),
        ('html = "a\\u0000b.html"\n', "data.csv", "NUL"),
        ('json = "r.json"\n', "da\\u0000ta.csv", "NUL"),
    ],
)
def test_a_name_too_long_or_a_nul_is_a_clear_error(folder, capsys, output, data, message):
    body = Path(_config(folder, output)).read_text(encoding="utf-8")
    Path(folder / "audit.toml").write_text(
        body.replace("path = 'data.csv'", f'path = "{data}"'), encoding="utf-8"
    )
    assert main(["run", str(folder / "audit.toml")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err and "unexpected error" not in err, err
    assert "Traceback" not in err


def test_a_nul_in_a_path_given_to_the_api(tmp_path, small_result):
    with pytest.raises(errors.ReportError, match="NUL"):
        small_result.to_html(str(tmp_path / "a\x00b.html"))
    with pytest.raises(errors.InputError, match="NUL"):
        compare(small_result, str(tmp_path / "a\x00b.json"))


@pytest.mark.parametrize("nest", ["[", "{b="])
def test_a_toml_nested_50000_deep_is_a_clear_error(folder, capsys, nest):
    close = "]" if nest == "[" else "}"
    cfg = folder / "deep.toml"
    cfg.write_text("a = " + nest * 50_000 + close * 50_000 + "\n", encoding="utf-8")
    assert main(["run", str(cfg)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "nested too deeply" in err and "unexpected error" not in err, err


def test_a_lone_surrogate_in_metadata_or_a_group_is_a_clear_error(small):
    with pytest.raises(errors.InputError, match=r"metadata\['system_name'\].*U\+D800"):
        sa.Audit(
            y_pred=small["decision"],
            data=small,
            sensitive={"gender": "sex"},
            metadata={"system_name": "loan\ud800"},
            explain=False,
        ).run()
    with pytest.raises(errors.InputError, match=r"metadata.*U\+DC00"):
        sa.Audit(
            y_pred=small["decision"],
            data=small,
            sensitive={"gender": "sex"},
            metadata={"own\udc00er": "x"},
            explain=False,
        ).run()
    data = small.copy()
    data["sex"] = pd.Series(
        ["fem\ud800" if v == "female" else str(v) for v in data["sex"]],
        index=data.index,
        dtype=object,
    )
    with pytest.raises(errors.InputError, match=r"'gender'.*U\+D800"):
        sa.Audit(
            y_pred=data["decision"], data=data, sensitive={"gender": "sex"}, explain=False
        ).run()


# ----------------------------------------------------------------------------------------------
# 10. a saved audit signed with the organisation's key
# ----------------------------------------------------------------------------------------------

KEY = "SZAI_AUDIT_KEY"


def _doctored(doc: dict) -> dict:
    """The document with its FAIL findings marked PASS and content_sha256 recomputed with the
    public rule (docs/json-schema.md): what a deliberate edit looks like."""
    edited = copy.deepcopy(doc)
    for f in edited["findings"]:
        if f["status"] == "FAIL":
            f["status"] = "PASS"
    content = {k: v for k, v in edited.items() if k not in ("content_sha256", "content_hmac")}
    content["manifest"] = {k: v for k, v in content["manifest"].items() if k not in VOLATILE}
    edited["content_sha256"] = content_sha256(content)
    return edited


def _save(tmp_path: Path, doc: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_saved_audit_signed_with_a_key_refuses_a_deliberate_edit(
    tmp_path, small_result, monkeypatch, capsys
):
    monkeypatch.setenv(KEY, "the organisation's secret")
    doc = json.loads(small_result.to_json())
    assert len(doc["content_hmac"]) == 64
    signed = _save(tmp_path, doc, "signed.json")
    assert compare(small_result, signed).summary["before"]["content_signed"] is True
    edited = _save(tmp_path, _doctored(doc), "edited.json")
    with pytest.raises(errors.InputError, match=r"edited\.json.*signature.*SZAI_AUDIT_KEY"):
        compare(small_result, edited)
    with pytest.raises(errors.InputError, match="signature"):
        build_filing("pia", edited)
    assert main(["compare", str(signed), str(edited)]) == EXIT_ERROR
    assert "signature" in capsys.readouterr().err
    assert main(["compare", str(signed), str(signed)]) in (EXIT_OK, EXIT_FAIL)
    assert "content_sha256 and signature (content_hmac, SZAI_AUDIT_KEY) match" in (
        capsys.readouterr().out
    )
    unsigned = copy.deepcopy(_doctored(doc))
    del unsigned["content_hmac"]
    with pytest.raises(errors.InputError, match="not signed"):
        compare(small_result, _save(tmp_path, unsigned, "unsigned.json"))
    monkeypatch.setenv(KEY, "another key")
    with pytest.raises(errors.InputError, match="signature"):
        compare(small_result, signed)


def test_without_a_key_the_hash_is_said_to_detect_accidents_only(
    tmp_path, small_result, monkeypatch, capsys
):
    monkeypatch.delenv(KEY, raising=False)
    doc = json.loads(small_result.to_json())
    assert "content_hmac" not in doc
    edited = _save(tmp_path, _doctored(doc), "edited.json")
    summary = compare(small_result, edited).summary  # a recomputed hash cannot be told apart
    assert summary["before"]["content_verified"] is True
    assert summary["before"]["content_signed"] is False
    assert main(["compare", str(edited), str(edited)]) in (EXIT_OK, EXIT_FAIL)
    assert "rules out accidental change only" in capsys.readouterr().out
    root = Path(__file__).parents[1]
    for page in ("docs/article-66.md", "docs/cli.md", "docs/filings/index.md"):
        text = (root / page).read_text(encoding="utf-8")
        assert "SZAI_AUDIT_KEY" in text and "accidental" in text, page
    assert "unedited" not in (root / "docs" / "cli.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# 11. control characters in every text output; index.csv; dates
# ----------------------------------------------------------------------------------------------


def _raw(text: str) -> list[str]:
    return [ch for ch in HOSTILE if ch in text]


def test_every_text_output_shows_control_characters(small_result, tmp_path):
    doc = small_result.to_dict()
    for kind in ("algorithm", "pia", "ethics", "bias_audit"):
        for lang in ("zh", "en"):
            text = build_filing(kind, doc, date="2026-12-04").to_text(lang)
            assert _raw(text) == [], (kind, lang)
    text = build_filing("algorithm", doc, date="2026-12-04").to_text("en")
    assert "loan\\u202e\\u0000\\u2066model" in text
    for lang in ("zh", "en", "bilingual"):
        assert _raw(small_result.algorithm_notice(lang=lang)) == []
    lines = failing_lines(small_result)
    assert lines and all(_raw(line) == [] for line in lines)


def _lending(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"income": rng.normal(5, 2, n), "debts": rng.integers(0, 6, n)})
    y = (X["income"] - 0.8 * X["debts"] + rng.normal(size=n) > 2.5).astype(int)
    return X, y


def test_the_text_notice_and_the_index_show_control_characters(tmp_path):
    X, y = _lending()
    model = LogisticRegression().fit(X, y)
    people = explain_people(model, X, X.index[:4])
    meta = {"organisation": f"Bank{HOSTILE}", "appeal": f"call{HOSTILE}us"}
    text = notice_text(people[0], reference=f"ref{HOSTILE}", metadata=meta)
    assert _raw(text) == [] and "Bank\\u202e\\u0000\\u2066" in text
    refs = ["\t=1+1", "\r=1+1", f"x{HOSTILE}", "plain"]
    batch = write_notices(people, refs, tmp_path / "n", metadata=meta, on=date(2026, 1, 2))
    index = batch.index.read_text(encoding="utf-8")
    assert _raw(index) == []
    rows = index.splitlines()[1:]
    assert rows[0].startswith("'\t=1+1") and rows[1].startswith("'\\u000d=1+1"), rows
    for path in batch.text:
        assert _raw(path.read_text(encoding="utf-8")) == []


def test_the_print_header_shows_control_characters(small_result):
    shown = css_string("loan\u202emodel")
    assert "\\202e" not in shown  # a CSS escape the browser turns back into U+202E
    assert "\\5c u202e" in shown  # the backslash of the visible escape, then u202e
    page = small_result.to_html(lang="en")
    assert "\\202e" not in page and "\\0 " not in page and "\u202e" not in page


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-05-01", "2300-01-01"])
def test_a_filing_date_out_of_range_is_refused(small_result, day, tmp_path, capsys):
    doc = small_result.to_dict()
    for kind in ("pia", "ethics", "algorithm"):
        with pytest.raises(errors.InputError, match=r"date must be a date from 2000-01-01 to"):
            build_filing(kind, doc, date=day)
    saved = tmp_path / "a.json"
    small_result.to_json(saved)
    assert main(["filings", str(saved), "--out", str(tmp_path / "f"), "--date", day]) == 2
    err = capsys.readouterr().err
    assert "2000-01-01" in err and "unexpected error" not in err, err


def test_an_audit_dated_out_of_range_is_refused(small_result):
    doc = small_result.to_dict()
    doc["manifest"]["generated_at"] = "9999-12-31T23:59:59+00:00"  # outside the hash
    with pytest.raises(errors.InputError, match="generated_at"):
        build_filing("pia", doc)


def test_a_review_before_the_earlier_audit_is_refused(small_result, tmp_path):
    doc = small_result.to_dict()
    earlier = copy.deepcopy(doc)
    earlier["manifest"]["generated_at"] = "2026-03-01T09:00:00+00:00"
    with pytest.raises(errors.InputError, match=r"2026-02-28.*before.*2026-03-01"):
        build_filing("ethics", doc, date="2026-02-28", previous=earlier)
    same_day = build_filing("ethics", doc, date="2026-03-01", previous=earlier)
    assert same_day.date == "2026-03-01"
    with pytest.raises(errors.InputError, match="before"):
        write_filings(doc, tmp_path / "f", date="2025-01-01", previous=earlier)
    assert not (tmp_path / "f").exists()


def test_dates_far_apart_do_not_overflow():
    from szai_audit.filings import add_months, add_years

    assert add_years(dt.date(2199, 12, 31), 3) == dt.date(2202, 12, 31)
    assert add_months(dt.date(2199, 12, 31), 12) == dt.date(2200, 12, 31)
