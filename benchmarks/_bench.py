"""Shared helpers for the benchmark scripts: one-core pinning, the corpus, timers, the model.

Import this module first in a benchmark script: it limits the process (and any OpenMP/BLAS
thread pool started later) to one thread before numpy or scikit-learn are imported.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

# One core: worker pools (OpenMP in scikit-learn's predict, BLAS) must not spread to other cores.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pin_one_core(core: int = 0) -> str:
    """Pin this process to one core (``taskset -c 0`` does the same from outside); returns a note."""
    if hasattr(os, "sched_setaffinity"):
        allowed = os.sched_getaffinity(0)
        target = core if core in allowed else min(allowed)
        os.sched_setaffinity(0, {target})
        return f"pinned to core {target} (sched_setaffinity)"
    return "not pinned: os.sched_setaffinity unavailable on this platform"


def machine() -> str:
    """CPU model and core count, as ``lscpu`` reports them."""
    model = platform.processor() or "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        model = fields.get("Model name", model).strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def texts_of(docs: Sequence[dict[str, Any]]) -> list[str]:
    return [str(d["text"]) for d in docs]


def load_corpus(limit: int | None = None) -> list[dict[str, Any]]:
    from corpus import DEFAULT_OUT, build, describe, load

    if not DEFAULT_OUT.is_file():
        print(f"building {DEFAULT_OUT} ...", file=sys.stderr)
        import corpus as _c

        _c.main([])
    docs = load(DEFAULT_OUT)
    del build, describe
    return docs[:limit] if limit else docs


@dataclass
class Timing:
    """CPU and wall seconds of each timed pass of one benchmark target."""

    name: str
    n_docs: int
    n_bytes: int
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    def docs_per_s(self, wall: bool = False) -> float:
        t = self.wall_median if wall else self.cpu_median
        return self.n_docs / t if t > 0 else float("inf")

    def mb_per_s(self) -> float:
        t = self.cpu_median
        return self.n_bytes / 1e6 / t if t > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n_docs": self.n_docs,
            "n_bytes": self.n_bytes,
            "cpu_s": self.cpu,
            "wall_s": self.wall,
            "docs_per_s_cpu": self.docs_per_s(),
            "docs_per_s_wall": self.docs_per_s(wall=True),
            "mb_per_s_cpu": self.mb_per_s(),
            "note": self.note,
        }


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """``(cpu seconds, wall seconds)`` of one call. CPU time is this process's own: on a shared,
    noisy machine it is the stable measure of what one core spends; wall time is kept beside it."""
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


Target = tuple[str, Callable[[], Any], Callable[[Any], object]]
"""``(name, setup, run)``: ``run(setup())`` is one timed pass; setup is not timed."""


def timed_passes(
    targets: Sequence[Target], passes: int, n_docs: int, n_bytes: int, *, alternate: bool = False
) -> dict[str, Timing]:
    """Time every target ``passes`` times, interleaved (pass 1 of every target, then pass 2, ...), so
    load on a shared machine hits them alike; ``alternate`` reverses the order on every other pass.
    Each pass's docs/s goes to stderr as it finishes."""
    results = {name: Timing(name, n_docs, n_bytes) for name, _, _ in targets}
    for p in range(passes):
        for name, setup, run in targets if not (alternate and p % 2) else targets[::-1]:
            state = setup()
            cpu, wall = timed(partial(run, state))
            results[name].cpu.append(cpu)
            results[name].wall.append(wall)
            print(f"pass {p + 1}/{passes} {name}: {n_docs / cpu:,.0f} docs/s", file=sys.stderr)
    return results


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0-100) without numpy."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# --- the model --------------------------------------------------------------------------------

SHIPPED_MODEL = ROOT / "models" / "slopsift-model.joblib"
TEMP_MODEL = BUILD / "bench-model" / "bench-temp-model.joblib"


def model_path(log: Callable[[str], None] = print) -> tuple[Path | None, str]:
    """The shipped model if present (``None`` = use the bundled default), else a temporary one.

    Without ``models/slopsift-model.joblib`` a TEMPORARY model is fitted with
    ``slopsift.training.train.fit_bundle`` on the bench corpus's own features and labels (cached
    under ``build/``, refitted when the feature schema changes). Its scores mean nothing; it only
    has the shipped model's shape, so the scoring path costs the same.
    """
    if SHIPPED_MODEL.is_file():
        from slopsift.bundle import bundled_model_path

        if bundled_model_path().resolve() == SHIPPED_MODEL.resolve():
            return None, f"shipped model {SHIPPED_MODEL.relative_to(ROOT)}"
        return SHIPPED_MODEL, f"shipped model {SHIPPED_MODEL.relative_to(ROOT)}"
    from slopsift.bundle import ModelError, load_bundle

    note = (
        f"TEMPORARY model: {SHIPPED_MODEL.relative_to(ROOT)} is missing, so a model was fitted with "
        "slopsift.training.train.fit_bundle on the bench corpus (scores are meaningless; cost is "
        "representative)"
    )
    if TEMP_MODEL.is_file():
        try:
            load_bundle(TEMP_MODEL)
            return TEMP_MODEL, note
        except ModelError:
            pass  # stale: the feature schema changed since it was fitted
    log("fitting a temporary model on the bench corpus (no shipped model yet) ...")
    train_temp_model(load_corpus(), TEMP_MODEL)
    return TEMP_MODEL, note


def train_temp_model(docs: Sequence[dict[str, Any]], out: Path) -> None:
    import numpy as np

    from slopsift.bundle import save_bundle
    from slopsift.features import extract_features
    from slopsift.training.evaluate import Table
    from slopsift.training.train import fit_bundle

    texts = texts_of(docs)
    n = len(texts)
    x = extract_features(texts)
    sources = np.array([str(d["source"]) for d in docs])
    t = Table(
        texts=texts,
        y=np.array([1 if d["label"] == "machine" else 0 for d in docs], dtype=np.int64),
        source=sources,
        generator=np.array([str(d["label"]) for d in docs]),
        domain=sources,
        group=np.array([str(d["id"]) for d in docs]),
        role=np.array(["train"] * n),
        repo=np.array([""] * n),
        x=x,
    )
    bundle = fit_bundle(t, seed=0, metadata={"model_version": "bench-temporary"})
    save_bundle(bundle, out)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
