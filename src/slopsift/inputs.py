"""Input readers for batch scoring: files, directories, JSONL, CSV and HTML, plain or gzipped.

Everything is a lazy generator of :class:`InputRecord`, so a corpus of any size is read with
constant memory: one document (or one JSONL line / CSV row) at a time, each capped at
``max_doc_bytes``. A record that cannot be read (unreadable or binary file, malformed JSON line,
missing field, empty text, oversized document) is still yielded, with ``error`` set and ``text``
``None``, so that the caller can account for every input. Invalid UTF-8 is decoded with U+FFFD
replacement and the number of replaced bytes is recorded in ``replaced``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import IO, Any, Literal

__all__ = [
    "DEFAULT_MAX_DOC_BYTES",
    "FORMATS",
    "READ_ERRORS",
    "InputFormat",
    "InputRecord",
    "ReadOptions",
    "decode_utf8",
    "detect_format",
    "extract_html_text",
    "iter_records",
    "open_binary",
    "utf8_lines",
]

InputFormat = Literal["auto", "text", "jsonl", "json", "csv", "tsv", "html"]
FORMATS: tuple[str, ...] = ("auto", "text", "jsonl", "json", "csv", "tsv", "html")
DEFAULT_MAX_DOC_BYTES = 20 * 1024 * 1024
"""Larger documents (files, JSONL lines, CSV cells) become error records instead of being loaded."""

_BINARY_PROBE = 8192
_MAX_REPLACED_SHARE = 0.10
"""A file whose bytes are more than this share invalid UTF-8 is treated as binary, not text."""
_GZIP_MAGIC = b"\x1f\x8b"
_SUFFIX_FORMAT = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
STDIN = "-"


@dataclass(slots=True)
class InputRecord:
    """One document to score, or the reason it could not be read.

    ``id`` is the file path for whole-file documents, the id field (or ``path:line``) for records of
    a JSONL/CSV file. ``source``/``line`` locate container records; ``replaced`` counts bytes of
    invalid UTF-8 replaced by U+FFFD; ``nbytes`` is the input consumed (for progress reporting);
    ``note`` says why a record read may not be one its writer meant (a CSV line read again after an
    unclosed quote).
    """

    id: str | int
    text: str | None
    error: str | None = None
    source: str | None = None
    line: int | None = None
    replaced: int = 0
    nbytes: int = 0
    note: str | None = None


@dataclass
class ReadOptions:
    """How inputs are interpreted; defaults match ``slopsift score``."""

    text_field: str = "text"
    id_field: str = "id"
    globs: Sequence[str] = ()
    input_format: str = "auto"
    html_extractor: str = "stdlib"
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES
    strict_utf8: bool = False
    stdin: IO[bytes] | None = None
    on_bytes: Callable[[int], None] | None = field(default=None, repr=False)
    on_note: Callable[[str], None] | None = field(default=None, repr=False)
    """Told what a reader decided that the user may not expect (how standard input was read)."""
    exclude: frozenset[tuple[int, int]] = frozenset()
    """``(st_dev, st_ino)`` of files a directory walk must pass over: the output being written."""


# --- decoding --------------------------------------------------------------------------------------


def decode_utf8(data: bytes) -> tuple[str, int]:
    """Decode UTF-8 (a leading BOM removed), replacing invalid bytes; returns ``(text, n_replaced_bytes)``."""
    return _decode(data.removeprefix(codecs.BOM_UTF8), "utf-8")


def _decode(data: bytes, encoding: str) -> tuple[str, int]:
    """``data`` decoded with ``encoding``, each invalid sequence replaced by one U+FFFD; returns
    ``(text, n_replaced_bytes)``. In windows-1252 the five bytes it leaves undefined are read as the
    C1 controls of the same value, as browsers do (a page declared ``iso-8859-1`` is read so)."""
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError:
        pass
    replaced = 0
    parts: list[str] = []
    pos = 0
    n = len(data)
    while pos < n:
        try:
            parts.append(data[pos:].decode(encoding))
            break
        except UnicodeDecodeError as exc:
            parts.append(data[pos : pos + exc.start].decode(encoding))
            if encoding == "cp1252":
                parts.append(data[pos + exc.start : pos + exc.end].decode("latin-1"))
            else:
                replaced += exc.end - exc.start
                parts.append("\ufffd")
            pos += exc.end
    return "".join(parts), replaced


def _utf8_error(replaced: int, encoding: str = "utf-8") -> str:
    name = "UTF-8" if encoding == "utf-8" else encoding
    return f"invalid {name} ({replaced} byte{'s' if replaced != 1 else ''})"


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = frozenset(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
_CHARSET_PROBE = 4096
"""How far into an HTML page a ``<meta>`` charset declaration is looked for (browsers: 1024 bytes)."""
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def _bom(data: bytes) -> tuple[str, int] | None:
    """``(codec, BOM length)`` when ``data`` opens with a Unicode byte-order mark."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc, len(bom)
    return None


def _html_charset(data: bytes) -> str | None:
    """The Python codec for the charset an HTML page declares in a ``<meta>`` tag near its start
    (``<meta charset>`` or ``http-equiv`` ``Content-Type``), or ``None`` if none is declared or
    Python does not know it. As in browsers, latin-1 and ASCII labels mean windows-1252, and a
    UTF-16/32 label (impossible in a page whose tags read as ASCII) means UTF-8."""
    m = _META_CHARSET.search(data[:_CHARSET_PROBE])
    if m is None:
        return None
    try:
        info = codecs.lookup(m.group(1).decode("ascii"))
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # base64, rot13, zlib: codecs, not charsets
    name = info.name
    if name in ("iso8859-1", "ascii"):
        return "cp1252"
    if name.startswith(("utf-16", "utf-32", "utf-8")):
        return "utf-8"
    return name


# --- format and file helpers -----------------------------------------------------------------------


def detect_format(name: str) -> str:
    """The format implied by a file name (``.gz`` looked through); plain text when unknown."""
    base = name[:-3] if name.lower().endswith(".gz") else name
    return _SUFFIX_FORMAT.get(os.path.splitext(base)[1].lower(), "text")


