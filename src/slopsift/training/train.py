"""Reproduce the shipped model, or train one on your own labelled data.

``python -m slopsift.training.train --data-dir ../shared/data`` rebuilds the corpus, extracts
features, runs the grouped evaluation with both baselines, fits the final model, and writes
``models/slopsift-model.joblib`` with its metadata, ``models/metrics.json`` and
``models/MODEL_CARD.md``. The same fitting code serves ``slopsift train`` on a user's JSONL.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import hashlib
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from slopsift._version import __version__
from slopsift.bundle import (
    BUNDLED_MODEL,
    ModelBundle,
    bundled_model_path,
    check_bundle_path,
    save_bundle,
    sidecar_path,
)
from slopsift.features import (
    FEATURE_SCHEMA_VERSION,
    extract_features,
    feature_names,
    feature_schema_hash,
    features_and_gates,
)
from slopsift.inputs import READ_ERRORS, ReadOptions, open_binary, utf8_lines
from slopsift.signals import phrasing
from slopsift.training import phrasing as phrasing_fit
from slopsift.training._labels import HUMAN_LABELS, LABEL_SPELLINGS, MACHINE_LABELS
from slopsift.training._paths import OutputWriteError, check_output_path
from slopsift.training.evaluate import PROTOCOLS, Table, evaluate_protocols
from slopsift.training.fit import (
    CALIB_FRACTION,
    FPR_POINTS,
    MIN_DOMAIN_HUMANS,
    MIN_GROUPS_PER_LABEL,
    LearnedColumns,
    calibration_split,
    fit_calibrated,
    human_percentiles,
)
from slopsift.training.metrics import fpr_at, summary

__all__ = ["features_cached", "fit_bundle", "load_labelled_jsonl", "main", "table_from_records"]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _timed_features(n: int) -> Iterator[None]:
    """Time the block that computes the features of ``n`` texts and log it: the one progress line of
    both paths that compute them (:func:`features_cached`, ``slopsift train``)."""
    t0 = time.perf_counter()
    yield
    _log(f"features: {n} texts in {time.perf_counter() - t0:.1f}s")


def features_cached(texts: Sequence[str], cache_dir: Path | None, n_jobs: int) -> np.ndarray:
    """Feature matrix for ``texts``, cached on disk by content and feature-schema hash."""
    h = hashlib.sha256(feature_schema_hash().encode())
    # The implementation is part of the key: a changed signal must never reuse stale features.
    pkg = Path(__file__).resolve().parent.parent
    for src in sorted([*pkg.glob("*.py"), *pkg.glob("signals/*.py"), *pkg.glob("lexicons/*")]):
        if src.is_file():
            h.update(src.read_bytes())
    for t in texts:
        h.update(hashlib.sha1(t.encode("utf-8", "surrogatepass")).digest())
    path = cache_dir / f"features-{h.hexdigest()[:16]}.npy" if cache_dir else None
    if path is not None and path.is_file():
        _log(f"features: cached {path}")
        return np.asarray(np.load(path), dtype=np.float64)
    with _timed_features(len(texts)):
        x = extract_features(texts, n_jobs=n_jobs)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, x)
    return x


def table_from_records(records: Sequence[Any], x: np.ndarray) -> Table:
    """A :class:`Table` from prepared corpus records (see :mod:`slopsift.training.prepare`)."""
    return Table(
        texts=[r.text for r in records],
        y=np.array([1 if r.label == "machine" else 0 for r in records], dtype=np.int64),
        source=np.array([r.source for r in records]),
        generator=np.array([r.generator for r in records]),
        domain=np.array([r.domain for r in records]),
        group=np.array([r.group for r in records]),
        role=np.array([r.split_role for r in records]),
        repo=np.array([(r.meta or {}).get("source_repo", "") for r in records]),
        x=x,
    )


def fit_bundle(
    t: Table,
    *,
    seed: int = 0,
    metadata: dict[str, Any] | None = None,
    learned: LearnedColumns | None = None,
) -> ModelBundle:
    """Fit, calibrate and package a model on every record of ``t``.

    Operating points hold on every training domain as if it were unseen, too (see
    :func:`slopsift.training.fit.heldout_domain_points`); with a single domain that adds nothing.
    """
    fit = fit_calibrated(
        t.x,
        t.y,
        t.group.tolist(),
        t.source.tolist(),
        t.domain.tolist(),
        seed=seed,
        heldout_domains=True,
        learned=learned,
        voters=t.voters(),
    )
    meta = dict(metadata or {})
    meta.setdefault("model_version", f"slopsift-{__version__}")
    meta.update(
        slopsift_version=__version__,
        sklearn_version=_sklearn_version(),
        trained_at=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        training_data={
            "n": len(t.y),
            "n_machine": int(t.y.sum()),
            "by_source_label": _counts(
                f"{s}/{'machine' if y else 'human'}" for s, y in zip(t.source, t.y, strict=True)
            ),
            "generators": _counts(t.generator[t.y == 1].tolist()),
            "domains": _counts(t.domain.tolist()),
        },
        calibration={"n": len(fit.calib_index), "method": "sigmoid", "held_out_by": "group"},
        operating_points={
            "rule": "lowest of the held-out human quantiles: pooled and per domain in calibration, and "
            "per training domain under a model fitted without it",
            "heldout_domains": fit.heldout_thresholds or {},
        },
        classifier={
            "reads": [n for n, r in zip(feature_names(), fit.plan.read, strict=True) if r],
            "human_evidence": fit.plan.human_evidence,
            "evidence_terms": {feature_names()[j]: w for j, w in getattr(fit.estimator, "terms", ())},
        },
    )
    return ModelBundle(
        estimator=fit.estimator,
        feature_names=feature_names(),
        thresholds=fit.thresholds,
        human_percentiles=human_percentiles(t.x[t.y == 0]),
        metadata=meta,
    )


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


def _counts(items: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(items).items()))


# --- user data -------------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a UTF-8 file, or UTF-16/32 with a BOM (a BOM is consumed), gunzipped
    when it starts with gzip's magic bytes (whatever its name): read as `slopsift score` reads a JSONL
    file (:func:`~slopsift.inputs.utf8_lines`). Each line is decoded alone, so an error names its line."""
    try:
        with open_binary(str(path), ReadOptions()) as f:
            lines, encoding = utf8_lines(f)
            for n, raw in enumerate(lines, 1):
                try:
                    yield n, raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    if encoding != "utf-8":  # recoded: the byte offset is not the file's
                        raise ValueError(f"{path}:{n}: not valid in the UTF-16/32 its BOM names") from None
                    raise ValueError(f"{path}:{n}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a directory: pass a JSONL file") from None
    except FileNotFoundError:
        raise ValueError(f"no such file: {path}") from None
    except READ_ERRORS as exc:
        raise ValueError(f"{path}: cannot be read ({exc})") from None


