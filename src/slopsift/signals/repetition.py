"""Repetition: the same lines, paragraphs, phrases, openers and wording over and over.

Content farms and LLM filler repeat themselves: the title comes back as the heading of every
section, a keyword phrase is stuffed into every paragraph, sentences are re-worded copies of each
other and half the sentences open with "It is". The Gopher repetition statistics (Rae et al. 2021,
"Scaling Language Models", Appendix A, Table A1, as implemented by datatrove's
``GopherRepetitionFilter``) measure exact repetition; the other features catch near-duplicates,
keyword stuffing and low lexical diversity.

Only prose counts: lines of fenced or indented code blocks, URLs, markdown link targets and domain
names are masked (their words become unique placeholders that never repeat, and are left out of
word counts, character totals, MTLD and the compressed text), because code and links repeat for
reasons that say nothing about the writing. "Words" below means these prose words.

n-grams are over ``Document.words`` (lower-cased) as integer ids (``Document.word_ids``; a masked
word gets a unique id of its own), an n-gram's key being the int ``id(its (n-1)-gram) * base +
id(last word)`` and a repeated n-gram's id the position of its first occurrence. They are
counted by a pruned scan: an n-gram can only occur twice where the
(n-1)-grams at its position and the next one both do, so level n examines only the repeated
positions of level n-1 and the whole 1..10-gram scan handles at most 10 n keys (a text that is
one phrase repeated) and far fewer on real text. A level with many keys (level 2 of any real
document) is grouped by one numpy sort, a small one by two dict loops.

Time complexity, n = words, c = characters, s = sentences/paragraphs:

* duplicate lines / paragraphs                O(c)  one hash per line / paragraph
* top 2-4-gram and duplicate 5-10-gram        O(n log n)  pruned scan above (sorts in numpy),
  then one pass per level; a candidate n-gram's coverage is count x its characters unless it
  is periodic (only then can its occurrences overlap)
* most repeated phrase                        O(n log n)  reads the same scan (levels 2-6), visits
  candidates best count first and stops at the first that cannot win
* near-duplicate sentences / paragraphs       O(n * K)  candidates come only from shared shingles,
  each shingle's posting list is capped at K = 8 units and at most 16 candidates are scored;
  a unit whose shingles all repeat is first looked up as an exact duplicate in O(1), a unit
  with too few repeated shingles to reach the Jaccard threshold is only indexed, and the units
  after the last one with enough repeated shingle positions (one numpy search) are skipped
* repeated openers                            O(s)
* compressibility                             O(min(c, 200,000)) one zlib pass
* MTLD                                        O(n)  two passes over the ids (a flat list, no dict)

The word-level features (n-grams, phrases, near-duplicates, MTLD) read at most the first 200,000
words, which bounds the worst case (megabytes of one sentence repeated) to about a second on one
core; the rest of a longer text does not change them.

With ``slopsift._speedups`` built, the loops run as C twins with the same results (the Python
versions define them): the n-gram scan (which also skips 2-grams holding a word that occurs once),
the top n-grams' and repeated runs' coverage, the phrase search (candidates off a heap, not
sorted), MTLD, the near-duplicate units' bounds and pairs, the scan for lines with a letter and the
repeated sentence openers.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from heapq import nlargest
from itertools import chain, compress, count, islice, repeat
from operator import add, eq, itemgetter, lt, ne, sub

import numpy as np

from slopsift import _accel
from slopsift._frozen import build_frozen, slot_descriptors
from slopsift.document import MAX_INDEXED, Document, Paragraph, Sentence, _shared_indices, bisect_lefts
from slopsift.lexicons import function_words
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

TOP_NGRAMS = (2, 3, 4)
DUP_NGRAMS = (5, 6, 7, 8, 9, 10)
PHRASE_MIN, PHRASE_MAX = 2, 6
SHINGLE = 3
NEAR_DUP_MIN_WORDS = 8
NEAR_DUP_JACCARD = 0.5
POSTING_CAP = 8
CANDIDATE_CAP = 16
TIE_CAP = 32
OPENER_WORDS = 2
OPENER_MIN_WORDS = 4
OPENER_MIN_USES = 3
COMPRESS_MAX_CHARS = 200_000
MAX_SCAN_WORDS = 200_000
MTLD_THRESHOLD = 0.72
MAX_EVIDENCE = 25

# Evidence thresholds for features whose value on clean human text is not zero: at or below the 85th
# percentile of the human training texts (the 15th for MTLD, where lower is worse), so that a signal
# in the tail from which the scorer draws its reasons (``scoring.TAIL``, the 90th) always comes with the
# words that put it there. A test checks them against the shipped model's human percentiles.
TOP_NGRAM_EVIDENCE = {2: 0.055, 3: 0.05, 4: 0.035}
DUP_NGRAM_EVIDENCE = {5: 0.02, 6: 0.008, 7: 0.001, 8: 0.001, 9: 0.001, 10: 0.001}
PHRASE_EVIDENCE_MIN_COUNT = 3
PHRASE_EVIDENCE_MIN_RATE = 12.0
OPENER_EVIDENCE = 0.001
COMPRESSIBILITY_EVIDENCE = 0.51
MTLD_EVIDENCE = 60.0

Span = Sentence | Paragraph
_HAS_LETTER = re.compile(r"[^\W\d_]")

_GOPHER = "Gopher (Rae et al. 2021, Table A1) as in datatrove"
PASTED_LIMIT = 0.2
"""Gopher's limit on the character share of repeated lines and of repeated paragraphs (both 0.2)."""
PASTED_NGRAM_LIMIT = 0.5
"""The share of words in repeats of a 10-word sequence past which a text counts as pasted too: one
human text in the 24,278 of the training corpus is above it (a scraped page whose paragraphs repeat), 30
above 0.3 (statutes, refrains, essays restating their prompt)."""
_DUP_UNIT_SIGNALS = frozenset(("dup_line_frac", "dup_para_frac"))


def _top_spec(n: int) -> FeatureSpec:
    return FeatureSpec(
        f"top_{n}gram_char_frac",
        f"Characters of the words covered by the most frequent word {n}-gram (every occurrence, "
        f"overlaps counted once) / characters of all words; 0 unless that {n}-gram occurs at "
        "least twice. Ties: more covered characters, then the earlier first occurrence (among "
        f"the first {TIE_CAP} tied n-grams). {_GOPHER}, except that spaces are not counted and "
        "overlapping occurrences are not double counted, so the value lies in [0, 1]. Evidence "
        f"(each occurrence) when >= {TOP_NGRAM_EVIDENCE[n]} (about the 85th percentile of human text; "
        "Gopher's filter threshold is 0.20 to 0.16).",
        "fraction of word characters",
        "higher_worse",
    )


