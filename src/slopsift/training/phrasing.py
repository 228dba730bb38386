"""Fit the phrasing family's table and give the classifier honest values of it.

:mod:`slopsift.signals.phrasing` scores a text by the log-ratios of its function-word runs
(``function_word_ngrams.tsv``). Those ratios are counted on the training corpora, so the value of a
training text under the shipped table is in-sample: a classifier fitted on such values would learn
to trust the signal far more than it deserves on unseen text. So the training code never reads
that column from the feature matrix. It counts every text's runs once (:func:`count_runs`) and:

* for the shipped model, fits the table on every training text and gives each training text the
  value under a table fitted without its group (:data:`CROSS_FIT_FOLDS` folds by group); texts
  outside training (the check-only sets) get the value under the full table, as users will;
* in the grouped evaluation, refits both per fold from that fold's training texts only
  (:class:`FoldColumn`), so a held-out dataset, generator or domain never shaped the table.

The estimate is multinomial naive Bayes on log(1 + count) run weights with add-:data:`ALPHA`
smoothing, over runs seen in at least :data:`MIN_DOCS` training texts; the table keeps the
:data:`MAX_RUNS` runs with the most weight of evidence (``|log-ratio| * sqrt(texts with the run)``).
Chosen on the grouped evaluation (leave one dataset out, mean AUROC of the score alone; exploratory runs
outside the project, on a regex tokeniser's version of the skeleton): log(1 + count) weights beat raw
counts (0.803 vs 0.786); weighting the corpora equally lost (0.769); longer runs add little (raw counts,
up to 3 tokens 0.781, 4: 0.786, 5: 0.788). Stacked into the classifier, it raised the leave-one-dataset-out
AUROC from 0.806 to 0.844 in those runs.

What did not fix its one weakness, formal human prose (held-out abstracts flagged at a fold's default
point: 41-42% with this table), in full grouped runs: a table of within-domain contrasts (64%), damping each
run by how much its human frequency varies across domains (49-56%), the score minus a human baseline
predicted from the neutral register signals (29%, at a cost of 0.02-0.06 AUROC on most folds),
stronger smoothing or fewer runs (41-44%), counting each distinct run once instead of log(1 + count)
(45%, and 0.007 less AUROC with DetectRL held out), and scoring only the runs that hold a function word,
so that content-word density ("_ , _ and _") cannot count (47%, mean AUROC 0.818 -> 0.815 by dataset).
Marking content words by suffix (-ing, -ly, -ed: participle clauses and adverbs) changed no held-out
domain's AUROC by more than 0.01 (abstracts 45%), so the skeleton keeps one class for them. The
operating points absorb it instead: the held-out domains set the shipped threshold
(:func:`slopsift.training.fit.heldout_domain_points`, with the table refitted without each domain).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from slopsift.document import parse
from slopsift.features import feature_names
from slopsift.signals import phrasing
from slopsift.training.evaluate import Table, _hash_bucket

__all__ = [
    "ALPHA",
    "CROSS_FIT_FOLDS",
    "FEATURE",
    "MAX_RUNS",
    "MIN_DOCS",
    "FoldColumn",
    "RunCounts",
    "count_runs",
    "cross_fitted",
    "fit_ratios",
    "learn_column",
    "scores",
    "write_table",
]

ALPHA = 1.0
"""Add-alpha smoothing of the per-class run weights."""
MIN_DOCS = 10
"""A run enters the table only if at least this many training texts use it."""
MAX_RUNS = 40_000
"""Runs kept in the shipped table (about 1 MB); fewer lose little (20,000: -0.01 mean AUROC)."""
CROSS_FIT_FOLDS = 5


@dataclass(frozen=True)
class RunCounts:
    """Every text's skeleton runs: ``x[i, j]`` is log(1 + count) of run ``keys[j]`` in text ``i``;
    ``used`` is ``x`` with every stored value 1 (to count the texts that use a run)."""

    keys: np.ndarray
    x: sp.csr_matrix
    used: sp.csr_matrix


def count_runs(texts: Sequence[str], log: Callable[[str], None] = lambda s: None) -> RunCounts:
    """Parse each text once and collect the weights of its distinct runs."""
    run_lists: list[np.ndarray] = []
    weight_lists: list[np.ndarray] = []
    for i, text in enumerate(texts):
        runs, weights = phrasing.weighted_counts(phrasing.ngram_keys(parse(text)))
        run_lists.append(runs)
        weight_lists.append(weights)
        if (i + 1) % 10_000 == 0:
            log(f"phrasing: runs of {i + 1}/{len(texts)} texts")
    all_runs = np.concatenate(run_lists) if run_lists else np.zeros(0, dtype=np.int64)
    keys = np.unique(all_runs)
    cols = np.searchsorted(keys, all_runs).astype(np.int32)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in run_lists])
    data = np.concatenate(weight_lists) if weight_lists else np.zeros(0)
    shape = (len(texts), len(keys))
    x = sp.csr_matrix((data, cols, indptr), shape=shape)
    used = sp.csr_matrix((np.ones(len(data), dtype=np.float32), cols, indptr), shape=shape)
    return RunCounts(keys, x, used)


def fit_ratios(
    counts: RunCounts,
    rows: np.ndarray,
    y: np.ndarray,
    *,
    alpha: float = ALPHA,
    min_docs: int = MIN_DOCS,
    max_runs: int = MAX_RUNS,
) -> np.ndarray:
    """Per run, log P(run | machine) - log P(run | human) estimated from the texts ``rows`` (labels
    ``y``, 1 = machine), as the table holds it: 0 for runs fewer than ``min_docs`` of them use and
    for all but the ``max_runs`` with the most weight of evidence, the rest rounded to 4 decimals."""
    pick = np.zeros(counts.x.shape[0])
    pick[rows] = 1.0
    machine = np.asarray(counts.x.T @ (pick * (y == 1))).ravel()
    human = np.asarray(counts.x.T @ (pick * (y == 0))).ravel()
    texts = np.asarray(counts.used.T @ pick.astype(np.float32)).ravel()
    used = texts >= min_docs
    k = int(used.sum())
    if not k or not machine[used].sum() or not human[used].sum():
        return np.zeros(len(counts.keys))
    p_machine = (machine + alpha) / (machine[used].sum() + alpha * k)
    p_human = (human + alpha) / (human[used].sum() + alpha * k)
    ratios = np.where(used, np.log(p_machine / p_human), 0.0)
    keep = np.flatnonzero(used)
    if len(keep) > max_runs:
        strength = np.abs(ratios[keep]) * np.sqrt(texts[keep])
        keep = keep[np.argsort(-strength, kind="stable")[:max_runs]]
    out = np.zeros(len(ratios))
    out[keep] = np.round(ratios[keep], 4)
    return out


def scores(counts: RunCounts, rows: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """The feature value of each text in ``rows`` under ``ratios`` (as the signal computes it)."""
    x = counts.x[rows]
    total = np.asarray(x.sum(axis=1)).ravel()
    out: np.ndarray = np.asarray(x @ ratios).ravel() / np.maximum(total, 1e-300)
    return out


def _fold_of(groups: Sequence[str], k: int, seed: int) -> np.ndarray:
    """Each group's fold, the same in every call (``seed`` varies the assignment)."""
    return np.array([_hash_bucket(f"{seed}:{g}", k) for g in groups])


