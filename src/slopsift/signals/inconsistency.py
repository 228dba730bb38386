"""Internal factual inconsistency: statements in one text that cannot all be true.

Generated text states facts confidently and sometimes states two versions of the same fact. Nothing
here consults outside knowledge: every hit is a *pair* of spans of the same text that disagree, and
both are reported as evidence under one note (``'founded 1998 vs 2003'``). Each detector is built for
precision over recall: when the structure of a sentence does not make clear that two statements are
about the same thing, it stays silent. Two statements in the same sentence are never compared, and
one disagreement counts once: the same two spans in either order, or the same two values under one
key however often either is repeated. A correction, editor's note or update ("An earlier version of
this article said ...", "we misstated", "previously reported", "Update: ...") restates facts in order
to revise them: from the sentence holding the cue to the end of its paragraph (and through the next
paragraph when the cue's sentence ends its own), nothing is compared with anything, except the
arithmetic of one sentence. Statements framed as not asserted (a dream, 'imagine', 'suppose',
'pretend', 'in the novel / film / game', 'in another version', a counterfactual 'if ... had') are not
compared by the numeric and temporal detectors: the frame covers its sentence, and the whole paragraph
when it stands in the first words of the paragraph's first sentence ('In the novel, ...' sets the
scene; a frame later on may be followed by plain fact, 'born in 1991. In the dream, born in 1989').

* ``numeric_conflicts``   one subject and attribute with two values. One-time events (born, died,
  founded, ordained, built...) are keyed by (subject, event) and compared exactly; things discovered,
  invented, opened, launched or first published only when named (a capitalised subject, never 'the
  element') and in the singular, keyed with the rest of their clause ('in Texas'); quantities by
  (subject, verb or measure noun, tense, unit, the clause's time qualifiers and trailing qualifier), so
  "in 2019 revenue was..." and "in 2020 revenue was..." never meet; a time clause is a qualifier with
  the first content word after its opener ('when I joined' / 'when I left', 'by the time I left',
  'after the merger'), as are time words ('at first', 'now', 'back then', 'at its peak') and decades
  ('in the 1950s'), also an early year after 'in' / 'by' ('in 1300'); a quantity with none of these takes
  the years and decades of the sentence before in its paragraph ('In 1700 Norwich was ... . The
  population was about 30,000.'), so a dated and an undated value never meet there. Subjects: a name
  (a shorter form of the same name matches, 'Smith' ~ 'John Smith', unless the surname is shared: two
  different full names end with it, or a relation, 'his son', stands in or before a sentence of a full
  name ending with it, and then a bare 'Bach' matches none of them; 'Old Testament' !~ 'New Testament'),
  a pronoun resolved to the nearest sentence that opens with a
  name unless another person (a relation such as 'his daughter', or a full name) comes between, or
  a definite noun phrase with its modifiers ('the luxurious hotel' !~ 'this small hotel'; an ordinal
  or 'old', 'new', 'original'... names one instance: 'the first bridge' !~ 'the bridge'). Ranges are ignored;
  approximate values agree within 10 %, bounds ('over 5,000') agree with any value on their side.
* ``arithmetic_errors``   a percentage change that does not fit its stated values ("from 200 to 300, a
  25% increase"; readings as percentage points and as 'from 2 to 3 million' are tried first); answer
  shares of one question (yes / no / unsure) summing past 100 %; "X of Y" / "X out of Y NOUNs", X > Y.
* ``temporal_conflicts``  for one subject: died before born, an agent's act (graduated, married,
  founded...) before birth or after death; "at the age of N" dated "in YEAR" that misses the birth year
  by more than one; "N years later, in YEAR" after a dated statement in the last two sentences that
  fits no year of those sentences nor any year earlier in the paragraph (a tolerance of 10 % of N:
  'two hundred years later' is a round figure), unless the sentence just before, in the same paragraph,
  states no year ('when she was eight. Twenty years later': the base is unknown). A pronoun is taken
  as the subject here only when a name
  opens its sentence or the one before and no other person (another name, 'his son') comes between.
* ``count_mismatches``    "three reasons" / "7 tips" closing a line or in a heading, followed by a list
  (bullets, numbered items or numbered headings) of another length; irregular numbering and
  approximate counts ('more than 5') are skipped, and an extra item past the count that says 'bonus'
  or 'honourable mention' anywhere, with the items after it, is not counted. An announcement in prose
  with no list after it ('Here are 5 tips', 'There are three benefits', a heading, a sentence opening
  with the count or ending with a colon) meets, up to the next announcement of its noun: the noun
  restated with another number ('these 7 tips', 'all seven tips'; not with a different qualifier
  '5 tips for experts', a number given before, 'most', 'only', 'of these'...); a run of sentences
  opening 'First, ... Second, ...' (the very next sentence or paragraph, consecutive from First,
  'Finally' not counted, an extra 'bonus' / 'also' item ending it) that goes past the count; an item
  named past it ('the fifth habit', 'habit number 5', 'tip #6'; not 'a fourth reason', nor after
  'Another reason ...'). Each announcement fires once. A list count is skipped when the writer admits
  the shortfall: another number in parentheses on the announcement's line ('10 things (I only got to
  8)') or an admission ('only got to', 'so far', 'the last two', 'more to come') there or in the
  paragraph right after the list.
* ``polarity_contradictions`` two sentences with the same content (stem Jaccard >= 0.6 without the
  polarity words; no differing number, name or time word; no differing word before the pivot, which
  names what the claim is about; the same tense) where one is negated, or they hold opposite antonyms
  (rose/fell, supports/opposes, safe/unsafe) with the same words either side. Questions, quotations,
  code, list fragments, hedged, modal, reported, conditional, quantified and contrastive sentences are
  never compared, nor is a past action negated by "did" ("did not turn the page" and "turned the page"
  are two moments of a story).
* ``role_conflicts``      one named person given two exclusive corporate offices in plain appositions
  ("CEO John Smith" ... "John Smith, the company's CFO") unless a sentence naming them mentions a
  change of role ('former', 'named', 'until', 'now'...) within four words of the name or an office
  ('new' only directly before an office: 'the new CFO', never 'two new wind farms') or one mention
  holds two offices together.

Aggregates: ``any_conflict`` and ``conflicts_per_1k_words``; their evidence repeats the detectors'.

Complexity, with n characters and w words: the cue words (the correction and frame cues among them) are
found by one pass over the words in C (``_positions``) and the words starting with a digit by a regex
over the words' first characters (``Document.word_initials``), O(w); only sentences holding a cue get a
word set, O(w) in all; each cue is examined in a window of at most a dozen words (name runs and
auxiliary runs are capped at ``_MAX_NAME``), O(w); facts are grouped in dicts with at most
``_MAX_FACTS_PER_KEY`` compared per key; the polarity search looks up a few probe words per polar
sentence (in one more pass over the words, where a filter of the probes' hashes passes over most words in
C) and compares each polar sentence with
at most ``_MAX_CANDIDATES`` others, through posting lists capped at ``_MAX_POSTING`` sentences, O(w);
list counting walks at most ``_MAX_LIST_LINES`` lines for each of at most ``_MAX_LIST_CUES`` cues; a
pronoun subject is checked for another person over at most ``_MAX_PERSON_SCAN`` words; role checks scan
the words once for each of at most ``_MAX_ROLE_PEOPLE`` people, each change word looked up against the
sentence's anchors by bisection; the prose count check compares at most ``_MAX_PROSE_COUNTS`` counted
nouns; a parenthesised number is looked for within 80 characters. Overall O(n).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, pairwise

from slopsift import _accel
from slopsift.document import Document, word_indices
from slopsift.lexicons import function_words, load_lexicon, load_table
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register
from slopsift.structure import is_list_item

__all__ = ["FAMILY", "FEATURES", "compute"]

_DETECTORS = (
    "numeric_conflicts",
    "arithmetic_errors",
    "temporal_conflicts",
    "count_mismatches",
    "polarity_contradictions",
    "role_conflicts",
)

FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "numeric_conflicts",
        "Pairs of statements giving the same subject and attribute (same unit and time qualifier) "
        "different numbers or years, e.g. 'founded in 1998' ... 'founded in 2003'",
        "conflicts",
        "higher_worse",
    ),
    FeatureSpec(
        "arithmetic_errors",
        "Stated percentage changes that do not match their stated values, answer shares of one whole "
        "summing past 100%, and 'X of Y' with X > Y",
        "conflicts",
        "higher_worse",
    ),
    FeatureSpec(
        "temporal_conflicts",
        "Impossible orderings for one subject (died before born, acts before birth or after death), "
        "ages and 'N years later, in YEAR' that disagree with the years stated",
        "conflicts",
        "higher_worse",
    ),
    FeatureSpec(
        "count_mismatches",
        "Announced counts ('three reasons', '7 tips') followed by a list of a different length",
        "conflicts",
        "higher_worse",
    ),
    FeatureSpec(
        "polarity_contradictions",
        "Pairs of sentences with the same content where one is negated or uses the opposite word "
        "(rose/fell, supports/opposes, safe/unsafe)",
        "conflicts",
        "higher_worse",
    ),
    FeatureSpec(
        "role_conflicts",
        "Named people given two exclusive corporate offices ('CEO John Smith' ... 'John Smith, the CFO') "
        "with no change of role mentioned",
        "conflicts",
        "higher_worse",
    ),
    FeatureSpec(
        "any_conflict",
        "1 if any inconsistency detector fired, else 0 (evidence: the detectors' spans)",
        "0/1",
        "higher_worse",
    ),
    FeatureSpec(
        "conflicts_per_1k_words",
        "All detected conflicts per 1,000 words (evidence: the detectors' spans)",
        "conflicts per 1,000 words",
        "higher_worse",
    ),
)

_MAX_PER_DETECTOR = 20  # conflicts counted per detector; beyond that the text is broken anyway
_MAX_EVIDENCE_PAIRS = 12  # evidence pairs per feature (the framework keeps 25 spans per feature)
_MAX_FACTS_PER_KEY = 4  # statements compared per fact key
_MAX_POSTING = 64  # a content word in more sentences than this is too common to find partners
_MAX_CANDIDATES = 8  # partner sentences compared per polar sentence
_MAX_POLAR_WORDS = 60  # longer sentences are not compared for polarity
_MIN_POLAR_CONTENT = 3  # content words a sentence needs to be compared
_JACCARD = 0.6
_APPROX = 0.10  # approximate values within 10 % agree
_EXACT = 0.005  # rounding tolerance for exact values
_MAX_LIST_CUES = 20
_MAX_ROLE_PEOPLE = 5
_WINDOW = 9  # words scanned right of an event verb for its year
_MAX_NAME = 6  # words walked over for a name or a run of auxiliaries
_MAX_LIST_LINES = 2000  # lines walked to count one list
_MAX_ANCHORS = 20  # earlier years tried for 'N years later, in YEAR'
_MAX_PROSE_COUNTS = 100  # counted nouns compared by the prose count check
_MAX_RESOLVE_GAP = 80  # words between a name and a pronoun resolved to it for temporal conflicts
_MAX_PERSON_SCAN = 400  # words between a name and a pronoun resolved to it at all
_ROLE_NEAR = 4  # words between a change of office ('former', 'became') and the name or office it changes
_MAX_SHARED = 32  # surnames checked for being shared by several full names

_NUMTOK = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(k|m|mn|bn)?")
_NUMBERED_LINE = re.compile(
    r"\s*(?:#{1,6}\s*|\*\*|__|<h[1-6][^>]*>\s*)?(?:(?:step|tip|way|reason|rule|lesson|mistake|sign|part|no\.?|#)\s*)?"
    r"(\d{1,2})(?:[.):]|\s+-)\s*\S",
    re.IGNORECASE,
)
# A quotation mark, a code character, "//" or a word character before "(": a sentence that is not a
# plain claim. Written as one character class first (then a look-behind for "//" and "x("), which
# the regex engine scans for in C instead of trying every position.
_QUOTE_OR_CODE = re.compile(r'["{}=<>`|\\/(](?:(?<=[^/(])|(?<=//)|(?<=\w\())')
_DIGIT = re.compile("[0-9]")
_DIGIT_OR_WIDE = re.compile("[0-9\x80-\U0010ffff]")
_DECADE = re.compile(r"(?:1[5-9]|20)?\d0s")
_BULLET = re.compile(r"\s*([-*+\u2022])\s+\S")
_CURRENCY = "$£€¥"
_BE = frozenset(("is", "are", "was", "were", "be", "been", "being", "am"))
_PLURAL_AUX = frozenset(("were", "are", "have"))
_QUALIFIER_PREPS = frozenset(("for", "of", "to", "in", "on", "about", "with", "from", "at"))
_EXTRA_WORDS = frozenset(
    ("bonus", "another", "extra", "additional", "also", "honourable", "honorable", "plus", "more")
)
_MAX_RUN = 200  # sentences walked for a run of ordinal openers
_MADE = frozenset(("discovery", "opening", "first"))  # event classes keyed to a named thing and its clause


@dataclass(frozen=True)
class _Lex:
    stop: frozenset[str]
    neg: frozenset[str]
    ant: dict[str, tuple[tuple[str, int], ...]]
    cue: dict[str, frozenset[str]]
    numword: dict[str, float]
    scale: dict[str, float]
    events: dict[str, tuple[str, str]]
    qverb: frozenset[str]
    qnoun: frozenset[str]
    roles: dict[tuple[str, ...], str]
    role_first: frozenset[str]
    list_nouns: frozenset[str]
    tense: dict[str, str]
    ant_words: frozenset[str]
    tense_words: frozenset[str]
    event_words: frozenset[str]
    polar_drop: frozenset[str]  # words never counted as content in the polarity comparison
    scan_words: frozenset[str]  # the words (besides digits) that make a sentence worth a detailed look
    number_context: frozenset[str]  # words that make a single number in a sentence worth parsing
    polar_cues: frozenset[str]  # negations and antonyms: a sentence holding one is a polarity candidate
    # No negation is an antonym or a counted noun, so every sentence holding a negation is a polarity
    # candidate (``_scan``). A sentence that is not one has then no negation, and its antonyms are all
    # dropped ones (``_cue_positions``: no opposite in the text), so it can only contradict a negated
    # sentence: ``_polarity`` does not read it as the partner of a sentence that is not negated.
    polar_closed: bool
    quant_words: frozenset[str]  # quantity verbs and nouns
    ant_kept: frozenset[str]  # antonyms kept without their opposite (they also open another detector)
    ant_dims: dict[str, frozenset[str]]  # the dimensions each antonym is on
    ant_signed: dict[str, frozenset[tuple[str, int]]]  # each antonym's (dimension, sign) pairs
    approx_last: frozenset[str]  # last words of approximators and bounds ('about', 'than', 'to')
    counted_nouns: frozenset[str]  # list nouns (not antonyms) that count only after a number
    ordnum: dict[str, int]  # 'fifth' -> 5, 'thirdly' -> 3
    singular: dict[str, str]  # "habits" -> "habit", for each list noun
    correction_firsts: frozenset[str]  # first words of the correction cues ('update' of 'update:')
    frame_words: frozenset[str]  # frame cues, fiction nouns and 'if' (see _frames)
    side_words: frozenset[str]  # correction_firsts | frame_words: found in the cue pass too
    cue_words: frozenset[str]  # scan_words | side_words: what the cue pass looks for


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    cue: dict[str, set[str]] = {}
    numword: dict[str, float] = {}
    scale: dict[str, float] = {}
    ordnum: dict[str, int] = {}
    for row in load_table("inconsistency_cues.txt"):
        cat, entry = row[0], row[1]
        if cat == "numword":
            numword[entry] = float(row[2])
        elif cat == "scale":
            scale[entry] = float(row[2])
        elif cat == "ordinal_num":
            ordnum[entry] = int(row[2])
        else:
            cue.setdefault(cat, set()).add(entry)
    ant: dict[str, list[tuple[str, int]]] = {}
    for word, dim, sign in load_table("inconsistency_antonyms.txt"):
        ant.setdefault(word, []).append((dim, 1 if sign == "+" else -1))
    events = {row[0]: (row[1], row[2]) for row in load_table("inconsistency_events.txt")}
    quant = load_table("inconsistency_quantities.txt")
    roles = {tuple(row[0].split()): row[1] for row in load_table("inconsistency_roles.txt")}
    tense = {w: t for t in ("pres", "past", "fut") for w in cue[f"tense_{t}"]}
    stop = function_words()
    neg = frozenset(load_lexicon("inconsistency_negation.txt").phrases)
    list_nouns = frozenset(load_lexicon("inconsistency_list_nouns.txt").phrases)
    qwords = frozenset(w for w, _ in quant)
    qverb = frozenset(w for w, kind in quant if kind == "verb")
    qnoun = frozenset(w for w, kind in quant if kind == "noun")
    # (``frozenset | dict.keys()`` is a set at run time, whatever the stubs say: built with union)
    scan_words = neg.union(ant.keys(), numword.keys(), list_nouns, (k[0] for k in roles))
    return _Lex(
        stop=stop,
        neg=neg,
        ant={k: tuple(v) for k, v in ant.items()},
        cue={k: frozenset(v) for k, v in cue.items()},
        numword=numword,
        scale=scale,
        events=events,
        qverb=qverb,
        qnoun=qnoun,
        roles=roles,
        role_first=frozenset(k[0] for k in roles),
        list_nouns=list_nouns,
        tense=tense,
        ant_words=frozenset(ant),
        tense_words=frozenset(tense),
        event_words=frozenset(events),
        polar_drop=stop | neg | frozenset(ant) | cue["contraction"],
        scan_words=scan_words,
        number_context=qwords | cue["age_word"] | {"years", "year"},
        polar_cues=neg | frozenset(ant),
        polar_closed=neg.isdisjoint(ant) and neg.isdisjoint(list_nouns - frozenset(ant)),
        quant_words=qverb | qnoun,
        ant_kept=list_nouns | frozenset(k[0] for k in roles) | frozenset(numword),
        ant_dims={w: frozenset(d for d, _ in v) for w, v in ant.items()},
        ant_signed={w: frozenset(v) for w, v in ant.items()},
        approx_last=frozenset(e.split(" ")[-1] for c in ("approx", "bound_low", "bound_high") for e in cue[c])
        | {"estimated"},
        counted_nouns=list_nouns - frozenset(ant),
        ordnum=ordnum,
        singular={w: _singular(w) for w in list_nouns},
        correction_firsts=(firsts := frozenset(e.split(" ", 1)[0].rstrip(":") for e in cue["correction"])),
        frame_words=(frames := frozenset(cue["frame"] | cue["frame_noun"] | {"if"})),
        side_words=firsts | frames,
        cue_words=scan_words | firsts | frames,
    )


def _singular(w: str) -> str:
    """'strategies' -> 'strategy', 'approaches' -> 'approach', 'tips' -> 'tip' (the list nouns only)."""
    if w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    return w[:-1] if w.endswith("s") else w


@dataclass(frozen=True, slots=True)
class _Conflict:
    kind: str
    a: tuple[int, int]
    b: tuple[int, int]
    note: str


@dataclass(slots=True)
class _Num:
    """A number in the text: tokens ``left..last`` (approximators and scale words included)."""

    first: int  # the digit/number-word token
    last: int  # last token (scale word, 'percent', 'cent')
    left: int  # first token including approximators ('more than', 'about')
    value: float  # scaled: '5 million' is 5e6
    unit: str  # '%', a currency symbol, a unit suffix ('m'), or ''
    year: bool
    approx: int  # 0 exact, 1 approximate, 2 lower bound ('over'), 3 upper bound ('nearly')
    scale: float = 1.0


@dataclass(slots=True)
class _Fact:
    value: float
    approx: int
    span: tuple[int, int]
    sent: int
    label: str
    exact: bool = False  # years and counts of events: no rounding tolerance
    who: str = ""  # the subject as written ('john smith'); facts are grouped by its last word


@dataclass(slots=True)
class _Sent:
    ws: int
    we: int
    words: set[str]
    nums: list[_Num] = field(default_factory=list)
    years: list[_Num] = field(default_factory=list)


class _Sents:
    """Per-sentence word sets, built on first use: most sentences hold no cue and are never looked at."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.cache: dict[int, _Sent] = {}
        self.word_starts = doc.sentence_bounds[2]

    def __getitem__(self, si: int) -> _Sent:
        s = self.cache.get(si)
        if s is None:
            sent = self.doc.sentences[si]
            s = _Sent(sent.word_start, sent.word_end, set(self.doc.words[sent.word_start : sent.word_end]))
            self.cache[si] = s
        return s

    def of_word(self, i: int) -> int:
        """Index of the sentence holding word ``i`` (-1 if none)."""
        si = bisect_right(self.word_starts, i) - 1
        return si if si >= 0 and i < self.doc.sentences[si].word_end else -1

    def holding(self, vocab: frozenset[str] | set[str]) -> list[tuple[int, str]]:
        """(sentence, word) for every occurrence of a ``vocab`` word in the document, O(words)."""
        words = self.doc.words
        out: list[tuple[int, str]] = []
        for i in _positions(words, vocab):
            si = self.of_word(i)
            if si >= 0:
                out.append((si, words[i]))
        return out


def _positions(words: list[str], vocab: Container[str]) -> list[int]:
    """Indices of the words in ``vocab``, ascending; on every document's path, so in C
    (``slopsift._speedups.positions``) when the twins are built."""
    sp = _accel.speedups
    return _positions_py(words, vocab) if sp is None else sp.positions(words, vocab)


def _positions_py(words: list[str], vocab: Container[str]) -> list[int]:
    """:func:`_positions` (the loop runs in C too: the indices are
    :func:`~slopsift.document.word_indices`' shared ints)."""
    return list(compress(word_indices(len(words)), map(vocab.__contains__, words)))


def _digit_positions(doc: Document) -> list[int]:
    """Indices, ascending, of the words that start with a digit (``w[0].isdigit()``: '3', '1,000',
    '²'), found among the words' first characters (``Document.word_initials``, shared with other
    families) instead of by a look-up per word: in C (``slopsift._speedups.digit_positions``) when
    the twins are built, else by a regex (:func:`_digit_positions_py`).

    A word's first character in :attr:`Document.words` is the lower-cased first character of the
    word in the text, and lower-casing never makes or unmakes a digit."""
    sp = _accel.speedups
    initials = doc.word_initials
    return _digit_positions_py(initials) if sp is None else sp.digit_positions(initials)


def _digit_positions_py(initials: str) -> list[int]:
    """The indices, ascending, of the digits (``str.isdigit``) in ``initials``. Digits beyond ASCII
    ('²', '٣') are rare: every non-ASCII character is matched and then tested with ``str.isdigit``."""
    if initials.isascii():
        return [m.start() for m in _DIGIT.finditer(initials)]
    return [m.start() for m in _DIGIT_OR_WIDE.finditer(initials) if m.group().isdigit()]


class _Ctx:
    """The document arrays, the sentence being read and the conflicts found so far."""

    def __init__(self, doc: Document, lex: _Lex) -> None:
        self.doc = doc
        self.text = doc.text
        self.words = doc.words
        self.starts = doc.word_starts
        self.ends = doc.word_ends
        self.n = len(doc.words)
        self.lex = lex
        self.sents = _Sents(doc)
        self.cur = 0  # the sentence being read
        self._entities: dict[int, str | None] = {}
        self._para_starts: list[int] | None = None
        self._levels: dict[int, int] | None = None
        self.conflicts: dict[str, list[_Conflict]] = {k: [] for k in _DETECTORS}
        self._reported: set[tuple[str, tuple[int, int], tuple[int, int]]] = set()
        self.zones: frozenset[int] = frozenset()  # sentences in a correction zone (see _correction_zones)
        self._years: tuple[list[int], list[float]] | None = None
        self._digits: list[int] | None = None
        self._shared: dict[str, bool] = {}

    @property
    def digits(self) -> list[int]:
        """Indices, ascending, of the words starting with a digit (found by ``_cue_positions``)."""
        if self._digits is None:
            self._digits = _digit_positions(self.doc)
        return self._digits

    @property
    def para_starts(self) -> list[int]:
        """Start offset of every paragraph (built on first use)."""
        if self._para_starts is None:
            self._para_starts = [p.start for p in self.doc.paragraphs]
        return self._para_starts

    def para_of(self, pos: int) -> int:
        """Index of the paragraph holding character ``pos``."""
        return bisect_right(self.para_starts, pos) - 1

    @property
    def heading_levels(self) -> dict[int, int]:
        """Heading level by line index (built on first use)."""
        if self._levels is None:
            self._levels = {h.line: h.level for h in self.doc.headings}
        return self._levels

    def resolve_strict(self, i: int) -> str | None:
        """The name the pronoun at word ``i`` refers to, for temporal conflicts, where a wrong guess
        puts one person's act after another's death: only a name opening this sentence or the one
        before, with no other person (another name, 'his son') between it and the pronoun."""
        lex, words = self.lex, self.words
        for si in (self.cur, self.cur - 1):
            if si < 0:
                return None
            if si not in self._entities:
                self._entities[si] = _opening_name(self, self.sents[si])
            name = self._entities[si]
            if name is None:
                continue
            k = self.sents[si].ws + len(name.split())
            if i - k > _MAX_RESOLVE_GAP:
                return None
            sent_firsts = set(self.sents.word_starts[si : self.cur + 1])
            for j in range(k, i):
                w = words[j]
                if w in lex.cue["person_noun"]:
                    return None
                if (
                    self.cap(j)
                    and j not in sent_firsts
                    and w not in lex.stop
                    and w not in lex.cue["time"]
                    and not _same_entity(name, w.removesuffix("'s"))
                ):
                    return None
            return name
        return None

    def year_words(self, lo: int, hi: int) -> list[tuple[float, int]]:
        """(value, word index) of the last ``_MAX_ANCHORS`` plain four-digit years among words
        ``lo..hi - 1``."""
        if self._years is None:
            words = self.words
            digits = self.digits
            cands = {
                w
                for w in set(map(words.__getitem__, digits))
                if len(w) == 4 and w.isdecimal() and 1500 <= int(w) <= 2100
            }
            pos = [k for k in digits if words[k] in cands] if cands else []
            self._years = (pos, [float(self.words[k]) for k in pos])
        pos, vals = self._years
        b = bisect_right(pos, hi - 1)
        a = max(bisect_right(pos, lo - 1), b - _MAX_ANCHORS)
        return list(zip(vals[a:b], pos[a:b], strict=True))

    def resolve(self, pronoun: str, at: int) -> str:
        """The name the pronoun at word ``at`` most likely refers to: the nearest sentence (this one
        or up to 30 before) that opens with a name, unless another person comes between ('his
        daughter', 'Mary Jones': 'she' may be either) or the name is more than ``_MAX_PERSON_SCAN``
        words back. Computed on demand: pronoun subjects are rare, so no per-sentence work is spent
        on them."""
        for si in range(self.cur, max(-1, self.cur - 30), -1):
            if si not in self._entities:
                self._entities[si] = _opening_name(self, self.sents[si])
            name = self._entities[si]
            if name is not None:
                k = self.sents[si].ws + len(name.split())
                if at - k > _MAX_PERSON_SCAN or self._other_person(name, k, at):
                    break
                return name
        return f"pron:{pronoun}"

    def _other_person(self, name: str, lo: int, hi: int) -> bool:
        """Is someone besides ``name`` mentioned among words ``lo..hi - 1``: a relation or other
        person noun ('his daughter'), or a full name (two or more capitalised words) not ``name``'s?"""
        lex, words = self.lex, self.words
        if not lex.cue["person_noun"].isdisjoint(words[lo:hi]):
            return True
        j = lo
        while j < hi:
            if not self.cap(j) or words[j] in lex.stop:
                j += 1
                continue
            end = _name_end(self, j, hi)
            if end > j and not _same_entity(name, _who(self, j, end)):
                return True
            j = end + 1
        return False

    def same_person(self, a: str, b: str) -> bool:
        """``_same_entity``, except that a bare surname is not matched to a full name when the surname
        is shared (``shared_surname``): 'Bach' may be the father or any of his sons."""
        if not _same_entity(a, b):
            return False
        if a == b or (" " in a and " " in b):
            return True
        return not self.shared_surname(_head(a))

    def shared_surname(self, surname: str) -> bool:
        """Do two or more different full names in the text end with ``surname``, or does a relation
        ('his son', 'her father') stand in the sentence of a full name ending with it or the one
        before? Then the bare surname is ambiguous. Asked only of the surnames in a disagreement,
        one pass over the words each, at most ``_MAX_SHARED`` of them (past that, ambiguous)."""
        got = self._shared.get(surname)
        if got is not None:
            return got
        if len(self._shared) >= _MAX_SHARED:
            return True
        words, kin = self.words, self.lex.cue["kin"]
        full: set[str] = set()
        related = False
        for i in _positions(words, {surname}):
            if not self.cap(i):
                continue
            k = i
            while k - 1 >= max(0, i - _MAX_NAME) and self.cap(k - 1) and words[k - 1] not in self.lex.stop:
                if not self.tight(k):
                    break
                k -= 1
            if k == i:
                continue
            full.add(" ".join(words[k : i + 1]))
            si = self.sents.of_word(i)
            if si >= 0 and not related:
                lo = self.doc.sentences[max(0, si - 1)].word_start
                related = not kin.isdisjoint(words[lo : self.doc.sentences[si].word_end])
        got = len(full) >= 2 or related
        self._shared[surname] = got
        return got

    def gap(self, i: int) -> str:
        """The characters between word ``i - 1`` and word ``i``."""
        return self.text[self.ends[i - 1] : self.starts[i]] if 0 < i < self.n else ""

    def tight(self, i: int) -> bool:
        """Word ``i`` follows word ``i - 1`` with only whitespace between."""
        return not self.gap(i).strip()

    def cap(self, i: int) -> bool:
        return self.text[self.starts[i]].isupper()

    def add(self, kind: str, a: tuple[int, int], b: tuple[int, int], note: str) -> None:
        """Count a conflict once: the same two spans in either order are one disagreement."""
        key = (kind, min(a, b), max(a, b))
        if key in self._reported:
            return
        self._reported.add(key)
        out = self.conflicts[kind]
        if len(out) < _MAX_PER_DETECTOR:
            out.append(_Conflict(kind, a, b, note))


