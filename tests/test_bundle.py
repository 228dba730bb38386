"""The model bundle: round trip, integrity and schema checks, and the scoring API on a small model."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import random
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import slopsift
from slopsift.bundle import (
    BUNDLE_FORMAT,
    CHUNK_ROWS,
    CompiledForest,
    ModelBundle,
    ModelError,
    ModelFormatWarning,
    ModelIntegrityError,
    ModelSchemaError,
    Probe,
    _libm_exp,
    _pack,
    _quality_of,
    _unpack,
    load_bundle,
    save_bundle,
    sha256_file,
    upgrade_bundle,
)
from slopsift.scoring import Detector, cached_detector
from slopsift.training.evaluate import Table
from slopsift.training.fit import EVIDENCE_TERMS
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
    b = fit_bundle(small_table(), metadata={"model_version": "tiny"})
    assert b.forest.n_features > 0, "the tiny model must have splits for these tests to mean anything"
    save_bundle(b, path)
    return path


def random_rows(b: ModelBundle, n: int, seed: int = 0) -> np.ndarray:
    """Rows spread over (and a little beyond) the human range of every feature."""
    grid = b.human_percentiles.T
    lo, hi = grid.min(axis=0), grid.max(axis=0)
    rng = np.random.default_rng(seed)
    return np.asarray(lo - 0.5 + (hi - lo + 1.0) * rng.random((n, grid.shape[1])))


def test_round_trip(model_path: Path) -> None:
    b = load_bundle(model_path)
    assert b.feature_names == slopsift.feature_names()
    assert set(b.thresholds) == {"fpr_0.01", "fpr_0.05"}
    assert 0 < b.thresholds["fpr_0.01"] <= b.thresholds["fpr_0.05"] <= 1
    meta = json.loads(model_path.with_suffix(".json").read_text())
    assert meta["model_version"] == "tiny" and len(meta["sha256"]) == 64
    assert meta["bundle_format"] == BUNDLE_FORMAT and meta["size_bytes"] == model_path.stat().st_size
    assert b._estimator is None, "the estimator stays pickled bytes until asked for"
    # Identical, float for float, to the scikit-learn estimator, below, at and above one chunk of rows.
    x = np.vstack([slopsift.extract_features([HUMAN, SLOP]), random_rows(b, 3 * CHUNK_ROWS + 5)])
    x[7, 3] = np.nan  # a missing value goes where the booster sends it
    want = b.estimator.predict_proba(x)[:, 0]
    assert np.array_equal(b.quality(x), want)
    assert np.array_equal(b.quality(x[:1]), want[:1])
    assert b.quality(x[:0]).shape == (0,)
    # Saving the loaded bundle again writes the very same file.
    again = model_path.parent / "again.joblib"
    save_bundle(b, again)
    assert sha256_file(again) == sha256_file(model_path)


def test_file_is_a_joblib_of_plain_data(model_path: Path) -> None:
    payload = joblib.load(model_path)
    assert payload["format"] == BUNDLE_FORMAT and payload["feature_names"] == slopsift.feature_names()
    assert isinstance(payload["estimator_pickle"], bytes)
    assert set(payload["forest"]) == {"arrays", "baseline", "a", "b", "terms"}
    names = slopsift.feature_names()
    want = [names.index(n) for n in EVIDENCE_TERMS]
    assert [t[0] for t in payload["forest"]["terms"]] == want
    assert _unpack(payload["probe"]["x"]).shape[1] == len(slopsift.feature_names())


def test_sigmoid_is_scipys_expit_float_for_float() -> None:
    from scipy.special import expit

    rng = np.random.default_rng(1)
    special = [0.0, -0.0, 5e-324, -5e-324, 1e-300, 36.7, -36.7, 37.5, -37.5, 709.0, 709.78, 709.79, 710.0]
    special += [-709.78, -745.1, -746.0, 1e308, -1e308, math.inf, -math.inf, math.nan]
    u = np.concatenate([rng.uniform(-40, 40, 200_000), rng.normal(0, 4, 100_000), np.array(special)])
    assert np.array_equal(1.0 / (1.0 + _libm_exp(u)), expit(-u), equal_nan=True)
    assert np.array_equal(_quality_of(_libm_exp(u)), 1.0 - expit(-u), equal_nan=True)


def _resave(src: Path, dst: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the bundle with ``edit`` applied to its payload, with a matching SHA-256."""
    payload = joblib.load(src)
    edit(payload)
    joblib.dump(payload, dst, compress=3)
    meta = json.loads(src.with_suffix(".json").read_text())
    meta["sha256"] = sha256_file(dst)
    dst.with_suffix(".json").write_text(json.dumps(meta))
    return dst


def _nudge(payload: dict[str, Any], *keys: str, by: float) -> None:
    """Change the array at ``payload[keys...]``: its element 3 to the next float if ``by == 0``,
    else every element by ``by``."""
    d = payload
    for k in keys[:-1]:
        d = d[k]
    a = _unpack(d[keys[-1]])
    if by == 0:
        a.flat[3] = np.nextafter(a.flat[3], np.inf)
    else:
        a += by
    d[keys[-1]] = _pack(a)


