"""Feature pins: every feature value (and the shared parse) of ~30 fixed small documents.

    python benchmarks/pins.py --check      # compare the current code with the pins (what the test does)
    python benchmarks/pins.py --update     # refresh tests/fixtures/pins/expected.json on purpose
    python benchmarks/pins.py --documents  # rewrite tests/fixtures/pins/documents.jsonl (rarely)

``tests/test_feature_pins.py`` fails when any pinned value drifts, so a speed-up of the core or a
family must leave every value identical. When a family changes a feature *on purpose*, run
``--update`` and commit the new ``expected.json`` with the change (its diff shows which values
moved). The documents are written here, deterministically (fixed seed, sentence banks written for
this file; nothing copied from a corpus) and committed, so the pins do not depend on this generator.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "tests" / "fixtures" / "pins"
DOCUMENTS = PINS / "documents.jsonl"
EXPECTED = PINS / "expected.json"
SEED = 1234

# --- sentence banks (written for these fixtures) ---------------------------------------------

HUMAN = [
    "We planted the beans late this year because the frost hung on until the second week of May.",
    "My neighbour lent me his rotavator, which saved an afternoon of digging in heavy clay.",
    "The council meeting ran over by forty minutes, mostly arguing about the new bus stop.",
    "I fixed the rear brake by replacing the cable; the old one had frayed inside the housing.",
    "On Tuesday the river was high enough that the footpath under the bridge was closed.",
    "Our daughter counted fourteen sparrows on the feeder before breakfast.",
    "The recipe said two eggs, but three made the batter easier to pour.",
    "Nobody remembered who had the key to the shed, so we climbed through the window.",
    "The library now opens at nine on Saturdays instead of ten.",
    "After the storm we found a branch across the drive and a dent in the bin lid.",
    "It cost 12.50 to park for the afternoon, which felt steep for a village car park.",
    "Dr. Patel said the knee would heal in six weeks if I stopped running on it.",
    "We measured the room twice and still ordered a carpet 3 cm too short.",
    "The train from Leeds was cancelled, so I took the slow one through Harrogate.",
    "Half the tomatoes split after the heavy rain, but the rest ripened on the windowsill.",
]
LEARNER = [
    "In my country we are eating rice every day and I think it is very healthy food.",
    "When I was come to this city first time, I did not know nobody and it was difficult.",
    "My teacher say that practise speaking is more important than grammar, I am agree.",
    "Last summer I have visited my grandmother in the village and we make bread together.",
    "The bus in my town is always late, so many peoples prefer to go with bicycle.",
    "I like to read the news in English because it help me to learn new words.",
]
BOILER = [
    "In today's fast-paced world, {t} has never been more important.",
    "It is crucial to understand that {t} plays a pivotal role in our daily lives.",
    "Furthermore, {t} offers a myriad of benefits that cannot be overstated.",
    "In conclusion, {t} is a game-changer that will continue to shape the future.",
    "Moreover, it is essential to delve into the intricacies of {t}.",
    "Whether you are a beginner or an expert, {t} can help you unlock your full potential.",
    "Ultimately, embracing {t} is the key to navigating the ever-evolving landscape.",
    "It is worth noting that {t} has become increasingly popular in recent years.",
]
HEDGES = [
    "It may be argued that some experts suggest the effect could possibly be smaller.",
    "Some people say that it is generally believed to be somewhat helpful.",
    "Studies have shown that this might perhaps be one of the most important factors.",
]
TOPICS = ["gardening", "home insurance", "electric bikes", "meal planning", "remote work", "dog training"]
TEMPLATE_HEADINGS = ["Introduction", "Overview of {T}", "Benefits of {T}", "Key Considerations", "Conclusion"]


def _para(rng: random.Random, bank: list[str], n: int) -> str:
    return " ".join(rng.choice(bank) for _ in range(n))


def _content_farm(rng: random.Random, topic: str, sections: int) -> str:
    title = f"The Ultimate Guide to {topic.title()}"
    out = [f"# {title}", ""]
    for i in range(sections):
        head = TEMPLATE_HEADINGS[i % len(TEMPLATE_HEADINGS)].format(T=topic.title())
        out += [f"## {head}" if i % 2 else f"## {title}", ""]
        out += [" ".join(b.format(t=topic) for b in rng.sample(BOILER, 3)), ""]
    out += ["## Conclusion", "", BOILER[3].format(t=topic)]
    return "\n".join(out)


def documents() -> list[dict[str, str]]:
    """The pinned documents, in a fixed order, each with an id saying what it exercises."""
    rng = random.Random(SEED)
    docs: list[tuple[str, str]] = []
    add = docs.append
    add(("empty", ""))
    add(("whitespace", " \n\t\n  "))
    add(("one-word", "Hello"))
    add(("short-human", _para(rng, HUMAN, 3)))
    add(("human-paragraphs", "\n\n".join(_para(rng, HUMAN, 5) for _ in range(4))))
    add(("human-long", "\n\n".join(_para(rng, HUMAN, 6) for _ in range(20))))
    wrapped = _para(rng, HUMAN, 12)
    lines, line = [], ""
    for w in wrapped.split():
        if len(line) + len(w) + 1 > 72:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    add(("human-hard-wrapped", "# Notes from the allotment\n\n" + "\n".join(lines)))
    add(("learner-essay", "\n\n".join(_para(rng, LEARNER, 4) for _ in range(3))))
    add(("learner-short-lines", "\n".join(rng.choice(LEARNER) for _ in range(12))))
    for k, topic in enumerate(TOPICS[:4]):
        add((f"content-farm-{k}", _content_farm(rng, topic, 5 + k)))
    add(
        ("boilerplate-no-headings", " ".join(rng.choice(BOILER).format(t="meal planning") for _ in range(14)))
    )
    add(("hedging", " ".join(rng.choice(HEDGES + HUMAN) for _ in range(16))))
    add(("repeated-phrase", " ".join(["The best electric bikes for commuting are here."] * 30)))
    add(
        (
            "repeated-lines",
            "\n".join(["Click here to subscribe", "Share this article"] * 10 + [_para(rng, HUMAN, 4)]),
        )
    )
    scraped = [
        "Best Smartphones 2024",
        "",
        _para(rng, HUMAN, 3),
        "",
        "*important*",
        "",
        _para(rng, HUMAN, 3),
        "",
        "Advertisement",
        "",
        _para(rng, HUMAN, 2) + " video",
    ]
    add(("scraped-leftovers", "\n".join(scraped)))
    add(
        (
            "contradiction",
            "The bridge opened in 1998 and carries 40,000 cars a day. It is the only crossing in the county. "
            + _para(rng, HUMAN, 4)
            + " The bridge opened in 2004, and there are three other crossings in the county. "
            "Traffic has never been heavier. The bridge carries 12,000 cars a day.",
        )
    )
    add(
        (
            "chat-preamble",
            "Sure! Here is the article you asked for:\n\n" + _content_farm(rng, "remote work", 3),
        )
    )
    add(("ai-disclaimer", "As an AI language model, I cannot browse the internet. " + _para(rng, HUMAN, 6)))
    add(
        (
            "markdown-mixed",
            "# Fixing a puncture\n\n1. Remove the wheel.\n2. Find the hole.\n3. Patch it.\n\n"
            "- tyre levers\n- patch kit\n\n```\nwheel.remove()\n```\n\n    indented code line\n\n"
            "| tool | cost |\n|---|---|\n| levers | 4.00 |\n\n" + _para(rng, HUMAN, 5),
        )
    )
    add(
        (
            "setext-html-bold",
            "Village News\n============\n\n"
            + _para(rng, HUMAN, 3)
            + "\n\n<h2>Events</h2>\n\n"
            + _para(rng, HUMAN, 3)
            + "\n\n**Weather**\n\n"
            + _para(rng, HUMAN, 3)
            + "\n\nSummary:\n\n"
            + _para(rng, HUMAN, 2),
        )
    )
    add(
        (
            "unicode-typography",
            "\u201cIt\u2019s fine,\u201d she said \u2014 the \ufb01sh was \uff21-grade. "
            "Caf\u00e9 re\u0301sume\u0301. "
            "Zero\u200bwidth and soft\u00adhyphen; p\u0430ypal homoglyph; bidi \u202eoverride\u202c.\r\n"
            + _para(rng, HUMAN, 5)
            + "\r\n\r\n\u2022 bullet one\r\n\u2022 bullet two\x00\x07",
        )
    )
    add(("crlf-only", _para(rng, HUMAN, 4).replace(". ", ".\r\n")))
    add(
        (
            "abbreviations",
            "Mr. Smith met Dr. Jones at 9 a.m. in the U.S. embassy, e.g. on St. George St. today. " * 5,
        )
    )
    add(("numbers", "In 2023 revenue rose 3.5% to 1,250,000 dollars; costs fell 0.75 points. " * 8))
    add(("all-caps", _para(rng, HUMAN, 5).upper()))
    add(("no-punctuation", " ".join(w.strip(".,;") for w in _para(rng, HUMAN, 8).split())))
    add(
        (
            "french",
            "Le conseil municipal s'est r\u00e9uni mardi soir pour discuter du nouveau parc. Les habitants "
            "ont demand\u00e9 plus de bancs et un meilleur \u00e9clairage le long de la rivi\u00e8re. " * 4,
        )
    )
    russian = "\u042d\u0442\u043e \u043f\u0440\u043e\u0441\u0442\u043e\u0439 \u0442\u0435\u043a\u0441\u0442 "
    russian += "\u043d\u0430 \u0440\u0443\u0441\u0441\u043a\u043e\u043c \u044f\u0437\u044b\u043a\u0435. "
    add(("russian", russian * 30))
    add(("long-line", " ".join(rng.choice(HUMAN) for _ in range(60)).replace(". ", "; ")))
    return [{"id": i, "text": t} for i, t in docs]


# --- what is pinned -----------------------------------------------------------------------------


def snapshot(text: str) -> dict[str, Any]:
    """Every feature value, the gate, and the shared parse's segmentation of ``text``."""
    from slopsift.document import parse
    from slopsift.features import signals_for_document

    doc = parse(text)
    res = signals_for_document(doc, evidence=False)
    return {
        "gate": res.gate,
        "n_words": doc.n_words,
        "normalisation": dict(doc.normalisation_counts),
        "parse": {
            "text_len": len(doc.text),
            "lines": len(doc.lines),
            "paragraphs": [[p.start, p.end] for p in doc.paragraphs],
            "headings": [[h.start, h.end, h.line, h.kind, h.level] for h in doc.headings],
            "sentences": [[s.start, s.end, s.word_start, s.word_end] for s in doc.sentences],
            "words_sha1": _sha1("\0".join(doc.words)),
            "word_spans_sha1": _sha1(
                ",".join(f"{a}:{b}" for a, b in zip(doc.word_starts, doc.word_ends, strict=True))
            ),
        },
        "features": res.values(),
    }


