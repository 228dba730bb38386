"""Vocabulary: how common the words are, measured against general English word frequencies.

Language models favour frequent and mid-frequency words and never misspell; people use more very
rare words, slang, names and typos. Each word is looked up once in a Zipf-frequency table
(``word_zipf_en.tsv``, from wordfreq: log10 of occurrences per billion words, 7.7 for "the",
3 for "tapestry"); words outside the table's 30,000 entries count as rare. Frequencies describe
register as much as origin (a learner uses common words; an engineer, jargon), so every feature
is ``neutral``: only useful in combination with the directional families.

Misspellings are the exception with a direction. A language model practically never misspells
("recieve", "becuase", "dont"); people, above all learners and casual writers, do. So
``misspelling_per_1k`` is evidence *for* a human author (``higher_better``): it can only raise a
text's quality, and it is what keeps honest learner writing from being flagged on its formulaic
phrasing alone. Its limit: a machine text with typos injected on purpose (a character-level
attack) reads as human to it; the model card reports such attacks.

Numbers and capitalised words (names) are left out of every share and count. Cost: O(n): the words to count
are picked in C from their first characters, their frequencies read from
``Document.word_facts`` (the per-word look-ups the readability family has already
made for the same document, else one dictionary look-up per word), then one loop over the values
(summed in text order, so the floats are those of a plain loop).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import compress
from operator import itemgetter

from slopsift import _accel
from slopsift.document import Document, word_indices
from slopsift.lexicons import WordFacts
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "compute"]

RARE = 3.0
COMMON = 4.5
OOV_ZIPF = 1.0
"""Zipf value given to a word missing from the table (rarer than anything in it)."""
_MAX_EVIDENCE = 25
_ZIPF = itemgetter(1)  # of a word's ``WordFacts``
_MISSPELLED = itemgetter(2)
_GLUED_BEFORE = frozenset("/\\@#_.=:~`<&%$+")
_GLUED_AFTER = frozenset("/\\@_=:`>(")
"""A word touching one of these (``https://``, ``youtu.be``, ``a_b``, ``x@y``, `` `func` ``, ``f(``)
is part of a URL, a path, an e-mail, an identifier or code, not of prose."""


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "mean_zipf",
        "Mean Zipf frequency of the lower-case words (missing words count 1.0).",
        "zipf",
        "neutral",
    ),
    FeatureSpec("zipf_std", "Standard deviation of those Zipf frequencies.", "zipf", "neutral"),
    FeatureSpec(
        "rare_word_share", f"Share of lower-case words with Zipf < {RARE} or missing.", "fraction", "neutral"
    ),
    FeatureSpec(
        "mid_word_share",
        f"Share of lower-case words with {RARE} <= Zipf < {COMMON}: the 'elevated but familiar' band.",
        "fraction",
        "neutral",
    ),
    FeatureSpec(
        "unknown_word_share",
        "Share of lower-case words missing from the 30,000-word table (typos, slang, coinages); "
        "evidence: those words.",
        "fraction",
        "neutral",
    ),
    FeatureSpec(
        "misspelling_per_1k",
        "Misspelled words per 1,000 words: all-lower-case words of 4+ ASCII letters that are not "
        "English words (SCOWL) but one edit from a common one ('recieve', 'dont'), in prose (not "
        "glued to URL, path or code syntax: 'https://', 'util.py', '`func`'); evidence: the "
        "misspellings. Evidence for a human author.",
        "per 1,000 words",
        "higher_better",
    ),
)


# ``bytes.translate`` table: 1 for an ASCII lower-case letter, else 0.
_ASCII_LOWER = bytes(int(97 <= b <= 122) for b in range(256))


def _lower_initial(doc: Document) -> Sequence[int]:
    """1/True for each word whose first character in the text is a letter, not upper case.

    The first characters come from ``Document.word_initials`` (shared with the style
    family). On ASCII text the test is a byte in a-z, one ``translate`` in C; otherwise each
    distinct first character is tested once.
    """
    firsts = doc.word_initials
    if firsts.isascii():
        return firsts.encode("ascii").translate(_ASCII_LOWER)
    keep = {c: c.isalpha() and not c.isupper() for c in set(firsts)}
    return list(map(keep.__getitem__, firsts))


def _in_prose(text: str, start: int, end: int) -> bool:
    """Whether the word ``text[start:end]`` stands in prose: not glued to URL, path or code syntax
    (``https`` in a link, ``dtype`` in ``np.dtype``, ``util`` in ``util.py``)."""
    if start and text[start - 1] in _GLUED_BEFORE:
        return False
    if end < len(text):
        nxt = text[end]
        if nxt in _GLUED_AFTER or (nxt == "." and end + 1 < len(text) and text[end + 1].isalnum()):
            return False
    return True


def _zipf_stats(zs: list[float | None]) -> tuple[float, float, int, int, int]:
    """Sum and sum of squares of the Zipf values (``OOV_ZIPF`` for a missing one), and how many are
    rare, mid-frequency and missing; one loop (inside ``slopsift._speedups.zipf_profile`` in C)."""
    total = total_sq = 0.0
    rare = mid = unknown = 0
    for z in zs:
        if z is None:
            z = OOV_ZIPF
            unknown += 1
        total += z
        total_sq += z * z
        if z < RARE:
            rare += 1
        elif z < COMMON:
            mid += 1
    return total, total_sq, rare, mid, unknown


Profile = tuple[float, float, int, int, int, int, list[int], list[int]]
""":func:`_zipf_stats` of the chosen words, how many were chosen, the word indices of the misspelled
ones and of the first few missing from the table."""


def _profile_py(facts: list[WordFacts], flags: Sequence[int], max_unknown: int) -> Profile:
    """The :data:`Profile` of the words whose ``flags`` are true (``slopsift._speedups.zipf_profile``
    is the C twin): their facts picked in C, one loop over the Zipf values (floats only)."""
    if len(flags) > len(facts):  # (``word_indices`` may run past the words)
        flags = flags[: len(facts)]
    chosen_at = list(compress(word_indices(len(facts)), flags))
    chosen = list(map(facts.__getitem__, chosen_at))
    zs = list(map(_ZIPF, chosen))
    total, total_sq, rare, mid, unknown = _zipf_stats(zs)
    misspelt_at = list(
        map(chosen_at.__getitem__, compress(word_indices(len(chosen)), map(_MISSPELLED, chosen)))
    )
    unknown_at: list[int] = []
    j = -1
    for _ in range(min(unknown, max_unknown)):
        j = zs.index(None, j + 1)
        unknown_at.append(chosen_at[j])
    return total, total_sq, rare, mid, unknown, len(zs), misspelt_at, unknown_at


def compute(doc: Document) -> FamilyOutput:
    # Words that open with a lower-case letter (numbers and names are left out), in text order.
    flags = _lower_initial(doc)
    # Their table values (None if missing), in text order; the loop then runs over floats only.
    sp = _accel.speedups
    prof = (
        _profile_py(doc.word_facts, flags, _MAX_EVIDENCE)
        if sp is None
        else sp.zipf_profile(doc.word_facts, flags, OOV_ZIPF, RARE, COMMON, _MAX_EVIDENCE)
    )
    total, total_sq, rare, mid, unknown, chosen, misspelt_at, unknown_at = prof
    if not chosen:
        return dict.fromkeys((f.name for f in FEATURES), 0.0), []
    n = float(chosen)
    evidence: list[Evidence] = []
    starts, ends = doc.word_starts, doc.word_ends
    misspelt = 0
    text = doc.text
    for i in misspelt_at:
        if text[starts[i] : ends[i]].islower() and _in_prose(text, starts[i], ends[i]):
            misspelt += 1
            if misspelt <= _MAX_EVIDENCE:
                evidence.append(Evidence(starts[i], ends[i], "misspelling_per_1k"))
    for i in unknown_at:
        evidence.append(Evidence(starts[i], ends[i], "unknown_word_share"))
    mean = total / n
    return {
        "mean_zipf": mean,
        "zipf_std": math.sqrt(max(0.0, total_sq / n - mean * mean)),
        "rare_word_share": rare / n,
        "mid_word_share": mid / n,
        "unknown_word_share": unknown / n,
        "misspelling_per_1k": 1000.0 * misspelt / doc.n_words,
    }, evidence


FAMILY = register(
    Family(
        "vocabulary", "Word frequency profile against general English (neutral).", "O(n)", FEATURES, compute
    )
)
