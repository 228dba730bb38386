"""Latency of single-document ``score()`` on 1,000-word documents, and the cold start.

    taskset -c 0 python benchmarks/latency.py
    taskset -c 0 python benchmarks/latency.py --calls 2000 --cold-runs 7

Warm latency: one process, the model loaded once, then ``score(text)`` called one document at a
time as a moderation service would, on 1,000-word documents (every corpus document with at least
1,000 words, cut after its 1,000th whitespace-separated word, formatting kept), after a warm-up.
Reported: p50, p90, p99 and max of wall-clock latency, and p50/p99 of the thread's CPU time (on a
shared machine wall-clock tails include time spent waiting for the core).

Cold start: ``python -c "import slopsift; slopsift.score(text)"`` in a fresh subprocess (the
document read from a file first), several runs, median wall-clock time of the whole process; the
child also reports its own split into import, model load and first score.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import (
    BUILD,
    load_corpus,
    machine,
    markdown_table,
    model_path,
    percentile,
    pin_one_core,
)

_TOKEN = re.compile(r"\S+")

COLD = """
import sys, time, json
t0 = time.perf_counter()
import slopsift
t1 = time.perf_counter()
from slopsift.scoring import cached_detector, score
text = open(sys.argv[1], encoding="utf-8").read()
model = sys.argv[2] if len(sys.argv) > 2 else None
if model:
    from slopsift.scoring import Detector
    det = Detector(model)
    t2 = time.perf_counter()
    det.score(text)
else:
    cached_detector()  # the detector score() uses: model load and verification
    t2 = time.perf_counter()
    score(text)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "model_load": t2 - t1, "first_score": t3 - t2}))
"""


def docs_of_1000_words() -> list[str]:
    out = []
    for d in load_corpus():
        text = str(d["text"])
        ends = [m.end() for m in _TOKEN.finditer(text)]
        if len(ends) >= 1000:
            out.append(text[: ends[999]])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--json", type=Path, default=BUILD / "bench_latency.json")
    args = ap.parse_args(argv)

    pin = pin_one_core()
    model, model_note = model_path(lambda m: print(m, file=sys.stderr))
    texts = docs_of_1000_words()
    from slopsift.scoring import Detector

    det = Detector(model)
    for i in range(args.warmup):
        det.score(texts[i % len(texts)])
    wall: list[float] = []
    cpu: list[float] = []
    for i in range(args.calls):
        text = texts[i % len(texts)]
        c0, w0 = time.thread_time(), time.perf_counter()
        det.score(text)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.thread_time() - c0)

    cold: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "doc.txt"
        doc.write_text(texts[0], encoding="utf-8")
        cmd = [sys.executable, "-c", COLD, str(doc)] + ([str(model)] if model is not None else [])
        for _ in range(args.cold_runs):
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            total = time.perf_counter() - t0
            if proc.returncode != 0:
                raise SystemExit(f"cold start failed:\n{proc.stderr}")
            parts = json.loads(proc.stdout.strip().splitlines()[-1])
            parts["process"] = total
            cold.append(parts)

    def ms(v: float) -> str:
        return f"{v * 1e3:.2f}"

    print(f"machine: {machine()}; {pin}; model: {model_note}")
    print(
        f"{args.calls} calls over {len(texts)} distinct 1,000-word documents, "
        f"after {args.warmup} warm-up calls"
    )
    print()
    print(
        markdown_table(
            ["score() latency", "p50 ms", "p90 ms", "p99 ms", "max ms"],
            [
                ["wall clock", *(ms(percentile(wall, q)) for q in (50, 90, 99)), ms(max(wall))],
                ["thread CPU", *(ms(percentile(cpu, q)) for q in (50, 90, 99)), ms(max(cpu))],
            ],
        )
    )
    print()
    med = {k: statistics.median(c[k] for c in cold) for k in cold[0]}
    print(
        markdown_table(
            ["cold start (median of runs)", "seconds"],
            [
                ["whole process: python -c 'import slopsift; slopsift.score(text)'", f"{med['process']:.3f}"],
                ["  of which import slopsift", f"{med['import']:.3f}"],
                ["  of which model load (plain arrays, no scikit-learn)", f"{med['model_load']:.3f}"],
                ["  of which first score()", f"{med['first_score']:.3f}"],
            ],
        )
    )
    runs = ", ".join(f"{c['process']:.3f}" for c in cold)
    print(f"cold runs (s): {runs}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps({"wall_s": wall, "cpu_s": cpu, "cold": cold, "model": model_note}, indent=1) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
