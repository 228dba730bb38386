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

n-grams are over ``Document.words`` (lower-cased) and are counted by a pruned scan: an
n-gram can only occur twice where the (n-1)-grams at its position and the next one both do, so
level n examines only the repeated positions of level n-1 and the whole 1..10-gram scan costs
O(10 n) in the worst case (a text that is one phrase repeated) and far less on real text.

Time complexity, n = words, c = characters, s = sentences/paragraphs:

* duplicate lines / paragraphs                O(c)  one hash per line / paragraph
* top 2-4-gram and duplicate 5-10-gram        O(n)  pruned scan above plus one pass per level
* most repeated phrase                        O(n)  reads the same scan (levels 2-6)
* near-duplicate sentences / paragraphs       O(n * K)  candidates come only from shared shingles,
  each shingle's posting list is capped at K = 8 units and at most 16 candidates are scored;
  a unit whose shingles all repeat is first looked up as an exact duplicate in O(1)
* repeated openers                            O(s)
* compressibility                             O(min(c, 200,000)) one zlib pass
* MTLD                                        O(n)  two passes

The word-level features (n-grams, phrases, near-duplicates, MTLD) read at most the first 200,000
words, which bounds the worst case (megabytes of one sentence repeated) to about two seconds on
one core; the rest of a longer text does not change them.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from heapq import nlargest
from itertools import accumulate, compress, filterfalse, islice
from operator import and_, eq, itemgetter, sub

from slopsift.document import Document, Paragraph, Sentence
from slopsift.lexicons import load_lexicon
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register
from slopsift.structure import is_list_item

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

# Evidence thresholds for features whose value on clean human text is not zero: Gopher's filtering
# thresholds (Table A1) for the n-gram fractions, otherwise about the 95th-99th percentile of human
# texts on the sanity-check corpora (web articles, news, essays, learner writing).
TOP_NGRAM_EVIDENCE = {2: 0.20, 3: 0.18, 4: 0.16}
DUP_NGRAM_EVIDENCE = {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}
PHRASE_EVIDENCE_MIN_COUNT = 5
PHRASE_EVIDENCE_MIN_RATE = 12.0
OPENER_EVIDENCE = 0.20
COMPRESSIBILITY_EVIDENCE = 0.70
MTLD_EVIDENCE = 30.0

Span = Sentence | Paragraph
_HAS_LETTER = re.compile(r"[^\W\d_]")

_GOPHER = "Gopher (Rae et al. 2021, Table A1) as in datatrove"


def _top_spec(n: int) -> FeatureSpec:
    return FeatureSpec(
        f"top_{n}gram_char_frac",
        f"Characters of the words covered by the most frequent word {n}-gram (every occurrence, "
        f"overlaps counted once) / characters of all words; 0 unless that {n}-gram occurs at "
        "least twice. Ties: more covered characters, then the earlier first occurrence (among "
        f"the first {TIE_CAP} tied n-grams). {_GOPHER}, except that spaces are not counted and "
        "overlapping occurrences are not double counted, so the value lies in [0, 1]. Evidence "
        f"(each occurrence) when >= {TOP_NGRAM_EVIDENCE[n]} (Gopher's threshold).",
        "fraction of word characters",
        "higher_worse",
    )


def _dup_spec(n: int) -> FeatureSpec:
    return FeatureSpec(
        f"dup_{n}gram_char_frac",
        f"Characters of the words lying in a repeat of a word {n}-gram (an occurrence at a position "
        f"after its first occurrence), each word counted once / characters of all words. {_GOPHER} "
        f"(find_all_duplicate), without its skip-ahead approximation. Evidence (each merged run of "
        f"repeated words) when >= {DUP_NGRAM_EVIDENCE[n]} (Gopher's threshold).",
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
        f"lines (as compared, newlines excluded). {_GOPHER}.",
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
        f"paragraphs (stripped). {_GOPHER}.",
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
        "1 - zlib(level 6) compressed bytes / UTF-8 bytes of the normalised text without code and "
        f"links (first {COMPRESS_MAX_CHARS:,} characters), clipped at 0; 0 for empty text. Higher "
        "= more redundant. "
        "Length-sensitive: short texts compress poorly (about 0.35-0.45 for 100 words of prose, "
        "0.5-0.6 for 1,000), so read it together with length. Evidence (the repeated word runs of "
        f"dup_5gram_char_frac) when >= {COMPRESSIBILITY_EVIDENCE}.",
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
)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(load_lexicon("stopwords_en.txt").phrases)


