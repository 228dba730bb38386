"""Properties of the whole feature extractor on arbitrary, empty, huge and hostile input."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slopsift
from slopsift.document import parse
from slopsift.features import SignalsResult
from slopsift.signals import families

# Any code point, lone surrogates and controls included, biased towards text-like structure.
any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
structured = st.lists(
    st.one_of(
        st.text(any_char, max_size=30),
        st.sampled_from(
            [
                "\n",
                "\n\n",
                "\r\n",
                "# ",
                "## Intro\n",
                ". ",
                "1. ",
                "\u200b",
                "\u202e",
                "\ufeff",
                "\ud800",
                "\udfff x",
            ]
        ),
        st.sampled_from(
            ["In conclusion, ", "it is crucial to ", "video\n", "Overview\n\n", "3.5% ", "1998 "]
        ),
    ),
    max_size=60,
).map("".join)


def check(result: SignalsResult, text: str) -> None:
    vec = result.vector()
    assert vec.shape == (len(slopsift.feature_names()),)
    assert np.all(np.isfinite(vec))
    for e in result.evidence():
        assert 0 <= e.start <= e.end <= len(text)
    json.dumps(result.to_dict())  # JSON-serialisable, surrogates included


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(any_char), structured))
def test_any_text_gives_finite_deterministic_features(text: str) -> None:
    a = slopsift.signals(text)
    check(a, text)
    b = slopsift.signals(text)
    assert a.to_dict() == b.to_dict()


def test_empty_and_whitespace() -> None:
    for text in ["", " ", "\n\n\n", "\t \r\n \u200b", "\x00\x01\x02"]:
        r = slopsift.signals(text)
        check(r, text)
        assert r.gate == "insufficient_text"
        assert r.n_words == 0


def _random_words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 9)))
        for _ in range(5000)
    ]
    return [rng.choice(vocab) for _ in range(n)]


def test_five_megabyte_document() -> None:
    words = _random_words(900_000, 1)
    parts = []
    for i in range(0, len(words), 15):
        parts.append(" ".join(words[i : i + 15]).capitalize() + ".")
        if i % 150 == 0:
            parts.append("\n\n")
    text = " ".join(parts)
    assert len(text) > 5_000_000
    check(slopsift.signals(text), text)


def test_one_megabyte_single_line() -> None:
    text = " ".join(_random_words(180_000, 2))
    assert len(text) > 1_000_000 and "\n" not in text
    check(slopsift.signals(text), text)


def test_pathological_repetition() -> None:
    text = "the same sentence again. " * 40_000 + "\n" * 10_000 + "x\n" * 10_000
    r = slopsift.signals(text)
    check(r, text)
    assert all(math.isfinite(v) for v in r.values().values())


def test_extract_features_matches_signals() -> None:
    texts = ["A short one.", "Another text, a little longer than the first one is.", ""]
    x = slopsift.extract_features(texts)
    assert x.shape == (3, len(slopsift.feature_names()))
    for row, t in zip(x, texts, strict=True):
        assert np.array_equal(row, slopsift.signals(t).vector())


def test_extract_features_zeroes_values_that_are_not_finite(monkeypatch: pytest.MonkeyPatch) -> None:
    # A family's nan or inf is stored as 0.0 (what Family.row and SignalsResult.vector give), though
    # extract_features clears them over its whole matrix; the finite values and -0.0 are kept as they are.
    import dataclasses

    from slopsift import features

    bad = [math.nan, math.inf, -math.inf, -0.0, 2.5]

    def broken(fam):  # type: ignore[no-untyped-def]
        names = [f.name for f in fam.features]

        def values(doc):  # type: ignore[no-untyped-def]
            return {n: bad[k % len(bad)] for k, n in enumerate(names)}

        return dataclasses.replace(fam, values=values)

    fams = tuple(broken(f) for f in families())
    monkeypatch.setattr(features, "families", lambda: fams)
    texts = ["A short one.", "Another text, a little longer than the first one is."]
    x = slopsift.extract_features(texts)
    want = [f.row(parse(t)) for t in texts for f in fams]
    assert [v.hex() for v in x.ravel().tolist()] == [float(v).hex() for row in want for v in row]
    assert {v.hex() for v in x.ravel().tolist()} == {(0.0).hex(), (-0.0).hex(), (2.5).hex()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(structured, st.sampled_from(["# Best Tips\n\nIn conclusion, it is crucial to note. " * 30])))
def test_family_evidence_built_on_read_equals_the_spans(text: str) -> None:
    # Each family keeps its spans as columns until read; every way of reading them agrees with the
    # spans themselves, and a pickled copy (how n_jobs > 1 ships results) equals the original.
    import pickle
    from dataclasses import asdict

    from slopsift.features import FamilySignals

    for name, fam in slopsift.signals(text).families.items():
        copy = pickle.loads(pickle.dumps(fam))
        assert copy == fam
        spans = fam.evidence
        assert fam.evidence is spans  # built once, then kept
        assert fam.evidence_dicts() == [asdict(e) for e in spans]
        for signal in {e.signal for e in spans} | {f"{name}.no_such_signal"}:
            assert copy.evidence_for(signal) == [e for e in spans if e.signal == signal]  # from columns
            assert fam.evidence_for(signal) == [e for e in spans if e.signal == signal]  # from spans
        assert copy.evidence == spans
        rebuilt = FamilySignals(dict(fam.values), spans)
        assert rebuilt == fam and rebuilt.evidence == spans
        assert FamilySignals(dict(fam.values), spans[:-1]) != fam or not spans


PINNED = Path(__file__).parent / "fixtures" / "pins" / "documents.jsonl"
PIN_TEXTS = [json.loads(line)["text"] for line in PINNED.read_text("utf-8").splitlines() if line.strip()]


def _values_match_compute(text: str) -> None:
    """Each family's values-only function (what ``extract_features`` calls) gives ``compute``'s values,
    bit for bit (NaN included)."""
    doc = parse(text)
    for fam in families():
        if fam.values is not None:
            got, want = fam.values(doc), fam.compute(doc)[0]
            assert {k: float(v).hex() for k, v in got.items()} == {k: float(v).hex() for k, v in want.items()}


def test_values_only_paths_equal_compute_on_the_pinned_documents() -> None:
    for text in PIN_TEXTS:
        _values_match_compute(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structured)
def test_values_only_paths_equal_compute(text: str) -> None:
    _values_match_compute(text)


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from([" ", "-", "a", "\u00e9", "\n", "\u2014"]), max_size=60), st.booleans()
)
def test_style_dashes_equal_the_two_counts(text: str, loop_only: bool) -> None:
    from slopsift.signals import style

    limit = style._DASH_LOOP_MAX
    try:
        if loop_only:
            style._DASH_LOOP_MAX = 10**9  # the hyphen loop even for hyphen-heavy texts
        assert style._dashes(text, text.count("-")) == text.count(" - ") + text.count("--")
    finally:
        style._DASH_LOOP_MAX = limit