class _Wrapped(io.RawIOBase):
    """A read-only byte stream over another, which it closes when closed. A read gives what has
    arrived (:func:`_read1`), not all that was asked for."""

    def __init__(self, raw: IO[bytes] | io.RawIOBase) -> None:
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = _read1(self._raw, len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class _Counted(_Wrapped):
    """A read-only byte stream that reports how many bytes were consumed (for the progress bar)."""

    def __init__(self, raw: IO[bytes] | io.RawIOBase, on_bytes: Callable[[int], None] | None) -> None:
        super().__init__(raw)
        self._on = on_bytes

    def readinto(self, b: Any) -> int:
        n = super().readinto(b)
        if self._on is not None and n:
            self._on(n)
        return n


def _read1(f: IO[bytes] | io.RawIOBase, n: int) -> bytes:
    """Up to ``n`` bytes of ``f``, as many as one read gives: from a pipe, what has arrived, where
    ``read(n)`` of a buffered stream would wait for all ``n`` (a line piped in must be read, and
    scored, before the next one is written). ``b""`` only at the end."""
    read1 = getattr(f, "read1", None)
    data = read1(n) if read1 is not None else f.read(n)  # a raw stream's read is one read
    return data or b""


class _Replay(_Wrapped):
    """``head``, bytes already read from ``raw``, then the rest of ``raw``: a stream read again from
    its start after its first bytes were sniffed, which gives ``head`` without first waiting for
    more input."""

    def __init__(self, head: bytes, raw: IO[bytes] | io.RawIOBase) -> None:
        super().__init__(raw)
        self._head = memoryview(head)

    def readinto(self, b: Any) -> int:
        if not self._head:
            return super().readinto(b)
        n = min(len(b), len(self._head))
        b[:n] = self._head[:n]
        self._head = self._head[n:]
        return n


def _peeked(f: IO[bytes], n: int, until: bytes = b"") -> tuple[bytes, IO[bytes]]:
    """The first ``n`` bytes of ``f`` (all of it if shorter), unconsumed, and the stream to read ``f``
    from: ``f`` when its ``peek`` shows them, else one that gives them again. ``peek`` shows what one
    read gave, which from a pipe can be fewer bytes than a BOM or the gzip magic. With ``until``, the
    bytes read up to the first read that gives ``until`` may be fewer (a pipe is not waited on for
    bytes that cannot change what the caller decides)."""
    head = f.peek(n)[:n]  # type: ignore[attr-defined]
    if len(head) >= n or (until and until in head):
        return head, f
    got = bytearray()
    while len(got) < n and (chunk := _read1(f, n - len(got))):
        got += chunk
        if until and until in chunk:
            break
    return bytes(got), io.BufferedReader(_Replay(bytes(got), f), 1 << 16)


def open_binary(path: str, opts: ReadOptions) -> IO[bytes]:
    """A buffered binary stream for ``path`` (``-``: stdin), transparently gunzipped."""
    if path == STDIN:
        raw: IO[bytes] = opts.stdin if opts.stdin is not None else sys.stdin.buffer
        counted: IO[bytes] = io.BufferedReader(_Counted(_NoClose(raw), opts.on_bytes), 1 << 16)
    else:
        counted = io.BufferedReader(_Counted(open(path, "rb"), opts.on_bytes), 1 << 16)  # noqa: SIM115
    magic, counted = _peeked(counted, 2)
    if magic == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=counted, mode="rb")  # type: ignore[return-value]
    return counted


class _NoClose(_Wrapped):
    """Wraps stdin so that closing our reader does not close the process's stdin."""

    def close(self) -> None:
        io.RawIOBase.close(self)


class _Mapped(_Wrapped):
    """A read-only byte stream whose bytes are ``fn(chunk, final)`` of another's, chunk by chunk:
    UTF-16/32 recoded to UTF-8, or CR line ends made LF, for the line-oriented readers."""

    def __init__(self, raw: IO[bytes], fn: Callable[[bytes, bool], bytes]) -> None:
        super().__init__(raw)
        self._fn = fn
        self._buf = b""
        self._done = False

    def readinto(self, b: Any) -> int:
        while not self._buf and not self._done:
            chunk = _read1(self._raw, 1 << 16)
            self._done = not chunk
            self._buf = self._fn(chunk, self._done)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _invalid_as_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: each undecodable byte becomes one byte that is invalid UTF-8 (via
    ``surrogateescape`` on encoding), so the UTF-8 readers downstream count it as replaced."""
    assert isinstance(exc, UnicodeDecodeError)
    return "\udcff" * (exc.end - exc.start), exc.end


codecs.register_error("slopsift.invalid-as-bytes", _invalid_as_bytes)


def _cr_lf_to_lf() -> Callable[[bytes, bool], bytes]:
    """A :class:`_Mapped` function making CR and CRLF line ends LF (one each, also when a chunk ends
    between the CR and the LF of a CRLF), as Python's universal newlines do."""
    held = b""

    def fn(chunk: bytes, final: bool) -> bytes:
        nonlocal held
        chunk, held = held + chunk, b""
        if chunk.endswith(b"\r") and not final:
            chunk, held = chunk[:-1], b"\r"
        return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    return fn


def utf8_lines(f: IO[bytes], cr_lines: bool = False) -> tuple[IO[bytes], str]:
    """``f`` as UTF-8 for line-oriented readers (JSONL, CSV, JSON, the training loader), its
    byte-order mark consumed: recoded when a UTF-16/32 BOM opens it, and with CR (and CRLF) line
    ends made LF when ``cr_lines`` and its start has CRs but no LF (old Mac and Excel exports).
    One place for BOMs, so that no reader strips them its own way. Also returns the encoding the
    bytes of ``f`` are in (``utf-8``, or the UTF-16/32 codec its BOM names), so that an error can
    name it."""
    if getattr(f, "peek", None) is None:
        return f, "utf-8"
    head, f = _peeked(f, 4)
    bom = _bom(head)
    encoding = "utf-8"
    if bom is not None:
        f.read(bom[1])
    if bom is not None and bom[0] in _WIDE:
        encoding = bom[0]
        dec = codecs.getincrementaldecoder(encoding)("slopsift.invalid-as-bytes")
        f = io.BufferedReader(
            _Mapped(f, lambda c, final: dec.decode(c, final).encode("utf-8", "surrogateescape")), 1 << 16
        )
    if cr_lines:
        head, f = _peeked(f, _SNIFF_BYTES, until=b"\n")  # once an LF has come, the answer is no
        if b"\r" in head and b"\n" not in head:
            f = io.BufferedReader(_Mapped(f, _cr_lf_to_lf()), 1 << 16)
    return f, encoding


READ_ERRORS = (OSError, EOFError, zlib.error)
"""What reading a (possibly gzipped) input can raise: damaged gzip data raises ``zlib.error``."""


def _read_error(exc: BaseException) -> str:
    if isinstance(exc, gzip.BadGzipFile | EOFError | zlib.error):
        return f"corrupt or truncated gzip data ({exc})" if str(exc) else "corrupt or truncated gzip data"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read: {exc.strerror}"
    return f"cannot read: {exc}"


# --- whole-file documents --------------------------------------------------------------------------


def _too_large(what: str, cap: int) -> str:
    """The error of a document, line or array element over the size cap, saying how to read it."""
    size = "larger" if what == "document" else "longer"
    return f"{what} {size} than {cap} bytes (raise --max-doc-bytes to read it)"


def _whole_document(data: bytes, ident: str, fmt: str, opts: ReadOptions) -> InputRecord:
    """One file's bytes as one document: decoded as its BOM says (UTF-8, UTF-16, UTF-32), else for
    HTML as its ``<meta>`` charset says, else as UTF-8."""
    nbytes = len(data)
    if nbytes > opts.max_doc_bytes:
        return InputRecord(ident, None, _too_large("document", opts.max_doc_bytes), nbytes=nbytes)
    bom = _bom(data)
    if bom is not None:
        enc, skip = bom
    else:
        enc, skip = (_html_charset(data) if fmt == "html" else None) or "utf-8", 0
    body = data[skip:]
    if enc not in _WIDE and b"\0" in body[:_BINARY_PROBE]:  # (UTF-16/32 text is full of NUL bytes)
        return InputRecord(ident, None, "binary file (contains NUL bytes)", nbytes=nbytes)
    try:
        text, replaced = _decode(body, enc)
    except UnicodeError:  # a declared codec that decodes no page (undefined, punycode): UTF-8 as before
        enc = "utf-8"
        text, replaced = _decode(body, enc)
    if replaced and (replaced > _MAX_REPLACED_SHARE * nbytes):
        return InputRecord(ident, None, f"binary file ({_utf8_error(replaced, enc)})", nbytes=nbytes)
    if replaced and opts.strict_utf8:  # nothing was replaced: the text is not scored
        return InputRecord(ident, None, _utf8_error(replaced, enc), nbytes=nbytes)
    if enc in _WIDE and "\0" in text[:_BINARY_PROBE]:
        return InputRecord(ident, None, "binary file (contains NUL characters)", nbytes=nbytes)
    if fmt == "html":
        text = extract_html_text(text, extractor=opts.html_extractor)
    if not text.strip():
        return InputRecord(ident, None, "empty text", replaced=replaced, nbytes=nbytes)
    return InputRecord(ident, text, replaced=replaced, nbytes=nbytes)


