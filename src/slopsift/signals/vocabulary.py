"""Vocabulary: how common the words are, measured against general English word frequencies.

Language models favour frequent and mid-frequency words and never misspell; people use more very
rare words, slang, names and typos. Each word is looked up once in a Zipf-frequency table
(``word_zipf_en.tsv``, from wordfreq: log10 of occurrences per billion words, 7.7 for "the",
3 for "tapestry"); words outside the table's 30,000 entries count as rare. Frequencies describe
register as much as origin (a learner uses common words; an engineer, jargon), so every feature
is ``neutral``: only useful in combination with the directional families.

Numbers and capitalised words (names) are left out of every share. Cost: one dictionary look-up
per word, O(n).
"""

from __future__ import annotations

import math
from functools import lru_cache

from slopsift.document import Document
from slopsift.lexicons import load_table
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "compute"]

RARE = 3.0
COMMON = 4.5
OOV_ZIPF = 1.0
"""Zipf value given to a word missing from the table (rarer than anything in it)."""


@lru_cache(maxsize=1)
def _zipf() -> dict[str, float]:
    return {w: float(z) for w, z in load_table("word_zipf_en.tsv")}


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
)


def compute(doc: Document) -> FamilyOutput:
    table = _zipf()
    text = doc.text
    n = total = total_sq = 0.0
    rare = mid = unknown = 0
    evidence: list[Evidence] = []
    for w, s, e in zip(doc.words, doc.word_starts, doc.word_ends, strict=True):
        c = text[s]
        if not c.isalpha() or c.isupper():
            continue
        z = table.get(w)
        if z is None:
            z = OOV_ZIPF
            unknown += 1
            if len(evidence) < 25:
                evidence.append(Evidence(s, e, "unknown_word_share"))
        n += 1
        total += z
        total_sq += z * z
        if z < RARE:
            rare += 1
        elif z < COMMON:
            mid += 1
    if not n:
        return dict.fromkeys((f.name for f in FEATURES), 0.0), []
    mean = total / n
    return {
        "mean_zipf": mean,
        "zipf_std": math.sqrt(max(0.0, total_sq / n - mean * mean)),
        "rare_word_share": rare / n,
        "mid_word_share": mid / n,
        "unknown_word_share": unknown / n,
    }, evidence


FAMILY = register(
    Family(
        "vocabulary", "Word frequency profile against general English (neutral).", "O(n)", FEATURES, compute
    )
)