def load_labelled_jsonl(path: Path) -> Table:
    """Read a user's JSONL: ``text``, ``label`` (:data:`LABEL_SPELLINGS`), optional ``group``,
    ``source``, ``domain``, ``split_role`` and ``generator`` (a machine text's model: those in
    :data:`~slopsift.training.fit.CONTINUATION_GENERATORS` train but do not vote, as in the shipped fit).

    A record without a ``group`` (or with ``null``) is its own group, and identical texts are put in
    one group, so that no copy of a text is fitted on while another calibrates or tests. The first bad
    record stops the read with its line number: training data is never silently cut.
    """
    texts, ys, groups, sources, domains, roles, generators = [], [], [], [], [], [], []
    for n, line in _lines(path):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"{path}:{n}: not valid JSON ({exc or 'nested too deeply'})") from None
        if not isinstance(rec, dict):
            raise ValueError(f'{path}:{n}: not a JSON object (a record is {{"text": ..., "label": ...}})')
        text, raw_label = rec.get("text"), rec.get("label")
        if not isinstance(text, str):
            raise ValueError(f"{path}:{n}: field 'text' missing or not a string")
        if raw_label is None:
            raise ValueError(f"{path}:{n}: field 'label' missing ({LABEL_SPELLINGS})")
        label = str(raw_label).strip().lower()
        if label not in MACHINE_LABELS | HUMAN_LABELS or isinstance(raw_label, float):
            raise ValueError(
                f"{path}:{n}: label {raw_label!r} is neither human nor machine ({LABEL_SPELLINGS})"
            )
        group = rec.get("group")
        texts.append(text)
        ys.append(1 if label in MACHINE_LABELS else 0)
        groups.append(f"\0line {n}" if group is None or group == "" else str(group))
        sources.append(str(rec.get("source") or "user"))
        domains.append(str(rec.get("domain") or "user"))
        roles.append(str(rec.get("split_role") or "train").strip().lower())
        model = str(rec.get("generator") or "").strip().lower()
        generators.append(model or ("machine" if ys[-1] else "human"))
    if not texts:
        raise ValueError(f"{path}: no records")
    n = len(texts)
    return Table(
        texts,
        np.array(ys, dtype=np.int64),
        np.array(sources),
        np.array(generators),
        np.array(domains),
        np.array(_merge_copies(texts, groups)),
        np.array(roles),
        np.array([""] * n),
        np.empty((n, 0)),
    )


