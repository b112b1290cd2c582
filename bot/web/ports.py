"""What the web page needs of storage beyond the core's `DashboardStore`: the team questions,
the sign-in nonce ledger and the sessions (`bot.storage` implements each; the page never
imports it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.core.models import QuestionEdit, WebSessionRow
from content.schema import Prompt


class QuestionStore(Protocol):
    """What the app needs of the team questions table (`bot.storage.team_questions`)."""

    async def create(self, prompts: Sequence[Prompt], edit: QuestionEdit) -> bool:
        """New questions in one transaction, all or none; False when one's id is stored."""
        ...

    async def save(self, prompt: Prompt, edit: QuestionEdit, *, version: int) -> bool:
        """The channel's question replaced if still at `version`; False otherwise."""
        ...

    async def version(self, prompt_id: str) -> int | None: ...


class NonceStore(Protocol):
    """What the app needs of the nonce ledger (`bot.storage.web_store.NonceLedger`)."""

    async def use(self, nonce: str, *, now: datetime, expires_at: datetime) -> bool:
        """True the first time `nonce` is used."""
        ...


class SessionStore(Protocol):
    """What the app needs of the sessions table (`bot.storage.web_sessions.WebSessionTable`)."""

    async def start(self, session: WebSessionRow) -> None: ...

    async def admin_rights(self, session_id: str, *, now: datetime) -> bool | None:
        """Whether the session carries admin rights; None once it has ended or expired."""
        ...

    async def end(self, session_id: str) -> None: ...