# ---------------------------------------------------------------------------------------------- numbers


def _number_at(ctx: _Ctx, i: int, ws: int, we: int) -> _Num | None:
    """Parse the number at word ``i`` (digits or a number word), with scale, unit and approximator."""
    lex, words, text = ctx.lex, ctx.words, ctx.text
    w = words[i]
    suffix: str | None = None
    if w.isdecimal():  # plain digits, the usual case: what ``_NUMTOK`` reads as one bare group
        value = float(w)
        plain = True
    elif w[0].isdigit():
        m = _NUMTOK.fullmatch(w)
        if m is None:
            return None
        whole, frac, suffix = m.groups()
        value = float(whole.replace(",", "") + (frac or ""))
        plain = frac is None and "," not in whole and suffix is None
    elif w in lex.numword:
        if w == "hundred" and i > ws and words[i - 1] in lex.numword:
            return None  # the tail of 'two hundred'
        value = lex.numword[w]
        plain = False
    else:
        return None
    last = i
    if suffix is None and i + 1 < we and words[i + 1] == "hundred" and ctx.tight(i + 1):
        value *= 100
        last += 1
        plain = False
    scale = 1.0
    at = ctx.starts[i]
    before = text[max(0, at - 2) : at].rstrip()
    unit = before[-1] if before and before[-1] in _CURRENCY else ""
    if suffix is not None:
        if suffix == "m" and not unit:
            unit = "m"  # metres or millions: compared only with the same suffix
        else:
            scale = lex.scale[suffix]
    elif last + 1 < we and len(words[last + 1]) > 2 and words[last + 1] in lex.scale and ctx.tight(last + 1):
        scale = lex.scale[words[last + 1]]
        last += 1
    value *= scale
    end = ctx.ends[last]
    after = text[end : end + 2]
    if after[:1] == "%" or after == " %":
        unit = "%"
    elif last + 1 < we and words[last + 1] == "percent":
        unit, last = "%", last + 1
    elif last + 2 < we and words[last + 1] == "per" and words[last + 2] == "cent":
        unit, last = "%", last + 2
    year = plain and len(w) == 4 and 1500 <= value <= 2100 and not unit
    left, approx = i, 0
    p1 = words[i - 1] if i - 1 >= ws else ""
    if p1 in lex.approx_last:  # else no approximator or bound can end just before the number
        p2 = words[i - 2] if i - 2 >= ws else ""
        cue = lex.cue
        pair = f"{p2} {p1}"
        if pair in cue["bound_low"]:
            left, approx = i - 2, 2
        elif pair in cue["bound_high"]:
            left, approx = i - 2, 3
        elif p1 in cue["approx"] or p1 == "estimated":
            left, approx = i - 1, 1
        elif p1 in cue["bound_low"]:
            left, approx = i - 1, 2
        elif p1 in cue["bound_high"]:
            left, approx = i - 1, 3
    return _Num(i, last, left, value, unit, year, approx, scale)


def _is_range(ctx: _Ctx, nm: _Num, ws: int, we: int, numidx: set[int]) -> bool:
    """Part of 'between 5 and 6', '5 to 6', '5 or 6', 'from 5 to 6'."""
    words = ctx.words
    p1 = words[nm.left - 1] if nm.left - 1 >= ws else ""
    if p1 in ("between", "from"):
        return True
    if p1 in ctx.lex.cue["range_word"] and (nm.left - 2) in numidx:
        return True
    nxt = nm.last + 1
    return nxt + 1 < we and words[nxt] in ctx.lex.cue["range_word"] and (nxt + 1) in numidx


def _same_value(a: _Fact, b: _Fact) -> bool:
    """Do two stated values agree, allowing rounding, approximations and bounds?"""
    hi = max(abs(a.value), abs(b.value))
    if a.exact or b.exact:
        return a.value == b.value
    if hi == 0 or abs(a.value - b.value) <= _EXACT * hi:
        return True
    for x, y in ((a, b), (b, a)):
        if x.approx == 2 and y.value >= x.value:  # 'over 5,000' and 6,000
            return True
        if x.approx == 3 and y.value <= x.value:  # 'nearly 5,000' and 4,900
            return True
    return (a.approx or b.approx) > 0 and abs(a.value - b.value) < _APPROX * hi


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if v == int(v) else f"{v:,.3g}"


# --------------------------------------------------------------------------------------------- subjects


def _who(ctx: _Ctx, k: int, j: int) -> str:
    """A name run ``k..j`` as a key: lower case, without a corporate suffix or a possessive."""
    run = [w.removesuffix("'s") for w in ctx.words[k : j + 1]]
    if len(run) > 1 and run[-1] in ctx.lex.cue["corp_suffix"]:
        run.pop()
    return " ".join(run)


def _same_entity(a: str, b: str) -> bool:
    """'john smith' and 'smith' may be one person; 'old testament' and 'new testament' are not one book,
    nor are 'the first bridge' and 'the bridge' (an ordinal or 'old', 'new', 'original'... before the
    shorter form names one instance of several)."""
    if a == b:
        return True
    x, y = a.split(), b.split()
    if len(x) > len(y):
        x, y = y, x
    if y[len(y) - len(x) :] != x:
        return False
    return _lex().cue["instance"].isdisjoint(y[: len(y) - len(x)])


def _np_head(ctx: _Ctx, j: int, ws: int) -> tuple[str, int] | None:
    """The head of a subject noun phrase ending at word ``j``: (key, first word index)."""
    lex, words = ctx.lex, ctx.words
    w = words[j]
    if w in lex.cue["pronoun"]:
        return ctx.resolve(w, j), j
    if w.endswith("'s") or w[0].isdigit() or w in lex.stop or w in lex.cue["time"]:
        return None
    if ctx.cap(j):
        k = j
        while (
            k - 1 >= max(ws, j - _MAX_NAME)
            and ctx.cap(k - 1)
            and words[k - 1] not in lex.stop
            and ctx.tight(k)
        ):
            k -= 1
        if k == ws and j == ws and w in lex.stop:
            return None
        return _who(ctx, k, j), k
    for k in range(j - 1, max(ws, j - 4) - 1, -1):
        if not ctx.tight(k + 1):
            return None
        p = words[k]
        if p in lex.cue["definite"] or p.endswith("'s"):
            # 'the inexpensive hotel' and 'the luxurious hotel' are two hotels: modifiers are kept
            return " ".join(words[k + 1 : j + 1]), k
        if p in lex.stop or p in lex.cue["indefinite"] or p[0].isdigit():
            return None
    return None


def _name_end(ctx: _Ctx, k: int, we: int) -> int:
    """Last word of the name starting at word ``k``: the run of capitalised non-function words joined by
    whitespace alone, at most ``_MAX_NAME`` words and not past ``we`` (``k`` itself is not checked)."""
    j = k
    while (
        j + 1 < min(we, k + _MAX_NAME)
        and ctx.cap(j + 1)
        and ctx.words[j + 1] not in ctx.lex.stop
        and ctx.tight(j + 1)
    ):
        j += 1
    return j


def _sentence_subject(ctx: _Ctx, ws: int, we: int) -> tuple[str, int] | None:
    """The subject opening the sentence: a pronoun or a run of capitalised non-function words."""
    if ws >= we:
        return None
    w = ctx.words[ws]
    if w in ctx.lex.cue["pronoun"]:
        return ctx.resolve(w, ws), ws
    if not ctx.cap(ws) or w in ctx.lex.stop:
        return None
    return _np_head(ctx, _name_end(ctx, ws, we), ws)


def _subject_left(ctx: _Ctx, i: int, ws: int, we: int, apposition: bool) -> tuple[str, int] | None:
    """The subject of the verb or participle at word ``i``: walk left over auxiliaries and adverbs."""
    lex, words = ctx.lex, ctx.words
    j = i - 1
    skipped = 0
    while j >= max(ws, i - _MAX_NAME) and words[j] in lex.cue["aux"] and ctx.tight(j + 1):
        j -= 1
        skipped += 1
    if j < ws:
        return None
    g = ctx.gap(j + 1).strip()
    if g and not (g == "," and apposition and skipped == 0):
        return None
    w = words[j]
    if w == "and" and not g:
        return _sentence_subject(ctx, ws, we)
    if w in lex.cue["relative"]:
        if j - 1 < ws or ctx.gap(j).strip() not in ("", ","):
            return None
        return _np_head(ctx, j - 1, ws)
    return _np_head(ctx, j, ws)


def _np_right(ctx: _Ctx, k: int, we: int) -> tuple[str, int] | None:
    """The object noun phrase starting at word ``k``: (key, last word index)."""
    lex, words = ctx.lex, ctx.words
    if k >= we:
        return None
    if ctx.cap(k) and words[k] not in lex.stop:
        j = _name_end(ctx, k, we)
        return _who(ctx, k, j), j
    if words[k] in lex.cue["definite"]:
        j = k + 1
        while j + 1 < we and words[j + 1] not in lex.stop and ctx.tight(j + 1) and j < k + 3:
            j += 1
        if j < we and words[j] not in lex.stop and words[j].isalpha():
            return words[j], j
    return None


# ------------------------------------------------------------------------------------------------ scan


@dataclass
class _State:
    facts: dict[tuple[str, ...], list[_Fact]] = field(default_factory=dict)
    births: dict[str, list[_Fact]] = field(default_factory=dict)
    deaths: dict[str, list[_Fact]] = field(default_factory=dict)
    acts: dict[str, list[_Fact]] = field(default_factory=dict)
    ages: list[tuple[str, int, int, tuple[int, int]]] = field(default_factory=list)
    disagreements: set[tuple[tuple[str, ...], frozenset[float]]] = field(default_factory=set)


def _head(who: str) -> str:
    return who.rsplit(" ", 1)[-1]


def _remember(table: dict[str, list[_Fact]], fact: _Fact) -> None:
    facts = table.setdefault(_head(fact.who), [])
    if len(facts) < _MAX_FACTS_PER_KEY:
        facts.append(fact)


def _record(ctx: _Ctx, st: _State, key: tuple[str, ...], fact: _Fact, what: str) -> None:
    """Store a fact; a different value under the same key in another sentence is a conflict. One
    disagreement (the same two values under one key) counts once, however often either is repeated."""
    seen = st.facts.setdefault(key, [])
    for old in seen:
        if old.sent == fact.sent or not _same_entity(old.who, fact.who):
            continue
        if not _same_value(old, fact):
            if not ctx.same_person(old.who, fact.who):
                continue
            pair = (key, frozenset((old.value, fact.value)))
            if pair in st.disagreements:
                continue
            st.disagreements.add(pair)
            note = f"{what} {old.label} vs {fact.label}"
            ctx.add("numeric_conflicts", old.span, fact.span, note)
            break
    if len(seen) < _MAX_FACTS_PER_KEY:
        seen.append(fact)


def _year_after(ctx: _Ctx, k0: int, we: int, years: dict[int, _Num]) -> int | None:
    """The year dating the event whose verb ends before ``k0``, within the same clause."""
    lex, words = ctx.lex, ctx.words
    for k in range(k0, min(we, k0 + _WINDOW)):
        if k > k0 and any(c in ctx.gap(k) for c in ';:()"'):
            return None
        w = words[k]
        if w in lex.cue["clause_stop"] or (k > k0 and w in lex.events):
            return None
        nm = years.get(k)
        if nm is not None:
            prev = words[k - 1] if k - 1 >= 0 else ""
            if prev in lex.cue["year_skip_before"] or nm.approx:
                return None
            nxt = words[k + 1] if k + 1 < we else ""
            if nxt in ("bc", "bce") or (nxt in lex.cue["range_word"] and (k + 2) in years):
                return None
            return k
    return None


def _year_before(ctx: _Ctx, ws: int, i: int, years: dict[int, _Num]) -> int | None:
    """A sentence-opening 'In 1995,' / 'In March 1995,' dating the event verb at ``i``."""
    words = ctx.words
    if words[ws] != "in":
        return None
    for k in (ws + 1, ws + 2):
        if k < i and k in years:
            if k == ws + 2 and words[ws + 1] not in ctx.lex.cue["time"]:
                return None
            return k
    return None


def _events(ctx: _Ctx, st: _State, si: int, s: _Sent, idxs: list[int], years: dict[int, _Num]) -> None:
    lex, words = ctx.lex, ctx.words
    if not s.words.isdisjoint(lex.cue["fact_skip"]):
        return
    ws, we = s.ws, s.we
    for i in idxs:
        canon, cls = lex.events[words[i]]
        if i > ws and words[i - 1] in lex.neg:
            continue
        made = cls in _MADE  # discovered, opened, first published...: see inconsistency_events.txt
        if cls == "first" and (i == ws or words[i - 1] != "first"):
            continue  # 'published in 1851' may be any edition
        j = i - 1
        passive = plural = False
        while j >= max(ws, i - _MAX_NAME) and words[j] in lex.cue["aux"]:
            passive = passive or words[j] in _BE
            plural = plural or words[j] in _PLURAL_AUX
            j -= 1
        if made and plural:
            continue  # 'fossils were discovered in 1920': several finds
        apposition = i > ws and ctx.gap(i).strip() == "," and j == i - 1
        subj = _subject_left(ctx, i, ws, we, apposition=cls != "act")
        obj: tuple[str, int] | None = None
        after = i + 1
        if (cls == "founding" or made) and not passive and not apposition:
            obj = _np_right(ctx, i + 1, we)
            if obj is not None:
                after = obj[1] + 1
                if made and not _is_name(ctx, i + 1):
                    continue  # 'Smith opened the shop in 1950': which shop is not said
            elif made:
                if cls != "opening" or i + 1 >= we or words[i + 1] not in ("in", "on"):
                    continue  # 'Smith discovered in 1990 that...' dates nothing about Smith
            elif i + 1 < we and words[i + 1] in ("a", "an"):
                after = i + 2  # 'Smith founded a charity': an act of Smith's, no fact about the charity
            elif i + 1 < we and words[i + 1] not in ("in", "on"):
                continue
        y = _year_after(ctx, after, we, years)
        opening = False
        if y is None:
            y = _year_before(ctx, ws, i, years)
            opening = True
        if y is None:
            continue
        hi = max(i, y)
        if (
            subj is None and obj is None and i == ws
        ):  # 'Founded in 1998, Acme ...', 'Born in 1950 in Ohio, Smith'
            for k in range(y + 1, min(we, y + 5)):
                if "," in ctx.gap(k):
                    lead = _np_right(ctx, k, we)
                    if lead is not None:
                        subj, hi = (lead[0], i), lead[1]
                    break
        year = years[y].value
        lo = min(i, y) if subj is None or subj[1] < i - 6 else min(subj[1], y)
        if opening:
            lo = ws  # 'In 1995, he founded ...'
        span = (ctx.starts[lo], ctx.ends[hi])
        label = str(int(year))
        # temporal conflicts take a pronoun only when resolved without doubt (``_Ctx.resolve_strict``)
        when: str | None = None
        if subj is not None:
            when = ctx.resolve_strict(subj[1]) if words[subj[1]] in lex.cue["pronoun"] else subj[0]
        if made:
            # a name only (never 'the element', 'it' unresolved), keyed with the rest of the clause;
            # no act of the agent is recorded ('Ford opened a plant in 1950' may be the company)
            key = ("ev", "", canon, *_event_qualifier(ctx, after, y, we))
            if obj is not None:
                fact = _Fact(year, 0, span, si, label, exact=True, who=obj[0])
                _record(ctx, st, (key[0], _head(obj[0]), *key[2:]), fact, canon)
            elif subj is not None and _is_name(ctx, subj[1]) and not subj[0].startswith("pron:"):
                fact = _Fact(year, 0, span, si, label, exact=True, who=subj[0])
                _record(ctx, st, (key[0], _head(subj[0]), *key[2:]), fact, canon)
            continue
        if after > i + 1:
            if obj is not None:
                fact = _Fact(year, 0, span, si, label, exact=True, who=obj[0])
                _record(ctx, st, ("ev", _head(obj[0]), canon), fact, canon)
            if when is not None:
                _remember(st.acts, _Fact(year, 0, span, si, label, exact=True, who=when))
            continue
        if subj is None:
            continue
        fact = _Fact(year, 0, span, si, label, exact=True, who=subj[0])
        if cls != "act":
            _record(ctx, st, ("ev", _head(subj[0]), canon), fact, canon)
        if when is None:
            continue
        fact = _Fact(year, 0, span, si, label, exact=True, who=when)
        if cls == "act":
            _remember(st.acts, fact)
        elif cls == "birth":
            _remember(st.births, fact)
        elif cls == "death":
            _remember(st.deaths, fact)


def _is_name(ctx: _Ctx, k: int) -> bool:
    """Does the subject or object starting at word ``k`` name something: a capitalised word that is
    not a determiner ('Penicillin', 'the Rosetta Stone' starts at 'Rosetta'), or a pronoun?"""
    w = ctx.words[k]
    if w in ctx.lex.cue["pronoun"]:
        return True
    return ctx.cap(k) and w not in ctx.lex.cue["definite"] and w not in ctx.lex.stop


def _event_qualifier(ctx: _Ctx, k0: int, y: int, we: int) -> tuple[str, ...]:
    """The content words of an event's clause from word ``k0`` besides its year, month and agent
    ('in Texas', 'in book form', 'to traffic'): 'oil was discovered in Texas in 1901' and 'in 1938 in
    Saudi Arabia' are two facts. A 'by ...' phrase (the agent) is left out up to the next preposition,
    and the clause ends at punctuation or a clause word ('and', 'when')."""
    lex, words = ctx.lex, ctx.words
    out: list[str] = []
    agent = False
    for k in range(k0, min(we, max(y, k0) + _WINDOW)):
        if k > k0 and any(c in ctx.gap(k) for c in ',;:()"'):
            break
        w = words[k]
        if w in lex.cue["clause_stop"]:
            break
        if w == "by":
            agent = True
        elif w in ("in", "at", "on", "to", "as", "for", "near", "from", "with"):
            agent = False
        if agent or k == y or w in lex.stop or w in lex.cue["time"] or w[0].isdigit():
            continue
        out.append(w)
    return tuple(sorted(out))


def _trailing(ctx: _Ctx, k: int, we: int) -> tuple[str, ...]:
    """Content words of the qualifier right after a quantity ('in 36 games'), up to the clause end."""
    out: list[str] = []
    for j in range(k, min(we, k + 4)):
        if not ctx.tight(j) and ctx.gap(j).strip():
            break
        w = ctx.words[j]
        if w in ctx.lex.cue["clause_stop"]:
            break
        if w not in ctx.lex.stop:
            out.append(w)
    return tuple(out)


def _time_clauses(ctx: _Ctx, s: _Sent) -> set[str]:
    """'when joined', 'time left': each time clause of the sentence ('when I joined', 'by the time I
    left') with the first content word after its opener, a time qualifier of the sentence's quantities."""
    lex, words = ctx.lex, ctx.words
    openers = lex.cue["time_clause"]
    if s.words.isdisjoint(openers):
        return set()
    out: set[str] = set()
    for k in range(s.ws, s.we):
        if words[k] not in openers:
            continue
        nxt = ""
        for j in range(k + 1, min(s.we, k + 5)):
            if words[j] not in lex.stop:
                nxt = words[j]
                break
        out.add(f"{words[k]} {nxt}")
    return out


def _when(ctx: _Ctx, s: _Sent, numbers: list[int]) -> set[str]:
    """The time qualifiers of sentence ``s`` (``numbers``: its digit words): its years (also an
    early one after 'in' / 'by': 'in 1300'), time words, time clauses and decades ('in the 1950s')."""
    when = {str(int(y.value)) for y in s.years}
    return when | (s.words & ctx.lex.cue["time"]) | _time_clauses(ctx, s) | _dates(ctx, s, numbers)


def _dates(ctx: _Ctx, s: _Sent, numbers: list[int]) -> set[str]:
    """Decades ('in the 1950s') and early years after 'in' / 'by' ('in 1300') among ``numbers``."""
    words = ctx.words
    when: set[str] = set()
    for k in numbers:
        w = words[k]
        early = len(w) == 4 and w.isdecimal() and 1000 <= int(w) <= 2100
        if _DECADE.fullmatch(w) or (early and k > s.ws and words[k - 1] in ("in", "by")):
            when.add(w)
    return when


def _quantity(ctx: _Ctx, st: _State, si: int, s: _Sent, nm: _Num, qual: tuple[str, ...]) -> None:
    """'<subject> <verb> [about] <number> <unit>' or '<subject>'s <noun> is/was/of <number>'."""
    lex, words = ctx.lex, ctx.words
    ws, we = s.ws, s.we
    j = nm.left - 1
    if j < ws or ctx.gap(j + 1).strip().strip(_CURRENCY):
        return
    saw_of = words[j] == "of"
    if saw_of:
        j -= 1
        if j >= ws and words[j] == "total":
            j -= 1
            if j >= ws and words[j] in ("a", "the"):
                j -= 1
    if j < ws or not ctx.tight(j + 1):
        return
    w = words[j]
    subj: tuple[str, int] | None = None
    attr = tense = unit = ""
    noun_at = -1
    if w in lex.qverb and (not saw_of or w.startswith(("consist", "compris"))):
        if nm.unit == "%":
            return  # 'it has 70%': a share of something unsaid
        unit = nm.unit
        k = nm.last + 1
        if not unit:
            if k >= we or not ctx.tight(k) or words[k] in lex.stop or not words[k].isalpha():
                return
            unit = words[k]
            k += 1
        subj = _subject_left(ctx, j, ws, we, apposition=False)
        attr = w
        qual = qual + _trailing(ctx, k, we)
    elif saw_of and w in lex.qnoun:
        noun_at = j
        p = j - 1
        if p > ws and words[p] not in lex.stop and words[p - 1] in ("a", "the") and ctx.tight(p + 1):
            p -= 1  # one modifier: 'a seating capacity of', 'a total area of'
        if p >= ws and words[p] in ("a", "the") and p - 1 >= ws and words[p - 1] in lex.qverb:
            subj = _subject_left(ctx, p - 1, ws, we, apposition=False)
            tense = "past" if words[p - 1] == "had" else "pres"
    elif w in lex.cue["copula"] or (w == "at" and j - 1 >= ws and words[j - 1] == "stood"):
        tense = "past" if w in ("was", "were", "at") else "pres"
        j -= 2 if w == "at" else 1
        if j >= ws and words[j] in lex.qnoun:
            noun_at = j
        elif j >= ws and ctx.cap(j):  # 'the population of Springfield was 50,000'
            k = j
            while k - 1 >= max(ws, j - _MAX_NAME) and ctx.cap(k - 1) and words[k - 1] not in lex.stop:
                k -= 1
            if k - 2 >= ws and words[k - 1] == "of" and words[k - 2] in lex.qnoun:
                noun_at = k - 2
                subj = _np_head(ctx, j, k)
    else:
        return
    if noun_at >= 0:
        attr = words[noun_at]
        unit = nm.unit
        if subj is None and noun_at - 1 >= ws:
            owner = words[noun_at - 1]
            if owner.endswith("'s") and len(owner) > 2:
                subj = (owner[:-2], noun_at - 1)
            elif owner in ("its", "his", "her"):
                subj = (ctx.resolve(owner, noun_at - 1), noun_at - 1)
    if subj is None or subj[0].startswith("pron:"):
        return
    lo = subj[1] if subj[1] >= nm.left - 8 else min(j, noun_at if noun_at >= 0 else j)
    if any(words[k] in lex.neg for k in range(lo, nm.left)):
        return
    span = (ctx.starts[lo], ctx.ends[nm.last if not unit or unit in "%m" + _CURRENCY else nm.last + 1])
    label = (
        (nm.unit if nm.unit in _CURRENCY and nm.unit else "")
        + _fmt(nm.value)
        + ("%" if nm.unit == "%" else "")
    )
    fact = _Fact(nm.value, nm.approx, span, si, label, who=subj[0])
    _record(ctx, st, ("q", _head(subj[0]), attr, tense, unit, *qual), fact, unit if unit.isalpha() else attr)


# ------------------------------------------------------------------------------------------ arithmetic


def _change_sign(ctx: _Ctx, k: int) -> int:
    w = ctx.words[k] if 0 <= k < ctx.n else ""
    if w in ctx.lex.cue["change_up"]:
        return 1
    if w in ctx.lex.cue["change_down"]:
        return -1
    return 0


def _arithmetic(ctx: _Ctx, s: _Sent) -> None:
    nums = s.nums
    if len(nums) < 2:
        return
    lex, words = ctx.lex, ctx.words
    ws, we = s.ws, s.we
    by_first = {nm.first: nm for nm in nums}
    # (a) 'from A to B, a P% increase'
    pairs: list[tuple[_Num, _Num]] = []
    for a in nums if "from" in s.words else ():
        if a.left - 1 >= ws and words[a.left - 1] == "from" and not a.year and not a.approx:
            for gap in (1, 2, 3):
                t = a.last + gap
                if t < we and words[t] == "to" and (t + 1) in by_first:
                    pairs.append((a, by_first[t + 1]))
                    break
                if t >= we or not words[t].isalpha():
                    break
    pcts: list[tuple[_Num, int, bool]] = []
    in_pair = {id(x) for pair in pairs[:2] for x in pair}
    for p in nums if len(pairs) == 1 else ():
        if p.unit != "%" or id(p) in in_pair:
            continue
        sign = _change_sign(ctx, p.last + 1)
        points = p.last + 1 < we and words[p.last + 1] in ("point", "points")
        if points or (p.last + 2 < we and words[p.last + 1] == "percentage"):
            points = True
            sign = _change_sign(ctx, p.last + 2) or _change_sign(ctx, p.last + 3)
        if not sign and p.left - 1 >= ws and words[p.left - 1] in ("by", "up", "down"):
            sign = _change_sign(ctx, p.left - 1) or 2
        if sign and not p.approx:
            pcts.append((p, sign, points))
    if len(pairs) == 1 and len(pcts) == 1:
        a, b = pairs[0]
        p, sign, points = pcts[0]
        if not b.year and not b.approx and a.value > 0 and (a.unit == b.unit or not a.unit):
            stated = p.value
            tol = max(1.5, _APPROX * stated)
            readings = [(b.value - a.value) / a.value * 100]
            if points or a.unit == "%":
                readings.append(b.value - a.value)
            if points:
                readings = readings[1:]
            if a.scale == 1.0 and b.scale > 1.0:  # 'from 2 to 3 million'
                readings.append((b.value - a.value * b.scale) / (a.value * b.scale) * 100)
            fits = any(abs(abs(r) - stated) <= tol for r in readings)
            wrong_way = sign in (1, -1) and sign * (b.value - a.value) < 0
            if not fits or wrong_way:
                span_a = (ctx.starts[a.left - 1], ctx.ends[b.last])
                span_b = (ctx.starts[p.left], ctx.ends[min(we - 1, p.last + (1 if sign != 2 else 0))])
                actual = readings[0]
                change = f"{_fmt(a.value)} to {_fmt(b.value)} is"
                note = f"{change} {actual:+.0f}%, not {_fmt(stated)}%"
                if points:
                    note = f"{change} {b.value - a.value:+.3g} points, not {_fmt(stated)}"
                ctx.add("arithmetic_errors", span_a, span_b, note)
    _shares(ctx, s)
    # (c) 'X of Y' / 'X out of Y' with X > Y
    for x in nums if "of" in s.words else ():
        if x.year or x.unit == "%":
            continue
        k = x.last + 1
        if k + 1 < we and words[k] == "out" and words[k + 1] == "of":
            k += 2
        elif k < we and words[k] == "of":
            k += 1
        else:
            continue
        if k < we and words[k] in ("the", "its", "their", "all"):
            k += 1
        y = by_first.get(k)
        if y is None or y.year or y.unit == "%" or y.unit != x.unit or y.approx:
            continue
        if x.left - 1 >= ws and (
            words[x.left - 1] in lex.cue["label_before"] or words[x.left - 1] in lex.cue["time"]
        ):
            continue  # 'Chapter 12 of 10', 'Mar. 14 of the two'
        nxt = y.last + 1
        if nxt >= we or words[nxt] in lex.stop or not words[nxt].isalpha() or ctx.cap(nxt):
            continue
        if words[nxt].endswith("ing"):
            continue  # 'of the two embracing': a pronoun-like number, not a count of things
        if x.value > y.value:
            ctx.add(
                "arithmetic_errors",
                (ctx.starts[x.left], ctx.ends[x.last]),
                (ctx.starts[y.first], ctx.ends[nxt]),
                f"{_fmt(x.value)} of {_fmt(y.value)}",
            )


def _answer(ctx: _Ctx, k: int, we: int) -> tuple[str, int] | None:
    """The answer at word ``k`` ('said yes', 'were unsure', 'disagreed'): (yes/no/unsure, last word)."""
    cue, words = ctx.lex.cue, ctx.words
    if k >= we:
        return None
    w = words[k]
    nxt = words[k + 1] if k + 1 < we else ""
    if w in cue["response_verb"] and nxt in ("yes", "no"):
        return nxt, k + 1
    if w in cue["copula"]:
        if nxt in cue["answer_unsure"]:
            return "unsure", k + 1
        if nxt == "not" and k + 2 < we and words[k + 2] == "sure":
            return "unsure", k + 2
        if nxt in ("against", "opposed"):
            return "no", k + 1
        if nxt == "in" and k + 2 < we and words[k + 2] in ("favour", "favor"):
            return "yes", k + 2
    if w in cue["answer_yes"] and w not in ("yes", "for"):
        return "yes", k
    if w in cue["answer_no"] and w not in ("no", "against"):
        return "no", k
    return None


