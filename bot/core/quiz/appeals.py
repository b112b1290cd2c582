"""Appeals: a member contests the grade of their latest answer, an admin resolves it.

A free-text grader can be wrong, so a member can say so (`/quiz appeal [why]`) and an admin can
correct it (`/quiz appeals`, then `/quiz appeals resolve <id> <score|keep> [note]`). A new score
replaces the answer's own, so the leaderboard, streaks, stats and the member's practice card all
follow it, and the member is told in the answer's thread. Every resolved appeal is a human grade
that `quizmaster eval fit --team` learns from; the queue shows how often the grader was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol, assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Invalid, Option, Typed, Values, Verb
from bot.core.member_text import cut, member_text
from bot.core.messages import Reply
from bot.core.models import GradedAnswer, PracticeCardRow
from bot.core.numerals import ascii_digits
from bot.core.ports import MemberStore
from bot.core.quiz.practice import Practice
from bot.core.quiz.regrades import regrade_notice, regraded_verdict
from bot.core.texts import text
from bot.core.turn import Turn
from content.bank import Bank
from content.schema import Lang, Prompt

REASON_CHARS = 500
"""How much of a member's reason is kept: enough to argue, short enough for the queue."""
QUEUE_SHOWN = 5
QUOTE_CHARS = 300
STATS_WEEKS = 4
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class AppealRow:
    """An appeal and the answer it is about; `final_score` and `resolved_at` are None while it is
    open. Resolved, it is a human grade: `final_score` is what the answer is worth."""

    id: int
    answer: GradedAnswer
    reason: str
    old_score: int
    opened_at: datetime
    final_score: int | None = None
    note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None

    @property
    def changed(self) -> bool:
        return self.final_score is not None and self.final_score != self.old_score


@dataclass(frozen=True, kw_only=True)
class AppealResolution:
    """What resolving an open appeal writes: its final score, note, resolver and time, and the
    answer's new `verdict`; the member's card replaced with `card` (None: unchanged) and
    `notice` queued for the chat when there is one."""

    appeal_id: int
    final_score: int
    verdict: str
    note: str
    resolved_by: str
    resolved_at: datetime
    card: PracticeCardRow | None
    notice: Reply | None = None


@dataclass(frozen=True)
class AppealCounts:
    """Appeals opened in a channel since a day, how many are resolved, and how many of those
    changed the score: how often the grader is wrong, in the open."""

    opened: int
    resolved: int
    changed: int


