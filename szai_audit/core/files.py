"""Files: reading inputs, writing what an audit produces, and the languages of a page.

Outputs are written atomically (a temporary file in the same folder, then ``os.replace``), so
an interrupted write leaves the previous file whole and no half file; and never over an input
(:func:`check_outputs`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import InputError, ReportError

__all__ = [
    "LANGS",
    "check_outputs",
    "content_sha256",
    "finite_json",
    "json_text",
    "regular_file",
    "write_text",
]

#: The languages of a page: Chinese, English, or both side by side.
LANGS = ("zh", "en", "bilingual")


def finite_json(content: Any) -> Any:
    """``content`` with every float that is not finite (NaN, ±inf) replaced by None: JSON
    (RFC 8259) has no literal for them, and ``NaN`` / ``Infinity`` are refused by strict
    parsers. A value that means something is never infinite (inputs whose arithmetic would
    overflow are refused, :func:`~szai_audit.core.data.real_numbers`); a NaN is a figure that
    could not be computed, which JSON writes as null.

    >>> finite_json({"a": float("nan"), "b": [1.5, float("inf")]})
    {'a': None, 'b': [1.5, None]}
    """
    if isinstance(content, float):
        return content if math.isfinite(content) else None
    if isinstance(content, Mapping):
        return {k: finite_json(v) for k, v in content.items()}
    if isinstance(content, (list, tuple)):
        return [finite_json(v) for v in content]
    return content


def json_text(content: Any, *, indent: int | None = 2, canonical: bool = False) -> str:
    """``content`` as JSON text that every parser reads: UTF-8 characters as they are, the
    floats that are not finite as null (:func:`finite_json`), never ``NaN`` or ``Infinity``.
    ``canonical``: sorted keys and no spaces (the text :func:`content_sha256` hashes).

    >>> json_text({"b": float("-inf"), "a": 1}, canonical=True)
    '{"a":1,"b":null}'
    """
    clean = finite_json(content)
    if canonical:
        return json.dumps(
            clean, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    return json.dumps(clean, ensure_ascii=False, indent=indent, allow_nan=False)


def content_sha256(content: object) -> str:
    """The sha256 of ``content`` as canonical JSON (sorted keys, no spaces, UTF-8, a float that
    is not finite as null): the rule of an audit result's ``content_sha256``, shared by the
    result and by ``compare``, which checks it. Raises TypeError, ValueError or RecursionError
    when the content is not JSON.

    >>> content_sha256({"b": 1, "a": "女"}) == content_sha256({"a": "女", "b": 1})
    True
    """
    text = json_text(content, canonical=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


PathLike = str | os.PathLike[str]


def regular_file(path: PathLike, what: str) -> Path:
    """Check that ``path`` is an existing regular file (a symlink to one is followed).

    Parameters
    ----------
    path : path-like
        The file to read.
    what : str
        What the file is, for the message: ``"[data] path"``, ``"config file"``.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    InputError
        When nothing is there, or what is there is a folder, a FIFO, a device or a socket.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} {str(p)!r} does not exist.")
    if not p.is_file():
        kind = "a folder" if p.is_dir() else "a FIFO, a device or a socket"
        raise InputError(
            f"{what} {str(p)!r} is not a regular file (it is {kind}); give the path of a file."
        )
    return p


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same path once links are resolved, or the same
    file on disk (a hard link, a case-insensitive file system)."""
    if os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _blocking_file(folder: Path) -> Path | None:
    """The nearest existing ancestor of ``folder`` (itself included) that is not a folder."""
    for candidate in (folder, *folder.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def _place_error(path: Path, shown: str) -> str | None:
    """Why ``path`` cannot be written as a file, when that is known without trying."""
    if path.is_dir():
        return f"cannot write {shown!r}: it is a folder; give a file name inside it."
    blocking = _blocking_file(path.parent)
    if blocking is not None:
        return (
            f"cannot write {shown!r}: {str(blocking)!r} is a file, not a folder, so no "
            f"folder can be created there."
        )
    return None


def check_outputs(outputs: Mapping[str, PathLike], inputs: Mapping[str, PathLike]) -> None:
    """Refuse outputs that would overwrite an input, each other, or cannot be files.

    Parameters
    ----------
    outputs : mapping of str to path-like
        What will be written, by the name the user gave it (``"[output] html"``, ``"--json"``).
    inputs : mapping of str to path-like
        What the run reads, by name (``"[data] path"``, ``"the configuration file"``).

    Raises
    ------
    InputError
        Naming the output and the input (or the other output) it is the same file as,
        symbolic and hard links included; or an output that is a folder, or whose folder
        cannot be created because a file stands in its way.
    """
    named = [(name, Path(raw), "the input") for name, raw in inputs.items()]
    for name, raw in outputs.items():
        out = Path(raw)
        for other, path, what in named:
            if _same_file(out, path):
                raise InputError(
                    f"{name} {str(out)!r} is the same file as {other} {str(path)!r}: writing "
                    f"it would overwrite {what}; choose another path for {name}."
                )
        problem = _place_error(out, str(out))
        if problem is not None:
            raise InputError(f"{name}: {problem}")
        named.append((name, out, "that output"))


def _make_folder(folder: Path, shown: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"cannot write {shown!r}: its folder {str(folder)!r} cannot be created "
            f"({exc.strerror or exc})."
        ) from exc


def _open_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new file in ``folder``, created with mode 0o666 less the umask (as ``open`` does)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = folder / f".{name[:100]}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {str(folder)!r}")  # pragma: no cover


def write_text(path: PathLike, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically, creating missing folders.

    The text goes to a temporary file in the same folder, which then replaces ``path``
    (``os.replace``): an interrupted or failed write leaves the previous file as it was and
    no temporary file. A path through a symbolic link writes the file it points to. A new
    file gets the mode a plain ``open`` gives (0o666 less the umask); a replaced one keeps its
    mode. A path that exists but is not a regular file (``/dev/stdout``) is written directly.

    Parameters
    ----------
    path : path-like
        The file to write.
    text : str
        Its content.

    Raises
    ------
    ReportError
        When the file cannot be written: ``path`` is a folder, a file stands where a folder is
        needed, a folder cannot be created, the disk is full, the text is not encodable.
    """
    shown = os.fspath(path)
    target = Path(os.path.realpath(shown))
    problem = _place_error(target, shown)
    if problem is not None:
        raise ReportError(problem)
    try:
        if target.exists() and not target.is_file():
            with open(target, "w", encoding="utf-8") as fh:
                fh.write(text)
            return
        _make_folder(target.parent, shown)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        fd, tmp = _open_temporary(target.parent, target.name)
    except OSError as exc:
        raise ReportError(f"cannot write {shown!r}: {exc.strerror or exc}.") from exc
    except UnicodeEncodeError as exc:
        raise ReportError(f"cannot write {shown!r}: the text is not UTF-8 ({exc}).") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ReportError(f"cannot write {shown!r}: {exc.strerror or exc}.") from exc
        if isinstance(exc, UnicodeEncodeError):
            raise ReportError(f"cannot write {shown!r}: the text is not UTF-8 ({exc}).") from exc
        raise
