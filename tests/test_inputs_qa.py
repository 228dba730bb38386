"""Input-side defects from the s28 QA pass: each test pins the fixed behaviour exactly.

Symlinked directories (M1), ``.json`` files (M2), HTML charsets (M3), CSV resynchronisation after a
bad quote (M5), CR line endings (L3), UTF-16/32 with a BOM (L4), and the two reporting details of
L11 (``--strict-utf8`` rows carry no replacement warning; an oversized JSONL line keeps its id).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from slopsift.inputs import InputRecord, ReadOptions, iter_records


def rows(*inputs: Path | str, **opts: object) -> list[InputRecord]:
    return list(iter_records([str(p) for p in inputs], ReadOptions(**opts)))  # type: ignore[arg-type]


def ids_errors(recs: list[InputRecord]) -> list[tuple[str | int, str | None]]:
    return [(r.id, r.error) for r in recs]


# --- M1: symlinked directories ------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_directories_are_followed_once(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("outside text", encoding="utf-8")
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "own.txt").write_text("own text", encoding="utf-8")
    (root / "sub" / "s.txt").write_text("sub text", encoding="utf-8")
    (root / "linked").symlink_to(outside, target_is_directory=True)  # followed: its file is scored
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)  # a loop: not walked again
    (root / "z_again").symlink_to(root / "sub", target_is_directory=True)  # walked already as sub/
    recs = rows(root)
    assert ids_errors(recs) == [
        (f"{root}/own.txt", None),  # a directory's files come before its sub-directories
        (f"{root}/linked/x.txt", None),
        (f"{root}/sub/s.txt", None),
    ]
    assert [r.text for r in recs] == ["own text", "outside text", "sub text"]