def _read_whole(path: str, fmt: str, opts: ReadOptions) -> InputRecord:
    ident = "<stdin>" if path == STDIN else path
    try:
        with open_binary(path, opts) as f:
            data = f.read(opts.max_doc_bytes + 1)
    except READ_ERRORS as exc:
        return InputRecord(ident, None, _read_error(exc))
    return _whole_document(data, ident, fmt, opts)


# --- JSONL -----------------------------------------------------------------------------------------


_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_ERRORS = (ValueError, RecursionError)
"""What parsing JSON can raise: ``RecursionError`` for arrays or objects nested deeper than the stack."""


def _json_error(exc: Exception) -> str:
    return "invalid JSON: nested too deeply" if isinstance(exc, RecursionError) else f"invalid JSON: {exc}"


def _skip_ws(text: str, pos: int) -> int:
    m = _JSON_WS.match(text, pos)
    return m.end() if m else pos


class _TooLong(int):
    """Stands for a line longer than the cap, skipped unkept: its number of double quotes (CSV needs
    their parity to know whether the next line is still inside a quoted field), and its first
    bytes in ``head`` (where a JSONL line's id may be found)."""

    head: bytes = b""


_ID_PROBE = 1 << 16
"""How much of the start of an oversized JSONL line is kept to look for the record's id."""


def _capped_lines(f: IO[bytes], cap: int) -> Iterator[tuple[int, bytes | _TooLong]]:
    """``(line_number, bytes)`` per line; a :class:`_TooLong` for a line longer than ``cap``."""
    n = 0
    while True:
        line = f.readline(cap + 1)
        if not line:
            return
        n += 1
        if len(line) > cap and not line.endswith(b"\n"):
            quotes = line.count(b'"')
            while True:  # skip the rest of the oversized line in bounded pieces
                more = f.readline(1 << 20)
                quotes += more.count(b'"')
                if not more or more.endswith(b"\n"):
                    break
            too_long = _TooLong(quotes)
            too_long.head = line[:_ID_PROBE]
            yield n, too_long
        else:
            yield n, line


_ABSENT = object()


def _field(rec: dict[str, Any], name: str) -> Any:
    """``rec[name]``, or a dotted path into nested objects (``meta.text``); ``_ABSENT`` if neither."""
    if name in rec:
        return rec[name]
    cur: Any = rec
    for part in name.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return _ABSENT
        cur = cur[part]
    return cur


def _string_paths(rec: dict[str, Any], prefix: str = "", depth: int = 3) -> Iterator[str]:
    """The paths (``meta.body``, as ``--text-field`` takes them) of a record's string fields, nested
    objects ``depth`` deep at most."""
    for k, v in rec.items():
        if isinstance(v, str):
            yield prefix + k
        elif isinstance(v, dict) and depth > 1:
            yield from _string_paths(v, f"{prefix}{k}.", depth - 1)


def _fields_hint(rec: dict[str, Any], id_field: str) -> str:
    """The string fields of a record without the text field (its id's aside; nested ones by their
    dotted path), so that the error row says which field to name."""
    fields = [k for k in _string_paths(rec) if k != id_field]
    return f" (its text fields: {_text_field_choices(fields)})" if fields else ""


def _text_field_choices(names: Sequence[str]) -> str:
    """The first :data:`_HINT_FIELDS` of ``names`` quoted, and what ``--text-field`` is for."""
    more = ", ..." if len(names) > _HINT_FIELDS else ""
    return f"{', '.join(map(repr, names[:_HINT_FIELDS]))}{more}; --text-field names the one to score"


_HINT_FIELDS = 6


def _record_id(value: Any, fallback: str) -> str | int:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return fallback


def _from_mapping(
    rec: dict[str, Any],
    source: str,
    line: int,
    replaced: int,
    nbytes: int,
    opts: ReadOptions,
    fallback: str | None = None,
) -> InputRecord:
    ident = _record_id(_field(rec, opts.id_field), fallback or f"{source}:{line}")
    r = InputRecord(ident, None, source=source, line=line, replaced=replaced, nbytes=nbytes)
    text = _field(rec, opts.text_field)
    if text is _ABSENT:
        r.error = f"missing field {opts.text_field!r}" + _fields_hint(rec, opts.id_field)
    elif text is None:
        r.error = f"field {opts.text_field!r} is null"
    elif not isinstance(text, str):
        r.error = f"field {opts.text_field!r} is {type(text).__name__}, not a string"
    elif len(text) > opts.max_doc_bytes:
        r.error = _too_large("document", opts.max_doc_bytes)
    elif replaced and opts.strict_utf8:
        r.error = _utf8_error(replaced)
        r.replaced = 0  # nothing was replaced: the text is not scored
    elif not text.strip():
        r.error = "empty text"
    elif "\0" in text:
        r.error = "binary text (contains NUL characters)"
    else:
        r.text = text
    return r


def _leading_id(head: bytes, name: str) -> str | int | None:
    """The id of a JSONL line too long to parse, from its first bytes: its top-level members are
    read in order until the id field or a value cut off by the end of ``head``, so the id is found
    when it comes before the long text (as in ``{"id": ..., "text": ...}``), else ``None``."""
    text, _ = decode_utf8(head)
    dec = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if not text.startswith("{", pos):
        return None
    pos = _skip_ws(text, pos + 1)
    while text.startswith('"', pos):
        try:
            key, pos = dec.raw_decode(text, pos)
            pos = _skip_ws(text, pos)
            if not text.startswith(":", pos):
                return None
            value, pos = dec.raw_decode(text, _skip_ws(text, pos + 1))
        except _JSON_ERRORS:
            return None
        if key == name:
            found = _record_id(value, "")
            return found if found != "" else None
        pos = _skip_ws(text, pos)
        if not text.startswith(",", pos):
            return None
        pos = _skip_ws(text, pos + 1)
    return None


def _read_jsonl(f: IO[bytes], source: str, opts: ReadOptions) -> Iterator[InputRecord]:
    for line_no, raw in _capped_lines(f, opts.max_doc_bytes):
        fallback = f"{source}:{line_no}"
        if isinstance(raw, _TooLong):
            ident = _leading_id(raw.head, opts.id_field)
            yield InputRecord(
                fallback if ident is None else ident,
                None,
                _too_large("line", opts.max_doc_bytes),
                source=source,
                line=line_no,
            )
            continue
        if not raw.strip():
            continue  # blank lines are separators, not records
        line, replaced = decode_utf8(raw)
        try:
            rec = json.loads(line)
        except _JSON_ERRORS as exc:
            yield InputRecord(
                fallback, None, _json_error(exc), source=source, line=line_no, replaced=replaced
            )
            continue
        if not isinstance(rec, dict):
            yield InputRecord(
                fallback, None, f"not a JSON object ({type(rec).__name__})", source=source, line=line_no
            )
            continue
        yield _from_mapping(rec, source, line_no, replaced, len(raw), opts)


