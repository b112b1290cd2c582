"""Matplotlib as every quizmaster picture needs it: the headless Agg backend and a font with Hangul.

The compute demos and the bot's stats charts both call `setup_plotting` before they draw, so a
Korean label renders the same in a demo figure and in a leaderboard. It sits on the ground floor
that both stand on (`content`, with the texts those labels come from): the platform-free core
imports nothing of `compute`, and `compute` nothing of the bot.
"""

from __future__ import annotations

import logging
import warnings
from functools import cache

import matplotlib

log = logging.getLogger("quizmaster.compute")


@cache
def setup_plotting() -> None:
    """Once per process: Agg (no display needed, safe in workers) and koreanize-matplotlib's
    NanumGothic, without which Hangul renders as boxes."""
    matplotlib.use("Agg")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import koreanize_matplotlib  # noqa: F401  (registers the font on import)
    except ImportError:
        log.warning("koreanize-matplotlib missing: Korean labels may not render")
    matplotlib.rcParams["axes.unicode_minus"] = False
