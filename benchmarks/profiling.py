"""Profile slopsift on the bench corpus with pyinstrument (``pip install pyinstrument``).

    taskset -c 0 python benchmarks/profiling.py                    # extract_features, call tree
    taskset -c 0 python benchmarks/profiling.py --target score_many --limit 500
    taskset -c 0 python benchmarks/profiling.py --families         # ms/doc of each family alone
    taskset -c 0 python benchmarks/profiling.py --twins            # each C twin against its Python version

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


def twin_costs(texts: list[str], passes: int = 5) -> None:
    """CPU ms per document of each loop that has a C twin (``slopsift._speedups``), Python version and
    twin side by side on the same inputs, best of ``passes``."""
    from collections import Counter
    from itertools import compress

    from slopsift import _accel
    from slopsift.document import _ascii_words_ids, _shared_indices, _word_ids_counts, parse
    from slopsift.signals import readability, repetition, vocabulary

    if _accel.speedups is None:
        print("slopsift._speedups is not built: nothing to compare")
        return
    docs = [parse(t) for t in texts]
    ids = [repetition._prose(d).ids[: repetition.MAX_SCAN_WORDS] for d in docs]
    bases = [2 * d.n_words + 1 for d in docs]
    nmax = max(repetition.DUP_NGRAMS)
    mtld_ids = [list(compress(i, map(d.n_words.__gt__, i))) for d, i in zip(docs, ids, strict=True)]
    flags = [vocabulary._lower_initial(d) for d in docs]
    sentences = [([s.word_start for s in d.sentences], [s.word_end for s in d.sentences]) for d in docs]

    def mtld() -> None:
        for d, i in zip(docs, mtld_ids, strict=True):
            repetition._mtld_mean(i, d.n_words)

    def ngrams() -> None:
        for i, b in zip(ids, bases, strict=True):
            repetition._repeated_ngrams(i, b, nmax)

    levels = [repetition._repeated_ngrams(i, b, nmax) for i, b in zip(ids, bases, strict=True)]
    sentence_ends = [[e for s, e in zip(ws, we, strict=True) if s < e] for ws, we in sentences]

    def ngram_cover() -> None:
        for d, i, lv in zip(docs, ids, levels, strict=True):
            for k in repetition.TOP_NGRAMS:
                repetition._top_ngram(lv[k], k, d.words, i)
            for k in repetition.DUP_NGRAMS:
                repetition._repeat_runs(lv[k], k, d.words)

    def top_phrase() -> None:
        for d, i, lv, ends in zip(docs, ids, levels, sentence_ends, strict=True):
            repetition._phrase(d, len(i), lv, ends)

    def letter_lines() -> None:
        sp = _accel.speedups
        for d in docs:
            repetition._letter_lines_py(d.line_texts) if sp is None else sp.letter_lines(d.line_texts)

    def zipf() -> None:
        sp = _accel.speedups
        for d, f in zip(docs, flags, strict=True):
            if sp is None:
                vocabulary._profile_py(d.word_facts, f, 25)
            else:
                sp.zipf_profile(d.word_facts, f, vocabulary.OOV_ZIPF, vocabulary.RARE, vocabulary.COMMON, 25)

    def syllables() -> None:
        for d, (ws, we) in zip(docs, sentences, strict=True):
            readability._sentence_syllables(d.word_facts, ws, we)

    def ids_counts() -> None:
        sp = _accel.speedups
        for d in docs:
            _word_ids_counts(d.words) if sp is None else sp.word_ids_counts(d.words, Counter)

    lows = [d.lower for d in docs if d.text.isascii()]

    def words_ids() -> None:
        sp = _accel.speedups
        for low in lows:
            _ascii_words_ids(low) if sp is None else sp.ascii_words_ids(low, _shared_indices(), Counter)

    from slopsift.signals.hedging import _matcher_set

    matchers = _matcher_set()
    lowers = [d.lower for d in docs]

    def phrases() -> None:
        for low in lowers:
            matchers.candidates(low)

    from slopsift.signals import phrasing

    proses = [phrasing._prose(d) for d in docs]

    def phrasing_score() -> None:
        sp = _accel.speedups
        for p in proses:
            phrasing._score_py(p) if sp is None else phrasing._score_c(sp, p)

    from slopsift import lexicons, normalize, structure

    def code_lines() -> None:
        for d in docs:
            structure.code_lines(d.text, d.lines)

    def special_edges() -> None:
        for t in texts:
            normalize._special_edges(t)

    new_words = sorted({w for d in docs for w in d.word_counts})

    def word_facts() -> None:  # every distinct word's facts, as a cold cache computes them
        for w in new_words:
            lexicons._new_facts(w)

    for name, run, n in (
        ("hedging phrase scan", phrases, len(docs)),
        ("code lines", code_lines, len(docs)),
        ("non-ASCII runs (normalise)", special_edges, len(docs)),
        ("new word facts (cold cache)", word_facts, len(docs)),
        ("phrasing score", phrasing_score, len(docs)),
        ("mtld (both passes)", mtld, len(docs)),
        ("repeated n-grams", ngrams, len(docs)),
        ("top n-grams and repeat runs", ngram_cover, len(docs)),
        ("most repeated phrase", top_phrase, len(docs)),
        ("lines with a letter", letter_lines, len(docs)),
        ("zipf profile", zipf, len(docs)),
        ("sentence syllables", syllables, len(docs)),
        ("word ids and counts", ids_counts, len(docs)),
        ("ASCII words, ids and counts", words_ids, len(docs)),
    ):
        best = {}
        for label in ("python", "c"):
            times = []
            for _ in range(passes):
                t0 = time.process_time()
                if label == "python":
                    with _accel.pure_python():
                        run()
                else:
                    run()
                times.append(time.process_time() - t0)
            best[label] = min(times) / n * 1e3
        print(
            f"{name:28s} python {best['python']:.4f} ms/doc  C {best['c']:.4f} ms/doc  "
            f"{best['python'] / best['c']:.1f}x"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=("extract_features", "score_many"), default="extract_features")
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--families", action="store_true", help="print ms/doc per family instead")
    ap.add_argument("--twins", action="store_true", help="time each C twin against its Python version")
    ap.add_argument("--interval", type=float, default=0.0005, help="pyinstrument sampling interval (s)")
    args = ap.parse_args(argv)
    pin_one_core()
    texts = texts_of(load_corpus(args.limit))
    if args.families:
        family_costs(texts)
        return 0
    if args.twins:
        twin_costs(texts)
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
