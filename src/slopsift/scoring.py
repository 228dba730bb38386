"""The scoring API: a calibrated quality score per text, with the reasons behind it.

``quality = P(the text is not low-quality generated content)``, calibrated on data the classifier
was not fitted on. A text is ``flagged`` when its quality falls below the operating point, a
threshold chosen so that a known share of held-out human texts (1% or 5%) would be flagged.

Reasons are found by occlusion: each signal that sits in the tail of the human reference
distribution is reset to the human median, and the rise in quality that this causes, measured in
log-odds (which, unlike probability, does not saturate when many signals agree), is that signal's
impact. The few signals with the largest impact are the reasons, each with its evidence.

Speed: the classifier is the bundle's compiled forest (numpy only: scikit-learn is never imported
to score). A batch costs one classifier call for all its texts *and* all their occlusion rows (a
call has a fixed overhead above its per-row cost, and rows are scored independently, so the values
are the same as one call per text), and human percentiles are looked up for the whole batch with
one vectorised comparison against the percentile grid.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from slopsift.bundle import PERCENTILES, ModelBundle, load_bundle
from slopsift.document import parse
from slopsift.features import EvidenceSpan, SignalsResult, feature_specs, signals_for_document

__all__ = ["Detector", "Label", "Reason", "Report", "cached_detector", "score", "score_many"]

Label = Literal["ok", "low_quality", "insufficient_text", "unsupported_language"]

MAX_REASONS = 5
MIN_IMPACT = 0.05
"""A signal must move the log-odds of quality by at least this much to be named as a reason."""
TAIL = 90.0
"""Only signals beyond this human percentile (or below 100 - TAIL for higher-better ones) are
candidate reasons: a value ordinary among human texts explains nothing."""


@dataclass(frozen=True)
class Reason:
    """One signal that pushed the quality down."""

    signal: str
    value: float
    human_percentile: float
    impact: float  # log-odds of quality gained if this signal were at the human median
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

    def __init__(
        self, model: str | Path | ModelBundle | None = None, threshold: str | float = "fpr_0.05"
    ) -> None:
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
        grid = np.asarray(self.bundle.human_percentiles, dtype=np.float64)
        # For a non-decreasing grid, searchsorted left/right = how many grid values are < / <= v,
        # which numpy computes for a whole batch at once; any other grid takes the exact slow path.
        self._grid = grid if bool(np.all(np.diff(grid, axis=1) >= 0)) else None
        self._worse = np.array([d == "higher_worse" for d in self._directions])
        self._better = np.array([d == "higher_better" for d in self._directions])

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
        cands = self._batch_candidates(x)
        # One classifier call: the rows themselves, then each row's occlusions (candidate signal j
        # set to the human median), in order.
        blocks = [x]
        for i, c in enumerate(cands):
            if c:
                occ = np.repeat(x[i][None, :], len(c), axis=0)
                for k, (j, _) in enumerate(c):
                    occ[k, j] = self._median[j]
                blocks.append(occ)
        q_all = self._quality(np.vstack(blocks) if len(blocks) > 1 else x)
        quality = q_all[: len(results)]
        reports = []
        pos = len(results)
        for i, r in enumerate(results):
            n_c = len(cands[i])
            reports.append(self._report(r, x[i], float(quality[i]), cands[i], q_all[pos : pos + n_c]))
            pos += n_c
        return reports

    def _quality(self, x: np.ndarray) -> np.ndarray:
        """``bundle.quality(x)``: the compiled forest (numpy only), for any number of rows."""
        return self.bundle.quality(x)

    def _percentiles(self, x: np.ndarray) -> np.ndarray:
        """``bundle.human_percentile(j, x[i, j])`` for every cell of ``x``, as an array."""
        if self._grid is None:
            return np.array(
                [[self.bundle.human_percentile(j, float(v)) for j, v in enumerate(row)] for row in x]
            ).reshape(x.shape)
        lo = (self._grid[None, :, :] < x[:, :, None]).sum(axis=2)
        hi = (self._grid[None, :, :] <= x[:, :, None]).sum(axis=2)
        idx = np.where(hi > lo, (lo + hi) // 2, lo)
        return np.asarray(PERCENTILES[np.minimum(100, idx)], dtype=np.float64)

    def _batch_candidates(self, x: np.ndarray) -> list[list[tuple[int, float]]]:
        """Per row: ``(feature index, human percentile)`` of the signals in the human tail."""
        pct = self._percentiles(x)
        tail = (self._worse[None, :] & (pct >= TAIL)) | (self._better[None, :] & (pct <= 100 - TAIL))
        return [[(int(j), float(pct[i, j])) for j in np.flatnonzero(tail[i])] for i in range(len(x))]

    def _candidates(self, row: np.ndarray) -> list[tuple[int, float]]:
        return self._batch_candidates(row[None, :])[0]

    def _report(
        self,
        res: SignalsResult,
        row: np.ndarray,
        quality: float,
        cands: list[tuple[int, float]],
        occluded_quality: np.ndarray,
    ) -> Report:
        reasons: list[Reason] = []
        if cands and res.gate == "ok":  # gated texts are not judged, so nothing is a reason
            impact = _logit(occluded_quality) - _logit(np.array([quality]))
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


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(np.log(q / (1 - q)))


_lock = threading.Lock()
_detectors: dict[tuple[Any, ...], Detector] = {}


def _model_key(model: str | Path | None) -> tuple[Any, ...] | None:
    """How a model is told apart in the cache: the bundled one, or a file by path, size and mtime
    (so a file replaced at the same path is loaded anew); ``None`` if the file cannot be read."""
    if model is None:
        return ()
    try:
        st = Path(model).stat()
    except OSError:
        return None
    return (str(Path(model).resolve()), st.st_size, st.st_mtime_ns)


def cached_detector(model: str | Path | None = None, threshold: str | float = "fpr_0.05") -> Detector:
    """This process's detector for ``(model, threshold)``, loaded on first use and shared after.

    ``score``, ``score_many`` and the engine integrations (Spark workers, datatrove tasks) all go
    through here, so a process loads and verifies each model once, not once per call or batch.
    """
    model_key = _model_key(model)
    if model_key is None:  # unreadable: let Detector raise its usual, clear error
        return Detector(model, threshold)
    key = (*model_key, threshold)
    det = _detectors.get(key)
    if det is None:
        with _lock:
            det = _detectors.get(key)
            if det is None:
                det = _detectors[key] = Detector(model, threshold)
    return det


def score(text: str) -> Report:
    """Score one text with the bundled model at its default operating point."""
    return cached_detector().score(text)


def _score_chunk(texts: list[str], model: str | None, threshold: str | float) -> list[Report]:
    return cached_detector(model, threshold).score_batch(texts)


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
        det = cached_detector(model, threshold)
        return [r for c in chunks for r in det.score_batch(c)]
    from joblib import Parallel, delayed

    parts = Parallel(n_jobs=n_jobs)(delayed(_score_chunk)(c, model, threshold) for c in chunks)
    return [r for p in parts for r in p]
