"""Complementary suppression: no figure withheld to protect fewer than ``k`` people can be worked
out from the figures an audit publishes.

A table of an audit (a ground, an intersection of grounds, a consumer-profile dimension) shows a
figure for each group: a rate, a mean. A group's figure is withheld when too few people stand
behind it; but the overall figure is published too, and so are the other groups' figures and
sizes, so the withheld one is their difference (the overall count times the overall rate, minus
the shown groups' counts times their rates). Statistical agencies call the withheld cell a
*primary* suppression and protect it with *complementary* ones: other cells withheld so that
no combination of what is published gives it back. This module chooses them.

The people behind a set of cells are summed by their *margins*: for decisions, the number of
people; for the decisions' agreement with the outcomes (true-positive counts), the numbers of
actual positives and negatives and of favourable and unfavourable decisions. A set is *private*
when one of its margins is between 1 and ``k - 1``: a figure on it tells something about fewer
than ``k`` people (a group of two; one actual positive in a group of a hundred, whose decision
its true-positive rate gives). The tables of one audit share their people: every table is a
sum over *atoms*, the combinations of all tables' groups, and what is published is the sum of
each published cell's atoms (and of every table's whole). A private set is *recoverable* when
its indicator lies in the span of the published sums. :func:`protect` withholds, besides the
cells given as not shown, every private cell, then as few further figures as it can (a
missing group first, then the overall figures, then cells of the finest tables and the
smallest) until no private cell, no private atom, and no private union of withheld cells
within a table or within a cell of a coarser table is recoverable. Withholding the overall
figures protects a lone small group of a single ground without hiding a compared group; with
several grounds the overall is the sum of another ground's groups, and cells go too.

Above :data:`MAX_ATOMS` combinations the span is not computed; each table is then protected on
its own (its withheld cells, together, are never a private set: :func:`protect_table`), which
is weaker across tables (docs/method.md, Privacy of the report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_ATOMS", "Cells", "Withheld", "private", "protect", "protect_table"]

#: Above this many combinations of all tables' groups, each table is protected on its own.
MAX_ATOMS = 2000
#: A singular value or a residual below this (relative) is zero.
_EPS = 1e-9


def private(margins: np.ndarray, k: int) -> np.ndarray:
    """Whether each set (a row of ``margins``, one column per margin) is private: one of its
    margins between 1 and ``k - 1``.

    >>> private(np.array([[3, 0], [40, 2], [40, 0]]), 5).tolist()
    [True, True, False]
    """
    m = np.asarray(margins, dtype=float)
    return np.asarray(((m >= 1) & (m < k)).any(axis=1), dtype=bool)


@dataclass(frozen=True)
class Cells:
    """The tables of one audit, over the same entries (rows, or cells of rows seen in parts).

    Attributes
    ----------
    codes : mapping of str to ndarray of int
        Per table: each entry's cell (its position among the table's groups; -1: none).
    sizes : mapping of str to int
        Per table: its number of cells.
    margins : ndarray, shape (entries, margins)
        Each entry's contribution to each margin (its number of people, of actual positives,
        ...): a set's margins are the sums over its entries.
    shown : mapping of str to ndarray of bool
        Per table and cell: whether its figures would be published on size alone.
    first : mapping of str to ndarray of bool, optional
        Cells to withhold first when a complement is needed (the missing group, which no
        check compares).
    rank : mapping of str to int, optional
        Per table, the order in which tables give up cells as complements: the higher first
        (an intersection of three grounds before one of two, before a ground's own table).
    """

    codes: Mapping[str, np.ndarray]
    sizes: Mapping[str, int]
    margins: np.ndarray
    shown: Mapping[str, np.ndarray]
    first: Mapping[str, np.ndarray] | None = None
    rank: Mapping[str, int] | None = None


@dataclass(frozen=True)
class Withheld:
    """What :func:`protect` withholds: per table, its withheld cells (True), and whether the
    overall figures are withheld."""

    cells: dict[str, np.ndarray]
    overall: bool = False

    def __getitem__(self, table: str) -> np.ndarray:
        return self.cells[table]


def protect(cells: Cells, k: int) -> Withheld:
    """The cells of each table whose figures must be withheld: those not shown, every private
    cell, and the complements that keep every private set unrecoverable (module description).

    Parameters
    ----------
    cells : Cells
    k : int
        ``policy.k_anonymity``.

    Returns
    -------
    Withheld
        Per table, True for each withheld cell; and whether the overall figures are.

    Examples
    --------
    One ground of three groups, the last a single person: the overall and the two other groups
    would give her figure back, so the overall figures are withheld. With a second ground whose
    groups give the overall back, the smaller of the other age groups is withheld with her.

    >>> age = np.array([0] * 40 + [1] * 60 + [2])
    >>> shown = np.array([True, True, False])
    >>> c = Cells({"age": age}, {"age": 3}, np.ones((101, 1)), {"age": shown})
    >>> w = protect(c, 5)
    >>> w["age"].tolist(), w.overall
    ([False, False, True], True)
    >>> sex = np.array([0, 1] * 50 + [0])
    >>> c = Cells({"age": age, "sex": sex}, {"age": 3, "sex": 2}, np.ones((101, 1)),
    ...           {"age": shown, "sex": np.array([True, True])})
    >>> w = protect(c, 5)
    >>> w["age"].tolist(), w["sex"].tolist(), w.overall
    ([True, False, True], [False, False], False)
    """
    keys = list(cells.codes)
    margins = np.asarray(cells.margins, dtype=float).reshape(len(cells.margins), -1)
    atom_of, atom_codes = _atoms([np.asarray(cells.codes[t], dtype=np.int64) for t in keys])
    atom_margins = np.column_stack(
        [np.bincount(atom_of, weights=m, minlength=len(atom_codes)) for m in margins.T]
    )
    withheld: dict[str, np.ndarray] = {}
    for j, t in enumerate(keys):
        own = _cell_margins(atom_codes[:, j], atom_margins, cells.sizes[t])
        withheld[t] = ~np.asarray(cells.shown[t], dtype=bool) | private(own, k)
    space = _Space(keys, atom_codes, atom_margins, cells, k)
    if len(atom_codes) > MAX_ATOMS:
        return Withheld({t: space.alone(j, withheld[t]) for j, t in enumerate(keys)})
    return space.complete(withheld)


def _atoms(codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's atom (its combination of every table's cell) and each atom's cells: one
    integer key per entry (mixed radix), made unique once (``np.unique`` on rows of a
    million entries took seconds)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    radix = 1
    for c in codes:
        base = int(c.max()) + 2 if len(c) else 1
        if radix * base >= 2**62:  # too many combinations for one integer: unique so far
            _, key = np.unique(key, return_inverse=True)
            key, radix = key.reshape(-1).astype(np.int64), int(key.max()) + 1
        key, radix = key * base + (c + 1), radix * base
    distinct, atom_of = np.unique(key, return_inverse=True)
    first = np.full(len(distinct), -1, dtype=np.int64)
    first[atom_of[::-1]] = np.arange(len(key))[::-1]  # an entry of each atom
    atom_codes = np.column_stack([c[first] for c in codes])
    return atom_of.reshape(-1), atom_codes


def _cell_margins(codes: np.ndarray, atom_margins: np.ndarray, size: int) -> np.ndarray:
    """Each cell's margins, summed over its atoms."""
    out = np.zeros((size, atom_margins.shape[1]))
    kept = codes >= 0
    np.add.at(out, codes[kept], atom_margins[kept])
    return out


class _Space:
    """The atoms of the tables and the sums published over them."""

    def __init__(
        self,
        keys: Sequence[str],
        atom_codes: np.ndarray,
        atom_margins: np.ndarray,
        cells: Cells,
        k: int,
    ) -> None:
        self.keys, self.atom_codes, self.atom_margins = list(keys), atom_codes, atom_margins
        self.cells, self.k = cells, k
        self.n_atoms = len(atom_codes)

    def _member(self, j: int, cell: int) -> np.ndarray:
        return np.asarray(self.atom_codes[:, j] == cell, dtype=float)

    def _preference(self, t: str, cell: int) -> tuple[int, float, float]:
        """Which published figure to withhold first: a preferred cell (the missing group),
        then the overall figures (``t`` empty), then a cell of the table of highest rank,
        the smallest first."""
        if not t:
            return (0, np.inf, 0.0)
        j = self.keys.index(t)
        first = self.cells.first.get(t) if self.cells.first else None
        rank = self.cells.rank.get(t, 0) if self.cells.rank else 0
        size = float(self.atom_margins[self.atom_codes[:, j] == cell, 0].sum())
        return (0 if first is not None and bool(first[cell]) else 1, -rank, size)

    def _rows(
        self, withheld: Mapping[str, np.ndarray], overall: bool
    ) -> tuple[np.ndarray, list[tuple[str, int]]]:
        """The published sums (the overall, unless withheld, then each table's published
        cells) and which figure each is (("", -1) for the overall)."""
        rows: list[np.ndarray] = [] if overall else [np.ones(self.n_atoms)]
        which = [] if overall else [("", -1)]
        for j, t in enumerate(self.keys):
            for cell in np.flatnonzero(~withheld[t]):
                rows.append(self._member(j, int(cell)))
                which.append((t, int(cell)))
        return (np.vstack(rows) if rows else np.zeros((0, self.n_atoms))), which

    def _targets(self, withheld: Mapping[str, np.ndarray]) -> np.ndarray:
        """Indicators of the private sets that must stay unrecoverable: atoms, withheld cells,
        and the union of a table's withheld cells, overall and within each cell of a coarser
        table."""
        lone = np.flatnonzero(private(self.atom_margins, self.k))
        atoms = np.zeros((len(lone), self.n_atoms))
        atoms[np.arange(len(lone)), lone] = 1.0
        out = [atoms]
        for j, t in enumerate(self.keys):
            out += [self._member(j, int(c))[None, :] for c in np.flatnonzero(withheld[t])]
            hidden = np.isin(self.atom_codes[:, j], np.flatnonzero(withheld[t]))
            out.append(hidden[None, :].astype(float))
            for i in range(len(self.keys)):
                if i != j and self._coarser(i, j):
                    for c in np.unique(self.atom_codes[hidden, i]):
                        out.append((hidden & (self.atom_codes[:, i] == c))[None, :].astype(float))
        sets = np.vstack(out)
        sets = sets[sets.any(axis=1) & private(sets @ self.atom_margins, self.k)]
        return np.unique(sets, axis=0) if len(sets) else sets

    def _coarser(self, i: int, j: int) -> bool:
        """Whether table ``i`` groups table ``j``'s cells (each of ``j``'s cells lies in one of
        ``i``'s)."""
        a, b = self.atom_codes[:, j], self.atom_codes[:, i]
        pairs = np.unique(np.column_stack([a, b]), axis=0)
        return len(pairs) == len(np.unique(a)) and len(np.unique(b)) < len(np.unique(a))

    def complete(self, withheld: dict[str, np.ndarray]) -> Withheld:
        """Withhold complements until no private set is recoverable: the published figures
        are kept one after the other, those least willingly withheld first (a ground's own
        groups before an intersection's, the largest first, then the overall, then the missing
        group), each unless, with those kept before it, it would make a private set
        recoverable; again with the new withheld unions until nothing changes."""
        withheld = {t: w.copy() for t, w in withheld.items()}
        overall = False
        while True:
            rows, which = self._rows(withheld, overall)
            order = sorted(range(len(rows)), key=lambda i: self._preference(*which[i]))
            refused = _kept(rows[order[::-1]], self._targets(withheld))
            if not refused.any():
                return Withheld(withheld, overall)
            for i in np.asarray(order[::-1])[refused]:
                t, cell = which[i]
                if t:
                    withheld[t][cell] = True
                else:
                    overall = True

    def alone(self, j: int, withheld: np.ndarray) -> np.ndarray:
        """One table protected on its own (:func:`protect_table`)."""
        own = _cell_margins(self.atom_codes[:, j], self.atom_margins, len(withheld))
        order = sorted(range(len(withheld)), key=lambda c: self._preference(self.keys[j], c))
        return protect_table(own, withheld, self.k, order)


def protect_table(
    margins: np.ndarray, withheld: np.ndarray, k: int, order: Sequence[int] | None = None
) -> np.ndarray:
    """The cells of one table (whose whole is published) to withhold: ``withheld`` and every
    private cell, then further cells (in ``order``, by default the smallest first) until the
    withheld cells together (their sum is the whole minus the published cells) are not
    private.

    Parameters
    ----------
    margins : ndarray, shape (cells, margins)
    withheld : ndarray of bool
        The cells withheld already (too few people).
    k : int
    order : sequence of int, optional

    Examples
    --------
    >>> protect_table(np.array([[50], [3], [40], [60]]), np.array([False, True, False, False]), 5)
    array([False,  True,  True, False])
    """
    margins = np.asarray(margins, dtype=float).reshape(len(withheld), -1)
    out = np.asarray(withheld, dtype=bool) | private(margins, k)
    if order is None:
        order = [int(c) for c in np.argsort(margins[:, 0], kind="stable")]
    for c in (c for c in order if not out[c]):
        union = margins[out].sum(axis=0, keepdims=True)
        if not private(union, k)[0]:
            break
        out[c] = True
    return out


def _kept(rows: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Which of ``rows``, taken in order, are refused: a row is kept unless, with the rows
    kept before it, it would put one of ``targets`` in their span (incremental Gram-Schmidt:
    the span's orthonormal basis, and each target's part outside it, updated row by row)."""
    refused = np.zeros(len(rows), dtype=bool)
    basis = np.zeros((0, rows.shape[1]))
    outside = np.asarray(targets, dtype=float).copy()
    scale = np.maximum(np.linalg.norm(outside, axis=1), 1.0)
    for i, row in enumerate(np.asarray(rows, dtype=float)):
        new = row - (basis @ row) @ basis
        new -= (basis @ new) @ basis  # twice, for rows nearly in the span
        size = float(np.linalg.norm(new))
        if size <= _EPS * max(1.0, float(np.linalg.norm(row))):
            continue  # already in the span: publishing it adds nothing
        q = new / size
        after = outside - np.outer(outside @ q, q)
        if (np.linalg.norm(after, axis=1) < 1e-6 * scale).any():
            refused[i] = True
            continue
        basis, outside = np.vstack([basis, q]), after
    return refused
