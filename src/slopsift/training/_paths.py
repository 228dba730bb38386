"""Output paths of the training tools: checked before the work starts, written without loss.

Training takes minutes; a typo in ``--out`` must fail in the first second, not after the fit, and must
never overwrite the data the command reads.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from slopsift._atomic import written_through

__all__ = ["OutputWriteError", "check_output_path"]


class OutputWriteError(RuntimeError):
    """Writing an output failed (disk full, permissions, ...): the command's work is not saved."""


def check_output_path(
    out: str | Path, what: str, *, inputs: Sequence[Path] = (), special_ok: bool = False
) -> None:
    """Raise ``ValueError`` unless ``out`` names a file that can be created or replaced and is none
    of ``inputs``; a link, a device or a pipe (``/dev/stdout``) only with ``special_ok``. ``what`` names the
    output in the message (``"--out"``, ``"its metadata file"``)."""
    if not str(out).strip():  # before Path(), which reads "" as "."
        raise ValueError(f"{what} is empty: name a file")
    out = Path(out)
    if out.is_dir():
        raise ValueError(f"{what} {out} is a directory: name a file inside it")
    if not special_ok and (out.is_symlink() or written_through(out)):
        raise ValueError(f"{what} {out} is a link or a special file: name the regular file to write")
    resolved = out.resolve()
    for p in inputs:
        if p.exists() and p.resolve() == resolved:
            raise ValueError(f"{what} {out} is the input {p}: writing it would destroy the data")
    parent = out.parent
    while not parent.exists():  # created on writing: the nearest existing ancestor must allow it
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"{what} {out}: {parent} is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ValueError(f"{what} {out}: permission denied")
