"""The shipped model: it loads, verifies, and separates the archetype from honest writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import slopsift
from slopsift.bundle import bundled_model_path, load_bundle, sha256_file

FIXTURES = Path(__file__).parent / "fixtures"
FARM = (FIXTURES / "content_farm.md").read_text(encoding="utf-8")
HUMAN = (FIXTURES / "human_article.md").read_text(encoding="utf-8")
ROOT = Path(__file__).resolve().parent.parent


def test_bundled_model_is_present_small_and_verified() -> None:
    path = bundled_model_path()
    assert path.is_file(), "models/slopsift-model.joblib must ship with the package"
    assert path.stat().st_size <= 5 * 1024 * 1024
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["sha256"] == sha256_file(path)
    b = load_bundle()
    assert b.feature_names == slopsift.feature_names()
    assert 0 < b.thresholds["fpr_0.01"] <= b.thresholds["fpr_0.05"] < 1


def test_model_card_and_metrics_ship() -> None:
    assert (ROOT / "models" / "MODEL_CARD.md").is_file()
    metrics = json.loads((ROOT / "models" / "metrics.json").read_text())
    assert {"dataset", "generator", "domain"} <= set(metrics["grouped"])


def test_content_farm_scores_low_with_structural_reasons() -> None:
    r = slopsift.score(FARM)
    assert r.quality < 0.1
    assert r.flagged and r.label == "low_quality"
    families = {x.signal.split(".")[0] for x in r.reasons}
    assert families & {"headings", "hedging", "repetition", "artifacts"}
    assert all(x.evidence or x.signal.startswith("readability.") for x in r.reasons)


def test_clean_human_article_scores_high() -> None:
    r = slopsift.score(HUMAN)
    assert r.quality > 0.8
    assert not r.flagged and r.label == "ok"


def test_score_many_matches_score() -> None:
    texts = [FARM, HUMAN, "short"]
    many = slopsift.score_many(texts)
    assert [round(r.quality, 9) for r in many] == [round(slopsift.score(t).quality, 9) for t in texts]
    assert [r.label for r in many] == ["low_quality", "ok", "insufficient_text"]


def test_report_is_json_ready() -> None:
    d = slopsift.score(FARM).to_dict()
    s = json.dumps(d)
    assert json.loads(s)["label"] == "low_quality"
    for reason in d["reasons"]:
        for e in reason["evidence"]:
            assert FARM[e["start"] : e["end"]].strip()


@pytest.mark.parametrize("threshold", ["fpr_0.01", "fpr_0.05"])
def test_operating_points(threshold: str) -> None:
    det = slopsift.Detector(threshold=threshold)
    assert det.threshold == load_bundle().thresholds[threshold]


def test_gated_texts_are_not_judged() -> None:
    r = slopsift.score("hello world")
    assert r.label == "insufficient_text" and not r.flagged and r.reasons == []
