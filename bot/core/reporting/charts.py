"""The pictures attached to `/quiz stats` and `/quiz leaderboard`; the text replies stay complete
without them (screen readers, the console).

Figures are built with matplotlib's object API, not pyplot: they are rendered in worker threads
(`asyncio.to_thread`, off the event loop) and pyplot's global figure registry is not thread-safe.
Plotting is set up as for the compute demos (`content.plotting`), so Hangul renders.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.core.member_text import cut
from bot.core.messages import Image
from bot.core.quiz.mastery import TopicMastery, named_percent, named_seen, percent
from bot.core.texts import text
from content.schema import Lang

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PANEL_WIDTH = 6.0
PANEL_HEIGHT = 4.0
BAR_HEIGHT = 0.45
DPI = 100
NAME_CHARS = 32
MAX_DAY_LABELS = 8
MAX_POINT_LABELS = 14
ROW_INCHES = 0.3


@dataclass(frozen=True)
class StatsChart:
    """A member's progress: channel score per answered day, streak, and mastery per topic
    (None: another member's stats, whose practice-based mastery is private)."""

    lang: Lang
    name: str
    days: tuple[date, ...]
    totals: tuple[int, ...]
    streak: int
    mastery: tuple[TopicMastery, ...] | None

    @property
    def best_day(self) -> tuple[date, int] | None:
        """The day with the highest total (the earliest of equals), or None without days."""
        if not self.days:
            return None
        best = max(range(len(self.days)), key=lambda index: (self.totals[index], -index))
        return self.days[best], self.totals[best]


@dataclass(frozen=True)
class BoardChart:
    """The leaderboard rows as drawn: (name, total points), best first, and each member's mastery
    from channel answers, as shown ('54%', 'not started')."""

    lang: Lang
    period: str
    rows: tuple[tuple[str, int], ...]
    mastery: tuple[str, ...]


def _empty(axes: Axes, lang: Lang) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, text(lang, "chart_no_data"), ha="center", va="center")


