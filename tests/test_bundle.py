"""The model bundle: round trip, integrity and schema checks, and the scoring API on a small model."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

import slopsift
from slopsift.bundle import ModelIntegrityError, ModelSchemaError, load_bundle, save_bundle
from slopsift.scoring import Detector
from slopsift.training.evaluate import Table
from slopsift.training.train import fit_bundle

FIXTURES = Path(__file__).parent / "fixtures"
HUMAN = (FIXTURES / "human_article.md").read_text(encoding="utf-8")
SLOP = (FIXTURES / "content_farm.md").read_text(encoding="utf-8")


def _texts(seed: int, n: int) -> tuple[list[str], list[int]]:
    """Variants of the two fixtures: random subsets of their paragraphs, in order."""
    rng = random.Random(seed)
    texts, ys = [], []
    for i in range(n):
        paras = (HUMAN if i % 2 == 0 else SLOP).split("\n\n")
        keep = sorted(rng.sample(range(len(paras)), k=max(2, int(len(paras) * rng.uniform(0.5, 0.9)))))
        texts.append("\n\n".join(paras[k] for k in keep))
        ys.append(i % 2)
    return texts, ys


def small_table(n: int = 240) -> Table:
    texts, ys = _texts(0, n)
    return Table(
        texts=texts,
        y=np.array(ys),
        source=np.array(["a" if i % 4 < 2 else "b" for i in range(n)]),
        generator=np.array(["m" if y else "human" for y in ys]),
        domain=np.array(["d"] * n),
        group=np.array([f"g{i // 2}" for i in range(n)]),
        role=np.array(["train"] * n),
        repo=np.array([""] * n),
        x=slopsift.extract_features(texts),
    )


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    save_bundle(fit_bundle(small_table(), metadata={"model_version": "tiny"}), path)
    return path


def test_round_trip(model_path: Path) -> None:
    b = load_bundle(model_path)
    assert b.feature_names == slopsift.feature_names()
    assert set(b.thresholds) == {"fpr_0.01", "fpr_0.05"}
    assert 0 < b.thresholds["fpr_0.01"] <= b.thresholds["fpr_0.05"] <= 1
    meta = json.loads(model_path.with_suffix(".json").read_text())
    assert meta["model_version"] == "tiny" and len(meta["sha256"]) == 64
    x = slopsift.extract_features([HUMAN, SLOP])
    assert np.allclose(b.quality(x), load_bundle(model_path).quality(x))


def test_tampered_file_is_refused(model_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(model_path.read_bytes() + b"\0")
    bad.with_suffix(".json").write_text(model_path.with_suffix(".json").read_text())
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_bundle(bad)


def test_missing_sidecar_is_refused(model_path: Path, tmp_path: Path) -> None:
    lone = tmp_path / "lone.joblib"
    lone.write_bytes(model_path.read_bytes())
    with pytest.raises(ModelIntegrityError, match="metadata file"):
        load_bundle(lone)


def test_schema_mismatch_is_refused(model_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.joblib"
    other.write_bytes(model_path.read_bytes())
    meta = json.loads(model_path.with_suffix(".json").read_text())
    meta["feature_names"] = meta["feature_names"][:-1]
    other.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ModelSchemaError, match="feature schema"):
        load_bundle(other)


def test_detector_reports(model_path: Path) -> None:
    det = Detector(model_path)
    long_human, long_slop = HUMAN, SLOP
    good, bad = det.score_batch([long_human, long_slop])
    assert good.quality > bad.quality
    assert bad.flagged and bad.label == "low_quality"
    assert not good.flagged and good.label == "ok"
    assert bad.reasons, "a flagged text must come with reasons"
    for r in bad.reasons:
        assert r.impact >= 0.05
        for e in r.evidence:
            assert e.signal == r.signal
            assert long_slop[e.start : e.end].strip()
    json.dumps(bad.to_dict())
    short = det.score("Too short to judge.")
    assert short.label == "insufficient_text" and not short.flagged


def test_threshold_choices(model_path: Path) -> None:
    assert Detector(model_path, threshold=0.3).threshold == 0.3
    with pytest.raises(ValueError, match="unknown operating point"):
        Detector(model_path, threshold="fpr_0.5")
    with pytest.raises(ValueError, match="threshold must be"):
        Detector(model_path, threshold=1.5)
