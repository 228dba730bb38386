"""Every feature value, the gate and the shared parse of 32 fixed documents are pinned.

A speed-up must not change a single value: any drift fails here. When a family changes a feature
on purpose, refresh the pins with ``python benchmarks/pins.py --update`` and commit
``tests/fixtures/pins/expected.json`` together with the change (its diff shows what moved).
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
PINS_DIR = ROOT / "tests" / "fixtures" / "pins"
HOW_TO_UPDATE = (
    "pinned feature values drifted. If the change is intended, run `python benchmarks/pins.py --update` "
    "and commit tests/fixtures/pins/expected.json with it; if it came from a speed-up, it is a bug."
)


def _load_pins_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("slopsift_bench_pins", ROOT / "benchmarks" / "pins.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


pins = _load_pins_module()
DOCS: list[dict[str, str]] = pins.read_documents(PINS_DIR / "documents.jsonl")
EXPECTED: dict[str, Any] = json.loads((PINS_DIR / "expected.json").read_text(encoding="utf-8"))


def test_fixture_documents_are_the_generated_ones() -> None:
    # The generator is deterministic and the committed documents are exactly its output.
    assert pins.documents() == DOCS
    assert len(DOCS) >= 30
    assert [d["id"] for d in DOCS] == sorted(EXPECTED["documents"], key=[d["id"] for d in DOCS].index)


def test_feature_schema_is_pinned() -> None:
    from slopsift.features import FEATURE_SCHEMA_VERSION, feature_names

    assert feature_names() == EXPECTED["feature_names"], HOW_TO_UPDATE
    assert EXPECTED["feature_schema_version"] == FEATURE_SCHEMA_VERSION, HOW_TO_UPDATE


@pytest.mark.parametrize("doc", DOCS, ids=[d["id"] for d in DOCS])
def test_document_is_pinned(doc: dict[str, str]) -> None:
    actual = pins.snapshot(doc["text"])
    expected = EXPECTED["documents"][doc["id"]]
    if actual != expected:
        changes = pins.diff(
            {"documents": {doc["id"]: expected}},
            {"documents": {doc["id"]: actual}},
        )
        pytest.fail(HOW_TO_UPDATE + "\n" + "\n".join(changes))


@pytest.mark.parametrize("pure", [False, True], ids=["as-installed", "pure-python"])
def test_feature_matrix_is_pinned(pure: bool) -> None:
    # Both paths: with the C twins when they are built (as installed), and the Python versions.
    from slopsift import _accel
    from slopsift.features import extract_features, feature_names

    with _accel.pure_python() if pure else contextlib.nullcontext():
        x = extract_features([d["text"] for d in DOCS])
    names = feature_names()
    want = np.array([[EXPECTED["documents"][d["id"]]["features"][n] for n in names] for d in DOCS])
    assert x.shape == want.shape
    assert np.array_equal(x, want), HOW_TO_UPDATE


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_features_and_gates_come_from_one_parse_with_the_pinned_values(n_jobs: int) -> None:
    # What `train` reads: every pinned value and the pinned gate (all three kinds occur), in order,
    # in one process and split over workers.
    from slopsift import document, features

    texts = [d["text"] for d in DOCS]
    calls: list[str] = []

    def counted(text: str) -> document.Document:
        calls.append(text)
        return document.parse(text)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(features, "parse", counted)
        x, gates = features.features_and_gates(texts, n_jobs=n_jobs, batch_size=5)
    if n_jobs == 1:
        assert calls == texts  # one parse per text gives both
    names = features.feature_names()
    want = np.array([[EXPECTED["documents"][d["id"]]["features"][n] for n in names] for d in DOCS])
    assert np.array_equal(x, want), HOW_TO_UPDATE
    assert gates == [EXPECTED["documents"][d["id"]]["gate"] for d in DOCS]
    assert {"ok", "insufficient_text", "unsupported_language"} <= set(gates)


def test_a_drifted_value_is_reported() -> None:
    # The comparison can fail: nudge one pinned value by one ulp and one parse span.
    doc_id = "content-farm-0"
    snap = EXPECTED["documents"][doc_id]
    drifted = copy.deepcopy(snap)
    name = next(iter(drifted["features"]))
    drifted["features"][name] = float(np.nextafter(drifted["features"][name], np.inf))
    drifted["parse"]["sentences"][0][1] += 1
    changes = pins.diff({"documents": {doc_id: snap}}, {"documents": {doc_id: drifted}})
    assert any(name in c for c in changes)
    assert any("parse changed" in c for c in changes)
