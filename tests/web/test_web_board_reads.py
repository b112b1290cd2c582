"""The channel page's reads, against their plain definitions on both databases: the board's
best answer per prompt per post (its day, on a tie the earlier answer's), the days answered, a
streak longer than the first window of answer days read again in full, and every day's figures
in one read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.reporting import dashboards
from bot.storage.repository import Repository
from bot.storage.web_store import DashboardReads
from content.bank import Bank

PLATFORM = "slack"
CHANNEL = "C-reads"
ZONE = "Asia/Seoul"
LONG_STREAK = dashboards.STREAK_FIRST_LOOK + 5


async def _answer(
    repo: Repository, post_id: int, day: str, user: str, prompt: str, *, score: int
) -> None:
    await repo.db.write(
        "INSERT INTO answers (post_id, platform, day, user_id, prompt_id, text, score, verdict,"
        " covered, missed, flags, answered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            post_id,
            PLATFORM,
            day,
            user,
            prompt,
            "an answer",
            score,
            "partial",
            "[]",
            "[]",
            "[]",
            f"{day}T01:00:00+00:00",
        ),
    )


async def test_the_board_and_days_follow_their_definitions(repo: Repository, bank: Bank) -> None:
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(ZONE)).date()
    await repo.db.write(
        "INSERT INTO channels VALUES (?,?,?,?,?,?,?,?,?,NULL)",
        (PLATFORM, CHANNEL, "en", ZONE, "09:00", "daily", 1, "2025-01-01", "2025-01-01"),
    )
    for user, name in (("u-long", "Long"), ("u-short", "Short")):
        await repo.db.write("INSERT INTO users VALUES (?,?,?)", (PLATFORM, user, name))
    main = bank.mains()[0].id
    posts: list[int] = []
    for back in range(LONG_STREAK - 1, -1, -1):
        day = (today - timedelta(days=back)).isoformat()
        [row] = await repo.db.write(
            "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, revealed,"
            " posted_at) VALUES (?,?,?,?,1,0,?) RETURNING id",
            (PLATFORM, CHANNEL, day, main, f"{day}T00:00:00+00:00"),
        )
        posts.append(int(row[0]))
        await _answer(repo, posts[-1], day, "u-long", main, score=10)
        if back < 3:
            await _answer(repo, posts[-1], day, "u-short", main, score=40)
    # a second answer to yesterday's post, today, worth more: the best counts once, on its day
    today_s = today.isoformat()
    await _answer(repo, posts[-2], today_s, "u-short", main, score=90)
    await _answer(repo, posts[-2], today_s, "u-short", main, score=5)
    # a tie with the day before yesterday's answer, given today: the earlier one is the best
    await _answer(repo, posts[-3], today_s, "u-short", main, score=40)

    channel = await repo.channels.channel(platform=PLATFORM, channel_id=CHANNEL)
    assert channel is not None
    page = await dashboards.channel_page(
        DashboardReads(repo), bank, channel=channel, now=now, lang="en", period="all"
    )
    lines = {line.user_id: line for line in page.board}
    assert (lines["u-long"].total, lines["u-long"].answers) == (10 * LONG_STREAK, LONG_STREAK)
    assert lines["u-long"].streak == LONG_STREAK and lines["u-long"].days == LONG_STREAK
    assert (lines["u-short"].total, lines["u-short"].answers) == (40 + 90 + 40, 3)
    # the days holding any counted answer, as the streak counts them (`bot.core.counted`):
    # yesterday's best given today moves its points, not the day yesterday was answered on
    assert lines["u-short"].days == 3
    assert lines["u-short"].streak == 3
    by_post = {day.post.id: day for day in page.days}
    assert by_post[posts[-2]].summary.answers == 4 and by_post[posts[-2]].summary.members == 2
    assert by_post[posts[-2]].summary.mean == (10 + 90) / 2
    assert by_post[posts[-2]].best_name == "Short" and by_post[posts[-2]].summary.best_score == 90
    assert by_post[posts[-5]].summary.best_user == "u-long"
