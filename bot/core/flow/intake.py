"""Intake: every incoming message claimed once by its platform id (and kept in its claim until
its replies are out), handed to the dispatcher, and released on failure so the platform's retry
can succeed; and the answers kept while grading was down, graded again each tick."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.core.commands import member_command
from bot.core.flow import inbox
from bot.core.flow.dispatch import Dispatcher
from bot.core.flow.parts import parse
from bot.core.inflight import InFlight
from bot.core.member_text import member_text, shown_to_others
from bot.core.messages import Actor, Incoming, Transport
from bot.core.models import ChannelRow
from bot.core.ports import AnswerStore, ChannelStore, MemberStore
from bot.core.quiz.answering import AnswerFlow
from bot.core.quiz.desk import grader_back_for_others
from bot.core.quiz.posting import Posting
from bot.core.quiz.practice import Practice
from bot.core.telemetry import telemetry
from bot.core.turn import Turn
from content.schema import Lang
from evaluators.grade import EmbeddingUnavailableError

log = logging.getLogger("quizmaster.core")

PENDING_PER_ROUND = 50


@dataclass(frozen=True, kw_only=True)
class MessageClaim:
    """A platform message id claimed when it is received, with its sender (None: not known
    yet, the claim keeps their id in its place) and, for a message the core can resume, the
    message as JSON (`incoming`, `bot.core.flow.inbox`) held for `replica_id` until it is
    handled."""

    platform: str
    message_id: str
    received_at: datetime
    user_id: str | None
    display_name: str | None
    replica_id: str | None = None
    incoming: str | None = None


@dataclass(frozen=True)
class UnfinishedClaim:
    """A claimed message whose handling has not finished: `incoming` is the message as JSON
    (`bot.core.flow.inbox`), `replica_id` the process that claimed it."""

    platform: str
    message_id: str
    replica_id: str
    incoming: str


class ClaimStore(Protocol):
    """Platform message ids claimed once, each holding its message until it is handled."""

    async def claim_message(self, claim: MessageClaim) -> bool:
        """True the first time a platform message id is seen; a redelivery returns False. The
        claim holds `incoming` (for `replica_id`) until `finish_message`."""
        ...

    async def release_message(self, *, platform: str, message_id: str) -> None: ...

    async def finish_message(self, *, platform: str, message_id: str) -> None: ...

    async def unfinished_claims(
        self, *, platform: str, alive_since: datetime, limit: int
    ) -> list[UnfinishedClaim]:
        """Claims still holding their message, of replicas not heard from since `alive_since`."""
        ...

    async def take_over(self, claim: UnfinishedClaim, *, replica_id: str) -> bool:
        """False when another replica took the claim over first."""
        ...


def _member_actor(actor: Actor) -> Actor:
    return replace(actor, display_name=shown_to_others(member_text(actor.display_name)))


def _member_text(incoming: Incoming) -> Incoming:
    """Where member text enters the core, typed or in a command's options, it is put under the
    member-text rule (`bot.core.member_text`): parsing, storage, grading and replies after it
    all take it. A display name is shown to others as it comes, so it also formats nothing."""
    return replace(
        incoming,
        text=member_text(incoming.text),
        actor=_member_actor(incoming.actor),
        command=None if incoming.command is None else member_command(incoming.command),
    )


@dataclass(frozen=True)
class Held:
    """A message `Intake.hold` claimed before the platform acknowledged it, as the core took it
    in (under the member-text rule): `Intake.handle_held` handles this very message after the
    acknowledgement, so it is parsed and cleaned once."""

    incoming: Incoming

    def sent_by(self, actor: Actor) -> Held:
        """The same message with its sender as the platform names them, learnt after the
        acknowledgement (only the name is new text to clean)."""
        return Held(replace(self.incoming, actor=_member_actor(actor)))


@dataclass(kw_only=True, eq=False)
class Intake:
    """Takes its collaborators ready-made (`bot.wiring.wire` wires them; `flow` is
    the dispatcher's own answer flow, which grades the answers kept while grading was down)."""

    claims: ClaimStore
    members: MemberStore
    answers: AnswerStore
    channels: ChannelStore
    posting: Posting
    dispatcher: Dispatcher
    flow: AnswerFlow
    practice: Practice
    in_flight: InFlight

    async def grade_pending(self, platform: str, transport: Transport) -> int:
        """One retry round (each scheduler tick): grade answers kept while the embedding server
        was unavailable, oldest first, replying in their threads. An answer the grader refuses
        stays kept: the round goes on past one refused for its own numbers, and stops where the
        grader does not answer (`grader_back_for_others`); returns how many were graded."""
        graded = 0
        every = self.flow.bank.every_channel()  # a round serves every channel
        open_questions = [p.id for p in every.open_questions()]
        waiting = await self.answers.pending_answers(
            platform=platform, limit=PENDING_PER_ROUND, skip_prompts=open_questions
        )
        for pending in waiting:
            channel = await self.posting.channel(platform, pending.channel_id)
            name = await self.members.display_name(platform=platform, user_id=pending.user_id)
            actor = Actor(pending.user_id, name)
            incoming = Incoming(
                platform=platform,
                channel_id=pending.channel_id,
                actor=actor,
                text=pending.text,
                message_id=pending.message_id,
                thread_id=pending.thread_id,
            )
            try:
                if await self.flow.grade_pending(Turn(incoming, channel, transport), pending):
                    graded += 1
            except EmbeddingUnavailableError as exc:
                if not grader_back_for_others(exc):
                    log.info("pending answers wait: grader unavailable (%s)", exc.reason)
                    break
                log.warning("pending answer %s stays kept: %s", pending.id, exc.reason)
            except Exception:
                log.exception(
                    "grading pending answer %s failed; kept for the next round", pending.id
                )
        telemetry().pending_answers_left(platform, len(waiting) - graded)
        graded += await self._grade_kept_practice(platform, transport)
        if graded:
            log.info("graded %d pending answer(s) platform=%s", graded, platform)
        return graded

    async def _grade_kept_practice(self, platform: str, transport: Transport) -> int:
        """The practice answers kept while the grader was unavailable, graded as the channel's
        are (the same rule on a refusal), each told to its member privately."""
        graded = 0
        practice = self.practice
        for kept in await practice.kept(platform, limit=PENDING_PER_ROUND):
            channel = await self.posting.channel(platform, kept.channel_id)
            name = await self.members.display_name(platform=platform, user_id=kept.user_id)
            incoming = Incoming(
                platform=platform,
                channel_id=kept.channel_id,
                actor=Actor(kept.user_id, name),
                text=kept.text,
            )
            try:
                if await practice.grade_kept(Turn(incoming, channel, transport), kept):
                    graded += 1
            except EmbeddingUnavailableError as exc:
                if not grader_back_for_others(exc):
                    break
                log.warning("practice answer of %s stays kept: %s", kept.user_id, exc.reason)
            except Exception:
                log.exception("grading a kept practice answer of %s failed", kept.user_id)
        return graded

    async def hold(self, incoming: Incoming) -> Held | None:
        """Claim a message, keeping it in its claim, before the platform is told it arrived
        (a Slack event is acknowledged before its listener runs): a replica killed after the
        acknowledgement leaves the message for another. `handle_held` then handles what this
        returns. None: already claimed (a redelivery). The sender's name is not known yet: the
        claim keeps their id in its place."""
        incoming = _member_text(incoming)
        kept = inbox.held(incoming)
        if incoming.message_id is None or kept is None:
            raise ValueError("only a message with an id the core can resume is held")
        claimed = await self.claims.claim_message(
            MessageClaim(
                platform=incoming.platform,
                message_id=incoming.message_id,
                received_at=incoming.received_at or self.posting.clock(),
                user_id=None,
                display_name=None,
                replica_id=self.posting.replica_id,
                incoming=kept,
            )
        )
        return Held(incoming) if claimed else None

    async def handle(self, incoming: Incoming, transport: Transport) -> None:
        """Handle one command or answer, tracked in `in_flight` so that a stop lets it finish
        (the platform has acknowledged it already: turning it away would lose it)."""
        with self.in_flight.track():
            await self._handle(_member_text(incoming), transport, held=False)

    async def handle_held(self, held: Held, transport: Transport) -> None:
        """Handle the message `hold` claimed and took in, as it took it in."""
        with self.in_flight.track():
            await self._handle(held.incoming, transport, held=True)

    async def _handle(self, incoming: Incoming, transport: Transport, *, held: bool) -> None:
        """`incoming` is under the member-text rule already. A redelivered message id is
        dropped; a failure releases the claim so the platform's retry can succeed, and tells the
        member. The claim keeps the message until its replies are out (`bot.core.flow.inbox`): a
        cancel (at stop) leaves it there for a live replica to finish, and a message that
        cannot be kept is released instead."""
        received = incoming.received_at or self.posting.clock()
        claimed = False
        kept = inbox.held(incoming) if incoming.message_id is not None else None
        try:
            actor = incoming.actor
            if held:
                claimed = True
                await self.members.remember_user(
                    platform=incoming.platform,
                    user_id=actor.user_id,
                    display_name=actor.display_name,
                )
            elif incoming.message_id is not None:
                if not await self.claims.claim_message(
                    MessageClaim(
                        platform=incoming.platform,
                        message_id=incoming.message_id,
                        received_at=received,
                        user_id=actor.user_id,
                        display_name=actor.display_name,
                        replica_id=None if kept is None else self.posting.replica_id,
                        incoming=kept,
                    )
                ):
                    log.info("duplicate delivery dropped message=%s", incoming.message_id)
                    return
                claimed = True
            else:
                await self.members.remember_user(
                    platform=incoming.platform,
                    user_id=actor.user_id,
                    display_name=actor.display_name,
                )
            channel = await self.posting.channel(incoming.platform, incoming.channel_id)
            command = incoming.command if incoming.command is not None else parse(incoming.text)
            await self.dispatcher.dispatch(command, Turn(incoming, channel, transport))
            if kept is not None:
                await self.finish(incoming)
        except asyncio.CancelledError:
            if claimed and kept is None:
                await self.release(incoming)
            raise
        except Exception:
            log.exception("handling failed message=%s", incoming.message_id)
            if claimed:
                await self.release(incoming)
            await Turn(incoming, await self.channel_for_error(incoming), transport).error(
                "internal_error"
            )

    async def finish(self, incoming: Incoming) -> None:
        assert incoming.message_id is not None
        await self.claims.finish_message(platform=incoming.platform, message_id=incoming.message_id)

    async def release(self, incoming: Incoming) -> None:
        """Forget the claim of a failed message; if even that fails (the database still locked),
        log it: the member is told all the same, and a fresh message is handled normally."""
        assert incoming.message_id is not None
        try:
            await self.claims.release_message(
                platform=incoming.platform, message_id=incoming.message_id
            )
        except Exception:
            log.exception(
                "could not release message=%s; a redelivery of it will be dropped",
                incoming.message_id,
            )

    async def channel_for_error(self, incoming: Incoming) -> ChannelRow:
        """The channel's settings for the error reply, read without writing (a failure may be
        a locked database); the defaults if it cannot be read."""
        try:
            channel = await self.channels.channel(
                platform=incoming.platform, channel_id=incoming.channel_id
            )
        except Exception:
            log.exception("could not read channel=%s", incoming.channel_id)
            channel = None
        return channel or self.posting.new_channel(incoming.platform, incoming.channel_id)

    async def channel_lang(self, platform: str, channel_id: str) -> Lang:
        """The channel's language for what a platform shows before or instead of the core's
        reply (Discord's answer form, a failure the core did not answer), read as
        `channel_for_error` reads it."""
        where = Incoming(platform, channel_id, Actor(user_id="", display_name=""), "")
        return (await self.channel_for_error(where)).lang
