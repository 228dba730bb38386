"""The shared parse: one normalisation and one segmentation per text, read by every signal.

A :class:`Document` holds the normalised text and its lines, paragraphs, headings, sentences and
words, all as half-open character spans of the *normalised* text. ``Document.original_span``
maps any span back to the caller's original string, which is how evidence is reported.

Parsing is linear in the length of the text: each unit is found by one left-to-right regex scan
and sentences and paragraphs index into the word arrays by bisection. The hot loops avoid
per-match Python work: words come from one ``re.split`` whose piece lengths are accumulated into
offsets in C, and lines from ``str.split`` the same way. Non-ASCII text is split through an ASCII
proxy of the same length (see :func:`slopsift.normalize.normalise_with_proxy`), which the regex
engine scans about twice as fast as the Unicode text.

Besides the segmentation, a document offers shared, lazily computed views: ``lower``,
``line_texts``, ``word_counts`` and ``word_ids`` (integer word ids for n-gram and diversity work).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, count, repeat
from operator import itemgetter

from slopsift.lexicons import load_lexicon
from slopsift.normalize import Normalised, normalise_with_proxy
from slopsift.structure import Heading, Line, detect_headings, is_list_item

__all__ = [
    "MIN_WORDS",
    "Document",
    "Heading",
    "Line",
    "Paragraph",
    "Sentence",
    "parse",
]

MIN_WORDS = 80
"""Below this many words a document is ``insufficient_text``: too little evidence to score."""

# Decimal numbers stay one word; otherwise letters/digits joined by apostrophes or hyphens.
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['\-][^\W_]+)*")
# The same pattern as one capturing group: ``re.split`` then alternates gaps and words.
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")
# ``_WORD_SPLIT`` specialised to lower-cased ASCII text, where ``[^\W_]`` is exactly ``[a-z0-9]``
# and ``\d`` is ``[0-9]``: same matches, about a quarter faster.
_WORD_SPLIT_LOWER_ASCII = re.compile(r"([0-9]+(?:[.,][0-9]+)+|[a-z0-9]+(?:['\-][a-z0-9]+)*)")
# A sentence may end at terminal punctuation (plus closing quotes/brackets) followed by whitespace
# and something that can open a sentence. (``[.!?]+`` also covers an ellipsis; a leading character
# class lets the regex engine skip ahead in C.)
_BOUNDARY = re.compile(r"[.!?][.!?]*[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
_AFTER_BOUNDARY = re.compile(r"\s+[\"'(\[]?[A-Z0-9]")
# The token before a full stop, read right to left: the reversed text starts with the stop.
_TOKEN_BEFORE_REV = re.compile(r"\.([\w.]+)")
_TERMINAL = frozenset(".!?:;\"')]")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(load_lexicon("abbreviations.txt").phrases)


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
        return Counter(self.words)

    @cached_property
    def word_ids(self) -> list[int]:
        """An integer id per word: the index of the word's first occurrence in :attr:`words`.

        Equal words share an id, ``words[word_ids[k]] == words[k]``, every id is below
        ``n_words`` and ids ascend in order of first occurrence, so they index flat lists (no
        dicts) and n-gram keys can be ints (``a * n_words + b``) instead of tuples of strings.
        Computed once, in one C-level pass (``dict.setdefault``). Read-only, like the rest.
        """
        first: dict[str, int] = {}
        return list(map(first.setdefault, self.words, count()))

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

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original input that produced normalised ``[start, end)``."""
        return self.norm.offsets.span(start, end)


def _lines(raws: list[str]) -> list[Line]:
    """The lines of a text from its ``text.split("\\n")``."""
    # Each line starts one past the end of the previous one (the newline).
    starts = [0, *accumulate(len(r) + 1 for r in raws[:-1])]
    return [Line(st, st + len(r), not r or r.isspace()) for st, r in zip(starts, raws, strict=True)]


def _paragraphs(lines: list[Line]) -> list[Paragraph]:
    out: list[Paragraph] = []
    first = -1
    for i, ln in enumerate(lines):
        if ln.blank:
            if first >= 0:
                out.append(Paragraph(lines[first].start, lines[i - 1].end, first, i - 1))
                first = -1
        elif first < 0:
            first = i
    if first >= 0:
        out.append(Paragraph(lines[first].start, lines[-1].end, first, len(lines) - 1))
    return out


def _blocks(text: str, lines: list[Line], heading_lines: frozenset[int]) -> list[tuple[int, int]]:
    """Stretches of text a sentence may not cross: split at blank lines, headings, list items
    and lines that end a sentence or are too short to be a hard-wrapped line."""
    blocks: list[tuple[int, int]] = []
    start = -1
    n = len(lines)
    for i, ln in enumerate(lines):
        if ln.blank:
            if start >= 0:
                blocks.append((start, lines[i - 1].end))
                start = -1
            continue
        if start < 0:
            start = ln.start
        s = text[ln.start : ln.end].rstrip()
        nxt = i + 1
        breaks = (
            i in heading_lines
            or nxt >= n
            or lines[nxt].blank
            or nxt in heading_lines
            or is_list_item(text[lines[nxt].start : lines[nxt].end])
            or (s[-1:] in _TERMINAL)
            or len(s) < 40
        )
        if breaks:
            blocks.append((start, ln.end))
            start = -1
    return blocks


