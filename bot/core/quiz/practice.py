"""Personal practice: FSRS spaced repetition over the bank, one card per member and prompt.

A grade becomes an FSRS rating through thresholds. Every graded answer, in practice or in a
channel, reviews the member's card, but at most once per local day: a retry after reading the
feedback is not recall, and a card never comes back twice in one day. Times are UTC inside and
shown in the channel's timezone.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Protocol, assert_never

from fsrs import Card, Rating, Scheduler

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Invalid, Option, Typed, Values, Verb, word
from bot.core.inflight import InFlight
from bot.core.member_text import excerpt, refusal
from bot.core.messages import ReplyKind
from bot.core.models import AnswerRow, GradedText, PracticeCardRow
from bot.core.quiz.answering import (
    ANSWER_LIMIT,
    AnswerFlow,
    FigureSource,
    graded_text,
    show_figure_when_drawn,
)
from bot.core.quiz.desk import GradingDesk, Where
from bot.core.quiz.mastery import (
    ScoredCard,
    TopicMastery,
    card_mastery,
    mastery_label,
    member_mastery,
    named_percent,
    topic_mastery,
)
from bot.core.quiz.selection import topic_means, weakness
from bot.core.texts import subject_name
from bot.core.turn import Turn, channel_schedule
from content.bank import Bank
from content.schema import Prompt
from evaluators.grade import EmbeddingUnavailableError, Grade

log = logging.getLogger("quizmaster.core")

UPCOMING_SHOWN = 3
DUE_SHOWN = 10
"""Questions `/quiz due` lists at once; the reply says how many more there are."""


@dataclass(frozen=True, kw_only=True)
class PracticeWrite:
    """A graded practice answer as one write stores it: the answer, the review rating its score
    gives, and the member's card as that review left it (None: the card stays as it was)."""

    platform: str
    graded: GradedText
    rating: int
    card: PracticeCardRow | None


@dataclass(frozen=True)
class KeptPractice:
    """A practice answer kept while the grader was unavailable: the member's text, the channel
    it was sent in (whose bank and team grades grade it) and when it came."""

    platform: str
    user_id: str
    channel_id: str
    prompt_id: str
    text: str
    kept_at: datetime


@dataclass(frozen=True)
class PracticeAnswerRow:
    """One practice answer of a member: its prompt, score and review rating (`/quiz stats`)."""

    prompt_id: str
    score: int
    rating: int
    answered_at: datetime


class PracticeStore(Protocol):
    """A member's cards, the prompt waiting for their answer, their practice answers and
    scores: the practice part's port (`bot.storage.practice.PracticeTable`)."""

    async def practice_card(
        self, *, platform: str, user_id: str, prompt_id: str
    ) -> PracticeCardRow | None: ...

    async def practice_cards(
        self, *, platform: str, user_ids: Sequence[str]
    ) -> list[PracticeCardRow]: ...

    async def set_practice_pending(
        self, *, platform: str, user_id: str, prompt_id: str, shown_at: datetime
    ) -> None: ...

    async def practice_pending(self, *, platform: str, user_id: str) -> str | None: ...

    async def record_practice_answer(
        self, write: PracticeWrite, *, kept_at: datetime | None = None
    ) -> bool:
        """The practice answer, its card (None: unchanged) and the closed pending prompt, in
        one transaction. With `kept_at`, only while that kept answer still waits: False (nothing
        stored) when another process graded it, or the member answered again, first."""
        ...

    async def keep_practice_answer(self, kept: KeptPractice) -> None:
        """Keep the member's answer to their pending prompt for a later grade."""
        ...

    async def kept_practice_answers(self, *, platform: str, limit: int) -> list[KeptPractice]:
        """The platform's kept practice answers, oldest first."""
        ...

    async def practice_answers(self, *, platform: str, user_id: str) -> list[PracticeAnswerRow]: ...

    async def member_scores(self, *, platform: str, user_id: str) -> list[tuple[str, int]]:
        """(prompt id, score) of every answer the member gave on the platform."""
        ...


