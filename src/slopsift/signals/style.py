"""Style: register statistics that language models and people distribute differently.

Pronoun use, contractions, formal connectives versus informal markers, punctuation habits,
word-length and paragraph-length profiles. None of these means "low quality" by itself, and each
varies with register (a legal brief has no contractions; a forum post is full of "I"), so every
feature is ``neutral``: the classifier may only use them in combination with the directional
families. Averages over the whole text have no single responsible span, so this family emits
evidence only for its few countable habits (sentences opening in lower case).

One exception has a direction: sentences opening in lower case. Language models capitalise every
sentence; casual human writers (forum posts, learners, quick answers) often do not. So
``lowercase_sentence_starts`` is ``higher_better``, evidence for a human author whose absence
means nothing (the classifier reads it the way it reads misspellings: see
:mod:`slopsift.training.fit`).

Cost: O(n), with little Python code per word. Group words are picked from the words in C
(``compress`` over a set test) and lengths summed in C; contractions are looked for only at the
text's apostrophes (a bisection each); numbers and capitalised words come from the words' first
characters (``Document.word_initials``, one gather shared with the vocabulary family),
counted with ``bytes.translate`` when those are ASCII, else with only the upper-case ones looked at
one by one; the punctuation picked out of the text's UTF-8 bytes by one ``bytes.translate`` and
counted there; one pass over sentences; the paragraphs' word ranges from the parse
(``Document.paragraph_words``). ``compute_values`` skips the evidence.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from functools import lru_cache
from itertools import compress
from operator import itemgetter, lt, mul, sub

from slopsift import _accel
from slopsift.document import Document, Sentence
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
    _spec(
        "dashes_per_1k",
        "Dashes used as punctuation (' - ' or '--'; an em dash reads as '--').",
        "per 1,000 words",
    ),
    _spec("numbers_per_1k", "Words made of digits.", "per 1,000 words"),
    _spec(
        "capitalised_inner_per_1k",
        "Capitalised words not opening a sentence (names, titles).",
        "per 1,000 words",
    ),
    _spec("mean_word_length", "Mean characters per word.", "characters"),
    _spec("word_length_std", "Standard deviation of characters per word.", "characters"),
    FeatureSpec(
        "lowercase_sentence_starts",
        "Sentences whose first letter is lower case / sentences. Evidence for a human author.",
        "fraction",
        "higher_better",
    ),
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


# ``bytes.translate`` deletion sets: ASCII upper-case letters, ASCII lower-case letters, ASCII digits.
_ASCII_UPPER = bytes(range(65, 91))
_ASCII_LOWER = bytes(range(97, 123))
_ASCII_DIGITS = b"0123456789"
# ``bytes.translate`` deletion set: every byte but the punctuation counted.
_NOT_MARKS = bytes(b for b in range(256) if b not in b',;:(?!"-')


_DASH_LOOP_MAX = 96
"""Up to this many hyphens, :func:`_dashes` visits each one instead of scanning the text twice."""


def _dashes(text: str, hyphens: int) -> int:
    """``text.count(" - ") + text.count("--")``, given ``hyphens == text.count("-")``.

    Both are counted at the text's hyphens, found by ``str.find`` (a ``memchr``), when they are few
    (most texts hold a handful): a spaced dash is counted when it starts at or after the end of the
    last one counted, and a run of k hyphens holds k // 2 doubled ones, as ``str.count`` counts
    non-overlapping matches from the left."""
    if hyphens > _DASH_LOOP_MAX:
        return text.count(" - ") + text.count("--")
    spaced = doubled = run = 0
    spaced_end = prev = -2
    i = text.find("-")
    while i >= 0:
        if i >= spaced_end + 1 and text[i - 1 : i] == " " and text[i + 1 : i + 2] == " ":
            spaced += 1
            spaced_end = i + 2
        if i == prev + 1:
            run += 1
        else:
            doubled += run // 2
            run = 1
        prev = i
        i = text.find("-", i + 1)
    return spaced + doubled + run // 2


def _count(data: bytes, chars: bytes) -> int:
    """How many bytes of ``data`` are in ``chars`` (one ``translate``, in C)."""
    return len(data) - len(data.translate(None, chars))


def _contractions(doc: Document) -> int:
    """Words with a contracted ending. Such a word holds an apostrophe, and a word is its span of
    the text lower-cased, so only the words around the text's (few) apostrophes are looked at."""
    text, starts, ends, words = doc.text, doc.word_starts, doc.word_ends, doc.words
    seen: set[int] = set()
    n = 0
    q = text.find("'")
    while q >= 0:
        k = bisect_right(starts, q) - 1
        if k >= 0 and q < ends[k] and k not in seen:
            seen.add(k)
            if words[k].endswith(_CONTRACTION_SUFFIXES):
                n += 1
        q = text.find("'", q + 1)
    return n


def _word_stats_py(words: list[str], groups: dict[str, int], n_groups: int) -> tuple[list[int], int, int]:
    """How many ``words`` are in each group (``groups[word]``, a group number below ``n_groups``), the
    sum of their lengths and of their squares: per-word counts summed in C (integer sums: exact).
    ``slopsift._speedups.word_stats`` is the C twin."""
    counts = [0] * n_groups
    for w in compress(words, map(groups.__contains__, words)):
        counts[groups[w]] += 1
    lengths = list(map(len, words))
    return counts, sum(lengths), sum(map(mul, lengths, lengths))


