"""Output of ``slopsift score``: JSONL, CSV and terminal table writers, the progress bar, colours."""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = [
    "FORMULA_PREFIXES",
    "CsvWriter",
    "JsonlWriter",
    "Progress",
    "Summary",
    "TableWriter",
    "csv_safe",
    "format_of_name",
    "gzipped_name",
    "one_line",
    "open_output",
    "use_colour",
    "visible",
    "write_file",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet treats a cell starting with one of these as a formula (CSV injection)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def csv_safe(value: Any) -> Any:
    """Prefix ``'`` to a string cell a spreadsheet would evaluate as a formula; other values as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _escaped(m: re.Match[str]) -> str:
    c = m.group()
    return f"\\x{ord(c):02x}" if c <= "\xff" else f"\\u{ord(c):04x}"


def visible(s: str) -> str:
    """``s`` with control characters (terminal escape sequences included) shown as ``\\xNN``."""
    return _CONTROL.sub(_escaped, s)


def one_line(s: str) -> str:
    """``s`` on one line: every control character (C0 with tab and newline, DEL, C1), the line
    and paragraph separators U+2028/2029 and the bidirectional embeddings, overrides and isolates
    (U+202A-202E, U+2066-2069: unterminated, they turn the rest of the row around) shown as
    ``\\xNN``/``\\uNNNN``, so one record is one row, drawn in order; a lone surrogate (from a JSON
    escape) too, as standard output would print it, so the table counts the columns it takes."""
    return _BREAKING.sub(_escaped, s)


def use_colour(stream: IO[str], mode: str = "auto") -> bool:
    """``always``/``never``, or ``auto``: a terminal, ``NO_COLOR`` unset, ``TERM`` not ``dumb``."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM", "") != "dumb"


@dataclass
class Summary:
    scored: int = 0
    flagged: int = 0
    errors: int = 0
    replaced: int = 0

    def line(self, *, interrupted: bool = False) -> str:
        s = f"scored {self.scored}, flagged {self.flagged}, errors {self.errors}"
        if self.replaced:
            s += f" ({self.replaced} with invalid UTF-8 replaced)"
        return s + (" - interrupted, output so far is complete" if interrupted else "")


COLUMNS = ("id", "source", "line", "quality", "flagged", "label", "reasons", "error", "warning")


GZIP_LEVEL = 6
"""gzip's own default: most of level 9's ratio at a fraction of its time."""


def gzipped_name(path: str | Path) -> bool:
    """Whether an output named ``path`` is written gzip-compressed: its name ends in ``.gz``."""
    return str(path).lower().endswith(".gz")


def format_of_name(path: str) -> str:
    """The output format a file name asks for, looking through ``.gz``: ``csv`` for ``x.csv`` and
    ``x.csv.gz``, else ``jsonl``."""
    name = path.lower()
    return "csv" if name.removesuffix(".gz").endswith(".csv") else "jsonl"


def open_output(path: str) -> IO[str]:
    """``path`` opened for writing UTF-8 text (lone surrogates written as ``\\udXXX``), through gzip
    when :func:`gzipped_name`. A flush of the gzip stream is a sync flush, so every flushed record can
    be decompressed even before the stream is closed; closing writes gzip's trailer."""
    if gzipped_name(path):
        return gzip.open(
            path, "wt", compresslevel=GZIP_LEVEL, encoding="utf-8", errors="backslashreplace", newline=""
        )
    return open(path, "w", encoding="utf-8", errors="backslashreplace", newline="")


def write_file(path: Path, text: str, *, name: str | Path) -> None:
    """Write ``text`` (UTF-8) to ``path``, gzip-compressed when the output's ``name`` (which ``path``
    may stand in for, a temporary file) is :func:`gzipped_name`; its gzip header names ``name``."""
    data = text.encode("utf-8", errors="backslashreplace")
    with path.open("wb") as f:
        if gzipped_name(name):
            with gzip.GzipFile(
                filename=Path(name).name, mode="wb", fileobj=f, compresslevel=GZIP_LEVEL
            ) as gz:
                gz.write(data)
        else:
            f.write(data)


class JsonlWriter:
    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, rec: dict[str, Any]) -> None:
        self.out.write(json.dumps(rec, ensure_ascii=False, allow_nan=False) + "\n")

    def close(self) -> None:
        self.out.flush()


class CsvWriter:
    """One row per record; ``reasons`` joined with ``;``; ``--explain`` details as a JSON column."""

    def __init__(self, out: IO[str], *, detail: bool = False) -> None:
        self.out = out
        self.detail = detail
        self.w = csv.writer(out)  # RFC 4180: CRLF rows; fields holding \r or \n are quoted
        self.w.writerow([*COLUMNS, *(("details",) if detail else ())])

    def write(self, rec: dict[str, Any]) -> None:
        row: list[Any] = []
        for c in COLUMNS:
            v = rec.get(c)
            if c == "reasons":
                v = ";".join(v or [])
            elif v is None:
                v = ""
            elif isinstance(v, bool):
                v = "true" if v else "false"
            row.append(csv_safe(v if isinstance(v, int | float) else str(v)))
        if self.detail:
            extra = {
                k: rec[k] for k in ("threshold", "model_version", "reason_details", "signals") if k in rec
            }
            row.append(csv_safe(json.dumps(extra, ensure_ascii=False)) if extra else "")
        self.w.writerow(row)

    def close(self) -> None:
        self.out.flush()


