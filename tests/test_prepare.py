"""Tests for the training-corpus preparation (slopsift.training.prepare) and chat-preamble detection."""

from __future__ import annotations

import argparse
import gzip
import json
import os
from pathlib import Path

import pytest

from slopsift.preamble import find_preamble, is_refusal, strip_preamble
from slopsift.training.prepare import (
    BuildStats,
    Record,
    build_corpus,
    clean_text,
    dedupe,
    default_data_dir,
    read_jsonl,
    register_cli,
    summarise,
    write_jsonl,
)

# --------------------------------------------------------------------------------------------------
# clean_text: each rule defeats one documented trap, on both labels alike
# --------------------------------------------------------------------------------------------------


def test_typography_is_folded_to_ascii() -> None:
    text = "\u201cIt\u2019s fine\u201d \u2014 she said\u2026 \u2018ok\u2019 (1990\u20132000)."
    # An em dash becomes the ASCII typist's "--", an en dash "-".
    assert clean_text(text, "kaggle-daigt-essays") == "\"It's fine\" -- she said... 'ok' (1990-2000)."


def test_cp1252_controls_and_mojibake_are_repaired() -> None:
    assert clean_text("It\x92s a \x93test\x94.", "outfox-essays") == 'It\'s a "test".'
    assert clean_text("you didn\u00e2\u0080\u0099t", "so-chatgpt-answers") == "you didn't"
    assert clean_text("it\u00b4s mine", "wi-learner-essays") == "it's mine"


def test_anonymisation_tokens_and_template_placeholders_become_the_same_values() -> None:
    human = "My friend Generic_Name goes to Generic_School in Generic_City with STUDENT_NAME."
    assert clean_text(human, "outfox-essays") == (
        "My friend Alex goes to Lincoln School in Springfield with Alex."
    )
    machine = (
        "Dear Senator [Senator's Last Name],\n\nI live in [City].\n\nSincerely,\n[Your Name]\n[Your Address]"
    )
    assert clean_text(machine, "kaggle-daigt-essays") == (
        "Dear Senator Alex,\n\nI live in Springfield.\n\nSincerely,"
    )


def test_bare_title_line_is_dropped_from_essays_only_when_title_shaped() -> None:
    essay = "The Case for Car-Free Cities\n\nCars pollute. We should drive less."
    assert clean_text(essay, "kaggle-daigt-essays") == "Cars pollute. We should drive less."
    sentence_first = "Cars pollute the air.\n\nWe should drive less."
    assert (
        clean_text(sentence_first, "kaggle-daigt-essays") == "Cars pollute the air.\n\nWe should drive less."
    )


def test_paragraph_separators_are_unified() -> None:
    # herbold students use "\n " between paragraphs, ChatGPT "\n\n"
    assert clean_text("First para.\n Second para.", "herbold-essays-chatgpt") == "First para.\n\nSecond para."
    assert (
        clean_text("First para.\n\n\nSecond para.", "herbold-essays-chatgpt") == "First para.\n\nSecond para."
    )
    # OUTFOX: FLAN/DIPPER and half the students have no breaks at all, so the source is flattened
    assert clean_text("  First para.\nSecond para.", "outfox-essays") == "First para. Second para."


def test_detectrl_newline_debris_and_glued_sentences() -> None:
    text = "Ermahgerd. nnSecond visit was better two decades ago.An online trailer. nnfor sure 10.I think"
    assert clean_text(text, "detectrl") == (
        "Ermahgerd. Second visit was better two decades ago. An online trailer. for sure 10. I think"
    )


def test_detectrl_writingprompts_detokenisation() -> None:
    text = '" There\' s something , " I said . " I do n\' t know ( really ) . " *Run* , and do \' t stop'
    assert (
        clean_text(text, "detectrl")
        == '"There\'s something," I said. "I don\'t know (really)." Run, and don\'t stop'
    )


def test_detectrl_camel_glue_from_lost_line_breaks() -> None:
    assert clean_text("large values of theHiggsino mass", "detectrl") == "large values of the Higgsino mass"


def test_code_is_removed_on_both_sides_of_stack_overflow() -> None:
    machine = (
        "Use the `execute()` method:\n\n```python\nx = run()\n```\n\nIt works well.\n\n"
        "    indented_code(1)\nvar total = 5;\nhttp://example.com/docs/page"
    )
    assert clean_text(machine, "so-chatgpt-answers") == "Use the execute() method:\n\nIt works well."
    assert (
        clean_text("See below.\n\n[code block]\n\nDone.", "stackexchange-small-sites")
        == "See below.\n\nDone."
    )


def test_hc3_open_qa_spacing_and_finance_glue() -> None:
    assert clean_text("Composers include Kolb , Oliveros 's works ( 1961 ) .", "hc3-qa-subsets") == (
        "Composers include Kolb, Oliveros's works (1961)."
    )
    assert clean_text("They are small stocks.Small caps grow.", "hc3-qa-subsets") == (
        "They are small stocks. Small caps grow."
    )