# --- JSON ------------------------------------------------------------------------------------------

_ESCAPED = re.compile("[\udc80-\udcff]")
"""Invalid UTF-8 bytes, as ``surrogateescape`` decoding leaves them."""
_NOT_RECORDS = "not JSON records: a .json file must hold JSON Lines, an array of objects or one object"


def _read_json(
    f: IO[bytes], source: str, opts: ReadOptions, text_else: bool = False
) -> Iterator[InputRecord]:
    """A ``.json`` file, or standard input that opens like JSON: JSON Lines when they look like them
    (:func:`_looks_like_jsonl`; read line by line), else a top-level array (one row per element) or
    one object. An array is streamed (:func:`_json_values`): only the element being parsed is
    kept, and an element longer than ``max_doc_bytes`` is an error row, passed over, reading going
    on after it. A multi-line object is parsed whole, so it is capped at ``max_doc_bytes``;
    anything else is one error row. With ``text_else`` (standard input in ``auto`` mode), an array
    or object is parsed whole, up to the cap, to tell JSON records from prose, and anything else is
    one text, read as the text format reads it (:func:`_text_else`)."""
    head, complete, lines = _json_head(f)
    first = head.lstrip(b" \t\r\n")[:1]
    if first == b"{" and (lines or _looks_like_jsonl(head, complete)):
        if not (complete or lines or _first_line_is_object(head)):  # maybe one object over many lines
            head += f.read(max(0, opts.max_doc_bytes + 1 - len(head)))
            complete = len(head) <= opts.max_doc_bytes  # (read() stops short only at the end)
        if complete and len(head) <= opts.max_doc_bytes:  # one value whose lines look like JSONL?
            values = _json_values(head, source)
            one = next(values)
            if one.error is None and next(values, None) is None:
                yield _value_record(one, source, opts)
                return
        yield from _read_jsonl(io.BufferedReader(_Replay(head, f), 1 << 16), source, opts)
        return
    if first == b"[" and not text_else:  # an array: streamed, element by element
        values = _json_values(head, source, f, opts.max_doc_bytes)
        yield from (_value_record(v, source, opts) for v in values)
        return
    whole = first == b"{"
    data = head + f.read(max(0, opts.max_doc_bytes + 1 - len(head))) if whole or text_else else head
    if text_else:
        yield from _text_else(data, source, opts)
    elif not whole:
        yield InputRecord(source, None, "empty file" if not first and complete else _NOT_RECORDS)
    elif len(data) > opts.max_doc_bytes:
        msg = (
            f"JSON file larger than {opts.max_doc_bytes} bytes (one object over many lines is read whole: "
            "use JSON Lines, or raise --max-doc-bytes)"
        )
        yield InputRecord(source, None, msg)
    else:
        yield from (_value_record(v, source, opts) for v in _json_values(data, source))


def _text_else(data: bytes, source: str, opts: ReadOptions) -> Iterator[InputRecord]:
    """Standard input that opens with "{" or "[" but is not JSON Lines: its records when all of it
    (``data``, read up to the cap) is one JSON value that is an object or an array holding at least
    one object, parsed cleanly to its end; else one text, as the text format reads it (prose that
    opens with a bracket, "[citation needed] ...", stays prose). The values are all parsed before
    any row is given, so that no row is given for prose. ``opts.on_note`` is told when the text
    is JSON (``[1, 2]``) or opens with "{", not for prose opening with "[" (a citation, a link)."""
    body = data.lstrip(b" \t\r\n")
    first = body[:1]
    big = len(data) > opts.max_doc_bytes
    whole = first in (b"{", b"[") and not big
    values = list(_json_values(data, source)) if whole else []
    parsed = whole and all(v.error is None for v in values)
    if parsed and any(isinstance(v.value, dict) for v in values):
        yield from (_value_record(v, source, opts) for v in values)
        return
    # "[{" opens an array of records (cut short, too deep or too long), not prose: told too
    objects = first == b"[" and body[1:].lstrip(b" \t\r\n")[:1] == b"{"
    if opts.on_note is not None and (parsed or first == b"{" or objects):
        opts.on_note(
            "standard input opens like JSON but is not JSON records (JSON Lines, an array of objects or "
            + ("one object): " if not big else f"one object) within --max-doc-bytes ({opts.max_doc_bytes}): ")
            + "scored as one text (--input-format json reads it as records, an array element by element)"
        )
    yield _whole_document(data[: opts.max_doc_bytes + 1], source, "text", opts)  # as _read_whole reads it


def _first_line_is_object(head: bytes) -> bool:
    """Whether the first non-blank line of ``head`` is a JSON object, or runs past ``head``."""
    body = head.lstrip()
    if b"\n" not in body:
        return True  # too long to see whole: a long JSONL line, not the "{" opening a pretty-printed object
    return _is_object(body[: body.index(b"\n")])


def _is_object(line: bytes) -> bool:
    """Whether ``line`` is one JSON object."""
    with contextlib.suppress(*_JSON_ERRORS):
        return isinstance(json.loads(line), dict)
    return False


_BLANK = b" \t\n\r\x0b\x0c"
"""What ``bytes.strip`` strips: a line of these is blank to :func:`_looks_like_jsonl`."""


def _json_head(f: IO[bytes]) -> tuple[bytes, bool, bool]:
    """The start of ``f`` that :func:`_read_json` judges it by, whether it is all of ``f``, and
    whether it ends with a first non-blank line that is complete and one JSON object: read as it
    arrives until the end, :data:`_SNIFF_BYTES`, such a line or an opening "[". A stream that opens
    with such a line is JSON Lines whatever follows (as :func:`_looks_like_jsonl` would say of more of
    it), and one that opens with "[" an array, so that a line or an element piped in is read, and
    scored, before the next one is written, not once 64 KiB have come."""
    head = bytearray()
    first = -1  # where the first non-blank byte is, once seen
    judged = False  # whether the first non-blank line was complete (and not an object)
    while len(head) < _SNIFF_BYTES:
        chunk = _read1(f, _SNIFF_BYTES - len(head))
        if not chunk:
            return bytes(head), True, False
        start = len(head)
        head += chunk
        if first < 0 and (rest := chunk.lstrip(_BLANK)):
            first = len(head) - len(rest)
            if rest[:1] == b"[":  # an array: its reader reads on as each element needs
                return bytes(head), False, False
        if first >= 0 and not judged and (nl := head.find(b"\n", max(first, start))) >= 0:
            judged = True
            if _is_object(bytes(head[first:nl]).strip()):
                return bytes(head), False, True
    return bytes(head), False, False


@dataclass(slots=True)
class _JsonValue:
    """A top-level value of a JSON document (an element of its array, or the document), or with
    ``error`` why it, or the document from here, could not be read; ``head``: the start of an
    element too long to parse, where its id may be found (:func:`_leading_id`)."""

    ident: str
    line: int
    value: Any = None
    nbytes: int = 0
    replaced: int = 0
    error: str | None = None
    head: bytes = b""


