"""The quiz service: daily posts, and one entry point for every command or answer.

Platforms call `handle()` for each incoming message and `post_due()` from the scheduler;
everything members see goes out through the platform's `Transport`. All state lives in the
repository, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Generic, Protocol

from typing_extensions import TypeVar

from bot.core import commands as cmd
from bot.core import inbox
from bot.core.answering import AnswerFlow, FigureSource
from bot.core.appeals import Appeals
from bot.core.channel_settings import set_lang, set_schedule
from bot.core.inflight import InFlight
from bot.core.member_text import member_text
from bot.core.messages import (
    Actor,
    ChannelUnreachableError,
    Incoming,
    QuestionCard,
    Reply,
    ReplyKind,
    Transport,
)
from bot.core.models import ChannelRow, PostRow
from bot.core.ports import ChannelStore
from bot.core.practice import Practice
from bot.core.replicas import new_replica_id
from bot.core.reports import Reports
from bot.core.selection import choose_prompt, topic_means
from bot.core.sign_in import SignInLinks, send_sign_in_link
from bot.core.texts import text
from bot.core.turn import Turn, channel_schedule
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.grade import EmbeddingUnavailableError, Grader

log = logging.getLogger("quizmaster.core")

ACTIVE_DAYS = 14
PENDING_PER_ROUND = 50

Clock = Callable[[], datetime]

Store_co = TypeVar("Store_co", bound=ChannelStore, covariant=True, default=ChannelStore)
"""The storage the service was built on: the core needs only its `ChannelStore` port, while the
composition root (and a test) keeps the full type of what it passed in."""


@dataclass(frozen=True)
class ChannelDefaults:
    """What a channel starts with the first time the bot hears from it; the values, and their
    checks, are the settings' (`bot.app.channel_defaults`)."""

    lang: Lang
    timezone: str
    post_time: str
    days: str
    catch_up: bool
    hint_cap: int
    prefer_due: bool  # daily question: the one due for the most active members first


class DemoDesk(FigureSource, Protocol):
    """The `/demo` hand-off to the compute service; the core only forwards the request."""

    async def list_demos(self, turn: Turn) -> None: ...

    async def run_demo(self, turn: Turn, name: str, params: dict[str, str]) -> None: ...

    async def demo_names(self) -> list[str]:
        """The demos the service offers, for suggestions; raises ComputeError when it is down."""
        ...


def _member_text(incoming: Incoming) -> Incoming:
    """Where member text enters the core, typed or in a command's options, it is put under the
    member-text rule (`bot.core.member_text`): parsing, storage, grading and replies after it
    all take it."""
    return replace(
        incoming,
        text=member_text(incoming.text),
        actor=replace(incoming.actor, display_name=member_text(incoming.actor.display_name)),
        command=None if incoming.command is None else cmd.member_command(incoming.command),
    )


