"""The weekly digest in the channel: when it is due (after the week's last scheduled question,
or an admin's `/quiz digest <weekday HH:MM|off>`), posted once per channel and week (claimed
in the database first, as a scheduled post is), and `/quiz week` for one member at any time."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from bot.core.messages import ChannelUnreachableError, Reply, ReplyKind, Transport
from bot.core.models import ChannelRow, DigestTime
from bot.core.ports import AnswerStore, ChannelStore, DigestStore, MemberStore, PostStore
from bot.core.quiz.posting import Clock
from bot.core.reporting.digest_chart import digest_image
from bot.core.reporting.digest_figures import WeekDigest, digest_text, scheduled_days, week_digest
from bot.core.reporting.weeks import WEEK, week_of
from bot.core.schedule import WEEKDAY_NAMES, Schedule, ScheduleError, parse_time
from bot.core.texts import text
from bot.core.turn import Turn, channel_schedule
from content.bank import Bank

log = logging.getLogger("quizmaster.core")

DIGEST_AFTER = timedelta(hours=8)
"""By default the digest follows the week's last scheduled question by this much: a working
day to answer it."""


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
    word = name.strip().lower()
    if word[:3] in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(word[:3])
    korean = text("ko", "weekday_names").split(",")
    return korean.index(word[0]) if word and word.removesuffix("요일") in korean else None


class Digests:
    """Builds, posts and shows the weekly digest, for `replica_id` (whose claims these are)."""

    def __init__(
        self,
        *,
        channels: ChannelStore,
        posts: PostStore,
        answers: AnswerStore,
        members: MemberStore,
        digests: DigestStore,
        bank: Bank,
        clock: Clock,
        replica_id: str,
    ) -> None:
        self.channels = channels
        self.posts = posts
        self.answers = answers
        self.members = members
        self.digests = digests
        self.bank = bank
        self.clock = clock
        self.replica_id = replica_id

    async def digest(self, channel: ChannelRow, week: date) -> WeekDigest:
        answers = await self.answers.channel_answers(
            platform=channel.platform, channel_id=channel.channel_id
        )
        names = {
            user: await self.members.display_name(platform=channel.platform, user_id=user)
            for user in {a.user_id for a in answers if week <= a.day < week + WEEK}
        }
        today = channel_schedule(channel).local_day(self.clock())
        return week_digest(
            channel=channel, bank=self.bank, answers=answers, names=names, week=week, today=today
        )

    async def reply(self, channel: ChannelRow, week: date) -> Reply:
        """The digest as a public reply in the channel, its chart attached."""
        digest = await self.digest(channel, week)
        return Reply(
            channel_id=channel.channel_id,
            text=digest_text(digest),
            kind=ReplyKind.LEADERBOARD,
            images=(await digest_image(digest),),
        )

    async def due_week(self, channel: ChannelRow, now: datetime) -> date | None:
        """The latest week whose digest time has passed (this week's, else last week's): a
        digest missed while the bot was down is posted once, late, and an older one never."""
        schedule = channel_schedule(channel)
        time = await self.digests.digest_time(
            platform=channel.platform, channel_id=channel.channel_id
        )
        this_week = week_of(schedule.local_day(now))
        for week in (this_week, this_week - WEEK):
            at = digest_instant(schedule, week, time)
            if at is not None and at <= now:
                return week
        return None

    async def post_due(
        self, platform: str, transport: Transport, *, alive_since: datetime | None = None
    ) -> list[tuple[str, date]]:
        """One scheduler tick: post each channel's due digest that no process has posted, for
        a week that had questions; (channel, week) of those posted here. With `alive_since`, a
        digest claimed by a replica silent since then and never sent is sent here (a replica
        killed between the two; one killed after sending, before recording it, sends twice)."""
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
            platform=platform,
            channel_id=channel_id,
            week=week,
            claimed_at=now,
            replica_id=self.replica_id,
            alive_since=alive_since,
        ):
            return False
        try:
            sent = await transport.send(await self.reply(channel, week))
        except BaseException:
            await self.digests.release_digest(platform=platform, channel_id=channel_id, week=week)
            raise
        await self.digests.set_digest_message(
            platform=platform, channel_id=channel_id, week=week, message_id=sent.message_id
        )
        log.info("posted weekly digest channel=%s week=%s", channel.channel_id, week)
        return True

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
        else:
            await turn.say(
                turn.t(
                    "digest_set",
                    day=turn.t("weekday_names").split(",")[time.weekday],
                    at=time.at,
                    zone=channel.timezone,
                )
            )
