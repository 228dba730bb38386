"""Hedging and LLM boilerplate: six separately measured phrase lists.

Each list is a data file in :mod:`slopsift.lexicons` and gets its own features, so a model (and a
moderator) can tell careful human hedging apart from machine boilerplate:

(a) ``hedge``             classic hedge cues (may, might, perhaps, seems, ...). Careful human writers
                          hedge, so these are ``neutral``: context for the other lists, never a tell.
(b) ``boilerplate``       stock LLM templates ("in conclusion", "plays a pivotal role", "in today's
                          fast-paced world", "it is important to note").
(c) ``llm_vocab``         words LLMs overuse in non-fiction (delve, tapestry, testament, pivotal, ...).
(d) ``vague_attribution`` claims credited to nobody in particular ("experts say", "studies show").
(e) ``chatbot``           chat-assistant leftovers ("as an AI language model", "as of my last
                          knowledge update", refusals, "[Your Name]").
(f) ``rhetoric``          the stock rhetoric of recent chat models: negated reframes ("this isn't
                          about X. It's about Y", "isn't just"), announced reveals ("here's the
                          thing"), conversational asides ("and honestly").

Plus ``chat_preamble``: whether the text opens with a chat preamble, as found by
:func:`slopsift.preamble.find_chat_preamble` (the training-data cleaner's finder, less the preambles
that are only field labels such as "Title: X", which people's forms and exports open with too).

Per list: occurrences per 1,000 words and the share of sentences holding at least one hit (for (c),
each word's first use only, see :func:`find_hits`); for (b)
also the number of distinct templates used, for (f) the occurrences after the first (a habit, not a
phrase: the signal the classifier reads). For the five tell lists (b)-(f) the rates are taken over
at least :data:`RATE_MIN_WORDS` words and :data:`SHARE_MIN_SENTENCES` sentences: one "In conclusion"
in a 250-word student essay is one phrase, not a rate of 4 per 1,000 words, and shorter texts would
otherwise read as extreme on a single hit. Evidence is every hit (the framework caps how many are
reported), its note naming the entry that matched.

The lists read ``doc.phrase_view`` (:attr:`slopsift.document.Document.phrase_view`): the lower-cased
text with Markdown emphasis markers removed and runs of spaces read as one, so that "It's *not* about",
"**It's about trust.**" or a double space after a full stop do not split a phrase; hits are mapped back
to the text's offsets.

Complexity: the six lists' phrases are found together by one scan of ``doc.phrase_view`` with a trie
regex over all of them (:class:`slopsift.lexicons.PhraseMatcherSet`), each list's hits read only
where some phrase starts (from a table of the phrases, or the list's own regex), plus a few ``re:``
patterns, each bounded in span: O(n) in text length for all lists together. Overlapping hits of one
list (only a list with ``re:`` patterns has any) are resolved by one sort, O(h log h) in the number
of hits h. Each hit finds its sentence by bisection over sentence starts, O(h log s).
Evidence is capped per feature, so output is bounded. ``find_chat_preamble`` only matches a bounded
number of patterns at the start of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from operator import itemgetter

from slopsift.document import Document, PhraseView
from slopsift.lexicons import PhraseMatcher, PhraseMatcherSet
from slopsift.preamble import find_chat_preamble
from slopsift.signals.base import Direction, Evidence, Family, FamilyOutput, FeatureSpec, register

__all__ = ["FAMILY", "FEATURES", "LISTS", "RATE_MIN_WORDS", "SHARE_MIN_SENTENCES", "compute", "find_hits"]

LISTS: tuple[tuple[str, str], ...] = (
    ("hedge", "hedge_cues.txt"),
    ("boilerplate", "llm_boilerplate.txt"),
    ("llm_vocab", "llm_vocabulary.txt"),
    ("vague_attribution", "vague_attribution.txt"),
    ("chatbot", "chatbot_leftovers.txt"),
    ("rhetoric", "llm_rhetoric.txt"),
)
"""``(feature prefix, lexicon file)`` for each list, in feature order."""

RATE_MIN_WORDS = 500
"""Floor of the word count that the tell lists' per-1,000-word rates divide by."""
SHARE_MIN_SENTENCES = 20
"""Floor of the sentence count that the tell lists' sentence shares divide by."""