def _dup_spec(n: int) -> FeatureSpec:
    return FeatureSpec(
        f"dup_{n}gram_char_frac",
        f"Characters of the words lying in a repeat of a word {n}-gram (an occurrence at a position "
        f"after its first occurrence), each word counted once / characters of all words. {_GOPHER} "
        f"(find_all_duplicate), without its skip-ahead approximation. Evidence (each merged run of "
        f"repeated words) when >= {DUP_NGRAM_EVIDENCE[n]} (about the 85th percentile of human text; "
        "Gopher's filter threshold is 0.15 to 0.10).",
        "fraction of word characters",
        "higher_worse",
    )


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "dup_line_frac",
        "Prose lines (non-blank, with a letter, outside code blocks; compared after stripping "
        "whitespace, headings by their words without markers) that repeat an earlier line / prose "
        f"lines. {_GOPHER}. Evidence: each repeated occurrence.",
        "fraction of lines",
        "higher_worse",
    ),
    FeatureSpec(
        "dup_line_char_frac",
        "Characters of the repeated lines counted in dup_line_frac / characters of all prose "
        f"lines (as compared, newlines excluded). {_GOPHER}. Evidence: each repeated occurrence (as for "
        "dup_line_frac).",
        "fraction of line characters",
        "higher_worse",
    ),
    FeatureSpec(
        "dup_para_frac",
        "Paragraphs (blocks of non-blank lines between blank lines, stripped; a one-line heading "
        "by its words; only those with a prose line) that repeat an earlier paragraph exactly / "
        f"paragraphs. {_GOPHER}. Evidence: each repeated occurrence.",
        "fraction of paragraphs",
        "higher_worse",
    ),
    FeatureSpec(
        "dup_para_char_frac",
        "Characters of the repeated paragraphs counted in dup_para_frac / characters of all "
        f"paragraphs (stripped). {_GOPHER}. Evidence: each repeated occurrence (as for dup_para_frac).",
        "fraction of paragraph characters",
        "higher_worse",
    ),
    *(_top_spec(n) for n in TOP_NGRAMS),
    *(_dup_spec(n) for n in DUP_NGRAMS),
    FeatureSpec(
        "near_dup_sentence_frac",
        f"Sentences of >= {NEAR_DUP_MIN_WORDS} words whose set of word {SHINGLE}-grams has Jaccard "
        f">= {NEAR_DUP_JACCARD} with that of an earlier such sentence / sentences of >= "
        f"{NEAR_DUP_MIN_WORDS} words. Exact and bounded: candidates share a {SHINGLE}-gram; each "
        f"{SHINGLE}-gram indexes its first {POSTING_CAP} sentences and the {CANDIDATE_CAP} candidates "
        "sharing most are scored. Evidence: both sentences of each pair.",
        "fraction of sentences",
        "higher_worse",
    ),
    FeatureSpec(
        "near_dup_para_frac",
        f"As near_dup_sentence_frac, over paragraphs of >= {NEAR_DUP_MIN_WORDS} words (word "
        f"{SHINGLE}-grams of the whole paragraph). Evidence: both paragraphs of each pair.",
        "fraction of paragraphs",
        "higher_worse",
    ),
    FeatureSpec(
        "top_phrase_per_1k",
        f"Occurrences of the most repeated phrase of {PHRASE_MIN}-{PHRASE_MAX} words (within one "
        "sentence) per 1,000 prose words; 0 unless it occurs at least twice. A 2-word phrase "
        "must be two content words, a longer one must hold at least one (content word: 2+ "
        "characters with a letter, not in stopwords_en.txt). Names are skipped: phrases whose "
        "content words are all capitalised in most occurrences. Ties go to the longer phrase, "
        "then the earlier. Evidence (every occurrence, note names phrase and count) when it "
        f"occurs >= {PHRASE_EVIDENCE_MIN_COUNT} times and >= {PHRASE_EVIDENCE_MIN_RATE:g} per "
        "1,000 words.",
        "occurrences per 1,000 words",
        "higher_worse",
    ),
    FeatureSpec(
        "repeated_opener_frac",
        f"Sentences of >= {OPENER_MIN_WORDS} words whose first {OPENER_WORDS} words (lower-cased) "
        f"open >= {OPENER_MIN_USES} such sentences, e.g. 'it is', 'in addition' / sentences of >= "
        f"{OPENER_MIN_WORDS} words. Evidence (the opener words of each such sentence) when >= "
        f"{OPENER_EVIDENCE}.",
        "fraction of sentences",
        "higher_worse",
    ),
    FeatureSpec(
        "compressibility",
        "1 - zlib(level 1) compressed bytes / UTF-8 bytes of the normalised text without code and "
        f"links (first {COMPRESS_MAX_CHARS:,} characters), clipped at 0; 0 for empty text. Higher "
        "= more redundant. "
        "Length-sensitive: short texts compress poorly (about 0.35-0.45 for 100 words of prose, "
        "0.5-0.6 for 1,000), so read it together with length. Evidence (the repeated word runs of "
        "dup_5gram_char_frac, or if there are none the occurrences of the most frequent repeated 3-gram, "
        f"else 2-gram) when >= {COMPRESSIBILITY_EVIDENCE}.",
        "fraction of bytes saved",
        "higher_worse",
    ),
    FeatureSpec(
        "mtld",
        "Measure of Textual Lexical Diversity (McCarthy & Jarvis 2010) over the words: the mean "
        "length of a run of words whose type-token ratio stays above "
        f"{MTLD_THRESHOLD} (partial last run pro-rated), averaged over a forward and a backward pass; "
        "the word count when no run ever completes (all words distinct); 0 for no words. Roughly "
        "length-independent. Evidence (occurrences of the most frequent content words) when < "
        f"{MTLD_EVIDENCE:g}.",
        "words per factor",
        "higher_better",
    ),
    FeatureSpec(
        "pasted_share",
        "How far the text is made of copies: the largest of dup_line_char_frac, dup_para_char_frac and "
        "the same share over prose sentences (copies pasted without line breaks) past Gopher's limit of "
        f"{PASTED_LIMIT}, rescaled to 0..1, or dup_10gram_char_frac past {PASTED_NGRAM_LIMIT} rescaled "
        "the same way (copies the sentence splitter cannot cut apart), whichever is larger: 0 for a text "
        "with a few incidental repeats, 0.375 for a text pasted twice, near 1 for one paragraph over and "
        "over. Evidence: the repeated lines and paragraphs, sentences or word runs, whichever set it.",
        "fraction past the limit",
        "higher_worse",
    ),
)


# --------------------------------------------------------------------------------------------
# what is not prose: code, URLs, domain names


Runs = tuple[list[int], list[int]]
"""Word ranges ``[firsts[k], ends[k])`` as two columns (no tuple per range)."""


@dataclass(slots=True)
class _Prose:
    """The words as integer ids (``Document.word_ids``) with code, URLs and domains replaced by
    unique ids ``>= n_words of the document`` (so they never repeat), the prose lines and the prose
    text to compress. ``n_words`` and ``chars`` count the words left unmasked, ``kept`` lists the
    word ranges left unmasked as (firsts, ends) when some are masked."""

    ids: list[int]
    n_words: int
    chars: int
    lines: list[int]
    text: str
    kept: Runs | None = None


def _letter_lines_py(raws: list[str]) -> list[int]:
    """The indices of the lines with a letter (``_HAS_LETTER``), found by C-level maps
    (``slopsift._speedups.letter_lines`` is the C twin)."""
    return list(compress(range(len(raws)), map(_HAS_LETTER.search, raws)))


def _repeated_spans_py(text: str, starts: list[int], ends: list[int]) -> list[int]:
    """The ``k``, ascending, whose span ``text[starts[k]:ends[k]]`` equals an earlier one's
    (``slopsift._speedups.repeated_spans`` is the C twin, which makes no str of them). A str
    subclass is sliced as a str, as the C twin reads its characters."""
    keys = list(map(str.__getitem__, repeat(text), map(slice, starts, ends)))
    if len(set(keys)) == len(keys):  # (most texts repeat no sentence)
        return []
    seen: set[str] = set()
    repeats = []
    for k, key in enumerate(keys):
        if key in seen:
            repeats.append(k)
        else:
            seen.add(key)
    return repeats


