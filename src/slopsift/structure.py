"""Line-level structure: which lines are headings, and of what kind.

Headings are found once, at parse time, because several signals read them (repeated headings,
section uniformity, artifacts) and the sentence splitter must not run a heading into the next
sentence. Kinds recognised:

* ``atx``       markdown ``# Title``
* ``setext``    markdown title underlined with ``===`` or ``---``
* ``html``      ``<h1>``-``<h6>`` elements left in the text
* ``bold``      a line that is entirely ``**bold**`` or ``__bold__``
* ``numbered``  ``1. Title``, ``2) Title``, ``IV. Title`` or ``I The Role of ...`` followed by body text
* ``label``     a short ``Label:`` line followed by body text
* ``plain``     a short title-like line with no end punctuation, opening a block, followed by body text

One pass over the lines; each line is examined with a constant number of anchored regexes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Heading", "Line", "detect_headings", "is_list_item"]


@dataclass(frozen=True, slots=True)
class Line:
    start: int
    end: int  # exclusive, without the newline
    blank: bool


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading: ``start``/``end`` delimit its words (markers such as ``##`` excluded)."""

    start: int
    end: int
    line: int
    kind: str
    level: int


_ATX = re.compile(r"[ ]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_SETEXT_UNDER = re.compile(r"[ ]{0,3}(=+|-+)[ \t]*$")
_HTML = re.compile(r"\s*<h([1-6])\b[^>]*>(.*?)</h\1\s*>\s*$", re.IGNORECASE)
_BOLD = re.compile(r"\s*(\*\*|__)([^*_\n]{2,120})\1\s*$")
_NUMBERED = re.compile(r"\s*((?:\d{1,2}|[IVXL]{1,5})(?:[.)]|(?=\s+[A-Z])))\s+([A-Z][^\n]{1,100})$")
_LABEL = re.compile(r"\s*([A-Z][^:\n]{1,60}):\s*$")
_LIST = re.compile(r"\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+\S")
_SMALL = frozenset(
    "a an and as at but by for from in into of on or over per the to vs with without about".split()
)
_WORD = re.compile(r"[A-Za-z][\w'\-]*")


def is_list_item(line: str) -> bool:
    """A bulleted or numbered list line."""
    return _LIST.match(line) is not None


def _title_like(s: str) -> bool:
    """Short, capitalised and unpunctuated at the end, with content words mostly capitalised."""
    if not s or len(s) > 100 or s[-1] in ".,;:!" or not s[0].isupper():
        return False
    words = _WORD.findall(s)
    if not words or len(words) > 12:
        return False
    if len(words) <= 4:
        return True
    content = [w for w in words[1:] if w.lower() not in _SMALL]
    if not content:
        return True
    return sum(w[0].isupper() for w in content) / len(content) >= 0.6


def _is_body(text: str, lines: Sequence[Line], i: int) -> bool:
    """Is line ``i`` (or the first non-blank after it) running prose?"""
    n = len(lines)
    while i < n and lines[i].blank:
        i += 1
    if i >= n:
        return False
    s = text[lines[i].start : lines[i].end].strip()
    if _ATX.match(s) or _HTML.match(s):
        return False
    return len(s.split()) >= 8 or (len(s.split()) >= 3 and s[-1:] in ".!?\"'")


def detect_headings(text: str, lines: Sequence[Line]) -> list[Heading]:
    """All headings in document order."""
    out: list[Heading] = []
    n = len(lines)
    for i, ln in enumerate(lines):
        if ln.blank:
            continue
        s = text[ln.start : ln.end]
        if len(s) > 300:
            continue
        m = _ATX.match(s)
        if m and m.group(2):
            out.append(Heading(ln.start + m.start(2), ln.start + m.end(2), i, "atx", len(m.group(1))))
            continue
        m = _HTML.match(s)
        if m:
            out.append(Heading(ln.start + m.start(2), ln.start + m.end(2), i, "html", int(m.group(1))))
            continue
        if i + 1 < n and not lines[i + 1].blank and not is_list_item(s):
            u = _SETEXT_UNDER.match(text[lines[i + 1].start : lines[i + 1].end])
            if u and len(s.strip()) <= 120:
                lead = len(s) - len(s.lstrip())
                level = 1 if u.group(1)[0] == "=" else 2
                out.append(Heading(ln.start + lead, ln.start + len(s.rstrip()), i, "setext", level))
                continue
        m = _BOLD.match(s)
        if m and _is_body(text, lines, i + 1):
            out.append(Heading(ln.start + m.start(2), ln.start + m.end(2), i, "bold", 3))
            continue
        block_start = i == 0 or lines[i - 1].blank
        m = _NUMBERED.match(s)
        if m and _title_like(m.group(2).strip()) and _is_body(text, lines, i + 1):
            body_end = ln.start + m.start(2) + len(m.group(2).rstrip())
            out.append(Heading(ln.start + m.start(2), body_end, i, "numbered", 2))
            continue
        m = _LABEL.match(s)
        if m and len(m.group(1).split()) <= 8 and _is_body(text, lines, i + 1):
            out.append(Heading(ln.start + m.start(1), ln.start + m.end(1), i, "label", 3))
            continue
        stripped = s.strip()
        if block_start and _title_like(stripped) and not is_list_item(s) and _is_body(text, lines, i + 1):
            lead = len(s) - len(s.lstrip())
            out.append(Heading(ln.start + lead, ln.start + lead + len(stripped), i, "plain", 2))
    return out