class AppealStore(Protocol):
    """Appeals (`bot.core.quiz.appeals`): a member's latest answer, the appeals of a channel, and a
    resolution that rewrites the answer's score (and the member's card) with it."""

    async def latest_answer(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> GradedAnswer | None: ...

    async def member_answer(
        self, *, platform: str, channel_id: str, user_id: str, answer_id: int
    ) -> GradedAnswer | None:
        """One of the member's graded answers in the channel, by id (None for anyone else's)."""
        ...

    async def open_appeal(
        self, *, answer: GradedAnswer, reason: str, opened_at: datetime
    ) -> AppealRow | None:
        """The new appeal; None when that answer was appealed before."""
        ...

    async def appeal(self, *, platform: str, channel_id: str, appeal_id: int) -> AppealRow | None:
        """One appeal of the channel (another channel's id finds nothing)."""
        ...

    async def open_appeals(self, *, platform: str, channel_id: str) -> list[AppealRow]:
        """The channel's queue, oldest first."""
        ...

    async def resolve_appeal(self, resolution: AppealResolution) -> AppealRow | None:
        """Close an open appeal, give its answer the resolution's `final_score` and `verdict`,
        replace the member's card and its score with `card` (None: unchanged; the card before
        its latest review is kept) and queue `notice` for the chat (see `queue_notice`), in one
        transaction; None when it was not open."""
        ...

    async def appeal_counts(
        self, *, platform: str, channel_id: str, since: datetime
    ) -> AppealCounts: ...

    async def resolved_appeals(self) -> list[AppealRow]:
        """Every resolved appeal, in every channel: the team's own human grades."""
        ...


@dataclass(frozen=True)
class Appeal(Command):
    """`/quiz appeal [why]`: contest the grade of my latest answer in this channel."""

    private = True

    reason: str = ""


@dataclass(frozen=True)
class ShowAppeals(Command):
    """`/quiz appeals` (admins): the channel's open appeals."""

    admin = True
    private = True


@dataclass(frozen=True)
class ResolveAppeal(Command):
    """`/quiz appeals resolve <id> <score|keep> [note]` (admins): `score` None keeps the old."""

    admin = True
    private = True

    appeal_id: int
    score: int | None
    note: str = ""


def read_appeals(_words: Sequence[str], rest: str) -> Command:
    """`/quiz appeals` with what followed it: nothing (the queue) or
    `resolve <id> <score|keep> [note]`."""
    words = rest.split(None, 3)
    if not words:
        return ShowAppeals()
    if words[0].lower() != "resolve" or len(words) < 3:
        return Invalid("appeals_usage_error")
    appeal_id = ascii_digits(words[1].removeprefix("#"))
    if not _DIGITS.fullmatch(appeal_id):
        return Invalid("appeal_bad_id", words[1])
    verdict = ascii_digits(words[2].lower())
    score: int | None = None
    if verdict != "keep":
        if not _DIGITS.fullmatch(verdict) or int(verdict) > 100:
            return Invalid("appeal_bad_score", words[2])
        score = int(verdict)
    return ResolveAppeal(int(appeal_id), score, words[3] if len(words) > 3 else "")


VERBS = (
    Verb("appeal", lambda _words, rest: Appeal(rest), usage="appeal [why]"),
    Verb("appeals", read_appeals, slash="quiz-admin", usage="appeals"),
)


def typed_resolve(values: Values) -> Command:
    """`/quiz-admin resolve appeal [score] [note]`: the typed form of `/quiz appeals resolve`,
    its bounds the platform's to keep; no score keeps the old."""
    appeal = values.number("appeal")
    if appeal is None:
        return Invalid("appeals_usage_error")
    return ResolveAppeal(appeal, values.number("score"), values.text("note"))


TYPED = (
    Typed("appeal", lambda values: Appeal(values.text("why")), (Option("why", most=REASON_CHARS),)),
    Typed("appeals", lambda _values: ShowAppeals(), slash="quiz-admin"),
    Typed(
        "resolve",
        typed_resolve,
        (
            Option("appeal", kind="number", required=True, most=999_999_999),
            Option("score", kind="number", least=0, most=100),
            Option("note", most=REASON_CHARS),
        ),
        slash="quiz-admin",
    ),
)

AppealCommand = Appeal | ShowAppeals | ResolveAppeal


def concept_names(prompt: Prompt | None, ids: tuple[str, ...], lang: Lang) -> str:
    """Concepts by their names in `lang` ("-" for none); the ids themselves where the question
    is no longer in the bank to name them."""
    if prompt is None:
        return ", ".join(ids) or "-"
    named = {concept.id: concept.label(lang) for concept in prompt.concepts}
    return ", ".join(named.get(concept_id, concept_id) for concept_id in ids) or "-"


class AppealRefusedError(Exception):
    """An appeal that cannot be resolved: the text key that says why, and its values (`detail`
    the member's own input, which a reply quotes cut)."""

    def __init__(self, key: str, *, detail: str = "", **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.detail = detail
        self.values = values


@dataclass(frozen=True)
class AppealFigures:
    """How often the grader was corrected lately: appeals per week and the share of resolved
    ones that changed the score (the chat's queue and the web page show the same)."""

    weeks: int
    opened: int
    resolved: int
    changed: int

    @property
    def per_week(self) -> float:
        return self.opened / self.weeks

    @property
    def share(self) -> int:
        """Percent of the resolved appeals that changed the score."""
        return round(100 * self.changed / self.resolved) if self.resolved else 0


def clipped(body: str, limit: int) -> str:
    """`body` under the member-text rule (the web page's reasons and notes come this way too),
    on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(member_text(body).split())
    return cut(flat, limit)


@dataclass(kw_only=True, eq=False)
class Appeals(CommandPart[AppealCommand]):
    """Serves `Appeal`, `ShowAppeals` and `ResolveAppeal`."""

    commands = Declared(
        serves=(Appeal, ShowAppeals, ResolveAppeal),
        verbs=VERBS,
        typed=TYPED,
        help=("help_appeal",),
        admin_help=("help_admin_appeals",),
    )

    repo: AppealStore
    members: MemberStore
    bank: Bank
    practice: Practice
    clock: Callable[[], datetime]

    async def serve(self, command: AppealCommand, turn: Turn) -> None:
        if isinstance(command, Appeal):
            await self.open(turn, command.reason)
        elif isinstance(command, ResolveAppeal):
            await self.resolve(turn, command.appeal_id, command.score, command.note)
        elif isinstance(command, ShowAppeals):
            await self.queue(turn)
        else:
            assert_never(command)

    async def open(self, turn: Turn, reason: str) -> None:
        """`/quiz appeal [why]` on the member's latest graded answer in this channel."""
        answer = await self.repo.latest_answer(
            platform=turn.channel.platform, channel_id=turn.channel.channel_id, user_id=turn.user
        )
        if answer is None:
            await turn.error("appeal_nothing")
            return
        try:
            appeal = await self._appeal(answer, reason)
        except AppealRefusedError as refused:
            await turn.error(refused.key)
            return
        question = self._question(turn, answer)
        await turn.say(
            turn.t("appeal_opened", id=appeal.id, score=answer.score, text=question),
            ephemeral=True,
        )

    async def open_on(
        self, *, platform: str, channel_id: str, user_id: str, answer_id: int, reason: str
    ) -> AppealRow:
        """An appeal on one of the member's answers picked on the web page. Raises
        AppealRefusedError for an answer that is not theirs in this channel, or one appealed
        before."""
        answer = await self.repo.member_answer(
            platform=platform, channel_id=channel_id, user_id=user_id, answer_id=answer_id
        )
        if answer is None:
            raise AppealRefusedError("appeal_answer_unknown", detail=str(answer_id))
        return await self._appeal(answer, reason)

    async def _appeal(self, answer: GradedAnswer, reason: str) -> AppealRow:
        """The new appeal on `answer`, from chat or the web page alike; AppealRefusedError when
        it was appealed before."""
        appeal = await self.repo.open_appeal(
            answer=answer, reason=clipped(reason, REASON_CHARS), opened_at=self.clock()
        )
        if appeal is None:
            raise AppealRefusedError("appeal_exists")
        return appeal

    async def queue(self, turn: Turn) -> None:
        """`/quiz appeals` (admins): the open appeals with what is needed to judge them, and how
        often the grader was corrected lately."""
        channel = turn.channel
        waiting = await self.repo.open_appeals(
            platform=channel.platform, channel_id=channel.channel_id
        )
        figures = await self.figures(platform=channel.platform, channel_id=channel.channel_id)
        lines = [turn.t("appeals_head", open=len(waiting))]
        for appeal in waiting[:QUEUE_SHOWN]:
            lines += await self._queue_entry(turn, appeal)
        if len(waiting) > QUEUE_SHOWN:
            lines.append(turn.t("appeals_more", more=len(waiting) - QUEUE_SHOWN))
        lines.append(
            turn.t(
                "appeals_stats",
                weeks=figures.weeks,
                opened=figures.opened,
                per_week=figures.per_week,
                resolved=figures.resolved,
                changed=figures.changed,
                share=figures.share,
            )
        )
        if waiting:
            lines.append(turn.t("appeals_usage"))
        await turn.say("\n".join(lines), ephemeral=True)

    async def _queue_entry(self, turn: Turn, appeal: AppealRow) -> list[str]:
        answer = appeal.answer
        name = await self.members.display_name(platform=answer.platform, user_id=answer.user_id)
        bank = self._bank(answer)
        prompt = bank.get(answer.prompt_id) if answer.prompt_id in bank else None
        lines = [
            turn.t(
                "appeals_entry",
                id=appeal.id,
                name=name,
                prompt=answer.prompt_id,
                score=appeal.old_score,
                reason=appeal.reason or "-",
            ),
            turn.t("appeals_question", text=self._question(turn, answer)),
            turn.t("appeals_answer", text=clipped(answer.text, QUOTE_CHARS)),
        ]
        if answer.covered or answer.missed:
            lines.append(
                turn.t(
                    "appeals_concepts",
                    covered=concept_names(prompt, answer.covered, turn.lang),
                    missed=concept_names(prompt, answer.missed, turn.lang),
                )
            )
        if prompt is not None and prompt.references:
            reference = (prompt.references_in(turn.lang) or prompt.references)[0].text
            lines.append(turn.t("appeals_reference", text=clipped(reference, QUOTE_CHARS)))
        return lines

    async def figures(self, *, platform: str, channel_id: str) -> AppealFigures:
        """The channel's appeals of the last `STATS_WEEKS` weeks."""
        since = self.clock() - timedelta(weeks=STATS_WEEKS)
        counts = await self.repo.appeal_counts(
            platform=platform, channel_id=channel_id, since=since
        )
        return AppealFigures(STATS_WEEKS, counts.opened, counts.resolved, counts.changed)

    async def resolve(self, turn: Turn, appeal_id: int, score: int | None, note: str) -> None:
        """`/quiz appeals resolve <id> <score|keep> [note]` (admins): the answer takes the new
        score (or keeps its own), and the member is told in its thread."""
        channel = turn.channel
        try:
            resolved = await self.settle(
                platform=channel.platform,
                channel_id=channel.channel_id,
                appeal_id=appeal_id,
                score=score,
                note=note,
                by=turn.user,
            )
        except AppealRefusedError as exc:
            await turn.error(exc.key, detail=exc.detail, **exc.values)
            return
        key = "appeal_changed" if resolved.changed else "appeal_kept"
        await turn.say(
            turn.t(key, id=resolved.id, old=resolved.old_score, new=resolved.final_score),
            ephemeral=True,
        )
        await turn.transport.send(self.member_notice(resolved, turn.lang))

    async def settle(
        self,
        *,
        platform: str,
        channel_id: str,
        appeal_id: int,
        score: int | None,
        note: str,
        by: str,
        queue_notice_in: Lang | None = None,
    ) -> AppealRow:
        """Resolve one open appeal of the channel: the answer takes `score` (None: keeps its
        own), and the member's card the review that score gives. The chat command and the web
        page both resolve through here; the command tells the member itself, the page has the
        notice queued (`queue_notice_in`, the channel's language) in the same transaction, so
        no crash can resolve an appeal without telling its member. Raises AppealRefusedError
        for another channel's or an unknown id, one resolved before, or the admin `by`'s own
        appeal: an admin who could grade their own answer could give themselves any score, so
        another admin must judge it."""
        appeal = await self.repo.appeal(
            platform=platform, channel_id=channel_id, appeal_id=appeal_id
        )
        if appeal is None:
            raise AppealRefusedError("appeal_unknown", detail=str(appeal_id))
        if appeal.answer.user_id == by:
            raise AppealRefusedError("appeal_own", id=appeal_id)
        if appeal.resolved_at is not None:
            raise AppealRefusedError(
                "appeal_resolved_before", id=appeal_id, score=appeal.final_score
            )
        final = appeal.old_score if score is None else score
        answer = appeal.answer
        card = None
        bank = self._bank(answer)
        prompt = bank.get(answer.prompt_id) if answer.prompt_id in bank else None
        if final != appeal.old_score and prompt is not None:
            card = await self.practice.corrected_card(
                platform,
                user_id=answer.user_id,
                prompt=prompt,
                answered_at=answer.answered_at,
                new_score=final,
            )
        note, now = clipped(note, REASON_CHARS), self.clock()
        notice = None
        if queue_notice_in is not None:
            settled = replace(appeal, final_score=final, note=note, resolved_by=by, resolved_at=now)
            notice = self.member_notice(settled, queue_notice_in)
        resolved = await self.repo.resolve_appeal(
            AppealResolution(
                appeal_id=appeal.id,
                final_score=final,
                verdict=regraded_verdict(prompt, final),
                note=note,
                resolved_by=by,
                resolved_at=now,
                card=card,
                notice=notice,
            )
        )
        if resolved is None:  # another admin resolved it meanwhile
            raise AppealRefusedError("appeal_resolved_before", id=appeal_id, score=final)
        return resolved

    def member_notice(self, appeal: AppealRow, lang: Lang) -> Reply:
        """What the member is told of a resolved appeal, in the answer's thread."""
        answer = appeal.answer
        key = "appeal_told_changed" if appeal.changed else "appeal_told_kept"
        body = text(lang, key, id=appeal.id, old=appeal.old_score, new=appeal.final_score or 0)
        return regrade_notice(answer, body, appeal.note, lang)

    def _bank(self, answer: GradedAnswer) -> Bank:
        """The bank as the answer's channel sees it."""
        return self.bank.seen_from(answer.platform, answer.channel_id)

    def _question(self, turn: Turn, answer: GradedAnswer) -> str:
        bank = self._bank(answer)
        if answer.prompt_id not in bank:
            return answer.prompt_id
        return clipped(bank.get(answer.prompt_id).text.get(turn.lang), QUOTE_CHARS)
