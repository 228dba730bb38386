"""The signal registry: documented features, evidence spans and the families that compute them.

A *family* is one module of pure functions from a parsed :class:`~slopsift.document.Document` to
feature values and evidence. Each feature declares its name, definition, unit and direction so
the CLI, the model card and moderators read the same documentation the code uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from slopsift.document import Document

__all__ = [
    "QUALITY_SIGN",
    "Direction",
    "Evidence",
    "Family",
    "FamilyOutput",
    "FeatureSpec",
    "get_family",
    "register",
    "registered",
]

Direction = Literal["higher_worse", "higher_better", "neutral"]
"""``higher_worse``: larger values point to low-quality or generated text; ``higher_better`` the
opposite; ``neutral``: informative in combination only (e.g. length)."""
QUALITY_SIGN: dict[Direction, int] = {"higher_better": 1, "higher_worse": -1, "neutral": 0}
"""The way a larger value of a signal may move quality: +1 up, -1 down, 0 no documented way."""


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Documentation of one feature. ``name`` is unique within its family."""

    name: str
    definition: str
    unit: str
    direction: Direction


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the *normalised* text that made ``signal`` (a feature name) fire."""

    start: int
    end: int
    signal: str
    note: str = ""


FamilyOutput = tuple[dict[str, float], list[Evidence]]


@dataclass(frozen=True)
class Family:
    """A signal family: its features, in the stable order used by the feature matrix."""

    name: str
    description: str
    complexity: str
    features: tuple[FeatureSpec, ...]
    compute: Callable[[Document], FamilyOutput]
    values: Callable[[Document], dict[str, float]] | None = None
    """``compute(doc)[0]`` found without building the evidence, for a family whose evidence costs
    much beside its values (what :meth:`row` calls when given); None: :meth:`row` calls ``compute``."""

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f"{self.name}.{f.name}" for f in self.features)

    def run(self, doc: Document) -> FamilyOutput:
        """Compute, then check the family kept its contract (every feature, finite values)."""
        values, evidence = self.compute(doc)
        return dict(zip(self._spec_names, self._checked(values), strict=True)), evidence

    def row(self, doc: Document) -> list[float]:
        """The values of :meth:`run` alone, in feature order (what ``extract_features`` stores), without
        building their dict, nor the evidence when the family offers ``values``)."""
        values = self.values
        return self._checked(self.compute(doc)[0] if values is None else values(doc))

    def row_floats(self, doc: Document) -> Iterator[float]:
        """:meth:`row` without its finiteness check, as an iterator: each value as a float, inf and nan
        kept. For a caller that clears the non-finite values of many rows at once (``extract_features``
        sets them to 0.0 over its whole matrix, in numpy): per family and document, the check costs
        about as much as reading the values."""
        values = self.values
        got = self.compute(doc)[0] if values is None else values(doc)
        return map(float, map(got.__getitem__, self._spec_names))

    @cached_property
    def _spec_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.features)

    def _checked(self, values: dict[str, float]) -> list[float]:
        """Every feature's value in feature order, as a float, 0.0 where not finite (a missing feature
        raises KeyError); the finiteness test runs in C."""
        row = list(map(float, map(values.__getitem__, self._spec_names)))
        if not all(map(math.isfinite, row)):
            row = [v if math.isfinite(v) else 0.0 for v in row]
        return row


_REGISTRY: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Add ``family`` to the registry (idempotent for the same object)."""
    names = [f.name for f in family.features]
    if len(set(names)) != len(names):
        raise ValueError(f"family {family.name!r} declares a feature twice")
    _REGISTRY[family.name] = family
    return family


def registered() -> dict[str, Family]:
    return dict(_REGISTRY)


def get_family(name: str) -> Family:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown signal family {name!r}; known: {', '.join(_REGISTRY)}") from None
