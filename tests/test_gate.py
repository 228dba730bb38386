"""The gate counts prose words: words in links (URLs, link targets, domain names, e-mail addresses) are
not evidence of prose, so a list of links is ``insufficient_text`` however long it is, while an article
that cites a few links, and an answer that quotes code, are scored as before."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slopsift
from slopsift import _accel
from slopsift.bundle import load_bundle
from slopsift.document import MIN_WORDS, parse

FIXTURES = Path(__file__).parent / "fixtures"
HUMAN = (FIXTURES / "human_article.md").read_text(encoding="utf-8")
URL = "https://example.com/some/page?id=1"

LINK_SPAM = {
    "one link repeated on one line": " ".join([URL] * 100),
    "one link repeated, a line each": "\n".join([URL] * 100),
    "distinct links, a line each": "\n".join(
        f"https://site{i}.example.com/articles/{i}/the-best-cheap-deals" for i in range(100)
    ),
    "links with a few words between": "\n".join(
        f"Click here: https://shop.example.com/item/{i} now" for i in range(60)
    ),
    "links joined by one word": " and ".join(f"https://site{i}.example.com/p/{i}" for i in range(100)),
    "www links": " ".join(f"www.example{i}.de/page" for i in range(100)),
    "markdown links": "\n".join(
        f"- [Cheap deal number {i}](https://shop.example.com/item/{i})" for i in range(60)
    ),
    "bare domains with paths": "\n".join(f"example{i}.com/path/to/page" for i in range(100)),
    "e-mail addresses": "\n".join(f"contact{i}@example.com" for i in range(100)),
}


@pytest.mark.parametrize("name", list(LINK_SPAM))
def test_link_spam_is_insufficient_text(name: str) -> None:
    # Each of these passed both gates (or, with links counted as words, was called non-English) and the
    # one-link-per-line and one-line texts scored about 0.99: every word of a link counted as prose.
    text = LINK_SPAM[name]
    assert slopsift.signals(text).gate == "insufficient_text"
    report = slopsift.score(text)
    assert report.label == "insufficient_text" and not report.flagged and report.reasons == []


def test_prose_words_leave_out_the_words_of_links() -> None:
    doc = parse(
        "See https://example.com/a-b and [docs](https://x.org/y) or mail me@example.com, ok? "
        "www.test.de/x is here."
    )
    assert doc.n_words == 23
    assert [doc.text[s:e] for s, e in doc.link_spans] == [
        "https://example.com/a-b",
        "](https://x.org/y)",
        "me@example.com",
        "www.test.de/x",
    ]
    # see, and, docs, or, mail, ok, is, here: a link's text is prose, its target is not
    assert doc.n_prose_words == 8


NOT_DOMAINS = [
    # programming names: Microsoft's .NET and what is built on it, a class in a Java package
    "We moved from .NET to ASP.NET, VB.Net and ADO.NET last year.",
    "Open the stream with java.net.URL or java.io.File, then System.IO does the rest.",
    # a missing space after a full stop
    "It changed a lot this year.AI is changing faster, in the U.S.Us included.",
    "The missile was launched.US officials said nothing.",
    # a top-level domain without a name
    "A premium .com name costs more than a .gov one.",
]


@pytest.mark.parametrize("pure", [False, True], ids=["c", "python"])
@pytest.mark.parametrize("text", NOT_DOMAINS)
def test_programming_names_and_run_on_sentences_are_not_domains(text: str, pure: bool) -> None:
    # Read as domains by their top-level domain (.net, .io, .ai, .us, .com), their words were link words:
    # left out of the gate's count, masked by the repetition family and skipped by the phrasing family.
    with _accel.pure_python() if pure else contextlib.nullcontext():
        doc = parse(text)
        assert doc.link_spans == ()
        assert doc.n_prose_words == doc.n_words


DOMAINS = {
    "Buy at example.com or Amazon.com, or see bbc.co.uk today.": ["example.com", "Amazon.com", "bbc.co.uk"],
    "Write to name@example.com or read gov.uk/guidance first.": ["name@example.com", "gov.uk/guidance"],
    "Docs at site.github.io and openai.com/blog and GOV.UK.": ["site.github.io", "openai.com/blog", "GOV.UK"],
    "VISIT CHEAPPILLS.COM NOW, then abcnews.com.co and fanfiction.net": [
        "CHEAPPILLS.COM",
        "abcnews.com.co",
        "fanfiction.net",
    ],
}


@pytest.mark.parametrize("pure", [False, True], ids=["c", "python"])
@pytest.mark.parametrize("text", list(DOMAINS))
def test_domain_names_in_any_case_are_still_links(text: str, pure: bool) -> None:
    # A domain in lower case, with a capitalised name, or in capitals (GOV.UK, a shouted spam domain).
    with _accel.pure_python() if pure else contextlib.nullcontext():
        doc = parse(text)
        assert [doc.text[s:e] for s, e in doc.link_spans] == DOMAINS[text]


def test_an_article_with_a_few_links_is_scored_as_before() -> None:
    # Three links in the clean human article: still ``ok``, and the quality is the model's verdict on
    # the features, which the gate does not touch.
    cited = "(See https://www.sheldonbrown.com/chains.html for more.) This is the routine I"
    linked = HUMAN.replace("This is the routine I", cited)
    linked = linked.replace("of chain lube.", "of chain lube (I buy mine at example.com/lube).")
    linked += "\nQuestions: write to me@example.org or see [my notes](https://example.org/notes/chain).\n"
    doc = parse(linked)
    assert len(doc.link_spans) == 4 and doc.n_prose_words < doc.n_words
    report = slopsift.score(linked)
    assert report.label == "ok" and not report.flagged
    assert report.quality == load_bundle().quality(slopsift.extract_features([linked]))[0]


def test_a_stack_overflow_answer_with_code_stays_scored() -> None:
    # Fewer than MIN_WORDS words of prose, but the code counts: a short answer with a code block is judged.
    answer = (
        "You are reading the file before the stream is flushed, so the last block never arrives. Close "
        "the writer first (https://docs.python.org/3/library/io.html says so), or use a with block:\n\n"
        "```python\n"
        "with open(path, 'w', encoding='utf-8') as out:\n"
        "    for row in rows:\n"
        "        out.write(format_row(row, width=80, sep=', '))\n"
        "with open(path, encoding='utf-8') as back:\n"
        "    data = back.read().splitlines()\n"
        "    print(len(data), data[0], data[-1])\n"
        "```\n\n"
        "That prints the number of rows, then the first and the last of them.\n"
    )
    doc = parse(answer)
    code_words = sum(
        j - i for i, j in (doc.words_between(doc.lines[k].start, doc.lines[k].end) for k in doc.code_lines)
    )
    assert doc.n_prose_words - code_words < MIN_WORDS <= doc.n_prose_words
    assert slopsift.signals(answer).gate == "ok"
    assert slopsift.score(answer).label in {"ok", "low_quality"}


HOSTS = st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,8}){0,2}", fullmatch=True)
PATHS = st.from_regex(r"(/[a-z0-9_-]{1,10}){0,3}", fullmatch=True)
TLDS = st.sampled_from(["com", "org", "net", "io", "co.uk", "info"])
LINKS = st.one_of(
    st.builds("https://{}.{}{}".format, HOSTS, TLDS, PATHS),
    st.builds("http://{}.de{}".format, HOSTS, PATHS),
    st.builds("www.{}.fr{}".format, HOSTS, PATHS),
    st.builds("{}.{}{}".format, HOSTS, TLDS, PATHS),
    st.builds("{}@{}.{}".format, HOSTS, HOSTS, TLDS),
    st.builds("[{}](https://{}.{}{})".format, st.just(""), HOSTS, TLDS, PATHS),
)
SEPARATORS = st.sampled_from([" ", "\n", "\n\n", ", ", " | "])
PROSE = st.lists(
    st.sampled_from(["the", "cat", "sat", "on", "a", "mat", "and", "it", "was", "warm.", "Then", "rain"]),
    max_size=150,
).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(st.lists(LINKS, min_size=1, max_size=150), SEPARATORS)
def test_links_alone_are_never_prose(links: list[str], sep: str) -> None:
    doc = parse(sep.join(links))
    assert doc.n_prose_words == 0
    assert slopsift.signals(doc.original).gate == "insufficient_text"


@settings(max_examples=100, deadline=None)
@given(PROSE, st.lists(LINKS, max_size=100), SEPARATORS)
def test_links_add_no_prose_words(prose: str, links: list[str], sep: str) -> None:
    # Links added to a text leave its prose words as they were, so they can gate it but never let it pass.
    with_links = prose + "\n" + sep.join(links)
    assert parse(with_links).n_prose_words == parse(prose).n_prose_words
    before, after = slopsift.signals(prose).gate, slopsift.signals(with_links).gate
    assert after in {before, "insufficient_text"}
