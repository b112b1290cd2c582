"""Files the grader keeps on disk (calibrations, reference embeddings, word rarity counts)
written whole: beside their place, then renamed over it, so a reader never sees half a file,
whichever of two processes fitting or counting the same thing at once finishes last.

A file that grows from work worth not doing twice (the reference embeddings: minutes of encoding
on two cores) is also made by one process at a time (`one_maker_at_a_time`): replicas started
together on one cache dir, or a test run's workers, wait for the first one's file and read it,
instead of encoding the same texts side by side and writing over each other's rows."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger("quizmaster.evaluators")


@contextmanager
def replacing(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A path beside `path` to write (ending in `suffix`), renamed over `path` when the block
    ends without an error. `path`'s folder is made if it is missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}{suffix}")
    yield partial
    os.replace(partial, path)


@contextmanager
def one_maker_at_a_time(path: Path) -> Iterator[None]:
    """The block runs while no other process runs it for `path` (a lock file beside it, released
    when the block ends or its process dies); a wait is said once in the log. Where the lock file
    cannot be made (a read-only cache dir) the block runs at once: nothing it writes there lasts."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = path.with_name(f".{path.name}.lock").open("a")
    except OSError:
        yield
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("waiting for another process to finish %s", path)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield
