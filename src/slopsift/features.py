"""Public feature API: ``signals`` for one text with evidence, ``extract_features`` for matrices.

Every text is parsed once (:func:`slopsift.document.parse`) and every registered family reads that
parse. Evidence is reported in character offsets of the caller's original string.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from numbers import Integral
from operator import attrgetter, itemgetter
from typing import Any, Literal, TypeVar

import numpy as np

from slopsift._frozen import build_frozen, slot_descriptors
from slopsift.document import MIN_WORDS, Document, parse
from slopsift.lexicons import function_words
from slopsift.normalize import OffsetMap
from slopsift.signals import families
from slopsift.signals.base import Evidence, FeatureSpec

__all__ = [
    "FEATURE_SCHEMA_VERSION",
    "MAX_EVIDENCE_PER_SIGNAL",
    "EvidenceSpan",
    "FamilySignals",
    "Gate",
    "SignalsResult",
    "batches",
    "checked_texts",
    "extract_features",
    "feature_names",
    "feature_schema_hash",
    "feature_specs",
    "features_and_gates",
    "gate",
    "in_one_process",
    "in_workers",
    "signals",
    "signals_for_document",
]

FEATURE_SCHEMA_VERSION = "22"
"""Bumped whenever a feature changes meaning; the model bundle records it and refuses a mismatch."""

MAX_EVIDENCE_PER_SIGNAL = 25
"""Evidence spans kept per feature, so hostile inputs cannot produce unbounded reports."""

Gate = Literal["ok", "insufficient_text", "unsupported_language"]

_MIN_STOPWORD_SHARE = 0.12
_MIN_LATIN_SHARE = 0.5
_NON_LETTER_BYTES = bytes(b for b in range(128) if not chr(b).isalpha())
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class EvidenceSpan:
    """``original[start:end]`` is the text that made ``signal`` fire."""

    start: int
    end: int
    signal: str
    note: str = ""


_SPAN_SLOTS = slot_descriptors(EvidenceSpan)
_SPAN_FIELDS = ("start", "end", "signal", "note")
SpanColumns = tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...], tuple[str, ...]]
"""Evidence spans as columns: starts, ends, signals and notes."""
_NO_SPANS: SpanColumns = ((), (), (), ())
_START, _END, _SIGNAL, _NOTE = (attrgetter(f) for f in _SPAN_FIELDS)


class FamilySignals:
    """One family's feature values and the evidence spans behind them.

    The spans are held as columns of plain tuples (:data:`SpanColumns`) and become
    :class:`EvidenceSpan` objects when :attr:`evidence` is first read. A pipeline that reads a
    report's quality and reasons never builds the rest, and a batch of reports holds a few tuples
    per family instead of dozens of objects that the garbage collector must scan (tuples of ints
    and strings it stops tracking). The columns are the record: treat :attr:`evidence` as read-only
    (equality, pickling and :meth:`evidence_dicts` read the columns).
    """

    __slots__ = ("_columns", "_spans", "values")

    def __init__(self, values: dict[str, float], evidence: Iterable[EvidenceSpan] = ()) -> None:
        self.values = values
        spans = list(evidence)
        self._spans: list[EvidenceSpan] | None = spans
        self._columns: SpanColumns = _columns(spans)

    @classmethod
    def from_columns(cls, values: dict[str, float], columns: SpanColumns) -> FamilySignals:
        """Values and spans given as columns (of equal length)."""
        out = cls.__new__(cls)
        out.values, out._columns, out._spans = values, columns, None
        return out

    @property
    def evidence(self) -> list[EvidenceSpan]:
        """The evidence spans, in the family's order (built on first read, then kept)."""
        spans = self._spans
        if spans is None:
            spans = self._spans = build_frozen(EvidenceSpan, _SPAN_SLOTS, *self._columns)
        return spans

    def evidence_for(self, signal: str) -> list[EvidenceSpan]:
        """The spans of one signal (``"family.feature"``), in order; only those are built."""
        if self._spans is not None:
            return [e for e in self._spans if e.signal == signal]
        at = [i for i, name in enumerate(self._columns[2]) if name == signal]
        if not at:
            return []
        picked = (list(map(column.__getitem__, at)) for column in self._columns)
        return build_frozen(EvidenceSpan, _SPAN_SLOTS, *picked)

    def evidence_dicts(self) -> list[dict[str, Any]]:
        """The spans as JSON-ready dicts (``dataclasses.asdict`` of each, without building them)."""
        return [dict(zip(_SPAN_FIELDS, row, strict=True)) for row in zip(*self._columns, strict=True)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FamilySignals):
            return NotImplemented
        return self.values == other.values and self._columns == other._columns

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"FamilySignals(values={self.values!r}, evidence={self.evidence!r})"

    def __getstate__(self) -> tuple[dict[str, float], SpanColumns]:
        return self.values, self._columns  # (pickled without the built spans)

    def __setstate__(self, state: tuple[dict[str, float], SpanColumns]) -> None:
        self.values, self._columns = state
        self._spans = None


