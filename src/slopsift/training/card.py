"""Writes ``models/MODEL_CARD.md`` from the bundle's metadata and the evaluation results.

``python -m slopsift.training.train`` writes it after training; ``python -m slopsift.training.card``
rewrites it from the files already in ``models/`` (after re-saving a bundle, say), without training.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from slopsift.bundle import BUNDLED_MODEL, ModelBundle, load_bundle
from slopsift.training.fit import CONTINUATION_GENERATORS
from slopsift.training.probes import (
    DEFAULT_PROBE_ROOT,
    describe,
    probe_sets,
    probe_summary,
    probe_table,
    read_probe,
)

__all__ = ["LICENCES", "evaluation_tables", "main", "probe_of", "write_model_card"]

LICENCES = {
    "detectrl": "none stated (research benchmark; underlying arXiv, XSum, WritingPrompts, Yelp)",
    "llmfake-misinfo": "none stated (research release; PolitiFact, GossipCop, CoAID)",
    "fast-detectgpt": "MIT (underlying XSum, WritingPrompts, PubMedQA, SQuAD)",
    "web-articles": "per source, see shared/data/web-articles/SOURCES.md",
    "kaggle-daigt-essays": "PERSUADE: CC BY-NC-SA 4.0",
    "outfox-essays": "Apache-2.0; essays PERSUADE (CC BY-NC-SA 4.0)",
    "so-chatgpt-answers": "human side CC BY-SA",
    "stackexchange-small-sites": "CC BY-SA 3.0",
    "hc3-qa-subsets": "CC BY-SA (or the source's)",
    "herbold-essays-chatgpt": "Apache-2.0 (essays: research use)",
    "ellipse-ell-essays": "CC BY-NC-SA 4.0",
    "wi-learner-essays": "non-commercial research only",
    "chat-2026-pairs": "MIT (written for slopsift; ships in the package, slopsift.training.chat_pairs)",
}


def _f(v: Any, digits: int = 3) -> str:
    if isinstance(v, float):
        return "n/a" if v != v else f"{v:.{digits}f}"
    return "n/a" if v is None else str(v)


def evaluation_tables(results: dict[str, Any]) -> str:
    """Markdown tables of the grouped evaluation (means per protocol, then every fold)."""
    grouped = results.get("grouped", {})
    lines: list[str] = []
    if not grouped:
        return "(evaluation not run)\n"
    lines += [
        "| protocol | method | AUROC | TPR@1%FPR | TPR@5%FPR | ECE | FPR at default |",
        "|---|---|---|---|---|---|---|",
    ]
    for protocol, res in grouped.items():
        for method, m in res["mean"].items():
            lines.append(
                f"| {protocol} | {method} | {_f(m.get('auroc'))} | {_f(m.get('tpr_at_1fpr'))} | "
                f"{_f(m.get('tpr_at_5fpr'))} | {_f(m.get('ece'))} | {_f(m.get('fpr_default'))} |"
            )
    lines.append("")
    for protocol, res in grouped.items():
        lines += [
            f"#### Held out by {protocol}",
            "",
            "| held out | n | slopsift AUROC | TPR@5% | ECE | FPR default | TF-IDF+LR AUROC | Gopher AUROC |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in res["folds"]:
            s = row["slopsift"]
            lines.append(
                f"| {row['fold']} | {int(s['n'])} | {_f(s['auroc'])} | {_f(s['tpr_at_5fpr'])} | {_f(s['ece'])} | "
                f"{_f(s.get('fpr_default'))} | {_f(row.get('tfidf_lr', {}).get('auroc'))} | "
                f"{_f(row.get('gopher', {}).get('auroc'))} |"
            )
        lines.append("")
        if protocol == "generator":
            lines += [generator_split(res["folds"]), ""]
    return "\n".join(lines) + "\n"


def generator_split(folds: list[dict[str, Any]]) -> str:
    """The generator protocol's mean AUROC apart for the base models' continuations and the rest: the
    two behave so differently that the mean of all folds describes neither."""

    def mean(rows: list[dict[str, Any]], method: str) -> float | None:
        v = [r[method]["auroc"] for r in rows if method in r and r[method]["auroc"] == r[method]["auroc"]]
        return sum(v) / len(v) if v else None

    base = [r for r in folds if r["fold"] in CONTINUATION_GENERATORS]
    rest = [r for r in folds if r["fold"] not in CONTINUATION_GENERATORS]
    return (
        f"Mean AUROC over the {len(rest)} other generators' folds (instruction-tuned and chat models, and "
        f"`unknown`): slopsift {_f(mean(rest, 'slopsift'))}, TF-IDF+LR {_f(mean(rest, 'tfidf_lr'))}; over the "
        f"{len(base)} base models continuing a human text ({_continuations()}): slopsift "
        f"{_f(mean(base, 'slopsift'))}, TF-IDF+LR {_f(mean(base, 'tfidf_lr'))}."
    )


def _per_source_table(results: dict[str, Any]) -> str:
    rows = results.get("final_model", {}).get("per_source", [])
    lines = [
        "| source | domain | level/attack | role | n | FPR (5% point) | FPR (1% point) | TPR (5% point) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["role"] == "train":
            continue
        lines.append(
            f"| {r['source']} | {r['domain']} | {r['level'] or '-'} | {r['role']} | {r['n']} | "
            f"{_f(r.get('fpr_default'))} | {_f(r.get('fpr_1pct_point'))} | {_f(r.get('tpr_default'))} |"
        )
    return "\n".join(lines) + "\n"


def _domain_fpr_table(results: dict[str, Any]) -> str:
    """Per human domain: the FPR at the fold's own default threshold, for every fold it was tested in."""
    lines = ["| protocol | held out | human domain | FPR |", "|---|---|---|---|"]
    for protocol, res in results.get("grouped", {}).items():
        for row in res["folds"]:
            for dom, fpr in sorted(row.get("human_domain_fpr", {}).items()):
                lines.append(f"| {protocol} | {row['fold']} | {dom} | {_f(fpr)} |")
    return "\n".join(lines) + "\n"


