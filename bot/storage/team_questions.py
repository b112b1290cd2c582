"""Team questions written on the web page, kept in the database (`team_questions`) so they
survive restarts and reach every process on the database: each one adds them to its bank at
start (`load_into`), a running bot takes the ones saved since on its scheduler's tick
(`stamps`, `bot.core.flow.saved_questions`), and the process that saved one has put it in its
bank already."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Database
from content.bank import Bank
from content.schema import Prompt


class TeamQuestionTable:
    """The `team_questions` table, on the bot's database connection and lock."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self, prompt: Prompt, *, platform: str, channel_id: str, edited_by: str, at: datetime
    ) -> None:
        """Create the question, or replace the one of its id."""
        await self.save_all(
            [prompt], platform=platform, channel_id=channel_id, edited_by=edited_by, at=at
        )

    async def save_all(
        self, prompts: list[Prompt], *, platform: str, channel_id: str, edited_by: str, at: datetime
    ) -> None:
        """`save` for several questions in one transaction (imported notes): all or none."""
        edited = at.isoformat()
        async with self._db.transaction() as db:
            for prompt in prompts:
                await db.fetch(
                    "INSERT INTO team_questions (prompt_id, body, platform, channel_id,"
                    " edited_by, edited_at) VALUES (?,?,?,?,?,?) ON CONFLICT (prompt_id) DO UPDATE"
                    " SET body = excluded.body, platform = excluded.platform,"
                    " channel_id = excluded.channel_id, edited_by = excluded.edited_by,"
                    " edited_at = excluded.edited_at",
                    (prompt.id, prompt.model_dump_json(), platform, channel_id, edited_by, edited),
                )

    async def owners(self) -> dict[str, tuple[str, str]]:
        """The channel (platform, channel id) each question written on the web page belongs
        to, by id: the only channel whose pages show or change it."""
        rows = await self._db.fetch("SELECT prompt_id, platform, channel_id FROM team_questions")
        return {str(row[0]): (str(row[1]), str(row[2])) for row in rows}

    async def all(self) -> list[Prompt]:
        """Every stored question, checked by the team rules again as it is read."""
        rows = await self._db.fetch("SELECT body FROM team_questions ORDER BY prompt_id")
        return [Prompt.model_validate_json(row[0], context={"rules": "team"}) for row in rows]

    async def stamps(self) -> dict[str, str]:
        """When each stored question was last saved, by id: what a running process compares
        to see which questions another one saved since it last looked."""
        rows = await self._db.fetch("SELECT prompt_id, edited_at FROM team_questions")
        return {str(row[0]): str(row[1]) for row in rows}

    async def load_into(self, bank: Bank) -> int:
        """Put every stored question in `bank` (a stored one replaces a file's of the same id);
        how many there were."""
        prompts = await self.all()
        bank.put(*prompts)
        return len(prompts)
