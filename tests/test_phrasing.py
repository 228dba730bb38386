"""Phrasing family: the function-word skeleton, its runs, the table's score and its evidence, and the
training side that fits the table (cross-fitting, the file round trip, the model's table check)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slopsift.bundle import ModelSchemaError, bundled_model_path, load_bundle, sidecar_path
from slopsift.document import parse
from slopsift.lexicons import load_table
from slopsift.signals import phrasing
from slopsift.training import phrasing as fit


def _skeleton(text: str) -> str:
    seq, _, _ = phrasing._skeleton(phrasing._prose(parse(text)))
    return " ".join(phrasing._symbols()[i] for i in seq)


def _with_table(monkeypatch: pytest.MonkeyPatch, runs: dict[str, float]) -> None:
    keys = np.array(sorted(phrasing.ngram_key(r) for r in runs), dtype=np.int64)
    by_key = {phrasing.ngram_key(r): v for r, v in runs.items()}
    ratios = np.array([by_key[int(k)] for k in keys])
    monkeypatch.setattr(phrasing, "_table", lambda: (keys, ratios))


def test_skeleton_masks_content_words_and_keeps_marks() -> None:
    assert _skeleton("We took the dog to the vet, which was 3.5 miles away.") == (
        "we _ the _ to the _ , which was 0 _ _ ."
    )
    # a decimal point stays in its number; an abbreviation's dots are marks; quotes, dashes and
    # markup are not tokens
    assert _skeleton('## It is "vital" (e.g. 2.5 days) - really!') == "it is _ ( _ . _ . 0 _ ) _ !"


def test_links_urls_domains_and_code_are_not_prose() -> None:
    # A link's target, a bare URL, a domain name and a code line leave neither words nor marks; the
    # link's text stays. (List numbers stay: "1." is "0 .".)
    text = (
        "See [the guide](https://example.com/a.html), which helps.\n"
        "Visit www.example.org/x?y=1; it is, in short, vital.\n\n"
        "    x = f(1, 2)\n\n"
        "1. It works."
    )
    # (a URL runs to the next space: the ";" after it goes with it)
    assert _skeleton(text) == "_ the _ , which _ . _ it is , in _ , _ . 0 . it _ ."


def test_run_keys_round_trip_and_never_collide_across_lengths() -> None:
    for run in ("the", "_", "0", ",", "it is _ to", "( _ )", ". the _ ,"):
        assert phrasing.ngram_text(phrasing.ngram_key(run)) == run
    keys = phrasing.ngram_keys(parse("It is what it is, and it is."))
    n = len(phrasing._skeleton(phrasing._prose(parse("It is what it is, and it is.")))[0])  # 10 tokens
    assert len(keys) == n + (n - 1) + (n - 2) + (n - 3)
    # one-token runs lie below 160, two-token ones below 160**2, ...: no key is shared by two lengths
    assert phrasing.ngram_key("_ _") > phrasing.ngram_key("yourselves")
    with pytest.raises(ValueError, match="not a skeleton token"):
        phrasing.ngram_key("it is crucial")


def test_exact_score_is_the_weighted_mean_of_the_table_ratios(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_table(monkeypatch, {"it is _ to": 2.0, "it": 0.5, ".": -1.0})
    text = "It is vital to see. It is good to go."
    # skeleton: it is _ to _ . it is _ to _ .  (12 tokens, 42 runs)
    keys = phrasing.ngram_keys(parse(text))
    _, weights = phrasing.weighted_counts(keys)
    assert len(keys) == 12 + 11 + 10 + 9
    w2 = math.log1p(2)  # each listed run occurs twice
    expected = (2.0 * w2 + 0.5 * w2 - 1.0 * w2) / weights.sum()
    values, _ = phrasing.compute(parse(text))
    assert values["function_word_ngram_score"] == pytest.approx(expected, rel=1e-12)
    assert values["function_word_ngram_score"] > 0


def test_evidence_points_at_the_strongest_runs_skipping_one_inside_a_stronger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _with_table(monkeypatch, {"it is _ to": 3.0, "is _ to": 2.9, ", which": 2.0, "we": -2.0})
    text = "It is vital to note this, which matters. It is crucial to act, which we do."
    values, ev = phrasing.compute(parse(text))
    assert values["function_word_ngram_score"] >= phrasing.EVIDENCE_SCORE
    shown = [(text[e.start : e.end], e.note.split("'")[1]) for e in ev]
    # "is _ to" overlaps the stronger "it is _ to" where it first occurs, so it is not shown
    assert shown == [
        ("It is vital to", "it is _ to"),
        ("It is crucial to", "it is _ to"),
        (", which", ", which"),
        (", which", ", which"),
    ]
    assert all(e.signal == "function_word_ngram_score" for e in ev)


def test_runs_of_masks_alone_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    # "_" (any content word), "_ _" and "0" would highlight arbitrary words: the next runs are shown.
    _with_table(monkeypatch, {"_": 3.0, "_ _": 2.9, "0": 2.8, "it is _ to": 1.0, "we": -2.0})
    text = "It is vital to see 42 old boats. It is crucial to act."
    values, ev = phrasing.compute(parse(text))
    assert values["function_word_ngram_score"] >= phrasing.EVIDENCE_SCORE
    shown = [(text[e.start : e.end], e.note.split("'")[1]) for e in ev]
    assert shown == [("It is vital to", "it is _ to"), ("It is crucial to", "it is _ to")]


def test_low_score_gives_no_evidence_and_empty_text_scores_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_table(monkeypatch, {"we": -2.0, "it is _ to": 3.0})
    values, ev = phrasing.compute(parse("We went home and we slept. It is nice to rest."))
    assert values["function_word_ngram_score"] < phrasing.EVIDENCE_SCORE and ev == []
    assert phrasing.compute(parse("")) == ({"function_word_ngram_score": 0.0}, [])
    assert phrasing.compute(parse("!!! ..."))[0]["function_word_ngram_score"] == 0.0


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_finite_values_and_spans_inside_it(text: str) -> None:
    doc = parse(text)
    values, ev = phrasing.compute(doc)
    assert math.isfinite(values["function_word_ngram_score"])
    assert all(0 <= e.start < e.end <= len(doc.text) for e in ev)


def _counts() -> tuple[fit.RunCounts, np.ndarray, np.ndarray]:
    texts = [
        "It is vital to note this.",  # machine
        "It is crucial to act now.",  # machine
        "We went home. We slept.",  # human
        "We ate and we slept.",  # human
    ]
    return fit.count_runs(texts), np.array([1, 1, 0, 0]), np.array(["a", "b", "c", "d"])


def test_fit_ratios_are_smoothed_naive_bayes_log_ratios() -> None:
    counts, y, _ = _counts()
    ratios = fit.fit_ratios(counts, np.arange(4), y, alpha=1.0, min_docs=2)
    col = {phrasing.ngram_text(int(k)): j for j, k in enumerate(counts.keys)}
    used = np.asarray(counts.used.T @ np.ones(4, dtype=np.float32)).ravel() >= 2
    x = counts.x.toarray()
    machine, human = x[y == 1].sum(0), x[y == 0].sum(0)
    k = used.sum()
    pm = (machine + 1) / (machine[used].sum() + k)
    ph = (human + 1) / (human[used].sum() + k)
    j = col["it is _ to"]
    assert ratios[j] == round(math.log(pm[j] / ph[j]), 4) and ratios[j] > 0
    assert ratios[col["we"]] < 0
    assert not used[col["_ this ."]] and ratios[col["_ this ."]] == 0.0  # in one text: below min_docs
    assert (ratios[~used] == 0).all()


def test_cross_fitting_never_scores_a_text_with_its_own_group() -> None:
    texts = [
        "It is vital to note this, which matters.",  # machine, group a
        "It is crucial to act now, which helps.",  # machine, group a (its rewrite)
        "It is key to see this, which we do.",  # machine, group b
        "We went home. We slept, and we ate.",  # human, group c
        "We ate and we slept. It was late.",  # human, group d
        "We sat down. We talked, and we left.",  # human, group e
    ]
    counts = fit.count_runs(texts)
    y = np.array([1, 1, 1, 0, 0, 0])
    groups = np.array(["a", "a", "b", "c", "d", "e"])
    out = fit.cross_fitted(counts, y, groups, np.arange(6), k=3, seed=0, min_docs=1)
    folds = fit._fold_of(groups.tolist(), 3, 0)
    assert folds[0] == folds[1]  # a group stays in one fold
    in_sample = fit.scores(counts, np.arange(6), fit.fit_ratios(counts, np.arange(6), y, min_docs=1))
    for i in range(6):
        others = np.flatnonzero(folds != folds[i])
        assert not np.isin(groups[others], groups[i]).any()
        expected = fit.scores(counts, np.array([i]), fit.fit_ratios(counts, others, y, min_docs=1))[0]
        assert out[i] == expected
    assert (out != 0).all() and (out != in_sample).all()
    assert (in_sample[y == 1] > 0).all() and (in_sample[y == 0] < 0).all()


def test_grouped_evaluation_refits_the_table_inside_each_folds_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine terms' cross-fits inside a fold's fit must read phrasing values from a table fitted
    without their held-out texts, as in the shipped fit: the fold's fit gets ``learned.subset(fit rows)``."""
    import slopsift
    from slopsift.training import evaluate

    fixtures = Path(__file__).parent / "fixtures"
    paras = [
        (fixtures / f).read_text(encoding="utf-8").split("\n\n")
        for f in ("human_article.md", "content_farm.md")
    ]
    n = 160
    texts = ["\n\n".join(paras[i % 2][j] for j in range(len(paras[i % 2])) if (i + j) % 3) for i in range(n)]
    y = np.arange(n) % 2
    t = evaluate.Table(
        texts=texts,
        y=y,
        source=np.array(["a" if i % 4 < 2 else "b" for i in range(n)]),
        generator=np.where(y == 1, "m", "human"),
        domain=np.array(["d"] * n),
        group=np.array([f"g{i // 2}" for i in range(n)]),
        role=np.array(["train"] * n),
        repo=np.array([""] * n),
        x=slopsift.extract_features(texts),
    )
    subsets: list[np.ndarray] = []
    given: list[object] = []

    class Spy:
        def __call__(self, x: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
            return x

        def subset(self, rows: np.ndarray) -> Spy:
            subsets.append(rows.copy())
            return Spy()

    real = evaluate.fit_calibrated

    def recording(*args: object, **kwargs: object) -> object:
        given.append(kwargs.get("learned"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(evaluate, "fit_calibrated", recording)
    evaluate.evaluate_protocols(t, ("dataset",), baselines=False, learned=Spy(), log=lambda s: None)
    trains = [train for _, train, _ in evaluate.folds(t, "dataset")]
    assert len(given) == len(trains) == 2
    assert all(isinstance(g, Spy) for g in given)
    assert [r.tolist() for r in subsets] == [r.tolist() for r in trains]


def test_written_table_loads_back_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counts, y, _ = _counts()
    ratios = fit.fit_ratios(counts, np.arange(4), y, min_docs=1)
    path = tmp_path / phrasing.TABLE
    fit.write_table(path, counts, ratios, 4)
    rows = [line.split("\t") for line in path.read_text().splitlines() if not line.startswith("# ")]
    assert len(rows) == int((ratios != 0).sum())  # no run lost to the comment rule (runs may open with "0")
    from slopsift import lexicons

    monkeypatch.setattr(lexicons, "_read", lambda name: path.read_text(encoding="utf-8"))
    load_table.cache_clear()
    phrasing._table.cache_clear()
    try:
        keys, loaded = phrasing._table()
        nz = np.flatnonzero(ratios)
        assert np.array_equal(keys, counts.keys[nz]) and np.array_equal(loaded, ratios[nz])
        # the signal then gives what training computed for the same text
        value = phrasing.compute(parse("It is vital to note this."))[0]["function_word_ngram_score"]
        assert value == pytest.approx(fit.scores(counts, np.array([0]), ratios)[0], abs=1e-15)
    finally:
        load_table.cache_clear()
        phrasing._table.cache_clear()


def test_a_model_fitted_with_another_table_is_refused(tmp_path: Path) -> None:
    import json

    src = bundled_model_path()
    load_bundle(src)  # the shipped model and table belong together
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    meta = json.loads(sidecar_path(src).read_text())
    meta["phrasing_table_sha256"] = "0" * 64
    sidecar_path(dst).write_text(json.dumps(meta))
    with pytest.raises(ModelSchemaError, match="another function-word table"):
        load_bundle(dst)


def test_evidence_score_lies_inside_the_reason_tail() -> None:
    """The scorer may name the signal as a reason beyond the human 90th percentile of the shipped model;
    from there on it must come with evidence. Fails when a retrained table moves that tail below it."""
    import slopsift
    from slopsift.scoring import TAIL

    bundle = slopsift.Detector().bundle
    j = list(bundle.feature_names).index("phrasing.function_word_ngram_score")
    assert bundle.human_percentiles[j][math.ceil(TAIL) - 1] >= phrasing.EVIDENCE_SCORE


def test_train_notes_when_the_data_holds_the_corpora_the_table_counted() -> None:
    from types import SimpleNamespace
    from typing import Any, cast

    from slopsift.training.train import _table_overlap_notes

    notes = _table_overlap_notes(cast(Any, SimpleNamespace(source=np.array(["detectrl", "my-forum"]))))
    assert len(notes) == 1 and "detectrl" in notes[0] and "in-sample" in notes[0]
    assert _table_overlap_notes(cast(Any, SimpleNamespace(source=np.array(["my-forum"])))) == []