def _shares(ctx: _Ctx, s: _Sent) -> None:
    """'60% said yes, 30% said no and 25% were unsure': answers to one question past 100 %."""
    pct = [nm for nm in s.nums if nm.unit == "%"]
    if len(pct) < 2:
        return
    words = ctx.words
    items: list[tuple[_Num, str, int]] = []
    wholes: set[tuple[str, ...]] = set()
    for nm in pct:
        k = nm.last + 1
        if k < s.we and words[k] == "of":  # '60% of respondents said yes'
            j = k + 1
            while j < s.we and j < k + 4 and _answer(ctx, j, s.we) is None:
                j += 1
            wholes.add(tuple(words[k + 1 : j]))
            k = j
        ans = _answer(ctx, k, s.we)
        if ans is None:
            return  # a percentage that is not an answer share: not one whole
        items.append((nm, ans[0], ans[1]))
    if len(wholes) > 1 or len({a for _, a, _ in items}) != len(items):
        return
    total = sum(nm.value for nm, _, _ in items)
    if total > 100.5:
        (a, _, ea), (b, _, eb) = items[0], items[-1]
        ctx.add(
            "arithmetic_errors",
            (ctx.starts[a.left], ctx.ends[ea]),
            (ctx.starts[b.left], ctx.ends[eb]),
            f"shares sum to {_fmt(total)}%",
        )


# ------------------------------------------------------------------------------------------- temporal


def _ages_and_offsets(ctx: _Ctx, st: _State, si: int, s: _Sent, prev_years: list[_Num]) -> None:
    lex, words = ctx.lex, ctx.words
    ws, we = s.ws, s.we
    years = s.years
    by_first = {nm.first: nm for nm in s.nums}
    if (
        not s.words.isdisjoint(lex.cue["age_word"])
        and len({y.value for y in years}) == 1
        and s.words.isdisjoint(lex.cue["report_verb"])
    ):
        y = years[0]
        for k in range(ws, we):
            if words[k] not in lex.cue["age_word"]:
                continue
            a = k + 2 if k + 2 < we and words[k] == "age" and words[k + 1] == "of" else k + 1
            nm = by_first.get(a)
            if nm is None or nm.year or nm.unit or nm.approx or not 0 < nm.value < 125:
                continue
            if abs(y.first - k) > 8 or y.first - 1 < ws or words[y.first - 1] != "in":
                continue  # the year must date the age: 'in 1920, at the age of 30'
            subj = _sentence_subject(ctx, ws, we)
            if subj is not None and words[subj[1]] in lex.cue["pronoun"]:
                strict = ctx.resolve_strict(subj[1])
                subj = None if strict is None else (strict, subj[1])
                if subj is None:
                    continue
            for j in range(ws, we):
                if subj is not None:
                    break
                if words[j] in lex.cue["person_pronoun"]:
                    strict = ctx.resolve_strict(j)
                    if strict is None:
                        break
                    subj = strict, j
                elif j > ws and ctx.cap(j) and words[j] not in lex.stop and words[j] not in lex.cue["time"]:
                    end = j  # a name later in the sentence: 'In 1995, at age nine, Mack began'
                    while end + 1 < min(we, j + _MAX_NAME) and ctx.cap(end + 1) and ctx.tight(end + 1):
                        end += 1
                    subj = _who(ctx, j, end), j
            if subj is None:
                continue
            lo = k - 1 if k - 1 >= ws and words[k - 1] in ("at", "the") else k
            if lo - 1 >= ws and words[lo] == "the" and words[lo - 1] == "at":
                lo -= 1
            lo, hi = min(lo, y.first - 1), max(nm.last, y.last)
            st.ages.append((subj[0], int(nm.value), int(y.value), (ctx.starts[lo], ctx.ends[hi])))
            break
    if "years" not in s.words and "year" not in s.words:
        return
    by_last = {nm.last: nm for nm in s.nums}
    para_ws = -1
    for k in range(ws + 1, we - 2):
        if words[k] not in ("years", "year"):
            continue
        nm = by_last.get(k - 1)  # 'ten years', 'two hundred years'
        if nm is None or nm.year or nm.unit or nm.approx:
            continue
        rel = words[k + 1]
        if rel in lex.cue["rel_later"]:
            sign = 1
        elif rel in lex.cue["rel_earlier"]:
            sign = -1
        else:
            continue
        if rel in ("after", "before") and words[k + 2] != "in" and "," not in ctx.gap(k + 2):
            continue
        target: _Num | None = None
        for j in range(k + 2, min(we, k + 5)):
            cand = by_first.get(j + 1) if words[j] == "in" else None
            if cand is not None and cand.year and not cand.approx:
                target = cand
                break
        if target is None:
            continue
        if para_ws < 0:
            para_ws = _paragraph_first_word(ctx, si)
        # the anchor: a dated statement of the last two sentences is needed to fire; any year earlier in
        # the paragraph that fits excuses ('three years later' may count from a date three sentences back)
        recent = {(y.first, y.value) for y in prev_years} | {
            (y.first, y.value) for y in years if y.last < nm.left
        }
        if not recent:
            continue
        if si > 0 and not any(y.last < nm.left for y in years):
            prev = ctx.doc.sentences[si - 1]
            if prev.word_start >= para_ws and not ctx.year_words(prev.word_start, prev.word_end):
                continue  # 'when she was eight. Twenty years later': counts from an undated event
        anchors = sorted(recent | {(k, v) for v, k in ctx.year_words(para_ws, nm.left)})[-_MAX_ANCHORS:]
        n = nm.value
        tolerance = max(1.0, 0.1 * n)  # 'two hundred years later' is a round figure
        if any(abs(v + sign * n - target.value) <= tolerance for _, v in anchors):
            continue
        at, value = anchors[-1]
        ctx.add(
            "temporal_conflicts",
            (ctx.starts[at], ctx.ends[at]),
            (ctx.starts[nm.left], ctx.ends[target.last]),
            f"{int(value)} {'+' if sign > 0 else '-'} {int(n)} years is not {int(target.value)}",
        )


def _paragraph_first_word(ctx: _Ctx, si: int) -> int:
    """Index of the first word of the paragraph holding sentence ``si``."""
    doc = ctx.doc
    pi = ctx.para_of(doc.sentences[si].start)
    para_start = doc.paragraphs[pi].start if pi >= 0 else 0
    return bisect_right(ctx.starts, para_start - 1)


def _temporal(ctx: _Ctx, st: _State) -> None:
    """Died before born; acts before birth or after death; ages that do not fit the birth year."""
    for head, births in st.births.items():
        born = births[0]
        for died in st.deaths.get(head, ()):
            if ctx.same_person(born.who, died.who) and died.value < born.value:
                ctx.add("temporal_conflicts", born.span, died.span, f"born {born.label}, died {died.label}")
                break
        for act in st.acts.get(head, ()):
            if ctx.same_person(born.who, act.who) and act.value < born.value:
                ctx.add("temporal_conflicts", born.span, act.span, f"born {born.label}, acts in {act.label}")
                break
    for head, deaths in st.deaths.items():
        death = deaths[0]
        for act in st.acts.get(head, ()):
            if ctx.same_person(death.who, act.who) and act.value > death.value:
                ctx.add(
                    "temporal_conflicts", death.span, act.span, f"died {death.label}, acts in {act.label}"
                )
                break
    for who, age, year, span in st.ages:
        birth = next((b for b in st.births.get(_head(who), ()) if ctx.same_person(b.who, who)), None)
        if birth is not None and abs(year - birth.value - age) > 1:
            ctx.add(
                "temporal_conflicts",
                birth.span,
                span,
                f"born {birth.label}, aged {age} in {year} (not {year - int(birth.value)})",
            )


# --------------------------------------------------------------------------------------------- lists


def _counted_nouns(ctx: _Ctx, s: _Sent) -> Iterator[tuple[_Num | None, int, int]]:
    """(number, its word, the noun's word) of each 'N [adjectives] <list noun>' of the sentence, in order:
    a number word at most three tightly joined adjectives before a list noun ('7 simple tips'); the
    number is None where the word does not read as one."""
    lex, words = ctx.lex, ctx.words
    for k in range(s.ws + 1, s.we):
        if words[k] not in lex.list_nouns:
            continue
        for j in range(k - 1, max(s.ws, k - 4) - 1, -1):
            w = words[j]
            if not ctx.tight(j + 1) and ctx.gap(j + 1).strip() != "-":
                break
            if w[0].isdigit() or w in lex.numword:
                yield _number_at(ctx, j, s.ws, s.we), j, k
                break
            if w in lex.stop or w in lex.cue["list_skip"] or not w.isalpha():
                break


def _exact_count(ctx: _Ctx, s: _Sent, nm: _Num | None, j: int) -> bool:
    """Is ``nm`` (at word ``j``) an exact count of 2 to 50 things, not 'more than 5' or 'top 10'?"""
    return (
        nm is not None
        and not nm.approx
        and not nm.unit
        and not nm.year
        and nm.last == j
        and 2 <= nm.value <= 50
        and nm.value == int(nm.value)
        and not (j - 1 >= s.ws and ctx.words[j - 1] in ctx.lex.cue["list_skip"])
    )


def _list_cue(ctx: _Ctx, s: _Sent) -> tuple[int, int, int] | None:
    """'three reasons' / '7 simple tips' in the sentence: (count, first word, last word), from its first
    counted noun; None if that count is not exact."""
    first = next(_counted_nouns(ctx, s), None)
    if first is None:
        return None
    nm, j, k = first
    return (int(nm.value), j, k) if nm is not None and _exact_count(ctx, s, nm, j) else None


def _line_of(line_starts: list[int], pos: int) -> int:
    return bisect_right(line_starts, pos) - 1


def _count_list(
    ctx: _Ctx, first: int, heading_lines: frozenset[int], is_heading_cue: bool
) -> tuple[int, tuple[int, int], list[int]] | None:
    """Length of the list starting at or after line ``first``: (count, evidence span, item lines)."""
    lines = ctx.doc.lines
    text = ctx.text
    n = len(lines)
    k = first
    while k < n and lines[k].blank:
        k += 1
    if k >= n:
        return None
    line = text[lines[k].start : lines[k].end]
    if k in heading_lines:
        if _NUMBERED_LINE.match(line) is None:
            return None
        return _count_numbered(ctx, k, heading_lines, headings=True)
    if not is_list_item(line) and _NUMBERED_LINE.match(line) is None:
        if not is_heading_cue:
            return None
        # a title or heading cue: numbered headings may follow an introduction
        for j in range(k, min(n, k + 15)):
            if j in heading_lines:
                lt = text[lines[j].start : lines[j].end]
                return (
                    _count_numbered(ctx, j, heading_lines, headings=True)
                    if _NUMBERED_LINE.match(lt)
                    else None
                )
            lt = text[lines[j].start : lines[j].end]
            if not lines[j].blank and (is_list_item(lt) or _NUMBERED_LINE.match(lt)):
                return None
        return None
    m = _BULLET.match(line)
    if m is None:
        return _count_numbered(ctx, k, heading_lines, headings=False)
    marker = m.group(1)
    base = len(line) - len(line.lstrip())
    count = 0
    last = k
    items: list[int] = []
    pending_blank = False
    for j in range(k, min(n, k + _MAX_LIST_LINES)):
        ln = lines[j]
        if ln.blank:
            pending_blank = True
            continue
        if j in heading_lines:
            break
        lt = text[ln.start : ln.end]
        indent = len(lt) - len(lt.lstrip())
        mm = _BULLET.match(lt)
        if mm is not None and indent == base:
            if mm.group(1) != marker:
                break
            first_word = lt.lstrip()[1:].strip().split(" ", 1)[0].strip("*_:").lower()
            if first_word in ctx.lex.cue["list_skip"]:
                return None
            count += 1
            last = j
            items.append(j)
        elif indent > base or (not pending_blank and mm is None and not is_list_item(lt)):
            pass  # nested item or continuation line
        else:
            break
        pending_blank = False
    else:
        if n > k + _MAX_LIST_LINES:
            return None  # longer than we are willing to walk
    if count < 2:
        return None
    return count, (lines[k].start, lines[last].end), items


def _count_numbered(
    ctx: _Ctx, k: int, heading_lines: frozenset[int], headings: bool
) -> tuple[int, tuple[int, int], list[int]] | None:
    """Numbered items or numbered headings 1..N from line ``k``; None when the numbering is irregular."""
    lines = ctx.doc.lines
    text = ctx.text
    expect = 1
    last = -1
    items: list[int] = []
    level = None
    levels = ctx.heading_levels
    if headings:
        level = levels.get(k)
    for j in range(k, min(len(lines), k + _MAX_LIST_LINES)):
        ln = lines[j]
        if ln.blank:
            continue
        lt = text[ln.start : ln.end]
        m = _NUMBERED_LINE.match(lt)
        is_head = j in heading_lines
        if headings and is_head:
            if m is None:
                lv = levels.get(j, 0)
                if level is not None and lv > level:
                    continue  # a sub-heading inside a numbered section
                break
        elif not headings:
            if is_head:
                break
            if m is None or not is_list_item(lt):
                if m is None:
                    continue  # explanation between numbered items
                break
        else:
            continue
        num = int(m.group(1))
        if num == expect:
            rest = lt[m.end() - 1 :].strip().split(" ", 1)[0].strip("*_:").lower()
            if rest in ctx.lex.cue["list_skip"]:
                return None
            last = j
            items.append(j)
            expect += 1
        elif num == 1:
            break
        else:
            return None
    else:
        if len(lines) > k + _MAX_LIST_LINES:
            return None  # longer than we are willing to walk
    count = expect - 1
    if count < 2:
        return None
    return count, (lines[last].start, lines[last].end), items


def _before_extras(ctx: _Ctx, items: list[int], count: int) -> int:
    """The items before the first extra one past the announced ``count`` ('4. And a bonus one',
    'Honourable mention: ...'): an extra and the items after it are not counted."""
    extra = ctx.lex.cue["list_extra"]
    for idx in range(count, len(items)):
        ln = ctx.doc.lines[items[idx]]
        toks = re.findall(r"[a-z]+", ctx.text[ln.start : ln.end].lower())
        if not extra.isdisjoint(toks) or not extra.isdisjoint(map(" ".join, pairwise(toks))):
            return idx
    return len(items)


