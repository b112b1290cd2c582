"""Files and folders that failed their check (a vector file, a calibration or word rarity cache,
the derived torch model) are moved aside for the operator to look at, not read again, before they
are made anew. Only the newest set-aside copy of each name is kept: a derived model's is 470 MB,
and a file damaged at every start would otherwise fill the disk."""

from __future__ import annotations

import glob
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

MARK = ".corrupt-"
"""Between a set-aside copy's name and the UTC time it was set aside."""


def set_aside(path: Path) -> str:
    """Move `path` out of the way, to `<name>.corrupt-<UTC time>` beside it, or remove it where it
    cannot be moved, and delete the copies set aside before; what was done, for the one warning.
    Raises OSError when neither works."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = path.with_name(f"{path.name}{MARK}{stamp}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return "gone already"
    except OSError:
        _remove(path)
        return "removed"
    dropped = drop_older_copies(path, aside)
    return f"moved to {aside.name}" + (f" ({dropped} older copies deleted)" if dropped else "")


def set_aside_or_leave(path: Path) -> str:
    """As `set_aside`, never raising: what was done, or why the file is left in place (it is
    then written over)."""
    try:
        return set_aside(path)
    except OSError as exc:
        return f"left in place ({exc})"


def drop_older_copies(path: Path, kept: Path) -> int:
    """Deletes every set-aside copy of `path` but `kept`; how many. One that cannot be deleted
    is left (the next set-aside tries again)."""
    dropped = 0
    for older in path.parent.glob(f"{glob.escape(path.name)}{MARK}*"):
        if older == kept:
            continue
        try:
            _remove(older)
        except OSError:
            continue
        dropped += 1
    return dropped


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
