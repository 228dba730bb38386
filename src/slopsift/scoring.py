"""The scoring API: a calibrated quality score per text, with the reasons behind it.

``quality = P(the text is not low-quality generated content)``, calibrated on data the classifier
was not fitted on. A text is ``flagged`` when its quality falls below the operating point, a
threshold chosen so that a known share of held-out human texts (1% or 5%) would be flagged.

Reasons are found by occlusion: each signal that sits in the tail of the human reference
distribution is reset to the human median, and the rise in quality that this causes, measured in
log-odds (which, unlike probability, does not saturate when many signals agree), is that signal's
impact. The few signals with the largest impact are the reasons, each with its evidence.

Speed: the classifier is the bundle's compiled forest (numpy only: scikit-learn is never imported
to score). A batch costs one classifier call for all its texts *and* their occlusion rows (a call
has a fixed overhead above its per-row cost, and rows are scored independently, so the values are
the same as one call per text). An occlusion that moves no split of the forest (the signal's value
and the human median lie between the same thresholds: ``CompiledForest.splits_agree``) would score
exactly as its text does, so it is not evaluated (about 60% of them on the bench corpus). Human
percentiles are looked up only for the cells that can be in the tail (one comparison per cell with
the grid's tail edge), all with one binary search (``SortedCounts``).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import chain
from numbers import Real
from pathlib import Path
from typing import Any, Literal

import numpy as np

from slopsift.bundle import PERCENTILES, ModelBundle, SortedCounts, load_bundle
from slopsift.document import parse
from slopsift.features import (
    EvidenceSpan,
    SignalsResult,
    batches,
    checked_texts,
    feature_specs,
    in_one_process,
    in_workers,
    signals_for_document,
)
from slopsift.signals import families

__all__ = ["Detector", "Label", "ModelSource", "Reason", "Report", "cached_detector", "score", "score_many"]

Label = Literal["ok", "low_quality", "insufficient_text", "unsupported_language"]

ModelSource = str | Path | ModelBundle | None
"""What names a model: ``None`` (the bundled one), a bundle's path, or a loaded bundle."""

