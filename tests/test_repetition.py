"""The repetition family: exact values on hand-worked texts, evidence spans, properties, scale."""

from __future__ import annotations

import math
import random
import zlib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import parse
from slopsift.scoring import TAIL
from slopsift.signals import repetition
from slopsift.signals.repetition import FAMILY, FEATURES, compute

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"

NAMES = [f.name for f in FEATURES]
FRACTIONS = [n for n in NAMES if n.endswith("_frac") or n == "compressibility"]


def values(text: str) -> dict[str, float]:
    return FAMILY.run(parse(text))[0]


def evidence(text: str, feature: str) -> list[str]:
    """The original-text slices of the evidence spans of one repetition feature."""
    res = slopsift.signals(text)
    return [text[e.start : e.end] for e in res.evidence() if e.signal == f"repetition.{feature}"]


def notes(text: str, feature: str) -> set[str]:
    res = slopsift.signals(text)
    return {e.note for e in res.evidence() if e.signal == f"repetition.{feature}"}


def test_feature_specs_documented() -> None:
    assert len(NAMES) == len(set(NAMES)) == 20  # 4 line/para + 3 top + 6 dup + 6 others + pasted_share
    for spec in FEATURES:
        assert spec.definition and spec.unit
        assert spec.direction in ("higher_worse", "higher_better")
    assert {f.name: f.direction for f in FEATURES}["mtld"] == "higher_better"
    assert FAMILY.name == "repetition" and "O(n" in FAMILY.complexity


def test_duplicate_lines_and_ngrams_small() -> None:
    text = "a b c\na b c\nd e"
    v = values(text)
    # Lines "a b c", "a b c", "d e": one repeat of three; its 5 chars of 5 + 5 + 3 = 13.
    assert v["dup_line_frac"] == pytest.approx(1 / 3)
    assert v["dup_line_char_frac"] == pytest.approx(5 / 13)
    # One paragraph, nothing to repeat.
    assert v["dup_para_frac"] == v["dup_para_char_frac"] == 0.0
    # Words a b c a b c d e, 8 one-letter words = 8 chars. Bigrams "a b" and "b c" both occur
    # twice and both cover 4 chars: the earlier, "a b", wins: 4/8. "a b c" x2 covers 6/8.
    # No 4-gram or longer repeats.
    assert v["top_2gram_char_frac"] == pytest.approx(4 / 8)
    assert v["top_3gram_char_frac"] == pytest.approx(6 / 8)
    assert v["top_4gram_char_frac"] == 0.0
    for n in range(5, 11):
        assert v[f"dup_{n}gram_char_frac"] == 0.0
    # Single letters are not content words; no sentence has 4 (openers) or 8 (near-dup) words.
    assert v["top_phrase_per_1k"] == 0.0
    assert v["repeated_opener_frac"] == v["near_dup_sentence_frac"] == 0.0
    # 15 bytes do not compress.
    assert v["compressibility"] == 0.0
    # MTLD forward: a b c a (3/4=.75) b (3/5=.6 <= .72) closes a factor; "c d e" is all new, its
    # partial factor is (1-1)/.28 = 0, so 8/1 = 8. Backward: e d c b a c (5/6) b (5/7=.714)
    # closes one; "a" adds 0: 8/1 = 8.
    assert v["mtld"] == pytest.approx(8.0)
    assert evidence(text, "dup_line_frac") == ["a b c"]
    res = slopsift.signals(text)
    spans = [e for e in res.evidence() if e.signal == "repetition.dup_line_frac"]
    assert [(e.start, e.end) for e in spans] == [(6, 11)]  # the second occurrence


def test_duplicate_paragraphs() -> None:
    text = "Alpha beta gamma.\n\nDelta epsilon.\n\nAlpha beta gamma.\n\nAlpha beta gamma."
    v = values(text)
    # Four paragraphs (and four prose lines), two repeat the first: 2/4; chars 2*17 of 3*17 + 14.
    assert v["dup_para_frac"] == pytest.approx(2 / 4)
    assert v["dup_para_char_frac"] == pytest.approx(34 / 65)
    assert v["dup_line_frac"] == pytest.approx(2 / 4)
    assert v["dup_line_char_frac"] == pytest.approx(34 / 65)
    assert evidence(text, "dup_para_frac") == ["Alpha beta gamma.", "Alpha beta gamma."]
    assert notes(text, "dup_para_frac") == {"paragraph repeated 3x"}
    starts = [e.start for e in slopsift.signals(text).evidence() if e.signal.endswith("dup_para_frac")]
    assert starts == [35, 54]
    # The fractions by characters are shown by the same repeats (a reason needs its own spans).
    assert evidence(text, "dup_para_char_frac") == evidence(text, "dup_para_frac")
    assert evidence(text, "dup_line_char_frac") == evidence(text, "dup_line_frac")
    assert notes(text, "dup_line_char_frac") == {"line repeated 3x"}


