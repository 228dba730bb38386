"""Phrasing: how machine-like the text's function-word skeleton is.

Language models string their sentences together with a narrow set of grammatical habits ("it is
_ to", ", which _", "not only _ but", "_ , and _ _ .") that people use too, but less uniformly.
Content words say what a text is about, so they are masked: each word of the shared parse becomes
itself if it is a function word (``stopwords_en.txt``), ``0`` if it opens with a digit and ``_``
otherwise, and the punctuation marks ``, . ; : ? ! ( )`` between words are kept. What is left is
the text's *skeleton*: "We took the dog to the vet." is ``we _ the _ to the _ .``. Topic, names and
jargon cannot enter it. Quotes, dashes, line breaks, ``#`` and ``*`` are not tokens, and URLs, link
targets, domain names (``Document.nonprose_spans``) and code lines are left out with their words and
marks, since they are where the corpora's formatting and linking habits differ between their human
and machine sides. What markup is made of words, digits and marks stays: a numbered list item
"1. Step" is ``0 . _``, a link's text its words.

``function_word_ngram_score`` is the mean, over the distinct 1- to 4-token runs of the skeleton, of
each run's log-ratio of frequency in machine versus human text (``function_word_ngrams.tsv``; runs
not in the table count 0), each run weighted by log(1 + its count): a run used often counts more,
but a text cannot reach a high score by repeating one habit. The table is a smoothed naive-Bayes
estimate from the training corpora, refitted with the model (:mod:`slopsift.training.phrasing`,
which also cross-fits it so that the classifier never learns from a text the table was counted
on); its header says which fit wrote it.
Evidence: the few runs that added most to the score, when the score is high; a run whose first place
overlaps the first place of a stronger one is not shown (". as the" inside ". as the _"), though their
later places may overlap.

Its limits: it measures grammar habits, so fluent human writing in a formal register leans towards
the machine side (the classifier reads it beside the other families, never alone), and a generator
whose habits differ from the training generators' is scored on habits it shares with them.

The score is exact: both sums of the weighted mean are exactly rounded (:func:`math.fsum`) and the
weights come from the C library's ``log1p`` (:func:`math.log1p`), so the value does not depend on a
summation order or on numpy's vectorised ``log1p``, and the C twin (``_speedups.phrasing_score``,
a hash table of the runs) returns the same float as :func:`_score_py`.

Cost: O(n) numpy passes over the word ids and the text's code points, one sort of the runs
(O(n log n)) and one binary search per distinct run in the sorted table (t entries); with the C twin,
one pass over the text and the words and one hash probe per run and per distinct run.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import islice, repeat

import numpy as np
from numpy.typing import NDArray

from slopsift import _accel
from slopsift._accel import Speedups
from slopsift.document import Document, word_indices
from slopsift.lexicons import _read, function_words, load_table
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = [
    "FAMILY",
    "FEATURES",
    "NGRAM_MAX",
    "TABLE",
    "compute",
    "ngram_keys",
    "ngram_text",
    "table_sha256",
]

NGRAM_MAX = 4
"""Longest run of skeleton tokens scored."""
TABLE = "function_word_ngrams.tsv"
"""The fitted log-ratios (package data beside the lexicons)."""
EVIDENCE_SCORE = 0.05
"""A score from this high is reported with evidence: below the 90th percentile of the human training
texts' (cross-fitted) values, 0.065 for the shipped model, from which the scorer may name the signal
as a reason (``tests/test_phrasing.py`` keeps it below that tail)."""
EVIDENCE_MIN_RATIO = 0.1
"""A run is shown as evidence only with a log-ratio from this (10% more common in machine text)."""
EVIDENCE_RUNS = 3
"""Distinct runs shown, each at up to :data:`EVIDENCE_SPANS` places."""
EVIDENCE_SPANS = 3
_EVIDENCE_CANDIDATES = 20
MAX_RATIO = 1e100
"""A table's log-ratios are finite and at most this large: the sums of the score cannot overflow."""
_LOG1P_SMALL = 1024