def _size(meta: dict[str, Any]) -> str:
    n = meta.get("size_bytes")
    return f", {n / 1024:,.0f} KiB" if isinstance(n, int) else ""


def _continuations() -> str:
    return ", ".join(f"`{g}`" for g in sorted(CONTINUATION_GENERATORS))


def _human_evidence(meta: dict[str, Any]) -> str:
    names = (meta.get("classifier") or {}).get("human_evidence")
    if names is None:
        return "(not recorded in this bundle)"
    return ", ".join(f"`{n}`" for n in names) if names else "none"


def _evidence_terms(meta: dict[str, Any], default_threshold: float | None) -> str:
    terms = (meta.get("classifier") or {}).get("evidence_terms")
    if not terms:
        return ""
    listed = ", ".join(f"`{n}` (weight {w:+.2f})" for n, w in terms.items())
    return (
        "\nSignals whose absence means nothing (misspellings: careful human writers make none either; a recent "
        "chat\nmodel's stock rhetoric: older generators and most people use none) never reach the trees; after "
        "calibration\neach adds `weight * v / (v + 1)` to the log-odds of quality, its sign fixed by the "
        "signal's direction:\nevidence for a human author can only raise quality, evidence for a machine only "
        "lower it, by less than\nthe weight, and a text without any scores exactly as the trees say. A human-"
        "evidence weight is fitted on\nthe calibration split; a machine-evidence weight on the sources where "
        "the signal separates, with\nlog-odds cross-fitted by group (`slopsift.training.fit.machine_term_"
        f"weight`). Here: {listed}.\n{_set_terms(terms, default_threshold)}"
    )