NUMBERS = "one two three four five six seven eight nine ten one two three four five six"


def test_ngram_fractions_exact() -> None:
    v = values(NUMBERS + ".")
    # Chars: one..ten = 3+3+5+4+4+3+5+5+4+3 = 39, then one..six again = 22: total 61.
    # Repeated 5-grams "one..five" (at 10) and "two..six" (at 11) cover words 10-15: 22 chars.
    assert v["dup_5gram_char_frac"] == pytest.approx(22 / 61)
    # "one..six" repeats at 10: the same 22 chars. "one..seven" has no second occurrence.
    assert v["dup_6gram_char_frac"] == pytest.approx(22 / 61)
    for n in range(7, 11):
        assert v[f"dup_{n}gram_char_frac"] == 0.0
    # Every repeated bigram occurs twice; "three four" covers the most chars, 2 * 9 = 18.
    assert v["top_2gram_char_frac"] == pytest.approx(18 / 61)
    # Trigrams: "three four five" 2 * 13 = 26 is the largest.
    assert v["top_3gram_char_frac"] == pytest.approx(26 / 61)
    # 4-grams: "two three four five" and "three four five six" tie at 2 * 16; same value.
    assert v["top_4gram_char_frac"] == pytest.approx(32 / 61)
    # Number words are content words; every repeated phrase occurs twice and the longest
    # (6 words) wins: 2 per 16 words = 125 per 1,000.
    assert v["top_phrase_per_1k"] == pytest.approx(125.0)
    # MTLD forward: ten new words, then one (10/11) two (10/12) three (10/13) four (10/14 = .714)
    # closes a factor; "five six" adds 0: 16/1. Backward likewise closes at "three": 16.
    assert v["mtld"] == pytest.approx(16.0)


def test_dup_ngram_evidence_is_the_repeated_run() -> None:
    # 5-gram fraction 22/61 = 0.36 >= Gopher's 0.15, 6-gram the same >= 0.14.
    text = NUMBERS + "."
    assert evidence(text, "dup_5gram_char_frac") == ["one two three four five six"]
    assert [
        e.start for e in slopsift.signals(text).evidence() if e.signal.endswith("dup_5gram_char_frac")
    ] == [text.index("one", 5)]
    assert evidence(text, "dup_6gram_char_frac") == ["one two three four five six"]
    assert evidence(text, "dup_7gram_char_frac") == []
    # top 2-gram 18/61 = 0.30 >= 0.20: each occurrence of "three four".
    assert evidence(text, "top_2gram_char_frac") == ["three four", "three four"]
    assert notes(text, "top_2gram_char_frac") == {"'three four' x2"}


def test_near_duplicate_sentences() -> None:
    text = (
        "The quick brown fox jumps over the lazy dog today. "
        "The quick brown fox jumps over the lazy cat today. "
        "Nothing in this last sentence repeats anything said before it."
    )
    v = values(text)
    # Sentence 1 and 2 have 8 word-trigrams each, 6 shared: Jaccard 6 / 10 = 0.6 >= 0.5.
    # Three eligible sentences (>= 8 words), one near-duplicate: 1/3.
    assert v["near_dup_sentence_frac"] == pytest.approx(1 / 3)
    assert v["near_dup_para_frac"] == 0.0  # a single paragraph
    assert evidence(text, "near_dup_sentence_frac") == [
        "The quick brown fox jumps over the lazy dog today.",
        "The quick brown fox jumps over the lazy cat today.",
    ]
    assert notes(text, "near_dup_sentence_frac") == {"near-duplicate pair 1 (Jaccard 0.60)"}


