"""The model bundle: the compiled classifier plus everything needed to trust and explain its scores.

A bundle is two files side by side: ``NAME.joblib`` and ``NAME.json`` (metadata, including the
SHA-256 of the joblib file). The joblib file holds plain data only (format 4): the boosted trees
as arrays, the sigmoid calibration and its evidence terms, the human reference percentiles,
probe rows with the scores
the fitted estimator gave them, and that estimator itself as opaque pickled bytes. Scoring reads
the arrays with numpy alone; scikit-learn is imported only if someone asks for
:attr:`ModelBundle.estimator` (retraining, inspection).

Loading checks, in order: the sidecar exists and the file's SHA-256 matches it; the feature
schema matches this slopsift; the file is a zlib-compressed pickle of plain data (read with an
unpickler that refuses every class, so opening it cannot run code); the compiled trees reproduce
the stored probe margins exactly. Bundles of format 3 (evidence terms for a human author only) and
2 (no evidence terms) load as they are; one of format 1 (the estimator pickled directly) is opened
only on request (``allow_pickle=True``, as :func:`upgrade_bundle` does), through scikit-learn, with a
:class:`ModelFormatWarning` telling how to re-save it.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import pickle
import warnings
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from slopsift._atomic import replacing
from slopsift.features import FEATURE_SCHEMA_VERSION, feature_names, feature_schema_hash, feature_specs
from slopsift.signals.base import QUALITY_SIGN
from slopsift.signals.phrasing import table_sha256 as phrasing_table_sha256

__all__ = [
    "BUNDLED_MODEL",
    "BUNDLE_FORMAT",
    "CompiledForest",
    "ModelBundle",
    "ModelError",
    "ModelFormatWarning",
    "ModelIntegrityError",
    "ModelSchemaError",
    "Probe",
    "SortedCounts",
    "bundled_model_path",
    "check_bundle_path",
    "evidence_logit",
    "load_bundle",
    "save_bundle",
    "sha256_file",
    "sidecar_path",
    "upgrade_bundle",
]

BUNDLED_MODEL = "slopsift-model.joblib"
BUNDLE_FORMAT = 5
"""Version of the joblib file's content, recorded as ``bundle_format`` in the sidecar. Format 3
added the human-evidence terms, format 4 evidence terms for a machine author (negative weights),
format 5 a copy of the sidecar's metadata inside the hashed file (so ``model_version`` and the
training summary are covered by the SHA-256 too); files of formats 2 to 4 are read as well."""
_PLAIN_FORMATS = (2, 3, 4, 5)
_SIDECAR_ONLY = ("sha256", "size_bytes", "file")
"""Sidecar fields known only after the file is written, so not copied into it."""
PERCENTILES = np.arange(0, 101, dtype=np.float64)
"""Percentile grid of the human reference distribution stored per feature."""
CHUNK_ROWS = 128
"""Rows evaluated per step: keeps the (rows x splits) work arrays within the CPU cache."""
N_RANDOM_PROBES = 64


class ModelError(RuntimeError):
    """A model bundle cannot be used."""


class ModelIntegrityError(ModelError):
    """The file is missing its metadata, or its SHA-256 does not match the recorded one."""


class ModelSchemaError(ModelError):
    """The bundle was trained on a different feature schema than this slopsift computes."""


class ModelFormatWarning(UserWarning):
    """A bundle in an older file format was loaded through the slow path (scikit-learn)."""


# --- counting reference values below a value, for a whole batch ---------------------------------


class SortedCounts:
    """How many of a column's reference values lie below (and at or below) a value, for a whole
    array of (value, column) queries with one binary search.

    Every column's values are merged into one sorted array ``u`` of distinct values, and for every
    column the counts below and at or below each ``u[k]`` are tabulated (columns x ``len(u)``
    small integers). For a query ``v`` with ``k = #(u < v)``, the column's values below ``v`` are
    exactly its values below ``u[k]`` (no reference value lies strictly between ``v`` and
    ``u[k]``), and those at or below ``v`` add the ones equal to ``v`` when ``u[k] == v``: the
    counts are the ones direct comparison gives, with ``-0.0 == 0.0``. NaN compares false with
    everything, so both its counts are 0. Columns must not hold NaN.

    Cost: building, O(values x log + columns x len(u)); ``m`` queries, O(m log(len(u))).
    """

    def __init__(self, columns: Sequence[np.ndarray]) -> None:
        cols = [np.asarray(c, dtype=np.float64).ravel() for c in columns]
        values = np.concatenate(cols) if cols else np.empty(0)
        if np.isnan(values).any():
            raise ValueError("reference values must not be NaN")
        self._u = np.unique(values)
        self._width = len(self._u) + 1  # k = len(u): beyond every reference value
        # How many of column j's values equal u[k], then running sums: #(column <= u[k]), and
        # shifted by one, #(column < u[k]); at k = len(u) both are the column's length.
        owner = np.repeat(np.arange(len(cols), dtype=np.intp), [len(c) for c in cols])
        flat = owner * self._width + np.searchsorted(self._u, values)
        equal = np.bincount(flat, minlength=len(cols) * self._width).reshape(len(cols), self._width)
        at_or_below = np.cumsum(equal, axis=1)
        below = np.zeros_like(at_or_below)
        below[:, 1:] = at_or_below[:, :-1]
        dtype = np.min_scalar_type(max((len(c) for c in cols), default=0))
        self._below = below.astype(dtype).ravel()
        self._at_or_below = at_or_below.astype(dtype).ravel()

    def below(self, v: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``#(ref < v)`` elementwise, ``ref`` being column ``cols`` (``v`` and ``cols`` broadcast
        together), as an ``intp`` array."""
        return self.counts(v, cols, at_or_below=False)[0]

    def counts(
        self, v: np.ndarray, cols: np.ndarray, *, at_or_below: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(#(ref < v), #(ref <= v))`` elementwise, ``ref`` being column ``cols`` (``v`` and
        ``cols`` broadcast together), as ``intp`` arrays (the second is the first, unless
        ``at_or_below``)."""
        v = np.asarray(v, dtype=np.float64)
        k = np.searchsorted(self._u, v, side="left")  # NaN sorts after every value: k = len(u)
        flat = np.asarray(cols, dtype=np.intp) * self._width + k
        lt = self._below[flat].astype(np.intp)
        le = lt
        if at_or_below and len(self._u):
            exact = self._u[np.minimum(k, len(self._u) - 1)] == v
            le = np.where(exact, self._at_or_below[flat], lt)
        nan = np.isnan(v)
        if nan.any():
            nan = np.broadcast_to(nan, lt.shape)
            lt[nan] = 0
            if le is not lt:
                le[nan] = 0
        return lt, le


# --- the compiled forest ------------------------------------------------------------------------


def _exp(v: float) -> float:
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _libm_exp(u: np.ndarray) -> np.ndarray:
    """``exp`` of every element with the C library's ``exp``, as ``scipy.special.expit`` uses it.

    numpy's own vectorised ``exp`` (AVX-512 here) rounds differently in ~5% of inputs; the C
    library's is what scikit-learn's calibration calls, so this gives its values bit for bit.
    """
    vals = u.tolist()
    if len(u) and float(u.max()) < 709.0:  # no overflow possible (NaN fails this test too)
        return np.fromiter(map(math.exp, vals), dtype=np.float64, count=len(vals))
    return np.fromiter(map(_exp, vals), dtype=np.float64, count=len(vals))


EvidenceTerms = tuple[tuple[int, float], ...]
"""``(feature index, weight)`` pairs: features read outside the trees, as evidence for a human author
(``higher_better`` signals, weight >= 0) or for a machine (``higher_worse`` signals, weight <= 0)."""


def evidence_logit(z: np.ndarray, x: np.ndarray, terms: EvidenceTerms) -> np.ndarray:
    """``z + sum(w * v / (v + 1))`` over the ``terms``, ``v`` being the feature's value (>= 0).

    ``z`` is the calibrated log-odds of *quality*; each term moves it in the direction of its
    weight ``w``, by less than ``|w|``, and a feature at 0 changes nothing. This is how a signal
    whose absence means nothing enters the model (misspellings: clean human writers make none
    either; a recent chat model's stock rhetoric: older generators and most people use none): a
    boosted tree would also move the quality of every text *without* it. Shared by the fitted
    estimator (:class:`slopsift.training.fit.HumanEvidenceCalibrated`) and the compiled forest,
    so both compute the very same floats.
    """
    for j, w in terms:
        v = np.maximum(np.asarray(x[:, j], dtype=np.float64), 0.0)
        z = z + w * (v / (v + 1.0))
    return z


def _quality_of(e: np.ndarray) -> np.ndarray:
    """``1 - 1/(1 + e)``: scikit-learn's ``predict_proba[:, 0]`` given ``e = exp(a*margin + b)``.

    (scipy's ``expit(x)`` is ``1 / (1 + exp(-x))``; scikit-learn's clip of probabilities just above
    1 never applies to ``1 - p`` with ``p`` in [0, 1].)
    """
    return np.asarray(1.0 - 1.0 / (1.0 + e), dtype=np.float64)


def _check_terms(terms: EvidenceTerms) -> None:
    """Refuse terms that index no feature, have a non-finite weight, or push quality against their
    signal's documented direction (a ``higher_worse`` signal raising it, or a neutral one)."""
    specs = feature_specs()
    for j, w in terms:
        if not (0 <= j < len(specs) and math.isfinite(w)):
            raise ModelError(f"malformed evidence term ({j}, {w}): no such feature or not a finite weight")
        name, spec = specs[j]
        want = QUALITY_SIGN[spec.direction]
        if w * want < 0.0 or (want == 0 and w != 0.0):
            raise ModelError(f"evidence term {name} ({spec.direction}) has weight {w}: against its direction")


class CompiledForest:
    """The shipped classifier evaluated with a few numpy operations per block of rows.

    ``CalibratedClassifierCV(FrozenEstimator(HistGradientBoostingClassifier))``, binary, sigmoid
    calibration: ``quality = 1 - expit(-(a * margin + b))`` where ``margin`` is the booster's
    baseline plus one leaf value per tree. Built from canonical node arrays (the trees as
    scikit-learn stores them). Evaluation, QuickScorer style (Lucchese et al., SIGIR 2015): every
    split of every tree is compared at once; a split whose row goes right rules out the leaves of
    its left subtree (a bit mask per split), and the exit leaf of a tree is the leftmost leaf not
    ruled out, i.e. the lowest set bit of the AND of the masks. Leaf values are added to the
    baseline one tree after the other, in scikit-learn's order, and the sigmoid uses the C
    library's ``exp`` as scipy does, so the result equals scikit-learn's ``predict_proba[:, 0]``
    float for float. Work: O(rows x splits), in blocks of :data:`CHUNK_ROWS` rows. ``terms`` are
    the calibration's evidence terms (:func:`evidence_logit`), added to ``a * margin + b``; each
    weight's sign must follow its signal's documented direction.
    """

    ARRAYS = ("roots", "feature", "threshold", "left", "right", "leaf", "missing_left", "value")

    def __init__(
        self, arrays: Mapping[str, Any], baseline: float, a: float, b: float, terms: EvidenceTerms = ()
    ) -> None:
        self.arrays = {k: np.asarray(arrays[k]) for k in self.ARRAYS}
        self.baseline, self.a, self.b = float(baseline), float(a), float(b)
        self.terms: EvidenceTerms = tuple((int(j), float(w)) for j, w in terms)
        _check_terms(self.terms)
        roots = self.arrays["roots"].astype(np.intp)
        feature = self.arrays["feature"].astype(np.intp)
        threshold = self.arrays["threshold"].astype(np.float64)
        left = self.arrays["left"].astype(np.intp)
        right = self.arrays["right"].astype(np.intp)
        leaf = self.arrays["leaf"].astype(bool)
        miss = self.arrays["missing_left"].astype(bool)
        value = self.arrays["value"].astype(np.float64)
        splits: list[list[int]] = []  # per tree: its split nodes
        ranges: list[list[tuple[int, int]]] = []  # per tree and split: left subtree's leaf range
        leaves: list[list[int]] = []  # per tree: leaf nodes, left to right
        for root in roots.tolist():
            s_nodes: list[int] = []
            s_ranges: list[tuple[int, int]] = []
            t_leaves: list[int] = []
            # In-order walk with a stack: (0, node) enters a node; (1, i) closes split i's left subtree
            stack: list[tuple[int, int]] = [(0, root)]
            while stack:
                op, k = stack.pop()
                if op == 1:
                    lo = s_ranges[k][0]
                    s_ranges[k] = (lo, len(t_leaves))
                elif leaf[k]:
                    t_leaves.append(k)
                else:
                    s_nodes.append(k)
                    s_ranges.append((len(t_leaves), -1))
                    stack += [(0, int(right[k])), (1, len(s_nodes) - 1), (0, int(left[k]))]
                if len(t_leaves) + len(s_nodes) > len(feature):
                    raise ModelError("malformed trees: a node is reached twice")
            splits.append(s_nodes)
            ranges.append(s_ranges)
            leaves.append(t_leaves)
        n_trees = len(roots)
        most = max(1, *(len(s) for s in splits)) if splits else 1
        width = 1 << (most - 1).bit_length()  # a power of two: the AND is folded in halves
        n_leaves = max(1, *(len(t) for t in leaves)) if leaves else 1
        dtype = next(
            (d for d in (np.uint8, np.uint16, np.uint32, np.uint64) if np.iinfo(d).bits >= n_leaves), None
        )
        if dtype is None:
            raise ModelError(f"trees with more than 64 leaves are not supported ({n_leaves})")
        all_ones = int(np.iinfo(dtype).max)
        feat = np.zeros((n_trees, width), dtype=np.intp)
        thr = np.full((n_trees, width), np.inf)  # padding splits: every row goes left, rules out nothing
        mask = np.full((n_trees, width), all_ones, dtype=dtype)
        mleft = np.zeros((n_trees, width), dtype=bool)
        leafval = np.zeros((n_trees, n_leaves), dtype=np.float64)
        for t in range(n_trees):
            for i, (k, (lo, hi)) in enumerate(zip(splits[t], ranges[t], strict=True)):
                feat[t, i], thr[t, i], mleft[t, i] = feature[k], threshold[k], miss[k]
                mask[t, i] = all_ones ^ (((1 << (hi - lo)) - 1) << lo)
            leafval[t, : len(leaves[t])] = value[leaves[t]]
        self.n_trees, self.width, self.n_leaves = n_trees, width, n_leaves
        self.n_features = max(
            [int(feature.max()) + 1 if len(feature) else 0, *(j + 1 for j, _ in self.terms)]
        )
        # Per feature, the thresholds of its splits (a NaN one sends every value the same way).
        nodes = np.array([k for s in splits for k in s], dtype=np.intp)
        cuts = [threshold[nodes[feature[nodes] == j]] for j in range(max(1, self.n_features))]
        self._cuts = SortedCounts([c[~np.isnan(c)] for c in cuts])
        # Split-major layout (split slot, tree): a row's comparisons for one slot of every tree are
        # contiguous, and the AND folds over halves of the slots.
        self._feat = np.ascontiguousarray(feat.T).ravel()
        self._thr = np.ascontiguousarray(thr.T)
        self._mask = np.ascontiguousarray(mask.T)
        self._all_ones = dtype(all_ones)
        self._mleft = np.ascontiguousarray(mleft.T)
        self._leafval = leafval.ravel()
        self._leaf_offset = np.arange(n_trees, dtype=np.intp) * n_leaves

    @classmethod
    def from_estimator(cls, estimator: Any) -> CompiledForest:
        """Read the trees and calibration out of a fitted estimator of the shipped type.

        Raises :class:`ModelError` for any other estimator layout. Imports nothing: it only reads
        attributes of an estimator that is already in memory.
        """
        estimator, terms = _unwrap(estimator)
        try:
            (cc,) = estimator.calibrated_classifiers_
            (cal,) = cc.calibrators
            booster = cc.estimator.estimator  # FrozenEstimator -> HistGradientBoostingClassifier
            ok = (
                type(estimator).__name__ == "CalibratedClassifierCV"
                and type(cc.estimator).__name__ == "FrozenEstimator"
                and type(booster).__name__ == "HistGradientBoostingClassifier"
                and type(cal).__name__ == "_SigmoidCalibration"
                and cc.method == "sigmoid"
                and len(estimator.classes_) == 2
                and list(booster.classes_) == list(estimator.classes_)
                and booster.n_trees_per_iteration_ == 1
            )
            trees = [its[0].nodes for its in booster._predictors] if ok else []
            baseline = np.asarray(booster._baseline_prediction, dtype=np.float64).reshape(())
            a, b = float(cal.a_), float(cal.b_)
        except (AttributeError, ValueError, TypeError) as exc:
            raise ModelError(f"not a model slopsift can compile: {exc}") from None
        if not ok or not trees:
            raise ModelError(
                "not a model slopsift can compile: expected CalibratedClassifierCV(FrozenEstimator("
                f"HistGradientBoostingClassifier)), binary, sigmoid; got {type(estimator).__name__}"
            )
        if any(bool(t["is_categorical"].any()) for t in trees):
            raise ModelError("not a model slopsift can compile: categorical splits")
        sizes = [len(t) for t in trees]
        offsets = np.cumsum([0, *sizes[:-1]])
        base = np.repeat(offsets, sizes)
        nodes = np.concatenate(trees)
        arrays = {
            "roots": offsets.astype(np.int32),
            "feature": nodes["feature_idx"].astype(np.int32),
            "threshold": nodes["num_threshold"].astype(np.float64),
            "left": (nodes["left"].astype(np.int64) + base).astype(np.int32),
            "right": (nodes["right"].astype(np.int64) + base).astype(np.int32),
            "leaf": nodes["is_leaf"].astype(bool),
            "missing_left": nodes["missing_go_to_left"].astype(bool),
            "value": nodes["value"].astype(np.float64),
        }
        return cls(arrays, float(baseline), a, b, terms)

    def margin(self, x: np.ndarray) -> np.ndarray:
        """The booster's raw score (log-odds of the machine class, before calibration) per row."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] < self.n_features:
            raise ValueError(f"expected rows of at least {self.n_features} features, got shape {x.shape}")
        if len(x) <= CHUNK_ROWS:
            return self._margin(x)
        return np.concatenate([self._margin(x[i : i + CHUNK_ROWS]) for i in range(0, len(x), CHUNK_ROWS)])

    def _margin(self, x: np.ndarray) -> np.ndarray:
        n = len(x)
        g = x.take(self._feat, axis=1).reshape(n, self.width, self.n_trees)
        keep = g <= self._thr  # the row goes left: nothing ruled out
        if np.isnan(x).any():  # missing values go where the booster learned to send them
            keep = np.where(np.isnan(g), self._mleft, keep)
        m = keep.astype(self._mask.dtype)
        m *= self._all_ones
        m |= self._mask
        while m.shape[1] > 1:  # AND over each tree's splits, by halves (faster than ufunc.reduce)
            h = m.shape[1] // 2
            m = m[:, :h] & m[:, h:]
        r = m[:, 0]  # (rows, trees): the leaves still possible
        low = r & (~r + 1)  # lowest set bit (unsigned arithmetic wraps) = the exit leaf
        pos = np.frexp(low.astype(np.float64))[1] - 1
        terms = np.empty((n, self.n_trees + 1), dtype=np.float64)
        terms[:, 0] = self.baseline
        terms[:, 1:] = self._leafval.take(pos + self._leaf_offset)
        # ((baseline + t0) + t1) + ...: a sequential running sum, the order scikit-learn adds in
        return np.asarray(np.cumsum(terms, axis=1)[:, -1], dtype=np.float64)

    def splits_agree(self, features: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per ``k``: whether the values ``a[k]`` and ``b[k]`` (neither NaN) of feature ``features[k]``
        go the same way at every split on that feature.

        Where they do, setting that feature of a row from one value to the other changes no split's
        outcome, so no exit leaf: the row's margin and quality stay the very same floats. Two
        values go the same way at every threshold ``t`` (left iff ``value <= t``) exactly when as
        many thresholds lie below each. Cost: O(len(a) x log(splits)).
        """
        features = np.asarray(features, dtype=np.intp)
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        used = features < self.n_features  # a feature no split reads never matters
        cols = np.where(used, features, 0)
        below = self._cuts.below(np.concatenate([a, b]), np.concatenate([cols, cols]))
        n = len(a)
        agree = ((below[:n] == below[n:]) | ~used) & ~np.isnan(a) & ~np.isnan(b)
        if self.terms:  # an evidence feature moves the quality with every change of its value
            agree &= ~np.isin(features, [j for j, _ in self.terms]) | (a == b)
        return np.asarray(agree)

    def quality(self, x: np.ndarray) -> np.ndarray:
        """``P(text is not low-quality generated content)`` per row."""
        x = np.asarray(x, dtype=np.float64)
        return self.quality_from_margin(self.margin(x), x)

    def _logit(self, margin: np.ndarray, x: np.ndarray) -> np.ndarray:
        return evidence_logit(self.a * margin + self.b, x, self.terms)

    def quality_from_margin(self, margin: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The quality of rows ``x`` whose booster margins are ``margin``."""
        return _quality_of(_libm_exp(self._logit(margin, x)))

    def reproduces(self, probe: Probe) -> str:
        """``""`` if this forest gives ``probe``'s stored scores, else what differs.

        Margins (pure IEEE comparisons and additions) must match exactly. A quality must match
        exactly too, or, where it does not, be exactly what the formula gives with the neighbour of
        ``exp(a*margin + b)``: C libraries are not correctly rounded (glibc 2.36 here misrounds
        ~0.08% of inputs) and do not all misround the same inputs, so a model saved on one machine
        would otherwise be refused on another now and then. Nothing else is accepted.
        """
        m = self.margin(probe.x)
        if not np.array_equal(m, probe.margin):
            bad = int(np.sum(m != probe.margin))
            return f"{bad} of {len(m)} probe margins differ"
        q = self.quality_from_margin(m, probe.x)
        diff = q != probe.quality
        if diff.any():
            e = _libm_exp(self._logit(m, probe.x)[diff])
            want = probe.quality[diff]
            ok = (_quality_of(np.nextafter(e, -np.inf)) == want) | (
                _quality_of(np.nextafter(e, np.inf)) == want
            )
            if not ok.all():
                return f"{int(np.sum(~ok))} of {len(q)} probe qualities differ"
        return ""


@dataclass(frozen=True)
class Probe:
    """Rows, and the fitted estimator's margins and qualities on them, recorded at training."""

    x: np.ndarray
    margin: np.ndarray
    quality: np.ndarray


def probe_rows(human_percentiles: np.ndarray, seed: int = 0) -> np.ndarray:
    """One row per percentile of the human grid, random rows inside its range, and two beyond."""
    grid = np.asarray(human_percentiles, dtype=np.float64).T
    rng = np.random.default_rng(seed)
    lo, hi = grid.min(axis=0), grid.max(axis=0)
    rand = lo + (hi - lo) * rng.random((N_RANDOM_PROBES, grid.shape[1]))
    return np.vstack([grid, rand, lo - 1.0, hi + 1.0])


def _unwrap(estimator: Any) -> tuple[Any, EvidenceTerms]:
    """The calibrated booster inside ``estimator`` and its evidence terms (none if not wrapped)."""
    if type(estimator).__name__ == "HumanEvidenceCalibrated":
        try:
            return estimator.calibrated, tuple((int(j), float(w)) for j, w in estimator.terms)
        except (AttributeError, TypeError, ValueError) as exc:
            raise ModelError(f"not a model slopsift can compile: {exc}") from None
    return estimator, ()


def _estimator_scores(estimator: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The estimator's own margins (booster decision function) and qualities on ``x``."""
    booster = _unwrap(estimator)[0].calibrated_classifiers_[0].estimator
    margin = np.asarray(booster.decision_function(x), dtype=np.float64).reshape(len(x))
    quality = np.asarray(estimator.predict_proba(x)[:, 0], dtype=np.float64)
    return margin, quality


# --- the bundle -----------------------------------------------------------------------------------


class ModelBundle:
    """The compiled classifier (``quality`` = P(not low-quality generated)) and its context.

    Built from a fitted estimator (training): the estimator is compiled and checked against its
    own scores on probe rows, exactly. Loaded from a file: the compiled arrays are the model, and
    the estimator stays pickled bytes until :attr:`estimator` is read.
    """

    def __init__(
        self,
        estimator: Any,
        feature_names: list[str],
        thresholds: dict[str, float],
        human_percentiles: np.ndarray,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.feature_names = list(feature_names)
        self.thresholds = {k: float(v) for k, v in thresholds.items()}
        self.human_percentiles = np.asarray(human_percentiles, dtype=np.float64)
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.forest = CompiledForest.from_estimator(estimator)
        x = probe_rows(self.human_percentiles)
        self.probe = Probe(x, *_estimator_scores(estimator, x))
        m = self.forest.margin(x)
        if not (
            np.array_equal(m, self.probe.margin)
            and np.array_equal(self.forest.quality(x), self.probe.quality)
        ):
            raise ModelError("the compiled model does not reproduce the estimator exactly; cannot package it")
        self._estimator: Any = estimator
        self._estimator_pickle: bytes | None = None

    @classmethod
    def _from_parts(
        cls,
        forest: CompiledForest,
        probe: Probe,
        estimator_pickle: bytes,
        feature_names: list[str],
        thresholds: dict[str, float],
        human_percentiles: np.ndarray,
        metadata: dict[str, Any],
    ) -> ModelBundle:
        self = cls.__new__(cls)
        self.feature_names = list(feature_names)
        self.thresholds = {k: float(v) for k, v in thresholds.items()}
        self.human_percentiles = np.asarray(human_percentiles, dtype=np.float64)
        self.metadata = dict(metadata)
        self.forest, self.probe = forest, probe
        self._estimator, self._estimator_pickle = None, estimator_pickle
        return self

    @property
    def estimator(self) -> Any:
        """The fitted scikit-learn estimator; unpickled (importing scikit-learn) on first access.

        The bytes were verified with the rest of the file (SHA-256) when the bundle was loaded.
        """
        if self._estimator is None:
            assert self._estimator_pickle is not None
            try:
                est = pickle.loads(self._estimator_pickle)
            except Exception as exc:
                raise ModelError(
                    f"cannot unpickle the estimator (pickled with scikit-learn "
                    f"{self.metadata.get('sklearn_version', '?')}): {exc}; scoring does not need it"
                ) from exc
            try:
                same = np.array_equal(
                    np.asarray(est.predict_proba(self.probe.x)[:, 0]), self.forest.quality(self.probe.x)
                )
            except Exception as exc:
                raise ModelError(f"the unpickled estimator cannot score: {exc}") from exc
            if not same:
                raise ModelError("the unpickled estimator and the compiled model disagree on the probe rows")
            self._estimator = est
        return self._estimator

    def estimator_pickle(self) -> bytes:
        """The estimator as pickled bytes (as stored in the file)."""
        if self._estimator_pickle is None:
            self._estimator_pickle = pickle.dumps(self._estimator, protocol=4)
        return self._estimator_pickle

    def __getstate__(self) -> dict[str, Any]:
        """The bundle as pickled (a :class:`~slopsift.scoring.Detector` sent to worker processes):
        without an estimator unpickled from the stored bytes, which rebuild it on first access (and
        a process that only scores never imports scikit-learn for it). A fitted estimator not yet
        pickled is its only copy (the compiled forest cannot give it back), so it stays."""
        state = dict(self.__dict__)
        if state["_estimator_pickle"] is not None:
            state["_estimator"] = None
        return state

    def quality(self, x: np.ndarray) -> np.ndarray:
        """``P(text is not low-quality generated content)`` for each row of ``x``."""
        return self.forest.quality(x)

    def human_percentile(self, j: int, value: float) -> float:
        """Percentile (0-100) of ``value`` among human reference texts for feature ``j``."""
        grid = self.human_percentiles[j]
        lo = int(np.searchsorted(grid, value, side="left"))
        hi = int(np.searchsorted(grid, value, side="right"))
        # Ties (common: many features are 0 for most texts) take the middle of the tied range.
        k = (lo + hi) // 2 if hi > lo else lo
        return float(PERCENTILES[min(100, k)])


# --- files ----------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _names_differ(meta: Mapping[str, Any]) -> str:
    """Where a model's recorded feature names first differ from this slopsift's, for the schema error."""
    theirs, ours = meta.get("feature_names"), feature_names()
    if not isinstance(theirs, list) or theirs == ours:
        return ""
    for k, (a, b) in enumerate(zip(theirs, ours, strict=False)):
        if a != b:
            return f", and its feature {k} is {a!r} where this slopsift has {b!r}"
    return f", and its feature names stop or go on at {min(len(theirs), len(ours))}"


def sidecar_path(path: str | Path) -> Path:
    """Where the metadata file (with the SHA-256) of the model file ``path`` is: ``NAME.json``
    beside ``NAME.joblib``. The loader finds it by the name it is given."""
    return Path(path).with_suffix(".json")


def check_bundle_path(path: str | Path) -> Path:
    """Raise ``ValueError`` unless :func:`save_bundle` can write a model to ``path``: it must not end
    in ``.json`` (any case: the sidecar would be the model file itself, or on a case-blind file system
    overwrite it), and neither it nor its sidecar may be a link or anything but a regular file (the
    loader finds the sidecar by the name it is given). Returns the sidecar's path."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        raise ValueError(
            f"{path}: a model file cannot end in .json, the suffix of the model's metadata file; "
            "name it .joblib"
        )
    side = sidecar_path(path)
    for target in (path, side):
        if target.is_symlink():
            raise ValueError(f"{target} is a link: give the model's real path")
        if target.exists() and not target.is_file():
            raise ValueError(f"{target} exists and is not a regular file")
    return side


def bundled_model_path() -> Path:
    return Path(str(resources.files("slopsift").joinpath("models").joinpath(BUNDLED_MODEL)))


_DTYPES = frozenset({"<f8", "<i4", "<i8", "|b1"})


def _pack(a: np.ndarray) -> dict[str, Any]:
    """An array as plain data (dtype string, shape, little-endian bytes)."""
    a = np.ascontiguousarray(a)
    dt = a.dtype.newbyteorder("<") if a.dtype.byteorder not in "|<" else a.dtype
    if dt.str not in _DTYPES:
        raise TypeError(f"unsupported dtype {a.dtype}")
    return {"dtype": dt.str, "shape": list(a.shape), "data": a.astype(dt).tobytes()}


def _unpack(d: Any) -> np.ndarray:
    if not (isinstance(d, dict) and d.get("dtype") in _DTYPES and isinstance(d.get("data"), bytes)):
        raise ModelError("malformed array in the bundle")
    shape = tuple(int(s) for s in d["shape"])
    a = np.frombuffer(d["data"], dtype=np.dtype(d["dtype"]))
    if a.size != math.prod(shape):
        raise ModelError("malformed array in the bundle: size does not match its shape")
    return a.reshape(shape).astype(np.dtype(d["dtype"]).newbyteorder("="))


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists, strings, bytes and numbers; refuses every class and function."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(
            f"refusing to load {module}.{name}: a format-2 bundle holds plain data only"
        )


def _read_plain(data: bytes, p: Path) -> dict[str, Any]:
    """The payload of a format-2 joblib file (joblib writes a zlib stream of a pickle)."""
    try:
        raw = zlib.decompress(data)
        payload = _PlainDataUnpickler(io.BytesIO(raw)).load()
    except (zlib.error, pickle.UnpicklingError, EOFError, ValueError) as exc:
        raise ModelError(f"{p} is not a format-{BUNDLE_FORMAT} slopsift bundle: {exc}") from None
    if not isinstance(payload, dict) or payload.get("format") not in _PLAIN_FORMATS:
        raise ModelError(f"{p} is not a format-{BUNDLE_FORMAT} slopsift bundle")
    return payload


def save_bundle(bundle: ModelBundle, path: Path) -> Path:
    """Write ``path`` (joblib, plain data) and its metadata sidecar; returns the sidecar path."""
    import joblib

    path = Path(path)
    side = check_bundle_path(path)
    f = bundle.forest
    meta = {k: v for k, v in bundle.metadata.items() if k not in _SIDECAR_ONLY}
    # The phrasing family's table is fitted with the model (slopsift.training.phrasing): a model is
    # valid with that table only. The training run passes the SHA-256 of the table it wrote.
    meta.setdefault("phrasing_table_sha256", phrasing_table_sha256())
    meta.update(
        bundle_format=BUNDLE_FORMAT,
        feature_schema_version=FEATURE_SCHEMA_VERSION,
        feature_schema_hash=feature_schema_hash(),
        feature_names=list(bundle.feature_names),
        thresholds=dict(bundle.thresholds),
    )
    meta_json = json.dumps(meta, indent=2, sort_keys=True)
    payload = {
        "format": BUNDLE_FORMAT,
        "feature_names": list(bundle.feature_names),
        "thresholds": dict(bundle.thresholds),
        "human_percentiles": _pack(np.asarray(bundle.human_percentiles, dtype=np.float64)),
        "forest": {
            "arrays": {k: _pack(f.arrays[k]) for k in CompiledForest.ARRAYS},
            "baseline": f.baseline,
            "a": f.a,
            "b": f.b,
            "terms": [[j, w] for j, w in f.terms],
        },
        "probe": {k: _pack(getattr(bundle.probe, k)) for k in ("x", "margin", "quality")},
        "estimator_pickle": bundle.estimator_pickle(),
        "metadata_json": meta_json,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Both files are written beside their targets and renamed into place at the end, the sidecar first:
    # a failure while writing (disk full, interrupt) leaves any previous model and sidecar as they
    # were. A crash between the two renames leaves the old model beside the new sidecar, which the
    # SHA-256 check refuses: an error, never a wrong score.
    with replacing(path) as tmp_model, replacing(side) as tmp_side:
        joblib.dump(payload, tmp_model, compress=3)
        meta = json.loads(meta_json)
        meta.update(sha256=sha256_file(tmp_model), size_bytes=tmp_model.stat().st_size, file=path.name)
        tmp_side.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return side


def load_bundle(path: str | Path | None = None, *, allow_pickle: bool = False) -> ModelBundle:
    """Load the bundled model, or the one at ``path`` after checking its SHA-256 and schema.

    A format-1 bundle is a pickle of scikit-learn objects, and opening it runs whatever code it
    holds; it loads only with ``allow_pickle=True`` (what :func:`upgrade_bundle` passes). The
    SHA-256 beside a file guards against damage, not against someone who can replace both files,
    so the sidecar alone must never be able to send a file down the pickle path.
    """
    if path is not None and not str(path).strip():
        raise ModelError("model path is empty: pass None for the bundled model, or a .joblib file")
    p = bundled_model_path() if path is None else Path(path)
    if p.is_dir():
        raise ModelError(f"{p} is a directory: pass the model's .joblib file")
    if not p.is_file():
        raise ModelError(f"model file not found: {p}")
    if p.suffix == ".json" and p.with_suffix(".joblib").is_file():
        raise ModelError(f"{p} is a model's metadata file: pass the model, {p.with_suffix('.joblib')}")
    side = sidecar_path(p)
    if not side.is_file():
        raise ModelIntegrityError(
            f"refusing to load {p}: its metadata file {side.name} (with the SHA-256) is missing; "
            "joblib files can run code when loaded, so only verified files are opened"
        )
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelIntegrityError(f"cannot read model metadata {side}: {exc}") from exc
    if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str):
        raise ModelIntegrityError(
            f"refusing to load {p}: {side.name} is not slopsift model metadata (it records no SHA-256)"
        )
    if "feature_schema_version" not in meta:
        raise ModelSchemaError(f"{p}: {side.name} records no feature schema: not a slopsift model's metadata")
    data = p.read_bytes()  # hashed and parsed from the same bytes: no swap in between
    expected = meta.get("sha256")
    actual = hashlib.sha256(data).hexdigest()
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
            f"{FEATURE_SCHEMA_VERSION!r} ({len(feature_names())} features){_names_differ(meta)}. "
            "Retrain with `slopsift train`."
        )
    table = meta.get("phrasing_table_sha256")
    if table != phrasing_table_sha256():
        raise ModelSchemaError(
            f"{p} was fitted with another function-word table (function_word_ngrams.tsv, SHA-256 "
            f"{table!r}) than this slopsift ships ({phrasing_table_sha256()}): the phrasing signal would "
            "score differently from what the model learned. Retrain with `slopsift train`."
        )
    fmt = meta.get("bundle_format", 1)
    if fmt == 1:
        if not allow_pickle:
            raise ModelError(
                f"refusing to load {p}: its metadata says bundle format 1, a pickle of scikit-learn "
                "objects that runs code when opened. If you trust the file, re-save it once as plain "
                f"data: python -c \"from slopsift.bundle import upgrade_bundle; upgrade_bundle('{p}')\""
            )
        return _load_format1(p, data, meta)
    if fmt not in _PLAIN_FORMATS:
        raise ModelError(
            f"{p} is bundle format {fmt!r}; this slopsift reads {BUNDLE_FORMAT}: upgrade slopsift"
        )
    payload = _read_plain(data, p)
    if payload.get("feature_names") != meta["feature_names"]:
        raise ModelSchemaError(f"{p}: feature names in the file differ from its metadata")
    try:
        fp = payload["forest"]
        if payload["format"] != fmt:
            raise ModelError(f"{p}: the file is format {payload['format']!r}, its metadata says {fmt!r}")
        if fmt >= 5:
            inside = json.loads(payload["metadata_json"])
            outside = {k: v for k, v in meta.items() if k not in _SIDECAR_ONLY}
            changed = sorted(k for k in inside.keys() | outside.keys() if inside.get(k) != outside.get(k))
            if changed:
                raise ModelIntegrityError(
                    f"refusing to load {p}: its metadata file differs from the copy inside the verified "
                    f"file in {', '.join(changed[:5])}"
                )
        terms = tuple((int(j), float(w)) for j, w in fp.get("terms", ()))
        forest = CompiledForest(
            {k: _unpack(fp["arrays"][k]) for k in CompiledForest.ARRAYS},
            fp["baseline"],
            fp["a"],
            fp["b"],
            terms,
        )
        probe = Probe(*(_unpack(payload["probe"][k]) for k in ("x", "margin", "quality")))
        est = payload["estimator_pickle"]
        hp = _unpack(payload["human_percentiles"])
        thresholds = {str(k): float(v) for k, v in payload["thresholds"].items()}
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise ModelError(f"{p}: malformed bundle ({type(exc).__name__}: {exc})") from None
    if not isinstance(est, bytes) or forest.n_features > len(meta["feature_names"]):
        raise ModelError(f"{p}: malformed bundle")
    problem = forest.reproduces(probe)
    if problem:
        raise ModelError(
            f"{p}: the compiled model does not reproduce the scores recorded when it was saved "
            f"({problem}); the file or this slopsift's evaluator is inconsistent"
        )
    return ModelBundle._from_parts(forest, probe, est, meta["feature_names"], thresholds, hp, meta)


def _load_format1(p: Path, data: bytes, meta: dict[str, Any]) -> ModelBundle:
    """A format-1 bundle (the estimator pickled directly): unpickled with scikit-learn, compiled."""
    import joblib

    warnings.warn(
        f"{p} is an older bundle (format 1) that needs scikit-learn to load (~1 s); re-save it once "
        f"with `python -c \"from slopsift.bundle import upgrade_bundle; upgrade_bundle('{p}')\"`",
        ModelFormatWarning,
        stacklevel=3,
    )
    payload = joblib.load(io.BytesIO(data))
    if payload.get("feature_names") != meta["feature_names"]:
        raise ModelSchemaError(f"{p}: feature names in the file differ from its metadata")
    return ModelBundle(
        estimator=payload["estimator"],
        feature_names=list(payload["feature_names"]),
        thresholds=payload["thresholds"],
        human_percentiles=payload["human_percentiles"],
        metadata=meta,
    )


def upgrade_bundle(path: str | Path, out: str | Path | None = None) -> Path:
    """Re-save a bundle (format 1 or 2) in the current format, same model and metadata. A format-1
    file is a pickle: upgrade only one you trust (opening it runs its code).

    Writes ``out`` (default: in place) and its sidecar; returns the joblib path.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelFormatWarning)
        bundle = load_bundle(path, allow_pickle=True)
    target = Path(out) if out is not None else Path(path)
    save_bundle(bundle, target)
    return target
