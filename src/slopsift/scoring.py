"""The scoring API: a calibrated quality score per text, with the reasons behind it.

``quality = P(the text is not low-quality generated content)``, calibrated on data the classifier
was not fitted on. A text is ``flagged`` when its quality falls below the operating point, a
threshold chosen so that a known share of held-out human texts (1% or 5%) would be flagged.

Reasons are found by occlusion: each signal that sits in the tail of the human reference
distribution is reset to the human median, and the rise in quality that this causes is that
signal's impact. The few signals with the largest impact are the reasons, each with its evidence.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from slopsift.bundle import ModelBundle, load_bundle
from slopsift.document import parse
from slopsift.features import EvidenceSpan, SignalsResult, feature_specs, signals_for_document

__all__ = ["Detector", "Label", "Reason", "Report", "score", "score_many"]

Label = Literal["ok", "low_quality", "insufficient_text", "unsupported_language"]

MAX_REASONS = 5
MIN_IMPACT = 0.01
"""A signal must move quality by at least this much to be named as a reason."""
TAIL = 90.0
"""Only signals beyond this human percentile (or below 100 - TAIL for higher-better ones) are
candidate reasons: a value ordinary among human texts explains nothing."""


@dataclass(frozen=True)
class Reason:
    """One signal that pushed the quality down."""

    signal: str
    value: float
    human_percentile: float
    impact: float
    direction: str
    definition: str
    evidence: list[EvidenceSpan] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = [asdict(e) for e in self.evidence]
        return d


@dataclass
class Report:
    """The verdict on one text."""

    quality: float
    flagged: bool
    label: Label
    reasons: list[Reason]
    signals: SignalsResult
    threshold: float
    model_version: str

    def to_dict(self, *, evidence: bool = True) -> dict[str, Any]:
        """JSON-ready. ``evidence=False`` drops the per-signal evidence (reasons keep theirs)."""
        sig = self.signals.to_dict()
        if not evidence:
            for fam in sig["families"].values():
                fam.pop("evidence", None)
        return {
            "quality": round(self.quality, 6),
            "flagged": self.flagged,
            "label": self.label,
            "threshold": round(self.threshold, 6),
            "reasons": [r.to_dict() for r in self.reasons],
            "signals": sig,
            "model_version": self.model_version,
        }


class Detector:
    """A loaded model and operating point; build once, call from any thread.

    ``model``: ``None`` for the bundled model, or a path to a bundle verified by its SHA-256.
    ``threshold``: an operating point stored in the bundle (``"fpr_0.05"``, ``"fpr_0.01"``) or a
    quality value in ``(0, 1)``; texts whose quality is below it are flagged.
    """

    def __init__(self, model: str | Path | ModelBundle | None = None, threshold: str | float = "fpr_0.05") -> None:
        self.bundle = model if isinstance(model, ModelBundle) else load_bundle(model)
        if isinstance(threshold, str):
            try:
                self.threshold = float(self.bundle.thresholds[threshold])
            except KeyError:
                known = ", ".join(sorted(self.bundle.thresholds))
                raise ValueError(f"unknown operating point {threshold!r}; this model has: {known}") from None
        else:
            t = float(threshold)
            if not 0.0 < t < 1.0:
                raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
            self.threshold = t
        self.model_version = str(self.bundle.metadata.get("model_version", "unknown"))
        specs = feature_specs()
        self._directions = [spec.direction for _, spec in specs]
        self._definitions = [spec.definition for _, spec in specs]
        self._names = [name for name, _ in specs]
        self._median = self.bundle.human_percentiles[:, 50].copy()

    def score(self, text: str) -> Report:
        """Score one text."""
        return self.score_batch([text])[0]

    def score_batch(self, texts: Sequence[str]) -> list[Report]:
        """Score texts in one process, one classifier call per batch."""
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] is {type(t).__name__}, expected str")
        results = [signals_for_document(parse(t)) for t in texts]
        if not results:
            return []
        x = np.vstack([r.vector() for r in results])
        quality = self.bundle.quality(x)
        return [self._report(r, x[i], float(quality[i])) for i, r in enumerate(results)]

    def _candidates(self, row: np.ndarray) -> list[tuple[int, float]]:
        out = []
        for j, v in enumerate(row):
            d = self._directions[j]
            if d == "neutral":
                continue
            pct = self.bundle.human_percentile(j, float(v))
            if (d == "higher_worse" and pct >= TAIL) or (d == "higher_better" and pct <= 100 - TAIL):
                out.append((j, pct))
        return out

    def _report(self, res: SignalsResult, row: np.ndarray, quality: float) -> Report:
        cands = self._candidates(row)
        reasons: list[Reason] = []
        if cands:
            occ = np.repeat(row[None, :], len(cands), axis=0)
            for k, (j, _) in enumerate(cands):
                occ[k, j] = self._median[j]
            impact = self.bundle.quality(occ) - quality
            order = np.argsort(-impact)
            ev = res.evidence()
            for k in order[:MAX_REASONS]:
                if impact[k] < MIN_IMPACT:
                    break
                j, pct = cands[k]
                name = self._names[j]
                reasons.append(
                    Reason(
                        signal=name,
                        value=float(row[j]),
                        human_percentile=pct,
                        impact=float(impact[k]),
                        direction=self._directions[j],
                        definition=self._definitions[j],
                        evidence=[e for e in ev if e.signal == name],
                    )
                )
        label: Label
        if res.gate != "ok":
            label, flagged = res.gate, False
        else:
            flagged = quality < self.threshold
            label = "low_quality" if flagged else "ok"
        return Report(quality, flagged, label, reasons, res, self.threshold, self.model_version)


_lock = threading.Lock()
_default: Detector | None = None


def _default_detector() -> Detector:
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Detector()
    return _default


def score(text: str) -> Report:
    """Score one text with the bundled model at its default operating point."""
    return _default_detector().score(text)


def _score_chunk(texts: list[str], model: str | None, threshold: str | float) -> list[Report]:
    det = _default_detector() if model is None and threshold == "fpr_0.05" else Detector(model, threshold)
    return det.score_batch(texts)


def score_many(
    texts: Iterable[str],
    *,
    n_jobs: int = 1,
    batch_size: int = 128,
    model: str | None = None,
    threshold: str | float = "fpr_0.05",
) -> list[Report]:
    """Score many texts; ``n_jobs > 1`` (or ``-1`` for all cores) uses worker processes."""
    items = list(texts)
    chunks = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    if n_jobs == 1 or len(chunks) <= 1:
        det = _default_detector() if model is None and threshold == "fpr_0.05" else Detector(model, threshold)
        return [r for c in chunks for r in det.score_batch(c)]
    from joblib import Parallel, delayed

    parts = Parallel(n_jobs=n_jobs)(delayed(_score_chunk)(c, model, threshold) for c in chunks)
    return [r for p in parts for r in p]