def _merge_copies(texts: Sequence[str], groups: Sequence[str]) -> list[str]:
    """``groups`` with every group holding a copy of a text merged into one (union-find)."""
    parent: dict[str, str] = {}

    def find(g: str) -> str:
        while parent.get(g, g) != g:
            parent[g] = parent.get(parent[g], parent[g])
            g = parent[g]
        return g

    first: dict[str, str] = {}
    for text, g in zip(texts, groups, strict=True):
        other = first.setdefault(text, g)
        a, b = find(other), find(g)
        if a != b:
            parent[b] = a
    return [find(g) for g in groups]


def data_notes(t: Table) -> list[str]:
    """What a user should know about their data before trusting a model fitted on it."""
    notes = []
    seen: dict[str, set[int]] = {}
    for text, y in zip(t.texts, t.y.tolist(), strict=True):
        seen.setdefault(text, set()).add(int(y))
    copies = len(t.texts) - len(seen)
    if copies:
        notes.append(f"{copies} records repeat an earlier text (each text's copies are kept in one group)")
    both = sum(len(v) == 2 for v in seen.values())
    if both:
        notes.append(f"{both} texts appear with both labels: check them, the model learns from both")
    return notes


DEFAULT_FPR = 0.05
"""The default operating point's rate (``fpr_0.05``)."""


def min_human_groups() -> int:
    """Fewest human groups that hold out ``1 / rate`` of them for the default (5%) operating point,
    which is a quantile of the held-out human scores: fewer, and it is a guess (on 7 held-out texts
    the "5%" threshold of one data set ranged from 0.30 to 0.996 with the seed)."""
    return max(MIN_GROUPS_PER_LABEL, math.ceil(round(1 / DEFAULT_FPR) / CALIB_FRACTION))


def check_trainable(t: Table, name: str, *, notes: bool = True) -> None:
    """Refuse data too small to fit, calibrate and set the default threshold on, saying how much is
    needed; with ``notes``, note when the strictest operating point cannot be measured (fewer held-out
    human groups than ``1 / rate``: its threshold is then the lowest human score)."""
    counts = {lab: len(set(t.group[t.y == v].tolist())) for lab, v in (("human", 0), ("machine", 1))}
    need = {"human": min_human_groups(), "machine": MIN_GROUPS_PER_LABEL}
    if any(counts[k] < need[k] for k in counts):
        raise ValueError(
            f"{name}: {counts['human']} human and {counts['machine']} machine groups (a text without "
            f"'group' is its own); training needs at least {need['human']} human and "
            f"{need['machine']} machine groups, since {CALIB_FRACTION:.0%} are held out to calibrate "
            f"the scores and the default threshold flags {DEFAULT_FPR:.0%} of those human texts"
        )
    held, needed = int(counts["human"] * CALIB_FRACTION), round(1 / min(FPR_POINTS))
    if notes and held < needed:
        _log(
            f"note: about {held} human groups will be held out; with fewer than {needed} the "
            f"{min(FPR_POINTS):.0%} operating point is the lowest human score, not a measured rate"
        )


