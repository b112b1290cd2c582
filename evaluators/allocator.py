"""Ask glibc to hand freed memory back to the system at once.

Each forward pass of the model allocates and frees a few hundred MB of activations, in whichever
worker thread ran the batch. By default glibc keeps the top of each heap for reuse and gives every
thread its own arena, so a burst of answers left the bot holding that memory per thread. The
heap is trimmed on every free and kept to two arenas (`quizmaster bench grading` and `quizmaster
bench memory` measure the effect). Other C libraries are left as they are.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

logger = logging.getLogger("quizmaster.evaluators")

_M_TRIM_THRESHOLD = -1
_M_ARENA_MAX = -8
_ARENAS = 2

_applied = False


def trim_freed_memory() -> bool:
    """Set the two glibc options once per process; False where they do not apply."""
    global _applied  # noqa: PLW0603 - a process-wide allocator setting, applied once
    if _applied:
        return True
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _applied = bool(mallopt(_M_TRIM_THRESHOLD, 0)) and bool(mallopt(_M_ARENA_MAX, _ARENAS))
    if not _applied:
        logger.debug("mallopt refused the trim and arena options; allocator left as it is")
    return _applied
