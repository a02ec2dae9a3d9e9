"""Files: reading inputs, writing what an audit produces, and the languages of a page.

Outputs are written atomically (a temporary file in the same folder, then ``os.replace``), so
an interrupted write leaves the previous file whole and no half file; the outputs of one run
are replaced together (:func:`together`), so that a failure leaves none of them new; and never
over an input, a FIFO or a device (:func:`check_outputs`).

A saved audit carries ``content_sha256``, the sha256 of its content (:func:`content_sha256`):
it detects accidental change (a damaged or truncated copy), not a deliberate edit, since anyone
can recompute it. With a secret key in the environment variable ``SZAI_AUDIT_KEY``, the audit
also carries ``content_hmac``, the HMAC-SHA256 of the same content under that key
(:func:`content_hmac`), which only a holder of the key can recompute.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import stat
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, ReportError

__all__ = [
    "KEY_VARIABLE",
    "LANGS",
    "TEMPORARY_PREFIX",
    "check_outputs",
    "content_hmac",
    "content_sha256",
    "finite_json",
    "json_text",
    "path_problem",
    "regular_file",
    "signing_key",
    "together",
    "write_text",
]

#: The environment variable holding the organisation's key that signs saved audits.
KEY_VARIABLE = "SZAI_AUDIT_KEY"

#: How the temporary files of this module begin (``.szai-tmp-<16 hex>.<8 hex>.tmp``).
TEMPORARY_PREFIX = ".szai-tmp-"

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
    return hashlib.sha256(_canonical(content)).hexdigest()


def _canonical(content: object) -> bytes:
    """``content`` as canonical JSON (sorted keys, no spaces, a float that is not finite as
    null: :func:`json_text`), UTF-8."""
    return json_text(content, canonical=True).encode("utf-8")


def signing_key() -> bytes | None:
    """The organisation's key, from the environment variable ``SZAI_AUDIT_KEY`` (UTF-8), or
    None when it is not set or empty. Never stored in any output."""
    key = os.environ.get(KEY_VARIABLE, "")
    return key.encode("utf-8", "surrogateescape") if key else None


def content_hmac(content: object, key: bytes) -> str:
    """The HMAC-SHA256 under ``key`` of ``content`` as canonical JSON (the text
    :func:`content_sha256` hashes): only a holder of the key can compute it.

    >>> content_hmac({"a": 1}, b"k") == content_hmac({"a": 1}, b"k") != content_hmac({"a": 1}, b"j")
    True
    """
    return hmac.new(key, _canonical(content), hashlib.sha256).hexdigest()


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
        When nothing is there, or what is there is a folder, a FIFO, a device or a socket, or
        the path holds a NUL or a name longer than the file system allows.
    """
    problem = path_problem(os.fspath(path), os.fspath(path))
    if problem is not None:
        raise InputError(f"{what}: {problem}")
    p = Path(path)
    try:
        exists = p.exists()
    except OSError as exc:
        raise InputError(f"{what} {str(p)!r} cannot be read: {exc.strerror or exc}.") from exc
    if not exists:
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


#: The longest file name (one part of a path), in bytes, where the file system does not say.
NAME_MAX = 255


def _name_max(path: Path) -> int:
    """The longest file name the file system of ``path`` (or of its nearest existing
    ancestor) allows, in bytes."""
    for candidate in (path, *path.parents):
        with contextlib.suppress(OSError, ValueError):
            if candidate.is_dir():
                return int(os.pathconf(candidate, "PC_NAME_MAX"))
    return NAME_MAX


def path_problem(raw: str, shown: str | None = None) -> str | None:
    """Why the path ``raw`` cannot name a file, or None: a NUL, text that is not Unicode, or
    a name longer than the file system allows (counted in bytes, as the file system counts).
    ``shown`` is how messages quote the path (``raw`` itself by default).

    >>> path_problem("report.html") is None
    True
    >>> print(path_problem("报" * 90 + ".html"))
    the name '...'... in '...' is 275 bytes long (UTF-8), more than the 255 bytes ...
    """
    shown = raw if shown is None else shown
    if "\x00" in raw:
        return (
            f"the path {shown!r} holds a NUL character (\\x00), which no file name may hold; "
            f"remove it."
        )
    limit = _name_max(Path(os.path.abspath(raw)).parent)
    for part in Path(raw).parts:
        try:
            size = len(os.fsencode(part))
        except UnicodeEncodeError:
            return f"the path {shown!r} is not valid Unicode text (a lone surrogate); fix it."
        if size > limit:
            return (
                f"the name {part[:40]!r}... in {shown[:80]!r} is {size} bytes long (UTF-8), more "
                f"than the {limit} bytes a file name may have here; choose a shorter name."
            )
    return None


