"""Which words the misspelling signal flags, per side of the training corpus (a check, not a fit).

``python -m slopsift.training.spelling_audit`` (after ``slopsift prepare-data`` or a training run has
written ``build/corpus.jsonl.gz``) prints, for a fixed random sample of the training texts, how many
human and machine texts have at least one misspelling and the words flagged most often on each side.
Misfires show up here as words that are not typos (jargon, uncommon plurals); see ``docs/spelling.md``.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from slopsift.features import signals
from slopsift.training.prepare import DEFAULT_OUT, read_jsonl

SIGNAL = "vocabulary.misspelling_per_1k"


def audit(corpus: Path, sample: int, seed: int, top: int) -> str:
    """The report as text: per side, texts with a misspelling and the most flagged words."""
    records = [r for r in read_jsonl(corpus) if r.split_role == "train"]
    random.Random(seed).shuffle(records)
    words: dict[str, Counter[str]] = {"human": Counter(), "machine": Counter()}
    texts: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for r in records[:sample]:
        spans = signals(r.text).families["vocabulary"].evidence_for(SIGNAL)
        texts[r.label] += 1
        hit[r.label] += bool(spans)
        words[r.label].update(r.text[e.start : e.end].lower() for e in spans)
    lines = []
    for side in ("human", "machine"):
        n = texts[side]
        share = hit[side] / n if n else 0.0
        lines.append(f"{side}: {n} texts, {share:.1%} with at least one misspelling")
        lines.append("  " + ", ".join(f"{w} {c}" for w, c in words[side].most_common(top)))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--sample", type=int, default=8000, help="training texts to read (random, fixed seed)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    print(audit(args.corpus, args.sample, args.seed, args.top))


if __name__ == "__main__":
    main()
