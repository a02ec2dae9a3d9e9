"""Issue 29, item 7: no hang and no resource blow-up. Every step's cost is linear in the rows
and the groups, or capped, with a finding that says what was not computed; Policy refuses
settings whose cost is absurd, saying the cost. No timing here: each test checks the
structure that bounds the cost (how deep a message nests, how many classes a model is fitted
on, how many resamples are held at once); ``benchmarks/bench_groups.py`` measures the time."""

from __future__ import annotations

from szai_audit.core.catalog import categories, relabel, say
from szai_audit.core.messages import Joined, Message, listing


def _depth(message: Message) -> int:
    """How deep Joined messages nest (iteratively: a deep one would overflow recursion)."""
    deepest, todo = 0, [(message, 0)]
    while todo:
        m, d = todo.pop()
        deepest = max(deepest, d)
        if isinstance(m, Joined):
            todo += [(p, d + 1) for p in m.parts]
    return deepest


def test_a_listing_of_thousands_of_groups_is_flat():
    """A list of 5,000 groups (the insufficient-data sentence names every small group) was a
    chain of 5,000 nested two-part messages: copying the text at each step (quadratic) and
    overflowing Python's recursion when the report looked for group values in it (1,000
    groups: RecursionError in ``run()``)."""
    parts = [say("core.values.quoted", value=f"g{i}") for i in range(5_000)]
    listed = listing(parts)
    assert _depth(listed) == 1
    assert listed.en == ", ".join(f"“g{i}”" for i in range(5_000))
    assert len(list(categories(listed))) == 5_000
    relabelled = relabel(listed, lambda c: Message(c.raw.upper(), c.raw.upper()))
    assert _depth(relabelled) == 1
    assert relabelled.en.startswith("“G0”, “G1”")