def test_near_duplicate_below_threshold() -> None:
    # 3 of 8 trigrams shared ("the quick brown" .. "brown fox jumps"): Jaccard 3 / 13 < 0.5.
    text = (
        "The quick brown fox jumps over the lazy dog today. The quick brown fox jumps under a sleepy cat now."
    )
    assert values(text)["near_dup_sentence_frac"] == 0.0


def test_near_duplicate_paragraphs() -> None:
    p1 = "Our team reviewed every single contract signed during the previous fiscal year."
    p2 = "Our team reviewed every single contract signed during the previous calendar year."
    text = f"{p1}\n\nSomething else entirely, written in other words.\n\n{p2}"
    v = values(text)
    # p1 and p2: 12 words, 10 trigrams each; the 8 starting at words 0-7 avoid word 10
    # ("fiscal"/"calendar") and are shared, 2 + 2 differ: Jaccard 8 / 12 = 0.67.
    # Eligible paragraphs: p1 and p2; the middle one (7 words) is too short: 1/2.
    assert v["near_dup_para_frac"] == pytest.approx(1 / 2)
    assert evidence(text, "near_dup_para_frac") == [p1, p2]
    assert notes(text, "near_dup_para_frac") == {"near-duplicate pair 1 (Jaccard 0.67)"}


def test_repeated_openers() -> None:
    text = (
        "It is good to see you here. It is nice to see you there. "
        "It is fine to be here now. We went home after that."
    )
    v = values(text)
    # Four sentences of >= 4 words; "it is" opens three of them: 3/4.
    assert v["repeated_opener_frac"] == pytest.approx(3 / 4)
    assert evidence(text, "repeated_opener_frac") == ["It is", "It is", "It is"]
    assert notes(text, "repeated_opener_frac") == {"opener 'it is' x3"}


KEYWORD = [
    "Our firm builds security partnerships across the region.",
    "Strong security partnerships reduce risk for everyone.",
    "Many leaders now value security partnerships above trade deals.",
    "Without security partnerships, small states feel exposed.",
    "Investors watch security partnerships closely these days.",
    "Regional security partnerships grew quickly last year.",
    "Analysts expect security partnerships to deepen further.",
    "Critics argue security partnerships cost too much money.",
    "Citizens rarely notice security partnerships at work.",
]


def test_most_repeated_phrase() -> None:
    text = " ".join(KEYWORD)
    v = values(text)
    # Words per sentence 8+7+9+7+7+7+7+8+7 = 67; "security partnerships" x9 -> 9000/67.
    assert v["top_phrase_per_1k"] == pytest.approx(9000 / 67)
    assert evidence(text, "top_phrase_per_1k") == ["security partnerships"] * 9
    assert notes(text, "top_phrase_per_1k") == {"'security partnerships' x9"}


def test_phrase_rules() -> None:
    # A 2-word phrase needs two content words: "the region" x3 does not count; "region" alone is
    # not a phrase. A capitalised name is not padding: "Peace Corps" x3 is skipped. "the region
    # peace corps" x3 crosses a sentence boundary every time.
    text = (
        "We drove to the region. Peace Corps staff met us in the region. "
        "Peace Corps volunteers left the region. Peace Corps ran."
    )
    assert values(text)["top_phrase_per_1k"] == 0.0
    # A longer phrase needs one content word: "they met us in the" has "met". It occurs twice
    # (the longest repeated phrase): 2 per 13 words.
    text2 = "They met us in the hall. Then they met us in the yard."
    assert values(text2)["top_phrase_per_1k"] == pytest.approx(2000 / 13)
    # Only stopwords: "it is in the" x2 does not qualify.
    assert values("It is in the box. Yes, it is in the car.")["top_phrase_per_1k"] == 0.0


def test_urls_and_code_are_not_prose() -> None:
    url = "https://example.com/one/two/three/four/five/six"
    text = (
        f"See the report at {url} for details.\n\n"
        f"The appendix is also at {url} if you need it.\n\n"
        "```\nx = compute(a, b, c, d, e)\nx = compute(a, b, c, d, e)\n```\n\n"
        "```\nx = compute(a, b, c, d, e)\n```"
    )
    v = values(text)
    assert v["dup_line_frac"] == 0.0  # code lines and fences are skipped
    assert v["dup_para_frac"] == 0.0
    for n in range(5, 11):
        assert v[f"dup_{n}gram_char_frac"] == 0.0  # URL words never repeat
    assert v["top_phrase_per_1k"] == 0.0