WORD = "_"
NUMBER = "0"
_MASKS = frozenset((WORD, NUMBER))
PUNCTUATION = ",.;:?!()"
_BASE = 160
"""Symbol ids are below this; a run of k symbols is the base-160 number of its ids, and since no id
is 0 the keys of runs of different lengths never collide (a k-run key lies in [160^(k-1), 160^k))."""


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "function_word_ngram_score",
        "Mean over the distinct 1- to 4-token runs of the text's skeleton (function words kept, other "
        "words as '_', numbers as '0', the marks , . ; : ? ! ( ) kept), weighted by log(1 + count), of "
        "each run's log-ratio of frequency in machine versus human training text "
        "(function_word_ngrams.tsv, 0 if absent); evidence: the runs that added most.",
        "nats per run",
        "higher_worse",
    ),
)


@cache
def _symbols() -> tuple[str, ...]:
    """Skeleton tokens by id (id 0 unused): the two word classes, the marks, the function words."""
    words = sorted(w for w in function_words() if " " not in w)
    symbols = ("", WORD, NUMBER, *PUNCTUATION, *words)
    if len(symbols) > _BASE:
        raise ValueError(f"{len(symbols)} skeleton symbols: at most {_BASE - 1} fit the run keys")
    return symbols


@cache
def _token_ids() -> dict[str, int]:
    return {s: i for i, s in enumerate(_symbols()) if i}


@cache
def _word_ids() -> dict[str, int]:
    return {s: i for s, i in _token_ids().items() if i > 2 + len(PUNCTUATION)}


@cache
def _mark_ids() -> NDArray[np.int64]:
    """Code point (below 128) -> id of the mark, 0 for anything else."""
    lut = np.zeros(128, dtype=np.int64)
    for i, c in enumerate(PUNCTUATION, start=3):
        lut[ord(c)] = i
    return lut


@dataclass(frozen=True, slots=True)
class _Prose:
    """The words and text the skeleton reads: the document's own, or, where it holds URLs, link
    targets, domain names or code lines (``Document.nonprose_spans``), the same without them: their
    words left out, their characters blanked (so no mark of theirs is read). Offsets stay the text's."""

    words: list[str]
    ids: list[int]
    """For each word, an earlier or the same place of that word whose own id is itself: the first
    occurrence (``Document.word_ids``), or, for prose cut out of a document, the word's own place."""
    distinct: Iterable[str]
    """The words at the places whose id is themselves, in order (``Document.word_counts``: the distinct
    words in order of first occurrence; or all the words)."""
    initials: str
    text: str
    starts: list[int]
    ends: list[int]


def _prose(doc: Document) -> _Prose:
    """The prose the skeleton reads (see :class:`_Prose`). The kept words are the runs between the
    non-prose spans, so they are gathered as list and string slices (in C); each is its own id (the
    skeleton then looks each word up, not each distinct word: cheaper than finding the first
    occurrences, one dict probe per word in Python)."""
    spans = doc.nonprose_spans
    if not spans:
        return _Prose(
            doc.words,
            doc.word_ids,
            doc.word_counts,
            doc.word_initials,
            doc.text,
            doc.word_starts,
            doc.word_ends,
        )
    text, all_words, all_starts = doc.text, doc.words, doc.word_starts
    all_ends, all_initials = doc.word_ends, doc.word_initials
    pieces: list[str] = []
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    initials: list[str] = []
    pos = 0
    j = 0  # the words before ``j`` are kept or dropped already
    for s, e in spans:  # sorted and disjoint
        i = max(bisect_left(all_starts, s), j)  # words i .. (the new) j - 1 lie inside the span
        words += all_words[j:i]
        starts += all_starts[j:i]
        ends += all_ends[j:i]
        initials.append(all_initials[j:i])
        j = max(bisect_left(all_starts, e), i)
        pieces += (text[pos:s], " " * (e - s))
        pos = e
    words += all_words[j:]
    starts += all_starts[j:]
    ends += all_ends[j:]
    initials.append(all_initials[j:])
    pieces.append(text[pos:])
    ids = list(islice(word_indices(len(words)), len(words)))
    return _Prose(words, ids, words, "".join(initials), "".join(pieces), starts, ends)


