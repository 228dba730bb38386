"""Signal families. Importing this package registers every family in its fixed order."""

from __future__ import annotations

from slopsift.signals import (  # noqa: F401  (imported for registration)
    artifacts,
    headings,
    hedging,
    inconsistency,
    phrasing,
    readability,
    repetition,
    style,
    usage,
    vocabulary,
)
from slopsift.signals.base import Evidence, Family, FeatureSpec, get_family, registered

FAMILY_ORDER = (
    "repetition",
    "headings",
    "hedging",
    "inconsistency",
    "artifacts",
    "readability",
    "style",
    "vocabulary",
    "usage",
    "phrasing",
)
"""The order of families in the feature matrix. Append only; never reorder."""

__all__ = ["FAMILY_ORDER", "Evidence", "Family", "FeatureSpec", "families", "get_family"]


def families() -> tuple[Family, ...]:
    reg = registered()
    return tuple(reg[name] for name in FAMILY_ORDER)
