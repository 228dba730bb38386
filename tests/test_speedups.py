"""The C twins (``slopsift._speedups``) return exactly what the Python versions return."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections import Counter
from itertools import accumulate
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slopsift
from slopsift import _accel, document
from slopsift.signals import repetition, vocabulary

C = _accel.speedups
needs_c = pytest.mark.skipif(C is None, reason="slopsift._speedups is not built (no C compiler?)")

WORDS = ["the", "cat", "sat", "on", "mat", "a", "Dog", "ran.", "\n\n", "3.5", "café", "# Intro\n", "x-y"]
MTLD_W = (repetition._MTLD_DEN - repetition._MTLD_NUM, repetition._MTLD_NUM)


def test_ci_builds_the_extension() -> None:
    # A fresh install on a machine with a compiler must build it, or CI would test only one path.
    if not os.environ.get("CI") or os.environ.get("SLOPSIFT_PURE_PYTHON"):
        pytest.skip("only enforced in CI")
    assert C is not None


def test_a_stale_build_falls_back_to_python(monkeypatch: pytest.MonkeyPatch) -> None:
    # An in-place build from an older version imports but lacks the newer twins: every document would
    # fail with AttributeError if _load took it.
    import importlib
    import types

    stale = types.ModuleType("slopsift._speedups")
    stale.mtld_mean = lambda *a: 0.0  # type: ignore[attr-defined]
    monkeypatch.setattr(importlib, "import_module", lambda name: stale)
    monkeypatch.delenv("SLOPSIFT_PURE_PYTHON", raising=False)
    assert _accel._load() is None


def test_pure_python_switch() -> None:
    before = _accel.speedups
    with _accel.pure_python():
        assert _accel.speedups is None
    assert _accel.speedups is before


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from([vocabulary.RARE, vocabulary.COMMON, 0.0]),
            st.floats(0.0, 8.0, allow_nan=False),
        ),
        max_size=300,
    )
)
def test_zipf_stats(zs: list[float | None]) -> None:
    # every word chosen: the profile's sums and counts are _zipf_stats'
    assert C is not None
    want = vocabulary._zipf_stats(zs)
    facts = [(1, z, False) for z in zs]
    got = C.zipf_profile(
        facts, b"\x01" * len(zs), vocabulary.OOV_ZIPF, vocabulary.RARE, vocabulary.COMMON, 25
    )
    assert got[:5] == want
    assert [type(v) for v in got[:5]] == [type(v) for v in want]


def _levels(levels: list[repetition._Level]) -> list[tuple[list[int], list[int], list[int], list[int]]]:
    return [(lv.pos, lv.gids, lv.counts, lv.first) for lv in levels]


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=600), st.integers(2, 12), st.booleans())
def test_repeated_ngrams(ids: list[int], nmax: int, large_base: bool) -> None:
    # A small alphabet, so that long n-grams repeat; long inputs take the numpy path in Python. A large
    # base turns off the C version's pruning of 2-grams with a word that occurs once.
    assert C is not None
    base = 1_000_003 if large_base else 2 * len(ids) + 7
    want = _levels(repetition._repeated_ngrams_py(ids, base, nmax))
    got = _levels(repetition._repeated_ngrams(ids, base, nmax))
    assert len(got) == nmax + 1
    assert got == want


@needs_c
def test_repeated_ngrams_exact() -> None:
    assert C is not None
    # a b a b a b: 'a b' at 0, 2, 4 (id 0) and 'b a' at 1, 3 (id 1); 'a b a' at 0, 2 and 'b a b' at
    # 1, 3; 'a b a b' at 0, 2 ('b a b a' occurs once).
    levels = C.repeated_ngrams([0, 1, 0, 1, 0, 1], 13, 4)
    assert levels[0] == ([0, 1, 2, 3, 4], [0, 1, 0, 1, 0], [3, 2], [0, 1])
    assert levels[1] == ([0, 1, 2, 3], [0, 1, 0, 1], [2, 2], [0, 1])
    assert levels[2] == ([0, 2], [0, 0], [2], [0])
    assert C.repeated_ngrams([0, 1, 2], 7, 4) == []
    with pytest.raises(ValueError):
        C.repeated_ngrams([0, 9], 7, 4)  # an id not below base


@needs_c
def test_repeated_ngrams_shared_ints() -> None:
    # the ints of a tuple of 0, 1, 2, ... where it holds them (the objects themselves), new ints past it
    assert C is not None
    ids = [0, 1, 2, 3] * 200 + [0, 1]
    ints = tuple(int(str(i)) for i in range(300))
    want = C.repeated_ngrams(ids, 2000, 5)
    got = C.repeated_ngrams(ids, 2000, 5, ints)
    assert got == want == C.repeated_ngrams(ids, 2000, 5, ())
    pos = got[0][0]
    assert pos[299] is ints[299] and pos[300] == 300 and pos[300] is not ints[-1]
    assert C.repeated_ngrams(ids, 2000, 5, ("x",) * 9)[0][0][:2] == ["x", "x"]  # trusted: no crash
    with pytest.raises(TypeError):
        C.repeated_ngrams(ids, 2000, 5, list(ints))


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 5), max_size=500),
    st.lists(st.text(max_size=4), min_size=6, max_size=6),
    st.integers(1, 40),
)
def test_top_ngram_and_repeat_runs(ids: list[int], spellings: list[str], tie_cap: int) -> None:
    # A small alphabet, so that n-grams repeat, overlap and tie; the words' lengths vary with the id.
    assert C is not None
    words = [spellings[i] for i in ids]
    for ngrams in (repetition._repeated_ngrams, repetition._repeated_ngrams_py):
        levels = ngrams(ids, 2 * len(ids) + 7, 10)
        for n in range(2, 11):
            lv = levels[n]
            want = repetition._top_ngram_py(lv, n, words, ids)
            assert (
                C.top_ngram(lv.first, lv.counts, lv.pos, lv.gids, n, words, ids, repetition.TIE_CAP) == want
            )
            if tie_cap < repetition.TIE_CAP:
                got = C.top_ngram(lv.first, lv.counts, lv.pos, lv.gids, n, words, ids, tie_cap)
                assert got[1] < 0 or lv.counts[got[1]] == max(lv.counts)
            assert repetition._repeat_runs(lv, n, words) == repetition._repeat_runs_py(lv, n, words)


@needs_c
def test_top_ngram_and_repeat_runs_exact_and_hostile() -> None:
    assert C is not None
    # a b a b a: 'a b' at 0 and 2 overlaps nothing, 'a b a' at 0 and 2 overlaps itself (period 2)
    ids, words = [0, 1, 0, 1, 0], ["aa", "b", "aa", "b", "aa"]
    assert C.top_ngram([0, 1], [2, 2], [0, 1, 2, 3], [0, 1, 0, 1], 2, words, ids, 32) == (6, 0)
    assert C.top_ngram([0], [2], [0, 2], [0, 0], 3, words, ids, 32) == (8, 0)  # words 0..4, once each
    assert C.top_ngram([], [], [], [], 2, words, ids, 32) == (0, -1)
    assert C.repeat_runs([0, 2], [0, 0], 3, words) == (5, ([2], [5]))
    assert C.repeat_runs([0, 1, 2, 3], [0, 1, 0, 1], 2, words) == (5, ([2], [5]))
    assert C.repeat_runs([], [], 2, words) == (0, ([], []))
    assert C.repeat_runs([0, 9], [0, 0], 3, words) == (0, ([9], [12]))  # words past the end: none counted
    with pytest.raises(ValueError):
        C.repeat_runs([0, 2], [0], 3, words)  # pos and gids differ in length
    with pytest.raises(ValueError):
        C.repeat_runs([0, -2], [0, 0], 3, words)  # a negative position
    with pytest.raises(ValueError):
        C.repeat_runs([0, 2], [0, 0], 0, words)  # n out of range
    with pytest.raises(TypeError):
        C.repeat_runs([0, 2], [0, 0], 3, [1, 2, 3, 4, 5])  # words not str
    with pytest.raises(ValueError):
        C.top_ngram([0, 1], [2], [0, 2], [0, 0], 2, words, ids, 32)  # first and counts differ
    with pytest.raises(IndexError):
        C.top_ngram([4], [2], [0, 4], [4, 4], 2, words, ids, 32)  # an n-gram past the ids
    with pytest.raises(TypeError):
        C.top_ngram([0], [2], [0, 2], [0, 0], 2, words, ["a", "b", "a"], 32)  # ids not ints
    with pytest.raises(OverflowError):
        C.top_ngram([0], [2**62], [0, 2], [0, 0], 2, ["x" * 8, "y"], ids, 32)  # count x characters


@needs_c
def test_letter_lines_every_character() -> None:
    # [^\W\d_] decided by the Unicode database: every code point alone, then a few mixed lines
    assert C is not None
    raws = [chr(c) for c in range(0x110000)]
    assert C.letter_lines(raws) == repetition._letter_lines_py(raws)
    raws = ["", "   ", "123 4.5", "_ _", "a", "  ²½", "x2", "---", "Ⅻ", "٣", "日本", "\ud800", "é"]
    assert C.letter_lines(raws) == repetition._letter_lines_py(raws)
    with pytest.raises(TypeError):
        C.letter_lines(["a", b"b"])


@needs_c
@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=30))
def test_letter_lines(raws: list[str]) -> None:
    assert C is not None
    assert C.letter_lines(raws) == repetition._letter_lines_py(raws)


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-5, 60), max_size=40), st.lists(st.integers(-10, 70), max_size=20), st.booleans())
def test_bisect_lefts(a: list[int], xs: list[int], ordered: bool) -> None:
    # the same probes as bisect.bisect_left, so the same answer on unsorted lists too
    assert C is not None
    a = sorted(a) if ordered else a
    assert C.bisect_lefts(a, xs) == document._bisect_lefts_py(a, xs)


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(max_size=6), max_size=30), st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)))
)
def test_covered_chars(words: list[str], ranges: list[tuple[int, int]]) -> None:
    assert C is not None
    firsts, ends = [s for s, _ in ranges], [e for _, e in ranges]
    assert C.covered_chars(firsts, ends, words) == repetition._covered((firsts, ends), words)


@needs_c
def test_bisect_lefts_and_covered_chars_hostile() -> None:
    assert C is not None
    with pytest.raises(TypeError):
        C.bisect_lefts([1, "a", 3], [2])
    with pytest.raises(TypeError):
        C.bisect_lefts([1, 2], [1.5])
    with pytest.raises(ValueError):
        C.covered_chars([0], [], ["a"])
    with pytest.raises(ValueError):
        C.covered_chars([-1], [2], ["a"])
    with pytest.raises(TypeError):
        C.covered_chars([0], [2], ["a", 3])
    assert C.covered_chars([0, 1], [9, 1], ["ab", "c"]) == 3  # past the end, empty: as slices


SPAN_ALPHABETS = ["ab ", "ab é\xff", "a日€ ", "a\U0001f600é ", "\U00010000\U0010ffff\x00"]
span_bounds = st.one_of(
    st.integers(-40, 40), st.none(), st.sampled_from([2**63 - 1, -(2**63), 2**100, -(2**100)])
)


@needs_c
@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.sampled_from(SPAN_ALPHABETS).flatmap(lambda a: st.text(a, max_size=30)), st.text(max_size=30)
    ),
    st.lists(span_bounds, max_size=40),
    st.lists(span_bounds, max_size=40),
)
def test_repeated_spans(text: str, starts: list[int], ends: list[int]) -> None:
    # as slices: negative, out-of-range, reversed and huge bounds, None, starts and ends of different lengths
    assert C is not None
    assert C.repeated_spans(text, starts, ends) == repetition._repeated_spans_py(text, starts, ends)


@needs_c
@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SPAN_ALPHABETS), st.integers(0, 400), st.data())
def test_repeated_spans_many(alphabet: str, n: int, data: st.DataObject) -> None:
    # more spans than the table on the stack holds: distinct spans, then some of them again
    assert C is not None
    words = ["".join(alphabet[int(d)] for d in f"{k:b}") for k in range(1, n + 1)]  # distinct
    text = "".join(words)
    ends = list(accumulate(map(len, words)))
    starts = [0, *ends[:-1]]
    assert C.repeated_spans(text, starts, ends) == repetition._repeated_spans_py(text, starts, ends) == []
    again = data.draw(st.lists(st.integers(0, n - 1), max_size=5)) if n else []
    for k in again:  # pasted at the end
        starts.append(len(text))
        ends.append(len(text) + len(words[k]))
        text += words[k]
    starts += [starts[k] - len(text) for k in again]  # and read again in place, from the end
    ends += [ends[k] for k in again]
    expected = list(range(n, n + 2 * len(again)))
    assert (
        C.repeated_spans(text, starts, ends) == repetition._repeated_spans_py(text, starts, ends) == expected
    )


@needs_c
def test_repeated_spans_hostile() -> None:
    assert C is not None
    rs, py = C.repeated_spans, repetition._repeated_spans_py
    assert rs("", [], []) == []
    assert rs("abc", [0], [3]) == []
    assert rs("", [0, 5], [0, 9]) == [1]  # two empty spans
    assert rs("abcabc", [3, 0], [1, 0]) == [1]  # reversed: empty
    assert rs("abab", [0, 2, 0], [2, 4]) == [1]  # paired up to the shorter list, as by map
    assert rs("abab", [0, 2], [2]) == []
    assert rs("xabab", [-4, -2], [-2, 2**70]) == [1]  # counted from the end, clamped
    assert rs("abab", [False, True], [2, 4]) == []
    assert rs(type("S", (str,), {})("abab"), [0, 2], [2, None]) == [1]
    # a str subclass's own slicing is not called by either: both read its characters
    odd = type("Odd", (str,), {"__getitem__": lambda self, i: "same"})("abcd")
    assert rs(odd, [0, 2], [2, 4]) == py(odd, [0, 2], [2, 4]) == []
    for text, starts, ends in [("abab", [0, 2, 1.5], [2, 4, 3]), ("abab", [0, 0], [2, "2"])]:
        with pytest.raises(TypeError):
            py(text, starts, ends)
        with pytest.raises(TypeError):
            rs(text, starts, ends)  # read even after a repeat is found
    with pytest.raises(TypeError):
        rs(b"abab", [0, 2], [2, 4])
    with pytest.raises(TypeError):
        rs("abab", (0, 2), [2, 4])
    with pytest.raises(TypeError):
        rs("abab", [0, 2], [2, 4], [])

    class Index:
        def __index__(self) -> int:
            return 2

    assert py("abab", [0, Index()], [2, 4]) == [1]
    with pytest.raises(TypeError):  # ints and None only (documented)
        rs("abab", [0, Index()], [2, 4])


@needs_c
def test_repeated_spans_gives_up_on_a_hash_collision() -> None:
    # Two different 16-character Latin-1 spans crafted to share the C hash (span_hash in _speedups.c):
    # None, for the caller to run the twin, rather than probes a crafted text could make quadratic.
    assert C is not None
    mask = 2**64 - 1

    def step(h: int, block: bytes) -> int:
        h = ((h ^ int.from_bytes(block, sys.byteorder)) * 0xFF51AFD7ED558CCD) & mask
        return h ^ (h >> 29)

    h0 = 16 * 0x9E3779B97F4A7C15 & mask
    a1, b1, a2 = b"aaaaaaaa", b"bbbbbbbb", b"cccccccc"
    b2 = (int.from_bytes(a2, sys.byteorder) ^ step(h0, a1) ^ step(h0, b1)).to_bytes(8, sys.byteorder)
    text = (a1 + a2 + b1 + b2).decode("latin-1")
    assert text[:16] != text[16:]
    assert repetition._repeated_spans_py(text, [0, 16], [16, 32]) == []
    assert C.repeated_spans(text, [0, 16], [16, 32]) is None
    assert C.repeated_spans(text, [0, 16, 0], [16, 32, 16]) is None
    assert C.repeated_spans(text, [0, 0], [16, 16]) == [1]


@needs_c
def test_repeated_spans_gives_up_on_long_probes() -> None:
    # Different spans whose C hashes differ but share their low 32 bits all land in one slot of the
    # table: the linear probes made the call quadratic (a 2.8 MB document of 131,072 such sentences
    # took 4 s here against 0.02 s for the twin) without any full hash collision to give up on. The
    # hash of an 8-byte span inverts step by step, so such spans are made directly, not searched for.
    assert C is not None
    mask = 2**64 - 1

    def unshift(h: int, r: int) -> int:  # the inverse of h ^= h >> r
        x = h
        for _ in range(64 // r + 1):
            x = h ^ (x >> r)
        return x

    def block(h: int) -> bytes:  # the 8 bytes whose span_hash is h
        h = unshift(h, 32) * pow(0xC4CEB9FE1A85EC53, -1, 2**64) & mask
        h = unshift(h, 29) * pow(0xFF51AFD7ED558CCD, -1, 2**64) & mask
        return (h ^ (8 * 0x9E3779B97F4A7C15 & mask)).to_bytes(8, sys.byteorder)

    n = 3000
    text = b"".join(block((k + 1) << 32) for k in range(n)).decode("latin-1")
    starts = list(range(0, 8 * n, 8))
    ends = [s + 8 for s in starts]
    assert len({text[s:e] for s, e in zip(starts, ends, strict=True)}) == n
    assert repetition._repeated_spans_py(text, starts, ends) == []
    assert C.repeated_spans(text, starts, ends) is None  # the caller runs the twin
    # a real repeat among them is still the twin's answer
    assert repetition._repeated_spans_py(text, [*starts, 8], [*ends, 16]) == [n]
    assert C.repeated_spans(text, [*starts, 8], [*ends, 16]) in (None, [n])
    # spans that do not crowd one slot are answered in C
    assert C.repeated_spans(text, starts[:40], ends[:40]) == []


PHRASE_WORDS = ["Peace", "Corps", "peace", "corps", "green", "Green", "tea", "the", "of", "it", "is", "Big"]
PHRASE_WORDS += ["data", "river", "bank", "x", "3", "end.", "Then", "\n\n", "# Tea Time\n", "http://a.io/x"]


def _phrase_inputs(
    text: str, python_levels: bool
) -> tuple[slopsift.Document, int, list[repetition._Level], list[int]]:
    """What ``repetition.compute`` hands ``_phrase``: the document, words scanned, levels, sentence ends."""
    doc = slopsift.parse(text)
    ids = repetition._prose(doc).ids
    ngrams = repetition._repeated_ngrams_py if python_levels else repetition._repeated_ngrams
    levels = ngrams(ids, 2 * doc.n_words + 1, repetition.PHRASE_MAX)
    ends = [s.word_end for s in doc.sentences if s.word_start < s.word_end]
    return doc, len(ids), levels, ends


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PHRASE_WORDS), max_size=400), st.booleans())
def test_top_phrase(words: list[str], python_levels: bool) -> None:
    # A small vocabulary with names, function words and sentence ends, so that phrases repeat, some
    # across sentences and some capitalised; long texts give numpy-built levels in Python.
    doc, n_scan, levels, ends = _phrase_inputs(" ".join(words), python_levels)
    assert repetition._phrase(doc, n_scan, levels, ends) == repetition._phrase_py(doc, n_scan, levels, ends)


@needs_c
def test_top_phrase_many_look_ups() -> None:
    # Repeated pairs that cross a sentence end are looked up and dropped, more than the few look-ups
    # by scanning, so the level's occurrences get chained; then a phrase inside sentences wins.
    crossing = " ".join(f"So w{k}a. W{k}b so." for k in range(12))
    text = f"{crossing} {crossing} {crossing} We drink green tea daily. They sell green tea here."
    doc, n_scan, levels, ends = _phrase_inputs(text, False)
    got = repetition._phrase(doc, n_scan, levels, ends)
    assert got == repetition._phrase_py(doc, n_scan, levels, ends)
    assert got[:2] == (2, 2)
    assert [doc.words[i] for i in got[2]] == ["green", "green"]


@needs_c
def test_top_phrase_hostile_input() -> None:
    assert C is not None
    words, text, starts = ["aa", "bb", "aa", "bb"], "aa bb aa bb", [0, 3, 6, 9]
    level = ([0], [2], [0, 2], [0, 0])
    yes = lambda w: True  # noqa: E731
    assert C.top_phrase([level], 2, words, yes, text, starts, [4]) == (2, 2, [0, 2])
    assert C.top_phrase([level], 2, words, yes, text, starts, [1, 4]) == (0, 0, [])  # crosses an end
    assert C.top_phrase([], 2, [], yes, "", [], []) == (0, 0, [])
    bad_levels: list[tuple[object, ...]] = [
        ([0], [2], [0, 2]),  # three columns
        ((0,), [2], [0, 2], [0, 0]),  # not lists
        ([0], [2, 2], [0, 2], [0, 0]),  # first and counts of different lengths
        (["a"], [2], [0, 2], [0, 0]),  # not ints
    ]
    for bad in bad_levels:
        with pytest.raises((TypeError, ValueError)):
            C.top_phrase([bad], 2, words, yes, text, starts, [4])
    with pytest.raises(ValueError):
        C.top_phrase([([0], [2], [0, 2], [0])], 2, words, yes, text, starts, [4])  # pos and gids differ
    with pytest.raises(ValueError):
        C.top_phrase([level] * 7, 2, words, yes, text, starts, [4])  # n up to 8
    with pytest.raises(ValueError):
        C.top_phrase([level], 0, words, yes, text, starts, [4])
    with pytest.raises(IndexError):
        C.top_phrase([([3], [2], [3, 5], [3, 3])], 2, words, yes, text, starts, [4])  # past the words
    with pytest.raises(ValueError):
        C.top_phrase(
            [([0], [2], [0, 2**63 - 2], [0, 0])], 2, words, yes, text, starts, [4]
        )  # a huge position
    with pytest.raises(IndexError):
        C.top_phrase([level], 2, words, yes, text, [0, 3, 99, 9], [4])  # a word start past the text
    with pytest.raises(IndexError):
        C.top_phrase([level], 2, words, yes, text, [0, 3], [4])  # fewer starts than words
    with pytest.raises(ZeroDivisionError):
        C.top_phrase([level], 2, words, lambda w: 1 / 0, text, starts, [4])

    def vandal(w: str) -> bool:  # empties every list it can reach while the C loop runs
        levels.clear()
        words.clear()
        starts.clear()
        for col in level:
            col.clear()
        return True

    levels = [level]
    with pytest.raises(IndexError):
        C.top_phrase(levels, 2, words, vandal, text, starts, [4])


@needs_c
@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=300))
def test_features_identical_with_and_without_c(words: list[str]) -> None:
    text = " ".join(words)
    with_c = slopsift.signals(text)
    with _accel.pure_python():
        without = slopsift.signals(text)
    assert with_c.vector().tolist() == without.vector().tolist()
    assert with_c.evidence() == without.evidence()


PIECES = [
    "in conclusion",
    "in summary",
    "it is crucial to",
    "it is",
    "conclu",
    "delve",
    "delve into",
    "tapestry",
    "plays a pivotal role",
    "as an ai language model",
    " ",
    "  ",
    "\n",
    "\t",
    "\u00a0",
    "\x1c",
    "'",
    "\u2019",
    "_",
    ",",
    ".",
    "-",
    "é",
    "\u0663",
    "a",
    "x",
    "In",
]


@needs_c
@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_trie_candidates(pieces: list[str]) -> None:
    # The hedging lists' scan: the same offsets and phrase texts as the regex version, on any text.
    from slopsift.signals.hedging import _matcher_set

    ms = _matcher_set()
    text = "".join(pieces)
    for t in (text, text.lower()):
        got = ms.candidates(t)
        with _accel.pure_python():
            want = ms.candidates(t)
        assert got == want


# Every character below 256 (whose classes trie_candidates reads from a table) around the phrases
LATIN1 = [chr(c) for c in range(256)]


@needs_c
@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(LATIN1)), max_size=40))
def test_trie_candidates_latin1(pieces: list[str]) -> None:
    from slopsift.signals.hedging import _matcher_set

    ms = _matcher_set()
    text = "".join(pieces)
    for t in (text, text.lower(), text + "\u0100"):
        got = ms.candidates(t)
        with _accel.pure_python():
            want = ms.candidates(t)
        assert got == want
    # each character after and before a phrase: an edge or not, as re reads it
    for c in LATIN1:
        for t in (f"{c}delve into{c}", f"it is{c}{c}crucial to{c}"):
            got = ms.candidates(t)
            with _accel.pure_python():
                want = ms.candidates(t)
            assert got == want, repr(c)


# A trie whose nodes have many children (more than the 32 that child_of scans, so its binary search is
# taken too), some of them non-ASCII, beside nodes of one child.
WIDE_PHRASES = [f"q{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789éüß"] + [
    f"z{chr(0x4E00 + k)}" for k in range(40)
]
WIDE_PIECES = [*WIDE_PHRASES, "q", "z", " ", ".", "qq", "\u4e00", "é", "x"]


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WIDE_PIECES), max_size=30))
def test_trie_candidates_wide_nodes(pieces: list[str]) -> None:
    from slopsift.lexicons import PhraseMatcher, PhraseMatcherSet

    ms = PhraseMatcherSet([PhraseMatcher(WIDE_PHRASES[:20]), PhraseMatcher(WIDE_PHRASES[20:])])
    text = "".join(pieces)
    got = ms.candidates(text)
    with _accel.pure_python():
        want = ms.candidates(text)
    assert got == want


VOCAB = ["the", "a", "an", "of", "cat", "café", "naïve", "\u4e2d\u6587", "x-y", "3.5", "", "Ünï", "a" * 300]


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=6)), max_size=400))
def test_word_ids_counts(words: list[str]) -> None:
    from collections import Counter

    from slopsift.document import _word_ids_counts

    assert C is not None
    ids, counts = C.word_ids_counts(words, Counter)
    want_ids, want_counts = _word_ids_counts(words)
    assert ids == want_ids
    assert type(counts) is Counter
    assert list(counts.items()) == list(want_counts.items())  # same keys in the same order


@needs_c
def test_word_ids_counts_edges() -> None:
    from collections import Counter

    assert C is not None
    assert C.word_ids_counts([], Counter) == ([], Counter())
    words = ["w"] * 20_000 + ["v"]  # ids past the small-int cache: one int object per distinct word
    ids, counts = C.word_ids_counts(words, Counter)
    assert ids[-2:] == [0, 20_000] and counts == {"w": 20_000, "v": 1}
    with pytest.raises(TypeError):
        C.word_ids_counts(("a",), Counter)  # a list only
    with pytest.raises(TypeError):
        C.word_ids_counts(["a"], list)  # the counter must be a dict


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VOCAB), max_size=200), st.text(max_size=200))
def test_pair_hits(words: list[str], chars: str) -> None:
    from slopsift.signals.usage import _pair_hits_py

    assert C is not None
    table = {"the": frozenset(["cat", "café"]), "a": frozenset(["an", "a", ""]), "": frozenset(VOCAB)}
    char_table = {"a": frozenset("aeioé"), "an": frozenset("xyz\u4e2d")}
    assert C.pair_hits(words, words, table) == _pair_hits_py(words, words, table)
    assert C.pair_hits(words, chars, char_table) == _pair_hits_py(words, chars, char_table)
    assert C.pair_hits(words, words[:3], table) == _pair_hits_py(words, words[:3], table)


def test_pair_tables_hold_the_prefilter_pairs() -> None:
    from slopsift.signals.usage import _pair_tables, _prefilter

    _, pairs, articles = _prefilter()
    for table, want in zip(_pair_tables(), (pairs, articles), strict=True):
        assert {(w, x) for w, xs in table.items() for x in xs} == want


@needs_c
def test_pair_hits_edges() -> None:
    assert C is not None
    table = {"a": frozenset("e")}
    assert C.pair_hits([], "", table) == []
    assert C.pair_hits(["a"] * 100_000, "e" * 100_001, table) == list(range(100_000))
    with pytest.raises(TypeError):
        C.pair_hits(["a"], ("e",), table)  # a list or a str only
    with pytest.raises(TypeError):
        C.pair_hits(["a", "b"], ["b", ["unhashable"]], {"a": frozenset()})  # the set test raises


def _profile(facts: list, flags: object, max_unknown: int = 25) -> object:
    assert C is not None
    return C.zipf_profile(facts, flags, vocabulary.OOV_ZIPF, vocabulary.RARE, vocabulary.COMMON, max_unknown)


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 9),
            st.one_of(st.none(), st.sampled_from([vocabulary.RARE, vocabulary.COMMON]), st.floats(0.0, 8.0)),
            st.booleans(),
        ),
        max_size=300,
    ),
    st.lists(st.booleans(), max_size=320),
    st.integers(0, 30),
)
def test_zipf_profile(facts: list, flags: list[bool], max_unknown: int) -> None:
    want = vocabulary._profile_py(facts, flags, max_unknown)
    assert _profile(facts, flags, max_unknown) == want
    as_bytes = bytes(map(int, flags))  # what vocabulary._lower_initial gives on ASCII text
    assert _profile(facts, as_bytes, max_unknown) == want
    assert vocabulary._profile_py(facts, as_bytes, max_unknown) == want


@needs_c
def test_zipf_profile_edges() -> None:
    assert _profile([], b"") == (0.0, 0.0, 0, 0, 0, 0, [], [])
    assert _profile([(1, None, True)] * 3, b"\x01\x00\x02")[5:] == (2, [0, 2], [0, 2])
    with pytest.raises(TypeError):
        _profile([(1, 2.0)], b"\x01")  # a fact of two
    with pytest.raises(TypeError):
        _profile([(1, "x", False)], b"\x01")  # a Zipf value that is no number
    with pytest.raises(TypeError):
        _profile([(1, 2.0, False)], 5)  # flags neither bytes nor a sequence


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 12), max_size=300),
    st.lists(st.tuples(st.integers(-5, 320), st.integers(-5, 320)), max_size=40),
)
def test_sentence_syllables(syl: list[int], ranges: list[tuple[int, int]]) -> None:
    from slopsift.signals import readability

    assert C is not None
    facts = [(y, None, False) for y in syl]
    ws, we = [a for a, _ in ranges], [b for _, b in ranges]
    assert C.sentence_syllables(facts, ws, we) == readability._sentence_syllables_py(facts, ws, we)


@needs_c
def test_sentence_syllables_edges() -> None:
    from slopsift.signals import readability

    assert C is not None
    assert C.sentence_syllables([], [], []) == ([], 0)
    # outside the packed sums' range: None, and the caller runs the Python version
    assert C.sentence_syllables([(1 << 21, None, False)], [0], [1]) is None
    assert C.sentence_syllables([(-1, None, False)], [0], [1]) is None
    big = [(1 << 20, None, False)] * (1 << 20)
    assert C.sentence_syllables(big, [0], [len(big)]) is None
    assert readability._sentence_syllables(big, [0], [len(big)]) == readability._sentence_syllables_py(
        big, [0], [len(big)]
    )
    with pytest.raises(TypeError):
        C.sentence_syllables([1], [0], [1])  # a fact that is no tuple


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from([*VOCAB, "i", "we", "you", "however"]), st.text(max_size=5)), max_size=300
    )
)
def test_word_stats(words: list[str]) -> None:
    from slopsift.signals import style

    assert C is not None
    groups = style._word_groups()
    n = len(style._GROUPS)
    assert C.word_stats(words, groups, n) == style._word_stats_py(words, groups, n)


@needs_c
def test_word_stats_edges() -> None:
    assert C is not None
    assert C.word_stats([], {}, 3) == ([0, 0, 0], 0, 0)
    with pytest.raises(IndexError):
        C.word_stats(["a"], {"a": 3}, 3)  # a group number out of range
    with pytest.raises(ValueError):
        C.word_stats([], {}, -1)
    with pytest.raises(TypeError):
        C.word_stats([b"a"], {}, 1)  # words must be str


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VOCAB), max_size=300), st.sets(st.sampled_from(VOCAB)))
def test_positions(words: list[str], vocab: set[str]) -> None:
    from slopsift.signals.inconsistency import _positions_py

    assert C is not None
    want = _positions_py(words, vocab)
    assert C.positions(words, vocab) == want
    assert C.positions(words, frozenset(vocab)) == want
    assert C.positions(words, dict.fromkeys(vocab).keys()) == want  # any container
    assert C.positions(words, list(vocab)) == want


@needs_c
def test_positions_edges() -> None:
    assert C is not None
    assert C.positions([], {"a"}) == []
    assert C.positions(["a"] * 50_000, {"a"}) == list(range(50_000))
    with pytest.raises(TypeError):
        C.positions([["unhashable"]], {"a"})
    with pytest.raises(TypeError):
        C.positions(["a"], 5)  # not a container


@needs_c
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab z09.,'-_A\n\t:", max_size=300))
def test_ascii_words_ids(text: str) -> None:
    from collections import Counter

    import numpy as np

    from slopsift.document import _WORD_SPLIT_LOWER_ASCII, _ascii_words_ids, _shared_indices

    assert C is not None
    for low in (text, text.lower()):
        starts, ends, words, start_bytes, ids, counts = C.ascii_words_ids(low, _shared_indices(), Counter)
        want_starts, want_ends, want_words, _, (want_ids, want_counts) = _ascii_words_ids(low)
        assert (starts, ends, words, ids) == (want_starts, want_ends, want_words, want_ids)
        assert words == _WORD_SPLIT_LOWER_ASCII.split(low)[1::2]  # the regex's matches
        assert np.frombuffer(start_bytes, dtype=np.intp).tolist() == starts
        assert type(counts) is Counter
        assert list(counts.items()) == list(want_counts.items())  # same keys in the same order
        assert all(words[i] is words[k] for k, i in enumerate(ids))  # one str per distinct word


@needs_c
def test_ascii_words_ids_edges() -> None:
    from collections import Counter

    from slopsift.document import MAX_INDEXED, _ascii_words_ids, _shared_indices

    assert C is not None
    assert C.ascii_words_ids("", _shared_indices(), Counter) == ([], [], [], b"", [], Counter())
    got = C.ascii_words_ids("3.5x a1.5 1,000.25 x--y it's -a- 1. x 3.5", (), Counter)
    assert got[2] == ["3.5", "x", "a1", "5", "1,000.25", "x", "y", "it's", "a", "1", "x", "3.5"]
    assert got[4] == [0, 1, 2, 3, 4, 1, 6, 7, 8, 9, 1, 0]
    assert list(got[5].items()) == list(Counter(got[2]).items())
    long = "word 3.25 " * (MAX_INDEXED // 5) + "new"  # offsets past the shared ints
    got = C.ascii_words_ids(long, _shared_indices(), Counter)
    want = _ascii_words_ids(long)
    assert got[:3] == want[:3] and got[4] == want[4][0] and got[5] == want[4][1] and got[0][-1] > MAX_INDEXED
    huge = " ".join(f"w{i}" for i in range(300_000))  # many distinct words: the table grows
    got = C.ascii_words_ids(huge, _shared_indices(), Counter)
    assert got[4] == list(range(300_000)) and len(got[5]) == 300_000  # ids past the shared ints too
    got = C.ascii_words_ids(huge + " " + huge, _shared_indices(), Counter)
    assert got[4] == 2 * list(range(300_000)) and set(got[5].values()) == {2}
    # Words that share 8-byte chunks and lengths, and long ones, are still told apart.
    text = " ".join(
        ["abcdefgh" * 3, "abcdefgh" * 3 + "x", "abcdefgh" * 2, "abcdefgh" * 3, "a" * 1000, "a" * 999]
    )
    got = C.ascii_words_ids(text, (), Counter)
    assert got[4] == [0, 1, 2, 0, 4, 5]
    with pytest.raises(ValueError):
        C.ascii_words_ids("café", (), Counter)  # ASCII only
    with pytest.raises(TypeError):
        C.ascii_words_ids("a", [0], Counter)  # the shared ints must be a tuple
    with pytest.raises(TypeError):
        C.ascii_words_ids(b"a", (), Counter)  # a str
    with pytest.raises(TypeError):
        C.ascii_words_ids("a b", (), list)  # the counter must be a dict
    with pytest.raises(ZeroDivisionError):
        C.ascii_words_ids("a b", (), lambda: 1 / 0)  # an error from the counter type propagates
    assert C.ascii_words_ids("a b a", (), dict)[5] == {"a": 2, "b": 1}  # any dict type


def test_parse_ids_counts_as_computed() -> None:
    # The ids and counts the parse finds on the way are those the Document would compute from its words.
    from slopsift.document import _word_ids_counts, parse

    for text in (
        "The cat and the hat. The end 3.5 and 3,5.",
        "Café au lait, the café. The end.",
        "naïve ß x",
    ):
        for pure in (False, True):
            if pure:
                with _accel.pure_python():
                    doc = parse(text)
            else:
                doc = parse(text)
            want_ids, want_counts = _word_ids_counts(doc.words)
            assert doc.word_ids == want_ids
            assert list(doc.word_counts.items()) == list(want_counts.items())


SENTENCE_PIECES = [
    "Dr.", "dr.", "U.S.", "e.g.", "a.m.", "Mark T. Esper", "1.", "12.", "3.5", " ", "  ", "\n", "\n\n", "\t",
    "\u00a0", "\u2003", ".", "...", "!", "?!", '"', "'", ")", "]", "(", "[", "A", "Z", "0", "9", "a", "z",
    "Word", "word", "extraordinarily", "Ünïcode", "\u0663", "_", "-", "é.", "x_y.", "Ab.cd.", "\u01c5",
]  # fmt: skip


def _spans_both(text: str, blocks: list[tuple[int, int, int, int]]) -> None:
    from slopsift.document import _abbreviations, _long_word, _sentence_spans

    assert C is not None
    want = _sentence_spans(text, blocks)
    assert C.sentence_spans(text, blocks, _abbreviations(), _long_word()) == want


@needs_c
@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=60), st.lists(st.integers(0, 400), max_size=6))
def test_sentence_spans(pieces: list[str], cuts: list[int]) -> None:
    from slopsift import document

    text = "".join(pieces)
    raws = text.split("\n")
    _, starts, ends, blank = document._lines(raws)
    _spans_both(text, document._blocks(raws, starts, ends, blank, frozenset()))  # as the parse makes them
    # blocks cut anywhere (also starting past the text's start, so the look-behind reads before it)
    bounds = sorted({min(c, len(text)) for c in cuts} | {len(text)})
    blocks, lo = [], 0
    for hi in bounds:
        if hi > lo:
            blocks.append((lo, lo, hi, hi))
            lo = hi
    _spans_both(text, blocks[1:] if len(blocks) > 1 else blocks)


@needs_c
def test_sentence_spans_edges() -> None:
    from slopsift.document import _abbreviations, _long_word

    assert C is not None
    _spans_both("", [])
    _spans_both("Hi. There", [(0, 0, 9, 9)])
    _spans_both("Hi. There", [(0, 0, 9, 50)])  # a block end past the text
    _spans_both('He said "Stop." Then "Go!" (Really.) [Yes.] 1. Item. Dr. Who. U.S. Army.', [(0, 0, 74, 74)])
    _spans_both("." * 20_000 + " A", [(0, 0, 20_002, 20_002)])  # a long run of stops
    big = "Word. " * 30_000
    _spans_both(big, [(0, 0, len(big) - 1, len(big))])
    with pytest.raises(TypeError):
        C.sentence_spans("a", [(0, 0, 1)], _abbreviations(), _long_word())  # a block of three
    with pytest.raises(TypeError):
        C.sentence_spans("a", [(0, 0, 1, 1)], set(), _long_word())  # the abbreviations must be frozen
    with pytest.raises(ValueError):
        C.sentence_spans("a", [(0, 0, 1, 1)], _abbreviations(), 0)


def _units(lengths: list[int]) -> tuple[list[int], list[int]]:
    starts, ends, at = [], [], 0
    for n in lengths:
        starts.append(at)
        ends.append(at + n)
        at += n
    return starts, ends


@needs_c
@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(0, 14), max_size=30), st.sets(st.integers(0, 300), max_size=120))
def test_near_dup_units(lengths: list[int], positions: set[int]) -> None:
    import numpy as np

    assert C is not None
    starts, ends = _units(lengths)
    pos = sorted(positions)
    want = repetition._near_dup_units_py(starts, ends, np.array(pos, dtype=np.int64))
    args = (repetition.NEAR_DUP_MIN_WORDS, repetition.NEAR_DUP_JACCARD, repetition.SHINGLE)
    assert C.near_dup_units(starts, ends, pos, *args) == want
    assert C.near_dup_units(starts, ends, np.array(pos, dtype=np.int64), *args) == want
    strided = np.repeat(np.array(pos, dtype=np.int64), 2)[::2]  # a view with a stride of two items
    assert C.near_dup_units(starts, ends, strided, *args) == want
    assert repetition._near_dup_units_py(starts, ends, pos) == want  # the Python version takes a list too


@needs_c
def test_near_dup_units_edges() -> None:
    import numpy as np

    assert C is not None
    args = (repetition.NEAR_DUP_MIN_WORDS, repetition.NEAR_DUP_JACCARD, repetition.SHINGLE)
    assert C.near_dup_units([], [], [], *args) == (0, -1, [], [], [], [])
    assert C.near_dup_units([0], [20], [], *args) == (1, -1, [], [], [], [])
    assert C.near_dup_units([0], [20], list(range(18)), *args) == (1, 0, [0], [18], [20], [True])
    with pytest.raises(ValueError):
        C.near_dup_units([0], [], [], *args)  # as many ends as starts
    with pytest.raises(TypeError):
        C.near_dup_units([0], [20], np.arange(3, dtype=np.int32), *args)  # int64 only
    with pytest.raises(TypeError):
        C.near_dup_units([0], [20], [1.5], *args)
    with pytest.raises(OverflowError):
        C.near_dup_units([0], [1 << 62], [], *args)


@needs_c
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(), st.integers(), st.text(max_size=5)), max_size=100))
def test_build_frozen(rows: list[tuple[int, int, str]]) -> None:
    from slopsift._frozen import _build_frozen_py, slot_descriptors
    from slopsift.signals.base import Evidence

    assert C is not None
    slots = slot_descriptors(Evidence)
    columns = ([r[0] for r in rows], tuple(r[1] for r in rows), [r[2] for r in rows], [""] * len(rows))
    got = C.build_frozen(Evidence, slots, columns)
    assert got == _build_frozen_py(Evidence, slots, *columns) == [Evidence(*r) for r in rows]
    assert all(type(e) is Evidence for e in got)


@needs_c
def test_build_frozen_edges() -> None:
    import dataclasses

    from slopsift._frozen import slot_descriptors
    from slopsift.document import Sentence

    assert C is not None
    slots = slot_descriptors(Sentence)
    assert C.build_frozen(Sentence, slots, ([], [], [], [])) == []
    (s,) = C.build_frozen(Sentence, slots, ([1], [2], [3], [4]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.start = 5  # type: ignore[misc]  # still frozen
    with pytest.raises(ValueError):
        C.build_frozen(Sentence, slots, ([1], [2], [3]))  # a column short
    with pytest.raises(ValueError):
        C.build_frozen(Sentence, slots, ([1], [2], [3], []))  # columns of different lengths
    with pytest.raises(TypeError):
        C.build_frozen(Sentence, (len, *slots[1:]), ([1], [2], [3], [4]))  # not a descriptor
    with pytest.raises(TypeError):
        C.build_frozen(Sentence, slots, (5, [2], [3], [4]))  # not a sequence
    with pytest.raises(TypeError):
        C.build_frozen(dict, slots, ([1], [2], [3], [4]))  # its instances need their own __new__


@needs_c
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab \t\r\n\u00a0\u2003\x0b\x1cé\u4e2d", max_size=300))
def test_line_spans(text: str) -> None:
    from slopsift.document import _line_spans_py, _shared_indices

    assert C is not None
    raws = text.split("\n")
    assert C.line_spans(raws, _shared_indices()) == _line_spans_py(raws)
    assert C.line_spans(raws, ()) == _line_spans_py(raws)


@needs_c
def test_line_spans_edges() -> None:
    from slopsift.document import MAX_INDEXED, _line_spans_py, _shared_indices

    assert C is not None
    assert C.line_spans([], ()) == _line_spans_py([]) == ([0], [], [])
    raws = ("x" * 100 + "\n  \n") * (MAX_INDEXED // 50)  # offsets past the shared ints
    lines = raws.split("\n")
    assert C.line_spans(lines, _shared_indices()) == _line_spans_py(lines)
    with pytest.raises(TypeError):
        C.line_spans(["a", b"b"], ())


BLOCK_LINES = [
    "", "  ", "\t", "Short line.", "A line long enough to be hard-wrapped text that goes on and on",
    "A line long enough to be hard-wrapped text that ends a sentence.", "- a list item", "1. numbered",
    "* star item that is long enough to be more than forty characters",
    "  indented line of prose, long enough to wrap",
    "Ends with a colon that is long enough to wrap over lines:",
    "ünïcode line long enough to be hard-wrapped, no stop",
    "trailing space after a long enough line of text to wrap  ", '"Quoted line that is long enough to wrap."',
]  # fmt: skip


@needs_c
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(BLOCK_LINES), max_size=25), st.sets(st.integers(0, 25), max_size=4))
def test_blocks_of_lines(lines: list[str], headings: set[int]) -> None:
    from slopsift import document

    assert C is not None
    raws = "\n".join(lines).split("\n")
    _, starts, ends, blank = document._lines(raws)
    heading_lines = frozenset(headings)
    want = document._blocks_py(raws, starts, ends, blank, heading_lines)
    got = C.blocks_of_lines(
        raws, starts, ends, blank, heading_lines, document._TERMINAL_CHARS, document.is_list_item
    )
    assert got == want


@needs_c
def test_blocks_of_lines_edges() -> None:
    from slopsift import document

    assert C is not None
    t = document._TERMINAL_CHARS
    assert C.blocks_of_lines([""], [0], [0], [True], frozenset(), t, document.is_list_item) == []
    with pytest.raises(ValueError):
        C.blocks_of_lines(["a"], [], [1], [False], frozenset(), t, document.is_list_item)
    long = "x" * 50

    def boom(line: str) -> bool:
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError):
        C.blocks_of_lines([long, long], [0, 51], [50, 101], [False, False], frozenset(), t, boom)


PHRASING_PIECES = [
    "It", "it", "is", "the", "The", "of", "to", "and", "which", "not", "only", "but", "we", "cat", "vital",
    "3.5", "1,000", "42", "0", "e.g.", "U.S.", "x.y", "(", ")", ",", ".", ";", ":", "?", "!", "...", " ",
    "  ", "\n", "\n\n", "\t", "-", "\u2014", '"', "'", "can't", "café", "naïve", "\u4e2d\u6587", "\U0001f600",
    "\u00a0", "#", "*", "_", "\u0663",
]  # fmt: skip
SMALL_TABLE = {
    "it is _ to": 2.0, "it": 0.5, ".": -1.0, "_": 0.3, ", which": 1.2, "0": -0.7, "( _ )": 3.0, "_ _": 1e-300,
    "the _": -0.0, "is": 5e-324, "_ .": 1e100, ". _": -1e100, "not only _ but": 0.9, "_ , and _": 0.75,
}  # fmt: skip


def _phrasing_table(runs: dict[str, float]) -> tuple[object, object]:
    import numpy as np

    from slopsift.signals import phrasing

    keys = np.array(sorted(phrasing.ngram_key(r) for r in runs), dtype=np.int64)
    by_key = {phrasing.ngram_key(r): v for r, v in runs.items()}
    return keys, np.array([by_key[int(k)] for k in keys], dtype=np.float64)


def _phrasing_args(evidence: tuple[float, float, int, int] = (0.15, 0.7, 20, 3)) -> tuple[object, ...]:
    """What phrasing_table takes after the keys and ratios."""
    from slopsift.signals import phrasing

    return phrasing._word_ids(), phrasing._mark_bytes(), phrasing._BASE, phrasing.NGRAM_MAX, evidence


def _phrasing_both(
    text: str,
    table: tuple[object, object] | None = None,
    evidence_score: float = float("-inf"),
    **evidence: float,
) -> tuple[float, object]:
    """C.phrasing_score and phrasing._score_py of ``text``: the same score, bit for bit, and the same
    evidence candidates (by default for every score, so that they are compared too)."""
    import struct
    from unittest import mock

    from slopsift.document import parse
    from slopsift.signals import phrasing

    assert C is not None
    settings_ = {
        "EVIDENCE_MIN_RATIO": phrasing.EVIDENCE_MIN_RATIO,
        "_EVIDENCE_CANDIDATES": phrasing._EVIDENCE_CANDIDATES,
        "EVIDENCE_SPANS": phrasing.EVIDENCE_SPANS,
        **evidence,
    }
    keys, ratios = phrasing._table() if table is None else table
    scorer = C.phrasing_table(keys, ratios, *_phrasing_args((evidence_score, *settings_.values())))
    prose = phrasing._prose(parse(text))
    got = C.phrasing_score(
        scorer, prose.words, prose.ids, prose.initials, prose.text, prose.starts, prose.ends
    )
    with mock.patch.multiple(phrasing, _table=lambda: (keys, ratios), **settings_):
        want = phrasing._score_py(prose, evidence_score)
    assert got == want
    assert struct.pack("<d", got[0]) == struct.pack("<d", want[0])  # not even the sign of a zero differs
    # without evidence: the same score and no candidates, whatever the evidence score
    alone = C.phrasing_score(
        scorer, prose.words, prose.ids, prose.initials, prose.text, prose.starts, prose.ends, False
    )
    assert alone[1] is None
    assert struct.pack("<d", alone[0]) == struct.pack("<d", want[0])
    return got


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PHRASING_PIECES), max_size=120), st.booleans())
def test_phrasing_score(pieces: list[str], spaced: bool) -> None:
    text = (" " if spaced else "").join(pieces)
    _phrasing_both(text)
    _phrasing_both(text, _phrasing_table(SMALL_TABLE))
    # every candidate, even runs the table lacks (gains of 0: the smaller key first)
    _phrasing_both(
        text, _phrasing_table(SMALL_TABLE), EVIDENCE_MIN_RATIO=float("-inf"), _EVIDENCE_CANDIDATES=500
    )


@needs_c
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_phrasing_score_any_text(text: str) -> None:
    _phrasing_both(text)
    _phrasing_both(text, _phrasing_table(SMALL_TABLE), EVIDENCE_SPANS=1)


@needs_c
@settings(max_examples=200, deadline=None)
@given(st.data())
def test_phrasing_score_any_table(data: st.DataObject) -> None:
    # ratios anywhere a table may hold them (subnormal, huge, of both signs) on runs the text has
    import numpy as np

    from slopsift.document import parse
    from slopsift.signals import phrasing

    text = " ".join(data.draw(st.lists(st.sampled_from(PHRASING_PIECES), max_size=80)))
    runs = np.unique(phrasing.ngram_keys(parse(text)))
    chosen = data.draw(st.lists(st.sampled_from(runs.tolist()), unique=True) if len(runs) else st.just([]))
    keys = np.array(sorted(chosen), dtype=np.int64)
    finite = st.floats(-phrasing.MAX_RATIO, phrasing.MAX_RATIO, allow_nan=False)
    ratios = np.array(data.draw(st.lists(finite, min_size=len(keys), max_size=len(keys))), dtype=np.float64)
    _phrasing_both(text, (keys, ratios))
    _phrasing_both(text, (keys, ratios), phrasing.EVIDENCE_SCORE, EVIDENCE_MIN_RATIO=0.0)


@needs_c
def test_phrasing_score_edges() -> None:
    import numpy as np

    from slopsift.document import parse
    from slopsift.signals import phrasing

    assert C is not None
    small = _phrasing_table(SMALL_TABLE)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0))
    for text in [
        "", " ", "\n\n\t ", "!!! ... ,,, ;;", "(", "no marks at all", "3.5 1,000.25 e.g. U.S. x.y 2.", "3.5.",
        "café, naïve; \u4e2d\u6587 (x) \u2014 \u00bfqué? \U0001f600 !", "\u0100 (2-byte text), \u0101.",
        "It is, of course, the 3.5 way (not e.g. mine)! " * 5000,  # a run table past the reused one
        ". " * 3000, "the " * 3000,  # one run repeated: counts past the small log1p table
    ]:  # fmt: skip
        for table in (None, small, empty):
            _phrasing_both(text, table)
            _phrasing_both(text, table, phrasing.EVIDENCE_SCORE)
    assert _phrasing_both("")[0] == 0.0 and _phrasing_both("")[1] is None
    assert _phrasing_both("!!!", empty) == (0.0, [])  # runs, none in the table: no candidate

    keys, ratios = phrasing._table()
    args = _phrasing_args()
    scorer = C.phrasing_table(keys, ratios, *args)
    doc = parse("It is vital, which we see.")
    ok = [scorer, doc.words, doc.word_ids, doc.word_initials, doc.text, doc.word_starts, doc.word_ends]
    assert C.phrasing_score(*ok) == phrasing._score_py(phrasing._prose(doc))
    # a document with a link and a code line reads its prose only, the same in both twins
    for text in (
        "See [the guide](https://example.com/a.html), which helps. It is good.\n\n    x = f(1, 2)\n",
        "Visit www.example.org/x?y=1; it is, in short, vital.",
    ):
        _phrasing_both(text)  # asserts the twins agree

    def bad(at: int, value: object) -> list[object]:
        return [*ok[:at], value, *ok[at + 1 :]]

    with pytest.raises(ValueError):
        C.phrasing_score(*bad(2, doc.word_ids[:-1]))  # as many ids as words
    with pytest.raises(ValueError):
        C.phrasing_score(*bad(3, doc.word_initials + "x"))
    with pytest.raises(IndexError):
        C.phrasing_score(*bad(2, [0, 5, *doc.word_ids[2:]]))  # not an earlier position
    with pytest.raises(IndexError):
        C.phrasing_score(*bad(2, [-1, *doc.word_ids[1:]]))
    with pytest.raises(ValueError):
        C.phrasing_score(*bad(5, doc.word_starts[::-1]))  # starts must ascend
    with pytest.raises(TypeError):
        C.phrasing_score(*bad(6, [1.5] * len(doc.words)))
    with pytest.raises(TypeError):
        C.phrasing_score(*bad(0, object()))  # not a capsule

    class Falsy:  # the evidence flag is read as truth, which may raise
        def __bool__(self) -> bool:
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        C.phrasing_score(*ok, Falsy())
    with pytest.raises(TypeError):
        C.phrasing_score(*ok, True, None)  # one flag at most
    assert C.phrasing_score(*ok, 0) == (C.phrasing_score(*ok)[0], None)
    import datetime

    with pytest.raises(ValueError):
        C.phrasing_score(*bad(0, datetime.datetime_CAPI))  # another capsule
    with pytest.raises(TypeError):
        C.phrasing_score(C.phrasing_table(keys, ratios, {"it": "x"}, *args[1:]), *ok[1:])
    with pytest.raises(ValueError):
        C.phrasing_score(C.phrasing_table(keys, ratios, {"it": 160}, *args[1:]), *ok[1:])  # not below base

    with pytest.raises(TypeError):
        C.phrasing_table(keys.astype(np.int32), ratios, *args)
    with pytest.raises(TypeError):
        C.phrasing_table(keys, ratios.astype(np.float32), *args)
    with pytest.raises(TypeError):
        C.phrasing_table(keys.reshape(-1, 1), ratios, *args)
    with pytest.raises(ValueError):
        C.phrasing_table(keys, ratios[:-1], *args)
    for wrong in (np.nan, np.inf, 1e101):
        with pytest.raises(ValueError):
            C.phrasing_table(keys[:1], np.array([wrong]), *args)
    with pytest.raises(ValueError):
        C.phrasing_table(keys, ratios, args[0], b"\x00" * 127, *args[2:])
    with pytest.raises(ValueError):
        C.phrasing_table(keys, ratios, args[0], b"\xff" * 128, *args[2:])  # a mark id not below base
    with pytest.raises(ValueError):
        C.phrasing_table(keys, ratios, *args[:2], 160, 9, args[4])  # 160 ** 9 does not fit in 64 bits
    with pytest.raises(ValueError):
        C.phrasing_table(keys, ratios, *args[:4], (0.15, 0.7, 20, 0))  # no span
    # a strided view and keys out of range (never a run's) are fine
    strided = C.phrasing_table(np.repeat(keys, 2)[::2], np.repeat(ratios, 2)[::2], *args)
    assert C.phrasing_score(strided, *ok[1:]) == C.phrasing_score(*ok)
    outside = C.phrasing_table(np.array([-5, 0, 160**4], dtype=np.int64), np.ones(3), *args)
    assert C.phrasing_score(outside, *ok[1:])[0] == 0.0


@needs_c
def test_phrasing_score_survives_a_word_list_changed_by_a_key() -> None:
    from slopsift.signals import phrasing

    assert C is not None
    words: list[str] = []

    class Evil(str):
        __hash__ = str.__hash__

        def __eq__(self, other: object) -> bool:
            words.clear()  # the dict probe runs this: the list must not be read past its new end
            return str.__eq__(self, other)

    words.extend([Evil("the"), "the", "cat"])
    keys, ratios = phrasing._table()
    args = _phrasing_args()
    scorer = C.phrasing_table(keys, ratios, *args)
    with pytest.raises(RuntimeError):
        C.phrasing_score(scorer, words, [0, 1, 2], "ttc", "the the cat", [0, 4, 8], [3, 7, 11])


def _spelling_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    from slopsift.lexicons import _spelling

    sp = _spelling()
    return sp.common, sp.masked, sp.heads


@needs_c
@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="abcdeiorstuy'*", max_size=12),
        st.sampled_from(["recieve", "becuase", "goverment", "dont", "chatgpt", "tapestry", "xyzzy", "abc"]),
    ),
    st.integers(0, 12),
    st.sampled_from(["", "e", "x", "*", "'"]),
)
def test_one_edit(word: str, at: int, edit: str) -> None:
    from slopsift.lexicons import _one_edit_py

    assert C is not None
    sets = _spelling_sets()
    for w in (word, word[:at] + edit + word[at + 1 :], word[:at] + edit + word[at:]):
        assert C.one_edit(w, *sets) == _one_edit_py(w, *sets), w


@needs_c
def test_one_edit_edges() -> None:
    from slopsift.lexicons import _one_edit_py

    assert C is not None
    sets = _spelling_sets()
    for w in ("", "a", "recieve", "the" * 40, "abcdefghij" * 100):  # 120 and 1,000 letters: the heap buffer
        assert C.one_edit(w, *sets) == _one_edit_py(w, *sets), w
    masked = frozenset({"*bcd", "a*cd", "ab*d", "abc*"})
    small = (frozenset({"abcd"}), masked, frozenset({"", "a", "ab", "abc"}))
    for w in ("abcd", "abd", "abxd", "abdc", "xabcd", "abcdx", "bcd", "a" * 70):
        assert C.one_edit(w, *small) == _one_edit_py(w, *small), w
    assert C.one_edit("café", *sets) is None  # not ASCII: the caller runs the Python version
    with pytest.raises(TypeError):
        C.one_edit("word", ["common"], *sets[1:])  # not a set
    with pytest.raises(TypeError):
        C.one_edit(b"word", *sets)  # not a str


@needs_c
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x10FFFF, exclude_categories=()), max_size=200))
def test_special_edges(text: str) -> None:
    from slopsift.normalize import _SPECIAL, _special_edges_py

    assert C is not None
    want = _special_edges_py(text)
    assert C.special_edges(text) == want
    assert want == [e for m in _SPECIAL.finditer(text) for e in m.span()]  # the definition


@needs_c
def test_special_edges_edges() -> None:
    from slopsift.normalize import _special_edges_py

    assert C is not None
    texts = ("", " ", "plain", "\t\n", "\x00", "\x08\t\n\x0b\x1f \x7e\x7f", "é", "a\ud800b", "\U0001f600" * 3)
    texts += ("x\u2019", "\u2019x", "\x7f\x80\xff\u0100\uffff\U00010000")
    for text in texts:
        assert C.special_edges(text) == _special_edges_py(text), repr(text)
    with pytest.raises(TypeError):
        C.special_edges(b"bytes")


WORD_CHARS = "aeiouyblrstnkAE-'.,09\u00e9\u00e0\u00e6\u00ef\u00ff\u00f7\u00df\u0663\u0100"


@needs_c
@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=WORD_CHARS, max_size=14),
        st.sampled_from(["recieve", "don't", "well-known", "-", "--a--", "3.5", "rock'n'roll", "cafe"]),
    )
)
def test_word_fact(word: str) -> None:
    from slopsift.lexicons import _fact_tables, _new_facts_py

    assert C is not None
    with _accel.pure_python():  # the reference's spelling search in Python too, not C's one_edit
        want = _new_facts_py(word)
    assert C.word_fact(word, *_fact_tables()) == want


@needs_c
def test_word_fact_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    from slopsift import lexicons

    assert C is not None
    tables = lexicons._fact_tables()
    for word in ("", "'", "a" * 200, "x-" * 500, "\U0001f600", "\u0663\u0664", "hello-" + "world" * 30):
        with _accel.pure_python():
            want = lexicons._new_facts_py(word)
        assert C.word_fact(word, *tables) == want, word
    # a dictionary the C version does not read as Python does: None, and the caller runs Python
    cmu = {"a": True, "b": -1, "c": 1 << 41, "d": 2.0, "e": None, "f": 3}
    monkeypatch.setattr(lexicons, "_cmu", lambda: cmu)
    monkeypatch.setattr(lexicons, "_fact_tables", lambda: (cmu, *tables[1:]))
    for word in ("a", "b", "c", "d", "a-f", "f-c"):
        assert C.word_fact(word, cmu, *tables[1:]) is None, word
        got = lexicons._new_facts(word)  # C declines, so the caller's Python fallback answers
        assert got[0] == lexicons._syllables(word) and got == lexicons._new_facts_py(word)
    assert C.word_fact("e", cmu, *tables[1:]) == lexicons._new_facts_py("e")  # None: not in the dictionary
    assert C.word_fact("f-e'", cmu, *tables[1:]) == lexicons._new_facts_py("f-e'")
    with pytest.raises(TypeError):
        C.word_fact("word", [], *tables[1:])  # not a dict
    with pytest.raises(TypeError):
        C.word_fact("word", *tables[:2], ["known"], *tables[3:])  # not a set
    with pytest.raises(TypeError):
        C.word_fact(b"word", *tables)


CODE_PIECES = ["    ", "\t", "  \t", "   ", " ", "x", "- a", "1. b", "\n", "\n\n", "code", " \n", "```"]
CODE_PIECES += ["~~~", "``", "````", "~~~~", "   ```", "    ```", "*", "Word", "`", "~", "é", "\u2003"]
CODE_PIECES += ["\u2022 item", "\u0663. x"]


def _line_columns(text: str) -> tuple[list[int], list[int], list[bool]]:
    from slopsift.document import _line_spans_py

    return _line_spans_py(text.split("\n"))


@needs_c
@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(CODE_PIECES), max_size=30))
def test_code_lines(pieces: list[str]) -> None:
    from slopsift.structure import _code_lines_py, is_list_item

    assert C is not None
    text = "".join(pieces)
    starts, ends, blank = _line_columns(text)
    for fenced in (False, True):
        want = _code_lines_py(text, starts, ends, blank, fenced)
        assert C.code_lines(text, starts, ends, blank, fenced, is_list_item) == want


@needs_c
def test_code_lines_edges() -> None:
    from slopsift.structure import _code_lines_py, code_lines_of, is_list_item

    assert C is not None
    assert C.code_lines("", [], [], [], True, is_list_item) == frozenset()
    text = "    code\n\n````\n```\n  \n" + "`" * 20 + "\n\nx"  # a shorter fence does not close one
    cols = _line_columns(text)
    want = _code_lines_py(text, *cols, True)
    assert C.code_lines(text, *cols, True, is_list_item) == want == {0, 2, 3, 4, 5}
    # spans outside the text: None, and code_lines_of runs the Python version
    assert C.code_lines("ab", [5], [6], [False], True, is_list_item) is None
    assert C.code_lines("ab", [-1], [1], [False], True, is_list_item) is None
    assert code_lines_of("ab", [5], [6], [False]) == frozenset()  # (no line can be code)
    with pytest.raises(IndexError):
        code_lines_of("a```", [5], [6], [False])  # a fence: the Python scan reads text[5]
    with pytest.raises(ValueError):
        C.code_lines("ab", [0], [2], [], True, is_list_item)  # a flag per line
    with pytest.raises(ZeroDivisionError):
        C.code_lines("    x", [0], [5], [False], False, lambda line: 1 / 0)
    starts, ends, blank = [0, 6], [5, 11], [False, False]

    def shrinking(line: str) -> bool:
        starts.clear()  # the lists must not be read past their new end
        return False

    with pytest.raises(RuntimeError):
        C.code_lines("    x\n    y", starts, ends, blank, False, shrinking)


@needs_c
def test_twins_survive_arguments_that_run_code_mid_call() -> None:
    """A flag's ``__bool__`` or an id's ``__index__`` is Python code run inside the C loop: it may
    shrink the lists the loop reads (both once read past the end, a crash)."""
    starts, ends = [0, 6], [5, 11]

    class Flag:
        def __bool__(self) -> bool:
            starts.clear()
            ends.clear()
            return False

    with pytest.raises(RuntimeError, match="changed size"):
        C.code_lines("    x\n    y", starts, ends, [Flag(), False], False, lambda line: False)

    class Id:
        def __index__(self) -> int:
            seq.clear()
            return 0

    seq: list[object] = [Id(), 1, 2, 3, 4, 5, 6, 7]
    with pytest.raises(TypeError, match="must be ints"):
        C.repeated_ngrams(seq, 20, 4)
    # the first bad id is the error reported, not a later conversion's
    with pytest.raises(TypeError):
        C.repeat_runs(["x"], [2**70], 2, ["a"])
    with pytest.raises(TypeError):
        C.covered_chars(["x"], [2**70], ["a"])


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=2, max_size=80),
    st.lists(st.tuples(st.integers(0, 79), st.integers(0, 9))),
)
def test_opener_hits(ids: list[int], spans: list[tuple[int, int]]) -> None:
    assert C is not None
    spans = [(s, min(s + length, len(ids))) for s, length in spans if s + 1 < len(ids)]
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    want = repetition._opener_hits_py(starts, ends, ids, 6)
    assert C.opener_hits(starts, ends, ids, repetition.OPENER_MIN_WORDS, repetition.OPENER_MIN_USES) == want


@needs_c
def test_opener_hits_hostile() -> None:
    assert C is not None
    w, u = repetition.OPENER_MIN_WORDS, repetition.OPENER_MIN_USES
    assert C.opener_hits([], [], [], w, u) == (0, [], []) == repetition._opener_hits_py([], [], [], 1)
    starts, ends = [0, 4, 8, 12], [4, 8, 12, 16]
    ids = [0, 1, 2, 3] * 4
    assert C.opener_hits(starts, ends, ids, w, u) == (4, [0, 4, 8, 12], [4, 4, 4, 4])
    assert C.opener_hits(starts, ends, ids, w, u) == repetition._opener_hits_py(starts, ends, ids, 4)
    assert C.opener_hits(starts, [3, 7, 11, 15], ids, w, u) == (0, [], [])  # too short: not read
    big = 2**62  # huge ids: compared as they are
    assert C.opener_hits([0, 2, 4], [2, 4, 6], [big, -big, big, -big, big, -big], 2, 3) == (
        3,
        [0, 2, 4],
        [3, 3, 3],
    )
    many = list(range(0, 300_000, 4))
    assert C.opener_hits(many, [s + 4 for s in many], [7, 9] * 150_000, w, u) == (
        len(many),
        many,
        [len(many)] * len(many),
    )
    with pytest.raises(ValueError):
        C.opener_hits([0], [], [1, 2], w, u)
    with pytest.raises(ValueError):
        C.opener_hits([-1], [5], [1, 2], w, u)
    with pytest.raises(ValueError):
        C.opener_hits([0], [-5], [1, 2], w, u)
    with pytest.raises(IndexError):
        C.opener_hits([0], [5], [1], w, u)
    with pytest.raises(TypeError):
        C.opener_hits([0], [5], [1, "é"], w, u)
    with pytest.raises(TypeError):
        C.opener_hits([0.0], [5], [1, 2], w, u)
    with pytest.raises(TypeError):
        C.opener_hits((0,), [5], [1, 2], w, u)
    with pytest.raises(OverflowError):
        C.opener_hits([0], [2**70], [1, 2], w, u)
    with pytest.raises(OverflowError):
        C.opener_hits([0], [5], [2**70, 2], w, u)

    class Id(int):  # an int subclass: read as the int, no Python code runs
        def __index__(self) -> int:
            raise AssertionError

    assert C.opener_hits([Id(0)], [Id(4)], [Id(1), 2, 3, 4], w, 1) == (1, [0], [1])


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=400), st.integers(0, 45))
def test_mtld_mean(ids: list[int], size: int) -> None:
    # ids at or above size (masked words) are left out
    assert C is not None
    want = repetition._mtld_mean_py(ids, size)
    got = C.mtld_mean(ids, size, *MTLD_W, repetition.MTLD_THRESHOLD)
    assert got == want  # same float, bit for bit
    below = [i for i in ids if i < size]
    assert want == repetition._mtld_mean_py(below, size)


@needs_c
def test_mtld_mean_hostile() -> None:
    assert C is not None
    t = repetition.MTLD_THRESHOLD
    assert C.mtld_mean([], 0, *MTLD_W, t) == 0.0 == repetition._mtld_mean_py([], 0)
    assert C.mtld_mean([5, 6, 7], 5, *MTLD_W, t) == 0.0  # all masked
    assert C.mtld_mean([0, 1, 2], 3, *MTLD_W, t) == 3.0  # all distinct: the word count
    many = [i % 997 for i in range(300_000)]
    assert C.mtld_mean(many, 997, *MTLD_W, t) == repetition._mtld_mean_py(many, 997)
    with pytest.raises(ValueError):
        C.mtld_mean([0], -1, *MTLD_W, t)
    with pytest.raises(ValueError):
        C.mtld_mean([0], 1, 0, 1, t)
    with pytest.raises(IndexError):
        C.mtld_mean([0, -1], 2, *MTLD_W, t)
    with pytest.raises(TypeError):
        C.mtld_mean([0, "é"], 2, *MTLD_W, t)
    with pytest.raises(TypeError):
        C.mtld_mean([0, 1.0], 2, *MTLD_W, t)
    with pytest.raises(TypeError):
        C.mtld_mean((0, 1), 2, *MTLD_W, t)
    with pytest.raises(OverflowError):
        C.mtld_mean([0, 2**70], 2, *MTLD_W, t)
    assert C.mtld_mean([0, 2**62], 2, *MTLD_W, t) == 1.0  # huge but below 2**63: masked


def test_opener_hits_keeps_only_the_frequent_openers_uses() -> None:
    # one opener thrice (shown), another twice (not): the uses listed are the shown ones' only
    starts, ends = [0, 4, 8, 12, 16], [4, 8, 12, 16, 20]
    ids = [0, 1, 9, 9] * 3 + [2, 3, 9, 9] * 2
    want = (5, [0, 4, 8], [3, 3, 3])
    assert repetition._opener_hits_py(starts, ends, ids, 10) == want
    if C is not None:
        got = C.opener_hits(starts, ends, ids, repetition.OPENER_MIN_WORDS, repetition.OPENER_MIN_USES)
        assert got == want


@needs_c
def test_opener_hits_start_at_the_largest_int() -> None:
    # s + 1 would overflow: refused, not read past the ids
    assert C is not None
    for min_words in (0, -5):
        with pytest.raises(IndexError):
            C.opener_hits([2**63 - 1], [2**63 - 1], [1, 2], min_words, 1)


@needs_c
def test_mtld_mean_needs_no_memory_for_ids_it_never_sees() -> None:
    # the work array is sized by the kept ids, not by the size bound: no MemoryError, as the twin
    assert C is not None
    w = (repetition._MTLD_DEN - repetition._MTLD_NUM, repetition._MTLD_NUM, repetition.MTLD_THRESHOLD)
    assert C.mtld_mean([], 2**60, *w) == 0.0
    # MTLD does not depend on the bound beyond which ids it keeps
    assert C.mtld_mean([0, 1, 0, 2, 1], 2**33, *w) == repetition._mtld_mean_py([0, 1, 0, 2, 1], 3)


def test_mtld_of_the_scanned_words_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # past MAX_SCAN_WORDS no word counts, MTLD's included, with or without C (and code words are masked)
    monkeypatch.setattr(repetition, "MAX_SCAN_WORDS", 60)
    head = " ".join(f"w{i}" for i in range(30))
    more = " ".join(f"v{i}" for i in range(30))
    text = f"{head}.\n\n```\nx = y + z\n```\n\n{more}. " + "Same words again and again. " * 40
    got = repetition.compute(document.parse(text))[0]["mtld"]
    with _accel.pure_python():
        want = repetition.compute(document.parse(text))[0]["mtld"]
    assert got == want
    doc = document.parse(text)
    assert got == repetition._mtld_mean_py(repetition._prose(doc).ids[:60], doc.n_words)


@needs_c
@pytest.mark.skipif(sys.byteorder != "little", reason="the colliding words are for little-endian chunks")
def test_ascii_words_ids_full_hash_collisions() -> None:
    # With PYTHONHASHSEED=0 these words have equal full 64-bit word_hash values (found by search against
    # _speedups.c's word_hash and seed): "rsvgphzrpmkrczch" and its prefix "rsvgphzr"; "abcdefghijklmnop"
    # and "pdcgnmqmnglxzzte". Only the length check and the byte compare tell them apart.
    code = (
        "from collections import Counter\n"
        "from slopsift import _accel\n"
        "t = ('rsvgphzrpmkrczch rsvgphzr abcdefghijklmnop pdcgnmqmnglxzzte rsvgphzr pdcgnmqmnglxzzte '\n"
        "     'rsvgphzrpmkrczch')\n"
        "r = _accel.speedups.ascii_words_ids(t, (), Counter)\n"
        "print(r[4], list(r[5].values()))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[0] == "[0, 1, 2, 3, 1, 3, 0] [2, 2, 1, 2]"


@needs_c
def test_ascii_words_ids_frees_what_it_allocates() -> None:
    import gc
    import tracemalloc

    from slopsift.document import _shared_indices

    ints = _shared_indices()
    text = " ".join([f"w{i}" for i in range(500)] * 300)  # distinct words counted 300 times (no small ints)

    def boom() -> dict[str, int]:
        raise ZeroDivisionError

    def big_list() -> list[None]:
        return [None] * 1000

    for counter_type in (Counter, big_list, boom):  # success, a non-dict counter (8 KB), a raising one

        def call(counter_type: object = counter_type) -> None:
            with contextlib.suppress(TypeError, ZeroDivisionError):
                C.ascii_words_ids(text, ints, counter_type)

        for _ in range(3):
            call()
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(20):
                call()
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert grown < 4096, (counter_type, grown)


@needs_c
def test_ascii_words_ids_ids_are_the_shared_ints() -> None:
    from slopsift.document import MAX_INDEXED, _shared_indices

    ints = _shared_indices()
    words = [f"w{i}" for i in range(1000)]
    ids = C.ascii_words_ids(" ".join(words + words), ints, Counter)[4]
    assert ids == 2 * list(range(1000))
    assert all(i is ints[i] for i in ids if i < MAX_INDEXED)  # no int allocated per word


@needs_c
def test_ascii_words_ids_counter_type_cannot_reach_the_lists() -> None:
    # A counter type runs Python code; the lists being built must not be reachable then (gc.get_objects).
    import gc

    def evil() -> dict[str, int]:
        for o in gc.get_objects():
            if type(o) is list and o[:3] == ["qqa", "qqb", "qqa"]:
                o.clear()
        return {}

    got = C.ascii_words_ids("qqa qqb qqa", (), evil)
    assert got[2] == ["qqa", "qqb", "qqa"] and got[4] == [0, 1, 0] and got[5] == {"qqa": 2, "qqb": 1}


# --- the word-facts table (lexicons._fact_table, twin of lexicons._FACTS) -----------------------------


FACT_WORDS = [*VOCAB, "naïve", "日本", "𝔘nicode", "x" * 40]


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FACT_WORDS), max_size=400), st.integers(1, 9))
def test_fact_table_is_the_facts_dict(words: list[str], limit: int) -> None:
    from slopsift.document import _word_ids_counts
    from slopsift.lexicons import _FACTS, _shared_new_facts

    assert C is not None
    ids = _word_ids_counts(words)[0]
    want = list(map(_FACTS.__getitem__, words))
    for table in (C.fact_table(_shared_new_facts, limit), C.fact_table(_shared_new_facts, 65536)):
        assert table.gather(ids, words) == want
        assert table.gather(None, words) == want  # every word looked up
        # equal words that are other str objects find the same entries
        assert table.gather(ids, [w.encode().decode() for w in words]) == want
        assert len(table) <= max(limit, len(set(words)))


@needs_c
def test_fact_table_empties_at_its_limit() -> None:
    assert C is not None
    calls: list[str] = []

    def missing(w: str) -> int:
        calls.append(w)
        return len(w)

    table = C.fact_table(missing, 2)
    assert table.gather(None, ["a", "bb", "a"]) == [1, 2, 1] and len(table) == 2
    assert table.gather(None, ["ccc"]) == [3] and len(table) == 1  # full: emptied, then ccc
    assert table.gather(None, ["a"]) == [1] and calls == ["a", "bb", "ccc", "a"]
    table.clear()
    assert len(table) == 0 and table.gather([], []) == []
    big = [str(i) for i in range(100_000)]
    assert table.gather(None, big) == list(map(len, big)) and len(table) <= 2


@needs_c
def test_fact_table_rejects_bad_arguments() -> None:
    assert C is not None
    with pytest.raises(TypeError):
        C.fact_table(None, 10)  # not callable
    for bad in (0, -1, 2**41):
        with pytest.raises(ValueError):
            C.fact_table(len, bad)
    table = C.fact_table(len, 4)
    with pytest.raises(IndexError):
        table.gather([0, 2], ["a", "b"])  # not an earlier position
    with pytest.raises(IndexError):
        table.gather([0, -1], ["a", "b"])
    with pytest.raises(ValueError):
        table.gather([0], ["a", "b"])  # fewer ids than words
    with pytest.raises(TypeError):
        table.gather([0, "1"], ["a", "b"])
    with pytest.raises(TypeError):
        table.gather((0, 1), ["a", "b"])  # a list or None
    with pytest.raises(TypeError):
        table.gather(None, ("a", "b"))
    for word in (b"a", 1, None, type("S", (str,), {})("a")):
        with pytest.raises(TypeError):
            table.gather(None, ["a", word])  # exact str only
    assert table.gather([0, 0], ["a", 5]) == [1, 1]  # a repeat is never looked up
    assert len(table) == 1


@needs_c
def test_fact_table_survives_hostile_missing() -> None:
    assert C is not None
    words = ["w" + str(i % 50) for i in range(300)]

    def failing(w: str) -> int:
        if w == "w7":
            raise KeyError(w)
        return len(w)

    table = C.fact_table(failing, 8)
    with pytest.raises(KeyError):
        table.gather(None, words)
    assert table.gather(None, ["w1", "w12"]) == [2, 3]

    # missing that re-enters the table, empties it, and changes the caller's lists
    ids = document._word_ids_counts(words)[0]
    box: list[object] = []

    def reentrant(w: str) -> int:
        t = box[0]
        assert isinstance(t, type(table))
        if w.endswith("3"):
            t.clear()
        elif w.endswith("5"):
            assert t.gather(None, [w + "x", "w1"]) == [len(w) + 1, 2]
        words.clear()
        ids.clear()
        return len(w)

    for limit in (1, 3, 1000):
        box[:] = [C.fact_table(reentrant, limit)]
        words[:] = ["w" + str(i % 50) for i in range(300)]
        ids[:] = document._word_ids_counts(words)[0]
        want = list(map(len, words))
        got = box[0].gather(ids, words)  # type: ignore[attr-defined]
        assert got == want


@needs_c
def test_fact_table_cycles_are_collected() -> None:
    import gc
    import weakref

    assert C is not None

    class Facts:
        pass

    box: list[object] = []

    def missing(w: str) -> Facts:
        f = Facts()
        f.table = box[0]  # type: ignore[attr-defined]
        return f

    table = C.fact_table(missing, 10)
    box.append(table)
    first = table.gather(None, ["a", "b"])[0]
    gone = weakref.ref(first)
    del first, table
    box.clear()
    gc.collect()
    assert gone() is None


@needs_c
def test_word_facts_c_and_python_agree() -> None:
    from slopsift import lexicons

    words = ["The", "recieve", "naïve", "well-known", "3.5", "chatgpt", "the", "x" * 300, ""]
    words = [w.lower() for w in words]
    ids = document._word_ids_counts(words)[0]
    got = lexicons.word_facts(words, ids)
    assert lexicons.word_facts(words) == got
    with _accel.pure_python():
        assert lexicons.word_facts(words, ids) == got


def _pair_inputs(
    ids: list[int], lengths: list[int]
) -> tuple[repetition._Level, tuple[list[int], ...]] | None:
    """The shingles of word ids ``ids`` and what ``near_dup_units`` gives for units of ``lengths``."""
    shingles = repetition._repeated_ngrams_py(ids, len(ids) + 1, repetition.SHINGLE)[repetition.SHINGLE]
    starts, ends = _units(lengths)
    ends = [min(e, len(ids)) for e in ends]
    starts = [min(s, e) for s, e in zip(starts, ends, strict=True)]
    _, last, los, his, lengths_, active = repetition._near_dup_units_py(starts, ends, shingles.pos)
    return None if last < 0 else (shingles, (los, his, lengths_, active))


def _pairs_c(shingles: repetition._Level, cols: tuple[list[int], ...]) -> list[tuple[int, int, float]] | None:
    assert C is not None
    r = repetition
    return C.near_dup_pairs(
        shingles.gids, *cols, r.NEAR_DUP_JACCARD, r.SHINGLE, r.POSTING_CAP, r.CANDIDATE_CAP
    )


@needs_c
@settings(max_examples=400, deadline=None)
@given(
    st.integers(1, 6),
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(6, 14),
            st.lists(st.tuples(st.integers(0, 13), st.integers(0, 30)), max_size=4),
        ),
        max_size=60,
    ),
)
def test_near_dup_pairs(templates: int, units: list[tuple[int, int, list[tuple[int, int]]]]) -> None:
    # units copied from a few templates with a few words changed: exact copies, near-duplicates, shared
    # shingles with many earlier units (then the C version leaves the cap to the Python one)
    ids: list[int] = []
    lengths = []
    for t, n, edits in units:
        unit = [(t % templates) * 20 + k for k in range(n)]
        for at, w in edits:
            unit[at % n] = w
        ids.extend(unit)
        lengths.append(n)
    got = _pair_inputs(ids, lengths) if len(ids) >= 3 else None
    if got is None:
        return
    shingles, cols = got
    found = _pairs_c(shingles, cols)
    want = repetition._near_dup_pairs_py(shingles, *cols)
    if found is None:  # some unit shares shingles with more than CANDIDATE_CAP units
        assert len(cols[0]) > repetition.CANDIDATE_CAP
    else:
        assert found == want


@needs_c
def test_near_dup_pairs_cases() -> None:
    sentence = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    other = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
    ids = sentence + other + sentence + sentence[:9] + [20] + other
    got = _pair_inputs(ids, [10] * 6)
    assert got is not None
    shingles, cols = got
    want = repetition._near_dup_pairs_py(shingles, *cols)
    assert _pairs_c(shingles, cols) == want == [(0, 2, 1.0), (0, 3, 7 / 9), (1, 4, 1.0)]
    # units sharing shingles with more than CANDIDATE_CAP earlier ones: left to the Python version
    ids = sentence * (repetition.CANDIDATE_CAP + 3) + list(range(30, 50))
    shingles, cols = _pair_inputs(ids, [10] * (repetition.CANDIDATE_CAP + 3) + [20]) or (None, ())
    assert shingles is not None
    assert _pairs_c(shingles, cols) is not None  # exact copies are found before any candidate is counted
    many = [list(range(k, k + 12)) for k in range(40)]  # overlapping windows: 40 units sharing shingles
    ids = [w for u in many for w in u]
    shingles, cols = _pair_inputs(ids, [12] * 40) or (None, ())
    assert shingles is not None
    if _pairs_c(shingles, cols) is None:
        assert repetition._near_dup_pairs_py(shingles, *cols) is not None


@needs_c
def test_near_dup_pairs_hostile() -> None:
    assert C is not None
    a = (0.5, 3, 8, 16)
    assert C.near_dup_pairs([], [], [], [], [], *a) == []
    assert C.near_dup_pairs([0, 1], [0], [2], [10], [False], *a) == []  # inactive units are not read
    assert C.near_dup_pairs([5, 5, 5], [0, 0], [3, 3], [5, 5], [True, True], *a) == [(0, 1, 1.0)]
    big = list(range(300_000))
    assert C.near_dup_pairs(big, [0, 0], [300_000, 300_000], [300_002] * 2, [True, True], *a) == [(0, 1, 1.0)]
    with pytest.raises(ValueError):
        C.near_dup_pairs([0], [0], [1], [10], [True, True], *a)  # columns of different lengths
    with pytest.raises(ValueError):
        C.near_dup_pairs([0], [0], [2], [10], [True], *a)  # a range past the ids
    with pytest.raises(ValueError):
        C.near_dup_pairs([0], [1], [0], [10], [True], *a)  # an empty range
    with pytest.raises(ValueError):
        C.near_dup_pairs([0, 1, 2], [0], [3], [3], [True], *a)  # more positions than shingles
    with pytest.raises(ValueError):
        C.near_dup_pairs([-1], [0], [1], [10], [True], *a)
    with pytest.raises(ValueError):
        C.near_dup_pairs([0], [0], [1], [10], [True], 0.5, 3, 0, 16)  # no posting
    with pytest.raises(TypeError):
        C.near_dup_pairs([0], [0], [1], [10], [1], *a)  # active holds bools
    with pytest.raises(TypeError):
        C.near_dup_pairs(["é"], [0], [1], [10], [True], *a)
    with pytest.raises(TypeError):
        C.near_dup_pairs([1.0], [0], [1], [10], [True], *a)
    with pytest.raises(TypeError):
        C.near_dup_pairs((0,), [0], [1], [10], [True], *a)
    with pytest.raises(OverflowError):
        C.near_dup_pairs([1 << 70], [0], [1], [10], [True], *a)


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-50, 50), max_size=40), st.lists(st.integers(-60, 60), max_size=40))
def test_bisect_intp(a: list[int], xs: list[int]) -> None:
    import numpy as np

    from slopsift.document import _shared_indices

    assert C is not None
    arr = np.array(sorted(a), dtype=np.intp)
    want = document._bisect_intp_py(arr, xs)
    assert want == document._bisect_lefts_py(sorted(a), xs)
    assert C.bisect_intp(arr, xs, _shared_indices()) == want
    assert C.bisect_intp(arr.tobytes(), xs, ()) == want  # the raw bytes, no shared ints


@needs_c
def test_bisect_intp_hostile() -> None:
    import numpy as np

    from slopsift.document import MAX_INDEXED, _shared_indices

    assert C is not None
    ints = _shared_indices()
    assert C.bisect_intp(b"", [], ints) == []
    assert C.bisect_intp(b"", [5, -5], ints) == [0, 0]
    big = np.arange(0, 4 * MAX_INDEXED, 2, dtype=np.intp)  # results past the shared ints
    xs = [-1, 0, 1, 2 * MAX_INDEXED, 8 * MAX_INDEXED, 2**62]
    assert C.bisect_intp(big, xs, ints) == document._bisect_intp_py(big, xs)
    got = C.bisect_intp(big, [2 * MAX_INDEXED - 2], ints)
    assert got == [MAX_INDEXED - 1] and got[0] is ints[-1]  # a shared int
    with pytest.raises(ValueError):
        C.bisect_intp(b"abc", [1], ints)  # not whole Py_ssize_t values
    with pytest.raises(TypeError):
        C.bisect_intp("abc", [1], ints)  # not a buffer
    with pytest.raises(TypeError):
        C.bisect_intp(big, [1, "a"], ints)  # not an int
    with pytest.raises(TypeError):
        C.bisect_intp(big, [1.5], ints)
    with pytest.raises(TypeError):
        C.bisect_intp(big, (1,), ints)  # a list
    with pytest.raises(TypeError):
        C.bisect_intp(big, [1], [0])  # the shared ints must be a tuple
    with pytest.raises(OverflowError):
        C.bisect_intp(big, [2**70], ints)
    with pytest.raises(ValueError):
        C.bisect_intp(big[::2], [1], ints)  # not contiguous
    assert len(C.bisect_intp(np.array([3, 1, 2], dtype=np.intp), [2, 9], ints)) == 2  # unsorted: no crash
    mixed = "the 1.5 café cat\nSat. On the mat. A dog ran!\n" * 50
    with _accel.pure_python():
        want_doc = slopsift.parse(mixed)
    got_doc = slopsift.parse(mixed)
    assert got_doc.sentences == want_doc.sentences


@needs_c
def test_fact_table_gather_exposes_no_unset_list_items() -> None:
    # review17: gather made its result list first and called `missing` while the list still had unset
    # (NULL) items; `missing` reaching it through gc.get_objects() and reading it crashed the
    # interpreter (found by review: a re-entrant `missing` in the fuzz harness). In a subprocess: a
    # crash must fail this test, not end the run.
    code = (
        "import gc\n"
        "from slopsift import _accel\n"
        "words = ['aa', 'bb', 'cc']\n"
        "def missing(w):\n"
        "    for o in gc.get_objects():\n"
        "        if type(o) is list and len(o) == 3 and o is not words:\n"
        "            list(o)  # reads every item\n"
        "    return len(w)\n"
        "print(_accel.speedups.fact_table(missing, 10).gather(None, words))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[2, 2, 2]"


@needs_c
def test_near_dup_pairs_rejects_overflowing_sizes() -> None:
    # review17: the shingle length and the units' lengths were not bounded below, so a unit's size
    # (length - shingle + 1 - ...) and the sum of two sizes overflowed Py_ssize_t (found by UBSan:
    # "signed integer overflow" at the range check); with -fwrapv the check then passed on wrapped
    # values and gave meaningless pairs.
    assert C is not None
    m = sys.maxsize
    cols = ([0, 0], [0, 0], [1, 1], [10, 10], [True, True])
    for shingle in (0, -1, -(m // 2), -m, m):
        with pytest.raises(ValueError):
            C.near_dup_pairs(*cols, 0.5, shingle, 8, 16)
    with pytest.raises(ValueError):
        C.near_dup_pairs([0], [0], [1], [-m - 1], [True], 0.5, 3, 8, 16)  # a negative length
    assert C.near_dup_pairs([5, 5, 5], [0, 0], [3, 3], [5, 5], [True, True], 0.5, 3, 8, 16) == [(0, 1, 1.0)]
    big = m // 4  # the largest shingle and length: sizes of 1
    assert C.near_dup_pairs([0], [0, 0], [1, 1], [big, big], [True, True], 0.5, big, 8, 16) == [(0, 1, 1.0)]


@needs_c
def test_bisect_intp_reads_unaligned_buffers() -> None:
    # review17: bisect_intp read the buffer as an array of Py_ssize_t, a misaligned load (undefined
    # behaviour) for a buffer that does not start on an 8-byte boundary, such as memoryview(b)[1:] or an
    # unaligned numpy view (found by UBSan: "load of misaligned address" in the ASan+UBSan build, which
    # this test fails before the fix; x86 itself tolerates the load). The values must be numpy's.
    import numpy as np

    assert C is not None
    values = np.array([-7, 0, 3, 3, 10, 2**40], dtype=np.intp)
    for shift in range(1, values.itemsize):
        raw = bytearray(shift) + bytearray(values.tobytes())
        view = memoryview(raw)[shift:]
        unaligned = np.frombuffer(raw, dtype=np.intp, offset=shift)
        assert not unaligned.flags.aligned
        xs = [-8, -7, 0, 2, 3, 4, 11, 2**40, 2**41]
        want = document._bisect_intp_py(unaligned, xs)
        assert C.bisect_intp(view, xs, ()) == want
        assert C.bisect_intp(unaligned, xs, ()) == want


# Heading lines: markdown, HTML-ish, numbered, label and plain headings, setext underlines, list items,
# code, and the characters the candidate filter reads (Unicode digits, capitals and whitespace).
HEADING_PIECES = [
    "# Intro",
    "## Two ##",
    "####### seven",
    "#no space",
    "   # three spaces",
    "\t# tab",
    "<h2>Title</h2>",
    "<H3 class='x'> Inner </h3>",
    "<p>para</p>",
    "**Bold Title**",
    "__Under Title__",
    "1. First Step",
    "2) Second",
    "IV. The Fourth",
    "I The Role of Things",
    "\u0663. Arabic Digit Title",
    "Label:",
    "Why It Matters:",
    "Here are the steps:",
    "Plain Title Here",
    "Wrapping Up",
    "A Question Worth Asking?",
    "\u00c9tude des Choses",
    "\u0394elta Heading",
    "\U0001f4a1 Final Thoughts",
    "\U0001f3af\ufe0f  Key Takeaways:",
    "\u2728\u2728 Emoji Run Title",
    "\u20ac Euro Title",
    "\U0001f600",
    "\u3000Ideographic Space Title",
    "\u00a0No-break Title",
    "\x1cSeparator Title",
    "    Indented Title",
    "===",
    "---",
    "  ----",
    "- list item",
    "* Star Item",
    "```",
    "~~~",
    "This is a long body sentence that runs on for a while, as prose does in real documents.",
    "It ends here.",
    "and continues in lower case",
    "Short line, ends with comma,",
    "x" * 301,
    "Y" * 299 + ":",
    "T" + "itle " * 20,
    "",
    "   ",
    "\t",
]


def _heading_twins(text: str) -> None:
    from slopsift.document import _lines
    from slopsift.structure import _heading_candidates_py, code_lines_of, detect_headings

    assert C is not None
    lines, starts, ends, blank = _lines(text.split("\n"))
    code = code_lines_of(text, starts, ends, blank)
    got = C.heading_candidates(text, starts, ends, blank, code)
    assert got == _heading_candidates_py(text, starts, ends, blank, code)
    assert got is not None
    headings = detect_headings(text, lines, code, (starts, ends, blank))
    assert {h.line for h in headings} <= set(got)
    with _accel.pure_python():  # every line looked at: the same headings
        assert detect_headings(text, lines, code) == headings
    assert detect_headings(text, lines, code) == headings  # (columns from the lines)


@needs_c
@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(HEADING_PIECES), max_size=40))
def test_heading_candidates(pieces: list[str]) -> None:
    _heading_twins("\n".join(pieces))


@needs_c
@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                [
                    *"#<>*_=-:.,;!? \tIVXLab1Zh/\u0663\u00c9\u00e9\u3000\u00a0\x1c\u2028\x85",
                    *"\U0001f4a1\ufe0f\u20ac",  # an emoji, its variation selector, a currency sign
                ]
            ),
            max_size=90,
        ),
        max_size=25,
    )
)
def test_heading_candidates_hostile_lines(lines: list[str]) -> None:
    _heading_twins("\n".join(lines))


@needs_c
def test_heading_candidates_edges() -> None:
    from slopsift.structure import _heading_candidates_py

    assert C is not None
    assert (
        C.heading_candidates("", [], [], [], frozenset())
        == []
        == _heading_candidates_py("", [], [], [], frozenset())
    )
    _heading_twins("")
    _heading_twins("# " + "\u00e9" * 10_000)  # a very long line is never read
    _heading_twins(("Title Line\n" + "Body text that goes on and on. " * 5 + "\n\n") * 2000)
    # a line blank by its flag but not by its text: a candidate, and detect_headings reads it as before
    assert C.heading_candidates("  \nx", [0, 3], [2, 4], [False, False], frozenset()) == [0]
    # spans outside the text, or of another type than int: None (detect_headings looks at every line)
    for starts, ends in (([5], [6]), ([-1], [1]), ([1], [0]), ([0], [2**70]), ([0.0], [1]), ([True], [1])):
        args = ("ab", starts, ends, [False], frozenset())
        assert C.heading_candidates(*args) is None
        assert _heading_candidates_py(*args) is None  # type: ignore[arg-type]
    # a next line outside the text, read for a setext underline
    assert C.heading_candidates("Ab", [0, 0], [2, 9], [False, False], frozenset()) is None
    # a long line is skipped unread, wherever it lies
    assert C.heading_candidates("ab", [0], [400], [False], frozenset()) == []
    assert C.heading_candidates("ab", [-(2**62)], [2**62], [False], frozenset()) == []
    # flags other than bools, code other than a set of ints: None
    assert C.heading_candidates("# a", [0], [3], [1], frozenset()) is None
    assert C.heading_candidates("# a", [0], [3], [False], frozenset({0.0})) is None
    assert C.heading_candidates("# a", [0], [3], [False], {0: 1}) is None
    assert C.heading_candidates("# a", [0], [3], [False], frozenset({2**80, -1, 7})) == [0]
    assert C.heading_candidates("# a", [0], [3], [False], {0}) == []
    with pytest.raises(ValueError):
        C.heading_candidates("ab", [0], [2], [], frozenset())  # a flag per line
    with pytest.raises(TypeError):
        C.heading_candidates(b"ab", [0], [2], [False], frozenset())
    with pytest.raises(TypeError):
        C.heading_candidates("ab", (0,), [2], [False], frozenset())


@needs_c
@settings(max_examples=1000, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("ab ~\t\n\x00\x1f\x7f\x80\xff\u0100\u2019\u7f7e\u8000\uffff\U0001f600")
        ),
        max_size=60,
    ),
    st.integers(0, 9),
)
def test_special_edges_word_at_a_time(text: str, pad: int) -> None:
    # the 1- and 2-byte kinds are scanned eight bytes at a time: every alignment, lanes near the bounds
    from slopsift.normalize import _special_edges_py

    assert C is not None
    for t in (text, "x" * pad + text, text + "y" * pad, "\u2019" + "z" * pad + text):
        assert C.special_edges(t) == _special_edges_py(t)


@needs_c
def test_build_frozen_stores_slots_directly_only_for_their_own_class() -> None:
    # Member descriptors of cls (or a base) are stored at their offsets; anything else goes through the
    # descriptor's setter, with its checks.
    import dataclasses

    from slopsift._frozen import _build_frozen_py, slot_descriptors
    from slopsift.document import Paragraph, Sentence

    assert C is not None

    @dataclasses.dataclass(frozen=True, slots=True)
    class Wide:  # more fields than the direct path takes
        a: object
        b: object
        c: object
        d: object
        e: object
        f: object
        g: object
        h: object
        i: object

    cols = tuple([k, -k, str(k), None, (k,), 2.5, "é" * k, True, [k]] for k in range(3))
    columns = tuple(list(col) for col in zip(*cols, strict=True))
    slots = slot_descriptors(Wide)
    assert (
        C.build_frozen(Wide, slots, columns)
        == _build_frozen_py(Wide, slots, *columns)
        == [Wide(*c) for c in cols]
    )

    class Sub(Sentence):  # a subclass: the base's slots are its own
        __slots__ = ()

    got = C.build_frozen(Sub, slot_descriptors(Sentence), ([1, 5], [2, 6], [3, 7], [4, 8]))
    assert [type(s) for s in got] == [Sub, Sub]
    assert [(s.start, s.end, s.word_start, s.word_end) for s in got] == [(1, 2, 3, 4), (5, 6, 7, 8)]
    with pytest.raises(TypeError):  # another class's slot: member_set refuses it
        C.build_frozen(Sentence, slot_descriptors(Paragraph), ([1], [2], [3], [4]))
    seen: list[object] = []

    class Prop:
        __slots__ = ("x",)
        y = property(lambda self: None, lambda self, v: seen.append(v))

    (p,) = C.build_frozen(Prop, (Prop.__dict__["x"], Prop.__dict__["y"]), ([1], ["v"]))
    assert p.x == 1 and seen == ["v"]


CUE_VOCAB = ["3", "10", "five", "not", "never", "rise", "fall", "tips", "ways", "president", "café", "²", ""]
_CueSets = tuple[set[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str]]


def _cue_sets(pick: list[set[str]]) -> _CueSets:
    numeric, counted, polar, nouns, roles = pick
    return numeric, frozenset(counted), frozenset(polar), frozenset(nouns), frozenset(roles)


@needs_c
@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(CUE_VOCAB), max_size=120),
    st.lists(st.integers(0, 200), max_size=60),
    st.lists(st.integers(-5, 130), max_size=30),
    st.lists(st.integers(-5, 130), max_size=30),
    st.lists(st.sets(st.sampled_from(CUE_VOCAB)), min_size=5, max_size=5),
    st.booleans(),
)
def test_cue_sentences(
    words: list[str], pos: list[int], starts: list[int], ends: list[int], pick: list[set[str]], tidy: bool
) -> None:
    from slopsift.signals.inconsistency import _cue_sentences_py

    assert C is not None
    pos = [i for i in pos if i < len(words)]
    if tidy:  # as _scan passes them: ascending positions, ascending sentence starts
        pos, starts = sorted(set(pos)), sorted(starts)
    ends = ends + [0] * (len(starts) - len(ends))  # as many ends as starts (or more)
    sets = _cue_sets(pick)
    want = _cue_sentences_py(pos, words, starts, ends, *sets)
    assert C.cue_sentences(pos, words, starts, ends, *sets) == want


@needs_c
def test_cue_sentences_cases() -> None:
    from slopsift.signals.inconsistency import _cue_sentences_py

    assert C is not None
    words = ["in", "2020", "five", "tips", "were", "not", "given", ".", "tips", "rise", "president", "²", "3"]
    sets = ({"2020", "five", "²", "3"}, frozenset({"tips"}), frozenset({"not", "rise"}), frozenset({"tips"}),
            frozenset({"president"}))  # fmt: skip
    pos = list(range(len(words)))
    for starts, ends in (([0, 8], [8, 13]), ([0, 9], [7, 12]), ([2], [13]), ([], []), ([0], [13, 99])):
        want = _cue_sentences_py(pos, words, starts, ends, *sets)
        assert C.cue_sentences(pos, words, starts, ends, *sets) == want
    by_sent, polar, cue_sents, role_sents = C.cue_sentences(pos, words, [0, 8], [8, 13], *sets)
    assert by_sent == {0: [1, 2], 1: [11, 12]} and polar == [0, 1] and cue_sents == [0] and role_sents == [1]
    assert C.cue_sentences([], [], [], [], *sets) == ({}, [], [], [])
    n = 200_000  # huge: one sentence, every word a number
    assert C.cue_sentences(list(range(n)), ["7"] * n, [0], [n], {"7"}, *sets[1:])[0] == {0: list(range(n))}


@needs_c
def test_cue_sentences_hostile() -> None:
    assert C is not None
    s, none = frozenset({"a"}), frozenset[str]()
    ok = (["a"], [0], [1], {"a"}, none, s, s, s)
    assert C.cue_sentences([0], *ok) == ({0: [0]}, [0], [0], [0])
    with pytest.raises(TypeError):
        C.cue_sentences([0], ["a"], [0], [1], ["a"], none, s, s, s)  # a list, not a set
    with pytest.raises(TypeError):
        C.cue_sentences((0,), *ok)  # pos must be a list
    with pytest.raises(TypeError):
        C.cue_sentences(["0"], *ok)  # of ints
    with pytest.raises(TypeError):
        C.cue_sentences([0], ["a"], ["0"], [1], {"a"}, none, s, s, s)  # starts of ints
    with pytest.raises(TypeError):
        C.cue_sentences([0], ["a"], [0], [None], {"a"}, none, s, s, s)  # ends of ints
    with pytest.raises(TypeError):
        C.cue_sentences([0], [["unhashable"]], [0], [1], {"a"}, none, s, s, s)
    with pytest.raises(TypeError):
        C.cue_sentences([0], *ok[:-1])  # too few arguments
    for bad in ([1], [-2], [2**70]):
        with pytest.raises(IndexError):  # as words[i] raises
            C.cue_sentences(bad, *ok)
    assert C.cue_sentences([-1], *ok) == ({}, [], [], [])  # words[-1], in no sentence (as in the twin)
    with pytest.raises(OverflowError):
        C.cue_sentences([0], ["a"], [2**70], [1], {"a"}, none, s, s, s)
    with pytest.raises(IndexError):
        C.cue_sentences([0], ["a"], [0], [], {"a"}, none, s, s, s)  # ends shorter than starts

    class Shrink(str):
        """A word whose comparisons empty the lists the C loop reads."""

        def __hash__(self) -> int:
            return hash("a")

        def __eq__(self, other: object) -> bool:
            pos.clear()
            words.clear()
            return False

    pos = list(range(6))
    words = [Shrink("b"), "a", Shrink("c"), "a", "a", "a"]
    C.cue_sentences(pos, words, [0], [6], {"a"}, none, s, s, s)  # no crash, whatever it returns
    pos = list(range(6))
    words = ["a", "a", "a", "a", "a", Shrink("d")]
    C.cue_sentences(pos, words, [0], [6], {"a"}, none, s, s, s)


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), max_size=60))
def test_paragraph_runs(blank: list[bool]) -> None:
    from slopsift.document import _paragraph_runs_py

    assert C is not None
    assert C.paragraph_runs(blank) == _paragraph_runs_py(blank)


@needs_c
def test_paragraph_runs_edges() -> None:
    from slopsift.document import _paragraph_runs_py, _paragraphs

    assert C is not None
    assert C.paragraph_runs([]) == ([], []) == _paragraph_runs_py([])
    big = [False, False, True] * 50_000
    assert C.paragraph_runs(big) == _paragraph_runs_py(big)
    assert C.paragraph_runs([False, 1]) is None  # a flag not a bool: the Python version
    with _accel.pure_python():
        want = _paragraphs([0, 2], [1, 3], [False, 1])  # type: ignore[list-item]
    assert _paragraphs([0, 2], [1, 3], [False, 1]) == want  # type: ignore[list-item]
    with pytest.raises(TypeError):
        C.paragraph_runs((True,))


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("a0 9.\u00b2\u0663\u00e9\u2460\U0001d7ce\x00-Z\u0660"), max_size=200))
def test_digit_positions(initials: str) -> None:
    from slopsift.signals.inconsistency import _digit_positions_py

    assert C is not None
    assert C.digit_positions(initials) == _digit_positions_py(initials)
    assert C.digit_positions(initials) == [i for i, c in enumerate(initials) if c.isdigit()]


@needs_c
def test_digit_positions_edges() -> None:
    assert C is not None
    assert C.digit_positions("") == []
    assert C.digit_positions("a1b\u00b2\u0663\u2460x") == [1, 3, 4, 5]
    assert C.digit_positions("7" * 100_000) == list(range(100_000))
    assert C.digit_positions("\U0001d7ce\U0001f600") == [0]  # ucs4: a mathematical digit
    for bad in (b"12", None, ["1"], 5):
        with pytest.raises(TypeError):
            C.digit_positions(bad)
    with pytest.raises(TypeError):
        C.digit_positions()


@needs_c
def test_build_frozen_direct_stores_survive_a_column_changed_by_gc() -> None:
    # review18: the direct path (every slot a writable object member) read column[k] without checking
    # the column's size, on the ground that no Python code runs; but object.__new__ allocates a GC object,
    # which can start a collection, and a finaliser run by it may empty a list column: the read went past
    # the list's end (found by review: an ASan build crashed in build_frozen on a `__del__` that clears
    # the columns, with a low GC threshold). It now raises as the setter path does. In a subprocess: a
    # crash must fail this test, not end the run.
    code = (
        "import gc\n"
        "from slopsift import _accel\n"
        "from slopsift._frozen import slot_descriptors\n"
        "from slopsift.document import Paragraph\n"
        "cols = tuple(list(range(2000)) for _ in range(4))\n"
        "class Bomb:\n"
        "    def __init__(self):\n"
        "        self.me = self\n"
        "    def __del__(self):\n"
        "        for c in cols:\n"
        "            c.clear()\n"
        "slots = slot_descriptors(Paragraph)\n"
        "gc.collect()\n"
        "gc.set_threshold(100)\n"
        "Bomb()\n"
        "try:\n"
        "    _accel.speedups.build_frozen(Paragraph, slots, cols)\n"
        "except RuntimeError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "build_frozen: a column changed size"


@needs_c
def test_build_frozen_survives_a_setter_that_changes_the_slots() -> None:
    # review18: build_frozen read the slot descriptors from the slots list itself, between setters; a
    # setter (here a property) that empties that list made the next read go past its end (found by
    # review of the setter path; an ASan build: SEGV in build_frozen). A list of slots is now copied
    # first. In a subprocess: a crash must fail this test, not end the run.
    code = (
        "from slopsift import _accel\n"
        "class Prop:\n"
        "    __slots__ = ('x',)\n"
        "    y = property(lambda self: None, lambda self, v: slots.clear())\n"
        "slots = [Prop.__dict__['y'], Prop.__dict__['x']]\n"
        "got = _accel.speedups.build_frozen(Prop, slots, ([1, 2], [3, 4]))\n"
        "print([p.x for p in got], slots)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[3, 4] []"


@needs_c
def test_cue_sentences_indexes_words_as_python_does() -> None:
    # review18: a negative position or one too big for a Py_ssize_t raised IndexError or OverflowError in
    # C where the twin indexes words as Python does (words[-1], and the words before it are words[0:-1]);
    # found by the review's fuzzing of the twins with positions outside 0..len(words) - 1.
    from slopsift.signals.inconsistency import _cue_sentences_py

    assert C is not None
    words = ["3", "tips", "not", "tips"]
    numeric, counted, nouns = {"3"}, frozenset({"tips"}), frozenset({"tips"})
    for pos, starts, ends in (
        ([-1], [-5], [3]),
        ([-3, -2], [-9, 2], [-1, 9]),
        ([-4, 1], [0], [4]),
        ([-3], [-9], [9]),
    ):
        args = (pos, words, starts, ends, numeric, counted, frozenset(), nouns, frozenset())
        assert C.cue_sentences(*args) == _cue_sentences_py(*args)
    for pos in ([-5], [4], [2**80], [-(2**80)]):
        args = (pos, words, [0], [4], numeric, counted, frozenset(), nouns, frozenset())
        with pytest.raises(IndexError):
            _cue_sentences_py(*args)
        with pytest.raises(IndexError):
            C.cue_sentences(*args)


# Pieces of URLs, links and domain names, and the characters their scans stop at or walk back over
NONPROSE_PIECES = [
    "https",
    "://",
    "www.",
    "](",
    ")",
    "]",
    "[",
    "(",
    ".com",
    ".co",
    ".co.uk",
    ".io",
    ".info",
    ".biz",
    ".app",
    "/",
    "/path",
    "-",
    "_",
    "a",
    "é",
    "\u0663",
    "\u4e2d",
    "\U0001f600",
    " ",
    "\t",
    "\n",
    "\u00a0",
    "\u2003",
    "\r",
    "\x1c",
    ",",
    ";",
    "'",
    '"',
    "`",
    "<",
    ">",
    ".",
    "x" * 60,
    # the case the domain test reads: .NET, year.AI, GOV.UK, java.net.URL, Kelvin sign K
    ".NET",
    ".Net",
    ".UK",
    ".AI",
    ".Com",
    "ASP",
    "GOV",
    "year",
    "U.S",
    ".URL",
    "A",
    "\u0130",
    "\u212a",
]


def _lowered(text: str) -> str:
    """``Document.lower``: ``text.lower()`` but with the same length (a character that lower-cases to two
    stays as it is)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _uppered(text: str) -> str:
    """``text.upper()``, with the same length in the same way."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


@needs_c
@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(NONPROSE_PIECES), st.text(max_size=4)), max_size=60),
    st.lists(st.tuples(st.integers(-5, 400), st.integers(-5, 400)), max_size=4),
)
def test_nonprose_spans(pieces: list[str], code: list[tuple[int, int]]) -> None:
    # URLs, link targets, domain names and code spans, sorted and merged: the same as the Python version
    # on any text (Unicode letters and spaces, nested and unterminated links, many URLs) and any pair of
    # the text's cases (the domain test reads the case of the first).
    from slopsift.document import _nonprose_spans_py

    assert C is not None
    text = "".join(pieces)
    low, up = _lowered(text), _uppered(text)
    for t, lo in ((text, low), (low, low), (up, low), (text, text), (low, up)):
        assert C.nonprose_spans(t, lo, code) == _nonprose_spans_py(t, lo, list(code))


NONPROSE_DOC_PIECES = [*NONPROSE_PIECES, "    x = 1\n", "```\ncode\n```\n", "# Title\n\n"]


@needs_c
@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NONPROSE_DOC_PIECES), max_size=60))
def test_nonprose_spans_of_documents(pieces: list[str]) -> None:
    from slopsift.document import parse

    doc = parse("".join(pieces))
    got = doc.nonprose_spans
    with _accel.pure_python():
        want = parse("".join(pieces)).nonprose_spans
    assert got == want


@needs_c
def test_nonprose_spans_edges() -> None:
    from slopsift.document import _nonprose_spans_py

    assert C is not None
    cases = [
        "",
        "see https://example.com/a_(b) and [x](http://y.org/z) or www.foo.io.",
        "[a](b](c d) [e](f) [g](",
        "verylongschemename://x a://",
        "://" * 1000,
        "www." * 1000,
        "](" * 1000 + ")",
        ".com" * 1000,
        "a" * 200 + ".com/" + "b" * 50 + ".org",
        "caf\u00e9.com \u4e2d\u6587.org/\u00e9 \U0001f600.io\u00e9 x.co-op x.co_ x.co\u0663 x.comx x.co.uk",
        "\u00e9\u00e9\u00e9://\u00e9 \U0001d400\U0001d400://x\u00a0y",
        "https://" + "x" * 100_000,
        ".NET ASP.NET VB.Net x.NETX java.net.URL java.net.url a.co.Uk year.AI U.S.Us GOV.UK 4CHAN.ORG",
        "CNN.Com a.net.\u00c9 a.com.\u01c5 x\u00aa.AI x\u00c9.AI x\u0663.COM x_.com -.com a.NET.",
        "\u212a.com a.c\u212a \u212a.CO a.\u212aom",
        ("ASP.NET " * 5000) + ("x.com " * 5000),
    ]
    for t in cases:
        for lo in (_lowered(t), t):
            assert C.nonprose_spans(t, lo, []) == _nonprose_spans_py(t, lo, [])
    assert C.nonprose_spans("", "", [(0, 5), (3, 9), (20, 21), (21, 22)]) == ((0, 9), (20, 22))
    many = [(k, k + 1) for k in range(0, 300_000, 3)][::-1]
    t = "a.com " * 10_000
    assert C.nonprose_spans(t, t, many) == _nonprose_spans_py(t, t, list(many))
    for bad in (
        (b"x", "x", []),
        ("x", b"x", []),
        ("x", "x", ()),
        ("x", "x", [(1,)]),
        ("x", "x", [(1, 2, 3)]),
        ("x", "x", [[1, 2]]),
        ("x", "x", [(1.0, 2)]),
    ):
        with pytest.raises(TypeError):
            C.nonprose_spans(*bad)
    with pytest.raises(OverflowError):
        C.nonprose_spans("x", "x", [(1 << 70, 2)])
    with pytest.raises(TypeError):
        C.nonprose_spans("x", [])
    for twin in (C.nonprose_spans, _nonprose_spans_py):  # the text and its lower-cased copy: one length
        with pytest.raises(ValueError, match="differ in length"):
            twin("A.COM", "a.co", [])


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=4), st.integers(-3, 3)), max_size=300),
    st.sets(st.one_of(st.sampled_from(VOCAB), st.text(max_size=4), st.integers(-3, 3)), max_size=300),
)
def test_sparse_positions(words: list[object], vocab: set[object]) -> None:
    from slopsift.signals.inconsistency import _positions_py

    assert C is not None
    want = _positions_py(words, vocab)  # type: ignore[arg-type]
    assert C.sparse_positions(words, vocab) == want
    assert C.sparse_positions(words, frozenset(vocab)) == want
    assert C.sparse_positions(list(map(str, words)), set(map(str, vocab))) == _positions_py(
        list(map(str, words)), set(map(str, vocab))
    )


class _Hostile(str):
    """A str whose hash is computed in Python (no cached hash) and which empties a list when hashed."""

    victim: ClassVar[list[object]] = []

    def __hash__(self) -> int:
        self.victim.clear()
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other)


@needs_c
def test_sparse_positions_edges() -> None:
    assert C is not None
    assert C.sparse_positions([], {"a"}) == []
    assert C.sparse_positions(["a", "b"], set()) == []
    assert C.sparse_positions(["a"] * 50_000, {"a"}) == list(range(50_000))
    big = {f"w{i}" for i in range(1000)}  # past the filter's size: every word probed
    words = [f"w{i}" for i in range(0, 3000, 7)]
    assert C.sparse_positions(words, big) == [k for k, w in enumerate(words) if w in big]
    # non-ASCII, a word whose hash is not cached yet, equal strings that are distinct objects
    words = ["caf\u00e9", "".join(["na", "\u00efve"]), "\U0001f600", "x"]
    assert C.sparse_positions(words, {"na\u00efve", "\U0001f600"}) == [1, 2]
    with pytest.raises(TypeError):
        C.sparse_positions([["unhashable"]], {"a"})
    with pytest.raises(TypeError):
        C.sparse_positions(["a"], {"a": 1})  # a dict is not a set
    with pytest.raises(TypeError):
        C.sparse_positions(("a",), {"a"})  # words must be a list
    with pytest.raises(TypeError):
        C.sparse_positions(["a"], ["a"])  # nor is a list
    # a word that empties the list while being hashed: no crash, the scan stops at the list's end
    victim: list[object] = ["a", "b"]
    _Hostile.victim = victim
    victim.insert(0, _Hostile("a"))
    assert C.sparse_positions(victim, {"a"}) in ([0], [])


class _Rehash:
    """A vocab member whose __hash__ fails after the set stored its hash (sets never hash a member again)."""

    def __init__(self) -> None:
        self.calls = 0

    def __hash__(self) -> int:
        self.calls += 1
        if self.calls > 1:
            raise ValueError("hashed again")
        return 1


class _Drift:
    """A vocab member whose hash changes after it is stored: a probe still finds it under the stored hash."""

    def __init__(self) -> None:
        self.h = 12345

    def __hash__(self) -> int:
        return self.h

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _StoredHash)


class _StoredHash:
    def __hash__(self) -> int:
        return 12345

    def __eq__(self, other: object) -> bool:
        return True


class _Grower(str):
    """A str whose hashing adds a word to `vocab` (after the C filter was built)."""

    vocab: ClassVar[set[object]] = set()

    def __hash__(self) -> int:
        self.vocab.add("added-while-hashing")
        return str.__hash__(self)


class _YesSet(set[object]):
    def __contains__(self, x: object) -> bool:
        return True


@needs_c
def test_sparse_positions_hostile_vocab() -> None:
    # The Python version calls vocab.__contains__ for each word and never hashes the vocab's members; the C
    # twin's filter of the members' hashes used to rehash them (an error, or a changed hash: a missed word),
    # went stale when a word's __hash__ changed the vocab, skipped a set subclass's __contains__ and the
    # set-to-frozenset retry of `in`. Found by probing the brief's cases against _positions_py.
    from slopsift.signals.inconsistency import _positions_py

    assert C is not None

    def vocabs() -> list[tuple[list[object], set[object] | frozenset[object]]]:
        drift = _Drift()
        drifted = {drift, "a"}
        drift.h = 999
        return [
            (["a", "b"], {_Rehash(), "a"}),
            ([_StoredHash(), "a"], drifted),
            (["a", "b"], _YesSet({"a"})),
            ([{1}, "a", frozenset({1})], {frozenset({1}), "a"}),
            ([{1}, "a"], frozenset({frozenset({1}), "a"})),
        ]

    for (words, vocab), (words2, vocab2) in zip(vocabs(), vocabs(), strict=True):
        assert C.sparse_positions(words, vocab) == _positions_py(words2, vocab2)  # type: ignore[arg-type]
    for py in (False, True):
        _Grower.vocab = {"a"}
        words = [_Grower("q"), "added-while-hashing", "a"]
        got = _positions_py(words, _Grower.vocab) if py else C.sparse_positions(words, _Grower.vocab)  # type: ignore[arg-type]
        assert got == [1, 2]


@needs_c
def test_trie_candidates_malformed_trie() -> None:
    # trie_candidates walked whatever ints it was given: a root (or node) whose child count or child index
    # points past the buffer read outside it (heap-buffer-overflow / use-after-free under ASan, found by
    # feeding it hand-made tries). A malformed trie is now a ValueError; a well-formed one is still read.
    from array import array

    from slopsift.lexicons import _trie_array

    assert C is not None

    def ints(*xs: int) -> bytes:
        return array("i", xs).tobytes()

    for bad in (
        ints(0, 5),  # five children, none there
        ints(0, 1, ord("a"), 4096),  # a child past the end
        ints(0, 1, ord("a"), -7),  # a negative child
        ints(0, 1, ord("a"), 1, 0),  # a child in the middle of a node, then a truncated node
        ints(0, 1, ord("a"), 3, 1, 0) + ints(0, -1),  # a negative child count
        ints(0, 1, ord("a"), 4, 1, 0)[:-1],  # not whole ints
        b"\x00" + ints(0, 0),  # not whole ints
        memoryview(b"\x00" + ints(0, 0, 0))[1:],  # not aligned
    ):
        with pytest.raises(ValueError, match="malformed trie"):
            C.trie_candidates(bad, "abc a ab")
    with pytest.raises(ValueError, match="empty trie"):
        C.trie_candidates(b"", "abc")
    assert C.trie_candidates(ints(0, 1, ord("a"), 4, 1, 0), "abc a ab") == [(4, "a")]
    assert C.trie_candidates(ints(0, 1, ord("a"), 0), "a a") == []  # a cycle: no end, no candidate
    good = _trie_array(["ab", "a b", "b"])
    for trie in (good, bytearray(good), memoryview(good)):
        for _ in range(3):  # bytes objects are remembered once checked
            assert C.trie_candidates(trie, "ab a  b. b") == [(0, "ab"), (3, "a  b"), (6, "b"), (9, "b")]
