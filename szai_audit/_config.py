"""``szai-audit run CONFIG.toml``: an audit described by a TOML file, for pipelines.

Layout of the file (paths are relative to the file's folder)::

    [data]
    path = "applicants.csv"          # .csv or .parquet
    chunked = false                  # true: read in blocks with Dask (bounded memory)
    block_size = "64MB"              # with chunked: the size of a CSV block

    [model]                          # omit for a predictions-only audit
    path = "model.skops"             # .skops (safe), or .pkl / .joblib (runs code: see trusted)
    trusted = false                  # must be true to load a pickle: unpickling runs code

    [columns]                        # roles of columns of the data
    y_true = "good_credit"           # optional
    y_pred = "decision"              # predictions-only audits
    y_score = "score"                # optional
    features = ["age", "income"]     # the model's inputs (default: every column not in a role)
    cluster = "person_id"            # optional: rows of one person are not independent
    weights = "w"                    # optional: sampling (survey) weights

The sampling design is declared with the other roles of the data's columns, under
``[columns]``: ``cluster`` and ``weights`` name columns of the data file, passed to
``Audit(cluster=..., weights=...)``, which takes them out of the model's inputs (they may not
be listed in ``features``). With ``[data] chunked = true`` they are refused (not supported in
this version).

    [sensitive]                      # Art. 72(2)(iv) ground -> column
    gender = "sex"

    [audit]                          # any other Audit argument
    task = "classification"
    favorable_label = 1
    legitimate_factors = ["credit_amount"]
    bins = { age = [25, 40, 60] }
    random_state = 0

    [context]                        # UseContext fields
    domain = "credit_finance"
    automation = "human_review"

    [policy]                         # Policy overrides
    min_group_size = 20

    [metadata]                       # the system card: one text, or a text per language
    system_name = "Loan model"
    appeal = { zh = "可在 15 日内书面申请人工复核", en = "Ask for a human review within 15 days" }

    [value_labels.sex]               # display names of a column's (or ground's) values
    female = ["女", "female"]
    male = ["男", "male"]

    [output]
    html = "out/report.html"
    json = "out/report.json"
    lang = "bilingual"
    filings = "out/filings"          # the filings that follow the audit (docs/filings/)

    [filings]                        # their options (only with [output] filings)
    kinds = ["pia", "ethics"]        # default: all four
    date = 2026-12-04                # default: the day the audit ran
    previous = "out/last_year.json"  # ethics: the audit of the last review (never written)
    follow_up_months = 12            # ethics: months to the next follow-up review, 1-12
    public_opinion = false           # ethics: can the system mobilise public opinion?
    sex = "gender"                   # bias audit: the grounds for sex and race/ethnicity
    race_ethnicity = "race"
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import re
import sys
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .audit import Audit
from .core.data import repeated
from .core.document import read_audit
from .core.errors import InputError, InputTypeError, ModelError
from .core.files import LANGS, check_outputs, regular_file, together
from .core.policy import Policy
from .explain.notices import person_notices, saved_audit_options
from .filings import OPTIONS, check_kinds, check_options
from .inputs.settings import DECLARED
from .risk.context import UseContext

if sys.version_info >= (3, 11):  # pragma: no cover - version dependent
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["TEMPLATE", "explain_config", "load_config", "run_config", "write_template"]

#: What ``szai-audit init`` writes: every section, commented; the keys a first run needs are
#: set to values to replace, the rest are commented out with their defaults.
TEMPLATE = """\
# szai_audit run configuration: szai-audit run {name}
# Every key is documented in docs/configuration.md. Paths are relative to this file.
# Keys in Chinese (or with spaces) must be quoted: "性别" = "sex", not 性别 = "sex".

[data]
path = "{data}"                  # a .csv or .parquet file
# chunked = false                # true: read in blocks with Dask (pip install 'szai_audit[dask]')
{columns}
[model]                          # remove this section to audit decisions given in [columns] y_pred
path = "model.skops"             # .skops (safe); a .pkl or .joblib also needs trusted = true
# trusted = false

[columns]                        # roles of the data's columns
# y_true = "outcome"             # what actually happened (optional)
# y_pred = "decision"            # the decisions, for an audit without a model
# y_score = "score"              # the scores (optional)
# features = ["age", "income"]   # the model's inputs (default: every column not in a role)
# cluster = "person_id"          # rows of one person (or policy) are not independent
# weights = "w"                  # sampling (survey) weights: rows are not the population

