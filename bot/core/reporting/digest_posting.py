"""The weekly digest in the channel: when it is due (after the week's last scheduled question,
or an admin's `/quiz digest <weekday HH:MM|off>`), posted once per channel and week whatever
moment a process dies (claimed in the database first, and looked for in the channel before it
is sent, as a scheduled post taken over is), and `/quiz week` for one member at any time."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Invalid, Option, Typed, Values, Verb, word
from bot.core.counted import tallies
from bot.core.member_text import cut
from bot.core.messages import ChannelUnreachableError, Reply, ReplyKind, Transport
from bot.core.models import ChannelRow
from bot.core.numerals import ascii_digits
from bot.core.ports import AnswerStore, ChannelStore, MemberStore, PostStore
from bot.core.quiz.posting import Clock
from bot.core.reporting.digest_chart import digest_image
from bot.core.reporting.digest_figures import (
    OpenQuestion,
    WeekDigest,
    digest_text,
    scheduled_days,
    week_digest,
)
from bot.core.reporting.teaching import Teaching
from bot.core.reporting.weeks import WEEK, week_of
from bot.core.schedule import WEEKDAY_NAMES, Schedule, ScheduleError, parse_time
from bot.core.texts import text
from bot.core.turn import Turn, channel_schedule
from content.bank import Bank
from evaluators.grade import EmbeddingUnavailableError

log = logging.getLogger("quizmaster.core")

OPEN_QUESTION_CHARS = 80
DIGEST_AFTER = timedelta(hours=8)
"""By default the digest follows the week's last scheduled question by this much: a working
day to answer it."""


@dataclass(frozen=True, kw_only=True)
class DigestClaim:
    """A channel-week's weekly digest, reserved by one process (`replica_id`, which sends it)
    at `claimed_at`, before it is sent."""

    platform: str
    channel_id: str
    week: date
    claimed_at: datetime
    replica_id: str | None


@dataclass(frozen=True)
class DigestTime:
    """When a channel's weekly digest is posted, as an admin set it (`/quiz digest`): a weekday
    (0 Monday) and a local HH:MM; both None: no digest. No row at all is the default."""

    weekday: int | None
    at: str | None


class DigestStore(Protocol):
    """The weekly digest: each channel's digest time, and each channel-week's digest claimed
    once before it is sent (`bot.core.reporting.digest_posting`)."""

    async def digest_time(self, *, platform: str, channel_id: str) -> DigestTime | None:
        """What an admin set; None: the default time."""
        ...

    async def set_digest_time(
        self, *, platform: str, channel_id: str, time: DigestTime
    ) -> None: ...

    async def digest_held(
        self, *, platform: str, channel_id: str, week: date, alive_since: datetime | None
    ) -> bool:
        """Sent, or claimed by a replica heard from since `alive_since` (None: claimed)."""
        ...

    async def claim_digest(
        self, claim: DigestClaim, *, alive_since: datetime | None = None
    ) -> bool:
        """True for the one process that reserves this channel-week's digest (with
        `alive_since`, also one taking over the unsent claim of a replica silent since)."""
        ...

    async def release_digest(self, *, platform: str, channel_id: str, week: date) -> None:
        """Forget a claimed digest that could not be sent."""
        ...

    async def set_digest_message(
        self, *, platform: str, channel_id: str, week: date, message_id: str
    ) -> None: ...


def digest_instant(schedule: Schedule, week: date, time: DigestTime | None) -> datetime | None:
    """When the digest of `week` is due, in UTC; None: no digest that week (it has no
    scheduled day, or the channel turned digests off)."""
    days = scheduled_days(schedule, week)
    if not days or (time is not None and (time.weekday is None or time.at is None)):
        return None
    if time is None or time.weekday is None or time.at is None:
        return schedule.instant_on(days[-1]) + DIGEST_AFTER
    local = datetime.combine(week + timedelta(days=time.weekday), parse_time(time.at))
    return local.replace(tzinfo=schedule.zone).astimezone(UTC)


def weekday_number(name: str) -> int | None:
    """0 for Monday: an English name or its first three letters, or a Korean day (월, 월요일)."""
    typed = name.strip().lower()
    if typed[:3] in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(typed[:3])
    korean = text("ko", "weekday_names").split(",")
    return korean.index(typed[0]) if typed and typed.removesuffix("요일") in korean else None


@dataclass(frozen=True)
class Week(Command):
    """`/quiz week`: this channel's weekly digest so far, privately."""

    private = True


