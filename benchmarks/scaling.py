"""Cost of ``score()`` on one long document: 1k, 10k, 100k and 1M words; the fitted exponent.

    taskset -c 0 python benchmarks/scaling.py
    taskset -c 0 python benchmarks/scaling.py --sizes 1000,10000,100000,1000000 --tracemalloc

**The same words at every size.** One stream of corpus text is built (corpus documents in corpus
order, a blank line between them, the last cut at a word boundary) with as many words as the
largest size, and cut into consecutive pieces of exactly N whitespace-separated words: one piece
of 1M words, or 1,000 pieces of 1k words. Every size therefore scores the same text, and the time
for one N-word document is the time for all pieces divided by their number. Timing only the first
N words instead would compare the first corpus document (short sizes) with the corpus average
(long ones), a difference of content, not of length.

Each size runs in a fresh subprocess pinned to one core: load the model, score every piece once
(warm-up: lexicons, per-word caches, the classifier), then time passes over all pieces (the median
pass counts). Memory: the peak resident set size during the timed passes (Linux: the high-water
mark is reset just before them through ``/proc/self/clear_refs``; elsewhere it is the process's
lifetime peak), and with ``--tracemalloc`` also the peak of Python allocations in one extra traced
call on the first piece. The exponent is the slope of a least-squares line through (log words,
log seconds per document); linear cost gives 1.0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import BUILD, load_corpus, machine, markdown_table, model_path, pin_one_core


def build_text(n_words: int) -> str:
    """Exactly ``n_words`` whitespace-separated words of real corpus text, documents joined."""
    parts: list[str] = []
    have = 0
    docs = load_corpus()
    i = 0
    while have < n_words:
        text = str(docs[i % len(docs)]["text"]).strip()
        i += 1
        w = len(text.split())
        if have + w <= n_words:
            parts.append(text)
            have += w
        else:
            parts.append(" ".join(text.split()[: n_words - have]))
            have = n_words
    return "\n\n".join(parts)


def _rss_peak_kb() -> int:
    """Peak RSS (kB) since the last reset (``VmHWM``), or the lifetime peak without /proc."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _rss_now_kb() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def pieces(n_words: int, total_words: int) -> list[str]:
    """The first ``total_words`` words of corpus text cut into consecutive ``n_words``-word pieces."""
    text = build_text(total_words)
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    cuts = [*starts[::n_words], len(text)]
    return [text[a:b].rstrip() for a, b in pairwise(cuts)][: total_words // n_words]


def child(n_words: int, total_words: int, passes: int, model: str | None, trace: bool) -> dict[str, Any]:
    """Runs in the subprocess: measure one size."""
    pin_one_core()
    from slopsift.scoring import Detector

    det = Detector(model)
    docs = pieces(n_words, total_words)
    for doc in docs:  # warm-up: lexicons, per-word caches, the classifier
        det.score(doc)
    rss_before = _rss_now_kb()
    reset = _reset_peak()
    totals = []
    for _ in range(passes):
        t0 = time.perf_counter()
        for doc in docs:
            det.score(doc)
        totals.append(time.perf_counter() - t0)
    out: dict[str, Any] = {
        "words": n_words,
        "chars": round(sum(map(len, docs)) / len(docs)),
        "pieces": len(docs),
        "passes": passes,
        "seconds": sorted(totals)[len(totals) // 2] / len(docs),
        "rss_before_mb": rss_before / 1024,
        "rss_peak_mb": _rss_peak_kb() / 1024,
        "peak_is_reset": reset,
    }
    if trace:
        import tracemalloc

        tracemalloc.start()
        det.score(docs[0])
        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out


def fit_exponent(words: list[int], seconds: list[float]) -> float:
    xs = [math.log(w) for w in words]
    ys = [math.log(s) for s in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--passes", type=int, default=3, help="timed passes over the pieces of each size")
    ap.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--total", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, default=BUILD / "bench_scaling.json")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.total, args.passes, args.model or None, args.tracemalloc)))
        return 0

    model, model_note = model_path(lambda m: print(m, file=sys.stderr))
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[dict[str, Any]] = []
    for n in sizes:
        cmd = [sys.executable, __file__, "--child", str(n), "--total", str(max(sizes))]
        cmd += ["--passes", str(args.passes)]
        if model is not None:
            cmd += ["--model", str(model)]
        if args.tracemalloc:
            cmd.append("--tracemalloc")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"size {n} failed:\n{proc.stderr}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(f"{n:>9,} words: {r['seconds']:.3f} s, peak RSS {r['rss_peak_mb']:.0f} MB", file=sys.stderr)

    expo = fit_exponent([r["words"] for r in rows], [r["seconds"] for r in rows])
    print(f"machine: {machine()}; one core per run; model: {model_note}")
    print()
    header = ["words", "pieces", "chars (mean)", "score() seconds", "us/word", "peak RSS MB", "RSS before MB"]
    if args.tracemalloc:
        header.append("tracemalloc peak MB")
    table = []
    for r in rows:
        row = [
            f"{r['words']:,}",
            f"{r['pieces']:,}",
            f"{r['chars']:,}",
            f"{r['seconds']:.4f}",
            f"{r['seconds'] / r['words'] * 1e6:.2f}",
            f"{r['rss_peak_mb']:.0f}",
            f"{r['rss_before_mb']:.0f}",
        ]
        if args.tracemalloc:
            row.append(f"{r['tracemalloc_peak_mb']:.0f}")
        table.append(row)
    print(markdown_table(header, table))
    print()
    print(f"fitted exponent (log-log least squares, seconds vs words): {expo:.3f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"rows": rows, "exponent": expo, "model": model_note}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