# --------------------------------------------------------------------------------------------
# what is not prose: code, URLs, domain names


_URL_TAIL = re.compile(r"""[^\s()\[\]<>"'`]+""")
_TLD = re.compile(r"\.(?:com|org|net|gov|edu|io|dev|co|uk|us|ai|app|info|biz)(?![\w-])")
_PATH = re.compile(r"""/[^\s()\[\]<>"'`]*""")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_TOKEN_STOP = frozenset(" \t\n()[]<>\"'`,;")
_FENCE = ("```", "~~~")


def _code_lines(doc: Document) -> set[int]:
    """Lines of fenced code blocks (fences included) and indented code blocks."""
    text = doc.text
    out: set[int] = set()
    fenced = "```" in text or "~~~" in text
    if not fenced and "\n\t" not in text and "\n    " not in text:
        return out
    inside = False
    prev_blank_or_code = True
    for i, ln in enumerate(doc.lines):
        raw = text[ln.start : ln.end]
        if fenced and raw.lstrip().startswith(_FENCE):
            out.add(i)
            inside = not inside
        elif inside or (
            not ln.blank
            and raw.startswith(("\t", "    "))
            and prev_blank_or_code
            and not is_list_item(raw.lstrip())
        ):
            out.add(i)
        prev_blank_or_code = ln.blank or i in out
    return out


def _nonprose_spans(doc: Document) -> list[tuple[int, int]]:
    """Character spans of URLs, link targets and domain names (``example.com/path``)."""
    low = doc.lower
    spans: list[tuple[int, int]] = []
    for marker, back in (("://", 10), ("www.", 0)):  # str.find is far faster than a regex scan
        i = low.find(marker)
        while i >= 0:
            s = i
            while s > i - back and s > 0 and low[s - 1].isalpha():  # the scheme, e.g. "https"
                s -= 1
            m = _URL_TAIL.match(low, i + len(marker))
            e = m.end() if m else i + len(marker)
            spans.append((s, e))
            i = low.find(marker, e)
    if "](" in low:
        spans.extend(m.span() for m in _LINK_TARGET.finditer(low))
    done = 0  # end of the last domain span: never walk back over it (keeps this linear)
    for m in _TLD.finditer(low):
        if m.start() < done:
            continue
        s = m.start()
        floor = max(done, s - 100)
        while s > floor and low[s - 1] not in _TOKEN_STOP:
            s -= 1
        path = _PATH.match(low, m.end())
        done = path.end() if path else m.end()
        spans.append((s, done))
    return spans


@dataclass(frozen=True, slots=True)
class _Prose:
    """The words with code, URLs and domains replaced by unique placeholders (so they never
    repeat), the prose lines and the prose text to compress."""

    words: list[str]
    n_words: int
    chars: int
    lines: list[int]
    text: str