@dataclass(frozen=True)
class ShowPractice(Command):
    """`/quiz practice`: show the member their next spaced-repetition prompt, privately."""

    private = True


@dataclass(frozen=True)
class PracticeAnswer(Command):
    """`/quiz practice answer <text>`: answer the prompt `/quiz practice` showed."""

    private = True

    text: str


@dataclass(frozen=True)
class Review(Command):
    """`/quiz review`: how many practice cards are due, and when the next ones are."""

    private = True


@dataclass(frozen=True)
class Due(Command):
    """`/quiz due`: the questions this member should practise today, with their mastery."""

    private = True


def read_practice(words: Sequence[str], rest: str) -> Command:
    """`/quiz practice` with what followed it: nothing, or `answer <text>`."""
    if not words:
        return ShowPractice()
    if words[0].lower() == "answer":
        parts = rest.split(None, 1)
        return PracticeAnswer(parts[1] if len(parts) > 1 else "")
    return Invalid("practice_usage")


VERBS = (
    Verb("practice", read_practice, usage="practice [answer <text>]"),
    word("review", Review()),
    word("due", Due()),
)


def typed_practice(values: Values) -> ShowPractice | PracticeAnswer:
    """`/quiz practice [answer]` typed: the prompt, or with an answer, the answer to it."""
    answer = values.text("answer")
    return PracticeAnswer(answer) if answer else ShowPractice()


TYPED = (Typed("practice", typed_practice, (Option("answer", most=ANSWER_LIMIT),)),)

PracticeCommand = ShowPractice | PracticeAnswer | Review | Due


@dataclass(frozen=True)
class PracticePolicy:
    """How a 0-100 grade becomes an FSRS rating, and how soon a missed card comes back.

    Learning steps are in days, not the library's minutes: members practise once a day or so, so a
    ten-minute step would only make a card look due again within the same session.

    The numbers come from the settings (`QUIZMASTER_PRACTICE_*`), which have checked them already:
    thresholds rising within 1..100, at least one day a step."""

    again_below: int
    hard_below: int
    good_below: int
    step_days: int
    fuzz: bool = True

    def rating(self, score: int) -> Rating:
        if score < self.again_below:
            return Rating.Again
        if score < self.hard_below:
            return Rating.Hard
        if score < self.good_below:
            return Rating.Good
        return Rating.Easy

    def scheduler(self) -> Scheduler:
        step = (timedelta(days=self.step_days),)
        return Scheduler(learning_steps=step, relearning_steps=step, enable_fuzzing=self.fuzz)


SAME_REVIEW = timedelta(minutes=1)
"""A card reviewed this close to an answer's time was reviewed by that answer (both instants are
taken while the answer is stored)."""


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def card_row(
    platform: str, user_id: str, prompt_id: str, card: Card, *, score: int, now: datetime
) -> PracticeCardRow:
    """The stored form of a member's card: the library's own JSON, and the score of the answer
    that reviewed it."""
    return PracticeCardRow(
        platform=platform,
        user_id=user_id,
        prompt_id=prompt_id,
        card=card.to_json(),
        score=score,
        updated_at=now,
    )


