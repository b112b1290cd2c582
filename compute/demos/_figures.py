"""Figures shared by every demo: sized panels, PNG bytes, and a clock for the rendering, so the
demo benchmark can tell drawing time from training time. Importing it sets plotting up
(`content.plotting`), so a worker that preloads it draws Hangul from its first figure."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from content.plotting import setup_plotting

setup_plotting()


@dataclass
class RenderClock:
    """Seconds from each `new_figure` to its `to_png` (plotting calls, layout, drawing, PNG
    encoding), summed. Demos train first and then draw, one figure at a time, so these spans
    hold no training."""

    seconds: float = 0.0
    opened: dict[int, float] = field(default_factory=dict)


_clock: ContextVar[RenderClock | None] = ContextVar("quizmaster_render_clock", default=None)


@contextmanager
def render_clock() -> Iterator[RenderClock]:
    """Times every figure rendered inside the block (in this thread or task)."""
    clock = RenderClock()
    token = _clock.set(clock)
    try:
        yield clock
    finally:
        _clock.reset(token)


def new_figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 6.0, height: float = 4.0
) -> Figure:
    """A figure sized per panel, with a constrained layout so labels never overlap."""
    start = time.perf_counter()
    fig = plt.figure(figsize=(width * ncols, height * nrows), dpi=100, layout="constrained")
    fig.subplots(nrows, ncols, squeeze=False)
    clock = _clock.get()
    if clock is not None:
        clock.opened[id(fig)] = start
    return fig


def to_png(fig: Figure) -> bytes:
    """Render and close the figure (closing matters in a long-running worker)."""
    start = time.perf_counter()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    clock = _clock.get()
    if clock is not None:
        clock.seconds += time.perf_counter() - clock.opened.pop(id(fig), start)
    return buffer.getvalue()
