"""Vocabulary family: word-frequency profile of the lower-case words against general English."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import parse
from slopsift.lexicons import COMMON_ZIPF, MIN_MISSPELLING_LENGTH, load_lexicon, misspelled, zipf_table
from slopsift.signals import vocabulary
from slopsift.training.make_spelling import edits1


def test_exact_values_on_a_small_text() -> None:
    text = "The cat sat on a zzxqv mat. Paris is big."
    # Only words opening with a lower-case letter count: cat sat on a zzxqv mat is big (8); "The"
    # and "Paris" do not. "zzxqv" is not in the table, so it counts as Zipf 1.0, a rare word.
    table = zipf_table()
    zs = [table[w] for w in ("cat", "sat", "on", "a")] + [1.0] + [table[w] for w in ("mat", "is", "big")]
    mean = sum(zs) / 8
    res = slopsift.signals(text)
    v = res.families["vocabulary"].values
    assert v["mean_zipf"] == mean
    assert math.isclose(v["zipf_std"], math.sqrt(sum((z - mean) ** 2 for z in zs) / 8), abs_tol=1e-12)
    assert v["rare_word_share"] == sum(z < 3.0 for z in zs) / 8
    assert v["mid_word_share"] == sum(3.0 <= z < 4.5 for z in zs) / 8
    assert v["unknown_word_share"] == 1 / 8
    assert [text[e.start : e.end] for e in res.families["vocabulary"].evidence] == ["zzxqv"]
    assert v["misspelling_per_1k"] == 0.0  # "zzxqv" is unknown, but no edit from a common word


def test_misspellings_counted_per_1k_words_with_their_spans() -> None:
    # 20 words. Misspelled: "recieve", "becuase", "dont" (an apostrophe left out). Not counted:
    # "Goverment" (capitalised: names and sentence openers are left out), "eBay" (not all lower
    # case as written), "teh" (shorter than 4 letters), "tapestry" (a word), "zzxqv" (no common
    # word one edit away).
    text = (
        "Goverment staff recieve tapestry mail becuase they dont read eBay or teh zzxqv "
        "notes at their desks on most days."
    )
    res = slopsift.signals(text)
    assert res.n_words == 20
    assert res.families["vocabulary"].values["misspelling_per_1k"] == 1000.0 * 3 / 20
    spans = res.families["vocabulary"].evidence_for("vocabulary.misspelling_per_1k")
    assert [text[e.start : e.end] for e in spans] == ["recieve", "becuase", "dont"]


def test_misspellings_in_urls_paths_and_code_do_not_count() -> None:
    text = (
        "Read https://example.org/becuase and util.py, call `func` or np.dtype and repo_name, mail "
        "user@thier.org, run cfg(x) now; but becuase thier (alot) is prose, they count."
    )
    spans = slopsift.signals(text).families["vocabulary"].evidence_for("vocabulary.misspelling_per_1k")
    assert [text[e.start : e.end] for e in spans] == ["becuase", "thier", "alot"]


def test_misspelled_one_edit_from_a_common_word() -> None:
    for typo in ("recieve", "becuase", "goverment", "definately", "untill", "thier", "dont", "alot"):
        assert misspelled(typo), typo  # swap, swap, omission, substitution, insertion, swap, apostrophe
    for word in ("receive", "because", "government", "tapestry", "don't", "chatgpt", "xyzzy", "teh", ""):
        assert not misspelled(word), word


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(load_lexicon("spelling_en.txt").phrases)))
def test_no_dictionary_word_is_a_misspelling(word: str) -> None:
    assert not misspelled(word)


def _edits(word: str) -> set[str]:
    """Every string of letters one deletion, insertion, substitution or adjacent swap from ``word``."""
    return {e for e in edits1(word) if "'" not in e}


COMMON = ["because", "receive", "government", "people", "different", "question"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(COMMON), st.data())
def test_every_non_word_one_edit_from_a_common_word_is_a_misspelling(word: str, data: st.DataObject) -> None:
    known = load_lexicon("spelling_en.txt").phrases
    typo = data.draw(st.sampled_from(sorted(_edits(word) - set(known))))
    assert misspelled(typo) == (len(typo) >= MIN_MISSPELLING_LENGTH)


def test_no_lower_case_words() -> None:
    values, ev = vocabulary.compute(parse("Paris London 1998 Berlin"))
    assert values == dict.fromkeys(values, 0.0) and ev == []


def _reference(words: list[str]) -> tuple[float, float, float, float, float]:
    """The definition as a plain loop, additions in text order."""
    table = zipf_table()
    total = total_sq = 0.0
    rare = mid = unknown = 0
    zs = [table.get(w) for w in words]
    for z in zs:
        if z is None:
            z = vocabulary.OOV_ZIPF
            unknown += 1
        total += z
        total_sq += z * z
        rare += z < vocabulary.RARE
        mid += vocabulary.RARE <= z < vocabulary.COMMON
    n = len(zs)
    mean = total / n
    return mean, math.sqrt(max(0.0, total_sq / n - mean * mean)), rare / n, mid / n, unknown / n


VOCAB = ["the", "of", "cat", "delve", "tapestry", "zzxqv", "qqq", "ephemeral", "and", "run", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=60))
def test_values_equal_the_plain_loop_exactly(words: list[str]) -> None:
    values, _ = vocabulary.compute(parse(" ".join(words) + "."))
    names = ("mean_zipf", "zipf_std", "rare_word_share", "mid_word_share", "unknown_word_share")
    assert tuple(values[k] for k in names) == _reference(words)
    assert values["misspelling_per_1k"] == 0.0


def test_spelling_file_keeps_the_words_the_signal_can_ask_about() -> None:
    from slopsift.training.make_spelling import keep

    dictionary = {"because", "becalm", "cause", "zebra", "quixotic", "beacause"}
    zipf = {"because": 5.5, "zebra": 3.5, "cause": 2.0}
    # Table words in the dictionary ("cause" too, though rare), and dictionary words one edit from
    # a common one ("becalm" is not: two edits from "because"; "beacause" is: one insertion).
    assert keep(dictionary, zipf) == ["beacause", "because", "cause", "zebra"]


def test_spelling_words_are_read_with_and_without_accents(tmp_path: Path) -> None:
    from slopsift.training.make_spelling import read_words

    (tmp_path / "words").write_text("Café\nnaïve\nentrée's\nx-ray\nPhD\n", encoding="utf-8")
    assert read_words([str(tmp_path / "words")]) == {"cafe", "naive", "entree's", "phd"}
    assert not misspelled("cafe") and not misspelled("entrees")


def test_shipped_spelling_file_has_every_common_table_word_it_needs() -> None:
    known = set(load_lexicon("spelling_en.txt").phrases)
    table = zipf_table()
    assert {"because", "receive", "government", "don't", "tapestry"} <= known
    assert not {"recieve", "dont", "becuase"} & known
    assert sum(z >= 3.0 and w in known for w, z in table.items()) > 20000


_KNOWN = frozenset(load_lexicon("spelling_en.txt").phrases)
_COMMON = frozenset(
    w
    for w, z in zipf_table().items()
    if z >= COMMON_ZIPF and len(w) >= MIN_MISSPELLING_LENGTH and w in _KNOWN
)


def _misspelled_by_brute_force(word: str) -> bool:
    """The definition, literally: not a word, and some string one edit away (apostrophes too) is common."""
    if len(word) < MIN_MISSPELLING_LENGTH or not (word.isascii() and word.isalpha()) or word in _KNOWN:
        return False
    return not _COMMON.isdisjoint(edits1(word))


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
        st.sampled_from(sorted(_COMMON)).flatmap(
            lambda w: st.sampled_from(sorted(_edits(w) | _edits(w[1:] or w)))
        ),
    )
)
def test_misspelled_equals_its_definition(word: str) -> None:
    # Random strings (the prefix pruning rejects most after a look-up or two) and strings near
    # common words (where it must not stop too early).
    assert misspelled(word) == _misspelled_by_brute_force(word)


def test_spelling_audit_counts_flagged_words_per_side(tmp_path: Path) -> None:
    from slopsift.training.prepare import Record, write_jsonl
    from slopsift.training.spelling_audit import audit

    def rec(text: str, label: str, role: str = "train") -> Record:
        return Record(text, label, "s", "g", "d", text[:10], role, {})

    corpus = tmp_path / "c.jsonl.gz"
    write_jsonl(
        [
            rec("We recieve mail becuase we dont read. " * 5, "human"),
            rec("The team receives mail because nobody reads it. " * 5, "machine"),
            rec("A recieve in a check-only text is never read. " * 5, "human", role="check"),
        ],
        corpus,
    )
    report = audit(corpus, sample=10, seed=0, top=3).splitlines()
    assert report[0] == "human: 1 texts, 100.0% with at least one misspelling"
    assert report[1] == "  recieve 5, becuase 5, dont 5"
    assert report[2] == "machine: 1 texts, 0.0% with at least one misspelling"