@dataclass(kw_only=True, eq=False)
class Practice(CommandPart[PracticeCommand]):
    """`/quiz practice`, `/quiz practice answer`, `/quiz review`, and the card review that every
    graded channel answer carries into its transaction (it is AnswerFlow's `CardReviewer`)."""

    commands = Declared(
        serves=(ShowPractice, PracticeAnswer, Review, Due),
        verbs=VERBS,
        typed=TYPED,
        help=("help_practice",),
    )

    repo: PracticeStore
    bank: Bank
    desk: GradingDesk
    policy: PracticePolicy
    clock: Callable[[], datetime]
    background: InFlight
    figures: FigureSource | None = None
    scheduler: Scheduler = field(init=False)

    def __post_init__(self) -> None:
        self.scheduler = self.policy.scheduler()

    # cards ----------------------------------------------------------------------------------

    def _bank(self, where: Where) -> Bank:
        """The bank as the channel sees it: a member's cards span every channel of the
        platform, but another channel's questions are never shown, graded or counted here."""
        return self.bank.seen_from(where.platform, where.channel_id)

    async def cards(self, where: Where, user_id: str) -> dict[str, Card]:
        """The member's cards by prompt id, for prompts the channel sees in the bank."""
        rows = await self.repo.practice_cards(platform=where.platform, user_ids=[user_id])
        bank = self._bank(where)
        return {row.prompt_id: Card.from_json(row.card) for row in rows if row.prompt_id in bank}

    def _reviewed(self, held: Card | None, score: int, now: datetime, zone: tzinfo) -> Card | None:
        """The card after this review, or None when it was already reviewed today (local)."""
        card = held if held is not None else Card(card_id=int(now.timestamp() * 1000), due=now)
        if card.last_review is not None and (
            card.last_review.astimezone(zone).date() == now.astimezone(zone).date()
        ):
            return None
        reviewed, _ = self.scheduler.review_card(
            card, self.policy.rating(score), review_datetime=now
        )
        return reviewed

    async def reviewed_card(
        self, turn: Turn, prompt: Prompt, score: int, held: PracticeCardRow | None
    ) -> PracticeCardRow | None:
        """The member's card for a graded channel answer's prompt after this review (`held`: the
        card as the answer found it, read with the member's progress), for the answer's own
        transaction; None when there is nothing to save (an opinion prompt, or the card was
        already reviewed today)."""
        if prompt.kind != "graded":
            return None
        now = _utc(self.clock())
        platform = turn.channel.platform
        card = self._reviewed(
            None if held is None else Card.from_json(held.card),
            score,
            now,
            channel_schedule(turn.channel).zone,
        )
        return (
            None
            if card is None
            else card_row(platform, turn.user, prompt.id, card, score=score, now=now)
        )

    async def corrected_card(
        self,
        platform: str,
        *,
        user_id: str,
        prompt: Prompt,
        answered_at: datetime,
        new_score: int,
    ) -> PracticeCardRow | None:
        """The member's card once an appeal has corrected the score of an answer given at
        `answered_at`: the review that answer gave is given again with the new score's rating,
        from the card as it was before (None: nothing to change: an opinion prompt, no card, or
        a later review, which stands)."""
        if prompt.kind != "graded":
            return None
        held = await self.repo.practice_card(
            platform=platform, user_id=user_id, prompt_id=prompt.id
        )
        if held is None:
            return None
        card = Card.from_json(held.card)
        reviewed_at = card.last_review
        if reviewed_at is None or abs(reviewed_at - _utc(answered_at)) > SAME_REVIEW:
            return None
        before = (
            Card(card_id=card.card_id, due=reviewed_at)
            if held.previous_card is None
            else Card.from_json(held.previous_card)
        )
        corrected, _ = self.scheduler.review_card(
            before, self.policy.rating(new_score), review_datetime=reviewed_at
        )
        return card_row(
            platform, user_id, prompt.id, corrected, score=new_score, now=held.updated_at
        )

    async def next_prompt(
        self, where: Where, user_id: str, subjects: Collection[str] = ()
    ) -> Prompt | None:
        """Due cards first, least likely remembered first; then an unseen graded prompt (main
        question or follow-up) from the member's weakest topic, of the subjects the channel
        draws from (`subjects`, none: all); None when neither exists. Only prompts the channel
        `where` sees."""
        now = _utc(self.clock())
        bank = self._bank(where)
        cards = await self.cards(where, user_id)
        due = [
            (self.scheduler.get_card_retrievability(card, now), card.due, prompt_id)
            for prompt_id, card in cards.items()
            if card.due <= now and bank.get(prompt_id).kind == "graded"
        ]
        if due:
            return bank.get(min(due)[2])
        scores = await self.repo.member_scores(platform=where.platform, user_id=user_id)
        means = topic_means(bank, scores)
        drawn = {main.id for main in bank.drawn_mains(subjects)}
        unseen = [
            p
            for p in bank.all()
            if p.kind == "graded" and p.id not in cards and (p.parent or p.id) in drawn
        ]
        if not unseen:
            return None
        return min(unseen, key=lambda p: (weakness(p, means), p.id))

    async def due_counts(self, platform: str, user_ids: Sequence[str]) -> Counter[str]:
        """Prompt id -> how many of these members have that card due now."""
        now = _utc(self.clock())
        rows = await self.repo.practice_cards(platform=platform, user_ids=user_ids)
        return Counter(row.prompt_id for row in rows if Card.from_json(row.card).due <= now)

    async def scored_cards(self, platform: str, user_id: str) -> dict[str, ScoredCard]:
        """The member's cards with the score that last reviewed each, by prompt id."""
        rows = await self.repo.practice_cards(platform=platform, user_ids=[user_id])
        return {row.prompt_id: ScoredCard(Card.from_json(row.card), row.score) for row in rows}

    async def mastery(self, where: Where, user_id: str) -> list[TopicMastery]:
        """Every graded topic the channel `where` sees, with the member's mastery in it (see
        `bot.core.quiz.mastery`)."""
        cards = await self.scored_cards(where.platform, user_id)
        return topic_mastery(self._bank(where), self.scheduler, cards, _utc(self.clock()))

    def channel_mastery(
        self, where: Where, answers: Iterable[AnswerRow], zone: tzinfo
    ) -> dict[str, float]:
        """Member -> mastery from their answers in the channel `where` alone (in answer order),
        replayed through the same reviews as their cards: what the channel may see, since
        practice is private. Members without a graded answer are left out (not started)."""
        bank = self._bank(where)
        cards: dict[str, dict[str, ScoredCard]] = defaultdict(dict)
        for answer in answers:
            if answer.prompt_id not in bank or bank.get(answer.prompt_id).kind != "graded":
                continue
            held = cards[answer.user_id].get(answer.prompt_id)
            at = _utc(answer.answered_at)
            card = self._reviewed(None if held is None else held.card, answer.score, at, zone)
            if card is not None:
                cards[answer.user_id][answer.prompt_id] = ScoredCard(card, answer.score)
        now = _utc(self.clock())
        found = {
            user: member_mastery(bank, self.scheduler, held, now) for user, held in cards.items()
        }
        return {user: value for user, value in found.items() if value is not None}

    # commands -------------------------------------------------------------------------------

    async def history(self, *, platform: str, user_id: str) -> list[PracticeAnswerRow]:
        """The member's practice answers on `platform` (their `/quiz stats` counts them)."""
        return await self.repo.practice_answers(platform=platform, user_id=user_id)

    async def serve(self, command: PracticeCommand, turn: Turn) -> None:
        if isinstance(command, PracticeAnswer):
            await self.answer(turn, command.text)
        elif isinstance(command, Review):
            await self.status(turn)
        elif isinstance(command, Due):
            await self.due_today(turn)
        elif isinstance(command, ShowPractice):
            await self.show(turn)
        else:
            assert_never(command)

    async def show(self, turn: Turn) -> None:
        """`/quiz practice`: the prompt still waiting for an answer, else the next one."""
        platform = turn.channel.platform
        where = Where(platform, turn.channel.channel_id)
        bank = self._bank(where)
        pending = await self.repo.practice_pending(platform=platform, user_id=turn.user)
        cards = await self.cards(where, turn.user)
        prompt = (
            bank.get(pending)
            if pending is not None and pending in bank
            else await self.next_prompt(where, turn.user, turn.channel.subjects)
        )
        if prompt is None:
            await turn.say(
                turn.t("practice_caught_up", upcoming=self._upcoming(turn, cards)),
                ephemeral=True,
            )
            return
        await self.repo.set_practice_pending(
            platform=platform, user_id=turn.user, prompt_id=prompt.id, shown_at=_utc(self.clock())
        )
        lines = [
            turn.t(
                "practice_prompt",
                label=turn.t(
                    "practice_label_review" if prompt.id in cards else "practice_label_new"
                ),
                topic=subject_name(turn.lang, bank.subject(prompt)),
                text=prompt.text.get(turn.lang),
            )
        ]
        if prompt.parent is not None and prompt.parent in bank:
            parent = bank.get(prompt.parent)
            lines.insert(0, turn.t("practice_context", text=parent.text.get(turn.lang)))
        lines.append(turn.t("practice_how"))
        await turn.say("\n".join(lines), kind=ReplyKind.FOLLOWUP, ephemeral=True)
        if prompt.figure_demo is not None and self.figures is not None:
            show_figure_when_drawn(
                self.background, turn, self.figures, prompt.figure_demo, ephemeral=True
            )

    async def answer(self, turn: Turn, answer: str) -> None:
        """`/quiz practice answer <text>`: grade the pending prompt privately, as in the channel
        (its team's grades included), and review its card; the answer never reaches the
        channel's leaderboard."""
        platform = turn.channel.platform
        where = Where(platform, turn.channel.channel_id)
        bank = self._bank(where)
        pending = await self.repo.practice_pending(platform=platform, user_id=turn.user)
        if pending is None or pending not in bank:
            await turn.error("practice_nothing_pending")
            return
        why = refusal(answer)
        if why is not None:
            await turn.error(f"practice_{why}")
            return
        prompt = bank.get(pending)
        try:
            grade = await self.desk.grade(prompt, answer, where=where, lang=turn.lang)
        except EmbeddingUnavailableError as exc:
            await self._keep(turn, where, prompt, answer, at=_utc(self.clock()), reason=exc.reason)
            return
        await self._record(turn, where, prompt, answer, grade, at=_utc(self.clock()))

    async def _keep(
        self, turn: Turn, where: Where, prompt: Prompt, answer: str, *, at: datetime, reason: str
    ) -> None:
        """The grader is unavailable: keep the answer (the member stays on this prompt) and say
        it will be graded, as a channel answer is kept; `grade_kept` grades it once the grader
        is back."""
        await self.repo.keep_practice_answer(
            KeptPractice(
                platform=where.platform,
                user_id=turn.user,
                channel_id=where.channel_id,
                prompt_id=prompt.id,
                text=answer,
                kept_at=at,
            )
        )
        log.warning(
            "practice answer kept ungraded user=%s: grader unavailable (%s)", turn.user, reason
        )
        await turn.say(turn.t("grading_unavailable"), ephemeral=True)

    async def kept(self, platform: str, *, limit: int) -> list[KeptPractice]:
        """The platform's practice answers kept while the grader was unavailable, oldest first."""
        return await self.repo.kept_practice_answers(platform=platform, limit=limit)

    async def grade_kept(self, turn: Turn, kept: KeptPractice) -> bool:
        """Grade a practice answer kept while the grader was unavailable and tell its member
        privately, as if it were graded when it came. False: it was graded already (another
        process, or the member answered again), or its prompt left the bank. Raises
        `EmbeddingUnavailableError` while the grader still cannot take it, leaving it kept."""
        where = Where(kept.platform, kept.channel_id)
        bank = self._bank(where)
        if kept.prompt_id not in bank:
            return False
        prompt = bank.get(kept.prompt_id)
        grade = await self.desk.grade(prompt, kept.text, where=where, lang=turn.lang)
        return await self._record(turn, where, prompt, kept.text, grade, at=kept.kept_at, kept=True)

    async def _record(
        self,
        turn: Turn,
        where: Where,
        prompt: Prompt,
        answer: str,
        grade: Grade,
        *,
        at: datetime,
        kept: bool = False,
    ) -> bool:
        """Store the graded practice answer and its reviewed card (answered `at`), and tell the
        member privately: the grade, the card's next review and their mastery of its topics.
        False, nothing stored or said: the kept answer (`kept`) was graded already."""
        platform = where.platform
        row = await self.repo.practice_card(
            platform=platform, user_id=turn.user, prompt_id=prompt.id
        )
        held = Card.from_json(row.card) if row is not None else None
        card = self._reviewed(held, grade.score, at, channel_schedule(turn.channel).zone)
        rating = self.policy.rating(grade.score)
        if not await self.repo.record_practice_answer(
            PracticeWrite(
                platform=platform,
                graded=graded_text(turn, prompt, answer, grade, at),
                rating=int(rating),
                card=(
                    None
                    if card is None
                    else card_row(platform, turn.user, prompt.id, card, score=grade.score, now=at)
                ),
            ),
            kept_at=at if kept else None,
        ):
            return False
        current = card if card is not None else held
        lines = [AnswerFlow.grade_text(turn, prompt, grade)]
        if current is not None:
            lines.append(turn.t("practice_next", when=self._local(turn, current.due)))
        subject = self._bank(where).subject(prompt)
        rows = [row for row in await self.mastery(where, turn.user) if row.subject == subject]
        lines.append(
            turn.t(
                "practice_mastery",
                items=", ".join(named_percent(row, turn.lang) for row in rows),
            )
        )
        await turn.say("\n".join(lines), kind=ReplyKind.GRADE, ephemeral=True)
        return True

    async def status(self, turn: Turn) -> None:
        """`/quiz review`: how many cards are due now and when the next ones fall due."""
        cards = await self.cards(Where(turn.channel.platform, turn.channel.channel_id), turn.user)
        if not cards:
            await turn.say(turn.t("review_empty"), ephemeral=True)
            return
        now = _utc(self.clock())
        due = sum(1 for card in cards.values() if card.due <= now)
        lines = [turn.t("review_summary", due=due, total=len(cards))]
        upcoming = self._upcoming(turn, cards)
        if upcoming:
            lines.append(turn.t("review_next", items=upcoming))
        await turn.say("\n".join(lines), ephemeral=True)

    async def due_today(self, turn: Turn) -> None:
        """`/quiz due`: the member's cards that fall due by the end of their day in the
        channel's timezone, the longest due first, each with its question and its mastery (the
        score to expect in 30 days without practice, `bot.core.quiz.mastery`)."""
        where = Where(turn.channel.platform, turn.channel.channel_id)
        bank = self._bank(where)
        now = _utc(self.clock())
        zone = channel_schedule(turn.channel).zone
        tomorrow = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(), zone)
        scored = await self.scored_cards(where.platform, turn.user)
        due = sorted(
            (
                (prompt_id, held)
                for prompt_id, held in scored.items()
                if prompt_id in bank and held.card.due < tomorrow
            ),
            key=lambda item: item[1].card.due,
        )
        if not due:
            await turn.say(turn.t("due_none"), ephemeral=True)
            return
        lines = [turn.t("due_title", count=len(due))]
        for prompt_id, held in due[:DUE_SHOWN]:
            mastery = card_mastery(self.scheduler, held, now)
            lines.append(
                turn.t(
                    "due_line",
                    id=prompt_id,
                    question=excerpt(bank.get(prompt_id).text.get(turn.lang)),
                    mastery=mastery_label(mastery, turn.lang),
                )
            )
        if len(due) > DUE_SHOWN:
            lines.append(turn.t("due_more", count=len(due) - DUE_SHOWN))
        await turn.say("\n".join(lines), ephemeral=True)

    def _local(self, turn: Turn, instant: datetime) -> str:
        zone = channel_schedule(turn.channel).zone
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    def _upcoming(self, turn: Turn, cards: dict[str, Card]) -> str:
        """The next few local days with cards falling due: the first time that day, and how
        many ('' when nothing is scheduled)."""
        now = _utc(self.clock())
        zone = channel_schedule(turn.channel).zone
        later = sorted(card.due for card in cards.values() if card.due > now)
        per_day: dict[str, list[datetime]] = defaultdict(list)
        for instant in later:
            per_day[instant.astimezone(zone).date().isoformat()].append(instant)
        return ", ".join(
            f"{self._local(turn, instants[0])} ({len(instants)})"
            for instants in list(per_day.values())[:UPCOMING_SHOWN]
        )