@dataclass(frozen=True)
class SetDigest(Command):
    """`/quiz digest <weekday HH:MM|off>` (admins): when the weekly digest is posted;
    `weekday` and `at` None: no digest."""

    admin = True

    weekday: str | None
    at: str | None


def digest(words: Sequence[str]) -> Command:
    """`/quiz digest` with what followed it: `off`, or a weekday and a time (checked by the
    core, which names the weekdays it knows)."""
    if len(words) == 1 and words[0].lower() == "off":
        return SetDigest(None, None)
    if len(words) != 2:
        return Invalid("digest_usage")
    return SetDigest(words[0].lower(), ascii_digits(words[1]))


VERBS = (
    word("week", Week()),
    Verb(
        "digest",
        lambda words, _rest: digest(words),
        slash="quiz-admin",
        usage="digest <weekday HH:MM|off>",
    ),
)


def typed_digest(values: Values) -> Command:
    """`/quiz-admin digest day [time]` typed: `off` takes no time."""
    day, at = values.text("day"), values.text("time").strip()
    return digest([day] if day == "off" or not at else [day, at])


TYPED = (
    Typed(
        "digest",
        typed_digest,
        (
            Option("day", required=True, choices=(*WEEKDAY_NAMES, "off")),
            Option("time", least=4, most=5),
        ),
        slash="quiz-admin",
    ),
)

DigestCommand = Week | SetDigest


