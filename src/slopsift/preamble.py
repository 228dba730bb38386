"""Find the chat preamble a model puts before the text it was asked for.

"Sure! Here's a 6 sentence abstract for the title ...:", "Title: ...", "[assistant]: ", "As an AI language
model, ..." are addressed to the chat user, not part of the artifact. Real content farms strip them, so a
detector trained with them learns a giveaway that is absent in the wild; the preparation code strips them
before training, and the detector can still report them as a signal of their own.

The patterns live in ``lexicons/chat_preambles.txt`` (one regex per line) so they can be audited and
extended without touching code. They are matched only at the start of the text and require the preamble
shape (a short opening sentence or line that names the requested artifact and ends with ":" or a line
break), so a human text opening with "Sure, the economy ..." is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from slopsift.lexicons import load_lexicon

__all__ = ["find_chat_preamble", "find_preamble", "is_refusal", "strip_preamble"]

_LEXICON = "chat_preambles.txt"
_MAX_CHAIN = 5  # "Sure!\n" + "Here is the essay:" + "Title: X\n" + "Date: ..." needs at most a few steps
# After a refusal opener, any of these within the next few hundred characters means the model went on to
# deliver something ("However, here is ..."), so the text is not a refusal as a whole.
_TURN = re.compile(
    r"\b(?:[Hh]owever\b|[Bb]ut I can\b|[Tt]hat said\b|[Nn]evertheless\b|[Ii]nstead,? here\b|"
    r"[Hh]ere(?:'s| is| are)\b|[Bb]elow (?:is|are)\b)"
)
_REFUSAL_MAX_REST_WORDS = 150  # a refusal followed by this much other text is a disclaimer, not a refusal


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    refusal: bool
    after_only: bool
    label: bool


@lru_cache(maxsize=1)
def _patterns() -> tuple[_Pattern, ...]:
    lex = load_lexicon(_LEXICON)
    return tuple(
        _Pattern(re.compile(p), "(?#refusal)" in p, "(?#after)" in p, "(?#label)" in p) for p in lex.patterns
    )


@lru_cache(maxsize=1)
def _any_piece() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Each step's patterns as one alternation (the first step's without the after-only ones, then
    all): where it does not match, none of them does, so a text without a preamble (most texts) is
    turned down by one regex match instead of one per pattern. The patterns hold no groups and no
    inline flags, so each reads the same inside the alternation."""
    pats = _patterns()
    first = "|".join(f"(?:{p.regex.pattern})" for p in pats if not p.after_only)
    later = "|".join(f"(?:{p.regex.pattern})" for p in pats)
    return re.compile(first), re.compile(later)


def _skip_space(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    return pos


def _chain(text: str) -> tuple[int, int, bool, bool] | None:
    """Match preamble patterns repeatedly from the start:
    ``(start, end, only_refusal_pieces, only_label_pieces)``."""
    start = pos = _skip_space(text, 0)
    end = -1
    only_refusal = only_label = True
    any_piece = _any_piece()
    for step in range(_MAX_CHAIN):
        if any_piece[step > 0].match(text, pos) is None:
            break  # no pattern matches here
        for pat in _patterns():
            if pat.after_only and step == 0:
                continue
            m = pat.regex.match(text, pos)
            if m is not None and m.end() > pos:
                only_refusal = only_refusal and pat.refusal
                # an after-only piece (a bare title or heading line) adds no chat evidence of its own
                only_label = only_label and (pat.label or pat.after_only)
                end = m.end()
                pos = _skip_space(text, end)
                break
        else:
            break
    if end < 0:
        return None
    return start, end, only_refusal, only_label


def find_preamble(text: str) -> tuple[int, int] | None:
    """Return the ``(start, end)`` span of a leading chat preamble in ``text``, or ``None``.

    ``start`` is the first non-space character; ``end`` excludes the whitespace after the preamble.
    Several preamble pieces in a row ("Sure!", "Here is the essay:", "Title: X") form one span.
    """
    found = _chain(text)
    return None if found is None else (found[0], found[1])


def find_chat_preamble(text: str) -> tuple[int, int] | None:
    """:func:`find_preamble`, but ``None`` when the preamble is only field labels ("Title: X",
    "Abstract:"): a person's form, submission or data export opens with those too, so alone they are no
    evidence of a chat model. The training-data cleaner strips them all the same (:func:`strip_preamble`),
    so that neither side of the corpus keeps them."""
    found = _chain(text)
    return None if found is None or found[3] else (found[0], found[1])


def strip_preamble(text: str) -> tuple[str, str]:
    """Return ``(text without its leading preamble, the preamble)``; ``(text, "")`` if there is none."""
    span = find_preamble(text)
    if span is None:
        return text, ""
    return text[span[1] :].lstrip(), text[span[0] : span[1]]


def is_refusal(text: str) -> bool:
    """True when the whole text is a refusal ("I cannot fulfill your request ...").

    The text must open with a refusal or AI-disclaimer sentence and then neither turn to delivering
    something ("However, here is ...") nor go on for long: an "As an AI language model, I don't have
    opinions." opener followed by a full essay is a disclaimer to strip, not a refusal to drop.
    """
    found = _chain(text)
    if found is None or not found[2]:
        return False
    rest = text[found[1] :]
    if _TURN.search(rest[:400]):
        return False
    return len(rest.split()) < _REFUSAL_MAX_REST_WORDS