def _sha1(s: str) -> str:
    import hashlib

    return hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest()


def read_documents(path: Path = DOCUMENTS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def compute(docs: list[dict[str, str]]) -> dict[str, Any]:
    from slopsift.features import FEATURE_SCHEMA_VERSION, extract_features, feature_names, features_and_gates

    texts = [d["text"] for d in docs]
    snaps = {d["id"]: snapshot(d["text"]) for d in docs}
    # The batch path must give the very values of the one-document path.
    matrix = extract_features(texts)
    names = feature_names()
    for row, d in zip(matrix.tolist(), docs, strict=True):
        assert row == [snaps[d["id"]]["features"][n] for n in names], f"extract_features differs on {d['id']}"
    # So must the path that gives the gates with the features (what `slopsift train` reads).
    with_gates, gates = features_and_gates(texts)
    assert with_gates.tolist() == matrix.tolist(), "features_and_gates differs from extract_features"
    assert gates == [snaps[d["id"]]["gate"] for d in docs], "features_and_gates gives another gate"
    return {"feature_schema_version": FEATURE_SCHEMA_VERSION, "feature_names": names, "documents": snaps}


def diff(expected: dict[str, Any], actual: dict[str, Any], limit: int = 40) -> list[str]:
    """Human-readable differences, at most ``limit`` lines."""
    out: list[str] = []
    if expected.get("feature_names") != actual.get("feature_names"):
        old, new = set(expected.get("feature_names", [])), set(actual.get("feature_names", []))
        out.append(f"feature list changed: added {sorted(new - old)}, removed {sorted(old - new)}")
    for doc_id, exp in expected.get("documents", {}).items():
        act = actual["documents"].get(doc_id)
        if act is None:
            out.append(f"{doc_id}: missing")
            continue
        for key in ("gate", "n_words", "normalisation", "parse"):
            if exp[key] != act[key]:
                out.append(f"{doc_id}: {key} changed")
        for name, v in exp["features"].items():
            w = act["features"].get(name)
            if w != v:
                out.append(f"{doc_id}: {name} {v!r} -> {w!r}")
    return out[:limit]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--check", action="store_true")
    g.add_argument("--update", action="store_true", help="rewrite expected.json from the current code")
    g.add_argument("--documents", action="store_true", help="rewrite documents.jsonl, then expected.json")
    args = ap.parse_args(argv)
    if args.documents:
        PINS.mkdir(parents=True, exist_ok=True)
        with DOCUMENTS.open("w", encoding="utf-8") as f:
            for d in documents():
                f.write(json.dumps(d, ensure_ascii=True) + "\n")
        print(f"wrote {DOCUMENTS}")
    actual = compute(read_documents())
    if args.check:
        expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
        d = diff(expected, actual)
        print("\n".join(d) if d else "pins match")
        return 1 if d else 0
    EXPECTED.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    n = len(actual["documents"])
    print(f"wrote {EXPECTED}: {n} documents x {len(actual['feature_names'])} features", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
