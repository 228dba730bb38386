"""Usage: learner-English slips, evidence for a human author.

Chat models write grammatical English; people writing fast or in a second language slip: "a
informations", "more easier", "he don't", "can goes", "despite of", "in the other hand", "the the".
Misspellings (the vocabulary family) catch slips of spelling; this family catches slips of usage
that are spelled right. Like misspellings, a slip is ``higher_better``: it can only raise a text's
quality, and its absence means nothing (most human texts have none), so the classifier reads it as an
evidence term after calibration (:mod:`slopsift.training.fit`). It is what keeps plain writing by
non-native speakers, whose stock phrases ("it is crucial to", "in conclusion") the hedging family
counts, from being flagged on those phrases alone.

The patterns are data (``usage_slips.tsv``: categories, sets of words, and the words after which a
match does not count, as in "does it have"); one rule is code: "a" before a word that opens with
a vowel letter (a, e, i, o; not a word that begins like an "a-ok" row: "one-time", "euro") and
"an" before one that opens with a consonant letter other than h. Matches stay inside a sentence,
need nothing but white space between their words, and every word must be written in lower case
except the first at a sentence start, unless that one is a modal ("Will is", "Vitamin A is", "an
FBI" do not count).

Its limit: machine text with errors injected on purpose (word-substitution attacks) reads as human to
it, as it does to the misspelling signal; the model card reports such attacks. Cost: O(n), one set
test per word pair in C, Python work only where a slip may start.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import compress, pairwise

from slopsift.document import Document
from slopsift.lexicons import load_table
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "SlipPattern", "compute", "slip_patterns"]

_LEXICON = "usage_slips.tsv"
_MAX_EVIDENCE = 25
_ARTICLE_A_VOWELS = frozenset("aeio")
"""First letters after which "a" is a slip ("a apple"); u is left out ("a university", "an umbrella")."""
_ARTICLE_AN_CONSONANTS = frozenset("bcdfgjklmnpqrstvwxyz")
"""First letters after which "an" is a slip ("an book"); h is left out ("an hour", "an hotel")."""

_NAMES_AT_START = frozenset(("will", "can", "may", "might", "must", "would", "could", "should"))
"""Modals that open a sentence capitalised are names or questions ("Will is here", "Can is a city"),
never slips: only these first words must be written in lower case even at a sentence start."""

SlipPattern = tuple[tuple[frozenset[str], ...], frozenset[str], str]
"""``(slots after the first, words after which a match does not count, category)``."""

FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "slips_per_1k",
        "Learner-English usage slips per 1,000 words, all spelled right: a/an before the wrong letter "
        "('a example', 'an big'), uncountable nouns in the plural ('informations'), doubled comparatives "
        "('more easier'), wrong verb forms after modals and do ('can goes', \"didn't went\"), pronoun-verb "
        "agreement ('he don't', 'they was'), calqued prepositions ('despite of', 'in the other hand') and "
        "doubled function words ('the the'); patterns in usage_slips.tsv; evidence: each slip. Evidence "
        "for a human author.",
        "per 1,000 words",
        "higher_better",
    ),
)


def _slot(text: str) -> frozenset[str]:
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        words = [w.strip() for w in text[1:-1].split(",")]
    else:
        words = [text]
    if not all(words):
        raise ValueError(f"{_LEXICON}: empty word in slot {text!r}")
    return frozenset(words)


def _slots(pattern: str) -> list[frozenset[str]]:
    """Split a pattern into slots; sets (``{a,b}``) hold no spaces, so a plain split is exact."""
    return [_slot(part) for part in pattern.split()]


@lru_cache(maxsize=1)
def slip_patterns() -> tuple[dict[str, tuple[SlipPattern, ...]], tuple[str, ...]]:
    """The patterns of ``usage_slips.tsv`` by first word, and the "a-ok" beginnings of the article rule."""
    by_first: dict[str, list[SlipPattern]] = {}
    a_ok: set[str] = set()
    for row in load_table(_LEXICON):
        if len(row) not in (2, 3):
            raise ValueError(f"{_LEXICON}: expected 2 or 3 tab-separated columns, got {row!r}")
        category, pattern = row[0].strip(), row[1]
        slots = _slots(pattern)
        if category == "a-ok":
            if len(slots) != 1:
                raise ValueError(f"{_LEXICON}: an a-ok row holds one set of words, got {pattern!r}")
            a_ok |= slots[0]
            continue
        unless = _slot(row[2]) if len(row) == 3 else frozenset()
        rest = tuple(slots[1:])
        for first in slots[0]:
            by_first.setdefault(first, []).append((rest, unless, category))
    return {k: tuple(v) for k, v in by_first.items()}, tuple(sorted(a_ok))


def _article_slip(article: str, word: str, a_ok: tuple[str, ...]) -> bool:
    """Whether ``article`` ("a" or "an") before the lower-case ``word`` is a slip by the letter rule.
    A word must open with two letters: a letter alone or with a hyphen is read by its name ("an x-ray",
    "a e-mail" are both left alone)."""
    if len(word) < 2 or not word[:2].isalpha():
        return False
    if article == "a":
        return word[0] in _ARTICLE_A_VOWELS and not word.startswith(a_ok)
    return word[0] in _ARTICLE_AN_CONSONANTS


@lru_cache(maxsize=1)
def _prefilter() -> tuple[frozenset[str], frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """What a slip can start with: a whole-pattern word, a (word, next word) pair of a longer pattern,
    and an (article, next word's first character) pair of the article rule."""
    by_first, _ = slip_patterns()
    singles = frozenset(w for w, pats in by_first.items() if any(not rest for rest, _, _ in pats))
    pairs = frozenset((w, x) for w, pats in by_first.items() for rest, _, _ in pats if rest for x in rest[0])
    articles = frozenset(
        [("a", c) for c in sorted(_ARTICLE_A_VOWELS)] + [("an", c) for c in sorted(_ARTICLE_AN_CONSONANTS)]
    )
    return singles, pairs, articles


def compute(doc: Document) -> FamilyOutput:
    if not doc.n_words:
        return {"slips_per_1k": 0.0}, []
    by_first, a_ok = slip_patterns()
    singles, pairs, articles = _prefilter()
    words = doc.words
    firsts = doc.word_initials
    # Where a slip may start, found in C (set tests over word pairs); Python looks at those alone.
    n = len(words)
    found = set(compress(range(n - 1), map(pairs.__contains__, pairwise(words))))
    found.update(compress(range(n - 1), map(articles.__contains__, zip(words, firsts[1:], strict=False))))
    if not singles.isdisjoint(words):
        found.update(compress(range(n), map(singles.__contains__, words)))
    evidence: list[Evidence] = []
    slips = 0
    if found:
        text = doc.text
        starts, ends = doc.word_starts, doc.word_ends
        sentences = doc.sentences
        sentence_starts = [s.word_start for s in sentences]

        def joined(i: int, end: int) -> bool:
            """Words ``i .. end - 1`` have only white space between them, all but the first in lower case."""
            for k in range(i + 1, end):
                if not firsts[k].islower() or not text[ends[k - 1] : starts[k]].isspace():
                    return False
            return True

        for i in sorted(found):
            si = bisect_right(sentence_starts, i) - 1
            if si < 0 or i >= sentences[si].word_end:
                continue  # a word outside every sentence
            a, b = sentences[si].word_start, sentences[si].word_end
            w = words[i]
            if not firsts[i].islower() and (i != a or w in _NAMES_AT_START):
                continue
            hit = ""
            end = nxt = i + 1
            if w in ("a", "an") and nxt < b and _article_slip(w, words[nxt], a_ok) and joined(i, nxt + 1):
                hit, end = "article", nxt + 1
            for rest, unless, category in by_first.get(w, ()):
                if hit:
                    break
                end = i + 1 + len(rest)
                if (
                    end <= b
                    and all(words[i + 1 + k] in slot for k, slot in enumerate(rest))
                    and not (i > a and words[i - 1] in unless)
                    and joined(i, end)
                ):
                    hit = category
            if hit:
                slips += 1
                if slips <= _MAX_EVIDENCE:
                    evidence.append(Evidence(starts[i], ends[end - 1], "slips_per_1k", hit))
    return {"slips_per_1k": 1000.0 * slips / doc.n_words}, evidence


FAMILY = register(
    Family(
        "usage",
        "Learner-English usage slips, evidence for a human author.",
        "O(n)",
        FEATURES,
        compute,
    )
)
