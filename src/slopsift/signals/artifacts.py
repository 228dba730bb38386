"""Scrape debris and tampering: what an HTML-to-text pipeline or an evasion attempt leaves in a text.

Content farms republish scraped pages without reading them, so their text keeps the page's chrome:
an emphasised word pulled out onto its own line, a player label ``video`` after the last paragraph,
"Read more" and "Share this" buttons, raw ``&nbsp;`` and ``<div>``, mojibake such as ``â€™``.
Evasion attempts add zero-width characters or Cyrillic look-alike letters. None of this depends on
who wrote the sentences, which is why the family also fires on a carelessly scraped human page.

Features and their cost (n = characters, L = lines, P = paragraphs, W = words):

* ``lone_word_lines`` / ``lone_word_lines_per_1k`` - a line of one or two plain words (not all function
  words) with prose on both sides, either *flowing* (the sentence visibly runs through it: the line
  before ends on a word, the line after opens in lower case; inside a paragraph only an emphasised
  word counts) or *stranded* (a lower-case word alone as a paragraph, not a heading). Headings, list
  items, code and sign-offs (nothing after them) never count. O(L log W).
* ``trailing_debris_lines`` / ``debris_lines`` / ``debris_lines_per_1k`` - lines that are known page chrome
  (``scrape_debris.txt``: whole-line literal phrases and ``re:`` patterns), among the last three
  non-blank lines and anywhere. A hit is dropped when it continues the sentence of the line above
  (hard wrap), is a bold label, a heading over a real section (never for chrome that titles no section,
  ``scrape_chrome_never_headings.txt``: "Advertisement", "Share this", "Read more"), or one item of a
  real list. One regex scan that jumps from line start to line start, O(n), plus O(log L) per hit.
* ``mid_sentence_paragraphs`` - share of paragraphs that open with a lower-case word right after a
  paragraph ending on a letter or digit: a sentence cut in two by the scraper. O(P).
* ``markup_per_1k`` - raw HTML tags of known elements, HTML entities and comments, broken markdown
  links/images (empty target, empty-text link, ``] (url)``) and template syntax (``{{ x }}``,
  ``{% x %}``) outside fenced, indented and inline code. Well-formed markdown links and images are not
  counted, and ``[Insert ...]`` / ``[Your Name]`` placeholders belong to the hedging family. One regex
  scan per kind, each opening on a literal character, O(n).
* ``mojibake_per_1k`` - UTF-8 read as cp1252/latin-1 (``â€™``, ``Ã©``, ``Â``+space, C1 controls) and
  U+FFFD replacement characters, matched as they look after normalisation. Skipped unless one of the
  lead characters occurs, O(n).
* ``invisible_chars_per_1k`` - zero-width, bidirectional-control and C0 control characters that
  normalisation removed. Not counted: a leading BOM, zero-width joiners outside Latin words (emoji
  sequences, Indic and Arabic scripts) and soft hyphens (hyphenation hints that publishing systems
  insert; 6 of 537 human web articles carry them). O(number of normalisation changes).
* ``homoglyphs`` - Cyrillic/Greek look-alike letters that normalisation folded inside Latin words
  (``Document.normalisation_counts["homoglyph"]``). O(1) for the value; evidence is one regex scan of
  the original text, O(n), run only when there are any.

Normalisation's other counts are deliberately NOT features: ``typography`` (curly quotes, dashes),
``nfkc`` (ligatures, full-width forms, NBSP) and ``line_endings`` record how a corpus was produced
and stored, not how the text was written; in the labelled sets they differ systematically between the
human and the machine side (plain-ASCII student essays vs GPT-4 curly quotes), so a model fed them
would learn the corpus, not the writing.

Evidence points at the responsible words; for removed invisible characters (which no longer exist
in the normalised text) it points at the word they were inside or next to.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache

from slopsift.document import Document
from slopsift.lexicons import _trie_regex, function_words, load_lexicon, load_table
from slopsift.signals.base import Evidence, Family, FamilyOutput, FeatureSpec, register
from slopsift.structure import is_list_item

__all__ = ["FAMILY", "FEATURES", "compute"]

FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "lone_word_lines",
        "Number of one- or two-word lines, with prose on both sides, that a sentence runs through or "
        "that stand alone in lower case between paragraphs (not headings, list items or code): "
        "emphasised words a scraper pulled out of their sentence.",
        "count",
        "higher_worse",
    ),
    FeatureSpec(
        "lone_word_lines_per_1k",
        "lone_word_lines per 1,000 words.",
        "per 1,000 words",
        "higher_worse",
    ),
    FeatureSpec(
        "trailing_debris_lines",
        "How many of the last three non-blank lines are page chrome from scrape_debris.txt "
        "('video', 'Advertisement', 'Read more', 'Share this', 'Getty Images', ...).",
        "count (0-3)",
        "higher_worse",
    ),
    FeatureSpec(
        "debris_lines",
        "Number of lines anywhere that are page chrome from scrape_debris.txt (trailing ones included).",
        "count",
        "higher_worse",
    ),
    FeatureSpec(
        "debris_lines_per_1k",
        "Lines anywhere that are page chrome from scrape_debris.txt, per 1,000 words.",
        "per 1,000 words",
        "higher_worse",
    ),
    FeatureSpec(
        "mid_sentence_paragraphs",
        "Share of paragraphs that open with a lower-case word right after a paragraph that ends on a "
        "letter or digit (list items, code and headings excluded): text cut mid-sentence.",
        "fraction of paragraphs",
        "higher_worse",
    ),
    FeatureSpec(
        "markup_per_1k",
        "Raw HTML tags and entities, broken markdown links/images and template syntax outside code, "
        "per 1,000 words.",
        "per 1,000 words",
        "higher_worse",
    ),
    FeatureSpec(
        "mojibake_per_1k",
        "Mis-decoded UTF-8 sequences (e.g. 'â€™', 'Ã©', 'Â ' , C1 controls) and U+FFFD replacement "
        "characters, per 1,000 words.",
        "per 1,000 words",
        "higher_worse",
    ),
    FeatureSpec(
        "invisible_chars_per_1k",
        "Zero-width, bidi-control and control characters in the original text, per 1,000 words "
        "(leading BOM and joiners in emoji/non-Latin scripts excluded).",
        "per 1,000 words",
        "higher_worse",
    ),
    FeatureSpec(
        "homoglyphs",
        "Number of Cyrillic/Greek look-alike letters found inside Latin words (folded by normalisation).",
        "count",
        "higher_worse",
    ),
)


_MAX_EVIDENCE = 25
"""Evidence spans built per feature (the framework keeps the same number)."""
_MIN_PROSE_WORDS = 3

# A candidate lone line: one or two plain words (letters, digits, apostrophes, hyphens, '&'), each
# starting and ending on a letter or digit, optionally wrapped in emphasis markers.
_WORD_RE = r"[^\W_](?:[\w'&\-]*[^\W_])?"
_LONE = re.compile(
    rf"[ \t]*(?P<em>[*_]{{1,3}})?(?P<word>{_WORD_RE}(?:[ \t]+{_WORD_RE})?)(?(em)[*_]{{1,3}})[ \t]*"
)
_LONE_MAX_CHARS = 60
_BOLD_LINE = re.compile(r"\s*(?:[-*+]\s+)?(?:\*\*|__)[^*_\n]{1,120}(?:\*\*|__)\s*:?\s*")
# Around a debris entry a line may carry list/quote/heading markers and emphasis in front, a markdown
# link wrapper, and trailing punctuation or arrows. Run over "\n" + lower-cased text: opening on a
# literal newline lets the engine jump from line to line instead of trying every character, and a
# match starts exactly at its line's offset.
# The leading markers are taken as one possessive run (the look-ahead-and-backreference idiom, as
# Python 3.10 lacks ``*+``): that matches the same lines as a plain ``*`` and saves the engine from
# retrying every entry once per marker on each line that opens with markers ("- ", "## ", "**",
# indentation), because no entry opens with a marker: checked for the phrases in _debris_line, and
# the ``re:`` patterns open on a letter, "(", "©", a digit or an optional ``\s*`` (which matches
# after the markers just as well). Entries must not use numbered groups (``lead`` is group 1).
_DEBRIS_MARKERS = r" \t#>*_\-+|\u2022\u00b7\u25aa\u25cf\u2013\u2014"
_DEBRIS_LEAD = rf"\n(?=(?P<lead>[{_DEBRIS_MARKERS}]*))(?P=lead)\[?"
_DEBRIS_TRAIL = r"(?:\]\([^)\n]*\))?[ \t*_:.!?|>\u00bb\u203a\u2192\u2026\-]*(?=\n|\Z)"
_HAS_LETTER = re.compile(r"[^\W\d_]")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_CODE_CHARS = re.compile(r"[=;{}<>$]")
_NOT_PROSE_START = ("http", "www.", "`", "|", "<", "[", "!", "{", "$", "/", "\\", "#", ">")

_TAGS = (
    "a|abbr|article|aside|b|blockquote|body|br|button|caption|center|cite|dd|div|dl|dt|em|"
    "figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|label|li|link|"
    "main|meta|nav|noscript|ol|option|p|picture|script|section|select|small|source|span|strong|style|"
    "sub|sup|svg|table|tbody|td|textarea|tfoot|th|thead|tr|u|ul|video"
)
_ENTITIES = (
    "nbsp|amp|lt|gt|quot|apos|mdash|ndash|hellip|rsquo|lsquo|rdquo|ldquo|laquo|raquo|copy|reg|trade|"
    "bull|middot|shy|zwj|zwnj|thinsp|ensp|emsp|eacute|egrave|aacute|agrave|uuml|ouml|auml|ccedil|deg|"
    "euro|pound|times|#\\d{1,7}|#x[0-9a-f]{1,6}"
)
# One regex per kind, each opening with a literal character so the scan skips ahead quickly.
_MARKUP: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("<", "raw HTML tag", re.compile(rf"<(?:/?(?:{_TAGS})(?:\s[^<>\n]{{0,200}})?/?|!--[^\n]{{0,200}}?--)>")),
    ("&", "raw HTML entity", re.compile(rf"&(?i:{_ENTITIES});")),
    ("](", "broken markdown link or image", re.compile(r"\[(?:[^\]\n]{0,200}\]\(\s*\)|\]\([^)\s]{1,300}\))")),
    ("]", "broken markdown link", re.compile(r"\]\s+\((?:https?://|www\.)[^)\s]{1,300}\)")),
    (
        "{",
        "unrendered template syntax",
        re.compile(r"\{(?:\{\s*[A-Za-z_][\w.]*\s*(?:\|[^{}\n]{0,40})?\}\}|%\s*[a-z]+\b[^%\n]{0,60}%\})"),
    ),
)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_CP1252_TAIL = (
    "\u00a0-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122'\"\\-"
)
# Signatures as they look *after* normalisation (NFKC and typography folding already applied):
# 'â€' + tail ('’' became "'" , '™' became 'TM'), 'Ã'/'Â'/'Ð'/'Ñ' + a latin-1 tail, U+FFFD.
# Every alternative opens on a literal character (the look-behind comes after the 'Ã'), so the
# engine scans for those characters in C instead of trying every position.
_MOJIBAKE = re.compile(
    rf"\u00e2\u20ac(?:TM|[{_CP1252_TAIL}])?"
    rf"|\u00c3[{_CP1252_TAIL}]"
    r"|\u00c3(?<=[a-z]\u00c3)[a-z0-9 ]"
    r"|\u00c2[ \u00a1-\u00bf]"
    r"|\u00d0[\u00a0-\u00bf]"
    r"|\u00d1[\u00a0-\u00bf]"
    r"|\ufffd"
)
_MOJIBAKE_LEADS = "\u00e2\u00c3\u00c2\u00d0\u00d1\ufffd"
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e\u2061\u2062\u2063\u2064")
_BIDI = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_JOINERS = frozenset("\u200c\u200d")


def _debris_line() -> re.Pattern[str]:
    """A regex matching whole lines that are a scrape_debris.txt entry, run over "\n" + lower text."""
    return _whole_line_regex("scrape_debris.txt")


def _never_heading_line() -> re.Pattern[str]:
    """The same for scrape_chrome_never_headings.txt: chrome wherever it stands, even as a heading."""
    return _whole_line_regex("scrape_chrome_never_headings.txt")


@lru_cache(maxsize=2)
def _whole_line_regex(lexicon: str) -> re.Pattern[str]:
    """A regex matching whole lines that are an entry of ``lexicon`` (literal phrases and ``re:``
    patterns, with markers, a link wrapper and trailing punctuation around them), run over "\n" +
    lower text so that a match starts exactly at its line's offset."""
    lex = load_lexicon(lexicon)
    lead = _DEBRIS_LEAD
    if any(re.match(f"[{_DEBRIS_MARKERS}]", p) for p in lex.phrases):
        lead = rf"\n[{_DEBRIS_MARKERS}]*\[?"  # a phrase opens with a marker: let the run give it back
    alts = [f"(?:{p})" for p in lex.patterns]
    if lex.phrases:
        alts.insert(0, f"(?:{_trie_regex(lex.phrases)})")
    # Whitespace inside an entry never crosses a line end: besides being wrong, a "\s*" free to run
    # over a long stretch of blank lines at every line start would make the scan quadratic.
    body = ("|".join(alts) or "(?!)").replace(r"\s", r"[^\S\n]")
    rx = re.compile(f"{lead}(?:{body}){_DEBRIS_TRAIL}")
    if rx.match("\n") or rx.match("\n\n"):
        return rx  # some entry matches an empty line
    # Half the lines of a text are empty; a look-ahead for a character turns them away at once.
    return re.compile(rf"{lead[:2]}(?=[^\n]){lead[2:]}(?:{body}){_DEBRIS_TRAIL}")


