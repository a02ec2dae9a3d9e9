"""Writing outputs: atomically, never over an input, into folders created as needed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import szai_audit as sa
from szai_audit import errors
from szai_audit.cli import EXIT_ERROR, EXIT_FAIL, EXIT_OK, main
from szai_audit.core import files
from szai_audit.core.files import check_outputs, write_text

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes and links")


@pytest.fixture(scope="module")
def small(german):
    """The German Credit data with a decision column: a quick predictions-only audit."""
    return german.assign(decision=(german["age"] > 30).astype(int))


@pytest.fixture(scope="module")
def small_result(small):
    return sa.Audit(
        y_pred=small["decision"], data=small, sensitive={"gender": "sex"}, explain=False
    ).run()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ----------------------------------------------------------------------------------------------
# core.files.write_text
# ----------------------------------------------------------------------------------------------


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("old report", encoding="utf-8")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(errors.ReportError, match=r"cannot write .*r\.html.*No space left"):
        write_text(target, "new report")
    assert target.read_text(encoding="utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    """The writer stops midway (half the text is out): nothing half-written is left."""
    target = tmp_path / "r.json"
    target.write_text("{}", encoding="utf-8")
    real_fdopen = os.fdopen

    class Interrupting:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: Interrupting(real_fdopen(*a, **k)))
    with pytest.raises(KeyboardInterrupt):
        write_text(target, "x" * 10_000)
    assert target.read_text(encoding="utf-8") == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_text_that_utf8_cannot_encode_is_a_report_error(tmp_path):
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(errors.ReportError, match="cannot write"):
        write_text(target, "ok \udcff")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


@POSIX
def test_file_modes_are_those_of_a_plain_open(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "new.html", "x")
        existing = tmp_path / "kept.html"
        existing.write_text("old", encoding="utf-8")
        existing.chmod(0o640)
        write_text(existing, "new")
    finally:
        os.umask(old)
    assert (tmp_path / "new.html").stat().st_mode & 0o777 == 0o644  # not tempfile's 0o600
    assert existing.stat().st_mode & 0o777 == 0o640
    assert existing.read_text(encoding="utf-8") == "new"


@POSIX
def test_writing_through_a_symlink_updates_its_target(tmp_path):
    real = tmp_path / "real.html"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_missing_folders_are_created(tmp_path):
    write_text(tmp_path / "a" / "b" / "r.html", "x")
    assert (tmp_path / "a" / "b" / "r.html").read_text(encoding="utf-8") == "x"


def test_unwritable_places_are_report_errors(tmp_path):
    (tmp_path / "data.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    with pytest.raises(errors.ReportError, match=r"data\.csv.* is a file, not a folder"):
        write_text(tmp_path / "data.csv" / "r.html", "x")
    with pytest.raises(errors.ReportError, match="is a folder"):
        write_text(tmp_path / "folder", "x")
    if sys.platform.startswith("linux"):
        with pytest.raises(errors.ReportError, match=r"cannot write '/proc/nope/r\.html'"):
            write_text("/proc/nope/r.html", "x")
    assert (tmp_path / "data.csv").read_text(encoding="utf-8") == "a\n1\n"


def test_result_writers_create_missing_folders(tmp_path, small_result):
    small_result.to_html(tmp_path / "new" / "r.html", lang="en")
    small_result.to_json(tmp_path / "other" / "deep" / "r.json")
    assert (tmp_path / "new" / "r.html").read_text(encoding="utf-8").startswith("<!")
    assert json.loads((tmp_path / "other" / "deep" / "r.json").read_text(encoding="utf-8"))


def test_result_writers_refuse_a_folder(tmp_path, small_result):
    with pytest.raises(errors.ReportError, match="is a folder"):
        small_result.to_json(tmp_path)


# ----------------------------------------------------------------------------------------------
# core.files.check_outputs
# ----------------------------------------------------------------------------------------------


def test_check_outputs_names_the_output_and_the_input(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(errors.InputError, match=r"\[output\] html .*data\.csv.*\[data\] path"):
        check_outputs({"[output] html": data}, {"[data] path": data})
    with pytest.raises(errors.InputError, match=r"\[output\] html .*\[output\] json"):
        check_outputs(
            {"[output] html": tmp_path / "r", "[output] json": tmp_path / "x" / ".." / "r"}, {}
        )
    check_outputs({"[output] html": tmp_path / "r.html"}, {"[data] path": data})  # no clash


@POSIX
def test_check_outputs_sees_links(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "sym.html").symlink_to(data)
    os.link(data, tmp_path / "hard.html")
    for name in ("sym.html", "hard.html"):
        with pytest.raises(errors.InputError, match="overwrite"):
            check_outputs({"--html": tmp_path / name}, {"NEW": data})


# ----------------------------------------------------------------------------------------------
# szai-audit run / compare
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path, small):
    small.to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "model.skops").write_bytes(b"PK not really a model")
    return tmp_path


def _run(folder: Path, output: str, model: bool = False) -> int:
    body = (
        "[data]\npath = 'data.csv'\n"
        + ("[model]\npath = 'model.skops'\n" if model else "")
        + "[columns]\ny_pred = 'decision'\n[sensitive]\ngender = 'sex'\n"
        + "[audit]\nexplain = false\n[output]\n"
        + output
    )
    (folder / "audit.toml").write_text(body, encoding="utf-8")
    return main(["run", str(folder / "audit.toml")])


@pytest.mark.parametrize(
    ("output", "model", "names"),
    [
        ('html = "data.csv"\n', False, ["[output] html", "data.csv", "[data] path"]),
        ('json = "audit.toml"\n', False, ["[output] json", "audit.toml", "configuration"]),
        ('html = "model.skops"\n', True, ["[output] html", "model.skops", "[model] path"]),
        ('html = "r.html"\njson = "./r.html"\n', False, ["[output] json", "[output] html"]),
        ('html = "sub/../data.csv"\n', False, ["[output] html", "data.csv", "[data] path"]),
    ],
)
def test_run_never_writes_over_its_inputs(folder, capsys, output, model, names):
    _run(folder, "")  # the config file exists, so that it is part of the snapshot
    capsys.readouterr()
    before = _snapshot(folder)
    assert _run(folder, output, model) == EXIT_ERROR
    err = capsys.readouterr().err
    assert all(name in err for name in names), err
    assert "unexpected error" not in err
    after = _snapshot(folder)
    after.pop("audit.toml"), before.pop("audit.toml")  # rewritten by the test itself
    assert after == before
    assert not (folder / "r.html").exists()


@POSIX
def test_run_refuses_an_output_linked_to_its_data(folder, capsys):
    (folder / "report.html").symlink_to(folder / "data.csv")
    data = (folder / "data.csv").read_bytes()
    assert _run(folder, 'html = "report.html"\n') == EXIT_ERROR
    err = capsys.readouterr().err
    assert "[output] html" in err and "data.csv" in err and "unexpected error" not in err
    assert (folder / "data.csv").read_bytes() == data


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ('html = "data.csv/r.html"\n', "is a file, not a folder"),
        ('json = "."\n', "is a folder"),
        ('html = "/proc/nope/r.html"\n', "cannot write '/proc/nope/r.html'"),
    ],
)
def test_run_reports_unwritable_outputs(folder, capsys, output, message):
    if "/proc" in output and not sys.platform.startswith("linux"):
        pytest.skip("a Linux path")
    data = (folder / "data.csv").read_bytes()
    assert _run(folder, output) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err and "unexpected error" not in err, err
    assert (folder / "data.csv").read_bytes() == data


def test_run_creates_folders_and_leaves_no_temporary(folder, capsys):
    assert _run(folder, 'html = "a/b/r.html"\njson = "a/r.json"\n') in (EXIT_OK, EXIT_FAIL)
    assert sorted(p.name for p in (folder / "a").iterdir()) == ["b", "r.json"]
    assert [p.name for p in (folder / "a" / "b").iterdir()] == ["r.html"]


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("html = 5\n", "[output] html must be a file path (text), got 5"),
        ("json = ['r.json']\n", "[output] json must be a file path (text)"),
        ('lang = "fr"\n', "[output] lang must be one of ['zh', 'en', 'bilingual'], got 'fr'"),
    ],
)
def test_run_checks_output_keys(folder, capsys, output, message):
    assert _run(folder, output) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err and "unexpected error" not in err, err
    assert not (folder / "5").exists()


@pytest.fixture
def saved(tmp_path, small_result):
    path = tmp_path / "a.json"
    small_result.to_json(path)
    return path


@pytest.mark.parametrize(
    ("flags", "names"),
    [
        (["--html", "a.json"], ["--html", "a.json", "OLD"]),
        (["--json", "a.json"], ["--json", "a.json", "OLD"]),
        (["--html", "c.out", "--json", "c.out"], ["--html", "--json", "c.out"]),
    ],
)
def test_compare_never_writes_over_its_inputs(saved, capsys, monkeypatch, flags, names):
    monkeypatch.chdir(saved.parent)
    before = saved.read_bytes()
    assert main(["compare", "a.json", "a.json", *flags]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert all(name in err for name in names) and "unexpected error" not in err, err
    assert saved.read_bytes() == before
    assert sorted(p.name for p in saved.parent.iterdir()) == ["a.json"]


def test_compare_writes_into_new_folders(saved, capsys):
    out = saved.parent / "cmp" / "c.html"
    assert main(["compare", str(saved), str(saved), "--html", str(out)]) in (EXIT_OK, EXIT_FAIL)
    assert out.read_text(encoding="utf-8").startswith("<!")


def test_the_write_helper_is_the_one_used(monkeypatch, folder, capsys):
    """run goes through core.files.write_text: a failing replace leaves the old report whole."""
    (folder / "r.json").write_text("old", encoding="utf-8")

    def fail(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "replace", fail)
    assert _run(folder, 'json = "r.json"\n') == EXIT_ERROR
    err = capsys.readouterr().err
    assert "cannot write" in err and "unexpected error" not in err
    assert (folder / "r.json").read_text(encoding="utf-8") == "old"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
