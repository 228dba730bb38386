"""Text normalisation with an offset map back to the caller's original string.

Every signal reads the normalised text, but evidence must be shown on the text the user gave, so
normalisation records where each normalised character came from. Mostly-ASCII text is the common
case: ASCII runs are copied verbatim (identity map) and only the non-ASCII or control runs are
processed character by character, so the cost stays linear and small.

Changes applied, each counted (tampering is itself a signal):

* ``line_endings``  CRLF, lone CR and the other line and paragraph separators (VT, FF, NEL,
                    U+2028, U+2029) become LF (LF, the line structure, is kept): deleting them
                    would join lines, and with them headings and repeated lines, into one.
* ``control``       C0/C1 control characters other than LF and TAB, and lone surrogates, removed.
* ``invisible``     zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen) removed.
* ``bidi``          bidirectional overrides, embeddings and isolates removed.
* ``nfkc``          grapheme clusters changed by Unicode NFKC (ligatures, full-width forms, ...).
* ``typography``    curly quotes, primes and dashes folded to ASCII, so typography cannot act as a label:
                    an em dash (or horizontal bar) becomes ``--``, as an ASCII typist writes it, so that
                    "once\u2014it" reads as two words and a dash, as "once--it" does; the other dashes
                    (hyphens, en dash, minus) become ``-``, so "1990\u20132000" stays one word.
* ``homoglyph``     Cyrillic/Greek look-alike letters inside otherwise Latin words folded to Latin.
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from slopsift import _accel
from slopsift.lexicons import load_table

__all__ = ["NORMALISATION_COUNTS", "Normalised", "OffsetMap", "normalise", "normalise_with_proxy"]

NORMALISATION_COUNTS = ("line_endings", "control", "invisible", "bidi", "nfkc", "typography", "homoglyph")

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")
_BIDI = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_TYPOGRAPHY = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",  # en dash: a range ("1990-2000") or a spaced dash (" - "), both read as before
    "\u2014": "--",  # em dash: what an ASCII typist writes, a dash between words ("once--it")
    "\u2015": "--",  # horizontal bar: an em dash
    "\u2212": "-",
}
# Anything outside printable ASCII (plus LF and TAB) needs per-character attention. (The
# definition: the runs are found by ``_special_edges_py`` or its C twin.)
_SPECIAL = re.compile(r"[^\t\n\x20-\x7e]+")
# The bytes of printable ASCII plus LF and TAB: deleting them from an ASCII text's bytes leaves
# exactly the characters ``_SPECIAL`` would find (none, for almost every ASCII text).
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n"


@lru_cache(maxsize=1)
def _homoglyphs() -> dict[str, str]:
    return {k: v for k, v in load_table("homoglyphs.tsv")}


@lru_cache(maxsize=1)
def _any_homoglyph() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(_homoglyphs())) + "]")


@lru_cache(maxsize=1)
def _word_letters() -> tuple[frozenset[str], re.Pattern[str]]:
    """The letters of a word that homoglyph folding looks at, ASCII Latin and look-alike, as a set and as
    a regex matching a run of them."""
    chars = "".join(sorted(_homoglyphs()))
    return frozenset(string.ascii_letters + chars), re.compile(f"[A-Za-z{chars}]*")


@dataclass(frozen=True)
class OffsetMap:
    """Maps half-open spans of the normalised text to spans of the original text.

    ``pieces`` holds ``(norm_start, orig_start, norm_len, orig_len)`` for every stretch where the
    two texts are not aligned one-to-one; outside them the shift is constant.
    """

    norm_starts: tuple[int, ...] = ()
    pieces: tuple[tuple[int, int, int, int], ...] = ()

    def _shift(self, i: int, is_end: bool) -> int:
        if is_end:
            # An end stops before characters deleted right there (a zero-width space after a word).
            k = bisect_left(self.norm_starts, i)
            if k < len(self.pieces) and self.norm_starts[k] == i and self.pieces[k][2] == 0:
                return self.pieces[k][1]
        k = bisect_right(self.norm_starts, i) - 1
        if k < 0:
            return i
        ns, os_, nl, ol = self.pieces[k]
        if i < ns + nl or (is_end and i == ns + nl and nl > 0 and i > ns):
            # Inside a changed piece: a start maps to the piece's start, an end to its end.
            if is_end and i > ns:
                return os_ + ol
            return os_
        return os_ + ol + (i - ns - nl)

    @property
    def is_identity(self) -> bool:
        """True when every normalised offset is its original offset (nothing was changed)."""
        return not self.pieces

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalised span ``[start, end)``."""
        if not self.pieces:
            return start, end
        s = self._shift(start, False)
        e = self._shift(end, True)
        return s, max(s, e)


@dataclass(frozen=True)
class Normalised:
    text: str
    offsets: OffsetMap
    counts: dict[str, int] = field(default_factory=dict)


