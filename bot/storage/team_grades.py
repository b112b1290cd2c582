"""The `team_grades` table: the team's grades of answers, staged on the web page and applied
together, which rewrites the answers' scores and cards (through `bot.storage.answers` and
`bot.storage.practice`) and leaves each changed member a notice (`bot.storage.notices`) in the
same transaction. Every query names its channel: a team reads and grades its own answers only.
The only writer of that table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.team_grading import (
    AppliedGrade,
    GroupGrade,
    HumanGrade,
    QuestionAnswer,
    QuestionTally,
    StagedGrade,
)
from bot.storage import answers, notices, practice
from bot.storage.database import Table
from bot.storage.drivers import Row
from bot.storage.records import graded_answer

_ANSWERS = (
    "SELECT a.id, a.post_id, p.platform, p.channel_id,"
    " COALESCE(p.thread_id, p.message_id) AS thread_id, a.user_id, a.prompt_id, a.text,"
    " a.score, a.covered, a.missed, a.flags, a.answered_at"
)
_IN_CHANNEL = (
    " FROM answers a JOIN posts p ON p.id = a.post_id"
    " WHERE p.platform = ? AND p.channel_id = ? AND a.prompt_id = ?"
)
# A team grade carries its answer's channel and prompt: naming them lets the lookup use the
# table's index by question instead of reading every team's grades for each answer.
_HUMAN = (
    "(EXISTS (SELECT 1 FROM team_grades g WHERE g.platform = p.platform"
    " AND g.channel_id = p.channel_id AND g.prompt_id = a.prompt_id AND g.answer_id = a.id"
    " AND g.applied_at IS NOT NULL)"
    " OR EXISTS (SELECT 1 FROM appeals ap WHERE ap.answer_id = a.id"
    " AND ap.resolved_at IS NOT NULL))"
)


class TeamGradeTable(Table):
    """`bot.core.quiz.group_grading.TeamGradeStore`."""

    async def answered_questions(self, *, platform: str, channel_id: str) -> list[QuestionTally]:
        rows = await self._db.fetch(
            "SELECT a.prompt_id, COUNT(*) AS answers,"
            f" SUM(CASE WHEN {_HUMAN} THEN 1 ELSE 0 END) AS human,"
            " SUM(CASE WHEN EXISTS (SELECT 1 FROM team_grades g WHERE g.answer_id = a.id"
            " AND g.applied_at IS NULL) THEN 1 ELSE 0 END) AS staged,"
            " MAX(a.id) AS latest"
            " FROM answers a JOIN posts p ON p.id = a.post_id"
            " WHERE p.platform = ? AND p.channel_id = ?"
            " GROUP BY a.prompt_id ORDER BY latest DESC",
            (platform, channel_id),
        )
        return [
            QuestionTally(
                prompt_id=row["prompt_id"],
                answers=int(row["answers"]),
                human=int(row["human"]),
                staged=int(row["staged"]),
            )
            for row in rows
        ]

    async def question_answers(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[QuestionAnswer]:
        rows = await self._db.fetch(
            f"{_ANSWERS}, g.score AS staged, COALESCE(g.note, '') AS staged_note,"
            f" CASE WHEN {_HUMAN} THEN 1 ELSE 0 END AS human"
            " FROM answers a JOIN posts p ON p.id = a.post_id"
            " LEFT JOIN team_grades g ON g.answer_id = a.id AND g.applied_at IS NULL"
            " WHERE p.platform = ? AND p.channel_id = ? AND a.prompt_id = ? ORDER BY a.id",
            (platform, channel_id, prompt_id),
        )
        return [
            QuestionAnswer(
                answer=graded_answer(row),
                staged=row["staged"],
                note=row["staged_note"],
                human=bool(row["human"]),
            )
            for row in rows
        ]

    async def stage(self, grade: GroupGrade, *, at: datetime) -> bool:
        wanted = sorted(set(grade.answer_ids))
        if not wanted:
            return False
        marks = ",".join("?" * len(wanted))
        async with self._db.transaction() as db:
            found = await db.fetch(
                f"SELECT a.id, a.score{_IN_CHANNEL} AND a.id IN ({marks}) ORDER BY a.id",
                (grade.platform, grade.channel_id, grade.prompt_id, *wanted),
            )
            if len(found) != len(wanted):
                return False
            for row in found:
                await db.fetch(
                    "INSERT INTO team_grades (answer_id, platform, channel_id, prompt_id,"
                    " old_score, score, note, graded_by, graded_at) VALUES (?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT (answer_id) WHERE applied_at IS NULL DO UPDATE SET"
                    " old_score = excluded.old_score, score = excluded.score,"
                    " note = excluded.note, graded_by = excluded.graded_by,"
                    " graded_at = excluded.graded_at",
                    (
                        row["id"],
                        grade.platform,
                        grade.channel_id,
                        grade.prompt_id,
                        row["score"],
                        grade.score,
                        grade.note,
                        grade.by,
                        at.isoformat(),
                    ),
                )
        return True

    async def staged(self, *, platform: str, channel_id: str, prompt_id: str) -> list[StagedGrade]:
        rows = await self._db.fetch(
            f"{_ANSWERS}, g.id AS grade_id, g.old_score, g.score AS new_score, g.note"
            " FROM team_grades g JOIN answers a ON a.id = g.answer_id"
            " JOIN posts p ON p.id = a.post_id"
            " WHERE g.platform = ? AND g.channel_id = ? AND g.prompt_id = ?"
            " AND p.platform = g.platform AND p.channel_id = g.channel_id"
            " AND g.applied_at IS NULL ORDER BY g.id",
            (platform, channel_id, prompt_id),
        )
        return [
            StagedGrade(
                id=row["grade_id"],
                answer=graded_answer(row),
                old_score=row["old_score"],
                score=row["new_score"],
                note=row["note"],
            )
            for row in rows
        ]

    async def apply(
        self, *, platform: str, grades: Sequence[AppliedGrade], at: datetime
    ) -> list[int]:
        done = []
        async with self._db.transaction() as db:
            for grade in grades:
                applied = await db.fetch(
                    "UPDATE team_grades SET applied_at = ?"
                    " WHERE id = ? AND answer_id = ? AND applied_at IS NULL RETURNING id",
                    (at.isoformat(), grade.grade_id, grade.answer_id),
                )
                if not applied:
                    continue
                await answers.rescore(
                    db, answer_id=grade.answer_id, score=grade.score, verdict=grade.verdict
                )
                if grade.card is not None:
                    await practice.replace_card(db, grade.card)
                if grade.notice is not None:
                    await notices.queue(db, platform=platform, reply=grade.notice, queued_at=at)
                done.append(grade.answer_id)
        return done

    async def discard(self, *, platform: str, channel_id: str, prompt_id: str) -> int:
        rows = await self._db.write(
            "DELETE FROM team_grades WHERE platform = ? AND channel_id = ? AND prompt_id = ?"
            " AND applied_at IS NULL RETURNING id",
            (platform, channel_id, prompt_id),
        )
        return len(rows)

    async def human_grades(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[HumanGrade]:
        """The question's answers in this channel whose current score a person gave (an
        applied team grade or a resolved appeal), with their text: the team's evidence. Read
        with every answer the channel gets, so it starts from the few graded answers (by the
        grades' indexes), never from all the channel's answers."""
        rows = await self._db.fetch(
            f"SELECT a.id, a.prompt_id, a.text, a.score{_IN_CHANNEL} AND a.id IN ("
            "SELECT g.answer_id FROM team_grades g WHERE g.platform = ? AND g.channel_id = ?"
            " AND g.prompt_id = ? AND g.applied_at IS NOT NULL"
            " UNION SELECT ap.answer_id FROM appeals ap WHERE ap.platform = ?"
            " AND ap.channel_id = ? AND ap.resolved_at IS NOT NULL) ORDER BY a.id",
            (
                platform,
                channel_id,
                prompt_id,
                platform,
                channel_id,
                prompt_id,
                platform,
                channel_id,
            ),
        )
        return _graded(rows)

    async def every_human_grade(self) -> list[HumanGrade]:
        """Every answer in the database whose current score a person gave (an applied team
        grade or a resolved appeal), whatever its channel: what `quizmaster eval fit --team`
        refits the calibration of the operator's deployment on. Never read for grading."""
        rows = await self._db.fetch(
            "SELECT a.id, a.prompt_id, a.text, a.score FROM answers a WHERE a.id IN ("
            "SELECT g.answer_id FROM team_grades g WHERE g.applied_at IS NOT NULL"
            " UNION SELECT ap.answer_id FROM appeals ap WHERE ap.resolved_at IS NOT NULL)"
            " ORDER BY a.id"
        )
        return _graded(rows)


def _graded(rows: Sequence[Row]) -> list[HumanGrade]:
    """Answer rows (id, prompt_id, text, score) as the grades a person gave them."""
    return [
        HumanGrade(
            answer_id=row["id"], prompt_id=row["prompt_id"], text=row["text"], score=row["score"]
        )
        for row in rows
    ]
