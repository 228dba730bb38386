"""Style: register statistics that language models and people distribute differently.

Pronoun use, contractions, formal connectives versus informal markers, punctuation habits,
word-length and paragraph-length profiles. None of these means "low quality" by itself, and each
varies with register (a legal brief has no contractions; a forum post is full of "I"), so every
feature is ``neutral``: the classifier may only use them in combination with the directional
families. Averages over the whole text have no single responsible span, so this family emits
evidence only for its few countable habits (sentences opening in lower case).

Cost: O(n). Word-level counts (groups, contractions, numbers, lengths) are summed once per distinct
word (``Document.word_counts``) times its count; capitalised words come from one gather of the
words' first characters, with only the upper-case ones looked at one by one; ``str.count`` over the
text for punctuation; one pass over sentences and paragraphs.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from itertools import compress, repeat
from operator import attrgetter, itemgetter, sub

from slopsift.document import Document
from slopsift.lexicons import load_table
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "compute"]

_GROUPS = ("first_singular", "first_plural", "second_person", "formal_connective", "informal_marker")
_CONTRACTION_SUFFIXES = ("n't", "'re", "'ve", "'ll", "'m", "'d")


@lru_cache(maxsize=1)
def _word_groups() -> dict[str, int]:
    index = {g: i for i, g in enumerate(_GROUPS)}
    return {word: index[group] for group, word in load_table("style_words.tsv")}


def _per_1k(n: float, words: int) -> float:
    return 1000.0 * n / words if words else 0.0


def _spec(name: str, definition: str, unit: str) -> FeatureSpec:
    return FeatureSpec(name, definition, unit, "neutral")


FEATURES: tuple[FeatureSpec, ...] = (
    *(
        _spec(
            f"{g}_per_1k",
            f"Words of the '{g.replace('_', ' ')}' group (lexicon style_words.tsv).",
            "per 1,000 words",
        )
        for g in _GROUPS
    ),
    _spec(
        "contractions_per_1k",
        "Words with a contracted ending (n't, 're, 've, 'll, 'm, 'd).",
        "per 1,000 words",
    ),
    _spec("commas_per_sentence", "Commas divided by sentences.", "commas per sentence"),
    _spec(
        "semicolons_colons_per_1k",
        "Semicolons and colons (outside headings' 'Label:' ends).",
        "per 1,000 words",
    ),
    _spec("parentheses_per_1k", "Opening parentheses.", "per 1,000 words"),
    _spec("questions_per_sentence", "Question marks divided by sentences.", "per sentence"),
    _spec("exclamations_per_sentence", "Exclamation marks divided by sentences.", "per sentence"),
    _spec("quotes_per_1k", "Double quotation marks (after typographic folding).", "per 1,000 words"),
    _spec("dashes_per_1k", "Dashes used as punctuation (' - ' or '--').", "per 1,000 words"),
    _spec("numbers_per_1k", "Words made of digits.", "per 1,000 words"),
    _spec(
        "capitalised_inner_per_1k",
        "Capitalised words not opening a sentence (names, titles).",
        "per 1,000 words",
    ),
    _spec("mean_word_length", "Mean characters per word.", "characters"),
    _spec("word_length_std", "Standard deviation of characters per word.", "characters"),
    _spec("lowercase_sentence_starts", "Sentences whose first letter is lower case / sentences.", "fraction"),
    _spec(
        "conjunction_sentence_starts", "Sentences opening with And, But, So or Or / sentences.", "fraction"
    ),
    _spec(
        "paragraph_length_cv",
        "Coefficient of variation of words per paragraph (0 with fewer than 3 paragraphs).",
        "ratio",
    ),
)

_CONJ = frozenset({"and", "but", "so", "or"})
_START = attrgetter("start")
_END = attrgetter("end")


# ``bytes.translate`` table: 1 for an ASCII upper-case letter, else 0.
_ASCII_UPPER = bytes(int(65 <= b <= 90) for b in range(256))


def _upper_initial(doc: Document) -> list[int]:
    """Indices of the words whose first character in the text is upper case.

    On ASCII text that is a byte in A-Z: one gather of the first bytes and one ``translate``, in C.
    Otherwise each distinct first character is tested once.
    """
    text, starts = doc.text, doc.word_starts
    if len(starts) > 1 and text.isascii():
        flags: Iterable[int] = bytes(itemgetter(*starts)(text.encode("ascii"))).translate(_ASCII_UPPER)
    else:
        firsts = [text[i] for i in starts]
        upper = {c: c.isupper() for c in set(firsts)}
        flags = map(upper.__getitem__, firsts)
    return list(compress(range(len(starts)), flags))


def compute(doc: Document) -> FamilyOutput:
    words = doc.words
    n = len(words)
    # Per-word quantities over the distinct words, weighted by their counts (integer sums: exact).
    wc = doc.word_counts
    groups = _word_groups()
    counts = [0] * len(_GROUPS)
    for w in wc.keys() & groups.keys():
        counts[groups[w]] += wc[w]
    contractions = numbers = total_len = total_sq = 0
    for w, c in wc.items():
        if "'" in w and w.endswith(_CONTRACTION_SUFFIXES):
            contractions += c
        if w[0].isdigit():
            numbers += c
        lw = len(w)
        total_len += lw * c
        total_sq += lw * lw * c
    mean_len = total_len / n if n else 0.0
    var_len = max(0.0, total_sq / n - mean_len * mean_len) if n else 0.0

    text = doc.text
    sents = doc.sentences
    ns = len(sents)
    # Capitalised words not opening a sentence: only the (few) words whose first character is upper
    # case are looked at one by one.
    starts = {s.word_start for s in sents}
    caps = 0
    for i in _upper_initial(doc):
        if i not in starts and words[i][0].isalpha():
            caps += 1
    lower_starts: list[Evidence] = []
    conj = 0
    for s in sents:
        if s.word_end > s.word_start:
            first = text[doc.word_starts[s.word_start]]
            if first.isalpha() and first.islower():
                lower_starts.append(
                    Evidence(s.start, doc.word_ends[s.word_start], "lowercase_sentence_starts")
                )
            if words[s.word_start] in _CONJ:
                conj += 1
    # Words per paragraph: first and end word indices by bisection, all paragraphs in C.
    at = repeat(doc.word_starts)
    firsts = map(bisect_left, at, map(_START, doc.paragraphs))
    ends = map(bisect_left, at, map(_END, doc.paragraphs))
    para_words = [n for n in map(sub, ends, firsts) if n > 0]
    if len(para_words) >= 3:
        mean_p = sum(para_words) / len(para_words)
        sd_p = math.sqrt(sum((x - mean_p) ** 2 for x in para_words) / len(para_words))
        para_cv = sd_p / mean_p if mean_p else 0.0
    else:
        para_cv = 0.0

    values: dict[str, float] = {f"{g}_per_1k": _per_1k(c, n) for g, c in zip(_GROUPS, counts, strict=True)}
    values.update(
        contractions_per_1k=_per_1k(contractions, n),
        commas_per_sentence=text.count(",") / ns if ns else 0.0,
        semicolons_colons_per_1k=_per_1k(text.count(";") + text.count(":"), n),
        parentheses_per_1k=_per_1k(text.count("("), n),
        questions_per_sentence=text.count("?") / ns if ns else 0.0,
        exclamations_per_sentence=text.count("!") / ns if ns else 0.0,
        quotes_per_1k=_per_1k(text.count('"'), n),
        dashes_per_1k=_per_1k(text.count(" - ") + text.count("--"), n),
        numbers_per_1k=_per_1k(numbers, n),
        capitalised_inner_per_1k=_per_1k(caps, n),
        mean_word_length=mean_len,
        word_length_std=math.sqrt(var_len),
        lowercase_sentence_starts=len(lower_starts) / ns if ns else 0.0,
        conjunction_sentence_starts=conj / ns if ns else 0.0,
        paragraph_length_cv=para_cv,
    )
    return values, lower_starts


FAMILY = register(
    Family(
        "style",
        "Register statistics (pronouns, contractions, punctuation, word and paragraph lengths); neutral.",
        "O(n)",
        FEATURES,
        compute,
    )
)