MAX_REASONS = 8
"""Reasons named per report: the ten families' strongest, enough that a text with structure, boilerplate,
debris and phrasing all pushing it down is shown all four."""
MAX_REASONS_PER_FAMILY = 2
"""Reasons of one family beyond this many repeat its evidence ('In conclusion' is both a boilerplate rate
and a boilerplate sentence share) and push the other families' out of the list."""
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
    """The verdict on one text.

    ``label`` ``ok``/``low_quality``: ``quality`` is the calibrated P(not low-quality generated
    content) and ``flagged`` is ``quality < threshold``. A gated label (``insufficient_text``: under
    80 prose words, i.e. words outside links (:func:`slopsift.features.gate`), or more words in links
    than not, the empty or whitespace-only text included; ``unsupported_language``) is not judged:
    ``flagged`` is always ``False`` and ``reasons`` empty, and ``quality``, kept a float so the type
    does not depend on the label, is only the English model's output on a text it was not made for
    (0.93 for ``""``): shown for reference, not a probability. Filter on ``flagged``, or on
    ``label == "ok"`` before comparing ``quality`` with a threshold of your own.

    ``reasons``: the signals in the human tail whose reset to the human median raises the log-odds
    of quality by at least :data:`MIN_IMPACT`, strongest first, at most
    :data:`MAX_REASONS_PER_FAMILY` per family and :data:`MAX_REASONS` in all.
    """

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

    ``model``: ``None`` for the bundled model, a path to a bundle verified by its SHA-256, or a
    loaded :class:`~slopsift.bundle.ModelBundle`.
    ``threshold``: an operating point stored in the bundle (``"fpr_0.05"``, ``"fpr_0.01"``) or a
    quality value in ``(0, 1)``; texts whose quality is below it are flagged.
    """

    def __init__(self, model: ModelSource = None, threshold: str | float = "fpr_0.05") -> None:
        self.bundle = model if isinstance(model, ModelBundle) else load_bundle(model)
        known = ", ".join(sorted(self.bundle.thresholds))
        if isinstance(threshold, str):
            try:
                self.threshold = float(self.bundle.thresholds[threshold])
            except KeyError:
                raise ValueError(f"unknown operating point {threshold!r}; this model has: {known}") from None
        elif not isinstance(threshold, Real):
            # Said here: float() would name its own argument, not the threshold.
            raise TypeError(
                f"threshold must be an operating-point name ({known}) or a float in (0, 1), got {threshold!r}"
            )
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
        self._families = [fam.name for fam in families() for _ in fam.features]
        # Evidence of signal "family.feature" sits in its family's list; with a dot in a family
        # name another family's spans could carry the same name, so every list is searched then.
        self._own_lists = not any("." in f for f in self._families)
        self._median = self.bundle.human_percentiles[:, 50].copy()
        self._worse = np.array([d == "higher_worse" for d in self._directions])
        self._better = np.array([d == "higher_better" for d in self._directions])
        grid = np.asarray(self.bundle.human_percentiles, dtype=np.float64)
        # For a non-decreasing grid, searchsorted left/right = how many grid values are < / <= v,
        # which SortedCounts gives for many cells at once; any other grid takes the exact slow path.
        ordered = bool(np.all(np.diff(grid, axis=1) >= 0))
        self._counts = SortedCounts(list(grid)) if ordered else None
        # A necessary condition for the tail, by one comparison per cell. Percentile index
        # idx = lo, or (lo + hi) // 2 on ties, lies in [lo, hi] (lo/hi: grid values < / <= v), and
        # PERCENTILES[idx] = idx. So idx >= TAIL needs hi >= ceil(TAIL), i.e. v >= grid[ceil(TAIL)-1],
        # and idx <= 100 - TAIL needs lo <= floor(100 - TAIL), i.e. not v > grid[floor(100 - TAIL)]
        # (NaN passes: its percentile is 0). Past the grid's end, +inf lets every cell through.
        up, low = math.ceil(TAIL) - 1, math.floor(100 - TAIL)
        beyond = np.full(len(grid), np.inf)
        self._upper = grid[:, up].copy() if up < grid.shape[1] else beyond
        self._lower = grid[:, low].copy() if low < grid.shape[1] else beyond

    def score(self, text: str) -> Report:
        """Score one text."""
        if not isinstance(text, str):  # checked here, so the error names ``text``, not ``texts[0]``
            raise TypeError(f"text must be str, got {type(text).__name__}")
        return self.score_batch([text])[0]

    def score_many(self, texts: Iterable[str], *, n_jobs: int = 1, batch_size: int = 128) -> list[Report]:
        """Score many texts with this detector, as :func:`score_many` does; ``n_jobs > 1`` sends the
        detector itself to the worker processes (nothing is loaded there)."""
        chunks = batches(texts, n_jobs, batch_size)
        if in_one_process(n_jobs, chunks):
            return _in_process(self, chunks)
        return _in_workers(self.score_batch, chunks, n_jobs)

    def score_batch(self, texts: Sequence[str]) -> list[Report]:
        """Score texts in one process, one classifier call per batch."""
        results = [signals_for_document(parse(t)) for t in checked_texts(texts)]
        if not results:
            return []
        n = len(results)
        x = np.fromiter(_values(results), dtype=np.float64, count=n * len(self._names)).reshape(n, -1)
        # Candidates (text i, signal j, percentile), text by text in feature order. Gated texts are
        # not judged, so nothing of theirs is a reason.
        judged = np.array([r.gate == "ok" for r in results])
        rows, cols, pct = self._tail_cells(x, judged)
        quality, impact = self._occlude(x, rows, cols)
        bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
        # Only texts with an impact not below MIN_IMPACT can have reasons.
        maybe = set(rows[~(impact < MIN_IMPACT)].tolist())
        q_list = quality.tolist()
        reports = []
        for i, r in enumerate(results):
            reasons: list[Reason] = []
            if i in maybe:
                a, b = bounds[i], bounds[i + 1]
                reasons = self._reasons(r, x[i], cols[a:b], pct[a:b], impact[a:b])
            reports.append(self._report(r, q_list[i], reasons))
        return reports

    def _quality(self, x: np.ndarray) -> np.ndarray:
        """``bundle.quality(x)``: the compiled forest (numpy only), for any number of rows."""
        return self.bundle.quality(x)

    def _occlude(self, x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The quality of every row of ``x``, and the impact (log-odds of quality gained) of setting
        each candidate cell ``x[rows[k], cols[k]]`` to the human median, in one classifier call."""
        if not len(rows):
            return self._quality(x), np.empty(0)
        n = len(x)
        # An occlusion that moves no split of the forest scores exactly as its row does: only the
        # others are evaluated, after the rows themselves.
        med = self._median[cols]
        same = self.bundle.forest.splits_agree(cols, x[rows, cols], med)
        moved = ~same
        occ = x[rows[moved]]
        occ[np.arange(len(occ)), cols[moved]] = med[moved]
        q_all = self._quality(np.concatenate([x, occ]))
        quality = q_all[:n]
        # The rows' qualities, then each candidate's occluded one: logits elementwise, so the
        # floats one text alone would get.
        both = np.empty(n + len(rows), dtype=np.float64)
        both[:n] = quality
        both[n:][same] = quality[rows[same]]
        both[n:][moved] = q_all[n:]
        logit = _logit(both)
        return quality, logit[n:] - logit[:n][rows]

    def _tail_cells(
        self, x: np.ndarray, judged: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rows, features, human percentiles)`` of the cells of ``x`` in the human tail, row by
        row in feature order (only in the ``judged`` rows, if given)."""
        if self._counts is None:  # slow path: one exact lookup per cell
            every = np.array(
                [[self.bundle.human_percentile(j, float(v)) for j, v in enumerate(row)] for row in x]
            ).reshape(x.shape)
            tail = self._tail(every, np.arange(x.shape[1]))
            if judged is not None:
                tail &= judged[:, None]
            rows, cols = np.nonzero(tail)
            return rows, cols, every[rows, cols]
        maybe = (self._worse & (x >= self._upper)) | (self._better & ~(x > self._lower))
        if judged is not None:
            maybe &= judged[:, None]
        rows, cols = np.nonzero(maybe)
        lo, hi = self._counts.counts(x[rows, cols], cols)
        idx = np.where(hi > lo, (lo + hi) // 2, lo)
        pct = np.asarray(PERCENTILES[np.minimum(100, idx)], dtype=np.float64)
        keep = self._tail(pct, cols)
        return rows[keep], cols[keep], pct[keep]

    def _tail(self, pct: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether a percentile of signal ``cols`` is in the human tail (a candidate reason)."""
        return np.asarray((self._worse[cols] & (pct >= TAIL)) | (self._better[cols] & (pct <= 100 - TAIL)))

    def _batch_candidates(self, x: np.ndarray) -> list[list[tuple[int, float]]]:
        """Per row: ``(feature index, human percentile)`` of the signals in the human tail."""
        out: list[list[tuple[int, float]]] = [[] for _ in range(len(x))]
        for i, j, p in zip(*(a.tolist() for a in self._tail_cells(x)), strict=True):
            out[i].append((j, p))
        return out

    def _reasons(
        self, res: SignalsResult, row: np.ndarray, cols: np.ndarray, pct: np.ndarray, impact: np.ndarray
    ) -> list[Reason]:
        """The candidates (``cols``: feature indices, with percentiles and impacts) with the
        largest impact, at most MAX_REASONS and MAX_REASONS_PER_FAMILY per family, each at least
        MIN_IMPACT."""
        reasons: list[Reason] = []
        per_family: Counter[str] = Counter()
        for k in np.argsort(-impact).tolist():
            if impact[k] < MIN_IMPACT or len(reasons) == MAX_REASONS:
                break
            j = int(cols[k])
            if per_family[self._families[j]] == MAX_REASONS_PER_FAMILY:
                continue
            per_family[self._families[j]] += 1
            name = self._names[j]
            if self._own_lists:
                spans = res.families[self._families[j]].evidence_for(name)
            else:
                spans = [e for e in res.evidence() if e.signal == name]
            reasons.append(
                Reason(
                    signal=name,
                    value=float(row[j]),
                    human_percentile=float(pct[k]),
                    impact=float(impact[k]),
                    direction=self._directions[j],
                    definition=self._definitions[j],
                    evidence=spans,
                )
            )
        return reasons

    def _report(self, res: SignalsResult, quality: float, reasons: list[Reason]) -> Report:
        label: Label
        if res.gate != "ok":
            label, flagged = res.gate, False
        else:
            flagged = quality < self.threshold
            label = "low_quality" if flagged else "ok"
        return Report(quality, flagged, label, reasons, res, self.threshold, self.model_version)


