"""The spellings of ``label`` that ``slopsift train`` / ``evaluate`` accept (any case).

Kept apart from :mod:`slopsift.training.train` so that the CLI can quote them in ``--help`` without
importing scikit-learn.
"""

from __future__ import annotations

__all__ = ["HUMAN_LABELS", "LABEL_SPELLINGS", "MACHINE_LABELS"]

MACHINE_LABELS = frozenset({"machine", "llm", "ai", "generated", "1", "true", "low_quality"})
HUMAN_LABELS = frozenset({"human", "0", "false", "ok"})
LABEL_SPELLINGS = (
    "human: " + ", ".join(sorted(HUMAN_LABELS)) + "; machine: " + ", ".join(sorted(MACHINE_LABELS))
)
"""For messages and ``--help``: 1 and true mean machine (low quality), as ``flagged`` does."""
