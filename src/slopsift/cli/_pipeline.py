"""Streaming, parallel scoring of input records, in input order, in bounded memory.

Records are grouped into chunks; with ``jobs > 1`` chunks go to a process pool whose workers each
load the detector once (pool initializer) and at most ``2 * jobs`` chunks are in flight, so memory
does not grow with the input. Results come back in input order. A chunk that fails is rescored
one document at a time, so one bad document costs one error record, never a batch or the run.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from slopsift.inputs import InputRecord

if TYPE_CHECKING:
    from slopsift.scoring import Detector, Report

__all__ = [
    "Result",
    "ScoreConfig",
    "default_jobs",
    "load_detector",
    "score_records",
    "score_texts",
    "single_threaded_math",
]

DEFAULT_CHUNK = 64
MAX_POOL_RESTARTS = 3

Result = dict[str, Any]
"""A worker's verdict on one text: ``quality``, ``flagged``, ``label``, ``reasons`` (names) and,
with ``detail``, ``threshold``, ``model_version``, ``reason_details`` and ``signals``; or ``error``."""


@dataclass(frozen=True)
class ScoreConfig:
    model: str | None = None
    threshold: str | float = "fpr_0.05"
    detail: bool = False


def default_jobs() -> int:
    """The cores this process may use (affinity and cgroup-restricted where the OS says so)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_detector: Detector | None = None
_detector_key: tuple[str | None, str | float] | None = None


def load_detector(model: str | None, threshold: str | float) -> Detector:
    """The process-wide detector for this model and operating point (loaded once)."""
    global _detector, _detector_key
    key = (model, threshold)
    if _detector is None or _detector_key != key:
        from slopsift.scoring import Detector

        _detector = Detector(model, threshold)
        _detector_key = key
    return _detector


def single_threaded_math() -> None:
    """One BLAS/OpenMP thread per process: the classifier sees a few rows per call, where thread
    start-up costs more than it saves, and N workers x N threads would oversubscribe the cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on threadpoolctl
        return
    threadpool_limits(1)


def _init_worker(model: str | None, threshold: str | float) -> None:
    # The parent handles Ctrl-C and shuts the pool down; workers must not die mid-chunk with tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    single_threaded_math()
    load_detector(model, threshold)


def _result(rep: Report, detail: bool) -> Result:
    out: Result = {
        "quality": round(rep.quality, 6),
        "flagged": rep.flagged,
        "label": rep.label,
        "reasons": [r.signal for r in rep.reasons],
    }
    if detail:
        full = rep.to_dict()
        out["threshold"] = full["threshold"]
        out["model_version"] = full["model_version"]
        out["reason_details"] = full["reasons"]
        out["signals"] = full["signals"]
    return out


def score_texts(texts: list[str], detail: bool) -> list[Result]:
    """Score with the loaded detector; a failing batch is retried text by text."""
    det = _detector
    if det is None:
        raise RuntimeError("detector not loaded")
    try:
        return [_result(r, detail) for r in det.score_batch(texts)]
    except Exception:
        pass
    out: list[Result] = []
    for t in texts:
        try:
            out.append(_result(det.score(t), detail))
        except Exception as exc:
            out.append({"error": f"internal error while scoring: {type(exc).__name__}: {exc}"})
    return out


def _chunks(records: Iterable[InputRecord], size: int) -> Iterator[list[InputRecord]]:
    it = iter(records)
    while True:
        chunk = list(islice(it, size))
        if not chunk:
            return
        yield chunk


def _texts(chunk: list[InputRecord]) -> list[str]:
    return [r.text for r in chunk if r.error is None and r.text is not None]


def _merge(chunk: list[InputRecord], results: list[Result]) -> list[tuple[InputRecord, Result | None]]:
    it = iter(results)
    return [(r, None if (r.error is not None or r.text is None) else next(it)) for r in chunk]


def _failed(chunk: list[InputRecord], message: str) -> list[tuple[InputRecord, Result | None]]:
    return [(r, None if r.error is not None else {"error": message}) for r in chunk]


def score_records(
    records: Iterable[InputRecord], cfg: ScoreConfig, *, jobs: int = 1, chunk_size: int = DEFAULT_CHUNK
) -> Iterator[list[tuple[InputRecord, Result | None]]]:
    """Yield, chunk by chunk and in input order, each record with its result (``None`` for records
    that already carry an ``error``). The detector is loaded (and validated) before the first chunk."""
    load_detector(cfg.model, cfg.threshold)
    single_threaded_math()
    chunks = _chunks(records, max(1, chunk_size))
    head = list(islice(chunks, 2))
    if jobs <= 1 or len(head) < 2:  # small inputs: a pool costs more than it saves
        for chunk in chain(head, chunks):
            texts = _texts(chunk)
            yield _merge(chunk, score_texts(texts, cfg.detail) if texts else [])
        return
    yield from _parallel(chain(head, chunks), cfg, jobs)


def _parallel(
    chunks: Iterator[list[InputRecord]], cfg: ScoreConfig, jobs: int
) -> Iterator[list[tuple[InputRecord, Result | None]]]:
    def pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(cfg.model, cfg.threshold))

    def submit(ex: ProcessPoolExecutor, chunk: list[InputRecord]) -> Future[list[Result]] | None:
        texts = _texts(chunk)
        return ex.submit(score_texts, texts, cfg.detail) if texts else None

    ex = pool()
    restarts = 0
    pending: deque[tuple[list[InputRecord], Future[list[Result]] | None]] = deque()
    max_in_flight = 2 * jobs
    try:
        source = iter(chunks)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < max_in_flight:
                nxt = next(source, None)
                if nxt is None:
                    exhausted = True
                    break
                pending.append((nxt, submit(ex, nxt)))
            if not pending:
                break
            chunk, fut = pending.popleft()
            if fut is None:
                yield _merge(chunk, [])
                continue
            try:
                results = fut.result()
            except BrokenProcessPool:
                # A worker died (killed, out of memory): this chunk is reported, the rest resubmitted.
                restarts += 1
                if restarts > MAX_POOL_RESTARTS:
                    raise
                ex.shutdown(wait=False, cancel_futures=True)
                ex = pool()
                pending = deque((c, submit(ex, c)) for c, _ in pending)
                yield _failed(chunk, "worker process died while scoring this chunk")
                continue
            yield _merge(chunk, results)
    finally:
        ex.shutdown(wait=False, cancel_futures=True)