def _word_stats(words: list[str]) -> tuple[list[int], int, int]:
    """:func:`_word_stats_py` over the style groups, in one C loop when the twins are built."""
    groups = _word_groups()
    sp = _accel.speedups
    got = None if sp is None else sp.word_stats(words, groups, len(_GROUPS))
    return _word_stats_py(words, groups, len(_GROUPS)) if got is None else got


def compute(doc: Document) -> FamilyOutput:
    values, lower_starts = _values(doc, True)
    ends = doc.word_ends
    evidence = [Evidence(s.start, ends[s.word_start], "lowercase_sentence_starts") for s in lower_starts]
    return values, evidence


def compute_values(doc: Document) -> dict[str, float]:
    """``compute(doc)[0]``, without building the evidence."""
    return _values(doc, False)[0]


def _values(doc: Document, evidence: bool) -> tuple[dict[str, float], list[Sentence]]:
    """The feature values and, when ``evidence``, the sentences opening in lower case (the evidence)."""
    words = doc.words
    n = len(words)
    text = doc.text
    firsts = doc.word_initials  # firsts[i] == text[word_starts[i]]
    # When every first character is ASCII, a word's first character is that one lower-cased, so
    # the digit and capital tests below read the first characters directly, in C.
    ascii_firsts = firsts.encode("ascii") if firsts.isascii() else None
    counts, total_len, total_sq = _word_stats(words)
    contractions = _contractions(doc)
    if ascii_firsts is not None:
        numbers = _count(ascii_firsts, _ASCII_DIGITS)
    else:
        numbers = sum(map(str.isdigit, map(itemgetter(0), words)))
    mean_len = total_len / n if n else 0.0
    var_len = max(0.0, total_sq / n - mean_len * mean_len) if n else 0.0

    sents = doc.sentences
    ns = len(sents)
    # The first word of each sentence holding one (no attribute read per sentence): one itemgetter
    # picks their initials and their words out in C.
    sent_ws, sent_we = doc.sentence_bounds[2:]
    nonempty = list(map(lt, sent_ws, sent_we))
    every = all(nonempty)
    opening_at = sent_ws if every else list(compress(sent_ws, nonempty))
    if len(opening_at) > 1:
        pick = itemgetter(*opening_at)
        initials = "".join(pick(firsts))
        conj = sum(map(_CONJ.__contains__, pick(words)))
    else:
        initials = "".join(map(firsts.__getitem__, opening_at))
        conj = sum(map(_CONJ.__contains__, map(words.__getitem__, opening_at)))
    # Capitalised words not opening a sentence.
    if ascii_firsts is not None:
        # All words opening with A-Z (so ``words[i][0]`` is a letter), less those opening a sentence:
        # with no empty sentence, the sentences' first words are distinct and ``initials`` are theirs.
        caps = _count(ascii_firsts, _ASCII_UPPER)
        if every:
            caps -= _count(initials.encode("ascii"), _ASCII_UPPER)
        else:
            caps -= sum(1 for i in set(sent_ws) if i < n and "A" <= firsts[i] <= "Z")
    else:
        # Only the (few) words whose first character is upper case are looked at one by one.
        starts = set(sent_ws)
        upper = {c: c.isupper() for c in set(firsts)}
        caps = 0
        for i in compress(range(n), map(upper.__getitem__, firsts)):
            if i not in starts and words[i][0].isalpha():
                caps += 1
    # Sentences opening with a lower-case letter: counted in C for ASCII initials; the sentences
    # themselves (the evidence) only when asked for.
    if initials.isascii():
        n_lower = _count(initials.encode("ascii"), _ASCII_LOWER)
    else:
        n_lower = sum(1 for c in initials if c.isalpha() and c.islower())
    lower_starts: list[Sentence] = []
    if evidence and n_lower:
        lowered = [c.isalpha() and c.islower() for c in initials]
        lower_starts = list(compress(sents if every else compress(sents, nonempty), lowered))
    firsts_p, ends_p = doc.paragraph_words  # shared with the repetition family
    para_words = [k for k in map(sub, ends_p, firsts_p) if k > 0]
    if len(para_words) >= 3:
        mean_p = sum(para_words) / len(para_words)
        sd_p = math.sqrt(sum((x - mean_p) ** 2 for x in para_words) / len(para_words))
        para_cv = sd_p / mean_p if mean_p else 0.0
    else:
        para_cv = 0.0
    # The punctuation counted below, picked out of the text's UTF-8 bytes by one C pass (the bytes of
    # other characters are all above 127), so that each count reads a few bytes, not the whole text.
    marks = text.encode("utf-8", "surrogatepass").translate(None, _NOT_MARKS)
    dashes = _dashes(text, marks.count(b"-"))

    values: dict[str, float] = {f"{g}_per_1k": _per_1k(c, n) for g, c in zip(_GROUPS, counts, strict=True)}
    values.update(
        contractions_per_1k=_per_1k(contractions, n),
        commas_per_sentence=marks.count(b",") / ns if ns else 0.0,
        semicolons_colons_per_1k=_per_1k(marks.count(b";") + marks.count(b":"), n),
        parentheses_per_1k=_per_1k(marks.count(b"("), n),
        questions_per_sentence=marks.count(b"?") / ns if ns else 0.0,
        exclamations_per_sentence=marks.count(b"!") / ns if ns else 0.0,
        quotes_per_1k=_per_1k(marks.count(b'"'), n),
        dashes_per_1k=_per_1k(dashes, n),
        numbers_per_1k=_per_1k(numbers, n),
        capitalised_inner_per_1k=_per_1k(caps, n),
        mean_word_length=mean_len,
        word_length_std=math.sqrt(var_len),
        lowercase_sentence_starts=n_lower / ns if ns else 0.0,
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
        compute_values,
    )
)