def _clusters(run: str) -> list[str]:
    """Split a run into a base character plus its combining marks."""
    if len(run) == 1:
        return [run]
    out: list[str] = []
    for ch in run:
        if out and unicodedata.combining(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


_LINE_BREAKS = frozenset("\x0b\x0c\x85\u2028\u2029")
"""Line and paragraph separators other than LF and CR (``str.splitlines`` breaks at each)."""


@lru_cache(maxsize=4096)
def _clean(cl: str) -> tuple[str, str]:
    """The replacement of one cluster and the count it adds to ('' for none). Pure, so cached:
    the same few non-ASCII characters (quotes, dashes, accented letters) recur in every text."""
    ch = cl[0]
    if ch == "\r":
        return "\n", ""  # CRLF is merged by the caller
    if ch in _LINE_BREAKS:
        return "\n", "line_endings"
    if ch in _INVISIBLE:
        return "", "invisible"
    if ch in _BIDI:
        return "", "bidi"
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cs") and ch not in "\t\n":
        return "", "control"
    if ch in _TYPOGRAPHY and len(cl) == 1:
        return _TYPOGRAPHY[ch], "typography"
    if cl.isascii():
        return cl, ""
    try:
        norm = unicodedata.normalize("NFKC", cl)
    except (UnicodeError, ValueError):  # pragma: no cover - defensive, NFKC accepts any str
        norm = cl
    if norm != cl:
        norm = "".join(_TYPOGRAPHY.get(c, c) for c in norm)
        norm = "".join(c for c in norm if c not in _INVISIBLE and c not in _BIDI)
        return norm, "nfkc"
    return norm, ""


def normalise(original: str) -> Normalised:
    """Normalise ``original`` (see module docstring) and keep the map back to it. Linear time.

    Printable ASCII text (with LF and TAB) is returned unchanged after a check in C, without the
    regex scan; otherwise only the special runs are processed, and homoglyphs are looked for
    only in what those runs became (the rest is ASCII)."""
    return normalise_with_proxy(original, proxy=False)[0]


# A proxy needs few non-ASCII stretches: at most one per this many characters (else None).
_PROXY_CHARS_PER_SPAN = 64


@lru_cache(maxsize=4096)
def _proxy_char(c: str) -> str:
    """The ASCII stand-in of ``c`` for word matching: itself if ASCII, else '0' for a decimal
    digit (``\\d``), 'a' for another letter or number (``[^\\W_]``), ' ' for anything else."""
    if c.isascii():
        return c
    return "0" if c.isdecimal() else "a" if c.isalnum() else " "


def _special_edges_py(text: str) -> list[int]:
    """Starts and ends, alternating, of the runs of ``_SPECIAL`` in ``text``.

    Found with numpy over the code points (UTF-32; lone surrogates pass through as themselves):
    the regex engine tests a negated class at several nanoseconds per character, this a few
    vectorised comparisons. A special code point is below 0x20 (but not TAB 9 or LF 10) or above
    0x7E, i.e. ``c - 32 > 94`` and ``c - 9 > 1`` in unsigned arithmetic.
    """
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    special = np.zeros(len(cps) + 2, np.bool_)  # padded by one plain character at each end
    inner = special[1:-1]
    np.greater(cps - np.uint32(32), 94, out=inner)
    inner &= cps - np.uint32(9) > 1
    edges: list[int] = np.flatnonzero(special[1:] != special[:-1]).tolist()
    return edges


_RunResult = tuple[str, tuple[tuple[int, int, int, int], ...], tuple[str, ...], tuple[tuple[int, int], ...]]


def _run_clusters(clusters: list[str], olens: list[int]) -> _RunResult:
    """What a run of special characters becomes, relative to the run's start: its replacement,
    the changed pieces ``(norm_start, orig_start, norm_len, orig_len)``, the counts it adds, and
    the spans of non-ASCII output (merged when adjacent). ``olens`` are the original lengths of
    the clusters (a CR cluster stands for CRLF when 2)."""
    news: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    keys: list[str] = []
    wide: list[tuple[int, int]] = []
    npos = opos = 0
    for cl, olen in zip(clusters, olens, strict=True):
        if cl == "\r":
            keys.append("line_endings")
            new = "\n"
        else:
            # Long clusters (a base with many combining marks) are rare and not worth caching.
            new, key = _clean(cl) if len(cl) <= 8 else _clean.__wrapped__(cl)
            if key:
                keys.append(key)
        if new != cl or olen != len(cl):
            pieces.append((npos, opos, len(new), olen))
        if not new.isascii():
            if wide and wide[-1][1] == npos:
                wide[-1] = (wide[-1][0], npos + len(new))
            else:
                wide.append((npos, npos + len(new)))
        news.append(new)
        npos += len(new)
        opos += olen
    return "".join(news), tuple(pieces), tuple(keys), tuple(wide)


@lru_cache(maxsize=4096)
def _run(run: str, crlf: bool) -> _RunResult:
    """:func:`_run_clusters` of a run, whose last character (a CR) is followed by a LF in the
    original when ``crlf``. Pure, so cached: the same few runs (a curly quote, a dash, an
    accented letter) recur in every text."""
    clusters = _clusters(run)
    olens = list(map(len, clusters))
    if crlf:
        olens[-1] = 2  # the CR cluster takes the LF with it (a CR never combines)
    return _run_clusters(clusters, olens)


def normalise_with_proxy(
    original: str, *, proxy: bool = True
) -> tuple[Normalised, str | None, list[tuple[int, int]]]:
    """:func:`normalise`, plus an ASCII proxy of the normalised text for the word tokeniser.

    The proxy has the normalised text's length and its ASCII characters; every non-ASCII
    character is replaced by :func:`_proxy_char`, which keeps its class for the word pattern
    (decimal digit, other alphanumeric, neither), so the word pattern finds the same spans in
    the proxy as in the text, with the fast ASCII engine path. Also returned: the spans of the
    normalised text that came from non-ASCII output (before homoglyph folding), where the words
    must be read from the text itself. The proxy is None (spans empty) for ASCII text, when not
    asked for, or when the text has more than one such stretch per 64 characters."""
    counts = dict.fromkeys(NORMALISATION_COUNTS, 0)
    sp = _accel.speedups
    if sp is not None:
        edges = sp.special_edges(original)  # (in C, eight characters at a time: faster than the test below)
        if not edges:
            return Normalised(text=original, offsets=OffsetMap(), counts=counts), None, []
    elif original.isascii() and not original.encode("ascii").translate(None, _PLAIN_BYTES):
        return Normalised(text=original, offsets=OffsetMap(), counts=counts), None, []
    else:
        edges = _special_edges_py(original)
    specials: list[str] = []  # what the special runs became
    out: list[str] = []
    norm_starts: list[int] = []
    pieces: list[tuple[int, int, int, int]] = []
    wide: list[int] = []  # indices in ``out`` of non-ASCII output
    spans: list[tuple[int, int]] = []  # and their spans in the normalised text, merged
    max_spans = len(original) // _PROXY_CHARS_PER_SPAN if proxy else -1
    npos = 0  # length of normalised text so far
    last = 0
    for start, end in zip(edges[0::2], edges[1::2], strict=True):
        if start > last and unicodedata.combining(original[start]) and original[start - 1] not in "\n\t":
            start -= 1  # a decomposed accent ("e" + U+0301): the ASCII base joins its cluster for NFKC
        if start > last:
            out.append(original[last:start])
            npos += start - last
        run = original[start:end]
        # CRLF: the LF is ASCII and follows the run, so look at the original text.
        crlf = run[-1] == "\r" and original[end : end + 1] == "\n"
        if crlf:
            end += 1
        # Long runs (a word in another script) are not worth keeping in the cache.
        new, run_pieces, keys, run_wide = _run(run, crlf) if len(run) <= 8 else _run.__wrapped__(run, crlf)
        for dn, do, nl, ol in run_pieces:
            norm_starts.append(npos + dn)
            pieces.append((npos + dn, start + do, nl, ol))
        for key in keys:
            counts[key] += 1
        if run_wide and len(spans) <= max_spans:  # (over the cap, the proxy is given up anyway)
            wide.append(len(out))
            for ws, we in run_wide:
                if spans and spans[-1][1] == npos + ws:
                    spans[-1] = (spans[-1][0], npos + we)
                else:
                    spans.append((npos + ws, npos + we))
        out.append(new)
        specials.append(new)
        npos += len(new)
        last = end
    if last < len(original):
        out.append(original[last:])
    text = "".join(out)
    if _any_homoglyph().search("".join(specials)):
        text, counts["homoglyph"] = _fold_homoglyphs(text)
    norm = Normalised(text=text, offsets=OffsetMap(tuple(norm_starts), tuple(pieces)), counts=counts)
    if not proxy or len(spans) > max_spans:
        return norm, None, []
    for k in wide:
        out[k] = "".join(map(_proxy_char, out[k]))
    return norm, "".join(out), spans


def _fold_homoglyphs(text: str) -> tuple[str, int]:
    """Fold look-alike letters inside words that also contain ASCII Latin letters (1:1, offsets kept).

    A word here is a maximal run of Latin and look-alike letters (:func:`_word_letters`) holding a
    look-alike. Each is found from a look-alike in it: one regex scan for those (the other letters are
    never looked at, as a scan for the runs themselves would), then the run around the first one in
    each word, walked back over its letters and matched forward. Linear: no letter is walked twice."""
    table = _homoglyphs()
    letters, run = _word_letters()
    n = 0
    out: list[str] = []
    last = done = 0  # end of the text copied so far, and of the last word looked at
    for m in _any_homoglyph().finditer(text):
        at = m.start()
        if at < done:
            continue  # inside the last word
        start = at
        while start > done and text[start - 1] in letters:
            start -= 1
        tail = run.match(text, at)  # (always matches: the look-alike at least)
        end = tail.end() if tail else at + 1
        done = end
        w = text[start:end]
        if not any("a" <= c.lower() <= "z" for c in w):
            continue  # a genuinely Cyrillic/Greek word is left alone
        n += sum(1 for c in w if c in table)
        out.append(text[last:start])
        out.append("".join(table.get(c, c) for c in w))
        last = end
    if not out:
        return text, 0
    out.append(text[last:])
    return "".join(out), n
