"""The quiz state machine: daily posts, answers and follow-ups, hints, reveal, leaderboards.

Platforms call `handle()` for each incoming command or answer and `post_due()` from the
scheduler; everything the members see goes out through the platform's `Transport`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.core import commands as cmd
from bot.core.messages import Incoming, Posted, QuestionCard, Reply, ReplyKind, Transport
from bot.core.schedule import Schedule, ScheduleError, format_days, parse_days, parse_time
from bot.core.schedule import parse_zone as parse_zone_name
from bot.core.selection import choose_prompt, topic_means
from bot.core.streaks import streak
from bot.core.texts import text
from bot.storage.records import ChannelRow, PostRow
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.grade import Grader

if TYPE_CHECKING:
    from bot.storage.repository import Repository

log = logging.getLogger("quizmaster.core")

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ChannelDefaults:
    """What a channel starts with the first time the bot hears from it."""

    lang: Lang = "ko"
    timezone: str = "Asia/Seoul"
    post_time: str = "09:00"
    days: str = "weekdays"
    catch_up: bool = True
    hint_cap: int = 80


class DemoDesk(Protocol):
    """The `/demo` hand-off (compute client); the core only forwards the request."""

    async def list_demos(self, incoming: Incoming, lang: Lang, transport: Transport) -> None: ...

    async def run_demo(
        self,
        *,
        incoming: Incoming,
        lang: Lang,
        name: str,
        params: dict[str, str],
        transport: Transport,
        thread_id: str | None,
    ) -> None: ...


def _lang(channel: ChannelRow) -> Lang:
    return "en" if channel.lang == "en" else "ko"


def _schedule(channel: ChannelRow) -> Schedule:
    return Schedule.parse(channel.post_time, channel.timezone, channel.days)


class QuizService:
    """One per process; stateless between calls (all state lives in the repository)."""

    def __init__(
        self,
        *,
        repo: Repository,
        bank: Bank,
        grader: Grader,
        defaults: ChannelDefaults,
        clock: Clock | None = None,
        demos: DemoDesk | None = None,
    ) -> None:
        self.repo = repo
        self.bank = bank
        self.grader = grader
        self.defaults = defaults
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.demos = demos

    # channels and posting -------------------------------------------------------------------

    async def channel(self, platform: str, channel_id: str) -> ChannelRow:
        now = self.clock().isoformat()
        return await self.repo.ensure_channel(
            ChannelRow(
                platform=platform,
                channel_id=channel_id,
                lang=self.defaults.lang,
                timezone=self.defaults.timezone,
                post_time=self.defaults.post_time,
                days=self.defaults.days,
                catch_up=self.defaults.catch_up,
                checked_until=now,
            ),
            created_at=now,
        )

    def sequence(self, post: PostRow) -> list[Prompt]:
        """The main question and its follow-ups, in order."""
        main = self.bank.get(post.prompt_id)
        return [main, *self.bank.followups(main.id)]

    async def _choose(self, channel: ChannelRow) -> Prompt:
        posts = await self.repo.posts(channel.platform, channel.channel_id)
        answers = await self.repo.channel_answers(channel.platform, channel.channel_id)
        means = topic_means(self.bank, ((a.prompt_id, a.score) for a in answers))
        return choose_prompt(self.bank, (p.prompt_id for p in posts), means)

    async def post_question(
        self, channel: ChannelRow, transport: Transport, *, day: date, scheduled: bool
    ) -> PostRow | None:
        """Claim the post in the database first, then send it: a crash in between loses one
        post rather than ever posting a channel-day twice."""
        prompt = await self._choose(channel)
        post = await self.repo.claim_post(
            platform=channel.platform,
            channel_id=channel.channel_id,
            day=day.isoformat(),
            prompt_id=prompt.id,
            scheduled=scheduled,
            posted_at=self.clock().isoformat(),
        )
        if post is None:
            return None
        posted = await transport.send(self._question_reply(channel, post, prompt))
        await self.repo.set_post_location(post.id, posted.message_id, posted.thread_id)
        log.info(
            "posted prompt=%s channel=%s day=%s scheduled=%s",
            prompt.id,
            channel.channel_id,
            day,
            scheduled,
        )
        return PostRow(
            **{**post.__dict__, "message_id": posted.message_id, "thread_id": posted.thread_id}
        )

    def _question_reply(self, channel: ChannelRow, post: PostRow, prompt: Prompt) -> Reply:
        lang = _lang(channel)
        title = text(lang, "question_title", day=post.day)
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
                day=post.day,
            ),
        )

    async def post_due(self, platform: str, transport: Transport) -> list[PostRow]:
        """One scheduler tick: post every channel whose scheduled time passed since its last
        check (at most one post per channel per tick; the database refuses repeats)."""
        now = self.clock()
        made = []
        for channel in await self.repo.channels(platform):
            after = datetime.fromisoformat(channel.checked_until)
            if now <= after:
                continue
            try:
                day = _schedule(channel).day_to_post(after, now, catch_up=channel.catch_up)
                if day is not None:
                    post = await self.post_question(channel, transport, day=day, scheduled=True)
                    if post is not None:
                        made.append(post)
            except Exception:
                log.exception("scheduled post failed channel=%s", channel.channel_id)
            await self.repo.set_checked_until(platform, channel.channel_id, now.isoformat())
        return made

    async def post_today(self, platform: str, channel_id: str, transport: Transport) -> PostRow:
        """Post today's question now (console start, `/quiz now`): claims today's scheduled
        slot if it is free, else posts the next question as an extra."""
        channel = await self.channel(platform, channel_id)
        today = _schedule(channel).local_day(self.clock())
        post = await self.post_question(channel, transport, day=today, scheduled=True)
        if post is None:
            post = await self.post_question(channel, transport, day=today, scheduled=False)
        assert post is not None
        return post

    async def show_today(self, platform: str, channel_id: str, transport: Transport) -> None:
        """Console start: show today's question, posting it if the day has none yet."""
        channel = await self.channel(platform, channel_id)
        latest = await self.repo.latest_post(platform, channel_id)
        today = _schedule(channel).local_day(self.clock()).isoformat()
        if latest is not None and latest.day == today:
            reply = self._question_reply(channel, latest, self.bank.get(latest.prompt_id))
            await transport.send(reply)
        else:
            await self.post_today(platform, channel_id, transport)

    # incoming -------------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, transport: Transport) -> None:
        """Handle one command or answer. A redelivered message id is dropped; a failure releases
        the claim so the platform's retry can succeed, and tells the member."""
        received = (incoming.received_at or self.clock()).isoformat()
        if incoming.message_id is not None and not await self.repo.claim_message(
            incoming.platform, incoming.message_id, received
        ):
            log.info("duplicate delivery dropped message=%s", incoming.message_id)
            return
        channel = await self.channel(incoming.platform, incoming.channel_id)
        try:
            await self.repo.remember_user(
                incoming.platform, incoming.actor.user_id, incoming.actor.display_name
            )
            await self._dispatch(cmd.parse(incoming.text), incoming, channel, transport)
        except Exception:
            log.exception("handling failed message=%s", incoming.message_id)
            if incoming.message_id is not None:
                await self.repo.release_message(incoming.platform, incoming.message_id)
            await transport.send(
                self._reply(
                    incoming,
                    channel,
                    text(_lang(channel), "internal_error"),
                    kind=ReplyKind.ERROR,
                    ephemeral=True,
                )
            )

    def _reply(
        self,
        incoming: Incoming,
        channel: ChannelRow,
        body: str,
        *,
        kind: ReplyKind = ReplyKind.INFO,
        thread_id: str | None = None,
        ephemeral: bool = False,
        mention: bool = False,
    ) -> Reply:
        return Reply(
            channel_id=channel.channel_id,
            text=body,
            kind=kind,
            thread_id=thread_id if thread_id is not None else incoming.thread_id,
            ephemeral=ephemeral or incoming.private,
            user_id=incoming.actor.user_id if (mention or ephemeral) else None,
        )

    async def _dispatch(
        self, command: cmd.Command, incoming: Incoming, channel: ChannelRow, transport: Transport
    ) -> None:
        lang = _lang(channel)
        if isinstance(command, cmd.ADMIN_COMMANDS) and not incoming.actor.is_admin:
            await transport.send(
                self._reply(
                    incoming,
                    channel,
                    text(lang, "admin_only"),
                    kind=ReplyKind.ERROR,
                    ephemeral=True,
                )
            )
            return
        match command:
            case cmd.Answer(answer):
                await self._answer(incoming, channel, answer, transport)
            case cmd.Now():
                await self.post_today(channel.platform, channel.channel_id, transport)
            case cmd.Next():
                await self._next(incoming, channel, transport)
            case cmd.Skip():
                await self._skip(incoming, channel, transport)
            case cmd.Hint():
                await self._hint(incoming, channel, transport)
            case cmd.Reveal():
                await self._reveal(incoming, channel, transport)
            case cmd.Leaderboard(period):
                await self._leaderboard(incoming, channel, period, transport)
            case cmd.Stats(user):
                await self._stats(incoming, channel, user, transport)
            case cmd.SetSchedule(at, zone, days):
                await self._set_schedule(
                    incoming=incoming,
                    channel=channel,
                    at=at,
                    zone=zone,
                    days=days,
                    transport=transport,
                )
            case cmd.SetLang(new_lang):
                await self.repo.update_lang(channel.platform, channel.channel_id, new_lang)
                await transport.send(self._reply(incoming, channel, text(new_lang, "lang_set")))
            case cmd.DemoList():
                if self.demos is None:
                    await self._unavailable(incoming, channel, transport)
                else:
                    await self.demos.list_demos(incoming, lang, transport)
            case cmd.DemoRun(name, params):
                if self.demos is None:
                    await self._unavailable(incoming, channel, transport)
                else:
                    await self.demos.run_demo(
                        incoming=incoming,
                        lang=lang,
                        name=name,
                        params=params,
                        transport=transport,
                        thread_id=incoming.thread_id,
                    )
            case cmd.Help():
                body = text(lang, "help", cap=self.defaults.hint_cap)
                await transport.send(self._reply(incoming, channel, body, ephemeral=True))
            case cmd.Invalid(key, detail):
                body = text(lang, key, detail=detail)
                await transport.send(
                    self._reply(incoming, channel, body, kind=ReplyKind.ERROR, ephemeral=True)
                )

    async def _unavailable(
        self, incoming: Incoming, channel: ChannelRow, transport: Transport
    ) -> None:
        body = text(_lang(channel), "demo_unavailable")
        await transport.send(self._reply(incoming, channel, body, kind=ReplyKind.ERROR))

    # the answer flow ------------------------------------------------------------------------

    async def _current_post(self, incoming: Incoming) -> PostRow | None:
        if incoming.thread_id is not None:
            post = await self.repo.post_for_thread(
                incoming.platform, incoming.channel_id, incoming.thread_id
            )
            if post is not None:
                return post
        return await self.repo.latest_post(incoming.platform, incoming.channel_id)

    async def _no_question(
        self, incoming: Incoming, channel: ChannelRow, transport: Transport
    ) -> None:
        body = text(_lang(channel), "no_question")
        await transport.send(self._reply(incoming, channel, body, kind=ReplyKind.ERROR))

    async def _next_open_step(self, post: PostRow, user_id: str, after: int) -> int:
        """The first prompt after `after` the member has neither answered nor skipped."""
        sequence = self.sequence(post)
        answered = {a.prompt_id for a in await self.repo.answers_for(post.id, user_id)}
        for index in range(after + 1, len(sequence)):
            if sequence[index].id not in answered:
                return index
        return len(sequence)

    async def _answer(
        self, incoming: Incoming, channel: ChannelRow, answer: str, transport: Transport
    ) -> None:
        lang = _lang(channel)
        post = await self._current_post(incoming)
        if post is None:
            await self._no_question(incoming, channel, transport)
            return
        thread = post.thread_id
        if not answer.strip():
            await transport.send(
                self._reply(
                    incoming,
                    channel,
                    text(lang, "empty_answer"),
                    kind=ReplyKind.ERROR,
                    thread_id=thread,
                    ephemeral=True,
                )
            )
            return
        user = incoming.actor.user_id
        sequence = self.sequence(post)
        step = await self.repo.step(post.id, user)
        if step >= len(sequence):
            await self._finished(incoming, channel, post, transport)
            return
        prompt = sequence[step]
        cap = self.defaults.hint_cap if await self.repo.hinted(post.id, user, prompt.id) else None
        grade = await self.grader.grade(prompt, answer, lang=lang, cap=cap, revealed=post.revealed)
        next_step = await self._next_open_step(post, user, step)
        await self.repo.record_answer(
            post=post,
            user_id=user,
            prompt_id=prompt.id,
            message_id=incoming.message_id,
            text=answer,
            score=grade.score,
            verdict=grade.verdict.value,
            covered=grade.covered,
            missed=grade.missed,
            flags=[f.value for f in grade.flags],
            answered_at=self.clock().isoformat(),
            next_step=next_step,
        )
        mention = f"<@{user}>"
        lines = [
            text(
                lang,
                "grade_head",
                mention=mention,
                score=grade.score,
                verdict=text(lang, f"verdict_{grade.verdict.value}"),
            )
        ]
        if grade.covered:
            names = ", ".join(prompt.concept(c).label(lang) for c in grade.covered)
            lines.append(text(lang, "covered", items=names))
        if grade.missed:
            names = ", ".join(prompt.concept(c).label(lang) for c in grade.missed)
            lines.append(text(lang, "missed", items=names))
        if grade.feedback:
            lines.append(grade.feedback)
        if cap is not None:
            lines.append(text(lang, "capped", cap=cap))
        await transport.send(
            self._reply(
                incoming,
                channel,
                "\n".join(lines),
                kind=ReplyKind.GRADE,
                thread_id=thread,
                mention=True,
            )
        )
        await self._ask(incoming, channel, post, next_step, transport, key="followup")

    async def _ask(
        self,
        incoming: Incoming,
        channel: ChannelRow,
        post: PostRow,
        step: int,
        transport: Transport,
        *,
        key: str,
    ) -> None:
        """Ask the member the prompt at `step`, or tell them they are done for the day."""
        sequence = self.sequence(post)
        if step >= len(sequence):
            await self._finished(incoming, channel, post, transport)
            return
        lang = _lang(channel)
        prompt = sequence[step]
        body = text(
            lang,
            key,
            mention=f"<@{incoming.actor.user_id}>",
            index=step,
            total=len(sequence) - 1,
            text=prompt.text.get(lang),
        )
        await transport.send(
            self._reply(
                incoming,
                channel,
                body,
                kind=ReplyKind.FOLLOWUP,
                thread_id=post.thread_id,
                mention=True,
            )
        )

    async def _day_total(self, post: PostRow, user_id: str) -> int:
        best: dict[str, int] = defaultdict(int)
        for answer in await self.repo.answers_for(post.id, user_id):
            best[answer.prompt_id] = max(best[answer.prompt_id], answer.score)
        return sum(best.values())

    async def _finished(
        self, incoming: Incoming, channel: ChannelRow, post: PostRow, transport: Transport
    ) -> None:
        total = await self._day_total(post, incoming.actor.user_id)
        body = text(_lang(channel), "all_done", mention=f"<@{incoming.actor.user_id}>", total=total)
        await transport.send(
            self._reply(incoming, channel, body, thread_id=post.thread_id, mention=True)
        )

    async def _next(self, incoming: Incoming, channel: ChannelRow, transport: Transport) -> None:
        post = await self._current_post(incoming)
        if post is None:
            await self._no_question(incoming, channel, transport)
            return
        user = incoming.actor.user_id
        sequence = self.sequence(post)
        step = await self.repo.step(post.id, user)
        if step < len(sequence):
            await self._ask(incoming, channel, post, step, transport, key="current")
            return
        best: dict[str, int] = {}
        for answer in await self.repo.answers_for(post.id, user):
            best[answer.prompt_id] = max(best.get(answer.prompt_id, 0), answer.score)
        retryable = [
            (best[p.id], index)
            for index, p in enumerate(sequence)
            if p.kind == "graded" and p.id in best and best[p.id] < 100
        ]
        if not retryable:
            body = text(_lang(channel), "perfect", mention=f"<@{user}>")
            await transport.send(
                self._reply(incoming, channel, body, thread_id=post.thread_id, mention=True)
            )
            return
        _, index = min(retryable)
        await self.repo.set_step(post.id, user, index)
        await self._ask(incoming, channel, post, index, transport, key="retry")

    async def _skip(self, incoming: Incoming, channel: ChannelRow, transport: Transport) -> None:
        post = await self._current_post(incoming)
        if post is None:
            await self._no_question(incoming, channel, transport)
            return
        user = incoming.actor.user_id
        sequence = self.sequence(post)
        step = await self.repo.step(post.id, user)
        if step >= len(sequence):
            await self._finished(incoming, channel, post, transport)
            return
        next_step = await self._next_open_step(post, user, step)
        await self.repo.skip(post.id, user, sequence[step].id, next_step)
        body = text(_lang(channel), "skipped", mention=f"<@{user}>")
        await transport.send(
            self._reply(incoming, channel, body, thread_id=post.thread_id, mention=True)
        )
        await self._ask(incoming, channel, post, next_step, transport, key="followup")

    async def _hint(self, incoming: Incoming, channel: ChannelRow, transport: Transport) -> None:
        lang = _lang(channel)
        post = await self._current_post(incoming)
        if post is None:
            await self._no_question(incoming, channel, transport)
            return
        user = incoming.actor.user_id
        sequence = self.sequence(post)
        step = await self.repo.step(post.id, user)
        if step >= len(sequence):
            body = text(lang, "nothing_to_hint")
            await transport.send(self._reply(incoming, channel, body, ephemeral=True))
            return
        prompt = sequence[step]
        if prompt.kind == "open" or not prompt.concepts:
            await transport.send(
                self._reply(incoming, channel, text(lang, "hint_open"), ephemeral=True)
            )
            return
        covered: set[str] = set()
        for answer in await self.repo.answers_for(post.id, user):
            if answer.prompt_id == prompt.id:
                covered.update(answer.covered)
        concept = next((c for c in prompt.concepts if c.id not in covered), prompt.concepts[0])
        await self.repo.add_hint(post.id, user, prompt.id, concept.id)
        body = text(
            lang,
            "hint",
            mention=f"<@{user}>",
            concept=concept.label(lang),
            cap=self.defaults.hint_cap,
        )
        await transport.send(
            self._reply(
                incoming, channel, body, kind=ReplyKind.HINT, thread_id=post.thread_id, mention=True
            )
        )

    async def _reveal(self, incoming: Incoming, channel: ChannelRow, transport: Transport) -> None:
        lang = _lang(channel)
        post = await self._current_post(incoming)
        if post is None:
            await self._no_question(incoming, channel, transport)
            return
        await self.repo.mark_revealed(post.id)
        prompt = self.bank.get(post.prompt_id)
        lines = []
        if prompt.kind == "open" and prompt.guidance is not None:
            lines.append(text(lang, "reveal_guidance", text=prompt.guidance.get(lang)))
        else:
            refs = prompt.references_in(lang) or prompt.references
            lines.append(text(lang, "reveal_head", text=refs[0].text))
            concepts = ", ".join(c.label(lang) for c in prompt.concepts)
            lines.append(text(lang, "reveal_concepts", items=concepts))
        summary = await self.repo.day_summary(post.id, prompt.id)
        if summary.answers:
            best = await self.repo.display_name(channel.platform, summary.best_user or "")
            lines.append(
                text(
                    lang,
                    "reveal_summary",
                    answers=summary.answers,
                    members=summary.members,
                    mean=summary.mean,
                    best_score=summary.best_score,
                    best=best,
                )
            )
        else:
            lines.append(text(lang, "reveal_nobody"))
        if prompt.demos:
            demos = " · ".join(f"`/demo {name}`" for name in prompt.demos)
            lines.append(text(lang, "reveal_demo", demos=demos))
        await transport.send(
            self._reply(
                incoming, channel, "\n".join(lines), kind=ReplyKind.REVEAL, thread_id=post.thread_id
            )
        )

    # leaderboards, stats, settings ------------------------------------------------------------

    async def user_streak(self, channel: ChannelRow, user_id: str) -> int:
        schedule = _schedule(channel)
        answers = await self.repo.user_answers(channel.platform, channel.channel_id, user_id)
        days = {date.fromisoformat(a.day) for a in answers}
        return streak(schedule, days, schedule.local_day(self.clock()))

    async def _leaderboard(
        self, incoming: Incoming, channel: ChannelRow, period: cmd.Period, transport: Transport
    ) -> None:
        lang = _lang(channel)
        today = _schedule(channel).local_day(self.clock())
        span = {"week": 6, "month": 29, "all": None}[period]
        since = "0000-00-00" if span is None else (today - timedelta(days=span)).isoformat()
        rows = await self.repo.leaderboard(channel.platform, channel.channel_id, since)
        lines = [text(lang, "leaderboard_head", period=text(lang, f"period_{period}"))]
        if not rows:
            lines.append(text(lang, "leaderboard_empty"))
        for rank, row in enumerate(rows[:10], start=1):
            lines.append(
                text(
                    lang,
                    "leaderboard_row",
                    rank=rank,
                    name=row.display_name,
                    total=row.total,
                    answers=row.answers,
                    streak=await self.user_streak(channel, row.user_id),
                )
            )
        await transport.send(
            self._reply(incoming, channel, "\n".join(lines), kind=ReplyKind.LEADERBOARD)
        )

    async def _stats(
        self, incoming: Incoming, channel: ChannelRow, who: str | None, transport: Transport
    ) -> None:
        lang = _lang(channel)
        user_id = incoming.actor.user_id
        if who:
            found = await self.repo.user_by_name(channel.platform, who.strip("<@>"))
            if found is None:
                body = text(lang, "unknown_user", name=who)
                await transport.send(
                    self._reply(incoming, channel, body, kind=ReplyKind.ERROR, ephemeral=True)
                )
                return
            user_id = found
        name = await self.repo.display_name(channel.platform, user_id)
        answers = await self.repo.user_answers(channel.platform, channel.channel_id, user_id)
        if not answers:
            await transport.send(
                self._reply(incoming, channel, text(lang, "stats_none", name=name))
            )
            return
        per_day: dict[str, dict[str, int]] = defaultdict(dict)
        for a in answers:
            per_day[a.day][a.prompt_id] = max(per_day[a.day].get(a.prompt_id, 0), a.score)
        means = topic_means(self.bank, ((a.prompt_id, a.score) for a in answers))
        ranked = sorted(means.items(), key=lambda item: (-item[1], item[0]))
        lines = [
            text(lang, "stats_head", name=name),
            text(
                lang,
                "stats_summary",
                answers=len(answers),
                mean=sum(a.score for a in answers) / len(answers),
                streak=await self.user_streak(channel, user_id),
                days=len(per_day),
            ),
            text(
                lang,
                "stats_history",
                items=" · ".join(
                    f"{day[5:]} {sum(scores.values())}"
                    for day, scores in sorted(per_day.items())[-7:]
                ),
            ),
            text(lang, "stats_best", items=", ".join(f"{t} {m:.0f}" for t, m in ranked[:3])),
        ]
        if len(ranked) > 3:
            weakest = ", ".join(f"{t} {m:.0f}" for t, m in ranked[-2:][::-1])
            lines.append(text(lang, "stats_weak", items=weakest))
        await transport.send(self._reply(incoming, channel, "\n".join(lines), kind=ReplyKind.STATS))

    async def _set_schedule(
        self,
        *,
        incoming: Incoming,
        channel: ChannelRow,
        at: str,
        zone: str | None,
        days: str | None,
        transport: Transport,
    ) -> None:
        lang = _lang(channel)
        try:
            at_time = parse_time(at)
            zone_name = zone or channel.timezone
            parse_zone_name(zone_name)
            day_set = parse_days(days) if days else parse_days(channel.days)
        except ScheduleError as exc:
            body = text(lang, "schedule_bad", detail=str(exc), usage=text(lang, "schedule_usage"))
            await transport.send(
                self._reply(incoming, channel, body, kind=ReplyKind.ERROR, ephemeral=True)
            )
            return
        post_time = at_time.strftime("%H:%M")
        await self.repo.update_schedule(
            channel.platform,
            channel.channel_id,
            post_time=post_time,
            timezone=zone_name,
            days=format_days(day_set),
        )
        schedule = Schedule(at_time, parse_zone_name(zone_name), day_set)
        upcoming = schedule.next_instant(self.clock()).astimezone(schedule.zone)
        body = text(
            lang,
            "schedule_set",
            days=format_days(day_set),
            at=post_time,
            zone=zone_name,
            next=upcoming.strftime("%Y-%m-%d %H:%M %Z"),
        )
        await transport.send(self._reply(incoming, channel, body))


__all__ = ["ChannelDefaults", "DemoDesk", "Posted", "QuizService"]
