"""Replica takeover: what a replica silent since a moment claimed and left (a killed process,
or one stopped before it was done) is taken over, once, by a live one and finished here: posts
it claimed and never sent, and messages it claimed and never answered."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.core.flow import inbox
from bot.core.flow.intake import PENDING_PER_ROUND, Intake
from bot.core.flow.parts import parse
from bot.core.messages import Incoming, Transport
from bot.core.ports import PostStore
from bot.core.turn import Turn

log = logging.getLogger("quizmaster.core")


class Takeover:
    """Finishes other replicas' work with the intake's own parts (its claims, members, answers,
    posting, dispatcher and answer flow: the same ones, taken from it), and `intake` for a
    message's finish, release and error reply."""

    def __init__(self, *, posts: PostStore, intake: Intake) -> None:
        self.posts = posts
        self.intake = intake
        self.claims = intake.claims
        self.members = intake.members
        self.answers = intake.answers
        self.posting = intake.posting
        self.dispatcher = intake.dispatcher
        self.flow = intake.flow
        self.in_flight = intake.in_flight

    async def resume_unfinished(
        self, platform: str, transport: Transport, *, alive_since: datetime
    ) -> int:
        """Finish the messages that replicas silent since `alive_since` claimed and left (a
        killed process, or one stopped before they were done): each is taken over first, so
        two live replicas never both finish one; posts they claimed and never sent are sent.
        Returns how many messages and posts were finished here."""
        finished = 0
        for post in await self.posts.unsent_posts(platform=platform, alive_since=alive_since):
            if await self.posts.take_over_post(
                post, replica_id=self.posting.replica_id, alive_since=alive_since
            ):
                log.warning("taking over post %d left unsent by a silent replica", post.id)
                await self.posting.send_post(
                    await self.posting.channel(platform, post.channel_id),
                    post,
                    transport,
                    taken_over=True,
                )
                finished += 1
        for claim in await self.claims.unfinished_claims(
            platform=platform, alive_since=alive_since, limit=PENDING_PER_ROUND
        ):
            if not await self.claims.take_over(claim, replica_id=self.posting.replica_id):
                continue
            log.warning(
                "taking over message=%s left unfinished by replica %s",
                claim.message_id,
                claim.replica_id,
            )
            with self.in_flight.track():
                await self._resume(inbox.resumed(claim.incoming), transport)
            finished += 1
        return finished

    async def _resume(self, incoming: Incoming, transport: Transport) -> None:
        """Handle a taken-over message from where its replica stopped: an answer it stored is
        not graded again, only its grade is sent; anything else is handled as new."""
        assert incoming.message_id is not None
        try:
            await self.members.ensure_member(
                platform=incoming.platform,
                user_id=incoming.actor.user_id,
                display_name=incoming.actor.display_name,
            )
            channel = await self.posting.channel(incoming.platform, incoming.channel_id)
            turn = Turn(incoming, channel, transport)
            stored = await self.answers.answer_to_message(
                platform=incoming.platform, message_id=incoming.message_id
            )
            if stored is not None:
                await self.flow.resend_grade(turn, *stored)
            else:
                command = incoming.command or parse(incoming.text)
                await self.dispatcher.dispatch(command, turn)
            await self.intake.finish(incoming)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("finishing a taken-over message=%s failed", incoming.message_id)
            await self.intake.release(incoming)
            await Turn(incoming, await self.intake.channel_for_error(incoming), transport).error(
                "internal_error"
            )
