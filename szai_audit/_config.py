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

    [metadata]                       # the system card
    system_name = "Loan model"

    [value_labels.sex]               # display names of a column's (or ground's) values
    female = ["女", "female"]
    male = ["男", "male"]

    [output]
    html = "out/report.html"
    json = "out/report.json"
    lang = "bilingual"
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .audit import Audit
from .core.errors import InputError, InputTypeError, ModelError
from .core.policy import Policy
from .risk.context import UseContext

if sys.version_info >= (3, 11):  # pragma: no cover - version dependent
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["load_config", "run_config"]

_SECTIONS = {"data", "model", "columns", "sensitive", "audit", "context", "policy", "metadata"}
_SECTIONS |= {"output", "value_labels"}
_ROLES = {"y_true", "y_pred", "y_score", "features"}
#: Keys of the sections that are not passed on to other objects.
_KEYS = {
    "data": {"path", "chunked", "block_size"},
    "model": {"path", "trusted", "trusted_types"},
    "output": {"html", "json", "lang"},
}
#: Audit arguments a config may set under [audit] (the others come from their own sections).
_AUDIT_KEYS = {
    "task",
    "favorable_label",
    "threshold",
    "bins",
    "reference",
    "legitimate_factors",
    "favorable_direction",
    "feature_labels",
    "explain",
    "consumer_profile",
    "loyalty",
    "currency",
    "privacy",
    "random_state",
}