def test_compressibility() -> None:
    text = "the same words again and again. " * 200
    raw = text.strip().encode()  # normalisation strips nothing inside; the text has no masks
    expected = 1 - len(zlib.compress(raw, 1)) / len(raw)
    v = values(text.strip())
    assert v["compressibility"] == pytest.approx(expected)
    assert v["compressibility"] > 0.9
    assert evidence(text.strip(), "compressibility")  # points at the repeated wording
    assert values("")["compressibility"] == 0.0


def test_mtld_edge_cases() -> None:
    assert values("")["mtld"] == 0.0
    # All words distinct: no factor completes, MTLD is the word count.
    assert values("alpha beta gamma delta")["mtld"] == pytest.approx(4.0)
    # Forward: x y (2/2) x (2/3 = .667) closes a factor at token 3; "y" left, partial 0: 4/1.
    # Backward: y x y (.667) closes; "x" left: 4/1.
    assert values("x y x y")["mtld"] == pytest.approx(4.0)


CLEAN = (
    "I moved to the coast in the spring of 2019, mostly because my sister had found a cheap flat "
    "near the harbour. The first months were hard. I did not know anyone, the buses stopped at "
    "nine, and the wind came through every window we owned.\n\n"
    "Things changed when a neighbour asked whether I could help with her allotment. We planted "
    "beans, argued about slugs and shared tea from a dented flask. By autumn I knew half the "
    "street by name, and the wind had become something to complain about together rather than "
    "alone. I still miss the city sometimes, but not as much as I expected."
)


def test_clean_human_text_does_not_fire() -> None:
    v = values(CLEAN)
    for name in NAMES:
        if name.startswith("dup_") or name.startswith("near_dup") or name == "repeated_opener_frac":
            assert v[name] == 0.0, name
    # "and the wind" twice is the most repeated phrase: normal, and below the evidence rule.
    assert v["top_phrase_per_1k"] == pytest.approx(2000 / parse(CLEAN).n_words)
    assert v["mtld"] > 60
    assert 0.3 < v["compressibility"] < 0.6
    res = slopsift.signals(CLEAN)
    assert res.families["repetition"].evidence == []


def test_title_repeated_as_every_heading() -> None:
    body = [
        "Cloud storage keeps files safe when a laptop is lost or stolen.",
        "Prices vary widely, and the cheapest plans often limit sharing.",
        "Most providers encrypt data at rest, though few encrypt it end to end.",
    ]
    text = "# The Best Cloud Storage Options\n\n" + "\n\n".join(
        f"## The Best Cloud Storage Options\n\n{b}" for b in body
    )
    v = values(text)
    # Seven prose lines (the title, 3 section headings, 3 bodies). Headings compare by their
    # words, so the three "## ..." repeat the "# ..." title: 3/7. Characters: 4 headings of 30
    # chars and bodies of 63 + 63 + 70: 90 / (120 + 196).
    assert v["dup_line_frac"] == pytest.approx(3 / 7)
    assert v["dup_line_char_frac"] == pytest.approx(90 / 316)
    assert v["dup_para_frac"] == pytest.approx(3 / 7)
    # Evidence is the heading's words, without the markdown marker.
    assert evidence(text, "dup_line_frac") == ["The Best Cloud Storage Options"] * 3
    assert notes(text, "dup_line_frac") == {"line repeated 4x"}


# --------------------------------------------------------------------------------------------
# the pruned n-gram scan against a brute-force reading of the definitions


def brute(words: list[str]) -> dict[str, float]:
    total = sum(map(len, words))
    out: dict[str, float] = {}
    for n in (2, 3, 4):
        grams = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
        top = max(grams.values(), default=0)
        best = 0
        if top >= 2:
            for g, c in grams.items():
                if c != top:
                    continue
                covered = set()
                for i in range(len(words) - n + 1):
                    if tuple(words[i : i + n]) == g:
                        covered.update(range(i, i + n))
                best = max(best, sum(len(words[k]) for k in covered))
        out[f"top_{n}gram_char_frac"] = best / total if total else 0.0
    for n in range(5, 11):
        seen: set[tuple[str, ...]] = set()
        marked: set[int] = set()
        for i in range(len(words) - n + 1):
            g = tuple(words[i : i + n])
            if g in seen:
                marked.update(range(i, i + n))
            seen.add(g)
        out[f"dup_{n}gram_char_frac"] = sum(len(words[k]) for k in marked) / total if total else 0.0
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "ccc", "a", "dddd", "ee"]), max_size=80))
def test_pruned_scan_matches_brute_force(words: list[str]) -> None:
    v = values(" ".join(words))
    for name, expected in brute(words).items():
        assert v[name] == pytest.approx(expected), name


