"""Helpers shared by the evaluation scripts that write Markdown reports."""

from __future__ import annotations

from pathlib import Path


def splice_generated(path: Path, block: str, begin: str, end: str, fresh: str) -> None:
    """Write ``block`` over the part of ``path`` from marker ``begin`` through marker ``end``.

    Hand-written text around the markers survives a rerun. When ``path`` is missing or lacks either
    marker, it is written as ``fresh`` (its folder created).
    """
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if begin in old and end in old:
            head, rest = old.split(begin, 1)
            tail = rest.split(end, 1)[1]
            path.write_text(head + block + tail, encoding="utf-8")
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fresh, encoding="utf-8")
