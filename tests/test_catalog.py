"""The catalogs (every sentence a person reads, zh and en side by side): each key's two
languages carry the same placeholders, every key the code and the templates use exists, every
key exists because it is used, and docs/words.md lists them as they are."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from szai_audit.core import catalog as cat
from szai_audit.core.labels import ValueLabels
from szai_audit.core.messages import Category, Joined, Message, Text, listing

PACKAGE = Path(cat.__file__).resolve().parents[1]
ROOT = PACKAGE.parent


def _all() -> dict[str, Message]:
    out: dict[str, Message] = {}
    for prefix in cat.CATALOGS:
        out.update(cat.catalog(prefix))
    return out


def _used() -> set[str]:
    """Every key a module of the package passes to say() (each string constant of the first
    argument, so that ``say("a" if x else "b")`` names both)."""
    used = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say":
                assert node.args, f"{path}:{node.lineno}: say() without a key"
                keys = _keys(node.args[0])
                assert keys, f"{path}:{node.lineno}: a key must be written out, not computed"
                used.update(keys)
    for path in (ROOT / "templates").rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert "say(" not in re.sub(r'say\("[\w.]+"', "", text), f"{path}: a computed key"
        prefixes = "|".join(re.escape(p) for p in cat.CATALOGS)
        used.update(re.findall(rf'"((?:{prefixes})\.\w+\.[\w.]+)"', text))  # say("a" if c else "b")
    return used


def _keys(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _keys(node.body) + _keys(node.orelse)
    return []


def test_every_toml_of_the_package_is_a_catalog():
    files = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.toml")}
    assert files - {"risk_rules.toml"} == set(cat.CATALOGS.values())


@pytest.mark.parametrize("key", sorted(_all()))
def test_zh_and_en_carry_the_same_placeholders(key):
    m = _all()[key]
    assert cat.placeholders(m.zh) == cat.placeholders(m.en), key
    assert m.zh.strip() or m.en.strip(), f"{key}: no text in either language"
    for text in (m.zh, m.en):  # every conversion is one the catalog knows
        for _, name, _, conversion in string.Formatter().parse(text):
            assert conversion in (None, "c", "l", "r", "s"), (key, name, conversion)


def test_every_key_used_exists_and_every_key_is_used():
    used, known = _used(), set(_all())
    assert used - known == set(), "keys used but not in a catalog"
    assert known - used == set(), "keys in a catalog that no code uses"


def test_the_docs_page_lists_every_sentence():
    page = (ROOT / "docs" / "words.md").read_text(encoding="utf-8")
    assert page == cat.docs_page(), "run: python -m szai_audit.core.catalog docs/words.md"
    for key, m in _all().items():
        assert m.zh.replace("|", "\\|") in page, key


def test_conversions_and_bilingual_arguments():
    key = "fairness.not_positive.group_means_not_all"
    assert _names(key) == {"ground"} and "{ground!c}" in _all()[key].en
    m = cat.say(key, ground=Message("艾滋病感染状况", "HIV status"))
    assert m.en.startswith("HIV status"), m.en  # first letter only: never "Hiv status"
    assert "艾滋病感染状况" in m.zh and "HIV status" not in m.zh
    assert isinstance(m, Text) and m.key == key


def _names(key: str) -> set[str]:
    return cat.placeholders(_all()[key].en)


def test_a_quoted_text_argument_is_a_value_and_only_it_is_relabelled():
    vl = ValueLabels({"region": {"urban": Message("城市", "city")}})
    value = cat.say("core.values.quoted", value="urban")
    assert isinstance(value, Text) and isinstance(value.args["value"], Category)
    name = Message("“urban”", "“urban”")  # an input's name, quoted by its own display
    both = listing([value, name])
    assert isinstance(both, Joined)
    labelled = vl.localise(both, "region")
    assert labelled.zh == "“城市”、“urban”" and labelled.en == "“city” and “urban”"
    assert [c.raw for c in cat.categories(both)] == ["urban"]


def test_unknown_keys_are_named():
    with pytest.raises(KeyError, match=re.escape("fairness/words.toml has no key 'fairness.nope'")):
        cat.say("fairness.nope")
    with pytest.raises(KeyError, match=re.escape("no catalog holds the key 'nowhere.x'")):
        cat.say("nowhere.x")