_DECODER = json.JSONDecoder()
_JSON_READ = 1 << 18
"""How much of a streamed JSON array is asked for at a time (a read may give less)."""
_CLOSERS = b"]}"
"""The bytes "]" and "}": a read that gives one may have completed the array or object being read."""
_EAGER_PARSE = 1 << 18
"""Up to this many characters, an array, object or string cut short is parsed again as soon as a read
gives what may close it (:data:`_CLOSERS`, a quote): an element piped in is a row before the next comes.
Past it, only once as much again has been read, so that a long element full of brackets is not parsed
once per read (a 256 KiB element arriving in 64 KiB reads is parsed at most 4 times)."""
_NUMBER_GOES_ON = frozenset("0123456789.eE+-")
"""What may follow the end of what was read of a number and still belong to it ("1.", "1e", "1e-")."""
_JSON_MARGIN = 16
"""A parse that fails this near the end of the text read so far may have been cut short by it
(``-Infinit``, half a ``\\uXXXX`` escape): more is read and it is tried again."""


class _JsonText:
    """The text of a JSON document as far as it has been read: all of ``data``, or with ``f`` the
    bytes of ``data`` then the rest of ``f``, read as it is needed (:meth:`fill`), only the text not
    yet consumed kept. Decoded with ``surrogateescape``, incrementally (a character may be split
    between reads). Knows where in the whole document its text is, for line numbers and errors."""

    def __init__(self, data: bytes, f: IO[bytes] | None = None) -> None:
        self._f = f
        self._dec = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.text = self._dec.decode(data, final=f is None)
        self.eof = f is None
        self._dropped = 0  # characters consumed before text[0]
        self._col = 0  # of them, those after the last newline
        self._base = 1  # the line text[0] is on
        self._line = 1  # the line text[_counted] is on
        self._counted = 0

    def line(self, pos: int) -> int:
        """The line ``text[pos]`` is on (positions asked about never go back)."""
        self._line += self.text.count("\n", self._counted, pos)
        self._counted = pos
        return self._line

    def fill(self, pos: int, want: int = 1, until: bytes = b"") -> int:
        """Drop the text before ``pos`` and read on: at least ``want`` bytes unless the end comes
        first, or a read gives one of the bytes ``until`` (what may close the value being read: from
        a pipe, an element is parsed once it has come, not once ``want`` bytes more have), else what
        one read gives; returns where ``pos`` now is."""
        if self.eof:
            return pos
        self._base = self.line(pos)
        nl = self.text.rfind("\n", 0, pos)
        self._col = pos - nl - 1 if nl >= 0 else self._col + pos
        self._dropped += pos
        self._counted = 0
        parts, got = [self.text[pos:]], 0
        while got < want and not self.eof:
            data = _read1(self._f, max(want - got, _JSON_READ))  # type: ignore[arg-type]
            parts.append(self._dec.decode(data, final=not data))
            self.eof = not data
            got += len(data)
            if any(c in data for c in until):
                break
        self.text = "".join(parts)
        return 0

    def skip_ws(self, pos: int) -> int:
        """The first position at or after ``pos`` that is not JSON white space, reading on as
        needed: ``len(text)`` only at the end."""
        pos = _skip_ws(self.text, pos)
        while pos == len(self.text) and not self.eof:
            pos = self.fill(pos)
            pos = _skip_ws(self.text, pos)
        return pos

    def over(self, pos: int, end: int, cap: int) -> bool:
        """Whether ``text[pos:end]`` was read from more than ``cap`` bytes (``0``: no cap)."""
        n = end - pos
        if not cap or n * 4 <= cap:  # a character is 1 to 4 bytes
            return False
        step = 1 << 20  # counted a piece at a time, not copied whole
        pieces = range(pos, end, step)
        return (
            n > cap
            or sum(len(self.text[i : min(i + step, end)].encode("utf-8", "surrogateescape")) for i in pieces)
            > cap
        )

    def cut(self, exc: Exception | None, end: int) -> bool:
        """Whether a parse of ``text`` that failed with ``exc``, or ended at ``end``, may have been
        cut short by the end of what was read (then it is tried again with more)."""
        if self.eof or isinstance(exc, RecursionError):
            return False
        if isinstance(exc, json.JSONDecodeError):
            return exc.msg.startswith("Unterminated string") or exc.pos >= len(self.text) - _JSON_MARGIN
        if exc is not None:  # past the int digits limit: the number may go on
            return self.text[-1:].isdigit()
        if self.text[end - 1 : end] in ('"', "}", "]"):  # closed: what follows cannot extend it
            return False
        # A number or literal ends where a character no number goes on with follows it ("5," "true ").
        return end >= len(self.text) or self.text[end] in _NUMBER_GOES_ON

    def error(self, exc: Exception) -> str:
        """:func:`_json_error` of an error parsing ``text``, its position in the whole document."""
        if isinstance(exc, json.JSONDecodeError) and self._dropped:
            nl = self.text.rfind("\n", 0, exc.pos)
            col = exc.pos - nl if nl >= 0 else self._col + exc.pos + 1
            line = self._base + self.text.count("\n", 0, exc.pos)
            exc = ValueError(f"{exc.msg}: line {line} column {col} (char {self._dropped + exc.pos})")
        return _json_error(exc)


def _json_values(data: bytes, source: str, f: IO[bytes] | None = None, cap: int = 0) -> Iterator[_JsonValue]:
    """The top-level values of a JSON document, each parsed once, lazily: each element of a
    top-level array, or the one value; a value that cannot be parsed, or data after the end, is an
    error value, and nothing follows it. The document is ``data``, or with ``f`` its first bytes
    ``data`` then the rest of ``f``, streamed: only the unparsed text is kept (:class:`_JsonText`),
    and an element longer than ``cap`` bytes is an error value, passed over unparsed.

    Invalid UTF-8 is counted per element, as in a JSONL line: the text is decoded with
    ``surrogateescape`` and an element holding escaped bytes is decoded again on its own.
    """
    buf = _JsonText(data, f)
    pos = buf.skip_ws(0)
    is_array = buf.text.startswith("[", pos)
    if is_array:
        pos = buf.skip_ws(pos + 1)
    idx = 0
    while True:
        line = buf.line(pos)
        ident = f"{source}[{idx}]" if is_array else f"{source}:{line}"
        if is_array and idx == 0 and buf.text.startswith("]", pos):
            end = pos  # an empty array: no records
        else:
            value, end = _next_value(buf, pos, _JsonValue(ident, line), is_array, cap)
            yield value
            if end < 0:
                return
        pos = buf.skip_ws(end)
        if is_array and buf.text.startswith(",", pos):
            pos = buf.skip_ws(pos + 1)
            idx += 1
            continue
        if is_array and buf.text.startswith("]", pos):
            pos = buf.skip_ws(pos + 1)
        elif is_array:
            msg = (
                "invalid JSON: expected ',' or ']' after an array element; the rest of the file was not read"
            )
            yield _JsonValue(ident, line, error=msg)
            return
        if pos < len(buf.text):
            line = buf.line(pos)
            yield _JsonValue(f"{source}:{line}", line, error="invalid JSON: extra data after the end")
        return


