"""``slopsift score --jobs 2`` against ``--jobs 1`` on 5,000 documents (wall-clock speed-up).

    python benchmarks/cli_jobs.py                  # 5,000 ~50-word documents, best of 3 runs each
    python benchmarks/cli_jobs.py --docs 5000 --words 700 --repeat 1

The claim: on a 2-core machine, ``--jobs 2`` is at least 1.7x faster than ``--jobs 1``.
Run it on an otherwise idle machine: other load on the cores lowers the speed-up.
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


def run(corpus: Path, model: str, jobs: int) -> float:
    cmd = [sys.executable, "-m", "slopsift", "score", "--model", model, "-j", str(jobs), "-q", str(corpus)]
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        proc = subprocess.run(cmd, stdout=devnull, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"slopsift failed: {proc.stderr.decode()}")
    return time.perf_counter() - t0


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
        t1 = min(run(corpus, model, 1) for _ in range(args.repeat))
        tn = min(run(corpus, model, args.jobs) for _ in range(args.repeat))
    speedup = t1 / tn
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    print(f"{args.docs:,} docs of ~{args.words} words: --jobs 1 {t1:.2f} s ({args.docs / t1:,.0f} docs/s)")
    print(
        f"{args.docs:,} docs of ~{args.words} words: --jobs {args.jobs} {tn:.2f} s ({args.docs / tn:,.0f} docs/s)"
    )
    print(f"speed-up {speedup:.2f}x (target >= 1.7x with 2 jobs on 2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