def _set_terms(terms: dict[str, float], default_threshold: float | None) -> str:
    """The terms whose weight is set, not fitted (``slopsift.training.fit.SET_TERMS``), and why; the
    margin they stay under is read from the bundle's default threshold."""
    from slopsift.training.fit import PASTED_WEIGHT, SET_TERMS, SET_WEIGHT

    named = [f"`{n}`" for n in terms if SET_TERMS.get(n) == SET_WEIGHT]
    pasted = [
        f"\n`{n}` has its weight set too, at the bound ({w:.2f}): no corpus holds a human text pasted "
        "twice, and that weight\ntakes one under the default threshold (`slopsift.training.fit.PASTED_WEIGHT`).\n"
        for n, w in terms.items()
        if SET_TERMS.get(n) == PASTED_WEIGHT
    ]
    if not named:
        return "".join(pasted)
    gap = (
        "n/a"
        if default_threshold is None
        else f"{math.log((1.0 - default_threshold) / default_threshold):.2f}"
    )
    return (
        f"\n{', '.join(named)} are traits of the content-farm archetype or of pasted chat output that no "
        "training corpus\nholds on its machine side (self-contradictions, page chrome, lone-word lines, a chat "
        "preamble), so their weight is set, "
        f"not fitted: below the {gap}\nlog-odds between even odds and the default threshold, so one cannot "
        "flag alone a text the other signals\nrate at even odds or better (`slopsift.training.fit.SET_TERMS`); "
        "the trees read none of the chrome and\nlone-word features (`slopsift.training.fit.TERM_ONLY`).\n"
    ) + "".join(pasted)


def _probe_section(probes: dict[str, dict[str, Any]] | None) -> str:
    if not probes:
        return "(no probe sets: the card was written outside a checkout with `benchmarks/probes`)\n"
    out = [
        "Texts a current chat model wrote for this check, each answering an ordinary request; never fitted on "
        "and\nwithout human counterparts, so each gives the share flagged at the default operating point, not "
        "an AUROC.\nslopsift measures habits (boilerplate, template structure, repetition, scrape debris, the "
        "rhetoric of recent\nchat models), not authorship as such: fluent text that avoids them is not flagged, "
        "whoever wrote it.\nReproduce with `python benchmarks/probe.py --dir benchmarks/probes/NAME`.\n",
    ]
    for name, s in probes.items():
        share = s["flagged"] / s["n"]
        out += [
            f"### `{name}`: {s['flagged']} of {s['n']} flagged ({share:.1%})\n",
            f"{s['description']}\n" if s.get("description") else "",
            probe_table(s),
        ]
    return "\n".join(part for part in out if part)