def _boundaries(text: str, blocks: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Candidate sentence ends of each block, from one scan of the whole text.

    Equal to ``_BOUNDARY.finditer(text, start, end)`` per block: a match never contains a newline,
    so it lies inside one line and hence one block, and only its look-ahead could reach past the
    block's end, which is re-checked against the block's end.
    """
    out: list[list[tuple[int, int]]] = [[] for _ in blocks]
    if not blocks:
        return out
    k = 0
    bs, be = blocks[0]
    nb = len(blocks)
    for m in _BOUNDARY.finditer(text, blocks[0][0], blocks[-1][1]):
        s, e = m.span()
        while s >= be:
            k += 1
            if k >= nb:
                return out
            bs, be = blocks[k]
        if s < bs:
            continue  # not inside a block (cannot happen: every non-blank line is in one)
        if _AFTER_BOUNDARY.match(text, e, be):
            out[k].append((s, e))
    return out


def _split_sentences(
    text: str, start: int, end: int, bounds: list[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    if bounds is None:
        bounds = [m.span() for m in _BOUNDARY.finditer(text, start, end)]
    spans: list[tuple[int, int]] = []
    cur = start
    abbrev = _abbreviations()
    for ms, me in bounds:
        if text[ms] == ".":
            lo = max(cur, ms - 40)
            # Reversed ``text[lo : ms + 1]``: the full stop, then the token before it backwards.
            tok = _TOKEN_BEFORE_REV.match(text[ms : lo - 1 : -1] if lo else text[ms::-1])
            if tok:
                word = tok.group(1)[::-1]
                low = word.lower()
                if low in abbrev or (len(word) == 1 and word.isupper()):
                    continue  # "Dr.", "e.g.", an initial as in "Mark T. Esper"
                if "." in word and len(word) <= 6 and word.replace(".", "").isalpha():
                    continue  # "U.S.", "a.m."
                if word.isdigit() and not text[cur : ms - len(word)].strip():
                    continue  # a list number "1." opening the stretch
        spans.append((cur, me))
        cur = me
    spans.append((cur, end))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if s < e and (text[s].isspace() or text[e - 1].isspace()):
            seg = text[s:e]
            stripped = seg.lstrip()
            s += len(seg) - len(stripped)
            e = s + len(stripped.rstrip())
        if e > s:
            out.append((s, e))
    return out


def _words(
    t: str, proxy: str | None = None, wide: Sequence[tuple[int, int]] = ()
) -> tuple[list[int], list[int], list[str], str | None]:
    """Start and end offsets and lower-cased text of every word of ``t``, and ``t.lower()`` if it
    was computed on the way (ASCII text), for ``Document.lower``.

    ``re.split`` with the word pattern as its one group gives ``[gap, word, gap, word, ..., gap]``;
    running sums of the piece lengths are the word offsets, so no Python code runs per word.
    Non-ASCII text with an ASCII ``proxy`` (see :func:`normalise_with_proxy`) is split through
    the proxy with the ASCII pattern, about twice as fast; only the words overlapping the
    non-ASCII spans ``wide`` are then read (and lower-cased) from ``t`` itself.
    """
    low: str | None = None
    if t.isascii():
        low = t.lower()  # ASCII lower-casing keeps every offset
        parts = _WORD_SPLIT_LOWER_ASCII.split(low)
        words = parts[1::2]
    elif proxy is not None:
        parts = _WORD_SPLIT_LOWER_ASCII.split(proxy.lower())
        words = parts[1::2]
        cum = list(accumulate(map(len, parts)))
        starts, ends = cum[0:-1:2], cum[1::2]
        for s, e in wide:
            k = bisect_right(ends, s)  # the first word ending after s
            while k < len(starts) and starts[k] < e:
                words[k] = t[starts[k] : ends[k]].lower()
                k += 1
        return starts, ends, words, None
    else:
        parts = _WORD_SPLIT.split(t)
        words = [w.lower() for w in parts[1::2]]
    cum = list(accumulate(map(len, parts)))
    return cum[0:-1:2], cum[1::2], words, low


def parse(text: str) -> Document:
    """Normalise and segment ``text`` once. Accepts any ``str``; never raises on content."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    norm, proxy, wide = normalise_with_proxy(text)
    t = norm.text
    raws = t.split("\n")
    lines = _lines(raws)
    headings = detect_headings(t, lines)
    heading_lines = frozenset(h.line for h in headings)
    starts, ends, words, low = _words(t, proxy, wide)
    blocks = _blocks(t, lines, heading_lines)
    spans = [
        span
        for (bs, be), bounds in zip(blocks, _boundaries(t, blocks), strict=True)
        for span in _split_sentences(t, bs, be, bounds)
    ]
    ss = list(map(itemgetter(0), spans))
    es = list(map(itemgetter(1), spans))
    at = repeat(starts)
    sentences = list(map(Sentence, ss, es, map(bisect_left, at, ss), map(bisect_left, at, es)))
    doc = Document(
        original=text,
        text=t,
        norm=norm,
        lines=lines,
        paragraphs=_paragraphs(lines),
        headings=headings,
        sentences=sentences,
        word_starts=starts,
        word_ends=ends,
        words=words,
        heading_lines=heading_lines,
    )
    doc.__dict__["line_texts"] = raws  # what the cached properties would compute
    if low is not None:
        doc.__dict__["lower"] = low  # (``Document.lower`` of ASCII text)
    return doc
