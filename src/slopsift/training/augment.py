"""Content-farm augmentation: machine texts rewritten into the shape of a content-farm article.

No corpus here holds the archetype slopsift exists to catch (the title repeated as every section
heading, template headings, two conclusions, keyword stuffing, scrape debris, chat preambles left
in), so a model fitted on the corpora alone never learns what those signals mean. This module
takes machine-generated training texts and rebuilds them in that shape, with randomly chosen
subsets of the tell-tale structures, and keeps each copy in its original's group, source,
generator and domain so that grouped evaluation holds the copy out with its original. Evaluation
folds never test on augmented texts.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

from slopsift.lexicons import function_words, load_table

__all__ = ["AUGMENT_FRACTION", "augment_records", "content_farm", "ordinary_structure", "topic_phrase"]

AUGMENT_FRACTION = 0.12
"""Share of machine training texts that get a content-farm copy."""

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@lru_cache(maxsize=1)
def _templates() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, template in load_table("content_farm_templates.tsv"):
        out.setdefault(kind, []).append(template)
    return out


def topic_phrase(text: str) -> str:
    """The text's most frequent content-word bigram (or word), title-cased."""
    words = [w.lower() for w in _WORD.findall(text)]
    stop = function_words()
    bigrams = Counter(
        (a, b) for a, b in pairwise(words) if a not in stop and b not in stop and len(a) > 2 and len(b) > 2
    )
    if bigrams and bigrams.most_common(1)[0][1] >= 2:
        a, b = bigrams.most_common(1)[0][0]
        return f"{a} {b}".title()
    uni = Counter(w for w in words if w not in stop and len(w) > 3)
    return uni.most_common(1)[0][0].title() if uni else "This Topic"


def _sections(text: str, rng: random.Random) -> list[str]:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if len(paras) < 3:
        sents = [s for s in _SENT.split(" ".join(paras)) if s.strip()]
        paras, i = [], 0
        while i < len(sents):
            k = rng.randint(2, 4)
            paras.append(" ".join(sents[i : i + k]))
            i += k
    return paras


def content_farm(text: str, meta: dict[str, Any] | None, rng: random.Random) -> str:
    """A content-farm rendering of ``text`` with a random subset of the archetype's structures."""
    t = _templates()
    topic = topic_phrase(text)
    paras = _sections(text, rng)
    title = rng.choice(t["title"]).format(topic=topic)
    md = rng.random() < 0.6
    h1 = "# " if md else ""
    h2 = "## " if md else ""
    tricks = {
        k
        for k in ("title_headings", "templates", "stuffing", "lone_word", "debris", "preamble")
        if rng.random() < 0.5
    }
    if len(tricks) < 2:
        tricks |= set(rng.sample(["title_headings", "templates", "stuffing", "lone_word", "debris"], 2))
    out: list[str] = [h1 + title]
    n = len(paras)
    for i, para in enumerate(paras):
        heading = None
        if "templates" in tricks and i == 0:
            heading = rng.choice(t["opening"]).format(topic=topic)
        elif "templates" in tricks and i == n - 1:
            heading = rng.choice(t["closing"]).format(topic=topic)
        elif "title_headings" in tricks and rng.random() < 0.7:
            heading = title
        elif "templates" in tricks and rng.random() < 0.4:
            heading = rng.choice(t["middle"]).format(topic=topic)
        if heading and (i == 0 or rng.random() < 0.8 or heading == title):
            out.append(h2 + heading)
        if "stuffing" in tricks and rng.random() < 0.5 and para[:1].isupper():
            opener = rng.choice(t["stuffing"]).format(topic=topic.lower())
            para = f"{opener} {para[0].lower()}{para[1:]}"
        out.append(para)
        if "lone_word" in tricks and 0 < i < n - 1 and rng.random() < 0.25:
            words = [w for w in _WORD.findall(para) if w.lower() not in function_words() and len(w) > 4]
            if words:
                out.append(rng.choice(words).lower())
    if "templates" in tricks and rng.random() < 0.4:
        out.append(h2 + rng.choice(t["closing"]).format(topic=topic))
        out.append(paras[-1])
    if "debris" in tricks:
        out.append(rng.choice(t["debris"]))
    body = "\n\n".join(out)
    preamble = (meta or {}).get("preamble", "")
    if "preamble" in tricks and preamble:
        body = f"{preamble.strip()}\n\n{body}"
    return body


def ordinary_structure(text: str, rng: random.Random) -> str:
    """``text`` laid out as an ordinary human article: a title and distinct, content-bearing headings.

    The human counterpart of :func:`content_farm`: without it, a model would learn that any
    heading means machine text, because most human training texts have lost their layout.
    """
    paras = _sections(text, rng)
    md = rng.random() < 0.6
    out = [("# " if md else "") + topic_phrase(text)]
    seen = {out[0].lstrip("# ").lower()}
    for i, para in enumerate(paras):
        if i > 0 and rng.random() < 0.35:
            h = topic_phrase(para)
            if h.lower() not in seen:
                seen.add(h.lower())
                out.append(("## " if md else "") + h)
        out.append(para)
    return "\n\n".join(out)


def augment_records(records: Sequence[Any], seed: int = 0) -> list[Any]:
    """Structured copies of a random ``AUGMENT_FRACTION`` of the training records: content-farm
    layouts of machine texts and ordinary article layouts of human texts."""
    from dataclasses import replace

    rng = random.Random(seed)
    out = []
    for r in records:
        if r.split_role != "train" or rng.random() >= AUGMENT_FRACTION:
            continue
        meta = dict(r.meta or {})
        if r.label == "machine":
            meta["augmented"] = "content_farm"
            out.append(replace(r, text=content_farm(r.text, r.meta, rng), meta=meta))
        else:
            meta["augmented"] = "ordinary_structure"
            out.append(replace(r, text=ordinary_structure(r.text, rng), meta=meta))
    return out