def _place_error(path: Path, shown: str) -> str | None:
    """Why ``path`` cannot be written as a file, when that is known without trying."""
    try:
        if path.is_dir():
            return f"cannot write {shown!r}: it is a folder; give a file name inside it."
        if path.exists() and not path.is_file():
            return (
                f"cannot write {shown!r}: it is not a regular file (a FIFO, a device or a "
                f"socket, which a write could block on or never store); give a file name."
            )
        blocking = _blocking_file(path.parent)
    except OSError as exc:
        return f"cannot write {shown!r}: {exc.strerror or exc}."
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
        symbolic and hard links included; or an output that is a folder, a FIFO, a device or
        a socket, whose name holds a NUL or is too long, or whose folder cannot be created
        because a file stands in its way.
    """
    for name, raw in outputs.items():
        problem = path_problem(os.fspath(raw), os.fspath(raw))
        if problem is not None:
            raise InputError(f"{name}: {problem}")
    named = [
        (name, Path(raw), "the input")
        for name, raw in inputs.items()
        if path_problem(os.fspath(raw), os.fspath(raw)) is None  # refused when it is read
    ]
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


def _temporary_key(name: str) -> str:
    """The part of a temporary's name that stands for the file it will replace: a digest of
    the name, so that a temporary's name has the same length (and bytes) whatever the name."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _temporary_name(name: str) -> str:
    """``.szai-tmp-<digest of name>.<random>.tmp``: 39 bytes, whatever the name."""
    return f"{TEMPORARY_PREFIX}{_temporary_key(name)}.{secrets.token_hex(4)}.tmp"


def _open_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new file in ``folder``, created with mode 0o666 less the umask (as ``open`` does),
    named by :func:`_temporary_name`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = folder / _temporary_name(name)
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {str(folder)!r}")  # pragma: no cover


#: A temporary of this module: :func:`_open_temporary`'s names.
_TEMPORARY = re.compile(rf"{re.escape(TEMPORARY_PREFIX)}[0-9a-f]{{16}}\.[0-9a-f]{{8}}\.tmp")


def _remove_stale(folder: Path, since: float, names: Iterable[str]) -> None:
    """Remove the temporaries a killed run left in ``folder``: this module's, and those of
    earlier versions (``.<name>.<8 hex>.tmp``) beside the files ``names``, last changed before
    ``since`` (the start of this run), so that another run's temporary is left alone."""
    older = {f".{name[:100]}." for name in names}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        stale = _TEMPORARY.fullmatch(entry.name) or (
            entry.name.endswith(".tmp")
            and entry.name[:-13] + "." in older
            and re.fullmatch(r"\.[0-9a-f]{8}\.tmp", entry.name[-13:]) is not None
        )
        if not stale:
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < since:
                os.unlink(entry.path)


#: The folders :func:`_remove_stale` has cleaned in this process.
_SCANNED: set[Path] = set()


@dataclass
class _Staged:
    """A file written to its temporary, waiting to replace its target."""

    tmp: Path
    target: Path
    shown: str


@dataclass
class _Transaction:
    """The outputs of one :func:`together` block: temporaries that replace their targets
    together at the end, or are removed."""

    started: float = field(default_factory=time.time)
    staged: dict[Path, _Staged] = field(default_factory=dict)  # by target, in order

    def stage(self, item: _Staged) -> None:
        earlier = self.staged.pop(item.target, None)  # the same file written again
        if earlier is not None:
            _unlink(earlier.tmp)
        self.staged[item.target] = item

    def discard(self) -> None:
        for s in self.staged.values():
            _unlink(s.tmp)
        self.staged.clear()

    def commit(self) -> None:
        """Replace every target by its temporary; if one replace fails, put back the ones
        already replaced (from a hard link made before) and remove the rest."""
        done: list[tuple[_Staged, Path | None, bool]] = []
        try:
            for s in self.staged.values():
                existed = s.target.is_file()
                backup = _backup(s.target) if existed else None
                try:
                    os.replace(s.tmp, s.target)
                except OSError as exc:
                    if backup is not None:
                        _unlink(backup)
                    kept = _restore(done)
                    self.discard()
                    raise ReportError(
                        f"cannot write {s.shown!r}: {exc.strerror or exc}. The outputs "
                        f"replaced before it were put back"
                        + (f", but for {kept} (no link could keep them)." if kept else ".")
                    ) from exc
                done.append((s, backup, existed))
        finally:
            for _, backup, _ in done:
                if backup is not None:
                    _unlink(backup)
            folders: dict[Path, list[str]] = {}
            for s in self.staged.values():
                folders.setdefault(s.target.parent, []).append(s.target.name)
            for folder, names in folders.items():
                if folder not in _SCANNED:  # once per folder and process: never quadratic
                    _SCANNED.add(folder)
                    _remove_stale(folder, self.started, names)
            self.staged.clear()


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _backup(target: Path) -> Path | None:
    """A hard link to the existing file ``target`` (its content as it is), or None when the
    file system makes no links."""
    for _ in range(100):
        backup = target.parent / _temporary_name(target.name)
        try:
            os.link(target, backup)
        except FileExistsError:
            continue
        except OSError:
            return None
        return backup
    return None  # pragma: no cover


