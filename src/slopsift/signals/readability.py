"""readability signals (placeholder until its module lands)."""

from __future__ import annotations

from slopsift.document import Document
from slopsift.signals.base import Family, FamilyOutput, FeatureSpec, register

FEATURES: tuple[FeatureSpec, ...] = ()


def compute(doc: Document) -> FamilyOutput:
    return {}, []


FAMILY = register(Family("readability", "", "O(n)", FEATURES, compute))
