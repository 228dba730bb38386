"""The inconsistency family: exact detections on hand-written texts, near misses that must stay
silent, evidence that slices both statements, and robustness properties."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import parse
from slopsift.features import EvidenceSpan
from slopsift.signals.base import get_family
from slopsift.signals.inconsistency import FEATURES, compute

DETECTORS = (
    "numeric_conflicts",
    "arithmetic_errors",
    "temporal_conflicts",
    "count_mismatches",
    "polarity_contradictions",
    "role_conflicts",
)


def values(text: str) -> dict[str, float]:
    return compute(parse(text))[0]


def fired(text: str) -> dict[str, float]:
    """The detectors (not the aggregates) that fired, with their counts."""
    v = values(text)
    return {k: v[k] for k in DETECTORS if v[k]}


def pairs(text: str, signal: str) -> list[tuple[str, str, str]]:
    """(first span, second span, note) of each hit of ``signal``, sliced from the ORIGINAL text."""
    ev: list[EvidenceSpan] = [
        e
        for e in slopsift.signals(text).families["inconsistency"].evidence
        if e.signal == f"inconsistency.{signal}"
    ]
    assert len(ev) % 2 == 0, "every hit carries two spans"
    out = []
    for a, b in zip(ev[::2], ev[1::2], strict=True):
        assert a.note == b.note, "both spans of a hit share one note"
        out.append((text[a.start : a.end], text[b.start : b.end], a.note))
    return out


def test_family_contract() -> None:
    fam = get_family("inconsistency")
    assert fam.features == FEATURES
    assert [f.name for f in FEATURES] == [*DETECTORS, "any_conflict", "conflicts_per_1k_words"]
    assert all(f.direction == "higher_worse" for f in FEATURES)
    assert "O(n)" in fam.complexity


# ------------------------------------------------------------------------------------------- numeric

FOUNDED = (
    "Acme Corp was founded in 1998 by two engineers. It grew quickly. "
    "Acme Corp, founded in 2003, now sells software."
)


def test_founding_years_conflict_exact_values() -> None:
    v = values(FOUNDED)
    # words: Acme Corp was founded in 1998 by two engineers (9) + It grew quickly (3)
    #        + Acme Corp founded in 2003 now sells software (8) = 20; one conflict -> 1000 * 1 / 20 = 50
    assert v == {
        "numeric_conflicts": 1.0,
        "arithmetic_errors": 0.0,
        "temporal_conflicts": 0.0,
        "count_mismatches": 0.0,
        "polarity_contradictions": 0.0,
        "role_conflicts": 0.0,
        "any_conflict": 1.0,
        "conflicts_per_1k_words": 50.0,
    }
    assert pairs(FOUNDED, "numeric_conflicts") == [
        ("Acme Corp was founded in 1998", "Acme Corp, founded in 2003", "founded 1998 vs 2003")
    ]


def test_aggregate_evidence_repeats_the_pair() -> None:
    assert pairs(FOUNDED, "any_conflict") == pairs(FOUNDED, "numeric_conflicts")
    assert pairs(FOUNDED, "conflicts_per_1k_words") == pairs(FOUNDED, "numeric_conflicts")


@pytest.mark.parametrize(
    ("text", "first", "second", "note"),
    [
        (
            "John Smith was born in 1950 in Ohio. He studied law. "
            "John Smith, born in 1948, later moved to Texas.",
            "John Smith was born in 1950",
            "John Smith, born in 1948",
            "born 1950 vs 1948",
        ),
        (
            "Acme has 5,000 employees. The firm is growing. Acme has 12,000 employees.",
            "Acme has 5,000 employees",
            "Acme has 12,000 employees",
            "employees 5,000 vs 12,000",
        ),
        (  # a number word against digits; the definite noun phrase is the subject
            "The league consisted of 10 teams. It was won by Villach. The league consisted of eight teams.",
            "The league consisted of 10 teams",
            "The league consisted of eight teams",
            "teams 10 vs 8",
        ),
        (  # a pronoun resolved to the name opening an earlier sentence; 'and' shares the subject
            "Joseph Cardijn was a Belgian priest. He was born in 1882 and was ordained in 1906. "
            "He was ordained a priest in 1925.",
            "ordained in 1906",
            "He was ordained a priest in 1925",
            "ordained 1906 vs 1925",
        ),
        (  # a participle opening the sentence, its subject after the comma
            "Jane Doe was born in 1950. She became a lawyer. Born in 1952 in Ohio, Jane Doe studied law.",
            "Jane Doe was born in 1950",
            "Born in 1952 in Ohio, Jane Doe",
            "born 1950 vs 1952",
        ),
        (
            "Springfield has a seating capacity of 20,000 in its arena. The town is old. "
            "Springfield has a seating capacity of 25,000 in its arena.",
            "Springfield has a seating capacity of 20,000",
            "Springfield has a seating capacity of 25,000",
            "capacity 20,000 vs 25,000",
        ),
    ],
)
def test_numeric_conflicts(text: str, first: str, second: str, note: str) -> None:
    assert fired(text) == {"numeric_conflicts": 1.0}
    assert pairs(text, "numeric_conflicts") == [(first, second, note)]


@pytest.mark.parametrize(
    "text",
    [
        # a different time qualifier makes a different fact
        "In 2019 Acme had 5,000 employees. In 2020 Acme had 7,000 employees.",
        "In 2019 revenue was $5m. In 2020 revenue was $7m.",
        # approximations within 10 %, and a bound the other value respects
        "Acme has about 5,000 employees. Acme has 5,200 employees.",
        "Acme has over 5,000 employees. Acme has 6,000 employees.",
        # a range is not a value
        "Acme has between 5,000 and 6,000 employees. Acme has 9,000 employees.",
        # different subjects: siblings sharing a surname, two hotels, two testaments
        "Maddox Jolie-Pitt was born in 2001. Shiloh Jolie-Pitt was born in 2006.",
        "This small hotel has 112 rooms. The luxurious hotel has 218 rooms.",
        "The Old Testament contains 39 books. The New Testament contains 27 books.",
        # tense: had / has
        "Acme had 5,000 employees. Acme has 12,000 employees.",
        # a share of something unsaid, and a pronoun nobody named
        "For young people it has 70%. For old people it has 50%.",
        # both values in one sentence: an enumeration, not a contradiction
        "Acme has 5,000 employees in Ohio and Acme has 12,000 employees in Texas.",
        # repeatable acts are never conflicts ('joined' twice)
        "Smith joined the army in 1936. Smith joined the army in 1933.",
        # the company founded by Smith is not Smith
        "Smith founded Acme in 1975. Smith founded Beta in 1980.",
    ],
)
def test_numeric_near_misses(text: str) -> None:
    assert fired(text) == {}


# ---------------------------------------------------------------------------------------- arithmetic


def test_percentage_change_mismatch() -> None:
    text = "Sales rose from 200 to 300, a 25% increase. That was good news."
    # (300 - 200) / 200 = +50 %, stated 25 %
    assert fired(text) == {"arithmetic_errors": 1.0}
    assert pairs(text, "arithmetic_errors") == [
        ("from 200 to 300", "25% increase", "200 to 300 is +50%, not 25%")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Sales rose from 200 to 300, a 50% increase. That was good news.",
        "Sales rose from 3 to 4, a 33% increase. That was good news.",  # 33.3 rounds to 33
        "Sales rose from 2 to 3 million, a 50% increase. That was good news.",
        "Turnout rose from 20% to 30%, a 10 percentage point increase.",
        "Sales rose from about 200 to 300, a 25% increase. That was good news.",  # approximate input
        "Between 2010 and 2020 sales rose from 200 to 300. Costs rose 25% over the decade.",
    ],
)
def test_percentage_change_near_misses(text: str) -> None:
    assert fired(text) == {}


def test_shares_past_one_whole() -> None:
    text = "In the survey, 60% said yes, 30% said no and 25% were unsure."
    # 60 + 30 + 25 = 115
    assert fired(text) == {"arithmetic_errors": 1.0}
    assert pairs(text, "arithmetic_errors") == [("60% said yes", "25% were unsure", "shares sum to 115%")]


@pytest.mark.parametrize(
    "text",
    [
        "In the survey, 60% said yes, 30% said no and 10% were unsure.",
        # different questions, not one whole
        "In the survey, 60% said they exercise and 70% said they eat well.",
        "60% of men said yes and 70% of women said yes.",
    ],
)
def test_shares_near_misses(text: str) -> None:
    assert fired(text) == {}


def test_part_larger_than_whole() -> None:
    text = "Remarkably, 12 out of 10 dentists recommend it."
    assert fired(text) == {"arithmetic_errors": 1.0}
    assert pairs(text, "arithmetic_errors") == [("12", "10 dentists", "12 of 10")]


@pytest.mark.parametrize(
    "text",
    [
        "Remarkably, 9 out of 10 dentists recommend it.",
        "I would rate it 11 out of 10.",  # hyperbole: no counted noun
        "See Chapter 12 of 10 volumes for details.",  # a label, not a count
        "The singer posted a photo on Mar. 14 of the two embracing.",  # a date
        "Act 12 of 2003 changed the rules.",  # a year
    ],
)
def test_part_of_whole_near_misses(text: str) -> None:
    assert fired(text) == {}


# ------------------------------------------------------------------------------------------ temporal


@pytest.mark.parametrize(
    ("text", "first", "second", "note"),
    [
        (
            "The company was founded in 1990. Ten years later, in 1995, it went public.",
            "1990",
            "Ten years later, in 1995",
            "1990 + 10 years is not 1995",
        ),
        (
            "Mary Jones was born in 1980. Mary Jones graduated from Yale in 1975.",
            "Mary Jones was born in 1980",
            "Mary Jones graduated from Yale in 1975",
            "born 1980, acts in 1975",
        ),
        (
            "Smith died in 1990. In 1995, he founded a charity in Boston.",
            "Smith died in 1990",
            "In 1995, he founded",
            "died 1990, acts in 1995",
        ),
        (  # a compound number word; 1642 + 200 = 1842 (1851 would be within the 10 % a round figure gets)
            "Pascal built it in 1642. The first commercial machine came two hundred years later in 1951.",
            "1642",
            "two hundred years later in 1951",
            "1642 + 200 years is not 1951",
        ),
        (  # the subject named after the age: 1995 - 1970 = 25, not 9
            "Mack was born in 1970. In 1995, at age nine, Mack began rapping.",
            "Mack was born in 1970",
            "In 1995, at age nine",
            "born 1970, aged 9 in 1995 (not 25)",
        ),
        (
            "Joseph Cardijn was born in 1882. In 1920, at the age of 30, he moved to Brussels.",
            "Joseph Cardijn was born in 1882",
            "In 1920, at the age of 30",
            "born 1882, aged 30 in 1920 (not 38)",
        ),
    ],
)
def test_temporal_conflicts(text: str, first: str, second: str, note: str) -> None:
    assert fired(text) == {"temporal_conflicts": 1.0}
    assert pairs(text, "temporal_conflicts") == [(first, second, note)]


@pytest.mark.parametrize(
    "text",
    [
        "The company was founded in 1990. Ten years later, in 2000, it went public.",
        "The war ended in 1945. He married in 1950. Five years later, in 1955, he moved.",  # any anchor fits
        "Pascal built it in 1642. The first commercial machine came two hundred years later in 1851.",
        "Mary Jones was born in 1980. Mary Jones graduated from Yale in 2002.",
        "Joseph Cardijn was born in 1882. In 1912, at the age of 30, he moved to Brussels.",
        # reported speech: the age is not dated by the year of the profile
        "Mack was born in 1970. In a 1995 profile, Mack said he began rapping at age nine.",
        # a different person with the same surname
        "John Smith died in 1990. In 1995, Anna Smith founded a charity.",
    ],
)
def test_temporal_near_misses(text: str) -> None:
    assert fired(text) == {}


# -------------------------------------------------------------------------------------------- counts

BULLETS = (
    "Here are three tips for better sleep:\n\n"
    "- Go to bed early.\n- Avoid screens.\n- Keep the room cool.\n- Skip coffee.\n"
)


def test_count_mismatch_bullets() -> None:
    assert fired(BULLETS) == {"count_mismatches": 1.0}
    assert pairs(BULLETS, "count_mismatches") == [
        (
            "three tips",
            "- Go to bed early.\n- Avoid screens.\n- Keep the room cool.\n- Skip coffee.",
            "announces 3 tips, lists 4",
        )
    ]


def test_count_mismatch_numbered_headings() -> None:
    text = (
        "# 5 Ways to Save Money\n\nSaving money is easier than most people think, and these ideas help.\n\n"
        "## 1. Make a Budget\n\nWrite down every expense for a month and look for patterns.\n\n"
        "## 2. Cook at Home\n\nRestaurant meals cost far more than the same food made at home.\n\n"
        "## 3. Walk More\n\nWalking short distances saves fuel and keeps you healthy too.\n\n"
        "## Conclusion\n\nSmall habits add up over a year.\n"
    )
    assert fired(text) == {"count_mismatches": 1.0}
    assert pairs(text, "count_mismatches") == [("5 Ways", "## 3. Walk More", "announces 5 ways, lists 3")]


@pytest.mark.parametrize(
    "text",
    [
        "Here are three tips for better sleep:\n\n- Go to bed early.\n- Avoid screens.\n- Keep it cool.\n",
        # nested items and continuation lines are not items
        "Here are two tips:\n\n- Go to bed early.\n  - even on weekends\n- Avoid screens\nat night.\n",
        # the count is not what introduces the list
        "There are 5 types of coffee. The most common are:\n\n- espresso\n- latte\n",
        "Here are three tips, plus a bonus:\n\n- One.\n- Two.\n- Three.\n- Bonus: sleep.\n",
        "Here are more than 3 tips:\n\n- One.\n- Two.\n- Three.\n- Four.\n",
    ],
)
def test_count_near_misses(text: str) -> None:
    assert fired(text) == {}


# ------------------------------------------------------------------------------------------ polarity


@pytest.mark.parametrize(
    ("text", "note"),
    [
        (
            "The new drug is safe for young children. Doctors tested it widely. "
            "The new drug is not safe for young children.",
            "safe vs not safe",
        ),
        (
            "Company profits rose sharply in the last quarter. The board met. "
            "Company profits fell sharply in the last quarter.",
            "rose vs fell",
        ),
        (
            "The study found that the treatment was effective. The sample was small. "
            "The study found that the treatment was ineffective.",
            "effective vs ineffective",
        ),
    ],
)
def test_polarity_contradictions(text: str, note: str) -> None:
    doc = parse(text)
    first, last = doc.sentences[0], doc.sentences[-1]
    assert fired(text) == {"polarity_contradictions": 1.0}
    assert pairs(text, "polarity_contradictions") == [
        (text[first.start : first.end], text[last.start : last.end], note)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The new drug is safe for adults. The new drug is not safe for young children.",  # overlap < 0.6
        "Some cats are friendly to strangers. Some cats are not friendly to strangers.",  # quantified
        "Many think the new drug is safe for children. The new drug is not safe for children.",  # reported
        "Sales rose in Europe last year. Sales fell in Asia last year.",  # different place names
        "Shares of Apple rose sharply on Monday. Shares of Microsoft fell sharply on Monday.",
        "Prices rose in the first quarter of the year. Prices fell in the second quarter of the year.",
        "Prices rose sharply in the big cities. Prices fall sharply in the big cities.",  # tense differs
        "Students will make new friends at school. Students won't make new friends at home online.",
        "Is the new drug safe for young children? The new drug is not safe for young children.",
        "Limiting cars is good because it doesn't cause more pollution, and causes less traffic. "
        "Limiting cars is good because it keeps pollution away, and causes less traffic.",
        "Sensitivity refers to the proportion of positive cases correctly found. "
        "Specificity refers to the proportion of negative cases correctly found.",
        "The screenplay for I'm Here was written by Michelle Schumacher. "
        "The screenplay for I'm Not Here was written by Michelle Schumacher.",
        "The drug is not only safe for young children but cheap. The drug is safe for young children.",
        # A story: one event at two moments (a time loop), not two claims.
        "The woman at the corner table turned the same page of her book. The rain kept falling. "
        "The woman at the corner table did not turn her page.",
        "The woman at the corner table turned the same page of her book. The rain kept falling. "
        "The woman at the corner table didn't turn her page.",
    ],
)
def test_polarity_near_misses(text: str) -> None:
    assert fired(text) == {}


# --------------------------------------------------------------------------------------------- roles


def test_role_conflict() -> None:
    text = (
        "CEO John Smith announced the deal on Monday. Analysts were surprised. "
        "John Smith, the company's CFO, declined to comment."
    )
    assert fired(text) == {"role_conflicts": 1.0}
    assert pairs(text, "role_conflicts") == [
        ("CEO John Smith", "John Smith, the company's CFO", "CEO vs CFO")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "CEO John Smith announced the deal. John Smith, the company's CFO until 2019, was promoted.",
        "CFO and COO John Smith spoke. John Smith, the company's COO, agreed.",  # offices held together
        "Former CFO John Smith spoke. CEO John Smith thanked him.",  # a former office
        "CEO John Smith spoke. Anna Smith, the company's CFO, agreed.",  # two people
        "CEO John Smith spoke. John Smith, the company's CEO, agreed.",  # one office
    ],
)
def test_role_near_misses(text: str) -> None:
    assert fired(text) == {}


# ------------------------------------------------------------------------------------ human writing


HUMAN = (
    "I moved to Leeds in 2009, two years after I finished school, and I have lived here ever since. "
    "The house we rent has three bedrooms and a small garden. My brother had two children then; "
    "he has three now. Prices rose a lot last year, and this year they fell a little. Not every street "
    "is safe at night, but ours is quiet. In my old town the shops were not open on Sundays. Here they "
    "are open every day. The bus to the centre takes 20 minutes, and the train takes 12 minutes.\n\n"
    "We like it here. The schools are good, and the people are friendly. My neighbour, who was born in "
    "1950, still walks to the market every morning. She says the market was smaller when she was young."
)


def test_clean_human_paragraph_is_silent() -> None:
    v = values(HUMAN)
    assert all(x == 0.0 for x in v.values())
    assert slopsift.signals(HUMAN).families["inconsistency"].evidence == []


def test_evidence_maps_to_original_offsets() -> None:
    # typography and invisible characters change lengths in normalisation: spans must still slice the input
    text = (
        "\u201cAcme\u201d is a firm.\u200b Acme was founded in 1998. It grew. Acme, founded in 2003, sells."
    )
    assert pairs(text, "numeric_conflicts") == [
        ("Acme was founded in 1998", "Acme, founded in 2003", "founded 1998 vs 2003")
    ]


def test_trivial_inputs() -> None:
    for text in ["", " ", "\n\n", "word", "1998", "not", "- a\n- b\n"]:
        v = values(text)
        assert all(x == 0.0 for x in v.values())


def test_hits_are_capped() -> None:
    text = " ".join(f"Acme{i} was founded in 1998. Acme{i} was founded in 2003." for i in range(40))
    # 40 distinct firms, each with a conflict; counts stop at 20 per detector, evidence at 12 pairs
    v = values(text)
    assert v["numeric_conflicts"] == 20.0
    assert len(pairs(text, "numeric_conflicts")) == 12


# -------------------------------------------------------------------------------------- properties

text_like = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            [
                "Acme was founded in 1998. ",
                "Acme, founded in 2003, ",
                "rose from 200 to 300, a 25% increase. ",
                "Here are three tips:\n- a\n- b\n",
                "is not safe. ",
                "CEO John Smith ",
                "John Smith, the CFO, ",
                "ten years later, in 1995, ",
                "at the age of 30 in 1920 ",
                "12 out of 10 ",
                "\n\n",
                "# 5 Ways\n\n## 1. One\n\nbody text here.\n",
            ]
        ),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_like)
def test_finite_deterministic_and_paired(text: str) -> None:
    doc = parse(text)
    v1, ev1 = compute(doc)
    v2, ev2 = compute(parse(text))
    assert v1 == v2 and ev1 == ev2
    assert set(v1) == {f.name for f in FEATURES}
    assert all(math.isfinite(x) and x >= 0 for x in v1.values())
    assert v1["any_conflict"] == (1.0 if any(v1[d] for d in DETECTORS) else 0.0)
    for name in DETECTORS:
        mine = [e for e in ev1 if e.signal == name]
        assert len(mine) == 2 * min(int(v1[name]), 12)
        for e in mine:
            assert 0 <= e.start < e.end <= len(doc.text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_like)
@example("IF")  # a frame cue and nothing else: no detector opens, the side positions still complete
def test_cue_positions_hold_every_number_in_order(text: str) -> None:
    # Every word starting with a digit is a cue position (and a number), and the positions ascend.
    from slopsift.signals.inconsistency import _Ctx, _cue_positions, _lex

    doc = parse(text)
    words = doc.words
    digits = [i for i, w in enumerate(words) if w[0].isdigit()]
    lex = _lex()
    ctx = _Ctx(doc, lex)
    pos, numbers, side = _cue_positions(ctx)
    assert pos == sorted(set(pos))
    assert [i for i in pos if words[i][0].isdigit()] == digits
    assert ctx.digits == digits
    assert {words[i] for i in digits} <= numbers
    assert all(words[i] in numbers or not words[i][0].isdigit() for i in pos)
    # the correction and frame cues, found in the same pass: every occurrence, in order
    assert side.present == set(words) & lex.side_words
    assert side.pos == [i for i, w in enumerate(words) if w in lex.side_words]


def test_digit_positions_beyond_ascii() -> None:
    # Words starting with a non-ASCII digit ('²', Arabic-Indic '٣') count, as do ASCII ones after a
    # non-ASCII word; letters that lower-case to two characters ('İ') do not shift anything.
    from slopsift.signals.inconsistency import _digit_positions

    for text in (
        "İstanbul had ²3 and ٣٤ and 12 people in 1998, Café 7x.",
        "plain 1 and 22 and x3",
        "no digits at all",
        "",
        "Σ 9 ΣΑΣ 1",
    ):
        doc = parse(text)
        assert _digit_positions(doc) == [i for i, w in enumerate(doc.words) if w[0].isdigit()]


def test_cue_positions_ascii_and_not() -> None:
    # The same sentence as ASCII text and with a non-ASCII word in front: the numbers are found
    # either way, each once, in text order.
    from slopsift.signals.inconsistency import _Ctx, _cue_positions, _lex

    for text in (
        "Acme had 12 of 10 staff and 3 offices in 1998.",
        "Café Acme had 12 of 10 staff and 3 offices in 1998.",
    ):
        doc = parse(text)
        pos, numbers, _ = _cue_positions(_Ctx(doc, _lex()))
        assert {"12", "10", "3", "1998"} <= numbers
        assert [doc.words[i] for i in pos if doc.words[i][0].isdigit()] == ["12", "10", "3", "1998"]


# ----------------------------------------------------------------- ordinary human writing (false alarms)
# Each class below once fired on honest human text. A text of the class must leave its detector at
# exactly 0; where the rule could reach too far, a real contradiction beside it must still fire.


@pytest.mark.parametrize(
    "text",
    [
        "An earlier version of this article said the bakery was founded in 1998. "
        "The bakery was founded in 2003.",
        "The Rose Bakery was founded in 1998 by Ann Lee. She bakes every morning.\n\n"
        "Editor's note: we previously reported that the Rose Bakery was founded in 1998. "
        "The Rose Bakery was founded in 2003.",
        "Acme has 300 employees, most of them in Ohio.\n\n"
        "Correction: This article originally reported that Acme has 500 employees. Acme has 300 employees.",
        "Update: after three months the battery is weaker. Acme has 300 employees and Acme has 250 now.",
        "The museum was founded in 1901.\n\n"
        "Clarification: the museum was incorrectly described as founded in 1910.",
    ],
)
def test_correction_notes_are_not_compared(text: str) -> None:
    assert values(text)["numeric_conflicts"] == 0.0
    assert values(text)["any_conflict"] == 0.0


def test_contradiction_outside_a_correction_note_still_fires() -> None:
    text = (
        "Acme was founded in 1998. It makes tools. Acme, founded in 2003, is based in Ohio.\n\n"
        "Correction: an earlier version of this article misstated the name of Acme's chief executive."
    )
    assert fired(text) == {"numeric_conflicts": 1.0}
    assert pairs(text, "numeric_conflicts")[0][2] == "founded 1998 vs 2003"


def test_update_without_colon_is_no_correction() -> None:
    text = "We update the site daily. Acme has 5,000 employees. Acme has 12,000 employees."
    assert fired(text) == {"numeric_conflicts": 1.0}


@pytest.mark.parametrize(
    "text",
    [
        "Three things I learned this year:\n\n1. Sleep matters.\n2. Walk every day.\n3. Call your mother.\n"
        "4. And a bonus one: drink water.\n",
        "Three things I learned:\n\n- Sleep matters.\n- Walk daily.\n- Call home.\n- Drink water (bonus!).\n",
        "My top 5 films of the year:\n\n1. Alpha\n2. Beta\n3. Gamma\n4. Delta\n5. Epsilon\n"
        "6. Honourable mention: Zeta\n",
    ],
)
def test_bonus_items_are_extras(text: str) -> None:
    assert values(text)["count_mismatches"] == 0.0


def test_extra_items_before_the_bonus_still_count() -> None:
    # five tips announced, six listed before the bonus one
    text = "5 tips for runners:\n\n1. A\n2. B\n3. C\n4. D\n5. E\n6. F\n7. A bonus one: G\n"
    assert fired(text) == {"count_mismatches": 1.0}
    assert pairs(text, "count_mismatches")[0][2] == "announces 5 tips, lists 6"


def test_years_later_counts_from_any_year_of_the_paragraph() -> None:
    # 'five years later' counts from 1946, three sentences back, not from 1948
    text = (
        "My grandfather arrived in Boston in 1946. He found work at the docks. "
        "In 1948 his brother Tom married in Cork. Five years later, in 1951, Grandpa bought a house."
    )
    assert values(text)["temporal_conflicts"] == 0.0
    wrong = text.replace("in 1951", "in 1960")
    assert fired(wrong) == {"temporal_conflicts": 1.0}
    # a year further back only excuses: with no dated statement in the last two sentences, silence
    far = (
        "The mill opened in 1900. It employed forty men. The owner was strict. "
        "Ten years later, in 1925, it closed."
    )
    assert values(far)["temporal_conflicts"] == 0.0


@pytest.mark.parametrize(
    "text",
    [
        # 'He' is the son, not Tom: other people come between the name and the pronoun
        "Tom Reilly was my grandfather. Tom Reilly died in 1979. His son Michael took over the farm. "
        "Michael kept the cows. He married in 1984.",
        "Tom Reilly died in 1979. His son took over the farm and kept the cows. He married in 1984.",
        "Tom Reilly died in 1979. His son took over the farm, and in 1984 he married.",
        "Tom Reilly was born in 1950. Anna Price raised him. She graduated from Yale in 1940.",
    ],
)
def test_pronouns_resolved_with_doubt_are_not_dated(text: str) -> None:
    assert values(text)["temporal_conflicts"] == 0.0


def test_pronoun_right_after_the_name_is_still_dated() -> None:
    text = "Tom Reilly died in 1979. In 1984, he married a teacher."
    assert fired(text) == {"temporal_conflicts": 1.0}
    assert pairs(text, "temporal_conflicts")[0][2] == "died 1979, acts in 1984"


@pytest.mark.parametrize(
    "text",
    [
        "Acme had 40 employees when I joined. It was chaos. Acme had 120 employees when I left.",
        "The team had five engineers when I started. The team had twelve engineers by the time I left.",
        "Acme had 40 employees at first. Acme had 120 employees at its peak.",
        "Acme had 40 employees back then. Acme has 120 employees.",
        "Acme had 40 employees after the merger. Acme had 90 employees before the merger.",
    ],
)
def test_time_clauses_qualify_quantities(text: str) -> None:
    assert values(text)["numeric_conflicts"] == 0.0


def test_same_time_clause_still_compared() -> None:
    text = "Acme had 40 employees when I joined. It was chaos. Acme had 120 employees when I joined."
    assert fired(text) == {"numeric_conflicts": 1.0}


def test_one_disagreement_counts_once() -> None:
    text = (
        "Acme was founded in 1998. Acme was founded in 2003. Acme, founded in 1998, makes tools. "
        "Acme was founded in 2003 by Bob."
    )
    assert fired(text) == {"numeric_conflicts": 1.0}
    # a third value is a second disagreement
    assert fired(text + " Acme was founded in 2010.") == {"numeric_conflicts": 2.0}


@pytest.mark.parametrize(
    "text",
    [
        # another person between the name and the pronoun: 'she' may be the daughter
        "John Smith was born in 1950 in Leeds. He had one daughter, Anna. She was born in 1975 in York.",
        "John Smith was born in 1950 in Leeds. He met Mary Jones at a dance. She was born in 1955 in Hull.",
    ],
)
def test_pronoun_after_another_person_is_not_resolved(text: str) -> None:
    assert values(text)["numeric_conflicts"] == 0.0


def test_pronoun_after_a_nationality_is_still_resolved() -> None:
    # 'Belgian' is one capitalised word, not a person
    text = (
        "Joseph Cardijn was a Belgian priest. He was born in 1882 in Schaerbeek. "
        "He was born in 1883 according to the parish."
    )
    assert fired(text) == {"numeric_conflicts": 1.0}


def test_decades_qualify_quantities() -> None:
    text = (
        "The population of Springfield was 50,000 in the 1950s. "
        "The population of Springfield was 30,000 in the 1990s."
    )
    assert values(text)["numeric_conflicts"] == 0.0
    same = text.replace("1990s", "1950s")
    assert fired(same) == {"numeric_conflicts": 1.0}


def test_role_mention_with_now_is_a_change() -> None:
    text = "CTO Anna Berg built the first prototype. Anna Berg, the company's CEO, now leads 200 people."
    assert values(text)["role_conflicts"] == 0.0
    assert fired(text.replace(", now leads", ", leads")) == {"role_conflicts": 1.0}


def test_one_instance_of_several_is_another_subject() -> None:
    text = (
        "The first bridge was built in 1850. "
        "The bridge was built in 1920 after the flood destroyed the first one."
    )
    assert values(text)["numeric_conflicts"] == 0.0
    # a modifier that names no instance keeps the subject
    assert fired(text.replace("The first bridge", "The stone bridge")) == {"numeric_conflicts": 1.0}


# ------------------------------------------------------------------ one-time events of named things

FILLER = "The weather there is usually mild. Many visitors come in the spring. "


@pytest.mark.parametrize(
    ("text", "note"),
    [
        (
            f"Penicillin was discovered in 1922. {FILLER}Penicillin was discovered in 1913.",
            "discovered 1922 vs 1913",
        ),
        (
            f"The Brooklyn Bridge opened in 1883. {FILLER}The Brooklyn Bridge opened in 1884.",
            "opened 1883 vs 1884",
        ),
        (
            f"Moby-Dick was first published in 1851. {FILLER}Moby-Dick was first published in 1852.",
            "first published 1851 vs 1852",
        ),
        (
            f"Netflix launched in 1997. {FILLER}Netflix, launched in 1999, rents films.",
            "launched 1997 vs 1999",
        ),
        (
            f"Neon is a gas. It was invented in 1898. {FILLER}Neon was invented in 1908.",
            "invented 1898 vs 1908",
        ),
    ],
)
def test_named_things_made_once(text: str, note: str) -> None:
    assert fired(text) == {"numeric_conflicts": 1.0}
    assert pairs(text, "numeric_conflicts")[0][2] == note


@pytest.mark.parametrize(
    "text",
    [
        # different events of one thing
        f"The format was created in 1997. {FILLER}The format was introduced in 2001.",
        f"The bridge opened in 1883. {FILLER}The bridge was completed in 1886.",
        f"Acme was founded in 1985. {FILLER}Acme has been serving customers since 1992.",
        # a place or medium in the clause: two facts
        f"Oil was discovered in Texas in 1901. {FILLER}Oil was discovered in 1938 in Saudi Arabia.",
        f"Moby-Dick was first published in 1851 in London. {FILLER}Moby-Dick was first published in 1852.",
        # a generic definite phrase may be each item of a list
        "Helium is a gas. The element was discovered in 1868. "
        "Neon is a gas. The element was discovered in 1898.",
        # plural: several finds; a discoverer discovers many things
        f"Fossils were discovered here in 1920. {FILLER}Fossils were discovered here in 1950.",
        f"Curie discovered in 1898 that radium glowed. {FILLER}Curie discovered in 1902 that it was hot.",
        # editions repeat without 'first'
        f"Moby-Dick was published in 1851. {FILLER}Moby-Dick was published in 1852.",
        f"Netflix launched in 1997. {FILLER}Netflix launched its streaming service in 2007.",
    ],
)
def test_named_things_made_once_near_misses(text: str) -> None:
    assert fired(text) == {}


# ----------------------------------------------------------------------- counts announced in prose


@pytest.mark.parametrize(
    ("text", "first", "second", "note"),
    [
        # the same noun restated with another number
        (
            f"Here are 5 tips for better sleep. {FILLER}Following these 7 tips will help you rest.",
            "5 tips",
            "these 7 tips",
            "announces 5 tips, restates 7",
        ),
        (
            f"There are three benefits of walking. {FILLER}All seven benefits are free.",
            "three benefits",
            "All seven benefits",
            "announces 3 benefits, restates 7",
        ),
        # ordinal paragraph openers past the count
        (
            "There are three benefits of walking.\n\nFirst, it helps your heart. It is also cheap.\n\n"
            "Second, it helps you sleep.\n\nThird, it lifts your mood.\n\nFourth, it is free.",
            "three benefits",
            "Fourth",
            "announces 3 benefits, counts 4",
        ),
        # an item named past the count
        (
            f"Here are 3 habits of successful people. {FILLER}The fifth habit is reading every day.",
            "3 habits",
            "The fifth habit",
            "announces 3 habits, names item 5",
        ),
        (
            f"Here are 3 habits. {FILLER}Habit number 5 is reading.",
            "3 habits",
            "Habit number 5",
            "announces 3 habits, names item 5",
        ),
        (
            f"5 tips for runners: {FILLER}Tip #6 is to rest.",
            "5 tips",
            "Tip #6",
            "announces 5 tips, names item 6",
        ),
    ],
)
def test_counts_in_prose(text: str, first: str, second: str, note: str) -> None:
    assert fired(text) == {"count_mismatches": 1.0}
    assert pairs(text, "count_mismatches") == [(first, second, note)]


@pytest.mark.parametrize(
    "text",
    [
        # a count that announces nothing
        f"Successful people have 3 habits in common. {FILLER}The fifth habit is reading every day.",
        # different things counted with one noun
        f"Here are 3 tips for beginners. {FILLER}These 5 tips for experts are harder.",
        f"Here are 3 tips for beginners. {FILLER}Here are 5 tips for experts. These 5 tips work.",
        # a part of the set, or extras
        f"Here are 10 tips. {FILLER}Of these 10 tips, the 3 most important tips are below.",
        f"Here are 10 tips. {FILLER}Only these 3 tips really matter.",
        f"There are three reasons. {FILLER}A fourth reason is money.",
        f"There are three reasons. {FILLER}Another reason is fun. The fourth reason is the price.",
        f"Here are three habits. {FILLER}A bonus: the fourth habit is sleep.",
        "Top 10 tips for runners. I tried 5 of them. These tips work.",
        # ordinal openers: 'Finally' is not counted; an irregular run, a run not right after the count
        "There are three reasons. Firstly, it is cheap. Secondly, it is fast. Thirdly, it is fun. "
        "Finally, it is green.",
        "Here are three reasons. First, it is cheap. Third, it is fast. Fourth, it is fun.",
        f"Here are three reasons. {FILLER}First, it is cheap. Second, it is fast. Third, ok. Fourth, fun.",
        "Here are three reasons. First, it is cheap. Second, fast. Third, fun. Fourth, and a bonus: green.",
        # an approximate count, and a correction
        f"Here are about 5 tips. {FILLER}These 7 tips will help.",
        f"Here are 5 tips. {FILLER}Correction: an earlier version said these 7 tips.",
    ],
)
def test_counts_in_prose_near_misses(text: str) -> None:
    assert fired(text) == {}


# ------------------------------------------------------------------------ fixtures: ordinary writing
# Both fixtures were written by hand for this check (not taken from any corpus): short texts of the
# kinds people write that are dense in numbers, dates, counts, roles and negations (obituaries,
# company histories, job-change posts, sports recaps, recipes, results, diaries, reviews with updates,
# forum posts by non-native writers, school essays, news with corrections, timelines, top-N lists), on
# which the family must stay silent; and plain self-contradictions it must still catch.

FIXTURES = Path(__file__).parent / "fixtures"


def _jsonl(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


ORDINARY = _jsonl("inconsistency_ordinary_human.jsonl")
CONTRADICTIONS = _jsonl("inconsistency_contradictions.jsonl")


def test_ordinary_fixture_shape() -> None:
    assert len(ORDINARY) >= 60
    assert len({d["id"] for d in ORDINARY}) == len(ORDINARY)
    assert all(80 <= len(d["text"].split()) <= 400 and d["note"] for d in ORDINARY)
    assert len(CONTRADICTIONS) >= 14


@pytest.mark.parametrize("doc", ORDINARY, ids=[d["id"] for d in ORDINARY])
def test_ordinary_human_writing_is_silent(doc: dict[str, str]) -> None:
    assert fired(doc["text"]) == {}


@pytest.mark.parametrize("doc", CONTRADICTIONS, ids=[d["id"] for d in CONTRADICTIONS])
def test_plain_contradictions_fire(doc: dict[str, str]) -> None:
    assert fired(doc["text"]) == {doc["detector"]: 1.0}


# ------------------------------------------- second independent review: false alarms on honest writing


@pytest.mark.parametrize(
    ("text", "detector"),
    [
        # father and sons: the bare surname may be any of three full names
        (
            "Johann Sebastian Bach was born in 1685. Carl Philipp Emanuel Bach was born in 1714. "
            "Johann Christian Bach was born in 1735.\n\nBach died in 1750. "
            "Carl Philipp Emanuel Bach died in 1788 in Hamburg.",
            "numeric_conflicts",
        ),
        # one other full name, but 'his father' beside it: the surname is a family's
        (
            "Tolkien died in 1973 at the age of 81. His third son edited his papers. "
            "Christopher Tolkien published drafts that his father had written, and died in 2020.",
            "numeric_conflicts",
        ),
        # 'twenty years later' counts from the undated move at eight, not from the birth year
        (
            "Peggy was born in 1936 in Tralee. Her family moved to Liverpool when she was eight. "
            "Twenty years later, in 1964, she bought the shop.",
            "temporal_conflicts",
        ),
        # the writer admits the shortfall on the heading line or right after the list
        (
            "10 things I wish I had known (I only got to 4)\n\n1. Survey.\n2. Pressure.\n3. Rain.\n"
            "4. Kitchen.\n",
            "count_mismatches",
        ),
        (
            "5 tips for new cooks:\n\n1. Taste.\n2. Salt.\n3. Rest meat.\n\n"
            "I'll add the last two when I remember them.",
            "count_mismatches",
        ),
        # a dream asserts nothing
        (
            "His sister was born in 1991. In the dream he had that night, his sister was born in 1989.",
            "numeric_conflicts",
        ),
        (
            "In the novel, the castle was built in 1320 by a mad king. The castle was built in 1410.",
            "numeric_conflicts",
        ),
        # a date in the sentence before qualifies an undated quantity of the same paragraph
        (
            "The population of Norwich was about 10,000 in 1300.\n\n"
            "In 1700 Norwich was the second-largest city in England. "
            "The population of Norwich was about 30,000.",
            "numeric_conflicts",
        ),
    ],
)
def test_second_review_false_alarms(text: str, detector: str) -> None:
    assert values(text)[detector] == 0.0
    assert values(text)["any_conflict"] == 0.0


@pytest.mark.parametrize(
    ("text", "detector", "note"),
    [
        # one full name only and no relation near: the surname is still that person
        (
            "Johann Sebastian Bach was born in 1685 in Eisenach. He moved to Leipzig in 1723.\n\n"
            "Bach died in 1750. Johann Sebastian Bach died in 1752.",
            "numeric_conflicts",
            "died 1750 vs 1752",
        ),
        # two different full names never merge, but the same full name twice still disagrees
        (
            "Carl Philipp Emanuel Bach died in 1788. Johann Sebastian Bach died in 1750. "
            "Carl Philipp Emanuel Bach died in 1790.",
            "numeric_conflicts",
            "died 1788 vs 1790",
        ),
        # a dated sentence just before: the offset is checked
        (
            "Peggy was born in 1936 in Tralee. She moved to Liverpool in 1944. "
            "Twenty years later, in 1970, she bought the shop.",
            "temporal_conflicts",
            "1944 + 20 years is not 1970",
        ),
        # no admission: the short list still fires
        (
            "5 tips for new cooks:\n\n1. Taste.\n2. Salt.\n3. Rest meat.\n\nHappy cooking, everyone.",
            "count_mismatches",
            "announces 5 tips, lists 3",
        ),
        # a frame later in a paragraph covers its own sentence only: the plain statements around it disagree
        (
            "His sister was born in 1991. In the dream he had that night, he flew. "
            "His sister was born in 1989.",
            "numeric_conflicts",
            "born 1991 vs 1989",
        ),
        # both undated and in one paragraph with no date before: still one fact
        (
            "The population of Norwich was about 10,000. Norwich is in England. "
            "The population of Norwich was about 30,000.",
            "numeric_conflicts",
            "population 10,000 vs 30,000",
        ),
        # the same date carried forward: the two values still disagree
        (
            "The population of Norwich was about 10,000 in 1700.\n\n"
            "In 1700 Norwich was the second-largest city in England. "
            "The population of Norwich was about 30,000.",
            "numeric_conflicts",
            "population 10,000 vs 30,000",
        ),
    ],
)
def test_second_review_real_contradictions_still_fire(text: str, detector: str, note: str) -> None:
    assert fired(text) == {detector: 1.0}
    assert pairs(text, detector)[0][2] == note


@pytest.mark.parametrize(
    "text",
    [
        # a change word far from the name and the office, or 'new' before another noun
        "CEO Maria Lopez opened the meeting, and the company opened two new wind farms. "
        "Maria Lopez, the company's CFO, told investors the plant would pay for itself.",
        "CEO Maria Lopez opened the new plant on Monday. Later in the week, Maria Lopez, the company's "
        "CFO, told investors the plant would pay for itself.",
    ],
)
def test_role_change_far_from_the_name_does_not_silence(text: str) -> None:
    assert fired(text) == {"role_conflicts": 1.0}
    assert pairs(text, "role_conflicts")[0][2] == "CEO vs CFO"


@pytest.mark.parametrize(
    "text",
    [
        "CEO Maria Lopez opened the meeting. Maria Lopez, the company's new CFO, spoke next.",
        "CEO Maria Lopez opened the meeting. Maria Lopez, who later became CFO, spoke next.",
        "Former CEO Maria Lopez opened the meeting. Maria Lopez, the company's CFO, spoke next.",
    ],
)
def test_role_change_near_the_name_or_office_silences(text: str) -> None:
    assert values(text)["role_conflicts"] == 0.0


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("Here are 5 tips. {p}The tip #{n} is good. {p}", 0.0),
        ("Here are 5 habits. {p}The habit number {n} is good. {p}", 0.0),
        # no admission in the parentheses: three tips announced, two listed
        ("\n\n({n}) Here are three tips:\n\n- a thing to do here\n- another thing\n\n{p}", 1.0),
    ],
)
def test_a_number_too_long_for_int_is_no_item_number(hostile: str, expected: float) -> None:
    # Python refuses int() of more than 4,300 digits; an item number has at most three.
    p = "The committee met on Tuesday to discuss the budget for the coming year and agreed on points. " * 3
    text = p + hostile.format(p=p, n="9" * 5000)
    assert values(text)["count_mismatches"] == expected


def _polarity_conflicts(text: str, closed: bool) -> list[object]:
    """The polarity conflicts of ``text`` with ``_Lex.polar_closed`` as given."""
    from dataclasses import replace

    from slopsift.signals.inconsistency import _Ctx, _lex, _scan

    doc = parse(text)
    ctx = _Ctx(doc, replace(_lex(), polar_closed=closed))
    if doc.sentences and doc.words:
        _scan(ctx)
    return ctx.conflicts["polarity_contradictions"]


@pytest.mark.parametrize("case", CONTRADICTIONS + ORDINARY, ids=lambda c: c["id"])
def test_polar_closed_skips_nothing(case: dict[str, str]) -> None:
    # Skipping the sentences without a polarity cue as partners of a sentence that is not negated
    # (``_Lex.polar_closed``) finds exactly the conflicts found without the skip.
    from slopsift.signals.inconsistency import _lex

    lex = _lex()
    # the skip's premises: every negation is a scan word (so a negated sentence is always a candidate)
    assert lex.polar_closed and lex.neg <= lex.scan_words
    text = case["text"]
    assert _polarity_conflicts(text, True) == _polarity_conflicts(text, False)


polar_like = st.lists(
    st.sampled_from(
        [
            "Sales rose sharply in the north region. ",
            "Sales fell sharply in the north region. ",
            "Sales did not rise sharply in the north region. ",
            "The drug is safe for young children. ",
            "The drug is not safe for young children. ",
            "The drug is unsafe for young children. ",
            "The new plan supports local dairy farmers. ",
            "The new plan opposes local dairy farmers. ",
            "The new plan never supports local dairy farmers. ",
            "Prices increased in the city market last year. ",
            "Prices decreased in the city market last year. ",
            "Prices were higher in the city market last year. ",
            "The city market was quiet last year. ",
            "\n\n",
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(text_like, polar_like))
def test_polar_closed_skips_nothing_generated(text: str) -> None:
    assert _polarity_conflicts(text, True) == _polarity_conflicts(text, False)