def _train_role(t: Table) -> Table:
    """``t`` without the records whose ``split_role`` is not ``train`` (check-only data must never be
    fitted on), each role's count noted on standard error."""
    other = t.role != "train"
    for role, k in sorted(Counter(t.role[other].tolist()).items()):
        _log(f"note: {k} records have split_role {role!r}: not trained on")
    return t.subset(~other)


def _ungated(t: Table, gates: Sequence[str], verb: str) -> tuple[Table, np.ndarray]:
    """``t`` without the records the scorer gates (``gates``: each text's, as
    :func:`slopsift.features.gate` gives it), each gate's count noted, and the mask of the records
    kept: gated texts are never scored, so they neither train nor test."""
    gate_of = np.array(gates)
    keep = gate_of == "ok"
    for g, k in sorted(Counter(gate_of[~keep].tolist()).items()):
        _log(f"note: {k} records are {g} (as `slopsift score` labels them): not {verb}")
    return t.subset(keep), keep


def cmd_train(args: argparse.Namespace) -> int:
    data, out = Path(args.data), Path(args.out)
    check_output_path(args.out, "--out", inputs=[data])
    try:
        check_bundle_path(out)  # what save_bundle requires, checked before the fit
    except ValueError as exc:
        raise ValueError(f"--out {exc}") from None
    check_output_path(sidecar_path(out), "its metadata file", inputs=[data])
    t = _train_role(load_labelled_jsonl(data))
    for note in [*data_notes(t), *_table_overlap_notes(t)]:
        _log(f"note: {note}")
    # Gating only removes groups: data too small as it is is refused before any feature is computed.
    check_trainable(t, str(args.data), notes=False)
    with _timed_features(len(t.texts)):
        t.x, gates = features_and_gates(t.texts, n_jobs=args.jobs)  # one parse per text gives both
    t, _ = _ungated(t, gates, "trained on")
    check_trainable(t, str(args.data))
    check_calibration_humans(t, args.seed)
    bundle = fit_bundle(t, seed=args.seed, metadata={"model_version": out.stem})
    held = bundle.metadata["operating_points"]["heldout_domains"]
    humans = Counter(t.domain[t.y == 0].tolist())
    skipped = [d for d, k in humans.items() if k >= MIN_DOMAIN_HUMANS and d not in held]
    for d in sorted(skipped) if len(humans) > 1 else []:
        _log(f"note: domain {d!r} was not held out for the thresholds: too little data without it")
    try:
        side = save_bundle(bundle, out)
    except OSError as exc:
        raise OutputWriteError(f"model not written to {out}: {exc}") from None
    _log(f"wrote {out} and {side} (thresholds: {bundle.thresholds})")
    return 0


def _table_overlap_notes(t: Table) -> list[str]:
    """A note when ``t`` names sources the shipped phrasing table was counted on (``prepare-data``'s
    output, say): their phrasing values are then in-sample, and the model learns to trust it too much."""
    try:
        meta = json.loads(sidecar_path(bundled_model_path()).read_text(encoding="utf-8"))
        counted = {k.rsplit("/", 1)[0] for k in meta["training_data"]["by_source_label"]}
    except (OSError, ValueError, KeyError, TypeError):
        return []
    shared = sorted(counted & set(t.source.tolist()))
    if not shared:
        return []
    return [
        f"records of {', '.join(shared)}: the shipped phrasing table (function_word_ngrams.tsv) was counted "
        "on these corpora, so their phrasing.function_word_ngram_score values are in-sample and the model "
        "will trust that signal too much; `python -m slopsift.training.train` refits the table with "
        "cross-fitting instead"
    ]


def check_calibration_humans(t: Table, seed: int) -> None:
    """Refuse a split (it is by group, so its share of human texts varies) that holds out fewer than
    ``1 / rate`` human texts for the default operating point: that threshold would be a guess."""
    _, cal = calibration_split(t.group.tolist(), seed=seed)
    held, needed = int((t.y[cal] == 0).sum()), round(1 / DEFAULT_FPR)
    if held < needed:
        raise ValueError(
            f"the calibration split (seed {seed}) holds {held} human texts; the default threshold flags "
            f"{DEFAULT_FPR:.0%} of them and needs at least {needed}: add human texts (or groups)"
        )


def _finite(v: Any) -> Any:
    """JSON-ready: NaN (a rate with nothing to count) becomes null."""
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Metrics of a model on labelled data, scored exactly as ``slopsift score`` scores it (gated
    records are counted, not scored). With one label only, the rates of that label."""
    from slopsift.scoring import Detector

    loaded = load_labelled_jsonl(Path(args.data))
    detector = Detector(args.model)  # the model is loaded and verified once, here (workers get it)
    bundle = detector.bundle
    # Every text is parsed once: its report carries the gate that decides whether it counts.
    every = detector.score_many(loaded.texts, n_jobs=args.jobs)
    t, scored = _ungated(loaded, [r.signals.gate for r in every], "scored")
    res: dict[str, Any] = {"records": len(loaded.y), "scored": len(t.y)}
    if len(t.y):
        q = np.array([r.quality for r in every], dtype=np.float64)[scored]
        p = 1.0 - q
        for key, thr in sorted(bundle.thresholds.items()):
            s = summary(t.y, p, q < thr)
            # At this point: "fpr" of the human texts and "tpr" of the machine ones flagged.
            res[key] = {
                **{k: v for k, v in s.items() if k not in ("fpr_default", "tpr_default")},
                "n": int(s["n"]),
                "n_machine": int(s["n_machine"]),
                "fpr": s["fpr_default"],
                "tpr": s["tpr_default"],
            }
        res["human_domain_fpr"] = {
            d: fpr_at(t.y[t.domain == d], (q < bundle.thresholds["fpr_0.05"])[t.domain == d])
            for d in sorted(set(t.domain[t.y == 0].tolist()))
        }
    print(json.dumps(_finite(res), indent=2))
    return 0


# --- the shipped model ----------------------------------------------------------------------------


def _iter_check(t: Table, bundle: ModelBundle) -> Iterator[dict[str, Any]]:
    """Per (source, domain, cefr/level) metrics of the final model on check-only and attack data."""
    q = bundle.quality(t.x)
    flagged = q < bundle.thresholds["fpr_0.05"]
    level = t.extra.get("level", np.array([""] * len(t.y)))
    keys = sorted(
        set(zip(t.source.tolist(), t.domain.tolist(), level.tolist(), t.role.tolist(), strict=True))
    )
    for src, dom, lev, role in keys:
        m = (t.source == src) & (t.domain == dom) & (level == lev) & (t.role == role)
        y = t.y[m]
        row = {"source": src, "domain": dom, "level": lev, "role": role, "n": int(m.sum())}
        if (y == 0).any():
            row["fpr_default"] = fpr_at(y, flagged[m])
            row["fpr_1pct_point"] = fpr_at(y, (q < bundle.thresholds["fpr_0.01"])[m])
        if (y == 1).any():
            row["tpr_default"] = float(np.mean(flagged[m][y == 1]))
        if len(set(y.tolist())) == 2:
            row["auroc"] = summary(y, 1.0 - q[m])["auroc"]
        yield row


def training_table(
    records: Sequence[Any], build: Path, *, seed: int, jobs: int, augment: bool = True
) -> Table:
    """The prepared corpus as the shipped model's table: its content-farm copies added (``augment``),
    features computed or read from ``build``'s cache, each record's CEFR level or attack and whether it
    is a copy kept beside it. ``reproduce`` and ``benchmarks/ablation.py`` share it, so both see one table."""
    from slopsift.training.augment import augment_records

    augmented = augment_records(records, seed=seed) if augment else []
    records = list(records) + augmented
    _log(f"corpus: {len(records)} records ({len(augmented)} augmented copies)")
    t = table_from_records(records, features_cached([r.text for r in records], build, jobs))
    t.extra["level"] = np.array(
        [str((r.meta or {}).get("cefr") or (r.meta or {}).get("attack") or "") for r in records]
    )
    t.extra["augmented"] = np.array([bool((r.meta or {}).get("augmented")) for r in records])
    return t


def reproduce(args: argparse.Namespace) -> int:
    from slopsift.training import prepare
    from slopsift.training.baselines import gopher_scores

    data_dir = Path(args.data_dir)
    build = Path(args.build_dir)
    corpus_path = build / "corpus.jsonl.gz"
    records = prepare.read_jsonl(corpus_path) if corpus_path.is_file() and not args.rebuild else []
    if {r.source for r in records} != set(prepare.LOADERS):  # none cached, or cached before a source came
        records = prepare.build_corpus(data_dir)
        prepare.write_jsonl(records, corpus_path)
    t = training_table(records, build, seed=args.seed, jobs=args.jobs, augment=not args.no_augment)
    train_m = t.role == "train"
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts, ratios, fold_column = phrasing_fit.learn_column(t, seed=args.seed, log=_log)
    table = out_dir / phrasing.TABLE
    phrasing_fit.write_table(table, counts, ratios, int((train_m & ~t.extra["augmented"]).sum()))
    table_sha = hashlib.sha256(table.read_bytes()).hexdigest()
    results: dict[str, Any] = {}
    if args.grouped_from:
        grouped = json.loads(Path(args.grouped_from).read_text(encoding="utf-8"))
        # a metrics.json holds the grouped results under "grouped"; a partial file is them alone
        results["grouped"] = grouped.get("grouped", grouped) if isinstance(grouped, dict) else grouped
    elif not args.skip_eval:
        protocols = tuple(args.protocols.split(",")) if args.protocols else PROTOCOLS
        results["grouped"] = evaluate_protocols(
            t,
            protocols,
            gopher=gopher_scores,
            baselines=not args.no_baselines,
            seed=args.seed,
            cache=build / "baseline-cache.json",
            on_protocol=lambda partial: (build / "grouped-partial.json").write_text(
                json.dumps(partial, indent=1)
            ),
            learned=fold_column,
        )
    bundle = fit_bundle(
        t.subset(train_m),
        seed=args.seed,
        metadata={"phrasing_table_sha256": table_sha},
        learned=fold_column.subset(train_m),
    )
    side = save_bundle(bundle, out_dir / BUNDLED_MODEL)
    bundle.metadata = json.loads(side.read_text(encoding="utf-8"))
    results["final_model"] = {
        "thresholds": bundle.thresholds,
        "per_source": list(_iter_check(t, bundle)),
    }
    results["generated_by"] = "python -m slopsift.training.train --data-dir ../shared/data"
    results["feature_schema"] = {"version": FEATURE_SCHEMA_VERSION, "hash": feature_schema_hash()}
    (out_dir / "metrics.json").write_text(
        json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    from slopsift.training.card import probe_of, write_model_card

    if table_sha != phrasing.table_sha256():
        _log(
            f"note: {table} differs from the installed {phrasing.TABLE}: the model loads only beside it. "
            "Copy it to src/slopsift/lexicons/ (and the model to models/), then rerun "
            "`python -m slopsift.training.card`: the card's probe figures used the installed table"
        )
    write_model_card(out_dir / "MODEL_CARD.md", bundle, results, probe_of(bundle))
    _log(f"wrote {out_dir}/{BUNDLED_MODEL}, {phrasing.TABLE}, metrics.json, MODEL_CARD.md")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m slopsift.training.train", description=__doc__)
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--out-dir", default="models")
    ap.add_argument("--jobs", type=int, default=-1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--protocols", default="", help="comma-separated subset of: " + ",".join(PROTOCOLS))
    ap.add_argument("--skip-eval", action="store_true")
    ap.add_argument("--grouped-from", default="", help="reuse grouped results saved by an earlier run (JSON)")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--no-augment", action="store_true", help="no content-farm augmentation")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the corpus even if build/ has it")
    return reproduce(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
