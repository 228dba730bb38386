"""The shared parse: normalisation, offsets into the original text, and segmentation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slopsift.document import _BOUNDARY, _boundaries, parse
from slopsift.normalize import normalise


def sentences(text: str) -> list[str]:
    d = parse(text)
    return [d.text[s.start : s.end] for s in d.sentences]


def test_normalisation_counts_each_kind_of_change() -> None:
    # CRLF (1), a zero-width space (1), an RTL override (1), a NUL (1), the "ﬁ" ligature (nfkc 1),
    # curly quotes (2) and a Cyrillic "о" inside a Latin word (homoglyph 1).
    raw = "a\r\nb\u200bc \u202ed\x00 \ufb01ne \u201cq\u201d w\u043erld"
    n = normalise(raw)
    assert n.text == 'a\nbc d fine "q" world'
    assert n.counts == {
        "line_endings": 1,
        "control": 1,
        "invisible": 1,
        "bidi": 1,
        "nfkc": 1,
        "typography": 2,
        "homoglyph": 1,
    }


@pytest.mark.parametrize("sep", ["\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_other_line_separators_become_line_feeds(sep: str) -> None:
    # Deleting them (as control characters) or keeping them (U+2028/9 are not controls) joined the
    # lines: headings, repeated lines and paragraphs vanished from every signal.
    raw = f"# Title{sep}Intro line.{sep}{sep}Second para."
    n = normalise(raw)
    assert n.text == "# Title\nIntro line.\n\nSecond para."
    assert n.counts["line_endings"] == 3 and n.counts["control"] == 0
    d = parse(raw)
    assert [raw[slice(*d.original_span(ln.start, ln.end))] for ln in d.lines] == [
        "# Title",
        "Intro line.",
        "",
        "Second para.",
    ]
    assert d.heading_lines  # the title is a heading again


def test_cyrillic_word_is_not_folded() -> None:
    # A genuinely Cyrillic word has no Latin letters: it is left alone.
    assert normalise("мир peace").text == "мир peace"


def test_offsets_map_back_to_the_original() -> None:
    raw = "\u200b\u200bThe \ufb01nal\r\nw\u043erd is \u201chere\u201d."
    d = parse(raw)
    got = []
    for s, e in zip(d.word_starts, d.word_ends, strict=True):
        os_, oe = d.original_span(s, e)
        got.append(raw[os_:oe])
    assert got == ["The", "\ufb01nal", "w\u043erd", "is", "here"]


def test_an_em_dash_between_words_separates_them() -> None:
    # The em dash became "-", and "once-it" read as one hyphenated word; it becomes "--", as an
    # ASCII typist writes it, which separates words. Hyphens and en dashes (ranges) keep their reading.
    raw = (
        "It came all at once\u2014it was a well-known COVID-19 surge, "
        "1990\u20132000, pages 3\u20135 \u2013 ok."
    )
    d = parse(raw)
    assert d.text == "It came all at once--it was a well-known COVID-19 surge, 1990-2000, pages 3-5 - ok."
    assert d.words == [
        "it", "came", "all", "at", "once", "it", "was", "a", "well-known", "covid-19", "surge",
        "1990-2000", "pages", "3-5", "ok",
    ]  # fmt: skip
    assert normalise(raw).counts["typography"] == 4
    # The offsets still point into the original text after the dash grew by one character.
    got = [raw[slice(*d.original_span(s, e))] for s, e in zip(d.word_starts, d.word_ends, strict=True)]
    assert got[4:6] == ["once", "it"] and got[-3:] == ["pages", "3\u20135", "ok"]
    dash = d.text.index("--")
    assert d.original_span(dash, dash + 2) == (raw.index("\u2014"), raw.index("\u2014") + 1)
    assert d.original_span(dash + 1, dash + 2) == (raw.index("\u2014"), raw.index("\u2014") + 1)
    assert parse("once\u2014it was").words == parse("once--it was").words == ["once", "it", "was"]


def test_a_span_ends_before_invisible_characters_deleted_after_it() -> None:
    # A zero-width space or a bidi mark right after a word is not part of the word's evidence span;
    # one inside a word (or before the next one) is.
    raw = "end\u200b next\u200b\u200e \ufb01x\u200b; pass\u200bword done\u200b"
    d = parse(raw)
    got = [raw[slice(*d.original_span(s, e))] for s, e in zip(d.word_starts, d.word_ends, strict=True)]
    assert got == ["end", "next", "\ufb01x", "pass\u200bword", "done"]
    assert d.original_span(0, len(d.text)) == (0, len(raw) - 1)


def test_ascii_text_is_unchanged_and_identity_mapped() -> None:
    raw = "Plain text.\nSecond line."
    d = parse(raw)
    assert d.text == raw
    assert d.original_span(6, 10) == (6, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Defense Secretary Mark T. Esper spoke. He left.",
            ["Defense Secretary Mark T. Esper spoke.", "He left."],
        ),
        ("Growth was 3.5 per cent. Then it fell.", ["Growth was 3.5 per cent.", "Then it fell."]),
        (
            "Dr. Smith met Mr. Jones at 5 p.m. today. Fine.",
            ["Dr. Smith met Mr. Jones at 5 p.m. today.", "Fine."],
        ),
        (
            "See e.g. the U.S. Army. Next one!  Really? Yes.",
            ["See e.g. the U.S. Army.", "Next one!", "Really?", "Yes."],
        ),
        ("1. First point here\n2. Second point here", ["1. First point here", "2. Second point here"]),
        ('He said "Stop." Then he went.', ['He said "Stop."', "Then he went."]),
    ],
)
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_hard_wrapped_lines_join_but_headings_do_not() -> None:
    text = (
        "Getting Started\n\n"
        "This paragraph is hard-wrapped at about seventy characters so that it\n"
        "continues on the next line. A second sentence.\n"
    )
    assert sentences(text) == [
        "Getting Started",
        "This paragraph is hard-wrapped at about seventy characters so that it\ncontinues on the next line.",
        "A second sentence.",
    ]


def test_lines_paragraphs_and_words() -> None:
    d = parse("One two.\n\nThree four five.\nSix.\n")
    assert [d.line_text(i) for i in range(len(d.lines))] == ["One two.", "", "Three four five.", "Six.", ""]
    assert [(p.first_line, p.last_line) for p in d.paragraphs] == [(0, 0), (2, 3)]
    assert d.words == ["one", "two", "three", "four", "five", "six"]
    assert d.words_between(d.paragraphs[1].start, d.paragraphs[1].end) == (2, 6)


def test_words_keep_decimals_contractions_and_hyphens() -> None:
    assert parse("It's a well-known 3.14 value, isn't it").words == [
        "it's",
        "a",
        "well-known",
        "3.14",
        "value",
        "isn't",
        "it",
    ]


def test_heading_kinds() -> None:
    text = (
        "# Atx Title\n\n"
        "Setext Title\n============\n\n"
        "Plain Heading Here\n"
        "This body line has plenty of words so it reads like a paragraph of prose.\n\n"
        "IV. The Role of Data\n\n"
        "This body line has plenty of words so it reads like a paragraph of prose.\n\n"
        "<h2>Html Heading</h2>\n"
        "- a list item\n"
    )
    d = parse(text)
    got = [(d.text[h.start : h.end], h.kind) for h in d.headings]
    assert got == [
        ("Atx Title", "atx"),
        ("Setext Title", "setext"),
        ("Plain Heading Here", "plain"),
        ("The Role of Data", "numbered"),
        ("Html Heading", "html"),
    ]
    assert d.title is not None and d.text[d.title.start : d.title.end] == "Atx Title"


def test_non_str_input_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected str"):
        parse(b"bytes")  # type: ignore[arg-type]


@given(st.text(alphabet=".!?\"')] \n\tAa0é", max_size=60))
def test_boundary_scan_by_first_character_finds_the_same_matches(text: str) -> None:
    # The three literal-prefix patterns together must find exactly the matches of the one class
    # pattern, in order, within any bounds.
    for lo, hi in ((0, len(text)), (1, max(1, len(text) - 1))):
        expected = [m.span() for m in _BOUNDARY.finditer(text, lo, hi)]
        assert list(_boundaries(text, lo, hi)) == expected


def test_words_around_several_decimal_numbers() -> None:
    # Decimal numbers are re-split with the regex; the sentence word ranges (from the starts
    # array) must still count "3.5" and "1,000.25" as one word each.
    d = parse("It rose 3.5 percent. Then 1,000.25 units sold. Up 2.0x now.")
    assert d.words == [
        "it",
        "rose",
        "3.5",
        "percent",
        "then",
        "1,000.25",
        "units",
        "sold",
        "up",
        "2.0",
        "x",
        "now",
    ]
    assert [(s.word_start, s.word_end) for s in d.sentences] == [(0, 4), (4, 8), (8, 12)]


def test_indented_code_is_not_a_heading() -> None:
    # An indented title-like line after a blank line is code (and the title before it then opens
    # no section); unindented, it is a heading and "Intro" a title opening the first section.
    body = "This paragraph is ordinary running prose with enough words to count as body text.\n"
    assert [(h.line, h.kind) for h in parse("Intro\n\n    Setup Steps\n" + body).headings] == []
    assert [(h.line, h.kind) for h in parse("Intro\n\nSetup Steps\n" + body).headings] == [
        (0, "plain"),
        (2, "plain"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No code here.\nNor here.", []),
        # a fence, its blank lines and its closing fence; prose after it is not code
        ("Intro.\n```py\nx = 1\n\ny = 2\n```\nAfter.", [1, 2, 3, 4, 5]),
        # a fence closes only on its own character, at least as long: ~~~ and a shorter ``` stay inside
        ("````\na\n~~~\n```\nb\n````\nprose", [0, 1, 2, 3, 4, 5]),
        # an unclosed fence runs to the end
        ("Intro.\n~~~\na\n\nb", [1, 2, 3, 4]),
        # indented by four spaces or a tab after a blank line, continued by the next indented line
        ("Intro.\n\n    a = 1\n\tb = 2\nprose", [2, 3]),
        # indentation inside a paragraph is a continuation, not code
        ("A paragraph that\n    continues here.", []),
        # an indented list item is a nested list, not code
        ("- item\n\n    - nested item\n", []),
    ],
)
def test_code_lines(text: str, expected: list[int]) -> None:
    assert sorted(parse(text).code_lines) == expected


def test_every_family_reads_the_one_set_of_code_lines() -> None:
    import slopsift

    prose = (
        "The committee met on Tuesday to review the budget for next year in detail.\n\n"
        "Members asked several questions about the costs of the new library building.\n\n"
    )
    block = "    <div>the same line</div>\n    <div>the same line</div>\n\n    Setup Steps\n"
    after = "The council will vote on the plan next month, after a public hearing in March.\n"
    text = prose + block + "\n" + after

    def values(t: str) -> dict[str, float]:
        fams = slopsift.signals(t).families
        return {f"{f}.{k}": v for f, fam in fams.items() for k, v in fam.values.items()}

    code, unindented = values(text), values(text.replace("    ", ""))
    # indented code is not a duplicated line, not raw markup, not a sentence, not a heading
    for name in (
        "repetition.dup_line_frac",
        "artifacts.markup_per_1k",
        "readability.mean_sentence_length",
        "headings.heading_count",
    ):
        assert code[name] != unindented[name], name
    assert code["repetition.dup_line_frac"] == code["artifacts.markup_per_1k"] == 0.0
    assert parse(text).headings == []


def test_decomposed_accents_are_composed_and_map_back() -> None:
    import unicodedata

    nfc = "Our café served crème brûlée.\nNaïve x\u0308."
    nfd = unicodedata.normalize("NFD", nfc)
    d = parse(nfd)
    assert d.text == parse(nfc).text == unicodedata.normalize("NFKC", nfc)
    assert d.words == ["our", "café", "served", "crème", "brûlée", "naïve", "ẍ"]
    spans = [
        nfd.__getitem__(slice(*d.original_span(s, e)))
        for s, e in zip(d.word_starts, d.word_ends, strict=True)
    ]
    assert spans[1] == "cafe\u0301" and spans[-1] == "x\u0308"  # the accent stays inside its word


latin = st.text(alphabet=st.characters(max_codepoint=0x24F, blacklist_categories=("Cs",)), max_size=60)


@given(latin)
def test_nfd_and_nfc_parse_alike(text: str) -> None:
    import unicodedata

    a, b = parse(unicodedata.normalize("NFD", text)), parse(unicodedata.normalize("NFC", text))
    assert (a.text, a.words) == (b.text, b.words)


@given(st.text(alphabet="ab 1.2,3'-\n\té", max_size=80))
def test_word_initials_are_the_first_characters_of_the_words(text: str) -> None:
    doc = parse(text)
    assert doc.word_initials == "".join(doc.text[i] for i in doc.word_starts)
    if doc.word_start_array is not None:
        assert doc.word_start_array.tolist() == doc.word_starts


def _fold_by_regex(text: str) -> tuple[str, int]:
    """What ``normalize._fold_homoglyphs`` returns, by the definition: ``re.sub`` over every whole run of
    Latin and look-alike letters that holds a look-alike."""
    import re

    from slopsift.normalize import _homoglyphs

    table = _homoglyphs()
    chars = "".join(sorted(table))
    n = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal n
        w = m.group()
        if not any("a" <= c.lower() <= "z" for c in w):
            return w
        n += sum(1 for c in w if c in table)
        return "".join(table.get(c, c) for c in w)

    return re.sub(rf"(?<![A-Za-z{chars}])[A-Za-z{chars}]*[{chars}][A-Za-z{chars}]*", fix, text), n


@given(st.text(alphabet="aZ \n.-_0é\u0430\u043e\u0410\u03bf\u0391\u0436\u0455\u0501", max_size=80))
def test_homoglyph_folding_is_the_regex_definition(text: str) -> None:
    from slopsift.normalize import _fold_homoglyphs

    assert _fold_homoglyphs(text) == _fold_by_regex(text)


def test_homoglyph_folding_of_long_runs() -> None:
    from slopsift.normalize import _fold_homoglyphs

    for text in (
        "pa\u0455\u0455w\u043erd " * 500,
        "\u0430" * 5000 + "b",  # one word: all look-alikes and one Latin letter
        "\u0430\u0436" * 3000,  # a genuinely Cyrillic run, left alone
        "x" * 3000 + "\u0430" + "\u0436 " * 100 + "\u0430",
        "",
        "plain ascii",
    ):
        assert _fold_homoglyphs(text) == _fold_by_regex(text)


LINK_PIECES = ["https://", "www.", "a.com", "/p", "](", ")", "[", "x@y.org", ".io", " ", "\n", "\n\n"]
LINK_PIECES += ["    x = 1\n", "```\ncode\n```\n", "# Title\n\n", "word", "é", ","]
LINK_PIECES += ["ASP", ".NET", "GOV.UK", "year.AI", "java.net.URL", "."]


@given(st.lists(st.sampled_from(LINK_PIECES), max_size=60))
def test_link_spans_are_the_nonprose_spans_less_code(pieces: list[str]) -> None:
    # One scan for links, shared: the non-prose spans are the link spans and the code lines, merged,
    # exactly what the scan of links and code lines together finds.
    from slopsift.document import _nonprose_spans_py

    doc = parse("".join(pieces))
    code = [(doc.lines[i].start, doc.lines[i].end) for i in doc.code_lines]
    assert doc.link_spans == _nonprose_spans_py(doc.text, doc.lower, [])
    assert doc.nonprose_spans == _nonprose_spans_py(doc.text, doc.lower, code)
    inside = sum(j - i for i, j in zip(*doc.link_words, strict=True))
    assert doc.n_prose_words == doc.n_words - inside >= 0
