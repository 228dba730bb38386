"""The shared parse: one normalisation and one segmentation per text, read by every signal.

A :class:`Document` holds the normalised text and its lines, paragraphs, headings, sentences and
words, all as half-open character spans of the *normalised* text. ``Document.original_span``
maps any span back to the caller's original string, which is how evidence is reported.

Parsing is linear in the length of the text, and the hot paths avoid per-word Python work. Words
are found by a few numpy passes over a ``bytes.translate`` class map of the lower-cased text and
cut out by one ``str.split`` (non-ASCII text through an ASCII proxy of the same length, see
:func:`slopsift.normalize.normalise_with_proxy`); lines come from ``str.split`` with their offsets
accumulated in C; sentence ends from one regex scan, sentences index into the word offsets with
one ``numpy.searchsorted``; and the frozen line, paragraph and sentence records are filled in
column by column (:func:`slopsift._frozen.build_frozen`).

Besides the segmentation, a document offers shared, lazily computed views: ``lower``,
``line_texts``, ``word_counts`` and ``word_ids`` (integer word ids for n-gram and diversity work).
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, repeat
from operator import add

import numpy as np
from numpy.typing import NDArray

from slopsift import _accel
from slopsift._frozen import build_frozen, slot_descriptors
from slopsift.lexicons import WordFacts, load_lexicon, word_facts, word_initials
from slopsift.normalize import Normalised, normalise_with_proxy
from slopsift.structure import Heading, Line, code_lines_of, detect_headings, is_list_item

__all__ = [
    "MIN_WORDS",
    "Document",
    "Heading",
    "Line",
    "Paragraph",
    "Sentence",
    "parse",
]


_URL_TAIL = re.compile(r"""[^\s()\[\]<>"'`]+""")
_TLD = re.compile(r"\.(?:com|org|net|gov|edu|io|dev|co|uk|us|ai|app|info|biz)(?![\w-])")
_PATH = re.compile(r"""/[^\s()\[\]<>"'`]*""")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_TOKEN_STOP = frozenset(" \t\n()[]<>\"'`,;")


MIN_WORDS = 80
"""Below this many prose words (:attr:`Document.n_prose_words`: words outside links) a document is
``insufficient_text``: too little evidence to score."""

