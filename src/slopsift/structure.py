"""Line-level structure: which lines are headings, and of what kind.

Headings are found once, at parse time, because several signals read them (repeated headings,
section uniformity, artifacts) and the sentence splitter must not run a heading into the next
sentence. Kinds recognised:

* ``atx``       markdown ``# Title``
* ``setext``    markdown title underlined with ``===`` or ``---``
* ``html``      ``<h1>``-``<h6>`` elements left in the text
* ``bold``      a line that is entirely ``**bold**`` or ``__bold__``, followed by body text
* ``numbered``  ``1. Title``, ``2) Title``, ``IV. Title`` or ``I The Role of ...`` standing alone (not
  inside a list) and followed by body text
* ``label``     a short title-like ``Label:`` line followed by a prose paragraph
* ``plain``     a short title-like line with no end punctuation, opening a block, followed by body text

A ``label`` or ``plain`` heading may open with emoji or other pictographs ("\U0001f4a1 Final Thoughts"):
they and the spaces after them are skipped (:func:`_after_pictographs`) and the line is judged by what
follows; the heading's span still starts at the first pictograph, as an ATX heading's does.

Precision matters more than recall: an ordinary list item, a one-line rhetorical question, a
line introducing a list (``Here are the steps:``) or the first line of a hard-wrapped paragraph
(human blogs wrap at ~80 columns) is not a heading. Lines inside fenced code blocks and indented
code are never headings.

One pass over the lines; each line is examined with a constant number of anchored regexes and
at most a few following lines, so detection is linear in the length of the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from slopsift import _accel
from slopsift.lexicons import function_words

__all__ = ["Heading", "Line", "code_lines", "code_lines_of", "detect_headings", "is_list_item"]


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


_MAX_LINE = 300  # longer lines are never headings (and are not scanned further)
_ATX = re.compile(r"[ ]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_SETEXT_UNDER = re.compile(r"[ ]{0,3}(={2,}|-{2,})[ \t]*$")
_HTML = re.compile(r"\s*<h([1-6])\b[^>]*>(.*?)</h\1\s*>\s*$", re.IGNORECASE)
_BOLD = re.compile(r"\s*(\*\*|__)([^*_\n]{2,120})\1\s*$")
_NUMBERED = re.compile(r"\s*((?:\d{1,2}|[IVXL]{1,5})(?:[.)]|(?=\s+[A-Z])))\s+([A-Z][^\n]{1,100})$")
_LABEL = re.compile(r"\s*([A-Z][^:\n]{0,60}):\s*$")
_LIST = re.compile(r"\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+\S")
_FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")
_CODE_INDENT = re.compile(r"(?:[ ]{4}|[ ]{0,3}\t)")
_NOT_BODY = re.compile(r"\s*(?:[|>]|<[a-zA-Z/!]|!\[|\[[^\]]*\]:)")  # table, quote, html, image, link def
# A plain or label heading neither opens with a conjunction/filler nor ends on a function word
# (stopwords_en.txt) that needs a continuation, the tell-tale of a hard-wrapped first line
# ("... we awarded and"); particles that end real headings ("Wrapping Up") are allowed.
_BAD_FIRST = frozenset(("and", "but", "or", "so", "yet", "because", "well", "not", "also", "just", "plus"))
_PRONOUN_FIRST = frozenset(("i", "we", "you", "it", "this", "that", "they", "he", "she", "there", "here"))
_OK_LAST = frozenset(
    ("up", "out", "off", "down", "over", "more", "most", "own", "all", "again", "now", "here", "there")
)
_WORD = re.compile(r"[^\W_][\w'\-]*")
_MID_SENTENCE = re.compile(r"[.!?][\"')\]*_]*\s+\S")


_PICTOGRAPH = frozenset(("So", "Sk", "Sm"))
"""Unicode categories of a pictograph that may open a heading (emoji, dingbats, arrows, stars)."""
_PICTOGRAPH_MARK = frozenset(("Mn", "Me", "Cf", "Sk"))
"""Categories of what may follow one inside the same emoji: variation selectors, a keycap, tags,
skin tones."""


def _after_pictographs(s: str) -> int:
    """Where ``s`` goes on after its leading pictographs (non-ASCII symbols: emoji, "\u2605", "\u27a4",
    with their modifiers) and the spaces after each; 0 when it opens with none. Currency signs and
    ASCII symbols are not pictographs."""
    i, n = 0, len(s)
    while i < n and not s[i].isascii() and unicodedata.category(s[i]) in _PICTOGRAPH:
        i += 1
        while i < n and not s[i].isascii() and unicodedata.category(s[i]) in _PICTOGRAPH_MARK:
            i += 1
        while i < n and s[i] in " \t":
            i += 1
    return i


def _bad_last(word: str) -> bool:
    w = word.lower()
    return w in function_words() and w not in _OK_LAST


def is_list_item(line: str) -> bool:
    """A bulleted or numbered list line."""
    return _LIST.match(line) is not None


def _cap_ratio(words: Sequence[str]) -> float:
    """Share of the content words after the first that start with a capital (1.0 if none)."""
    small = function_words()
    content = [w for w in words[1:] if w.lower() not in small]
    if not content:
        return 1.0
    return sum(w[0].isupper() or w[0].isdigit() for w in content) / len(content)


def _title_like(s: str) -> bool:
    """Short, capitalised and unpunctuated at the end, with content words mostly capitalised."""
    if not s or len(s) > 100 or s[-1] in ".,;:!" or not s[0].isupper():
        return False
    words = _WORD.findall(s)
    if not words or len(words) > 12:
        return False
    if len(words) <= 4:
        return True
    return _cap_ratio(words) >= 0.6


def _plain_title(s: str) -> bool:
    """Stricter test for an unmarked line: no sentence fragments, questions only in title case."""
    if not _title_like(s) or len(s) > 80 or s.rstrip("\"')]")[-1:] in ".,;:!-" or s.count(",") >= 2:
        return False
    if any(c in s for c in "[]*=") or s.count("(") != s.count(")") or _MID_SENTENCE.search(s):
        return False
    words = _WORD.findall(s)
    if words[0].lower() in _BAD_FIRST or _bad_last(words[-1]):
        return False
    if s[-1] == "?":
        return (
            len(words) >= 2
            and _cap_ratio(words) >= 0.99
            and any(w.lower() not in function_words() for w in words[1:])
        )
    return True


def _label_title(s: str) -> bool:
    """A ``Label:`` text: one to three words not opening with a pronoun, or a title-cased phrase."""
    words = _WORD.findall(s)
    if not words or len(words) > 8 or not s[0].isupper() or "[" in s or _MID_SENTENCE.search(s):
        return False
    if words[0].lower() in _BAD_FIRST or _bad_last(words[-1]):
        return False
    if len(words) <= 3:
        return words[0].lower() not in _PRONOUN_FIRST
    return _cap_ratio(words) >= 0.99


def code_lines(text: str, lines: Sequence[Line]) -> frozenset[int]:
    """The lines that are code, not prose: fenced blocks (fences and blank lines included; an
    unclosed fence runs to the end) and indented blocks (four spaces or a tab, opened after a
    blank line, never a list item). The one definition every signal reads (``Document.code_lines``).
    """
    return code_lines_of(
        text, [ln.start for ln in lines], [ln.end for ln in lines], [ln.blank for ln in lines]
    )


def code_lines_of(text: str, starts: list[int], ends: list[int], blank: list[bool]) -> frozenset[int]:
    """:func:`code_lines` from the lines' starts, ends and blankness (what the parse has at hand), in
    one C loop (``slopsift._speedups.code_lines``) when the twins are built."""
    fenced = ("`" in text and "```" in text) or ("~" in text and "~~~" in text)
    sp = _accel.speedups
    got = None if sp is None else sp.code_lines(text, starts, ends, blank, fenced, is_list_item)
    if got is not None:
        return got  # (the C loop is cheaper than the test for four spaces below)
    if not fenced and "\t" not in text and "    " not in text:
        return frozenset()  # no line can be code: cheaper than the scan, and most texts hold no code
    return _code_lines_py(text, starts, ends, blank, fenced)


def _code_lines_py(
    text: str, starts: list[int], ends: list[int], blank: list[bool], fenced: bool
) -> frozenset[int]:
    """The scan of :func:`code_lines_of` (``fenced``: the text holds a fence, ``` or ~~~)."""
    code: set[int] = set()
    fence = ""
    prev_blank_or_code = True
    for i, (start, end, is_blank) in enumerate(zip(starts, ends, blank, strict=True)):
        if is_blank:
            prev_blank_or_code = True
            if fence:
                code.add(i)
            continue
        c = text[start]
        if c in " \t`~":
            head = text[start : min(end, start + 12)]
            m = _FENCE.match(head) if fenced else None
            if fence:
                code.add(i)
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                    fence = ""
            elif m:
                fence = m.group(1)
                code.add(i)
            elif (
                prev_blank_or_code
                and _CODE_INDENT.match(head)
                and not is_list_item(text[start : min(end, start + 40)])
            ):
                code.add(i)
        elif fence:
            code.add(i)
        prev_blank_or_code = i in code
    return frozenset(code)


class _Scan:
    """Per-document helper: line texts and which lines are code."""

    def __init__(self, text: str, lines: Sequence[Line], code: frozenset[int]) -> None:
        self.text = text
        self.lines = lines
        self.code = code

    def line(self, i: int) -> str:
        ln = self.lines[i]
        if ln.end - ln.start > _MAX_LINE:
            return self.text[ln.start : ln.start + _MAX_LINE + 1]
        return self.text[ln.start : ln.end]

    def next_nonblank(self, i: int) -> int:
        n = len(self.lines)
        while i < n and self.lines[i].blank:
            i += 1
        return i

    def is_body(self, i: int) -> bool:
        """Is line ``i`` (or the first non-blank after it) running prose?"""
        i = self.next_nonblank(i)
        if i >= len(self.lines) or i in self.code:
            return False
        s = self.line(i).strip()
        if _ATX.match(s) or _HTML.match(s) or _NOT_BODY.match(s) or is_list_item(s) or _FENCE.match(s):
            return False
        if _BOLD.match(s):
            return False
        n_words = len(s.split())
        return n_words >= 8 or (n_words >= 3 and s[-1:] in ".!?\"'")

    def opens_section(self, i: int) -> bool:
        """After blank lines, is line ``i`` (or the next non-blank) a heading-like line? Lets a
        plain title line be followed directly by the first section heading ("Title" / "Introduction")."""
        j = self.next_nonblank(i)
        if j == i or j >= len(self.lines) or j in self.code:
            return False
        t = self.line(j).strip()
        if _ATX.match(t) or _HTML.match(t) or _BOLD.match(t):
            return True
        m = _NUMBERED.match(t)
        if m and _title_like(m.group(2).rstrip()):
            return True
        t = t[_after_pictographs(t) :] if not t[:1].isascii() else t  # as detect_headings reads it
        m = _LABEL.match(t)
        return bool(m and _label_title(m.group(1).strip())) or _plain_title(t)

    def wrapped(self, i: int, s: str) -> bool:
        """Does line ``i`` (text ``s``) run on into the next line, as in a hard-wrapped paragraph?"""
        j = i + 1
        if j >= len(self.lines) or self.lines[j].blank:
            return False
        nxt = self.line(j).lstrip()
        if not nxt[:1].isupper():
            return True  # continues mid-sentence, or with a bracket, link or number
        width = max(len(self.line(k).rstrip()) for k in range(j, min(j + 3, len(self.lines))))
        return width >= 50 and len(s) >= 0.7 * width


def _heading_candidates_py(
    text: str, starts: list[int], ends: list[int], blank: list[bool], code: frozenset[int]
) -> list[int] | None:
    """The lines :func:`detect_headings` must look at (``slopsift._speedups.heading_candidates`` is the C
    twin): a superset of its headings' lines, so that its loop may skip the others (most lines: body text).

    Line ``i`` is a candidate when it is not blank, not code, at most ``_MAX_LINE`` characters long and,
    with ``t`` its stripped text and ``c = t[0]``: ``t`` is empty, or ``c`` is ``#`` or ``<`` (ATX, HTML), or
    line ``i`` may open a block (``i == 0``, or line ``i - 1`` is blank, code or a candidate: every heading
    is a candidate) and either the next line is not blank and its first character other than a space is
    ``=`` or ``-`` (setext), or ``c`` is ``*``, ``_`` (bold), a digit or ``I``, ``V``, ``X``, ``L``
    (numbered), or ``c`` is upper-case or a non-ASCII character that is not alphanumeric (a pictograph
    may open a label or plain heading), the line is indented by less than 4 and ``t`` ends with ``:``
    (label) or is at most 80 characters long and does not end with ``.,;!`` (plain): each condition is
    necessary for its kind in :func:`detect_headings`. None (look at every line) when an argument is not
    of the exact types the parse passes or a line read lies outside the text."""
    n = len(starts)
    if len(ends) != n or len(blank) != n:
        raise ValueError("heading_candidates: a start, an end and a flag per line")
    if type(code) not in (set, frozenset) or any(type(k) is not int for k in code):
        return None
    if any(b is not True and b is not False for b in blank):
        return None
    size = len(text)

    def span(i: int) -> tuple[int, int] | None:
        s, e = starts[i], ends[i]
        if type(s) is not int or type(e) is not int or not (-(2**63) <= s < 2**63 and -(2**63) <= e < 2**63):
            return None
        return s, e

    out: list[int] = []
    may_open = True
    for i in range(n):
        opens = may_open
        may_open = True
        if blank[i] or i in code:
            continue
        got = span(i)
        if got is None:
            return None
        s, e = got
        if e - s > _MAX_LINE:
            may_open = False
            continue
        if not 0 <= s <= e <= size:
            return None
        line = text[s:e]
        t = line.strip()
        cand = False
        if not t or t[0] in "#<":
            cand = True
        elif opens:
            if i + 1 < n and not blank[i + 1]:
                nxt = span(i + 1)
                if nxt is None or not 0 <= nxt[0] <= nxt[1] <= size:
                    return None
                cand = text[nxt[0] : nxt[1]].lstrip(" ")[:1] in ("=", "-")
            c = t[0]
            if cand or c in "*_IVXL" or c.isdigit():
                cand = True
            elif (c.isupper() or (not c.isascii() and not c.isalnum())) and len(line) - len(
                line.lstrip()
            ) < 4:
                cand = t[-1] == ":" or (len(t) <= 80 and t[-1] not in ".,;!")
        if cand:
            out.append(i)
        else:
            may_open = False
    return out


def detect_headings(
    text: str,
    lines: Sequence[Line],
    code: frozenset[int],
    columns: tuple[list[int], list[int], list[bool]] | None = None,
) -> list[Heading]:
    """All headings in document order; lines in ``code`` (:func:`code_lines`) are never headings.

    ``columns``: the lines' starts, ends and blankness, if at hand. With the twins built, only the lines
    ``slopsift._speedups.heading_candidates`` picks are looked at (:func:`_heading_candidates_py`: the
    others cannot be headings); without, every line."""
    out: list[Heading] = []
    sc = _Scan(text, lines, code)
    n = len(lines)
    sp = _accel.speedups
    todo: Sequence[int] | None = None
    if sp is not None and n:
        if columns is None:
            columns = [ln.start for ln in lines], [ln.end for ln in lines], [ln.blank for ln in lines]
        todo = sp.heading_candidates(text, *columns, code)
    for i in range(n) if todo is None else todo:
        ln = lines[i]
        if ln.blank or i in code or ln.end - ln.start > _MAX_LINE:
            continue
        block_start = i == 0 or lines[i - 1].blank or bool(out and out[-1].line == i - 1) or i - 1 in code
        if not block_start and text[ln.start] not in " \t#<":
            continue  # inside a paragraph: only an ATX or HTML heading could start here
        s = text[ln.start : ln.end]
        stripped = s.strip()
        lead = len(s) - len(s.lstrip())
        c = stripped[0]
        if c == "#":
            m = _ATX.match(s)
            if m and m.group(2):
                out.append(Heading(ln.start + m.start(2), ln.start + m.end(2), i, "atx", len(m.group(1))))
                continue
        elif c == "<":
            m = _HTML.match(s)
            if m and m.group(2).strip():
                inner = m.group(2)
                pad = len(inner) - len(inner.lstrip())
                st, en = ln.start + m.start(2) + pad, ln.start + m.start(2) + len(inner.rstrip())
                out.append(Heading(st, en, i, "html", int(m.group(1))))
                continue
        if not block_start:
            continue
        if i + 1 < n and not lines[i + 1].blank:
            under = text[lines[i + 1].start : min(lines[i + 1].end, lines[i + 1].start + 200)]
            if (
                under.lstrip(" ")[:1] in ("=", "-")
                and len(stripped) <= 120
                and not is_list_item(s)
                and any(ch.isalpha() for ch in stripped)
            ):
                u = _SETEXT_UNDER.match(under)
                if u:
                    level = 1 if u.group(1)[0] == "=" else 2
                    out.append(Heading(ln.start + lead, ln.start + lead + len(stripped), i, "setext", level))
                    continue
        if c in "*_":
            m = _BOLD.match(s)
            if m:
                inner = m.group(2).strip()
                if (
                    len(inner.split()) <= 12
                    and not _MID_SENTENCE.search(inner)
                    and inner[-1:] not in ",;"
                    and sc.is_body(i + 1)
                ):
                    off = m.group(2).find(inner)
                    st = ln.start + m.start(2) + off
                    out.append(Heading(st, st + len(inner), i, "bold", 3))
                continue
        if c.isdigit() or c in "IVXL":
            m = _NUMBERED.match(s)
            if m:
                title = m.group(2).rstrip()
                dotless = m.group(1)[-1] not in ".)"
                if (
                    _title_like(title)
                    and (not dotless or (_plain_title(title) and len(title.split()) >= 2))
                    and not _MID_SENTENCE.search(title)
                    and not sc.wrapped(i, s)
                    and sc.is_body(i + 1)
                ):
                    st = ln.start + m.start(2)
                    out.append(Heading(st, st + len(title), i, "numbered", 2))
                    continue
                if is_list_item(s):
                    continue
        # Leading pictographs ("\U0001f4a1 Final Thoughts") do not count: the line is judged by what follows.
        pre = 0 if c.isascii() else _after_pictographs(stripped)
        title = stripped[pre:] if pre else stripped
        if not title[:1].isupper() or lead >= 4:
            continue
        if stripped[-1] == ":":
            m = _LABEL.match(title)  # title opens with its label: group 1 starts at 0
            if m and _label_title(m.group(1).strip()) and sc.is_body(i + 1):
                at = ln.start + lead  # the heading starts at its first pictograph, if any
                out.append(Heading(at, at + pre + m.end(1), i, "label", 3))
            continue
        if (
            len(stripped) <= 80
            and stripped[-1] not in ".,;!"
            and _plain_title(title)
            and not is_list_item(s)
            and not sc.wrapped(i, stripped)
            and (sc.is_body(i + 1) or (not out and sc.opens_section(i + 1)))
        ):
            out.append(Heading(ln.start + lead, ln.start + lead + len(stripped), i, "plain", 2))
    return out
