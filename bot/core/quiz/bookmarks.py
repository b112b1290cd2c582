"""`/quiz bookmark` and `/quiz bookmarks`: a member keeps the questions they want to come back
to, in the channel they were asked in, and reads the list privately. A bookmark is of the main
question of the post the member is in (its thread, or the channel's latest), whatever step of
its follow-ups they are on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, word
from bot.core.ports import PostLookup
from bot.core.quiz.threads import current_post, no_post_key
from bot.core.turn import Turn
from content.bank import Bank

SHOWN = 15
"""Bookmarks listed at once; the reply says how many more there are."""


@dataclass(frozen=True)
class Bookmark:
    prompt_id: str
    saved_at: datetime


@dataclass(frozen=True)
class ToggleBookmark(Command):
    """`/quiz bookmark`: keep the question I am in to come back to, or take its bookmark away."""

    private = True


@dataclass(frozen=True)
class ShowBookmarks(Command):
    """`/quiz bookmarks`: the questions I bookmarked in this channel, privately."""

    private = True


class BookmarkStore(Protocol):
    """The one store this part writes (`bot.storage.bookmarks`)."""

    async def toggle_bookmark(
        self, *, platform: str, channel_id: str, user_id: str, prompt_id: str, at: datetime
    ) -> bool: ...

    async def bookmarks(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> list[Bookmark]: ...


BookmarkCommand = ToggleBookmark | ShowBookmarks


@dataclass(kw_only=True, eq=False)
class Bookmarks(CommandPart[BookmarkCommand]):
    """Serves its two commands whole (`bot.core.commands.CommandPart`)."""

    commands = Declared(
        serves=(ToggleBookmark, ShowBookmarks),
        verbs=(word("bookmark", ToggleBookmark()), word("bookmarks", ShowBookmarks())),
        help=("help_bookmarks",),
    )

    store: BookmarkStore
    posts: PostLookup
    bank: Bank
    clock: Callable[[], datetime]

    async def serve(self, command: BookmarkCommand, turn: Turn) -> None:
        if isinstance(command, ToggleBookmark):
            await self.toggle(turn)
        elif isinstance(command, ShowBookmarks):
            await self.show(turn)
        else:
            assert_never(command)

    async def toggle(self, turn: Turn) -> None:
        """Bookmark the question the member is in, or take its bookmark away."""
        post = await current_post(self.posts, turn.incoming)
        if post is None:
            await turn.error(no_post_key(turn.incoming))
            return
        saved = await self.store.toggle_bookmark(
            platform=post.platform,
            channel_id=post.channel_id,
            user_id=turn.user,
            prompt_id=post.prompt_id,
            at=self.clock(),
        )
        key = "bookmark_saved" if saved else "bookmark_removed"
        await turn.say(
            turn.t(key, id=post.prompt_id, question=self._question(turn, post.prompt_id)),
            ephemeral=True,
        )

    async def show(self, turn: Turn) -> None:
        """The member's bookmarks in this channel, the latest first."""
        marks = await self.store.bookmarks(
            platform=turn.incoming.platform, channel_id=turn.incoming.channel_id, user_id=turn.user
        )
        if not marks:
            await turn.say(turn.t("bookmarks_none"), ephemeral=True)
            return
        lines = [turn.t("bookmarks_title", count=len(marks))]
        for mark in marks[:SHOWN]:
            lines.append(
                turn.t(
                    "bookmarks_line",
                    id=mark.prompt_id,
                    question=self._question(turn, mark.prompt_id),
                    day=mark.saved_at.date().isoformat(),
                )
            )
        if len(marks) > SHOWN:
            lines.append(turn.t("bookmarks_more", count=len(marks) - SHOWN))
        await turn.say("\n".join(lines), ephemeral=True)

    def _question(self, turn: Turn, prompt_id: str) -> str:
        """The question in the channel's language, as the channel sees the bank (its own saved
        questions included); one taken out of the bank since is said to be gone."""
        seen = self.bank.seen_from(turn.incoming.platform, turn.incoming.channel_id)
        if prompt_id not in seen:
            return turn.t("bookmark_gone")
        return seen.get(prompt_id).text.get(turn.lang)
