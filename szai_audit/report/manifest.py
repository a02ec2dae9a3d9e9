"""The report's reproducibility section: versions, fingerprints, model, processing, seed."""

from __future__ import annotations

import json

from ..core.messages import Message
from .results import Results

__all__ = ["manifest_rows"]


def manifest_rows(result: Results) -> list[tuple[Message, str | Message, bool]]:
    """The manifest as rows of (label, value, whether the value is code-like)."""
    m = result.manifest
    rows: list[tuple[Message, str | Message, bool]] = [
        (Message("szai_audit 版本", "szai_audit version"), str(m.get("szai_audit")), False),
        (Message("Python 版本", "Python version"), str(m.get("python")), False),
        (Message("运行平台", "Platform"), str(m.get("platform")), False),
        (
            Message("依赖库版本", "Dependency versions"),
            ", ".join(f"{k} {v}" for k, v in (m.get("dependencies") or {}).items()),
            False,
        ),
    ]
    data = m.get("data")
    if data:
        rows.append(
            (
                Message("数据指纹（sha256）与规模", "Data fingerprint (sha256) and shape"),
                f"{data['sha256']}  ({data['shape'][0]} × {data['shape'][1]})",
                True,
            )
        )
    for key, label in (
        ("y_true_sha256", Message("实际结果指纹（sha256）", "Outcomes fingerprint (sha256)")),
        ("y_pred_sha256", Message("决定指纹（sha256）", "Decisions fingerprint (sha256)")),
    ):
        if m.get(key):
            rows.append((label, str(m[key]), True))
    if m.get("model"):
        rows.append(
            (
                Message("模型类别与参数", "Model class and parameters"),
                json.dumps(m["model"], ensure_ascii=False, indent=1),
                True,
            )
        )
    processing = m.get("processing")
    if processing:
        skipped = processing.get("not_computed", [])
        p = processing
        rows.append(
            (
                Message("分块读取（数据未全部载入内存）", "Read in parts (not held in memory)"),
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
    rows.append((Message("随机种子", "random_state"), str(m.get("random_state")), False))
    rows.append(
        (Message("生成时间（UTC）", "Generated at (UTC)"), str(m.get("generated_at")), False)
    )
    return rows
