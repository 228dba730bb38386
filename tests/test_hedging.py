"""Tests for the hedging family: six separately measured lists plus the chat-preamble flag."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import PhraseView, parse
from slopsift.lexicons import load_lexicon
from slopsift.preamble import strip_preamble
from slopsift.signals import hedging

LISTS = [key for key, _ in hedging.LISTS]
NAMES = [f.name for f in hedging.FEATURES]


def values(text: str) -> dict[str, float]:
    return hedging.compute(parse(text))[0]


def fired(vals: dict[str, float]) -> set[str]:
    """The lists with a non-zero density."""
    return {k for k in LISTS if vals[f"{k}_per_1k"] > 0}


def spans(text: str, feature: str) -> list[str]:
    """Original-text slices of the evidence of ``hedging.<feature>``."""
    res = slopsift.signals(text)
    return [text[e.start : e.end] for e in res.evidence() if e.signal == f"hedging.{feature}"]


def test_features_declared_once_with_directions() -> None:
    assert len(NAMES) == len(set(NAMES))
    dirs = {f.name: f.direction for f in hedging.FEATURES}
    assert dirs["hedge_per_1k"] == dirs["hedge_sentence_share"] == "neutral"
    for k in LISTS[1:]:
        assert dirs[f"{k}_per_1k"] == "higher_worse"
    assert dirs["boilerplate_distinct"] == dirs["chat_preamble"] == "higher_worse"


@pytest.mark.parametrize("name", [f for _, f in hedging.LISTS])
def test_lexicon_files_are_clean(name: str) -> None:
    lex = load_lexicon(name)  # raises without source/licence headers
    assert lex.source and lex.licence
    assert lex.phrases, name
    for p in lex.phrases:
        assert p == p.lower() and p == " ".join(p.split()), p
    for pat in lex.patterns:
        re.compile(pat)


def test_hedges_only_exact() -> None:
    text = "The results may change. It seems the weather might improve. We walked home."
    # 13 words (The results may change / It seems the weather might improve / We walked home);
    # hedges: may, seems, might -> 3 / 13 * 1000; sentences with a hedge: 2 of 3.
    v = values(text)
    assert v["hedge_per_1k"] == pytest.approx(3 / 13 * 1000)
    assert v["hedge_sentence_share"] == pytest.approx(2 / 3)
    assert fired(v) == {"hedge"}
    assert v["boilerplate_distinct"] == 0.0 and v["chat_preamble"] == 0.0
    assert spans(text, "hedge_per_1k") == ["may", "seems", "might"]
    assert spans(text, "hedge_sentence_share") == ["may", "seems"]  # first hit of each sentence


def test_boilerplate_only_exact() -> None:
    text = (
        "First and foremost, the bus was late. In conclusion, we walked home and it is important "
        "to note that we were tired."
    )
    # 7 + 15 = 22 words; templates: first and foremost, in conclusion, it is important to note.
    # A short text: the rate is over the 500-word floor, the share over the 20-sentence floor.
    v = values(text)
    assert v["boilerplate_per_1k"] == pytest.approx(3 / 500 * 1000)
    assert v["boilerplate_sentence_share"] == pytest.approx(2 / 20)
    assert v["boilerplate_distinct"] == 3.0
    assert fired(v) == {"boilerplate"}
    assert spans(text, "boilerplate_per_1k") == [
        "First and foremost",
        "In conclusion",
        "it is important to note",
    ]


def test_boilerplate_distinct_counts_templates_not_occurrences() -> None:
    text = "In conclusion, it works. In conclusion, it is cheap. First and foremost, it is new."
    v = values(text)
    # In conclusion it works (4) + In conclusion it is cheap (5) + First and foremost it is new (6)
    # = 15 words; 3 hits of 2 distinct templates.
    assert v["boilerplate_per_1k"] == pytest.approx(3 / 500 * 1000)
    assert v["boilerplate_distinct"] == 2.0
    assert spans(text, "boilerplate_distinct") == ["In conclusion", "First and foremost"]


def test_llm_vocabulary_only_exact() -> None:
    text = "The meticulous clerk kept a tapestry in the hall. The town is small."
    # 9 + 4 = 13 words; meticulous, tapestry -> 2 / 500 * 1000 (word floor); 1 sentence / 20 (floor).
    v = values(text)
    assert v["llm_vocab_per_1k"] == pytest.approx(2 / 500 * 1000)
    assert v["llm_vocab_sentence_share"] == pytest.approx(1 / 20)
    assert fired(v) == {"llm_vocab"}
    assert spans(text, "llm_vocab_per_1k") == ["meticulous", "tapestry"]


def test_llm_vocabulary_counts_each_word_once() -> None:
    # A human text repeats one word in its sense (an ecology paper's "landscape"); machines spread many.
    text = "The landscape was flat. The landscape had no trees. The pivotal talks began at noon."
    v = values(text)
    assert v["llm_vocab_per_1k"] == pytest.approx(2 / 500 * 1000)
    assert v["llm_vocab_sentence_share"] == pytest.approx(2 / 20)
    assert spans(text, "llm_vocab_per_1k") == ["landscape", "pivotal"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("1. Delve into the data.\n2. Harnessing the power of tools.", ["Delve", "Harnessing"]),
        ('"Pivotal moments," she said. (Delving deeper is hard.)', ["Pivotal", "Delving"]),
        ("- **Vibrant** markets line the street.", ["Vibrant"]),
    ],
)
def test_llm_vocabulary_counts_a_word_behind_a_list_marker_quote_or_bracket(
    text: str, found: list[str]
) -> None:
    assert [text[s:e] for s, e, _ in hedging.find_hits(parse(text), "llm_vocab")] == found


def test_llm_vocabulary_skips_names_but_not_headings_or_sentence_starts() -> None:
    text = (
        "## The Shifting Landscape\n\n"
        "We walked up Beacon Hill and read the Old Testament by the Symphony Hall. "
        "Pivotal as it was, the lamp stood as a beacon of hope."
    )
    assert spans(text, "llm_vocab_per_1k") == ["Landscape", "Pivotal", "beacon of"]


@pytest.mark.parametrize(
    ("feature", "text"),
    [
        # literal senses, pruned from the list
        ("llm_vocab_per_1k", "Clip the harness to the rope before you climb."),
        ("llm_vocab_per_1k", "Use a double underscore before the name."),
        ("llm_vocab_per_1k", "The mayor unveiled the plaque on Friday."),
        ("llm_vocab_per_1k", "The orchestra played a symphony by Brahms."),
        # a seventh blind review's literal senses: clinical, travel, first aid, chieftaincy, trade
        ("llm_vocab_per_1k", "The spleen was palpable 2 cm below the costal margin."),
        ("llm_vocab_per_1k", "The personal locator beacon started to beep."),
        ("llm_vocab_per_1k", "They embarked at Liverpool in April 1881."),
        ("llm_vocab_per_1k", "Keep elevating the injured leg and elevate your feet at night."),
        ("llm_vocab_per_1k", "The paramount chief opened the new clinic."),
        ("llm_vocab_per_1k", "Our landscape gardener prints the plans in landscape."),
        ("llm_vocab_per_1k", "The tombstone unveiling is on Saturday."),
        # the same words in another shape: a comma splice, a plain negation, the reframe's words apart
        ("rhetoric_per_1k", "It's not perfect, it's close enough for us."),
        ("rhetoric_per_1k", "The answer isn't clear, it's still open to debate."),
        ("rhetoric_per_1k", "It's not raining. We walked to the shop and it's a long way."),
        ("rhetoric_per_1k", "She stayed not because of the pay. But the rest was fine."),
        ("rhetoric_per_1k", "It isn't far. The shop is open."),
        # offers people make in messages too: measured and left out of the chatbot list
        ("chatbot_per_1k", "Let me know if you'd like me to pick up milk on the way home."),
        ("chatbot_per_1k", "If you'd like, I can drive you to the airport tomorrow."),
    ],
)
def test_other_senses_and_shapes_are_not_counted(feature: str, text: str) -> None:
    # listed words in their literal sense, and a reframe's words in another shape
    assert values(text)[feature] == 0.0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("There was a palpable tension as we embarked on the tour.", ["palpable tension", "embarked on"]),
        ("Safety is paramount. Elevate your cooking.", ["paramount", "Elevate"]),
        ("The digital landscape of news is a beacon of change.", ["landscape", "beacon of"]),
    ],
)
def test_llm_vocabulary_keeps_the_figurative_senses(text: str, found: list[str]) -> None:
    assert [text[s:e] for s, e, _ in hedging.find_hits(parse(text), "llm_vocab")] == found


def test_vague_attribution_only_exact() -> None:
    text = "Some argue that the bridge is old. Critics argue the road is new."
    # 7 + 6 = 13 words; some argue, critics argue -> 2 / 500 * 1000; both sentences, over 20.
    v = values(text)
    assert v["vague_attribution_per_1k"] == pytest.approx(2 / 500 * 1000)
    assert v["vague_attribution_sentence_share"] == pytest.approx(2 / 20)
    assert fired(v) == {"vague_attribution"}
    assert spans(text, "vague_attribution_per_1k") == ["Some argue", "Critics argue"]


def test_chatbot_only_exact() -> None:
    text = "As an AI language model, I do not own a car. As of my last knowledge update, the shop was open."
    # 11 + 10 = 21 words; two leftovers, one per sentence (rates over the 500-word, 20-sentence floors).
    v = values(text)
    assert v["chatbot_per_1k"] == pytest.approx(2 / 500 * 1000)
    assert v["chatbot_sentence_share"] == pytest.approx(2 / 20)
    assert fired(v) == {"chatbot"}
    assert spans(text, "chatbot_per_1k") == ["As an AI language model", "As of my last knowledge update"]


def test_chatbot_offer_needs_the_assistant_asking() -> None:
    # "is there anything else" in a resident's letter asks about the past, not for the next request
    text = "Is there anything else that could have been done? Is there anything else I can help with?"
    assert spans(text, "chatbot_per_1k") == ["Is there anything else I can"]


def test_rhetoric_only_exact() -> None:
    text = (
        "This isn't about speed. It's about focus. Here's the thing: the plan isn't just cheap. "
        "Not because it is easy, but because it is small. The week was long."
    )
    # 5 + 3 + 9 + 10 + 4 = 31 words; reframe (one span across two sentences), here's the thing,
    # isn't just, not because ..., but -> 4 hits over the 500-word floor; they start in sentences 1, 3
    # (two hits) and 4: 3 sentences over the 20-sentence floor.
    v = values(text)
    assert v["rhetoric_per_1k"] == pytest.approx(4 / 500 * 1000)
    assert v["rhetoric_sentence_share"] == pytest.approx(3 / 20)
    assert v["rhetoric_repeats_per_1k"] == pytest.approx(3 / 500 * 1000)  # the hits after the first
    assert len(spans(text, "rhetoric_repeats_per_1k")) == 4
    assert fired(v) == {"rhetoric"}
    assert spans(text, "rhetoric_per_1k") == [
        "isn't about speed. It's about",
        "Here's the thing",
        "isn't just",
        "Not because it is easy, but",
    ]


def test_one_rhetorical_phrase_is_not_a_habit() -> None:
    v = values("The plan isn't just cheap. We went home.")
    assert v["rhetoric_per_1k"] == pytest.approx(1 / 500 * 1000)
    assert v["rhetoric_repeats_per_1k"] == 0.0
    assert spans("The plan isn't just cheap. We went home.", "rhetoric_repeats_per_1k") == []


def test_rhetoric_needs_the_construction() -> None:
    # A negation followed by an unrelated clause, a past-tense narrative, 'not' inside a sentence
    # and "is not just" (pruned: human web articles use it as often) are not the template.
    text = (
        "It wasn't about the money, it was late. The shop is not just open on Sundays. "
        "We did not go because it rained, but we went later."
    )
    assert values(text)["rhetoric_per_1k"] == 0.0


def test_not_only_but_also_is_not_boilerplate() -> None:
    # Pruned (lexicon_eval's per-source rule): student essays and human web articles use it as often.
    assert values("The tool is not only fast but also cheap. We use it daily.")["boilerplate_per_1k"] == 0.0


def test_long_texts_use_their_own_word_and_sentence_counts() -> None:
    # 30 sentences of 19 words = 570 words (above both floors); one tell in each of 3 sentences.
    plain = "The small bus left the old town at nine and the driver waved to the children in the square"
    tell = "The small bus left the old town at nine so we could {} the history of the square"
    tells = [tell.format(verb) + "." for verb in ("delve into", "unravel all", "illuminate all")]
    text = " ".join([plain + "."] * 27 + tells)
    v = values(text)
    assert v["llm_vocab_per_1k"] == pytest.approx(3 / 570 * 1000)
    assert v["llm_vocab_sentence_share"] == pytest.approx(3 / 30)
    # The neutral hedge list keeps plain rates on short texts.
    assert values("Prices may rise. It seems so.")["hedge_per_1k"] == pytest.approx(2 / 6 * 1000)


def test_in_todays_world_pattern_and_overlap() -> None:
    text = "In today's fast-paced world, people rush."
    # The pattern and the literal 'fast-paced world' overlap: the stretch counts once (5 words + 1).
    v = values(text)
    assert spans(text, "boilerplate_per_1k") == ["In today's fast-paced world"]
    assert v["boilerplate_per_1k"] == pytest.approx(1 / 500 * 1000)
    assert values("In today's world, people rush.")["boilerplate_per_1k"] == 0.0


def test_month_may_is_not_a_hedge() -> None:
    text = "In May the council met. May it rain soon? Prices may rise."
    # 'May' inside a sentence is the month; sentence-initial 'May' and lower-case 'may' are hedges.
    res = slopsift.signals(text)
    starts = [e.start for e in res.evidence() if e.signal == "hedging.hedge_per_1k"]
    assert starts == [text.index("May it"), text.index("may rise")]


def test_typographic_apostrophe_and_original_offsets() -> None:
    text = "Prices rose again.\u00a0It\u2019s important to note that \u201cexperts\u201d disagree."
    got = spans(text, "boilerplate_per_1k")
    assert got == ["It\u2019s important to note"]


def test_placeholders_and_markdown_links() -> None:
    text = (
        "Thanks for reading.\n\nBest regards,\n[Your Name]\n\n"
        "See [date](http://example.com) and [Your country][1]."
    )
    assert spans(text, "chatbot_per_1k") == ["[Your Name]"]


def test_leading_title_and_chat_preamble() -> None:
    text = "Sure! Here is the article:\n\nThe council met on Tuesday to discuss the new bridge."
    v = values(text)
    assert v["chat_preamble"] == 1.0
    got = spans(text, "chat_preamble")
    assert len(got) == 1 and got[0].startswith("Sure! Here is the article")
    assert values("The title: a bridge.")["chat_preamble"] == 0.0


@pytest.mark.parametrize(
    ("text", "chat"),
    [
        # A field label alone: people's forms, submissions and data exports open with it too.
        ("Title: The New Bridge\n\nThe council met on Tuesday to discuss the new bridge.", False),
        ("Abstract: We measure the bridge.\n\nThe council met on Tuesday.", False),
        ("Title: The New Bridge\nArticle: The council met on Tuesday to discuss it.", False),
        ("Title: Damp patch\n\n## What I tried\n\nI scraped the ceiling.", False),  # a heading after it
        ("Title: Damp patch\n\n**Update**\n\nI scraped the ceiling.", False),
        # After a chat preamble, the same label is part of it.
        ("Sure! Here is the article:\n\nTitle: The New Bridge\n\nThe council met on Tuesday.", True),
        ("Sure, here is the Abstract:\nWe study the bridge.", True),  # an opener naming a capitalised label
    ],
)
def test_a_field_label_alone_is_no_chat_preamble(text: str, chat: bool) -> None:
    v = values(text)
    assert v["chat_preamble"] == float(chat)
    if not chat:
        assert v["chatbot_per_1k"] == 0.0
    # The training-data cleaner strips the label either way, so neither side of the corpus keeps it.
    assert strip_preamble(text)[1] != ""


def test_learner_sentence_fires_at_most_hedges() -> None:
    v = values("I think the school should give more time for sport because it is good for health.")
    assert fired(v) <= {"hedge"}
    assert v["boilerplate_distinct"] == 0.0 and v["chat_preamble"] == 0.0


def test_clean_human_paragraph_does_not_fire() -> None:
    text = (
        "We drove to the coast on Saturday and found the ferry cancelled, so we ate chips on the harbour "
        "wall and watched the gulls fight over the leftovers. My brother said the wind was the worst he "
        "had seen in years. By four o'clock the rain had started, and we went home the long way round, "
        "past the old mill and the farm shop that sells eggs from an honesty box."
    )
    v = values(text)
    assert fired(v) == set()
    assert all(v[n] == 0.0 for n in NAMES)


@pytest.mark.parametrize("text", ["", "   \n\t ", "word", "!!!", "\n\n\n", "[Your Name]"])
def test_degenerate_inputs(text: str) -> None:
    v = values(text)
    assert set(v) == set(NAMES)
    assert all(math.isfinite(x) for x in v.values())


def test_evidence_is_capped() -> None:
    text = "It may rain. " * 200
    _, ev = hedging.compute(parse(text))
    per: dict[str, int] = {}
    for e in ev:
        per[e.signal] = per.get(e.signal, 0) + 1
    assert per["hedge_per_1k"] == 25 and per["hedge_sentence_share"] == 25
    assert values(text)["hedge_per_1k"] == pytest.approx(1000 / 3)


words = st.sampled_from(
    [
        "may",
        "delve",
        "in",
        "conclusion",
        "experts",
        "argue",
        "some",
        "as",
        "an",
        "ai",
        "the",
        "not",
        "only",
        "but",
        "also",
        "Title:",
        "[Your",
        "Name]",
        "It's",
        "today's",
        "world",
        "\n",
        ".",
        ",",
        "May",
        "x\u2019s",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(words, max_size=80).map(" ".join)))
def test_properties_finite_bounded_deterministic(text: str) -> None:
    doc = parse(text)
    v1, ev1 = hedging.compute(doc)
    v2, ev2 = hedging.compute(parse(text))
    assert v1 == v2 and ev1 == ev2
    for name, x in v1.items():
        assert math.isfinite(x) and x >= 0.0, name
        if name.endswith("_share") or name == "chat_preamble":
            assert x <= 1.0
    for e in ev1:
        assert 0 <= e.start < e.end <= len(doc.text)
        assert e.signal in NAMES


def _chain_unfiltered(text: str) -> tuple[int, int, bool, bool] | None:
    """``preamble._chain`` as it read before the one-alternation prefilter: every pattern tried."""
    from slopsift import preamble

    start = pos = preamble._skip_space(text, 0)
    end = -1
    only_refusal = only_label = True
    for step in range(preamble._MAX_CHAIN):
        for pat in preamble._patterns():
            if pat.after_only and step == 0:
                continue
            m = pat.regex.match(text, pos)
            if m is not None and m.end() > pos:
                only_refusal = only_refusal and pat.refusal
                only_label = only_label and (pat.label or pat.after_only)
                end = m.end()
                pos = preamble._skip_space(text, end)
                break
        else:
            break
    return None if end < 0 else (start, end, only_refusal, only_label)


_OPENERS = [
    "Sure! Here is the essay:\n\nTitle: X\n\n**Body:** b",
    "I'm sorry, but I cannot do that.",
    "As an AI language model, I have no views. But here you go.",
    "Title: Hello\n## Heading\nText",
    "\n\nCertainly! Below is a draft.\n\n# T\nx",
    "[SYSTEM]: hi\n[assistant]: ok",
    "Review's first sentence: x",
    "The river rose. Title: not an opener.",
    "",
]


@pytest.mark.parametrize("opener", _OPENERS)
def test_preamble_prefilter_keeps_the_chain(opener: str) -> None:
    # every prefix of each opener: the chain may stop at any character
    from slopsift import preamble

    for k in range(len(opener) + 1):
        text = opener[:k]
        assert preamble._chain(text) == _chain_unfiltered(text), text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="SureTitl:*#!\n -AIamsoryc'.", max_size=60))
def test_preamble_prefilter_keeps_the_chain_fuzzed(text: str) -> None:
    from slopsift import preamble

    assert preamble._chain(text) == _chain_unfiltered(text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("It's not just a tool \u2014 it's a partner.", ["It's not just a tool \u2014 it's"]),
        ("It's not just about speed; it's about trust.", ["It's not just about speed; it's"]),
        ("It's not magic. It's leverage.", ["It's not magic. It's"]),
        ("It is not luck. It is practice.", ["It is not luck. It is"]),
        ("That's not a bug. That's a feature.", ["That's not a bug. That's"]),
        ("This is not a sprint. It's a marathon.", ["This is not a sprint. It's"]),
        ("The answer isn't discipline. It's design.", ["isn't discipline. It's"]),
        ("Habits aren't rules. They're defaults.", ["aren't rules. They're"]),
        (
            "Adults quit not because they lack talent, but because they expect too much.",
            ["not because they lack talent, but"],
        ),
    ],
)
def test_rhetoric_negated_reframes(text: str, found: list[str]) -> None:
    # one reframe in a short text: 1 hit over the 500-word and 20-sentence floors, no repeat
    v = values(text)
    assert v["rhetoric_per_1k"] == pytest.approx(1 / 500 * 1000)
    assert v["rhetoric_sentence_share"] == pytest.approx(1 / 20)
    assert v["rhetoric_repeats_per_1k"] == 0.0
    assert spans(text, "rhetoric_per_1k") == found


def test_rhetoric_reframes_repeat() -> None:
    text = "It's not magic. It's leverage. The answer isn't discipline. It's design. We went home."
    v = values(text)
    assert v["rhetoric_per_1k"] == pytest.approx(2 / 500 * 1000)
    assert v["rhetoric_repeats_per_1k"] == pytest.approx(1 / 500 * 1000)


@pytest.mark.parametrize(
    ("text", "key", "found"),
    [
        (
            "**Real conversations, early.** Not because you're ready, but because you never will.",
            "rhetoric",
            ["Not because you're ready, but"],
        ),
        (
            "We meet monthly.  Not because we must, but because we want to.",
            "rhetoric",
            ["Not because we must, but"],
        ),
        ("This isn't about speed. **It's about trust.**", "rhetoric", ["isn't about speed. **It's about"]),
        (
            "It's *not* about the amount \u2014 it's about the habit.",
            "rhetoric",
            ["It's *not* about the amount \u2014 it's"],
        ),
        ("It's **important** to note that results vary.", "boilerplate", ["It's **important** to note"]),
        ("In _conclusion_, the plan works.", "boilerplate", ["In _conclusion"]),
    ],
)
def test_emphasis_markers_and_spacing_do_not_split_a_phrase(text: str, key: str, found: list[str]) -> None:
    v = values(text)
    assert v[f"{key}_per_1k"] == pytest.approx(1 / 500 * 1000)
    assert spans(text, f"{key}_per_1k") == found


def test_emphasis_inside_words_is_kept() -> None:
    # snake_case and 5*3 are no emphasis: the phrase view keeps them, so no phrase is made of them
    doc = parse("Set in_conclusion to 5*3 and *it's* important_to note it.")
    view = doc.phrase_view
    assert view.text == "set in_conclusion to 5*3 and it's important_to note it."
    assert [doc.lower[view.offset(i)] for i in range(len(view.text))] == list(view.text)
    assert values(doc.text)["boilerplate_per_1k"] == 0.0


@pytest.mark.parametrize(
    ("key", "text"),
    [
        # inflections of kept boilerplate entries
        ("boilerplate", "These tools are real game-changers."),
        ("boilerplate", "It harnesses the power of data."),
        ("boilerplate", "It is also important to note that results vary."),
    ],
)
def test_one_new_entry_is_one_hit(key: str, text: str) -> None:
    v = values(text)
    assert v[f"{key}_per_1k"] == pytest.approx(1 / 500 * 1000)
    assert fired(v) == {key}


@pytest.mark.parametrize(
    ("text", "preamble"),
    [
        ("Sure \u2014 here's the article:\n\nBody text follows here.", "Sure \u2014 here's the article:"),
        (
            "Great question! Here's the answer:\n\nBody text follows here.",
            "Great question! Here's the answer:",
        ),
        ("Great question!\n\nBody text follows here.", "Great question!"),
        (
            "Here's a step-by-step guide for resetting a router:\n\nBody text follows here.",
            "Here's a step-by-step guide for resetting a router:",
        ),
        (
            "Here's a friendly newsletter intro:\n\nBody text follows here.",
            "Here's a friendly newsletter intro:",
        ),
        (
            "Absolutely! Here's an itinerary for Rome:\n\nDay one.",
            "Absolutely! Here's an itinerary for Rome:",
        ),
    ],
)
def test_more_chat_preambles(text: str, preamble: str) -> None:
    assert values(text)["chat_preamble"] == 1.0
    assert spans(text, "chat_preamble") == [preamble]
    assert strip_preamble(text)[1] != ""


@pytest.mark.parametrize(
    "text",
    [
        "Here's an example for Gmail smtp:\n\nimport smtplib",  # a person's answer
        "Here is a list of the breweries in Maryland.\n\nFlying Dog.",
        "Sure - the plan is fine.\n\nWe went.",  # no "here's" after the dash
        "Great question about the bridge, said the mayor.\n\nWe went.",
    ],
)
def test_no_chat_preamble_in_human_openers(text: str) -> None:
    assert values(text)["chat_preamble"] == 0.0


@settings(max_examples=300)
@given(st.text(alphabet="ab _*\n.", max_size=60))
def test_phrase_view_maps_every_character_back(text: str) -> None:
    # every character of the view is the character of the lower-cased text its offset names, in
    # order, and only emphasis markers and the second and later spaces of a run are left out
    view = parse(text).phrase_view
    low = parse(text).lower
    at = [view.offset(i) for i in range(len(view.text))]
    assert [low[j] for j in at] == list(view.text)
    assert at == sorted(set(at))
    dropped = "".join(low[j] for j in sorted(set(range(len(low))) - set(at)))
    assert set(dropped) <= {"*", "_", " "}
    assert "  " not in view.text


def _phrase_view_by_definition(low: str) -> tuple[str, list[int]]:
    """The phrase view of ``low`` and each of its characters' offset in ``low``, character by character:
    a maximal run of ``*``/``_`` goes unless a word character stands on both sides, then every space
    that follows a kept space goes."""
    keep: list[int] = []
    i, n = 0, len(low)
    while i < n:
        if low[i] in "*_":
            e = i
            while e < n and low[e] in "*_":
                e += 1
            if i > 0 and e < n and re.match(r"\w", low[i - 1]) and re.match(r"\w", low[e]):
                keep.extend(range(i, e))
            i = e
        else:
            keep.append(i)
            i += 1
    kept = [j for k, j in enumerate(keep) if not (low[j] == " " and k > 0 and low[keep[k - 1]] == " ")]
    return "".join(low[j] for j in kept), kept


@settings(max_examples=500)
@given(st.text(alphabet="ab _*\n.é-'", max_size=80))
def test_phrase_view_is_its_definition(text: str) -> None:
    # the view built with two regex splits is the character-by-character definition, offsets and all
    low = text.lower()
    view = PhraseView.of(low)
    want, at = _phrase_view_by_definition(low)
    assert view.text == want
    assert [view.offset(i) for i in range(len(want))] == at
