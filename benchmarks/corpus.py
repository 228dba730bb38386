"""Build the fixed benchmark corpus: >= 2,000 English documents, human and machine, 100-3,000 words.

``python benchmarks/corpus.py`` reads ``../shared/data`` and writes ``build/bench_corpus.jsonl``
(one ``{"id", "source", "label", "words", "text"}`` object per line). The build is deterministic:
every pool is ordered by a SHA-1 of its record ids and a fixed-seed RNG draws the target lengths, so
the same data always gives byte-identical output. Texts are used raw (no normalisation): a
benchmark should see what users feed in.

Composition: single documents from each source; sources whose texts are short (Q&A, forum posts,
news snippets) also contribute documents made by joining consecutive same-source, same-label texts
with a blank line until a drawn target length is reached; a "long" stratum joins same-source texts
to 1,500-3,000 words so the length range is covered. No document is under 100 or over 3,000 words
(``len(text.split())``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "build" / "bench_corpus.jsonl"
SEED = 20240501
MIN_WORDS, MAX_WORDS = 100, 3000

Record = tuple[str, str]  # (id, text)

# (pool name, label, single documents, joined documents, joined target range in words)
PLAN: tuple[tuple[str, str, int, int, tuple[int, int]], ...] = (
    ("web-articles", "human", 270, 35, (1500, 3000)),
    ("web-articles", "machine", 270, 35, (1500, 3000)),
    ("kaggle-daigt-essays", "human", 130, 35, (1000, 3000)),
    ("kaggle-daigt-essays", "machine", 130, 35, (1000, 3000)),
    ("outfox-essays", "human", 60, 20, (700, 2500)),
    ("outfox-essays", "machine", 60, 20, (700, 2500)),
    ("llmfake-misinfo", "human", 70, 70, (400, 2500)),
    ("llmfake-misinfo", "machine", 70, 70, (400, 2500)),
    ("so-chatgpt-answers", "human", 30, 60, (300, 2000)),
    ("so-chatgpt-answers", "machine", 40, 60, (400, 2000)),
    ("hc3-qa-subsets", "human", 30, 60, (300, 2000)),
    ("hc3-qa-subsets", "machine", 30, 60, (400, 2000)),
    ("stackexchange-small-sites", "human", 30, 60, (300, 2000)),
    ("detectrl", "human", 40, 50, (400, 2000)),
    ("detectrl", "machine", 40, 50, (400, 2000)),
)


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _pools(data: Path) -> dict[tuple[str, str], list[Record]]:
    """Every usable English text of the planned sources, keyed by (source, label)."""
    pools: dict[tuple[str, str], list[Record]] = {}

    def add(source: str, label: str, rid: str, text: object) -> None:
        if isinstance(text, str) and text.strip():
            pools.setdefault((source, "machine" if label in ("machine", "llm") else "human"), []).append(
                (rid, text)
            )

    for label in ("human", "machine"):
        for r in _jsonl(data / "web-articles" / f"{label}.jsonl"):
            add("web-articles", label, str(r["id"]), r["text"])
        for r in _jsonl(data / "llmfake-misinfo" / f"{label}.jsonl"):
            add("llmfake-misinfo", label, str(r["id"]), r["text"])
    for r in _jsonl(data / "kaggle-daigt-essays" / "essays.jsonl"):
        add("kaggle-daigt-essays", str(r["label"]), str(r["id"]), r["text"])
    for r in _jsonl(data / "outfox-essays" / "essays.jsonl"):
        if r.get("attack") in (None, "", "none"):  # the plain part only; attacked texts are a robustness set
            add("outfox-essays", str(r["label"]), str(r["id"]), r["text"])
    for r in _jsonl(data / "so-chatgpt-answers" / "answers.jsonl"):
        add("so-chatgpt-answers", str(r["label"]), str(r["id"]), r["text"])
    for r in _jsonl(data / "hc3-qa-subsets" / "answers.jsonl"):
        add("hc3-qa-subsets", str(r["label"]), str(r["id"]), r["text"])
    for r in _jsonl(data / "stackexchange-small-sites" / "posts.jsonl"):
        add("stackexchange-small-sites", str(r["label"]), str(r["id"]), r["text"])
    bench = data / "detectrl" / "Benchmark" / "Benchmark_Data" / "Multi_Domain"
    for path in sorted(bench.glob("*.json")):
        for i, r in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            add("detectrl", str(r["label"]), f"{path.stem}/{i}", r["text"])
    for key, recs in pools.items():
        # Order by content hash of the id: deterministic, and mixes sub-sources and domains.
        unique = {text: rid for rid, text in recs}  # exact duplicate texts once (DetectRL repeats)
        pools[key] = sorted(((rid, t) for t, rid in unique.items()), key=lambda r: _h(key[0] + r[0]))
    return pools


def _h(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


def _n(text: str) -> int:
    return len(text.split())


def build(data: Path) -> list[dict[str, object]]:
    pools = _pools(data)
    rng = random.Random(SEED)
    docs: list[dict[str, object]] = []
    for source, label, n_single, n_joined, (lo, hi) in PLAN:
        pool = pools[(source, label)]
        singles = [r for r in pool if MIN_WORDS <= _n(r[1]) <= MAX_WORDS]
        if len(singles) < n_single:
            raise SystemExit(f"{source}/{label}: only {len(singles)} texts of {MIN_WORDS}-{MAX_WORDS} words")
        used = {rid for rid, _ in singles[:n_single]}
        for rid, text in singles[:n_single]:
            docs.append({"id": f"{source}/{rid}", "source": source, "label": label, "text": text})
        rest = [r for r in pool if r[0] not in used and _n(r[1]) <= MAX_WORDS]
        k = 0
        for j in range(n_joined):
            target = round(lo * (hi / lo) ** rng.random())  # log-uniform in [lo, hi]
            parts: list[Record] = []
            words = 0
            while k < len(rest) and words < target:
                w = _n(rest[k][1])
                if words + w > MAX_WORDS:
                    break
                parts.append(rest[k])
                words += w
                k += 1
            if words < MIN_WORDS:
                raise SystemExit(f"{source}/{label}: ran out of texts for joined document {j}")
            text = "\n\n".join(t.strip() for _, t in parts)
            ids = "+".join(rid for rid, _ in parts[:3]) + ("+..." if len(parts) > 3 else "")
            docs.append({"id": f"{source}/joined/{j}/{ids}", "source": source, "label": label, "text": text})
    for d in docs:
        d["words"] = _n(str(d["text"]))
        assert MIN_WORDS <= int(str(d["words"])) <= MAX_WORDS, d["id"]
    # A fixed interleaving so that any prefix of the corpus mixes sources and lengths.
    docs.sort(key=lambda d: _h(str(d["id"])))
    return docs


def load(path: Path = DEFAULT_OUT) -> list[dict[str, object]]:
    """The built corpus (run this module first)."""
    if not path.is_file():
        raise SystemExit(f"{path} not found: run `python benchmarks/corpus.py` first")
    return list(_jsonl(path))


def describe(docs: list[dict[str, object]]) -> str:
    words = sorted(int(str(d["words"])) for d in docs)
    mb = sum(len(str(d["text"]).encode("utf-8")) for d in docs) / 1e6
    labels = Counter(str(d["label"]) for d in docs)
    return (
        f"{len(docs)} documents ({labels['human']} human, {labels['machine']} machine), {mb:.2f} MB; "
        f"words min {words[0]}, median {statistics.median(words):.0f}, max {words[-1]}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    docs = build(args.data_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n")
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()[:16]
    print(f"wrote {args.out}: {describe(docs)}; sha256 {digest}")
    by_source = Counter(f"{d['source']}/{d['label']}" for d in docs)
    for k, v in sorted(by_source.items()):
        print(f"  {k}: {v}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