def _prose(doc: Document) -> _Prose:
    text = doc.text
    code = _code_lines(doc)
    lines = [
        i
        for i, ln in enumerate(doc.lines)
        if not ln.blank
        and i not in code
        and (text[ln.start].isalpha() or _HAS_LETTER.search(text, ln.start, ln.end) is not None)
    ]
    spans = _nonprose_spans(doc)
    spans.extend((doc.lines[i].start, doc.lines[i].end) for i in code)
    words = doc.words
    chars = sum(map(len, words))
    if not spans:
        return _Prose(words, len(words), chars, lines, text[:COMPRESS_MAX_CHARS])
    spans.sort()
    merged = _merge(spans)
    words = list(words)
    masked = 0
    for s, e in merged:
        i, j = doc.words_between(s, e)
        masked += j - i
        chars -= sum(map(len, words[i:j]))
        words[i:j] = [f"\x00{k}" for k in range(i, j)]
    pieces: list[str] = []
    size = pos = 0
    for s, e in [*merged, (len(text), len(text))]:
        if s > pos:
            pieces.append(text[pos:s])
            size += s - pos
            if size >= COMPRESS_MAX_CHARS:
                break
        pos = max(pos, e)
    return _Prose(words, len(words) - masked, chars, lines, "".join(pieces)[:COMPRESS_MAX_CHARS])


# --------------------------------------------------------------------------------------------
# exact duplicate units (lines, paragraphs)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without surrounding whitespace."""
    if start < end and not text[start].isspace() and not text[end - 1].isspace():
        return start, end
    seg = text[start:end]
    return start + (len(seg) - len(seg.lstrip())), start + len(seg.rstrip())


def _dup_units(
    text: str, spans: Sequence[tuple[int, int]], signal: str, unit: str, ev: list[Evidence]
) -> tuple[float, float]:
    """Gopher duplicate fraction by count and by characters over stripped, non-empty spans."""
    keys = [text[s:e] for s, e in spans]
    if not keys:
        return 0.0, 0.0
    counts = Counter(keys)
    seen: set[str] = set()
    dup = dup_chars = total_chars = 0
    emitted = 0
    for (s, e), k in zip(spans, keys, strict=True):
        total_chars += e - s
        if k in seen:
            dup += 1
            dup_chars += e - s
            if emitted < MAX_EVIDENCE:
                ev.append(Evidence(s, e, signal, f"{unit} repeated {counts[k]}x"))
                emitted += 1
        else:
            seen.add(k)
    return dup / len(keys), (dup_chars / total_chars if total_chars else 0.0)


# --------------------------------------------------------------------------------------------
# n-grams


@dataclass(frozen=True, slots=True)
class _Level:
    """The repeated word n-grams of one length n.

    ``rep`` maps each position whose n-gram occurs >= 2 times to the id of that n-gram, in
    ascending position order; ids number the repeated n-grams 0, 1, ... in order of first
    occurrence, ``counts[id]`` is the number of occurrences and ``first[id]`` the first position.
    """

    rep: dict[int, int]
    counts: list[int]
    first: list[int]


_EMPTY = _Level({}, [], [])
_second = itemgetter(1)
_MINUS_ONE = -1
_ONE = 1  # ``map(_ONE.__lt__, counts)`` flags counts above one without a Python-level loop


def _level(positions: Sequence[int], keys: Sequence[Hashable]) -> _Level:
    """Keep the positions whose key occurs at least twice; relabel keys as small ints.

    Built from C-level iterator pipelines: this runs once per n-gram length on every document."""
    cnt = Counter(keys)
    repeated = list(compress(cnt.keys(), map(_ONE.__lt__, cnt.values())))  # first-occurrence order
    if not repeated:
        return _EMPTY
    labels = dict(zip(repeated, range(len(repeated)), strict=True))
    keep = list(map(labels.__contains__, keys))
    pos = list(compress(positions, keep))
    gids = list(map(labels.__getitem__, compress(keys, keep)))
    first_of = dict(zip(reversed(gids), reversed(pos), strict=True))
    return _Level(
        dict(zip(pos, gids, strict=True)),
        list(map(cnt.__getitem__, repeated)),
        list(map(first_of.__getitem__, range(len(repeated)))),
    )


