"""Helpers for the CLI benchmarks (``cli_jobs.py``, ``cli_memory.py``): a model path and a synthetic corpus.

NOTE (benchmarks engineer): the first version of this file was overwritten by mistake; this is a
reconstruction from how ``cli_jobs.py`` and ``cli_memory.py`` call it. CLI engineer: please check
it against your original and replace it if it differs.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_MODEL = ROOT / "models" / "slopsift-model.joblib"
SYNTHETIC_MODEL_DIR = ROOT / "build" / "bench-cli-model"


def _synthetic() -> object:
    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "cli"))
    import synthetic

    return synthetic


def model_path(arg: str | None = None) -> str:
    """``arg`` if given, else the shipped model, else a small synthetic model (built once, cached)."""
    if arg:
        return arg
    if SHIPPED_MODEL.is_file():
        return str(SHIPPED_MODEL)
    cached = SYNTHETIC_MODEL_DIR / "test-model.joblib"
    if not cached.is_file():
        print("no shipped model yet: training a small synthetic one for the benchmark", file=sys.stderr)
        SYNTHETIC_MODEL_DIR.mkdir(parents=True, exist_ok=True)
        _synthetic().train_model(SYNTHETIC_MODEL_DIR)  # type: ignore[attr-defined]
    return str(cached)


def write_corpus(path: Path, n_docs: int, n_words: int = 50, seed: int = 0) -> Path:
    """Write ``n_docs`` synthetic documents of about ``n_words`` words (human-like and content-farm
    alternately) as JSONL ``{"id", "text"}`` to ``path``."""
    syn = _synthetic()
    rng = random.Random(seed)
    n_sentences = max(1, round(n_words / 20))
    with path.open("w", encoding="utf-8") as f:
        for i in range(n_docs):
            make = syn.machine_text if i % 2 else syn.human_text  # type: ignore[attr-defined]
            f.write(json.dumps({"id": f"doc{i}", "text": make(rng, n_sentences)}) + "\n")
    return path
