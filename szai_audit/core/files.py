"""Writing what an audit produces, and the languages a page can be written in."""

from __future__ import annotations

import os

from .errors import ReportError

__all__ = ["LANGS", "write_text"]

#: The languages of a page: Chinese, English, or both side by side.
LANGS = ("zh", "en", "bilingual")


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, or raise :class:`ReportError` saying why not."""
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise ReportError(f"cannot write {os.fspath(path)!r}: {exc.strerror}.") from exc