def _values(results: Sequence[SignalsResult]) -> Iterator[float]:
    """Every result's ``vector()``, one after the other: each family's values in schema order."""
    return chain.from_iterable(fs.values.values() for r in results for fs in r.families.values())


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


def cached_detector(model: ModelSource = None, threshold: str | float = "fpr_0.05") -> Detector:
    """This process's detector for ``(model, threshold)``, loaded on first use and shared after.

    ``score``, ``score_many`` and the engine integrations (Spark workers, datatrove tasks) all go
    through here, so a process loads and verifies each model once, not once per call or batch.
    A loaded :class:`~slopsift.bundle.ModelBundle` is already in memory: its detector is built
    anew (cheap: nothing is read), not cached.
    """
    if isinstance(model, ModelBundle):
        return Detector(model, threshold)
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


def _score_chunk(texts: list[str], model: str | Path | None, threshold: str | float) -> list[Report]:
    return cached_detector(model, threshold).score_batch(texts)


def score_many(
    texts: Iterable[str],
    *,
    n_jobs: int = 1,
    batch_size: int = 128,
    model: ModelSource = None,
    threshold: str | float = "fpr_0.05",
) -> list[Report]:
    """Score many texts; ``n_jobs > 1`` (or ``-1`` for all cores) uses worker processes.

    ``model`` and ``threshold`` are what :class:`Detector` takes. A loaded bundle is scored with
    :meth:`Detector.score_many`, which sends its detector to the workers once per chunk; a path is
    loaded (and verified) once per worker instead."""
    if isinstance(model, ModelBundle):
        return Detector(model, threshold).score_many(texts, n_jobs=n_jobs, batch_size=batch_size)
    chunks = batches(texts, n_jobs, batch_size)
    if in_one_process(n_jobs, chunks):
        return _in_process(cached_detector(model, threshold), chunks)
    return _in_workers(partial(_score_chunk, model=model, threshold=threshold), chunks, n_jobs)


def _in_process(det: Detector, chunks: list[list[str]]) -> list[Report]:
    """Every chunk scored by ``det`` in this process, in order: the one-process path of both
    ``score_many``s (their worker paths differ in how a worker gets its detector)."""
    return [r for c in chunks for r in det.score_batch(c)]


def _in_workers(
    score: Callable[[list[str]], list[Report]], chunks: list[list[str]], n_jobs: int
) -> list[Report]:
    """``score`` of every chunk, in ``n_jobs`` worker processes, in order."""
    return [r for part in in_workers(score, chunks, n_jobs) for r in part]
