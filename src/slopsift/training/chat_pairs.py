"""chat-2026 pairs: machine counterparts of human training texts, written by a current chat model.

Every generator in the shared corpora dates from 2019-2024, and a model fitted on them passes what a
chat model writes today (the ``chat-2026`` probe set: 1 of 80 flagged). This source adds that
generator's side: for each of 860 human training texts (the *seeds*, chosen by :func:`select_seeds`
in two rounds of 430), a current chat model of Anthropic's Claude family, working as a helper of the
slopsift developers on 2026-11-27 (16 sessions of it, each given 53-54 seeds and one brief), invented
the request a user would send for a text of that genre, topic and length ("write a yelp review for a
breakfast diner, 4 stars, ..."; a quarter ask for a natural or human voice, as users do) and answered
it in one pass, in the seed's format (plain paragraphs unless the seed is a Markdown blog post; a
story whose seed opens with its writing prompt opens with it too, in the second round).

Each machine text joins its seed's ``group`` and takes its seed's ``domain``, and is cleaned by its
seed's source rules (``meta["clean_as"]``), so both sides of a pair are normalised alike. Its ``source``
is ``chat-2026-pairs`` and its role ``check``: the shipped model is not fitted on them, and the card
reports the share it flags, per domain, as for the other check-only sets.

Why not train on them (2026-11-27, full grouped evaluation, the texts as ``train`` rows tested only in
their generator's fold): with 430 and then 860 of them the held-out means moved by -0.015 to +0.001
AUROC (dataset 0.818 -> 0.819, domain 0.774 -> 0.775, generator 0.746 -> 0.738 on the folds both runs
have, web repositories 0.761 -> 0.747), held-out abstracts flagged fell from 42% to 26%, but HC3's
check-only wiki and open-QA humans were flagged more (10.4% -> 11.3%, 1.7% -> 2.5%), and the model
still told these texts from their own seeds poorly: AUROC 0.65 and 0.59 with the generator held out
(430 and 860 texts), 0.68 in-sample (430). The signals do not see what separates a current chat
model's plain prose from a person's; more of its text does not teach them to.

The texts live in the package (:data:`PAIRS_FILE`, MIT like the project), not in the shared data, and
hold no text of the seeds, which are named by group and a hash of their opening. ``python -m
slopsift.training.chat_pairs seeds`` rebuilds the seed list from a prepared corpus; ``assemble`` turns
a folder of written ``<seed_id>.txt`` files (``PROMPT: ...``, a blank line, the text) into
:data:`PAIRS_FILE`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "GENERATOR",
    "PAIRS_FILE",
    "PLAN",
    "ROUNDS",
    "SOURCE",
    "assemble",
    "load_chat_pairs",
    "read_written",
    "select_seeds",
]

SOURCE = "chat-2026-pairs"
GENERATOR = "claude-2026"
PAIRS_FILE = Path(__file__).resolve().parent / "data" / "chat-2026-pairs.jsonl.gz"
"""One JSON object per machine text: ``seed_id``, ``group``, ``source`` and ``domain`` of its seed,
``sha`` (of the seed's opening), ``prompt`` (the invented request) and ``text``."""

ROUNDS = 2
"""Writing rounds in :data:`PAIRS_FILE`; each round has its own seeds (``s000``..., ``r2s000``...)."""

PLAN: dict[tuple[str, str], int] = {
    ("detectrl", "abstracts"): 35,
    ("detectrl", "news"): 35,
    ("detectrl", "reviews"): 35,
    ("detectrl", "stories"): 35,
    ("fast-detectgpt", "news"): 20,
    ("fast-detectgpt", "stories"): 20,
    ("fast-detectgpt", "wiki"): 20,
    ("hc3-qa-subsets", "medicine"): 25,
    ("kaggle-daigt-essays", "essays"): 45,
    ("outfox-essays", "essays"): 25,
    ("llmfake-misinfo", "misinfo-news"): 25,
    ("so-chatgpt-answers", "qa"): 25,
    ("stackexchange-small-sites", "forum"): 40,
    ("web-articles", "web-articles"): 45,
}
"""Seeds per round and (source, domain) of the human training texts: every training domain with a human side.
(fast-detectgpt's PubMed answers are all under the 120-word floor; HC3's medicine stands in for them.)"""

_SEED_WORDS = (120, 900)
_MANY_PER_GROUP = {"web-articles", "kaggle-daigt-essays"}  # their groups are whole repositories / prompts
_PROMPT = "PROMPT: "


def _seed_hash(group: str, text: str) -> str:
    return hashlib.sha256(f"chat2026/{group}/{text[:200]}".encode()).hexdigest()


def select_seeds(records: Sequence[Any], round_: int = 1) -> list[dict[str, Any]]:
    """The seeds of one writing round: per :data:`PLAN` cell, human ``train`` records of 120-900 words
    in the order of a hash of their group and opening (deterministic, independent of record order), one
    per group except where a group is a repository or an essay prompt; round ``k`` takes the ``k``-th
    such block of each cell, so rounds never share a seed. Each seed carries the first 90 words of its
    text (``excerpt``) for the writer; :func:`assemble` keeps only the hash."""
    pool: dict[tuple[str, str], list[tuple[str, Any, int]]] = {k: [] for k in PLAN}
    for r in records:
        key = (r.source, r.domain)
        if r.split_role != "train" or r.label != "human" or key not in PLAN:
            continue
        n = len(r.text.split())
        if not _SEED_WORDS[0] <= n <= _SEED_WORDS[1]:
            continue
        if r.source == "so-chatgpt-answers" and r.text.count("\n") > 25:  # mostly code
            continue
        pool[key].append((_seed_hash(r.group, r.text), r, n))
    seeds: list[dict[str, Any]] = []
    prefix = "s" if round_ == 1 else f"r{round_}s"
    for key, want in PLAN.items():
        used: set[str] = set()
        got = 0
        for h, r, n in sorted(pool[key], key=lambda t: t[0]):
            if got >= want * round_:
                break
            if r.source not in _MANY_PER_GROUP and r.group in used:
                continue
            used.add(r.group)
            got += 1
            if got <= want * (round_ - 1):
                continue
            seeds.append(
                {
                    "seed_id": f"{prefix}{len(seeds):03d}",
                    "source": r.source,
                    "domain": r.domain,
                    "group": r.group,
                    "meta": dict(r.meta),
                    "words": n,
                    "target_words": min(n, 750),
                    "excerpt": " ".join(r.text.split()[:90]),
                    "sha": h[:12],
                }
            )
    return seeds


def read_written(path: Path) -> tuple[str, str]:
    """``(prompt, text)`` of one written file; ``ValueError`` unless it opens with ``PROMPT: `` and
    a blank line, and has a body."""
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    head, sep, body = raw.partition("\n\n")
    if not head.startswith(_PROMPT) or not sep or not body.strip():
        raise ValueError(f"{path}: expected 'PROMPT: ...', a blank line, then the text")
    return head[len(_PROMPT) :].replace("\n", " ").strip(), body.strip() + "\n"


def assemble(seeds: Sequence[dict[str, Any]], written: Path, out: Path = PAIRS_FILE) -> int:
    """Write :data:`PAIRS_FILE` from the seeds and the folder of ``<seed_id>.txt`` files; every seed
    must have its file and every file a seed. Returns the number of texts."""
    by_id = {s["seed_id"]: s for s in seeds}
    files = {p.stem: p for p in sorted(written.glob("*.txt"))}
    missing = sorted(set(by_id) - set(files))
    extra = sorted(set(files) - set(by_id))
    if missing or extra:
        raise ValueError(f"seeds without a text: {missing[:10]}; texts without a seed: {extra[:10]}")
    out.parent.mkdir(parents=True, exist_ok=True)
    keep = ("seed_id", "group", "source", "domain", "sha")
    rows = []
    for sid, seed in by_id.items():
        prompt, text = read_written(files[sid])
        rows.append({**{k: seed[k] for k in keep}, "prompt": prompt, "text": text})
    # mtime=0: the same texts give the same bytes.
    with gzip.GzipFile(out, "wb", mtime=0) as gz:
        for row in rows:
            gz.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    return len(rows)


def load_chat_pairs(data_dir: Path | None = None, path: Path = PAIRS_FILE) -> Iterator[Any]:
    """The machine texts as :class:`slopsift.training.prepare.Record` s (``data_dir`` is unused: the
    texts ship with the package)."""
    from slopsift.training.prepare import Record, _jsonl

    for row in _jsonl(path):
        yield Record(
            row["text"],
            "machine",
            SOURCE,
            GENERATOR,
            row["domain"],
            row["group"],
            "check",
            {"seed_id": row["seed_id"], "clean_as": row["source"], "prompt": row["prompt"]},
        )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m slopsift.training.chat_pairs", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seeds", help="write the seed list (JSON) from a prepared corpus")
    s.add_argument("--corpus", default="build/corpus.jsonl.gz")
    s.add_argument("--round", type=int, default=1, help="writing round (1, 2, ...): its own seeds")
    s.add_argument("--out", required=True)
    a = sub.add_parser("assemble", help="write the pairs file from the seeds and the written texts")
    a.add_argument("--seeds", required=True)
    a.add_argument("--dir", required=True, help="folder of <seed_id>.txt files")
    a.add_argument("--out", default=str(PAIRS_FILE))
    args = ap.parse_args(argv)
    if args.cmd == "seeds":
        from slopsift.training.prepare import read_jsonl

        seeds = select_seeds([r for r in read_jsonl(Path(args.corpus)) if r.source != SOURCE], args.round)
        Path(args.out).write_text(json.dumps(seeds, indent=1), encoding="utf-8")
        print(f"{len(seeds)} seeds -> {args.out}", file=sys.stderr)
    else:
        seeds = json.loads(Path(args.seeds).read_text(encoding="utf-8"))
        n = assemble(seeds, Path(args.dir), Path(args.out))
        print(f"{n} texts -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
