"""Regenerate ``lexicons/word_zipf_en.tsv`` from the ``wordfreq`` package (a dev-time tool only).

``pip install wordfreq`` then ``python -m slopsift.training.make_wordfreq``. slopsift itself never
imports wordfreq: the table it needs ships as a data file.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

HEADER = """# source: wordfreq {version} (Robyn Speer et al., https://github.com/rspeer/wordfreq), English 'large' list, \
top {n} alphabetic words with their Zipf frequency (log10 of frequency per billion words), rounded to 0.01
# licence: CC BY-SA 4.0 (wordfreq's data; its code is Apache-2.0). This file is an adaptation under the same licence.
# columns: word<TAB>zipf
"""


def main() -> None:
    import wordfreq

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=30000)
    ap.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "lexicons" / "word_zipf_en.tsv")
    )
    args = ap.parse_args()
    word = re.compile(r"[a-z]+(?:['\-][a-z]+)*")
    rows = []
    for w in wordfreq.top_n_list("en", args.n * 2, wordlist="large"):
        if word.fullmatch(w):
            rows.append(f"{w}\t{wordfreq.zipf_frequency(w, 'en', wordlist='large'):.2f}")
        if len(rows) >= args.n:
            break
    version = getattr(wordfreq, "__version__", "3.1.1")
    Path(args.out).write_text(
        HEADER.format(version=version, n=len(rows)) + "\n".join(rows) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
