"""What a newcomer found on the console (issue 70, cases 10-12), through the console's line loop
on the real core, the real grader on the bundled model and a real database (SQLite and
PostgreSQL): a non-answer earns no points and no streak day; `/quiz next` offers a skipped
follow-up before a retry; and only the console's first member and those made admins with
`/as NAME admin` may do what an admin does."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import open_service
from bot.core.texts import text
from bot.platforms import console
from bot.storage.web_store import DashboardReads
from bot.wiring import Wired
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.conftest import settings_for_test

GOOD = (
    "ReLU does not saturate for positive inputs, so its gradient is 1 there and gradients do "
    "not vanish in deep networks; it is also cheap to compute."
)


@pytest.fixture
async def service(
    database: Path | str, tmp_path: Path, embedding_cache: Path, grader: EmbeddingGrader
) -> AsyncIterator[Wired]:
    settings = settings_for_test(db=database, cache_dir=embedding_cache, platform="console")
    async with open_service(settings, grader=grader) as opened:
        yield opened


@pytest.fixture
async def on_sqlite(
    tmp_path: Path, embedding_cache: Path, grader: EmbeddingGrader
) -> AsyncIterator[Wired]:
    """For cases that change no SQL: a SQLite file alone."""
    settings = settings_for_test(
        db=tmp_path / "quiz.db", cache_dir=embedding_cache, platform="console"
    )
    async with open_service(settings, grader=grader) as opened:
        yield opened


async def typed(service: Wired, lines: list[str], images: Path) -> str:
    """The console run on these piped lines, as `quizmaster run --platform console` runs it;
    what it printed."""
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    stdout = io.StringIO()
    assert await console.run(service, stdin=stdin, stdout=stdout, image_dir=images) == 0
    return stdout.getvalue()


async def test_a_non_answer_earns_no_points_and_no_streak_day(
    service: Wired, tmp_path: Path
) -> None:
    """Case 10: "hello" was 10 points and a streak day. It is still graded (0, named as a
    greeting), kept and told what the question asks; the leaderboard, `/quiz me` and the web
    page's streaks leave it out, while a real answer in the same channel still counts."""
    out = await typed(
        service,
        ["/as mina", "hello", "/as dana", GOOD, "/as mina", "/quiz leaderboard", "/quiz me"],
        tmp_path,
    )
    said = out.split("(now speaking as mina)\n")
    assert "@mina 0/100" in said[1] and "The question asks:" in said[1], said[1]
    board = said[2].split("Mastery:")[0]
    assert "dana" in board and "mina" not in board, board
    assert "Streak: 0 days" in said[2] and "Points this week: 0 points" in said[2], said[2]
    stored = await service.repo.answers.user_answers(
        platform=console.PLATFORM, channel_id=console.CHANNEL, user_id="mina"
    )
    assert [a.score for a in stored] == [0] and not stored[0].earns
    days = await DashboardReads(service.repo).answer_days(
        platform=console.PLATFORM,
        channel_id=console.CHANNEL,
        user_ids=["mina", "dana"],
        since=date.min,
    )
    assert [user for user, _ in days] == ["dana"]


async def test_next_offers_the_skipped_follow_up_before_a_retry(
    on_sqlite: Wired, bank: Bank, tmp_path: Path
) -> None:
    """Case 11: after the day's prompts `/quiz next` offered the main question again (the
    lowest, 88) instead of the follow-up the member skipped."""
    await typed(on_sqlite, ["/as mina", GOOD], tmp_path)
    [post] = await on_sqlite.repo.posts.posts(platform=console.PLATFORM, channel_id=console.CHANNEL)
    followups = bank.followups(post.prompt_id)
    assert len(followups) >= 2
    skips = ["/quiz skip"] * len(followups)
    out = await typed(on_sqlite, ["/as mina", *skips, "/quiz next"], tmp_path)
    offered = out.rsplit("\n@mina ", 1)[1]
    assert offered == f"{text('en', 'skipped_again', text=followups[0].text.en)}\n", out


async def test_only_the_first_member_and_those_made_admins_act_as_admins(
    on_sqlite: Wired, tmp_path: Path
) -> None:
    """Case 12: every `/as` member was an admin, so mina could resolve her own appeal. Now lead,
    the first to speak, is the admin; mina is refused; `/as joon admin` makes joon one."""
    out = await typed(
        on_sqlite,
        [
            "/as lead",
            GOOD,
            "/as mina",
            "ReLU is faster.",
            "/quiz appeal it is right",
            "/quiz appeals resolve 1 100",
            "/as joon admin",
            "/quiz appeals resolve 1 keep",
        ],
        tmp_path,
    )
    mina = out.split("(now speaking as mina)\n")[1].split("(now speaking as joon, an admin)\n")
    assert "Appeal #1 opened" in mina[0], mina[0]
    assert mina[0].rstrip().endswith(f"(only you) {text('en', 'admin_only')}"), mina[0]
    assert "Appeal #1 resolved: the score stays at" in mina[1], mina[1]
    [appeal] = await on_sqlite.repo.appeals.resolved_appeals()
    assert appeal.resolved_by == "joon"