def _repeated_ngrams(words: Sequence[str], nmax: int) -> list[_Level]:
    """``levels[n]`` for n = 2..nmax (``levels[0]`` and ``levels[1]`` are empty).

    Pruned scan: the n-gram at i can repeat only if the (n-1)-grams at i and i+1 both repeat, so
    level n looks only at the repeated positions of level n-1. Level 2 starts from the words
    that occur twice."""
    cnt = Counter(words)
    repeated = set(compress(cnt.keys(), map(_ONE.__lt__, cnt.values())))
    flags = list(map(repeated.__contains__, words))
    pair = list(map(and_, flags, islice(flags, 1, None)))  # len(words) - 1 items
    cand: Sequence[int] = list(compress(range(len(pair)), pair))
    nxt = islice(words, 1, None)
    keys: list[Hashable] = list(zip(compress(words, pair), compress(nxt, pair)))  # noqa: B905
    levels = [_EMPTY, _EMPTY]
    for n in range(2, nmax + 1):
        if not cand:
            levels.extend([_EMPTY] * (nmax + 1 - n))
            break
        level = _level(cand, keys)
        levels.append(level)
        rep = level.rep
        # cand = [i for i in rep if i + 1 in rep], keys = (id at i, word i + n), at C speed
        cand = list(map(_MINUS_ONE.__add__, filter(rep.__contains__, map(_ONE.__add__, rep))))
        keys = list(zip(map(rep.__getitem__, cand), map(words.__getitem__, map(n.__add__, cand))))  # noqa: B905
    return levels


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge word intervals sorted by start; touching intervals merge."""
    out: list[tuple[int, int]] = []
    for s, e in intervals:
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _covered(runs: Iterable[tuple[int, int]], cum: Sequence[int]) -> int:
    return sum(cum[e] - cum[s] for s, e in runs)


def _runs(starts: Sequence[int], n: int) -> list[tuple[int, int]]:
    """Union of the word windows ``[p, p + n)`` for ascending ``starts``, as merged runs
    (touching windows merge). The gaps are found with C-level iterators."""
    if not starts:
        return []
    gaps = list(compress(range(len(starts) - 1), map(n.__lt__, map(sub, islice(starts, 1, None), starts))))
    firsts = [starts[0], *(starts[k + 1] for k in gaps)]
    lasts = [*(starts[k] + n for k in gaps), starts[-1] + n]
    return list(zip(firsts, lasts, strict=True))


def _dup_runs(level: _Level, n: int) -> list[tuple[int, int]]:
    """Merged word runs covered by repeats (occurrences after the first) of repeated n-grams."""
    firsts = set(level.first)
    return _runs(list(filterfalse(firsts.__contains__, level.rep)), n)


def _top_ngram(level: _Level, n: int, cum: Sequence[int]) -> tuple[int, list[int]]:
    """Covered characters and positions of the most frequent n-gram (count >= 2)."""
    if not level.counts:
        return 0, []
    top = max(level.counts)
    best = set(islice((j for j, c in enumerate(level.counts) if c == top), TIE_CAP))
    if len(best) == 1:
        (g,) = best
        candidates = [list(compress(level.rep, map(g.__eq__, level.rep.values())))]
    else:
        positions: dict[int, list[int]] = {j: [] for j in sorted(best)}
        for i, g in level.rep.items():
            if g in best:
                positions[g].append(i)
        candidates = list(positions.values())
    best_chars, best_pos = -1, []
    for pos in candidates:  # in order of first occurrence
        chars = _covered(_runs(pos, n), cum)
        if chars > best_chars:
            best_chars, best_pos = chars, pos
    return best_chars, best_pos


def _word_span(doc: Document, ws: int, we: int) -> tuple[int, int]:
    return doc.word_starts[ws], doc.word_ends[we - 1]


def _is_content(word: str) -> bool:
    """A content word: two or more characters, a letter, not a function word."""
    return len(word) > 1 and word not in _stopwords() and _HAS_LETTER.search(word) is not None


def _phrase(doc: Document, words: Sequence[str], levels: Sequence[_Level]) -> tuple[int, int, list[int]]:
    """(count, length, positions) of the most repeated qualifying phrase; (0, 0, []) if none.

    Only occurrences inside one sentence count. Highest count wins, then the longer phrase, then
    the earlier first occurrence. A phrase whose content words are all capitalised in most
    occurrences is a name ('Peace Corps') and skipped: naming the subject again is not padding."""
    text, starts = doc.text, doc.word_starts
    ends_before: list[int] | None = None  # ends_before[k]: sentence ends among words < k
    best_c, best_n, best_pos = 0, 0, []
    for n in range(PHRASE_MIN, PHRASE_MAX + 1):
        level = levels[n]
        by_gram: dict[int, list[int]] | None = None
        checked = 0
        for g, c in enumerate(level.counts):  # in order of first occurrence
            if c < best_c or (c == best_c and n <= best_n):
                continue  # the raw count bounds the count inside sentences
            i = level.first[g]
            content = [k - i for k in range(i, i + n) if _is_content(words[k])]
            if len(content) < (2 if n == 2 else 1):
                continue
            if ends_before is None:
                flags = bytearray(len(words) + 1)
                for sent in doc.sentences:
                    if sent.word_start < sent.word_end <= len(words):
                        flags[sent.word_end] = 1
                ends_before = list(accumulate(flags))
            if by_gram is None and checked < 4:  # a few look-ups by scanning, then index once
                occ = [k for k, h in level.rep.items() if h == g]
            else:
                if by_gram is None:
                    by_gram = {}
                    for k, h in level.rep.items():
                        by_gram.setdefault(h, []).append(k)
                occ = by_gram[g]
            checked += 1
            # inside one sentence: no sentence ends among words p .. p+n-2
            inside = map(
                eq, map(ends_before.__getitem__, occ), map(ends_before.__getitem__, map((n - 1).__add__, occ))
            )
            pos = list(compress(occ, inside))
            named = sum(all(text[starts[p + o]].isupper() for o in content) for p in pos)
            if 2 * named > len(pos):
                continue
            if len(pos) > best_c or (len(pos) == best_c and n > best_n):
                best_c, best_n, best_pos = len(pos), n, pos
    return (best_c, best_n, best_pos) if best_c >= 2 else (0, 0, [])


# --------------------------------------------------------------------------------------------
# near duplicates


def _near_dups(
    units: Sequence[tuple[int, int]], shingles: dict[int, int]
) -> tuple[int, list[tuple[int, int, float]]]:
    """Near-duplicate units by exact shingle Jaccard, candidates through shared shingles only.

    ``units`` are ascending, non-overlapping word ranges ``[ws, we)``; ``shingles`` maps the
    positions of repeated word 3-grams to their ids (a 3-gram occurring once cannot be shared, and
    is distinct within its unit). Returns (eligible units, pairs (earlier, later, jaccard)), one
    pair per near-duplicate unit."""
    positions, ids = list(shingles), list(shingles.values())  # ascending positions
    postings: dict[int, list[int]] = {}
    sizes: dict[int, int] = {}
    exact: dict[frozenset[int], int] = {}
    eligible = 0
    pairs: list[tuple[int, int, float]] = []
    for j, (ws, we) in enumerate(units):
        if we - ws < NEAR_DUP_MIN_WORDS:
            continue
        eligible += 1
        grams = ids[bisect_left(positions, ws) : bisect_left(positions, we - SHINGLE + 1)]
        if not grams:
            continue
        rep = set(grams)
        size = sizes[j] = we - ws - SHINGLE + 1 - len(grams) + len(rep)
        if size == len(rep):  # every shingle repeats: maybe an exact copy of an earlier unit
            key = frozenset(rep)
            k = exact.get(key)
            if k is not None:
                pairs.append((k, j, 1.0))
                continue
            exact[key] = j
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
        top = (
            shared.items()
            if len(shared) <= CANDIDATE_CAP
            else nlargest(CANDIDATE_CAP, shared.items(), key=_second)
        )
        for k, inter in top:
            jac = inter / (size + sizes[k] - inter)
            if jac > best_jac or (jac == best_jac and k < best_k):
                best_k, best_jac = k, jac
        if best_jac >= NEAR_DUP_JACCARD:
            pairs.append((best_k, j, best_jac))
    return eligible, pairs


# --------------------------------------------------------------------------------------------
# lexical diversity


def _mtld_pass(words: Iterable[str], n: int) -> float:
    """One MTLD pass. A token seen earlier in the current factor is the only thing that can lower
    the factor's type-token ratio, so the threshold is tested only then."""
    factors = 0.0
    seg_of: dict[str, int] = {}
    get = seg_of.get
    seg = tokens = types = 0
    for w in words:
        tokens += 1
        if get(w) != seg:
            seg_of[w] = seg
            types += 1
        elif types / tokens <= MTLD_THRESHOLD:
            factors += 1.0
            seg += 1
            tokens = types = 0
    if tokens:
        factors += (1.0 - types / tokens) / (1.0 - MTLD_THRESHOLD)
    return n / factors if factors > 0 else float(n)


