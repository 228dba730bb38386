"""The chat-2026 pairs: seed choice, the written-file format, the packaged file and its cleaning."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from slopsift.training import chat_pairs
from slopsift.training.prepare import LOADERS, BuildStats, Record, build_corpus, clean_text


def _human(text: str, group: str, source: str = "detectrl", domain: str = "news") -> Record:
    return Record(text, "human", source, "human", domain, group, "train", {})


def _words(n: int, tag: str) -> str:
    return " ".join(f"{tag}{i}" for i in range(n))


def test_seeds_follow_the_plan_window_and_one_per_group(monkeypatch: pytest.MonkeyPatch) -> None:
    recs = [
        _human(_words(200, "a"), "g1"),
        _human(_words(300, "b"), "g1"),  # same group: at most one of the two
        _human(_words(100, "c"), "g2"),  # under the 120-word floor
        _human(_words(1000, "d"), "g3"),  # over the 900-word ceiling
        _human(_words(400, "e"), "g4"),
        Record(_words(200, "f"), "machine", "detectrl", "gpt-4", "news", "g5", "train", {}),
        Record(_words(200, "h"), "human", "detectrl", "human", "news", "g6", "check", {}),
        _human(_words(200, "w1"), "repo", "web-articles", "web-articles"),
        _human(_words(200, "w2"), "repo", "web-articles", "web-articles"),  # repositories: many per group
    ]
    seeds = chat_pairs.select_seeds(recs)
    news = [s for s in seeds if s["domain"] == "news"]
    assert len(news) == 2 and {s["group"] for s in news} == {"g1", "g4"}
    assert [s["group"] for s in seeds if s["source"] == "web-articles"] == ["repo", "repo"]
    assert [s["seed_id"] for s in seeds] == [f"s{i:03d}" for i in range(len(seeds))]
    g4 = next(s for s in news if s["group"] == "g4")
    assert g4["target_words"] == 400 and g4["excerpt"] == _words(90, "e")
    big = next(s for s in seeds if s["group"] == "repo")
    assert big["target_words"] == 200
    # The choice depends on the texts, not on their order.
    assert chat_pairs.select_seeds(recs[::-1]) == seeds
    # A second round takes the next seeds of each cell, never one of the first round's.
    small = {("detectrl", "news"): 1}
    monkeypatch.setattr(chat_pairs, "PLAN", small)
    first, second = chat_pairs.select_seeds(recs), chat_pairs.select_seeds(recs, round_=2)
    assert [s["seed_id"] for s in first] == ["s000"] and [s["seed_id"] for s in second] == ["r2s000"]
    assert {first[0]["group"], second[0]["group"]} == {"g1", "g4"}
    assert chat_pairs.select_seeds(recs, round_=3) == []


def _write(d: Path, name: str, body: str) -> Path:
    p = d / f"{name}.txt"
    p.write_text(body, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "body",
    ["no header\n\ntext", "PROMPT: x\ntext on the next line", "PROMPT: x\n\n   \n", ""],
)
def test_a_written_file_without_prompt_blank_line_and_body_is_refused(tmp_path: Path, body: str) -> None:
    with pytest.raises(ValueError, match=r"expected 'PROMPT: \.\.\.'"):
        chat_pairs.read_written(_write(tmp_path, "s000", body))


def test_assemble_round_trip_and_same_bytes(tmp_path: Path) -> None:
    seeds = [
        {"seed_id": "s000", "group": "g1", "source": "detectrl", "domain": "news", "sha": "a", "excerpt": ""},
        {"seed_id": "s001", "group": "g2", "source": "web-articles", "domain": "web-articles", "sha": "cd"},
    ]
    d = tmp_path / "out"
    d.mkdir()
    _write(d, "s000", "PROMPT: write news\r\n\r\nBody one.\r\nSecond line.\n")
    _write(d, "s001", "PROMPT: a blog post\n\n# Title\n\nBody two.")
    out = tmp_path / "pairs.jsonl.gz"
    assert chat_pairs.assemble(seeds, d, out) == 2
    first = out.read_bytes()
    assert chat_pairs.assemble(seeds, d, out) == 2 and out.read_bytes() == first
    with gzip.open(out, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert "excerpt" not in rows[0]  # no seed text is kept
    recs = list(chat_pairs.load_chat_pairs(path=out))
    assert [(r.label, r.source, r.generator, r.group, r.domain, r.split_role) for r in recs] == [
        ("machine", "chat-2026-pairs", "claude-2026", "g1", "news", "check"),
        ("machine", "chat-2026-pairs", "claude-2026", "g2", "web-articles", "check"),
    ]
    assert recs[0].text == "Body one.\nSecond line.\n"
    assert recs[0].meta == {"seed_id": "s000", "clean_as": "detectrl", "prompt": "write news"}


def test_assemble_refuses_missing_and_extra_texts(tmp_path: Path) -> None:
    seeds = [{"seed_id": "s000", "group": "g", "source": "detectrl", "domain": "news", "sha": "a"}]
    with pytest.raises(ValueError, match=r"seeds without a text: \['s000'\]"):
        chat_pairs.assemble(seeds, tmp_path, tmp_path / "p.gz")
    _write(tmp_path, "s000", "PROMPT: p\n\nt")
    _write(tmp_path, "s999", "PROMPT: p\n\nt")
    with pytest.raises(ValueError, match=r"texts without a seed: \['s999'\]"):
        chat_pairs.assemble(seeds, tmp_path, tmp_path / "p.gz")


def test_the_packaged_pairs_cover_the_plan() -> None:
    recs = list(chat_pairs.load_chat_pairs())
    assert len(recs) == chat_pairs.ROUNDS * sum(chat_pairs.PLAN.values())
    cells = Counter((r.meta["clean_as"], r.domain) for r in recs)
    assert cells == Counter({k: chat_pairs.ROUNDS * n for k, n in chat_pairs.PLAN.items()})
    assert all(r.meta["prompt"] and len(r.text.split()) >= 50 for r in recs)
    assert len({r.text for r in recs}) == len(recs)


def test_a_counterpart_is_cleaned_by_its_seeds_rules(tmp_path: Path) -> None:
    # web-articles rules unwrap hard-wrapped Markdown prose; the default rules do not.
    body = "# A title\n\n" + "\n".join(["word " * 12] * 8)
    row = {"seed_id": "s0", "group": "g", "source": "web-articles", "domain": "web-articles", "sha": "x"}
    d = tmp_path / "w"
    d.mkdir()
    _write(d, "s0", "PROMPT: p\n\n" + body)
    out = tmp_path / "p.jsonl.gz"
    chat_pairs.assemble([row], d, out)
    rec = next(chat_pairs.load_chat_pairs(path=out))
    loader = LOADERS[chat_pairs.SOURCE]
    try:
        LOADERS[chat_pairs.SOURCE] = lambda _d: chat_pairs.load_chat_pairs(path=out)
        [built] = build_corpus(tmp_path / "no-data-here", sources=[chat_pairs.SOURCE], stats=BuildStats())
    finally:
        LOADERS[chat_pairs.SOURCE] = loader
    assert built.text == clean_text(rec.text, "web-articles")
    assert built.text != clean_text(rec.text, chat_pairs.SOURCE)