@lru_cache(maxsize=1)
def _homoglyph_re() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(row[0]) for row in load_table("homoglyphs.tsv")) + "]")


def _per_1k(count: int, n_words: int) -> float:
    return 1000.0 * count / n_words if n_words else 0.0


class _Lines:
    """Per-document line helpers shared by the line-level detectors."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.starts = doc.line_starts
        self.nl_lower = "\n" + doc.lower  # for the debris scan's line-start regex (_DEBRIS_LEAD)
        self.code = doc.code_lines

    def index(self, pos: int) -> int:
        """The line holding character ``pos``."""
        return bisect_right(self.starts, pos) - 1

    def text(self, i: int) -> str:
        return self.doc.line_text(i)

    def words(self, i: int) -> int:
        ln = self.doc.lines[i]
        a, b = self.doc.words_between(ln.start, ln.end)
        return b - a

    def span(self, i: int) -> tuple[int, int]:
        """Line ``i`` without its leading/trailing whitespace."""
        ln = self.doc.lines[i]
        s = self.doc.text[ln.start : ln.end]
        return ln.start + len(s) - len(s.lstrip()), ln.start + len(s.rstrip())

    def prev_nonblank(self, i: int) -> int:
        lines = self.doc.lines
        i -= 1
        while i >= 0 and lines[i].blank:
            i -= 1
        return i

    def next_nonblank(self, i: int) -> int:
        lines = self.doc.lines
        i += 1
        while i < len(lines) and lines[i].blank:
            i += 1
        return i if i < len(lines) else -1

    def has_prose(self, i: int, step: int) -> bool:
        """Do the non-blank lines from ``i`` walking by ``step`` (same paragraph) hold >= 3 words?"""
        lines = self.doc.lines
        n = 0
        while 0 <= i < len(lines) and not lines[i].blank:
            n += self.words(i)
            if n >= _MIN_PROSE_WORDS:
                return True
            i += step
        return False


def _leaves_sentence_open(line: str) -> bool:
    """Does the line end inside a sentence (on a letter or digit, emphasis markers aside)?"""
    tail = line.rstrip().rstrip("*_~")
    return bool(tail) and tail[-1].isalnum()


def _opens_lower(text: str, start: int) -> bool:
    """Does the text at ``start`` (leading blanks skipped) open with an all-lower-case word that is
    not a URL, code or markup?"""
    head = text[start : start + 60].lstrip()
    if not head[:1].islower() or head.startswith(_NOT_PROSE_START):
        return False
    w = _FIRST_WORD.match(head)
    return w is not None and w.group().islower()  # not "iPhone", "eBay"


def _debris_lines(lx: _Lines) -> tuple[list[int], int, list[Evidence]]:
    """(debris line indices, debris lines among the last three non-blank lines, evidence).

    One regex scan finds lines that are a lexicon entry; a hit is then dropped when it is code, a
    bold label, a heading followed by prose, or the continuation of the sentence on the line above
    (a hard-wrapped paragraph). A list item counts only when every item of its list is chrome (a
    share widget), never as one item of a real list.
    """
    doc = lx.doc
    lines = doc.lines
    rx = _debris_line()
    lower = lx.nl_lower
    debris: list[int] = []
    accepted: set[int] = set()
    lists: dict[int, bool] = {}  # list-item line -> is its whole list chrome
    for m in rx.finditer(lower):
        i = lx.index(m.start())
        if i in accepted or i in lx.code:
            continue
        ln = lines[i]
        if ln.blank or _BOLD_LINE.fullmatch(doc.text, ln.start, ln.end):
            continue
        if i in doc.heading_lines and not _heading_is_chrome(lx, i, rx):
            continue
        line = lx.text(i)
        if is_list_item(line):
            if i not in lists:  # each list is walked once
                block = _list_block(lx, i)
                verdict = all(rx.match(lower, lines[j].start, lines[j].end + 1) for j in block)
                lists.update(dict.fromkeys(block, verdict))
            if lists[i]:
                debris.append(i)
                accepted.add(i)
            continue
        p = i - 1
        if (
            p >= 0
            and not lines[p].blank
            and p not in lx.code
            and p not in accepted
            and _leaves_sentence_open(lx.text(p))
        ):
            continue  # the sentence of the line above runs on into this one
        debris.append(i)
        accepted.add(i)
    tail: list[int] = []
    i = len(lines) - 1
    while i >= 0 and len(tail) < 3:
        if not lines[i].blank and i not in lx.code:
            tail.append(i)
        i -= 1
    at_end = sorted(set(tail) & accepted)
    ev: list[Evidence] = []
    for i in debris[:_MAX_EVIDENCE]:
        s, e = lx.span(i)
        ev.append(Evidence(s, e, "debris_lines", "page chrome line"))
        ev.append(Evidence(s, e, "debris_lines_per_1k", "page chrome line"))
    for i in at_end:
        s, e = lx.span(i)
        ev.append(Evidence(s, e, "trailing_debris_lines", "page chrome at the end"))
    return debris, len(at_end), ev


def _heading_is_chrome(lx: _Lines, i: int, rx: re.Pattern[str]) -> bool:
    """A heading matching a debris entry ("Video", "Related articles") is chrome when it never titles a
    section ("Advertisement", "Share this", "Read more": scrape_chrome_never_headings.txt), when nothing
    follows it, or when a list of links or another chrome line does; otherwise it heads a real section."""
    ln = lx.doc.lines[i]
    if _never_heading_line().match(lx.nl_lower, ln.start, ln.end + 1):
        return True
    j = lx.next_nonblank(i)
    if j < 0:
        return True
    ln = lx.doc.lines[j]
    line = lx.text(j).lstrip()
    if is_list_item(line) and line[1:].lstrip(" .)0123456789").startswith("["):
        return True
    return rx.match(lx.nl_lower, ln.start, ln.end + 1) is not None


def _list_block(lx: _Lines, i: int) -> list[int]:
    """The list items of the list holding item ``i`` (blank lines between items allowed)."""
    lines = lx.doc.lines

    def item(j: int) -> bool:
        return j not in lx.code and is_list_item(lx.text(j))

    a = i
    j = i - 1
    while j >= 0 and (lines[j].blank or item(j)):
        if not lines[j].blank:
            a = j
        j -= 1
    b = i
    j = i + 1
    while j < len(lines) and (lines[j].blank or item(j)):
        if not lines[j].blank:
            b = j
        j += 1
    return [k for k in range(a, b + 1) if not lines[k].blank]


def _lone_word_lines(lx: _Lines) -> tuple[int, list[Evidence]]:
    """One- or two-word lines that a scraper split out of the running text (see FEATURES).

    Two shapes count, both with prose (>= 3 words) on the non-blank lines either side, neither of
    them a list item or code:

    * *flowing*: the line before ends on a word and the line after opens in lower case, so the
      sentence visibly runs through the short line ("Green tea is / *essential* / for anyone").
      Inside a paragraph only an emphasised word counts: a plain short line there is usually a
      hard wrap before a long token (a markdown link) or a semantic line break;
    * *stranded*: a plain lower-case word alone as a paragraph between two paragraphs, not a heading.

    Lines of function words only ("I", "or") never count: a writer's stray line break (common in
    learner essays), not a pulled-out emphasised word.
    """
    doc = lx.doc
    lines = doc.lines
    text = doc.text
    stop = function_words()
    count = 0
    ev: list[Evidence] = []
    for i, ln in enumerate(lines):
        if ln.blank or ln.end - ln.start > _LONE_MAX_CHARS or i in lx.code:
            continue
        m = _LONE.fullmatch(text, ln.start, ln.end)
        if m is None or not _HAS_LETTER.search(m.group("word")):
            continue
        word = m.group("word")
        ws, we = m.start("word"), m.end("word")
        a, b = doc.words_between(ws, we)
        if not 1 <= b - a <= 2 or all(w in stop for w in doc.words[a:b]):
            continue
        p, n = lx.prev_nonblank(i), lx.next_nonblank(i)
        if p < 0 or n < 0 or p in lx.code or n in lx.code:
            continue
        prev_line, next_line = lx.text(p), lx.text(n)
        if is_list_item(prev_line) or is_list_item(next_line) or is_list_item(lx.text(i)):
            continue
        if not (lx.has_prose(p, -1) and lx.has_prose(n, 1)):
            continue
        alone = lines[i - 1].blank and lines[i + 1].blank
        em = m.group("em") is not None
        flows = (alone or em) and _leaves_sentence_open(prev_line) and _opens_lower(text, lines[n].start)
        stranded = alone and not em and word[0].islower() and i not in doc.heading_lines
        if not (flows or stranded):
            continue
        count += 1
        if len(ev) < 2 * _MAX_EVIDENCE:
            note = "word pulled out onto its own line" if flows else "word alone on its own line"
            ev.append(Evidence(ws, we, "lone_word_lines", note))
            ev.append(Evidence(ws, we, "lone_word_lines_per_1k", note))
    return count, ev


def _mid_sentence(lx: _Lines, debris: set[int]) -> tuple[int, list[Evidence]]:
    """Paragraphs opening in lower case after a paragraph that ends on a word (see FEATURES).

    A paragraph break after a comma is a common habit of learner writers, so only a previous
    paragraph ending on a letter or digit counts.
    """
    doc = lx.doc
    paras = doc.paragraphs
    text = doc.text
    heads = doc.heading_lines
    starts = doc.word_starts
    count = 0
    ev: list[Evidence] = []
    for k in range(1, len(paras)):
        p = paras[k]
        c = text[p.start]
        if not (c.islower() or c.isspace()) or not _opens_lower(text, p.start):
            continue  # (the first test settles most paragraphs without a call)
        prev = paras[k - 1]
        first, last = p.first_line, prev.last_line
        if first in lx.code or last in lx.code or first in heads or last in heads:
            continue
        first_line = lx.text(first)
        if (
            first in debris
            or last in debris
            or is_list_item(first_line)
            or _CODE_CHARS.search(first_line, 0, 60)
        ):
            continue  # chrome, a list, or unfenced code ("string name = Console.ReadLine();")
        prev_line = lx.text(last)
        if is_list_item(prev_line) or prev_line.lstrip().startswith(("|", "<", "!", "[")):
            continue
        if not _leaves_sentence_open(prev_line):
            continue
        count += 1
        if len(ev) < _MAX_EVIDENCE:
            a = bisect_left(starts, prev.end) - 1  # last word of the previous paragraph
            b = bisect_left(starts, p.start)  # first word of this one (exists: it opens with a letter)
            s = starts[a] if a >= 0 and starts[a] >= prev.start else p.start
            e = doc.word_ends[b] if b < len(starts) else p.end
            ev.append(Evidence(s, max(e, s + 1), "mid_sentence_paragraphs", "paragraph starts mid-sentence"))
    return count, ev


def _markup(lx: _Lines) -> tuple[int, list[Evidence]]:
    """Raw markup outside fenced/indented code and inline code spans."""
    text = lx.doc.text
    # (a one-character test first: searching for "](" costs five times as much)
    kinds = [k for k in _MARKUP if k[0][0] in text and k[0] in text]
    if not kinds:
        return 0, []
    inline: list[int] = []  # flattened [start, end) pairs of inline code spans
    if "`" in text:
        for m in _INLINE_CODE.finditer(text):
            inline += (m.start(), m.end())
    hits: list[tuple[int, int, str]] = []
    for _, note, rx in kinds:
        for m in rx.finditer(text):
            if lx.index(m.start()) in lx.code or bisect_right(inline, m.start()) % 2:
                continue
            hits.append((m.start(), m.end(), note))
    hits.sort()
    ev = [Evidence(s, e, "markup_per_1k", note) for s, e, note in hits[:_MAX_EVIDENCE]]
    return len(hits), ev


def _mojibake(doc: Document) -> tuple[int, list[Evidence]]:
    text = doc.text
    if text.isascii() or not any(c in text for c in _MOJIBAKE_LEADS):
        return 0, []
    count = 0
    ev: list[Evidence] = []
    for m in _MOJIBAKE.finditer(text):
        count += 1
        if len(ev) < _MAX_EVIDENCE:
            note = "replacement character U+FFFD" if m.group() == "\ufffd" else "mis-decoded UTF-8"
            ev.append(Evidence(m.start(), m.end(), "mojibake_per_1k", note))
    return count, ev


def _word_at(doc: Document, pos: int) -> tuple[int, int] | None:
    """The word containing or touching normalised position ``pos``, else the next word."""
    starts, ends = doc.word_starts, doc.word_ends
    i = bisect_right(starts, pos) - 1
    if i >= 0 and ends[i] >= pos:
        return starts[i], ends[i]
    if i + 1 < len(starts):
        return starts[i + 1], ends[i + 1]
    if i >= 0:
        return starts[i], ends[i]
    return None


def _removed_chars(doc: Document) -> tuple[int, int, list[Evidence]]:
    """Characters normalisation deleted: (invisible/bidi/control count, C1-control count, evidence).

    Deleted characters are the offset-map pieces with an empty normalised side.
    """
    counts = doc.normalisation_counts
    if not (counts.get("invisible", 0) or counts.get("bidi", 0) or counts.get("control", 0)):
        return 0, 0, []
    orig = doc.original
    hidden = 0
    c1 = 0
    per_word: dict[tuple[int, int], list[str]] = {}
    c1_words: dict[tuple[int, int], int] = {}
    for ns, os_, nl, ol in doc.norm.offsets.pieces:
        if nl != 0 or ol == 0:
            continue
        ch = orig[os_]
        if "\x80" <= ch <= "\x9f":
            c1 += 1
            w = _word_at(doc, ns)
            if w is not None:
                c1_words[w] = c1_words.get(w, 0) + 1
            continue
        if ch in _INVISIBLE or ch in _BIDI:
            if ch == "\ufeff" and os_ == 0:
                continue  # a byte-order mark opening a file is innocent
            if ch in _JOINERS and not (
                os_ > 0
                and orig[os_ - 1].isascii()
                and orig[os_ - 1].isalpha()
                and os_ + ol < len(orig)
                and orig[os_ + ol].isascii()
                and orig[os_ + ol].isalpha()
            ):
                continue  # joiners are legitimate in emoji sequences and in Indic/Arabic scripts
        elif unicodedata.category(ch) not in ("Cc", "Cs"):
            continue
        hidden += 1
        w = _word_at(doc, ns)
        if w is not None:
            per_word.setdefault(w, []).append(f"U+{ord(ch):04X}")
    ev: list[Evidence] = []
    for (s, e), cps in list(per_word.items())[:_MAX_EVIDENCE]:
        kinds = ", ".join(sorted(set(cps)))
        ev.append(Evidence(s, e, "invisible_chars_per_1k", f"{len(cps)} hidden character(s) {kinds} here"))
    for (s, e), n in list(c1_words.items())[:_MAX_EVIDENCE]:
        ev.append(Evidence(s, e, "mojibake_per_1k", f"{n} C1 control character(s): mis-decoded text"))
    return hidden, c1, ev


def _homoglyph_evidence(doc: Document) -> list[Evidence]:
    """Words whose original spelling holds look-alike letters (run only when some were folded).

    The folded letters are found in the original text with one regex scan and mapped to the
    normalised text through the offset map's pieces (folding itself is one-to-one), so the cost is
    O(n) whatever the document length, and the word holding each one is the evidence.
    """
    text, orig = doc.text, doc.original
    pieces = doc.norm.offsets.pieces
    orig_starts = [p[1] for p in pieces]
    per_word: dict[tuple[int, int], int] = {}
    for m in _homoglyph_re().finditer(orig):
        p = m.start()
        k = bisect_right(orig_starts, p) - 1
        if k < 0:
            pos = p
        else:
            ns, os_, nl, ol = pieces[k]
            pos = ns if p < os_ + ol else ns + nl + (p - os_ - ol)
        if pos >= len(text) or not text[pos].isascii():
            continue  # left alone: part of a genuinely Cyrillic/Greek word
        w = _word_at(doc, pos)
        if w is not None:
            if w not in per_word and len(per_word) >= _MAX_EVIDENCE:
                break
            per_word[w] = per_word.get(w, 0) + 1
    ev: list[Evidence] = []
    for (s, e), n in per_word.items():
        os_, oe = doc.original_span(s, e)
        ev.append(Evidence(s, e, "homoglyphs", f"{n} look-alike letter(s) in {orig[os_:oe]!r}"))
    return ev


def compute(doc: Document) -> FamilyOutput:
    n = doc.n_words
    lx = _Lines(doc)
    lone, ev = _lone_word_lines(lx)
    debris, tail, ev_debris = _debris_lines(lx)
    mid, ev_mid = _mid_sentence(lx, set(debris))
    markup, ev_markup = _markup(lx)
    moji, ev_moji = _mojibake(doc)
    hidden, c1, ev_hidden = _removed_chars(doc)
    homo = doc.normalisation_counts.get("homoglyph", 0)
    ev += ev_debris + ev_mid + ev_markup + ev_moji + ev_hidden
    if homo:
        ev += _homoglyph_evidence(doc)
    values = {
        "lone_word_lines": float(lone),
        "lone_word_lines_per_1k": _per_1k(lone, n),
        "trailing_debris_lines": float(tail),
        "debris_lines": float(len(debris)),
        "debris_lines_per_1k": _per_1k(len(debris), n),
        "mid_sentence_paragraphs": mid / len(doc.paragraphs) if doc.paragraphs else 0.0,
        "markup_per_1k": _per_1k(markup, n),
        "mojibake_per_1k": _per_1k(moji + c1, n),
        "invisible_chars_per_1k": _per_1k(hidden, n),
        "homoglyphs": float(homo),
    }
    return values, ev


FAMILY = register(
    Family(
        "artifacts",
        "Scrape debris (lone emphasised words, page chrome, cut sentences, raw markup, mojibake) and "
        "tampering (invisible characters, look-alike letters).",
        "O(n): one pass over lines and paragraphs with bisection into the words, one regex pass for "
        "markup and (non-ASCII texts only) mojibake; tampering evidence only when tampering is present.",
        FEATURES,
        compute,
    )
)
