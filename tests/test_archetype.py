"""The content-farm archetype fires every family it should; a clean human article fires none of them."""

from __future__ import annotations

from pathlib import Path

import pytest

import slopsift

FIXTURES = Path(__file__).parent / "fixtures"
FARM = (FIXTURES / "content_farm.md").read_text(encoding="utf-8")
HUMAN = (FIXTURES / "human_article.md").read_text(encoding="utf-8")

# Directional ("higher_worse") evidence that an honest article should not produce.
WATCHED = (
    "repetition.",
    "headings.",
    "hedging.boilerplate",
    "hedging.chatbot",
    "artifacts.",
    "inconsistency.",
)


def fired(text: str) -> set[str]:
    specs = dict(slopsift.feature_specs())
    return {
        e.signal
        for e in slopsift.signals(text).evidence()
        if specs[e.signal].direction == "higher_worse" and e.signal.startswith(WATCHED)
    }


@pytest.mark.parametrize(
    "signal",
    [
        "repetition.dup_para_frac",
        "repetition.top_phrase_per_1k",
        "headings.title_recurrence",
        "headings.template_heading_count",
        "headings.conclusion_sections",
        "hedging.boilerplate_per_1k",
        "artifacts.lone_word_lines",
        "artifacts.trailing_debris_lines",
        "inconsistency.numeric_conflicts",
    ],
)
def test_content_farm_fires(signal: str) -> None:
    assert signal in fired(FARM)


def test_content_farm_evidence_points_at_the_culprits() -> None:
    spans = {(e.signal, FARM[e.start : e.end].strip()) for e in slopsift.signals(FARM).evidence()}
    assert ("artifacts.trailing_debris_lines", "video") in spans
    notes = [
        FARM[e.start : e.end]
        for e in slopsift.signals(FARM).evidence()
        if e.signal == "hedging.boilerplate_per_1k"
    ]
    assert any(n.lower() == "in conclusion" for n in notes)


def test_clean_human_article_fires_nothing_directional() -> None:
    assert fired(HUMAN) == set()


def test_gates() -> None:
    assert slopsift.signals(HUMAN).gate == "ok"
    assert slopsift.signals("A few words only.").gate == "insufficient_text"
    german = (
        "Die Stadt hat im letzten Jahr beschlossen, die alte Brücke über den Fluss zu erneuern. "
        "Viele Bürger waren dagegen, weil die Bauarbeiten den Verkehr für Monate behindern würden. "
    ) * 6
    assert slopsift.signals(german).gate == "unsupported_language"
    learner = (
        "I think the school should give more time for sport because it is good for health. "
        "In my country many students sit all day and they are tired. When I play football with my friends "
        "I feel more happy and I can study better after. "
    ) * 3
    assert slopsift.signals(learner).gate == "ok"
