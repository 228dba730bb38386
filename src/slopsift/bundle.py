"""The model bundle: a fitted classifier plus everything needed to trust and explain its scores.

A bundle is two files side by side: ``NAME.joblib`` (the estimator and reference data) and
``NAME.json`` (metadata, including the SHA-256 of the joblib file). Loading a joblib file runs
code, so a file is only unpickled after its digest matches the one recorded beside it: the
bundled model by default, a user's model only by explicit path.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from slopsift.features import FEATURE_SCHEMA_VERSION, feature_names, feature_schema_hash

__all__ = [
    "BUNDLED_MODEL",
    "ModelBundle",
    "ModelError",
    "ModelIntegrityError",
    "ModelSchemaError",
    "bundled_model_path",
    "load_bundle",
    "save_bundle",
    "sha256_file",
]

BUNDLED_MODEL = "slopsift-model.joblib"
PERCENTILES = np.arange(0, 101, dtype=np.float64)
"""Percentile grid of the human reference distribution stored per feature."""


class ModelError(RuntimeError):
    """A model bundle cannot be used."""


class ModelIntegrityError(ModelError):
    """The file is missing its metadata, or its SHA-256 does not match the recorded one."""


class ModelSchemaError(ModelError):
    """The bundle was trained on a different feature schema than this slopsift computes."""


@dataclass
class ModelBundle:
    """A fitted estimator (``predict_proba`` column 1 = P(low-quality generated)) and its context."""

    estimator: Any
    feature_names: list[str]
    thresholds: dict[str, float]
    human_percentiles: np.ndarray  # shape (n_features, len(PERCENTILES))
    metadata: dict[str, Any] = field(default_factory=dict)

    def quality(self, x: np.ndarray) -> np.ndarray:
        """``P(text is not low-quality generated content)`` for each row of ``x``."""
        return np.asarray(self.estimator.predict_proba(x)[:, 0], dtype=np.float64)

    def human_percentile(self, j: int, value: float) -> float:
        """Percentile (0-100) of ``value`` among human reference texts for feature ``j``."""
        grid = self.human_percentiles[j]
        lo = int(np.searchsorted(grid, value, side="left"))
        hi = int(np.searchsorted(grid, value, side="right"))
        # Ties (common: many features are 0 for most texts) take the middle of the tied range.
        k = (lo + hi) // 2 if hi > lo else lo
        return float(PERCENTILES[min(100, k)])


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def bundled_model_path() -> Path:
    return Path(str(resources.files("slopsift").joinpath("models").joinpath(BUNDLED_MODEL)))


def save_bundle(bundle: ModelBundle, path: Path) -> Path:
    """Write ``path`` (joblib) and its metadata sidecar; returns the sidecar path."""
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(
        {
            "estimator": bundle.estimator,
            "feature_names": list(bundle.feature_names),
            "thresholds": dict(bundle.thresholds),
            "human_percentiles": np.asarray(bundle.human_percentiles, dtype=np.float64),
        },
        path,
        compress=3,
    )
    meta = dict(bundle.metadata)
    meta.update(
        feature_schema_version=FEATURE_SCHEMA_VERSION,
        feature_schema_hash=feature_schema_hash(),
        feature_names=list(bundle.feature_names),
        thresholds=dict(bundle.thresholds),
        sha256=sha256_file(path),
        file=path.name,
    )
    side = _meta_path(path)
    side.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return side


def load_bundle(path: str | Path | None = None) -> ModelBundle:
    """Load the bundled model, or the one at ``path`` after checking its SHA-256 and schema."""
    p = bundled_model_path() if path is None else Path(path)
    if not p.is_file():
        raise ModelError(f"model file not found: {p}")
    side = _meta_path(p)
    if not side.is_file():
        raise ModelIntegrityError(
            f"refusing to load {p}: its metadata file {side.name} (with the SHA-256) is missing; "
            "joblib files run code when loaded, so only verified files are opened"
        )
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelIntegrityError(f"cannot read model metadata {side}: {exc}") from exc
    expected = meta.get("sha256")
    actual = sha256_file(p)
    if not isinstance(expected, str) or expected.lower() != actual:
        raise ModelIntegrityError(
            f"refusing to load {p}: SHA-256 {actual} does not match {expected!r} recorded in {side.name}"
        )
    if (
        meta.get("feature_schema_version") != FEATURE_SCHEMA_VERSION
        or meta.get("feature_names") != feature_names()
    ):
        raise ModelSchemaError(
            f"{p} was trained on feature schema {meta.get('feature_schema_version')!r} "
            f"({len(meta.get('feature_names') or [])} features); this slopsift computes schema "
            f"{FEATURE_SCHEMA_VERSION!r} ({len(feature_names())} features). Retrain with `slopsift train`."
        )
    import joblib

    payload = joblib.load(p)
    if payload.get("feature_names") != meta["feature_names"]:
        raise ModelSchemaError(f"{p}: feature names in the file differ from its metadata")
    return ModelBundle(
        estimator=payload["estimator"],
        feature_names=list(payload["feature_names"]),
        thresholds={k: float(v) for k, v in payload["thresholds"].items()},
        human_percentiles=np.asarray(payload["human_percentiles"], dtype=np.float64),
        metadata=meta,
    )