def _prose(doc: Document) -> _Prose:
    text = doc.text
    code = doc.code_lines
    # Lines with a letter (so not blank), then without the code lines.
    sp = _accel.speedups
    lines = _letter_lines_py(doc.line_texts) if sp is None else sp.letter_lines(doc.line_texts)
    if code:
        lines = [i for i in lines if i not in code]
    merged = doc.nonprose_spans
    ids = doc.word_ids
    n = len(ids)
    words = doc.words
    if sp is not None:
        chars = sp.covered_chars([0], [n], words)
    else:  # ASCII lower-casing keeps lengths, so the word characters are the summed spans then
        chars = sum(doc.word_ends) - sum(doc.word_starts) if text.isascii() else sum(map(len, words))
    if not merged:
        return _Prose(ids, n, chars, lines, text[:COMPRESS_MAX_CHARS])
    ids = list(ids)
    span_starts, span_ends = list(map(_start_of, merged)), list(map(_end_of, merged))
    firsts, ends = doc.words_between_each(span_starts, span_ends)
    masked = sum(ends) - sum(firsts)
    chars -= _covered((firsts, ends), words) if sp is None else sp.covered_chars(firsts, ends, words)
    # the masked ids n + i as the shared ints of word_indices where it holds them (no int allocated)
    shared = _shared_indices() if 2 * n <= MAX_INDEXED else range(2 * n)
    for i, j in zip(firsts, ends, strict=True):
        ids[i:j] = shared[n + i : n + j]
    # The text between the spans, which are sorted and merged (each starts after the previous one
    # ends): the gaps cut out by C-level maps. Joining the gaps past COMPRESS_MAX_CHARS changes
    # nothing that is kept.
    gaps = map(text.__getitem__, map(slice, [0, *span_ends], [*span_starts, len(text)]))
    kept = ([0, *ends], [*firsts, n])  # the ranges between the masked ones
    return _Prose(ids, n - masked, chars, lines, "".join(gaps)[:COMPRESS_MAX_CHARS], kept)


_start_of = itemgetter(0)
_end_of = itemgetter(1)


# --------------------------------------------------------------------------------------------
# exact duplicate units (lines, paragraphs)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without surrounding whitespace."""
    if start < end and not text[start].isspace() and not text[end - 1].isspace():
        return start, end
    seg = text[start:end]
    return start + (len(seg) - len(seg.lstrip())), start + len(seg.rstrip())


def _dup_units(
    keys: Sequence[str],
    span: Callable[[int], tuple[int, int]],
    signals: tuple[str, ...],
    unit: str,
    ev: list[Evidence] | None,
) -> tuple[float, float]:
    """Gopher duplicate fraction by count and by characters over stripped, non-empty units.

    ``keys`` are the units' texts; ``span(k)`` gives the character span of unit ``k`` and is
    called only for the evidence of repeated units (none when ``ev`` is None), one span per name of
    ``signals``: the fraction by characters is shown by the same repeats as the one by count."""
    if not keys:
        return 0.0, 0.0
    if len(set(keys)) == len(keys):  # (a set costs less than a Counter)
        return 0.0, 0.0
    counts = Counter(keys)
    seen: set[str] = set()
    dup = dup_chars = 0
    total_chars = sum(map(len, keys))
    emitted = 0
    for k, key in enumerate(keys):
        if key in seen:
            dup += 1
            dup_chars += len(key)
            if ev is not None and emitted < MAX_EVIDENCE:
                start, end = span(k)
                note = f"{unit} repeated {counts[key]}x"
                ev.extend(Evidence(start, end, signal, note) for signal in signals)
                emitted += 1
        else:
            seen.add(key)
    return dup / len(keys), (dup_chars / total_chars if total_chars else 0.0)


# --------------------------------------------------------------------------------------------
# n-grams