def _restore(done: list[tuple[_Staged, Path | None, bool]]) -> list[str]:
    """Put back the targets already replaced: the old file from its link, or no file when
    there was none; returns those that could not be put back (no link was made)."""
    kept = []
    for s, backup, existed in reversed(done):
        with contextlib.suppress(OSError):
            if backup is not None:
                os.replace(backup, s.target)
            elif not existed:
                os.unlink(s.target)
            else:
                kept.append(s.shown)
    return kept


_ACTIVE: contextvars.ContextVar[_Transaction | None] = contextvars.ContextVar(
    "szai_audit_outputs", default=None
)


@contextlib.contextmanager
def together() -> Iterator[None]:
    """Write every output of the block together: each :func:`write_text` in the block writes
    a temporary file beside its target, and the targets are replaced at the end of the block,
    all of them, or none when the block fails (its temporaries are removed, the files as they
    were). A block inside another one joins it. At the end, the temporaries a killed run left
    beside the targets (older than the block's start) are removed.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with together():
    ...     write_text(folder / "a.html", "a")
    ...     (folder / "a.html").exists()
    False
    >>> (folder / "a.html").read_text()
    'a'
    """
    if _ACTIVE.get() is not None:
        yield
        return
    transaction = _Transaction()
    token = _ACTIVE.set(transaction)
    try:
        yield
    except BaseException:
        _ACTIVE.reset(token)
        transaction.discard()
        raise
    _ACTIVE.reset(token)
    transaction.commit()


def write_text(path: PathLike, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically, creating missing folders.

    The text goes to a temporary file in the same folder (``.szai-tmp-…​.tmp``), which then
    replaces ``path`` (``os.replace``): an interrupted or failed write leaves the previous
    file as it was and no temporary file. Inside a :func:`together` block, the replace waits
    for the end of the block, with the other outputs. A path through a symbolic link writes
    the file it points to. A new file gets the mode a plain ``open`` gives (0o666 less the
    umask); a replaced one keeps its mode. Temporaries that a killed run left beside the file
    are removed.

    Parameters
    ----------
    path : path-like
        The file to write.
    text : str
        Its content.

    Raises
    ------
    ReportError
        When the file cannot be written: ``path`` is a folder, a FIFO, a device or a socket, a
        file stands where a folder is needed, a folder cannot be created, a name is longer
        than the file system allows or holds a NUL, the disk is full, the text is not
        encodable.
    """
    shown = os.fspath(path)
    problem = path_problem(shown, shown)
    if problem is not None:
        raise ReportError(problem)
    target = Path(os.path.realpath(shown))
    problem = _place_error(target, shown)
    if problem is not None:
        raise ReportError(problem)
    with together():
        _stage(target, shown, text)


def _stage(target: Path, shown: str, text: str) -> None:
    """Write ``text`` to a temporary beside ``target`` and hand it to the active transaction."""
    transaction = _ACTIVE.get()
    assert transaction is not None  # write_text opens one
    try:
        _make_folder(target.parent, shown)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        fd, tmp = _open_temporary(target.parent, target.name)
    except OSError as exc:
        raise ReportError(f"cannot write {shown!r}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException as exc:
        _unlink(tmp)
        if isinstance(exc, OSError):
            raise ReportError(f"cannot write {shown!r}: {exc.strerror or exc}.") from exc
        if isinstance(exc, UnicodeEncodeError):
            raise ReportError(f"cannot write {shown!r}: the text is not UTF-8 ({exc}).") from exc
        raise
    transaction.stage(_Staged(tmp, target, shown))
