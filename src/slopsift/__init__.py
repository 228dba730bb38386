"""slopsift: detect low-quality and machine-generated web text, with the evidence behind each score.

Quick use::

    import slopsift
    report = slopsift.score(text)            # calibrated quality, flag, reasons with evidence
    result = slopsift.signals(text)          # every signal family, with evidence spans
    X = slopsift.extract_features(texts)     # numpy matrix in a stable, versioned order
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slopsift._version import __version__
from slopsift.document import Document, parse
from slopsift.features import (
    FEATURE_SCHEMA_VERSION,
    EvidenceSpan,
    SignalsResult,
    extract_features,
    feature_names,
    feature_specs,
    signals,
)
from slopsift.scoring import Detector, Reason, Report, score, score_many

if TYPE_CHECKING:
    from slopsift.sklearn import SlopFeatures

__all__ = [
    "FEATURE_SCHEMA_VERSION",
    "Detector",
    "Document",
    "EvidenceSpan",
    "Reason",
    "Report",
    "SignalsResult",
    "SlopFeatures",
    "__version__",
    "extract_features",
    "feature_names",
    "feature_specs",
    "parse",
    "score",
    "score_many",
    "signals",
]


def __getattr__(name: str) -> Any:
    # scikit-learn is imported only when the transformer is asked for: keeps `import slopsift` fast.
    if name == "SlopFeatures":
        from slopsift.sklearn import SlopFeatures

        return SlopFeatures
    raise AttributeError(f"module 'slopsift' has no attribute {name!r}")