# --------------------------------------------------------------------------------------------
# properties and scale

text_like = st.lists(
    st.one_of(
        st.sampled_from(["It is", "the", "same", "phrase", "again", "In addition,", "we"]),
        st.sampled_from([". ", ".\n", "\n\n", "\n", " ", "## Title\n", "```\n", "https://a.com/x "]),
        st.text(max_size=12),
    ),
    max_size=80,
).map(" ".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), text_like))
def test_finite_bounded_deterministic(text: str) -> None:
    doc = parse(text)
    a_vals, a_ev = compute(doc)
    b_vals, b_ev = compute(parse(text))
    assert a_vals == b_vals and a_ev == b_ev
    assert set(a_vals) == set(NAMES)
    for name, x in a_vals.items():
        assert math.isfinite(x), name
        assert x >= 0.0, name
        if name in FRACTIONS:
            assert x <= 1.0, name
    for e in a_ev:
        assert 0 <= e.start < e.end <= len(doc.text)
        assert e.signal in NAMES


def test_large_random_text_finishes() -> None:
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(3000)] + ["the", "of", "and", "a", "to"] * 200
    words = [rng.choice(vocab) for _ in range(200_000)]
    text = " ".join(w + ("." if rng.random() < 0.06 else "") for w in words)
    v = values(text)
    assert all(math.isfinite(x) for x in v.values())


def test_pathological_repetition_finishes() -> None:
    # One sentence repeated 20,000 times: every n-gram repeats, posting lists are capped.
    text = "It is what it is and that is all. " * 20_000
    v = values(text)
    assert v["dup_10gram_char_frac"] > 0.99
    assert v["near_dup_sentence_frac"] > 0.99
    # And one 1 MB line without sentence breaks.
    v = values("word " * 200_000)
    assert v["top_2gram_char_frac"] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# the fast paths against plain reference implementations


def test_indented_code_blocks_are_not_prose() -> None:
    # Lines 2-3 are an indented block after a blank line: code, skipped. Line 5 is indented but
    # follows a prose line (a wrapped continuation), so it is prose and repeats line 3's words:
    # prose lines are "Some text here.", "A prose line:", "    return x + y", "return x + y"; the
    # last two compare equal once stripped -> 1 of 4 lines repeats.
    text = (
        "Some text here.\n\n    return x + y\n    return x + y\n\n"
        "A prose line:\n    return x + y\nreturn x + y"
    )
    v = values(text)
    assert v["dup_line_frac"] == pytest.approx(1 / 4)
    # A tab-indented block at the very start of the text is code as well (nothing precedes it).
    v = values("\treturn x + y\n\treturn x + y\n\nOnly prose here.\n    indented")
    assert v["dup_line_frac"] == 0.0


def mtld_reference(words: list[str]) -> float:
    """MTLD (McCarthy & Jarvis 2010) written out plainly, float ratios, a set per factor."""

    def one_pass(ws: list[str]) -> float:
        factors, seen, tokens = 0.0, set(), 0
        for w in ws:
            tokens += 1
            seen.add(w)
            if len(seen) / tokens <= 0.72:
                factors, seen, tokens = factors + 1.0, set(), 0
        if tokens:
            factors += (1.0 - len(seen) / tokens) / (1.0 - 0.72)
        return len(ws) / factors if factors > 0 else float(len(ws))

    return (one_pass(words) + one_pass(words[::-1])) / 2.0 if words else 0.0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]), max_size=300))
def test_mtld_matches_reference(words: list[str]) -> None:
    # The integer threshold test must agree with the float ratio exactly, including ratios that
    # equal 0.72 (18 types in 25 tokens).
    assert values(" ".join(words))["mtld"] == mtld_reference(words)