def _skeleton(prose: _Prose) -> tuple[NDArray[np.int64], NDArray[np.intp], NDArray[np.intp]]:
    """Symbol ids of the skeleton in text order, the index of each word among them, and the
    text offsets of the marks kept."""
    n = len(prose.words)
    # One look-up per word of ``distinct`` (the distinct words, in order of first occurrence, for a
    # whole document); a word's id in ``ids`` is the place of the word it shares the look-up with.
    distinct = np.fromiter(map(_word_ids().get, prose.distinct, repeat(1)), dtype=np.int64)
    word_ids = np.array(prose.ids, dtype=np.intp)
    rank = np.cumsum(word_ids == np.arange(n)) - 1  # at a place that is its own id: its place in ``distinct``
    ids = distinct[rank[word_ids]]
    initials = prose.initials
    if n and not initials.isalpha():
        first = np.frombuffer(initials.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ids[(first >= 48) & (first <= 57)] = 2  # no function word opens with a digit
    codes = np.frombuffer(prose.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    marks = _mark_ids()[np.minimum(codes, 127)]
    pos = np.flatnonzero(marks)
    starts = np.asarray(prose.starts, dtype=np.intp)
    # Marks inside a word (the point of "3.5") belong to it: the word before a mark is the last to
    # start at or before it; the mark is outside it if that word ends at or before the mark.
    before = np.searchsorted(starts, pos, side="right")
    if n:
        ends = np.asarray(prose.ends, dtype=np.intp)
        outside = (before == 0) | (pos >= ends[np.maximum(before - 1, 0)])
        pos, before = pos[outside], before[outside]
    seq = np.insert(ids, before, marks[pos])
    word_at = np.arange(n, dtype=np.intp) + np.searchsorted(before, np.arange(n), side="right")
    return seq, word_at, pos


def _keys(seq: NDArray[np.int64]) -> NDArray[np.int64]:
    """The key of every run of 1 to :data:`NGRAM_MAX` symbols: the 1-runs in order, then the 2-runs, ..."""
    parts = [seq]
    key = seq
    for k in range(2, NGRAM_MAX + 1):
        if len(seq) < k:
            break
        key = key[:-1] * _BASE + seq[k - 1 :]
        parts.append(key)
    return np.concatenate(parts)


def ngram_keys(doc: Document) -> NDArray[np.int64]:
    """The integer key of every skeleton run of ``doc`` (what the training code counts)."""
    return _keys(_skeleton(_prose(doc))[0])


def ngram_key(run: str) -> int:
    """The key of a run written as its space-separated tokens (``"it is _ to"``)."""
    ids = _token_ids()
    key = 0
    for token in run.split(" "):
        if token not in ids:
            raise ValueError(
                f"{token!r} is not a skeleton token (a function word, '_', '0' or one of {PUNCTUATION})"
            )
        key = key * _BASE + ids[token]
    return key


def ngram_text(key: int) -> str:
    """The run a key stands for, tokens separated by spaces (the inverse of :func:`ngram_key`)."""
    symbols = _symbols()
    out: list[str] = []
    while key:
        key, i = divmod(key, _BASE)
        out.append(symbols[i])
    return " ".join(reversed(out))


def table_sha256() -> str:
    """SHA-256 of the shipped table: a model is fitted against one table (checked when it loads)."""
    return hashlib.sha256(_read(TABLE).encode("utf-8")).hexdigest()


@cache
def _table() -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The table as sorted keys and their log-ratios (read once, about 25 ms: the keys of all runs are
    computed together, one token look-up each)."""
    rows = load_table(TABLE)
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if any(len(row) != 2 for row in rows):
        raise ValueError(f"{TABLE}: every row must be a run and its log-ratio, tab-separated")
    runs = [row[0] for row in rows]
    ratios = np.array([row[1] for row in rows], dtype=np.float64)
    tokens = " ".join(runs).split(" ")
    ids = _token_ids()
    unknown = set(tokens) - ids.keys()
    if unknown:
        raise ValueError(
            f"{TABLE} names {sorted(unknown)[:5]}: not skeleton tokens (a changed function-word list?)"
        )
    lengths = np.array([run.count(" ") + 1 for run in runs])
    if lengths.max() > NGRAM_MAX:
        raise ValueError(f"{TABLE} holds a run of more than {NGRAM_MAX} tokens")
    # each token's place value: BASE ** (tokens after it in its run)
    after = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(tokens)) - 1
    values = np.fromiter(map(ids.__getitem__, tokens), dtype=np.int64, count=len(tokens)) * _BASE**after
    keys = np.add.reduceat(values, np.cumsum(lengths) - lengths)
    order = np.argsort(keys, kind="stable")
    keys, ratios = keys[order], ratios[order]
    if len(keys) > 1 and not (np.diff(keys) > 0).all():
        raise ValueError(f"{TABLE} lists a run twice")
    if not (np.abs(ratios) <= MAX_RATIO).all():
        raise ValueError(f"{TABLE} holds a log-ratio that is not finite or above {MAX_RATIO:g}")
    return keys, ratios


@cache
def _mark_bytes() -> bytes:
    """:func:`_mark_ids` as 128 bytes (for the C twin)."""
    return bytes(_mark_ids().astype(np.uint8))


_c_scorer_of: list[tuple[NDArray[np.int64], NDArray[np.float64], object]] = []
"""The C twin's scorer of the arrays :func:`_table` last returned (tests patch ``_table``)."""


def _c_scorer(sp: Speedups) -> object:
    """``sp.phrasing_table`` of :func:`_table`, built once per table (under 1 ms)."""
    keys, ratios = _table()
    held = _c_scorer_of[0] if _c_scorer_of else None
    if held is None or held[0] is not keys or held[1] is not ratios:
        evidence = (EVIDENCE_SCORE, EVIDENCE_MIN_RATIO, _EVIDENCE_CANDIDATES, EVIDENCE_SPANS)
        scorer = sp.phrasing_table(keys, ratios, _word_ids(), _mark_bytes(), _BASE, NGRAM_MAX, evidence)
        held = (keys, ratios, scorer)
        _c_scorer_of[:] = [held]
    return held[2]


def _ratios(keys: NDArray[np.int64]) -> NDArray[np.float64]:
    """The table's log-ratio of each key, 0.0 where the table lacks it."""
    table, ratios = _table()
    if not len(table):
        return np.zeros(len(keys))
    at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
    return np.where(table[at] == keys, ratios[at], 0.0)


@cache
def _log1p_small() -> NDArray[np.float64]:
    return np.array([math.log1p(c) for c in range(_LOG1P_SMALL)])


def _log1p(counts: NDArray[np.int64]) -> NDArray[np.float64]:
    """:func:`math.log1p` of each count: the C library's ``log1p``, which the C twin calls too
    (numpy's ``np.log1p`` may take a vectorised path that differs in the last bit)."""
    small = _log1p_small()
    out = small[np.minimum(counts, len(small) - 1)]
    big = np.flatnonzero(counts >= len(small))
    if len(big):
        out[big] = list(map(math.log1p, counts[big].tolist()))
    return out


def weighted_counts(keys: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The distinct runs among ``keys`` and their weights, log(1 + count)."""
    runs, counts = np.unique(keys, return_counts=True)
    return runs, _log1p(counts)


def _weighted_mean(weights: NDArray[np.float64], ratios: NDArray[np.float64]) -> float:
    """``sum(weights * ratios) / sum(weights)``, each sum exactly rounded, so the same float in any order
    (the C twin sums in its hash table's order). The zero products are left out: no -0.0 reaches fsum."""
    products = weights * ratios
    return math.fsum(products[products != 0].tolist()) / math.fsum(weights.tolist())


Candidate = tuple[int, int, float, list[tuple[int, int]]]
"""An evidence candidate: a run's key, its count, its log-ratio and the text spans of its first places."""


def _candidates(
    prose: _Prose,
    skeleton: tuple[NDArray[np.int64], NDArray[np.intp], NDArray[np.intp]],
    keys: NDArray[np.int64],
    runs: NDArray[np.int64],
    counts: NDArray[np.int64],
    weights: NDArray[np.float64],
    ratios: NDArray[np.float64],
) -> list[Candidate]:
    """The runs of the largest gains (weight * ratio; of equal gains, the smaller key first), those with a
    log-ratio from :data:`EVIDENCE_MIN_RATIO`, each at its first :data:`EVIDENCE_SPANS` places."""
    top = np.argsort(-(weights * ratios), kind="stable")[:_EVIDENCE_CANDIDATES]
    order = top[ratios[top] >= EVIDENCE_MIN_RATIO].tolist()
    if not order:
        return []
    seq, word_at, marks = skeleton
    # token offsets in skeleton order: words and marks interleaved as in _skeleton
    starts = np.empty(len(seq), dtype=np.intp)
    ends = np.empty(len(seq), dtype=np.intp)
    is_mark = np.ones(len(seq), dtype=bool)
    is_mark[word_at] = False
    starts[word_at] = prose.starts
    ends[word_at] = prose.ends
    starts[is_mark] = marks
    ends[is_mark] = marks + 1
    # where the keys of each run length begin in ``keys`` (see _keys)
    offsets = np.cumsum([0, *(max(0, len(seq) - k + 1) for k in range(1, NGRAM_MAX))])
    out: list[Candidate] = []
    for r in order:
        key = int(runs[r])
        k = 1
        while key >= _BASE**k:
            k += 1
        at = offsets[k - 1]
        places = np.flatnonzero(keys[at : at + len(seq) - k + 1] == key)[:EVIDENCE_SPANS].tolist()
        out.append(
            (key, int(counts[r]), float(ratios[r]), [(int(starts[i]), int(ends[i + k - 1])) for i in places])
        )
    return out


def _evidence(candidates: list[Candidate]) -> list[Evidence]:
    """Spans of the runs that added most to the score, each at its first few places; a run that
    overlaps a stronger one where it first occurs (". as the" inside ". as the _") is skipped, and so is
    a run of masks alone ("_", "_ _", "0"): it would highlight arbitrary words, showing a reader nothing."""
    out: list[Evidence] = []
    taken: list[tuple[int, int]] = []
    for key, count, ratio, spans in candidates:
        shown = ngram_text(key)
        if _MASKS.issuperset(shown.split()):
            continue
        s0, e0 = spans[0]
        if any(s0 < e and s < e0 for s, e in taken):
            continue
        taken.append(spans[0])
        note = f"'{shown}' x{count}, {np.exp(ratio):.1f}x as common in machine text"
        out.extend(Evidence(s, e, "function_word_ngram_score", note) for s, e in spans)
        if len(taken) == EVIDENCE_RUNS:
            break
    return out


def _score_py(prose: _Prose, evidence_score: float = EVIDENCE_SCORE) -> tuple[float, list[Candidate] | None]:
    """The score of a document's prose and, if it has runs and the score reaches ``evidence_score``, its
    evidence candidates. C twin: ``_speedups.phrasing_score``."""
    skeleton = _skeleton(prose)
    keys = _keys(skeleton[0])
    if not len(keys):
        return 0.0, None
    runs, counts = np.unique(keys, return_counts=True)
    weights = _log1p(counts)
    ratios = _ratios(runs)
    score = _weighted_mean(weights, ratios)
    if not score >= evidence_score:
        return score, None
    return score, _candidates(prose, skeleton, keys, runs, counts, weights, ratios)


def _score_c(sp: Speedups, prose: _Prose, evidence: bool = True) -> tuple[float, list[Candidate] | None]:
    """:func:`_score_py` by the C twin; without ``evidence``, the score alone (``_score_py(prose, math.inf)``:
    the candidates of a high score cost a tenth of the call)."""
    return sp.phrasing_score(
        _c_scorer(sp), prose.words, prose.ids, prose.initials, prose.text, prose.starts, prose.ends, evidence
    )


def compute(doc: Document) -> FamilyOutput:
    sp = _accel.speedups
    prose = _prose(doc)
    score, candidates = _score_py(prose) if sp is None else _score_c(sp, prose)
    return {"function_word_ngram_score": score}, [] if candidates is None else _evidence(candidates)


def compute_values(doc: Document) -> dict[str, float]:
    """``compute(doc)[0]``: the score alone (no evidence spans, and in Python no evidence candidates)."""
    sp = _accel.speedups
    prose = _prose(doc)
    score = _score_py(prose, math.inf)[0] if sp is None else _score_c(sp, prose, False)[0]
    return {"function_word_ngram_score": score}


FAMILY = register(
    Family(
        "phrasing",
        "Function-word skeleton n-grams: grammatical habits with the topic masked out.",
        "O(n log n)",
        FEATURES,
        compute,
        compute_values,
    )
)
