"""``slopsift score --jobs 2`` against ``--jobs 1`` on 5,000 documents (wall-clock speed-up).

    python benchmarks/cli_jobs.py                  # 5,000 ~50-word documents, best of 3 runs each
    python benchmarks/cli_jobs.py --docs 5000 --words 700 --repeat 1

The claim: on a 2-core machine, ``--jobs 2`` is at least 1.7x faster than ``--jobs 1``.
Run it on an otherwise idle machine: other load on the cores lowers the speed-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cli_memory import model_path, write_corpus


def run(corpus: Path, model: str, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the CLI and its workers) for one run."""
    cmd = [sys.executable, "-m", "slopsift", "score", "--model", model, "-j", str(jobs), "-q", str(corpus)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        proc = subprocess.run(cmd, stdout=devnull, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"slopsift failed: {proc.stderr.decode()}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--words", type=int, default=50)
    ap.add_argument("--jobs", type=int, default=2, help="compared with --jobs 1")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    ap.add_argument("--model")
    args = ap.parse_args()
    model = model_path(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp) / "c.jsonl", args.docs, n_words=args.words)
        run(corpus, model, 1)  # warm the file cache and imports
        load = os.getloadavg()[0]
        t1, c1 = min(run(corpus, model, 1) for _ in range(args.repeat))
        tn, cn = min(run(corpus, model, args.jobs) for _ in range(args.repeat))
    speedup = t1 / tn
    print(f"cores: {os.cpu_count()}, load average before the runs: {load:.2f} (other work skews the result)")
    what = f"{args.docs:,} docs of ~{args.words} words"
    print(f"{what}: --jobs 1 {t1:.2f} s wall ({args.docs / t1:,.0f} docs/s), {c1:.2f} s CPU")
    print(f"{what}: --jobs {args.jobs} {tn:.2f} s wall ({args.docs / tn:,.0f} docs/s), {cn:.2f} s CPU")
    print(f"speed-up {speedup:.2f}x (target >= 1.7x with 2 jobs on 2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
