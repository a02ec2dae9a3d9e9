"""Regenerate the golden demo results: ``python tests/golden/make_golden.py``.

The files here pin the demo audits' JSON byte for byte (``tests/test_golden.py``). Regenerate
them only when a change is *meant* to alter what an audit reports, and say so in the commit; a
change of structure must leave them as they are.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The time stamped on the golden results (2025-12-02 00:00 UTC); ``generated_at`` is the one
#: field that would otherwise change between runs.
EPOCH = "1764633600"


def main() -> int:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    from szai_audit.demos import run_demo, run_pricing_demo

    with tempfile.TemporaryDirectory() as tmp:
        for run in (run_demo, run_pricing_demo):
            _, json_path = run(tmp, 0)
            shutil.copyfile(json_path, HERE / json_path.name)
            print("wrote", HERE / json_path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