def _count_mismatches(ctx: _Ctx, sents: _Sents, cue_sents: list[int]) -> set[int]:
    """Announced counts against the list that follows; returns the sentences whose list was counted."""
    doc = ctx.doc
    line_starts = doc.line_starts
    heading_lines = doc.heading_lines
    done: set[int] = set()
    listed: set[int] = set()
    for si in cue_sents[:_MAX_LIST_CUES]:
        s = sents[si]
        cue = _list_cue(ctx, s)
        if cue is None:
            continue
        count, j, k = cue
        li = _line_of(line_starts, ctx.starts[k])
        if li in done:
            continue
        done.add(li)
        ln = doc.lines[li]
        sent = doc.sentences[si]
        if ctx.text[sent.end : ln.end].strip():
            continue  # the cue is not what introduces the next line
        is_heading = li in heading_lines
        got = _count_list(ctx, li + 1, heading_lines, is_heading)
        if got is None:
            continue
        listed.add(si)
        n, span, items = got
        if n > count:
            n = _before_extras(ctx, items, count)
        if n != count and not _admits_shortfall(ctx, ln.start, ln.end, count, span[1]):
            ctx.add(
                "count_mismatches",
                (ctx.starts[j], ctx.ends[k]),
                span,
                f"announces {count} {ctx.words[k]}, lists {n}",
            )
    return listed


# A number of at most three digits inside parentheses of at most 80 characters: bounded, so a "(" left
# open before a long run of numbers costs O(line), not O(line^2), and int() never meets a huge number.
_PAREN_NUMBER = re.compile(r"\(([^()\n]{0,80}?)\b(\d{1,3})\b[^()\n]{0,80}\)")


def _admits_shortfall(ctx: _Ctx, lo: int, hi: int, count: int, after: int) -> bool:
    """Does the writer admit that the list is not the announced count: another number in parentheses
    on the announcement's line ('10 things (I only got to 8)') or an admission ('only got to', 'so
    far', 'the last two', 'more to come') on that line or in the paragraph right after the list?"""
    line = ctx.text[lo:hi]
    if any(int(m.group(2)) != count for m in _PAREN_NUMBER.finditer(line)):
        return True
    paras = ctx.doc.paragraphs
    pi = ctx.para_of(after)
    tail = ""
    for p in paras[max(pi, 0) : pi + 3]:
        if p.end > after and ctx.text[max(p.start, after) : p.end].strip():
            tail = ctx.text[max(p.start, after) : p.end]
            break
    said = " ".join(w.lower() for w in re.findall(r"[\w']+", line + " \n " + tail[:400]))
    return any(f" {a} " in f" {said} " for a in ctx.lex.cue["count_admit"])


@dataclass(slots=True)
class _Count:
    """'5 tips for beginners' in sentence ``si``: the number at word ``j``, the noun at word ``k``."""

    count: int
    j: int
    k: int
    si: int
    qual: tuple[str, ...]


def _noun_counts(ctx: _Ctx, s: _Sent, si: int) -> list[_Count]:
    """Every exact 'N [adjectives] <list noun>' of the sentence, with the qualifier after the noun
    ('for beginners'): '3 tips for beginners' and '5 tips for experts' count different things."""
    skip = ctx.lex.cue["list_skip"]
    return [
        _Count(int(nm.value), j, k, si, _noun_qualifier(ctx, k, s.we))
        for nm, j, k in _counted_nouns(ctx, s)
        if nm is not None and _exact_count(ctx, s, nm, j) and skip.isdisjoint(ctx.words[j + 1 : k])
    ]


def _noun_qualifier(ctx: _Ctx, k: int, we: int) -> tuple[str, ...]:
    """The content words of a prepositional phrase right after the noun at ``k`` ('for beginners')."""
    words = ctx.words
    if k + 1 >= we or words[k + 1] not in _QUALIFIER_PREPS or not ctx.tight(k + 1):
        return ()
    out: list[str] = []
    for j in range(k + 2, min(we, k + 5)):
        if not ctx.tight(j) or words[j] in ctx.lex.cue["clause_stop"]:
            break
        if words[j] not in ctx.lex.stop:
            out.append(words[j])
    return tuple(out)


def _announces(ctx: _Ctx, c: _Count) -> bool:
    """Does the count announce what follows: 'Here are 5 tips', 'There are three benefits', 'the
    following three steps', a heading, a sentence opening with the count or ending with a colon?"""
    words, doc = ctx.words, ctx.doc
    sent = doc.sentences[c.si]
    ws = sent.word_start
    if c.j > ws and words[c.j - 1] in ctx.lex.cue["count_restate"]:
        return False  # 'Following these 7 tips' refers back
    if c.j == ws or (c.j == ws + 1 and words[ws] in ctx.lex.cue["definite"]):
        return True
    if not ctx.lex.cue["count_announce"].isdisjoint(words[ws : c.j]):
        return True
    if ":" in ctx.text[ctx.ends[c.k] : sent.end + 1]:
        return True
    li = _line_of(doc.line_starts, ctx.starts[c.k])
    return li in doc.heading_lines


def _subset_near(ctx: _Ctx, si: int, lo: int, hi: int) -> bool:
    """A word among ``lo..hi - 1`` of sentence ``si`` that makes a count a part of the set or an extra."""
    sent = ctx.doc.sentences[si]
    lo, hi = max(lo, sent.word_start), min(hi, sent.word_end)
    return not ctx.lex.cue["count_subset"].isdisjoint(ctx.words[lo:hi])


def _extra_sentence(ctx: _Ctx, si: int) -> bool:
    """Does the sentence call its item an extra ('a bonus habit', 'also', 'one more', 'another')?"""
    sent = ctx.doc.sentences[si]
    seg = ctx.words[sent.word_start : sent.word_end]
    return not _EXTRA_WORDS.isdisjoint(seg) or not ctx.lex.cue["list_extra"].isdisjoint(
        map(" ".join, pairwise(seg))
    )


def _count_prose(ctx: _Ctx, sents: _Sents, cue_sents: list[int], listed: set[int]) -> None:
    """An announced count ('three benefits', 'Here are 5 tips') against the prose after it, when no
    list follows it: the same noun restated with another number ('these 7 tips'), a run of ordinal
    sentence openers ('First, ... Second, ... Fourth, ...') beyond the count, or an item named past
    it ('the fifth habit', 'habit number 5', 'tip #6'). Each announcement is compared with what
    follows it up to the next announcement of the same noun, and fires at most once."""
    lex, words, doc = ctx.lex, ctx.words, ctx.doc
    counts: list[_Count] = []
    for si in cue_sents[:_MAX_LIST_CUES]:
        if si not in ctx.zones:
            counts.extend(_noun_counts(ctx, sents[si], si))
    # Bounded: the comparisons below pair counts with counts and announcements with sentences, so a
    # hostile sentence holding thousands of counts ('5 tips, 5 tips, ...') must not make them quadratic.
    del counts[_MAX_PROSE_COUNTS:]
    anns = [c for c in counts if c.si not in listed and _announces(ctx, c)]
    if not anns:
        return
    fired: set[int] = set()

    def announcement(noun: str, si: int) -> _Count | None:
        """The last announcement of ``noun`` before sentence ``si`` (None if several qualify it
        differently and the mention says nothing to tell them apart)."""
        prior = [a for a in anns if words[a.k] == noun and a.si < si]
        return prior[-1] if prior else None

    def report(a: _Count, span: tuple[int, int], what: str) -> None:
        if a.j in fired:
            return
        fired.add(a.j)
        ctx.add(
            "count_mismatches",
            (ctx.starts[a.j], ctx.ends[a.k]),
            span,
            f"announces {a.count} {words[a.k]}, {what}",
        )

    # (1) the same noun restated with another number: 'these 7 tips', 'all seven tips'
    for c in counts:
        det = words[c.j - 1] if c.j > 0 else ""
        if det not in lex.cue["count_restate"] or c in anns:
            continue
        a = announcement(words[c.k], c.si)
        if a is None or a.count == c.count or (a.qual and c.qual and a.qual != c.qual):
            continue
        if any(x.count == c.count and words[x.k] == words[c.k] and x.si < c.si for x in counts):
            continue  # that number was given for the noun before: it may be another set
        if len({x.qual for x in anns if words[x.k] == words[c.k]}) > 1:
            continue  # several announced sets of the noun: which one is meant is unclear
        if _subset_near(ctx, c.si, c.j - 3, c.k + 3) or (c.j >= 2 and words[c.j - 2] in ("of", "out")):
            continue  # 'the 3 most important tips', 'only these two', 'of these 10 tips'
        report(a, (ctx.starts[c.j - 1], ctx.ends[c.k]), f"restates {c.count}")
    # (2) ordinal openers after the announcement: 'First, ... Second, ... Fourth, ...'
    n_sents = len(doc.sentences)
    for a in anns:
        if a.j in fired:
            continue
        nxt = [a.si + 1]
        pi = ctx.para_of(doc.sentences[a.si].start)
        if 0 <= pi < len(doc.paragraphs) - 1:
            nxt.append(
                bisect_right(
                    sents.word_starts, bisect_right(ctx.starts, doc.paragraphs[pi + 1].start - 1) - 1
                )
                - 1
            )
        start = next((x for x in nxt if x < n_sents and _opener(ctx, x) == 1), -1)
        if start < 0:
            continue
        expect, top = 1, -1
        for sj in range(start, min(n_sents, start + _MAX_RUN)):
            sent = doc.sentences[sj]
            if sent.word_start >= sent.word_end:
                continue
            if words[sent.word_start] in lex.cue["count_end"] or any(b.si == sj for b in anns):
                break
            v = _opener(ctx, sj)
            if v is None:
                continue
            if v != expect:
                if v != 1:
                    top = -1  # irregular: 'First ... Third': not a count
                break
            if v > a.count and (_extra_sentence(ctx, sj) or sj in ctx.zones):
                break  # an extra item and those after it are not counted
            top, expect = sj, expect + 1
        if top >= 0 and expect - 1 > a.count:
            w0 = doc.sentences[top].word_start
            report(a, (ctx.starts[w0], ctx.ends[w0]), f"counts {expect - 1}")
    # (3) an item named past the count: 'the fifth habit', 'habit number 5', 'tip #6'
    sing = {lex.singular[words[a.k]]: words[a.k] for a in anns if a.j not in fired}
    if not sing:
        return
    first = min(a.k for a in anns)
    tried = 0
    for p in _positions(words, set(sing)):  # a set: probed in C, a dict is asked through `in`
        if p <= first:
            continue
        got = _item_number(ctx, p)
        if got is None:
            continue
        value, lo, hi = got
        si = ctx.sents.of_word(p)
        a = announcement(sing[words[p]], si)
        if a is None or a.j in fired or value <= a.count or si in ctx.zones:
            continue
        tried += 1
        if tried > _MAX_LIST_CUES:
            break
        if _subset_near(ctx, si, lo - 2, hi + 1) or any(
            _extra_sentence(ctx, x) and not {words[a.k], words[p]}.isdisjoint(sents[x].words)
            for x in range(a.si + 1, si + 1)
        ):
            continue  # 'a fifth, bonus habit'; after 'Another habit is...' items past the count are extras
        report(a, (ctx.starts[lo], ctx.ends[hi]), f"names item {value}")


def _opener(ctx: _Ctx, si: int) -> int | None:
    """The value of an ordinal opening sentence ``si`` followed by a comma ('Fourth, ...', 'First of
    all, ...'), or None."""
    sent = ctx.doc.sentences[si]
    ws = sent.word_start
    if ws + 1 >= sent.word_end:
        return None
    v = ctx.lex.ordnum.get(ctx.words[ws])
    if v is None:
        return None
    if "," in ctx.gap(ws + 1):
        return v
    if (
        v == 1
        and ctx.words[ws + 1 : ws + 3] == ["of", "all"]
        and ws + 3 < sent.word_end
        and "," in ctx.gap(ws + 3)
    ):
        return v
    return None


def _item_number(ctx: _Ctx, p: int) -> tuple[int, int, int] | None:
    """The number of the item named by the singular noun at ``p``: 'the fifth habit' (an ordinal after
    'the', 'my', 'our', 'your' or 'this', never after 'a' or 'another': 'a fourth reason' is an extra),
    'habit number 5', 'tip #6': (value, first word, last word)."""
    words, lex = ctx.words, ctx.lex
    if p >= 1 and words[p - 1] in lex.ordnum and ctx.tight(p):
        if p >= 2 and words[p - 2] in lex.cue["definite"] and ctx.tight(p - 1):
            return lex.ordnum[words[p - 1]], p - 2, p
        return None
    # at most three digits: an item number, and int() of a hostile 5,000-digit word would raise
    if p + 1 < ctx.n and _small_int(words[p + 1]) and ctx.gap(p + 1).strip() == "#":
        return int(words[p + 1]), p, p + 1
    if p + 2 < ctx.n and words[p + 1] == "number" and _small_int(words[p + 2]) and ctx.tight(p + 2):
        return int(words[p + 2]), p, p + 2
    return None


def _small_int(w: str) -> bool:
    """``w`` is a whole number of one to three digits."""
    return len(w) <= 3 and w.isdecimal()


# ------------------------------------------------------------------------------------------- polarity


@lru_cache(maxsize=1 << 16)
def _stem(w: str) -> str:
    """A crude suffix stripper ('supports', 'supported' -> 'support'), enough to align the two
    sentences of a pair; cached because the same words recur."""
    if w.endswith("'s"):
        w = w[:-2]
    n = len(w)
    if n > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if n > 4 and w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return w[:-2]
    if n > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    if n > 5 and w.endswith("ing"):
        return w[:-3]
    if n > 4 and w.endswith("ed"):
        return w[:-2]
    return w


@dataclass(slots=True)
class _Polar:
    si: int
    content: frozenset[str]
    neg_at: int  # index of the negation cue, -1 if none
    atoms: dict[str, int]
    stems: frozenset[str] | None = None  # of the content words, on first comparison (see _stems)


def _stems(p: _Polar) -> frozenset[str]:
    """The stems of a sentence's content words, computed once: a sentence meets several others."""
    if p.stems is None:
        p.stems = frozenset(map(_stem, p.content))
    return p.stems


def _polar_info(ctx: _Ctx, sents: _Sents, si: int) -> _Polar | None:
    """The comparable content and polarity of a sentence, or None if it is not a plain claim.

    The checks that need no word set (length, final punctuation, first word, then the skip words,
    the usual reason to stop, looked up in the words themselves) come first, so most rejected
    sentences never get one."""
    lex, words, doc = ctx.lex, ctx.words, ctx.doc
    cue = lex.cue
    sent = doc.sentences[si]
    ws, we = sent.word_start, sent.word_end
    if (
        si in ctx.zones
        or not 4 <= we - ws <= _MAX_POLAR_WORDS
        or ctx.text[sent.end - 1] not in ".!"
        or words[ws] in cue["question_start"]
    ):
        return None
    s = sents.cache.get(si)
    if s is None:
        if not cue["polarity_skip"].isdisjoint(words[ws:we]):
            return None
        s = sents[si]
    elif not s.words.isdisjoint(cue["polarity_skip"]):
        return None
    neg_words = s.words & lex.neg
    neg_at = -1
    if neg_words:
        if len(neg_words) > 1:
            return None
        (neg,) = neg_words
        neg_at = words.index(neg, ws, we)
        if neg in words[neg_at + 1 : we]:
            return None  # negated twice
        if neg_at + 1 < we and words[neg_at + 1] in cue["neg_idiom"]:
            return None
        if neg_at > ws and ctx.cap(neg_at):
            return None  # 'Not' inside a title ("I'm Not Here"), not a negated claim
    content = frozenset(s.words - lex.polar_drop)
    if len(content) < _MIN_POLAR_CONTENT:
        return None
    body = ctx.text[sent.start : sent.end]
    if _QUOTE_OR_CODE.search(body) or is_list_item(body[:12]):
        return None  # quotations, code and list fragments are not claims
    if doc.heading_lines and (bisect_right(doc.line_starts, sent.start) - 1) in doc.heading_lines:
        return None
    atoms: dict[str, int] = {}
    for w in s.words & lex.ant_words:
        for dim, sign in lex.ant[w]:
            atoms[dim] = 0 if atoms.get(dim, sign) != sign else sign
    return _Polar(si, content, neg_at, {d: v for d, v in atoms.items() if v})


def _postings(ctx: _Ctx, sents: _Sents, probes: dict[str, list[int]]) -> list[tuple[str, list[int]]]:
    """For each probe word, the sentences holding it (ascending, each once), in the order of the
    words' first occurrences; a word in more than ``_MAX_POSTING`` sentences is too common to find
    partners and is left out.

    One pass over the words finds them all (:func:`_sparse_positions`: in C, a filter of the probes'
    hashes passes over most words without a set look-up)."""
    words = ctx.words
    starts, ends = sents.word_starts, ctx.doc.sentence_bounds[3]
    index: dict[str, list[int]] = {}
    for i in _sparse_positions(words, set(probes)):
        sj = bisect_right(starts, i) - 1  # sents.of_word(i), inlined
        if sj < 0 or i >= ends[sj]:
            continue
        post = index.setdefault(words[i], [])
        if len(post) <= _MAX_POSTING and (not post or post[-1] != sj):
            post.append(sj)
    return [(w, post) for w, post in index.items() if len(post) <= _MAX_POSTING]


def _sparse_positions(words: list[str], vocab: set[str]) -> list[int]:
    """:func:`_positions` of a small ``vocab`` (a few words): in C
    (``slopsift._speedups.sparse_positions``) when the twins are built, which tests each word's hash
    against a filter of the vocab's hashes before any set look-up."""
    sp = _accel.speedups
    return _positions_py(words, vocab) if sp is None else sp.sparse_positions(words, vocab)


def _polarity(ctx: _Ctx, sents: _Sents, polar: list[int]) -> None:
    """Compare each negated or antonym-bearing sentence with the sentences sharing most of its words.

    A partner must hold at least 60 % of the sentence's content words, so it holds at least one of
    any ``floor(0.4 * n) + 1`` of them: those (the longest, usually the rarest) are the probes, and
    only sentences holding a probe are candidates, found by :func:`_postings`; a probe in more than
    ``_MAX_POSTING`` sentences is too common to find partners and is dropped."""
    seen: dict[int, _Polar | None] = {}  # _polar_info of every sentence looked at
    infos: dict[int, _Polar] = {}  # the polar sentences that are plain claims
    probes: dict[str, list[int]] = {}
    for si in polar:
        info = seen[si] = _polar_info(ctx, sents, si)
        if info is None or (info.neg_at < 0 and not info.atoms):
            continue
        infos[si] = info
        # longest first, ties alphabetically (a stable sort keeps the alphabetical order)
        ranked = sorted(sorted(info.content), key=len, reverse=True)
        for w in ranked[: int((1 - _JACCARD) * len(ranked)) + 1]:
            probes.setdefault(w, []).append(si)
    if not infos:
        return
    counts: dict[int, dict[int, int]] = {}
    for w, post in _postings(ctx, sents, probes):
        for si in probes[w]:
            row = counts.setdefault(si, {})
            for sj in post:
                if sj != si:
                    row[sj] = row.get(sj, 0) + 1
    done: set[tuple[int, int]] = set()
    lex = ctx.lex
    for si, row in counts.items():
        info = infos[si]
        # most shared probes first, ties by sentence index
        for sj in sorted(sorted(row), key=row.__getitem__, reverse=True)[:_MAX_CANDIDATES]:
            pair = (min(si, sj), max(si, sj))
            if pair in done:
                continue
            done.add(pair)
            if sj not in seen:
                if info.neg_at < 0 and lex.polar_closed:
                    continue  # see _Lex.polar_closed: this pair cannot disagree
                seen[sj] = _polar_info(ctx, sents, sj)
            other = seen[sj]
            if other is not None:
                first, second = (info, other) if si < sj else (other, info)
                _compare(ctx, sents, first, second)


def _caps(ctx: _Ctx, s: _Sent) -> set[str]:
    """The capitalised words of the sentence after its first (``ctx.cap`` of each, in C)."""
    firsts = map(ctx.text.__getitem__, ctx.starts[s.ws + 1 : s.we])
    return set(compress(ctx.words[s.ws + 1 : s.we], map(str.isupper, firsts)))


def _tenses(ctx: _Ctx, s: _Sent) -> set[str]:
    return {ctx.lex.tense[w] for w in s.words & ctx.lex.tense_words}


def _around(ctx: _Ctx, s: _Sent, first: int, last: int) -> tuple[str, str]:
    """Stems of the nearest content words before ``first`` and after ``last`` in the sentence."""
    drop, words = ctx.lex.polar_drop, ctx.words
    before = after = ""
    for k in range(first - 1, s.ws - 1, -1):
        if words[k] not in drop:
            before = _stem(words[k])
            break
    for k in range(last + 1, s.we):
        if words[k] not in drop:
            after = _stem(words[k])
            break
    return before, after


def _compare(ctx: _Ctx, sents: _Sents, a: _Polar, b: _Polar) -> None:
    """Do two sentences state the same thing with opposite polarity? Both spans become evidence."""
    lex, words = ctx.lex, ctx.words
    sa, sb = sents[a.si], sents[b.si]
    stem_a, stem_b = _stems(a), _stems(b)
    union = stem_a | stem_b
    if not union or len(stem_a & stem_b) / len(union) < _JACCARD:
        return
    diff = a.content ^ b.content
    if diff:
        caps = _caps(ctx, sa) | _caps(ctx, sb)
        for w in diff:
            if (
                w[0].isdigit()
                or w in lex.cue["time"]
                or w in lex.cue["ordinal"]
                or w in caps
                or w in lex.numword
            ):
                return  # a different number, date or name: two different facts
    ta, tb = _tenses(ctx, sa), _tenses(ctx, sb)
    if ta and tb and ta.isdisjoint(tb):
        return
    clash = [d for d, v in a.atoms.items() if b.atoms.get(d, v) != v]
    neg_a, neg_b = a.neg_at >= 0, b.neg_at >= 0
    if clash and neg_a == neg_b:
        dim = clash[0]
        ka = next(k for k in range(sa.ws, sa.we) if any(d == dim for d, _ in lex.ant.get(words[k], ())))
        kb = next(k for k in range(sb.ws, sb.we) if any(d == dim for d, _ in lex.ant.get(words[k], ())))
        if _around(ctx, sa, ka, ka) != _around(ctx, sb, kb, kb):
            return  # the opposite words do not fill the same slot
        pivot_a, pivot_b = ka, kb
        note = f"{words[ka]} vs {words[kb]}"
    elif neg_a != neg_b and not clash:
        neg, pos = (a, b) if neg_a else (b, a)
        sn, sp = sents[neg.si], sents[pos.si]
        if words[neg.neg_at] in lex.cue["event_negation"] or (
            neg.neg_at > sn.ws and words[neg.neg_at - 1] in lex.cue["event_negation"]
        ):
            return  # 'did not turn' vs 'turned': two moments of a story, not two claims
        k = neg.neg_at + 1
        while k < min(sn.we, neg.neg_at + 4) and words[k] in lex.cue["neg_filler"]:
            k += 1
        if k >= sn.we:
            return
        context = _around(ctx, sn, neg.neg_at, k)
        target = _stem(words[k])
        # the positive sentence must say the same thing around the same word: 'drug is safe for children'
        match = next(
            (
                j
                for j in range(sp.ws, sp.we)
                if _stem(words[j]) == target and _around(ctx, sp, j, j) == context
            ),
            -1,
        )
        if match < 0:
            return
        pivot_a, pivot_b = (neg.neg_at, match) if neg is a else (match, neg.neg_at)
        note = f"{words[k]} vs {words[neg.neg_at]} {words[k]}"
    else:
        return
    # the words before the pivot name what the claim is about: they may not differ
    # ('Sensitivity refers to positive cases' / 'Specificity refers to negative cases')
    differ = stem_a ^ stem_b
    for s_, pivot in ((sa, pivot_a), (sb, pivot_b)):
        if any(_stem(words[k]) in differ for k in range(s_.ws, pivot)):
            return
    doc = ctx.doc
    ctx.add(
        "polarity_contradictions",
        (doc.sentences[a.si].start, doc.sentences[a.si].end),
        (doc.sentences[b.si].start, doc.sentences[b.si].end),
        note,
    )


# ---------------------------------------------------------------------------------------------- roles


@dataclass(slots=True)
class _Mention:
    first: str
    role: str
    org: str
    span: tuple[int, int]
    sent: int


def _role_at(ctx: _Ctx, k: int, we: int) -> tuple[int, str] | None:
    """A role title starting at word ``k``: (end index exclusive, canonical office)."""
    for size in (4, 3, 2, 1):
        if k + size <= we:
            canon = ctx.lex.roles.get(tuple(ctx.words[k : k + size]))
            if canon is not None and all(ctx.tight(j) for j in range(k + 1, k + size)):
                return k + size, canon
    return None


def _name_right(ctx: _Ctx, k: int, we: int) -> tuple[int, int] | None:
    j = k
    while (
        j < we and j < k + 4 and ctx.cap(j) and ctx.words[j] not in ctx.lex.stop and (j == k or ctx.tight(j))
    ):
        j += 1
    return (k, j) if j - k >= 2 else None


def _name_left(ctx: _Ctx, j: int, ws: int) -> tuple[int, int] | None:
    k = j
    while (
        k >= ws
        and k > j - 4
        and ctx.cap(k)
        and ctx.words[k] not in ctx.lex.stop
        and (k == j or ctx.tight(k + 1))
    ):
        k -= 1
    return (k + 1, j + 1) if j - k >= 2 else None


def _roles(ctx: _Ctx, sents: _Sents, role_sents: list[int]) -> None:
    lex, words = ctx.lex, ctx.words
    people: dict[str, list[_Mention]] = {}
    multi: set[str] = set()
    for si in role_sents:
        if si in ctx.zones:
            continue
        s = sents[si]
        found: list[tuple[int, int, str]] = []
        k = s.ws
        while k < s.we:
            r = _role_at(ctx, k, s.we) if words[k] in lex.role_first else None
            if r is None:
                k += 1
                continue
            found.append((k, r[0], r[1]))
            k = r[0]
        for idx, (r0, r1, canon) in enumerate(found):
            if r0 > s.ws and words[r0 - 1] in lex.cue["role_prefix"] and ctx.gap(r0).strip() in ("", "-"):
                continue
            # 'President and CEO', 'CFO and COO': two offices held together
            near = (idx > 0 and r0 - found[idx - 1][1] <= 2) or (
                idx + 1 < len(found) and found[idx + 1][0] - r1 <= 2
            )
            name = _name_right(ctx, r1, s.we) if ctx.tight(r1) else None
            org = ""
            if name is not None:
                if r0 > s.ws and ctx.cap(r0 - 1) and words[r0 - 1] not in lex.stop and ctx.tight(r0):
                    org = words[r0 - 1].removesuffix("'s")
                lo, hi = r0, name[1] - 1
            else:
                j = r0 - 1
                while (
                    j >= s.ws
                    and j > r0 - 4
                    and ctx.tight(j + 1)
                    and (words[j] in ("the", "its", "their") or words[j].endswith("'s") or ctx.cap(j))
                ):
                    if words[j].endswith("'s") and words[j][:-2] not in ("company", "firm", "group", "bank"):
                        org = words[j][:-2]
                    j -= 1
                if j < s.ws or ctx.gap(j + 1).strip() != ",":
                    continue
                tail = ctx.gap(r1).strip() if r1 < s.we else "."
                if tail[:1] not in (",", ".", ";", ")") and not (r1 < s.we and words[r1] in ("of", "at")):
                    continue
                if r1 + 1 < s.we and words[r1] in ("of", "at") and ctx.cap(r1 + 1):
                    org = words[r1 + 1].removesuffix("'s")
                name = _name_left(ctx, j, s.ws)
                if name is None:
                    continue
                lo, hi = name[0], r1 - 1
            surname = words[name[1] - 1].removesuffix("'s")
            if near:
                multi.add(surname)
            people.setdefault(surname, []).append(
                _Mention(words[name[0]], canon, org, (ctx.starts[lo], ctx.ends[hi]), si)
            )
    checked = 0
    for surname, ms in people.items():
        if surname in multi or len({m.role for m in ms}) < 2:
            continue
        if len({m.first for m in ms}) > 1 or len({m.org for m in ms if m.org}) > 1:
            continue
        checked += 1
        if checked > _MAX_ROLE_PEOPLE:
            break
        if _role_change_mentioned(ctx, sents, surname):
            continue
        a = ms[0]
        b = next(m for m in ms if m.role != a.role)
        ctx.add("role_conflicts", a.span, b.span, f"{a.role} vs {b.role}")


def _role_change_mentioned(ctx: _Ctx, sents: _Sents, surname: str) -> bool:
    """Does a sentence naming ``surname`` mention a change of office within ``_ROLE_NEAR`` words of
    the name or of an office ('former CEO', 'Smith, who later became CFO', 'CFO until 2019')? 'New'
    counts only directly before an office ('the new CFO'): 'Smith opened two new wind farms' and 'later
    in the week' far from the name say nothing about her office."""
    lex, words = ctx.lex, ctx.words
    change = lex.cue["role_change"]
    for si, _ in sents.holding({surname}):
        s = sents[si]
        if s.words.isdisjoint(change):
            continue
        anchors = [k for k in range(s.ws, s.we) if words[k] == surname or _role_at(ctx, k, s.we) is not None]
        for k in range(s.ws, s.we):
            w = words[k]
            if w not in change:
                continue
            if w == "new":
                if k + 1 < s.we and _role_at(ctx, k + 1, s.we) is not None:
                    return True
                continue
            # the nearest anchor at or after k - _ROLE_NEAR (anchors ascend): one bisect, not a scan
            b = bisect_left(anchors, k - _ROLE_NEAR)
            if b < len(anchors) and anchors[b] <= k + _ROLE_NEAR:
                return True
    return False


