"""Vocabulary family: word-frequency profile of the lower-case words against general English."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import parse
from slopsift.lexicons import zipf_table
from slopsift.signals import vocabulary


def test_exact_values_on_a_small_text() -> None:
    text = "The cat sat on a zzxqv mat. Paris is big."
    # Only words opening with a lower-case letter count: cat sat on a zzxqv mat is big (8); "The"
    # and "Paris" do not. "zzxqv" is not in the table, so it counts as Zipf 1.0, a rare word.
    table = zipf_table()
    zs = [table[w] for w in ("cat", "sat", "on", "a")] + [1.0] + [table[w] for w in ("mat", "is", "big")]
    mean = sum(zs) / 8
    res = slopsift.signals(text)
    v = res.families["vocabulary"].values
    assert v["mean_zipf"] == mean
    assert math.isclose(v["zipf_std"], math.sqrt(sum((z - mean) ** 2 for z in zs) / 8), abs_tol=1e-12)
    assert v["rare_word_share"] == sum(z < 3.0 for z in zs) / 8
    assert v["mid_word_share"] == sum(3.0 <= z < 4.5 for z in zs) / 8
    assert v["unknown_word_share"] == 1 / 8
    assert [text[e.start : e.end] for e in res.families["vocabulary"].evidence] == ["zzxqv"]


def test_no_lower_case_words() -> None:
    values, ev = vocabulary.compute(parse("Paris London 1998 Berlin"))
    assert values == dict.fromkeys(values, 0.0) and ev == []


def _reference(words: list[str]) -> tuple[float, float, float, float, float]:
    """The definition as a plain loop, additions in text order."""
    table = zipf_table()
    total = total_sq = 0.0
    rare = mid = unknown = 0
    zs = [table.get(w) for w in words]
    for z in zs:
        if z is None:
            z = vocabulary.OOV_ZIPF
            unknown += 1
        total += z
        total_sq += z * z
        rare += z < vocabulary.RARE
        mid += vocabulary.RARE <= z < vocabulary.COMMON
    n = len(zs)
    mean = total / n
    return mean, math.sqrt(max(0.0, total_sq / n - mean * mean)), rare / n, mid / n, unknown / n


VOCAB = ["the", "of", "cat", "delve", "tapestry", "zzxqv", "qqq", "ephemeral", "and", "run", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=60))
def test_values_equal_the_plain_loop_exactly(words: list[str]) -> None:
    values, _ = vocabulary.compute(parse(" ".join(words) + "."))
    names = ("mean_zipf", "zipf_std", "rare_word_share", "mid_word_share", "unknown_word_share")
    assert tuple(values[k] for k in names) == _reference(words)
