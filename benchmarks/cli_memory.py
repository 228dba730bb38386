"""Peak memory of ``slopsift score`` does not grow with the input: 10,000 vs 200,000 documents.

Runs the real command on a JSONL of N synthetic ~50-word documents, polls the resident set size of
the whole process tree (CLI + workers) every 20 ms, and reports the peak of the summed proportional
set size (shared pages counted once) and the peak RSS of the largest single process. The claim
holds when the 200k peak is within 20% of the 10k peak.

    python benchmarks/cli_memory.py                 # 10k and 200k, --jobs 2
    python benchmarks/cli_memory.py --sizes 1000,20000 --jobs 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
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
    from slopsift.bundle import ModelError, bundled_model_path, load_bundle

    def usable(p: Path) -> bool:
        try:
            load_bundle(p)  # checks the SHA-256 and the feature schema
            return True
        except ModelError:
            return False

    for shipped in (bundled_model_path(), SHIPPED_MODEL):
        if shipped.is_file() and usable(shipped):
            return str(shipped)
    cached = SYNTHETIC_MODEL_DIR / "test-model.joblib"
    if not (cached.is_file() and usable(cached)):
        print("no usable shipped model: training a small synthetic one for the benchmark", file=sys.stderr)
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


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:
        return 0


def _pss(pid: int) -> int:
    """Proportional set size: shared pages split between the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return _rss(pid)


def tree_rss(pid: int) -> tuple[int, int]:
    """(sum of PSS, max RSS) in bytes over ``pid`` and all its descendants.

    PSS, not RSS, is summed: forked workers share the parent's pages (model, modules), and a
    transient fork would otherwise count them twice."""
    todo, total, biggest = [pid], 0, 0
    while todo:
        p = todo.pop()
        total += _pss(p)
        biggest = max(biggest, _rss(p))
        todo.extend(_children(p))
    return total, biggest


def measure(corpus: Path, model: str, jobs: int) -> dict[str, float]:
    cmd = [sys.executable, "-m", "slopsift", "score", "--model", model, "-j", str(jobs), "-q", str(corpus)]
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        proc = subprocess.Popen(cmd, stdout=devnull, stderr=subprocess.PIPE)
        peak_sum = peak_one = 0
        while proc.poll() is None:
            s, m = tree_rss(proc.pid)
            peak_sum, peak_one = max(peak_sum, s), max(peak_one, m)
            time.sleep(0.02)
        err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"slopsift failed ({proc.returncode}): {err}")
    return {
        "seconds": time.perf_counter() - t0,
        "peak_tree_mb": peak_sum / 2**20,
        "peak_process_mb": peak_one / 2**20,
        "summary": err.strip().splitlines()[-1],  # type: ignore[dict-item]
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,200000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--words", type=int, default=50)
    ap.add_argument("--model")
    args = ap.parse_args()
    model = model_path(args.model)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            corpus = write_corpus(Path(tmp) / f"c{n}.jsonl", n, n_words=args.words)
            mb = corpus.stat().st_size / 2**20
            r = measure(corpus, model, args.jobs)
            rows.append((n, r))
            print(
                f"{n:>8,} docs ({mb:6.1f} MB): peak {r['peak_tree_mb']:7.1f} MB all processes (PSS), "
                f"{r['peak_process_mb']:7.1f} MB RSS largest process, {r['seconds']:6.1f} s",
                f"[{r['summary']}]",
                flush=True,
            )
            corpus.unlink()
    if len(rows) >= 2:
        first, last = rows[0][1], rows[-1][1]
        ratio = last["peak_tree_mb"] / first["peak_tree_mb"]
        verdict = "OK" if ratio <= 1.2 else "FAIL"
        print(f"peak RSS ratio {rows[-1][0]:,} / {rows[0][0]:,} docs = {ratio:.3f} (limit 1.20): {verdict}")
        return 0 if ratio <= 1.2 else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
