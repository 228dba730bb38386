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
match does not count, "does it have", or after which alone it counts: "it are" is a slip as a
subject, not as an object, "the reasons behind it are"). One rule is code: "a" before a word that
opens with a vowel letter and sound ("a advice"; not "a one-time", "a euro") and "an" before a
consonant ("an big", "an one-off"; not "an hour", "an npm package"), never before a function word
("a is": a variable). Matches stay inside a sentence, need nothing but white space between their
words, and every word must be written in lower case ("I" excepted) except the first at a sentence
start, unless that one is a modal ("Will is", "Vitamin A is", "an FBI" do not count). Code is not
prose: nothing on a code line (``Document.code_lines``), inside inline code or right after markup or
code syntax counts.

Its limit: machine text with errors injected on purpose (word-substitution attacks) reads as human to
it, as it does to the misspelling signal; the model card reports such attacks. Cost: O(n), one set
test per word pair in C, Python work only where a slip may start.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, pairwise

from slopsift import _accel
from slopsift.document import Document, word_indices
from slopsift.lexicons import function_words, load_table
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "SlipPattern", "Slips", "compute", "slip_patterns"]

_LEXICON = "usage_slips.tsv"
_MAX_EVIDENCE = 25
_ARTICLE_A_VOWELS = frozenset("aeio")
"""First letters after which "a" is a slip ("a apple"); u is left out ("a university", "an umbrella")."""
_ARTICLE_AN_CONSONANTS = frozenset("bcdfgjklmnpqrstvwxyz")
"""First letters after which "an" is a slip ("an book"); h is left out ("an hour", "an hotel")."""
_VOWELS = frozenset("aeiou")
_SENTENCE_START = "^"
"""The word an ``only_after`` condition names for "the match opens its sentence"."""
_NOT_PROSE_BEFORE = frozenset("<`/\\@#_.=:~&%$+")
"""A slip's first word right after one of these is markup or code (``<a id=...>``, ``x.a is``)."""

_NAMES_AT_START = frozenset(("will", "can", "may", "might", "must", "would", "could", "should"))
"""Modals that open a sentence capitalised are names or questions ("Will is here", "Can is a city"),
never slips: only these first words must be written in lower case even at a sentence start."""

SlipPattern = tuple[tuple[frozenset[str], ...], frozenset[str], frozenset[str] | None, str]
"""``(slots after the first, words after which a match does not count, words after which alone it
counts or None, category)``."""


@dataclass(frozen=True)
class Slips:
    """``usage_slips.tsv`` read: the patterns by first word and the article rule's exceptions."""

    by_first: dict[str, tuple[SlipPattern, ...]]
    a_ok: frozenset[str]
    """Words that open with a vowel letter and a consonant sound ("one"), also before a hyphen."""
    a_ok_prefixes: tuple[str, ...]
    """Beginnings with that sound ("eu": "euro", "eulogy")."""

    def consonant_sound(self, word: str) -> bool:
        """Whether ``word``, opening with a vowel letter, opens with a consonant sound."""
        return word.partition("-")[0] in self.a_ok or word.startswith(self.a_ok_prefixes)


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


def _condition(text: str) -> tuple[frozenset[str], frozenset[str] | None]:
    """``(unless_after, only_after)`` of a pattern's third column."""
    kind, _, words = text.strip().partition(" ")
    if kind == "unless_after":
        return _slot(words), None
    if kind == "only_after":
        return frozenset(), _slot(words)
    raise ValueError(
        f"{_LEXICON}: a condition is 'unless_after {{...}}' or 'only_after {{...}}', got {text!r}"
    )


