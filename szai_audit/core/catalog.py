"""The catalogs: every sentence a person reads, Chinese and English side by side, as data.

Each article package and each filing keeps its words in one TOML file beside its code
(``fairness/words.toml``, ``filings/algorithm.toml`` ...). A key names one sentence; its
``zh`` and ``en`` carry the same ``{placeholders}``:

.. code-block:: toml

    [flip.changing_only]
    zh = "{ground}：只把{ground}从“{source}”改为“{target}”……"
    en = "{ground!c}: changing only {ground} from “{source}” to “{target}” ..."

Code chooses which sentence applies (that is the rule, tested with the code) and fills its
arguments with :func:`say`: an argument may be bilingual itself (a :class:`Message`, each
language taking its own text), a :class:`Category` (a value of a column or ground, written as
it is in the data until the report applies the user's labels, :func:`relabel`), or a plain
value (a number, a formatted number) written the same in both languages. Two conversions
exist besides Python's: ``!c`` writes the first letter in upper case and leaves the rest as
written ("HIV status", never "Hiv status"), ``!l`` writes it in lower case.

The sentence keeps its key and arguments (:class:`Text`), and a message joined from sentences
keeps its parts (:class:`Joined`), so that labels are applied to the arguments that are
category values when the text is rendered, never by searching the finished sentence.

``docs/words.md`` lists every sentence, generated from the catalogs (``python -m
szai_audit.core.catalog docs/words.md``).
"""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import tomllib

from .messages import Category, Joined, Message, Text, first_upper, listing

__all__ = [
    "CATALOGS",
    "catalog",
    "categories",
    "docs_page",
    "placeholders",
    "relabel",
    "say",
]

_ROOT = Path(__file__).resolve().parents[1]

#: Each catalog's key prefix and its file, relative to the package.
CATALOGS: dict[str, str] = {
    "core": "core/words.toml",
    "fairness": "fairness/words.toml",
    "pricing": "pricing/words.toml",
    "explain": "explain/words.toml",
    "privacy": "privacy/words.toml",
    "risk": "risk/words.toml",
    "pipelines": "pipelines/words.toml",
    "report": "report/words.toml",
    "filings": "filings/words.toml",
    "filings.algorithm": "filings/algorithm.toml",
    "filings.ethics": "filings/ethics.toml",
    "filings.pia": "filings/pia.toml",
    "filings.bias_audit": "filings/bias_audit.toml",
}


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion in ("c", "l"):
            shown = self.format_field(value, "")
            if conversion == "c":
                return first_upper(shown)
            return shown[:1].lower() + shown[1:]
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        if isinstance(value, Message) or (isinstance(value, Mapping) and "zh" in value):
            value = value[self.lang]  # a message, or one read back from a saved audit
        return format(value, format_spec)


_FORMATTERS = {"zh": _Formatter("zh"), "en": _Formatter("en")}


def _file(prefix: str) -> Path:
    return _ROOT / CATALOGS[prefix]


def _leaves(table: Mapping[str, Any], path: str) -> Iterator[tuple[str, Message]]:
    """The sentences of a TOML table by full key: a table with ``zh`` and ``en`` is one (and
    may hold others under it, a function's sentences under a constant of the same name)."""
    if isinstance(table.get("zh"), str) and isinstance(table.get("en"), str):
        yield path, Message(table["zh"], table["en"])
    for name, value in table.items():
        if name in ("zh", "en"):
            continue
        if not isinstance(value, dict):
            raise ValueError(f"catalog entry {path}.{name} must be a table with zh and en")
        yield from _leaves(value, f"{path}.{name}")


@cache
def catalog(prefix: str) -> dict[str, Message]:
    """Every sentence of one catalog, by its full key (``"fairness.flip.changing_only"``).

    >>> catalog("core")["core.status_labels.pass"].en
    'Pass'
    """
    with _file(prefix).open("rb") as fh:
        return dict(_leaves(tomllib.load(fh), prefix))


def _template(key: str) -> Message:
    prefix = key.rsplit(".", 1)[0]
    while prefix and prefix not in CATALOGS:
        prefix = prefix.rsplit(".", 1)[0] if "." in prefix else ""
    if not prefix:
        raise KeyError(f"no catalog holds the key {key!r}")
    try:
        return catalog(prefix)[key]
    except KeyError:
        raise KeyError(f"the catalog {CATALOGS[prefix]} has no key {key!r}") from None


