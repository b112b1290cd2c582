"""Files and folders that failed their check (a vector file, the derived torch model) are moved
aside for the operator to look at, not deleted and not read again, before they are made anew."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path


def set_aside(path: Path) -> str:
    """Move `path` out of the way, to `<name>.corrupt-<UTC time>` beside it, or remove it where it
    cannot be moved; what was done, for the one warning. Raises OSError when neither works."""
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
