"""Peak memory of ``slopsift score`` does not grow with the input: 10,000 vs 200,000 documents.

Runs the real command on a JSONL of N synthetic ~50-word documents, polls the resident set size of
the whole process tree (CLI + workers) every 20 ms, and reports the peak of that sum and the peak of
the largest single process. The claim holds when the 200k peak is within 20% of the 10k peak.

    python benchmarks/cli_memory.py                 # 10k and 200k, --jobs 2
    python benchmarks/cli_memory.py --sizes 1000,20000 --jobs 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import model_path, write_corpus  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


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


def tree_rss(pid: int) -> tuple[int, int]:
    """(sum, max) RSS in bytes over ``pid`` and all its descendants."""
    todo, total, biggest = [pid], 0, 0
    while todo:
        p = todo.pop()
        r = _rss(p)
        total += r
        biggest = max(biggest, r)
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
                f"{n:>8,} docs ({mb:6.1f} MB): peak RSS {r['peak_tree_mb']:7.1f} MB all processes, "
                f"{r['peak_process_mb']:7.1f} MB largest process, {r['seconds']:6.1f} s  [{r['summary']}]",
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