def _next_value(buf: _JsonText, pos: int, v: _JsonValue, is_array: bool, cap: int) -> tuple[_JsonValue, int]:
    """``v`` (its ident and line set) filled in with the value at ``pos``, and where that ends in
    ``buf.text``, read on as far as needed; with an error and ``-1`` when nothing after it can be
    read. A parse cut short by the end of what was read is tried again after reading on: once a
    read brings what may close the value (up to :data:`_EAGER_PARSE`), else once as much again as the
    value so far has come (so that a long value is not parsed many times), and not much past ``cap``."""
    while True:
        exc: Exception | None = None
        try:
            obj, end = _DECODER.raw_decode(buf.text, pos)
        except _JSON_ERRORS as e:
            exc, obj, end = e, None, len(buf.text)
        if isinstance(exc, RecursionError) and is_array:  # valid maybe, but too deep to parse: passed over
            return _passed_over(buf, pos, v, _json_error(exc))
        if exc is not None and not buf.cut(exc, end):
            v.error = buf.error(exc) + ("; the rest of the file was not read" if is_array else "")
            return v, -1
        if buf.over(pos, end, cap):
            return _passed_over(buf, pos, v, _too_large("array element", cap))
        if exc is None and not buf.cut(None, end):
            v.value, v.nbytes = obj, end - pos
            if _ESCAPED.search(buf.text, pos, end):
                fixed, v.replaced = decode_utf8(buf.text[pos:end].encode("utf-8", "surrogateescape"))
                v.value = json.loads(fixed)
            return v, end
        n = len(buf.text) - pos  # read as much again, but not much past the cap (and at least a byte)
        opener = buf.text[pos]
        until = (_CLOSERS if opener in "{[" else b'"' if opener == '"' else b"") if n < _EAGER_PARSE else b""
        pos = buf.fill(pos, max(1, min(n, cap + 1 - n)) if cap else n, until)


def _passed_over(buf: _JsonText, pos: int, v: _JsonValue, error: str) -> tuple[_JsonValue, int]:
    """``v`` as an error value for the element at ``pos``, which is passed over unparsed
    (:func:`_skip_value`), its start kept for its id, and where it ends (``-1``: the file ends in it)."""
    v.head = buf.text[pos : pos + _ID_PROBE].encode("utf-8", "surrogateescape")
    end = _skip_value(buf, pos)
    v.error = error + ("; the file ends inside it" if end < 0 else "")
    return v, end


_STRING_REST = re.compile(r'(?:[^"\\]+|\\.)*', re.DOTALL)
"""The rest of a JSON string, up to its closing quote, the end of the text or a backslash ending it."""
_SCAN_STEP = 1 << 16
"""How much of a string :data:`_STRING_REST` is matched against at once: its repetition's
backtracking stack grows with the escapes it matches, so a long string is matched in pieces."""
_BRACKET = re.compile(r'["\[\]{}]')
_SCALAR_END = re.compile(r"[,\]} \t\n\r]")


def _skip_value(buf: _JsonText, pos: int) -> int:
    """Where the JSON value at ``pos`` ends, found without parsing it, reading on and dropping what
    was passed over: after the quote that closes a string, or the bracket that closes an array or
    object (the strings in it passed over, escapes and all), else before the first ",", "]", "}"
    or white space; ``-1`` if the text ends first."""
    depth, in_string = 0, False
    scalar = buf.text[pos] not in '"[{'
    while True:
        text = buf.text
        if scalar:
            m = _SCALAR_END.search(text, pos)
            if m:
                return m.start()
            pos = len(text)
        elif in_string:
            stop = min(pos + _SCAN_STEP, len(text))
            pos = _STRING_REST.match(text, pos, stop).end()  # type: ignore[union-attr]
            if text.startswith('"', pos):
                in_string = False
                if depth == 0:
                    return pos + 1
                pos += 1
                continue
            if stop < len(text):  # the next piece (from a "\" that ended this one)
                continue
        elif m := _BRACKET.search(text, pos):
            pos = m.end()
            c = m.group()
            depth += 1 if c in "[{" else -1 if c in "]}" else 0
            in_string = c == '"'
            if depth == 0 and not in_string:
                return pos
            continue
        else:
            pos = len(text)
        if buf.eof:
            return -1
        pos = buf.fill(pos)


def _value_record(v: _JsonValue, source: str, opts: ReadOptions) -> InputRecord:
    """The row for one top-level value of a JSON document: its record, or an error row."""
    if v.error is None and isinstance(v.value, dict):
        return _from_mapping(v.value, source, v.line, v.replaced, v.nbytes, opts, fallback=v.ident)
    msg = v.error or f"not a JSON object ({type(v.value).__name__})"
    found = _leading_id(v.head, opts.id_field) if v.head else None
    ident = v.ident if found is None else found
    return InputRecord(ident, None, msg, source=source, line=v.line, replaced=v.replaced)


# --- CSV -------------------------------------------------------------------------------------------


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


class _CsvLines:
    """The decoded lines of a CSV file for :mod:`csv`, remembering the lines each record took, so
    that a record the reader rejects can be read again from its second line (resynchronising
    after a stray quote instead of losing every later record to it). A lone CR ends a line too,
    as in Python's universal newlines (old Mac and Excel exports)."""

    def __init__(self, f: IO[bytes], cap: int) -> None:
        self._lines = _capped_lines(f, cap)
        self._again: deque[tuple[int, str, int, bool]] = deque()
        self._pieces: deque[str] = deque()
        self._n = 0
        self.taken: list[tuple[int, str, int, bool]] = []
        """``(line number, text, bytes replaced, longer than the cap)`` of the record being read."""

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._again:
            item = self._again.popleft()
        elif self._pieces:
            self._n += 1
            item = (self._n, self._pieces.popleft(), 0, False)
        else:
            _, raw = next(self._lines)
            self._n += 1
            if isinstance(raw, _TooLong):  # the quote state after the line, as if it had been read
                item = (self._n, '"' * (raw % 2) + "\n", 0, True)
            else:
                text, rep = decode_utf8(raw)
                if "\r" in text and not (text.endswith("\r\n") and text.count("\r") == 1):
                    first, *rest = [p for p in _LONE_CR.split(text) if p]
                    self._pieces.extend(rest)
                    text = first
                item = (self._n, text, rep, False)
        self.taken.append(item)
        return item[1]

    def next_record(self) -> None:
        self.taken = []

    def read_again_after_first(self) -> None:
        """Queue the lines of the rejected record after its first to be read again, as new rows."""
        self._again.extendleft(reversed(self.taken[1:]))
        self.taken = []


def _again_note(again: tuple[int, int] | None, line: int) -> str | None:
    """The note of a CSV row on ``line`` when it lies in the lines ``again`` read again after a quoted
    field left open: it may be part of that field, not a record."""
    if again is None or line > again[1]:
        return None
    return f"read again after the quoted field left open on line {again[0]}: it may be part of it"