@pytest.mark.parametrize(
    ("keys", "by", "what"),
    [
        (("probe", "margin"), 0.0, "1 of .* probe margins differ"),
        (("probe", "quality"), 1e-6, "probe qualities differ"),
        (("forest", "arrays", "value"), 1e-3, "probe margins differ"),  # every leaf value
        (("forest", "arrays", "threshold"), 1.0, "probe margins differ"),  # every split
    ],
)
def test_probe_mismatch_is_refused(
    model_path: Path, tmp_path: Path, keys: tuple[str, ...], by: float, what: str
) -> None:
    bad = _resave(model_path, tmp_path / "bad.joblib", lambda p: _nudge(p, *keys, by=by))
    with pytest.raises(ModelError, match=what):
        load_bundle(bad)


def random_forest(seed: int, n_trees: int = 25, n_features: int = 6) -> CompiledForest:
    """Random trees (1 to 20 leaves, node ids shuffled, so children are anywhere in the arrays)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, list[Any]] = {k: [] for k in CompiledForest.ARRAYS if k != "roots"}
    roots = []
    for _ in range(n_trees):
        # grow: split a random leaf until the tree has its number of leaves
        kids: dict[int, tuple[int, int]] = {}
        leaves, n_nodes = [0], 1
        for _ in range(int(rng.integers(0, 20))):
            k = leaves.pop(int(rng.integers(len(leaves))))
            kids[k] = (n_nodes, n_nodes + 1)
            leaves += [n_nodes, n_nodes + 1]
            n_nodes += 2
        perm = rng.permutation(n_nodes)  # node k is stored at position perm[k]
        base = len(cols["leaf"])
        rows: list[tuple[int, float, int, int, bool, bool, float]] = [
            (0, 0.0, 0, 0, True, False, 0.0)
        ] * n_nodes
        for k in range(n_nodes):
            left, right = kids.get(k, (k, k))
            rows[perm[k]] = (
                int(rng.integers(n_features)),
                float(np.round(rng.normal(), 1)),  # coarse thresholds: ties with x happen
                base + int(perm[left]),
                base + int(perm[right]),
                k not in kids,
                bool(rng.random() < 0.5),
                float(rng.normal(0, 0.5)),
            )
        roots.append(base + int(perm[0]))
        names = ("feature", "threshold", "left", "right", "leaf", "missing_left", "value")
        for name, col in zip(names, zip(*rows, strict=True), strict=True):
            cols[name] += list(col)
    arrays = {"roots": np.array(roots), **{k: np.array(v) for k, v in cols.items()}}
    return CompiledForest(arrays, float(rng.normal()), -1.3, 0.2)


def reference_margin(f: CompiledForest, x: np.ndarray) -> np.ndarray:
    """The textbook walk, one row and one tree at a time, summed in tree order."""
    a = f.arrays
    out = []
    for row in x:
        total = f.baseline
        for k in a["roots"]:
            while not a["leaf"][k]:
                v = row[a["feature"][k]]
                go_left = bool(a["missing_left"][k]) if math.isnan(v) else v <= a["threshold"][k]
                k = a["left"][k] if go_left else a["right"][k]
            total = total + a["value"][k]
        out.append(total)
    return np.array(out)


@pytest.mark.parametrize("seed", range(5))
def test_compiled_forest_walks_trees_like_the_textbook(seed: int) -> None:
    f = random_forest(seed)
    rng = np.random.default_rng(100 + seed)
    x = np.round(rng.normal(size=(2 * CHUNK_ROWS + 9, 6)), 1)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.02] = np.inf
    assert np.array_equal(f.margin(x), reference_margin(f, x))
    want = [1.0 - 1.0 / (1.0 + math.exp(f.a * m + f.b)) for m in reference_margin(f, x)]
    assert np.array_equal(f.quality(x), np.array(want))


def test_probe_accepts_the_other_rounding_of_exp_only() -> None:
    """A machine whose C library rounds ``exp`` the other way loads the bundle; nothing else passes."""
    f = random_forest(7)
    x = np.random.default_rng(7).normal(size=(200, 6))
    m = f.margin(x)
    probe = Probe(x, m, f.quality(x))
    assert f.reproduces(probe) == ""
    e = _libm_exp(f.a * m + f.b)
    other = _quality_of(np.nextafter(e, np.inf))
    i = int(np.flatnonzero(other != probe.quality)[0])
    q = probe.quality.copy()
    q[i] = other[i]  # what the neighbouring exp gives: accepted
    assert f.reproduces(Probe(x, m, q)) == ""
    q[i] = other[i] + 1e-12  # anything else: refused
    assert f.reproduces(Probe(x, m, q)) == f"1 of {len(x)} probe qualities differ"
    m2 = m.copy()
    m2[5] = np.nextafter(m2[5], np.inf)
    assert f.reproduces(Probe(x, m2, probe.quality)) == f"1 of {len(x)} probe margins differ"


def test_objects_in_the_file_are_never_unpickled(model_path: Path, tmp_path: Path) -> None:
    def add_object(p: dict[str, Any]) -> None:
        p["thresholds"]["fpr_0.05"] = Path("boom")  # any class: pathlib.PosixPath

    bad = _resave(model_path, tmp_path / "obj.joblib", add_object)
    with pytest.raises(ModelError, match="refusing to load pathlib"):
        load_bundle(bad)


def test_format_1_loads_only_on_request_and_upgrades(model_path: Path, tmp_path: Path) -> None:
    b = load_bundle(model_path)
    old = tmp_path / "old.joblib"
    joblib.dump(
        {
            "estimator": b.estimator,
            "feature_names": b.feature_names,
            "thresholds": b.thresholds,
            "human_percentiles": b.human_percentiles,
        },
        old,
        compress=3,
    )
    meta = json.loads(model_path.with_suffix(".json").read_text())
    del meta["bundle_format"]
    meta["sha256"] = sha256_file(old)
    old.with_suffix(".json").write_text(json.dumps(meta))
    x = random_rows(b, 50, seed=3)
    # A pickle runs code when opened: never on the sidecar's word alone, only when asked for.
    with pytest.raises(ModelError, match="format 1, a pickle"):
        load_bundle(old)
    with pytest.raises(ModelError, match="upgrade_bundle"):
        slopsift.Detector(old)
    with pytest.warns(ModelFormatWarning, match="upgrade_bundle"):
        slow = load_bundle(old, allow_pickle=True)
    assert np.array_equal(slow.quality(x), b.quality(x))
    upgrade_bundle(old)
    assert json.loads(old.with_suffix(".json").read_text())["bundle_format"] == BUNDLE_FORMAT
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # format 2 now: no warning
        fast = load_bundle(old)
    assert np.array_equal(fast.quality(x), b.quality(x))


def test_loading_and_scoring_import_neither_sklearn_nor_scipy(model_path: Path) -> None:
    code = (
        "import sys, slopsift\n"
        f"det = slopsift.Detector({str(model_path)!r})\n"
        f"det.score_batch([{HUMAN!r}, {SLOP!r}])\n"
        # joblib too: a format-2 file is read with zlib and pickle; importing joblib costs ~0.1 s
        "heavy = sorted(m for m in ('sklearn', 'scipy', 'joblib') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "est = det.bundle.estimator\n"
        "assert 'sklearn' in sys.modules and type(est).__name__ == 'HumanEvidenceCalibrated'\n"
        "assert type(est.calibrated).__name__ == 'CalibratedClassifierCV'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_big_batches_score_like_single_texts(model_path: Path) -> None:
    det = Detector(model_path)
    # More texts than two forest chunks even before occlusion rows, some of which the detector skips
    # when a signal and its human median fall between the same split thresholds.
    texts, _ = _texts(7, 2 * CHUNK_ROWS + 10)
    batch = det.score_batch(texts)
    assert [r.to_dict() for r in batch] == [det.score(t).to_dict() for t in texts]


def test_tampered_file_is_refused(model_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(model_path.read_bytes() + b"\0")
    bad.with_suffix(".json").write_text(model_path.with_suffix(".json").read_text())
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_bundle(bad)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("model_version", "EVIL"),
        ("trained_at", "never"),
        ("bundle_format", 4),
        ("thresholds", {"fpr_0.05": 0.9}),
    ],
)
def test_edited_sidecar_is_refused(model_path: Path, tmp_path: Path, field: str, value: Any) -> None:
    # The SHA-256 covers the file, not the sidecar: the file keeps its own copy of the metadata,
    # so a sidecar that says something else is caught, not believed.
    copy = tmp_path / "copy.joblib"
    copy.write_bytes(model_path.read_bytes())
    meta = json.loads(model_path.with_suffix(".json").read_text())
    meta[field] = value
    copy.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"differs from the copy inside|format 5, its metadata says 4"):
        load_bundle(copy)
    meta = json.loads(model_path.with_suffix(".json").read_text())
    copy.with_suffix(".json").write_text(json.dumps(meta, indent=4))  # layout is not content
    assert load_bundle(copy).metadata["model_version"] == "tiny"


def test_empty_path_and_directory_are_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model path is empty"):
        load_bundle("")
    with pytest.raises(ModelError, match="is a directory"):
        load_bundle(tmp_path)
    with pytest.raises(ModelError, match="model file not found"):
        load_bundle(tmp_path / "nope.joblib")


def test_missing_sidecar_is_refused(model_path: Path, tmp_path: Path) -> None:
    lone = tmp_path / "lone.joblib"
    lone.write_bytes(model_path.read_bytes())
    with pytest.raises(ModelIntegrityError, match="metadata file"):
        load_bundle(lone)


def test_what_is_not_a_model_is_named(model_path: Path, tmp_path: Path) -> None:
    import hashlib

    m = tmp_path / "m.joblib"
    m.write_bytes(model_path.read_bytes())
    m.with_suffix(".json").write_text("{}")
    with pytest.raises(ModelIntegrityError, match=r"m.json is not slopsift model metadata \(it records no"):
        load_bundle(m)
    # any file, with a correct checksum beside it but no schema: not "trained on feature schema None"
    other = tmp_path / "notes.joblib"
    other.write_bytes(b"not a model")
    other.with_suffix(".json").write_text(json.dumps({"sha256": hashlib.sha256(b"not a model").hexdigest()}))
    with pytest.raises(ModelSchemaError, match="records no feature schema: not a slopsift model"):
        load_bundle(other)
    # the metadata file passed for the model
    m.with_suffix(".json").write_text(model_path.with_suffix(".json").read_text())
    with pytest.raises(ModelError, match=r"m.json is a model's metadata file: pass the model, .*m.joblib"):
        load_bundle(m.with_suffix(".json"))


def test_schema_mismatch_is_refused(model_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.joblib"
    other.write_bytes(model_path.read_bytes())
    meta = json.loads(model_path.with_suffix(".json").read_text())
    meta["feature_names"] = meta["feature_names"][:-1]
    other.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(
        ModelSchemaError, match=f"feature names stop or go on at {len(meta['feature_names'])}"
    ):
        load_bundle(other)
    meta["feature_names"] = [*meta["feature_names"][:3], "renamed", *meta["feature_names"][4:], "x"]
    other.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ModelSchemaError, match="its feature 3 is 'renamed' where this slopsift has"):
        load_bundle(other)


def test_a_failed_save_leaves_the_previous_model_whole(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import joblib

    target = tmp_path / "m.joblib"
    b = load_bundle(model_path)
    save_bundle(b, target)
    before = (target.read_bytes(), target.with_suffix(".json").read_text())

    def disk_full(payload: object, path: Path, **kw: object) -> None:
        Path(path).write_bytes(b"half a model")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(joblib, "dump", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_bundle(b, target)
    assert (target.read_bytes(), target.with_suffix(".json").read_text()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib", "m.json"]  # no temporary files
    with pytest.raises(ValueError, match=r"cannot end in \.json"):
        save_bundle(b, tmp_path / "m.json")


def test_one_rule_names_and_checks_a_models_files(model_path: Path, tmp_path: Path) -> None:
    from slopsift.bundle import check_bundle_path, sidecar_path

    b = load_bundle(model_path)
    assert (
        sidecar_path(tmp_path / "m.joblib") == check_bundle_path(tmp_path / "m.joblib") == tmp_path / "m.json"
    )
    for name in ("m.json", "m.JSON"):  # any case: on a case-blind file system m.JSON is the sidecar
        with pytest.raises(ValueError, match=r"cannot end in \.json.*name it \.joblib") as refused:
            check_bundle_path(tmp_path / name)
        with pytest.raises(ValueError) as unsaved:
            save_bundle(b, tmp_path / name)
        assert str(unsaved.value) == str(refused.value)
    (tmp_path / "d.json").mkdir()  # the sidecar's name is taken
    with pytest.raises(ValueError, match=r"d\.json exists and is not a regular file"):
        save_bundle(b, tmp_path / "d.joblib")
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]  # nothing written


def test_detector_score_many_sends_the_loaded_model_to_its_workers(model_path: Path, tmp_path: Path) -> None:
    import shutil

    from slopsift.bundle import sidecar_path

    copy = tmp_path / "gone.joblib"
    shutil.copy(model_path, copy)
    shutil.copy(sidecar_path(model_path), sidecar_path(copy))
    det = Detector(copy)
    copy.unlink()
    sidecar_path(copy).unlink()  # a worker that loaded the model again would fail now
    texts = [HUMAN, SLOP, "Too short.", HUMAN.upper(), SLOP[: len(SLOP) // 2]] * 2
    one = [r.to_dict() for r in det.score_many(texts)]
    assert [r["label"] for r in one[:3]] == [det.score(t).label for t in texts[:3]]
    assert [r.to_dict() for r in det.score_many(texts, n_jobs=2, batch_size=3)] == one


class _NoEstimatorUnpickler(pickle.Unpickler):
    """Refuses the classes of a fitted estimator: scikit-learn's and slopsift's training wrapper."""

    def find_class(self, module: str, name: str) -> Any:
        if module.split(".")[0] == "sklearn" or module.startswith("slopsift.training"):
            raise pickle.UnpicklingError(f"the pickle holds an estimator object: {module}.{name}")
        return super().find_class(module, name)


def test_a_pickled_bundle_leaves_out_the_estimator_its_bytes_rebuild(model_path: Path) -> None:
    det = Detector(model_path)
    est = det.bundle.estimator  # unpickled from the file's bytes, and kept
    sent = pickle.dumps(det)  # what Detector.score_many sends each worker
    got = _NoEstimatorUnpickler(io.BytesIO(sent)).load()
    assert got.bundle._estimator is None and got.bundle._estimator_pickle == det.bundle._estimator_pickle
    assert det.bundle._estimator is est, "the sender keeps its own"
    # The copy scores as the original, float for float, and rebuilds the estimator when asked.
    texts = [HUMAN, SLOP, "Too short.", HUMAN.upper(), SLOP[: len(SLOP) // 2]]
    assert [r.to_dict() for r in got.score_batch(texts)] == [r.to_dict() for r in det.score_batch(texts)]
    x = random_rows(det.bundle, 50)
    assert np.array_equal(got.bundle.estimator.predict_proba(x), est.predict_proba(x))
    # A fitted estimator not yet pickled is the only copy (the compiled forest cannot give it back):
    # it is sent as it is, until its bytes exist (save_bundle makes them) to rebuild it from.
    b = det.bundle
    fitted = ModelBundle(est, b.feature_names, b.thresholds, b.human_percentiles, b.metadata)
    assert type(pickle.loads(pickle.dumps(fitted)).estimator) is type(est)
    fitted.estimator_pickle()
    assert pickle.loads(pickle.dumps(fitted))._estimator is None
    assert fitted._estimator is est


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


def test_cached_detector_loads_once_and_reloads_a_replaced_file(model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    save_bundle(load_bundle(model_path), path)
    first = cached_detector(path)
    assert cached_detector(str(path)) is first  # same file, same process: loaded once
    assert cached_detector(path, "fpr_0.01") is not first  # another operating point
    save_bundle(load_bundle(model_path), path)  # replaced at the same path
    os.utime(path, ns=(1, 1))  # a different mtime even where the clock is coarse
    assert cached_detector(path) is not first


def test_evidence_terms_round_trip_and_only_raise_quality(model_path: Path, tmp_path: Path) -> None:
    from slopsift.training.fit import HumanEvidenceCalibrated

    b = load_bundle(model_path)
    inner = b.estimator
    inner = getattr(inner, "calibrated", inner)
    j = slopsift.feature_names().index("vocabulary.misspelling_per_1k")
    wrapped = HumanEvidenceCalibrated(inner, ((j, 1.5),))
    nb = ModelBundle(wrapped, b.feature_names, b.thresholds, b.human_percentiles, {"model_version": "t"})
    path = tmp_path / "terms.joblib"
    save_bundle(nb, path)
    loaded = load_bundle(path)
    assert loaded.forest.terms == ((j, 1.5),)
    x = random_rows(loaded, 300, seed=3)
    x[:, j] = 0.0
    base = inner.predict_proba(x)[:, 0]
    # Without misspellings a row scores exactly as the calibrated trees alone.
    assert np.array_equal(loaded.quality(x), base)
    assert np.array_equal(loaded.quality(x), wrapped.predict_proba(x)[:, 0])
    # With them, the compiled model still equals the estimator float for float, and quality only
    # rises, by less than the weight in log-odds.
    x[:, j] = np.linspace(0.0, 40.0, len(x))
    q = loaded.quality(x)
    assert np.array_equal(q, wrapped.predict_proba(x)[:, 0])
    gain = np.log(q / (1 - q)) - np.log(base / (1 - base))
    assert (gain >= -1e-12).all() and (gain < 1.5).all() and gain[-1] > 1.4
    # An occlusion of the term's feature always moves the quality, unless the value is unchanged.
    agree = loaded.forest.splits_agree(np.array([j, j]), np.array([0.0, 2.0]), np.array([1.0, 2.0]))
    assert agree.tolist() == [False, True]


def test_machine_evidence_term_only_lowers_quality(model_path: Path, tmp_path: Path) -> None:
    from slopsift.training.fit import HumanEvidenceCalibrated

    b = load_bundle(model_path)
    inner = b.estimator
    inner = getattr(inner, "calibrated", inner)
    j = slopsift.feature_names().index("hedging.rhetoric_repeats_per_1k")
    wrapped = HumanEvidenceCalibrated(inner, ((j, -2.0),))
    nb = ModelBundle(wrapped, b.feature_names, b.thresholds, b.human_percentiles, {"model_version": "t"})
    path = tmp_path / "machine.joblib"
    save_bundle(nb, path)
    loaded = load_bundle(path)
    x = random_rows(loaded, 300, seed=4)
    x[:, j] = 0.0
    base = inner.predict_proba(x)[:, 0]
    assert np.array_equal(loaded.quality(x), base)
    x[:, j] = np.linspace(0.0, 40.0, len(x))
    q = loaded.quality(x)
    assert np.array_equal(q, wrapped.predict_proba(x)[:, 0])
    drop = np.log(base / (1 - base)) - np.log(q / (1 - q))
    assert (drop >= -1e-12).all() and (drop < 2.0).all() and drop[-1] > 1.9


@pytest.mark.parametrize(
    ("feature", "weight"),
    [
        ("hedging.rhetoric_per_1k", 1.0),  # higher_worse: may only lower quality
        ("vocabulary.misspelling_per_1k", -1.0),  # higher_better: may only raise it
        ("style.mean_word_length", 0.5),  # neutral: no term at all
        (None, float("nan")),
    ],
)
def test_evidence_term_against_its_direction_is_refused(feature: str | None, weight: float) -> None:
    from slopsift.bundle import CompiledForest

    names = slopsift.feature_names()
    j = names.index(feature) if feature else 0
    arrays = {k: np.zeros(1) for k in CompiledForest.ARRAYS}
    with pytest.raises(ModelError, match="evidence term"):
        CompiledForest(arrays, 0.0, 1.0, 0.0, ((j, weight),))


def test_format_2_bundle_without_terms_still_loads(model_path: Path, tmp_path: Path) -> None:
    raw = joblib.load(model_path)
    raw["format"] = 2
    fp = raw["forest"]
    del fp["terms"], raw["metadata_json"]
    # As an older slopsift saved it: the same trees, no evidence terms, and the probe scored so.
    trees = CompiledForest(
        {k: _unpack(fp["arrays"][k]) for k in CompiledForest.ARRAYS}, fp["baseline"], fp["a"], fp["b"], ()
    )
    raw["probe"]["quality"] = _pack(trees.quality(_unpack(raw["probe"]["x"])))
    old = tmp_path / "old.joblib"
    joblib.dump(raw, old, compress=3)
    meta = json.loads(model_path.with_suffix(".json").read_text())
    meta.update(bundle_format=2, sha256=sha256_file(old))
    old.with_suffix(".json").write_text(json.dumps(meta))
    now = load_bundle(model_path)
    x = random_rows(now, 50)
    assert np.array_equal(load_bundle(old).quality(x), trees.quality(x))
    # Where no term reads a value, it scores as the current format does.
    x[:, [j for j, _ in now.forest.terms]] = 0.0
    assert np.array_equal(load_bundle(old).quality(x), now.quality(x))


def test_evidence_weight_fit() -> None:
    from slopsift.training.fit import MAX_EVIDENCE_WEIGHT, fit_evidence_weight

    rng = np.random.default_rng(0)
    n = 4000
    y = (rng.random(n) < 0.5).astype(int)
    z = rng.normal(0.0, 1.0, n)  # calibrated log-odds of quality, uninformative here
    w = np.ones(n)
    # Typos only among the humans: a clearly positive weight.
    v = np.where((y == 0) & (rng.random(n) < 0.4), rng.exponential(3.0, n), 0.0)
    assert 0.5 < fit_evidence_weight(z, v, y, w) <= MAX_EVIDENCE_WEIGHT
    # Typos only among the machines: never a negative weight.
    assert fit_evidence_weight(z, np.where(y == 1, v.max(), 0.0), y, w) == 0.0
    # No typos at all: nothing to fit.
    assert fit_evidence_weight(z, np.zeros(n), y, w) == 0.0
    # A machine-evidence term (sign -1) mirrors it: negative where the signal is on machine texts,
    # never positive where it is on human ones.
    rhetoric = np.where((y == 1) & (rng.random(n) < 0.4), rng.exponential(3.0, n), 0.0)
    assert -MAX_EVIDENCE_WEIGHT <= fit_evidence_weight(z, rhetoric, y, w, sign=-1) < -0.5
    assert fit_evidence_weight(z, v, y, w, sign=-1) == 0.0


def test_machine_term_weight_is_fitted_on_its_support() -> None:
    from slopsift.training.fit import machine_term_weight

    rng = np.random.default_rng(1)
    names = slopsift.feature_names()
    j = names.index("hedging.rhetoric_repeats_per_1k")
    n = 900
    sources = np.repeat(["old-a", "old-b", "recent"], n // 3)
    y = (rng.random(n) < 0.5).astype(int)
    x = rng.normal(0.0, 1.0, (n, len(names)))
    x[:, names.index("hedging.boilerplate_per_1k")] += 0.8 * y  # a signal the trees can use
    x[:, j] = 0.0
    # The habit: on half the machine texts of one source, on 2% of its human ones.
    recent = sources == "recent"
    x[recent & (y == 1) & (rng.random(n) < 0.5), j] = 3.0
    x[recent & (y == 0) & (rng.random(n) < 0.02), j] = 3.0
    groups = [f"g{i // 3}" for i in range(n)]
    domains = sources.tolist()
    weight = machine_term_weight(x, y, groups, sources.tolist(), domains, j)
    assert weight < -1.0
    # As common on the human side as on the machine side: no support, nothing fitted.
    x[recent & (y == 0) & (rng.random(n) < 0.6), j] = 3.0
    assert machine_term_weight(x, y, groups, sources.tolist(), domains, j) == 0.0
    # Without a source where it separates, nothing to fit.
    x[:, j] = 0.0
    assert machine_term_weight(x, y, groups, sources.tolist(), domains, j) == 0.0


def test_trees_never_read_the_terms_or_their_companions() -> None:
    from slopsift.training.fit import TERM_ONLY, plan_features

    rng = np.random.default_rng(2)
    names = slopsift.feature_names()
    n = 600
    y = (rng.random(n) < 0.5).astype(int)
    x = rng.normal(0.0, 1.0, (n, len(names)))
    # Every column, the terms' companions included, lower on the machine side in every source: a
    # neutral signal like that would be admitted as human evidence.
    x -= 2.0 * y[:, None]
    sources = np.repeat(["a", "b", "c", "d"], n // 4).tolist()
    plan = plan_features(x, y, sources)
    for name in (*EVIDENCE_TERMS, *TERM_ONLY):
        assert plan.constraints[names.index(name)] == 0, name
        assert name not in plan.human_evidence
    assert plan.read[[names.index(n) for n in EVIDENCE_TERMS]].all()
    assert not plan.read[[names.index(n) for n in TERM_ONLY]].any()


def test_an_evidence_term_needs_a_direction() -> None:
    from slopsift.training.fit import term_sign

    names = slopsift.feature_names()
    assert term_sign(names.index("vocabulary.misspelling_per_1k")) == 1
    assert term_sign(names.index("hedging.rhetoric_repeats_per_1k")) == -1
    with pytest.raises(ValueError, match="neutral"):
        term_sign(names.index("style.mean_word_length"))


def test_set_terms_keep_their_weight_in_every_fit() -> None:
    from slopsift.training.fit import SET_TERMS, fit_calibrated, term_sign

    names = slopsift.feature_names()
    for name, weight in SET_TERMS.items():
        assert name in EVIDENCE_TERMS and np.sign(weight) == term_sign(names.index(name)), name
    # Nothing to fit the term to (the column is 0 everywhere): a fitted weight would be 0, the set
    # one stays, with the machine terms fitted or not.
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.5).astype(int)
    x = rng.normal(0.0, 1.0, (400, len(names)))
    x[:, names.index("hedging.boilerplate_per_1k")] += y
    for name in EVIDENCE_TERMS:
        x[:, names.index(name)] = 0.0
    groups = [f"g{i}" for i in range(400)]
    for machine_terms in (True, False):
        fr = fit_calibrated(x, y, groups, ["s"] * 400, ["d"] * 400, machine_terms=machine_terms)
        terms = dict(fr.estimator.terms)
        for name, weight in SET_TERMS.items():
            assert terms[names.index(name)] == weight


def test_thresholds_skip_a_domain_that_leaves_too_little_to_fit_without_it() -> None:
    from slopsift.training.fit import fit_calibrated, heldout_domain_points

    # Domain a: 200 human and 100 machine texts; domain b: 2 human and 100 machine. Without a, the
    # human side is 2 texts: no model can be calibrated on that, so a holds no operating point.
    rng = np.random.default_rng(0)
    y = np.array([0] * 200 + [1] * 100 + [0] * 2 + [1] * 100)
    x = rng.random((len(y), len(slopsift.feature_names()))) + y[:, None] * 0.3
    domains = ["a"] * 300 + ["b"] * 102
    groups = [f"g{i}" for i in range(len(y))]
    assert heldout_domain_points(x, y, groups, ["s"] * len(y), domains) == {}
    # Too few groups of a label for both splits: said plainly, not scikit-learn's fold error.
    with pytest.raises(ValueError, match="calibration split holds texts of one label only"):
        fit_calibrated(x[198:], y[198:], groups[198:], ["s"] * len(y[198:]), domains[198:])


def test_replacing_renames_plain_files_and_writes_through_links(tmp_path: Path) -> None:
    from slopsift._atomic import replacing, written_through

    target = tmp_path / "data.txt"
    target.write_text("old")
    target.chmod(0o600)
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["data.txt"]
    with replacing(target) as tmp:
        assert tmp != target
        tmp.write_text("new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o600  # permissions kept
    link = tmp_path / "latest.txt"  # a link to a regular file: its target is replaced, the link stays
    link.symlink_to(target)
    with replacing(link) as tmp:
        assert tmp.parent == tmp_path and tmp not in (link, target)
        tmp.write_text("via link")
    assert link.is_symlink() and target.read_text() == "via link"
    # What a rename would destroy is written as it is: devices, and links into /dev or /proc.
    out = tmp_path / "out"
    out.symlink_to("/proc/self/fd/1")
    assert (
        written_through(Path("/dev/null")) and written_through(Path("/dev/stdout")) and written_through(out)
    )
    assert not written_through(link) and not written_through(tmp_path / "new.txt")


def test_written_through_is_devices_pipes_and_proc_only(tmp_path: Path) -> None:
    from slopsift._atomic import replacing, written_through

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    to_fifo = tmp_path / "to-fifo"
    to_fifo.symlink_to(fifo)
    fds = tmp_path / "fds"  # a folder that resolves into /proc, as /dev/fd does
    fds.symlink_to("/proc/self/fd")
    to_stdout = tmp_path / "to-stdout"  # /dev/stdout is itself a link into /proc; read here, never written
    to_stdout.symlink_to("/dev/stdout")
    twice = tmp_path / "twice"
    twice.symlink_to(to_stdout.name)  # relative, two links from /dev/stdout
    loop = tmp_path / "loop"
    loop.symlink_to(loop.name)
    for special in (
        fifo,
        to_fifo,
        to_stdout,
        twice,
        loop,
        fds / "1",
        Path("/dev/null"),
        Path("/dev/stdout"),
        Path("/proc/self/fd/2"),
    ):
        assert written_through(special), special
    with replacing(fifo) as target:  # yielded as it is (not opened here: no reader)
        assert target == fifo
    plain = tmp_path / "plain.txt"
    plain.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(plain)
    link2 = tmp_path / "link2.txt"
    link2.symlink_to(link.name)
    for regular in (plain, link, link2, tmp_path / "new.txt", tmp_path / "sub" / "new.txt"):
        assert not written_through(regular), regular


@pytest.mark.skipif(not os.access("/dev/shm", os.W_OK), reason="no writable /dev/shm")
def test_a_regular_file_under_dev_shm_is_replaced_atomically() -> None:
    import tempfile

    from slopsift._atomic import replacing, written_through
    from slopsift.training._paths import check_output_path

    with tempfile.TemporaryDirectory(dir="/dev/shm") as d:
        target = Path(d) / "corpus.jsonl"
        check_output_path(Path(d) / "m.joblib", "--out")  # train accepts it (it refused all of /dev)
        assert not written_through(target)
        target.write_text("old")
        before = target.stat().st_ino
        with pytest.raises(RuntimeError), replacing(target) as tmp:
            assert tmp != target
            tmp.write_text("half")
            raise RuntimeError("interrupted")
        assert target.read_text() == "old" and [p.name for p in Path(d).iterdir()] == ["corpus.jsonl"]
        with replacing(target) as tmp:
            tmp.write_text("new")
        assert target.read_text() == "new" and target.stat().st_ino != before  # renamed into place


def test_continuations_do_not_vote_on_a_neutral_signal() -> None:
    from slopsift.training.evaluate import Table
    from slopsift.training.fit import CONTINUATION_GENERATORS, plan_features

    rng = np.random.default_rng(3)
    names = slopsift.feature_names()
    j = names.index("style.contractions_per_1k")  # neutral: trees read it only as agreed human evidence
    n = 1000
    sources = np.repeat(["a", "b", "c", "e"], n // 4)
    y = (rng.random(n) < 0.5).astype(int)
    x = rng.normal(0.0, 1.0, (n, len(names)))
    x[:, j] -= 2.0 * y  # fewer contractions on the machine side of every corpus...
    # ...except in corpus "e", where most machine texts continue a human prefix and write as it does.
    continuation = (sources == "e") & (y == 1) & (rng.random(n) < 0.8)
    x[continuation, j] += 3.0
    assert names[j] not in plan_features(x, y, sources.tolist()).human_evidence  # "e" vetoes it
    plan = plan_features(x, y, sources.tolist(), voters=~continuation)
    assert names[j] in plan.human_evidence and plan.constraints[j] == -1
    # The continuations still train the trees: voting only decides which neutral signals they may read.
    generator = np.where(continuation, sorted(CONTINUATION_GENERATORS)[0], np.where(y == 1, "gpt-4", "human"))
    t = Table([""] * n, y, sources, generator, sources, np.arange(n).astype(str), sources, sources, x)
    assert np.array_equal(t.voters(), ~continuation)


def test_every_refit_hands_the_voters_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from slopsift.training import evaluate, fit, train
    from slopsift.training.fit import CONTINUATION_GENERATORS

    rng = np.random.default_rng(4)
    names = slopsift.feature_names()
    j = names.index("style.contractions_per_1k")
    term = names.index("hedging.rhetoric_repeats_per_1k")
    marker = names.index("inconsistency.role_conflicts")  # never read here: marks the continuations
    n = 1200
    sources = np.repeat(["a", "b", "c", "e"], n // 4)
    y = np.arange(n) % 2
    x = rng.normal(0.0, 1.0, (n, len(names)))
    x[:, names.index("hedging.boilerplate_per_1k")] += 1.0 * y  # a directional signal the trees can use
    x[:, j] -= 2.0 * y
    continuation = (sources == "e") & (y == 1) & (rng.random(n) < 0.8)
    x[continuation, j] += 3.0
    x[:, marker] = np.where(continuation, 7.0, 0.0)
    x[:, term] = np.where((sources == "a") & (y == 1) & (rng.random(n) < 0.5), 3.0, 0.0)  # fitted per support
    seen: list[int] = []
    real = fit.plan_features

    def recording(x: np.ndarray, y: np.ndarray, sources: Any, voters: np.ndarray | None = None) -> Any:
        assert voters is not None and np.array_equal(voters, x[:, marker] != 7.0)  # aligned with its rows
        seen.append(len(y))
        return real(x, y, sources, voters)

    monkeypatch.setattr(fit, "plan_features", recording)
    generator = np.where(continuation, sorted(CONTINUATION_GENERATORS)[0], np.where(y == 1, "gpt-4", "human"))
    domains = np.where(np.arange(n) % 4 < 2, "news", "essays")
    t = Table(
        [""] * n,
        y,
        sources,
        generator,
        domains,
        np.array([f"g{i // 2}" for i in range(n)]),
        np.array(["train"] * n),
        np.array([""] * n),
        x,
    )
    bundle = train.fit_bundle(t)
    # The final fit, each held-out domain's and each of the machine term's cross-fits.
    assert len(seen) > 1 + 2
    assert names[j] in bundle.metadata["classifier"]["human_evidence"]
    seen.clear()
    evaluate.evaluate_protocols(t, ("generator",), baselines=False, log=lambda s: None)
    assert seen  # every fold's fit (the recording checks each mask)
