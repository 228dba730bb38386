"""Hand-made boundary cases for the C twins (``slopsift._speedups``): each pins one edge that random
inputs hit only by luck, comparing the C version with its Python definition and with the exact value."""

from __future__ import annotations

import pytest

import slopsift
from slopsift import _accel
from slopsift.signals import repetition

C = _accel.speedups
needs_c = pytest.mark.skipif(C is None, reason="slopsift._speedups is not built (no C compiler?)")


def _level(words: list[str], n: int) -> tuple[list[int], repetition._Level]:
    """Word ids (by first occurrence) and the Python-built level of the n-grams of ``words``."""
    table: dict[str, int] = {}
    ids = [table.setdefault(w, len(table)) for w in words]
    return ids, repetition._repeated_ngrams_py(ids, 2 * len(ids) + 7, n)[n]


# --------------------------------------------------------------------------------------------
# repeat_runs: windows that exactly touch merge into one run


@needs_c
def test_repeat_runs_touching_windows_merge() -> None:
    # a b c a b a b: 'a b' at 0, 3, 5; its repeats [3, 5) and [5, 7) touch, so they make one run
    words = ["a", "b", "cc", "a", "b", "a", "b"]
    _ids, lv = _level(words, 2)
    assert lv.repeats() == [3, 5]
    want = repetition._repeat_runs_py(lv, 2, words)
    assert want == (4, ([3], [7]))
    assert C is not None
    assert C.repeat_runs(lv.pos, lv.gids, 2, words) == want
    # the same by hand, and windows one word apart stay two runs
    assert C.repeat_runs([0, 2], [0, 0], 2, ["a"] * 6) == (2, ([2], [4]))
    assert C.repeat_runs([0, 2, 4], [0, 0, 0], 2, ["a"] * 6) == (4, ([2], [6]))  # touch at 4
    assert C.repeat_runs([0, 2, 5], [0, 0, 0], 2, ["a"] * 7) == (4, ([2, 5], [4, 7]))  # a gap of one
    assert repetition._runs([2, 4], 2) == ([2], [6]) and repetition._runs([2, 5], 2) == ([2, 5], [4, 7])


@needs_c
def test_top_ngram_periodic_touching_windows() -> None:
    # a b a b a b a b: 'a b a b' (period 2) at 0, 2, 4; its windows [0, 4) and [4, 8) touch at 4
    words = ["a", "bb"] * 4
    ids, lv = _level(words, 4)
    want = repetition._top_ngram_py(lv, 4, words, ids)
    assert want == (12, 0)  # all eight words, once each
    assert C is not None
    assert C.top_ngram(lv.first, lv.counts, lv.pos, lv.gids, 4, words, ids, repetition.TIE_CAP) == want


# --------------------------------------------------------------------------------------------
# top_ngram: at most tie_cap tied n-grams are compared


def _tied_pairs(k: int) -> tuple[list[str], int]:
    """k pairs, each occurring twice (all tied at count 2), the last one the longest; unique
    separators keep every other 2-gram single. Returns the words and the last pair's characters."""
    pairs = [(f"a{i:02d}", f"b{i:02d}") for i in range(k - 1)] + [("x" * 20, "y" * 20)]
    words: list[str] = []
    for rep in range(2):
        for i, pair in enumerate(pairs):
            words += [*pair, f"s{rep}_{i}"]
    return words, 40


