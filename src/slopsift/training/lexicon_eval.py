"""How well each lexicon of the hedging family separates human from machine text, and where it misfires.

Run::

    python -m slopsift.training.lexicon_eval --data-dir ../shared/data --out docs/lexicons.md

For every feature of :mod:`slopsift.signals.hedging` it reports the AUROC of human (0) vs machine (1)
on each labelled source under ``--data-dir``, the share of documents each list fires on (density > 0)
for human-only sets (learner essays by level, forum posts), the CoNLL-2010 certain-vs-uncertain AUROC of
the hedge list (a check that it measures hedging), and a per-entry audit over the training sources: the
share of human and machine documents containing each entry, and the entries that break the pruning rule.

The readers below are deliberately small: each takes a folder of ``/work/shared/data`` as documented
in its ``SOURCE.txt`` and yields plain texts; samples are capped per (group, label) with a fixed seed so
the run is deterministic and takes a couple of minutes. Data is read, never copied.

If ``--out`` exists, only the part between the ``BEGIN GENERATED`` / ``END GENERATED`` markers is
replaced, so hand-written interpretation around the tables survives a rerun.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from slopsift.document import parse
from slopsift.signals import hedging
from slopsift.training._report import splice_generated

__all__ = [
    "PRUNE_MIN_HUMAN_RATE",
    "PRUNE_MIN_RATIO",
    "PRUNE_MIN_SOURCE_RATIO",
    "Sample",
    "main",
    "prune_candidates",
    "read_all",
]

PRUNE_MIN_HUMAN_RATE = 0.01
"""An entry of lists (b)-(f) is pruned when, in some training source, at least this share of the human
documents contains it ..."""
PRUNE_MIN_RATIO = 3.0
"""... and its machine document rate is less than this many times its human rate (both averaged over the
training sources and smoothed by :data:`PRUNE_SMOOTHING`), ..."""
PRUNE_MIN_SOURCE_RATIO = 2.0
"""... or, in some register of a training source (a source, or one of DetectRL's four domains) where at
least :data:`PRUNE_MIN_HUMAN_RATE` of the human documents contain it, its machine rate in that same
register is less than this many times the human rate there (both smoothed). An average can hide one
register where humans use the entry as much as machines do ("needless to say" in reviews), and that
register is where the entry would accuse honest writers."""

TRAIN_SOURCES = ("web-articles", "detectrl", "kaggle-daigt-essays", "so-chatgpt-answers", "hc3-medicine")
"""Sources whose per-entry rates drive pruning. The human-only check sets are never used for it."""

_SEED = 0
_BEGIN = "<!-- BEGIN GENERATED (slopsift.training.lexicon_eval) -->"
_END = "<!-- END GENERATED -->"


@dataclass(frozen=True, slots=True)
class Sample:
    """One text: ``label`` 1 = machine, 0 = human; ``group`` is the column it is reported under;
    ``source`` is the data folder (used to pool the training sources)."""

    text: str
    label: int
    group: str
    source: str


# --------------------------------------------------------------------------------------------- readers


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _cap(items: list[Sample], cap: int, seed: str) -> list[Sample]:
    if len(items) <= cap:
        return items
    return random.Random(f"{_SEED}/{seed}").sample(items, cap)


def _grouped_cap(items: Iterable[Sample], cap: int) -> list[Sample]:
    """Deduplicate texts within each (group, label) and cap each to ``cap`` samples."""
    by: dict[tuple[str, int], dict[str, Sample]] = defaultdict(dict)
    for s in items:
        by[(s.group, s.label)].setdefault(s.text, s)
    out: list[Sample] = []
    for (group, label), d in sorted(by.items()):
        out.extend(_cap(list(d.values()), cap, f"{group}/{label}"))
    return out


_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")


def _strip_code(text: str) -> str:
    """Remove Markdown code fences and inline code (the ChatGPT side of the Stack Overflow set)."""
    return _INLINE_CODE.sub(" ", _FENCE.sub("\n", text))


_PREAMBLE_LINE = re.compile(
    r"(?i)^\s*(?:(?:sure|certainly|of course|absolutely)\b[^\n]*|(?:here is|here's|here are)\b[^\n]*:|"
    r"title:[^\n]*|#+\s*title:[^\n]*)\s*(?:\n|$)"
)


def strip_preamble(text: str) -> str:
    """Drop a chat preamble (``Sure! Here is ...:``, ``Title: ...``) from the start of ``text``.

    Uses :func:`slopsift.preamble.find_preamble` when that module is available, else removes at most
    two leading lines that look like one. The tables report machine texts without preambles (content
    farms strip them), so only the chatbot list's raw row is measured on the texts as published.
    """
    finder: Callable[[str], tuple[int, int] | None] | None
    try:
        from slopsift.preamble import find_preamble as finder
    except ImportError:  # pragma: no cover - the module ships with slopsift
        finder = None
    if finder is not None:
        span = finder(text)
        return text if span is None else text[: span[0]] + text[span[1] :]
    for _ in range(2):
        m = _PREAMBLE_LINE.match(text)
        if not m or not text[m.end() :].strip():
            break
        text = text[m.end() :]
    return text


Strip = Callable[[str], str]


def read_web_articles(root: Path, strip: Strip) -> Iterator[Sample]:
    for name, label in (("human.jsonl", 0), ("machine.jsonl", 1)):
        for r in _jsonl(root / "web-articles" / name):
            yield Sample(str(r["text"]), label, "web-articles", "web-articles")


_DETECTRL_DOMAINS = {
    "arxiv": "abstracts",
    "xsum": "news",
    "writing_prompt": "stories",
    "yelp_review": "reviews",
}
_DETECTRL_PLAIN = ("direct_prompt", "prompt_few_shot")


def read_detectrl(root: Path, strip: Strip) -> Iterator[Sample]:
    """DetectRL Multi_Domain test files: the domain comes from the file name (the ``data_type`` field
    names the domain only on the human side; on the machine side it names the prompt or attack).
    Machine texts from plain prompts are reported per domain; paraphrase, perturbation and SICO
    attacks are pooled into one ``detectrl/attacked`` column."""
    base = root / "detectrl" / "Benchmark" / "Benchmark_Data" / "Multi_Domain"
    for path in sorted(base.glob("multi_domains_*_test.json")):
        key = path.name[len("multi_domains_") : -len("_test.json")]
        dom = _DETECTRL_DOMAINS.get(key, key)
        for r in json.loads(path.read_text(encoding="utf-8")):
            text = str(r["text"])
            if r["label"] == "human":
                yield Sample(text, 0, f"detectrl/{dom}", "detectrl")
                yield Sample(text, 0, "detectrl/attacked", "detectrl-attacked")
            elif r["data_type"] in _DETECTRL_PLAIN:
                yield Sample(strip(text), 1, f"detectrl/{dom}", "detectrl")
            else:
                yield Sample(strip(text), 1, "detectrl/attacked", "detectrl-attacked")


def read_fast_detectgpt(root: Path, strip: Strip) -> Iterator[Sample]:
    for path in sorted((root / "fast-detectgpt").glob("exp_*/data/*.raw_data.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        for t in d["original"]:
            yield Sample(str(t), 0, "fast-detectgpt", "fast-detectgpt")
        for t in d["sampled"]:
            yield Sample(str(t), 1, "fast-detectgpt", "fast-detectgpt")


def read_llmfake(root: Path, strip: Strip) -> Iterator[Sample]:
    for name, label in (("human.jsonl", 0), ("machine.jsonl", 1)):
        for r in _jsonl(root / "llmfake-misinfo" / name):
            text = str(r["text"])
            yield Sample(strip(text) if label else text, label, "llmfake-misinfo", "llmfake-misinfo")


def read_kaggle(root: Path, strip: Strip) -> Iterator[Sample]:
    for r in _jsonl(root / "kaggle-daigt-essays" / "essays.jsonl"):
        label = 0 if r["label"] == "human" else 1
        text = str(r["text"])
        yield Sample(strip(text) if label else text, label, "kaggle-daigt-essays", "kaggle-daigt-essays")


def read_so(root: Path, strip: Strip) -> Iterator[Sample]:
    for r in _jsonl(root / "so-chatgpt-answers" / "answers.jsonl"):
        label = 0 if r["label"] == "human" else 1
        yield Sample(_strip_code(str(r["text"])), label, "so-chatgpt-answers", "so-chatgpt-answers")


def read_hc3_medicine(root: Path, strip: Strip) -> Iterator[Sample]:
    for r in _jsonl(root / "hc3-qa-subsets" / "answers.jsonl"):
        if r["subset"] == "medicine":
            yield Sample(str(r["text"]), 0 if r["label"] == "human" else 1, "hc3-medicine", "hc3-medicine")


def read_ellipse(root: Path, strip: Strip) -> Iterator[Sample]:
    path = root / "ellipse-ell-essays" / "ELLIPSE_Final_github_test.csv"
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            yield Sample(r["full_text"], 0, "ellipse-ell", "ellipse-ell-essays")


def read_wi(root: Path, strip: Strip) -> Iterator[Sample]:
    for r in _jsonl(root / "wi-learner-essays" / "wi_abc.jsonl"):
        yield Sample(str(r["text"]), 0, f"wi/{r['level']}", "wi-learner-essays")


def read_stackexchange(root: Path, strip: Strip) -> Iterator[Sample]:
    for r in _jsonl(root / "stackexchange-small-sites" / "posts.jsonl"):
        yield Sample(str(r["text"]), 0, "stackexchange", "stackexchange-small-sites")


READERS: tuple[tuple[str, Callable[[Path, Strip], Iterator[Sample]]], ...] = (
    ("web-articles", read_web_articles),
    ("detectrl", read_detectrl),
    ("fast-detectgpt", read_fast_detectgpt),
    ("llmfake-misinfo", read_llmfake),
    ("kaggle-daigt-essays", read_kaggle),
    ("so-chatgpt-answers", read_so),
    ("hc3-qa-subsets", read_hc3_medicine),
    ("ellipse-ell-essays", read_ellipse),
    ("wi-learner-essays", read_wi),
    ("stackexchange-small-sites", read_stackexchange),
)


def read_all(data_dir: Path, cap: int, strip: Strip = strip_preamble) -> tuple[list[Sample], list[str]]:
    """Every available set read by the small readers above, deduplicated and capped; also the names of
    the folders that were missing. ``strip`` is applied to machine texts of the sets known to carry
    chat preambles."""
    samples: list[Sample] = []
    missing: list[str] = []
    for folder, reader in READERS:
        if not (data_dir / folder).is_dir():
            missing.append(folder)
            continue
        samples.extend(_grouped_cap(reader(data_dir, strip), cap))
    return samples, missing


def _prepared_groups(
    source: str, label: str, domain: str, role: str, meta: dict[str, str]
) -> list[tuple[str, str]]:
    """``(group, source)`` pairs a prepared record is reported under (none for sets not reported here).
    DetectRL human texts serve as the human side of both their domain and the attacked column."""
    if source == "detectrl":
        if role == "robustness":
            return [("detectrl/attacked", "detectrl-attacked")]
        both = [(f"detectrl/{domain}", source)]
        return [*both, ("detectrl/attacked", "detectrl-attacked")] if label == "human" else both
    if source == "hc3-qa-subsets":
        return [("hc3-medicine", "hc3-medicine")] if domain == "medicine" else []
    if source == "wi-learner-essays":
        return [(f"wi/{meta.get('level', '?')}", source)]
    named = {
        "web-articles": "web-articles",
        "fast-detectgpt": "fast-detectgpt",
        "llmfake-misinfo": "llmfake-misinfo",
        "kaggle-daigt-essays": "kaggle-daigt-essays",
        "so-chatgpt-answers": "so-chatgpt-answers",
        "ellipse-ell-essays": "ellipse-ell",
        "stackexchange-small-sites": "stackexchange",
    }
    return [(named[source], source)] if source in named else []


def read_prepared(data_dir: Path, cap: int) -> list[Sample] | None:
    """The corpus as :func:`slopsift.training.prepare.build_corpus` cleans it for training (preambles
    stripped, refusals dropped, per-source traps defused), or None if that module is unavailable."""
    try:
        from slopsift.training.prepare import LOADERS, build_corpus
    except ImportError:
        return None
    wanted = [f for f, _ in READERS if f in LOADERS and (data_dir / f).is_dir()]
    out: list[Sample] = []
    for r in build_corpus(data_dir, sources=wanted):
        for group, source in _prepared_groups(r.source, r.label, r.domain, r.split_role, dict(r.meta)):
            out.append(Sample(r.text, 1 if r.label == "machine" else 0, group, source))
    return _grouped_cap(out, cap)


def read_conll(data_dir: Path) -> list[tuple[str, int]]:
    """CoNLL-2010 Wikipedia sentences: label 1 = uncertain/weasel (``-1`` in the file), 0 = certain."""
    path = data_dir / "conll2010-uncertainty-pattern" / "uncertainty-conll2010.csv"
    if not path.is_file():
        return []
    out: list[tuple[str, int]] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) == 2 and row[0] in ("1", "-1"):
                out.append((row[1], 1 if row[0] == "-1" else 0))
    return out


# ------------------------------------------------------------------------------------------- measuring


@dataclass
class Measured:
    """Feature values (one row per sample) and, per list, the set of entries each sample contains."""

    samples: list[Sample]
    names: list[str]
    values: np.ndarray
    entries: list[dict[str, frozenset[str]]] = field(default_factory=list)


def measure(samples: Sequence[Sample]) -> Measured:
    names = [f.name for f in hedging.FEATURES]
    values = np.zeros((len(samples), len(names)))
    entries: list[dict[str, frozenset[str]]] = []
    keys = [k for k, _ in hedging.LISTS]
    for i, s in enumerate(samples):
        doc = parse(s.text)
        vals, _ = hedging.compute(doc)
        values[i] = [vals[n] for n in names]
        entries.append({k: frozenset(h[2] for h in hedging.find_hits(doc, k)) for k in keys})
    return Measured(list(samples), names, values, entries)


def _auroc(y: np.ndarray, x: np.ndarray) -> float:
    if len(set(y.tolist())) < 2:
        return float("nan")
    return float(roc_auc_score(y, x))


def _fmt(v: float, digits: int = 2) -> str:
    return "-" if v != v else f"{v:.{digits}f}"


def _pct(v: float) -> str:
    return "-" if v != v else f"{100 * v:.1f}%"


def _groups(m: Measured, labelled: bool) -> list[str]:
    by: dict[str, set[int]] = defaultdict(set)
    for s in m.samples:
        by[s.group].add(s.label)
    return [g for g, labs in by.items() if (len(labs) == 2) == labelled]


def _index(m: Measured, group: str, label: int | None = None) -> np.ndarray:
    return np.array(
        [i for i, s in enumerate(m.samples) if s.group == group and (label is None or s.label == label)],
        dtype=int,
    )


def auroc_table(m: Measured, raw_chatbot: Measured | None) -> list[str]:
    groups = _groups(m, labelled=True)
    head = "| feature | " + " | ".join(groups) + " |"
    sizes = (
        "| (n human / machine) | "
        + " | ".join(f"{len(_index(m, g, 0))} / {len(_index(m, g, 1))}" for g in groups)
        + " |"
    )
    lines = [head, "|---|" + "---:|" * len(groups), sizes]
    y_by = {g: np.array([m.samples[i].label for i in _index(m, g)]) for g in groups}
    for j, name in enumerate(m.names):
        cells = [_fmt(_auroc(y_by[g], m.values[_index(m, g), j])) for g in groups]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if raw_chatbot is not None:
        for name in ("chatbot_per_1k", "chat_preamble"):
            j = raw_chatbot.names.index(name)
            cells = []
            for g in groups:
                raw_idx = _index(raw_chatbot, g, 1)
                if len(raw_idx) == 0:
                    cells.append("=")
                    continue
                hum = m.values[_index(m, g, 0), j]
                x = np.concatenate([hum, raw_chatbot.values[raw_idx, j]])
                y = np.concatenate([np.zeros(len(hum)), np.ones(len(raw_idx))])
                cells.append(_fmt(_auroc(y, x)))
            lines.append(f"| {name}, as published | " + " | ".join(cells) + " |")
    return lines


def firing_tables(m: Measured) -> list[str]:
    keys = [k for k, _ in hedging.LISTS]
    cols = {k: m.names.index(f"{k}_per_1k") for k in keys}
    human_only = _groups(m, labelled=False)
    lines = ["| list | " + " | ".join(f"{g} (n={len(_index(m, g))})" for g in human_only) + " |"]
    lines.append("|---|" + "---:|" * len(human_only))
    for k in keys:
        cells = [_pct(float(np.mean(m.values[_index(m, g), cols[k]] > 0))) for g in human_only]
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    lines += ["", "Labelled sets, human / machine side:", ""]
    labelled = _groups(m, labelled=True)
    lines.append("| list | " + " | ".join(labelled) + " |")
    lines.append("|---|" + "---:|" * len(labelled))
    for k in keys:
        cells = []
        for g in labelled:
            h = float(np.mean(m.values[_index(m, g, 0), cols[k]] > 0))
            x = float(np.mean(m.values[_index(m, g, 1), cols[k]] > 0))
            cells.append(f"{_pct(h)} / {_pct(x)}")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return lines


@dataclass(frozen=True, slots=True)
class EntryStat:
    """Document rates of one entry on the training sources: the mean over sources (each weighted
    equally) for human and machine documents, the highest human rate of any one source, and the lowest
    smoothed machine/human ratio among the registers where humans use it (``worst_source``)."""

    key: str
    entry: str
    human_rate: float
    machine_rate: float
    max_human_rate: float
    max_human_source: str
    worst_ratio: float = float("inf")
    worst_source: str = ""


def _doc_share(m: Measured, key: str, entry: str, idx: list[int]) -> float:
    """The share of the documents ``idx`` in which list ``key``'s ``entry`` fired."""
    return sum(1 for i in idx if entry in m.entries[i][key]) / len(idx)


def entry_stats(m: Measured) -> list[EntryStat]:
    """Per-entry document rates on :data:`TRAIN_SOURCES`."""
    per_src: dict[tuple[str, int], list[int]] = defaultdict(list)
    per_register: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, s in enumerate(m.samples):
        if s.source in TRAIN_SOURCES:
            per_src[(s.source, s.label)].append(i)
            per_register[(s.group, s.label)].append(i)
    out: list[EntryStat] = []
    for key, filename in hedging.LISTS:
        matcher = hedging._matcher(filename)
        for entry in (*matcher.phrases, *matcher.patterns):
            rates: dict[int, list[tuple[float, str]]] = {0: [], 1: []}
            for (src, label), idx in sorted(per_src.items()):
                rates[label].append((_doc_share(m, key, entry, idx), src))
            top = max(rates[0]) if rates[0] else (0.0, "")
            # The per-register rule reads each source's registers apart (DetectRL's four domains).
            reg: dict[int, dict[str, float]] = {0: {}, 1: {}}
            for (group, label), idx in sorted(per_register.items()):
                reg[label][group] = _doc_share(m, key, entry, idx)
            ratios = [
                ((reg[1][group] + PRUNE_SMOOTHING) / (r + PRUNE_SMOOTHING), group)
                for group, r in reg[0].items()
                if r >= PRUNE_MIN_HUMAN_RATE and group in reg[1]
            ]
            worst = min(ratios) if ratios else (float("inf"), "")
            out.append(
                EntryStat(
                    key,
                    entry,
                    float(np.mean([r for r, _ in rates[0]])) if rates[0] else 0.0,
                    float(np.mean([r for r, _ in rates[1]])) if rates[1] else 0.0,
                    top[0],
                    top[1],
                    worst[0],
                    worst[1],
                )
            )
    return out


PRUNE_SMOOTHING = 0.002


def prune_candidates(stats: Iterable[EntryStat]) -> list[EntryStat]:
    """Entries of lists (b)-(f) that fire on human training text and do not separate: either some training
    source has at least :data:`PRUNE_MIN_HUMAN_RATE` of its human documents containing the entry and the
    mean machine rate is below :data:`PRUNE_MIN_RATIO` times the mean human rate, or in some register
    where that share of human documents contains it, the machine rate is below
    :data:`PRUNE_MIN_SOURCE_RATIO` times the human rate there (all smoothed)."""
    eps = PRUNE_SMOOTHING
    return [
        st
        for st in stats
        if st.key != "hedge"
        and (
            (
                st.max_human_rate >= PRUNE_MIN_HUMAN_RATE
                and (st.machine_rate + eps) < PRUNE_MIN_RATIO * (st.human_rate + eps)
            )
            or st.worst_ratio < PRUNE_MIN_SOURCE_RATIO  # only registers with >= 1% of humans using it
        )
    ]


def conll_lines(data_dir: Path) -> list[str]:
    """AUROC of hit counts per sentence, uncertain (weasel) = positive, for lists (a) and (d)."""
    rows = read_conll(data_dir)
    if not rows:
        return ["CoNLL-2010 sentences not found; check skipped."]
    y = np.array([lab for _, lab in rows])
    keys = ("hedge", "vague_attribution")
    hits = np.zeros((len(rows), len(keys)))
    for i, (text, _) in enumerate(rows):
        doc = parse(text)
        hits[i] = [len(hedging.find_hits(doc, k)) for k in keys]
    out = [
        f"{len(rows)} CoNLL-2010 Wikipedia sentences, uncertain/weasel = positive (research-use data: "
        "evaluation only, never shipped or used to prune).",
        "",
        "| list | AUROC of hits per sentence | uncertain sentences hit | certain sentences hit |",
        "|---|---:|---:|---:|",
    ]
    for j, k in enumerate(keys):
        out.append(
            f"| {k} | {_fmt(_auroc(y, hits[:, j]), 3)} | {_pct(float(np.mean(hits[y == 1, j] > 0)))} | "
            f"{_pct(float(np.mean(hits[y == 0, j] > 0)))} |"
        )
    return out


def render(
    m: Measured, raw_chatbot: Measured | None, data_dir: Path, missing: list[str], cap: int, via: str
) -> str:
    stats = entry_stats(m)
    pruned = prune_candidates(stats)
    out = [
        _BEGIN,
        "",
        "Command: `python -m slopsift.training.lexicon_eval --data-dir ../shared/data --out docs/lexicons.md`"
        f" (cap {cap} documents per set and label, seed {_SEED}). Texts read with {via}.",
    ]
    if missing:
        out.append(f"Missing sets (skipped): {', '.join(missing)}.")
    out += [
        "",
        "### AUROC, human vs machine (machine = positive)",
        "",
        "Machine texts have chat preambles removed (content farms strip them); the last two rows measure the "
        "chatbot list and the preamble flag on the machine texts as published (raw files, preambles and "
        "placeholders kept; '=' where a set has none). 0.50 = no separation; below 0.50 = fires more on "
        "human.",
        "",
        *auroc_table(m, raw_chatbot),
        "",
        "### Share of documents each list fires on (density > 0)",
        "",
        "Human-only check sets (never used for pruning):",
        "",
        *firing_tables(m),
        "",
        "### Does the hedge list measure hedging?",
        "",
        *conll_lines(data_dir),
        "",
        "### Per-entry audit on the training sources",
        "",
        f"Training sources: {', '.join(TRAIN_SOURCES)}. Pruning rule for lists (b)-(f): drop an entry "
        f"found in >= {PRUNE_MIN_HUMAN_RATE:.0%} of the human documents of any one training source whose "
        f"machine document rate, averaged over the training sources, is below {PRUNE_MIN_RATIO:g}x its "
        f"averaged human rate, or is below {PRUNE_MIN_SOURCE_RATIO:g}x the human rate in one register where "
        f">= {PRUNE_MIN_HUMAN_RATE:.0%} of the human documents contain it (all + {PRUNE_SMOOTHING:.1%}). "
        "The hedge list (a) is neutral and not pruned by separation.",
        "",
    ]
    if pruned:
        out += [
            "Entries currently breaking the rule (mean human / mean machine rate; highest human rate):",
            "",
            "| list | entry | human | machine | highest human (source) | lowest ratio (source) |",
            "|---|---|---:|---:|---|---|",
        ]
        out += [
            f"| {p.key} | `{p.entry}` | {_pct(p.human_rate)} | {_pct(p.machine_rate)} | "
            f"{_pct(p.max_human_rate)} ({p.max_human_source}) | "
            f"{p.worst_ratio:.1f}x ({p.worst_source or '-'}) |"
            for p in pruned
        ]
    else:
        out.append("No entry currently breaks the rule.")
    out += ["", "Most frequent entries per list (share of training documents, human / machine):", ""]
    out += ["| list | top entries |", "|---|---|"]
    for key, _ in hedging.LISTS:
        top = sorted((s for s in stats if s.key == key), key=lambda s: -(s.human_rate + s.machine_rate))[:8]
        cells = ", ".join(f"`{s.entry}` {_pct(s.human_rate)}/{_pct(s.machine_rate)}" for s in top)
        out.append(f"| {key} | {cells} |")
    never = {
        key: sum(1 for s in stats if s.key == key and s.human_rate == 0 and s.machine_rate == 0)
        for key, _ in hedging.LISTS
    }
    out += [
        "",
        "Entries never seen in the training sources (kept: they come from the lists' sources or from "
        "chat-assistant phrasing): " + ", ".join(f"{k} {v}" for k, v in never.items()) + ".",
        "",
        _END,
    ]
    return "\n".join(out) + "\n"


def write_doc(path: Path, generated: str) -> None:
    splice_generated(
        path, generated.rstrip("\n"), _BEGIN, _END, "# Lexicons of the hedging family\n\n" + generated
    )


def write_entries(path: Path, stats: Iterable[EntryStat]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("list\tentry\thuman_rate\tmachine_rate\tmax_human_rate\tmax_human_source\n")
        for s in stats:
            fh.write(
                f"{s.key}\t{s.entry}\t{s.human_rate:.5f}\t{s.machine_rate:.5f}\t{s.max_human_rate:.5f}\t"
                f"{s.max_human_source}\n"
            )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--data-dir", type=Path, required=True, help="folder holding the shared data sets")
    ap.add_argument(
        "--out", type=Path, required=True, help="Markdown file to write (generated part replaced)"
    )
    ap.add_argument("--cap", type=int, default=1500, help="documents per set and label (default 1500)")
    ap.add_argument("--entries", type=Path, help="also write per-entry rates on the training sources (TSV)")
    ap.add_argument(
        "--own-readers", action="store_true", help="read the sets with this module's readers, not prepare"
    )
    args = ap.parse_args(argv)
    samples: list[Sample] | None = None
    if not args.own_readers:
        try:
            samples = read_prepared(args.data_dir, args.cap)
        except Exception as exc:  # a broken preparation module must not stop the audit
            print(f"slopsift.training.prepare failed ({exc!r}); using the built-in readers", file=sys.stderr)
    missing = [f for f, _ in READERS if not (args.data_dir / f).is_dir()]
    via = "slopsift.training.prepare.build_corpus (the cleaned training corpus)"
    if samples is None:
        samples, missing = read_all(args.data_dir, args.cap)
        via = "the built-in readers of this module (raw texts, preambles stripped)"
    if not samples:
        print(f"no data found under {args.data_dir}", file=sys.stderr)
        return 1
    m = measure(samples)
    # The chatbot list is also measured on machine texts as published (preambles kept).
    raw_samples = _raw_machine(args.data_dir, args.cap)
    raw = measure(raw_samples) if raw_samples else None
    write_doc(args.out, render(m, raw, args.data_dir, missing, args.cap, via))
    if args.entries:
        write_entries(args.entries, entry_stats(m))
    print(f"wrote {args.out} ({len(samples)} documents)")
    return 0


def _raw_machine(data_dir: Path, cap: int) -> list[Sample]:
    """Machine samples of the sets with chat preambles, left as published (same sampling as the main run)."""
    samples, _ = read_all(data_dir, cap, strip=lambda t: t)
    return [s for s in samples if s.label == 1 and s.source in _PREAMBLE_SOURCES]


_PREAMBLE_SOURCES = frozenset({"detectrl", "detectrl-attacked", "llmfake-misinfo", "kaggle-daigt-essays"})


if __name__ == "__main__":
    raise SystemExit(main())
