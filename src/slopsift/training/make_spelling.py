"""Regenerate ``lexicons/spelling_en.txt`` from SCOWL's word lists (a dev-time tool only).

``apt-get install wamerican-large wbritish-large`` (Debian's packaging of SCOWL, size 70), then
``python -m slopsift.training.make_spelling``. slopsift itself never reads ``/usr/share/dict``: the
words it needs ship as a data file.

The misspelling signal (:mod:`slopsift.signals.vocabulary`) calls a word misspelled when it is
not an English word but one edit away from a common one. It only ever asks "is this an English
word?" of words in the frequency table or one edit from a common word, so the file keeps only
those dictionary words: about a quarter of SCOWL.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from slopsift.lexicons import COMMON_ZIPF, MIN_MISSPELLING_LENGTH, zipf_table

DICTS = ("/usr/share/dict/american-english-large", "/usr/share/dict/british-english-large")

HEADER = """# source: SCOWL (Spell Checker Oriented Word Lists, Kevin Atkinson, http://wordlist.aspell.net/), \
Debian's wamerican-large and wbritish-large {version} (size 70), lower-cased, accented words also without accents (cafe); only the words that are in \
word_zipf_en.tsv or one edit from one of its words of 4+ letters with Zipf >= {common} (the words the misspelling signal \
can ask about). Regenerate with python -m slopsift.training.make_spelling.
# licence: SCOWL licence (MIT-like). Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy, modify, \
distribute and sell these word lists, the associated scripts, the output created from the scripts, and its \
documentation for any purpose is hereby granted without fee, provided that the above copyright notice appears \
in all copies and that both that copyright notice and this permission notice appear in supporting \
documentation. Kevin Atkinson makes no representations about the suitability of this array for any purpose. \
It is provided "as is" without express or implied warranty. (SCOWL's other contributors' notices, all \
permissive, are in its README.)
"""

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_EDIT_CHARS = "abcdefghijklmnopqrstuvwxyz'"


def edits1(word: str) -> Iterator[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``."""
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            yield head + tail[1:]
        if len(tail) > 1:
            yield head + tail[1] + tail[0] + tail[2:]
        for c in _EDIT_CHARS:
            if tail:
                yield head + c + tail[1:]
            yield head + c + tail


def keep(dictionary: set[str], zipf: dict[str, float], common: float = COMMON_ZIPF) -> list[str]:
    """The dictionary words the signal can consult: table words, and those one edit from a common one
    (a target of :func:`slopsift.lexicons.misspelled`: frequent and at least 4 letters long)."""
    targets = [
        w for w, z in zipf.items() if z >= common and len(w) >= MIN_MISSPELLING_LENGTH and w in dictionary
    ]
    out = {w for w in zipf if w in dictionary}
    for word in targets:
        out.update(e for e in edits1(word) if e in dictionary)
    return sorted(out)


def _unaccented(word: str) -> str:
    """``word`` without its diacritics: ``café`` -> ``cafe``, as most people type loanwords."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def read_words(paths: Iterable[str]) -> set[str]:
    """The lower-cased words of the lists, accented ones also without their accents."""
    words: set[str] = set()
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            w = line.strip().lower()
            for form in (w, _unaccented(w)):
                if _WORD.fullmatch(form):
                    words.add(form)
    return words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dict", action="append", help="word list(s) (default: SCOWL size 70, US and UK)")
    ap.add_argument("--version", default="2020.12.07", help="the word lists' version, for the header")
    ap.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "lexicons" / "spelling_en.txt")
    )
    args = ap.parse_args()
    words = keep(read_words(args.dict or DICTS), zipf_table())
    Path(args.out).write_text(
        HEADER.format(version=args.version, common=COMMON_ZIPF) + "\n".join(words) + "\n", encoding="utf-8"
    )
    print(f"{len(words)} words -> {args.out}")


if __name__ == "__main__":
    main()
