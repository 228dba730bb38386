"""Score a probe set (texts written for slopsift by a current chat model) with a model.

    python benchmarks/probe.py
    python benchmarks/probe.py --model build/model-X/slopsift-model.joblib --dir benchmarks/probes/chat-2026

Prints the share flagged at the default operating point and the median quality, per genre, with the
same code that writes the model card's probe section (``slopsift.training.probes``), and the quality
of every text with ``--texts``. The probe texts are never used for fitting.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, default=ROOT / "benchmarks" / "probes" / "chat-2026")
    ap.add_argument("--model", type=Path, default=None, help="a bundle (default: the shipped model)")
    ap.add_argument("--texts", action="store_true", help="also print every text's quality")
    ap.add_argument("--json", type=Path, default=None, help="write the summary here")
    args = ap.parse_args(argv)
    from slopsift.bundle import ModelError
    from slopsift.scoring import Detector
    from slopsift.training.probes import probe_summary, probe_table, read_probe

    try:
        summary = probe_summary(Detector(args.model), read_probe(args.dir))
    except (ModelError, ValueError, OSError) as e:
        print(f"probe.py: {e}", file=sys.stderr)
        return 2
    n, flagged, thr = summary["n"], summary["flagged"], summary["threshold"]
    print(f"{args.dir.name}: {flagged} of {n} flagged at quality < {thr:.4f}")
    print(probe_table(summary))
    print("reasons of the flagged texts:", summary["reasons"])
    if args.texts:
        for name, q in summary["quality"].items():
            print(f"  {q:.3f}  {name}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