class _Level:
    """The repeated word n-grams of one length n.

    An n-gram's id is the position of its first occurrence. ``pos`` holds, ascending, the
    positions whose n-gram occurs >= 2 times and ``gids[k]`` the id of the n-gram at ``pos[k]``;
    ``first`` lists the ids of the repeated n-grams ascending and ``counts[r]`` the number of
    occurrences of n-gram ``first[r]`` (``r``, its rank, numbers them in order of first occurrence).
    A level built in numpy keeps ``arrays`` (pos, gids, counts) and makes the lists ``pos`` and
    ``gids`` only when they are read (most levels never need them).
    """

    __slots__ = ("_gids", "_pos", "arrays", "counts", "first")

    def __init__(
        self,
        pos: list[int] | None,
        gids: list[int] | None,
        counts: list[int],
        first: list[int],
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self._pos, self._gids, self.counts, self.first, self.arrays = pos, gids, counts, first, arrays

    @property
    def pos(self) -> list[int]:
        if self._pos is None:
            assert self.arrays is not None
            self._pos = self.arrays[0].tolist()
        return self._pos

    @property
    def gids(self) -> list[int]:
        if self._gids is None:
            assert self.arrays is not None
            self._gids = self.arrays[1].tolist()
        return self._gids

    def repeats(self) -> list[int]:
        """The positions of occurrences after the first."""
        if self.arrays is not None:
            pos, gids, _ = self.arrays
            return pos[pos != gids].tolist()  # type: ignore[no-any-return]
        return list(compress(self.pos, map(ne, self.pos, self.gids)))

    def positions_of(self, rank: int) -> list[int]:
        """The positions of the n-gram of rank ``rank``: one numpy comparison on a long level,
        else a C-level scan from its first occurrence that stops at its last."""
        gid = self.first[rank]
        if self.arrays is not None and len(self.arrays[0]) > _NUMPY_MIN:
            pos_a, gids_a, _ = self.arrays
            return pos_a[gids_a == gid].tolist()  # type: ignore[no-any-return]
        pos, find = self.pos, self.gids.index
        k = bisect_left(pos, gid)
        out = [gid]
        for _ in repeat(None, self.counts[rank] - 1):  # list.index scans in C, copying nothing
            k = find(gid, k + 1)
            out.append(pos[k])
        return out


_EMPTY = _Level([], [], [], [])
_second = itemgetter(1)
_NUMPY_MIN = 128  # keys from which a level is cheaper in numpy
_ONE = 1  # ``map(_ONE.__lt__, counts)`` flags counts above one without a Python-level loop


def _level(
    positions: Iterable[int], keys: Sequence[int], ids: Sequence[int], base: int, n: int
) -> tuple[_Level, list[int], list[int]]:
    """Keep the positions whose n-gram key occurs at least twice, with the position of the key's
    first occurrence as the n-gram's id. Also returns the candidates and keys of level n + 1:
    positions p kept together with p + 1, keyed ``id(n-gram at p) * base + ids[p + n]``.

    Two plain loops: for the short inputs it gets (under ``_NUMPY_MIN`` keys) this beats both
    C-level iterator pipelines and numpy, whose fixed costs dominate there."""
    counts: dict[int, int] = {}
    first_at: dict[int, int] = {}
    for p, key in zip(positions, keys, strict=True):  # dicts keep first-occurrence order
        if key in counts:
            counts[key] += 1
        else:
            counts[key] = 1
            first_at[key] = p
    if len(counts) == len(keys):
        return _EMPTY, [], []
    labels = {key: first_at[key] for key, c in counts.items() if c > 1}
    pos: list[int] = []
    gids: list[int] = []
    cand: list[int] = []
    nxt: list[int] = []
    get = labels.get
    prev_p, prev_g = -2, 0
    for p, key in zip(positions, keys, strict=True):
        g = get(key)
        if g is not None:
            if p == prev_p + 1:
                cand.append(prev_p)
                nxt.append(prev_g * base + ids[prev_p + n])
            pos.append(p)
            gids.append(g)
            prev_p, prev_g = p, g
    rep_counts = list(filter(_ONE.__lt__, counts.values()))
    return _Level(pos, gids, rep_counts, list(labels.values())), cand, nxt


def _level_np(
    positions: np.ndarray | None, keys: np.ndarray, shift: int
) -> tuple[_Level, np.ndarray, np.ndarray]:
    """:func:`_level` for long inputs (``positions`` None for 0, 1, ...), sort-based in numpy,
    returning the kept positions and ids as arrays too.

    The keys are grouped by sorting ``keys << shift | index``, unique ints, which orders equal
    keys by index like a stable argsort but costs less; ``shift`` 0 (keys too large to shift)
    falls back to the argsort. Every numpy call costs microseconds here, so there are few."""
    m = len(keys)
    index = np.arange(m, dtype=np.int64)
    if shift:
        packed = keys << shift
        packed |= index
        packed.sort()
        order = packed & ((1 << shift) - 1)  # indices grouped by key, ascending within a key
        packed >>= shift
    else:
        order = np.argsort(keys, kind="stable")
        packed = keys[order]
    start = np.empty(m + 1, dtype=np.bool_)  # a key's first index in the sorted order (and m)
    start[0] = start[m] = True
    np.not_equal(packed[1:], packed[:-1], out=start[1:m])
    first = order[np.maximum.accumulate(np.where(start[:m], index, 0))]  # its key's first index
    first[start[:m] & start[1:]] = -1  # a key occurring once
    label = np.empty(m, dtype=np.int64)
    label[order] = first
    kept = np.flatnonzero(label >= 0)
    gids = label[kept]
    if positions is not None:
        kept, gids = positions[kept], positions[gids]
    first = kept[kept == gids]  # the ids, ascending
    counts = np.bincount(gids)[first]
    level = _Level(None, None, counts.tolist(), first.tolist(), (kept, gids, counts))
    return level, kept, gids


def _repeated_ngrams(ids: Sequence[int], base: int, nmax: int) -> list[_Level]:
    """``levels[n]`` for n = 2..nmax (``levels[0]`` and ``levels[1]`` are empty): the C twin of
    :func:`_repeated_ngrams_py` (``slopsift._speedups``) when it is built, else that function."""
    sp = _accel.speedups
    if sp is not None and isinstance(ids, list) and base <= _C_MAX_BASE:
        levels = [_EMPTY, _EMPTY]
        # positions and ids as the shared ints of word_indices: no int allocated (and freed) for each
        levels.extend(_Level(*lv) for lv in sp.repeated_ngrams(ids, base, nmax, _shared_indices()))
        levels.extend([_EMPTY] * (nmax + 1 - len(levels)))
        return levels
    return _repeated_ngrams_py(ids, base, nmax)


_C_MAX_BASE = 3_037_000_499  # keys (below base * base) fit in 63 bits


def _repeated_ngrams_py(ids: Sequence[int], base: int, nmax: int) -> list[_Level]:
    """``levels[n]`` for n = 2..nmax (``levels[0]`` and ``levels[1]`` are empty).

    ``ids`` are word ids below ``base``; an n-gram's key is ``id(n-1)-gram * base + id(last
    word)``, an int. Pruned scan: the n-gram at i can repeat only if the (n-1)-grams at i and i+1
    both repeat, so level n looks only at the repeated positions of level n-1 that are followed
    by another. Levels with at least ``_NUMPY_MIN`` keys (level 2 of any real document) run in
    numpy, the small ones in Python."""
    levels = [_EMPTY, _EMPTY]
    n = 2
    keys: Sequence[int]
    cand: Sequence[int]
    if len(ids) > _NUMPY_MIN:
        arr = np.fromiter(ids, dtype=np.int64, count=len(ids))
        keys_a = arr[:-1] * base
        keys_a += arr[1:]
        # keys (ids below len(ids) times base, plus a word id) shifted by the index bits
        shift = len(ids).bit_length()
        if max(len(ids), base).bit_length() + base.bit_length() + shift > 62:
            shift = 0
        cand_a = None
        while n <= nmax and len(keys_a) >= _NUMPY_MIN:
            level, pos_a, gid_a = _level_np(cand_a, keys_a, shift)
            levels.append(level)
            adj = np.flatnonzero(pos_a[1:] - pos_a[:-1] == 1)
            cand_a = pos_a[adj]
            keys_a = gid_a[adj] * base
            keys_a += arr[cand_a + n]
            n += 1
        cand, keys = (range(len(keys_a)) if cand_a is None else cand_a.tolist()), keys_a.tolist()
    else:
        keys = list(map(add, map(base.__mul__, ids), islice(ids, 1, None)))
        cand = range(len(keys))
    for k in range(n, nmax + 1):
        if not keys:
            levels.extend([_EMPTY] * (nmax + 1 - k))
            break
        level, cand, keys = _level(cand, keys, ids, base, k)
        levels.append(level)
    return levels


def _covered(runs: Runs, words: Sequence[str]) -> int:
    """Characters of the words in ``runs``: O(words covered), which on real text is a few."""
    return sum(map(len, chain.from_iterable(map(words.__getitem__, map(slice, *runs)))))


def _runs(starts: Sequence[int], n: int) -> Runs:
    """Union of the word windows ``[p, p + n)`` for ascending ``starts``, as merged runs
    (touching windows merge). The gaps are found with C-level iterators."""
    if not starts:
        return [], []
    gaps = list(compress(range(len(starts) - 1), map(n.__lt__, map(sub, islice(starts, 1, None), starts))))
    firsts = [starts[0], *map(starts.__getitem__, map(_ONE.__add__, gaps))]
    ends = [*map(n.__add__, map(starts.__getitem__, gaps)), starts[-1] + n]
    return firsts, ends


def _repeat_runs(level: _Level, n: int, words: list[str]) -> tuple[int, Runs]:
    """:func:`_repeat_runs_py`, in C (``slopsift._speedups.repeat_runs``) when the twins are built."""
    sp = _accel.speedups
    if sp is None:
        return _repeat_runs_py(level, n, words)
    return sp.repeat_runs(level.pos, level.gids, n, words)


def _repeat_runs_py(level: _Level, n: int, words: Sequence[str]) -> tuple[int, Runs]:
    """The characters of the words lying in a repeat of an n-gram of ``level`` (an occurrence after
    its first), and those words as merged runs."""
    runs = _runs(level.repeats(), n)
    return _covered(runs, words), runs


def _top_ngram(level: _Level, n: int, words: list[str], ids: list[int]) -> tuple[int, int]:
    """:func:`_top_ngram_py`, in C (``slopsift._speedups.top_ngram``) when the twins are built."""
    sp = _accel.speedups
    if sp is None:
        return _top_ngram_py(level, n, words, ids)
    return sp.top_ngram(level.first, level.counts, level.pos, level.gids, n, words, ids, TIE_CAP)


def _top_ngram_py(level: _Level, n: int, words: Sequence[str], ids: Sequence[int]) -> tuple[int, int]:
    """Covered characters and rank of the most frequent n-gram (count >= 2); (0, -1) if none.

    Two occurrences of an n-gram can overlap only if it has a period shorter than n (``a b a``);
    otherwise its windows are disjoint and cover ``count * (characters of the n-gram)``, so only a
    periodic candidate needs its positions to count the union."""
    if not level.counts:
        return 0, -1
    counts = level.counts
    top = max(counts)
    if counts.count(top) == 1:  # the common case, two C-level calls
        best = [counts.index(top)]
    else:
        best = list(islice(compress(count(), map(top.__eq__, counts)), TIE_CAP))  # ascending ids
    best_chars, best_g = -1, -1
    for g in best:  # in order of first occurrence
        f = level.first[g]
        # a period d < n needs ids[f] == ids[f + d]: one C-level test rules most n-grams out
        periodic = ids[f] in ids[f + 1 : f + n] and any(
            ids[f : f + n - d] == ids[f + d : f + n] for d in range(1, n)
        )
        if periodic:
            chars = _covered(_runs(level.positions_of(g), n), words)
        else:
            chars = top * sum(map(len, words[f : f + n]))
        if chars > best_chars:
            best_chars, best_g = chars, g
    return best_chars, best_g


def _word_span(doc: Document, ws: int, we: int) -> tuple[int, int]:
    return doc.word_starts[ws], doc.word_ends[we - 1]


@lru_cache(maxsize=1 << 16)
def _is_content(word: str) -> bool:
    """A content word: two or more characters, a letter, not a function word (cached: the same
    words recur in every document)."""
    return len(word) > 1 and word not in function_words() and _HAS_LETTER.search(word) is not None


_PHRASE_NUMPY_MIN = 256  # candidates from which they are packed and sorted in numpy


def _phrase_candidates(levels: Sequence[_Level], span: int) -> list[int]:
    """Every repeated n-gram of PHRASE_MIN..PHRASE_MAX words packed into one int,
    ``(count * 8 + n) * span + span - 1 - rank``, sorted descending: best count first, then the
    longer, then the earlier. In numpy when there are many (a long document)."""
    packed: list[int] = []
    if sum(len(levels[n].counts) for n in range(PHRASE_MIN, PHRASE_MAX + 1)) < _PHRASE_NUMPY_MIN:
        for n in range(PHRASE_MIN, PHRASE_MAX + 1):
            counts = levels[n].counts
            if counts:
                low = n * span + span - 1
                packed.extend(map(add, map((8 * span).__mul__, counts), range(low, low - len(counts), -1)))
        packed.sort(reverse=True)
        return packed
    parts = []
    for n in range(PHRASE_MIN, PHRASE_MAX + 1):
        level = levels[n]
        if level.counts:
            low = n * span + span - 1
            arr = level.arrays[2] if level.arrays is not None else np.array(level.counts, dtype=np.int64)
            parts.append(arr * (8 * span) + np.arange(low, low - len(arr), -1, dtype=np.int64))
    keys = np.concatenate(parts)
    keys.sort()
    return keys[::-1].tolist()  # type: ignore[no-any-return]


def _phrase(
    doc: Document, n_scan: int, levels: Sequence[_Level], sentence_ends: list[int]
) -> tuple[int, int, list[int]]:
    """:func:`_phrase_py`, in C (``slopsift._speedups.top_phrase``) when the twins are built: the
    candidates' sort, occurrence look-ups, sentence and capital tests without Python-level loops."""
    sp = _accel.speedups
    if sp is None:
        return _phrase_py(doc, n_scan, levels, sentence_ends)
    cols = [(lv.first, lv.counts, lv.pos, lv.gids) for lv in levels[PHRASE_MIN : PHRASE_MAX + 1]]
    return sp.top_phrase(cols, PHRASE_MIN, doc.words, _is_content, doc.text, doc.word_starts, sentence_ends)


def _phrase_py(
    doc: Document, n_scan: int, levels: Sequence[_Level], sentence_ends: Sequence[int]
) -> tuple[int, int, list[int]]:
    """(count, length, positions) of the most repeated qualifying phrase; (0, 0, []) if none.

    Only occurrences inside one sentence count. Highest count wins, then the longer phrase, then
    the earlier first occurrence. A phrase whose content words are all capitalised in most
    occurrences is a name ('Peace Corps') and skipped: naming the subject again is not padding.
    ``n_scan`` is the number of words scanned (repeated n-grams lie among them) and
    ``sentence_ends`` the ascending word indices at which a non-empty sentence ends.

    Candidates are visited best raw count first (then longer, then earlier), each packed into one
    int so that one sort orders them: the raw count bounds the count inside sentences, so the
    visit stops at the first candidate that could not beat the best found (name or not, it is
    only checked for one that could). Same winner as visiting every repeated n-gram."""
    text, starts, words = doc.text, doc.word_starts, doc.words
    span = n_scan + 1  # > any n-gram rank
    packed = _phrase_candidates(levels, span)
    best_c, best_n, best_g, best_pos = 0, 0, 0, []
    by_gram: dict[int, dict[int, list[int]]] = {}
    checked = dict.fromkeys(range(PHRASE_MIN, PHRASE_MAX + 1), 0)
    for key in packed:
        q, r = divmod(key, span)
        g = span - 1 - r
        c, n = divmod(q, 8)
        if best_c and (c < best_c or (c == best_c and (n < best_n or (n == best_n and g > best_g)))):
            break  # neither this nor any later candidate can win
        level = levels[n]
        i = level.first[g]
        content = list(compress(range(n), map(_is_content, words[i : i + n])))  # offsets
        if len(content) < (2 if n == 2 else 1):
            continue
        index = by_gram.get(n)
        # a few look-ups by scanning (many more when it is a numpy comparison), then index the level
        if index is None and checked[n] < (64 if level.arrays is not None else 4):
            occ = level.positions_of(g)
        else:
            if index is None:
                index = by_gram[n] = {}
                for k, h in zip(level.pos, level.gids, strict=True):
                    index.setdefault(h, []).append(k)
            occ = index[i]  # keyed by id, the first position
        checked[n] += 1
        # inside one sentence: no sentence ends at p + 1 .. p + n - 1 (bisect counts the ends <= k)
        ends = repeat(sentence_ends)
        inside = map(eq, map(bisect_right, ends, occ), map(bisect_right, ends, map((n - 1).__add__, occ)))
        pos = list(compress(occ, inside))
        if len(pos) < 2:
            continue
        if best_c and (len(pos), n, -g) <= (best_c, best_n, -best_g):
            continue  # cannot win, name or not
        # a name when all its content words are capitalised in most occurrences
        caps = [
            list(map(str.isupper, map(text.__getitem__, map(starts.__getitem__, map(o.__add__, pos)))))
            for o in content
        ]
        named = sum(caps[0]) if len(caps) == 1 else sum(map(all, zip(*caps, strict=True)))
        if 2 * named <= len(pos):
            best_c, best_n, best_g, best_pos = len(pos), n, g, pos
    return (best_c, best_n, best_pos) if best_c else (0, 0, [])


# --------------------------------------------------------------------------------------------
# near duplicates


NearDupUnits = tuple[int, int, list[int], list[int], list[int], list[bool]]
"""Eligible units, the last unit that may reach the threshold (-1: none) and, for the units up to it,
the first and end index of their repeated-shingle positions, their lengths in words and whether they
are eligible and hold a repeated shingle."""


def _near_dup_units_py(
    starts: Sequence[int], ends: Sequence[int], shingle_pos: np.ndarray | list[int]
) -> NearDupUnits:
    """Which units :func:`_near_dups` must look at (``slopsift._speedups.near_dup_units`` is the C twin).

    How many repeated shingles each unit holds is found with one ``numpy.searchsorted``. A unit can
    only reach the threshold if at least that fraction of its shingle positions hold repeated
    shingles: with g such positions, r <= g distinct and size = shingles - g + r, g < J * shingles
    gives J * size > g - J * (g - r) >= r, which the loop prunes. Units after the last one that may
    reach it only join the postings, which nobody then reads: the loop stops there (on most texts
    before the first unit)."""
    m = len(starts)
    bounds = np.fromiter(chain(starts, ends), dtype=np.int64, count=2 * m)
    lengths_a = bounds[m:] - bounds[:m]
    eligible_a = lengths_a >= NEAR_DUP_MIN_WORDS
    eligible = int(np.count_nonzero(eligible_a))
    if not eligible or not len(shingle_pos):
        return eligible, -1, [], [], [], []
    bounds[m:] += 1 - SHINGLE  # a unit's shingles start before its end - 2
    index = np.searchsorted(shingle_pos, bounds)  # bisect_left of every start and end
    held = index[m:] - index[:m]  # repeated-shingle positions in each unit
    may = np.flatnonzero(eligible_a & (held >= NEAR_DUP_JACCARD * (lengths_a + (1 - SHINGLE))))
    if not len(may):
        return eligible, -1, [], [], [], []
    last = int(may[-1])
    k = last + 1
    active = (eligible_a & (held > 0))[:k]  # eligible, a repeated shingle
    return (
        eligible,
        last,
        index[:k].tolist(),
        index[m : m + k].tolist(),
        lengths_a[:k].tolist(),
        active.tolist(),
    )


def _near_dups(
    starts: list[int], ends: list[int], shingles: _Level, shingle_pos: np.ndarray | list[int]
) -> tuple[int, list[tuple[int, int, float]]]:
    """Near-duplicate units by exact shingle Jaccard, candidates through shared shingles only.

    Units ``[starts[j], ends[j])`` are ascending, non-overlapping word ranges; ``shingles`` are the
    repeated word 3-grams (a 3-gram occurring once cannot be shared, and is distinct within its
    unit), ``shingle_pos`` their positions (an array or a list). Returns (eligible units, pairs (earlier,
    later, jaccard)), one pair per near-duplicate unit. How many repeated shingles each unit
    holds is found first (:func:`_near_dup_units_py`, in C when the twins are built), so the loop
    (:func:`_near_dup_pairs_py`, in C when the twins are built) runs only over units that hold one,
    and only up to the last unit that can reach the threshold."""
    sp = _accel.speedups
    pairs: list[tuple[int, int, float]] = []
    if sp is None:
        eligible, last, los, his, lengths, active = _near_dup_units_py(starts, ends, shingle_pos)
    else:
        eligible, last, los, his, lengths, active = sp.near_dup_units(
            starts, ends, shingle_pos, NEAR_DUP_MIN_WORDS, NEAR_DUP_JACCARD, SHINGLE
        )
    if last < 0:
        return eligible, pairs
    if sp is not None:
        found = sp.near_dup_pairs(
            shingles.gids, los, his, lengths, active, NEAR_DUP_JACCARD, SHINGLE, POSTING_CAP, CANDIDATE_CAP
        )
        if found is not None:  # None: some unit's candidates are capped, in Python's set order
            return eligible, found
    return eligible, _near_dup_pairs_py(shingles, los, his, lengths, active)


def _near_dup_pairs_py(
    shingles: _Level, los: list[int], his: list[int], lengths: list[int], active: list[bool]
) -> list[tuple[int, int, float]]:
    """The pairs of :func:`_near_dups` over the units that :func:`_near_dup_units_py` returned
    (``slopsift._speedups.near_dup_pairs`` is the C twin, for the units that need no cap on their
    candidates): unit ``j`` holds the repeated shingles ``shingles.gids[los[j]:his[j]]``."""
    pairs: list[tuple[int, int, float]] = []
    ids = shingles.gids
    postings: dict[int, list[int]] = {}
    sizes: dict[int, int] = {}
    exact: dict[frozenset[int], int] = {}
    rank: dict[int, int] | None = None  # id -> rank, only when the candidates are capped
    for j in compress(range(len(active)), active):
        grams = ids[los[j] : his[j]]
        rep = set(grams)
        size = sizes[j] = lengths[j] - SHINGLE + 1 - len(grams) + len(rep)
        if size == len(rep):  # every shingle repeats: maybe an exact copy of an earlier unit
            key = frozenset(rep)
            k = exact.get(key)
            if k is not None:
                pairs.append((k, j, 1.0))
                continue
            exact[key] = j
        if len(rep) < NEAR_DUP_JACCARD * size:
            # Jaccard = shared / (size + size_k - shared) <= shared / size <= len(rep) / size, below
            # the threshold with any unit: j only joins the postings (identical postings, so the
            # candidates of later units do not change).
            for g in rep:
                post = postings.get(g)
                if post is None:
                    postings[g] = [j]
                elif len(post) < POSTING_CAP:
                    post.append(j)
            continue
        shared: dict[int, int] = {}
        get = shared.get
        for g in rep:
            post = postings.get(g)
            if post is None:
                postings[g] = [j]
            else:
                for k in post:
                    shared[k] = get(k, 0) + 1
                if len(post) < POSTING_CAP:
                    post.append(j)
        best_k, best_jac = -1, 0.0
        if len(shared) <= CANDIDATE_CAP:
            top: Iterable[tuple[int, int]] = shared.items()
        else:
            if rank is None:
                rank = dict(zip(shingles.first, count()))
            ranked = _in_rank_order(shared, grams, rank, shingles.first, postings, j)
            top = nlargest(CANDIDATE_CAP, ranked, key=_second)
        for k, inter in top:
            jac = inter / (size + sizes[k] - inter)
            if jac > best_jac or (jac == best_jac and k < best_k):
                best_k, best_jac = k, jac
        if best_jac >= NEAR_DUP_JACCARD:
            pairs.append((best_k, j, best_jac))
    return pairs


def _in_rank_order(
    shared: dict[int, int],
    grams: list[int],
    rank: dict[int, int],
    first: list[int],
    postings: dict[int, list[int]],
    j: int,
) -> Iterable[tuple[int, int]]:
    """The items of ``shared`` in the order in which the candidates come up when the shingles of
    unit ``j`` are visited in the order of the set of their ranks (``rank``: id -> rank, the order
    of first occurrence; ``first``: rank -> id): the order in which the cap on candidates breaks
    ties. ``postings`` already hold ``j``, which is skipped."""
    order: dict[int, int] = {}
    for r in set(map(rank.__getitem__, grams)):
        for k in postings[first[r]]:
            if k != j:
                order[k] = 0
    return zip(order, map(shared.__getitem__, order), strict=True)


# --------------------------------------------------------------------------------------------
# lexical diversity


# The MTLD threshold as a fraction: types / tokens <= num / den is tested as
# (den - num) * types <= num * repeats, with repeats = tokens - types, in exact int arithmetic.
# The float test gives the same answer: a ratio of ints a / b (b <= MAX_SCAN_WORDS) other than
# num / den lies at least 1 / (den * b) away from it, far more than the rounding of either side.
_MTLD_NUM, _MTLD_DEN = Fraction(str(MTLD_THRESHOLD)).as_integer_ratio()


def _mtld_pass(ids: Iterable[int], n: int, size: int) -> float:
    """One MTLD pass over word ids below ``size``. A token seen earlier in the current factor is
    the only thing that can lower the factor's type-token ratio, so the threshold is tested only
    then. ``seg_of[id]`` is the factor in which the id was last seen (a flat list, no dict).
    ``new`` and ``rep`` count the factor's types and repeated tokens, scaled by the weights of the
    threshold test (see ``_MTLD_NUM``), so the loop does one addition per token."""
    factors = 0.0
    seg_of = [-1] * size
    seg = new = rep = 0
    new_w, rep_w = _MTLD_DEN - _MTLD_NUM, _MTLD_NUM
    for w in ids:
        if seg_of[w] != seg:
            seg_of[w] = seg
            new += new_w
        else:
            rep += rep_w
            if new <= rep:  # types / tokens <= MTLD_THRESHOLD
                factors += 1.0
                seg += 1
                new = rep = 0
    if new or rep:
        types = new // new_w
        tokens = types + rep // rep_w
        factors += (1.0 - types / tokens) / (1.0 - MTLD_THRESHOLD)
    return n / factors if factors > 0 else float(n)


def _mtld_mean_py(ids: list[int], size: int) -> float:
    """:func:`_mtld` of the ids below ``size``, in order: of the unmasked words when ``size`` is the
    word count (``slopsift._speedups.mtld_mean`` is the C twin, which reads the ids once for both
    passes)."""
    below = list(filter(size.__gt__, ids))
    if not below:
        return 0.0
    return (_mtld_pass(below, len(below), size) + _mtld_pass(reversed(below), len(below), size)) / 2.0


def _mtld_mean(ids: list[int], size: int) -> float:
    """:func:`_mtld_mean_py`, in C when the twins are built (one call for both passes)."""
    sp = _accel.speedups
    if sp is None:
        return _mtld_mean_py(ids, size)
    return sp.mtld_mean(ids, size, _MTLD_DEN - _MTLD_NUM, _MTLD_NUM, MTLD_THRESHOLD)


# --------------------------------------------------------------------------------------------


_EVIDENCE_SLOTS = slot_descriptors(Evidence)
_MINUS_ONE = -1


def _word_evidence(
    doc: Document, firsts: Sequence[int], ends: Iterable[int], signal: str, note: str | list[str]
) -> list[Evidence]:
    """``Evidence`` over the words ``[firsts[k], ends[k])`` (``note`` for all, or one each; ``ends``
    may run longer), made at once by :func:`build_frozen`: no ``Evidence.__init__`` per span."""
    m = len(firsts)
    return build_frozen(
        Evidence,
        _EVIDENCE_SLOTS,
        list(map(doc.word_starts.__getitem__, firsts)),
        list(map(doc.word_ends.__getitem__, map(_MINUS_ONE.__add__, islice(ends, m)))),
        [signal] * m,
        [note] * m if isinstance(note, str) else note,
    )


def _top_evidence(doc: Document, level: _Level, rank: int, k: int, signal: str) -> list[Evidence]:
    """Each occurrence (at most MAX_EVIDENCE) of the n-gram of ``rank`` in ``level``, with its count."""
    pos = level.positions_of(rank)
    note = f"'{' '.join(doc.words[pos[0] : pos[0] + k])}' x{len(pos)}"
    firsts = pos[:MAX_EVIDENCE]
    return _word_evidence(doc, firsts, map(k.__add__, firsts), signal, note)


def _evidence_runs(doc: Document, runs: Runs, signal: str, note: str) -> list[Evidence]:
    firsts, ends = runs
    return _word_evidence(doc, firsts[:MAX_EVIDENCE], ends, signal, note)


def compute(doc: Document) -> FamilyOutput:
    """All repetition features of ``doc`` with their evidence."""
    return _compute(doc, True)


def compute_values(doc: Document) -> dict[str, float]:
    """:func:`compute`'s values alone (what ``extract_features`` reads): no evidence is made."""
    return _compute(doc, False)[0]


def _compute(doc: Document, evidence: bool) -> FamilyOutput:
    """The values, with the evidence only when ``evidence`` (the values never depend on it)."""
    text = doc.text
    words = doc.words
    values: dict[str, float] = {}
    ev: list[Evidence] = []

    prose = _prose(doc)

    # Lines and paragraphs (Gopher), prose only; a heading is compared by its words, without
    # markers, so "# Title" and "## Title" are the same line. Keys are the stripped texts; spans
    # are worked out only for the evidence of repeats.
    head = {h.line: (h.start, h.end) for h in doc.headings}
    doc_lines = doc.lines
    line_keys = list(map(str.strip, doc.line_texts))  # the key of every line
    for i, (hs, he) in head.items():
        line_keys[i] = text[hs:he]

    def line_span(i: int) -> tuple[int, int]:
        return head.get(i) or _strip(text, doc_lines[i].start, doc_lines[i].end)

    kept = prose.lines  # ascending
    keys = list(map(line_keys.__getitem__, kept))
    values["dup_line_frac"], values["dup_line_char_frac"] = _dup_units(
        keys,
        lambda k: line_span(kept[k]),
        ("dup_line_frac", "dup_line_char_frac"),
        "line",
        ev if evidence else None,
    )
    n_kept = len(kept)
    paras = [
        p
        for p in doc.paragraphs
        if (b := bisect_left(kept, p.first_line)) < n_kept and kept[b] <= p.last_line
    ]
    keys = [
        line_keys[p.first_line] if p.first_line == p.last_line else text[p.start : p.end].strip()
        for p in paras
    ]

    def para_span(k: int) -> tuple[int, int]:
        p = paras[k]
        return line_span(p.first_line) if p.first_line == p.last_line else _strip(text, p.start, p.end)

    values["dup_para_frac"], values["dup_para_char_frac"] = _dup_units(
        keys, para_span, ("dup_para_frac", "dup_para_char_frac"), "paragraph", ev if evidence else None
    )
    # Sentences too, for text pasted without line breaks (whitespace collapsed by a scraper or an
    # export): the copies then share no line, only their sentences. Prose lines only, as above.
    s_starts, s_ends = doc.sentence_bounds[:2]
    sent_ev: list[Evidence] | None = [] if evidence else None
    sentence_share = 0.0
    sp = _accel.speedups
    # Most texts repeat no sentence, and in half the rest only code lines repeat ("```", "}"): the
    # sentences are sliced only when a prose one repeats an earlier one, as the later one of any repeat
    # among the prose sentences does.
    repeats = None if sp is None else sp.repeated_spans(text, s_starts, s_ends)
    if repeats is None:  # no C, or two different sentences share its hash (a crafted text)
        repeats = _repeated_spans_py(text, s_starts, s_ends)
    if repeats:
        in_prose = frozenset(kept)
        line_starts = doc.line_starts
        # the line a sentence opens in: the last line starting at or before it
        if any(bisect_left(line_starts, s_starts[k] + 1) - 1 in in_prose for k in repeats):
            after = bisect_lefts(line_starts, [s + 1 for s in s_starts])
            prose_sents = [k for k, i in enumerate(after) if i - 1 in in_prose]
            _, sentence_share = _dup_units(
                [text[s_starts[k] : s_ends[k]] for k in prose_sents],
                lambda k: (s_starts[prose_sents[k]], s_ends[prose_sents[k]]),
                ("pasted_share",),
                "sentence",
                sent_ev,
            )
    unit_share = max(values["dup_line_char_frac"], values["dup_para_char_frac"], sentence_share)

    # Pruned n-gram scan over int word ids (at most MAX_SCAN_WORDS words). Masked words have
    # unique ids >= n, so every id is below 2n.
    n = doc.n_words
    all_ids = prose.ids
    ids = all_ids[:MAX_SCAN_WORDS] if len(all_ids) > MAX_SCAN_WORDS else all_ids
    if len(ids) < len(all_ids):
        n_words = sum(map(n.__gt__, ids))
        total = sum(map(len, compress(words, map(n.__gt__, ids))))
    else:
        n_words, total = prose.n_words, prose.chars
    base = 2 * n + 1
    levels = _repeated_ngrams(ids, base, max(DUP_NGRAMS))

    top_ranks: dict[int, int] = {}
    for k in TOP_NGRAMS:
        name = _TOP_NAMES[k]
        chars, rank = _top_ngram(levels[k], k, words, ids)  # windows hold no masked word
        top_ranks[k] = rank
        frac = chars / total if total and rank >= 0 else 0.0
        values[name] = frac
        if evidence and frac >= TOP_NGRAM_EVIDENCE[k]:
            ev.extend(_top_evidence(doc, levels[k], rank, k, name))

    runs5: Runs = ([], [])
    runs_longest: Runs = ([], [])
    for k in DUP_NGRAMS:
        name = _DUP_NAMES[k]
        if not levels[k].counts:  # nothing repeats at this length, nor at any longer one
            values[name] = 0.0
            continue
        covered, runs = _repeat_runs(levels[k], k, words)
        if k == DUP_NGRAMS[0]:
            runs5 = runs
        runs_longest = runs
        values[name] = covered / total if total else 0.0
        if evidence and values[name] >= DUP_NGRAM_EVIDENCE[k]:
            ev.extend(_evidence_runs(doc, runs, name, f"repeats an earlier {k}-word sequence"))

    # Pasted text: repeated lines, paragraphs or sentences past Gopher's limit, or, for copies the
    # sentence splitter cannot cut apart (no capital after the stop), repeated long word sequences
    # past a limit almost no human text reaches.
    longest = values[_DUP_NAMES[DUP_NGRAMS[-1]]]
    by_units = (unit_share - PASTED_LIMIT) / (1.0 - PASTED_LIMIT)
    by_ngrams = (longest - PASTED_NGRAM_LIMIT) / (1.0 - PASTED_NGRAM_LIMIT)
    values["pasted_share"] = max(0.0, by_units, by_ngrams)
    if evidence and values["pasted_share"] > 0.0:  # the evidence of the measure that sets it
        if by_ngrams > by_units:
            note = f"repeats an earlier {DUP_NGRAMS[-1]}-word sequence"
            ev.extend(_evidence_runs(doc, runs_longest, "pasted_share", note))
        elif sentence_share > max(values["dup_line_char_frac"], values["dup_para_char_frac"]):
            ev.extend(sent_ev or ())
        else:
            ev.extend([replace(e, signal="pasted_share") for e in ev if e.signal in _DUP_UNIT_SIGNALS])

    # Near-duplicate sentences and paragraphs.
    shingles = levels[SHINGLE]
    shingle_pos: np.ndarray | list[int] = shingles.arrays[0] if shingles.arrays is not None else shingles.pos
    cap = len(ids)
    sents = doc.sentences
    starts, ends = sent_starts, sent_ends = doc.sentence_bounds[2:]
    keep = bisect_left(starts, cap)  # sentences starting before the cap, ends clipped to it
    if keep < len(starts) or (ends and ends[-1] > cap):
        starts, ends = starts[:keep], [min(e, cap) for e in ends[:keep]]
    elig, pairs = _near_dups(starts, ends, shingles, shingle_pos)
    values["near_dup_sentence_frac"] = len(pairs) / elig if elig else 0.0
    if evidence:
        _pair_evidence(doc, pairs, sents, "near_dup_sentence_frac", ev)
    paras = doc.paragraphs
    pstarts, pends = doc.paragraph_words
    keep = bisect_left(pstarts, cap)
    if keep < len(pstarts) or (pends and pends[-1] > cap):
        pstarts, pends = pstarts[:keep], [min(e, cap) for e in pends[:keep]]
    elig, pairs = _near_dups(pstarts, pends, shingles, shingle_pos)
    values["near_dup_para_frac"] = len(pairs) / elig if elig else 0.0
    if evidence:
        _pair_evidence(doc, pairs, paras, "near_dup_para_frac", ev)

    # Most repeated phrase.
    sentence_ends = list(compress(ends, map(lt, starts, ends)))  # non-empty sentences, ascending
    count_, plen, positions = _phrase(doc, len(ids), levels, sentence_ends)
    values["top_phrase_per_1k"] = count_ * 1000.0 / n_words if count_ else 0.0
    rate = values["top_phrase_per_1k"]
    if evidence and count_ >= PHRASE_EVIDENCE_MIN_COUNT and rate >= PHRASE_EVIDENCE_MIN_RATE:
        note = f"'{' '.join(words[positions[0] : positions[0] + plen])}' x{count_}"
        firsts = positions[:MAX_EVIDENCE]
        ev.extend(_word_evidence(doc, firsts, map(plen.__add__, firsts), "top_phrase_per_1k", note))

    # Repeated sentence openers: a sentence's first two words as one key (in C when the twins are built).
    n_openers, hits, uses = _opener_hits(sent_starts, sent_ends, all_ids, base)
    values["repeated_opener_frac"] = len(hits) / n_openers if n_openers else 0.0
    shown = hits[: MAX_EVIDENCE if evidence and values["repeated_opener_frac"] >= OPENER_EVIDENCE else 0]
    if shown:
        notes = [
            f"opener '{' '.join(words[ws : ws + OPENER_WORDS])}' x{c}"
            for ws, c in zip(shown, uses, strict=False)
        ]
        ev.extend(_word_evidence(doc, shown, map(OPENER_WORDS.__add__, shown), "repeated_opener_frac", notes))

    # Compressibility.
    raw = prose.text.encode("utf-8", "surrogatepass")
    comp = 1.0 - len(zlib.compress(raw, 1)) / len(raw) if raw else 0.0
    values["compressibility"] = max(0.0, comp)
    if evidence and comp >= COMPRESSIBILITY_EVIDENCE:
        if runs5[0]:
            ev.extend(_evidence_runs(doc, runs5, "compressibility", "repeated wording"))
        else:  # no 5 words repeat: the most repeated shorter sequence is what compresses
            k = next((k for k in (3, 2) if top_ranks.get(k, -1) >= 0), 0)
            if k:
                ev.extend(_top_evidence(doc, levels[k], top_ranks[k], k, "compressibility"))

    # Lexical diversity, over the unmasked ids (those below n).
    mtld = _mtld_mean(ids, n)
    values["mtld"] = mtld
    if evidence and n_words and mtld < MTLD_EVIDENCE:
        freq = Counter(ids)  # ids ascend in first occurrence, as the words did
        # nlargest(3, content ids, key=freq) is the first three content ids of the stable sort by
        # count that most_common() makes in C; the most frequent words are mostly function words,
        # so this tests a few words where nlargest tested every distinct one
        content = (i for i, _ in freq.most_common() if i < n and _is_content(words[i]))
        wanted = set(islice(content, 3))
        occ = list(islice(compress(count(), map(wanted.__contains__, ids)), MAX_EVIDENCE))
        notes = [f"'{words[i]}' x{freq[ids[i]]}" for i in occ]
        ev.extend(_word_evidence(doc, occ, map(_ONE.__add__, occ), "mtld", notes))
    return values, ev


def _opener_hits_py(
    starts: list[int], ends: list[int], ids: list[int], base: int
) -> tuple[int, list[int], list[int]]:
    """Sentence openers (``slopsift._speedups.opener_hits`` is the C twin): the sentences
    ``[starts[k], ends[k])`` of at least OPENER_MIN_WORDS words, and among them (in order) the starts
    of those whose first OPENER_WORDS words (their ids, below ``base``, packed into one int key) open
    at least OPENER_MIN_USES of them, with how many each opens. C-level maps, no loop per sentence."""
    long_enough = map((OPENER_MIN_WORDS - 1).__lt__, map(sub, ends, starts))
    opener_at = list(compress(starts, long_enough))
    opener_keys = list(
        map(
            add,
            map(base.__mul__, map(ids.__getitem__, opener_at)),
            map(ids.__getitem__, map(_ONE.__add__, opener_at)),
        )
    )
    # some key occurs OPENER_MIN_USES times only if there are that many repeats less one
    if len(opener_keys) - len(set(opener_keys)) < OPENER_MIN_USES - 1:
        return len(opener_at), [], []
    counts = Counter(opener_keys)
    frequent = (OPENER_MIN_USES - 1).__lt__
    uses = list(map(counts.__getitem__, opener_keys))
    return len(opener_at), list(compress(opener_at, map(frequent, uses))), list(filter(frequent, uses))


def _opener_hits(
    starts: list[int], ends: list[int], ids: list[int], base: int
) -> tuple[int, list[int], list[int]]:
    """:func:`_opener_hits_py`, in C when the twins are built."""
    sp = _accel.speedups
    if sp is None:
        return _opener_hits_py(starts, ends, ids, base)
    return sp.opener_hits(starts, ends, ids, OPENER_MIN_WORDS, OPENER_MIN_USES)


_TOP_NAMES = {k: f"top_{k}gram_char_frac" for k in TOP_NGRAMS}
_DUP_NAMES = {k: f"dup_{k}gram_char_frac" for k in DUP_NGRAMS}


def _pair_evidence(
    doc: Document,
    pairs: Sequence[tuple[int, int, float]],
    units: Sequence[Span],
    signal: str,
    ev: list[Evidence],
) -> None:
    """Both members of each near-duplicate pair, as character spans of ``units``."""
    for k, (a, b, jac) in enumerate(pairs[: MAX_EVIDENCE // 2], 1):
        note = f"near-duplicate pair {k} (Jaccard {jac:.2f})"
        for u in (units[a], units[b]):
            ev.append(Evidence(*_strip(doc.text, u.start, u.end), signal, note))


FAMILY = register(
    Family(
        "repetition",
        "Exact and near repetition of lines, paragraphs, n-grams, phrases and sentence openers; "
        "compressibility and lexical diversity. Code blocks, URLs and domain names are not prose "
        "and are masked first.",
        "O(n log n) in words (one sort per long n-gram level; near-duplicates O(n * 8)); "
        "compression on at most 200k characters",
        FEATURES,
        compute,
        compute_values,
    )
)