def test_mtld_ratio_exactly_at_threshold() -> None:
    # 18 distinct words then 7 repeats of the first (25 tokens).
    # Forward: at token 25 types/tokens = 18/25 = 0.72 exactly, which closes the factor (<=) and
    # leaves nothing: 25 / 1 = 25.
    # Backward: w0 w0 closes at 1/2 three times (tokens 1-6); then w0 w17 .. w1 are 18 types in 18
    # tokens and the final w0 repeats (18/19 > 0.72): partial factor (1 - 18/19) / 0.28.
    words = [f"w{k}" for k in range(18)] + ["w0"] * 7
    backward = 25 / (3 + (1 - 18 / 19) / 0.28)
    assert values(" ".join(words))["mtld"] == pytest.approx((25 + backward) / 2)


def near_dup_reference(sentences: list[list[str]]) -> float:
    """Share of sentences of >= 8 words whose 3-gram set has Jaccard >= 0.5 with an earlier one
    (all pairs, no caps: exact for fewer than 8 sentences)."""
    sets = [{tuple(s[i : i + 3]) for i in range(len(s) - 2)} for s in sentences if len(s) >= 8]
    hits = sum(any(len(a & b) / len(a | b) >= 0.5 for b in sets[:k]) for k, a in enumerate(sets))
    return hits / len(sets) if sets else 0.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"]),
            min_size=1,
            max_size=14,
        ),
        max_size=7,
    )
)
def test_near_dup_sentences_match_reference(sentences: list[list[str]]) -> None:
    text = " ".join(" ".join(["Start", *s]) + "." for s in sentences)
    words = [["start", *s] for s in sentences]
    assert values(text)["near_dup_sentence_frac"] == pytest.approx(near_dup_reference(words))


def test_pasted_share_counts_only_repetition_past_gophers_limit() -> None:
    paras = [
        "The allotment opened in 1952 on land the railway no longer wanted.",
        "Its first sheds were built from old carriage doors and corrugated iron.",
        "By the seventies there was a waiting list of more than forty families.",
        "A flood in 2007 ruined most of the lower plots and two of the sheds.",
        "Today the committee meets monthly and the waiting list is short again.",
    ]
    text = "\n\n".join(paras)
    rep = slopsift.signals(text).families["repetition"]
    assert rep.values["pasted_share"] == 0.0
    # One repeated paragraph of six: 1/6 of the paragraph characters, under the 0.2 limit.
    once = slopsift.signals(text + "\n\n" + paras[2]).families["repetition"]
    assert 0.0 < once.values["dup_para_char_frac"] < 0.2
    assert once.values["pasted_share"] == 0.0
    assert once.evidence_for("repetition.pasted_share") == []
    # Pasted twice: half the characters repeat, (0.5 - 0.2) / 0.8 past the limit; every repeat is evidence.
    twice_text = text + "\n\n" + text
    twice = slopsift.signals(twice_text).families["repetition"]
    assert twice.values["dup_para_char_frac"] == 0.5
    assert math.isclose(twice.values["pasted_share"], 0.375)
    spans = twice.evidence_for("repetition.pasted_share")
    assert len(spans) == 10  # five repeated lines and five repeated paragraphs (not their sentences)
    assert {twice_text[e.start : e.end] for e in spans} == set(paras)
    assert all(e.start >= len(text) for e in spans)  # the second copies, not the first


