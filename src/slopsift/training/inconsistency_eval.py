"""Evaluate the inconsistency family: precision and recall on self-contradictions, false alarms on people.

Run from the checkout::

    python -m slopsift.training.inconsistency_eval --data ../shared/data/chatprotect-selfcontra

``--data`` is the ChatProtect annotation folder (ICLR 2024, "Self-contradictory hallucinations of LLMs",
Apache-2.0): sentence pairs an LLM wrote about one topic, labelled ``["strong"]`` (the two sentences
contradict each other) or ``[]`` (they do not); ``["not verified"]`` items and the ``demo`` rows are
skipped. Each item becomes one document: its ``prefix`` (the text the model had written before, so
pronouns and names resolve as they did for the model), then sentence A, then sentence B, joined by
spaces. The detector sees both sentences exactly as a reader of a text holding both would. A hit is
counted two ways: *any* (the document's ``any_conflict``, as the feature is used) and *pair* (one
evidence span in sentence A and the other in sentence B: the hit is about the labelled pair and not
about the prefix).

False alarms are measured on human-written documents, where any hit is a false alarm (or a genuine
slip by the author): ``web-articles/human.jsonl``, the unique human texts of DetectRL, and the human
side of the other labelled sets in the data folder when present. Machine-side firing rates are shown
for context only (a machine text need not contradict itself).

Thresholds were set from hand-written cases and human-text false alarms, not from this data set (one
sanity look at its misses led to no threshold change). The output is written between the
``BEGIN GENERATED`` / ``END GENERATED`` markers of ``--out`` so hand-written notes around it survive.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from slopsift.document import parse
from slopsift.signals.inconsistency import FEATURES, compute
from slopsift.training._report import splice_generated

DETECTORS = tuple(f.name for f in FEATURES if f.unit == "conflicts")
_SPLIT = re.compile(r"\n---;;;\n?")
_BEGIN = "<!-- BEGIN GENERATED -->"
_END = "<!-- END GENERATED -->"


@dataclass
class PairItem:
    text: str
    a_span: tuple[int, int]
    b_span: tuple[int, int]
    label: bool
    source: str
    numbers_differ: bool  # both sentences state numbers, and not the same ones


_NUMBER = re.compile(r"\d[\d,.]*")


def chatprotect(folder: Path) -> Iterator[PairItem]:
    """Items of every ``annotations/**/*.json`` file, deduplicated on (prefix, pair, label)."""
    seen: set[tuple[str, str, bool]] = set()
    for path in sorted(folder.glob("annotations/**/*.json")):
        source = "/".join(path.relative_to(folder / "annotations").parts[:-2] or path.parts[-2:-1])
        for item in json.loads(path.read_text(encoding="utf-8")):
            label = item.get("label")
            if label not in (["strong"], []):
                continue
            parts = _SPLIT.split(item["text"])
            if len(parts) != 2 or parts[0].strip() == "demo":
                continue
            a, b = parts[0].strip(), parts[1].strip()
            prefix = (item.get("prefix") or "").strip()
            key = (prefix, f"{a}\n{b}", bool(label))
            if key in seen:
                continue
            seen.add(key)
            head = f"{prefix} " if prefix else ""
            text = f"{head}{a} {b}"
            a0 = len(head)
            b0 = a0 + len(a) + 1
            na, nb = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
            differ = bool(na and nb and na != nb)
            yield PairItem(text, (a0, a0 + len(a)), (b0, b0 + len(b)), bool(label), source, differ)


def _jsonl(path: Path, label: str, field_: str = "label") -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get(field_, label) == label and row.get("text"):
                yield str(row.get("id", "")), row["text"]


def _detectrl(root: Path, label: str) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for path in sorted(root.glob("Benchmark/Benchmark_Data/*/*.json")):
        for i, row in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            text = row.get("text") or ""
            if row.get("label") == label and text and text not in seen:
                seen.add(text)
                yield f"{path.stem}/{i}", text


def _fast_detectgpt(root: Path, key: str) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for path in sorted(root.glob("**/*.raw_data.json")):
        for i, text in enumerate(json.loads(path.read_text(encoding="utf-8")).get(key, [])):
            if text and text not in seen:
                seen.add(text)
                yield f"{path.stem}/{i}", text


def _ellipse(root: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(root.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield row.get("text_id_kaggle", ""), row.get("full_text", "")


def corpora(data: Path) -> dict[str, tuple[str, Callable[[], Iterator[tuple[str, str]]]]]:
    """name -> (side, reader) for every set found under ``data`` (the shared data folder)."""
    out: dict[str, tuple[str, Callable[[], Iterator[tuple[str, str]]]]] = {}

    def add(name: str, side: str, path: Path, reader: Callable[[], Iterator[tuple[str, str]]]) -> None:
        if path.exists():
            out[name] = (side, reader)

    def add_jsonl(name: str, side: str, path: Path) -> None:
        """A JSON-lines set: its rows whose label is ``side``."""
        add(name, side, path, lambda: _jsonl(path, side))

    web = data / "web-articles"
    add_jsonl("web-articles human", "human", web / "human.jsonl")
    drl = data / "detectrl"
    add("detectrl human", "human", drl, lambda: _detectrl(drl, "human"))
    fake = data / "llmfake-misinfo"
    add_jsonl("llmfake human news", "human", fake / "human.jsonl")
    so = data / "so-chatgpt-answers" / "answers.jsonl"
    add_jsonl("stackoverflow human", "human", so)
    se = data / "stackexchange-small-sites" / "posts.jsonl"
    add_jsonl("stackexchange human", "human", se)
    hc3 = data / "hc3-qa-subsets" / "answers.jsonl"
    add_jsonl("hc3 human", "human", hc3)
    daigt = data / "kaggle-daigt-essays" / "essays.jsonl"
    add_jsonl("daigt student essays", "human", daigt)
    add_jsonl("write&improve learners", "human", data / "wi-learner-essays" / "wi_abc.jsonl")
    ell = data / "ellipse-ell-essays"
    add("ellipse learner essays", "human", ell, lambda: _ellipse(ell))
    fdg = data / "fast-detectgpt"
    add("fast-detectgpt human (held out)", "human", fdg, lambda: _fast_detectgpt(fdg, "original"))
    add_jsonl("outfox student essays (held out)", "human", data / "outfox-essays" / "essays.jsonl")
    add_jsonl("herbold student essays (held out)", "human", data / "herbold-essays-chatgpt" / "essays.jsonl")
    add_jsonl("web-articles machine", "machine", web / "machine.jsonl")
    add("detectrl llm", "machine", drl, lambda: _detectrl(drl, "llm"))
    add_jsonl("llmfake machine", "machine", fake / "machine.jsonl")
    add_jsonl("stackoverflow chatgpt", "machine", so)
    add_jsonl("hc3 chatgpt", "machine", hc3)
    add_jsonl("daigt llm essays", "machine", daigt)
    add("fast-detectgpt llm", "machine", fdg, lambda: _fast_detectgpt(fdg, "sampled"))
    return out


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, pred: bool) -> None:
        if truth and pred:
            self.tp += 1
        elif pred:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")


@dataclass
class PairResult:
    any: Counts = field(default_factory=Counts)
    pair: Counts = field(default_factory=Counts)
    per: dict[str, Counts] = field(default_factory=lambda: {d: Counts() for d in DETECTORS})
    by_source: dict[str, Counts] = field(default_factory=dict)
    numeric: Counts = field(default_factory=Counts)  # pairs whose sentences state different numbers
    n_pos: int = 0
    n_neg: int = 0


def _inside(span: tuple[int, int], region: tuple[int, int]) -> bool:
    return region[0] <= span[0] and span[1] <= region[1]


def evaluate_pairs(folder: Path) -> PairResult:
    res = PairResult()
    for item in chatprotect(folder):
        doc = parse(item.text)
        values, evidence = compute(doc)
        fired = values["any_conflict"] > 0
        res.n_pos += item.label
        res.n_neg += not item.label
        res.any.add(item.label, fired)
        res.by_source.setdefault(item.source, Counts()).add(item.label, fired)
        if item.numbers_differ:
            res.numeric.add(item.label, fired)
        hits = [e for e in evidence if e.signal in DETECTORS]
        spans = [doc.original_span(e.start, e.end) for e in hits]
        on_pair = False
        for k in range(0, len(spans) - 1, 2):
            a, b = spans[k], spans[k + 1]
            if (_inside(a, item.a_span) and _inside(b, item.b_span)) or (
                _inside(b, item.a_span) and _inside(a, item.b_span)
            ):
                on_pair = True
        res.pair.add(item.label, on_pair)
        for d in DETECTORS:
            res.per[d].add(item.label, values[d] > 0)
    return res


@dataclass
class CorpusResult:
    name: str
    side: str
    docs: int = 0
    fired: int = 0
    per: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def evaluate_corpus(name: str, side: str, reader: Callable[[], Iterator[tuple[str, str]]]) -> CorpusResult:
    res = CorpusResult(name, side)
    t0 = time.perf_counter()
    for doc_id, text in reader():
        values, evidence = compute(parse(text))
        res.docs += 1
        if values["any_conflict"] > 0:
            res.fired += 1
            for d in DETECTORS:
                if values[d] > 0:
                    res.per[d] += 1
            first = next(e for e in evidence if e.signal in DETECTORS)
            res.notes.append(f"`{doc_id}` {first.signal}: {first.note}")
    res.seconds = time.perf_counter() - t0
    return res


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.1f}%"


def _rate(fired: int, docs: int) -> str:
    """'3 flagged of 1000 (3.00 per 1,000)', with the rule-of-three 95 % upper bound when none fired."""
    out = f"{fired} flagged of {docs} ({1000 * fired / docs:.2f} per 1,000 documents"
    if not fired:
        out += f"; 95% upper bound {3000 / docs:.2f} per 1,000 by the rule of three"
    return out + ")"


def render(pairs: PairResult, corpus: list[CorpusResult], command: str) -> str:
    n_pairs = pairs.n_pos + pairs.n_neg
    lines = [
        _BEGIN,
        "",
        f"Generated by `{command}`.",
        "",
        "### ChatProtect self-contradiction pairs",
        "",
        f"{n_pairs} unique labelled pairs: {pairs.n_pos} contradictory (`strong`), "
        f"{pairs.n_neg} not. Base rate of contradictions: {_pct(pairs.n_pos / max(1, n_pairs))} "
        "(the precision of flagging everything).",
        "",
        "| prediction | flagged | TP | FP | precision | recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, c in [("any_conflict", pairs.any), ("hit on the A/B pair", pairs.pair)] + [
        (d, pairs.per[d]) for d in DETECTORS
    ]:
        lines.append(f"| {name} | {c.tp + c.fp} | {c.tp} | {c.fp} | {_pct(c.precision)} | {_pct(c.recall)} |")
    lines += [
        "",
        "| subset (any_conflict) | pairs | flagged | precision | recall |",
        "|---|---:|---:|---:|---:|",
    ]
    subsets = [(f"source {k}", c) for k, c in sorted(pairs.by_source.items())]
    subsets.append(("A and B state different numbers", pairs.numeric))
    for src, c in subsets:
        total = c.tp + c.fp + c.fn + c.tn
        lines.append(f"| {src} | {total} | {c.tp + c.fp} | {_pct(c.precision)} | {_pct(c.recall)} |")
    lines += [
        "",
        "### Firing rate on whole documents",
        "",
        "On human-written documents every hit is a false alarm (or a real slip by the author).",
        "",
        "| corpus | side | docs | docs flagged | per 1,000 docs | " + " | ".join(DETECTORS) + " |",
        "|---|---|---:|---:|---:|" + "---:|" * len(DETECTORS),
    ]
    for r in corpus:
        per = " | ".join(str(r.per[d]) for d in DETECTORS)
        rate = 1000 * r.fired / r.docs if r.docs else 0.0
        lines.append(f"| {r.name} | {r.side} | {r.docs} | {r.fired} | {rate:.2f} | {per} |")
    human = [r for r in corpus if r.side == "human"]
    n_h, f_h = sum(r.docs for r in human), sum(r.fired for r in human)
    if n_h:
        lines += ["", f"All human documents: {_rate(f_h, n_h)}."]
    held = [r for r in human if "held out" in r.name]
    n_o, f_o = sum(r.docs for r in held), sum(r.fired for r in held)
    if n_o:
        lines += ["", f"Held-out human documents: {_rate(f_o, n_o)}."]
    flagged = [(r.name, n) for r in human for n in r.notes]
    if flagged:
        lines += ["", "Human documents flagged (document id, first hit):", ""]
        lines += [f"- {name}: {note}" for name, note in flagged[:40]]
    lines += ["", _END]
    return "\n".join(lines)


def write(out: Path, body: str) -> None:
    splice_generated(out, body, _BEGIN, _END, "# Inconsistency signals: evaluation\n\n" + body + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="the chatprotect-selfcontra folder")
    ap.add_argument(
        "--corpora",
        type=Path,
        default=None,
        help="the shared data folder holding the other sets (default: the parent of --data)",
    )
    ap.add_argument("--out", type=Path, default=Path("docs/inconsistency.md"))
    ap.add_argument("--no-corpora", action="store_true", help="only the ChatProtect pairs")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        ap.error(f"{args.data} is not a directory")
    command = "python -m slopsift.training.inconsistency_eval " + " ".join(
        a for a in (argv if argv is not None else sys.argv[1:])
    )
    pairs = evaluate_pairs(args.data)
    print(
        f"pairs: any precision {_pct(pairs.any.precision)} recall {_pct(pairs.any.recall)}", file=sys.stderr
    )
    results: list[CorpusResult] = []
    if not args.no_corpora:
        for name, (side, reader) in corpora(args.corpora or args.data.parent).items():
            r = evaluate_corpus(name, side, reader)
            print(f"{name}: {r.fired}/{r.docs} flagged ({r.seconds:.1f}s)", file=sys.stderr)
            results.append(r)
    write(args.out, render(pairs, results, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