def cross_fitted(
    counts: RunCounts,
    y: np.ndarray,
    groups: np.ndarray,
    fit_rows: np.ndarray,
    *,
    score_rows: np.ndarray | None = None,
    k: int = CROSS_FIT_FOLDS,
    seed: int = 0,
    min_docs: int = MIN_DOCS,
) -> np.ndarray:
    """Values of ``score_rows`` (default ``fit_rows``), each under a table fitted on the ``fit_rows``
    outside its group's fold. Returns an array aligned with ``score_rows``."""
    score_rows = fit_rows if score_rows is None else score_rows
    fold_fit = _fold_of(groups[fit_rows].tolist(), k, seed)
    fold_score = _fold_of(groups[score_rows].tolist(), k, seed)
    out = np.zeros(len(score_rows))
    for f in range(k):
        here = fold_score == f
        if here.any():
            ratios = fit_ratios(counts, fit_rows[fold_fit != f], y, min_docs=min_docs)
            out[here] = scores(counts, score_rows[here], ratios)
    return out


class FoldColumn:
    """The phrasing column of a refit on part of the data (the grouped evaluation's folds, and inside
    :func:`slopsift.training.fit.fit_calibrated` the held-out domains and the machine terms' cross-fits):
    cross-fitted values for the part's training texts, values under the part's own table for the rest."""

    def __init__(
        self,
        counts: RunCounts,
        y: np.ndarray,
        groups: np.ndarray,
        column: int,
        fit_mask: np.ndarray,
        seed: int = 0,
    ):
        self.counts, self.y, self.groups, self.column, self.seed = counts, y, groups, column, seed
        self.fit_mask = fit_mask
        """Texts a table may be fitted on (not the augmented copies, which repeat their originals)."""

    def __call__(self, x: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
        fit_rows = np.flatnonzero(train & self.fit_mask)
        out: np.ndarray = x.copy()
        train_rows = np.flatnonzero(train)
        out[train_rows, self.column] = cross_fitted(
            self.counts, self.y, self.groups, fit_rows, score_rows=train_rows, seed=self.seed
        )
        test_rows = np.flatnonzero(test)
        out[test_rows, self.column] = scores(
            self.counts, test_rows, fit_ratios(self.counts, fit_rows, self.y)
        )
        return out

    def subset(self, rows: np.ndarray) -> FoldColumn:
        """The same over the rows ``rows`` (a boolean mask) only, numbered as in ``x[rows]``."""
        c = self.counts
        part = RunCounts(c.keys, c.x[rows], c.used[rows])
        return FoldColumn(part, self.y[rows], self.groups[rows], self.column, self.fit_mask[rows], self.seed)


def write_table(path: Path, counts: RunCounts, ratios: np.ndarray, n_texts: int) -> None:
    """Write the table (``function_word_ngrams.tsv`` format), runs in key order."""
    keep = np.flatnonzero(ratios)
    lines = [
        f"# source: fitted by python -m slopsift.training.train on {n_texts} training texts of "
        "../shared/data: naive-Bayes log-ratio of each function-word run's weight in machine vs human text "
        f"(slopsift.training.phrasing; alpha {ALPHA}, runs in >= {MIN_DOCS} texts, top {MAX_RUNS})",
        "# licence: statistics derived from the training corpora listed in models/MODEL_CARD.md, under their "
        "terms as for the shipped model (including CC BY-NC-SA 4.0 for the PERSUADE essays)",
        "# columns: run (space-separated skeleton tokens: function word, _ word, 0 number, or a mark)<TAB>"
        "log-ratio (nats)",
    ]
    lines += [f"{phrasing.ngram_text(int(counts.keys[j]))}\t{ratios[j]:.4f}" for j in keep]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


FEATURE = "phrasing.function_word_ngram_score"


def learn_column(
    t: Table, *, seed: int = 0, log: Callable[[str], None] = lambda s: None
) -> tuple[RunCounts, np.ndarray, FoldColumn]:
    """Fit the table on ``t``'s training texts and set the column of ``t.x`` in place: cross-fitted
    values for the training texts, values under the table for the others (as users will get them).

    Returns the run counts, the table's ratios (aligned with ``counts.keys``) and the
    :class:`FoldColumn` the grouped evaluation refits per fold with.
    """
    counts = count_runs(t.texts, log)
    j = feature_names().index(FEATURE)
    fit_mask = ~t.extra.get("augmented", np.zeros(len(t.y), dtype=bool))
    train = t.role == "train"
    fit_rows = np.flatnonzero(train & fit_mask)
    ratios = fit_ratios(counts, fit_rows, t.y)
    t.x[:, j] = scores(counts, np.arange(len(t.y)), ratios)
    # The training texts, and the texts outside training that share a group with one (the attacked
    # copies of training texts in the robustness rows: the table counted their originals), get
    # out-of-group values, from the same fold tables.
    out_of_group = np.flatnonzero(train | np.isin(t.group, t.group[fit_rows]))
    t.x[out_of_group, j] = cross_fitted(counts, t.y, t.group, fit_rows, score_rows=out_of_group, seed=seed)
    log(f"phrasing: {int((ratios != 0).sum())} runs from {len(fit_rows)} training texts")
    return counts, ratios, FoldColumn(counts, t.y, t.group, j, fit_mask, seed)
