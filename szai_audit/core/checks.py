"""The check registry: every check of the audit declared once.

Each article package declares its checks in its ``checks.py`` with :func:`register`: the
check's id (the ``check`` of its findings), the article it evidences, its title in both
languages, the unit its value and threshold are written in, the side of the threshold the value
must stay on, and the function that computes it. Everything else reads them from here: a
finding's title (:attr:`szai_audit.Finding.title`), the report's value columns, the JSON and
the checks table in ``docs/checks.md`` (written by ``python -m szai_audit.core.checks
docs/checks.md``).

>>> from szai_audit.core.checks import get
>>> c = get("fairness.selection_rate_ratio")
>>> c.article, c.unit, c.direction
('72(4)', 'ratio', 'at_least')
>>> c.title.en
'Favourable-decision rate ratio (four-fifths rule)'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import say
from .messages import Message, fmt_pct, fmt_ratio

__all__ = [
    "DIRECTIONS",
    "MINIMUMS",
    "UNITS",
    "Check",
    "all_checks",
    "docs_page",
    "format_threshold",
    "format_value",
    "get",
]

#: How a check's value is written: ``ratio`` 0.83; ``percent`` 12.3%; ``points`` (a difference
#: of proportions) 12.3 percentage points; ``auc`` 0.051 (AUC scale); ``proxy_auc`` AUC 0.912;
#: ``count`` 5 (records, as in k-anonymity); ``none``: the check measures no number (its
#: finding says why it could not run, or what a person must attest).
UNITS: dict[str, Callable[[float], Message]] = {
    "none": lambda x: Message("—", "—"),
    "count": lambda x: say("core.units.text", x=x),
    "ratio": lambda x: Message(fmt_ratio(x), fmt_ratio(x)),
    "percent": lambda x: Message(fmt_pct(x), fmt_pct(x)),
    "points": lambda x: say("core.units.pp", value=100 * x),
    "auc": lambda x: say("core.units.text_2", x=x),
    "proxy_auc": lambda x: say("core.units.auc", x=x),
}

#: Where the value must lie for the check to be met, and the sign the report writes before the
#: threshold: ``at_least`` (≥, a ratio), ``at_most`` (≤, a gap), ``below`` (<, a proxy's AUC);
#: ``none`` for a check without a number.
DIRECTIONS: dict[str, str] = {"at_least": "≥", "at_most": "≤", "below": "<", "none": ""}

#: How many rows a check needs before it compares a group (``min_group_size`` and
#: ``min_coverage`` are :class:`~szai_audit.Policy` fields). A group short of it is left out
#: and named; with fewer than two groups left, or a reference short of it, the finding is
#: INSUFFICIENT_DATA (or NOT_ASSESSED for a chosen reference).
MINIMUMS: dict[str, str] = {
    "rate": "the people a rate counts reach `min_group_size` in the group and in the reference: "
    "everyone for a decision rate, those with the positive outcome for the true-positive rate, "
    "those with the negative outcome for the false-positive rate",
    "both_outcomes": "at least `min_group_size` people with the positive outcome and as many "
    "with the negative outcome, in the group and in the reference",
    "people": "at least `min_group_size` people (rows) in the group and in the reference",
    "covered": "at least `min_group_size` rows in the group and in the reference; the "
    "stratified estimate also needs `min_group_size` rows of each in the strata the two share, "
    "covering at least `min_coverage` of the group's rows (else the regression estimate "
    "decides)",
    "orders": "at least `min_group_size` orders in the group and in the reference",
    "trend": "at least `min_group_size` rows with a value, and values spread enough to have "
    "distinct 10th and 90th percentiles",
    "sample": "rows of a sample the check draws (`proxy_max_rows`, `flip_max_rows`); a group "
    "with fewer rows than the three cross-validation folds is left out of the proxy models",
    "records": "none: the check counts records sharing their quasi-identifiers",
    "refused": "at least `min_group_size` people decided unfavourably among those searched "
    "(`recourse_max_rows`), in the group and in the reference",
    "recourse": "at least `min_group_size` people with recourse among those searched, in the "
    "group and in the reference",
    "decisions": "none: the check counts the decisions it explains, every audited one or a "
    "random sample of `explain_sample_size`",
    "none": "none",
}


@dataclass(frozen=True)
class Check:
    """One check, as declared by its article package.

    Attributes
    ----------
    id : str
        Stable identifier, the ``check`` of its findings (``"fairness.proxy"``).
    article : str
        The article it evidences, as a machine key (``"72(4)"``; see
        :mod:`szai_audit.core.articles` for the citation a person reads).
    title : Message
        Display name in Chinese and English.
    unit : str
        How its value and threshold are written (a key of :data:`UNITS`).
    direction : str
        The side of the threshold the value must stay on (a key of :data:`DIRECTIONS`).
    computed_by : str
        The function that computes its findings, as ``"module:function"``.
    also : tuple of str
        Other articles the same check can evidence (a price gap is Art. 72(2)(v) across the
        consumer profile and 72(4) across a ground).
    subject : callable, optional
        ``subject(finding) -> Message``: what a finding is about, when it is not a ground (a
        consumer-profile column); the ground's display name by default.
    minimum : str
        The rows it needs before it compares a group (a key of :data:`MINIMUMS`).
    title_for : callable, optional
        ``title_for(details) -> Message or None``: the title of a finding whose details change
        what the check compares (an error rate when the favourable label is not the positive
        one); None keeps :attr:`title`.
    binned : bool, default True
        Whether its findings about a numeric subject compare the groups the number was binned
        into (then they say so, see :func:`szai_audit.core.scope.with_binning_notes`); False
        for a check with its own rule on the number (the loyalty check's tenure thresholds).
    outcomes : bool, default False
        Whether it compares the model with the recorded outcomes (``y_true``), taking them as
        the truth: it cannot see a bias in the outcomes themselves, and its measured findings
        say so.
    shown : callable, optional
        ``shown(finding) -> Message or None``: what the report writes in a finding's value
        column when its number is not what the finding is about (a direct-identifier warning
        raised by a column's name, whose share of matching values is 0%), the threshold
        column then "—"; None keeps the number.
    """

    id: str
    article: str
    title: Message
    unit: str = "points"
    direction: str = "at_most"
    computed_by: str = ""
    also: tuple[str, ...] = ()
    subject: Callable[[Any], Message] | None = None
    minimum: str = "none"
    title_for: Callable[[Mapping[str, Any]], Message | None] | None = None
    binned: bool = True
    outcomes: bool = False
    shown: Callable[[Any], Message | None] | None = None

    def __post_init__(self) -> None:
        if self.minimum not in MINIMUMS:
            raise ValueError(f"minimum must be one of {sorted(MINIMUMS)}, got {self.minimum!r}")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {sorted(UNITS)}, got {self.unit!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(
                f"direction must be one of {sorted(DIRECTIONS)}, got {self.direction!r}"
            )

    @property
    def articles(self) -> tuple[str, ...]:
        """Every article the check can evidence, its own first."""
        return (self.article, *self.also)

    def compute_function(self) -> Callable[..., Any]:
        """The function named by :attr:`computed_by`, imported."""
        module, _, path = self.computed_by.partition(":")
        target: Any = importlib.import_module(module)
        for name in path.split("."):
            target = getattr(target, name)
        return target


_REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Declare ``check``; an id can be declared once. Returns the check, for a module constant."""
    if check.id in _REGISTRY and _REGISTRY[check.id] != check:
        raise ValueError(f"check {check.id!r} is declared twice")
    _REGISTRY[check.id] = check
    return check


def get(check_id: str) -> Check | None:
    """The declared check of that id, or None."""
    return _REGISTRY.get(check_id)


def all_checks() -> Iterator[Check]:
    """Every declared check, in the order of declaration."""
    return iter(list(_REGISTRY.values()))


def title(check_id: str, details: Mapping[str, Any] | None = None) -> Message:
    """Display name of a check (of one finding, given its ``details``); an undeclared id is
    shown as it is."""
    declared = _REGISTRY.get(check_id)
    if declared is None:
        return Message(check_id, check_id)
    if declared.title_for is not None and details is not None:
        return declared.title_for(details) or declared.title
    return declared.title


def _format(check_id: str) -> tuple[Callable[[float], Message], str]:
    declared = _REGISTRY.get(check_id)
    if declared is None:
        return UNITS["points"], DIRECTIONS["at_most"]
    return UNITS[declared.unit], DIRECTIONS[declared.direction]


def format_value(check_id: str, value: float | None) -> Message:
    """A finding's value as the report writes it, in its check's unit ("—" when None)."""
    if value is None:
        return Message("—", "—")
    return _format(check_id)[0](value)


def format_threshold(check_id: str, threshold: float | None) -> Message:
    """A finding's threshold with the side the value must stay on: ``"≥ 0.80"``."""
    fmt, side = _format(check_id)
    if threshold is None or not side:
        return Message("—", "—")
    text = fmt(threshold)
    return say("core.format_threshold.text", side=side, text=text)


def markdown_table() -> str:
    """Every declared check as a Markdown table (``docs/checks.md`` holds this table; a test
    keeps the two equal)."""
    lines = [
        "| check | article | title (zh) | title (en) | unit | the value must be | minimum "
        "| takes `y_true` as the truth | computed by |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in all_checks():
        articles = ", ".join(c.articles)
        side = f"{DIRECTIONS[c.direction]} threshold" if c.direction != "none" else "—"
        truth = "yes" if c.outcomes else "—"
        lines.append(
            f"| `{c.id}` | {articles} | {c.title.zh} | {c.title.en} | {c.unit} | {side} | "
            f"{c.minimum} | {truth} | `{c.computed_by}` |"
        )
    lines += ["", "| minimum | what a compared group needs |", "| --- | --- |"]
    lines += [f"| {key} | {rule} |" for key, rule in MINIMUMS.items()]
    return "\n".join(lines) + "\n"


def docs_page(page: str) -> str:
    """``docs/checks.md`` (its text ``page``) with its tables written again: the introduction
    kept, everything from the first table on replaced by :func:`markdown_table`."""
    start = page.find("\n| check |")
    intro = page if start < 0 else page[: start + 1]
    return intro + markdown_table()


if __name__ == "__main__":  # pragma: no cover - the docs page's generator
    # The registry the article packages filled is the imported module's, not __main__'s.
    from szai_audit.core import checks as _registered

    _path = Path(sys.argv[1])
    _path.write_text(_registered.docs_page(_path.read_text(encoding="utf-8")), encoding="utf-8")
