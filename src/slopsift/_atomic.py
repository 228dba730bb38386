"""Replacing a file so that a failure never leaves half of it."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "written_through"]

_SYSTEM = ("/dev/", "/proc/")


def written_through(path: Path) -> bool:
    """Whether ``path`` must be written as it is rather than replaced: a device or a pipe, anything under
    ``/dev`` or ``/proc``, or a link into them (``/dev/stdout`` links to ``/proc/self/fd/1``, and a
    rename would replace the link or the device node itself)."""
    if path.exists() and not path.is_file():
        return True
    names = [str(path.absolute()), str(path.absolute().parent.resolve()) + "/"]
    if path.is_symlink():
        names.append(os.readlink(path))
    return any(n.startswith(_SYSTEM) for n in names)


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield where to write ``path``'s new content: a temporary file beside it, renamed over ``path``
    when the block succeeds (keeping the old file's permissions) and deleted when it fails, so a failure
    leaves any old file whole. A link to a regular file has its target replaced and stays a link;
    :func:`written_through` paths are yielded as they are."""
    if written_through(path):
        yield path
        return
    target = path.resolve() if path.is_symlink() else path
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        if target.exists():
            shutil.copymode(target, tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