def test_hc3_medicine_greetings_and_sign_offs_are_stripped_on_both_sides() -> None:
    human = (
        "Hello and Welcome to 'Ask A Doctor' service. I have gone through your query. "
        "The rash is most likely eczema and should respond to a mild steroid cream applied twice daily "
        "for one week. Hope this helps. Regards, Dr. Smith."
    )
    assert clean_text(human, "hc3-qa-subsets") == (
        "The rash is most likely eczema and should respond to a mild steroid cream applied twice daily "
        "for one week."
    )
    machine = (
        "I'm sorry to hear that you are experiencing a rash. It may be eczema, which often responds to a "
        "mild steroid cream. I hope this helps!"
    )
    assert clean_text(machine, "hc3-qa-subsets") == (
        "It may be eczema, which often responds to a mild steroid cream."
    )


def test_web_articles_unwrap_prose_mask_years_and_model_names_keep_structure() -> None:
    text = (
        "# Why We Moved\n\nIn 2014 we wrote\nthis at eighty\ncolumns with ChatGPT.\n\n"
        "- item one\n- item two\n\n```go\nfunc main() {}\n```\n\nThe end."
    )
    assert clean_text(text, "web-articles") == (
        "# Why We Moved\n\nIn 2020 we wrote this at eighty columns with Acme.\n\n"
        "- item one\n- item two\n\nThe end."
    )


def test_llmfake_quoted_headline_is_dropped() -> None:
    text = '"6 best essential oils for the flu" influenza is a contagious respiratory disease.'
    assert clean_text(text, "llmfake-misinfo") == "influenza is a contagious respiratory disease."


# --------------------------------------------------------------------------------------------------
# Chat preambles
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "body"),
    [
        (
            'Sure! Here\'s a 6 sentence abstract for the title "Spin: A Theory":This paper studies.',
            "This paper studies.",
        ),
        ("Here is the rewritten essay:\n\nCars are bad.", "Cars are bad."),
        ("Certainly! Here is a polished version of the review:\nGreat food.", "Great food."),
        ("Title: The Benefits of Limiting Car Usage\n\nCars pollute the air.", "Cars pollute the air."),
        ("Headline: \n\nActor Finds Comfort\n\nArticle:\n\nIn the wake of news.", "In the wake of news."),
        (
            "Title: Drug Users Warned Over BotulismIn a concerning development, two",
            "In a concerning development, two",
        ),
        ("[assistant]: In a realm where dragons were scarce.", "In a realm where dragons were scarce."),
        ("**Here is the news article:**A woman has won her bid.", "A woman has won her bid."),
        (
            "This is a summary of academic articles: This article provides a scheme.",
            "This article provides a scheme.",
        ),
        (
            "As an AI language model, I don't have personal opinions. However, schools differ.",
            "However, schools differ.",
        ),
    ],
)
def test_preambles_are_found_and_stripped(text: str, body: str) -> None:
    stripped, preamble = strip_preamble(text)
    assert stripped == body
    assert preamble and text.startswith(preamble)
    span = find_preamble(text)
    assert span is not None and text[span[0] : span[1]] == preamble


@pytest.mark.parametrize(
    "text",
    [
        "Sure, the economy grew last year, but wages did not: that is the problem.",
        "Here in Ohio the winters are long and the summers are short.",
        "This is a great city to live in, and I love it here.",
        "I can't believe this place got a bad rating! The food is great.",
        "As an AI researcher, I think benchmarks matter: they shape progress.",
        "Title of the book is long but the story is good.",
    ],
)
def test_human_openings_are_not_preambles(text: str) -> None:
    assert find_preamble(text) is None
    assert strip_preamble(text) == (text, "")
    assert not is_refusal(text)


def test_preamble_span_starts_after_leading_space() -> None:
    assert find_preamble("  Here is the essay:\nText.") == (2, 20)


def test_refusals_versus_disclaimers() -> None:
    assert is_refusal("I cannot fulfill your request. As a responsible AI language model, I cannot do that.")
    assert is_refusal("I'm sorry, but I cannot generate misinformation for you.")
    long_essay = "As an AI language model, I do not have opinions. " + "Schools should teach art. " * 60
    assert not is_refusal(long_essay)
    assert not is_refusal(
        "I'm sorry, but I can't write that. However, here is a safer story: Once upon a time."
    )


# --------------------------------------------------------------------------------------------------
# Deduplication and group union
# --------------------------------------------------------------------------------------------------


def _rec(text: str, label: str, group: str, role: str = "train", source: str = "s") -> Record:
    return Record(text, label, source, "human" if label == "human" else "gpt-4", "news", group, role, {})  # type: ignore[arg-type]


def test_dedupe_keeps_one_copy_and_unions_groups() -> None:
    recs = [
        _rec("Same human text here.", "human", "g1"),
        _rec("Machine twin of g1.", "machine", "g1"),
        _rec("  same HUMAN text   here.", "human", "g2"),  # duplicate after normalisation
        _rec("Machine twin of g2.", "machine", "g2"),
        _rec("Unrelated text.", "human", "g3"),
    ]
    stats = BuildStats()
    out = dedupe(recs, stats)
    assert [r.text for r in out] == [
        "Same human text here.",
        "Machine twin of g1.",
        "Machine twin of g2.",
        "Unrelated text.",
    ]
    groups = {r.text: r.group for r in out}
    assert (
        groups["Same human text here."]
        == groups["Machine twin of g1."]
        == groups["Machine twin of g2."]
        == "g1"
    )
    assert groups["Unrelated text."] == "g3"
    assert stats.duplicates["s/human"] == 1


