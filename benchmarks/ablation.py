"""What each signal family carries: the grouped evaluation with one family left out at a time.

    python benchmarks/ablation.py                         # leave-one-dataset-out, every family (~30 min)
    python benchmarks/ablation.py --protocols dataset,generator --families hedging,headings

Needs the training corpus that ``python -m slopsift.training.train --data-dir ../shared/data`` writes
to ``build/corpus.jsonl.gz`` (and its feature cache in ``build/``). Each row refits the shipped recipe
(``slopsift.training.evaluate.evaluate_protocols``, the same folds, fits and content-farm copies as
``models/metrics.json``) with the family's columns set to 0 in every text, so that no tree can split on
them and no evidence term reads them; the first row leaves nothing out and reproduces the model
card's means. Held-out folds never contain the content-farm copies, so a family that matters mostly
for that archetype (headings) can cost nothing here or even help.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    ap.add_argument("--protocols", default="dataset", help="comma-separated protocols")
    ap.add_argument("--families", default="", help="comma-separated families to leave out (default: all)")
    ap.add_argument("--jobs", type=int, default=1, help="processes for features not yet cached")
    args = ap.parse_args(argv)

    corpus = args.build_dir / "corpus.jsonl.gz"
    if not corpus.is_file():
        print(f"{corpus} not found: run `python -m slopsift.training.train --data-dir ../shared/data` first")
        return 1
    from slopsift.features import feature_names
    from slopsift.signals import families
    from slopsift.training import prepare
    from slopsift.training.evaluate import evaluate_protocols
    from slopsift.training.phrasing import learn_column
    from slopsift.training.train import training_table

    t = training_table(prepare.read_jsonl(corpus), args.build_dir, seed=0, jobs=args.jobs)
    # The phrasing table is fitted on training text: refitted in every fold, as the shipped evaluation does.
    _, _, fold_column = learn_column(t, seed=0)
    names = [n.split(".")[0] for n in feature_names()]
    chosen = [f.name for f in families()] if not args.families else args.families.split(",")
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        print(f"unknown families: {', '.join(unknown)}; known: {', '.join(dict.fromkeys(names))}")
        return 2
    protocols = tuple(args.protocols.split(","))
    print("| left out | features | " + " | ".join(f"AUROC {p} | TPR@5% {p}" for p in protocols) + " |")
    print("|---|---|" + "---|---|" * len(protocols))
    base: dict[str, float] = {}
    for family in ["(nothing)", *chosen]:
        cols = np.array([n == family for n in names])
        ablated = t.subset(np.ones(len(t.y), dtype=bool))  # a copy: only its features change
        ablated.x = np.where(cols, 0.0, t.x)
        res = evaluate_protocols(
            ablated,
            protocols,
            baselines=False,
            log=lambda _: None,
            learned=lambda x, train, test, cols=cols: np.where(cols, 0.0, fold_column(x, train, test)),
        )
        cells = []
        for p in protocols:
            m = res[p]["mean"]["slopsift"]
            auroc = m["auroc"]
            if family == "(nothing)":
                base[p] = auroc
                cells.append(f"{auroc:.4f} | {m['tpr_at_5fpr']:.3f}")
            else:
                cells.append(f"{auroc:.4f} ({auroc - base[p]:+.4f}) | {m['tpr_at_5fpr']:.3f}")
        print(f"| {family} | {int(cols.sum())} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
