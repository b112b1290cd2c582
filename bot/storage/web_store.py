"""The web page's reads (the core's `DashboardStore` port), in plain SQL that PostgreSQL runs as
well, so the web page's queries can be read, ported and indexed on their own, on the bot's one
database connection and lock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from bot.core.models import (
    AnswerRow,
    AnswerText,
    BoardRow,
    ChannelRow,
    DaySummary,
    PostRow,
    PracticeCardRow,
    SharedAnswer,
)
from bot.storage.drivers import Row
from bot.storage.records import earning, post_row, stored_grade
from bot.storage.repository import Repository


class DashboardReads:
    """`DashboardStore`: the stores' reads the web page shares with the chat, and its own."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo

    async def channel(self, *, platform: str, channel_id: str) -> ChannelRow | None:
        return await self._repo.channels.channel(platform=platform, channel_id=channel_id)

    async def leaderboard(self, *, platform: str, channel_id: str, since: date) -> list[BoardRow]:
        return await self._repo.boards.leaderboard(
            platform=platform, channel_id=channel_id, since=since
        )

    async def day_summaries(
        self, *, platform: str, posts: Sequence[PostRow]
    ) -> dict[int, tuple[DaySummary, str | None]]:
        if not posts:
            return {}
        marks = ",".join("?" * len(posts))
        rows = await self._repo.db.fetch(
            "SELECT a.post_id, a.user_id, MAX(a.score) AS best, COUNT(*) AS n, u.display_name"
            " FROM answers a JOIN posts p ON p.id = a.post_id AND p.prompt_id = a.prompt_id"
            " LEFT JOIN users u ON u.platform = ? AND u.user_id = a.user_id"
            f" WHERE a.post_id IN ({marks}) GROUP BY a.post_id, a.user_id, u.display_name",
            (platform, *(post.id for post in posts)),
        )
        members: dict[int, list[Row]] = defaultdict(list)
        for row in rows:
            members[int(row["post_id"])].append(row)
        found: dict[int, tuple[DaySummary, str | None]] = {}
        for post in posts:
            bests = members.get(post.id, [])
            if not bests:
                found[post.id] = (DaySummary(0, 0, 0.0, None, 0), None)
                continue
            top = min(bests, key=lambda row: (-int(row["best"]), str(row["user_id"])))
            summary = DaySummary(
                answers=sum(int(row["n"]) for row in bests),
                members=len(bests),
                mean=sum(int(row["best"]) for row in bests) / len(bests),
                best_user=top["user_id"],
                best_score=int(top["best"]),
            )
            found[post.id] = (summary, top["display_name"] or top["user_id"])
        return found

    async def display_name(self, *, platform: str, user_id: str) -> str:
        return await self._repo.members.display_name(platform=platform, user_id=user_id)

    async def practice_cards(
        self, *, platform: str, user_ids: Sequence[str]
    ) -> list[PracticeCardRow]:
        return await self._repo.practice.practice_cards(platform=platform, user_ids=user_ids)

    async def posts(self, *, platform: str, channel_id: str) -> list[PostRow]:
        return await self._repo.posts.posts(platform=platform, channel_id=channel_id)

    async def channel_answers(self, *, platform: str, channel_id: str) -> list[AnswerRow]:
        return await self._repo.answers.channel_answers(platform=platform, channel_id=channel_id)

    async def answer_days(
        self, *, platform: str, channel_id: str, user_ids: Sequence[str], since: date
    ) -> list[tuple[str, date]]:
        if not user_ids:
            return []
        marks = ",".join("?" * len(user_ids))
        rows = await self._repo.db.fetch(
            "SELECT DISTINCT a.user_id, a.day FROM answers a JOIN posts p ON p.id = a.post_id"
            f" WHERE a.platform = ? AND a.user_id IN ({marks}) AND a.day >= ?"
            f" AND p.channel_id = ? AND {earning('a')}",
            (platform, *user_ids, since.isoformat(), channel_id),
        )
        return [(row["user_id"], date.fromisoformat(row["day"])) for row in rows]

    async def data_version(self) -> tuple[int, ...]:
        rows = await self._repo.db.fetch(
            "SELECT (SELECT MAX(id) FROM answers), (SELECT MAX(id) FROM posts),"
            " (SELECT COUNT(*) FROM posts WHERE revealed = 1),"
            " (SELECT COUNT(resolved_at) FROM appeals),"
            " (SELECT SUM(changes) FROM answer_sharing),"
            " (SELECT COUNT(applied_at) FROM team_grades)"
        )
        return tuple(int(value or 0) for value in rows[0])

    async def best_shared_answer(self, *, post_id: int, prompt_id: str) -> SharedAnswer | None:
        return await self._repo.sharing.best_shared_answer(post_id=post_id, prompt_id=prompt_id)

    async def posts_since(self, *, platform: str, channel_id: str, since: date) -> list[PostRow]:
        rows = await self._repo.db.fetch(
            "SELECT * FROM posts WHERE platform = ? AND channel_id = ? AND day >= ?"
            " ORDER BY day DESC, id DESC",
            (platform, channel_id, since.isoformat()),
        )
        return [post_row(row) for row in rows]

    async def member_answers(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> list[AnswerText]:
        rows = await self._repo.db.fetch(
            "SELECT a.id, a.post_id, a.prompt_id, a.text, a.score, a.verdict, a.covered,"
            " a.missed, a.flags, a.day, a.answered_at, p.revealed, ap.id AS appeal_id"
            " FROM answers a JOIN posts p ON p.id = a.post_id"
            " LEFT JOIN appeals ap ON ap.answer_id = a.id"
            " WHERE p.platform = ? AND p.channel_id = ? AND a.user_id = ?"
            " ORDER BY a.answered_at DESC, a.id DESC",
            (platform, channel_id, user_id),
        )
        return [
            AnswerText(
                id=row["id"],
                post_id=row["post_id"],
                prompt_id=row["prompt_id"],
                text=row["text"],
                revealed=bool(row["revealed"]),
                appealed=row["appeal_id"] is not None,
                **stored_grade(row),
            )
            for row in rows
        ]