_LEAD_IN = re.compile(r"[\W\d_]{0,12}")
"""What may stand between a sentence's start and its first word; bounded, so each check is O(1)."""
_MAX_EVIDENCE = 25  # per feature; the same bound the framework applies when it reports evidence
_NOTE_CHARS = 60

_WHAT = {
    "hedge": "classic hedge cues (may, might, perhaps, seems, ...; hedge_cues.txt)",
    "boilerplate": "LLM boilerplate templates ('in conclusion', 'a testament to', ...; llm_boilerplate.txt)",
    "llm_vocab": "words LLMs overuse (delve, tapestry, testament, pivotal, ...; llm_vocabulary.txt)",
    "vague_attribution": "vague attributions ('some argue', 'research shows', ...; vague_attribution.txt)",
    "chatbot": "chat-assistant leftovers ('as an AI', '[Your Name]', ...; chatbot_leftovers.txt)",
    "rhetoric": "recent chat models' stock rhetoric ('isn't just', 'here's the thing'; llm_rhetoric.txt)",
}


def _specs() -> tuple[FeatureSpec, ...]:
    out: list[FeatureSpec] = []
    for key, _ in LISTS:
        direction: Direction = "neutral" if key == "hedge" else "higher_worse"
        floor_w = "" if key == "hedge" else f" (over at least {RATE_MIN_WORDS} words)"
        floor_s = "" if key == "hedge" else f" (over at least {SHARE_MIN_SENTENCES} sentences)"
        counted = (
            "Distinct entries used (each counted once; capitalised names skipped)"
            if key == "llm_vocab"
            else "Occurrences"
        )
        out.append(
            FeatureSpec(
                f"{key}_per_1k",
                f"{counted} of {_WHAT[key]} per 1,000 words{floor_w}; overlapping matches count once.",
                "per 1,000 words",
                direction,
            )
        )
        out.append(
            FeatureSpec(
                f"{key}_sentence_share",
                (
                    f"Fraction of sentences{floor_s} holding the first use of an entry of the {_WHAT[key]} "
                    "(capitalised names skipped)."
                    if key == "llm_vocab"
                    else f"Fraction of sentences{floor_s} containing at least one of the {_WHAT[key]}."
                ),
                "fraction of sentences",
                direction,
            )
        )
        if key == "boilerplate":
            out.append(
                FeatureSpec(
                    "boilerplate_distinct",
                    "Number of distinct boilerplate templates (lexicon entries) used at least once.",
                    "templates",
                    "higher_worse",
                )
            )
        if key == "rhetoric":
            out.append(
                FeatureSpec(
                    "rhetoric_repeats_per_1k",
                    f"Occurrences of {_WHAT[key]} after the first, per 1,000 words (over at least "
                    f"{RATE_MIN_WORDS} words): one such phrase is a phrase, two are a habit. Evidence: "
                    "every occurrence, when there are two or more.",
                    "per 1,000 words",
                    "higher_worse",
                )
            )
    out.append(
        FeatureSpec(
            "chat_preamble",
            "1 if the text opens with a chat preamble addressed to the user ('Sure! Here is the article:', "
            "with any 'Title: ...' after it; slopsift.preamble.find_chat_preamble), else 0. A field label "
            "alone ('Title: X', 'Abstract:') does not count: forms and data exports open with them too.",
            "0/1",
            "higher_worse",
        )
    )
    return tuple(out)


FEATURES: tuple[FeatureSpec, ...] = _specs()


@cache
def _matcher(filename: str) -> PhraseMatcher:
    """One compiled matcher per list, built on first use."""
    return PhraseMatcher.from_lexicon(filename)


@cache
def _matcher_set() -> PhraseMatcherSet:
    """All six lists' matchers scanned together (one pass over the text for every list)."""
    return PhraseMatcherSet([_matcher(filename) for _, filename in LISTS])


@cache
def _patterns(filename: str) -> frozenset[str]:
    return frozenset(_matcher(filename).patterns)


