"""Grouped evaluation: whole datasets, generators, domains or repositories held out.

Row-level splits flatter a detector: paired human/LLM texts, duplicated human texts and one
source's formatting leak across them. Every protocol here holds out a whole unit and removes
from training every group (pair, duplicate set, prompt triplet) that touches the held-out part.
slopsift is compared on the very same folds with (a) the Gopher rules used as a classifier and
(b) a TF-IDF + logistic-regression bag of words.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from slopsift.training.fit import CONTINUATION_GENERATORS, LearnedColumns, fit_calibrated
from slopsift.training.metrics import fpr_at, summary

__all__ = ["PROTOCOLS", "Table", "evaluate_protocols", "folds"]

MIN_FOLD_MACHINE = 300
"""Generators (and domains) with fewer texts than this are not held out alone: too noisy to read."""
TFIDF_MAX_TRAIN = 6000
FIT_MAX_TRAIN = 25000
"""Per evaluation fold, slopsift is fitted on a random sample of at most this many training texts
(the shipped model uses all of them): it keeps a full grouped evaluation within an hour on two
cores, and makes the reported figures, if anything, slightly pessimistic."""
"""The bag-of-words baseline is fitted on at most this many training texts per fold (for time)."""


@dataclass
class Table:
    """The corpus as parallel arrays; ``y`` is 1 for machine-generated text."""

    texts: list[str]
    y: np.ndarray
    source: np.ndarray
    generator: np.ndarray
    domain: np.ndarray
    group: np.ndarray
    role: np.ndarray
    repo: np.ndarray
    x: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def voters(self) -> np.ndarray:
        """Rows that vote on a neutral signal's direction: all but the machine texts of the base
        models' continuations (:data:`~slopsift.training.fit.CONTINUATION_GENERATORS`)."""
        continuation: np.ndarray = (self.y == 1) & np.isin(self.generator, list(CONTINUATION_GENERATORS))
        return ~continuation

    def subset(self, mask: np.ndarray) -> Table:
        idx = np.flatnonzero(mask)
        return Table(
            [self.texts[i] for i in idx],
            self.y[idx],
            self.source[idx],
            self.generator[idx],
            self.domain[idx],
            self.group[idx],
            self.role[idx],
            self.repo[idx],
            self.x[idx],
            {k: v[idx] for k, v in self.extra.items()},
        )


def _hash_bucket(s: str, n: int) -> int:
    return int(hashlib.blake2b(s.encode(), digest_size=4).hexdigest(), 16) % n


