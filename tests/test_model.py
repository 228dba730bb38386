"""The shipped model: it loads, verifies, and separates the archetype from honest writing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import slopsift
from slopsift.bundle import BUNDLE_FORMAT, bundled_model_path, load_bundle, sha256_file
from slopsift.training.fit import PASTED_WEIGHT, SET_TERMS, SET_WEIGHT

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
    meta = json.loads(bundled_model_path().with_suffix(".json").read_text())
    assert metrics["final_model"]["thresholds"] == meta["thresholds"]
    card = (ROOT / "models" / "MODEL_CARD.md").read_text()
    assert f"SHA-256 `{meta['sha256'][:16]}...`" in card, "regenerate: python -m slopsift.training.card"
    assert f"{meta['size_bytes'] / 1024:,.0f} KiB" in card


def test_shipped_model_is_compiled_and_equals_its_estimator() -> None:
    meta = json.loads(bundled_model_path().with_suffix(".json").read_text())
    assert meta["bundle_format"] == BUNDLE_FORMAT
    b = load_bundle()
    grid = b.human_percentiles.T
    lo, hi = grid.min(axis=0), grid.max(axis=0)
    x = lo - 0.5 + (hi - lo + 1.0) * np.random.default_rng(0).random((300, grid.shape[1]))
    assert np.array_equal(b.quality(x), b.estimator.predict_proba(x)[:, 0])


def test_shipped_model_reads_neutral_signals_only_as_human_evidence() -> None:
    # See slopsift.training.fit: every split is on a directional signal or on a neutral one
    # admitted as human evidence, and raising such a signal can only raise quality.
    meta = json.loads(bundled_model_path().with_suffix(".json").read_text())
    names = slopsift.feature_names()
    specs = dict(slopsift.feature_specs())
    evidence = set(meta["classifier"]["human_evidence"])
    assert all(specs[n].direction == "neutral" for n in evidence)
    allowed = {j for j, n in enumerate(names) if specs[n].direction != "neutral" or n in evidence}
    b = load_bundle()
    arrays = b.forest.arrays
    split_features = set(np.unique(arrays["feature"][~arrays["leaf"].astype(bool)]).tolist())
    assert len(split_features) > 5
    assert split_features <= allowed
    rows = np.asarray(b.human_percentiles, dtype=np.float64).T  # one row per percentile
    for n in evidence:
        j = names.index(n)
        lo, hi = rows.copy(), rows.copy()
        hi[:, j] = rows[:, j].max() + 1.0
        lo[:, j] = rows[:, j].min() - 1.0
        assert np.all(b.quality(hi) >= b.quality(lo)), n


def test_import_and_score_need_neither_sklearn_nor_scipy() -> None:
    code = (
        "import sys, slopsift\n"
        "r = slopsift.score('A plain sentence about the weather and the garden. ' * 30)\n"
        "assert 0.0 <= r.quality <= 1.0\n"
        "slopsift.score_many(['Another plain text about cooking rice at home. ' * 30] * 3)\n"
        "heavy = sorted(m for m in ('sklearn', 'scipy') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_content_farm_scores_low_with_structural_reasons() -> None:
    r = slopsift.score(FARM)
    assert r.quality < 0.1
    assert r.flagged and r.label == "low_quality"
    families = {x.signal.split(".")[0] for x in r.reasons}
    assert {"headings", "hedging"} <= families  # the template headings and the boilerplate
    assert all(x.evidence for x in r.reasons)


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


@pytest.mark.parametrize(
    ("texts", "kwargs", "error", "match"),
    [
        ("one text", {}, TypeError, "not a single str"),
        (["a", "b", 3], {}, TypeError, r"texts\[2\] is int"),
        # the position in the input, not in its batch
        (["a"] * 300 + [None], {"batch_size": 7}, TypeError, r"texts\[300\] is NoneType"),
        (["a"], {"batch_size": 0}, ValueError, "batch_size must be a positive int"),
        (["a"] * 20, {"batch_size": -1}, ValueError, "batch_size must be a positive int"),
        (["a"], {"n_jobs": 0}, ValueError, "n_jobs must be a non-zero int"),
        (["a"], {"n_jobs": 1.5}, ValueError, "n_jobs must be a non-zero int"),
    ],
)
def test_batch_calls_check_their_arguments(
    texts: Any, kwargs: dict[str, Any], error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        slopsift.score_many(texts, **kwargs)
    with pytest.raises(error, match=match):
        slopsift.extract_features(texts, **kwargs)


def test_batch_calls_take_numpy_integers() -> None:
    # Sizes read from a config or computed with numpy arrive as numpy integers.
    texts = [HUMAN, FARM, HUMAN]
    got = slopsift.score_many(texts, n_jobs=np.int64(1), batch_size=np.int32(2))
    assert [r.quality for r in got] == [r.quality for r in slopsift.score_many(texts)]


def _logit(q: float) -> float:
    return float(np.log(q / (1.0 - q)))


def test_no_set_term_can_flag_alone_a_text_at_even_odds() -> None:
    # The set weight's promise (fit.SET_WEIGHT): a retrain that raises the default threshold past it
    # breaks the promise, and must lower the weight with it.
    threshold = load_bundle(bundled_model_path()).thresholds["fpr_0.05"]
    assert abs(SET_WEIGHT) < _logit(0.5) - _logit(threshold)


@pytest.mark.parametrize("name", sorted(SET_TERMS))
def test_set_terms_ship_with_their_weight_and_add_exactly_it(name: str) -> None:
    """Each set term is in the shipped bundle at its SET_TERMS weight (SET_WEIGHT, or PASTED_WEIGHT for
    pasted text) and moves the log-odds of quality by exactly ``w * v / (v + 1)``: the trees never read
    the column, so nothing else changes."""
    bundle = load_bundle(bundled_model_path())
    j = list(bundle.feature_names).index(name)
    weight = SET_TERMS[name]
    assert weight == (PASTED_WEIGHT if name == "repetition.pasted_share" else SET_WEIGHT)
    assert dict(bundle.forest.terms)[j] == weight
    x = slopsift.extract_features([HUMAN, FARM])
    for v in (0.5, 1.5625, 12.5):
        on, off = x.copy(), x.copy()
        on[:, j], off[:, j] = v, 0.0
        # read as log-odds, not through quality: -15 takes the farm article's quality near 1e-11
        forest = bundle.forest
        moved = forest._logit(forest.margin(on), on) - forest._logit(forest.margin(off), off)
        assert moved.tolist() == pytest.approx([weight * v / (v + 1)] * 2, abs=1e-9)


SLIP = "Since I switched to wax, chain life went from 2,000 km to 3,000 km, a 25% increase."


def test_a_contradiction_lowers_a_trusted_article_without_flagging_it() -> None:
    clean = slopsift.score(HUMAN)
    text = HUMAN + "\n\n" + SLIP
    report = slopsift.score(text)
    assert not report.flagged and report.quality < clean.quality - 0.15
    (reason,) = [r for r in report.reasons if r.signal == "inconsistency.conflicts_per_1k_words"]
    # Both statements, sliced from the text the moderator reads, under the one note.
    assert [text[e.start : e.end] for e in reason.evidence] == ["from 2,000 km to 3,000", "25% increase"]
    assert {e.note for e in reason.evidence} == {"2,000 to 3,000 is +50%, not 25%"}


def test_page_chrome_lowers_a_trusted_article_without_flagging_it() -> None:
    paragraphs = HUMAN.split("\n\n")
    text = "\n\n".join([*paragraphs[:3], "Advertisement", *paragraphs[3:5], "Share this:", *paragraphs[5:]])
    report = slopsift.score(text)
    assert not report.flagged and report.quality < slopsift.score(HUMAN).quality - 0.15
    (reason,) = [r for r in report.reasons if r.signal == "artifacts.debris_lines"]
    assert [text[e.start : e.end] for e in reason.evidence] == ["Advertisement", "Share this:"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: slopsift.score(b"abc"), "text must be str, got bytes"),
        (lambda: slopsift.Detector().score(None), "text must be str, got NoneType"),
    ],
)
def test_one_text_calls_name_the_text_not_texts(call: Any, message: str) -> None:
    # The caller passed one ``text``: an error naming ``texts[0]`` points at an argument they never gave.
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("threshold", [None, [0.5], object()])
def test_a_threshold_of_the_wrong_type_is_explained(threshold: Any) -> None:
    with pytest.raises(TypeError) as info:
        slopsift.Detector(threshold=threshold)
    assert str(info.value) == (
        "threshold must be an operating-point name (fpr_0.01, fpr_0.05) or a float in (0, 1), "
        f"got {threshold!r}"
    )


def test_score_many_takes_every_model_detector_takes(tmp_path: Path) -> None:
    # Detector(model=...) takes a path (str or Path) or a loaded ModelBundle; score_many takes the same.
    texts = [HUMAN, FARM, "short"]
    want = [(r.quality, r.label) for r in slopsift.Detector(load_bundle()).score_batch(texts)]
    for model in (str(bundled_model_path()), bundled_model_path(), load_bundle()):
        for n_jobs in (1, 2):
            got = slopsift.score_many(texts, model=model, n_jobs=n_jobs, batch_size=1)
            assert [(r.quality, r.label) for r in got] == want, (type(model), n_jobs)


CHINESE = "今天我们去公园散步，天气很好，孩子们在草地上玩耍，老人们在树下下棋。" * 20


@pytest.mark.parametrize(
    ("text", "label"),
    [("", "insufficient_text"), ("  \n\t ", "insufficient_text"), (CHINESE, "unsupported_language")],
)
def test_gated_texts_are_never_flagged_whatever_the_threshold(text: str, label: str) -> None:
    # What the README and Report promise: a gated text is not judged, even where its (reference
    # only) quality lies below the threshold.
    r = slopsift.Detector(threshold=0.999).score(text)
    assert (r.label, r.flagged, r.reasons) == (label, False, [])
    assert r.quality < 0.999


def test_readme_states_the_reasons_rule_of_the_code() -> None:
    from slopsift.scoring import MAX_REASONS, MAX_REASONS_PER_FAMILY, MIN_IMPACT, TAIL

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (
        f"beyond the {TAIL:g}th percentile of human texts on its bad side, or below the {100 - TAIL:g}th "
        f"for a higher-is-better signal) and resetting it to the human median raises the log-odds of quality "
        f"by at least {MIN_IMPACT:g}. The candidates with the largest rise are the reasons, strongest first: "
        f"at most {MAX_REASONS_PER_FAMILY} per signal family and at most {MAX_REASONS} in all."
    ) in readme
    assert "up to 6 signals" not in readme
