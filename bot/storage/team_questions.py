"""Team questions written on the web page, kept in the database (`team_questions`) so they
survive restarts and reach every process on the database: each one adds them to its bank at
start (`load_into`), a running bot takes the ones saved since on its scheduler's tick
(`stamps`, `bot.core.flow.saved_questions`), and the process that saved one has put it in its
bank already.

A question belongs to the channel whose page saved it: the bank shows it to that channel only
(`Bank.seen_from`), and only that channel's saves change it.
Saves never overwrite each other unseen: new questions (the editor's, imported notes) are
created only where no question of their id is stored, and an edit is saved only over the
version the editor showed (`version`), so of concurrent saves one wins and the others are told.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.models import QuestionEdit
from bot.storage.database import Table
from bot.storage.drivers import Driver
from content.bank import Bank, Owner
from content.schema import Prompt


class _TakenError(Exception):
    """A question of this id is stored already: the transaction stores none."""


_INSERT = (
    "INSERT INTO team_questions (prompt_id, body, platform, channel_id, edited_by, edited_at)"
    " VALUES (?,?,?,?,?,?)"
)


def _values(prompt: Prompt, edit: QuestionEdit) -> tuple[object, ...]:
    return (
        prompt.id,
        prompt.model_dump_json(),
        edit.platform,
        edit.channel_id,
        edit.edited_by,
        edit.at.isoformat(),
    )


async def store_ready(db: Driver, prompt: Prompt, edit: QuestionEdit) -> bool:
    """Store `prompt` as the channel's question, inside the caller's transaction: created, or
    replacing the channel's own of its id (an open question given its model answer); False,
    nothing written, when the id is another channel's."""
    saved = await db.fetch(
        f"{_INSERT} ON CONFLICT (prompt_id) DO UPDATE SET body = excluded.body,"
        " edited_by = excluded.edited_by, edited_at = excluded.edited_at,"
        " version = team_questions.version + 1"
        " WHERE team_questions.platform = excluded.platform"
        " AND team_questions.channel_id = excluded.channel_id RETURNING 1",
        _values(prompt, edit),
    )
    return bool(saved)


class TeamQuestionTable(Table):
    """The `team_questions` table, on the bot's database connection and lock."""

    async def create(self, prompts: Sequence[Prompt], edit: QuestionEdit) -> bool:
        """Store new questions in one transaction, all or none: False, nothing stored, when a
        question of one of their ids is stored already (saved meanwhile by another admin)."""
        try:
            async with self._db.transaction() as db:
                for prompt in prompts:
                    created = await db.fetch(
                        f"{_INSERT} ON CONFLICT (prompt_id) DO NOTHING RETURNING 1",
                        _values(prompt, edit),
                    )
                    if not created:
                        raise _TakenError(prompt.id)
        except _TakenError:
            return False
        return True

    async def save(self, prompt: Prompt, edit: QuestionEdit, *, version: int) -> bool:
        """Replace the channel's stored question of the prompt's id if it is still at
        `version` (the one the editor showed); False, nothing saved, when another save came
        first or the question is not the channel's."""
        saved = await self._db.write(
            "UPDATE team_questions SET body = ?, edited_by = ?, edited_at = ?,"
            " version = version + 1 WHERE prompt_id = ? AND platform = ? AND channel_id = ?"
            " AND version = ? RETURNING 1",
            (
                prompt.model_dump_json(),
                edit.edited_by,
                edit.at.isoformat(),
                prompt.id,
                edit.platform,
                edit.channel_id,
                version,
            ),
        )
        return bool(saved)

    async def version(self, prompt_id: str) -> int | None:
        """How many times the stored question has been saved (None: none is stored)."""
        rows = await self._db.fetch(
            "SELECT version FROM team_questions WHERE prompt_id = ?", (prompt_id,)
        )
        return int(rows[0][0]) if rows else None

    async def owned(self) -> list[tuple[Prompt, Owner]]:
        """Every stored question with the channel (platform, channel id) it belongs to, the
        only one that sees it; each checked by the team rules again as it is read."""
        rows = await self._db.fetch(
            "SELECT body, platform, channel_id FROM team_questions ORDER BY prompt_id"
        )
        return [
            (
                Prompt.model_validate_json(row[0], context={"rules": "team"}),
                (str(row[1]), str(row[2])),
            )
            for row in rows
        ]

    async def all(self) -> list[Prompt]:
        """Every stored question, whichever channel's."""
        return [prompt for prompt, _ in await self.owned()]

    async def stamps(self) -> dict[str, str]:
        """When each stored question was last saved (and its version), by id: what a running
        process compares to see which questions another one saved since it last looked."""
        rows = await self._db.fetch("SELECT prompt_id, edited_at, version FROM team_questions")
        return {str(row[0]): f"{row[1]}#{row[2]}" for row in rows}

    async def load_into(self, bank: Bank) -> int:
        """Put every stored question in `bank`, as its channel's (a stored one replaces a
        file's of the same id); how many there were."""
        owned = await self.owned()
        for prompt, (platform, channel_id) in owned:
            bank.seen_from(platform, channel_id).put(prompt)
        return len(owned)
