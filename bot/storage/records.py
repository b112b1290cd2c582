"""Stored rows as the core's records and back, for the rows more than one store reads: posts,
answers with their concept lists, and graded texts (days as ISO dates, instants as ISO
timestamps, exactly as they have always been stored, on either database)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TypedDict

from bot.core.models import NON_ANSWER_FLAGS, GradedAnswer, GradedText, PostRow
from bot.storage.drivers import Row
from evaluators.grade import NON_ANSWER_MOST


def post_row(row: Row) -> PostRow:
    return PostRow(
        id=row["id"],
        platform=row["platform"],
        channel_id=row["channel_id"],
        day=date.fromisoformat(row["day"]),
        prompt_id=row["prompt_id"],
        scheduled=bool(row["scheduled"]),
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        revealed=bool(row["revealed"]),
        posted_at=datetime.fromisoformat(row["posted_at"]),
    )


class ConceptLists(TypedDict):
    covered: tuple[str, ...]
    missed: tuple[str, ...]


def flags_of(row: Row) -> tuple[str, ...]:
    """An answer row's flags, stored as a JSON list."""
    return tuple(json.loads(row["flags"]))


def earning(alias: str) -> str:
    """A SQL condition that the answer row `alias` counts for points and streak days, as
    `bot.core.models.earns` says: it scored more than a non-answer can, or its flags (a JSON
    list of names) hold none of a non-answer rule's."""
    clean = " AND ".join(
        f"{alias}.flags NOT LIKE '%\"{flag}\"%'" for flag in sorted(NON_ANSWER_FLAGS)
    )
    return f"({alias}.score > {NON_ANSWER_MOST} OR ({clean}))"


def concept_lists(row: Row) -> ConceptLists:
    """An answer row's covered and missed concept ids, stored as JSON lists; every reader of
    the answer tables decodes them here."""
    return {
        "covered": tuple(json.loads(row["covered"])),
        "missed": tuple(json.loads(row["missed"])),
    }


class StoredGradeFields(ConceptLists):
    score: int
    verdict: str
    day: date
    answered_at: datetime
    flags: tuple[str, ...]


def stored_grade(row: Row) -> StoredGradeFields:
    """An answer row's `bot.core.models.StoredGrade` fields, as every reader of a channel answer
    with its local day (`AnswerRow`, `AnswerText`) decodes them."""
    return {
        "score": row["score"],
        "verdict": row["verdict"],
        **concept_lists(row),
        "day": date.fromisoformat(row["day"]),
        "answered_at": datetime.fromisoformat(row["answered_at"]),
        "flags": flags_of(row),
    }


def graded_answer(row: Row) -> GradedAnswer:
    """An answer joined to its post (the columns of `bot.storage.appeals.GRADED_ANSWER_SELECT`)."""
    return GradedAnswer(
        id=row["id"],
        post_id=row["post_id"],
        platform=row["platform"],
        channel_id=row["channel_id"],
        thread_id=row["thread_id"],
        user_id=row["user_id"],
        prompt_id=row["prompt_id"],
        text=row["text"],
        score=row["score"],
        **concept_lists(row),
        answered_at=datetime.fromisoformat(row["answered_at"]),
        flags=flags_of(row),
    )


GRADED_COLUMNS = (
    "user_id, prompt_id, message_id, text, score, verdict, covered, missed, flags, answered_at"
)
"""The columns a graded text fills, in chat answers and practice answers alike."""
GRADED_PLACEHOLDERS = ",".join("?" * len(GRADED_COLUMNS.split(",")))


def graded_values(graded: GradedText) -> tuple[object, ...]:
    """`GRADED_COLUMNS`' values, concept ids and flags as JSON lists."""
    return (
        graded.user_id,
        graded.prompt_id,
        graded.message_id,
        graded.text,
        graded.score,
        graded.verdict,
        json.dumps(list(graded.covered)),
        json.dumps(list(graded.missed)),
        json.dumps(list(graded.flags)),
        graded.answered_at.isoformat(),
    )


def graded_text(row: Row) -> GradedText:
    """The inverse of `graded_values`."""
    return GradedText(
        user_id=row["user_id"],
        prompt_id=row["prompt_id"],
        message_id=row["message_id"],
        text=row["text"],
        score=row["score"],
        verdict=row["verdict"],
        **concept_lists(row),
        flags=flags_of(row),
        answered_at=datetime.fromisoformat(row["answered_at"]),
    )
