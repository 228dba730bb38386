"""The optional C twins of the per-word loops and the phrase scan (``slopsift._speedups``), or None.

Built by ``setup.py`` when a C compiler is there. Each C function returns exactly what its Python
twin returns (``tests/test_speedups.py``); the Python versions define the results and run when the
extension is missing, when the environment sets ``SLOPSIFT_PURE_PYTHON=1`` (read at import), or inside
:func:`pure_python`. Callers read :data:`speedups` at call time (``_accel.speedups``).
"""

from __future__ import annotations

import importlib
import os
from collections import Counter
from collections.abc import Callable, Container, Iterator, Sequence
from contextlib import contextmanager
from types import MemberDescriptorType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from slopsift.lexicons import WordFacts

__all__ = ["FactTable", "Speedups", "pure_python", "speedups"]

_V = TypeVar("_V")


class Speedups(Protocol):
    """The functions of ``slopsift._speedups`` (``src/slopsift/_speedups.c``) and their Python twins."""

    def repeated_ngrams(
        self, ids: list[int], base: int, nmax: int, ints: tuple[int, ...] = ..., /
    ) -> list[tuple[list[int], list[int], list[int], list[int]]]:
        """``(pos, gids, counts, first)`` of each level n = 2, 3, ... at which something repeats
        (``repetition._repeated_ngrams_py``); the ints 0, 1, 2, ... in them are those of ``ints`` (a tuple
        of 0, 1, 2, ...) where it holds them."""

    def trie_candidates(self, trie: bytes, text: str, /) -> list[tuple[int, str]]:
        """``lexicons.PhraseMatcherSet.candidates`` from the phrases' ``lexicons._trie_array``."""

    def word_ids_counts(
        self, words: list[str], counter_type: type[Counter[str]], /
    ) -> tuple[list[int], Counter[str]]:
        """``document._word_ids_counts``: ``Document.word_ids`` and ``Document.word_counts`` in one pass."""

    def pair_hits(
        self, firsts: list[str], nexts: list[str] | str, table: dict[str, frozenset[str]], /
    ) -> list[int]:
        """``usage._pair_hits_py``: the ``i`` with ``nexts[i + 1] in table[firsts[i]]``, ascending."""

    def positions(self, words: list[str], vocab: Container[str], /) -> list[int]:
        """``inconsistency._positions_py``: the indices of the words in ``vocab``, ascending."""

    def nonprose_spans(
        self, text: str, lower: str, code: list[tuple[int, int]], /
    ) -> tuple[tuple[int, int], ...]:
        """``document._nonprose_spans_py``: ``Document.nonprose_spans`` of the text, lower-cased ``lower``,
        whose code lines span ``code``."""

    def digit_positions(self, initials: str, /) -> list[int]:
        """``inconsistency._digit_positions_py``: the indices of the digits (``str.isdigit``)."""

    def sparse_positions(self, words: list[str], vocab: set[str] | frozenset[str], /) -> list[int]:
        """``inconsistency._positions_py`` of a small set: a filter of the vocab's hashes first."""

    def cue_sentences(
        self,
        pos: list[int],
        words: list[str],
        starts: list[int],
        ends: list[int],
        numeric: set[str],
        counted: frozenset[str],
        polar_cues: frozenset[str],
        list_nouns: frozenset[str],
        role_first: frozenset[str],
        /,
    ) -> tuple[dict[int, list[int]], list[int], list[int], list[int]]:
        """``inconsistency._cue_sentences_py``: the cue positions' sentences (the sets: set or frozenset)."""

    def word_stats(
        self, words: list[str], groups: dict[str, int], n_groups: int, /
    ) -> tuple[list[int], int, int] | None:
        """``style._word_stats_py`` (group counts, sum of lengths and of squared lengths), or None when
        the lengths are too large for 64-bit sums."""

    def zipf_profile(
        self,
        facts: list[WordFacts],
        flags: Sequence[int],
        oov: float,
        rare: float,
        common: float,
        max_unknown: int,
        /,
    ) -> tuple[float, float, int, int, int, int, list[int], list[int]]:
        """``vocabulary._profile_py``."""

    def sentence_syllables(
        self, facts: list[WordFacts], ws: list[int], we: list[int], /
    ) -> tuple[list[int], int] | None:
        """``readability._sentence_syllables_py``, or None where its packed sums would not hold."""

    def ascii_words_ids(
        self, low: str, ints: tuple[int, ...], counter_type: type[Counter[str]], /
    ) -> tuple[list[int], list[int], list[str], bytes, list[int], Counter[str]]:
        """``document._ascii_words`` of lower-cased ASCII text (the starts array also as native ``intp``
        bytes; offsets below ``len(ints)`` are ``ints``' objects), then ``word_ids_counts`` of the words
        (``document._ascii_words_ids``): equal words are one str object."""

    def sentence_spans(
        self,
        text: str,
        blocks: list[tuple[int, int, int, int]],
        abbreviations: frozenset[str],
        long_word: int,
        /,
    ) -> tuple[list[int], list[int]]:
        """``document._sentence_spans``; ``abbreviations``, ``long_word``: what ``_no_end_at_stop`` reads."""

    def near_dup_units(
        self,
        starts: list[int],
        ends: list[int],
        positions: Any,
        min_words: int,
        jaccard: float,
        shingle: int,
        /,
    ) -> tuple[int, int, list[int], list[int], list[int], list[bool]]:
        """``repetition._near_dup_units_py`` (``positions``: a 1-d int64 array, ascending)."""

    def build_frozen(
        self, cls: type[_V], slots: Sequence[MemberDescriptorType], columns: tuple[Sequence[Any], ...], /
    ) -> list[_V]:
        """``_frozen._build_frozen_py``: instances of a frozen, slotted dataclass from its field columns."""

    def line_spans(
        self, raws: list[str], ints: tuple[int, ...], /
    ) -> tuple[list[int], list[int], list[bool]]:
        """``document._line_spans_py`` (offsets below ``len(ints)`` are ``ints``' objects)."""

    def blocks_of_lines(
        self,
        raws: list[str],
        starts: list[int],
        ends: list[int],
        blank: list[bool],
        heading_lines: frozenset[int],
        terminal: str,
        is_list_item: Callable[[str], bool],
        /,
    ) -> list[tuple[int, int, int, int]]:
        """``document._blocks_py`` (``terminal``: the characters that end a line's sentence)."""

    def phrasing_table(
        self,
        keys: Any,
        ratios: Any,
        symbols: dict[str, int],
        marks: bytes,
        base: int,
        nmax: int,
        evidence: tuple[float, float, int, int],
        /,
    ) -> object:
        """The scorer :meth:`phrasing_score` reads: ``phrasing._table()``'s keys and log-ratios (1-d int64
        and float64 arrays, copied into a hash table; a ratio must be finite and at most 1e100),
        ``phrasing._word_ids()``, ``phrasing._mark_bytes()``, the runs' key base and longest run, and
        ``(EVIDENCE_SCORE, EVIDENCE_MIN_RATIO, _EVIDENCE_CANDIDATES, EVIDENCE_SPANS)``."""

    def phrasing_score(
        self,
        scorer: object,
        words: list[str],
        ids: list[int],
        initials: str,
        text: str,
        starts: list[int],
        ends: list[int],
        evidence: bool = ...,
        /,
    ) -> tuple[float, list[tuple[int, int, float, list[tuple[int, int]]]] | None]:
        """``phrasing._score_py`` (the score and, from the evidence score on, the evidence candidates) of
        the document with these ``words``, ``word_ids``, ``word_initials``, ``text``, ``word_starts`` and
        ``word_ends``; with ``evidence`` false, ``(score, None)`` (``_score_py(prose, math.inf)``)."""

    def top_phrase(
        self,
        levels: list[tuple[list[int], list[int], list[int], list[int]]],
        nmin: int,
        words: list[str],
        is_content: Callable[[str], bool],
        text: str,
        starts: list[int],
        sentence_ends: list[int],
        /,
    ) -> tuple[int, int, list[int]]:
        """``repetition._phrase_py`` from the ``(first, counts, pos, gids)`` of the levels ``nmin``,
        ``nmin + 1``, ... (at most 7 words), the document's words, ``text`` and ``word_starts``."""

    def top_ngram(
        self,
        first: list[int],
        counts: list[int],
        pos: list[int],
        gids: list[int],
        n: int,
        words: list[str],
        ids: list[int],
        tie_cap: int,
        /,
    ) -> tuple[int, int]:
        """``repetition._top_ngram_py`` of the level with these lists (``repetition._Level``)."""

    def repeat_runs(
        self, pos: list[int], gids: list[int], n: int, words: list[str], /
    ) -> tuple[int, tuple[list[int], list[int]]]:
        """``repetition._repeat_runs_py`` of the level with these positions and ids."""

    def letter_lines(self, raws: list[str], /) -> list[int]:
        """``repetition._letter_lines_py``: the indices of the strings with a letter."""

    def repeated_spans(self, text: str, starts: list[int], ends: list[int], /) -> list[int] | None:
        """``repetition._repeated_spans_py``: the ``k``, ascending, whose span ``text[starts[k]:ends[k]]``
        equals an earlier one's; None when two different spans share the C hash (the twin then answers)."""

    def bisect_lefts(self, a: list[int], xs: list[int], /) -> list[int]:
        """``document._bisect_lefts_py``: ``bisect.bisect_left(a, x)`` of each x."""

    def covered_chars(self, firsts: list[int], ends: list[int], words: list[str], /) -> int:
        """``repetition._covered((firsts, ends), words)``: the characters of the words in the ranges."""

    def opener_hits(
        self, starts: list[int], ends: list[int], ids: list[int], min_words: int, min_uses: int, /
    ) -> tuple[int, list[int], list[int]]:
        """``repetition._opener_hits_py`` (with min_words and min_uses its constants): the long enough
        sentences, the starts of those whose opener is frequent and how many sentences each opens."""

    def mtld_mean(self, ids: list[int], size: int, new_w: int, rep_w: int, threshold: float, /) -> float:
        """``repetition._mtld_mean_py``: the mean of the two MTLD passes over the ids below ``size``."""

    def code_lines(
        self,
        text: str,
        starts: list[int],
        ends: list[int],
        blank: list[bool],
        fenced: bool,
        is_list_item: Callable[[str], bool],
        /,
    ) -> frozenset[int] | None:
        """``structure._code_lines_py``, or None when a non-blank line's span is not inside the text."""

    def special_edges(self, text: str, /) -> list[int]:
        """``normalize._special_edges_py``: starts and ends, alternating, of the runs outside TAB, LF and
        printable ASCII."""

    def word_fact(
        self,
        word: str,
        cmu: dict[str, int],
        zipf: dict[str, float],
        known: frozenset[str],
        common: frozenset[str],
        masked: frozenset[str],
        heads: frozenset[str],
        min_length: int,
        /,
    ) -> WordFacts | None:
        """``lexicons._new_facts_py`` from the tables it reads, or None where a ``cmu`` value is not an int
        in 0..2**40."""

    def one_edit(
        self, word: str, common: frozenset[str], masked: frozenset[str], heads: frozenset[str], /
    ) -> bool | None:
        """``lexicons._one_edit_py``, or None for a word that is not ASCII."""

    def bisect_intp(self, a: bytes | NDArray[np.intp], xs: list[int], ints: tuple[int, ...], /) -> list[int]:
        """``document._bisect_intp_py``: ``bisect_left(a, x)`` of each x, ``a`` any C-contiguous buffer of
        sorted native intp values; results below ``len(ints)`` are ``ints``' objects."""

    def near_dup_pairs(
        self,
        gids: list[int],
        los: list[int],
        his: list[int],
        lengths: list[int],
        active: list[bool],
        jaccard: float,
        shingle: int,
        posting_cap: int,
        candidate_cap: int,
        /,
    ) -> list[tuple[int, int, float]] | None:
        """``repetition._near_dup_pairs_py`` of the units that ``near_dup_units`` returned (their shingle
        ids ``gids[los[j]:his[j]]``), or None when some unit has more than ``candidate_cap`` candidates."""

    def fact_table(self, missing: Callable[[str], WordFacts], limit: int, /) -> FactTable:
        """A word -> facts table (``lexicons._FactCache``): ``missing(word)`` fills it on a miss, and it is
        emptied when it holds ``limit`` words and a new one comes."""

    def heading_candidates(
        self, text: str, starts: list[int], ends: list[int], blank: list[bool], code: frozenset[int], /
    ) -> list[int] | None:
        """``structure._heading_candidates_py``: the lines ``detect_headings`` must look at, or None."""

    def paragraph_runs(self, blank: list[bool], /) -> tuple[list[int], list[int]] | None:
        """``document._paragraph_runs_py``, or None when a flag is not a bool."""


