"""The pictures on `/quiz stats` and `/quiz leaderboard`: drawn from the member's own rows, valid
PNGs, Hangul without missing glyphs."""

from __future__ import annotations

import struct
import warnings
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Image, Incoming, Reply, ReplyKind
from bot.core.quiz.mastery import TopicMastery, graded_subjects
from bot.core.reporting.charts import (
    BoardChart,
    StatsChart,
    board_alt,
    draw_board,
    draw_stats,
    stats_alt,
    stats_image,
    to_image,
)
from bot.core.texts import subject_name
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")


def png_size(image: Image) -> tuple[int, int]:
    assert image.data.startswith(PNG_SIGNATURE)
    assert image.data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", image.data[16:24])
    return width, height


def bars(axes: Axes) -> list[Rectangle]:
    """The bars drawn on the axes (every patch there is a bar)."""
    patches = list(axes.patches)
    assert all(isinstance(patch, Rectangle) for patch in patches)
    return [patch for patch in patches if isinstance(patch, Rectangle)]


def sample(lang: str = "en", name: str = "Mina") -> StatsChart:
    return StatsChart(
        lang="ko" if lang == "ko" else "en",
        name=name,
        days=(date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 5), date(2026, 11, 6)),
        totals=(120, 310, 80, 255),
        streak=2,
        mastery=(
            TopicMastery("seed", 0.92, seen=3, total=6),
            TopicMastery("optimization", 0.41, seen=1, total=14),
            TopicMastery("serving", None, seen=0, total=4),
        ),
    )


def texts_on(axes: Axes) -> list[str]:
    return [child.get_text() for child in axes.texts]


def test_stats_figure_draws_the_days_and_one_row_per_topic() -> None:
    chart = sample()
    figure = draw_stats(chart)
    history, mastery = figure.axes
    [line] = history.get_lines()
    assert np.asarray(line.get_ydata()).tolist() == list(chart.totals)
    assert texts_on(history) == ["120", "310", "80", "255"]
    assert "streak 2" in history.get_title() and "best 11-03 (310)" in history.get_title()
    assert [bar.get_width() for bar in bars(mastery)] == [92.0, 41.0, 0.0]
    assert [bar.get_visible() for bar in bars(mastery)] == [True, True, False]
    assert texts_on(mastery) == ["92%", "41%", "not started"]
    assert [label.get_text() for label in mastery.get_yticklabels()] == [
        "Deep-learning basics (3/6)",
        "Optimization (1/14)",
        "Model serving (0/4)",
    ]
    assert "expected score in 30 days without review" in mastery.get_title()


def test_a_single_day_is_labelled_and_centred() -> None:
    chart = replace(sample(), days=(date(2026, 11, 2),), totals=(38,), streak=1)
    history, _ = draw_stats(chart).axes
    assert texts_on(history) == ["38"]
    assert history.get_xlim() == (-1.0, 1.0)
    assert "streak 1" in history.get_title() and "best 11-02 (38)" in history.get_title()


def test_another_members_chart_has_no_mastery_panel() -> None:
    chart = replace(sample(), mastery=None)
    assert len(draw_stats(chart).axes) == 1
    assert "Mastery" not in stats_alt(chart)
    assert png_size(to_image(draw_stats(chart), "stats.png", "alt")) == (600, 400)


def test_board_figure_has_one_bar_per_member() -> None:
    chart = BoardChart(
        lang="en",
        period="all time",
        rows=(("Joon", 180), ("Mina", 95)),
        mastery=("54%", "not started"),
    )
    [axes] = draw_board(chart).axes
    assert [bar.get_width() for bar in bars(axes)] == [180, 95]
    assert texts_on(axes) == ["180 · mastery 54%", "95 · mastery not started"]
    assert "expected score in 30 days without review" in axes.get_xlabel()
    assert "Joon 180 (54%), Mina 95 (not started)" in board_alt(chart)


def test_korean_chart_renders_without_missing_glyphs() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = to_image(draw_stats(sample("ko", "민아")), "stats.png", "alt")
    assert png_size(image) == (1200, 400)


async def test_stats_image_is_a_png_with_alt_text() -> None:
    image = await stats_image(sample())
    assert image.filename == "stats.png"
    assert png_size(image) == (1200, 400)
    assert "Deep-learning basics 92%" in image.alt and "2026-11-06 255" in image.alt
    assert "not started: 1 of 3 subjects" in image.alt


async def say(service: Wired, text: str, actor: Actor, thread: str | None = None) -> Reply:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", actor, text, thread_id=thread), transport)
    [reply] = transport.sent[-1:]
    return reply


async def test_stats_and_leaderboard_attach_charts_of_the_members_data(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    clock = FakeClock(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    repo = await Repository.open(tmp_path / "q.db")
    service = wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
        clock=clock,
    )
    try:
        empty = await say(service, "/quiz leaderboard", MINA)
        assert empty.images == ()
        answered = []
        for _ in range(2):
            post = await service.posting.post_today("test", "c1", RecordingTransport())
            answered.append(bank.get(post.prompt_id))
            reference = bank.get(post.prompt_id).references_in("en")[0].text
            await say(service, reference, MINA, thread=post.thread_id)
            clock.advance(timedelta(days=1))
        # Joon half answers the last question (a non-answer would earn no place on the board)
        half = reference.split(". ")[0]
        await say(service, half, JOON, thread=post.thread_id)
        stats = await say(service, "/quiz stats", MINA)
        board = await say(service, "/quiz leaderboard", JOON)
    finally:
        await repo.close()
    assert stats.kind is ReplyKind.STATS and "Stats for Mina" in stats.text
    [chart] = stats.images
    seen = bank.seen_from("test", "c1")
    assert png_size(chart) == (1200, round(100 * (0.3 * len(graded_subjects(seen)) + 1.5)))
    subjects = {subject_name("en", seen.subject(prompt)) for prompt in answered}
    shown = chart.alt.split("without review): ")[1].split(", ")
    assert {item.rsplit(" ", 1)[0] for item in shown[:-1]} == subjects
    total = len(graded_subjects(seen))
    assert shown[-1] == f"not started: {total - len(subjects)} of {total} subjects"
    assert board.kind is ReplyKind.LEADERBOARD
    [bars] = board.images
    assert bars.filename == "leaderboard.png" and png_size(bars)[0] == 900
    assert bars.alt.index("Mina") < bars.alt.index("Joon")