def _history(axes: Axes, chart: StatsChart) -> None:
    """Score per day, every point labelled with its total while they fit, the best day marked;
    a single day sits in the middle rather than on the frame's edge."""
    best = chart.best_day
    title = text(chart.lang, "chart_scores", name=short(chart.name), streak=chart.streak)
    if best is None:
        axes.set_title(title)
        _empty(axes, chart.lang)
        return
    day, total = best
    axes.set_title(
        title + text(chart.lang, "chart_best_day", day=day.strftime("%m-%d"), total=total)
    )
    positions = list(range(len(chart.days)))
    axes.plot(positions, chart.totals, marker="o")
    labelled = positions if len(positions) <= MAX_POINT_LABELS else []
    best_at = chart.days.index(day)
    for index in sorted({*labelled, best_at}):
        axes.annotate(
            str(chart.totals[index]),
            (index, chart.totals[index]),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontweight="bold" if index == best_at else "normal",
        )
    every = -(-len(positions) // MAX_DAY_LABELS)
    axes.set_xticks(positions[::every], [day.strftime("%m-%d") for day in chart.days[::every]])
    axes.set_xlim(*((-0.5, len(positions) - 0.5) if len(positions) > 1 else (-1, 1)))
    axes.set_ylabel(text(chart.lang, "chart_day_total"))
    axes.set_ylim(0, max(chart.totals) * 1.2 or 1)
    axes.grid(alpha=0.3)


def _mastery(axes: Axes, chart: StatsChart, rows: tuple[TopicMastery, ...]) -> None:
    """One row per graded topic, labelled with cards seen of the topic's questions: a bar for
    each started topic, the words 'not started' for the rest."""
    axes.set_title(text(chart.lang, "chart_mastery"), fontsize="medium")
    labels = [named_seen(row, chart.lang) for row in rows]
    widths = [(row.value or 0.0) * 100 for row in rows]
    bars = axes.barh(labels, widths, height=BAR_HEIGHT)
    axes.bar_label(bars, labels=[percent(row, chart.lang) for row in rows], padding=3)
    for bar, row in zip(bars, rows, strict=True):
        if not row.started:
            bar.set_visible(False)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("%")
    axes.grid(axis="x", alpha=0.3)


def new_figure(width: float, height: float) -> Figure:
    """A new figure; matplotlib is imported with the first chart rather than at start, which
    keeps it (30 MB) out of a bot that never draws one, the console's included."""
    from matplotlib.figure import Figure

    from content.plotting import setup_plotting

    setup_plotting()
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def draw_stats(chart: StatsChart) -> Figure:
    """Left: score per day, with the streak and the best day in the title. Right (own stats
    only): mastery per graded topic, as defined in `bot.core.quiz.mastery`."""
    if chart.mastery is None:
        figure = new_figure(PANEL_WIDTH, PANEL_HEIGHT)
        _history(figure.subplots(), chart)
        return figure
    height = max(PANEL_HEIGHT, ROW_INCHES * len(chart.mastery) + 1.5)
    figure = new_figure(PANEL_WIDTH * 2, height)
    history, mastery = figure.subplots(1, 2, squeeze=True)
    _history(history, chart)
    _mastery(mastery, chart, chart.mastery)
    return figure


def short(name: str) -> str:
    """A member name as a chart shows it: display names can be thousands of characters."""
    return cut(name, NAME_CHARS)


def draw_board(chart: BoardChart) -> Figure:
    """One horizontal bar per member, best at the top."""
    height = max(PANEL_HEIGHT, 0.5 * len(chart.rows) + 1.5)
    figure = new_figure(PANEL_WIDTH * 1.5, height)
    axes = figure.subplots()
    axes.set_title(text(chart.lang, "chart_board", period=chart.period))
    if chart.rows:
        names = [f"{rank}. {short(name)}" for rank, (name, _) in enumerate(chart.rows, start=1)]
        totals = [total for _, total in chart.rows]
        bars = axes.barh(names, totals, height=BAR_HEIGHT)
        labels = [
            text(chart.lang, "chart_board_bar", total=total, mastery=mastery)
            for total, mastery in zip(totals, chart.mastery, strict=True)
        ]
        axes.bar_label(bars, labels=labels, padding=3)
        axes.set_xlim(0, max(totals) * 1.35 or 1)
        axes.invert_yaxis()
        axes.set_xlabel(text(chart.lang, "chart_board_axis"))
        axes.grid(axis="x", alpha=0.3)
    else:
        _empty(axes, chart.lang)
    return figure


def stats_alt(chart: StatsChart) -> str:
    recent = ", ".join(
        f"{day.isoformat()} {total}"
        for day, total in zip(chart.days[-7:], chart.totals[-7:], strict=True)
    )
    alt = text(
        chart.lang, "chart_stats_alt", name=short(chart.name), streak=chart.streak, days=recent
    )
    if chart.mastery is None:
        return alt
    return alt + text(chart.lang, "chart_stats_alt_mastery", topics=mastery_items(chart))


def mastery_items(chart: StatsChart) -> str:
    """The started topics with their mastery, then how many are not started."""
    rows = chart.mastery or ()
    started = [named_percent(row, chart.lang) for row in rows if row.started]
    waiting = sum(1 for row in rows if not row.started)
    if waiting:
        started.append(text(chart.lang, "mastery_waiting", count=waiting, total=len(rows)))
    return ", ".join(started)


def board_alt(chart: BoardChart) -> str:
    rows = ", ".join(
        f"{short(name)} {total} ({mastery})"
        for (name, total), mastery in zip(chart.rows, chart.mastery, strict=True)
    )
    return text(chart.lang, "chart_board_alt", period=chart.period, rows=rows or "-")


def to_image(figure: Figure, filename: str, alt: str) -> Image:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return Image(filename=filename, data=buffer.getvalue(), alt=alt)


async def stats_image(chart: StatsChart) -> Image:
    return await asyncio.to_thread(
        lambda: to_image(draw_stats(chart), "stats.png", stats_alt(chart))
    )


async def board_image(chart: BoardChart) -> Image:
    return await asyncio.to_thread(
        lambda: to_image(draw_board(chart), "leaderboard.png", board_alt(chart))
    )
