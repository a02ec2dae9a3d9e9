"""Benchmark: writing many outputs (issue 29, item 9), one by one and together.

Workload: ``--n`` files of 10 kB each (default 2,000 and 20,000), written into a new folder
with :func:`szai_audit.core.files.write_text`:

* **one by one**: each file replaced as soon as it is written (a folder's stale temporaries
  are looked for once per process, never once per file);
* **together**: every file written to its temporary inside one
  :func:`szai_audit.core.files.together` block, then all replaced at its end (what ``run``,
  the filings and the notices do);
* **together, replacing**: the same over files that exist (each kept as a hard link until
  the replaces are done, to be put back if one fails).

The table gives the time and the cost per file, which must stay flat as ``n`` grows (no step
is quadratic in the number of files), and the temporaries left (none expected).

Run:  python benchmarks/bench_outputs.py [--n 2000 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from szai_audit.core.files import TEMPORARY_PREFIX, together, write_text

TEXT = "x" * 10_000


def write(folder: Path, n: int, mode: str) -> float:
    """Seconds to write ``n`` files into ``folder`` in ``mode``."""
    if mode == "together, replacing":
        for i in range(n):
            (folder / f"f{i}.html").write_text("old", encoding="utf-8")
    start = time.perf_counter()
    if mode == "one by one":
        for i in range(n):
            write_text(folder / f"f{i}.html", TEXT)
    else:
        with together():
            for i in range(n):
                write_text(folder / f"f{i}.html", TEXT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2_000, 20_000])
    args = parser.parse_args()
    print(f"{'mode':<22} {'files':>7} {'seconds':>8} {'ms/file':>8} {'temporaries left':>17}")
    for n in args.n:
        for mode in ("one by one", "together", "together, replacing"):
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                seconds = write(folder, n, mode)
                left = sum(p.name.startswith(TEMPORARY_PREFIX) for p in folder.iterdir())
            print(f"{mode:<22} {n:>7} {seconds:>8.2f} {seconds / n * 1000:>8.2f} {left:>17}")


if __name__ == "__main__":
    main()
