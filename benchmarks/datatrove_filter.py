"""The cost of running slopsift as a datatrove filter, against ``score_many`` on the same texts.

    taskset -c 0 python benchmarks/datatrove_filter.py              # full bench corpus, 3 passes
    taskset -c 0 python benchmarks/datatrove_filter.py --docs 200 --passes 1    # smoke run

Targets, all over the same bench-corpus documents on one core:

- ``score_many(texts)``: the reference;
- ``SlopsiftFilter.run`` over an in-memory iterator of fresh ``Document`` objects (the default
  batch of 128, and ``batch_size=1`` to show what batching buys);
- a ``LocalPipelineExecutor`` (1 task, 1 worker, so it runs in this process) with
  ``JsonlReader -> SlopsiftFilter(exclusion_writer=JsonlWriter) -> JsonlWriter`` over the corpus as
  gzipped JSONL, and the same pipeline without the filter (what reading and writing cost alone).

Plus the filter's own cost: ``SlopsiftFilter.run`` with scoring replaced by a lookup of the
reports ``score_many`` gave (annotation, stats and datatrove's run loop, nothing else).

Each target first runs on ``--warmup`` documents (imports, the model, lexicons); then the timed
passes run the targets interleaved (pass 1 of every target, then pass 2, ..., in reverse order on
every other pass), so load on a shared machine hits them alike. Reported: medians over passes of
docs/s from this process's CPU time (stable on a noisy machine; wall-clock beside it), and each
target's time relative to ``score_many``. Finally the filter's qualities, labels and drops (in
memory and through the executor's JSONL files) are checked to be exactly ``score_many``'s; the
script exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import (  # sets one-core limits: must come before numpy / scikit-learn are imported
    BUILD,
    Target,
    load_corpus,
    machine,
    markdown_table,
    model_path,
    pin_one_core,
    texts_of,
    timed_passes,
)

REFERENCE = "slopsift.score_many"


def write_input(folder: Path, docs: list[dict[str, Any]]) -> None:
    """The documents as one gzipped JSONL file (``id``, ``text``), as datatrove usually reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "corpus.jsonl.gz", "wt", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"id": str(d["id"]), "text": str(d["text"])}) + "\n")


def read_output(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for p in sorted(folder.glob("*.jsonl.gz")) for line in gzip.open(p, "rt")]


def targets(
    docs: list[dict[str, Any]], model: str | None, work: Path, captured: dict[str, Any]
) -> list[Target]:
    """``(name, setup, run)``: ``setup`` (untimed) makes the input of one pass, ``run`` is timed.

    ``captured`` receives, per target, what its last pass produced (for the agreement check).
    """
    from datatrove.data import Document
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from slopsift.integrations.datatrove import SlopsiftFilter
    from slopsift.scoring import score_many

    texts = texts_of(docs)
    ids = [str(d["id"]) for d in docs]
    src = work / f"in-{len(docs)}"
    write_input(src, docs)

    def fresh_docs() -> list[Any]:
        return [Document(text=t, id=i) for i, t in zip(ids, texts, strict=True)]

    def reference(_: None) -> None:
        captured[REFERENCE] = score_many(texts, model=model)

    out: list[Target] = [(REFERENCE, lambda: None, reference)]

    for bs in (128, 1):
        filt = SlopsiftFilter(model=model, batch_size=bs)
        name = f"SlopsiftFilter.run, in memory, batch_size={bs}"

        def run_filter(state: list[Any], filt: Any = filt, name: str = name) -> None:
            captured[name] = (state, [d.id for d in filt.run(iter(state))])

        out.append((name, fresh_docs, run_filter))

    class Replayed(SlopsiftFilter):
        """The filter with scoring replaced by a lookup of ``score_many``'s reports: its own cost."""

        @property
        def detector(self) -> Any:
            return replay

    class _Replay:
        def score_batch(self, batch: list[str]) -> list[Any]:
            return [by_text[t] for t in batch]

    by_text: dict[str, Any] = {}
    replay = _Replay()
    replayed = Replayed(model=model)
    name_replayed = "SlopsiftFilter.run, in memory, scoring replayed (the filter's own cost)"

    def setup_replayed() -> list[Any]:
        if not by_text:  # once, untimed: the reports the filter will be handed
            by_text.update(zip(texts, score_many(texts, model=model), strict=True))
        return fresh_docs()

    def run_replayed(state: list[Any]) -> None:
        list(replayed.run(iter(state)))

    out.append((name_replayed, setup_replayed, run_replayed))

    for with_filter in (True, False):
        name = (
            "LocalPipelineExecutor: JsonlReader -> SlopsiftFilter -> JsonlWriter"
            if with_filter
            else "LocalPipelineExecutor: JsonlReader -> JsonlWriter (no filter)"
        )
        tag = f"{'filter' if with_filter else 'io'}-{len(docs)}"

        def setup(tag: str = tag) -> Path:
            run_dir = work / tag
            shutil.rmtree(run_dir, ignore_errors=True)  # fresh outputs and logs (skip_completed)
            return run_dir

        def run_pipeline(run_dir: Path, with_filter: bool = with_filter, name: str = name) -> None:
            steps: list[Any] = [JsonlReader(str(src))]
            if with_filter:
                removed = JsonlWriter(str(run_dir / "removed"))
                steps.append(SlopsiftFilter(model=model, exclusion_writer=removed))
            steps.append(JsonlWriter(str(run_dir / "kept")))
            executor = LocalPipelineExecutor(steps, tasks=1, workers=1, logging_dir=str(run_dir / "logs"))
            with contextlib.redirect_stderr(io.StringIO()):  # datatrove's per-task console log
                executor.run()
            captured[name] = run_dir

        out.append((name, setup, run_pipeline))
    return out


