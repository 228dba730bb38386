"""Usage family: learner-English slips, counted per 1,000 words, each with its span."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.lexicons import load_table
from slopsift.signals import usage
from slopsift.training.fit import EVIDENCE_TERMS


def _slips(text: str) -> list[tuple[str, str]]:
    res = slopsift.signals(text)
    return [(text[e.start : e.end], e.note) for e in res.families["usage"].evidence]


def test_exact_value_and_spans_on_a_learner_paragraph() -> None:
    # 43 words, eight slips: seven kinds, agreement twice.
    text = (
        "In the other hand, he don't know the the answer. My teacher gave me many informations "
        "and a advice that was more easier to follow. She can goes home now, because they was "
        "tired and it rained on the city all day long."
    )
    res = slopsift.signals(text)
    assert res.n_words == 43
    assert res.families["usage"].values["slips_per_1k"] == 1000.0 * 8 / 43
    assert _slips(text) == [
        ("In the other hand", "preposition"),
        ("he don't", "agreement"),
        ("the the", "doubled"),
        ("informations", "uncountable"),
        ("a advice", "article"),
        ("more easier", "comparative"),
        ("can goes", "modal"),
        ("they was", "agreement"),
    ]


def test_every_kind_is_found() -> None:
    text = (
        "He didn't went there. Despite of that, it was a lots of fun. They does not has it. "
        "The test was an big deal. We discussed about it. It was an one-off, and I is tired. "
        "This is the most biggest house. Because it have no roof, he made me to leave."
    )
    assert _slips(text) == [
        ("didn't went", "do"),
        ("Despite of", "preposition"),
        ("a lots of", "preposition"),
        ("does not has", "do"),
        ("an big", "article"),
        ("discussed about", "preposition"),
        ("an one-off", "article"),
        ("I is", "agreement"),
        ("most biggest", "comparative"),
        ("it have", "agreement"),
        ("made me to", "preposition"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Does it have a name? Did he want more? Let it go and see it make sense.",  # after an auxiliary
        "Vitamin A is good for you. An FBI agent came. Will is my friend. In May was the fair.",  # case
        "It is a one-time fee, a euro each, once a year: a university, an hour, an umbrella.",  # sounds
        "The free will is strong, and the will is read out. Her own will was clear.",  # the noun "will"
        "The author had had enough; that that is so is plain. Run it in.\nIn in-house tests, a x-ray.",
        "Choose (a) apples or (b) pears; the the-end marker is a test.",  # not white space between
        "An x-ray showed a break. He said: a, e, i are vowels.",
        "We were tired, and if they was a word it would be there.",  # after 'if': a counterfactual
        # Found by QA, each once counted: code, an object "it"/"you", the subjunctive, "need" as a modal,
        # "more/most" before a noun, modals as nouns, ellipsis, a variable "a", abbreviations, particles.
        "```python\nif a is None or b is None:\n    return a\n```\nUse `if a is None` and `x in in_list`.",
        "The reasons behind it are complex. Users who tried it say it works. Letting it go is hard.",
        "One of you is lying. Neither of you was there. The best option for you is the second one.",
        "I wish it were true. If only she were here. It need not be said. He need not worry.",
        "Most older adults take medication. More younger voters turned out. Adopt more best practices.",
        "God's will is done. Her last will was read. The trash can is full. Military might is not enough.",
        "Those who can are asked to help. Those who don't are at risk. Students who did not were fined.",
        "Let a and b be integers where a is positive and a or b is even. A is a matrix.",
        '<a id="top">Top</a>: an mRNA vaccine, an npm package, an ssh key, an mp3 file, an fMRI scan.',
        "He gave in in the end. What it was was football. The main problem is lack of funding.",
        "He held a cup in one hand and a pen in the other hand. The singular they is now accepted.",
        "I was there, and I was glad; you were too.",  # "I was" is right, "you was" is not
    ],
)
def test_correct_english_is_not_a_slip(text: str) -> None:
    assert _slips(text) == []


def test_slips_stay_inside_a_sentence() -> None:
    assert _slips("I saw an. Book it now.") == []  # "an" ends one sentence, "Book" opens the next
    assert _slips("It was the \tthe last time.") == [("the \tthe", "doubled")]  # any white space between
    assert _slips("It was the\nthe last time.") == []  # the parse ends this sentence at the line break


def test_no_words_no_slips() -> None:
    assert usage.compute(slopsift.document.parse(""))[0] == {"slips_per_1k": 0.0}


def test_evidence_is_capped() -> None:
    text = " ".join(["It was the the end."] * 40)
    res = slopsift.signals(text)
    assert res.families["usage"].values["slips_per_1k"] == 1000.0 * 40 / 200
    assert len(res.families["usage"].evidence) == 25


def test_patterns_are_data_with_a_header_and_read_as_the_classifier_expects() -> None:
    rows = load_table("usage_slips.tsv")
    assert {r[0] for r in rows} == {
        "uncountable",
        "comparative",
        "modal",
        "do",
        "agreement",
        "preposition",
        "doubled",
        "a-ok",
        "a-ok-prefix",
    }
    table = usage.slip_patterns()
    assert "one" in table.a_ok and "despite" in table.by_first and table.a_ok_prefixes == ("eu", "ewe")
    assert "usage.slips_per_1k" in EVIDENCE_TERMS  # read after calibration, never by the trees


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_finite_rate_and_spans_inside_it(text: str) -> None:
    res = slopsift.signals(text)
    fam = res.families["usage"]
    assert fam.values["slips_per_1k"] >= 0.0
    norm = slopsift.document.parse(text).text
    for e in fam.evidence:
        assert 0 <= e.start < e.end <= len(norm)


def test_a_condition_must_name_its_kind() -> None:
    assert usage._condition("only_after {^,and}") == (frozenset(), frozenset({"^", "and"}))
    assert usage._condition("unless_after {who}") == (frozenset({"who"}), None)
    with pytest.raises(ValueError, match="only_after"):
        usage._condition("after {who}")
