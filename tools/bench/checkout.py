"""The checkout the bench runs from, for the child processes it starts.

The bench is not installed with the bot, so a child started as `python -m tools.bench.burst`
finds it only if the checkout that holds `tools/bench/` (and `bot/` beside it) is on its
`PYTHONPATH`; putting it first also makes the children run this tree's code rather than whatever
else is installed.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def python_path() -> str:
    """`PYTHONPATH` for a child: this checkout first, then the caller's own entries."""
    return os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
