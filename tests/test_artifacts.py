"""The artifacts family: scrape debris and tampering, with evidence on the responsible words."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import parse
from slopsift.lexicons import load_lexicon
from slopsift.signals import artifacts

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = [f.name for f in artifacts.FEATURES]


def art(text: str) -> tuple[dict[str, float], list[tuple[str, str]]]:
    """Values and (feature, original text under the span) of the artifacts family."""
    fam = slopsift.signals(text).families["artifacts"]
    return fam.values, [(e.signal.split(".", 1)[1], text[e.start : e.end]) for e in fam.evidence]


def fired(values: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in values.items() if v}


# --- lone word lines and cut sentences -------------------------------------------------------------


def test_lone_emphasised_word_between_paragraphs() -> None:
    text = (
        "Companies today face many threats online and they need strong\n\n"
        "security\n\n"
        "to protect their customers and their data from attackers."
    )
    values, ev = art(text)
    # words: 10 + 1 + 9 = 20; one lone line -> 1000 * 1 / 20 = 50 per 1k words.
    assert values["lone_word_lines"] == 1.0
    assert values["lone_word_lines_per_1k"] == pytest.approx(50.0)
    # 3 paragraphs; "security" and "to protect ..." both open in lower case after a paragraph ending
    # on a word -> 2 / 3.
    assert values["mid_sentence_paragraphs"] == pytest.approx(2 / 3)
    assert ("lone_word_lines", "security") in ev
    assert ("lone_word_lines_per_1k", "security") in ev
    assert ("mid_sentence_paragraphs", "strong\n\nsecurity") in ev
    assert ("mid_sentence_paragraphs", "security\n\nto") in ev


def test_emphasised_word_on_its_own_line_inside_a_paragraph() -> None:
    text = (
        "Green tea is an old drink and many people say green tea is\n"
        "*essential*\n"
        "for anyone who wants to feel well."
    )
    values, ev = art(text)
    # 21 words: 13 + 1 + 7 -> 1000 / 21
    assert values["lone_word_lines"] == 1.0
    assert values["lone_word_lines_per_1k"] == pytest.approx(1000 / 21)
    assert values["mid_sentence_paragraphs"] == 0.0  # a single paragraph
    assert ("lone_word_lines", "essential") in ev  # the word, without the emphasis markers


def test_stranded_lower_case_word_counts_but_capitalised_heading_does_not() -> None:
    stranded = (
        "The first paragraph here is fine.\n\nsecurity\n\nThe next paragraph starts with a capital letter."
    )
    assert art(stranded)[0]["lone_word_lines"] == 1.0
    heading = (
        "The first paragraph here is fine.\n\nSecurity\n\n"
        "The next paragraph starts with a capital letter and goes on for a while."
    )
    assert fired(art(heading)[0]) == {}


@pytest.mark.parametrize(
    "text",
    [
        # a learner's stray line break on a function word
        "I had only twenty dollars left so\n\nI\n\nam saving the rest of my money for later.",
        # a bold label introducing a list
        "Here is what changed in this release.\n\n**Collections**\n\n* item one is here\n* item two is here",
        # a sign-off after the last paragraph
        "That is all for this week, thanks for reading.\n\nCheers",
        # a hard wrap before a long markdown link target
        "In 2015, we released an [open source\nstyle\nguide](https://x.y/z) for everyone to use.",
        # a code block
        "Run it like this:\n\n```\nfoo bar\n\nreturn x\n\nbaz\n```\n\nand then it works again fine.",
    ],
)
def test_lone_word_lines_do_not_fire_on_ordinary_structure(text: str) -> None:
    values = art(text)[0]
    assert values["lone_word_lines"] == 0.0


def test_paragraph_break_after_comma_is_not_a_cut() -> None:
    # learner writers often break a paragraph after a comma; only a paragraph ending on a word counts
    values = art("You should trust in yourself,\n\nthe opinion of others is less important than yours.")[0]
    assert values["mid_sentence_paragraphs"] == 0.0


# --- page chrome ----------------------------------------------------------------------------------


def test_trailing_debris_and_debris_rate() -> None:
    text = "Green tea is a drink made from leaves.\n\nRead more: Why tea matters\n\nvideo"
    values, ev = art(text)
    # words: 8 + 5 ("Read more Why tea matters") + 1 = 14; two chrome lines -> 2000 / 14
    assert values["trailing_debris_lines"] == 2.0
    assert values["debris_lines_per_1k"] == pytest.approx(2000 / 14)
    assert ("trailing_debris_lines", "video") in ev
    assert ("trailing_debris_lines", "Read more: Why tea matters") in ev
    assert ("debris_lines_per_1k", "video") in ev


def test_share_widget_list_is_chrome_but_a_real_list_is_not() -> None:
    values = art("Thanks for reading the article today.\n\n- Facebook\n- Twitter\n- Email")[0]
    assert values["trailing_debris_lines"] == 3.0
    assert values["debris_lines_per_1k"] == pytest.approx(3000 / 9)  # 6 + 3 words
    values = art("We store the following data for each visit.\n\n- Cookies\n- Sessions\n- Logs")[0]
    assert values["debris_lines_per_1k"] == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "## Video\n\nThe last few years saw the rise of video on the web, and it changed how we publish.",
        "I watched a video of it.\n\nIt was long.",
        "I copy a PDF onto my computer, and\ntap to open it on my iPad, which is nice.",
        "Read more about it in the manual, which explains every option in detail and with examples of use.",
    ],
)
def test_chrome_words_in_prose_are_not_debris(text: str) -> None:
    values = art(text)[0]
    assert values["debris_lines_per_1k"] == 0.0
    assert values["trailing_debris_lines"] == 0.0


def test_debris_lexicon_has_provenance_and_compiles() -> None:
    lex = load_lexicon("scrape_debris.txt")
    assert lex.licence == "MIT" and "slopsift" in lex.source
    assert {"video", "advertisement", "read more", "share this", "getty images"} <= set(lex.phrases)
    for p in lex.patterns:
        re.compile(p)


def test_chrome_that_titles_no_section_counts_where_it_reads_as_a_heading() -> None:
    prose = "The council met on Tuesday and agreed the budget for the new library after a long debate."
    more = "Building starts in spring, and the doors should open to readers before the end of next year."
    # A short line over a paragraph is a heading; "Video" may head a real section, an ad slot never does.
    # 34 words of prose, plus the chrome line's own words.
    # "Advertising" and "Loading" title real sections (a media kit, a how-to), so they are headings too.
    cases = (
        ("Advertisement", 1),
        ("Read more", 2),
        ("Video", 0),
        ("Photos", 0),
        ("Advertising", 0),
        ("Loading", 0),
    )
    for chrome, words in cases:
        text = f"{prose}\n\n{chrome}\n\n{more}"
        values, ev = art(text)
        assert (("debris_lines_per_1k", chrome) in ev) is bool(words), chrome
        assert values["debris_lines_per_1k"] == (pytest.approx(1000 / (34 + words)) if words else 0.0), chrome


def test_wordpress_like_widget_is_chrome() -> None:
    text = "The beans came up early and the slugs found them first.\n\nLike this:\n\nLike Loading..."
    values, ev = art(text)
    assert values["trailing_debris_lines"] == 2.0
    assert ("debris_lines", "Like Loading...") in ev


def test_never_heading_chrome_is_a_subset_of_the_debris_lexicon() -> None:
    never = load_lexicon("scrape_chrome_never_headings.txt")
    assert never.licence == "MIT" and "slopsift" in never.source
    assert (
        {"advertisement", "read more", "share this"}
        <= set(never.phrases)
        <= set(load_lexicon("scrape_debris.txt").phrases)
    )
    assert not never.patterns


# --- markup, mojibake, tampering -------------------------------------------------------------------


def test_raw_markup_outside_code() -> None:
    values, ev = art("Tea &amp; cake <br> are nice.")
    # words: tea, amp, cake, br, are, nice = 6; two leftovers -> 2000 / 6
    assert values["markup_per_1k"] == pytest.approx(2000 / 6)
    assert [s for f, s in ev if f == "markup_per_1k"] == ["&amp;", "<br>"]
    code = "Use `<br>` here.\n\n```\n<div>&nbsp;</div>\n```"
    assert art(code)[0]["markup_per_1k"] == 0.0
    links = "A [good link](https://example.org) and an image ![a cat](cat.png) are fine markdown."
    assert art(links)[0]["markup_per_1k"] == 0.0
    broken = "An empty [link]() and a bare ![](https://x.org/a.png) image."
    assert [s for f, s in art(broken)[1] if f == "markup_per_1k"] == ["[link]()", "[](https://x.org/a.png)"]


def test_mojibake_and_replacement_characters() -> None:
    values, ev = art("It\u00e2\u20ac\u2122s a caf\u00c3\u00a9 near the sea.")
    # normalised words: "itâ", "tms" (™ folds to TM), "a", "cafã", "near", "the", "sea" = 7; 2 sequences
    assert values["mojibake_per_1k"] == pytest.approx(2000 / 7)
    assert [s for f, s in ev if f == "mojibake_per_1k"] == ["\u00e2\u20ac\u2122", "\u00c3\u00a9"]
    assert art("The \ufffd sign.")[0]["mojibake_per_1k"] == pytest.approx(500.0)  # 1 in 2 words
    assert art("Café in São Paulo, naïve résumé. SÃO PAULO")[0]["mojibake_per_1k"] == 0.0


def test_invisible_characters_point_at_their_word() -> None:
    text = "pass\u200bword is weak"
    values, ev = art(text)
    assert values["invisible_chars_per_1k"] == pytest.approx(1000 / 3)
    assert ("invisible_chars_per_1k", "pass\u200bword") in ev
    # a leading BOM, joiners inside an emoji sequence and soft hyphens are not tampering
    innocent = "\ufeffHello there friend \U0001f468\u200d\U0001f469\u200d\U0001f467 family infor\u00admation"
    assert art(innocent)[0]["invisible_chars_per_1k"] == 0.0


def test_homoglyphs_point_at_the_original_spelling() -> None:
    text = "Your p\u0430ssw\u043erd here"  # Cyrillic a and o
    values, ev = art(text)
    assert values["homoglyphs"] == 2.0
    assert ev == [("homoglyphs", "p\u0430ssw\u043erd")]
    real_cyrillic = "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440"
    assert art(real_cyrillic)[0]["homoglyphs"] == 0.0


def test_formatting_normalisation_is_not_a_feature() -> None:
    # curly quotes, dashes, ligatures and full-width letters differ between corpora, not writers
    text = "\u201cCurly\u201d quotes \u2014 and the \ufb01nal ligature \uff21\uff22\uff23, then CRLF\r\nline."
    r = slopsift.signals(text)
    assert r.normalisation["typography"] > 0 and r.normalisation["nfkc"] > 0
    assert fired(r.families["artifacts"].values) == {}


# --- whole documents ----------------------------------------------------------------------------


def test_content_farm_fixture_fires_and_clean_article_does_not() -> None:
    farm = (FIXTURES / "content_farm.md").read_text(encoding="utf-8")
    values, ev = art(farm)
    assert values["lone_word_lines"] == 1.0
    assert ("lone_word_lines", "essential") in ev
    assert values["trailing_debris_lines"] == 1.0
    assert ("trailing_debris_lines", "video") in ev
    human = (FIXTURES / "human_article.md").read_text(encoding="utf-8")
    assert fired(art(human)[0]) == {}


def test_clean_human_paragraph_does_not_fire() -> None:
    text = (
        "I commute about 60 km a week, mostly on wet roads, and the chain is the part of the bike that\n"
        "suffers most. A dirty chain wears out the cassette and chainrings along with it, and those cost\n"
        "far more to replace.\n\n"
        "This is the routine I have settled on after a few years of trial and error. It takes about\n"
        "twenty minutes once you have done it a couple of times, and it saves me money."
    )
    assert fired(art(text)[0]) == {}


def test_evidence_is_bounded() -> None:
    text = "Some prose text here\n\nsecurity\n\n" * 200 + "The end of it all."
    values, ev = art(text)
    assert values["lone_word_lines"] == 200.0
    assert len([1 for f, _ in ev if f == "lone_word_lines"]) == slopsift.features.MAX_EVIDENCE_PER_SIGNAL


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(
                [
                    "\n",
                    "\n\n",
                    "video",
                    "security",
                    "*essential*",
                    "- Facebook\n",
                    "```\n",
                    "&nbsp;",
                    "<div>",
                    "\u00c3\u00a9",
                    "\u200b",
                    "\u0430",
                    "\ufffd",
                    "Read more: ",
                    "the cut ",
                    "    ",
                ]
            ),
        ),
        max_size=40,
    ).map("".join)
)
def test_values_finite_deterministic_and_evidence_in_bounds(text: str) -> None:
    doc = parse(text)
    values, ev = artifacts.compute(doc)
    assert list(values) == NAMES
    assert all(math.isfinite(v) and v >= 0 for v in values.values())
    assert artifacts.compute(parse(text)) == (values, ev)
    for e in ev:
        assert 0 <= e.start < e.end <= len(doc.text)
        assert e.signal in NAMES


_DEBRIS_PIECES = [
    "- ",
    "* ",
    "## ",
    "> ",
    "**",
    "__",
    "\u2022 ",
    "\u2014 ",
    "\t",
    "  ",
    "[",
    "](http://x)",
    "|",
    "video",
    "photo",
    "read more",
    "share this",
    "subscribe to",
    "\u00a9",
    "(c)",
    "2019",
    "all rights reserved",
    "advertisement",
    "getty images",
    ": ",
    "credit",
    "by",
    "click here",
    " now",
    "x",
    "\n",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_DEBRIS_PIECES), max_size=14))
def test_debris_scan_matches_plain_marker_run(pieces: list[str]) -> None:
    # The debris regex takes the leading list/quote/heading markers as one run that never gives
    # characters back, which is exact only while no lexicon entry opens with a marker. Compare it
    # with the plain, backtracking form on lines built from markers and debris words.
    fast = artifacts._debris_line()
    lead = artifacts._DEBRIS_LEAD
    plain = re.compile(
        fast.pattern.replace(lead[:2] + "(?=[^\\n])" + lead[2:], lead).replace(
            lead, f"\\n[{artifacts._DEBRIS_MARKERS}]*\\[?"
        )
    )
    assert plain.pattern != fast.pattern
    text = "\n" + "".join(pieces).lower()
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