def check_agreement(ids: list[str], captured: dict[str, Any]) -> tuple[list[str], dict[str, int]]:
    """Mismatches between every filter target's output and ``score_many``'s; and what was dropped why."""
    ref = dict(zip(ids, captured[REFERENCE], strict=True))
    flagged = {i for i, rep in ref.items() if rep.flagged}
    problems: list[str] = []
    counts: Counter[str] = Counter(f"label {rep.label}" for rep in ref.values())
    for name, value in captured.items():
        if name == REFERENCE:
            continue
        if isinstance(value, Path):  # an executor run: read what its writers wrote
            if not (value / "removed").is_dir():
                continue  # the pipeline without the filter
            kept, removed = read_output(value / "kept"), read_output(value / "removed")
            meta = {d["id"]: d["metadata"] for d in kept + removed}
            kept_ids = [d["id"] for d in kept]
            if len(kept) + len(removed) != len(ids):
                problems.append(f"{name}: {len(kept)} kept + {len(removed)} removed != {len(ids)} in")
            for d in removed:
                reason = d["metadata"].get("filter_reason", "")
                counts[
                    f"dropped as {reason if reason in ('low_quality', 'error') else 'a named signal'}"
                ] += 1
        else:  # an in-memory run: the documents fed in, annotated in place
            state, kept_ids = value
            meta = {d.id: d.metadata for d in state}
        if set(meta) != set(ids):
            problems.append(f"{name}: the documents out are not the documents in")
            continue
        for i, rep in ref.items():
            if meta[i].get("slopsift_quality") != rep.quality or meta[i].get("slopsift_label") != rep.label:
                problems.append(f"{name}: {i}: {meta[i].get('slopsift_quality')!r} != {rep.quality!r}")
        if set(ids) - set(kept_ids) != flagged or len(kept_ids) != len(ids) - len(flagged):
            problems.append(f"{name}: the dropped documents are not exactly the flagged ones")
    return problems, dict(counts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=0, help="use only the first N corpus documents (smoke run)")
    ap.add_argument("--passes", type=int, default=3, help="timed passes per target (interleaved)")
    ap.add_argument("--warmup", type=int, default=100, help="documents run once per target before timing")
    ap.add_argument("--json", type=Path, default=BUILD / "bench_datatrove_filter.json")
    args = ap.parse_args(argv)

    pin = pin_one_core()
    docs = load_corpus(args.docs or None)
    n_bytes = sum(len(t.encode("utf-8")) for t in texts_of(docs))
    model, model_note = model_path(lambda m: print(m, file=sys.stderr))
    model_arg = None if model is None else str(model)

    with tempfile.TemporaryDirectory(prefix="slopsift-dt-bench-") as tmp:
        work = Path(tmp)
        warm: dict[str, Any] = {}
        for _, setup, run in targets(docs[: args.warmup], model_arg, work, warm):
            run(setup())

        captured: dict[str, Any] = {}
        todo = targets(docs, model_arg, work, captured)
        results = timed_passes(todo, args.passes, len(docs), n_bytes, alternate=True)
        problems, counts = check_agreement([str(d["id"]) for d in docs], captured)

    ref = results[REFERENCE]
    rows = [
        [
            name,
            f"{r.docs_per_s():,.0f}",
            f"{1e3 / r.docs_per_s():.3f}",
            f"{r.cpu_median / ref.cpu_median:.3f}x",
            f"{r.docs_per_s(wall=True):,.0f}",
        ]
        for name, r in results.items()
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    words = sorted(len(str(d["text"]).split()) for d in docs)
    print(f"machine: {machine()}; {pin}; load average at end {load:.2f}")
    print(
        f"corpus: {len(docs)} documents, {n_bytes / 1e6:.2f} MB, median {words[len(words) // 2]} words; "
        f"{args.passes} timed passes, interleaved, medians; model: {model_note}"
    )
    print()
    print(markdown_table(["target", "docs/s (CPU)", "ms/doc", f"time vs {REFERENCE}", "docs/s (wall)"], rows))
    print()
    print("labels and drop reasons: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    if problems:
        print(f"AGREEMENT FAILED ({len(problems)}):", *problems[:20], sep="\n  ")
    else:
        print("agreement: every filter target's qualities, labels and drops equal score_many's exactly")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "machine": machine(),
                "pin": pin,
                "model": model_note,
                "corpus": {"n_docs": len(docs), "n_bytes": n_bytes, "median_words": words[len(words) // 2]},
                "results": [r.to_dict() for r in results.values()],
                "counts": counts,
                "agreement_problems": problems,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
