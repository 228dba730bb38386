"""The combined phrase scan (`PhraseMatcherSet`) finds exactly what each list's own matcher finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from slopsift.lexicons import PhraseMatcher, PhraseMatcherSet

LISTS = ["hedge_cues.txt", "llm_boilerplate.txt", "llm_vocabulary.txt", "vague_attribution.txt"]
MATCHERS = [PhraseMatcher.from_lexicon(f) for f in LISTS]
# Overlapping and prefix phrases, punctuation inside phrases, a non-ASCII phrase and a regex-only list.
TRICKY = PhraseMatcher(["a b", "a", "b c d", "it's", "e.g.", "[x]", "ü ber", "—"], [])
REGEX_ONLY = PhraseMatcher([], ["x+"])
SETS = [PhraseMatcherSet(MATCHERS), PhraseMatcherSet([*MATCHERS, TRICKY, REGEX_ONLY])]
PHRASES = sorted({p for m in [*MATCHERS, TRICKY] for p in m.phrases})
SEPARATORS = [
    " ",
    "  ",
    "\n",
    "-",
    "'",
    ".",
    ",",
    "é",
    "ü",
    "_",
    "a",
    "x",
    "(",
    "[",
    "]",
    "\t",
    "—",
    "1",
    "İ",
]

pieces = st.one_of(st.sampled_from(PHRASES), st.sampled_from(SEPARATORS), st.text(max_size=3))
texts = st.lists(pieces, max_size=12).map("".join)


def _assert_same(text: str) -> None:
    for s in SETS:
        got = s.findall(text)
        assert len(got) == len(s.matchers)
        for m, hits in zip(s.matchers, got, strict=True):
            assert hits == list(m.finditer(text)), (text, m)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_combined_scan_equals_each_matcher(text: str) -> None:
    _assert_same(text.lower())


def test_combined_scan_on_prose_with_known_hits() -> None:
    text = "in conclusion, it is crucial to note that this plays a pivotal role. a b c d it's [x] xx"
    _assert_same(text)
    hits = SETS[1].findall(text)
    assert any(hits[i] for i in range(len(LISTS))), "the boilerplate in this sentence must be found"
    assert [text[a:b] for a, b, _ in hits[-1]] == ["x", "xx"]