@lru_cache(maxsize=1)
def slip_patterns() -> Slips:
    """The patterns of ``usage_slips.tsv`` and the article rule's exceptions."""
    by_first: dict[str, list[SlipPattern]] = {}
    a_ok: set[str] = set()
    prefixes: set[str] = set()
    for row in load_table(_LEXICON):
        if len(row) not in (2, 3):
            raise ValueError(f"{_LEXICON}: expected 2 or 3 tab-separated columns, got {row!r}")
        category, pattern = row[0].strip(), row[1]
        slots = _slots(pattern)
        if category in ("a-ok", "a-ok-prefix"):
            if len(slots) != 1 or len(row) != 2:
                raise ValueError(f"{_LEXICON}: an {category} row holds one set of words, got {pattern!r}")
            (a_ok if category == "a-ok" else prefixes).update(slots[0])
            continue
        unless, only = _condition(row[2]) if len(row) == 3 else (frozenset(), None)
        rest = tuple(slots[1:])
        for first in slots[0]:
            by_first.setdefault(first, []).append((rest, unless, only, category))
    return Slips({k: tuple(v) for k, v in by_first.items()}, frozenset(a_ok), tuple(sorted(prefixes)))


def _article_slip(article: str, word: str, slips: Slips, stop: frozenset[str]) -> bool:
    """Whether ``article`` ("a" or "an") before the lower-case ``word`` is a slip by the letter rule.

    The word must open with two letters (a letter alone or with a hyphen is read by its name: "an
    x-ray"), and not be a function word ("a is", "a and": a variable or a letter, not an article).
    After "an", a word with no vowel in its first three characters is an abbreviation said letter by
    letter ("an npm package", "an mp3"), and one that opens with a vowel letter but a consonant sound
    is a slip ("an one-off", "an eulogy")."""
    if len(word) < 2 or not word[:2].isalpha() or word in stop:
        return False
    first = word[0]
    if article == "a":
        return first in _ARTICLE_A_VOWELS and not slips.consonant_sound(word)
    if first in _ARTICLE_AN_CONSONANTS:
        return not _VOWELS.isdisjoint(word[:3])
    return first in _ARTICLE_A_VOWELS and slips.consonant_sound(word)


_NO_WORDS: frozenset[str] = frozenset()


def _word_matches(
    i: int, words: list[str], slips: Slips, stop: frozenset[str]
) -> list[tuple[int, str, frozenset[str], frozenset[str] | None]]:
    """What the words from ``i`` on match, in the order a slip is looked for (the article rule, then
    each pattern): ``(end word, category, unless, only)``, the last two the conditions on the word
    before. Sentence, case, spacing and code are :func:`compute`'s to check."""
    w = words[i]
    nxt = i + 1
    out: list[tuple[int, str, frozenset[str], frozenset[str] | None]] = []
    if w in ("a", "an") and nxt < len(words) and _article_slip(w, words[nxt], slips, stop):
        out.append((nxt + 1, "article", _NO_WORDS, None))
    for rest, unless, only, category in slips.by_first.get(w, ()):
        end = nxt + len(rest)
        if end <= len(words) and all(words[nxt + k] in slot for k, slot in enumerate(rest)):
            out.append((end, category, unless, only))
    return out