def _columns(spans: Sequence[EvidenceSpan]) -> SpanColumns:
    return (
        tuple(map(_START, spans)),
        tuple(map(_END, spans)),
        tuple(map(_SIGNAL, spans)),
        tuple(map(_NOTE, spans)),
    )


@dataclass
class SignalsResult:
    """All feature values of one text, per family, with the evidence behind them."""

    gate: Gate
    n_words: int
    families: dict[str, FamilySignals]
    normalisation: dict[str, int]

    def values(self) -> dict[str, float]:
        """Flat ``{"family.feature": value}`` in schema order."""
        return {f"{fam}.{k}": v for fam, fs in self.families.items() for k, v in fs.values.items()}

    def vector(self) -> np.ndarray:
        return np.fromiter(self.values().values(), dtype=np.float64)

    def evidence(self) -> list[EvidenceSpan]:
        return [e for fs in self.families.values() for e in fs.evidence]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable view."""
        return {
            "gate": self.gate,
            "n_words": self.n_words,
            "normalisation": dict(self.normalisation),
            "families": {
                name: {"values": dict(fs.values), "evidence": fs.evidence_dicts()}
                for name, fs in self.families.items()
            },
        }


@lru_cache(maxsize=1)
def feature_specs() -> tuple[tuple[str, FeatureSpec], ...]:
    """``(qualified name, spec)`` for every feature, in the stable schema order."""
    return tuple((f"{fam.name}.{spec.name}", spec) for fam in families() for spec in fam.features)


def feature_names() -> list[str]:
    return [name for name, _ in feature_specs()]


def feature_schema_hash() -> str:
    """SHA-256 over the ordered feature names and the schema version."""
    h = hashlib.sha256(FEATURE_SCHEMA_VERSION.encode())
    for name in feature_names():
        h.update(b"\0" + name.encode())
    return h.hexdigest()


def _latin_share(s: str) -> float:
    """Share of the letters of ``s`` that are ASCII (1.0 without letters), counted in C:
    ASCII letters by deleting every other byte, other letters only among the non-ASCII runs."""
    if s.isascii():
        return 1.0
    ascii_letters = len(s.encode("ascii", "ignore").translate(None, _NON_LETTER_BYTES))
    other_letters = sum(map(str.isalpha, "".join(_NON_ASCII.findall(s))))
    total = ascii_letters + other_letters
    return ascii_letters / total if total else 1.0


def gate(doc: Document) -> Gate:
    """``insufficient_text`` under :data:`MIN_WORDS` prose words, or when most words are in links;
    ``unsupported_language`` when the prose is clearly not English (few English function words among
    its words, or mostly non-Latin letters).

    Prose words are the words outside URLs, Markdown link targets, domain names and e-mail addresses
    (:attr:`Document.n_prose_words`; words of code lines count): a list of links, or links with a word
    or two between them, is too little prose to judge however many ``https``, ``www`` and ``com`` it holds.
    """
    n = doc.n_prose_words
    if doc.n_words - n > n:  # more link words than prose words: a link list
        return "insufficient_text"
    if n >= 20:
        share = _prose_function_words(doc) / n
        latin = _latin_share(_prose_text(doc, 20000))
        if share < _MIN_STOPWORD_SHARE or latin < _MIN_LATIN_SHARE:
            return "unsupported_language"
    if n < MIN_WORDS:
        return "insufficient_text"
    return "ok"


def _prose_text(doc: Document, limit: int) -> str:
    """``doc.text[:limit]`` without its links (:attr:`Document.link_spans`), whose ASCII letters say
    nothing about the language of the prose around them."""
    text = doc.text[:limit]
    spans = doc.link_spans
    if not spans:
        return text
    kept: list[str] = []
    at = 0
    for s, e in spans:
        if s >= limit:
            break
        kept.append(text[at:s])
        at = e
    kept.append(text[at:])
    return " ".join(kept)


def _prose_function_words(doc: Document) -> int:
    """How many prose words (:attr:`Document.n_prose_words`) are English function words: all of them, less
    those inside links. Counted over distinct words (the families have usually built ``word_counts``)."""
    stop = function_words()
    total = sum(c for w, c in doc.word_counts.items() if w in stop)
    words = doc.words
    in_links = sum(w in stop for i, j in zip(*doc.link_words, strict=True) for w in words[i:j])
    return total - in_links


def _capped(ev: list[Evidence]) -> list[Evidence]:
    """``ev`` without the spans of each signal past its first :data:`MAX_EVIDENCE_PER_SIGNAL`."""
    per: dict[str, int] = {}
    out: list[Evidence] = []
    for e in ev:
        c = per.get(e.signal, 0)
        if c < MAX_EVIDENCE_PER_SIGNAL:
            per[e.signal] = c + 1
            out.append(e)
    return out


def _evidence_columns(family: str, ev: list[Evidence], offsets: OffsetMap) -> SpanColumns:
    """A family's evidence as columns of spans of the original text, at most
    MAX_EVIDENCE_PER_SIGNAL per signal (the first ones), in the family's order."""
    kept = ev if len(ev) <= MAX_EVIDENCE_PER_SIGNAL else _capped(ev)  # short lists: nothing to cap
    starts, ends = tuple(map(_START, kept)), tuple(map(_END, kept))
    if not offsets.is_identity:  # normalisation that changed nothing leaves offsets as they are
        mapped = list(map(offsets.span, starts, ends))
        starts, ends = tuple(map(itemgetter(0), mapped)), tuple(map(itemgetter(1), mapped))
    names = tuple(map(f"{family}.".__add__, map(_SIGNAL, kept)))
    return starts, ends, names, tuple(map(_NOTE, kept))