[sensitive]                      # Art. 72(2)(iv): ground = column
gender = "sex"
# nationality = "foreign_worker"
# age = "age"

[audit]
# task = "classification"        # or "regression", "pricing"
# favorable_label = 1
# bins = {{ age = [25, 40, 60] }}
# legitimate_factors = ["credit_amount"]
# random_state = 0
# n_threads = 1                  # threads of the audit's own fits
# recourse = {{ actionable = {{ savings = "better", duration_months = "decrease" }} }}
#                                # what notices may suggest changing (nothing by default)
# value_order = {{ savings = ["none", "< 100", ">= 100"], duration_months = "lower" }}
#                                # worse -> better: recourse never moves the other way

# [context]                      # the Art. 66 risk tier
# domain = "credit_finance"
# automation = "human_review"

# [policy]                       # tolerances; see sa.Policy
# min_group_size = 30

[metadata]                       # the system card, shown in the report and the notices
# organisation = "Example Bank"  # one text for both languages, or a text per language:
# system_name = {{ zh = "个人贷款审批模型", en = "Loan approval model" }}
# appeal = {{ zh = "可在 15 日内书面申请人工复核", en = "Ask for a human review within 15 days" }}
# contact = "ethics@example.com"

[output]
html = "out/report.html"
json = "out/report.json"
# lang = "bilingual"             # or "zh", "en"
# filings = "out/filings"
"""


def write_template(path: str | Path, *, data: str | Path | None = None) -> Path:
    """Write :data:`TEMPLATE` to ``path`` (``szai-audit init``), never over an existing file.

    With ``data`` (a CSV or Parquet file), its path is filled in and its columns listed in a
    comment, so that roles and grounds can be picked from them.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> written = write_template(folder / "audit.toml")
    >>> "[sensitive]" in written.read_text(encoding="utf-8")
    True
    """
    target = Path(path)
    if target.exists():
        raise InputError(f"{str(target)!r} exists already; init never writes over a file.")
    columns = ""
    data_path = "data.csv"
    if data is not None:
        source = regular_file(Path(data), "--data")
        if source.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            names = list(pq.read_schema(source).names)
        elif source.suffix.lower() == ".csv":
            names = csv_header(source, "--data")
        else:
            raise InputError(f"--data must be a .csv or .parquet file, got {source.name!r}.")
        columns = f"# the data's columns: {', '.join(map(str, names))}\n"
        try:
            data_path = str(source.resolve().relative_to(target.resolve().parent))
        except ValueError:
            data_path = str(source.resolve())
    text = TEMPLATE.format(name=target.name, data=data_path.replace("\\", "/"), columns=columns)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


_SECTIONS = {"data", "model", "columns", "sensitive", "audit", "context", "policy", "metadata"}
_SECTIONS |= {"output", "value_labels", "filings"}
_ROLES = {"y_true", "y_pred", "y_score", "features", "cluster", "weights"}
#: The roles of the sampling design: columns passed by name to ``Audit(cluster=, weights=)``.
_DESIGN_ROLES = ("cluster", "weights")
#: Keys of the sections that are not passed on to other objects.
_KEYS = {
    "data": {"path", "chunked", "block_size"},
    "model": {"path", "trusted", "trusted_types"},
    "output": {"html", "json", "lang", "filings"},
    "filings": {"kinds", *OPTIONS},
}
#: Audit arguments a config may set under [audit] (the others come from their own sections, as
#: their declaration says), and the seed of ``run()``.
_AUDIT_KEYS = {a.name for a in DECLARED if a.config == "audit"} | {"random_state"}


#: The names of the files a run reads and writes, in its messages.
_DATA, _MODEL, _CONFIG_FILE = "[data] path", "[model] path", "the configuration file"
_HTML, _JSON, _FILINGS = "[output] html", "[output] json", "[output] filings"
_PREVIOUS = "[filings] previous"
_AUDIT_JSON = "--audit"


def load_config(path: str | Path) -> dict[str, Any]:
    """Read and check a run configuration (see the module docstring for the layout).

    Parameters
    ----------
    path : str or Path
        The TOML file.

    Returns
    -------
    dict
        Its sections, plus ``_base`` (the folder its relative paths start from) and ``_file``
        (the file itself, which no output may overwrite).

    Raises
    ------
    InputError, InputTypeError
        Naming the section and key of anything the file gets wrong.
    """
    p = regular_file(path, "config file")
    try:
        config = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"config file {str(p)!r} is not valid TOML: {exc}{_bare_key_hint(p, exc)}"
        ) from exc
    except RecursionError as exc:
        raise InputError(
            f"config file {str(p)!r} is nested too deeply to be read (arrays or tables inside "
            f"each other thousands of levels deep); a run configuration has a few flat sections."
        ) from exc
    except OSError as exc:
        raise InputError(f"config file {str(p)!r} cannot be read: {exc.strerror or exc}.") from exc
    unknown = set(config) - _SECTIONS
    if unknown:
        raise InputError(
            f"config {str(p)!r} has unknown sections {sorted(unknown)}"
            f"{_did_you_mean(unknown, _SECTIONS)}; known: {sorted(_SECTIONS)}."
        )
    for name, section in config.items():
        if not isinstance(section, Mapping):
            raise InputError(f"config {str(p)!r}: [{name}] must be a table of keys.")
    if "path" not in config.get("data", {}):
        raise InputError(f'config {str(p)!r} needs [data] path = "..." (a CSV or Parquet file).')
    known_keys = {
        **_KEYS,
        "columns": _ROLES,
        "audit": _AUDIT_KEYS,
        "policy": {f.name for f in dataclasses.fields(Policy)},
        "context": {f.name for f in dataclasses.fields(UseContext)},
    }
    for section, keys in known_keys.items():
        bad = set(config.get(section, {})) - keys
        if bad:
            what = "roles" if section == "columns" else "keys"
            raise InputError(
                f"[{section}] has unknown {what} {sorted(bad)}{_did_you_mean(bad, keys)}; "
                f"known: {sorted(keys)}."
            )
    _check_values(config)
    for column, table in config.get("value_labels", {}).items():
        if not isinstance(table, Mapping):
            raise InputError(
                f'[value_labels] {column} must be a table of raw value = ["中文", "English"], '
                f'e.g. [value_labels.{column}] with female = ["女", "female"]; got {table!r}.'
            )
    config["_base"] = p.resolve().parent
    config["_file"] = p.resolve()
    return config


def _bare_key_hint(path: Path, exc: Exception) -> str:
    """A hint when the line TOML refused starts with a key that is not plain ASCII: such keys
    (Chinese ground names, names with spaces) must be quoted."""
    line = re.search(r"line (\d+)", str(exc))
    if line is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8").splitlines()[int(line.group(1)) - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return ""
    key, equals, _ = text.partition("=")
    key = key.strip()
    if equals and key and not re.fullmatch(r"[A-Za-z0-9_.\-\"' ]+", key):
        return f'. A key such as {key} must be quoted: "{key}" = ...'
    return ""


def _did_you_mean(names: Any, known: Any) -> str:
    """`` (did you mean 'gender'?)`` for each misspelt name close to a known one, or ""."""
    names = sorted(map(str, names))
    hints = []
    for name in names:
        close = difflib.get_close_matches(name, sorted(map(str, known)), n=1, cutoff=0.6)
        if close:
            hints.append(f"{close[0]!r}" + (f" for {name!r}" if len(names) > 1 else ""))
    return f" (did you mean {', '.join(hints)}?)" if hints else ""


def _text(section: str, key: str, value: Any, kind: str) -> None:
    if not isinstance(value, str):
        raise InputTypeError(f"[{section}] {key} must be {kind} (text), got {value!r}.")


def _check_block_size(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputTypeError(
            f'[data] block_size must be a size such as "64MB" or a number of bytes, got {value!r}.'
        )
    if isinstance(value, int) and value <= 0:
        raise InputError(
            f'[data] block_size must be a positive number of bytes (or a size such as "64MB"), '
            f"got {value!r}."
        )


def _check_values(config: Mapping[str, Any]) -> None:
    """The kinds of the values the run reads: paths and column names are text, and so on."""
    data = config["data"]
    _text("data", "path", data["path"], "a file path")
    if not isinstance(data.get("chunked", False), bool):
        raise InputTypeError(f"[data] chunked must be true or false, got {data['chunked']!r}.")
    _check_block_size(data.get("block_size", "64MB"))
    if "model" in config:
        if "path" not in config["model"]:
            raise InputError('[model] needs path = "..." (a .skops, .pkl or .joblib file).')
        _text("model", "path", config["model"]["path"], "a file path")
        types = config["model"].get("trusted_types", [])
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise InputTypeError(
                f"[model] trusted_types must be a list of type names (text), got {types!r}."
            )
    columns = config.get("columns", {})
    for role in ("y_true", "y_pred", "y_score", *_DESIGN_ROLES):
        if role in columns:
            _text("columns", role, columns[role], "a column name")
    features = columns.get("features")
    if features is not None and (
        not isinstance(features, list) or not all(isinstance(f, str) for f in features)
    ):
        raise InputTypeError(
            f"[columns] features must be a list of column names (text), got {features!r}."
        )
    if features == []:
        raise InputError(
            "[columns] features is empty: name the model's input columns, or leave features "
            "out to use every column not named in a role."
        )
    sensitive = config.get("sensitive", {})
    if not sensitive and config.get("audit", {}).get("task") != "pricing":
        raise InputError('[sensitive] is empty: name at least one ground, e.g. gender = "sex".')
    for ground, column in sensitive.items():
        _text("sensitive", ground, column, "a column name")
    for key, value in config.get("metadata", {}).items():
        if not isinstance(value, (str, Mapping)):
            raise InputTypeError(
                f'[metadata] {key} must be text ("...") or a text per language '
                f'{{ zh = "...", en = "..." }}, got {value!r}.'
            )
    out = config.get("output", {})
    for key in ("html", "json"):
        if key in out:
            _text("output", key, out[key], "a file path")
    if "filings" in out:
        _text("output", "filings", out["filings"], "a folder path")
    if out.get("lang", "bilingual") not in LANGS:
        raise InputError(f"[output] lang must be one of {list(LANGS)}, got {out['lang']!r}.")
    _check_filings(config)


def _check_filings(config: Mapping[str, Any]) -> None:
    """The [filings] options: only with a folder to write to; each checked as the filings
    check it, and the grounds named among those of [sensitive]."""
    spec = config.get("filings")
    if spec is None:
        return
    if "filings" not in config.get("output", {}):
        raise InputError(
            "[filings] sets options of the filings, but [output] names no folder to write them "
            'to: add filings = "out/filings" under [output], or remove [filings].'
        )
    kinds = spec.get("kinds")
    if kinds is not None and not (
        isinstance(kinds, list) and all(isinstance(k, str) for k in kinds)
    ):
        raise InputTypeError(f'[filings] kinds must be a list such as ["pia"], got {kinds!r}.')
    check_kinds(kinds, "[filings] kinds")
    if "previous" in spec:
        _text("filings", "previous", spec["previous"], "the earlier audit's JSON file path")
    options = {k: v for k, v in spec.items() if k != "kinds"}
    check_options(options, "[filings] ")
    grounds = sorted(config.get("sensitive", {}))
    for key in ("sex", "race_ethnicity"):
        if key in spec and spec[key] not in grounds:
            raise InputError(
                f"[filings] {key} must name a ground of [sensitive] {grounds}, got {spec[key]!r}."
            )


def csv_header(path: Path, what: str = _DATA) -> list[str]:
    """The column names of a CSV file's header, as written, refusing a name written twice.

    pandas reads a second ``sex`` column as ``sex.1``, so the audit would run on whichever it
    is given, never saying that the file is ambiguous; this refuses it before, naming the
    column (for data read whole and in blocks alike). A file pandas cannot read returns no
    names, and the reading that follows says why.

    Raises
    ------
    InputError
        A column named twice (or more).
    """
    try:
        first = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError):
        return []
    names = [str(v) for v in first.iloc[0].tolist()] if len(first) else []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name and name in seen:
            raise InputError(
                f"{what} {path.name!r} names the column {name!r} twice (columns {seen[name] + 1} "
                f"and {i + 1} of its header); pandas would read the second as {name + '.1'!r} "
                f"and the audit could run on either. Rename or drop one of them."
            )
        seen.setdefault(name, i)
    return names


def _read_data(path: Path, spec: Mapping[str, Any]) -> Any:
    regular_file(path, _DATA)
    if path.suffix.lower() == ".csv":
        csv_header(path)
    if spec.get("chunked", False):
        return _read_chunked(path, spec.get("block_size", "64MB"))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except ImportError as exc:
        raise InputError(
            f"reading {path.name} needs pyarrow: pip install pyarrow ({exc})."
        ) from exc
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot read the data file {str(path)!r}: {exc}") from exc
    raise InputError(f"[data] path must be a .csv or .parquet file, got {path.name!r}.")


def _read_chunked(path: Path, block_size: Any) -> Any:
    """The file as a Dask DataFrame of blocks: read block by block when the audit runs."""
    try:
        import dask
        import dask.dataframe as dd
        from dask.utils import parse_bytes
    except ImportError as exc:
        raise InputError(
            "[data] chunked = true reads the file with Dask: pip install 'szai_audit[dask]'."
        ) from exc
    _check_block_size(block_size)
    try:
        size = parse_bytes(block_size)
    except ValueError as exc:
        raise InputError(
            f'[data] block_size must be a size such as "64MB" or a number of bytes, got '
            f"{block_size!r} ({exc})."
        ) from exc
    _check_block_size(size)
    suffix = path.suffix.lower()
    # Text stays as pandas reads it (object), so results and fingerprints match pd.read_csv.
    with dask.config.set({"dataframe.convert-string": False}):
        try:
            if suffix == ".csv":
                return dd.read_csv(path, blocksize=size, sample=1_000_000)
            if suffix in (".parquet", ".pq"):
                return dd.read_parquet(path, split_row_groups=True)
        except (ValueError, OSError, TypeError) as exc:
            raise InputError(f"cannot read the data file {str(path)!r}: {exc}") from exc
    raise InputError(f"[data] path must be a .csv or .parquet file, got {path.name!r}.")


def _load_skops(path: Path, allowed: list[str]) -> Any:
    try:
        import skops.io as sio
    except ImportError as exc:
        raise InputError(
            "loading a .skops model needs skops: pip install skops (a safe format: it does "
            "not run code from the file)."
        ) from exc
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise InputError(
            f"[model] path {str(path)!r} is not a skops file ({type(exc).__name__}: {exc}): a "
            f".skops file is the archive skops.io.dump writes. A pickle keeps its .pkl or "
            f".joblib suffix (and needs [model] trusted = true)."
        ) from exc
    unknown = [t for t in untrusted if t not in allowed]
    if unknown:
        raise ModelError(
            f"the .skops file holds types that are not trusted by default: {unknown}; list "
            f"the ones you trust under [model] trusted_types = [...]."
        )
    return sio.load(path, trusted=allowed)


def _load_model(spec: Mapping[str, Any], base: Path) -> Any:
    path = regular_file(base / spec["path"], _MODEL)
    suffix = path.suffix.lower()
    if suffix == ".skops":
        return _load_skops(path, list(spec.get("trusted_types", [])))
    if suffix in (".pkl", ".pickle", ".joblib"):
        if spec.get("trusted") is not True:
            raise InputError(
                f"{path.name} is a pickle: loading it runs any code it contains. Load only files "
                f"you made or trust, and say so with [model] trusted = true; or save the model "
                f"with skops (.skops), which does not run code."
            )
        import joblib

        try:
            return joblib.load(path)
        except Exception as exc:  # the file's own code can raise anything
            raise ModelError(f"loading {path.name} failed ({type(exc).__name__}: {exc}).") from exc
    raise InputError(f"[model] path must be .skops, .pkl, .pickle or .joblib, got {path.name!r}.")


def _paths(config: Mapping[str, Any]) -> tuple[dict[str, Path], dict[str, Path]]:
    """The files the run writes and those it reads, by the names the configuration gives."""
    base: Path = config["_base"]
    inputs = {_DATA: base / config["data"]["path"]}
    if "model" in config:
        inputs[_MODEL] = base / config["model"]["path"]
    if "_file" in config:
        inputs[_CONFIG_FILE] = config["_file"]
    out = config.get("output", {})
    outputs = {}
    if "html" in out:
        outputs[_HTML] = base / out["html"]
    if "json" in out:
        outputs[_JSON] = base / out["json"]
    if "filings" in out:
        folder = base / out["filings"]
        for kind in check_kinds(config.get("filings", {}).get("kinds")):
            for ext in ("html", "json"):
                outputs[f"{_FILINGS} ({kind}.{ext})"] = folder / f"filing-{kind}.{ext}"
    if "previous" in config.get("filings", {}):
        inputs[_PREVIOUS] = base / config["filings"]["previous"]
    return outputs, inputs


def _frames(config: Mapping[str, Any], data: Any) -> dict[str, Any]:
    """The Audit arguments taken from the data: inputs, outcomes, decisions, scores, grounds."""
    columns = dict(config.get("columns", {}))
    for role in ("y_true", "y_pred", "y_score"):
        name = columns.get(role)
        if name is not None and name not in data.columns:
            raise InputError(
                f"[columns] {role} = {name!r} is not a column of the data"
                f"{_did_you_mean([name], data.columns)}."
            )
    sensitive = dict(config.get("sensitive", {}))
    role_columns = [columns[r] for r in ("y_true", "y_pred", "y_score") if r in columns]
    features = columns.get("features")
    missing = [c for c in features or [] if c not in data.columns]
    missing += [c for c in sensitive.values() if c not in data.columns]
    if missing:
        raise InputError(
            f"columns {sorted(set(map(str, missing)))} named in [columns] features or "
            f"[sensitive] are not in the data{_did_you_mean(missing, data.columns)} (its "
            f"columns: {list(map(str, data.columns))})."
        )
    design = {role: columns[role] for role in _DESIGN_ROLES if role in columns}
    for role, name in design.items():
        if name not in data.columns:
            raise InputError(
                f"[columns] {role} = {name!r} is not a column of the data"
                f"{_did_you_mean([name], data.columns)}."
            )
        if name in (features or []):
            raise InputError(
                f"[columns] {role} = {name!r} is also in [columns] features; the {role} column "
                f"is not a model input. Leave it out of features."
            )
    # The design's columns stay in the data, named to Audit(cluster=, weights=), which takes
    # them out of the model's inputs.
    kept = [c for c in design.values() if c not in (features or [])]
    inputs = data[[*features, *kept]] if features else data.drop(columns=role_columns)
    # Sensitive columns that are not model inputs are passed beside the inputs.
    extra = sorted({c for c in sensitive.values() if c not in inputs.columns})
    roles = {
        role: data[columns[role]] for role in ("y_true", "y_pred", "y_score") if role in columns
    }
    return {
        "data": inputs,
        **roles,
        **design,
        "sensitive": sensitive,
        "sensitive_data": data[extra] if extra else None,
    }


def run_config(config: Mapping[str, Any]) -> tuple[Any, list[Path]]:
    """Run the audit a configuration describes and write its outputs.

    Parameters
    ----------
    config : mapping
        What :func:`load_config` returns.

    Returns
    -------
    tuple
        The :class:`~szai_audit.AuditResult` and the list of files written.

    Raises
    ------
    InputError
        Before anything is read or run: an output that is the same file as an input (the
        data, the model, the configuration file) or as the other output, or that is a folder.
    ReportError
        An output that cannot be written: then none of the outputs is replaced (they are
        written together, :func:`szai_audit.core.files.together`), and nothing is left half
        written.
    ModelError
        The model failed, or its code ended the process (``sys.exit``), naming the model.
    """
    outputs, inputs = _paths(config)
    check_outputs(outputs, inputs)
    options = dict(config.get("filings", {}))
    kinds = options.pop("kinds", None)
    if _PREVIOUS in inputs:  # read and checked before the audit runs
        options["previous"] = read_audit(regular_file(inputs[_PREVIOUS], _PREVIOUS), _PREVIOUS)
    result = _audited(config, inputs)[0]
    lang = config.get("output", {}).get("lang", "bilingual")
    with together():  # every output replaced at the end, or none
        if _HTML in outputs:
            result.to_html(outputs[_HTML], lang=lang)
        if _JSON in outputs:
            result.to_json(outputs[_JSON])
        if "filings" in config.get("output", {}):
            folder = config["_base"] / config["output"]["filings"]
            result.write_filings(folder, kinds=kinds, lang=lang, **options)
    return result, list(outputs.values())


@contextlib.contextmanager
def _model_named(config: Mapping[str, Any], model: Any) -> Iterator[None]:
    """Name the model of ``config`` in a :class:`ModelError` raised by the block, and turn a
    ``sys.exit`` its code calls (``SystemExit``, which would end the command with the status
    it gives, 0 for a pass) into a :class:`ModelError`, saying where it was called."""
    if model is None:
        yield
        return
    name = f"{_MODEL} {str(config['model']['path'])!r} ({type(model).__name__})"
    try:
        yield
    except SystemExit as exc:
        raise ModelError(
            f"the model {name} ended the audit: {_exit_call(exc)}. The audit did not complete "
            f"and wrote nothing; a model must return its outputs, not exit."
        ) from exc
    except ModelError as exc:
        cause = exc.__cause__
        where = f" (raised{_where(cause)})" if cause is not None and _where(cause) else ""
        raise ModelError(f"the model {name} failed{where}: {exc}") from exc


def _where(exc: BaseException) -> str:
    """`` in ExitingModel.predict (model.py, line 12)``: the innermost frame of the traceback
    of ``exc``, or "" without one."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    code = tb.tb_frame.f_code
    qualname = getattr(code, "co_qualname", code.co_name)
    return f" in {qualname} ({Path(code.co_filename).name}, line {tb.tb_lineno})"


