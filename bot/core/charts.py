"""The pictures attached to `/quiz stats` and `/quiz leaderboard`; the text replies stay complete
without them (screen readers, the console).

Figures are built with matplotlib's object API, not pyplot: they are rendered in worker threads
(`asyncio.to_thread`, off the event loop) and pyplot's global figure registry is not thread-safe.
The compute demos' figure module is imported for its Korean font set-up, so Hangul renders.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date

from matplotlib.figure import Figure

import compute.demos._figures  # noqa: F401  (registers the Korean font, sets headless backend)
from bot.core.messages import Image
from bot.core.texts import text
from content.schema import Lang

PANEL_WIDTH = 6.0
PANEL_HEIGHT = 4.0
BAR_HEIGHT = 0.45
DPI = 100
NAME_CHARS = 32
MAX_DAY_LABELS = 8


@dataclass(frozen=True)
class StatsChart:
    """A member's progress: channel score per answered day, streak, and mastery per topic."""

    lang: Lang
    name: str
    days: tuple[date, ...]
    totals: tuple[int, ...]
    streak: int
    mastery: tuple[tuple[str, float], ...]  # (topic, mean FSRS retrievability 0-1)


@dataclass(frozen=True)
class BoardChart:
    """The leaderboard rows as drawn: (name, total points), best first."""

    lang: Lang
    period: str
    rows: tuple[tuple[str, int], ...]


def _empty(figure: Figure, index: int, lang: Lang) -> None:
    axes = figure.axes[index]
    axes.set_axis_off()
    axes.text(0.5, 0.5, text(lang, "chart_no_data"), ha="center", va="center")


def draw_stats(chart: StatsChart) -> Figure:
    """Left: score per day with the streak in the title. Right: one bar per topic the member has
    a card in (every graded answer makes one), as recall probability in percent."""
    figure = Figure(figsize=(PANEL_WIDTH * 2, PANEL_HEIGHT), dpi=DPI, layout="constrained")
    history, mastery = figure.subplots(1, 2, squeeze=True)
    history.set_title(text(chart.lang, "chart_scores", name=short(chart.name), streak=chart.streak))
    if chart.days:
        positions = list(range(len(chart.days)))
        history.plot(positions, chart.totals, marker="o")
        every = -(-len(positions) // MAX_DAY_LABELS)
        history.set_xticks(
            positions[::every], [day.strftime("%m-%d") for day in chart.days[::every]]
        )
        history.set_ylabel(text(chart.lang, "chart_day_total"))
        history.set_ylim(bottom=0)
        history.grid(alpha=0.3)
    else:
        _empty(figure, 0, chart.lang)
    mastery.set_title(text(chart.lang, "chart_mastery"))
    if chart.mastery:
        topics = [topic for topic, _ in chart.mastery]
        percents = [recall * 100 for _, recall in chart.mastery]
        bars = mastery.barh(topics, percents, height=BAR_HEIGHT)
        mastery.bar_label(bars, fmt="%.0f%%", padding=3)
        mastery.invert_yaxis()
        mastery.set_xlim(0, 100)
        mastery.set_xlabel("%")
        mastery.grid(axis="x", alpha=0.3)
    else:
        _empty(figure, 1, chart.lang)
    return figure


def short(name: str) -> str:
    """A member name as a chart shows it: display names can be thousands of characters."""
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def draw_board(chart: BoardChart) -> Figure:
    """One horizontal bar per member, best at the top."""
    height = max(PANEL_HEIGHT, 0.5 * len(chart.rows) + 1.5)
    figure = Figure(figsize=(PANEL_WIDTH * 1.5, height), dpi=DPI, layout="constrained")
    axes = figure.subplots()
    axes.set_title(text(chart.lang, "chart_board", period=chart.period))
    if chart.rows:
        names = [f"{rank}. {short(name)}" for rank, (name, _) in enumerate(chart.rows, start=1)]
        totals = [total for _, total in chart.rows]
        bars = axes.barh(names, totals, height=BAR_HEIGHT)
        axes.bar_label(bars, padding=3)
        axes.invert_yaxis()
        axes.set_xlabel(text(chart.lang, "chart_points"))
        axes.grid(axis="x", alpha=0.3)
    else:
        _empty(figure, 0, chart.lang)
    return figure


def stats_alt(chart: StatsChart) -> str:
    recent = ", ".join(
        f"{day.isoformat()} {total}"
        for day, total in zip(chart.days[-7:], chart.totals[-7:], strict=True)
    )
    topics = ", ".join(f"{topic} {recall * 100:.0f}%" for topic, recall in chart.mastery)
    return text(
        chart.lang,
        "chart_stats_alt",
        name=short(chart.name),
        streak=chart.streak,
        days=recent,
        topics=topics or "-",
    )


def board_alt(chart: BoardChart) -> str:
    rows = ", ".join(f"{short(name)} {total}" for name, total in chart.rows)
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