def signals_for_document(doc: Document, *, evidence: bool = True) -> SignalsResult:
    fams: dict[str, FamilySignals] = {}
    offsets = doc.norm.offsets
    for fam in families():
        values, ev = fam.run(doc)
        fams[fam.name] = FamilySignals.from_columns(
            values, _evidence_columns(fam.name, ev, offsets) if evidence and ev else _NO_SPANS
        )
    return SignalsResult(gate(doc), doc.n_words, fams, dict(doc.normalisation_counts))


def signals(text: str) -> SignalsResult:
    """Parse ``text`` once and compute every signal family with evidence spans."""
    return signals_for_document(parse(text))


def _rows(texts: Sequence[str], with_gates: bool = False) -> tuple[np.ndarray, list[Gate]]:
    # The values-only path: no evidence mapping, no per-family result objects, and the gate only when
    # asked for. Row order is ``SignalsResult.vector()``'s: families in schema order, each family's
    # features in spec order.
    fams = families()
    out = np.empty((len(texts), len(feature_names())), dtype=np.float64)
    gates: list[Gate] = []
    for i, t in enumerate(texts):
        doc = parse(t)
        row: list[float] = []
        for fam in fams:
            row.extend(fam.row_floats(doc))  # ``fam.row(doc)`` less its finiteness check, done below
        out[i] = row
        if with_gates:
            gates.append(gate(doc))  # after the families, as ``signals_for_document`` does
    # ``Family.row``'s 0.0 for a value that is not finite, over the whole matrix at once
    np.copyto(out, 0.0, where=~np.isfinite(out))
    return out, gates


def checked_texts(texts: Iterable[str]) -> list[str]:
    """``texts`` as a list, each a ``str`` (the error names its position). A lone ``str`` is
    refused: iterated, it would score every character as a document."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"texts must be an iterable of str, not a single {type(texts).__name__}")
    items = list(texts)
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, expected str")
    return items


def batches(texts: Iterable[str], n_jobs: int, batch_size: int) -> list[list[str]]:
    """``texts`` in batches of ``batch_size``, after checking the arguments of a batch call: the
    texts (:func:`checked_texts`), ``n_jobs`` a non-zero int (joblib's meaning: -1 all cores),
    ``batch_size`` a positive int (numpy integers too: numbers read from configs often are)."""
    for name, v, low in (("n_jobs", n_jobs, None), ("batch_size", batch_size, 1)):
        if isinstance(v, bool) or not isinstance(v, Integral) or v == 0 or (low is not None and v < low):
            raise ValueError(f"{name} must be {'a positive' if low else 'a non-zero'} int, got {v!r}")
    items = checked_texts(texts)
    return [items[i : i + batch_size] for i in range(0, len(items), batch_size)]


_T = TypeVar("_T")


def in_one_process(n_jobs: int, chunks: Sequence[list[str]]) -> bool:
    """Whether batch work runs in this process: one job asked for, or at most one chunk to share."""
    return n_jobs == 1 or len(chunks) <= 1


def in_workers(work: Callable[[list[str]], _T], chunks: Sequence[list[str]], n_jobs: int) -> list[_T]:
    """``work`` of every chunk, in ``n_jobs`` worker processes (joblib's meaning), in chunk order."""
    from joblib import Parallel, delayed

    return list(Parallel(n_jobs=n_jobs)(delayed(work)(c) for c in chunks))


def extract_features(texts: Iterable[str], *, n_jobs: int = 1, batch_size: int = 256) -> np.ndarray:
    """Feature matrix of shape ``(len(texts), n_features)`` in :func:`feature_names` order."""
    return _extract(texts, n_jobs, batch_size, with_gates=False)[0]


def features_and_gates(
    texts: Iterable[str], *, n_jobs: int = 1, batch_size: int = 256
) -> tuple[np.ndarray, list[Gate]]:
    """:func:`extract_features` and each text's :func:`gate` (what the scorer labels it), both from
    the one parse of each text."""
    return _extract(texts, n_jobs, batch_size, with_gates=True)


def _extract(
    texts: Iterable[str], n_jobs: int, batch_size: int, *, with_gates: bool
) -> tuple[np.ndarray, list[Gate]]:
    chunks = batches(texts, n_jobs, batch_size)
    if in_one_process(n_jobs, chunks):
        return _rows([t for c in chunks for t in c], with_gates)
    parts = in_workers(partial(_rows, with_gates=with_gates), chunks, n_jobs)
    return np.vstack([x for x, _ in parts]), [g for _, gates in parts for g in gates]
