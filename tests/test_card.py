"""The model card's computed figures."""

from __future__ import annotations

from slopsift.training.card import evaluation_tables, generator_split


def _fold(name: str, ours: float, tfidf: float) -> dict[str, object]:
    metrics = {"n": 10, "auroc": ours, "tpr_at_5fpr": 0.5, "ece": 0.1, "fpr_default": 0.0}
    return {"fold": name, "slopsift": metrics, "tfidf_lr": {"auroc": tfidf}}


def test_generator_split_means_the_base_models_apart() -> None:
    folds = [
        _fold("gpt2-xl", 0.5, 0.6),
        _fold("opt-2.7b", 0.6, 0.4),
        _fold("gpt-4", 0.9, 0.8),
        _fold("llama-2-7b", 0.8, float("nan")),  # a fold without a value is left out of its mean
    ]
    line = generator_split(folds)
    assert "over the 2 other generators' folds" in line
    assert "slopsift 0.850, TF-IDF+LR 0.800;" in line
    assert "over the 2 base models continuing a human text" in line
    assert line.endswith("slopsift 0.550, TF-IDF+LR 0.500.")


def test_the_split_is_printed_under_the_generator_protocol_only() -> None:
    folds = [_fold("gpt2-xl", 0.5, 0.6), _fold("gpt-4", 0.9, 0.8)]
    mean = {"slopsift": {"auroc": 0.7}}
    tables = evaluation_tables(
        {"grouped": {"dataset": {"mean": mean, "folds": folds}, "generator": {"mean": mean, "folds": folds}}}
    )
    assert tables.count("base models continuing a human text") == 1
    assert tables.index("base models continuing") > tables.index("#### Held out by generator")