@lru_cache(maxsize=1)
def _prefilter() -> tuple[frozenset[str], frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """What a slip can start with: a whole-pattern word, a (word, next word) pair of a longer pattern,
    and an (article, next word's first character) pair of the article rule."""
    by_first = slip_patterns().by_first
    singles = frozenset(w for w, pats in by_first.items() if any(not p[0] for p in pats))
    pairs = frozenset((w, x) for w, pats in by_first.items() for p in pats if p[0] for x in p[0][0])
    articles = frozenset(
        [("a", c) for c in sorted(_ARTICLE_A_VOWELS)]
        + [("an", c) for c in sorted(_ARTICLE_AN_CONSONANTS | _ARTICLE_A_VOWELS)]
    )
    return singles, pairs, articles


@lru_cache(maxsize=1)
def _pair_tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """:func:`_prefilter`'s word pairs and article pairs as first word -> what may follow, for
    ``slopsift._speedups.pair_hits`` (no tuple per pair of words)."""
    _, pairs, articles = _prefilter()
    out: list[dict[str, frozenset[str]]] = []
    for table in (pairs, articles):
        nexts: dict[str, set[str]] = {}
        for w, x in table:
            nexts.setdefault(w, set()).add(x)
        out.append({w: frozenset(xs) for w, xs in nexts.items()})
    return out[0], out[1]


def _pair_hits_py(firsts: list[str], nexts: Sequence[str], table: Mapping[str, Container[str]]) -> list[int]:
    """The indices ``i``, ascending, with ``nexts[i + 1] in table[firsts[i]]`` (``nexts`` a list of
    words or a str of characters); ``slopsift._speedups.pair_hits`` is the C twin."""
    return [
        i for i, (w, x) in enumerate(zip(firsts, nexts[1:], strict=False)) if w in table and x in table[w]
    ]


def _slip_starts(
    words: list[str], firsts: str, pairs: frozenset[tuple[str, str]], articles: frozenset[tuple[str, str]]
) -> set[int]:
    """Where a word pair or an article pair of :func:`_prefilter` starts: set tests over the pairs
    in C (``compress`` stops with its shorter input: the pairs, one fewer than the words), or one
    dict probe per word with ``slopsift._speedups.pair_hits``."""
    sp = _accel.speedups
    if sp is not None:
        pair_table, article_table = _pair_tables()
        found = set(sp.pair_hits(words, words, pair_table))
        found.update(sp.pair_hits(words, firsts, article_table))
        return found
    at = word_indices(len(words))
    found = set(compress(at, map(pairs.__contains__, pairwise(words))))
    found.update(compress(at, map(articles.__contains__, zip(words, firsts[1:], strict=False))))
    return found


def compute(doc: Document) -> FamilyOutput:
    if not doc.n_words:
        return {"slips_per_1k": 0.0}, []
    slips_table = slip_patterns()
    singles, pairs, articles = _prefilter()
    words = doc.words
    firsts = doc.word_initials
    # Where a slip may start, found in C; Python looks at those alone.
    found = _slip_starts(words, firsts, pairs, articles)
    if any(map(doc.word_counts.__contains__, singles)):  # a few probes, not a test per word
        found.update(compress(word_indices(len(words)), map(singles.__contains__, words)))
    evidence: list[Evidence] = []
    slips = 0
    stop = function_words()
    # Most places found hold no slip whatever their context ("an" before any word): only those whose
    # words match the rule or a pattern are looked at in context below.
    matched = [(i, m) for i in sorted(found) if (m := _word_matches(i, words, slips_table, stop))]
    if matched:
        text = doc.text
        starts, ends = doc.word_starts, doc.word_ends
        sentences = doc.sentences
        sentence_starts = doc.sentence_bounds[2]
        line_starts = doc.line_starts
        code = doc.code_lines

        def lower(k: int) -> bool:
            """Word ``k`` is written all in lower case, or is the pronoun "I"."""
            return text[starts[k] : ends[k]].islower() or words[k] == "i"

        def joined(i: int, end: int) -> bool:
            """Words ``i .. end - 1`` have only white space between them, all but the first in lower case."""
            for k in range(i + 1, end):
                if not lower(k) or not text[ends[k - 1] : starts[k]].isspace():
                    return False
            return True

        def in_code(i: int) -> bool:
            """Word ``i`` is on a code line, inside inline code (after an odd number of backticks on its
            line) or right after markup or code syntax ("<a id", "x.a is")."""
            at = starts[i]
            line = bisect_right(line_starts, at) - 1
            if line in code or text.count("`", line_starts[line], at) % 2:
                return True
            return at > 0 and text[at - 1] in _NOT_PROSE_BEFORE

        for i, matches in matched:
            si = bisect_right(sentence_starts, i) - 1
            if si < 0 or i >= sentences[si].word_end:
                continue  # a word outside every sentence
            a, b = sentences[si].word_start, sentences[si].word_end
            if not lower(i) and (i != a or words[i] in _NAMES_AT_START or not firsts[i].isupper()):
                continue
            if in_code(i):
                continue
            before = words[i - 1] if i > a else _SENTENCE_START
            for end, hit, unless, only in matches:
                if end <= b and before not in unless and (only is None or before in only) and joined(i, end):
                    slips += 1
                    if slips <= _MAX_EVIDENCE:
                        evidence.append(Evidence(starts[i], ends[end - 1], "slips_per_1k", hit))
                    break
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