def find_hits(doc: Document, key: str) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(start, end, entry)`` hits of list ``key`` in ``doc``, in text order.

    A regex entry and a literal entry of the same list can match overlapping text; the earlier
    (then longer) match wins, so one stretch of text counts once. A capitalised "May" that does not
    open a sentence is the month or a name, not a hedge, and is skipped.

    The overused-vocabulary list (``llm_vocab``) counts each entry once per document, and skips a
    capitalised word that neither opens a sentence (behind at most a list marker, quote or bracket:
    "1. Delve", "- **Vibrant**") nor sits in a heading: a name ("Beacon Hill", "the Old Testament",
    "Symphony No. 8"). Machines spread many of these words thinly (the excess
    vocabulary of Kobak et al. is measured the same way, by the documents using a word); a human
    text repeats one in its literal sense (a climbing guide's "harness", an ecology paper's
    "landscape").
    """
    view = doc.phrase_view
    return _resolve(doc, key, _mapped(view, list(_matcher(dict(LISTS)[key]).finditer(view.text))))


def _mapped(view: PhraseView, raw: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The hits ``raw`` found in ``view`` with their spans mapped back to the document's text."""
    if not view.passes or not raw:
        return raw
    span = view.span
    return [(*span(s, e), entry) for s, e, entry in raw]


def _resolve(
    doc: Document, key: str, raw: list[tuple[int, int, str]], literal_only: bool = False
) -> list[tuple[int, int, str]]:
    """:func:`find_hits` from the raw matches of list ``key`` (sorted here, in place).

    ``literal_only``: the list has no ``re:`` patterns, so its matches are already in text order
    and do not overlap (see :class:`~slopsift.lexicons.PhraseMatcher`); only the hedge list's
    "May" check is left to do."""
    if not raw:
        return []
    if literal_only:
        if key not in ("hedge", "llm_vocab"):
            return raw
    else:
        raw.sort(key=lambda h: (h[0], -h[1]))
    text = doc.text
    vocab = key == "llm_vocab"
    starts: list[int] | None = None
    seen: set[str] = set()
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for s, e, entry in raw:
        if s < last_end or (vocab and entry in seen):
            continue
        if (vocab or (key == "hedge" and entry == "may")) and text[s].isupper():
            if starts is None:
                starts = doc.sentence_bounds[0]
            if not _opens_sentence(text, starts, s, lead_in=vocab) and not (vocab and _in_heading(doc, s)):
                continue
        if vocab:
            seen.add(entry)
        out.append((s, e, entry))
        last_end = e
    return out


def _in_heading(doc: Document, pos: int) -> bool:
    """Whether ``pos`` lies on a heading line (title case capitalises every word there)."""
    return bisect_right(doc.line_starts, pos) - 1 in doc.heading_lines


def _opens_sentence(text: str, starts: list[int], pos: int, lead_in: bool = False) -> bool:
    """Whether the word at ``pos`` opens its sentence; with ``lead_in``, also when only a list marker,
    an opening quote or a bracket ("1. ", "- **", '"', "(") stands before it in the sentence."""
    k = bisect_right(starts, pos) - 1
    if k < 0:
        return False
    return starts[k] == pos or (lead_in and _LEAD_IN.fullmatch(text, starts[k], pos) is not None)


def _note(doc: Document, start: int, end: int, entry: str, is_pattern: bool) -> str:
    if not is_pattern:
        return entry
    matched = " ".join(doc.lower[start:end].split())
    if len(matched) > _NOTE_CHARS:
        matched = matched[: _NOTE_CHARS - 3] + "..."
    return f"pattern: {matched}"


def compute(doc: Document) -> FamilyOutput:
    evidence: list[Evidence] = []
    return _compute(doc, evidence), evidence


def compute_values(doc: Document) -> dict[str, float]:
    """``compute(doc)[0]``, without the evidence (no notes, no spans: most texts have a dozen hits)."""
    return _compute(doc, None)


@cache
def _plan() -> tuple[tuple[str, frozenset[str], str, str], ...]:
    """Per list, in :data:`LISTS` order: its key, its ``re:`` patterns and its two rate features' names."""
    return tuple(
        (key, _patterns(filename), f"{key}_per_1k", f"{key}_sentence_share") for key, filename in LISTS
    )


