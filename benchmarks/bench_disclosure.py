"""Complementary suppression (``szai_audit.core.disclosure.protect``): seconds to choose the
figures withheld, by the number of people and of combinations of the grounds' groups.

Workload (issue 29, item 6): three grounds of 10, 10 and 5 groups, their three pairs and their
intersection, as the classification audit protects them; the default policy
(``min_group_size`` 30, ``k_anonymity`` 5). Two shapes: ``geometric``, group sizes falling by
half from one group to the next (many small cells, withheld on size alone, which protect each
other), and ``lone``, groups of equal size but the last of each ground, of three people (every
table then needs complements). Printed: the rows, the atoms (combinations present), the cells,
those withheld on size alone and in all, whether the overall is withheld, and the seconds.

    .venv/bin/python benchmarks/bench_disclosure.py --sizes 1e4 1e5 1e6
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from szai_audit.core.disclosure import Cells, protect

GROUPS = (10, 10, 5)


def _grounds(n: int, shape: str, rng: np.random.Generator) -> list[np.ndarray]:
    """Each ground's group of every row (see the module's shapes)."""
    out = []
    for size in GROUPS:
        if shape == "geometric":
            weights = 0.5 ** np.arange(size)
            out.append(rng.choice(size, n, p=weights / weights.sum()))
            continue
        groups = rng.choice(size - 1, n)
        groups[rng.choice(n, 3, replace=False)] = size - 1  # a group of three people
        out.append(groups)
    return out


def _cells(grounds: list[np.ndarray]) -> Cells:
    codes, sizes, shown, rank = {}, {}, {}, {}
    for r in range(1, len(grounds) + 1):
        for combo in itertools.combinations(range(len(grounds)), r):
            key = "×".join(map(str, combo))
            stacked = np.column_stack([grounds[i] for i in combo])
            _, code = np.unique(stacked, axis=0, return_inverse=True)
            codes[key] = code.reshape(-1)
            sizes[key] = int(code.max()) + 1
            shown[key] = np.bincount(codes[key], minlength=sizes[key]) >= 30
            rank[key] = r
    n = len(grounds[0])
    return Cells(codes, sizes, np.ones((n, 1)), shown, rank=rank)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(
        f"{'shape':>9} {'rows':>10} {'atoms':>6} {'cells':>6} {'small':>6} {'withheld':>9} "
        f"{'overall':>8} {'seconds':>8}"
    )
    for shape, size in itertools.product(("geometric", "lone"), args.sizes):
        grounds = _grounds(int(size), shape, rng)
        cells = _cells(grounds)
        atoms = len(np.unique(np.column_stack(grounds), axis=0))
        start = time.perf_counter()
        withheld = protect(cells, 5)
        seconds = time.perf_counter() - start
        total = sum(cells.sizes.values())
        small = sum(int((~s).sum()) for s in cells.shown.values())
        hidden = sum(int(w.sum()) for w in withheld.cells.values())
        print(
            f"{shape:>9} {int(size):>10,} {atoms:>6} {total:>6} {small:>6} {hidden:>9} "
            f"{withheld.overall!s:>8} {seconds:>8.2f}"
        )


if __name__ == "__main__":
    main()
