"""The C twins (``slopsift._speedups``) return exactly what the Python versions return."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slopsift
from slopsift import _accel
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


def test_pure_python_switch() -> None:
    before = _accel.speedups
    with _accel.pure_python():
        assert _accel.speedups is None
    assert _accel.speedups is before


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=400), st.booleans())
def test_mtld_pass(ids: list[int], reverse: bool) -> None:
    assert C is not None
    size = 31
    want = repetition._mtld_pass(reversed(ids) if reverse else ids, len(ids), size)
    got = C.mtld_pass(ids, size, *MTLD_W, repetition.MTLD_THRESHOLD, reverse)
    assert got == want or (got != got and want != want)  # same float, bit for bit


@needs_c
def test_mtld_rejects_ids_out_of_range() -> None:
    assert C is not None
    with pytest.raises(IndexError):
        C.mtld_pass([0, 5], 5, *MTLD_W, repetition.MTLD_THRESHOLD, False)
    with pytest.raises(IndexError):
        C.mtld_pass([-1], 5, *MTLD_W, repetition.MTLD_THRESHOLD, False)


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
    assert C is not None
    want = vocabulary._zipf_stats(zs)
    got = C.zipf_stats(zs, vocabulary.OOV_ZIPF, vocabulary.RARE, vocabulary.COMMON)
    assert got == want
    assert [type(v) for v in got] == [type(v) for v in want]


def _levels(levels: list[repetition._Level]) -> list[tuple[list[int], list[int], list[int], list[int]]]:
    return [(lv.pos, lv.gids, lv.counts, lv.first) for lv in levels]


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=600), st.integers(2, 12))
def test_repeated_ngrams(ids: list[int], nmax: int) -> None:
    # A small alphabet, so that long n-grams repeat; long inputs take the numpy path in Python.
    assert C is not None
    base = 2 * len(ids) + 7
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
