"""The headings family (repeated, templated and echoed headings, even sections) and heading detection."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import parse
from slopsift.signals.headings import FAMILY, FEATURES, UNIFORMITY_FIRES, compute

FIXTURES = Path(__file__).parent / "fixtures"
HIGHER_WORSE = [f.name for f in FEATURES if f.direction == "higher_worse"]


def values(text: str) -> dict[str, float]:
    return compute(parse(text))[0]


def evidence(text: str, signal: str) -> list[str]:
    """Original-text slices of the evidence for ``headings.<signal>`` (spans in original offsets)."""
    res = slopsift.signals(text)
    return [
        text[e.start : e.end] for e in res.families["headings"].evidence if e.signal == f"headings.{signal}"
    ]


def headings(text: str) -> list[tuple[str, str]]:
    d = parse(text)
    return [(d.text[h.start : h.end], h.kind) for h in d.headings]


BODY = "This paragraph has enough ordinary words in it to read as body text."


# --- the two fixture articles --------------------------------------------------------------------


def test_content_farm_fires_strongly() -> None:
    text = (FIXTURES / "content_farm.md").read_text(encoding="utf-8")
    v = values(text)
    # 8 section headings: Introduction, Benefits x3, Overview of Green Tea, Importance of Antioxidants,
    # Conclusion x2. Every one is a template heading (Introduction, "benefits of ...", "overview of ...",
    # "importance of ...", conclusion).
    assert v["heading_count"] == 8
    assert v["title_recurrence"] == 3  # the title is the heading of three sections
    assert v["duplicate_heading_fraction"] == pytest.approx(3 / 8)  # Benefits 2nd+3rd, Conclusion 2nd
    assert v["template_heading_fraction"] == 1.0
    assert v["template_heading_count"] == 8
    assert v["conclusion_sections"] == 2
    assert v["section_uniformity"] > UNIFORMITY_FIRES  # sections of 39-79 words
    # Eligible (>= 2 content words): Benefits x3, Overview of Green Tea, Importance of Antioxidants.
    # All but "Overview of Green Tea" ("Green tea comes from ...": 2 of 3 content words) are restated.
    assert v["heading_echo_fraction"] == pytest.approx(4 / 5)
    assert evidence(text, "conclusion_sections") == ["Conclusion"]
    assert evidence(text, "title_recurrence") == ["The Benefits of Green Tea for Health"] * 3
    echoes = evidence(text, "heading_echo_fraction")
    assert "The importance of antioxidants cannot be overstated." in echoes


def test_content_farm_as_plain_text_fires_too() -> None:
    """Scraped to plain text (markdown markers lost), the same outline is still found."""
    text = re.sub(r"(?m)^#+ ", "", (FIXTURES / "content_farm.md").read_text(encoding="utf-8"))
    d = parse(text)
    assert (
        d.title is not None and d.text[d.title.start : d.title.end] == "The Benefits of Green Tea for Health"
    )
    assert {h.kind for h in d.headings} == {"plain"}
    v = compute(d)[0]
    assert v["title_recurrence"] == 3
    assert v["conclusion_sections"] == 2
    assert v["template_heading_count"] == 8


def test_human_article_does_not_fire() -> None:
    text = (FIXTURES / "human_article.md").read_text(encoding="utf-8")
    v, ev = compute(parse(text))
    assert v["heading_count"] == 5
    for name in HIGHER_WORSE:
        if name == "section_uniformity":
            assert v[name] < UNIFORMITY_FIRES
        else:
            assert v[name] == 0.0, name
    assert ev == []


# --- exact values on small texts -----------------------------------------------------------------


def test_templates_conclusions_and_echo() -> None:
    text = (
        "# Yoga for Busy People\n\n"
        f"{BODY}\n\n"
        "## Introduction\n\n"
        f"{BODY}\n\n"
        "## The Benefits of Yoga\n\n"
        "The benefits of yoga are numerous. They help everyone.\n\n"
        "## 1. Overview of Breathing\n\n"
        "Slow breathing calms the mind before a long day.\n\n"
        "## Conclusion\n\n"
        f"{BODY}\n\n"
        "## Final Thoughts\n\n"
        "Try it for a week and see.\n"
    )
    v = values(text)
    # 5 section headings, all templates: "introduction", "the benefits of yoga" (benefits of ...),
    # "overview of breathing" (numbering dropped; overview of ...), "conclusion", "final thoughts".
    assert v["heading_count"] == 5
    assert v["template_heading_fraction"] == 1.0
    assert v["template_heading_count"] == 5
    assert v["conclusion_sections"] == 2  # Conclusion + Final Thoughts
    assert v["duplicate_heading_fraction"] == 0.0
    # Title content words {yoga, busy, people}; no heading holds 80% of them.
    assert v["title_recurrence"] == 0.0
    # Echo-eligible: Benefits of Yoga {benefit, yoga} -> echoed; Overview of Breathing {overview,
    # breathing} -> only "breathing" (1/2); Final Thoughts {final, thought} -> not repeated.
    assert v["heading_echo_fraction"] == pytest.approx(1 / 3)
    assert evidence(text, "conclusion_sections") == ["Final Thoughts"]
    assert evidence(text, "heading_echo_fraction") == [
        "The Benefits of Yoga",
        "The benefits of yoga are numerous.",
    ]
    assert evidence(text, "template_heading_count") == [
        "Introduction",
        "The Benefits of Yoga",
        "1. Overview of Breathing",
        "Conclusion",
        "Final Thoughts",
    ]


def _outline(*heads: str, title: str = "Social Media and Young People") -> str:
    return f"# {title}\n\n{BODY}\n\n" + "".join(f"## {h}\n\n{BODY}\n\n" for h in heads)


def test_generic_headings_alone_are_a_taught_format() -> None:
    # A learner's exam essay or an NGO report: the prescribed names, no stock heading, no repeat.
    for heads in [
        ("Introduction", "Advantages", "Disadvantages", "Conclusion"),
        ("1. Background", "2. Method", "3. Findings", "5. Conclusions and recommendations"),
        ("Overview", "Eligibility", "FAQ"),
    ]:
        text = _outline(*heads)
        v = values(text)
        assert v["template_heading_count"] == 0, heads
        assert v["template_heading_fraction"] == 0.0
        assert evidence(text, "template_heading_count") == []
    # One closing section is still counted as such (two are the tell).
    assert values(_outline("Introduction", "Conclusion"))["conclusion_sections"] == 1


@pytest.mark.parametrize(
    ("heads", "expected"),
    [
        # a stock heading, before or after the generic ones
        (
            ("Introduction", "Understanding Screen Time", "Conclusion"),
            ["Introduction", "Understanding Screen Time", "Conclusion"],
        ),
        (("Introduction", "Sleep", "Why Sleep Matters"), ["Introduction", "Why Sleep Matters"]),
        # two conclusion-type sections ("Conclusion" twice, in two words)
        (("Introduction", "Sleep", "Conclusion", "In Summary"), ["Introduction", "Conclusion", "In Summary"]),
        # a repeated heading
        (("Introduction", "Sleep", "Sleep", "Conclusion"), ["Introduction", "Conclusion"]),
    ],
)
def test_generic_headings_count_beside_other_outline_evidence(
    heads: tuple[str, ...], expected: list[str]
) -> None:
    text = _outline(*heads)
    assert evidence(text, "template_heading_count") == expected  # in document order
    assert evidence(text, "template_heading_fraction") == expected
    assert values(text)["template_heading_count"] == len(expected)


def test_generic_headings_count_beside_a_repeated_title() -> None:
    text = _outline("Introduction", "Social Media and Young People", "Conclusion")
    v = values(text)
    assert v["title_recurrence"] == 1
    assert v["template_heading_count"] == 2
    assert evidence(text, "template_heading_count") == ["Introduction", "Conclusion"]


def test_title_recurrence_and_duplicates() -> None:
    text = (
        "# How to Train Your Dog\n\n"
        f"{BODY}\n\n"
        "## Introduction to How to Train Your Dog\n\n"
        f"{BODY}\n\n"
        "## HOW TO TRAIN YOUR DOG!\n\n"
        f"{BODY}\n\n"
        "## Train Your Dog Fast\n\n"
        f"{BODY}\n\n"
        "## Dog food\n\n"
        f"{BODY}\n\n"
        "## 2. Dog Food\n\n"
        f"{BODY}\n"
    )
    v = values(text)
    # Title key "how to train your dog" (5 words): found whole in heading 1, equal to heading 2.
    # "train your dog fast" lacks "how to"; content {train, dog, fast} != {train, dog}.
    assert v["title_recurrence"] == 2
    assert evidence(text, "title_recurrence") == [
        "Introduction to How to Train Your Dog",
        "HOW TO TRAIN YOUR DOG!",
    ]
    # Keys: ..., "dog food", "dog food" (numbering dropped) -> 1 repeat of 5 section headings.
    assert v["duplicate_heading_fraction"] == pytest.approx(1 / 5)
    assert evidence(text, "duplicate_heading_fraction") == ["2. Dog Food"]
    # Only "introduction to how to train your dog" is a template ("introduction to ...").
    assert v["template_heading_count"] == 1


def test_introduction_to_is_a_template() -> None:
    text = f"# Title Words Here\n\n{BODY}\n\n## Introduction to Cats\n\n{BODY}\n"
    assert values(text)["template_heading_count"] == 1


def test_section_uniformity_exact() -> None:
    text = (
        "## Alpha\n\none two.\n\n## Beta\n\none two three four.\n\n## Gamma\n\none two three four five six.\n"
    )
    v = values(text)
    # Sections of 2, 4 and 6 words: mean 4, population sd sqrt(8/3) = 1.63299, CV 0.40825.
    assert v["section_uniformity"] == pytest.approx(1 - math.sqrt(8 / 3) / 4)
    # Alpha is the title: 2 section headings in 15 words.
    assert v["heading_count"] == 2
    assert v["heading_density"] == pytest.approx(2 * 1000 / 15)
    assert evidence(text, "section_uniformity") == ["Alpha", "Beta", "Gamma"]


def test_section_uniformity_needs_three_sections_and_ignores_empty_ones() -> None:
    two = "## Alpha\n\none two.\n\n## Beta\n\none two.\n"
    assert values(two)["section_uniformity"] == 0.0
    # "Part" has no words of its own: not a section. Remaining 3, 3, 3 -> CV 0 -> 1.0.
    three = (
        "## Alpha\n\none two three.\n\n## Part\n\n### Beta\n\none two three.\n\n### Gamma\n\none two three.\n"
    )
    assert values(three)["section_uniformity"] == 1.0
    uneven = "## Alpha\n\none.\n\n## Beta\n\none.\n\n## Gamma\n\n" + "word " * 40 + "\n"
    # 1, 1, 40: mean 14, sd 18.385, CV 1.313 -> clipped to 0.
    assert values(uneven)["section_uniformity"] == 0.0


def test_echo_only_at_the_start_of_the_sentence() -> None:
    # A human topic sentence that mentions the heading late is not a restatement.
    text = (
        f"# Go Generics\n\n{BODY}\n\n## Type inference\n\n"
        "The last new major language feature is type inference.\n"
    )
    assert values(text)["heading_echo_fraction"] == 0.0
    text2 = f"# Yoga\n\n{BODY}\n\n## The Benefits of Yoga\n\nThe benefits of yoga are numerous.\n"
    assert values(text2)["heading_echo_fraction"] == 1.0


def test_evidence_offsets_survive_normalisation() -> None:
    # U+FB01 (fi ligature) expands to two characters under NFKC and curly quotes are folded:
    # the evidence must still slice the original text at the heading.
    text = (
        "# The Bene\ufb01ts of Tea\n\n"
        "\u201cQuoted\u201d intro with the \ufb01rst words of the body text here.\n\n"
        "## Conclusion\n\nSome closing text with several words in it.\n\n"
        "## In Conclusion\n\nMore closing text with several words in it.\n"
    )
    assert evidence(text, "conclusion_sections") == ["In Conclusion"]
    assert evidence(text, "template_heading_fraction") == ["Conclusion", "In Conclusion"]


@pytest.mark.parametrize("text", ["", "   \n\n ", "word", "# Title", "## A\n## B\n## C"])
def test_degenerate_inputs_are_zero(text: str) -> None:
    v = values(text)
    assert set(v) == {f.name for f in FEATURES}
    assert v["duplicate_heading_fraction"] == 0.0
    assert v["title_recurrence"] == 0.0
    assert all(math.isfinite(x) for x in v.values())


def test_clean_human_paragraphs_do_not_fire() -> None:
    text = (
        "We moved to the new office in March. The kitchen is smaller, but the light is better and the\n"
        "bike racks are right by the door. Most of us come in on Tuesdays and Thursdays.\n\n"
        "The printer still does not work. Anna has ordered a new one, which should arrive next week.\n"
    )
    v, ev = compute(parse(text))
    assert all(v[name] == 0.0 for name in HIGHER_WORSE)
    assert v["heading_count"] == 0
    assert ev == []


def test_family_registered_and_documented() -> None:
    assert FAMILY.name == "headings"
    assert [f"headings.{f.name}" for f in FEATURES] == [
        n for n in slopsift.feature_names() if n.startswith("headings.")
    ]
    for f in FEATURES:
        assert f.definition and f.unit and f.direction in ("higher_worse", "higher_better", "neutral")


# --- heading detection (structure.py) -----------------------------------------------------------


def test_detects_each_kind() -> None:
    text = (
        "Plain Title of the Article\n\n"
        f"{BODY}\n\n"
        "I The Role of Technology in Education\n\n"
        f"{BODY}\n\n"
        "1. Why It Matters\n\n"
        f"{BODY}\n\n"
        "IV. Results\n\n"
        f"{BODY}\n\n"
        "Key Takeaways:\n\n"
        f"{BODY}\n\n"
        "**Bold Heading Line**\n\n"
        f"{BODY}\n\n"
        "<h3 class='x'> Html Heading </h3>\n\n"
        f"{BODY}\n\n"
        "Setext Heading\n--------------\n\n"
        f"{BODY}\n"
    )
    assert headings(text) == [
        ("Plain Title of the Article", "plain"),
        ("The Role of Technology in Education", "numbered"),
        ("Why It Matters", "numbered"),
        ("Results", "numbered"),
        ("Key Takeaways", "label"),
        ("Bold Heading Line", "bold"),
        ("Html Heading", "html"),
        ("Setext Heading", "setext"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # ordinary list items, including the last item of a list followed by a paragraph
        f"Steps:\n\n1. Open the box\n2. Take out the parts\n3. Read the Manual\n\n{BODY}\n",
        f"- Alpha Beta\n- Gamma Delta\n\n{BODY}\n",
        # a line introducing a list, and one introducing a paragraph in sentence case
        "Here are the steps we took:\n\n- one\n- two\n",
        f"Calculating Y looks like this:\n\n{BODY}\n",
        # short sentences and rhetorical fragments on their own line
        f"It rained.\n\n{BODY}\n",
        f"But why?\n\n{BODY}\n",
        f"And then what?\n\n{BODY}\n",
        # hard-wrapped paragraphs (first line title-cased, or ending mid-phrase, or running on)
        "With the U.S. Department of Agriculture's Forest Service, we awarded and\n"
        "completed three task orders off of the BPA to help them build a way for\n"
        "the public to submit permit applications online.\n",
        "The Quick Brown Fox Jumps Over The Lazy Dog While Everyone Watches It\n"
        "Closely From The Other Side Of The Road, Which Is Quite A Long Way Off.\n"
        "Nobody expected this at all, and the crowd went home disappointed after.\n",
        "This phrase comes from\n[a blog post by Jeff Atwood](https://example.com).\nIn it he says so.\n",
        # code: fenced comments and indented lines
        f"```bash\n# Install The Dependencies\nmake install\n```\n\n{BODY}\n",
        f"{BODY}\n\n    Indented Code Line\n\n{BODY}\n",
        # a YAML block inside a fence ending in ---
        "```yaml\ntitle: My Post\n---\n```\n",
    ],
)
def test_not_headings(text: str) -> None:
    assert headings(text) == []


@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_line_over_a_list_is_not_a_plain_heading(gap: str) -> None:
    # An office e-mail's "Key takeaways" over bullets is a label, not a content farm's stock section:
    # read as a heading it took a blind review's honest summary e-mail from 0.81 to 0.24. (A policy
    # brief's "Recommendations" over a list is missed with it, which merges two sections.)
    text = f"{BODY}\n\nKey takeaways{gap}- Delivery was 91% against 95%\n- Damages are down\n\n{BODY}\n"
    assert headings(text) == []


def test_a_code_line_is_not_a_plain_heading() -> None:
    assert headings(f"AssemblyTitle = MyTitle\n{BODY}\n") == []
    assert headings(f"Assembly Title\n{BODY}\n") == [("Assembly Title", "plain")]


def test_a_heading_may_open_with_emoji() -> None:
    # A plain or label line is judged by its first letter: the emoji (with a variation selector) and
    # the spaces after it do not count against it. The heading's span starts at the emoji, as an ATX
    # heading's does; "## \U0001f4a1 Final Thoughts" was already a heading.
    text = (
        f"\U0001f33f Green Tea Guide\n\n{BODY}\n\n\u2b50\ufe0f  Key Takeaways:\n\n{BODY}\n\n"
        f"\U0001f4a1 Final Thoughts\n\n{BODY}\n\n\U0001f3af Conclusion\n\n{BODY}\n"
    )
    assert headings(text) == [
        ("\U0001f33f Green Tea Guide", "plain"),
        ("\u2b50\ufe0f  Key Takeaways", "label"),
        ("\U0001f4a1 Final Thoughts", "plain"),
        ("\U0001f3af Conclusion", "plain"),
    ]
    assert values(text)["conclusion_sections"] == 3.0  # Key Takeaways, Final Thoughts, Conclusion
    assert values(text.replace("\U0001f4a1 ", "## \U0001f4a1 "))["conclusion_sections"] == 3.0
    # Still not headings: a sentence, a lower-case line, a price, emoji alone.
    for line in (
        "\U0001f4a1 This is a sentence.",
        "\U0001f4a1 final thoughts",
        "\u20ac Price List",
        "\u2728",
    ):
        assert headings(f"{line}\n\n{BODY}\n") == []


def test_title_case_words_on_an_emoji_heading_are_not_names() -> None:
    # The hedging name rule drops a capitalised word that opens no sentence and stands in no
    # heading: on a heading line that is not a heading, "Vibrant" and "Bustling" were names.
    from slopsift.signals.hedging import find_hits

    text = (
        "\U0001f33f A Vibrant Guide to the Bustling Markets\n"
        "The souks are busy every day of the week and you will need good shoes."
    )
    d = parse(text)
    assert [d.text[s:e] for s, e, _ in find_hits(d, "llm_vocab")] == ["Vibrant", "Bustling"]


def test_title_line_directly_followed_by_first_section() -> None:
    text = f"Green Tea Guide\n\nIntroduction\n\n{BODY}\n"
    assert headings(text) == [("Green Tea Guide", "plain"), ("Introduction", "plain")]


# --- properties ----------------------------------------------------------------------------------

lines = st.sampled_from(
    [
        "# Title",
        "## Conclusion",
        "Introduction",
        "\U0001f4a1 Final Thoughts",
        "\u2728 Key Takeaways:",
        "1. Why It Matters",
        "IV. Results",
        "Key Takeaways:",
        "**Bold**",
        "<h2>Html</h2>",
        "===",
        "---",
        "```",
        "- item",
        "",
        BODY,
        "The benefits of yoga are numerous.",
        "    code",
    ]
)
structured = st.lists(st.one_of(lines, st.text(max_size=40)), max_size=30).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), structured))
def test_values_finite_deterministic_and_evidence_in_bounds(text: str) -> None:
    d = parse(text)
    v1, ev1 = FAMILY.run(d)
    v2, ev2 = FAMILY.run(parse(text))
    assert v1 == v2 and ev1 == ev2
    assert set(v1) == {f.name for f in FEATURES}
    assert all(math.isfinite(x) and x >= 0.0 for x in v1.values())
    for name in ("duplicate_heading_fraction", "template_heading_fraction", "heading_echo_fraction"):
        assert v1[name] <= 1.0
    assert 0.0 <= v1["section_uniformity"] <= 1.0
    names = {f.name for f in FEATURES}
    for e in ev1:
        assert e.signal in names
        assert 0 <= e.start < e.end <= len(d.text)