def test_dedupe_union_is_transitive_and_roles_get_stricter() -> None:
    recs = [
        _rec("A text.", "human", "g3"),
        _rec("B text.", "human", "g2", role="check"),
        _rec("a text.", "human", "g2"),  # joins g3 and g2
        _rec("B TEXT.", "human", "g1"),  # joins g2 and g1
        _rec("Twin of g1.", "machine", "g1"),
    ]
    out = dedupe(recs)
    assert len(out) == 3
    assert {r.group for r in out} == {"g1"}
    roles = {r.text: r.split_role for r in out}
    assert roles["B text."] == "check"  # the check-only copy never becomes train
    assert roles["A text."] == "train"


def test_dedupe_label_conflict_keeps_human() -> None:
    stats = BuildStats()
    out = dedupe([_rec("Copied text.", "machine", "g1"), _rec("Copied text.", "human", "g2")], stats)
    assert len(out) == 1 and out[0].label == "human" and out[0].group == "g1"
    assert stats.label_conflicts == 1


def test_dedupe_merges_human_near_duplicates() -> None:
    words = [f"word{i}" for i in range(60)]
    a = " ".join(words)
    b = " ".join([*words[:50], "changed", *words[51:]])
    out = dedupe(
        [
            _rec(a, "human", "kaggle"),
            _rec(b, "human", "outfox"),
            _rec("Essay on cars by a model.", "machine", "outfox"),
        ]
    )
    assert len(out) == 2
    assert {r.group for r in out} == {"kaggle"}


# --------------------------------------------------------------------------------------------------
# I/O, summary, CLI
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["corpus.jsonl", "corpus.jsonl.gz"])
def test_jsonl_round_trip(tmp_path: Path, name: str) -> None:
    recs = [
        Record("Text one.", "human", "detectrl", "human", "news", "g1", "train", {"file": "x.json"}),
        Record(
            "Text two \u00e9.",
            "machine",
            "outfox-essays",
            "gpt-4",
            "essays",
            "g1",
            "robustness",
            {"attack": "dipper"},
        ),
    ]
    path = tmp_path / name
    assert write_jsonl(recs, path) == 2
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            assert json.loads(f.readline())["text"] == "Text one."
    assert read_jsonl(path) == recs
    summary = summarise(recs)
    assert summary["by_source_label"] == {"detectrl/human": 1, "outfox-essays/machine": 1}
    assert summary["by_role_label"] == {"robustness/machine": 1, "train/human": 1}
    assert summary["groups"] == 1


def test_register_cli_adds_prepare_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOPSIFT_DATA_DIR", "/some/where")
    assert default_data_dir() == Path("/some/where")
    parser = argparse.ArgumentParser()
    register_cli(parser.add_subparsers(dest="cmd"))
    args = parser.parse_args(["prepare-data", "--out", "x.jsonl"])
    assert args.cmd == "prepare-data" and args.out == "x.jsonl" and args.data_dir == "/some/where"
    assert callable(args.func)


# --------------------------------------------------------------------------------------------------
# Real data (skipped where the shared corpora are absent)
# --------------------------------------------------------------------------------------------------


def _shared_data() -> Path | None:
    candidates = [os.environ.get("SLOPSIFT_DATA_DIR"), "/work/shared/data", "../shared/data"]
    for c in candidates:
        if c and (Path(c) / "herbold-essays-chatgpt" / "essays.jsonl").is_file():
            return Path(c)
    return None


@pytest.mark.skipif(
    _shared_data() is None, reason="shared corpora not found (../shared/data or $SLOPSIFT_DATA_DIR)"
)
def test_build_herbold_from_shared_data() -> None:
    data = _shared_data()
    assert data is not None
    stats = BuildStats()
    recs = build_corpus(data, sources=["herbold-essays-chatgpt"], stats=stats)
    summary = summarise(recs)
    assert summary["by_source_label"] == {
        "herbold-essays-chatgpt/human": 90,
        "herbold-essays-chatgpt/machine": 180,
    }
    assert summary["by_generator"] == {"gpt-3.5-turbo": 90, "gpt-4": 90, "human": 90}
    assert {r.split_role for r in recs} == {"check"}  # check-only set
    assert summary["groups"] == 90  # one group per topic: student + two ChatGPT essays
    assert stats.preambles["herbold-essays-chatgpt/machine"] >= 85  # 89 of 90 gpt-4 essays open with "Title:"
    for r in recs:
        assert not r.text.startswith("Title:")
        assert "\n " not in r.text
        assert not set(r.text) & set("\u2018\u2019\u201c\u201d\u2014")
        assert len(r.text.split()) >= 50