def _read_csv(f: IO[bytes], source: str, opts: ReadOptions, delimiter: str) -> Iterator[InputRecord]:
    """One record per CSV row. A row the reader rejects (an unclosed or stray quote) is one error
    row for its first line, and reading goes on from the line after it, so a bad quote costs one
    row, not every row after it. Without a text column each row is an error row naming the columns
    there are; with the text or id column named twice, each row is an error row saying so."""
    csv.field_size_limit(min(sys.maxsize, max(opts.max_doc_bytes, 131072)))
    lines = _CsvLines(f, opts.max_doc_bytes)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield InputRecord(f"{source}:1", None, f"invalid CSV header: {exc}", source=source, line=1)
        return
    kind = "TSV" if delimiter == "\t" else "CSV"
    twice = [c for c in dict.fromkeys((opts.text_field, opts.id_field)) if header.count(c) > 1]
    # Each row is a record: a header without the text column makes each an error row that names the
    # columns there are (as a JSON line without the field), one naming a column twice each an error row.
    ambiguous = f"{kind} header has column {twice[0]!r} more than once" if twice else None
    again: tuple[int, int] | None = None  # (first line, last line) read again after a rejected record
    rows_read = 0
    while True:
        lines.next_record()
        try:
            row = next(reader)
        except StopIteration:
            if not rows_read and opts.text_field not in header and opts.on_note is not None:
                opts.on_note(  # no row to carry the error: a header-only file with another text column
                    f"{source}: {kind} header has no column {opts.text_field!r} "
                    f"(its columns: {_text_field_choices(header)})"
                )
            return
        except csv.Error as exc:
            start, last = lines.taken[0][0], lines.taken[-1][0]
            msg = f"invalid CSV row: {exc}"
            if last > start:
                span = f"line {last} is" if last == start + 1 else f"lines {start + 1}-{last} are"
                msg += f" (a quoted field opened on this line runs to line {last}; {span} read again as rows)"
            lines.read_again_after_first()
            note = _again_note(again, start)
            if last > start and (again is None or last > again[1]):
                again = (start, last)
            yield InputRecord(f"{source}:{start}", None, msg, source=source, line=start, note=note)
            continue
        if not row:
            continue  # a blank line separates nothing and is no record
        start = lines.taken[0][0]
        note = _again_note(again, start)
        replaced = sum(t[2] for t in lines.taken)
        if any(t[3] for t in lines.taken):
            msg = _too_large("line", opts.max_doc_bytes)
            yield InputRecord(f"{source}:{start}", None, msg, source=source, line=start, note=note)
            continue
        if len(row) != len(header):
            msg = f"row has {len(row)} fields, header has {len(header)}"
            yield InputRecord(
                f"{source}:{start}", None, msg, source=source, line=start, replaced=replaced, note=note
            )
            continue
        rows_read += 1
        if ambiguous is not None:
            yield InputRecord(
                f"{source}:{start}", None, ambiguous, source=source, line=start, replaced=replaced, note=note
            )
            continue
        rec = _from_mapping(dict(zip(header, row, strict=True)), source, start, replaced, 0, opts)
        rec.note = note
        yield rec


# --- HTML ------------------------------------------------------------------------------------------

_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "head",
        "iframe",
        "object",
        "embed",
        "canvas",
        "select",
        "button",
        "nav",
        "footer",
        "aside",
        "form",
        "title",
    ]
)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_PARA = frozenset(
    [
        "p",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "dl",
        "table",
        "figure",
        "section",
        "article",
        "main",
        "address",
        "hr",
    ]
)
_LINE = frozenset(
    [
        "div",
        "li",
        "tr",
        "dt",
        "dd",
        "figcaption",
        "caption",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
    ]
)
_HEADING = {f"h{i}": i for i in range(1, 7)}
_WS = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Collects the visible text of a page, with paragraph breaks and markdown-style headings.

    Text inside ``<article>``/``<main>`` is collected separately; when there is enough of it, it is
    the main text and navigation, sidebars and footers elsewhere are left out.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.main: list[str] = []
        self._skip = 0
        self._skip_tag = ""
        self._in_main = 0
        self._pre = 0
        self.saw_h1 = False

    def _emit(self, s: str) -> None:
        self.out.append(s)
        if self._in_main:
            self.main.append(s)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in ("br", "hr") and not self._skip:
                self._emit("\n\n" if tag == "hr" else "\n")
            return
        if self._skip:
            self._skip += tag == self._skip_tag
            return
        if tag in _SKIP or (tag == "header" and not self._in_main):
            self._skip_tag, self._skip = tag, 1
            return
        if tag in ("article", "main"):
            self._in_main += 1
        if tag == "pre":
            self._pre += 1
        if tag in _HEADING:
            self.saw_h1 |= tag == "h1"
            self._emit("\n\n" + "#" * _HEADING[tag] + " ")
        elif tag in _PARA:
            self._emit("\n\n")
        elif tag in _LINE:
            self._emit("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self._skip:
            self._skip -= tag == self._skip_tag
            return
        if tag in _HEADING or tag in _PARA:
            self._emit("\n\n")
        elif tag in _LINE:
            self._emit("\n")
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag in ("article", "main") and self._in_main:
            self._in_main -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._emit(data if self._pre else _WS.sub(" ", data))


# The title tag sits in <head>, which is skipped; catch it with a regex instead.
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_BLANKS = re.compile(r"[ \t]*\n[ \t]*(?:\n[ \t]*)+")
_SPACES = re.compile(r"[ \t]+")


def _tidy(parts: Iterable[str]) -> str:
    text = "".join(parts)
    text = "\n".join(_SPACES.sub(" ", ln).strip() for ln in text.split("\n"))
    text = _BLANKS.sub("\n\n", text)
    return re.sub(r"^(#{1,6}) *\n+", "", text, flags=re.MULTILINE).strip()


def extract_html_text(html: str, *, extractor: str = "stdlib") -> str:
    """The main text of an HTML page; ``extractor="trafilatura"`` uses the optional dependency."""
    if extractor == "trafilatura":
        import trafilatura  # optional extra: pip install 'slopsift[html]'

        out = trafilatura.extract(
            html, include_comments=False, include_tables=False, output_format="markdown"
        )
        return str(out or "")
    p = _TextExtractor()
    try:
        p.feed(html)
        p.close()
    except AssertionError:  # very old/odd markup can trip the parser; keep what was collected
        pass
    main = _tidy(p.main)
    body = main if len(main.split()) >= 50 else _tidy(p.out)
    m = _TITLE.search(html[:200_000])
    if m and not p.saw_h1:
        title = _WS.sub(" ", _unescape(m.group(1))).strip()
        if title and body and not body.startswith(title):
            body = f"# {title}\n\n{body}"
    return body


def _unescape(s: str) -> str:
    import html as _html

    return _html.unescape(s)


# --- walking inputs ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A ``--glob`` pattern as a regex over a path relative to the walked directory, shell-style:
    ``*`` and ``?`` stay within one path segment, ``**/`` matches any number of directories
    (none included), ``[...]`` is a character class. A pattern without "/" is matched against the
    file name alone, at any depth."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            j = pattern.index("]", i + 2)
            body = pattern[i + 1 : j]
            neg = body[:1] == "!"
            body = (body[1:] if neg else body).replace("\\", "\\\\").replace("^", "\\^")
            out.append(("[^" if neg else "[") + body + "]")  # ranges ("a-z") kept
            i = j + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _walk(
    root: str, globs: Sequence[str], exclude: frozenset[tuple[int, int]] = frozenset()
) -> Iterator[tuple[str, str | None]]:
    """``(path, None)`` for matching files under ``root`` in sorted order, or ``(path, error)``.

    Hidden files and directories (``.git``, ``.cache``) are skipped. Symlinked directories are
    followed, like symlinked files, but a directory already walked (the same device and inode,
    reached again through a link or a link loop) is not walked again: its files get one row each,
    at the first place the sorted walk meets them. Special files are reported, not opened; the files
    in ``exclude`` (the output being written: read back, it would grow as it is read) are passed over.
    """
    errors: list[OSError] = []
    seen: set[tuple[int, int]] = set()
    with contextlib.suppress(OSError):
        st = os.stat(root)
        seen.add((st.st_dev, st.st_ino))
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=True):
        while errors:
            e = errors.pop(0)
            yield (e.filename or dirpath), _read_error(e)
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            try:
                st = os.stat(os.path.join(dirpath, d))
            except OSError:
                keep.append(d)  # os.walk reports why it cannot be listed
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            if globs:
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                if not any(_glob_regex(g).fullmatch(rel if "/" in g else name) for g in globs):
                    continue
            if not os.path.isfile(path):  # FIFO, socket, device, broken link: never opened (could block)
                yield path, "not a regular file"
                continue
            if exclude:
                with contextlib.suppress(OSError):
                    st = os.stat(path)
                    if (st.st_dev, st.st_ino) in exclude:
                        continue
            yield path, None
    for e in errors:
        yield (e.filename or root), _read_error(e)


