"""Each list is declared once: the arguments of ``Audit`` as the fields of ``Settings``
(``szai_audit.inputs.settings.DECLARED``), the settings of ``Policy`` as its fields with their
allowed range. Everything else that names them is tested against that declaration here: the
explicit signature of ``Audit.__init__``, what it stores, its docstring, docs/api.md, the
``[audit]`` table of docs/configuration.md, the Policy's docstring and the table of
docs/concepts.md; and every declared check is shown to refuse what it should."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from docs_pages import read_page, section

import szai_audit as sa
from szai_audit import _config
from szai_audit.core.policy import AtLeast, Between, Fraction, Level, OneOf, Step
from szai_audit.inputs.settings import ARGUMENTS, DECLARED, Settings

DOCS = Path(__file__).parents[1] / "docs"


def _same(documented: Any, declared: Any) -> bool:
    return type(documented) is type(declared) and documented == declared


def _docstring_parameters(obj: Any) -> list[tuple[str, str]]:
    """``(name, type line)`` of each entry of a numpydoc Parameters section, in order."""
    doc = inspect.cleandoc(obj.__doc__)
    match = re.search(r"^Parameters\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.M | re.S)
    assert match, f"{obj.__name__} has no Parameters section"
    return re.findall(r"^(\w+) : (.+)$", match.group(1), re.M)


def _documented_default(name: str, kind: str) -> tuple[bool, Any]:
    """``(True, value)`` for a type line ending ``default VALUE``, else ``(False, None)``."""
    match = re.search(r", default (.+)$", kind)
    if match is None:
        return False, None
    return True, ast.literal_eval(match.group(1))


def _call(arguments: Any) -> str:
    """``sa.Audit(model=None, ..., *, y_pred=None, ...)`` as docs/api.md writes it."""
    parts, keyword_only = [], False
    for argument in arguments:
        if not argument.positional and not keyword_only:
            parts.append("*")
            keyword_only = True
        default = argument.default
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        parts.append(f"{argument.name}={shown}")
    return f"sa.Audit({', '.join(parts)})"


# --------------------------------------------------------------------------------------------
# Audit: the declaration, the signature, the stores, the docstring
# --------------------------------------------------------------------------------------------


def test_the_declaration_is_the_settings_fields():
    assert tuple(f.name for f in dataclasses.fields(Settings)) == ARGUMENTS
    assert len(ARGUMENTS) == len(set(ARGUMENTS)) == 33
    # model, data and y_true may be passed by position, and they come first
    assert [a.name for a in DECLARED if a.positional] == ["model", "data", "y_true"]
    assert all(a.positional for a in DECLARED[:3])


def test_signature_is_the_declaration():
    parameters = list(inspect.signature(sa.Audit.__init__).parameters.values())[1:]
    assert [p.name for p in parameters] == list(ARGUMENTS)
    for parameter, argument in zip(parameters, DECLARED, strict=True):
        kind = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD
            if argument.positional
            else inspect.Parameter.KEYWORD_ONLY
        )
        assert parameter.kind is kind, argument.name
        assert _same(parameter.default, argument.default), (
            f"{argument.name}: signature {parameter.default!r}, declared {argument.default!r}"
        )


def test_init_stores_each_argument_under_its_name():
    assert vars(sa.Audit()) == {a.name: a.default for a in DECLARED}
    given = {name: object() for name in ARGUMENTS}
    audit = sa.Audit(**given)
    assert all(getattr(audit, name) is value for name, value in given.items())
    assert set(vars(audit)) == set(ARGUMENTS)


def test_docstring_lists_every_argument_in_order_with_its_default():
    documented = _docstring_parameters(sa.Audit)
    assert [name for name, _ in documented] == list(ARGUMENTS)
    for (name, kind), argument in zip(documented, DECLARED, strict=True):
        has_default, default = _documented_default(name, kind)
        if has_default:
            assert _same(default, argument.default), f"{name}: documented {kind!r}"
        else:  # no default written: the argument may be left out, as None
            assert argument.default is None, f"{name}: {kind!r} names no default"
            assert kind.endswith(("optional", "or None")), f"{name}: {kind!r}"


# --------------------------------------------------------------------------------------------
# Audit: docs/api.md and docs/configuration.md
# --------------------------------------------------------------------------------------------


def test_api_page_has_the_signature_and_a_row_per_argument_in_order():
    text = read_page("api")
    assert f"## `{_call(DECLARED)}`" in text, "docs/api.md's heading is not the signature"
    table = section(text, f"`{_call(DECLARED)}`")
    rows = re.findall(r"^\| ((?:`\w+`(?:, )?)+) \|", table, re.M)
    named = [name for row in rows for name in re.findall(r"`(\w+)`", row)]
    assert named == list(ARGUMENTS), "docs/api.md's table is not one row per argument, in order"
    run = inspect.signature(sa.Audit.run).parameters["random_state"].default
    assert f"`Audit.run(random_state={run})" in text


def test_api_heading_would_show_a_changed_default():
    """The check above fails when a default drifts (docs/api.md once had threshold=0.5)."""
    drifted = [
        dataclasses.replace(a, default=0.5) if a.name == "threshold" else a for a in DECLARED
    ]
    assert f"## `{_call(drifted)}`" not in read_page("api")
    assert "threshold=None" in _call(DECLARED)


def _audit_table() -> dict[str, str]:
    """``key: default`` of the table of ``[audit]`` in docs/configuration.md."""
    body = section(read_page("configuration"), "`[audit]`")
    return dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+?) \|", body, re.M))


def test_configuration_audit_table_has_the_declared_defaults():
    table = _audit_table()
    assert set(table) == _config._AUDIT_KEYS
    declared = {a.name: a.default for a in DECLARED}
    declared["random_state"] = inspect.signature(sa.Audit.run).parameters["random_state"].default
    for key, cell in table.items():
        value = None if cell == "none" else _config.tomllib.loads(f"v = {cell.strip('`')}")["v"]
        assert _same(value, declared[key]), f"[audit] {key}: documented {cell}, declared"


def test_configuration_sets_each_argument_where_its_declaration_says():
    sections = {a.config for a in DECLARED} - {None}
    assert sections <= _config._SECTIONS
    python_only = {a.name for a in DECLARED if a.config is None}
    text = read_page("configuration")
    sentence = re.search(r"((?:`\w+`(?:,| and)?\s+)+)cannot be set from a configuration", text)
    assert sentence
    assert set(re.findall(r"`(\w+)`", sentence.group(1))) == python_only


# --------------------------------------------------------------------------------------------
# Audit: each declared check
# --------------------------------------------------------------------------------------------

#: Checks that take any value of the argument's kind and only normalise it.
NORMALISING = {"favorable_label", "currency"}


@pytest.mark.parametrize(
    "argument", [a for a in DECLARED if a.check is not None], ids=lambda a: a.name
)
def test_each_declared_check_refuses_an_unusable_value_by_name(argument):
    argument.check(argument.default)  # the default passes its own check
    if argument.name in NORMALISING:
        assert argument.check("kept") == "kept"
        return
    with pytest.raises(sa.errors.SzaiAuditError, match=rf"^{argument.name}\b"):
        argument.check(object())


def test_run_applies_the_declared_checks():
    with pytest.raises(sa.errors.InputError, match=r"threshold must be a number in \(0, 1\)"):
        sa.Audit(y_score=[0.2, 0.8], sensitive={"g": ["a", "b"]}, threshold=1.5).run()
    with pytest.raises(sa.errors.InputTypeError, match="attestations must be a list"):
        sa.Audit(y_pred=[0, 1], sensitive={"g": ["a", "b"]}, attestations=3).run()
    with pytest.raises(sa.errors.InputTypeError, match="risk_rules must be the path"):
        sa.Audit(y_pred=[0, 1], sensitive={"g": ["a", "b"]}, risk_rules=3).run()


# --------------------------------------------------------------------------------------------
# Policy: the docstring, the concepts page, each range
# --------------------------------------------------------------------------------------------


def test_policy_docstring_lists_every_setting_in_order_with_its_default():
    fields = dataclasses.fields(sa.Policy)
    documented = _docstring_parameters(sa.Policy)
    assert [name for name, _ in documented] == [f.name for f in fields]
    for (name, kind), f in zip(documented, fields, strict=True):
        has_default, default = _documented_default(name, kind)
        assert has_default and _same(default, f.default), f"{name}: documented {kind!r}"


def test_concepts_policy_table_gives_each_setting_its_allowed_range():
    rows = {}
    for line in section(read_page("concepts"), "The policy").splitlines():
        match = re.match(r"\|\s*`(\w+)`\s*\|\s*`[^`]+`\s*\|\s*([^|]+?)\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    assert rows == sa.Policy.allowed()


def _outside(allowed: Any) -> list[Any]:
    """Values the range ``allowed`` refuses."""
    if isinstance(allowed, Between):
        return [allowed.minimum - 1, allowed.maximum + 1, allowed.minimum + 0.5, True, "10"]
    if isinstance(allowed, AtLeast):
        return [allowed.minimum - 1, allowed.minimum + 0.5, True, "10"]
    if isinstance(allowed, Level):
        return [0, 1, 1.5, float("nan")]
    if isinstance(allowed, Step):
        return [0, 1.5, True, "0.01"]
    if isinstance(allowed, OneOf):
        return ["levels", allowed.values[0].upper(), None, 1]
    assert isinstance(allowed, Fraction)
    return [0 if allowed.low_open else -0.01, 1.01, float("inf"), True, "0.5"]


@pytest.mark.parametrize("setting", dataclasses.fields(sa.Policy), ids=lambda f: f.name)
def test_every_policy_setting_is_checked_against_its_declared_range(setting):
    allowed = setting.metadata["allowed"]
    sa.Policy(**{setting.name: setting.default})
    for value in _outside(allowed):
        with pytest.raises(sa.errors.PolicyError, match=rf"Policy\.{setting.name}\b"):
            sa.Policy(**{setting.name: value})
    if isinstance(allowed, Fraction):
        sa.Policy(**{setting.name: 1})
    if isinstance(allowed, OneOf):
        for value in allowed.values:
            sa.Policy(**{setting.name: value})
    elif not isinstance(allowed, AtLeast):
        sa.Policy(**{setting.name: 0.5})