class FactTable(Protocol):
    """``slopsift._speedups.fact_table``'s table."""

    def gather(self, ids: list[int] | None, words: list[str], /) -> list[WordFacts]:
        """``[table[w] for w in words]``, each word looked up at its first occurrence only (``ids[k]``:
        the index of ``words[k]``'s first occurrence); ``ids`` None: every word is a first occurrence."""

    def clear(self) -> None:
        """Forget every word."""

    def __len__(self) -> int:
        """The words held."""


_NAMES = tuple(name for name in vars(Speedups) if not name.startswith("_"))


def _load() -> Speedups | None:
    if os.environ.get("SLOPSIFT_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        module = importlib.import_module("slopsift._speedups")
    except ImportError:
        return None
    # A build left over from an older version (an in-place or editable build not redone) lacks the
    # newer twins: use the Python versions rather than fail with AttributeError on every document.
    if not all(hasattr(module, name) for name in _NAMES):
        return None
    return cast(Speedups, module)


speedups: Speedups | None = _load()
"""``slopsift._speedups`` if it is built and not switched off, else None."""


@contextmanager
def pure_python() -> Iterator[None]:
    """Run the Python versions inside the block (tests and benchmarks compare the two paths).
    Process-wide, not thread-safe: not for use while other threads score."""
    global speedups
    saved, speedups = speedups, None
    try:
        yield
    finally:
        speedups = saved