def _compute(doc: Document, evidence: list[Evidence] | None) -> dict[str, float]:
    """The feature values; the evidence is appended to ``evidence`` unless it is None."""
    values: dict[str, float] = {}
    n_words = doc.n_words
    n_sent = len(doc.sentences)
    sent_starts, sent_ends = doc.sentence_bounds[:2]
    view = doc.phrase_view
    for (key, patterns, dens_name, share_name), raw in zip(
        _plan(), _matcher_set().findall(view.text), strict=True
    ):
        raw = _mapped(view, raw)
        per_words = n_words if key == "hedge" else max(n_words, RATE_MIN_WORDS)
        per_sents = n_sent if key == "hedge" else max(n_sent, SHARE_MIN_SENTENCES)
        # most lists find nothing in most texts: their rates are 0.0 (0 / a positive count, or the 0.0 below)
        hits = _resolve(doc, key, raw, literal_only=not patterns) if raw else raw
        values[dens_name] = 1000.0 * len(hits) / per_words if per_words else 0.0
        seen_sent: set[int] = set()
        for s, _, _ in hits:
            k = bisect_right(sent_starts, s) - 1
            if k >= 0 and s < sent_ends[k]:
                seen_sent.add(k)
        values[share_name] = len(seen_sent) / per_sents if per_sents else 0.0
        if key == "boilerplate":
            values["boilerplate_distinct"] = float(len(set(map(itemgetter(2), hits))))
        if key == "rhetoric":
            repeats = max(len(hits) - 1, 0)
            values["rhetoric_repeats_per_1k"] = 1000.0 * repeats / per_words if per_words else 0.0
        if evidence is not None and hits:
            evidence += _list_evidence(doc, key, hits, patterns, sent_starts, sent_ends)
    span = find_chat_preamble(doc.text)
    values["chat_preamble"] = 1.0 if span is not None else 0.0
    if evidence is not None and span is not None and span[1] > span[0]:
        evidence.append(Evidence(span[0], span[1], "chat_preamble", "chat preamble"))
    return values


def _list_evidence(
    doc: Document,
    key: str,
    hits: list[tuple[int, int, str]],
    patterns: frozenset[str],
    sent_starts: list[int],
    sent_ends: list[int],
) -> list[Evidence]:
    """The evidence of list ``key``'s hits, at most :data:`_MAX_EVIDENCE` per feature, in hit order:
    every hit, the first hit in each sentence, for boilerplate the first use of each entry; then, for
    rhetoric with two hits or more, every hit again."""
    dens_name, share_name = f"{key}_per_1k", f"{key}_sentence_share"
    evidence: list[Evidence] = []
    seen_sent: set[int] = set()
    seen_entry: set[str] = set()
    n_dens = n_share = n_distinct = 0
    for s, e, entry in hits:
        note = ""
        if n_dens < _MAX_EVIDENCE:
            note = _note(doc, s, e, entry, entry in patterns)
            evidence.append(Evidence(s, e, dens_name, note))
            n_dens += 1
        k = bisect_right(sent_starts, s) - 1
        if k >= 0 and s < sent_ends[k] and k not in seen_sent:
            seen_sent.add(k)
            if n_share < _MAX_EVIDENCE:
                note = note or _note(doc, s, e, entry, entry in patterns)
                evidence.append(Evidence(s, e, share_name, note))
                n_share += 1
        if key == "boilerplate" and entry not in seen_entry:
            seen_entry.add(entry)
            if n_distinct < _MAX_EVIDENCE:
                note = note or _note(doc, s, e, entry, entry in patterns)
                evidence.append(Evidence(s, e, "boilerplate_distinct", note))
                n_distinct += 1
    if key == "rhetoric" and len(hits) > 1:
        for s, e, entry in hits[:_MAX_EVIDENCE]:
            note = _note(doc, s, e, entry, entry in patterns)
            evidence.append(Evidence(s, e, "rhetoric_repeats_per_1k", note))
    return evidence


FAMILY = register(
    Family(
        "hedging",
        "Hedge cues (neutral) and five lists of LLM tells: boilerplate templates, overused vocabulary, "
        "vague attributions, chat-assistant leftovers and recent chat models' stock rhetoric, each "
        "measured separately.",
        "O(n): one trie regex scan of the lower-cased text for all six lists; hits placed in sentences "
        "by bisection",
        FEATURES,
        compute,
        compute_values,
    )
)