def load_config(path: str | Path) -> dict[str, Any]:
    """Read and check a run configuration (see the module docstring for the layout)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"config file {str(p)!r} does not exist.")
    try:
        config = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"config file {str(p)!r} is not valid TOML: {exc}") from exc
    unknown = set(config) - _SECTIONS
    if unknown:
        raise InputError(
            f"config {str(p)!r} has unknown sections {sorted(unknown)}; known: {sorted(_SECTIONS)}."
        )
    for name, section in config.items():
        if not isinstance(section, Mapping):
            raise InputError(f"config {str(p)!r}: [{name}] must be a table of keys.")
    if "path" not in config.get("data", {}):
        raise InputError(f'config {str(p)!r} needs [data] path = "..." (a CSV or Parquet file).')
    for section, keys in _KEYS.items():
        bad = set(config.get(section, {})) - keys
        if bad:
            raise InputError(f"[{section}] has unknown keys {sorted(bad)}; known: {sorted(keys)}.")
    chunked = config.get("data", {}).get("chunked", False)
    if not isinstance(chunked, bool):
        raise InputTypeError(f"[data] chunked must be true or false, got {chunked!r}.")
    bad = set(config.get("columns", {})) - _ROLES
    if bad:
        raise InputError(f"[columns] has unknown roles {sorted(bad)}; known: {sorted(_ROLES)}.")
    bad = set(config.get("audit", {})) - _AUDIT_KEYS
    if bad:
        raise InputError(f"[audit] has unknown keys {sorted(bad)}; known: {sorted(_AUDIT_KEYS)}.")
    for column, table in config.get("value_labels", {}).items():
        if not isinstance(table, Mapping):
            raise InputError(
                f'[value_labels] {column} must be a table of raw value = ["中文", "English"], '
                f'e.g. [value_labels.{column}] with female = ["女", "female"]; got {table!r}.'
            )
    config["_base"] = p.resolve().parent
    return config


def _read_data(path: Path, spec: Mapping[str, Any]) -> Any:
    if not path.is_file():
        raise InputError(f"[data] path {str(path)!r} does not exist.")
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
    except ImportError as exc:
        raise InputError(
            "[data] chunked = true reads the file with Dask: pip install 'szai_audit[dask]'."
        ) from exc
    if isinstance(block_size, bool) or not isinstance(block_size, (str, int)):
        raise InputTypeError(
            f'[data] block_size must be a size such as "64MB" or a number of bytes, got '
            f"{block_size!r}."
        )
    suffix = path.suffix.lower()
    # Text stays as pandas reads it (object), so results and fingerprints match pd.read_csv.
    with dask.config.set({"dataframe.convert-string": False}):
        try:
            if suffix == ".csv":
                return dd.read_csv(path, blocksize=block_size, sample=1_000_000)
            if suffix in (".parquet", ".pq"):
                return dd.read_parquet(path, split_row_groups=True)
        except (ValueError, OSError, TypeError) as exc:
            raise InputError(f"cannot read the data file {str(path)!r}: {exc}") from exc
    raise InputError(f"[data] path must be a .csv or .parquet file, got {path.name!r}.")


def _load_model(spec: Mapping[str, Any], base: Path) -> Any:
    path = base / str(spec.get("path", ""))
    if not path.is_file():
        raise InputError(f"[model] path {str(path)!r} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".skops":
        try:
            import skops.io as sio
        except ImportError as exc:
            raise InputError(
                "loading a .skops model needs skops: pip install skops (a safe format: it does "
                "not run code from the file)."
            ) from exc
        untrusted = sio.get_untrusted_types(file=path)
        allowed = list(spec.get("trusted_types", []))
        unknown = [t for t in untrusted if t not in allowed]
        if unknown:
            raise ModelError(
                f"the .skops file holds types that are not trusted by default: {unknown}; list "
                f"the ones you trust under [model] trusted_types = [...]."
            )
        return sio.load(path, trusted=allowed)
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


def run_config(config: Mapping[str, Any]) -> tuple[Any, list[Path]]:
    """Run the audit a configuration describes; write its outputs. Returns the result and the
    files written."""
    base: Path = config["_base"]
    data = _read_data(base / str(config["data"]["path"]), config["data"])
    columns = dict(config.get("columns", {}))
    for role in ("y_true", "y_pred", "y_score"):
        name = columns.get(role)
        if name is not None and name not in data.columns:
            raise InputError(f"[columns] {role} = {name!r} is not a column of the data.")
    sensitive = dict(config.get("sensitive", {}))
    if not sensitive and config.get("audit", {}).get("task") != "pricing":
        raise InputError('[sensitive] is empty: name at least one ground, e.g. gender = "sex".')
    role_columns = [columns[r] for r in ("y_true", "y_pred", "y_score") if r in columns]
    features = columns.get("features")
    if features is not None and not isinstance(features, list):
        raise InputTypeError(
            f"[columns] features must be a list of column names, got {features!r}."
        )
    missing = [c for c in features or [] if c not in data.columns]
    missing += [c for c in sensitive.values() if isinstance(c, str) and c not in data.columns]
    if missing:
        raise InputError(
            f"columns {sorted(set(map(str, missing)))} named in [columns] features or "
            f"[sensitive] are not in the data (its columns: {list(map(str, data.columns))})."
        )
    inputs = data[features] if features else data.drop(columns=role_columns)
    model = _load_model(config["model"], base) if "model" in config else None
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
    # Sensitive columns that are not model inputs are passed beside the inputs.
    extra = sorted({c for c in sensitive.values() if c not in inputs.columns})
    result = Audit(
        model=model,
        data=inputs,
        y_true=data[columns["y_true"]] if "y_true" in columns else None,
        y_pred=data[columns["y_pred"]] if "y_pred" in columns else None,
        y_score=data[columns["y_score"]] if "y_score" in columns else None,
        sensitive=sensitive,
        sensitive_data=data[extra] if extra else None,
        metadata=config.get("metadata"),
        policy=policy,
        context=context,
        value_labels=config.get("value_labels"),
        **audit_args,
    ).run(random_state=random_state)
    out = config.get("output", {})
    written = []
    lang = out.get("lang", "bilingual")
    if "html" in out:
        path = base / str(out["html"])
        path.parent.mkdir(parents=True, exist_ok=True)
        result.to_html(path, lang=lang)
        written.append(path)
    if "json" in out:
        path = base / str(out["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        result.to_json(path)
        written.append(path)
    return result, written
