"""Replacing a file so that a failure never leaves half of it."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "written_through"]

_PROC = Path("/proc")

_MAX_HOPS = 40
"""Links followed before giving up (Linux's own limit)."""

_SPECIAL = frozenset({stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK})


def written_through(path: Path) -> bool:
    """Whether ``path`` must be written as it is rather than replaced: it is (or links to) a device, a
    pipe or a socket, or it lies or links, through any chain of links, into ``/proc``
    (``/dev/stdout`` links to ``/proc/self/fd/1``, ``/dev/fd`` to ``/proc/self/fd``), where a rename
    would replace the link or the node itself. A regular file is replaced wherever it is, under
    ``/dev/shm`` too."""
    with contextlib.suppress(OSError):
        if stat.S_IFMT(os.stat(path).st_mode) in _SPECIAL:
            return True
    hop = path.absolute()
    for _ in range(_MAX_HOPS):  # every link of a chain (a link to /dev/stdout is two hops from /proc)
        if _in_proc(hop.parent.resolve()):
            return True
        if not hop.is_symlink():
            return False
        hop = hop.parent / os.readlink(hop)
    return True  # a loop, or a chain no system resolves: never rename over it


def _in_proc(path: Path) -> bool:
    return path == _PROC or _PROC in path.parents


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