class QuizService(Generic[Store_co]):
    """Takes its collaborators ready-made: `bot.app.build_quiz_service` wires them, on the same
    repository, bank, grader and clock."""

    def __init__(
        self,
        *,
        repo: Store_co,
        bank: Bank,
        grader: Grader,
        defaults: ChannelDefaults,
        clock: Clock,
        demos: DemoDesk | None,
        practice: Practice,
        answers: AnswerFlow,
        reports: Reports,
        appeals: Appeals,
        in_flight: InFlight,
        sign_in: SignInLinks | None = None,
        replica_id: str | None = None,
    ) -> None:
        self.repo = repo
        self.replica_id = replica_id or new_replica_id()
        """The id of this process's heartbeat, which its message claims carry."""
        self.bank = bank
        self.grader = grader
        self.defaults = defaults
        self.clock = clock
        self.demos = demos
        self.in_flight = in_flight
        self.practice = practice
        self.answers = answers
        self.reports = reports
        self.sign_in = sign_in
        self.appeals = appeals

    def _new_channel(self, platform: str, channel_id: str) -> ChannelRow:
        """A channel as the defaults make it, checked up to now."""
        return ChannelRow(
            platform=platform,
            channel_id=channel_id,
            lang=self.defaults.lang,
            timezone=self.defaults.timezone,
            post_time=self.defaults.post_time,
            days=self.defaults.days,
            catch_up=self.defaults.catch_up,
            checked_until=self.clock(),
        )

    async def channel(self, platform: str, channel_id: str) -> ChannelRow:
        """The channel's settings, created from the defaults on first contact."""
        fresh = self._new_channel(platform, channel_id)
        return await self.repo.ensure_channel(fresh, created_at=fresh.checked_until)

    # posting --------------------------------------------------------------------------------

    async def _choose(self, channel: ChannelRow) -> Prompt:
        posts = await self.repo.posts(platform=channel.platform, channel_id=channel.channel_id)
        answers = await self.repo.channel_answers(
            platform=channel.platform, channel_id=channel.channel_id
        )
        means = topic_means(self.bank, ((a.prompt_id, a.score) for a in answers))
        due = await self._due_for_active(channel) if self.defaults.prefer_due else None
        return choose_prompt(self.bank, (p.prompt_id for p in posts), means, due=due)

    async def _due_for_active(self, channel: ChannelRow) -> dict[str, int]:
        """Prompt id -> members who answered here in the last two weeks and have its practice
        card due now: a daily question that doubles as their review."""
        today = channel_schedule(channel).local_day(self.clock())
        active = await self.repo.active_members(
            platform=channel.platform,
            channel_id=channel.channel_id,
            since=today - timedelta(days=ACTIVE_DAYS - 1),
        )
        return dict(await self.practice.due_counts(channel.platform, active))

    def question_reply(self, channel: ChannelRow, post: PostRow) -> Reply:
        lang = channel.lang
        prompt = self.bank.get(post.prompt_id)
        day = post.day.isoformat()
        title = text(lang, "question_title", day=day)
        body = prompt.text.get(lang)
        return Reply(
            channel_id=channel.channel_id,
            text=f"**{title}**\n{text(lang, 'question_body', text=body)}",
            kind=ReplyKind.QUESTION,
            open_thread=True,
            thread_title=title,
            card=QuestionCard(
                prompt_id=prompt.id,
                title=title,
                body=body,
                topic=", ".join(prompt.topics),
                day=day,
                post_id=post.id,
            ),
        )

    async def post_question(
        self,
        channel: ChannelRow,
        transport: Transport,
        *,
        day: date,
        scheduled: bool,
        prompt: Prompt | None = None,
    ) -> PostRow | None:
        """Claim the post in the database first, then send it: a scheduled channel-day is never
        posted twice, and a post claimed by a replica killed before sending it is sent by
        another (`resume_unfinished`). None: already posted. `prompt`: this main question
        instead of the selection's choice."""
        if prompt is None:
            prompt = await self._choose(channel)
        post = await self.repo.claim_post(
            platform=channel.platform,
            channel_id=channel.channel_id,
            day=day,
            prompt_id=prompt.id,
            scheduled=scheduled,
            posted_at=self.clock(),
            replica_id=self.replica_id,
        )
        if post is None:
            return None
        return await self._send_post(channel, post, transport)

    async def _send_post(
        self, channel: ChannelRow, post: PostRow, transport: Transport, *, taken_over: bool = False
    ) -> PostRow:
        """Send a claimed post and record where it landed. `taken_over`: its replica was killed
        after claiming it, maybe after sending it too, so the channel is asked first: sending
        again would open a second thread, and the answers in the first would find no question."""
        prompt = self.bank.get(post.prompt_id)
        day, scheduled = post.day, post.scheduled
        reply = self.question_reply(channel, post)
        try:
            posted = (
                await transport.find_question(reply, since=post.posted_at) if taken_over else None
            )
            if posted is not None:
                log.warning(
                    "post %d was sent before its replica stopped; not sending it again", post.id
                )
            else:
                posted = await transport.send(reply)
        except ChannelUnreachableError:
            await self.repo.release_post(post_id=post.id)
            raise
        await self.repo.set_post_location(
            post_id=post.id, message_id=posted.message_id, thread_id=posted.thread_id
        )
        log.info(
            "posted prompt=%s channel=%s day=%s scheduled=%s",
            prompt.id,
            channel.channel_id,
            day,
            scheduled,
        )
        return replace(post, message_id=posted.message_id, thread_id=posted.thread_id)

    async def post_due(self, platform: str, transport: Transport) -> list[PostRow]:
        """One scheduler tick: post every channel whose scheduled time passed since its last
        check (at most one post per channel per tick; the database refuses repeats)."""
        now = self.clock()
        made = []
        for channel in await self.repo.channels(platform=platform):
            after = channel.checked_until
            if now <= after:
                continue
            try:
                schedule = channel_schedule(channel)
                day = schedule.day_to_post(after, now, catch_up=channel.catch_up)
                if day is not None:
                    post = await self.post_question(channel, transport, day=day, scheduled=True)
                    if post is not None:
                        made.append(post)
            except ChannelUnreachableError as exc:
                log.warning("scheduled post skipped channel=%s: %s", channel.channel_id, exc)
            except Exception:
                log.exception("scheduled post failed channel=%s", channel.channel_id)
            await self.repo.set_checked_until(
                platform=platform, channel_id=channel.channel_id, instant=now
            )
        return made

    async def post_today(
        self, platform: str, channel_id: str, transport: Transport, *, prompt: Prompt | None = None
    ) -> PostRow:
        """Post a question now (`/quiz now`): it takes today's scheduled slot while that is
        free, so the scheduler will not post again today; otherwise it is an extra."""
        channel = await self.channel(platform, channel_id)
        today = channel_schedule(channel).local_day(self.clock())
        post = await self.post_question(
            channel, transport, day=today, scheduled=True, prompt=prompt
        )
        if post is None:
            post = await self.post_question(
                channel, transport, day=today, scheduled=False, prompt=prompt
            )
        assert post is not None, "an unscheduled post is never refused"
        return post

    async def _todays_latest(self, channel: ChannelRow) -> PostRow | None:
        """The channel's latest post when it is from today (local time), else None."""
        latest = await self.repo.latest_post(
            platform=channel.platform, channel_id=channel.channel_id
        )
        today = channel_schedule(channel).local_day(self.clock())
        return latest if latest is not None and latest.day == today else None

    async def show_today(self, platform: str, channel_id: str, transport: Transport) -> None:
        """Console start: show today's question, posting it if the day has none yet."""
        channel = await self.channel(platform, channel_id)
        latest = await self._todays_latest(channel)
        if latest is not None:
            await transport.send(self.question_reply(channel, latest))
            log.info("showed prompt=%s channel=%s day=%s", latest.prompt_id, channel_id, latest.day)
        else:
            await self.post_today(platform, channel_id, transport)

    async def _post_now(self, turn: Turn, prompt_id: str | None, *, extra: bool) -> None:
        """`/quiz now [prompt-id|extra]`: post the named main question now (the selection's
        choice without one), or say why not and what to type instead (an unknown id with the
        closest known ones, a follow-up with its main question). In a channel each question has
        its thread, so a second one is harmless; without threads every answer goes to the
        latest question, so plain `now` shows today's again and says how to get an extra one."""
        if prompt_id is None:
            if turn.incoming.threadless and not extra:
                latest = await self._todays_latest(turn.channel)
                if latest is not None:
                    await turn.transport.send(self.question_reply(turn.channel, latest))
                    await turn.say(turn.t("now_again"))
                    return
            await self.post_today(turn.channel.platform, turn.channel.channel_id, turn.transport)
            return
        if prompt_id not in self.bank:
            mains = [p.id for p in self.bank.mains()]
            close = difflib.get_close_matches(prompt_id, mains, n=3, cutoff=0.6)
            known = ", ".join(close or mains[:3])
            await turn.error("now_unknown_prompt", detail=prompt_id, known=known)
            return
        prompt = self.bank.get(prompt_id)
        if prompt.parent is not None:
            await turn.error("now_followup", detail=prompt_id, main=prompt.parent)
            return
        await self.post_today(
            turn.channel.platform, turn.channel.channel_id, turn.transport, prompt=prompt
        )

    async def grade_pending(self, platform: str, transport: Transport) -> int:
        """One retry round (each scheduler tick): grade answers kept while the embedding server
        was unavailable, oldest first, replying in their threads. Stops at the first answer the
        server still cannot take; returns how many were graded."""
        graded = 0
        for pending in await self.repo.pending_answers(platform=platform, limit=PENDING_PER_ROUND):
            channel = await self.channel(platform, pending.channel_id)
            name = await self.repo.display_name(platform=platform, user_id=pending.user_id)
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
                if await self.answers.grade_pending(Turn(incoming, channel, transport), pending):
                    graded += 1
            except EmbeddingUnavailableError as exc:
                log.info("pending answers wait: embedding server unavailable (%s)", exc.reason)
                break
            except Exception:
                log.exception(
                    "grading pending answer %s failed; kept for the next round", pending.id
                )
        if graded:
            log.info("graded %d pending answer(s) platform=%s", graded, platform)
        return graded

    # incoming -------------------------------------------------------------------------------

    async def hold(self, incoming: Incoming) -> bool:
        """Claim a message, keeping it in its claim, before the platform is told it arrived
        (a Slack event is acknowledged before its listener runs): a replica killed after the
        acknowledgement leaves the message for another. `handle(..., held=True)` then handles
        it. False: already claimed (a redelivery). The sender's name is not known yet: the
        claim keeps their id in its place."""
        incoming = _member_text(incoming)
        kept = inbox.held(incoming)
        if incoming.message_id is None or kept is None:
            raise ValueError("only a message with an id the core can resume is held")
        return await self.repo.claim_message(
            platform=incoming.platform,
            message_id=incoming.message_id,
            received_at=incoming.received_at or self.clock(),
            user_id=None,
            display_name=None,
            replica_id=self.replica_id,
            incoming=kept,
        )

    async def handle(self, incoming: Incoming, transport: Transport, *, held: bool = False) -> None:
        """Handle one command or answer, tracked in `in_flight` so that a stop lets it finish
        (the platform has acknowledged it already: turning it away would lose it). `held`:
        `hold` claimed it already."""
        with self.in_flight.track():
            await self._handle(incoming, transport, held=held)

    async def _handle(self, incoming: Incoming, transport: Transport, *, held: bool) -> None:
        """A redelivered message id is dropped; a failure releases the claim so the platform's
        retry can succeed, and tells the member. The claim keeps the message until its replies
        are out (`bot.core.inbox`): a cancel (at stop) leaves it there for a live replica to
        finish, and a message that cannot be kept is released instead."""
        incoming = _member_text(incoming)
        received = incoming.received_at or self.clock()
        claimed = False
        kept = inbox.held(incoming) if incoming.message_id is not None else None
        try:
            actor = incoming.actor
            if held:
                claimed = True
                await self.repo.remember_user(
                    platform=incoming.platform,
                    user_id=actor.user_id,
                    display_name=actor.display_name,
                )
            elif incoming.message_id is not None:
                if not await self.repo.claim_message(
                    platform=incoming.platform,
                    message_id=incoming.message_id,
                    received_at=received,
                    user_id=actor.user_id,
                    display_name=actor.display_name,
                    replica_id=None if kept is None else self.replica_id,
                    incoming=kept,
                ):
                    log.info("duplicate delivery dropped message=%s", incoming.message_id)
                    return
                claimed = True
            else:
                await self.repo.remember_user(
                    platform=incoming.platform,
                    user_id=actor.user_id,
                    display_name=actor.display_name,
                )
            channel = await self.channel(incoming.platform, incoming.channel_id)
            command = incoming.command if incoming.command is not None else cmd.parse(incoming.text)
            await self._dispatch(command, Turn(incoming, channel, transport))
            if kept is not None:
                await self._finish(incoming)
        except asyncio.CancelledError:
            if claimed and kept is None:
                await self._release(incoming)
            raise
        except Exception:
            log.exception("handling failed message=%s", incoming.message_id)
            if claimed:
                await self._release(incoming)
            await Turn(incoming, await self._channel_for_error(incoming), transport).error(
                "internal_error"
            )

    async def resume_unfinished(
        self, platform: str, transport: Transport, *, alive_since: datetime
    ) -> int:
        """Finish the messages that replicas silent since `alive_since` claimed and left (a
        killed process, or one stopped before they were done): each is taken over first, so
        two live replicas never both finish one; posts they claimed and never sent are sent.
        Returns how many messages and posts were finished here."""
        finished = 0
        for post in await self.repo.unsent_posts(platform=platform, alive_since=alive_since):
            if await self.repo.take_over_post(
                post, replica_id=self.replica_id, alive_since=alive_since
            ):
                log.warning("taking over post %d left unsent by a silent replica", post.id)
                await self._send_post(
                    await self.channel(platform, post.channel_id), post, transport, taken_over=True
                )
                finished += 1
        for claim in await self.repo.unfinished_claims(
            platform=platform, alive_since=alive_since, limit=PENDING_PER_ROUND
        ):
            if not await self.repo.take_over(claim, replica_id=self.replica_id):
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
            await self.repo.ensure_member(
                platform=incoming.platform,
                user_id=incoming.actor.user_id,
                display_name=incoming.actor.display_name,
            )
            channel = await self.channel(incoming.platform, incoming.channel_id)
            turn = Turn(incoming, channel, transport)
            stored = await self.repo.answer_to_message(
                platform=incoming.platform, message_id=incoming.message_id
            )
            if stored is not None:
                await self.answers.resend_grade(turn, *stored)
            else:
                command = incoming.command or cmd.parse(incoming.text)
                await self._dispatch(command, turn)
            await self._finish(incoming)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("finishing a taken-over message=%s failed", incoming.message_id)
            await self._release(incoming)
            await Turn(incoming, await self._channel_for_error(incoming), transport).error(
                "internal_error"
            )

    async def _finish(self, incoming: Incoming) -> None:
        assert incoming.message_id is not None
        await self.repo.finish_message(platform=incoming.platform, message_id=incoming.message_id)

    async def _release(self, incoming: Incoming) -> None:
        """Forget the claim of a failed message; if even that fails (the database still locked),
        log it: the member is told all the same, and a fresh message is handled normally."""
        assert incoming.message_id is not None
        try:
            await self.repo.release_message(
                platform=incoming.platform, message_id=incoming.message_id
            )
        except Exception:
            log.exception(
                "could not release message=%s; a redelivery of it will be dropped",
                incoming.message_id,
            )

    async def _channel_for_error(self, incoming: Incoming) -> ChannelRow:
        """The channel's settings for the error reply, read without writing (a failure may be
        a locked database); the defaults if it cannot be read."""
        try:
            channel = await self.repo.channel(
                platform=incoming.platform, channel_id=incoming.channel_id
            )
        except Exception:
            log.exception("could not read channel=%s", incoming.channel_id)
            channel = None
        return channel or self._new_channel(incoming.platform, incoming.channel_id)

    async def _dispatch(self, command: cmd.Command, turn: Turn) -> None:
        if isinstance(command, cmd.ADMIN_COMMANDS) and not turn.incoming.actor.is_admin:
            await turn.error("admin_only")
            return
        match command:
            case cmd.Answer(answer):
                await self.answers.answer(turn, answer)
            case cmd.Next():
                await self.answers.next(turn)
            case cmd.Skip():
                await self.answers.skip(turn)
            case cmd.Hint():
                await self.answers.hint(turn)
            case cmd.Now(prompt_id, extra):
                await self._post_now(turn, prompt_id, extra=extra)
            case cmd.Reveal():
                await self.reports.reveal(turn)
            case cmd.Leaderboard(period):
                await self.reports.leaderboard(turn, period)
            case cmd.Stats(user):
                await self.reports.stats(turn, user)
            case cmd.SetSchedule(at, zone, days):
                await set_schedule(
                    turn, repo=self.repo, clock=self.clock, at=at, zone=zone, days=days
                )
            case cmd.SetLang(lang):
                await set_lang(turn, repo=self.repo, lang=lang)
            case cmd.DemoList() if self.demos is not None:
                await self.demos.list_demos(turn)
            case cmd.DemoRun(name, params) if self.demos is not None:
                await self.demos.run_demo(turn, name, params)
            case cmd.DemoList() | cmd.DemoRun():
                await turn.say(turn.t("demo_unavailable"), kind=ReplyKind.ERROR)
            case cmd.Practice():
                await self.practice.show(turn)
            case cmd.PracticeAnswer(answer):
                await self.practice.answer(turn, answer)
            case cmd.Review():
                await self.practice.status(turn)
            case cmd.Web():
                await send_sign_in_link(turn, self.sign_in)
            case cmd.Appeal(reason):
                await self.appeals.open(turn, reason)
            case cmd.Appeals():
                await self.appeals.queue(turn)
            case cmd.ResolveAppeal(appeal_id, score, note):
                await self.appeals.resolve(turn, appeal_id, score, note)
            case cmd.Help():
                await turn.say(turn.t("help", cap=self.defaults.hint_cap), ephemeral=True)
            case cmd.Invalid(key, detail):
                await turn.error(key, detail=detail)