@needs_c
@pytest.mark.parametrize("cap", [1, 2, 3, repetition.TIE_CAP])
def test_top_ngram_tie_cap_is_exclusive(cap: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # cap + 1 tied n-grams: the longest, last one lies past the cap and is not compared
    words, last_chars = _tied_pairs(cap + 1)
    ids, lv = _level(words, 2)
    assert lv.counts == [2] * (cap + 1)
    first_chars = 2 * (len(words[0]) + len(words[1]))
    assert C is not None
    got = C.top_ngram(lv.first, lv.counts, lv.pos, lv.gids, 2, words, ids, cap)
    assert got == (first_chars, 0)
    monkeypatch.setattr(repetition, "TIE_CAP", cap)
    assert repetition._top_ngram_py(lv, 2, words, ids) == got
    # one more allowed: the last one is compared and wins
    got = C.top_ngram(lv.first, lv.counts, lv.pos, lv.gids, 2, words, ids, cap + 1)
    assert got == (2 * last_chars, cap)
    monkeypatch.setattr(repetition, "TIE_CAP", cap + 1)
    assert repetition._top_ngram_py(lv, 2, words, ids) == got


@needs_c
def test_top_ngram_tie_cap_as_the_pipeline_calls_it() -> None:
    words, _ = _tied_pairs(repetition.TIE_CAP + 1)
    ids, lv = _level(words, 2)
    want = repetition._top_ngram_py(lv, 2, words, ids)
    assert want == (2 * len("a00b00"), 0)
    assert repetition._top_ngram(lv, 2, words, ids) == want


# --------------------------------------------------------------------------------------------
# top_phrase: a name is upper case (str.isupper), not title case


def _phrase(text: str) -> tuple[slopsift.Document, tuple[int, int, list[int]], tuple[int, int, list[int]]]:
    """The document and (C, Python) results of the phrase search, as ``repetition.compute`` runs it."""
    doc = slopsift.parse(text)
    ids = repetition._prose(doc).ids
    levels = repetition._repeated_ngrams_py(ids, 2 * doc.n_words + 1, repetition.PHRASE_MAX)
    ends = [s.word_end for s in doc.sentences if s.word_start < s.word_end]
    return (
        doc,
        repetition._phrase(doc, len(ids), levels, ends),
        repetition._phrase_py(doc, len(ids), levels, ends),
    )


@needs_c
@pytest.mark.parametrize(
    ("first", "named"),
    [
        ("\u1f88", False),  # ᾈ: title case (Lt), not upper case; NFKC keeps it
        ("\u1fbc", False),  # ᾼ
        ("\u1f8f", False),  # ᾏ
        ("\u01c5", True),  # Dž: NFKC makes it 'Dž', whose 'D' is upper case
        ("\u01c4", True),  # DŽ: upper case, so a name
        ("D", True),
    ],
)
def test_top_phrase_title_case_is_not_a_name(first: str, named: bool) -> None:
    text = f"We met {first}emal {first}uro today. Then {first}emal {first}uro left."
    doc, got, want = _phrase(text)
    assert doc.text[7].isupper() == named and doc.text[7].istitle()
    assert got == want
    assert got == ((0, 0, []) if named else (2, 2, [2, 6]))


@needs_c
def test_top_phrase_title_case_direct() -> None:
    assert C is not None
    text = "\u01c5a \u01c5b \u01c5a \u01c5b"
    words, starts = ["\u01c6a", "\u01c6b", "\u01c6a", "\u01c6b"], [0, 3, 6, 9]
    level = ([0], [2], [0, 2], [0, 0])
    yes = lambda w: True  # noqa: E731
    assert C.top_phrase([level], 2, words, yes, text, starts, [4]) == (2, 2, [0, 2])
    upper = text.replace("\u01c5", "\u01c4")
    assert C.top_phrase([level], 2, words, yes, upper, starts, [4]) == (0, 0, [])


# --------------------------------------------------------------------------------------------
# word_fact: the silent final 'e' is kept after 'l', 'e' and 'y' only


@needs_c
@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("blorbye", 2),  # o, ye: 'ye' keeps its e
        ("snabbye", 2),
        ("zorble", 2),  # o, le
        ("zorbee", 2),  # o, ee
        ("flornaxe", 2),  # o, a, e: silent after 'x'
        ("blorbe", 1),  # o, e: silent
        ("bye", 1),  # one group: never below one
    ],
)
def test_word_fact_silent_e(word: str, syllables: int) -> None:
    from slopsift import lexicons

    assert C is not None
    assert lexicons._estimate(word) == syllables or word in lexicons._cmu()
    with _accel.pure_python():
        want = lexicons._new_facts_py(word)
    assert want[0] == syllables
    assert C.word_fact(word, *lexicons._fact_tables()) == want


@needs_c
def test_word_fact_silent_e_in_compounds() -> None:
    from slopsift import lexicons

    assert C is not None
    for word, syllables in (("blorbye-flornaxe", 4), ("snabbye's", 2), ("zorbye-zorbye", 4)):
        with _accel.pure_python():
            want = lexicons._new_facts_py(word)
        assert want[0] == syllables, word
        assert C.word_fact(word, *lexicons._fact_tables()) == want, word


# --------------------------------------------------------------------------------------------
# code_lines: a fence is read from a line's first 12 characters only


def _code_lines(text: str, fenced: bool = True) -> frozenset[int]:
    from slopsift.document import _line_spans_py
    from slopsift.structure import _code_lines_py, is_list_item

    assert C is not None
    cols = _line_spans_py(text.split("\n"))
    got = C.code_lines(text, *cols, fenced, is_list_item)
    assert got == _code_lines_py(text, *cols, fenced)
    return got


@needs_c
@pytest.mark.parametrize("mark", ["`", "~"])
def test_code_lines_fence_head_is_12_characters(mark: str) -> None:
    # An opening fence of 13 marks counts as 12 (the head), so a fence of 12 closes it.
    assert _code_lines(f"{mark * 13}\nx\n{mark * 12}\ny") == {0, 1, 2}
    # three spaces of indent leave 9 marks in the head: 9 close it
    assert _code_lines(f"   {mark * 10}\nx\n{mark * 9}\ny") == {0, 1, 2}
    # 11 marks do not close a 12-mark fence
    assert _code_lines(f"{mark * 12}\nx\n{mark * 11}\ny") == {0, 1, 2, 3}
    # a closing fence of 13 counts as 12 too: it still closes a 12
    assert _code_lines(f"{mark * 12}\nx\n{mark * 13}\ny") == {0, 1, 2}
