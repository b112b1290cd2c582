"""Matplotlib set-up shared by every demo: headless backend, a Korean-capable font, PNG bytes."""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

log = logging.getLogger("quizmaster.compute")


def _use_korean_font() -> None:
    """koreanize-matplotlib registers NanumGothic; without it Hangul renders as boxes."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import koreanize_matplotlib  # noqa: F401
    except ImportError:
        log.warning("koreanize-matplotlib missing: Korean labels may not render")
    plt.rcParams["axes.unicode_minus"] = False


_use_korean_font()


def new_figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 6.0, height: float = 4.0
) -> Figure:
    """A figure sized per panel, with a constrained layout so labels never overlap."""
    fig = plt.figure(figsize=(width * ncols, height * nrows), dpi=100, layout="constrained")
    fig.subplots(nrows, ncols, squeeze=False)
    return fig


def to_png(fig: Figure) -> bytes:
    """Render and close the figure (closing matters in a long-running worker)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
