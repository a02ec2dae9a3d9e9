"""Art. 72(2)(iv) findings on the grounds themselves: the ones the article names that were not
provided, and an intersection too large to compare."""

from __future__ import annotations

from ...core.findings import Finding, Status
from ...core.policy import Policy
from .. import words
from ..checks import ARTICLE, GROUND_NOT_PROVIDED, INTERSECTION_NOT_ASSESSED

__all__ = ["ARTICLE_72_4_GROUNDS", "ground_not_provided", "intersection_too_large"]

#: Grounds named in Art. 72(2)(iv) itself; each one not provided gives a NOT_ASSESSED finding.
ARTICLE_72_4_GROUNDS: tuple[str, ...] = ("race", "gender", "nationality", "ethnicity", "religion")


def ground_not_provided(ground: str) -> Finding:
    """NOT_ASSESSED finding for an Art. 72(2)(iv) ground with no data."""
    return Finding(
        check=GROUND_NOT_PROVIDED.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=words.msg_ground_not_provided(ground),
        ground=ground,
    )


def intersection_too_large(key: str, n_groups: int, policy: Policy) -> Finding:
    """NOT_ASSESSED finding for a full intersection with too many groups to compare."""
    return Finding(
        check=INTERSECTION_NOT_ASSESSED.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=words.msg_intersection_too_large(key, n_groups, policy.max_intersection_groups),
        ground=key,
        details={"groups": n_groups, "max_intersection_groups": policy.max_intersection_groups},
    )
