"""Replacing a file so that a failure never leaves half of it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing"]


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield where to write ``path``'s new content: a temporary file beside it, renamed over ``path``
    when the block succeeds and deleted when it fails, so a failure leaves any old file whole.

    A symlink or a special file (``/dev/stdout`` is a symlink to the process's standard output; a
    pipe, a device) is yielded as it is and written through: a rename would replace the link or the
    device node itself.
    """
    if path.is_symlink() or (path.exists() and not path.is_file()):
        yield path
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
