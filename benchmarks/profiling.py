"""Profile slopsift on the bench corpus with pyinstrument (``pip install pyinstrument``).

    taskset -c 0 python benchmarks/profiling.py                    # extract_features, call tree
    taskset -c 0 python benchmarks/profiling.py --target score_many --limit 500
    taskset -c 0 python benchmarks/profiling.py --families         # ms/doc of each family alone

Optimise where this says the time goes, then prove values unchanged with
``python benchmarks/pins.py --check`` (or ``pytest tests/test_feature_pins.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import load_corpus, model_path, pin_one_core, texts_of


def family_costs(texts: list[str]) -> None:
    """CPU ms per document of the parse and of each family on already-parsed documents."""
    from slopsift.document import parse
    from slopsift.signals import families

    t0 = time.process_time()
    docs = [parse(t) for t in texts]
    parse_ms = (time.process_time() - t0) / len(texts) * 1e3
    print(f"{'parse':16s} {parse_ms:7.3f} ms/doc")
    total = parse_ms
    for fam in families():
        fam.run(docs[0])  # lazy lexicon loading out of the timing
        t0 = time.process_time()
        for d in docs:
            fam.run(d)
        ms = (time.process_time() - t0) / len(docs) * 1e3
        total += ms
        print(f"{fam.name:16s} {ms:7.3f} ms/doc")
    print(f"{'total':16s} {total:7.3f} ms/doc")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=("extract_features", "score_many"), default="extract_features")
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--families", action="store_true", help="print ms/doc per family instead")
    ap.add_argument("--interval", type=float, default=0.0005, help="pyinstrument sampling interval (s)")
    args = ap.parse_args(argv)
    pin_one_core()
    texts = texts_of(load_corpus(args.limit))
    if args.families:
        family_costs(texts)
        return 0
    from pyinstrument import Profiler

    if args.target == "score_many":
        from slopsift.scoring import score_many

        model, _ = model_path()
        arg = None if model is None else str(model)

        def run(batch: list[str]) -> object:
            return score_many(batch, model=arg)
    else:
        from slopsift.features import extract_features

        def run(batch: list[str]) -> object:
            return extract_features(batch)

    run(texts[:50])  # warm-up: lexicons, caches, the model
    prof = Profiler(interval=args.interval)
    prof.start()
    run(texts)
    prof.stop()
    print(prof.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
