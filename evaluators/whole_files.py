"""Files the grader keeps on disk (calibrations, reference embeddings, word rarity counts)
written whole: beside their place, then renamed over it, so a reader never sees half a file,
whichever of two processes fitting or counting the same thing at once finishes last."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A path beside `path` to write (ending in `suffix`), renamed over `path` when the block
    ends without an error. `path`'s folder is made if it is missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}{suffix}")
    yield partial
    os.replace(partial, path)
