"""The combined phrase scan (`PhraseMatcherSet`) finds exactly what each list's own matcher finds."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slopsift.lexicons import PhraseMatcher, PhraseMatcherSet, _edge_entries, required_prefix

LISTS = ["hedge_cues.txt", "llm_boilerplate.txt", "llm_vocabulary.txt", "vague_attribution.txt"]
MATCHERS = [PhraseMatcher.from_lexicon(f) for f in LISTS]
# Overlapping and prefix phrases, punctuation inside phrases, a non-ASCII phrase and a regex-only list.
TRICKY = PhraseMatcher(["a b", "a", "b c d", "it's", "e.g.", "[x]", "ü ber", "—"], [])
REGEX_ONLY = PhraseMatcher([], ["x+"])
SETS = [PhraseMatcherSet(MATCHERS), PhraseMatcherSet([*MATCHERS, TRICKY, REGEX_ONLY])]
PHRASES = sorted({p for m in [*MATCHERS, TRICKY] for p in m.phrases})
SEPARATORS = [
    " ",
    "  ",
    "\n",
    "-",
    "'",
    ".",
    ",",
    "é",
    "ü",
    "_",
    "a",
    "x",
    "(",
    "[",
    "]",
    "\t",
    "—",
    "1",
    "İ",
]

pieces = st.one_of(st.sampled_from(PHRASES), st.sampled_from(SEPARATORS), st.text(max_size=3))
texts = st.lists(pieces, max_size=12).map("".join)


def _assert_same(text: str) -> None:
    for s in SETS:
        got = s.findall(text)
        assert len(got) == len(s.matchers)
        for m, hits in zip(s.matchers, got, strict=True):
            assert hits == list(m.finditer(text)), (text, m)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_combined_scan_equals_each_matcher(text: str) -> None:
    _assert_same(text.lower())


def test_combined_scan_on_prose_with_known_hits() -> None:
    text = "in conclusion, it is crucial to note that this plays a pivotal role. a b c d it's [x] xx"
    _assert_same(text)
    hits = SETS[1].findall(text)
    assert any(hits[i] for i in range(len(LISTS))), "the boilerplate in this sentence must be found"
    assert [text[a:b] for a, b, _ in hits[-1]] == ["x", "xx"]


# Mostly ASCII prose with a few non-ASCII characters (the common case of curly quotes, dashes and
# accented names): phrases next to them, and spaced with them, are found as on any other text.
PADDING = "in conclusion, it is crucial to note that this plays a pivotal role in the results. " * 4
WIDE = ["\xa0", "\u2003", "\u3000", "\u0085", "\u200b", "\u0301", "中", "é", "—", "’", "İ", "\U0001f600"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PHRASES), st.sampled_from(SEPARATORS + WIDE)), max_size=12))
def test_combined_scan_with_few_non_ascii_characters(pieces: list[str]) -> None:
    text = PADDING + "".join(pieces) + PADDING
    _assert_same(text.lower())


def test_non_ascii_neighbours_of_phrases() -> None:
    # whitespace beyond ASCII separates a phrase's words ('\xa0', '\u3000'); a letter beyond ASCII
    # glued to a phrase ('中', 'é') is part of the word, so no hit; a dash or quote is a word edge
    text = (
        PADDING + "in\xa0conclusion. xdelve 中delve délve —delve— ’delve’ in\u3000conclusion\u200b "
        "plays  a\n pivotal role"
    )
    _assert_same(text)
    hits = SETS[0].findall(text)
    found = [text[a:b] for a, b, _ in hits[2]]  # llm_vocabulary.txt
    # 'pivotal' is in PADDING four times and in the tail once; 'delve' only after '—' and '’'
    assert found.count("delve") == 2
    assert found.count("pivotal") == 5
    boiler = [(text[a:b], entry) for a, b, entry in hits[1]]  # llm_boilerplate.txt
    assert ("in\xa0conclusion", "in conclusion") in boiler
    assert ("in\u3000conclusion", "in conclusion") in boiler
    assert ("plays  a\n pivotal role", "plays a pivotal role") in boiler


def test_pruning_rule_reads_each_register_apart() -> None:
    from slopsift.training.lexicon_eval import EntryStat, Sample, entry_stats, measure, prune_candidates

    # "First and foremost" in 2 of 4 human reviews and no machine one, and in every machine news text
    # but no human one: over the source it separates (human 2/16, machine 12/16, 6x), so only the
    # per-register ratio catches the register where it would accuse honest writers.
    def sample(text: str, label: int, group: str) -> Sample:
        return Sample(text, label, group, "detectrl")

    said = "First and foremost, the soup was cold and the waiter was rude to us."
    plain = "The soup was cold and the waiter was rude to us all evening."
    reviews = [said, said, plain, plain]
    samples = [sample(t, 0, "detectrl/reviews") for t in reviews]
    samples += [sample(plain, 1, "detectrl/reviews") for _ in range(4)]
    samples += [sample(plain, 0, "detectrl/news") for _ in range(12)]
    samples += [sample(said, 1, "detectrl/news") for _ in range(12)]
    m = measure(samples)
    stat = next(st for st in entry_stats(m) if st.entry == "first and foremost")
    assert stat.worst_source == "detectrl/reviews"
    assert stat.worst_ratio == pytest.approx((0 + 0.002) / (0.5 + 0.002))
    assert stat in prune_candidates([stat])
    # Without the register rule, the mean rule keeps it:
    assert prune_candidates([dataclasses.replace(stat, worst_ratio=float("inf"))]) == []
    # The register rule alone, with no whole source at 1% of humans:
    narrow = EntryStat("boilerplate", "z", 0.004, 0.05, 0.008, "detectrl", worst_ratio=0.5, worst_source="g")
    assert narrow in prune_candidates([narrow])
    kept = EntryStat("boilerplate", "x", 0.02, 0.2, 0.03, "detectrl", worst_ratio=5.0, worst_source="g")
    assert prune_candidates([kept]) == []
    # Rare in every register, separating on average: kept.
    rare = EntryStat("boilerplate", "y", 0.001, 0.0, 0.005, "detectrl")
    assert prune_candidates([rare]) == []


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        ("in today's(?<![\\w'].{10})(?:\\s+[\\w-]+){1,3}?\\s+world", "in today's"),
        ("not(?<![\\w']not) about [^.!?\\n]{1,80}?", "not about "),
        ("\\[(?:insert|your)\\]", "["),
        ("ab?c", "a"),
        ("ab*c", "a"),
        ("ab{2}c", "a"),
        ("ab+c", "ab"),
        ("a\\.b\\sc", "a.b"),
        ("ab(?=c)d", "abd"),
        ("ab(?=c)?d", "ab"),
        ("a(?=[)])b", "ab"),
        ("a[|]b", "a"),
        ("abc|d", ""),
        ("x[]|]y|z", ""),
        ("ab[\\](]|x", ""),  # an escaped "]" first in a class does not close it
        ("ab[^\\](]c|x", ""),
        ("ab[\\]]c", "ab"),
        ("(?i)abc", ""),
        ("a b(?x)c", ""),
        ("(abc)", ""),
        ("a\\1", "a"),
    ],
)
def test_required_prefix(pattern: str, prefix: str) -> None:
    assert required_prefix(pattern) == prefix


PIECES = ["a", "b", "ab", " ", "\\.", "\\s", ".", "[ab]", "[]a]", "[^b]", "?", "*", "+", "{2}", "|"]
PIECES += ["(", ")", "(?:", "(?=a", "(?!b", "(?<=a", "(?<!b", "(?i)", "(?i:"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8), st.text(alphabet="ab .", max_size=30))
def test_every_match_starts_with_the_required_prefix(pieces: list[str], text: str) -> None:
    pattern = "".join(pieces)
    try:
        rx = re.compile(pattern)
    except re.error:
        return
    prefix = required_prefix(pattern)
    for m in rx.finditer(text):
        assert text.startswith(prefix, m.start()), (pattern, text, m)


_SEARCHED = PhraseMatcherSet(
    [
        PhraseMatcher(["maybe"], [r"less(?<=less) about [a-z]+", r"not about [a-z]+"]),
        PhraseMatcher([], [r"isn't about [a-z]+", r"in today's [a-z]+"]),
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["less", "not", "isn't", " ", "about", "abou", "t ", " x", "in today's"]), max_size=14
    )
)
def test_searched_patterns_equal_finditer(pieces: list[str]) -> None:
    # patterns with no word-edge look-behind after their literal are not found by the phrase scan but
    # searched for over the text, where it holds their prefix: the hits equal finditer's
    text = "".join(pieces)
    assert _SEARCHED.findall(text) == [list(m.finditer(text)) for m in _SEARCHED.matchers]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_candidates_read_the_text_at_their_offsets(text: str) -> None:
    # findall looks each candidate's phrase up in its table without checking the text there: the
    # candidate scan (C twin and regex alike) reports the text as it reads at the offset.
    from slopsift import _accel

    for t in (text, text.lower()):
        for s in SETS:
            cands = s.candidates(t)
            with _accel.pure_python():
                assert s.candidates(t) == cands
            assert all(t.startswith(found, at) for at, found in cands)


def _hedging_set() -> PhraseMatcherSet:
    from slopsift.signals.hedging import _matcher_set

    return _matcher_set()


_ROUTED_PIECES = sorted(
    {e for m in _hedging_set().matchers for p in m.patterns for e in _edge_entries(p)}
    | {required_prefix(p) for m in _hedging_set().matchers for p in m.patterns}
)


def test_most_hedging_patterns_are_routed_through_the_scan() -> None:
    routes = [g for r in _hedging_set()._routes for g in r]
    assert sum(g is not None for g in routes) >= len(routes) - 2


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_ROUTED_PIECES),
            st.sampled_from(
                [" ", "  ", "\n", ". ", ", ", "x", "'", "s", "ed", "ing", "e", "es", "on ", "but", "world"]
            ),
            st.text(alphabet="abt' .,;:-\n\u00e9", max_size=6),
        ),
        max_size=16,
    )
)
def test_routed_patterns_equal_their_finditer(pieces: list[str]) -> None:
    # The routed re: patterns, tried only at the scan's candidates, find what finditer finds.
    text = "".join(pieces)
    ms = _hedging_set()
    for t in (text, text.lower()):
        assert ms.findall(t) == [list(m.finditer(t)) for m in ms.matchers]
        for m, hits in zip(ms.matchers, ms.findall(t), strict=True):
            straight = [
                (x.start(), x.end(), p)
                for p, rx in zip(m.patterns, m._regexes, strict=True)
                for x in rx.finditer(t)
            ]
            assert [h for h in hits if h[2] in m.patterns] == straight