# --------------------------------------------------------------------------------------------- driver


def _opening_name(ctx: _Ctx, s: _Sent) -> str | None:
    """A name opening the sentence ('Joseph Cardijn was ...', 'Acme has ...'), for later pronouns."""
    ws, we = s.ws, s.we
    lex, words = ctx.lex, ctx.words
    if ws >= we or not ctx.cap(ws) or words[ws] in lex.stop or words[ws] in lex.events:
        return None
    j = _name_end(ctx, ws, we)
    nxt = words[j + 1] if j + 1 < we else ""
    if j > ws or nxt in lex.cue["aux"] or nxt in lex.events:
        return _who(ctx, ws, j)
    return None


def _correction_zones(ctx: _Ctx, side: _Side) -> frozenset[int]:
    """Sentences of correction notes, editor's notes and updates ("An earlier version of this article
    said ...", "Update: after 3 months ..."): from the sentence holding the cue to the end of its
    paragraph, and through the next paragraph when the cue's sentence ends its own. Such text restates
    a fact in order to revise it, so none of it is compared with anything. The cue words' positions
    come from the cue pass (``side``)."""
    words, text, doc = ctx.words, ctx.text, ctx.doc
    entries = ctx.lex.cue["correction"]
    present = side.present & ctx.lex.correction_firsts
    if not present:
        return frozenset()
    paras = doc.paragraphs
    sent_starts = doc.sentence_bounds[0]
    zones: set[int] = set()
    covered = -1  # character offset up to which the zones already reach
    for i in side.of(words, present):
        if ctx.starts[i] < covered:
            continue
        w = words[i]
        nxt = words[i + 1] if i + 1 < ctx.n else ""
        colon = text[ctx.ends[i] : ctx.ends[i] + 1] == ":"
        if not (
            (w in entries and not w.endswith(":"))
            or (f"{w}:" in entries and colon)
            or f"{w} {nxt}" in entries
        ):
            continue
        si = ctx.sents.of_word(i)
        if si < 0:
            continue
        sent = doc.sentences[si]
        pi = ctx.para_of(sent.start)
        if pi < 0:
            continue
        end = paras[pi].end
        if not text[sent.end : end].strip() and pi + 1 < len(paras):
            end = paras[pi + 1].end
        first = bisect_right(sent_starts, sent.start) - 1
        last = bisect_right(sent_starts, end - 1)
        zones.update(range(first, last))
        covered = end
    return frozenset(zones)


_FRAME_DET = frozenset(
    ("the", "a", "an", "another", "his", "her", "their", "my", "one", "this", "that", "alternate")
)


def _after_in(words: list[str], i: int) -> bool:
    """Is word ``i`` after 'in' and at most two determiners ('in dreams', 'in another version')?"""
    for k in range(i - 1, max(-1, i - 4), -1):
        if words[k] == "in":
            return True
        if words[k] not in _FRAME_DET:
            return False
    return False


def _frames(ctx: _Ctx, side: _Side) -> frozenset[int]:
    """Sentences framed as not asserted: a dream, something imagined or supposed, a fiction or another
    version ('In the dream he had that night, ...', 'Imagine you were born in 1990', 'in the film',
    'in another version'), or a counterfactual 'if ... had'. The frame covers its sentence; a frame
    among the first words of a paragraph's first sentence covers the paragraph ('In the novel, ...'
    sets the scene for what follows; a frame later on may be followed by plain fact again, as
    'His sister was born in 1991. In the dream, she was born in 1989.'). Their numbers and dates are
    not compared by the numeric and temporal detectors (polarity already skips conditionals). The
    cue words' positions come from the cue pass (``side``)."""
    lex, words, doc = ctx.lex, ctx.words, ctx.doc
    frame = lex.cue["frame"]
    present = side.present & lex.frame_words
    if not present:
        return frozenset()
    out: set[int] = set()
    for i in side.of(words, present):
        w = words[i]
        if w == "if":
            if "had" not in words[i + 1 : i + 6]:
                continue
        elif w not in frame and not _after_in(words, i):
            continue  # a fiction noun only after 'in' ('in the novel', 'in another version')
        si = ctx.sents.of_word(i)
        if si < 0 or si in out:
            continue
        out.add(si)
        sent = doc.sentences[si]
        pi = ctx.para_of(sent.start)
        if (
            i - sent.word_start < 4
            and pi >= 0
            and doc.paragraphs[pi].start >= (doc.sentences[si - 1].end if si > 0 else 0)
        ):
            end = doc.paragraphs[pi].end
            sj = si + 1
            while sj < len(doc.sentences) and doc.sentences[sj].start < end:
                out.add(sj)
                sj += 1
    return frozenset(out)


@dataclass(slots=True)
class _Side:
    """The correction and frame cue words present (``present``) and their positions, ascending
    (``pos``): found in the same pass over the words as the detectors' cues."""

    present: set[str]
    pos: list[int]

    def of(self, words: list[str], vocab: Container[str]) -> Iterable[int]:
        """The positions of the ``vocab`` words among ``pos``, ascending."""
        return _among(self.pos, words, vocab)


def _among(pos: list[int], words: list[str], vocab: Container[str]) -> Iterator[int]:
    """The positions among ``pos`` whose word is in ``vocab``, in the order of ``pos`` (C-level maps)."""
    return compress(pos, map(vocab.__contains__, map(words.__getitem__, pos)))


def _cue_positions(ctx: _Ctx) -> tuple[list[int], set[str], _Side]:
    """Indices, ascending, of the words that can open a detector: every word starting with a digit
    and the cue words that can lead somewhere; which of those words are numbers (digits or
    number words); and the correction and frame cues (``_Side``), found in the same pass.

    One C-speed pass over the words finds every cue word of the lexicon (``_Lex.cue_words``); the
    words starting with a digit are found by a regex among their first characters
    (``Document.word_initials``, shared with other families), not by a look-up per word. (No cue
    word starts with a digit.) Dropped: an antonym whose opposite is absent from the
    document, unless it also opens another detector. List nouns without a number just before them
    are left to the caller. Also kept, for ``Ctx.year_words``: the digit words' positions."""
    lex, words = ctx.lex, ctx.words
    hits = _positions(words, lex.cue_words)
    digits = _digit_positions(ctx.doc)
    numbers = set(map(words.__getitem__, digits))
    ctx._digits = digits
    present = set(map(words.__getitem__, hits))
    targets = present & lex.scan_words
    opposed = targets & lex.ant_words
    if opposed:
        signed = set().union(*map(lex.ant_signed.__getitem__, opposed))
        live = {d for d, sign in signed if sign > 0 and (d, -1) in signed}  # both signs present
        targets -= {w for w in opposed if w not in lex.ant_kept and live.isdisjoint(lex.ant_dims[w])}
    numbers |= targets & lex.numword.keys()
    side = present & lex.side_words
    side_pos = list(_among(hits, words, side)) if side else []
    if not targets and not digits:
        return [], numbers, _Side(side, side_pos)
    # side words or dropped antonyms among the hits: keep the targets' places only
    pos = list(_among(hits, words, targets)) if len(targets) < len(present) else hits
    if digits:
        pos = sorted(pos + digits)  # two ascending runs (disjoint: no cue word is a digit word)
    return pos, numbers, _Side(side, side_pos)


_CueSentences = tuple[dict[int, list[int]], list[int], list[int], list[int]]


def _cue_sentences(
    pos: list[int],
    words: list[str],
    starts: list[int],
    ends: list[int],
    numeric: set[str],
    counted: frozenset[str],
    polar_cues: frozenset[str],
    list_nouns: frozenset[str],
    role_first: frozenset[str],
) -> _CueSentences:
    """The sentences of the cue positions (``_cue_positions``): on every document's path, so in C
    (``slopsift._speedups.cue_sentences``) when the twins are built."""
    sp = _accel.speedups
    f = _cue_sentences_py if sp is None else sp.cue_sentences
    return f(pos, words, starts, ends, numeric, counted, polar_cues, list_nouns, role_first)


def _cue_sentences_py(
    pos: list[int],
    words: list[str],
    starts: list[int],
    ends: list[int],
    numeric: set[str],
    counted: frozenset[str],
    polar_cues: frozenset[str],
    list_nouns: frozenset[str],
    role_first: frozenset[str],
) -> _CueSentences:
    """For the positions ``pos`` (ascending: sentence by sentence) in the sentences of word
    ``starts[si]..ends[si] - 1``: the positions of the ``numeric`` words by sentence, and the
    sentences (each once) holding a word of ``polar_cues``, of ``list_nouns`` and of ``role_first``.
    A ``counted`` word with no ``numeric`` word among the four before it is passed over, and so is a
    position in no sentence."""
    cue_sents: list[int] = []
    role_sents: list[int] = []
    polar: list[int] = []
    by_sent: dict[int, list[int]] = {}
    for i in pos:
        w = words[i]
        if w in counted and numeric.isdisjoint(words[max(0, i - 4) : i]):
            continue  # a list noun without a number (a word of ``numeric``) just before it
        si = bisect_right(starts, i) - 1  # _Sents.of_word(i), inlined
        if si < 0 or i >= ends[si]:
            continue
        if w in numeric:
            by_sent.setdefault(si, []).append(i)
        if w in polar_cues and (not polar or polar[-1] != si):
            polar.append(si)
        if w in list_nouns and (not cue_sents or cue_sents[-1] != si):
            cue_sents.append(si)
        if w in role_first and (not role_sents or role_sents[-1] != si):
            role_sents.append(si)
    return by_sent, polar, cue_sents, role_sents


def _scan(ctx: _Ctx) -> None:
    lex, words = ctx.lex, ctx.words
    pos, numeric, side = _cue_positions(ctx)
    if not pos:
        return
    sents = ctx.sents
    quant_words = lex.quant_words
    sentences = ctx.doc.sentences
    # the numbers of each sentence holding one, and the sentences holding the other cues
    by_sent, polar, cue_sents, role_sents = _cue_sentences(
        pos,
        words,
        sents.word_starts,
        ctx.doc.sentence_bounds[3],
        numeric,
        lex.counted_nouns,
        lex.polar_cues,
        lex.list_nouns,
        lex.role_first,
    )
    st = _State()
    ctx.zones = zones = _correction_zones(ctx, side)
    frames = _frames(ctx, side) if by_sent else frozenset()
    for si, numbers in by_sent.items():
        if len(numbers) == 1:
            sent = sentences[si]
            seg = words[sent.word_start : sent.word_end]  # no word set yet: most such sentences stop here
            if lex.number_context.isdisjoint(seg) and (
                len(words[numbers[0]]) != 4 or lex.event_words.isdisjoint(seg)
            ):
                continue  # a lone number with nothing to compare it with
        s = sents[si]
        ws, we = s.ws, s.we
        ctx.cur = si
        consumed = -1
        for k in numbers:
            if k <= consumed:
                continue
            nm = _number_at(ctx, k, ws, we)
            if nm is not None:
                s.nums.append(nm)
                consumed = nm.last
                if nm.year:
                    s.years.append(nm)
        if not s.nums:
            continue
        if si in zones or si in frames:  # a correction restates the old value, a dream or fiction asserts
            # nothing: only the sentence's own arithmetic is checked
            if len(s.nums) > 1:
                _arithmetic(ctx, s)
            continue
        if s.years:
            ev = s.words & lex.event_words
            if ev:
                years = {y.first: y for y in s.years}
                _events(ctx, st, si, s, [k for k in range(ws, we) if words[k] in ev], years)
        if not s.words.isdisjoint(quant_words):
            numidx = {nm.first for nm in s.nums}
            when = _when(ctx, s, numbers)
            if not when and si > 0:
                # 'In 1700 Norwich was ... . The population was about 30,000.': the date carries forward
                # from the sentence before in the same paragraph
                prev = sentences[si - 1]
                if ctx.para_of(prev.start) == ctx.para_of(sentences[si].start):
                    p = sents[si - 1]
                    dpos = ctx.digits
                    digits = dpos[bisect_left(dpos, p.ws) : bisect_left(dpos, p.we)]
                    plain = {words[k] for k in digits if len(words[k]) == 4 and words[k].isdecimal()}
                    when = {w for w in plain if 1500 <= int(w) <= 2100} | _dates(ctx, p, digits)
            qual = tuple(sorted(when))
            for nm in s.nums:
                if not nm.year and not _is_range(ctx, nm, ws, we, numidx):
                    _quantity(ctx, st, si, s, nm, qual)
        if len(s.nums) > 1:
            _arithmetic(ctx, s)
        if not s.words.isdisjoint(lex.cue["age_word"]) or "years" in s.words or "year" in s.words:
            recent = [y for j in (si - 2, si - 1) if j in sents.cache for y in sents.cache[j].years]
            _ages_and_offsets(ctx, st, si, s, recent)
    if by_sent:
        _temporal(ctx, st)
    if cue_sents:
        _count_prose(ctx, sents, cue_sents, _count_mismatches(ctx, sents, cue_sents))
    if polar:
        _polarity(ctx, sents, polar)
    if role_sents:
        _roles(ctx, sents, role_sents)


def _evidence(conflicts: Iterable[_Conflict], signal: str, limit: int) -> list[Evidence]:
    out: list[Evidence] = []
    for c in conflicts:
        if len(out) >= 2 * limit:
            break
        out.append(Evidence(c.a[0], c.a[1], signal, c.note))
        out.append(Evidence(c.b[0], c.b[1], signal, c.note))
    return out


def compute(doc: Document) -> FamilyOutput:
    """Run every detector once over the parse; counts per detector plus the aggregates."""
    ctx = _Ctx(doc, _lex())
    if doc.sentences and doc.words:
        _scan(ctx)
    values: dict[str, float] = {k: float(len(v)) for k, v in ctx.conflicts.items()}
    total = sum(values.values())
    values["any_conflict"] = 1.0 if total else 0.0
    values["conflicts_per_1k_words"] = 1000.0 * total / doc.n_words if doc.n_words else 0.0
    evidence: list[Evidence] = []
    everything: list[_Conflict] = []
    for kind, found in ctx.conflicts.items():
        if found:
            evidence.extend(_evidence(found, kind, _MAX_EVIDENCE_PAIRS))
            everything.extend(found)
    if everything:
        everything.sort(key=lambda c: c.a)
        evidence.extend(_evidence(everything, "any_conflict", _MAX_EVIDENCE_PAIRS))
        evidence.extend(_evidence(everything, "conflicts_per_1k_words", _MAX_EVIDENCE_PAIRS))
    return values, evidence


FAMILY = register(
    Family(
        "inconsistency",
        "Internal factual inconsistency: pairs of statements in the text that cannot both be true "
        "(numbers, arithmetic, dates, announced list lengths, negated claims, job titles).",
        "O(n): C-speed passes over the words for digits and cue words, bounded windows around each "
        "cue, and a capped inverted-index search for sentence pairs",
        FEATURES,
        compute,
    )
)
