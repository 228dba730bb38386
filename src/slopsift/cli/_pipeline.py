"""Streaming, parallel scoring of input records, in input order, in bounded memory.

Records are grouped into chunks; with ``jobs > 1`` chunks go to a process pool whose workers each
load the detector once (pool initializer) and at most ``2 * jobs`` chunks are in flight, so memory
does not grow with the input. Results come back in input order. A chunk that fails is rescored
one document at a time, so one bad document costs one error record, never a batch or the run.

Input that can keep the reader waiting (a pipe or a terminal on standard input: ``live``) is read
ahead by a thread, so that waiting for input never holds back a result that is ready: a chunk is
what has arrived (up to the chunk size), and each is given as soon as it is scored. ``tail -f
x.jsonl | slopsift score`` writes each line's row before the next line comes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, Final, Protocol

from slopsift.inputs import InputRecord

if TYPE_CHECKING:
    from slopsift.scoring import Detector, Report

__all__ = [
    "Result",
    "ScoreConfig",
    "default_jobs",
    "deferred_sigint",
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


@contextlib.contextmanager
def deferred_sigint() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) for the block and raise it after: while a chunk of output is written, and
    while a worker process may be forked, where it would be lost (raised in the fork's after-fork
    hooks, it is printed as ignored, and the run goes on: with endless input, for ever)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    hit: list[int] = []
    old = signal.signal(signal.SIGINT, lambda *_: hit.append(1))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if hit:
            raise KeyboardInterrupt


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


class _Later:
    """What a source gives when no chunk is ready yet, or when it was woken: a result is ready."""


LATER: Final = _Later()

Chunk = list[InputRecord]


class _Source(Protocol):
    def get(self, wait: bool) -> Chunk | _Later | None:
        """The next chunk, ``None`` at the end, or :data:`LATER` when ``wait`` is false and none
        is ready (or, with ``wait``, when :meth:`wake` was called)."""

    def wake(self, _: object = None) -> None:
        """Make a waiting :meth:`get` return: a result is ready to be given."""

    def close(self) -> None:
        """Stop reading ahead."""


class _Chunks:
    """The chunks of records read as they are asked for: a chunk is always ready (files)."""

    def __init__(self, records: Iterable[InputRecord], size: int) -> None:
        self._chunks = _chunks(records, size)

    def get(self, wait: bool) -> Chunk | _Later | None:
        return next(self._chunks, None)

    def wake(self, _: object = None) -> None:
        pass

    def close(self) -> None:
        pass


class _Ahead:
    """Records read ahead by a daemon thread (at most two chunks' worth waiting: enough for a second
    chunk to be ready when the first is taken, as a pool needs), for input that can keep
    the reader waiting: a chunk is the records that have arrived, up to ``size``, so that a record
    is scored when it comes, and the scoring loop can ask whether one is ready without waiting.
    A failure of the reader is raised by :meth:`get`, after the records read before it."""

    def __init__(self, records: Iterable[InputRecord], size: int) -> None:
        self._size = size
        self._cond = threading.Condition()
        self._items: deque[InputRecord] = deque()
        self._end = False
        self._error: BaseException | None = None
        self._woken = False
        self._closed = False
        reader = threading.Thread(target=self._read, args=(records,), name="slopsift-reader", daemon=True)
        reader.start()

    def _read(self, records: Iterable[InputRecord]) -> None:
        try:
            for r in records:
                with self._cond:
                    while len(self._items) >= 2 * self._size and not self._closed:
                        self._cond.wait()
                    if self._closed:
                        return
                    self._items.append(r)
                    self._cond.notify_all()
        except BaseException as exc:  # given to the scoring loop, which raises it
            self._error = exc
        finally:
            with self._cond:
                self._end = True
                self._cond.notify_all()

    def get(self, wait: bool) -> Chunk | _Later | None:
        with self._cond:
            while wait and not (self._items or self._end or self._woken):
                self._cond.wait()
            self._woken = False
            if not self._items:
                if not self._end:
                    return LATER
                if self._error is not None:
                    raise self._error
                return None
            chunk = [self._items.popleft() for _ in range(min(self._size, len(self._items)))]
            self._cond.notify_all()
            return chunk

    def wake(self, _: object = None) -> None:
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def _texts(chunk: list[InputRecord]) -> list[str]:
    return [r.text for r in chunk if r.error is None and r.text is not None]


def _merge(chunk: list[InputRecord], results: list[Result]) -> list[tuple[InputRecord, Result | None]]:
    it = iter(results)
    return [(r, None if (r.error is not None or r.text is None) else next(it)) for r in chunk]


def _failed(chunk: list[InputRecord], message: str) -> list[tuple[InputRecord, Result | None]]:
    return [(r, None if r.error is not None else {"error": message}) for r in chunk]


def score_records(
    records: Iterable[InputRecord],
    cfg: ScoreConfig,
    *,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    live: bool = False,
) -> Iterator[list[tuple[InputRecord, Result | None]]]:
    """Yield, chunk by chunk and in input order, each record with its result (``None`` for records
    that already carry an ``error``). The detector is loaded (and validated) before the first chunk.
    ``live``: the records come from input that can keep the reader waiting (see the module's
    docstring); the pool is then started when a second chunk is ready while the first is."""
    load_detector(cfg.model, cfg.threshold)
    single_threaded_math()
    size = max(1, chunk_size)
    source: _Source = _Ahead(records, size) if live else _Chunks(records, size)
    try:
        while (first := source.get(wait=True)) is not None:
            if isinstance(first, _Later):
                continue
            second = source.get(wait=False) if jobs > 1 else LATER
            if isinstance(second, list):  # small inputs: a pool costs more than it saves
                yield from _parallel(source, [first, second], cfg, jobs)
                return
            texts = _texts(first)
            yield _merge(first, score_texts(texts, cfg.detail) if texts else [])
            if second is None:
                return
    finally:
        source.close()


def _parallel(
    source: _Source, head: list[Chunk], cfg: ScoreConfig, jobs: int
) -> Iterator[list[tuple[InputRecord, Result | None]]]:
    """The chunks ``head``, then those of ``source``, scored by a pool; waits for input only while
    no result is ready to be given (a live source is woken when one is)."""

    def pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(cfg.model, cfg.threshold))

    def submit(ex: ProcessPoolExecutor, chunk: list[InputRecord]) -> Future[list[Result]] | None:
        texts = _texts(chunk)
        if not texts:
            return None
        with deferred_sigint():  # (submit forks a worker while the pool has fewer than jobs)
            fut = ex.submit(score_texts, texts, cfg.detail)
        fut.add_done_callback(source.wake)
        return fut

    ex = pool()
    restarts = 0
    pending: deque[tuple[list[InputRecord], Future[list[Result]] | None]] = deque()
    max_in_flight = 2 * jobs
    queued = deque(head)
    finished = False
    try:
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < max_in_flight:
                if queued:
                    nxt: Chunk | _Later | None = queued.popleft()
                else:
                    ready = bool(pending) and (pending[0][1] is None or pending[0][1].done())
                    nxt = source.get(wait=not ready)
                if isinstance(nxt, _Later):
                    break
                if nxt is None:
                    exhausted = True
                    break
                pending.append((nxt, submit(ex, nxt)))
            if not pending:
                continue
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
        finished = True
    finally:
        # Done, the pool is waited for: its workers are idle, and shut down without waiting its manager
        # thread can still be closing its wake-up pipe when the interpreter exits, which CPython before
        # 3.12.8 reports as "Exception ignored ... Bad file descriptor" (gh-125451). Stopped early
        # (an error, Ctrl-C, the reader gone), it is not waited for: queued work is dropped.
        ex.shutdown(wait=finished, cancel_futures=not finished)