_RED, _YELLOW, _DIM, _BOLD, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[1m", "\x1b[0m"
_ZERO_WIDTH_CATEGORIES = frozenset(("Mn", "Me", "Cf"))


def _columns(c: str) -> int:
    """Terminal columns of one character: 2 for East Asian wide/full-width, 0 for a mark that combines
    with the character before it (combining class or not: U+0E31, variation selectors, enclosing marks),
    a zero-width format character (U+200B, ZWJ, U+FEFF, bidi marks; the soft hyphen shows, as one) and
    a Hangul medial vowel or final consonant (joined to the syllable's first jamo)."""
    if unicodedata.combining(c) or unicodedata.category(c) in _ZERO_WIDTH_CATEGORIES:
        return 0 if c != "\xad" else 1
    if "\u1160" <= c <= "\u11ff" or "\ud7b0" <= c <= "\ud7ff":
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def _fit(s: str, width: int, *, left: bool = False) -> str:
    """Pad or cut ``s`` to ``width`` terminal columns (``left``: keep the end, for paths)."""
    used = sum(map(_columns, s))
    if used <= width:
        return s + " " * (width - used)
    budget = width - 1 if width > 1 else width  # room for the "…"
    kept: list[str] = []
    for c in reversed(s) if left else s:
        w = _columns(c)
        if w > budget:
            break
        budget -= w
        kept.append(c)
    part = "".join(reversed(kept)) if left else "".join(kept)
    if width <= 1:
        return part + " " * budget
    # A wide character that did not fit leaves a column: padded, so the next column stays aligned.
    return ("…" + part + " " * budget) if left else (part + "…" + " " * budget)


_LABEL_W = len("unsupported_language")
"""The table's label column: the longest label, so that every label shows as the JSONL and CSV give it."""


class TableWriter:
    """A readable, streamed table for a terminal: quality, label, document, reasons."""

    def __init__(self, out: IO[str], *, colour: bool = False, width: int | None = None) -> None:
        self.out = out
        self.colour = colour
        self.width = max(60, width or shutil.get_terminal_size((100, 24)).columns)
        rest = self.width - 8 - (_LABEL_W + 1) - 1
        self.id_w = max(16, rest // 2)
        self.reason_w = max(10, rest - self.id_w)
        head = f"{'quality':<8}{'label':<{_LABEL_W}} {_fit('document', self.id_w)} reasons"
        self.out.write((f"{_BOLD}{head}{_RESET}" if colour else head) + "\n")

    def write(self, rec: dict[str, Any]) -> None:
        q = rec.get("quality")
        label = str(rec.get("label", ""))
        ident = one_line(str(rec.get("id", "")))
        if rec.get("error"):
            detail, col = "error: " + one_line(str(rec["error"])), _YELLOW
        else:
            detail = ", ".join(rec.get("reasons") or []) or "-"
            col = _RED if rec.get("flagged") else ""
        qs = f"{q:.3f}" if isinstance(q, float) else "-"
        doc = _fit(ident, self.id_w, left=True)
        line = f"{qs:<8}{_fit(label, _LABEL_W)} {doc} {_fit(detail, self.reason_w).rstrip()}"
        if self.colour and col:
            line = f"{col}{line}{_RESET}"
        self.out.write(line + "\n")

    def close(self) -> None:
        self.out.flush()


class Progress:
    """A one-line progress display on stderr (only when enabled: a terminal and not ``--quiet``)."""

    def __init__(
        self, enabled: bool, *, total_bytes: int | None = None, stream: IO[str] | None = None
    ) -> None:
        self.enabled = enabled
        self.total = total_bytes if total_bytes else None
        self.stream = stream if stream is not None else sys.stderr
        self.bytes = 0
        self.t0 = time.monotonic()
        self._last = 0.0
        self._shown = False

    def add_bytes(self, n: int) -> None:
        self.bytes += n

    def update(self, s: Summary, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        done = s.scored + s.errors
        rate = done / max(1e-9, now - self.t0)
        stats = f"{done:,} docs  {rate:,.0f}/s  flagged {s.flagged:,}  errors {s.errors:,}"
        if self.total:
            frac = min(1.0, self.bytes / self.total)
            bar = "#" * int(frac * 24)
            text = f"[{bar:<24}] {frac * 100:3.0f}%  {stats}"
        else:
            text = stats
        cols = shutil.get_terminal_size((100, 24)).columns
        self.stream.write("\r" + text[: max(10, cols - 1)] + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the progress line (before output goes to the same terminal)."""
        if self.enabled and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def close(self) -> None:
        self.clear()
