"""Headings: repeated, templated and echoed section headings, and suspiciously even sections.

Content farms and LLM article generators fill a fixed outline: the title comes back as the heading
of every section, stock headings ("Introduction", "Overview of ...", "Conclusion", twice) frame the
text, each section opens by restating its heading ("## The Benefits of Yoga" / "The benefits of
yoga are numerous.") and the sections come out about the same length. Human writers use
headings too, so heading count and density are ``neutral``: structure alone is not slop. The
generic names ("Introduction", "Background", "Conclusion") count as template headings only beside
other outline evidence, since a learner's exam essay and a funder's form prescribe them.

Headings come from the shared parse (:func:`slopsift.structure.detect_headings`). The *title* is
``Document.title`` (the first heading when it is the document's first line); every other heading
is a *section heading*. A heading's *key* is its words (``Document.words``, lower-cased) without a
leading number or Roman numeral, joined by spaces: "## 2. Overview of Yoga:" has the key
"overview of yoga". Its *content words* are the key's words outside the stop-word list, with a
plural "s" dropped (words longer than three letters not ending in "ss").

Time complexity, n = words, h = headings (at most :data:`MAX_HEADINGS` examined), n_h = words in
those headings, s = sentences:

* keys, duplicates, title recurrence     O(n_h + h log n) one dict/set pass over heading words
* template / conclusion headings          O(h) two anchored regex full-matches per short key
* section lengths                         O(h log n) bisection over word offsets
* echo of the heading by the next sentence O(h log s + n_h) bisection over sentence starts; only
  the first (heading length + 4) words of each section's first sentence are read
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from slopsift.document import Document, Heading, Sentence
from slopsift.lexicons import function_words, load_lexicon
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "MAX_HEADINGS", "compute"]

MAX_HEADINGS = 2000
"""Headings beyond this many are counted (``heading_count``, ``heading_density``) but not examined."""
TITLE_OVERLAP = 0.8
"""Share of the title's content words a section heading must hold to count as repeating it."""
TITLE_MIN_CONTENT = 3
"""Titles with fewer content words count only exact repeats ("Package names" / "Bad package names")."""
TITLE_PHRASE_WORDS = 4
"""A title of at least this many words also recurs when it appears whole inside a heading."""
ECHO_OVERLAP = 0.75
"""Share of a heading's content words its section's first sentence must repeat to echo it."""
ECHO_MIN_CONTENT = 2
"""Headings with fewer content words are not judged for echo ("## Docker" / "Docker is ...")."""
ECHO_SLACK = 4
"""The echo must come early: within the sentence's first (heading words + this) words."""
MIN_SECTIONS = 3
"""Section-length uniformity needs at least this many non-empty sections."""
UNIFORMITY_FIRES = 0.5
"""``section_uniformity`` above this (CV < 0.5) is reported with evidence; human median CV ~0.5."""
CONCLUSION_FIRES = 2
"""``conclusion_sections`` at or above this is the template tell (one closing section is normal)."""
_NOTE_CHARS = 50
_MAX_SPAN = 400  # longest echo-sentence evidence span, in characters

_LEADING_NUMBER = re.compile(r"(?:\d+(?:[.,]\d+)*|[ivxlc]{1,5})$")
_ANCHOR = re.compile(r"\s*[({]#[^)}]*[)}]\s*$")  # "Summary (#summary)", "Working with Go {#uses}"

FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "heading_count",
        "Number of section headings: every detected heading (markdown ATX/setext, HTML <h1>-<h6>, "
        "bold-only, numbered, 'Label:' and plain title-like lines) except the document title.",
        "headings",
        "neutral",
    ),
    FeatureSpec(
        "heading_density",
        "Section headings per 1,000 words of the whole document (0 for an empty document).",
        "headings per 1,000 words",
        "neutral",
    ),
    FeatureSpec(
        "duplicate_heading_fraction",
        "Section headings whose key (lower-cased words, punctuation and leading numbering dropped) "
        "equals the key of an earlier section heading / section headings; 0 without section "
        "headings. Evidence: each repeating heading.",
        "fraction of section headings",
        "higher_worse",
    ),
    FeatureSpec(
        "title_recurrence",
        "Section headings that repeat the title: same key; same content words; title key (>= "
        f"{TITLE_PHRASE_WORDS} words) found whole inside the heading key, as in 'Introduction to <title>'; "
        f"or (title with >= {TITLE_MIN_CONTENT} content words) holding >= {TITLE_OVERLAP:.0%} of the "
        "title's content words. "
        "0 without a title. The content-farm signature. Evidence: each such heading.",
        "headings",
        "higher_worse",
    ),
    FeatureSpec(
        "template_heading_fraction",
        "Section headings whose key fully matches an entry of template_headings.txt (Introduction, "
        "Overview of ..., Conclusion, Key Takeaways, FAQ, The Importance of ..., ...) / section "
        "headings; 0 without section headings. The generic names of a taught essay or report format "
        "(generic_headings.txt: Introduction, Background, Conclusion, ...) count only beside a stock "
        "heading, a repeated title or heading, or two conclusion-type sections. Evidence: each "
        "template heading.",
        "fraction of section headings",
        "higher_worse",
    ),
    FeatureSpec(
        "template_heading_count",
        "Number of section headings matching template_headings.txt (see template_heading_fraction). "
        "Evidence: each template heading.",
        "headings",
        "higher_worse",
    ),
    FeatureSpec(
        "conclusion_sections",
        "Number of section headings of conclusion type (Conclusion, In Conclusion, Final Thoughts, "
        "Summary, Key Takeaways, Wrapping Up, The Bottom Line, ...: the 'conclusion' pattern of "
        f"template_headings.txt). One is normal; fires at >= {CONCLUSION_FIRES}. Evidence: the second "
        "and later conclusion-type headings.",
        "headings",
        "higher_worse",
    ),
    FeatureSpec(
        "section_uniformity",
        "max(0, 1 - CV) of the word counts of the non-empty sections, where a section is the text "
        "after a heading (title included) up to the next heading and CV = population standard "
        f"deviation / mean; 0 (no evidence) with fewer than {MIN_SECTIONS} non-empty sections. "
        "Template articles have sections of near-equal length (web-articles: machine median CV 0.37, "
        f"human 0.53). Baseline <= {UNIFORMITY_FIRES}; above it, evidence: each section's heading "
        "with its length.",
        "score in [0, 1]",
        "higher_worse",
    ),
    FeatureSpec(
        "heading_echo_fraction",
        f"Section headings with >= {ECHO_MIN_CONTENT} content words of which >= {ECHO_OVERLAP:.0%} "
        "reappear among the content words at the start of the first sentence of the section (its "
        f"first heading-length + {ECHO_SLACK} words), as in '## The Benefits of Yoga' / 'The benefits "
        "of yoga are numerous.' / such headings followed by a sentence in their section; 0 if none. "
        "Evidence: each echoing sentence and its heading.",
        "fraction of eligible headings",
        "higher_worse",
    ),
)


@dataclass(frozen=True)
class _Templates:
    literals: frozenset[str]
    template: re.Pattern[str] | None
    conclusion: re.Pattern[str] | None


@lru_cache(maxsize=1)
def _templates() -> _Templates:
    """The template list, split into literals, plain patterns and conclusion-type patterns."""
    lex = load_lexicon("template_headings.txt")
    plain: list[str] = []
    concl: list[str] = []
    for p in lex.patterns:
        if "(?P<conclusion>" in p:
            concl.append(p.replace("(?P<conclusion>", "(?:"))
        else:
            plain.append(p)

    def alt(ps: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in ps)) if ps else None

    return _Templates(frozenset(lex.phrases), alt(plain), alt(concl))


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    """Keys of the generic template headings (generic_headings.txt): counted only beside other
    template evidence, since an essay or report format prescribes them."""
    return frozenset(load_lexicon("generic_headings.txt").phrases)


def _template_evidence(doc: Document, h: Heading) -> tuple[Evidence, Evidence]:
    note = f"template heading: {_note(doc, h)}"
    return (
        Evidence(h.start, h.end, "template_heading_fraction", note),
        Evidence(h.start, h.end, "template_heading_count", note),
    )


def _content(words: Sequence[str]) -> set[str]:
    """Content words (not in stopwords_en.txt), a plural "s" dropped from words over three letters."""
    stop = function_words()
    return {w[:-1] if len(w) > 3 and w[-1] == "s" and w[-2] != "s" else w for w in words if w not in stop}


def _key_words(doc: Document, h: Heading) -> list[str]:
    end = h.end
    if "#" in doc.text[h.start : h.end]:
        m = _ANCHOR.search(doc.text, h.start, h.end)
        if m:
            end = m.start()
    i, j = doc.words_between(h.start, end)
    words = doc.words[i:j]
    if len(words) > 1 and (
        _LEADING_NUMBER.match(words[0]) or (words[0] == "title" and doc.text[h.start : h.end][5:6] == ":")
    ):
        words = words[1:]  # "2. Overview" / "IV. Results" / a chat-style "Title: ..."
    return words


def _note(doc: Document, h: Heading) -> str:
    t = " ".join(doc.text[h.start : h.end].split())
    return t if len(t) <= _NOTE_CHARS else t[: _NOTE_CHARS - 3] + "..."


def _start(s: Sentence) -> int:
    return s.start


