"""Leaderboards and day summaries: reads over the answer tables, writing nothing."""

from __future__ import annotations

from datetime import date

from bot.core.models import BoardRow, DaySummary
from bot.storage.database import Table
from bot.storage.records import earning


class BoardTable(Table):
    """`bot.core.reporting.reports.BoardStore`, and posting's `ActiveMembers`."""

    async def leaderboard(self, *, platform: str, channel_id: str, since: date) -> list[BoardRow]:
        """Sum of each member's best score per prompt per post, since a local day (the day of
        the best answer counts; on a tie, the earlier answer's), the questions so answered,
        and the days holding any counted answer: `bot.core.counted`'s rules, which
        every other surface counts by. A non-answer counts for nothing (`earning`). An answer
        counts when no better one of its member, post and prompt exists: one probe of the
        index `answers_best_per_post` per answer, cheaper than ranking a year of answers."""
        rows = await self._db.fetch(
            f"""
            SELECT a.user_id, COALESCE(u.display_name, a.user_id) AS display_name,
                   SUM(a.score) AS total, COUNT(*) AS answers,
                   (SELECT COUNT(DISTINCT d.day) FROM answers d
                    WHERE d.user_id = a.user_id AND d.day >= ? AND {earning("d")}
                      AND d.post_id IN (SELECT id FROM posts WHERE platform = ? AND channel_id = ?)
                   ) AS days
            FROM answers a LEFT JOIN users u ON u.platform = ? AND u.user_id = a.user_id
            WHERE a.post_id IN (SELECT id FROM posts WHERE platform = ? AND channel_id = ?)
              AND a.day >= ? AND {earning("a")}
              AND NOT EXISTS (
                  SELECT 1 FROM answers x
                  WHERE x.post_id = a.post_id AND x.user_id = a.user_id
                    AND x.prompt_id = a.prompt_id AND x.day >= ? AND {earning("x")}
                    AND (x.score > a.score OR (x.score = a.score AND x.id < a.id))
              )
            GROUP BY a.user_id, u.display_name
            ORDER BY total DESC, answers ASC, display_name ASC
            """,
            (
                since.isoformat(),
                platform,
                channel_id,
                platform,
                platform,
                channel_id,
                since.isoformat(),
                since.isoformat(),
            ),
        )
        return [
            BoardRow(
                user_id=row["user_id"],
                display_name=row["display_name"],
                total=int(row["total"]),
                answers=int(row["answers"]),
                days=int(row["days"]),
            )
            for row in rows
        ]

    async def day_summary(self, *, post_id: int, prompt_id: str) -> DaySummary:
        row = await self._db.one(
            """
            WITH best AS (
                SELECT user_id, MAX(score) AS score FROM answers
                WHERE post_id = ? AND prompt_id = ? GROUP BY user_id
            )
            SELECT (SELECT COUNT(*) FROM answers WHERE post_id = ? AND prompt_id = ?) AS n,
                   COUNT(*) AS members, AVG(score) AS mean, MAX(score) AS best,
                   (SELECT user_id FROM best ORDER BY score DESC, user_id LIMIT 1) AS best_user
            FROM best
            """,
            (post_id, prompt_id, post_id, prompt_id),
        )
        assert row is not None
        return DaySummary(
            answers=int(row["n"]),
            members=int(row["members"]),
            mean=float(row["mean"] or 0.0),
            best_user=row["best_user"],
            best_score=int(row["best"] or 0),
        )

    async def active_members(self, *, platform: str, channel_id: str, since: date) -> list[str]:
        """Members who answered in the channel on or after a local day, most answers first."""
        rows = await self._db.fetch(
            "SELECT a.user_id FROM answers a JOIN posts p ON p.id = a.post_id"
            " WHERE p.platform = ? AND p.channel_id = ? AND a.day >= ?"
            " GROUP BY a.user_id ORDER BY COUNT(*) DESC, a.user_id",
            (platform, channel_id, since.isoformat()),
        )
        return [str(row[0]) for row in rows]