def _close_groups(t: Table, test: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Training mask: ``pool`` minus every record sharing a group with the test records."""
    held = set(t.group[test].tolist())
    return pool & ~np.isin(t.group, list(held))


Fold = tuple[str, np.ndarray, np.ndarray]


def folds(t: Table, protocol: str) -> Iterator[Fold]:
    """Yield ``(name, train_mask, test_mask)`` for one protocol over the ``train``-role records."""
    pool = t.role == "train"
    if protocol == "dataset":
        for s in sorted(set(t.source[pool].tolist())):
            test = pool & (t.source == s)
            yield s, _close_groups(t, test, pool), test
    elif protocol == "generator":
        gens = sorted({g for g in t.generator[pool & (t.y == 1)].tolist()})
        # A fixed fifth of the human groups, for generators whose texts have too few human twins.
        human_sample = np.array([_hash_bucket(g_, 5) == 0 for g_ in t.group]) & pool & (t.y == 0)
        for g in gens:
            mach = pool & (t.y == 1) & (t.generator == g)
            if mach.sum() < MIN_FOLD_MACHINE:
                continue
            held_groups = set(t.group[mach].tolist())
            human = pool & (t.y == 0) & np.isin(t.group, list(held_groups))
            srcs = set(t.source[mach].tolist())
            if human.sum() < 100:
                human |= human_sample & np.isin(t.source, list(srcs))
            test = mach | human
            train = _close_groups(t, test, pool) & ~((t.y == 1) & (t.generator == g))
            yield g, train, test
    elif protocol == "domain":
        for d in sorted(set(t.domain[pool].tolist())):
            test = pool & (t.domain == d)
            if test.sum() < MIN_FOLD_MACHINE:
                continue
            yield d, _close_groups(t, test, pool), test
    elif protocol == "web-repos":
        web = pool & (t.source == "web-articles")
        repos = sorted(set(t.repo[web].tolist()))
        k = 5
        for i in range(k):
            chosen = [r for r in repos if _hash_bucket(r, k) == i]
            test = web & np.isin(t.repo, chosen)
            if test.any():
                yield f"repos-{i}", _close_groups(t, test, pool), test
    else:
        raise ValueError(f"unknown protocol {protocol!r}")


PROTOCOLS = ("dataset", "generator", "web-repos", "domain")


def _tfidf_scores(train: Table, test: Table, seed: int) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    idx = np.arange(len(train.texts))
    if len(idx) > TFIDF_MAX_TRAIN:
        idx = np.random.default_rng(seed).choice(idx, TFIDF_MAX_TRAIN, replace=False)
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=3, max_features=50_000, sublinear_tf=True)
    xt = vec.fit_transform([train.texts[i] for i in idx])
    lr = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    lr.fit(xt, train.y[idx])
    return np.asarray(lr.predict_proba(vec.transform(test.texts))[:, 1])


def _fold_key(t: Table, train_m: np.ndarray, test_m: np.ndarray, seed: int) -> str:
    """Identifies a fold by the texts on each side, so baseline results can be reused."""
    h = hashlib.sha256(f"{seed}".encode())
    for mask in (train_m, test_m):
        for i in np.flatnonzero(mask):
            h.update(hashlib.sha1(t.texts[i].encode("utf-8", "surrogatepass")).digest())
        h.update(b"|")
    return h.hexdigest()


def evaluate_protocols(
    t: Table,
    protocols: tuple[str, ...] = PROTOCOLS,
    *,
    gopher: Callable[[Table], np.ndarray] | None = None,
    baselines: bool = True,
    seed: int = 0,
    cache: Path | None = None,
    on_protocol: Callable[[dict[str, Any]], object] | None = None,
    learned: LearnedColumns | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> dict[str, Any]:
    """Run every fold of every protocol; per fold, metrics for slopsift and the baselines.

    ``learned(x, train_mask, test_mask)`` returns the fold's feature matrix when a feature is itself
    fitted on training text (the phrasing table, :class:`slopsift.training.phrasing.FoldColumn`): it
    is refitted from the fold's training texts, so no held-out text shaped it, and refitted again
    inside the fold's fit wherever that fit holds texts out (the machine terms' cross-fits), as in
    the shipped fit.

    The TF-IDF baseline depends only on the texts of a fold, so its metrics are cached in ``cache``
    (a JSON file) under a key made from those texts: re-running after a signal change refits only
    slopsift.
    """
    gopher_all = gopher(t) if (gopher is not None and baselines) else None
    store: dict[str, Any] = json.loads(cache.read_text()) if cache is not None and cache.is_file() else {}
    out: dict[str, Any] = {}
    for protocol in protocols:
        if on_protocol is not None and out:
            on_protocol(out)
        rows: list[dict[str, Any]] = []
        aug = t.extra.get("augmented", np.zeros(len(t.y), dtype=bool))
        for name, train_m, test_m in folds(t, protocol):
            test_m = test_m & ~aug  # synthetic copies train, never test
            if train_m.sum() > FIT_MAX_TRAIN:
                keep = np.zeros(len(train_m), dtype=bool)
                rng = np.random.default_rng(seed)
                keep[rng.choice(np.flatnonzero(train_m), FIT_MAX_TRAIN, replace=False)] = True
                fit_m = keep
            else:
                fit_m = train_m
            if len(np.unique(t.y[fit_m])) < 2 or not test_m.any():
                continue
            tf = t if learned is None else replace(t, x=learned(t.x, train_m, test_m))
            tr, te = tf.subset(fit_m), tf.subset(test_m)
            fit = fit_calibrated(
                tr.x,
                tr.y,
                tr.group.tolist(),
                tr.source.tolist(),
                tr.domain.tolist(),
                seed=seed,
                learned=None if learned is None else learned.subset(fit_m),
                voters=tr.voters(),
            )
            p = fit.estimator.predict_proba(te.x)[:, 1]
            flagged = (1.0 - p) < fit.thresholds["fpr_0.05"]
            row: dict[str, Any] = {"fold": name, "slopsift": summary(te.y, p, flagged)}
            row["human_domain_fpr"] = {
                d: fpr_at(te.y[te.domain == d], flagged[te.domain == d])
                for d in sorted(set(te.domain[te.y == 0].tolist()))
            }
            if gopher_all is not None:
                g = gopher_all[test_m]
                row["gopher"] = summary(te.y, g, g > 0)
            if baselines:
                key = _fold_key(t, train_m, test_m, seed)
                if key not in store:
                    store[key] = summary(te.y, _tfidf_scores(tr, te, seed))
                    if cache is not None:
                        cache.parent.mkdir(parents=True, exist_ok=True)
                        cache.write_text(json.dumps(store))
                row["tfidf_lr"] = store[key]
            s = row["slopsift"]
            log(
                f"[{protocol}] {name}: n={int(s['n'])} auroc={s['auroc']:.3f} "
                f"tpr@5%={s['tpr_at_5fpr']:.3f} fpr_default={s['fpr_default']:.3f}"
                + (f" | tfidf auroc={row['tfidf_lr']['auroc']:.3f}" if baselines else "")
                + (f" | gopher auroc={row['gopher']['auroc']:.3f}" if "gopher" in row else "")
            )
            rows.append(row)
        out[protocol] = {"folds": rows, "mean": _means(rows)}
    if on_protocol is not None:
        on_protocol(out)
    return out


def _means(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    res: dict[str, dict[str, float]] = {}
    for method in ("slopsift", "gopher", "tfidf_lr"):
        vals = [r[method] for r in rows if method in r]
        if not vals:
            continue
        res[method] = {}
        for key in ("auroc", "tpr_at_1fpr", "tpr_at_5fpr", "ece", "fpr_default"):
            xs = [v[key] for v in vals if key in v and np.isfinite(v[key])]
            if xs:
                res[method][key] = float(np.mean(xs))
    return res
