"""The readability family: textstat's formulas over the shared parse, and sentence-length rhythm."""

from __future__ import annotations

import math

import pytest
import textstat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import parse
from slopsift.signals import readability
from slopsift.signals.readability import syllables

NAMES = [f.name for f in readability.FEATURES]

# Three sentences of 6, 8 and 4 one-syllable words (every word has one syllable in CMUdict).
SIMPLE = "The cat sat on the mat. A dog ran to the park and back. We all went home."


def rd(text: str) -> tuple[dict[str, float], list[tuple[str, str]]]:
    fam = slopsift.signals(text).families["readability"]
    return fam.values, [(e.signal.split(".", 1)[1], text[e.start : e.end]) for e in fam.evidence]


def test_exact_values_on_a_hand_counted_text() -> None:
    values, _ = rd(SIMPLE)
    # 18 words, 3 sentences, 18 syllables -> 6 words/sentence, 1.0 syllables/word.
    assert values["mean_sentence_length"] == pytest.approx(6.0)
    assert values["syllables_per_word"] == pytest.approx(1.0)
    assert values["long_word_fraction"] == 0.0
    # 206.835 - 1.015 * 6 - 84.6 * 1 = 116.145 ; 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert values["flesch_reading_ease"] == pytest.approx(116.145)
    assert values["flesch_kincaid_grade"] == pytest.approx(-1.45)
    # lengths 6, 8, 4: deviations 0, 2, -2 -> variance 8/3
    assert values["sentence_length_std"] == pytest.approx(math.sqrt(8 / 3))
    # cv sqrt(8/3) / 6 over 3 sentences, shrunk toward the prior as if it were 4 more sentences
    assert values["sentence_length_cv"] == pytest.approx((3 * math.sqrt(8 / 3) / 6 + 4 * 0.47) / 7)


def test_long_words_and_syllable_counter() -> None:
    # CMUdict: beautiful 3, elephants 3, celebrate 3, anniversaries 5, with 1, joy 1
    assert [syllables(w) for w in ("beautiful", "elephants", "anniversaries", "joy")] == [3, 3, 5, 1]
    text = "Beautiful elephants celebrate anniversaries with joy. " * 3
    values, _ = rd(text)
    assert values["syllables_per_word"] == pytest.approx(16 / 6)
    assert values["long_word_fraction"] == pytest.approx(4 / 6)
    assert values["sentence_length_cv"] == pytest.approx(4 * 0.47 / 7)  # no spread of its own: prior only


def test_syllable_rules_that_differ_from_a_plain_lookup() -> None:
    assert syllables("data-driven") == 4  # parts summed (data 2 + driven 2); textstat gives 2
    assert syllables("well-known") == 2
    assert syllables("2023") == 1 and syllables("3.5") == 1  # numbers, as textstat's fallback
    assert syllables("don't") == 1  # in CMUdict with its apostrophe
    assert syllables("zorblax") == 2  # not in CMUdict: vowel groups o, a
    assert syllables("blorpine") == 2  # vowel groups o, i, e less the silent final e


