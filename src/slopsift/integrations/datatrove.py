"""slopsift as a datatrove filter: score every document, annotate it, drop the flagged ones.

::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from slopsift.integrations.datatrove import SlopsiftFilter

    LocalPipelineExecutor(
        pipeline=[
            JsonlReader("data/in"),
            SlopsiftFilter(exclusion_writer=JsonlWriter("data/removed")),
            JsonlWriter("data/kept"),
        ],
        tasks=8,
    ).run()

Every document gets three metadata keys: ``slopsift_quality`` (float, the calibrated quality),
``slopsift_label`` (``ok``, ``low_quality``, ``insufficient_text``, ``unsupported_language``) and
``slopsift_reasons`` (the names of the signals that pushed the quality down, strongest first, the
same list ``slopsift score`` prints; details are one ``slopsift explain`` away, and a flat list of
strings keeps the metadata small and its schema fixed for columnar writers). Flagged documents
(quality below the operating point) are dropped with the strongest reason's signal name as
datatrove's filter reason, or ``low_quality`` when no single signal stands out (the score is low
but no signal alone moves it by ``slopsift.scoring.MIN_IMPACT``), so an ``exclusion_writer``
keeps what was dropped and why (``metadata["filter_reason"]``).

Gated texts (``insufficient_text``: under 80 prose words, words in links not counted;
``unsupported_language``: not English) are never flagged by slopsift, which has too little evidence
to judge them; by default they are kept and their label says why. ``keep_gated=False`` drops them
instead, with the label as the reason.

A document whose scoring raises (slopsift is tested against hostile input, so this is a bug, not
a verdict) is dropped with reason ``error`` and ``slopsift_error`` in its metadata, rather than
failing the task: datatrove reruns a failed task from its start, and a document that fails once
fails every time.

The detector (the loaded model) is created on first use in each worker process and shared by every
``SlopsiftFilter`` with the same model and operating point in that process; the filter itself holds
only the model path and the operating point, so it pickles small and each worker loads the model
once, not once per task. Documents are scored ``batch_size`` at a time through datatrove's own
``filter_batch`` mechanism (one classifier call per batch).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

try:
    from datatrove.data import Document
    from datatrove.pipeline.filters.base_filter import BaseFilter
    from datatrove.pipeline.writers.disk_base import DiskWriter
    from datatrove.utils.logging import logger
except ImportError as exc:  # pragma: no cover - exercised only without the extra installed
    raise ImportError(
        "slopsift.integrations.datatrove needs datatrove: pip install 'slopsift[datatrove]' "
        f"(import failed: {exc})"
    ) from exc

from slopsift.bundle import bundled_model_path, sidecar_path
from slopsift.scoring import Detector, Report, cached_detector

__all__ = ["DEFAULT_BATCH_SIZE", "METADATA_KEYS", "SlopsiftFilter"]

DEFAULT_BATCH_SIZE = 128
"""Documents per classifier call: the same default as :func:`slopsift.score_many`."""

METADATA_KEYS = ("slopsift_quality", "slopsift_label", "slopsift_reasons")
"""The keys every scored document gets in ``doc.metadata``."""

FilterResult = bool | tuple[bool, str]


def _check_threshold(model: str | None, threshold: str | float) -> None:
    """Fail at pipeline construction, not in every worker, on an operating point that cannot work.

    A float must lie in ``(0, 1)``; a name must be one the model's metadata sidecar lists (checked
    when the sidecar is readable here; otherwise the worker's model load reports the problem).
    """
    if not isinstance(threshold, str):
        if not 0.0 < float(threshold) < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
        return
    side = sidecar_path(bundled_model_path() if model is None else model)
    try:
        known = json.loads(side.read_text(encoding="utf-8"))["thresholds"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if isinstance(known, dict) and threshold not in known:
        names = ", ".join(sorted(known))
        raise ValueError(f"unknown operating point {threshold!r}; this model has: {names}")


class SlopsiftFilter(BaseFilter):  # type: ignore[misc]  # datatrove ships no type information
    """Drop documents slopsift flags; annotate every document with its quality, label and reasons.

    Args:
        threshold: operating point: ``"fpr_0.05"`` (default; 5% of held-out human texts would be
            flagged), ``"fpr_0.01"``, or a quality value in ``(0, 1)``.
        model: ``None`` for the bundled model, or the path of a model written by ``slopsift
            train`` (verified by its SHA-256 when loaded). The path must be readable by the workers.
        batch_size: documents per scoring call (one classifier call per batch).
        exclusion_writer: a datatrove writer that receives the dropped documents, with
            ``metadata["filter_reason"]`` and the slopsift keys.
        keep_gated: keep texts slopsift does not judge (``insufficient_text``,
            ``unsupported_language``); ``False`` drops them with the label as the reason.
    """

    name = "🧹 slopsift"

    def __init__(
        self,
        threshold: str | float = "fpr_0.05",
        model: str | Path | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        exclusion_writer: DiskWriter | None = None,
        keep_gated: bool = True,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size!r}")
        model_path = None if model is None else str(Path(model).expanduser().resolve())
        _check_threshold(model_path, threshold)
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        self.threshold = threshold
        self.model = model_path
        self.keep_gated = keep_gated

    @property
    def detector(self) -> Detector:
        """The detector of this process (created on first use, never pickled with the filter)."""
        return cached_detector(self.model, self.threshold)

    def filter(self, doc: Document) -> FilterResult:
        """Score one document: ``True`` to keep it, ``(False, reason)`` to drop it."""
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[FilterResult]:
        """Score a batch with one classifier call; annotate each document and decide its fate."""
        texts = [doc.text for doc in batch]
        det = self.detector
        try:
            reports: Sequence[Report | Exception] = det.score_batch(texts)
        except Exception:
            reports = [self._score_one(det, t) for t in texts]
        return [self._decide(doc, rep) for doc, rep in zip(batch, reports, strict=True)]

    @staticmethod
    def _score_one(det: Detector, text: str) -> Report | Exception:
        """One text on its own, after its batch failed: the failure stays with the document."""
        try:
            return det.score(text)
        except Exception as exc:
            return exc

    def _decide(self, doc: Document, rep: Report | Exception) -> FilterResult:
        meta: dict[str, Any] = doc.metadata
        if isinstance(rep, Exception):
            meta["slopsift_label"] = "error"
            meta["slopsift_error"] = f"{type(rep).__name__}: {rep}"
            self.stat_update("label_error")
            logger.warning(f"slopsift could not score document {doc.id!r}: {meta['slopsift_error']}")
            return False, "error"
        reasons = [r.signal for r in rep.reasons]
        meta["slopsift_quality"] = rep.quality
        meta["slopsift_label"] = rep.label
        meta["slopsift_reasons"] = reasons
        self.stat_update(f"label_{rep.label}")
        self.stat_update("quality", value=rep.quality)
        if rep.flagged:
            return False, reasons[0] if reasons else "low_quality"
        if rep.label != "ok" and not self.keep_gated:
            return False, rep.label
        return True