def placeholders(template: str) -> set[str]:
    """The names of a template's ``{placeholders}``.

    >>> sorted(placeholders("{ground!c}: {n:,} people of “{source}”"))
    ['ground', 'n', 'source']
    """
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _render(template: Message, args: Mapping[str, Any]) -> tuple[str, str]:
    return (
        _FORMATTERS["zh"].vformat(template.zh, (), args),
        _FORMATTERS["en"].vformat(template.en, (), args),
    )


def say(key: str, /, **args: Any) -> Message:
    """The sentence ``key`` of its catalog, filled with ``args`` language by language.

    A text argument the sentence quotes (``“{worst}”``) is a value from the data: it is kept
    as a :class:`Category`, so that the report can show it by the user's label
    (:func:`relabel`); names of inputs are given as messages and never relabelled.

    >>> m = say("core.status_labels.pass")
    >>> m.zh, m.en
    ('通过', 'Pass')
    """
    template = _template(key)
    quoted = _quoted(template)
    if quoted:
        args = {
            name: Category(value) if name in quoted and isinstance(value, str) else value
            for name, value in args.items()
        }
    zh, en = _render(template, args)
    return Text(zh, en, key, args)


_QUOTED = re.compile(r"[“\"]\{(\w+)(?:![a-z])?(?::[^}]*)?\}[”\"]")


@cache
def _quoted_in(zh: str, en: str) -> frozenset[str]:
    return frozenset(_QUOTED.findall(zh)) | frozenset(_QUOTED.findall(en))


def _quoted(template: Message) -> frozenset[str]:
    """The placeholders a sentence quotes: values from the data."""
    return _quoted_in(template.zh, template.en)


def relabel(message: Message, label: Callable[[Category], Message | None]) -> Message:
    """``message`` written again with each :class:`Category` argument replaced by
    ``label(category)`` (kept as it is where that returns None); other text is unchanged.

    >>> m = Message("", "")
    >>> relabel(m, lambda c: None) is m
    True
    """
    if isinstance(message, Text):
        changed, args = False, dict(message.args)
        for name, value in message.args.items():
            new = _relabel_arg(value, label)
            if new is not value:
                args[name], changed = new, True
        if not changed:
            return message
        zh, en = _render(_template(message.key), args)
        return Text(zh, en, message.key, args)
    if isinstance(message, Joined):
        parts = tuple(relabel(p, label) for p in message.parts)
        if all(a is b for a, b in zip(parts, message.parts, strict=True)):
            return message
        return listing(parts, *message.seps)
    return message


def _relabel_arg(value: Any, label: Callable[[Category], Message | None]) -> Any:
    if isinstance(value, Category):
        new = label(value)
        return value if new is None else new
    if isinstance(value, Message):
        return relabel(value, label)
    return value


def categories(message: Message) -> Iterator[Category]:
    """Every :class:`Category` argument of ``message``, in the order the Chinese text shows
    them."""
    if isinstance(message, Text):
        order = [n for _, n, _, _ in string.Formatter().parse(_template(message.key).zh) if n]
        for name in dict.fromkeys(order):
            value = message.args.get(name)
            if isinstance(value, Category):
                yield value
            elif isinstance(value, Message):
                yield from categories(value)
    elif isinstance(message, Joined):
        for p in message.parts:
            yield from categories(p)


def docs_page() -> str:
    """The text of ``docs/words.md``: every sentence of every catalog, by key."""
    lines = [
        "# Every sentence",
        "",
        "Generated from the catalogs by `python -m szai_audit.core.catalog docs/words.md`; do "
        "not edit by hand. Each sentence a person reads, by its key, in Chinese and English. "
        "`{name}` is filled with a number, a name or another sentence; `{name!c}` writes its "
        "first letter in upper case.",
        "",
    ]
    for prefix, path in CATALOGS.items():
        lines += [
            f"## {prefix} (`szai_audit/{path}`)",
            "",
            "| key | 中文 | English |",
            "|---|---|---|",
        ]
        for key, m in catalog(prefix).items():
            cells = [key.removeprefix(prefix + "."), m.zh, m.en]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - the docs page's generator
    Path(sys.argv[1]).write_text(docs_page(), encoding="utf-8")
