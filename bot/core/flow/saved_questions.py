"""Team questions another process saved, taken into this process's bank on each scheduler tick.

A Slack or Discord bot runs beside a separate `quizmaster web` on one database: a question an
admin writes or edits there, or an open question given its model answer, is saved in the
database and the page's own bank, never in the bot's. Loaded only at start, the bot would keep
such an open question open until a restart, telling every new answer it will be graded once the
team has a model answer that already exists. On each tick the bot compares when each stored
question was last saved with what it saw before and puts the changed ones in its bank; the
retry round of that tick (`Intake.grade_pending`, which skips only the questions still open)
then grades the answers kept for the question meanwhile.
"""

from __future__ import annotations

from typing import Protocol

from content.bank import Bank, Owner
from content.schema import Prompt


class SavedQuestionStore(Protocol):
    """The stored team questions (`bot.storage.team_questions.TeamQuestionTable`)."""

    async def stamps(self) -> dict[str, str]: ...

    async def owned(self) -> list[tuple[Prompt, Owner]]: ...


class SavedQuestions:
    """Brings the bank up to date with the questions saved in the database."""

    def __init__(self, store: SavedQuestionStore, bank: Bank) -> None:
        self.store = store
        self.bank = bank
        self._seen: dict[str, str] = {}

    async def take_new(self) -> int:
        """Put the questions saved since the last call in the bank, each as its channel's
        (every stored one on the first call: this process may have loaded the bank before
        another saved one); how many it put. Reads only the save times unless one changed."""
        stamps = await self.store.stamps()
        changed = {i for i, at in stamps.items() if self._seen.get(i) != at}
        if changed:
            for prompt, (platform, channel_id) in await self.store.owned():
                if prompt.id in changed:
                    self.bank.seen_from(platform, channel_id).put(prompt)
        self._seen = stamps
        return len(changed)