@dataclass(kw_only=True, eq=False)
class Digests(CommandPart[DigestCommand]):
    """Builds, posts and shows the weekly digest, for `replica_id` (whose claims these are);
    serves `/quiz week` and `/quiz digest`."""

    commands = Declared(
        serves=(Week, SetDigest),
        verbs=VERBS,
        typed=TYPED,
        help=("help_week",),
        admin_help=("help_admin_digest",),
    )

    channels: ChannelStore
    posts: PostStore
    answers: AnswerStore
    members: MemberStore
    digests: DigestStore
    bank: Bank
    clock: Clock
    replica_id: str
    teaching: Teaching | None = None

    async def digest(self, channel: ChannelRow, week: date) -> WeekDigest:
        answers = await self.answers.channel_answers(
            platform=channel.platform, channel_id=channel.channel_id
        )
        names = {
            user: await self.members.display_name(platform=channel.platform, user_id=user)
            for user in {a.user_id for a in answers if week <= a.day < week + WEEK}
        }
        today = channel_schedule(channel).local_day(self.clock())
        digest = week_digest(
            channel=channel,
            bank=self.bank.seen_from(channel.platform, channel.channel_id),
            answers=answers,
            names=names,
            week=week,
            today=today,
        )
        return replace(
            digest,
            open_questions=await self._open_questions(channel),
            to_teach=await self._to_teach(channel),
        )

    async def _open_questions(self, channel: ChannelRow) -> tuple[OpenQuestion, ...]:
        """The open questions with answers kept in this channel (they wait for an admin to
        write the model answer on the web page)."""
        found = []
        for question in self.bank.seen_from(channel.platform, channel.channel_id).open_questions():
            kept = await self.answers.open_answers(
                platform=channel.platform, channel_id=channel.channel_id, prompt_id=question.id
            )
            if kept:
                body = cut(question.text.get(channel.lang), OPEN_QUESTION_CHARS)
                found.append(OpenQuestion(question.id, body, len(kept)))
        return tuple(found)

    async def _to_teach(self, channel: ChannelRow) -> int:
        """How many answer groups wait for a team grade; 0 without an embedding model, or
        while its server is down (the digest goes out without the line)."""
        if self.teaching is None:
            return 0
        try:
            waiting = await self.teaching.waiting(
                platform=channel.platform, channel_id=channel.channel_id
            )
        except EmbeddingUnavailableError as exc:
            log.warning("digest without answer groups, embedding server unavailable: %s", exc)
            return 0
        return len(waiting)

    async def reply(self, channel: ChannelRow, week: date) -> Reply:
        """The digest as a public reply in the channel, its chart attached."""
        digest = await self.digest(channel, week)
        return Reply(
            channel_id=channel.channel_id,
            text=digest_text(digest),
            kind=ReplyKind.LEADERBOARD,
            images=(await digest_image(digest),),
            lang=channel.lang,
        )

    async def channel_reply(self, channel: ChannelRow, week: date) -> Reply:
        """The digest as posted in the channel once: keyed by its week, so a replica finishing
        it finds what is out (`Transport.find_question`)."""
        return replace(await self.reply(channel, week), once=f"digest-{week.isoformat()}")

    async def due_week(self, channel: ChannelRow, now: datetime) -> date | None:
        """The latest week whose digest time has passed (this week's, else last week's): a
        digest missed while the bot was down is posted once, late, and an older one never.
        None when that time came before the channel did: a channel met on a Saturday is not
        sent "this week's" digest of a week it was not there for."""
        schedule = channel_schedule(channel)
        time = await self.digests.digest_time(
            platform=channel.platform, channel_id=channel.channel_id
        )
        this_week = week_of(schedule.local_day(now))
        for week in (this_week, this_week - WEEK):
            at = digest_instant(schedule, week, time)
            if at is not None and at <= now:
                existed = channel.created_at is None or channel.created_at <= at
                return week if existed else None
        return None

    async def post_due(
        self, platform: str, transport: Transport, *, alive_since: datetime | None = None
    ) -> list[tuple[str, date]]:
        """One scheduler tick: post each channel's due digest that no process has posted, for
        a week that had answers; (channel, week) of those posted here. With `alive_since`, a
        digest claimed by a replica silent since then and never recorded is finished here: what
        of it is in the channel already (a replica killed after sending its text, or its chart)
        is found there and not sent again."""
        now = self.clock()
        posted = []
        for channel in await self.channels.channels(platform=platform):
            try:
                week = await self.due_week(channel, now)
                if week is not None and await self._post(
                    channel, week, transport, now, alive_since
                ):
                    posted.append((channel.channel_id, week))
            except ChannelUnreachableError as exc:
                log.warning("weekly digest skipped channel=%s: %s", channel.channel_id, exc)
            except Exception:
                log.exception("weekly digest failed channel=%s", channel.channel_id)
        return posted

    async def _post(
        self,
        channel: ChannelRow,
        week: date,
        transport: Transport,
        now: datetime,
        alive_since: datetime | None,
    ) -> bool:
        platform, channel_id = channel.platform, channel.channel_id
        if await self.digests.digest_held(
            platform=platform, channel_id=channel_id, week=week, alive_since=alive_since
        ):
            return False
        posts = await self.posts.posts(platform=platform, channel_id=channel_id)
        if not any(week <= post.day < week + WEEK for post in posts):
            return False  # no question that week (a channel new since): nothing to look back on
        if not await self.digests.claim_digest(
            self._claim(channel, week, now), alive_since=alive_since
        ):
            return False
        if not await self._answered(channel, week):
            await self.digests.set_digest_message(
                platform=platform, channel_id=channel_id, week=week, message_id=""
            )
            log.info("no weekly digest channel=%s week=%s: no answers", channel_id, week)
            return False
        reply = await self.channel_reply(channel, week)
        try:
            sent = await transport.find_question(reply, since=await self._due(channel, week))
            if sent is not None:
                log.warning("weekly digest channel=%s week=%s was out already", channel_id, week)
            else:
                sent = await transport.send(reply)
        except BaseException:
            await self.digests.release_digest(platform=platform, channel_id=channel_id, week=week)
            raise
        await self.digests.set_digest_message(
            platform=platform, channel_id=channel_id, week=week, message_id=sent.message_id
        )
        log.info("posted weekly digest channel=%s week=%s", channel.channel_id, week)
        return True

    async def _answered(self, channel: ChannelRow, week: date) -> bool:
        """Whether anyone gave a counted answer in `week` (`bot.core.counted`): a week without
        one gets no digest (an empty list and an empty chart), recorded as sent with no
        message so a late answer that week brings no digest after its time."""
        answers = await self.answers.channel_answers(
            platform=channel.platform, channel_id=channel.channel_id
        )
        return bool(tallies(a for a in answers if week <= a.day < week + WEEK))

    def _claim(self, channel: ChannelRow, week: date, now: datetime) -> DigestClaim:
        """This process's claim, made `now`, on the channel's digest of `week`."""
        return DigestClaim(
            platform=channel.platform,
            channel_id=channel.channel_id,
            week=week,
            claimed_at=now,
            replica_id=self.replica_id,
        )

    async def _due(self, channel: ChannelRow, week: date) -> datetime:
        """When the digest of `week` fell due: none of it can be in the channel from before."""
        schedule = channel_schedule(channel)
        time = await self.digests.digest_time(
            platform=channel.platform, channel_id=channel.channel_id
        )
        return digest_instant(schedule, week, time) or schedule.instant_on(week)

    async def serve(self, command: DigestCommand, turn: Turn) -> None:
        if isinstance(command, SetDigest):
            await self.set_time(turn, command.weekday, command.at)
        elif isinstance(command, Week):
            await self.show(turn)
        else:
            assert_never(command)

    async def show(self, turn: Turn) -> None:
        """`/quiz week`: this week's digest so far, for the caller alone."""
        week = week_of(channel_schedule(turn.channel).local_day(self.clock()))
        reply = await self.reply(turn.channel, week)
        await turn.say(reply.text, kind=reply.kind, ephemeral=True, images=reply.images)

    async def set_time(self, turn: Turn, weekday: str | None, at: str | None) -> None:
        """`/quiz digest <weekday HH:MM|off>` (admins)."""
        channel = turn.channel
        if weekday is None or at is None:
            time = DigestTime(None, None)
        else:
            day = weekday_number(weekday)
            if day is None:
                await turn.error("digest_bad_day", detail=weekday)
                return
            try:
                parsed = parse_time(at)
            except ScheduleError:
                await turn.error("digest_bad_time", detail=at)
                return
            time = DigestTime(day, parsed.strftime("%H:%M"))
        await self.digests.set_digest_time(
            platform=channel.platform, channel_id=channel.channel_id, time=time
        )
        if time.weekday is None:
            await turn.say(turn.t("digest_off"))
            return
        day_name = turn.t("weekday_names").split(",")[time.weekday]
        said = turn.t("digest_set", day=day_name, at=time.at, zone=channel.timezone)
        if await self._skip_passed(channel, time):
            said += " " + turn.t("digest_next_week", day=day_name)
        await turn.say(said)

    async def _skip_passed(self, channel: ChannelRow, time: DigestTime) -> bool:
        """Whether this week's digest time, as just set, has passed: then this week's digest is
        recorded as sent with no message, so the new time starts next week instead of posting
        this week's partial digest at once. An admin setting the day asks for the digest from
        then on, not for one now."""
        now = self.clock()
        schedule = channel_schedule(channel)
        week = week_of(schedule.local_day(now))
        at = digest_instant(schedule, week, time)
        if at is None or at > now:
            return False
        platform, channel_id = channel.platform, channel.channel_id
        if await self.digests.claim_digest(self._claim(channel, week, now)):
            await self.digests.set_digest_message(
                platform=platform, channel_id=channel_id, week=week, message_id=""
            )
        return True
