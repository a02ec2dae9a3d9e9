"""The task runners: one shared skeleton (:mod:`.skeleton`) and the classification, regression
and pricing audits (:mod:`.classification`, :mod:`.regression`, :mod:`.pricing`), followed by
the governance stage every audit ends with (:mod:`.governance`)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Mapping

import pandas as pd

from ..core.design import with_design_notes
from ..core.manifest import reproducible_outputs
from ..core.progress import clock
from ..core.threads import own_threads
from ..inputs.settings import Settings
from ..result import AuditResult
from . import governance
from .classification import ClassificationRunner
from .pricing import PricingRunner
from .regression import RegressionRunner
from .skeleton import TaskRunner

__all__ = ["RUNNERS", "run"]

#: The runner of each task.
RUNNERS: dict[str, type[TaskRunner]] = {
    "classification": ClassificationRunner,
    "regression": RegressionRunner,
    "pricing": PricingRunner,
}


def run(settings: Settings, random_state: int | None, started: _dt.datetime) -> AuditResult:
    """The audit the settings describe: the task's checks, then the governance stage; each
    stage timed (progress bars per ``settings.verbose``), its seconds in the manifest's
    ``stage_seconds``, except when ``SOURCE_DATE_EPOCH`` asks for reproducible outputs; the
    audit's own fits on ``settings.n_threads`` threads (:mod:`szai_audit.core.threads`)."""
    with clock(settings.verbose) as timer, own_threads(settings.n_threads):
        result = RUNNERS[settings.task](settings, random_state, started).run()
        result = governance.apply(settings, result)
    # Each measured finding says whether it honours cluster= / weights= (when given).
    result = dataclasses.replace(
        result, findings=with_design_notes(result.findings, settings.design)
    )
    manifest = dict(result.manifest)
    if not reproducible_outputs():
        manifest["stage_seconds"] = timer.rounded()
    inputs = None
    if settings.model is not None and isinstance(settings.data, pd.DataFrame):
        inputs = (settings.model, settings.data)
    elif settings.model is not None and result.explanation is not None:
        inputs = (settings.model, result.explanation.data)  # data seen in parts: the sample
    recourse = dict(settings.recourse) if isinstance(settings.recourse, Mapping) else {}
    return dataclasses.replace(
        result,
        manifest=manifest,
        verbose=settings.verbose,
        inputs=inputs,
        recourse_options=recourse,
        value_order=dict(settings.value_order or {}),
        threshold=settings.threshold,
    )
