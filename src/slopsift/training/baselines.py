"""The Gopher rules (Rae et al. 2021, Appendix A) used as a classifier, for comparison.

Quality rules and their thresholds follow datatrove's ``GopherQualityFilter`` defaults and the
repetition thresholds its ``GopherRepetitionFilter`` defaults; the repetition statistics are
slopsift's own implementation of them (the ``repetition.*`` features), the quality statistics are
computed here from the shared parse. A text's score is the number of rules it breaks, and
"flag if any rule fires" is the classifier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from slopsift.document import parse
from slopsift.features import feature_names

if TYPE_CHECKING:
    from slopsift.training.evaluate import Table

__all__ = ["REPETITION_RULES", "gopher_quality_rules", "gopher_scores"]

REPETITION_RULES = {
    "repetition.dup_line_frac": 0.3,
    "repetition.dup_para_frac": 0.3,
    "repetition.dup_line_char_frac": 0.2,
    "repetition.dup_para_char_frac": 0.2,
    "repetition.top_2gram_char_frac": 0.20,
    "repetition.top_3gram_char_frac": 0.18,
    "repetition.top_4gram_char_frac": 0.16,
    "repetition.dup_5gram_char_frac": 0.15,
    "repetition.dup_6gram_char_frac": 0.14,
    "repetition.dup_7gram_char_frac": 0.13,
    "repetition.dup_8gram_char_frac": 0.12,
    "repetition.dup_9gram_char_frac": 0.11,
    "repetition.dup_10gram_char_frac": 0.10,
}
_GOPHER_STOP = frozenset(["the", "be", "to", "of", "and", "that", "have", "with"])
_BULLETS = ("-", "*", "\u2022", "\u2023", "\u25cf", "\u25e6")


def gopher_quality_rules(text: str) -> int:
    """Number of Gopher quality rules ``text`` breaks."""
    doc = parse(text)
    words = doc.words
    n = len(words)
    fired = 0
    if n < 50 or n > 100_000:
        fired += 1
    mean_len = sum(map(len, words)) / n if n else 0.0
    if mean_len < 3 or mean_len > 10:
        fired += 1
    t = doc.text
    if n and (t.count("#") + t.count("...")) / n > 0.1:
        fired += 1
    lines = [t[ln.start : ln.end] for ln in doc.lines if not ln.blank]
    if lines:
        if sum(ln.lstrip().startswith(_BULLETS) for ln in lines) / len(lines) > 0.9:
            fired += 1
        if sum(ln.rstrip().endswith("...") for ln in lines) / len(lines) > 0.3:
            fired += 1
    if n and sum(any(c.isalpha() for c in w) for w in words) / n < 0.8:
        fired += 1
    if sum(w in _GOPHER_STOP for w in words) < 2:
        fired += 1
    return fired


def gopher_scores(table: Table) -> np.ndarray:
    """Rules broken per text, reusing the already-computed repetition features of ``table``."""
    names = feature_names()
    rep = np.zeros(len(table.texts))
    for name, limit in REPETITION_RULES.items():
        if name in names:
            rep += table.x[:, names.index(name)] > limit
    qual = np.array([gopher_quality_rules(t) for t in table.texts], dtype=np.float64)
    return rep + qual