def test_pasted_share_reads_copies_pasted_without_line_breaks() -> None:
    sentences = [
        "The allotment opened in 1952 on land the railway no longer wanted.",
        "Its first sheds were built from old carriage doors and corrugated iron.",
        "By the seventies there was a waiting list of more than forty families.",
        "A flood in 2007 ruined most of the lower plots and two of the sheds.",
    ]
    one = " ".join(sentences)
    assert slopsift.signals(one).families["repetition"].values["pasted_share"] == 0.0
    # Two copies on one line share no line or paragraph, only their sentences: (0.5 - 0.2) / 0.8.
    flat = slopsift.signals(one + " " + one).families["repetition"]
    assert flat.values["dup_line_char_frac"] == flat.values["dup_para_char_frac"] == 0.0
    assert math.isclose(flat.values["pasted_share"], 0.375)
    spans = flat.evidence_for("repetition.pasted_share")
    assert [(e.start, e.note) for e in spans] == [
        (len(one) + 1 + one.index(s), "sentence repeated 2x") for s in sentences
    ]
    # A sentence in a code line is not prose: repeating it there is not pasting.
    code = one + "\n\n    " + sentences[0] + " " + sentences[1] + " " + sentences[2] + "\n"
    assert slopsift.signals(code).families["repetition"].values["pasted_share"] == 0.0
    # One sentence run on 40 times without a capital to split at: the 10-word repeats past 0.5.
    run_on = "hello world this is a short note about the weather. " * 40
    rep = slopsift.signals(run_on).families["repetition"]
    assert rep.values["dup_line_char_frac"] == 0.0
    expected = (rep.values["dup_10gram_char_frac"] - 0.5) / 0.5
    assert rep.values["dup_10gram_char_frac"] > 0.95
    assert math.isclose(rep.values["pasted_share"], expected)
    (span,) = rep.evidence_for("repetition.pasted_share")
    assert span.note == "repeats an earlier 10-word sequence"
    # Its lower-case sentence starts are human evidence, which the pasting outweighs without flagging
    # (README); with capitals, the sentences repeat and it is flagged.
    report = slopsift.score(run_on)
    assert report.quality < 0.1 and report.reasons[0].signal == "repetition.pasted_share"
    assert slopsift.score(run_on.replace("hello", "Hello")).flagged


def test_a_pasted_human_article_is_flagged() -> None:
    from pathlib import Path

    human = (Path(__file__).parent / "fixtures" / "human_article.md").read_text(encoding="utf-8")
    assert not slopsift.score(human).flagged
    pasted = slopsift.score(human + "\n\n" + human)
    assert pasted.flagged
    assert "repetition.pasted_share" in [r.signal for r in pasted.reasons]


# 48 sentences repeat "the water pump" and nothing longer (each verb-object pair is new), so no 5-word
# run repeats: what compresses is the 3-gram.
WATER_PUMP = " ".join(
    f"The water pump {v} {o}."
    for v in (
        "needs",
        "wants",
        "lost",
        "gained",
        "leaks",
        "drips",
        "hums",
        "rattles",
        "stalls",
        "starts",
        "cools",
        "heats",
    )
    for o in ("oil", "grease", "power", "water")
)


def test_compressibility_evidence_without_a_repeated_five_word_run() -> None:
    text = WATER_PUMP
    v = values(text)
    assert v["dup_5gram_char_frac"] == 0.0
    assert v["compressibility"] >= repetition.COMPRESSIBILITY_EVIDENCE
    assert evidence(text, "compressibility") == ["The water pump"] * repetition.MAX_EVIDENCE
    assert notes(text, "compressibility") == {"'the water pump' x48"}


def test_evidence_thresholds_lie_inside_the_reason_tail() -> None:
    """A signal the scorer may name as a reason (beyond the human 90th percentile, or below the 10th
    for MTLD) must come with evidence, so every threshold lies inside that tail of the shipped
    model's human reference percentiles. Fails when a retrained model moves the tail past one."""
    bundle = slopsift.Detector().bundle
    names = list(bundle.feature_names)
    pct = bundle.human_percentiles
    up, low = math.ceil(TAIL) - 1, math.floor(100 - TAIL)

    def p(feature: str, at: int) -> float:
        return float(pct[names.index(f"repetition.{feature}")][at])

    for k, t in repetition.TOP_NGRAM_EVIDENCE.items():
        assert t <= p(f"top_{k}gram_char_frac", up), k
    for k, t in repetition.DUP_NGRAM_EVIDENCE.items():
        assert t <= max(p(f"dup_{k}gram_char_frac", up), 0.001), k  # an all-zero tail: any repeat
    assert max(p("repeated_opener_frac", up), 0.001) >= repetition.OPENER_EVIDENCE
    assert p("compressibility", up) >= repetition.COMPRESSIBILITY_EVIDENCE
    assert p("mtld", low) <= repetition.MTLD_EVIDENCE


def test_every_reason_of_the_shipped_model_has_evidence() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".txt", ".md")]
    texts += [
        (FIXTURES / name).read_text(encoding="utf-8") for name in ("content_farm.md", "human_article.md")
    ]
    texts.append(WATER_PUMP)  # compressibility and the top 3-gram as reasons, under Gopher's thresholds
    named = 0
    for report in slopsift.score_many(texts):
        for reason in report.reasons:
            named += 1
            assert reason.evidence, reason.signal
    assert named >= 10  # the content farm alone has five
