"""The weekly digest's one picture: each member's points this week beside last week's, drawn as
the other charts are (`bot.core.reporting.charts`: matplotlib's object API off the event loop,
Hangul fonts as the demos set them up)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.core.messages import Image
from bot.core.reporting.charts import (
    BAR_HEIGHT,
    PANEL_HEIGHT,
    PANEL_WIDTH,
    new_figure,
    short,
    to_image,
)
from bot.core.reporting.digest_figures import WeekDigest
from bot.core.texts import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def draw_digest(digest: WeekDigest) -> Figure:
    """One pair of bars per member, this week's above last week's, best first."""
    lang = digest.lang
    rows = digest.members
    figure = new_figure(PANEL_WIDTH * 1.5, max(PANEL_HEIGHT, 0.7 * len(rows) + 1.5))
    axes = figure.subplots()
    axes.set_title(text(lang, "chart_digest", start=digest.week.isoformat()))
    if not rows:
        axes.set_axis_off()
        axes.text(0.5, 0.5, text(lang, "chart_no_data"), ha="center", va="center")
        return figure
    positions = list(range(len(rows)))
    half = BAR_HEIGHT * 0.8
    this = axes.barh(
        [p - half / 2 for p in positions],
        [m.points for m in rows],
        height=half,
        label=text(lang, "chart_digest_this"),
    )
    last = axes.barh(
        [p + half / 2 for p in positions],
        [m.last_week for m in rows],
        height=half,
        label=text(lang, "chart_digest_last"),
        alpha=0.5,
    )
    axes.bar_label(this, padding=3)
    axes.bar_label(last, padding=3, fontsize="small")
    axes.set_yticks(positions, [short(m.name) for m in rows])
    axes.set_xlim(0, max(max(m.points, m.last_week) for m in rows) * 1.25 or 1)
    axes.invert_yaxis()
    axes.set_xlabel(text(lang, "chart_digest_axis"))
    axes.legend(loc="lower right")
    axes.grid(axis="x", alpha=0.3)
    return figure


def digest_alt(digest: WeekDigest) -> str:
    rows = ", ".join(f"{short(m.name)} {m.points}/{m.last_week}" for m in digest.members)
    return text(digest.lang, "chart_digest_alt", start=digest.week.isoformat(), rows=rows or "-")


def chart_name(digest: WeekDigest) -> str:
    """The chart's file name, its week in it: a channel holds one file of that name, which a
    replica finishing a digest looks for (`Transport.find_question`)."""
    return f"digest-{digest.week.isoformat()}.png"


async def digest_image(digest: WeekDigest) -> Image:
    return await asyncio.to_thread(
        lambda: to_image(draw_digest(digest), chart_name(digest), digest_alt(digest))
    )