def _fmt_for(path: str, opts: ReadOptions) -> str:
    if opts.input_format != "auto":
        return opts.input_format
    return detect_format(path)


def _read_path(path: str, opts: ReadOptions, fmt: str, text_else: bool = False) -> Iterator[InputRecord]:
    """The records of one file (``-``: standard input) in format ``fmt``; ``text_else``: see
    :func:`_read_json`."""
    if fmt in ("text", "html"):
        yield _read_whole(path, fmt, opts)
        return
    source = "<stdin>" if path == STDIN else path
    try:
        f = open_binary(path, opts)
    except READ_ERRORS as exc:
        yield InputRecord(source, None, _read_error(exc))
        return
    n = 0
    try:
        with f:
            f, _ = utf8_lines(f, cr_lines=fmt in ("csv", "tsv"))
            if fmt == "jsonl":
                recs = _read_jsonl(f, source, opts)
            elif fmt == "json":
                recs = _read_json(f, source, opts, text_else)
            else:
                recs = _read_csv(f, source, opts, "\t" if fmt == "tsv" else ",")
            for r in recs:
                n = r.line or n
                yield r
    except READ_ERRORS as exc:
        yield InputRecord(f"{source}:{n + 1}", None, _read_error(exc), source=source, line=n + 1)


_SNIFF_BYTES = 1 << 16
_SNIFF_LINES = 5


def _looks_like_jsonl(head: bytes, complete: bool) -> bool:
    """Whether a stream starting with ``head`` (its first bytes, decompressed; all of it when
    ``complete``) is JSON lines: its first non-blank line opens an object, and one of its first
    few complete non-blank lines is a JSON object (a bad line among them is then an error row),
    or the first line is an object too long to see whole (a BOM is consumed before: :func:`utf8_lines`)."""
    lines = head.split(b"\n")
    partial = b"" if complete else lines.pop()
    seen = 0
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not seen and not line.startswith(b"{"):
            return False
        if _is_object(line):
            return True
        seen += 1
        if seen == _SNIFF_LINES:
            return False
    return not seen and partial.lstrip().startswith(b'{"')


def _sniff_stdin(opts: ReadOptions) -> tuple[str, ReadOptions]:
    """Standard input in ``auto`` mode: read as a ``.json`` file is (:func:`_read_json`, whose
    text-else mode makes what is not JSON records one text) when, after gunzipping a gzip stream and
    past a UTF-8 BOM and white space, it opens with "{" or "["; else one text. Only its first bytes
    are read, as they arrive, until the first that decides (of a gzip stream: 64 KiB, or all of it),
    and they are given again to the reader: a pipe is read once, and not waited on. UTF-16/32 standard input
    (a wide BOM) is one text, as before: its text fallback would have to be decoded again from bytes
    already recoded; ``--input-format jsonl`` or ``json`` reads it as records, which a note says when
    it opens like JSON (its first character read for that)."""
    raw = _NoClose(opts.stdin if opts.stdin is not None else sys.stdin.buffer)
    got = bytearray()
    seen = False  # a byte that decides was read
    while len(got) < _SNIFF_BYTES and (chunk := _read1(raw, _SNIFF_BYTES - len(got))):
        got += chunk  # as it arrives, until the first byte that decides (a gzip stream: 64 KiB)
        seen = seen or bool(chunk.lstrip(_SNIFF_SKIP))
        wide = got[0] in (0xFF, 0xFE, 0x00) and _wide_start_unseen(bytes(got))
        if seen and len(got) >= 2 and got[:2] != _GZIP_MAGIC and not wide:
            break
    head = bytes(got)
    buf = io.BufferedReader(_Replay(head, raw), _SNIFF_BYTES)
    if head[:2] == _GZIP_MAGIC:
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, _SNIFF_BYTES)
        except zlib.error:
            head = b""
    json_like = head.lstrip(_SNIFF_SKIP)[:1] in (b"{", b"[")
    bom = _bom(head)
    if bom is not None and bom[0] in _WIDE and opts.on_note is not None:
        start = head[bom[1] :].decode(bom[0], errors="ignore").lstrip()
        if start[:1] == "{" or _ARRAY_OF_OBJECTS.match(start):
            opts.on_note(
                f"standard input is {bom[0].upper()[:6]} and opens like JSON: scored as one text "
                "(--input-format jsonl or json reads it as records)"
            )
    return ("json" if json_like else "text"), ReadOptions(**{**opts.__dict__, "stdin": buf})


_SNIFF_SKIP = codecs.BOM_UTF8 + b" \t\r\n"
"""The bytes passed over before the first that says whether standard input opens like JSON."""


def _wide_start_unseen(head: bytes) -> bool:
    """Whether ``head`` may open with a UTF-16/32 byte-order mark not yet followed by the character
    that says whether the text opens like JSON (for the note :func:`_sniff_stdin` gives): read on."""
    if len(head) < 4 and head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00")):
        return True  # (a UTF-32 mark is 4 bytes, the first two of UTF-32-LE's are UTF-16-LE's)
    bom = _bom(head)
    if bom is None or bom[0] not in _WIDE:
        return False
    unit = 2 if bom[0].startswith("utf-16") else 4
    body = head[bom[1] :]
    start = body[: len(body) - len(body) % unit].decode(bom[0], errors="ignore").strip()
    return not start or start == "["  # "[" alone: is it "[{" (records) or prose ("[citation needed]")?


_ARRAY_OF_OBJECTS = re.compile(r"\[\s*\{")


def iter_records(inputs: Sequence[str], opts: ReadOptions | None = None) -> Iterator[InputRecord]:
    """Every record of every input, in order. ``inputs`` empty or ``-`` means standard input."""
    opts = opts or ReadOptions()
    for item in inputs or [STDIN]:
        if item == STDIN:
            if opts.input_format == "auto":
                fmt, sopts = _sniff_stdin(opts)
                yield from _read_path(STDIN, sopts, fmt, text_else=True)
            else:
                yield from _read_path(STDIN, opts, opts.input_format)
        elif os.path.isdir(item):
            found = False
            for path, err in _walk(item, opts.globs, opts.exclude):
                found = True
                if err is not None:
                    yield InputRecord(path, None, err)
                else:
                    yield from _read_path(path, opts, _fmt_for(path, opts))
            if not found and opts.on_note is not None:
                opts.on_note(
                    f"{item}: no file to read in it (hidden files are skipped"
                    + ("; none matches --glob)" if opts.globs else ")")
                )
        elif not os.path.exists(item):
            yield InputRecord(item, None, "no such file or directory")
        else:
            yield from _read_path(item, opts, _fmt_for(item, opts))
