"""Reproducibility manifest: versions, data fingerprints, model, seed, time."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from .data import fingerprint

#: Distributions whose versions are recorded (read from metadata; nothing is imported).
DEPENDENCIES = (
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "jinja2",
    "matplotlib",
    "shap",
    "fairlearn",
    "lightgbm",
    "xgboost",
    "xgboost-cpu",
    "dask",
)


def dependency_versions() -> dict[str, str]:
    """Installed versions of the libraries an audit's numbers can depend on."""
    out: dict[str, str] = {}
    for dist in DEPENDENCIES:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


#: The fields of a manifest that change between identical runs (the time, and how long each
#: stage took): a result's content hash leaves them out.
VOLATILE = ("generated_at", "stage_seconds")


def reproducible_outputs() -> bool:
    """Whether ``SOURCE_DATE_EPOCH`` is set: the outputs must then be byte-identical between
    identical runs, and the seconds of the stages (which vary) are not recorded."""
    return "SOURCE_DATE_EPOCH" in os.environ


def build_manifest(
    *,
    data: pd.DataFrame | None,
    y_true: np.ndarray | None,
    y_pred: np.ndarray | None,
    model: dict[str, Any] | None,
    random_state: int | None,
    generated_at: _dt.datetime,
    digests: dict[str, Any] | None = None,
    processing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything needed to reproduce an audit, as a JSON-safe dict.

    ``generated_at`` (and ``stage_seconds``, added once the audit has run) are the only fields
    that change between identical runs (:data:`VOLATILE`); the content hash of a result leaves
    them out. For data seen in parts, ``digests`` holds the fingerprints
    already computed part by part (``data``, ``y_true_sha256``, ``y_pred_sha256``) and
    ``processing`` how the parts were read.
    """
    if digests is None:
        digests = {
            "data": None
            if data is None
            else {"sha256": fingerprint(data), "shape": [int(data.shape[0]), int(data.shape[1])]},
            "y_true_sha256": fingerprint(y_true),
            "y_pred_sha256": fingerprint(y_pred),
        }
    out = {
        "szai_audit": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        "dependencies": dependency_versions(),
        **digests,
        "model": model,
        "random_state": random_state,
        "generated_at": generated_at.isoformat(timespec="seconds"),
    }
    if processing is not None:
        out["processing"] = processing
    return out
