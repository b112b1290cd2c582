"""Every store of the bot's database, on one connection, built here and nowhere else: what
`bot.wiring` hands the core and the web page, each part taking the stores (the `bot.core.ports`)
it uses. No SQL here: each store module is the only writer of its tables (`channels`, `posts`,
`claims`, `members`, `answers`, `boards`, `practice`, `sharing`, `digests`, `appeals`,
`notices`, `replicas`, `team_grades`, `model_answers`, `team_questions`, `web_sessions`,
`web_nonces`, `slack_installations`, `bookmarks`); `tests/bot/test_tables_owned.py` finds a
writer here for every table of the schema, which `quizmaster db copy` copies whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.storage.answers import AnswerTable
from bot.storage.appeals import AppealTable
from bot.storage.boards import BoardTable
from bot.storage.bookmarks import BookmarkTable
from bot.storage.channels import ChannelTable
from bot.storage.claims import ClaimTable
from bot.storage.database import Database
from bot.storage.digests import DigestTable
from bot.storage.members import MemberTable
from bot.storage.model_answers import ModelAnswerTable
from bot.storage.notices import NoticeTable
from bot.storage.posts import PostTable
from bot.storage.practice import PracticeTable
from bot.storage.replicas import ReplicaTable
from bot.storage.sharing import SharingTable
from bot.storage.team_grades import TeamGradeTable
from bot.storage.team_questions import TeamQuestionTable
from bot.storage.web_nonces import NonceLedger
from bot.storage.web_sessions import WebSessionTable

if TYPE_CHECKING:
    from bot.storage.slack_installations import SlackInstallationTable


@dataclass(frozen=True)
class Repository:
    """The stores, built on `db` (which `close` closes)."""

    db: Database
    channels: ChannelTable
    posts: PostTable
    claims: ClaimTable
    members: MemberTable
    answers: AnswerTable
    boards: BoardTable
    practice: PracticeTable
    sharing: SharingTable
    digests: DigestTable
    appeals: AppealTable
    notices: NoticeTable
    heartbeats: ReplicaTable
    team_grades: TeamGradeTable
    model_answers: ModelAnswerTable
    team_questions: TeamQuestionTable
    web_sessions: WebSessionTable
    nonces: NonceLedger
    bookmarks: BookmarkTable

    @classmethod
    def on(cls, db: Database) -> Repository:
        return cls(
            db=db,
            channels=ChannelTable(db),
            posts=PostTable(db),
            claims=ClaimTable(db),
            members=MemberTable(db),
            answers=AnswerTable(db),
            boards=BoardTable(db),
            practice=PracticeTable(db),
            sharing=SharingTable(db),
            digests=DigestTable(db),
            appeals=AppealTable(db),
            notices=NoticeTable(db),
            heartbeats=ReplicaTable(db),
            team_grades=TeamGradeTable(db),
            model_answers=ModelAnswerTable(db),
            team_questions=TeamQuestionTable(db),
            web_sessions=WebSessionTable(db),
            nonces=NonceLedger(db),
            bookmarks=BookmarkTable(db),
        )

    @classmethod
    async def open(cls, target: Path | str, *, pool_size: int = 1) -> Repository:
        """The stores on the database at `target`, migrated (see `Database.open`)."""
        return cls.on(await Database.open(target, pool_size=pool_size))

    def slack_installations(self, secret_key: str) -> SlackInstallationTable:
        """The Slack workspaces that installed the app, their tokens sealed with `secret_key`.
        Slack's modules load here, on first use: a bot on another platform never loads them."""
        from bot.storage.slack_installations import SlackInstallationTable, TokenSeal

        return SlackInstallationTable(self.db, TokenSeal(secret_key))

    async def close(self) -> None:
        await self.db.close()
