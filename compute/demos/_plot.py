"""Plot details shared by several demos that `_figures` does not cover.

Matplotlib labels log axes with mathtext (``10^{-1}``), whose minus sign is U+2212; the Korean
font has no such glyph, so those labels render a box. Plain decimal tick labels avoid mathtext.
"""

from __future__ import annotations

from typing import Literal

from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, NullFormatter


def _plain(value: float, _position: float | None) -> str:
    return f"{value:g}"


def log_scale(ax: Axes, axis: Literal["x", "y"] = "y", linthresh: float | None = None) -> None:
    """Log scale on `axis`, or symlog when `linthresh` is given (so that 0 can be shown).

    Decade ticks are written as plain numbers (0.01, 1, 100).
    """
    scale = "log" if linthresh is None else "symlog"
    extra = {} if linthresh is None else {"linthresh": linthresh}
    target = ax.yaxis if axis == "y" else ax.xaxis
    if axis == "y":
        ax.set_yscale(scale, **extra)
    else:
        ax.set_xscale(scale, **extra)
    target.set_major_formatter(FuncFormatter(_plain))
    target.set_minor_formatter(NullFormatter())
