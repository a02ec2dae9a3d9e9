"""Reading the documentation's pages in tests (docs/*.md): a page, and one of its sections."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs"


def read_page(page: str) -> str:
    """The text of ``docs/<page>.md``."""
    return (DOCS / f"{page}.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under the level-2 heading ``heading`` up to the next level-2 heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section '## {heading}'"
    return match.group(1)
