"""Plot details shared by several demos that `_figures` does not cover: log axes, the panel style.

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


def style_panels(
    *axes: Axes, xlabel: str | None = None, ylabel: str | None = None, legend: bool = True
) -> None:
    """The demos' panel style: a light grid and, unless `legend` is False, a small legend (a
    panel that already has a legend of its own keeps it). `xlabel` and `ylabel` label every
    panel given, for panels that share an axis."""
    for ax in axes:
        if xlabel is not None:
            ax.set_xlabel(xlabel)
        if ylabel is not None:
            ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if legend and ax.get_legend() is None:
            ax.legend(fontsize=8)
