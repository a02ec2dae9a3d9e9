"""The report's reproducibility section: versions, fingerprints, model, processing, seed."""

from __future__ import annotations

from ..core.catalog import say
from ..core.files import json_text
from ..core.messages import Message
from .results import Results

__all__ = ["manifest_rows"]


def manifest_rows(result: Results) -> list[tuple[Message, str | Message, bool]]:
    """The manifest as rows of (label, value, whether the value is code-like)."""
    m = result.manifest
    rows: list[tuple[Message, str | Message, bool]] = [
        (say("report.manifest_rows.szai_audit_version"), str(m.get("szai_audit")), False),
        (say("report.manifest_rows.python_version"), str(m.get("python")), False),
        (say("report.manifest_rows.platform"), str(m.get("platform")), False),
        (
            say("report.manifest_rows.dependency_versions"),
            ", ".join(f"{k} {v}" for k, v in (m.get("dependencies") or {}).items()),
            True,  # package names, written as code
        ),
    ]
    data = m.get("data")
    if data:
        rows.append(
            (
                say("report.manifest_rows.data_fingerprint_sha256_shape"),
                f"{data['sha256']}  ({data['shape'][0]} × {data['shape'][1]})",
                True,
            )
        )
    for key, label in (
        ("y_true_sha256", say("report.manifest_rows.outcomes_fingerprint_sha256")),
        ("y_pred_sha256", say("report.manifest_rows.decisions_fingerprint_sha256")),
    ):
        if m.get(key):
            rows.append((label, str(m[key]), True))
    if m.get("model"):
        rows.append(
            (
                say("report.manifest_rows.model_class_parameters"),
                json_text(m["model"], indent=1),
                True,
            )
        )
    processing = m.get("processing")
    if processing:
        skipped = processing.get("not_computed", [])
        p = processing
        rows.append(
            (
                say("report.manifest_rows.read_parts_not_held"),
                Message(
                    f"{p['engine']}：{p['partitions']} 个分区，汇总为 {p['cells']} 个计数单元；"
                    f"抽样检查再次读取 {p['rows_read_again']} 行。"
                    + ("未计算：整改代价示意。" if "mitigation" in skipped else ""),
                    f"{p['engine']}: {p['partitions']} partitions summarised as {p['cells']} "
                    f"cells of counts; {p['rows_read_again']} rows read again for the sampled "
                    f"checks."
                    + (" Not computed: what a fix would cost." if "mitigation" in skipped else ""),
                ),
                False,
            )
        )
    rows.append((say("report.manifest_rows.random_state"), str(m.get("random_state")), False))
    rows.append((say("report.manifest_rows.generated_at_utc"), str(m.get("generated_at")), False))
    return rows
