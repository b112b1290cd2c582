"""Daily posting: a channel's first contact, choosing and sending its question (claimed in the
database first, so a scheduled channel-day is posted once), the scheduler's tick and `/quiz
now`."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Invalid, Option, Typed, Verb
from bot.core.messages import ChannelUnreachableError, QuestionCard, Reply, ReplyKind, Transport
from bot.core.models import ChannelRow, PostClaim, PostRow
from bot.core.ports import AnswerStore, ChannelStore, PostStore
from bot.core.quiz.practice import Practice
from bot.core.quiz.selection import choose_prompt, topic_means
from bot.core.telemetry import telemetry
from bot.core.texts import subject_name, text
from bot.core.turn import Turn, channel_schedule
from content.bank import Bank
from content.schema import Lang, Prompt

log = logging.getLogger("quizmaster.core")

ACTIVE_DAYS = 14

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Now(Command):
    """`/quiz now [prompt-id|extra]`: post a question now; the given main question, or the next
    one the selection picks (an admin trying a team bank's question names it). Without a thread
    per question (the console), plain `now` shows today's question again once it is up, and
    `extra` posts another."""

    admin = True

    prompt_id: str | None = None
    extra: bool = False


def now(words: Sequence[str]) -> Command:
    """`/quiz now` with what followed it: nothing, `extra`, or one prompt id."""
    if len(words) > 1:
        return Invalid("now_usage")
    if len(words) == 1 and words[0].lower() == "extra":
        return Now(extra=True)
    return Now(words[0].lower() if words else None)


VERBS = (Verb("now", lambda words, _rest: now(words), slash="quiz-admin", usage="now [prompt-id]"),)
TYPED = (
    Typed(
        "now",
        lambda values: now(values.text("prompt").split()),
        (Option("prompt"),),
        slash="quiz-admin",
    ),
)


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


class ActiveMembers(Protocol):
    """Who answered in a channel lately (the answers' figures, `bot.storage.boards.BoardTable`),
    whose due cards the daily question prefers."""

    async def active_members(self, *, platform: str, channel_id: str, since: date) -> list[str]:
        """Members who answered in the channel on or after a local day, most answers first."""
        ...


@dataclass(frozen=True)
class PostingStores:
    """The ports posting reads and writes."""

    channels: ChannelStore
    posts: PostStore
    answers: AnswerStore
    boards: ActiveMembers


class Posting(CommandPart[Now]):
    """Channels and their questions, for `replica_id` (the process whose claims these are)."""

    commands = Declared(serves=(Now,), verbs=VERBS, typed=TYPED, admin_help=("help_admin_now",))

    def __init__(
        self,
        *,
        stores: PostingStores,
        bank: Bank,
        practice: Practice,
        defaults: ChannelDefaults,
        clock: Clock,
        replica_id: str,
    ) -> None:
        self.stores = stores
        self.channels = stores.channels
        self.bank = bank
        self.practice = practice
        self.defaults = defaults
        self.clock = clock
        self.replica_id = replica_id

    def new_channel(self, platform: str, channel_id: str) -> ChannelRow:
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
        fresh = self.new_channel(platform, channel_id)
        return await self.channels.ensure_channel(fresh, created_at=fresh.checked_until)

    async def _choose(self, channel: ChannelRow) -> Prompt:
        posts = await self.stores.posts.posts(
            platform=channel.platform, channel_id=channel.channel_id
        )
        answers = await self.stores.answers.channel_answers(
            platform=channel.platform, channel_id=channel.channel_id
        )
        bank = self.bank.seen_from(channel.platform, channel.channel_id)
        means = topic_means(bank, ((a.prompt_id, a.score) for a in answers))
        due = await self._due_for_active(channel) if self.defaults.prefer_due else None
        return choose_prompt(
            bank, (p.prompt_id for p in posts), means, due=due, subjects=channel.subjects
        )

    async def _due_for_active(self, channel: ChannelRow) -> dict[str, int]:
        """Prompt id -> members who answered here in the last two weeks and have its practice
        card due now: a daily question that doubles as their review."""
        today = channel_schedule(channel).local_day(self.clock())
        active = await self.stores.boards.active_members(
            platform=channel.platform,
            channel_id=channel.channel_id,
            since=today - timedelta(days=ACTIVE_DAYS - 1),
        )
        return dict(await self.practice.due_counts(channel.platform, active))

    def _question(self, post: PostRow) -> Prompt:
        """A posted question: the bank's, or an open one still waiting for its model answer."""
        bank = self.bank.seen_from(post.platform, post.channel_id)
        return bank.open_question(post.prompt_id) or bank.get(post.prompt_id)

    def _subject(self, post: PostRow, prompt: Prompt) -> str:
        """The subject a posted question belongs to, as its channel sees the bank."""
        return self.bank.seen_from(post.platform, post.channel_id).subject(prompt)

    def question_reply(self, channel: ChannelRow, post: PostRow, *, threads: bool = True) -> Reply:
        """The post as the channel sees it: the day's question, or an extra one (`/quiz now`
        after the day's was posted); what to do with it, in a thread or (`threads` false: the
        console) by typing; an open question says its answers are kept and graded later."""
        lang = channel.lang
        prompt = self._question(post)
        day = post.day.isoformat()
        title = text(lang, "question_title" if post.scheduled else "extra_question_title", day=day)
        body = prompt.text.get(lang)
        if prompt.status == "waiting":
            body += "\n\n" + text(lang, "open_question_body")
            shown = body
        else:
            shown = text(lang, "question_body" if threads else "question_body_console", text=body)
        return Reply(
            channel_id=channel.channel_id,
            text=f"**{title}**\n{shown}",
            kind=ReplyKind.QUESTION,
            open_thread=True,
            thread_title=title,
            card=QuestionCard(
                prompt_id=prompt.id,
                title=title,
                body=body,
                topic=subject_name(
                    lang, self.bank.seen_from(post.platform, post.channel_id).subject(prompt)
                ),
                day=day,
                post_id=post.id,
            ),
            lang=lang,
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
        post = await self.stores.posts.claim_post(
            PostClaim(
                platform=channel.platform,
                channel_id=channel.channel_id,
                day=day,
                prompt_id=prompt.id,
                scheduled=scheduled,
                posted_at=self.clock(),
                replica_id=self.replica_id,
            )
        )
        if post is None:
            return None
        return await self.send_post(channel, post, transport)

    async def send_post(
        self, channel: ChannelRow, post: PostRow, transport: Transport, *, taken_over: bool = False
    ) -> PostRow:
        """Send a claimed post and record where it landed. `taken_over`: its replica was killed
        after claiming it, maybe after sending it too, so the channel is asked first: sending
        again would open a second thread, and the answers in the first would find no question."""
        prompt = self._question(post)
        day, scheduled = post.day, post.scheduled
        reply = self.question_reply(channel, post, threads=transport.threads)
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
            await self.stores.posts.release_post(post_id=post.id)
            raise
        await self.stores.posts.set_post_location(
            post_id=post.id, message_id=posted.message_id, thread_id=posted.thread_id
        )
        telemetry().post_sent(retried=taken_over)
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
        for channel in await self.channels.channels(platform=platform):
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
            await self.channels.set_checked_until(
                platform=platform, channel_id=channel.channel_id, instant=now
            )
        return made

    async def post_today(
        self, platform: str, channel_id: str, transport: Transport, *, prompt: Prompt | None = None
    ) -> PostRow:
        """Post a question now (`/quiz now`): on a scheduled day it takes the day's slot while
        that is free, so the scheduler will not post again today; otherwise (the slot taken,
        or a day the schedule does not post on) it is an extra."""
        channel = await self.channel(platform, channel_id)
        schedule = channel_schedule(channel)
        today = schedule.local_day(self.clock())
        post = None
        if schedule.is_post_day(today):
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
        latest = await self.stores.posts.latest_post(
            platform=channel.platform, channel_id=channel.channel_id
        )
        today = channel_schedule(channel).local_day(self.clock())
        return latest if latest is not None and latest.day == today else None

    async def show_today(self, platform: str, channel_id: str, transport: Transport) -> None:
        """Console start: show today's question, posting it if the day has none yet. Only the
        day's scheduled slot is claimed: a process starting beside another that claimed it first
        shows that question instead of posting an extra one. On a day the schedule does not
        post on, the start's question is an extra (`scheduled` is the schedule's word, not the
        first post's)."""
        channel = await self.channel(platform, channel_id)
        latest = await self._todays_latest(channel)
        if latest is None:
            schedule = channel_schedule(channel)
            today = schedule.local_day(self.clock())
            scheduled = schedule.is_post_day(today)
            posted = await self.post_question(channel, transport, day=today, scheduled=scheduled)
            if posted is not None:
                return
            latest = await self._todays_latest(channel)
            assert latest is not None, "the day's slot was claimed, so the day has a post"
        await transport.send(self.question_reply(channel, latest, threads=transport.threads))
        log.info("showed prompt=%s channel=%s day=%s", latest.prompt_id, channel_id, latest.day)

    async def serve(self, command: Now, turn: Turn) -> None:
        await self.post_now(turn, command.prompt_id, extra=command.extra)

    async def post_now(self, turn: Turn, prompt_id: str | None, *, extra: bool) -> None:
        """`/quiz now [prompt-id|extra]`: post the named main question now (the selection's
        choice without one), or say why not and what to type instead (an unknown id with the
        closest known ones, a follow-up with its main question; another channel's question,
        written or imported on its page, is not known here). In a channel each question has
        its thread, so a second one is harmless; without threads every answer goes to the
        latest question, so plain `now` shows today's again and says how to get an extra one."""
        if prompt_id is None:
            if turn.incoming.threadless and not extra:
                latest = await self._todays_latest(turn.channel)
                if latest is not None:
                    await turn.transport.send(
                        self.question_reply(turn.channel, latest, threads=False)
                    )
                    await turn.say(turn.t("now_again"))
                    return
            await self.post_today(turn.channel.platform, turn.channel.channel_id, turn.transport)
            return
        bank = self.bank.seen_from(turn.channel.platform, turn.channel.channel_id)
        opened = bank.open_question(prompt_id)
        if opened is not None:
            await self.post_today(
                turn.channel.platform, turn.channel.channel_id, turn.transport, prompt=opened
            )
            return
        if prompt_id not in bank:
            mains = [p.id for p in bank.mains()]
            close = difflib.get_close_matches(prompt_id, mains, n=3, cutoff=0.6)
            known = ", ".join(close or mains[:3])
            await turn.error("now_unknown_prompt", detail=prompt_id, known=known)
            return
        prompt = bank.get(prompt_id)
        if prompt.parent is not None:
            await turn.error("now_followup", detail=prompt_id, main=prompt.parent)
            return
        await self.post_today(
            turn.channel.platform, turn.channel.channel_id, turn.transport, prompt=prompt
        )