# Decimal numbers stay one word; otherwise letters/digits joined by apostrophes or hyphens.
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['\-][^\W_]+)*")
# The same pattern as one capturing group: ``re.split`` then alternates gaps and words.
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")
# ``_WORD_SPLIT`` specialised to lower-cased ASCII text, where ``[^\W_]`` is exactly ``[a-z0-9]``
# and ``\d`` is ``[0-9]``: same matches, about a quarter faster.
_WORD_SPLIT_LOWER_ASCII = re.compile(r"([0-9]+(?:[.,][0-9]+)+|[a-z0-9]+(?:['\-][a-z0-9]+)*)")
_NUL_TO_SPACE = bytes((32, *range(1, 256)))
# Above one decimal number per this many characters, ``_ascii_words`` uses the regex throughout.
_CHARS_PER_NUMBER = 100
# A sentence may end at terminal punctuation (plus closing quotes/brackets) followed by whitespace
# and something that can open a sentence. (``[.!?]+`` also covers an ellipsis; a leading character
# class lets the regex engine skip ahead in C.) A match can only start where a run of ``.!?``
# starts: from inside the run it would end where the match from its start ends, with the same
# look-ahead. The look-behind says so, and spares a quadratic retry along a long run of dots.
_BOUNDARY = re.compile(r"[.!?](?<![.!?]{2})[.!?]*[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
# ``_BOUNDARY`` split by its first character: a literal first character lets the regex engine
# skip ahead with a plain character loop, which is several times faster than testing a class.
# Together they find exactly the matches of ``_BOUNDARY`` (which can only start where a run of
# ``.!?`` starts, and such runs are disjoint).
_BOUNDARY_TAIL = _BOUNDARY.pattern[len("[.!?]") :]
_BOUNDARY_DOT = re.compile(r"\." + _BOUNDARY_TAIL)
_BOUNDARY_BANG = re.compile("!" + _BOUNDARY_TAIL)
_BOUNDARY_QUESTION = re.compile(r"\?" + _BOUNDARY_TAIL)
_span = re.Match.span
# Where the whitespace after a candidate sentence end ends, if the look-ahead holds in a block.
_AFTER_BOUNDARY = re.compile(r"\s+(?=[\"'(\[]?[A-Z0-9])")
# The token before a full stop, read right to left: the reversed text starts with the stop.
_TOKEN_BEFORE_REV = re.compile(r"\.([\w.]+)")
_TERMINAL = frozenset(".!?:;\"')]")
_TERMINAL_CHARS = "".join(sorted(_TERMINAL))  # the same, for ``slopsift._speedups.blocks_of_lines``


def _class_table() -> bytes:
    """The character classes of ``_WORD_SPLIT_LOWER_ASCII`` as a ``bytes.translate`` table: ``a``
    letter, ``d`` digit, ``-`` joiner, ``,`` decimal separator, space anything else."""
    table = bytearray(b" " * 256)
    for chars, cls in ((string.ascii_lowercase, "a"), (string.digits, "d"), ("'-", "-"), (".,", ",")):
        for c in chars:
            table[ord(c)] = ord(cls)
    return bytes(table)


_CLASS = _class_table()


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(load_lexicon("abbreviations.txt").phrases)


@lru_cache(maxsize=1)
def _long_word() -> int:
    """A token of at least this many letters before a full stop is no abbreviation (longer than
    any, and than the six characters of "U.S."-like tokens), no initial and no number."""
    return max(6, max(map(len, _abbreviations()), default=0)) + 1


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of consecutive non-blank lines; ``lines`` indexes :attr:`Document.lines`."""

    start: int
    end: int
    first_line: int
    last_line: int  # inclusive


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence; its words are ``Document.words[word_start:word_end]``."""

    start: int
    end: int
    word_start: int
    word_end: int


@dataclass(eq=False)
class Document:
    """A text parsed once. Build with :func:`parse`; treat as read-only."""

    original: str
    text: str
    norm: Normalised
    lines: list[Line]
    paragraphs: list[Paragraph]
    headings: list[Heading]
    sentences: list[Sentence]
    word_starts: list[int]
    word_ends: list[int]
    words: list[str]  # lower-cased
    heading_lines: frozenset[int] = field(default_factory=frozenset)
    code_lines: frozenset[int] = field(default_factory=frozenset)
    """Lines of fenced or indented code (:func:`slopsift.structure.code_lines`): not prose, so no
    signal reads them as sentences, headings or scraped lines."""
    word_start_array: NDArray[np.intp] | None = field(default=None, repr=False)
    """:attr:`word_starts` as an array when the parse made one on the way (None otherwise), for
    gathers in C (:attr:`word_initials`). Read-only, like the rest."""

    @property
    def n_words(self) -> int:
        return len(self.words)

    @property
    def normalisation_counts(self) -> dict[str, int]:
        return self.norm.counts

    @cached_property
    def word_counts(self) -> Counter[str]:
        """How often each (lower-cased) word occurs, computed once and shared by the families.

        Any per-word quantity that depends only on the word (a lexicon look-up, a syllable count,
        a length) is cheaper over ``word_counts.items()`` than over ``words``: a 700-word text has
        about 350 distinct words, a long one far fewer per word. Read-only, like the rest.
        """
        return self._ids_and_counts()[1]

    @cached_property
    def word_ids(self) -> list[int]:
        """An integer id per word: the index of the word's first occurrence in :attr:`words`.

        Equal words share an id, ``words[word_ids[k]] == words[k]``, every id is below
        ``n_words`` and ids ascend in order of first occurrence, so they index flat lists (no
        dicts) and n-gram keys can be ints (``a * n_words + b``) instead of tuples of strings.
        Computed once, in one C-level pass (``dict.setdefault``), or already by the parse's word split
        (:func:`_split_ascii`). Read-only, like the rest.
        """
        return self._ids_and_counts()[0]

    def _ids_and_counts(self) -> tuple[list[int], Counter[str]]:
        """:attr:`word_ids` and :attr:`word_counts`, both computed (and cached) at the first call of
        either: every family run needs both, and the C twin finds both with one dict probe per word."""
        ids, counts = word_ids_counts(self.words)
        self.__dict__["word_ids"] = ids
        self.__dict__["word_counts"] = counts
        return ids, counts

    @cached_property
    def word_facts(self) -> list[WordFacts]:
        """``(syllables, Zipf frequency or None, misspelled)`` of every word, in order: looked up once per
        document for the readability and vocabulary families (see :func:`slopsift.lexicons.word_facts`).
        Read-only, like the rest."""
        return word_facts(self.words, self.word_ids)

    @cached_property
    def word_initials(self) -> str:
        """The first character of every word in :attr:`text`, ``word_initials[k] ==
        text[word_starts[k]]``, for the style and vocabulary families. Read-only, like the rest."""
        at = self.word_start_array
        if at is not None and len(at) > 1 and self.text.isascii():
            # one numpy gather from the text's bytes: no int object or 1-character string per word
            return np.frombuffer(self.text.encode("ascii"), np.uint8)[at].tobytes().decode("ascii")
        return word_initials(self.text, self.word_starts)

    @cached_property
    def sentence_bounds(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """The sentences' ``start``, ``end``, ``word_start`` and ``word_end`` as four lists (read-only),
        shared by the families that bisect or map over them; :func:`parse` sets the lists it built."""
        sents = self.sentences
        return (
            [s.start for s in sents],
            [s.end for s in sents],
            [s.word_start for s in sents],
            [s.word_end for s in sents],
        )

    @cached_property
    def line_starts(self) -> list[int]:
        """``lines[i].start`` for every line, for bisecting an offset to its line."""
        return [ln.start for ln in self.lines]

    @cached_property
    def line_texts(self) -> list[str]:
        """The text of every line, ``line_texts[i] == text[lines[i].start : lines[i].end]``
        (``text.split("\\n")``, kept from the parse). Read-only, like the rest."""
        return self.text.split("\n")

    @cached_property
    def lower(self) -> str:
        """The normalised text lower-cased (same length: ``str.lower`` can grow, so guarded)."""
        low = self.text.lower()
        if len(low) != len(self.text):  # e.g. 'İ' lower-cases to two code points
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in self.text)
        return low

    @cached_property
    def phrase_view(self) -> PhraseView:
        """:attr:`lower` as the phrase lists read it: Markdown emphasis markers (runs of ``*`` or ``_``
        at a word's edge: ``**It's about trust.**``, ``it's *not* about``) removed and runs of spaces
        read as one space, so that neither splits a phrase. Shared
        by every list of :mod:`slopsift.signals.hedging`; spans found in it map back to :attr:`lower`
        (and :attr:`text`) offsets by :meth:`PhraseView.span`. Read-only, like the rest."""
        return PhraseView.of(self.lower)

    @cached_property
    def link_spans(self) -> tuple[tuple[int, int], ...]:
        """Character spans of URLs (``https://...``, ``www....``), Markdown link targets (``](...)``) and
        domain names with their path (``example.com/path``, which covers ``name@example.com``; not
        ``ASP.NET``, ``java.net.URL`` or ``year.AI``: :func:`_ends_domain`), sorted and merged (overlapping
        or touching spans are one): :attr:`nonprose_spans` less the code lines. Their words are not prose
        words (:attr:`n_prose_words`). Read-only, like the rest."""
        sp = _accel.speedups
        if sp is not None:  # the C twin: the same scans in one call
            return sp.nonprose_spans(self.text, self.lower, [])
        return _nonprose_spans_py(self.text, self.lower, [])

    @cached_property
    def nonprose_spans(self) -> tuple[tuple[int, int], ...]:
        """Character spans of URLs, link targets, domain names (``example.com/path``) and code lines,
        sorted and merged (overlapping or touching spans are one): words and marks there are not prose
        (the repetition family masks them, the phrasing family skips them). :attr:`link_spans` and the
        code lines, so the text is scanned for links once. Read-only, like the rest."""
        links = self.link_spans
        if not self.code_lines:
            return links
        lines = self.lines
        return _merged_spans([*links, *((lines[i].start, lines[i].end) for i in self.code_lines)])

    @cached_property
    def link_words(self) -> tuple[list[int], list[int]]:
        """The word range ``[firsts[k], ends[k])`` of every span of :attr:`link_spans` (the words that
        start inside it; :meth:`words_between` of each), as two columns. Read-only, like the rest."""
        spans = self.link_spans
        return self.words_between_each([s for s, _ in spans], [e for _, e in spans])

    @property
    def n_prose_words(self) -> int:
        """How many words lie outside :attr:`link_spans`: the words the gate counts (``https``,
        ``example`` and ``com`` of a link are not evidence of prose; words of code lines are counted)."""
        firsts, ends = self.link_words
        return self.n_words - sum(ends) + sum(firsts)

    @cached_property
    def title(self) -> Heading | None:
        """The first heading if it is the first non-blank line of the document."""
        for first, ln in enumerate(self.lines):
            if not ln.blank:
                for h in self.headings:
                    if h.line == first:
                        return h
                return None
        return None

    def span_text(self, start: int, end: int) -> str:
        return self.text[start:end]

    def line_text(self, i: int) -> str:
        ln = self.lines[i]
        return self.text[ln.start : ln.end]

    def words_between(self, start: int, end: int) -> tuple[int, int]:
        """Index range ``[i, j)`` of the words lying inside the span ``[start, end)``."""
        return bisect_left(self.word_starts, start), bisect_left(self.word_starts, end)

    def words_between_each(self, starts: list[int], ends: list[int]) -> tuple[list[int], list[int]]:
        """:meth:`words_between` of many spans ``[starts[k], ends[k])`` at once, as two columns."""
        return bisect_lefts(self.word_starts, starts), bisect_lefts(self.word_starts, ends)

    @cached_property
    def paragraph_words(self) -> tuple[list[int], list[int]]:
        """The word range ``[firsts[k], ends[k])`` of every paragraph (:meth:`words_between` of each), for
        the families that measure paragraphs in words. Read-only, like the rest."""
        paras = self.paragraphs
        return self.words_between_each([p.start for p in paras], [p.end for p in paras])

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original input that produced normalised ``[start, end)``."""
        return self.norm.offsets.span(start, end)


_EMPHASIS = re.compile(r"([*_](?:(?<![\w*][*_])[*_]*|(?<![*_][*_])[*_]*(?![\w*])))")
r"""An emphasis marker, as one group: a whole run of ``*`` or ``_`` unless a word character stands on
both sides (``snake_case``, ``5*3``). The first branch takes a run that no word character opens (its
first character follows none of ``[\w*]``: ``_`` is one), the second a run that no word character
closes (it starts a run, and neither ``*`` nor a word character follows its end); both run to the end of the
run, and within a run neither holds, so every run is read once. The pattern opens with its character
class, so ``re`` skips ahead to each run in C."""
_EXTRA_SPACE = re.compile(r" ( +)")
"""A run of spaces, the ones after the first as a group (``re.split`` keeps the group, drops the first).
Other whitespace is left: the lists' phrases allow any whitespace between words already."""
_PLUS_ONE = (1).__add__


@dataclass(frozen=True, slots=True)
class PhraseView:
    """A text with some characters deleted (:attr:`Document.phrase_view`), and the way back.

    ``text`` is the view; ``passes`` the deletions that made it, in order, each as the kept segments
    of its result (``(starts, origins)``: the result's ``[starts[k]:]`` begins with its input's
    ``[origins[k]:]``); none when nothing was deleted (the view is the source itself). Built with at
    most two regex scans and joins: O(n); an offset maps back by one bisection per pass, O(log d) in
    the number of deletions d."""

    text: str
    passes: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()

    @classmethod
    def of(cls, low: str) -> PhraseView:
        text = low
        passes: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        if "*" in text or "_" in text:
            parts = _EMPHASIS.split(text)  # kept, marker, kept, ..., kept
            if len(parts) > 1:
                kept = parts[0::2]
                _add_pass(passes, list(map(len, kept)), parts[1::2])
                text = "".join(kept)
        if "  " in text:
            parts = _EXTRA_SPACE.split(text)  # kept, extra spaces, kept, ...: a kept space between two
            kept = parts[0::2]
            _add_pass(passes, list(map(_PLUS_ONE, map(len, kept))), parts[1::2])
            text = " ".join(kept)
        return cls(text, tuple(passes))

    def offset(self, i: int) -> int:
        """The source offset of the character at view offset ``i``."""
        for starts, origins in reversed(self.passes):
            k = bisect_right(starts, i) - 1
            i = origins[k] + i - starts[k]
        return i

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source span of the non-empty view span ``[start, end)``: from its first character's
        source offset to just after its last one's."""
        if not self.passes:
            return start, end
        return self.offset(start), self.offset(end - 1) + 1


def _add_pass(
    passes: list[tuple[tuple[int, ...], tuple[int, ...]]], kept: list[int], deleted: list[str]
) -> None:
    """Append the pass that deleted the strings ``deleted``, each after a kept segment of the lengths
    ``kept`` (one more of those: the last segment) in its result: segment k+1 starts at the sum of the
    lengths of segments 0..k in the result and of those and the deleted strings 0..k in the input. Sums
    taken in C, no Python step per deletion."""
    kept.pop()
    passes.append(((0, *accumulate(kept)), (0, *accumulate(map(add, kept, map(len, deleted))))))


MAX_INDEXED = 1 << 14
"""Documents up to this many words get their word indices from :func:`word_indices`' shared ints."""


def _nonprose_spans_py(text: str, low: str, code: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """:attr:`Document.nonprose_spans` of ``text``, lower-cased ``low`` (of the same length), whose code
    lines span ``code`` (``slopsift._speedups.nonprose_spans`` is the C twin). The scans read ``low``;
    :func:`_ends_domain` reads the case of ``text``."""
    if len(text) != len(low):
        raise ValueError("nonprose_spans: the text and its lower-cased copy differ in length")
    spans: list[tuple[int, int]] = []
    # str.find is far faster than a regex scan (and one character, "/", is found with memchr)
    markers = (("://", 10), ("www.", 0)) if "/" in low else (("www.", 0),)
    for marker, back in markers:
        i = low.find(marker)
        while i >= 0:
            s = i
            while s > i - back and s > 0 and low[s - 1].isalpha():  # the scheme, e.g. "https"
                s -= 1
            m = _URL_TAIL.match(low, i + len(marker))
            e = m.end() if m else i + len(marker)
            spans.append((s, e))
            i = low.find(marker, e)
    if "]" in low and "](" in low:
        spans.extend(m.span() for m in _LINK_TARGET.finditer(low))
    done = 0  # end of the last domain span: never walk back over it (keeps this linear)
    for m in _TLD.finditer(low):
        if m.start() < done or not _ends_domain(text, low, m.start(), m.end()):
            continue
        s = m.start()
        floor = max(done, s - 100)
        while s > floor and low[s - 1] not in _TOKEN_STOP:
            s -= 1
        path = _PATH.match(low, m.end())
        done = path.end() if path else m.end()
        spans.append((s, done))
    spans.extend(code)
    return _merged_spans(spans)


def _ends_domain(text: str, low: str, dot: int, end: int) -> bool:
    """Whether the top-level domain ``low[dot:end]`` (a match of ``_TLD``) ends a domain name, read with
    the case of ``text``. It needs a name (a letter or digit before its dot: not `` .com domains``), no dot
    and capital after it (``java.net.URL``: a class in a package), and to be written in lower case or,
    after a name not ending in a lower-case letter, in capitals other than ``.NET`` (``GOV.UK``,
    ``EXAMPLE.COM``). So programming names (``.NET``, ``ASP.NET``, ``VB.Net``, ``System.IO``) and a
    missing space after a full stop (``this year.AI is``, ``U.S.Us``) are prose."""
    if dot == 0 or not low[dot - 1].isalnum():
        return False
    if end + 1 < len(low) and low[end] == "." and text[end + 1].isupper():
        return False
    tld, word = text[dot + 1 : end], low[dot + 1 : end]
    if tld == word:
        return True
    return tld == word.upper() and word != "net" and not text[dot - 1].islower()


def _merged_spans(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """``spans`` sorted, with overlapping or touching spans merged into one."""
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return tuple(merged)


@lru_cache(maxsize=1)
def _shared_indices() -> tuple[int, ...]:
    return tuple(range(MAX_INDEXED))


def word_indices(n: int) -> Iterable[int]:
    """0, 1, 2, ... at least up to ``n - 1``, for zipping (``map``, ``compress``) with the ``n`` words of
    a document: ready-made int objects (0 to MAX_INDEXED - 1, about 0.6 MB, built once) when ``n <=
    MAX_INDEXED``, so a C-level map or ``compress`` picks or stores word indices without allocating (and
    freeing) an int for every word above 256, as ``range`` and ``count`` do; ``range(n)`` for longer
    documents. It may run past ``n``: never take its length or ``list()`` it."""
    return _shared_indices() if n <= MAX_INDEXED else range(n)


def _word_ids_counts(words: list[str]) -> tuple[list[int], Counter[str]]:
    """:attr:`Document.word_ids` and :attr:`Document.word_counts` of ``words``
    (``slopsift._speedups.word_ids_counts`` is the C twin)."""
    first: dict[str, int] = {}
    return list(map(first.setdefault, words, word_indices(len(words)))), Counter(words)


def _bisect_lefts_py(a: list[int], xs: list[int]) -> list[int]:
    """``bisect_left(a, x)`` of each x (``slopsift._speedups.bisect_lefts`` is the C twin)."""
    return list(map(bisect_left, repeat(a), xs))


def bisect_lefts(a: list[int], xs: list[int]) -> list[int]:
    """``bisect_left(a, x)`` of each x (``a`` sorted): the first word at or after each offset when ``a``
    is :attr:`Document.word_starts`; in one C loop when the twins are built."""
    sp = _accel.speedups
    return _bisect_lefts_py(a, xs) if sp is None else sp.bisect_lefts(a, xs)


def word_ids_counts(words: list[str]) -> tuple[list[int], Counter[str]]:
    """:attr:`Document.word_ids` and :attr:`Document.word_counts` of any word list, in C when built."""
    sp = _accel.speedups
    return _word_ids_counts(words) if sp is None else sp.word_ids_counts(words, Counter)


_LINE_SLOTS = slot_descriptors(Line)
_PARAGRAPH_SLOTS = slot_descriptors(Paragraph)
_SENTENCE_SLOTS = slot_descriptors(Sentence)


def _line_spans_py(raws: list[str]) -> tuple[list[int], list[int], list[bool]]:
    """The starts, ends and blankness of the lines of a text from its ``text.split("\\n")``
    (``slopsift._speedups.line_spans`` is the C twin)."""
    lengths = list(map(len, raws))
    # Each line starts one past the end of the previous one (the newline).
    starts = list(accumulate(map((1).__add__, lengths[:-1]), initial=0))
    ends = list(map(add, starts, lengths))
    blank = [not raw or raw.isspace() for raw in raws]  # empty or whitespace only
    return starts, ends, blank


def _lines(raws: list[str]) -> tuple[list[Line], list[int], list[int], list[bool]]:
    """The lines of a text from its ``text.split("\\n")``, and their starts, ends and blankness."""
    sp = _accel.speedups
    starts, ends, blank = _line_spans_py(raws) if sp is None else sp.line_spans(raws, _shared_indices())
    return build_frozen(Line, _LINE_SLOTS, starts, ends, blank), starts, ends, blank


def _paragraph_runs_py(blank: list[bool]) -> tuple[list[int], list[int]]:
    """The first and last line of every run of non-blank lines (``slopsift._speedups.paragraph_runs`` is
    the C twin)."""
    firsts: list[int] = []
    lasts: list[int] = []
    prev = True
    for i, b in enumerate(blank):
        if b is not prev:
            if b:
                lasts.append(i - 1)
            else:
                firsts.append(i)
            prev = b
    if not prev:
        lasts.append(len(blank) - 1)
    return firsts, lasts


def _paragraphs(starts: list[int], ends: list[int], blank: list[bool]) -> list[Paragraph]:
    """Runs of non-blank lines, from the lines' starts, ends and blankness."""
    sp = _accel.speedups
    got = None if sp is None else sp.paragraph_runs(blank)
    firsts, lasts = _paragraph_runs_py(blank) if got is None else got
    return build_frozen(
        Paragraph,
        _PARAGRAPH_SLOTS,
        list(map(starts.__getitem__, firsts)),
        list(map(ends.__getitem__, lasts)),
        firsts,
        lasts,
    )


_Block = tuple[int, int, int, int]
"""A block's start, where its text starts and ends (without surrounding whitespace), its end."""


def _blocks(
    raws: list[str], starts: list[int], ends: list[int], blank: list[bool], heading_lines: frozenset[int]
) -> list[_Block]:
    """:func:`_blocks_py`, in one C loop (``slopsift._speedups.blocks_of_lines``) when the twins are
    built."""
    sp = _accel.speedups
    if sp is None:
        return _blocks_py(raws, starts, ends, blank, heading_lines)
    return sp.blocks_of_lines(raws, starts, ends, blank, heading_lines, _TERMINAL_CHARS, is_list_item)


def _blocks_py(
    raws: list[str], starts: list[int], ends: list[int], blank: list[bool], heading_lines: frozenset[int]
) -> list[_Block]:
    """Stretches of text a sentence may not cross: split at blank lines, headings, list items
    and lines that end a sentence or are too short to be a hard-wrapped line. (A line before a
    blank line always ends its block, so blank lines are never inside one.)"""
    blocks: list[_Block] = []
    start = first = -1
    n = len(raws)
    for i, raw in enumerate(raws):
        if blank[i]:
            continue
        if start < 0:
            start = starts[i]
            first = start + len(raw) - len(raw.lstrip())
        nxt = i + 1
        s = raw.rstrip()
        if (
            nxt >= n
            or blank[nxt]
            or i in heading_lines
            or nxt in heading_lines
            or len(s) < 40
            or s[-1] in _TERMINAL
            or is_list_item(raws[nxt])
        ):
            blocks.append((start, first, starts[i] + len(s), ends[i]))
            start = -1
    return blocks


def _no_end_at_stop(text: str, ms: int, cur: int, abbrev: frozenset[str]) -> bool:
    """Does the full stop at ``ms`` close an abbreviation, an initial or a list number opening
    the stretch that starts at ``cur``, rather than a sentence? Decided by the token before it:
    the run of ``[\\w.]`` (at most 40 characters, not before ``cur``) that ends at ``ms``."""
    seg = text[max(0, ms - _long_word()) : ms]
    space = seg.rfind(" ")
    word = seg[space + 1 :]
    if space < 0 or not word.isalpha():
        lo = max(cur, ms - 40)
        # Reversed ``text[lo : ms + 1]``: the full stop, then the token before it backwards.
        tok = _TOKEN_BEFORE_REV.match(text[ms : lo - 1 : -1] if lo else text[ms::-1])
        if not tok:
            return False
        word = tok.group(1)[::-1]
    # (else the token is the letters after the space, which ``cur`` cannot be inside: it is at
    # whitespace or at a line start)
    if word.lower() in abbrev or (len(word) == 1 and word.isupper()):
        return True  # "Dr.", "e.g.", an initial as in "Mark T. Esper"
    if "." in word and len(word) <= 6 and word.replace(".", "").isalpha():
        return True  # "U.S.", "a.m."
    return word.isdigit() and not text[cur : ms - len(word)].strip()  # a list number "1."


def _boundaries(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """The spans of the matches of ``_BOUNDARY`` in ``text[start:end]``, in order: those of
    ``_BOUNDARY_DOT``, merged with those of ``_BOUNDARY_BANG`` and ``_BOUNDARY_QUESTION`` if
    the text has a '!' or a '?' (the matches of the three are disjoint)."""
    dots = map(_span, _BOUNDARY_DOT.finditer(text, start, end))
    if "!" not in text and "?" not in text:
        return dots
    return sorted(
        [
            *dots,
            *map(_span, _BOUNDARY_BANG.finditer(text, start, end)),
            *map(_span, _BOUNDARY_QUESTION.finditer(text, start, end)),
        ]
    )


def _sentence_spans(text: str, blocks: list[_Block]) -> tuple[list[int], list[int]]:
    """Starts and ends of the sentences of all ``blocks``, stripped of surrounding whitespace.

    One scan of the whole text for candidate ends (``_BOUNDARY``, see :func:`_boundaries`): a
    match never contains a newline, so it lies inside one line and hence one block; only its
    look-ahead can reach past the block's end, and it is checked again against the block's end
    (with ``_AFTER_BOUNDARY``) unless it is one space and a non-space character, which lie on the
    match's own line. A candidate after a full stop is dropped after an abbreviation, an initial
    or a list number (:func:`_no_end_at_stop`). A sentence that ends at a candidate ends on its
    punctuation; the next one starts where the whitespace after it ends, which lies inside the
    block (the look-ahead found a non-space character there), so no sentence is empty, and the
    last one ends where the block's text does.
    """
    ss: list[int] = []
    es: list[int] = []
    if not blocks:
        return ss, es
    abbrev = _abbreviations()
    long_word = _long_word()
    k = 0
    nb = len(blocks)
    bs, start, last, be = blocks[0]  # ``start``: where the current sentence starts, stripped
    cur = bs  # and unstripped
    for ms, me in _boundaries(text, bs, blocks[-1][3]):
        while ms >= be:  # close the block: its last sentence runs to the end of its text
            ss.append(start)
            es.append(last)
            k += 1
            if k >= nb:
                return ss, es
            bs, start, last, be = blocks[k]
            cur = bs
        if ms < bs:
            continue  # not inside a block (cannot happen: every non-blank line is in one)
        if text[me] != "\n" and not text[me + 1].isspace():
            nxt = me + 1
        else:
            after = _AFTER_BOUNDARY.match(text, me, be)
            if after is None:
                continue
            nxt = after.end()
        if (
            text[ms] == "."
            and not (ms >= long_word and text[ms - long_word : ms].isalpha())  # ends a long word
            and _no_end_at_stop(text, ms, cur, abbrev)
        ):
            continue
        ss.append(start)
        es.append(me)
        cur = me
        start = nxt
    ss.append(start)
    es.append(last)
    for _, start, last, _ in blocks[k + 1 :]:
        ss.append(start)
        es.append(last)
    return ss, es


def _sentences_of_blocks(text: str, blocks: list[_Block]) -> tuple[list[int], list[int]]:
    """:func:`_sentence_spans`, in one C scan (``slopsift._speedups.sentence_spans``) when the twins
    are built."""
    sp = _accel.speedups
    if sp is None:
        return _sentence_spans(text, blocks)
    return sp.sentence_spans(text, blocks, _abbreviations(), _long_word())


def _ascii_words(low: str) -> tuple[list[int], list[int], list[str], NDArray[np.intp] | None]:
    """Start and end offsets and text of every word of the lower-cased ASCII text ``low``, exactly
    the pieces ``_WORD_SPLIT_LOWER_ASCII.split(low)`` yields, found with a few numpy passes.

    ``bytes.translate`` maps each character to its class (``a`` letter, ``d`` digit, ``-`` joiner
    ``'``/``-``, ``,`` decimal separator ``.``/``,``, space for anything else). Without a decimal
    number (no digit, separator, digit: then the pattern's first branch never matches) the words
    are the maximal runs of letters and digits, plus joiners between two of them; blanking every
    other character lets one ``str.split`` cut out the words in C. A decimal number can change how
    the characters around it split ("3.5x" is "3.5" and "x"), but never across a character of
    the last class, which no word contains: so only those stretches holding a decimal number are
    split again, with the regex itself (or the whole text, if numbers are everywhere). Linear
    time, no Python code per word. Also returned: the starts as an array (made from the numpy
    passes' array and the few re-split stretches), or None if the regex split the whole text.
    """
    raw = low.encode("ascii")
    cls = raw.translate(_CLASS)
    decimals = cls.count(b"d,d")
    if decimals * _CHARS_PER_NUMBER > len(cls):  # numbers everywhere: the regex alone is cheaper
        parts = _WORD_SPLIT_LOWER_ASCII.split(low)
        cum = list(accumulate(map(len, parts)))
        return cum[0:-1:2], cum[1::2], parts[1::2], None
    codes = np.frombuffer(cls, np.uint8)
    inside = np.zeros(len(codes) + 2, np.bool_)  # padded by one non-word character at each end
    in_word = inside[1:-1]  # (a view)
    np.greater(codes, 64, out=in_word)  # the letters and digits
    joins = codes[1:-1] == 45  # and the joiners between two of them
    joins &= in_word[:-2]
    joins &= in_word[2:]
    in_word[1:-1] |= joins
    edge_array = np.flatnonzero(inside[1:] != inside[:-1])
    start_array = edge_array[0::2]
    starts: list[int] = start_array.tolist()
    ends: list[int] = edge_array[1::2].tolist()
    # Every non-word character becomes NUL and then a space, so the words are what split() returns.
    kept = (np.frombuffer(raw, np.uint8) * in_word).tobytes().translate(_NUL_TO_SPACE)
    words = kept.decode("ascii").split()
    if not decimals:
        return starts, ends, words, start_array
    pos = cls.find(b"d,d")
    new_starts: list[int] = []
    new_ends: list[int] = []
    new_words: list[str] = []
    new_arrays: list[NDArray[np.intp]] = []  # ``new_starts`` as arrays, for one concatenation
    j = 0  # the words before ``starts[j]`` are done
    while pos >= 0:
        # The stretch around the decimal number: the run without a class-space character.
        lo = cls.rfind(b" ", 0, pos) + 1
        hi = cls.find(b" ", pos)
        hi = len(cls) if hi < 0 else hi
        i = bisect_left(starts, lo, j)
        parts = _WORD_SPLIT_LOWER_ASCII.split(low[lo:hi])
        cum = list(accumulate(map(len, parts), initial=lo))
        new_starts += starts[j:i]
        new_starts += cum[1:-1:2]
        new_arrays.append(start_array[j:i])
        new_arrays.append(np.array(cum[1:-1:2], dtype=np.intp))
        new_ends += ends[j:i]
        new_ends += cum[2::2]
        new_words += words[j:i]
        new_words += parts[1::2]
        j = bisect_left(starts, hi, i)
        pos = cls.find(b"d,d", hi)
    new_arrays.append(start_array[j:])
    return new_starts + starts[j:], new_ends + ends[j:], new_words + words[j:], np.concatenate(new_arrays)


_IdsCounts = tuple[list[int], Counter[str]]
""":attr:`Document.word_ids` and :attr:`Document.word_counts`."""


def _ascii_words_ids(
    low: str,
) -> tuple[list[int], list[int], list[str], NDArray[np.intp] | None, _IdsCounts]:
    """:func:`_ascii_words`, then :func:`_word_ids_counts` of the words
    (``slopsift._speedups.ascii_words_ids`` is the C twin)."""
    starts, ends, words, at = _ascii_words(low)
    return starts, ends, words, at, _word_ids_counts(words)


def _split_ascii(
    low: str,
) -> tuple[list[int], list[int], list[str], NDArray[np.intp] | None, _IdsCounts | None]:
    """:func:`_ascii_words`, and the words' ids and counts when the twins are built: then in one C scan
    (``slopsift._speedups.ascii_words_ids``: offsets below ``MAX_INDEXED`` from :func:`word_indices`'
    shared ints; equal words found by their bytes, so the ids and counts cost no dict probe per word and
    all occurrences of a word share one str). Without the twins the ids and counts are left to
    :attr:`Document.word_ids` (None), as cheap there as here."""
    sp = _accel.speedups
    if sp is None:
        return (*_ascii_words(low), None)
    starts, ends, words, start_bytes, ids, counts = sp.ascii_words_ids(low, _shared_indices(), Counter)
    return starts, ends, words, np.frombuffer(start_bytes, dtype=np.intp), (ids, counts)


def _words(
    t: str, proxy: str | None = None, wide: Sequence[tuple[int, int]] = ()
) -> tuple[list[int], list[int], list[str], str | None, NDArray[np.intp] | None, _IdsCounts | None]:
    """Start and end offsets and lower-cased text of every word of ``t``, ``t.lower()`` if it
    was computed on the way (ASCII text), for ``Document.lower``, the starts as an array if
    one was made on the way, and the words' ids and counts (:attr:`Document.word_ids`,
    :attr:`Document.word_counts`) if they were found on the way (by :func:`_split_ascii`, and no
    word was then read from ``t`` itself).

    ASCII text is lower-cased (which keeps every offset) and split by :func:`_split_ascii`.
    Non-ASCII text with an ASCII ``proxy`` (see :func:`normalise_with_proxy`) is split through the
    proxy the same way; only the words overlapping the non-ASCII spans ``wide`` are then read (and
    lower-cased) from ``t`` itself. Otherwise ``re.split`` with the word pattern as its one group
    gives ``[gap, word, gap, word, ..., gap]`` and running sums of the piece lengths are the word
    offsets, so no Python code runs per word either way.
    """
    if t.isascii():
        low = t.lower()
        starts, ends, words, at, ids_counts = _split_ascii(low)
        return starts, ends, words, low, at, ids_counts
    if proxy is not None:
        starts, ends, words, at, ids_counts = _split_ascii(proxy.lower())
        for s, e in wide:
            k = bisect_right(ends, s)  # the first word ending after s
            while k < len(starts) and starts[k] < e:
                words[k] = t[starts[k] : ends[k]].lower()
                ids_counts = None  # (the proxy's words were not these)
                k += 1
        return starts, ends, words, None, at, ids_counts
    parts = _WORD_SPLIT.split(t)
    words = [w.lower() for w in parts[1::2]]
    cum = list(accumulate(map(len, parts)))
    return cum[0:-1:2], cum[1::2], words, None, None, None


def _bisect_intp_py(a: NDArray[np.intp], xs: list[int]) -> list[int]:
    """``bisect_left(a, x)`` of each x, ``a`` a sorted intp array (``slopsift._speedups.bisect_intp`` is the
    C twin, which reads ``a`` from any buffer of native intp values)."""
    got: list[int] = np.searchsorted(a, xs).tolist()
    return got


def _sentence_words(
    starts: list[int], start_array: NDArray[np.intp] | None, ss: list[int], es: list[int]
) -> tuple[list[int], list[int]]:
    """``bisect_left(starts, x)`` for every sentence start ``ss`` and end ``es``: the sentences' word ranges.
    If the starts are an array already, in one numpy call or, with the twins built, in two C loops over
    the array's memory (``slopsift._speedups.bisect_intp``: no list to convert, results from
    :func:`word_indices`' shared ints); else one bisection each (in C)."""
    if start_array is None:
        word_index = bisect_lefts(starts, ss + es)
    else:
        sp = _accel.speedups
        if sp is not None:
            ints = _shared_indices()
            return sp.bisect_intp(start_array, ss, ints), sp.bisect_intp(start_array, es, ints)
        word_index = _bisect_intp_py(start_array, ss + es)
    return word_index[: len(ss)], word_index[len(ss) :]


def parse(text: str) -> Document:
    """Normalise and segment ``text`` once. Accepts any ``str``; never raises on content."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    norm, proxy, wide = normalise_with_proxy(text)
    t = norm.text
    raws = t.split("\n")
    lines, line_starts, line_ends, blank = _lines(raws)
    code = code_lines_of(t, line_starts, line_ends, blank)
    headings = detect_headings(t, lines, code, (line_starts, line_ends, blank))
    heading_lines = frozenset(h.line for h in headings)
    starts, ends, words, low, start_array, ids_counts = _words(t, proxy, wide)
    ss, es = _sentences_of_blocks(t, _blocks(raws, line_starts, line_ends, blank, heading_lines))
    word_starts, word_ends = _sentence_words(starts, start_array, ss, es)
    sentences = build_frozen(Sentence, _SENTENCE_SLOTS, ss, es, word_starts, word_ends)
    doc = Document(
        original=text,
        text=t,
        norm=norm,
        lines=lines,
        paragraphs=_paragraphs(line_starts, line_ends, blank),
        headings=headings,
        sentences=sentences,
        word_starts=starts,
        word_ends=ends,
        words=words,
        heading_lines=heading_lines,
        code_lines=code,
        word_start_array=start_array,
    )
    doc.__dict__["line_texts"] = raws  # what the cached properties would compute
    doc.__dict__["line_starts"] = line_starts
    doc.__dict__["sentence_bounds"] = (ss, es, word_starts, word_ends)
    if low is not None:
        doc.__dict__["lower"] = low  # (``Document.lower`` of ASCII text)
    if ids_counts is not None:  # (``Document._ids_and_counts``)
        doc.__dict__["word_ids"], doc.__dict__["word_counts"] = ids_counts
    return doc