@pytest.mark.parametrize(
    "text",
    [
        "The library opens at nine in the morning and closes at six in the evening. On weekends it keeps "
        "shorter hours, so check the notice board before you travel. Members can borrow up to ten books at "
        "a time. Late returns cost a small fee, which goes towards buying new titles. If you lose a card, "
        "ask at the front desk and they will print a new one while you wait.",
        "We planted the garden in early spring, when the soil was still cold and wet. The beans came up "
        "first, followed by the peas and a row of lettuce. By June the tomatoes needed support, and we tied "
        "them to wooden stakes with strips of old cloth. Slugs ate most of the young cabbages. Next year we "
        "will try copper tape around the beds and water in the morning instead of at night.",
        "Regular exercise improves both physical health and mental wellbeing. Researchers have found that "
        "people who walk for thirty minutes a day sleep better and report lower levels of anxiety. The "
        "benefits appear even when the activity is gentle. Swimming, cycling and dancing all count. What "
        "matters most is consistency, because the effects fade within a few weeks when people stop.",
        "My grandfather kept bees for nearly forty years. He never wore gloves, and he claimed the bees knew "
        "him by his smell. Every August he would lift the frames out one by one, heavy with honey, and carry "
        "them into the kitchen. The whole house smelled sweet for days. I still have one of his old wooden "
        "hives, although it has been empty since he died.",
        "Municipal authorities announced yesterday that the central bridge will close for repairs next "
        "month. Engineers discovered corrosion in several supporting cables during a routine inspection. "
        "Traffic will be diverted through the northern industrial district, and additional buses will "
        "operate during peak hours. Officials expect the work to take approximately eleven weeks, "
        "depending on weather conditions.",
    ],
)
def test_matches_textstat_on_plain_prose(text: str) -> None:
    """On plain prose the two pipelines must agree to rounding.

    The known divergences (sentence splitting at abbreviations and decimals, hyphenated compounds,
    words outside CMUdict, fragments of one or two words) are all absent from these texts, so the only
    tolerated difference is floating-point noise; any real formula or counting change shows up as a
    difference of a tenth of a point or more.
    """
    values, _ = rd(text)
    assert values["flesch_reading_ease"] == pytest.approx(textstat.flesch_reading_ease(text), abs=0.01)
    assert values["flesch_kincaid_grade"] == pytest.approx(textstat.flesch_kincaid_grade(text), abs=0.01)
    assert values["syllables_per_word"] == pytest.approx(textstat.avg_syllables_per_word(text), abs=0.01)


def test_headings_code_and_fragments_are_not_sentences() -> None:
    text = (
        "# The Big Heading Of The Post\n\n"
        f"{SIMPLE}\n\n"
        "```\nthis code line is not a sentence at all\n```\n\n"
        "Yes. No."
    )
    values, _ = rd(text)
    assert values["mean_sentence_length"] == pytest.approx(6.0)
    assert values["flesch_reading_ease"] == pytest.approx(116.145)


def test_evidence_points_at_sentences() -> None:
    _, ev = rd(SIMPLE)
    assert ev[0] == ("mean_sentence_length", "A dog ran to the park and back.")
    assert ("sentence_length_cv", "We all went home.") in ev  # the shortest
    assert ("sentence_length_cv", "A dog ran to the park and back.") in ev  # the longest
    # the hardest sentence by its own grade is the longest here (all words one syllable)
    assert ("flesch_kincaid_grade", "A dog ran to the park and back.") in ev
    assert len(ev) == 3 + 3 + 4


@pytest.mark.parametrize("text", ["", "   \n\n", "Hi.", "Yes! Sure! Fine.", "# Only a heading"])
def test_no_prose_gives_zeros(text: str) -> None:
    values, ev = readability.compute(parse(text))
    assert values == {**dict.fromkeys(NAMES, 0.0), "sentence_length_cv": readability.SPREAD_PRIOR}
    assert ev == []


def test_fewer_than_three_sentences_have_no_spread() -> None:
    values, _ = rd("The cat sat on the mat. A dog ran to the park and back.")
    assert values["mean_sentence_length"] == pytest.approx(7.0)
    assert values["sentence_length_std"] == 0.0
    assert values["sentence_length_cv"] == readability.SPREAD_PRIOR == 0.47  # unmeasured reads as typical


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("abcdefghij klmnop.!?\n-'#`3"), max_size=300) | st.text(max_size=100))
def test_values_finite_deterministic_and_evidence_in_bounds(text: str) -> None:
    doc = parse(text)
    values, ev = readability.compute(doc)
    assert list(values) == NAMES
    assert all(math.isfinite(v) for v in values.values())
    assert readability.compute(parse(text)) == (values, ev)
    for e in ev:
        assert 0 <= e.start < e.end <= len(doc.text)
        assert e.signal in NAMES
