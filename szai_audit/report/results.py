"""What the report reads of an audit's result: everything each article's page part reads, and
the summary, the system card, the notice and the manifest.

The report depends on this description, not on :class:`szai_audit.AuditResult` (which has all
of it): the result renders itself through the report, and the report never imports the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..core.messages import Message
from ..explain.page import Results as ExplanationResults
from ..fairness.page import Results as FairnessResults
from ..pricing.page import Results as PricingResults
from ..privacy.page import Results as PrivacyResults
from ..risk.page import Results as RiskResults

__all__ = ["Results"]


class Results(
    FairnessResults, PricingResults, ExplanationResults, PrivacyResults, RiskResults, Protocol
):
    """An audit's result, as the report reads it."""

    @property
    def metadata(self) -> Mapping[str, Any]: ...
    @property
    def manifest(self) -> Mapping[str, Any]: ...
    @property
    def status_counts(self) -> dict[str, int]: ...
    @property
    def verdict(self) -> str: ...
    @property
    def verdict_message(self) -> Message: ...
    @property
    def content_sha256(self) -> str: ...
    @property
    def unlabelled_note(self) -> Message | None: ...
    def notice_sections(self) -> list[tuple[Message, list[Message]]]: ...
