"""Files the grader keeps on disk (calibrations, reference embeddings, word rarity counts, the
derived torch model) written whole: beside their place, then renamed over it, so a reader never
sees half a file, whichever of two processes fitting or counting the same thing at once finishes
last; and one that failed its check moved aside, for the operator to look at, before it is made
again."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


@contextmanager
def replacing(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A path beside `path` to write (ending in `suffix`), renamed over `path` when the block
    ends without an error. `path`'s folder is made if it is missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}{suffix}")
    yield partial
    os.replace(partial, path)


def set_aside(path: Path) -> str:
    """Move a file or folder that failed its check out of the way, to `<name>.corrupt-<UTC
    time>` beside it, or remove it where it cannot be moved; what was done, for the warning.
    Raises OSError when neither works."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, aside)
        return f"moved to {aside.name}"
    except FileNotFoundError:
        return "gone already"
    except OSError:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        return "removed"