def write_model_card(
    path: Path,
    bundle: ModelBundle,
    results: dict[str, Any],
    probes: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Write the card; ``probes``: per probe set, the bundle's summary on it (:func:`probe_of`), if any."""
    meta = bundle.metadata
    td = meta.get("training_data", {})
    sources = sorted({k.split("/")[0] for k in td.get("by_source_label", {})})
    data_rows = "\n".join(f"| {s} | {LICENCES.get(s, 'see shared/data')} |" for s in sources)
    counts = "\n".join(f"| {k} | {v} |" for k, v in td.get("by_source_label", {}).items())
    gens = ", ".join(f"{g} ({n})" for g, n in td.get("generators", {}).items())
    doms = ", ".join(f"{d} ({n})" for d, n in td.get("domains", {}).items())
    thr = bundle.thresholds
    text = f"""# slopsift model card

**Model**: `{meta.get("model_version")}` (file `{meta.get("file")}`{_size(meta)}, SHA-256 `{meta.get("sha256", "")[:16]}...`),
slopsift {meta.get("slopsift_version")}, scikit-learn {meta.get("sklearn_version")}, feature schema
{meta.get("feature_schema_version")} ({len(bundle.feature_names)} features), bundle format {meta.get("bundle_format", 1)}.

**What it outputs**: `quality = P(the text is not low-quality generated content)`, calibrated (Platt sigmoid, on a
grouped hold-out the booster never saw, with every source weighted equally: read it as the probability under a
balanced prior, not the base rate of your traffic). The calibration holds for text like the training sources'; on
text from generators unlike them it does not (the held-out ECE below; the probe sets, where a current chat model's
texts mostly score far above the threshold), so read a high quality as "none of the measured habits", not as
proof of a human author. `flagged` means quality below the operating point:
`fpr_0.05` = {_f(thr.get("fpr_0.05"), 4)} (default) and `fpr_0.01` = {_f(thr.get("fpr_0.01"), 4)}, set on held-out
human texts so that at most 5% / 1% of them are flagged in every human domain with >= 100 held-out texts, and
in every such training domain *as if unseen*: each domain's human texts scored by a model fitted and calibrated
without that domain (the threshold is the lowest of all these quantiles; per-domain values in the sidecar's
`operating_points`).

**Model**: scikit-learn `HistGradientBoostingClassifier` (shallow trees, large leaves) over slopsift's signals
(no content words, no embeddings), with monotonic constraints from each signal's documented direction, then
`CalibratedClassifierCV`. It cannot learn topics, vocabulary of a domain or formatting of a source beyond what the
signals measure. One signal is itself fitted: `phrasing.function_word_ngram_score` scores the text's runs of
function words and punctuation (content words masked) with a naive-Bayes table (`function_word_ngrams.tsv`,
{meta.get("phrasing_table_sha256", "?")[:12]}) fitted on the same training texts; the trees learned from
cross-fitted values (each text scored by a table fitted without its group), and the grouped evaluation refits the
table in every fold, so neither ever saw a value the table had counted. Neutral register signals (style, readability, word frequency) flip direction from corpus to
corpus, and a model free to use them flagged unseen formal human writing; so one is read only as evidence *for* a
human author, when at least 80% of the training corpora agree on that direction, and can then only raise
quality. Base models' continuations of a human text ({_continuations()}) train the trees but do not vote:
they keep their prompt's register by construction. Admitted here: {_human_evidence(meta)}.
The other neutral signals are reported but never read (see `slopsift.training.fit`).{_evidence_terms(meta, thr.get("fpr_0.05"))}
The file holds the trees as plain arrays, which slopsift evaluates with numpy alone (scoring never imports
scikit-learn; the result equals the estimator's `predict_proba` float for float, checked on stored probe rows at
every load), and the fitted scikit-learn estimator as pickled bytes, for retraining and inspection.

## Intended use

Triage with human review: ranking and routing documents for moderators, filtering corpora for training data.
**Not** for punishing people (students, job applicants, authors): a score is evidence to look at, not a verdict.
Every flag comes with its reasons and the spans of text that produced them.

## What it cannot know

- Generators newer or stylistically different from those below, and text edited by a human after generation.
  Fluent text from a current chat model that avoids the measured habits passes: see the probe sets below.
- Non-English text (gated as `unsupported_language`) and very short text (`insufficient_text`: under 80 prose
  words, words in links not counted, or more words in links than not).
- Registers with no human examples in training (fiction, legal, marketing copy, medical records) may be flagged
  more often than the figures below suggest; see the check-only sets for learner writing.
- Whether a claim is true: the inconsistency signals only compare a text with itself.
- Grammar habits are not authorship: the phrasing signal reads how a text strings its words together, and formal
  human registers (abstracts, reports, exam essays) share more of the training generators' habits than chatty
  ones do.
- Deliberate typos and slips. Misspellings (`vocabulary.misspelling_per_1k`: a lower-case non-word one edit from a
  common English word), learner-English usage slips (`usage.slips_per_1k`: "a advice", "he don't") and sentences
  opened in lower case count as evidence for a human author, because language models practically never produce
  them; machine text with typos injected on purpose (DetectRL's character-level attacks), with words swapped
  without fixing the grammar around them (its word-substitution attacks: "a idiotic story"), or with its capitals
  removed therefore reads as more human (table of check-only sets and attacks below).

## Training data

Sets used to fit the shipped model (check-only sets such as ELLIPSE, Write & Improve, Herbold, HC3 non-medicine
and the chat-2026 pairs are never used for fitting):

| source | licence |
|---|---|
{data_rows}

| source/label | texts |
|---|---|
{counts}

Generators (machine texts): {gens}

Domains: {doms}

Preparation (`slopsift prepare-data`): both sides normalised the same way (typography folded, anonymisation
tokens replaced, paragraph breaks unified, code removed from Q&A, DetectRL newline debris repaired), chat
preambles stripped from the machine side, exact duplicates removed, human/LLM pairs and duplicates grouped so
they never straddle a split.

**Content-farm augmentation.** No corpus above contains the archetype slopsift exists to catch (title repeated as
section headings, template headings, two conclusions, keyword stuffing, scrape debris, preambles left in), so
12% of the machine training texts get a synthetic content-farm copy (`slopsift.training.augment`) and 12% of the
human training texts an ordinary article layout (a title and distinct headings), so that structure alone is not
learned as a machine signal. Each copy stays in its original's group; no evaluation fold tests on a copy.

## Evaluation (grouped: whole datasets, generators, domains or repositories held out)

Each fold refits the whole procedure (fit, calibration, thresholds) without the held-out unit and without any
group touching it, on a random sample of at most 25,000 of the remaining texts (the shipped model uses all; the
TF-IDF baseline is fitted on at most 6,000 to 10,000 per fold, for time). TPR at 1%/5% FPR uses the held-out fold's own humans (ranking quality); "FPR at default"
applies the threshold chosen during training (what a user would see; the folds use the in-sample rule only,
not the held-out-domain one, which would cost ten more fits per fold). Baselines on the same folds: the Gopher
rules as a classifier (score = number of rules fired; flag if any fires) and TF-IDF + logistic regression.

{evaluation_tables(results)}
## False-positive rate of the default operating point per held-out human domain

{_domain_fpr_table(results)}
## Check-only sets and attacks (final model, default operating point)

{_per_source_table(results)}
## A current chat model (probe sets)

The check-only `chat-2026-pairs` rows above are the larger test of the same question: 860 texts a current chat
model (Anthropic's Claude family) wrote on 2026-11-27, each answering a request made up for one human training
text of the table above (same genre, topic, facts and length, in that text's format; `slopsift.training.chat_pairs`).
Fitted on, as training rows, they did not help: see docs/model.md ("Human twins from a current chat model").

{_probe_section(probes)}
## Reproduce

```
pip install -e '.[test]'
python -m slopsift.training.train --data-dir ../shared/data
```

This rebuilds the corpus, the evaluation above (`models/metrics.json`), the model and this card.
"""
    path.write_text(text, encoding="utf-8")


def probe_of(bundle: ModelBundle, root: Path = DEFAULT_PROBE_ROOT) -> dict[str, dict[str, Any]] | None:
    """Per probe set under ``root``, the summary of ``bundle`` on it and the set's description; None
    when there is no such directory (an installed package outside a checkout)."""
    sets = probe_sets(root)
    if not sets:
        return None
    from slopsift.scoring import Detector

    detector = Detector(bundle)
    return {d.name: {**probe_summary(detector, read_probe(d)), "description": describe(d)} for d in sets}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m slopsift.training.card", description=__doc__)
    ap.add_argument("--models-dir", default="models", help="holds the bundle, its sidecar and metrics.json")
    ap.add_argument("--probe-root", type=Path, default=DEFAULT_PROBE_ROOT, help="probe sets for the card")
    args = ap.parse_args(argv)
    d = Path(args.models_dir)
    results = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
    bundle = load_bundle(d / BUNDLED_MODEL)
    write_model_card(d / "MODEL_CARD.md", bundle, results, probe_of(bundle, args.probe_root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