def _mtld(words: Sequence[str]) -> float:
    n = len(words)
    if not n:
        return 0.0
    return (_mtld_pass(words, n) + _mtld_pass(reversed(words), n)) / 2.0


# --------------------------------------------------------------------------------------------


def _evidence_runs(doc: Document, runs: Sequence[tuple[int, int]], signal: str, note: str) -> list[Evidence]:
    return [Evidence(*_word_span(doc, s, e), signal, note) for s, e in runs[:MAX_EVIDENCE]]


def compute(doc: Document) -> FamilyOutput:
    """All repetition features of ``doc`` with their evidence."""
    text = doc.text
    values: dict[str, float] = {}
    ev: list[Evidence] = []

    prose = _prose(doc)

    # Lines and paragraphs (Gopher), prose only; a heading is compared by its words, without
    # markers, so "# Title" and "## Title" are the same line.
    head = {h.line: (h.start, h.end) for h in doc.headings}

    def span(i: int) -> tuple[int, int]:
        return head.get(i) or _strip(text, doc.lines[i].start, doc.lines[i].end)

    lines = [span(i) for i in prose.lines]
    values["dup_line_frac"], values["dup_line_char_frac"] = _dup_units(
        text, lines, "dup_line_frac", "line", ev
    )
    kept = set(prose.lines)
    paras = [
        span(p.first_line) if p.first_line == p.last_line else _strip(text, p.start, p.end)
        for p in doc.paragraphs
        if any(i in kept for i in range(p.first_line, p.last_line + 1))
    ]
    values["dup_para_frac"], values["dup_para_char_frac"] = _dup_units(
        text, paras, "dup_para_frac", "paragraph", ev
    )

    # Cumulative word characters, pruned n-gram scan (over at most MAX_SCAN_WORDS words).
    all_words = prose.words
    words = all_words[:MAX_SCAN_WORDS]
    if len(words) < len(all_words):
        kept_words = [w for w in words if w[0] != "\x00"]
        n_words, total = len(kept_words), sum(map(len, kept_words))
    else:
        n_words, total = prose.n_words, prose.chars
    cum = [0, *accumulate(map(len, words))]
    levels = _repeated_ngrams(words, max(DUP_NGRAMS))

    for n in TOP_NGRAMS:
        name = f"top_{n}gram_char_frac"
        chars, pos = _top_ngram(levels[n], n, cum)
        frac = chars / total if total and pos else 0.0
        values[name] = frac
        if frac >= TOP_NGRAM_EVIDENCE[n]:
            note = f"'{' '.join(words[pos[0] : pos[0] + n])}' x{len(pos)}"
            ev.extend(Evidence(*_word_span(doc, i, i + n), name, note) for i in pos[:MAX_EVIDENCE])

    runs5: list[tuple[int, int]] = []
    for n in DUP_NGRAMS:
        name = f"dup_{n}gram_char_frac"
        runs = _dup_runs(levels[n], n)
        if n == DUP_NGRAMS[0]:
            runs5 = runs
        values[name] = _covered(runs, cum) / total if total else 0.0
        if values[name] >= DUP_NGRAM_EVIDENCE[n]:
            ev.extend(_evidence_runs(doc, runs, name, f"repeats an earlier {n}-word sequence"))

    # Near-duplicate sentences and paragraphs.
    shingles = levels[SHINGLE].rep
    cap = len(words)
    units = [(s.word_start, min(s.word_end, cap)) for s in doc.sentences if s.word_start < cap]
    elig, pairs = _near_dups(units, shingles)
    values["near_dup_sentence_frac"] = len(pairs) / elig if elig else 0.0
    _pair_evidence(doc, pairs, doc.sentences, "near_dup_sentence_frac", ev)
    units = [doc.words_between(p.start, p.end) for p in doc.paragraphs]
    elig, pairs = _near_dups([(ws, min(we, cap)) for ws, we in units if ws < cap], shingles)
    values["near_dup_para_frac"] = len(pairs) / elig if elig else 0.0
    _pair_evidence(doc, pairs, doc.paragraphs, "near_dup_para_frac", ev)

    # Most repeated phrase.
    count, plen, positions = _phrase(doc, words, levels)
    values["top_phrase_per_1k"] = count * 1000.0 / n_words if count else 0.0
    if count >= PHRASE_EVIDENCE_MIN_COUNT and values["top_phrase_per_1k"] >= PHRASE_EVIDENCE_MIN_RATE:
        note = f"'{' '.join(words[positions[0] : positions[0] + plen])}' x{count}"
        ev.extend(
            Evidence(*_word_span(doc, i, i + plen), "top_phrase_per_1k", note)
            for i in positions[:MAX_EVIDENCE]
        )

    # Repeated sentence openers.
    openers = [
        (s.word_start, tuple(all_words[s.word_start : s.word_start + OPENER_WORDS]))
        for s in doc.sentences
        if s.word_end - s.word_start >= OPENER_MIN_WORDS
    ]
    opener_counts = Counter(k for _, k in openers)
    hits = [(ws, k) for ws, k in openers if opener_counts[k] >= OPENER_MIN_USES]
    values["repeated_opener_frac"] = len(hits) / len(openers) if openers else 0.0
    for ws, k in hits[: MAX_EVIDENCE if values["repeated_opener_frac"] >= OPENER_EVIDENCE else 0]:
        note = f"opener '{' '.join(k)}' x{opener_counts[k]}"
        ev.append(Evidence(*_word_span(doc, ws, ws + OPENER_WORDS), "repeated_opener_frac", note))

    # Compressibility.
    raw = prose.text.encode("utf-8", "surrogatepass")
    comp = 1.0 - len(zlib.compress(raw, 6)) / len(raw) if raw else 0.0
    values["compressibility"] = max(0.0, comp)
    if comp >= COMPRESSIBILITY_EVIDENCE:
        ev.extend(_evidence_runs(doc, runs5, "compressibility", "repeated wording"))

    # Lexical diversity.
    mtld = _mtld([w for w in words if w[0] != "\x00"] if n_words < len(words) else words)
    values["mtld"] = mtld
    if n_words and mtld < MTLD_EVIDENCE:
        freq = Counter(words)
        top = nlargest(3, (w for w in freq if _is_content(w)), key=freq.__getitem__)
        wanted = set(top)
        occ = islice((i for i, w in enumerate(words) if w in wanted), MAX_EVIDENCE)
        ev.extend(
            Evidence(*_word_span(doc, i, i + 1), "mtld", f"'{words[i]}' x{freq[words[i]]}") for i in occ
        )
    return values, ev


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
        "O(n) in words (near-duplicates O(n * 8)); compression on at most 200k characters",
        FEATURES,
        compute,
    )
)