def compute(doc: Document) -> FamilyOutput:
    title = doc.title
    title_line = title.line if title is not None else -1
    heads = doc.headings
    m = min(len(heads), MAX_HEADINGS)
    # Where each examined heading's section ends: the line of the next heading, or the end.
    stops = [doc.lines[heads[k + 1].line].start if k + 1 < len(heads) else len(doc.text) for k in range(m)]
    idx = [k for k in range(m) if heads[k].line != title_line]
    sections = [heads[k] for k in idx]
    n_sections = sum(1 for h in heads if h.line != title_line)
    ev: list[Evidence] = []
    values: dict[str, float] = {
        "heading_count": float(n_sections),
        "heading_density": 1000.0 * n_sections / doc.n_words if doc.n_words else 0.0,
    }

    # Keys: duplicates, title recurrence, templates.
    tpl = _templates()
    title_key = ""
    title_content: set[str] = set()
    title_words = 0
    if title is not None:
        tw = _key_words(doc, title)
        title_key = " ".join(tw)
        title_words = len(tw)
        title_content = _content(tw)
    seen: set[str] = set()
    n_dup = n_title = n_tpl = n_concl = 0
    generic = _generic()
    pending: list[tuple[int, Heading]] = []  # generic template headings and where their evidence goes
    contents: list[set[str]] = []
    keys: list[list[str]] = []
    for h in sections:
        kw = _key_words(doc, h)
        key = " ".join(kw)
        content = _content(kw)
        contents.append(content)
        keys.append(kw)
        if not key:
            continue
        if key in seen:
            n_dup += 1
            ev.append(Evidence(h.start, h.end, "duplicate_heading_fraction", "same as an earlier heading"))
        seen.add(key)
        if title_key and (
            key == title_key
            or (title_content and content == title_content)
            or (title_words >= TITLE_PHRASE_WORDS and f" {title_key} " in f" {key} ")
            or (
                len(title_content) >= TITLE_MIN_CONTENT
                and len(title_content & content) >= TITLE_OVERLAP * len(title_content)
            )
        ):
            n_title += 1
            note = "repeats the title" if key == title_key else "contains the title"
            ev.append(Evidence(h.start, h.end, "title_recurrence", note))
        is_concl = tpl.conclusion is not None and tpl.conclusion.fullmatch(key) is not None
        if key in generic:
            pending.append((len(ev), h))
        elif is_concl or key in tpl.literals or (tpl.template is not None and tpl.template.fullmatch(key)):
            n_tpl += 1
            ev.extend(_template_evidence(doc, h))
        if is_concl:
            n_concl += 1
            if n_concl >= CONCLUSION_FIRES:
                ev.append(
                    Evidence(h.start, h.end, "conclusion_sections", f"conclusion-type section #{n_concl}")
                )
    if pending and (n_tpl or n_title or n_dup or n_concl >= CONCLUSION_FIRES):
        # A taught outline's generic names count once the document shows a filled-in template.
        n_tpl += len(pending)
        for at, h in reversed(pending):
            ev[at:at] = _template_evidence(doc, h)
    n = len(sections)
    values["duplicate_heading_fraction"] = n_dup / n if n else 0.0
    values["title_recurrence"] = float(n_title)
    values["template_heading_fraction"] = n_tpl / n if n else 0.0
    values["template_heading_count"] = float(n_tpl)
    values["conclusion_sections"] = float(n_concl)

    # Section-length uniformity over all headings (the title's section is the lead).
    lengths: list[tuple[Heading, int]] = []
    for k in range(m):
        w = bisect_left(doc.word_starts, stops[k]) - bisect_left(doc.word_starts, heads[k].end)
        if w > 0:
            lengths.append((heads[k], w))
    uniformity = 0.0
    if len(lengths) >= MIN_SECTIONS:
        counts = [w for _, w in lengths]
        mean = sum(counts) / len(counts)
        cv = math.sqrt(sum((c - mean) ** 2 for c in counts) / len(counts)) / mean
        uniformity = max(0.0, 1.0 - cv)
        if uniformity > UNIFORMITY_FIRES:
            for h, w in lengths:
                ev.append(
                    Evidence(h.start, h.end, "section_uniformity", f"section of {w} words (CV {cv:.2f})")
                )
    values["section_uniformity"] = uniformity

    # Headings echoed by the first sentence of their section.
    eligible = echoed = 0
    for k, h in enumerate(sections):
        hc = contents[k]
        if len(hc) < ECHO_MIN_CONTENT:
            continue
        j = bisect_left(doc.sentences, h.end, key=_start)
        if j >= len(doc.sentences) or doc.sentences[j].start >= stops[idx[k]]:
            continue
        s = doc.sentences[j]
        eligible += 1
        window = len(keys[k]) + ECHO_SLACK
        sc = _content(doc.words[s.word_start : min(s.word_end, s.word_start + window)])
        if len(hc & sc) >= ECHO_OVERLAP * len(hc):
            echoed += 1
            ev.append(
                Evidence(h.start, h.end, "heading_echo_fraction", "heading restated by the next sentence")
            )
            end = s.end  # the whole sentence, unless it is huge: then up to the compared words
            if end - s.start > _MAX_SPAN:
                end = doc.word_ends[min(s.word_end, s.word_start + window) - 1]
            ev.append(Evidence(s.start, end, "heading_echo_fraction", f'restates heading "{_note(doc, h)}"'))
    values["heading_echo_fraction"] = echoed / eligible if eligible else 0.0
    return values, ev


FAMILY = register(
    Family(
        "headings",
        "Repeated, templated and self-echoing section headings and uniform section lengths: the outline "
        "of a content-farm or LLM-generated article.",
        "O(n): linear in words; per heading O(log n) bisection and two regex full-matches on its key",
        FEATURES,
        compute,
    )
)