def _exit_call(exc: SystemExit) -> str:
    """``sys.exit(0) was called in ExitingModel.predict (model.py, line 12)``."""
    return f"sys.exit({exc.code!r}) was called{_where(exc)}"


def _audited(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> tuple[Any, Any]:
    """The audit the configuration describes, run, and the data file as read."""
    data = _read_data(inputs[_DATA], config["data"])
    frames = _frames(config, data)
    model = _load_model(config["model"], config["_base"]) if "model" in config else None
    with _model_named(config, model):
        return _run_audit(config, model, frames), data


def _run_audit(config: Mapping[str, Any], model: Any, frames: Mapping[str, Any]) -> Any:
    """The audit of :func:`_audited`, run."""
    audit_args = dict(config.get("audit", {}))
    random_state = audit_args.pop("random_state", 0)
    try:
        policy = Policy(**config["policy"]) if "policy" in config else None
    except TypeError as exc:
        raise InputError(f"[policy]: {exc}; see sa.Policy for the settings.") from exc
    try:
        context = UseContext(**config["context"]) if "context" in config else None
    except TypeError as exc:
        raise InputError(f"[context]: {exc}; see sa.UseContext for the fields.") from exc
    result = Audit(
        model=model,
        **frames,
        metadata=config.get("metadata"),
        policy=policy,
        context=context,
        value_labels=config.get("value_labels"),
        **audit_args,
    ).run(random_state=random_state)
    return result


#: Why ``explain`` is refused without a model or with data read in parts.
_NEEDS_MODEL = (
    "explain needs [model] and data in memory ([data] chunked = false): notices are written "
    "from the model's own decisions. Add [model] path, or set chunked = false."
)

#: The files a notices folder holds: none may be a file the run reads.
_NOTICE_FILES = ("index.csv", "notice-")


def explain_config(
    config: Mapping[str, Any],
    rows: str | Path,
    out: str | Path,
    *,
    id_column: str | None = None,
    lang: str = "bilingual",
    audit: str | Path | None = None,
    decided_on: str | None = None,
) -> Any:
    """Run the audit a configuration describes (or read it, saved: ``audit``), then write a
    notice for each person listed in ``rows`` into the folder ``out`` (see
    :meth:`szai_audit.AuditResult.person_notices`).

    Parameters
    ----------
    config : mapping
        What :func:`load_config` returns; its ``[audit] recourse`` (``actionable``,
        ``immutable``) also says what each notice's recourse may change (the audit's result
        keeps it, see :attr:`szai_audit.AuditResult.recourse_options`).
    rows : path
        A CSV file whose first column (or the column ``id_column``) lists the people: the
        values of ``id_column`` in the data, or else row numbers of the data file (0 for its
        first row).
    out : path
        The folder of the notices (created when missing).
    id_column : str, optional
        A column of the data file that identifies each person (a reference shown on the
        notice; it must not be a model input: leave it out of ``[columns] features``).
    lang : {"bilingual", "zh", "en"}
    audit : path, optional
        The audit's saved JSON (``[output] json`` of ``szai-audit run``): the audit is not run
        again. Its favourable decision, its grounds and their proxies (the inputs no notice
        may name) are read from it, after checking its ``content_sha256`` (and its signature
        with ``SZAI_AUDIT_KEY`` set, see :mod:`szai_audit.core.document`) and that it audited
        this very data (its fingerprint). The notices are those the audit run would write.
    decided_on : str, optional
        The day of the decisions (YYYY-MM-DD); without it each notice marks the date
        NEEDS_REVIEW.

    Returns
    -------
    NoticeBatch
    """
    inputs = _paths(config)[1]
    if audit is not None:
        inputs = {**inputs, _AUDIT_JSON: Path(audit)}
    folder = Path(out)
    reads = {**inputs, "--rows": Path(rows)}
    for name, path in reads.items():
        resolved = Path(path).resolve()
        clash = resolved.parent == folder.resolve() and (
            resolved.name == _NOTICE_FILES[0] or resolved.name.startswith(_NOTICE_FILES[1])
        )
        if clash or resolved == folder.resolve():
            raise InputError(
                f"--out {str(out)!r} would write over {name} ({str(path)!r}); choose another "
                f"folder."
            )
    if lang not in LANGS:
        raise InputError(f"--lang must be one of {list(LANGS)}, got {lang!r}.")
    wanted = _wanted(regular_file(Path(rows), "--rows"), id_column)
    if audit is not None:
        return _saved_notices(config, inputs, wanted, id_column, folder, (lang, decided_on))
    result, data = _audited(config, inputs)
    people = _people(result.inputs[1] if result.inputs else None, data, wanted, id_column)
    with _model_named(config, result.inputs[0] if result.inputs else None):
        # recourse and value_order: the audit's
        return result.person_notices(people, folder, lang=lang, decided_on=decided_on)


def _saved_notices(
    config: Mapping[str, Any],
    inputs: Mapping[str, Path],
    wanted: list[str],
    id_column: str | None,
    folder: Path,
    written: tuple[str, str | None],
) -> Any:
    """The notices of :func:`explain_config` from the saved audit ``inputs["--audit"]``, in
    the language and with the decision date ``written``."""
    lang, decided_on = written
    doc = read_audit(regular_file(inputs[_AUDIT_JSON], _AUDIT_JSON), _AUDIT_JSON)
    if "model" not in config or config["data"].get("chunked", False):
        raise InputError(_NEEDS_MODEL)
    data = _read_data(inputs[_DATA], config["data"])
    frames = _frames(config, data)
    X = frames["data"].drop(columns=[frames[r] for r in _DESIGN_ROLES if r in frames])
    saved = saved_audit_options(doc, X, _AUDIT_JSON)  # checked to be the audit of X
    model = _load_model(config["model"], config["_base"])
    audit_args = config.get("audit", {})
    recourse = audit_args.get("recourse")
    recourse = recourse if isinstance(recourse, Mapping) else {}
    people = _people(X, data, wanted, id_column)
    with _model_named(config, model):
        return person_notices(
            model,
            X,
            people,
            folder,
            lang=lang,
            feature_labels=audit_args.get("feature_labels"),
            value_labels=config.get("value_labels"),
            immutable=list(recourse.get("immutable") or []),
            actionable=recourse.get("actionable"),
            value_order=audit_args.get("value_order"),
            threshold=audit_args.get("threshold"),
            decided_on=decided_on,
            **saved,
        )


def _wanted(path: Path, id_column: str | None) -> list[str]:
    """The people's identifiers listed in the rows file, as text, in order."""
    try:
        listed = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot read --rows {str(path)!r}: {exc}") from exc
    if listed.shape[1] == 0 or listed.empty:
        raise InputError(f"--rows {str(path)!r} lists no one: give a column of identifiers.")
    column = id_column if id_column in listed.columns else listed.columns[0]
    values = [v.strip() for v in listed[column].tolist()]
    twice = repeated(values)
    if twice:
        raise InputError(f"--rows lists {twice[:3]} more than once; list each person once.")
    return values


def _people(inputs: Any, data: Any, wanted: list[str], id_column: str | None) -> Any:
    """The model inputs of the people wanted, indexed by their reference."""
    if inputs is None:
        raise InputError(_NEEDS_MODEL)
    if id_column is not None:
        if id_column not in data.columns:
            raise InputError(f"--id-column {id_column!r} is not a column of the data.")
        if id_column in inputs.columns:
            raise InputError(
                f"--id-column {id_column!r} is a model input; leave it out of [columns] "
                f"features so that it only identifies people."
            )
        keys = data[id_column].astype(str).str.strip()
    else:
        keys = pd.Series([str(i) for i in range(len(data))], index=data.index)
    if not keys.is_unique:
        raise InputError(f"--id-column {id_column!r} repeats values; it identifies no one person.")
    position = pd.Series(range(len(keys)), index=keys.to_numpy())
    missing = [w for w in wanted if w not in position.index]
    if missing:
        where = f"column {id_column!r}" if id_column else "the data's row numbers (0, 1, ...)"
        raise InputError(
            f"--rows lists {len(missing)} people not in {where}, such as {missing[:3]}."
        )
    people = inputs.iloc[position.loc[wanted].to_numpy()].copy()
    people.index = pd.Index(wanted, name=id_column or "row")
    return people
